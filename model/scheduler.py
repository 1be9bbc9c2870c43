"""The scheduler, reduced to a nondeterministic bind: any feasible node is a branch.

Mirrors the outcome of kubernetes/kubernetes pkg/scheduler/schedule_one.go (schedulePod,
findNodesThatFitPod, bind) with the filter plugins that decide placement for the modelled
objects (docs/semantics.md#runtime, "Scheduler"):

* the node is Ready (upstream: the ``node.kubernetes.io/not-ready``/``unreachable`` NoSchedule
  taints, read by TaintToleration; a pod tolerating one of them may go there);
* NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable): not
  ``spec.unschedulable``, unless the pod tolerates ``node.kubernetes.io/unschedulable:NoSchedule``;
* NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity, Filter): ``spec.nodeSelector`` and
  the required node affinity (staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity
  ``GetRequiredNodeAffinity``, ``RequiredNodeAffinity.Match``);
* TaintToleration (pkg/scheduler/framework/plugins/tainttoleration, Filter): no NoSchedule or
  NoExecute taint the pod does not tolerate (component-helpers/scheduling/corev1
  ``FindMatchingUntoleratedTaint``, staging/src/k8s.io/api/core/v1/toleration.go ``ToleratesTaint``);
* NodeResourcesFit on the ``pods`` resource only: fewer bound pods than ``pod_capacity``;
* NodePorts (pkg/scheduler/framework/plugins/nodeports/node_ports.go ``fitsPorts``): no
  ``hostPort`` of the pod's containers conflicts with one a pod bound to the node uses
  (``HostPortInfo.CheckConflict``, pkg/scheduler/framework/types.go; :func:`fits_ports`).
* PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread/filtering.go, Filter): the
  pod's ``whenUnsatisfiable: DoNotSchedule`` topology spread constraints, over the matching pods'
  counts per topology domain of every eligible node (:func:`satisfies_pod_topology_spread`).
* InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go, Filter): the
  pod's required pod affinity and anti-affinity terms, and the existing pods' required
  anti-affinity terms, over the topology domains of the nodes (:func:`satisfies_inter_pod_affinity`).

Scoring is replaced by nondeterminism: every feasible node is one branch, so the checker covers
every choice a scoring function could make. A pod no node fits stays Pending (no branch).
Identical nodes are interchangeable; the canonical form merges their branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from model.api import Update, UpdateStatus, Write
from model.frozen import EMPTY, FrozenMap
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object
from model.labels import (
    DOES_NOT_EXIST,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_IN,
    Selector,
    SelectorError,
    label_selector_as_selector,
    new_requirement,
    selector_from_set,
)
from model.objects import (
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodAffinityTerm,
    Taint,
    Toleration,
    TopologySpreadConstraint,
)
from model.state import ClusterState

__all__ = [
    "TAINT_NODE_UNSCHEDULABLE",
    "TAINT_NODE_NOT_READY",
    "TAINT_NODE_UNREACHABLE",
    "TERMINAL_PHASES",
    "pods_on_node",
    "tolerates_taint",
    "tolerations_tolerate_taint",
    "find_matching_untolerated_taint",
    "node_selector_term_matches",
    "RequiredNodeAffinity",
    "get_required_node_affinity",
    "LABEL_HOSTNAME",
    "node_topology_value",
    "affinity_term_namespace",
    "affinity_term_matches",
    "satisfies_inter_pod_affinity",
    "spread_constraint_selector",
    "spread_taints",
    "satisfies_pod_topology_spread",
    "node_fits",
    "find_nodes_that_fit",
    "pending_pods",
    "bind",
]

#: staging/src/k8s.io/api/core/v1/well_known_taints.go
TAINT_NODE_UNSCHEDULABLE: Final = Taint("node.kubernetes.io/unschedulable", effect="NoSchedule")
TAINT_NODE_NOT_READY: Final = Taint("node.kubernetes.io/not-ready", effect="NoSchedule")
TAINT_NODE_UNREACHABLE: Final = Taint("node.kubernetes.io/unreachable", effect="NoSchedule")

#: nodeaffinity.go nodeSelectorRequirementsAsSelector: v1.NodeSelectorOperator -> selection.Operator
_SELECTION_OPERATORS: Final = {
    "In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST, "Gt": GREATER_THAN, "Lt": LESS_THAN,
}
#: metav1.ObjectNameField, the only field key a node field selector may use
_OBJECT_NAME_FIELD: Final = "metadata.name"


#: Pod phases the scheduler's pod informer does not list (pkg/scheduler/scheduler.go newPodInformer's field
#: selector ``status.phase!=Succeeded,status.phase!=Failed``): such a pod is in no NodeInfo of its cache.
TERMINAL_PHASES: Final = ("Succeeded", "Failed")


def pods_on_node(state: ClusterState, node_name: str) -> int:
    """Pods bound to the node as the scheduler's cache holds them: terminating ones included (they still hold
    their slot until they are deleted), pods in a terminal phase not (:data:`TERMINAL_PHASES`)."""
    return sum(1 for p in state.pods.values() if p.node_name == node_name and p.phase not in TERMINAL_PHASES)


# ------------------------------------------------------------------------- taints and tolerations


def tolerates_taint(toleration: Toleration, taint: Taint) -> bool:
    """Mirrors staging/src/k8s.io/api/core/v1/toleration.go (*Toleration).ToleratesTaint.

    An empty effect matches every effect, an empty key every key (validation allows an empty key
    only with Exists); Equal (or "") compares the values, Exists does not; any other operator
    tolerates nothing (upstream's default branch; Lt/Gt are behind an alpha gate, off).
    """
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator in ("Equal", ""):
        return toleration.value == taint.value
    return toleration.operator == "Exists"


def tolerations_tolerate_taint(tolerations: tuple[Toleration, ...], taint: Taint) -> bool:
    """Mirrors pkg/apis/core/v1/helper/helpers.go TolerationsTolerateTaint."""
    return any(tolerates_taint(t, taint) for t in tolerations)


def find_matching_untolerated_taint(taints: tuple[Taint, ...], tolerations: tuple[Toleration, ...]) -> Taint | None:
    """Mirrors staging/src/k8s.io/component-helpers/scheduling/corev1/helpers.go
    FindMatchingUntoleratedTaint with TaintToleration's inclusion filter (effect NoSchedule or
    NoExecute; PreferNoSchedule only scores): the first such taint no toleration tolerates."""
    for taint in taints:
        if taint.effect in ("NoSchedule", "NoExecute") and not tolerations_tolerate_taint(tolerations, taint):
            return taint
    return None


# ------------------------------------------------------------------------------- node affinity


@lru_cache(maxsize=4096)
def _term_selector(requirements: tuple[NodeSelectorRequirement, ...]) -> Selector | None:
    """nodeaffinity.go nodeSelectorRequirementsAsSelector; ``None`` for a parse error (the term
    then matches no node: lazyErrorNodeSelector keeps the error and the term fails)."""
    reqs = []
    for r in requirements:
        op = _SELECTION_OPERATORS.get(r.operator)
        if op is None:
            return None
        try:
            reqs.append(new_requirement(r.key, op, r.values))
        except SelectorError:
            return None
    return Selector(tuple(reqs))


def _fields_match(requirements: tuple[NodeSelectorRequirement, ...], node: Node) -> bool:
    """nodeaffinity.go nodeSelectorRequirementsAsFieldSelector + fields.Selector.Matches on
    ``{"metadata.name": node.Name}``: In and NotIn with exactly one value, key metadata.name;
    anything else is a parse error (no match)."""
    for r in requirements:
        if r.key != _OBJECT_NAME_FIELD or len(r.values) != 1 or r.operator not in ("In", "NotIn"):
            return False
        if (node.name == r.values[0]) != (r.operator == "In"):
            return False
    return True


def node_selector_term_matches(term: NodeSelectorTerm, node: Node) -> bool:
    """Mirrors component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go nodeSelectorTerm.match.

    An empty term (no expressions, no fields) matches nothing (newLazyErrorNodeSelector skips it).
    """
    if not term.match_expressions and not term.match_fields:
        return False
    if term.match_expressions:
        selector = _term_selector(term.match_expressions)
        if selector is None or not selector.matches(node.labels):
            return False
    return not term.match_fields or _fields_match(term.match_fields, node)


@dataclass(frozen=True, slots=True)
class RequiredNodeAffinity:
    """component-helpers/scheduling/corev1/nodeaffinity RequiredNodeAffinity: the pod's
    ``spec.nodeSelector`` (``label_selector``, a map of equalities) and required node affinity terms."""

    label_selector: FrozenMap[str, str] = EMPTY
    node_selector: tuple[NodeSelectorTerm, ...] | None = None

    def match(self, node: Node) -> bool:
        """Mirrors RequiredNodeAffinity.Match: the nodeSelector labels AND any term (ORed)."""
        if any(node.labels.get(k) != v for k, v in self.label_selector.items()):
            return False
        if self.node_selector is None:
            return True
        return any(node_selector_term_matches(t, node) for t in self.node_selector)


def get_required_node_affinity(pod: Pod) -> RequiredNodeAffinity:
    """Mirrors component-helpers/scheduling/corev1/nodeaffinity GetRequiredNodeAffinity."""
    return RequiredNodeAffinity(pod.node_selector, pod.node_affinity)


# ------------------------------------------------------------------------------------ filters


def host_port_conflict(used: tuple[str, str, int], want: tuple[str, str, int]) -> bool:
    """Mirrors kubernetes/kubernetes pkg/scheduler/framework/types.go ``HostPortInfo.CheckConflict`` for
    one used ``(hostIP, protocol, hostPort)`` (both sanitised: ``model.objects.ContainerSpec.host_ports``):
    same protocol and port, and the same IP or either one ``0.0.0.0``."""
    ip, protocol, port = want
    return used[1:] == (protocol, port) and (ip == "0.0.0.0" or used[0] in ("0.0.0.0", ip))


def fits_ports(state: ClusterState, node: Node, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeports/node_ports.go ``fitsPorts``:
    no host port of the pod's ``spec.containers`` (``getContainerPorts``: init containers are not read)
    conflicts with the ``UsedPorts`` of the node, the host ports of the pods bound to it (the pods
    :func:`pods_on_node` counts: terminating ones hold their ports until they are deleted)."""
    want = tuple(hp for c in pod.spec_containers for hp in c.host_ports)
    if not want:
        return True
    used = tuple(hp for p in state.pods.values() if p.node_name == node.name and p.phase not in TERMINAL_PHASES
                 for c in p.spec_containers for hp in c.host_ports)
    return not any(host_port_conflict(u, w) for w in want for u in used)


#: staging/src/k8s.io/api/core/v1/well_known_labels.go LabelHostname
LABEL_HOSTNAME: Final = "kubernetes.io/hostname"
#: The well-known labels every kubelet sets that are the same on all nodes of a usual cluster, which the nodes
#: ``kubecheck check --nodes`` adds carry (staging/src/k8s.io/api/core/v1 well_known_labels.go; the legacy beta ones
#: "to ensure backward compatibility"): no zone or region (kubecheck.scenarios.with_nodes).
COMMON_NODE_LABELS: Final = (("beta.kubernetes.io/arch", "amd64"), ("beta.kubernetes.io/os", "linux"),
                             ("kubernetes.io/arch", "amd64"), ("kubernetes.io/os", "linux"))


def node_topology_value(node: Node, key: str) -> str | None:
    """The value of ``node``'s label ``key`` (``None``: the node has no such label), the topology domain
    of an affinity term.  A node without ``kubernetes.io/hostname`` is taken to carry its own name there:
    the kubelet sets that label on every node it registers (pkg/kubelet/kubelet_node_status.go
    initialNode: ``v1.LabelHostname: kl.hostname``, and the node's name defaults to the hostname), so a
    Node written in a manifest, or added by kubecheck, without it stands for a node that has it."""
    value = node.labels.get(key)
    if value is None and key == LABEL_HOSTNAME:
        return node.name
    return value


def affinity_term_namespace(term: PodAffinityTerm, owner_namespace: str, namespace: str) -> bool:
    """Whether a pod in ``namespace`` is in the namespaces of ``term``, a term of a pod (or template) in
    ``owner_namespace`` (pkg/scheduler/framework/types.go ``newAffinityTerm``: the listed ones, every namespace
    for an empty namespaceSelector, else the owner's own)."""
    return term.all_namespaces or namespace in (term.namespaces or (owner_namespace,))


def affinity_term_matches(term: PodAffinityTerm, owner: Pod, pod: Pod) -> bool:
    """Mirrors pkg/scheduler/framework/types.go ``AffinityTerm.Matches`` for a term of ``owner``:
    ``pod``'s namespace is one of the term's (``newAffinityTerm``: the listed ones, every namespace for
    an empty namespaceSelector, else the owner's own) and the label selector matches its labels (an
    unset selector matches nothing: ``metav1.LabelSelectorAsSelector(nil)``)."""
    if not affinity_term_namespace(term, owner.namespace, pod.namespace):
        return False
    if term.selector is None:
        return False
    try:
        return label_selector_as_selector(term.selector).matches(pod.labels)
    except SelectorError:
        return False  # an existing pod's term: validation refuses such a selector (the incoming pod's is refused above)


def _existing_pods(state: ClusterState) -> list[tuple[Pod, Node]]:
    """The scheduler snapshot's assigned pods with their nodes: every pod bound to a node that exists,
    terminating ones included (pkg/scheduler/backend/cache cache.go drops a pod on its delete event only,
    eventhandlers.go deletePodFromCache), except pods in phase Succeeded or Failed, which the scheduler's
    pod informer does not list (pkg/scheduler/scheduler.go newPodInformer's field selector)."""
    nodes = state.nodes
    out = []
    for p in state.pods.values():
        if p.node_name is not None and p.phase not in TERMINAL_PHASES:
            node = nodes.get(("", p.node_name))
            if node is not None:
                out.append((p, node))
    return out


def satisfies_inter_pod_affinity(state: ClusterState, node: Node, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go ``Filter``
    (its PreFilter counts, evaluated for one node):

    * ``satisfyExistingPodsAntiAffinity``: no existing pod has a required anti-affinity term that matches
      ``pod`` and sits in ``node``'s domain of the term's topology key;
    * ``satisfyPodAntiAffinity``: no required anti-affinity term of ``pod`` matches an existing pod in
      ``node``'s domain (a node without the key's label passes the term);
    * ``satisfyPodAffinity``: ``node`` carries every required affinity term's key and, for each term, an
      existing pod that matches *all* the terms (``updateWithAffinityTerms``) is in its domain; or else
      no such pod is on any node carrying a term's key (the counts are empty) and ``pod`` matches all its
      own terms: the first pod of a group that selects itself.

    Existing pods are :func:`_existing_pods`; a pod is counted in a domain only when its node carries
    the key (upstream counts topology pairs of labelled nodes)."""
    if not pod.pod_affinity and not pod.pod_anti_affinity and not any(p.pod_anti_affinity for p in state.pods.values()):
        return True
    for term in (*pod.pod_affinity, *pod.pod_anti_affinity):
        if term.selector is not None:
            try:
                label_selector_as_selector(term.selector)
            except SelectorError:
                return False  # PreFilter: "parsing pod" -> UnschedulableAndUnresolvable on every node
    existing = _existing_pods(state)
    for other, where in existing:
        for term in other.pod_anti_affinity:
            value = node_topology_value(where, term.topology_key)
            if value is not None and node_topology_value(node, term.topology_key) == value \
                    and affinity_term_matches(term, other, pod):
                return False
    for term in pod.pod_anti_affinity:
        mine = node_topology_value(node, term.topology_key)
        if mine is not None and any(node_topology_value(where, term.topology_key) == mine and affinity_term_matches(term, pod, other)
                                    for other, where in existing):
            return False
    if not pod.pod_affinity:
        return True
    # updateWithAffinityTerms: an existing pod counts for the affinity terms only when it matches all of them
    matching = [where for other, where in existing if all(affinity_term_matches(t, pod, other) for t in pod.pod_affinity)]
    satisfied = True
    for term in pod.pod_affinity:
        mine = node_topology_value(node, term.topology_key)
        if mine is None:
            return False  # "All topology labels must exist on the node."
        if not any(node_topology_value(where, term.topology_key) == mine for where in matching):
            satisfied = False
    if satisfied:
        return True
    counted = any(node_topology_value(where, term.topology_key) is not None for where in matching for term in pod.pod_affinity)
    return not counted and all(affinity_term_matches(term, pod, pod) for term in pod.pod_affinity)


def spread_constraint_selector(constraint: TopologySpreadConstraint, labels: FrozenMap[str, str]) -> Selector:
    """The selector of a topology spread constraint of a pod with ``labels``, as
    podtopologyspread/common.go ``filterTopologySpreadConstraints`` builds it: ``LabelSelectorAsSelector``
    (an unset selector is Nothing, ``{}`` Everything), then, for every ``matchLabelKeys`` key the pod
    carries, ``key=value`` ANDed on (``mergeLabelSetWithSelector``; Nothing stays Nothing).  Raises
    SelectorError for a selector that does not parse (PreFilter's error)."""
    sel = label_selector_as_selector(constraint.selector)
    extra = {k: labels[k] for k in constraint.match_label_keys if k in labels}
    if not extra or sel.is_nothing:
        return sel
    return Selector(selector_from_set(extra).requirements + sel.requirements)


def spread_taints(node: Node) -> tuple[Taint, ...]:
    """The NoSchedule taints of ``node`` as upstream's Node object carries them, for a constraint with
    ``nodeTaintsPolicy: Honor``: its ``spec.taints``, ``node.kubernetes.io/unschedulable`` while cordoned
    (TaintNodesByCondition) and, while not Ready, ``node.kubernetes.io/not-ready`` (the model's ``ready``
    does not say whether it is that taint or ``unreachable``: a pod tolerating either is taken to tolerate
    it, as :func:`node_fits` does)."""
    extra: tuple[Taint, ...] = ()
    if node.unschedulable:
        extra += (TAINT_NODE_UNSCHEDULABLE,)
    if not node.ready:
        extra += (TAINT_NODE_NOT_READY,)
    return node.taints + extra


def _tolerates_spread_taints(node: Node, tolerations: tuple[Toleration, ...]) -> bool:
    """``FindMatchingUntoleratedTaint`` with ``DoNotScheduleTaintsFilterFunc`` over :func:`spread_taints`."""
    for taint in spread_taints(node):
        if taint == TAINT_NODE_NOT_READY and tolerations_tolerate_taint(tolerations, TAINT_NODE_UNREACHABLE):
            continue
        if taint.effect in ("NoSchedule", "NoExecute") and not tolerations_tolerate_taint(tolerations, taint):
            return False
    return True


def satisfies_pod_topology_spread(state: ClusterState, node: Node, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/scheduler/framework/plugins/podtopologyspread/filtering.go ``Filter``
    over the counts ``calPreFilterState`` builds (common.go for the helpers), evaluated for one node.

    Constraints: the pod's ``whenUnsatisfiable: DoNotSchedule`` ones (no constraint: PreFilter's Skip, a
    pass; the system default constraints are ScheduleAnyway, so they never filter), each with the selector
    of :func:`spread_constraint_selector` (one that does not parse fails the pod on every node: PreFilter's
    error).  PreFilter, over **every** node of the snapshot: a node carrying every constraint's topology key
    (``nodeLabelsMatchSpreadConstraints``; ``node_topology_value``) contributes to constraint *i* when it
    passes ``matchNodeInclusionPolicies`` (``nodeAffinityPolicy`` Honor by default: the pod's nodeSelector
    and required node affinity match it; ``nodeTaintsPolicy`` Ignore by default, else
    :func:`spread_taints` tolerated), and then its domain is counted, with ``countPodsMatchSelector``:
    the pods bound to it in the pod's namespace, not terminating (a deletion timestamp: #87621), not in a
    terminal phase (not in the cache: :data:`TERMINAL_PHASES`), whose labels the selector matches, none at
    all for a selector that is ``Empty()`` (``labelSelector: {}`` counts nothing: #116607).  Filter, per
    constraint in order: ``node`` lacks the key -> UnschedulableAndUnresolvable; else, with ``min`` the
    least count over the counted domains (0 when fewer domains than ``minDomains``, default 1),
    ``count(node's domain) + (1 if the selector matches the pod's own labels) - min > maxSkew`` ->
    Unschedulable."""
    return _pod_topology_spread_status(state, node, pod) == "Success"


def _pod_topology_spread_status(state: ClusterState, node: Node, pod: Pod) -> str:
    """:func:`satisfies_pod_topology_spread` with upstream's status code: ``Success``, ``Unschedulable``,
    ``UnschedulableAndUnresolvable`` or ``Error`` (a selector that does not parse)."""
    constraints = pod.topology_spread_constraints
    if not constraints:
        return "Success"
    try:
        selectors = [spread_constraint_selector(c, pod.labels) for c in constraints]
    except SelectorError:
        return "Error"
    required = get_required_node_affinity(pod)
    by_node: dict[str, list[Pod]] = {}
    for p in state.pods.values():
        if p.node_name is not None and p.namespace == pod.namespace and p.deletion_timestamp is None \
                and p.phase not in TERMINAL_PHASES:
            by_node.setdefault(p.node_name, []).append(p)
    counts: list[dict[str, int]] = [{} for _ in constraints]
    for n in state.nodes.values():
        values = [node_topology_value(n, c.topology_key) for c in constraints]
        if any(v is None for v in values):
            continue
        for i, (c, sel, value) in enumerate(zip(constraints, selectors, values)):
            if (c.node_affinity_policy or "Honor") == "Honor" and not required.match(n):
                continue
            if (c.node_taints_policy or "Ignore") == "Honor" and not _tolerates_spread_taints(n, pod.tolerations):
                continue
            assert value is not None
            matched = 0 if sel.empty() else sum(1 for p in by_node.get(n.name, ()) if sel.matches(p.labels))
            counts[i][value] = counts[i].get(value, 0) + matched
    for c, sel, domains in zip(constraints, selectors, counts):
        mine = node_topology_value(node, c.topology_key)
        if mine is None:
            return "UnschedulableAndUnresolvable"  # ErrReasonNodeLabelNotMatch
        least = 0 if len(domains) < (c.min_domains or 1) else min(domains.values())
        if domains.get(mine, 0) + (1 if sel.matches(pod.labels) else 0) - least > c.max_skew:
            return "Unschedulable"  # ErrReasonConstraintsNotMatch
    return "Success"


def node_fits(state: ClusterState, node: Node, pod: Pod | None = None) -> bool:
    """The filter plugins of the module docstring, in upstream's order; ``pod`` ``None`` = a pod
    with no placement constraints (kept for callers that only ask about the node)."""
    tolerations: tuple[Toleration, ...] = () if pod is None else pod.tolerations
    if not node.ready and not (
        tolerations_tolerate_taint(tolerations, TAINT_NODE_NOT_READY)
        or tolerations_tolerate_taint(tolerations, TAINT_NODE_UNREACHABLE)
    ):
        return False
    if node.unschedulable and not tolerations_tolerate_taint(tolerations, TAINT_NODE_UNSCHEDULABLE):
        return False
    if pod is not None:
        if (pod.node_selector or pod.node_affinity is not None) and not get_required_node_affinity(pod).match(node):
            return False
        if node.taints and find_matching_untolerated_taint(node.taints, tolerations) is not None:
            return False
        if not fits_ports(state, node, pod):
            return False
        if not satisfies_pod_topology_spread(state, node, pod):
            return False
        if not satisfies_inter_pod_affinity(state, node, pod):
            return False
    return pods_on_node(state, node.name) < node.pod_capacity


def find_nodes_that_fit(state: ClusterState, pod: Pod) -> tuple[Node, ...]:
    """Mirrors kubernetes/kubernetes pkg/scheduler/schedule_one.go findNodesThatFitPod (the filters of node_fits), in name order."""
    return tuple(n for n in state.nodes.values() if node_fits(state, n, pod))


def pending_pods(state: ClusterState) -> tuple[Pod, ...]:
    """Pods the scheduler would pick up: unbound and not being deleted, in key order."""
    return tuple(p for p in state.pods.values() if p.node_name is None and p.deletion_timestamp is None)


def bind(pod: Pod, node: Node) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/scheduler/framework/plugins/defaultbinder/default_binder.go Bind.

    The pods/binding subresource sets ``spec.nodeName`` and the PodScheduled condition in
    one call; the system applies both writes as one step.
    """
    bound = replace(pod, node_name=node.name)
    return (
        Update(bound),
        UpdateStatus(replace(bound, conditions=replace(pod.conditions, pod_scheduled=True))),
    )
