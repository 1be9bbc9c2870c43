"""The trace type lives in the engine (:mod:`kubecheck.core.trace`), which produces it without knowing
this package; ``traces`` consumes it (replay, minimisation, rendering, JSON and ITF export)."""

from __future__ import annotations

from kubecheck.core.trace import Step, Trace

__all__ = ["Step", "Trace"]
