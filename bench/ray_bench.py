"""States/s of the distributed BFS (kubecheck.core.distributed) with 1 and 2 Ray workers against the
single-process explorer, on a golden search; CPU seconds per state per worker (load-independent),
bytes exchanged per state, per-level sync cost and each worker's memory.

``python -m bench.ray_bench [--scenario rollout] [--granularity write] [--workers 1,2] [--repeat 3]``
(needs ``kubecheck[ray]``).  Every run starts new workers (the peak RSS is then the search's own).

``--memory 40000,120000``: the memory target on a larger search (``rollout_crash``: the golden
``rollout`` with one container crash, several hundred thousand states, cut at each given number of
states): each worker's RSS growth with 1 and 2 Ray workers and the single process's, then the same
cuts with the workers in this process (no Ray) and every worker's bytes split by a walk of its
objects into the visited set (the stored states, their parents and the frontier) and what its
caches hold beyond it (the controller memo, the intern tables, the routing fingerprint's memo, the
numbered objects, the known successors).

``--pair``: the machine's own ceiling for two workers, with no distribution at all: the single-process
explorer on the same search in one process alone, then in two processes at once (each the whole search),
alternately; the ratio 2 x (wall alone) / (wall of the pair) is what two perfectly independent workers
could gain over one on this machine (2.0 on two idle, unshared cores).

``--profile``: 1 and 2 workers in this process (no Ray), alternately: each worker's CPU split into
successors (with the controller-memo misses and the CPU of the syncs they ran), the routing
fingerprint, pickling, unpickling with interning and the rest, the collector's CPU, and the critical
path (per level the slowest worker).
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from kubecheck.core.distributed import explore_distributed
from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant

PROPS = [invariant("INV-1", "always true", lambda s: True)]


def rollout_crash(granularity: str) -> Any:
    """The golden ``rollout`` with one container crash (several hundred thousand states)."""
    from dataclasses import replace

    from model.environment import FaultBudget
    from model.system import KubeSystem
    from tests.model.test_golden_counts import rollout

    return KubeSystem(replace(rollout(granularity).scenario, faults=FaultBudget(container_crash=1)))


def _builder(name: str) -> Any:
    from tests.model.test_golden_counts import BUILDERS

    return rollout_crash if name == "rollout_crash" else BUILDERS[name]


def deep_size(roots: list[Any], counted: set[int]) -> int:
    """Bytes of the objects reachable from ``roots`` not in ``counted`` (ids; updated), by
    ``sys.getsizeof``; classes, modules, functions and code are left out (shared by every process)."""
    import gc
    import sys
    import types

    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType, types.MethodType)
    total, stack = 0, list(roots)
    while stack:
        obj = stack.pop()
        i = id(obj)
        if i in counted or isinstance(obj, skip):
            continue
        counted.add(i)
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def _fp_memo(worker: Any) -> Any:
    """The routing hash's memos: the system's stable hash (its strings and identity memo; the hashes
    kept in the objects' slots are counted with the visited set), or the fingerprint's encoder memo (in
    the closure of ``worker.fp``), or ``{}``."""
    own = getattr(worker.system, "__dict__", {}).get("_stable_hash")
    if own is not None:
        return [own._strs, own._memo]
    for cell in getattr(worker.fp, "__closure__", None) or ():
        enc = getattr(cell.cell_contents, "__self__", None)
        if enc is not None and hasattr(enc, "memo"):
            return enc.memo
    return {}


def breakdown(name: str, granularity: str, n: int, cut: int) -> list[dict[str, int]]:
    """``n`` workers in this process (as tests/distributed/test_workers_in_process.py runs them), the
    search stopped after the first level that passes ``cut`` states; per worker the stored states and
    the bytes of its visited set and of its caches beyond it."""
    import pickle

    from kubecheck.core.distributed import Worker, routing_fn

    system = _builder(name)(granularity)
    blob = pickle.dumps(system)
    workers = [Worker(i, n) for i in range(n)]
    for w in workers:
        w.start(pickle.loads(blob), PROPS, False, None)
    fp = routing_fn(system)
    parts: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
    for i, s in enumerate(system.init_states()):
        parts[fp(s) % n].append((i, s))
    new = total = sum(w.seed(p) for w, p in zip(workers, parts))
    while new and total < cut:
        outs = [w.expand(None, set()) for w in workers]
        ins = [w.insert(False, *[outs[i][j] for i in range(n)]) for j, w in enumerate(workers)]
        new = sum(r["new"] for r in ins)
        total += new
    out = []
    for w in workers:
        counted: set[int] = set()
        visited = deep_size([w.seen, w.parents, w.frontier], counted)
        sysw = w.system
        clusters = deep_size([sysw._intern_clusters], counted)  # hash-consed clusters beyond the stored states'
        memo = deep_size([sysw._sync_memo], counted)
        intern = deep_size([sysw._intern_objs, sysw._intern_tables], counted)
        fpm = deep_size([_fp_memo(w)], counted)
        shared = deep_size([w.sent, w.received, w.once], counted)
        known = deep_size([w.known], counted)
        rest = deep_size([sysw], counted)  # the scenario, the last-reads map, ...
        out.append({"states": len(w.seen), "visited": visited, "clusters": clusters, "clusters_entries": len(sysw._intern_clusters), "memo": memo, "memo_entries": sysw._sync_memo_size,
                    "intern": intern, "intern_entries": len(sysw._intern_objs) + len(sysw._intern_tables), "fp": fpm, "shared": shared,
                    "shared_entries": sum(map(len, w.sent.values())) + sum(map(len, w.received.values())), "known": known,
                    "known_entries": len(w.known), "rest": rest})
        w.clear()
    return out


def _explorer_rss(scenario: str, granularity: str, cut: int) -> tuple[int, int]:
    """The single-process explorer in a new process: its states and RSS growth (peak minus the RSS
    before the search; this process's freed memory would be reused by a second search)."""
    import json
    import subprocess
    import sys

    code = (
        "import json\n"
        "from bench.ray_bench import PROPS, _builder\n"
        "from kubecheck.core.distributed import rss_now as _rss_now\n"
        "from kubecheck.core.explorer import explore, peak_rss\n"
        f"system = _builder({scenario!r})({granularity!r})\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "r0 = _rss_now()\n"
        f"r = explore(system, PROPS, progress='off', max_states={cut})\n"
        "print(json.dumps([r.stats.states, peak_rss() - r0]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    states, grown = json.loads(out.strip().splitlines()[-1])
    return states, grown


def _timed(acc: dict[str, float], name: str, f: Any) -> Any:
    def g(*args: Any) -> Any:
        c = time.thread_time()
        try:
            return f(*args)
        finally:
            acc[name] = acc.get(name, 0.0) + time.thread_time() - c

    return g


def profile_run(name: str, granularity: str, n: int, routing: str = "system") -> dict[str, Any]:
    """``n`` workers in this process, run level by level as the driver does; per worker the CPU seconds
    (``thread_time``) of its calls split into successors, routing fingerprint, pickling, unpickling
    (with interning) and the rest of its loops; the controller-memo misses and the CPU of the syncs
    they ran; the collector's time; and the critical path: the sum over levels of the slowest worker's
    CPU in that level (a level ends when its slowest worker does)."""
    import gc
    import pickle

    from kubecheck.core.distributed import Worker, routing_fn
    from model.system import KubeSystem

    system = _builder(name)(granularity)
    blob = pickle.dumps(system)
    workers = [Worker(i, n) for i in range(n)]
    accs: list[dict[str, float]] = [{} for _ in range(n)]
    miss: dict[int, list[float]] = {}
    orig = KubeSystem._memoised

    def memoised(self: Any, *args: Any) -> Any:  # the CPU of the misses (a miss runs the sync)
        before, c = self.memo_stats[1], time.thread_time()
        out = orig(self, *args)
        if self.memo_stats[1] != before:
            e = miss.setdefault(id(self), [0, 0.0])
            e[0] += 1
            e[1] += time.thread_time() - c
        return out

    gc_cpu, gc_t0 = [0.0], [0.0]

    def gc_cb(phase: str, info: Any) -> None:
        if phase == "start":
            gc_t0[0] = time.thread_time()
        else:
            gc_cpu[0] += time.thread_time() - gc_t0[0]

    route = routing_fn(system)
    if routing == "fingerprint":  # the engine's fallback (BLAKE2b over the encoding), for an A/B of the system's hash
        from kubecheck.core.explorer import fingerprint_fn

        route = fingerprint_fn(64, 1 << 14)
    for w, acc in zip(workers, accs):
        w.start(pickle.loads(blob), PROPS, False, None)
        if routing == "fingerprint" and n > 1:
            w.fp = fingerprint_fn(64, 1 << 14)
        w.succ = _timed(acc, "successors", w.succ)
        w.fp = _timed(acc, "fingerprint", w.fp)
        w._pickle = _timed(acc, "pickle", w._pickle)  # type: ignore[method-assign]
        w._unpickle = _timed(acc, "unpickle", w._unpickle)  # type: ignore[method-assign]
    parts: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
    for i, s in enumerate(system.init_states()):
        parts[route(s) % n].append((i, s))
    new = sum(w.seed(p) for w, p in zip(workers, parts))
    cpu, critical = [0.0] * n, 0.0
    KubeSystem._memoised = memoised  # type: ignore[method-assign,assignment]
    gc.callbacks.append(gc_cb)
    try:
        while new:
            level = [0.0] * n
            outs = []
            for i, w in enumerate(workers):
                c = time.thread_time()
                outs.append(w.expand(None, set()))
                level[i] += time.thread_time() - c
            ins = []
            for j, w in enumerate(workers):
                c = time.thread_time()
                ins.append(w.insert(False, *[outs[i][j] for i in range(n)]))
                level[j] += time.thread_time() - c
            cpu = [a + b for a, b in zip(cpu, level)]
            critical += max(level)
            new = sum(r["new"] for r in ins)
    finally:
        KubeSystem._memoised = orig  # type: ignore[method-assign]
        gc.callbacks.remove(gc_cb)
    per = []
    for w, acc, c in zip(workers, accs, cpu):
        m = miss.get(id(w.system), [0, 0.0])
        per.append({"states": len(w.seen), "cpu": c, **acc, "misses": m[0], "miss_cpu": m[1]})
        w.clear()
    gc.unfreeze()
    return {"workers": per, "critical": critical, "gc": gc_cpu[0]}


def profile(a: Any) -> None:
    """``--profile``: where two workers lose time against one (in this process, no Ray: the same
    worker code, without Ray's transfers and scheduling); 1 and 2 workers alternately."""
    for rep in range(a.repeat):
        order = (1, 2) if rep % 2 == 0 else (2, 1)  # alternately first: neither gets the fresher heap every time
        runs = {n: profile_run(a.scenario, a.granularity, n, a.routing) for n in order}
        runs = {n: runs[n] for n in (1, 2)}
        one, two = runs[1], runs[2]
        print(f"run {rep + 1} (load {os.getloadavg()[0]:.1f}; routing by {a.routing}): 1 worker {one['critical']:.2f} s CPU, 2 workers critical path "
              f"{two['critical']:.2f} s ({one['critical'] / two['critical']:.2f}x; without imbalance "
              f"{one['critical'] / max(w['cpu'] for w in two['workers']):.2f}x); collector {one['gc']:.2f} s / {two['gc']:.2f} s (both workers)",
              flush=True)
        for n, r in runs.items():
            for i, w in enumerate(r["workers"]):
                rest = w["cpu"] - sum(w.get(k, 0.0) for k in ("successors", "fingerprint", "pickle", "unpickle"))
                print(f"  {n} worker(s), worker {i}: {w['states']} states, {w['cpu']:.2f} s CPU: successors {w.get('successors', 0):.2f} s "
                      f"({1000 * w.get('successors', 0) / w['states']:.3f} ms per state; memo misses {w['misses']}, their syncs "
                      f"{w['miss_cpu']:.2f} s), routing hash {w.get('fingerprint', 0):.2f} s, pickle {w.get('pickle', 0):.2f} s, "
                      f"unpickle + intern {w.get('unpickle', 0):.2f} s, rest {rest:.2f} s", flush=True)


def memory(a: Any) -> None:
    from kubecheck.core.distributed import release_workers

    cuts = [int(x) for x in a.memory.split(",")]
    workers = [int(x) for x in a.workers.split(",")]
    mib = 2**20
    #: (states, RSS growth in bytes) per configuration: "explorer", "1 worker", "2 workers" (each worker: its own states)
    points: dict[str, list[tuple[int, float]]] = {}
    for cut in cuts:
        for rep in range(a.repeat):
            load = os.getloadavg()[0]
            states, grown = _explorer_rss(a.scenario, a.granularity, cut)
            print(f"cut {cut} run {rep + 1}: explorer (a new process, load {load:.1f}): {states} states, RSS growth "
                  f"{grown / mib:.1f} MiB", flush=True)
            points.setdefault("explorer", []).append((states, grown))
            for n in workers:
                explore_distributed(_builder("rs_crash")("write"), PROPS, workers=n)  # start the actors (not timed)
                load = os.getloadavg()[0]
                r, d = explore_distributed(_builder(a.scenario)(a.granularity), PROPS, workers=n, max_states=cut)
                grow = [(p - s) / mib for s, p in zip(d.rss_start_per_worker, d.rss_peak_per_worker)]
                print(f"cut {cut} run {rep + 1}: ray workers={n} (load {load:.1f}): {r.stats.states} states, per worker "
                      f"{d.states_per_worker}, RSS growth per worker {', '.join(f'{g:.1f}' for g in grow)} MiB, CPU s per worker "
                      f"{', '.join(f'{c:.1f}' for c in d.cpu_seconds_per_worker)}", flush=True)
                for st, g in zip(d.states_per_worker, grow):
                    points.setdefault(f"{n} worker(s), each", []).append((st, g * mib))
                release_workers()
        if a.fit:
            continue
        for n in workers:
            for i, b in enumerate(breakdown(a.scenario, a.granularity, n, cut)):
                print(f"cut {cut}: in-process workers={n}, worker {i}: {b['states']} states; visited set {b['visited'] / mib:.1f} MiB "
                      f"({b['visited'] / b['states']:.0f} bytes per state); beyond it: hash-consed clusters {b['clusters'] / mib:.1f} MiB "
                      f"({b['clusters_entries']} entries), controller memo {b['memo'] / mib:.1f} MiB "
                      f"({b['memo_entries']} entries), intern tables {b['intern'] / mib:.1f} MiB ({b['intern_entries']} entries), "
                      f"routing hash memos {b['fp'] / mib:.1f} MiB, numbered objects {b['shared'] / mib:.1f} MiB ({b['shared_entries']} "
                      f"entries), known successors {b['known'] / mib:.1f} MiB ({b['known_entries']} entries), rest of the system {b['rest'] / mib:.1f} MiB",
                      flush=True)
    if a.fit:
        fit(points)


def fit(points: dict[str, list[tuple[int, float]]]) -> None:
    """``--fit``: RSS growth = constant + slope x states by least squares per configuration, and each
    slope against the single process's (the target: a worker of N at about 1/N of it, plus a constant)."""
    mib, lines = 2**20, {}
    for name, pts in points.items():
        n = len(pts)
        if n < 2 or len({x for x, _ in pts}) < 2:
            continue
        mx, my = sum(x for x, _ in pts) / n, sum(y for _, y in pts) / n
        slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
        lines[name] = (slope, my - slope * mx)
    base = lines.get("explorer")
    for name, (slope, const) in lines.items():
        ratio = f", {slope / base[0]:.2f} x the single process's slope" if base else ""
        print(f"fit {name}: RSS growth = {const / mib:.1f} MiB + {slope:.0f} bytes x states{ratio} "
              f"(points: {', '.join(f'{x}: {y / mib:.1f}' for x, y in sorted(points[name]))})", flush=True)


def main(argv: list[str] | None = None) -> None:
    import ray

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="rollout")
    ap.add_argument("--granularity", default="write")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--symmetry", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--memory", default="", help="the memory runs, cut at these numbers of states (comma-separated)")
    ap.add_argument("--profile", action="store_true", help="where 2 workers lose time against 1 (in this process, no Ray)")
    ap.add_argument("--routing", choices=("system", "fingerprint"), default="system",
                    help="with --profile: route by the system's stable hash (as the search does) or by the engine's fingerprint")
    ap.add_argument("--fit", action="store_true", help="with --memory: fit RSS = constant + slope x states per configuration "
                    "(instead of the object walks)")
    ap.add_argument("--pair", action="store_true", help="the machine's ceiling: one explorer process alone, then two at once")
    ap.add_argument("--solo", action="store_true", help=argparse.SUPPRESS)  # one timed explorer run (for --pair)
    a = ap.parse_args(argv)
    if a.solo:
        _solo(a)
        return
    if a.pair:
        pair(a)
        return
    if a.profile:
        profile(a)
        return
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    if a.memory:
        memory(a)
        return
    props = PROPS
    for rep in range(a.repeat):
        _speed(a, props, rep)


def _solo(a: Any) -> None:
    """One explorer run; prints ``states wall cpu`` (for :func:`pair`)."""
    system = _builder(a.scenario)(a.granularity)
    t, c = time.perf_counter(), time.process_time()
    r = explore(system, PROPS, symmetry=a.symmetry, progress="off")
    print(r.stats.states, time.perf_counter() - t, time.process_time() - c)


def pair(a: Any) -> None:
    """The same search in one process alone and in two processes at once (see the module docstring)."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "bench.ray_bench", "--solo", "--scenario", a.scenario, "--granularity", a.granularity,
           *(["--symmetry"] if a.symmetry else [])]

    def run(n: int) -> tuple[float, list[tuple[int, float, float]]]:
        t = time.perf_counter()
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(n)]
        outs = [p.communicate()[0].split() for p in procs]
        wall = time.perf_counter() - t
        if any(p.returncode for p in procs):
            raise SystemExit(f"bench.ray_bench --pair: an explorer process failed (exit codes {[p.returncode for p in procs]})")
        return wall, [(int(o[0]), float(o[1]), float(o[2])) for o in outs]

    for rep in range(a.repeat):
        load = os.getloadavg()[0]
        got = {}
        for n in ((1, 2) if rep % 2 == 0 else (2, 1)):  # alternately first
            got[n] = run(n)
        (w1, [(states, s1, c1)]), (w2, two) = got[1], got[2]
        slowest = max(s for _, s, _ in two)
        print(f"run {rep + 1} (load {load:.1f}): {states} states; alone {s1:.2f} s search wall, {c1:.2f} s CPU "
              f"({1000 * c1 / states:.3f} ms/state); two at once {', '.join(f'{s:.2f}' for _, s, _ in two)} s search wall, "
              f"{', '.join(f'{c:.2f}' for _, _, c in two)} s CPU ({', '.join(f'{1000 * c / states:.3f}' for _, _, c in two)} ms/state); "
              f"ceiling for 2 workers {2 * s1 / slowest:.2f}x (search), {2 * w1 / w2:.2f}x (process wall incl. start-up)")


def _daemon_cpu() -> float:
    """CPU seconds so far of this Ray session's own processes (GCS, raylet, monitors; not the workers)."""
    import ray

    try:
        session = os.path.basename(ray._private.worker.global_worker.node.get_session_dir_path())
    except Exception:  # noqa: BLE001 - a private API: the figure is then left out
        return 0.0
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            if session not in cmd or "default_worker" in cmd or cmd.startswith("ray::"):
                continue
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def _speed(a: Any, props: list[Any], rep: int) -> None:
    from kubecheck.core.distributed import release_workers

    system = _builder(a.scenario)(a.granularity)
    t, c = time.perf_counter(), time.process_time()
    one = explore(system, props, symmetry=a.symmetry, progress="off")
    secs, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"run {rep + 1}, load {os.getloadavg()[0]:.1f}; explorer (1 process): {one.stats.states} states, {one.stats.transitions} transitions, "
          f"depth {one.stats.max_depth}, {secs:.1f} s wall, {cpu:.2f} s CPU ({1000 * cpu / one.stats.states:.3f} ms/state), "
          f"{one.stats.states / secs:,.0f} states/s")
    order = [int(x) for x in a.workers.split(",")]
    if rep % 2 == 1:
        order.reverse()  # alternately first: neither gets the quieter moment every time
    for n in order:
        explore_distributed(_builder("rs_crash")("write"), props, workers=n)  # start the actors (not timed)
        system = _builder(a.scenario)(a.granularity)
        load = os.getloadavg()[0]
        t, c, dc = time.perf_counter(), time.process_time(), _daemon_cpu()
        r, d = explore_distributed(system, props, workers=n, symmetry=a.symmetry)
        secs, driver, daemons = time.perf_counter() - t, time.process_time() - c, _daemon_cpu() - dc
        cpus = d.cpu_seconds_per_worker  # the search thread's
        per_state = [1000 * c / s for c, s in zip(cpus, d.states_per_worker)]
        grow = [(p - s) / 2**20 for s, p in zip(d.rss_start_per_worker, d.rss_peak_per_worker)]
        print(f"ray workers={n} (load {load:.1f}-{os.getloadavg()[0]:.1f}): {r.stats.states} states, depth {r.stats.max_depth}, "
              f"{secs:.1f} s wall, {r.stats.states / secs:,.0f} states/s ({d.states_per_second_per_worker:,.0f} per worker); "
              f"states per worker {d.states_per_worker}; CPU s per worker {tuple(round(x, 2) for x in cpus)} "
              f"(max {max(cpus):.2f} s: {r.stats.states / max(cpus):,.0f} states per CPU-bound second; "
              f"{', '.join(f'{x:.3f}' for x in per_state)} ms CPU per stored state); "
              f"process CPU s per worker {tuple(round(x, 2) for x in d.process_cpu_seconds_per_worker)}; "
              f"RSS growth per worker {', '.join(f'{g:.1f}' for g in grow)} MiB (peaks "
              f"{', '.join(f'{p / 2**20:.0f}' for p in d.rss_peak_per_worker)} MiB); bytes exchanged {d.bytes_exchanged:,} "
              f"({d.bytes_per_state:,.0f} per state, remote fraction {d.remote_fraction:.2f}); {d.levels} levels, "
              f"sync {1000 * d.sync_seconds_per_level:.1f} ms per level; critical path {sum(d.level_seconds) - d.levels * d.sync_seconds_per_level:.2f} s; "
              f"driver CPU {driver:.2f} s, Ray's own processes {daemons:.2f} s CPU; verdict {r.results[0].verdict.value}")
        release_workers()  # new workers for the next run


if __name__ == "__main__":
    main()
