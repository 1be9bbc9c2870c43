"""The distributed BFS on a real local Ray instance (issue 22; kubecheck.core.distributed).

Skipped when Ray is not installed (the optional extra ``kubecheck[ray]``).  Same distinct states,
transitions, depth and verdicts as the single-process explorer on golden scenarios; a worker
killed mid-search gives ERROR, never HOLDS; eventual properties are refused.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.explorer import explore
from kubecheck.core.properties import Property, PropertyKind, invariant
from kubecheck.core.verdict import Verdict

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'kubecheck[ray]'): the distributed search is optional")

from kubecheck.core.distributed import explore_distributed  # noqa: E402

#: one local Ray instance at a time: under pytest-xdist (`make test`) these tests share one worker
pytestmark = pytest.mark.xdist_group("ray")
from tests.model.test_golden_counts import BUILDERS, GOLDEN  # noqa: E402
from tests.conftest import SLOW  # noqa: E402


@pytest.fixture(scope="module")
def local_ray() -> Any:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


CASES = [("rs_crash", "write", False), ("rs_crash", "write", True), ("cascade_delete", "reconcile", False),
         ("sts_scale", "write", False), ("rollout_small", "reconcile", True)]


@pytest.mark.parametrize("key", CASES, ids=["-".join(map(str, k)) for k in CASES])
def test_same_counts_depth_and_verdicts_as_the_explorer(local_ray: Any, key: tuple[str, str, bool]) -> None:
    name, granularity, symmetry = key
    system = BUILDERS[name](granularity)
    props = [invariant("INV-1", "always true", lambda s: True)]
    one = explore(system, props, symmetry=symmetry, check_deadlock=True, progress="off")
    dist, stats = explore_distributed(system, props, workers=2, symmetry=symmetry, check_deadlock=True)
    assert (dist.stats.states, dist.stats.transitions) == GOLDEN[key][:2]
    assert (dist.stats.states, dist.stats.transitions, dist.stats.max_depth) == (one.stats.states, one.stats.transitions, one.stats.max_depth)
    assert [r.verdict for r in dist.results] == [r.verdict for r in one.results]
    assert dist.complete and stats.workers == 2 and sum(stats.states_per_worker) == dist.stats.states
    assert all(n > 0 for n in stats.states_per_worker) and stats.bytes_exchanged > 0


def test_a_violation_has_a_real_shortest_trace(local_ray: Any) -> None:
    system = BUILDERS["rs_crash"]("write")
    one = explore(system, [invariant("INV-PODS", "at most one pod", lambda s: len(s.cluster.pods) <= 1)], progress="off")
    dist, _ = explore_distributed(system, [invariant("INV-PODS", "at most one pod", lambda s: len(s.cluster.pods) <= 1)], workers=2)
    a, b = one.results[0], dist.results[0]
    assert a.verdict is b.verdict is Verdict.VIOLATED
    assert len(b.trace.steps) == len(a.trace.steps)  # BFS: a shortest counterexample in both
    assert len(b.trace.states()[-1].cluster.pods) > 1 and all(len(s.cluster.pods) <= 1 for s in b.trace.states()[:-1])


def test_bounds_never_hold(local_ray: Any) -> None:
    system = BUILDERS["rs_crash"]("write")
    dist, _ = explore_distributed(system, [invariant("INV-1", "always true", lambda s: True)], workers=2, max_states=50)
    assert dist.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS and dist.bound_hit == "max_states"
    dist, _ = explore_distributed(system, [invariant("INV-1", "always true", lambda s: True)], workers=2, max_depth=3)
    assert dist.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS and dist.bound_hit == "max_depth"


def test_eventual_properties_are_refused_before_ray_is_started() -> None:
    for kind in (PropertyKind.EVENTUALLY_ALWAYS, PropertyKind.ALWAYS_EVENTUALLY):
        p = Property("EV-1", "eventual", kind, lambda s: True)
        with pytest.raises(InvalidScenario, match=r"EV-1: .*not supported by the distributed search .*lasso detection across "
                                                  r"workers is not implemented; run them without --ray, or with --ray --workers 1"):
            explore_distributed(BUILDERS["rs_crash"]("write"), [invariant("INV-1", "ok", lambda s: True), p], workers=2)


def test_a_worker_killed_mid_search_gives_error(local_ray: Any) -> None:
    killed = []

    def on_level(depth: int, handles: list[Any]) -> None:
        if depth == 3 and not killed:
            killed.append(True)
            ray.kill(handles[1], no_restart=True)

    system = BUILDERS["rs_crash"]("write")
    dist, _ = explore_distributed(system, [invariant("INV-1", "always true", lambda s: True)], workers=2, _on_level=on_level)
    assert killed
    assert dist.results[0].verdict is Verdict.ERROR and "worker of the distributed search was lost" in dist.results[0].note
    assert not dist.complete
    # the next search starts new workers and is exact again
    again, _ = explore_distributed(system, [invariant("INV-1", "always true", lambda s: True)], workers=2)
    assert again.results[0].verdict is Verdict.HOLDS and again.stats.states == GOLDEN[("rs_crash", "write", False)][0]



def test_cli_ray_says_how_many_workers_ran_and_refuses_eventual_rules(tmp_path: Any) -> None:
    import subprocess

    from tests.cli.conftest import CONSOLE, FAST, ROOT

    env = {**__import__("os").environ, "KUBECHECK_REPRODUCIBLE": "1", "PYTHONPATH": str(ROOT)}
    rs = str(ROOT / "examples" / "replicaset.yaml")
    # one Ray start-up for the text (stdout) and the JSON report (-o)
    out = tmp_path / "out.json"
    ok = subprocess.run([str(CONSOLE), "check", rs, *FAST, "--ray", "auto", "--workers", "2", "-p", "KC-OWN-001,KC-SBX-001",
                         "-f", "json", "-o", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "distributed: 2 Ray workers" in ok.stdout and "16 states" in ok.stdout
    assert "reductions: none, distributed" in ok.stdout  # a field of its own, not a reduction
    docs = [("json", json.loads(out.read_text()))]
    if SLOW:  # tier 2: one more Ray start-up (~10 s) for the same field in SARIF
        out = tmp_path / "out.sarif"
        run = subprocess.run([str(CONSOLE), "check", rs, *FAST, "--ray", "auto", "--workers", "2", "-p", "KC-OWN-001", "-f", "sarif",
                              "-o", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        docs.append(("sarif", json.loads(out.read_text())))
    for fmt, doc in docs:
        explorations = doc["explorations"] if fmt == "json" else doc["runs"][0]["properties"]["explorations"]
        rate = "states_per_second_per_worker" if fmt == "json" else "statesPerSecondPerWorker"
        assert explorations and all(e["workers"] == 2 and e[rate] == 0 for e in explorations)  # 0: KUBECHECK_REPRODUCIBLE
    bad = subprocess.run([str(CONSOLE), "check", rs, *FAST, "--ray", "auto"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "not supported by the distributed search" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "--workers 1" in bad.stderr


def test_cli_ray_with_one_worker_runs_the_searches_as_ray_tasks_with_the_sequential_report(tmp_path: Any) -> None:
    """--ray auto --workers 1: every search a Ray task, eventual rules included (the explorer runs in the
    task); the JSON report is byte for byte the one of --jobs 1 (results read in submission order)."""
    from tests.cli.conftest import CONSOLE, FAST, ROOT

    env = {**os.environ, "KUBECHECK_REPRODUCIBLE": "1", "PYTHONPATH": str(ROOT)}
    rs = str(ROOT / "examples" / "replicaset.yaml")
    outs = []
    for extra in (["--jobs", "1"], ["--ray", "auto", "--workers", "1"]):
        out = tmp_path / f"{extra[0].strip('-')}.json"
        run = subprocess.run([str(CONSOLE), "check", rs, *FAST, *extra, "-f", "json",
                              "-o", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode in (0, 1), run.stderr
        outs.append(out.read_text())
    doc = json.loads(outs[1])
    assert len(doc["explorations"]) >= 2 and any(f["rule_id"].startswith("KC-CONV") for f in doc["findings"])
    assert all(e["workers"] is None for e in doc["explorations"])  # not distributed: one task each
    assert outs[0] == outs[1]


def _square(x: int) -> Any:
    return x * x


def test_ray_search_pool_reads_results_in_submission_order_and_reports_lost_tasks(local_ray: Any) -> None:
    from functools import partial

    from kubecheck.pool import RaySearchPool

    system = BUILDERS["rs_crash"]("write")
    props = [invariant("INV-PODS", "at most one pod", lambda s: len(s.cluster.pods) <= 1)]  # a closure: sent by value
    lost: list[str] = []

    def on_lost(p: list[Any], note: str) -> str:
        lost.append(note)
        return "LOST"

    def boom() -> Any:
        raise ValueError("in the task")

    def die() -> Any:
        os._exit(3)

    with RaySearchPool(None, on_lost) as pool:
        jobs = [pool.submit(partial(explore, system, props, progress="off"), props),
                pool.submit(partial(explore, BUILDERS["sts_scale"]("write"), [], progress="off"), []),
                pool.submit(boom, []), pool.submit(die, []), pool.submit(partial(_square, 7), [])]
        assert pool.tasks == 5
        first = pool.result(jobs[0])
        assert first.results[0].verdict is Verdict.VIOLATED and first.results[0].property is props[0]
        assert first.results[0].trace is not None and len(first.results[0].trace.states()[-1].cluster.pods) > 1
        assert pool.result(jobs[1]).stats.states == GOLDEN[("sts_scale", "write", False)][0]
        with pytest.raises(ValueError, match="in the task"):
            pool.result(jobs[2])
        assert pool.result(jobs[3]) == "LOST" and "Ray task was lost" in lost[0] and pool.losses == 1
        assert pool.result(jobs[4]) == 49


def test_a_search_cut_by_max_states_counts_only_the_levels_it_took(local_ray: Any) -> None:
    """The driver submits each next expansion before it reads the inserts (one round trip per level);
    when max_states then stops the search, that expansion's transitions are not counted: the figures
    are the levels' own, from a plain level-by-level BFS."""
    system = BUILDERS["rs_crash"]("write")
    dist, _ = explore_distributed(system, [invariant("INV-1", "always true", lambda s: True)], workers=2, max_states=50)
    assert dist.bound_hit == "max_states"
    levels, seen = [list(system.init_states())], set(system.init_states())
    while len(levels) <= dist.stats.max_depth:
        nxt = []
        for s in levels[-1]:
            for _, t in system.successors(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        levels.append(nxt)
    states = sum(len(level) for level in levels)
    transitions = sum(len(system.successors(s)) for level in levels[:-1] for s in level)
    assert (dist.stats.states, dist.stats.transitions) == (states, transitions)
    assert states > 50 and states - len(levels[-1]) <= 50  # stopped after the first level past the bound
