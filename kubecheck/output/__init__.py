"""Output formats of ``kubecheck check``: text, JSON, JUnit XML, SARIF 2.1.0.

Every writer takes a :class:`kubecheck.runner.CheckReport` and returns a string.
"""

from __future__ import annotations

from typing import Callable

from kubecheck.output.jsonout import render_json
from kubecheck.output.junit import render_junit
from kubecheck.output.sarif import render_sarif
from kubecheck.output.text import render_text

__all__ = ["FORMATS", "render", "render_text", "render_json", "render_junit", "render_sarif"]

FORMATS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
}


def render(report: object, fmt: str) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATS[fmt](report)
