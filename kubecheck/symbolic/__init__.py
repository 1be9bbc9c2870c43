"""Z3-based analyses: label selectors in SMT and parametric proofs of rollout safety.

* :mod:`kubecheck.symbolic.selectors`: ``satisfiable``, ``overlap``, ``contains``,
  ``template_matches_selector``, ``overlap_analysis``.
* :mod:`kubecheck.symbolic.rollout`: the count abstraction of the rolling update.
* :mod:`kubecheck.symbolic.prove`: ``prove_rollout``, ``prove_deployment``, ``selector_report``.
* :mod:`kubecheck.symbolic.statefulset_count` (with ``statefulset_refinement``, ``statefulset_check``): the
  per-ordinal-prefix abstraction of the StatefulSet rolling update (KC-STS-005/006).

docs/symbolic.md says what is proved; docs/semantics.md#symbolic lists the abstractions.
"""

from kubecheck.symbolic.prove import (
    PROVED,
    UNKNOWN,
    VIOLATED,
    Counterexample,
    ProofResult,
    PropertyProof,
    prove_deployment,
    prove_rollout,
    selector_report,
)
from kubecheck.symbolic.selectors import Overlap, contains, overlap, overlap_analysis, satisfiable, template_matches_selector

__all__ = [
    "PROVED",
    "VIOLATED",
    "UNKNOWN",
    "Counterexample",
    "ProofResult",
    "PropertyProof",
    "prove_rollout",
    "prove_deployment",
    "selector_report",
    "Overlap",
    "satisfiable",
    "overlap",
    "contains",
    "template_matches_selector",
    "overlap_analysis",
]
