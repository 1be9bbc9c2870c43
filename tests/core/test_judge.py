"""kubecheck.core.judge: the one place that says what a state, a step or a lasso means per property kind."""

from __future__ import annotations

import sys
from typing import Any, Sequence

import pytest

from kubecheck.core.judge import (
    Judgement,
    Outcome,
    judge_deadlock,
    judge_lasso,
    judge_state,
    judge_step,
    judge_trace,
    judge_value,
    state_checker,
)
from kubecheck.core.properties import (
    action_property,
    always_eventually,
    eventually_always,
    invariant,
    sometimes,
)
from kubecheck.core.trace import Step, Trace
from kubecheck.core.ts import Action, BaseSystem

POS = invariant("POS", "positive", lambda s: s > 0)
BIG = sometimes("BIG", "big", lambda s: s > 9)
UP = action_property("UP", "never decreases", lambda s, a, t: t >= s)
EA = eventually_always("EA", "settles at 0", lambda s: s == 0)
AE = always_eventually("AE", "0 infinitely often", lambda s: s == 0)


def _raises(s: Any) -> bool:
    raise ValueError("boom")


def _exits(s: Any) -> bool:
    sys.exit(3)


@pytest.mark.parametrize(
    ("prop", "state", "outcome"),
    [
        (POS, 1, Outcome.HOLDS),
        (POS, 0, Outcome.VIOLATION),
        (BIG, 3, Outcome.HOLDS),
        (BIG, 10, Outcome.EXAMPLE),
    ],
)
def test_a_state_property_on_one_state(prop: Any, state: int, outcome: Outcome) -> None:
    assert judge_state(prop, state) == Judgement(outcome)


def test_a_predicate_that_raises_or_returns_a_non_bool_is_an_error_with_the_reason() -> None:
    raised = judge_state(invariant("R", "raises", _raises), 0)
    assert raised.outcome is Outcome.ERROR and "raised ValueError: boom" in raised.note
    exited = judge_state(invariant("X", "exits", _exits), 0)  # SystemExit from a user rule: not an exit
    assert exited.outcome is Outcome.ERROR and "SystemExit(3)" in exited.note
    for value in (None, 0, 1, [], "yes"):  # truthy or falsy, a non-bool is no verdict
        judged = judge_value(POS, value)
        assert judged.outcome is Outcome.ERROR and f"returned {type(value).__name__}, not bool" in judged.note
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C interrupts; it is never a verdict
        judge_state(invariant("K", "ctrl-c", lambda s: (_ for _ in ()).throw(KeyboardInterrupt())), 0)


def test_an_action_property_on_one_step() -> None:
    a = Action("c", "inc")
    assert judge_step(UP, 1, a, 2).outcome is Outcome.HOLDS
    assert judge_step(UP, 2, a, 1).outcome is Outcome.VIOLATION
    assert judge_step(action_property("N", "none", lambda s, a, t: None), 1, a, 2).outcome is Outcome.ERROR


def test_deadlock_needs_no_enabled_action_and_expected_progress() -> None:
    asked: list[Any] = []

    def progress(s: Any) -> bool:
        asked.append(s)
        return s != "done"

    assert judge_deadlock(True, progress, "busy") is Outcome.HOLDS and asked == []  # not asked when enabled
    assert judge_deadlock(False, progress, "done") is Outcome.HOLDS
    assert judge_deadlock(False, progress, "stuck") is Outcome.VIOLATION


@pytest.mark.parametrize(
    ("prop", "loop", "outcome"),
    [
        (EA, [0], Outcome.HOLDS),
        (EA, [1], Outcome.VIOLATION),
        (EA, [0, 1], Outcome.VIOLATION),  # <>[]P: P fails infinitely often on the loop
        (AE, [0, 1], Outcome.HOLDS),  # []<>P: P holds infinitely often on the loop
        (AE, [1, 2], Outcome.VIOLATION),
    ],
)
def test_an_eventual_property_on_a_lasso(prop: Any, loop: list[int], outcome: Outcome) -> None:
    assert judge_lasso(prop, loop).outcome is outcome


def test_a_lasso_is_judged_only_for_eventual_properties() -> None:
    with pytest.raises(ValueError, match="not an eventual one"):
        judge_lasso(POS, [0])


class _Line(BaseSystem[int]):
    """0 -> 1 -> 2 -> 3, nothing after 3 (a deadlock unless 3 is 'done')."""

    def init_states(self) -> Sequence[int]:
        return [0]

    def actions(self, s: int) -> Sequence[Action]:
        return [Action("c", "inc")]

    def step(self, s: int, a: Action) -> int | None:
        return s + 1 if s < 3 else None


def _trace(states: list[int], loop_start: int | None = None) -> Trace:
    a = Action("c", "inc")
    steps = tuple(Step("c", "inc", 0, s, a) for s in states[1:])
    return Trace(states[0], steps, "P", "p", loop_start, "test", ())


def test_a_trace_is_judged_on_its_last_state_last_step_or_loop() -> None:
    from kubecheck.core.properties import DEADLOCK_FREEDOM

    assert judge_trace(POS, _trace([1, 2, 0])).outcome is Outcome.VIOLATION
    assert judge_trace(POS, _trace([0, 1])).outcome is Outcome.HOLDS  # only the last state counts
    assert judge_trace(UP, _trace([3, 2])).outcome is Outcome.VIOLATION
    assert judge_trace(UP, _trace([3])).outcome is Outcome.HOLDS  # no step: nothing shown
    assert judge_trace(EA, _trace([0, 1, 0], loop_start=1)).outcome is Outcome.VIOLATION
    assert judge_trace(EA, _trace([1, 0], loop_start=1)).outcome is Outcome.HOLDS
    assert judge_trace(EA, _trace([1, 1])).outcome is Outcome.HOLDS  # not a lasso: nothing shown
    assert judge_trace(DEADLOCK_FREEDOM, _trace([0, 1, 2, 3]), _Line()).outcome is Outcome.VIOLATION
    assert judge_trace(DEADLOCK_FREEDOM, _trace([0, 1, 2]), _Line()).outcome is Outcome.HOLDS


def test_the_search_checker_agrees_with_the_judge_and_drops_what_it_decided() -> None:
    props = [POS, BIG, UP, invariant("N", "none", lambda s: None if s == 5 else True), EA]
    record: dict[int, tuple[Outcome, Any, str]] = {}
    pending, check = state_checker(props, record)
    assert [entry[0] for entry in pending] == [0, 1, 3]  # only the state kinds
    for state in range(12):
        if pending:
            check(state, f"at {state}")
    assert record[0] == (Outcome.VIOLATION, "at 0", "")
    assert record[1] == (Outcome.EXAMPLE, "at 10", "")
    assert record[3][:2] == (Outcome.ERROR, "at 5") and "returned NoneType, not bool" in record[3][2]
    assert pending == []
    for i, (outcome, where, note) in record.items():  # the same outcome as the judge's one-state form
        assert judge_state(props[i], int(where.split()[1])) == Judgement(outcome, note)
