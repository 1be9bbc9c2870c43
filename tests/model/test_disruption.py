"""model.disruption: the disruption controller's status for a PodDisruptionBudget.

Cases ported from kubernetes/kubernetes pkg/controller/disruption/disruption_test.go (each test
names its upstream test); upstream's ``VerifyPdbStatus(t, key, disruptionsAllowed, currentHealthy,
desiredHealthy, expectedPods, disruptedPods)`` is :func:`status` here (the disruptedPods map is
abstracted: docs/semantics.md, "PodDisruptionBudget, eviction and drain").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from model.apiserver import apply_write
from model.disruption import FINDERS, sync_disruption_budget
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import (
    Deployment,
    OwnerReference,
    Pod,
    PodConditions,
    PodDisruptionBudget,
    ReplicaSet,
    ReplicationController,
    StatefulSet,
)
from model.state import ClusterState

FOO = FrozenMap({"foo": "bar"})
KEY = ("default", "foobar")


def pdb(min_available: Any = None, max_unavailable: Any = None, selector: LabelSelector | None = LabelSelector(FOO)) -> PodDisruptionBudget:
    return PodDisruptionBudget(name="foobar", uid="uid-pdb", selector=selector, min_available=min_available, max_unavailable=max_unavailable)


def pod(name: str, owner: OwnerReference | None = None, ready: bool = True) -> Pod:
    """disruption_test.go newPod: a Running, Ready pod labelled foo=bar."""
    return Pod(name=name, uid=f"uid-{name}", labels=FOO, node_name="node-1", phase="Running",
               conditions=PodConditions(pod_scheduled=True, initialized=True, containers_ready=ready, ready=ready),
               owner_references=(owner,) if owner else ())


def ref(kind: str, name: str, uid: str, api_version: str = "apps/v1") -> OwnerReference:
    return OwnerReference(api_version, kind, name, uid, controller=True)


def sync(state: ClusterState) -> ClusterState:
    """dc.sync(ctx, pdbName): apply the controller's writes."""
    for w in sync_disruption_budget(state, KEY):
        state = apply_write(state, w)
    return state


def status(state: ClusterState) -> tuple[int, int, int, int]:
    """(disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods), VerifyPdbStatus's order."""
    s = state.get("PodDisruptionBudget", *KEY).status
    return (s.disruptions_allowed, s.current_healthy, s.desired_healthy, s.expected_pods)


def test_no_selector() -> None:
    """TestNoSelector: an empty selector selects every pod of the namespace (policy/v1)."""
    c = sync(ClusterState.from_objects([pdb(min_available=3, selector=LabelSelector())]))
    assert status(c) == (0, 0, 3, 0)
    c = sync(c.put(replace(pod("yo-yo-yo"), labels=FrozenMap())))
    assert status(c) == (0, 1, 3, 1)


def test_nil_selector_selects_nothing() -> None:
    """getPodsForPdb: LabelSelectorAsSelector(nil) is labels.Nothing()."""
    c = sync(ClusterState.from_objects([pdb(min_available=0, selector=None), pod("a")]))
    assert status(c) == (0, 0, 0, 0)


def test_unavailable() -> None:
    """TestUnavailable: counts go up pod by pod; an unready pod leaves currentHealthy."""
    c = sync(ClusterState.from_objects([pdb(min_available=3)]))
    for i in range(4):
        assert status(c) == (0, i, 3, i)
        c = sync(c.put(pod(f"yo-yo-yo-{i}")))
    assert status(c) == (1, 4, 3, 4)
    unready = replace(c.get("Pod", "default", "yo-yo-yo-0"), conditions=PodConditions())
    c = sync(c.put(unready))
    assert status(c) == (0, 3, 3, 4)


def test_integer_max_unavailable() -> None:
    """TestIntegerMaxUnavailable: no pods, then a naked pod: disruptions stay at 0 (unmanaged pod)."""
    c = sync(ClusterState.from_objects([pdb(max_unavailable=1)]))
    assert status(c)[0] == 0
    c = sync(c.put(pod("naked")))
    assert status(c)[0] == 0


def test_integer_max_unavailable_with_scaling() -> None:
    """TestIntegerMaxUnavailableWithScaling: expected pods follow the ReplicaSet's scale."""
    rs = ReplicaSet(name="foobar", uid="uid-rs", replicas=7, selector=LabelSelector(FOO))
    c = sync(ClusterState.from_objects([pdb(max_unavailable=2), rs, pod("p", ref("ReplicaSet", "foobar", "uid-rs"))]))
    assert status(c) == (0, 1, 5, 7)
    c = sync(c.put(replace(c.get("ReplicaSet", "default", "foobar"), replicas=5)))
    assert status(c) == (0, 1, 3, 5)


def test_percentage_max_unavailable_with_scaling() -> None:
    """TestPercentageMaxUnavailableWithScaling: 30% of 7 rounds up to 3, of 3 up to 1."""
    rs = ReplicaSet(name="foobar", uid="uid-rs", replicas=7, selector=LabelSelector(FOO))
    c = sync(ClusterState.from_objects([pdb(max_unavailable="30%"), rs, pod("p", ref("ReplicaSet", "foobar", "uid-rs"))]))
    assert status(c) == (0, 1, 4, 7)
    c = sync(c.put(replace(c.get("ReplicaSet", "default", "foobar"), replicas=3)))
    assert status(c) == (0, 1, 2, 3)


def test_replica_set() -> None:
    """TestReplicaSet: minAvailable 20% of a 10-replica ReplicaSet with one pod."""
    rs = ReplicaSet(name="foobar", uid="uid-rs", replicas=10, selector=LabelSelector(FOO))
    c = sync(ClusterState.from_objects([pdb(min_available="20%"), rs, pod("p", ref("ReplicaSet", "foobar", "uid-rs"))]))
    assert status(c) == (0, 1, 2, 10)


def test_stateful_set_controller() -> None:
    """TestStatefulSetController: 60% of 10 is 6; the seventh healthy pod allows one disruption."""
    ss = StatefulSet(name="foobar", uid="uid-ss", replicas=10, selector=LabelSelector(FOO))
    c = sync(ClusterState.from_objects([pdb(min_available="60%"), ss]))
    for i in range(6):
        c = sync(c.put(pod(f"p{i}", ref("StatefulSet", "foobar", "uid-ss"))))
        assert status(c) == (0, i + 1, 6, 10)
    c = sync(c.put(pod("p6", ref("StatefulSet", "foobar", "uid-ss"))))
    assert status(c) == (1, 7, 6, 10)


def test_replication_controller() -> None:
    """TestReplicationController: 67% of 3 rounds up to 3; an unmanaged pod counts as healthy but
    adds nothing to the expected scale."""
    rc = ReplicationController(name="foobar", uid="uid-rc", replicas=3, selector=FOO)
    c = sync(ClusterState.from_objects([pdb(min_available="67%"), rc]))
    for i in range(3):
        c = sync(c.put(pod(f"p{i}", ref("ReplicationController", "foobar", "uid-rc", "v1"))))
        assert status(c) == (0, i + 1, 3, 3)
    c = sync(c.put(pod("rogue")))
    assert status(c) == (1, 4, 3, 3)


def test_two_controllers() -> None:
    """TestTwoControllers (reduced): a Deployment's pods count its scale, not its ReplicaSet's."""
    d = Deployment(name="dep", uid="uid-d", replicas=4, selector=LabelSelector(FOO))
    rs = ReplicaSet(name="dep-1", uid="uid-rs", replicas=2, selector=LabelSelector(FOO),
                    owner_references=(ref("Deployment", "dep", "uid-d"),))
    c = sync(ClusterState.from_objects([pdb(min_available="50%"), d, rs,
                                        pod("a", ref("ReplicaSet", "dep-1", "uid-rs")), pod("b", ref("ReplicaSet", "dep-1", "uid-rs"))]))
    assert status(c) == (0, 2, 2, 4)


def test_deployment_finder_function() -> None:
    """TestDeploymentFinderFunction: a pod of a Deployment-owned RS resolves to the Deployment;
    getPodReplicaSet skips such an RS; a UID mismatch finds nothing."""
    d = Deployment(name="dep", uid="uid-d", replicas=4)
    rs = ReplicaSet(name="dep-1", uid="uid-rs", replicas=2, owner_references=(ref("Deployment", "dep", "uid-d"),))
    c = ClusterState.from_objects([d, rs])
    rc_f, dep_f, rs_f, ss_f = FINDERS
    assert dep_f(c, ref("ReplicaSet", "dep-1", "uid-rs"), "default") == ("uid-d", 4)
    assert rs_f(c, ref("ReplicaSet", "dep-1", "uid-rs"), "default") is None
    assert dep_f(c, ref("ReplicaSet", "dep-1", "uid-other"), "default") is None
    assert rc_f(c, ref("ReplicaSet", "dep-1", "uid-rs"), "default") is None


def test_basic_finder_functions() -> None:
    """TestBasicFinderFunctions: each finder matches its kind and group, and the UID."""
    rs = ReplicaSet(name="rs", uid="uid-rs", replicas=10)
    ss = StatefulSet(name="ss", uid="uid-ss", replicas=11)
    rc = ReplicationController(name="rc", uid="uid-rc", replicas=12)
    c = ClusterState.from_objects([rs, ss, rc])
    rc_f, dep_f, rs_f, ss_f = FINDERS
    assert rs_f(c, ref("ReplicaSet", "rs", "uid-rs"), "default") == ("uid-rs", 10)
    assert rs_f(c, ref("ReplicaSet", "rs", "uid-rs", "extensions/v1beta1"), "default") == ("uid-rs", 10)
    assert rs_f(c, ref("ReplicaSet", "rs", "uid-rs", "v1"), "default") is None  # wrong group
    assert ss_f(c, ref("StatefulSet", "ss", "uid-ss"), "default") == ("uid-ss", 11)
    assert rc_f(c, ref("ReplicationController", "rc", "uid-rc", "v1"), "default") == ("uid-rc", 12)
    assert rc_f(c, ref("ReplicationController", "rc", "uid-rc", "apps/v1"), "default") is None


def test_pdb_not_exist() -> None:
    """TestPDBNotExist: syncing a PDB that does not exist writes nothing."""
    assert sync_disruption_budget(ClusterState(), KEY) == ()


def test_status_for_unmanaged_pod() -> None:
    """TestStatusForUnmanagedPod / TestNakedPod: a percentage over only unmanaged pods expects 0
    pods, so no disruption is allowed."""
    c = sync(ClusterState.from_objects([pdb(min_available="28%"), pod("unmanaged")]))
    assert status(c) == (0, 1, 0, 0)


def test_unknown_controller_fails_safe() -> None:
    """trySync error ("found no controllers for pod") -> failSafe: disruptionsAllowed 0, the rest kept."""
    c = sync(ClusterState.from_objects([pdb(min_available=0), pod("a")]))
    assert status(c) == (1, 1, 0, 1)
    orphan = pod("b", ref("Job", "j", "uid-job", "batch/v1"))
    c2 = sync(c.put(replace(c.get("PodDisruptionBudget", *KEY), min_available="10%")).put(orphan))
    assert status(c2) == (0, 1, 0, 1)


def test_terminating_pods_are_not_healthy_but_are_expected() -> None:
    """countHealthyPods skips a pod with a deletionTimestamp; minAvailable int counts every selected pod."""
    c = sync(ClusterState.from_objects([pdb(min_available=1), pod("a"), replace(pod("b"), deletion_timestamp=1)]))
    assert status(c) == (0, 1, 1, 2)


def test_observed_generation_is_written() -> None:
    """updatePdbStatus writes ObservedGeneration; the eviction API refuses until it catches up."""
    c = ClusterState.from_objects([replace(pdb(min_available=1), generation=3), pod("a"), pod("b")])
    c = sync(c)
    assert c.get("PodDisruptionBudget", *KEY).status.observed_generation == 3
    assert sync_disruption_budget(c, KEY) == ()  # level-triggered: nothing more to write
