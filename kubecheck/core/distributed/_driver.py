"""Private: the driver of the distributed BFS (imports Ray)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from kubecheck.core.verdict import Distribution, ExplorationResult

from . import ENGINE, RAY_MISSING, DistributedStats, WorkerLost, _result_for, _stats
from ._worker import Worker, portable_canonical, routing_fn


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        from kubecheck.core.errors import InvalidScenario

        raise InvalidScenario(RAY_MISSING) from None
    return ray


def connect(address: str | None) -> Any:
    """Connect to Ray (``None``/``"auto"``: the instance already connected, else a local one started here)."""
    ray = _ray()
    if not ray.is_initialized():
        import os

        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address not in (None, "", "auto", "local"):
            ray.init(address=address, **kwargs)
        else:
            ray.init(**kwargs)
    return ray


@dataclass
class _Search:
    """The running figures of one distributed search: what the level loop accumulates."""

    n: int
    found: dict[int, Any] = field(default_factory=dict)
    states: int = 0
    transitions: int = 0
    depth: int = 0
    levels: int = 0
    sent: int = 0
    remote: int = 0
    generated: int = 0
    level_seconds: list[float] = field(default_factory=list)
    sync: list[float] = field(default_factory=list)
    complete: bool = False
    bound_hit: str | None = None
    lost: str | None = None
    stored: list[int] = field(default_factory=list)
    #: per worker, from its last report: the search thread's and the process's CPU seconds, RSS at the start and peak
    thread_cpu: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[tuple[int, int]] = field(default_factory=list)

    def merge(self, reports: list[dict[str, Any]]) -> None:
        for r in reports:  # the lowest worker index first: deterministic for a given partition
            for i, f in r["found"].items():
                self.found.setdefault(i, f)


def run(system: Any, props: list[Any], inits: list[Any], n: int, address: str | None, symmetry: bool, max_depth: int | None,
        max_states: int | None, timeout: float | None, max_memory: int | None, on_level: Any) -> tuple[ExplorationResult, DistributedStats]:
    ray = connect(address)
    t0 = time.perf_counter()
    deadline = None if timeout is None else t0 + timeout
    handles = _workers(ray, n)
    sys_ref, props_ref = ray.put(system), ray.put(props)
    search = _Search(n, stored=[0] * n)
    try:
        _start(ray, handles, sys_ref, props_ref, symmetry, max_memory, n)
        search.states = new = sum(_get(ray, [h.seed.remote(part) for h, part in zip(handles, _partition(system, inits, n, symmetry))]))
        _level_loop(ray, handles, search, len(props), new, deadline, max_depth, max_states, on_level)
        final = _get(ray, [h.insert.remote(True) for h in handles])  # the stored counts (nothing to insert)
        search.stored = [r["stored"] for r in final]
        search.thread_cpu = [r["thread_cpu"] for r in final]
        search.cpu = [r["cpu"] for r in final]
        search.rss = [(r["rss_start"], r["rss_peak"]) for r in final]
    except WorkerLost as exc:
        search.lost = (f"a worker of the distributed search was lost ({exc}); the search is incomplete: nothing is claimed "
                       "(rerun, or run without --ray)")
        search.complete = False
    except KeyboardInterrupt:
        search.bound_hit = "interrupted"
        search.complete = False
    bounds = _bounds(symmetry, max_depth, max_states, timeout, max_memory, n)
    try:
        results = _results(ray, handles, system, props, search, bounds)
    finally:
        _release(ray, handles, search)
    seconds = time.perf_counter() - t0
    stats = _stats(search.states, search.transitions, search.depth, seconds)
    reductions = ("symmetry",) if symmetry else ()
    complete = search.complete and search.lost is None
    bound_hit = search.bound_hit if search.lost is None else "worker lost"
    dist = _distributed_stats(search, seconds)
    return (ExplorationResult(tuple(results), stats, reductions, complete, bound_hit,
                              distribution=Distribution(n, dist.states_per_second_per_worker)), dist)


def _get(ray: Any, refs: Any) -> Any:
    try:
        return ray.get(refs)
    except ray.exceptions.RayError as exc:  # an actor died, an object was lost, a worker raised
        raise WorkerLost(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}") from exc


def _start(ray: Any, handles: list[Any], sys_ref: Any, props_ref: Any, symmetry: bool, max_memory: int | None, n: int) -> None:
    """Give every worker the system and the properties (a worker that cannot start is a lost worker)."""
    try:
        ray.get([h.start.remote(sys_ref, props_ref, symmetry, max_memory) for h in handles], timeout=START_TIMEOUT)
    except ray.exceptions.GetTimeoutError:
        raise WorkerLost(f"{n} workers did not start within {START_TIMEOUT:.0f} s (does the Ray cluster have "
                         f"{n} free CPUs? it has {ray.cluster_resources().get('CPU', 0):.0f})") from None
    except ray.exceptions.RayError as exc:
        raise WorkerLost(f"{type(exc).__name__} while starting the workers") from exc


def _level_loop(ray: Any, handles: list[Any], search: _Search, n_props: int, new: int, deadline: float | None,
                max_depth: int | None, max_states: int | None, on_level: Any) -> None:
    """The BFS level loop: one level per turn, until the frontier is empty, every property is decided or a
    bound cuts the search (``search.complete`` / ``search.bound_hit`` say which).

    The next level's expansion is submitted right behind this level's inserts (each actor runs its
    calls in submission order), before the driver has read the inserts' reports: one round trip per
    level instead of two.  When the driver then stops (a bound, every property decided), that
    expansion's results are never read: its transitions are not counted and what it found is not
    merged, so the figures and verdicts are those of the levels the driver took."""
    outs: Any = None
    while True:
        if not new:
            search.complete = True
            break
        if len(search.found) == n_props:
            break  # every property decided (complete stays False, no bound hit), as the explorer does
        if deadline is not None and time.perf_counter() >= deadline:
            search.bound_hit = "timeout"
            break
        probe = max_depth is not None and search.depth >= max_depth
        if outs is None:
            outs = _expand(handles, search, deadline)
        room = None if max_states is None else max_states - search.states
        cut, ins, outs = _level(ray, handles, search, probe, deadline, outs, room)
        new = sum(r["new"] for r in ins)
        search.stored = [r["new"] for r in ins]
        if probe:
            if cut is not None:
                search.bound_hit = cut
            elif sum(r["unseen"] for r in ins):
                search.bound_hit = "max_depth"
            else:
                search.complete = True
            break
        search.states += new
        if new:
            search.depth += 1
        if on_level is not None:
            on_level(search.depth, handles)
        if cut is not None:
            search.bound_hit = cut
            break
        if max_states is not None and search.states > max_states:
            search.bound_hit = "max_states"
            break


def _expand(handles: list[Any], search: _Search, deadline: float | None) -> list[Any]:
    """Ask every worker to expand its frontier (submitted, not awaited): per worker its n batches and figures."""
    n = search.n
    left = None if deadline is None else max(0.0, deadline - time.perf_counter())
    decided = set(search.found)
    return [h.expand.options(num_returns=n + 1).remote(left, decided) for h in handles]


def _level(ray: Any, handles: list[Any], search: _Search, probe: bool, deadline: float | None,
           outs: list[Any], room: int | None = None) -> tuple[str | None, list[dict[str, Any]], list[Any] | None]:
    """One BFS level: every worker has expanded its frontier (``outs``, submitted before), then inserts
    what it was sent; the next level's expansion is submitted behind the inserts (none after a probe,
    nor when this level may pass ``max_states``: ``room`` states are left and the workers routed more
    successors than that, so the search may stop here, and an expansion it would not read would cost
    its memory and CPU for nothing: the widest level's successors, at the peak of the search).
    Returns the first worker's cut (or None), the insert reports, with the level's figures added to
    ``search``, and the next expansion."""
    n = search.n
    lt = time.perf_counter()
    figures = _get(ray, [o[n] for o in outs])
    inserts = [handles[j].insert.remote(probe, *[outs[i][j] for i in range(n)]) for j in range(n)]
    search.merge(figures)  # before the next expansion's decided set
    may_stop = room is not None and sum(f["generated"] for f in figures) > room
    after = None if probe or may_stop else _expand(handles, search, deadline)
    ins = _get(ray, inserts)
    wall = time.perf_counter() - lt
    search.levels += 1
    search.level_seconds.append(wall)
    slowest = max(f["busy"] + r["busy"] for f, r in zip(figures, ins))
    search.sync.append(max(0.0, wall - slowest))
    search.transitions += sum(f["transitions"] for f in figures)
    search.sent += sum(f["bytes"] for f in figures)
    search.remote += sum(f["remote"] for f in figures)
    search.generated += sum(f["generated"] for f in figures)
    search.merge(ins)
    return next((f["cut"] for f in figures if f["cut"]), None), ins, after


def _results(ray: Any, handles: list[Any], system: Any, props: list[Any], search: _Search,
             bounds: tuple[tuple[str, Any], ...]) -> list[Any]:
    """One result per property, its trace read back from the workers that hold its path."""

    def path_of(where: tuple[int, int]) -> tuple[int, tuple[int, ...]]:
        w, lid = where
        positions: list[int] = []
        while True:
            pw, plid, pos = _get(ray, handles[w].parent.remote(lid))
            if pw < 0:
                return plid, tuple(reversed(positions))
            positions.append(pos)
            w, lid = pw, plid

    results = []
    for i, p in enumerate(props):
        try:
            results.append(_result_for(system, p, search.found.get(i), search.complete, search.bound_hit, search.states,
                                       search.transitions, search.depth, bounds, path_of, search.lost))
        except WorkerLost as exc:  # the worker holding the path died after the search
            from kubecheck.core.verdict import PropertyResult, Verdict

            results.append(PropertyResult(p, Verdict.ERROR, None, None, f"a worker was lost while its trace was read back ({exc})"))
    return results


def _release(ray: Any, handles: list[Any], search: _Search) -> None:
    """Clear the workers for the next search, or discard them after a loss or Ctrl-C."""
    if search.lost is not None or search.bound_hit == "interrupted":
        _discard(ray, search.n)
    else:
        try:
            ray.get([h.clear.remote() for h in handles])
        except ray.exceptions.RayError:
            _discard(ray, search.n)


def _distributed_stats(search: _Search, seconds: float) -> DistributedStats:
    n, states, sent, sync = search.n, search.states, search.sent, search.sync
    return DistributedStats(
        workers=n,
        states_per_worker=tuple(search.stored),
        states_per_second_per_worker=states / seconds / n if seconds > 0 else 0.0,
        bytes_exchanged=sent,
        bytes_per_state=sent / states if states else 0.0,
        levels=search.levels,
        sync_seconds_per_level=sum(sync) / len(sync) if sync else 0.0,
        remote_fraction=search.remote / search.generated if search.generated else 0.0,
        level_seconds=tuple(search.level_seconds),
        cpu_seconds_per_worker=tuple(search.thread_cpu),
        process_cpu_seconds_per_worker=tuple(search.cpu),
        rss_start_per_worker=tuple(a for a, _ in search.rss),
        rss_peak_per_worker=tuple(b for _, b in search.rss),
    )


#: Seconds the workers may take to start (a Python process each, importing the model) before the
#: search is ERROR (a cluster without the CPUs would otherwise wait forever).
START_TIMEOUT = 180.0

#: The live workers of this process per worker count, reused by the next search (starting an actor
#: costs seconds: a Python process importing the model).
_POOL: dict[int, list[Any]] = {}


def _workers(ray: Any, n: int) -> list[Any]:
    for other in [k for k in _POOL if k != n]:  # their actors hold CPUs the new ones may need
        _discard(ray, other)
    handles = _POOL.get(n)
    if handles is None:
        cls = ray.remote(Worker).options(max_restarts=0, max_task_retries=0, num_cpus=1)
        handles = _POOL[n] = [cls.remote(i, n) for i in range(n)]
    return handles


def _discard(ray: Any, n: int) -> None:
    """Kill this process's workers for ``n`` (after a loss or Ctrl-C): the next search starts new ones."""
    for h in _POOL.pop(n, []):
        try:
            ray.kill(h)
        except Exception:  # noqa: BLE001 - already dead
            pass


def _partition(system: Any, inits: list[Any], n: int, symmetry: bool) -> list[list[tuple[int, Any]]]:
    """The initial states per owner (the same routing hash of the key as the workers use)."""
    fp = routing_fn(system)
    canon = portable_canonical(system) if symmetry else None
    parts: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
    for i, s in enumerate(inits):
        parts[fp(canon(s) if canon is not None else s) % n].append((i, s))
    return parts


def _bounds(symmetry: bool, max_depth: int | None, max_states: int | None, timeout: float | None, max_memory: int | None,
            workers: int) -> tuple[tuple[str, Any], ...]:
    out: list[tuple[str, Any]] = [("strategy", "bfs"), ("symmetry", symmetry), ("workers", workers)]
    for name, value in (("max_depth", max_depth), ("max_states", max_states), ("timeout", timeout), ("max_memory", max_memory)):
        if value is not None:
            out.append((name, value))
    return tuple(out)


_ = ENGINE
