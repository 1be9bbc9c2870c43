"""Counterexample minimisation: drop the user actions and faults a violation does not need.

BFS already gives a shortest trace, but "shortest" counts controller steps too: a trace may still
contain a scale-up and a node crash when the crash alone causes the violation.  :func:`minimize` runs
delta debugging (Zeller and Hildebrandt's *ddmin*, TSE 2002) over the trace's **unfair** steps
(``action.fair is False``: user actions and faults), the only steps a run may choose freely.  Fair
steps (controllers) are not candidates: they are consequences, not choices.

Each candidate subset is rebuilt from the initial state by walking the original steps in order:

* a kept unfair step must still be applicable, matched by ``actor`` and ``label`` (preferring the same
  ``data``, then the same index); otherwise the candidate is rejected;
* a fair step is re-taken when an action with its actor and label applies, and skipped otherwise
  (removing a user action changes what controllers have left to do);
* if the rebuilt trace does not yet satisfy ``still_violates``, the fair actors run on, the first
  applicable fair action each time, for at most ``max_extra_steps`` steps.

The result is *1-minimal*: removing any single remaining unfair step loses the violation.  Safety traces
are then cut to their shortest prefix that still violates.  For a lasso only the stem (the steps before
``loop_start``) is minimised; the loop is re-taken as recorded and must still close (checked by
:func:`traces.replay.replay`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from traces.replay import ReplayMismatch, replay
from traces.trace import Step, Trace

__all__ = ["minimize", "ddmin"]

Predicate = Callable[[Trace], bool]


def ddmin(items: Sequence[int], test: Callable[[tuple[int, ...]], bool]) -> tuple[int, ...]:
    """Zeller's ddmin: a 1-minimal subsequence of ``items`` for which ``test`` holds.

    ``test(tuple(items))`` is assumed to hold.  Subsets keep the original order.

    >>> ddmin([1, 2, 3, 4, 5, 6, 7, 8], lambda s: 3 in s and 7 in s)
    (3, 7)
    """
    current = tuple(items)
    if test(()):
        return ()
    n = 2
    while len(current) >= 2:
        size = len(current)
        chunks = [current[size * i // n : size * (i + 1) // n] for i in range(n)]
        chunks = [c for c in chunks if c]
        for chunk in chunks:
            if test(chunk):
                current, n = chunk, 2
                break
        else:
            for chunk in chunks:
                complement = tuple(x for x in current if x not in chunk)
                if test(complement):
                    current, n = complement, max(n - 1, 2)
                    break
            else:
                if n >= len(current):
                    break
                n = min(len(current), 2 * n)
    return current


def _is_fair(step: Step) -> bool:
    return bool(getattr(step.action, "fair", True))


def _find(system: Any, state: Any, rec: Step) -> tuple[int, Any, Any] | None:
    """The action in ``state`` that best matches the recorded step, with its index and successor."""
    actions = list(system.actions(state))
    same = [i for i, a in enumerate(actions) if (getattr(a, "actor", None), getattr(a, "label", None)) == (rec.actor, rec.label)]
    rec_data = getattr(rec.action, "data", None)
    same.sort(
        key=lambda i: (
            actions[i] != rec.action and getattr(actions[i], "data", None) != rec_data,
            i != rec.action_index,
            i,
        )
    )
    for i in same:
        nxt = system.step(state, actions[i])
        if nxt is not None:
            return i, actions[i], nxt
    return None


def _with(trace: Trace, initial: Any, steps: Sequence[Step], loop_start: int | None, loop_step: Step | None) -> Trace:
    return Trace(
        initial,
        tuple(steps),
        trace.property_id,
        trace.property_name,
        loop_start,
        trace.engine,
        trace.bounds,
        trace.init_index,
        loop_step,
    )


class _Rebuilder:
    def __init__(self, system: Any, trace: Trace, still_violates: Predicate, max_extra_steps: int) -> None:
        self.system = system
        self.trace = trace
        self.still_violates = still_violates
        self.max_extra_steps = max_extra_steps
        stem_end = trace.loop_start if trace.loop_start is not None else len(trace.steps)
        self.candidates = tuple(i for i, s in enumerate(trace.steps) if i < stem_end and not _is_fair(s))
        self.cache: dict[tuple[int, ...], Trace | None] = {}
        self.tests = 0

    def test(self, kept: tuple[int, ...]) -> bool:
        key = tuple(sorted(kept))
        if key not in self.cache:
            self.tests += 1
            self.cache[key] = self.rebuild(set(key))
        return self.cache[key] is not None

    def rebuild(self, kept: set[int]) -> Trace | None:
        tr, system = self.trace, self.system
        state = tr.initial
        steps: list[Step] = []
        loop_start: int | None = None
        for i, rec in enumerate(tr.steps):
            if tr.loop_start == i:
                loop_start = len(steps)
            if i in self.candidates and i not in kept:
                continue
            found = _find(system, state, rec)
            if found is None:
                if i in self.candidates or (tr.loop_start is not None and i >= tr.loop_start):
                    return None  # a kept choice or a loop step no longer applies
                continue
            idx, action, nxt = found
            steps.append(Step(rec.actor, rec.label, idx, nxt, action))
            state = nxt
        if tr.loop_start is not None:
            return self._close_lasso(steps, state, len(steps) if loop_start is None else loop_start)
        candidate = _with(tr, tr.initial, steps, None, None)
        if self._violates(candidate):
            return candidate
        for _ in range(self.max_extra_steps):
            extra = self._first_fair(state)
            if extra is None:
                return None
            steps.append(extra)
            state = extra.state
            candidate = _with(tr, tr.initial, steps, None, None)
            if self._violates(candidate):
                return candidate
        return None

    def _close_lasso(self, steps: list[Step], last: Any, loop_start: int) -> Trace | None:
        loop_step = None
        rec = self.trace.loop_step
        if rec is not None:
            found = _find(self.system, last, rec)
            if found is None:
                return None
            idx, action, nxt = found
            loop_step = Step(rec.actor, rec.label, idx, nxt, action)
        candidate = _with(self.trace, self.trace.initial, steps, loop_start, loop_step)
        try:
            replay(self.system, candidate)
        except ReplayMismatch:
            return None
        return candidate if self._violates(candidate) else None

    def _first_fair(self, state: Any) -> Step | None:
        for i, action in enumerate(self.system.actions(state)):
            if getattr(action, "fair", True):
                nxt = self.system.step(state, action)
                if nxt is not None:
                    return Step(action.actor, action.label, i, nxt, action)
        return None

    def _violates(self, trace: Trace) -> bool:
        try:
            return bool(self.still_violates(trace))
        except Exception:  # noqa: BLE001 - a predicate crash on a candidate means "not reproduced"
            return False


def minimize(
    system: Any,
    trace: Trace,
    still_violates: Predicate,
    *,
    max_extra_steps: int | None = None,
) -> Trace:
    """A trace that still violates, with every unneeded user action and fault removed.

    Parameters
    ----------
    system
        The transition system the trace belongs to (the trace is replayed on it first).
    trace
        The counterexample; ``still_violates(trace)`` must be true.
    still_violates
        The caller's check on a candidate trace, e.g. "some state breaks the invariant" or "the
        lasso's loop never reaches the goal".  Exceptions count as "no".
    max_extra_steps
        How far fair actors may run past the rebuilt steps (default: the trace's length + 10).

    Returns
    -------
    Trace
        The minimised trace (the input itself if nothing could be removed), replayable on ``system``.

    Raises
    ------
    ReplayMismatch
        If ``trace`` does not replay on ``system``.
    ValueError
        If ``still_violates(trace)`` is false to begin with.
    """
    trace = replay(system, trace)
    if not still_violates(trace):
        raise ValueError(
            f"minimize() needs a violating trace, but still_violates() is false for the given "
            f"{len(trace)}-step trace (property {trace.property_id!r}); pass the predicate that found it"
        )
    extra = len(trace.steps) + 10 if max_extra_steps is None else max_extra_steps
    rb = _Rebuilder(system, trace, still_violates, extra)
    rb.cache[rb.candidates] = trace
    kept = ddmin(rb.candidates, rb.test)
    result = rb.cache[tuple(sorted(kept))]
    assert result is not None  # ddmin only returns subsets whose test passed
    if result.loop_start is None:
        result = _shortest_violating_prefix(result, rb)
    return result


def _shortest_violating_prefix(trace: Trace, rb: _Rebuilder) -> Trace:
    for n in range(len(trace.steps) + 1):
        prefix = _with(trace, trace.initial, trace.steps[:n], None, None)
        if rb._violates(prefix):
            return prefix
    return trace
