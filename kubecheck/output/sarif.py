"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.

* one ``reportingDescriptor`` per rule ID checked (``shortDescription`` = the one-line statement,
  ``fullDescription`` = what it counts, ``helpUri`` = its section of docs/properties.md);
* one ``result`` per VIOLATED (rule, object, scenario), its level from the rule's severity (error,
  warning, note), located at the manifest file and line of the workload (or of the field the rule
  is about, e.g. ``spec.strategy.rollingUpdate.maxUnavailable`` for KC-ROLL-001), with the other
  objects of the finding as ``relatedLocations`` (the Service of a Deployment finding, the
  workload's field to change for a Service finding), the trace directory, the scenario and the
  steps in ``properties``; ``partialFingerprints`` name the rule, scenario and object
  (kind/namespace/name), so two Services are two alerts;
* a suppressed finding (annotation ``kubecheck.io/ignore``: ``inSource``; configuration or
  ``--exclude``: ``external``) is a result with ``suppressions``;
* each rule's ``help`` is its remediation (how to fix);
* objects rendered by ``helm template`` are located at the template named by their
  ``# Source:`` comment (its line when the template file is present here), the rendered
  position in the result's ``properties.rendered``;
* ERROR, HOLDS_WITHIN_BOUNDS and SAMPLED verdicts are not results (nothing was found) but
  ``toolExecutionNotifications`` of the invocation (levels ``error``, ``warning`` and ``note``,
  ``associatedRule`` naming the rule), so
  a bounded or sampled run is visible without raising alerts; ``invocation.exitCode`` is
  kubecheck's exit code;
* the run's ``properties`` say where the searches started (``start``: ``settled`` = from the one
  settled state, ``settleSteps`` steps from the manifests) and what "holds" claims (``claim``).

File paths are made relative to the working directory when they lie under it (GitHub resolves
them against the repository root); manifests read from standard input are ``stdin``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["render_sarif", "rule_anchor", "DOCS_URL", "SARIF_SCHEMA_URI"]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: Where docs/properties.md is published; override with KUBECHECK_DOCS_URL.
DOCS_URL = "https://github.com/kubecheck/kubecheck/blob/main/docs/properties.md"


def rule_anchor(rule_id: str, title: str) -> str:
    """The GitHub heading anchor of ``### RULE-ID: title`` in docs/properties.md."""
    text = f"{rule_id}: {title}".lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _uri(path: str) -> str:
    if path in ("<stdin>", "-"):
        return "stdin"
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve())
        text = rel.as_posix()
    except ValueError:
        text = p.resolve().as_uri() if p.is_absolute() else p.as_posix()
        if text.startswith("file:"):
            return text
    return quote(text)


def _rule_descriptor(rule_id: str, findings: list[Any], catalogue: dict[str, Any]) -> dict[str, Any]:
    rule = catalogue.get(rule_id)
    f0 = findings[0]
    title = rule.title if rule is not None else f0.title
    d: dict[str, Any] = {
        "id": rule_id,
        "name": re.sub(r"\W", "", title.title())[:60] or rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": (rule.counts if rule is not None and rule.counts else title)},
        "defaultConfiguration": {"level": LEVELS.get(str(getattr(f0, "severity", "") or getattr(rule, "severity", "error")), "error")},
        "properties": {"kind": f0.kind, "category": f0.category, "tags": ["kubernetes", f0.category]},
    }
    if rule is not None:
        base = os.environ.get("KUBECHECK_DOCS_URL", DOCS_URL)
        d["helpUri"] = f"{base}#{rule_anchor(rule_id, rule.title)}"
        fix = getattr(rule, "remediation", "")
        text = f"How to fix: {fix}" if fix else title
        if rule.upstream:
            text += f"\n\nUpstream: {rule.upstream}"
        d["help"] = {"text": text, "markdown": f"**How to fix:** {fix}" + (f"\n\n*Upstream:* {rule.upstream}" if rule.upstream else "")
                     if fix else text}
    return d


#: SARIF result level per kubecheck severity
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _physical(loc: Any) -> dict[str, Any]:
    """A SARIF physicalLocation: the Helm template (``# Source:``) when the object was rendered from
    one (its line when the template file is here), else the manifest file and line."""
    from kubecheck.runner import template_line

    template = getattr(loc, "template", "")
    if template:
        out: dict[str, Any] = {"artifactLocation": {"uri": _uri(template)}}
        line = template_line(template, loc.field)
        if line is not None:
            out["region"] = {"startLine": line}
        return out
    return {
        "artifactLocation": {"uri": _uri(loc.file)},
        "region": {"startLine": max(1, loc.line), "startColumn": max(1, loc.column)},
    }


def _fingerprint(f: Any) -> str:
    """Stable per (rule, scenario, object): two Services are two alerts; the group's name is not in it."""
    located: str = getattr(f.location, "object", "") if f.location is not None else ""
    objects: tuple[str, ...] = tuple(getattr(f, "objects", ()))
    obj = located or (objects[0] if objects else f.target or "cluster")
    kind, _, rest = obj.partition(" ")
    return f"{f.rule_id}/{f.scenario}/{kind}/{rest}"


def render_sarif(report: Any) -> str:
    from properties import CATALOGUE

    by_rule: dict[str, list[Any]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    rule_ids = list(by_rule)
    descriptors = [_rule_descriptor(r, by_rule[r], CATALOGUE) for r in rule_ids]
    results: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for f in report.findings:
        if f.verdict == "violated":
            fix = getattr(f, "fix", "")
            res: dict[str, Any] = {
                "ruleId": f.rule_id,
                "ruleIndex": rule_ids.index(f.rule_id),
                "level": LEVELS.get(getattr(f, "severity", "error"), "error"),
                "kind": "fail",
                "message": {
                    "text": f"{f.rule_id} violated for {f.target or 'the cluster'} in scenario '{f.scenario}': {f.title}."
                    + (f" Fix: {fix}." if fix else "")
                    + (f" Counterexample ({len(f.trace.steps)} steps): {f.trace.dir}/trace.svg" if f.trace else "")
                },
                "properties": {"scenario": f.scenario, "verdict": f.verdict, "target": f.target,
                               "severity": getattr(f, "severity", "error"), "objects": list(getattr(f, "objects", ()))},
                "partialFingerprints": {"kubecheckFinding/v2": _fingerprint(f)},
            }
            if fix:
                res["properties"]["fix"] = fix
            if f.location is not None:
                loc: dict[str, Any] = {"physicalLocation": _physical(f.location)}
                name = getattr(f.location, "object", "") or f.target
                if name:
                    loc["logicalLocations"] = [{"fullyQualifiedName": name + (f" {f.location.field}" if f.location.field else ""), "kind": "object"}]
                if getattr(f.location, "template", ""):
                    res["properties"]["rendered"] = f"{f.location.file}:{f.location.line}"
                res["locations"] = [loc]
            related = []
            for i, r in enumerate(getattr(f, "related", ())):
                rel: dict[str, Any] = {"id": i + 1, "physicalLocation": _physical(r),
                                       "message": {"text": f"{r.object}" + (f" {r.field}" if r.field else "")}}
                related.append(rel)
            if related:
                res["relatedLocations"] = related
            sup = getattr(f, "suppression", None)
            if sup is not None:
                entry: dict[str, Any] = {"kind": sup.kind, "status": "accepted", "justification": sup.justification}
                if sup.file:
                    entry["location"] = {"physicalLocation": {"artifactLocation": {"uri": _uri(sup.file)},
                                                              "region": {"startLine": max(1, sup.line)}}}
                res["suppressions"] = [entry]
            if f.trace is not None:
                res["properties"]["tracePath"] = f.trace.dir
                res["properties"]["traceFiles"] = list(f.trace.files)
                res["properties"]["traceSteps"] = list(f.trace.steps)
            results.append(res)
        elif f.verdict in ("error", "holds_within_bounds", "sampled"):
            notes.append(
                {
                    "level": {"error": "error", "holds_within_bounds": "warning", "sampled": "note"}[f.verdict],
                    "message": {"text": f"{f.rule_id} {f.target or '(cluster)'} in scenario '{f.scenario}': {f.verdict}: {f.note}"},
                    "associatedRule": {"id": f.rule_id, "index": rule_ids.index(f.rule_id)},
                }
            )
    for w in getattr(report, "warnings", ()):
        note: dict[str, Any] = {"level": "warning", "message": {"text": w}}
        m = re.match(r"(.+?):(\d+): ", w) or re.search(r" \((.+?):(\d+)\)$", w)  # "FILE:LINE: ..." or "... (FILE:LINE)"
        if m:
            note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(m.group(1))},
                                                       "region": {"startLine": max(1, int(m.group(2)))}}}]
        notes.append(note)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kubecheck",
                "informationUri": os.environ.get("KUBECHECK_DOCS_URL", DOCS_URL).rsplit("/docs/", 1)[0],
                "version": _version(),
                "rules": descriptors,
            }
        },
        "invocations": [
            {
                "executionSuccessful": report.exit_code != 2,
                "exitCode": report.exit_code,
                "toolExecutionNotifications": notes,
            }
        ],
        "results": results,
        "properties": {
            "verdict": report.verdict,
            "counts": report.counts(),
            "bounds": {k: v for k, v in report.bounds},
            "start": report.start,
            "settleSteps": report.settle_steps,
            "claim": (
                "holds means: exhaustive from the settled state (one deterministic start-up order), within the bounds"
                if report.start == "settled" else "the cluster did not settle: the scenarios were not run"
            ),
            # every search's reductions (symmetry; fingerprints with their collision probability),
            # so a "holds" read from this file carries the same caveats as the text output
            "explorations": [
                {"scenario": e.scenario, "properties": e.properties, "reductions": list(e.reductions),
                 "states": e.states, "complete": e.complete, "boundHit": e.bound_hit,
                 **({"workers": e.workers, "statesPerSecondPerWorker": e.states_per_second_per_worker} if e.workers is not None else {})}
                for e in report.explorations
            ],
            "startupRules": list(report.startup_rules),
            "afterConvergence": list(report.after_convergence),
            "notApplicable": list(report.not_applicable),
            "warnings": list(getattr(report, "warnings", ())),
        },
    }
    doc = {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("kubecheck")
    except Exception:  # noqa: BLE001
        return "0.0.0"
