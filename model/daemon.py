"""The DaemonSet controller as a pure function: one reconcile -> the API writes it issues.

Mirrors kubernetes/kubernetes pkg/controller/daemon: ``daemon_controller.go`` (syncDaemonSet,
NodeShouldRunDaemonPod, predicates, NewPod, podsShouldBeOnNode, manage, syncNodes,
getUnscheduledPodsWithoutNode, updateDaemonSetStatus, storeDaemonSetStatus), ``update.go``
(rollingUpdate, findUpdatedPodsOnNode, constructHistory, snapshot, dedupCurHistories,
cleanupHistory, updatedDesiredNodeCounts) and ``util/daemonset_util.go``
(AddOrUpdateDaemonPodTolerations, CreatePodTemplate, AllowsSurge, SurgeCount, UnavailableCount,
IsPodUpdated, ReplaceDaemonSetPodNodeNameNodeAffinity, GetTargetNodeName).

Placement is upstream's since 1.12 (ScheduleDaemonSetPods, GA 1.17): a daemon pod is created
unbound with a required node affinity ``matchFields metadata.name In [node]`` and the default
scheduler (``model.scheduler``) binds it; the DaemonSet tolerations
(:func:`add_or_update_daemon_pod_tolerations`) let it onto a cordoned node.

The view is the state (no informer lag).  Upstream's expectations make a sync that created or
deleted pods skip ``rollingUpdate`` (SatisfiedExpectations is false right after SetExpectations
with a non-zero count), and no sync runs until those writes are observed: here the writes of
one reconcile are pending until all are applied (model.system), and :func:`sync_daemon_set`
skips the rolling update when ``manage`` wrote anything.  Abstractions (docs/semantics.md,
"DaemonSet"): the failed-pod backoff is time (a failed pod is deleted at once: a delay only);
node taints of conditions are derived from ``Node.ready`` and ``Node.unschedulable``
(:func:`node_taints`); the deprecated ``templateGeneration`` label is not modelled; Go's random
map order over nodes is replaced by node-name order.
"""

from __future__ import annotations

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.controller_utils import claim_pods, is_pod_available, is_pod_ready, new_controller_ref
from model.deployment_util import UpstreamError, get_scaled_value_from_int_or_percent
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object
from model.labels import SelectorError, label_selector_as_selector
from model.objects import (
    ControllerRevision,
    DaemonSet,
    DaemonSetStatus,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodTemplate,
    Taint,
    Toleration,
)
from model.replicaset import get_pods_prefix
from model.scheduler import find_matching_untolerated_taint, get_required_node_affinity
from model.state import ClusterState, ObjKey
from model.statefulset_utils import controller_revision_hash, controller_revision_name
from model.records import Controller, generic_actions

__all__ = [
    "DAEMON_SET_KIND",
    "DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY",
    "BURST_REPLICAS",
    "DAEMON_POD_TOLERATIONS",
    "add_or_update_daemon_pod_tolerations",
    "node_taints",
    "new_pod",
    "predicates",
    "node_should_run_daemon_pod",
    "surge_count",
    "unavailable_count",
    "allows_surge",
    "is_pod_updated",
    "replace_daemon_set_pod_node_name_node_affinity",
    "get_target_node_name",
    "get_nodes_to_daemon_pods",
    "pods_should_be_on_node",
    "find_updated_pods_on_node",
    "updated_desired_node_counts",
    "rolling_update",
    "compute_status",
    "is_daemon_pod",
    "sync_daemon_set",
]

DAEMON_SET_KIND = "DaemonSet"
#: apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey)
DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY = "controller-revision-hash"
#: daemon_controller.go BurstReplicas
BURST_REPLICAS = 250

#: staging/src/k8s.io/api/core/v1/well_known_taints.go
_NOT_READY = "node.kubernetes.io/not-ready"
_UNREACHABLE = "node.kubernetes.io/unreachable"
_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"

#: util.AddOrUpdateDaemonPodTolerations, in upstream order (hostNetwork is not modelled, so the
#: network-unavailable toleration is never added).
DAEMON_POD_TOLERATIONS: tuple[Toleration, ...] = (
    Toleration(_NOT_READY, "Exists", effect="NoExecute", forever=True),
    Toleration(_UNREACHABLE, "Exists", effect="NoExecute", forever=True),
    Toleration("node.kubernetes.io/disk-pressure", "Exists", effect="NoSchedule", forever=True),
    Toleration("node.kubernetes.io/memory-pressure", "Exists", effect="NoSchedule", forever=True),
    Toleration("node.kubernetes.io/pid-pressure", "Exists", effect="NoSchedule", forever=True),
    Toleration(_UNSCHEDULABLE, "Exists", effect="NoSchedule", forever=True),
)


def _match_toleration(a: Toleration, b: Toleration) -> bool:
    """Mirrors staging/src/k8s.io/api/core/v1/toleration.go MatchToleration (key, operator, value, effect)."""
    return (a.key, a.operator, a.value, a.effect) == (b.key, b.operator, b.value, b.effect)


def add_or_update_daemon_pod_tolerations(tolerations: tuple[Toleration, ...]) -> tuple[Toleration, ...]:
    """Mirrors pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations, each
    added with pkg/apis/core/v1/helper AddOrUpdateTolerationInPodSpec: a matching toleration (same
    key, operator, value, effect) is replaced in place (so a user's ``tolerationSeconds`` on the
    not-ready/unreachable NoExecute toleration is dropped), else the toleration is appended."""
    out = list(tolerations)
    for tol in DAEMON_POD_TOLERATIONS:
        for i, old in enumerate(out):
            if _match_toleration(old, tol):
                out[i] = tol
                break
        else:
            out.append(tol)
    return tuple(out)


def node_taints(node: Node) -> tuple[Taint, ...]:
    """``node.Spec.Taints`` as the DaemonSet controller reads it: the user's taints plus those the
    node lifecycle controller adds for conditions (pkg/controller/nodelifecycle
    doNoScheduleTaintingPass / doNoExecuteTaintingPass): ``unschedulable:NoSchedule`` for a cordoned
    node, and for a node that stopped reporting (Ready Unknown) ``unreachable:NoSchedule`` and
    ``unreachable:NoExecute``.  The lifecycle controller's grace period before it taints is time,
    abstracted: the taints are there as soon as the node is cordoned or NotReady."""
    out = list(node.taints)
    if node.unschedulable:
        out.append(Taint(_UNSCHEDULABLE, effect="NoSchedule"))
    if not node.ready:
        out.extend((Taint(_UNREACHABLE, effect="NoSchedule"), Taint(_UNREACHABLE, effect="NoExecute")))
    return tuple(out)


def _pod_from_template(template: PodTemplate, ds: DaemonSet) -> Pod:
    """controller.GetPodFromTemplate for a DaemonSet (model.replicaset.pod_from_template: generateName
    ``<name>-``, a controller ref), with the DaemonSet tolerations (util.AddOrUpdateDaemonPodTolerations)."""
    from model.replicaset import pod_from_template

    pod = pod_from_template(template, ds, DAEMON_SET_KIND)
    return replace(pod, tolerations=add_or_update_daemon_pod_tolerations(template.tolerations))


def new_pod(ds: DaemonSet, node_name: str) -> Pod:
    """Mirrors daemon_controller.go NewPod: the template's pod, ``spec.nodeName`` set, with the
    DaemonSet tolerations (only used to evaluate the predicates)."""
    return replace(_pod_from_template(ds.template, ds), node_name=node_name)


def predicates(pod: Pod, node: Node, taints: tuple[Taint, ...]) -> tuple[bool, bool, bool]:
    """Mirrors daemon_controller.go predicates: (fitsNodeName, fitsNodeAffinity, fitsTaints);
    only NoSchedule and NoExecute taints count."""
    fits_node_name = pod.node_name is None or pod.node_name == node.name
    fits_node_affinity = get_required_node_affinity(pod).match(node)
    relevant = tuple(t for t in taints if t.effect in ("NoExecute", "NoSchedule"))
    fits_taints = find_matching_untolerated_taint(relevant, pod.tolerations) is None
    return fits_node_name, fits_node_affinity, fits_taints


def node_should_run_daemon_pod(node: Node, ds: DaemonSet) -> tuple[bool, bool]:
    """Mirrors daemon_controller.go NodeShouldRunDaemonPod: (shouldRun, shouldContinueRunning).

    A node whose taints the pod does not tolerate: shouldRun false, and the pod already there keeps
    running unless a NoExecute taint is untolerated.  (The template's ``nodeName`` is not
    modelled: loading reports it as an ignored field.)
    """
    pod = new_pod(ds, node.name)
    taints = node_taints(node)
    fits_name, fits_affinity, fits_taints = predicates(pod, node, taints)
    if not fits_name or not fits_affinity:
        return False, False
    if not fits_taints:
        no_execute = tuple(t for t in taints if t.effect == "NoExecute")
        return False, find_matching_untolerated_taint(no_execute, pod.tolerations) is None
    return True, True


# ------------------------------------------------------------------------------- util


def surge_count(ds: DaemonSet, number_to_schedule: int) -> int:
    """Mirrors util.SurgeCount: 0 unless RollingUpdate with maxSurge set; else scaled, rounded up."""
    s = ds.update_strategy
    if s.type != "RollingUpdate" or s.max_surge is None:
        return 0
    return get_scaled_value_from_int_or_percent(s.max_surge, number_to_schedule, True)


def unavailable_count(ds: DaemonSet, number_to_schedule: int) -> int:
    """Mirrors util.UnavailableCount: 0 unless RollingUpdate; else maxUnavailable scaled, rounded up."""
    s = ds.update_strategy
    if s.type != "RollingUpdate":
        return 0
    return get_scaled_value_from_int_or_percent(s.max_unavailable, number_to_schedule, True)


def allows_surge(ds: DaemonSet) -> bool:
    """Mirrors util.AllowsSurge: ``SurgeCount(ds, 1) > 0`` (and no error)."""
    try:
        return surge_count(ds, 1) > 0
    except UpstreamError:
        return False


def is_pod_updated(pod: Pod, hash_: str) -> bool:
    """Mirrors util.IsPodUpdated (the deprecated templateGeneration is not modelled): the pod's
    ``controller-revision-hash`` label is the current hash."""
    return bool(hash_) and pod.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY) == hash_


def replace_daemon_set_pod_node_name_node_affinity(terms: tuple[NodeSelectorTerm, ...] | None, node_name: str) -> tuple[NodeSelectorTerm, ...]:
    """Mirrors util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the
    single term ``matchFields: metadata.name In [node_name]`` (any terms there are replaced)."""
    return (NodeSelectorTerm(match_fields=(NodeSelectorRequirement("metadata.name", "In", (node_name,)),)),)


def get_target_node_name(pod: Pod) -> str | None:
    """Mirrors util.GetTargetNodeName: ``spec.nodeName``, else the node named by the first
    ``matchFields metadata.name In [one value]`` of the required node affinity; None (upstream: an
    error, the pod is skipped) otherwise."""
    if pod.node_name:
        return pod.node_name
    for term in pod.node_affinity or ():
        for exp in term.match_fields:
            if exp.key == "metadata.name" and exp.operator == "In":
                return exp.values[0] if len(exp.values) == 1 else None
    return None


def _pod_order(pod: Pod) -> tuple[int, int, str]:
    """daemon_controller.go podByCreationTimestampAndPhase: scheduled first, then oldest, then name."""
    return (0 if pod.node_name else 1, pod.creation_index, pod.name)


def _is_terminal(pod: Pod) -> bool:
    return pod.phase in ("Succeeded", "Failed")


def is_daemon_pod(state: ClusterState, pod: Pod) -> bool:
    """Whether ``pod`` is controlled by a DaemonSet of ``state`` (by UID)."""
    ref = pod.controller_ref()
    if ref is None or ref.kind != DAEMON_SET_KIND:
        return False
    ds = state.get(DAEMON_SET_KIND, pod.namespace, ref.name)
    return ds is not None and ds.uid == ref.uid


# ------------------------------------------------------------------------- controller


def get_nodes_to_daemon_pods(pods: tuple[Pod, ...], include_deleted_terminal: bool) -> dict[str, list[Pod]]:
    """Mirrors daemon_controller.go getNodesToDaemonPods over the claimed pods: grouped by target
    node; a terminal pod with a deletionTimestamp is left out unless ``include_deleted_terminal``."""
    out: dict[str, list[Pod]] = {}
    for pod in pods:
        if not include_deleted_terminal and _is_terminal(pod) and pod.deletion_timestamp is not None:
            continue
        node = get_target_node_name(pod)
        if node is None:
            continue
        out.setdefault(node, []).append(pod)
    return out


def pods_should_be_on_node(node: Node, node_to_daemon_pods: dict[str, list[Pod]], ds: DaemonSet, hash_: str) -> tuple[list[str], list[Pod]]:
    """Mirrors daemon_controller.go podsShouldBeOnNode: (nodes needing a daemon pod, pods to delete).

    The failed-pod backoff (failedPodsBackoff) only delays the delete of a Failed pod: abstract
    time, the delete is issued at once.
    """
    should_run, should_continue = node_should_run_daemon_pod(node, ds)
    daemon_pods = node_to_daemon_pods.get(node.name)
    needing: list[str] = []
    to_delete: list[Pod] = []
    if should_run and daemon_pods is None:
        needing.append(node.name)
    elif should_continue:
        running: list[Pod] = []
        for pod in daemon_pods or ():
            if pod.deletion_timestamp is not None:
                continue
            if pod.phase in ("Failed", "Succeeded"):
                to_delete.append(pod)
            else:
                running.append(pod)
        if not allows_surge(ds):
            if len(running) > 1:
                running.sort(key=_pod_order)
                to_delete.extend(running[1:])
            return needing, to_delete
        if len(running) <= 1:
            if not running and should_run:
                needing.append(node.name)
            return needing, to_delete
        oldest_new: Pod | None = None
        oldest_old: Pod | None = None
        running.sort(key=_pod_order)
        for pod in running:
            if pod.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY) == hash_:
                if oldest_new is None:
                    oldest_new = pod
                    continue
            elif oldest_old is None:
                oldest_old = pod
                continue
            to_delete.append(pod)
        if oldest_new is not None and oldest_old is not None:
            if not is_pod_ready(oldest_old):
                to_delete.append(oldest_old)
            elif is_pod_available(oldest_new, ds.min_ready_seconds):
                to_delete.append(oldest_old)
    elif daemon_pods is not None:
        to_delete.extend(p for p in daemon_pods if p.deletion_timestamp is None)
    return needing, to_delete


def _sync_nodes(ds: DaemonSet, to_delete: list[Pod], nodes_needing: list[str], hash_: str) -> list[Write]:
    """Mirrors daemon_controller.go syncNodes: up to BurstReplicas creates (util.CreatePodTemplate:
    the DaemonSet tolerations and the hash label; the node affinity of the target node), then up to
    BurstReplicas deletes (podControl.DeletePod: by name, no UID precondition).  The slow-start
    batches only matter when a create fails, which no modelled create does."""
    writes: list[Write] = []
    template = replace(ds.template, labels=ds.template.labels.set(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY, hash_)) if hash_ else ds.template
    base = _pod_from_template(template, ds)
    prefix = get_pods_prefix(ds.name)
    for node in nodes_needing[:BURST_REPLICAS]:
        pod = replace(base, node_affinity=replace_daemon_set_pod_node_name_node_affinity(base.node_affinity, node))
        writes.append(Create(pod, generate_name=prefix))
    for pod in to_delete[:BURST_REPLICAS]:
        writes.append(Delete("Pod", pod.namespace, pod.name))
    return writes


def _manage(nodes: tuple[Node, ...], node_to_daemon_pods: dict[str, list[Pod]], ds: DaemonSet, hash_: str) -> list[Write]:
    """Mirrors daemon_controller.go manage (with getUnscheduledPodsWithoutNode)."""
    needing: list[str] = []
    to_delete: list[Pod] = []
    for node in nodes:
        n, d = pods_should_be_on_node(node, node_to_daemon_pods, ds, hash_)
        needing.extend(n)
        to_delete.extend(d)
    names = {n.name for n in nodes}
    for node_name in sorted(node_to_daemon_pods):
        if node_name in names:
            continue
        to_delete.extend(p for p in node_to_daemon_pods[node_name] if not p.node_name)
    return _sync_nodes(ds, to_delete, needing, hash_)


def updated_desired_node_counts(nodes: tuple[Node, ...], ds: DaemonSet, node_to_daemon_pods: dict[str, list[Pod]]) -> tuple[int, int, int]:
    """Mirrors update.go updatedDesiredNodeCounts: (maxSurge, maxUnavailable, desiredNumberScheduled);
    adds an empty entry to ``node_to_daemon_pods`` for every node that should run a pod and has none.
    Neither surge nor unavailability (both 0) falls back to maxUnavailable 1."""
    desired = 0
    for node in nodes:
        want, _ = node_should_run_daemon_pod(node, ds)
        if not want:
            continue
        desired += 1
        node_to_daemon_pods.setdefault(node.name, [])
    max_unavailable = unavailable_count(ds, desired)
    max_surge = surge_count(ds, desired)
    if desired > 0 and max_unavailable == 0 and max_surge == 0:
        max_unavailable = 1
    return max_surge, max_unavailable, desired


def find_updated_pods_on_node(pods: list[Pod], hash_: str) -> tuple[Pod | None, Pod | None, bool]:
    """Mirrors update.go findUpdatedPodsOnNode: (newPod, oldPod, ok) over the non-deleted pods;
    ``ok`` False when there is more than one of either."""
    new: Pod | None = None
    old: Pod | None = None
    for pod in pods:
        if pod.deletion_timestamp is not None:
            continue
        if is_pod_updated(pod, hash_):
            if new is not None:
                return None, None, False
            new = pod
        else:
            if old is not None:
                return None, None, False
            old = pod
    return new, old, True


def rolling_update(nodes: tuple[Node, ...], node_to_daemon_pods: dict[str, list[Pod]], ds: DaemonSet, hash_: str) -> list[Write]:
    """Mirrors update.go rollingUpdate: the old pods to delete (maxSurge 0) or the nodes to surge
    onto (maxSurge > 0), within the strategy's bounds.  Upstream ranges over a Go map (random
    order); the model takes node-name order (docs/semantics.md, "DaemonSet")."""
    max_surge, max_unavailable, desired = updated_desired_node_counts(nodes, ds, node_to_daemon_pods)
    by_name = {n.name: n for n in nodes}
    mrs = ds.min_ready_seconds
    order = sorted(node_to_daemon_pods)
    if max_surge == 0:
        num_unavailable = 0
        allowed: list[Pod] = []
        candidates: list[Pod] = []
        for node_name in order:
            new, old, ok = find_updated_pods_on_node(node_to_daemon_pods[node_name], hash_)
            if not ok:
                num_unavailable += 1
                continue
            if (old is None and new is None) or (old is not None and new is not None):
                num_unavailable += 1
            elif new is not None:
                if not is_pod_available(new, mrs):
                    num_unavailable += 1
            else:
                assert old is not None
                if not is_pod_available(old, mrs):
                    allowed.append(old)
                    num_unavailable += 1
                elif num_unavailable >= max_unavailable:
                    continue
                else:
                    candidates.append(old)
        remaining = max(0, max_unavailable - num_unavailable)
        remaining = min(remaining, len(candidates))
        return _sync_nodes(ds, allowed + candidates[:remaining], [], hash_)

    old_to_delete: list[Pod] = []
    should_not_run_to_delete: list[Pod] = []
    candidate_new: list[str] = []
    allowed_new: list[str] = []
    num_surge = 0
    num_available = 0
    for node_name in order:
        new, old, ok = find_updated_pods_on_node(node_to_daemon_pods[node_name], hash_)
        if not ok:
            num_surge += 1
            continue
        if old is not None:
            if is_pod_available(old, mrs):
                num_available += 1
        elif new is not None and is_pod_available(new, mrs):
            num_available += 1
        if old is None:
            continue
        node = by_name.get(node_name)
        if new is None:
            if node is None:
                return []  # "couldn't get node for nodeName": the sync returns the error
            should_run, _ = node_should_run_daemon_pod(node, ds)
            if not is_pod_available(old, mrs):
                if not should_run:
                    old_to_delete.append(old)
                    continue
                allowed_new.append(node_name)
            else:
                if not should_run:
                    should_not_run_to_delete.append(old)
                    continue
                if num_surge >= max_surge:
                    continue
                candidate_new.append(node_name)
        else:
            if not is_pod_available(new, mrs):
                num_surge += 1
                continue
            old_to_delete.append(old)
    remaining_surge = max_surge - num_surge
    deletable = num_available - desired
    if deletable > 0:
        old_to_delete.extend(should_not_run_to_delete[: min(deletable, len(should_not_run_to_delete))])
    remaining_surge = min(max(remaining_surge, 0), len(candidate_new))
    return _sync_nodes(ds, old_to_delete, allowed_new + candidate_new[:remaining_surge], hash_)


def compute_status(
    nodes: tuple[Node, ...], node_to_daemon_pods: dict[str, list[Pod]], ds: DaemonSet, hash_: str, update_observed_gen: bool = True
) -> DaemonSetStatus:
    """Mirrors daemon_controller.go updateDaemonSetStatus (the counts; observedGeneration set unless
    ``update_observed_gen`` is false: expectations not satisfied, "Don't raise observedGeneration
    since controller didn't process object of that generation")."""
    desired = current = misscheduled = ready = updated = available = 0
    for node in nodes:
        should_run, _ = node_should_run_daemon_pod(node, ds)
        pods = node_to_daemon_pods.get(node.name) or []
        if should_run:
            desired += 1
            if not pods:
                continue
            current += 1
            pod = sorted(pods, key=_pod_order)[0]
            if is_pod_ready(pod):
                ready += 1
                if is_pod_available(pod, ds.min_ready_seconds):
                    available += 1
            if is_pod_updated(pod, hash_):
                updated += 1
        elif pods:
            misscheduled += 1
    return replace(
        ds.status,
        observed_generation=ds.generation if update_observed_gen else ds.status.observed_generation,
        desired_number_scheduled=desired,
        current_number_scheduled=current,
        number_misscheduled=misscheduled,
        number_ready=ready,
        updated_number_scheduled=updated,
        number_available=available,
        number_unavailable=desired - available,
    )


def _controlled_histories(state: ClusterState, ds: DaemonSet, selector: object, writes: list[Write]) -> list[ControllerRevision]:
    """Mirrors update.go controlledHistories (ControllerRevisionControllerRefManager.ClaimControllerRevisions):
    revisions controlled by ``ds``, adopting matching orphans and releasing owned ones that no longer match."""
    out: list[ControllerRevision] = []
    for rev in state.objects("ControllerRevision", ds.namespace):
        ref = rev.controller_ref()
        match = selector.matches(rev.labels)  # type: ignore[attr-defined]
        if ref is not None:
            if ref.uid != ds.uid:
                continue
            if match:
                out.append(rev)
            else:
                writes.append(Update(replace(rev, owner_references=tuple(r for r in rev.owner_references if r.uid != ds.uid))))
        elif match and rev.deletion_timestamp is None:
            adopted = replace(rev, owner_references=rev.owner_references + (new_controller_ref(ds, DAEMON_SET_KIND),))
            writes.append(Update(adopted))
            out.append(rev)
    return out


def _construct_history(
    state: ClusterState, ds: DaemonSet, selector: object, pods: tuple[Pod, ...], writes: list[Write]
) -> tuple[ControllerRevision | None, list[ControllerRevision]]:
    """Mirrors update.go constructHistory (with snapshot and dedupCurHistories): (current, old);
    current None when the sync stops with an error (a hash collision: collisionCount is bumped)."""
    current: list[ControllerRevision] = []
    old: list[ControllerRevision] = []
    for rev in _controlled_histories(state, ds, selector, writes):
        if DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY not in rev.labels:
            rev = replace(rev, labels=rev.labels.set(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY, rev.name))
            writes.append(Update(rev))
        (current if rev.data == ds.template else old).append(rev)
    curr_revision = max((r.revision for r in old), default=0) + 1
    if not current:
        hash_ = controller_revision_hash(ds.template, ds.status.collision_count)
        name = controller_revision_name(ds.name, hash_)
        existing = state.get("ControllerRevision", ds.namespace, name)
        if existing is not None:
            if existing.data == ds.template:
                return existing, old
            count = (ds.status.collision_count or 0) + 1
            writes.append(UpdateStatus(replace(ds, status=replace(ds.status, collision_count=count))))
            return None, old
        cur = ControllerRevision(
            name=name,
            namespace=ds.namespace,
            labels=ds.template.labels.set(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY, hash_),
            annotations=ds.annotations,
            owner_references=(new_controller_ref(ds, DAEMON_SET_KIND),),
            revision=curr_revision,
            data=ds.template,
        )
        writes.append(Create(cur))
        return cur, old
    keep = current[0]
    for rev in current:
        if rev.revision >= keep.revision:
            keep = rev
    keep_hash = keep.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY, "")
    for rev in current:
        if rev.name == keep.name:
            continue
        for pod in pods:
            if pod.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY) != keep_hash:
                writes.append(Update(replace(pod, labels=pod.labels.set(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY, keep_hash))))
        writes.append(Delete("ControllerRevision", rev.namespace, rev.name))
    if keep.revision < curr_revision:
        keep = replace(keep, revision=curr_revision)
        writes.append(Update(keep))
    return keep, old


def _cleanup_history(ds: DaemonSet, pods: tuple[Pod, ...], old: list[ControllerRevision]) -> list[Write]:
    """Mirrors update.go cleanupHistory: delete the oldest revisions beyond revisionHistoryLimit
    whose hash no live pod (deleted terminal pods included) carries."""
    to_kill = len(old) - ds.revision_history_limit
    if to_kill <= 0:
        return []
    live = {h for p in pods if (h := p.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY))}
    out: list[Write] = []
    for rev in sorted(old, key=lambda r: r.revision):
        if to_kill <= 0:
            break
        if rev.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY) in live:
            continue
        out.append(Delete("ControllerRevision", rev.namespace, rev.name))
        to_kill -= 1
    return out


def sync_daemon_set(state: ClusterState, key: ObjKey, *, ds_needs_sync: bool = True) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go syncDaemonSet.

    Order of writes: revision adoption and history (constructHistory); pod adoption and release
    (getDaemonPods); manage's creates then deletes, or, when manage has nothing to do and the
    strategy is RollingUpdate, rollingUpdate's; history cleanup; the status (only if it changed).
    An empty selector (``This daemon set is selecting all pods``), a selector that does not convert,
    or a DaemonSet being deleted: nothing.

    ``ds_needs_sync`` is upstream's ``dsc.expectations.SatisfiedExpectations(dsKey)``: when false,
    only the status is updated, without raising observedGeneration (the pods are still claimed, as
    updateDaemonSetStatus lists them through getNodesToDaemonPods).  It is true unless the informer
    caches are modelled (``model.informer``, ``--caches lagged``).
    """
    ds: DaemonSet | None = state.get(DAEMON_SET_KIND, *key)
    if ds is None:
        return ()
    if ds.selector is None:
        return ()
    try:
        selector = label_selector_as_selector(ds.selector)
    except SelectorError:
        return ()
    if selector.empty() or ds.deletion_timestamp is not None:
        return ()
    writes: list[Write] = []
    nodes = tuple(state.nodes.values())
    pods_in_ns = state.objects("Pod", ds.namespace)
    claimed, claim_writes = claim_pods(state, ds, selector, DAEMON_SET_KIND, pods_in_ns)
    cur, old = _construct_history(state, ds, selector, claimed, writes)
    if cur is None:
        return tuple(writes)
    hash_ = cur.labels.get(DEFAULT_DAEMON_SET_UNIQUE_LABEL_KEY, "")
    writes.extend(claim_writes)
    if not ds_needs_sync:
        status = compute_status(nodes, get_nodes_to_daemon_pods(claimed, False), ds, hash_, update_observed_gen=False)
        if status != ds.status:
            writes.append(UpdateStatus(replace(ds, status=status)))
        return tuple(writes)
    try:
        node_to_pods = get_nodes_to_daemon_pods(claimed, False)
        manage = _manage(nodes, node_to_pods, ds, hash_)
        writes.extend(manage)
        if not manage and ds.update_strategy.type == "RollingUpdate":
            writes.extend(rolling_update(nodes, get_nodes_to_daemon_pods(claimed, False), ds, hash_))
    except UpstreamError:
        pass  # an invalid maxSurge/maxUnavailable (validation forbids it): the sync returns the error
    writes.extend(_cleanup_history(ds, claimed, old))
    status = compute_status(nodes, get_nodes_to_daemon_pods(claimed, False), ds, hash_)
    if status != ds.status:
        writes.append(UpdateStatus(replace(ds, status=status)))
    return tuple(writes)


#: The DaemonSet controller's record (registered in ``model.registry``).
CONTROLLER = Controller(
    "daemonset", "dsc", "DaemonSet", sync_daemon_set,
    generic_actions(
        "dsc",
        creates=["Pod", "ControllerRevision"],
        deletes=["Pod", "ControllerRevision"],
        updates=["Pod", "ControllerRevision"],
        adopts=["Pod", "ControllerRevision"],
    )
    | {"dsc_remove_owner_ref"},
)
