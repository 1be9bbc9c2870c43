"""``python -m properties --markdown`` prints docs/properties.md from the catalogue itself."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from properties.catalogue import RULES

#: The results of ``python -m bench mutation`` (bench/mutation.py), committed with the code; rendered
#: as the last section so that regenerating this document keeps the measured mutation score.
MUTATION_RESULTS = Path(__file__).resolve().parents[1] / "docs" / "mutation.json"

_KIND_TEXT = {
    "invariant": "invariant (every reachable state)",
    "action": "action property (every reachable step)",
    "eventually_always": "eventually always, under weak fairness of controllers and kubelets, once user actions and faults stop",
    "always_eventually": "always eventually, under weak fairness",
    "leads_to": "leads to (after the trigger, eventually the goal), under weak fairness of controllers and kubelets",
}

_CATEGORY_TITLES = {
    "convergence": "Convergence",
    "ownership": "Ownership",
    "rollout": "Rollout availability",
    "statefulset": "StatefulSet identity",
    "sandbox": "Pod sandbox",
    "availability": "Availability under involuntary disruptions",
    "platform": "Scheduling, readiness and node lifecycle",
    "gc": "Garbage collection",
    "disruption": "Disruption budgets and drain",
}


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.split("\n\n")[0].split())


def markdown() -> str:
    lines = [
        "# Property catalogue",
        "",
        "Generated from `properties/catalogue.py` by `python -m properties --markdown`; a test keeps this",
        "file and the code in step. Every rule has a stable ID used in SARIF, JUnit and JSON output.",
        "",
        "Involuntary disruptions (crashes, sandbox death, node failure, force delete) are not counted against",
        "KC-ROLL-001/002/003: upstream promises nothing there, so those rules judge only steps taken by a",
        "workload controller. KC-ROLL-004 (zero downtime) is the user's stronger promise and counts everything.",
        "",
        "Rules marked *opt-in* are not run by default (`kubecheck check` without `-p`, or",
        "`properties.instantiate(cluster)`); name them explicitly (`-p KC-ROLL-003`) to run them.",
        "",
        "Every rule has a *severity* (error, warning or info). The verdict does not depend on it; it decides",
        "whether a violation fails the run: `kubecheck check --fail-on error` (the default) exits 1 only for",
        "violations of error rules, `--fail-on warning` also for warnings, `--fail-on info` for all.",
        "`.kubecheck.yaml` can override a rule's severity (`severity: {KC-OWN-004: warning}`).",
        "",
        "| ID | statement | kind | severity | default |",
        "|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(f"| `{r.rule_id}` | {r.title} | {r.kind.value} | {r.severity} | {'yes' if r.default else '**opt-in**'} |")
    current = None
    for r in RULES:
        if r.category != current:
            current = r.category
            lines += ["", f"## {_CATEGORY_TITLES.get(current, current)}"]
        lines += [
            "",
            f"### {r.rule_id}: {r.title}",
            "",
            f"*Kind:* {_KIND_TEXT[r.kind.value]}."
            + (f" Checked per {', '.join(r.applies_to)}." if r.applies_to else " Checked cluster-wide.")
            + ("" if r.default else " **Opt-in:** not run by default; select it with `-p " + r.rule_id + "`."),
            "",
            f"*What it counts:* {r.counts}",
            "",
            *([f"*Trigger (after):* {r.trigger_counts}", ""] if r.trigger is not None else []),
            f"*Upstream:* {r.upstream}",
            "",
            f"*Severity:* {r.severity}. *How to fix:* {r.remediation}"
            + (f" {_first_paragraph(r.trace_fix.__doc__)}" if r.trace_fix is not None and r.trace_fix.__doc__ else ""),
        ]
    if MUTATION_RESULTS.exists():
        lines += ["", *mutation_section(json.loads(MUTATION_RESULTS.read_text(encoding="utf-8")))]
    return "\n".join(lines) + "\n"


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "n/a"


def mutation_section(report: dict[str, Any]) -> list[str]:
    """The "Mutation score" section from the results of ``python -m bench mutation``."""
    s = report["summary"]
    muts: dict[str, Any] = report["mutants"]
    lines = [
        "## Mutation score (measured through the CLI)",
        "",
        f"Generated from `docs/mutation.json`, written by `{report['command']}` (bench/mutation.py). Each seeded "
        "bug of tests/mutation/mutants.py patches one upstream behaviour in a copy (the model's code is untouched) "
        "and `kubecheck check` runs, in a fresh interpreter, on every manifest set below with the scenarios a user "
        "would pick for it. A mutant is **killed** when some verdict (scenario, rule, subject) or the exit code "
        "differs from the unmutated run: a rule VIOLATED that held, a violation that went away, or exit 2 (the "
        "manifests refused, or an internal error). A difference only in bounded verdicts (a search cut by a bound) is not a kill.",
        "",
        f"**Killed: {s['killed']} of {s['mutants']} ({_pct(s['killed'], s['mutants'])})**; by a rule's verdict: "
        f"{s['killed_by_verdict']}; of the issue's list (issue #23): {s['issue_list_killed']} of {s['issue_list']}. "
        f"Per search: max_states 50,000, timeout {report['timeout']:g} s; the whole run took {report.get('seconds', 0):g} s.",
        "",
        "Manifest sets and scenarios (`default` is rollout and pod-crash; `file:` a scenario file):",
        "",
    ]
    lines += [f"* `{c}`" for c in report["cases"]]
    partial = sorted(n for n, m in muts.items() if m.get("cases_run", len(report["cases"])) < len(report["cases"]))
    if partial:
        first = min(muts[n]["cases_run"] for n in partial)
        lines += ["", f"The cases after the first {first} were added after a full run, to close survivors; the mutants "
                  "that run had already killed were not re-run on them (a kill stays a kill on more cases), every "
                  "other mutant was (`python -m bench mutation --only NAME,.. --merge`)."]
    lines += ["", "| mutant | seeded bug | killed by |", "|---|---|---|"]
    for name in sorted(muts):
        m = muts[name]
        if m["killed"] and m["by"] == "error":
            msgs = [d["stderr"] for d in m["cases"].values() if d.get("stderr")]
            verdict = "exit 2" + (f": `{msgs[0].replace('|', '/')[:160]}`" if msgs else "")
        elif m["killed"]:
            how = {"violation": "violated", "fixed": "violation gone"}[m["by"]]
            verdict = f"{', '.join(m['rules']) or '(exit code)'} ({how})"
        else:
            verdict = "**survived**"
        issue = f" *(issue: {m['issue']})*" if m.get("issue") else ""
        lines.append(f"| `{name}` | {m['description']}{issue} | {verdict} |")
    survivors = [n for n in sorted(muts) if not muts[n]["killed"]]
    lines += ["", "### Survivors", ""]
    if not survivors:
        lines.append("None.")
    for name in survivors:
        lines.append(f"* `{name}`: {muts[name].get('why') or 'not yet explained.'}")
    return lines


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        print("usage: python -m properties --markdown", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(markdown())
