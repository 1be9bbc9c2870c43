"""Version-dependent behaviour (``model.versions``, ``Scenario.kubernetes_version``; issue #20 item 6).

One test per version boundary: DeploymentReplicaSetTerminatingReplicas (1.34 off / 1.35 on, written
only with ``Scenario.terminating_replicas``), MaxUnavailableStatefulSet (1.36 off / 1.37 on), the
alpha DeploymentPodReplacementPolicy (off everywhere), and the kubelet's terminal phase
(``Scenario.kubelet_terminal_phase``, every modelled version)."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

import pytest

from model.api import Delete
from model.environment import ScaleWorkload, SetImage
from model.kubelet import kubelet_step, terminal_phase_of_killed_pod
from model.objects import StatefulSetUpdateStrategy
from model.statefulset import StatefulSetGates, sync_stateful_set
from model.system import KubeSystem, Scenario, SystemState, _versioned_sync
from model.registry import CONTROLLERS
from model.versions import FEATURE_GATES, SUPPORTED_VERSIONS, feature_gate
from tests.model.builders_runtime import cluster, deployment, node, rc, rs, reachable_states, settle_first_fair, statefulset_db

_SPECS = {s.name: s for s in CONTROLLERS}


def _states(system: KubeSystem, limit: int = 50_000) -> Iterator[SystemState]:
    return reachable_states(system, limit)


def _labels(system: KubeSystem) -> set[str]:
    out: set[str] = set()
    for s in _states(system):
        out.update(a.label for a, _ in system.successors(s))
    return out


# ------------------------------------------------------------------------------ the gate table


@pytest.mark.parametrize(("gate", "before", "after", "expected"), [
    ("DeploymentReplicaSetTerminatingReplicas", "1.34", "1.35", (False, True)),  # KEP-3973 beta, default on
    ("DeploymentReplicaSetTerminatingReplicas", "1.32", "1.33", (False, False)),  # alpha 1.33: off
    ("MaxUnavailableStatefulSet", "1.36", "1.37", (False, True)),  # #139466: on again in 1.37
    ("MaxUnavailableStatefulSet", "1.34", "1.35", (False, False)),  # 1.35.4+: turned off (#137926)
    ("MatchLabelKeysInPodAffinity", "1.30", "1.31", (False, True)),  # KEP-3633 beta, default on
    ("MatchLabelKeysInPodAffinity", "1.28", "1.29", (False, False)),  # alpha 1.29: off
    ("MatchLabelKeysInPodTopologySpreadSelectorMerge", "1.33", "1.34", (False, True)),  # #129874, beta on
    ("MatchLabelKeysInPodTopologySpread", "1.28", "1.37", (True, True)),  # beta on since 1.27: every modelled version
])  # fmt: skip
def test_feature_gate_boundaries(gate: str, before: str, after: str, expected: tuple[bool, bool]) -> None:
    assert (feature_gate(before, gate), feature_gate(after, gate)) == expected


def test_pod_replacement_policy_is_alpha_in_every_modelled_version() -> None:
    assert not any(feature_gate(v, "DeploymentPodReplacementPolicy") for v in SUPPORTED_VERSIONS)
    assert set(FEATURE_GATES) == {"DeploymentReplicaSetTerminatingReplicas", "DeploymentPodReplacementPolicy",
                                  "MaxUnavailableStatefulSet", "MatchLabelKeysInPodAffinity", "MatchLabelKeysInPodTopologySpread",
                                  "MatchLabelKeysInPodTopologySpreadSelectorMerge"}


def test_default_version_runs_the_plain_syncs() -> None:
    """The default scenario (1.36, no opt-in) binds no switch: the very functions the golden counts
    were recorded with."""
    scenario = Scenario(cluster(node()))
    for name in ("replicaset", "deployment", "statefulset", "replication"):
        assert _versioned_sync(_SPECS[name], scenario) is _SPECS[name].sync


# ------------------------------------------------------------------------ terminatingReplicas


def _scale_down(version: str, *, track: bool, workload: str = "rs") -> KubeSystem:
    obj = rs(replicas=2) if workload == "rs" else rc(replicas=2)
    kind = "ReplicaSet" if workload == "rs" else "ReplicationController"
    base = Scenario(cluster(node(), obj), name="terminating")
    start = settle_first_fair(base)
    return KubeSystem(replace(base, initial=start, kubernetes_version=version, terminating_replicas=track,
                              user_actions=(ScaleWorkload(kind, obj.name, 1),)))


def _terminating_values(system: KubeSystem, kind: str) -> set[int | None]:
    return {o.status.terminating_replicas for s in _states(system) for o in s.cluster.objects(kind)}


@pytest.mark.parametrize(("version", "expected"), [("1.34", {None}), ("1.35", {0, 1})])
def test_replica_set_terminating_replicas_by_version(version: str, expected: set[int | None]) -> None:
    """KEP-3973 (kubernetes/kubernetes#128546, #131088): from 1.35 a scale-down 2 -> 1 shows the deleted
    pod as terminatingReplicas 1 until the kubelet removes it; in 1.34 the field stays nil."""
    got = _terminating_values(_scale_down(version, track=True), "ReplicaSet")
    assert expected <= got and (got == {None}) == (expected == {None})


def test_terminating_replicas_left_out_without_the_opt_in() -> None:
    """Without ``Scenario.terminating_replicas`` the field is left out in every version, and the space
    is the one of 1.34 (where the gate is off)."""
    on = _scale_down("1.36", track=False)
    assert _terminating_values(on, "ReplicaSet") == {None}
    assert sum(1 for _ in _states(on)) == sum(1 for _ in _states(_scale_down("1.34", track=True)))
    assert sum(1 for _ in _states(_scale_down("1.35", track=True))) > sum(1 for _ in _states(on))


def test_replication_controller_never_writes_terminating_replicas() -> None:
    """kubernetes/kubernetes#131821: EnableStatusTerminatingReplicas is false for the RC."""
    assert _terminating_values(_scale_down("1.35", track=True, workload="rc"), "ReplicationController") == {None}


@pytest.mark.parametrize(("version", "tracked"), [("1.34", False), ("1.35", True)])
def test_deployment_terminating_replicas_by_version(version: str, tracked: bool) -> None:
    """sync.go calculateStatus: status.terminatingReplicas = GetTerminatingReplicaCountForReplicaSets under
    the gate (a rollout's scaled-down old pods show up while they terminate)."""
    base = Scenario(cluster(node(), deployment(replicas=1, surge=1, unavailable=0)), name="d-terminating")
    start = settle_first_fair(base)
    system = KubeSystem(replace(base, initial=start, kubernetes_version=version, terminating_replicas=True,
                                user_actions=(SetImage("Deployment", "web", "nginx:2"),)))
    values = {d.status.terminating_replicas for s in _states(system) for d in s.cluster.objects("Deployment")}
    if tracked:
        assert 1 in values and 0 in values
    else:
        assert values == {None}


# -------------------------------------------------------------------- StatefulSet maxUnavailable


@pytest.mark.parametrize(("version", "deleted"), [("1.36", 1), ("1.37", 2)])
def test_stateful_set_max_unavailable_by_version(version: str, deleted: int) -> None:
    """KEP-961: with maxUnavailable 2 a rolling update of a Parallel StatefulSet deletes two old pods in
    one reconcile from 1.37 (#139466), one at a time in 1.36 (gate off since #137904)."""
    sts = replace(statefulset_db(3), pod_management_policy="Parallel",
                  update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", max_unavailable=2))
    base = Scenario(cluster(node(), sts), name="sts-mu")
    start = settle_first_fair(base)
    assert len(start.pods) == 3
    edited = start.put(replace(start.get("StatefulSet", "default", "db"),
                               template=replace(sts.template, containers=(replace(sts.template.containers[0], image="nginx:2"),)),
                               generation=2))
    sync = _versioned_sync(_SPECS["statefulset"], Scenario(cluster(node()), kubernetes_version=version))
    writes = sync(edited, ("default", "db"))
    assert sum(1 for w in writes if isinstance(w, Delete) and w.kind == "Pod") == deleted
    gated = sync_stateful_set(edited, ("default", "db"), StatefulSetGates(max_unavailable_stateful_set=deleted == 2))
    assert writes == gated


# ------------------------------------------------------------------------ kubelet terminal phase


def test_kubelet_writes_terminal_phase_between_kill_and_delete() -> None:
    """kubernetes/kubernetes#115331 (1.27): kill, then the terminal phase (Failed: the killed containers
    exited non-zero), then the grace-0 delete; without the opt-in the phase stays Running."""
    base = Scenario(cluster(node(), rs(replicas=1)), name="tp")
    start = settle_first_fair(base)
    (key,) = start.pods.keys()
    pod = start.pods[key]
    c = start.put(replace(pod, deletion_timestamp=1, deletion_grace_period_seconds=30))
    labels = []
    for terminal in (False, True):
        cur, seq = c, []
        for _ in range(4):
            st = kubelet_step(cur, key, terminal_phase=terminal)
            if st is None:
                break
            seq.append(st.label)
            if st.label == "kubelet_delete_pod":
                break
            cur = cur.put(st.writes[0].obj)
            if st.label == "kubelet_terminal_phase":
                assert cur.pods[key].phase == "Failed" == terminal_phase_of_killed_pod(cur.pods[key])
        labels.append(seq)
    assert labels == [["kubelet_kill_pod", "kubelet_delete_pod"],
                      ["kubelet_kill_pod", "kubelet_terminal_phase", "kubelet_delete_pod"]]


def test_kubelet_terminal_phase_in_the_system_only_with_the_opt_in() -> None:
    base = Scenario(cluster(node(), rs(replicas=2)), name="tp-system")
    start = settle_first_fair(base)
    for flag in (False, True):
        system = KubeSystem(replace(base, initial=start, kubelet_terminal_phase=flag,
                                    user_actions=(ScaleWorkload("ReplicaSet", "web", 1),)))
        failed = any(p.phase == "Failed" and p.deletion_timestamp is not None for s in _states(system) for p in s.cluster.pods.values())
        assert failed == flag
        assert ("kubelet_terminal_phase" in _labels(system)) == flag
