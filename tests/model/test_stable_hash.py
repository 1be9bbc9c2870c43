"""``KubeSystem.stable_hash`` (model.stable_hash): the hash the distributed search routes states by.
It must be equal for equal states whatever process computed it (the workers of a search are other
processes, with other string salts and, on Python 3.11, another ``hash(None)``), and it is cached per
object (so a successor hashes only what its step made)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from kubecheck.core.explorer import explore
from model.frozen import FrozenMap
from model.stable_hash import StableHash
from tests.model.test_golden_counts import BUILDERS

ROOT = Path(__file__).resolve().parents[2]

# the states of a golden search in a new process with another string salt: their stable hashes
_CHILD = """
import json, sys
from tests.model.test_golden_counts import BUILDERS
from tests.model.test_stable_hash import first_states
system = BUILDERS[sys.argv[1]]("write")
states = first_states(system, int(sys.argv[2]))
print(json.dumps([[repr(s), system.stable_hash(s), hash(s)] for s in states]))
"""


def first_states(system: Any, n: int) -> list[Any]:
    """The first ``n`` states of a breadth-first search (in its order: the same in every process)."""
    init = list(system.init_states())
    seen, out, i = set(init), list(init), 0
    while i < len(out) and len(out) < n:
        for _, t in system.successors(out[i]):
            if t not in seen and len(out) < n:
                seen.add(t)
                out.append(t)
        i += 1
    return out


def _states(name: str, limit: int) -> tuple[Any, list[Any]]:
    system = BUILDERS[name]("write")
    return system, first_states(system, limit)


def test_equal_states_hash_equally_in_another_process() -> None:
    """Another interpreter (another ``PYTHONHASHSEED``, so other ``hash(str)``, and another address of
    ``None``) gives every state the same stable hash as this one, for the same state (by ``repr``)."""
    system, states = _states("rs_crash", 300)
    here = {repr(s): system.stable_hash(s) for s in states}
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _CHILD, "rs_crash", "300"], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    there = {r: h for r, h, _ in rows}
    assert len(here) == len(states) and set(there) == set(here)
    assert there == here
    # where Python's own hash differs between the two processes (what the stable hash is for)
    python_here = {repr(s): hash(s) for s in states}
    assert all(python_here[r] != h for r, _, h in rows)


def test_equal_values_built_apart_hash_equally_and_the_hash_spreads() -> None:
    system, states = _states("rollout_small", 2000)
    other = BUILDERS["rollout_small"]("write")  # another instance: its own objects and memos
    for s in states[:300]:
        copy = pickle.loads(pickle.dumps(s))  # equal, sharing no object with s
        assert copy == s and copy.cluster is not s.cluster
        assert other.stable_hash(copy) == system.stable_hash(s)
    hashes = [system.stable_hash(s) for s in states]
    assert len(set(hashes)) == len(states)  # no collision among these (64 bits)
    assert all(0 <= h < 2**64 for h in hashes)
    # the owner is hash % workers: balanced for 2 and 3 workers
    for n in (2, 3):
        parts = Counter(h % n for h in hashes)
        assert min(parts.values()) > 0.8 * len(states) / n


def test_the_hash_is_kept_by_each_object_and_a_successor_rehashes_what_it_changed() -> None:
    system, states = _states("rollout_small", 50)
    s = states[-1]
    h = system.stable_hash(s)
    assert s._sh is not None and s.cluster._cache["sh"] is not None and s.cluster.pods._sh is not None
    assert all(p._sh is not None for p in s.cluster.pods.values())
    # the cached figures are the ones a fresh hasher computes from scratch (on a copy: no cache)
    assert StableHash()(pickle.loads(pickle.dumps(s))) == h
    # a successor made from s shares its unchanged tables, whose hashes are already there
    succ = [t for _, t in system.successors(s)]
    assert succ
    for t in succ:
        kept = [a for a in ("replica_sets", "deployments", "nodes") if getattr(t.cluster, a) is getattr(s.cluster, a)]
        assert all(getattr(t.cluster, a)._sh is not None for a in kept)
        system.stable_hash(t)


def test_values_of_every_kind() -> None:
    """Equal values of the kinds a state may hold hash equally (``1 == 1.0 == True``, a FrozenMap and
    a dict with the same items, sets in any order), and a type without a stable hash is refused."""
    sh = StableHash()
    assert sh(1) == sh(1.0) == sh(True) and sh(-1) == sh(-1.0)
    assert sh(FrozenMap({"a": 1, "b": None})) == sh({"b": None, "a": 1})
    assert sh(frozenset({"x", "y", 3})) == sh({3, "y", "x"})
    assert sh(("a", None, 2)) == sh(("a", None, 2.0)) != sh(("a", None, 3))
    assert sh("a") != sh(b"a") and sh(()) != sh(None)
    try:
        sh(object())
    except TypeError as exc:
        assert "no stable hash" in str(exc)
    else:  # pragma: no cover - a failure
        raise AssertionError("object() hashed")


def test_the_single_process_search_is_unchanged() -> None:
    """The slots the hash is kept in are never set by a search without workers (only the distributed
    search asks for the hash), and the counts stay the golden ones."""
    system = BUILDERS["rollout_small"]("write")
    r = explore(system, [], progress="off")
    assert r.complete and r.stats.states > 0
    s = system.init_states()[0]
    assert getattr(s, "_sh", None) is None and "sh" not in s.cluster._cache
