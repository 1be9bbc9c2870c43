"""Findings a team can act on (issue 18): suppressions, configuration, severities, SARIF for code scanning."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from kubecheck.config import CONFIG_SCHEMA, discover_config, parse_ignore
from kubecheck.output import render
from kubecheck.output.jsonout import REPORT_JSON_SCHEMA
from kubecheck.runner import CheckReport, helm_source
from properties import CATALOGUE

from .conftest import FAST, VIOLATION, run_console

SARIF_SCHEMA = json.loads((Path(__file__).with_name("data") / "sarif-schema-2.1.0-rtm.5.json").read_text())


def _sarif_valid(doc: dict) -> None:  # type: ignore[type-arg]
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)


def chart(n: int, annotate: dict[int, tuple[str, str]] | None = None, replicas: int = 1) -> str:
    """``helm template`` output of a chart with n single-replica Deployments, each behind its own Service.

    ``annotate`` puts ``kubecheck.io/ignore`` on object i: ("Service" or "Deployment", value)."""
    annotate = annotate or {}
    out = []
    for i in range(n):
        ann = {k: f"\n  annotations:\n    kubecheck.io/ignore: \"{v}\"" for k, v in [annotate[i]]} if i in annotate else {}
        out.append(f"""---
# Source: demo/templates/svc{i}.yaml
apiVersion: v1
kind: Service
metadata:
  name: web{i}{ann.get("Service", "")}
spec:
  selector:
    app: web{i}
  ports:
    - port: 80
---
# Source: demo/templates/deploy{i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web{i}{ann.get("Deployment", "")}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web{i}}}
  template:
    metadata:
      labels: {{app: web{i}}}
    spec:
      containers:
        - name: c
          image: example.com/web:1
""")
    return "".join(out)


def _line(text: str, needle: str, after: str) -> int:
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if after in l)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


ARGS = ["-s", "pod-crash", "-p", "KC-ROLL-004", *FAST]


# ------------------------------------------------------------------------- the acceptance chart


# session scope: made once per xdist worker (a module-scoped one is made again whenever the worker ran
# another module's test in between)
@pytest.fixture(scope="session")
def twelve(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """12 single-replica Deployments from stdin; web0 accepted on its Deployment, web1 on its Service."""
    cwd = tmp_path_factory.mktemp("twelve")
    text = chart(12, {0: ("Deployment", "KC-ROLL-004: single replica by design"),
                      1: ("Service", "KC-ROLL-001, KC-ROLL-004: a cache, downtime is fine")})
    sarif = run_console(["check", "-", *ARGS, "-f", "sarif", "-o", "out.sarif", "--out", "traces"], cwd, stdin=text)
    js = run_console(["check", "-", *ARGS, "-f", "json", "--out", "traces"], cwd, stdin=text)
    return text, sarif, js


@pytest.mark.xdist_group("findings-twelve")  # one worker makes the module fixture (two kubecheck runs) once
def test_twelve_services_are_twelve_findings_two_of_them_suppressed(twelve) -> None:  # type: ignore[no-untyped-def]
    text, _, js = twelve
    assert js.code == 1, js.stderr
    doc = json.loads(js.stdout)
    jsonschema.Draft202012Validator(REPORT_JSON_SCHEMA).validate(doc)
    rows = {f["target"]: f for f in doc["findings"]}
    assert len(rows) == 12 and all(f["verdict"] == "violated" for f in rows.values())
    for i in range(12):
        f = rows[f"group Deployment default/web{i}, Service default/web{i}"]
        assert f["objects"] == [f"Deployment default/web{i}", f"Service default/web{i}"]
        # located at the fix, the Deployment's spec.replicas; the Service that lost its endpoints is related
        loc = f["location"]
        assert loc["object"] == f"Deployment default/web{i}" and loc["field"] == "spec.replicas"
        assert loc["line"] == _line(text, "replicas: 1", f"# Source: demo/templates/deploy{i}.yaml")
        assert loc["template"] == f"demo/templates/deploy{i}.yaml"
        (rel,) = f["related"]
        assert rel["object"] == f"Service default/web{i}" and rel["field"] == "spec.selector"
        assert rel["template"] == f"demo/templates/svc{i}.yaml"
        assert f["status"] == ("suppressed" if i < 2 else "active")
    assert rows["group Deployment default/web0, Service default/web0"]["suppression"]["kind"] == "inSource"
    assert rows["group Deployment default/web1, Service default/web1"]["suppression"]["justification"].startswith("a cache, downtime is fine")
    assert doc["counts"]["violated"] == 10 and doc["counts"]["suppressed"] == 2
    f2 = rows["group Deployment default/web2, Service default/web2"]
    assert f2["fix"] == "Deployment default/web2: set replicas >= 2 (its only pod is the Service's only endpoint when it fails)"
    # the JSON document reads back to the same report
    assert CheckReport.from_dict(doc).to_json() == js.stdout


@pytest.mark.xdist_group("findings-twelve")  # one worker makes the module fixture (two kubecheck runs) once
def test_twelve_in_sarif_two_services_two_alerts_at_their_templates(twelve) -> None:  # type: ignore[no-untyped-def]
    text, r, _ = twelve
    assert r.code == 1, r.stderr
    doc = json.loads((r.cwd / "out.sarif").read_text())
    _sarif_valid(doc)
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == 12
    prints = [res["partialFingerprints"]["kubecheckFinding/v2"] for res in results]
    assert sorted(prints) == sorted(f"KC-ROLL-004/pod-crash/Deployment/default/web{i}" for i in range(12))
    by = {res["partialFingerprints"]["kubecheckFinding/v2"]: res for res in results}
    r3 = by["KC-ROLL-004/pod-crash/Deployment/default/web3"]
    # stdin input: the alert is at the template helm rendered it from, never at "stdin"
    assert r3["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "demo/templates/deploy3.yaml"
    assert r3["properties"]["rendered"] == f"<stdin>:{_line(text, 'replicas: 1', '# Source: demo/templates/deploy3.yaml')}"
    (rel,) = r3["relatedLocations"]
    assert rel["physicalLocation"]["artifactLocation"]["uri"] == "demo/templates/svc3.yaml"
    assert rel["message"]["text"] == "Service default/web3 spec.selector"
    assert "suppressions" not in r3
    s0 = by["KC-ROLL-004/pod-crash/Deployment/default/web0"]["suppressions"]
    assert [s["kind"] for s in s0] == ["inSource"]
    assert s0[0]["justification"].startswith("single replica by design")
    assert s0[0]["location"]["physicalLocation"]["region"]["startLine"] == _line(text, "kubecheck.io/ignore", "name: web0")
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["help"]["text"].startswith("How to fix: " + CATALOGUE["KC-ROLL-004"].remediation)
    assert run["invocations"][0]["exitCode"] == 1


def test_helm_template_file_present_gives_the_line_in_the_template(tmp_path: Path) -> None:
    tpl = tmp_path / "demo" / "templates"
    tpl.mkdir(parents=True)
    (tpl / "svc0.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  selector:\n    app: x\n")
    r = run_console(["check", "-", *ARGS, "-f", "sarif", "--out", "t"], tmp_path, stdin=chart(1))
    (res,) = json.loads(r.stdout)["runs"][0]["results"]
    # the alert is at the Deployment's template (not present: no line there); the Service's selector,
    # whose template is present, is related at its line in the template
    rel = res["relatedLocations"][0]["physicalLocation"]
    assert rel["artifactLocation"]["uri"] == "demo/templates/svc0.yaml" and rel["region"]["startLine"] == 6


def test_helm_source_scans_to_the_document_start_only() -> None:
    text = "---\n# Source: a/templates/one.yaml\napiVersion: v1\nkind: List\nitems:\n  - kind: Service\n---\napiVersion: v1\n"
    assert helm_source("x", 3, {"x": text}) == "a/templates/one.yaml"
    assert helm_source("x", 6, {"x": text}) == "a/templates/one.yaml"  # an item of the List
    assert helm_source("x", 8, {"x": text}) == ""  # the next document has no Source comment


# ------------------------------------------------------------------------------ suppressions


def test_every_finding_suppressed_exits_0_and_says_so(tmp_path: Path) -> None:
    text = chart(2, {0: ("Deployment", "KC-ROLL-004: by design"), 1: ("Service", "KC-ROLL-004: by design")})
    r = run_console(["check", "-", *ARGS, "--out", "t"], tmp_path, stdin=text)
    assert r.code == 0, r.stdout + r.stderr
    assert r.stdout.count("SUPPRESSED  KC-ROLL-004") == 2
    assert "violated, suppressed (inSource): by design (kubecheck.io/ignore on Service default/web1)" in r.stdout
    assert "0 violated, 0 hold, 0 bounded, 0 error, 0 sampled, 2 suppressed" in r.stdout
    assert "exit 0: no violation counts toward the exit code" in r.stdout
    junit = ET.fromstring(run_console(["check", "-", *ARGS, "--out", "t", "-f", "junit"], tmp_path, stdin=text).stdout)
    skipped = junit.findall(".//testcase/skipped")
    assert [s.get("type") for s in skipped] == ["SUPPRESSED", "SUPPRESSED"]
    assert "verdict violated" in skipped[0].get("message", "") and junit.get("failures") == "0"


def test_annotation_for_another_rule_suppresses_nothing(tmp_path: Path) -> None:
    r = run_console(["check", "-", *ARGS, "--out", "t", "-f", "json"], tmp_path,
                    stdin=chart(1, {0: ("Deployment", "KC-ROLL-001: not this one")}))
    assert r.code == 1
    (f,) = json.loads(r.stdout)["findings"]
    assert f["status"] == "active" and f["suppression"] is None


@pytest.mark.parametrize("value, message", [
    ("KC-ROLL-004", "a reason is required after the rule IDs"),
    ("KC-ROLL-004:   ", "a reason is required after the rule IDs"),
    ("KC-ROLL-04: typo", "unknown rule ID 'KC-ROLL-04'"),
    (", KC-ROLL-004: x", "an empty rule ID"),
])
def test_bad_annotation_is_one_line_exit_2(tmp_path: Path, value: str, message: str) -> None:
    text = chart(1, {0: ("Deployment", value)})
    r = run_console(["check", "-", *ARGS, "--out", "t"], tmp_path, stdin=text)
    assert r.code == 2 and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"<stdin>:{_line(text, 'kubecheck.io/ignore', 'kind: Deployment')}: "
                           "metadata.annotations[kubecheck.io/ignore]: ")
    assert message in line


def test_exclude_flag_suppresses_as_external(tmp_path: Path) -> None:
    r = run_console(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-001,KC-ROLL-004", *FAST,
                     "--exclude", "KC-ROLL-004", "-f", "sarif", "--out", "t"], tmp_path)
    assert r.code == 0, r.stderr
    doc = json.loads(r.stdout)
    _sarif_valid(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "--exclude on the command line"}]
    bad = run_console(["check", str(VIOLATION), *ARGS, "--exclude", "KC-NOPE-1", "--out", "t"], tmp_path)
    assert bad.code == 2 and bad.stderr.startswith("kubecheck: --exclude: unknown rule ID 'KC-NOPE-1'")


# ----------------------------------------------------------------------------- configuration


def _repo(tmp_path: Path, config: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".kubecheck.yaml").write_text(config)
    sub = tmp_path / "deploy" / "sub"
    sub.mkdir(parents=True)
    return sub


def test_config_is_found_upward_and_its_exclude_is_external_with_its_line(tmp_path: Path) -> None:
    sub = _repo(tmp_path, "# team settings\nexclude:\n  - \"KC-ROLL-004: zero downtime is not promised here\"\n")
    (sub / "m.yaml").write_text(chart(1))
    r = run_console(["check", "m.yaml", *ARGS, "-f", "sarif", "--out", "t"], sub)
    assert r.code == 0, r.stderr
    (res,) = json.loads(r.stdout)["runs"][0]["results"]
    (sup,) = res["suppressions"]
    assert sup["kind"] == "external" and sup["justification"] == "zero downtime is not promised here"
    assert sup["location"]["physicalLocation"]["region"]["startLine"] == 3
    assert sup["location"]["physicalLocation"]["artifactLocation"]["uri"].endswith(".kubecheck.yaml")
    # the discovery stops at the repository root: a config above it is not read
    assert discover_config(sub) == (tmp_path / ".kubecheck.yaml").resolve()
    assert discover_config(tmp_path.parent) is None or discover_config(tmp_path.parent) != tmp_path / ".kubecheck.yaml"


def test_config_path_excludes_only_under_their_glob(tmp_path: Path) -> None:
    sub = _repo(tmp_path, "paths:\n  - path: vendor/*\n    exclude: [\"*: third-party chart\"]\n")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "v.yaml").write_text(chart(1).replace("web0", "vend"))
    (tmp_path / "own.yaml").write_text(chart(1))
    r = run_console(["check", str(tmp_path / "vendor"), str(tmp_path / "own.yaml"), *ARGS, "-f", "json", "--out", "t"], sub)
    assert r.code == 1, r.stderr
    rows = {f["objects"][0]: f for f in json.loads(r.stdout)["findings"]}
    assert rows["Deployment default/vend"]["status"] == "suppressed"
    assert rows["Deployment default/vend"]["suppression"]["justification"] == "third-party chart"
    assert rows["Deployment default/web0"]["status"] == "active"


def test_config_defaults_and_the_command_line_wins(tmp_path: Path) -> None:
    sub = _repo(tmp_path, "scenarios: [pod-crash]\nbounds: {max_states: 1234, timeout: 0}\n")
    (sub / "m.yaml").write_text(chart(1))
    r = run_console(["check", "m.yaml", "-p", "KC-ROLL-004", *FAST, "-f", "json", "--out", "t"], sub)
    doc = json.loads(r.stdout)
    assert [s["name"] for s in doc["scenarios"]] == ["pod-crash"]
    assert doc["bounds"]["max_states"] == 1234 and doc["bounds"]["timeout"] is None
    assert doc["config_file"].endswith(".kubecheck.yaml")
    r = run_console(["check", "m.yaml", "-s", "rollout", "-p", "KC-ROLL-004", "--max-states", "999", *FAST, "-f", "json",
                     "--out", "t"], sub)
    doc = json.loads(r.stdout)
    assert [s["name"] for s in doc["scenarios"]] == ["rollout"] and doc["bounds"]["max_states"] == 999


@pytest.mark.parametrize("config, where, message", [
    ("exclude: [KC-ROLL-004]\nscenario: [rollout]\n", "2: scenario", "unknown key scenario; allowed: exclude, severity"),
    ("severity:\n  KC-ROLL-004: fatal\n", "2: severity.KC-ROLL-004", "must be one of: error, warning, info"),
    ("severity:\n  KC-ROLL-04: info\n", "2: severity.KC-ROLL-04", "unknown rule ID 'KC-ROLL-04'"),
    ("exclude:\n  - KC-ROLL-004\n  - \"KC-RO-4: typo\"\n", "3: exclude[1]", "unknown rule ID 'KC-RO-4'"),
    ("scenarios: [rollout, quake]\n", "1: scenarios[1]", "unknown scenario 'quake'"),
    ("bounds:\n  max_memory: lots\n", "2: bounds.max_memory", "is not a memory size"),
    ("fail_on: warning\nfail_on: error\n", "2: fail_on", 'duplicate key "fail_on"'),
    ("paths:\n  - path: x/*\n", "2: paths[0]", "missing required key exclude"),
])
def test_bad_config_is_one_line_exit_2(tmp_path: Path, config: str, where: str, message: str) -> None:
    cfg = tmp_path / "conf.yaml"
    cfg.write_text(config)
    r = run_console(["check", str(VIOLATION), *ARGS, "--config", str(cfg), "--out", "t"], tmp_path)
    assert r.code == 2 and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"{cfg}:{where}: "), line
    assert message in line


def test_config_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(CONFIG_SCHEMA)


def test_parse_ignore() -> None:
    assert parse_ignore("KC-ROLL-004 , KC-ROLL-001: one replica: on purpose") == (("KC-ROLL-004", "KC-ROLL-001"), "one replica: on purpose")
    with pytest.raises(ValueError, match="a reason is required"):
        parse_ignore("KC-ROLL-004")


# -------------------------------------------------------------------------------- severities


def test_rules_declare_severities() -> None:
    assert CATALOGUE["KC-ROLL-003"].severity == "warning"
    assert CATALOGUE["KC-NODE-001"].severity == "info"  # platform behaviour, not a manifest defect
    # an HPA that flaps, or scales up on start-up usage, wastes capacity rather than breaking anything
    assert CATALOGUE["KC-HPA-002"].severity == CATALOGUE["KC-HPA-003"].severity == "warning"
    # upstream allows these; users rarely intend them (issue #19)
    assert CATALOGUE["KC-OWN-005"].severity == "warning" and CATALOGUE["KC-CONV-004"].severity == "warning"
    # a rollout is not an eviction: upstream does not promise the budget to rollouts (kubernetes#34776)
    assert CATALOGUE["KC-PDB-002"].severity == "warning"
    warned = ("KC-ROLL-003", "KC-NODE-001", "KC-HPA-002", "KC-HPA-003", "KC-OWN-005", "KC-CONV-004", "KC-PDB-002", "KC-STS-007")
    assert {r.severity for rid, r in CATALOGUE.items() if rid not in warned} == {"error"}
    assert all(r.remediation for r in CATALOGUE.values())


def test_severity_from_config_and_fail_on(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("severity: {KC-ROLL-004: warning}\n")
    base = ["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-004", *FAST, "--config", str(cfg), "--out", "t"]
    r = run_console(base, tmp_path)
    assert r.code == 0, r.stdout + r.stderr  # the verdict stays VIOLATED; a warning does not fail --fail-on error
    assert "VIOLATED  KC-ROLL-004" in r.stdout and "[warning]" in r.stdout
    assert "(1 violation(s) below --fail-on error: reported, not failing)" in r.stdout
    assert run_console(base + ["--fail-on", "warning"], tmp_path).code == 1
    doc = json.loads(run_console(base + ["-f", "sarif"], tmp_path).stdout)
    _sarif_valid(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["level"] == "warning"
    assert doc["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "warning"
    js = json.loads(run_console(base + ["-f", "json"], tmp_path).stdout)
    assert js["findings"][0]["severity"] == "warning" and js["findings"][0]["verdict"] == "violated" and js["exit_code"] == 0


def test_exit_code_counts_severity_and_suppression_only(violation_report) -> None:  # type: ignore[no-untyped-def]
    from kubecheck.runner import Suppression

    assert violation_report.exit_code == 1
    info = replace(violation_report, findings=tuple(replace(f, severity="info") for f in violation_report.findings))
    assert info.exit_code == 0 and replace(info, fail_on="info").exit_code == 1
    # a bounded search of a warning rule is still inconclusive: severities only demote violations
    bounded = replace(info, findings=info.findings + (replace(info.findings[0], verdict="holds_within_bounds", exit_code=3,
                                                               bound_hit="timeout", scenario="x"),))
    assert bounded.exit_code == 3
    sup = replace(violation_report, findings=tuple(replace(f, suppression=Suppression("external", "r")) for f in violation_report.findings))
    assert sup.exit_code == 0 and sup.counts()["suppressed"] == len(violation_report.findings)


def test_bounded_notifications_name_their_rule_with_associated_rule(violation_report) -> None:  # type: ignore[no-untyped-def]
    bounded = replace(violation_report, findings=tuple(
        replace(f, verdict="holds_within_bounds", exit_code=3, bound_hit="timeout", trace=None) for f in violation_report.findings))
    doc = json.loads(render(bounded, "sarif"))
    _sarif_valid(doc)
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes and all("descriptor" not in n for n in notes)
    assert all(ids[n["associatedRule"]["index"]] == n["associatedRule"]["id"] for n in notes)


def test_explain_shows_severity_and_fix() -> None:
    r = run_console(["explain", "KC-ROLL-003"], Path.cwd())
    assert r.code == 0
    assert "severity: warning" in r.stdout
    assert f"fix:      {CATALOGUE['KC-ROLL-003'].remediation}" in r.stdout


def test_html_report_shows_the_fix_and_the_suppression(violation_report) -> None:  # type: ignore[no-untyped-def]
    from kubecheck.report import render_report
    from kubecheck.runner import Suppression

    html = render_report(violation_report)
    (f,) = [f for f in violation_report.findings if f.verdict == "violated" and f.scenario == "rollout"]
    assert f.fix.startswith("Deployment default/api: set maxSurge: 1, maxUnavailable: 0")
    assert f"<strong>fix:</strong> {f.fix.replace('>', '&gt;')}" in html
    sup = replace(violation_report, findings=tuple(replace(x, suppression=Suppression("inSource", "by design")) for x in violation_report.findings))
    assert "<strong>suppressed</strong> (inSource): by design" in render_report(sup)


def test_a_whole_cluster_finding_belongs_to_no_arbitrary_object(tmp_path: Path) -> None:
    # Without decomposition, KC-OWN-001 is judged once for the whole cluster: it is located at an object
    # (somewhere to point at) but belongs to none, so no object's annotation accepts it.
    text = chart(1, {0: ("Service", "KC-OWN-001: not mine to accept")})
    r = run_console(["check", "-", "-s", "pod-crash", "-p", "KC-OWN-001,KC-ROLL-004", "--no-decompose", *FAST, "-f", "json",
                     "--out", "t"], tmp_path, stdin=text)
    rows = {f["rule_id"]: f for f in json.loads(r.stdout)["findings"]}
    assert rows["KC-OWN-001"]["objects"] == [] and rows["KC-OWN-001"]["status"] == "active"
    assert rows["KC-OWN-001"]["location"]["object"] == "Deployment default/web0"  # the loader's first location
    # KC-ROLL-004's counterexample names the Service; the finding belongs to it and to the workload it selects
    assert rows["KC-ROLL-004"]["objects"] == ["Service default/web0", "Deployment default/web0"]


@pytest.mark.xdist_group("findings-twelve")  # one worker makes the module fixture (two kubecheck runs) once
def test_html_report_lists_violations_first_grouped_by_object(twelve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import re as _re

    from kubecheck.report import render_report, review_order

    _, _, js = twelve
    report = CheckReport.from_dict(json.loads(js.stdout))
    # one more finding that holds, on an object of its own, listed first in the report
    holds = replace(report.findings[5], verdict="holds", exit_code=0, trace=None, suppression=None, target="Deployment default/zz",
                    location=replace(report.findings[5].location, object="Deployment default/zz"))
    report = replace(report, findings=(holds,) + report.findings)
    order = [f.location.object for f in review_order(report.findings)]
    # the ten active violations, then the two suppressed findings (web0, web1), then the holding one;
    # within each, the report's own order
    active = [f.location.object for f in report.findings if f.verdict == "violated" and f.suppression is None]
    assert sorted(active) == sorted(f"Deployment default/web{i}" for i in range(2, 12))
    assert order == active + sorted(["Deployment default/web0", "Deployment default/web1"],
                                    key=lambda o: [f.location.object for f in report.findings].index(o)) + ["Deployment default/zz"]
    html = render_report(report)
    heads = _re.findall(r"<tr class='object'><th colspan='7'>([^<]+)</th></tr>", html)
    assert heads == order


def test_a_kc_roll_001_after_a_kubectl_scale_gets_the_scale_fix_not_the_rollout_settings(tmp_path: Path) -> None:
    """Under -s scale (kubectl scale to replicas-1 and to replicas+1, in any order) KC-ROLL-001 is violated: the
    ReplicaSet controller deletes a pod for the scale-down after the user scaled up again.  No maxSurge or
    maxUnavailable value prevents that, so the finding's fix is the scale race's (properties.catalogue
    scale_race_fix), while the rollout scenario's violation keeps the rollout settings' remediation."""
    from properties.catalogue import SCALE_RACE_FIX, scale_race_fix

    m = tmp_path / "web.yaml"
    m.write_text(chart(1, replicas=2))
    r = run_console(["check", str(m), "-s", "scale", "-p", "KC-ROLL-001", *FAST, "-f", "json", "-o", "out.json"], tmp_path)
    assert r.code == 1, r.stdout + r.stderr
    (f,) = [f for f in json.loads((tmp_path / "out.json").read_text())["findings"] if f["verdict"] == "violated"]
    assert f["fix"] == SCALE_RACE_FIX
    assert any(step.startswith("1. user: user_scale_deployment") for step in f["trace"]["steps"]), f["trace"]["steps"]
    from model.state import ClusterState
    from properties.rules import FixStep

    def steps(*pairs: tuple[str, str]) -> tuple[FixStep, ...]:
        return tuple(FixStep(actor, label, ClusterState(), ClusterState()) for actor, label in pairs)

    assert scale_race_fix(steps(("user", "user_set_image"), ("replicaset/default/web0-x", "rs_delete_pod"))) == ""
    assert scale_race_fix(steps(("user", "user_scale_deployment"), ("replicaset/default/web0-x", "rs_delete_pod"))) == SCALE_RACE_FIX
    # a scale as the violating step itself is not judged (a user step), so only earlier scales count
    assert scale_race_fix(steps(("user", "user_scale_deployment"))) == ""


def test_a_finding_whose_fix_is_an_hpas_min_replicas_is_located_there(tmp_path: Path) -> None:
    # corpus cs-hpa-simple (review nit): KC-ROLL-004's fix names the HPA's minReplicas (it sets the replicas), so the
    # finding points at that line, not at the Deployment's spec
    m = tmp_path / "web.yaml"
    m.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n---\n"
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 3\n"
    )
    r = run_console(["check", str(m), "-s", "pod-crash", "-p", "KC-ROLL-004", "--nodes", "1", "--granularity", "reconcile",
                     "-f", "json", "-o", "out.json", "-q"], tmp_path)
    assert r.code == 1, r.stdout + r.stderr
    (f,) = [f for f in json.loads((tmp_path / "out.json").read_text())["findings"] if f["verdict"] == "violated"]
    assert "minReplicas >= 2 on HorizontalPodAutoscaler default/web" in f["fix"]
    assert (f["location"]["file"], f["location"]["line"]) == (str(m), 24), f["location"]  # minReplicas: 1
