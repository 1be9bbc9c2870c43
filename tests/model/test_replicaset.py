"""model.replicaset: sync_replica_set, manage_replicas, calculate_status.

Cases ported from kubernetes/kubernetes pkg/controller/replicaset/replica_set_test.go and
replica_set_utils_test.go carry the upstream test name as id. Upstream tests that exercise
machinery the model leaves out (expectations, event handlers, work queues, API failures:
TestSyncReplicaSetDormancy, TestDeleteFinalStateUnknown, TestPodControllerLookup,
TestWatchControllers, TestWatchPods, TestUpdatePods, TestControllerUpdateRequeue,
TestControllerUpdateStatusWithFailure, TestRSSyncExpectations,
TestDeleteControllerAndExpectations, TestOverlappingRSs, TestDeletionTimestamp,
TestPatchPodFails) are listed in docs/semantics.md#replicaset with the reason.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.api import Create, Delete, Update, UpdateStatus
from model.frozen import FrozenMap
from model.labels import LabelSelector, LabelSelectorRequirement
from model.objects import OwnerReference, ReplicaSetCondition, ReplicaSetStatus
from model.replicaset import (
    BURST_REPLICAS,
    calculate_status,
    filter_claimed_pods,
    get_condition,
    remove_condition,
    set_condition,
    with_manage_replicas_error,
    get_indirectly_related_pods,
    get_pods_prefix,
    get_replica_sets_with_same_controller,
    pod_from_template,
    sync_replica_set,
    update_replica_set_status,
)
from model.errors import ModelError
from model.controller_utils import filter_active_pods, filter_terminating_pods
from model.labels import label_selector_as_selector
from tests.model.builders_replicaset import (
    apply,
    creates,
    deletes,
    patches,
    pod,
    pod_writes,
    rs,
    run_to_fixpoint,
    state,
)

KEY = ("default", "foobar")
FOO = {"foo": "bar"}


def _status(w: object) -> ReplicaSetStatus:
    assert isinstance(w, UpdateStatus)
    return w.obj.status


# ------------------------------------------------------------------------ syncReplicaSet


def test_sync_replica_set_does_nothing() -> None:
    """TestSyncReplicaSetDoesNothing: 2 running pods, 2 replicas: no create, delete or patch;
    and once the status is current, no write at all (the step is disabled)."""
    r = rs(replicas=2)
    s = state(r, pod("pod0", FOO, r), pod("pod1", FOO, r))
    writes = sync_replica_set(s, KEY)
    assert pod_writes(writes) == []
    s = apply(s, writes)
    assert sync_replica_set(s, KEY) == ()


def test_sync_replica_set_deletes() -> None:
    """TestSyncReplicaSetDeletes: 2 running pods, 1 replica: one delete, with the pod's UID."""
    r = rs(replicas=1)
    s = state(r, pod("pod0", FOO, r), pod("pod1", FOO, r))
    (d,) = deletes(sync_replica_set(s, KEY))
    assert d.kind == "Pod" and d.namespace == "default" and d.name in {"pod0", "pod1"}
    assert d.uid == f"uid-{d.name}"
    assert d.grace_period_seconds is None  # graceful, as DeleteOptions{} upstream


def test_sync_replica_set_creates() -> None:
    """TestSyncReplicaSetCreates: 2 replicas, only inactive pods (Failed, Succeeded): 2 creates."""
    r = rs(replicas=2)
    s = state(r, pod("failed", FOO, r, phase="Failed"), pod("done", FOO, r, phase="Succeeded"))
    assert len(creates(sync_replica_set(s, KEY))) == 2


def test_terminating_pods_are_not_counted() -> None:
    r = rs(replicas=2)
    s = state(r, pod("a", FOO, r), pod("b", FOO, r, deleting=True))
    writes = sync_replica_set(s, KEY)
    assert len(creates(writes)) == 1
    assert _status(writes[-1]).replicas == 1


def test_sync_replica_set_create_failures_model_creates_all() -> None:
    """TestSyncReplicaSetCreateFailures: upstream's fake pod control refuses creates after 10,
    so slowStartBatch stops at 10. No create fails in the model: all 100 go out at once."""
    s = state(rs(replicas=100))
    assert len(creates(sync_replica_set(s, KEY))) == 100


@pytest.mark.parametrize(("replicas", "expected"), [(600, BURST_REPLICAS), (500, 500), (3, 3)])
def test_creates_respect_burst_replicas(replicas: int, expected: int) -> None:
    assert len(creates(sync_replica_set(state(rs(replicas=replicas)), KEY))) == expected


@pytest.mark.parametrize(("burst", "num"), [(5, 30), (5, 12), (3, 2)], ids=["5/30", "5/12", "3/2"])
def test_controller_burst_replicas(burst: int, num: int) -> None:
    """TestControllerBurstReplicas without expectations: each reconcile creates (then, scaled
    to 0, deletes) at most ``burst`` pods, and the set converges to the spec both ways."""
    s = state(rs(replicas=num))
    sizes = []
    while w := sync_replica_set(s, KEY, burst_replicas=burst):
        sizes.append(len(creates(w)))
        s = apply(s, w)
    assert sum(sizes) == num and max(sizes) <= burst
    assert len(filter_active_pods(s.objects("Pod"))) == num
    s = s.put(replace(s.get("ReplicaSet", *KEY), replicas=0))
    sizes = []
    while w := sync_replica_set(s, KEY, burst_replicas=burst):
        sizes.append(len(deletes(w)))
        s = apply(s, w)
    assert sum(sizes) == num and max(sizes) <= burst
    assert filter_active_pods(s.objects("Pod")) == ()


def test_status_updates_without_replicas_change() -> None:
    """TestStatusUpdatesWithoutReplicasChange: steady state writes nothing; a newer
    generation alone triggers one status write that records observedGeneration."""
    r = rs(replicas=5, status=ReplicaSetStatus(5, 0, 5, 5, observed_generation=1))
    s = state(r, *(pod(f"pod{i}", FOO, r) for i in range(5)))
    assert sync_replica_set(s, KEY) == ()
    s = s.put(replace(r, generation=2))
    (w,) = sync_replica_set(s, KEY)
    assert _status(w) == ReplicaSetStatus(5, 0, 5, 5, observed_generation=2)


def test_controller_update_replicas() -> None:
    """TestControllerUpdateReplicas: status.replicas goes 2 -> 4 (the pods in the system),
    fullyLabeledReplicas 6 -> 2, and 5 - 4 = 1 pod is created."""
    extra = {"foo": "bar", "extraKey": "extraValue"}
    r = rs(replicas=5, template_labels=extra, generation=1, status=ReplicaSetStatus(2, 6, 2, 2, 0))
    s = state(
        r,
        pod("pod0", FOO, r),
        pod("pod1", FOO, r),
        pod("podWithExtraLabel0", extra, r),
        pod("podWithExtraLabel1", extra, r),
    )
    writes = sync_replica_set(s, KEY)
    assert len(creates(writes)) == 1 and not deletes(writes) and not patches(writes)
    assert _status(writes[-1]) == ReplicaSetStatus(4, 2, 4, 4, observed_generation=1)


def test_ready_replicas() -> None:
    """TestReadyReplicas: 2 Pending and 2 Running pods: replicas 4, ready 2, available 2."""
    r = rs(replicas=2, generation=1, status=ReplicaSetStatus(2, 0, 0, 0, 1))
    pods = [pod(f"pod{i}", FOO, r, phase="Pending") for i in range(2)]
    pods += [pod(f"pod{i}", FOO, r) for i in range(2, 4)]
    writes = sync_replica_set(state(r, *pods), KEY)
    assert _status(writes[-1]) == ReplicaSetStatus(4, 0, 2, 2, observed_generation=1)
    assert sorted(d.name for d in deletes(writes)) == ["pod0", "pod1"]  # the Pending ones


def test_available_replicas() -> None:
    """TestAvailableReplicas: minReadySeconds 15; one pod ready for 20s (elapsed), one ready
    just now: ready 2, available 1."""
    r = rs(replicas=2, generation=1, min_ready_seconds=15, status=ReplicaSetStatus(0, 0, 0, 0, 1))
    s = state(r, pod("pod0", FOO, r, ready_elapsed=True), pod("pod1", FOO, r))
    (w,) = sync_replica_set(s, KEY)
    assert _status(w) == ReplicaSetStatus(2, 0, 2, 1, observed_generation=1)


def test_replica_set_availability_check() -> None:
    """TestReplicaSetAvailabilityCheck: minReadySeconds 5; pods Pending, ready now, ready 2s,
    ready 4.3s: none has been ready for 5s, so ready 3 and available 0. (Upstream then
    requeues after minReadySeconds; in the model the expiry step sets ``ready_elapsed``.)"""
    r = rs(replicas=4, min_ready_seconds=5)
    pods = [pod("foobar-1", FOO, r, phase="Pending")] + [pod(f"foobar-{i}", FOO, r) for i in (2, 3, 4)]
    (w,) = sync_replica_set(state(r, *pods), KEY)
    assert (_status(w).ready_replicas, _status(w).available_replicas) == (3, 0)


def test_do_not_patch_pod_with_other_control_ref() -> None:
    """TestDoNotPatchPodWithOtherControlRef: a matching pod controlled by another RS is left
    alone, so 2 pods are created and nothing is patched."""
    r = rs(replicas=2)
    other = OwnerReference("apps/v1", "ReplicaSet", "AnotherRS", "another-uid", controller=True)
    writes = sync_replica_set(state(r, pod("pod", FOO, refs=(other,))), KEY)
    assert (len(creates(writes)), len(deletes(writes)), len(patches(writes))) == (2, 0, 0)


def test_patch_pod_with_other_owner_ref() -> None:
    """TestPatchPodWithOtherOwnerRef: a matching pod with only a non-controller owner
    reference to something else is adopted (1 patch); 1 more pod is created."""
    r = rs(replicas=2)
    other = OwnerReference("v1", "Something", "x", "x-uid", controller=False)
    writes = sync_replica_set(state(r, pod("pod", FOO, refs=(other,))), KEY)
    (u,) = patches(writes)
    assert [ref.uid for ref in u.obj.owner_references] == ["x-uid", r.uid]
    assert (len(creates(writes)), len(deletes(writes))) == (1, 0)


def test_patch_pod_with_correct_owner_ref() -> None:
    """TestPatchPodWithCorrectOwnerRef: an owner reference to this RS with controller=false
    is not control: the pod is adopted (1 patch); 1 more pod is created."""
    r = rs(replicas=2)
    weak = OwnerReference("apps/v1", "ReplicaSet", r.name, r.uid, controller=False)
    writes = sync_replica_set(state(r, pod("pod", FOO, refs=(weak,))), KEY)
    (u,) = patches(writes)
    assert [(ref.uid, ref.controller) for ref in u.obj.owner_references] == [(r.uid, True)]
    assert len(creates(writes)) == 1


def test_update_selector_controller_ref() -> None:
    """TestUpdateSelectorControllerRef: after the selector changes, both owned pods are
    released (2 patches) and 2 new pods are created."""
    r = rs(replicas=2)
    pods = [pod("pod0", FOO, r), pod("pod1", FOO, r)]
    changed = replace(r, selector=LabelSelector(match_labels=FrozenMap(foo="baz")), generation=2)
    changed = replace(changed, template=replace(r.template, labels=r.template.labels.set("foo", "baz")))
    writes = sync_replica_set(state(changed, *pods), KEY)
    assert (len(creates(writes)), len(deletes(writes)), len(patches(writes))) == (2, 0, 2)
    assert all(u.obj.owner_references == () for u in patches(writes))


def test_do_not_adopt_or_create_if_being_deleted() -> None:
    """TestDoNotAdoptOrCreateIfBeingDeleted: no patch, no create (status may still be written)."""
    r = rs(replicas=2, deletion_timestamp=1)
    writes = sync_replica_set(state(r, pod("pod1", FOO)), KEY)
    assert pod_writes(writes) == []


def test_being_deleted_keeps_owned_pods_in_status_but_does_not_scale() -> None:
    r = rs(replicas=5, deletion_timestamp=1)
    writes = sync_replica_set(state(r, pod("a", FOO, r), pod("b", FOO, r)), KEY)
    assert pod_writes(writes) == []
    assert _status(writes[-1]).replicas == 2


def test_missing_object_and_invalid_selector_do_nothing() -> None:
    assert sync_replica_set(state(), KEY) == ()
    bad = rs(replicas=3, selector={})
    bad = replace(bad, selector=LabelSelector(match_expressions=(LabelSelectorRequirement("foo", "Bogus", ("x",)),)))
    assert sync_replica_set(state(bad), KEY) == ()


def test_writes_come_in_upstream_order() -> None:
    """Claim writes (in pod-list order), then creates/deletes, then the status write."""
    r = rs(replicas=3)
    relabelled = pod("a-relabelled", {"foo": "other"}, r)
    orphan = pod("b-orphan", FOO)
    writes = sync_replica_set(state(r, relabelled, orphan), KEY)
    kinds = [type(w).__name__ for w in writes]
    assert kinds == ["Update", "Update", "Create", "Create", "UpdateStatus"]
    assert [w.obj.name for w in writes[:2]] == ["a-relabelled", "b-orphan"]


# ----------------------------------------------------------------------- pod creation


def test_pod_from_template() -> None:
    """GetPodFromTemplate + CreatePods: labels, annotations and spec from the template, the
    controller reference as the only owner, generateName "<name>-"."""
    r = rs(replicas=1)
    r = replace(r, template=replace(r.template, annotations=FrozenMap(a="1"), hostname="h"))
    (c,) = creates(sync_replica_set(state(r), KEY))
    assert isinstance(c, Create) and c.generate_name == "foobar-"
    p = c.obj
    assert p == pod_from_template(r.template, r, "ReplicaSet")
    assert p.namespace == "default" and p.labels == r.template.labels and p.annotations == FrozenMap(a="1")
    assert p.spec_containers == r.template.containers and p.hostname == "h"
    assert p.owner_references == (
        OwnerReference("apps/v1", "ReplicaSet", "foobar", r.uid, controller=True, block_owner_deletion=True),
    )
    assert (p.phase, p.node_name, p.deletion_timestamp) == ("Pending", None, None)
    assert (p.name, p.generate_name) == ("", "foobar-")


def test_pod_from_template_without_labels_is_impossible() -> None:
    r = rs(replicas=1, template_labels={})
    with pytest.raises(ModelError, match="no labels"):
        pod_from_template(r.template, r, "ReplicaSet")


def test_get_pods_prefix() -> None:
    assert get_pods_prefix("web") == "web-"
    assert get_pods_prefix("x" * 253) == "x" * 253


def test_negative_replicas_are_impossible() -> None:
    with pytest.raises(ModelError, match="spec.replicas -1"):
        sync_replica_set(state(rs(replicas=-1)), KEY)


# ----------------------------------------------------------------------- related pods


def _family() -> dict[str, object]:
    deleting = rs("rs4", 1, {"foo": "xyzzy"}, owner_uid="789", deletion_timestamp=1)
    return {
        "rs1": rs("rs1", 1, {"foo": "bar"}, owner_uid="123"),
        "rs2": rs("rs2", 1, {"foo": "baz"}, owner_uid="123"),
        "rs3": rs("rs3", 1, {"foo": "quux"}, owner_uid="456"),
        "rs4": deleting,
    }


@pytest.mark.parametrize(
    ("rss", "target", "expected"),
    [
        pytest.param(["rs4", "rs3"], "rs4", ["rs4"], id="expect to get back a ReplicaSet that is pending deletion"),
        pytest.param(
            ["rs1", "rs3"], "rs1", ["rs1"], id="expect to get back only the given ReplicaSet if there is no related ReplicaSet"
        ),
        pytest.param(
            ["rs1", "rs2", "rs3"],
            "rs1",
            ["rs1", "rs2"],
            id="expect to get back the given ReplicaSet as well as any related ReplicaSet but not an unrelated ReplicaSet",
        ),
    ],
)
def test_get_replica_sets_with_same_controller(rss: list[str], target: str, expected: list[str]) -> None:
    """TestGetReplicaSetsWithSameController."""
    fam = _family()
    s = state(*(fam[n] for n in rss))
    got = get_replica_sets_with_same_controller(s, fam[target])  # type: ignore[arg-type]
    assert sorted(r.name for r in got) == expected


def test_replica_set_without_controller_has_no_relatives() -> None:
    r = rs("lonely", 1)
    assert get_replica_sets_with_same_controller(state(r), r) == ()


@pytest.mark.parametrize(
    ("rss", "target", "pods", "expected"),
    [
        pytest.param(
            ["rs4", "rs3"],
            "rs4",
            [("pod", "rs4")],
            ["pod"],
            id="expect to get a pod even if its owning ReplicaSet is pending deletion",
        ),
        pytest.param(
            ["rs1", "rs3"],
            "rs1",
            [("pod1", "rs1"), ("pod2", "rs1"), ("pod4", "rs3")],
            ["pod1", "pod2"],
            id="expect to get only the ReplicaSet's own pods if there is no related ReplicaSet",
        ),
        pytest.param(
            ["rs1", "rs2", "rs3"],
            "rs1",
            [("pod1", "rs1"), ("pod2", "rs1"), ("pod3", "rs2"), ("pod4", "rs3")],
            ["pod1", "pod2", "pod3"],
            id="expect to get own pods as well as any related ReplicaSet's but not an unrelated ReplicaSet's",
        ),
    ],
)
def test_related_pods_lookup(rss: list[str], target: str, pods: list[tuple[str, str]], expected: list[str]) -> None:
    """TestRelatedPodsLookup."""
    fam = _family()
    objs = [fam[n] for n in rss]
    objs += [pod(name, dict(fam[o].selector.match_labels), fam[o]) for name, o in pods]  # type: ignore[attr-defined]
    got = get_indirectly_related_pods(state(*objs), fam[target])  # type: ignore[arg-type]
    assert sorted(p.name for p in got) == expected


def test_scale_down_prefers_pods_doubled_up_with_sibling_replica_sets() -> None:
    """getIndirectlyRelatedPods feeds the ranking: a pod sharing its node with pods of a
    sibling ReplicaSet (same Deployment) goes first."""
    old = rs("old", 2, {"app": "web", "v": "1"}, owner_uid="dep")
    new = rs("new", 1, {"app": "web", "v": "2"}, owner_uid="dep")
    s = state(
        old,
        new,
        pod("old-a", {"app": "web", "v": "1"}, old, node="n1"),
        pod("old-b", {"app": "web", "v": "1"}, old, node="n2"),
        pod("old-c", {"app": "web", "v": "1"}, old, node="n3"),
        pod("new-a", {"app": "web", "v": "2"}, new, node="n2"),
    )
    (d,) = deletes(sync_replica_set(s, ("default", "old")))
    assert d.name == "old-b"


# ------------------------------------------------------------------- calculateStatus

_NOT_FULL = {"name": "foo"}
_FULL = {"name": "foo", "type": "production"}


def _calc_cases() -> list[object]:
    not_fully = rs("nf", 1, _NOT_FULL)
    fully = rs("f", 2, _FULL)
    long_min_ready = rs("lm", 1, _FULL, min_ready_seconds=3600)
    return [
        pytest.param(fully, [pod("pod1", _FULL, fully)], (1, 1, 1, 1), id="1 fully labelled pod"),
        pytest.param(not_fully, [pod("pod1", _NOT_FULL, not_fully)], (1, 0, 1, 1), id="1 not fully labelled pod"),
        pytest.param(
            fully, [pod("pod1", _FULL, fully), pod("pod2", _FULL, fully)], (2, 2, 2, 2), id="2 fully labelled pods"
        ),
        pytest.param(
            not_fully,
            [pod("pod1", _NOT_FULL, not_fully), pod("pod2", _NOT_FULL, not_fully)],
            (2, 0, 2, 2),
            id="2 not fully labelled pods",
        ),
        pytest.param(
            not_fully,
            [pod("pod1", _NOT_FULL, not_fully), pod("pod2", _FULL, fully)],
            (2, 1, 2, 2),
            id="1 fully labelled pod, 1 not fully labelled pod",
        ),
        pytest.param(fully, [pod("pod1", _FULL, fully, phase="Pending")], (1, 1, 0, 0), id="1 non-ready pod"),
        pytest.param(
            long_min_ready, [pod("pod1", _FULL, long_min_ready)], (1, 1, 1, 0), id="1 ready but non-available pod"
        ),
        pytest.param(
            long_min_ready,
            [pod("pod1", _FULL, long_min_ready, ready_elapsed=True)],
            (1, 1, 1, 1),
            id="1 available pod with minReadySeconds",
        ),
        pytest.param(
            long_min_ready,
            [pod("pod1", _FULL, long_min_ready, ready_elapsed=True)],
            (1, 1, 1, 1),
            id="1 available pod for a long time with minReadySeconds",
        ),
        pytest.param(
            fully,
            [pod("pod1", _FULL, fully), pod("pod2", _FULL, fully, deleting=True)],
            (1, 1, 1, 1),
            id="1 fully labelled pod and 1 terminating without DeploymentReplicaSetTerminatingReplicas",
        ),
    ]


@pytest.mark.parametrize(("replica_set", "pods", "expected"), _calc_cases())
def test_calculate_status(replica_set: object, pods: list[object], expected: tuple[int, int, int, int]) -> None:
    """replica_set_utils_test.go TestCalculateStatus (rows without the terminatingReplicas gate).

    Upstream passes only active pods; the terminating row goes through filter_active_pods."""
    got = calculate_status(replica_set, filter_active_pods(pods))  # type: ignore[arg-type]
    assert (got.replicas, got.fully_labeled_replicas, got.ready_replicas, got.available_replicas) == expected
    assert got.observed_generation == replica_set.status.observed_generation  # type: ignore[attr-defined]


def _calc_terminating_cases() -> list[object]:
    fully = rs("f", 2, _FULL)
    return [
        pytest.param(False, fully, [pod("pod1", _FULL, fully), pod("pod2", _FULL, fully)], [], (2, 2, 2, 2), None,
                     id="2 fully labelled pods"),
        pytest.param(True, fully, [pod("pod1", _FULL, fully), pod("pod2", _FULL, fully)], [], (2, 2, 2, 2), 0,
                     id="2 fully labelled pods with DeploymentPodReplacementPolicy"),
        pytest.param(False, fully, [pod("pod1", _FULL, fully)], [pod("pod2", _FULL, fully, deleting=True)], (1, 1, 1, 1), None,
                     id="1 fully labelled pod and 1 terminating without DeploymentPodReplacementPolicy"),
        pytest.param(True, fully, [pod("pod1", _FULL, fully)],
                     [pod("pod2", _FULL, fully, deleting=True), pod("pod3", _FULL, fully, deleting=True)], (1, 1, 1, 1), 2,
                     id="1 fully labelled pods and 2 terminating with DeploymentPodReplacementPolicy"),
    ]  # fmt: skip


@pytest.mark.parametrize(("gate", "replica_set", "active", "terminating", "expected", "expected_terminating"),
                         _calc_terminating_cases())
def test_calculate_status_terminating_replicas(gate: bool, replica_set: object, active: list[object], terminating: list[object],
                                               expected: tuple[int, int, int, int], expected_terminating: int | None) -> None:
    """replica_set_utils_test.go TestCalculateStatus, the rows with terminating pods (upstream's gate column
    is named after DeploymentPodReplacementPolicy, the gate that carried terminatingReplicas in 1.32; from 1.33
    it is DeploymentReplicaSetTerminatingReplicas): gate off -> nil, on -> the count."""
    got = calculate_status(replica_set, active, None, terminating if gate else None)  # type: ignore[arg-type]
    assert (got.replicas, got.fully_labeled_replicas, got.ready_replicas, got.available_replicas) == expected
    assert got.terminating_replicas == expected_terminating


_FAILURE = ReplicaSetCondition("ReplicaFailure", "True")


def _cond_cases() -> list[object]:
    r = rs("rs", 2, {"name": "foo"})
    failing = rs("failing", 10, {"name": "foo"}, status=ReplicaSetStatus(conditions=(_FAILURE,)))
    return [
        pytest.param(r, [pod("pod1", {"name": "foo"}, r)], "fake manageReplicasErr",
                     (ReplicaSetCondition("ReplicaFailure", "True", "FailedCreate", "fake manageReplicasErr"),),
                     id="manageReplicasErr != nil && failureCond == nil, diff < 0"),
        pytest.param(r, [pod(f"pod{i}", {"name": "foo"}, r) for i in (1, 2, 3)], "fake manageReplicasErr",
                     (ReplicaSetCondition("ReplicaFailure", "True", "FailedDelete", "fake manageReplicasErr"),),
                     id="manageReplicasErr != nil && failureCond == nil, diff > 0"),
        pytest.param(failing, [pod("pod1", {"name": "foo"}, failing)], None, (), id="manageReplicasErr == nil && failureCond != nil"),
        pytest.param(failing, [pod("pod1", {"name": "foo"}, failing)], "fake manageReplicasErr", (_FAILURE,),
                     id="manageReplicasErr != nil && failureCond != nil"),
        pytest.param(r, [pod("pod1", {"name": "foo"}, r)], None, (), id="manageReplicasErr == nil && failureCond == nil"),
    ]  # fmt: skip


@pytest.mark.parametrize(("replica_set", "pods", "err", "expected"), _cond_cases())
def test_calculate_status_conditions(replica_set: object, pods: list[object], err: str | None, expected: tuple[object, ...]) -> None:
    """replica_set_utils_test.go TestCalculateStatusConditions (lastTransitionTime is abstract time)."""
    assert calculate_status(replica_set, pods, err).conditions == expected  # type: ignore[arg-type]


def test_replica_failure_condition_helpers() -> None:
    """GetCondition / SetCondition (same status and reason: unchanged, else replaced) / RemoveCondition."""
    st = ReplicaSetStatus(conditions=(_FAILURE,))
    assert get_condition(st, "ReplicaFailure") is _FAILURE and get_condition(ReplicaSetStatus(), "ReplicaFailure") is None
    same = ReplicaSetCondition("ReplicaFailure", "True", "", "other message")
    assert set_condition(st.conditions, same) == st.conditions  # status and reason equal: the message is not refreshed
    other = ReplicaSetCondition("ReplicaFailure", "True", "FailedCreate", "m")
    assert set_condition(st.conditions, other) == (other,)
    assert remove_condition((_FAILURE,), "ReplicaFailure") == ()


def test_status_with_manage_replicas_error_keeps_an_existing_failure() -> None:
    """The status a refused write gives: calculateStatus with an error sets ReplicaFailure only when the
    status read has none (the write_failure fault, model.system)."""
    computed = ReplicaSetStatus(replicas=1)
    got = with_manage_replicas_error(ReplicaSetStatus(), computed, "FailedCreate", "m")
    assert got.replicas == 1 and got.conditions == (ReplicaSetCondition("ReplicaFailure", "True", "FailedCreate", "m"),)
    read = ReplicaSetStatus(conditions=(_FAILURE,))
    assert with_manage_replicas_error(read, computed, "FailedDelete", "m").conditions == (_FAILURE,)


def test_update_status_writes_when_only_the_conditions_or_terminating_change() -> None:
    """updateReplicaSetStatus compares terminatingReplicas (ptr.Equal) and the conditions (DeepEqual) too."""
    r = rs(replicas=1, generation=3, status=ReplicaSetStatus(1, 1, 1, 1, observed_generation=3, conditions=(_FAILURE,)))
    (w,) = update_replica_set_status(r, replace(r.status, conditions=()))
    assert _status(w).conditions == ()
    (w,) = update_replica_set_status(r, replace(r.status, terminating_replicas=0))
    assert _status(w).terminating_replicas == 0


def test_sync_counts_claimed_terminating_pods_only_with_the_gate() -> None:
    """syncReplicaSet: terminatingPods = FilterClaimedPods(rs, selector, FilterTerminatingPods(allPods)):
    a terminating pod of another owner, or a terminal one, is not counted."""
    r = rs(replicas=1, generation=1, status=ReplicaSetStatus(1, 1, 1, 1, observed_generation=1))
    other = rs("other", uid="uid-other")
    lbl = dict(r.template.labels)
    mine = pod("p1", lbl, r)
    gone = pod("p2", lbl, r, deleting=True)
    theirs = pod("p3", lbl, other, deleting=True)
    finished = pod("p4", lbl, r, deleting=True, phase="Failed")
    s = state(r, other, mine, gone, theirs, finished)
    sel = label_selector_as_selector(r.selector)
    assert [p.name for p in filter_claimed_pods(r, sel, filter_terminating_pods([mine, gone, theirs, finished]))] == ["p2"]
    assert update_replica_set_status(r, r.status) == ()
    assert sync_replica_set(s, ("default", "foobar")) == ()  # gate off: nothing to write
    (w,) = sync_replica_set(s, ("default", "foobar"), terminating_replicas=True)
    assert _status(w).terminating_replicas == 1


def test_update_replica_set_status_records_observed_generation() -> None:
    """updateReplicaSetStatus: no write in the steady state, else observedGeneration = generation."""
    r = rs(replicas=1, generation=3, status=ReplicaSetStatus(1, 1, 1, 1, observed_generation=3))
    assert update_replica_set_status(r, r.status) == ()
    (w,) = update_replica_set_status(r, ReplicaSetStatus(10, 0, 0, 0, observed_generation=0))
    assert _status(w) == ReplicaSetStatus(10, 0, 0, 0, observed_generation=3)
    assert w.obj.replicas == r.replicas and w.obj.generation == 3


# -------------------------------------------------------------- behaviour on states


def test_adopts_orphan_and_releases_relabelled_pod() -> None:
    r = rs(replicas=2)
    s = state(
        r,
        pod("a", {"foo": "moved"}, r),  # ours, no longer matches: release
        pod("b", FOO, r),  # ours, matches: keep
        pod("o", FOO),  # orphan, matches: adopt
    )
    writes = sync_replica_set(s, KEY)
    assert [(type(w).__name__, getattr(w, "obj", None) and w.obj.name) for w in writes[:2]] == [
        ("Update", "a"),
        ("Update", "o"),
    ]
    assert not creates(writes) and not deletes(writes)
    s = apply(s, writes)
    assert s.get("Pod", "default", "a").owner_references == ()
    assert s.get("Pod", "default", "o").controller_ref().uid == r.uid
    assert s.get("ReplicaSet", *KEY).status.replicas == 2
    assert sync_replica_set(s, KEY) == ()  # fixed point


def test_does_not_adopt_terminating_or_finished_orphans() -> None:
    r = rs(replicas=1)
    s = state(r, pod("dying", FOO, deleting=True), pod("done", FOO, phase="Succeeded"))
    writes = sync_replica_set(s, KEY)
    assert patches(writes) == [] and len(creates(writes)) == 1


def test_scale_down_deletes_in_upstream_ranking_order() -> None:
    """5 -> 1 replicas: unassigned, then Pending, then not-ready, then the pod ready for a
    shorter time go first; the long-ready pod stays."""
    r = rs(replicas=5)
    s = state(
        r,
        pod("p1-ready-long", FOO, r, node="n1", ready_elapsed=True, creation_index=1),
        pod("p2-ready-short", FOO, r, node="n2", creation_index=2),
        pod("p3-not-ready", FOO, r, node="n3", ready=False, creation_index=3),
        pod("p4-pending", FOO, r, node="n4", phase="Pending", creation_index=4),
        pod("p5-unassigned", FOO, r, node=None, phase="Pending", creation_index=5),
    )
    s = s.put(replace(r, replicas=1))
    got = [d.name for d in deletes(sync_replica_set(s, KEY))]
    assert got == ["p5-unassigned", "p4-pending", "p3-not-ready", "p2-ready-short"]


def test_scale_down_breaks_ties_newest_first_and_by_restarts() -> None:
    r = rs(replicas=1)
    s = state(
        r,
        pod("old", FOO, r, node="n1", creation_index=1),
        pod("new", FOO, r, node="n2", creation_index=9),
        pod("crashy", FOO, r, node="n3", creation_index=0, restarts=4),
    )
    assert [d.name for d in deletes(sync_replica_set(s, KEY))] == ["crashy", "new"]


def test_converges_from_empty_and_then_is_disabled() -> None:
    s, steps = run_to_fixpoint(state(rs(replicas=3)), sync_replica_set, KEY)
    assert steps == 2  # create 3 pods, then record status.replicas = 3
    pods = s.objects("Pod")
    assert len(pods) == 3 and {p.controller_ref().uid for p in pods} == {"uid-foobar"}
    assert [p.name for p in pods] == ["foobar-1", "foobar-2", "foobar-3"]
    assert s.get("ReplicaSet", *KEY).status == ReplicaSetStatus(3, 3, 0, 0, observed_generation=1)


def test_two_overlapping_replica_sets_do_not_steal() -> None:
    a = rs("a", 2)
    b = rs("b", 2)
    s = state(a, b, pod("orphan", FOO))
    for _ in range(4):
        for key in (("default", "a"), ("default", "b")):
            s = apply(s, sync_replica_set(s, key))
    owners = [p.controller_ref().name for p in filter_active_pods(s.objects("Pod"))]
    assert sorted(owners) == ["a", "a", "b", "b"]
    assert s.get("Pod", "default", "orphan").controller_ref().name == "a"  # first syncer adopts
    assert sync_replica_set(s, ("default", "a")) == () and sync_replica_set(s, ("default", "b")) == ()


def test_delete_carries_uid_precondition_and_targets_active_pods_only() -> None:
    r = rs(replicas=0)
    s = state(r, pod("a", FOO, r), pod("gone", FOO, r, deleting=True))
    (d,) = deletes(sync_replica_set(s, KEY))
    assert isinstance(d, Delete) and (d.name, d.uid) == ("a", "uid-a")


def test_claim_patch_is_an_update_of_the_listed_pod() -> None:
    r = rs(replicas=1)
    orphan = pod("o", FOO, ready_elapsed=True, restarts=2)
    (u, *_) = sync_replica_set(state(r, orphan), KEY)
    assert isinstance(u, Update)
    assert replace(u.obj, owner_references=()) == orphan  # only the ownerReferences change


def test_converges_under_the_model_api_server() -> None:
    """Integration with model.apiserver: the writes are accepted as issued, an RS and an RC
    with the same selector share an orphan-free namespace, and scale-down removes the
    not-ready pods before the Ready orphan that was adopted."""
    from model.apiserver import apply_writes
    from model.replication import sync_replication_controller
    from tests.model.builders_replicaset import rc

    s = state(rs(replicas=3), rc("c", replicas=2), pod("orphan", FOO))
    steps = [(sync_replica_set, KEY), (sync_replication_controller, ("default", "c"))]
    for _ in range(4):
        for sync, key in steps:
            s = apply_writes(s, sync(s, key))
    assert all(sync(s, key) == () for sync, key in steps)
    kinds = sorted(p.controller_ref().kind for p in filter_active_pods(s.objects("Pod")))
    assert kinds == ["ReplicaSet"] * 3 + ["ReplicationController"] * 2
    s = s.put(replace(s.get("ReplicaSet", *KEY), replicas=1))
    s = apply_writes(s, sync_replica_set(s, KEY))
    mine = [p.name for p in filter_active_pods(s.objects("Pod")) if p.controller_ref().kind == "ReplicaSet"]
    assert mine == ["orphan"]
