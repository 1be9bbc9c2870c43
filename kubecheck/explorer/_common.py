"""Private module for selective re-export: configuration, bound monitoring, findings and trace replay."""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Sequence

from kubecheck.errors import KubecheckError
from kubecheck.properties import Property
from kubecheck.ts import successors_fn
from traces.trace import Step, Trace

#: Bounds are checked every this many expanded states (time and RSS reads are cheap but not free).
CHECK_EVERY = 1024


@dataclass(frozen=True, slots=True)
class SearchConfig:
    strategy: str
    symmetry: bool
    max_depth: int | None
    max_states: int | None
    timeout: float | None
    max_memory: int | None
    check_deadlock: bool
    keep_graph: bool
    progress: bool
    #: the fingerprint width in bits when the visited set stores fingerprints (hash compaction), else None
    fingerprint_bits: int | None = None

    @property
    def engine(self) -> str:
        return f"explorer-{self.strategy}"

    def bounds(self) -> tuple[tuple[str, Any], ...]:
        out: list[tuple[str, Any]] = [("strategy", self.strategy), ("symmetry", self.symmetry)]
        if self.fingerprint_bits is not None:
            out.append(("fingerprint_bits", self.fingerprint_bits))
        for name in ("max_depth", "max_states", "timeout", "max_memory"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, value))
        return tuple(out)


@dataclass(slots=True)
class Finding:
    """What a search found for one property: a violation, an example (``sometimes``) or an error.

    ``path`` is ``(init_index, positions)``: positions index into ``successors(state)`` along the way.
    ``loop`` (lasso only) lists the loop's positions, starting and ending at the path's last state; an
    empty tuple means no fair action is enabled in the last state, and the run stutters there.
    """

    kind: str  # "violation" | "example" | "error"
    path: tuple[int, tuple[int, ...]] | None  # None: no trace (e.g. an eventual predicate raised)
    loop: tuple[int, ...] | None = None
    note: str = ""


@dataclass(slots=True)
class Outcome:
    findings: dict[int, Finding]
    states: int
    transitions: int
    max_depth: int
    complete: bool
    bound_hit: str | None
    coverage_note: str = ""
    graph: Any = None
    undecided_eventual_note: dict[int, str] = field(default_factory=dict)


def _current_rss() -> int:
    """Resident set size in bytes: ``/proc/self/statm`` on Linux, the peak RSS elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss()


def peak_rss() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


class Monitor:
    """Checks wall time and memory every :data:`CHECK_EVERY` expansions and drives the progress bar."""

    def __init__(self, cfg: SearchConfig) -> None:
        self.start = time.perf_counter()
        self.deadline = None if cfg.timeout is None else self.start + cfg.timeout
        self.max_memory = cfg.max_memory
        self.bar = None
        if cfg.progress:
            from tqdm import tqdm

            self.bar = tqdm(unit=" states", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
        self._last = 0

    def check(self, states: int) -> str | None:
        """The name of the bound that is exhausted, or ``None``."""
        if self.bar is not None:
            self.bar.update(states - self._last)
            self._last = states
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return "timeout"
        if self.max_memory is not None and _current_rss() >= self.max_memory:
            return "max_memory"
        return None

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def close(self, states: int) -> None:
        if self.bar is not None:
            self.bar.update(states - self._last)
            self.bar.close()


def positions_from_keys(
    system: Any, init_index: int, keys: Sequence[Hashable], key_of: Callable[[Any], Hashable]
) -> tuple[int, ...]:
    """Turn a chain of state keys (after the initial one) into successor positions.

    The edge that discovered a state is the *first* successor of its parent with that key, so matching
    the first successor with the wanted key replays exactly the stored path (IMPORTANT: the path
    continues from the original successor state, never from the canonical representative, so every
    step of the trace is a real step of the system).
    """
    succ = successors_fn(system)
    state = list(system.init_states())[init_index]
    out: list[int] = []
    for want in keys:
        for pos, (_, nxt) in enumerate(succ(state)):
            if key_of(nxt) == want:
                out.append(pos)
                state = nxt
                break
        else:  # pragma: no cover - only if the system is nondeterministic
            raise KubecheckError(
                "replay failed: successors() no longer yields a state seen during the search; "
                "the system's actions()/step()/successors() must be deterministic"
            )
    return tuple(out)


def _action_index(actions: Sequence[Any], action: Any) -> int:
    for i, candidate in enumerate(actions):
        if candidate == action:
            return i
    raise KubecheckError(
        f"successors() yielded action {action!s} that actions() does not list; a system that overrides "
        f"successors() must only yield actions from actions(state), in that order"
    )


def replay(system: Any, init_index: int, positions: Sequence[int]) -> tuple[Any, list[Step]]:
    """Follow successor ``positions`` from initial state ``init_index``; return the initial state and steps."""
    succ = successors_fn(system)
    state = list(system.init_states())[init_index]
    initial = state
    steps: list[Step] = []
    for pos in positions:
        action, nxt = list(succ(state))[pos]
        steps.append(Step(action.actor, action.label, _action_index(system.actions(state), action), nxt, action))
        state = nxt
    return initial, steps


def build_trace(system: Any, prop: Property, finding: Finding, cfg: SearchConfig) -> Trace:
    assert finding.path is not None
    init_index, prefix = finding.path
    if finding.loop is None:
        initial, steps = replay(system, init_index, prefix)
        return Trace(initial, tuple(steps), prop.rule_id, prop.name, None, cfg.engine, cfg.bounds(), init_index)
    initial, steps = replay(system, init_index, tuple(prefix) + tuple(finding.loop))
    loop_start = len(prefix)
    loop_step = None
    if finding.loop:
        loop_step = steps.pop()
    return Trace(
        initial, tuple(steps), prop.rule_id, prop.name, loop_start, cfg.engine, cfg.bounds(), init_index, loop_step
    )


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
