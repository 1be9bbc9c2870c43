"""Differential test: the explorer against a brute-force reference on random small systems.

The reference enumerates every subset of reachable states, keeps those that are strongly connected
through their internal edges and weakly fair (each fair key enabled in all of the subset's states is
taken by an internal edge), plus the states where no fair action is enabled (a run may stutter there
forever), and decides the eventual properties from those, so it shares no
code or algorithm (no SCCs, no Tarjan) with the explorer.
"""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubecheck.core.explorer import explore
from kubecheck.core.properties import action_property, always_eventually, eventually_always, invariant, leads_to
from kubecheck.core.verdict import Verdict
from tests.explorer.systems import Graph

MAX_N = 6


@st.composite
def systems(draw):
    n = draw(st.integers(1, MAX_N))
    edges = {}
    for s in range(n):
        out = []
        for _ in range(draw(st.integers(0, 3))):
            actor = draw(st.sampled_from(["a", "b", "c"]))
            label = draw(st.sampled_from(["x", "y"]))
            fair = draw(st.booleans())
            key = draw(st.sampled_from([None, actor]))
            out.append((actor, label, fair, key, draw(st.integers(0, n - 1))))
        edges[s] = out
    inits = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2))
    p = frozenset(draw(st.sets(st.integers(0, n - 1))))
    q = frozenset(draw(st.sets(st.integers(0, n - 1))))
    return Graph(inits, edges), p, q


def fkey(edge):
    actor, label, fair, key, _ = edge
    return key if key is not None else (actor, label)


def reachable(g: Graph) -> set[int]:
    seen = set(g.init)
    todo = list(seen)
    while todo:
        s = todo.pop()
        for e in g.edges[s]:
            if e[4] not in seen:
                seen.add(e[4])
                todo.append(e[4])
    return seen


def fair_cycles(g: Graph, allowed: set[int]) -> list[frozenset[int]]:
    """Every subset of ``allowed`` that carries a weakly fair cycle using all of it."""
    out = []
    nodes = sorted(allowed)
    for r in range(1, len(nodes) + 1):
        for sub in combinations(nodes, r):
            c = set(sub)
            inner = [(s, e) for s in c for e in g.edges[s] if e[4] in c]
            # strongly connected via inner edges (and at least one edge)
            if not inner:
                continue
            reach = {s: {s} for s in c}
            changed = True
            while changed:
                changed = False
                for s, e in inner:
                    new = reach[e[4]] - reach[s]
                    if new:
                        reach[s] |= new
                        changed = True
            if any(reach[s] != c for s in c):
                continue
            if len(c) == 1 and not inner:
                continue
            enabled_all = None
            for s in c:
                keys = {fkey(e) for e in g.edges[s] if e[2]}
                enabled_all = keys if enabled_all is None else enabled_all & keys
            taken = {fkey(e) for _, e in inner if e[2]}
            if enabled_all <= taken:
                out.append(frozenset(c))
    return out


def reference(g: Graph, p: frozenset, q: frozenset) -> tuple[int, bool, bool, bool]:
    reach = reachable(g)
    # A run may stutter forever where no weakly fair action is enabled (only unfair ones, or none).
    terminal = {s for s in reach if not any(e[2] for e in g.edges[s])}
    inv_violated = any(s not in p for s in reach)
    ea_violated = any(s not in q for s in terminal) or any(c - q for c in fair_cycles(g, reach))
    ae_violated = any(s not in q for s in terminal) or bool(fair_cycles(g, reach - q))
    return len(reach), inv_violated, ea_violated, ae_violated


def lasso_is_valid(g: Graph, trace, q: frozenset, kind: str) -> bool:
    states = trace.states()
    loop = list(states[trace.loop_start :])
    if trace.loop_step is None:  # stutter where no fair action is enabled
        last = states[-1]
        return trace.loop_start == len(states) - 1 and not any(e[2] for e in g.edges[last]) and last not in q
    assert trace.loop_step.state == states[trace.loop_start]
    taken = {fkey(g.edges[st.action.data[0]][st.action.data[1]]) for st in (*trace.steps[trace.loop_start :], trace.loop_step) if st.action.fair}
    for k in {fkey(e) for s in loop for e in g.edges[s] if e[2]}:
        continuously = all(any(e[2] and fkey(e) == k for e in g.edges[s]) for s in loop)
        if continuously and k not in taken:
            return False
    if kind == "ea":
        return any(s not in q for s in loop)
    return all(s not in q for s in loop)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(), st.sampled_from(["bfs", "dfs"]))
def test_explorer_agrees_with_brute_force(case, strategy):
    g, p, q = case
    n, inv_v, ea_v, ae_v = reference(g, p, q)
    res = explore(
        g,
        [
            invariant("INV", "in p", lambda s: s in p),
            eventually_always("EA", "eventually always q", lambda s: s in q),
            always_eventually("AE", "always eventually q", lambda s: s in q),
        ],
        strategy=strategy,
    )
    assert res.complete and res.stats.states == n
    inv, ea, ae = res.results
    assert (inv.verdict is Verdict.VIOLATED) == inv_v
    assert (ea.verdict is Verdict.VIOLATED) == ea_v
    assert (ae.verdict is Verdict.VIOLATED) == ae_v
    for r in (inv, ea, ae):
        assert r.verdict in (Verdict.VIOLATED, Verdict.HOLDS)
    for r, kind in ((ea, "ea"), (ae, "ae")):
        if r.verdict is Verdict.VIOLATED:
            assert lasso_is_valid(g, r.trace, q, kind)
            # the trace replays through actions()/step()
            path = r.trace.action_path()
            state = g.init_states()[path[0]]
            for idx, stp in zip(path[1:], r.trace.steps):
                state = g.step(state, g.actions(state)[idx])
                assert state == stp.state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(), st.sampled_from(["bfs", "dfs"]), st.integers(0, 4), st.booleans())
def test_a_depth_bound_never_turns_a_violation_into_holds(case, strategy, max_depth, deadlock):
    """A bounded search may only say HOLDS when the unbounded one does (found by review: the last
    level's edges were once left unexamined while the search still claimed to be complete)."""
    g, p, q = case
    props = [
        invariant("INV", "in p", lambda s: s in p),
        action_property("ACT", "never from p to outside p", lambda s, a, t: not (s in p and t not in p)),
        eventually_always("EA", "eventually always q", lambda s: s in q),
        always_eventually("AE", "always eventually q", lambda s: s in q),
        leads_to("LT", "p leads to q", lambda s: s in p, lambda s: s in q),
    ]
    full = explore(g, props, strategy=strategy, check_deadlock=deadlock)
    cut = explore(g, props, strategy=strategy, check_deadlock=deadlock, max_depth=max_depth)
    for f, c in zip(full.results, cut.results):
        if c.verdict is Verdict.HOLDS:
            assert f.verdict is Verdict.HOLDS, (c.property.rule_id, max_depth)
        if c.verdict is Verdict.VIOLATED:
            assert f.verdict is Verdict.VIOLATED, (c.property.rule_id, max_depth)
    if cut.complete:
        assert cut.stats.states == full.stats.states


def leads_to_reference(g: Graph, p: frozenset, q: frozenset) -> bool:
    """Whether ``p ~> q`` is violated: some reachable ``p`` state outside ``q`` reaches, through
    states outside ``q``, a state outside ``q`` where no fair action is enabled or a weakly fair
    cycle of states outside ``q`` (brute force, as :func:`reference`)."""
    reach = reachable(g)
    notq = reach - q
    ends = {s for s in notq if not any(e[2] for e in g.edges[s])}
    for c in fair_cycles(g, notq):
        ends |= c
    for s in notq & p:
        seen, todo = {s}, [s]
        while todo:
            u = todo.pop()
            if u in ends:
                return True
            for e in g.edges[u]:
                if e[4] in notq and e[4] not in seen:
                    seen.add(e[4])
                    todo.append(e[4])
    return False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(), st.sampled_from(["bfs", "dfs"]))
def test_leads_to_agrees_with_brute_force(case, strategy):
    from kubecheck.core.judge import Outcome, judge_trace

    g, p, q = case
    prop = leads_to("LT", "p leads to q", lambda s: s in p, lambda s: s in q)
    res = explore(g, [prop], strategy=strategy)
    r = res.results[0]
    assert res.complete and r.verdict in (Verdict.VIOLATED, Verdict.HOLDS)
    assert (r.verdict is Verdict.VIOLATED) == leads_to_reference(g, p, q)
    if r.verdict is Verdict.VIOLATED:
        assert judge_trace(prop, r.trace).outcome is Outcome.VIOLATION
        assert lasso_is_valid(g, r.trace, q, "ae")  # fair, and the loop stays outside q
        path = r.trace.action_path()
        state = g.init_states()[path[0]]
        for idx, stp in zip(path[1:], r.trace.steps):
            state = g.step(state, g.actions(state)[idx])
            assert state == stp.state
