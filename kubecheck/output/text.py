"""Text output: a verdict table per scenario, then what to do next."""

from __future__ import annotations

from typing import Any

from traces import printable

__all__ = ["render_text", "EXIT_MEANING"]

EXIT_MEANING = {
    0: "every property holds (exhaustive from the settled state)",
    1: "a property is violated (counterexample traces written)",
    2: "the check failed (a predicate raised, a scenario could not run, or nothing was checked)",
    3: "inconclusive: no violation found, but a bound cut the search (raise --max-states/--timeout)",
    4: "sampled: no violation in random runs (no coverage guarantee)",
}

_MARK = {
    "holds": "HOLDS",
    "violated": "VIOLATED",
    "error": "ERROR",
    "holds_within_bounds": "BOUNDED",
    "sampled": "SAMPLED",
}


def _remediation(rule_id: str) -> str:
    from properties import CATALOGUE

    rule = CATALOGUE.get(rule_id)
    return rule.remediation if rule is not None else ""


def _bounds(report: Any) -> str:
    parts = [f"{k}={v}" for k, v in report.bounds if v is not None]
    return ", ".join(parts) or "none"


def render_text(report: Any) -> str:
    lines: list[str] = []
    lines.append(f"kubecheck: {len(report.files)} file(s): {', '.join(report.files)}")
    for s in report.skipped:
        lines.append(f"  {s}")
    if report.nodes_added:
        lines.append(f"  no Node in the manifests: added {len(report.nodes_added)} identical Ready node(s) ({', '.join(report.nodes_added)}); set --nodes N")
    if report.settled:
        lines.append(
            f"  settled in {report.settle_steps} step(s) by one deterministic start-up order; every scenario is explored "
            "from this one settled state (\"exhaustive\" means exhaustive from the settled state; other start-up orders "
            "may place pods differently)"
        )
    elif getattr(report, "settle_cut", None):
        lines.append(f"  start-up cut by {report.settle_cut} after {report.settle_steps} step(s): nothing is claimed")
    else:
        lines.append(f"  did NOT settle: the start-up order came back to an earlier state after {report.settle_steps} steps (a livelock)")
    if report.startup_rules:
        line = (f"  start-up: {len(report.startup_rules)} invariant/action rule(s) checked on every step of the settle path "
                f"(violations under scenario 'startup')")
        if report.after_convergence:
            line += f"; judged only after the first convergence: {', '.join(report.after_convergence)}"
        lines.append(line)
    for w in report.warnings:
        lines.append(f"  warning: {w}")
    if report.not_applicable:
        lines.append(f"  not checked (no target in the manifests): {', '.join(report.not_applicable)}")
    line = (f"  engine {report.engine}; Kubernetes {report.kubernetes_version}, caches {report.caches}; "
            f"bounds per search: {_bounds(report)}; symmetry {'on' if report.symmetry else 'off'}")
    own_model = [f"{r.name}: Kubernetes {r.kubernetes_version}, caches {r.caches}" for r in report.scenarios
                 if r.caches and (r.caches, r.kubernetes_version) != (report.caches, report.kubernetes_version)]
    if own_model:
        line += "; scenario's own model: " + "; ".join(own_model)
    own = [(r.name, r.bounds) for r in report.scenarios if getattr(r, "bounds", ())]
    if own:
        line += "; scenario-file bounds: " + "; ".join(
            f"{name}: {', '.join(f'{k}={v}' for k, v in b if v is not None) or 'none'}" for name, b in own)
    lines.append(line)
    for run in report.scenarios:
        lines.append("")
        lines.append(f"scenario {run.name}: {run.description}")
        for e in [e for e in report.explorations if e.scenario == run.name]:
            red = ", ".join(e.reductions) or "none"
            lines.append(
                f"  search: {e.properties} properties, {e.states} states, {e.transitions} transitions, depth {e.max_depth}, "
                f"{e.seconds:.1f}s, reductions: {red}, " + (f"distributed: {e.distributed}, " if e.distributed else "") + e.coverage
                + (f" [{e.subject}]" if e.subject else "")
            )
        rows = [f for f in report.findings if f.scenario == run.name]
        width = max((len(f.rule_id) for f in rows), default=10)
        twidth = max((len(f.target) for f in rows), default=0)
        for f in rows:
            suppressed = getattr(f, "suppression", None)
            mark = "SUPPRESSED" if suppressed is not None else _MARK[f.verdict]
            line = f"  {mark:<8}  {f.rule_id:<{width}}  {f.target or '(cluster)':<{max(twidth, 9)}}"
            if f.location is not None and f.verdict != "holds":
                line += f"  {f.location.file}:{f.location.line}"
                if getattr(f.location, "template", ""):
                    line += f" (template {f.location.template})"
            severity = getattr(f, "severity", "error")
            if f.verdict == "violated" and severity != "error":
                line += f"  [{severity}]"
            lines.append(line)
            if suppressed is not None:
                lines.append(f"            {_MARK[f.verdict].lower()}, suppressed ({suppressed.kind}): {suppressed.justification}")
                continue
            if f.verdict == "holds" and "count-model proof" in getattr(f, "reductions", ()) and f.note:
                lines.append(f"            {f.note}")  # which engine decided, and for which sizes
            elif f.verdict == "holds" and "nothing to judge" in getattr(f, "reductions", ()) and f.note:
                lines.append(f"            {f.note.split(' [explicit search')[0]}")  # why a cut search still decides it
            elif f.verdict == "holds_within_bounds" and "count model" in (f.note or ""):
                # why the count model did not decide a cut search (the cut itself is the search line's)
                parts = f.note.split("; ")
                first = next(i for i, part in enumerate(parts) if "count model" in part)
                lines.append(f"            {'; '.join(parts[first:])}")
            if f.verdict in ("violated", "error"):
                lines.append(f"            {f.title}")
                if f.note:
                    lines.append(f"            {f.note}")
                if f.verdict == "violated":
                    fix = getattr(f, "fix", "") or _remediation(f.rule_id)
                    if fix:
                        lines.append(f"            fix: {fix}")
                if f.trace is not None:
                    for s in f.trace.steps:
                        lines.append(f"              {s}")
                    lines.append(f"            trace: {f.trace.dir}/")
    for run_name in sorted({f.scenario for f in report.findings} - {r.name for r in report.scenarios}):
        lines.append(f"scenario {run_name}: not run")
        for f in [f for f in report.findings if f.scenario == run_name]:
            lines.append(f"  {_MARK[f.verdict]:<8}  {f.rule_id}  {f.target or '(cluster)'}  {f.note}")
    c = report.counts()
    lines.append("")
    summary = f"{c['violated']} violated, {c['holds']} hold, {c['holds_within_bounds']} bounded, {c['error']} error, {c['sampled']} sampled"
    if c.get("suppressed"):
        summary += f", {c['suppressed']} suppressed"
    fail_on = getattr(report, "fail_on", "error")
    below = [f for f in report.findings if f.verdict == "violated" and getattr(f, "suppression", None) is None
             and report.counted(f) is not None and report.counted(f).value != "violated"] if hasattr(report, "counted") else []
    if below:
        summary += f" ({len(below)} violation(s) below --fail-on {fail_on}: reported, not failing)"
    lines.append(summary)
    meaning = EXIT_MEANING[report.exit_code]
    if report.exit_code == 0 and (c.get("suppressed") or below):
        meaning = "no violation counts toward the exit code (suppressed findings and those below --fail-on are reported above)"
    elif report.exit_code == 3 and (c.get("suppressed") or below):
        meaning = ("inconclusive: no violation that counts toward the exit code (suppressed findings and those below --fail-on "
                   "are reported above), but a bound cut the search (raise --max-states/--timeout)")
    elif report.exit_code == 0 and any("count-model proof" in getattr(f, "reductions", ()) for f in report.findings):
        meaning = ("every property holds (exhaustive from the settled state, or proved by the Z3 count model for the "
                   "sizes each note gives" + (", or with nothing to judge, as its note says)" if any(
                       "nothing to judge" in getattr(f, "reductions", ()) for f in report.findings) else ")"))
    elif report.exit_code == 0 and any("nothing to judge" in getattr(f, "reductions", ()) for f in report.findings):
        meaning = "every property holds (exhaustive from the settled state, or with nothing to judge, as its note says)"
    lines.append(f"exit {report.exit_code}: {meaning}")
    lines += _next_steps(report)
    # Every line is built as one line; whatever a user string brings (a newline or an ANSI sequence in an
    # image name, a bidi mark in a label) is made visible here, so it can neither add a line nor recolour one.
    return "\n".join(printable(line) for line in lines) + "\n"


#: how to lift each bound a search can hit (``--max-states 0`` and ``--timeout 0`` mean no bound)
_LIFT = {
    "max_states": "--max-states 0 removes it",
    "timeout": "--timeout 0 removes it",
    "max_depth": "a larger --max-depth (or none) lifts it",
    "max_memory": "a larger --max-memory lifts it",
}


def _next_steps(report: Any) -> list[str]:
    """For an inconclusive explicit search: which knobs could make it conclusive, and which are already on."""
    # a bound cut it (not "stopped early: every property decided", which is complete=False too)
    cut = [e for e in report.explorations if not e.complete and e.bound_hit]
    if report.exit_code != 3 or report.engine != "explicit" or not cut:
        return []
    largest = max(cut, key=lambda e: e.states)
    reds = {r.split(" ", 1)[0] for e in report.explorations for r in e.reductions}
    hints = [f"raise the bound that cut it (a search stopped at {largest.states:,} states, {largest.bound_hit}): "
             + _LIFT.get(largest.bound_hit, "--max-states 0 and --timeout 0 remove them")]
    if not report.symmetry:
        hints.append("--symmetry merges states that differ only in which interchangeable pod is which (safety rules)")
    # fingerprints apply to invariant and sometimes rules only: without one, the flag may be on already
    if "fingerprints" not in reds and any(f.kind in ("invariant", "sometimes") for f in report.findings):
        hints.append("--fingerprint stores 64-bit fingerprints instead of states (less memory; invariant rules)")
    if {r.granularity for r in report.scenarios} == {"write"}:
        hints.append("--granularity reconcile takes one step per reconcile instead of per API write (coarser: hides races between a reconcile's writes)")
    bounded = sorted({f.rule_id for f in report.findings if f.verdict == "holds_within_bounds"})
    left = f" (still bounded: {', '.join(bounded)})" if bounded else ""
    hints.append(f"-p RULE-ID checks fewer rules{left}; eventual rules need the unreduced search")
    if bounded and any("count-model proof" in getattr(f, "reductions", ()) for f in report.findings):
        outside = _outside_count_models(bounded)
        if outside:
            # the count model decided some rules above; these it does not model: only the exhaustive search decides them
            hints.append(f"the Z3 count model decided some rules above; it does not model {', '.join(outside)}, whose "
                         "exhaustive search grows fast with replicas (a rollout of 4 or more replicas is usually past 100,000 "
                         "states)")
    return ["next: " + hints[0], *("      " + h for h in hints[1:])]


def _outside_count_models(rule_ids: list[str]) -> list[str]:
    """Those of ``rule_ids`` no Z3 count model decides (kubecheck.symbolic.check ``RULES``, statefulset_count
    ``STS_RULES``); imported here, where a count-model proof was already made, not when the module loads."""
    from kubecheck.symbolic.check import RULES
    from kubecheck.symbolic.statefulset_count import STS_RULES

    return [r for r in rule_ids if r not in RULES and r not in STS_RULES]
