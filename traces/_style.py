"""Private module: colours, fonts and the per-state line selection shared by the DOT and SVG views."""

from __future__ import annotations

from traces._view import Column, TraceView
from traces.describe import is_object_lane

__all__ = ["node_lines", "gone"]

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
DOT_FONT = "DejaVu Sans Mono"
FONT_SIZE = 12
CHAR_W = 7.3  # px per character of a 12 px monospace font (0.6 em, rounded up)
LINE_H = 16.0

CHANGED_BG = "#fff2a8"  # yellow: changed by this step
DELETED_BG = "#e6e6e6"
HEADER_BG = "#eeeeee"
BAD_BG = "#fde0e0"
BAD_FG = "#c62828"
OK_BG = "#e3f5e3"
OK_FG = "#1b7f1b"
DIM_FG = "#777777"
UNFAIR_FG = "#d46b00"  # orange: a user action or a fault (fair=False)


def gone(lane: str) -> str:
    """What a lane shows in the state where it disappeared: ``(deleted)`` for an object."""
    return "(deleted)" if is_object_lane(lane) else "(gone)"


def node_lines(view: TraceView, col: Column, max_lines: int = 14) -> list[tuple[str, str]]:
    """The lines of one state's box: ``(text, kind)``, kind in changed/deleted/plain/dim/more.

    The initial state and the "bad" states (the violating state, a lasso's loop) list every lane;
    the others list only what their step changed, then how many lanes stayed the same.
    """
    lines: list[tuple[str, str]] = []
    full = col.index == 0 or col.index in view.bad
    for lane in view.lanes:
        if lane in col.changed:
            if lane in col.lanes:
                lines.append((f"{lane}: {col.lanes[lane]}", "changed"))
            else:
                lines.append((f"{lane}: {gone(lane)}", "deleted"))
        elif full and lane in col.lanes:
            lines.append((f"{lane}: {col.lanes[lane]}", "plain" if col.index == 0 else "dim"))
    unchanged = sum(1 for lane in col.lanes if lane not in col.changed)
    if not full:
        if not col.changed:
            lines.append(("(no visible change)", "dim"))
        if unchanged:
            lines.append((f"… {unchanged} unchanged", "more"))
    if len(lines) > max_lines:
        hidden = len(lines) - (max_lines - 1)
        lines = lines[: max_lines - 1] + [(f"… {hidden} more line(s), see lanes view", "more")]
    return lines
