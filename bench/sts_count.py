"""Issue 16 item 1 (StatefulSets): ``kubecheck check`` on the 10- and 50-replica StatefulSets of
examples/statefulset-count/ (default scenarios rollout,pod-crash), KC-STS-005/006 or the whole
catalogue: exit code, which engine decided, wall and CPU seconds and peak RSS of the child process.

``python -m bench.sts_count [--rules all] [--baseline]``

Each run is a fresh ``python -m kubecheck.cli`` process (CPU seconds and peak RSS from ``os.wait4``),
once with an empty ``--cache-dir`` and once with the cache it filled.  ``--baseline``: the same runs
with the StatefulSet abstraction switched off (what ``check`` did before it).  Figures in
docs/performance.md ("The StatefulSet abstraction in kubecheck check")."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("examples/statefulset-count/db-10.yaml", "examples/statefulset-count/db-50-parallel.yaml")
#: runs the CLI with the abstraction off (for --baseline)
_OFF = ("import sys, kubecheck.symbolic.statefulset_check as m; m.decide_statefulsets_before_search = lambda *a, **k: {}; "
        "from kubecheck.cli import main; sys.exit(main(sys.argv[1:]))")


def run(path: str, cache: Path, rules: str, baseline: bool) -> dict[str, object]:
    d = Path(tempfile.mkdtemp())
    head = [sys.executable, "-c", _OFF] if baseline else [sys.executable, "-m", "kubecheck.cli"]
    args = head + ["check", str(ROOT / path), "-f", "json", "-o", str(d / "r.json"), "--out", str(d / "out"), "-q",
                   "--cache-dir", str(cache)]
    if rules != "all":
        args += ["-p", "KC-STS-005,KC-STS-006"]
    t = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t
    doc = json.loads((d / "r.json").read_text()) if (d / "r.json").exists() else {"findings": []}
    by: dict[str, int] = {}
    for f in doc["findings"]:
        key = f"{f['verdict']}/{'abstraction' if 'count-model proof' in f.get('reductions', ()) else 'explicit'}"
        by[key] = by.get(key, 0) + 1
    return {"exit": os.waitstatus_to_exitcode(status), "wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
            "rss_mib": ru.ru_maxrss / 1024, "findings": dict(sorted(by.items()))}


def main(argv: list[str]) -> int:
    rules = "all" if "--rules" in argv and argv[argv.index("--rules") + 1] == "all" else "sts"
    baseline = "--baseline" in argv
    for path in EXAMPLES:
        cache = Path(tempfile.mkdtemp()) / "cache"
        for label in (("cold cache", "warm cache") if not baseline else ("abstraction off",)):
            r = run(path, cache, rules, baseline)
            print(f"{Path(path).name:<22} {label:<15} exit {r['exit']}  wall {r['wall']:.2f} s  cpu {r['cpu']:.2f} s  "
                  f"peak RSS {r['rss_mib']:.0f} MiB  {r['findings']}  load {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
