"""Timing of the parametric rollout proofs (kubecheck.symbolic.prove).

Run: ``python -m bench.z3_rollout [--repeat 3]``.  One line per proof: the parameter grid, the
verdict, the best wall time over ``--repeat`` runs.  Target: under 5 s each.  The figures are
copied by hand into docs/symbolic.md ("Performance").

Issue 16 sections (each optional):

* ``--deployments``: what ``kubecheck check`` runs for one Deployment (exact replicas and the
  family 1..10000, write granularity) for replicas 10 and 100, 0 and 1 container crash, no
  cache: verdict, seconds, peak RSS.  Target: conclusive in under 10 s, under 1 GiB.
* ``--differential``: the count model's verdict at the exact parameters against the explicit
  engine's (full exploration of the object model ``kubecheck check`` builds, judging the catalogue
  rule on every transition) over a grid of small replicas, int and percent, 0-2 crashes.
* ``--refinement R``: the refinement check (kubecheck/symbolic/refinement.py) at replicas R
  (``--crashes N``, default 0; R = 3 is the slow tier, not CI).
* ``--granularity reconcile``: ``--differential`` and ``--refinement`` at reconcile granularity
  (default: write, as ``kubecheck check``).
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


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def deployments() -> bool:
    """count_verdict as ``check`` calls it, without the cache."""
    from dataclasses import replace as _replace

    from kubecheck.symbolic.bridge import _deployment
    from kubecheck.symbolic.check import count_verdict

    print("| Deployment | crashes | rule | verdict (exact) | family | wall s | CPU s | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for r in (10, 100):
        for crashes in (0, 1):
            for rule in ("KC-ROLL-001", "KC-ROLL-002"):
                d = _deployment(r, "25%", "25%")
                t0, c0 = time.perf_counter(), time.process_time()
                cv = count_verdict(rule, d, crashes, "write", cache=None, timeout=60)
                dt, dc = time.perf_counter() - t0, time.process_time() - c0
                fam = cv.family.split(" with ")[0]
                ok &= cv.status in ("PROVED", "VIOLATED")
                extra = f", smallest failing replicas {cv.smallest} (replayed: {cv.replayed})" if cv.smallest else ""
                print(f"| replicas {r}, 25%/25% | {crashes} | {rule} | {cv.status}{extra} | {fam} | {dt:.2f} | {dc:.2f} | {_rss_mib():.0f} |")
                sys.stdout.flush()
                _ = _replace
    return ok


def _explicit_verdict(system: Any, rule_id: str) -> tuple[str, int]:
    """VIOLATED if some transition of the full graph violates the catalogue rule, else HOLDS."""
    from properties import get_rule

    pred = get_rule(rule_id).check
    target = ("Deployment", "default", "web")
    init = system.init_states()[0]
    seen = {system.canonical(init)}
    stack = [init]
    while stack:
        s = stack.pop()
        for a, n in system.successors(s):
            if not pred(s.cluster, a, n.cluster, target):
                return "VIOLATED", len(seen)
            k = system.canonical(n)
            if k not in seen:
                seen.add(k)
                stack.append(n)
    return "HOLDS", len(seen)


DIFF_GRID: tuple[tuple[int, Any, Any, int], ...] = tuple(
    [(1, s, u, c) for s, u in ((1, 0), (0, 1), (1, 1), ("50%", "50%"), ("100%", "0%")) for c in (0, 1, 2)]
    + [(2, s, u, c) for s, u in ((1, 0), (0, 1), ("25%", "25%"), ("50%", "0%")) for c in (0, 1)]
    + [(2, 1, 1, 0), (3, 1, 0, 0), (3, "25%", "25%", 0)]
)


def differential(granularity: str = "write") -> bool:
    from kubecheck.symbolic.refinement import rollout_system

    print("| replicas | maxSurge | maxUnavailable | crashes | rule | explicit (states) | count model | agree |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for r, s, u, c in DIFF_GRID:
        system, _, _ = rollout_system(r, s, u, crashes=c, granularity=granularity)
        for rule, key in (("KC-ROLL-001", "min-available"), ("KC-ROLL-002", "max-surge")):
            t0 = time.perf_counter()
            ev, n = _explicit_verdict(system, rule)
            te = time.perf_counter() - t0
            t0 = time.perf_counter()
            cm = prove_rollout(r, s, u, c, 120, properties=(key,), granularity=granularity, replay_limit=0).status
            tc = time.perf_counter() - t0
            agree = (ev == "VIOLATED") == (cm == "VIOLATED") and cm != "UNKNOWN"
            ok &= agree
            print(f"| {r} | {s} | {u} | {c} | {rule} | {ev} ({n} states, {te:.1f} s) | {cm} ({tc:.1f} s) | {'yes' if agree else 'NO'} |")
            sys.stdout.flush()
    return ok


def refinement(r: int, granularity: str = "write", crashes: int = 0) -> bool:
    from kubecheck.symbolic.refinement import check_refinement, rollout_system

    ok = True
    print("| replicas | maxSurge | maxUnavailable | crashes | granularity | states | transitions | stutters | seconds | CPU s | refines |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s, u in ((1, 0), ("25%", "25%"), (0, 1)):
        c0 = time.process_time()
        system, project, f = rollout_system(r, s, u, crashes=crashes, granularity=granularity)
        res = check_refinement(system, project, f, write=granularity == "write")
        ok &= res.ok
        print(f"| {r} | {s} | {u} | {crashes} | {granularity} | {res.states} | {res.transitions} | {res.stutters} | {res.seconds:.1f} "
              f"| {time.process_time() - c0:.1f} | {'yes' if res.ok else 'NO'} |")
        sys.stdout.flush()
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.z3_rollout")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--deployments", action="store_true", help="count_verdict for replicas 10 and 100 (issue 16)")
    ap.add_argument("--differential", action="store_true", help="count model vs explicit engine over small replicas")
    ap.add_argument("--refinement", type=int, default=0, metavar="R", help="refinement check at replicas R")
    ap.add_argument("--granularity", choices=("write", "reconcile"), default="write",
                    help="granularity of --differential and --refinement")
    ap.add_argument("--crashes", type=int, default=0, help="container crashes of --refinement")
    ap.add_argument("--only", action="store_true", help="skip the proof table")
    args = ap.parse_args(argv)
    print(f"# Python {platform.python_version()}, z3 {z3.get_version_string()}, {platform.machine()}")
    good = True
    if args.deployments:
        good &= deployments()
    if args.differential:
        good &= differential(args.granularity)
    if args.refinement:
        good &= refinement(args.refinement, args.granularity, args.crashes)
    if args.only:
        return 0 if good else 1
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
