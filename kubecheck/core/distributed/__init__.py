"""Distributed level-synchronous BFS on Ray (issue 22; the optional extra ``kubecheck[ray]``).

:func:`explore_distributed` explores any ``TransitionSystem`` with ``workers`` Ray actors and decides
its safety properties (invariants, ``sometimes``, action properties, deadlock) exactly as
:func:`kubecheck.core.explorer.explore` does: the same distinct states, transitions, depth and
verdicts on a complete search (``tests/distributed``).  Ray is imported only when it runs.

* **Partition**: a state belongs to the worker ``fp(key) % workers``, where the key is the state
  (or ``system.canonical(state)`` with symmetry, the same representative as the explorer) and
  ``fp`` a hash that is the same in every process (:func:`routing_fn`): the system's own
  ``stable_hash`` when it has one (:func:`kubecheck.core.ts.stable_hash_fn`; the Kubernetes model
  keeps it per hash-consed object, so a successor hashes only what its step made), else the
  explorer's stable 64-bit fingerprint (BLAKE2b over a canonical encoding).  Not ``hash()``: it
  differs between processes (strings are salted, and before Python 3.12 ``hash(None)`` is an
  address), and workers that disagree on owners would store a state twice or never.  The owner
  holds that part of the visited set (the states or keys themselves: no fingerprint collisions,
  the hash only routes).
* **Memory**: a worker holds its part of the visited set and bounded caches; what it generated and
  sent away it forgets (``system.forget``, :func:`kubecheck.core.ts.forget_fn`: the model's
  hash-consing table would otherwise keep every successor the worker made).
* **Levels**: the driver asks every worker to expand its frontier (depth d); each sends the
  successors it generated to their owners in one batch per destination (pickled bytes through
  Ray's object store; the ones it owns itself stay local), pickled in chunks of ``CHUNK`` successors
  as they are routed and forgotten at once; then every owner inserts its batches a chunk at a time
  (so neither side holds a level's worth of remote successors at once),
  judges the new states' invariants, and keeps the new ones as its frontier of depth d + 1.  The
  exchange is synchronous per level: a level ends when every worker has inserted.  The driver
  submits the next level's expansion right behind the inserts (an actor runs its calls in order),
  so a level costs one round trip; when it then stops, that expansion is never read (and when the
  level may pass ``max_states``, it is not submitted: the widest level's successors for nothing).
* **What a batch carries** (the per-state cost of a remote state is the point: a state built in
  another process shares no object with the receiver's, and a model whose caches compare by
  identity would expand it cold):

  - an object sent to a worker for the second time goes as a number (``persistent_id``), and the
    receiver gets back the object it made of it the first time; an object the receiver numbers is
    interned first (``system.intern``, :func:`kubecheck.core.ts.intern_fn`), so arrivals are made of
    the receiver's own hash-consed objects.  Both sides forget beyond ``SHARE_CAP // (workers - 1)``
    numbers per pair (``SHARE_CAP`` per worker in all, whatever the number of workers);
  - what the system learned this level (``system.learned()``, given to the others'
    ``system.learn``: the Kubernetes model's memoised controller syncs), so a worker does not run
    again a sync another worker ran;
  - not the successors this worker already stored or routed this level or recently (``KNOWN_CAP``):
    their owner has them, or gets them in this level's batch.  The first occurrence is the one
    kept, as the owner would keep it, so parents (and traces) are the same.
* **Parent pointers**: each stored state keeps (parent's worker, parent's index, successor
  position); a counterexample's path is read back from the owners and replayed from the initial
  state on the driver (:func:`kubecheck.core.trace.replay_positions`), so every step is a real step,
  as in the explorer's traces.
* **Bounds**: ``max_depth`` (the last level is expanded only to learn whether the bound hid a
  state, and for deadlocks), ``max_states`` (checked per level: the count may pass it by up to one
  level), ``timeout`` (wall, per level and inside each worker's expansion), ``max_memory`` (each
  worker's own RSS).  A cut search is HOLDS_WITHIN_BOUNDS, never HOLDS.
* **Faults**: a worker that dies (``RayActorError``, a lost object) makes every undecided property
  ERROR with the reason: never HOLDS.  Ctrl-C stops every worker (the actors are killed).
* **Refused**: eventual properties (``<>[]P``, ``[]<>P``): they need the fair-cycle analysis over the
  whole state graph, and lasso detection across workers is not implemented.  Fingerprints (hash
  compaction) are refused too: the workers store the states (or their canonical keys).

``DistributedStats`` (returned beside the ``ExplorationResult``) says how many workers ran, the
states per second per worker, the bytes exchanged per state, the per-level synchronisation cost,
and each worker's CPU seconds and memory; the ``ExplorationResult`` itself carries the workers and
their states/s as its ``distribution`` (what the outputs print).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.judge import Outcome
from kubecheck.core.properties import DEADLOCK_FREEDOM, Property, PropertyKind, validate_properties
from kubecheck.core.reductions import symmetry_refusal
from kubecheck.core.trace import Trace, replay_positions
from kubecheck.core.verdict import ExplorationResult, PropertyResult, Stats, Verdict

from ._worker import Worker, _rss_now as rss_now, routing_fn  # the plain worker class (benchmarks run it in process); no Ray

__all__ = ["explore_distributed", "DistributedStats", "WorkerLost", "ray_available", "connect_ray", "release_workers", "RAY_MISSING",
           "Worker", "rss_now", "routing_fn"]
#: The message when Ray is asked for and not installed.
RAY_MISSING = "Ray is not installed: pip install 'kubecheck[ray]' (or pip install ray)"
#: The engine name in traces and bounds.
ENGINE = "distributed-bfs"


class WorkerLost(Exception):
    """A worker died or its results were lost: the search is ERROR."""


def connect_ray(address: str | None) -> Any:
    """The ``ray`` module, connected: ``None``/``"auto"`` the instance this process already started, or
    a local one started here; anything else a cluster address.  :class:`InvalidScenario` without Ray."""
    from . import _driver

    return _driver.connect(address)


def release_workers() -> None:
    """Kill the workers this process keeps for the next search (the next one starts new ones)."""
    from . import _driver

    ray = _driver.connect(None)
    for n in list(_driver._POOL):
        _driver._discard(ray, n)


def ray_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


@dataclass(frozen=True, slots=True)
class DistributedStats:
    """What the distributed search cost: per worker and per level."""

    workers: int
    #: distinct states stored by each worker (the partition's balance)
    states_per_worker: tuple[int, ...]
    #: states per wall second of the whole search, divided by the workers
    states_per_second_per_worker: float
    #: bytes of successor batches sent between workers (pickled), and per distinct state
    bytes_exchanged: int
    bytes_per_state: float
    #: levels run, and the wall seconds per level beyond the slowest worker's own work (barrier,
    #: scheduling, object transfer): the synchronisation cost
    levels: int
    sync_seconds_per_level: float
    #: successors generated that another worker owns / all successors generated
    remote_fraction: float
    level_seconds: tuple[float, ...] = field(default=(), repr=False)
    #: CPU seconds each worker's search thread spent expanding and inserting (load-independent, unlike
    #: the wall figures), and the worker process's CPU seconds over the same calls (with Ray's own threads)
    cpu_seconds_per_worker: tuple[float, ...] = ()
    process_cpu_seconds_per_worker: tuple[float, ...] = ()
    #: each worker's RSS when the search started and its peak during the search (bytes; on Linux the
    #: peak is reset at the start, elsewhere it is the process's own and may come from an earlier search)
    rss_start_per_worker: tuple[int, ...] = ()
    rss_peak_per_worker: tuple[int, ...] = ()


def _refuse(props: list[Property], symmetry: bool) -> None:
    for p in props:
        if p.kind.is_eventual:
            raise InvalidScenario(
                f"{p.rule_id}: {p.kind.value} properties are not supported by the distributed search (--ray): they "
                "need the fair-cycle analysis over the whole state graph, and lasso detection across workers is not "
                "implemented; run them without --ray, or with --ray --workers 1 (each search one Ray task)")
        if symmetry:
            refused = symmetry_refusal(p)
            if refused is not None:
                raise refused


def explore_distributed(
    system: Any,
    properties: Iterable[Property] = (),
    *,
    workers: int = 2,
    address: str | None = None,
    symmetry: bool = False,
    max_depth: int | None = None,
    max_states: int | None = None,
    timeout: float | None = None,
    max_memory: int | None = None,
    check_deadlock: bool = False,
    _on_level: Any = None,
) -> tuple[ExplorationResult, DistributedStats]:
    """Explore ``system`` with ``workers`` Ray actors (see the module docstring).

    ``address``: ``None`` or ``"auto"`` connects to the Ray instance this process already started or
    starts a local one (``ray.init()``); anything else is a cluster address (``ray://host:10001``,
    ``host:6379``).  ``_on_level(depth, handles)`` is called after each level (tests kill a worker there).
    """
    props = list(properties)
    validate_properties(props, "explore_distributed()")
    _refuse(props, symmetry)
    if not isinstance(workers, int) or workers < 1:
        raise InvalidScenario(f"workers must be a positive integer, got {workers!r}")
    if check_deadlock:
        props.append(DEADLOCK_FREEDOM)
    inits = list(system.init_states())
    if not inits:
        raise InvalidScenario(f"{type(system).__name__}.init_states() returned no state; nothing to explore")
    if symmetry:
        own = getattr(type(system), "canonical", None)
        if own is None:
            raise InvalidScenario(f"symmetry=True but {type(system).__name__} defines no canonical(state)")
    from . import _driver

    return _driver.run(system, props, inits, workers, address, symmetry, max_depth, max_states, timeout, max_memory, _on_level)


def _result_for(system: Any, prop: Property, found: Any, complete: bool, bound_hit: str | None, states: int, transitions: int,
                depth: int, bounds: tuple[tuple[str, Any], ...], path_of: Any, lost: str | None) -> PropertyResult:
    """The verdict on one property from what the workers found (the explorer's ``_result``, distributed)."""
    if found is not None:
        outcome, where, extra, note = found
        trace = None
        if where is not None:
            init_index, positions = path_of(where)
            if extra is not None:
                positions = positions + (extra,)
            initial, steps = replay_positions(system, init_index, positions)
            trace = Trace(initial, tuple(steps), prop.rule_id, prop.name, None, ENGINE, bounds, init_index)
        if outcome is Outcome.ERROR:
            return PropertyResult(prop, Verdict.ERROR, trace, None, note)
        if outcome is Outcome.EXAMPLE:
            return PropertyResult(prop, Verdict.HOLDS, trace, None, "example found: a reachable state satisfies it")
        return PropertyResult(prop, Verdict.VIOLATED, trace, None, note)
    if lost is not None:
        return PropertyResult(prop, Verdict.ERROR, None, None, lost)
    if complete:
        if prop.kind is PropertyKind.SOMETIMES:
            return PropertyResult(prop, Verdict.VIOLATED, None, None, "exhaustive search: no reachable state satisfies it")
        return PropertyResult(prop, Verdict.HOLDS, None, None, f"exhaustive: {states} states, {transitions} transitions")
    hit = bound_hit or "interrupted"
    note = (f"search cut by {hit}: covered {states} distinct states and {transitions} transitions up to depth {depth}; "
            "states beyond were not explored")
    if prop.kind is PropertyKind.SOMETIMES:
        note = "inconclusive: no example found, and " + note
    return PropertyResult(prop, Verdict.HOLDS_WITHIN_BOUNDS, None, hit, note)


def _stats(states: int, transitions: int, depth: int, seconds: float) -> Stats:
    from kubecheck.core.explorer import peak_rss

    return Stats(states, transitions, depth, seconds, states / seconds if seconds > 0 else float("inf"), peak_rss())

