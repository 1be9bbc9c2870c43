"""Partial-order reduction in the engine (kubecheck.core.por): ample sets from footprints, C0-C3."""

from __future__ import annotations

import pytest

from kubecheck.core import Action, BaseSystem, Verdict, eventually_always, invariant, sometimes
from kubecheck.core.errors import InvalidScenario, UnsoundCombination
from kubecheck.core.explorer import explore
from kubecheck.core.por import POR_CHECK_ENV, Footprint, FootprintViolation, dependent, overlaps
from kubecheck.core.reductions import Reduction, split_by_all_reductions


class Counters(BaseSystem):
    """``n`` processes, each counting its own variable up to ``k``: fully independent."""

    def __init__(self, n: int, k: int) -> None:
        self.n, self.k = n, k

    def init_states(self):
        return [(0,) * self.n]

    def actions(self, s):
        return [Action(f"p{i}", "inc", fairness_key=i, data=i) for i in range(self.n) if s[i] < self.k]

    def step(self, s, a):
        i = a.data
        return s[:i] + (s[i] + 1,) + s[i + 1 :] if s[i] < self.k else None

    def footprint(self, s, a):
        return Footprint.of(reads=[("v", a.data)], writes=[("v", a.data)])

    def potential(self, s):
        return [(i, Footprint.of(reads=[("v", i)], writes=[("v", i)])) for i in range(self.n)]


def test_independent_counters_reduce_and_keep_the_verdicts():
    sys_ = Counters(3, 3)
    last = invariant("LAST", "counter 2 stays below 3", lambda s: s[2] < 3, reads=frozenset({("v", 2)}))
    ok = invariant("OK", "counter 0 stays below 4", lambda s: s[0] < 4, reads=frozenset({("v", 0)}))
    full = explore(sys_, [last, ok], progress="off")
    red = explore(sys_, [last, ok], por=True, progress="off")
    assert full.stats.states == 64
    assert red.stats.states < full.stats.states / 3
    assert [r.verdict for r in red.results] == [r.verdict for r in full.results] == [Verdict.VIOLATED, Verdict.HOLDS]
    assert red.reductions == ("por",)
    assert Reduction("por").label.startswith("partial-order reduction")
    # the reduced counterexample is a real trace of the system
    assert red.results[0].trace.states()[-1][2] == 3


class Trap(BaseSystem):
    """C1 matters: ``A`` sets x; ``B`` first moves to pc 1, then (pc 1) sets y iff x is still 0.

    Enabled now are ``A`` and ``B``'s first step, and they commute; an ample set {A} chosen from what
    is enabled *now* would hide the y=1 state, because ``B``'s second step (not enabled yet) reads x.
    """

    def __init__(self, honest: bool = True) -> None:
        self.honest = honest

    def init_states(self):
        return [(0, 0, 0)]  # x, y, pc_b

    def actions(self, s):
        x, y, pc = s
        out = []
        if x == 0:
            out.append(Action("A", "set_x", fairness_key="A"))
        if pc == 0:
            out.append(Action("B", "move", fairness_key="B"))
        elif pc == 1:
            out.append(Action("B", "test_x", fairness_key="B"))
        return out

    def step(self, s, a):
        x, y, pc = s
        if a.label == "set_x":
            return (1, y, pc)
        if a.label == "move":
            return (x, y, 1)
        return (x, 1 if x == 0 else y, 2)

    def footprint(self, s, a):
        if a.actor == "A":
            return Footprint.of(reads=[("x",)], writes=[("x",)])
        if a.label == "move":
            return Footprint.of(reads=[("pc",)], writes=[("pc",)])
        return Footprint.of(reads=[("pc",), ("x",)], writes=[("pc",), ("y",)])

    def potential(self, s):
        b_reads = [("pc",), ("x",)] if self.honest else [("pc",)]  # dishonest: forgets test_x reads x
        return [
            ("A", Footprint.of(reads=[("x",)], writes=[("x",)])),
            ("B", Footprint.of(reads=b_reads, writes=[("pc",), ("y",)])),
        ]


NO_Y = invariant("NO-Y", "y stays 0", lambda s: s[1] == 0, reads=frozenset({("y",)}))


def test_persistence_c1_keeps_a_violation_that_only_a_later_action_reaches():
    assert explore(Trap(), [NO_Y], progress="off").results[0].verdict is Verdict.VIOLATED
    assert explore(Trap(), [NO_Y], por=True, progress="off").results[0].verdict is Verdict.VIOLATED


def test_a_wrong_potential_footprint_loses_the_violation():
    """The test above means something: with B's future read of x left out, {A} passes C1 and the
    reduced search misses y=1 (this is what a footprint that lies does, and why model footprints
    are checked at run time in debug mode)."""
    assert explore(Trap(honest=False), [NO_Y], por=True, progress="off").results[0].verdict is Verdict.HOLDS


class Spinner(BaseSystem):
    """C3 matters: ``A`` toggles its own bit forever (invisible, independent of everything); ``B``
    sets the visible flag once.  Without the cycle proviso the reduced search could follow A's
    cycle only and never take B."""

    def init_states(self):
        return [(0, 0)]

    def actions(self, s):
        out = [Action("A", "toggle", fairness_key="A")]
        if s[1] == 0:
            out.append(Action("B", "flag", fairness_key="B"))
        return out

    def step(self, s, a):
        return (1 - s[0], s[1]) if a.actor == "A" else (s[0], 1)

    def footprint(self, s, a):
        return Footprint.of(reads=[(a.actor,)], writes=[(a.actor,)])

    def potential(self, s):
        return [("A", Footprint.of(reads=[("A",)], writes=[("A",)])), ("B", Footprint.of(reads=[("B",)], writes=[("B",)]))]


def test_cycle_proviso_c3_expands_a_state_that_closes_a_cycle():
    flag = invariant("FLAG", "the flag stays down", lambda s: s[1] == 0, reads=frozenset({("B",)}))
    for strategy in ("bfs", "dfs"):
        res = explore(Spinner(), [flag], por=True, strategy=strategy, progress="off")
        assert res.results[0].verdict is Verdict.VIOLATED, strategy
    seen = sometimes("SEEN", "the flag goes up", lambda s: s[1] == 1, reads=frozenset({("B",)}))
    assert explore(Spinner(), [seen], por=True, progress="off").results[0].verdict is Verdict.HOLDS


def test_visibility_c2_keeps_every_visible_interleaving():
    """Both counters visible: no reduction at all (the same state count as the full search)."""
    sys_ = Counters(2, 2)
    both = invariant("BOTH", "reads both", lambda s: True, reads=frozenset({("v", 0), ("v", 1)}))
    assert explore(sys_, [both], por=True, progress="off").stats.states == explore(sys_, [both], progress="off").stats.states


def test_deadlock_is_kept_by_persistent_sets():
    sys_ = Counters(3, 2)
    full = explore(sys_, [], check_deadlock=True, progress="off")
    red = explore(sys_, [], check_deadlock=True, por=True, progress="off")
    assert full.results[0].verdict is red.results[0].verdict is Verdict.VIOLATED
    assert red.stats.states < full.stats.states


def test_refusals():
    conv = eventually_always("CONV", "conv", lambda s: True)
    with pytest.raises(UnsoundCombination, match="eventual"):
        explore(Counters(2, 1), [conv], por=True, progress="off")
    with pytest.raises(InvalidScenario, match="does not declare what it reads"):
        explore(Counters(2, 1), [invariant("ANY", "any", lambda s: True)], por=True, progress="off")
    with pytest.raises(InvalidScenario, match="footprint"):
        class NoHooks(BaseSystem):
            def init_states(self):
                return [0]

            def actions(self, s):
                return []

            def step(self, s, a):
                return None

        explore(NoHooks(), [NO_Y], por=True, progress="off")
    with pytest.raises(InvalidScenario, match="choose one"):
        explore(Counters(2, 1), [NO_Y], por=True, fingerprint=True, progress="off")
    with pytest.raises(InvalidScenario, match="choose one"):
        Counters.canonical = lambda self, s: s  # type: ignore[attr-defined]
        try:
            explore(Counters(2, 1), [NO_Y], por=True, symmetry=True, progress="off")
        finally:
            del Counters.canonical


def test_planner_splits_por_from_what_it_may_not_serve():
    inv = invariant("INV", "inv", lambda s: True, reads=frozenset({("x",)}))
    blind = invariant("ALL", "all", lambda s: True)
    conv = eventually_always("CONV", "conv", lambda s: True)
    out = split_by_all_reductions([inv, blind], lambda p: p, False, True, True)
    assert [([p.rule_id for p in ps], fp, por) for ps, _, fp, por in out] == [(["INV"], False, True), (["ALL"], True, False)]
    # a plain search (no reduction) runs anyway for CONV: INV joins it rather than a second,
    # reduced search over the same space
    out = split_by_all_reductions([inv, blind, conv], lambda p: p, False, True, True)
    assert [([p.rule_id for p in ps], fp, por) for ps, _, fp, por in out] == [(["ALL"], True, False), (["INV", "CONV"], False, False)]
    # symmetry wins where it may serve (POR is not combined with it)
    out = split_by_all_reductions([inv, conv], lambda p: p, True, False, True)
    assert [([p.rule_id for p in ps], sym, por) for ps, sym, _, por in out] == [(["INV"], True, False), (["CONV"], False, False)]


def test_overlap_is_by_prefix():
    assert overlaps([()], [("anything", 1)])
    assert not overlaps([("Pod", "ns", "a")], [("Pod", "ns", "b", "status")])
    assert dependent(Footprint.of(writes=[("x",)]), Footprint.of(reads=[("x", 1)]))
    assert not dependent(Footprint.of(reads=[("x",)]), Footprint.of(reads=[("x",)]))


class Liar(Counters):
    """Declares the two counters independent, but p0's step also bumps p1's counter."""

    def step(self, s, a):
        t = super().step(s, a)
        if t is not None and a.data == 0 and t[1] < self.k:
            t = (t[0], t[1] + 1) + t[2:]
        return t


def test_debug_mode_catches_a_false_independence_claim(monkeypatch):
    inv = invariant("INV", "inv", lambda s: True, reads=frozenset({("z",)}))
    explore(Liar(2, 2), [inv], por=True, progress="off")  # unchecked: the lie goes unnoticed
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    with pytest.raises(FootprintViolation, match="does not commute"):
        explore(Liar(2, 2), [inv], por=True, progress="off")


class GuardedTrap(Trap):
    """Guarded footprints (kubecheck.core.por): B's declared potential leaves out that ``test_x`` reads
    x, which is exact for the relaxed system where x is 0, i.e. while the guard ``x == 0`` holds."""

    def __init__(self) -> None:
        super().__init__(honest=False)

    def por_guard(self, s):
        return s[0] == 0

    def por_guard_reads(self):
        return [("x",)]


def test_a_guard_keeps_the_violation_the_relaxed_footprints_would_lose():
    """Without the guard these footprints lose the violation (test above); with it, x is visible and
    the violation is found (here before any state with x = 1 is expanded: a violation found in the
    reduced graph is a real path, whatever the guard)."""
    red = explore(GuardedTrap(), [NO_Y], por=True, progress="off")
    assert red.results[0].verdict is Verdict.VIOLATED
    assert red.results[0].trace.states()[-1][1] == 1


class GuardedCounters(Counters):
    def por_guard(self, s):
        return s[1] < 2  # holds until counter 1 reaches 2

    def por_guard_reads(self):
        return [("v", 1)]


def test_a_guard_that_holds_keeps_the_reduction_and_one_that_fails_abandons_it():
    ok = invariant("OK", "counter 2 stays at most k", lambda s: s[2] <= 3, reads=frozenset({("v", 2)}))
    plain = explore(Counters(3, 1), [ok], por=True, progress="off")
    guarded = explore(GuardedCounters(3, 1), [ok], por=True, progress="off")
    assert guarded.reductions == plain.reductions == ("por",)
    assert [r.verdict for r in guarded.results] == [r.verdict for r in plain.results] == [Verdict.HOLDS]
    # counter 1's step is visible now (the guard reads it), so no fewer states than without the guard
    assert guarded.stats.states >= plain.stats.states
    # k = 2: counter 1 reaches 2, the guard fails on that state, the search runs again unreduced
    failing = explore(GuardedCounters(3, 2), [ok], por=True, progress="off")
    assert failing.reductions == ()
    assert failing.complete and failing.stats.states == 27
    assert failing.results[0].verdict is Verdict.HOLDS
