"""Private: one worker of the distributed BFS (a plain class; the driver makes it a Ray actor)."""

from __future__ import annotations

import pickle
import time
from typing import Any

from kubecheck.core.judge import Outcome, judge_deadlock, judge_state, judge_step
from kubecheck.core.properties import PropertyKind
from kubecheck.core.ts import expects_progress_fn, successors_fn

#: Expansions between two checks of the clock and the RSS inside a level.
CHECK_EVERY = 64

# A found property: (outcome, (worker, local index) of the state, successor position or None, note)
Found = tuple[Outcome, tuple[int, int], "int | None", str]


def portable_canonical(system: Any) -> Any:
    """The symmetry key the workers share: ``system.representative`` when the system has one (a
    ``canonical`` key may be comparable only within one process, as ``KubeSystem``'s interned
    tokens are), else ``system.canonical``, which must then be comparable across processes."""
    rep = getattr(system, "representative", None)
    return rep if rep is not None else system.canonical


class Worker:
    """Holds the part ``hash(key) % n == index`` of the visited set, and its frontier."""

    def __init__(self, index: int, n: int) -> None:
        self.index, self.n = index, n
        self.clear()

    def clear(self) -> None:
        """Forget the last search (its visited set, frontier and system)."""
        self.system: Any = None
        self.props: list[Any] = []
        self.seen: dict[Any, int] = {}
        #: per local index: (parent's worker, parent's local index, successor position); a root: (-1, init index, -1)
        self.parents: list[tuple[int, int, int]] = []
        self.frontier: list[tuple[int, Any]] = []
        self.found: dict[int, Found] = {}
        self.decided: set[int] = set()
        self._local: list[Any] = []
        self.memory: Any = None
        self.busy = 0.0
        self.expanded = 0

    def start(self, system: Any, props: list[Any], symmetry: bool, max_memory: int | None) -> int:
        """Set up a new search; this worker's process id."""
        import os

        from kubecheck.core.explorer import MemoryGuard, fingerprint_fn

        self.clear()
        self.system = system
        self.props = props
        self.succ = successors_fn(system)
        self.canon = portable_canonical(system) if symmetry else None
        self.progress = expects_progress_fn(system)
        #: the owner of a key: a stable 64-bit fingerprint (``hash()`` differs between processes: strings
        #: are salted, and before Python 3.12 ``hash(None)`` is an address)
        self.fp = fingerprint_fn(64)
        self.state_props = [(i, p) for i, p in enumerate(props) if p.kind in (PropertyKind.INVARIANT, PropertyKind.SOMETIMES)]
        self.action_props = [(i, p) for i, p in enumerate(props) if p.kind is PropertyKind.ACTION]
        self.deadlock = [i for i, p in enumerate(props) if p.kind is PropertyKind.DEADLOCK]
        if max_memory is not None:
            self.memory = MemoryGuard(max_memory)
        return os.getpid()

    def _judge_new(self, lid: int, state: Any) -> None:
        for i, p in self.state_props:
            if i in self.found or i in self.decided:
                continue
            j = judge_state(p, state)
            if j.outcome.decides:
                self.found[i] = (j.outcome, (self.index, lid), None, j.note or "")

    def seed(self, inits: list[tuple[int, Any]]) -> int:
        """Store the initial states this worker owns (the driver sends only those); the number stored."""
        new = 0
        for i, s in inits:
            key = self.canon(s) if self.canon is not None else s
            if key in self.seen:
                continue
            lid = len(self.parents)
            self.parents.append((-1, i, -1))
            self.seen[key] = lid
            self.frontier.append((lid, s))
            self._judge_new(lid, s)
            new += 1
        return new

    def expand(self, seconds_left: float | None, decided: set[int]) -> list[Any]:
        """Expand the frontier: one pickled batch per other worker (``b""`` for itself: kept here) and,
        last, this level's figures."""
        t0 = time.perf_counter()
        self.decided |= decided
        deadline = None if seconds_left is None else t0 + seconds_left
        n, me, canon, fp = self.n, self.index, self.canon, self.fp
        out: list[list[Any]] = [[] for _ in range(n)]
        transitions = remote = 0
        cut = None
        dl = self.deadlock[0] if self.deadlock else None
        for count, (lid, s) in enumerate(self.frontier):
            if count % CHECK_EVERY == CHECK_EVERY - 1:
                if deadline is not None and time.perf_counter() >= deadline:
                    cut = "timeout"
                    break
                if self.memory is not None and self.memory.check(self.expanded + count, len(self.seen) * 64) is not None:
                    cut = "max_memory"
                    break
            succ = self.succ(s)
            if type(succ) is not list:
                succ = list(succ)
            transitions += len(succ)
            if not succ and dl is not None and dl not in self.found and dl not in self.decided:
                if judge_deadlock(False, self.progress, s).decides:
                    self.found[dl] = (Outcome.VIOLATION, (me, lid), None, "no action is enabled")
            for pos, (a, t) in enumerate(succ):
                for i, p in self.action_props:
                    if i in self.found or i in self.decided:
                        continue
                    verdict = judge_step(p, s, a, t)
                    if verdict.outcome.decides:
                        self.found[i] = (verdict.outcome, (me, lid), pos, verdict.note or "")
                if canon is None:
                    out[fp(t) % n].append((t, lid, pos))
                else:
                    key = canon(t)
                    out[fp(key) % n].append((key, t, lid, pos))
        self.expanded += len(self.frontier)
        self._local = out[me]
        sent = 0
        batches: list[Any] = []
        for j in range(n):
            if j == me:
                batches.append(b"")
                continue
            remote += len(out[j])
            data = pickle.dumps(out[j], protocol=pickle.HIGHEST_PROTOCOL) if out[j] else b""
            sent += len(data)
            batches.append(data)
        busy = time.perf_counter() - t0
        self.busy += busy
        generated = sum(len(b) for b in out)
        batches.append({"transitions": transitions, "bytes": sent, "remote": remote, "generated": generated, "busy": busy,
                        "cut": cut, "found": dict(self.found)})
        return batches

    def insert(self, probe: bool, *batches: bytes) -> dict[str, Any]:
        """Insert the successors sent to this worker (in the senders' order); with ``probe``, only count
        the ones not yet stored (the level past ``max_depth``)."""
        t0 = time.perf_counter()
        frontier: list[tuple[int, Any]] = []
        unseen = 0
        seen, parents, canon = self.seen, self.parents, self.canon
        for src, data in enumerate(batches):
            items = self._local if src == self.index else (pickle.loads(data) if data else [])
            for item in items:
                if canon is None:
                    t, plid, pos = item
                    key = t
                else:
                    key, t, plid, pos = item
                if key in seen:
                    continue
                if probe:
                    unseen += 1
                    continue
                lid = len(parents)
                parents.append((src, plid, pos))
                seen[key] = lid
                frontier.append((lid, t))
                self._judge_new(lid, t)
        self._local = []
        if not probe:
            self.frontier = frontier
        busy = time.perf_counter() - t0
        self.busy += busy
        return {"new": len(frontier), "unseen": unseen, "busy": busy, "found": dict(self.found), "stored": len(seen)}

    def parent(self, lid: int) -> tuple[int, int, int]:
        return self.parents[lid]
