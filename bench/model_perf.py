"""Model hot-path benchmark: ``python -m bench.model_perf [throughput | targets | all] [options]``.

* ``throughput [--states N] [--repeat K]``: the profile workload of docs/performance.md ("Model hot
  path"): ``examples/web-deployment.yaml`` (3 replicas, maxSurge 1, maxUnavailable 0, a readiness
  probe, minReadySeconds) on one node, settled, then one ``set image``; BFS with
  ``granularity="write"``, no property, ``max_states=N`` (default 4000).  Prints distinct states per
  second, wall and CPU (the best of K runs; the machine is shared, so CPU time is the steadier figure).
* ``targets [--timeout S] [--max-memory MiB] [--quick | --issue] [--granularity G]``: the issue's scenarios, each explored in a
  fresh interpreter (so the peak RSS is its own) with a wall-time and a memory bound:

  (b) Deployment rolling update, R replicas, maxSurge/maxUnavailable variant, 0-2 container
      crashes, symmetry off and on (invariant KC-OWN-001 only: symmetry is refused for eventual
      properties);
  (d) node failure: a ReplicaSet of R replicas spread over 3 nodes, one node may fail.

  Every scenario starts from the settled cluster (first fair action until none) and uses
  ``granularity="reconcile"`` as bench/scenarios.py does.  One line per run: states,
  transitions, seconds, states/s, peak RSS, and whether the space was exhausted or which bound
  was hit.
* ``one KIND R SURGE UNAVAIL CRASHES SYM GRANULARITY TIMEOUT MAXMEM``: one run (used by ``targets``).
* ``symmetry [--sizes 3..6] [--crashes C] [--repeat K] [--timeout S] [--max-memory MiB]``: (b) with
  symmetry at each size, maxSurge 1 / maxUnavailable 0, the best CPU time of K fresh-interpreter
  runs (docs/performance.md, "Symmetry hot path"); sizes stop growing at the first cut run.
* ``settle [--replicas 100,300] [--eager]``: the CLI's start-up (``kubecheck.scenarios.settle``) of one
  Deployment with R replicas over 2 nodes (110 pods each): steps and seconds.  ``--eager`` makes it
  choose from the full successor list, as before the lazy enumeration (same steps, for comparison).

* ``issue17 [--timeout S] [--max-memory MiB] [--cli]``: the figures of issue #17 (docs/performance.md, "Issue #17"),
  each run in a fresh interpreter: (b) at R = 3 (maxSurge 1, maxUnavailable 0) without symmetry, write and
  reconcile granularity, 0 and 2 container crashes: states, CPU seconds, distinct states per CPU second,
  peak RSS and the RSS per stored state (peak minus the interpreter's RSS before the search, over the
  states).  ``--cli`` adds ``kubecheck check examples/web-deployment.yaml -s rollout --max-states 0
  --timeout 0`` (the issue's exhaustive run), timed as a process.

``python -m bench model ...`` runs :func:`main`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant
from model.environment import FaultBudget, SetImage
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import ContainerSpec, Deployment, DeploymentStrategy, Node, PodTemplate, ReplicaSet
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

__all__ = ["main", "settle", "rollout_system", "node_failure_system", "web_example_system", "throughput"]

ROOT = Path(__file__).resolve().parents[1]


def settle(scenario: Scenario) -> ClusterState:
    """The settled cluster (:func:`bench.scenarios.settle`, the CLI's spreading start-up).

    One settle for every benchmark: until session 2 this module took the first fair action, which
    bound every pod of :func:`node_failure_system` to ``node-1`` (2,543 states at R=3 instead of 73
    with the pods spread); single-node scenarios such as :func:`rollout_system` start from the same
    state either way.
    """
    from bench.scenarios import settle as bench_settle

    return bench_settle(scenario)


def _template(image: str) -> PodTemplate:
    return PodTemplate(labels=FrozenMap({"app": "web"}), containers=(ContainerSpec("app", image),))


def rollout_system(replicas: int, surge: Any = 1, unavailable: Any = 0, crashes: int = 0, granularity: str = "reconcile") -> KubeSystem:
    """(b): Deployment ``web`` with ``replicas`` on one node, settled; one ``set image``; ``crashes``
    container crashes may happen at any time."""
    d = Deployment(
        name="web",
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("nginx:1"),
        strategy=DeploymentStrategy(max_surge=surge, max_unavailable=unavailable),
    )
    base = Scenario(ClusterState.from_objects([d, Node(name="node-1")]), granularity=granularity, name=f"rollout-{replicas}")  # type: ignore[arg-type]
    return KubeSystem(
        replace(
            base,
            initial=settle(base),
            user_actions=(SetImage("Deployment", "web", "nginx:2"),),
            faults=FaultBudget(container_crash=crashes),
        )
    )


def node_failure_system(replicas: int, nodes: int = 3, granularity: str = "reconcile") -> KubeSystem:
    """(d): ReplicaSet ``web`` with ``replicas`` spread over ``nodes`` nodes, settled; one node may fail."""
    rs = ReplicaSet(
        name="web",
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("nginx:1"),
    )
    objs = [rs, *(Node(name=f"node-{i}") for i in range(1, nodes + 1))]
    base = Scenario(ClusterState.from_objects(objs), granularity=granularity, name=f"node-failure-{replicas}")  # type: ignore[arg-type]
    return KubeSystem(replace(base, initial=settle(base), faults=FaultBudget(node_failure=1)))


def web_example_system() -> KubeSystem:
    """The throughput workload: examples/web-deployment.yaml on one node, settled, one ``set image``."""
    from model.manifests import load_manifests

    start = load_manifests([str(ROOT / "examples" / "web-deployment.yaml")]).to_state().put(Node(name="node-1", uid="node-uid-1"))
    base = Scenario(initial=start, name="web-example")
    return KubeSystem(replace(base, initial=settle(base), user_actions=(SetImage(kind="Deployment", name="web", image="nginx:2"),)))


def _one_owner(s: SystemState) -> bool:
    """KC-OWN-001's predicate: no pod has more than one controller owner reference."""
    return all(sum(1 for r in p.owner_references if r.controller) <= 1 for p in s.cluster.pods.values())


def throughput(states: int = 4000, repeat: int = 3) -> dict[str, float]:
    best_wall = best_cpu = 0.0
    for _ in range(repeat):
        system = web_example_system()
        t, c = time.perf_counter(), time.process_time()
        r = explore(system, [], max_states=states, progress=False)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        best_wall = max(best_wall, r.stats.states / wall)
        best_cpu = max(best_cpu, r.stats.states / cpu)
    return {"states": float(states), "wall_states_per_s": best_wall, "cpu_states_per_s": best_cpu}


def _run_one(kind: str, r: int, surge: Any, unavail: Any, crashes: int, sym: bool, granularity: str, timeout: float, max_mib: int) -> dict[str, Any]:
    if kind == "rollout":
        system = rollout_system(r, surge, unavail, crashes, granularity)
    else:
        system = node_failure_system(r, 3, granularity)
    prop = invariant("KC-OWN-001", "at most one controller owner per pod", _one_owner)
    rss0 = _current_rss()
    cpu = time.process_time()
    res = explore(system, [prop], symmetry=sym, timeout=timeout, max_memory=max_mib << 20, progress=False)
    cpu = time.process_time() - cpu
    st = res.stats
    return {
        "states": st.states,
        "transitions": st.transitions,
        "seconds": round(st.seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "states_per_s": round(st.states / st.seconds) if st.seconds else 0,
        "peak_rss_mib": round(st.peak_memory_bytes / 2**20),
        "bytes_per_state": round((st.peak_memory_bytes - rss0) / st.states) if st.states else 0,
        "states_per_cpu_s": round(st.states / cpu) if cpu else 0,
        "complete": res.complete,
        "bound": res.bound_hit,
        "verdict": res.result("KC-OWN-001").verdict.value,
    }


def _current_rss() -> int:
    """This process's resident set size in bytes (``/proc/self/statm``; 0 where there is none)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _parse_int_or_pct(v: str) -> Any:
    return v if v.endswith("%") else int(v)


TARGETS_FULL: tuple[tuple[Any, ...], ...] = tuple(
    [("rollout", r, 1, 0, c, sym) for r in (3, 5, 10) for c in (0, 2) for sym in (False, True)]
    + [("rollout", r, 0, 1, 2, sym) for r in (3, 5, 10) for sym in (False, True)]
    + [("rollout", r, "25%", "25%", 2, sym) for r in (5, 10) for sym in (False, True)]
    + [("node-failure", r, 0, 0, 0, sym) for r in (3, 6) for sym in (False, True)]
)
#: The issue's named targets only: R = 3, 5, 10 with 2 crashes, and a 3-node node failure.
TARGETS_ISSUE: tuple[tuple[Any, ...], ...] = tuple(
    [("rollout", r, 1, 0, 2, sym) for r in (3, 5, 10) for sym in (False, True)]
    + [("node-failure", 3, 0, 0, 0, sym) for sym in (False, True)]
)
TARGETS_QUICK: tuple[tuple[Any, ...], ...] = (
    ("rollout", 3, 1, 0, 2, False),
    ("rollout", 3, 1, 0, 2, True),
    ("node-failure", 3, 0, 0, 0, False),
    ("node-failure", 3, 0, 0, 0, True),
)


ISSUE17: tuple[tuple[Any, ...], ...] = (
    ("rollout", 3, 1, 0, 0, False, "reconcile"),
    ("rollout", 3, 1, 0, 0, False, "write"),
    ("rollout", 3, 1, 0, 2, False, "reconcile"),
)


def issue17(timeout: float, max_mib: int, cli: bool) -> list[dict[str, Any]]:
    """The figures of issue #17 (see the module docstring), one markdown row per run."""
    rows = []
    print("| run | states | complete | CPU s | states per CPU s | peak RSS | bytes per stored state |")
    print("|---|---|---|---|---|---|---|")
    for kind, r, surge, unavail, crashes, sym, gran in ISSUE17:
        cmd = [sys.executable, "-m", "bench.model_perf", "one", kind, str(r), str(surge), str(unavail), str(crashes), str(int(sym)), gran, str(timeout), str(max_mib)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * 3 + 120, cwd=ROOT, check=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        row.update(kind=kind, r=r, crashes=crashes, granularity=gran)
        rows.append(row)
        print(f"| (b) R={r} crashes={crashes} {gran}, no symmetry | {row['states']:,} | {'yes' if row['complete'] else 'cut: ' + str(row['bound'])} | "
              f"{row['cpu_seconds']} | {row['states_per_cpu_s']:,} | {row['peak_rss_mib']} MiB | {row['bytes_per_state']:,} |", flush=True)
    if cli:
        import resource

        cmd = [sys.executable, "-m", "kubecheck.cli", "check", "examples/web-deployment.yaml", "-s", "rollout", "--max-states", "0", "--timeout", "0", "-q"]
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter() - t
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        row = {"cli": True, "exit": proc.returncode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "peak_rss_mib": round(after.ru_maxrss / 1024)}
        rows.append(row)
        print(f"| `kubecheck check examples/web-deployment.yaml -s rollout --max-states 0 --timeout 0` | | exit {proc.returncode} | "
              f"{row['cpu_s']} (wall {row['wall_s']}) | | {row['peak_rss_mib']} MiB (largest child so far) | |", flush=True)
    return rows


def targets(timeout: float, max_mib: int, which: str = "full", granularity: str = "reconcile") -> list[dict[str, Any]]:
    rows = []
    print("| scenario | R | maxSurge | maxUnavailable | crashes | symmetry | states | transitions | time | states/s | peak RSS | result |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    table = {"full": TARGETS_FULL, "issue": TARGETS_ISSUE, "quick": TARGETS_QUICK}[which]
    for kind, r, surge, unavail, crashes, sym in table:
        cmd = [sys.executable, "-m", "bench.model_perf", "one", kind, str(r), str(surge), str(unavail), str(crashes), str(int(sym)), granularity, str(timeout), str(max_mib)]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * 3 + 120, cwd=ROOT, check=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError) as exc:
            row = {"error": str(exc)[:200]}
        row.update(kind=kind, r=r, surge=surge, unavail=unavail, crashes=crashes, sym=sym)
        rows.append(row)
        if "error" in row:
            print(f"| {kind} | {r} | {surge} | {unavail} | {crashes} | {'on' if sym else 'off'} | error: {row['error']} |||||||")
        else:
            result = "exhausted" if row["complete"] else f"cut: {row['bound']}"
            print(
                f"| {kind} | {r} | {surge if kind == 'rollout' else '-'} | {unavail if kind == 'rollout' else '-'} | {crashes} | {'on' if sym else 'off'} | "
                f"{row['states']:,} | {row['transitions']:,} | {row['seconds']} s | {row['states_per_s']:,} | {row['peak_rss_mib']} MiB | {result} ({row['verdict']}) |",
                flush=True,
            )
    return rows


def symmetry_sizes(sizes: list[int], crashes: int, timeout: float, max_mib: int, repeat: int) -> list[dict[str, Any]]:
    """(b) with symmetry at each size: the best CPU time of ``repeat`` runs, each in a fresh
    interpreter (``python -m bench.model_perf symmetry --sizes 3..6 [--crashes C] [--repeat K]``)."""
    rows = []
    print("| R | crashes | orbits | transitions | CPU time (best) | orbits per CPU s | peak RSS | result |")
    print("|---|---|---|---|---|---|---|---|")
    for r in sizes:
        best: dict[str, Any] | None = None
        for _ in range(repeat):
            cmd = [sys.executable, "-m", "bench.model_perf", "one", "rollout", str(r), "1", "0", str(crashes), "1", "reconcile", str(timeout), str(max_mib)]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * 3 + 120, cwd=ROOT, check=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            if best is None or (row["complete"], -row["cpu_seconds"]) > (best["complete"], -best["cpu_seconds"]):
                best = row
            if not row["complete"]:
                break  # a cut run is not repeated
        assert best is not None
        best.update(r=r, crashes=crashes)
        rows.append(best)
        result = "exhausted" if best["complete"] else f"cut: {best['bound']}"
        rate = round(best["states"] / best["cpu_seconds"]) if best["cpu_seconds"] else 0
        print(
            f"| {r} | {crashes} | {best['states']:,} | {best['transitions']:,} | {best['cpu_seconds']} s | {rate:,} | "
            f"{best['peak_rss_mib']} MiB | {result} ({best['verdict']}) |",
            flush=True,
        )
        if not best["complete"]:
            break
    return rows


def _sizes(spec: str) -> list[int]:
    lo, _, hi = spec.partition("..")
    return list(range(int(lo), int(hi or lo) + 1))


def settle_cost(replicas: int, eager: bool = False) -> dict[str, Any]:
    """Wall seconds of the CLI's start-up for one Deployment of ``replicas`` pods over 2 nodes."""
    import time

    from kubecheck.scenarios import settle as cli_settle

    d = Deployment(
        name="web",
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("nginx:1"),
        strategy=DeploymentStrategy(max_surge=1, max_unavailable=0),
    )
    system = KubeSystem(Scenario(ClusterState.from_objects([d, Node(name="node-1"), Node(name="node-2")]), name="settle-cost"))

    class _Eager:  # the system seen without iter_successors: choose from the full list
        successors = staticmethod(system.successors)

    t = time.perf_counter()
    res = cli_settle(_Eager() if eager else system, system.init_states()[0], timeout=600)  # type: ignore[arg-type]
    dt = time.perf_counter() - t
    bound = sum(1 for p in res.state.cluster.pods.values() if p.node_name)
    return {"replicas": replicas, "eager": eager, "steps": res.steps, "settled": res.settled, "seconds": round(dt, 2),
            "steps_per_s": round(res.steps / dt), "pods_bound": bound}


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "all"
    opts = {argv[i]: argv[i + 1] for i in range(1, len(argv) - 1) if argv[i].startswith("--")}
    flags = set(a for a in argv[1:] if a.startswith("--"))
    if cmd == "one":
        kind, r, surge, unavail, crashes, sym, gran, timeout, max_mib = argv[1:10]
        row = _run_one(kind, int(r), _parse_int_or_pct(surge), _parse_int_or_pct(unavail), int(crashes), sym == "1", gran, float(timeout), int(max_mib))
        print(json.dumps(row))
        return 0
    if cmd in ("throughput", "all"):
        res = throughput(int(opts.get("--states", 4000)), int(opts.get("--repeat", 3)))
        print(f"throughput (web-deployment rollout, write granularity, {int(res['states'])} states): "
              f"{res['wall_states_per_s']:.0f} states/s wall, {res['cpu_states_per_s']:.0f} states/s CPU (best of {opts.get('--repeat', 3)})")
    if cmd in ("targets", "all"):
        which = "quick" if "--quick" in flags else "issue" if "--issue" in flags else "full"
        targets(float(opts.get("--timeout", 60)), int(opts.get("--max-memory", 1024)), which, opts.get("--granularity", "reconcile"))
    if cmd == "issue17":
        issue17(float(opts.get("--timeout", 600)), int(opts.get("--max-memory", 4096)), "--cli" in flags)
        return 0
    if cmd == "symmetry":
        symmetry_sizes(_sizes(opts.get("--sizes", "3..5")), int(opts.get("--crashes", 0)), float(opts.get("--timeout", 60)),
                       int(opts.get("--max-memory", 1024)), int(opts.get("--repeat", 3)))
        return 0
    if cmd == "settle":
        from bench.runner import parse_range

        for size in parse_range(opts.get("--replicas", "100,300")):
            row = settle_cost(size, eager="--eager" in flags)
            print(json.dumps(row))
        return 0
    if cmd not in ("throughput", "targets", "all"):
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
