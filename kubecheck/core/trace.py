"""The one trace type every engine produces (explorer, symbolic, fuzz).

A trace is an initial state and a sequence of steps.  ``action_path()`` gives the stateright-style index
path (the index of the initial state in ``init_states()``, then for each step the index of its action
in ``actions(state)``), which is how a trace replays deterministically.

A *lasso* (counterexample to an eventual property) sets ``loop_start``: an index into ``states()``
(0 = the initial state) where the loop re-enters; the last state steps back to ``states()[loop_start]``.
``loop_step`` (optional) records that closing step: its action and its state (equal to
``states()[loop_start]``); it is not part of ``steps``.  If ``loop_start == len(states()) - 1`` and
``loop_step`` is ``None``, the loop is the final state stuttering: no weakly fair action is enabled
there (at most unfair ones, such as faults, which a run need not take), so the run may stay forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from kubecheck.core.errors import KubecheckError
from kubecheck.core.ts import successors_fn

__all__ = ["Step", "Trace", "action_index", "replay_positions"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step: the action taken (actor, label, index into ``actions(previous state)``) and the state after it."""

    actor: str
    label: str
    action_index: int
    state: Any
    action: Any = None


@dataclass(frozen=True, slots=True)
class Trace:
    initial: Any
    steps: tuple[Step, ...]
    property_id: str | None
    property_name: str | None
    loop_start: int | None
    engine: str
    bounds: tuple[tuple[str, Any], ...]
    init_index: int = 0
    loop_step: Step | None = None

    def __post_init__(self) -> None:
        if self.loop_start is not None and not 0 <= self.loop_start <= len(self.steps):
            raise ValueError(
                f"Trace.loop_start={self.loop_start} is outside the trace's {len(self.steps) + 1} states"
            )

    def states(self) -> tuple[Any, ...]:
        """The initial state followed by the state after each step."""
        return (self.initial, *(s.state for s in self.steps))

    def action_path(self) -> tuple[int, ...]:
        """``(init_index, action_index_1, ..., action_index_n)``, the replayable index path."""
        return (self.init_index, *(s.action_index for s in self.steps))

    @property
    def is_lasso(self) -> bool:
        return self.loop_start is not None

    def __len__(self) -> int:
        """The number of steps."""
        return len(self.steps)


def action_index(actions: Sequence[Any], action: Any) -> int:
    """The index of ``action`` in ``actions`` (a ``Step.action_index``)."""
    for i, candidate in enumerate(actions):
        if candidate == action:
            return i
    raise KubecheckError(
        f"successors() yielded action {action!s} that actions() does not list; a system that overrides "
        f"successors() must only yield actions from actions(state), in that order"
    )


def replay_positions(system: Any, init_index: int, positions: Sequence[int]) -> tuple[Any, list[Step]]:
    """Follow successor ``positions`` from initial state ``init_index``; return the initial state and steps."""
    succ = successors_fn(system)
    state = list(system.init_states())[init_index]
    initial = state
    steps: list[Step] = []
    for pos in positions:
        action, nxt = list(succ(state))[pos]
        steps.append(Step(action.actor, action.label, action_index(system.actions(state), action), nxt, action))
        state = nxt
    return initial, steps
