"""Private module: the built-in SVG writer, used when Graphviz's ``dot`` is not installed.

A trace needs no layout engine: the path view is a vertical stack of boxes joined by labelled arrows
(a lasso adds one dashed arc back up), and the lane view is a table.  Text widths are estimated for a
monospace font (0.6 em per character), so boxes fit without measuring.  Every string goes through
:func:`traces._text.xml`, so the output is well-formed XML whatever the labels hold.
"""

from __future__ import annotations

from traces._text import visible, xml
from traces._view import TRIGGER_NOTE, TraceView, state_note, truth_text, wrap
from traces._style import (
    BAD_BG,
    BAD_FG,
    CHANGED_BG,
    CHAR_W,
    DELETED_BG,
    DIM_FG,
    FONT,
    FONT_SIZE,
    HEADER_BG,
    LINE_H,
    OK_BG,
    OK_FG,
    UNFAIR_FG,
    gone,
    node_lines,
)

__all__ = ["path_svg", "lanes_svg"]


def _text(x: float, y: float, s: str, *, fill: str = "#000000", bold: bool = False, anchor: str = "start") -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}" text-anchor="{anchor}"{weight}>{xml(s, 400)}</text>'


def _doc(width: float, height: float, title: str, body: list[str]) -> str:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" font-size="{FONT_SIZE}">\n'
        f"<title>{xml(title, 400)}</title>\n"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/></marker></defs>\n'
        f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>\n'
    )
    return head + "\n".join(body) + "\n</svg>\n"


def path_svg(view: TraceView, max_lines: int = 14) -> str:
    """The trace as a vertical path of state boxes (the fallback for ``trace.svg``)."""
    margin, gap, pad = 16.0, 46.0, 6.0
    boxes = [node_lines(view, col, max_lines) for col in view.columns]
    headers = [
        f"state {c.index}" + (f"   {truth_text(view, c.truth)}" if c.truth is not None else "") + state_note(view, c.index)
        for c in view.columns
    ]
    chars = max(max((len(visible(t, 400)) for t, _ in lines), default=10) for lines in boxes)
    chars = max(chars, *(len(h) for h in headers))
    box_w = min(chars, 100) * CHAR_W + 2 * pad
    label_w = max((len(c.action) for c in view.columns), default=10) * CHAR_W + 40
    loop_label = "loop" + (f": {view.loop_action}" if view.loop_action else " (stays here forever)")
    loop_w = 200.0 + len(loop_label) * CHAR_W if view.loop_start is not None else 0.0
    subtitle = view.subtitle + "   (orange arrow = user action or fault)"
    width = margin * 2 + max(box_w + loop_w, 24 + label_w, (max(len(view.title), len(subtitle)) + 2) * CHAR_W * 1.1)
    body: list[str] = [
        _text(margin, margin + LINE_H, view.title, fill=BAD_FG, bold=True),
        _text(margin, margin + 2 * LINE_H, subtitle, fill=DIM_FG),
    ]
    y = margin + 2 * LINE_H + 16
    mids: list[float] = []
    tops: list[float] = []
    for col, lines, header in zip(view.columns, boxes, headers):
        bad = col.index in view.bad
        h = (len(lines) + 1) * LINE_H + 2 * pad
        if col.index > 0:
            x_arrow = margin + 24
            color = UNFAIR_FG if not col.fair else "#333333"
            body.append(
                f'<line x1="{x_arrow}" y1="{y - gap:.1f}" x2="{x_arrow}" y2="{y - 2:.1f}" stroke="{color}" '
                f'stroke-width="{2 if not col.fair else 1.2}" marker-end="url(#arrow)"/>'
            )
            body.append(_text(x_arrow + 10, y - gap / 2 + 4, col.action, fill=color, bold=not col.fair))
        tops.append(y)
        mids.append(y + h / 2)
        body.append(
            f'<rect x="{margin}" y="{y:.1f}" width="{box_w:.1f}" height="{h:.1f}" rx="4" fill="#ffffff" '
            f'stroke="{BAD_FG if bad else "#444444"}" stroke-width="{3 if bad else 1}"/>'
        )
        body.append(
            f'<rect x="{margin + 1}" y="{y + 1:.1f}" width="{box_w - 2:.1f}" height="{LINE_H + pad - 1:.1f}" '
            f'fill="{BAD_BG if bad else HEADER_BG}"/>'
        )
        body.append(_text(margin + pad, y + pad + LINE_H - 4, header, bold=True, fill=BAD_FG if bad else "#000000"))
        ty = y + pad + LINE_H
        for text, kind in lines:
            if kind in ("changed", "deleted"):
                bg = CHANGED_BG if kind == "changed" else DELETED_BG
                body.append(
                    f'<rect x="{margin + 2}" y="{ty + 2:.1f}" width="{box_w - 4:.1f}" height="{LINE_H:.1f}" fill="{bg}"/>'
                )
            body.append(_text(margin + pad, ty + LINE_H - 2, text, fill=DIM_FG if kind in ("dim", "more") else "#000000"))
            ty += LINE_H
        y += h + gap
    if view.loop_start is not None:
        last, target = len(view.columns) - 1, view.loop_start
        x0 = margin + box_w
        y0, y1 = mids[last], mids[target]
        if last == target:
            y1 = tops[last] + LINE_H
        reach = x0 + 60 + min(120.0, (last - target) * 12.0)
        body.append(
            f'<path d="M {x0:.1f} {y0:.1f} C {reach:.1f} {y0:.1f}, {reach:.1f} {y1:.1f}, {x0 + 2:.1f} {y1:.1f}" '
            f'fill="none" stroke="{BAD_FG}" stroke-width="1.6" stroke-dasharray="6 4" marker-end="url(#arrow)"/>'
        )
        body.append(_text(x0 + 0.75 * (reach - x0) + 8, (y0 + y1) / 2 + 4, loop_label, fill=BAD_FG, bold=True))
    return _doc(width, y - gap + margin, view.title, body)


def lanes_svg(view: TraceView, cell_chars: int = 24, max_cell_lines: int = 4) -> str:
    """The lane table: one row per object, one column per state (the fallback for ``lanes.svg``)."""
    margin, pad = 16.0, 5.0
    name_chars = min(max([len(visible(l, 400)) for l in view.lanes] + [len(view.property_label), 8]), 40)
    name_w = name_chars * CHAR_W + 2 * pad
    cell_w = cell_chars * CHAR_W + 2 * pad
    n = len(view.columns)
    subtitle = view.subtitle + "   (yellow = changed by this step)"
    width = margin * 2 + max(name_w + n * cell_w, (max(len(view.title), len(subtitle)) + 2) * CHAR_W * 1.1)
    body: list[str] = [
        _text(margin, margin + LINE_H, view.title, fill=BAD_FG, bold=True),
        _text(margin, margin + 2 * LINE_H, subtitle, fill=DIM_FG),
    ]
    y = margin + 2 * LINE_H + 12

    def row(name: str, cells: list[tuple[list[str], str, str, bool]], name_bg: str = HEADER_BG) -> None:
        nonlocal y
        lines_n = max([len(c[0]) for c in cells] + [1])
        h = lines_n * LINE_H + 2 * pad
        body.append(
            f'<rect x="{margin}" y="{y:.1f}" width="{name_w:.1f}" height="{h:.1f}" fill="{name_bg}" stroke="#999999"/>'
        )
        for k, line in enumerate(wrap(visible(name, 400), name_chars, 3)):
            body.append(_text(margin + pad, y + pad + (k + 1) * LINE_H - 3, line, bold=True))
        x = margin + name_w
        for lines, bg, fg, bold in cells:
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w:.1f}" height="{h:.1f}" fill="{bg}" stroke="#999999"/>'
            )
            for k, line in enumerate(lines):
                body.append(_text(x + pad, y + pad + (k + 1) * LINE_H - 3, line, fill=fg, bold=bold))
            x += cell_w
        y += h

    def cell(text: str, whole: bool = False) -> list[str]:
        return wrap(visible(text, 400), cell_chars, 0 if whole else max_cell_lines)

    row("state", [(cell(f"state {c.index}"), BAD_BG if c.index in view.bad else HEADER_BG, BAD_FG if c.index in view.bad else "#000000", True) for c in view.columns])
    row("action", [(cell(c.action or "(initial)"), "#ffffff", UNFAIR_FG if not c.fair else "#000000", not c.fair) for c in view.columns])
    for lane in view.lanes:
        cells = []
        for c in view.columns:
            if lane in c.lanes:
                bg = CHANGED_BG if lane in c.changed else "#ffffff"
                cells.append((cell(c.lanes[lane], whole=lane in c.changed), bg, "#000000", False))
            elif lane in c.changed:
                cells.append(([gone(lane)], DELETED_BG, DIM_FG, False))
            else:
                cells.append((["—"], "#f7f7f7", DIM_FG, False))
        row(lane, cells, "#ffffff")
    if view.has_truth:
        row(
            view.property_label,
            [
                (["?"] if c.truth is None else ["✓ holds" if c.truth else "✗ VIOLATED"],
                 "#ffffff" if c.truth is None else (OK_BG if c.truth else BAD_BG),
                 DIM_FG if c.truth is None else (OK_FG if c.truth else BAD_FG), True)
                for c in view.columns
            ],
        )
    if view.trigger_at is not None:
        trig = [([""], "#ffffff", "#000000", False) for _ in view.columns]
        trig[view.trigger_at] = (cell(TRIGGER_NOTE), BAD_BG, BAD_FG, True)
        row("trigger", trig)
    if view.loop_start is not None:
        loop = [([""], "#ffffff", "#000000", False) for _ in view.columns]
        text = f"↺ back to state {view.loop_start}" + (f" via {view.loop_action}" if view.loop_action else " (stays)")
        loop[-1] = (cell(text), BAD_BG, BAD_FG, True)
        loop[view.loop_start] = (cell("loop starts here") if view.loop_start != n - 1 else cell(text), BAD_BG, BAD_FG, True)
        row("loop", loop)
    return _doc(width, y + margin, view.title, body)
