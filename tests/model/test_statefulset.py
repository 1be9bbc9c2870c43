"""Scenarios of kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control_test.go, ported.

Upstream drives ``UpdateStatefulSet`` with a fake object manager and moves pods forward in
status between calls (scaleUpStatefulSetControl, scaleDownStatefulSetControl,
updateStatefulSetControl).  ``tests/model/builders_statefulset.Driver`` does the same over
``sync_stateful_set``; pytest ids are the upstream test names and case names.
Differences: upstream's fake deletes pods at once, the driver deletes gracefully
(deletionTimestamp, then the fake kubelet removes the pod), which is the stricter setting
for the at-most-one-pod-per-identity guarantee.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from model.api import Create, Delete, Update, UpdateStatus
from model.objects import PVCRetentionPolicy, StatefulSetUpdateStrategy
from model.statefulset import StatefulSetGates, slow_start_batch_sizes, sync_stateful_set
from model.statefulset_utils import POD_INDEX_LABEL, get_ordinal, get_pod_revision
from tests.model.builders_statefulset import (
    Driver,
    assert_burst_invariants,
    assert_monotonic_invariants,
    assert_update_invariants,
    image_of,
    kinds,
    new_stateful_set,
    with_image,
)

POLICIES = {
    "Retain": PVCRetentionPolicy("Retain", "Retain"),
    "ScaleDownOnly": PVCRetentionPolicy(when_deleted="Retain", when_scaled="Delete"),
    "SetDeleteOnly": PVCRetentionPolicy(when_deleted="Delete", when_scaled="Retain"),
    "Delete": PVCRetentionPolicy("Delete", "Delete"),
}
MODES = {"Monotonic": (False, assert_monotonic_invariants), "Burst": (True, assert_burst_invariants)}
Invariants = Callable[[Driver], None]


def _make(replicas: int, mode: str, policy: str, **kw: object) -> tuple[Driver, Invariants]:
    parallel, invariants = MODES[mode]
    set_ = new_stateful_set(replicas, policy=POLICIES[policy], parallel=parallel, **kw)
    return Driver.of(set_), invariants


def _ids(fn: str) -> list[object]:
    return [pytest.param(m, p, id=f"TestStatefulSetControl/{fn}/{m}/{p}") for m in MODES for p in POLICIES]


# --------------------------------------------------------- TestStatefulSetControl


@pytest.mark.parametrize("mode, policy", _ids("CreatesPods"))
def test_creates_pods(mode: str, policy: str) -> None:
    d, invariants = _make(3, mode, policy)
    d.scale_up(invariants)
    st = d.set.status
    assert (st.replicas, st.ready_replicas, st.updated_replicas) == (3, 3, 3)
    assert [p.labels[POD_INDEX_LABEL] for p in d.pods()] == ["0", "1", "2"]
    assert d.pvc_names() == ["datadir-foo-0", "datadir-foo-1", "datadir-foo-2"]


@pytest.mark.parametrize("mode, policy", _ids("ScalesUp"))
def test_scales_up(mode: str, policy: str) -> None:
    d, invariants = _make(3, mode, policy)
    d.scale_up(invariants)
    d.user(lambda s: replace(s, replicas=4))
    d.scale_up(invariants, seed=1)
    st = d.set.status
    assert (st.replicas, st.ready_replicas, st.updated_replicas) == (4, 4, 4)


@pytest.mark.parametrize("mode, policy", _ids("ScalesDown"))
def test_scales_down(mode: str, policy: str) -> None:
    d, invariants = _make(3, mode, policy)
    d.scale_up(invariants)
    d.user(lambda s: replace(s, replicas=0))
    d.scale_down(invariants)
    st = d.set.status
    assert (st.replicas, st.ready_replicas, st.updated_replicas) == (0, 0, 0)
    deletes = [w.name for w in d.log if isinstance(w, Delete) and w.kind == "Pod"]
    if mode == "Monotonic":
        assert deletes == ["foo-2", "foo-1", "foo-0"]  # highest ordinal first, one at a time
    else:
        assert sorted(deletes) == ["foo-0", "foo-1", "foo-2"]
    # whenScaled=Delete: the claims got the pod as owner before the pod went, the GC removed them
    if POLICIES[policy].when_scaled == "Delete":
        assert d.pvc_names() == []
    else:
        assert d.pvc_names() == ["datadir-foo-0", "datadir-foo-1", "datadir-foo-2"]


@pytest.mark.parametrize("mode, policy", _ids("ReplacesPods"))
def test_replaces_pods(mode: str, policy: str) -> None:
    d, invariants = _make(5, mode, policy)
    d.scale_up(invariants)
    assert d.set.status.replicas == 5
    for claim in d.state.objects("PersistentVolumeClaim"):
        assert all(r.kind != "Pod" for r in claim.owner_references), claim.name
    for name in ("foo-0", "foo-2", "foo-4"):  # om.podsIndexer.Delete: gone without a trace
        d.state = d.state.remove("Pod", "default", name)
    for i in (0, 2, 4):
        d.sync()
        d.set_pod_running(f"foo-{i}")
        d.sync()
        d.set_pod_ready(f"foo-{i}")
    d.sync()
    assert d.set.status.replicas == 5
    assert [p.name for p in d.pods()] == [f"foo-{i}" for i in range(5)]


def _recreates_pod(mode: str, policy: str, terminal_phase: str) -> None:
    d, invariants = _make(3, mode, policy)
    d.sync()
    invariants(d)
    assert not [w for w in d.log if isinstance(w, Delete)]
    pods = d.pods()
    victim = pods[0]
    d.set_pod_phase(victim.name, terminal_phase)
    for p in pods[1:]:
        d.set_pod_pending(p.name)
    writes = d.sync()
    assert [w.name for w in writes if isinstance(w, Delete)] == [victim.name]
    assert not [w for w in writes if isinstance(w, Create) and w.obj.name == victim.name]
    # the old object still holds the identity: no replacement, no second delete
    writes = d.sync()
    assert not [w for w in writes if isinstance(w, (Create, Delete)) and getattr(w, "name", None) == victim.name]
    assert not [w for w in writes if isinstance(w, Create) and w.obj.name == victim.name]
    d.finish_termination(victim.name)
    d.sync()
    replacement = d.pod(victim.name)
    assert replacement.uid != victim.uid and replacement.phase == "Pending"
    invariants(d)


@pytest.mark.parametrize("mode, policy", _ids("RecreatesFailedPod"))
def test_recreates_failed_pod(mode: str, policy: str) -> None:
    _recreates_pod(mode, policy, "Failed")


@pytest.mark.parametrize("mode, policy", _ids("RecreatesSucceededPod"))
def test_recreates_succeeded_pod(mode: str, policy: str) -> None:
    _recreates_pod(mode, policy, "Succeeded")


@pytest.mark.parametrize("mode, policy", _ids("RecreatesPVCForPendingPod"))
def test_recreates_pvc_for_pending_pod(mode: str, policy: str) -> None:
    d, invariants = _make(3, mode, policy)
    d.sync()
    pod = d.pods()[0]
    claim = "datadir-" + pod.name
    d.state = d.state.remove("PersistentVolumeClaim", "default", claim)
    d.set_pod_pending(pod.name)
    writes = d.sync()
    assert [w.obj.name for w in writes if isinstance(w, Create) and w.obj.name == claim] == [claim]
    assert claim in d.pvc_names()


# --------------------------------------------------------------- rolling updates


ROLLING = [
    # name, initial replicas, parallel, new replicas
    ("monotonic image update", 3, False, 3),
    ("monotonic image update and scale up", 3, False, 5),
    ("monotonic image update and scale down", 5, False, 3),
    ("burst image update", 3, True, 3),
    ("burst image update and scale up", 3, True, 5),
    ("burst image update and scale down", 5, True, 3),
]


@pytest.mark.parametrize(
    "initial, parallel, replicas",
    [pytest.param(*row[1:], id=f"TestStatefulSetControlRollingUpdate/{row[0]}") for row in ROLLING],
)
def test_rolling_update(initial: int, parallel: bool, replicas: int) -> None:
    d = Driver.of(new_stateful_set(initial, parallel=parallel))
    d.scale_up(assert_burst_invariants if parallel else assert_monotonic_invariants)
    first_rev = d.set.status.current_revision
    d.user(lambda s: replace(with_image(s, "foo"), replicas=replicas))
    d.update(assert_update_invariants)
    assert [image_of(p) for p in d.pods()] == ["foo"] * replicas
    st = d.set.status
    assert st.current_revision == st.update_revision != first_rev
    assert st.current_replicas == replicas
    if not parallel:  # one pod at a time, highest ordinal first
        deletes = [w.name for w in d.log if isinstance(w, Delete) and w.kind == "Pod"]
        updated = [n for n in deletes if get_ordinal(n) < replicas]
        assert updated == [f"foo-{i}" for i in range(min(initial, replicas) - 1, -1, -1)]


@pytest.mark.parametrize(
    "initial, parallel, replicas",
    [pytest.param(*row[1:], id=f"TestStatefulSetControlRollingUpdateWithPartition/{row[0]}")
     for row in ROLLING if "scale down" not in row[0]],
)
def test_rolling_update_with_partition(initial: int, parallel: bool, replicas: int) -> None:
    set_ = new_stateful_set(initial, parallel=parallel,
                            update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", partition=2))
    d = Driver.of(set_)
    d.scale_up(assert_burst_invariants if parallel else assert_monotonic_invariants)
    d.user(lambda s: replace(with_image(s, "foo"), replicas=replicas))
    d.update(assert_update_invariants)
    assert [image_of(p) for p in d.pods()] == ["nginx"] * 2 + ["foo"] * (replicas - 2)
    # the rollout is not complete: current stays the old revision
    st = d.set.status
    assert st.current_revision != st.update_revision
    # a deleted pod below the partition comes back at the CURRENT revision (B.4)
    d.state = d.state.remove("Pod", "default", "foo-0")
    d.sync()
    assert image_of(d.pod("foo-0")) == "nginx"
    assert get_pod_revision(d.pod("foo-0")) == st.current_revision


ON_DELETE = [
    ("monotonic image update", 3, False, 3, ["nginx"] * 3),
    ("monotonic image update and scale up", 3, False, 5, ["nginx"] * 3 + ["foo"] * 2),
    ("monotonic image update and scale down", 5, False, 3, ["nginx"] * 3),
    ("burst image update", 3, True, 3, ["nginx"] * 3),
    ("burst image update and scale up", 3, True, 5, ["nginx"] * 3 + ["foo"] * 2),
    ("burst image update and scale down", 5, True, 3, ["nginx"] * 3),
]


@pytest.mark.parametrize(
    "initial, parallel, replicas, images, policy",
    [pytest.param(*row[1:], p, id=f"TestStatefulSetControlOnDeleteUpdate/{p}/{row[0]}")
     for row in ON_DELETE for p in ("Retain", "Delete")],
)
def test_on_delete_update(initial: int, parallel: bool, replicas: int, images: list[str], policy: str) -> None:
    invariants = assert_burst_invariants if parallel else assert_monotonic_invariants
    set_ = new_stateful_set(initial, parallel=parallel, policy=POLICIES[policy],
                            update_strategy=StatefulSetUpdateStrategy(type="OnDelete"))
    d = Driver.of(set_)
    d.scale_up(invariants)
    d.user(lambda s: replace(with_image(s, "foo"), replicas=replicas))
    d.update(assert_update_invariants)
    assert [image_of(p) for p in d.pods()] == images  # validateUpdate: nothing rolled
    for claim in d.state.objects("PersistentVolumeClaim"):
        assert all(not r.name.startswith("foo-") for r in claim.owner_references)
    d.user(lambda s: replace(s, replicas=0))
    d.scale_down(invariants)
    d.user(lambda s: replace(s, replicas=replicas))
    d.scale_up(invariants)
    assert [image_of(p) for p in d.pods()] == ["foo"] * replicas  # validateRestart


@pytest.mark.parametrize(
    "initial, parallel, replicas",
    [pytest.param(*row[1:], id=f"TestStatefulSetControlRollback/{row[0]}") for row in ROLLING],
)
def test_rollback(initial: int, parallel: bool, replicas: int) -> None:
    d = Driver.of(new_stateful_set(initial, parallel=parallel))
    d.scale_up(assert_burst_invariants if parallel else assert_monotonic_invariants)
    original = d.set.template
    first_rev = d.set.status.current_revision
    d.user(lambda s: replace(with_image(s, "foo"), replicas=replicas))
    d.update(assert_update_invariants)
    assert [image_of(p) for p in d.pods()] == ["foo"] * replicas
    revisions_before = {r.name for r in d.state.objects("ControllerRevision")}
    d.user(lambda s: replace(s, template=original))  # ApplyRevision(set, revisions[0])
    d.update(assert_update_invariants, seed=5)
    assert [image_of(p) for p in d.pods()] == ["nginx"] * replicas
    # the rollback re-used (and re-numbered) the first revision instead of creating one
    assert d.set.status.update_revision == first_rev
    assert {r.name for r in d.state.objects("ControllerRevision")} <= revisions_before
    bumped = d.state.get("ControllerRevision", "default", first_rev)
    assert bumped.revision == 3


@pytest.mark.parametrize("parallel", [False, True], ids=["TestStatefulSetControlLimitsHistory/monotonic update",
                                                          "TestStatefulSetControlLimitsHistory/burst update"])
def test_limits_history(parallel: bool) -> None:
    d = Driver.of(new_stateful_set(3, parallel=parallel))
    d.scale_up(assert_burst_invariants if parallel else assert_monotonic_invariants)
    for i in range(10):
        d.user(lambda s, i=i: with_image(s, f"foo-{i}"))
        d.update(assert_update_invariants, seed=i)
        d.sync()
        assert len(d.state.objects("ControllerRevision")) <= d.set.revision_history_limit + 2
    assert any(isinstance(w, Delete) and w.kind == "ControllerRevision" for w in d.log)


# ------------------------------------------------------------------ maxUnavailable


@pytest.mark.parametrize(
    "policy_type",
    ["OrderedReady", "Parallel"],
    ids=["TestStatefulSetControlRollingUpdateWithMaxUnavailable/OrderedReady",
         "TestStatefulSetControlRollingUpdateWithMaxUnavailable/Parallel"],
)
def test_rolling_update_with_max_unavailable(policy_type: str) -> None:
    set_ = new_stateful_set(6, pod_management_policy=policy_type,
                            update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", partition=3,
                                                                      max_unavailable=2))
    d = Driver(state=Driver.of(set_).state, graceful=False, gates=StatefulSetGates(max_unavailable_stateful_set=True))
    d.scale_up(assert_burst_invariants)
    d.user(lambda s: with_image(s, "foo"))
    names = lambda: [p.name for p in d.pods()]  # noqa: E731
    d.sync()  # maxUnavailable 2: pods 5 and 4 go at once
    assert names() == ["foo-0", "foo-1", "foo-2", "foo-3"]
    d.sync()
    if policy_type == "Parallel":
        assert len(names()) == 6  # both recreated in one sync
        d.set_pod_running("foo-4"), d.set_pod_running("foo-5"), d.set_pod_ready("foo-4")
        d.sync()  # 4 ready, 5 not: one unavailable, budget 1 left -> pod 3 goes
        assert names() == ["foo-0", "foo-1", "foo-2", "foo-4", "foo-5"]
    else:
        assert len(names()) == 5  # OrderedReady creates foo-4 only
        d.set_pod_running("foo-4"), d.set_pod_ready("foo-4")
        d.sync()
        assert len(names()) == 6
        d.set_pod_running("foo-5"), d.set_pod_ready("foo-5")
        d.sync()
        assert names() == ["foo-0", "foo-1", "foo-2", "foo-4", "foo-5"]
    d.sync()
    assert len(names()) == 6
    for n in ("foo-3", "foo-5"):
        d.set_pod_running(n), d.set_pod_ready(n)
    before = d.state
    d.sync()  # pods 3/4/5 updated and ready: below the partition nothing moves
    assert [p.uid for p in d.pods()] == [p.uid for p in before.objects("Pod")]
    assert [image_of(p) for p in d.pods()] == ["nginx"] * 3 + ["foo"] * 3


@pytest.mark.parametrize(
    "terminating",
    [[], [5], [3], [4], [5, 4], [5, 3], [4, 3], [5, 4, 3], [2], [1]],
    ids=lambda t: f"TestStatefulSetControlRollingUpdateWithMaxUnavailableInOrderedModeVerifyInvariant/{t}",
)
def test_max_unavailable_verify_invariant(terminating: list[int]) -> None:
    """Unavailable pods anywhere (also below the partition) eat the maxUnavailable budget."""
    set_ = new_stateful_set(6, update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", partition=3,
                                                                          max_unavailable=2))
    d = Driver(state=Driver.of(set_).state, gates=StatefulSetGates(max_unavailable_stateful_set=True))
    d.scale_up(assert_burst_invariants)
    d.user(lambda s: with_image(s, "foo"))
    for o in terminating:
        d.add_terminating_pod(f"foo-{o}")
    writes = sync_stateful_set(d.state, d.key, d.gates)
    deleted = [w.name for w in writes if isinstance(w, Delete) and w.kind == "Pod"]
    expected = max(2 - len(terminating), 0)
    if terminating:
        # OrderedReady stops at the first terminating replica before the rolling update runs
        assert deleted == []
    else:
        assert deleted == ["foo-5", "foo-4"][:expected]
    # the rolling-update step itself: call it on the settled replicas with the same budget
    from model.statefulset import _Reconcile, _update_stateful_set_after_invariant_established

    r = _Reconcile(d.state, d.set, d.gates)
    rev = d.state.get("ControllerRevision", "default", d.set.status.update_revision) or \
        next(iter(d.state.objects("ControllerRevision")))
    new_rev = replace(rev, name="new-revision")
    _update_stateful_set_after_invariant_established(r, d.set, d.pods(), new_rev, d.set.status)
    direct = [w.name for w in r.writes if isinstance(w, Delete)]
    live_old = [f"foo-{o}" for o in (5, 4, 3) if o not in terminating]
    assert direct == live_old[:expected]


def test_max_unavailable_gate_off_is_one_at_a_time() -> None:
    """Gate off (default): maxUnavailable is ignored, one pod per rollout step."""
    set_ = new_stateful_set(4, pod_management_policy="Parallel",
                            update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", max_unavailable=3))
    d = Driver(state=Driver.of(set_).state, graceful=False)
    d.scale_up(assert_burst_invariants)
    d.user(lambda s: with_image(s, "foo"))
    writes = d.sync()
    assert [w.name for w in writes if isinstance(w, Delete)] == ["foo-3"]


# ------------------------------------------------------------------ misc


def test_slow_start_batch_sizes() -> None:
    """slowStartBatch: 1, 2, 4, ... capped by the remainder and by MaxBatchSize."""
    assert slow_start_batch_sizes(0) == []
    assert slow_start_batch_sizes(10) == [1, 2, 4, 3]
    assert sum(slow_start_batch_sizes(2000)) == 2000 and max(slow_start_batch_sizes(2000)) == 500


def test_missing_set_is_a_no_op() -> None:
    d = Driver.of(new_stateful_set(1))
    assert sync_stateful_set(d.state, ("default", "nope")) == ()


def test_converged_set_is_disabled() -> None:
    """Level-triggered: a converged set yields no writes at all."""
    d = Driver.of(new_stateful_set(2))
    d.scale_up(assert_monotonic_invariants)
    d.sync()
    assert sync_stateful_set(d.state, d.key) == ()


def test_deleting_set_only_updates_status() -> None:
    d = Driver.of(new_stateful_set(3))
    d.sync()
    d.state = d.state.put(replace(d.set, deletion_timestamp=1, replicas=0))
    d.set_pod_ready("foo-0")
    writes = sync_stateful_set(d.state, d.key)
    assert writes and all(isinstance(w, UpdateStatus) for w in writes)
    assert writes[-1].obj.status.ready_replicas == 1


def test_status_update_only_when_changed_and_after_pod_writes() -> None:
    d = Driver.of(new_stateful_set(1))
    writes = d.sync()
    assert kinds(writes)[:3] == ["create ControllerRevision " + d.set.status.update_revision,
                                 "create PersistentVolumeClaim datadir-foo-0", "create Pod foo-0"]
    assert isinstance(writes[-1], UpdateStatus)
    st = writes[-1].obj.status
    assert (st.observed_generation, st.replicas, st.collision_count) == (1, 0, 0)
    # the pod created above is counted by the next reconcile (the view never includes own writes)
    writes = d.sync()
    assert kinds(writes) == ["update status StatefulSet foo"] and writes[0].obj.status.replicas == 1
    assert sync_stateful_set(d.state, d.key) == ()  # pod Pending, PVC present, status equal


def test_identity_and_storage_repair() -> None:
    """processReplica -> UpdateStatefulPod repairs a running pod's labels and volumes."""
    d = Driver.of(new_stateful_set(1))
    d.scale_up(assert_monotonic_invariants)
    pod = d.pod("foo-0")
    d.state = d.state.put(replace(pod, labels=pod.labels.remove("statefulset.kubernetes.io/pod-name"), volumes=()))
    writes = d.sync()
    updates = [w for w in writes if isinstance(w, Update)]
    assert [u.obj.name for u in updates] == ["foo-0"]
    assert_monotonic_invariants(d)


def test_orphan_pod_and_revision_adoption() -> None:
    """getPodsForStatefulSet adopts a matching orphan pod; adoptOrphanRevisions adopts revisions."""
    d = Driver.of(new_stateful_set(1))
    d.scale_up(assert_monotonic_invariants)
    pod, rev = d.pod("foo-0"), next(iter(d.state.objects("ControllerRevision")))
    d.state = d.state.put(replace(pod, owner_references=())).put(replace(rev, owner_references=()))
    writes = d.sync()
    assert [type(w).__name__ + ":" + w.obj.name for w in writes[:2]] == [f"Update:{rev.name}", "Update:foo-0"]
    assert d.pod("foo-0").controller_ref().uid == d.set.uid  # type: ignore[union-attr]
    # a matching pod with a foreign name is neither adopted nor released (isMemberOf)
    stranger = replace(pod, name="bar-0", uid="x", owner_references=())
    d.state = d.state.put(stranger)
    assert not [w for w in d.sync() if getattr(getattr(w, "obj", None), "name", "") == "bar-0"]


def test_pvc_being_deleted_blocks_pod_creation() -> None:
    """createPersistentVolumeClaims: a claim with a deletionTimestamp is an error; no pod is created."""
    set_ = new_stateful_set(1)
    from model.objects import PersistentVolumeClaim

    d = Driver.of(set_)
    d.state = d.state.put(PersistentVolumeClaim(name="datadir-foo-0", uid="c", deletion_timestamp=1))
    writes = d.sync()
    assert not [w for w in writes if isinstance(w, Create) and w.obj.name == "foo-0"]
    assert isinstance(writes[-1], UpdateStatus)  # status is still written on error


def test_stale_pvc_blocks_scale_up() -> None:
    """PodClaimIsStale: whenScaled=Delete and a claim still owned by a previous pod-1."""
    from model.objects import OwnerReference, PersistentVolumeClaim

    d = Driver.of(new_stateful_set(2, policy=POLICIES["ScaleDownOnly"], parallel=True))
    old = OwnerReference("v1", "Pod", "foo-1", "old-uid", controller=True)
    d.state = d.state.put(PersistentVolumeClaim(name="datadir-foo-1", uid="c", owner_references=(old,)))
    writes = d.sync()
    created = [w.obj.name for w in writes if isinstance(w, Create)]
    assert "foo-0" in created and "foo-1" not in created


def test_start_ordinal() -> None:
    """StatefulSetStartOrdinal (GA 1.31): ordinals start..start+replicas-1, in order."""
    d = Driver.of(new_stateful_set(3, ordinals_start=5))
    d.scale_up(assert_monotonic_invariants)
    assert [p.name for p in d.pods()] == ["foo-5", "foo-6", "foo-7"]
    d.user(lambda s: replace(s, ordinals_start=6))  # foo-5 is now condemned, foo-8 missing
    writes = d.sync()
    assert [w.obj.name for w in writes if isinstance(w, Create) and w.obj.name.startswith("foo-")] == ["foo-8"]


def test_min_ready_seconds_gates_the_next_pod() -> None:
    """OrderedReady waits for availability (abstract minReadySeconds timer)."""
    d = Driver.of(new_stateful_set(2, min_ready_seconds=30))
    d.sync()
    d.set_pod_ready("foo-0")
    assert not [w for w in d.sync() if isinstance(w, Create)]
    d.state = d.state.put(replace(d.pod("foo-0"), ready_elapsed=True))
    assert [w.obj.name for w in d.sync() if isinstance(w, Create)] == ["datadir-foo-1", "foo-1"]


def test_gates_default() -> None:
    assert StatefulSetGates().max_unavailable_stateful_set is False
