"""``kubecheck check -s node-failure`` on two StatefulSets behind headless Services (1 and 3 replicas):
KC-CONV-003 is judged assuming the operator deletes the failed node, KC-NODE-001 (info) states the
platform behaviour, and a scenario file's ``operator: false`` judges without the operator."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import ROOT
from .test_check import invoke

EXAMPLE = ROOT / "examples" / "incidents" / "statefulset-node-failure.yaml"
SETS = ("StatefulSet default/cache", "StatefulSet default/db")


def _verdicts(doc: dict, rule_id: str) -> dict[str, tuple[str, str]]:
    return {f["target"]: (f["verdict"], f["severity"]) for f in doc["findings"] if f["rule_id"] == rule_id}


def _check(tmp_path: Path, *args: str) -> tuple[int, dict]:
    r, _ = invoke(["check", str(EXAMPLE), *args, "-q", "-f", "json"], tmp_path)
    return r.exit_code, json.loads(r.stdout)


def test_node_failure_judges_statefulset_convergence_assuming_the_operator_acts(tmp_path: Path) -> None:
    code, doc = _check(tmp_path, "-s", "node-failure")
    assert _verdicts(doc, "KC-CONV-003") == {t: ("holds", "error") for t in SETS}
    assert _verdicts(doc, "KC-NODE-001") == {t: ("violated", "info") for t in SETS}
    assert _verdicts(doc, "KC-STS-004") == {t: ("holds", "error") for t in SETS}  # deleting the node fences it
    (scenario,) = doc["scenarios"]
    assert scenario["user_actions"] == ["operator_delete_node(fair=True)"]
    assert "operator" in scenario["description"]
    # info findings are reported but do not fail the run (the example suppresses the cache's KC-ROLL-004)
    assert code == 0 and doc["exit_code"] == 0
    code, _ = _check(tmp_path, "-s", "node-failure", "--fail-on", "info")
    assert code == 1


def test_a_node_failure_trace_of_kc_node_001_ends_with_the_pod_stuck_terminating(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(EXAMPLE), "-s", "node-failure", "-p", "KC-NODE-001", "--nodes", "2"], tmp_path)
    assert r.exit_code == 0, r.output
    assert "[info]" in r.stdout and "nlc_delete_pod" in r.stdout
    assert "force-delete-stateful-set-pod" in r.stdout  # the fix points at the docs page


def _scenario(tmp_path: Path, body: str) -> str:
    f = tmp_path / "s.yaml"
    f.write_text(body)
    return str(f)


def test_operator_false_in_a_scenario_file_judges_convergence_without_the_operator(tmp_path: Path) -> None:
    off = _scenario(tmp_path, "name: lost-node\nfaults:\n  node_failure: 1\noperator: false\n")
    code, doc = _check(tmp_path, "--scenario-file", off)
    assert _verdicts(doc, "KC-CONV-003") == {t: ("violated", "error") for t in SETS}
    assert _verdicts(doc, "KC-NODE-001") == {t: ("violated", "info") for t in SETS}
    assert doc["scenarios"][0]["user_actions"] == []
    assert code == 1
    # without the key, a scenario file in which nodes may fail gets the operator, as the built-in does
    on = _scenario(tmp_path, "name: lost-node\nfaults:\n  node_failure: 1\n")
    code, doc = _check(tmp_path, "--scenario-file", on)
    assert _verdicts(doc, "KC-CONV-003") == {t: ("holds", "error") for t in SETS}
    assert doc["scenarios"][0]["user_actions"] == ["operator_delete_node(fair=True)"]
    assert code == 0


def test_a_bad_operator_value_is_one_line_with_file_line_field(tmp_path: Path) -> None:
    bad = _scenario(tmp_path, "name: lost-node\nfaults:\n  node_failure: 1\noperator: sometimes\n")
    r, _ = invoke(["check", str(EXAMPLE), "--scenario-file", bad, "-q"], tmp_path)
    assert r.exit_code == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"{bad}:4: operator: must be a boolean"), line


def test_only_the_node_failure_scenario_brings_the_operator() -> None:
    from kubecheck.scenarios import BUILTIN, builtin
    from model.manifests import load_manifests
    from model.state import ClusterState
    from kubecheck.scenarios import with_nodes

    objects, _ = with_nodes(tuple(load_manifests([str(EXAMPLE)]).objects), 2)
    cluster = ClusterState.from_objects(objects)
    assert {n: builtin(n, cluster).operator for n in BUILTIN if builtin(n, cluster).operator} == {"node-failure": 1}
    scenario = builtin("node-failure", cluster).to_scenario(cluster, "write")
    assert scenario.user_actions[-1][1] == 1 and scenario.user_actions[-1][0].fair
