"""Footprints of the Kubernetes model's actions, for partial-order reduction (kubecheck.core.por).

The engine asks a system two things (see :mod:`kubecheck.core.por` for the contract):
``footprint(state, action)``, what an enabled action reads and writes, and ``potential(state)``,
per actor, everything it may read and write in any state reachable from ``state``.  This module
declares both for :class:`model.system.KubeSystem`; docs/semantics.md ("Partial-order reduction")
argues each declaration.

**Locations** (tuples; a prefix stands for everything it prefixes):

* ``(Kind, field, namespace, name)``: one field of one object (``field`` is the dataclass field
  name; ``"$exists"`` is the object's existence).  ``(Kind, field)`` is that field of every object
  of the kind, ``(Kind, field, ns)`` of every object in the namespace, ``(Kind,)`` everything.
* ``(Kind, field, namespace, ("$new", creator))``: the objects ``creator`` may create (their names
  are generated, so not known in advance; distinct from every existing object).
* ``("$ids",)``: the identifiers the API server may hand out (``model.system.reserved_identifiers``:
  a create reads and writes it, a step that frees an identifier writes it).
* ``("$pending", *actor_key)``: a controller's pending writes.  ``("$budget", "user", i)`` and
  ``("$budget", "fault", kind)``: the budgets.
* ``creation_index`` is not a location: normalisation renumbers it densely after a removal, which
  keeps the relative order of the objects that stay, and only that order is read (docs/semantics.md).

**Reads are semantic**: an actor's reads are the locations its enabled actions and their effects
depend on, not every attribute its code touches.  A ReplicaSet controller lists every pod of its
namespace but its sync is a function of the pods its selector (or its Deployment's) matches and
the pods it controls; that is declared, and it holds only while no actor can write a pod's
labels (``potential`` checks it and falls back to whole-kind reads otherwise).

**Writes are the fields an action assigns** (not only those it changes: a write that happens to
leave a field as it was still orders against another writer of that field): an ``Update`` assigns
the spec and metadata, an ``UpdateStatus`` the kind's status fields, a ``Delete`` (or a removal)
every field, a ``Create`` every field of a new object of its creator.

**Debug mode** (``KUBECHECK_FOOTPRINT_CHECK=1``): every step the system takes is checked against
the declarations: the fields it really changed (a diff of the two states) must be declared writes
of the action and of its actor's potential, and the tables and objects its controller or kubelet
code really read (:class:`model.state.ReadTracker`, recorded by the system's memo) must be covered
by the actor's declared reads at kind level.  A mismatch raises :class:`FootprintError`.
"""

from __future__ import annotations

import os
from dataclasses import fields as dc_fields
from functools import lru_cache
from typing import Any, Hashable, Iterable

from kubecheck.core.por import EVERYTHING, Footprint, FootprintViolation, overlaps
from kubecheck.core.ts import Action
from model.api import Create, Delete, Update, UpdateStatus, Write
from model.apiserver import STATUS_FIELDS
from model.labels import label_selector_as_selector
from model.objects import KINDS, kind_of
from model.system import KubeSystem

__all__ = [
    "FOOTPRINT_CHECK_ENV",
    "FootprintError",
    "EXISTS",
    "NEW",
    "IDS",
    "obj_locs",
    "field_locs",
    "write_locs",
    "action_footprint",
    "potential_footprints",
    "check_step",
    "PorSystem",
    "potential_shape",
    "capacity_guard",
    "GUARD_READS",
    "may_flap",
]

#: Set (to anything but "" or "0") to check every step against its declared footprint.
FOOTPRINT_CHECK_ENV = "KUBECHECK_FOOTPRINT_CHECK"

EXISTS = "$exists"
NEW = "$new"
#: ``("$deleted", Kind)``: some object of the kind may be removed or marked for deletion (what wakes
#: the garbage collector); a Delete writes it besides the object's own locations
DELETED = "$deleted"
IDS: tuple[str] = ("$ids",)

Loc = tuple[Hashable, ...]


class FootprintError(FootprintViolation):
    """An action touched a location its declaration does not cover (debug mode)."""


def _fields(kind: str) -> tuple[str, ...]:
    return _FIELDS[kind]


_FIELDS: dict[str, tuple[str, ...]] = {
    k: tuple(f.name for f in dc_fields(cls) if f.name != "creation_index") for k, (cls, _) in KINDS.items()
}
_ATTR_KIND: dict[str, str] = {attr: k for k, (_, attr) in KINDS.items()}


@lru_cache(maxsize=100_000)
def obj_locs(kind: str, ns: str, name: Hashable) -> frozenset[Loc]:
    """Every field (and the existence) of one object."""
    out: set[Loc] = {(kind, f, ns, name) for f in _fields(kind)}
    out.add((kind, EXISTS, ns, name))
    return frozenset(out)


def field_locs(kind: str, names: Iterable[str], ns: str | None = None) -> set[Loc]:
    """The given fields of every object of ``kind`` (in ``ns`` if given)."""
    return {(kind, f) if ns is None else (kind, f, ns) for f in names}


def new_tag(creator: Hashable) -> tuple[str, Hashable]:
    return (NEW, creator)


def ids_name(kind: str, ns: str, name: Any) -> Loc:
    """By-creator allocation: the identifiers of ``kind ns/name`` (its incarnations' UIDs, the name).
    The name is split at ``-`` so that a generated-name prefix is a tuple prefix (:func:`ids_prefix`)."""
    if not isinstance(name, str):
        return ("$ids", kind, ns)
    return ("$ids", kind, ns, *name.split("-"))


def ids_prefix(kind: str, ns: str, prefix: str) -> Loc:
    """By-creator allocation: every name ``<prefix><n>`` (and their UIDs) of ``kind`` in ``ns``."""
    if not prefix.endswith("-"):
        return ("$ids", kind, ns)
    return ("$ids", kind, ns, *prefix[:-1].split("-"))


def write_locs(w: Write, creator: Hashable, by_creator: bool = False) -> set[Loc]:
    """The locations one API write assigns (``creator``: the actor key, for a Create's new object).
    ``by_creator``: the identifiers it takes or frees are those of its own name (``Scenario.identifiers``),
    not the global ``$ids``."""
    if isinstance(w, Create):
        k = kind_of(w.obj)
        ids = (ids_prefix(k, w.obj.namespace, w.generate_name) if w.generate_name else ids_name(k, w.obj.namespace, w.obj.name)) if by_creator else IDS
        return set(obj_locs(k, w.obj.namespace, new_tag(creator))) | {ids}
    if isinstance(w, Delete):
        return set(obj_locs(w.kind, w.namespace, w.name)) | {ids_name(w.kind, w.namespace, w.name) if by_creator else IDS, (DELETED, w.kind)}
    k = kind_of(w.obj)
    ns, name = w.obj.namespace, w.obj.name
    status = STATUS_FIELDS[k]
    if isinstance(w, UpdateStatus):
        names: tuple[str, ...] = status + (("annotations",) if k == "Deployment" else ())
    else:
        names = tuple(f for f in _fields(k) if f not in status)
    return {(k, f, ns, name) for f in names}


# ----------------------------------------------------------------------------- selectors


_HASH = "pod-template-hash"


@lru_cache(maxsize=100_000)
def _might_match(selector: Any, labels: Any) -> bool:
    """Whether ``selector`` could match a pod made from a template with ``labels``: every requirement on a label a
    controller adds on creation (``model.decompose.ADDED_POD_LABELS``: pod-template-hash, the StatefulSet's pod-name,
    pod-index and controller-revision-hash, the DaemonSet's), in matchLabels or matchExpressions, is ignored, so this
    over-approximates.  A selector that cannot be parsed matches nothing upstream, but here it is taken to match
    (over-approximation)."""
    if selector is None:
        return True
    try:
        from dataclasses import replace

        from model.decompose import ADDED_POD_LABELS
        from model.frozen import FrozenMap

        added = frozenset().union(*ADDED_POD_LABELS.values())
        ml = FrozenMap({k: v for k, v in selector.match_labels.items() if k not in added})
        me = tuple(r for r in selector.match_expressions if r.key not in added)
        sel = label_selector_as_selector(replace(selector, match_labels=ml, match_expressions=me))
    except Exception:  # noqa: BLE001 - over-approximate
        return True
    return bool(sel.matches(labels))


@lru_cache(maxsize=100_000)
def _matches(selector: Any, labels: Any) -> bool:
    try:
        return bool(label_selector_as_selector(selector).matches(labels))
    except Exception:  # noqa: BLE001 - over-approximate
        return True


# ------------------------------------------------------------------------------ potentials


class _Ctx:
    """What the potential of one state needs, computed once."""

    def __init__(self, system: Any, state: Any) -> None:
        self.system = system
        self.state = state
        self.c = state.cluster
        c = self.c
        #: pod creators: (creator key, namespace, template labels)
        self.pod_creators: list[tuple[Hashable, str, Any]] = []
        for (ns, name), rs in c.replica_sets.items():
            self.pod_creators.append((("replicaset", ns, name), ns, rs.template.labels))
        for (ns, name), d in c.deployments.items():
            # the pods of a ReplicaSet the Deployment will create (the template may change with a
            # user's set image, whose labels stay)
            self.pod_creators.append((("replicaset-of", ns, name), ns, d.template.labels))
        #: may a user change a Deployment's strategy (then the Recreate pod reads count)?
        self.strategy_writable = False
        #: the potentials of the users and faults (set by potential_footprints)
        self.others: list[tuple[Hashable, Footprint]] = []
        #: Scenario.identifiers == "by-creator": identifier locations per name (:func:`ids_name`)
        self.by_creator: bool = getattr(system, "_by_creator", False)
        self.rs_creators: list[tuple[Hashable, str, Any]] = [
            (("deployment", ns, name), ns, d.template.labels) for (ns, name), d in c.deployments.items()
        ]

    def rs_scope(self, ns: str, selectors: list[Any], owner_uids: set[str]) -> set[Loc]:
        """Every field of the ReplicaSets of ``ns`` a selector might match (the pod-template-hash
        aside) or an owner in ``owner_uids`` controls, and of the ReplicaSets a Deployment whose
        template a selector might match may create: what claimReplicaSets and
        getReplicaSetsWithSameController look at (the others they list and skip)."""
        out: set[Loc] = set()
        for (rns, rname), rs in self.c.replica_sets.items():
            if rns != ns:
                continue
            ref = rs.controller_ref()
            if (ref is not None and ref.uid in owner_uids) or any(_might_match(sel, rs.labels) for sel in selectors):
                out |= obj_locs("ReplicaSet", ns, rname)
        for creator, cns, labels in self.rs_creators:
            if cns == ns and any(_might_match(sel, labels) for sel in selectors):
                out |= obj_locs("ReplicaSet", ns, new_tag(creator))
        return out

    def pod_scope(self, ns: str, selectors: list[Any], owner_uids: set[str]) -> set[Loc]:
        """Every field of the pods of ``ns`` a selector matches or an owner in ``owner_uids``
        controls, and of the new pods of every creator whose template a selector might match."""
        out: set[Loc] = set()
        for (pns, pname), p in self.c.pods.items():
            if pns != ns:
                continue
            ref = p.controller_ref()
            if (ref is not None and ref.uid in owner_uids) or any(_matches(s, p.labels) for s in selectors):
                out |= obj_locs("Pod", ns, pname)
        for creator, cns, labels in self.pod_creators:
            if cns == ns and any(_might_match(s, labels) for s in selectors):
                out |= obj_locs("Pod", ns, new_tag(creator))
        return out


_IDENTITY = ("name", "namespace", "uid", "generate_name")
_DELETION = ("deletion_timestamp", "deletion_grace_period_seconds", "finalizers")


def _same_template(d: Any, rs: Any) -> bool:
    """The ReplicaSet has the Deployment's template (up to the pod-template-hash label)."""
    labels = {k: v for k, v in rs.template.labels.items() if k != _HASH}
    return dict(d.template.labels) == labels and d.template.containers == rs.template.containers




def _replicaset_potential(ctx: _Ctx, ns: str, name: str, whole_pods: bool) -> Footprint:
    c = ctx.c
    rs = c.replica_sets.get((ns, name))
    if rs is None:
        return Footprint.of([EVERYTHING], [EVERYTHING])
    ids: set[Loc] = {IDS}
    if ctx.by_creator:
        # its pods' names and UIDs; its own and its owners' UIDs (its pending writes mention them)
        ids = {ids_prefix("Pod", ns, f"{name}-"), ids_name("ReplicaSet", ns, name)}
        ids |= {ids_name(ref.kind, ns, ref.name) for ref in rs.owner_references}
    reads: set[Loc] = set(obj_locs("ReplicaSet", ns, name)) | ids
    # its own object: the status only (updateReplicaSetStatus)
    writes: set[Loc] = {("ReplicaSet", f, ns, name) for f in STATUS_FIELDS["ReplicaSet"]}
    writes |= ids | {("$pending", "replicaset", ns, name)}
    reads.add(("$pending", "replicaset", ns, name))
    ref = rs.controller_ref()
    selectors = [rs.selector]
    owners = {rs.uid}
    if ref is not None:
        owner = c.by_uid(ref.uid)
        if owner is not None and kind_of(owner) == "Deployment":
            selectors.append(owner.selector)
        # related ReplicaSets (same controller): their pods are read for the ranking
        for other in c.replica_sets.values():
            oref = other.controller_ref()
            if oref is not None and oref.uid == ref.uid:
                selectors.append(other.selector)
                owners.add(other.uid)
    ctrl_uids = {ref.uid} if ref is not None else set()
    reads |= {("ReplicaSet",)} if whole_pods else ctx.rs_scope(ns, selectors, ctrl_uids | owners)
    scope: set[Loc] = {("Pod",)} if whole_pods else ctx.pod_scope(ns, selectors, owners)
    reads |= scope
    own_scope = {("Pod",)} if whole_pods else ctx.pod_scope(ns, [rs.selector], {rs.uid})
    if ctx.by_creator:  # the pods it may adopt or delete under names of their own
        ids2 = {ids_name("Pod", ns, loc[3]) for loc in own_scope if len(loc) == 4 and isinstance(loc[3], str)}
        if any(len(loc) < 4 for loc in own_scope):
            ids2.add(("$ids",))
        reads |= ids2
        writes |= ids2
    writes |= own_scope | obj_locs("Pod", ns, new_tag(("replicaset", ns, name))) | {(DELETED, "Pod")}
    return Footprint.of(reads, writes)


def _deployment_potential(ctx: _Ctx, ns: str, name: str, whole_pods: bool) -> Footprint:
    c = ctx.c
    d = c.deployments.get((ns, name))
    if d is None:
        return Footprint.of([EVERYTHING], [EVERYTHING])
    reads: set[Loc] = set(obj_locs("Deployment", ns, name)) | ({("ReplicaSet",)} if whole_pods else ctx.rs_scope(ns, [d.selector], {d.uid}))
    reads.add(("$pending", "deployment", ns, name))
    # its own object: status, annotations, spec (rollback), never its identity or its deletion
    writes: set[Loc] = {("Deployment", f, ns, name) for f in _fields("Deployment") if f not in _IDENTITY + _DELETION}
    writes.add(("$pending", "deployment", ns, name))
    scoped: list[str] = []
    for (rns, rname), rs in c.replica_sets.items():
        if rns != ns:
            continue
        ref = rs.controller_ref()
        if (ref is not None and ref.uid == d.uid) or _matches(d.selector, rs.labels):
            scoped.append(rname)
    # cleanupDeployment deletes old ReplicaSets only beyond revisionHistoryLimit: possible only if
    # the ReplicaSets there are, plus one per rollout the users may still start, exceed it
    rollouts = sum(state_left for state_left in ctx.state.user_budget)
    may_delete = len(scoped) + rollouts + 1 > d.revision_history_limit
    spared = {EXISTS, *_DELETION}
    for rname in scoped:
        loc = obj_locs("ReplicaSet", ns, rname)
        reads |= loc
        writes |= loc if may_delete else {x for x in loc if x[1] not in spared}  # adopt, scale (, delete)
    # getNewReplicaSet creates a ReplicaSet only when none has the Deployment's template; a user's
    # set image may change the template later
    template_writable = any(
        overlaps(fp.writes, [("Deployment", "template", ns, name)]) for _, fp in ctx.others
    )
    creates = template_writable or not any(_same_template(d, c.replica_sets[(ns, r)]) for r in scoped)
    ids: set[Loc] = {IDS}
    if ctx.by_creator:  # its ReplicaSets' names and UIDs, its own UID (its pending writes mention them)
        ids = {ids_prefix("ReplicaSet", ns, f"{name}-"), ids_name("Deployment", ns, name)}
        ids |= {ids_name("ReplicaSet", ns, r) for r in scoped}
        reads |= ids
        writes |= ids
    if creates:
        reads |= ids
        writes |= ids
        for creator, cns, labels in ctx.rs_creators:
            if cns == ns and _might_match(d.selector, labels):
                reads |= obj_locs("ReplicaSet", ns, new_tag(creator))
        tag = new_tag(("deployment", ns, name))
        writes |= obj_locs("ReplicaSet", ns, tag)  # a creation brings every field into being
    if may_delete:
        writes |= ids | {(DELETED, "ReplicaSet")}
    # the Pods are read by Recreate only (getPodMapForDeployment)
    if d.strategy.type == "Recreate" or ctx.strategy_writable:
        reads |= {("Pod",)} if whole_pods else ctx.pod_scope(ns, [d.selector], set())
    return Footprint.of(reads, writes)


def _kubelet_potential(ns: str, name: Hashable, ids: set[Loc] | None = None) -> Footprint:
    """``ids``: under the by-creator allocation, the identifier locations its final delete may free
    (the pod's own, its owners'); the IP and sandbox id come from the pod alone then."""
    if ids is None:
        reads = set(obj_locs("Pod", ns, name)) | {("Node",), ("Pod", "sandbox"), ("PersistentVolumeClaim",), IDS}
        writes = set(obj_locs("Pod", ns, name)) | {IDS, (DELETED, "Pod")}
    else:
        reads = set(obj_locs("Pod", ns, name)) | {("Node",), ("PersistentVolumeClaim",)} | ids
        writes = set(obj_locs("Pod", ns, name)) | ids | {(DELETED, "Pod")}
    return Footprint.of(reads, writes)


def _pod_ids(ctx: "_Ctx", ns: str, name: Hashable, owners: Iterable[tuple[str, str]] | None) -> set[Loc] | None:
    """By-creator allocation: the identifier locations a pod's removal frees: its name's and its
    owners' (``owners``: (kind, name) pairs; None: unknown, every identifier).  None when the
    allocation is the default one."""
    if not ctx.by_creator:
        return None
    if owners is None:
        return {IDS}
    return {ids_name("Pod", ns, name)} | {ids_name(k, ns, n) for k, n in owners}


#: What :meth:`PorSystem.por_guard` reads: how many pods exist, their containers' host ports, (anti-)affinity
#: terms and topology spread constraints, and the nodes' pod capacity.
GUARD_READS: frozenset[Loc] = frozenset({("Pod", EXISTS), ("Pod", "spec_containers"), ("Pod", "pod_affinity"),
                                        ("Pod", "pod_anti_affinity"), ("Pod", "topology_spread_constraints"),
                                        ("Node", "pod_capacity"), ("Node", EXISTS)})


def capacity_guard(cluster: Any) -> bool:
    """No node can be full for a pod the scheduler places: at most as many pods exist as the smallest
    node's ``pod_capacity``.  Then a pending pod sees at most ``len(pods) - 1`` bound pods on any node,
    fewer than its capacity, and NodeResourcesFit (``model.scheduler.node_fits``, the only filter that
    reads other pods besides NodePorts) passes: the scheduler's steps are a function of its own pod and the nodes.
    NodePorts (``model.scheduler.fits_ports``) reads the host ports of the pods on a node: while any pod
    declares one, the guard is false (no reduction in that state); so is InterPodAffinity
    (``model.scheduler.satisfies_inter_pod_affinity``), which reads the labels and nodes of other pods
    while any pod has a required pod affinity or anti-affinity term, and PodTopologySpread
    (``model.scheduler.satisfies_pod_topology_spread``), which counts the matching pods on every node while
    any pod has a DoNotSchedule topology spread constraint."""
    if any(c.host_ports for p in cluster.pods.values() for c in p.spec_containers):
        return False
    if any(p.pod_affinity or p.pod_anti_affinity or p.topology_spread_constraints for p in cluster.pods.values()):
        return False
    if not cluster.nodes:
        return True
    return len(cluster.pods) <= min(n.pod_capacity for n in cluster.nodes.values())


def _scheduler_potential(ns: str, name: Hashable) -> Footprint:
    """The scheduler of one pod, declared for the guarded system (:func:`capacity_guard`: the
    capacity filter passes): its pod, the nodes, the claims; no other pod."""
    reads = set(obj_locs("Pod", ns, name)) | {("Node",), ("PersistentVolumeClaim",)}
    writes = {("Pod", "node_name", ns, name), ("Pod", "conditions", ns, name)} | {
        ("Pod", f, ns, name) for f in _fields("Pod") if f not in STATUS_FIELDS["Pod"]
    }
    return Footprint.of(reads, writes)


_OWNER_FIELDS = ("uid", "min_ready_seconds", EXISTS)


def _expiry_pod_potential(ns: str, name: Hashable, owners: set[Loc] | None = None) -> Footprint:
    """``owners``: the locations of the objects that can be the pod's controller (by-creator
    allocation, a pod with a controller that cannot change: only its owner's minReadySeconds is
    read); None: every object's."""
    reads = obj_locs("Pod", ns, name)
    if owners is None:
        for k in KINDS:
            reads |= {(k, f) for f in _OWNER_FIELDS if f == EXISTS or f in _fields(k)}
    else:
        reads = reads | owners
    return Footprint.of(reads, {("Pod", f, ns, name) for f in STATUS_FIELDS["Pod"]})


def _future_pods(creator: Hashable, ns: str, ctx: "_Ctx | None" = None) -> Footprint:
    """Every pod-level actor (kubelet, scheduler, expiry) of the pods ``creator`` may create."""
    tag = new_tag(creator)
    ids: set[Loc] | None = None
    owners: set[Loc] | None = None
    if ctx is not None and ctx.by_creator and isinstance(creator, tuple) and creator[:1] in (("replicaset",), ("replicaset-of",)):
        if creator[0] == "replicaset":
            ids = {ids_prefix("Pod", ns, f"{creator[2]}-"), ids_name("ReplicaSet", ns, creator[2])}
            owners = {("ReplicaSet", f, ns, creator[2]) for f in _OWNER_FIELDS}
        else:  # the pods of a ReplicaSet the Deployment will create, named <deployment>-<hash>
            ids = {ids_prefix("Pod", ns, f"{creator[2]}-"), ids_prefix("ReplicaSet", ns, f"{creator[2]}-")}
            owners = set(obj_locs("ReplicaSet", ns, new_tag(("deployment", ns, creator[2])))) | {
                ("ReplicaSet", f, ns, r) for (rns, r), rs in ctx.c.replica_sets.items() if rns == ns and _rs_of(rs, ctx.c, creator[2]) for f in _OWNER_FIELDS
            }
    elif ctx is not None and ctx.by_creator:
        ids = {IDS}
    return _kubelet_potential(ns, tag, ids) | _scheduler_potential(ns, tag) | _expiry_pod_potential(ns, tag, owners)


def _rs_of(rs: Any, c: Any, dname: str) -> bool:
    ref = rs.controller_ref()
    return ref is not None and ref.kind == "Deployment" and ref.name == dname




def _images_of(template: Any) -> Iterable[Any]:
    """The container specs (regular and init) of a pod or a pod template."""
    yield from getattr(template, "containers", ())
    yield from getattr(template, "spec_containers", ())
    yield from getattr(template, "init_containers", ())


def may_flap(system: Any, c: Any, user_fps: list[tuple[Hashable, Footprint]]) -> bool:
    """Whether ``fault_readiness_probe_fails`` may ever be enabled from a state with cluster ``c``.

    It needs a pod container with a readiness probe whose image's readiness flaps
    (:func:`model.kubelet.image_facts`).  A pod's containers come from its creation (a controller
    copies a template: a ReplicaSet's, a Deployment's through a new ReplicaSet, a StatefulSet's or
    DaemonSet's or a ControllerRevision's) and are never changed afterwards in this model; templates
    change only through users (``set image``: its image; any other user action: anything).  So if no
    container of an existing pod or template, and no image a ``set image`` may write, flaps, none
    ever will.  Over-approximates: the probe is not required of the template's images.
    """
    from model.environment import SetImage
    from model.kubelet import image_facts

    images = system.scenario.images
    for ua in system._user_actions:
        if isinstance(ua, SetImage):
            if any(image_facts(images, image).ready == "flaps" for _, image in ua.pairs()):
                return True
    if any(EVERYTHING in fp.writes for _, fp in user_fps):
        return True
    for _kind, (_cls, attr) in KINDS.items():
        for o in getattr(c, attr).values():
            for holder in (o, getattr(o, "template", None), getattr(o, "data", None)):
                if holder is None:
                    continue
                for spec in _images_of(holder):
                    if image_facts(images, spec.image).ready == "flaps":
                        return True
    return False


def _all_fields_footprint() -> Footprint:
    return Footprint.of([EVERYTHING], [EVERYTHING])


def potential_footprints(system: Any, state: Any) -> list[tuple[Hashable, Footprint]] | None:
    """Per actor key, everything it may read and write from ``state`` on (None: unknown)."""
    if system.scenario.stale_reads:
        return None  # every step writes ``previous``, which every stale reconcile reads
    if getattr(system, "_by_creator", False) and state.informer is not None:
        return None  # the caches mention identifiers of every workload
    ctx = _Ctx(system, state)
    c = ctx.c
    fam = system.families
    out: list[tuple[Hashable, Footprint]] = []
    everything = _all_fields_footprint()

    # user actions and faults first: whether anyone may write pod labels decides the scopes
    user_fps: list[tuple[Hashable, Footprint]] = []
    from model.environment import SetImage, is_fair

    for idx, (ua, left) in enumerate(zip(system._user_actions, state.user_budget)):
        if left <= 0:
            continue
        key: Hashable = ("operator", idx) if is_fair(ua) else ("user", idx)
        budget = ("$budget", "user", idx)
        if isinstance(ua, SetImage) and ua.kind == "Deployment":
            # an atomic read-modify-write of the Deployment: it reads all of it and changes the
            # template (and the API server bumps the generation)
            locs = obj_locs(ua.kind, ua.namespace, ua.name)
            fp = Footprint.of(locs | {budget}, {(ua.kind, f, ua.namespace, ua.name) for f in ("template", "generation")} | {budget})
        else:
            fp = everything
            ctx.strategy_writable = True
        user_fps.append((key, fp))
    fault_fps: list[tuple[Hashable, Footprint]] = []
    f = state.faults
    pod_status = lambda *names: field_locs("Pod", names)  # noqa: E731
    if f.container_crash:
        b = ("$budget", "fault", "container_crash")
        fault_fps.append((("fault", "container_crash"), Footprint.of(pod_status("node_name", "container_statuses") | {b}, pod_status("container_statuses") | {b})))
    if f.sandbox_death:
        b = ("$budget", "fault", "sandbox_death")
        fault_fps.append((("fault", "sandbox_death"), Footprint.of(pod_status("sandbox", "container_statuses") | {b}, pod_status("sandbox", "container_statuses") | {b})))
    for kind_ in ("node_failure", "node_recovery", "force_delete"):
        if getattr(f, kind_):
            fault_fps.append((("fault", kind_), everything))
    if f.controller_crash and state.pending:
        b = ("$budget", "fault", "controller_crash")
        fault_fps.append((("fault", "controller_crash"), Footprint.of({("$pending",), b}, {("$pending",), b})))
    if f.write_failure:  # a refused write: drops pending writes, or replaces a reconcile's first write (conservative)
        fault_fps.append((("fault", "write_failure"), everything))
    # readiness flaps (no budget): a running container stops being ready; never, in any reachable
    # state, when no image that may run can flap (docs/semantics.md, "Readiness flaps")
    if may_flap(system, c, user_fps):
        fault_fps.append((("fault", ""), Footprint.of(pod_status("node_name", "deletion_timestamp", "init_containers", "spec_containers", "container_statuses"), pod_status("container_statuses"))))
    else:
        fault_fps.append((("fault", ""), Footprint.of(set(), set())))

    others = user_fps + fault_fps
    ctx.others = others
    # the scopes are by labels: if a user or a fault may relabel pods or ReplicaSets, read them all
    whole_pods = any(overlaps(fp.writes, [("Pod", "labels"), ("ReplicaSet", "labels")]) for _, fp in others)

    for spec_name in system._syncs:
        if spec_name == "deployment":
            for (ns, name) in c.deployments.keys():
                out.append((("deployment", ns, name), _deployment_potential(ctx, ns, name, whole_pods)))
            for ak in state.pending:
                if ak[0] == "deployment" and (ak[1], ak[2]) not in c.deployments:
                    out.append((ak, everything))
        elif spec_name == "replicaset":
            for (ns, name) in c.replica_sets.keys():
                out.append((("replicaset", ns, name), _replicaset_potential(ctx, ns, name, whole_pods)))
            for ak in state.pending:
                if ak[0] == "replicaset" and (ak[1], ak[2]) not in c.replica_sets:
                    out.append((ak, everything))
            # ReplicaSets the Deployments will create
            for (ns, name), d in c.deployments.items():
                tag = new_tag(("deployment", ns, name))
                fids: set[Loc] = {ids_prefix("Pod", ns, f"{name}-"), ids_prefix("ReplicaSet", ns, f"{name}-"), ids_name("Deployment", ns, name)} if ctx.by_creator else {IDS}
                out.append((("replicaset", ns, tag), everything if whole_pods else Footprint.of(
                    obj_locs("ReplicaSet", ns, tag) | ctx.pod_scope(ns, [d.selector], set()) | fids | ctx.rs_scope(ns, [d.selector], {d.uid}),
                    {("ReplicaSet", f, ns, tag) for f in STATUS_FIELDS["ReplicaSet"]} | ctx.pod_scope(ns, [d.selector], set()) | fids | {(DELETED, "Pod")},
                )))
        elif spec_name in ("garbagecollector", "nodelifecycle"):
            continue  # below, once the others are known
        else:
            out.append(((spec_name, "$any"), everything))
    # pod-level actors of existing pods and of the pods creators may create
    for (ns, name), pod in c.pods.items():
        # by-creator: a pod with a controller keeps it while nobody relabels pods (adoption needs an
        # orphan, release a relabel): its removal frees its own and its owners' identifiers, and its
        # minReadySeconds is its controller's
        stable = ctx.by_creator and not whole_pods and pod.controller_ref() is not None
        owners = [(r.kind, r.name) for r in pod.owner_references] if stable else None
        if "kubelet" in fam:
            out.append((("kubelet", ns, name), _kubelet_potential(ns, name, _pod_ids(ctx, ns, name, owners))))
        if "scheduler" in fam:
            out.append((("scheduler", ns, name), _scheduler_potential(ns, name)))
        if "expiry" in fam:
            ref = pod.controller_ref()
            olocs: set[Loc] | None = {(ref.kind, f, ns, ref.name) for f in _OWNER_FIELDS} if stable and ref is not None else None
            out.append((("expiry", "Pod", ns, name), _expiry_pod_potential(ns, name, olocs)))
    for creator, ns, _ in ctx.pod_creators:
        out.append((("pods-of", creator), _future_pods(creator, ns, ctx if not whole_pods else None) if not (ctx.by_creator and whole_pods) else everything))
    out += others
    # expiry of nodes, HPAs, progress deadlines; drains; PodGC: not declared (everything)
    if "expiry" in fam and (c.horizontal_pod_autoscalers or system.scenario.timer_on("progress_deadline")):
        out.append((("expiry", "$other"), everything))
    if "drain" in fam and (any(n.drain is not None for n in c.nodes.values()) or any(fp is everything for _, fp in user_fps)):
        out.append((("drain", "$any"), everything))

    # PodGC: idle while every pod's node exists and nobody may delete a node.
    if "podgc" in fam:
        orphaned = any(p.node_name is not None and ("", p.node_name) not in c.nodes for p in c.pods.values())
        if orphaned or any(overlaps(fp.writes, [("Node", EXISTS)]) for _, fp in out):
            out.append((("podgc", "$any"), everything))
        else:
            out.append((("podgc", "$any"), Footprint.of({("Node", EXISTS)}, set())))
    # Node lifecycle: idle while every node is Ready and nobody may make one NotReady.
    node_writers = any(overlaps(fp.writes, [("Node", "ready")]) for _, fp in out)
    if "nodelifecycle" in system._syncs:
        if all(n.ready for n in c.nodes.values()) and not node_writers:
            out.append((("nodelifecycle", "$any"), Footprint.of({("Node", "ready")}, set())))
        else:
            out.append((("nodelifecycle", "$any"), everything))
        if "expiry" in fam:
            out.append((("expiry", "Node", "$any"), Footprint.of({("Node",)}, set()) if not node_writers and all(n.ready for n in c.nodes.values()) else everything))
    # Garbage collector: idle while it has nothing to do and nobody may delete an owner.  Pods own
    # nothing unless there are claims (a StatefulSet's PVC retention makes pods owners).
    if "garbagecollector" in system._syncs:
        from model.garbagecollector import gc_items, sync_garbage_collector

        owner_kinds = [k for k in KINDS if k != "Pod" or c.persistent_volume_claims or c.stateful_sets]
        triggers = [(DELETED, k) for k in owner_kinds]
        idle = not any(sync_garbage_collector(c, item) for item in gc_items(c))
        if idle and not any(overlaps(fp.writes, triggers) for _, fp in out):
            out.append((("garbagecollector", "$any"), Footprint.of(set(), set())))  # never acts from here on
        else:
            out.append((("garbagecollector", "$any"), everything))
    # ``$deleted`` is a marker for the idleness decisions above, not state: two deletions of
    # different objects do not conflict through it, so it leaves the footprints the engine sees
    # (check_step checks deletions against the garbage collector's idleness instead).
    return [(k, _unmark(fp)) for k, fp in out]


def _unmark(fp: Footprint) -> Footprint:
    if not any(loc[:1] == (DELETED,) for loc in fp.writes) and not any(loc[:1] == (DELETED,) for loc in fp.reads):
        return fp
    return Footprint(frozenset(x for x in fp.reads if x[:1] != (DELETED,)), frozenset(x for x in fp.writes if x[:1] != (DELETED,)))


def _actor_potential(pots: list[tuple[Hashable, Footprint]], key: Any, catch_all: bool = False) -> Footprint | None:
    """The potential declared for ``key``; with ``catch_all``, else the family's catch-all entry
    (``(family, "$any")``, ``("expiry", kind, "$any")``, ``("expiry", "$other")``)."""
    for k, fp in pots:
        if k == key:
            return fp
    if catch_all and isinstance(key, tuple) and key:
        alts: list[tuple[Any, ...]] = [(key[0], "$any")]
        if key[0] == "expiry" and len(key) > 1:
            alts += [("expiry", key[1], "$any"), ("expiry", "$other")]
        for k, fp in pots:
            if k in alts:
                return fp
    return None


def action_footprint(system: Any, state: Any, action: Action) -> Footprint | None:
    """Reads: the actor's potential reads; writes: the locations the action's API writes assign
    (plus its pending list, its budget, and ``$ids`` when it frees an identifier)."""
    pots = system._por_potential(state)
    if pots is None:
        return None
    key = action.key
    pot = _actor_potential(pots, key)
    if pot is None:
        return None
    writes = _action_writes(system, state, action)
    if writes is None:
        return pot
    if getattr(system, "_by_creator", False):
        # the identifiers its pending writes mention come and go with them: its potential's
        writes |= {x for x in pot.writes if x[:1] == IDS}
    return Footprint(pot.reads, frozenset(x for x in writes if x[:1] != (DELETED,)))


def _action_writes(system: Any, state: Any, action: Action) -> set[Loc] | None:
    key: Any = action.key
    fam = key[0] if isinstance(key, tuple) and key else None
    c = state.cluster
    if fam in ("deployment", "replicaset") and isinstance(action.data, tuple):
        from model.system import _PENDING_SPECS

        ak = key
        spec = _PENDING_SPECS[fam]
        if action.data[0] == "pending":
            ws: tuple[Write, ...] = (state.pending[ak][0].write,)
        else:
            # ("reconcile", ak, suffix, k): the k-th victim choice of ``time: ordered``
            choice = action.data[3] if len(action.data) > 3 else None
            writes = system._sync(spec, c, tuple(ak[1:]), True, choice)
            ws = writes if system.scenario.granularity == "reconcile" else writes[:1]
        out: set[Loc] = {("$pending", *ak)}
        for w in ws:
            out |= write_locs(w, ak, system._by_creator)
        return out
    if fam == "kubelet":
        st = system._memoised("kubelet", system._kubelet_step, c, tuple(key[1:]))
        if st is None:
            return None
        out = set()
        for w in st.writes:
            out |= _own_pod_writes(c, w, key, system._by_creator)
        return out
    if fam == "scheduler":
        ns, name = action.data[0], action.data[1]  # type: ignore[index]
        pod = c.pods.get((ns, name))
        if pod is None:
            return None
        # model.scheduler.bind: the pod with its node (Update) and its PodScheduled condition (UpdateStatus)
        return {("Pod", "node_name", ns, name), ("Pod", "conditions", ns, name)}
    if fam == "expiry" and len(key) == 4 and key[1] == "Pod":
        return {("Pod", f, key[2], key[3]) for f in STATUS_FIELDS["Pod"]}
    return None


def _own_pod_writes(c: Any, w: Write, key: Any, by_creator: bool) -> set[Loc]:
    """The locations an *atomic* step of a pod-level actor (``key`` = (family, ns, name); it reads every
    field of its own pod) writes with ``w``: for an update of its own pod, only the assigned fields
    whose value differs from the pod's current one.  An assigned field left as it is, is no write for
    the independence of two actions: the actor computes its write from the pod in the same step, so
    any action that changes that field writes into the actor's reads and is dependent anyway, and an
    action that does not leaves it equal, so the step still leaves it as it is (docs/semantics.md,
    "Atomic steps of pod-level actors")."""
    locs = write_locs(w, key, by_creator)
    if isinstance(w, (Create, Delete)) or kind_of(w.obj) != "Pod" or (w.obj.namespace, w.obj.name) != (key[1], key[2]):
        return locs
    cur = c.pods.get((w.obj.namespace, w.obj.name))
    if cur is None:
        return locs
    return {loc for loc in locs if getattr(w.obj, str(loc[1])) != getattr(cur, str(loc[1]))}


# --------------------------------------------------------------------------- debug checks


def footprint_check_enabled() -> bool:
    return os.environ.get(FOOTPRINT_CHECK_ENV, "") not in ("", "0")


def _covered(loc: Loc, declared: Iterable[Loc]) -> bool:
    """Whether ``loc`` lies within a declared location (a declared location is a prefix of it)."""
    d = declared if isinstance(declared, (set, frozenset)) else set(declared)
    return any(loc[:i] in d for i in range(len(loc) + 1))


def _diff(system: Any, before: Any, after: Any, creator: Hashable) -> set[Loc]:
    """The locations whose value differs between two system states (added objects are reported
    under ``creator``'s new tag; ``creation_index`` renumbering is not a write, see the module doc)."""
    out: set[Loc] = set()
    a, b = before.cluster, after.cluster
    for kind, (_, attr) in KINDS.items():
        ta, tb = getattr(a, attr), getattr(b, attr)
        if ta is tb:
            continue
        for key in set(ta.keys()) | set(tb.keys()):
            oa, ob = ta.get(key), tb.get(key)
            if oa is ob:
                continue
            ns, name = key
            if oa is None:
                out |= obj_locs(kind, ns, new_tag(creator))
                continue
            if ob is None:
                out |= obj_locs(kind, ns, name)
                out.add((DELETED, kind))
                continue
            for f in _fields(kind):
                if getattr(oa, f) != getattr(ob, f):
                    out.add((kind, f, ns, name))
            if oa.deletion_timestamp is None and ob.deletion_timestamp is not None:
                out.add((DELETED, kind))
    for ak in set(before.pending.keys()) | set(after.pending.keys()):
        if before.pending.get(ak) != after.pending.get(ak):
            out.add(("$pending", *ak))
    for i, (x, y) in enumerate(zip(before.user_budget, after.user_budget)):
        if x != y:
            out.add(("$budget", "user", i))
    if before.faults != after.faults:
        for fld in dc_fields(before.faults):
            if getattr(before.faults, fld.name) != getattr(after.faults, fld.name):
                out.add(("$budget", "fault", fld.name))
    from model.system import reserved_identifiers

    rb, ra = reserved_identifiers(before), reserved_identifiers(after)
    if rb != ra:
        if not getattr(system, "_by_creator", False):
            out.add(IDS)
        else:
            out |= _ids_changed(rb, ra)
    return out


def _ids_changed(rb: Any, ra: Any) -> set[Loc]:
    """By-creator allocation: the identifier locations of the UIDs and names reserved in one state
    and not the other.  A UID not of the by-creator form (``uid-<Kind>/<ns>/<name>/<k>``: one the
    manifests or the initial state gave) is never handed out, so freeing it changes nothing."""
    out: set[Loc] = set()
    for uid in rb.uids ^ ra.uids:
        if uid.startswith("uid-") and uid.count("/") == 3:
            kind, ns, name, _k = uid[4:].split("/")
            out.add(ids_name(kind, ns, name))
    for kind, ns, name in rb.names ^ ra.names:
        out.add(ids_name(kind, ns, name))
    return out


def check_step(system: Any, state: Any, action: Action, nxt: Any) -> None:
    """Debug mode: the step ``state --action--> nxt`` touched only what is declared."""
    pots = system._por_potential(state)
    if pots is None:
        return
    key: Any = action.key
    pot = _actor_potential(pots, key, catch_all=True)
    if pot is None:
        raise FootprintError(f"{action}: no potential footprint is declared for actor {key!r}")
    changed = _diff(system, state, nxt, key)
    fp = action_footprint(system, state, action) or pot
    deleted: set[Any] = {loc[1] for loc in changed if loc[:1] == (DELETED,)}
    changed = {loc for loc in changed if loc[:1] != (DELETED,)}
    gc = _actor_potential(pots, ("garbagecollector", "$any"))
    if deleted and gc is not None and not gc.writes and key[:1] != ("garbagecollector",):
        owner_kinds = {k for k in KINDS if k != "Pod" or state.cluster.persistent_volume_claims or state.cluster.stateful_sets}
        if deleted & owner_kinds:
            raise FootprintError(f"{action}: deleted a {sorted(map(str, deleted & owner_kinds))[0]} while the garbage collector was declared idle")
    for loc in sorted(changed, key=repr):
        if not _covered(loc, fp.writes):
            raise FootprintError(f"{action}: wrote {loc!r}, which its declared writes do not cover")
        if not _covered(loc, pot.writes):
            raise FootprintError(f"{action}: wrote {loc!r}, which its actor's potential writes do not cover")
    # reads, at kind level: every table or object the code read must be declared at least in part
    fam = key[0] if isinstance(key, tuple) and key else None
    if fam in ("deployment", "replicaset", "kubelet"):
        shape = system.last_reads.get((fam, tuple(key[1:])))
        if shape:
            declared_kinds = {loc[0] for loc in pot.reads if loc}
            if EVERYTHING in pot.reads:
                return
            for attr, _k in shape:
                kind = _ATTR_KIND.get(attr)
                if kind is not None and kind not in declared_kinds:
                    raise FootprintError(f"{action}: read the {kind} table or objects, which its declared reads do not cover")


# ------------------------------------------------------------------------------- the system

_POT_CACHE_MAX = 20_000


def potential_shape(state: Any) -> Hashable:
    """Everything :func:`potential_footprints` reads of ``state`` (for a given system): two states
    with the same shape have the same potentials.  Every object's identity and ownership metadata
    (selectors, scopes, the garbage collector's work), the pods' labels and nodes, the templates,
    strategies and history limits of Deployments and ReplicaSets, the nodes' readiness and drains,
    the budgets and which controllers have pending writes; the pods' and the other templates' containers
    (:func:`may_flap`)."""
    c = state.cluster
    meta = tuple(
        (kind, key, o.uid, o.labels, o.owner_references, o.deletion_timestamp is not None, o.finalizers)
        for kind, (_, attr) in KINDS.items()
        for key, o in getattr(c, attr).items()
    )
    # the containers of pods and of the templates that are not already in ``rss``/``ds``: what
    # may_flap reads (a pod's containers are fixed at creation, but a UID may name another
    # incarnation in another state)
    pods = tuple((k, p.node_name is None, p.node_name, p.spec_containers, p.init_containers) for k, p in c.pods.items())
    other_templates = tuple(
        (attr, k, getattr(o, "template", None), getattr(o, "data", None))
        for attr in ("replication_controllers", "stateful_sets", "controller_revisions", "daemon_sets")
        for k, o in getattr(c, attr).items()
    )
    rss = tuple((k, rs.selector, rs.template) for k, rs in c.replica_sets.items())
    ds = tuple((k, d.selector, d.template, d.strategy.type, d.revision_history_limit) for k, d in c.deployments.items())
    nodes = tuple((k, n.ready, n.drain is not None) for k, n in c.nodes.items())
    orphan_pending = tuple(
        ak for ak in state.pending.keys() if ak[0] not in _PENDING_KIND or c.get(_PENDING_KIND[ak[0]], ak[1], ak[2]) is None
    ) if state.pending else ()
    return (meta, pods, rss, ds, nodes, state.user_budget, state.faults, bool(state.pending), orphan_pending, other_templates)


_PENDING_KIND = {"deployment": "Deployment", "replicaset": "ReplicaSet"}



class PorSystem(KubeSystem):
    """:class:`model.system.KubeSystem` with the partial-order reduction hooks (``footprint``,
    ``potential``) and, with ``KUBECHECK_FOOTPRINT_CHECK`` set, every step checked against them."""

    def __init__(self, scenario: Any, *, strict: bool = False) -> None:
        super().__init__(scenario, strict=strict)
        self._pot_memo: tuple[Any, Any] | None = None
        #: potential_shape(state) -> potential_footprints(state): equal shapes, equal potentials
        self._pot_cache: dict[Hashable, Any] = {}
        self._fp_check = footprint_check_enabled()

    def _por_potential(self, state: Any) -> list[tuple[Hashable, Footprint]] | None:
        memo = self._pot_memo
        if memo is not None and memo[0] is state:
            return memo[1]
        shape = potential_shape(state)
        pots = self._pot_cache.get(shape)
        if pots is None:
            if len(self._pot_cache) >= _POT_CACHE_MAX:
                self._pot_cache.clear()
            pots = self._pot_cache[shape] = potential_footprints(self, state)
        self._pot_memo = (state, pots)
        return pots

    def footprint(self, state: Any, action: Action) -> Footprint | None:
        return action_footprint(self, state, action)

    def por_guard(self, state: Any) -> bool:
        """The guard of the guarded footprints (:mod:`kubecheck.core.por`): :func:`capacity_guard`."""
        return capacity_guard(state.cluster)

    def por_guard_reads(self) -> frozenset[Loc]:
        return GUARD_READS

    def potential(self, state: Any) -> list[tuple[Hashable, Footprint]] | None:
        return self._por_potential(state)

    def successors(self, state: Any) -> list[tuple[Action, Any]]:
        memo = self._memo
        if memo is not None and memo[0] is state:
            return memo[1]
        out = super().successors(state)
        if self._fp_check:
            for a, nxt in out:
                check_step(self, state, a, nxt)
            self._memo = (state, out)
        return out
