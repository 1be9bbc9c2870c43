"""Tables of kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils_test.go, ported.

Each pytest id is the upstream test name (and the upstream case name for tables).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from model.errors import ModelError
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import (
    ControllerRevision,
    OwnerReference,
    PersistentVolumeClaim,
    PersistentVolumeClaimTemplate,
    Pod,
    PodConditions,
    PVCRetentionPolicy,
    StatefulSet,
    StatefulSetStatus,
    StatefulSetUpdateStrategy,
    Volume,
)
from model.statefulset_utils import (
    POD_INDEX_LABEL,
    STATEFUL_SET_POD_NAME_LABEL,
    STATEFUL_SET_REVISION_LABEL,
    add_controller_ref,
    apply_revision,
    ascending_ordinal,
    complete_rolling_update,
    compute_replica_status,
    controller_revision_hash,
    descending_ordinal,
    equal_revision,
    get_end_ordinal,
    get_ordinal,
    get_parent_name_and_ordinal,
    get_persistent_volume_claim_name,
    get_persistent_volume_claim_retention_policy,
    get_persistent_volume_claims,
    get_pod_name,
    get_pod_revision,
    get_start_ordinal,
    get_stateful_set_max_unavailable,
    has_non_controller_owner,
    has_owner_ref,
    has_stale_owner_ref,
    has_unexpected_controller,
    identity_matches,
    inconsistent_status,
    init_identity,
    is_claim_owner_up_to_date,
    is_created,
    is_failed,
    is_healthy,
    is_member_of,
    is_pending,
    is_running_and_available,
    is_running_and_ready,
    is_succeeded,
    is_terminating,
    is_unavailable,
    matches_ref,
    new_revision,
    new_stateful_set_pod,
    new_versioned_stateful_set_pod,
    next_revision,
    overlapping_stateful_sets,
    pod_in_ordinal_range,
    set_pod_revision,
    sort_controller_revisions,
    storage_matches,
    update_claim_owner_ref_for_set_and_pod,
    update_identity,
    update_storage,
)
from tests.model.builders_statefulset import new_stateful_set, with_image

RETAIN, DELETE = "Retain", "Delete"


def _pod(name: str, uid: str = "") -> Pod:
    return Pod(name=name, uid=uid)


def _claim(*refs: OwnerReference) -> PersistentVolumeClaim:
    return PersistentVolumeClaim(name="target-claim", owner_references=tuple(refs))


def _ref(api: str, kind: str, name: str, uid: str, controller: bool = False) -> OwnerReference:
    return OwnerReference(api, kind, name, uid, controller=controller)


def _set(name: str, uid: str, replicas: int = 1, policy: PVCRetentionPolicy | None = None) -> StatefulSet:
    return StatefulSet(name=name, uid=uid, replicas=replicas,
                       persistent_volume_claim_retention_policy=policy or PVCRetentionPolicy())


# ------------------------------------------------------------------ identity


@pytest.mark.parametrize(
    "name, parent, ordinal",
    [
        pytest.param("foo-1", "foo", 1, id="TestGetParentNameAndOrdinal/member"),
        pytest.param("1-bar", "", -1, id="TestGetParentNameAndOrdinal/non-member"),
        # beyond upstream's two rows: the regex is greedy and the ordinal is an int32
        pytest.param("a-b-12", "a-b", 12, id="greedy-parent"),
        pytest.param("web-007", "web", 7, id="leading-zeros"),
        pytest.param("web-2147483647", "web", 2147483647, id="int32-max"),
        pytest.param("web-2147483648", "web", -1, id="int32-overflow"),
        pytest.param("web-", "", -1, id="no-digits"),
        pytest.param("web-1\n", "", -1, id="trailing-newline-is-not-end"),
    ],
)
def test_get_parent_name_and_ordinal(name: str, parent: str, ordinal: int) -> None:
    assert get_parent_name_and_ordinal(_pod(name)) == (parent, ordinal)


def test_new_pod_ordinal_round_trip() -> None:
    """TestGetParentNameAndOrdinal: a pod built by newStatefulSetPod parses back."""
    set_ = new_stateful_set(3)
    assert get_parent_name_and_ordinal(new_stateful_set_pod(set_, 1)) == ("foo", 1)


@pytest.mark.parametrize(
    "claim_name, pod_name",
    [
        ("volume-my-set-2", "my-set-2"),
        ("long-volume-my-set-20", "my-set-20"),
        ("volume-2-my-set", ""),
        ("volume-pod-2", ""),
    ],
    ids=["TestGetClaimPodName/0", "TestGetClaimPodName/1", "TestGetClaimPodName/2", "TestGetClaimPodName/3"],
)
def test_get_claim_pod_name(claim_name: str, pod_name: str) -> None:
    """The claim name format ``<template>-<set>-<ordinal>`` embeds the pod name."""
    import re

    set_ = StatefulSet(name="my-set")
    m = re.fullmatch(rf".*-({set_.name}-[0-9]+)", claim_name)
    assert (m.group(1) if m else "") == pod_name
    if pod_name:
        ordinal = get_ordinal(pod_name)
        template = PersistentVolumeClaimTemplate(name=claim_name[: -len(pod_name) - 1])
        assert get_persistent_volume_claim_name(set_, template, ordinal) == claim_name


def test_is_member_of() -> None:
    """TestIsMemberOf."""
    set_ = new_stateful_set(3)
    set2 = replace(new_stateful_set(3), name="foo2")
    pod = new_stateful_set_pod(set_, 1)
    assert is_member_of(set_, pod)
    assert not is_member_of(set2, pod)


def _drop_label(pod: Pod, key: str) -> Pod:
    return replace(pod, labels=pod.labels.remove(key))


@pytest.mark.parametrize(
    "mutate, matches",
    [
        pytest.param(lambda p: p, True, id="TestIdentityMatches/new-pod"),
        pytest.param(lambda p: replace(p, name="foo"), False, id="TestIdentityMatches/wrong-name"),
        pytest.param(lambda p: replace(p, namespace=""), False, id="TestIdentityMatches/wrong-namespace"),
        pytest.param(lambda p: _drop_label(p, STATEFUL_SET_POD_NAME_LABEL), False,
                     id="TestIdentityMatches/missing-pod-name-label"),
        pytest.param(lambda p: replace(p, hostname="x", subdomain="y"), True,
                     id="hostname-subdomain-not-checked"),
    ],
)
def test_identity_matches(mutate, matches: bool) -> None:  # type: ignore[no-untyped-def]
    set_ = new_stateful_set(3)
    assert identity_matches(set_, mutate(new_stateful_set_pod(set_, 1))) is matches


def _claim_names_to(pod: Pod, name: str | None) -> Pod:
    return replace(pod, volumes=tuple(replace(v, claim_name=name if v.claim_name else None) for v in pod.volumes))


STORAGE_CASES = [
    pytest.param(lambda p: p, True, id="TestStorageMatches/new-pod"),
    pytest.param(lambda p: replace(p, volumes=()), False, id="TestStorageMatches/nil-volumes"),
    pytest.param(lambda p: replace(p, volumes=tuple(Volume(v.name) for v in p.volumes)), False,
                 id="TestStorageMatches/nil-claim-source"),
    pytest.param(lambda p: _claim_names_to(p, "foo"), False, id="TestStorageMatches/wrong-claim-name"),
    pytest.param(lambda p: replace(p, name="bar"), False, id="TestStorageMatches/invalid-ordinal"),
]


@pytest.mark.parametrize("mutate, matches", STORAGE_CASES)
def test_storage_matches(mutate, matches: bool) -> None:  # type: ignore[no-untyped-def]
    set_ = new_stateful_set(3)
    assert storage_matches(set_, mutate(new_stateful_set_pod(set_, 1))) is matches


def test_update_identity() -> None:
    """TestUpdateIdentity: namespace and the pod-name label are restored."""
    set_ = new_stateful_set(3)
    pod = replace(new_stateful_set_pod(set_, 1), namespace="")
    assert not identity_matches(set_, pod)
    pod = update_identity(set_, pod)
    assert identity_matches(set_, pod)
    pod = update_identity(set_, _drop_label(pod, STATEFUL_SET_POD_NAME_LABEL))
    assert identity_matches(set_, pod)
    assert pod.labels[POD_INDEX_LABEL] == "1"


@pytest.mark.parametrize("mutate, matches", STORAGE_CASES[1:4])
def test_update_storage(mutate, matches: bool) -> None:  # type: ignore[no-untyped-def]
    """TestUpdateStorage: every broken storage is repaired, the non-claim volume kept."""
    set_ = new_stateful_set(3)
    broken = mutate(new_stateful_set_pod(set_, 1))
    assert not storage_matches(set_, broken)
    fixed = update_storage(set_, broken)
    assert storage_matches(set_, fixed)
    assert [v.name for v in fixed.volumes][0] == "datadir"
    assert fixed.volumes[0].claim_name == "datadir-foo-1"


def test_update_storage_replaces_conflicting_volume_and_keeps_others() -> None:
    set_ = new_stateful_set(3)
    pod = replace(new_stateful_set_pod(set_, 2), volumes=(Volume("home"), Volume("datadir")))
    assert update_storage(set_, pod).volumes == (Volume("datadir", "datadir-foo-2"), Volume("home"))


def test_new_pod_identity_fields() -> None:
    """newStatefulSetPod: initIdentity sets hostname/subdomain once; labels and storage."""
    set_ = new_stateful_set(3)
    pod = new_stateful_set_pod(set_, 2)
    assert (pod.name, pod.namespace, pod.hostname, pod.subdomain) == ("foo-2", "default", "foo-2", "governingsvc")
    assert pod.labels == {"foo": "bar", STATEFUL_SET_POD_NAME_LABEL: "foo-2", POD_INDEX_LABEL: "2"}
    assert pod.phase == "" and not is_created(pod)
    # update_identity does not touch the immutable hostname/subdomain
    assert update_identity(set_, replace(pod, hostname="x")).hostname == "x"
    assert init_identity(set_, replace(pod, hostname="x")).hostname == "foo-2"


def test_get_persistent_volume_claim_retention_policy() -> None:
    """TestGetPersistentVolumeClaimRetentionPolicy."""
    set_ = _set("s", "u", policy=PVCRetentionPolicy(RETAIN, RETAIN))
    assert get_persistent_volume_claim_retention_policy(set_) == PVCRetentionPolicy("Retain", "Retain")
    set_ = _set("s", "u", policy=PVCRetentionPolicy(when_deleted=RETAIN, when_scaled=DELETE))
    got = get_persistent_volume_claim_retention_policy(set_)
    assert (got.when_scaled, got.when_deleted) == (DELETE, RETAIN)
    assert get_persistent_volume_claim_retention_policy(StatefulSet(name="x")) == PVCRetentionPolicy(RETAIN, RETAIN)


# ------------------------------------------------------------- PVC retention


@pytest.mark.parametrize(
    "ref, obj_name, should_match",
    [
        pytest.param(_ref("v1", "Pod", "fred", "abc"), "fred", True, id="TestMatchesRef/full match"),
        pytest.param(_ref("v1", "Pod", "fred", "abc"), "fred", True, id="TestMatchesRef/match without UID"),
        pytest.param(_ref("v1", "Pod", "fred", "abc"), "joan", False, id="TestMatchesRef/mismatch name"),
        pytest.param(_ref("beta2", "Pod", "fred", "abc"), "fred", False, id="TestMatchesRef/wrong schema"),
    ],
)
def test_matches_ref(ref: OwnerReference, obj_name: str, should_match: bool) -> None:
    assert matches_ref(ref, obj_name, "v1", "Pod") is should_match


IS_CLAIM_OWNER_UP_TO_DATE = [
    # name, scaleDownPolicy, setDeletePolicy, needsPodRef, needsSetRef, replicas, ordinal
    ("retain", RETAIN, RETAIN, False, False, 0, 0),
    ("on SS delete", RETAIN, DELETE, False, True, 0, 0),
    ("on scaledown only, condemned", DELETE, RETAIN, True, False, 2, 2),
    ("on scaledown only, remains", DELETE, RETAIN, False, False, 2, 1),
    ("on both, condemned", DELETE, DELETE, True, False, 2, 2),
    ("on both, remains", DELETE, DELETE, False, True, 2, 1),
]


@pytest.mark.parametrize(
    "scaled, deleted, needs_pod, needs_set, replicas, ordinal, others, pod_ref, set_ref",
    [
        pytest.param(*row[1:], others, pod_ref, set_ref,
                     id=f"TestIsClaimOwnerUpToDate/{row[0]}/others={others},pod={pod_ref},set={set_ref}")
        for row in IS_CLAIM_OWNER_UP_TO_DATE
        for others, pod_ref, set_ref in itertools.product([False, True], repeat=3)
    ],
)
def test_is_claim_owner_up_to_date(
    scaled: str, deleted: str, needs_pod: bool, needs_set: bool, replicas: int, ordinal: int,
    others: bool, pod_ref: bool, set_ref: bool,
) -> None:
    pod = _pod(f"pod-{ordinal}", "pod-123")
    set_ = _set("stateful-set", "ss-456", replicas, PVCRetentionPolicy(deleted, scaled))  # type: ignore[arg-type]
    refs: tuple[OwnerReference, ...] = ()
    if pod_ref:
        refs = add_controller_ref(refs, pod.name, pod.uid, "v1", "Pod")
    if set_ref:
        refs = add_controller_ref(refs, set_.name, set_.uid, "apps/v1", "StatefulSet")
    if others:
        refs += (_ref("v1", "Pod", "rand1", "rand1-uid"), _ref("v1", "Pod", "rand2", "rand2-uid"))
    should_match = pod_ref == needs_pod and set_ref == needs_set
    assert is_claim_owner_up_to_date(_claim(*refs), set_, pod) is should_match


@pytest.mark.parametrize(
    "refs, scaled, deleted, should_match",
    [
        pytest.param([_ref("v1", "Pod", "pod-1", "pod-123", True)], DELETE, DELETE, True,
                     id="TestClaimOwnerUpToDateEdgeCases/normal controller, pod"),
        pytest.param([_ref("v1", "Pod", "pod-1", "pod-123")], DELETE, DELETE, False,
                     id="TestClaimOwnerUpToDateEdgeCases/non-controller causes policy mismatch, pod"),
        pytest.param([_ref("v1", "Pod", "pod-1", "pod-stale", True)], DELETE, DELETE, True,
                     id="TestClaimOwnerUpToDateEdgeCases/stale controller does not affect policy, pod"),
        pytest.param([_ref("v1", "Pod", "pod-1", "pod-123", True), _ref("v1", "Pod", "Random", "random", True)],
                     DELETE, DELETE, False,
                     id="TestClaimOwnerUpToDateEdgeCases/unexpected controller causes policy mismatch, pod"),
        pytest.param([_ref("apps/v1", "StatefulSet", "stateful-set", "ss-456", True)], RETAIN, DELETE, True,
                     id="TestClaimOwnerUpToDateEdgeCases/normal controller, set"),
        pytest.param([_ref("appsv1", "StatefulSet", "stateful-set", "ss-456")], RETAIN, DELETE, False,
                     id="TestClaimOwnerUpToDateEdgeCases/non-controller causes policy mismatch, set"),
        pytest.param([_ref("apps/v1", "StatefulSet", "stateful-set", "set-stale", True)], RETAIN, DELETE, True,
                     id="TestClaimOwnerUpToDateEdgeCases/stale controller ignored, set"),
        pytest.param([_ref("apps/v1", "StatefulSet", "stateful-set", "ss-456", True),
                      _ref("apps/v1", "StatefulSet", "Random", "random", True)], RETAIN, DELETE, False,
                     id="TestClaimOwnerUpToDateEdgeCases/unexpected controller causes policy mismatch, set"),
    ],
)
def test_claim_owner_up_to_date_edge_cases(
    refs: list[OwnerReference], scaled: str, deleted: str, should_match: bool
) -> None:
    set_ = _set("stateful-set", "ss-456", 1, PVCRetentionPolicy(deleted, scaled))  # type: ignore[arg-type]
    assert is_claim_owner_up_to_date(_claim(*refs), set_, _pod("pod-1", "pod-123")) is should_match


UPDATE_CLAIM_OWNER_REF = [
    # name, scaleDownPolicy, setDeletePolicy, condemned, needsPodRef, needsSetRef, unexpectedController
    ("retain", RETAIN, RETAIN, False, False, False, False),
    ("delete with set", RETAIN, DELETE, False, False, True, False),
    ("delete with scaledown, not condemned", DELETE, RETAIN, False, False, False, False),
    ("delete on scaledown, condemned", DELETE, RETAIN, True, True, False, False),
    ("delete on both, not condemned", DELETE, DELETE, False, False, True, False),
    ("delete on both, condemned", DELETE, DELETE, True, True, False, False),
    ("unexpected controller", DELETE, DELETE, True, False, False, True),
]


@pytest.mark.parametrize(
    "scaled, deleted, condemned, needs_pod, needs_set, unexpected, variation",
    [
        pytest.param(*row[1:], v, id=f"TestUpdateClaimOwnerRefForSetAndPod/{row[0]}/variation={v}")
        for row in UPDATE_CLAIM_OWNER_REF
        for v in range(8)
    ],
)
def test_update_claim_owner_ref_for_set_and_pod(
    scaled: str, deleted: str, condemned: bool, needs_pod: bool, needs_set: bool, unexpected: bool, variation: int
) -> None:
    has_pod_ref, has_set_ref, extra_owner = variation & 1 != 0, variation & 2 != 0, variation & 3 != 0
    set_ = _set("ss", "ss-123", 5, PVCRetentionPolicy(deleted, scaled))  # type: ignore[arg-type]
    pod = _pod("pod-8" if condemned else "pod-1", "pod-456")
    refs: tuple[OwnerReference, ...] = ()
    if has_pod_ref:
        refs = add_controller_ref(refs, pod.name, pod.uid, "v1", "Pod")
    if has_set_ref:
        refs = add_controller_ref(refs, set_.name, set_.uid, "apps/v1", "StatefulSet")
    if extra_owner:
        refs += (_ref("custom/v1", "random", "random", "abc"),)
    if unexpected:
        refs += (_ref("custom/v1", "Unknown", "unknown", "xyz", True),)
    claim = update_claim_owner_ref_for_set_and_pod(_claim(*refs), set_, pod)

    def check(uid: str) -> bool:
        for ref in claim.owner_references:
            if ref.uid == uid:
                return ref.controller
        return False

    assert check(pod.uid) is needs_pod
    assert check(set_.uid) is needs_set
    if extra_owner:  # foreign refs survive the scrub
        assert any(r.uid == "abc" for r in claim.owner_references)
    if not unexpected:  # after the update the claim is up to date
        assert is_claim_owner_up_to_date(claim, set_, pod)


def _key(refs: tuple[OwnerReference, ...] | list[OwnerReference]) -> list[str]:
    """ownerRefsChanged compares APIVersion-Kind-Name multisets."""
    return sorted(f"{r.api_version}-{r.kind}-{r.name}" for r in refs)


@pytest.mark.parametrize(
    "original, expected",
    [
        pytest.param([_ref("apps/v1", "StatefulSet", "sts", "123", True), _ref("someone", "Else", "foo", "")],
                     [_ref("apps/v1", "StatefulSet", "sts", "123", True), _ref("someone", "Else", "foo", "")],
                     id="TestUpdateClaimControllerRef/set correctly"),
        pytest.param([_ref("apps/v1", "StatefulSet", "sts", "123")],
                     [_ref("apps/v1", "StatefulSet", "sts", "123", True)],
                     id="TestUpdateClaimControllerRef/missing controller"),
        pytest.param([_ref("someone", "else", "sts", "456")],
                     [_ref("someone", "else", "sts", "456"), _ref("apps/v1", "StatefulSet", "sts", "123", True)],
                     id="TestUpdateClaimControllerRef/matching name but missing"),
        pytest.param([], [_ref("apps/v1", "StatefulSet", "sts", "123", True)],
                     id="TestUpdateClaimControllerRef/not present"),
        pytest.param([_ref("apps/v1", "StatefulSet", "sts", "", True)], [],
                     id="TestUpdateClaimControllerRef/controller, but no UID"),
        pytest.param([_ref("apps/v1", "StatefulSet", "sts", "")], [],
                     id="TestUpdateClaimControllerRef/neither controller nor UID"),
    ],
)
def test_update_claim_controller_ref(original: list[OwnerReference], expected: list[OwnerReference]) -> None:
    set_ = _set("sts", "123", 1, PVCRetentionPolicy(DELETE, DELETE))
    claim = update_claim_owner_ref_for_set_and_pod(_claim(*original), set_, _pod("pod-0", "456"))
    assert _key(claim.owner_references) == _key(expected)
    for exp in expected:  # the controller flag of our own ref is set
        if exp.uid == "123":
            assert any(r.uid == "123" and r.controller for r in claim.owner_references)


@pytest.mark.parametrize(
    "uid, has_ref", [("123", True), ("456", True), ("789", True), ("012", False)],
    ids=["TestHasOwnerRef/controller", "TestHasOwnerRef/controller-false", "TestHasOwnerRef/unset",
         "TestHasOwnerRef/absent"],
)
def test_has_owner_ref(uid: str, has_ref: bool) -> None:
    refs = (OwnerReference("", "", "", "123", controller=True), OwnerReference("", "", "", "456"),
            OwnerReference("", "", "", "789"))
    assert has_owner_ref(refs, uid) is has_ref


@pytest.mark.parametrize(
    "refs, unexpected",
    [
        pytest.param([_ref("chipmunks/v1", "CustomController", "simon", "other-uid", True)], True,
                     id="TestHasUnexpectedController/custom controller"),
        pytest.param([_ref("chipmunks/v1", "CustomController", "simon", "other-uid", False)], False,
                     id="TestHasUnexpectedController/custom non-controller"),
        pytest.param([_ref("chipmunks/v1", "CustomController", "simon", "other-uid")], False,
                     id="TestHasUnexpectedController/custom unspecified controller"),
        pytest.param([_ref("v1", "Pod", "simon", "other-uid", True)], True,
                     id="TestHasUnexpectedController/other pod controller"),
        pytest.param([_ref("apps/v1", "Set", "simon", "other-uid", True)], True,
                     id="TestHasUnexpectedController/other set controller"),
        pytest.param([_ref("apps/v1", "StatefulSet", "set", "set-uid", True)], False,
                     id="TestHasUnexpectedController/own set controller"),
        pytest.param([_ref("apps/v1", "StatefulSet", "set", "stale-uid", True)], True,
                     id="TestHasUnexpectedController/own set controller, stale uid"),
        pytest.param([_ref("v1", "Pod", "pod", "pod-uid", True)], False,
                     id="TestHasUnexpectedController/own pod controller"),
        pytest.param([_ref("v1", "Pod", "pod", "stale-uid", True)], True,
                     id="TestHasUnexpectedController/own pod controller, stale uid"),
        pytest.param([_ref("v1", "Pod", "pod", "pod-uid", True),
                      _ref("chipmunks/v1", "CustomController", "simon", "other-uid", True)], True,
                     id="TestHasUnexpectedController/own controller and another"),
        pytest.param([_ref("v1", "Pod", "pod", "pod-uid", True),
                      _ref("chipmunks/v1", "CustomController", "simon", "other-uid", False)], False,
                     id="TestHasUnexpectedController/own controller and a non-controller"),
    ],
)
def test_has_unexpected_controller(refs: list[OwnerReference], unexpected: bool) -> None:
    pod = _pod("pod", "pod-uid")
    assert not has_unexpected_controller(_claim(*refs), _set("set", "set-uid"), pod)  # Retain/Retain: anything goes
    for policy in (PVCRetentionPolicy(RETAIN, DELETE), PVCRetentionPolicy(DELETE, RETAIN),
                   PVCRetentionPolicy(DELETE, DELETE)):
        assert has_unexpected_controller(_claim(*refs), _set("set", "set-uid", 1, policy), pod) is unexpected


@pytest.mark.parametrize(
    "refs, non_controller",
    [
        pytest.param([_ref("v1", "Pod", "pod", "pod", True), _ref("apps/v1", "Set", "set", "set", True)], False,
                     id="TestNonController/set and pod controller"),
        pytest.param([_ref("v1", "Pod", "pod", "pod"), _ref("apps/v1", "Set", "set", "set", True)], True,
                     id="TestNonController/set controller, pod noncontroller"),
        pytest.param([_ref("v1", "Pod", "pod", "pod", True), _ref("apps/v1", "Set", "set", "set")], True,
                     id="TestNonController/set noncontroller, pod controller"),
        pytest.param([_ref("apps/v1", "Set", "set", "set", True)], False, id="TestNonController/set controller"),
        pytest.param([_ref("v1", "Pod", "pod", "pod", True)], False, id="TestNonController/pod controller"),
        pytest.param([], False, id="TestNonController/nothing"),
        pytest.param([_ref("apps/v1", "Set", "set", "set")], True, id="TestNonController/set noncontroller"),
        pytest.param([_ref("apps/v1", "Set", "set", "set", False)], True,
                     id="TestNonController/set noncontroller with ptr"),
        pytest.param([_ref("v1", "pod", "pod", "pod")], True, id="TestNonController/pod noncontroller"),
        pytest.param([_ref("v1", "pod", "pod", "not-matching")], False, id="TestNonController/other noncontroller"),
    ],
)
def test_non_controller(refs: list[OwnerReference], non_controller: bool) -> None:
    assert has_non_controller_owner(_claim(*refs), _set("set", "set"), _pod("pod", "pod")) is non_controller


@pytest.mark.parametrize(
    "name, uid, stale",
    [("bob", "123", False), ("shirley", "789", True), ("yvonne", "345", False)],
    ids=["TestHasStaleOwnerRef/ownerA", "TestHasStaleOwnerRef/ownerB", "TestHasStaleOwnerRef/ownerC"],
)
def test_has_stale_owner_ref(name: str, uid: str, stale: bool) -> None:
    refs = (_ref("v1", "Pod", "bob", "123"), _ref("v1", "Pod", "shirley", "456"))
    assert has_stale_owner_ref(refs, name, uid, "v1", "Pod") is stale


# ------------------------------------------------------------ pod predicates


def test_is_running_and_ready() -> None:
    """TestIsRunningAndReady: phase and the Ready condition are both required."""
    set_ = new_stateful_set(3)
    pod = new_stateful_set_pod(set_, 1)
    assert not is_running_and_ready(pod)
    pod = replace(pod, phase="Running")
    assert not is_running_and_ready(pod)
    pod = replace(pod, conditions=PodConditions(ready=True))
    assert is_running_and_ready(pod)
    assert not is_running_and_ready(replace(pod, phase="Pending"))


@pytest.mark.parametrize(
    "phase, ready, elapsed, deleting, mrs, available, unavailable, healthy",
    [
        pytest.param("Running", True, False, False, 0, True, False, True, id="ready-no-minReadySeconds"),
        pytest.param("Running", True, False, False, 10, False, True, True, id="ready-minReadySeconds-pending"),
        pytest.param("Running", True, True, False, 10, True, False, True, id="ready-minReadySeconds-elapsed"),
        pytest.param("Running", True, True, True, 10, True, True, False, id="terminating-is-unavailable"),
        pytest.param("Pending", True, True, False, 0, True, True, False, id="available-ignores-phase"),
        pytest.param("Running", False, True, False, 0, False, True, False, id="not-ready"),
    ],
)
def test_availability_predicates(
    phase: str, ready: bool, elapsed: bool, deleting: bool, mrs: int, available: bool, unavailable: bool,
    healthy: bool,
) -> None:
    """isRunningAndAvailable (podutil.IsPodAvailable with abstract time), isUnavailable, isHealthy."""
    pod = Pod(name="foo-0", phase=phase, conditions=PodConditions(ready=ready),  # type: ignore[arg-type]
              ready_elapsed=elapsed, deletion_timestamp=1 if deleting else None)
    assert is_running_and_available(pod, mrs) is available
    assert is_unavailable(pod, mrs) is unavailable
    assert is_healthy(pod) is healthy
    if mrs == 0:  # the v1.34 (isHealthy) and v1.35 (isUnavailable) formulations agree
        assert is_unavailable(pod, 0) is (not is_healthy(pod))


@pytest.mark.parametrize("phase", ["", "Pending", "Running", "Succeeded", "Failed", "Unknown"])
def test_phase_predicates(phase: str) -> None:
    pod = Pod(name="foo-0", phase=phase)  # type: ignore[arg-type]
    assert is_created(pod) is (phase != "")
    assert is_pending(pod) is (phase == "Pending")
    assert is_failed(pod) is (phase == "Failed")
    assert is_succeeded(pod) is (phase == "Succeeded")
    assert not is_terminating(pod)
    assert is_terminating(replace(pod, deletion_timestamp=3))


def test_ascending_ordinal() -> None:
    """TestAscendingOrdinal (and descendingOrdinal; ordinal -1 sorts first)."""
    set_ = new_stateful_set(10)
    perm = list(range(10))
    random.Random(7).shuffle(perm)
    pods = [new_stateful_set_pod(set_, v) for v in perm] + [_pod("no-ordinal")]
    assert [get_ordinal(p) for p in ascending_ordinal(pods)] == [-1] + list(range(10))
    assert [get_ordinal(p) for p in descending_ordinal(pods)] == list(range(9, -1, -1)) + [-1]


def test_overlapping_stateful_sets() -> None:
    """TestOverlappingStatefulSets: oldest first, then by name."""
    perm = list(range(10))
    random.Random(3).shuffle(perm)
    sets = [replace(new_stateful_set(10), creation_index=v) for v in perm]
    assert [s.creation_index for s in overlapping_stateful_sets(sets)] == list(range(10))
    sets = [replace(new_stateful_set(10), name=str(v)) for v in perm]
    assert [s.name for s in overlapping_stateful_sets(sets)] == sorted(str(v) for v in range(10))


def test_new_pod_controller_ref() -> None:
    """TestNewPodControllerRef."""
    set_ = new_stateful_set(1)
    ref = new_stateful_set_pod(set_, 0).controller_ref()
    assert ref is not None
    assert (ref.api_version, ref.kind, ref.name, ref.uid, ref.controller) == (
        "apps/v1", "StatefulSet", set_.name, set_.uid, True)
    assert ref.block_owner_deletion


def test_ordinal_range_with_start() -> None:
    """getStartOrdinal/getEndOrdinal/podInOrdinalRange with spec.ordinals.start (GA 1.31)."""
    set_ = replace(new_stateful_set(3), ordinals_start=5)
    assert (get_start_ordinal(set_), get_end_ordinal(set_)) == (5, 7)
    assert [pod_in_ordinal_range(get_pod_name(set_, o), set_) for o in (4, 5, 7, 8)] == [False, True, True, False]
    assert not pod_in_ordinal_range("foo", set_)


# ------------------------------------------------------------------ revisions


def test_create_apply_revision() -> None:
    """TestCreateApplyRevision: a revision restores the template; annotations come from the set."""
    set_ = new_stateful_set(1)
    revision = new_revision(set_, 1, 0)
    changed = replace(with_image(set_, "changed"), annotations=FrozenMap(foo="bar"))
    restored = apply_revision(changed, revision)
    restored_revision = new_revision(restored, 2, restored.status.collision_count)
    assert equal_revision(revision, restored_revision)
    assert restored_revision.annotations["foo"] == "bar"
    assert restored.template == set_.template
    assert revision.data == set_.template and revision.revision == 1
    assert revision.controller_ref() is not None and revision.controller_ref().uid == set_.uid  # type: ignore[union-attr]


def test_rolling_update_apply_revision() -> None:
    """TestRollingUpdateApplyRevision: current and update revisions each restore their template."""
    set_ = new_stateful_set(1)
    current_revision = new_revision(set_, 1, 0)
    updated = with_image(set_, "foo")
    update_revision = new_revision(updated, 2, 0)
    assert apply_revision(updated, current_revision).template == set_.template
    assert apply_revision(updated, update_revision).template == updated.template
    assert current_revision.name != update_revision.name


def test_revision_hash_is_deterministic_and_collision_sensitive() -> None:
    """The hash deviation (docs/semantics.md#statefulset): equal data, equal name; the
    collision count and any template change give another name."""
    t = new_stateful_set(1).template
    assert controller_revision_hash(t, 0) == controller_revision_hash(replace(t), 0)
    assert controller_revision_hash(t, 0) != controller_revision_hash(t, 1)
    assert controller_revision_hash(t, 0) != controller_revision_hash(with_image(new_stateful_set(1), "x").template, 0)
    assert len(controller_revision_hash(t, None)) == 10
    rev = new_revision(new_stateful_set(1), 1, 0)
    assert rev.name == "foo-" + controller_revision_hash(t, 0)
    assert rev.labels["controller.kubernetes.io/hash"] == controller_revision_hash(t, 0)


def test_next_and_sort_revisions() -> None:
    revs = [ControllerRevision(name=n, revision=r, creation_index=c) for n, r, c in
            [("b", 2, 0), ("a", 1, 5), ("c", 2, 0), ("d", 1, 1)]]
    ordered = sort_controller_revisions(revs)
    assert [r.name for r in ordered] == ["d", "a", "b", "c"]
    assert next_revision(ordered) == 3
    assert next_revision([]) == 1


def test_new_versioned_stateful_set_pod() -> None:
    """newVersionedStatefulSetPod: below the partition the current revision, else the update one."""
    current = with_strategy_rolling(new_stateful_set(5), partition=3)
    update = with_image(current, "new")
    pods = [new_versioned_stateful_set_pod(current, update, "cur", "upd", o) for o in range(5)]
    assert [get_pod_revision(p) for p in pods] == ["cur", "cur", "cur", "upd", "upd"]
    assert [p.spec_containers[0].image for p in pods] == ["nginx"] * 3 + ["new"] * 2
    ondelete = replace(current, update_strategy=StatefulSetUpdateStrategy(type="OnDelete", partition=3))
    assert get_pod_revision(new_versioned_stateful_set_pod(ondelete, update, "cur", "upd", 0)) == "upd"
    # the partition is compared with the slot index (ordinal - start)
    started = replace(current, ordinals_start=10)
    assert [get_pod_revision(new_versioned_stateful_set_pod(started, update, "cur", "upd", o))
            for o in (12, 13)] == ["cur", "upd"]


def with_strategy_rolling(set_: StatefulSet, partition: int) -> StatefulSet:
    return replace(set_, update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", partition=partition))


def test_set_and_get_pod_revision() -> None:
    pod = _pod("foo-0")
    assert get_pod_revision(pod) == ""
    assert get_pod_revision(set_pod_revision(pod, "r1")) == "r1"
    assert set_pod_revision(pod, "r1").labels[STATEFUL_SET_REVISION_LABEL] == "r1"


def test_get_persistent_volume_claims() -> None:
    """TestGetPersistentVolumeClaims: selector labels overlay the template labels."""
    pod = _pod("foo-0")
    set_ = replace(new_stateful_set(1), selector=LabelSelector())
    claims = get_persistent_volume_claims(set_, pod)
    assert list(claims) == ["datadir"]
    assert (claims["datadir"].name, claims["datadir"].namespace, dict(claims["datadir"].labels)) == (
        "datadir-foo-0", "default", {})
    set_ = replace(set_, selector=LabelSelector(match_labels=FrozenMap(test="test")))
    assert get_persistent_volume_claims(set_, pod)["datadir"].labels == {"test": "test"}
    set_ = replace(set_, selector=LabelSelector(match_labels=FrozenMap(name="foo")),
                   volume_claim_templates=(PersistentVolumeClaimTemplate(name="datadir", labels=FrozenMap(test="test")),))
    assert get_persistent_volume_claims(set_, pod)["datadir"].labels == {"test": "test", "name": "foo"}
    set_ = replace(set_, selector=LabelSelector(match_labels=FrozenMap(test="foo")))
    assert get_persistent_volume_claims(set_, pod)["datadir"].labels == {"test": "foo"}


# ------------------------------------------------------------------ status


@pytest.mark.parametrize(
    "max_unavailable, replicas, expected",
    [
        (None, 10, 1), (3, 10, 3), (3, 0, 3), (0, 0, 1), ("10%", 25, 2), ("100%", 5, 5),
        ("50%", 5, 2), ("10%", 5, 1), ("1%", 0, 1), ("0%", 0, 1),
    ],
    ids=[f"TestGetStatefulSetMaxUnavailable/case {i}" for i in range(10)],
)
def test_get_stateful_set_max_unavailable(max_unavailable: int | str | None, replicas: int, expected: int) -> None:
    assert get_stateful_set_max_unavailable(max_unavailable, replicas) == expected


@pytest.mark.parametrize("bad", ["3", "abc%", True])
def test_get_stateful_set_max_unavailable_rejects_garbage(bad: object) -> None:
    with pytest.raises(ModelError, match="IntOrString|invalid"):
        get_stateful_set_max_unavailable(bad, 5)  # type: ignore[arg-type]


def test_compute_replica_status() -> None:
    """computeReplicaStatus: created / ready / available / current / updated."""
    ready = PodConditions(ready=True)
    pods = [
        Pod(name="a-0", phase="", labels=FrozenMap({STATEFUL_SET_REVISION_LABEL: "r1"})),
        Pod(name="a-1", phase="Running", conditions=ready, labels=FrozenMap({STATEFUL_SET_REVISION_LABEL: "r1"})),
        Pod(name="a-2", phase="Running", conditions=ready, ready_elapsed=True,
            labels=FrozenMap({STATEFUL_SET_REVISION_LABEL: "r2"})),
        Pod(name="a-3", phase="Running", conditions=ready, ready_elapsed=True, deletion_timestamp=1,
            labels=FrozenMap({STATEFUL_SET_REVISION_LABEL: "r2"})),
    ]
    s = compute_replica_status(pods, 5, "r1", "r2")
    assert (s.replicas, s.ready_replicas, s.available_replicas, s.current_replicas, s.updated_replicas) == (
        3, 3, 2, 1, 1)
    s = compute_replica_status(pods, 0, "r1", "r1")
    assert (s.available_replicas, s.current_replicas, s.updated_replicas) == (3, 1, 1)


def test_complete_rolling_update() -> None:
    """completeRollingUpdate needs updated == ready == replicas == spec.replicas, RollingUpdate only."""
    set_ = new_stateful_set(3)
    done = StatefulSetStatus(replicas=3, ready_replicas=3, updated_replicas=3, current_replicas=1,
                             current_revision="a", update_revision="b")
    assert (complete_rolling_update(set_, done).current_revision, complete_rolling_update(set_, done).current_replicas) \
        == ("b", 3)
    assert complete_rolling_update(set_, replace(done, ready_replicas=2)) == replace(done, ready_replicas=2)
    assert complete_rolling_update(replace(set_, replicas=4), done) == done
    ondelete = replace(set_, update_strategy=StatefulSetUpdateStrategy(type="OnDelete"))
    assert complete_rolling_update(ondelete, done) == done


@pytest.mark.parametrize(
    "change, inconsistent",
    [
        pytest.param({}, False, id="equal"),
        pytest.param({"observed_generation": 2}, True, id="generation-grew"),
        pytest.param({"observed_generation": 0}, False, id="generation-shrank-is-ignored"),
        pytest.param({"replicas": 4}, True, id="replicas"),
        pytest.param({"current_replicas": 4}, True, id="currentReplicas"),
        pytest.param({"ready_replicas": 4}, True, id="readyReplicas"),
        pytest.param({"updated_replicas": 4}, True, id="updatedReplicas"),
        pytest.param({"available_replicas": 4}, True, id="availableReplicas"),
        pytest.param({"current_revision": "x"}, True, id="currentRevision"),
        pytest.param({"update_revision": "x"}, True, id="updateRevision"),
        pytest.param({"collision_count": 7}, False, id="collisionCount-is-ignored"),
    ],
)
def test_inconsistent_status(change: dict[str, object], inconsistent: bool) -> None:
    base = StatefulSetStatus(observed_generation=1, replicas=3, ready_replicas=3, current_replicas=3,
                             updated_replicas=3, available_replicas=3, current_revision="a", update_revision="a",
                             collision_count=0)
    set_ = replace(new_stateful_set(3), status=base)
    assert inconsistent_status(set_, replace(base, **change)) is inconsistent  # type: ignore[arg-type]


def test_new_versioned_pod_with_nil_rolling_update() -> None:
    """``rollingUpdate == nil`` with type RollingUpdate: ordinals below start+status.currentReplicas
    keep the current revision (the first branch of upstream's condition)."""
    current = replace(new_stateful_set(4), update_strategy=StatefulSetUpdateStrategy(
        type="RollingUpdate", partition=3, has_rolling_update=False), status=StatefulSetStatus(current_replicas=2))
    update = with_image(current, "new")
    assert [get_pod_revision(new_versioned_stateful_set_pod(current, update, "cur", "upd", o))
            for o in range(4)] == ["cur", "cur", "upd", "upd"]
