"""kubecheck.fuzz: Hypothesis strategies for Kubernetes inputs (:mod:`kubecheck.fuzz.strategies`).

The generic random engine that walks any transition system (``kubecheck check --engine random``)
is :mod:`kubecheck.core.random`; this package holds only what knows Kubernetes: strategies for
labels, selectors, workload manifests (dicts and YAML), manifest sets and fault scripts.
See docs/fuzz.md.
"""
