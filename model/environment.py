"""The environment: what users do and what goes wrong, each spending a scenario budget.

User actions (``kubectl scale``, ``set image``, ``rollout undo/pause/resume``, ``delete
--cascade``, ``label pod``, ``run``, ``cordon``, ``uncordon``, ``drain``, ``delete node``, and the
operator's ``kubectl delete node`` of a failed node) are declared in the scenario as data; each declared action may happen as often as
its budget says (once by default), at any moment.  Faults (container crash, sandbox death, node
failure and recovery, force delete, a controller crashing mid-reconcile) each have a count in
:class:`FaultBudget`.  None is fair (a run may ignore them forever) except the operator declared
fair (:class:`DeleteFailedNode`, :func:`is_fair`), who eventually acts while the budget lasts.
Budgets are what makes the state space finite.

Every function here is pure: ``user_action_instances`` and ``fault_instances`` list the
concrete choices in deterministic order, each with the writes (user actions, through the
API server) or the new cluster state (faults change the runtime, not the API).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Iterator, Literal, Sequence, Union

from model.api import Create, Delete, Refused, Update, Write
from model.apply import ApplyManifest
from model.sequence import After
from model.undo import UndoRollout
from model.template_edits import RestartRollout, SetEnv, SetResources
from model.errors import ModelError
from model.frozen import EMPTY, FrozenMap
from model.objects import KINDS, DrainRecord, Node, Pod, PodTemplate, SHORT_KIND_NAMES
from model.records import Fault, UserActionKind
from model.state import ClusterState

__all__ = [
    "ScaleWorkload",
    "SetImage",
    "RollbackDeployment",
    "PauseDeployment",
    "ResumeDeployment",
    "DeleteObject",
    "RelabelPods",
    "CreatePod",
    "CordonNode",
    "UncordonNode",
    "DrainNode",
    "DeleteFailedNode",
    "DeleteNode",
    "SetLoad",
    "is_fair",
    "UNMANAGED_FATAL",
    "DAEMON_SET_FATAL",
    "get_pods_for_deletion",
    "DrainStep",
    "drain_steps",
    "UserAction",
    "FaultBudget",
    "user_action_label",
    "user_action_instances",
    "FaultInstance",
    "fault_instances",
    "BROKEN_IMAGE_TAG",
    "UNBUDGETED",
    "is_broken_image",
    "record_orphaned_pod",
]

#: An image whose tag is this (``nginx:broken``) stands for an image whose readiness probe never
#: passes for good: the environment may fail the probe of such a container at any moment, without
#: spending a budget (``fault_readiness_probe_fails``).  A regular init container of such an image
#: never completes (``model.kubelet``, issue #20).  See docs/semantics.md#properties.
BROKEN_IMAGE_TAG = "broken"

#: The budget name of faults that spend nothing (:meth:`FaultBudget.spend` returns the budget).
UNBUDGETED = ""

_WORKLOADS = ("ReplicaSet", "ReplicationController", "Deployment", "StatefulSet")
#: the kinds ``kubectl set image`` rolls (a DaemonSet has no replicas to scale)
_IMAGE_KINDS = _WORKLOADS + ("DaemonSet",)


def _check_kind(kind: str, allowed: tuple[str, ...], what: str) -> None:
    if kind not in allowed:
        raise ModelError(f"{what}: kind {kind!r} is not one of {list(allowed)}")


@dataclass(frozen=True, slots=True)
class ScaleWorkload:
    """``kubectl scale <kind>/<name> --replicas=N``."""

    kind: str
    name: str
    replicas: int
    namespace: str = "default"

    def __post_init__(self) -> None:
        _check_kind(self.kind, _WORKLOADS, "ScaleWorkload")
        if self.replicas < 0:
            raise ModelError(f"ScaleWorkload {self.kind}/{self.name}: replicas {self.replicas} < 0")


@dataclass(frozen=True, slots=True)
class SetImage:
    """``kubectl set image <kind>/<name> <container>=<image>`` (every container when None)."""

    kind: str
    name: str
    image: str
    container: str | None = None
    namespace: str = "default"
    #: more ``container=image`` pairs of the same command: ``kubectl set image deployment/web a=x b=y``
    #: is one PATCH of the template, so one new revision (one rollout), never one per container
    also: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_kind(self.kind, _IMAGE_KINDS, "SetImage")

    def pairs(self) -> tuple[tuple[str | None, str], ...]:
        """Every ``(container, image)`` this command sets (container None: every container)."""
        return ((self.container, self.image), *self.also)


@dataclass(frozen=True, slots=True)
class RollbackDeployment:
    """``kubectl rollout undo deployment/<name> [--to-revision=N]`` (0 = the previous one)."""

    name: str
    revision: int = 0
    namespace: str = "default"


@dataclass(frozen=True, slots=True)
class PauseDeployment:
    """``kubectl rollout pause deployment/<name>``."""

    name: str
    namespace: str = "default"


@dataclass(frozen=True, slots=True)
class ResumeDeployment:
    """``kubectl rollout resume deployment/<name>``."""

    name: str
    namespace: str = "default"


@dataclass(frozen=True, slots=True)
class DeleteObject:
    """``kubectl delete <kind>/<name> --cascade=background|foreground|orphan [--grace-period=N] [--force]``.

    ``name`` names one object, manifest-declared or controller-created (``web-0``: enabled once an
    object of that name exists and is not being deleted; a re-created ``web-0`` is a new object and
    may be deleted again while the budget lasts).  With ``selector`` (``kubectl delete pods -l
    k=v``) the name is ignored and the action deletes any one object of the kind whose labels
    contain ``selector`` (one branch per object; ``count`` says how many deletes the user issues).
    ``grace_period_seconds`` is the DeleteOptions value kubectl sends: ``None`` (the object's own
    ``terminationGracePeriodSeconds``), ``0`` (``--grace-period=0 --force``: removed from the API at
    once, without the kubelet's confirmation) or a positive number (graceful).
    """

    kind: str
    name: str
    propagation: Literal["Background", "Foreground", "Orphan"] = "Background"
    namespace: str = "default"
    selector: FrozenMap[str, str] | None = None
    grace_period_seconds: int | None = None

    def __post_init__(self) -> None:
        _check_kind(self.kind, tuple(KINDS), "DeleteObject")
        if self.grace_period_seconds is not None and self.grace_period_seconds < 0:
            raise ModelError(f"DeleteObject {self.kind}/{self.name}: grace period {self.grace_period_seconds} < 0")


@dataclass(frozen=True, slots=True)
class RelabelPods:
    """``kubectl label pod <p> k=v --overwrite`` on any one pod whose labels contain ``match``.

    ``labels`` maps keys to new values; an empty value removes the key (``k-``).  One
    nondeterministic branch per matching pod.
    """

    match: FrozenMap[str, str]
    labels: FrozenMap[str, str]
    namespace: str = "default"


@dataclass(frozen=True, slots=True)
class CreatePod:
    """``kubectl run``: create a bare pod (no owner), enabled while the name is free."""

    pod: Pod


@dataclass(frozen=True, slots=True)
class CordonNode:
    """``kubectl cordon NODE``: ``spec.unschedulable: true``."""

    node: str


@dataclass(frozen=True, slots=True)
class UncordonNode:
    """``kubectl uncordon NODE``: ``spec.unschedulable: false``."""

    node: str


@dataclass(frozen=True, slots=True)
class DrainNode:
    """``kubectl drain NODE [--force]`` (staging/src/k8s.io/kubectl/pkg/drain/drain.go).

    Cordons the node, lists the pods to delete (:func:`get_pods_for_deletion`) and starts the
    drain loop (:func:`drain_steps`), which evicts each listed pod, retrying on 429, and waits
    until every listed pod is gone.  ``node=None`` drains any one node that holds a pod (one
    branch per node).  ``force`` is ``--force`` (bare pods are evicted too instead of failing
    the drain).  ``ignore_daemonsets`` is ``--ignore-daemonsets``: DaemonSet pods are then left
    on the node (without it kubectl refuses to drain a node that runs one, filters.go
    daemonSetFilter).  Mirror-pod and local-storage filters have nothing to act on in the model
    (no static pods or emptyDir volumes are modelled).
    """

    node: str | None = None
    force: bool = False
    ignore_daemonsets: bool = False


@dataclass(frozen=True, slots=True)
class DeleteNode:
    """``kubectl delete node NODE`` of a Node, Ready or not (one branch per node when ``node`` is None).

    The Node object goes (no finalizers on Nodes); PodGC's ``gcOrphaned`` (``model.podgc``) then
    deletes every pod bound to it, DaemonSet pods included, and the DaemonSet controller no longer
    counts the node.  ``drained=True`` restricts it to nodes that are cordoned with no drain
    running (``kubectl drain NODE && kubectl delete node NODE``: the usual removal of a node).
    Not fair, budgeted like every user action.  Deleting the object is the operator's statement
    that the machine is gone: its containers go with it (no ``Node.orphaned_pods`` survive).
    """

    node: str | None = None
    drained: bool = False


@dataclass(frozen=True, slots=True)
class DeleteFailedNode:
    """The operator: ``kubectl delete node NODE`` of a node that is NotReady (one branch per such node).

    https://kubernetes.io/docs/tasks/run-application/force-delete-stateful-set-pod/ : a pod of an
    unreachable node is removed from the API only when the Node object is deleted, the kubelet comes
    back, or the pod is force-deleted, and the docs recommend deleting the Node object once the node
    is confirmed dead.  The pods bound to it are then removed by the pod garbage collector
    (``model.podgc``, pkg/controller/podgc gcOrphaned).  Deleting the Node object is the operator's
    statement that the machine is dead (fenced): its containers go with it, so no
    ``Node.orphaned_pods`` survive it.

    ``fair=True`` (the operator *eventually* acts: a weakly fair action, enabled while a NotReady node
    exists and the budget lasts) is what lets convergence be stated "assuming the operator acts";
    ``fair=False`` is an operator who may act but need not.  Always budgeted, so the state space
    stays finite.
    """

    fair: bool = True


@dataclass(frozen=True, slots=True)
class SetLoad:
    """The load on an HPA's target changes (a spike, load gone): the environment's metric.

    ``percent`` is the new total demand on the pods of HPA ``hpa``'s target, in percent of one pod
    at the HPA's target (300 = three pods' worth).  Not an API write of the user's: the abstract
    metric lives on the HPA object (``HorizontalPodAutoscaler.load``).
    """

    hpa: str
    percent: int
    namespace: str = "default"

    def __post_init__(self) -> None:
        if self.percent < 0:
            raise ModelError(f"SetLoad: percent {self.percent} < 0")


#: ``(detail, writes)`` pairs, or ``(detail, Refused(message))``: what :func:`user_action_instances` lists
Instances = Sequence[tuple[str, Union[tuple[Write, ...], Refused]]]

UserAction = Union[
    ScaleWorkload, SetImage, RollbackDeployment, PauseDeployment, ResumeDeployment, DeleteObject, RelabelPods, CreatePod,
    CordonNode, UncordonNode, DrainNode, DeleteFailedNode, DeleteNode, SetLoad, ApplyManifest, After, UndoRollout,
    RestartRollout, SetEnv, SetResources,
]

#: User actions that are their own records (``action_label()``, ``instances(state)``), kept in their
#: own modules: ``model.apply``, ``model.sequence``, ``model.undo``, ``model.template_edits``.
_SELF_DESCRIBED = (ApplyManifest, After, UndoRollout, RestartRollout, SetEnv, SetResources)


def is_fair(action: UserAction) -> bool:
    """Whether the user action is weakly fair: only the operator that eventually acts
    (:class:`DeleteFailedNode` with ``fair=True``); every other user action may be ignored forever."""
    return isinstance(action, DeleteFailedNode) and action.fair


@dataclass(frozen=True, slots=True)
class FaultBudget:
    """How many faults of each kind may still happen."""

    container_crash: int = 0
    sandbox_death: int = 0
    node_failure: int = 0
    node_recovery: int = 0
    force_delete: int = 0
    controller_crash: int = 0
    #: kube-controller-manager's Pod cache lags past ExpectationsTimeout while expectations wait
    #: (``--caches lagged`` only; model.informer)
    informer_lag: int = 0
    #: a kube-controller-manager restart: every pending write dropped, expectations and fences lost,
    #: caches re-listed (``--caches lagged`` only; model.informer.restart)
    controller_manager_restart: int = 0
    #: the API server refuses one controller write (Conflict, 5xx): the write is dropped, the
    #: reconcile's later writes go on; with caches its expectation is lowered (model.system)
    write_failure: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ModelError(f"FaultBudget.{f.name} = {getattr(self, f.name)} < 0")

    def spend(self, kind: str) -> "FaultBudget":
        if kind == UNBUDGETED:
            return self
        left = getattr(self, kind)
        if left <= 0:
            raise ModelError(f"FaultBudget.{kind} is exhausted")
        return replace(self, **{kind: left - 1})


# ------------------------------------------------------------------------ user actions


def user_action_label(action: UserAction) -> str:
    """The ``actor_verb_object`` label, e.g. ``user_scale_deployment``: its record's ``label``
    (``model.registry.USER_ACTIONS``)."""
    return _user_action_record(action).label(action)


def _user_action_record(action: Any) -> UserActionKind:
    from model.registry import user_action_record

    record = user_action_record(type(action))
    if record is None:
        raise ModelError(f"not a user action: {action!r}")
    return record


def _set_image(template: PodTemplate, image: str, container: str | None) -> PodTemplate:
    cs = tuple(replace(c, image=image) if container in (None, c.name) else c for c in template.containers)
    return replace(template, containers=cs)


def user_action_instances(state: ClusterState, action: UserAction) -> Sequence[tuple[str, tuple[Write, ...] | Refused]]:
    """The concrete choices of ``action`` in ``state``: ``(detail, writes)`` pairs.

    Empty when the action cannot happen or would change nothing (scaling to the current
    count, pausing a paused deployment, deleting a missing object...), so a budget is never
    spent on a no-op; the one exception is ``kubectl rollout undo`` to a revision whose template
    the Deployment already has, which kubectl reports as a successful "skipped rollback" (no
    writes).  A request the API server or kubectl refuses is ``(detail, Refused(message))``.
    """
    return _user_action_record(action).instances(action, state)


def _scale_instances(action: ScaleWorkload, state: ClusterState) -> Instances:
    obj = state.get(action.kind, action.namespace, action.name)
    if obj is None or obj.replicas == action.replicas:
        return []
    return [(f"{action.name}={action.replicas}", (Update(replace(obj, replicas=action.replicas)),))]


def _set_image_instances(action: SetImage, state: ClusterState) -> Instances:
    obj = state.get(action.kind, action.namespace, action.name)
    if obj is None:
        return []
    template = obj.template
    for container, image in action.pairs():
        template = _set_image(template, image, container)
    if template == obj.template:
        return []
    detail = action.image if not action.also else ",".join(f"{c}={i}" for c, i in action.pairs())
    return [(f"{action.name}:{detail}", (Update(replace(obj, template=template)),))]


def _rollback_instances(action: RollbackDeployment, state: ClusterState) -> Instances:
    obj = state.get("Deployment", action.namespace, action.name)
    if obj is None:
        return []
    from model.deployment import RollbackError, rollback_to_revision

    try:
        new = rollback_to_revision(state, (action.namespace, action.name), action.revision)
    except RollbackError:
        return []
    if new == obj:
        # kubectl prints "skipped rollback (current template already matches revision N)" and
        # succeeds: the user did roll back, to what they have (KC-ROLL-006 judges the step).
        return [(f"{action.name}@{action.revision}", ())]
    return [(f"{action.name}@{action.revision}", (Update(new),))]


def _pause_resume_instances(action: PauseDeployment | ResumeDeployment, state: ClusterState) -> Instances:
    obj = state.get("Deployment", action.namespace, action.name)
    paused = isinstance(action, PauseDeployment)
    if obj is None or obj.paused == paused:
        return []
    return [(action.name, (Update(replace(obj, paused=paused)),))]


def _delete_instances(action: DeleteObject, state: ClusterState) -> Instances:
    ns = "" if action.kind == "Node" else action.namespace
    if action.selector is None:
        one = state.get(action.kind, ns, action.name)
        targets = [] if one is None else [one]
    else:
        sel = action.selector
        targets = [o for o in state.objects(action.kind, ns) if all(o.labels.get(k) == v for k, v in sel.items())]
    grace = action.grace_period_seconds
    suffix = "" if grace is None else ("/force" if grace == 0 else f"/grace={grace}")
    return [
        (f"{obj.name}/{action.propagation}{suffix}",
         (Delete(action.kind, ns, obj.name, uid=obj.uid, propagation=action.propagation, grace_period_seconds=grace),))
        for obj in targets
        if obj.deletion_timestamp is None
    ]


def _relabel_instances(action: RelabelPods, state: ClusterState) -> Instances:
    out: list[tuple[str, tuple[Write, ...] | Refused]] = []
    for pod in state.objects("Pod", action.namespace):
        if pod.deletion_timestamp is not None:
            continue
        if any(pod.labels.get(k) != v for k, v in action.match.items()):
            continue
        labels = {k: v for k, v in pod.labels.items()}
        for k, v in action.labels.items():
            if v == "":
                labels.pop(k, None)
            else:
                labels[k] = v
        new_labels: FrozenMap[str, str] = FrozenMap(labels) if labels else EMPTY
        if new_labels == pod.labels:
            continue
        out.append((pod.name, (Update(replace(pod, labels=new_labels)),)))
    return out


def _create_pod_instances(action: CreatePod, state: ClusterState) -> Instances:
    p = action.pod
    if state.get("Pod", p.namespace, p.name) is not None:
        return []
    return [(p.name, (Create(p),))]


def _cordon_instances(action: CordonNode | UncordonNode, state: ClusterState) -> Instances:
    node = state.get("Node", "", action.node)
    cordon = isinstance(action, CordonNode)
    if node is None or node.unschedulable == cordon:
        return []
    return [(action.node, (Update(replace(node, unschedulable=cordon)),))]


def _delete_failed_node_instances(action: DeleteFailedNode, state: ClusterState) -> Instances:
    return [
        (node.name, (Delete("Node", "", node.name, uid=node.uid, propagation="Background"),))
        for node in state.nodes.values()
        if not node.ready and node.deletion_timestamp is None
    ]


def _delete_node_instances(action: DeleteNode, state: ClusterState) -> Instances:
    return [
        (node.name, (Delete("Node", "", node.name, uid=node.uid, propagation="Background"),))
        for node in state.nodes.values()
        if (action.node is None or node.name == action.node)
        and node.deletion_timestamp is None
        and (not action.drained or (node.unschedulable and node.drain is None))
    ]


def _set_load_instances(action: SetLoad, state: ClusterState) -> Instances:
    return [
        (f"{hpa.name}={action.percent}%", (Update(replace(hpa, load=action.percent)),))
        for hpa in state.horizontal_pod_autoscalers.values()
        if (hpa.namespace, hpa.name) == (action.namespace, action.hpa)
        and hpa.deletion_timestamp is None and hpa.load != action.percent
    ]


def _self_described(cls: Any) -> UserActionKind:
    """The record of a user action that describes itself (``action_label()``, ``instances(state)``)."""
    return UserActionKind(cls, cls.action_label, cls.instances)


#: The user actions of this module, one record each (``model.registry.USER_ACTIONS`` lists them): the
#: label of an action and its instances in a state.  Its budget is the count the scenario declares.
SCALE = UserActionKind(ScaleWorkload, lambda a: f"user_scale_{SHORT_KIND_NAMES[a.kind]}", _scale_instances)
SET_IMAGE = UserActionKind(SetImage, lambda a: f"user_update_image_{SHORT_KIND_NAMES[a.kind]}", _set_image_instances)
ROLLBACK = UserActionKind(RollbackDeployment, lambda a: "user_rollback_deployment", _rollback_instances)
PAUSE = UserActionKind(PauseDeployment, lambda a: "user_pause_deployment", _pause_resume_instances)
RESUME = UserActionKind(ResumeDeployment, lambda a: "user_resume_deployment", _pause_resume_instances)
DELETE = UserActionKind(DeleteObject, lambda a: f"user_delete_{SHORT_KIND_NAMES[a.kind]}", _delete_instances)
RELABEL = UserActionKind(RelabelPods, lambda a: "user_relabel_pod", _relabel_instances)
CREATE_POD = UserActionKind(CreatePod, lambda a: "user_create_pod", _create_pod_instances)
CORDON = UserActionKind(CordonNode, lambda a: "user_cordon_node", _cordon_instances)
UNCORDON = UserActionKind(UncordonNode, lambda a: "user_uncordon_node", _cordon_instances)
DRAIN = UserActionKind(DrainNode, lambda a: "user_drain_node", lambda a, s: _drain_instances(s, a))
DELETE_FAILED_NODE = UserActionKind(DeleteFailedNode, lambda a: "operator_delete_node", _delete_failed_node_instances)
DELETE_NODE = UserActionKind(DeleteNode, lambda a: "user_delete_node", _delete_node_instances)
SET_LOAD = UserActionKind(SetLoad, lambda a: "env_load_change", _set_load_instances)
#: the user actions defined in their own modules (model.apply, model.sequence, model.undo, model.template_edits)
APPLY, AFTER, UNDO, RESTART, SET_ENV, SET_RESOURCES = (_self_described(c) for c in _SELF_DESCRIBED)


# ------------------------------------------------------------------------------- drain

#: drain/filters.go unmanagedFatal
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
#: drain/filters.go daemonSetFatal
DAEMON_SET_FATAL = "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"


def get_pods_for_deletion(
    state: ClusterState, node: str, force: bool, ignore_daemonsets: bool = False
) -> tuple[tuple[Pod, ...], tuple[str, ...]]:
    """drain.go GetPodsForDeletion: the pods bound to ``node`` and the filter errors.

    Of the filters (filters.go) two have something to act on in the model, in upstream's order:
    ``daemonSetFilter``: a pod controlled by a DaemonSet that is not finished is an error
    (``daemonSetFatal``) without ``--ignore-daemonsets`` and skipped with it; if its DaemonSet is
    gone it is deleted with ``--force`` (an orphan), else the same error.  ``unreplicatedFilter``: a
    pod that is neither finished (Succeeded/Failed) nor controlled is an error without ``--force``
    (``unmanagedFatal``) and deleted with it.  ``skipDeletedFilter`` is off by default
    (``--skip-wait-for-delete-timeout=0``): terminating pods are listed and waited for.
    """
    pods: list[Pod] = []
    errors: list[str] = []
    ds_errors: list[str] = []
    for pod in state.pods.values():
        if pod.node_name != node:
            continue
        ref = pod.controller_ref()
        finished = pod.phase in ("Succeeded", "Failed")
        if ref is not None and ref.kind == "DaemonSet" and not finished:
            ds = state.get("DaemonSet", pod.namespace, ref.name)
            if ds is None and force:
                pods.append(pod)  # "Pod of DaemonSet ... is orphaned (deleting)": a warning
            elif not ignore_daemonsets:
                ds_errors.append(f"{pod.namespace}/{pod.name}")
            continue  # daemonSetWarning: left alone
        if not finished and ref is None and not force:
            errors.append(f"{pod.namespace}/{pod.name}")
            continue
        pods.append(pod)
    out: list[str] = []
    if ds_errors:
        out.append(f"{DAEMON_SET_FATAL}: {', '.join(ds_errors)}")
    if errors:
        out.append(f"{UNMANAGED_FATAL}: {', '.join(errors)}")
    return tuple(pods), tuple(out)


def _drain_instances(state: ClusterState, action: DrainNode) -> list[tuple[str, tuple[Write, ...]]]:
    """drain.go RunCordonOrUncordon, then GetPodsForDeletion: the node cordoned, with the drain
    record (the pods to wait for, or the error that stops the drain before any eviction)."""
    if action.node is not None:
        nodes: list[Node] = [n for n in (state.get("Node", "", action.node),) if n is not None]
    else:
        busy = {p.node_name for p in state.pods.values() if p.node_name is not None}
        nodes = [n for n in state.nodes.values() if n.name in busy]
    out: list[tuple[str, tuple[Write, ...]]] = []
    for node in nodes:
        if node.drain is not None:
            continue
        pods, errors = get_pods_for_deletion(state, node.name, action.force, action.ignore_daemonsets)
        record: DrainRecord | None
        if errors:
            record = DrainRecord(error=", ".join(errors), force=action.force)
        elif pods:
            record = DrainRecord(pods=tuple((p.namespace, p.name, p.uid) for p in pods), force=action.force)
        else:
            record = None  # nothing to evict: kubectl drain returns at once
        new = replace(node, unschedulable=True, drain=record)
        if new == node:
            continue
        out.append((node.name, (Update(new),)))
    return out


@dataclass(frozen=True, slots=True)
class DrainStep:
    """One step of a drain loop: ``label`` (``drain_evict_pod``, ``drain_evict_pod_refused`` for a
    429, ``drain_evict_pod_failed``, ``drain_complete``), the node, the pod (or ``""``), the eviction
    message and the cluster after it (the same cluster for a 429)."""

    label: str
    node: str
    pod: str
    message: str
    result: ClusterState


def _listed_pod(state: ClusterState, entry: tuple[str, str, str]) -> Pod | None:
    pod = state.get("Pod", entry[0], entry[1])
    return pod if pod is not None and pod.uid == entry[2] else None


def drain_steps(state: ClusterState) -> list[DrainStep]:
    """The steps the running drain loops can take (drain.go evictPods and waitForDelete).

    For a drain with no error: when every listed pod is gone (deleted, or its name now belongs to
    another UID), ``drain_complete`` (kubectl drain exits 0; the record is removed).  Otherwise
    one step per listed pod that is not yet terminating: ``POST eviction``
    (:func:`model.eviction.evict_pod`).  Accepted: the eviction's writes.  ``429``: nothing
    changes (``drain_evict_pod_refused``; kubectl retries after 5s, and the loop stays enabled,
    so a budget that never allows the eviction is a fair cycle).  Any other refusal stops the
    drain with an error (kept in the record; kubectl exits 1).  A terminating listed pod is only
    waited for.
    """
    from model.apiserver import apply_write
    from model.eviction import evict_pod

    out: list[DrainStep] = []
    for node in state.nodes.values():
        rec = node.drain
        if rec is None or rec.error:
            continue
        live = [(e, p) for e in rec.pods if (p := _listed_pod(state, e)) is not None]
        if not live:
            out.append(DrainStep("drain_complete", node.name, "", "", state.put(replace(node, drain=None))))
            continue
        for entry, pod in live:
            if pod.deletion_timestamp is not None:
                continue
            res = evict_pod(state, pod.namespace, pod.name)
            if res.code == 201:
                nxt = state
                for w in res.writes:
                    nxt = apply_write(nxt, w)
                out.append(DrainStep("drain_evict_pod", node.name, pod.name, "", nxt))
            elif res.code == 429:
                out.append(DrainStep("drain_evict_pod_refused", node.name, pod.name, res.message, state))
            else:
                err = f'error when evicting pods/"{pod.name}" -n "{pod.namespace}": {res.message}'
                failed = replace(node, drain=replace(rec, error=err))
                out.append(DrainStep("drain_evict_pod_failed", node.name, pod.name, res.message, state.put(failed)))
    return out


# ------------------------------------------------------------------------------ faults


@dataclass(frozen=True, slots=True)
class FaultInstance:
    """One concrete fault: its budget field, label, detail and the resulting cluster."""

    budget: str
    label: str
    detail: str
    result: ClusterState


def _pod_put(state: ClusterState, pod: Pod) -> ClusterState:
    return state.put(pod)


def is_broken_image(image: str) -> bool:
    """``<repository>:broken``: an image whose readiness probe never passes for good."""
    return image.rsplit("/", 1)[-1].partition(":")[2] == BROKEN_IMAGE_TAG


def record_orphaned_pod(before: ClusterState, after: ClusterState, pod: Pod) -> ClusterState:
    """After ``pod``'s object was removed (``before`` -> ``after``): if its node is NotReady and a
    container of the pod was running, the containers keep running there (nobody told the node);
    record ``(namespace, name, uid)`` in ``Node.orphaned_pods`` until the node recovers.

    Upstream: a force delete removes the API object without the kubelet's confirmation
    (https://kubernetes.io/docs/tasks/run-application/force-delete-stateful-set-pod/); a
    partitioned kubelet only learns of it when it reconnects, and then kills the containers of
    pods that no longer exist (pkg/kubelet/kubelet.go HandlePodCleanups).
    """
    if pod.node_name is None or not any(cs.state == "running" for cs in pod.container_statuses):
        return after
    gone = after.get("Pod", pod.namespace, pod.name)
    if gone is not None and gone.uid == pod.uid:
        return after  # the object is still there (finalizers): the node still sees it
    node = after.get("Node", "", pod.node_name)
    if node is None or node.ready:
        return after
    record = (pod.namespace, pod.name, pod.uid)
    if record in node.orphaned_pods:
        return after
    return after.put(replace(node, orphaned_pods=tuple(sorted(node.orphaned_pods + (record,)))))


def fault_instances(state: ClusterState, budget: FaultBudget, images: Any = EMPTY) -> list[FaultInstance]:
    """Every fault the budget still allows, in deterministic order: the registered faults
    (``model.registry.FAULTS``) that the cluster alone decides, in registry order, each only while
    its budget lasts (:data:`FAULTS` here says what each one is).
    Controller crashes, failed writes, lagging caches and controller-manager restarts need the pending
    writes or the caches and are listed by ``model.system``.
    """
    from model.registry import FAULTS

    out: list[FaultInstance] = []
    for fault in FAULTS:
        if fault.instances is None or (fault.budget and not getattr(budget, fault.budget)):
            continue
        out.extend(FaultInstance(fault.budget, label, detail, result) for label, detail, result in fault.instances(state, images))
    return out


def crash_container_instances(state: ClusterState, images: Any = EMPTY) -> Iterator[tuple[str, str, ClusterState]]:
    """``fault_crash_container``: a running container of a bound pod exits (runtime only: the pod's
    conditions stay stale until its kubelet writes the status)."""
    for pod in state.pods.values():
        if pod.node_name is None:
            continue
        for cs in pod.container_statuses:
            if cs.state == "running":
                statuses = tuple(
                    replace(x, state="terminated", ready=False) if x.name == cs.name else x
                    for x in pod.container_statuses
                )
                yield ("fault_crash_container", f"{pod.name}/{cs.name}", _pod_put(state, replace(pod, container_statuses=statuses)))


def kill_sandbox_instances(state: ClusterState, images: Any = EMPTY) -> Iterator[tuple[str, str, ClusterState]]:
    """``fault_kill_sandbox``: a ready sandbox dies (the pause container and its network namespace are
    gone; containers in it are no longer ready)."""
    for pod in state.pods.values():
        if pod.sandbox is not None and pod.sandbox.ready:
            dead = replace(
                pod,
                sandbox=replace(pod.sandbox, ready=False),
                container_statuses=tuple(replace(cs, ready=False) for cs in pod.container_statuses),
            )
            yield ("fault_kill_sandbox", pod.name, _pod_put(state, dead))


def node_fail_instances(state: ClusterState, images: Any = EMPTY) -> Iterator[tuple[str, str, ClusterState]]:
    """``node_fail``: the node stops reporting Ready.  A failed node's containers keep running: the
    checker cannot tell a crash from a partition, and neither can the control plane."""
    for node in state.nodes.values():
        if node.ready:
            yield ("node_fail", node.name, state.put(replace(node, ready=False)))


def node_recover_instances(state: ClusterState, images: Any = EMPTY) -> Iterator[tuple[str, str, ClusterState]]:
    """``node_recover``: the node reports Ready again (the returning kubelet kills the containers of
    ``Node.orphaned_pods``: the record is cleared)."""
    for node in state.nodes.values():
        if not node.ready:
            healed = replace(node, ready=True, eviction_timeout_elapsed=False, orphaned_pods=())
            yield ("node_recover", node.name, state.put(healed))


def force_delete_instances(state: ClusterState, images: Any = EMPTY) -> Iterator[tuple[str, str, ClusterState]]:
    """``fault_force_delete_pod``: ``kubectl delete pod --grace-period=0 --force``; on a NotReady node
    the pod's running containers survive the object (``Node.orphaned_pods``) until the node recovers."""
    from model.apiserver import apply_write

    for pod in state.pods.values():
        force = Delete("Pod", pod.namespace, pod.name, uid=pod.uid, grace_period_seconds=0, propagation="Background")  # kubectl delete --force sends Background
        result = apply_write(state, force)
        if result != state:
            result = record_orphaned_pod(state, result, pod)
            yield ("fault_force_delete_pod", pod.name, result)


def readiness_probe_fails_instances(state: ClusterState, images: Any = EMPTY) -> Iterator[tuple[str, str, ClusterState]]:
    """``fault_readiness_probe_fails`` (no budget): a running, ready container (or sidecar) with a
    readiness probe of an image whose readiness flaps (``images`` declares ``ready: flaps``, or the
    tag is ``:broken``: :func:`model.kubelet.image_facts`) stops being ready."""
    from model.kubelet import image_facts

    for pod in state.pods.values():
        if pod.node_name is None or pod.deletion_timestamp is not None:
            continue
        sidecars = [c for c in pod.init_containers if c.restart_policy == "Always"]  # their readiness counts too
        probes = {c.name for c in (*sidecars, *pod.spec_containers)
                  if c.readiness_probe and image_facts(images, c.image).ready == "flaps"}
        for cs in pod.container_statuses:
            if cs.name in probes and cs.state == "running" and cs.ready:
                statuses = tuple(replace(x, ready=False) if x.name == cs.name else x for x in pod.container_statuses)
                yield ("fault_readiness_probe_fails", f"{pod.name}/{cs.name}", _pod_put(state, replace(pod, container_statuses=statuses)))


#: The fault records (``model.registry.FAULTS`` lists them, one line each).  The first six are decided
#: by the cluster alone (:func:`fault_instances`); the last four need the pending writes or the informer
#: caches and are listed by ``model.system.KubeSystem``.
CONTAINER_CRASH = Fault("container_crash", frozenset({"fault_crash_container"}), crash_container_instances)
SANDBOX_DEATH = Fault("sandbox_death", frozenset({"fault_kill_sandbox"}), kill_sandbox_instances)
NODE_FAILURE = Fault("node_failure", frozenset({"node_fail"}), node_fail_instances)
NODE_RECOVERY = Fault("node_recovery", frozenset({"node_recover"}), node_recover_instances)
FORCE_DELETE = Fault("force_delete", frozenset({"fault_force_delete_pod"}), force_delete_instances)
READINESS_PROBE_FAILS = Fault(UNBUDGETED, frozenset({"fault_readiness_probe_fails"}), readiness_probe_fails_instances)
#: a controller crashes mid-reconcile: its pending writes are dropped (model.system)
CONTROLLER_CRASH = Fault("controller_crash", frozenset({"{prefix}_crash_mid_reconcile"}), None)
#: the Pod cache lags past ExpectationsTimeout (``--caches lagged``; listed by model.system's expectation steps)
INFORMER_LAG = Fault("informer_lag", frozenset({"fault_expectations_expire_on_lagging_cache"}), None)
#: kube-controller-manager restarts (``--caches lagged``; model.informer.restart, listed by model.system)
CONTROLLER_MANAGER_RESTART = Fault("controller_manager_restart", frozenset({"fault_controller_manager_restart"}), None)
#: the API server refuses one controller write (model.system)
WRITE_FAILURE = Fault("write_failure", frozenset({"{prefix}_write_refused"}), None)


def describe_user_action(action: Any) -> str:
    """A one-line description for reports."""
    return f"{user_action_label(action)} {action}"
