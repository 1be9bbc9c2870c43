"""The ReplicaSet controller: one reconcile as a pure function returning API writes.

Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go (syncReplicaSet,
manageReplicas, getIndirectlyRelatedPods) and replica_set_utils.go (calculateStatus,
updateReplicaSetStatus).

ATTENTION, as upstream: this code implements both ReplicaSet and ReplicationController.
``model/replication.py`` converts an RC into a ReplicaSet view on the way in and the status
write back into an RC on the way out, and runs :func:`sync_replica_set_for_kind` with its own
:class:`ReplicaSetKind` (the upstream ``GroupVersionKind`` plus the converting lister).

A reconcile has upstream's three phases:

1. read: the object is gone -> ``()``; an invalid selector -> ``()`` (upstream returns nil
   and never retries);
2. decide: list every pod of the namespace, keep the active ones, claim them (adopt
   matching orphans, release owned pods that no longer match);
3. write: the claim writes, then ``manage_replicas`` (creates or deletes; skipped while the
   ReplicaSet is being deleted), then an ``UpdateStatus`` if the status changed.

Expectations: without informer caches the view is the state and they are always satisfied
(docs/semantics.md#replicaset); with ``--caches lagged`` ``model.expectations`` keeps them in
the state and passes ``rs_needs_sync``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from model.api import Create, Delete, UpdateStatus, Write
from model.controller_utils import (
    SLOW_START_INITIAL_BATCH_SIZE,
    claim_pods,
    filter_active_pods,
    filter_terminating_pods,
    get_controller_of,
    get_pods_to_delete,
    is_pod_available,
    is_pod_ready,
    new_controller_ref,
    slow_start_batch,
)
from model.errors import ModelError
from model.labels import SelectorError, label_selector_as_selector
from model.objects import Pod, PodTemplate, ReplicaSet, ReplicaSetCondition, ReplicaSetStatus
from model.state import ClusterState, ObjKey
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object
from model.records import Controller, generic_actions

__all__ = [
    "BURST_REPLICAS",
    "ReplicaSetKind",
    "REPLICA_SET_KIND",
    "get_pods_prefix",
    "pod_from_template",
    "get_replica_sets_with_same_controller",
    "get_indirectly_related_pods",
    "manage_replicas",
    "calculate_status",
    "REPLICA_FAILURE",
    "new_replica_set_condition",
    "get_condition",
    "set_condition",
    "remove_condition",
    "filter_claimed_pods",
    "with_manage_replicas_error",
    "update_replica_set_status",
    "sync_replica_set_for_kind",
    "sync_replica_set",
]

#: replicaset.BurstReplicas: at most this many creates or deletes per reconcile.
BURST_REPLICAS = 500


@dataclass(frozen=True, slots=True)
class ReplicaSetKind:
    """What the shared controller needs to know about the kind it runs for.

    Mirrors the ``schema.GroupVersionKind`` and the lister that NewBaseController
    (pkg/controller/replicaset/replica_set.go) receives: ``kind`` goes into controller
    references, ``get`` and ``list`` return ReplicaSet views (converted for RCs).
    """

    kind: str
    get: Callable[[ClusterState, str, str], ReplicaSet | None]
    list: Callable[[ClusterState], tuple[ReplicaSet, ...]]


REPLICA_SET_KIND = ReplicaSetKind(
    kind="ReplicaSet",
    get=lambda state, ns, name: state.get("ReplicaSet", ns, name),
    list=lambda state: state.objects("ReplicaSet"),
)


# ------------------------------------------------------------------------ pod creation


def get_pods_prefix(controller_name: str) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go getPodsPrefix.

    ``<name>-`` unless that is no longer a valid generateName prefix (ValidatePodName with
    prefix=true masks the trailing dash, so ``<name>a`` must fit in 253 characters).
    """
    prefix = f"{controller_name}-"
    return prefix if len(prefix) <= 253 else controller_name


def pod_from_template(template: PodTemplate, owner: Any, owner_kind: str) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go GetPodFromTemplate.

    Labels and annotations are copied from the template, the spec is the template's spec,
    the controller reference to ``owner`` is the only owner reference, the namespace is the
    owner's, ``generate_name`` is ``get_pods_prefix(owner.name)`` and the name is left empty
    (the caller creates it with the same ``generate_name`` on the ``Create`` write). Upstream's createPods refuses a template
    without labels ("unable to create pods, no labels"); validation makes that impossible
    for a ReplicaSet or RC (the selector is non-empty and must match the template), so it
    raises ``ModelError`` here.
    """
    if not template.labels:
        raise ModelError(f"{owner_kind} {owner.namespace}/{owner.name}: pod template has no labels")
    return Pod(
        name="",
        generate_name=get_pods_prefix(owner.name),
        namespace=owner.namespace,
        labels=template.labels,
        annotations=template.annotations,
        owner_references=(new_controller_ref(owner, owner_kind),),
        spec_containers=template.containers,
        volumes=template.volumes,
        restart_policy=template.restart_policy,
        hostname=template.hostname,
        subdomain=template.subdomain,
        termination_grace_period_seconds=template.termination_grace_period_seconds,
        node_selector=template.node_selector,
        node_affinity=template.node_affinity,
        tolerations=template.tolerations,
        init_containers=template.init_containers,
        pod_affinity=template.pod_affinity,
        pod_anti_affinity=template.pod_anti_affinity,
        topology_spread_constraints=template.topology_spread_constraints,
    )


# ------------------------------------------------------------------------ related pods


def get_replica_sets_with_same_controller(
    state: ClusterState, rs: ReplicaSet, rs_kind: ReplicaSetKind = REPLICA_SET_KIND
) -> tuple[ReplicaSet, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go getReplicaSetsWithSameController.

    Every ReplicaSet (of this kind, any namespace, including ``rs`` itself and ones being
    deleted) whose controller reference has the same UID as ``rs``'s. An ``rs`` without a
    controller returns ``()`` (upstream logs "ReplicaSet has no controller").
    """
    ref = get_controller_of(rs)
    if ref is None:
        return ()
    out = []
    for other in rs_kind.list(state):
        other_ref = get_controller_of(other)
        if other_ref is not None and other_ref.uid == ref.uid:
            out.append(other)
    return tuple(out)


def get_indirectly_related_pods(
    state: ClusterState, rs: ReplicaSet, rs_kind: ReplicaSetKind = REPLICA_SET_KIND
) -> tuple[Pod, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go getIndirectlyRelatedPods.

    All pods (active or not; the ranking counts only active ones) selected by any ReplicaSet
    with the same controller as ``rs``, each pod once (by UID). A related ReplicaSet with an
    invalid selector matches no pods.
    """
    seen: set[str] = set()
    out: list[Pod] = []
    for related in get_replica_sets_with_same_controller(state, rs, rs_kind):
        try:
            selector = label_selector_as_selector(related.selector)
        except SelectorError:
            continue
        for pod in state.objects("Pod", related.namespace):
            if selector.matches(pod.labels) and pod.uid not in seen:
                seen.add(pod.uid)
                out.append(pod)
    return tuple(out)


# ----------------------------------------------------------------------------- writes


def manage_replicas(
    state: ClusterState,
    filtered_pods: Sequence[Pod],
    rs: ReplicaSet,
    rs_kind: ReplicaSetKind = REPLICA_SET_KIND,
    *,
    burst_replicas: int = BURST_REPLICAS,
    pod_deletion_cost: bool = True,
    victim_choice: int | None = None,
) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go manageReplicas.

    Does NOT modify ``filtered_pods``. ``diff = len(filtered_pods) - spec.replicas``:

    * too few: ``min(-diff, burst_replicas)`` creates of ``pod_from_template`` with
      ``generate_name="<name>-"``; upstream issues them through slowStartBatch, which in the
      model (no create fails) issues them all;
    * too many: ``min(diff, burst_replicas)`` deletes of the pods ``get_pods_to_delete``
      ranks first (ranked by co-location with pods of ReplicaSets sharing the controller),
      each ``Delete`` carrying the pod's UID (``victim_choice``: which of the sets upstream may
      pick over every clock, ``time: ordered``; see ``get_pods_to_delete``).

    A negative ``spec.replicas`` cannot pass validation and raises ``ModelError``.
    """
    if rs.replicas < 0:
        raise ModelError(f"{rs_kind.kind} {rs.namespace}/{rs.name}: spec.replicas {rs.replicas} < 0")
    diff = len(filtered_pods) - rs.replicas
    if diff < 0:
        n = min(-diff, burst_replicas)
        successes, _ = slow_start_batch(n, SLOW_START_INITIAL_BATCH_SIZE, lambda i: False)
        pod = pod_from_template(rs.template, rs, rs_kind.kind)
        prefix = get_pods_prefix(rs.name)
        return tuple(Create(pod, generate_name=prefix) for _ in range(successes))
    if diff > 0:
        n = min(diff, burst_replicas)
        related = get_indirectly_related_pods(state, rs, rs_kind)
        victims = get_pods_to_delete(filtered_pods, related, n, pod_deletion_cost=pod_deletion_cost, choice=victim_choice)
        return tuple(Delete("Pod", rs.namespace, p.name, uid=p.uid) for p in victims)
    return ()


#: apps.ReplicaSetReplicaFailure (v1.ReplicationControllerReplicaFailure has the same string).
REPLICA_FAILURE = "ReplicaFailure"


def calculate_status(
    rs: ReplicaSet,
    filtered_pods: Iterable[Pod],
    manage_replicas_err: str | None = None,
    terminating_pods: Iterable[Pod] | None = None,
) -> ReplicaSetStatus:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go calculateStatus.

    ``replicas`` = claimed active pods; ``fullyLabeledReplicas`` = those whose labels contain
    every template label; ``readyReplicas`` = Ready ones; ``availableReplicas`` = Ready and
    available for ``minReadySeconds`` (abstract time). ``observedGeneration`` is left as
    stored (``update_replica_set_status`` sets it).

    ``manage_replicas_err`` is the error text of manageReplicas (``None`` = nil): with an error
    and no ``ReplicaFailure`` condition yet, one is set (reason ``FailedCreate`` when pods are
    missing, ``FailedDelete`` when there are too many); without an error an existing one is
    removed.  ``terminating_pods`` is ``None`` when the DeploymentReplicaSetTerminatingReplicas
    gate (or the controller's EnableStatusTerminatingReplicas, false for the RC) is off: then
    ``terminatingReplicas`` is nil; else it is their count.
    """
    template_labels = rs.template.labels
    replicas = fully_labeled = ready = available = 0
    for pod in filtered_pods:
        replicas += 1
        if all(pod.labels.get(k) == v for k, v in template_labels.items()):
            fully_labeled += 1
        if is_pod_ready(pod):
            ready += 1
            if is_pod_available(pod, rs.min_ready_seconds):
                available += 1
    terminating = None if terminating_pods is None else sum(1 for _ in terminating_pods)
    conditions = rs.status.conditions
    failure_cond = get_condition(rs.status, REPLICA_FAILURE)
    if manage_replicas_err is not None and failure_cond is None:
        reason = ""
        diff = replicas - rs.replicas
        if diff < 0:
            reason = "FailedCreate"
        elif diff > 0:
            reason = "FailedDelete"
        conditions = set_condition(conditions, new_replica_set_condition(REPLICA_FAILURE, "True", reason, manage_replicas_err))
    elif manage_replicas_err is None and failure_cond is not None:
        conditions = remove_condition(conditions, REPLICA_FAILURE)
    return replace(
        rs.status,
        replicas=replicas,
        fully_labeled_replicas=fully_labeled,
        ready_replicas=ready,
        available_replicas=available,
        conditions=conditions,
        terminating_replicas=terminating,
    )


def new_replica_set_condition(cond_type: str, status: str, reason: str, msg: str) -> ReplicaSetCondition:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go NewReplicaSetCondition
    (lastTransitionTime left out: abstract time)."""
    return ReplicaSetCondition(cond_type, status, reason, msg)  # type: ignore[arg-type]


def get_condition(status: ReplicaSetStatus, cond_type: str) -> ReplicaSetCondition | None:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go GetCondition."""
    for c in status.conditions:
        if c.type == cond_type:
            return c
    return None


def set_condition(conditions: tuple[ReplicaSetCondition, ...], condition: ReplicaSetCondition) -> tuple[ReplicaSetCondition, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go SetCondition.

    Unchanged when a condition of that type with the same status and reason is there; else the
    old one of that type is filtered out and the new one appended."""
    for c in conditions:
        if c.type == condition.type and c.status == condition.status and c.reason == condition.reason:
            return conditions
    return remove_condition(conditions, condition.type) + (condition,)


def remove_condition(conditions: tuple[ReplicaSetCondition, ...], cond_type: str) -> tuple[ReplicaSetCondition, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go RemoveCondition (filterOutCondition)."""
    return tuple(c for c in conditions if c.type != cond_type)


def filter_claimed_pods(rs: Any, selector: Any, pods: Iterable[Pod]) -> tuple[Pod, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/controller_utils.go FilterClaimedPods.

    The pods controlled by ``rs`` (controller reference with its UID) whose labels match
    ``selector``.  (Kept here rather than in ``model.controller_utils``: only this controller uses it.)
    """
    out = []
    for pod in pods:
        ref = get_controller_of(pod)
        if ref is None or ref.uid != rs.uid:
            continue
        if selector.matches(pod.labels):
            out.append(pod)
    return tuple(out)


def with_manage_replicas_error(read: ReplicaSetStatus, computed: ReplicaSetStatus, reason: str, msg: str) -> ReplicaSetStatus:
    """The status ``calculateStatus`` gives when ``manageReplicas`` returned an error, from the one
    it gave without (``computed``, which removed a ReplicaFailure condition) and the status read.

    Used by the ``write_failure`` fault (``model.system``): the model's sync is computed with no
    error, and a refused pod create/delete turns its status write into the erroring one.  As
    calculateStatus: an existing ReplicaFailure in the status read stays as it is; else one with
    ``reason`` (FailedCreate for a refused create, FailedDelete for a refused delete: the sign of
    manageReplicas's diff) is set.
    """
    if get_condition(read, REPLICA_FAILURE) is not None:
        return replace(computed, conditions=read.conditions)
    return replace(computed, conditions=set_condition(read.conditions, new_replica_set_condition(REPLICA_FAILURE, "True", reason, msg)))


def update_replica_set_status(rs: ReplicaSet, new_status: ReplicaSetStatus) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go updateReplicaSetStatus.

    No write when the four counters, ``terminatingReplicas`` and the conditions are unchanged and
    ``generation == status.observedGeneration`` (the steady state); otherwise one
    ``UpdateStatus`` with ``observedGeneration = generation``. Upstream's one GET/PUT retry is
    the API server's merge of a conflicting status write (``model.system._apply_pending``).
    """
    old = rs.status
    if (
        old.replicas == new_status.replicas
        and old.fully_labeled_replicas == new_status.fully_labeled_replicas
        and old.ready_replicas == new_status.ready_replicas
        and old.available_replicas == new_status.available_replicas
        and old.terminating_replicas == new_status.terminating_replicas
        and rs.generation == old.observed_generation
        and old.conditions == new_status.conditions
    ):
        return ()
    return (UpdateStatus(replace(rs, status=replace(new_status, observed_generation=rs.generation))),)


# ------------------------------------------------------------------------------- sync


def sync_replica_set_for_kind(
    state: ClusterState,
    key: ObjKey,
    rs_kind: ReplicaSetKind,
    *,
    burst_replicas: int = BURST_REPLICAS,
    pod_deletion_cost: bool = True,
    rs_needs_sync: bool = True,
    victim_choice: int | None = None,
    terminating_replicas: bool = False,
) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go syncReplicaSet (any kind).

    The shared body behind :func:`sync_replica_set` and
    ``model.replication.sync_replication_controller``; ``rs_kind`` plays the part of the
    controller's GroupVersionKind and converting lister. Writes come back in upstream order:
    adopt/release updates, then creates or deletes, then the status update. The status
    write's object is the ReplicaSet view; the RC adapter converts it back.

    ``rs_needs_sync`` is upstream's ``rsc.expectations.SatisfiedExpectations(key)``: when it is
    false ``manageReplicas`` is skipped (claims and the status update still run).  It is true
    unless the informer caches are modelled (``model.informer``, ``--caches lagged``).

    ``terminating_replicas``: upstream's ``DeploymentReplicaSetTerminatingReplicas`` gate and
    ``controllerFeatures.EnableStatusTerminatingReplicas`` (true for ReplicaSets, false for the
    RC): the claimed terminating pods are counted into ``status.terminatingReplicas``
    (``model.versions``; off unless ``Scenario.terminating_replicas``).
    """
    namespace, name = key
    rs = rs_kind.get(state, namespace, name)
    if rs is None:
        return ()
    try:
        selector = label_selector_as_selector(rs.selector)
    except SelectorError:
        return ()
    all_pods = state.objects("Pod", rs.namespace)
    active = filter_active_pods(all_pods)
    claimed, claim_writes = claim_pods(state, rs, selector, rs_kind.kind, active)
    manage_writes: tuple[Write, ...] = ()
    if rs_needs_sync and rs.deletion_timestamp is None:
        manage_writes = manage_replicas(
            state, claimed, rs, rs_kind, burst_replicas=burst_replicas, pod_deletion_cost=pod_deletion_cost,
            victim_choice=victim_choice,
        )
    terminating: tuple[Pod, ...] | None = None
    if terminating_replicas:
        terminating = filter_claimed_pods(rs, selector, filter_terminating_pods(all_pods))
    status_writes = update_replica_set_status(rs, calculate_status(rs, claimed, None, terminating))
    return claim_writes + manage_writes + status_writes


def sync_replica_set(
    state: ClusterState,
    key: ObjKey,
    *,
    burst_replicas: int = BURST_REPLICAS,
    pod_deletion_cost: bool = True,
    rs_needs_sync: bool = True,
    victim_choice: int | None = None,
    terminating_replicas: bool = False,
) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replicaset/replica_set.go syncReplicaSet.

    One reconcile of the ReplicaSet at ``key = (namespace, name)``; ``()`` means nothing to
    do (the step is disabled).  ``rs_needs_sync``, ``terminating_replicas``: see
    :func:`sync_replica_set_for_kind`.
    """
    return sync_replica_set_for_kind(
        state, key, REPLICA_SET_KIND, burst_replicas=burst_replicas, pod_deletion_cost=pod_deletion_cost,
        rs_needs_sync=rs_needs_sync, victim_choice=victim_choice, terminating_replicas=terminating_replicas,
    )


#: The ReplicaSet controller's record (registered in ``model.registry``).
CONTROLLER = Controller(
    "replicaset", "rs", "ReplicaSet", sync_replica_set,
    generic_actions("rs", creates=["Pod"], deletes=["Pod"], updates=["Pod", "ReplicaSet"], adopts=["Pod"]) | {"rs_remove_owner_ref"},
    appears_with=("Deployment",),  # a Deployment creates ReplicaSets
)
