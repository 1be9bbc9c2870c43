"""The StatefulSet controller as a pure function: one reconcile -> the API writes it issues.

Mirrors kubernetes/kubernetes pkg/controller/statefulset: ``stateful_set.go`` (sync:
adopt orphan revisions, claim pods), ``stateful_set_control.go`` (UpdateStatefulSet,
performUpdate, getStatefulSetRevisions, updateStatefulSet, processReplica,
processCondemned, the rolling update, truncateHistory), ``stateful_pod_control.go``
(CreateStatefulPod, UpdateStatefulPod, DeleteStatefulPod, the PVC helpers) and
``stateful_set_status_updater.go`` (UpdateStatefulSetStatus).

The view is the state (no expectations, no informer lag): every read in one reconcile
sees the snapshot ``state``, never this reconcile's own writes, as upstream reads its
listers.  Writes are returned in the order upstream issues them; for OrderedReady a
reconcile stops exactly where upstream returns.  See docs/semantics.md#statefulset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object
from model.api import Create, Delete, Update, UpdateStatus, Write
from model.errors import ModelError
from model.controller_utils import claim_pods
from model.labels import SelectorError, label_selector_as_selector
from model.objects import ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet, StatefulSetStatus
from model.state import ClusterState
from model.statefulset_utils import (
    STATEFUL_SET_API_VERSION,
    STATEFUL_SET_KIND,
    allows_burst,
    apply_revision,
    complete_rolling_update,
    controller_revision_hash,
    controller_revision_name,
    descending_ordinal,
    equal_revision,
    find_equal_revisions,
    get_end_ordinal,
    get_ordinal,
    get_persistent_volume_claim_name,
    get_persistent_volume_claim_retention_policy,
    get_persistent_volume_claims,
    get_pod_revision,
    get_start_ordinal,
    get_stateful_set_max_unavailable,
    has_stale_owner_ref,
    identity_matches,
    inconsistent_status,
    is_claim_owner_up_to_date,
    is_created,
    is_failed,
    is_member_of,
    is_pending,
    is_running_and_available,
    is_running_and_ready,
    is_succeeded,
    is_terminating,
    is_unavailable,
    new_controller_ref,
    new_revision,
    new_versioned_stateful_set_pod,
    next_revision,
    pod_in_ordinal_range,
    rolling_update_is_set,
    sort_controller_revisions,
    storage_matches,
    update_claim_owner_ref_for_set_and_pod,
    update_identity,
    update_status,
    update_storage,
)
from model.records import Controller, generic_actions

__all__ = [
    "MAX_BATCH_SIZE",
    "StatefulSetGates",
    "DEFAULT_GATES",
    "sync_stateful_set",
    "list_revisions",
    "get_pods_for_stateful_set",
    "slow_start_batch_sizes",
]

#: MaxBatchSize (stateful_set_control.go): the cap of one slow-start batch in Parallel mode.
MAX_BATCH_SIZE = 500

_POD_API_VERSION = "v1"
_POD_KIND = "Pod"


@dataclass(frozen=True, slots=True)
class StatefulSetGates:
    """Feature gates that change this controller's behaviour.

    ``max_unavailable_stateful_set``: gate MaxUnavailableStatefulSet (alpha in 1.24, off
    by default through 1.34 and again after the 1.35 patch revert).  StatefulSetAutoDeletePVC
    (GA 1.32), PodIndexLabel (GA 1.32) and StatefulSetStartOrdinal (GA 1.31) are always on.
    """

    max_unavailable_stateful_set: bool = False


DEFAULT_GATES = StatefulSetGates()


class _SyncError(Exception):
    """An error a reconcile returns upstream (it still writes the status); carries the message."""


# ------------------------------------------------------------------ reading


def list_revisions(state: ClusterState, set_: StatefulSet) -> list[ControllerRevision]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go ListRevisions.

    history.ListControllerRevisions: revisions in the set's namespace matching the
    selector whose controller ref is absent (orphans) or is the set.
    """
    out: list[ControllerRevision] = []
    selector = label_selector_as_selector(set_.selector)
    for rev in state.objects("ControllerRevision", set_.namespace):
        if not selector.matches(rev.labels):
            continue
        ref = rev.controller_ref()
        if ref is None or ref.uid == set_.uid:
            out.append(rev)
    return out


def get_pods_for_stateful_set(state: ClusterState, set_: StatefulSet) -> tuple[list[Pod], list[Write]]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set.go getPodsForStatefulSet.

    ClaimPods (pkg/controller/controller_ref_manager.go) over every pod of the namespace
    with the extra filter ``is_member_of`` (name-based).  Adoption and release are
    patches upstream, ``Update`` writes here.
    """
    pods = list(state.objects("Pod", set_.namespace))
    claimed, writes = claim_pods(
        state,
        set_,
        label_selector_as_selector(set_.selector),
        "StatefulSet",
        pods,
        filters=(lambda pod: is_member_of(set_, pod),),
    )
    return list(claimed), list(writes)


# ------------------------------------------------------------------ one reconcile


@dataclass(slots=True)
class _Reconcile:
    """The mutable scratch space of one reconcile (never escapes ``sync_stateful_set``)."""

    state: ClusterState
    set: StatefulSet
    gates: StatefulSetGates
    writes: list[Write] = field(default_factory=list)

    # -- StatefulPodControl (stateful_pod_control.go) ---------------------------------
    def _get_claim(self, name: str) -> PersistentVolumeClaim | None:
        claim: PersistentVolumeClaim | None = self.state.get("PersistentVolumeClaim", self.set.namespace, name)
        return claim

    def create_persistent_volume_claims(self, set_: StatefulSet, pod: Pod) -> None:
        """createPersistentVolumeClaims: create every missing claim; a claim being deleted is an error
        (after the loop, so the other claims are still created)."""
        errors: list[str] = []
        for claim in get_persistent_volume_claims(set_, pod).values():
            existing = self._get_claim(claim.name)
            if existing is None:
                self.writes.append(Create(claim))
            elif existing.deletion_timestamp is not None:
                errors.append(f"pvc {claim.name} is being deleted")
        if errors:
            raise _SyncError("; ".join(errors))

    def claims_match_retention_policy(self, set_: StatefulSet, pod: Pod) -> bool:
        """ClaimsMatchRetentionPolicy: a missing claim counts as matching (picked up next time)."""
        ordinal = get_ordinal(pod)
        for template in set_.volume_claim_templates:
            claim = self._get_claim(get_persistent_volume_claim_name(set_, template, ordinal))
            if claim is not None and not is_claim_owner_up_to_date(claim, set_, pod):
                return False
        return True

    def update_pod_claim_for_retention_policy(self, set_: StatefulSet, pod: Pod) -> None:
        """UpdatePodClaimForRetentionPolicy: rewrite the ownerRefs of each out-of-date claim."""
        ordinal = get_ordinal(pod)
        for template in set_.volume_claim_templates:
            claim = self._get_claim(get_persistent_volume_claim_name(set_, template, ordinal))
            if claim is None:
                continue
            if not is_claim_owner_up_to_date(claim, set_, pod):
                self.writes.append(Update(update_claim_owner_ref_for_set_and_pod(claim, set_, pod)))

    def pod_claim_is_stale(self, set_: StatefulSet, pod: Pod) -> bool:
        """PodClaimIsStale: with whenScaled=Delete, a claim still owned by an older pod blocks creation."""
        if get_persistent_volume_claim_retention_policy(set_).when_scaled == "Retain":
            return False
        for claim in get_persistent_volume_claims(set_, pod).values():
            existing = self._get_claim(claim.name)
            if existing is not None and has_stale_owner_ref(
                existing.owner_references, pod.name, pod.uid, _POD_API_VERSION, _POD_KIND
            ):
                return True
        return False

    def create_stateful_pod(self, set_: StatefulSet, pod: Pod) -> None:
        """CreateStatefulPod: claims first, then the pod (stored as Pending), then the claim refs."""
        self.create_persistent_volume_claims(set_, pod)
        self.writes.append(Create(replace(pod, phase="Pending")))
        self.update_pod_claim_for_retention_policy(set_, pod)

    def create_missing_persistent_volume_claims(self, set_: StatefulSet, pod: Pod) -> None:
        """createMissingPersistentVolumeClaims."""
        self.create_persistent_volume_claims(set_, pod)
        self.update_pod_claim_for_retention_policy(set_, pod)

    def update_stateful_pod(self, set_: StatefulSet, pod: Pod) -> None:
        """UpdateStatefulPod: repair identity, storage (creating missing claims) and claim refs."""
        consistent = True
        if not identity_matches(set_, pod):
            pod = update_identity(set_, pod)
            consistent = False
        if not storage_matches(set_, pod):
            pod = update_storage(set_, pod)
            consistent = False
            self.create_persistent_volume_claims(set_, pod)
        if not self.claims_match_retention_policy(set_, pod):
            self.update_pod_claim_for_retention_policy(set_, pod)
            consistent = False
        if not consistent:
            self.writes.append(Update(pod))

    def delete_stateful_pod(self, pod: Pod) -> None:
        """DeleteStatefulPod: a plain graceful delete, no UID precondition."""
        self.writes.append(Delete("Pod", pod.namespace, pod.name))


def _run_for_all(
    n: int, fn: Callable[[int], bool], monotonic: bool
) -> bool:
    """runForAll: monotonic stops at the first ``stop``; Parallel runs slow-start batches and
    stops only on an error (raised as ``_SyncError`` after the failing batch completes)."""
    if monotonic:
        for i in range(n):
            if fn(i):
                return True
        return False
    start = 0
    for size in slow_start_batch_sizes(n):
        errors: list[str] = []
        for i in range(start, start + size):
            try:
                fn(i)
            except _SyncError as exc:
                errors.append(str(exc))
        start += size
        if errors:
            raise _SyncError("; ".join(errors))
    return False


def slow_start_batch_sizes(remaining: int, initial: int = 1) -> list[int]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go slowStartBatch (batch sizes).

    1, 2, 4, ... capped by what remains and by ``MAX_BATCH_SIZE``.
    """
    sizes: list[int] = []
    batch = min(remaining, initial)
    while batch > 0:
        sizes.append(batch)
        remaining -= batch
        batch = min(2 * batch, remaining, MAX_BATCH_SIZE)
    return sizes


def _get_stateful_set_revisions(
    r: _Reconcile, set_: StatefulSet, revisions: list[ControllerRevision]
) -> tuple[ControllerRevision, ControllerRevision, int]:
    """getStatefulSetRevisions: find or create the update revision, find the current one."""
    collision_count = set_.status.collision_count or 0
    update_revision = new_revision(set_, next_revision(revisions), collision_count)
    equal = find_equal_revisions(revisions, update_revision)
    if equal and equal_revision(revisions[-1], equal[-1]):
        update_revision = revisions[-1]
    elif equal:
        bumped = replace(equal[-1], revision=update_revision.revision)
        r.writes.append(Update(bumped))
        update_revision = bumped
    else:
        update_revision, collision_count = _create_controller_revision(r, set_, update_revision, collision_count)
    current_revision = next((rev for rev in revisions if rev.name == set_.status.current_revision), None)
    if current_revision is None:
        current_revision = update_revision
    return current_revision, update_revision, collision_count


def _create_controller_revision(
    r: _Reconcile, set_: StatefulSet, revision: ControllerRevision, collision_count: int
) -> tuple[ControllerRevision, int]:
    """history.CreateControllerRevision: on a name clash with different data bump the
    collision count and rehash; on a clash with equal data reuse the stored revision."""
    while True:
        hash_ = controller_revision_hash(revision.data, collision_count)
        name = controller_revision_name(set_.name, hash_)
        # upstream renames the clone only; the hash label keeps the first hash
        candidate = replace(revision, name=name)
        existing: ControllerRevision | None = r.state.get("ControllerRevision", set_.namespace, name)
        if existing is None:
            r.writes.append(Create(candidate))
            return candidate, collision_count
        if existing.data == candidate.data:
            return existing, collision_count
        collision_count += 1


def _process_replica(
    r: _Reconcile, set_: StatefulSet, update_set: StatefulSet, monotonic: bool, replicas: list[Pod], i: int
) -> bool:
    """processReplica: returns ``stop``; an error raises ``_SyncError``."""
    pod = replicas[i]
    if is_failed(pod) or is_succeeded(pod):
        if pod.deletion_timestamp is None:
            r.delete_stateful_pod(pod)
        # the replacement is created on a later sync, once the old object is gone
        return True
    if not is_created(pod):
        if r.pod_claim_is_stale(set_, pod):
            return True
        r.create_stateful_pod(set_, pod)
        if monotonic:
            return True
    if is_pending(pod):
        r.create_missing_persistent_volume_claims(set_, pod)
    if is_terminating(pod) and monotonic:
        return True
    if not is_running_and_ready(pod) and monotonic:
        return True
    if not is_running_and_available(pod, set_.min_ready_seconds) and monotonic:
        return True
    retention_match = r.claims_match_retention_policy(update_set, pod)
    if identity_matches(set_, pod) and storage_matches(set_, pod) and retention_match:
        return False
    r.update_stateful_pod(update_set, pod)
    return False


def _process_condemned(
    r: _Reconcile, set_: StatefulSet, first_unhealthy: Pod | None, monotonic: bool, condemned: list[Pod], i: int
) -> bool:
    """processCondemned: returns ``stop``."""
    pod = condemned[i]
    if is_terminating(pod):
        return monotonic
    not_first = first_unhealthy is None or pod.name != first_unhealthy.name
    if not is_running_and_ready(pod) and monotonic and not_first:
        return True
    if not is_running_and_available(pod, set_.min_ready_seconds) and monotonic and not_first:
        return True
    r.delete_stateful_pod(pod)
    return True


def _update_stateful_set(
    r: _Reconcile,
    set_: StatefulSet,
    current_revision: ControllerRevision,
    update_revision: ControllerRevision,
    collision_count: int,
    pods: list[Pod],
) -> tuple[StatefulSetStatus, str | None]:
    """updateStatefulSet: returns the status to record and the sync error, if any."""
    current_set = apply_revision(set_, current_revision)
    update_set = apply_revision(set_, update_revision)
    mrs = set_.min_ready_seconds
    cur, upd = current_revision.name, update_revision.name
    status = StatefulSetStatus(
        observed_generation=set_.generation,
        current_revision=cur,
        update_revision=upd,
        collision_count=collision_count,
    )
    status = update_status(status, mrs, cur, upd, pods)

    start, end = get_start_ordinal(set_), get_end_ordinal(set_)
    slots: list[Pod | None] = [None] * set_.replicas
    condemned: list[Pod] = []
    for pod in pods:
        if pod_in_ordinal_range(pod, set_):
            slots[get_ordinal(pod) - start] = pod
        elif get_ordinal(pod) >= 0:
            condemned.append(pod)
    for ordinal in range(start, end + 1):
        if slots[ordinal - start] is None:
            slots[ordinal - start] = new_versioned_stateful_set_pod(current_set, update_set, cur, upd, ordinal)
    replicas: list[Pod] = [p for p in slots if p is not None]
    condemned = descending_ordinal(condemned)

    first_unhealthy: Pod | None = None
    for pod in replicas:
        if is_unavailable(pod, mrs):
            first_unhealthy = pod
            break
    if first_unhealthy is None:
        for pod in reversed(condemned):
            if is_unavailable(pod, mrs):
                first_unhealthy = pod
                break

    if set_.deletion_timestamp is not None:
        return status, None

    monotonic = not allows_burst(set_)

    def finish(err: str | None) -> tuple[StatefulSetStatus, str | None]:
        return update_status(status, mrs, cur, upd, replicas, condemned), err

    try:
        if _run_for_all(len(replicas), lambda i: _process_replica(r, set_, update_set, monotonic, replicas, i), monotonic):
            return finish(None)

        def fix_pod_claim(i: int) -> bool:
            if not r.claims_match_retention_policy(update_set, condemned[i]):
                r.update_pod_claim_for_retention_policy(update_set, condemned[i])
            return False

        if _run_for_all(len(condemned), fix_pod_claim, monotonic):
            return finish(None)
        if _run_for_all(
            len(condemned), lambda i: _process_condemned(r, set_, first_unhealthy, monotonic, condemned, i), monotonic
        ):
            return finish(None)
    except _SyncError as exc:
        return finish(str(exc))

    status = update_status(status, mrs, cur, upd, replicas, condemned)
    if set_.update_strategy.type == "OnDelete":
        return status, None
    if r.gates.max_unavailable_stateful_set:
        return _update_stateful_set_after_invariant_established(r, set_, replicas, update_revision, status), None

    update_min = set_.update_strategy.partition if rolling_update_is_set(set_) else 0
    for target in range(len(replicas) - 1, update_min - 1, -1):
        pod = replicas[target]
        if get_pod_revision(pod) != upd and not is_terminating(pod):
            r.delete_stateful_pod(pod)
            return replace(status, current_replicas=status.current_replicas - 1), None
        if is_unavailable(pod, mrs):
            return status, None
    return status, None


def _update_stateful_set_after_invariant_established(
    r: _Reconcile,
    set_: StatefulSet,
    replicas: list[Pod],
    update_revision: ControllerRevision,
    status: StatefulSetStatus,
) -> StatefulSetStatus:
    """updateStatefulSetAfterInvariantEstablished (gate MaxUnavailableStatefulSet)."""
    update_min = 0
    max_unavailable = 1
    if rolling_update_is_set(set_):
        update_min = set_.update_strategy.partition
        max_unavailable = get_stateful_set_max_unavailable(set_.update_strategy.max_unavailable, set_.replicas)
    unavailable = sum(1 for p in replicas if is_unavailable(p, set_.min_ready_seconds))
    if unavailable >= max_unavailable:
        return status
    to_delete = max_unavailable - unavailable
    deleted = 0
    target = len(replicas) - 1
    while target >= update_min and deleted < to_delete:
        pod = replicas[target]
        if get_pod_revision(pod) != update_revision.name and not is_terminating(pod):
            r.delete_stateful_pod(pod)
            deleted += 1
            status = replace(status, current_replicas=status.current_replicas - 1)
        target -= 1
    return status


def _truncate_history(
    r: _Reconcile,
    set_: StatefulSet,
    pods: list[Pod],
    revisions: list[ControllerRevision],
    current: ControllerRevision | None,
    update: ControllerRevision | None,
) -> None:
    """truncateHistory: delete the oldest non-live revisions down to revisionHistoryLimit."""
    live = {get_pod_revision(p) for p in pods}
    if current is not None:
        live.add(current.name)
    if update is not None:
        live.add(update.name)
    history = [rev for rev in revisions if rev.name not in live]
    limit = set_.revision_history_limit
    if limit < 0:
        raise ModelError(
            f"StatefulSet {set_.namespace}/{set_.name}: revisionHistoryLimit {limit} is negative "
            "(API validation rejects it)"
        )
    if len(history) <= limit:
        return
    for rev in history[: len(history) - limit]:
        r.writes.append(Delete("ControllerRevision", rev.namespace, rev.name))


def sync_stateful_set(
    state: ClusterState, key: tuple[str, str], gates: StatefulSetGates = DEFAULT_GATES
) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set.go sync (and UpdateStatefulSet).

    Order of writes: adopt orphan revisions; claim pods (adopt/release); create or bump the
    update revision; pod and PVC writes of updateStatefulSet (replicas ascending, condemned
    claim refs, condemned descending, rolling update); the status (only if it changed);
    revision history truncation.  An empty tuple means the controller has nothing to do.
    """
    namespace, name = key
    set_: StatefulSet | None = state.get("StatefulSet", namespace, name)
    if set_ is None:
        return ()
    try:
        label_selector_as_selector(set_.selector)
    except SelectorError:
        return ()  # "a non-transient error, so don't retry"
    r = _Reconcile(state=state, set=set_, gates=gates)

    # adoptOrphanRevisions
    revisions = list_revisions(state, set_)
    orphans = [rev for rev in revisions if rev.controller_ref() is None]
    if orphans:
        if set_.deletion_timestamp is not None:
            return ()  # canAdoptFunc: RecheckDeletionTimestamp fails, sync returns the error
        for rev in orphans:
            ref = new_controller_ref(set_.name, set_.uid, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND)
            r.writes.append(Update(replace(rev, owner_references=rev.owner_references + (ref,))))

    pods, claim_writes = get_pods_for_stateful_set(state, set_)
    r.writes.extend(claim_writes)

    # UpdateStatefulSet -> performUpdate
    revisions = sort_controller_revisions(revisions)
    current_revision, update_revision, collision_count = _get_stateful_set_revisions(r, set_, revisions)
    status, _err = _update_stateful_set(r, set_, current_revision, update_revision, collision_count, pods)
    # updateStatefulSetStatus: written even when the sync step failed
    status = complete_rolling_update(set_, status)
    if inconsistent_status(set_, status):
        r.writes.append(UpdateStatus(replace(set_, status=status)))
    _truncate_history(r, set_, pods, revisions, current_revision, update_revision)
    return tuple(r.writes)


#: The StatefulSet controller's record (registered in ``model.registry``).
CONTROLLER = Controller(
    "statefulset", "ssc", "StatefulSet", sync_stateful_set,
    generic_actions(
        "ssc",
        creates=["Pod", "PersistentVolumeClaim", "ControllerRevision"],
        deletes=["Pod", "ControllerRevision"],
        updates=["Pod", "PersistentVolumeClaim", "ControllerRevision"],
        adopts=["Pod", "PersistentVolumeClaim", "ControllerRevision"],
    )
    | {"ssc_remove_owner_ref"},
)
