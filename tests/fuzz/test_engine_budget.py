"""The random engine honours ``timeout`` and ``max_memory`` (``--timeout``/``--max-memory`` with
``--engine random``) and is deterministic for a seed across processes (issue 23 item 6)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from kubecheck.core.explorer._common import RssReader
from kubecheck.core.random import run_random
from kubecheck.core.properties import invariant
from kubecheck.core.ts import Action, BaseSystem
from kubecheck.core.verdict import Verdict

ROOT = Path(__file__).resolve().parents[2]


class SlowCounter(BaseSystem[int]):
    """``inc`` forever, each step taking ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def init_states(self) -> Sequence[int]:
        return [0]

    def actions(self, s: int) -> Sequence[Action]:
        return [Action("c", "inc"), Action("c", "dec")]

    def step(self, s: int, a: Action) -> int | None:
        time.sleep(self.delay)
        return s + 1 if a.label == "inc" else (s - 1 if s > 0 else None)


class Hoarder(BaseSystem[int]):
    """Each step keeps 2 MB alive (a model whose states grow): memory rises with the steps taken."""

    kept: list[bytearray] = []

    def init_states(self) -> Sequence[int]:
        return [0]

    def actions(self, s: int) -> Sequence[Action]:
        return [Action("c", "inc")]

    def step(self, s: int, a: Action) -> int | None:
        self.kept.append(bytearray(2 << 20))
        return s + 1


def test_timeout_stops_the_search_and_is_named() -> None:
    t0 = time.perf_counter()
    result = run_random(SlowCounter(0.002), [invariant("T", "true", lambda s: True)], examples=10_000, max_steps=50,
                        timeout=0.5)
    elapsed = time.perf_counter() - t0
    assert result.bound_hit == "timeout" and result.results[0].verdict is Verdict.SAMPLED
    assert "cut by timeout" in result.results[0].note
    assert elapsed < 3.0  # without the bound: 10,000 runs of up to 50 steps of 2 ms


class SlowOnceFailed(SlowCounter):
    """Fast until the invariant has failed once; then every step takes ``after`` seconds (so the
    deadline falls while Hypothesis shrinks, whatever the machine's load)."""

    def __init__(self, after: float) -> None:
        super().__init__(0.0)
        self.after = after
        self.failed = False

    def step(self, s: int, a: Action) -> int | None:
        if self.failed:
            time.sleep(self.after)
        return s + 1 if a.label == "inc" else (s - 1 if s > 0 else None)

    def below(self, s: int) -> bool:
        if s >= 6:
            self.failed = True
        return s < 6


def test_a_violation_seen_before_the_timeout_is_kept_unshrunk() -> None:
    system = SlowOnceFailed(after=0.25)
    result = run_random(system, [invariant("LT6", "below 6", system.below)], examples=1000, max_steps=60, timeout=1.0, seed=3)
    r = result.results[0]
    assert result.bound_hit == "timeout" and system.failed
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    assert "not shrunk: timeout cut the search" in r.note and "shrunk by Hypothesis" not in r.note
    states = [r.trace.initial] + [s.state for s in r.trace.steps]
    assert states[-1] >= 6 and all(s < 6 for s in states[:-1])  # a real run to the first bad state


def test_max_memory_stops_before_the_limit() -> None:
    Hoarder.kept = []
    limit = RssReader().read() + (120 << 20)
    try:
        result = run_random(Hoarder(), [invariant("T", "true", lambda s: True)], examples=10_000, max_steps=50,
                            max_memory=limit)
        peak = RssReader().read()
    finally:
        Hoarder.kept = []
    assert result.bound_hit == "max_memory"
    assert peak <= limit  # checked before the limit, not after it


def _search_lines(seed: str, hashseed: str, tmp: Path) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("kubecheck")), "check", str(ROOT / "examples" / "web-deployment.yaml"),
         "--engine", "random", "--examples", "15", "--max-depth", "15", "--seed", seed, "-s", "rollout", "-q",
         "--out", str(tmp / f"out-{seed}-{hashseed}")],
        capture_output=True, text=True, env=env, cwd=tmp, timeout=600,
    )
    assert proc.returncode == 4, proc.stderr
    # every search's state, transition and depth counts; the seconds differ from run to run
    return [re.sub(r", [0-9.]+s, ", ", Xs, ", ln) for ln in proc.stdout.splitlines() if ln.strip().startswith("search:")]


def test_the_random_engine_is_deterministic_for_a_seed_across_processes(tmp_path: Path) -> None:
    first = _search_lines("5", "1", tmp_path)
    again = _search_lines("5", "2", tmp_path)
    assert first and first == again
    assert re.search(r"\d+ states, \d+ transitions", first[0])


def test_the_cli_passes_timeout_to_the_random_engine(tmp_path: Path) -> None:
    t0 = time.monotonic()
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("kubecheck")), "check", str(ROOT / "examples" / "web-deployment.yaml"),
         "--engine", "random", "--examples", "100000", "--timeout", "1", "-s", "rollout", "-q", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    searches = [ln for ln in proc.stdout.splitlines() if ln.strip().startswith("search:")]
    assert proc.returncode == 4 and searches, proc.stdout + proc.stderr
    assert all("cut by timeout" in ln for ln in searches), searches
    assert time.monotonic() - t0 < 120  # 100,000 runs per search would take hours
