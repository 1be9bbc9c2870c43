"""``clocks:`` in scenario files (docs/cli.md "Clocks"): the example pairs of
``examples/incidents/probe-timing/`` and ``examples/incidents/progress-deadline/``, both directions,
and the one-line errors of bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import ROOT
from .test_apply_scenarios import _bad, _check

PROBES = ROOT / "examples" / "incidents" / "probe-timing"
DEADLINE = ROOT / "examples" / "incidents" / "progress-deadline"


def _labels(work: Path, scenario: str, prop: str) -> list[str]:
    trace = json.loads((work / "kubecheck-out" / scenario / prop / "trace.json").read_text())
    return [s["label"] for s in trace["steps"]]


def test_failure_noticed_before_min_ready_keeps_the_old_pod(tmp_path: Path) -> None:
    r, _ = _check(PROBES / "deployment-failure-threshold-1.yaml", PROBES / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout) and "exhaustive" in r.stdout


def test_failure_threshold_3_lets_the_old_pod_go_first(tmp_path: Path) -> None:
    r, work = _check(PROBES / "deployment-failure-threshold-3.yaml", PROBES / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-ROLL-004", r.stdout)
    labels = _labels(work, "rollout-turns-unready", "kc-roll-004")
    assert labels.index("expiry_min_ready_seconds") < labels.index("rs_delete_pod") < labels.index("kubelet_probe_unready")


def test_initial_delay_past_the_unready_time_never_makes_the_pod_ready(tmp_path: Path) -> None:
    r, _ = _check(PROBES / "deployment-initial-delay-10.yaml", PROBES / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout) and "exhaustive" in r.stdout


def test_initial_delay_before_the_unready_time_lets_the_old_pod_go(tmp_path: Path) -> None:
    r, work = _check(PROBES / "deployment-initial-delay-5.yaml", PROBES / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    labels = _labels(work, "rollout-turns-unready", "kc-roll-004")
    assert labels.index("kubelet_probe_ready") < labels.index("rs_delete_pod") < labels.index("kubelet_probe_unready")


def test_without_the_probes_clock_the_threshold_is_not_compared(tmp_path: Path) -> None:
    """The same pair without ``clocks:``: unready-after 8 < minReadySeconds 12 alone decides (HOLDS)."""
    scen = tmp_path / "no-clock.yaml"
    scen.write_text((PROBES / "rollout-turns-unready.yaml").read_text().replace("clocks: [probes]\n", ""), encoding="utf-8")
    r, _ = _check(PROBES / "deployment-failure-threshold-3.yaml", scen, tmp_path)
    assert r.exit_code == 0, r.output


def test_a_stuck_rollout_is_undone_once_the_deadline_passes(tmp_path: Path) -> None:
    r, _ = _check(DEADLINE / "deployment-deadline-600.yaml", DEADLINE / "undo-when-stuck.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-CONV-002", r.stdout) and "exhaustive" in r.stdout


def test_without_a_deadline_the_rollout_is_never_reported_stuck(tmp_path: Path) -> None:
    r, work = _check(DEADLINE / "deployment-deadline-none.yaml", DEADLINE / "undo-when-stuck.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-CONV-002", r.stdout)
    assert "expiry_progress_deadline" not in _labels(work, "undo-when-stuck", "kc-conv-002-deployment-default-web")


def test_the_unfair_deadline_may_never_pass(tmp_path: Path) -> None:
    """Without the progress-deadline clock (the old one-bit unfair timer): a run never reports stuck."""
    r, work = _check(DEADLINE / "deployment-deadline-600.yaml", DEADLINE / "undo-when-stuck-unfair-clock.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-CONV-002", r.stdout)
    labels = _labels(work, "undo-when-stuck-unfair-clock", "kc-conv-002-deployment-default-web")
    assert "user_rollback_deployment" not in labels


def test_clocks_errors_are_one_line(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nclocks: [probes, grace]\n")
    assert code == 2 and err == f"{scen}:2: clocks[1]: must be one of: probes, progress-deadline", err
    code, err, scen = _bad(tmp_path, "name: x\nclocks: probes\n")
    assert code == 2 and err == f"{scen}:2: clocks: must be a list (YAML: a string given)", err
    code, err, scen = _bad(tmp_path, "name: x\nclocks: [probes, probes]\n")
    assert code == 2 and err.startswith(f"{scen}:2: clocks: "), err
    assert len(err.splitlines()) == 1


def test_a_negative_probe_period_is_a_manifest_error(tmp_path: Path) -> None:
    bad = tmp_path / "d.yaml"
    bad.write_text((PROBES / "deployment-failure-threshold-1.yaml").read_text().replace("periodSeconds: 1", "periodSeconds: -1"),
                   encoding="utf-8")
    r, _ = _check(bad, PROBES / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 2
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if t.strip().startswith("periodSeconds"))
    assert r.stderr.strip() == (f"{bad}:{line}: spec.template.spec.containers[0].readinessProbe.periodSeconds: "
                                "invalid value -1: must be greater than or equal to 0"), r.stderr
