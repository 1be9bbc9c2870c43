"""kubecheck.core.random: random exploration with Hypothesis, past the exhaustive bounds, with shrinking.

* :func:`run_random` (``kubecheck check --engine random``): check properties on random runs of any
  :class:`~kubecheck.core.ts.TransitionSystem`; violations come back as shrunk, replayable
  :class:`~kubecheck.core.trace.Trace` values (``engine="random"``), everything else as SAMPLED.
* :func:`build_machine` / :func:`run_machine`: the bridge to a Hypothesis ``RuleBasedStateMachine``.

Nothing here knows Kubernetes; the Hypothesis strategies for Kubernetes inputs are in
:mod:`kubecheck.fuzz.strategies`.  Importing this package imports Hypothesis, so
``kubecheck.core`` does not import it.

See docs/fuzz.md; the semantics of a random verdict are in docs/semantics.md#fuzz.  The private
module ``_walk`` carries no stability promise.
"""

from kubecheck.core.random._walk import Coverage, Failure, ModelFailure, WalkConfig
from kubecheck.core.random.bridge import FlakySystem, build_machine, machine_settings, run_machine
from kubecheck.core.random.engine import ENGINE, RandomResult, build_trace, run_random

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
