"""kubecheck: model checking for Kubernetes controllers.

Two layers (docs/architecture.md):

* :mod:`kubecheck.core`, the engine: the transition-system protocol, properties and the judge,
  verdicts, the trace type, the explicit-state explorer and the random engine.  It knows nothing
  of Kubernetes.
* the Kubernetes application beside it: the check pipeline (:mod:`kubecheck.runner`,
  :mod:`kubecheck.scenarios`), the CLI (:mod:`kubecheck.cli`), the outputs, the HTML report, the
  pytest plugin, the Z3 engine (:mod:`kubecheck.symbolic`) and the Hypothesis strategies for
  Kubernetes inputs (:mod:`kubecheck.fuzz`).

This module imports nothing, so ``import kubecheck.core`` loads the engine alone.
"""
