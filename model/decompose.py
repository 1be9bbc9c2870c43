"""Interaction groups: the parts of a cluster that can be explored apart.

Two objects *interact* when one can read or write what the other's behaviour depends on.  In
this model that happens only through:

* **owner references** (a ReplicaSet and its Deployment, a pod and its owner, a claim and its
  StatefulSet): the garbage collector and the controllers' adoption and release follow them;
* **label selectors**: a workload controller, a ReplicationController or a Service selects pods
  by labels.  The labels a pod can ever carry are those of an existing pod, of a workload's pod
  template (every pod a controller creates starts from its template), of a pod a scenario
  creates, or what a scenario's relabel action makes of one of those; a selector that matches any
  such label set joins its object to that label set's origin;
* **claims**: pods and templates that mount the same PersistentVolumeClaim name, and a
  StatefulSet's ``volumeClaimTemplates`` with the claims named after them;
* **host ports**: pods and templates whose containers use the same ``hostPort`` and protocol (the
  scheduler's NodePorts filter);
* **inter-pod (anti-)affinity**: a pod or template whose required pod affinity or anti-affinity term
  matches a label set joins that label set's origin (the scheduler's InterPodAffinity filter);
* **topology spread**: a pod or template whose DoNotSchedule topology spread constraint's selector
  matches a label set in its namespace joins that label set's origin (the scheduler's PodTopologySpread
  filter counts those pods per domain);
* **scale targets**: a HorizontalPodAutoscaler reads its ``scaleTargetRef``'s scale and pods and
  writes its ``spec.replicas``;
* **user actions** that touch several objects at once (a relabel whose ``match`` selects pods of
  several origins).

Nodes are shared by every group (each group's projection keeps every node).  What a group's
behaviour reads of another group through the nodes is the number of pods bound to a node (the
scheduler's ``pods`` resource fit, kubernetes/kubernetes pkg/scheduler/framework/plugins/
noderesources/fit.go); :func:`capacity_shares` splits each node's capacity among the groups so
that, while every group stays within its share, the fit test answers the same in the product
and in each group.  The argument that per-group exploration gives the product's verdicts for the
rules that are conjunctions over groups is in docs/semantics.md, "Decomposition".

Objects that belong to no group with behaviour (a Service that selects nothing, a claim no pod
mounts) never change in any run; they are put in the first group so that every object is in
exactly one projection.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

from model.environment import (
    CordonNode,
    CreatePod,
    DeleteNode,
    DrainNode,
    UncordonNode,
    DeleteObject,
    PauseDeployment,
    RelabelPods,
    ResumeDeployment,
    RollbackDeployment,
    ScaleWorkload,
    SetImage,
    SetLoad,
)
from model.labels import DOUBLE_EQUALS, EQUALS, IN, SelectorError, label_selector_as_selector, selector_from_set
from model.objects import kind_of
from model.scheduler import affinity_term_namespace
from model.state import ClusterState

__all__ = [
    "ObjectId",
    "Group",
    "WORKLOAD_KINDS",
    "interaction_groups",
    "may_select",
    "ADDED_POD_LABELS",
    "action_targets",
    "project",
    "capacity_shares",
    "pods_within_shares",
]

#: (kind, namespace, name)
ObjectId = tuple[str, str, str]

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DaemonSet")

#: How many rounds of relabelling are followed when building the label universe.  Each round
#: applies every relabel action to every label set found so far; a scenario's relabel budget is
#: small, and a fixpoint is usually reached in one or two rounds.
_RELABEL_ROUNDS = 4


@dataclass(frozen=True, slots=True)
class Group:
    """One connected part of the interaction graph: its objects (nodes excluded), sorted."""

    members: tuple[ObjectId, ...]
    #: Services among ``members`` whose selectors also match pods of other groups
    #: (``interaction_groups(split_services=True)``): kept in this group, their *anchor*; the search
    #: of this group must show that they never lose every serving endpoint here (docs/semantics.md,
    #: "Decomposition", shared Services)
    shared: tuple[ObjectId, ...] = ()

    @property
    def workloads(self) -> tuple[ObjectId, ...]:
        """The top-level and owned workload objects of the group, in member order."""
        return tuple(m for m in self.members if m[0] in WORKLOAD_KINDS)

    @property
    def label(self) -> str:
        """A short human name: the first workloads (or objects) of the group."""
        named = [m for m in self.members if m[0] in ("Deployment", "StatefulSet", "ReplicationController")]
        named = named or [m for m in self.members if m[0] in WORKLOAD_KINDS] or list(self.members)
        named += [m for m in self.members if m[0] == "Service"]
        text = ", ".join(f"{k} {ns}/{n}" for k, ns, n in named[:3])
        return text + (f" (+{len(named) - 3} more)" if len(named) > 3 else "")

    def __contains__(self, item: object) -> bool:
        return item in self._set()

    def _set(self) -> frozenset[ObjectId]:
        return frozenset(self.members)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[ObjectId, ObjectId] = {}

    def add(self, x: ObjectId) -> None:
        self.parent.setdefault(x, x)

    def find(self, x: ObjectId) -> ObjectId:
        self.add(x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: ObjectId, b: ObjectId) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _oid(obj: Any) -> ObjectId:
    return (kind_of(obj), obj.namespace, obj.name)


def _selector(obj: Any) -> Any | None:
    """The pod selector of a selecting object as a matcher; None when it selects nothing."""
    kind = kind_of(obj)
    if kind in ("Service", "ReplicationController"):
        return selector_from_set(obj.selector) if obj.selector else None
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        # A DaemonSet is a workload like the others: its pods come from its template and it claims
        # by its selector.  What it shares with every other group is the nodes: its pods take node
        # capacity (capacity_shares gives it one share per node) and it reads the nodes' labels,
        # taints, readiness and schedulability, which only node actions change (those do not split).
        return label_selector_as_selector(obj.selector) if obj.selector is not None else None
    if kind == "PodDisruptionBudget":
        # The disruption controller counts the pods it selects (an empty selector: all of the
        # namespace, disruption.go getPodsForPdb) and evictions of them spend its budget, so a
        # PDB joins every workload whose pods it selects.
        return label_selector_as_selector(obj.selector) if obj.selector is not None else None
    return None


def action_targets(action: Any) -> tuple[ObjectId, ...] | None:
    """The objects a user action writes, by id; None when it may touch objects not known in advance
    (a relabel selects pods by labels: :func:`interaction_groups` handles those itself)."""
    own = getattr(action, "targets", None)
    if callable(own):  # a self-describing action (model.undo, model.template_edits) names its objects
        return own()
    if isinstance(action, (ScaleWorkload, SetImage)):
        return ((action.kind, action.namespace, action.name),)
    if isinstance(action, (RollbackDeployment, PauseDeployment, ResumeDeployment)):
        return (("Deployment", action.namespace, action.name),)
    if isinstance(action, DeleteObject):
        if action.selector is not None:
            return None
        return ((action.kind, "" if action.kind == "Node" else action.namespace, action.name),)
    if isinstance(action, CreatePod):
        return (("Pod", action.pod.namespace, action.pod.name),)
    if isinstance(action, SetLoad):
        return (("HorizontalPodAutoscaler", action.namespace, action.hpa),)
    return None


def _updated(labels: Mapping[str, str], change: Mapping[str, str]) -> dict[str, str]:
    out = dict(labels)
    for k, v in change.items():
        if v == "":
            out.pop(k, None)
        else:
            out[k] = v
    return out


#: Labels a workload's controller adds to the pods it creates, beyond its template's, by the workload's kind:
#: the Deployment controller's ``pod-template-hash`` (pkg/controller/deployment/sync.go getNewReplicaSet, on the new
#: ReplicaSet's template; a ReplicaSet in the cluster carries it in its own template already); the StatefulSet
#: controller's ``controller-revision-hash``, ``statefulset.kubernetes.io/pod-name`` and
#: ``apps.kubernetes.io/pod-index`` (pkg/controller/statefulset/stateful_set_utils.go newStatefulSetPod,
#: initIdentity); the DaemonSet controller's ``controller-revision-hash`` and ``pod-template-generation``
#: (pkg/controller/daemon/util/daemonset_util.go CreatePodTemplate).  The values are not known in advance.
ADDED_POD_LABELS: Mapping[str, frozenset[str]] = {
    "Deployment": frozenset({"pod-template-hash"}),
    "StatefulSet": frozenset({"controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"}),
    "DaemonSet": frozenset({"controller-revision-hash", "pod-template-generation"}),
}


#: For a StatefulSet's pods, what values its ordinal labels can take: ``<set>-<ordinal>`` and the ordinal.
_ORDINAL_VALUES: Mapping[str, Any] = {
    "statefulset.kubernetes.io/pod-name": lambda name, v: re.fullmatch(re.escape(name) + r"-\d+", v) is not None,
    "apps.kubernetes.io/pod-index": lambda name, v: v.isdigit(),
}


def _may_meet(r: Any, origin: ObjectId) -> bool:
    """Whether a pod of ``origin`` may meet requirement ``r`` on a label its controller adds: for a StatefulSet's
    ``pod-name``/``pod-index`` with ``=``/``in``, some value has the ordinal form; otherwise yes (the value is not
    known in advance; ``!`` too, which only widens the match)."""
    check = _ORDINAL_VALUES.get(r.key) if origin[0] == "StatefulSet" else None
    if check is not None and r.operator in (IN, EQUALS, DOUBLE_EQUALS):
        return any(check(origin[2], v) for v in r.values)
    return True


def may_select(sel: Any, labels: Mapping[str, str], origin: ObjectId) -> bool:
    """Whether ``sel`` may match a pod of ``origin`` whose template (or own) labels are ``labels``.

    A requirement on a label ``origin``'s controller adds to its pods (:data:`ADDED_POD_LABELS`) is judged by what
    the controller may write there (:func:`_may_meet`), not by the template: the controller overwrites a template's
    own value (stateful_set_utils.go updateIdentity/setPodRevision, controller_utils CloneAndAddLabel, daemonset_util
    CreatePodTemplate).  Taking it as met is dropping a requirement, which only widens the match (more joins, never
    fewer).  A per-pod Service of a StatefulSet (``statefulset.kubernetes.io/pod-name: kafka-0``) thus joins
    StatefulSet ``kafka`` and no other workload unless the rest of its selector matches that one too."""
    added = ADDED_POD_LABELS.get(origin[0])
    if not added or sel.is_nothing:
        return bool(sel.matches(labels))
    return all(_may_meet(r, origin) if r.key in added else r.matches(labels) for r in sel.requirements)


def _pod_specs(cluster: ClusterState, actions: list[Any], items: Any) -> list[tuple[ObjectId, str, tuple[Any, ...]]]:
    """``(owner, namespace, items(spec))`` of every pod, every pod a ``CreatePod`` action brings and every workload
    template: the scheduling terms (``items``) a pod spec carries."""
    pods = [(_oid(p), p.namespace, tuple(items(p)))
            for p in (*cluster.pods.values(), *(a.pod for a in actions if isinstance(a, CreatePod)))]
    return pods + [(_oid(w), w.namespace, tuple(items(w.template))) for kind in WORKLOAD_KINDS for w in cluster.objects(kind)]


def _join_selected(uf: _UnionFind, universe: list[tuple[str, dict[str, str], ObjectId]],
                   owners: list[tuple[ObjectId, str, tuple[Any, ...]]], in_scope: Any) -> None:
    """Join each owner to every origin of a label set one of its terms (``.selector``) may select
    (:func:`may_select`) in a namespace ``in_scope(term, owner's namespace, namespace)`` allows.  An unset or
    unparsable selector matches no pod (model.scheduler: affinity_term_matches, satisfies_pod_topology_spread)."""
    for oid, namespace, terms in owners:
        for term in terms:
            if term.selector is None:
                continue
            try:
                sel = label_selector_as_selector(term.selector)
            except SelectorError:
                continue
            for ns, labels, origin in universe:
                if in_scope(term, namespace, ns) and may_select(sel, labels, origin):
                    uf.union(oid, origin)


def interaction_groups(cluster: ClusterState, actions: Iterable[Any] = (), split_services: bool = False) -> tuple[Group, ...] | None:
    """The connected parts of ``cluster``'s interaction graph under the user ``actions`` a scenario allows.

    None when the cluster cannot be split soundly: an action deletes, cordons, uncordons or drains
    a Node (every group depends on it).  Groups are ordered by their smallest member; objects without behaviour are in the
    first group (see the module docstring).

    ``split_services``: a Service does not join the groups of the pods it selects (no actor of the
    model reads a Service: only KC-ROLL-004 does).  A Service whose pods lie in one group goes there;
    one whose pods lie in several is *shared*: it goes to one of them, its anchor (``Group.shared``; the
    heaviest by :func:`_anchor_weight`: a Deployment that rolls with maxUnavailable 0, then replicas), and is up to the caller (the search of the anchor must show that
    the Service never loses its last endpoint there, else the split is not used).
    """
    actions = list(actions)
    uf = _UnionFind()
    by_uid: dict[str, ObjectId] = {}
    objects = [o for o in cluster.all_objects() if kind_of(o) != "Node"]
    by_oid = {_oid(o) for o in objects}
    for o in objects:
        uf.add(_oid(o))
        if o.uid:
            by_uid[o.uid] = _oid(o)
    for o in objects:
        for ref in o.owner_references:
            owner = by_uid.get(ref.uid)
            if owner is not None:
                uf.union(_oid(o), owner)
    for h in cluster.horizontal_pod_autoscalers.values():
        # The HPA reads its target's scale and pods and writes its spec.replicas
        # (horizontal.go reconcileAutoscaler): it belongs to its target's group.
        _api, kind, name = h.scale_target_ref
        if kind in WORKLOAD_KINDS and cluster.get(kind, h.namespace, name) is not None:
            uf.union(_oid(h), (kind, h.namespace, name))

    # The label universe: (namespace, labels, origin).
    universe: list[tuple[str, dict[str, str], ObjectId]] = []
    for p in cluster.pods.values():
        universe.append((p.namespace, dict(p.labels), _oid(p)))
    for kind in WORKLOAD_KINDS:
        for w in cluster.objects(kind):
            universe.append((w.namespace, dict(w.template.labels), _oid(w)))
    for a in actions:
        if isinstance(a, (CordonNode, UncordonNode, DrainNode, DeleteNode)):
            return None  # a node's schedulability and a drain's evictions reach every group
        targets = action_targets(a)
        if targets is not None and any(t[0] == "Node" for t in targets):
            return None
        if getattr(a, "whole_cluster", False):
            return None  # creates or changes objects the split cannot place in advance (model.apply): do not split
        if isinstance(a, DeleteObject) and (a.selector is not None or (a.kind, a.namespace, a.name) not in by_oid):
            return None  # deletes objects not known in advance (by selector, or controller-created): do not split
        if isinstance(a, CreatePod):
            uf.add(_oid(a.pod))
            universe.append((a.pod.namespace, dict(a.pod.labels), _oid(a.pod)))
    relabels = [a for a in actions if isinstance(a, RelabelPods)]
    for _ in range(_RELABEL_ROUNDS):
        grown = False
        for a in relabels:
            match = selector_from_set(a.match)
            hit = [(ns, labels, origin) for ns, labels, origin in universe
                   if ns == a.namespace and may_select(match, labels, origin)]
            for ns, labels, origin in hit:
                uf.union(hit[0][2], origin)  # one action may relabel pods of each of these origins
                new = _updated(labels, a.labels)
                if not any(n2 == ns and l2 == new and o2 == origin for n2, l2, o2 in universe):
                    universe.append((ns, new, origin))
                    grown = True
        if not grown:
            break
    else:
        return None  # the relabels keep producing new label sets: do not split

    hits: dict[ObjectId, list[ObjectId]] = {}  # split_services: a Service's selected origins
    for o in objects:
        sel = _selector(o)
        if sel is None:
            continue
        for ns, labels, origin in universe:
            if ns == o.namespace and may_select(sel, labels, origin):
                if split_services and kind_of(o) == "Service":
                    hits.setdefault(_oid(o), []).append(origin)
                else:
                    uf.union(_oid(o), origin)

    # Claims: pods and templates that mount a claim name; StatefulSet claim templates.
    for p in cluster.pods.values():
        for claim in p.claim_names():
            uf.union(_oid(p), ("PersistentVolumeClaim", p.namespace, claim))
    for kind in WORKLOAD_KINDS:
        for w in cluster.objects(kind):
            for v in w.template.volumes:
                if v.claim_name is not None:
                    uf.union(_oid(w), ("PersistentVolumeClaim", w.namespace, v.claim_name))
    for s in cluster.stateful_sets.values():
        for t in s.volume_claim_templates:
            pattern = re.compile(re.escape(f"{t.name}-{s.name}-") + r"\d+")
            for c in cluster.objects("PersistentVolumeClaim", s.namespace):
                if pattern.fullmatch(c.name):
                    uf.union(_oid(s), _oid(c))

    # Host ports: pods and templates whose containers use the same (protocol, hostPort): the scheduler's
    # NodePorts filter (model.scheduler.fits_ports) reads the ports of the other pods on a node.  The
    # host IP is not compared (a coarser join: never fewer interactions than upstream's CheckConflict).
    by_port: dict[tuple[str, int], list[ObjectId]] = {}
    users = [(_oid(p), p.spec_containers) for p in (*cluster.pods.values(), *(a.pod for a in actions if isinstance(a, CreatePod)))]
    users += [(_oid(w), w.template.containers) for kind in WORKLOAD_KINDS for w in cluster.objects(kind)]
    for oid, containers in users:
        for c in containers:
            for _, protocol, port in c.host_ports:
                by_port.setdefault((protocol, port), []).append(oid)
    for ids in by_port.values():
        for other in ids[1:]:
            uf.union(ids[0], other)

    # Inter-pod (anti-)affinity: the scheduler's InterPodAffinity filter (model.scheduler.satisfies_inter_pod_affinity)
    # reads the labels and nodes of the pods a required term matches, and an existing pod's anti-affinity term
    # reads the incoming pod's labels: a term joins its owner to every origin of a label set it matches.
    _join_selected(uf, universe, _pod_specs(cluster, actions, lambda spec: spec.pod_affinity + spec.pod_anti_affinity),
                   affinity_term_namespace)
    # Topology spread: the scheduler's PodTopologySpread filter (model.scheduler.satisfies_pod_topology_spread)
    # counts, on every node, the pods of the incoming pod's namespace that a constraint's selector matches: a
    # constraint joins its owner to every origin of a label set in its namespace that its labelSelector matches
    # (matchLabelKeys only narrow it; an unparsable selector: the owner fits no node and counts nothing).
    _join_selected(uf, universe, _pod_specs(cluster, actions, lambda spec: spec.topology_spread_constraints),
                   lambda _c, namespace, ns: ns == namespace)

    # Names: a pod called like a StatefulSet's ordinal (a bare Pod ``db-1`` beside StatefulSet ``db``)
    # holds the name the set would create; upstream's create then fails with AlreadyExists, for ever.
    created = [a.pod for a in actions if isinstance(a, CreatePod)]
    for s in cluster.stateful_sets.values():
        ordinal = re.compile(re.escape(f"{s.name}-") + r"\d+")
        for p in [*cluster.objects("Pod", s.namespace), *created]:
            if p.namespace == s.namespace and ordinal.fullmatch(p.name):
                uf.union(_oid(s), _oid(p))

    known = {_oid(o) for o in objects} | {_oid(a.pod) for a in actions if isinstance(a, CreatePod)}
    part_size = Counter(uf.find(x) for x in known)
    placed = {svc for svc in hits if part_size[uf.find(svc)] == 1}  # joined to nothing else (owner references)
    parts: dict[ObjectId, list[ObjectId]] = {}
    for x in sorted(known - placed):
        parts.setdefault(uf.find(x), []).append(x)
    action_objects = {t for a in actions for t in (action_targets(a) or ())}
    active: list[list[ObjectId]] = []
    static: list[ObjectId] = []
    for members in parts.values():
        lively = any(m[0] in WORKLOAD_KINDS or m[0] == "Pod" or m in action_objects for m in members)
        (active.append(members) if lively else static.extend(members))
    active.sort(key=lambda ms: ms[0])
    shared: dict[int, list[ObjectId]] = {}
    for svc in sorted(placed):  # split_services: each Service to the group(s) of the pods it selects
        where = {uf.find(origin) for origin in hits[svc]}
        idx = [i for i, ms in enumerate(active) if uf.find(ms[0]) in where]
        if not idx:
            static.append(svc)
            continue
        weight = {i: _anchor_weight(cluster, [o for o in hits[svc] if uf.find(o) == uf.find(active[i][0])]) for i in idx}
        anchor = max(idx, key=lambda i: (weight[i], -i))
        active[anchor] = sorted(active[anchor] + [svc])
        if len(idx) > 1:
            shared.setdefault(anchor, []).append(svc)
    if not active:
        return (Group(tuple(sorted(static))),) if static else ()
    active[0] = sorted(active[0] + static)
    return tuple(Group(tuple(ms), tuple(shared.get(i, ()))) for i, ms in enumerate(active))


def _anchor_weight(cluster: ClusterState, origins: list[ObjectId]) -> tuple[int, int]:
    """How likely a group is to keep a Service's endpoint (the anchor is the heaviest): first whether one
    of its Deployments rolls without taking a pod away (maxUnavailable 0, deployment_util.go
    MaxUnavailable), then the pods its origins stand for (a workload's ``spec.replicas``, a pod 1).  Only a
    choice: a wrong one costs a second search, never a verdict."""
    from model.deployment_util import max_unavailable

    keeps = 0
    pods = 0
    for origin in origins:
        w = cluster.get(*origin)
        if w is None:
            continue
        pods += 1 if origin[0] == "Pod" else int(getattr(w, "replicas", 1) or 0)
        if origin[0] == "Deployment" and w.strategy.type == "RollingUpdate" and w.replicas >= 1 and max_unavailable(w) == 0:
            keeps = 1
    return (keeps, pods)


def project(cluster: ClusterState, group: Group) -> ClusterState:
    """``cluster`` restricted to ``group``'s objects, every node kept (their orphaned-pod records
    restricted to the group's pods), the name and UID counters unchanged."""
    keep = group._set()
    pods = {(ns, n) for k, ns, n in group.members if k == "Pod"}
    out = ClusterState()
    for o in cluster.all_objects():
        if kind_of(o) == "Node":
            if o.orphaned_pods:
                o = replace(o, orphaned_pods=tuple(r for r in o.orphaned_pods if (r[0], r[1]) in pods))
            out = out.put(o)
        elif _oid(o) in keep:
            out = out.put(o)
    return out.with_counters(next_uid=cluster.next_uid, next_name=cluster.next_name)


def capacity_shares(cluster: ClusterState, groups: tuple[Group, ...]) -> tuple[dict[int, int], ...] | None:
    """Per group, the most pods it may have bound to a node of each capacity, so that the shares of
    all groups on one node add up to less than its capacity.

    Shares are proportional to ``1 + spec.replicas`` summed over a group's workloads (a DaemonSet
    counts two pods per node: one, and one more while it surges or a pod terminates).  While
    every group stays within its share, the scheduler's fit test (``pods < capacity``) is true
    for every node in the product and in every group alike.  None when some group already has
    more pods on a node than its share (the decomposition is then not used).
    """
    weights = []
    for g in groups:
        w = 1
        # An HPA may scale its target up to maxReplicas: weigh the target at that.
        hpa_max: dict[tuple[str, str, str], int] = {}
        for kind, ns, name in g.members:
            h = cluster.get(kind, ns, name) if kind == "HorizontalPodAutoscaler" else None
            if h is not None:
                t = (h.scale_target_ref[1], ns, h.scale_target_ref[2])
                hpa_max[t] = max(hpa_max.get(t, 0), h.max_replicas)
        for kind, ns, name in g.workloads:
            obj = cluster.get(kind, ns, name)
            if kind == "DaemonSet":
                w += 2 * len(cluster.nodes)
                continue
            w += max(0, int(getattr(obj, "replicas", 0) or 0), hpa_max.get((kind, ns, name), 0))
        weights.append(w)
    total = sum(weights)
    caps = sorted({n.pod_capacity for n in cluster.nodes.values()})
    shares = tuple({cap: (max(cap - 1, 0) * w) // total for cap in caps} for w in weights)
    for g, share in zip(groups, shares):
        pods = {(ns, n) for k, ns, n in g.members if k == "Pod"}
        for node in cluster.nodes.values():
            bound = sum(1 for key, p in cluster.pods.items() if key in pods and p.node_name == node.name)
            if bound > share[node.pod_capacity]:
                return None
    return shares


def pods_within_shares(cluster: ClusterState, share: Mapping[int, int]) -> bool:
    """Every node holds at most ``share[capacity]`` pods (terminating ones included, as the
    scheduler counts them: :func:`model.scheduler.pods_on_node`)."""
    counts: dict[str, int] = {}
    for p in cluster.pods.values():
        if p.node_name is not None:
            counts[p.node_name] = counts.get(p.node_name, 0) + 1
    for node in cluster.nodes.values():
        if counts.get(node.name, 0) > share.get(node.pod_capacity, 0):
            return False
    return True
