"""Partial-order reduction: ample (persistent) sets from declared footprints.

The engine knows nothing of what a location *is*.  A model that wants POR implements two optional
hooks (both may return ``None`` for "unknown here", which makes that state fully expanded):

``footprint(state, action) -> Footprint | None``
    For an action enabled in ``state``: the locations it reads and writes.  Contract (what the
    soundness argument in docs/semantics.md, "Partial-order reduction", rests on), for the *actor*
    of the action (its :attr:`~kubecheck.core.ts.Action.key`): which actions of that actor are
    enabled, their :class:`~kubecheck.core.ts.Action` values and their effects are a function of
    the state restricted to ``reads``; an action changes no location outside ``writes``.
``potential(state) -> Iterable[tuple[Hashable, Footprint]] | None``
    Per actor key, an over-approximation of the union of the footprints of *every* action that
    actor may take in *any* state reachable from ``state`` (including actors that do not exist
    yet, under keys no existing actor has).

A **location** is a tuple; the empty tuple :data:`EVERYTHING` and, in general, every prefix of a
location stands for all locations it prefixes (``("Pod",)`` is every field of every pod).  Two
locations *overlap* if one is a prefix of the other.

A property declares what it reads (:attr:`~kubecheck.core.properties.Property.reads`; ``None``
is everything).  An action is **visible** if it writes a location some checked property reads.

Ample set at ``s`` (:class:`AmpleChooser`): the actors are split into *dependency components*
(two actors are linked when their potential footprints are dependent: writes of one against reads
and writes of the other); for a component ``K`` with enabled actions ``T``:

* C0: ``T`` is not empty (only components with an enabled action are candidates);
* C1 (persistence): no actor outside ``K`` has a potential footprint dependent on any actor of
  ``K``; since an actor's enabled set is a function of its reads, which nobody outside ``K``
  can write, ``T`` stays enabled and unchanged along every path of actors outside ``K``, no
  disabled actor of ``K`` becomes enabled there, and every action on such a path is
  independent of ``T``;
* C2 (visibility): no action of ``T`` is visible, unless ``T`` is everything enabled;
* C3 (cycle proviso, BFS form): the search fully expands a state whenever one of the ample
  successors is a state seen before (so every cycle of the reduced graph has a fully expanded
  state: on a cycle, the state discovered last has an edge to an earlier one).

**Guarded footprints** (optional hooks ``por_guard(state) -> bool`` and ``por_guard_reads()``):
the footprints and potentials may describe a *relaxed* system ``M'`` that takes exactly the
system's steps in every state where the guard holds (e.g. a scheduler whose capacity check is
dropped, declared only while no node can fill up).  The guard's reads are made visible, and
:meth:`AmpleChooser.choose` raises :class:`PorGuardFailed` on a state where the guard does not
hold; ``explore`` then runs the search again without the reduction.  If it never fails, every state
the reduced search expanded satisfies the guard, so it is the reduced search of ``M'``, whose
footprints are exact; since the guard is visible, ``M'`` has no reachable state violating it (the
ample-set theorem applied to the guard as an invariant), so ``M'`` and the system have the same
reachable graph and the same verdicts (docs/semantics.md, "Guarded footprints").

Eventual properties are refused (as symmetry refuses them): weak fairness is about the actions
enabled along a run, which the reduced graph does not keep.  See
:func:`kubecheck.core.reductions.por_refusal`.

>>> f = Footprint.of(reads=[("Pod", "a")], writes=[("Pod", "a", "status")])
>>> g = Footprint.of(reads=[("Pod",)], writes=[("RS", "r")])
>>> dependent(f, g), dependent(f, Footprint.of(reads=[("Pod", "b")], writes=[("Pod", "b")]))
(True, False)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Sequence

__all__ = [
    "EVERYTHING",
    "Footprint",
    "overlaps",
    "dependent",
    "AmpleChooser",
    "POR_CHECK_ENV",
    "FootprintViolation",
    "PorGuardFailed",
]

Location = tuple[Hashable, ...]

#: The location every location starts with: reading or writing it conflicts with everything.
EVERYTHING: Location = ()

#: Set (to anything but "" or "0") to check every reduced state at run time: each ample action
#: and each other enabled action commute (both orders enabled, same end state); a failure raises
#: :class:`FootprintViolation`.  The model layer may check its own declarations under its own variable.
POR_CHECK_ENV = "KUBECHECK_POR_CHECK"


class FootprintViolation(AssertionError):
    """A declared footprint or independence claim was contradicted at run time (debug mode)."""


class PorGuardFailed(Exception):
    """A state the reduced search expanded violates the system's ``por_guard``: the declared
    footprints need not hold there, so the reduction is abandoned (``explore`` searches again
    without it)."""


@dataclass(frozen=True, slots=True)
class Footprint:
    """What one action (or, for :meth:`AmpleChooser` potentials, one actor) reads and writes."""

    reads: frozenset[Location]
    writes: frozenset[Location]

    @classmethod
    def of(cls, reads: Iterable[Location] = (), writes: Iterable[Location] = ()) -> "Footprint":
        return cls(frozenset(reads), frozenset(writes))

    def __or__(self, other: "Footprint") -> "Footprint":
        return Footprint(self.reads | other.reads, self.writes | other.writes)


def _prefixes(locs: Iterable[Location]) -> set[Location]:
    out: set[Location] = set()
    for loc in locs:
        for i in range(len(loc) + 1):
            out.add(loc[:i])
    return out


#: frozenset of locations -> its prefix closure (footprints are often the same objects from state
#: to state: a model caches them); bounded, cleared when full
_CLOSURES: dict[frozenset[Location], frozenset[Location]] = {}
_CLOSURES_MAX = 50_000


def _closure(locs: frozenset[Location]) -> frozenset[Location]:
    c = _CLOSURES.get(locs)
    if c is None:
        if len(_CLOSURES) >= _CLOSURES_MAX:
            _CLOSURES.clear()
        c = _CLOSURES[locs] = frozenset(_prefixes(locs))
    return c


def overlaps(a: Iterable[Location], b: Iterable[Location]) -> bool:
    """Whether some location of ``a`` and some of ``b`` overlap (one is a prefix of the other).

    >>> overlaps([("Pod", "x", "status")], [("Pod",)]), overlaps([("Pod", "x")], [("Pod", "y")])
    (True, False)
    """
    fa = a if isinstance(a, frozenset) else frozenset(a)
    fb = b if isinstance(b, frozenset) else frozenset(b)
    if not fa or not fb:
        return False
    # a location of b is a prefix of (or equal to) one of a, or a location of a is a prefix of one of b
    return not _closure(fa).isdisjoint(fb) or not _closure(fb).isdisjoint(fa)


def dependent(f: Footprint, g: Footprint) -> bool:
    """Whether two footprints may be dependent: one writes what the other reads or writes."""
    return overlaps(f.writes, g.reads) or overlaps(f.writes, g.writes) or overlaps(g.writes, f.reads)


def por_check_enabled() -> bool:
    return os.environ.get(POR_CHECK_ENV, "") not in ("", "0")


class AmpleChooser:
    """Picks the ample set of a state from its enabled successors (conditions C0-C2; C3 is the
    search's, see the module docstring).  ``visible`` are the locations the checked properties read
    (:data:`EVERYTHING` among them makes every writing action visible)."""

    def __init__(self, system: Any, visible: Iterable[Location]) -> None:
        self.footprint: Callable[[Any, Any], Footprint | None] | None = getattr(system, "footprint", None)
        self.potential: Callable[[Any], Iterable[tuple[Hashable, Footprint]] | None] | None = getattr(system, "potential", None)
        #: the guard of guarded footprints (module docstring), its reads visible
        self.guard: Callable[[Any], bool] | None = getattr(system, "por_guard", None)
        guard_reads = getattr(system, "por_guard_reads", None)
        if self.guard is not None:
            visible = set(visible) | (set(guard_reads()) if guard_reads is not None else {EVERYTHING})
        self.visible = frozenset(visible)
        self.system = system
        self.check = por_check_enabled()
        #: statistics: states where a proper subset was chosen, states fully expanded
        self.reduced = 0
        self.full = 0
        #: id(potential list) -> (the list, its components): a model that caches its potentials
        #: (model.footprint caches them by the state's shape) pays the pairwise test once per list
        self._comp_cache: dict[int, tuple[Any, dict[Hashable, int]]] = {}

    @property
    def usable(self) -> bool:
        return self.footprint is not None and self.potential is not None and EVERYTHING not in self.visible

    def choose(self, state: Any, succ: Sequence[tuple[Any, Any]]) -> list[int] | None:
        """Positions (into ``succ``) of an ample set that is a proper subset, or None (expand all).

        The candidates are the *dependency components* of the actors: two actors are linked when
        their potential footprints are dependent, and a component is closed under that link.  The
        enabled actions of a component form a persistent set (C1): an action of an actor outside
        the component never depends on any action of the component, in this state or any state
        reached without the component's actions, and the component's enabled set stays as it is
        along such paths (its actors' reads are not written from outside).  A component is taken
        if it has an enabled action, all its enabled actions are invisible (C2) and it is not
        everything enabled; the smallest such one (fewest enabled actions), ties in actor order.
        """
        if self.guard is not None and self.usable and not self.guard(state):
            raise PorGuardFailed(f"the partial-order reduction's guard does not hold in {state!r:.200}")
        if not self.usable or len(succ) < 2:
            return None
        groups: dict[Hashable, list[int]] = {}
        for pos, (a, _) in enumerate(succ):
            groups.setdefault(a.key, []).append(pos)
        if len(groups) < 2:
            return None
        pots = self.potential(state)  # type: ignore[misc]
        if pots is None:
            return None
        comp_of = self._components(pots)
        if any(k not in comp_of for k in groups):
            return None  # an enabled actor the model did not account for: no reduction here
        by_comp: dict[int, list[Hashable]] = {}
        for k in groups:
            by_comp.setdefault(comp_of[k], []).append(k)
        if len(by_comp) < 2:
            return None
        fp_fn = self.footprint
        best: list[int] | None = None
        for keys in by_comp.values():
            positions = [p for k in keys for p in groups[k]]
            if best is not None and len(positions) >= len(best):
                continue
            visible = False
            for pos in positions:
                f = fp_fn(state, succ[pos][0])  # type: ignore[misc]
                if f is None or overlaps(f.writes, self.visible):
                    visible = True  # C2 (an unknown footprint counts as visible)
                    break
            if not visible:
                best = sorted(positions)
        if best is not None and self.check:
            self._check_commute(state, succ, best)
        return best

    def _components(self, pots: Any) -> dict[Hashable, int]:
        """Actor key -> component number, for one potential list (cached by identity: a model that
        returns the same list object for equal potentials pays this once)."""
        cached = self._comp_cache.get(id(pots))
        if cached is not None and cached[0] is pots:
            return cached[1]
        pl = list(pots)
        n = len(pl)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in range(n):
            for j in range(i + 1, n):
                if find(i) != find(j) and dependent(pl[i][1], pl[j][1]):
                    parent[find(i)] = find(j)
        comp: dict[Hashable, int] = {}
        for i, (k, _) in enumerate(pl):
            r = find(i)
            if k in comp and comp[k] != r:
                # the same actor listed twice: merge (its potential is the union)
                old = comp[k]
                for kk, c in comp.items():
                    if c == old:
                        comp[kk] = r
            comp[k] = r
        if len(self._comp_cache) >= 10_000:
            self._comp_cache.clear()
        self._comp_cache[id(pots)] = (pots, comp)  # the list is kept alive, so its id is not reused
        return comp

    def _check_commute(self, state: Any, succ: Sequence[tuple[Any, Any]], chosen: list[int]) -> None:
        """Debug mode: every chosen action commutes with every other enabled action at ``state``."""
        from kubecheck.core.ts import successors_fn

        successors = successors_fn(self.system)
        ch = set(chosen)
        for i in chosen:
            a, sa = succ[i]
            after_a = {x: t for x, t in successors(sa)}
            for j, (b, sb) in enumerate(succ):
                if j in ch:
                    continue
                after_b = {x: t for x, t in successors(sb)}
                ab, ba = after_a.get(b), after_b.get(a)
                if ab is None or ba is None or ab != ba:
                    raise FootprintViolation(
                        f"partial-order reduction: {a} was chosen as ample but does not commute with {b} "
                        f"({'disabled by the other' if ab is None or ba is None else 'different end states'}); "
                        f"a footprint declaration is wrong"
                    )
