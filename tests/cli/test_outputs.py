"""Output formats: SARIF 2.1.0 (validated against the schema), JUnit (parsed), JSON (schema + round trip)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema

from kubecheck.output import render
from kubecheck.output.jsonout import REPORT_JSON_SCHEMA
from kubecheck.output.sarif import rule_anchor
from kubecheck.runner import CheckReport
from properties import CATALOGUE

from .conftest import VIOLATION

# The official OASIS SARIF 2.1.0 schema (2.1.0-rtm.5, the final 2.1.0 text), vendored from the
# npm package @microsoft/jest-sarif 1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json, MIT).
SARIF_SCHEMA = json.loads((Path(__file__).with_name("data") / "sarif-schema-2.1.0-rtm.5.json").read_text())


def _line_of(text: str, needle: str, after: str) -> int:
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if after in l)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_sarif_from_the_console_script_validates_and_points_at_the_fields(violation_run) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads((violation_run.cwd / "out.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"KC-ROLL-001", "KC-ROLL-004", "KC-CONV-002"}
    for rid, r in rules.items():
        assert r["shortDescription"]["text"] == CATALOGUE[rid].title
        assert r["fullDescription"]["text"] == CATALOGUE[rid].counts
        assert r["helpUri"].endswith("docs/properties.md#" + rule_anchor(rid, CATALOGUE[rid].title))
    (res,) = run["results"]  # only KC-ROLL-004 is violated
    assert res["ruleId"] == "KC-ROLL-004" and res["level"] == "error"
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "KC-ROLL-004"
    loc = res["locations"][0]["physicalLocation"]
    text = VIOLATION.read_text()
    assert loc["artifactLocation"]["uri"].endswith("single-replica-api.yaml")
    # at the fix: the Deployment's spec.replicas (one replica: replicas >= 2 or maxSurge 1 fixes it);
    # the Service's selector is a related location
    assert loc["region"]["startLine"] == _line_of(text, "replicas:", "kind: Deployment")
    rel = res["relatedLocations"][0]["physicalLocation"]
    assert rel["region"]["startLine"] == _line_of(text, "selector:", "kind: Service")
    assert res["properties"]["tracePath"].endswith("rollout/kc-roll-004")
    assert any(f.endswith("trace.svg") for f in res["properties"]["traceFiles"])
    assert run["invocations"][0]["exitCode"] == 1


def test_sarif_field_location_for_a_rollout_rule(violation_report) -> None:  # type: ignore[no-untyped-def]
    (f,) = [f for f in violation_report.findings if f.rule_id == "KC-ROLL-001" and f.scenario == "rollout"]
    text = VIOLATION.read_text()
    assert f.location.line == _line_of(text, "maxUnavailable", "kind: Deployment")
    assert f.location.field == "spec.strategy.rollingUpdate.maxUnavailable"


def test_sarif_bounded_and_errors_are_notifications_not_results(violation_report) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    bounded = replace(violation_report, findings=tuple(
        replace(f, verdict="holds_within_bounds", exit_code=3, bound_hit="timeout", trace=None) for f in violation_report.findings
    ))
    doc = json.loads(render(bounded, "sarif"))
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    run = doc["runs"][0]
    assert run["results"] == []
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == len(violation_report.findings) and {n["level"] for n in notes} == {"warning"}
    assert run["invocations"][0]["exitCode"] == 3


def test_junit_parses_one_case_per_workload_and_property(violation_report) -> None:  # type: ignore[no-untyped-def]
    root = ET.fromstring(render(violation_report, "junit"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(violation_report.findings)
    failures = root.findall(".//testcase/failure")
    assert len(failures) == sum(f.verdict == "violated" for f in violation_report.findings) == int(root.get("failures"))
    f = failures[0]
    assert f.get("type") == "VIOLATED" and "user: user_update_image_deployment" in (f.text or "") or "fault:" in (f.text or "")
    suites = {s.get("name") for s in root.findall("testsuite")}
    assert suites == {"kubecheck.rollout", "kubecheck.pod-crash"}
    names = {c.get("name") for c in cases}
    assert "KC-ROLL-001 Deployment default/api" in names and "KC-ROLL-004 (cluster)" in names


def test_junit_bounded_is_skipped(violation_report) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    bounded = replace(violation_report, findings=tuple(replace(f, verdict="holds_within_bounds", trace=None) for f in violation_report.findings))
    root = ET.fromstring(render(bounded, "junit"))
    assert len(root.findall(".//testcase/skipped")) == len(violation_report.findings) == int(root.get("skipped"))
    assert root.findall(".//failure") == []


def test_json_validates_and_round_trips(violation_report) -> None:  # type: ignore[no-untyped-def]
    text = render(violation_report, "json")
    doc = json.loads(text)
    jsonschema.Draft202012Validator(REPORT_JSON_SCHEMA).validate(doc)
    back = CheckReport.from_dict(doc)
    assert back == violation_report
    assert back.to_json() == text
    assert doc["exit_code"] == 1 and doc["verdict"] == "violated"
    (f,) = [f for f in doc["findings"] if f["rule_id"] == "KC-ROLL-004" and f["scenario"] == "rollout"]
    assert Path(f["trace"]["dir"], "trace.json").is_file()
    assert doc["bounds"] == {"max_depth": None, "max_memory": None, "max_states": 50000, "timeout": 60.0}


def test_text_output_says_what_the_exit_code_means(violation_report) -> None:  # type: ignore[no-untyped-def]
    text = render(violation_report, "text")
    assert "exit 1: a property is violated" in text
    assert "added 1 identical Ready node(s) (node-1)" in text
