"""JUnit XML output: one ``<testsuite>`` per scenario, one ``<testcase>`` per workload x property.

Mapping (documented in docs/cli.md):

* HOLDS -> a passing test case;
* VIOLATED -> ``<failure type="VIOLATED">`` with the trace steps and the trace directory;
* ERROR -> ``<error type="ERROR">``;
* HOLDS_WITHIN_BOUNDS -> ``<skipped>`` with the coverage note: the search was cut, so the test
  neither passed nor failed (the exit code, 3, still tells CI the run was inconclusive);
* SAMPLED -> ``<skipped message="sampled: no coverage guarantee">``: random runs found nothing,
  which is not a pass (the exit code, 4, tells CI);
* a suppressed finding (any verdict) -> ``<skipped type="SUPPRESSED">`` with its verdict and reason.

Every case carries ``verdict``, ``status`` (``active``/``suppressed``) and ``severity`` properties.

Each ``<testsuite>`` carries ``start`` (``settled``: explored from the one settled state,
``settle_steps`` steps from the manifests; ``loaded``: the cluster did not settle), ``settle_steps``
and ``claim`` properties, so a passing case is read as "holds, exhaustively, from the settled state".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from traces import printable as _p

__all__ = ["render_junit"]


def _name(f: Any) -> str:
    return _p(f"{f.rule_id} {f.target or '(cluster)'}")


def _claim(report: Any, scen: str) -> str:
    if scen == "startup":
        return f"violations on the settle path (one start-up order, {report.settle_steps} steps); no claim about other orders"
    if scen == "settle":
        return "convergence explored from the loaded manifests (the cluster did not settle)"
    if report.start != "settled":
        return "not run: the cluster did not settle"
    return f"exhaustive from the settled state ({report.settle_steps} settle steps from the manifests), within the search's bounds"


def render_junit(report: Any) -> str:
    root = ET.Element("testsuites", name="kubecheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = {r.name: sum(e.seconds for e in report.explorations if e.scenario == r.name) for r in report.scenarios}
    for scen in dict.fromkeys(f.scenario for f in report.findings):
        rows = [f for f in report.findings if f.scenario == scen]
        suite = ET.SubElement(root, "testsuite", name=f"kubecheck.{scen}")
        sprops = ET.SubElement(suite, "properties")
        ET.SubElement(sprops, "property", name="start", value="loaded" if scen == "settle" else report.start)
        ET.SubElement(sprops, "property", name="settle_steps", value=str(report.settle_steps))
        ET.SubElement(sprops, "property", name="claim", value=_claim(report, scen))
        counts = {"tests": len(rows), "failures": 0, "errors": 0, "skipped": 0}
        for f in rows:
            case = ET.SubElement(suite, "testcase", classname=f"kubecheck.{scen}.{f.rule_id}", name=_name(f), time="0")
            if f.location is not None:
                case.set("file", _p(f.location.file))
                case.set("line", str(f.location.line))
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="verdict", value=f.verdict)
            ET.SubElement(props, "property", name="status", value=getattr(f, "status", "active"))
            ET.SubElement(props, "property", name="severity", value=getattr(f, "severity", "error"))
            ET.SubElement(props, "property", name="rule", value=_p(f.title))
            if f.reductions:  # e.g. symmetry, fingerprints (64-bit, collision probability <= p)
                ET.SubElement(props, "property", name="reductions", value="; ".join(f.reductions))
            sup = getattr(f, "suppression", None)
            if sup is not None:  # accepted: reported as such, neither a pass nor a failure
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", type="SUPPRESSED",
                              message=_p(f"suppressed ({sup.kind}), verdict {f.verdict}: {sup.justification}"))
            elif f.verdict == "violated":
                counts["failures"] += 1
                fix = getattr(f, "fix", "")
                # one escaped line per part: a user string can add no line, and no control character
                # (not even allowed in XML 1.0) or bidi mark reaches the file
                body = "\n".join(_p(x) for x in (f.title, f.note, *((f"fix: {fix}",) if fix else ()),
                                                   *(f.trace.steps if f.trace else ()), f"trace: {f.trace.dir}" if f.trace else ""))
                el = ET.SubElement(case, "failure", type="VIOLATED",
                                   message=_p(f"{f.rule_id} violated for {f.target or 'the cluster'} in scenario {scen}"))
                el.text = body.strip()
            elif f.verdict == "error":
                counts["errors"] += 1
                el = ET.SubElement(case, "error", type="ERROR", message=_p(f.note[:200]) or "error")
                el.text = _p(f.note)
            elif f.verdict == "holds_within_bounds":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_p(f"inconclusive (bound {f.bound_hit}): {f.note}"))
            elif f.verdict == "sampled":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_p(f"sampled: no coverage guarantee: {f.note}"))
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", f"{seconds.get(scen, 0.0):.3f}")
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
