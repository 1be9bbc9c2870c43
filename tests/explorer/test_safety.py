"""Invariants, action properties, sometimes and deadlock on small systems with known answers."""

from __future__ import annotations

import pytest

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.explorer import check, explore
from kubecheck.core.properties import action_property, invariant, sometimes
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Counter, Graph, Peterson


def replay_states(system, trace):
    """Follow ``trace.action_path()`` through ``actions()``/``step()``; return the states visited."""
    path = trace.action_path()
    state = system.init_states()[path[0]]
    out = [state]
    for idx in path[1:]:
        state = system.step(state, system.actions(state)[idx])
        assert state is not None
        out.append(state)
    return tuple(out)


@pytest.mark.parametrize("strategy", ["bfs", "dfs"])
def test_counter_bad_state_found(strategy):
    res = check(Counter(20), invariant("C-13", "never 13", lambda s: s != 13), strategy=strategy)
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.states()[-1] == 13
    assert replay_states(Counter(20), res.trace) == res.trace.states()
    if strategy == "bfs":  # BFS: the shortest trace, exactly
        assert res.trace.states() == (0, 1, 2, 3, 6, 12, 13)
        assert res.trace.action_path() == (0, 0, 0, 0, 1, 1, 0)
        assert [s.label for s in res.trace.steps] == ["inc", "inc", "inc", "dbl", "dbl", "inc"]
        assert res.trace.engine == "explorer-bfs"


def test_counter_holds_exhaustively_with_pinned_counts():
    res = explore(Counter(20), [invariant("C-LE", "at most 20", lambda s: s <= 20)])
    assert res.results[0].verdict is Verdict.HOLDS
    assert res.complete and res.bound_hit is None
    assert (res.stats.states, res.stats.transitions) == (21, 50)
    assert res.exit_code == 0


def test_peterson_mutex_holds_with_pinned_state_count():
    res = explore(Peterson(), [invariant("MUTEX", "mutual exclusion", lambda s: s.pc != (4, 4))], check_deadlock=True)
    assert [r.verdict for r in res.results] == [Verdict.HOLDS, Verdict.HOLDS]
    assert (res.stats.states, res.stats.transitions, res.stats.max_depth) == (20, 34, 6)


def test_broken_mutex_is_violated_with_shortest_trace():
    res = check(Peterson(), invariant("BOTH-WAIT", "never both waiting", lambda s: s.pc != (2, 2)))
    assert res.verdict is Verdict.VIOLATED
    assert len(res.trace) == 4  # each process sets flag and turn: 4 steps, no shorter way
    assert res.trace.states()[-1].pc == (2, 2)


def test_action_property_checks_every_edge_and_reports_the_step():
    prop = action_property("NO-DBL-6", "never double 6", lambda s, a, t: not (s == 6 and a.label == "dbl"))
    res = check(Counter(20), prop)
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.states() == (0, 1, 2, 3, 6, 12)
    assert res.trace.steps[-1].label == "dbl"


def test_action_property_sees_edges_to_already_seen_states():
    # reset from 1 to 0 leads to a seen state; a lean "new states only" check would miss it
    prop = action_property("NO-RESET", "never reset", lambda s, a, t: a.label != "reset")
    res = check(Counter(3), prop)
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.states() == (0, 1, 0)


def test_sometimes_is_an_example_not_a_failure():
    res = explore(Counter(10), [sometimes("S-7", "reaches 7", lambda s: s == 7), sometimes("S-11", "reaches 11", lambda s: s == 11)])
    found, absent = res.results
    assert found.verdict is Verdict.HOLDS and found.trace.states()[-1] == 7
    assert absent.verdict is Verdict.VIOLATED and absent.trace is None


def test_deadlock_detection_and_quiet_states():
    g = Graph(["a"], {"a": [("x", "go", True, None, "b"), ("x", "stop", True, None, "c")]}, quiet=frozenset({"c"}))
    res = explore(g, [], check_deadlock=True)
    dl = res.result("KC-DEADLOCK")
    assert dl.verdict is Verdict.VIOLATED
    assert dl.trace.states() == ("a", "b")  # b is stuck; c is stuck too but expects no progress
    quiet = Graph(["a"], {"a": [("x", "stop", True, None, "c")]}, quiet=frozenset({"c"}))
    assert explore(quiet, [], check_deadlock=True).results[0].verdict is Verdict.HOLDS


def test_predicate_exception_is_an_error_verdict_with_trace():
    def boom(s):
        if s == 3:
            raise ZeroDivisionError("bad")
        return True

    res = check(Counter(5), invariant("BOOM", "boom", boom))
    assert res.verdict is Verdict.ERROR
    assert "ZeroDivisionError" in res.note and "boom" in res.note
    assert res.trace.states()[-1] == 3
    assert res.exit_code == 2


def test_no_initial_state_is_refused():
    with pytest.raises(InvalidScenario, match="no state"):
        explore(Graph([], {}), [])


@pytest.mark.parametrize(
    "kwargs",
    [{"strategy": "random"}, {"max_depth": -1}, {"max_states": 0}, {"timeout": 0}, {"max_memory": 0}],
    ids=["bad-strategy", "negative-depth", "zero-states", "zero-timeout", "zero-memory"],
)
def test_bad_options_are_refused(kwargs):
    with pytest.raises(InvalidScenario):
        explore(Counter(3), [], **kwargs)


def test_dfs_and_bfs_agree_on_reachable_states_and_verdict():
    inv = invariant("MUTEX", "mutex", lambda s: s.pc != (4, 4))
    b = explore(Peterson(), [inv])
    d = explore(Peterson(), [inv], strategy="dfs")
    assert (b.stats.states, b.stats.transitions) == (d.stats.states, d.stats.transitions) == (20, 34)
    assert d.results[0].verdict is Verdict.HOLDS
