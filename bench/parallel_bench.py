"""``kubecheck check --jobs 1`` against ``--jobs 2`` on corpus sets with several searches (issue 17 item 4).

``python -m bench.parallel_bench [--data DIR] [--sets a,b,..] [--scenarios LIST]``: per set, the CLI in a
fresh process with ``KUBECHECK_REPRODUCIBLE=1``, once per job count; wall time from spawn to exit, the
number of searches, and whether the JSON reports are byte-identical.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = ("online-boutique", "otel-demo", "sock-shop", "voting-app", "aks-store", "argo-cd", "bookinfo", "guestbook",
                "kube-prometheus")


def run(data: Path, name: str, jobs: int, scenarios: str, out: Path) -> tuple[float, int, bytes]:
    env = {**os.environ, "KUBECHECK_REPRODUCIBLE": "1"}
    report = out / f"{name}-{jobs}.json"
    args = [sys.executable, "-m", "kubecheck.cli", "check", str(data / name), "-q", "-f", "json", "-o", str(report),
            "--out", str(out / f"traces-{name}-{jobs}"), "--jobs", str(jobs)]
    if scenarios != "default":
        args += ["-s", scenarios]
    t0 = time.perf_counter()
    p = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if not report.exists():
        raise SystemExit(f"{name}: exit {p.returncode}: {p.stderr.strip().splitlines()[-1:]}")
    body = report.read_bytes().replace(str(out / f"traces-{name}-{jobs}").encode(), b"TRACES")
    return wall, p.returncode, body


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default=str(ROOT / "bench" / "corpus" / "data"))
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS))
    ap.add_argument("--scenarios", default="default")
    a = ap.parse_args(argv)
    data = Path(a.data)
    print("| set | scenarios | searches | states | exit | --jobs 1 | --jobs 2 | speed-up | identical JSON |")
    print("|---|---|--:|--:|--:|--:|--:|--:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name in a.sets.split(","):
            t1, c1, r1 = run(data, name, 1, a.scenarios, out)
            t2, c2, r2 = run(data, name, 2, a.scenarios, out)
            rep = json.loads(r1)
            n = len(rep["explorations"])
            states = sum(e["states"] for e in rep["explorations"])
            same = "yes" if r1 == r2 and c1 == c2 else "**no**"
            print(f"| {name} | {a.scenarios} | {n} | {states:,} | {c1} | {t1:.1f} s | {t2:.1f} s | {t1 / t2:.2f}x | {same} |", flush=True)


if __name__ == "__main__":
    main()
