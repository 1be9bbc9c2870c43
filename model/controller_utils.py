"""Helpers shared by the workload controllers: pod predicates, deletion ranking, claiming.

Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go,
pkg/controller/controller_ref_manager.go and pkg/api/v1/pod/util.go (IsPodReady,
IsPodAvailable). ``get_pods_to_delete`` and ``slow_start_batch`` live upstream in
pkg/controller/replicaset/replica_set.go; they are here because the ReplicaSet and the
ReplicationController controllers (and tests of the ranking) share them.

Everything is a pure function over frozen objects. Two abstractions matter (see
docs/semantics.md#replicaset):

* Time is abstract. ``Pod.ready_elapsed`` stands for "now - Ready.lastTransitionTime >=
  minReadySeconds", and ``creation_index`` for creationTimestamp (higher = newer).
* Nothing fails. In the model every API call succeeds, so ``slow_start_batch`` is only used
  to document (and test) how many creates one reconcile would issue.
"""

from __future__ import annotations

import math
import re
from itertools import combinations
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from model.api import Update, Write
from model.errors import ModelError
from model.frozen import FrozenMap
from model.objects import API_VERSIONS, OwnerReference, Pod, ReplicaSet
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "POD_DELETION_COST",
    "SLOW_START_INITIAL_BATCH_SIZE",
    "POD_PHASE_TO_ORDINAL",
    "is_pod_ready",
    "is_pod_available",
    "is_pod_active",
    "is_pod_terminating",
    "filter_active_pods",
    "filter_terminating_pods",
    "filter_active_replica_sets",
    "get_deletion_cost_from_pod_annotations",
    "max_container_restarts",
    "active_pods_with_ranks_key",
    "PodClock",
    "after_or_zero",
    "logarithmic_rank_diff",
    "pod_ready_time",
    "active_pods_less",
    "active_pods_with_ranks_less",
    "deletion_class_key",
    "get_pods_to_delete_choices",
    "get_pods_ranked_by_related_pods_on_same_node",
    "get_pods_to_delete",
    "slow_start_batch",
    "get_controller_of",
    "new_controller_ref",
    "recheck_deletion_timestamp",
    "CLAIMED",
    "ADOPT",
    "RELEASE",
    "IGNORE",
    "Matcher",
    "claim_object",
    "claim_pods",
    "adopt_pod",
    "release_pod",
    "EXPECTATIONS_TIMEOUT_SECONDS",
    "ControlleeExpectations",
    "ControllerExpectations",
    "UIDTrackingControllerExpectations",
]

#: core.PodDeletionCost (pkg/apis/core/annotation_key_constants.go).
POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"

#: controller.SlowStartInitialBatchSize (pkg/controller/controller_utils.go).
SLOW_START_INITIAL_BATCH_SIZE = 1

#: podPhaseToOrdinal (pkg/controller/controller_utils.go); any other phase counts as 0.
POD_PHASE_TO_ORDINAL: Mapping[str, int] = {"Pending": 0, "Unknown": 1, "Running": 2}


class Matcher(Protocol):
    """What claiming needs from a selector: ``labels.Selector.Matches``."""

    def matches(self, labels: Mapping[str, str]) -> bool: ...


# ----------------------------------------------------------------------- pod predicates


def is_pod_ready(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/api/v1/pod/util.go IsPodReady.

    True iff the pod's Ready condition has status True.
    """
    return pod.conditions.ready


def is_pod_available(pod: Pod, min_ready_seconds: int) -> bool:
    """Mirrors kubernetes/kubernetes pkg/api/v1/pod/util.go IsPodAvailable (abstract time).

    Upstream: ready and (minReadySeconds == 0 or (Ready.lastTransitionTime is set and
    lastTransitionTime + minReadySeconds <= now)). Here ``pod.ready_elapsed`` is that
    timer: an environment step sets it once the pod has been Ready for minReadySeconds.
    A negative ``min_ready_seconds`` cannot pass validation and raises ``ModelError``.
    """
    if min_ready_seconds < 0:
        raise ModelError(f"pod {pod.namespace}/{pod.name}: minReadySeconds {min_ready_seconds} < 0")
    if not is_pod_ready(pod):
        return False
    return min_ready_seconds == 0 or pod.ready_elapsed


def is_pod_active(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go IsPodActive.

    Not Succeeded, not Failed, and no deletionTimestamp.
    """
    return pod.phase not in ("Succeeded", "Failed") and pod.deletion_timestamp is None


def is_pod_terminating(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go IsPodTerminating.

    Not Succeeded, not Failed, and a deletionTimestamp is set.
    """
    return pod.phase not in ("Succeeded", "Failed") and pod.deletion_timestamp is not None


def filter_active_pods(pods: Iterable[Pod]) -> tuple[Pod, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go FilterActivePods.

    Keeps the input order.
    """
    return tuple(p for p in pods if is_pod_active(p))


def filter_terminating_pods(pods: Iterable[Pod]) -> tuple[Pod, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go FilterTerminatingPods."""
    return tuple(p for p in pods if is_pod_terminating(p))


def filter_active_replica_sets(replica_sets: Iterable[ReplicaSet | None]) -> tuple[ReplicaSet, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go FilterActiveReplicaSets.

    Drops ``None`` entries and ReplicaSets scaled to zero (spec.replicas > 0 is "active").
    """
    return tuple(rs for rs in replica_sets if rs is not None and rs.replicas > 0)


# ----------------------------------------------------------------------- deletion ranking

_INT_RE = re.compile(r"-?[0-9]+\Z")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _valid_first_digit(value: str) -> bool:
    """pkg/apis/core/helper/helpers.go validFirstDigit: no '+', no leading zeros."""
    if not value:
        return False
    return value[0] == "-" or value == "0" or "1" <= value[0] <= "9"


def get_deletion_cost_from_pod_annotations(annotations: Mapping[str, str]) -> int:
    """Mirrors kubernetes/kubernetes pkg/apis/core/helper/helpers.go GetDeletionCostFromPodAnnotations.

    The int32 value of ``controller.kubernetes.io/pod-deletion-cost``; absent or invalid
    ("+10", "008", "", "1e3", out of int32 range) is 0, which is what ActivePodsWithRanks.Less
    uses (it ignores the error upstream returns alongside).
    """
    value = annotations.get(POD_DELETION_COST)
    if value is None or not _valid_first_digit(value) or not _INT_RE.match(value):
        return 0
    n = int(value)
    return n if _INT32_MIN <= n <= _INT32_MAX else 0


def max_container_restarts(pod: Pod) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go maxContainerRestarts."""
    return max((c.restart_count for c in pod.container_statuses), default=0)


def active_pods_with_ranks_key(pod: Pod, rank: int, *, pod_deletion_cost: bool = True) -> tuple[int, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go ActivePodsWithRanks.Less.

    A sort key: the pod with the smaller key is deleted first. Less is a lexicographic
    comparison, so each rule becomes one component, in upstream's code order:

    1. unassigned < assigned (nodeName empty);
    2. Pending < Unknown < Running (any other phase counts as Pending);
    3. not ready < ready;
    4. lower pod-deletion-cost < higher (only with the PodDeletionCost gate, beta and on by
       default since v1.22; absent annotations cost 0, so the gate only matters for pods
       that carry the annotation);
    5. higher rank (more co-located related pods) first;
    6. both ready: ready for a shorter time first (abstract: not ``ready_elapsed`` before
       ``ready_elapsed``; for two not-ready pods this component is equal, as upstream skips
       the rule);
    7. more container restarts first;
    8. newer first (higher ``creation_index``).

    Equal keys mean Less is false both ways; Go's sort.Sort is not stable, so upstream may
    return such pods in any order. The LogarithmicScaleDown gate (rules 6 and 8 compared in
    log2 buckets, ties by UID) has no counterpart under abstract time: see
    docs/semantics.md#replicaset.
    """
    ready = is_pod_ready(pod)
    return (
        0 if not pod.node_name else 1,
        POD_PHASE_TO_ORDINAL.get(pod.phase, 0),
        1 if ready else 0,
        get_deletion_cost_from_pod_annotations(pod.annotations) if pod_deletion_cost else 0,
        -rank,
        1 if (ready and pod.ready_elapsed) else 0,
        -max_container_restarts(pod),
        -pod.creation_index,
    )


# ------------------------------------------------- the concrete comparisons (upstream's clock)
#
# Upstream's Less functions compare metav1.Time values against ``now``.  The model's states have no
# clock (docs/semantics.md#replicaset, "Time that orders"); these concrete ports take the times from
# a :class:`PodClock` per pod (nanoseconds, any epoch; ``None`` is the zero metav1.Time) and exist
# to port upstream's tables verbatim and to check the abstraction the model uses
# (:func:`get_pods_to_delete_choices`) against them.


@dataclass(frozen=True, slots=True)
class PodClock:
    """A pod's ``creationTimestamp`` and its Ready condition's ``lastTransitionTime``, in ns.

    ``None`` is the zero ``metav1.Time`` (never set).  Only the concrete ports read it."""

    created: int | None = None
    ready_since: int | None = None


def after_or_zero(t1: int | None, t2: int | None) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go afterOrZero.

    Is ``t1`` after ``t2``?  A zero time (``None``) counts as after every non-zero time."""
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def logarithmic_rank_diff(t1: int, t2: int, now: int) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go logarithmicRankDiff.

    ``int64(math.Log2(float64(now - t)))`` of each time (``-1`` when ``now - t <= 0``), subtracted:
    negative when ``t1`` is in a younger power-of-two age bucket than ``t2``, 0 in the same one."""

    def rank(t: int) -> int:
        d = now - t
        return int(math.log2(float(d))) if d > 0 else -1

    return rank(t1) - rank(t2)


def pod_ready_time(pod: Pod, clock: PodClock) -> int | None:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go podReadyTime: the Ready
    condition's lastTransitionTime of a Ready pod, the zero time otherwise."""
    return clock.ready_since if is_pod_ready(pod) else None


def active_pods_less(a: Pod, b: Pod, ca: PodClock, cb: PodClock) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go ActivePods.Less.

    No ranks, no deletion cost, no log scale (used upstream by the Job controller, which the model
    does not have): 1 unassigned < assigned; 2 Pending < Unknown < Running; 3 not ready < ready;
    4 both ready: ready for empty time < less time < more time; 5 more restarts first; 6 empty
    creation time < newer < older."""
    if a.node_name != b.node_name and (not a.node_name or not b.node_name):
        return not a.node_name
    pa, pb = POD_PHASE_TO_ORDINAL.get(a.phase, 0), POD_PHASE_TO_ORDINAL.get(b.phase, 0)
    if pa != pb:
        return pa < pb
    ra, rb = is_pod_ready(a), is_pod_ready(b)
    if ra != rb:
        return not ra
    if ra and rb and pod_ready_time(a, ca) != pod_ready_time(b, cb):
        return after_or_zero(pod_ready_time(a, ca), pod_ready_time(b, cb))
    if max_container_restarts(a) != max_container_restarts(b):
        return max_container_restarts(a) > max_container_restarts(b)
    if ca.created != cb.created:
        return after_or_zero(ca.created, cb.created)
    return False


def active_pods_with_ranks_less(
    a: Pod,
    b: Pod,
    rank_a: int,
    rank_b: int,
    ca: PodClock,
    cb: PodClock,
    now: int | None,
    *,
    pod_deletion_cost: bool = True,
    logarithmic_scale_down: bool = True,
) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go ActivePodsWithRanks.Less, on a clock.

    Rules in upstream's code order (see :func:`active_pods_with_ranks_key`).  Rules 6 and 8 with
    the LogarithmicScaleDown gate (beta and on by default from v1.22, GA and locked on from v1.31)
    compare :func:`logarithmic_rank_diff` buckets and order two times of one bucket by UID; without
    the gate, or when ``now`` or either time is zero, they compare with :func:`after_or_zero`.
    ``now=None`` is a zero ``Now``."""
    if a.node_name != b.node_name and (not a.node_name or not b.node_name):
        return not a.node_name
    pa, pb = POD_PHASE_TO_ORDINAL.get(a.phase, 0), POD_PHASE_TO_ORDINAL.get(b.phase, 0)
    if pa != pb:
        return pa < pb
    ra, rb = is_pod_ready(a), is_pod_ready(b)
    if ra != rb:
        return not ra
    if pod_deletion_cost:
        da = get_deletion_cost_from_pod_annotations(a.annotations)
        db = get_deletion_cost_from_pod_annotations(b.annotations)
        if da != db:
            return da < db
    if rank_a != rank_b:
        return rank_a > rank_b

    def by_time(t1: int | None, t2: int | None) -> bool:
        if not logarithmic_scale_down or now is None or t1 is None or t2 is None:
            return after_or_zero(t1, t2)
        diff = logarithmic_rank_diff(t1, t2, now)
        if diff == 0:
            return a.uid < b.uid
        return diff < 0

    if ra and rb:
        t1, t2 = pod_ready_time(a, ca), pod_ready_time(b, cb)
        if t1 != t2:
            return by_time(t1, t2)
    if max_container_restarts(a) != max_container_restarts(b):
        return max_container_restarts(a) > max_container_restarts(b)
    if ca.created != cb.created:
        return by_time(ca.created, cb.created)
    return False


# ------------------------------------------------------- the abstraction: no clock, all clocks


def deletion_class_key(pod: Pod, rank: int, *, pod_deletion_cost: bool = True) -> tuple[int, ...]:
    """What of ActivePodsWithRanks.Less (LogarithmicScaleDown on) no clock can change.

    Rules 1 to 5 (assignment, phase, readiness, deletion cost, co-located rank), then, for a pod
    that is not Ready, its restarts (rule 7: rule 6 only compares two Ready pods, and rule 8 is
    after rule 7).  For two Ready pods nothing more: rule 6 compares their Ready times in
    power-of-two age buckets, and a clock exists that puts both in one bucket, where the random
    UIDs decide.  Two pods with equal keys may come in either order; see
    :func:`get_pods_to_delete_choices` and docs/semantics.md#replicaset, "Time that orders".
    """
    ready = is_pod_ready(pod)
    return (
        0 if not pod.node_name else 1,
        POD_PHASE_TO_ORDINAL.get(pod.phase, 0),
        1 if ready else 0,
        get_deletion_cost_from_pod_annotations(pod.annotations) if pod_deletion_cost else 0,
        -rank,
        0 if ready else -max_container_restarts(pod),
    )


def get_pods_to_delete_choices(
    filtered_pods: Sequence[Pod],
    related_pods: Iterable[Pod],
    diff: int,
    *,
    pod_deletion_cost: bool = True,
) -> tuple[tuple[Pod, ...], ...]:
    """Every set of pods upstream's getPodsToDelete may return, over every clock (``time: ordered``).

    Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go getPodsToDelete with
    ActivePodsWithRanks under LogarithmicScaleDown, for a state that records no durations: the
    union, over every clock consistent with the state and every draw of UIDs, of the ``diff`` pods
    the sort puts first.  That union is: every pod whose :func:`deletion_class_key` is below the
    key of the ``diff``-th pod, plus any subset of the right size of the pods whose key equals it
    (docs/semantics.md#replicaset, "Time that orders", proves both inclusions).  Each choice lists
    its pods by key, then input order; the choices come in ``itertools.combinations`` order.  When
    every pod goes the sort is skipped and there is one choice, the input order (as upstream).
    """
    if not 0 <= diff <= len(filtered_pods):
        raise ModelError(f"get_pods_to_delete: diff {diff} outside 0..{len(filtered_pods)} pods")
    if diff == len(filtered_pods):
        return (tuple(filtered_pods),)
    ranks = get_pods_ranked_by_related_pods_on_same_node(filtered_pods, related_pods)
    keys = [deletion_class_key(p, r, pod_deletion_cost=pod_deletion_cost) for p, r in zip(filtered_pods, ranks)]
    order = sorted(range(len(filtered_pods)), key=lambda i: keys[i])
    if diff == 0:
        return ((),)
    boundary = keys[order[diff - 1]]
    forced = [i for i in order if keys[i] < boundary]
    tied = [i for i in order if keys[i] == boundary]
    need = diff - len(forced)
    out: list[tuple[Pod, ...]] = []
    for pick in combinations(tied, need):
        chosen = sorted(forced + list(pick), key=lambda i: (keys[i], i))
        out.append(tuple(filtered_pods[i] for i in chosen))
    return tuple(out)


def get_pods_ranked_by_related_pods_on_same_node(
    pods_to_rank: Sequence[Pod], related_pods: Iterable[Pod]
) -> tuple[int, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go getPodsRankedByRelatedPodsOnSameNode.

    The rank of each pod is the number of *active* related pods on the same node (unassigned
    pods share the node name "", exactly as upstream's map keyed by ``spec.nodeName``).
    """
    on_node: dict[str, int] = {}
    for p in related_pods:
        if is_pod_active(p):
            node = p.node_name or ""
            on_node[node] = on_node.get(node, 0) + 1
    return tuple(on_node.get(p.node_name or "", 0) for p in pods_to_rank)


def get_pods_to_delete(
    filtered_pods: Sequence[Pod],
    related_pods: Iterable[Pod],
    diff: int,
    *,
    pod_deletion_cost: bool = True,
    choice: int | None = None,
) -> tuple[Pod, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go getPodsToDelete.

    ``choice`` (``time: ordered``): the ``choice``-th of :func:`get_pods_to_delete_choices`
    instead (the first one when ``choice`` is past the last, so that a caller enumerating the
    choices sees a repeat and stops).  ``None``: the one-bit abstraction below.

    Returns the ``diff`` pods to delete. When every pod goes (``diff == len``) upstream skips
    the sort and returns them in input order; otherwise pods are ranked by co-located related
    pods and sorted with ActivePodsWithRanks. Python's sort is stable, so pods with equal keys
    keep their input order (the state lists pods by name); upstream's order among them is
    unspecified. ``diff`` outside ``0..len(filtered_pods)`` cannot happen upstream (manageReplicas
    computes it from the same list) and raises ``ModelError``.
    """
    if choice is not None:
        choices = get_pods_to_delete_choices(filtered_pods, related_pods, diff, pod_deletion_cost=pod_deletion_cost)
        return choices[choice] if 0 <= choice < len(choices) else choices[0]
    if not 0 <= diff <= len(filtered_pods):
        raise ModelError(f"get_pods_to_delete: diff {diff} outside 0..{len(filtered_pods)} pods")
    if diff < len(filtered_pods):
        ranks = get_pods_ranked_by_related_pods_on_same_node(filtered_pods, related_pods)
        order = sorted(
            range(len(filtered_pods)),
            key=lambda i: active_pods_with_ranks_key(filtered_pods[i], ranks[i], pod_deletion_cost=pod_deletion_cost),
        )
        return tuple(filtered_pods[i] for i in order[:diff])
    return tuple(filtered_pods[:diff])


def slow_start_batch(count: int, initial_batch_size: int, fails: Callable[[int], bool]) -> tuple[int, int]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go slowStartBatch.

    Calls happen in batches of ``initial_batch_size``, then doubling (capped by what is left);
    every call of a batch runs, and after a batch with any failure the rest is skipped.
    ``fails(i)`` says whether the ``i``-th call (0-based, in call order) fails. Returns
    ``(successes, calls)``; upstream returns the first error instead of the call count, and
    an error happened iff ``successes < calls``. In the model creates never fail, so one
    reconcile issues all ``count`` creates.

    >>> slow_start_batch(10, 1, lambda i: i >= 5)   # batches 1, 2, 4: the third fails
    (5, 7)
    """
    if count < 0 or initial_batch_size < 1:
        raise ModelError(f"slow_start_batch: count {count}, initial batch size {initial_batch_size}")
    remaining, successes, calls = count, 0, 0
    batch = min(remaining, initial_batch_size)
    while batch > 0:
        failed = sum(1 for i in range(calls, calls + batch) if fails(i))
        calls += batch
        successes += batch - failed
        if failed:
            break
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, calls


# --------------------------------------------------------------------------- claiming


def get_controller_of(obj: Any) -> OwnerReference | None:
    """Mirrors kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go GetControllerOf."""
    for ref in obj.owner_references:
        if ref.controller:
            return ref
    return None


def new_controller_ref(owner: Any, owner_kind: str) -> OwnerReference:
    """Mirrors kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go NewControllerRef.

    ``controller`` and ``blockOwnerDeletion`` are both true.
    """
    return OwnerReference(
        api_version=API_VERSIONS[owner_kind],
        kind=owner_kind,
        name=owner.name,
        uid=owner.uid,
        controller=True,
        block_owner_deletion=True,
    )


def recheck_deletion_timestamp(state: Any, owner: Any, owner_kind: str) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_ref_manager.go RecheckDeletionTimestamp.

    Upstream's canAdopt does one uncached GET of the owner (#42639) and refuses adoption when
    the owner is gone, has another UID, or is being deleted. The model re-reads the owner from
    the same view (see docs/semantics.md#replicaset, "Adoption re-check").
    """
    fresh = state.get(owner_kind, owner.namespace, owner.name)
    return fresh is not None and fresh.uid == owner.uid and fresh.deletion_timestamp is None


#: What claim_object decided for one object.
CLAIMED, ADOPT, RELEASE, IGNORE = "claimed", "adopt", "release", "ignore"


def claim_object(owner: Any, obj: Any, match: bool) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_ref_manager.go BaseControllerRefManager.ClaimObject.

    Returns one of ``"claimed"`` (already ours and matching), ``"adopt"`` (orphan to adopt:
    claimed once the adoption succeeds), ``"release"`` (ours but no longer matching) or
    ``"ignore"``. The rules, in upstream order:

    * controlled by someone else: ignore (never steal);
    * controlled by us and matching: claimed, even while the owner or the object is being
      deleted (keeping it takes no action);
    * controlled by us, not matching: release, unless the owner is being deleted;
    * orphan: ignore if the owner is being deleted, it does not match, the object is being
      deleted, or a namespaced owner sits in another namespace; otherwise adopt.
    """
    ref = get_controller_of(obj)
    if ref is not None:
        if ref.uid != owner.uid:
            return IGNORE
        if match:
            return CLAIMED
        if owner.deletion_timestamp is not None:
            return IGNORE
        return RELEASE
    if owner.deletion_timestamp is not None or not match:
        return IGNORE
    if obj.deletion_timestamp is not None:
        return IGNORE
    if owner.namespace and owner.namespace != obj.namespace:
        return IGNORE
    return ADOPT


def adopt_pod(owner: Any, owner_kind: str, pod: Pod) -> Update:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_ref_manager.go PodControllerRefManager.AdoptPod.

    Upstream sends a strategic-merge patch that adds the controller ownerRef (merged by UID,
    other owner references kept) with the pod's UID as precondition; here an ``Update`` of
    the pod with the reference appended.
    """
    ref = new_controller_ref(owner, owner_kind)
    kept = tuple(r for r in pod.owner_references if r.uid != owner.uid)
    return Update(replace(pod, owner_references=kept + (ref,)))


def release_pod(owner: Any, pod: Pod) -> Update:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_ref_manager.go PodControllerRefManager.ReleasePod.

    Upstream patches ``{"$patch":"delete","uid":<owner uid>}`` into ownerReferences; here an
    ``Update`` of the pod without any reference to the owner's UID.
    """
    return Update(replace(pod, owner_references=tuple(r for r in pod.owner_references if r.uid != owner.uid)))


def claim_pods(
    state: Any,
    owner: Any,
    selector: Matcher,
    owner_kind: str,
    pods: Iterable[Pod],
    *,
    filters: Sequence[Callable[[Pod], bool]] = (),
) -> tuple[tuple[Pod, ...], tuple[Write, ...]]:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_ref_manager.go PodControllerRefManager.ClaimPods.

    Returns ``(claimed, writes)``: the pods the owner now controls, in input order (adopted
    pods as listed, i.e. before the adoption write, as upstream returns them), and the adopt/release ``Update`` writes in the
    order upstream issues them. ``match`` is the selector (checked first) and then every
    filter. Before the first adoption the owner is re-checked in ``state``
    (``recheck_deletion_timestamp``); upstream would fail every adoption of the pass and the
    sync would return an error. In the model the owner is always read from ``state`` by the
    caller, so a failing re-check means the caller passed an owner that is not in its own
    view, and raises ``ModelError``.
    """
    claimed: list[Pod] = []
    writes: list[Write] = []
    can_adopt: bool | None = None
    for pod in pods:
        match = selector.matches(pod.labels) and all(f(pod) for f in filters)
        decision = claim_object(owner, pod, match)
        if decision == CLAIMED:
            claimed.append(pod)
        elif decision == RELEASE:
            writes.append(release_pod(owner, pod))
        elif decision == ADOPT:
            if can_adopt is None:
                can_adopt = recheck_deletion_timestamp(state, owner, owner_kind)
            if not can_adopt:
                raise ModelError(
                    f"claim_pods: {owner_kind} {owner.namespace}/{owner.name} (uid {owner.uid!r}) is missing, "
                    "replaced or being deleted in the state it was read from"
                )
            writes.append(adopt_pod(owner, owner_kind, pod))
            claimed.append(pod)
    return tuple(claimed), tuple(writes)


# ------------------------------------------------------------------------------ expectations
#
# Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go ControllerExpectations,
# ControlleeExpectations and UIDTrackingControllerExpectations, as pure values: every
# operation returns a new store instead of mutating a cache.Store guarded by atomics and a
# lock. Time is abstract, as everywhere in the model: ``ExpectationsTimeout`` (5 minutes
# after SetExpectations) is the flag ``expired``, set by an expiry step (:meth:`expire`) and
# cleared by the next SetExpectations. Keys are any hashable value: upstream's are the strings
# ``namespace/name``; ``model.expectations`` (which wires them into the ReplicaSet and RC
# controllers when informer caches are modelled) uses ``(namespace, name)`` tuples, so that the
# symmetry renaming of generated names reaches them (docs/semantics.md, "Informer caches").

#: controller.ExpectationsTimeout, in seconds (abstract: only "expired or not" is modelled).
EXPECTATIONS_TIMEOUT_SECONDS: Final = 5 * 60


@dataclass(frozen=True, slots=True)
class ControlleeExpectations:
    """Mirrors controller_utils.go ControlleeExpectations: pending creations and deletions.

    ``expired`` stands for ``clock.Since(timestamp) > ExpectationsTimeout``.
    """

    key: Hashable
    add: int = 0
    delete: int = 0
    expired: bool = False

    def fulfilled(self) -> bool:
        """ControlleeExpectations.Fulfilled: no creation and no deletion still awaited."""
        return self.add <= 0 and self.delete <= 0

    def get_expectations(self) -> tuple[int, int]:
        """ControlleeExpectations.GetExpectations: ``(add, del)``."""
        return self.add, self.delete

    def with_added(self, add: int, delete: int) -> "ControlleeExpectations":
        """ControlleeExpectations.Add (both counters, by signed amounts)."""
        return replace(self, add=self.add + add, delete=self.delete + delete)


@dataclass(frozen=True, slots=True)
class ControllerExpectations:
    """Mirrors controller_utils.go ControllerExpectations (ControllerExpectationsInterface).

    A store of :class:`ControlleeExpectations` by controller key (``namespace/name``).
    """

    store: FrozenMap[Hashable, ControlleeExpectations] = field(default_factory=FrozenMap)

    def get_expectations(self, controller_key: Hashable) -> tuple[ControlleeExpectations | None, bool]:
        """GetExpectations: ``(expectations, exists)`` (the store never errs here)."""
        exp = self.store.get(controller_key)
        return exp, exp is not None

    def delete_expectations(self, controller_key: Hashable) -> "ControllerExpectations":
        """DeleteExpectations."""
        if controller_key not in self.store:
            return self
        return replace(self, store=self.store.remove(controller_key))

    def satisfied_expectations(self, controller_key: Hashable) -> bool:
        """SatisfiedExpectations: fulfilled, expired, or never set (a new controller) -> sync."""
        exp, exists = self.get_expectations(controller_key)
        if exists:
            assert exp is not None
            return exp.fulfilled() or exp.expired
        return True

    def set_expectations(self, controller_key: Hashable, add: int, delete: int) -> "ControllerExpectations":
        """SetExpectations: forgets existing expectations (and restarts the timeout)."""
        exp = ControlleeExpectations(controller_key, add, delete)
        return replace(self, store=self.store.set(controller_key, exp))

    def expect_creations(self, controller_key: Hashable, adds: int) -> "ControllerExpectations":
        """ExpectCreations."""
        return self.set_expectations(controller_key, adds, 0)

    def expect_deletions(self, controller_key: Hashable, dels: int) -> "ControllerExpectations":
        """ExpectDeletions."""
        return self.set_expectations(controller_key, 0, dels)

    def lower_expectations(self, controller_key: Hashable, add: int, delete: int) -> "ControllerExpectations":
        """LowerExpectations: decrements both counters; no-op without expectations."""
        exp = self.store.get(controller_key)
        if exp is None:
            return self
        return replace(self, store=self.store.set(controller_key, exp.with_added(-add, -delete)))

    def raise_expectations(self, controller_key: Hashable, add: int, delete: int) -> "ControllerExpectations":
        """RaiseExpectations: increments both counters; no-op without expectations."""
        exp = self.store.get(controller_key)
        if exp is None:
            return self
        return replace(self, store=self.store.set(controller_key, exp.with_added(add, delete)))

    def creation_observed(self, controller_key: Hashable) -> "ControllerExpectations":
        """CreationObserved: one awaited creation seen (or a create that failed)."""
        return self.lower_expectations(controller_key, 1, 0)

    def deletion_observed(self, controller_key: Hashable) -> "ControllerExpectations":
        """DeletionObserved: one awaited deletion seen."""
        return self.lower_expectations(controller_key, 0, 1)

    def expire(self, controller_key: Hashable) -> "ControllerExpectations":
        """The abstract expiry step: ExpectationsTimeout has passed since SetExpectations."""
        exp = self.store.get(controller_key)
        if exp is None or exp.expired:
            return self
        return replace(self, store=self.store.set(controller_key, replace(exp, expired=True)))


@dataclass(frozen=True, slots=True)
class UIDTrackingControllerExpectations:
    """Mirrors controller_utils.go UIDTrackingControllerExpectations.

    Remembers the keys (``namespace/name`` of pods, upstream's PodKey) of the deletions a
    controller expects, so that a graceful deletion (deletionTimestamp set, then the object
    removed) is counted once.
    """

    expectations: ControllerExpectations = field(default_factory=ControllerExpectations)
    uid_store: FrozenMap[Hashable, frozenset[Hashable]] = field(default_factory=FrozenMap)

    def get_uids(self, controller_key: Hashable) -> frozenset[Hashable] | None:
        """GetUIDs: the keys still awaited, or None when none were recorded."""
        return self.uid_store.get(controller_key)

    def get_expectations(self, controller_key: Hashable) -> tuple[ControlleeExpectations | None, bool]:
        return self.expectations.get_expectations(controller_key)

    def satisfied_expectations(self, controller_key: Hashable) -> bool:
        return self.expectations.satisfied_expectations(controller_key)

    def expect_creations(self, controller_key: Hashable, adds: int) -> "UIDTrackingControllerExpectations":
        return replace(self, expectations=self.expectations.expect_creations(controller_key, adds))

    def creation_observed(self, controller_key: Hashable) -> "UIDTrackingControllerExpectations":
        return replace(self, expectations=self.expectations.creation_observed(controller_key))

    def expire(self, controller_key: Hashable) -> "UIDTrackingControllerExpectations":
        return replace(self, expectations=self.expectations.expire(controller_key))

    def expect_deletions(self, controller_key: Hashable, deleted_keys: Iterable[Hashable]) -> "UIDTrackingControllerExpectations":
        """ExpectDeletions(rcKey, deletedKeys): records the keys (clobbering any still awaited, as
        upstream, which only logs it) and expects ``len(set(keys))`` deletions."""
        expected = frozenset(deleted_keys)
        return replace(
            self,
            uid_store=self.uid_store.set(controller_key, expected),
            expectations=self.expectations.expect_deletions(controller_key, len(expected)),
        )

    def deletion_observed(self, controller_key: Hashable, delete_key: Hashable) -> "UIDTrackingControllerExpectations":
        """DeletionObserved(rcKey, deleteKey): counts a deletion only for an awaited key, once."""
        uids = self.get_uids(controller_key)
        if uids is None or delete_key not in uids:
            return self
        return replace(
            self,
            expectations=self.expectations.deletion_observed(controller_key),
            uid_store=self.uid_store.set(controller_key, uids - {delete_key}),
        )

    def delete_expectations(self, controller_key: Hashable) -> "UIDTrackingControllerExpectations":
        """DeleteExpectations: the counters and the key set."""
        uid_store = self.uid_store.remove(controller_key) if controller_key in self.uid_store else self.uid_store
        return replace(self, expectations=self.expectations.delete_expectations(controller_key), uid_store=uid_store)
