"""Soundness of what `kubecheck check` claims: never "holds" for nothing, say where "exhaustive" starts,
check start-up, render SAMPLED and early stops honestly, Ctrl-C and 0 bounds mean what they say."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

import kubecheck.runner as runner
from kubecheck.cli import main
from kubecheck.output import render
from kubecheck.report import render_report
from kubecheck.runner import AFTER_CONVERGENCE, CheckConfig, CheckReport, Exploration, run_check
from model.manifests import load_manifests

from .conftest import FAST, ROOT, VIOLATION, run_console
from .test_check import invoke

REPLICASET = ROOT / "examples" / "replicaset.yaml"

USER_RULES = '''
from properties import rule

@rule("ACME-SCHED", "every pod is bound to a node", kind="invariant")
def every_pod_scheduled(cluster):
    return all(p.node_name for p in cluster.pods.values())

@rule("ACME-NOCREATE", "no step creates a pod", kind="action")
def no_pod_created(cluster, action, nxt):
    return len(nxt.pods) <= len(cluster.pods)
'''


# ------------------------------------------------------------------- 1. nothing checked is not "holds"


def test_a_rule_with_no_target_exits_2_naming_the_rule(tmp_path: Path) -> None:
    # Before: "0 violated, 0 hold ... exit 0: every property holds" (worst_verdict([]) is HOLDS).
    for fmt in ("text", "json", "junit", "sarif"):
        r, _ = invoke(["check", str(REPLICASET), "-p", "KC-CONV-003", "-f", fmt, *FAST], tmp_path)
        assert r.exit_code == 2, (fmt, r.output)
        assert r.stdout == "", "no verdict document for an empty check"
        assert r.stderr.strip() == (
            "kubecheck: nothing to check: KC-CONV-003 applies to StatefulSet; the manifests have none (nothing is claimed)"
        )


def test_scenario_file_with_an_unknown_rule_id_is_rejected_at_its_line(tmp_path: Path) -> None:
    f = tmp_path / "typo.yaml"
    f.write_text("name: typo\nfaults: {container_crash: 1}\nproperties:\n  - KC-ROLL-001\n  - KC-CONV-01\n", encoding="utf-8")
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "--scenario-file", str(f), *FAST], tmp_path)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    line = r.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f"{f}:5: properties[1]: unknown rule ID 'KC-CONV-01'; known: KC-CONV-001, KC-CONV-002, ")


def test_scenario_file_may_name_a_user_rule(tmp_path: Path) -> None:
    rules = tmp_path / "rules.py"
    rules.write_text(USER_RULES, encoding="utf-8")
    f = tmp_path / "mine.yaml"
    f.write_text("name: mine\nfaults: {container_crash: 1}\nproperties: [ACME-SCHED]\n", encoding="utf-8")
    cfg = CheckConfig(scenarios=(), scenario_files=(str(f),), rules_files=(str(rules),), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False, write_traces=False)
    report = run_check(cfg, load_manifests([str(VIOLATION)]))
    assert {(x.scenario, x.rule_id) for x in report.findings if x.scenario == "mine"} == {("mine", "ACME-SCHED")}


def test_a_scenario_whose_properties_have_no_target_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "sts.yaml"
    f.write_text("name: sts-only\nfaults: {container_crash: 1}\nproperties: [KC-CONV-003]\n", encoding="utf-8")
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "--scenario-file", str(f), *FAST], tmp_path)
    assert r.exit_code == 2, r.output
    assert "nothing to check in scenario 'sts-only'" in r.stderr
    assert "KC-CONV-003 applies to StatefulSet; the manifests have none" in r.stderr


def test_an_empty_report_is_an_error_in_every_format(violation_report: CheckReport) -> None:
    empty = replace(violation_report, findings=(), explorations=(), live={})
    assert empty.exit_code == 2 and empty.verdict == "error"
    text = render(empty, "text")
    assert "holds" not in text.split("\n")[-2] and "exit 2" in text
    assert json.loads(render(empty, "json"))["verdict"] == "error"
    assert json.loads(render(empty, "sarif"))["runs"][0]["invocations"][0]["exitCode"] == 2


# -------------------------------------------------------- 2a. "exhaustive" from ONE settled state


def test_every_output_says_exhaustive_from_the_settled_state(violation_report: CheckReport) -> None:
    r = violation_report
    assert r.start == "settled" and r.settle_steps > 0
    text = render(r, "text")
    assert f"settled in {r.settle_steps} step(s) by one deterministic start-up order" in text
    assert "exhaustive from the settled state" in text
    doc = json.loads(render(r, "json"))
    assert doc["start"] == "settled" and doc["settle_steps"] == r.settle_steps
    assert all(e["start"] == "settled" for e in doc["explorations"])
    suites = ET.fromstring(render(r, "junit")).findall("testsuite")
    assert suites
    for suite in suites:
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        assert props["start"] == "settled" and props["settle_steps"] == str(r.settle_steps)
        assert props["claim"].startswith("exhaustive from the settled state")
    sarif = json.loads(render(r, "sarif"))["runs"][0]["properties"]
    assert sarif["start"] == "settled" and sarif["settleSteps"] == r.settle_steps
    assert "exhaustive from the settled state" in sarif["claim"]
    page = render_report(r)
    assert "Every scenario is explored from one settled state" in page and "exhaustive from the settled state" in page


def test_a_complete_search_from_the_loaded_state_says_so() -> None:
    e = Exploration("settle", 1, False, (), 10, 12, 4, 0.1, True, None, "loaded")
    assert e.coverage == "exhaustive from the loaded manifests"


# ----------------------------------------------------------------- 2b. safety rules during start-up


def test_startup_violations_are_reported_with_the_settle_path_as_trace(tmp_path: Path) -> None:
    rules = tmp_path / "rules.py"
    rules.write_text(USER_RULES, encoding="utf-8")
    run = run_console(["check", str(VIOLATION), "-s", "pod-crash", "--rules", str(rules), "-p", "ACME-SCHED,ACME-NOCREATE",
                       *FAST, "-f", "json", "-o", "out.json"], tmp_path)
    assert run.code == 1, run.stderr
    assert re.search(r"VIOLATED\s+ACME-SCHED", run.stdout) and "scenario startup:" in run.stdout
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    startup = {f["rule_id"]: f for f in doc["findings"] if f["scenario"] == "startup"}
    assert set(startup) == {"ACME-SCHED", "ACME-NOCREATE"}
    # In the settled state every pod is bound and nothing creates pods: the scenario itself holds.
    assert {f["rule_id"]: f["verdict"] for f in doc["findings"] if f["scenario"] == "pod-crash"} == {
        "ACME-SCHED": "holds", "ACME-NOCREATE": "holds"}
    for rid, f in startup.items():
        assert f["verdict"] == "violated" and f["note"].startswith("start-up:")
        steps = f["trace"]["steps"]
        assert 0 < len(steps) < doc["settle_steps"], "the trace is a prefix of the settle path"
        assert "create" in steps[-1].lower(), steps[-1]  # the step that created the unbound pod
        replay = run_console(["replay", str(Path(f["trace"]["dir"]) / "trace.json")], tmp_path)
        assert replay.code == 0, replay.stderr
        assert "still violates " + rid in replay.stdout
    assert doc["startup_rules"] == ["ACME-SCHED", "ACME-NOCREATE"]


def test_rules_meaningless_before_the_first_convergence_are_not_judged_during_startup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-ROLL-004", "KC-OWN-001"), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path), progress=False, write_traces=False)
    report = run_check(cfg, load_manifests([str(VIOLATION)]))
    assert [f for f in report.findings if f.scenario == "startup"] == []
    assert report.startup_rules == ("KC-OWN-001",) and report.after_convergence == ("KC-ROLL-004",)
    assert {f.scenario for f in report.findings} == {"pod-crash"}
    assert "judged only after the first convergence: KC-ROLL-004" in render(report, "text")
    # Without the exclusion, KC-ROLL-004 is violated at the very first state (no pod is ready yet).
    monkeypatch.setattr(runner, "AFTER_CONVERGENCE", {})
    naive = run_check(cfg, load_manifests([str(VIOLATION)]))
    bad = [f for f in naive.findings if f.scenario == "startup"]
    assert [(f.rule_id, f.verdict, len(f.trace.steps)) for f in bad] == [("KC-ROLL-004", "violated", 0)]


def test_the_after_convergence_list_names_catalogue_rules_only() -> None:
    from properties import CATALOGUE

    assert set(AFTER_CONVERGENCE) <= set(CATALOGUE)
    assert all(CATALOGUE[r].category == "rollout" for r in AFTER_CONVERGENCE)


# --------------------------------------------------------------------- 3. SAMPLED is not a pass


def _as_sampled(report: CheckReport) -> CheckReport:
    return replace(report, findings=tuple(replace(f, verdict="sampled", exit_code=4, note="no violation in 3 random run(s)")
                                          for f in report.findings), live={})


def test_junit_renders_sampled_as_skipped(violation_report: CheckReport) -> None:
    root = ET.fromstring(render(_as_sampled(violation_report), "junit"))
    cases = root.findall(".//testcase")
    assert cases and all(c.find("skipped") is not None for c in cases)
    assert all(c.find("skipped").get("message").startswith("sampled: no coverage guarantee") for c in cases)
    assert root.get("skipped") == str(len(cases)) and root.get("failures") == "0"


def test_sarif_renders_sampled_as_a_note(violation_report: CheckReport) -> None:
    run = json.loads(render(_as_sampled(violation_report), "sarif"))["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == len(violation_report.findings) and {n["level"] for n in notes} == {"note"}
    assert run["results"] == [] and run["invocations"][0]["exitCode"] == 4


# ------------------------------------------------------------------- 4. stopped early is not exhaustive


def test_a_search_stopped_early_is_not_printed_as_exhaustive(tmp_path: Path) -> None:
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-ROLL-004",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path), progress=False)
    report = run_check(cfg, load_manifests([str(VIOLATION)]))
    (e,) = report.explorations
    assert not e.complete and e.bound_hit is None
    assert e.coverage == "stopped early: every property decided"
    text = render(report, "text")
    assert "stopped early: every property decided" in text and "exhaustive" not in text.split("scenario rollout")[1]
    assert "stopped early: every property decided" in render_report(report)
    # It cannot hide a HOLDS: every property of an early-stopped search is decided otherwise.
    assert all(f.verdict != "holds" for f in report.findings if f.scenario == e.scenario)


# ----------------------------------------------------------------------------- 5. Ctrl-C means nothing


def test_ctrl_c_outside_a_search_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "settle", interrupted)
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST], tmp_path)
    assert r.exit_code == 3 and "interrupted: nothing is claimed" in r.stderr
    with pytest.raises(SystemExit) as exc:
        main(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST, "--out", str(tmp_path / "o")])
    assert exc.value.code == 3
    assert "kubecheck: interrupted: nothing is claimed" in capsys.readouterr().err


def test_main_keeps_click_usage_errors_at_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--no-such-option"])
    assert exc.value.code == 2 and "No such option" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0


# ------------------------------------------------------------------------- 6. bounds and inputs


def test_random_engine_refuses_max_depth_0_instead_of_running_50_steps(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", "--engine", "random", "--max-depth", "0", *FAST],
                  tmp_path)
    assert r.exit_code == 2, r.output
    assert "max_depth=0 leaves a random run no step to take" in r.stderr
    assert runner._random_steps({"max_depth": None}) == 50 and runner._random_steps({"max_depth": 7}) == 7
    f = tmp_path / "zero.yaml"
    f.write_text("name: zero\nfaults: {container_crash: 1}\nbounds: {max_depth: 0}\n", encoding="utf-8")
    r, _ = invoke(["check", str(VIOLATION), "--scenario-file", str(f), "-p", "KC-OWN-001", "--engine", "random", *FAST], tmp_path)
    assert r.exit_code == 2 and "max_depth=0" in r.stderr


def test_explicit_max_depth_0_explores_the_settled_state_alone(tmp_path: Path) -> None:
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-OWN-001",), max_depth=0, nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path), progress=False)
    report = run_check(cfg, load_manifests([str(VIOLATION)]))
    (e,) = report.explorations
    assert e.max_depth == 0 and e.bound_hit == "max_depth" and report.exit_code == 3


@pytest.mark.parametrize("text", [
    "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n",
    "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n",
], ids=["service-only", "node-only"])
def test_manifests_without_a_workload_exit_2(text: str, tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_text(text, encoding="utf-8")
    r, _ = invoke(["check", str(f), *FAST], tmp_path)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr.strip() == f"kubecheck: no workload (Deployment, StatefulSet, ReplicaSet, ReplicationController, DaemonSet) in {f}: nothing to check"


def test_a_workload_skipped_beside_a_service_is_named_with_its_line_and_reason(tmp_path: Path) -> None:
    # found on jaegertracing/jaeger-kubernetes (corpus, session 17): a Service loads, the Deployments beside it use
    # removed apiVersions; "no workload" alone named neither the file's line nor why (the same Deployment alone did)
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n"
    old = ("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  replicas: 2\n  template:\n"
           "    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n")
    f = tmp_path / "m.yaml"
    f.write_text(service + "---\n" + old % "web" + "---\n" + old % "api", encoding="utf-8")
    for command in ("check", "selectors"):
        r, _ = invoke([command, str(f), *(FAST if command == "check" else ())], tmp_path)
        assert r.exit_code == 2, r.output
        (line,) = r.stderr.strip().splitlines()
        assert line == (f"kubecheck: no workload (Deployment, StatefulSet, ReplicaSet, ReplicationController, DaemonSet) in {f}: "
                        f"nothing to check; {f}:8: skipped Deployment web: apiVersion extensions/v1beta1 was removed in "
                        "Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1 (and 1 more skipped workload)"), line


# ----------------------------------------------- 6d. the random engine's settle phase agrees with the explorer


def test_random_settle_stays_where_only_unfair_actions_are_enabled() -> None:
    from kubecheck.core.explorer import explore
    from kubecheck.core.random import run_random
    from kubecheck.core.properties import eventually_always
    from kubecheck.core.verdict import Verdict
    from tests.explorer.systems import Graph

    # 0 has only an unfair step (a fault, a user action) to 1.  Weak fairness does not oblige it: a run
    # may stay at 0 forever, where the property fails.  Both engines must say VIOLATED.
    g = Graph([0], {0: [("env", "go", False, None, 1)], 1: []})
    prop = [eventually_always("AT1", "ends at 1", lambda s: s == 1)]
    exhaustive = explore(g, prop).results[0]
    sampled = run_random(g, prop, examples=10, max_steps=1, seed=0).results[0]
    assert exhaustive.verdict is Verdict.VIOLATED
    assert sampled.verdict is Verdict.VIOLATED and "no weakly fair action is enabled" in sampled.note
    assert sampled.trace.states() == (0,) and sampled.trace.loop_start == 0 and sampled.trace.loop_step is None
