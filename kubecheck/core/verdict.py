"""Verdicts, per-property results and search statistics.

Exit codes (one per verdict, like TLC's per-kind exit statuses; a CI job can tell them apart):

=====================  ====  ===========================================================================
verdict                code  meaning
=====================  ====  ===========================================================================
HOLDS                  0     exhaustive search, no counterexample (or: a ``sometimes`` example found)
VIOLATED               1     a counterexample trace exists (or: exhaustive search, no ``sometimes`` example)
ERROR                  2     the check itself failed (a predicate raised, the model misbehaved)
HOLDS_WITHIN_BOUNDS    3     no counterexample, but a bound cut the search (depth, states, time, memory,
                             Ctrl-C); inconclusive, never to be read as "holds"
SAMPLED                4     no counterexample in random runs (fuzzing); no coverage guarantee
=====================  ====  ===========================================================================

:attr:`ExplorationResult.exit_code` is the worst over all results, in this order (worst first):
VIOLATED > ERROR > HOLDS_WITHIN_BOUNDS > SAMPLED > HOLDS.  A violation outranks an error because it
is a definite, actionable finding; bounded outranks sampled because a bounded search was at least
exhaustive up to its bound while sampling promises nothing, yet both are weaker than a proof.
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass, field
from typing import Any

from kubecheck.core.properties import Property

__all__ = ["Verdict", "PropertyResult", "Stats", "Distribution", "ExplorationResult", "worst_verdict"]


class Verdict(enum.Enum):
    HOLDS = "holds"
    HOLDS_WITHIN_BOUNDS = "holds_within_bounds"
    SAMPLED = "sampled"
    VIOLATED = "violated"
    ERROR = "error"

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]

    @property
    def severity(self) -> int:
        """Higher is worse; orders verdicts for :func:`worst_verdict`."""
        return _SEVERITY[self]


_EXIT_CODES = {
    Verdict.HOLDS: 0,
    Verdict.VIOLATED: 1,
    Verdict.ERROR: 2,
    Verdict.HOLDS_WITHIN_BOUNDS: 3,
    Verdict.SAMPLED: 4,
}
_SEVERITY = {
    Verdict.HOLDS: 0,
    Verdict.SAMPLED: 1,
    Verdict.HOLDS_WITHIN_BOUNDS: 2,
    Verdict.ERROR: 3,
    Verdict.VIOLATED: 4,
}


def worst_verdict(verdicts: "list[Verdict] | tuple[Verdict, ...]") -> Verdict:
    """The worst verdict (HOLDS for an empty collection)."""
    return max(verdicts, key=lambda v: v.severity, default=Verdict.HOLDS)


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """The verdict on one property.

    ``trace`` is the counterexample for VIOLATED (a lasso for eventual properties), the example for a
    ``sometimes`` property that HOLDS, the trace to the offending state for ERROR, else ``None``.
    ``bound_hit`` names the bound that made the verdict bounded (``"max_depth"``, ``"max_states"``,
    ``"timeout"``, ``"max_memory"``, ``"interrupted"``), ``note`` says what was covered or why.
    """

    property: Property
    verdict: Verdict
    trace: Any = None  # kubecheck.core.trace.Trace | None
    bound_hit: str | None = None
    note: str = ""

    @builtins.property  # the field ``property`` shadows the builtin in this class body (for type checkers)
    def exit_code(self) -> int:
        return self.verdict.exit_code


@dataclass(frozen=True, slots=True)
class Stats:
    """Search statistics.  ``peak_memory_bytes`` is the process's peak RSS (``getrusage``).

    With fingerprints (hash compaction, ``explore(..., fingerprint=True)``), ``states`` counts distinct
    fingerprints, ``fingerprint_bits`` is their width and ``collision_probability`` the birthday
    estimate ``1 - exp(-n(n-1) / 2^(b+1))`` for ``n = states``, ``b = fingerprint_bits``: the
    probability that two explored states share a fingerprint, assuming the hash is a uniformly
    random function (a collision can hide states, so a HOLDS is exhaustive only up to it).  Both are
    ``None`` without fingerprints.
    """

    states: int
    transitions: int
    max_depth: int
    seconds: float
    states_per_second: float
    peak_memory_bytes: int
    fingerprint_bits: int | None = None
    collision_probability: float | None = None


@dataclass(frozen=True, slots=True)
class Distribution:
    """How a distributed search ran (:func:`kubecheck.core.distributed.explore_distributed`): how many
    workers, and the states per wall second of the whole search divided by the workers."""

    workers: int
    states_per_second_per_worker: float


@dataclass(frozen=True, slots=True)
class ExplorationResult:
    """Everything one search found.

    ``complete`` is True iff every reachable state was expanded.  ``reductions`` lists the reductions
    that actually ran (``"symmetry"``, ``"fingerprint"``: a HOLDS is then exhaustive up to fingerprint
    collisions, see :attr:`Stats.collision_probability`).  ``graph`` holds the explored state graph when ``keep_graph=True``
    (see :func:`kubecheck.core.explorer.state_graph`).  ``distribution`` says how many workers a
    distributed search ran and their states/s (``None``: one process).
    """

    results: tuple[PropertyResult, ...]
    stats: Stats
    reductions: tuple[str, ...]
    complete: bool
    bound_hit: str | None
    graph: Any = field(default=None, compare=False, repr=False)
    distribution: Distribution | None = field(default=None, compare=False, kw_only=True)

    @property
    def exit_code(self) -> int:
        return worst_verdict([r.verdict for r in self.results]).exit_code

    def result(self, rule_id: str) -> PropertyResult:
        """The result for ``rule_id``; a ``KeyError`` lists the available IDs."""
        for r in self.results:
            if r.property.rule_id == rule_id:
                return r
        raise KeyError(f"no result for rule {rule_id!r}; available: {[r.property.rule_id for r in self.results]}")
