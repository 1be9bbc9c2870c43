"""Review of the symmetry key, the renaming caches and hash-consing (model.canonical, model.system).

The reference is the plain deep renaming (``symmetry_representative`` without a cache) and, for
soundness, the *unreduced* search: every renaming-invariant projection of a reachable state must
also be reached with symmetry, or a symmetric invariant over that projection would hold wrongly.

Defect found here (fixed in ``model.canonical._generated_name_renaming``): the same generated
name in two namespaces (``web-1`` of ReplicaSet ``a/web`` and of ``b/web``) was renamed by each
namespace's creation order into one global string map, so the later namespace's rank
overwrote the earlier one's: two pods of one namespace got one representative key, a pod
vanished from the representative, states that differ in it were merged, and an invariant that
the plain search finds violated was reported HOLDS with ``symmetry=True``.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import replace
from typing import Any, Callable, Hashable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant
from model.canonical import symmetry_representative
from model.environment import DeleteObject, FaultBudget, RelabelPods, ScaleWorkload
from model.frozen import FrozenMap
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, node, rs, running_pod, settle_first_fair, statefulset_db, template


def _from_settled(base: Scenario, **changes: Any) -> Scenario:
    return replace(base, initial=settle_first_fair(base), **changes)


def three_nodes_node_failure() -> Scenario:
    """Three identical nodes (node renaming), a node failure and a force delete."""
    base = Scenario(cluster(node("node-a"), node("node-b"), node("node-c"), rs(replicas=2)), granularity="reconcile", name="3n")
    return _from_settled(base, faults=FaultBudget(node_failure=1, force_delete=1))


def statefulset_pvc_node_failure() -> Scenario:
    """A StatefulSet with a PVC template on two nodes; node failure and force delete."""
    base = Scenario(cluster(node("node-a"), node("node-b"), statefulset_db(2)), granularity="reconcile", name="sts-nf")
    return _from_settled(base, faults=FaultBudget(node_failure=1, force_delete=1))


def statefulset_scale_down_write() -> Scenario:
    """A StatefulSet scaled down with a node failure, one write per step (pending writes)."""
    base = Scenario(cluster(node("node-a"), node("node-b"), statefulset_db(2)), name="sts-write")
    return _from_settled(base, user_actions=(ScaleWorkload("StatefulSet", "db", 1),), faults=FaultBudget(node_failure=1))


def stale_reads_sandbox_death() -> Scenario:
    """Stale reads (two clusters per state), pending writes, a scale-down and a sandbox death."""
    base = Scenario(cluster(node("node-a"), node("node-b"), rs(replicas=2)), stale_reads=True, name="stale")
    return _from_settled(base, user_actions=(ScaleWorkload("ReplicaSet", "web", 1),), faults=FaultBudget(sandbox_death=1))


def relabel_and_orphan() -> Scenario:
    """A relabelled pod (released, replaced) and an orphaning delete of its ReplicaSet."""
    base = Scenario(cluster(node("node-a"), node("node-b"), rs(replicas=2)), name="relabel")
    return _from_settled(
        base,
        user_actions=(RelabelPods(FrozenMap(app="web"), FrozenMap(app="other")), DeleteObject("ReplicaSet", "web", propagation="Orphan")),
    )


def two_namespaces() -> Scenario:
    """ReplicaSet ``web`` in namespaces ``a`` (2 replicas) and ``b`` (1): both name pods ``web-<n>``.
    A force delete in ``a`` re-creates ``a/web-1`` after ``b/web-1``."""
    base = Scenario(
        cluster(node("node-a"), replace(rs(replicas=2), namespace="a"), replace(rs(replicas=1), namespace="b")),
        granularity="reconcile",
        name="two-ns",
    )
    return _from_settled(base, faults=FaultBudget(force_delete=1, container_crash=1))


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "three_nodes_node_failure": three_nodes_node_failure,
    "statefulset_pvc_node_failure": statefulset_pvc_node_failure,
    "statefulset_scale_down_write": statefulset_scale_down_write,
    "stale_reads_sandbox_death": stale_reads_sandbox_death,
    "relabel_and_orphan": relabel_and_orphan,
    "two_namespaces": two_namespaces,
}


def _bfs(system: KubeSystem, key: Callable[[SystemState], Hashable], limit: int | None = None) -> Iterator[SystemState]:
    """The states a BFS keyed by ``key`` expands, in order (every distinct key once)."""
    init = system.init_states()[0]
    seen = {key(init)}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        yield s
        if limit is not None and len(seen) >= limit:
            continue
        for t in system.next_states(s):
            k = key(t)
            if k not in seen:
                seen.add(k)
                queue.append(t)


def _plain_rep(s: SystemState) -> Any:
    return symmetry_representative(s, lambda x: x.cluster)


def _projection(s: SystemState) -> Hashable:
    """What a symmetric property can see: per namespace, the multiset of pod shapes (no names,
    UIDs, nodes, IPs), the workloads' specs and statuses, the pending writes' kinds, the budgets."""
    c = s.cluster
    pods = Counter(
        (p.namespace, p.generate_name, p.phase, p.conditions, p.deletion_timestamp is not None, p.node_name is not None,
         tuple((cs.state, cs.restart_count, cs.ready) for cs in p.container_statuses), tuple(sorted(p.labels.items())),
         len(p.owner_references))
        for p in c.pods.values()
    )
    workloads = tuple(
        (type(o).__name__, o.namespace, o.name, getattr(o, "replicas", None), getattr(o, "status", None))
        for o in (*c.replica_sets.values(), *c.stateful_sets.values())
    )
    nodes = Counter((n.ready, n.unschedulable) for n in c.nodes.values())
    pending = Counter((ak[0], type(pw.write).__name__) for ak, pws in s.pending.items() for pw in pws)
    return (frozenset(pods.items()), workloads, frozenset(nodes.items()), len(c.persistent_volume_claims),
            frozenset(pending.items()), s.user_budget, s.faults, s.previous is not None)


# --------------------------------------------------------------------------- the defect


def _ns_pod(ns: str, name: str, index: int, sandbox: int) -> Any:
    p = running_pod(name, sandbox_id=sandbox, ip=f"10.0.0.{sandbox}")
    return replace(p, namespace=ns, generate_name="web-", creation_index=index, uid=f"uid-{sandbox}")


def test_one_generated_name_in_two_namespaces_keeps_every_pod_in_the_representative() -> None:
    """``a/web-2`` is older than ``a/web-1``, and ``b/web-1`` sits between: ``web-1`` has one
    rank in ``a`` and another in ``b``.  Before the fix ``a/web-1`` and ``a/web-2`` both became
    ``a/web-#1`` and the representative lost a pod."""
    c = cluster(node("node-1"), _ns_pod("a", "web-2", 1, 1), _ns_pod("b", "web-1", 2, 2), _ns_pod("a", "web-1", 3, 3))
    system = KubeSystem(Scenario(c, name="ns"))
    s = system.init_states()[0]
    rep = system.representative(s)
    assert len(rep.cluster.pods) == 3 == len(_plain_rep(s).cluster.pods)
    # the key tells apart two states that differ only in one of the two pods of namespace a
    for name in ("web-1", "web-2"):
        crashed = replace(s.cluster.pods[("a", name)], phase="Failed")
        t = replace(s, cluster=s.cluster.put(crashed))
        assert system.canonical(t) != system.canonical(s)
        assert system.representative(t) != rep


def test_a_dead_name_in_a_pending_write_of_another_namespace_stays_apart_from_a_live_one() -> None:
    """``a/web-3`` and ``b/web-5`` are each the only ``web-`` pod of their namespace.  Before the
    fix both became ``web-#1``, so a pending ``Delete b/web-3`` (nothing there: NotFound) and a
    pending ``Delete b/web-5`` (the live pod) had one representative: states where the delete
    removes a pod merged with states where it does nothing."""
    from model.api import Delete
    from model.system import PendingWrite

    c = cluster(node("node-1"), _ns_pod("a", "web-3", 1, 1), _ns_pod("b", "web-5", 2, 2))
    system = KubeSystem(Scenario(c, name="ns-dead"))
    s = system.init_states()[0]

    def pending_delete(name: str) -> SystemState:
        return replace(s, pending=FrozenMap({("replicaset", "b", "web"): (PendingWrite(Delete("Pod", "b", name)),)}))

    dead, live = pending_delete("web-3"), pending_delete("web-5")
    assert system.canonical(dead) != system.canonical(live)
    assert system.representative(dead) != system.representative(live)
    assert _plain_rep(dead) != _plain_rep(live)


def test_two_namespaces_symmetry_reports_the_violation_the_plain_search_finds() -> None:
    """A symmetric invariant (it names no pod) VIOLATED without symmetry must not HOLD with it.
    Before the fix: VIOLATED / HOLDS (29 projections of the reachable states were never visited)."""

    def ns_pods(s: SystemState, ns: str) -> list[Any]:
        return [p for p in s.cluster.pods.values() if p.namespace == ns]

    def no_start_in_a_while_b_crashed(s: SystemState) -> bool:
        crashed_b = any(cs.state == "terminated" for p in ns_pods(s, "b") for cs in p.container_statuses)
        starting_a = any(p.phase == "Pending" and p.node_name for p in ns_pods(s, "a"))
        return not (crashed_b and starting_a)

    inv = invariant("REVIEW-NS", "no pod of a starts while b's pod is crashed", no_start_in_a_while_b_crashed)
    scenario = two_namespaces()
    plain = explore(KubeSystem(scenario), [inv], progress=False)
    reduced = explore(KubeSystem(scenario), [inv], symmetry=True, progress=False)
    assert plain.results[0].verdict.name == "VIOLATED"
    assert reduced.results[0].verdict.name == "VIOLATED"
    assert not no_start_in_a_while_b_crashed(reduced.results[0].trace.steps[-1].state)


# --------------------------------------------------------------- key == representative, larger spaces


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_key_partitions_like_the_plain_representative_and_loses_no_projection(name: str) -> None:
    """On every state of a plain BFS (capped): key(a) == key(b) iff rep(a) == rep(b).  Over the
    whole space: the key-reduced search expands as many orbits as a representative-reduced one
    (a system whose ``canonical`` returns the renamed state), and reaches every renaming-invariant
    projection the unreduced search reaches."""
    scenario = SCENARIOS[name]()
    system = KubeSystem(scenario)
    key_to_rep: dict[Hashable, Any] = {}
    rep_to_key: dict[Any, Hashable] = {}
    checked = 0
    for s in _bfs(KubeSystem(scenario), lambda x: x, limit=900):
        k, r = system.canonical(s), _plain_rep(s)
        assert key_to_rep.setdefault(k, r) == r, "one key, two representatives: states merged that are not symmetric"
        assert rep_to_key.setdefault(r, k) == k, "one representative, two keys: a missed reduction"
        checked += 1
    assert checked >= 190
    keyed = KubeSystem(scenario)
    by_key = [_projection(s) for s in _bfs(keyed, keyed.canonical)]
    by_rep_system = KubeSystem(scenario)
    by_rep = sum(1 for _ in _bfs(by_rep_system, by_rep_system.representative))
    assert len(by_key) == by_rep
    plain = {_projection(s) for s in _bfs(KubeSystem(scenario), lambda x: x)}
    assert set(by_key) == plain


def test_the_scenarios_exercise_what_they_claim() -> None:
    """The larger spaces above are not trivial: the reduction merges states where it should, and
    the states hold PVCs, pending writes, stale views and several nodes."""
    kinds: dict[str, set[str]] = {}
    for name in ("three_nodes_node_failure", "statefulset_pvc_node_failure", "stale_reads_sandbox_death"):
        scenario = SCENARIOS[name]()
        seen: set[str] = set()
        for s in _bfs(KubeSystem(scenario), lambda x: x, limit=300):
            seen |= {"pvc"} if s.cluster.persistent_volume_claims else set()
            seen |= {"pending"} if s.pending else set()
            seen |= {"stale"} if s.previous is not None else set()
            seen |= {"notready"} if any(not n.ready for n in s.cluster.nodes.values()) else set()
        kinds[name] = seen
    assert {"notready"} <= kinds["three_nodes_node_failure"]
    assert {"pvc", "notready"} <= kinds["statefulset_pvc_node_failure"]
    assert {"pending", "stale"} <= kinds["stale_reads_sandbox_death"]
    system = KubeSystem(three_nodes_node_failure())
    assert sum(1 for _ in _bfs(system, system.canonical)) < sum(1 for _ in _bfs(KubeSystem(three_nodes_node_failure()), lambda x: x))


# ------------------------------------------------------------------ keys, instances, hash-consing


def test_keys_of_two_instances_never_compare_equal() -> None:
    """Keys are comparable only within one KubeSystem: across instances the tokens are distinct
    objects, so a comparison can only miss a merge, never make a wrong one."""
    scenario = stale_reads_sandbox_death()
    a, b = KubeSystem(scenario), KubeSystem(scenario)
    states = list(_bfs(KubeSystem(scenario), lambda x: x, limit=60))
    assert len(states) >= 60
    for s in states:
        assert a.canonical(s) != b.canonical(s)
        assert a.canonical(s) == a.canonical(s) and a.representative(s) == b.representative(s)


def test_a_system_reused_after_a_symmetric_search_explores_the_same_plain_space() -> None:
    """A system that ran a symmetric search (hash-consing tables, symmetry caches filled) then
    explores without symmetry the same states as a fresh one that does not hash-cons (same count,
    same successors).  Hash-consing is on by default since issue #17: the fresh one has it off."""
    scenario = stale_reads_sandbox_death()
    fresh = KubeSystem(scenario)
    fresh._interning = False
    reused = KubeSystem(scenario)
    sym_orbits = sum(1 for _ in _bfs(reused, reused.canonical))
    assert reused._interning and not fresh._interning
    plain_fresh = list(_bfs(fresh, lambda x: x))
    plain_reused = list(_bfs(reused, lambda x: x))
    assert plain_fresh == plain_reused and sym_orbits < len(plain_fresh)
    for s in plain_fresh[:150]:
        assert reused.next_states(s) == fresh.next_states(s)


# ------------------------------------------------------------------ FrozenMap.update's hash


_keys = st.tuples(st.sampled_from(["a", "b"]), st.text("xyz", max_size=2))
_vals = st.one_of(st.integers(-3, 3), st.text("pq", max_size=2), st.tuples(st.integers(0, 2)))


@settings(max_examples=150, deadline=None)
@given(base=st.dictionaries(_keys, _vals, max_size=6), changes=st.lists(st.dictionaries(_keys, _vals, max_size=4), max_size=4), hashed=st.booleans())
def test_frozen_map_update_hash_equals_a_fresh_hash(base: dict[Any, Any], changes: list[dict[Any, Any]], hashed: bool) -> None:
    """The incremental hash of ``update`` (same keys) and ``set`` equals a fresh map's, along a
    chain of updates (a wrong cached hash would make equal maps unequal: FrozenMap.__eq__ and the
    sync memo compare cached hashes first)."""
    m = FrozenMap(base)
    if hashed:
        hash(m)
    for ch in changes:
        same_keys = {k: v for k, v in ch.items() if k in m}
        for upd in (same_keys, ch):
            m2 = m.update(upd)
            fresh = FrozenMap({**m.to_dict(), **upd})
            assert m2 == fresh and hash(m2) == hash(fresh) and list(m2) == list(fresh)
        m = m.update(ch)


def test_reachable_states_hold_no_mutable_value_in_a_compared_field() -> None:
    """The identity-keyed caches (the fingerprint encoder's memo, the AtomCache, hash-consing)
    assume a value never changes after it was first seen.  Only ``ClusterState._cache`` (not
    compared, not encoded, not renamed) is mutable; a list, dict or set in a compared field would
    let a cached encoding or renaming go stale."""
    from dataclasses import fields, is_dataclass

    bad: set[str] = set()

    def walk(v: Any, path: str) -> None:
        if isinstance(v, (list, dict, set, bytearray)):
            bad.add(path)
        elif is_dataclass(v) and not isinstance(v, type):
            for f in fields(v):
                if f.compare:
                    walk(getattr(v, f.name), f"{path}.{f.name}")
        elif isinstance(v, FrozenMap):
            for k, x in v.items():
                walk(k, path + "{}")
                walk(x, path + "[]")
        elif isinstance(v, (tuple, frozenset)):
            for x in v:
                walk(x, path + "()")

    for make in (stale_reads_sandbox_death, statefulset_scale_down_write, relabel_and_orphan):
        for s in _bfs(KubeSystem(make()), lambda x: x, limit=250):
            walk(s, "state")
    assert not bad, sorted(bad)
