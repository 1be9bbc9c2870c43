"""Scenario (b) in Promela (bench/spin/rollout_gen.py) against our explorer: syntax, equal counts,
equal reachable state sets, and that the comparison catches a wrong model.  Needs SPIN and gcc
(skipped otherwise); pan is compiled with -O0 here (fast to build, the counts do not depend on it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.runner import EquivalenceError, Run
from bench.spin.driver import spin_available
from bench.spin.rollout_gen import POD_ARRAYS, RS_ARRAYS, SCALARS, project, rollout_promela
from bench.spin_rollout import Config, check_equivalent, compare_state_sets, extrapolate, run_ours, run_spin

needs_spin = pytest.mark.skipif(not spin_available(), reason="spin/gcc not installed")
FAST_GCC = ("-O0", "-DSAFETY", "-DNOREDUCE")


@needs_spin
@pytest.mark.parametrize("r,surge,unav,crashes", [(1, 1, 0, 0), (2, 1, 0, 2), (3, 1, 0, 1), (3, 0, 1, 2), (4, "25%", "25%", 1)])
def test_generated_promela_is_valid(tmp_path: Path, r: int, surge: object, unav: object, crashes: int) -> None:
    for debug in (False, True):
        (tmp_path / "m.pml").write_text(rollout_promela(r, surge, unav, crashes, debug=debug))
        proc = subprocess.run(["spin", "-a", "m.pml"], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and "error" not in proc.stdout.lower(), proc.stdout + proc.stderr
        assert (tmp_path / "pan.c").exists()
        # no state variable may be write-only: SPIN would hide it and store fewer distinct states than we do
        hidden = [ln for ln in (tmp_path / "pan.h").read_text().splitlines() if "hidden variable" in ln]
        declared = set(SCALARS) | set(RS_ARRAYS) | set(POD_ARRAYS)
        assert not [ln for ln in hidden if any(f" {v}[" in ln or f" {v};" in ln for v in declared)], hidden


def test_initial_projection_matches_promela_initial_values() -> None:
    from bench.model_perf import rollout_system
    from bench.spin.rollout_gen import old_rs_name_of

    system = rollout_system(3, 1, 0, 2, "reconcile")
    t = project(system.init_states()[0], 3, old_rs_name_of(system))
    names = list(SCALARS) + [f"{a}[{i}]" for a in RS_ARRAYS for i in range(2)] + [f"{a}[{i}]" for a in POD_ARRAYS for i in range(6)]
    got = dict(zip(names, t))
    text = rollout_promela(3, 1, 0, 2)
    assert got["cb"] == 2 and "byte cb = 2;" in text
    assert [got[f"pu[{i}]"] for i in range(6)] == [4, 5, 6, 0, 0, 0] and "byte pu[NP] = {4, 5, 6, 0, 0, 0};" in text
    assert [got[f"pc[{i}]"] for i in range(6)] == [2, 3, 4, 0, 0, 0] and "byte pc[NP] = {2, 3, 4, 0, 0, 0};" in text
    assert got["d_rep"] == got["d_upd"] == got["d_rdy"] == 3 and got["rs1"] == 0


def test_check_equivalent_raises_on_any_difference() -> None:
    base = dict(scenario="rollout s1u0 c0", size=1, depth=1, verdict="HOLDS", seconds=1.0, search_seconds=1.0, peak_rss=1)
    ours = Run("ours", states=42, transitions=64, **base)  # type: ignore[arg-type]
    check_equivalent(ours, Run("spin", states=42, transitions=65, **base))  # type: ignore[arg-type]
    with pytest.raises(EquivalenceError):
        check_equivalent(ours, Run("spin", states=43, transitions=65, **base))  # type: ignore[arg-type]
    with pytest.raises(EquivalenceError):
        check_equivalent(ours, Run("spin", states=42, transitions=64, **base))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check_equivalent(Run("ours", states=42, transitions=64, complete=False, **base), Run("spin", states=42, transitions=65, **base))  # type: ignore[arg-type]


def test_extrapolate_uses_the_last_two_exact_counts() -> None:
    base = dict(scenario="x y", depth=1, verdict="HOLDS", seconds=1.0, search_seconds=1.0, peak_rss=1, transitions=0)
    runs = [Run("spin", size=2, states=100, **base), Run("spin-alone", size=3, states=1000, **base)]  # type: ignore[arg-type]
    n, g = extrapolate(runs, "x y", 5)  # type: ignore[misc]
    assert g == pytest.approx(10.0) and n == pytest.approx(100_000.0)


@needs_spin
@pytest.mark.parametrize("crashes", [0, 1])
def test_equal_counts_at_r1_through_the_benchmark(tmp_path: Path, crashes: int) -> None:
    cfg = Config(1, 0, crashes)
    ours = run_ours(1, cfg, False, timeout=60)
    spin = run_spin(1, cfg, tmp_path, cflags=FAST_GCC)
    assert ours.complete and ours.states == {0: 42, 1: 567}[crashes]
    check_equivalent(ours, spin)


@needs_spin
@pytest.mark.parametrize("r,cfg", [(1, Config(1, 0, 1)), (2, Config(1, 0, 0)), (1, Config(0, 1, 0))])
def test_reachable_state_sets_are_equal(tmp_path: Path, r: int, cfg: Config) -> None:
    n, only_ours, only_spin = compare_state_sets(r, cfg, tmp_path, opt="-O0")
    assert n > 0 and not only_ours and not only_spin


@needs_spin
def test_state_set_comparison_catches_a_wrong_ranking(tmp_path: Path) -> None:
    """Deleting the *older* of two equal pods first (upstream deletes the newer) must show up."""
    good = rollout_promela(2, 1, 0, 0, debug=True)
    wrong = good.replace("if :: pc[i] > pc[best] -> best = i", "if :: pc[i] < pc[best] -> best = i")
    assert wrong != good
    n, only_ours, only_spin = compare_state_sets(2, Config(1, 0, 0), tmp_path, opt="-O0", promela=wrong)
    assert only_ours and only_spin


@needs_spin
@pytest.mark.slow
def test_equal_counts_at_r2_one_crash(tmp_path: Path) -> None:
    cfg = Config(1, 0, 1)
    ours = run_ours(2, cfg, False, timeout=120)
    spin = run_spin(2, cfg, tmp_path, cflags=FAST_GCC)
    assert ours.states == 11_747
    check_equivalent(ours, spin)


def test_pan_transition_counts_in_exponent_notation_are_read_whole() -> None:
    from bench.spin.driver import COUNT, _int

    pattern = COUNT + r" transitions \(= stored\+matched\)"
    assert _int(pattern, "     991 transitions (= stored+matched)") == 991
    assert _int(pattern, "  1.0188e+08 transitions (= stored+matched)") == 101_880_000
