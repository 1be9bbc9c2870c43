"""The reduction planner: which property may be checked with which reduction, and what a reduction
that ran costs in guarantees.

Asked by the explorer (which refuses an unsound request with the reason) and by the check pipeline
(which splits the rules into the searches each reduction may serve), so the rule is written once:

=================  ==========================================================================
reduction          may serve
=================  ==========================================================================
``symmetry``       every property declared ``symmetric=True`` that is not eventual (symmetry
                   permutes the fairness keys of interchangeable actors: a fair cycle of the
                   quotient graph need not be a fair run)
``fingerprint``    invariants, ``sometimes`` properties and the deadlock check: the lean BFS
                   loop, the one that stores fingerprints instead of states, sees no actions
                   and keeps no state graph
``por``            partial-order reduction (:mod:`kubecheck.core.por`): invariants, action
                   properties and ``sometimes`` properties that declare what they read
                   (``reads``), and the deadlock check; not eventual properties (weak fairness
                   is about the actions enabled along a run, which the reduced graph does not
                   keep; refused, as symmetry refuses them), nor properties that read anything
                   (``reads=None``: every action would be visible, nothing could be reduced)
=================  ==========================================================================

A reduction that ran is reported as data, a :class:`Reduction` (its name, and for fingerprints the
width and the union bound on a collision), never as text to be parsed back.

>>> from kubecheck.core.properties import invariant, eventually_always
>>> inv = invariant("INV", "inv", lambda s: True)
>>> conv = eventually_always("CONV", "conv", lambda s: True)
>>> [([p.rule_id for p in ps], sym, fp) for ps, sym, fp in split_by_reductions([inv, conv], lambda p: p, True, True)]
[(['INV'], True, True), (['CONV'], False, False)]
>>> Reduction.fingerprints(1_000_000).label
'fingerprints (64-bit, collision probability <= 2.8e-08)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from kubecheck.core.errors import InvalidScenario, KubecheckError, UnsoundCombination
from kubecheck.core.properties import Property, PropertyKind

__all__ = [
    "FINGERPRINT_BITS",
    "LEAN_KINDS",
    "Reduction",
    "symmetry_refusal",
    "fingerprint_refusal",
    "may_use_symmetry",
    "may_use_fingerprint",
    "por_refusal",
    "may_use_por",
    "split_by_reductions",
    "split_by_all_reductions",
    "reductions_of",
    "collision_probability",
    "collision_bound",
    "format_probability",
]

#: The fingerprint width (TLC's is 64 as well).
FINGERPRINT_BITS = 64

#: The kinds the explorer's lean BFS loop checks (it sees states, not actions, and keeps no graph).
LEAN_KINDS = (PropertyKind.INVARIANT, PropertyKind.SOMETIMES, PropertyKind.DEADLOCK)

T = TypeVar("T")


def symmetry_refusal(prop: Property) -> KubecheckError | None:
    """Why symmetry reduction may not serve ``prop`` (the error to raise), or None when it may."""
    if not prop.symmetric:
        return UnsoundCombination(
            f"property {prop.rule_id} ({prop.name}) is declared symmetric=False (it tells interchangeable "
            f"objects apart), so symmetry reduction could hide its violations. Run without "
            f"symmetry=True, or make the property symmetric."
        )
    if prop.kind.is_eventual:
        return UnsoundCombination(
            f"property {prop.rule_id} ({prop.name}) is an eventual property ({prop.kind.value}); symmetry "
            f"reduction permutes the fairness keys of interchangeable actors, so a fair cycle in the "
            f"quotient graph need not be a fair run (TLC's known liveness+symmetry unsoundness, "
            f"tlaplus#59). Check eventual properties with symmetry=False."
        )
    return None


def fingerprint_refusal(prop: Property) -> KubecheckError | None:
    """Why fingerprints (hash compaction) may not serve ``prop`` (the error to raise), or None."""
    if prop.kind.is_eventual:
        return UnsoundCombination(
            f"property {prop.rule_id} ({prop.name}) is an eventual property ({prop.kind.value}); fingerprint=True "
            f"stores fingerprints instead of states, but the fair-cycle search needs the state graph, and a "
            f"fingerprint collision would merge two states into one node (a spurious or hidden fair cycle). "
            f"Check eventual properties with fingerprint=False."
        )
    if prop.kind not in LEAN_KINDS:
        return InvalidScenario(
            f"property {prop.rule_id} ({prop.name}) is an {prop.kind.value} property; fingerprint=True is implemented by "
            f"the lean BFS loop only (invariants, sometimes properties, deadlock), which does not see actions. "
            f"Check it with fingerprint=False."
        )
    return None


def por_refusal(prop: Property) -> KubecheckError | None:
    """Why partial-order reduction may not serve ``prop`` (the error to raise), or None when it may."""
    if prop.kind.is_eventual:
        return UnsoundCombination(
            f"property {prop.rule_id} ({prop.name}) is an eventual property ({prop.kind.value}); partial-order "
            f"reduction keeps one representative of each set of equivalent interleavings, but weak fairness is "
            f"about which actions stay enabled along a run, and a reduced run need not be fair when its full "
            f"counterpart is. Check eventual properties with por=False."
        )
    if prop.reads is None and prop.kind is not PropertyKind.DEADLOCK:
        return InvalidScenario(
            f"property {prop.rule_id} ({prop.name}) does not declare what it reads (reads=None), so every action "
            f"is visible to it and partial-order reduction could reduce nothing. Declare reads= or use por=False."
        )
    return None


def may_use_por(prop: Property) -> bool:
    return por_refusal(prop) is None


def may_use_symmetry(prop: Property) -> bool:
    return symmetry_refusal(prop) is None


def may_use_fingerprint(prop: Property) -> bool:
    return fingerprint_refusal(prop) is None


def split_by_reductions(
    items: Sequence[T], prop_of: Callable[[T], Property], symmetry: bool, fingerprint: bool
) -> list[tuple[list[T], bool, bool]]:
    """Split ``items`` into searches ``(items, symmetry, fingerprint)``: each reduction asked for
    serves the properties it may serve, the rest run in a search without it.  Searches come in a
    fixed order (both reductions first, neither last); empty ones are left out."""
    return [(its, sym, fp) for its, sym, fp, _ in split_by_all_reductions(items, prop_of, symmetry, fingerprint, False)]


def split_by_all_reductions(
    items: Sequence[T], prop_of: Callable[[T], Property], symmetry: bool, fingerprint: bool, por: bool
) -> list[tuple[list[T], bool, bool, bool]]:
    """As :func:`split_by_reductions`, with partial-order reduction as a third reduction: searches
    ``(items, symmetry, fingerprint, por)``.  POR runs in the general loop and fingerprints in the
    lean one, so a property both may serve gets POR (it is exact, fingerprints are not).  POR is not
    combined with symmetry (its independence is exact commutation, not commutation up to a
    renaming): a property symmetry may serve gets symmetry, which does reduce.

    A POR search is only worth running where it replaces an unreduced one: when the properties POR
    may not serve leave a plain search (no reduction at all: the full state space is explored anyway),
    the properties POR could serve join it instead of running a second, reduced search over the same
    space (same verdicts; the work of the reduced search saved).

    >>> from kubecheck.core.properties import invariant, eventually_always
    >>> inv = invariant("INV", "inv", lambda s: True, reads=frozenset({("x",)}))
    >>> conv = eventually_always("CONV", "conv", lambda s: True)
    >>> [([p.rule_id for p in ps], por) for ps, _, _, por in split_by_all_reductions([inv, conv], lambda p: p, False, False, True)]
    [(['INV', 'CONV'], False)]
    >>> [([p.rule_id for p in ps], por) for ps, _, _, por in split_by_all_reductions([inv], lambda p: p, False, False, True)]
    [(['INV'], True)]
    """
    keys: list[tuple[bool, bool, bool]] = []
    for item in items:
        prop = prop_of(item)
        sym = symmetry and may_use_symmetry(prop)
        p = por and not sym and may_use_por(prop)
        keys.append((sym, fingerprint and not p and may_use_fingerprint(prop), p))
    plain, reduced = (False, False, False), (False, False, True)
    merge = plain in keys and reduced in keys
    out: dict[tuple[bool, bool, bool], list[T]] = {}
    for item, key in zip(items, keys):
        out.setdefault(plain if merge and key == reduced else key, []).append(item)
    order = [(s, f, p) for p in (True, False) for s in (True, False) for f in (True, False)]
    return [(out[k], k[0], k[1], k[2]) for k in order if k in out]


def collision_probability(n: int, bits: int = FINGERPRINT_BITS) -> float:
    """Birthday estimate of a collision among ``n`` distinct states with ``bits``-bit fingerprints.

    ``1 - exp(-n(n-1) / 2^(bits+1))``, computed as ``-expm1(-x)`` (exact for tiny ``x``, no
    cancellation) with ``x`` from ``ldexp`` (no overflow of ``2^(bits+1)``, no underflow for b <= 64).
    """
    if n < 2:
        return 0.0
    return -math.expm1(-math.ldexp(float(n) * float(n - 1), -(bits + 1)))


def collision_bound(n: int, bits: int = FINGERPRINT_BITS) -> float:
    """The union bound ``min(1, n(n-1) / 2^(bits+1))``: an upper bound on the collision probability
    (for a uniform hash), and the figure the outputs print after "<="."""
    if n < 2:
        return 0.0
    return min(1.0, math.ldexp(float(n) * float(n - 1), -(bits + 1)))


def format_probability(p: float) -> str:
    """``p`` rounded *up* to two significant digits (so a printed ``<= p`` stays true): ``1.1e-07``."""
    if p <= 0.0:
        return "0"
    if p >= 1.0:
        return "1"
    exp = math.floor(math.log10(p)) - 1
    scaled = math.ceil(p / 10.0**exp * (1 - 1e-12))
    value = scaled * 10.0**exp
    return f"{value:.2g}" if value < 1.0 else "1"


@dataclass(frozen=True, slots=True)
class Reduction:
    """A reduction that ran in one search.  ``name`` is ``"symmetry"``, ``"fingerprint"`` or ``"por"``; for
    fingerprints, ``bits`` is their width and ``collision_bound`` the union bound on a collision
    among the states stored (a HOLDS is exhaustive up to it)."""

    name: str
    bits: int | None = None
    collision_bound: float | None = None

    @classmethod
    def fingerprints(cls, states: int, bits: int = FINGERPRINT_BITS) -> "Reduction":
        return cls("fingerprint", bits, collision_bound(states, bits))

    @property
    def label(self) -> str:
        """As the reports print it: ``symmetry``, ``fingerprints (64-bit, collision probability <= 1.1e-07)``."""
        if self.name == "fingerprint" and self.bits is not None and self.collision_bound is not None:
            return f"fingerprints ({self.bits}-bit, collision probability <= {format_probability(self.collision_bound)})"
        if self.name == "por":
            return "partial-order reduction (exact: same verdicts as the full search; eventual rules run without it)"
        return self.name


def reductions_of(result: Any) -> tuple[Reduction, ...]:
    """The reductions an :class:`~kubecheck.core.verdict.ExplorationResult` ran, as data."""
    out = []
    for name in result.reductions:
        if name == "fingerprint":
            out.append(Reduction.fingerprints(result.stats.states, result.stats.fingerprint_bits))
        else:
            out.append(Reduction(name))
    return tuple(out)
