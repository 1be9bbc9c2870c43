"""The explicit-state explorer: a sound, generic, bounded model checker for any ``TransitionSystem``.

>>> result = explore(system, [invariant("INV-1", "at most one leader", one_leader)])
>>> result.results[0].verdict
<Verdict.HOLDS: 'holds'>

* BFS by default (shortest counterexamples to invariants), DFS on request; deterministic order.
* Invariants, action properties, ``sometimes``, deadlock, and ``<>[]P`` / ``[]<>P`` under weak fairness
  per :attr:`~kubecheck.ts.Action.key` (lasso counterexamples).
* Symmetry reduction via ``system.canonical``: dedupe on the representative, continue from the
  original state, so every trace step is real.  Refused (``UnsoundCombination``) for asymmetric or
  eventual properties.
* Bounds on depth, distinct states, wall time and RSS; Ctrl-C stops the search.  A cut search never
  says HOLDS: it says HOLDS_WITHIN_BOUNDS and which bound was hit.

Private submodules (``_lean``, ``_general``, ``_fair``, ``_graph``, ``_common``) carry no stability promise.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable

from kubecheck.errors import InvalidScenario, UnsoundCombination
from kubecheck.properties import DEADLOCK_FREEDOM, Property, PropertyKind, validate_properties
from kubecheck.ts import BaseSystem
from kubecheck.verdict import ExplorationResult, PropertyResult, Stats, Verdict

from ._common import Finding, Monitor, Outcome, PredicateError, SearchConfig, build_trace, peak_rss, strict_predicate
from ._fair import find_fair_violation, tarjan_scc
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
            if not p.symmetric:
                raise UnsoundCombination(
                    f"property {p.rule_id} ({p.name}) is declared symmetric=False (it tells interchangeable "
                    f"objects apart), so symmetry reduction could hide its violations. Run without "
                    f"symmetry=True, or make the property symmetric."
                )
            if p.kind.is_eventual:
                raise UnsoundCombination(
                    f"property {p.rule_id} ({p.name}) is an eventual property ({p.kind.value}); symmetry "
                    f"reduction permutes the fairness keys of interchangeable actors, so a fair cycle in the "
                    f"quotient graph need not be a fair run (TLC's known liveness+symmetry unsoundness, "
                    f"tlaplus#59). Check eventual properties with symmetry=False."
                )


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
    progress: bool | None = None,
    keep_graph: bool = False,
) -> ExplorationResult:
    """Explore ``system`` and decide each property.

    ``max_depth`` bounds the number of steps from an initial state; ``max_states`` the number of
    distinct (canonical) states; ``timeout`` wall seconds; ``max_memory`` the process RSS in bytes
    (checked every 1024 expanded states).  ``progress=None`` shows a tqdm bar only if stderr is a TTY.
    ``keep_graph=True`` keeps the state graph for :func:`state_graph` / :func:`to_dot` (small spaces).
    """
    props = list(properties)
    _validate(system, props, strategy, symmetry, max_depth, max_states, timeout, max_memory)
    if check_deadlock:
        props.append(DEADLOCK_FREEDOM)
    if not list(system.init_states()):
        raise InvalidScenario(f"{type(system).__name__}.init_states() returned no state; nothing to explore")
    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    cfg = SearchConfig(strategy, symmetry, max_depth, max_states, timeout, max_memory, check_deadlock, keep_graph, bool(progress))
    monitor = Monitor(cfg)
    lean = strategy == "bfs" and not keep_graph and all(
        p.kind in (PropertyKind.INVARIANT, PropertyKind.SOMETIMES, PropertyKind.DEADLOCK) for p in props
    )
    outcome = (lean_bfs if lean else general_search)(system, props, cfg, monitor)
    interrupted_analysis = False
    if any(p.kind.is_eventual for p in props):
        interrupted_analysis = _check_eventual(system, props, outcome)
    seconds = monitor.elapsed()
    monitor.close(outcome.states)
    stats = Stats(
        states=outcome.states,
        transitions=outcome.transitions,
        max_depth=outcome.max_depth,
        seconds=seconds,
        states_per_second=outcome.states / seconds if seconds > 0 else float("inf"),
        peak_memory_bytes=peak_rss(),
    )
    bound_hit = outcome.bound_hit or ("interrupted" if interrupted_analysis else None)
    results = tuple(
        _result(system, p, outcome.findings.get(i), outcome, cfg, bound_hit, interrupted_analysis)
        for i, p in enumerate(props)
    )
    reductions = ("symmetry",) if symmetry else ()
    return ExplorationResult(results, stats, reductions, outcome.complete, bound_hit, graph=outcome.graph if keep_graph else None)


def _check_eventual(system: Any, props: list[Property], outcome: Outcome) -> bool:
    """Run the fair-cycle search for each eventual property; ``True`` if Ctrl-C interrupted it."""
    g: StateGraph = outcome.graph
    for i, p in enumerate(props):
        if not p.kind.is_eventual:
            continue
        try:
            found = find_fair_violation(g, p.kind is PropertyKind.ALWAYS_EVENTUALLY, lambda u, f=strict_predicate(p): f(g.states[u]))
        except KeyboardInterrupt:
            return True
        except PredicateError as exc:  # raised (SystemExit included) or returned a non-bool
            outcome.findings[i] = Finding("error", None, None, exc.note)
            continue
        if found is not None:
            entry, loop = found
            outcome.findings[i] = Finding("violation", path_to(entry, g.parent, g.ppos), tuple(j for _, j in loop))
    return False


def _coverage(outcome: Outcome, bound_hit: str, cfg: SearchConfig) -> str:
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


def _result(
    system: Any,
    prop: Property,
    finding: Finding | None,
    outcome: Outcome,
    cfg: SearchConfig,
    bound_hit: str | None,
    interrupted_analysis: bool,
) -> PropertyResult:
    if finding is not None:
        trace = build_trace(system, prop, finding, cfg) if finding.path is not None else None
        if finding.kind == "error":
            return PropertyResult(prop, Verdict.ERROR, trace, None, finding.note)
        if finding.kind == "example":
            return PropertyResult(prop, Verdict.HOLDS, trace, None, "example found: a reachable state satisfies it")
        note = finding.note
        if prop.kind.is_eventual:
            note = "the property fails in a state where no weakly fair action is enabled (the run may stay there forever)" if finding.loop == () else "weakly fair lasso on which the property fails"
        return PropertyResult(prop, Verdict.VIOLATED, trace, None, note)
    eventual_cut = prop.kind.is_eventual and interrupted_analysis
    if outcome.complete and not eventual_cut:
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
