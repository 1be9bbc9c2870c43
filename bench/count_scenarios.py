"""Issue 16 target: rollout, pod-crash and node-failure on a 10- and a 100-replica Deployment through
``kubecheck check`` (KC-ROLL-001/002): verdicts, which engine decided, wall and CPU seconds, peak RSS.

``python -m bench.count_scenarios [--cli] [--rules all]``

* default: ``run_check`` in this process, one scenario at a time, fresh proof cache (the RSS column is
  the process's peak so far);
* ``--cli``: the three scenarios together (``kubecheck check web.yaml -s rollout,pod-crash,node-failure
  -p KC-ROLL-001,KC-ROLL-002``), each run a fresh ``python -m kubecheck.cli`` process: wall seconds, the
  child's CPU seconds and peak RSS from ``os.wait4``; once with an empty ``--cache-dir`` and once again
  with the cache it filled (a CI rerun);
* ``--rules all``: with ``--cli``, the whole catalogue instead of the two rollout rules;
* ``--manifest FILE``: with ``--cli``, that manifest (its first ``replicas:`` set to 10 and 100) instead of
  :data:`DEPLOYMENT`, e.g. examples/web-deployment.yaml (minReadySeconds 5, maxSurge 1, maxUnavailable 0).

Figures in docs/performance.md (issue 16).  :data:`DEPLOYMENT` is also the manifest of
``tests/symbolic/test_check_count.py``."""

import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kubecheck.runner import CheckConfig, run_check
from model.manifests import load_manifests

#: a plain RollingUpdate Deployment (defaults 25%/25%); callers replace ``replicas: 10``
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 10
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
"""

SCENARIOS = ("rollout", "pod-crash", "node-failure")


def in_process() -> None:
    os.environ["KUBECHECK_CACHE_DIR"] = tempfile.mkdtemp()
    for replicas in (10, 100):
        for scen in SCENARIOS:
            d = Path(tempfile.mkdtemp())
            m = d / "web.yaml"
            m.write_text(DEPLOYMENT.replace("replicas: 10", f"replicas: {replicas}"))
            cfg = CheckConfig(scenarios=(scen,), rule_ids=("KC-ROLL-001", "KC-ROLL-002"), out_dir=str(d / "out"), write_traces=False)
            t = time.monotonic()
            rep = run_check(cfg, load_manifests([str(m)]))
            t = time.monotonic() - t
            decided = [(f.rule_id, f.verdict, "count" if "count model" in (f.note or "") else "explicit") for f in rep.findings]
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(replicas, scen, decided, f"{t:.1f}s", f"{rss:.0f}MiB", flush=True)


def with_replicas(text: str, replicas: int) -> str:
    """``text`` with its first ``replicas:`` field set to ``replicas``."""
    return re.sub(r"^(\s*)replicas: \d+", rf"\g<1>replicas: {replicas}", text, count=1, flags=re.M)


def cli_run(replicas: int, cache: Path, rules: str, manifest: str = DEPLOYMENT) -> dict[str, object]:
    """One ``kubecheck check`` process on the ``replicas`` Deployment with the three scenarios."""
    d = Path(tempfile.mkdtemp())
    m = d / "web.yaml"
    m.write_text(with_replicas(manifest, replicas))
    args = [sys.executable, "-m", "kubecheck.cli", "check", str(m), "-s", ",".join(SCENARIOS), "-f", "json", "-o", str(d / "r.json"),
            "--out", str(d / "out"), "-q", "--cache-dir", str(cache)]
    if rules != "all":
        args += ["-p", "KC-ROLL-001,KC-ROLL-002"]
    t = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t
    code = os.waitstatus_to_exitcode(status)
    doc = json.loads((d / "r.json").read_text()) if (d / "r.json").exists() else {"findings": []}
    by: dict[tuple[str, str], int] = {}
    for f in doc["findings"]:
        engine = "count" if "count-model proof" in f.get("reductions", ()) else "explicit"
        by.setdefault((f["verdict"], engine), 0)
        by[(f["verdict"], engine)] += 1
    return {"replicas": replicas, "exit": code, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024,
            "findings": {f"{v}/{e}": n for (v, e), n in sorted(by.items())}}


def cli(rules: str, manifest: str = DEPLOYMENT) -> None:
    for replicas in (10, 100):
        cache = Path(tempfile.mkdtemp()) / "cache"
        for label in ("cold cache", "warm cache"):
            r = cli_run(replicas, cache, rules, manifest)
            print(f"replicas {replicas:>3}  {label}  exit {r['exit']}  wall {r['wall']:.2f} s  cpu {r['cpu']:.2f} s  "
                  f"peak RSS {r['rss_mib']:.0f} MiB  {r['findings']}  load {os.getloadavg()[0]:.1f}", flush=True)


def main(argv: list[str]) -> int:
    if "--cli" in argv:
        manifest = Path(argv[argv.index("--manifest") + 1]).read_text() if "--manifest" in argv else DEPLOYMENT
        cli("all" if "all" in argv else "rollout", manifest)
    else:
        in_process()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
