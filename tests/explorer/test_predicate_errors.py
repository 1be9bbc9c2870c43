"""A predicate that raises (SystemExit included) or returns a non-bool is an ERROR verdict, in every loop.

Before the fix a user rule calling ``sys.exit(0)`` ended the whole run with exit code 0, and a
predicate returning ``None`` was read as "violated".
"""

from __future__ import annotations

import sys

import pytest

from kubecheck.core.explorer import check, explore
from kubecheck.core.properties import action_property, always_eventually, eventually_always, invariant, sometimes
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Counter, Graph


def exits_at_3(s: int) -> bool:
    if s == 3:
        sys.exit(0)
    return True


def none_at_3(s: int):  # a forgotten ``return`` on one branch
    if s != 3:
        return True


# strategy "bfs" with only invariants takes the lean loop; "dfs" takes the general one.
@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_invariant_calling_sys_exit_is_an_error_naming_predicate_and_exit(strategy: str) -> None:
    res = check(Counter(5), invariant("EXIT", "exits", exits_at_3), strategy=strategy)
    assert res.verdict is Verdict.ERROR
    assert "exits_at_3" in res.note and "raised SystemExit(0)" in res.note
    assert res.trace.states()[-1] == 3
    assert res.exit_code == 2


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_invariant_returning_none_is_an_error_not_a_violation(strategy: str) -> None:
    res = check(Counter(5), invariant("NONE", "forgets to return", none_at_3), strategy=strategy)
    assert res.verdict is Verdict.ERROR
    assert "none_at_3" in res.note and "returned NoneType, not bool" in res.note
    assert res.trace.states()[-1] == 3


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_sometimes_returning_a_truthy_non_bool_is_an_error_not_an_example(strategy: str) -> None:
    res = check(Counter(5), sometimes("LIST", "returns a list", lambda s: [s] if s == 2 else False), strategy=strategy)
    assert res.verdict is Verdict.ERROR and "returned list, not bool" in res.note


def test_other_properties_are_still_decided_next_to_an_exiting_predicate() -> None:
    result = explore(Counter(5), [invariant("EXIT", "exits", exits_at_3), invariant("C-4", "never 4", lambda s: s != 4)])
    assert result.result("EXIT").verdict is Verdict.ERROR
    assert result.result("C-4").verdict is Verdict.VIOLATED


def test_action_property_exit_and_none_are_errors() -> None:
    def act_exit(s, a, t):
        if t == 2:
            raise SystemExit(3)
        return True

    def act_none(s, a, t):
        return None if t == 2 else True

    result = explore(Counter(5), [action_property("AX", "exits", act_exit), action_property("AN", "none", act_none)])
    ax, an = result.result("AX"), result.result("AN")
    assert ax.verdict is Verdict.ERROR and "raised SystemExit(3)" in ax.note
    assert an.verdict is Verdict.ERROR and "returned NoneType, not bool" in an.note
    assert an.trace.states()[-1] == 2


def _converge() -> Graph:
    return Graph(["idle"], {"idle": [("worker", "finish", True, None, "done")], "done": []}, quiet=frozenset({"done"}))


@pytest.mark.parametrize("make", [eventually_always, always_eventually])
def test_eventual_property_exit_is_an_error(make) -> None:
    def ev_exit(s):
        if s == "done":
            sys.exit(0)
        return False

    res = check(_converge(), make("EV", "exits", ev_exit))
    assert res.verdict is Verdict.ERROR and "ev_exit" in res.note and "raised SystemExit(0)" in res.note


@pytest.mark.parametrize("make", [eventually_always, always_eventually])
def test_eventual_property_returning_none_is_an_error_not_a_violation(make) -> None:
    res = check(_converge(), make("EV", "none", lambda s: None))
    assert res.verdict is Verdict.ERROR and "returned NoneType, not bool" in res.note


def test_keyboard_interrupt_still_interrupts_the_search() -> None:
    def ctrl_c(s: int) -> bool:
        if s == 3:
            raise KeyboardInterrupt
        return True

    res = check(Counter(5), invariant("C", "ctrl-c", ctrl_c), strategy="dfs")
    assert res.verdict is not Verdict.ERROR and res.bound_hit == "interrupted"
