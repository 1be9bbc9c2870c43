"""The pytest plugin: assert_holds and the kubecheck fixture."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kubecheck.pytest_plugin import assert_holds

from .conftest import VIOLATION

FAST = {"nodes": 1, "granularity": "reconcile"}


def test_assert_holds_passes_when_the_rule_holds_exhaustively(tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = assert_holds(str(VIOLATION), "KC-ROLL-001", scenario="rollout", out_dir=str(tmp_path), **FAST)
    assert {f.verdict for f in report.findings} == {"holds"}


def test_assert_holds_fails_with_the_counterexample(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError) as exc:
        assert_holds(VIOLATION.read_text(), "KC-ROLL-004", scenario="rollout", out_dir=str(tmp_path), **FAST)
    text = str(exc.value)
    assert "KC-ROLL-004 (cluster) in scenario rollout: VIOLATED" in text
    assert "1. user: user_update_image_deployment" in text and "rs_delete_pod" in text


def test_assert_holds_refuses_a_bounded_result_unless_allowed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # KC-OWN-001: not decided by the count model (a cut KC-ROLL-001 search on a Deployment would be)
    with pytest.raises(AssertionError, match="cut by a bound"):
        assert_holds(str(VIOLATION), "KC-OWN-001", scenario="rollout", max_states=5, out_dir=str(tmp_path), **FAST)
    report = assert_holds(str(VIOLATION), "KC-OWN-001", scenario="rollout", max_states=5, allow_bounded=True, out_dir=str(tmp_path), **FAST)
    assert {f.verdict for f in report.findings} == {"holds_within_bounds"}


def test_assert_holds_with_fingerprints_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = assert_holds(str(VIOLATION), "KC-OWN-001", scenario="pod-crash", fingerprint=True, out_dir=str(tmp_path), **FAST)
    (finding,) = report.findings
    assert finding.verdict == "holds"
    assert any(r.startswith("fingerprints (64-bit, collision probability <= ") for r in finding.reductions), finding.reductions
    with pytest.raises(TypeError, match="unknown option"):
        assert_holds(str(VIOLATION), "KC-OWN-001", fingerprints=True, **FAST)


def test_the_fixture(kubecheck) -> None:  # type: ignore[no-untyped-def]
    kubecheck.assert_holds([str(VIOLATION)], "KC-OWN-001", scenario="pod-crash", **FAST)
    with pytest.raises(AssertionError):
        kubecheck.assert_holds(str(VIOLATION), "KC-ROLL-004", scenario="pod-crash", **FAST)


def test_plugin_loads_in_a_pytest_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    test = tmp_path / "test_uses_plugin.py"
    test.write_text(
        "def test_it(kubecheck):\n"
        f"    kubecheck.assert_holds({str(VIOLATION)!r}, 'KC-OWN-001', scenario='pod-crash', nodes=1, granularity='reconcile')\n"
    )
    from importlib.metadata import entry_points

    installed = any(ep.value == "kubecheck.pytest_plugin" for ep in entry_points(group="pytest11"))
    load = [] if installed else ["-p", "kubecheck.pytest_plugin"]  # the pytest11 entry point loads it when installed
    p = subprocess.run([sys.executable, "-m", "pytest", *load, "-p", "no:cacheprovider", "-q", str(test)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 passed" in p.stdout
