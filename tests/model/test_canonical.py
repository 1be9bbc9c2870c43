"""The symmetry reduction's fast paths (model.canonical, model.system): the compact key must
split states exactly as the representative does, be invariant under every renaming of the
symmetry group, and the hash-consing of successors must change no value.

``symmetry_representative`` with no cache is the plain deep renaming: the reference.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import replace
from typing import Any, Callable, Iterator

import pytest

from model.canonical import AtomCache, Renaming, symmetry_key, symmetry_representative
from model.environment import FaultBudget, ScaleWorkload, SetImage
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, deployment, node, rs, settle_first_fair


def _two_nodes_crash() -> KubeSystem:
    """Two identical nodes (node renaming), a 2-replica RS, a container crash and a node failure."""
    base = Scenario(cluster(node("node-a"), node("node-b"), rs(replicas=2)), granularity="reconcile", name="two-nodes")
    return KubeSystem(replace(base, initial=settle_first_fair(base), faults=FaultBudget(node_failure=1, container_crash=1)))


def _rollout_write() -> KubeSystem:
    """A 2-replica rollout with write granularity: states with pending writes."""
    base = Scenario(cluster(node(), deployment(replicas=2, surge=1, unavailable=0)), name="rollout-write")
    return KubeSystem(replace(base, initial=settle_first_fair(base), user_actions=(SetImage("Deployment", "web", "nginx:2"),)))


def _stale() -> KubeSystem:
    """Stale reads (``previous`` is a second cluster in the state) and a controller crash."""
    base = Scenario(cluster(node(), rs(replicas=2)), stale_reads=True, name="stale")
    return KubeSystem(
        replace(base, initial=settle_first_fair(base), user_actions=(ScaleWorkload("ReplicaSet", "web", 1),), faults=FaultBudget(controller_crash=1))
    )


SYSTEMS: dict[str, Callable[[], KubeSystem]] = {"two_nodes_crash": _two_nodes_crash, "rollout_write": _rollout_write, "stale": _stale}


def _reachable(system: KubeSystem, limit: int) -> Iterator[SystemState]:
    """Every successor met in a plain BFS (duplicates by value included), up to ``limit`` expansions."""
    init = system.init_states()[0]
    seen = {init}
    queue = deque([init])
    yield init
    while queue and len(seen) < limit:
        s = queue.popleft()
        for t in system.next_states(s):
            yield t
            if t not in seen:
                seen.add(t)
                queue.append(t)


def _plain_rep(s: SystemState) -> Any:
    return symmetry_representative(s, lambda x: x.cluster)


@pytest.mark.parametrize("name", list(SYSTEMS))
@pytest.mark.parametrize("small_cache", [False, True], ids=["cache", "tiny-cache"])
def test_the_key_splits_states_exactly_as_the_representative(name: str, small_cache: bool) -> None:
    """key(a) == key(b) iff rep(a) == rep(b), over every pair of reachable states (also with
    caches so small that they are cleared all the time)."""
    system = SYSTEMS[name]()
    cache = AtomCache(limit=40, cluster_limit=3) if small_cache else AtomCache()
    key_of_rep: dict[Any, Any] = {}
    rep_of_key: dict[Any, Any] = {}
    n = 0
    for s in _reachable(system, 400):
        r, k = _plain_rep(s), symmetry_key(s, lambda x: x.cluster, cache)
        assert key_of_rep.setdefault(r, k) == k  # equal representatives -> equal keys
        assert rep_of_key.setdefault(k, r) == r  # equal keys -> equal representatives
        n += 1
    assert n > 40 and len(key_of_rep) < n  # the states did meet equal representatives


def _random_group_element(s: SystemState, rng: random.Random) -> Renaming:
    """A random renaming of the symmetry group: fresh generated names (same prefix), UIDs, IPs
    and sandbox ids for everything the cluster holds, and a random permutation of the nodes."""
    c = s.cluster
    strings: dict[str, str] = {}
    tag = rng.randrange(10**6)
    ids = rng.sample(range(1000, 10**6), 200)
    for o in c.all_objects():
        if o.generate_name:
            strings[o.name] = f"{o.generate_name}z{ids.pop()}"
        if o.uid:
            strings[o.uid] = f"uid-r{tag}-{ids.pop()}"
    sandbox_ids: dict[int, int] = {}
    for p in c.pods.values():
        if p.sandbox is not None:
            strings[p.sandbox.ip] = f"10.{ids.pop() % 250}.{ids.pop() % 250}.{len(strings) % 250}"
            sandbox_ids[p.sandbox.id] = ids.pop()
        for cs in p.container_statuses:
            if cs.sandbox_id is not None and cs.sandbox_id not in sandbox_ids:
                sandbox_ids[cs.sandbox_id] = ids.pop()
    names = [n.name for n in c.nodes.values()]
    shuffled = names[:]
    rng.shuffle(shuffled)
    strings.update(zip(names, shuffled))
    assert len(set(strings.values())) == len(strings)  # a bijection
    return Renaming(strings, sandbox_ids)


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_renamed_states_have_the_same_key_and_representative(name: str) -> None:
    """A random element of the symmetry group applied to a state leaves its representative and
    its key unchanged; the representative is idempotent (a state of the same orbit)."""
    rng = random.Random(7)
    system = SYSTEMS[name]()
    states = list(dict.fromkeys(_reachable(system, 150)))
    checked = 0
    for s in rng.sample(states, min(60, len(states))):
        rep, key = _plain_rep(s), system.canonical(s)
        assert _plain_rep(rep) == rep
        for _ in range(2):
            t = _random_group_element(s, rng)(s)
            assert t != s or not s.cluster.pods
            assert _plain_rep(t) == rep
            assert system.canonical(t) == key
            assert system.representative(t) == rep
            checked += 1
    assert checked == 2 * min(60, len(states)) >= 60


def test_different_orbits_get_different_keys_on_a_fresh_system() -> None:
    """Distinct keys for distinct representatives, checked on a system whose caches were warmed by
    another exploration (tokens and cached keys are never reused for another value)."""
    system = _two_nodes_crash()
    for _ in _reachable(system, 200):  # warm every cache of this system
        pass
    reps: dict[Any, Any] = {}
    for s in _reachable(_two_nodes_crash(), 300):
        k = system.canonical(s)
        r = _plain_rep(s)
        assert reps.setdefault(k, r) == r


def test_hash_consing_changes_no_value_and_shares_equal_tables() -> None:
    """Successors' tables equal by value are one object (hash-consing, always on since issue #17);
    the successors themselves equal those of a system that does not intern."""
    interning, plain = _two_nodes_crash(), _two_nodes_crash()
    plain._interning = False  # the reference: no hash-consing
    assert interning._interning and not plain._interning
    tables: dict[Any, Any] = {}
    repeats = 0
    for s in _reachable(plain, 300):
        mine = interning.next_states(s)
        assert mine == plain.next_states(s)
        for t in mine:
            for attr in ("pods", "replica_sets", "nodes"):
                tab = getattr(t.cluster, attr)
                if tab is getattr(s.cluster, attr):
                    continue  # unchanged by the step: not interned
                repeats += tab in tables
                assert tables.setdefault(tab, tab) is tab  # one object per table value
    assert repeats > 100
