"""Private module: what a rendered trace shows, computed once for the DOT and the built-in SVG views.

A :class:`TraceView` holds, per state, its lanes (``describe``), which lanes changed, the action that
led to it, whether the property holds there, and which states are "bad" (the violating state of a
safety trace, or the loop of a lasso).  The renderers only lay this out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from traces.describe import changed_lanes, describe, lane_rank, short
from traces.trace import Trace

__all__ = ["Column", "TraceView", "build_view", "wrap", "action_text", "truth_text", "state_note", "TRIGGER_NOTE"]


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    action: str  # "actor: label", "" for the initial state
    fair: bool  # False for user actions and faults
    lanes: dict[str, str]
    changed: frozenset[str]
    truth: bool | None


@dataclass(frozen=True, slots=True)
class TraceView:
    title: str
    subtitle: str
    property_label: str
    columns: tuple[Column, ...]
    lanes: tuple[str, ...]
    has_truth: bool
    bad: frozenset[int]
    loop_start: int | None
    loop_action: str  # "" for a stutter loop
    trigger_at: int | None = None  # a leads-to lasso: the state where the unanswered trigger holds


TRIGGER_NOTE = "⚑ trigger holds here; the goal never follows"


def state_note(view: TraceView, index: int) -> str:
    """The extra header note of a state: the leads-to trigger, or ""."""
    return f"   {TRIGGER_NOTE}" if index == view.trigger_at else ""


def action_text(step: Any) -> str:
    """``actor: label``, plus a short form of the action's ``data`` (which pod crashed, which key)."""
    text = f"{step.actor}: {step.label}"
    data = getattr(step.action, "data", None)
    scalar = (str, int, float, bool)
    # Only short, flat data says something to a reader (which pod crashed, the new replica count);
    # a model's internal dispatch tuples would only bury the label.
    if isinstance(data, scalar) or (isinstance(data, tuple) and all(isinstance(d, scalar) for d in data)):
        shown = short(data, 40)
        if len(shown) <= 32:
            text += f"({shown})"
    return text


def _truth(
    trace: Trace, property_truth: Sequence[bool] | Callable[[Any], bool] | None, warnings: list[str]
) -> list[bool | None]:
    states = trace.states()
    if property_truth is None:
        return [None] * len(states)
    if callable(property_truth):
        out: list[bool | None] = []
        for s in states:
            try:
                out.append(bool(property_truth(s)))
            except Exception as exc:  # noqa: BLE001 - show "?" instead of failing the rendering
                warnings.append(f"property_truth raised {type(exc).__name__}: {exc}")
                out.append(None)
        return out
    values = list(property_truth)
    if len(values) != len(states):
        warnings.append(
            f"property_truth has {len(values)} entries but the trace has {len(states)} states; row left out"
        )
        return [None] * len(states)
    return [None if v is None else bool(v) for v in values]


def build_view(
    trace: Trace,
    system: Any = None,
    property_truth: Sequence[bool] | Callable[[Any], bool] | None = None,
    warnings: list[str] | None = None,
    trigger_at: int | None = None,
) -> TraceView:
    """``trigger_at``: for a leads-to lasso, the index of the state where the unanswered trigger holds;
    the truth row is then the goal's (``property_truth`` is the goal predicate)."""
    warn = warnings if warnings is not None else []
    states = trace.states()
    truth = _truth(trace, property_truth, warn)
    columns: list[Column] = []
    prev: dict[str, str] = {}
    order: dict[str, None] = {}
    for i, state in enumerate(states):
        lanes = describe(state, system)
        for k in lanes:
            order.setdefault(k, None)
        changed: frozenset[str]
        if i == 0:
            action, fair, changed = "", True, frozenset()
        else:
            step = trace.steps[i - 1]
            action = action_text(step)
            fair = bool(getattr(step.action, "fair", True))
            changed = frozenset(changed_lanes(prev, lanes))
        columns.append(Column(i, action, fair, lanes, changed, truth[i]))
        prev = lanes
    if trace.loop_start is not None:
        bad = frozenset(range(trace.loop_start, len(states)))
    else:
        false_at = [i for i, t in enumerate(truth) if t is False]
        bad = frozenset({false_at[0] if false_at else len(states) - 1})
    prop = trace.property_id or "property"
    name = trace.property_name or ""
    kind = "lasso (loops forever)" if trace.loop_start is not None else "violation"
    title = f"{prop} violated" + (f": {name}" if name else "")
    subtitle = f"{kind}, {len(trace.steps)} steps, engine {trace.engine or '?'}"
    loop_step = getattr(trace, "loop_step", None)
    loop_action = action_text(loop_step) if loop_step is not None else ""
    return TraceView(
        title=title,
        subtitle=subtitle,
        property_label=f"{prop} {'goal ' if trigger_at is not None else ''}holds",
        columns=tuple(columns),
        lanes=tuple(sorted(order, key=lambda lane: lane_rank(lane))),  # stable: first appearance within a kind
        has_truth=any(t is not None for t in truth),
        bad=bad,
        loop_start=trace.loop_start,
        loop_action=loop_action,
        trigger_at=trigger_at if trigger_at is not None and 0 <= trigger_at < len(states) else None,
    )


def wrap(text: str, width: int, max_lines: int = 4) -> list[str]:
    """Greedy word wrap to ``width`` columns, hard-splitting long words, at most ``max_lines`` lines
    (``max_lines <= 0``: every line; the lane views use it for a cell that changed, so the field that
    changed, such as a pod's ``DELETING`` at the end of its line, is never cut)."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        while len(word) > width:
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:width])
            word = word[width:]
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            lines.append(cur)
            cur = word
    if cur or not lines:
        lines.append(cur)
    if 0 < max_lines < len(lines):
        lines = lines[: max_lines - 1] + [lines[max_lines - 1][: max(width - 1, 1)] + "…"]
    return lines


def truth_text(view: TraceView, truth: bool) -> str:
    """The state-box header note: ``✓ RULE holds`` or ``✗ RULE VIOLATED``."""
    prop = view.property_label.removesuffix(" holds")
    return f"✓ {prop} holds" if truth else f"✗ {prop} VIOLATED"
