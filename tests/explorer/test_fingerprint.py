"""Hash compaction: ``explore(..., fingerprint=True)`` stores 64-bit state fingerprints instead of states."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pytest

from bench.rsk import RSK, PENDING, RUNNING
from kubecheck.core.errors import InvalidScenario, UnsoundCombination
from kubecheck.core.explorer import explore
from kubecheck.core.explorer._fingerprint import encode, fingerprint_fn
from kubecheck.core.reductions import collision_bound, collision_probability, format_probability
from kubecheck.core.properties import action_property, always_eventually, invariant, sometimes
from kubecheck.core.ts import Action, BaseSystem
from kubecheck.core.verdict import Verdict

from .systems import Counter

ROOT = Path(__file__).resolve().parents[2]


def _active(s: tuple[int, ...]) -> int:
    return sum(1 for x in s[:-1] if x in (PENDING, RUNNING))


AT_MOST_4 = invariant("RS-4", "active <= 4", lambda s: _active(s) <= 4)
AT_MOST_2 = invariant("RS-2", "active <= 2", lambda s: _active(s) <= 2)  # violated: d starts at 3
FULL = sometimes("RS-FULL", "every slot active", lambda s: _active(s) == len(s) - 1)


def _trace_key(trace: Any) -> tuple[Any, ...]:
    return (trace.init_index, trace.initial, tuple((st.actor, st.label, st.action_index, st.state) for st in trace.steps))


def _same(a: Any, b: Any) -> None:
    assert (a.stats.states, a.stats.transitions, a.stats.max_depth) == (b.stats.states, b.stats.transitions, b.stats.max_depth)
    assert a.complete == b.complete and a.bound_hit == b.bound_hit
    for ra, rb in zip(a.results, b.results):
        assert ra.verdict is rb.verdict
        assert (ra.trace is None) == (rb.trace is None)
        if ra.trace is not None:
            assert _trace_key(ra.trace) == _trace_key(rb.trace)


@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.parametrize("symmetry", [False, True])
def test_rsk_same_verdicts_counts_and_traces_with_and_without_fingerprints(k: int, symmetry: bool) -> None:
    props = [AT_MOST_4, AT_MOST_2, FULL]
    plain = explore(RSK(k), props, symmetry=symmetry, progress=False, check_deadlock=True)
    fp = explore(RSK(k), props, symmetry=symmetry, progress=False, check_deadlock=True, fingerprint=True)
    _same(plain, fp)
    assert [r.verdict for r in fp.results] == [Verdict.HOLDS, Verdict.VIOLATED, Verdict.HOLDS, Verdict.HOLDS]
    assert fp.reductions == (("symmetry",) if symmetry else ()) + ("fingerprint",)
    assert plain.stats.fingerprint_bits is None and plain.stats.collision_probability is None
    assert fp.stats.fingerprint_bits == 64
    assert "up to fingerprint collisions (64-bit fingerprints, collision probability <= " in fp.results[0].note
    assert "up to fingerprint collisions" not in plain.results[0].note
    # the trace to the violation is a real run and ends in a violating state
    tr = fp.results[1].trace
    assert _active(tr.steps[-1].state) == 3


def test_rsk_bounded_search_agrees_with_fingerprints() -> None:
    for kw in ({"max_depth": 3}, {"max_states": 100}):
        plain = explore(RSK(4), [AT_MOST_4], progress=False, **kw)
        fp = explore(RSK(4), [AT_MOST_4], progress=False, fingerprint=True, **kw)
        _same(plain, fp)
        assert fp.results[0].verdict is Verdict.HOLDS_WITHIN_BOUNDS


def test_kubernetes_rollout_same_results_with_and_without_fingerprints() -> None:
    from bench.model_perf import rollout_system

    system = rollout_system(1)
    one_owner = invariant("OWN", "one controller owner", lambda s: all(sum(1 for r in p.owner_references if r.controller) <= 1 for p in s.cluster.pods.values()))
    one_pod = invariant("ONE", "at most one pod", lambda s: len(s.cluster.pods) <= 1)  # violated: the surge pod
    plain = explore(system, [one_owner, one_pod], progress=False)
    fp = explore(system, [one_owner, one_pod], progress=False, fingerprint=True)
    _same(plain, fp)
    assert [r.verdict for r in fp.results] == [Verdict.HOLDS, Verdict.VIOLATED]
    assert len(fp.results[1].trace.steps[-1].state.cluster.pods) == 2


def test_collision_probability_for_known_n() -> None:
    n = 1_976_320  # RS-10
    assert collision_probability(n) == pytest.approx(-math.expm1(-n * (n - 1) / 2.0**65), rel=1e-12)
    assert collision_probability(n) == pytest.approx(1.0587e-7, rel=1e-3)
    assert collision_probability(0) == collision_probability(1) == 0.0
    assert collision_probability(2) == pytest.approx(2.0**-64, rel=1e-12)  # no underflow to 0
    assert collision_probability(2**40, 64) == pytest.approx(-math.expm1(-(2.0**80 - 2.0**40) / 2.0**65))
    assert collision_probability(10**6, 8) == 1.0  # no overflow: certain
    assert collision_bound(n) >= collision_probability(n)
    res = explore(RSK(3), [AT_MOST_4], progress=False, fingerprint=True)
    assert res.stats.states == 320
    assert res.stats.collision_probability == pytest.approx(-math.expm1(-320 * 319 / 2.0**65), rel=1e-12)


def test_format_probability_rounds_up() -> None:
    assert format_probability(1.0587e-7) == "1.1e-07"
    assert format_probability(1.01e-7) == "1.1e-07"
    assert format_probability(1.0e-7) == "1e-07"
    assert format_probability(0.0) == "0"
    assert format_probability(0.999) == "1"
    assert float(format_probability(2.345e-11)) >= 2.345e-11


def test_forced_collisions_are_reported_and_never_give_a_wrong_trace() -> None:
    # 4-bit fingerprints: 320 states fall into at most 16 buckets, and the violation is hidden: the
    # HOLDS says it is exhaustive only up to collisions, with probability ~1 (blake2b is stable, so
    # this outcome is the same in every run).
    res = explore(RSK(3), [AT_MOST_4, AT_MOST_2], progress=False, fingerprint=True, _fingerprint_bits=4)
    assert res.stats.states == 16 < 320
    assert res.stats.fingerprint_bits == 4
    assert res.stats.collision_probability > 0.99
    assert [r.verdict for r in res.results] == [Verdict.HOLDS, Verdict.HOLDS]
    for r in res.results:
        assert "up to fingerprint collisions (4-bit fingerprints, collision probability <= 1)" in r.note
    # 5 bits: the violation is found, but collisions hid the shortest path (3 steps): the trace is a
    # longer, real run that ends in a violating state.
    res = explore(RSK(3), [AT_MOST_2], progress=False, fingerprint=True, _fingerprint_bits=5)
    assert res.stats.states == 30
    r = res.results[0]
    assert r.verdict is Verdict.VIOLATED and len(r.trace.steps) == 4
    _assert_real_run(RSK(3), r.trace)
    assert _active(r.trace.steps[-1].state) == 3
    shortest = explore(RSK(3), [AT_MOST_2], progress=False).results[0].trace
    assert len(shortest.steps) == 3


def test_a_hash_that_merges_almost_everything_still_gives_real_traces() -> None:
    # A custom fingerprint with 5 values (sum of the slots mod 5): heavy collisions, deterministic.
    for k in (3, 4):
        res = explore(RSK(k), [AT_MOST_2], progress=False, fingerprint=True, _fingerprint_fn=lambda s: sum(s) % 5, _fingerprint_bits=3)
        assert res.stats.states <= 5
        r = res.results[0]
        assert r.verdict in (Verdict.VIOLATED, Verdict.HOLDS)
        if r.trace is not None:
            _assert_real_run(RSK(k), r.trace)
            assert _active(r.trace.steps[-1].state) == 3


def _assert_real_run(system: Any, trace: Any) -> None:
    state = system.init_states()[trace.init_index]
    assert state == trace.initial
    for st in trace.steps:
        nxt = system.step(state, system.actions(state)[st.action_index])
        assert nxt == st.state
        state = nxt


class _TwoFaced(BaseSystem[int]):
    """``next_states`` (the search) and ``successors`` (the trace replay) disagree: 0 -> 1 vs 0 -> 2."""

    def init_states(self) -> Sequence[int]:
        return [0]

    def actions(self, s: int) -> Sequence[Action]:
        return [Action("x", "go")]

    def step(self, s: int, a: Action) -> int | None:
        return 2 if s == 0 else None

    def next_states(self, s: int) -> list[int]:
        return [1] if s == 0 else []


def test_a_rebuilt_trace_that_does_not_show_the_violation_is_never_reported() -> None:
    # 1 and 2 share a fingerprint: the replay lands on 2, which satisfies the invariant.
    res = explore(_TwoFaced(), [invariant("NOT1", "never 1", lambda s: s != 1)], progress=False,
                  fingerprint=True, _fingerprint_fn=lambda s: min(s, 1), _fingerprint_bits=1)
    r = res.results[0]
    assert r.verdict is Verdict.ERROR and r.trace is None
    assert "failed re-validation" in r.note


def test_refused_where_the_lean_loop_does_not_run() -> None:
    with pytest.raises(UnsoundCombination, match="eventual property"):
        explore(RSK(3), [always_eventually("AE", "d active", lambda s: True)], fingerprint=True, progress=False)
    with pytest.raises(InvalidScenario, match="lean BFS loop only"):
        explore(RSK(3), [action_property("ACT", "any", lambda s, a, t: True)], fingerprint=True, progress=False)
    with pytest.raises(InvalidScenario, match="strategy='bfs'"):
        explore(RSK(3), [AT_MOST_4], fingerprint=True, strategy="dfs", progress=False)
    with pytest.raises(InvalidScenario, match="keep_graph"):
        explore(RSK(3), [AT_MOST_4], fingerprint=True, keep_graph=True, progress=False)
    with pytest.raises(InvalidScenario, match="True or False"):
        explore(RSK(3), [AT_MOST_4], fingerprint="yes", progress=False)  # type: ignore[arg-type]
    with pytest.raises(InvalidScenario, match="1..64"):
        explore(RSK(3), [AT_MOST_4], fingerprint=True, _fingerprint_bits=65, progress=False)


def test_counter_ints_and_general_states_fingerprint() -> None:
    plain = explore(Counter(30), [invariant("LT", "below 25", lambda s: s < 25)], progress=False)
    fp = explore(Counter(30), [invariant("LT", "below 25", lambda s: s < 25)], progress=False, fingerprint=True)
    _same(plain, fp)


@dataclass(frozen=True)
class _D:
    a: Any
    b: Any


def test_encoding_equal_states_equal_bytes_and_unequal_apart() -> None:
    from model.frozen import FrozenMap

    assert encode((True, 2)) == encode((1, 2))
    assert encode(_D(FrozenMap({"x": 1, "y": 2}), frozenset({"p", "q", "r"}))) == encode(_D({"y": 2, "x": 1}, frozenset({"r", "q", "p"})))
    assert encode(_D(1.0, None)) == encode(_D(1, None))
    distinct = [(1, 2), (1, 2, 0), (258, 2), ("1", 2), (("1",), 2), _D(1, 2), _D(2, 1), _D("ab", ""), _D("a", "b"), (None,), ((),), 1, "1", frozenset({1}), (1.5,)]
    assert len({encode(x) for x in distinct}) == len(distinct)
    with pytest.raises(InvalidScenario, match="cannot serialise"):
        encode(_D(object(), 1))


def test_fingerprints_are_stable_across_processes() -> None:
    """Salted ``str`` hashes must not leak in: another process (another hash seed) gets the same fingerprint."""
    from bench.model_perf import rollout_system

    state = rollout_system(1).init_states()[0]
    here = fingerprint_fn()(state)
    code = "from bench.model_perf import rollout_system; from kubecheck.core.explorer._fingerprint import fingerprint_fn; print(fingerprint_fn()(rollout_system(1).init_states()[0]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=True)
    assert int(out.stdout) == here
    assert fingerprint_fn()(state) == here  # and a fresh memo in this process, too
