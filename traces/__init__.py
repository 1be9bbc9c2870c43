"""Counterexample traces: one ``Trace`` type for every engine, and what to do with one.

* :func:`replay` re-executes a trace on its system and checks every state (:class:`ReplayMismatch`);
* :func:`minimize` drops the user actions and faults a violation does not need (ddmin);
* :func:`to_json` / :func:`from_json` / :func:`save` / :func:`load`: the replayable JSON format
  ``kubecheck-trace/1`` (``load(path, system=...)`` replays before it returns);
* :func:`to_itf`: the Apalache/Quint ITF export;
* :func:`render_trace` writes every artifact of one counterexample into a directory.

See docs/traces.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from traces.describe import describe
from traces.itf import itf_json, save_itf, to_itf
from traces.minimize import minimize
from traces.render import RenderResult, lane_graph, render_state_graph, render_view, state_graph, trace_graph
from traces.replay import ReplayMismatch, replay
from traces.serialize import (
    SCHEMA,
    TraceFormatError,
    from_json,
    load,
    register_type,
    save,
    to_json,
)
from traces._text import printable
from traces.trace import Step, Trace

__all__ = [
    "printable",
    "Trace",
    "Step",
    "replay",
    "ReplayMismatch",
    "minimize",
    "to_json",
    "from_json",
    "save",
    "load",
    "register_type",
    "SCHEMA",
    "TraceFormatError",
    "to_itf",
    "itf_json",
    "save_itf",
    "describe",
    "trace_graph",
    "lane_graph",
    "state_graph",
    "render_state_graph",
    "render_trace",
    "RenderResult",
]


def render_trace(
    trace: Trace,
    out_dir: str | Path,
    *,
    system: Any = None,
    property_truth: Sequence[bool] | Callable[[Any], bool] | None = None,
    formats: Sequence[str] = ("svg", "png"),
    timeout: float = 60.0,
    trigger_at: int | None = None,
) -> RenderResult:
    """Write every artifact of one counterexample into ``out_dir``; never raises.

    Files, in order: ``trace.json`` (replayable, :func:`save`), ``trace.itf.json`` (:func:`to_itf`),
    ``trace.dot`` and ``lanes.dot`` (always), ``trace.svg``/``lanes.svg`` (Graphviz, or the built-in
    SVG writer when ``dot`` is not on PATH) and ``trace.png``/``lanes.png`` (Graphviz only).
    ``property_truth`` is the property's value per state (a list as long as ``trace.states()``, or a
    predicate over states); it adds a truth row to the lane view. ``trigger_at`` (a leads-to lasso: the
    state where the unanswered trigger holds; ``property_truth`` is then the goal) is marked in both views.

    Returns a :class:`RenderResult`: ``files`` (the paths written; iterating the result yields them)
    and ``warnings`` (what could not be done, e.g. no ``dot``, an unserialisable state).
    """
    files: list[Path] = []
    warnings: list[str] = []
    try:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
    except Exception as exc:  # noqa: BLE001 - rendering never raises
        return RenderResult((), (f"cannot create {out_dir}: {type(exc).__name__}: {exc}",))
    try:
        files.append(save(trace, out / "trace.json"))
    except TraceFormatError as exc:
        try:
            files.append(save(trace, out / "trace.json", lossy=True))
            warnings.append(f"trace.json is lossy and will not replay: {exc}")
        except Exception as exc2:  # noqa: BLE001
            warnings.append(f"trace.json not written: {type(exc2).__name__}: {exc2}")
    except Exception as exc:  # noqa: BLE001
        warnings.append(f"trace.json not written: {type(exc).__name__}: {exc}")
    try:
        files.append(save_itf(trace, out / "trace.itf.json"))
    except Exception as exc:  # noqa: BLE001
        warnings.append(f"trace.itf.json not written: {type(exc).__name__}: {exc}")
    drawn = render_view(trace, out, system=system, property_truth=property_truth, formats=formats, timeout=timeout, trigger_at=trigger_at)
    return RenderResult((*files, *drawn.files), (*warnings, *drawn.warnings))
