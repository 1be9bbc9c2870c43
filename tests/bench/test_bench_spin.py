"""SPIN side: the generated Promela is RS-K (same actions, same state space), and truncation is loud."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bench.rsk import RSK, active_at_most
from bench.runner import EquivalenceError, Run, check_equivalent, run_spin_rsk
from bench.spin.driver import SpinError, parse_pan, run_pan, spin_available
from bench.spin.gen import rsk_promela
from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant
from kubecheck.core.verdict import Verdict

needs_spin = pytest.mark.skipif(
    not spin_available(), reason="spin/gcc not installed (apt-get install spin); the SPIN comparison cannot run"
)

# The end of a real pan report (SPIN 6.5.2, RS-3), trimmed.
PAN_OK = """
(Spin Version 6.5.2 -- 6 December 2019)
Full statespace search for:
State-vector 20 byte, depth reached 611, errors: 0
      320 states, stored
     2017 states, matched
     2337 transitions (= stored+matched)
    2.195	total actual memory usage
pan: elapsed time 0 seconds
"""


def test_promela_has_one_guarded_command_per_rsk_action_in_order():
    k = 2
    text = rsk_promela(k)
    comments = re.findall(r"/\* (scale to \d|create \d|delete \d|start \d|finish \d|crash \d) \*/", text)
    system = RSK(k)
    wanted = [f"scale to {a.data}" for a in system._scale] + [
        f"{label} {i}" for i in range(k) for label in ("create", "delete", "start", "finish", "crash")
    ]
    assert comments == wanted
    assert text.count("d_step {") == len(wanted)  # one indivisible step per action: no intermediate states
    assert "ltl inv { [] (ACTIVE <= 4) }" in text


def test_parse_pan_reads_the_counts():
    nums = parse_pan(PAN_OK)
    assert (nums["states"], nums["transitions"], nums["depth"], nums["errors"]) == (320, 2337, 611, 0)


@pytest.mark.parametrize(
    "marker",
    ["error: max search depth too small", "Warning: Search not completed", "pan: out of memory"],
    ids=["depth", "incomplete", "memory"],
)
def test_parse_pan_fails_loudly_on_truncation(marker):
    with pytest.raises(SpinError, match="did not explore the whole state space"):
        parse_pan(PAN_OK + marker + "\n")


def test_check_equivalent_rejects_a_different_state_space():
    ours = Run("ours", "rsk", 3, 320, 2336, 13, "HOLDS", 0.0, 0.0, 0)
    check_equivalent(ours, Run("spin", "rsk", 3, 320, 2337, 611, "HOLDS", 0.0, 0.0, 0))
    with pytest.raises(EquivalenceError, match="no longer matches"):
        check_equivalent(ours, Run("spin", "rsk", 3, 319, 2337, 611, "HOLDS", 0.0, 0.0, 0))
    with pytest.raises(EquivalenceError):
        check_equivalent(ours, Run("spin", "rsk", 3, 320, 2336, 611, "HOLDS", 0.0, 0.0, 0))


@needs_spin
def test_spin_and_explorer_agree_on_rs3(tmp_path: Path):
    ours = explore(RSK(3), [invariant("RSK-ACTIVE", "active <= 4", active_at_most(4))])
    spin = run_spin_rsk(3, tmp_path)
    assert ours.results[0].verdict is Verdict.HOLDS and spin.verdict == "HOLDS"
    assert (spin.states, spin.transitions) == (ours.stats.states, ours.stats.transitions + 1) == (320, 2337)
    # A real too-small depth bound: pan's own wording is caught by the driver.
    out = subprocess.run(["./pan", "-m20"], cwd=tmp_path / "rsk3", capture_output=True, text=True, check=False).stdout
    with pytest.raises(SpinError, match="max search depth"):
        parse_pan(out)


@needs_spin
def test_spin_finds_the_violation_our_explorer_finds(tmp_path: Path):
    ours = explore(RSK(4), [invariant("RSK-A3", "active <= 3", active_at_most(3))])
    assert ours.results[0].verdict is Verdict.VIOLATED and len(ours.results[0].trace) == 5  # scale to 4, then four creates
    run = run_pan(rsk_promela(4, bound=3), tmp_path, max_states=5 * 4**4, expect_errors=1)
    assert run.errors == 1
    with pytest.raises(SpinError, match="expected 0"):
        run_pan(rsk_promela(4, bound=3), tmp_path, max_states=5 * 4**4)
