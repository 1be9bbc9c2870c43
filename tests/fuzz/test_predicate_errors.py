"""The random engine: a predicate raising SystemExit or returning a non-bool is an ERROR verdict."""

from __future__ import annotations

import sys

import pytest

from kubecheck.core.random import run_random
from kubecheck.core.properties import action_property, eventually_always, invariant
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Graph
from tests.fuzz.test_engine import Line


def exits_at_2(s: int) -> bool:
    if s == 2:
        sys.exit(0)
    return True


def test_invariant_calling_sys_exit_is_an_error_with_the_trace() -> None:
    result = run_random(Line(), [invariant("EXIT", "exits", exits_at_2), invariant("OK", "fine", lambda s: True)], examples=20, max_steps=8, seed=0)
    r = result.result("EXIT")
    assert r.verdict is Verdict.ERROR and "exits_at_2" in r.note and "raised SystemExit(0)" in r.note
    assert r.trace.states()[-1] == 2 and r.exit_code == 2
    assert result.result("OK").verdict is Verdict.SAMPLED


@pytest.mark.parametrize("value, type_name", [(None, "NoneType"), (1, "int"), ("", "str")])
def test_invariant_returning_a_non_bool_is_an_error_not_a_violation(value, type_name: str) -> None:
    result = run_random(Line(), [invariant("NB", "non-bool", lambda s: value if s == 2 else True)], examples=20, max_steps=8, seed=0)
    r = result.result("NB")
    assert r.verdict is Verdict.ERROR and f"returned {type_name}, not bool" in r.note


def test_action_property_returning_none_is_an_error() -> None:
    result = run_random(Line(), [action_property("AN", "none", lambda s, a, t: None if t == 2 else True)], examples=20, max_steps=8, seed=0)
    r = result.result("AN")
    assert r.verdict is Verdict.ERROR and "returned NoneType, not bool" in r.note


def test_eventual_property_exit_is_an_error() -> None:
    g = Graph(["idle"], {"idle": [("worker", "finish", True, None, "done")], "done": []}, quiet=frozenset({"done"}))

    def ev_exit(s: str) -> bool:
        if s == "done":
            raise SystemExit(1)
        return False

    result = run_random(g, [eventually_always("EV", "exits", ev_exit)], examples=5, max_steps=3, seed=0)
    r = result.result("EV")
    assert r.verdict is Verdict.ERROR and "raised SystemExit(1)" in r.note
