"""The Kubernetes transition system: every actor's steps over one ``SystemState``.

``KubeSystem(scenario)`` implements the engine's ``TransitionSystem`` (kubecheck/core/ts.py).  A
state is a :class:`SystemState`: the API server's contents (``ClusterState``), the budgets
left for user actions and faults, each controller's pending writes, and (with stale reads)
the previous cluster state.

Actors and their steps, in the deterministic order of :meth:`KubeSystem.actions`:

1. **Controllers** (ReplicaSet ``rs``, ReplicationController ``rc``, Deployment ``dc``,
   StatefulSet ``ssc``, disruption ``pdb``, horizontal pod autoscaler ``hpa``, garbage collector ``gc``, node lifecycle ``nlc``), one actor per
   object key, weakly fair per key.  Level-triggered: a controller with no pending writes
   is enabled only when its reconcile on the current view would change something.  With
   ``granularity="write"`` (default) the step applies the reconcile's first write and keeps
   the rest pending; the actor's later steps apply them one by one, interleaved with every
   other actor, so the controller acts on the view it read.  A pending write that the API
   server refuses (NotFound, a UID precondition, a Conflict of a spec update whose object
   changed since it was read) ends the reconcile: the remaining writes are dropped, as
   upstream returns the error and requeues.  ``granularity="reconcile"`` applies all writes
   in one step.  With ``stale_reads`` a controller may also reconcile on the state before
   the last step (label suffix ``_on_stale_view``).
2. **Scheduler**: bind an unbound pod to any fitting node, one action per node.
3. **Kubelets**: one actor per pod (``model.kubelet.kubelet_step``).
4. **Expiry** (abstract time, fair): a Ready pod's minReadySeconds timer, a NotReady node's
   eviction timeout, an HPA's recommendation or scale event leaving its window (``model.horizontal``).  The progress-deadline timer of a Deployment is not fair (it may or
   may not run out while a rollout progresses).
5. **Drain loops** (``kubectl drain`` in progress, fair per node: eviction attempts, a 429 changes
   nothing), **PodGC** (``model.podgc``: pods bound to a deleted Node, fair per pod), then **user**
   actions, then **faults** (including a controller crash that drops a controller's pending
   writes): not fair, each spends a budget.  The one fair user action is the operator who
   eventually deletes a failed node (``DeleteFailedNode(fair=True)``, actor ``operator``, weakly
   fair per declared action, still budgeted).

After every step the cluster is normalised (``model.canonical.normalize_cluster``); the
symmetry representative is :meth:`KubeSystem.canonical` (used only when the engine runs with
symmetry).  docs/semantics.md#runtime lists the abstractions and why they are sound.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from kubecheck.core.ts import Action, BaseSystem
from model.api import Create, Delete, Refused, Update, UpdateStatus, Write
from model.apiserver import (
    METADATA_FIELDS,
    NO_RESERVED,
    STATUS_FIELDS,
    ApiError,
    Reserved,
    apply_write,
    identifiers_of,
    is_metadata_only_change,
)
from model.canonical import AtomCache, TableMemo, normalize_cluster, symmetry_key, symmetry_representative
from model.sequence import After
from model.environment import DeleteObject, FaultBudget, UserAction, fault_instances, is_fair, user_action_instances, user_action_label
from model.errors import ModelError
from model.frozen import EMPTY, FrozenMap
from model.kubelet import ImageFacts
from model.informer import CACHE_MODES, InformerState
from model.objects import KINDS, _cache_hashes, _CachedHash, kind_of
from model.records import Controller
from model.registry import CONTROLLERS as _ALL_CONTROLLERS, OBJECT_CONTROLLERS, TIMERS
from model.versions import DEFAULT_VERSION, parse_version
from model.state import ClusterState, ReadTracker
from model.canonical import successor_is_normalized
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "ControllerSpec",
    "CONTROLLERS",
    "ACTOR_FAMILIES",
    "Scenario",
    "TIME_MODES",
    "PendingWrite",
    "SystemState",
    "KubeSystem",
    "reserved_identifiers",
    "by_creator_is_exact",
]

Granularity = Literal["write", "reconcile"]
ActorKey = tuple[str, ...]


#: A controller's record (:class:`model.records.Controller`), defined in the controller's module
#: and registered in ``model.registry``.
ControllerSpec = Controller

#: The object controllers, in action order (``model.registry``; the GC and node lifecycle follow them).
CONTROLLERS: tuple[ControllerSpec, ...] = OBJECT_CONTROLLERS
_PENDING_SPECS: dict[str, ControllerSpec] = {s.name: s for s in _ALL_CONTROLLERS}

#: Every actor family a scenario may switch on (``Scenario.actors``).
ACTOR_FAMILIES: tuple[str, ...] = tuple(s.name for s in _ALL_CONTROLLERS) + (
    "scheduler",
    "kubelet",
    "expiry",
    "drain",
    "podgc",
)



# ------------------------------------------------------------------------------ scenario

#: ``Scenario.time``: ``abstract`` (default) or ``ordered`` (docs/semantics.md, "Time that orders").
TIME_MODES: tuple[str, ...] = ("abstract", "ordered")
#: The controllers whose reconcile may pick among several victim sets with ``time: ordered``.
_VICTIM_CHOOSERS = frozenset({"replicaset", "replication"})
#: The opt-in clocks (``Scenario.clocks``, ``clocks:`` in a scenario file; docs/semantics.md, "Clocks"):
#: ``probes`` compares readiness probe timing (initialDelaySeconds, periodSeconds, timeoutSeconds,
#: failureThreshold) with the image facts ``serves-after``/``unready-after`` and minReadySeconds
#: (``model.prober``); ``progress-deadline`` runs the Deployment progress-deadline timer, weakly fair
#: until the Deployment's status shows progress (``model.deployment.progress_deadline_fairness``).
CLOCKS: tuple[str, ...] = ("probes", "progress-deadline")


#: ``Scenario.identifiers``: the default (every golden count) and the order-independent allocation.
IDENTIFIER_MODES: tuple[str, ...] = ("lowest-free", "by-creator")


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to explore: the initial cluster, what the environment may do, how fine the steps are.

    ``user_actions`` lists the user actions that may happen; an entry may be a
    ``(action, count)`` pair (default count 1; repeated entries add up).  ``actors`` limits
    the actor families that run (``None`` = all of :data:`ACTOR_FAMILIES`).
    ``progress_deadline`` switches on the (unfair) Deployment progress-deadline timer.
    ``clocks`` switches on clocks that compare more of the manifests' times (docs/semantics.md,
    "Clocks"): ``probes`` (readiness probe timing against the timed image facts) and
    ``progress-deadline`` (the progress-deadline timer, weakly fair until the next progress).
    """

    initial: ClusterState
    user_actions: tuple[Union[UserAction, tuple[UserAction, int]], ...] = ()
    faults: FaultBudget = field(default_factory=FaultBudget)
    granularity: Granularity = "write"
    stale_reads: bool = False
    actors: tuple[str, ...] | None = None
    progress_deadline: bool = False
    name: str = "scenario"
    #: What images do when run (``model.kubelet.ImageFacts``), by image reference; images not named
    #: here are read by their tag (``:broken``, ``:unready``) or do nothing wrong.
    images: FrozenMap[str, ImageFacts] = EMPTY
    #: ``off``: controllers read the API server; ``lagged``: kube-controller-manager's informer
    #: caches, expectations and (by version) the KEP-5647 fence are part of the state (``model.informer``).
    caches: str = "off"
    #: The Kubernetes version whose version-dependent behaviours are followed (``model.versions``).
    kubernetes_version: str = DEFAULT_VERSION
    #: ``abstract``: one-bit timers, one deletion choice per ReplicaSet/RC reconcile; ``ordered``:
    #: every set of pods upstream's getPodsToDelete may pick over every clock
    #: (``model.controller_utils.get_pods_to_delete_choices``; docs/semantics.md, "Time that orders").
    time: str = "abstract"
    #: Opt-in clocks (:data:`CLOCKS`); empty: time is as before they existed (state counts unchanged).
    clocks: frozenset[str] = frozenset()
    #: How fresh identifiers are allocated (docs/semantics.md#runtime section 7): ``lowest-free``
    #: (the lowest free ``uid-<n>``, the lowest free pool IP and sandbox id, one creation order over
    #: the cluster) or ``by-creator`` (a UID from the object's own name and incarnation, IPs and
    #: sandbox ids per pod, creation order per controller: steps of different workloads commute,
    #: what partial-order reduction needs).
    identifiers: str = "lowest-free"
    #: Opt-in: the ReplicaSet and Deployment controllers write ``status.terminatingReplicas`` where
    #: the version's DeploymentReplicaSetTerminatingReplicas gate is on (1.35+); off, the field
    #: is left out (nil), as before (docs/semantics.md, "Kubernetes versions").
    terminating_replicas: bool = False
    #: Opt-in: the kubelet writes a terminal phase for a killed pod before deleting it (every
    #: modelled version, kubernetes/kubernetes#115331); off, the under-approximation of
    #: docs/semantics.md (kubelet, "phase of a deleted pod").
    kubelet_terminal_phase: bool = False

    def __post_init__(self) -> None:
        if self.granularity not in ("write", "reconcile"):
            raise ModelError(f"Scenario {self.name}: granularity {self.granularity!r} is not 'write' or 'reconcile'")
        if self.caches not in CACHE_MODES:
            raise ModelError(f"Scenario {self.name}: caches {self.caches!r} is not one of {list(CACHE_MODES)}")
        if self.identifiers not in IDENTIFIER_MODES:
            raise ModelError(f"Scenario {self.name}: identifiers {self.identifiers!r} is not one of {list(IDENTIFIER_MODES)}")
        if self.caches != "off" and self.stale_reads:
            raise ModelError(f"Scenario {self.name}: stale_reads and caches are two models of the same lag; choose one")
        parse_version(self.kubernetes_version)
        if self.time not in TIME_MODES:
            raise ModelError(f"Scenario {self.name}: time {self.time!r} is not one of {list(TIME_MODES)}")
        for clock in sorted(self.clocks):
            if clock not in CLOCKS:
                raise ModelError(f"Scenario {self.name}: unknown clock {clock!r}; known: {list(CLOCKS)}")
        for a in self.actors or ():
            if a not in ACTOR_FAMILIES:
                raise ModelError(f"Scenario {self.name}: unknown actor family {a!r}; known: {list(ACTOR_FAMILIES)}")

    def timer_on(self, opt_in: str | None) -> bool:
        """Whether a timer with this ``Timer.opt_in`` flag runs: always when ``None``; the progress
        deadline also under the ``progress-deadline`` clock."""
        if opt_in is None or getattr(self, opt_in):
            return True
        return opt_in == "progress_deadline" and "progress-deadline" in self.clocks

    def kubelet_step_fn(self) -> Callable[[ClusterState, tuple[str, str]], Any]:
        """``model.kubelet.kubelet_step`` with this scenario's image facts, clocks and identifier allocation
        bound, and (opt-in, ``kubelet_terminal_phase``) the terminal-phase write."""
        from model.kubelet import kubelet_step

        images = self.images
        per_pod_ids = self.identifiers == "by-creator"
        terminal_phase = self.kubelet_terminal_phase
        if not images and not per_pod_ids and not terminal_phase:
            return kubelet_step
        probes = "probes" in self.clocks
        return lambda view, k: kubelet_step(view, k, images, probes=probes, per_pod_ids=per_pod_ids, terminal_phase=terminal_phase)

    def user_budget(self) -> tuple[tuple[UserAction, ...], tuple[int, ...]]:
        """Distinct user actions (first-appearance order) and how often each may happen."""
        actions: list[UserAction] = []
        counts: list[int] = []
        for entry in self.user_actions:
            action, count = entry if isinstance(entry, tuple) else (entry, 1)
            if count < 0:
                raise ModelError(f"Scenario {self.name}: negative budget {count} for {action!r}")
            if action in actions:
                counts[actions.index(action)] += count
            else:
                actions.append(action)
                counts.append(count)
        return tuple(actions), tuple(counts)


# --------------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """A write of a reconcile not yet applied, with the object as the controller read it."""

    write: Write
    base: Any = None


def _taken_by_another(cluster: ClusterState, write: Write) -> bool:
    """A Create whose fixed name an object of another controller (or of none) already holds: the
    manifests put it there (a bare Pod ``db-1`` beside StatefulSet ``db``). Upstream's controller
    gets AlreadyExists and retries (stateful_pod_control.go CreateStatefulPod returns the error), so
    the write fails; the controller's own object under that name would be a model error."""
    if not isinstance(write, Create) or write.generate_name:
        return False
    held = cluster.get(kind_of(write.obj), write.obj.namespace, write.obj.name)
    if held is None:
        return False
    mine, theirs = write.obj.controller_ref(), held.controller_ref()
    return mine is None or theirs is None or mine.uid != theirs.uid


@dataclass(frozen=True, slots=True)
class SystemState(_CachedHash):
    """One state of the transition system (its hash is cached, as the API objects' are: a search
    hashes each successor several times, in its visited set and the distributed search's routing)."""

    cluster: ClusterState
    user_budget: tuple[int, ...] = ()
    faults: FaultBudget = field(default_factory=FaultBudget)
    pending: FrozenMap[ActorKey, tuple[PendingWrite, ...]] = field(default=EMPTY)
    previous: ClusterState | None = None
    #: kube-controller-manager's caches, expectations and fences (``Scenario.caches == "lagged"``)
    informer: InformerState | None = None


_cache_hashes(SystemState)


def _compile_successor_state() -> Callable[["SystemState", ClusterState, "ClusterState | None"], "SystemState"]:
    """``(state, cluster, previous) -> evolve(state, cluster=cluster, previous=previous)``, straight-line
    over SystemState's fields (``KubeSystem._finish``'s copy, once per transition); the same object
    ``evolve`` builds (every field copied, no cached hash)."""
    from dataclasses import fields

    from model.frozen import _copier

    if _copier(SystemState) is None:
        raise ModelError("SystemState is no longer a plain slotted dataclass: _successor_state cannot copy it")
    lines = ["def successor_state(s, cluster, previous, _new=object.__new__, _set=object.__setattr__, _cls=_cls):", "    n = _new(_cls)"]
    for f in fields(SystemState):
        value = f.name if f.name in ("cluster", "previous") else f"s.{f.name}"
        lines.append(f"    _set(n, {f.name!r}, {value})")
    lines.append("    return n")
    ns: dict[str, Any] = {"_cls": SystemState}
    exec("\n".join(lines), ns)  # noqa: S102 - generated from SystemState's own field names
    return ns["successor_state"]


_successor_state = _compile_successor_state()


# ------------------------------------------------------------------------- applying writes


def _cluster_of(state: SystemState) -> ClusterState:
    return state.cluster


def _strip(obj: Any) -> Any:
    return replace(obj, creation_index=0)


def by_creator_is_exact(cluster: ClusterState, user_actions: Iterable[Any]) -> bool:
    """Whether the by-creator allocation's one deviation (docs/semantics.md#runtime section 7: the
    creation order of objects of different controllers is not kept) cannot matter from ``cluster``
    under ``user_actions``: no object can change its creation-order family in any run.  An object
    changes family only by adoption (it must be an orphan: a Pod, ReplicaSet or ControllerRevision
    without a controller, from the manifests or created by a user's ``CreatePod`` / ``apply``), by a
    release (a relabel) or by the garbage collector orphaning dependents (``--cascade=orphan``, or an
    ``orphan`` finalizer already present).  False when any of those is possible."""
    from model.apply import ApplyManifest
    from model.environment import CreatePod, DeleteObject, RelabelPods
    from model.sequence import After

    for table in (cluster.pods, cluster.replica_sets, cluster.controller_revisions):
        for o in table.values():
            if o.controller_ref() is None:
                return False
    for o in cluster.all_objects():
        if "orphan" in o.finalizers:
            return False
    for a in user_actions:
        while isinstance(a, After):
            a = a.inner
        if isinstance(a, (CreatePod, RelabelPods, ApplyManifest)):
            return False
        if isinstance(a, DeleteObject) and a.propagation not in ("Background", "Foreground"):
            return False
    return True


def reserved_identifiers(state: SystemState) -> Reserved:
    """The UIDs and names a Create in a step from ``state`` must not be given (see
    :class:`model.apiserver.Reserved`): everything ``state`` mentions.

    * the cluster before the step: a step that removes an object and creates another (a
      reconcile in ``reconcile`` granularity, a force delete and re-create) must not hand the
      dead UID to the new object, or an action property that matches objects across the step
      by UID would see one object;
    * ``previous`` (stale reads): a reconcile on the stale view carries its UIDs;
    * every pending write: its target (a Delete's name and UID precondition), the written
      object, the base it was computed on, and the owner references inside them.

    Upstream UIDs are never reused, so without this a force-deleted pod re-created under the
    same name got the same ``uid-<n>`` back, and a stale pending ``Delete(uid=uid-<n>)`` then
    deleted the new incarnation where upstream answers a precondition Conflict.
    """
    objs: list[Any] = list(state.cluster.all_objects())
    if state.previous is not None:
        objs.extend(state.previous.all_objects())
    uids_extra: set[str] = set()
    names_extra: set[tuple[str, str, str]] = set()
    if state.informer is not None:  # the caches and the awaited deletions (model.informer)
        from model.informer import informer_names, informer_objects

        objs.extend(informer_objects(state.informer))
        names_extra |= informer_names(state.informer)
    for pws in state.pending.values():
        for pw in pws:
            w = pw.write
            objs.append(pw.base)
            if isinstance(w, Delete):
                names_extra.add((w.kind, w.namespace, w.name))
                if w.uid:
                    uids_extra.add(w.uid)
            else:
                objs.append(w.obj)
    for node in state.cluster.nodes.values():
        if node.drain is not None:  # a drain waits for these UIDs to be gone: never hand them out again
            uids_extra.update(uid for _, _, uid in node.drain.pods)
    uids, names = identifiers_of(objs)
    return Reserved(frozenset(uids | uids_extra), frozenset(names | names_extra))


class _LazyReserved(Reserved):
    """:func:`reserved_identifiers` of a state, computed when a Create first asks for it (issue #17:
    most steps create nothing, and collecting the identifiers walked every object of the state on
    every expansion).  The same values as the eager call, so nothing else changes."""

    __slots__ = ("_state", "_value")
    _state: SystemState
    _value: Reserved | None

    def __init__(self, state: SystemState, by_creator: bool = False) -> None:  # noqa: D107 - no dataclass __init__: lazy
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_value", None)
        object.__setattr__(self, "by_creator", by_creator)

    def _get(self) -> Reserved:
        v: Reserved | None = self._value
        if v is None:
            v = reserved_identifiers(self._state)
            object.__setattr__(self, "_value", v)
        return v

    @property
    def uids(self) -> frozenset[str]:
        return self._get().uids

    @property
    def names(self) -> frozenset[tuple[str, str, str]]:
        return self._get().names


def _apply_pending(
    cluster: ClusterState, pw: PendingWrite, reserved: Reserved = NO_RESERVED, apply: Callable[[ClusterState, Write], ClusterState] = apply_write
) -> ClusterState:
    """Apply a write computed on an earlier view, with upstream's concurrency semantics.

    * Update, metadata only (adopt/release, ownerReference or finalizer removal): a PATCH;
      the changed metadata fields are merged into the current object (UID must match).
    * Update of the spec: a PUT with the resourceVersion read; ``Conflict`` if the object
      changed since it was read.
    * UpdateStatus: the status fields the writer changed are merged into the current object.
      The ReplicaSet and StatefulSet controllers and the kubelet's status manager re-GET and
      retry a conflicting status write (updateReplicaSetStatus, updateStatefulSetStatus with
      RetryOnConflict, the status manager's patch), so this is what they end up writing.  The
      Deployment controller does not: its ``UpdateStatus(ctx, d)`` carries the cached
      resourceVersion and a Conflict just requeues.  Merging is still sound for it because the
      only writes that can come between its read and its status write are spec and metadata
      edits by users (no other actor writes a Deployment), and spec/metadata and status do not
      overlap (the status strategy resets the spec and labels, and the user edits no status): the
      merged state equals the legal upstream order "status write, then the user's edit", which
      upstream reaches when the user's write lands just after the controller's.  The controller
      then sees the new generation and reconciles again, as it would after the requeue.
    * Create and Delete: as :func:`model.apiserver.apply_write` (UID preconditions hold;
      ``reserved`` keeps a Create from reusing an identifier the state still mentions).

    ``apply``: how a write that lands as it was computed is applied (``KubeSystem._apply``: the same
    result as :func:`model.apiserver.apply_write`, memoised).
    """
    w, base = pw.write, pw.base
    if base is None or isinstance(w, (Create, Delete)):
        return apply_write(cluster, w, reserved)
    kind = kind_of(w.obj)
    cur = cluster.get(kind, w.obj.namespace, w.obj.name)
    if cur is None:
        raise ApiError("NotFound", f"{kind} {w.obj.namespace}/{w.obj.name}")
    if cur.uid != base.uid:
        raise ApiError("Conflict", f"{kind} {w.obj.namespace}/{w.obj.name} was recreated")
    if cur == base or (cur.creation_index != base.creation_index and _strip(cur) == _strip(base)):
        return apply(cluster, w)
    if isinstance(w, UpdateStatus) and kind == "PodDisruptionBudget":
        # disruption.go writePdbStatus: UpdateStatus with the resourceVersion read, no retry (an
        # eviction's decrement in between must not be overwritten by a stale count).
        raise ApiError("Conflict", f"{kind} {w.obj.namespace}/{w.obj.name} changed since it was read")
    if isinstance(w, UpdateStatus):
        changed = {f: getattr(w.obj, f) for f in STATUS_FIELDS[kind] + ("annotations",) if getattr(w.obj, f) != getattr(base, f)}
        return apply_write(cluster, UpdateStatus(replace(cur, **changed)))
    if is_metadata_only_change(base, w.obj):
        changed = {f: getattr(w.obj, f) for f in METADATA_FIELDS if getattr(w.obj, f) != getattr(base, f)}
        return apply_write(cluster, Update(replace(cur, **changed)))
    raise ApiError("Conflict", f"{kind} {w.obj.namespace}/{w.obj.name} changed since it was read")


def _base_of(view: ClusterState, w: Write) -> Any:
    if isinstance(w, (Update, UpdateStatus)):
        return view.get(kind_of(w.obj), w.obj.namespace, w.obj.name)
    return None


# ------------------------------------------------------------------------------- system


#: Memo bound (see :meth:`KubeSystem._memoised`).
_MEMO_MAX = 200_000
_MISSING = object()
#: Bound of each hash-consing table (see :meth:`KubeSystem._intern`).
_INTERN_MAX = 200_000
_TABLES: tuple[str, ...] = tuple(attr for _, attr in KINDS.values())
def _compile_tables_of() -> Callable[[ClusterState], tuple[Any, ...]]:
    """``cluster -> (each table, next_uid, next_name)``: every value field of a ``ClusterState`` (the key
    of ``KubeSystem._normalized``), straight-line."""
    from model.state import TABLE_ATTRS

    if set(TABLE_ATTRS) | {"next_uid", "next_name", "_cache"} != set(ClusterState.__dataclass_fields__):
        raise ModelError("ClusterState's fields changed: _tables_of would miss one")
    body = ", ".join(f"c.{attr}" for attr in TABLE_ATTRS)
    ns: dict[str, Any] = {}
    exec(f"def tables_of(c):\n    return ({body}, c.next_uid, c.next_name)", ns)  # noqa: S102 - field names only
    return ns["tables_of"]


_tables_of = _compile_tables_of()
#: API object type -> the ClusterState table that holds it
_TABLE_OF: dict[type, str] = {cls: attr for cls, attr in KINDS.values()}
#: kind -> the ClusterState table that holds it
_TABLE_OF_KIND: dict[str, str] = {kind: attr for kind, (_, attr) in KINDS.items()}
#: The API object types a table holds (interned by :meth:`KubeSystem.intern`).
_OBJECT_TYPES: frozenset[type] = frozenset(cls for cls, _ in KINDS.values())


_SHAPE_READERS: dict[tuple[tuple[str, Any], ...], Callable[[Any], tuple[Any, ...]]] = {}


def _shape_values(shape: tuple[tuple[str, Any], ...]) -> Callable[[Any], tuple[Any, ...]]:
    """``view -> the values ``view`` holds at ``shape``'s reads`` (a whole table for ``(attr, None)``,
    else the object under that key or None), compiled to one tuple expression: the memo's lookup
    (:meth:`KubeSystem._memoised`) builds this tuple for every controller and kubelet on every
    expanded state, and the generic comprehension over the shape was a visible share of it.  The same
    values in the same order as ``ReadTracker.dependencies`` records them."""
    reader = _SHAPE_READERS.get(shape)
    if reader is None:
        parts = []
        ns: dict[str, Any] = {}
        for i, (attr, k) in enumerate(shape):
            if not attr.isidentifier() or not hasattr(ClusterState, attr):
                raise ModelError(f"memo shape: {attr!r} is not a ClusterState table")
            if k is None:
                parts.append(f"v.{attr}")
            else:
                ns[f"_k{i}"] = k
                parts.append(f"v.{attr}._d.get(_k{i})")
        args = "".join(f", _k{i}=_k{i}" for i in range(len(shape)) if f"_k{i}" in ns)
        exec(f"def values(v{args}):\n    return ({', '.join(parts)}{',' if parts else ''})", ns)  # noqa: S102 - table names only
        reader = _SHAPE_READERS[shape] = ns["values"]
    return reader


@dataclass(frozen=True, slots=True)
class _Reconcile:
    """A reconcile computed on a view: its writes (with bases) up to the first refused one,
    and the view after each of them (``after[i]`` = the view with writes 0..i applied)."""

    writes: tuple[PendingWrite, ...]
    after: tuple[ClusterState, ...]
    changes: bool


#: The reconcile that writes nothing.
_NO_RECONCILE = _Reconcile((), (), False)


class KubeSystem(BaseSystem[SystemState]):
    """The transition system of a :class:`Scenario` (see the module docstring).

    ``strict=True`` re-raises every API error a controller write meets (used by tests to
    show that a run never produces, e.g., a duplicate name).
    """

    def __init__(self, scenario: Scenario, *, strict: bool = False) -> None:
        self.scenario = scenario
        self.strict = strict
        families = scenario.actors if scenario.actors is not None else ACTOR_FAMILIES
        self.families = frozenset(families)
        self._user_actions, self._user_counts = scenario.user_budget()
        self._needs_quiet = any(isinstance(a, After) and a.converged for a in self._user_actions)
        self._syncs: dict[str, Callable[[ClusterState, Any], tuple[Write, ...]]] = {}
        for spec in _ALL_CONTROLLERS:
            if spec.name in self.families and (spec.runs_on(scenario.initial) or self._may_appear(spec)):
                self._syncs[spec.name] = _versioned_sync(spec, scenario)
        self._memo: tuple[SystemState, list[tuple[Action, SystemState]]] | None = None
        self._kubelet_step = scenario.kubelet_step_fn()
        #: (controller, key) -> [(read-set shape: (table attribute, object key or None) per read,
        #: {the values read: the result}, the shape's compiled reader: view -> the values read)]
        self._sync_memo: dict[tuple[str, Any], list[tuple[tuple[tuple[str, Any], ...], dict[tuple[Any, ...], Any], Callable[[Any], tuple[Any, ...]]]]] = {}
        #: (actor, key) -> the read-set shape of its last memoised call (bench/por_probe.py reads it)
        self.last_reads: dict[tuple[str, Any], tuple[tuple[str, Any], ...]] = {}
        #: KUBECHECK_DEBUG_INCREMENTAL=1: check every memo hit against a fresh run
        self._debug_incremental = os.environ.get("KUBECHECK_DEBUG_INCREMENTAL", "") not in ("", "0")
        self._sync_memo_size = 0
        self.memo_stats = [0, 0]  # hits, misses
        #: the memo entries computed since :meth:`learned` was last called (None: not recorded)
        self._learned: list[Any] | None = None
        #: what the symmetry renaming could change in each (immutable) value, by identity
        self._atoms = AtomCache()
        #: hash-consing of the successors' objects, tables and clusters (see :meth:`_intern`)
        self._intern_objs: dict[Any, Any] = {}
        self._intern_tables: dict[Any, Any] = {}
        #: whole clusters too: a successor equal to a stored state's cluster *is* that cluster, so
        #: its index cache (pods by owner, the UID index, the rules' per-state measures) is built
        #: once per distinct cluster, not once per transition into it
        self._intern_clusters: dict[ClusterState, ClusterState] = {}
        #: the normal form of a successor that adds or removes objects, memoised on its value: (each
        #: table, next_uid, next_name) -> the normalised and hash-consed cluster.  ``normalize_cluster``
        #: is a pure function of the tables and counters, and the written tables are mostly hash-consed
        #: already (:meth:`_apply`: the key's hash comes from cached hashes and its ``==`` is identity
        #: tests), so the same pre-normal successor recurs (a deletion reached along two interleavings).
        #: A tuple of shared tables rather than the cluster: no index cache kept alive.  Pure speed.
        self._normalized: dict[tuple[Any, ...], ClusterState] = {}
        #: the tables the normalisation renumbers, per (table, renumbering), hash-consed (model.canonical.TableMemo)
        self._renumbered = TableMemo(self._intern_table, _INTERN_MAX)
        #: (table, write) -> the table after it (see :meth:`_apply`)
        self._status_memo: dict[tuple[FrozenMap[Any, Any], Write], FrozenMap[Any, Any]] = {}
        #: always on since the objects cache their hashes (issue #17): equal objects become
        #: identical, so the memo's lookups compare by identity, and the stored states share them
        self._interning = True
        #: informer caches in the state (model.informer); a write computed on a lagging view may
        #: meet AlreadyExists, as with stale reads
        self._cached = scenario.caches == "lagged"
        self._tolerant = scenario.stale_reads or self._cached
        #: time: ordered: ReplicaSet/RC reconciles branch over upstream's possible deletion choices
        self._ordered = scenario.time == "ordered"
        #: Scenario.identifiers == "by-creator" (docs/semantics.md#runtime section 7)
        self._by_creator = scenario.identifiers == "by-creator"

    def _may_appear(self, spec: Controller) -> bool:
        """Could an object of the controller's kind be created during a run by a user's
        ``apply``/``create`` (``model.apply.created_kinds``), directly or through a kind that creates
        objects of its kind (``Controller.appears_with``: Deployments create ReplicaSets)?"""
        from model.apply import created_kinds

        created = created_kinds(self._user_actions)
        return bool(spec.kind) and (spec.kind in created or any(k in created for k in spec.appears_with))

    # ------------------------------------------------------------------ protocol
    def init_states(self) -> Sequence[SystemState]:
        from model.horizontal import with_initial_loads

        cluster = normalize_cluster(with_initial_loads(self.scenario.initial), by_family=self._by_creator)
        if self._interning:  # hash-consed too: a successor equal to it (or sharing a table) shares its objects
            cluster = self._intern_whole(cluster)
            cluster = self._intern_clusters.setdefault(cluster, cluster)
        cluster._cache["normalized"] = True  # what _finish's fast path needs to know of a parent
        informer = None
        if self._cached:
            from model.informer import initial_informer

            informer = initial_informer(cluster)
        return (SystemState(cluster=cluster, user_budget=self._user_counts, faults=self.scenario.faults, informer=informer),)

    def actions(self, state: SystemState) -> Sequence[Action]:
        return [a for a, _ in self.successors(state)]

    def step(self, state: SystemState, action: Action) -> SystemState | None:
        for a, nxt in self.successors(state):
            if a == action:
                return nxt
        return None

    def iter_successors(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """:meth:`successors` lazily, in the same order: a caller that needs only a prefix (the
        deterministic start-up takes the first fair action) does not build every successor."""
        memo = self._memo
        if memo is not None and memo[0] is state:
            return iter(memo[1])
        return self._successors(state)

    def successors(self, state: SystemState) -> list[tuple[Action, SystemState]]:
        memo = self._memo
        if memo is not None and memo[0] is state:
            return memo[1]
        out = list(self._successors(state))
        self._memo = (state, out)
        return out

    def canonical(self, state: SystemState) -> Hashable:
        """The key of ``state``'s symmetry class (:func:`model.canonical.symmetry_key`): equal
        for two states exactly when their :meth:`representative` states are equal, but a
        small tuple of sets of tokens rather than a renamed copy of the state.  Comparable
        only with keys from this instance."""
        if self._by_creator:
            raise ModelError("symmetry is not combined with identifiers='by-creator' (sandbox ids are per pod, not renamed as a pool)")
        self._interning = True
        return symmetry_key(state, _cluster_of, self._atoms)

    def representative(self, state: SystemState) -> SystemState:
        """The representative state of ``state``'s symmetry class (the renamed copy)."""
        if self._by_creator:
            raise ModelError("symmetry is not combined with identifiers='by-creator'")
        return symmetry_representative(state, _cluster_of, self._atoms)

    def expects_progress(self, state: SystemState) -> bool:
        """A state with no enabled action is a deadlock unless every pod is settled.

        Settled: on a NotReady node (nothing can happen to it until a fault heals the node:
        a Terminating pod there is expected to linger), or bound, not being deleted and Ready
        (or terminal).  Pods stuck unscheduled or terminating on a Ready node count as a
        deadlock.
        """
        c = state.cluster
        for p in c.pods.values():
            node = c.get("Node", "", p.node_name) if p.node_name else None
            if node is not None and not node.ready:
                continue
            if p.node_name is None or p.deletion_timestamp is not None:
                return True
            if not p.conditions.ready and p.phase not in ("Failed", "Succeeded"):
                return True
        return False

    def describe_state(self, state: SystemState) -> dict[str, str]:
        c = state.cluster
        out: dict[str, str] = {}
        for kind in KINDS:
            for obj in c.table(kind).values():
                out[f"{kind} {obj.name}" if not obj.namespace or obj.namespace == "default" else f"{kind} {obj.namespace}/{obj.name}"] = _summary(kind, obj, c)
        if state.pending:
            for ak, pws in state.pending.items():
                out[f"pending {'/'.join(ak)}"] = ", ".join(_describe_write(pw.write) for pw in pws)
        if any(state.user_budget):
            out["user budget"] = ", ".join(
                f"{user_action_label(a)}x{n}" for a, n in zip(self._user_actions, state.user_budget) if n
            )
        faults = {k: v for k, v in ((f, getattr(state.faults, f)) for f in FaultBudget.__dataclass_fields__) if v}
        if faults:
            out["fault budget"] = ", ".join(f"{k}={v}" for k, v in faults.items())
        return out

    # ---------------------------------------------------------------- internals
    def _finish(self, state: SystemState, cluster: ClusterState, **changes: Any) -> SystemState:
        parent = state.cluster
        prev = parent if self.scenario.stale_reads else None
        raw: ClusterState | None = None
        if parent._cache.get("normalized") and successor_is_normalized(parent, cluster, self._by_creator):
            if self._debug_incremental and cluster != normalize_cluster(cluster, self._by_creator):
                raise ModelError("incremental normalisation: normalize_successor differs from normalize_cluster")
        else:
            # a step that adds or removes objects (or comes from a parent not normalized): the
            # normalised and hash-consed cluster memoised on the tables in hand (see _normalized)
            raw = cluster
            hit = self._normalized.get(_tables_of(raw))
            if hit is not None:
                cluster = hit
                if self._debug_incremental and cluster != normalize_cluster(raw, self._by_creator):
                    raise ModelError("incremental normalisation: the memoised normal form differs from normalize_cluster")
                if not changes:
                    return _successor_state(state, cluster, prev)
                return replace(state, cluster=cluster, previous=prev, **changes)
            cluster = normalize_cluster(cluster, self._by_creator, self._renumbered if self._interning else None)
            if self._debug_incremental and cluster != normalize_cluster(raw, self._by_creator):
                raise ModelError("incremental normalisation: the memoised renumbering differs from normalize_cluster")
        if self._interning:
            cluster = self._intern(parent, cluster)
        cluster._cache["normalized"] = True  # a normalized parent for its own successors
        if raw is not None and self._interning:
            if len(self._normalized) >= _INTERN_MAX:
                self._normalized.clear()
            self._normalized[_tables_of(raw)] = cluster
        if not changes:
            return _successor_state(state, cluster, prev)
        return replace(state, cluster=cluster, previous=prev, **changes)

    def _intern(self, parent: ClusterState, cluster: ClusterState) -> ClusterState:
        """``cluster`` with every object and table replaced by the first equal one this system
        built (hash-consing).

        Pure speed: an equal value replaces a value, so no result changes, but states reached
        along different paths then share their objects, tables and cluster, and every cache
        keyed by identity (the symmetry key's :class:`model.canonical.AtomCache`, the memo's
        identity shortcut) hits, and comparing two equal clusters is a few identity tests.  Only the
        objects of tables that differ from ``parent``'s, and not identical to the parent's
        object under the same key, are hashed.  The tables are bounded by :data:`_INTERN_MAX`
        entries each (cleared beyond: interning is never needed for a result).
        """
        if cluster is parent:
            return cluster
        objs, tables, clusters = self._intern_objs, self._intern_tables, self._intern_clusters
        if len(objs) > _INTERN_MAX or len(tables) > _INTERN_MAX or len(clusters) > _INTERN_MAX:
            objs.clear()
            tables.clear()
            clusters.clear()
        changed: dict[str, Any] | None = None
        # a parent this instance built (and interned) has interned tables; one built elsewhere (a test's
        # reference system) may not: then its tables are interned too, so a shared cluster holds only
        # this instance's tables
        own_parent = clusters.get(parent) is parent
        for attr in _TABLES:
            tab = getattr(cluster, attr)
            ptab = getattr(parent, attr)
            if tab is ptab:
                if own_parent:
                    continue
                ct = tables.setdefault(tab, tab)
                if ct is not tab:
                    if changed is None:
                        changed = {}
                    changed[attr] = ct
                continue
            # a table equal to one interned before is that one (its objects are interned with it): no walk
            ct = tables.get(tab)
            if ct is None:
                pd = ptab._d
                d = tab._d
                nd: dict[Any, Any] | None = None
                for k, v in d.items():
                    if pd.get(k) is v:
                        continue
                    c = objs.setdefault(v, v)
                    if c is not v:
                        if nd is None:
                            nd = dict(d)
                        nd[k] = c
                if nd is not None:
                    tab = FrozenMap._make(nd, tab._hash)  # equal values: the same hash
                ct = tables.setdefault(tab, tab)
            if ct is not getattr(cluster, attr):
                if changed is None:
                    changed = {}
                changed[attr] = ct
        if changed is not None:
            # a successor equal to a cluster built before (most of them) is that cluster: looked up
            # before copying (the interned tables are equal to the ones in hand: the same hash and ``==``)
            found = clusters.get(cluster)
            if found is not None:
                return found
            h = hash(cluster)  # cached by the lookup; the copy is equal: the same hash
            cluster = cluster._replace(**changed)
            cluster._cache["hash"] = h
        return clusters.setdefault(cluster, cluster)

    def intern(self, value: Any) -> Any:
        """An equal value made of this instance's hash-consed objects and tables (see :meth:`_intern`):
        for a state, a cluster, an object table or an API object; any other value as it is.

        For a value built elsewhere (unpickled: the distributed search sends successors to the
        worker that owns them, ``kubecheck.core.distributed``): it shares no object with this
        instance's states, so the memo's lookups, the visited set's ``==`` and every identity cache
        would compare it field by field.  Interning makes it identical to the equal objects this
        instance already holds.  Pure speed: only equal values replace values.
        """
        t = type(value)
        if t is SystemState:
            return self._intern_state(value)
        if t is ClusterState:
            return self._intern_whole(value)
        if t is FrozenMap:
            return self._intern_table(value)
        if t in _OBJECT_TYPES:
            return self._intern_objs.setdefault(value, value)
        return value

    def stable_hash(self, value: Any) -> int:
        """A 64-bit hash of ``value`` (a state, or any part of one) that is the same in every process
        for equal values, unlike ``hash()`` (:mod:`model.stable_hash`; the engine's optional hook
        :func:`kubecheck.core.ts.stable_hash_fn`: the distributed search routes states by it).  Each
        object keeps its own once computed, so a successor hashes only what its step made."""
        hasher = self.__dict__.get("_stable_hash")
        if hasher is None:
            from model.stable_hash import StableHash

            hasher = self._stable_hash = StableHash()
        return hasher(value)

    def forget(self, state: SystemState) -> None:
        """``state`` left this instance's process (the engine's optional hook
        :func:`kubecheck.core.ts.forget_fn`: a worker of the distributed search sent it to the worker
        that owns it): its cluster leaves the hash-consing table, which would otherwise hold every
        successor this worker generated (up to :data:`_INTERN_MAX`), not only the ones it stores.
        Pure memory: a later equal cluster is interned again (one more object, the same values)."""
        cluster = state.cluster
        clusters = self._intern_clusters
        if clusters.get(cluster) is cluster:
            del clusters[cluster]

    def _intern_state(self, state: SystemState) -> SystemState:
        cluster = self._intern_whole(state.cluster)
        if cluster is not state.cluster and state.cluster._cache.get("normalized"):
            cluster._cache["normalized"] = True  # what _finish's fast path needs to know of a parent
        if cluster._cache.get("normalized"):
            # the whole cluster too, as _finish does for a successor's: an arrival equal to a cluster this
            # instance built is that cluster (one copy, not two), and one this instance builds later is it
            cluster = self._intern_clusters.setdefault(cluster, cluster)
        prev = state.previous
        if prev is not None:
            prev = self._intern_whole(prev)
        informer = state.informer
        if informer is not None:
            cache = self._intern_whole(informer.cache)
            if cache is not informer.cache:
                informer = replace(informer, cache=cache)
        pending = state.pending
        if pending:
            pending = self._intern_tables.setdefault(pending, pending)
        if cluster is state.cluster and prev is state.previous and informer is state.informer and pending is state.pending:
            return state
        return replace(state, cluster=cluster, previous=prev, informer=informer, pending=pending)

    def _intern_whole(self, cluster: ClusterState) -> ClusterState:
        """``cluster`` with every table and object replaced by this instance's equal one."""
        objs, tables = self._intern_objs, self._intern_tables
        if len(objs) > _INTERN_MAX or len(tables) > _INTERN_MAX:
            objs.clear()
            tables.clear()
        changed: dict[str, Any] = {}
        for attr in _TABLES:
            tab = getattr(cluster, attr)
            ct = self._intern_table(tab)
            if ct is not tab:
                changed[attr] = ct
        if changed:
            cluster = cluster._replace(**changed)
        return cluster

    def _intern_table(self, tab: FrozenMap[Any, Any]) -> FrozenMap[Any, Any]:
        """``tab`` with its values replaced by this instance's equal ones, then itself by an equal table."""
        tables = self._intern_tables
        if tables.get(tab) is tab:  # already this instance's (sent by reference, or an empty table)
            return tab
        objs = self._intern_objs
        d = tab._d
        nd: dict[Any, Any] | None = None
        for k, v in d.items():  # the objects first: the table lookup then compares them by identity
            c = objs.setdefault(v, v)
            if c is not v:
                if nd is None:
                    nd = dict(d)
                nd[k] = c
        it = FrozenMap._make(nd, tab._hash) if nd is not None else tab
        return tables.setdefault(it, it)

    def _sync(
        self, spec: ControllerSpec, view: ClusterState, key: Any, needs_sync: bool = True, choice: int | None = None
    ) -> tuple[Write, ...]:
        """The writes of ``spec``'s sync on ``view`` (memoised, see :meth:`_memoised`).  ``needs_sync``
        false: a ReplicaSet/RC whose expectations are not satisfied (``model.informer``).  ``choice``
        (``time: ordered``, ReplicaSet/RC only): which of upstream's possible victim sets."""
        if choice is not None:
            from functools import partial

            chooser: Callable[..., tuple[Write, ...]] = self._syncs[spec.name]
            return self._memoised(
                f"{spec.name}#{choice}" + ("" if needs_sync else "!expecting"),
                partial(chooser, rs_needs_sync=needs_sync, victim_choice=choice), view, key,
            )
        if not needs_sync:
            from functools import partial

            sync: Callable[..., tuple[Write, ...]] = self._syncs[spec.name]  # sync_replica_set / sync_replication_controller
            if spec.name == "daemonset":  # sync_daemon_set
                return self._memoised(spec.name + "!expecting", partial(sync, ds_needs_sync=False), view, key)
            return self._memoised(spec.name + "!expecting", partial(sync, rs_needs_sync=False), view, key)
        return self._memoised(spec.name, self._syncs[spec.name], view, key)

    def _reconciles(
        self, spec: ControllerSpec, view: ClusterState, key: Any, reserved: Reserved = NO_RESERVED, needs_sync: bool = True
    ) -> Iterable[tuple[tuple[int, ...], "_Reconcile"]]:
        """The reconciles ``spec``'s actor ``key`` may run on ``view``, each with the suffix of its
        action data: one, ``()``, unless ``time: ordered`` lets a ReplicaSet/RC pick among several
        victim sets (``(k,)`` for the ``k``-th; the enumeration stops at the first repeat of the
        0th, which ``model.controller_utils.get_pods_to_delete`` returns past the last choice)."""
        if not self._ordered or spec.name not in _VICTIM_CHOOSERS:
            yield (), self._reconcile(spec, view, key, reserved, needs_sync)
            return
        first = self._sync(spec, view, key, needs_sync, 0)
        yield (0,), self._reconcile(spec, view, key, reserved, needs_sync, 0)
        k = 1
        while self._sync(spec, view, key, needs_sync, k) != first:
            yield (k,), self._reconcile(spec, view, key, reserved, needs_sync, k)
            k += 1

    def _memoised(self, actor: str, fn: Callable[[Any, Any], Any], view: ClusterState, key: Any) -> Any:
        """``fn(view, key)`` for a pure ``fn`` (a controller's sync, a kubelet step), memoised on
        what it read: the incremental successors of issue #17.

        ``fn`` runs on a :class:`model.state.ReadTracker`, which records every table it reads and
        every object it looks up with ``get`` (and refuses any other access).  ``fn`` is pure, so
        on a later view whose recorded tables and objects are equal (``==``) it returns an equal
        result: the memo returns the recorded one, and a controller or kubelet whose read set a
        transition left alone is not run again.  Why equal reads are enough even though what
        ``fn`` reads depends on what it read before: ``fn`` is deterministic, so on a view that
        agrees with the recorded values at every recorded read it makes the same reads in the same
        order, and returns the same result.

        The memo is indexed by the *shape* of a read set (which tables, which object keys, in
        which order), and per shape by the tuple of values read: a lookup builds that tuple for
        each shape recorded for ``(actor, key)`` (usually one to three) and makes one dict lookup,
        whose hash comes from the tables' and objects' cached hashes.  The whole memo is cleared
        when it holds more than :data:`_MEMO_MAX` entries.  It lives on this instance and is never
        part of a state; ``memo_stats`` counts hits and misses.  With ``KUBECHECK_DEBUG_INCREMENTAL=1``
        in the environment every hit is checked against a fresh run (:class:`ModelError` on a
        difference).
        """
        mk = (actor, key)
        shapes = self._sync_memo.get(mk)
        if shapes is not None:
            for shape, table, values in shapes:
                vals = values(view)
                writes = table.get(vals, _MISSING)
                if writes is not _MISSING:
                    self.memo_stats[0] += 1
                    self.last_reads[mk] = shape
                    if self._debug_incremental:
                        fresh = fn(ReadTracker(view), key)
                        if fresh != writes:
                            raise ModelError(
                                f"incremental successors: {actor} {key!r} reused {writes!r} where a fresh run gives {fresh!r}"
                            )
                    return writes
        self.memo_stats[1] += 1
        tracker = ReadTracker(view)
        writes = fn(tracker, key)
        deps = tracker.dependencies()
        if self._sync_memo_size >= _MEMO_MAX:
            self._sync_memo.clear()
            self._sync_memo_size = 0
            shapes = None
        if shapes is None:
            shapes = self._sync_memo[mk] = []
        shape = tuple([(attr, k) for attr, k, _ in deps])
        vals = tuple([v for _, _, v in deps])
        for sh, table, _ in shapes:
            if sh == shape:
                break
        else:
            table = {}
            shapes.append((shape, table, _shape_values(shape)))
        table[vals] = writes
        self.last_reads[mk] = shape
        self._sync_memo_size += 1
        if self._learned is not None:
            self._learned.append((mk, shape, vals, writes))
        return writes

    def learned(self) -> list[Any]:
        """The memo entries computed since the last call (see :meth:`learn`); the first call starts
        recording them."""
        out = self._learned or []
        self._learned = []
        return out

    def learn(self, entries: list[Any]) -> None:
        """Add memo entries another instance of the same scenario computed (:meth:`learned`), their
        values interned (the distributed search sends them between workers, so a worker does not
        run again a sync another worker ran).  Sound for the same reason as :meth:`_memoised`: an
        entry is a pure function's result on the values it read, whoever computed it."""
        for mk, shape, vals, writes in entries:
            if self._sync_memo_size >= _MEMO_MAX:
                self._sync_memo.clear()
                self._sync_memo_size = 0
            shapes = self._sync_memo.get(mk)
            if shapes is None:
                shapes = self._sync_memo[mk] = []
            for sh, table, _ in shapes:
                if sh == shape:
                    break
            else:
                table = {}
                shapes.append((shape, table, _shape_values(shape)))
            if vals not in table:
                table[vals] = writes
                self._sync_memo_size += 1

    def _reconcile(
        self, spec: ControllerSpec, view: ClusterState, key: Any, reserved: Reserved = NO_RESERVED, needs_sync: bool = True,
        choice: int | None = None,
    ) -> _Reconcile:
        writes = self._sync(spec, view, key, needs_sync, choice)
        if not writes:  # the commonest reconcile: nothing to write (no copy of anything)
            return _NO_RECONCILE
        sim = view
        out: list[PendingWrite] = []
        after: list[ClusterState] = []
        for w in writes:
            pw = PendingWrite(w, _base_of(sim, w))
            try:
                sim = _apply_pending(sim, pw, reserved, self._apply)
            except ApiError as exc:
                if self.strict or (exc.reason == "AlreadyExists" and not self._tolerant and not _taken_by_another(sim, w)):
                    raise
                break
            out.append(pw)
            after.append(sim)
        return _Reconcile(tuple(out), tuple(after), sim is not view and sim != view)

    def _run_writes(
        self, cluster: ClusterState, pws: Iterable[PendingWrite], reserved: Reserved = NO_RESERVED
    ) -> tuple[ClusterState, bool]:
        """Apply writes in order; returns the cluster and whether all of them succeeded."""
        for pw in pws:
            try:
                cluster = _apply_pending(cluster, pw, reserved, self._apply)
            except ApiError as exc:
                if self.strict or (exc.reason == "AlreadyExists" and not self._tolerant and not _taken_by_another(cluster, pw.write)):
                    raise
                return cluster, False
        return cluster, True

    def _controller_keys(self, spec: ControllerSpec, state: SystemState) -> list[Any]:
        c = state.cluster
        if spec.keys is None and state.informer is None:
            # FrozenMap keys are already sorted: the same list as sorted(set(keys)) below, when no
            # pending reconcile adds a key the table does not hold (write granularity: the usual case)
            table = c.table(spec.kind)
            name = spec.name
            if not any(ak[0] == name and ak[1:] not in table for ak in state.pending):
                return list(table.keys())
        keys: set[Any] = set(spec.keys(c) if spec.keys is not None else c.table(spec.kind).keys())
        for ak in state.pending:
            if ak[0] == spec.name:
                keys.add(tuple(ak[1:]))
        if state.informer is not None and spec.kind and spec.kind != "Node":  # synced from the cache
            from model.informer import cached_keys

            keys.update(cached_keys(state.informer, spec.kind))
        return sorted(keys)

    def _pending_head(
        self, spec: ControllerSpec, state: SystemState, ak: ActorKey, pend: tuple[PendingWrite, ...], reserved: Reserved
    ) -> tuple[PendingWrite, str, ClusterState, bool, FrozenMap[ActorKey, tuple[PendingWrite, ...]]]:
        """The next pending write of a reconcile in progress (write granularity), applied: the write,
        its label, the cluster after it, whether the API server accepted it, and the pending table
        (the rest of the reconcile, or nothing when the write failed and the reconcile stops)."""
        head = pend[0]
        label = spec.write_label(ak, head.write, head.base, state.cluster)
        cluster, ok = self._run_writes(state.cluster, (head,), reserved)
        rest = pend[1:] if ok else ()
        pending = state.pending.set(ak, rest) if rest else state.pending.remove(ak)
        return head, label, cluster, ok, pending

    def _controller_steps(self, state: SystemState, reserved: Reserved) -> Iterable[tuple[Action, SystemState]]:
        if state.informer is not None:
            yield from self._cached_controller_steps(state, reserved)
            return
        for spec in _ALL_CONTROLLERS:
            if spec.name not in self._syncs:
                continue
            for key in self._controller_keys(spec, state):
                ak: ActorKey = (spec.name, *key)
                pend = state.pending.get(ak)
                if pend:
                    head, label, cluster, ok, pending = self._pending_head(spec, state, ak, pend, reserved)
                    yield (Action("/".join(ak), label, True, ak, ("pending", ak)), self._finish(state, cluster, pending=pending))
                    continue
                views: list[tuple[str, ClusterState]] = [("", state.cluster)]
                if self.scenario.stale_reads and state.previous is not None and state.previous != state.cluster:
                    views.append(("_on_stale_view", state.previous))
                runs = [(suffix, view, alt, rec) for suffix, view in views for alt, rec in self._reconciles(spec, view, key, reserved)]
                actor = ""
                for suffix, view, alt, rec in runs:
                    if not rec.writes or not rec.changes:
                        continue
                    if not actor:
                        actor = "/".join(ak)
                    head = rec.writes[0]
                    label = spec.write_label(ak, head.write, head.base, view) + suffix
                    data = ("reconcile", ak, suffix, *alt)
                    fresh = view is state.cluster
                    if self.scenario.granularity == "reconcile":
                        cluster = rec.after[-1] if fresh else self._run_writes(state.cluster, rec.writes, reserved)[0]
                        yield (Action(actor, label, True, ak, data), self._finish(state, cluster))
                        continue
                    if fresh:  # the simulation already applied the head to this very state
                        cluster, ok = rec.after[0], True
                    else:
                        cluster, ok = self._run_writes(state.cluster, (head,), reserved)
                    rest = rec.writes[1:] if ok else ()
                    pending = state.pending.set(ak, rest) if rest else state.pending
                    yield (Action(actor, label, True, ak, data), self._finish(state, cluster, pending=pending))
                    if state.faults.write_failure and fresh:
                        refused = self._first_write_refused(state, spec, ak, rec.writes, alt)
                        if refused is not None:
                            yield refused

    def _cached_controller_steps(self, state: SystemState, reserved: Reserved) -> Iterable[tuple[Action, SystemState]]:
        """The controller steps with kube-controller-manager's informer caches (``model.informer``).

        As :meth:`_controller_steps`, except that a reconcile reads the cache
        (:func:`model.informer.controller_view`) and its writes go to the API server as a stale
        view's do; a ReplicaSet/RC whose expectations are unsatisfied skips manageReplicas; with the
        version's KEP-5647 fence an actor whose own applied writes are not cached yet does not start
        a reconcile; and each step updates the expectations and fences
        (:func:`model.informer.after_controller_step`).  A step that changes nothing at all (a
        write computed on the cache that the API server already holds) is left out.
        """
        from model.informer import after_controller_step, controller_view, fenced, rs_needs_sync
        from model.versions import stale_controller_fence

        inf = state.informer
        assert inf is not None
        view = controller_view(state.cluster, inf)
        whole = self.scenario.granularity == "reconcile"
        for spec in _ALL_CONTROLLERS:
            if spec.name not in self._syncs:
                continue
            fence = stale_controller_fence(self.scenario.kubernetes_version, spec.name)
            for key in self._controller_keys(spec, state):
                ak: ActorKey = (spec.name, *key)
                actor = "/".join(ak)
                pend = state.pending.get(ak)
                if pend:
                    head, label, cluster, ok, pending = self._pending_head(spec, state, ak, pend, reserved)
                    informer = after_controller_step(
                        inf, ak, started=None, applied=(head.write,) if ok else (),
                        dropped=() if ok else tuple(pw.write for pw in pend), fence=fence,
                    )
                    yield (Action(actor, label, True, ak, ("pending", ak)), self._finish(state, cluster, pending=pending, informer=informer))
                    continue
                if fence and fenced(inf, ak):
                    continue
                for alt, rec in self._reconciles(spec, view, key, reserved, rs_needs_sync(inf, spec.name, key)):
                    yield from self._cached_reconcile_step(state, spec, ak, actor, view, rec, alt, reserved, fence, whole)

    def _cached_reconcile_step(
        self, state: SystemState, spec: ControllerSpec, ak: ActorKey, actor: str, view: ClusterState, rec: "_Reconcile",
        alt: tuple[int, ...], reserved: Reserved, fence: bool, whole: bool,
    ) -> Iterable[tuple[Action, SystemState]]:
        """One reconcile of :meth:`_cached_controller_steps` (``alt``: its victim choice, ``time: ordered``)."""
        from model.informer import after_controller_step

        inf = state.informer
        assert inf is not None
        if not rec.writes or not rec.changes:
            return
        head = rec.writes[0]
        label = spec.write_label(ak, head.write, head.base, view)
        cluster = state.cluster
        applied: list[Write] = []
        failed = False
        for pw in rec.writes if whole else (head,):
            cluster, ok = self._run_writes(cluster, (pw,), reserved)
            if not ok:
                failed = True
                break
            applied.append(pw.write)
        left = rec.writes[len(applied):]
        informer = after_controller_step(
            inf, ak, started=tuple(pw.write for pw in rec.writes), applied=applied,
            dropped=tuple(pw.write for pw in left) if failed else (), fence=fence,
        )
        pending = state.pending.set(ak, left) if left and not failed else state.pending
        nxt = self._finish(state, cluster, pending=pending, informer=informer)
        if nxt == state:
            return
        yield (Action(actor, label, True, ak, ("reconcile", ak, "", *alt)), nxt)
        if state.faults.write_failure and not whole:
            refused = self._first_write_refused(state, spec, ak, rec.writes, alt)
            if refused is not None:
                yield refused

    def _informer_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """The informers' deliveries (``model.informer.delivery_steps``): weakly fair per kind."""
        from model.informer import delivery_steps

        assert state.informer is not None
        for d in delivery_steps(state.cluster, state.informer):
            yield (Action("informer", d.label, True, ("informer", d.kind), d.kind), replace(state, informer=d.informer))

    def _atomic(self, cluster: ClusterState, writes: Iterable[Write], reserved: Reserved = NO_RESERVED) -> ClusterState:
        apply = self._apply
        for w in writes:
            cluster = apply(cluster, w, reserved)
        return cluster

    def _apply(self, cluster: ClusterState, w: Write, reserved: Reserved = NO_RESERVED) -> ClusterState:
        """:func:`model.apiserver.apply_write`, with updates, status updates and deletes memoised on
        (the table written, the write).

        An ``Update``, ``UpdateStatus`` or ``Delete`` reads and writes one table only
        (``model.apiserver``: ``_update``, ``_update_status``, ``_delete`` read the object under the
        write's key (``NotFound``, a UID ``Conflict``), compute the new object from it and the write,
        and ``_finalize`` stores or removes it under that key); the counters and every other table
        stay.  So the result is that cluster with that one table replaced by a function of (the
        table, the write), both immutable values: the memo keeps, per (table, write), the resulting
        table, hash-consed (the key's hash comes from cached hashes; its ``==`` is identity tests
        for hash-consed tables and the memoised writes).  The
        writes a memoised sync or kubelet step returns are the same objects on every reuse, and the
        tables are hash-consed, so most of the kubelet's and the controllers' writes hit (issue #17:
        a status write is the commonest step).  A ``Create`` (identifiers, counters) is applied as
        it is; a refused write raises as before and is not recorded.  Pure speed: the same cluster
        as ``apply_write``'s, up to equal values being identical (``KUBECHECK_DEBUG_INCREMENTAL=1``
        compares every hit with ``apply_write``)."""
        attr: str | None = None
        if isinstance(w, (UpdateStatus, Update)):
            attr = _TABLE_OF.get(type(w.obj))
        elif isinstance(w, Delete):
            attr = _TABLE_OF_KIND.get(w.kind)
        if attr is None:  # a Create (identifiers, counters), or a write apply_write refuses
            return apply_write(cluster, w, reserved)
        tab = getattr(cluster, attr)
        memo = self._status_memo
        mk = (tab, w)
        new = memo.get(mk)
        if new is None:
            after = apply_write(cluster, w)
            new = getattr(after, attr)
            if new is not tab and self._interning:
                new = self._intern_table(new)
            if len(memo) >= _INTERN_MAX:
                memo.clear()
            memo[mk] = new
        elif self._debug_incremental and new != getattr(apply_write(cluster, w), attr):
            raise ModelError(f"memoised write: {w!r} on {attr} differs from apply_write")
        return cluster if new is tab else cluster._replace(**{attr: new})

    def _scheduler_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        from model.scheduler import bind, find_nodes_that_fit, pending_pods

        c = state.cluster
        for pod in pending_pods(c):
            fk = ("scheduler", pod.namespace, pod.name)
            for node in find_nodes_that_fit(c, pod):
                nxt = self._finish(state, self._atomic(c, bind(pod, node)))
                yield (Action("scheduler", "scheduler_bind_pod", True, fk, (pod.namespace, pod.name, node.name)), nxt)

    def _kubelet_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        c = state.cluster
        memoised = self._memoised
        step = self._kubelet_step
        for key in c.pods.keys():
            st = memoised("kubelet", step, c, key)
            if st is None:
                continue
            nxt = self._atomic(c, st.writes)
            if nxt == c:
                continue
            pod = c.pods[key]
            actor = f"kubelet/{pod.node_name}/{key[1]}"
            yield (Action(actor, st.label, True, ("kubelet", *key), key), self._finish(state, nxt))

    def _expiry_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """The registered timers (``model.registry.TIMERS``), in order; an opt-in timer runs only
        when its ``Scenario`` flag is on.  With timed image facts (``Scenario.images``) the apps'
        ``app_starts_serving`` clock steps come first, and a pod's minReadySeconds timer waits while
        an app of it must serve or turn unready first (``model.kubelet.min_ready_waits_for_serving``,
        ``min_ready_waits_for_unready``)."""
        from model.deployment import PROGRESS_DEADLINE_TIMER, progress_deadline_fairness
        from model.kubelet import MIN_READY_TIMER, min_ready_waits_for_serving, min_ready_waits_for_unready, starts_serving

        c = state.cluster
        images = self.scenario.images
        probes = "probes" in self.scenario.clocks
        fair_deadline = "progress-deadline" in self.scenario.clocks
        if images and any(f.serves_after for f in images.values()):
            for key, pod in c.pods.items():
                for container, serving in starts_serving(pod):
                    nxt = self._finish(state, c.put(serving))
                    yield (Action("clock", "app_starts_serving", True, ("expiry", "Pod", *key, "serving"), (*key, container)), nxt)
        for timer in TIMERS:
            if not self.scenario.timer_on(timer.opt_in):
                continue
            for ts in timer.steps(c):
                if images and timer is MIN_READY_TIMER:
                    pod = c.pods[(ts.key[0], ts.key[1])]
                    if min_ready_waits_for_serving(c, pod, images) or min_ready_waits_for_unready(c, pod, images, probes=probes):
                        continue
                fair = timer.fair
                fk = ("expiry", ts.kind, *ts.key, *ts.fair_key)
                if fair_deadline and timer is PROGRESS_DEADLINE_TIMER:
                    fair = True
                    fk = (*fk, *progress_deadline_fairness(c.deployments[(ts.key[0], ts.key[1])]))
                yield (Action("clock", ts.label, fair, fk, ts.key), self._finish(state, ts.cluster))
        if state.informer is not None:
            from model.informer import expectation_expiry_steps

            caught_up = state.informer.cache.pods == c.pods
            for family, ekey, informer in expectation_expiry_steps(state.informer):
                # an awaited pod write still pending in the controller (a DaemonSet's reconcile
                # writes its ControllerRevision first) is an event not yet sent, not a missed one
                in_flight = any(_is_pod_create_or_delete(pw.write) for pw in state.pending.get((family, *ekey), ()))
                if caught_up and not in_flight:  # an event was missed (relist): time passes, fair
                    nxt = replace(state, informer=informer)
                    yield (Action("clock", "expiry_expectations", True, ("expiry", "expectations", family, *ekey), (family, *ekey)), nxt)
                elif state.faults.informer_lag:  # the cache lags past ExpectationsTimeout: a budgeted fault
                    nxt = replace(state, informer=informer, faults=state.faults.spend("informer_lag"))
                    yield (Action("fault", "fault_expectations_expire_on_lagging_cache", False, ("fault", "informer_lag"), (family, *ekey)), nxt)

    def _drain_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """The running ``kubectl drain`` loops (``model.environment.drain_steps``): weakly fair per
        node, as the client keeps retrying; a 429 is a step that changes nothing."""
        from model.environment import drain_steps

        for ds in drain_steps(state.cluster):
            nxt = self._finish(state, ds.result)
            yield (Action(f"drain/{ds.node}", ds.label, True, ("drain", ds.node), (ds.node, ds.pod)), nxt)

    def _podgc_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """PodGC's ``gcOrphaned`` (``model.podgc``): a grace-0 delete of each pod bound to a Node that
        no longer exists; weakly fair per pod.  Never enabled unless a Node was deleted."""
        from model.podgc import gc_orphaned, orphaned_pods

        c = state.cluster
        for pod in orphaned_pods(c):
            nxt = self._finish(state, self._atomic(c, gc_orphaned(c, pod)))
            key = (pod.namespace, pod.name)
            yield (Action("podgc", "podgc_delete_orphaned_pod", True, ("podgc", *key), key), nxt)

    def _user_steps(self, state: SystemState, reserved: Reserved, quiet: bool = False) -> Iterable[tuple[Action, SystemState]]:
        c = state.cluster
        for idx, (ua, left) in enumerate(zip(self._user_actions, state.user_budget)):
            if left <= 0:
                continue
            if isinstance(ua, After) and not ua.allows(lambda a: self._happened(state, a), quiet, c):
                continue
            label = user_action_label(ua)
            for detail, writes in user_action_instances(c, ua):
                budget = state.user_budget[:idx] + (left - 1,) + state.user_budget[idx + 1 :]
                if isinstance(writes, Refused):  # the user tried; the API server (or kubectl) said no
                    nxt = self._finish(state, c, user_budget=budget)
                    yield (Action("user", f"{label}_refused", False, ("user", idx), (idx, f"{detail}: {writes.message}")), nxt)
                    continue
                after = self._atomic(c, writes, reserved)
                base = ua.inner if isinstance(ua, After) else ua  # an ordered delete is still a delete
                if isinstance(base, DeleteObject) and base.kind == "Pod":
                    after = _record_orphans(c, after, writes)
                nxt = self._finish(state, after, user_budget=budget)
                if is_fair(ua):  # the operator who eventually acts: weakly fair per declared action
                    yield (Action("operator", label, True, ("operator", idx), (idx, detail)), nxt)
                elif isinstance(ua, After) and ua.fair:  # a scenario file's fair: true (model.sequence)
                    yield (Action("user", label, True, ("user", idx), (idx, detail)), nxt)
                else:
                    yield (Action("user", label, False, ("user", idx), (idx, detail)), nxt)

    def _happened(self, state: SystemState, action: UserAction) -> bool:
        """Whether ``action`` (a declared user action) was taken at least once on the way to ``state``."""
        j = self._user_actions.index(action)
        return state.user_budget[j] < self._user_counts[j]

    def _fault_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        for fi in fault_instances(state.cluster, state.faults, self.scenario.images):
            nxt = self._finish(state, fi.result, faults=state.faults.spend(fi.budget))
            yield (Action("fault", fi.label, False, ("fault", fi.budget), fi.detail), nxt)
        if state.faults.controller_crash:
            for ak in state.pending:
                spec = _PENDING_SPECS[ak[0]]
                more: dict[str, Any] = {}
                if state.informer is not None:  # the dropped writes lower the expectations (model.informer)
                    from model.informer import after_controller_step

                    more["informer"] = after_controller_step(
                        state.informer, ak, started=None, applied=(), dropped=tuple(pw.write for pw in state.pending[ak]), fence=False
                    )
                nxt = self._finish(
                    state, state.cluster, pending=state.pending.remove(ak), faults=state.faults.spend("controller_crash"), **more
                )
                yield (Action("fault", f"{spec.prefix}_crash_mid_reconcile", False, ("fault", "controller_crash"), "/".join(ak)), nxt)
        if state.faults.write_failure:
            yield from self._write_failure_steps(state)
        if state.faults.controller_manager_restart and state.informer is not None:
            from model.informer import restart

            informer = restart(state.cluster)
            if state.pending or informer != state.informer:
                nxt = self._finish(state, state.cluster, pending=EMPTY, informer=informer,
                                   faults=state.faults.spend("controller_manager_restart"))
                yield (Action("fault", "fault_controller_manager_restart", False, ("fault", "controller_manager_restart"), ""), nxt)

    def _after_refusal(self, state: SystemState, spec: ControllerSpec, ak: ActorKey, pws: tuple[PendingWrite, ...],
                       first: bool) -> tuple[tuple[PendingWrite, ...], tuple[Write, ...]] | None:
        """The actor's pending writes after the API server refuses ``pws[0]``, and the writes that
        are dropped (the refused one included); ``None`` when the refusal is not a step of its own
        (a reconcile's first write refused with nothing after it going on: a stutter, left out).

        Upstream, ReplicaSet/RC manageReplicas runs its deletes and each slowStartBatch batch of
        creates in parallel, so one refused Pod write does not stop the others of its batch; a refused first create (slowStartBatch's first batch of
        one) skips every later batch; and syncReplicaSet still writes the status, to which
        calculateStatus gives a ``ReplicaFailure`` condition (FailedCreate/FailedDelete;
        ``model.replicaset.with_manage_replicas_error``): the pending status write gets it, or one
        is added when the reconcile had none.  Every other sync returns at its first error: the
        rest of the reconcile is not written."""
        head, later = pws[0], pws[1:]
        w = head.write
        rs_family = ak[0] in _RS_FAMILIES
        pod_write = rs_family and isinstance(w, (Create, Delete)) and (w.kind if isinstance(w, Delete) else kind_of(w.obj)) == "Pod"
        if not pod_write:
            if first:
                return None
            return (), tuple(pw.write for pw in pws)
        if isinstance(w, Create) and first:  # slowStartBatch: the later batches are skipped
            rest = tuple(pw for pw in later if not isinstance(pw.write, Create))
        else:
            rest = later
        rest = self._with_replica_failure(state, spec, ak, rest, "FailedCreate" if isinstance(w, Create) else "FailedDelete")
        kept = {id(pw) for pw in rest}
        dropped = tuple(pw.write for pw in pws if id(pw) not in kept and not isinstance(pw.write, UpdateStatus))
        if first and not rest:
            return None
        return rest, dropped

    def _with_replica_failure(self, state: SystemState, spec: ControllerSpec, ak: ActorKey,
                              rest: tuple[PendingWrite, ...], reason: str) -> tuple[PendingWrite, ...]:
        """``rest`` with the ReplicaSet/RC status write turned into the one a manageReplicas error
        gives (``model.replicaset.with_manage_replicas_error``)."""
        from model.replicaset import with_manage_replicas_error

        kind = spec.kind
        for i, pw in enumerate(rest):
            if isinstance(pw.write, UpdateStatus) and kind_of(pw.write.obj) == kind:
                obj = pw.write.obj
                read = pw.base.status if pw.base is not None else obj.status
                status = with_manage_replicas_error(read, obj.status, reason, REPLICA_FAILURE_MESSAGE)
                if status == obj.status:
                    return rest
                return rest[:i] + (PendingWrite(UpdateStatus(replace(obj, status=status)), pw.base),) + rest[i + 1:]
        cur = state.cluster.get(kind, *ak[1:])
        if cur is None:
            return rest
        status = with_manage_replicas_error(cur.status, cur.status, reason, REPLICA_FAILURE_MESSAGE)
        if status == cur.status:
            return rest
        status = replace(status, observed_generation=cur.generation)
        return rest + (PendingWrite(UpdateStatus(replace(cur, status=status)), cur),)

    def _first_write_refused(self, state: SystemState, spec: ControllerSpec, ak: ActorKey,
                             writes: tuple[PendingWrite, ...], alt: tuple[int, ...] = ()) -> tuple[Action, SystemState] | None:
        """A reconcile (write granularity) whose first write the API server refuses
        (``FaultBudget.write_failure``): nothing is written, the writes that go on stay pending
        (:meth:`_after_refusal`), and with caches the reconcile's expectations are raised and
        lowered for the dropped writes."""
        after = self._after_refusal(state, spec, ak, writes, True)
        if after is None:
            return None
        rest, dropped = after
        more: dict[str, Any] = {}
        if state.informer is not None:
            from model.informer import after_controller_step

            more["informer"] = after_controller_step(state.informer, ak, started=tuple(pw.write for pw in writes),
                                                     applied=(), dropped=dropped, fence=False)
        pending = state.pending.set(ak, rest) if rest else state.pending.remove(ak)
        nxt = self._finish(state, state.cluster, pending=pending, faults=state.faults.spend("write_failure"), **more)
        return (Action("fault", f"{spec.prefix}_write_refused", False, ("fault", "write_failure"),
                       f"{'/'.join(ak)}: {_describe_write(writes[0].write)}" + (f" (choice {alt[0]})" if alt else "")), nxt)

    def _write_failure_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """A failed write (``FaultBudget.write_failure``): the API server refuses the next pending
        write of one actor with a Conflict or a 5xx; the write is dropped, and the rest of the
        reconcile goes on or not as :meth:`_after_refusal` says.

        On a failed create manageReplicas calls ``CreationObserved(rsKey)``, on a failed delete
        ``DeletionObserved(rsKey, podKey)`` (pkg/controller/replicaset/replica_set.go), which
        :func:`model.informer.after_controller_step` does for a dropped write.  The first write of
        a reconcile is refused in the reconcile's own step (:meth:`_first_write_refused`)."""
        for ak, pws in state.pending.items():
            spec = _PENDING_SPECS[ak[0]]
            after = self._after_refusal(state, spec, ak, pws, False)
            assert after is not None
            rest, dropped = after
            more: dict[str, Any] = {}
            if state.informer is not None:  # upstream's error paths lower the expectations
                from model.informer import after_controller_step

                more["informer"] = after_controller_step(state.informer, ak, started=None, applied=(), dropped=dropped, fence=False)
            pending = state.pending.set(ak, rest) if rest else state.pending.remove(ak)
            nxt = self._finish(state, state.cluster, pending=pending, faults=state.faults.spend("write_failure"), **more)
            yield (Action("fault", f"{spec.prefix}_write_refused", False, ("fault", "write_failure"),
                          f"{'/'.join(ak)}: {_describe_write(pws[0].write)}"), nxt)

    def _successors(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        if self._needs_quiet:
            yield from self._ordered_successors(state)
            return
        # Scheduler, kubelet, expiry and fault steps never create, so only controllers and
        # users need the reserved identifiers.
        reserved = _LazyReserved(state, self._by_creator)
        yield from self._controller_steps(state, reserved)
        if state.informer is not None:
            yield from self._informer_steps(state)
        if "scheduler" in self.families:
            yield from self._scheduler_steps(state)
        if "kubelet" in self.families:
            yield from self._kubelet_steps(state)
        if "expiry" in self.families:
            yield from self._expiry_steps(state)
        if "drain" in self.families:
            yield from self._drain_steps(state)
        if "podgc" in self.families:
            yield from self._podgc_steps(state)
        yield from self._user_steps(state, reserved)
        yield from self._fault_steps(state)

    def _ordered_successors(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """:meth:`_successors` when a user action waits for quiescence (``model.sequence.After``
        with ``converged``): the other families' steps first, to know whether a fair one is enabled."""
        reserved = reserved_identifiers(state)
        if self._by_creator:
            reserved = replace(reserved, by_creator=True)
        others = list(self._controller_steps(state, reserved))
        for fam, gen in (("scheduler", self._scheduler_steps), ("kubelet", self._kubelet_steps), ("expiry", self._expiry_steps),
                         ("drain", self._drain_steps), ("podgc", self._podgc_steps)):
            if fam in self.families:
                others.extend(gen(state))
        yield from others
        yield from self._user_steps(state, reserved, quiet=not any(a.fair for a, _ in others))
        yield from self._fault_steps(state)


def _is_pod_create_or_delete(w: Write) -> bool:
    return (isinstance(w, Create) and kind_of(w.obj) == "Pod") or (isinstance(w, Delete) and w.kind == "Pod")


def _versioned_sync(spec: ControllerSpec, scenario: Scenario) -> Callable[..., tuple[Write, ...]]:
    """``spec.sync`` with the version-dependent switches of ``scenario`` (``model.versions``): the
    StatefulSet's MaxUnavailableStatefulSet gate, and (opt-in, ``Scenario.terminating_replicas``)
    status.terminatingReplicas of ReplicaSets and Deployments.  The plain ``spec.sync`` when no
    switch is on, so the default scenario runs the very same functions as before."""
    from functools import partial

    from model.versions import feature_gate

    version = scenario.kubernetes_version
    sync: Callable[..., tuple[Write, ...]] = spec.sync  # the controller's sync, with its keyword options
    if spec.name == "statefulset" and feature_gate(version, "MaxUnavailableStatefulSet"):
        from model.statefulset import StatefulSetGates

        return partial(sync, gates=StatefulSetGates(max_unavailable_stateful_set=True))
    if spec.name in ("replicaset", "deployment") and scenario.terminating_replicas:
        if feature_gate(version, "DeploymentReplicaSetTerminatingReplicas"):
            return partial(sync, terminating_replicas=True)
    return spec.sync


#: The controller families whose manageReplicas goes on after a refused Pod write (replica_set.go).
_RS_FAMILIES: frozenset[str] = frozenset(("replicaset", "replication"))
#: The ReplicaFailure condition's message after a refused write (upstream: the API error's text;
#: one constant here, so that the condition adds no states beyond its reason).
REPLICA_FAILURE_MESSAGE = "the API server refused the write"


def _record_orphans(before: ClusterState, after: ClusterState, writes: Iterable[Write]) -> ClusterState:
    """A user's pod delete that removed the object at once (``--grace-period=0 --force``) from a
    NotReady node leaves its containers running there (``model.environment.record_orphaned_pod``),
    as the ``fault_force_delete_pod`` fault does."""
    from model.environment import record_orphaned_pod

    for w in writes:
        if isinstance(w, Delete) and w.kind == "Pod":
            pod = before.get("Pod", w.namespace, w.name)
            if pod is not None:
                after = record_orphaned_pod(before, after, pod)
    return after


# ----------------------------------------------------------------------------- rendering


def _describe_write(w: Write) -> str:
    from model.api import describe_write

    return describe_write(w)


def _summary(kind: str, obj: Any, c: ClusterState) -> str:
    """A short one-line summary of an object for rendering (its kind's ``summary``, model.kinds).
    Objects are referred to by name, never by UID (a UID appears only for a reference whose object is gone)."""
    from model.kinds import kind_record

    gone = " terminating" if obj.deletion_timestamp is not None else ""
    return kind_record(kind).summary(obj, c, gone)
