"""``python -m bench mutation``: the mutation score of the catalogue, measured through the CLI.

Every seeded bug of tests/mutation/mutants.py (one behaviour of a controller, the kubelet, the
scheduler, the node lifecycle controller, the garbage collector, label selectors or the eviction
API, patched in a copy: the model's code is not touched) is run through ``kubecheck check`` on the
small realistic manifest sets of :data:`CASES`, each with the scenarios a user would pick for it.
A mutant is *killed* when, on some case, the verdicts (scenario, rule, subject, verdict) or the
exit code differ from the unmutated run; the kind of difference is recorded (a rule VIOLATED that
held, a violation that went away, only an internal error, only a bound).

Each mutant runs in a fresh interpreter (``spawn``), so no cache of the model (selector plans,
memoised kubelet steps) carries results from one mutant to another; two workers by default.

Results go to ``docs/mutation.json`` (committed); ``python -m properties --markdown`` renders the
"Mutation score" section of docs/properties.md from it, so regenerating the properties doc keeps it.

Options: ``--only NAME,..`` (mutants), ``--jobs N``, ``--timeout S`` (per search, default 30),
``--no-write``, ``--merge`` (with ``--only``: replace those mutants' entries in docs/mutation.json,
which must have been measured on the same cases; each entry is judged against the baseline of its own
run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "mutation.json"

#: (manifest path relative to the repository, scenarios as given to ``-s``).  ``default`` is
#: ``kubecheck check`` without ``-s`` (rollout and pod-crash); ``file:PATH`` is ``--scenario-file PATH``.
#: The scenarios a user would pick besides the default: node-failure for anything with replicas to
#: lose, drain for PodDisruptionBudgets, rollback and delete (helm uninstall) for Deployments, scale and
#: sandbox-death for a ReplicaSet behind a Service, scale for a StatefulSet, and the documented
#: "relabel a pod out of its ReplicaSet to debug it" and "a node is lost and nobody fences it" (node-failure
#: without the operator) as scenario files; and rolling out the fix for a release whose readiness keeps failing.
CASES: tuple[tuple[str, str], ...] = (
    ("examples/replicaset.yaml", "default"),
    ("examples/replication-controller.yaml", "default"),
    ("examples/statefulset.yaml", "default"),
    ("examples/mixed-list.yaml", "default"),
    ("examples/violations/single-replica-api.yaml", "default"),
    ("examples/incidents/statefulset-node-failure.yaml", "node-failure"),
    ("examples/incidents/drain-1-replica-pdb.yaml", "drain"),
    ("tests/mutation/manifests/web-percent.yaml", "default"),
    ("tests/mutation/manifests/web-percent.yaml", "node-failure"),
    ("tests/mutation/manifests/worker-recreate.yaml", "default"),
    ("tests/mutation/manifests/worker-recreate.yaml", "rollback"),
    ("tests/mutation/manifests/worker-recreate.yaml", "delete"),
    ("tests/mutation/manifests/api-pdb.yaml", "drain"),
    ("tests/mutation/manifests/api-pdb.yaml", "node-failure"),
    ("tests/mutation/manifests/stable-canary.yaml", "default"),
    ("tests/mutation/manifests/frontend-migration.yaml", "default"),
    ("tests/mutation/manifests/cache-rs.yaml", "default"),
    ("tests/mutation/manifests/cache-rs.yaml", "node-failure"),
    ("tests/mutation/manifests/cache-rs.yaml", "file:tests/mutation/manifests/node-lost-no-operator.scenario.yaml"),
    ("tests/mutation/manifests/cache-rs.yaml", "scale"),
    ("tests/mutation/manifests/cache-rs.yaml", "sandbox-death"),
    ("tests/mutation/manifests/cache-rs.yaml", "file:tests/mutation/manifests/take-pod-out.scenario.yaml"),
    ("tests/mutation/manifests/db-statefulset.yaml", "default"),
    ("tests/mutation/manifests/db-statefulset.yaml", "node-failure"),
    ("tests/mutation/manifests/db-statefulset.yaml", "scale"),
    ("tests/mutation/manifests/api-hotfix.yaml", "default"),
    ("tests/mutation/manifests/api-hotfix-1.yaml", "default"),
)

#: The mutants the issue lists by behaviour (issue #23, item 5), by name in tests/mutation/mutants.py.
ISSUE_LIST: dict[str, str] = {
    "fenceposts_rounding_flipped": "wrong rounding (maxSurge/maxUnavailable resolve)",
    "reconcile_old_min_available_off_by_one": "off-by-one in reconcileOldReplicaSets' minAvailable",
    "recreate_does_not_wait_for_old_pods": "Recreate not waiting for old pods",
    "rollback_to_current_revision": "rollback to the current revision",
    "scheduler_binds_to_not_ready_nodes": "scheduler binding to NotReady nodes",
    "kubelet_ready_before_probe": "kubelet Ready before the probe passes",
    "nodelifecycle_never_marks_pods_not_ready": "node lifecycle never marking pods NotReady",
    "taint_eviction_grace_zero": "taint eviction with grace 0",
    "gc_never_deletes_dependents_of_gone_owners": "GC never deleting orphans' dependents",
    "selector_notin_absent_key": "selector notin on an absent key",
}


#: Why a mutant survives (written into docs/mutation.json with the result, rendered in docs/properties.md).
WHY_SURVIVED: dict[str, str] = {
    "reconcile_old_min_available_off_by_one": (
        "the wrong minAvailable only feeds maxScaledDown, which bounds cleanupUnhealthyReplicas; "
        "scaleDownOldReplicaSetsForRollingUpdate recomputes minAvailable itself, so with healthy old pods the bug "
        "changes nothing. It shows only when old pods are unhealthy during a rollout (rolling out the fix for a "
        "release whose readiness keeps failing, tests/mutation/manifests/api-hotfix.yaml): there the mutated model "
        "violates KC-ROLL-001, but the unmutated search of that case is cut by the state bound (50,000) before it "
        "is exhaustive, and a violation against a bounded baseline is not counted as a kill (the real model may "
        "violate KC-ROLL-001 there too: maxUnavailable is a decision bound, docs/semantics.md 'Property semantics' "
        "3.2). Open: a smaller hotfix manifest (1 replica) or a symmetry-reduced search that completes."
    ),
    "pdb_counts_unready_pods_healthy": (
        "the disruption controller's healthy count only decides an eviction tried while a pod the budget selects is "
        "unready. In the cases here no such eviction happens (a drain evicts a Ready pod of a healthy workload), and "
        "the scenario that tries one (`kubectl drain` while a container may crash) already violates KC-PDB-001 on "
        "the real model: the API server judges the PDB status the controller last wrote, so a pod that crashed since "
        "that write is still counted healthy (kubernetes#34776, docs/semantics.md). The bug makes that stale count "
        "permanent; the verdict is the same, so no verdict can tell them apart. Guarded instead by the upstream "
        "table: tests/model/test_disruption.py::test_unavailable (disruption_test.go TestUnavailable) fails under "
        "this bug, which tests/mutation/test_cli_mutation.py asserts."
    ),
}


def cli_args(path: str, scenarios: str, out_dir: str, output: str, timeout: float) -> list[str]:
    args = ["check", "-q", "-f", "json", "-o", output, "--out", out_dir, "--timeout", str(timeout)]
    if scenarios.startswith("file:"):
        args += ["--scenario-file", scenarios[len("file:"):]]
    elif scenarios != "default":
        args += ["-s", scenarios]
    return args + [path]


def run_case(path: str, scenarios: str, timeout: float = 30.0) -> dict[str, Any]:
    """``kubecheck check`` in this process (with whatever patch is active): its exit code and verdicts."""
    from kubecheck.cli import main

    with tempfile.TemporaryDirectory(prefix="kc-mut-") as tmp:
        output = os.path.join(tmp, "out.json")
        out, err = io.StringIO(), io.StringIO()
        code: Any = 0
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main(cli_args(path, scenarios, os.path.join(tmp, "traces"), output, timeout))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            os.chdir(cwd)
        findings: list[tuple[str, str, str, str]] = []
        if os.path.exists(output):
            with open(output, encoding="utf-8") as f:
                doc = json.load(f)
            for fd in doc.get("findings", []):
                findings.append((fd.get("scenario", ""), fd["rule_id"], ", ".join(fd.get("objects") or []), str(fd["verdict"]).upper()))
    stderr = err.getvalue().strip().splitlines()
    return {"exit": code, "findings": sorted(set(findings)), "stderr": stderr[-1] if stderr and code == 2 else ""}


#: Verdicts a bound produced: a difference only in these is no kill (the search was cut, nothing was shown).
_BOUNDED = ("HOLDS_WITHIN_BOUNDS", "BOUNDED")


def compare(base: dict[str, Any], mut: dict[str, Any]) -> dict[str, Any] | None:
    """How a mutant's run differs from the baseline's: None when identical; else the kind of difference
    (``violation``: a rule VIOLATED that held or was not reported; ``fixed``: a baseline violation is
    gone; ``error``: only an internal error / exit 2; ``bound``: only verdicts cut by a bound) and the
    rules whose verdict changed."""
    if base["exit"] == mut["exit"] and [list(f) for f in base["findings"]] == [list(f) for f in mut["findings"]]:
        return None
    b = {tuple(f[:3]): f[3] for f in base["findings"]}
    m = {tuple(f[:3]): f[3] for f in mut["findings"]}
    # Only against an exhaustive verdict: a violation where the baseline search was cut by a bound (or a
    # violation gone where the mutant's search was cut) may just be the other run's luck with the clock.
    newly_violated = sorted({k[1] for k, v in m.items() if v == "VIOLATED" and b.get(k, "HOLDS") == "HOLDS"})
    def now(k: tuple[Any, ...]) -> str | None:
        """The mutant's verdict on baseline finding ``k``.  A cluster-wide finding with a subject names the object
        its counterexample is about (KC-DRAIN-001: the budget, KC-ROLL-004: the Service) and a holding one names
        none, so a violation that is gone shows up under other objects: the one verdict the mutant gives that
        rule in that scenario under objects the baseline does not have."""
        if k in m:
            return m[k]
        others = {v for j, v in m.items() if j[:2] == k[:2] and j not in b}
        return others.pop() if len(others) == 1 else None

    fixed = sorted({k[1] for k, v in b.items() if v == "VIOLATED" and now(k) == "HOLDS"})
    changed = sorted({k[1] for k in set(b) | set(m) if b.get(k) != m.get(k)})
    if newly_violated:
        kind = "violation"
    elif mut["exit"] == 2 or any(v == "ERROR" for v in m.values()):
        kind = "error"
    elif fixed:
        kind = "fixed"
    else:
        kind = "bound"  # only HOLDS <-> a bounded verdict (or an exit 0 <-> 3): not a kill
    return {"kind": kind, "violated": newly_violated, "fixed": fixed, "changed": changed,
            "exit": [base["exit"], mut["exit"]], "stderr": mut.get("stderr", "")}


def _run_all(mutant: str | None, timeout: float) -> dict[str, Any]:
    """One process: the baseline (``mutant`` None) or one mutant, over every case."""
    sys.path.insert(0, str(ROOT))
    from tests.mutation.mutants import MUTANTS

    started = time.monotonic()
    ctx = MUTANTS[mutant].patch() if mutant else contextlib.nullcontext()
    runs: dict[str, Any] = {}
    with ctx:
        for path, scen in CASES:
            runs[f"{path} -s {scen}"] = run_case(path, scen, timeout)
    return {"mutant": mutant, "runs": runs, "seconds": round(time.monotonic() - started, 1)}


def measure(names: list[str], jobs: int, timeout: float) -> dict[str, Any]:
    from tests.mutation.mutants import MUTANTS

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, maxtasksperchild=1) as pool:
        baseline = pool.apply_async(_run_all, (None, timeout))
        pending = {n: pool.apply_async(_run_all, (n, timeout)) for n in names}
        base = baseline.get()
        results: dict[str, Any] = {}
        for n, fut in pending.items():
            got = fut.get()
            diffs = {case: d for case, run in got["runs"].items() if (d := compare(base["runs"][case], run)) is not None}
            kinds = {d["kind"] for d in diffs.values()}
            killers = sorted({r for d in diffs.values() for r in d["violated"] + d["fixed"]})
            m = MUTANTS[n]
            by = next((k for k in ("violation", "fixed", "error", "bound") if k in kinds), "")
            results[n] = {
                "cases_run": len(CASES),
                "why": "" if by in ("violation", "fixed", "error") else WHY_SURVIVED.get(n, ""),
                "description": m.description,
                "issue": ISSUE_LIST.get(n, ""),
                "expected": list(m.expected),
                "killed": by in ("violation", "fixed", "error"),
                "by": by,
                "rules": killers,
                "cases": diffs,
                "seconds": got["seconds"],
            }
            mark = "killed" if results[n]["killed"] else "SURVIVED"
            print(f"{n:45s} {mark:8s} {results[n]['by']:9s} {', '.join(killers)}  ({got['seconds']} s)", flush=True)
    return _summarise({
        "schema": "kubecheck-mutation/1",
        "command": "python -m bench mutation",
        "cases": [f"{p} -s {s}" for p, s in CASES],
        "timeout": timeout,
        "baseline": {case: {"exit": r["exit"], "violated": sorted({f[1] for f in r["findings"] if f[3] == "VIOLATED"})}
                     for case, r in base["runs"].items()},
        "mutants": results,
    })


def _summarise(report: dict[str, Any]) -> dict[str, Any]:
    results = report["mutants"]
    for n, r in results.items():
        if not r["killed"] and not r.get("why"):
            r["why"] = WHY_SURVIVED.get(n, "")
    issue = [n for n in results if n in ISSUE_LIST]
    report["summary"] = {
        "mutants": len(results),
        "killed": sum(1 for r in results.values() if r["killed"]),
        "killed_by_verdict": sum(1 for r in results.values() if r["by"] in ("violation", "fixed")),
        "issue_list": len(issue),
        "issue_list_killed": sum(1 for n in issue if results[n]["killed"]),
    }
    return report


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench mutation")
    ap.add_argument("--only", default="", help="comma-separated mutant names (default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--merge", action="store_true",
                    help="with --only: replace those mutants' entries in docs/mutation.json (same cases required)")
    opts = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.mutation.mutants import MUTANTS

    names = [n for n in opts.only.split(",") if n] or sorted(MUTANTS)
    unknown = [n for n in names if n not in MUTANTS]
    if unknown:
        print(f"unknown mutants: {', '.join(unknown)}", file=sys.stderr)
        return 2
    started = time.monotonic()
    report = measure(names, opts.jobs, opts.timeout)
    report["seconds"] = round(time.monotonic() - started, 1)
    s = report["summary"]
    print(f"\nkilled through the CLI: {s['killed']}/{s['mutants']} ({100 * s['killed'] / max(s['mutants'], 1):.1f}%), "
          f"by a verdict {s['killed_by_verdict']}; the issue's list: {s['issue_list_killed']}/{s['issue_list']}; "
          f"{report['seconds']} s")
    if opts.merge:
        old = json.loads(RESULTS.read_text(encoding="utf-8"))
        if not set(old["cases"]) <= set(report["cases"]):
            print("--merge: docs/mutation.json was measured on cases that are gone; run without --only", file=sys.stderr)
            return 2
        # A mutant not re-run keeps its result on the cases it ran on (a kill stays a kill on more cases).
        for m in old["mutants"].values():
            m.setdefault("cases_run", len(old["cases"]))
        old["mutants"].update(report["mutants"])
        old["seconds"] = round(old.get("seconds", 0) + report["seconds"], 1)
        report = _summarise({**old, "cases": report["cases"], "baseline": {**old["baseline"], **report["baseline"]}})
    if not opts.no_write:
        RESULTS.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}; regenerate docs/properties.md with "
              f"python -m properties --markdown > docs/properties.md")
    return 0
