"""The property catalogue: convergence, ownership, rollout availability, StatefulSet identity, sandbox.

Every rule has a stable ID, a one-line statement, a paragraph on exactly what it counts, and the
upstream source it is checked against.  ``docs/properties.md`` is generated from the same data
(``python -m properties --markdown``) and a test keeps the two in step.

Involuntary disruptions (container crashes, sandbox death, node failure, force delete) are not
counted against the rollout rules KC-ROLL-001/002/003: upstream promises nothing there, so those
rules only judge steps taken by a workload controller.
"""

from __future__ import annotations

from typing import Any, Callable

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
from properties.rules import Rule, rule

__all__ = ["CATALOGUE", "DEFAULT_RULES", "RULES", "get_rule", "must_update"]

Target = tuple[str, str, str]


# ------------------------------------------------------------------------------------ convergence


@rule(
    "KC-CONV-001",
    "A ReplicaSet eventually always has exactly spec.replicas owned, active, matching pods, and its status agrees",
    kind="eventually_always",
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


@rule(
    "KC-CONV-002",
    "A Deployment eventually always has one new ReplicaSet with every replica available and every old one at zero",
    kind="eventually_always",
    applies_to=("Deployment",),
    category="convergence",
    local=True,
    upstream="pkg/controller/deployment/util/deployment_util.go DeploymentComplete; rolling.go rolloutRolling",
    counts=(
        "Among the ReplicaSets the Deployment controls and that are not being deleted, exactly one has a pod "
        "template equal to the Deployment's (ignoring pod-template-hash: EqualIgnoreHash); its spec.replicas "
        "equals the Deployment's and that many of its active pods are available (Ready for minReadySeconds: "
        "IsPodAvailable). Every other ReplicaSet has spec.replicas 0 and no active pods. A paused Deployment "
        "and one being deleted are exempt (upstream does not roll a paused Deployment out)."
    ),
    remediation='Make the rollout able to finish: enough node capacity for replicas + maxSurge pods on nodes the pod template nodeSelector, required node affinity and tolerations allow (or maxSurge: 0 with maxUnavailable >= 1), a readiness probe that can pass, and a selector no other workload shares.',
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
    applies_to=("StatefulSet",),
    category="convergence",
    local=True,
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
    remediation='Make every ordinal placeable and ready: enough node capacity for spec.replicas pods on nodes the template nodeSelector, required node affinity and tolerations allow, a readiness probe that can pass, and (with OrderedReady) no pod that can stay unready; a pod on a lost node needs an operator to delete the node or force-delete the pod (KC-NODE-001).',
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
)
def single_controller_owner(c: ClusterState) -> bool:
    return all(sum(1 for r in p.owner_references if r.controller) <= 1 for p in c.pods.values())


@rule(
    "KC-OWN-002",
    "Eventually always, every pod a workload controls matches that workload's selector",
    kind="eventually_always",
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
    for key, p in c.pods.items():
        q = n.pods.get(key)
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
                deleted = q is None or q.uid != p.uid or (p.deletion_timestamp is None and q.deletion_timestamp is not None)
                ref = p.controller_ref()
                if deleted and ref is not None and ref.uid != actor.uid and c.by_uid(ref.uid) is not None:
                    return False
    return True


@rule(
    "KC-OWN-004",
    "No active pod is selected by two live pod controllers (overlapping selectors)",
    kind="invariant",
    category="ownership",
    local=True,
    upstream="docs: 'you should not create any pods whose labels match this selector' (ReplicaSet, RC); "
    "pkg/controller/controller_utils.go (ControllerRef makes overlaps safe but confusing)",
    counts=(
        "Counts, for every active pod, the ReplicaSets, ReplicationControllers and StatefulSets in its "
        "namespace (not being deleted) whose selector matches its labels. More than one is an overlap: "
        "upstream's ControllerRef keeps the controllers from fighting, but status counts, kubectl and "
        "Services become ambiguous. One Deployment's ReplicaSets carry distinct pod-template-hash labels, "
        "so they do not overlap each other; but two Deployments with overlapping selectors and identical "
        "pod templates get the same hash, so their ReplicaSets' selectors are identical and do overlap "
        "(also when a rollout makes one Deployment's template equal to the other's)."
    ),
    remediation="Make the selectors disjoint: add a label that differs per workload (e.g. app.kubernetes.io/instance) to each workload's selector and pod template, so no pod matches two.",
)
def no_overlapping_selectors(c: ClusterState) -> bool:
    owners = [
        o
        for kind in ("ReplicaSet", "ReplicationController", "StatefulSet")
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


@rule(
    "KC-ROLL-001",
    "No workload-controller step takes a Deployment's available pods below replicas - maxUnavailable",
    kind="action",
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
    applies_to=("Deployment",),
    category="rollout",
    local=True,
    default=False,
    upstream="stricter than upstream: deployment_util.go MaxSurge bounds spec.replicas, not live pods "
    "(terminating pods are not counted; see kubernetes#107920 and the DeploymentReplicaSetTerminatingReplicas gate)",
    counts=(
        "Counts every pod object of the Deployment's ReplicaSets that is not Succeeded/Failed, terminating "
        "pods included. Upstream does NOT promise this; it shows the real peak of pods (and resource usage) "
        "during a rollout, and it is expected to fail on real upstream behaviour: live pods reach "
        "replicas + maxSurge + 1 while a scaled-down old pod is still terminating. Opt-in: it is not run by "
        "default (it would fail every ordinary RollingUpdate Deployment); name it with -p KC-ROLL-003."
    ),
    severity="warning",
    remediation='Budget for replicas + maxSurge + 1 live pods during a rollout (terminating pods still use resources), or lower maxSurge; upstream only bounds spec.replicas.',
)
def rollout_live_pods_within_surge(c: ClusterState, action: Any, n: ClusterState, target: Target) -> bool:
    return _controller_step_respects(c, action, n, target, _live_count, _surge_ceiling, floor=False)


def _serves(c: ClusterState, svc: Any) -> bool:
    """Whether some workload meant to run pods for this Service has replicas >= 1."""
    if not svc.selector:
        return False
    for kind in ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"):
        for w in c.objects(kind, svc.namespace):
            if w.replicas >= 1 and w.deletion_timestamp is None and all(
                w.template.labels.get(k) == v for k, v in svc.selector.items()
            ):
                return True
    return False


def service_down(c: ClusterState, svc: Any) -> bool:
    """A Service some workload serves (``_serves``) with no serving endpoint (``model.endpoints``:
    Ready and not terminating, or with publishNotReadyAddresses any pod with an IP, not terminal,
    not terminating): KC-ROLL-004's violation."""
    return _serves(c, svc) and not serving_endpoints(c, svc)


@rule(
    "KC-ROLL-004",
    "Zero downtime: every Service whose workloads want replicas selects at least one ready pod",
    kind="invariant",
    category="rollout",
    local=True,
    upstream="pkg/controller/endpointslice (a pod is a ready endpoint iff Ready and not terminating, or any pod with an IP when publishNotReadyAddresses)",
    counts=(
        "For every Service with a selector that matches the pod template of a workload with spec.replicas >= 1, "
        "counts the pods that match the selector, are Ready and have no deletionTimestamp (the pods an "
        "EndpointSlice lists as ready; with spec.publishNotReadyAddresses: true, every such pod that has an IP "
        "and is not Succeeded/Failed, Ready or not). At least one is required in every state, faults included; this is the "
        "user's promise, stronger than upstream's maxUnavailable (a 1-replica Deployment with maxUnavailable 1 "
        "violates it while satisfying KC-ROLL-001)."
    ),
    remediation='Keep a ready pod behind the Service during updates and failures: set maxSurge: 1, maxUnavailable: 0, or replicas >= 2 (and a PodDisruptionBudget); a Recreate Deployment always has a gap.',
)
def zero_downtime(c: ClusterState) -> bool:
    return not any(service_down(c, svc) for svc in c.services.values())


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


def drains_pending(c: ClusterState) -> tuple[str, ...]:
    """The nodes whose ``kubectl drain`` is still running or stopped with an error."""
    return tuple(node.name for node in c.nodes.values() if node.drain is not None)


@rule(
    "KC-DRAIN-001",
    "Every kubectl drain eventually completes: its node eventually always holds none of the pods it evicts",
    kind="eventually_always",
    category="disruption",
    default=False,
    remediation="Let every budget allow one disruption: replicas >= minAvailable + 1 (or maxUnavailable >= 1) for "
    "every workload a PodDisruptionBudget covers; a 1-replica workload with minAvailable: 1 can never be drained "
    "(kubernetes#66811); give bare pods an owner or drain with --force.",
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


RULES: tuple[Rule, ...] = (
    replicas_converge,
    deployment_completes,
    stateful_set_converges,
    stateful_set_pod_not_stuck_on_lost_node,
    single_controller_owner,
    owned_pods_match_selector,
    no_pod_stealing,
    no_overlapping_selectors,
    rollout_keeps_min_available,
    rollout_within_surge,
    rollout_live_pods_within_surge,
    zero_downtime,
    stateful_identity_matches,
    pod_identity_stable,
    stateful_storage_matches,
    at_most_one_pod_per_identity,
    ordered_ready,
    containers_share_sandbox,
    pod_ips_unique,
    new_sandbox_restarts_all,
    eviction_keeps_pdb_floor,
    every_drain_completes,
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
