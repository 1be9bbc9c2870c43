"""The property catalogue: convergence, ownership, rollout availability, StatefulSet identity, sandbox.

Every rule has a stable ID, a one-line statement, a paragraph on exactly what it counts, and the
upstream source it is checked against.  ``docs/properties.md`` is generated from the same data
(``python -m properties --markdown``) and a test keeps the two in step.

Involuntary disruptions (container crashes, sandbox death, node failure, force delete) are not
counted against the rollout rules KC-ROLL-001/002/003: upstream promises nothing there, so those
rules only judge steps taken by a workload controller.
"""

from __future__ import annotations

from typing import Any, Callable, Final

from model.frozen import evolve
from model.endpoints import serving_endpoint, serving_endpoints
from model.objects import Deployment, Pod, ReplicaSet, StatefulSet
from model.state import ClusterState
from properties._common import (
    controlled_pods,
    deployment_pods,
    find,
    is_active,
    is_available,
    is_live,
    is_workload_controller_action,
    owned_replica_sets,
    rolling_bounds,
    scaled_value,
    selector_of,
    template_matches,
)
from properties.rules import FixStep, Rule, rule

__all__ = ["CATALOGUE", "DEFAULT_RULES", "RULES", "get_rule", "must_update"]

Target = tuple[str, str, str]


# ------------------------------------------------------------------------------------ convergence


@rule(
    "KC-CONV-001",
    "A ReplicaSet eventually always has exactly spec.replicas owned, active, matching pods, and its status agrees",
    kind="eventually_always",
    location="spec.replicas",
    applies_to=("ReplicaSet", "ReplicationController"),
    category="convergence",
    local=True,
    upstream="pkg/controller/replicaset/replica_set.go syncReplicaSet, manageReplicas, calculateStatus",
    counts=(
        "Counts pods whose controller ownerReference is the ReplicaSet (or ReplicationController), that are "
        "active (not Succeeded/Failed, no deletionTimestamp: controller_utils.go IsPodActive) and that match "
        "its selector. Terminating pods are not counted, as upstream's filterActivePods does not count them. "
        "status.replicas must equal that count. A workload being deleted is exempt."
    ),
    remediation="Give the ReplicaSet (or ReplicationController) a selector that matches its own pod template's labels and no other controller's pods, and enough node capacity (or fewer replicas) for spec.replicas pods on nodes its nodeSelector, required node affinity and tolerations allow; better, manage it through a Deployment.",
)
def replicas_converge(c: ClusterState, target: Target) -> bool:
    obj = find(c, target[0], target[1:])
    if obj is None or obj.deletion_timestamp is not None:
        return True
    sel = selector_of(obj)
    n = sum(1 for p in controlled_pods(c, obj) if is_active(p) and sel.matches(p.labels))
    return n == obj.replicas and obj.status.replicas == n


def _one_pod_per_node(obj: Any, across_revisions: bool = False) -> bool:
    """Whether ``obj``'s pod template has a required pod anti-affinity term on ``kubernetes.io/hostname``
    that selects the template's own pods (in its namespace): upstream's InterPodAffinity filter then
    places at most one of its pods, terminating ones included, on each node.  ``across_revisions``: only
    terms that also keep pods of different revisions apart (no ``matchLabelKeys: [pod-template-hash]``)."""
    from model.labels import SelectorError, label_selector_as_selector
    from model.scheduler import LABEL_HOSTNAME, affinity_term_namespace

    for t in obj.template.pod_anti_affinity:
        if across_revisions and "pod-template-hash" in t.match_label_keys:
            continue
        if t.topology_key != LABEL_HOSTNAME or t.selector is None or not affinity_term_namespace(t, obj.namespace, obj.namespace):
            continue
        try:
            if label_selector_as_selector(t.selector).matches(obj.template.labels):
                return True
        except SelectorError:
            continue
    return False


def _host_port_numbers(obj: Any) -> list[int]:
    """The host ports of ``obj``'s pod template (``hostNetwork`` gives every containerPort one): upstream's NodePorts
    filter then places at most one of its pods on each node, of any revision that keeps the port."""
    return sorted({hp[2] for c in obj.template.containers for hp in c.host_ports})


def too_few_domains(obj: Any, nodes: list[Any]) -> str:
    """The advice for a DoNotSchedule topology spread constraint of ``obj``'s own pods whose ``minDomains`` exceeds the
    domains of the checked cluster (the distinct values of its topologyKey on ``nodes``): upstream's PodTopologySpread
    then takes the global minimum as 0, so no domain may hold more than maxSkew of the pods
    (pkg/scheduler/framework/plugins/podtopologyspread ``minMatchNum``); "" when there is none."""
    from model.labels import SelectorError, label_selector_as_selector
    from model.scheduler import node_topology_value

    for c in obj.template.topology_spread_constraints:
        if c.selector is None or (c.min_domains or 1) <= 1:
            continue
        try:
            if not label_selector_as_selector(c.selector).matches(obj.template.labels):
                continue
        except SelectorError:
            continue
        domains = {node_topology_value(n, c.topology_key) for n in nodes} - {None}
        if len(domains) >= c.min_domains:
            continue
        have = f"the {len(domains)} domain{'s' if len(domains) != 1 else ''} of the checked cluster"
        return (f"its DoNotSchedule topologySpreadConstraint on {c.topology_key} has minDomains {c.min_domains}, more than {have}: "
                f"the scheduler then counts the global minimum as 0, so no domain holds more than maxSkew {c.max_skew} of its pods "
                f"(at most {c.max_skew} x domains run): "
                + (f"check with --nodes {c.min_domains} (or declare {c.min_domains} Nodes)" if c.topology_key == "kubernetes.io/hostname"
                   else f"declare Nodes with {c.min_domains} values of {c.topology_key}") + ", or lower minDomains")
    return ""


def _self_spread_keys(obj: Any) -> list[tuple[str, int]]:
    """(topologyKey, maxSkew) of each DoNotSchedule topology spread constraint of ``obj``'s template that counts the
    template's own pods (its selector matches the template's labels) and leaves ``nodeTaintsPolicy`` at Ignore:
    upstream's PodTopologySpread filter then counts a cordoned or NotReady node carrying the key as a domain."""
    from model.labels import SelectorError, label_selector_as_selector

    out = []
    for c in obj.template.topology_spread_constraints:
        if c.selector is None or (c.node_taints_policy or "Ignore") != "Ignore":
            continue
        try:
            sel = label_selector_as_selector(c.selector)
        except SelectorError:
            continue
        if not sel.empty() and sel.matches(obj.template.labels):
            out.append((c.topology_key, c.max_skew))
    return out


def _carried(key: str, nodes: list[Any]) -> bool:
    """Whether some node carries the label ``key``: one of ``nodes`` (the manifests' Nodes), else one of the nodes
    kubecheck adds (``model.scheduler.COMMON_NODE_LABELS``); every node carries the hostname
    (``model.scheduler.node_topology_value``)."""
    from model.scheduler import COMMON_NODE_LABELS, LABEL_HOSTNAME

    if key == LABEL_HOSTNAME:
        return True
    return any(key in n.labels for n in nodes) if nodes else key in dict(COMMON_NODE_LABELS)


def placement_fix(objects: Any, keys: Any) -> str:
    """KC-CONV-002 and KC-CONV-003's concrete fix when a workload allows one of its pods per node (a required
    anti-affinity on the hostname selecting its own pods): the number of nodes it needs, which the nodes
    kubecheck adds (``--nodes``, 2 by default) may not have; and when a DoNotSchedule topology spread constraint
    of its own pods counts cordoned and NotReady nodes (``nodeTaintsPolicy`` Ignore, the default): the taints
    policy that leaves them out."""
    out = []
    for key in keys:
        o = objects.get(key)
        if o is None or key[0] not in ("Deployment", "StatefulSet"):
            continue
        nodes = [n for k, n in objects.items() if k[0] == "Node"]
        for topology_key, skew in _self_spread_keys(o):
            if not _carried(topology_key, nodes):
                out.append(f"{key[0]} {key[1]}/{key[2]}: no Node carries {topology_key}, the topologyKey of its DoNotSchedule "
                           f"topologySpreadConstraint, so no node fits its pods" + (
                               " (the nodes --nodes adds carry no zone or region label)" if not nodes else "")
                           + f": declare Nodes labelled {topology_key}, or set whenUnsatisfiable: ScheduleAnyway")
                continue
            out.append(f"{key[0]} {key[1]}/{key[2]}: its DoNotSchedule topologySpreadConstraint on {topology_key} (maxSkew {skew}) "
                       f"counts a cordoned or NotReady node as a domain (nodeTaintsPolicy Ignore, the default), and while that domain "
                       f"holds none of its pods no other may hold more than {skew} of them: set nodeTaintsPolicy: Honor, or "
                       f"whenUnsatisfiable: ScheduleAnyway")
        ports = _host_port_numbers(o)
        if not _one_pod_per_node(o) and not ports:
            continue
        why = ("its required podAntiAffinity on kubernetes.io/hostname" if _one_pod_per_node(o)
               else f"its host port{'s' if len(ports) > 1 else ''} {', '.join(map(str, ports))}")
        who = f"{key[0]} {key[1]}/{key[2]}: {why} allows one of its pods per node"
        # an HPA keeps at least minReplicas whatever spec.replicas says (absent: 1): the pods that must find nodes
        hpa = autoscaler_of(objects, key, min_one=False)
        if hpa is not None and hpa.min_replicas > o.replicas:
            who += f" and HorizontalPodAutoscaler {key[1]}/{hpa.name} keeps at least {hpa.min_replicas} of them"
            o = evolve(o, replicas=hpa.min_replicas)
        if key[0] == "Deployment" and o.strategy.type == "RollingUpdate" and (ports or _one_pod_per_node(o, across_revisions=True)):
            surge, unavail = rolling_bounds(o)
            if unavail == 0:
                need = o.replicas + surge
                out.append(f"{who}, so it needs at least {o.replicas} nodes to run and replicas + maxSurge = {need} to roll out with "
                           f"maxUnavailable 0: check with --nodes {need} (or declare your Nodes), or set maxSurge: 0 with maxUnavailable: 1")
                continue
        out.append(f"{who}, so it needs at least {o.replicas} nodes (one more to re-place a pod after a node fails): "
                   f"check with --nodes {o.replicas}, or --nodes {o.replicas + 1} under node-failure (or declare your Nodes)")
    return "; ".join(out)


@rule(
    "KC-CONV-002",
    "A Deployment eventually always has one new ReplicaSet with every replica available and every old one at zero",
    kind="eventually_always",
    location="spec.replicas",
    applies_to=("Deployment",),
    category="convergence",
    local=True,
    fix=placement_fix,
    upstream="pkg/controller/deployment/util/deployment_util.go DeploymentComplete; rolling.go rolloutRolling",
    counts=(
        "Among the ReplicaSets the Deployment controls and that are not being deleted, exactly one has a pod "
        "template equal to the Deployment's (ignoring pod-template-hash: EqualIgnoreHash); its spec.replicas "
        "equals the Deployment's and that many of its active pods are available (Ready for minReadySeconds: "
        "IsPodAvailable). Every other ReplicaSet has spec.replicas 0 and no active pods. A paused Deployment "
        "and one being deleted are exempt (upstream does not roll a paused Deployment out)."
    ),
    remediation='Make the rollout able to finish: enough node capacity for replicas + maxSurge pods on nodes the pod template nodeSelector, required node affinity and tolerations allow and whose hostPorts and required pod anti-affinity leave room (a hostPort, or an anti-affinity on kubernetes.io/hostname, allows one pod per node: nodes >= replicas + maxSurge, or maxSurge: 0 with maxUnavailable >= 1), a readiness probe that can pass, init containers that complete, and a selector no other workload shares.',
)
def deployment_completes(c: ClusterState, target: Target) -> bool:
    d = find(c, "Deployment", target[1:])
    if d is None or d.deletion_timestamp is not None or d.paused:
        return True
    rss = [rs for rs in owned_replica_sets(c, d) if rs.deletion_timestamp is None]
    new = [rs for rs in rss if template_matches(rs.template, d.template)]
    if len(new) != 1:
        return False
    new_rs = new[0]
    if new_rs.replicas != d.replicas:
        return False
    avail = sum(1 for p in controlled_pods(c, new_rs) if is_active(p) and is_available(p, d.min_ready_seconds))
    if avail != d.replicas:
        return False
    for rs in rss:
        if rs is new_rs:
            continue
        if rs.replicas != 0 or any(is_active(p) for p in controlled_pods(c, rs)):
            return False
    return True


def _sts_ordinal(set_: StatefulSet, pod: Pod) -> int | None:
    prefix = set_.name + "-"
    if not pod.name.startswith(prefix):
        return None
    rest = pod.name[len(prefix):]
    return int(rest) if rest.isdigit() else None


def must_update(s: StatefulSet, ordinal: int) -> bool:
    """Whether the rolling update must bring pod ``ordinal`` to the set's current template.

    Upstream (stateful_set_control.go updateStatefulSet) walks ``replicas`` from the highest INDEX down
    to ``updateMin``, and ``replicas`` is indexed by ``ordinal - ordinals.start``, so the partition is
    compared with the index, not the ordinal (newVersionedStatefulSetPod's ``ord < start+partition``
    agrees).  A RollingUpdate with no rollingUpdate block has ``updateMin = 0`` (every pod is updated;
    newVersionedStatefulSetPod then uses status.currentReplicas only to pick the revision of a pod it
    re-creates mid-rollout, which the completed rollout overwrites).  OnDelete updates nothing.
    """
    strategy = s.update_strategy
    if strategy.type != "RollingUpdate":
        return False
    partition = strategy.partition if strategy.has_rolling_update else 0
    return ordinal - s.ordinals_start >= partition


@rule(
    "KC-CONV-003",
    "A StatefulSet eventually always runs ordinals start..start+replicas-1, updated and ready, with their PVCs",
    kind="eventually_always",
    location="spec.replicas",
    applies_to=("StatefulSet",),
    category="convergence",
    local=True,
    fix=placement_fix,
    upstream="pkg/controller/statefulset/stateful_set_control.go updateStatefulSet",
    counts=(
        "For every ordinal i in [ordinals.start, ordinals.start+replicas) a pod <set>-<i> controlled by the set "
        "exists, is active, Running and Ready (isRunningAndReady), runs the set's current template (for "
        "RollingUpdate, the pods whose index i - ordinals.start is at or above the partition, as upstream compares "
        "the partition with the replica index; no rollingUpdate block means partition 0; OnDelete sets are not "
        "required to update), and for "
        "each volumeClaimTemplate the PVC <template>-<set>-<i> exists. No pod of the set has an ordinal outside "
        "the range (no condemned pods). A set being deleted is exempt. Judged assuming the operator acts: in the "
        "node-failure scenario an operator eventually deletes the failed Node object (a weakly fair user action; "
        "PodGC then removes its pods), since upstream nothing else frees the name of a pod stuck Terminating on a "
        "lost node; a scenario file with operator: false judges without it, and KC-NODE-001 reports the need for "
        "the operator on its own."
    ),
    remediation='Make every ordinal placeable and ready: enough node capacity for spec.replicas pods on nodes the template nodeSelector, required node affinity and tolerations allow (a hostPort allows one pod per node), a readiness probe that can pass, init containers that complete, and (with OrderedReady) no pod that can stay unready; a pod on a lost node needs an operator to delete the node or force-delete the pod (KC-NODE-001).',
)
def stateful_set_converges(c: ClusterState, target: Target) -> bool:
    s = find(c, "StatefulSet", target[1:])
    if s is None or s.deletion_timestamp is not None:
        return True
    start, end = s.ordinals_start, s.ordinals_start + s.replicas
    seen: set[int] = set()
    for p in controlled_pods(c, s):
        i = _sts_ordinal(s, p)
        if i is None or not start <= i < end:
            return False
        if not is_active(p) or p.phase != "Running" or not p.conditions.ready:
            return False
        if must_update(s, i) and p.spec_containers != s.template.containers:
            return False
        seen.add(i)
    if seen != set(range(start, end)):
        return False
    for i in range(start, end):
        for t in s.volume_claim_templates:
            if c.get("PersistentVolumeClaim", s.namespace, f"{t.name}-{s.name}-{i}") is None:
                return False
    return True


def pods_waiting_for_operator(c: ClusterState, s: StatefulSet) -> tuple[Pod, ...]:
    """The pods ``s`` controls that are Terminating on a NotReady node (a node that exists and does
    not report Ready): nothing in the control plane removes them until the node comes back, its Node
    object is deleted, or the pod is force-deleted."""
    out = []
    for p in controlled_pods(c, s):
        if p.deletion_timestamp is None or p.node_name is None:
            continue
        node = c.get("Node", "", p.node_name)
        if node is not None and not node.ready:
            out.append(p)
    return tuple(out)


@rule(
    "KC-NODE-001",
    "A StatefulSet pod on a lost node needs an operator to delete the node or force-delete the pod",
    kind="invariant",
    applies_to=("StatefulSet",),
    category="convergence",
    local=True,
    severity="info",
    upstream="pkg/controller/nodelifecycle (taint eviction: a graceful delete the silent kubelet never completes); "
    "pkg/controller/podgc/gc_controller.go gcOrphaned; docs: force-delete-stateful-set-pod",
    counts=(
        "Platform behaviour, not a manifest defect: violated by a reachable state in which a pod the "
        "StatefulSet controls is Terminating (deletionTimestamp set, by the node lifecycle controller's "
        "eviction) on a node that is NotReady. From such a state no controller removes the pod (the node's "
        "kubelet is silent; PodGC acts only once the Node object is gone) and the StatefulSet cannot recreate "
        "the ordinal while the name is taken, so unless the node comes back or an operator deletes the Node "
        "object or force-deletes the pod, it stays so for ever: in the model, where node recovery and force "
        "deletes are unfair, reaching the state is exactly a fair run that never converges without the operator. "
        "Judged independently of the operator (the operator's later action does not undo the wait). Info: it "
        "does not fail the run unless --fail-on info."
    ),
    remediation="No manifest change avoids it. When a node is confirmed dead, delete its Node object (kubectl delete "
    "node NODE; PodGC then removes its pods and the StatefulSet recreates them); force-delete a pod only when the "
    "node is fenced, never on a partition that may heal (split brain, KC-STS-004). See "
    "https://kubernetes.io/docs/tasks/run-application/force-delete-stateful-set-pod/",
)
def stateful_set_pod_not_stuck_on_lost_node(c: ClusterState, target: Target) -> bool:
    s = find(c, "StatefulSet", target[1:])
    if s is None:
        return True
    return not pods_waiting_for_operator(c, s)


# -------------------------------------------------------------------------------------- ownership


@rule(
    "KC-OWN-001",
    "Every pod has at most one controller owner",
    kind="invariant",
    category="ownership",
    local=True,
    upstream="staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go GetControllerOf; "
    "pkg/controller/controller_ref_manager.go ClaimObject",
    counts="Counts, for every pod object (terminating included), its ownerReferences with controller: true.",
    remediation='Do not add controller ownerReferences by hand: let exactly one controller own each pod (remove the extra controller: true reference).',
    reads=[("Pod", "owner_references")],
)
def single_controller_owner(c: ClusterState) -> bool:
    return all(sum(1 for r in p.owner_references if r.controller) <= 1 for p in c.pods.values())


@rule(
    "KC-OWN-002",
    "Eventually always, every pod a workload controls matches that workload's selector",
    kind="eventually_always",
    location="spec.selector",
    category="ownership",
    local=True,
    upstream="pkg/controller/controller_ref_manager.go ClaimObject (release of non-matching owned objects)",
    counts=(
        "For every active pod whose controller ownerReference points at an existing ReplicaSet, "
        "ReplicationController or StatefulSet (not being deleted), the pod's labels match that owner's "
        "selector. A relabelled pod may briefly violate it; the owner must release it."
    ),
    remediation="Keep each workload's pod template labels matching its selector, and do not relabel its pods out of it (or accept that the controller releases them and creates replacements).",
)
def owned_pods_match_selector(c: ClusterState) -> bool:
    for p in c.pods.values():
        if not is_active(p):
            continue
        ref = p.controller_ref()
        if ref is None:
            continue
        owner = c.by_uid(ref.uid)
        if owner is None or owner.deletion_timestamp is not None or ref.kind == "Deployment":
            continue
        if not selector_of(owner).matches(p.labels):
            return False
    return True


def _acting_owner(c: ClusterState, action: Any) -> Any | None:
    key = getattr(action, "fairness_key", None)
    if isinstance(key, tuple) and len(key) == 3:
        family, ns, name = key
        kind = {
            "replicaset": "ReplicaSet",
            "replication": "ReplicationController",
            "statefulset": "StatefulSet",
            "deployment": "Deployment",
        }.get(family)
        if kind is not None:
            return c.get(kind, ns, name)
    return None


@rule(
    "KC-OWN-003",
    "A controller never takes or deletes a pod that another controller owns",
    kind="action",
    category="ownership",
    local=True,
    upstream="pkg/controller/controller_ref_manager.go ClaimObject; pkg/controller/replicaset/replica_set.go manageReplicas",
    counts=(
        "Judges every step: a pod that exists before and after must not switch its controller ownerReference "
        "from one owner to a different one; and a step of a workload controller must not delete (set a "
        "deletionTimestamp on, or remove) a pod controlled by another object."
    ),
    remediation="Give every controller a selector no other controller's pods match (add a distinguishing label, e.g. app.kubernetes.io/instance, to both the selector and the pod template).",
)
def no_pod_stealing(c: ClusterState, action: Any, n: ClusterState) -> bool:
    if c.pods is n.pods:
        return True  # no pod changed: none switched owner or was deleted (issue #17: skip the scans)
    for key, p in c.pods.items():
        q = n.pods.get(key)
        if q is p:
            continue  # the same pod object: same owner, not deleted
        a = p.controller_ref()
        if q is not None and q.uid == p.uid:
            b = q.controller_ref()
            if a is not None and b is not None and a.uid != b.uid:
                return False
    if is_workload_controller_action(action):
        actor = _acting_owner(c, action)
        if actor is not None:
            for key, p in c.pods.items():
                q = n.pods.get(key)
                if q is p:
                    continue
                deleted = q is None or q.uid != p.uid or (p.deletion_timestamp is None and q.deletion_timestamp is not None)
                ref = p.controller_ref()
                if deleted and ref is not None and ref.uid != actor.uid and c.by_uid(ref.uid) is not None:
                    return False
    return True


@rule(
    "KC-OWN-004",
    "No active pod is selected by two live pod controllers (overlapping selectors)",
    kind="invariant",
    location="spec.selector",
    category="ownership",
    local=True,
    upstream="docs: 'you should not create any pods whose labels match this selector' (ReplicaSet, RC); "
    "pkg/controller/controller_utils.go (ControllerRef makes overlaps safe but confusing)",
    counts=(
        "Counts, for every active pod, the ReplicaSets, ReplicationControllers, StatefulSets and DaemonSets in its "
        "namespace (not being deleted) whose selector matches its labels. More than one is an overlap: "
        "upstream's ControllerRef keeps the controllers from fighting, but status counts, kubectl and "
        "Services become ambiguous. One Deployment's ReplicaSets carry distinct pod-template-hash labels, "
        "so they do not overlap each other; but two Deployments with overlapping selectors and identical "
        "pod templates get the same hash, so their ReplicaSets' selectors are identical and do overlap "
        "(also when a rollout makes one Deployment's template equal to the other's)."
    ),
    remediation="Make the selectors disjoint: add a label that differs per workload (e.g. app.kubernetes.io/instance) to each workload's selector and pod template, so no pod matches two. The selector of an apps/v1 Deployment, StatefulSet, DaemonSet or ReplicaSet is immutable: the API server refuses the edit, so delete the workload (kubectl delete --cascade=orphan keeps its pods running) and create it again with the new selector, then, once its new pods are ready, delete the orphaned ReplicaSets and pods (they keep the old, overlapping labels).",
)
def no_overlapping_selectors(c: ClusterState) -> bool:
    owners = [
        o
        for kind in ("ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet")
        for o in c.objects(kind)
        if o.deletion_timestamp is None
    ]
    if len(owners) < 2:
        return True
    sels = [(o, selector_of(o)) for o in owners]
    for p in c.pods.values():
        if not is_active(p):
            continue
        if sum(1 for o, sel in sels if o.namespace == p.namespace and sel.matches(p.labels)) > 1:
            return False
    return True


# ------------------------------------------------------------------------------ rollout availability


def _rolling(c: ClusterState, target: Target) -> Deployment | None:
    d = find(c, "Deployment", target[1:])
    if d is None or d.strategy.type != "RollingUpdate" or d.deletion_timestamp is not None:
        return None
    return d


def _controller_step_respects(
    c: ClusterState,
    action: Any,
    n: ClusterState,
    target: Target,
    measure: Callable[[ClusterState, Deployment], int],
    bound: Callable[[Deployment], int],
    *,
    floor: bool,
) -> bool:
    """The shape shared by the rollout action rules (KC-ROLL-001/002/003).

    Only a workload controller's step on a RollingUpdate Deployment is judged, and only when it moves
    ``measure`` the wrong way (down for a floor, up for a ceiling); the value after the step must then
    respect ``bound`` of the Deployment as it is after the step.
    """
    if not is_workload_controller_action(action):
        return True
    d, d0 = _rolling(n, target), _rolling(c, target)
    if d is None or d0 is None:
        return True
    after, before = _measured(n, d, measure), _measured(c, d0, measure)
    if floor:
        return after >= before or after >= bound(d)
    return after <= before or after <= bound(d)


def _measured(c: ClusterState, d: Deployment, measure: Callable[[ClusterState, Deployment], int]) -> int:
    """``measure(c, d)``, computed once per state: a state is the source of every transition out of it
    and the target of those into it, and the rollout rules judge each of them.  The value is derived
    data kept in the state's cache (never part of equality), keyed by the measure and the fields of
    the Deployment the measures read (its UID and minReadySeconds)."""
    cache: dict[Any, int] = c._cache.setdefault("rollout-measure", {})
    key = (measure, d.uid, d.min_ready_seconds)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = measure(c, d)
    return hit


def _live_count(c: ClusterState, d: Deployment) -> int:
    return sum(1 for p in deployment_pods(c, d) if is_live(p))


def _surge_ceiling(d: Deployment) -> int:
    return d.replicas + rolling_bounds(d)[0]


def _available_count(c: ClusterState, d: Deployment) -> int:
    return sum(1 for p in deployment_pods(c, d) if is_active(p) and is_available(p, d.min_ready_seconds))


def _creator(obj: Any) -> tuple[tuple[str, ...], str] | None:
    """The controller that created ``obj``, read from the name it gave it: ``(kinds, name)``, or None
    for an object no controller named (written by a user).

    Controllers name what they create after themselves: a ReplicaSet, RC or DaemonSet pod has
    ``generateName`` ``<owner>-`` (controller_utils.go getPodsPrefix); a StatefulSet pod is
    ``<set>-<ordinal>`` without generateName (stateful_set_utils.go getPodName); a Deployment's
    ReplicaSet is ``<deployment>-<pod-template-hash>`` (deployment/sync.go getNewReplicaSet).
    """
    from model.objects import kind_of

    kind = kind_of(obj)
    if kind == "Pod":
        if obj.generate_name:
            return ("ReplicaSet", "ReplicationController", "DaemonSet"), obj.generate_name
        base, _, ordinal = obj.name.rpartition("-")
        return (("StatefulSet",), base) if base and ordinal.isdigit() else None
    if kind == "ReplicaSet":
        h = obj.labels.get("pod-template-hash")
        if h and obj.name.endswith("-" + h):
            return ("Deployment",), obj.name[: -len(h) - 1]
    return None


def _made_by(creator: tuple[tuple[str, ...], str], kind: str, name: str) -> bool:
    kinds, who = creator
    if kind not in kinds:
        return False
    if kind in ("ReplicaSet", "ReplicationController", "DaemonSet"):  # who is a generateName prefix
        prefix = f"{name}-"
        return who == (prefix if len(prefix) <= 253 else name)
    return who == name


@rule(
    "KC-OWN-005",
    "A pod or ReplicaSet is only ever controlled by the controller that created it",
    kind="action",
    category="ownership",
    local=True,
    severity="warning",
    upstream="pkg/controller/controller_ref_manager.go ClaimObject (adoption of orphans); "
    "pkg/controller/garbagecollector orphanDependents (propagationPolicy: Orphan)",
    counts=(
        "Judges every step: when a pod or ReplicaSet gains a controller ownerReference it did not have before "
        "(adoption, directly or after an orphaning delete released it), the new controller must be the one that "
        "created the object, as read from the name it gave it (a ReplicaSet/RC/DaemonSet pod's generateName "
        "<owner>-, a StatefulSet pod <set>-<ordinal>, a Deployment's ReplicaSet <deployment>-<hash>). A "
        "controller re-created under the same kind and name counts as the creator (re-applying a workload after "
        "kubectl delete --cascade=orphan is the documented way to keep its pods). Objects no controller named "
        "(written by a user) are not judged. Upstream allows this adoption; it is a warning because users rarely "
        "intend their pods to move to another workload."
    ),
    remediation="Give every workload a selector no other workload's pods match (add a distinguishing label such as app.kubernetes.io/instance to both selector and template); after kubectl delete --cascade=orphan, re-create the same workload or delete the orphans.",
)
def creator_keeps_control(c: ClusterState, action: Any, n: ClusterState) -> bool:
    for table in ("pods", "replica_sets"):
        if getattr(c, table) is getattr(n, table):
            continue  # the step did not touch this table
        before = {o.uid: o for o in getattr(c, table).values()}
        for o in getattr(n, table).values():
            ref = o.controller_ref()
            if ref is None or o.deletion_timestamp is not None:
                continue
            old = before.get(o.uid)
            had = None if old is None else old.controller_ref()
            if had is not None and had.uid == ref.uid:
                continue
            creator = _creator(o)
            if creator is not None and not _made_by(creator, ref.kind, ref.name):
                return False
    return True


@rule(
    "KC-CONV-004",
    "Eventually always, every pod a ReplicaSet or ReplicationController controls runs its current template",
    kind="eventually_always",
    applies_to=("ReplicaSet", "ReplicationController"),
    category="convergence",
    local=True,
    default=False,
    severity="warning",
    upstream="pkg/controller/replicaset/replica_set.go manageReplicas (counts pods, never compares them with the "
    "template); docs: ReplicationController 'rolling updates' need a new controller",
    counts=(
        "For a ReplicaSet or ReplicationController that is not being deleted: every active pod it controls has "
        "the containers (names and images) of its current spec.template. A template edit of a bare ReplicaSet or "
        "RC is NOT rolled out by upstream: the existing pods keep the old template until they are deleted, so "
        "this rule fails after kubectl set image on one (which is how users learn it); a Deployment's "
        "ReplicaSets never change their template and hold. Opt-in: name it with -p KC-CONV-004."
    ),
    remediation="Manage the pods with a Deployment (it creates a new ReplicaSet per template and rolls), or delete the old pods after editing a bare ReplicaSet/RC template so they are re-created from it.",
)
def pods_run_current_template(c: ClusterState, target: Target) -> bool:
    obj = find(c, target[0], target[1:])
    if obj is None or obj.deletion_timestamp is not None:
        return True
    want = tuple((k.name, k.image) for k in obj.template.containers)
    return all(
        tuple((k.name, k.image) for k in p.spec_containers) == want
        for p in controlled_pods(c, obj)
        if is_active(p)
    )


SCALE_RACE_FIX = (
    "This counterexample contains a kubectl scale of a Deployment: upstream's scaling (sync.go scale, proportional "
    "during a rollout) promises no availability, and the ReplicaSet controller may still be deleting pods for the "
    "replica count set before the scale; a larger maxUnavailable only lowers the floor this rule checks. If the scale "
    "is the cause (read the steps), do not scale a Deployment during a rollout or before it has settled after a scale "
    "(kubectl rollout status), or let a HorizontalPodAutoscaler scale it: its scale-down stabilization window "
    "(5 minutes by default) keeps it from flapping."
)


def scale_race_fix(steps: tuple[FixStep, ...]) -> str:
    """When the counterexample contains a kubectl scale of the Deployment before the violating step, the
    finding's fix says so instead: upstream's scaling promises no availability (the ReplicaSet controller may
    still be deleting pods for the replica count set before the scale), and a larger maxUnavailable only lowers
    the floor; if the scale is the cause, do not scale during a rollout or before the Deployment has settled, or
    let an HPA (with its scale-down stabilization window) do the scaling."""
    return SCALE_RACE_FIX if any(s.actor == "user" and s.label == "user_scale_deployment" for s in steps[:-1]) else ""


@rule(
    "KC-ROLL-001",
    "No workload-controller step takes a Deployment's available pods below replicas - maxUnavailable",
    kind="action",
    location="spec.strategy.rollingUpdate.maxUnavailable",
    after_convergence="maxUnavailable bounds an update of a running Deployment (upstream: 'during the update'); "
    "before the first convergence there is no available capacity to keep",
    applies_to=("Deployment",),
    category="rollout",
    local=True,
    upstream="pkg/controller/deployment/rolling.go reconcileOldReplicaSets, cleanupUnhealthyReplicas, "
    "scaleDownOldReplicaSetsForRollingUpdate; deployment_util.go MaxUnavailable",
    counts=(
        "Counts the active pods (no deletionTimestamp) of every ReplicaSet the Deployment controls that are "
        "available (Ready for minReadySeconds). A step by a Deployment, ReplicaSet or ReplicationController "
        "controller that lowers this count to below spec.replicas - maxUnavailable (resolved as MaxUnavailable) "
        "violates it. Steps by kubelets, faults and users are not judged (involuntary disruption), but a "
        "controller step that follows one is: if a new pod fails after the Deployment decided to scale an old "
        "ReplicaSet down, the old ReplicaSet's deletion still violates it (a real upstream race). "
        "Only RollingUpdate Deployments; Recreate scales to zero by design."
    ),
    remediation='Lower maxUnavailable, or raise maxSurge so the new pods come up before old ones go; set minReadySeconds and a readiness probe so availability is real.',
    trace_fix=scale_race_fix,
)
def rollout_keeps_min_available(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    return _controller_step_respects(
        c, action, n, target, _available_count, lambda d: d.replicas - rolling_bounds(d)[1], floor=True
    )


def _spec_sum(c: ClusterState, d: Deployment) -> int:
    return sum(rs.replicas for rs in owned_replica_sets(c, d) if rs.deletion_timestamp is None)


@rule(
    "KC-ROLL-002",
    "No workload-controller step raises the sum of a Deployment's ReplicaSet spec.replicas above replicas + maxSurge",
    kind="action",
    location="spec.strategy.rollingUpdate.maxSurge",
    applies_to=("Deployment",),
    category="rollout",
    local=True,
    upstream="pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas, MaxSurge; rolling.go reconcileNewReplicaSet",
    counts=(
        "Sums spec.replicas over the ReplicaSets the Deployment controls that are not being deleted (live pods "
        "are not counted: see KC-ROLL-003). A controller step that raises the sum to above spec.replicas + "
        "maxSurge violates it; a user scaling the Deployment down is not judged."
    ),
    remediation='A controller exceeded maxSurge: check for a second Deployment or a hand-made ReplicaSet selecting the same pods, and give each workload a distinct selector.',
)
def rollout_within_surge(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    return _controller_step_respects(c, action, n, target, _spec_sum, _surge_ceiling, floor=False)


@rule(
    "KC-ROLL-003",
    "No workload-controller step raises a Deployment's live pods (terminating included) above replicas + maxSurge",
    kind="action",
    location="spec.strategy.rollingUpdate.maxSurge",
    applies_to=("Deployment",),
    category="rollout",
    local=True,
    default=False,
    upstream="stricter than upstream: deployment_util.go MaxSurge bounds spec.replicas, not live pods "
    "(terminating pods are not counted: kubernetes#95498, #99513, #107920 and the DeploymentReplicaSetTerminatingReplicas gate)",
    counts=(
        "Counts every pod object of the Deployment's ReplicaSets that is not Succeeded/Failed, terminating "
        "pods included. Upstream does NOT promise this; it shows the real peak of pods (and resource usage) "
        "during a rollout, and it is expected to fail on real upstream behaviour: live pods reach "
        "replicas + maxSurge + 1 while a scaled-down old pod is still terminating. Upstream does not count "
        "terminating pods against maxSurge (kubernetes#95498, #99513: a rollout starts new pods while old ones "
        "still shut down), so this is a warning, not an error. Opt-in: it is not run by "
        "default (it would fail every ordinary RollingUpdate Deployment); name it with -p KC-ROLL-003."
    ),
    severity="warning",
    remediation='Budget for replicas + maxSurge + 1 live pods during a rollout (terminating pods still use resources), or lower maxSurge; upstream only bounds spec.replicas.',
)
def rollout_live_pods_within_surge(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    return _controller_step_respects(c, action, n, target, _live_count, _surge_ceiling, floor=False)


#: The workloads whose Services KC-ROLL-004 judges (:func:`serves`); :func:`no_served_service` must read the same.
SERVING_KINDS: Final = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet")


def serves(c: ClusterState, svc: Any) -> bool:
    """Whether some workload meant to run pods for this Service has replicas >= 1."""
    if not svc.selector:
        return False
    for kind in SERVING_KINDS:
        for w in c.objects(kind, svc.namespace):
            if w.replicas >= 1 and w.deletion_timestamp is None and all(
                w.template.labels.get(k) == v for k, v in svc.selector.items()
            ):
                return True
    return False


def service_down(c: ClusterState, svc: Any) -> bool:
    """A Service some workload serves (``serves``) with no serving endpoint (``model.endpoints``:
    Ready and not terminating, or with publishNotReadyAddresses any pod with an IP, not terminal,
    not terminating): KC-ROLL-004's violation."""
    return serves(c, svc) and not any(app_serves(p) for p in serving_endpoints(c, svc))


def app_serves(pod: Any) -> bool:
    """Every running container's app answers (``ContainerStatus.serving``: False only for an image whose
    fact is ``serves-after: N``, until it serves).  An endpoint whose app does not answer yet is listed
    by the EndpointSlice as ready (no probe) but fails the requests it gets."""
    return all(cs.serving for cs in pod.container_statuses if cs.state == "running")


def down_service(c: ClusterState) -> tuple[str, str, str] | None:
    """KC-ROLL-004's subject: the first Service that is down in ``c`` (``service_down``), or None."""
    for svc in c.services.values():
        if service_down(c, svc):
            return ("Service", svc.namespace, svc.name)
    return None


def autoscaler_of(objects: Any, key: Any, min_one: bool = True) -> Any:
    """The HorizontalPodAutoscaler among ``objects`` whose scaleTargetRef names the workload ``key``
    (kind, namespace, name) and (``min_one``) whose minReplicas is 1, or None: that HPA, not the workload's
    spec.replicas, decides how few replicas run (upstream's replica calculator scales to minReplicas
    whenever the load allows, whatever spec.replicas the manifest sets)."""
    for k, o in objects.items():
        if k[0] == "HorizontalPodAutoscaler" and k[1] == key[1] and tuple(o.scale_target_ref[1:]) == (key[0], key[2]) and (
                o.min_replicas <= 1 or not min_one):
            return o
    return None


def serving_fix(objects: Any, keys: Any) -> str:
    """KC-ROLL-004's concrete fix: for each workload (``keys`` into ``objects``, the loaded objects by
    (kind, namespace, name)) behind the Service that lost its ready pods, the edit that keeps one.

    The replica advice goes to the workload's HorizontalPodAutoscaler (minReplicas) when one targets it, and
    a Deployment whose required pod anti-affinity on the hostname allows one of its pods per node is told
    maxSurge: 0 with maxUnavailable: 1, not a surge pod that no node may take (``placement_fix``)."""
    out = []
    for key in keys:
        o = _at_least_hpa_min(objects, key, objects.get(key))
        if o is None or key[0] not in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DaemonSet"):
            continue
        who = f"{key[0]} {key[1]}/{key[2]}"
        more = _more_replicas(objects, key)
        spread = key[0] == "Deployment" and (_one_pod_per_node(o, across_revisions=True) or bool(_host_port_numbers(o)))
        keep_one = "maxSurge: 0 with maxUnavailable: 1" if spread else "maxUnavailable: 0 with maxSurge: 1"
        if key[0] == "Deployment" and o.strategy.type == "RollingUpdate":
            surge, unavail = rolling_bounds(o)
            if o.replicas >= 2 and unavail == 0:
                continue  # the rollout parameters keep every pod: nothing to change there (faults or placement took them)
            if o.replicas >= 2:
                out.append(f"{who}: set maxUnavailable below {o.replicas} (now {unavail}), e.g. {keep_one}")
            elif surge >= 1 and unavail == 0:  # the rollout keeps a pod; a crash of the only one does not
                out.append(f"{who}: set {more} (its only pod is the Service's only endpoint when it fails)")
            else:
                out.append(f"{who}: set maxSurge: 1, maxUnavailable: 0 (now {surge} and {unavail}), or {more}")
        elif key[0] == "Deployment":
            if o.replicas >= 2 and spread:
                out.append(f"{who}: set strategy.type: RollingUpdate with maxSurge: 0, maxUnavailable: 1 (Recreate stops every pod first; "
                           "its required podAntiAffinity on kubernetes.io/hostname leaves a surge pod no node while every node holds one)")
            else:
                out.append(f"{who}: set strategy.type: RollingUpdate with maxSurge: 1, maxUnavailable: 0 (Recreate stops every pod first)")
        elif key[0] == "DaemonSet":
            out.append(f"{who}: set updateStrategy.rollingUpdate maxSurge: 1, maxUnavailable: 0 (a new pod is Ready on a node before the old one goes)")
        elif o.replicas <= 1:
            out.append(f"{who}: set {more} (with one replica its pod is the only endpoint while it is replaced)")
    return "; ".join(out)


def _more_replicas(objects: Any, key: tuple[str, str, str]) -> str:
    """``replicas >= 2``, or the same on the HorizontalPodAutoscaler that sets the workload's replicas."""
    hpa = autoscaler_of(objects, key)
    return "replicas >= 2" if hpa is None else f"minReplicas >= 2 on HorizontalPodAutoscaler {key[1]}/{hpa.name} (now 1; it sets the replicas)"


#: the workload kinds with a spec.replicas (an HPA may scale them; one replica means one endpoint)
_REPLICATED: Final = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def _at_least_hpa_min(objects: Any, key: tuple[str, str, str], o: Any) -> Any:
    """``o`` with the replicas a HorizontalPodAutoscaler targeting it keeps at least (its minReplicas, when above
    ``o``'s spec.replicas: upstream's reconcileAutoscaler raises them before it reads any metric)."""
    if o is None or key[0] not in _REPLICATED:
        return o
    hpa = autoscaler_of(objects, key, min_one=False)
    return evolve(o, replicas=hpa.min_replicas) if hpa is not None and hpa.min_replicas > o.replicas else o


def serving_fault_fix(objects: Any, keys: Any) -> str:
    """KC-ROLL-004's fix for a counterexample with a fault step or a drain's eviction (the only pod crashed, its node
    was lost, it was evicted): a workload of one replica gets the replica advice only (a strategy change does nothing
    against that; a Recreate or maxSurge 0 Deployment's rollout advice is :func:`serving_fix`'s, for a rollout's
    trace); any other workload gets :func:`serving_fix`'s advice."""
    out = []
    for key in keys:
        o = _at_least_hpa_min(objects, key, objects.get(key))
        if o is not None and key[0] in _REPLICATED and o.replicas <= 1:
            out.append(f"{key[0]} {key[1]}/{key[2]}: set {_more_replicas(objects, key)} (its only pod is the Service's only "
                       "endpoint when it fails)")
        else:
            out.append(serving_fix(objects, [key]))
    return "; ".join(x for x in out if x)


#: User actions that never create a Service or a workload, nor change a workload's pod template other than its
#: images (model.environment; ``kubectl run`` creates a bare pod, which the vacuity functions look at): what a rule's
#: vacuity (``Rule.vacuous``) may take as given.
_INERT_ACTIONS: Final = frozenset({
    "ScaleWorkload", "SetImage", "PauseDeployment", "ResumeDeployment", "DeleteObject", "RelabelPods", "CordonNode",
    "UncordonNode", "DrainNode", "DeleteNode", "DeleteFailedNode", "SetLoad", "CreatePod",
})


def _inert(actions: tuple[Any, ...]) -> bool:
    return all(type(a).__name__ in _INERT_ACTIONS for a in actions)


def no_served_service(c: ClusterState, actions: tuple[Any, ...]) -> str:
    """KC-ROLL-004 holds in every state when no Service may select the pods of a workload the rule counts (``serves``:
    a Deployment, ReplicaSet, ReplicationController or StatefulSet, any replicas) and the user actions create or
    re-template none (``_INERT_ACTIONS``; a bare pod a user creates is no workload).  A ReplicaSet a Deployment will
    create carries the Deployment's template plus ``pod-template-hash`` (model.decompose.may_select)."""
    from model.decompose import may_select
    from model.labels import selector_from_set

    if not _inert(actions):
        return ""
    for svc in c.services.values():
        if not svc.selector:
            continue
        sel = selector_from_set(svc.selector)
        for kind in SERVING_KINDS:
            for w in c.objects(kind, svc.namespace):
                if may_select(sel, w.template.labels, (kind, w.namespace, w.name)):
                    return ""
    return "no Service selects the pods of a Deployment, ReplicaSet, ReplicationController or StatefulSet"


@rule(
    "KC-ROLL-004",
    "Zero downtime: every Service whose workloads want replicas selects at least one ready pod",
    kind="invariant",
    location="spec.selector",
    after_convergence="zero downtime presupposes a Service that already served: before the first convergence no pod is ready yet",
    subject=down_service,
    fix=serving_fix,
    fault_fix=serving_fault_fix,
    vacuous=no_served_service,
    category="rollout",
    local=True,
    upstream="pkg/controller/endpointslice (a pod is a ready endpoint iff Ready and not terminating, or any pod with an IP when publishNotReadyAddresses)",
    counts=(
        "For every Service with a selector that matches the pod template of a workload with spec.replicas >= 1, "
        "counts the pods that match the selector, are Ready and have no deletionTimestamp (the pods an "
        "EndpointSlice lists as ready; with spec.publishNotReadyAddresses: true, every such pod that has an IP "
        "and is not Succeeded/Failed, Ready or not), and whose app serves: a container of an image declared "
        "`serves-after: N` is not serving until N seconds after it starts, although without a readiness probe it is "
        "Ready, and listed, at once. At least one is required in every state, faults included; this is the "
        "user's promise, stronger than upstream's maxUnavailable (a 1-replica Deployment with maxUnavailable 1 "
        "violates it while satisfying KC-ROLL-001)."
    ),
    remediation='Keep a ready pod behind the Service during updates and failures: set maxSurge: 1, maxUnavailable: 0, or replicas >= 2 (and a PodDisruptionBudget); a Recreate Deployment always has a gap.',
)
def zero_downtime(c: ClusterState) -> bool:
    return not any(service_down(c, svc) for svc in c.services.values())


def no_recreate_deployment(c: ClusterState, actions: tuple[Any, ...]) -> str:
    """KC-ROLL-005 holds in every state when no Deployment has strategy Recreate (the rule judges no other) and the
    user actions create none and change no strategy (``_INERT_ACTIONS``)."""
    if not _inert(actions) or any(d.strategy.type == "Recreate" for d in c.objects("Deployment")):
        return ""
    return "no Deployment has strategy Recreate (the rule judges no other)"


def _recreate_versions_running(c: ClusterState, d: Deployment) -> int:
    """How many of the Deployment's ReplicaSets have a pod with a running container (terminating
    pods included: their containers run until the kubelet kills them)."""
    n = 0
    for rs in owned_replica_sets(c, d):
        if any(
            p.phase not in ("Succeeded", "Failed") and any(cs.state == "running" for cs in p.container_statuses)
            for p in controlled_pods(c, rs)
        ):
            n += 1
    return n


@rule(
    "KC-ROLL-005",
    "A Recreate Deployment never runs pods of two ReplicaSets (old and new versions) at the same time",
    kind="invariant",
    location="spec.strategy.type",
    applies_to=("Deployment",),
    vacuous=no_recreate_deployment,
    category="rollout",
    local=True,
    upstream="pkg/controller/deployment/recreate.go rolloutRecreate, oldPodsRunning (the new ReplicaSet is scaled up "
    "only once no old pod is Pending, Running or Unknown)",
    counts=(
        "For a Deployment with strategy Recreate: the number of ReplicaSets it controls that have a pod (not "
        "Succeeded/Failed, terminating included) with a running container. More than one is an overlap of two "
        "versions, which is exactly what Recreate exists to prevent (a schema migration, a single-writer lock, a "
        "licence per process). Upstream waits for oldPodsRunning to be false, and that counts terminating pods, "
        "so the old pods' containers have stopped before the new ReplicaSet is scaled up. RollingUpdate "
        "Deployments are not judged."
    ),
    remediation="No manifest change fixes this: it is the Deployment controller's Recreate logic; report it with the trace. "
    "(If your application cannot tolerate two versions, Recreate is the right strategy; keep it.)",
)
def recreate_no_overlap(c: ClusterState, target: Target) -> bool:
    d = find(c, "Deployment", target[1:])
    if d is None or d.strategy.type != "Recreate":
        return True
    return _recreate_versions_running(c, d) <= 1


#: deployment_util.go RevisionAnnotation
_REVISION = "deployment.kubernetes.io/revision"


def _rs_revision(rs: ReplicaSet) -> int | None:
    text = rs.annotations.get(_REVISION, "")
    return int(text) if text.isdigit() else None


def rollback_target(c: ClusterState, d: Deployment, to_revision: int) -> ReplicaSet | None:
    """The ReplicaSet ``kubectl rollout undo [--to-revision=N]`` restores, restated independently of the
    model (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go deploymentRevision): among the
    ReplicaSets the Deployment controls, the one with revision ``to_revision``, or for 0 the highest
    revision below the latest (the previous one); None when there is none."""
    revs: dict[int, ReplicaSet] = {}
    for rs in owned_replica_sets(c, d):
        v = _rs_revision(rs)
        if v is not None:
            revs.setdefault(v, rs)
    if to_revision:
        return revs.get(to_revision)
    ordered = sorted(revs)
    return revs[ordered[-2]] if len(ordered) >= 2 else None


def no_rollback(c: ClusterState, actions: tuple[Any, ...]) -> str:
    """KC-ROLL-006 holds in every state when no step can be a kubectl rollout undo (the only steps it judges,
    ``user_rollback_deployment``): every user action is one of ``_INERT_ACTIONS`` (a rollback, bare or in a
    scenario file's ``rollback:``, is not)."""
    if not _inert(actions):
        return ""
    return "it judges only kubectl rollout undo steps"


@rule(
    "KC-ROLL-006",
    "kubectl rollout undo restores the chosen revision's pod template",
    kind="action",
    location="spec.template",
    applies_to=("Deployment",),
    vacuous=no_rollback,
    category="rollout",
    local=True,
    upstream="staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go DeploymentRollbacker.Rollback, "
    "deploymentRevision; pkg/controller/deployment/util/deployment_util.go SetFromReplicaSetTemplate, EqualIgnoreHash",
    counts=(
        "Judges every kubectl rollout undo step of the scenario (rollback, or a scenario file's rollback action) "
        "on the Deployment: the revision is --to-revision, or 0 for the previous one (the highest revision "
        "below the latest, among the ReplicaSets the Deployment controls, before the step). After the step the "
        "Deployment's pod template equals that ReplicaSet's template ignoring pod-template-hash (EqualIgnoreHash); "
        "a rollback to a template that already matches is kubectl's 'skipped rollback' and holds. A rollback "
        "with no such revision, or of a paused Deployment, must not happen (kubectl refuses it). Deployments "
        "whose name is shared by another namespace are not judged (the step names the Deployment by name)."
    ),
    remediation="No manifest change fixes this: it is kubectl's rollback; report it with the trace. Keep "
    "revisionHistoryLimit >= 1 so the previous revision exists to roll back to.",
)
def rollback_restores_revision(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    if getattr(action, "label", "") != "user_rollback_deployment":
        return True
    data = getattr(action, "data", None)
    detail = data[1] if isinstance(data, tuple) and len(data) == 2 else ""
    name, _, rev = str(detail).rpartition("@")
    d = find(c, "Deployment", target[1:])
    if d is None or name != d.name or not rev.lstrip("-").isdigit():
        return True
    if sum(1 for o in c.objects("Deployment") if o.name == d.name) > 1:
        return True
    after = find(n, "Deployment", target[1:])
    if after is None or after.uid != d.uid:
        return True
    chosen = rollback_target(c, d, int(rev))
    if chosen is None or d.paused:
        return False
    return template_matches(after.template, chosen.template)


def _available_pods(c: ClusterState, obj: Any) -> int:
    """Available pods of a ReplicaSet or ReplicationController: controlled, matching its selector,
    active, Ready for minReadySeconds."""
    sel = selector_of(obj)
    return sum(
        1
        for p in controlled_pods(c, obj)
        if sel.matches(p.labels) and is_active(p) and is_available(p, obj.min_ready_seconds)
    )


@rule(
    "KC-AVAIL-001",
    "After involuntary disruptions, a ReplicaSet or RC eventually always has spec.replicas available pods again",
    kind="eventually_always",
    location="spec.replicas",
    applies_to=("ReplicaSet", "ReplicationController"),
    category="availability",
    local=True,
    upstream="pkg/controller/replicaset/replica_set.go manageReplicas (replace what is not active); "
    "pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions (restart exited containers, restartPolicy "
    "Always); pkg/controller/nodelifecycle (evict the pods of a lost node); pkg/api/v1/pod/util.go IsPodAvailable",
    counts=(
        "Counts the pods the ReplicaSet (or ReplicationController) controls that match its selector, are active "
        "(no deletionTimestamp, not Succeeded/Failed) and available: Ready for minReadySeconds (IsPodAvailable). "
        "Under weak fairness of controllers, kubelets and the node-failure operator, once faults (crashes, sandbox "
        "death, node failure, force delete) and user actions stop, the count must reach spec.replicas and stay "
        "there. KC-ROLL-001 is the Deployment controller's promise about its own steps and KC-CONV-001 counts "
        "active pods, Ready or not; this rule is the recovery promise after disruptions nobody chose: a crashed "
        "container is restarted, a pod of a lost node is replaced where there is room, and each replacement "
        "becomes Ready. Only ReplicaSets and RCs that no other object controls: a Deployment's ReplicaSets are "
        "judged through the Deployment by KC-CONV-002, and StatefulSets by KC-CONV-003, which already demand "
        "every replica Ready. A workload being deleted is exempt."
    ),
    remediation="Leave room to recover: node capacity (and nodeSelector/affinity/tolerations that allow more than one "
    "node) for every replica when one node is lost, a readiness probe that can pass, and restartPolicy Always.",
)
def availability_recovers(c: ClusterState, target: Target) -> bool:
    obj = find(c, target[0], target[1:])
    if obj is None or obj.deletion_timestamp is not None or obj.controller_ref() is not None:
        return True
    return _available_pods(c, obj) >= obj.replicas


def every_node_ready(c: ClusterState, target: Target | None = None) -> bool:
    """Every Node in the cluster reports Ready (a node that failed is back, or its Node object was deleted:
    kubectl delete node, the node-failure scenario's operator), and there is at least one."""
    return bool(c.nodes) and all(n.ready for n in c.nodes.values())


@rule(
    "KC-AVAIL-002",
    "After a lost node is back (every node Ready again), a ReplicaSet or RC eventually has spec.replicas available pods",
    kind="leads_to",
    trigger=every_node_ready,
    applies_to=("ReplicaSet", "ReplicationController"),
    category="availability",
    default=False,
    upstream="pkg/controller/nodelifecycle (taint and evict the pods of a NotReady node); pkg/controller/podgc "
    "(pods of a deleted Node); pkg/controller/replicaset/replica_set.go manageReplicas; pkg/api/v1/pod/util.go "
    "IsPodAvailable",
    counts=(
        "Leads-to (\"after P, eventually Q\"): from every reachable state in which every Node is Ready, every weakly "
        "fair run reaches a state (that one included) in which the ReplicaSet (or ReplicationController) has "
        "spec.replicas available pods, counted as KC-AVAIL-001 counts them (controlled, matching its selector, active, "
        "Ready for minReadySeconds). Unlike KC-AVAIL-001 (eventually always) it does not ask the count to stay "
        "there, and a run on which a node never comes back owes nothing once it is lost; a node that fails again "
        "after the trigger is a new disruption on the same run, and the goal must still be reached. Only "
        "ReplicaSets and RCs no other object controls; a workload being deleted is exempt. Opt-in (`-p KC-AVAIL-002`): "
        "meant for the node-failure scenario, where the operator deletes the lost Node object."
    ),
    trigger_counts="every Node in the cluster reports Ready (at least one Node): a failed node is back, or its Node "
    "object was deleted (kubectl delete node; the node-failure scenario's operator).",
    remediation="Leave node capacity (and nodeSelector/affinity/tolerations that allow the remaining nodes) for every "
    "replica once a node is gone, a readiness probe that can pass, and restartPolicy Always.",
)
def availability_after_node_returns(c: ClusterState, target: Target) -> bool:
    obj = find(c, target[0], target[1:])
    if obj is None or obj.deletion_timestamp is not None or obj.controller_ref() is not None:
        return True
    return _available_pods(c, obj) >= obj.replicas


# ------------------------------------------------------------------------------ StatefulSet identity


def _set_pods(c: ClusterState, target: Target) -> list[tuple[StatefulSet, Pod, int]]:
    """(set, pod, ordinal) for the pods the target StatefulSet controls that are named <set>-<ordinal>."""
    s = find(c, "StatefulSet", target[1:])
    if s is None:
        return []
    out = []
    for p in controlled_pods(c, s):
        i = _sts_ordinal(s, p)
        if i is not None:
            out.append((s, p, i))
    return out


@rule(
    "KC-STS-001",
    "A StatefulSet pod's hostname and subdomain are its name and the set's serviceName",
    kind="invariant",
    location="spec.serviceName",
    applies_to=("StatefulSet",),
    category="statefulset",
    local=True,
    upstream="pkg/controller/statefulset/stateful_set_utils.go identityMatches, updateIdentity",
    counts="Every pod the StatefulSet controls, named <set>-<ordinal>: hostname equals the pod name and "
    "subdomain equals spec.serviceName.",
    remediation='Set spec.serviceName to the headless Service that governs the StatefulSet, and do not override hostname or subdomain in the pod template.',
)
def stateful_identity_matches(c: ClusterState, target: Target) -> bool:
    return all(p.hostname == p.name and p.subdomain == s.service_name for s, p, _ in _set_pods(c, target))


@rule(
    "KC-STS-002",
    "A pod's name, hostname and subdomain never change",
    kind="action",
    category="statefulset",
    local=True,
    upstream="pkg/controller/statefulset/stateful_set_utils.go identityMatches (identity is fixed at creation)",
    counts="For every pod that exists (same UID) before and after a step: name, hostname and subdomain are "
    "equal. Checked cluster-wide, for every pod: the API makes these fields immutable for all pods, and a pod "
    "the StatefulSet releases (or that has no owner yet) must keep its identity too.",
    remediation="Do not change a pod's name, hostname or subdomain; recreate the pod instead.",
)
def pod_identity_stable(c: ClusterState, action: Any, n: ClusterState) -> bool:
    after = {p.uid: p for p in n.pods.values()}
    for p in c.pods.values():
        q = after.get(p.uid)
        if q is not None and (q.name, q.hostname, q.subdomain) != (p.name, p.hostname, p.subdomain):
            return False
    return True


@rule(
    "KC-STS-003",
    "The pod with ordinal i only ever mounts PVC <template>-<set>-<i>",
    kind="invariant",
    location="spec.volumeClaimTemplates",
    applies_to=("StatefulSet",),
    category="statefulset",
    local=True,
    upstream="pkg/controller/statefulset/stateful_set_utils.go storageMatches, getPersistentVolumeClaimName",
    counts="For every pod the StatefulSet controls and every volumeClaimTemplate t: the pod's volume named t "
    "exists and its claimName is <t>-<set>-<ordinal>; no volume of the pod claims another ordinal's PVC.",
    remediation="Do not declare a pod-template volume with the same name as a volumeClaimTemplate, and do not mount another ordinal's claim; let the StatefulSet controller name the claims.",
)
def stateful_storage_matches(c: ClusterState, target: Target) -> bool:
    for s, p, i in _set_pods(c, target):
        vols = {v.name: v.claim_name for v in p.volumes}
        for t in s.volume_claim_templates:
            if vols.get(t.name) != f"{t.name}-{s.name}-{i}":
                return False
        prefixes = [f"{t.name}-{s.name}-" for t in s.volume_claim_templates]
        for v in p.volumes:
            for prefix in prefixes:
                if v.claim_name and v.claim_name.startswith(prefix) and v.claim_name != f"{prefix}{i}":
                    return False
    return True


def _running_instances(c: ClusterState, namespace: str, set_name: str) -> dict[str, int]:
    """Running instances per pod name <set_name>-<suffix> in ``namespace``: pod objects with a running
    container, plus containers still running on nodes for pod objects that are gone (node runtime records)."""
    count: dict[str, int] = {}

    def mine(ns: str, name: str) -> bool:
        return ns == namespace and name.rsplit("-", 1)[0] == set_name

    for p in c.pods.values():
        if mine(p.namespace, p.name) and any(cs.state == "running" for cs in p.container_statuses):
            count[p.name] = count.get(p.name, 0) + 1
    for node in c.nodes.values():
        # (namespace, name, uid) of a pod object that is gone but still runs there.  The record is
        # made only when the object is removed, so a pod object with that name now is another pod,
        # even when the API server has handed it the same (lowest free) UID: never skip it.
        for ns, name, _uid in node.orphaned_pods:
            if mine(ns, name):
                count[name] = count.get(name, 0) + 1
    return count


@rule(
    "KC-STS-004",
    "At most one pod per StatefulSet identity has running containers anywhere, even on a failed node",
    kind="invariant",
    applies_to=("StatefulSet",),
    category="statefulset",
    local=True,
    upstream="pkg/controller/statefulset/stateful_set_control.go (create only for an empty slot); "
    "docs: force-delete-stateful-set-pod",
    counts="Counts, per pod name <set>-<suffix> in the StatefulSet's namespace, the pod objects with a running "
    "container plus the containers that keep running on a node for a pod object that was force-deleted while "
    "the node was NotReady (Node.orphaned_pods, cleared when the node recovers). More than one is a split brain.",
    remediation='Never force-delete a StatefulSet pod whose node may still run it: fence the node (delete the Node object or power it off) first, then delete the pod.',
)
def at_most_one_pod_per_identity(c: ClusterState, target: Target) -> bool:
    if find(c, "StatefulSet", target[1:]) is None:
        return True
    return all(n <= 1 for n in _running_instances(c, target[1], target[2]).values())


@rule(
    "KC-STS-005",
    "OrderedReady: pod i is created only when 0..i-1 are Running and Ready; scale-down goes highest first",
    kind="action",
    location="spec.podManagementPolicy",
    applies_to=("StatefulSet",),
    category="statefulset",
    local=True,
    upstream="pkg/controller/statefulset/stateful_set_control.go updateStatefulSet (monotonic ordering)",
    counts=(
        "For an OrderedReady set. Creation: when a pod <set>-<i> appears, every ordinal from ordinals.start to "
        "i-1 has an active pod that is Running and Ready in the state before. Scale-down: when the controller "
        "deletes a condemned pod (ordinal outside the range), no pod with a higher ordinal of the set exists. "
        "With per-write steps the real controller can violate the creation clause: it decides on its view, and "
        "a predecessor deleted between that read and the create is not seen (a stale-view race)."
    ),
    remediation='Keep podManagementPolicy: OrderedReady with readiness probes that reflect readiness, or use Parallel if the application does not need ordered start-up.',
)
def ordered_ready(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    s = find(n, "StatefulSet", target[1:])
    if s is None or s.pod_management_policy != "OrderedReady":
        return True
    before = {i: p for p in controlled_pods(c, s) if (i := _sts_ordinal(s, p)) is not None}
    after = {i: p for p in controlled_pods(n, s) if (i := _sts_ordinal(s, p)) is not None}
    for i, p in after.items():
        old = before.get(i)
        if old is None or old.uid != p.uid:
            for j in range(s.ordinals_start, i):
                q = before.get(j)
                if q is None or not is_active(q) or q.phase != "Running" or not q.conditions.ready:
                    return False
    if is_workload_controller_action(action):
        end = s.ordinals_start + s.replicas
        for i, p in before.items():
            if i < end:
                continue
            q = after.get(i)
            deleted = q is None or q.uid != p.uid or (p.deletion_timestamp is None and q.deletion_timestamp is not None)
            if deleted and p.deletion_timestamp is None and any(j > i for j in before):
                return False
    return True


@rule(
    "KC-STS-006",
    "Pods below a StatefulSet's partition never run its update revision, re-created ones included",
    kind="invariant",
    applies_to=("StatefulSet",),
    category="statefulset",
    local=True,
    upstream="pkg/controller/statefulset/stateful_set_utils.go newVersionedStatefulSetPod (ordinal < partition: "
    "currentRevision); stateful_set_control.go updateStatefulSet (updates stop at the partition)",
    counts=(
        "For a RollingUpdate StatefulSet whose status.updateRevision differs from status.currentRevision (a "
        "rollout under way): every active pod it controls with ordinal below spec.updateStrategy.rollingUpdate."
        "partition is not labelled controller-revision-hash = updateRevision. A pod below the partition that is "
        "deleted (by a user, an eviction, a node failure) must come back on the current revision. Stated on the "
        "update revision rather than on each pod's own history: a pod that was updated before the partition was "
        "raised above it is reported too (it runs the new version although the partition says it should not)."
    ),
    remediation="Raise the partition before the rollout starts (not while it runs), and lower it step by step to roll; to move a pod below the partition back, delete it once the partition is in place.",
)
def partition_pins_revision(c: ClusterState, target: Target) -> bool:
    s = find(c, "StatefulSet", target[1:])
    if s is None or s.update_strategy.type != "RollingUpdate":
        return True
    cur, upd = s.status.current_revision, s.status.update_revision
    if not upd or cur == upd:
        return True
    for p in controlled_pods(c, s):
        i = _sts_ordinal(s, p)
        if i is not None and i < s.update_strategy.partition and is_active(p) and p.labels.get("controller-revision-hash") == upd:
            return False
    return True


@rule(
    "KC-STS-007",
    "A StatefulSet ordinal keeps the same PVC object (UID) across scale-down and scale-up while the set lives",
    kind="action",
    applies_to=("StatefulSet",),
    category="statefulset",
    local=True,
    default=False,
    severity="warning",
    upstream="pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaimRetentionPolicy, "
    "claimOwnerMatchesSetAndPod, updateClaimOwnerRefForSetAndPod; stateful_set_control.go (claims are created "
    "only when missing: createPersistentVolumeClaims)",
    counts=(
        "For a StatefulSet that exists and is not being deleted, and every volumeClaimTemplate t: a claim "
        "<t>-<set>-<i> (i a number) in the state before a step is still there after it with the same UID. A claim "
        "that disappears, or comes back as a new object under the same name (a new UID: a new, empty volume), "
        "is reported at the step that removes or replaces it. Claims are compared by UID, not by name: KC-STS-003 "
        "checks names only, so a claim deleted and re-created under the same name passes it. With "
        "persistentVolumeClaimRetentionPolicy.whenScaled: Retain (the default) the controller never deletes a "
        "claim, so an ordinal scaled down and up again gets its claim back; with whenScaled: Delete the claim of a "
        "condemned ordinal is owned by its pod and the garbage collector deletes it with the pod (the data is gone "
        "when the ordinal returns), which this rule reports: a warning, as upstream does what the policy says. "
        "A claim deleted by hand is reported too. A set being deleted is exempt (whenDeleted decides)."
    ),
    remediation="Keep persistentVolumeClaimRetentionPolicy.whenScaled: Retain when an ordinal's data must survive a scale-down, and never delete a StatefulSet's claims by hand while the set uses them.",
)
def claim_identity_kept(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    s = find(n, "StatefulSet", target[1:])
    if s is None or s.deletion_timestamp is not None:
        return True
    prefixes = [f"{t.name}-{s.name}-" for t in s.volume_claim_templates]
    if not prefixes:
        return True
    for claim in c.objects("PersistentVolumeClaim", s.namespace):
        for prefix in prefixes:
            if claim.name.startswith(prefix) and claim.name[len(prefix):].isdigit():
                after = n.get("PersistentVolumeClaim", s.namespace, claim.name)
                if after is None or after.uid != claim.uid:
                    return False
    return True


# ---------------------------------------------------------------------------------------- sandbox


@rule(
    "KC-SBX-001",
    "Every running container runs in its pod's current sandbox (one network namespace and IP per pod)",
    kind="invariant",
    category="sandbox",
    local=True,
    upstream="pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions, SyncPod",
    counts="For every pod and every container status in state running: the pod has a sandbox and the "
    "container's sandbox id is that sandbox's id (so it shares its network namespace and IP).",
    remediation="No manifest change fixes this: it is the kubelet's sandbox handling; report it with the trace.",
)
def containers_share_sandbox(c: ClusterState) -> bool:
    for p in c.pods.values():
        for cs in p.container_statuses:
            if cs.state == "running" and (p.sandbox is None or cs.sandbox_id != p.sandbox.id):
                return False
    return True


@rule(
    "KC-SBX-002",
    "Pod IPs are unique among live pods",
    kind="invariant",
    category="sandbox",
    local=True,
    upstream="CNI IPAM via pkg/kubelet/kuberuntime/kuberuntime_sandbox.go createPodSandbox",
    counts="Among pod objects with a sandbox (terminating included, until the object is gone), no two "
    "share an IP.",
    remediation='No manifest change fixes this: it is pod IP allocation (CNI IPAM); report it with the trace.',
    reads=[("Pod", "sandbox")],
)
def pod_ips_unique(c: ClusterState) -> bool:
    ips = [p.sandbox.ip for p in c.pods.values() if p.sandbox is not None]
    return len(ips) == len(set(ips))


@rule(
    "KC-SBX-003",
    "A new sandbox means every container restarted",
    kind="action",
    category="sandbox",
    local=True,
    upstream="pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions (podSandboxChanged: kill the "
    "pod, create a sandbox, start every container)",
    counts="For every pod (same UID) whose sandbox id changes in a step: in the new state no container runs "
    "in the old sandbox, and every container that was running before is either not running or has a "
    "higher restart count.",
    remediation="No manifest change fixes this: it is the kubelet's restart logic; report it with the trace.",
)
def new_sandbox_restarts_all(c: ClusterState, action: Any, n: ClusterState) -> bool:
    after = {p.uid: p for p in n.pods.values()}
    for p in c.pods.values():
        q = after.get(p.uid)
        if q is None or p.sandbox is None or q.sandbox is None or p.sandbox.id == q.sandbox.id:
            continue
        old_id = p.sandbox.id
        new_status = {cs.name: cs for cs in q.container_statuses}
        for cs in p.container_statuses:
            ns = new_status.get(cs.name)
            if ns is None:
                continue
            if ns.state == "running" and ns.sandbox_id == old_id:
                return False
            if cs.state == "running" and ns.state == "running" and ns.restart_count <= cs.restart_count:
                return False
    return True


# ------------------------------------------------------------------ scheduling and node lifecycle


def _tolerates(pod: Pod, key: str, effect: str) -> bool:
    """Whether ``pod`` tolerates the valueless taint ``key:effect`` (toleration.go ToleratesTaint,
    restated independently of the model's scheduler)."""
    for t in pod.tolerations:
        if t.effect and t.effect != effect:
            continue
        if t.key and t.key != key:
            continue
        if t.operator == "Exists" or (t.operator in ("Equal", "") and t.value == ""):
            return True
    return False


@rule(
    "KC-SCHED-001",
    "The scheduler binds pods only to Ready, schedulable nodes (unless the pod tolerates the node's taint)",
    kind="action",
    category="platform",
    local=True,
    upstream="pkg/controller/nodelifecycle (the node.kubernetes.io/not-ready and unreachable NoSchedule taints); "
    "pkg/scheduler/framework/plugins/tainttoleration, nodeunschedulable (Filter)",
    counts=(
        "Judges every step in which a pod (same UID) goes from no spec.nodeName to a node: in the state before, "
        "the node exists, is Ready (else the pod tolerates node.kubernetes.io/not-ready or "
        "node.kubernetes.io/unreachable with effect NoSchedule) and is not cordoned (else the pod tolerates "
        "node.kubernetes.io/unschedulable:NoSchedule). Pods created with spec.nodeName already set are not "
        "judged (they bypass the scheduler)."
    ),
    remediation="No manifest change fixes this: it is the scheduler's filtering; report it with the trace. Do not give "
    "pods a blanket toleration (operator: Exists without a key) unless they must run on failing nodes.",
)
def scheduled_to_ready_nodes(c: ClusterState, action: Any, n: ClusterState) -> bool:
    for key, q in n.pods.items():
        if q.node_name is None:
            continue
        p = c.pods.get(key)
        if p is None or p.uid != q.uid or p.node_name is not None:
            continue
        node = c.get("Node", "", q.node_name)
        if node is None:
            return False
        if not node.ready and not (
            _tolerates(q, "node.kubernetes.io/not-ready", "NoSchedule")
            or _tolerates(q, "node.kubernetes.io/unreachable", "NoSchedule")
        ):
            return False
        if node.unschedulable and not _tolerates(q, "node.kubernetes.io/unschedulable", "NoSchedule"):
            return False
    return True


def no_readiness_probe(c: ClusterState, actions: tuple[Any, ...]) -> str:
    """KC-PROBE-001 holds in every state when no container of a pod or a pod template has a readiness probe and
    the user actions add none (``_INERT_ACTIONS``; a pod a user creates is looked at too)."""
    if not _inert(actions):
        return ""
    pods = [*c.pods.values(), *(a.pod for a in actions if type(a).__name__ == "CreatePod")]
    templates = [w.template for kind in ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet")
                 for w in c.objects(kind)]
    if any(ct.readiness_probe for p in pods for ct in p.spec_containers) or \
            any(ct.readiness_probe for t in templates for ct in (*t.containers, *t.init_containers)):
        return ""
    return "no container has a readiness probe"


@rule(
    "KC-PROBE-001",
    "A container with a readiness probe becomes ready only after the probe passed on the running container",
    kind="action",
    category="platform",
    local=True,
    upstream="pkg/kubelet/prober/prober_manager.go (a new container starts not ready: the readiness result is "
    "initially Failure); pkg/kubelet/status/status_manager.go SetContainerReadiness; kubelet_pods.go generateAPIPodStatus",
    counts=(
        "Judges every step: for each pod (same UID before and after) and each container whose spec has a readiness "
        "probe, a container status that is running and ready after the step must have been running before it in "
        "the same instance (same sandbox, same restart count): a container that was started, restarted or moved to "
        "a new sandbox in this step has not been probed yet, so it cannot be ready. Pods that appear in the step "
        "are judged as well (nothing ran before)."
    ),
    remediation="No manifest change fixes this: it is the kubelet's readiness handling; report it with the trace.",
    vacuous=no_readiness_probe,
)
def ready_only_after_probe(c: ClusterState, action: Any, n: ClusterState) -> bool:
    before = {p.uid: p for p in c.pods.values()}
    for q in n.pods.values():
        probed = {ct.name for ct in q.spec_containers if ct.readiness_probe}
        if not probed:
            continue
        p = before.get(q.uid)
        old = {} if p is None else {cs.name: cs for cs in p.container_statuses}
        for cs in q.container_statuses:
            if cs.name not in probed or cs.state != "running" or not cs.ready:
                continue
            prev = old.get(cs.name)
            if prev is None or prev.state != "running" or prev.sandbox_id != cs.sandbox_id or prev.restart_count != cs.restart_count:
                return False
    return True


def _removed_or_deleted(p: Pod, n: ClusterState) -> bool:
    q = n.pods.get((p.namespace, p.name))
    return q is None or q.uid != p.uid or (p.deletion_timestamp is None and q.deletion_timestamp is not None)


@rule(
    "KC-NODE-002",
    "Pods of a NotReady node are marked NotReady before the node lifecycle controller evicts them",
    kind="action",
    category="platform",
    local=True,
    upstream="pkg/controller/nodelifecycle/node_lifecycle_controller.go monitorNodeHealth -> "
    "pkg/controller/util/node/controller_utils.go MarkPodsNotReady; pkg/controller/tainteviction/taint_eviction.go",
    counts=(
        "Judges every step of the node lifecycle controller: a pod bound to a node that is not Ready, and that the "
        "step deletes (sets its deletionTimestamp or removes it), must already have had Ready=False in the state "
        "before. Upstream marks every pod of a node that stops reporting NotReady on the first monitorNodeHealth "
        "pass (so EndpointSlices drop them at once) and the taint eviction follows only after the 300 s "
        "not-ready/unreachable toleration; a pod still Ready when it is evicted has been served traffic by a dead "
        "node for the whole eviction timeout."
    ),
    remediation="No manifest change fixes this: it is the node lifecycle controller; report it with the trace.",
)
def pods_marked_not_ready_before_eviction(c: ClusterState, action: Any, n: ClusterState) -> bool:
    from properties._common import actor_family

    if actor_family(action) != "nodelifecycle":
        return True
    for p in c.pods.values():
        if p.node_name is None or not p.conditions.ready:
            continue
        node = c.get("Node", "", p.node_name)
        if node is None or node.ready:
            continue
        if _removed_or_deleted(p, n):
            return False
    return True


#: Actors that may remove a bound pod's object outright: its kubelet (the confirmation after the grace
#: period), a force delete (a fault or a user's --grace-period=0 --force), and PodGC (pods of a deleted Node).
_CONFIRMING_ACTORS = ("kubelet", "fault", "user", "operator", "podgc")


@rule(
    "KC-NODE-003",
    "The control plane deletes a bound pod gracefully: its object stays until the kubelet confirms",
    kind="action",
    category="platform",
    local=True,
    upstream="pkg/registry/core/pod/strategy.go CheckGracefulDelete (the pod's terminationGracePeriodSeconds); "
    "pkg/controller/tainteviction/taint_eviction.go deletePodHandler; pkg/kubelet/status/status_manager.go "
    "(the kubelet's grace-0 delete once the containers stopped)",
    counts=(
        "Judges every step taken by a controller (workload controllers, node lifecycle, garbage collector, "
        "disruption): no pod bound to an existing node, not Succeeded/Failed, with terminationGracePeriodSeconds "
        "above 0, and not already confirmed (deletionTimestamp with grace period 0), may disappear from the API in "
        "the step. Upstream such a delete only sets deletionTimestamp; the object goes when the kubelet confirms "
        "the containers stopped, or by a force delete, or by PodGC once the Node object is gone. A pod removed at "
        "once on a NotReady node leaves its containers running unseen (a second copy once it is replaced). Steps "
        "of kubelets, users, the operator, faults and PodGC are not judged."
    ),
    remediation="No manifest change fixes this: it is a controller deleting without a grace period; report it with the "
    "trace. Keep terminationGracePeriodSeconds above 0 for pods that must shut down cleanly.",
)
def deletion_honours_grace(c: ClusterState, action: Any, n: ClusterState) -> bool:
    from properties._common import actor_family

    if actor_family(action) in _CONFIRMING_ACTORS or actor_family(action).startswith("drain"):
        return True
    for p in c.pods.values():
        if p.node_name is None or p.phase in ("Succeeded", "Failed") or p.termination_grace_period_seconds <= 0:
            continue
        if p.deletion_timestamp is not None and (p.deletion_grace_period_seconds or 0) == 0:
            continue
        if c.get("Node", "", p.node_name) is None:
            continue
        q = n.pods.get((p.namespace, p.name))
        if q is None or q.uid != p.uid:
            return False
    return True


# ------------------------------------------------------------------------------- garbage collection


def dangling_dependents(c: ClusterState) -> tuple[Any, ...]:
    """Objects not being deleted with an owner reference (to a kind the model knows) whose owner is gone:
    no object of that kind, namespace and name, or one with another UID (garbagecollector.go isDangling,
    restated independently of the model)."""
    from model.objects import KINDS

    out = []
    for o in c.all_objects():
        if o.deletion_timestamp is not None:
            continue
        for ref in o.owner_references:
            if ref.kind not in KINDS:
                continue
            owner = c.get(ref.kind, "" if ref.kind == "Node" else o.namespace, ref.name)
            if owner is None or owner.uid != ref.uid:
                out.append(o)
                break
    return tuple(out)


@rule(
    "KC-GC-001",
    "The garbage collector eventually always deletes (or releases) the dependents of deleted owners",
    kind="eventually_always",
    category="gc",
    local=True,
    upstream="pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem, classifyReferences, isDangling",
    counts=(
        "Counts objects (not being deleted) with an ownerReference whose owner is gone: no object of the referenced "
        "kind, namespace and name, or one with another UID. Under weak fairness, once user actions and faults stop, "
        "there must eventually be none for ever: upstream deletes an object whose owners are all gone "
        "(background or foreground, as the owner's deletion asked) and removes the dangling references of an "
        "object that keeps a live owner. Orphaning (kubectl delete --cascade=orphan) removes the references "
        "before the owner goes, so it never leaves one. References to kinds the model does not know are not "
        "judged (upstream cannot resolve them either). The delete scenario exercises it."
    ),
    remediation="No manifest change fixes this: it is the garbage collector; report it with the trace. Objects you "
    "create by hand should not carry ownerReferences to objects that may not exist.",
)
def gc_deletes_dependents(c: ClusterState) -> bool:
    return not dangling_dependents(c)


# ------------------------------------------------------------------ disruption budgets and drain


def _pdb_floor(c: ClusterState, pdb: Any) -> tuple[int, int] | None:
    """``(real healthy count, desiredHealthy)`` of ``pdb`` computed afresh on ``c`` (not read from its
    status), restated independently of model.disruption (disruption.go getPodsForPdb,
    getExpectedPodCount, countHealthyPods); None when upstream's sync would fail (failSafe: no
    eviction is allowed then)."""
    from model.labels import label_selector_as_selector

    sel = label_selector_as_selector(pdb.selector)
    pods = [p for p in c.objects("Pod", pdb.namespace) if sel.matches(p.labels)]
    healthy = sum(1 for p in pods if p.deletion_timestamp is None and p.conditions.ready)
    spec = pdb.max_unavailable if pdb.max_unavailable is not None else pdb.min_available
    if spec is None:
        return healthy, 0
    if pdb.max_unavailable is None and isinstance(spec, int):
        return healthy, spec
    scales: dict[str, int] = {}
    for p in pods:
        ref = p.controller_ref()
        if ref is None:
            continue
        owner = c.by_uid(ref.uid)
        if owner is None or owner.name != ref.name or not hasattr(owner, "replicas"):
            return None
        top = owner.controller_ref() if ref.kind == "ReplicaSet" else None
        if top is not None and top.kind == "Deployment":
            owner = c.by_uid(top.uid)
            if owner is None:
                return None
        scales[owner.uid] = owner.replicas
    expected = sum(scales.values())
    if pdb.max_unavailable is not None:
        return healthy, max(expected - scaled_value(spec, expected, True), 0)
    return healthy, scaled_value(spec, expected, True)


@rule(
    "KC-PDB-001",
    "An eviction never takes a PodDisruptionBudget's healthy pods below its floor",
    kind="action",
    applies_to=("PodDisruptionBudget",),
    category="disruption",
    local=True,
    remediation="Upstream evictions check the status the disruption controller last wrote: keep spare capacity above "
    "the floor (replicas > minAvailable, or maxUnavailable >= 1) so that a pod lost to a rollout or a probe between "
    "two status writes cannot take the workload below it; do not drain while a rollout runs.",
    upstream="pkg/registry/core/pod/storage/eviction.go checkAndDecrement; pkg/controller/disruption/disruption.go getExpectedPodCount, countHealthyPods",
    counts=(
        "Judges every accepted eviction (a drain's drain_evict_pod step). The floor is desiredHealthy as the "
        "disruption controller would compute it on the state before the step (minAvailable, or the controllers' "
        "scale minus maxUnavailable, percentages rounded up); healthy pods are the pods the PDB selects that are "
        "Ready and not being deleted, counted on the real cluster, not read from the PDB's (possibly stale) "
        "status. If the count was at or above the floor before the eviction it must still be after it. The "
        "upstream guarantee is weaker: the API server checks the status the controller last wrote, so a pod "
        "that became unready or was deleted by a rollout since then is still counted (kubernetes#34776)."
    ),
)
def eviction_keeps_pdb_floor(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    if getattr(action, "label", "") != "drain_evict_pod":
        return True
    pdb = find(c, target[0], target[1:])
    if pdb is None:
        return True
    before = _pdb_floor(c, pdb)
    if before is None or before[0] < before[1]:
        return True
    after = _pdb_floor(n, pdb)
    return after is None or after[0] >= before[1]


#: The actors of the workload controllers (model.system CONTROLLERS): their pod deletions are voluntary
#: disruptions that upstream does not route through the eviction API.
_WORKLOAD_ACTORS: Final = ("deployment/", "replicaset/", "replication/", "statefulset/", "daemonset/")


@rule(
    "KC-PDB-002",
    "A workload controller's step never takes a PodDisruptionBudget's healthy pods below its floor (the budget as users read it)",
    kind="action",
    applies_to=("PodDisruptionBudget",),
    category="disruption",
    local=True,
    severity="warning",
    remediation="Upstream rollouts do not consult PodDisruptionBudgets (only the eviction API does): bound the rollout "
    "itself by the budget, e.g. a Deployment maxUnavailable <= replicas - minAvailable (maxUnavailable: 0 with "
    "maxSurge >= 1 never lowers the ready count), or a StatefulSet rollingUpdate.maxUnavailable within the budget.",
    upstream="pkg/controller/deployment/rolling.go reconcileOldReplicaSets and pkg/controller/replicaset/replica_set.go "
    "manageReplicas delete pods without the eviction API; kubernetes#34776 (a rollout ignores the PDB, by design)",
    counts=(
        "Judges every step of a workload controller (Deployment, ReplicaSet, ReplicationController, StatefulSet, "
        "DaemonSet): if the PDB's healthy pods (Ready, not being deleted, counted on the real cluster) were at or "
        "above its floor (desiredHealthy as the disruption controller computes it) before the step, they still are "
        "after it. Evictions are KC-PDB-001's; crashes, node failures and the kubelet are not judged. Upstream "
        "promises nothing of the kind: a PDB limits evictions only, so this is the user's reading of the budget "
        "(a warning), stated beside the upstream guarantee (KC-PDB-001)."
    ),
)
def rollout_keeps_pdb_floor(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    if not str(getattr(action, "actor", "")).startswith(_WORKLOAD_ACTORS):
        return True
    pdb = find(c, target[0], target[1:])
    if pdb is None:
        return True
    before = _pdb_floor(c, pdb)
    if before is None or before[0] < before[1]:
        return True
    after = _pdb_floor(n, pdb)
    return after is None or after[0] >= before[1]


def drains_pending(c: ClusterState) -> tuple[str, ...]:
    """The nodes whose ``kubectl drain`` is still running or stopped with an error."""
    return tuple(node.name for node in c.nodes.values() if node.drain is not None)


def blocking_budget(c: ClusterState) -> tuple[str, str, str] | None:
    """KC-DRAIN-001's subject: the PodDisruptionBudget guarding a pod that a pending drain still has to evict
    (the first such pod of the first such node; eviction.go getPodDisruptionBudgets), or None (a drain held
    up by a pod no budget guards)."""
    from model.eviction import get_pod_disruption_budgets

    for node in c.nodes.values():
        if node.drain is None:
            continue
        for namespace, name, uid in node.drain.pods:
            pod = c.get("Pod", namespace, name)
            if pod is None or pod.uid != uid or pod.deletion_timestamp is not None:
                continue
            budgets = get_pod_disruption_budgets(c, pod)
            if budgets:
                return ("PodDisruptionBudget", budgets[0].namespace, budgets[0].name)
    return None


def budget_fix(objects: Any, keys: Any) -> str:
    """KC-DRAIN-001's concrete fix for each PodDisruptionBudget among ``keys`` that allows no disruption even with
    every pod of the workloads it covers Ready (the replicas the manifests declare, an HPA's minReplicas for its
    target): the replicas, or the budget, that would allow one.  Restates disruption.go getExpectedPodCount
    (expected pods = the controllers' scale; desiredHealthy = minAvailable, its percentage of expected rounded
    up, or expected - maxUnavailable rounded up); "" when every such budget allows one (then the drain waits
    for something else, such as a pod that never becomes Ready: the rule's remediation)."""
    from model.labels import SelectorError, label_selector_as_selector

    out = []
    for key in keys:
        pdb = objects.get(key)
        if key[0] != "PodDisruptionBudget" or pdb is None or pdb.selector is None:
            continue
        try:
            sel = label_selector_as_selector(pdb.selector)
        except SelectorError:
            continue
        covered = [k for k, o in objects.items() if k[0] in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
                   and k[1] == key[1] and not sel.empty() and sel.matches(o.template.labels)]
        if not covered:
            continue
        if any(k[1] == key[1] and (k[0] == "Pod" and sel.matches(o.labels) or k[0] == "DaemonSet" and sel.matches(o.template.labels))
               for k, o in objects.items()):
            continue  # pods of a DaemonSet or bare pods count too (an integer minAvailable: every selected pod), how many is not known here
        hpas = {k: autoscaler_of(objects, k, min_one=False) for k in covered}
        # the fewest pods the workloads run: an HPA's minReplicas (it scales there whenever the load allows)
        expected = sum(objects[k].replicas if hpas[k] is None else hpas[k].min_replicas for k in covered)

        def desired(n: int) -> int:
            if pdb.max_unavailable is not None:
                return max(n - scaled_value(pdb.max_unavailable, n, True), 0)
            return scaled_value(pdb.min_available, n, True) if isinstance(pdb.min_available, str) else int(pdb.min_available or 0)

        if expected == 0 or expected - desired(expected) >= 1:
            continue
        who = f"PodDisruptionBudget {key[1]}/{key[2]}"
        if pdb.max_unavailable is not None:
            out.append(f"{who}: set maxUnavailable: 1 (now {pdb.max_unavailable}: no eviction is ever allowed)")
            continue
        enough = next((n for n in range(expected + 1, expected + 101) if n - desired(n) >= 1), None)
        if enough is None:  # minAvailable 100%, or an absolute floor far above the pods
            out.append(f"{who}: minAvailable {pdb.min_available} never allows an eviction; set maxUnavailable: 1 instead")
            continue
        if len(covered) == 1:
            k = covered[0]
            hpa = hpas[k]
            scale = (f"minReplicas >= {enough} on HorizontalPodAutoscaler {k[1]}/{hpa.name}" if hpa is not None
                     else f"replicas >= {enough} on {k[0]} {k[1]}/{k[2]}")
        else:
            scale = f"at least {enough} replicas in all"
        if isinstance(pdb.min_available, str):  # a percentage, rounded up
            out.append(f"{who}: minAvailable {pdb.min_available} of {expected} pod(s) is {desired(expected)}, so no eviction is ever "
                       f"allowed: set {scale} ({pdb.min_available} of {enough} is {desired(enough)}), or maxUnavailable: 1 instead")
        else:
            out.append(f"{who}: minAvailable {pdb.min_available} with {expected} pod(s) never allows an eviction: set {scale}, "
                       "or maxUnavailable: 1 instead")
    return "; ".join(out)


@rule(
    "KC-DRAIN-001",
    "Every kubectl drain eventually completes: its node eventually always holds none of the pods it evicts",
    kind="eventually_always",
    category="disruption",
    default=False,
    subject=blocking_budget,
    fix=budget_fix,
    remediation="Let every budget allow one disruption: replicas >= minAvailable + 1 (or maxUnavailable >= 1) for "
    "every workload a PodDisruptionBudget covers; a 1-replica workload with minAvailable: 1 can never be drained "
    "(kubernetes#66811); give bare pods an owner or drain with --force; drain nodes that run DaemonSet pods with "
    "--ignore-daemonsets; for pods that never become Ready set unhealthyPodEvictionPolicy: AlwaysAllow.",
    upstream="staging/src/k8s.io/kubectl/pkg/drain/drain.go GetPodsForDeletion, evictPods (retry on 429), waitForDelete",
    counts=(
        "A drain runs from kubectl drain NODE (cordon, then list the pods to delete) until every listed pod is "
        "gone; it retries an eviction refused with 429 for ever (no --timeout), so a budget that never allows "
        "the eviction keeps it running: under weak fairness of the controllers and of the drain loop, the rule "
        "is violated by a run in which a drain never finishes (a lasso in which the eviction is refused again "
        "and again) or stopped with an error (a bare pod without --force, a pod with two PDBs). Opt-in: the "
        "drain scenarios select it."
    ),
)
def every_drain_completes(c: ClusterState) -> bool:
    return not drains_pending(c)


# ------------------------------------------------------------------------------------ daemon sets


def _daemon_set(c: ClusterState, target: Target) -> Any | None:
    ds = find(c, "DaemonSet", target[1:])
    return None if ds is None or ds.deletion_timestamp is not None else ds


def _daemon_pods_by_node(c: ClusterState, ds: Any) -> dict[str, list[Pod]]:
    """The pods the DaemonSet controls (controller reference by UID), not terminal, by the node they
    are bound to or, while unbound, the node their required node affinity names."""
    out: dict[str, list[Pod]] = {}
    for p in c.objects("Pod", ds.namespace):
        ref = p.controller_ref()
        if ref is None or ref.uid != ds.uid or not is_live(p):
            continue
        node = p.node_name
        if node is None:
            for term in p.node_affinity or ():
                for req in term.match_fields:
                    if req.key == "metadata.name" and req.operator == "In" and len(req.values) == 1:
                        node = req.values[0]
        if node is not None:
            out.setdefault(node, []).append(p)
    return out


def _eligibility(c: ClusterState, ds: Any) -> dict[str, tuple[bool, bool]]:
    """node -> (shouldRun, shouldContinueRunning) of daemon_controller.go NodeShouldRunDaemonPod."""
    from model.daemon import node_should_run_daemon_pod

    return {n.name: node_should_run_daemon_pod(n, ds) for n in c.nodes.values()}


@rule(
    "KC-DS-001",
    "A DaemonSet eventually always runs exactly one up-to-date, Ready pod on every node that should run it, and none on the others",
    kind="eventually_always",
    applies_to=("DaemonSet",),
    category="convergence",
    local=True,
    upstream="pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod, podsShouldBeOnNode, manage, updateDaemonSetStatus",
    counts=(
        "A node should run the pod when its labels satisfy the template's nodeSelector and required node affinity "
        "and the pod, with the tolerations every DaemonSet pod gets (not-ready/unreachable NoExecute, unschedulable "
        "NoSchedule...), tolerates its NoSchedule and NoExecute taints; a cordoned node still should, a NotReady node "
        "(unreachable taints) should not but keeps its pod. Counts the pods whose controller reference is the "
        "DaemonSet, not being deleted and not terminal, by node. Every node that should run it must have exactly "
        "one, Ready, with the current pod template (not required under OnDelete, which replaces pods only when they "
        "are deleted); a node whose pod should not even continue running must have none. status.desiredNumberScheduled "
        "must be the number of such nodes, and numberReady and (RollingUpdate) updatedNumberScheduled equal to it, "
        "for the current generation. A DaemonSet being deleted is exempt."
    ),
    remediation="Make sure the template's nodeSelector, node affinity and tolerations admit the nodes you expect, that "
    "those nodes have pod capacity left, and that the image starts and becomes Ready; a rollout that never finishes "
    "on one node stops the others (maxUnavailable).",
)
def daemon_set_runs_everywhere(c: ClusterState, target: Target) -> bool:
    ds = _daemon_set(c, target)
    if ds is None:
        return True
    by_node = _daemon_pods_by_node(c, ds)
    desired = 0
    for node, (run, keep) in _eligibility(c, ds).items():
        pods = [p for p in by_node.get(node, ()) if p.deletion_timestamp is None]
        if not keep and pods:
            return False
        if not run:
            continue
        desired += 1
        if len(pods) != 1 or not pods[0].conditions.ready:
            return False
        p = pods[0]
        if ds.update_strategy.type == "RollingUpdate" and tuple(p.spec_containers) != tuple(ds.template.containers):
            return False
    st = ds.status
    if st.observed_generation < ds.generation or st.desired_number_scheduled != desired or st.number_ready != desired:
        return False
    return ds.update_strategy.type != "RollingUpdate" or st.updated_number_scheduled == desired


@rule(
    "KC-DS-002",
    "Never more than one DaemonSet pod on a node (two while a maxSurge rollout replaces it)",
    kind="invariant",
    applies_to=("DaemonSet",),
    category="convergence",
    local=True,
    upstream="pkg/controller/daemon/daemon_controller.go podsShouldBeOnNode (creates only on a node without a pod); "
    "update.go rollingUpdate (surge: one new pod next to the old one)",
    counts=(
        "Counts, per node, the pods the DaemonSet controls that are not terminal (Succeeded/Failed), terminating ones "
        "included (they still run), bound to the node or, unbound, targeted at it by their node affinity. At most one, "
        "or two when the RollingUpdate strategy has a non-zero maxSurge (the old pod and its replacement)."
    ),
    remediation=(
        "Two DaemonSets selecting the same pods fight over them: give each DaemonSet a selector of its own. "
        "If the trace has fault_expectations_expire_on_lagging_cache, the controller acted on a stale cache: "
        "Kubernetes 1.36's KEP-5647 fence (the controller waits for its own writes) removes that case."
    ),
)
def daemon_set_one_pod_per_node(c: ClusterState, target: Target) -> bool:
    ds = _daemon_set(c, target)
    if ds is None:
        return True
    s = ds.update_strategy
    surge = s.type == "RollingUpdate" and s.max_surge is not None and scaled_value(s.max_surge, 1, True) > 0
    limit = 2 if surge else 1
    return all(len(pods) <= limit for pods in _daemon_pods_by_node(c, ds).values())


def _daemon_unavailable(c: ClusterState, ds: Any) -> tuple[int, int]:
    """(nodes that should run the pod and have no available, non-terminating daemon pod, maxUnavailable):
    update.go updatedDesiredNodeCounts (util.UnavailableCount rounded up, 1 when both maxSurge and
    maxUnavailable resolve to 0)."""
    by_node = _daemon_pods_by_node(c, ds)
    desired = unavailable = 0
    for node, (run, _) in _eligibility(c, ds).items():
        if not run:
            continue
        desired += 1
        if not any(p.deletion_timestamp is None and is_available(p, ds.min_ready_seconds) for p in by_node.get(node, ())):
            unavailable += 1
    s = ds.update_strategy
    max_unavailable = scaled_value(s.max_unavailable, desired, True)
    max_surge = scaled_value(s.max_surge, desired, True) if s.max_surge is not None else 0
    if desired > 0 and max_unavailable == 0 and max_surge == 0:
        max_unavailable = 1
    return unavailable, max_unavailable


@rule(
    "KC-DS-003",
    "No DaemonSet-controller step leaves more than maxUnavailable of the nodes that should run it without an available pod",
    kind="action",
    applies_to=("DaemonSet",),
    category="rollout",
    local=True,
    upstream="pkg/controller/daemon/update.go rollingUpdate, updatedDesiredNodeCounts; util/daemonset_util.go UnavailableCount",
    counts=(
        "Among the nodes that should run the pod (see KC-DS-001), counts those without an available (Ready for "
        "minReadySeconds), non-terminating pod of the DaemonSet. A step of the DaemonSet controller (deleting an old pod "
        "for the rollout, or for surge once the new one is available) that raises this count to above maxUnavailable "
        "(a percentage of the desired nodes rounded up; 1 when maxSurge and maxUnavailable are both 0; 0 with maxSurge) "
        "violates it. This is what upstream guarantees: rollingUpdate deletes an available old pod only while fewer than "
        "maxUnavailable nodes are unavailable, counting what it sees, and with maxSurge only after the new pod on that "
        "node is available. Involuntary disruptions (crashes, node failure, evictions, a user deleting pods) are not "
        "judged, but a controller step that follows one is (the controller decided on a view from before it). "
        "RollingUpdate only: OnDelete replaces nothing."
    ),
    remediation="Lower maxUnavailable (1, the default), or use maxSurge with maxUnavailable: 0 so a new pod is available "
    "on a node before the old one goes; give the pods a readiness probe and minReadySeconds so availability is real.",
)
def daemon_set_rollout_within_unavailable(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    from properties._common import actor_family

    if actor_family(action) != "daemonset" or not getattr(action, "fair", False):
        return True
    d0, d = _daemon_set(c, target), _daemon_set(n, target)
    if d is None or d0 is None or d.update_strategy.type != "RollingUpdate":
        return True
    before, _ = _daemon_unavailable(c, d0)
    after, bound = _daemon_unavailable(n, d)
    return after <= before or after <= bound


# ------------------------------------------------------------------------------------ autoscaling


def _hpa_and_target(c: ClusterState, target: Target) -> tuple[Any, Any] | None:
    from model.horizontal import scale_target

    hpa = find(c, target[0], target[1:])
    if hpa is None or hpa.deletion_timestamp is not None:
        return None
    obj = scale_target(c, hpa)
    return None if obj is None else (hpa, obj)


@rule(
    "KC-HPA-001",
    "Once a HorizontalPodAutoscaler has acted, its target's spec.replicas stays within [minReplicas, maxReplicas]",
    applies_to=("HorizontalPodAutoscaler",),
    category="autoscaling",
    local=True,
    remediation="Leave spec.replicas of an autoscaled workload to the HPA: drop replicas from the manifest you apply "
    "(kubectl apply / helm upgrade set it back) and do not kubectl scale it; change minReplicas/maxReplicas instead.",
    upstream="pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler, convertDesiredReplicasWithRules, convertDesiredReplicasWithBehaviorRate",
    counts=(
        "From the HPA's first reconcile on (recordInitialRecommendation has run), the spec.replicas of the object "
        "its scaleTargetRef names is 0 (upstream: autoscaling disabled) or between minReplicas and maxReplicas. "
        "The HPA itself never leaves that range (it first brings an out-of-range target back, then clamps every "
        "recommendation), so a violation is another writer fighting it: a user's kubectl scale or an apply that "
        "resets replicas. A missing target is exempt (upstream: FailedGetScale, no scaling)."
    ),
)
def hpa_replicas_within_bounds(c: ClusterState, target: Target) -> bool:
    found = _hpa_and_target(c, target)
    if found is None or not found[0].memory.initialized:
        return True
    hpa, obj = found
    return obj.replicas == 0 or hpa.min_replicas <= obj.replicas <= hpa.max_replicas


@rule(
    "KC-HPA-002",
    "After the load stops changing, a HorizontalPodAutoscaler eventually always leaves its target's replicas as they are",
    kind="eventually_always",
    applies_to=("HorizontalPodAutoscaler",),
    category="autoscaling",
    local=True,
    severity="warning",
    remediation="A workload whose replicas never settle flaps between sizes: give the scale-down a stabilization "
    "window (behavior.scaleDown.stabilizationWindowSeconds, default 300), keep the tolerance, and fix pods that "
    "keep turning unready (they change what the HPA computes).",
    upstream="pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler; replica_calculator.go GetResourceReplicas",
    counts=(
        "Under weak fairness of the controllers, the kubelets and the clock (windows and policy periods pass), "
        "and with the scenario's load changes budgeted (they eventually stop), the HPA's reconcile on the "
        "current state eventually always writes no new spec.replicas to its target. Recording recommendations "
        "and status writes do not count. A violation is a lasso in which the HPA keeps rescaling."
    ),
)
def hpa_settles(c: ClusterState, target: Target) -> bool:
    from model.api import Update
    from model.horizontal import reconcile_autoscaler

    found = _hpa_and_target(c, target)
    if found is None:
        return True
    return not any(isinstance(w, Update) for w in reconcile_autoscaler(c, found[0]))


def _hpa_of(step: FixStep, cluster: ClusterState) -> Any:
    """The HorizontalPodAutoscaler whose controller took ``step`` (actor ``horizontal/<namespace>/<name>``), in
    ``cluster``, or None."""
    family, _, rest = step.actor.partition("/")
    namespace, _, name = rest.partition("/")
    return find(cluster, "HorizontalPodAutoscaler", (namespace, name)) if family == "horizontal" else None


def window_scale_up_fix(steps: tuple[FixStep, ...]) -> str:
    """When the HPA's violating scale-up follows a drop of its load and the HPA has no ``spec.behavior``: without
    one the controller (horizontal.go normalizeDesiredReplicas -> stabilizeRecommendation) takes the highest
    recommendation of its downscale stabilization window (5 minutes) as the target even above the current
    replicas, so a scale-up its rate limit cut short goes on after the load is gone; with a behavior
    (stabilizeRecommendationWithBehaviors) a scale-up goes no higher than the lowest recent recommendation.
    The usual remediation (start-up usage of a memory metric) is not the cause there."""
    if not steps:
        return ""
    last = steps[-1]
    hpa = _hpa_of(last, last.before)
    if hpa is None or hpa.behavior is not None:
        return ""
    loads = [getattr(_hpa_of(last, s.before), "load", None) for s in steps]
    earlier = [x for x in loads[:-1] if x is not None]
    now = loads[-1]
    if now is None or not earlier or max(earlier) <= now:
        return ""
    return (f"This scale-up follows a drop of the load (from {max(earlier)}% to {now}% of one pod at the target): "
            f"HorizontalPodAutoscaler {hpa.namespace}/{hpa.name} has no spec.behavior, and without one the controller "
            "scales to the highest recommendation of its last 5 minutes (the downscale stabilization window) even "
            "above the current replicas, so a scale-up its rate limit cut short goes on after the load is gone. "
            "Set spec.behavior (behavior: {} takes upstream's defaults): the controller then scales up no further "
            "than the lowest recent recommendation. (If the metric also counts the start-up usage of new pods, "
            "a memory metric, the rule's usual remediation applies as well.)")


@rule(
    "KC-HPA-003",
    "A HorizontalPodAutoscaler never scales its target up beyond what the current load needs (no ratchet from starting pods)",
    kind="action",
    applies_to=("HorizontalPodAutoscaler",),
    category="autoscaling",
    local=True,
    severity="warning",
    remediation="Autoscale on CPU (upstream ignores the CPU samples of pods that are not Ready yet, so start-up work "
    "does not count) and keep start-up work before readiness (a readinessProbe that passes only once warmed up); "
    "with a memory or other metric, start-up usage of new pods counts as load and each scale-up or rollout adds "
    "more: add a scale-up stabilization window (behavior.scaleUp.stabilizationWindowSeconds) or a rate policy.",
    upstream="pkg/controller/podautoscaler/replica_calculator.go groupPods (unready pods ignored for CPU only), "
    "GetResourceReplicas; kubernetes#72775, #84142, #90461",
    trace_fix=window_scale_up_fix,
    counts=(
        "Judges every step of the HPA's controller that raises its target's spec.replicas: the new value must be at "
        "most max(minReplicas, ceil(load / 100)), the pods the current load needs at the target (the load is the "
        "scenario's abstract demand, 100 = one pod at the target). Upstream today (replica_calculator.go) never "
        "exceeds that when only Ready pods carry load: not-Ready pods of a rollout are ignored or counted at 0 on "
        "a scale-up (CPU), missing samples count 0 on a scale-up. It can when pods that are not Ready yet report "
        "start-up usage that counts (a memory metric: groupPods checks readiness for CPU only; annotation "
        "kubecheck.io/startup-usage declares it): the ratchet of kubernetes#72775/#84142/#90461. It also reports "
        "a scale-up to an older, higher recommendation still inside the stabilization window after the load "
        "dropped (the rate limit had cut the first scale-up short): upstream does that too, for an HPA without "
        "spec.behavior (normalizeDesiredReplicas), and the finding's fix says so."
    ),
)
def hpa_no_ratchet(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    from model.horizontal import load_need
    from properties._common import actor_family

    if actor_family(action) != "horizontal":
        return True
    before, after = _hpa_and_target(c, target), _hpa_and_target(n, target)
    if before is None or after is None or after[1].replicas <= before[1].replicas:
        return True
    hpa = before[0]
    if tuple(getattr(action, "fairness_key", None) or ())[1:] != (hpa.namespace, hpa.name):
        return True  # another HPA's step
    return after[1].replicas <= max(hpa.min_replicas, load_need(hpa.load or 0))


RULES: tuple[Rule, ...] = (
    replicas_converge,
    deployment_completes,
    stateful_set_converges,
    stateful_set_pod_not_stuck_on_lost_node,
    pods_run_current_template,
    single_controller_owner,
    owned_pods_match_selector,
    no_pod_stealing,
    no_overlapping_selectors,
    creator_keeps_control,
    rollout_keeps_min_available,
    rollout_within_surge,
    rollout_live_pods_within_surge,
    zero_downtime,
    recreate_no_overlap,
    rollback_restores_revision,
    availability_recovers,
    availability_after_node_returns,
    stateful_identity_matches,
    pod_identity_stable,
    stateful_storage_matches,
    at_most_one_pod_per_identity,
    ordered_ready,
    partition_pins_revision,
    claim_identity_kept,
    containers_share_sandbox,
    pod_ips_unique,
    new_sandbox_restarts_all,
    scheduled_to_ready_nodes,
    ready_only_after_probe,
    pods_marked_not_ready_before_eviction,
    deletion_honours_grace,
    gc_deletes_dependents,
    eviction_keeps_pdb_floor,
    rollout_keeps_pdb_floor,
    every_drain_completes,
    daemon_set_runs_everywhere,
    daemon_set_one_pod_per_node,
    daemon_set_rollout_within_unavailable,
    hpa_replicas_within_bounds,
    hpa_settles,
    hpa_no_ratchet,
)

#: The rules run when none are named: every rule except the opt-in ones (``default=False``).
DEFAULT_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.default)

CATALOGUE: dict[str, Rule] = {r.rule_id: r for r in RULES}
assert len(CATALOGUE) == len(RULES), "duplicate rule ID in the catalogue"


def get_rule(rule_id: str) -> Rule:
    """The catalogue rule with this ID; the error lists the valid IDs."""
    try:
        return CATALOGUE[rule_id]
    except KeyError:
        from kubecheck.core.errors import InvalidProperty

        raise InvalidProperty(
            f"unknown rule ID {rule_id!r}; the catalogue has: {', '.join(CATALOGUE)}"
        ) from None
