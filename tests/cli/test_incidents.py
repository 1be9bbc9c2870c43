"""examples/incidents/: the public reports reproduced, with their expected verdicts.

kubernetes/kubernetes#66811: a 1-replica Deployment with a PDB ``minAvailable: 1`` can never be
drained (every eviction is refused with 429 and kubectl drain retries for ever); with 2 replicas
the drain completes.  Checked through ``kubecheck check ... -s drain`` as a user runs it.
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
    from kubecheck.core.errors import InvalidScenario
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
