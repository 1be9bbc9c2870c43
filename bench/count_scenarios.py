"""Issue 16 target: rollout, pod-crash and node-failure on a 10- and a 100-replica Deployment through
``kubecheck check`` (run_check, KC-ROLL-001/002 only, fresh proof cache): verdict, which engine decided,
wall seconds, peak RSS.  Run: ``python -m bench.count_scenarios``; figures in docs/performance.md.

:data:`DEPLOYMENT` is also the manifest of ``tests/symbolic/test_check_count.py``."""

import os
import resource
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


def main() -> None:
    os.environ["KUBECHECK_CACHE_DIR"] = tempfile.mkdtemp()
    for replicas in (10, 100):
        for scen in ("rollout", "pod-crash", "node-failure"):
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


if __name__ == "__main__":
    main()
