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
from model.canonical import AtomCache, normalize_cluster, symmetry_key, symmetry_representative
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
from model.canonical import normalize_successor
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "ControllerSpec",
    "CONTROLLERS",
    "ACTOR_FAMILIES",
    "Scenario",
    "PendingWrite",
    "SystemState",
    "KubeSystem",
    "reserved_identifiers",
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


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to explore: the initial cluster, what the environment may do, how fine the steps are.

    ``user_actions`` lists the user actions that may happen; an entry may be a
    ``(action, count)`` pair (default count 1; repeated entries add up).  ``actors`` limits
    the actor families that run (``None`` = all of :data:`ACTOR_FAMILIES`).
    ``progress_deadline`` switches on the (unfair) Deployment progress-deadline timer.
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

    def __post_init__(self) -> None:
        if self.granularity not in ("write", "reconcile"):
            raise ModelError(f"Scenario {self.name}: granularity {self.granularity!r} is not 'write' or 'reconcile'")
        if self.caches not in CACHE_MODES:
            raise ModelError(f"Scenario {self.name}: caches {self.caches!r} is not one of {list(CACHE_MODES)}")
        if self.caches != "off" and self.stale_reads:
            raise ModelError(f"Scenario {self.name}: stale_reads and caches are two models of the same lag; choose one")
        parse_version(self.kubernetes_version)
        for a in self.actors or ():
            if a not in ACTOR_FAMILIES:
                raise ModelError(f"Scenario {self.name}: unknown actor family {a!r}; known: {list(ACTOR_FAMILIES)}")

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


# ------------------------------------------------------------------------- applying writes


def _cluster_of(state: SystemState) -> ClusterState:
    return state.cluster


def _strip(obj: Any) -> Any:
    return replace(obj, creation_index=0)


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

    def __init__(self, state: SystemState) -> None:  # noqa: D107 - no dataclass __init__: lazy
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_value", None)

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


def _apply_pending(cluster: ClusterState, pw: PendingWrite, reserved: Reserved = NO_RESERVED) -> ClusterState:
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
        return apply_write(cluster, w)
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
#: The API object types a table holds (interned by :meth:`KubeSystem.intern`).
_OBJECT_TYPES: frozenset[type] = frozenset(cls for cls, _ in KINDS.values())


@dataclass(frozen=True, slots=True)
class _Reconcile:
    """A reconcile computed on a view: its writes (with bases) up to the first refused one,
    and the view after each of them (``after[i]`` = the view with writes 0..i applied)."""

    writes: tuple[PendingWrite, ...]
    after: tuple[ClusterState, ...]
    changes: bool


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
                self._syncs[spec.name] = spec.sync
        self._memo: tuple[SystemState, list[tuple[Action, SystemState]]] | None = None
        #: (controller, key) -> [(read-set shape: (table attribute, object key or None) per read,
        #: {the values read: the result})]
        self._sync_memo: dict[tuple[str, Any], list[tuple[tuple[tuple[str, Any], ...], dict[tuple[Any, ...], Any]]]] = {}
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
        #: always on since the objects cache their hashes (issue #17): equal objects become
        #: identical, so the memo's lookups compare by identity, and the stored states share them
        self._interning = True
        #: informer caches in the state (model.informer); a write computed on a lagging view may
        #: meet AlreadyExists, as with stale reads
        self._cached = scenario.caches == "lagged"
        self._tolerant = scenario.stale_reads or self._cached

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

        cluster = normalize_cluster(with_initial_loads(self.scenario.initial))
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
        self._interning = True
        return symmetry_key(state, _cluster_of, self._atoms)

    def representative(self, state: SystemState) -> SystemState:
        """The representative state of ``state``'s symmetry class (the renamed copy)."""
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
        if parent._cache.get("normalized"):
            cluster = normalize_successor(parent, cluster)
        else:
            cluster = normalize_cluster(cluster)
        if self._interning:
            cluster = self._intern(parent, cluster)
        cluster._cache["normalized"] = True  # a normalized parent for its own successors
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
        objs, tables = self._intern_objs, self._intern_tables
        if len(objs) > _INTERN_MAX or len(tables) > _INTERN_MAX:
            objs.clear()
            tables.clear()
        changed: dict[str, Any] | None = None
        for attr in _TABLES:
            tab = getattr(cluster, attr)
            ptab = getattr(parent, attr)
            if tab is ptab:
                continue
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
            cluster = cluster._replace(**changed)
        return cluster

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

    def _intern_state(self, state: SystemState) -> SystemState:
        cluster = self._intern_whole(state.cluster)
        if cluster is not state.cluster and state.cluster._cache.get("normalized"):
            cluster._cache["normalized"] = True  # what _finish's fast path needs to know of a parent
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

    def _sync(self, spec: ControllerSpec, view: ClusterState, key: Any, needs_sync: bool = True) -> tuple[Write, ...]:
        """The writes of ``spec``'s sync on ``view`` (memoised, see :meth:`_memoised`).  ``needs_sync``
        false: a ReplicaSet/RC whose expectations are not satisfied (``model.informer``)."""
        if not needs_sync:
            from functools import partial

            sync: Callable[..., tuple[Write, ...]] = self._syncs[spec.name]  # sync_replica_set / sync_replication_controller
            return self._memoised(spec.name + "!expecting", partial(sync, rs_needs_sync=False), view, key)
        return self._memoised(spec.name, self._syncs[spec.name], view, key)

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
            for shape, table in shapes:
                vals = tuple([getattr(view, attr) if k is None else getattr(view, attr)._d.get(k) for attr, k in shape])
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
        for sh, table in shapes:
            if sh == shape:
                break
        else:
            table = {}
            shapes.append((shape, table))
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
            for sh, table in shapes:
                if sh == shape:
                    break
            else:
                table = {}
                shapes.append((shape, table))
            if vals not in table:
                table[vals] = writes
                self._sync_memo_size += 1

    def _reconcile(
        self, spec: ControllerSpec, view: ClusterState, key: Any, reserved: Reserved = NO_RESERVED, needs_sync: bool = True
    ) -> _Reconcile:
        writes = self._sync(spec, view, key, needs_sync)
        sim = view
        out: list[PendingWrite] = []
        after: list[ClusterState] = []
        for w in writes:
            pw = PendingWrite(w, _base_of(sim, w))
            try:
                sim = _apply_pending(sim, pw, reserved)
            except ApiError as exc:
                if self.strict or (exc.reason == "AlreadyExists" and not self._tolerant):
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
                cluster = _apply_pending(cluster, pw, reserved)
            except ApiError as exc:
                if self.strict or (exc.reason == "AlreadyExists" and not self._tolerant):
                    raise
                return cluster, False
        return cluster, True

    def _controller_keys(self, spec: ControllerSpec, state: SystemState) -> list[Any]:
        c = state.cluster
        if spec.keys is None and not state.pending and state.informer is None:
            # FrozenMap keys are already sorted: the same list as sorted(set(keys)) below.
            return list(c.table(spec.kind).keys())
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
                actor = "/".join(ak)
                pend = state.pending.get(ak)
                if pend:
                    head, label, cluster, ok, pending = self._pending_head(spec, state, ak, pend, reserved)
                    yield (Action(actor, label, True, ak, ("pending", ak)), self._finish(state, cluster, pending=pending))
                    continue
                views: list[tuple[str, ClusterState]] = [("", state.cluster)]
                if self.scenario.stale_reads and state.previous is not None and state.previous != state.cluster:
                    views.append(("_on_stale_view", state.previous))
                for suffix, view in views:
                    rec = self._reconcile(spec, view, key, reserved)
                    if not rec.writes or not rec.changes:
                        continue
                    head = rec.writes[0]
                    label = spec.write_label(ak, head.write, head.base, view) + suffix
                    data = ("reconcile", ak, suffix)
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
                    if state.faults.write_failure and len(rec.writes) > 1 and fresh and _goes_on_after_refusal(ak, rec.writes[0].write, True):
                        yield self._first_write_refused(state, spec, ak, rec.writes)

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
                rec = self._reconcile(spec, view, key, reserved, rs_needs_sync(inf, spec.name, key))
                if not rec.writes or not rec.changes:
                    continue
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
                    continue
                yield (Action(actor, label, True, ak, ("reconcile", ak, "")), nxt)
                if state.faults.write_failure and len(rec.writes) > 1 and not whole and _goes_on_after_refusal(ak, head.write, True):
                    yield self._first_write_refused(state, spec, ak, rec.writes)

    def _informer_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """The informers' deliveries (``model.informer.delivery_steps``): weakly fair per kind."""
        from model.informer import delivery_steps

        assert state.informer is not None
        for d in delivery_steps(state.cluster, state.informer):
            yield (Action("informer", d.label, True, ("informer", d.kind), d.kind), replace(state, informer=d.informer))

    def _atomic(self, cluster: ClusterState, writes: Iterable[Write], reserved: Reserved = NO_RESERVED) -> ClusterState:
        for w in writes:
            cluster = apply_write(cluster, w, reserved)
        return cluster

    def _scheduler_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        from model.scheduler import bind, find_nodes_that_fit, pending_pods

        c = state.cluster
        for pod in pending_pods(c):
            fk = ("scheduler", pod.namespace, pod.name)
            for node in find_nodes_that_fit(c, pod):
                nxt = self._finish(state, self._atomic(c, bind(pod, node)))
                yield (Action("scheduler", "scheduler_bind_pod", True, fk, (pod.namespace, pod.name, node.name)), nxt)

    def _kubelet_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        from model.kubelet import kubelet_step

        c = state.cluster
        memoised = self._memoised
        images = self.scenario.images
        step = kubelet_step if not images else (lambda view, k: kubelet_step(view, k, images))
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
        from model.kubelet import MIN_READY_TIMER, min_ready_waits_for_serving, min_ready_waits_for_unready, starts_serving

        c = state.cluster
        images = self.scenario.images
        if images and any(f.serves_after for f in images.values()):
            for key, pod in c.pods.items():
                for container, serving in starts_serving(pod):
                    nxt = self._finish(state, c.put(serving))
                    yield (Action("clock", "app_starts_serving", True, ("expiry", "Pod", *key, "serving"), (*key, container)), nxt)
        for timer in TIMERS:
            if timer.opt_in is not None and not getattr(self.scenario, timer.opt_in):
                continue
            for ts in timer.steps(c):
                if images and timer is MIN_READY_TIMER:
                    pod = c.pods[(ts.key[0], ts.key[1])]
                    if min_ready_waits_for_serving(c, pod, images) or min_ready_waits_for_unready(c, pod, images):
                        continue
                fk = ("expiry", ts.kind, *ts.key, *ts.fair_key)
                yield (Action("clock", ts.label, timer.fair, fk, ts.key), self._finish(state, ts.cluster))
        if state.informer is not None:
            from model.informer import expectation_expiry_steps

            caught_up = state.informer.cache.pods == c.pods
            for family, ekey, informer in expectation_expiry_steps(state.informer):
                if caught_up:  # an event was missed (relist): time passes, fair
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

    def _first_write_refused(self, state: SystemState, spec: ControllerSpec, ak: ActorKey,
                             writes: tuple[PendingWrite, ...]) -> tuple[Action, SystemState]:
        """A reconcile (write granularity) whose first write the API server refuses
        (``FaultBudget.write_failure``): nothing is written, the later writes stay pending, and with
        caches the reconcile's expectations are raised and lowered for the refused write."""
        more: dict[str, Any] = {}
        if state.informer is not None:
            from model.informer import after_controller_step

            more["informer"] = after_controller_step(state.informer, ak, started=tuple(pw.write for pw in writes),
                                                     applied=(), dropped=(writes[0].write,), fence=False)
        nxt = self._finish(state, state.cluster, pending=state.pending.set(ak, writes[1:]),
                           faults=state.faults.spend("write_failure"), **more)
        return (Action("fault", f"{spec.prefix}_write_refused", False, ("fault", "write_failure"),
                       f"{'/'.join(ak)}: {_describe_write(writes[0].write)}"), nxt)

    def _write_failure_steps(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        """A failed write (``FaultBudget.write_failure``): the API server refuses the next pending
        write of one actor with a Conflict or a 5xx; the write is dropped.

        Upstream, ReplicaSet/RC manageReplicas runs its deletes and each slowStartBatch batch of
        creates in parallel, so one refused Pod write does not stop the others (they stay
        pending, :func:`_goes_on_after_refusal`); every other sync returns at its first error and
        the rest of the reconcile is not written (dropped; the key is requeued, which the
        level-triggered model's next reconcile is).  On a failed create manageReplicas calls
        ``CreationObserved(rsKey)``, on a failed delete ``DeletionObserved(rsKey, podKey)``
        (pkg/controller/replicaset/replica_set.go), which :func:`model.informer.after_controller_step`
        does for a dropped write.  The first write of a reconcile is refused in the reconcile's
        own step (:meth:`_first_write_refused`)."""
        for ak, pws in state.pending.items():
            spec = _PENDING_SPECS[ak[0]]
            head, rest = pws[0], pws[1:]
            if not _goes_on_after_refusal(ak, head.write, False):
                rest = ()  # the sync returns the error: the rest of the reconcile is not written
            more: dict[str, Any] = {}
            if state.informer is not None:  # upstream's error paths lower the expectations
                from model.informer import after_controller_step

                dropped = tuple(pw.write for pw in pws[: len(pws) - len(rest)])
                more["informer"] = after_controller_step(state.informer, ak, started=None, applied=(), dropped=dropped, fence=False)
            pending = state.pending.set(ak, rest) if rest else state.pending.remove(ak)
            nxt = self._finish(state, state.cluster, pending=pending, faults=state.faults.spend("write_failure"), **more)
            yield (Action("fault", f"{spec.prefix}_write_refused", False, ("fault", "write_failure"),
                          f"{'/'.join(ak)}: {_describe_write(head.write)}"), nxt)

    def _successors(self, state: SystemState) -> Iterable[tuple[Action, SystemState]]:
        if self._needs_quiet:
            yield from self._ordered_successors(state)
            return
        # Scheduler, kubelet, expiry and fault steps never create, so only controllers and
        # users need the reserved identifiers.
        reserved = _LazyReserved(state)
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
        others = list(self._controller_steps(state, reserved))
        for fam, gen in (("scheduler", self._scheduler_steps), ("kubelet", self._kubelet_steps), ("expiry", self._expiry_steps),
                         ("drain", self._drain_steps), ("podgc", self._podgc_steps)):
            if fam in self.families:
                others.extend(gen(state))
        yield from others
        yield from self._user_steps(state, reserved, quiet=not any(a.fair for a, _ in others))
        yield from self._fault_steps(state)


def _goes_on_after_refusal(ak: ActorKey, write: Write, first: bool) -> bool:
    """Whether the actor's later writes of a reconcile go on after ``write`` is refused: only a
    ReplicaSet/RC's Pod deletes (parallel) and its creates after the first (slowStartBatch's first
    batch is one create: its failure skips every later batch, replica_set.go manageReplicas)."""
    from model.informer import EXPECTATION_FAMILIES

    if ak[0] not in EXPECTATION_FAMILIES:
        return False
    if isinstance(write, Delete):
        return write.kind == "Pod"
    return isinstance(write, Create) and kind_of(write.obj) == "Pod" and not first


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


def _ref(c: ClusterState, ref: Any) -> str:
    """An owner reference as ``Kind/name`` of the object with its UID in ``c`` (owners live in the
    dependent's namespace), or, when no object has that UID any more, ``Kind/name(gone:uid-4)``: the
    name alone would point at a successor that reuses it."""
    obj = c.by_uid(ref.uid) if ref.uid else None
    if obj is not None and kind_of(obj) == ref.kind:
        return f"{ref.kind}/{obj.name}"
    return f"{ref.kind}/{ref.name}(gone:{ref.uid})"


def _owner(c: ClusterState, obj: Any) -> str:
    """`` owner=Kind/name`` for an object with a controller reference, else ``""``."""
    ref = obj.controller_ref()
    return f" owner={_ref(c, ref)}" if ref is not None else ""


def _endpoints(c: ClusterState, svc: Any) -> str:
    """The pods a Service's EndpointSlice lists as ready (KC-ROLL-004's count,
    :func:`model.endpoints.serving_endpoints`: Ready and not terminating, or with
    publishNotReadyAddresses any pod with an IP, not terminal, not terminating); ``none`` if there are none."""
    from model.endpoints import serving_endpoints

    if not svc.selector:
        return "-"
    return ",".join(sorted(p.name for p in serving_endpoints(c, svc))) or "none"


def _summary(kind: str, obj: Any, c: ClusterState) -> str:
    """A short one-line summary of an object for rendering.  Objects are referred to by name,
    never by UID (a UID appears only for a reference whose object is gone)."""
    gone = " terminating" if obj.deletion_timestamp is not None else ""
    if kind == "Pod":
        cond = "ready" if obj.conditions.ready else "not-ready"
        parts = [obj.node_name or "unbound", obj.phase, cond]
        if obj.ready_elapsed:
            parts.append("available")
        if obj.conditions.disruption_target:
            parts.append("disruption-target")
        if obj.sandbox is not None:
            parts.append(f"ip={obj.sandbox.ip}{'' if obj.sandbox.ready else '(dead)'}")
        cs = ",".join(f"{c.name}:{c.state[:4]}{'(' + c.reason + ')' if c.reason else ''}/{c.restart_count}"
                      for c in obj.container_statuses)
        if cs:
            parts.append(cs)
        return " ".join(parts) + _owner(c, obj) + gone
    if kind in ("ReplicaSet", "ReplicationController"):
        s = obj.status
        return f"replicas={obj.replicas} status={s.replicas}/{s.ready_replicas}/{s.available_replicas}{gone}"
    if kind == "Deployment":
        s = obj.status
        paused = " paused" if obj.paused else ""
        return f"replicas={obj.replicas} updated={s.updated_replicas} available={s.available_replicas}{paused}{gone}"
    if kind == "StatefulSet":
        s = obj.status
        return f"replicas={obj.replicas} status={s.replicas}/{s.ready_replicas}{gone}"
    if kind == "DaemonSet":
        s = obj.status
        return (f"desired={s.desired_number_scheduled} current={s.current_number_scheduled} ready={s.number_ready} "
                f"updated={s.updated_number_scheduled} available={s.number_available}{gone}")
    if kind == "Node":
        out = ("Ready" if obj.ready else "NotReady") + (" eviction-due" if obj.eviction_timeout_elapsed else "")
        if obj.unschedulable:
            out += " cordoned"
        if obj.drain is not None:
            d = obj.drain
            out += f" drain-failed({d.error})" if d.error else " draining(" + ",".join(n for _, n, _ in d.pods) + ")"
        return out
    if kind == "PodDisruptionBudget":
        s = obj.status
        return (f"allowed={s.disruptions_allowed} healthy={s.current_healthy}/{s.desired_healthy} "
                f"expected={s.expected_pods} observed={s.observed_generation}/{obj.generation}{gone}")
    if kind == "HorizontalPodAutoscaler":
        s, m = obj.status, obj.memory
        return (f"replicas={s.current_replicas}->{s.desired_replicas} load={obj.load} "
                f"window=up{list(m.up_recommendations)}/down{list(m.down_recommendations)} "
                f"events=+{list(m.scale_up_events)}/-{list(m.scale_down_events)}{gone}")
    if kind == "Service":
        sel = ",".join(f"{k}={v}" for k, v in sorted(obj.selector.items())) or "none"
        return f"selector={sel} ready-endpoints={_endpoints(c, obj)}{gone}"
    if kind == "PersistentVolumeClaim":
        return f"{obj.phase}{_owner(c, obj)}{gone}"
    if kind == "ControllerRevision":
        return f"revision={obj.revision}{_owner(c, obj)}{gone}"
    return f"exists{_owner(c, obj)}{gone}"
