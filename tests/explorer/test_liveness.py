"""Eventual properties under weak fairness: lassos, terminal states, fairness per key."""

from __future__ import annotations

from kubecheck.core.explorer import check, explore
from kubecheck.core.properties import always_eventually, eventually_always
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Graph, Peterson


def converge(worker_fair: bool) -> Graph:
    """``idle`` spins forever via ``noise``; ``worker`` moves idle -> done, then stays done (fixed point)."""
    return Graph(
        ["idle"],
        {
            "idle": [("noise", "spin", True, None, "idle"), ("worker", "finish", worker_fair, None, "done")],
            "done": [],
        },
        quiet=frozenset({"done"}),
    )


DONE = eventually_always("CONV", "converges", lambda s: s == "done")


def test_livelock_lasso_without_fairness():
    res = check(converge(worker_fair=False), DONE)
    assert res.verdict is Verdict.VIOLATED
    t = res.trace
    assert t.states() == ("idle",) and t.loop_start == 0
    assert t.loop_step.label == "spin" and t.loop_step.state == "idle"


def test_converges_under_weak_fairness():
    assert check(converge(worker_fair=True), DONE).verdict is Verdict.HOLDS


def test_fairness_is_per_key_not_per_label():
    # The controller's two writes share one fairness key; alternating between states where only one of
    # them is enabled keeps the *key* continuously enabled, so the spin loop is unfair.
    g = Graph(
        ["a"],
        {
            "a": [("noise", "spin", True, None, "b"), ("ctl", "write1", True, "ctl", "done")],
            "b": [("noise", "spin", True, None, "a"), ("ctl", "write2", True, "ctl", "done")],
            "done": [],
        },
    )
    assert check(g, DONE).verdict is Verdict.HOLDS
    # with per-label keys neither write is continuously enabled: the loop a<->b is fair and livelocks
    g2 = Graph(
        ["a"],
        {
            "a": [("noise", "spin", True, None, "b"), ("ctl", "write1", True, None, "done")],
            "b": [("noise", "spin", True, None, "a"), ("ctl", "write2", True, None, "done")],
            "done": [],
        },
    )
    res = check(g2, DONE)
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.loop_start == 0 and [s.state for s in res.trace.steps] == ["b"]
    assert res.trace.loop_step.state == "a"


def test_terminal_state_lasso():
    g = Graph(["a"], {"a": [("x", "go", True, None, "stuck"), ("x", "ok", True, None, "done")], "stuck": [], "done": []})
    res = check(g, DONE)
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.states() == ("a", "stuck")
    assert res.trace.loop_start == 1 and res.trace.loop_step is None
    assert "no weakly fair action is enabled" in res.note


def test_always_eventually_distinguishes_from_eventually_always():
    # a <-> b forever (both fair): P = (s == "a") holds infinitely often but not eventually always
    g = Graph(["a"], {"a": [("x", "go", True, None, "b")], "b": [("y", "back", True, None, "a")]})
    res = explore(g, [always_eventually("AE", "a infinitely often", lambda s: s == "a"), eventually_always("EA", "a forever", lambda s: s == "a")])
    ae, ea = res.results
    assert ae.verdict is Verdict.HOLDS
    assert ea.verdict is Verdict.VIOLATED
    assert ea.trace.loop_start == 0 and "b" in [s.state for s in ea.trace.steps]


def test_always_eventually_restricts_the_cycle_to_not_p_states():
    # From b the system can loop b->c->b (never a) fairly: []<> a is violated, and the loop stays in not-a.
    g = Graph(
        ["a"],
        {
            "a": [("x", "go", True, None, "b")],
            "b": [("y", "c", True, None, "c")],
            "c": [("y", "b", True, None, "b"), ("z", "home", False, None, "a")],
        },
    )
    res = check(g, always_eventually("AE", "a infinitely often", lambda s: s == "a"))
    assert res.verdict is Verdict.VIOLATED
    t = res.trace
    loop_states = t.states()[t.loop_start :]
    assert "a" not in loop_states and t.loop_step.state == t.states()[t.loop_start]
    # a fair "home" enabled only in c is not continuously enabled on b->c->b: still violated
    g.edges["c"][1] = ("z", "home", True, "z", "a")
    assert check(g, always_eventually("AE", "a infinitely often", lambda s: s == "a")).verdict is Verdict.VIOLATED
    # enabled in b too (same key): now continuously enabled on the loop, so a fair run must go home
    g.edges["b"].append(("z", "home", True, "z", "a"))
    assert check(g, always_eventually("AE", "a infinitely often", lambda s: s == "a")).verdict is Verdict.HOLDS


def test_peterson_is_starvation_free_under_weak_fairness():
    ae = always_eventually("P0-CS", "p0 enters infinitely often", lambda s: s.pc[0] == 4)
    assert check(Peterson(), ae).verdict is Verdict.HOLDS
    res = check(Peterson(), eventually_always("P0-STAYS", "p0 stays in CS", lambda s: s.pc[0] == 4))
    assert res.verdict is Verdict.VIOLATED and res.trace.is_lasso


def test_a_run_may_stay_where_only_unfair_actions_are_enabled():
    # "broken" can be left only by an unfair recovery (a fault budget, a user action): weak fairness
    # never obliges it, so a run may stutter in "broken" forever and <>[]healthy fails there.
    g = Graph(
        ["healthy"],
        {
            "healthy": [("fault", "break", False, None, "broken")],
            "broken": [("fault", "recover", False, None, "healthy2")],
            "healthy2": [],
        },
    )
    healthy = eventually_always("HEALTHY", "ends healthy", lambda s: s != "broken")
    res = check(g, healthy)
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.states() == ("healthy", "broken")
    assert res.trace.loop_start == 1 and res.trace.loop_step is None
    # with a fair recovery the same run is not a counterexample
    g_fair = Graph(
        ["healthy"],
        {
            "healthy": [("fault", "break", False, None, "broken")],
            "broken": [("kubelet", "recover", True, None, "healthy2")],
            "healthy2": [],
        },
    )
    assert check(g_fair, healthy).verdict is Verdict.HOLDS
