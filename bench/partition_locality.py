"""Locality of partition keys for the distributed BFS (issue 22, docs/performance.md "Session 13"): on a golden
search's full graph, per candidate key, the fraction of edges whose ends have different owners (``key % N``) and
the critical path of a level-synchronous BFS (the sum over levels of the largest part, as a fraction of all states).

``python -m bench.partition_locality [--scenario rollout] [--granularity write] [--workers 2]``
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections import Counter, defaultdict
from typing import Any, Callable

from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant


def _h(x: Any) -> int:
    return int.from_bytes(hashlib.blake2b(repr(x).encode(), digest_size=8).digest(), "big")


def _terminating(s: Any) -> tuple[Any, ...]:
    return tuple(sorted((k, p.deletion_timestamp is not None) for k, p in s.cluster.pods.items()))


def _specs(s: Any) -> tuple[Any, ...]:
    return tuple(sorted((k, rs.replicas) for k, rs in s.cluster.replica_sets.items()))


#: The candidate keys, in the table's order.
KEYS: dict[str, Callable[[Any], Any]] = {
    "the whole state (today)": lambda s: s,
    "the set of pod names": lambda s: tuple(sorted(s.cluster.pods)),
    "pod names and whether each is terminating": _terminating,
    "... and each pod's Ready condition": lambda s: tuple(sorted(
        (k, p.deletion_timestamp is not None, p.conditions.ready) for k, p in s.cluster.pods.items())),
    "... and the ReplicaSets' availableReplicas": lambda s: (_terminating(s), tuple(sorted(
        (k, rs.status.available_replicas) for k, rs in s.cluster.replica_sets.items()))),
    "the ReplicaSets' spec.replicas": _specs,
    "pod names and the ReplicaSets' spec.replicas": lambda s: (tuple(sorted(s.cluster.pods)), _specs(s)),
}


def measure(graph: Any, key: Callable[[Any], Any], workers: int) -> tuple[float, float, int]:
    """(cross-edge fraction, critical path, distinct keys) of ``key`` on an explored graph."""
    keys = [_h(key(s)) for s in graph.states]
    part = [k % workers for k in keys]
    cross = total = 0
    for u, targets in enumerate(graph.targets):
        for v in targets or ():
            total += 1
            cross += part[u] != part[v]
    by_level: dict[int, Counter[int]] = defaultdict(Counter)
    for u, d in enumerate(graph.depth):
        by_level[d][part[u]] += 1
    critical = sum(max(c.values()) for c in by_level.values())
    return cross / max(total, 1), critical / len(graph.states), len(set(keys))


def main(argv: list[str] | None = None) -> int:
    from tests.model.test_golden_counts import BUILDERS

    ap = argparse.ArgumentParser(prog="python -m bench.partition_locality", description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="rollout", choices=sorted(BUILDERS))
    ap.add_argument("--granularity", default="write", choices=("write", "reconcile"))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    t = time.process_time()
    res = explore(BUILDERS[args.scenario](args.granularity), [invariant("T", "always true", lambda s: True)],
                  keep_graph=True, max_states=None)
    graph = res.graph
    print(f"{args.scenario} ({args.granularity}): {len(graph.states):,} states, {time.process_time() - t:.1f} CPU s")
    print(f"| partition key ({args.workers} workers) | cross edges | critical path | distinct keys |")
    print("|---|--:|--:|--:|")
    for name, key in KEYS.items():
        cross, critical, distinct = measure(graph, key, args.workers)
        print(f"| {name} | {cross:.3f} | {critical:.3f} | {distinct:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
