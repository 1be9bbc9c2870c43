"""Timing of the parametric rollout proofs (kubecheck.symbolic.prove).

Run: ``python -m bench.z3_rollout [--repeat 3]``.  One line per proof: the parameter grid, the
verdict, the best wall time over ``--repeat`` runs.  Target: under 5 s each.  The figures are
copied by hand into docs/symbolic.md ("Performance").
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Sequence
from typing import Any

import z3

from kubecheck.symbolic.prove import prove_rollout
from kubecheck.symbolic.rollout import UNAVAILABLE_ROUNDS_UP

#: (label, keyword arguments of prove_rollout, expected verdict)
PROOFS: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("int grid, 1..10000", {"max_surge": "int", "max_unavailable": "int"}, "PROVED"),
    ("percent grid, 1..10000", {"max_surge": "percent", "max_unavailable": "percent"}, "PROVED"),
    ("int surge, percent unavailable", {"max_surge": "int", "max_unavailable": "percent"}, "PROVED"),
    ("percent surge, int unavailable", {"max_surge": "percent", "max_unavailable": "int"}, "PROVED"),
    ("int grid, 1 disruption (BMC + replay)", {"disruptions": 1}, "VIOLATED"),
    ("percent grid, 1 disruption (BMC + replay)", {"max_surge": "percent", "max_unavailable": "percent", "disruptions": 1}, "VIOLATED"),
    ("percent grid, seeded ceil-unavailable bug", {"max_surge": "percent", "max_unavailable": "percent", "variant": UNAVAILABLE_ROUNDS_UP}, "VIOLATED"),
)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.z3_rollout")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"# Python {platform.python_version()}, z3 {z3.get_version_string()}, {platform.machine()}")
    print(f"| proof | verdict | best of {args.repeat} (s) |")
    print("|---|---|---|")
    ok = True
    for label, kwargs, want in PROOFS:
        best = float("inf")
        verdict = ""
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = prove_rollout((1, 10_000), timeout=60, **kwargs)
            best = min(best, time.perf_counter() - t0)
            verdict = res.status
        ok &= verdict == want
        print(f"| {label} | {verdict} | {best:.2f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
