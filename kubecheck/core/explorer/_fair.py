"""Private module for selective re-export: eventual properties under weak fairness.

A run violates ``<>[]P`` iff it visits ``¬P`` infinitely often, and violates ``[]<>P`` iff it stays in
``¬P`` forever from some point on.  In a finite graph the states a run visits infinitely often form a
strongly connected set, so we look for a reachable *fair* SCC:

* ``<>[]P``: an SCC of the explored graph that is fair and contains a ``¬P`` state;
* ``[]<>P``: an SCC of the graph restricted to ``¬P`` states (edges between ``¬P`` states only) that
  is fair, where enabledness is still read from the full system;
* ``P ~> Q`` (leads-to): a reachable ``P`` state from which ``¬Q`` states lead to a fair SCC of the
  ``¬Q``-restricted graph or to a ``¬Q`` stutter state (:func:`find_leads_to_violation`);
* for both: a reachable state where ``P`` fails and no *weakly fair* action is enabled (a terminal
  state, or one where only unfair actions such as user actions and faults remain); the run stutters
  there forever, which weak fairness allows because no fair key is enabled, and unfair actions are
  never obliged to happen (a node that failed may never recover).

IMPORTANT: the stutter case must not require "no action at all".  A state whose only enabled actions
are unfair (a node recovery still in the fault budget) is a legitimate end of a run; treating only
action-less states as stuttering misses real convergence failures (found by the catalogue's tests:
a StatefulSet whose node never recovers was reported HOLDS).

An SCC ``S`` is **fair** iff every weakly fair key that is enabled in *every* state of ``S`` is taken by
some edge that stays inside ``S``.

Why maximal SCCs suffice for weak fairness (unlike strong fairness, which needs Emerson-Lei's recursive
decomposition): if ``S`` is fair, a cycle through every state and every internal edge of ``S`` exists
(``S`` is strongly connected); on it every key that is enabled everywhere in ``S`` is taken, and every
other key is disabled at some state the cycle visits infinitely often, so it is never *continuously*
enabled: the cycle is weakly fair.  If ``S`` is unfair, some key ``k`` is enabled in every state of
``S`` and no edge inside ``S`` has it; every cycle ``C`` inside ``S`` then has ``k`` enabled throughout
and never taken, so no cycle in ``S`` is fair.  Hence a fair cycle exists in ``S`` iff ``S`` is fair,
and checking maximal SCCs (of the full graph, resp. of the ``¬P``-restricted graph) is complete.

Only *expanded* states take part (a state cut off by a bound has unknown edges), so an SCC found in a
truncated graph is still a real fair cycle: its states' edges and enabled sets are all known.

The SCC algorithm is an iterative Tarjan (no recursion, so a chain of a million states cannot overflow
the stack); ``docs/performance.md`` compares it with ``networkx.strongly_connected_components``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ._graph import StateGraph


#: The fair-cycle search calls its ``poll`` (bounds: time, memory) every this many nodes.
POLL_EVERY = 256


def tarjan_scc(
    n: int, targets: Sequence[Sequence[int] | None], allowed: bytearray, poll: Callable[[], None] | None = None
) -> list[list[int]]:
    """Strongly connected components of the subgraph induced by ``allowed`` nodes (iterative Tarjan).

    Components come out in reverse topological order.  Every allowed node is in exactly one component.
    ``poll`` (if given) is called every :data:`POLL_EVERY` discovered nodes; it may raise to stop.
    """
    index = [-1] * n
    low = [0] * n
    on_stack = bytearray(n)
    stack: list[int] = []
    sccs: list[list[int]] = []
    counter = 0
    for root in range(n):
        if not allowed[root] or index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            v, i = work[-1]
            nbrs = targets[v] or ()
            descended = False
            while i < len(nbrs):
                w = nbrs[i]
                i += 1
                if not allowed[w]:
                    continue
                if index[w] == -1:
                    work[-1] = (v, i)
                    index[w] = low[w] = counter
                    counter += 1
                    if poll is not None and not counter % POLL_EVERY:
                        poll()
                    stack.append(w)
                    on_stack[w] = 1
                    work.append((w, 0))
                    descended = True
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            work.pop()
            if low[v] == index[v]:
                comp: list[int] = []
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(comp)
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
    return sccs


def _bfs_in(
    g: StateGraph, start: int, inside: set[int], goal_state: Callable[[int], bool] | None, goal_bit: int
) -> list[tuple[int, int]] | None:
    """Shortest edge list ``[(u, position), ...]`` inside ``inside`` from ``start`` to a goal.

    The goal is a state satisfying ``goal_state`` (the empty path if ``start`` does), or, with
    ``goal_bit``, an edge inside ``inside`` carrying that fairness bit (the path ends with that edge).
    """
    if goal_state is not None and goal_state(start):
        return []
    prev: dict[int, tuple[int, int] | None] = {start: None}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        tg = g.targets[u] or ()
        bl = g.bits[u] or ()
        for j, v in enumerate(tg):
            if v not in inside:
                continue
            if goal_bit and bl[j] & goal_bit:
                return _unwind(prev, u) + [(u, j)]
            if v not in prev:
                prev[v] = (u, j)
                if goal_state is not None and goal_state(v):
                    return _unwind(prev, v)
                queue.append(v)
    return None


def _unwind(prev: dict[int, tuple[int, int] | None], v: int) -> list[tuple[int, int]]:
    path: list[tuple[int, int]] = []
    while prev[v] is not None:
        u, j = prev[v]  # type: ignore[misc]
        path.append((u, j))
        v = u
    path.reverse()
    return path


def fair_loop(g: StateGraph, comp: list[int], entry: int, want_bad: Callable[[int], bool] | None) -> list[tuple[int, int]]:
    """A weakly fair cycle inside ``comp`` from and back to ``entry`` (which must be a fair SCC).

    It visits a state satisfying ``want_bad`` (if given); for every fair key enabled somewhere in the
    component it either takes an edge with that key or visits a state where the key is disabled.
    """
    inside = set(comp)
    taken = 0
    union = 0
    for u in comp:
        union |= g.enabled[u]
        for j, v in enumerate(g.targets[u] or ()):
            if v in inside:
                taken |= g.bits[u][j]  # type: ignore[index]
    loop: list[tuple[int, int]] = []
    cur = entry
    visited = {entry}
    loop_bits = 0

    def extend(path: list[tuple[int, int]] | None) -> None:
        nonlocal cur, loop_bits
        assert path is not None, "component is not strongly connected"  # pragma: no cover
        for u, j in path:
            loop.append((u, j))
            loop_bits |= g.bits[u][j]  # type: ignore[index]
            cur = g.targets[u][j]  # type: ignore[index]
            visited.add(cur)

    if want_bad is not None and not any(want_bad(v) for v in visited):
        extend(_bfs_in(g, cur, inside, want_bad, 0))
    bit = 1
    while bit <= union:
        if union & bit:
            disabled_seen = any(not g.enabled[v] & bit for v in visited)
            if not (loop_bits & bit) and not disabled_seen:
                if taken & bit:
                    extend(_bfs_in(g, cur, inside, None, bit))
                else:
                    extend(_bfs_in(g, cur, inside, lambda v: not g.enabled[v] & bit, 0))  # _bfs_in is done before bit changes
        bit <<= 1
    # close the loop back to entry (with at least one edge)
    if cur != entry or not loop:
        back = None
        if cur != entry:
            back = _bfs_in(g, cur, inside, lambda v: v == entry, 0)
        else:
            for j, v in enumerate(g.targets[cur] or ()):
                if v in inside:
                    rest = _bfs_in(g, v, inside, lambda w: w == entry, 0)
                    if rest is not None and (back is None or len(rest) + 1 < len(back)):
                        back = [(cur, j)] + rest
        extend(back)
    return loop


def _failing_states(g: StateGraph, holds: Callable[[int], bool], poll: Callable[[], None] | None) -> list[bool]:
    """``bad[u]``: P fails on the expanded state ``u`` (unexpanded states count as not failing)."""
    n = len(g.states)
    bad = [False] * n
    for u in range(n):
        if g.expanded[u]:
            bad[u] = not holds(u)
        if poll is not None and not u % POLL_EVERY:
            poll()
    return bad


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Where a run of the explored graph can stay forever: the only states at which an eventual
    property's predicate decides anything (see :func:`recurrence`)."""

    #: the SCCs of the expanded states that hold a cycle (more than one state, or a self-loop)
    components: list[list[int]]
    #: the expanded states where no weakly fair key is enabled (a run may stutter there)
    stutter: list[int]


def recurrence(g: StateGraph, poll: Callable[[], None] | None = None) -> Recurrence:
    """The cyclic SCCs and the stutter states of ``g`` (shared by every eventual property of a search).

    A run of a finite graph visits infinitely often only states of one SCC with a cycle, or ends by
    stuttering in a state where no weakly fair action is enabled.  So whether a run violates ``<>[]P``
    or ``[]<>P`` depends on ``P`` at those states alone, and :func:`find_fair_violation` evaluates ``P``
    on them only (on the web example's rollout, a few dozen of 26,026 states).
    """
    n = len(g.states)
    comps = []
    for comp in tarjan_scc(n, g.targets, bytearray(g.expanded), poll):
        if len(comp) > 1:
            comps.append(comp)
        else:
            u = comp[0]
            if u in (g.targets[u] or ()):
                comps.append(comp)
    stutter = [u for u in range(n) if g.expanded[u] and not g.enabled[u]]
    return Recurrence(comps, stutter)


def _stutter_candidate(g: StateGraph, bad: list[bool], stutter: Sequence[int]) -> tuple[int, int, list[int]] | None:
    """The shallowest expanded state where P fails and no weakly fair action is enabled."""
    best: tuple[int, int, list[int]] | None = None
    for u in stutter:
        if bad[u]:
            cand = (g.depth[u], u, [u])
            if best is None or cand[:2] < best[:2]:
                best = cand
    return best


def _violating_fair_component(g: StateGraph, comp: list[int], bad: list[bool], kind_always_eventually: bool) -> bool:
    """Whether the SCC ``comp`` holds a fair cycle on which the property fails (see the module docstring)."""
    inside = set(comp) if len(comp) > 1 else None
    if inside is None:
        u = comp[0]
        tg = g.targets[u] or ()
        if not tg:  # terminal: already a stutter candidate if P fails there
            return False
        if u not in tg:
            return False  # a trivial SCC without a self-loop is not a cycle
        inside = {u}
    if not kind_always_eventually and not any(bad[u] for u in comp):
        return False
    required = -1
    taken = 0
    for u in comp:
        required &= g.enabled[u]
        bl = g.bits[u]
        for j, v in enumerate(g.targets[u]):  # type: ignore[arg-type]
            if v in inside:
                taken |= bl[j]  # type: ignore[index]
    # some key enabled throughout and never taken inside: no fair cycle here
    return not required & ~taken


def find_fair_violation(
    g: StateGraph, kind_always_eventually: bool, holds: Callable[[int], bool], poll: Callable[[], None] | None = None,
    rec: Recurrence | None = None,
) -> tuple[int, list[tuple[int, int]]] | None:
    """``(entry state id, loop edges)`` of a lasso violating the property, or ``None``.

    ``holds(u)`` evaluates ``P`` on state ``u``; it is called only on the states of ``rec`` (the
    graph's :func:`recurrence`, computed here when not given): a state no run can stay in forever
    decides nothing, whatever ``P`` says there.  An empty loop means ``entry`` is terminal (stutters).
    ``poll`` (if given) is called every :data:`POLL_EVERY` states and SCC nodes; it may raise to stop
    the search (the time and memory bounds of the exploration also bound this analysis).

    The answer is the one of evaluating ``P`` everywhere: for ``<>[]P`` the candidates are the cyclic
    SCCs of the whole graph and the stutter states, as before; for ``[]<>P`` every SCC of the graph
    restricted to ``¬P`` states that holds a cycle lies inside a cyclic SCC of the whole graph, so
    restricting to the ``¬P`` states of those keeps every such SCC (an acyclic one was never a
    violation).  The shallowest candidate wins, as before, so the trace is the same.
    """
    n = len(g.states)
    if rec is None:
        rec = recurrence(g, poll)
    bad = [False] * n
    done = bytearray(n)
    count = 0
    for u in (*rec.stutter, *(u for comp in rec.components for u in comp)):
        if done[u]:
            continue
        done[u] = 1
        bad[u] = not holds(u)
        count += 1
        if poll is not None and not count % POLL_EVERY:
            poll()
    # Stutter candidates: P fails and no fair key is enabled, so the run may stay there forever.
    best: tuple[int, int, list[int]] | None = _stutter_candidate(g, bad, rec.stutter)  # (depth, entry id, comp)
    stutter = best
    if kind_always_eventually:
        allowed = bytearray(n)
        for comp in rec.components:
            for u in comp:
                if bad[u]:
                    allowed[u] = 1
        comps: list[list[int]] = tarjan_scc(n, g.targets, allowed, poll)
    else:
        comps = rec.components
    for comp in comps:
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
    want_bad = None if kind_always_eventually else (lambda v: bad[v])
    return entry, fair_loop(g, comp, entry, want_bad)


def find_leads_to_violation(
    g: StateGraph, goal: Callable[[int], bool], trigger: Callable[[int], bool], poll: Callable[[], None] | None = None
) -> tuple[int, list[tuple[int, int]], int, list[tuple[int, int]]] | None:
    """A lasso violating ``P ~> Q`` (``trigger`` ~> ``goal``): ``(trigger state id, stem edges from it
    to the loop entry, loop entry id, loop edges)``, or ``None``.

    A run violates ``P ~> Q`` iff it reaches a state ``t`` where ``P`` holds and ``Q`` fails on ``t``
    and on every later state: from ``t`` on the run violates ``[]<>Q``.  So (module docstring) the run
    from ``t`` stays in ``¬Q`` states and ends in a fair SCC of the ``¬Q``-restricted graph or in a
    ``¬Q`` state where no weakly fair action is enabled (it stutters there).  The states from which
    such an end is reachable through ``¬Q`` states are the backward closure of those ends inside the
    ``¬Q`` states; a violation exists iff a reachable trigger state lies in that closure.  The stem
    from the initial state to ``t`` is the search tree's path and may pass ``Q`` states (``Q`` before
    the trigger answers nothing).  The trigger state taken is the shallowest; from it, the shortest
    ``¬Q`` path to an end, then a weakly fair loop there (:func:`fair_loop`).  The goal is evaluated
    on every expanded state, the trigger only on the ``¬Q`` states of the closure.
    """
    n = len(g.states)
    bad = _failing_states(g, goal, poll)
    allowed = bytearray(1 if (g.expanded[u] and bad[u]) else 0 for u in range(n))
    ends: dict[int, list[int] | None] = {}  # end state -> its fair SCC (None: a stutter end)
    for u in range(n):
        if allowed[u] and not g.enabled[u]:
            ends[u] = None
    for comp in tarjan_scc(n, g.targets, allowed, poll):
        if _violating_fair_component(g, comp, bad, True):
            for u in comp:
                ends.setdefault(u, comp)
    if not ends:
        return None
    # backward closure of the ends inside the ¬Q states
    preds: list[list[int]] = [[] for _ in range(n)]
    for u in range(n):
        if allowed[u]:
            for v in g.targets[u] or ():
                if allowed[v]:
                    preds[v].append(u)
    doomed = bytearray(n)
    queue = deque(ends)
    for u in ends:
        doomed[u] = 1
    while queue:
        v = queue.popleft()
        for u in preds[v]:
            if not doomed[u]:
                doomed[u] = 1
                queue.append(u)
    best: int | None = None
    for u in sorted((u for u in range(n) if doomed[u]), key=lambda u: (g.depth[u], u)):
        if poll is not None and not u % POLL_EVERY:
            poll()
        if trigger(u):
            best = u
            break
    if best is None:
        return None
    inside = {u for u in range(n) if allowed[u]}
    stem = _bfs_in(g, best, inside, lambda v: v in ends, 0)
    assert stem is not None, "a doomed state reaches an end"  # pragma: no cover
    entry = g.targets[stem[-1][0]][stem[-1][1]] if stem else best  # type: ignore[index]
    end_comp = ends[entry]
    loop = [] if end_comp is None else fair_loop(g, end_comp, entry, None)
    return best, stem, entry, loop
