"""Canonical forms: the always-on normalisation, and the opt-in symmetry representative.

Two different things, kept apart on purpose (docs/semantics.md#runtime, "Canonical names"):

**Always on** (:func:`normalize_cluster`, applied by ``model.system`` to every successor).
Fresh identifiers are *allocated* canonically instead of being renamed afterwards: the API
server hands out the lowest free ``uid-<n>`` and ``<prefix><n>`` (``model.apiserver``; "free"
also excludes every identifier the system state still mentions: pending writes, the stale view,
the cluster before the step, see ``model.system.reserved_identifiers``), the kubelet the lowest
free sandbox id and pool IP (``model.kubelet``).  Normalisation then only
resets the two counters to 1 (so the next allocation is again "lowest free") and renumbers
``creation_index`` to its dense rank among the stored objects.  Only comparisons of
``creation_index`` are observable, so this is a pure, order-preserving renaming; live
objects keep their names and UIDs, so traces read naturally.  It makes the plain state
space finite: a crash-and-recreate cycle ends in a state seen before.

**Opt-in** (:func:`symmetry_representative`, used as the ``canonical`` hook when the engine
runs with symmetry).  A renaming of every opaque identifier to a representative of its
orbit: generated names by creation order within their prefix, UIDs by creation order,
identical nodes sorted by what they hold, sandbox ids and IPs by pod order.  Representative
names use forms no real identifier has (``web-#1``, ``uid#3``, ``ip#2``, negative sandbox
ids), so an identifier that only a pending write still mentions (a dead UID, an old IP) is
left alone and cannot collide with a renamed one.  Sound only for
properties that do not name a specific generated pod, node, UID or IP; the engine refuses
symmetry for properties that declare themselves asymmetric.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any, Callable

from model.frozen import FrozenMap, evolve
from model.objects import KINDS, ContainerStatus, Sandbox
from model.state import ClusterState
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = ["normalize_cluster", "dense_creation_ranks", "symmetry_representative", "Renaming", "AtomCache"]


def dense_creation_ranks(state: ClusterState) -> dict[int, int]:
    """Map each ``creation_index`` in use to its dense rank (0, 1, 2, ...)."""
    seen: set[int] = set()
    for _, attr in KINDS.values():
        for o in getattr(state, attr).values():
            seen.add(o.creation_index)
    return {v: i for i, v in enumerate(sorted(seen))}


_TABLES: tuple[str, ...] = tuple(attr for _, attr in KINDS.values())


def normalize_cluster(state: ClusterState) -> ClusterState:
    """The always-on normalisation: counters reset, ``creation_index`` densely ranked.

    Hot path (every successor): the set of indexes in use is collected in one pass; when it is
    already dense (``{0..n-1}``, the usual case) nothing else is done.  Otherwise each table
    with a renumbered object is rebuilt once (not once per object).
    """
    seen = {o.creation_index for attr in _TABLES for o in getattr(state, attr).values()}
    if seen and max(seen) != len(seen) - 1:
        changed = {v: r for r, v in enumerate(sorted(seen)) if v != r}
        tables = {}
        for attr in _TABLES:
            tab = getattr(state, attr)
            moved = {k: evolve(o, creation_index=changed[o.creation_index]) for k, o in tab.items() if o.creation_index in changed}
            if moved:
                tables[attr] = tab.update(moved)
        state = state._replace(**tables)
    if state.next_uid != 1 or state.next_name != 1:
        state = state.with_counters(next_uid=1, next_name=1)
    return state


# ------------------------------------------------------------------------ deep renaming


#: Marks a value the shortcut of :class:`Renaming` must never skip (see :class:`AtomCache`).
_FORCE = ("<force>",)
_NO_ATOMS: frozenset[Any] = frozenset()
_FORCE_ATOMS: frozenset[Any] = frozenset((_FORCE,))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


class AtomCache:
    """What a :class:`Renaming` could change inside a value, cached per object across calls.

    The *atoms* of a value are the strings it contains, ``("sb", id)`` for every sandbox id
    the renaming would look up, and :data:`_FORCE` where the renaming rewrites a value even
    when nothing in its maps applies (a ``ClusterState``: counters; a ``Sandbox`` whose
    ``netns`` is not ``ns-<id>``).  A ``ContainerStatus`` contributes only its sandbox id, as
    :meth:`Renaming._rename` renames nothing else in it.  When a value's atoms are disjoint from
    a renaming's keys, renaming it would return an equal value, so :class:`Renaming` returns
    the value itself.  Values are immutable, so atoms are cached by identity (the entry keeps
    the object alive, so its ``id`` cannot be reused); the cache is cleared beyond ``limit``
    entries.  ``renamed`` remembers, per value, the renaming restricted to its atoms and the
    result, so a value seen again under a renaming that agrees on its atoms is not walked again.
    One cache per ``KubeSystem``: never part of a state.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._d: dict[int, tuple[Any, frozenset[Any]]] = {}
        #: id -> (value, the renaming restricted to its atoms, the renamed value)
        self.renamed: dict[int, tuple[Any, frozenset[Any], Any]] = {}

    def remember(self, key: int, value: Any, sig: frozenset[Any], out: Any) -> None:
        if len(self.renamed) >= self.limit:
            self.renamed.clear()
        self.renamed[key] = (value, sig, out)

    def atoms(self, value: Any) -> frozenset[Any]:
        if value is None or isinstance(value, (bool, int, float)):
            return _NO_ATOMS
        if isinstance(value, str):
            return frozenset((value,))
        hit = self._d.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        out = self._compute(value)
        if len(self._d) >= self.limit:
            self._d.clear()
        self._d[id(value)] = (value, out)
        return out

    def _compute(self, value: Any) -> frozenset[Any]:
        atoms = self.atoms
        if isinstance(value, tuple):
            return _NO_ATOMS.union(*map(atoms, value)) if value else _NO_ATOMS
        if isinstance(value, FrozenMap):
            return _NO_ATOMS.union(*map(atoms, value.keys()), *map(atoms, value.values()))
        if isinstance(value, ClusterState):
            return _FORCE_ATOMS
        if isinstance(value, Sandbox):
            out = atoms(value.ip) | {("sb", value.id)}
            return out | _FORCE_ATOMS if value.netns != f"ns-{value.id}" else out
        if isinstance(value, ContainerStatus):
            return _NO_ATOMS if value.sandbox_id is None else frozenset((("sb", value.sandbox_id),))
        if is_dataclass(value) and not isinstance(value, type):
            return _NO_ATOMS.union(*(atoms(getattr(value, n)) for n in _field_names(type(value))))
        return _NO_ATOMS


class Renaming:
    """A consistent renaming of strings (UIDs, names, IPs) and sandbox ids over any value.

    With an :class:`AtomCache`, a sub-value that holds nothing the renaming changes is returned
    as it is (an equal value to what the full walk would build, without the walk).
    """

    def __init__(self, strings: dict[str, str], sandbox_ids: dict[int, int], atoms: AtomCache | None = None) -> None:
        self.strings = strings
        self.sandbox_ids = sandbox_ids
        self._memo: dict[int, Any] = {}
        self._atoms = atoms
        self._keys: frozenset[Any] = frozenset(strings).union((("sb", i) for i in sandbox_ids), (_FORCE,))

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            return self.strings.get(value, value)
        key = id(value)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        cache = self._atoms
        if cache is None:
            out = self._rename(value)
        else:
            inter = self._keys.intersection(cache.atoms(value))
            if not inter:
                out = value
            elif isinstance(value, ClusterState):
                out = self._rename(value)
            else:
                # The renamed value is a function of the value and of the renaming restricted
                # to its atoms: reuse the output of an earlier Renaming that agreed there.
                sig = frozenset(map(self._image, inter))
                done = cache.renamed.get(key)
                if done is not None and done[0] is value and done[1] == sig:
                    out = done[2]
                else:
                    out = self._rename(value)
                    cache.remember(key, value, sig, out)
        self._memo[key] = (value, out)
        return out

    def _image(self, atom: Any) -> tuple[Any, Any]:
        """``(atom, what this renaming maps it to)``."""
        if isinstance(atom, str):
            return atom, self.strings[atom]
        if atom is _FORCE:
            return atom, atom
        return atom, self.sandbox_ids[atom[1]]

    def _rename(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(self(v) for v in value)
        if isinstance(value, FrozenMap):
            return FrozenMap({self(k): self(v) for k, v in value.items()})
        if isinstance(value, ClusterState):
            tables = {attr: self(getattr(value, attr)) for _, attr in KINDS.values()}
            return ClusterState(**tables, next_uid=1, next_name=1)
        if isinstance(value, Sandbox):
            sid = self.sandbox_ids.get(value.id, value.id)
            return replace(value, id=sid, ip=self(value.ip), netns=f"ns-{sid}")
        if isinstance(value, ContainerStatus):
            if value.sandbox_id is None:
                return value
            return replace(value, sandbox_id=self.sandbox_ids.get(value.sandbox_id, value.sandbox_id))
        if is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for name in _field_names(type(value)):
                old = getattr(value, name)
                new = self(old)
                if new is not old and new != old:
                    changes[name] = new
            return replace(value, **changes) if changes else value
        return value


def _pod_shape(pod: Any) -> tuple[Any, ...]:
    """A pod without its identity, node, sandbox id and IP: what makes two pods alike."""
    sb = pod.sandbox
    return (
        pod.namespace,
        pod.generate_name,
        tuple(sorted(pod.labels.items())),
        tuple((r.kind, r.name, r.controller) for r in pod.owner_references),
        pod.deletion_timestamp is not None,
        pod.phase,
        pod.conditions,
        pod.ready_elapsed,
        None if sb is None else sb.ready,
        tuple((c.name, c.image, c.state, c.restart_count, c.ready) for c in pod.container_statuses),
        tuple(c.image for c in pod.spec_containers),
    )


def _node_renaming(state: ClusterState) -> dict[str, str]:
    nodes = list(state.nodes.values())
    if len(nodes) < 2:
        return {}
    by_node: dict[str, list[tuple[Any, ...]]] = {n.name: [] for n in nodes}
    for p in state.pods.values():
        if p.node_name in by_node:
            by_node[p.node_name].append(_pod_shape(p))

    def signature(n: Any) -> tuple[Any, ...]:
        own = (n.ready, n.unschedulable, n.pod_capacity, n.eviction_timeout_elapsed, tuple(sorted(n.labels.items())))
        return (own, tuple(sorted(by_node[n.name], key=repr)))

    ordered = sorted(nodes, key=lambda n: (repr(signature(n)), n.name))
    names = sorted(n.name for n in nodes)
    return {n.name: new for n, new in zip(ordered, names) if n.name != new}


def _generated_name_renaming(state: ClusterState) -> dict[str, str]:
    """Generated names -> ``<prefix>#<i>`` by creation order within (kind, namespace, prefix).

    ``#`` never occurs in a real name, so a representative name cannot collide with a name
    that a pending write still carries.
    """
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for kind in KINDS:
        for obj in state.table(kind).values():
            if obj.generate_name:
                groups.setdefault((kind, obj.namespace, obj.generate_name), []).append(obj)
    out: dict[str, str] = {}
    for (_, _, prefix), objs in sorted(groups.items()):
        objs.sort(key=lambda o: (o.creation_index, o.name))
        out.update({o.name: f"{prefix}#{i}" for i, o in enumerate(objs, start=1)})
    return out


def symmetry_representative(state: Any, cluster_of: Callable[[Any], ClusterState], atoms: AtomCache | None = None) -> Any:
    """The representative of ``state``'s symmetry class (a renamed copy of ``state``).

    ``cluster_of`` extracts the ``ClusterState`` the renaming is computed from; the renaming
    is then applied to the whole ``state`` (pending writes and action keys included), so
    every reference moves with its object.
    """
    cluster = cluster_of(state)
    strings: dict[str, str] = {}
    strings.update(_node_renaming(cluster))
    strings.update(_generated_name_renaming(cluster))
    live = sorted(
        (o for o in cluster.all_objects() if o.uid),
        key=lambda o: (o.creation_index, type(o).__name__, o.namespace, strings.get(o.name, o.name)),
    )
    for i, o in enumerate(live, start=1):
        strings[o.uid] = f"uid#{i}"
    pods = sorted(cluster.pods.values(), key=lambda p: (p.namespace, strings.get(p.name, p.name)))
    sandbox_ids: dict[int, int] = {}
    ip_index = 0
    for p in pods:
        if p.sandbox is not None:
            sandbox_ids.setdefault(p.sandbox.id, -(len(sandbox_ids) + 1))
            ip_index += 1
            strings[p.sandbox.ip] = f"ip#{ip_index}"
    for p in pods:
        for cs in p.container_statuses:
            if cs.sandbox_id is not None:
                sandbox_ids.setdefault(cs.sandbox_id, -(len(sandbox_ids) + 1))
    return Renaming(strings, sandbox_ids, atoms)(state)
