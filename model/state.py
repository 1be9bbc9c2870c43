"""ClusterState: an immutable snapshot of the API server's objects.

One ``FrozenMap`` per kind, keyed by ``(namespace, name)`` (nodes by ``("", name)``).
Equality and hashing are structural and cheap (each table caches its hash), so a
state can go straight into the explorer's visited set.  Indexes the controllers need
(pods by owner UID, objects by namespace) are computed on first use and cached on
the instance; they are derived data, never part of equality.

The ``canonical`` hook is where symmetry reduction plugs in (see ``model.canonical``
once it exists): it must return a value that is equal for states that differ only
by a renaming the properties cannot observe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from model.frozen import EMPTY, FrozenMap
from model.objects import (
    KINDS,
    ControllerRevision,
    DaemonSet,
    Deployment,
    Node,
    PersistentVolumeClaim,
    Pod,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    ReplicaSet,
    ReplicationController,
    Service,
    StatefulSet,
    kind_of,
)

__all__ = ["ClusterState", "ObjKey", "TABLE_ATTRS", "ReadTracker"]

ObjKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ClusterState:
    """The API server's contents, plus the counters that name new objects.

    ``next_uid`` hands out UIDs (``"uid-<n>"``) and ``next_name`` the random suffixes
    of generated pod names; both are renamed away by the canonical form, so they do
    not make the state space grow with every crash-and-recreate cycle.
    """

    pods: FrozenMap[ObjKey, Pod] = field(default=EMPTY)
    replica_sets: FrozenMap[ObjKey, ReplicaSet] = field(default=EMPTY)
    replication_controllers: FrozenMap[ObjKey, ReplicationController] = field(default=EMPTY)
    deployments: FrozenMap[ObjKey, Deployment] = field(default=EMPTY)
    stateful_sets: FrozenMap[ObjKey, StatefulSet] = field(default=EMPTY)
    controller_revisions: FrozenMap[ObjKey, ControllerRevision] = field(default=EMPTY)
    persistent_volume_claims: FrozenMap[ObjKey, PersistentVolumeClaim] = field(default=EMPTY)
    nodes: FrozenMap[ObjKey, Node] = field(default=EMPTY)
    services: FrozenMap[ObjKey, Service] = field(default=EMPTY)
    pod_disruption_budgets: FrozenMap[ObjKey, PodDisruptionBudget] = field(default=EMPTY)
    daemon_sets: FrozenMap[ObjKey, DaemonSet] = field(default=EMPTY)
    horizontal_pod_autoscalers: FrozenMap[ObjKey, HorizontalPodAutoscaler] = field(default=EMPTY)
    next_uid: int = 1
    next_name: int = 1
    _cache: dict[str, Any] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    # ----------------------------------------------------------------- building
    @classmethod
    def from_objects(cls, objects: Iterable[object]) -> "ClusterState":
        """Build a state from model objects, assigning ``uid-<n>`` to any without a UID."""
        state = cls()
        for obj in objects:
            if not getattr(obj, "uid", ""):
                obj, state = state.assign_uid(obj)
            state = state.put(obj)
        return state

    def assign_uid(self, obj: Any) -> tuple[Any, "ClusterState"]:
        """Give ``obj`` the next UID; returns the updated object and state."""
        from dataclasses import replace

        new = replace(obj, uid=f"uid-{self.next_uid}")
        return new, self._replace(next_uid=self.next_uid + 1)

    def _replace(self, **changes: Any) -> "ClusterState":
        """A copy with ``changes`` applied and a fresh (empty) index cache, as ``__init__`` builds it.

        Hot path (every write): copies the slots directly instead of going through ``fields()``
        and ``__init__``.
        """
        if not _VALUE_SET.issuperset(changes):
            raise TypeError(f"ClusterState has no field(s) {sorted(set(changes) - _VALUE_SET)}")
        return _COPY(self, changes)

    # ------------------------------------------------------------------ reading
    def table(self, kind: str) -> FrozenMap[ObjKey, Any]:
        """The ``FrozenMap`` holding every object of ``kind``."""
        return getattr(self, KINDS[kind][1])

    def get(self, kind: str, namespace: str, name: str) -> Any | None:
        return self.table(kind).get((namespace, name))

    def objects(self, kind: str, namespace: str | None = None) -> tuple[Any, ...]:
        """Objects of ``kind`` (optionally one namespace), in key order."""
        tab = self.table(kind)
        if namespace is None:
            return tuple(tab.values())
        return tuple(o for (ns, _), o in tab.items() if ns == namespace)

    def all_objects(self) -> Iterator[Any]:
        # every table in KINDS order (TABLE_ATTRS), without a table() call per kind (issue #17: the
        # UID index and the garbage collector's items walk it for every new cluster)
        for attr in TABLE_ATTRS:
            d = getattr(self, attr)._d
            if d:
                yield from d.values()

    def by_uid(self, uid: str) -> Any | None:
        """The object with this UID, of any kind (cached index)."""
        idx = self._cache.get("uid")
        if idx is None:
            idx = {o.uid: o for o in self.all_objects() if o.uid}
            self._cache["uid"] = idx
        return idx.get(uid)

    def pods_by_owner_uid(self, uid: str) -> tuple[Pod, ...]:
        """Pods whose *controller* owner reference has this UID (cached index)."""
        idx = self._cache.get("pods_by_owner")
        if idx is None:
            tmp: dict[str, list[Pod]] = {}
            for p in self.pods.values():
                ref = p.controller_ref()
                if ref is not None:
                    tmp.setdefault(ref.uid, []).append(p)
            idx = {k: tuple(v) for k, v in tmp.items()}
            self._cache["pods_by_owner"] = idx
        return idx.get(uid, ())

    def dependents(self, uid: str) -> tuple[Any, ...]:
        """Every object with any owner reference to ``uid`` (the GC's dependency graph)."""
        idx = self._cache.get("dependents")
        if idx is None:
            tmp: dict[str, list[Any]] = {}
            for o in self.all_objects():
                for ref in o.owner_references:
                    tmp.setdefault(ref.uid, []).append(o)
            idx = {k: tuple(v) for k, v in tmp.items()}
            self._cache["dependents"] = idx
        return idx.get(uid, ())

    # ----------------------------------------------------------------- writing
    def put(self, obj: Any) -> "ClusterState":
        """Return a state with ``obj`` stored (created or replaced) under its key."""
        attr = KINDS[kind_of(obj)][1]
        tab: FrozenMap[ObjKey, Any] = getattr(self, attr)
        new_tab = tab.set((obj.namespace, obj.name), obj)
        if new_tab is tab:
            return self
        return self._replace(**{attr: new_tab})

    def remove(self, kind: str, namespace: str, name: str) -> "ClusterState":
        """Return a state without the object (unchanged if absent)."""
        attr = KINDS[kind][1]
        tab: FrozenMap[ObjKey, Any] = getattr(self, attr)
        new_tab = tab.remove((namespace, name))
        if new_tab is tab:
            return self
        return self._replace(**{attr: new_tab})

    def with_counters(self, *, next_uid: int | None = None, next_name: int | None = None) -> "ClusterState":
        return self._replace(
            next_uid=self.next_uid if next_uid is None else next_uid,
            next_name=self.next_name if next_name is None else next_name,
        )

    # --------------------------------------------------------------- symmetry
    def canonical(self) -> Any:
        """Canonical-form hook for symmetry reduction.

        The base state has no symmetry knowledge and returns itself; ``model.system``
        replaces this with a renaming of UIDs and generated names (see
        docs/semantics.md, "Canonical names").
        """
        return self

    def summary(self) -> dict[str, int]:
        """Object counts per kind (for the CLI's summary and rendering)."""
        return {kind: len(self.table(kind)) for kind in KINDS if len(self.table(kind))}


_NEW = object.__new__
_SET = object.__setattr__
#: ClusterState's value fields (everything but the index cache).
_VALUE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ClusterState) if f.name != "_cache")
_VALUE_SET = frozenset(_VALUE_FIELDS)


def _compile_copy() -> Any:
    """``_replace``'s body, straight-line over the value fields (issue #17: the loop with ``getattr``
    per field was a visible share of every step)."""
    lines = ["def _copy(self, changes, _new=_NEW, _set=_SET, _cls=ClusterState):", "    new = _new(_cls)", "    get = changes.get"]
    for name in _VALUE_FIELDS:
        lines.append(f"    _set(new, {name!r}, get({name!r}, self.{name}))")
    lines += ["    _set(new, '_cache', {})", "    return new"]
    ns: dict[str, Any] = {"_NEW": _NEW, "_SET": _SET, "ClusterState": ClusterState}
    exec("\n".join(lines), ns)  # noqa: S102 - generated from ClusterState's own field names
    return ns["_copy"]


_COPY = _compile_copy()


def _rebuild(values: tuple[Any, ...], normalized: bool) -> ClusterState:
    """The other half of ``ClusterState.__reduce__``."""
    new = _NEW(ClusterState)
    for name, value in zip(_VALUE_FIELDS, values):
        _SET(new, name, value)
    _SET(new, "_cache", {"normalized": True} if normalized else {})
    return new


def _reduce(self: ClusterState) -> tuple[Any, ...]:
    """Pickle the value fields only: the index cache is derived data (rebuilt on first use), all
    but its ``normalized`` mark (what the successor's fast path needs to know of a parent)."""
    return (_rebuild, (tuple([getattr(self, name) for name in _VALUE_FIELDS]), bool(self._cache.get("normalized"))))


ClusterState.__reduce__ = _reduce  # type: ignore[method-assign,assignment]
_HASH0 = ClusterState.__hash__


def _cached_hash(self: ClusterState) -> int:
    """The dataclass's hash, cached in the index cache (the state is frozen; a copy starts with an
    empty cache): a search hashes each state several times."""
    cache = self._cache
    h = cache.get("hash")
    if h is None:
        h = cache["hash"] = _HASH0(self)
    return h


ClusterState.__hash__ = _cached_hash  # type: ignore[method-assign,assignment]

#: The attribute name of every object table, in ``KINDS`` order.
TABLE_ATTRS: tuple[str, ...] = tuple(attr for _, attr in KINDS.values())


class ReadTracker:
    """A read-only view of a :class:`ClusterState` that records which tables were read.

    ``model.system`` runs each controller's sync on a tracker to learn its *read set*: the
    tables (``pods``, ``replica_sets``...) the sync looked at.  A sync is a pure function of
    the state it is given, and it can only see the state through this view, so its result is
    a function of the tables in the read set: any state whose tables in that set are equal
    gets the same writes.  That is what makes the per-controller memo in ``model.system``
    sound by construction, whatever the sync's code does.

    A :meth:`get` is recorded as a point read (that one key of that table), everything else
    as a read of whole tables, so a sync that only looks up its own object does not depend on
    its siblings.

    The view offers exactly the reading API the controllers use (``get``, ``objects``,
    ``table``, the table attributes, ``by_uid``, ``pods_by_owner_uid``, ``dependents``,
    ``all_objects``, the counters); any other attribute raises ``AttributeError``, so a
    controller that starts reading through a new path fails loudly instead of being memoised
    on an incomplete read set.  Index helpers that scan every table record every table.
    """

    __slots__ = ("_state", "reads", "points")

    def __init__(self, state: ClusterState) -> None:
        self._state = state
        self.reads: set[str] = set()
        #: point reads through :meth:`get`: (table attribute, key) -> the object (or None)
        self.points: dict[tuple[str, ObjKey], Any] = {}

    def dependencies(self) -> tuple[tuple[str, Any, Any], ...]:
        """What the reads so far depend on, as ``(attr, key, value)`` triples in a fixed order:
        ``key`` is ``None`` for a whole table (``value`` the FrozenMap), else the object key
        read through :meth:`get` (``value`` the object or ``None``), unless its whole table was
        read anyway."""
        st = self._state
        whole = tuple((attr, None, getattr(st, attr)) for attr in sorted(self.reads))
        points = tuple((attr, k, v) for (attr, k), v in self.points.items() if attr not in self.reads)
        return whole + points

    def table(self, kind: str) -> FrozenMap[ObjKey, Any]:
        attr = KINDS[kind][1]
        self.reads.add(attr)
        return getattr(self._state, attr)

    def get(self, kind: str, namespace: str, name: str) -> Any | None:
        attr = KINDS[kind][1]
        key = (namespace, name)
        value = getattr(self._state, attr).get(key)
        self.points[(attr, key)] = value
        return value

    def objects(self, kind: str, namespace: str | None = None) -> tuple[Any, ...]:
        self.reads.add(KINDS[kind][1])
        return self._state.objects(kind, namespace)

    def all_objects(self) -> Iterator[Any]:
        self.reads.update(TABLE_ATTRS)
        return self._state.all_objects()

    def by_uid(self, uid: str) -> Any | None:
        self.reads.update(TABLE_ATTRS)
        return self._state.by_uid(uid)

    def pods_by_owner_uid(self, uid: str) -> tuple[Pod, ...]:
        self.reads.add("pods")
        return self._state.pods_by_owner_uid(uid)

    def dependents(self, uid: str) -> tuple[Any, ...]:
        self.reads.update(TABLE_ATTRS)
        return self._state.dependents(uid)

    def __getattr__(self, name: str) -> Any:
        if name in TABLE_ATTRS or name in ("next_uid", "next_name"):
            self.reads.add(name)
            return getattr(self._state, name)
        raise AttributeError(
            f"ReadTracker: a controller read ClusterState.{name}, which the read-set tracking does not "
            f"cover; add it to model.state.ReadTracker (and record what it reads)"
        )
