"""Rendering: a counterexample as a picture a reviewer can read without the tool.

Three views, built with the ``graphviz`` Python package (which only writes DOT text):

* :func:`trace_graph` — the trace as a path: one box per state listing what its step changed
  (yellow), the violating state in red, each arrow labelled ``actor: label`` (orange for user actions
  and faults), a lasso's loop as a dashed red edge labelled ``loop``;
* :func:`lane_graph` — a table with one lane (row) per object (Deployment, ReplicaSets, Pods, PVCs,
  Nodes, or one per ``describe_state`` key), one column per state, changed cells highlighted, the
  action above each column and, when given, the property's truth per state as the last row;
* :func:`state_graph` — the explored state graph of a small space (a networkx ``DiGraph``, e.g.
  ``kubecheck.core.explorer.state_graph(result)``), the counterexample path in red.

The rendering ladder (docs/traces.md): the ``.dot`` file is always written; ``.svg`` and ``.png`` come
from ``dot`` when it is on ``PATH``; without it the trace and lane views are drawn by a built-in SVG
writer (:mod:`traces._svg`), and the state graph, which needs a layout engine, stays DOT only.
Nothing here raises to the caller: every failure becomes a warning in the :class:`RenderResult`.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import graphviz

from traces._style import (
    BAD_BG,
    BAD_FG,
    CHANGED_BG,
    DELETED_BG,
    DIM_FG,
    DOT_FONT,
    HEADER_BG,
    OK_BG,
    OK_FG,
    UNFAIR_FG,
    gone,
    node_lines,
)
from traces._svg import lanes_svg, path_svg
from traces._text import visible, xml
from traces._view import TRIGGER_NOTE, TraceView, build_view, state_note, truth_text, wrap
from traces.trace import Trace

__all__ = [
    "RenderResult",
    "trace_graph",
    "lane_graph",
    "state_graph",
    "render_view",
    "render_state_graph",
    "dot_available",
]

Truth = Sequence[bool] | Callable[[Any], bool] | None


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The files written (in order) and the warnings (rendering never raises)."""

    files: tuple[Path, ...]
    warnings: tuple[str, ...]

    def __iter__(self) -> Iterator[Path]:
        return iter(self.files)


def dot_available() -> str | None:
    """The path of Graphviz's ``dot`` on ``PATH``, or ``None``."""
    return shutil.which("dot")


def _html(inner: str) -> str:
    """Wrap an already-escaped HTML-like label so the graphviz package passes it through as ``<...>``."""
    return f"<{inner}>"


def _tooltip(lines: Sequence[str]) -> str:
    # escString: each line's backslashes doubled (graphviz.escape), quotes escaped by the package,
    # lines joined by the escString newline.
    return graphviz.nohtml("\\n".join(graphviz.escape(visible(line, 300)) for line in lines))


def _title_html(view: TraceView, note: str) -> str:
    return _html(
        f'<FONT POINT-SIZE="15" COLOR="{BAD_FG}"><B>{xml(view.title, 160)}</B></FONT><BR ALIGN="LEFT"/>'
        f'<FONT COLOR="{DIM_FG}">{xml(view.subtitle, 160)}{xml(note, 160)}</FONT><BR ALIGN="LEFT"/> '
    )


def _graph(name: str) -> graphviz.Digraph:
    return graphviz.Digraph(
        name,
        graph_attr={"labelloc": "t", "labeljust": "l", "fontname": DOT_FONT, "bgcolor": "white", "ranksep": "0.45"},
        node_attr={"fontname": DOT_FONT, "fontsize": "11", "shape": "plain"},
        edge_attr={"fontname": DOT_FONT, "fontsize": "11"},
    )


# ------------------------------------------------------------------------ (a) path


def trace_graph(trace: Trace, system: Any = None, property_truth: Truth = None, *, view: TraceView | None = None) -> graphviz.Digraph:
    """The trace as a top-to-bottom path of states (see the module docstring)."""
    view = view or build_view(trace, system, property_truth)
    g = _graph("trace")
    g.attr(label=_title_html(view, "   (orange arrow = user action or fault)"), rankdir="TB")
    for col in view.columns:
        bad = col.index in view.bad
        head = f"state {col.index}"
        if col.truth is not None:
            head += f"   {truth_text(view, col.truth)}"
        head += state_note(view, col.index)
        rows = [
            f'<TR><TD ALIGN="LEFT" BGCOLOR="{BAD_BG if bad else HEADER_BG}">'
            f'<FONT COLOR="{BAD_FG if bad else "black"}"><B>{xml(head, 120)}</B></FONT></TD></TR>'
        ]
        for text, kind in node_lines(view, col):
            bg = {"changed": f' BGCOLOR="{CHANGED_BG}"', "deleted": f' BGCOLOR="{DELETED_BG}"'}.get(kind, "")
            inner = xml(text, 110)
            if kind in ("dim", "more"):
                inner = f'<FONT COLOR="{DIM_FG}">{inner}</FONT>'
            rows.append(f'<TR><TD ALIGN="LEFT"{bg}>{inner}</TD></TR>')
        table = (
            f'<TABLE BORDER="{3 if bad else 1}" COLOR="{BAD_FG if bad else "#444444"}" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="3" BGCOLOR="white">{"".join(rows)}</TABLE>'
        )
        g.node(
            f"s{col.index}",
            label=_html(table),
            tooltip=_tooltip([f"state {col.index}", *(f"{k}: {v}" for k, v in col.lanes.items())]),
        )
        if col.index > 0:
            color = UNFAIR_FG if not col.fair else "#333333"
            g.edge(
                f"s{col.index - 1}",
                f"s{col.index}",
                label=_html(f'<FONT COLOR="{color}">{"<B>" if not col.fair else ""}{xml(col.action, 80)}'
                            f'{"</B>" if not col.fair else ""}</FONT>'),
                color=color,
                penwidth="2" if not col.fair else "1.2",
            )
    if view.loop_start is not None:
        last = len(view.columns) - 1
        label = "loop" + (f": {view.loop_action}" if view.loop_action else " (stays here forever)")
        g.edge(
            f"s{last}",
            f"s{view.loop_start}",
            label=_html(f'<FONT COLOR="{BAD_FG}"><B>{xml(label, 90)}</B></FONT>'),
            style="dashed",
            color=BAD_FG,
            penwidth="2",
            constraint="false",
            tailport="e",
            headport="e",
        )
    return g


# ----------------------------------------------------------------------- (b) lanes


def _cell(text: str, *, bg: str = "white", fg: str = "black", bold: bool = False, width: int = 24, whole: bool = False) -> str:
    lines = "<BR/>".join(xml(line, 200) for line in wrap(visible(text, 400), width, 0 if whole else 4))
    if not lines:  # Graphviz rejects an empty <FONT></FONT> or <B></B> (a syntax error, not a warning)
        return f'<TD BGCOLOR="{bg}"></TD>'
    if bold:
        lines = f"<B>{lines}</B>"
    return f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP" BGCOLOR="{bg}"><FONT COLOR="{fg}">{lines}</FONT></TD>'


def lane_graph(trace: Trace, system: Any = None, property_truth: Truth = None, *, view: TraceView | None = None) -> graphviz.Digraph:
    """The lane table: one row per object, one column per state (see the module docstring)."""
    view = view or build_view(trace, system, property_truth)
    g = _graph("lanes")
    g.attr(label=_title_html(view, "   (yellow = changed by this step)"))
    rows: list[str] = []
    head = [_cell("state", bg=HEADER_BG, bold=True)]
    for c in view.columns:
        bad = c.index in view.bad
        head.append(_cell(f"state {c.index}", bg=BAD_BG if bad else HEADER_BG, fg=BAD_FG if bad else "black", bold=True))
    rows.append("".join(head))
    rows.append(
        _cell("action", bg=HEADER_BG, bold=True)
        + "".join(_cell(c.action or "(initial)", fg=UNFAIR_FG if not c.fair else "black", bold=not c.fair) for c in view.columns)
    )
    for lane in view.lanes:
        cells = [_cell(lane, bold=True, width=30)]
        for c in view.columns:
            if lane in c.lanes:
                changed = lane in c.changed
                cells.append(_cell(c.lanes[lane], bg=CHANGED_BG if changed else "white", whole=changed))
            elif lane in c.changed:
                cells.append(_cell(gone(lane), bg=DELETED_BG, fg=DIM_FG))
            else:
                cells.append(_cell("—", bg="#f7f7f7", fg=DIM_FG))
        rows.append("".join(cells))
    if view.has_truth:
        cells = [_cell(view.property_label, bg=HEADER_BG, bold=True, width=30)]
        for c in view.columns:
            if c.truth is None:
                cells.append(_cell("?", fg=DIM_FG))
            else:
                cells.append(_cell("✓ holds" if c.truth else "✗ VIOLATED", bg=OK_BG if c.truth else BAD_BG, fg=OK_FG if c.truth else BAD_FG, bold=True))
        rows.append("".join(cells))
    if view.trigger_at is not None:
        cells = [_cell("trigger", bg=HEADER_BG, bold=True)]
        for c in view.columns:
            at = c.index == view.trigger_at
            cells.append(_cell(TRIGGER_NOTE, bg=BAD_BG, fg=BAD_FG, bold=True) if at else _cell(""))
        rows.append("".join(cells))
    if view.loop_start is not None:
        n = len(view.columns)
        text = f"↺ back to state {view.loop_start}" + (f" via {view.loop_action}" if view.loop_action else " (stays)")
        cells = [_cell("loop", bg=HEADER_BG, bold=True)]
        for c in view.columns:
            if c.index == n - 1:
                cells.append(_cell(text, bg=BAD_BG, fg=BAD_FG, bold=True))
            elif c.index == view.loop_start:
                cells.append(_cell("loop starts here", bg=BAD_BG, fg=BAD_FG, bold=True))
            else:
                cells.append(_cell(""))
        rows.append("".join(cells))
    table = (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="#999999">'
        + "".join(f"<TR>{r}</TR>" for r in rows)
        + "</TABLE>"
    )
    g.node("lanes", label=_html(table))
    return g


# ------------------------------------------------------------------ (c) state graph


def state_graph(graph: Any, trace: Trace | None = None, *, max_nodes: int = 400) -> graphviz.Digraph:
    """DOT for an explored state graph (networkx ``DiGraph``), the counterexample path in red.

    Nodes and edges marked ``on_trace`` (as ``kubecheck.core.explorer.state_graph`` does) are highlighted;
    without marks, nodes equal to a state of ``trace`` (or whose ``state`` attribute is) are.  Node
    labels are the node ids; the ``label`` attribute (a state's ``repr``) becomes the hover tooltip.
    Raises ``ValueError`` beyond ``max_nodes`` (:func:`render_state_graph` turns it into a warning).
    """
    n = graph.number_of_nodes()
    if n > max_nodes:
        raise ValueError(f"the state graph has {n} nodes, more than max_nodes={max_nodes}; not drawn")
    trace_states = list(trace.states()) if trace is not None else []
    bad_state = trace_states[-1] if trace_states and trace.loop_start is None else None  # type: ignore[union-attr]
    marked = any(d.get("on_trace") for _, d in graph.nodes(data=True))
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}

    def on_trace(node: Any, data: dict[str, Any]) -> bool:
        if marked:
            return bool(data.get("on_trace"))
        return any(node == s or data.get("state", object()) == s for s in trace_states)

    g = _graph("states")
    g.attr(rankdir="TB", label=_html(f"<B>explored state graph</B> ({n} states, {graph.number_of_edges()} edges)"))
    g.attr("node", shape="box", style="rounded,filled", fillcolor="white")
    hot = set()
    for node, data in graph.nodes(data=True):
        attrs = {"tooltip": _tooltip([visible(data.get("label", repr(node)), 300)])}
        if data.get("initial"):
            attrs["peripheries"] = "2"
        if data.get("expanded") is False:
            attrs["style"] = "rounded,dashed"
        if on_trace(node, data):
            hot.add(node)
            attrs.update(color=BAD_FG, penwidth="2.5", fillcolor=BAD_BG)
        if bad_state is not None and (node == bad_state or data.get("state", object()) == bad_state):
            attrs.update(fillcolor=BAD_FG, fontcolor="white")
        g.node(ids[node], label=_html(xml(str(node), 40)), **attrs)
    for u, v, data in graph.edges(data=True):
        hot_edge = data.get("on_trace") if marked else (u in hot and v in hot)
        attrs = {"label": _html(xml(data.get("label", ""), 60))} if data.get("label") else {}
        if hot_edge:
            attrs.update(color=BAD_FG, penwidth="2.5", fontcolor=BAD_FG)
        else:
            attrs.update(color="#888888", fontcolor="#666666")
        g.edge(ids[u], ids[v], **attrs)
    return g


# -------------------------------------------------------------------- writing files


def _run_dot(dot: str, src: Path, out: Path, fmt: str, timeout: float) -> str | None:
    """Run ``dot -T<fmt>``; return a warning on failure, ``None`` on success."""
    try:
        proc = subprocess.run(
            [dot, f"-T{fmt}", "-o", str(out), str(src)], capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"dot -T{fmt} failed for {src.name}: {type(exc).__name__}: {exc}"
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"dot -T{fmt} failed for {src.name} (exit {proc.returncode}): {' | '.join(err[:3])}"
    return None


def _emit(
    source: Callable[[], str],
    fallback: Callable[[], str] | None,
    out_dir: Path,
    stem: str,
    formats: Sequence[str],
    timeout: float,
    files: list[Path],
    warnings: list[str],
) -> None:
    dot_path = out_dir / f"{stem}.dot"
    try:
        dot_path.write_bytes(source().encode("utf-8"))
        files.append(dot_path)
    except Exception as exc:  # noqa: BLE001 - rendering never raises to the caller
        warnings.append(f"could not write {dot_path.name}: {type(exc).__name__}: {exc}")
        dot_path = None  # type: ignore[assignment]
    dot = dot_available()
    svg_done = False
    if dot is not None and dot_path is not None:
        for fmt in formats:
            out = out_dir / f"{stem}.{fmt}"
            problem = _run_dot(dot, dot_path, out, fmt, timeout)
            if problem is None:
                files.append(out)
                svg_done = svg_done or fmt == "svg"
            else:
                warnings.append(problem)
    elif dot is None:
        missing = ", ".join(f for f in formats if f != "svg") or "none"
        warnings.append(
            f"Graphviz 'dot' is not on PATH: {stem}.dot written; "
            + ("SVG drawn by the built-in renderer" if fallback is not None else "no SVG (needs a layout engine)")
            + f"; not written: {missing} (install Graphviz for them)"
        )
    if not svg_done and fallback is not None and "svg" in formats:
        out = out_dir / f"{stem}.svg"
        try:
            out.write_bytes(fallback().encode("utf-8"))
            files.append(out)
        except Exception as exc:  # noqa: BLE001
            warnings.append(f"built-in SVG renderer failed for {stem}: {type(exc).__name__}: {exc}")


def render_view(
    trace: Trace,
    out_dir: str | Path,
    *,
    system: Any = None,
    property_truth: Truth = None,
    formats: Sequence[str] = ("svg", "png"),
    timeout: float = 60.0,
    trigger_at: int | None = None,
) -> RenderResult:
    """Write ``trace.dot`` and ``lanes.dot`` plus their SVG/PNG (or built-in SVG) into ``out_dir``."""
    files: list[Path] = []
    warnings: list[str] = []
    try:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        view = build_view(trace, system, property_truth, warnings, trigger_at)
    except Exception as exc:  # noqa: BLE001
        return RenderResult((), (f"rendering failed: {type(exc).__name__}: {exc}",))
    _emit(lambda: trace_graph(trace, view=view).source, lambda: path_svg(view), out, "trace", formats, timeout, files, warnings)
    _emit(lambda: lane_graph(trace, view=view).source, lambda: lanes_svg(view), out, "lanes", formats, timeout, files, warnings)
    return RenderResult(tuple(files), tuple(warnings))


def render_state_graph(
    graph: Any,
    out_dir: str | Path,
    *,
    trace: Trace | None = None,
    stem: str = "states",
    max_nodes: int = 400,
    formats: Sequence[str] = ("svg",),
    timeout: float = 60.0,
) -> RenderResult:
    """Write ``<stem>.dot`` (and SVG/PNG with ``dot``) for an explored state graph; never raises."""
    files: list[Path] = []
    warnings: list[str] = []
    try:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        src = state_graph(graph, trace, max_nodes=max_nodes).source
    except Exception as exc:  # noqa: BLE001
        return RenderResult((), (f"state graph not rendered: {type(exc).__name__}: {exc}",))
    _emit(lambda: src, None, out, stem, formats, timeout, files, warnings)
    return RenderResult(tuple(files), tuple(warnings))
