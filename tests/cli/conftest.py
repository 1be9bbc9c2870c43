"""Shared fixtures for the CLI tests: one real violating run, reused (the model is slow; keep tests fast)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kubecheck.pytest_plugin import kubecheck  # noqa: F401  (the fixture, also registered via pytest11)

ROOT = Path(__file__).resolve().parents[2]
VIOLATION = ROOT / "examples" / "violations" / "single-replica-api.yaml"
CONSOLE = Path(sys.executable).with_name("kubecheck")

# Small and fast: one node, one API write per reconcile.
FAST = ["--nodes", "1", "--granularity", "reconcile", "-q"]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    cwd: Path


def run_console(args: list[str], cwd: Path, stdin: str | None = None) -> Run:
    """The real console script, as CI runs it."""
    exe = [str(CONSOLE)] if CONSOLE.exists() else [sys.executable, "-m", "kubecheck.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run(exe + args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, env=env)
    return Run(p.returncode, p.stdout, p.stderr, cwd)


@pytest.fixture(scope="session")
def violation_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """`kubecheck check` on the bundled violation: SARIF to a file, HTML report, traces (real console script)."""
    cwd = tmp_path_factory.mktemp("violation")
    return run_console(
        ["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-001,KC-ROLL-004,KC-CONV-002", *FAST,
         "-f", "sarif", "-o", "out.sarif", "--report", "report.html"],
        cwd,
    )


@pytest.fixture(scope="session")
def violation_report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The same check through the runner API, for the format writers."""
    from kubecheck.runner import CheckConfig, run_check
    from model.manifests import load_manifests

    out = tmp_path_factory.mktemp("api")
    cfg = CheckConfig(scenarios=("rollout", "pod-crash"), rule_ids=("KC-ROLL-001", "KC-ROLL-004", "KC-CONV-002"),
                      nodes=1, granularity="reconcile", out_dir=str(out / "kubecheck-out"), progress=False)
    return run_check(cfg, load_manifests([str(VIOLATION)]))
