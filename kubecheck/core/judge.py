"""The judge: the one place that says what a state, a step or a lasso means for each property kind.

Every engine asks it (the explorer's two loops, the fair-cycle analysis, the random walk, the
re-validation of a trace rebuilt from fingerprints) and so do the application's start-up check and
``kubecheck replay``.  It answers with an :class:`Outcome`, never with text; the caller words the note.

======================  ============================  =========================================
kind                    judged on                     outcome
======================  ============================  =========================================
``invariant``           a state                       ``VIOLATION`` when the predicate is False
``action``              a step (state, action, next)  ``VIOLATION`` when the predicate is False
``sometimes``           a state                       ``EXAMPLE`` when the predicate is True
``deadlock``            a state and its successors    ``VIOLATION`` when none is enabled and
                                                      the system expects progress there
``eventually_always``   a lasso's loop                ``VIOLATION`` when P fails on some loop state
``always_eventually``   a lasso's loop                ``VIOLATION`` when P fails on every loop state
``leads_to``            a lasso (stem and loop)       ``VIOLATION`` when the trigger holds on some
                                                      state and the goal fails on it and on every
                                                      later state, the whole loop included
======================  ============================  =========================================

A predicate that raises (anything but ``KeyboardInterrupt``: ``SystemExit`` from a user rule too) or
returns something other than ``True``/``False`` gives ``ERROR``, with :func:`describe_error` or
:func:`describe_result` as the note.  Identity tests (``r is True``), not ``bool(r)``: a predicate that
forgets its ``return`` is a bug to report, not a False.

>>> from kubecheck.core.properties import invariant, sometimes, eventually_always
>>> judge_state(invariant("POS", "positive", lambda s: s > 0), 0)
Judgement(outcome=<Outcome.VIOLATION: 'violation'>, note='')
>>> judge_state(sometimes("BIG", "big", lambda s: s > 9), 3).outcome
<Outcome.HOLDS: 'holds'>
>>> judge_lasso(eventually_always("ZERO", "settles at 0", lambda s: s == 0), [0, 1]).outcome
<Outcome.VIOLATION: 'violation'>
>>> from kubecheck.core.properties import leads_to
>>> spike_settles = leads_to("SETTLE", "after 5, back to 0", lambda s: s == 5, lambda s: s == 0)
>>> judge_lasso(spike_settles, [1, 2], prefix=[0, 5]).outcome   # 5 at step 1, never 0 again
<Outcome.VIOLATION: 'violation'>
>>> judge_lasso(spike_settles, [1, 2], prefix=[5, 0]).outcome   # 0 came after the 5
<Outcome.HOLDS: 'holds'>
>>> judge_state(invariant("BAD", "forgot return", lambda s: None), 1).note
'predicate kubecheck.core.judge.<lambda> returned NoneType, not bool'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from kubecheck.core.properties import Property, PropertyKind

__all__ = [
    "Outcome",
    "Judgement",
    "STATE_KINDS",
    "judge_value",
    "judge_state",
    "judge_step",
    "judge_deadlock",
    "judge_lasso",
    "judge_trace",
    "state_checker",
    "step_checker",
    "describe_error",
    "describe_result",
    "PredicateError",
    "strict_predicate",
    "strict_trigger",
    "leads_to_trigger_index",
]


class Outcome(enum.Enum):
    """What one state, step or lasso means for one property."""

    #: nothing to report here (the invariant holds in this state, the ``sometimes`` example is not here...)
    HOLDS = "holds"
    #: a counterexample: the property fails here
    VIOLATION = "violation"
    #: a ``sometimes`` property's witness: a reachable state satisfies it
    EXAMPLE = "example"
    #: the predicate raised or returned a non-bool
    ERROR = "error"

    @property
    def decides(self) -> bool:
        """Whether this outcome decides the property (a search stops looking for it)."""
        return self is not Outcome.HOLDS


@dataclass(frozen=True, slots=True)
class Judgement:
    """An :class:`Outcome` and, for ``ERROR``, what the predicate did."""

    outcome: Outcome
    note: str = ""


#: The kinds judged on one state by a predicate (the deadlock check is judged on a state too, by the system).
STATE_KINDS = (PropertyKind.INVARIANT, PropertyKind.SOMETIMES)

_HOLDS = Judgement(Outcome.HOLDS)
_VIOLATION = Judgement(Outcome.VIOLATION)
_EXAMPLE = Judgement(Outcome.EXAMPLE)


def describe_error(prop: Property, exc: BaseException) -> str:
    """The ERROR note for a predicate that raised.

    ``Exception``s read ``raised ValueError: boom``; other ``BaseException``s (``SystemExit`` from a
    user rule calling ``sys.exit``, ``GeneratorExit``...) read ``raised SystemExit(0)`` so an exit
    code is visible.  KeyboardInterrupt is never passed here: it interrupts the search.
    """
    if isinstance(exc, Exception):
        return f"predicate {prop.predicate_name} raised {type(exc).__name__}: {exc}"
    return f"predicate {prop.predicate_name} raised {exc!r}"


def describe_result(prop: Property, value: Any) -> str:
    """The ERROR note for a predicate that returned something other than ``True``/``False``."""
    return f"predicate {prop.predicate_name} returned {type(value).__name__}, not bool"


def _wanted(kind: PropertyKind) -> bool:
    """The predicate value that decides a state or step property: False for invariants and action
    properties (a violation), True for ``sometimes`` (an example)."""
    return kind is PropertyKind.SOMETIMES


def judge_value(prop: Property, value: Any) -> Judgement:
    """What the value of ``prop``'s predicate on one state (or step) means."""
    if value is not True and value is not False:
        return Judgement(Outcome.ERROR, describe_result(prop, value))
    if value is not _wanted(prop.kind):
        return _HOLDS
    return _EXAMPLE if prop.kind is PropertyKind.SOMETIMES else _VIOLATION


def judge_state(prop: Property, state: Any) -> Judgement:
    """An invariant or ``sometimes`` property on one state."""
    try:
        value = prop.predicate(state)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a predicate bug (even sys.exit) is an ERROR verdict
        return Judgement(Outcome.ERROR, describe_error(prop, exc))
    return judge_value(prop, value)


def judge_step(prop: Property, state: Any, action: Any, nxt: Any) -> Judgement:
    """An action property on one step (called on every edge of a search: the common case is short)."""
    try:
        value = prop.predicate(state, action, nxt)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a predicate bug (even sys.exit) is an ERROR verdict
        return Judgement(Outcome.ERROR, describe_error(prop, exc))
    if value is True:
        return _HOLDS
    return judge_value(prop, value)


def judge_deadlock(enabled: bool, expects_progress: Callable[[Any], bool], state: Any) -> Outcome:
    """A state with no enabled action where the system expects progress is a deadlock
    (``expects_progress`` is only called when nothing is enabled)."""
    if enabled or not expects_progress(state):
        return Outcome.HOLDS
    return Outcome.VIOLATION


def judge_lasso(prop: Property, loop: Sequence[Any], prefix: Sequence[Any] = ()) -> Judgement:
    """An eventual property on a lasso: the run visits ``prefix`` once (the stem, from the initial
    state) and then the states ``loop`` forever (one state: the run stutters there).  ``<>[]P`` fails
    when P fails somewhere on the loop, ``[]<>P`` when P fails everywhere on it; both ignore the stem.
    ``P ~> Q`` (``leads_to``) fails when some state of the stem or of the loop satisfies the trigger
    and the goal fails on that state and on every state after it, loop included
    (:func:`leads_to_trigger_index` says which state)."""
    if prop.kind is PropertyKind.LEADS_TO:
        try:
            at = leads_to_trigger_index(prop, loop, prefix)
        except PredicateError as exc:
            return Judgement(Outcome.ERROR, exc.note)
        return _HOLDS if at is None else _VIOLATION
    failing = []
    for state in loop:
        j = judge_state(prop, state)
        if j.outcome is Outcome.ERROR:
            return j
        failing.append(j.outcome is Outcome.VIOLATION)
    if prop.kind is PropertyKind.EVENTUALLY_ALWAYS:
        bad = any(failing)
    elif prop.kind is PropertyKind.ALWAYS_EVENTUALLY:
        bad = bool(failing) and all(failing)
    else:
        raise ValueError(f"{prop.rule_id} is a {prop.kind.value} property, not an eventual one")
    return _VIOLATION if bad else _HOLDS


def leads_to_trigger_index(prop: Property, loop: Sequence[Any], prefix: Sequence[Any] = ()) -> int | None:
    """For a ``leads_to`` property on the lasso ``prefix`` + ``loop`` forever: the index (into
    ``prefix + loop``) of the first state where the trigger holds and the goal never holds from there
    on, or None.  The goal holding anywhere on the loop answers every trigger (the loop repeats); a
    trigger on the loop is then unanswered; a trigger on the stem is unanswered when the goal fails on
    the rest of the stem too.  Raises :class:`PredicateError` for a predicate that raises or returns a
    non-bool."""
    if not loop:
        raise ValueError(f"{prop.rule_id}: a lasso has at least one loop state")
    goal = strict_predicate(prop)
    trigger = strict_trigger(prop)
    if any(goal(s) for s in loop):
        return None
    first: int | None = None
    for i, s in enumerate(loop):
        if trigger(s):
            first = len(prefix) + i
            break
    # walk the stem backwards while the goal fails: a trigger there is unanswered
    for i in range(len(prefix) - 1, -1, -1):
        if goal(prefix[i]):
            break
        if trigger(prefix[i]):
            first = i
    return first


def judge_trace(prop: Property, trace: Any, system: Any = None) -> Judgement:
    """What ``trace`` (a :class:`~kubecheck.core.trace.Trace`) shows for ``prop``: its last state
    (invariant, ``sometimes``; deadlock, which needs ``system``), its last step (action property) or
    its loop (eventual property).  ``HOLDS`` when the trace shows nothing: an action property's
    trace without steps, an eventual property's trace that is no lasso."""
    states = trace.states()
    kind = prop.kind
    if kind in STATE_KINDS:
        return judge_state(prop, states[-1])
    if kind is PropertyKind.ACTION:
        if not trace.steps:
            return _HOLDS
        return judge_step(prop, states[-2], trace.steps[-1].action, states[-1])
    if kind.is_eventual:
        if trace.loop_start is None:
            return _HOLDS
        return judge_lasso(prop, states[trace.loop_start:], states[: trace.loop_start])
    from kubecheck.core.ts import expects_progress_fn, next_states_fn

    enabled = bool(list(next_states_fn(system)(states[-1])))
    return Judgement(judge_deadlock(enabled, expects_progress_fn(system), states[-1]))


def state_checker(
    props: Sequence[Property], record: dict[int, tuple[Outcome, Any, str]]
) -> tuple[list[Any], Callable[[Any, Any], None]]:
    """The hot-path form of :func:`judge_state` for a search: ``(pending, check)``.

    ``check(state, where)`` judges every pending invariant and ``sometimes`` property of ``props`` on
    ``state``; each one it decides is recorded as ``record[index] = (outcome, where, note)`` and
    dropped from ``pending`` (the list is shared, so the caller's ``if pending:`` sees it empty once
    every state property is decided).  Same outcomes as :func:`judge_state`, without a
    :class:`Judgement` per call.
    """
    # (property index, predicate, value of the predicate that decides the property, the other bool)
    pending: list[tuple[int, Callable[[Any], Any], bool, bool]] = [
        (i, p.predicate, _wanted(p.kind), not _wanted(p.kind)) for i, p in enumerate(props) if p.kind in STATE_KINDS
    ]
    violation, example, error = Outcome.VIOLATION, Outcome.EXAMPLE, Outcome.ERROR

    def check(state: Any, where: Any) -> None:
        decided = None
        for entry in pending:
            idx, pred, want, other = entry
            # IMPORTANT: identity tests, not bool(): a predicate returning None (a forgotten return) is an
            # ERROR, not "False"; and ``is`` costs less than bool() on this hot path.
            try:
                r = pred(state)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - a predicate bug (even sys.exit) is an ERROR verdict
                record[idx] = (error, where, describe_error(props[idx], exc))
            else:
                if r is other:
                    continue
                if r is want:
                    record[idx] = (example if want else violation, where, "")
                else:  # None, 0, a list...: not a verdict
                    record[idx] = (error, where, describe_result(props[idx], r))
            if decided is None:
                decided = []
            decided.append(entry)
        if decided:
            pending[:] = [c for c in pending if c not in decided]

    return pending, check


def step_checker(
    props: Sequence[Property], record: dict[int, tuple[Outcome, Any, str]]
) -> tuple[list[Any], Callable[[Any, Any, Any, Any], list[int] | None]]:
    """The hot-path form of :func:`judge_step` for a search: ``(pending, check)``, as
    :func:`state_checker` for the action properties of ``props``.

    ``check(state, action, next, where)`` judges every pending action property on the step; each one
    it decides is recorded as ``record[index] = (outcome, where, note)`` and dropped from ``pending``;
    it returns the indexes it decided (None when none).  Same outcomes as :func:`judge_step`, without
    a call and a :class:`Judgement` per property and step (a search makes one per transition and
    action property: a million on the web-deployment rollout).
    """
    pending: list[tuple[int, Callable[..., Any]]] = [(i, p.predicate) for i, p in enumerate(props) if p.kind is PropertyKind.ACTION]
    violation, error = Outcome.VIOLATION, Outcome.ERROR

    def check(state: Any, action: Any, nxt: Any, where: Any) -> list[int] | None:
        decided = None
        for entry in pending:
            idx, pred = entry
            # identity tests, as judge_step: a predicate returning None is an ERROR, not a False
            try:
                r = pred(state, action, nxt)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - a predicate bug (even sys.exit) is an ERROR verdict
                record[idx] = (error, where, describe_error(props[idx], exc))
            else:
                if r is True:
                    continue
                if r is False:
                    record[idx] = (violation, where, "")
                else:
                    record[idx] = (error, where, describe_result(props[idx], r))
            if decided is None:
                decided = []
            decided.append(idx)
        if decided:
            pending[:] = [c for c in pending if c[0] not in decided]
        return decided

    return pending, check


class PredicateError(Exception):
    """A predicate raised or returned a non-bool; ``note`` is the ERROR verdict's message."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


def strict_predicate(prop: Property) -> Callable[[Any], bool]:
    """The state predicate of ``prop`` as a function that returns only ``True``/``False`` and raises
    :class:`PredicateError` otherwise (for callers off the hot path, e.g. the fair-cycle search)."""
    pred = prop.predicate

    def call(state: Any) -> bool:
        try:
            r = pred(state)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a user rule is an ERROR, not an exit
            raise PredicateError(describe_error(prop, exc)) from exc
        if r is True or r is False:
            return r
        raise PredicateError(describe_result(prop, r))

    return call


def strict_trigger(prop: Property) -> Callable[[Any], bool]:
    """:func:`strict_predicate` for the trigger of a ``leads_to`` property (its ``P``); the ERROR note
    names the trigger function."""
    if prop.trigger is None:
        raise ValueError(f"{prop.rule_id} is a {prop.kind.value} property: it has no trigger")
    from dataclasses import replace

    return strict_predicate(replace(prop, kind=PropertyKind.EVENTUALLY_ALWAYS, predicate=prop.trigger, trigger=None))
