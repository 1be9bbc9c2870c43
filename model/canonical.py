"""Canonical forms: the always-on normalisation, and the opt-in symmetry representative.

Two different things, kept apart on purpose (docs/semantics/runtime.md, "Canonical names"):

**Always on** (:func:`normalize_cluster`, applied by ``model.system`` to every successor).
Fresh identifiers are *allocated* canonically instead of being renamed afterwards: the API
server hands out the lowest free ``uid-<n>`` and ``<prefix><n>`` (``model.apiserver``), the
kubelet the lowest free sandbox id and pool IP (``model.kubelet``).  Normalisation then only
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

from dataclasses import fields, is_dataclass, replace
from typing import Any, Callable

from model.frozen import FrozenMap
from model.objects import KINDS, ContainerStatus, Sandbox
from model.state import ClusterState

__all__ = ["normalize_cluster", "dense_creation_ranks", "symmetry_representative", "Renaming"]


def dense_creation_ranks(state: ClusterState) -> dict[int, int]:
    """Map each ``creation_index`` in use to its dense rank (0, 1, 2, ...)."""
    seen: set[int] = set()
    for _, attr in KINDS.values():
        for o in getattr(state, attr).values():
            seen.add(o.creation_index)
    return {v: i for i, v in enumerate(sorted(seen))}


def normalize_cluster(state: ClusterState) -> ClusterState:
    """The always-on normalisation: counters reset, ``creation_index`` densely ranked."""
    ranks = dense_creation_ranks(state)
    if not ranks or max(ranks) == len(ranks) - 1:  # already dense (the usual case)
        changed: dict[int, int] = {}
    else:
        changed = {v: r for v, r in ranks.items() if v != r}
    if changed:
        for kind in KINDS:
            for obj in state.table(kind).values():
                if obj.creation_index in changed:
                    state = state.put(replace(obj, creation_index=changed[obj.creation_index]))
    if state.next_uid != 1 or state.next_name != 1:
        state = state.with_counters(next_uid=1, next_name=1)
    return state


# ------------------------------------------------------------------------ deep renaming


class Renaming:
    """A consistent renaming of strings (UIDs, names, IPs) and sandbox ids over any value."""

    def __init__(self, strings: dict[str, str], sandbox_ids: dict[int, int]) -> None:
        self.strings = strings
        self.sandbox_ids = sandbox_ids
        self._memo: dict[int, Any] = {}

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            return self.strings.get(value, value)
        key = id(value)
        hit = self._memo.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        out = self._rename(value)
        self._memo[key] = (value, out)
        return out

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
            for f in fields(value):
                old = getattr(value, f.name)
                new = self(old)
                if new is not old and new != old:
                    changes[f.name] = new
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


def symmetry_representative(state: Any, cluster_of: Callable[[Any], ClusterState]) -> Any:
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
    return Renaming(strings, sandbox_ids)(state)
