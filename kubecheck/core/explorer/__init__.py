"""The explicit-state explorer: a sound, generic, bounded model checker for any ``TransitionSystem``.

>>> from kubecheck.core import Action, BaseSystem, invariant
>>> class Ring(BaseSystem):  # a token passed round three processes
...     def init_states(self): return [0]
...     def actions(self, s): return [Action("p", "pass")]
...     def step(self, s, a): return (s + 1) % 3
>>> result = explore(Ring(), [invariant("INV-1", "the token stays in the ring", lambda s: 0 <= s < 3)], progress="off")
>>> result.results[0].verdict, result.stats.states
(<Verdict.HOLDS: 'holds'>, 3)

* BFS by default (shortest counterexamples to invariants), DFS on request; deterministic order.
* Invariants, action properties, ``sometimes``, deadlock, and ``<>[]P`` / ``[]<>P`` / ``P ~> Q`` under
  weak fairness per :attr:`~kubecheck.core.ts.Action.key` (lasso counterexamples).
* Symmetry reduction via ``system.canonical``: dedupe on the representative, continue from the
  original state, so every trace step is real.  Refused (``UnsoundCombination``) for asymmetric or
  eventual properties.
* Bounds on depth, distinct states, wall time and RSS; Ctrl-C stops the search.  A cut search never
  says HOLDS: it says HOLDS_WITHIN_BOUNDS and which bound was hit.
* Hash compaction (``fingerprint=True``, TLC's fingerprint set): the lean BFS loop stores a 64-bit
  BLAKE2b fingerprint per state instead of the state.  A collision can only hide states, so a HOLDS
  is exhaustive up to collisions: ``reductions`` lists ``"fingerprint"``, ``Stats`` gives the
  collision probability, every absence verdict's note says so, and every counterexample is
  replayed and re-checked before it is reported.  Refused for eventual properties, action
  properties, DFS and ``keep_graph`` (they need the full state graph or the general loop).

Private submodules (``_lean``, ``_general``, ``_fair``, ``_graph``, ``_common``) carry no stability promise.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.por import PorGuardFailed
from kubecheck.core.judge import Outcome, PredicateError, judge_trace, strict_predicate, strict_trigger
from kubecheck.core.reductions import (
    FINGERPRINT_BITS,
    LEAN_KINDS,
    collision_bound,
    collision_probability,
    fingerprint_refusal,
    format_probability,
    por_refusal,
    symmetry_refusal,
)
from kubecheck.core.properties import DEADLOCK_FREEDOM, Property, PropertyKind, validate_properties
from kubecheck.core.ts import BaseSystem
from kubecheck.core.verdict import ExplorationResult, PropertyResult, Stats, Verdict

from ._common import RESIZE_RESERVE, Finding, MemoryGuard, Monitor, RssReader, SearchConfig, SearchOutcome, build_trace, peak_rss, progress_mode
from ._fingerprint import fingerprint_fn
from ._fair import Recurrence, find_fair_violation, find_leads_to_violation, recurrence, tarjan_scc
from ._general import general_search, path_to
from ._graph import StateGraph, state_graph, to_dot, to_graphml
from ._lean import lean_bfs

__all__ = [
    "explore",
    "check",
    "state_graph",
    "to_graphml",
    "to_dot",
    "StateGraph",
    "tarjan_scc",
    "fingerprint_caveat",
    "MemoryGuard",
    "RssReader",
    "RESIZE_RESERVE",
    "peak_rss",
]


def _validate(
    system: Any,
    props: list[Property],
    strategy: str,
    symmetry: bool,
    max_depth: int | None,
    max_states: int | None,
    timeout: float | None,
    max_memory: int | None,
    fingerprint: bool = False,
    keep_graph: bool = False,
) -> None:
    if strategy not in ("bfs", "dfs"):
        raise InvalidScenario(f"strategy must be 'bfs' or 'dfs', got {strategy!r}")
    for name, value in (("max_depth", max_depth), ("max_states", max_states), ("max_memory", max_memory)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < (0 if name == "max_depth" else 1)):
            low = "a non-negative" if name == "max_depth" else "a positive"
            raise InvalidScenario(f"{name} must be None or {low} integer, got {value!r}")
    if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
        raise InvalidScenario(f"timeout must be None or a positive number of seconds, got {timeout!r}")
    validate_properties(props, "explore()")
    for required in ("init_states", "actions", "step"):
        if not callable(getattr(system, required, None)):
            raise InvalidScenario(
                f"{type(system).__name__} is not a TransitionSystem: it has no {required}() method "
                f"(needed: init_states(), actions(state), step(state, action))"
            )
    if symmetry:
        own = getattr(type(system), "canonical", None)
        if own is None or own is BaseSystem.canonical:
            raise InvalidScenario(
                f"symmetry=True but {type(system).__name__} defines no canonical(state); without it no "
                f"reduction would run. Implement canonical() or drop symmetry=True."
            )
        for p in props:
            refused = symmetry_refusal(p)
            if refused is not None:
                raise refused
    if not isinstance(fingerprint, bool):
        raise InvalidScenario(f"fingerprint must be True or False, got {fingerprint!r}")
    if fingerprint:
        _validate_fingerprint(props, strategy, keep_graph)


def _validate_fingerprint(props: list[Property], strategy: str, keep_graph: bool) -> None:
    """``fingerprint=True`` runs in the lean BFS loop only; refuse everything else with the reason."""
    for p in props:
        refused = fingerprint_refusal(p)
        if refused is not None:
            raise refused
    if strategy != "bfs":
        raise InvalidScenario("fingerprint=True is implemented by the lean BFS loop only; use strategy='bfs' or fingerprint=False")
    if keep_graph:
        raise InvalidScenario("fingerprint=True stores no states, so there is no state graph to keep; drop keep_graph=True or fingerprint=True")


def explore(
    system: Any,
    properties: Iterable[Property] = (),
    *,
    strategy: str = "bfs",
    symmetry: bool = False,
    max_depth: int | None = None,
    max_states: int | None = None,
    timeout: float | None = None,
    max_memory: int | None = None,
    check_deadlock: bool = False,
    progress: bool | str | None = None,
    keep_graph: bool = False,
    fingerprint: bool = False,
    por: bool = False,
    _fingerprint_bits: int = FINGERPRINT_BITS,
    _fingerprint_fn: Callable[[Any], int] | None = None,
) -> ExplorationResult:
    """Explore ``system`` and decide each property.

    ``max_depth`` bounds the number of steps from an initial state; ``max_states`` the number of
    distinct (canonical) states; ``timeout`` wall seconds; ``max_memory`` the process RSS in bytes.
    Time and memory are checked at a stride that adapts to the expansion rate (about every 10 ms, and
    every expansion near the deadline); the memory bound stops the search *before* the RSS would
    cross it (see ``docs/performance.md#caps``).  Both also bound the fair-cycle analysis of eventual
    properties.  ``progress``: ``"bar"`` (tqdm), ``"lines"`` (a line on stderr every few seconds),
    ``"off"``; ``None``/``"auto"``: the bar if stderr is a TTY, else lines (``True``/``False``: bar/off).
    ``keep_graph=True`` keeps the state graph for :func:`state_graph` / :func:`to_dot` (small spaces).

    ``fingerprint=True`` stores a 64-bit fingerprint of each state instead of the state (hash
    compaction; see ``docs/semantics.md#explorer``): invariants, ``sometimes`` and deadlock with BFS
    only.  ``states`` then counts distinct fingerprints; ``Stats.collision_probability`` is the
    birthday estimate that two of them belong to different states.  ``_fingerprint_bits`` (1..64)
    and ``_fingerprint_fn`` (``state -> int`` below ``2**_fingerprint_bits``) are for tests and
    benchmarks only (a narrow width forces collisions).

    ``por=True``: partial-order reduction (:mod:`kubecheck.core.por`, ample sets from the system's
    ``footprint``/``potential`` hooks and the properties' ``reads``); exact for the properties it
    may serve (:func:`kubecheck.core.reductions.por_refusal` refuses the others), so a HOLDS stays
    a HOLDS.  ``states`` then counts the states of the reduced graph.
    """
    props = list(properties)
    _validate(system, props, strategy, symmetry, max_depth, max_states, timeout, max_memory, fingerprint, keep_graph)
    ample = _ample_chooser(system, props, por, fingerprint)
    if ample is not None and symmetry:
        raise InvalidScenario(
            "por=True and symmetry=True are not combined: the ample sets rest on exact commutation, and the "
            "symmetry quotient merges states the footprints do not describe; choose one"
        )
    fp_fn: Callable[[Any], int] | None = None
    if fingerprint:
        fp_fn = _fingerprint_fn if _fingerprint_fn is not None else fingerprint_fn(_fingerprint_bits)
    if check_deadlock:
        props.append(DEADLOCK_FREEDOM)
    if not list(system.init_states()):
        raise InvalidScenario(f"{type(system).__name__}.init_states() returned no state; nothing to explore")
    cfg = SearchConfig(
        strategy, symmetry, max_depth, max_states, timeout, max_memory, check_deadlock, keep_graph, progress_mode(progress),
        _fingerprint_bits if fingerprint else None,
    )
    # With eventual properties the fair-cycle analysis after the search needs memory and time per
    # state too (its Tarjan arrays, the predicate's values): the search leaves room for it below
    # max_memory and before the deadline.
    eventual_preds = [p.predicate for p in props if p.kind.is_eventual]
    eventual_preds += [p.trigger for p in props if p.trigger is not None]
    monitor = Monitor(cfg, ANALYSIS_RESERVE if eventual_preds else 0, _probe(eventual_preds), len(eventual_preds))
    lean = ample is None and strategy == "bfs" and not keep_graph and all(p.kind in LEAN_KINDS for p in props)
    if lean:
        outcome = lean_bfs(system, props, cfg, monitor, fp_fn)
    else:  # _validate refused fingerprint=True for everything that is not lean
        try:
            outcome = general_search(system, props, cfg, monitor, ample)
        except PorGuardFailed:
            # the footprints were declared for states where the system's guard holds, and the
            # reduced search reached one where it does not: search again, unreduced (same monitor:
            # the same deadline and memory bound)
            por = False
            outcome = general_search(system, props, cfg, monitor, None)
    analysis_cut: str | None = None
    if any(p.kind.is_eventual for p in props):
        analysis_cut = _check_eventual(system, props, outcome, monitor)
    seconds = monitor.elapsed()
    bound_hit = outcome.bound_hit or analysis_cut
    monitor.close(outcome.states, bound_hit)
    stats = Stats(
        states=outcome.states,
        transitions=outcome.transitions,
        max_depth=outcome.max_depth,
        seconds=seconds,
        states_per_second=outcome.states / seconds if seconds > 0 else float("inf"),
        peak_memory_bytes=peak_rss(),
        fingerprint_bits=cfg.fingerprint_bits,
        collision_probability=collision_probability(outcome.states, cfg.fingerprint_bits) if cfg.fingerprint_bits else None,
    )
    results = tuple(
        _result(system, p, outcome.findings.get(i), outcome, cfg, bound_hit, analysis_cut is not None)
        for i, p in enumerate(props)
    )
    reductions = (("symmetry",) if symmetry else ()) + (("fingerprint",) if fingerprint else ()) + (("por",) if por else ())
    return ExplorationResult(results, stats, reductions, outcome.complete, bound_hit, graph=outcome.graph if keep_graph else None)


def _ample_chooser(system: Any, props: list[Property], por: bool, fingerprint: bool) -> Any:
    """The :class:`kubecheck.core.por.AmpleChooser` for ``por=True`` (refusing what it may not serve), or None."""
    if not isinstance(por, bool):
        raise InvalidScenario(f"por must be True or False, got {por!r}")
    if not por:
        return None
    if fingerprint:
        raise InvalidScenario("por=True runs in the general search loop and fingerprint=True in the lean one; choose one")
    for hook in ("footprint", "potential"):
        if not callable(getattr(system, hook, None)):
            raise InvalidScenario(
                f"por=True but {type(system).__name__} defines no {hook}(); partial-order reduction needs the "
                f"footprint(state, action) and potential(state) hooks (kubecheck.core.por)"
            )
    for p in props:
        refused = por_refusal(p)
        if refused is not None:
            raise refused
    from kubecheck.core.por import AmpleChooser

    visible: set[tuple[Any, ...]] = set()
    for p in props:
        if p.reads is not None:
            visible |= p.reads
    return AmpleChooser(system, visible)


#: Bytes per stored state the search leaves free below ``max_memory`` for the fair-cycle analysis
#: (measured on examples/web-deployment.yaml: about 90 for one Tarjan pass, up to 200 more for the
#: values a property's predicate computes; ``tests/explorer/test_caps.py``).  The time it needs is
#: left before the deadline too: ``Monitor.check`` times the predicates with :func:`_probe`.
ANALYSIS_RESERVE = 320


def _probe(preds: list[Callable[[Any], Any]]) -> Callable[[Any], None] | None:
    """Evaluates the eventual predicates on one state, for the monitor to time (what the analysis will
    spend per state).  Errors are ignored here: the analysis reports them."""
    if not preds:
        return None

    def probe(state: Any) -> None:
        for pred in preds:
            try:
                pred(state)
            except KeyboardInterrupt:
                raise
            except BaseException:  # noqa: BLE001 - SystemExit from a user rule too: reported by the analysis
                pass

    return probe


class _AnalysisCut(Exception):
    def __init__(self, bound: str) -> None:
        super().__init__(bound)
        self.bound = bound


def _check_eventual(system: Any, props: list[Property], outcome: SearchOutcome, monitor: Monitor | None = None) -> str | None:
    """Run the fair-cycle search for each eventual property; the bound that stopped it (``"interrupted"``
    for Ctrl-C, ``"timeout"`` or ``"max_memory"``: the search's bounds bound this analysis too), or None."""
    g: StateGraph = outcome.graph
    poll = None
    if monitor is not None and (monitor.deadline is not None or monitor.memory is not None):
        def poll() -> None:
            hit = monitor.poll()
            if hit is not None:
                raise _AnalysisCut(hit)
    rec: Recurrence | None = None  # computed once, for the first eventual property that needs it
    for i, p in enumerate(props):
        if not p.kind.is_eventual:
            continue
        try:
            pred = strict_predicate(p)
            if p.kind is PropertyKind.LEADS_TO:
                trig = strict_trigger(p)
                leads = find_leads_to_violation(g, lambda u: pred(g.states[u]), lambda u: trig(g.states[u]), poll)
                if leads is not None:
                    at, stem, entry, loop = leads
                    init_index, positions = path_to(at, g.parent, g.ppos)
                    outcome.findings[i] = Finding(Outcome.VIOLATION, (init_index, positions + tuple(j for _, j in stem)),
                                                  tuple(j for _, j in loop), _leads_to_note(len(positions), loop == []))
                continue
            if rec is None:
                rec = recurrence(g, poll)
            found = find_fair_violation(g, p.kind is PropertyKind.ALWAYS_EVENTUALLY, lambda u: pred(g.states[u]), poll, rec)
        except KeyboardInterrupt:
            return "interrupted"
        except _AnalysisCut as cut:
            return cut.bound
        except PredicateError as exc:  # raised (SystemExit included) or returned a non-bool
            outcome.findings[i] = Finding(Outcome.ERROR, None, None, exc.note)
            continue
        if found is not None:
            entry, loop = found
            outcome.findings[i] = Finding(Outcome.VIOLATION, path_to(entry, g.parent, g.ppos), tuple(j for _, j in loop))
    return None


def _leads_to_note(trigger_step: int, stutter: bool) -> str:
    """The note of a ``leads_to`` violation: where the trigger held and how the run ends."""
    end = ("stays in a state where no weakly fair action is enabled (the run may stay there forever)" if stutter
           else "ends in a weakly fair loop")
    return (f"the trigger holds after step {trigger_step} and the goal never holds from there on: the run {end} "
            f"without reaching the goal")


def _coverage(outcome: SearchOutcome, bound_hit: str, cfg: SearchConfig) -> str:
    limit = {
        "max_depth": f"max_depth={cfg.max_depth}",
        "max_states": f"max_states={cfg.max_states}",
        "timeout": f"timeout={cfg.timeout}s",
        "max_memory": f"max_memory={cfg.max_memory} bytes",
        "interrupted": "Ctrl-C",
    }.get(bound_hit, bound_hit)
    return (
        f"search cut by {limit}: covered {outcome.states} distinct states and {outcome.transitions} "
        f"transitions up to depth {outcome.max_depth}; states beyond were not explored"
    )


def fingerprint_caveat(states: int, bits: int) -> str:
    """``64-bit fingerprints, collision probability <= 1.1e-07`` (the union bound, rounded up)."""
    return f"{bits}-bit fingerprints, collision probability <= {format_probability(collision_bound(states, bits))}"


def _validate_rebuilt(system: Any, prop: Property, finding: Finding, trace: Any) -> str | None:
    """Re-check a trace rebuilt from fingerprints with the judge: ``None`` if it shows the finding,
    else what it shows instead.  By construction the replay follows the search's own path, so this
    only fails for a nondeterministic system; it is checked anyway, so a collision can never yield a
    bogus trace."""
    shown = judge_trace(prop, trace, system).outcome
    if shown is finding.kind:
        return None
    return f"the judge says {shown.value} on its last state, the search said {finding.kind.value}"


def _result(
    system: Any,
    prop: Property,
    finding: Finding | None,
    outcome: SearchOutcome,
    cfg: SearchConfig,
    bound_hit: str | None,
    analysis_cut: bool,
) -> PropertyResult:
    caveat = fingerprint_caveat(outcome.states, cfg.fingerprint_bits) if cfg.fingerprint_bits else None
    if finding is not None:
        trace = build_trace(system, prop, finding, cfg) if finding.path is not None else None
        if caveat is not None and trace is not None:
            why = _validate_rebuilt(system, prop, finding, trace)
            if why is not None:
                return PropertyResult(
                    prop, Verdict.ERROR, None, None,
                    f"the trace rebuilt from fingerprints failed re-validation ({why}); the finding is not reported. "
                    f"Is the system deterministic (same state, same successors in the same order)?",
                )
        if finding.kind is Outcome.ERROR:
            return PropertyResult(prop, Verdict.ERROR, trace, None, finding.note)
        if finding.kind is Outcome.EXAMPLE:
            return PropertyResult(prop, Verdict.HOLDS, trace, None, "example found: a reachable state satisfies it")
        note = finding.note
        if prop.kind.is_eventual and prop.kind is not PropertyKind.LEADS_TO:
            note = "the property fails in a state where no weakly fair action is enabled (the run may stay there forever)" if finding.loop == () else "weakly fair lasso on which the property fails"
        return PropertyResult(prop, Verdict.VIOLATED, trace, None, note)
    eventual_cut = prop.kind.is_eventual and analysis_cut
    if outcome.complete and not eventual_cut:
        if caveat is not None:
            # A collision can only hide states: "nothing found" is exhaustive up to collisions.
            if prop.kind is PropertyKind.SOMETIMES:
                return PropertyResult(prop, Verdict.VIOLATED, None, None, f"exhaustive search up to fingerprint collisions ({caveat}): no reachable state satisfies it")
            return PropertyResult(prop, Verdict.HOLDS, None, None, f"exhaustive up to fingerprint collisions ({caveat}): {outcome.states} states, {outcome.transitions} transitions")
        if prop.kind is PropertyKind.SOMETIMES:
            return PropertyResult(prop, Verdict.VIOLATED, None, None, "exhaustive search: no reachable state satisfies it")
        return PropertyResult(prop, Verdict.HOLDS, None, None, f"exhaustive: {outcome.states} states, {outcome.transitions} transitions")
    hit = bound_hit or "interrupted"
    note = _coverage(outcome, hit, cfg)
    if prop.kind is PropertyKind.SOMETIMES:
        note = "inconclusive: no example found, and " + note
    elif prop.kind.is_eventual:
        note = "inconclusive: no fair violating cycle among the expanded states, but a truncated graph proves nothing; " + note
    return PropertyResult(prop, Verdict.HOLDS_WITHIN_BOUNDS, None, hit, note)


def check(system: Any, prop: Property, **kwargs: Any) -> PropertyResult:
    """Explore ``system`` for one property; the keyword arguments are :func:`explore`'s."""
    return explore(system, [prop], **kwargs).results[0]
