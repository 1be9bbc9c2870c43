"""Private: the driver of the distributed BFS (imports Ray)."""

from __future__ import annotations

import time
from typing import Any

from kubecheck.core.verdict import Distribution, ExplorationResult

from . import ENGINE, RAY_MISSING, DistributedStats, WorkerLost, _result_for, _stats
from ._worker import Worker, portable_canonical


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


def run(system: Any, props: list[Any], inits: list[Any], n: int, address: str | None, symmetry: bool, max_depth: int | None,
        max_states: int | None, timeout: float | None, max_memory: int | None, on_level: Any) -> tuple[ExplorationResult, DistributedStats]:
    ray = connect(address)
    t0 = time.perf_counter()
    deadline = None if timeout is None else t0 + timeout
    handles = _workers(ray, n)
    sys_ref, props_ref = ray.put(system), ray.put(props)
    found: dict[int, Any] = {}
    states = transitions = depth = levels = sent = remote = generated = 0
    level_seconds: list[float] = []
    sync: list[float] = []
    complete = False
    bound_hit: str | None = None
    lost: str | None = None
    stored: list[int] = [0] * n
    cpu: list[float] = []
    thread_cpu: list[float] = []
    rss: list[tuple[int, int]] = []

    def get(refs: Any) -> Any:
        try:
            return ray.get(refs)
        except ray.exceptions.RayError as exc:  # an actor died, an object was lost, a worker raised
            raise WorkerLost(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}") from exc

    def merge(reports: list[dict[str, Any]]) -> None:
        for r in reports:  # the lowest worker index first: deterministic for a given partition
            for i, f in r["found"].items():
                found.setdefault(i, f)

    try:
        try:
            ray.get([h.start.remote(sys_ref, props_ref, symmetry, max_memory) for h in handles], timeout=START_TIMEOUT)
        except ray.exceptions.GetTimeoutError:
            raise WorkerLost(f"{n} workers did not start within {START_TIMEOUT:.0f} s (does the Ray cluster have "
                             f"{n} free CPUs? it has {ray.cluster_resources().get('CPU', 0):.0f})") from None
        except ray.exceptions.RayError as exc:
            raise WorkerLost(f"{type(exc).__name__} while starting the workers") from exc
        states = new = sum(get([h.seed.remote(part) for h, part in zip(handles, _partition(system, inits, n, symmetry))]))
        while True:
            if not new:
                complete = True
                break
            if len(found) == len(props):
                break  # every property decided (complete stays False, no bound hit), as the explorer does
            if deadline is not None and time.perf_counter() >= deadline:
                bound_hit = "timeout"
                break
            probe = max_depth is not None and depth >= max_depth
            lt = time.perf_counter()
            left = None if deadline is None else max(0.0, deadline - lt)
            decided = set(found)
            outs = [h.expand.options(num_returns=n + 1).remote(left, decided) for h in handles]
            figures = get([o[n] for o in outs])
            ins = get([handles[j].insert.remote(probe, *[outs[i][j] for i in range(n)]) for j in range(n)])
            wall = time.perf_counter() - lt
            levels += 1
            level_seconds.append(wall)
            slowest = max(f["busy"] + r["busy"] for f, r in zip(figures, ins))
            sync.append(max(0.0, wall - slowest))
            transitions += sum(f["transitions"] for f in figures)
            sent += sum(f["bytes"] for f in figures)
            remote += sum(f["remote"] for f in figures)
            generated += sum(f["generated"] for f in figures)
            merge(figures)
            merge(ins)
            cut = next((f["cut"] for f in figures if f["cut"]), None)
            new = sum(r["new"] for r in ins)
            stored = [r["new"] for r in ins]
            if probe:
                if cut is not None:
                    bound_hit = cut
                elif sum(r["unseen"] for r in ins):
                    bound_hit = "max_depth"
                else:
                    complete = True
                break
            states += new
            if new:
                depth += 1
            if on_level is not None:
                on_level(depth, handles)
            if cut is not None:
                bound_hit = cut
                break
            if max_states is not None and states > max_states:
                bound_hit = "max_states"
                break
        final = get([h.insert.remote(True) for h in handles])  # the stored counts (nothing to insert)
        stored = [r["stored"] for r in final]
        cpu = [r["cpu"] for r in final]
        thread_cpu = [r["thread_cpu"] for r in final]
        rss = [(r["rss_start"], r["rss_peak"]) for r in final]
    except WorkerLost as exc:
        lost = (f"a worker of the distributed search was lost ({exc}); the search is incomplete: nothing is claimed "
                "(rerun, or run without --ray)")
        complete = False
    except KeyboardInterrupt:
        bound_hit = "interrupted"
        complete = False

    def path_of(where: tuple[int, int]) -> tuple[int, tuple[int, ...]]:
        w, lid = where
        positions: list[int] = []
        while True:
            pw, plid, pos = get(handles[w].parent.remote(lid))
            if pw < 0:
                return plid, tuple(reversed(positions))
            positions.append(pos)
            w, lid = pw, plid

    bounds = _bounds(symmetry, max_depth, max_states, timeout, max_memory, n)
    try:
        results = []
        for i, p in enumerate(props):
            try:
                results.append(_result_for(system, p, found.get(i), complete, bound_hit, states, transitions, depth, bounds, path_of, lost))
            except WorkerLost as exc:  # the worker holding the path died after the search
                from kubecheck.core.verdict import PropertyResult, Verdict

                results.append(PropertyResult(p, Verdict.ERROR, None, None, f"a worker was lost while its trace was read back ({exc})"))
    finally:
        if lost is not None or bound_hit == "interrupted":
            _discard(ray, n)
        else:
            try:
                ray.get([h.clear.remote() for h in handles])
            except ray.exceptions.RayError:
                _discard(ray, n)
    seconds = time.perf_counter() - t0
    stats = _stats(states, transitions, depth, seconds)
    reductions = ("symmetry",) if symmetry else ()
    dist = DistributedStats(
        workers=n,
        states_per_worker=tuple(stored),
        states_per_second_per_worker=states / seconds / n if seconds > 0 else 0.0,
        bytes_exchanged=sent,
        bytes_per_state=sent / states if states else 0.0,
        levels=levels,
        sync_seconds_per_level=sum(sync) / len(sync) if sync else 0.0,
        remote_fraction=remote / generated if generated else 0.0,
        level_seconds=tuple(level_seconds),
        cpu_seconds_per_worker=tuple(thread_cpu),
        process_cpu_seconds_per_worker=tuple(cpu),
        rss_start_per_worker=tuple(a for a, _ in rss),
        rss_peak_per_worker=tuple(b for _, b in rss),
    )
    return ExplorationResult(tuple(results), stats, reductions, complete and lost is None, bound_hit if lost is None else "worker lost",
                             distribution=Distribution(n, dist.states_per_second_per_worker)), dist


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
    """The initial states per owner (the same fingerprint of the key as the workers use)."""
    from kubecheck.core.explorer import fingerprint_fn

    fp = fingerprint_fn(64)
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
