"""The Deployment controller: one reconcile as a pure function returning API writes.

Mirrors kubernetes/kubernetes pkg/controller/deployment (baseline release-1.28):
deployment_controller.go (syncDeployment, getReplicaSetsForDeployment,
getPodMapForDeployment), sync.go (sync, scale, getNewReplicaSet, cleanupDeployment,
calculateStatus, isScalingEvent, checkPausedConditions), rolling.go, recreate.go,
progress.go (syncRolloutStatus) and rollback.go (the deprecated rollback annotation). The
user action ``kubectl rollout undo`` is :func:`rollback_to_revision` (mirrors kubectl's
polymorphichelpers/rollback.go DeploymentRollbacker).

Upstream's sync is a chain of helpers that call the API as they go and mutate the in-memory
copy ``d``. The model keeps that shape: every helper takes a :class:`SyncContext` (the
``dc`` receiver plus ``d``), which records the writes in issue order and holds the current
in-memory ``d``. When upstream returns an error the reconcile stops: the writes issued so
far are the result (:func:`sync_deployment`).

IMPORTANT (resourceVersion conflicts inside one reconcile). ``d`` comes from the informer
cache and upstream never refreshes it after writing (``_, err = UpdateStatus(ctx, d)``), so a
second write of the Deployment in the same reconcile carries a stale resourceVersion and the
API server answers 409 Conflict. Likewise a ReplicaSet from the cached list that was already
written in this reconcile (e.g. by ``getNewReplicaSet`` in both ``isScalingEvent`` and
``rolloutRolling``) conflicts, while the object a write returned may be written again. The
context models exactly that (``model_conflicts=True``, the default): the conflicting write
is not emitted and the error follows upstream's error path. See docs/semantics.md#deployment.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.controller_utils import ADOPT, CLAIMED, RELEASE, claim_object, new_controller_ref, recheck_deletion_timestamp
from model.deployment_util import (
    DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
    DEPLOYMENT_AVAILABLE,
    DEPLOYMENT_PROGRESSING,
    DEPLOYMENT_REPLICA_FAILURE,
    DEPRECATED_ROLLBACK_TO,
    FOUND_NEW_RS_REASON,
    MINIMUM_REPLICAS_AVAILABLE,
    MINIMUM_REPLICAS_UNAVAILABLE,
    NEW_REPLICA_SET_REASON,
    NEW_RS_AVAILABLE_REASON,
    PAUSED_DEPLOY_REASON,
    REPLICA_SET_UPDATED_REASON,
    RESUMED_DEPLOY_REASON,
    REVISION_ANNOTATION,
    TIMED_OUT_REASON,
    UpstreamError,
    clone_selector_and_add_label,
    compute_hash,
    deployment_complete,
    deployment_progressing,
    deployment_timed_out,
    equal_ignore_hash,
    filter_active_replica_sets,
    find_active_or_latest,
    find_new_replica_set,
    find_old_replica_sets,
    get_actual_replica_count_for_replica_sets,
    get_available_replica_count_for_replica_sets,
    get_terminating_replica_count_for_replica_sets,
    get_deployment_condition,
    get_desired_replicas_annotation,
    get_proportion,
    get_ready_replica_count_for_replica_sets,
    get_replica_count_for_replica_sets,
    has_progress_deadline,
    progress_deadline_can_elapse,
    has_revision_history_limit,
    is_rolling_update,
    is_saturated,
    last_revision,
    max_revision,
    max_surge,
    max_unavailable,
    new_deployment_condition,
    new_rs_new_replicas,
    remove_deployment_condition,
    replica_set_to_deployment_condition,
    replica_sets_by_creation_timestamp,
    replica_sets_by_revision,
    replica_sets_by_size_newer,
    replica_sets_by_size_older,
    replicas_annotations_need_update,
    revision,
    set_deployment_annotations_to,
    set_deployment_condition,
    set_deployment_revision,
    set_from_replica_set_template,
    set_new_replica_set_annotations,
    set_replicas_annotations,
)
from model.errors import ModelError
from model.frozen import FrozenMap
from model.labels import LabelSelector, Selector, SelectorError, label_selector_as_selector
from model.objects import Deployment, DeploymentCondition, DeploymentStatus, Pod, ReplicaSet
from model.records import ActorKey, Controller, Timer, TimerStep, generic_actions, write_label
from model.state import ClusterState, ObjKey
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "MAX_REV_HISTORY_LENGTH_IN_CHARS",
    "ApiConflict",
    "RollbackError",
    "SyncContext",
    "sync_deployment",
    "get_replica_sets_for_deployment",
    "claim_replica_sets",
    "get_pod_map_for_deployment",
    "sync_status_only",
    "sync",
    "check_paused_conditions",
    "get_all_replica_sets_and_sync_revision",
    "get_new_replica_set",
    "scale",
    "scale_replica_set_and_record_event",
    "scale_replica_set",
    "cleanup_deployment",
    "sync_deployment_status",
    "calculate_status",
    "is_scaling_event",
    "rollout_rolling",
    "reconcile_new_replica_set",
    "reconcile_old_replica_sets",
    "cleanup_unhealthy_replicas",
    "scale_down_old_replica_sets_for_rolling_update",
    "rollout_recreate",
    "scale_down_old_replica_sets_for_recreate",
    "old_pods_running",
    "scale_up_new_replica_set_for_recreate",
    "sync_rollout_status",
    "get_replica_failures",
    "get_rollback_to",
    "rollback",
    "rollback_to_template",
    "rollback_to_revision",
    "deployment_revision",
]

#: sync.go maxRevHistoryLengthInChars: the revision-history annotation stays under ~2000 chars.
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000

RSList = list[ReplicaSet]
MaybeRSList = list[ReplicaSet | None]


class ApiConflict(Exception):
    """An API write the server would reject with 409 Conflict (stale resourceVersion)."""


class RollbackError(ModelError):
    """``kubectl rollout undo`` refuses: paused deployment, unknown revision, no history."""


# ----------------------------------------------------------------------------- the context


@dataclass(slots=True)
class SyncContext:
    """One reconcile's scratch space: the ``dc`` receiver plus the in-memory ``d``.

    Mutable on purpose and never stored in a state: it plays the part of upstream's fake
    clientset in unit tests (``writes`` is the action log) and of the deep-copied ``d`` that
    upstream mutates while it syncs. ``state`` is the informer cache (read only).
    """

    state: ClusterState
    d: Deployment
    model_conflicts: bool = True
    #: the DeploymentReplicaSetTerminatingReplicas gate (``model.versions``): status.terminatingReplicas
    terminating_replicas: bool = False
    writes: list[Write] = field(default_factory=list)
    _deployment_written: bool = False
    _rs_written: dict[str, ReplicaSet] = field(default_factory=dict)

    @classmethod
    def for_deployment(
        cls, state: ClusterState, d: Deployment, *, model_conflicts: bool = True, terminating_replicas: bool = False
    ) -> "SyncContext":
        return cls(state=state, d=d, model_conflicts=model_conflicts, terminating_replicas=terminating_replicas)

    # ---------------------------------------------------------------- writes
    def _check_rs(self, in_hand: ReplicaSet) -> None:
        last = self._rs_written.get(in_hand.name)
        if self.model_conflicts and last is not None and last != in_hand:
            raise ApiConflict(f"ReplicaSet {in_hand.namespace}/{in_hand.name} was written in this sync; stale copy")

    def update_rs(self, in_hand: ReplicaSet, updated: ReplicaSet) -> ReplicaSet:
        """PUT ``updated`` (built from ``in_hand``); returns the object the server returns."""
        self._check_rs(in_hand)
        if updated.replicas < 0:
            raise ModelError(f"ReplicaSet {updated.namespace}/{updated.name}: refusing to write replicas={updated.replicas}")
        self.writes.append(Update(updated))
        self._rs_written[updated.name] = updated
        return updated

    def create_rs(self, rs: ReplicaSet) -> ReplicaSet:
        self.writes.append(Create(rs))
        self._rs_written[rs.name] = rs
        return rs

    def delete_rs(self, rs: ReplicaSet) -> None:
        """DELETE without preconditions (cleanupDeployment): never a conflict."""
        self.writes.append(Delete("ReplicaSet", rs.namespace, rs.name))

    def _check_deployment(self) -> None:
        if self.model_conflicts and self._deployment_written:
            d = self.d
            raise ApiConflict(f"Deployment {d.namespace}/{d.name} was already written in this sync; stale copy")
        self._deployment_written = True

    def update_deployment_status(self) -> None:
        """``UpdateStatus(ctx, d)``: status, annotations and the abstract-time flag of ``d``."""
        self._check_deployment()
        self.writes.append(UpdateStatus(self.d))

    def update_deployment(self) -> None:
        """``Update(ctx, d)``: spec and metadata of ``d``."""
        self._check_deployment()
        self.writes.append(Update(self.d))

    # -------------------------------------------------------------- helpers
    def set_status(self, status: DeploymentStatus) -> None:
        """Replace ``d.status``; a changed Progressing condition got a fresh lastUpdateTime."""
        d = self.d
        old = get_deployment_condition(d.status, DEPLOYMENT_PROGRESSING)
        new = get_deployment_condition(status, DEPLOYMENT_PROGRESSING)
        elapsed = d.progress_deadline_elapsed and (old == new)
        self.d = replace(d, status=status, progress_deadline_elapsed=elapsed)


# ------------------------------------------------------------------------------ main loop


def sync_deployment(
    state: ClusterState, key: ObjKey, *, model_conflicts: bool = True, terminating_replicas: bool = False
) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/deployment/deployment_controller.go syncDeployment.

    Returns the writes of one reconcile in upstream order; ``()`` means nothing to do. Order of
    precedence as upstream: empty selector (only observedGeneration), claim ReplicaSets,
    deletion (status only), paused conditions, paused (``sync``), deprecated rollback
    annotation, scaling event (``sync``), then the strategy's rollout.  ``terminating_replicas``:
    the DeploymentReplicaSetTerminatingReplicas gate (``model.versions``).
    """
    d = state.get("Deployment", key[0], key[1])
    if d is None:
        return ()
    ctx = SyncContext.for_deployment(state, d, model_conflicts=model_conflicts, terminating_replicas=terminating_replicas)
    try:
        _sync_deployment(ctx)
    except (UpstreamError, ApiConflict):
        pass  # upstream returns the error: the deployment is requeued with rate limiting
    return tuple(ctx.writes)


def _sync_deployment(ctx: SyncContext) -> None:
    d = ctx.d
    if d.selector is not None and d.selector == LabelSelector():
        # "SelectingAll" warning event; only observedGeneration is synced.
        if d.status.observed_generation < d.generation:
            ctx.d = replace(d, status=replace(d.status, observed_generation=d.generation))
            ctx.update_deployment_status()
        return
    rs_list = get_replica_sets_for_deployment(ctx)
    # Upstream builds the pod map here, but only rolloutRecreate reads it; it is built below,
    # in that branch, so that a RollingUpdate sync does not read the pods at all (model.system
    # memoises a sync on the tables it reads).  Same result: building it cannot fail once
    # claim_replica_sets has parsed the selector, and it reads only ``d``'s namespace, selector
    # and ``rs_list``, which nothing in between changes.
    if d.being_deleted:
        sync_status_only(ctx, rs_list)
        return
    check_paused_conditions(ctx)
    if ctx.d.paused:
        sync(ctx, rs_list)
        return
    if get_rollback_to(ctx.d) is not None:
        rollback(ctx, rs_list)
        return
    if is_scaling_event(ctx, rs_list):
        sync(ctx, rs_list)
        return
    if ctx.d.strategy.type == "Recreate":
        rollout_recreate(ctx, rs_list, get_pod_map_for_deployment(ctx.state, d, rs_list))
    elif ctx.d.strategy.type == "RollingUpdate":
        rollout_rolling(ctx, rs_list)
    else:
        raise UpstreamError(f"unexpected deployment strategy type: {ctx.d.strategy.type}")


def _selector(d: Deployment) -> Selector:
    try:
        return label_selector_as_selector(d.selector)
    except SelectorError as err:
        raise UpstreamError(f"deployment {d.namespace}/{d.name} has invalid label selector: {err}") from err


def claim_replica_sets(ctx: SyncContext, sets: Sequence[ReplicaSet]) -> RSList:
    """Mirrors pkg/controller/controller_ref_manager.go ReplicaSetControllerRefManager.ClaimReplicaSets.

    ``match`` is the deployment selector against the RS labels. Adoption and release are
    upstream strategic-merge patches of ownerReferences (UID precondition); here ``Update``
    writes of the RS metadata. Adopted RSs are returned as listed (before the patch), as
    upstream does. Before the first adoption the owner is re-checked (#42639): in the model
    the deployment is read from the same state, so a failed re-check is an upstream error.
    """
    d = ctx.d
    selector = _selector(d)
    claimed: RSList = []
    can_adopt: bool | None = None
    for rs in sets:
        decision = claim_object(d, rs, selector.matches(rs.labels))
        if decision == CLAIMED:
            claimed.append(rs)
        elif decision == RELEASE:
            kept = tuple(r for r in rs.owner_references if r.uid != d.uid)
            ctx.update_rs(rs, replace(rs, owner_references=kept))
        elif decision == ADOPT:
            if can_adopt is None:
                can_adopt = recheck_deletion_timestamp(ctx.state, d, "Deployment")
            if not can_adopt:
                raise UpstreamError(f"Deployment {d.namespace}/{d.name} cannot adopt: gone or being deleted")
            ref = new_controller_ref(d, "Deployment")
            kept = tuple(r for r in rs.owner_references if r.uid != d.uid)
            ctx.update_rs(rs, replace(rs, owner_references=kept + (ref,)))
            claimed.append(rs)
    return claimed


def get_replica_sets_for_deployment(ctx: SyncContext) -> RSList:
    """Mirrors pkg/controller/deployment/deployment_controller.go getReplicaSetsForDeployment.

    Every ReplicaSet of the namespace (so owned ones that stopped matching are released),
    claimed with :func:`claim_replica_sets`.
    """
    return claim_replica_sets(ctx, ctx.state.objects("ReplicaSet", ctx.d.namespace))


def get_pod_map_for_deployment(state: ClusterState, d: Deployment, rs_list: Sequence[ReplicaSet]) -> dict[str, list[Pod]]:
    """Mirrors pkg/controller/deployment/deployment_controller.go getPodMapForDeployment.

    Pods of the namespace matching the deployment selector, grouped by the UID of their
    controller ref when that UID is one of ``rs_list``. Inactive pods are kept: Recreate
    must see that no old pod is still running.
    """
    selector = _selector(d)
    pod_map: dict[str, list[Pod]] = {rs.uid: [] for rs in rs_list}
    for pod in state.objects("Pod", d.namespace):
        if not selector.matches(pod.labels):
            continue
        ref = pod.controller_ref()
        if ref is None:
            continue
        if ref.uid in pod_map:
            pod_map[ref.uid].append(pod)
    return pod_map


# -------------------------------------------------------------------------------- sync.go


def sync_status_only(ctx: SyncContext, rs_list: Sequence[ReplicaSet]) -> None:
    """Mirrors pkg/controller/deployment/sync.go syncStatusOnly."""
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, False)
    sync_deployment_status(ctx, [*old_rss, new_rs], new_rs)


def sync(ctx: SyncContext, rs_list: Sequence[ReplicaSet]) -> None:
    """Mirrors pkg/controller/deployment/sync.go sync: scaling events and paused deployments.

    Scale (proportionally if needed), clean up old RSs when paused without a pending rollback,
    then sync the status (no progress estimation on this path).
    """
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, False)
    scale(ctx, new_rs, old_rss)
    if ctx.d.paused and get_rollback_to(ctx.d) is None:
        cleanup_deployment(ctx, old_rss)
    sync_deployment_status(ctx, [*old_rss, new_rs], new_rs)


def check_paused_conditions(ctx: SyncContext) -> None:
    """Mirrors pkg/controller/deployment/sync.go checkPausedConditions.

    With a progress deadline and no ProgressDeadlineExceeded condition: pausing sets
    Progressing=Unknown/DeploymentPaused, resuming Progressing=Unknown/DeploymentResumed
    (so time spent paused never counts against the deadline).
    """
    d = ctx.d
    if not has_progress_deadline(d):
        return
    cond = get_deployment_condition(d.status, DEPLOYMENT_PROGRESSING)
    if cond is not None and cond.reason == TIMED_OUT_REASON:
        return
    paused_cond_exists = cond is not None and cond.reason == PAUSED_DEPLOY_REASON
    if d.paused and not paused_cond_exists:
        c = new_deployment_condition(DEPLOYMENT_PROGRESSING, "Unknown", PAUSED_DEPLOY_REASON, "Deployment is paused")
    elif not d.paused and paused_cond_exists:
        c = new_deployment_condition(DEPLOYMENT_PROGRESSING, "Unknown", RESUMED_DEPLOY_REASON, "Deployment is resumed")
    else:
        return
    ctx.set_status(set_deployment_condition(d.status, c))
    ctx.update_deployment_status()


def get_all_replica_sets_and_sync_revision(
    ctx: SyncContext, rs_list: Sequence[ReplicaSet], create_if_not_existed: bool
) -> tuple[ReplicaSet | None, RSList]:
    """Mirrors pkg/controller/deployment/sync.go getAllReplicaSetsAndSyncRevision: ``(new, all old)``."""
    _, all_old_rss = find_old_replica_sets(ctx.d, rs_list)
    new_rs = get_new_replica_set(ctx, rs_list, all_old_rss, create_if_not_existed)
    return new_rs, all_old_rss


def get_new_replica_set(
    ctx: SyncContext, rs_list: Sequence[ReplicaSet], old_rss: Sequence[ReplicaSet], create_if_not_existed: bool
) -> ReplicaSet | None:
    """Mirrors pkg/controller/deployment/sync.go getNewReplicaSet.

    Existing new RS: sync its annotations (revision = max old revision + 1) and
    minReadySeconds with one ``Update`` and return; otherwise copy its revision to the
    deployment (and add Progressing=True/FoundNewReplicaSet if no Progressing condition) with
    one ``UpdateStatus``. No new RS and ``create_if_not_existed``: create
    ``<name>-<hash>`` (hash label on template, labels and selector; controller ownerRef;
    replicas from :func:`new_rs_new_replicas`; revision/desired/max annotations). A name
    clash with an RS that is not ours bumps ``status.collisionCount`` and fails the sync.
    """
    d = ctx.d
    existing = find_new_replica_set(d, rs_list)
    new_revision = str(max_revision(old_rss) + 1)
    if existing is not None:
        rs_copy, annotations_updated = set_new_replica_set_annotations(
            d, existing, new_revision, True, MAX_REV_HISTORY_LENGTH_IN_CHARS
        )
        if annotations_updated or rs_copy.min_ready_seconds != d.min_ready_seconds:
            rs_copy = replace(rs_copy, min_ready_seconds=d.min_ready_seconds)
            return ctx.update_rs(existing, rs_copy)
        d, needs_update = set_deployment_revision(d, rs_copy.annotations.get(REVISION_ANNOTATION, ""))
        ctx.d = d
        if has_progress_deadline(d) and get_deployment_condition(d.status, DEPLOYMENT_PROGRESSING) is None:
            c = new_deployment_condition(
                DEPLOYMENT_PROGRESSING, "True", FOUND_NEW_RS_REASON, f'Found new replica set "{rs_copy.name}"'
            )
            ctx.set_status(set_deployment_condition(d.status, c))
            needs_update = True
        if needs_update:
            ctx.update_deployment_status()
        return rs_copy

    if not create_if_not_existed:
        return None

    pod_template_hash = compute_hash(d.template, d.status.collision_count)
    template = replace(
        d.template, labels=d.template.labels.set(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, pod_template_hash)
    )
    new_rs = ReplicaSet(
        name=f"{d.name}-{pod_template_hash}",
        namespace=d.namespace,
        owner_references=(new_controller_ref(d, "Deployment"),),
        labels=template.labels,
        replicas=0,
        min_ready_seconds=d.min_ready_seconds,
        selector=clone_selector_and_add_label(d.selector, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, pod_template_hash),
        template=template,
    )
    new_replicas_count = new_rs_new_replicas(d, [*old_rss, new_rs], new_rs)
    new_rs = replace(new_rs, replicas=new_replicas_count)
    new_rs, _ = set_new_replica_set_annotations(d, new_rs, new_revision, False, MAX_REV_HISTORY_LENGTH_IN_CHARS)

    already_exists = False
    clash = ctx.state.get("ReplicaSet", new_rs.namespace, new_rs.name)
    if clash is not None:
        # AlreadyExists: ours with an equal template means a slow cache; anything else is a
        # hash collision: bump collisionCount and requeue with the original error.
        already_exists = True
        ref = clash.controller_ref()
        if not (ref is not None and ref.uid == d.uid and equal_ignore_hash(d.template, clash.template)):
            count = 0 if d.status.collision_count is None else d.status.collision_count
            ctx.set_status(replace(d.status, collision_count=count + 1))
            ctx.update_deployment_status()
            raise UpstreamError(f"replicasets.apps {new_rs.name!r} already exists")
        created = clash
    else:
        created = ctx.create_rs(new_rs)

    d, needs_update = set_deployment_revision(ctx.d, new_revision)
    ctx.d = d
    if not already_exists and has_progress_deadline(d):
        c = new_deployment_condition(
            DEPLOYMENT_PROGRESSING, "True", NEW_REPLICA_SET_REASON, f'Created new replica set "{created.name}"'
        )
        ctx.set_status(set_deployment_condition(d.status, c))
        needs_update = True
    if needs_update:
        ctx.update_deployment_status()
    return created


def scale(ctx: SyncContext, new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet]) -> None:
    """Mirrors pkg/controller/deployment/sync.go scale: proportional scaling.

    One active (or no active) RS: scale it to spec.replicas. A saturated new RS: scale every
    active old RS to 0. Otherwise, for RollingUpdate, spread ``replicas + maxSurge - Σspec``
    over the active RSs in proportion (:func:`get_proportion`; larger first, newer first when
    adding, older first when removing), give the leftover to the first, and write every
    active RS (refreshing stale desired/max annotations even when its size is unchanged).
    """
    d = ctx.d
    active_or_latest = find_active_or_latest(new_rs, old_rss)
    if active_or_latest is not None:
        if active_or_latest.replicas == d.replicas:
            return
        scale_replica_set_and_record_event(ctx, active_or_latest, d.replicas)
        return

    if is_saturated(d, new_rs):
        for old in filter_active_replica_sets(old_rss):
            scale_replica_set_and_record_event(ctx, old, 0)
        return

    if is_rolling_update(d):
        all_rss = list(filter_active_replica_sets([*old_rss, new_rs]))
        all_rss_replicas = get_replica_count_for_replica_sets(all_rss)
        allowed_size = d.replicas + max_surge(d) if d.replicas > 0 else 0
        to_add = allowed_size - all_rss_replicas
        if to_add > 0:
            all_rss = replica_sets_by_size_newer(all_rss)
        elif to_add < 0:
            all_rss = replica_sets_by_size_older(all_rss)
        added = 0
        name_to_size: dict[str, int] = {}
        for rs in all_rss:
            if to_add != 0:
                proportion = get_proportion(rs, d, to_add, added)
                name_to_size[rs.name] = rs.replicas + proportion
                added += proportion
            else:
                name_to_size[rs.name] = rs.replicas
        for i, rs in enumerate(all_rss):
            if i == 0 and to_add != 0:
                leftover = to_add - added
                name_to_size[rs.name] = max(0, name_to_size[rs.name] + leftover)
            scale_replica_set(ctx, rs, name_to_size[rs.name])


def scale_replica_set_and_record_event(ctx: SyncContext, rs: ReplicaSet, new_scale: int) -> tuple[bool, ReplicaSet]:
    """Mirrors pkg/controller/deployment/sync.go scaleReplicaSetAndRecordEvent (no-op if the size is right)."""
    if rs.replicas == new_scale:
        return False, rs
    return scale_replica_set(ctx, rs, new_scale)


def scale_replica_set(ctx: SyncContext, rs: ReplicaSet, new_scale: int) -> tuple[bool, ReplicaSet]:
    """Mirrors pkg/controller/deployment/sync.go scaleReplicaSet.

    Writes the RS (``Update``) if its size or its desired/max annotations are stale; returns
    ``(scaled, rs)`` where ``scaled`` means the size changed.
    """
    d = ctx.d
    size_needs_update = rs.replicas != new_scale
    max_replicas = d.replicas + max_surge(d)
    annotations_need_update = replicas_annotations_need_update(rs, d.replicas, max_replicas)
    if not (size_needs_update or annotations_need_update):
        return False, rs
    rs_copy, _ = set_replicas_annotations(replace(rs, replicas=new_scale), d.replicas, max_replicas)
    return size_needs_update, ctx.update_rs(rs, rs_copy)


def cleanup_deployment(ctx: SyncContext, old_rss: Sequence[ReplicaSet | None]) -> None:
    """Mirrors pkg/controller/deployment/sync.go cleanupDeployment (revisionHistoryLimit).

    Of the old RSs not being deleted, the ``len - revisionHistoryLimit`` lowest revisions are
    candidates; each is deleted only if spec = status.replicas = 0 and its generation was
    observed.
    """
    d = ctx.d
    if not has_revision_history_limit(d):
        return
    cleanable = [rs for rs in old_rss if rs is not None and rs.deletion_timestamp is None]
    diff = len(cleanable) - d.revision_history_limit
    if diff <= 0:
        return
    cleanable = replica_sets_by_revision(cleanable)
    for rs in cleanable[:diff]:
        if (
            rs.status.replicas != 0
            or rs.replicas != 0
            or rs.generation > rs.status.observed_generation
            or rs.deletion_timestamp is not None
        ):
            continue
        ctx.delete_rs(rs)


def sync_deployment_status(ctx: SyncContext, all_rss: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None) -> None:
    """Mirrors pkg/controller/deployment/sync.go syncDeploymentStatus (write only if changed)."""
    new_status = calculate_status(all_rss, new_rs, ctx.d, terminating_replicas=ctx.terminating_replicas)
    if new_status == ctx.d.status:
        return
    ctx.set_status(new_status)
    ctx.update_deployment_status()


def calculate_status(
    all_rss: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None, d: Deployment, *, terminating_replicas: bool = False
) -> DeploymentStatus:
    """Mirrors pkg/controller/deployment/sync.go calculateStatus.

    Counts from the RS statuses (unavailable uses Σ spec), observedGeneration = generation,
    the conditions copied, then Available=True/MinimumReplicasAvailable iff available >=
    replicas - maxUnavailable, else Available=False/MinimumReplicasUnavailable.  With the
    DeploymentReplicaSetTerminatingReplicas gate (``terminating_replicas``),
    ``terminatingReplicas`` = GetTerminatingReplicaCountForReplicaSets; else nil.
    """
    available = get_available_replica_count_for_replica_sets(all_rss)
    total = get_replica_count_for_replica_sets(all_rss)
    status = DeploymentStatus(
        observed_generation=d.generation,
        replicas=get_actual_replica_count_for_replica_sets(all_rss),
        updated_replicas=get_actual_replica_count_for_replica_sets([new_rs]),
        ready_replicas=get_ready_replica_count_for_replica_sets(all_rss),
        available_replicas=available,
        unavailable_replicas=max(0, total - available),
        conditions=d.status.conditions,
        collision_count=d.status.collision_count,
        terminating_replicas=get_terminating_replica_count_for_replica_sets(all_rss) if terminating_replicas else None,
    )
    if available >= d.replicas - max_unavailable(d):
        c = new_deployment_condition(
            DEPLOYMENT_AVAILABLE, "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability."
        )
    else:
        c = new_deployment_condition(
            DEPLOYMENT_AVAILABLE, "False", MINIMUM_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability."
        )
    return set_deployment_condition(status, c)


def is_scaling_event(ctx: SyncContext, rs_list: Sequence[ReplicaSet]) -> bool:
    """Mirrors pkg/controller/deployment/sync.go isScalingEvent.

    True iff an active RS carries a parsable desired-replicas annotation different from
    spec.replicas. It runs ``getAllReplicaSetsAndSyncRevision`` and so may already write.
    """
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, False)
    for rs in filter_active_replica_sets([*old_rss, new_rs]):
        desired, ok = get_desired_replicas_annotation(rs)
        if ok and desired != ctx.d.replicas:
            return True
    return False


# ----------------------------------------------------------------------------- rolling.go


def rollout_rolling(ctx: SyncContext, rs_list: Sequence[ReplicaSet]) -> None:
    """Mirrors pkg/controller/deployment/rolling.go rolloutRolling.

    At most one of: scale the new RS (then status), scale old RSs down (then status); when
    neither applies and the stored status is complete, clean up old RSs; then the status.
    """
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, True)
    assert new_rs is not None  # created above, or the sync stopped with an error
    all_rss: MaybeRSList = [*old_rss, new_rs]
    if reconcile_new_replica_set(ctx, all_rss, new_rs):
        sync_rollout_status(ctx, all_rss, new_rs)
        return
    if reconcile_old_replica_sets(ctx, all_rss, list(filter_active_replica_sets(old_rss)), new_rs):
        sync_rollout_status(ctx, all_rss, new_rs)
        return
    if deployment_complete(ctx.d, ctx.d.status):
        cleanup_deployment(ctx, old_rss)
    sync_rollout_status(ctx, all_rss, new_rs)


def reconcile_new_replica_set(ctx: SyncContext, all_rss: Sequence[ReplicaSet | None], new_rs: ReplicaSet) -> bool:
    """Mirrors pkg/controller/deployment/rolling.go reconcileNewReplicaSet.

    Too big: scale down to spec.replicas. Too small: scale up to :func:`new_rs_new_replicas`.
    """
    d = ctx.d
    if new_rs.replicas == d.replicas:
        return False
    if new_rs.replicas > d.replicas:
        scaled, _ = scale_replica_set_and_record_event(ctx, new_rs, d.replicas)
        return scaled
    new_replicas_count = new_rs_new_replicas(d, all_rss, new_rs)
    scaled, _ = scale_replica_set_and_record_event(ctx, new_rs, new_replicas_count)
    return scaled


def reconcile_old_replica_sets(
    ctx: SyncContext, all_rss: Sequence[ReplicaSet | None], old_rss: Sequence[ReplicaSet], new_rs: ReplicaSet
) -> bool:
    """Mirrors pkg/controller/deployment/rolling.go reconcileOldReplicaSets.

    ``maxScaledDown = Σspec(all) - minAvailable - (new.spec - new.available)``: unavailable
    new pods never let old ones go. Worked example (upstream comment): 10 replicas,
    maxUnavailable 2, maxSurge 3; new RS crashlooping at 5 with old at 8: 13 - 8 - 5 = 0, so
    nothing is scaled down even when an old pod fails. Unhealthy old replicas go first
    (#16737), then available ones down to minAvailable. Errors of either step are swallowed
    (upstream returns ``false, nil``).
    """
    d = ctx.d
    old_pods_count = get_replica_count_for_replica_sets(old_rss)
    if old_pods_count == 0:
        return False
    all_pods_count = get_replica_count_for_replica_sets(all_rss)
    min_avail = d.replicas - max_unavailable(d)
    new_rs_unavailable_pod_count = new_rs.replicas - new_rs.status.available_replicas
    max_scaled_down = all_pods_count - min_avail - new_rs_unavailable_pod_count
    if max_scaled_down <= 0:
        return False
    try:
        olds, cleanup_count = cleanup_unhealthy_replicas(ctx, old_rss, max_scaled_down)
    except (UpstreamError, ApiConflict):
        return False
    try:
        scaled_down_count = scale_down_old_replica_sets_for_rolling_update(ctx, [*olds, new_rs], olds)
    except (UpstreamError, ApiConflict):
        return False
    return cleanup_count + scaled_down_count > 0


def cleanup_unhealthy_replicas(
    ctx: SyncContext, old_rss: Sequence[ReplicaSet], max_cleanup_count: int
) -> tuple[RSList, int]:
    """Mirrors pkg/controller/deployment/rolling.go cleanupUnhealthyReplicas.

    Oldest first, scale each old RS down by its unavailable replicas (spec - available), at
    most ``max_cleanup_count`` in total. Returns the (updated) old RSs and the count.
    """
    olds = replica_sets_by_creation_timestamp(old_rss)
    total_scaled_down = 0
    for i, target in enumerate(olds):
        if total_scaled_down >= max_cleanup_count:
            break
        if target.replicas == 0:
            continue
        if target.replicas == target.status.available_replicas:
            continue
        scaled_down_count = min(max_cleanup_count - total_scaled_down, target.replicas - target.status.available_replicas)
        new_replicas_count = target.replicas - scaled_down_count
        if new_replicas_count > target.replicas:
            raise UpstreamError(
                f"when cleaning up unhealthy replicas, got invalid request to scale down "
                f"{target.namespace}/{target.name} {target.replicas} -> {new_replicas_count}"
            )
        _, updated = scale_replica_set_and_record_event(ctx, target, new_replicas_count)
        total_scaled_down += scaled_down_count
        olds[i] = updated
    return olds, total_scaled_down


def scale_down_old_replica_sets_for_rolling_update(
    ctx: SyncContext, all_rss: Sequence[ReplicaSet | None], old_rss: Sequence[ReplicaSet]
) -> int:
    """Mirrors pkg/controller/deployment/rolling.go scaleDownOldReplicaSetsForRollingUpdate.

    Oldest first, scale old RSs down by ``Σavailable(all) - minAvailable`` in total.
    """
    d = ctx.d
    min_avail = d.replicas - max_unavailable(d)
    available_pod_count = get_available_replica_count_for_replica_sets(all_rss)
    if available_pod_count <= min_avail:
        return 0
    total_scaled_down = 0
    total_scale_down_count = available_pod_count - min_avail
    for target in replica_sets_by_creation_timestamp(old_rss):
        if total_scaled_down >= total_scale_down_count:
            break
        if target.replicas == 0:
            continue
        scale_down_count = min(target.replicas, total_scale_down_count - total_scaled_down)
        new_replicas_count = target.replicas - scale_down_count
        if new_replicas_count > target.replicas:
            raise UpstreamError(
                f"when scaling down old RS, got invalid request to scale down "
                f"{target.namespace}/{target.name} {target.replicas} -> {new_replicas_count}"
            )
        scale_replica_set_and_record_event(ctx, target, new_replicas_count)
        total_scaled_down += scale_down_count
    return total_scaled_down


# ---------------------------------------------------------------------------- recreate.go


def rollout_recreate(ctx: SyncContext, rs_list: Sequence[ReplicaSet], pod_map: Mapping[str, Sequence[Pod]]) -> None:
    """Mirrors pkg/controller/deployment/recreate.go rolloutRecreate.

    Scale every active old RS to 0 (then status); wait while old pods run (status); create
    the new RS only now, scale it to spec.replicas, clean up if the stored status is
    complete, then status.
    """
    new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, False)
    all_rss: MaybeRSList = [*old_rss, new_rs]
    active_old_rss = list(filter_active_replica_sets(old_rss))
    if scale_down_old_replica_sets_for_recreate(ctx, active_old_rss):
        sync_rollout_status(ctx, all_rss, new_rs)
        return
    if old_pods_running(new_rs, old_rss, pod_map):
        sync_rollout_status(ctx, all_rss, new_rs)
        return
    if new_rs is None:
        new_rs, old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, True)
        all_rss = [*old_rss, new_rs]
    assert new_rs is not None
    scale_up_new_replica_set_for_recreate(ctx, new_rs)
    if deployment_complete(ctx.d, ctx.d.status):
        cleanup_deployment(ctx, old_rss)
    sync_rollout_status(ctx, all_rss, new_rs)


def scale_down_old_replica_sets_for_recreate(ctx: SyncContext, old_rss: list[ReplicaSet]) -> bool:
    """Mirrors pkg/controller/deployment/recreate.go scaleDownOldReplicaSetsForRecreate (updates ``old_rss`` in place)."""
    scaled = False
    for i, rs in enumerate(old_rss):
        if rs.replicas == 0:
            continue
        scaled_rs, updated = scale_replica_set_and_record_event(ctx, rs, 0)
        if scaled_rs:
            old_rss[i] = updated
            scaled = True
    return scaled


def old_pods_running(
    new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet | None], pod_map: Mapping[str, Sequence[Pod]] | None
) -> bool:
    """Mirrors pkg/controller/deployment/recreate.go oldPodsRunning.

    True if an old RS still reports pods, or a pod of any RS but the new one is not Failed
    or Succeeded (Pending, Unknown and Running all count).
    """
    if get_actual_replica_count_for_replica_sets(old_rss) > 0:
        return True
    for rs_uid, pods in (pod_map or {}).items():
        if new_rs is not None and new_rs.uid == rs_uid:
            continue
        for pod in pods:
            if pod.phase in ("Failed", "Succeeded"):
                continue
            return True
    return False


def scale_up_new_replica_set_for_recreate(ctx: SyncContext, new_rs: ReplicaSet) -> bool:
    """Mirrors pkg/controller/deployment/recreate.go scaleUpNewReplicaSetForRecreate."""
    scaled, _ = scale_replica_set_and_record_event(ctx, new_rs, ctx.d.replicas)
    return scaled


# ---------------------------------------------------------------------------- progress.go


def sync_rollout_status(ctx: SyncContext, all_rss: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None) -> None:
    """Mirrors pkg/controller/deployment/progress.go syncRolloutStatus.

    :func:`calculate_status`, then (with a deadline, unless the last rollout already
    completed) Progressing: NewReplicaSetAvailable when complete, ReplicaSetUpdated (always
    refreshed) on progress, ProgressDeadlineExceeded when timed out. ReplicaFailure is
    copied from the ReplicaSets (:func:`get_replica_failures`; only a refused pod write, the
    opt-in ``write_failure`` fault, sets one), else removed. Written only if it changed; upstream's
    requeueStuckDeployment is the environment's abstract-time step here.
    """
    d = ctx.d
    new_status = calculate_status(all_rss, new_rs, d, terminating_replicas=ctx.terminating_replicas)
    if not has_progress_deadline(d):
        new_status = remove_deployment_condition(new_status, DEPLOYMENT_PROGRESSING)
    current_cond = get_deployment_condition(d.status, DEPLOYMENT_PROGRESSING)
    is_complete_deployment = (
        new_status.replicas == new_status.updated_replicas
        and current_cond is not None
        and current_cond.reason == NEW_RS_AVAILABLE_REASON
    )
    refreshed = False
    if has_progress_deadline(d) and not is_complete_deployment:
        if deployment_complete(d, new_status):
            msg = f'Deployment "{d.name}" has successfully progressed.'
            if new_rs is not None:
                msg = f'ReplicaSet "{new_rs.name}" has successfully progressed.'
            c = new_deployment_condition(DEPLOYMENT_PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, msg)
            new_status = set_deployment_condition(new_status, c)
        elif deployment_progressing(d, new_status):
            msg = f'Deployment "{d.name}" is progressing.'
            if new_rs is not None:
                msg = f'ReplicaSet "{new_rs.name}" is progressing.'
            c = new_deployment_condition(DEPLOYMENT_PROGRESSING, "True", REPLICA_SET_UPDATED_REASON, msg)
            if current_cond is not None:
                new_status = remove_deployment_condition(new_status, DEPLOYMENT_PROGRESSING)
            new_status = set_deployment_condition(new_status, c)
            refreshed = True  # lastUpdateTime is always bumped on progress
        elif deployment_timed_out(d, new_status):
            msg = f'Deployment "{d.name}" has timed out progressing.'
            if new_rs is not None:
                msg = f'ReplicaSet "{new_rs.name}" has timed out progressing.'
            c = new_deployment_condition(DEPLOYMENT_PROGRESSING, "False", TIMED_OUT_REASON, msg)
            new_status = set_deployment_condition(new_status, c)
    # Move failure conditions of all replica sets in deployment conditions (getReplicaFailures).
    replica_failure_cond = get_replica_failures(all_rss, new_rs)
    if replica_failure_cond:
        new_status = set_deployment_condition(new_status, replica_failure_cond[0])
    else:
        new_status = remove_deployment_condition(new_status, DEPLOYMENT_REPLICA_FAILURE)
    if new_status == d.status:
        return
    ctx.set_status(new_status)
    if refreshed:
        ctx.d = replace(ctx.d, progress_deadline_elapsed=False)
    ctx.update_deployment_status()


def get_replica_failures(all_rss: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None) -> list[DeploymentCondition]:
    """Mirrors pkg/controller/deployment/progress.go getReplicaFailures.

    The ReplicaFailure conditions of the new ReplicaSet, converted; when it has none, those of
    every ReplicaSet of ``all_rss`` in order."""
    conditions = []
    if new_rs is not None:
        conditions = [replica_set_to_deployment_condition(c) for c in new_rs.status.conditions if c.type == "ReplicaFailure"]
    if conditions:
        return conditions
    for rs in all_rss:
        if rs is None:
            continue
        conditions.extend(replica_set_to_deployment_condition(c) for c in rs.status.conditions if c.type == "ReplicaFailure")
    return conditions


# ---------------------------------------------------------------------------- rollback.go


def get_rollback_to(d: Deployment) -> int | None:
    """Mirrors pkg/controller/deployment/rollback.go getRollbackTo.

    The revision in the ``deprecated.deployment.rollback.to`` annotation (how apps/v1
    round-trips the removed spec.rollbackTo); empty or unparsable: ``None``.
    """
    value = d.annotations.get(DEPRECATED_ROLLBACK_TO, "")
    if value == "":
        return None
    probe = replace(ReplicaSet(name=d.name), annotations=FrozenMap({REVISION_ANNOTATION: value}))
    try:
        return revision(probe)
    except UpstreamError:
        return None


def _update_deployment_and_clear_rollback_to(ctx: SyncContext) -> None:
    ctx.d = replace(ctx.d, annotations=ctx.d.annotations.remove(DEPRECATED_ROLLBACK_TO))
    ctx.update_deployment()


def rollback(ctx: SyncContext, rs_list: Sequence[ReplicaSet]) -> None:
    """Mirrors pkg/controller/deployment/rollback.go rollback (the deprecated annotation path).

    Revision 0 means the last revision; the deployment's template and annotations are set
    from the RS with that revision, and the annotation is cleared with one ``Update``.
    """
    new_rs, all_old_rss = get_all_replica_sets_and_sync_revision(ctx, rs_list, True)
    all_rss: MaybeRSList = [*all_old_rss, new_rs]
    to_revision = get_rollback_to(ctx.d)
    assert to_revision is not None
    if to_revision == 0:
        to_revision = last_revision(all_rss)
        if to_revision == 0:
            _update_deployment_and_clear_rollback_to(ctx)  # RollbackRevisionNotFound
            return
    for rs in all_rss:
        if rs is None:
            continue
        try:
            v = revision(rs)
        except UpstreamError:
            continue
        if v == to_revision:
            rollback_to_template(ctx, rs)
            return
    _update_deployment_and_clear_rollback_to(ctx)  # RollbackRevisionNotFound


def rollback_to_template(ctx: SyncContext, rs: ReplicaSet) -> bool:
    """Mirrors pkg/controller/deployment/rollback.go rollbackToTemplate."""
    performed = False
    if not equal_ignore_hash(ctx.d.template, rs.template):
        ctx.d = set_deployment_annotations_to(set_from_replica_set_template(ctx.d, rs.template), rs)
        performed = True
    _update_deployment_and_clear_rollback_to(ctx)
    return performed


def deployment_revision(state: ClusterState, d: Deployment, to_revision: int) -> ReplicaSet:
    """Mirrors staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go deploymentRevision.

    Lists the deployment's RSs (selector matches and controller ref = the deployment, as
    deploymentutil.GetAllReplicaSets does); ``to_revision`` 0 picks the second-newest
    revision, otherwise the RS with exactly that revision.
    """
    selector = _selector(d)
    owned = [
        rs
        for rs in state.objects("ReplicaSet", d.namespace)
        if selector.matches(rs.labels) and (ref := rs.controller_ref()) is not None and ref.uid == d.uid
    ]
    _, all_old = find_old_replica_sets(d, owned)
    new_rs = find_new_replica_set(d, owned)
    all_rss = [*all_old, *([new_rs] if new_rs is not None else [])]
    latest_rev, previous_rev = -1, -1
    latest: ReplicaSet | None = None
    previous: ReplicaSet | None = None
    for rs in all_rss:
        try:
            v = revision(rs)
        except UpstreamError:
            continue
        if to_revision == 0:
            if latest_rev < v:
                previous_rev, previous = latest_rev, latest
                latest_rev, latest = v, rs
            elif previous_rev < v:
                previous_rev, previous = v, rs
        elif to_revision == v:
            return rs
    if to_revision > 0:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    if previous is None:
        raise RollbackError(f'no rollout history found for deployment "{d.name}"')
    return previous


def rollback_to_revision(state: ClusterState, key: ObjKey, to_revision: int = 0) -> Deployment:
    """Mirrors staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go DeploymentRollbacker.Rollback.

    The pure part of ``kubectl rollout undo deployment/<name> [--to-revision=N]``: returns the
    Deployment the user action writes (``Update``; the API server bumps the generation). The
    template of the RS with that revision (0: the previous one) minus its hash label becomes
    the deployment's template; the annotations become the deployment's skip-set annotations
    plus the RS's other annotations (kubectl's JSON patch replaces both). If the template
    already matches, the deployment is returned unchanged ("skipped rollback"). A paused
    deployment, a negative or unknown revision, or no history raise :class:`RollbackError`.
    """
    d = state.get("Deployment", key[0], key[1])
    if d is None:
        raise RollbackError(f"deployments.apps {key[1]!r} not found in namespace {key[0]!r}")
    if to_revision < 0:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    rs_for_revision = deployment_revision(state, d, to_revision)
    if d.paused:
        raise RollbackError(
            f"you cannot rollback a paused deployment; resume it first with "
            f"'kubectl rollout resume deployment/{d.name}' and try again"
        )
    if equal_ignore_hash(rs_for_revision.template, d.template):
        return d
    return set_deployment_annotations_to(set_from_replica_set_template(d, rs_for_revision.template), rs_for_revision)


def _is_new_rs(cluster: ClusterState, deployment_key: tuple[str, str], rs: Any) -> bool:
    d = cluster.get("Deployment", *deployment_key)
    if d is None:
        return False
    labels = {k: v for k, v in rs.template.labels.items() if k != "pod-template-hash"}
    return dict(d.template.labels) == labels and d.template.containers == rs.template.containers


def deployment_write_label(ctl: Controller, key: ActorKey, write: Write, base: Any, cluster: ClusterState) -> str:
    """The Deployment controller's action labels: :func:`model.records.write_label`, except that a
    change of a ReplicaSet's replicas says which way and whether the set is the new one
    (``dc_scale_up_new_rs``, ``dc_scale_down_old_rs``)."""
    label = write_label(ctl, key, write, base, cluster)
    obj = getattr(write, "obj", None)
    if (
        isinstance(write, Update)
        and base is not None
        and isinstance(obj, ReplicaSet)
        and base.replicas != obj.replicas
        and label == f"{ctl.prefix}_update_rs"
    ):
        which = "new" if _is_new_rs(cluster, (key[-2], key[-1]), obj) else "old"
        direction = "up" if obj.replicas > base.replicas else "down"
        return f"{ctl.prefix}_scale_{direction}_{which}_rs"
    return label


#: The Deployment controller's record (registered in ``model.registry``).
CONTROLLER = Controller(
    "deployment", "dc", "Deployment", sync_deployment,
    generic_actions("dc", creates=["ReplicaSet"], deletes=["ReplicaSet"], updates=["ReplicaSet", "Deployment"], adopts=["ReplicaSet"])
    | {f"dc_scale_{d}_{w}_rs" for d in ("up", "down") for w in ("new", "old")},
    label=deployment_write_label,
)


def progress_deadline_expiries(state: ClusterState) -> Iterator[TimerStep]:
    """The progressDeadlineSeconds of every Deployment that :func:`progress_deadline_can_elapse`."""
    for key, d in state.deployments.items():
        if progress_deadline_can_elapse(d):
            yield TimerStep("expiry_progress_deadline", "Deployment", key, state.put(replace(d, progress_deadline_elapsed=True)))


def progress_deadline_fairness(d: Deployment) -> tuple[str, ...]:
    """The progress deadline's clock identity under the ``progress-deadline`` clock: what
    pkg/controller/deployment/util/deployment_util.go DeploymentProgressing compares (updated
    replicas, old replicas, ready, available) and the Progressing condition's reason.  The timer is
    weakly fair *per value* of this key: a run in which the key stays the same for ever never
    refreshed ``lastUpdateTime`` (every refresh is a progress, and every change of the counters
    around a cycle contains one), so upstream's deadline passes in it; a run in which it keeps
    changing may keep refreshing the condition, and the deadline need not pass
    (docs/semantics.md, "Clocks")."""
    st = d.status
    cond = get_deployment_condition(st, DEPLOYMENT_PROGRESSING)
    return (str(st.updated_replicas), str(st.replicas - st.updated_replicas), str(st.ready_replicas),
            str(st.available_replicas), cond.reason if cond is not None else "")


#: The progress deadline (not fair: it may or may not run out while a rollout progresses; switched
#: on by ``Scenario.progress_deadline``; weakly fair until the next progress under the
#: ``progress-deadline`` clock, :func:`progress_deadline_fairness`), registered in ``model.registry``.
PROGRESS_DEADLINE_TIMER = Timer(
    "progress_deadline", False, progress_deadline_expiries, frozenset({"expiry_progress_deadline"}), opt_in="progress_deadline"
)
