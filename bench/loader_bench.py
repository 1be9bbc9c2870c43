"""Manifest loader scaling: time and peak memory of ``model.manifests.load_manifests`` against input size.

Inputs (generated, written to a temporary file, loaded from it as ``kubecheck check FILE`` would):

* ``list``: one ``kind: List`` of N ConfigMaps shaped like a ``kubectl get configmaps -o yaml``
  export (metadata with uid, resourceVersion, labels, annotations; ~1 KB of data each): skipped
  kinds, so this measures YAML parsing, the walk and the List flattening.
* ``stream``: N Deployment documents separated by ``---`` (helm template's shape): every object is
  decoded, defaulted, validated and built.
* ``attack``: the hostile documents of issue 23 (exponential merge keys, billion laughs, a
  self-merging anchor, 10,000 levels of nesting, a 40 MB document): time to the one-line error.

Each measurement runs in a fresh interpreter (``--one CASE N`` prints one JSON line), so the peak
RSS (``ru_maxrss``) is that of the process after the load; the interpreter after imports is shown apart.  The
``growth`` line fits ``seconds ~ bytes^k`` (least squares on logs): k ~ 1 is linear.

Run: ``python -m bench loader [--list 1000,2000,4000,8000,10000] [--stream 1000,...] [--no-write]``;
writes the "Manifest loader scaling" section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LIST_SIZES = (1000, 2000, 4000, 8000, 10000)
STREAM_SIZES = (1000, 2000, 4000, 8000, 10000)
ATTACKS = ("merge-bomb", "billion-laughs", "self-merge", "deep-nesting", "nesting-150", "huge-document")


def configmap_list(n: int) -> str:
    """A ``kind: List`` of ``n`` ConfigMaps as ``kubectl get configmaps -o yaml`` prints it."""
    out = ["apiVersion: v1", "items:"]
    blob = "".join(f"      line {j}: some configuration value that is long enough to matter\n" for j in range(12))
    for i in range(n):
        out.append(
            f"- apiVersion: v1\n  data:\n    config.yaml: |\n{blob}    key: value-{i}\n    other: \"{i}\"\n"
            f"  kind: ConfigMap\n  metadata:\n    annotations:\n      owner: team-{i % 13}\n"
            f"    creationTimestamp: \"2026-12-01T10:00:00Z\"\n    labels:\n      app: web\n      tier: t{i % 7}\n"
            f"    name: cm-{i}\n    namespace: default\n    resourceVersion: \"{1000 + i}\"\n"
            f"    uid: 00000000-0000-0000-0000-{i:012d}"
        )
    out += ["kind: List", "metadata:", '  resourceVersion: ""']
    return "\n".join(out) + "\n"


def deployment_stream(n: int) -> str:
    """``n`` Deployment documents separated by ``---`` (with helm's ``# Source:`` comments)."""
    docs = []
    for i in range(n):
        docs.append(
            f"# Source: chart/templates/deploy-{i}.yaml\napiVersion: apps/v1\nkind: Deployment\n"
            f"metadata:\n  name: web-{i}\n  labels: {{app: web-{i}}}\nspec:\n  replicas: {1 + i % 3}\n"
            f"  selector:\n    matchLabels: {{app: web-{i}}}\n  strategy:\n    type: RollingUpdate\n"
            f"    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}\n  template:\n"
            f"    metadata:\n      labels: {{app: web-{i}}}\n    spec:\n      containers:\n"
            f"      - name: web\n        image: nginx:1.27\n        ports: [{{containerPort: 80}}]\n"
            f"        readinessProbe: {{httpGet: {{path: /, port: 80}}}}\n"
        )
    return "---\n".join(docs)


def attack(name: str) -> str:
    """The hostile inputs of issue 23 item 1."""
    if name == "merge-bomb":  # 9 lines; 10^8 merges if expanded
        rows = ["a: &a {}"]
        for p, c in zip("abcdefgh", "bcdefghi"):
            rows.append(f"{c}: &{c} {{<<: [{', '.join([f'*{p}'] * 10)}]}}")
        return "\n".join(rows) + "\n"
    if name == "billion-laughs":
        rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for p, c in zip("abcdefgh", "bcdefghi"):
            rows.append(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]")
        return "\n".join(rows) + "\n"
    if name == "self-merge":
        return "a: &a {<<: [*a]}\n"
    if name == "deep-nesting":
        return "a: " + "[" * 10_000 + "]" * 10_000 + "\n"
    if name == "nesting-150":  # deeper than kubecheck's 100 levels, within libyaml's own limit
        return "a: " + "[" * 150 + "]" * 150 + "\n"
    if name == "huge-document":
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + "".join(
            f"  k{i}: {'x' * 80}\n" for i in range(440_000))
    raise SystemExit(f"unknown attack {name!r}; known: {', '.join(ATTACKS)}")


def text_for(case: str, n: int) -> str:
    if case == "list":
        return configmap_list(n)
    if case == "stream":
        return deployment_stream(n)
    return attack(case)


def measure_one(path: str) -> dict[str, Any]:
    """Load ``path`` in this interpreter: seconds, peak RSS growth, what came out."""
    from model.manifests import load_manifests

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    result = load_manifests([path])
    seconds = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak_rss": rss1, "baseline_rss": rss0, "objects": len(result.objects),
            "skipped": len(result.skipped), "errors": [str(e).replace(path, "FILE") for e in result.errors[:2]]}


def measure(case: str, n: int, timeout: float) -> dict[str, Any]:
    """One measurement in a fresh interpreter (the input written to a temporary file first)."""
    text = text_for(case, n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.yaml"
        path.write_text(text)
        try:
            proc = subprocess.run([sys.executable, "-m", "bench.loader_bench", "--one", str(path)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"case": case, "n": n, "bytes": len(text.encode()), "seconds": None, "timeout": timeout}
    if proc.returncode != 0:
        raise SystemExit(f"{case} {n}: {proc.stderr.strip()}")
    row: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    row.update(case=case, n=n, bytes=len(text.encode()))
    return row


def growth(rows: list[dict[str, Any]]) -> float | None:
    """The exponent k of ``seconds ~ bytes^k`` (least squares on logs), None for fewer than two rows."""
    pts = [(math.log(r["bytes"]), math.log(r["seconds"])) for r in rows if r.get("seconds")]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f}"


def markdown(lists: list[dict[str, Any]], streams: list[dict[str, Any]], attacks: list[dict[str, Any]], meta: str) -> str:
    base = min((r["baseline_rss"] for r in lists + streams + attacks if "baseline_rss" in r), default=0)
    out = [f"Generated by `python -m bench loader` ({meta}). Each row is one fresh interpreter loading one file "
           "with `load_manifests`; peak RSS is the process's `ru_maxrss` after the load (the interpreter with kubecheck "
           f"imported, before loading: {_mb(base)} MB).", ""]
    for title, rows, what in (("`kind: List` of N ConfigMaps (a `kubectl get -o yaml` export; skipped kinds)", lists, "skipped"),
                              ("N Deployment documents separated by `---` (decoded, defaulted, validated)", streams, "objects")):
        out += [f"**{title}**", "", f"| N | input MB | seconds | s per MB | peak RSS MB | {what} |", "|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            if r.get("seconds") is None:
                out.append(f"| {r['n']:,} | {_mb(r['bytes'])} | > {r['timeout']:.0f} (killed) | | | |")
                continue
            out.append(f"| {r['n']:,} | {_mb(r['bytes'])} | {r['seconds']:.2f} | {r['seconds'] / (r['bytes'] / 1e6):.2f} | "
                       f"{_mb(r['peak_rss'])} | {r[what]:,} |")
        k = growth(rows)
        out += ["", f"Growth: seconds ~ bytes^{k:.2f} (1.00 is linear)." if k is not None else "", ""]
    out += ["**Hostile inputs (issue 23): time to the one-line error**", "", "| input | bytes | seconds | error |", "|---|---:|---:|---|"]
    for r in attacks:
        err = r.get("errors") or ["(none)"]
        secs = f"{r['seconds']:.3f}" if r.get("seconds") is not None else f"> {r['timeout']:.0f} (killed)"
        out.append(f"| {r['case']} | {r['bytes']:,} | {secs} | `{err[0]}` |")
    return "\n".join(out) + "\n"


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench loader", description=__doc__.split("\n")[0])
    ap.add_argument("--list", default=",".join(map(str, LIST_SIZES)), help="ConfigMaps per List (comma list)")
    ap.add_argument("--stream", default=",".join(map(str, STREAM_SIZES)), help="Deployment documents (comma list)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per load before it is killed")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    ap.add_argument("--one", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    lists = [measure("list", n, args.timeout) for n in _sizes(args.list)]
    streams = [measure("stream", n, args.timeout) for n in _sizes(args.stream)]
    attacks = [measure(a, 0, args.timeout) for a in ATTACKS]
    load = ", ".join(f"{x:.1f}" for x in __import__("os").getloadavg())
    meta = f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, Python {platform.python_version()}, load average {load}"
    md = markdown(lists, streams, attacks, meta)
    print(md)
    if not args.no_write:
        from bench.runner import DOC, write_section

        write_section(DOC, "loader", "Manifest loader scaling (generated)", md)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
