"""The random engine on toy systems: verdicts, shrunk and replayable traces, determinism, coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pytest
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from kubecheck.core.errors import InvalidProperty, InvalidScenario
from kubecheck.core.random import RandomResult, WalkConfig, build_machine, machine_settings, run_random
from kubecheck.core.random._walk import CoverageRecorder, Failure
from kubecheck.core.properties import (
    DEADLOCK_FREEDOM,
    action_property,
    always_eventually,
    eventually_always,
    invariant,
    sometimes,
)
from kubecheck.core.ts import Action, BaseSystem
from kubecheck.core.verdict import ExplorationResult, Verdict
from tests.explorer.systems import Counter, Graph, Peterson
from traces import from_json, replay, to_json


class Line(BaseSystem[int]):
    """0..n on a line: ``fwd`` (+1) first, then ``back`` (-1); the only way to k is k forward steps."""

    def __init__(self, n: int = 10) -> None:
        self.n = n

    def init_states(self) -> Sequence[int]:
        return [0]

    def actions(self, s: int) -> Sequence[Action]:
        return [Action("walker", "fwd"), Action("walker", "back"), Action("noop", "never")]

    def step(self, s: int, a: Action) -> int | None:
        if a.label == "fwd":
            return s + 1 if s < self.n else None
        if a.label == "back":
            return s - 1 if s > 0 else None
        return None


def test_invariant_violation_is_shrunk_to_the_shortest_trace_and_replays() -> None:
    result = run_random(Line(), [invariant("LT5", "below 5", lambda s: s < 5)], examples=50, max_steps=20, seed=0)
    r = result.result("LT5")
    assert r.verdict is Verdict.VIOLATED and r.exit_code == 1
    trace = r.trace
    assert trace.engine == "random" and trace.property_id == "LT5"
    assert [s.label for s in trace.steps] == ["fwd"] * 5  # shrunk: no detour
    assert trace.action_path() == (0, 0, 0, 0, 0, 0)
    assert trace.states()[-1] == 5
    assert replay(Line(), trace).states() == trace.states()
    assert dict(trace.bounds)["seed"] == 0 and dict(trace.bounds)["examples"] == 50
    assert "shrunk" in r.note


def test_action_index_is_the_index_in_actions_not_in_successors() -> None:
    # in state 0 only "fwd" (index 0) applies; from 1 "back" is actions() index 1 although successor 1
    prop = action_property("NOBACK", "never steps back", lambda s, a, t: a.label != "back")
    trace = run_random(Line(), [prop], examples=50, max_steps=10, seed=0).result("NOBACK").trace
    assert [(s.label, s.action_index) for s in trace.steps] == [("fwd", 0), ("back", 1)]
    replay(Line(), trace)


def test_a_property_never_violated_is_sampled_never_holds() -> None:
    result = run_random(Line(), [invariant("LE10", "at most 10", lambda s: s <= 10)], examples=20, max_steps=15, seed=3)
    r = result.results[0]
    assert r.verdict is Verdict.SAMPLED and r.exit_code == 4 and result.exit_code == 4
    assert r.trace is None and r.bound_hit == "max_examples"
    assert "sampling proves nothing" in r.note
    assert result.complete is False and result.bound_hit == "max_examples"


def test_same_seed_same_result_trace_for_trace() -> None:
    props = [invariant("C", "below 13", lambda s: s < 13), sometimes("S7", "reaches 7", lambda s: s == 7)]
    a = run_random(Counter(20), props, examples=40, max_steps=25, seed=11)
    b = run_random(Counter(20), props, examples=40, max_steps=25, seed=11)
    assert [(r.verdict, r.trace.action_path() if r.trace else None) for r in a.results] == [
        (r.verdict, r.trace.action_path() if r.trace else None) for r in b.results
    ]
    assert a.coverage == b.coverage


def test_sometimes_found_is_holds_with_a_shrunk_example_and_missing_is_sampled() -> None:
    props = [sometimes("S3", "reaches 3", lambda s: s == 3), sometimes("NEG", "goes negative", lambda s: s < 0)]
    result = run_random(Line(), props, examples=30, max_steps=10, seed=0)
    found, missing = result.results
    assert found.verdict is Verdict.HOLDS and found.trace.action_path() == (0, 0, 0, 0)
    assert missing.verdict is Verdict.SAMPLED and missing.note.startswith("no example found")


def _ring() -> Graph:
    # 0 -a-> 1 -b-> 0 (both fair), 1 -u-> 2 (unfair), 2 terminal
    return Graph([0], {0: [("a", "x", True, None, 1)], 1: [("b", "y", True, None, 0), ("u", "z", False, None, 2)], 2: []})


def test_eventually_always_violated_on_a_weakly_fair_loop_with_a_replayable_lasso() -> None:
    result = run_random(_ring(), [eventually_always("END2", "ends in 2", lambda s: s == 2)], examples=20, max_steps=5, seed=0)
    r = result.results[0]
    assert r.verdict is Verdict.VIOLATED and "weakly fair loop" in r.note
    t = r.trace
    assert t.is_lasso and t.loop_step is not None and t.loop_step.state == t.states()[t.loop_start]
    assert t.states() == (0, 1) and t.loop_start == 0
    replay(_ring(), t)


def test_always_eventually_violated_at_a_terminal_state_stutters() -> None:
    result = run_random(_ring(), [always_eventually("VISIT0", "visits 0 again and again", lambda s: s == 0)], examples=30, max_steps=5, seed=0)
    t = result.results[0].trace
    assert result.results[0].verdict is Verdict.VIOLATED and "terminal state" in result.results[0].note
    assert t.states()[-1] == 2 and t.loop_start == len(t.states()) - 1 and t.loop_step is None
    replay(_ring(), t)


def test_settling_stays_where_only_an_unfair_action_is_enabled() -> None:
    # 0 has only an unfair step to 1: weak fairness never obliges it, so a run may stay at 0 forever
    # and "eventually always at 1" fails there (the explorer's semantics, kubecheck/core/explorer/_fair.py).
    g = Graph([0], {0: [("env", "go", False, None, 1)], 1: []})
    result = run_random(g, [eventually_always("AT1", "ends at 1", lambda s: s == 1)], examples=10, max_steps=1, seed=0)
    r = result.results[0]
    assert r.verdict is Verdict.VIOLATED
    assert "no weakly fair action is enabled" in r.note
    assert r.trace.states() == (0,) and r.trace.loop_start == 0 and r.trace.loop_step is None


def test_an_unfair_loop_is_not_a_counterexample() -> None:
    # p0 spins forever while p1 (fair, continuously enabled) never moves: not weakly fair, so no violation
    g = Graph([0], {0: [("p0", "spin", True, None, 0), ("p1", "go", True, None, 1)], 1: []})
    result = run_random(g, [eventually_always("AT1", "ends at 1", lambda s: s == 1)], examples=20, max_steps=5, seed=0)
    assert result.results[0].verdict is Verdict.SAMPLED


def test_not_settling_within_the_bound_is_a_violation_or_inconclusive_as_asked() -> None:
    prop = eventually_always("TOP", "reaches 30 and stays", lambda s: s == 30)
    line = Graph([0], {i: [("w", "fwd", True, None, i + 1)] for i in range(30)} | {30: []})  # a chain, no loop
    # The property really holds (the chain ends at 30): by default a run cut by settle_bound is no
    # evidence either way, so the verdict stays SAMPLED rather than a false VIOLATED.
    default = run_random(line, [prop], examples=5, max_steps=1, seed=0, settle_bound=3)
    assert default.results[0].verdict is Verdict.SAMPLED
    assert default.coverage.unsettled_runs > 0
    strict = run_random(line, [prop], examples=5, max_steps=1, seed=0, settle_bound=3, unsettled="violation")
    assert strict.results[0].verdict is Verdict.VIOLATED
    assert "did not settle within 3 steps" in strict.results[0].note


def test_a_frequent_failure_does_not_hide_a_rare_one() -> None:
    props = [invariant("ANY", "never moves", lambda s: s == 0), invariant("DEEP", "below 6", lambda s: s < 6)]
    result = run_random(Line(), props, examples=60, max_steps=15, seed=0)
    assert [r.verdict for r in result.results] == [Verdict.VIOLATED, Verdict.VIOLATED]
    assert len(result.result("ANY").trace) == 1 and len(result.result("DEEP").trace) == 6


def test_peterson_mutual_exclusion_is_sampled() -> None:
    mutex = invariant("MUTEX", "one in critical section", lambda s: s.pc.count(4) <= 1)
    result = run_random(Peterson(), [mutex, DEADLOCK_FREEDOM], examples=30, max_steps=30, seed=0)
    assert [r.verdict for r in result.results] == [Verdict.SAMPLED, Verdict.SAMPLED]


def test_deadlock_is_reported_where_progress_is_expected() -> None:
    g = Graph([0], {0: [("a", "x", True, None, 1)], 1: []})
    result = run_random(g, [DEADLOCK_FREEDOM], examples=5, max_steps=3, seed=0)
    assert result.results[0].verdict is Verdict.VIOLATED and result.results[0].trace.states() == (0, 1)


def test_a_raising_predicate_is_an_error_with_the_trace_to_the_state() -> None:
    def boom(s: int) -> bool:
        if s == 2:
            raise ZeroDivisionError("two")
        return True

    result = run_random(Line(), [invariant("BOOM", "explodes at 2", boom), invariant("OK", "fine", lambda s: True)], examples=20, max_steps=8, seed=0)
    r = result.result("BOOM")
    assert r.verdict is Verdict.ERROR and "ZeroDivisionError: two" in r.note and r.trace.states()[-1] == 2
    assert result.result("OK").verdict is Verdict.SAMPLED


class Exploding(Line):
    def step(self, s: int, a: Action) -> int | None:
        if s == 3 and a.label == "fwd":
            raise RuntimeError("model bug at 3")
        return super().step(s, a)


def test_a_raising_system_makes_every_open_property_an_error() -> None:
    result = run_random(Exploding(), [invariant("OK", "fine", lambda s: True)], examples=20, max_steps=8, seed=0)
    r = result.results[0]
    assert r.verdict is Verdict.ERROR and "model bug at 3" in r.note
    assert r.trace.states()[-1] == 3


class Flaky(Line):
    calls = 0

    def step(self, s: int, a: Action) -> int | None:
        Flaky.calls += 1
        return super().step(s, a) if Flaky.calls % 7 else None


def test_a_nondeterministic_system_is_an_error_not_a_verdict() -> None:
    result = run_random(Flaky(), [invariant("LT3", "below 3", lambda s: s < 3)], examples=30, max_steps=10, seed=0)
    assert result.results[0].verdict is Verdict.ERROR
    assert "not deterministic" in result.results[0].note


def test_result_is_an_exploration_result_with_coverage() -> None:
    result = run_random(Line(), [invariant("LE10", "at most 10", lambda s: s <= 10)], examples=10, max_steps=12, seed=1)
    assert isinstance(result, RandomResult) and isinstance(result, ExplorationResult)
    cov = result.coverage
    assert cov.runs >= 10 and cov.steps == result.stats.transitions and cov.distinct_states == result.stats.states
    assert 1 < cov.distinct_states <= 11 and cov.max_run_length <= 12 == result.max_steps
    assert set(cov.by_label()) <= {"fwd", "back"} and sum(cov.by_label().values()) == cov.steps
    assert cov.by_actor_kind() == {"walker": cov.steps}
    assert result.rounds == 1 and result.seed == 1


def test_trace_round_trips_through_json() -> None:
    trace = run_random(Line(), [invariant("LT2", "below 2", lambda s: s < 2)], examples=20, max_steps=5, seed=0).results[0].trace
    back = from_json(to_json(trace), system=Line())
    assert back.action_path() == trace.action_path() and back.engine == "random"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"examples": 0}, "examples must be an integer >= 1"),
        ({"max_steps": 0}, "max_steps must be an integer >= 1"),
        ({"settle_bound": -1}, "settle_bound must be an integer >= 1"),
        ({"seed": "x"}, "seed must be an integer"),
        ({"unsettled": "maybe"}, "unsettled must be 'violation' or 'inconclusive'"),
    ],
)
def test_bad_settings_are_rejected(kwargs, message) -> None:
    with pytest.raises(InvalidScenario, match=message):
        run_random(Line(), [], **kwargs)


def test_bad_properties_are_rejected() -> None:
    p = invariant("X", "x", lambda s: True)
    with pytest.raises(InvalidProperty, match="share rule ID 'X'"):
        run_random(Line(), [p, p])
    with pytest.raises(InvalidProperty, match="where a Property was expected"):
        run_random(Line(), [lambda s: True])  # type: ignore[list-item]
    with pytest.raises(InvalidScenario, match="not a TransitionSystem"):
        run_random(object(), [p])


def test_the_bridge_is_a_plain_hypothesis_state_machine() -> None:
    cfg = WalkConfig((invariant("LT3", "below 3", lambda s: s < 3),), (0,), 100, "violation")
    machine = build_machine(Line(), cfg, CoverageRecorder())
    assert issubclass(machine, RuleBasedStateMachine)
    with pytest.raises(Failure) as info:
        run_state_machine_as_test(machine, settings=machine_settings(50, 10))
    assert info.value.rule_id == "LT3" and info.value.path == (0, (0, 0, 0))
