"""An eventual property's predicate is evaluated only where a run can stay forever.

``find_fair_violation`` evaluates ``P`` on the states of cyclic SCCs and on the stutter states (no weakly
fair action enabled), and nowhere else (kubecheck.core.explorer._fair.recurrence).  These tests pin down
what that changes and what it must not: the verdict, the trace, and an ERROR for a predicate that
misbehaves on a state that decides something.  ``test_differential`` checks the verdicts against a
brute-force reference on random graphs; here the same search is also compared with the eager
evaluation (``P`` on every expanded state) on random graphs, trace for trace.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from kubecheck.core.explorer import explore
from kubecheck.core.explorer._fair import _failing_states, find_fair_violation, recurrence
from kubecheck.core.properties import always_eventually, eventually_always
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Graph
from tests.explorer.test_differential import systems


def _line(n: int, loop_at_end: bool = False) -> Graph:
    """0 -> 1 -> ... -> n-1, every step weakly fair; with ``loop_at_end`` the last two states form a cycle."""
    edges = {i: [("w", "next", True, None, i + 1)] for i in range(n - 1)}
    edges[n - 1] = [("w", "back", True, None, n - 2)] if loop_at_end else []
    return Graph([0], edges, quiet=frozenset({n - 1}))


def test_a_line_evaluates_the_predicate_at_its_end_only() -> None:
    for make in (eventually_always, always_eventually):
        calls: list[int] = []

        def pred(s: int) -> bool:
            calls.append(s)
            return s == 999

        res = explore(_line(1000), [make("E", "ends at 999", pred)], progress=False)
        assert res.results[0].verdict is Verdict.HOLDS
        # the search itself does not evaluate an eventual property; the analysis only at the end
        assert calls == [999], make


def test_a_cycle_evaluates_the_predicate_on_the_cycle_and_finds_the_violation() -> None:
    calls: list[int] = []

    def pred(s: int) -> bool:
        calls.append(s)
        return s < 998  # fails on the final cycle 998 <-> 999

    res = explore(_line(1000, loop_at_end=True), [eventually_always("E", "settles", pred)], progress=False)
    r = res.results[0]
    assert r.verdict is Verdict.VIOLATED and r.trace is not None and r.trace.loop_step is not None
    assert sorted(calls) == [998, 999]


def test_a_predicate_that_raises_where_no_run_stays_decides_nothing() -> None:
    # P raises on the transient state 5: no run can stay there, so any value of P there gives the same
    # verdict (docs/semantics.md, "Eventual properties: where the predicate is evaluated")
    def pred(s: int) -> bool:
        if s == 5:
            raise RuntimeError("boom")
        return s == 9

    res = explore(_line(10), [eventually_always("E", "ends at 9", pred)], progress=False)
    assert res.results[0].verdict is Verdict.HOLDS


def test_a_predicate_that_raises_where_a_run_stays_is_an_error() -> None:
    for where in (9, 8):  # the cycle 8 <-> 9
        def pred(s: int, where: int = where) -> bool:
            if s == where:
                raise RuntimeError("boom")
            return True

        res = explore(_line(10, loop_at_end=True), [eventually_always("E", "anything", pred)], progress=False)
        r = res.results[0]
        assert r.verdict is Verdict.ERROR and "boom" in r.note, where


def _eager(g, kind_always_eventually: bool, holds):  # the previous algorithm: P on every expanded state
    from kubecheck.core.explorer._fair import _violating_fair_component, fair_loop, tarjan_scc

    n = len(g.states)
    bad = _failing_states(g, holds, None)
    allowed = bytearray(1 if (g.expanded[u] and bad[u]) else 0 for u in range(n)) if kind_always_eventually else bytearray(g.expanded)
    best = None
    for u in range(n):
        if g.expanded[u] and bad[u] and not g.enabled[u]:
            cand = (g.depth[u], u, [u])
            if best is None or cand[:2] < best[:2]:
                best = cand
    stutter = best
    for comp in tarjan_scc(n, g.targets, allowed):
        if not _violating_fair_component(g, comp, bad, kind_always_eventually):
            continue
        entry = min(comp, key=lambda u: (g.depth[u], u))
        cand = (g.depth[entry], entry, comp)
        if best is None or cand[:2] < best[:2]:
            best = cand
    if best is None:
        return None
    _, entry, comp = best
    if best is stutter:
        return entry, []
    return entry, fair_loop(g, comp, entry, None if kind_always_eventually else (lambda v: bad[v]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_lazy_evaluation_gives_the_eager_answer_lasso_for_lasso(case) -> None:
    g_sys, p, _ = case
    res = explore(g_sys, [eventually_always("P", "p", lambda s: s in p)], keep_graph=True, progress=False)
    g = res.graph
    rec = recurrence(g)
    for kind_ae in (False, True):
        holds = lambda u: g.states[u] in p  # noqa: E731
        assert find_fair_violation(g, kind_ae, holds, None, rec) == _eager(g, kind_ae, holds)
        assert find_fair_violation(g, kind_ae, holds) == _eager(g, kind_ae, holds)
