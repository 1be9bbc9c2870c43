"""A search cut by any bound never says HOLDS; a violation found before the cut is still VIOLATED."""

from __future__ import annotations

import pytest

from kubecheck.core.explorer import check, explore
from kubecheck.core.properties import eventually_always, invariant
from kubecheck.core.ts import Action, BaseSystem
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Counter

NOT_13 = invariant("C-13", "never 13", lambda s: s != 13)


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_depth_bound_hiding_a_violation_is_bounded_not_holds(strategy):
    res = explore(Counter(20), [NOT_13], max_depth=5, strategy=strategy)
    r = res.results[0]
    assert r.verdict is Verdict.HOLDS_WITHIN_BOUNDS
    assert r.bound_hit == "max_depth" and res.bound_hit == "max_depth" and not res.complete
    assert "max_depth=5" in r.note
    assert res.exit_code == 3


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_depth_bound_covers_exactly_the_states_within_it(strategy):
    # within 4 steps of 0: 0..6 and 8 (0,1,2,4 via dbl, then 5 and 8).  DFS first reaches 4 at depth 4
    # along inc,inc,inc,inc; it must re-expand 4 when dbl reaches it at depth 3, or 5 and 8 are missed.
    res = explore(Counter(20), [], max_depth=4, strategy=strategy)
    assert res.stats.states == 8
    assert res.bound_hit == "max_depth"


def test_depth_bound_at_the_diameter_is_complete():
    res = explore(Counter(4), [invariant("LE4", "<= 4", lambda s: s <= 4)], max_depth=10)
    assert res.results[0].verdict is Verdict.HOLDS and res.complete


def test_violation_before_the_cut_is_still_violated():
    res = explore(Counter(20), [NOT_13, invariant("LE20", "<= 20", lambda s: s <= 20)], max_depth=6)
    assert res.results[0].verdict is Verdict.VIOLATED
    assert res.results[1].verdict is Verdict.HOLDS_WITHIN_BOUNDS
    assert res.exit_code == 1


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_max_states_is_exact_and_bounded(strategy):
    res = explore(Counter(20), [NOT_13], max_states=7, strategy=strategy)
    assert res.stats.states == 7
    assert res.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS
    assert res.results[0].bound_hit == "max_states"


class Line(BaseSystem[int]):
    """0 -> 1 -> ... -> n: a long chain (deep graphs must not blow the stack)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def init_states(self):
        return [0]

    def actions(self, s):
        return [Action("x", "next")]

    def step(self, s, a):
        return s + 1 if s < self.n else None

    def expects_progress(self, s):
        return s != self.n


def test_timeout_is_bounded():
    res = explore(Line(10**7), [invariant("T", "true", lambda s: True)], timeout=0.05)
    assert res.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS
    assert res.bound_hit == "timeout"
    assert 0 < res.stats.states < 10**7


def test_memory_bound_is_bounded():
    res = explore(Line(10**6), [invariant("T", "true", lambda s: True)], max_memory=1)
    assert res.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS and res.bound_hit == "max_memory"


def test_eventual_property_on_truncated_graph_is_at_best_bounded():
    res = check(Line(50), eventually_always("END", "reaches the end", lambda s: s == 50), max_depth=10)
    assert res.verdict is Verdict.HOLDS_WITHIN_BOUNDS


def test_long_chain_eventual_check_does_not_overflow_the_stack():
    res = check(Line(200_000), eventually_always("END", "reaches the end", lambda s: s == 200_000))
    assert res.verdict is Verdict.HOLDS
    bad = check(Line(200_000), eventually_always("NEVER", "never", lambda s: s == -1))
    assert bad.verdict is Verdict.VIOLATED
    assert bad.trace.loop_start == 200_000 and bad.trace.loop_step is None  # the terminal state stutters


class Interrupting(Counter):
    """Raises KeyboardInterrupt (as Ctrl-C would) on the n-th step call."""

    def __init__(self, after: int) -> None:
        super().__init__(1000)
        self.calls = 0
        self.after = after

    def step(self, s, a):
        self.calls += 1
        if self.calls == self.after:
            raise KeyboardInterrupt
        return super().step(s, a)


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_ctrl_c_returns_a_bounded_result(strategy):
    res = explore(Interrupting(200), [invariant("T", "true", lambda s: True)], strategy=strategy)
    assert res.bound_hit == "interrupted" and not res.complete
    assert res.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS
    assert res.results[0].bound_hit == "interrupted"
    assert res.stats.states > 0
