"""``python -m bench.time_order``: what ``time: ordered`` costs (issue #20 item 5; docs/performance.md,
"Time that orders").

Full BFS (no reduction, then symmetry) of (a) the golden scenarios of tests/model/test_golden_counts.py
and (b) a ReplicaSet of R Ready pods (minReadySeconds 10, settled, one pod's timer not yet run out)
on R nodes scaled to K, each with ``time: abstract`` (the default) and ``time: ordered``.  Prints a
Markdown table: states, transitions, CPU seconds (``time.process_time``).
"""

from __future__ import annotations

import sys
import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.environment import ScaleWorkload  # noqa: E402
from model.system import KubeSystem, Scenario  # noqa: E402


def bfs(system: KubeSystem, symmetry: bool) -> tuple[int, int, float]:
    key: Callable[[Any], Any] = system.canonical if symmetry else (lambda s: s)
    t0 = time.process_time()
    init = system.init_states()
    seen = {key(s) for s in init}
    queue = deque(init)
    transitions = 0
    while queue:
        s = queue.popleft()
        for _, t in system.successors(s):
            transitions += 1
            k = key(t)
            if k not in seen:
                seen.add(k)
                queue.append(t)
    return len(seen), transitions, time.process_time() - t0


def scale_down(replicas: int, to: int, time_mode: str) -> KubeSystem:
    from tests.model.builders_runtime import cluster, node, rs, settle_first_fair

    nodes = [node(f"node-{i + 1}") for i in range(replicas)]
    base = Scenario(cluster(*nodes, rs(replicas=replicas, min_ready=10)), name="time-bench")
    start = settle_first_fair(base)
    first = sorted(start.pods.values(), key=lambda p: p.name)[0]
    start = start.put(replace(first, ready_elapsed=False))
    return KubeSystem(replace(base, initial=start, time=time_mode, user_actions=(ScaleWorkload("ReplicaSet", "web", to),)))


def main() -> None:
    from tests.model.test_golden_counts import BUILDERS

    rows: list[tuple[str, str, bool, tuple[int, int, float], tuple[int, int, float]]] = []
    for name, build in BUILDERS.items():
        for sym in (False, True):
            plain = bfs(build("write"), sym)
            ordered_sys = build("write")
            ordered_sys = KubeSystem(replace(ordered_sys.scenario, time="ordered"))
            rows.append((f"golden {name}", "write", sym, plain, bfs(ordered_sys, sym)))
            print(rows[-1], flush=True)
    for r, k in ((2, 1), (3, 1), (3, 2), (4, 2), (5, 2)):
        for sym in (False, True):
            rows.append((f"RS {r} -> {k} ({r} nodes)", "write", sym, bfs(scale_down(r, k, "abstract"), sym),
                         bfs(scale_down(r, k, "ordered"), sym)))
            print(rows[-1], flush=True)
    print()
    print("| scenario | symmetry | abstract: states / transitions (CPU s) | ordered: states / transitions (CPU s) | states |")
    print("|---|---|---|---|---:|")
    for name, _, sym, a, o in rows:
        growth = "=" if a[0] == o[0] else f"x{o[0] / a[0]:.2f}"
        print(f"| {name} | {'on' if sym else 'off'} | {a[0]:,} / {a[1]:,} ({a[2]:.1f}) | {o[0]:,} / {o[1]:,} ({o[2]:.1f}) | {growth} |")


if __name__ == "__main__":
    main()
