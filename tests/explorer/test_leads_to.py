"""``P ~> Q`` (leads_to) under weak fairness: tiny transition systems with known answers."""

from __future__ import annotations

import pytest

from kubecheck.core.errors import InvalidProperty, UnsoundCombination
from kubecheck.core.explorer import check, explore
from kubecheck.core.judge import Outcome, judge_lasso, judge_trace, leads_to_trigger_index
from kubecheck.core.properties import PropertyKind, always_eventually, eventually_always, invariant, leads_to
from kubecheck.core.properties import Property
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Graph


def undo(fixer_fair: bool, undo_fair: bool = False) -> Graph:
    """``ok`` -user:break-> ``broken`` -user:undo-> ``undone`` -ctl:fix-> ``ok``; the controller only
    repairs after the undo."""
    return Graph(
        ["ok"],
        {
            "ok": [("user", "break", False, None, "broken")],
            "broken": [("user", "undo", undo_fair, None, "undone")],
            "undone": [("ctl", "fix", fixer_fair, None, "ok")],
        },
    )


AFTER_UNDO = leads_to("UNDO", "after the undo, ok again", lambda s: s == "undone", lambda s: s == "ok")


def test_holds_when_the_controller_is_fair():
    assert check(undo(fixer_fair=True), AFTER_UNDO).verdict is Verdict.HOLDS


def test_an_unfair_repair_is_a_stutter_counterexample_through_the_trigger():
    res = check(undo(fixer_fair=False), AFTER_UNDO)
    assert res.verdict is Verdict.VIOLATED
    t = res.trace
    assert t.states() == ("ok", "broken", "undone")
    assert t.loop_start == 2 and t.loop_step is None  # stutters in "undone": no fair action enabled
    assert "trigger holds after step 2" in res.note
    assert judge_trace(AFTER_UNDO, t).outcome is Outcome.VIOLATION
    assert leads_to_trigger_index(AFTER_UNDO, t.states()[2:], t.states()[:2]) == 2


def test_convergence_without_the_user_fails_but_after_the_user_holds():
    """The point of the form: <>[]ok fails on the run where the user never undoes (user actions
    are unfair), while 'after the undo, eventually ok' holds."""
    g = undo(fixer_fair=True)
    conv = eventually_always("CONV", "eventually always ok", lambda s: s == "ok")
    res = explore(g, [conv, AFTER_UNDO])
    assert [r.verdict for r in res.results] == [Verdict.VIOLATED, Verdict.HOLDS]
    # with a fair undo too, <>[]ok still fails (this graph lets the user break it again and again)
    res = explore(undo(fixer_fair=True, undo_fair=True), [conv, AFTER_UNDO])
    assert [r.verdict for r in res.results] == [Verdict.VIOLATED, Verdict.HOLDS]


def test_goal_reached_then_lost_is_fine():
    """P ~> Q asks for Q once after each P; <>[]Q asks for it forever."""
    g = Graph(["p"], {"p": [("c", "go", True, None, "q")], "q": [("c", "go", True, None, "x")], "x": []})
    holds = explore(g, [leads_to("LT", "p~>q", lambda s: s == "p", lambda s: s == "q"),
                        eventually_always("EA", "<>[]q", lambda s: s == "q")])
    assert [r.verdict for r in holds.results] == [Verdict.HOLDS, Verdict.VIOLATED]


def test_no_trigger_no_obligation():
    """Without a reachable trigger state nothing is owed, even where []<>Q fails."""
    g = Graph(["a"], {"a": [("c", "spin", True, None, "b")], "b": [("c", "spin", True, None, "a")]})
    res = explore(g, [leads_to("LT", "never~>q", lambda s: s == "zzz", lambda s: False),
                      always_eventually("AE", "[]<>q", lambda s: False)])
    assert [r.verdict for r in res.results] == [Verdict.HOLDS, Verdict.VIOLATED]


def test_goal_before_the_trigger_answers_nothing():
    """The stem may pass goal states: only what comes after the trigger counts."""
    g = Graph(["q0"], {"q0": [("c", "go", True, None, "p")], "p": [("c", "spin", True, None, "p")]})
    res = check(g, leads_to("LT", "p~>q", lambda s: s == "p", lambda s: s == "q0"))
    assert res.verdict is Verdict.VIOLATED
    assert res.trace.states() == ("q0", "p") and res.trace.loop_start == 1
    assert res.trace.loop_step is not None and res.trace.loop_step.label == "spin"


def test_trigger_state_is_the_goal_state():
    g = Graph(["pq"], {"pq": [("c", "spin", True, None, "pq")]})
    assert check(g, leads_to("LT", "p~>q", lambda s: True, lambda s: True)).verdict is Verdict.HOLDS


def test_stem_from_trigger_to_the_loop_stays_outside_the_goal():
    """trigger t -> m -> loop {l1, l2}; the trace shows the trigger, the path and the fair loop."""
    g = Graph(
        ["i"],
        {
            "i": [("c", "go", True, None, "t")],
            "t": [("c", "go", True, None, "m")],
            "m": [("c", "go", True, None, "l1")],
            "l1": [("c", "go", True, None, "l2")],
            "l2": [("c", "go", True, None, "l1")],
        },
    )
    res = check(g, leads_to("LT", "t~>i", lambda s: s == "t", lambda s: s == "i"))
    assert res.verdict is Verdict.VIOLATED
    t = res.trace
    assert t.states()[:3] == ("i", "t", "m")
    assert set(t.states()[t.loop_start:]) == {"l1", "l2"}
    assert leads_to_trigger_index(res.property, t.states()[t.loop_start:], t.states()[: t.loop_start]) == 1


def test_an_unfair_loop_is_no_counterexample():
    """The loop a<->b keeps the controller's key enabled and never takes it: not a fair run."""
    g = Graph(
        ["a"],
        {
            "a": [("noise", "spin", True, None, "b"), ("ctl", "fix", True, "ctl", "done")],
            "b": [("noise", "spin", True, None, "a"), ("ctl", "fix", True, "ctl", "done")],
            "done": [],
        },
    )
    assert check(g, leads_to("LT", "a~>done", lambda s: s == "a", lambda s: s == "done")).verdict is Verdict.HOLDS


def test_trigger_on_the_loop():
    g = Graph(["a"], {"a": [("c", "go", True, None, "b")], "b": [("c", "go", True, None, "a")]})
    res = check(g, leads_to("LT", "b~>never", lambda s: s == "b", lambda s: False))
    assert res.verdict is Verdict.VIOLATED
    assert judge_trace(res.property, res.trace).outcome is Outcome.VIOLATION


def test_a_cut_search_never_holds():
    chain = Graph([0], {i: [("c", "go", True, None, i + 1)] for i in range(10)} | {10: []})
    res = check(chain, leads_to("LT", "0~>10", lambda s: s == 0, lambda s: s == 10), max_depth=3)
    assert res.verdict is Verdict.HOLDS_WITHIN_BOUNDS
    assert check(chain, leads_to("LT", "0~>10", lambda s: s == 0, lambda s: s == 10)).verdict is Verdict.HOLDS


def test_a_raising_trigger_is_an_error():
    def boom(s):
        raise ValueError("boom")

    res = check(undo(fixer_fair=False), leads_to("LT", "boom", boom, lambda s: s == "ok"))
    assert res.verdict is Verdict.ERROR and "boom" in res.note and "raised ValueError" in res.note
    res = check(undo(fixer_fair=False), leads_to("LT", "none", lambda s: None, lambda s: s == "zz"))
    assert res.verdict is Verdict.ERROR and "returned NoneType" in res.note


def test_reductions_are_refused():
    from kubecheck.core.reductions import fingerprint_refusal, por_refusal, symmetry_refusal

    g = undo(fixer_fair=True)
    with pytest.raises(UnsoundCombination, match="eventual property"):
        explore(g, [AFTER_UNDO], fingerprint=True)
    for refusal in (symmetry_refusal, fingerprint_refusal, por_refusal):
        err = refusal(AFTER_UNDO)
        assert isinstance(err, UnsoundCombination) and "(leads_to)" in str(err)


def test_declarations_are_checked():
    with pytest.raises(InvalidProperty, match="needs a callable trigger"):
        Property("LT", "x", PropertyKind.LEADS_TO, lambda s: True)
    with pytest.raises(InvalidProperty, match="only a leads_to property has a trigger"):
        Property("INV", "x", PropertyKind.INVARIANT, lambda s: True, trigger=lambda s: True)
    with pytest.raises(InvalidProperty, match="takes \\(state\\)"):
        leads_to("LT", "x", lambda a, b: True, lambda s: True)
    assert invariant("I", "i", lambda s: True).trigger is None


def test_judge_lasso_table():
    p = leads_to("LT", "1~>0", lambda s: s == 1, lambda s: s == 0)
    assert judge_lasso(p, [2], prefix=[1]).outcome is Outcome.VIOLATION
    assert judge_lasso(p, [2], prefix=[1, 0]).outcome is Outcome.HOLDS       # answered on the stem
    assert judge_lasso(p, [2, 0], prefix=[1]).outcome is Outcome.HOLDS       # answered on the loop
    assert judge_lasso(p, [2, 1], prefix=[]).outcome is Outcome.VIOLATION    # trigger on the loop
    assert judge_lasso(p, [2], prefix=[0, 2]).outcome is Outcome.HOLDS       # no trigger
    assert leads_to_trigger_index(p, [2], [1, 3, 1]) == 0                    # the first unanswered one


def test_the_random_engine_judges_leads_to_on_its_settle_runs():
    """The random walk settles with the fair scheduler and asks the judge about the stem and loop."""
    from kubecheck.core.random import run_random

    g = Graph(
        ["ok"],
        {
            "ok": [("user", "undo", False, None, "undone")],
            "undone": [("ctl", "spin", True, None, "undone2")],
            "undone2": [("ctl", "spin", True, None, "undone")],
        },
    )
    prop = leads_to("LT", "undone ~> ok", lambda s: s == "undone", lambda s: s == "ok")
    r = run_random(g, [prop], examples=20, max_steps=5, seed=0).result("LT")
    assert r.verdict is Verdict.VIOLATED
    assert judge_trace(prop, r.trace).outcome is Outcome.VIOLATION
    fixed = Graph(["ok"], {"ok": [("user", "undo", False, None, "undone")], "undone": [("ctl", "fix", True, None, "ok")]})
    assert run_random(fixed, [prop], examples=20, max_steps=5, seed=0).result("LT").verdict is Verdict.SAMPLED
