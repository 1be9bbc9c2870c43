"""examples/incidents/: the public reports reproduced, with their expected verdicts.

kubernetes/kubernetes#66811: a 1-replica Deployment with a PDB ``minAvailable: 1`` can never be
drained (every eviction is refused with 429 and kubectl drain retries for ever); with 2 replicas
the drain completes.  Checked through ``kubecheck check ... -s drain`` as a user runs it.

kubernetes/kubernetes#72775, #84142, #90461: an HPA ratchets replicas up during a rollout with no
extra load when the rollout's not-Ready pods report start-up usage that counts (a memory metric);
on cpu upstream ignores those samples (hpa-rollout-ratchet-{memory,cpu}.yaml, the pair flips on
``resource.name``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import ROOT
from .test_check import invoke

INCIDENTS = ROOT / "examples" / "incidents"


def test_drain_never_completes_with_one_replica_and_min_available_1(tmp_path: Path) -> None:
    r, work = invoke(["check", str(INCIDENTS / "drain-1-replica-pdb.yaml"), "-s", "drain"], tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-DRAIN-001", r.stdout)
    assert re.search(r"HOLDS\s+KC-PDB-001\s+PodDisruptionBudget default/api", r.stdout)
    assert "lasso" in r.stdout and "user_drain_node" in r.stdout
    assert "(loops back to state 1 via drain/node-1: drain_evict_pod_refused)" in r.stdout
    trace = json.loads((work / "kubecheck-out" / "drain" / "kc-drain-001" / "trace.json").read_text())
    assert trace["loop_start"] is not None
    assert trace["loop_step"]["label"] == "drain_evict_pod_refused"  # the 429, again and again


def test_drain_completes_with_two_replicas(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(INCIDENTS / "drain-2-replicas-pdb.yaml"), "-s", "drain"], tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-DRAIN-001", r.stdout)
    assert re.search(r"HOLDS\s+KC-PDB-001", r.stdout)


def test_the_drain_rule_is_opt_in_outside_the_drain_scenarios(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(INCIDENTS / "drain-1-replica-pdb.yaml"), "-s", "pod-crash"], tmp_path)
    assert "KC-DRAIN-001" not in r.stdout


def test_scenario_file_drain_cordon_uncordon_actions(tmp_path: Path) -> None:
    from kubecheck.errors import InvalidScenario
    from kubecheck.scenarios import load_scenario_file
    from model.environment import CordonNode, DrainNode, UncordonNode
    from model.manifests import load_manifests
    from model.state import ClusterState
    from kubecheck.scenarios import with_nodes

    load = load_manifests([str(INCIDENTS / "drain-2-replicas-pdb.yaml")])
    cluster = ClusterState.from_objects(with_nodes(tuple(load.objects), 2)[0])
    f = tmp_path / "s.yaml"
    f.write_text("name: maint\nactions:\n  - cordon: {node: node-1}\n  - uncordon: {node: node-1}\n"
                 "  - drain: {node: node-2, force: true}\n    count: 2\n  - drain: {}\n", encoding="utf-8")
    spec = load_scenario_file(str(f), cluster=cluster)
    assert spec.user_actions == ((CordonNode("node-1"), 1), (UncordonNode("node-1"), 1), (DrainNode("node-2", True), 2), (DrainNode(), 1))
    f.write_text("name: maint\nactions:\n  - drain: {node: node-9}\n", encoding="utf-8")
    try:
        load_scenario_file(str(f), cluster=cluster)
    except InvalidScenario as exc:
        assert str(exc) == f'{f}:3: actions[0].drain.node: no Node "node-9" in the cluster; its nodes: node-1, node-2'
    else:
        raise AssertionError("a drain of a missing node must be refused")


def test_hpa_on_memory_ratchets_up_during_a_rollout_with_no_extra_load(tmp_path: Path) -> None:
    r, work = invoke(["check", str(INCIDENTS / "hpa-rollout-ratchet-memory.yaml"), "-s", "rollout", "-p", "KC-HPA-003",
                      "--max-states", "3000", "--fail-on", "warning"], tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-HPA-003\s+HorizontalPodAutoscaler default/web", r.stdout)
    assert "user_update_image_deployment" in r.stdout and "hpa_update_deployment" in r.stdout
    trace = json.loads((work / "kubecheck-out" / "rollout" / "kc-hpa-003-horizontalpodautoscaler-default-web" / "trace.json").read_text())
    assert trace["steps"][-1]["label"] == "hpa_update_deployment"


def test_hpa_on_cpu_ignores_the_rollouts_unready_pods(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(INCIDENTS / "hpa-rollout-ratchet-cpu.yaml"), "-s", "rollout", "--fail-on", "warning"], tmp_path)
    assert r.exit_code == 0, r.output
    for rid in ("KC-HPA-001", "KC-HPA-002", "KC-HPA-003"):
        assert re.search(rf"HOLDS\s+{rid}\s+HorizontalPodAutoscaler default/web", r.stdout), rid


def test_autoscale_scenario_holds_for_a_small_hpa(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(INCIDENTS / "hpa-autoscale.yaml"), "-s", "autoscale", "--nodes", "1", "--fail-on", "warning"], tmp_path)
    assert r.exit_code == 0, r.output
    assert "exhaustive" in r.stdout
    for rid in ("KC-HPA-001", "KC-HPA-002", "KC-HPA-003"):
        assert re.search(rf"HOLDS\s+{rid}\s+HorizontalPodAutoscaler default/web", r.stdout), rid


def test_a_user_scaling_an_autoscaled_deployment_fights_the_hpa(tmp_path: Path) -> None:
    """KC-HPA-001: kubectl scale (or an apply that resets replicas) outside [min, max]."""
    scenario = tmp_path / "scale.yaml"
    scenario.write_text("name: apply-replicas\nactions:\n- scale: {kind: Deployment, name: web, replicas: 5}\n")
    r, _ = invoke(["check", str(INCIDENTS / "hpa-autoscale.yaml"), "--scenario-file", str(scenario), "-p", "KC-HPA-001",
                   "--nodes", "1"], tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-HPA-001", r.stdout) and "user_scale_deployment" in r.stdout


def test_scenario_file_load_action_names_an_existing_hpa(tmp_path: Path) -> None:
    scenario = tmp_path / "load.yaml"
    scenario.write_text("name: spike\nactions:\n- load: {hpa: nope, percent: 200}\n")
    r, _ = invoke(["check", str(INCIDENTS / "hpa-autoscale.yaml"), "--scenario-file", str(scenario)], tmp_path)
    assert r.exit_code == 2
    assert f"{scenario}:3: actions[0].load.hpa: no HorizontalPodAutoscaler \"default/nope\" in the manifests" in r.output
    scenario.write_text("name: spike\nactions:\n- load: {hpa: web, percent: 200}\n")
    r, _ = invoke(["check", str(INCIDENTS / "hpa-autoscale.yaml"), "--scenario-file", str(scenario), "-p", "KC-HPA-003",
                   "--nodes", "1"], tmp_path)
    assert r.exit_code == 0, r.output
    assert "env_load_change" not in r.stdout  # holds: no trace printed
