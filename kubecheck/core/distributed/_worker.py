"""Private: one worker of the distributed BFS (a plain class; the driver makes it a Ray actor)."""

from __future__ import annotations

import gc
import pickle
from array import array
import time
from typing import Any

from kubecheck.core.judge import Outcome, judge_deadlock, judge_state, judge_step
from kubecheck.core.properties import PropertyKind
from kubecheck.core.ts import expects_progress_fn, forget_fn, intern_fn, stable_hash_fn, successors_fn

#: Expansions between two checks of the clock and the RSS inside a level.
CHECK_EVERY = 64
#: Entries of the routing fingerprint's identity memo (:class:`kubecheck.core.explorer._fingerprint.Encoder`):
#: successors share most objects with their parent, and the worker's objects are hash-consed
#: (``system.intern``), so a memo that spans a few hundred states re-encodes only what a step changed.
#: About 200 bytes an entry: a constant of the worker's memory.
FP_MEMO = 1 << 14

#: Objects a worker remembers having sent to the other workers, all together (and the receivers
#: remember having received from it): ``SHARE_CAP // (n - 1)`` per other worker, beyond which both
#: sides forget them.  Shared out, not per pair: with a cap per pair each worker's tables would grow
#: with the number of workers (about 45 MiB per other worker at 65,536 objects each way), and the
#: memory per worker would not be a constant plus its part of the visited set.  16,384, not 65,536: on a
#: 105,291-state search 116 bytes per state instead of 114, for a quarter of the tables (about 12 MiB
#: instead of 50 at their cap, reached after about 30,000 states instead of 130,000; docs/performance.md).
SHARE_CAP = 1 << 14
#: Keys a worker remembers having routed (so as not to fingerprint and send them again); beyond, it
#: forgets them, within a level too (a constant of its memory: a remote key is a successor that only
#: this table keeps alive once its chunk has left).
KNOWN_CAP = 1 << 13
#: Successors per chunk of a batch: a worker pickles (and forgets) what it routed to another worker
#: every ``CHUNK`` successors, and the owner unpickles and inserts a chunk at a time, so neither holds
#: a level's worth of remote successors at once (a level grows with the search: tens of thousands of
#: states on a few hundred thousand).
CHUNK = 1 << 10
#: Types never sent by reference: cheaper inline than a reference.
_INLINE = frozenset({int, float, bool, str, bytes, type(None), tuple, list, dict, frozenset, set, type})

# A found property: (outcome, (worker, local index) of the state, successor position or None, note)
Found = tuple[Outcome, tuple[int, int], "int | None", str]


def share_cap(n: int) -> int:
    """The numbered objects a worker of ``n`` remembers per other worker (each way): :data:`SHARE_CAP`
    shared out among the others, so the total per worker does not grow with ``n``."""
    return max(1, SHARE_CAP // max(1, n - 1))


def portable_canonical(system: Any) -> Any:
    """The symmetry key the workers share: ``system.representative`` when the system has one (a
    ``canonical`` key may be comparable only within one process, as ``KubeSystem``'s interned
    tokens are), else ``system.canonical``, which must then be comparable across processes."""
    rep = getattr(system, "representative", None)
    return rep if rep is not None else system.canonical


def routing_fn(system: Any) -> Any:
    """``key -> int``: the hash whose remainder by the number of workers is a key's owner, the same in
    every process (the driver partitions the initial states by it, the workers their successors):
    ``system.stable_hash`` when the system has one (:func:`kubecheck.core.ts.stable_hash_fn`: a model
    that keeps it per object hashes only what a step changed), else a 64-bit fingerprint of the key's
    canonical encoding (BLAKE2b, with an identity memo of :data:`FP_MEMO` entries).  Not ``hash()``:
    strings are salted per process, and before Python 3.12 ``hash(None)`` is an address."""
    own = stable_hash_fn(system)
    if own is not None:
        return own
    from kubecheck.core.explorer import fingerprint_fn

    return fingerprint_fn(64, FP_MEMO)


def _rss_now() -> int:
    """This process's RSS now (``VmRSS``; 0 where unknown)."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def memory_parts() -> dict[str, int]:
    """This process's memory now by kind (bytes; Linux ``/proc/self/status``): ``VmRSS``, ``VmHWM`` (the
    peak), ``RssAnon`` (its own heap), ``RssFile`` and ``RssShmem`` (shared memory it touched, such as Ray's
    object store: counted in its RSS, not its own)."""
    out: dict[str, int] = {}
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                name, _, rest = line.partition(b":")
                if name in (b"VmRSS", b"VmHWM", b"RssAnon", b"RssFile", b"RssShmem"):
                    out[name.decode()] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return out


def _peak_rss() -> int:
    from kubecheck.core.explorer import peak_rss

    return peak_rss()


class _SharingPickler(pickle.Pickler):
    """Pickles a batch for one destination, sending every object that destination already holds as
    its number (``persistent_id``): successors share most of their objects with states sent before,
    so a batch carries what is new, and the receiver gets back its own (interned) objects for the
    rest.  ``table`` maps ``id(obj)`` to ``(obj, number)`` (holding ``obj``: an ``id`` is never reused
    while remembered); an object sent for the first time goes inline as ``(number, obj)``."""

    def __init__(self, file: Any, table: dict[int, tuple[Any, int]], tops: set[int], once: set[int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.table = table
        self.tops = tops  # the batch's states: new in every batch, never remembered
        self.once = once  # the ids of the objects sent once (inline, without a number)
        self.inline: set[int] = set()

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) in _INLINE:
            return None
        i = id(obj)
        if i in self.inline:  # the object itself, inside its own (number, obj) reference
            self.inline.discard(i)
            return None
        hit = self.table.get(i)
        if hit is not None:
            return hit[1]
        if i in self.tops:
            return None
        if i not in self.once:
            # The first time: inline and not remembered (a value of one state only, such as its
            # cluster, would hold memory for nothing); the second time it gets a number.  Only the
            # id is kept: if it is reused by another object, that one is merely numbered early.
            self.once.add(i)
            return None
        number = len(self.table)
        self.table[i] = (obj, number)
        self.inline.add(i)
        return (number, obj)


class _SharingUnpickler(pickle.Unpickler):
    """The receiving side of :class:`_SharingPickler`: ``table`` maps numbers to this worker's objects;
    an object received for the first time is interned (``system.intern``) before it is remembered."""

    def __init__(self, file: Any, table: dict[int, Any], intern: Any) -> None:
        super().__init__(file)
        self.table = table
        self.intern = intern

    def persistent_load(self, pid: Any) -> Any:
        if type(pid) is int:
            return self.table[pid]
        number, obj = pid
        obj = self.table[number] = self.intern(obj)
        return obj


class Worker:
    """Holds the part ``hash(key) % n == index`` of the visited set, and its frontier."""

    def __init__(self, index: int, n: int) -> None:
        self.index, self.n = index, n
        self.clear()

    def clear(self) -> None:
        """Forget the last search (its visited set, frontier and system)."""
        self.system: Any = None
        self.props: list[Any] = []
        #: the stored keys (a set: a state's local index is its position in insertion order, kept only in
        #: ``parents`` and the frontier, so no int object per state)
        self.seen: set[Any] = set()
        #: per local index, three machine ints (24 bytes a state, not a tuple of Python ints: ~100): the
        #: parent's worker, the parent's local index, the successor position; a root: -1, init index, -1
        self.parents = array("q")
        self.frontier: list[tuple[int, Any]] = []
        self.found: dict[int, Found] = {}
        self.decided: set[int] = set()
        self._local: list[Any] = []
        #: per other worker: what was sent to it (id -> (object, number)), and received from it (number -> object)
        self.sent: dict[int, dict[int, tuple[Any, int]]] = {}
        #: the keys this worker routed (sent, or kept for itself) since it last forgot them: each is stored
        #: by its owner by now (or at the end of this level)
        self.known: dict[Any, int] = {}  # key -> its owner
        self.received: dict[int, dict[int, Any]] = {}
        self.once: dict[int, set[int]] = {}
        self.memory: Any = None
        self.share_cap = share_cap(self.n)
        self.busy = 0.0
        self.cpu = 0.0
        self.thread_cpu = 0.0
        self.expanded = 0
        self._routed = 0
        self.rss_start = 0

    def start(self, system: Any, props: list[Any], symmetry: bool, max_memory: int | None) -> int:
        """Set up a new search; this worker's process id."""
        import os

        from kubecheck.core.explorer import MemoryGuard

        self.clear()
        gc.unfreeze()  # the last search's objects (frozen level by level): collectable again
        gc.collect()
        gc.freeze()  # Ray's own objects (and the model's modules) out of every later collection's walk
        self.system = system
        self.props = props
        self.succ = successors_fn(system)
        self.canon = portable_canonical(system) if symmetry else None
        self.progress = expects_progress_fn(system)
        self.intern = intern_fn(system)
        #: what the system may drop for a state sent away (its hash-consing of it): only with other workers
        self.forget: Any = forget_fn(system) if self.n > 1 else None
        #: what the system learned (its memo entries) and takes from the other workers, if it can
        learned: Any = getattr(system, "learned", None)
        learn: Any = getattr(system, "learn", None)
        both = learned is not None and learn is not None and self.n > 1
        self.learned: Any = learned if both else None
        self.learn: Any = learn if both else None
        if self.learned is not None:
            self.learned()  # start recording
        #: the owner of a key: its routing hash (:func:`routing_fn`) modulo n; one worker owns everything
        self.fp = routing_fn(system) if self.n > 1 else (lambda key: 0)
        self.share_cap = share_cap(self.n)
        self.state_props = [(i, p) for i, p in enumerate(props) if p.kind in (PropertyKind.INVARIANT, PropertyKind.SOMETIMES)]
        self.action_props = [(i, p) for i, p in enumerate(props) if p.kind is PropertyKind.ACTION]
        self.deadlock = [i for i, p in enumerate(props) if p.kind is PropertyKind.DEADLOCK]
        if max_memory is not None:
            self.memory = MemoryGuard(max_memory)
        try:  # Linux: reset the peak RSS (VmHWM) to the RSS now, so the peak reported is this search's
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass
        self.rss_start = _rss_now()
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
            s = self.intern(s)  # built by the driver
            key = self.canon(s) if self.canon is not None else s
            if key in self.seen:
                continue
            lid = len(self.parents) // 3
            self.parents.extend((-1, i, -1))
            self.seen.add(key)
            self.frontier.append((lid, s))
            self._judge_new(lid, s)
            new += 1
        return new

    def expand(self, seconds_left: float | None, decided: set[int]) -> list[Any]:
        """Expand the frontier: one pickled batch per other worker (``b""`` for itself: kept here), made of
        chunks of at most :data:`CHUNK` successors pickled as they fill, and, last, this level's figures."""
        t0, c0, h0 = time.perf_counter(), time.process_time(), time.thread_time()
        self.decided |= decided
        deadline = None if seconds_left is None else t0 + seconds_left
        n, me, canon, fp = self.n, self.index, self.canon, self.fp
        out: list[list[Any]] = [[] for _ in range(n)]
        transitions = 0
        cut = None
        dl = self.deadlock[0] if self.deadlock else None
        seen, known, forget = self.seen, self.known, self.forget
        #: per destination, the chunks pickled so far this level (each with its length before it)
        chunks: list[list[bytes]] = [[] for _ in range(n)]
        remote = 0
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
                key = t if canon is None else canon(t)
                # Known already (no fingerprint, nothing sent): a state this worker owns and stored, or
                # one it sent before (its owner stored it at the end of that level).  The first
                # occurrence is the one kept, as the owner would keep it: the same parents.
                if key in seen:
                    continue
                owner = known.get(key)
                if owner is not None:
                    if owner != me and forget is not None:  # sent away before, made again here
                        forget(t)
                    continue
                if len(known) >= KNOWN_CAP:
                    known.clear()
                self._routed += 1
                owner = known[key] = fp(key) % n
                dest = out[owner]
                dest.append((t, lid, pos) if canon is None else (key, t, lid, pos))
                if owner != me and len(dest) >= CHUNK:
                    remote += len(dest)
                    self._ship(owner, dest, [], chunks[owner])
                    out[owner] = []
        self.expanded += len(self.frontier)
        self._local = out[me]
        learned = self.learned() if self.learned is not None else []
        batches: list[Any] = []
        for j in range(n):
            if j != me:
                remote += len(out[j])
                if out[j] or learned:
                    self._ship(j, out[j], learned, chunks[j])
            batches.append(b"".join(chunks[j]))
        sent = sum(map(len, batches))
        busy = time.perf_counter() - t0
        self.busy += busy
        self.cpu += time.process_time() - c0
        self.thread_cpu += time.thread_time() - h0
        generated = self._routed
        self._routed = 0
        batches.append({"transitions": transitions, "bytes": sent, "remote": remote, "generated": generated, "busy": busy,
                        "cut": cut, "found": dict(self.found)})
        return batches

    def _ship(self, j: int, items: list[Any], learned: list[Any], chunks: list[bytes]) -> None:
        """Pickle ``items`` (and ``learned``) as the next chunk for worker ``j`` (:meth:`_pickle`), then
        forget them: their owner stores them, this worker keeps nothing of them."""
        data = self._pickle(j, items, learned)
        chunks.append(len(data).to_bytes(4, "little"))
        chunks.append(data)
        forget = self.forget
        if forget is not None:
            at = 0 if self.canon is None else 1
            for item in items:
                forget(item[at])

    def _pickle(self, j: int, items: list[Any], learned: list[Any]) -> bytes:
        """A chunk for worker ``j``: a flag (the shared objects were forgotten first), then what the
        system learned this level (``system.learned()``: its memo entries; in the last chunk) and the items."""
        import io

        table = self.sent.setdefault(j, {})
        reset = len(table) >= self.share_cap
        if reset:
            table.clear()
        buf = io.BytesIO()
        buf.write(b"R" if reset else b"-")
        tops = {id(x) for item in items for x in item[:-2]}  # the states (and keys), never remembered
        once = self.once.setdefault(j, set())
        if len(once) >= self.share_cap:
            once.clear()
        _SharingPickler(buf, table, tops, once).dump((learned, items))
        return buf.getvalue()

    def _chunks(self, src: int, data: bytes) -> Any:
        """The chunks of a batch from worker ``src``, unpickled one at a time (each a list of items)."""
        view, at = memoryview(data), 0
        while at < len(data):
            size = int.from_bytes(view[at:at + 4], "little")
            yield self._unpickle(src, view[at + 4:at + 4 + size])
            at += 4 + size

    def _unpickle(self, src: int, data: Any) -> list[Any]:
        import io

        table = self.received.setdefault(src, {})
        if data[:1] == b"R":
            table.clear()
        buf = io.BytesIO(data)
        buf.seek(1)
        learned, items = _SharingUnpickler(buf, table, self.intern).load()
        if learned and self.learn is not None:
            self.learn(learned)
        return items

    def insert(self, probe: bool, *batches: bytes) -> dict[str, Any]:
        """Insert the successors sent to this worker (in the senders' order); with ``probe``, only count
        the ones not yet stored (the level past ``max_depth``)."""
        t0, c0, h0 = time.perf_counter(), time.process_time(), time.thread_time()
        frontier: list[tuple[int, Any]] = []
        unseen = 0
        seen, parents, canon, intern = self.seen, self.parents, self.canon, self.intern
        for src, data in enumerate(batches):
            remote = src != self.index
            for item in self._arrivals(src, data):
                if canon is None:
                    t, plid, pos = item
                    if remote:  # built in another process: made of this worker's own objects (system.intern)
                        t = intern(t)
                    key = t
                else:
                    key, t, plid, pos = item
                    if remote:
                        key = intern(key)
                if key in seen:
                    continue
                if remote and canon is not None:
                    t = intern(t)
                if probe:
                    unseen += 1
                    continue
                lid = len(seen)
                parents.append(src)
                parents.append(plid)
                parents.append(pos)
                seen.add(key)
                frontier.append((lid, t))
                self._judge_new(lid, t)
        self._local = []
        if not probe:
            self.frontier = frontier
            # The stored states live until the search ends: out of every later collection's walk (a
            # full collection would otherwise walk the whole visited set, again and again as it grows;
            # frozen objects are still freed by reference counting when the search is cleared).
            gc.freeze()
        busy = time.perf_counter() - t0
        self.busy += busy
        self.cpu += time.process_time() - c0
        self.thread_cpu += time.thread_time() - h0
        return {"new": len(frontier), "unseen": unseen, "busy": busy, "found": dict(self.found), "stored": len(seen),
                "cpu": self.cpu, "thread_cpu": self.thread_cpu, "rss_start": self.rss_start, "rss_peak": _peak_rss()}

    def _arrivals(self, src: int, data: bytes) -> Any:
        """The items of worker ``src``'s batch, a chunk at a time (this worker's own: the ones it kept);
        each item is let go once taken, so only what is stored outlives it."""
        if src == self.index:
            local, self._local = self._local, []
            chunks: Any = (local,)
        else:
            chunks = self._chunks(src, data)
        for items in chunks:
            items.reverse()
            while items:
                yield items.pop()

    def memory_now(self) -> dict[str, int]:
        """This worker process's memory now, by kind (:func:`memory_parts`)."""
        return memory_parts()

    def parent(self, lid: int) -> tuple[int, int, int]:
        p = self.parents
        return (p[3 * lid], p[3 * lid + 1], p[3 * lid + 2])
