"""Rule.vacuous: a cluster-wide rule with nothing to judge holds even when a bound cut the search
(KC-ROLL-004 with no Service in front of a workload, KC-PROBE-001 with no readiness probe)."""

from __future__ import annotations

from pathlib import Path

from kubecheck.output import render
from kubecheck.runner import CheckConfig, run_check
from model.environment import RelabelPods, RollbackDeployment, ScaleWorkload, SetImage
from model.manifests import load_manifests
from model.state import ClusterState
from model.undo import UndoRollout
from properties.catalogue import no_readiness_probe, no_recreate_deployment, no_rollback, no_served_service

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "web:1"PROBE}]}
"""
SERVICE = """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {SELECTOR}, ports: [{port: 80}]}
"""


def _cluster(tmp_path: Path, text: str) -> ClusterState:
    f = tmp_path / "m.yaml"
    f.write_text(text)
    load = load_manifests([str(f)])
    assert not load.errors, load.errors
    return ClusterState.from_objects(tuple(load.objects))


def test_no_served_service(tmp_path: Path) -> None:
    bare = DEPLOYMENT.replace("PROBE", "")
    inert = (SetImage("Deployment", "web", "web:2"), ScaleWorkload("Deployment", "web", 3), RelabelPods("default", {"app": "web"}, {"x": "y"}))
    assert "no Service selects" in no_served_service(_cluster(tmp_path, bare), inert)
    # a Service that selects nothing the rule counts (another app) leaves it vacuous
    assert no_served_service(_cluster(tmp_path, bare + SERVICE.replace("SELECTOR", "app: other")), ())
    # a Service in front of the Deployment: not vacuous
    assert no_served_service(_cluster(tmp_path, bare + SERVICE.replace("SELECTOR", "app: web")), ()) == ""
    # on pod-template-hash too: the ReplicaSet the rollout creates carries it (its value is not known in advance)
    assert no_served_service(_cluster(tmp_path, bare + SERVICE.replace("SELECTOR", "app: web, pod-template-hash: abc")), ()) == ""
    # an action that may create objects or change templates (kubectl apply, rollout undo): not decided here
    from model.environment import RollbackDeployment

    assert no_served_service(_cluster(tmp_path, bare), (RollbackDeployment("web"),)) == ""


def test_no_readiness_probe(tmp_path: Path) -> None:
    bare = DEPLOYMENT.replace("PROBE", "")
    probed = DEPLOYMENT.replace("PROBE", ", readinessProbe: {httpGet: {path: /, port: 80}}")
    assert no_readiness_probe(_cluster(tmp_path, bare), ()) == "no container has a readiness probe"
    assert no_readiness_probe(_cluster(tmp_path, probed), ()) == ""


def test_a_cut_search_still_decides_a_rule_with_nothing_to_judge(tmp_path: Path) -> None:
    m = tmp_path / "web.yaml"
    m.write_text(DEPLOYMENT.replace("PROBE", ""))
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-ROLL-004", "KC-PROBE-001", "KC-OWN-001"), nodes=1,
                      granularity="reconcile", max_states=30, out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    got = {f.rule_id: f for f in report.findings}
    assert got["KC-OWN-001"].verdict == "holds_within_bounds"  # it judges every pod: the cut stands
    for rid, why in (("KC-ROLL-004", "no Service selects"), ("KC-PROBE-001", "no container has a readiness probe")):
        f = got[rid]
        assert f.verdict == "holds" and f.note.startswith(f"holds in every state: {why}"), (rid, f.verdict, f.note)
        assert "nothing to judge" in f.reductions and f.bound_hit == "max_states"
    text = render(report, "text")
    assert "            holds in every state: no container has a readiness probe, and no user action of the scenario makes one" in text
    assert report.exit_code == 3  # KC-OWN-001 is still cut
    # with a Service in front and a readiness probe, both are judged and stay cut
    m.write_text(DEPLOYMENT.replace("PROBE", ", readinessProbe: {httpGet: {path: /, port: 80}}") + SERVICE.replace("SELECTOR", "app: web"))
    report = run_check(cfg, load_manifests([str(m)]))
    assert {f.rule_id: f.verdict for f in report.findings if f.rule_id != "KC-ROLL-004"} == {
        r: "holds_within_bounds" for r in ("KC-PROBE-001", "KC-OWN-001")}
    # KC-ROLL-004 is judged (not "nothing to judge"); its cut search is decided by the count model instead
    # (kubecheck.symbolic.check.decide_service_findings: the rollout keeps a pod available)
    (f,) = [f for f in report.findings if f.rule_id == "KC-ROLL-004"]
    assert f.verdict == "holds" and f.note.startswith("decided by the Z3 count model: Service default/web selects the pods of "
                                                      "Deployment default/web"), f.note
    assert "nothing to judge" not in f.reductions and "count-model proof" in f.reductions


def test_recreate_and_rollback_rules_have_nothing_to_judge_without_recreate_or_undo(tmp_path: Path) -> None:
    # KC-ROLL-005 judges only Recreate Deployments; KC-ROLL-006 only kubectl rollout undo steps
    c = _cluster(tmp_path, DEPLOYMENT.replace("PROBE", ""))
    inert = (SetImage("Deployment", "web", "web:2"), ScaleWorkload("Deployment", "web", 3))
    assert no_recreate_deployment(c, inert) == "no Deployment has strategy Recreate (the rule judges no other)"
    assert no_rollback(c, inert) == "it judges only kubectl rollout undo steps"
    recreate = _cluster(tmp_path, DEPLOYMENT.replace("PROBE", "").replace("  replicas: 2", "  replicas: 2\n  strategy: {type: Recreate}"))
    assert no_recreate_deployment(recreate, inert) == ""
    undo = (*inert, UndoRollout(RollbackDeployment("web")))
    assert no_rollback(c, undo) == "" and no_rollback(c, (RollbackDeployment("web"),)) == ""
    assert no_recreate_deployment(c, undo) == ""  # not inert: the rule is judged


def test_a_cut_rollout_decides_the_recreate_and_rollback_rules_unless_an_apply_may_make_one(tmp_path: Path) -> None:
    # review 15, T4, end to end: a cut search of a RollingUpdate rollout; KC-ROLL-005 and KC-ROLL-006 have nothing to judge
    m = tmp_path / "web.yaml"
    m.write_text(DEPLOYMENT.replace("PROBE", ""))
    rules = ("KC-ROLL-005", "KC-ROLL-006")
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=rules, nodes=1, granularity="reconcile", max_states=30,
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    got = {f.rule_id: f for f in report.findings}
    for rid, why in (("KC-ROLL-005", "no Deployment has strategy Recreate (the rule judges no other)"),
                     ("KC-ROLL-006", "it judges only kubectl rollout undo steps")):
        f = got[rid]
        assert f.verdict == "holds" and f.note.startswith(f"holds in every state: {why}, and no user action"), (rid, f.note)
        assert "nothing to judge" in f.reductions and f.bound_hit == "max_states"
    assert report.exit_code == 0
    # a scenario whose kubectl apply creates a Recreate Deployment: the rules judge what it makes, so the cut stands
    (tmp_path / "old.yaml").write_text(DEPLOYMENT.replace("PROBE", "").replace("name: web", "name: old")
                                       .replace("app: web", "app: old").replace("  replicas: 2", "  replicas: 2\n  strategy: {type: Recreate}"))
    s = tmp_path / "s.yaml"
    s.write_text("name: add\nactions:\n- set-image: {kind: Deployment, name: web, image: web:2}\n- apply: old.yaml\n")
    cfg = CheckConfig(scenarios=(), scenario_files=(str(s),), rule_ids=rules, nodes=1, granularity="reconcile", max_states=30,
                      out_dir=str(tmp_path / "out2"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    got = {f.rule_id: f for f in report.findings}
    for rid in rules:
        assert got[rid].verdict == "holds_within_bounds" and "nothing to judge" not in got[rid].reductions, (rid, got[rid].note)
    assert report.exit_code == 3
