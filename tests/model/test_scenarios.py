"""Scenarios driven through the transition system (model.system), step by step or exhaustively."""

from __future__ import annotations

import collections
from collections.abc import Callable

import pytest

from kubecheck.core.ts import Action
from model.environment import FaultBudget, RelabelPods, ScaleWorkload, SetImage
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import PersistentVolumeClaimTemplate, StatefulSet
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, deployment, node, rc, rs, running_pod, template

Policy = Callable[[Action], bool]


def _settle(system: KubeSystem, s: SystemState, log: list[tuple[Action, SystemState]] | None = None, prefer: Policy | None = None) -> SystemState:
    """Take fair actions (the first one, or the first ``prefer`` accepts) until none is enabled."""
    for _ in range(500):
        fair = [(a, n) for a, n in system.successors(s) if a.fair]
        if not fair:
            return s
        chosen = next(((a, n) for a, n in fair if prefer is not None and prefer(a)), fair[0])
        if log is not None:
            log.append(chosen)
        s = chosen[1]
    raise AssertionError("did not settle")


def _take(system: KubeSystem, s: SystemState, label: str, detail: object = None) -> SystemState:
    for a, n in system.successors(s):
        if a.label == label and (detail is None or detail in (a.data if isinstance(a.data, tuple) else (a.data,))):
            return n
    raise AssertionError(f"{label} {detail} not enabled; enabled: {[(a.label, a.data) for a in system.actions(s)]}")


def _reachable(system: KubeSystem, start: SystemState) -> set[SystemState]:
    seen = {start}
    queue = collections.deque([start])
    while queue:
        u = queue.popleft()
        for _, v in system.successors(u):
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return seen


def _active(s: SystemState) -> list:
    return [p for p in s.cluster.pods.values() if p.deletion_timestamp is None]


# ----------------------------------------------------------------- Deployment rollout


@pytest.mark.slow
def test_deployment_rolls_v1_to_v2_with_max_surge_1_max_unavailable_0() -> None:
    """3 replicas, maxSurge=1, maxUnavailable=0, every interleaving of the rollout (13 109 states).

    Ready non-terminating pods never drop below 3 and the ReplicaSets' spec replicas never add up
    to more than 4.  Live pods can reach 5: maxSurge bounds the sum of RS *spec* replicas
    (NewRSNewReplicas), so the new RS may create its next pod while the old RS has been scaled
    down in spec but has not yet deleted its pod (docs/semantics.md#runtime, "Rollout").
    """
    system = KubeSystem(
        Scenario(cluster(node(), deployment(replicas=3, surge=1, unavailable=0)), user_actions=(SetImage("Deployment", "web", "nginx:2"),))
    )
    v1 = _settle(system, system.init_states()[0])
    assert [p.spec_containers[0].image for p in v1.cluster.pods.values()] == ["nginx:1"] * 3
    states = _reachable(system, v1)
    assert len(states) == 13109
    assert min(sum(1 for p in _active(s) if p.conditions.ready) for s in states) == 3
    assert max(sum(r.replicas for r in s.cluster.replica_sets.values()) for s in states) == 4
    assert max(len(_active(s)) for s in states) == 5
    finals = [s for s in states if s.user_budget == (0,) and not any(a.fair for a in system.actions(s))]
    assert finals and all(
        sorted(p.spec_containers[0].image for p in s.cluster.pods.values()) == ["nginx:2"] * 3 for s in finals
    )


def test_deployment_rollout_step_by_step_never_exceeds_four_pods_when_old_pods_go_first() -> None:
    system = KubeSystem(
        Scenario(cluster(node(), deployment(replicas=3, surge=1, unavailable=0)), user_actions=(SetImage("Deployment", "web", "nginx:2"),))
    )
    s = _take(system, _settle(system, system.init_states()[0]), "user_update_image_deployment")
    log: list[tuple[Action, SystemState]] = []
    # a fair schedule that lets the old ReplicaSet delete before the deployment scales up again
    s = _settle(system, s, log, prefer=lambda a: a.label in ("rs_delete_pod", "kubelet_kill_pod", "kubelet_delete_pod"))
    labels = [a.label for a, _ in log]
    # the new RS is created with 1 replica (the surge), then scaled up twice; the old one down three times
    assert labels[0] == "dc_create_rs"
    assert labels.count("dc_scale_up_new_rs") == 2 and labels.count("dc_scale_down_old_rs") == 3
    for _, st in log:
        assert len(_active(st)) <= 4
        assert sum(1 for p in _active(st) if p.conditions.ready) >= 3
    assert sorted(p.spec_containers[0].image for p in s.cluster.pods.values()) == ["nginx:2"] * 3


# ---------------------------------------------------------------- StatefulSet scaling


def _stateful_set(replicas: int = 0) -> StatefulSet:
    sel = FrozenMap(app="db")
    return StatefulSet(
        name="db",
        replicas=replicas,
        selector=LabelSelector(match_labels=sel),
        template=template(app="db"),
        service_name="db",
        volume_claim_templates=(PersistentVolumeClaimTemplate(name="data"),),
    )


def test_statefulset_scales_0_to_3_to_1_in_order_with_its_pvcs() -> None:
    system = KubeSystem(
        Scenario(
            cluster(node(), _stateful_set(0)),
            user_actions=(ScaleWorkload("StatefulSet", "db", 3), ScaleWorkload("StatefulSet", "db", 1)),
        )
    )
    s = _settle(system, system.init_states()[0])
    assert not s.cluster.pods
    log: list[tuple[Action, SystemState]] = []
    start = _take(system, s, "user_scale_statefulset", "db=3")
    s = _settle(system, start, log)
    befores = [start] + [st for _, st in log[:-1]]
    created = [
        name
        for (a, st), before in zip(log, befores)
        if a.label == "ssc_create_pod"
        for (_, name) in sorted(set(st.cluster.pods) - set(before.cluster.pods))
    ]
    assert created == ["db-0", "db-1", "db-2"]
    # OrderedReady: each pod is created only once its predecessor is Ready
    for a, st in log:
        if a.label == "ssc_create_pod":
            newest = max(st.cluster.pods.values(), key=lambda p: p.creation_index)
            ordinal = int(newest.name.rsplit("-", 1)[1])
            assert all(st.cluster.get("Pod", "default", f"db-{i}").conditions.ready for i in range(ordinal))
    assert sorted(k[1] for k in s.cluster.persistent_volume_claims) == ["data-db-0", "data-db-1", "data-db-2"]
    assert s.cluster.get("Pod", "default", "db-1").claim_names() == ("data-db-1",)

    log = []
    s = _settle(system, _take(system, s, "user_scale_statefulset", "db=1"), log)
    deleted = [a.data[1] for a, _ in log if a.label == "kubelet_delete_pod"]
    assert deleted == ["db-2", "db-1"]
    # the scale-down waits: db-1 is deleted only after db-2 is gone
    first_db1_delete = next(i for i, (a, st) in enumerate(log) if a.label == "ssc_delete_pod" and st.cluster.get("Pod", "default", "db-1").deletion_timestamp)
    assert log[first_db1_delete][1].cluster.get("Pod", "default", "db-2") is None
    assert sorted(k[1] for k in s.cluster.pods) == ["db-0"]
    assert len(s.cluster.persistent_volume_claims) == 3  # whenScaled: Retain


# ------------------------------------------------------------ ReplicaSet ownership


def test_replicaset_adopts_an_orphan_and_releases_a_relabelled_pod() -> None:
    orphan = running_pod("orphan", app="web")
    system = KubeSystem(
        Scenario(
            cluster(node(), orphan, rs(replicas=2)),
            user_actions=(RelabelPods(FrozenMap(app="web"), FrozenMap(app="other")),),
        )
    )
    log: list[tuple[Action, SystemState]] = []
    s = _settle(system, system.init_states()[0], log)
    assert log[0][0].label == "rs_adopt_pod"
    owner = s.cluster.get("ReplicaSet", "default", "web")
    assert s.cluster.get("Pod", "default", "orphan").controller_ref().uid == owner.uid
    assert len(s.cluster.pods) == 2  # the orphan counts: only one pod created

    log = []
    s = _settle(system, _take(system, s, "user_relabel_pod", "orphan"), log)
    assert [a.label for a, _ in log][:2] == ["rs_release_pod", "rs_create_pod"]
    assert s.cluster.get("Pod", "default", "orphan").owner_references == ()
    assert sum(1 for p in s.cluster.pods.values() if p.controller_ref() is not None and p.controller_ref().uid == owner.uid) == 2


def test_rc_and_replicaset_with_overlapping_selectors_never_steal_pods() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs("web", replicas=1, app="web"), rc("legacy", replicas=1, app="web"))))
    states = _reachable(system, system.init_states()[0])
    owners = {"ReplicaSet": set(), "ReplicationController": set()}
    for s in states:
        for a in system.actions(s):
            assert not a.label.endswith(("_adopt_pod", "_release_pod")), a
        for p in s.cluster.pods.values():
            ref = p.controller_ref()
            assert ref is not None
            owners[ref.kind].add(p.name.rsplit("-", 1)[0])
    assert owners == {"ReplicaSet": {"web"}, "ReplicationController": {"legacy"}}
    finals = [s for s in states if not system.actions(s)]
    # the final states differ only in which pod got which IP and creation slot
    assert finals and all(
        sorted(p.controller_ref().kind for p in f.cluster.pods.values() if p.conditions.ready)
        == ["ReplicaSet", "ReplicationController"]
        for f in finals
    )
    assert all(len(f.cluster.pods) == 2 for f in finals)


# --------------------------------------------------------------------------- sandbox


def test_a_dead_sandbox_comes_back_with_a_new_ip_and_restarted_containers() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2)), faults=FaultBudget(sandbox_death=1)))
    s = _settle(system, system.init_states()[0])
    before = s.cluster.get("Pod", "default", "web-1")
    other_ip = s.cluster.get("Pod", "default", "web-2").sandbox.ip
    log: list[tuple[Action, SystemState]] = []
    s = _settle(system, _take(system, s, "fault_kill_sandbox", "web-1"), log)
    assert [a.label for a, _ in log if a.actor.startswith("kubelet")] == [
        "kubelet_update_status",
        "kubelet_start_sandbox",
        "kubelet_restart_containers",
    ]
    # the ReplicaSet saw the pod NotReady in between
    assert any(st.cluster.get("ReplicaSet", "default", "web").status.ready_replicas == 1 for _, st in log)
    after = s.cluster.get("Pod", "default", "web-1")
    assert after.uid == before.uid and after.name == before.name
    assert after.sandbox.ip not in (before.sandbox.ip, other_ip)
    assert after.sandbox.id != before.sandbox.id and after.sandbox.netns == f"ns-{after.sandbox.id}"
    assert [c.restart_count for c in after.container_statuses] == [1]
    assert all(c.sandbox_id == after.sandbox.id for c in after.container_statuses)
    assert after.conditions.ready and len(s.cluster.pods) == 2


# ----------------------------------------------------------------------- node failure


def test_node_failure_replicaset_replaces_its_pod_statefulset_does_not() -> None:
    system = KubeSystem(
        Scenario(
            cluster(node("node-a"), node("node-b"), rs(replicas=1), _stateful_set(1)),
            faults=FaultBudget(node_failure=1, force_delete=1),
        )
    )
    s = _settle(system, system.init_states()[0], prefer=lambda a: a.label != "scheduler_bind_pod" or a.data[2] == "node-a")
    assert {p.node_name for p in s.cluster.pods.values()} == {"node-a"}
    log: list[tuple[Action, SystemState]] = []
    s = _settle(system, _take(system, s, "node_fail", "node-a"), log)
    labels = [a.label for a, _ in log]
    assert labels[0] == "nlc_mark_pod_not_ready" and labels.count("nlc_mark_pod_not_ready") == 2
    assert labels.index("expiry_eviction_timeout") > labels.index("nlc_mark_pod_not_ready")
    assert labels.count("nlc_delete_pod") == 2
    pods = s.cluster.pods
    # the ReplicaSet's pod is Terminating on node-a and replaced on node-b
    rs_pods = [p for p in pods.values() if p.name.startswith("web-")]
    assert sorted((p.node_name, p.deletion_timestamp is not None) for p in rs_pods) == [("node-a", True), ("node-b", False)]
    assert next(p for p in rs_pods if p.node_name == "node-b").conditions.ready
    # the StatefulSet's db-0 keeps its name while Terminating: no second db-0, no replacement
    db0 = s.cluster.get("Pod", "default", "db-0")
    assert db0.node_name == "node-a" and db0.deletion_timestamp is not None
    assert [p.name for p in pods.values() if p.name.startswith("db-")] == ["db-0"]
    assert db0.container_statuses[0].state == "running"  # a partition: it may still run
    # a force delete frees the name: the StatefulSet recreates db-0 on node-b (split brain risk)
    s = _settle(system, _take(system, s, "fault_force_delete_pod", "db-0"))
    db0 = s.cluster.get("Pod", "default", "db-0")
    assert db0.node_name == "node-b" and db0.deletion_timestamp is None and db0.conditions.ready
    assert db0.claim_names() == ("data-db-0",)


# ------------------------------------------------------------------ exhaustive search


def test_explore_two_replica_replicaset_with_one_container_crash() -> None:
    explorer = pytest.importorskip("kubecheck.core.explorer")
    from kubecheck.core.properties import invariant
    from kubecheck.core.verdict import Verdict

    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2)), faults=FaultBudget(container_crash=1)))

    def at_most_two_pods(s: SystemState) -> bool:
        return len(s.cluster.pods) <= 2

    result = explorer.explore(system, [invariant("RT-TEST-1", "at most two pods", at_most_two_pods)], check_deadlock=True)
    assert result.complete
    assert result.result("RT-TEST-1").verdict is Verdict.HOLDS
    assert result.result("KC-DEADLOCK").verdict is Verdict.HOLDS
    assert result.stats.states == 236
    reduced = explorer.explore(system, [invariant("RT-TEST-1", "at most two pods", at_most_two_pods)], symmetry=True)
    assert reduced.complete and "symmetry" in reduced.reductions
    assert reduced.stats.states == 166
