"""`kubecheck render` and `kubecheck replay` on traces written by `kubecheck check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from kubecheck.cli import cli


def _trace(violation_run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    src = violation_run.cwd / "kubecheck-out" / "rollout" / "kc-roll-004"
    dst = tmp_path / "t"
    shutil.copytree(src, dst)
    return dst / "trace.json"


def test_replay_ok_when_it_replays_and_still_violates(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(cli, ["replay", str(_trace(violation_run, tmp_path))])
    assert r.exit_code == 0, r.output
    assert "replays (3 steps) and still violates KC-ROLL-004" in r.stdout


def test_replay_mismatch_is_exit_1_with_a_clear_message(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _trace(violation_run, tmp_path)
    doc = json.loads(path.read_text())
    doc["steps"][1]["action_index"] = 99
    doc["action_path"][2] = 99  # kept consistent: a trace recorded by another model version
    path.write_text(json.dumps(doc))
    r = CliRunner().invoke(cli, ["replay", str(path)])
    assert r.exit_code == 1
    assert "does not replay at step 2" in r.stderr


def test_replay_that_no_longer_violates_is_exit_1(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _trace(violation_run, tmp_path)
    doc = json.loads(path.read_text())
    doc["steps"] = doc["steps"][:2]  # user update, dc_create_rs  # a valid prefix: the pod is still there and Ready
    doc["action_path"] = doc["action_path"][:3]
    path.write_text(json.dumps(doc))
    r = CliRunner().invoke(cli, ["replay", str(path)])
    assert r.exit_code == 1
    assert "no longer violates KC-ROLL-004" in r.stderr


def test_replay_without_scenario_json_is_exit_2(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _trace(violation_run, tmp_path)
    (path.parent / "scenario.json").unlink()
    r = CliRunner().invoke(cli, ["replay", str(path)])
    assert r.exit_code == 2 and "scenario.json" in r.stderr


def test_render_replays_and_writes_the_artifacts(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _trace(violation_run, tmp_path)
    out = tmp_path / "again"
    r = CliRunner().invoke(cli, ["render", str(path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("trace.json", "trace.svg", "lanes.svg", "trace.dot", "scenario.json"):
        assert (out / name).is_file(), name
    assert (out / "trace.json").read_text() == path.read_text()  # byte-identical: same trace after replay
    r = CliRunner().invoke(cli, ["replay", str(out / "trace.json")])
    assert r.exit_code == 0, r.output
