"""kubecheck.fuzz: random exploration with Hypothesis, past the exhaustive bounds, with shrinking.

* :func:`run_random` (``kubecheck check --engine random``): check properties on random runs of any
  :class:`~kubecheck.ts.TransitionSystem`; violations come back as shrunk, replayable
  :class:`~traces.trace.Trace` values (``engine="random"``), everything else as SAMPLED.
* :func:`build_machine` / :func:`run_machine`: the bridge to a Hypothesis ``RuleBasedStateMachine``.
* :mod:`kubecheck.fuzz.strategies`: Hypothesis strategies for labels, selectors, workload manifests
  (dicts and YAML), manifest sets and fault scripts.  Imported lazily (it needs the model).

See docs/fuzz.md; the semantics of a random verdict are in docs/semantics.md#fuzz.  The private
module ``_walk`` carries no stability promise.
"""

from kubecheck.fuzz._walk import Coverage, Failure, ModelFailure, WalkConfig
from kubecheck.fuzz.bridge import FlakySystem, build_machine, machine_settings, run_machine
from kubecheck.fuzz.engine import ENGINE, RandomResult, build_trace, run_random

__all__ = [
    "run_random",
    "RandomResult",
    "Coverage",
    "ENGINE",
    "build_machine",
    "run_machine",
    "machine_settings",
    "build_trace",
    "WalkConfig",
    "Failure",
    "ModelFailure",
    "FlakySystem",
]
