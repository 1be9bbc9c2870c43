"""Private module for selective re-export: one random run, checked step by step, with no Hypothesis in it.

A :class:`Walk` is what one Hypothesis example drives: it starts in an initial state, takes the
successor positions the bridge draws, checks every property on the way, and at the end (if an
eventual property is still open) *settles*: it keeps taking steps by a deterministic fair scheduler
until the run reaches a state where no weakly fair action is enabled (a terminal state, or one where
only unfair actions such as faults and user actions remain), closes a weakly fair loop, or spends
``settle_bound`` steps.

A state with only unfair actions enabled ends the settle phase exactly like a terminal one: weak
fairness obliges no unfair action, so the run may stay there forever, and the eventual properties
are decided on that state as the explorer decides them (``kubecheck.core.explorer._fair``: "a reachable
state where P fails and no weakly fair action is enabled").  Taking an unfair action there instead
would hide such a violation (a node that failed may never recover).
A failed check raises the property's own :class:`Failure` subclass (one class per property, raised
from one line, so Hypothesis sees one *interesting origin* per property and shrinks each separately).

Nothing here knows Kubernetes: it sees a :class:`~kubecheck.core.ts.TransitionSystem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Sequence

from kubecheck.core.properties import Property, PropertyKind
from kubecheck.core.ts import Action, expects_progress_fn, successors_fn
from kubecheck.core.judge import Judgement, Outcome, judge_deadlock, judge_lasso, judge_state, judge_step

__all__ = ["Failure", "ModelFailure", "Coverage", "CoverageRecorder", "Walk", "WalkConfig", "failure_class", "BudgetExhausted"]

_SAFETY_STATE = (PropertyKind.INVARIANT, PropertyKind.SOMETIMES, PropertyKind.DEADLOCK)
#: how a run words what the judge found on a state
_STATE_NOTES = {
    PropertyKind.INVARIANT: "a reachable state violates the invariant",
    PropertyKind.SOMETIMES: "example found: a reachable state satisfies it",
}


class Failure(AssertionError):
    """A property decided by one run: a violation, a ``sometimes`` example, or a predicate that raised.

    ``index`` is the property's position in the engine's list; ``path`` is ``(init_index, positions)``
    where positions index into ``successors(state)`` step by step; ``loop_start`` (eventual
    properties) is the index into the trace's states where the lasso loop re-enters; ``closing`` says
    that the last position is the loop's closing step (not part of ``Trace.steps``).
    """

    index: int = -1
    rule_id: str = ""

    def __init__(
        self,
        kind: Outcome,
        path: tuple[int, tuple[int, ...]],
        note: str,
        loop_start: int | None = None,
        closing: bool = False,
    ) -> None:
        self.kind = kind  # VIOLATION, EXAMPLE or ERROR
        self.path = path
        self.note = note
        self.loop_start = loop_start
        self.closing = closing
        super().__init__(f"{self.rule_id}: {kind.value} after {len(path[1])} step(s): {note}")


class BudgetExhausted(BaseException):
    """The wall clock (``timeout``) or memory (``max_memory``) bound of the engine call is spent.

    A ``BaseException`` (like ``KeyboardInterrupt``): Hypothesis does not take it for a failure to
    shrink, so it ends the search at once; the engine keeps what was decided before it and the first,
    unshrunk failure of each property seen in the round it cut (:attr:`CoverageRecorder.first`).
    """

    def __init__(self, bound: str) -> None:
        self.bound = bound
        super().__init__(bound)


class ModelFailure(Exception):
    """The system itself raised (``init_states``/``successors``); every open property gets ERROR."""

    def __init__(self, path: tuple[int, tuple[int, ...]], note: str) -> None:
        self.path = path
        self.note = note
        super().__init__(note)


_CLASSES: dict[tuple[int, str], type[Failure]] = {}


def failure_class(index: int, rule_id: str) -> type[Failure]:
    """The :class:`Failure` subclass of property ``index`` (cached: Hypothesis compares origins by type)."""
    key = (index, rule_id)
    cls = _CLASSES.get(key)
    if cls is None:
        name = "Failure_" + "".join(ch if ch.isalnum() else "_" for ch in rule_id)
        cls = type(name, (Failure,), {"index": index, "rule_id": rule_id, "__module__": __name__})
        _CLASSES[key] = cls
    return cls


def _fail(index: int, prop: Property, kind: Outcome, walk: "Walk", note: str, loop_start: int | None = None, closing: bool = False) -> None:
    # IMPORTANT: every property failure is raised from this one line, so a property's failures share one
    # interesting origin (exception type + raise site) and Hypothesis never treats them as two bugs.
    exc = failure_class(index, prop.rule_id)(kind, walk.path(), note, loop_start, closing)
    walk.cov.first.setdefault(index, exc)
    raise exc


# ------------------------------------------------------------------------------------ coverage


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the random runs covered (all runs: generation and shrinking).

    ``runs`` machine runs; ``steps`` transitions taken, of which ``settle_steps`` by the settle phase;
    ``distinct_states`` distinct states seen (by hash); ``max_run_length`` the longest run in steps;
    ``actions_by_label`` and ``actions_by_actor_kind`` count the transitions taken, most frequent first
    (the actor kind is the part of ``Action.actor`` before the first ``/`` or ``:``); ``unsettled_runs``
    the runs whose settle phase spent ``settle_bound`` steps without a terminal state or a fair loop.
    """

    runs: int
    steps: int
    settle_steps: int
    distinct_states: int
    max_run_length: int
    actions_by_label: tuple[tuple[str, int], ...]
    actions_by_actor_kind: tuple[tuple[str, int], ...]
    unsettled_runs: int = 0

    def by_label(self) -> dict[str, int]:
        return dict(self.actions_by_label)

    def by_actor_kind(self) -> dict[str, int]:
        return dict(self.actions_by_actor_kind)


def actor_kind(action: Any) -> str:
    actor = str(getattr(action, "actor", "") or "")
    for sep in ("/", ":"):
        actor = actor.split(sep, 1)[0]
    return actor


@dataclass(slots=True)
class CoverageRecorder:
    """Mutable counters shared by every walk of one engine call."""

    runs: int = 0
    steps: int = 0
    settle_steps: int = 0
    max_run_length: int = 0
    unsettled_runs: int = 0
    seen: set[int] = field(default_factory=set)
    labels: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    #: the first failure raised for each property index (a real run, not yet shrunk)
    first: dict[int, Failure] = field(default_factory=dict)
    #: the engine call's bound check (``None``: no timeout or memory bound): the exhausted bound or None
    budget: Callable[[int], str | None] | None = None

    def state(self, state: Any) -> None:
        self.seen.add(hash(state))

    def action(self, action: Any, settling: bool) -> None:
        self.steps += 1
        if settling:
            self.settle_steps += 1
        label = str(getattr(action, "label", action))
        self.labels[label] = self.labels.get(label, 0) + 1
        kind = actor_kind(action)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def freeze(self) -> Coverage:
        def ordered(d: dict[str, int]) -> tuple[tuple[str, int], ...]:
            return tuple(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))

        return Coverage(
            self.runs,
            self.steps,
            self.settle_steps,
            len(self.seen),
            self.max_run_length,
            ordered(self.labels),
            ordered(self.kinds),
            self.unsettled_runs,
        )


# ---------------------------------------------------------------------------------------- walk


@dataclass(frozen=True, slots=True)
class WalkConfig:
    """What every walk of one engine round checks.  ``active`` are indices into ``properties``."""

    properties: tuple[Property, ...]
    active: tuple[int, ...]
    settle_bound: int
    unsettled: str  # "violation" | "inconclusive"


class Walk:
    """One run of ``system`` (see the module docstring).  Not thread-safe; one per Hypothesis example."""

    def __init__(self, system: Any, cfg: WalkConfig, coverage: CoverageRecorder) -> None:
        self.system = system
        self.cfg = cfg
        self.cov = coverage
        self.succ: Callable[[Any], Iterable[tuple[Action, Any]]] = successors_fn(system)
        self.expects_progress = expects_progress_fn(system)
        props = cfg.properties
        self.state_props = [(i, props[i]) for i in cfg.active if props[i].kind in _SAFETY_STATE]
        self.action_props = [(i, props[i]) for i in cfg.active if props[i].kind is PropertyKind.ACTION]
        self.eventual_props = [(i, props[i]) for i in cfg.active if props[i].kind.is_eventual]
        self.init_index = 0
        self.positions: list[int] = []
        self.state: Any = None
        self.started = False
        self.failed = False
        self.settling = False
        self._succ_cache: tuple[Any, list[tuple[Action, Any]]] | None = None
        coverage.runs += 1

    # -------------------------------------------------------------------------- helpers
    def path(self) -> tuple[int, tuple[int, ...]]:
        return (self.init_index, tuple(self.positions))

    def successors(self) -> list[tuple[Action, Any]]:
        cache = self._succ_cache
        if cache is not None and cache[0] is self.state:
            return cache[1]
        try:
            out = list(self.succ(self.state))
        except Exception as exc:  # noqa: BLE001 - the model's bug becomes an ERROR verdict
            self.failed = True
            raise ModelFailure(self.path(), f"successors() raised {type(exc).__name__}: {exc}") from exc
        self._succ_cache = (self.state, out)
        return out

    def _judged(
        self, index: int, prop: Property, verdict: Judgement, note: str, loop_start: int | None = None, closing: bool = False
    ) -> None:
        """Raise the property's failure when the judge's verdict decides it (``note`` words a
        violation or an example; an ERROR carries the judge's note)."""
        if not verdict.outcome.decides:
            return
        self.failed = True
        _fail(index, prop, verdict.outcome, self, verdict.note or note, loop_start, closing)

    def _check_state(self, state: Any) -> None:
        self.cov.state(state)
        for i, p in self.state_props:
            if p.kind is PropertyKind.DEADLOCK:
                enabled = bool(self.successors())
                self._judged(i, p, Judgement(judge_deadlock(enabled, self.expects_progress, state)),
                             "deadlock: no action is enabled where progress is expected")
            else:
                self._judged(i, p, judge_state(p, state), _STATE_NOTES[p.kind])

    def _check_step(self, state: Any, action: Action, nxt: Any) -> None:
        for i, p in self.action_props:
            self._judged(i, p, judge_step(p, state, action, nxt), f"the step {action} violates the action property")

    # ------------------------------------------------------------------------- protocol
    def _budget(self) -> None:
        check = self.cov.budget
        if check is not None and (hit := check(self.cov.steps)) is not None:
            raise BudgetExhausted(hit)

    def begin(self, init_index: int, initial: Any) -> None:
        self._budget()
        self.init_index = init_index
        self.state = initial
        self.started = True
        self._check_state(initial)

    def take(self, position: int) -> None:
        """Take the successor at ``position`` (an index into ``successors(state)``) and check it."""
        self._budget()
        action, nxt = self.successors()[position]
        self.positions.append(position)
        self.cov.action(action, self.settling)
        self.cov.max_run_length = max(self.cov.max_run_length, len(self.positions))
        prev = self.state
        self.state = nxt
        self._check_step(prev, action, nxt)
        self._check_state(nxt)

    def finish(self) -> None:
        """Settle and decide the eventual properties (no-op after a failure or without them)."""
        if self.failed or not self.started or not self.eventual_props:
            return
        self.settling = True
        start = len(self.positions)
        states: list[Any] = [self.state]
        fair_keys: list[frozenset[Hashable]] = []
        taken_keys: list[Hashable | None] = []  # the fair key of each settle step (None: unfair)
        where: dict[Any, list[int]] = {self.state: [0]}  # every settle index of each state
        last_taken: dict[Hashable, int] = {}
        for n in range(self.cfg.settle_bound):
            succ = self.successors()
            fair = [(pos, a) for pos, (a, _) in enumerate(succ) if a.fair]
            fair_keys.append(frozenset(a.key for _, a in fair))
            if not succ:  # terminal: the run stutters here forever, weak fairness holds vacuously
                self._decide(states[-1:], len(self.positions), closing=False, how="terminal state (the run stutters there)",
                             stem=states[:-1])
                return
            if not fair:  # only unfair actions: weak fairness obliges none, so the run may stay here forever
                self._decide(
                    states[-1:], len(self.positions), closing=False,
                    how="state where no weakly fair action is enabled (only unfair ones: the run may stay there forever)",
                    stem=states[:-1],
                )
                return
            # the fair action whose key waited longest; ties go to the first listed
            pos, action = min(fair, key=lambda pa: (last_taken.get(pa[1].key, -1), pa[0]))
            last_taken[action.key] = n
            taken_keys.append(action.key)
            self.take(pos)
            nxt = self.state
            # Try the loops back to every earlier visit of ``nxt``, latest (shortest) first.  The
            # scheduler's choices are eventually periodic and the round-robin makes a whole period
            # weakly fair, but a period may pass ``nxt`` more than once, and its shorter sub-loops
            # need not be fair; so the longer loops must be tried too.
            for seen_at in reversed(where.get(nxt, ())):
                loop_fair_keys = fair_keys[seen_at:]
                required = frozenset.intersection(*loop_fair_keys) if loop_fair_keys else frozenset()
                taken = {k for k in taken_keys[seen_at:] if k is not None}
                if required <= taken:  # a weakly fair loop: every key enabled throughout is taken
                    self._decide(states[seen_at:], start + seen_at, closing=True, how="weakly fair loop", stem=states[:seen_at])
                    return
            where.setdefault(nxt, []).append(len(states))
            states.append(nxt)
        self.cov.unsettled_runs += 1
        if self.cfg.unsettled != "violation":
            return
        for i, p in self.eventual_props:
            # the judge on the last state alone (what a one-state loop shows: P fails there); the note
            # says that the run was cut, not seen to stay there
            self._judged(
                i, p, judge_lasso(p, [self.state], states[:-1]),
                f"did not settle within {self.cfg.settle_bound} steps of the fair scheduler (no terminal state, no "
                f"weakly fair loop) and the property fails at the last state; a livelock, or settle_bound is too "
                f"small for this scenario",
            )

    def _decide(self, loop_states: Sequence[Any], loop_start: int, *, closing: bool, how: str, stem: Sequence[Any] = ()) -> None:
        """``stem``: the states of the settle run before the loop (a ``leads_to`` trigger there counts;
        one in the random walk before settling is not looked at: a missed violation, never a false one)."""
        for i, p in self.eventual_props:
            self._judged(i, p, judge_lasso(p, loop_states, stem), f"{how} on which the property fails", loop_start, closing)
