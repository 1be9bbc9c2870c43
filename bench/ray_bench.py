"""States/s of the distributed BFS (kubecheck.core.distributed) with 1 and 2 Ray workers against the
single-process explorer, on a golden search; bytes exchanged per state and per-level sync cost.

``python -m bench.ray_bench [--scenario rollout] [--granularity reconcile]`` (needs ``kubecheck[ray]``).
"""

from __future__ import annotations

import argparse
import time

from kubecheck.core.distributed import explore_distributed
from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant


def main(argv: list[str] | None = None) -> None:
    import ray

    from tests.model.test_golden_counts import BUILDERS

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="rollout")
    ap.add_argument("--granularity", default="reconcile")
    a = ap.parse_args(argv)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    props = [invariant("INV-1", "always true", lambda s: True)]
    system = BUILDERS[a.scenario](a.granularity)
    t = time.perf_counter()
    one = explore(system, props, progress="off")
    secs = time.perf_counter() - t
    print(f"explorer (1 process): {one.stats.states} states, {one.stats.transitions} transitions, depth {one.stats.max_depth}, "
          f"{secs:.1f} s, {one.stats.states / secs:,.0f} states/s")
    for n in (1, 2):
        explore_distributed(BUILDERS["rs_crash"]("write"), props, workers=n)  # start the actors (not timed)
        system = BUILDERS[a.scenario](a.granularity)
        t = time.perf_counter()
        r, d = explore_distributed(system, props, workers=n)
        secs = time.perf_counter() - t
        print(f"ray workers={n}: {r.stats.states} states, depth {r.stats.max_depth}, {secs:.1f} s, {r.stats.states / secs:,.0f} states/s "
              f"({d.states_per_second_per_worker:,.0f} per worker); per worker {d.states_per_worker}; bytes exchanged "
              f"{d.bytes_exchanged:,} ({d.bytes_per_state:,.0f} per state, remote fraction {d.remote_fraction:.2f}); "
              f"{d.levels} levels, sync {1000 * d.sync_seconds_per_level:.1f} ms per level; verdict {r.results[0].verdict.value}")


if __name__ == "__main__":
    main()
