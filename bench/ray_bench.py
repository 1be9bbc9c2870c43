"""States/s of the distributed BFS (kubecheck.core.distributed) with 1 and 2 Ray workers against the
single-process explorer, on a golden search; CPU seconds per state per worker (load-independent),
bytes exchanged per state, per-level sync cost and each worker's memory.

``python -m bench.ray_bench [--scenario rollout] [--granularity write] [--workers 1,2]`` (needs
``kubecheck[ray]``).  Every run starts new workers (the peak RSS is then the search's own).
"""

from __future__ import annotations

import argparse
import os
import time

from kubecheck.core.distributed import explore_distributed
from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant


def main(argv: list[str] | None = None) -> None:
    import ray

    from kubecheck.core.distributed import release_workers
    from tests.model.test_golden_counts import BUILDERS

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="rollout")
    ap.add_argument("--granularity", default="write")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--symmetry", action="store_true")
    a = ap.parse_args(argv)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    props = [invariant("INV-1", "always true", lambda s: True)]
    system = BUILDERS[a.scenario](a.granularity)
    t, c = time.perf_counter(), time.process_time()
    one = explore(system, props, symmetry=a.symmetry, progress="off")
    secs, cpu = time.perf_counter() - t, time.process_time() - c
    print(f"load {os.getloadavg()[0]:.1f}; explorer (1 process): {one.stats.states} states, {one.stats.transitions} transitions, "
          f"depth {one.stats.max_depth}, {secs:.1f} s wall, {cpu:.2f} s CPU ({1000 * cpu / one.stats.states:.3f} ms/state), "
          f"{one.stats.states / secs:,.0f} states/s")
    for n in (int(x) for x in a.workers.split(",")):
        explore_distributed(BUILDERS["rs_crash"]("write"), props, workers=n)  # start the actors (not timed)
        system = BUILDERS[a.scenario](a.granularity)
        load = os.getloadavg()[0]
        t = time.perf_counter()
        r, d = explore_distributed(system, props, workers=n, symmetry=a.symmetry)
        secs = time.perf_counter() - t
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
              f"sync {1000 * d.sync_seconds_per_level:.1f} ms per level; verdict {r.results[0].verdict.value}")
        release_workers()  # new workers for the next run


if __name__ == "__main__":
    main()
