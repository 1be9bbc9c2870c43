"""Private module for selective re-export: the lean breadth-first loop for state properties.

Used when only invariants, ``sometimes`` properties and the deadlock check are asked for, with BFS and
no graph.  It stores one dict entry per distinct state, ``key -> parent key`` (a reference to an object
that already exists, so no per-state int or tuple is allocated), and calls ``system.next_states``,
which a fast model implements without building per-edge ``Action`` objects.  Traces are rebuilt after
the search by replaying ``successors`` and matching keys (see ``_common.positions_from_keys``).

With ``fingerprint`` (a ``state -> int`` function, see ``_fingerprint``) the key of a state is its
fingerprint (of its canonical key with symmetry): the dict maps ``fingerprint -> parent fingerprint``
and no explored state is kept once it has left the frontier.  The replay matches fingerprints; it
follows exactly the search's path (the first successor with the wanted fingerprint is the one that
was recorded, by induction from the initial state), and the caller re-validates the rebuilt trace.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable

from kubecheck.core.judge import Outcome, judge_deadlock, state_checker
from kubecheck.core.properties import Property, PropertyKind
from kubecheck.core.ts import canonical_fn, expects_progress_fn, next_states_fn

from ._common import Finding, Monitor, SearchConfig, SearchOutcome, positions_from_keys


class _Root:
    """Marks an initial state in the parent map (its value is the index into ``init_states()``)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def lean_bfs(
    system: Any, props: list[Property], cfg: SearchConfig, monitor: Monitor, fingerprint: Callable[[Any], int] | None = None
) -> SearchOutcome:
    next_states = next_states_fn(system)
    canon = canonical_fn(system) if cfg.symmetry else None
    if fingerprint is not None:
        # The key is the fingerprint (of the representative, with symmetry); the general key branch
        # below then stores fingerprints only.
        if canon is not None:
            rep = canon
            canon = lambda s: fingerprint(rep(s))  # noqa: E731
        else:
            canon = fingerprint
    progress = expects_progress_fn(system)
    deadlock_idx = [i for i, p in enumerate(props) if p.kind is PropertyKind.DEADLOCK]
    raw: dict[int, tuple[Outcome, Hashable, str]] = {}  # property index -> (outcome, key of the state, note)
    checks, check_state = state_checker(props, raw)  # the judge; ``checks`` empties as properties are decided
    n_props = len(props)

    seen: dict[Hashable, Any] = {}
    budget = cfg.max_states if cfg.max_states is not None else -1
    bound_hit: str | None = None
    transitions = 0
    depth = 0
    frontier: list[Any] = []
    fkeys: list[Any] = []  # with a key function: the key of frontier[j] (parallel lists, no pair tuples)
    for i, s in enumerate(system.init_states()):
        k = canon(s) if canon is not None else s
        if k in seen:
            continue
        if budget == 0:
            bound_hit = "max_states"
            break
        budget -= 1
        seen[k] = _Root(i)
        frontier.append(s)
        if canon is not None:
            fkeys.append(k)
        if checks:
            check_state(s, k)
    complete = False
    expanded = 0
    next_check = monitor.next_at  # the bounds are checked at an adaptive stride (see Monitor)
    try:
        while frontier and bound_hit is None:
            if n_props and len(raw) == n_props:
                break  # every property is decided: stop early (complete stays False, no bound was hit)
            if cfg.max_depth is not None and depth >= cfg.max_depth:
                # Expand the last level only to learn whether the bound actually hid anything.
                # IMPORTANT: the last level is still examined for deadlocks (invariants were checked when
                # its states were discovered); an earlier version skipped that and reported HOLDS.
                for j, s in enumerate(frontier):
                    succ = next_states(s)
                    if type(succ) is not list:
                        succ = list(succ)
                    transitions += len(succ)
                    if not succ and deadlock_idx and deadlock_idx[0] not in raw and (dl := judge_deadlock(False, progress, s)).decides:
                        raw[deadlock_idx[0]] = (dl, fkeys[j] if canon is not None else s, "no action is enabled")
                    for t in succ:
                        if (canon(t) if canon is not None else t) not in seen:
                            bound_hit = "max_depth"
                            break
                    if bound_hit is not None:
                        break
                    expanded += 1  # the last level can be large: its expansions are bounded in time and memory too
                    if expanded >= next_check:
                        bound_hit = monitor.check(len(seen), expanded, depth)
                        if bound_hit is not None:
                            break
                        next_check = monitor.next_at
                if bound_hit is None:
                    frontier = []
                    fkeys = []
                break
            new: list[Any] = []
            new_keys: list[Any] = []
            # Two copies of the level loop on purpose: the plain one (no canonical key per edge, the state
            # is its own key) is the RS-K hot path measured against SPIN in docs/performance.md; a shared
            # loop with ``kt = canon(t) if canon else t`` costs a branch and a call per edge.
            if canon is None:
                for s in frontier:
                    succ = next_states(s)
                    if type(succ) is not list:
                        succ = list(succ)
                    transitions += len(succ)
                    if not succ and deadlock_idx and deadlock_idx[0] not in raw and (dl := judge_deadlock(False, progress, s)).decides:
                        raw[deadlock_idx[0]] = (dl, s, "no action is enabled")
                    for t in succ:
                        if t not in seen:
                            if budget == 0:
                                bound_hit = "max_states"
                                break
                            budget -= 1
                            seen[t] = s
                            new.append(t)
                            if checks:
                                check_state(t, t)
                    expanded += 1
                    if bound_hit is not None:
                        break
                    if expanded >= next_check:
                        bound_hit = monitor.check(len(seen), expanded, depth)
                        if bound_hit is not None:
                            break
                        next_check = monitor.next_at
            else:
                for s, ks in zip(frontier, fkeys):
                    succ = next_states(s)
                    if type(succ) is not list:
                        succ = list(succ)
                    transitions += len(succ)
                    if not succ and deadlock_idx and deadlock_idx[0] not in raw and (dl := judge_deadlock(False, progress, s)).decides:
                        raw[deadlock_idx[0]] = (dl, ks, "no action is enabled")
                    for t in succ:
                        # IMPORTANT: dedupe on the representative's key, but keep the original successor
                        # ``t`` in the frontier, so the path continues from a real state (stateright's rule).
                        kt = canon(t)
                        if kt not in seen:
                            if budget == 0:
                                bound_hit = "max_states"
                                break
                            budget -= 1
                            seen[kt] = ks
                            new.append(t)
                            new_keys.append(kt)
                            if checks:
                                check_state(t, kt)
                    expanded += 1
                    if bound_hit is not None:
                        break
                    if expanded >= next_check:
                        bound_hit = monitor.check(len(seen), expanded, depth)
                        if bound_hit is not None:
                            break
                        next_check = monitor.next_at
            if bound_hit is not None:
                break
            frontier = new
            fkeys = new_keys
            if frontier:
                depth += 1
        else:
            complete = bound_hit is None
    except KeyboardInterrupt:
        bound_hit = "interrupted"
    if bound_hit is None and not frontier:
        complete = True

    key_of = canon if canon is not None else (lambda s: s)
    findings: dict[int, Finding] = {}
    for idx, (kind, key, note) in raw.items():
        chain = [key]
        parent = seen[key]
        while not isinstance(parent, _Root):
            chain.append(parent)
            parent = seen[parent]
        chain.reverse()
        positions = positions_from_keys(system, parent.index, chain[1:], key_of)
        findings[idx] = Finding(kind, (parent.index, positions), None, note)
    return SearchOutcome(findings, len(seen), transitions, depth, complete, bound_hit)
