"""Replay: re-execute a trace's action path on a system and check every state.

A trace is only evidence if it replays.  :func:`replay` takes the initial state at ``trace.init_index``,
then for each step the action at ``step.action_index`` in ``system.actions(state)``, applies it with
``system.step`` and checks that the result *equals* the recorded state.  For a lasso it also checks
that the loop closes: the recorded ``loop_step`` (or, without one, some action) leads from the last
state back to ``states()[loop_start]``; a lasso that "loops" by stuttering on its last state is only
accepted when no fair action is enabled there (otherwise weak fairness forbids stopping).

Anything else raises :class:`ReplayMismatch`, which names the step, the action and a short diff.
"""

from __future__ import annotations

from typing import Any, Sequence

from traces.describe import diff, short
from traces.trace import Step, Trace

try:
    from kubecheck.core.errors import KubecheckError as _Base
except ImportError:  # pragma: no cover - traces used without the engine
    _Base = Exception  # type: ignore[misc,assignment]

__all__ = ["ReplayMismatch", "replay"]


class ReplayMismatch(_Base, ValueError):
    """A trace does not replay on the given system.

    ``step`` is the 1-based step that failed (0 = the initial state, ``len(trace) + 1`` = the loop
    closing step), ``action`` the action text (``actor:label``), ``differences`` the diff lines.
    """

    def __init__(self, step: int, action: str, reason: str, differences: Sequence[str] = ()) -> None:
        self.step = step
        self.action = action
        self.reason = reason
        self.differences = tuple(differences)
        where = "initial state" if step == 0 else f"step {step} ({action})"
        text = f"trace does not replay at {where}: {reason}"
        if self.differences:
            text += "\n  " + "\n  ".join(self.differences)
        text += (
            "\n  (the system's init_states()/actions()/step() changed since the trace was recorded, "
            "or the trace belongs to another scenario)"
        )
        super().__init__(text)


def _action_text(action: Any) -> str:
    actor = getattr(action, "actor", None)
    label = getattr(action, "label", None)
    return f"{actor}:{label}" if actor is not None else short(action, 60)


def _pick(system: Any, state: Any, index: int, recorded: Step, step_no: int) -> Any:
    actions = list(system.actions(state))
    text = f"{recorded.actor}:{recorded.label}"
    if not 0 <= index < len(actions):
        raise ReplayMismatch(
            step_no, text, f"action index {index} is out of range: actions(state) lists {len(actions)} action(s)"
        )
    action = actions[index]
    actor, label = getattr(action, "actor", None), getattr(action, "label", None)
    if (actor, label) != (recorded.actor, recorded.label):
        raise ReplayMismatch(
            step_no, text, f"action index {index} is now {_action_text(action)}, the trace recorded {text}"
        )
    return action


def _apply(system: Any, state: Any, action: Any, step_no: int) -> Any:
    nxt = system.step(state, action)
    if nxt is None:
        raise ReplayMismatch(step_no, _action_text(action), "the action is not applicable (step() returned None)")
    return nxt


def _same(system: Any, a: Any, b: Any) -> bool:
    if a == b:
        return True
    canon = getattr(system, "canonical", None)
    return canon is not None and canon(a) == canon(b)


def replay(system: Any, trace: Trace) -> Trace:
    """Re-execute ``trace`` on ``system``; return the trace rebuilt from the system's own states.

    The returned trace has the same metadata, and every step carries the system's ``Action`` object, so
    a trace loaded from JSON comes back with live actions.

    Raises
    ------
    ReplayMismatch
        When the initial state, an action or a resulting state differs from the recording, or a
        lasso's loop does not close.
    """
    inits = list(system.init_states())
    if not 0 <= trace.init_index < len(inits):
        raise ReplayMismatch(0, "init", f"init index {trace.init_index} is out of range: {len(inits)} initial state(s)")
    state = inits[trace.init_index]
    if state != trace.initial:
        raise ReplayMismatch(0, "init", "the initial state differs", diff(trace.initial, state))
    initial = state
    steps: list[Step] = []
    for n, rec in enumerate(trace.steps, start=1):
        action = _pick(system, state, rec.action_index, rec, n)
        nxt = _apply(system, state, action, n)
        if nxt != rec.state:
            raise ReplayMismatch(n, _action_text(action), "the resulting state differs", diff(rec.state, nxt))
        steps.append(Step(rec.actor, rec.label, rec.action_index, nxt, action))
        state = nxt
    loop_step = _check_loop(system, trace, (initial, *(s.state for s in steps)))
    return Trace(
        initial,
        tuple(steps),
        trace.property_id,
        trace.property_name,
        trace.loop_start,
        trace.engine,
        trace.bounds,
        trace.init_index,
        loop_step,
    )


def _check_loop(system: Any, trace: Trace, states: tuple[Any, ...]) -> Step | None:
    if trace.loop_start is None:
        return None
    last, target = states[-1], states[trace.loop_start]
    n = len(states)  # the closing step's number (steps are numbered from 1)
    rec = getattr(trace, "loop_step", None)
    if rec is not None:
        action = _pick(system, last, rec.action_index, rec, n)
        nxt = _apply(system, last, action, n)
        if not _same(system, nxt, target):
            raise ReplayMismatch(
                n, _action_text(action), f"the loop does not close: it does not lead back to state {trace.loop_start}",
                diff(target, nxt),
            )
        return Step(rec.actor, rec.label, rec.action_index, nxt, action)
    enabled = [(a, system.step(last, a)) for a in system.actions(last)]
    enabled = [(a, s) for a, s in enabled if s is not None]
    if any(_same(system, s, target) for _, s in enabled):
        return None
    if trace.loop_start == len(states) - 1:
        fair = [a for a, _ in enabled if getattr(a, "fair", True)]
        if not fair:
            return None
        raise ReplayMismatch(
            n, "stutter", "the lasso stutters on its last state, but fair actions are enabled there: "
            + ", ".join(_action_text(a) for a in fair[:5]),
        )
    raise ReplayMismatch(n, "loop", f"no enabled action leads from the last state back to state {trace.loop_start}")
