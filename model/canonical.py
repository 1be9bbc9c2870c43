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

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Callable, Hashable

from model.frozen import FrozenMap, evolve
from model.objects import KINDS, ContainerStatus, Sandbox, placement_repr
from model.state import ClusterState
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = ["normalize_cluster", "normalize_successor", "successor_is_normalized", "TableMemo", "dense_creation_ranks", "symmetry_representative", "symmetry_key", "Renaming", "AtomCache"]


def dense_creation_ranks(state: ClusterState) -> dict[int, int]:
    """Map each ``creation_index`` in use to its dense rank (0, 1, 2, ...)."""
    seen: set[int] = set()
    for _, attr in KINDS.values():
        for o in getattr(state, attr).values():
            seen.add(o.creation_index)
    return {v: i for i, v in enumerate(sorted(seen))}


_TABLES: tuple[str, ...] = tuple(attr for _, attr in KINDS.values())


def normalize_cluster(state: ClusterState, by_family: bool = False, tables: "TableMemo | None" = None) -> ClusterState:
    """The always-on normalisation: counters reset, ``creation_index`` densely ranked.

    ``by_family`` (the by-creator allocation, ``Scenario.identifiers``): ranked densely within each
    creation-order family (``model.apiserver.family_of``) instead of over the whole cluster.

    ``tables`` (a :class:`TableMemo`, optional): renumbered tables memoised per (table, renumbering),
    hash-consed; the same result.

    Hot path (every successor): the set of indexes in use is collected in one pass; when it is
    already dense (``{0..n-1}``, the usual case) nothing else is done.  Otherwise each table
    with a renumbered object is rebuilt once (not once per object).
    """
    if by_family:
        return _normalize_by_family(state, tables)
    seen: set[int] = set()
    add = seen.add
    for attr in _TABLES:
        d = getattr(state, attr)._d
        if d:  # most of the tables are empty: no iterator for them (issue #17)
            for o in d.values():
                add(o.creation_index)
    if seen and max(seen) != len(seen) - 1:
        changed = {v: r for r, v in enumerate(sorted(seen)) if v != r}
        ckey = tuple(changed.items()) if tables is not None else None
        out = {}
        for attr in _TABLES:
            tab = getattr(state, attr)
            if not tab._d:
                continue
            if tables is not None:
                new = tables.get(tab, ckey)
                if new is not None:
                    if new is not tab:
                        out[attr] = new
                    continue
            moved = {k: evolve(o, creation_index=changed[o.creation_index]) for k, o in tab.items() if o.creation_index in changed}
            new = tab.update(moved) if moved else tab
            if tables is not None:
                new = tables.put(tab, ckey, new)
            if new is not tab:
                out[attr] = new
        state = state._replace(**out)
    if state.next_uid != 1 or state.next_name != 1:
        state = state.with_counters(next_uid=1, next_name=1)
    return state


class TableMemo:
    """Renumbered tables of :func:`normalize_cluster`, per (table, renumbering): a pure function of
    both, so a table renumbered the same way again is the table built the first time (``intern``
    hash-conses it when it is built).  Values as keys: a table's hash is cached, and ``==`` between
    hash-consed tables is an identity test.  Owned by one system (``model.system.KubeSystem``), never
    part of a state; cleared beyond ``limit`` entries."""

    __slots__ = ("_d", "_intern", "_limit")

    def __init__(self, intern: Callable[[Any], Any], limit: int) -> None:
        self._d: dict[tuple[Any, Any], Any] = {}
        self._intern = intern
        self._limit = limit

    def get(self, table: Any, renumbering: Any) -> Any:
        return self._d.get((table, renumbering))

    def put(self, table: Any, renumbering: Any, new: Any) -> Any:
        """Record ``new`` (hash-consed) as ``table`` renumbered by ``renumbering``; returns what is recorded."""
        if len(self._d) >= self._limit:
            self._d.clear()
        if new is not table:
            new = self._intern(new)
        self._d[(table, renumbering)] = new
        return new


def _normalize_by_family(state: ClusterState, memo: TableMemo | None = None) -> ClusterState:
    """:func:`normalize_cluster` with ``creation_index`` densely ranked per family (0, 1, ...)."""
    from model.apiserver import family_of
    from model.objects import KINDS

    fams: dict[tuple[str, str, str], set[int]] = {}
    kind_of_attr = {attr: k for k, (_, attr) in KINDS.items()}
    for attr in _TABLES:
        d = getattr(state, attr)._d
        if d:
            kind = kind_of_attr[attr]
            for o in d.values():
                fams.setdefault(family_of(kind, o), set()).add(o.creation_index)
    changed: dict[tuple[str, str, str], dict[int, int]] = {}
    for fam, seen in fams.items():
        if max(seen) != len(seen) - 1:
            changed[fam] = {v: r for r, v in enumerate(sorted(seen)) if v != r}
    if changed:
        tables = {}
        ckey = tuple(sorted((fam, tuple(m.items())) for fam, m in changed.items())) if memo is not None else None
        for attr in _TABLES:
            tab = getattr(state, attr)
            if not tab._d:
                continue
            if memo is not None:
                new = memo.get(tab, ckey)
                if new is not None:
                    if new is not tab:
                        tables[attr] = new
                    continue
            kind = kind_of_attr[attr]
            moved = {}
            for k, o in tab.items():
                m = changed.get(family_of(kind, o))
                if m is not None and o.creation_index in m:
                    moved[k] = evolve(o, creation_index=m[o.creation_index])
            new = tab.update(moved) if moved else tab
            if memo is not None:
                new = memo.put(tab, ckey, new)
            if new is not tab:
                tables[attr] = new
        state = state._replace(**tables)
    if state.next_uid != 1 or state.next_name != 1:
        state = state.with_counters(next_uid=1, next_name=1)
    return state


def _same_creation_indexes(parent: ClusterState, state: ClusterState, families: bool = False) -> bool:
    """Do ``state``'s objects use exactly ``parent``'s ``creation_index`` values?  Yes when every
    table has the same keys and every object that is not ``parent``'s own has its index.

    ``families``: for the by-family ranks, every such object also keeps its family
    (``model.apiserver.family_of``: kind and namespace follow from the key, so its controller's
    UID).  Then every family holds exactly the indexes it held in ``parent``: still dense."""
    for attr in _TABLES:
        tab = getattr(state, attr)
        ptab = getattr(parent, attr)
        if tab is ptab:
            continue
        d = tab._d
        pd = ptab._d
        if len(d) != len(pd):
            return False
        for k, o in d.items():
            po = pd.get(k)
            if po is o:
                continue
            if po is None or po.creation_index != o.creation_index:
                return False
            if families:
                ref, pref = o.controller_ref(), po.controller_ref()
                if (ref.uid if ref is not None else "") != (pref.uid if pref is not None else ""):
                    return False
    return True


def successor_is_normalized(parent: ClusterState, state: ClusterState, by_family: bool = False) -> bool:
    """Whether ``state`` is its own :func:`normalize_cluster`, given that ``parent`` is normalized: a step
    that adds and removes no object and keeps every ``creation_index`` (a status write, a binding, a
    spec update) leaves the set of indexes as dense as the parent's, and resets no counter.  A walk
    over the changed tables only.  ``by_family``: an adoption or release moves an object between
    families, so every changed object must also keep its family (its controller's UID)."""
    return state.next_uid == 1 and state.next_name == 1 and _same_creation_indexes(parent, state, families=by_family)


def normalize_successor(parent: ClusterState, state: ClusterState, by_family: bool = False) -> ClusterState:
    """:func:`normalize_cluster` of ``state``, given that ``parent`` is already normalized (issue #17):
    ``state`` as it is when :func:`successor_is_normalized`, else :func:`normalize_cluster`."""
    if successor_is_normalized(parent, state, by_family):
        return state
    return normalize_cluster(state, by_family=by_family)


# ------------------------------------------------------------------------ deep renaming


#: Marks a value the shortcut of :class:`Renaming` must never skip (see :class:`AtomCache`).
_FORCE = ("<force>",)
#: Marks a value whose renaming is never cached: it holds a ``ClusterState`` (always rebuilt).
_VOLATILE = ("<volatile>",)
_NO_ATOMS: tuple[Any, ...] = ()
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
#: class -> the fields its ``==`` compares
_COMPARED: dict[type, tuple[str, ...]] = {}
_SCALARS: frozenset[type] = frozenset((type(None), bool, int, float))


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _union(parts: Any) -> tuple[Any, ...]:
    """The atoms of several children: concatenated, duplicates dropped, first-seen order."""
    out: list[Any] = []
    for p in parts:
        if p:
            out.extend(p)
    if not out:
        return _NO_ATOMS
    return tuple(dict.fromkeys(out))


class AtomCache:
    """What a :class:`Renaming` could change inside a value, and what it made of it, per object.

    The *atoms* of a value are the strings it contains, ``("sb", id)`` for every sandbox id
    the renaming would look up, :data:`_FORCE` where the renaming rewrites a value even when
    nothing in its maps applies (a ``Sandbox`` whose ``netns`` is not ``ns-<id>``) and
    :data:`_VOLATILE` for a ``ClusterState`` (always rebuilt: its counters are reset) and any
    value holding one.  A ``ContainerStatus`` contributes only its sandbox id, as
    :meth:`Renaming._rename` renames nothing else in it.  A value's atoms are a tuple without
    duplicates, computed once per object from its children's.

    The renamed value is a function of the value and of the *signature* of the renaming on it,
    ``tuple(image.get(a) for a in atoms)`` (``None`` where the renaming leaves an atom alone):
    each entry remembers the outputs for the last few signatures, so a value met again under a
    renaming that agrees on its atoms is not walked again, and one whose signature is all
    ``None`` is returned as is.  Values are immutable, so entries are kept by identity (an entry
    holds its object, so the ``id`` cannot be reused while it exists); the cache is cleared
    beyond ``limit`` entries.  One cache per ``KubeSystem``: never part of a state.
    """

    __slots__ = ("limit", "entries", "hits", "misses", "tokens", "clusters", "cluster_limit")

    def __init__(self, limit: int = 20_000, cluster_limit: int = 5_000) -> None:
        self.limit = limit
        #: cluster -> its :class:`Renaming` (which memoises the cluster's key): a cluster met
        #: again costs no renaming at all.  By value: hashing a cluster is cheap (its tables
        #: cache their hashes), and comparing two is too once the system shares equal tables.
        self.clusters: dict[ClusterState, Renaming] = {}
        self.cluster_limit = cluster_limit
        #: id -> [value, atoms, {signature: renamed value}, {signature: token}, {signature: table key}]
        self.entries: dict[int, list[Any]] = {}
        self.hits = 0
        self.misses = 0
        #: renamed value -> its token (see :meth:`Renaming.key`); never cleared, so a token is
        #: never reused for another value while this cache lives
        self.tokens: dict[Any, _Token] = {}

    def entry(self, value: Any) -> list[Any]:
        """The entry of a non-scalar, non-string ``value`` (created with its atoms if new)."""
        e = self.entries.get(id(value))
        if e is not None and e[0] is value:
            return e
        e = [value, self._compute(value), None, None, None]
        if len(self.entries) >= self.limit:
            self.entries.clear()
        self.entries[id(value)] = e
        return e

    def atoms(self, value: Any) -> tuple[Any, ...]:
        t = type(value)
        if t is str:
            return (value,)
        if t in _SCALARS:
            return _NO_ATOMS
        if isinstance(value, str):
            return (value,)
        if isinstance(value, (bool, int, float)):
            return _NO_ATOMS
        return self.entry(value)[1]

    def _compute(self, value: Any) -> tuple[Any, ...]:
        atoms = self.atoms
        if isinstance(value, tuple):
            return _union(map(atoms, value))
        if isinstance(value, FrozenMap):
            return _union((_union(map(atoms, value.keys())), _union(map(atoms, value.values()))))
        if isinstance(value, ClusterState):
            return (_FORCE, _VOLATILE)
        if isinstance(value, Sandbox):
            out = atoms(value.ip) + (("sb", value.id),)
            return out + (_FORCE,) if value.netns != f"ns-{value.id}" else out
        if isinstance(value, ContainerStatus):
            return _NO_ATOMS if value.sandbox_id is None else (("sb", value.sandbox_id),)
        if is_dataclass(value) and not isinstance(value, type):
            return _union(atoms(getattr(value, n)) for n in _field_names(type(value)))
        return _NO_ATOMS


_CLUSTER_TAG = "<cluster>"
#: Signatures remembered per value (most values see one or two renamings).
_SIGS_PER_VALUE = 4


@dataclass(frozen=True, eq=False, slots=True)
class _Token:
    """Stands for one renamed value in a :meth:`Renaming.key`: equal only to itself, hashed by
    identity (cheap), never equal to a scalar.  ``n`` numbers the tokens of one cache in the
    order they were made (a deterministic exploration makes them in the same order every run),
    so a serialisation of keys (fingerprints) is stable across processes."""

    n: int

    def __repr__(self) -> str:
        return f"<value #{self.n}>"


#: class -> its tag in a key (a qualified name: keys stay plain data, serialisable)
_TAGS: dict[type, str] = {}


def _tag(cls: type) -> str:
    tag = _TAGS.get(cls)
    if tag is None:
        tag = _TAGS[cls] = f"{cls.__module__}.{cls.__qualname__}"
    return tag


class Renaming:
    """A consistent renaming of strings (UIDs, names, IPs) and sandbox ids over any value.

    With an :class:`AtomCache`, a sub-value is renamed once per signature of the renaming on
    its atoms (see there) and a sub-value that holds nothing the renaming changes is returned
    as it is: an equal value to what the plain walk builds, without the walk.
    """

    def __init__(self, strings: dict[str, str], sandbox_ids: dict[int, int], atoms: AtomCache | None = None) -> None:
        self.strings = strings
        self.sandbox_ids = sandbox_ids
        self._memo: dict[int, Any] = {}
        #: cluster -> its key under this renaming (the state's own cluster, met again)
        self._cluster_keys: dict[ClusterState, Hashable] = {}
        self._atoms = atoms
        if atoms is not None:
            image: dict[Any, Any] = dict(strings)
            for k, v in sandbox_ids.items():
                image[("sb", k)] = v
            image[_FORCE] = _FORCE
            image[_VOLATILE] = _VOLATILE
            self._image_get = image.get

    def __call__(self, value: Any) -> Any:
        t = type(value)
        if t is str:
            return self.strings.get(value, value)
        if t in _SCALARS:
            return value
        if isinstance(value, str):  # a subclass: as the plain walk treats it
            return self.strings.get(value, value)
        if isinstance(value, (bool, int, float)):
            return value
        cache = self._atoms
        if cache is None:
            key = id(value)
            hit = self._memo.get(key)
            if hit is not None and hit[0] is value:
                return hit[1]
            out = self._rename(value)
            self._memo[key] = (value, out)
            return out
        e = cache.entry(value)
        atoms = e[1]
        if not atoms:
            return value
        sig = tuple(map(self._image_get, atoms))
        outs = e[2]
        if outs is not None:
            out = outs.get(sig)
            if out is not None:
                cache.hits += 1
                return out
        if _VOLATILE in atoms:
            return self._rename(value)
        cache.misses += 1
        out = value if sig.count(None) == len(sig) else self._rename(value)
        if outs is None:
            e[2] = {sig: out}
        else:
            if len(outs) >= _SIGS_PER_VALUE:
                outs.clear()
            outs[sig] = out
        return out

    def key(self, value: Any) -> Hashable:
        """A compact stand-in for ``self(value)``: ``key(a) == key(b)`` exactly when
        ``self(a) == self(b)``, for two values met at the same place of a state.

        Needs an :class:`AtomCache`.  A scalar or string is its renamed self.  A value holding no
        ``ClusterState`` is its :class:`_Token`: the cache's token of its renamed value (one
        token per distinct renamed value, found by equality once per value and signature, then
        remembered in the value's entry).  A ``ClusterState`` is a tag and one key per table
        (:meth:`_table_key`); counters are left out, as the representative resets them.  Any
        other value holding one is a tag (its class's qualified name) and the keys of its
        compared fields (a dataclass, whose equality compares exactly those, and only within
        its class) or of its items (a tuple).  Keys are plain data (tuples, frozensets,
        strings, ints, tokens), so a fingerprint encoder can serialise them.
        """
        t = type(value)
        if t is str or t in _SCALARS or isinstance(value, (str, bool, int, float)):
            return self(value)
        cache = self._atoms
        assert cache is not None, "Renaming.key needs an AtomCache"
        if is_dataclass(value) and not isinstance(value, type):
            cls = type(value)
            names = _COMPARED.get(cls)
            if names is None:
                names = _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare)
            if any(isinstance(getattr(value, n), ClusterState) for n in names):
                # a state holding the cluster (SystemState): its fields' keys, without an entry
                # of its own (a new state each time: the atoms would be computed for nothing)
                key = self.key
                return (_tag(cls), *[key(getattr(value, n)) for n in names])
        if isinstance(value, ClusterState):
            k = self._cluster_keys.get(value)
            if k is None:
                table_key = self._table_key
                k = self._cluster_keys[value] = (_CLUSTER_TAG, *[table_key(getattr(value, attr)) for attr in _TABLES])
            return k
        e = cache.entry(value)
        atoms = e[1]
        if _VOLATILE not in atoms:
            sig = tuple(map(self._image_get, atoms))
            toks = e[3]
            if toks is not None:
                tok = toks.get(sig)
                if tok is not None:
                    return tok
            out = self(value)
            tokens = cache.tokens
            tok = tokens.get(out)
            if tok is None:
                tok = tokens[out] = _Token(len(tokens))
            if toks is None:
                e[3] = {sig: tok}
            else:
                if len(toks) >= _SIGS_PER_VALUE:
                    toks.clear()
                toks[sig] = tok
            return tok
        if is_dataclass(value) and not isinstance(value, type):
            key = self.key
            cls = type(value)
            names = _COMPARED.get(cls)
            if names is None:
                names = _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare)
            return (_tag(cls), *[key(getattr(value, n)) for n in names])
        if type(value) is tuple:
            return ("<tuple>", *map(self.key, value))
        return ("<renamed>", self(value))  # anything else holding a cluster: the renamed value itself

    def _table_key(self, table: FrozenMap[Any, Any]) -> Hashable:
        """The key of a renamed object table: the set of its (renamed key, value token) items.

        Two renamed maps are equal exactly when their item sets are, since the tokens stand for
        the renamed values one to one; the set is remembered per table and signature.  The
        items are collected into a dict in the table's order, as :meth:`_rename` builds the
        renamed map, so even two keys renamed to one (never, with the representative's
        injective naming) would keep the same (last) value.
        """
        cache = self._atoms
        e = cache.entry(table)  # type: ignore[union-attr]
        atoms = e[1]
        sig = tuple(map(self._image_get, atoms))
        toks = e[4]
        if toks is not None:
            k = toks.get(sig)
            if k is not None:
                return k
        key = self.key
        strings = self.strings
        items: dict[Any, Any] = {}
        for rk, v in table.items():
            # a (namespace, name) key: the renamed tuple without the generic walk
            if type(rk) is tuple and len(rk) == 2 and type(rk[0]) is str and type(rk[1]) is str:
                a, b = rk
                items[(strings.get(a, a), strings.get(b, b))] = key(v)
            else:
                items[self(rk)] = key(v)
        k = frozenset(items.items())
        if toks is None:
            e[4] = {sig: k}
        else:
            if len(toks) >= _SIGS_PER_VALUE:
                toks.clear()
            toks[sig] = k
        return k

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
        tuple((c.name, c.image, c.state, c.restart_count, c.ready, c.reason, c.readiness_lost, c.serving) for c in pod.container_statuses),
        tuple(c.image for c in pod.spec_containers),
    ) + ((placement,) if (placement := placement_repr(pod)) else ()) + (
        # init containers (issue #20): a completed and a failed one differ only in the exit code
        (tuple(c.exit_code for c in pod.container_statuses),) if pod.init_containers else ()
    )


def _names_nodes(state: ClusterState) -> bool:
    """Whether a pod or pod template names nodes in a required node affinity's ``matchFields``
    (``metadata.name``): then nodes are not interchangeable by name, and are not renamed."""
    templates = [p for p in state.pods.values() if p.node_affinity is not None]
    for kind in ("ReplicaSet", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet", "ControllerRevision"):
        for w in state.table(kind).values():
            t = w.data if kind == "ControllerRevision" else w.template
            if t.node_affinity is not None:
                templates.append(t)
    return any(term.match_fields for t in templates for term in t.node_affinity or ())


def _node_renaming(state: ClusterState) -> dict[str, str]:
    nodes = list(state.nodes.values())
    if len(nodes) < 2 or _names_nodes(state):
        return {}
    by_node: dict[str, list[tuple[Any, ...]]] = {n.name: [] for n in nodes}
    for p in state.pods.values():
        if p.node_name in by_node:
            by_node[p.node_name].append(_pod_shape(p))

    def signature(n: Any) -> tuple[Any, ...]:
        drain = None if n.drain is None else (len(n.drain.pods), bool(n.drain.error), n.drain.force)
        own: tuple[Any, ...] = (n.ready, n.unschedulable, n.pod_capacity, n.eviction_timeout_elapsed, tuple(sorted(n.labels.items())), drain)
        if n.taints:  # appended only when set: untainted nodes keep their old signature (same order)
            own += (n.taints,)
        return (own, tuple(sorted(by_node[n.name], key=repr)))

    ordered = sorted(nodes, key=lambda n: (repr(signature(n)), n.name))
    names = sorted(n.name for n in nodes)
    return {n.name: new for n, new in zip(ordered, names) if n.name != new}


def _generated_name_renaming(state: ClusterState) -> dict[str, str]:
    """Generated names -> ``<prefix>#<i>`` by creation order among the objects with that prefix.

    ``#`` never occurs in a real name, so a representative name cannot collide with a name
    that a pending write still carries.

    The result is applied to every string of the state, whatever namespace it is read in, so
    it must be one injective map on strings.  Hence one numbering per *prefix* across kinds
    and namespaces (with a single (kind, namespace) per prefix, the usual case, this is the
    creation order within it), and a name that more than one object carries (``web-1`` in
    two namespaces, or a node or a named object called like a generated one) is left alone:
    mapping it to one object's rank would rename the other's too, and two names could end up
    as one (two pods of one table under one key: a pod lost from the representative, states
    that differ in it merged, a wrong HOLDS).
    """
    groups: dict[str, list[tuple[int, str, str, str]]] = {}
    holders: dict[str, int] = {}
    for kind in KINDS:
        for obj in state.table(kind).values():
            holders[obj.name] = holders.get(obj.name, 0) + 1
            if obj.generate_name:
                groups.setdefault(obj.generate_name, []).append((obj.creation_index, kind, obj.namespace, obj.name))
    out: dict[str, str] = {}
    for prefix, objs in sorted(groups.items()):
        objs.sort()
        out.update({name: f"{prefix}#{i}" for i, (_, _, _, name) in enumerate(objs, start=1) if holders[name] == 1})
    return out


def _renaming_maps(cluster: ClusterState) -> tuple[dict[str, str], dict[int, int]]:
    """The renaming of ``cluster``'s orbit representative: strings (node names, generated names,
    UIDs, IPs) and sandbox ids."""
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
    return strings, sandbox_ids


def symmetry_representative(state: Any, cluster_of: Callable[[Any], ClusterState], atoms: AtomCache | None = None) -> Any:
    """The representative of ``state``'s symmetry class (a renamed copy of ``state``).

    ``cluster_of`` extracts the ``ClusterState`` the renaming is computed from; the renaming
    is then applied to the whole ``state`` (pending writes and action keys included), so
    every reference moves with its object.
    """
    strings, sandbox_ids = _renaming_maps(cluster_of(state))
    return Renaming(strings, sandbox_ids, atoms)(state)


def symmetry_key(state: Any, cluster_of: Callable[[Any], ClusterState], atoms: AtomCache) -> Hashable:
    """A compact key of ``state``'s symmetry class: equal for two states exactly when their
    :func:`symmetry_representative` are equal (see :meth:`Renaming.key`).

    Keys are comparable only with keys built on the same ``atoms`` cache (its intern table
    numbers the renamed objects).
    """
    cluster = cluster_of(state)
    clusters = atoms.clusters
    ren = clusters.get(cluster)
    if ren is None:
        ren = Renaming(*_renaming_maps(cluster), atoms)
        if len(clusters) >= atoms.cluster_limit:
            clusters.clear()
        clusters[cluster] = ren
    return ren.key(state)
