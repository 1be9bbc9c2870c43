"""The distributed BFS's workers without Ray (issue 22): ``Worker`` is a plain class, so two of them
in this process, each with its own unpickled copy of the system (as Ray gives each actor), exchange
the same pickled batches as over Ray.  Checks what makes two workers fast without changing a count:
arrivals are interned (``KubeSystem.intern``), objects are sent once per worker pair, memo entries
are shared (``KubeSystem.learned``/``learn``), known successors are not sent again.
"""

from __future__ import annotations

import gc
import pickle
from typing import Any

import pytest

from kubecheck.core.distributed import _worker
from kubecheck.core.distributed._worker import Worker, routing_fn, share_cap
from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant
from model.system import KubeSystem
from tests.model.test_golden_counts import BUILDERS, GOLDEN

PROPS = [invariant("INV-1", "always true", lambda s: True)]


def _run(system: Any, n: int, symmetry: bool = False) -> tuple[list[Worker], int, int]:
    """A level-synchronous search with ``n`` in-process workers (the driver's loop, without Ray)."""
    blob = pickle.dumps(system)
    workers = [Worker(i, n) for i in range(n)]
    for w in workers:
        w.start(pickle.loads(blob), PROPS, symmetry, None)
    fp = routing_fn(system)
    parts: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
    for i, s in enumerate(system.init_states()):
        parts[fp(system.representative(s) if symmetry else s) % n].append((i, s))
    new = sum(w.seed(p) for w, p in zip(workers, parts))
    transitions = sent = 0
    while new:
        outs = [w.expand(None, set()) for w in workers]
        transitions += sum(o[n]["transitions"] for o in outs)
        sent += sum(o[n]["bytes"] for o in outs)
        ins = [w.insert(False, *[outs[i][j] for i in range(n)]) for j, w in enumerate(workers)]
        new = sum(r["new"] for r in ins)
    return workers, transitions, sent


@pytest.mark.parametrize("key", [("rs_crash", "write", False), ("rollout_small", "write", False), ("rollout_small", "reconcile", True),
                                 ("cascade_delete", "write", False)], ids=lambda k: "-".join(map(str, k)))
def test_two_workers_in_process_give_the_golden_counts(key: tuple[str, str, bool]) -> None:
    name, granularity, symmetry = key
    workers, transitions, sent = _run(BUILDERS[name](granularity), 2, symmetry)
    assert (sum(len(w.seen) for w in workers), transitions) == GOLDEN[key][:2]
    assert all(len(w.seen) for w in workers) and sent > 0
    # each worker holds only the states it owns (by the routing hash of a fresh instance: the same in every process)
    fp = routing_fn(BUILDERS[name](granularity))
    for w in workers:
        assert all(fp(w.system.representative(k) if symmetry else k) % 2 == w.index for k in w.seen)


def test_arrivals_are_made_of_the_receivers_own_objects() -> None:
    workers, _, _ = _run(BUILDERS["rollout_small"]("write"), 2)
    for w in workers:
        objs = w.system._intern_objs
        tables = w.system._intern_tables
        # every stored state's objects and tables are the worker's hash-consed ones (identity, not only ==)
        for state in w.seen:
            for attr in ("pods", "replica_sets", "deployments"):
                tab = getattr(state.cluster, attr)
                if tab:
                    assert tables.get(tab) is tab
                    assert all(objs.get(o) is o for o in tab.values())
    # the memo entries one worker computed reached the other: fewer misses than two cold memos
    one = BUILDERS["rollout_small"]("write")
    explore(one, [], progress="off")
    misses = sum(w.system.memo_stats[1] for w in workers)
    assert misses < 2 * one.memo_stats[1]


def test_objects_are_sent_once_per_pair_of_workers() -> None:
    """The second time an object goes to a worker it is a number: the bytes per state stay far below a
    pickled state's."""
    system = BUILDERS["rollout_small"]("write")
    workers, _, sent = _run(system, 2)
    states = sum(len(w.seen) for w in workers)
    whole = sum(len(pickle.dumps(s)) for s in list(workers[0].seen)[:50]) / 50
    assert sent / states < whole / 4
    # what the receivers remember is what the senders sent, number for number
    for w in workers:
        other = workers[1 - w.index]
        assert sorted(n for _, n in w.sent.get(other.index, {}).values()) == sorted(other.received.get(w.index, {}))


def test_kube_system_intern_returns_an_equal_state_sharing_its_objects() -> None:
    system = BUILDERS["rollout_small"]("write")
    result = explore(system, [], progress="off")
    assert result.complete
    own = system.intern(next(t for _, t in system.successors(system.init_states()[0])))
    assert system.intern(own) is own  # already made of the system's objects
    copy = pickle.loads(pickle.dumps(own))
    assert copy == own and copy.cluster.pods is not own.cluster.pods
    back = system.intern(copy)
    assert back == own and hash(back) == hash(own)
    assert back.cluster.pods is own.cluster.pods and back.cluster.replica_sets is own.cluster.replica_sets
    assert back.cluster._cache.get("normalized")
    # other values pass through unchanged
    assert system.intern(("a", 1)) == ("a", 1)
    assert isinstance(system, KubeSystem)


def test_numbered_objects_are_capped_per_worker_not_per_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """``SHARE_CAP`` is shared out among the other workers: a worker's tables of numbered objects do
    not grow with the number of workers.  With a small cap the tables are forgotten and numbered
    again many times (both sides in step), and the counts stay the golden ones."""
    assert [share_cap(n) for n in (1, 2, 3, 65)] == [_worker.SHARE_CAP, _worker.SHARE_CAP, _worker.SHARE_CAP // 2, _worker.SHARE_CAP // 64]
    monkeypatch.setattr(_worker, "SHARE_CAP", 64)
    workers, transitions, _ = _run(BUILDERS["rollout_small"]("write"), 3)
    assert (sum(len(w.seen) for w in workers), transitions) == GOLDEN[("rollout_small", "write", False)][:2]
    batch_max = 0
    for w in workers:
        assert w.share_cap == 32
        for j, table in w.sent.items():
            # reset before a batch once at the cap: at most the cap plus one batch's new objects
            batch_max = max(batch_max, len(table))
            assert sorted(n for _, n in table.values()) == sorted(workers[j].received[w.index])
    assert batch_max < 256  # not growing with the search (519 objects to one worker without the cap)


def test_stored_states_are_out_of_the_collectors_walk() -> None:
    """A worker freezes what it stores at the end of each level (``gc.freeze``): a full collection does
    not walk the visited set again and again; the next search's start unfreezes it."""
    workers, _, _ = _run(BUILDERS["rollout_small"]("write"), 2)
    tracked = {id(o) for o in gc.get_objects()}  # generations 0-2, not the permanent one
    stored = [s for w in workers for s in list(w.seen)[:50]]
    assert stored and not any(id(s) in tracked for s in stored)
    assert gc.get_freeze_count() > 0
    workers[0].start(workers[0].system, PROPS, False, None)  # a new search: unfreeze, collect, freeze
    gc.unfreeze()


class _Ring:
    """A system of no Kubernetes (the engine's hook alone): states 0..59, steps +1 and x2 mod 60."""

    def __init__(self, stable: bool) -> None:
        self.routed: list[int] = []
        if stable:
            self.stable_hash = self._stable

    def _stable(self, state: int) -> int:
        self.routed.append(state)
        return state  # the owner of s is s % n

    def init_states(self) -> list[int]:
        return [0, 1]

    def successors(self, state: int) -> list[tuple[str, int]]:
        return [("inc", (state + 1) % 60), ("double", (2 * state) % 60)]


@pytest.mark.parametrize("stable", [True, False], ids=["system-stable-hash", "fingerprint"])
def test_the_workers_route_by_the_systems_stable_hash_when_it_has_one(stable: bool) -> None:
    """``system.stable_hash`` (kubecheck.core.ts.stable_hash_fn) is what the driver and the workers route
    by; without it, the fingerprint.  Either way every state is stored once, by one worker."""
    system = _Ring(stable)
    assert (routing_fn(system) is system.stable_hash) if stable else (routing_fn(system)(7) == routing_fn(_Ring(False))(7))
    workers, transitions, _ = _run(system, 3)
    assert sorted(s for w in workers for s in w.seen) == list(range(60)) and transitions == 120
    if stable:
        assert all(s % 3 == w.index for w in workers for s in w.seen)
        assert all(w.system.routed for w in workers)  # each worker's own copy routed its successors
    else:
        assert sorted(len(w.seen) for w in workers) != [0, 0, 60]


def test_a_worker_forgets_the_successors_it_sent_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """``system.forget`` (kubecheck.core.ts.forget_fn; ``KubeSystem.forget``): the clusters of the
    successors a worker sends to their owner leave its hash-consing table, so a worker holds the
    clusters of the states it stores, not of every successor it generated (per-state memory that
    would not split across the workers).  The counts do not change."""
    key = ("rollout_small", "write", False)
    workers, transitions, _ = _run(BUILDERS["rollout_small"]("write"), 2)
    assert (sum(len(w.seen) for w in workers), transitions) == GOLDEN[key][:2]
    def foreign(ws: list[Worker]) -> list[float]:
        """Per worker: the share of its hash-consed clusters that no state it stores has."""
        out = []
        for w in ws:
            mine = {s.cluster for s in w.seen}
            table = w.system._intern_clusters
            out.append(sum(1 for c in table if c not in mine) / len(table))
        return out

    assert max(foreign(workers)) < 0.05  # (3 % and 0.2 % when written: clusters forgotten while a stored state shares them)
    monkeypatch.setattr(KubeSystem, "forget", None)  # forget_fn then finds no hook
    workers, transitions, _ = _run(BUILDERS["rollout_small"]("write"), 2)
    assert (sum(len(w.seen) for w in workers), transitions) == GOLDEN[key][:2]
    assert all(w.forget is None for w in workers)
    assert min(foreign(workers)) > 0.3  # (42 % when written: every successor a worker sent away)


def test_batches_in_small_chunks_and_a_small_known_store_the_same_states_with_the_same_parents(monkeypatch: Any) -> None:
    """A batch is pickled a chunk at a time as the successors are routed (``CHUNK``), and ``known`` is
    bounded within a level (``KNOWN_CAP``): with both tiny (many chunks per batch, ``known`` cleared
    mid-level, so duplicates are sent again), every worker stores the same states under the same local
    indices with the same parents as with the defaults: the owner keeps the first arrival, in the
    senders' order, chunk after chunk."""
    system = BUILDERS["rollout_small"]("write")
    ref, transitions, _ = _run(system, 2)
    monkeypatch.setattr(_worker, "CHUNK", 2)
    monkeypatch.setattr(_worker, "KNOWN_CAP", 3)
    small, transitions2, _ = _run(system, 2)
    assert transitions2 == transitions and (sum(len(w.seen) for w in small), transitions) == GOLDEN[("rollout_small", "write", False)][:2]
    for a, b in zip(ref, small):
        assert a.seen == b.seen and a.parents == b.parents
        assert [lid for lid, _ in a.frontier] == [lid for lid, _ in b.frontier]
