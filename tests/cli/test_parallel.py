"""Independent searches in a process pool (``--jobs N``, issue 17 item 4; kubecheck.pool).

The outputs (text, JSON, SARIF, JUnit, every trace file) are byte-identical with ``--jobs 1`` and
``--jobs 2`` (``KUBECHECK_REPRODUCIBLE=1`` writes each search's seconds as 0); a worker that dies
makes its search ERROR, never HOLDS; ``--timeout`` still cuts each search; Ctrl-C stops the run with
the searches reported as interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kubecheck.pool import LOST, SearchPool

from .conftest import CONSOLE, FAST, ROOT, VIOLATION

MIXED = ROOT / "examples" / "mixed-list.yaml"
WEB = ROOT / "examples" / "web-deployment.yaml"


def _kubecheck(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECHECK_REPRODUCIBLE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([str(CONSOLE), "check", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_outputs_are_byte_identical_with_one_and_two_jobs(tmp_path: Path) -> None:
    """Six searches (three interaction groups x two scenarios) and a counterexample with its trace files."""
    outs = {}
    for jobs in ("1", "2"):
        d = tmp_path / f"jobs{jobs}"
        d.mkdir()
        common = [str(MIXED), str(VIOLATION), *FAST, "--jobs", jobs]
        # JSON (every field of the report) and text; SARIF and JUnit are renderings of the same report, and
        # tests/cli/test_determinism.py compares all four byte for byte under two hash seeds (CI time, session 15)
        runs = [
            _kubecheck([*common, "--out", "out", "-f", "json", "-o", "report.json"], d),
            _kubecheck([*common, "--out", "out-text"], d),
        ]
        for r in runs:
            assert r.returncode == 1, r.stderr
        (d / "stdout.txt").write_text(runs[-1].stdout)
        outs[jobs] = _files(d)
    one, two = outs["1"], outs["2"]
    assert one.keys() == two.keys()
    assert any(n.endswith("trace.json") for n in one) and any(n.endswith("trace.svg") for n in one)
    assert b'"explorations"' in one["report.json"] and one["report.json"].count(b'"subject"') == 6
    assert [n for n in one if one[n] != two[n]] == []


# ---------------------------------------------------------------------------- the pool itself


class _Result:
    """Stands for an engine result with nothing to strip."""

    def __init__(self, value: object) -> None:
        self.value = value


def _lost(props: list[object], note: str) -> tuple[str, str]:
    return (LOST, note)


def test_results_come_back_in_submission_order_from_workers() -> None:
    with SearchPool(2, _lost) as pool:
        jobs = [pool.submit(lambda i=i: (i, os.getpid()), []) for i in range(5)]
        got = [pool.result(j) for j in jobs]
    assert [i for i, _ in got] == list(range(5))
    assert os.getpid() not in {pid for _, pid in got[:4]}  # forked workers (the last one may run here)
    assert pool.forked >= 4


def test_a_worker_that_dies_gives_the_lost_result_not_a_verdict() -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with SearchPool(2, _lost) as pool:
        a, b = pool.submit(die, []), pool.submit(lambda: 7, [])
        lost = pool.result(a)
        assert pool.result(b) == 7
    assert lost[0] == LOST and "died (killed by signal 9" in lost[1] and "nothing is claimed" in lost[1]


def test_an_unpicklable_result_is_rerun_here() -> None:
    with SearchPool(2, _lost) as pool:
        jobs = [pool.submit(lambda: _Result(lambda: 42), []), pool.submit(lambda: 1, [])]
        r = pool.result(jobs[0])
        assert pool.result(jobs[1]) == 1
    assert r.value() == 42 and pool.reruns == 1


def test_an_error_raised_in_a_worker_is_raised_here() -> None:
    def bad() -> None:
        raise ValueError("boom in the worker")

    with SearchPool(2, _lost) as pool:
        jobs = [pool.submit(bad, []), pool.submit(lambda: 1, [])]
        with pytest.raises(ValueError, match="boom in the worker"):
            pool.result(jobs[0])


def test_jobs_one_runs_here_when_asked() -> None:
    order: list[int] = []
    pool = SearchPool(1)
    a = pool.submit(lambda: order.append(1), [])
    b = pool.submit(lambda: order.append(2), [])
    assert order == []
    pool.result(b)
    pool.result(a)
    assert order == [2, 1] and pool.forked == 0


# ------------------------------------------------------------------------- through the CLI

KILLER_RULES = '''
import os
from properties import rule

PARENT = os.getpid()

@rule("USER-DIE-001", "kills the worker process it runs in", local=True)
def dies_in_a_worker(cluster):
    if os.getpid() != PARENT:
        os.kill(os.getpid(), 9)
    return True
'''


def test_a_dying_worker_makes_its_search_error_never_holds(tmp_path: Path) -> None:
    (tmp_path / "rules.py").write_text(KILLER_RULES)
    r = _kubecheck([str(MIXED), *FAST, "--jobs", "2", "--rules", "rules.py", "-p", "USER-DIE-001", "-f", "json", "-o", "r.json"], tmp_path)
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    assert r.returncode == 2, r.stderr
    mine = [f for f in report["findings"] if f["rule_id"] == "USER-DIE-001"]
    assert mine and {f["verdict"] for f in mine} == {"error"}
    assert all("worker process died" in f["note"] for f in mine)
    assert all(e["bound_hit"] == LOST for e in report["explorations"])


def test_timeout_cuts_each_search_in_the_workers(tmp_path: Path) -> None:
    r = _kubecheck([str(WEB), "-s", "rollout,pod-crash", "--timeout", "1", "--max-states", "0", "--jobs", "2", "-q",
                    "-f", "json", "-o", "r.json"], tmp_path)
    import json

    report = json.loads((tmp_path / "r.json").read_text())
    assert r.returncode in (1, 3), r.stderr
    # the rollout (8,573 states) is cut at 1 s in its worker; pod-crash (67 states) completes in the other
    assert [e["bound_hit"] for e in report["explorations"]] == ["timeout", None]
    assert 0 < report["explorations"][0]["states"] < 8573 and report["explorations"][1]["states"] == 67


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_the_workers_and_claims_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "KUBECHECK_REPRODUCIBLE": "1", "PYTHONPATH": str(ROOT)}
    # 5 replicas: the rollout search cannot finish in the 8 s below however fast the explorer gets (the web
    # example's 3 now finish in about 8 s); the explicit rules only, so the count model is not asked first
    big = tmp_path / "web5.yaml"
    big.write_text(WEB.read_text(encoding="utf-8").replace("replicas: 3", "replicas: 5"), encoding="utf-8")
    p = subprocess.Popen([str(CONSOLE), "check", str(big), "-s", "rollout,pod-crash", "--max-states", "0", "--timeout", "0",
                          "-p", "KC-OWN-001,KC-CONV-002,KC-ROLL-004",
                          "--jobs", "2", "--progress", "off", "--out", "out"],
                         cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        time.sleep(8)  # settled, both searches running in workers
        os.killpg(p.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 3, (out, err)
    assert "Traceback" not in err
    assert "cut by interrupted" in out  # each running search stopped as the sequential one does: nothing claimed
    with pytest.raises(ProcessLookupError):  # no worker left behind in the group
        os.killpg(p.pid, 0)
