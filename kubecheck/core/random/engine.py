"""The random engine: Hypothesis walks past the exhaustive bounds, with shrinking to minimal traces.

>>> from kubecheck.core.ts import Action, BaseSystem
>>> from kubecheck.core.properties import invariant
>>> class Up(BaseSystem):
...     def init_states(self): return [0]
...     def actions(self, s): return [Action("c", "inc"), Action("c", "dec")]
...     def step(self, s, a): return s + 1 if a.label == "inc" else (s - 1 if s > 0 else None)
>>> result = run_random(Up(), [invariant("LT4", "below 4", lambda s: s < 4),
...                            invariant("GE0", "never negative", lambda s: s >= 0)], examples=30, max_steps=12)
>>> [(r.property.rule_id, r.verdict.name) for r in result.results]
[('LT4', 'VIOLATED'), ('GE0', 'SAMPLED')]
>>> result.result("LT4").trace.action_path()
(0, 0, 0, 0, 0)

A property that no run violates gets :attr:`~kubecheck.core.verdict.Verdict.SAMPLED` (exit code 4), never
HOLDS: random runs cover what they cover.  A ``sometimes`` property whose example is found gets
HOLDS (the example is a proof), with the shrunk example trace.

**Several properties in one search.**  Every open property is checked on every run.  Each
property's failure is its own Hypothesis "bug", so one search may report several, each shrunk on
its own.  When a search ends with some property decided, the engine runs a new round on the
properties still open (same seed, same budget), until a round finds nothing new; so a property
that fails often cannot hide one that fails rarely.  ``Coverage.runs`` counts the runs of all
rounds.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass, replace
from typing import Any, Iterable

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.explorer import MemoryGuard
from kubecheck.core.judge import Outcome
from kubecheck.core.properties import Property, PropertyKind, validate_properties
from kubecheck.core.verdict import ExplorationResult, PropertyResult, Stats, Verdict
from kubecheck.core.trace import Trace, replay_positions

from ._walk import BudgetExhausted, Coverage, CoverageRecorder, Failure, ModelFailure
from .bridge import FlakySystem, run_machine

__all__ = ["run_random", "RandomResult", "ENGINE"]

#: ``Trace.engine`` of every trace this engine produces.
ENGINE = "random"


@dataclass(frozen=True, slots=True)
class RandomResult(ExplorationResult):
    """An :class:`~kubecheck.core.verdict.ExplorationResult` with what the random runs covered.

    ``complete`` is always False and ``bound_hit`` is ``"max_examples"``: sampling never covers the
    state space.  :attr:`stats` maps the coverage onto the explorer's fields: ``states`` = distinct
    states seen, ``transitions`` = steps taken, ``max_depth`` = the longest run.  ``coverage`` has the
    rest (runs, settle steps, actions per label and per actor kind), ``rounds`` the number of
    Hypothesis searches, and ``seed``/``examples``/``max_steps``/``settle_bound`` the settings.
    """

    coverage: Coverage | None = None
    rounds: int = 0
    seed: int = 0
    examples: int = 0
    max_steps: int = 0
    settle_bound: int = 0


def _positive_int(name: str, value: Any, minimum: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InvalidScenario(f"run_random: {name} must be an integer >= {minimum}, got {value!r}")


def _validate(system: Any, props: list[Property], examples: int, max_steps: int, seed: Any, settle_bound: int, unsettled: str) -> None:
    _positive_int("examples", examples)
    _positive_int("max_steps", max_steps)
    _positive_int("settle_bound", settle_bound)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidScenario(f"run_random: seed must be an integer, got {seed!r}")
    if unsettled not in ("violation", "inconclusive"):
        raise InvalidScenario(f"run_random: unsettled must be 'violation' or 'inconclusive', got {unsettled!r}")
    for required in ("init_states", "actions", "step"):
        if not callable(getattr(system, required, None)):
            raise InvalidScenario(
                f"{type(system).__name__} is not a TransitionSystem: it has no {required}() method "
                f"(needed: init_states(), actions(state), step(state, action))"
            )
    validate_properties(props, "run_random()")


def _peak_rss() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def build_trace(system: Any, prop: Property | None, failure: Failure | ModelFailure, bounds: tuple[tuple[str, Any], ...]) -> Trace:
    """Replay a failure's successor positions into a :class:`~traces.trace.Trace` with action indices.

    Each step's ``action_index`` is the action's index in ``system.actions(state)`` (the replayable
    path, see :func:`traces.replay`); positions index ``successors(state)``, which may skip actions
    that ``step`` refuses.
    """
    init_index, positions = failure.path
    initial, steps = replay_positions(system, init_index, positions)
    loop_start = getattr(failure, "loop_start", None)
    loop_step = steps.pop() if getattr(failure, "closing", False) else None
    return Trace(
        initial,
        tuple(steps),
        prop.rule_id if prop is not None else None,
        prop.name if prop is not None else None,
        loop_start,
        ENGINE,
        bounds,
        init_index,
        loop_step,
    )


def run_random(
    system: Any,
    properties: Iterable[Property] = (),
    *,
    examples: int = 100,
    max_steps: int = 50,
    seed: int = 0,
    settle_bound: int = 500,
    unsettled: str = "inconclusive",
    timeout: float | None = None,
    max_memory: int | None = None,
) -> RandomResult:
    """Check ``properties`` on random runs of ``system``; shrink every failure to a minimal trace.

    Parameters
    ----------
    system
        Any :class:`~kubecheck.core.ts.TransitionSystem` (``init_states``, ``actions``, ``step``; a
        ``successors`` fast path is used when present).
    properties
        :class:`~kubecheck.core.properties.Property` values of any kind.
    examples
        Hypothesis' ``max_examples`` per round: how many runs to generate.
    max_steps
        The most steps drawn per run (Hypothesis' ``stateful_step_count``, less the start rule).
    seed
        Makes the search deterministic: the same system, properties and settings give the same
        result, trace for trace.
    settle_bound
        The most steps of the settle phase that decides eventual properties after the drawn steps
        (see :mod:`kubecheck.core.random._walk`).
    unsettled
        What a run that does not settle within ``settle_bound`` means for an eventual property that
        fails at its last state: ``"inconclusive"`` (default: no verdict from that run, because a run
        cut at a bound proves no livelock, and a verifier must not claim a violation it has not
        shown) or ``"violation"`` (the trace ends there and the note says it did not settle).
    timeout, max_memory
        Wall-clock seconds and bytes of RSS for the whole call (``None``: no bound).  Both are checked
        before every step (the RSS by :class:`~kubecheck.core.explorer.MemoryGuard`, which stops
        before the limit: when one more step could cross it); when one is spent the search stops: ``bound_hit`` names
        it, the properties decided so far keep their verdicts, a property whose failure was seen in
        the round that was cut gets it unshrunk, and the others stay SAMPLED.  (Hypothesis' own
        choices do not depend on the clock, so without these bounds the same seed gives the same
        result; with them, how far a run gets does.)

    Returns
    -------
    RandomResult
        One :class:`~kubecheck.core.verdict.PropertyResult` per property, in order: VIOLATED with a shrunk,
        replayable trace (``engine="random"``), HOLDS for a found ``sometimes`` example, ERROR when a
        predicate or the system raised, SAMPLED otherwise.
    """
    props = list(properties)
    _validate(system, props, examples, max_steps, seed, settle_bound, unsettled)
    bounds: tuple[tuple[str, Any], ...] = (
        ("engine", ENGINE),
        ("examples", examples),
        ("max_steps", max_steps),
        ("seed", seed),
        ("settle_bound", settle_bound),
    )
    coverage = CoverageRecorder()
    decided: dict[int, PropertyResult] = {}
    started = time.perf_counter()
    guard = _Budget(started, timeout, max_memory) if timeout or max_memory else None
    coverage.budget = guard.check if guard is not None else None
    cut: str | None = None
    rounds = 0
    while True:
        active = [i for i in range(len(props)) if i not in decided]
        if not active and props:
            break
        rounds += 1
        try:
            failures = run_machine(
                system, props, active=active, examples=examples, max_steps=max_steps, seed=seed,
                settle_bound=settle_bound, unsettled=unsettled, coverage=coverage,
            )
        except (FlakySystem, BudgetExhausted) as exc:
            if isinstance(exc, FlakySystem) and (guard is None or guard.hit is None):
                for i in active:
                    decided[i] = PropertyResult(props[i], Verdict.ERROR, None, None, str(exc))
                break
            # a bound was hit (a replay that Hypothesis saw stop at another step is the same cut, not a flaky system)
            cut = exc.bound if isinstance(exc, BudgetExhausted) else guard.hit if guard is not None else None
            for i, seen in coverage.first.items():  # seen in the round that was cut: kept, unshrunk
                if i in active and i not in decided:
                    r = _result(system, props[i], seen, bounds)
                    decided[i] = replace(r, note=r.note.replace(" (shrunk by Hypothesis)", "") +
                                         f" (not shrunk: {cut} cut the search)")
            break
        new = False
        model_failure = next((f for f in failures if isinstance(f, ModelFailure)), None)
        for f in failures:
            if isinstance(f, Failure) and f.index in active and f.index not in decided:
                decided[f.index] = _result(system, props[f.index], f, bounds)
                new = True
        if model_failure is not None:
            trace = build_trace(system, None, model_failure, bounds)
            for i in active:
                if i not in decided:
                    decided[i] = PropertyResult(props[i], Verdict.ERROR, trace, None, f"the system raised: {model_failure.note}")
            break
        if not new or not props:
            break
    seconds = time.perf_counter() - started
    cov = coverage.freeze()
    note = (
        (f"cut by {cut} after {seconds:.1f} s; " if cut else "") +
        f"no violation in {cov.runs} random run(s) of at most {max_steps} drawn steps (seed {seed}, "
        f"{examples} examples per round, {rounds} round(s)); {cov.distinct_states} distinct states and "
        f"{cov.steps} steps covered; sampling proves nothing"
    )
    results = []
    for i, p in enumerate(props):
        if i in decided:
            results.append(decided[i])
        elif p.kind is PropertyKind.SOMETIMES:
            results.append(PropertyResult(p, Verdict.SAMPLED, None, "max_examples", "no example found: " + note))
        else:
            results.append(PropertyResult(p, Verdict.SAMPLED, None, "max_examples", note))
    stats = Stats(
        states=cov.distinct_states,
        transitions=cov.steps,
        max_depth=cov.max_run_length,
        seconds=seconds,
        states_per_second=cov.distinct_states / seconds if seconds > 0 else float("inf"),
        peak_memory_bytes=_peak_rss(),
    )
    if guard is not None and guard.memory is not None:
        guard.memory.close()
    return RandomResult(
        tuple(results), stats, (), False, cut or "max_examples", None, cov, rounds, seed, examples, max_steps, settle_bound
    )


class _Budget:
    """The clock and RSS bound of one :func:`run_random` call, asked before every step."""

    def __init__(self, started: float, timeout: float | None, max_memory: int | None) -> None:
        self.deadline = started + timeout if timeout else None
        self.timeout = timeout
        self.max_memory = max_memory
        self.memory = MemoryGuard(max_memory) if max_memory else None
        #: the bound that was hit, kept: every later check says so too (Hypothesis replays a run that
        #: raised, and the replay must stop as well, not run on and look like a different outcome)
        self.hit: str | None = None

    def check(self, steps: int) -> str | None:
        if self.hit is None:
            if self.deadline is not None and time.perf_counter() >= self.deadline:
                self.hit = "timeout"
            # The RSS is read before every step (about 1 us; a step of the Kubernetes model costs far more),
            # and the guard stops when one more step, at the recent growth per step, could cross the bound.
            elif self.memory is not None and self.memory.check(steps) is not None:
                self.hit = "max_memory"
        return self.hit


def _result(system: Any, prop: Property, failure: Failure, bounds: tuple[tuple[str, Any], ...]) -> PropertyResult:
    trace = build_trace(system, prop, failure, bounds)
    if failure.kind is Outcome.EXAMPLE:
        return PropertyResult(prop, Verdict.HOLDS, trace, None, "example found: a reachable state satisfies it (shrunk)")
    if failure.kind is Outcome.ERROR:
        return PropertyResult(prop, Verdict.ERROR, trace, None, failure.note)
    return PropertyResult(prop, Verdict.VIOLATED, trace, None, failure.note + " (shrunk by Hypothesis)")
