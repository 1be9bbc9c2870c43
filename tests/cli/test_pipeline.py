"""runner.run_check as stages: plan -> settle -> search -> assemble -> write; only the last writes files,
and it writes the counterexamples of the findings the report keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubecheck.core.errors import InvalidScenario
from kubecheck.runner import (
    CheckConfig,
    _Sink,
    assemble_report,
    plan_check,
    run_check,
    search_check,
    settle_check,
    write_traces,
)
from model.manifests import load_manifests

ROOT = Path(__file__).resolve().parents[2]
VIOLATION = ROOT / "examples" / "violations" / "single-replica-api.yaml"


def _cfg(out: Path, **kw: object) -> CheckConfig:
    base = dict(scenarios=("rollout",), rule_ids=("KC-ROLL-001", "KC-ROLL-004"), nodes=1, granularity="reconcile",
                out_dir=str(out), progress=False)
    base.update(kw)
    return CheckConfig(**base)  # type: ignore[arg-type]


def test_only_the_last_stage_writes_and_it_writes_each_reported_counterexample(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = _cfg(out)
    load = load_manifests([str(VIOLATION)])
    plan = plan_check(cfg, load)
    assert {p.rule.rule_id for p in plan.planned} == {"KC-ROLL-001", "KC-ROLL-004"}
    settle_system, settled = settle_check(cfg, plan)
    assert settled.settled
    searched = search_check(_Sink(cfg, load, None), plan, settle_system, settled)
    report = assemble_report(cfg, load, plan, settled, searched)
    assert not out.exists()  # nothing written before the last stage
    violated = [f for f in report.findings if f.verdict == "violated"]
    assert [f.rule_id for f in violated] == ["KC-ROLL-004"]
    assert violated[0].trace is not None and violated[0].trace.files == () and not report.live

    written = write_traces(report, cfg)
    (f,) = [f for f in written.findings if f.verdict == "violated"]
    assert f.trace is not None and f.job is None
    tdir = Path(f.trace.dir)
    assert str(tdir / "scenario.json") in f.trace.files and str(tdir / "trace.json") in f.trace.files
    assert all(Path(p).is_file() for p in f.trace.files)
    doc = json.loads((tdir / "trace.json").read_text(encoding="utf-8"))
    assert len(doc["steps"]) == len(f.trace.steps)  # the file is the finding's trace
    assert json.loads((tdir / "scenario.json").read_text(encoding="utf-8"))["rule_id"] == "KC-ROLL-004"
    trace, _system = written.live[f.key]
    assert len(trace.steps) == len(f.trace.steps)
    # the JSON report is the same data, without the pending jobs or the reduction records
    assert "job" not in json.loads(written.to_json())["findings"][0]


def test_run_check_is_the_stages_in_order(tmp_path: Path) -> None:
    load = load_manifests([str(VIOLATION)])
    staged_cfg = _cfg(tmp_path / "a", write_traces=False)
    plan = plan_check(staged_cfg, load)
    s_system, settled = settle_check(staged_cfg, plan)
    staged = write_traces(assemble_report(staged_cfg, load, plan, settled, search_check(_Sink(staged_cfg, load, None), plan, s_system, settled)),
                          staged_cfg)
    whole = run_check(_cfg(tmp_path / "a", write_traces=False), load)
    key = lambda r: [(f.key, f.verdict, f.note, f.trace.steps if f.trace else None) for f in r.findings]  # noqa: E731
    assert key(staged) == key(whole)
    assert not (tmp_path / "a").exists()  # write_traces=False writes nothing


def test_the_plan_refuses_a_run_that_would_check_nothing(tmp_path: Path) -> None:
    load = load_manifests([str(VIOLATION)])
    with pytest.raises(InvalidScenario, match="nothing to check"):
        plan_check(_cfg(tmp_path, rule_ids=("KC-CONV-003",)), load)  # a StatefulSet rule, no StatefulSet


def test_start_up_follows_the_scenarios_kubernetes_version(tmp_path: Path) -> None:
    """Settle runs under the version every scenario follows (a version-dependent controller switch,
    model.system._versioned_sync, would otherwise differ between start-up and the searches); with several,
    under --kubernetes-version."""
    import dataclasses

    load = load_manifests([str(VIOLATION)])
    cfg = _cfg(tmp_path / "o", kubernetes_version="1.30")
    settle_system, _ = settle_check(cfg, plan_check(cfg, load))
    assert settle_system.scenario.kubernetes_version == "1.30"
    plan = plan_check(_cfg(tmp_path / "o"), load)
    plan.specs = [dataclasses.replace(plan.specs[0], kubernetes_version="1.29")]
    assert settle_check(_cfg(tmp_path / "o"), plan)[0].scenario.kubernetes_version == "1.29"
    plan.specs.append(dataclasses.replace(plan.specs[0], name="other", kubernetes_version="1.33"))
    assert settle_check(_cfg(tmp_path / "o", kubernetes_version="1.35"), plan)[0].scenario.kubernetes_version == "1.35"
