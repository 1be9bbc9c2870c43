"""The generic bridge: any :class:`~kubecheck.core.ts.TransitionSystem` plus properties as a Hypothesis
``RuleBasedStateMachine``, built at run time.

The machine has two rules and no invariants of its own:

* ``start`` (an ``@initialize`` rule) draws the index of the initial state;
* ``step`` draws an index into the successors enabled in the current state, ``st.integers(0, n - 1)``
  through ``st.data()``, and takes that step.  Because the draw is an *index*, Hypothesis shrinks a
  failing run towards fewer steps and towards the first listed successor, and a shrunk run is
  still a run of the system (every index is drawn against the state it is applied to).  In a state
  with no successor the step does nothing (Hypothesis needs a runnable rule; a run that ends early
  just stutters).

Every property is checked inside the walk (:mod:`kubecheck.core.random._walk`): invariants, ``sometimes``
and deadlock on every state, action properties on every step; eventual properties in ``teardown``,
after the drawn steps, by settling the run with a deterministic fair scheduler.  A failure is
raised as the property's own exception class, so Hypothesis shrinks each property's failure on
its own.

>>> from kubecheck.core.ts import Action, BaseSystem
>>> from kubecheck.core.properties import invariant
>>> class Up(BaseSystem):
...     def init_states(self): return [0]
...     def actions(self, s): return [Action("c", "inc")]
...     def step(self, s, a): return s + 1 if s < 9 else None
>>> failures = run_machine(Up(), [invariant("LT3", "below 3", lambda s: s < 3)], examples=20, max_steps=10, seed=1)
>>> [(f.rule_id, f.path) for f in failures]
[('LT3', (0, (0, 0, 0)))]
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from hypothesis import HealthCheck, Phase, Verbosity, seed as hypothesis_seed, settings as Settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.properties import Property

from ._walk import CoverageRecorder, Failure, ModelFailure, Walk, WalkConfig

__all__ = ["build_machine", "run_machine", "machine_settings", "FlakySystem"]


class FlakySystem(Exception):
    """Hypothesis saw the same choices give different outcomes: the system is not deterministic."""


def build_machine(system: Any, cfg: WalkConfig, coverage: CoverageRecorder) -> type[RuleBasedStateMachine]:
    """A ``RuleBasedStateMachine`` subclass that walks ``system`` and checks ``cfg``'s properties."""
    try:
        inits = list(system.init_states())
    except Exception as exc:  # noqa: BLE001
        raise InvalidScenario(f"{type(system).__name__}.init_states() raised {type(exc).__name__}: {exc}") from exc
    if not inits:
        raise InvalidScenario(f"{type(system).__name__}.init_states() returned no state; nothing to run")
    name = f"{type(system).__name__}Walk"

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.walk = Walk(system, cfg, coverage)

        @initialize(index=st.integers(0, len(inits) - 1))
        def start(self, index: int) -> None:
            self.walk.begin(index, inits[index])

        @rule(data=st.data())
        def step(self, data: st.DataObject) -> None:
            enabled = self.walk.successors()
            if enabled:
                self.walk.take(data.draw(st.integers(0, len(enabled) - 1), label="successor"))

        def teardown(self) -> None:
            # IMPORTANT: teardown runs in a ``finally``.  If the run is already unwinding (a failure, or
            # Hypothesis' own StopTest when a shrink candidate runs out of choices), settling here would
            # replace that exception with ours, so the settle phase only runs after a clean run.
            if sys.exc_info()[0] is None:
                self.walk.finish()

        def __repr__(self) -> str:
            return f"{name}(path={self.walk.path()})"

    Machine.__name__ = Machine.__qualname__ = name
    return Machine


def machine_settings(examples: int, max_steps: int) -> Settings:
    """The Hypothesis settings of one engine round (no database, no deadline, quiet, no explain phase).

    ``stateful_step_count`` is ``max_steps + 1``: the ``start`` rule counts as one of Hypothesis' steps.
    """
    return Settings(
        max_examples=examples,
        stateful_step_count=max_steps + 1,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate, Phase.shrink),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=True,
        print_blob=False,
    )


def _flatten(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, Flaky):
        out: list[BaseException] = []
        for sub in exc.exceptions:
            out.extend(_flatten(sub))
        return out
    return [exc]


def run_machine(
    system: Any,
    properties: Sequence[Property],
    *,
    active: Sequence[int] | None = None,
    examples: int = 100,
    max_steps: int = 50,
    seed: int = 0,
    settle_bound: int = 500,
    unsettled: str = "inconclusive",
    coverage: CoverageRecorder | None = None,
) -> list[Failure | ModelFailure]:
    """Run one Hypothesis search; return the shrunk failures (one per property that failed, at most).

    ``active`` selects the properties to check (default: all).  Deterministic for a given ``seed``.
    Raises :class:`FlakySystem` when the system does not replay deterministically.
    """
    cfg = WalkConfig(
        tuple(properties),
        tuple(range(len(properties))) if active is None else tuple(active),
        settle_bound,
        unsettled,
    )
    machine = hypothesis_seed(seed)(build_machine(system, cfg, coverage or CoverageRecorder()))
    try:
        run_state_machine_as_test(machine, settings=machine_settings(examples, max_steps))
    except BaseException as exc:  # noqa: BLE001 - sorted below; anything unexpected is re-raised
        if isinstance(exc, KeyboardInterrupt):
            raise
        found = _flatten(exc)
        if any(isinstance(e, Flaky) for e in found):
            raise FlakySystem(
                "Hypothesis replayed the same choices and got a different outcome: the system's init_states(), "
                "actions(), step() or successors(), or a property's predicate, is not deterministic"
            ) from exc
        unexpected = [e for e in found if not isinstance(e, (Failure, ModelFailure))]
        if unexpected:
            raise unexpected[0]
        failures: list[Failure | ModelFailure] = [e for e in found if isinstance(e, (Failure, ModelFailure))]
        return failures
    return []
