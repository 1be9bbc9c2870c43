"""The judge memo (``properties._memo``, issue #17): a rule instance remembers its result per distinct
values of what it read, so a repeated input is not judged again.  The plain check is the reference:
``KUBECHECK_JUDGE_MEMO=0`` turns the memo off, ``KUBECHECK_DEBUG_JUDGE=1`` re-runs the plain check on
every hit.  These tests compare the two on every state and every transition of golden scenarios, and
the CLI's findings and traces with the memo on and off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import properties
from kubecheck.core.judge import judge_state, judge_step, strict_trigger
from kubecheck.core.properties import PropertyKind
from kubecheck.core.ts import Action
from model.state import ClusterState
from properties import CATALOGUE, rule
from properties import _memo
from tests.model.builders_runtime import reachable_states
from tests.model.test_golden_counts import BUILDERS

ROOT = Path(__file__).resolve().parents[2]

#: (scenario, granularity) of the golden scenarios walked in full
GRAPHS = [("rs_crash", "write"), ("rollout_small", "write"), ("cascade_delete", "reconcile"), ("node_failure", "reconcile"),
          ("sts_scale", "write"), ("crash_stale", "write")]


def _instantiate(cluster: ClusterState, monkeypatch: pytest.MonkeyPatch, memo: bool) -> list[Any]:
    monkeypatch.setenv("KUBECHECK_JUDGE_MEMO", "1" if memo else "0")
    monkeypatch.setenv("KUBECHECK_DEBUG_JUDGE", "1" if memo else "0")
    return properties.instantiate(cluster, rule_ids=list(CATALOGUE))


def _judge(prop: Any, s: Any) -> Any:
    out = [judge_state(prop, s)]
    if prop.kind is PropertyKind.LEADS_TO:
        try:
            out.append(strict_trigger(prop)(s))
        except Exception as exc:  # noqa: BLE001 - compared, not hidden
            out.append(repr(exc))
    return out


@pytest.mark.parametrize("name,granularity", GRAPHS, ids=[f"{n}-{g}" for n, g in GRAPHS])
def test_the_memo_judges_every_state_and_step_as_the_plain_check(name: str, granularity: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_memo, "PROBATION", 10**9)  # never switched off: every call goes through the memo
    system = BUILDERS[name](granularity)
    cluster = system.scenario.initial
    fast = _instantiate(cluster, monkeypatch, True)
    plain = _instantiate(cluster, monkeypatch, False)
    assert [p.rule_id for p in fast] == [p.rule_id for p in plain]
    assert all(p.predicate.memo is None for p in plain if hasattr(p.predicate, "memo"))
    pairs = list(zip(fast, plain))
    steps = [(f, p) for f, p in pairs if f.kind is PropertyKind.ACTION]
    others = [(f, p) for f, p in pairs if f.kind is not PropertyKind.ACTION]
    n_states = n_steps = 0
    for s in reachable_states(system, 20_000):
        n_states += 1
        for f, p in others:
            assert _judge(f, s) == _judge(p, s), (f.rule_id, s)
        for a, t in system.successors(s):
            n_steps += 1
            for f, p in steps:
                assert judge_step(f, s, a, t) == judge_step(p, s, a, t), (f.rule_id, a)
    memos = [f.predicate.memo for f in fast if getattr(f.predicate, "memo", None) is not None]
    hits = sum(m.hits for m in memos)
    misses = sum(m.misses for m in memos)
    # the memo did the judging (the comparison above compared something)
    assert hits > misses > 0, (n_states, n_steps, hits, misses)


def _report(path: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, memo: bool) -> tuple[dict[str, Any], dict[str, str]]:
    from click.testing import CliRunner

    from kubecheck.cli import cli

    monkeypatch.setenv("KUBECHECK_JUDGE_MEMO", "1" if memo else "0")
    monkeypatch.delenv("KUBECHECK_DEBUG_JUDGE", raising=False)
    out = tmp_path / ("memo" if memo else "plain")
    res = CliRunner().invoke(cli, ["check", str(ROOT / path), "-j", "1", "-q", "-f", "json", "--out", str(out)])
    data = json.loads(res.output.replace(str(out), "OUT"))  # the trace files' paths name the directory
    for e in data["explorations"]:
        e.pop("seconds", None)
        e.pop("states_per_second_per_worker", None)
    data.pop("out_dir", None)
    # every file's name; the text of the textual ones (a rendered image is not compared byte for byte)
    traces = {str(p.relative_to(out)): p.read_text() if p.suffix in (".json", ".txt", ".md", ".dot", ".yaml") else ""
              for p in sorted(out.rglob("*")) if p.is_file()}
    return data, traces


@pytest.mark.parametrize("path", ["examples/violations/single-replica-api.yaml", "examples/incidents/rollout-ignores-pdb.yaml"])
def test_the_cli_reports_the_same_findings_and_traces_with_the_memo_on_and_off(path: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    on, on_traces = _report(path, monkeypatch, tmp_path, True)
    off, off_traces = _report(path, monkeypatch, tmp_path, False)
    assert on["findings"]  # the example has violations: their traces are compared too
    assert on == off
    assert on_traces and on_traces == off_traces


def test_the_debug_mode_catches_a_wrong_recorded_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Corrupt every recorded result: with the debug mode the next hit is an ERROR naming the rule;
    without it, the corrupted result is what the memo returns (so the mode is what catches it)."""
    system = BUILDERS["rs_crash"]("write")
    init = system.init_states()[0]
    for debug in (True, False):
        monkeypatch.setenv("KUBECHECK_JUDGE_MEMO", "1")
        monkeypatch.setenv("KUBECHECK_DEBUG_JUDGE", "1" if debug else "0")
        props = properties.instantiate(system.scenario.initial, rule_ids=["KC-OWN-001"])
        (prop,) = props
        assert judge_state(prop, init).outcome.value == "holds"
        memo = prop.predicate.memo
        for _, table in memo.shapes:
            for key in table:
                table[key] = False
        judged = judge_state(prop, init)
        if debug:
            assert judged.outcome.value == "error" and "judge memo: KC-OWN-001" in judged.note
        else:
            assert judged.outcome.value == "violation"


def test_a_rule_reading_the_action_as_a_whole_or_its_class_is_judged_as_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tracked action answers ``isinstance``, ``str`` and ``==`` as the action does, and a rule that
    reads it as a whole is keyed on the whole action."""
    seen: list[str] = []

    @rule("T-ACT-001", "steps named by their string", kind="action")
    def by_string(c: ClusterState, action: Any, n: ClusterState) -> bool:
        seen.append(str(action))
        return isinstance(action, Action) and (str(action) != "x:bad" or c is None) and action == action

    monkeypatch.setenv("KUBECHECK_JUDGE_MEMO", "1")
    (prop,) = by_string.instantiate(ClusterState())
    c = ClusterState()
    good, bad = Action("x", "good"), Action("x", "bad")
    assert judge_step(prop, c, good, c).outcome.value == "holds"
    assert judge_step(prop, c, bad, c).outcome.value == "violation"
    assert judge_step(prop, c, Action("x", "good"), c).outcome.value == "holds"  # a hit
    assert judge_step(prop, c, Action("x", "bad"), c).outcome.value == "violation"  # a hit, not the good one's result
    assert seen == ["x:good", "x:bad"]  # two misses ran the check, two hits did not
    memo = prop.predicate.memo
    assert (memo.hits, memo.misses) == (2, 2)


def test_a_rule_that_raises_is_reported_with_the_plain_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    @rule("T-RAISE-001", "reads a field no cluster has")
    def broken(c: ClusterState) -> bool:
        return bool(c.no_such_table)  # type: ignore[attr-defined]

    monkeypatch.setenv("KUBECHECK_JUDGE_MEMO", "1")
    (fast,) = broken.instantiate(ClusterState())
    monkeypatch.setenv("KUBECHECK_JUDGE_MEMO", "0")
    (plain,) = broken.instantiate(ClusterState())
    assert judge_state(fast, ClusterState()) == judge_state(plain, ClusterState())
    assert "'ClusterState' object has no attribute 'no_such_table'" in judge_state(fast, ClusterState()).note


def test_a_memo_that_rarely_hits_turns_itself_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check whose input is new on most calls (here: a counter it reads) is run plainly after the
    second window; the results are the check's throughout."""
    monkeypatch.setattr(_memo, "PROBATION", 10)
    memo = _memo.JudgeMemo(lambda c: c.next_uid % 2 == 0, "T")
    states = [ClusterState().with_counters(next_uid=i) for i in range(1, 40)]
    pred = memo.state_predicate(lambda s: s)
    assert [pred(c) for c in states] == [c.next_uid % 2 == 0 for c in states]
    assert not memo.on and not memo.shapes
    assert memo.misses == 20  # two windows of misses, then the plain check


def test_template_matches_field_by_field_equals_the_stripped_copies() -> None:
    """``template_matches`` (KC-CONV-002, KC-ROLL-006) compares field by field what ``==`` of the two
    copies without ``pod-template-hash`` compares."""
    from dataclasses import replace

    from model.frozen import FrozenMap
    from model.objects import ContainerSpec, PodTemplate
    from properties._common import _template_matches_by_copy, template_matches

    base = PodTemplate(labels=FrozenMap({"app": "web"}), containers=(ContainerSpec(name="c", image="nginx:1"),))
    variants = [
        base,
        replace(base, labels=FrozenMap({"app": "web", "pod-template-hash": "abc"})),
        replace(base, labels=FrozenMap({"app": "web", "pod-template-hash": "xyz"})),
        replace(base, labels=FrozenMap({"app": "api"})),
        replace(base, containers=(ContainerSpec(name="c", image="nginx:2"),)),
        replace(base, labels=FrozenMap({"app": "web", "pod-template-hash": "abc"}), termination_grace_period_seconds=5),
        replace(base, hostname="h"),
        replace(base, annotations=FrozenMap({"pod-template-hash": "abc"})),
    ]
    results = [[template_matches(a, b) for b in variants] for a in variants]
    assert results == [[_template_matches_by_copy(a, b) for b in variants] for a in variants]
    assert results[0][1] and results[1][2] and not results[0][3] and not results[0][4] and not results[1][5]
