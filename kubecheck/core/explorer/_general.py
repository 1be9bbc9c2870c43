"""Private module for selective re-export: the general BFS/DFS loop.

Handles every property kind.  States get integer ids; each id records its original state, parent id,
the position of the discovering edge among the parent's successors, and its depth.  When eventual
properties are checked or ``keep_graph`` is set, it also records every edge (target id, fairness bit)
and, per state, the bit mask of weakly fair keys that are enabled there.
"""

from __future__ import annotations

from typing import Any, Hashable

from kubecheck.core.judge import Outcome, judge_deadlock, state_checker, step_checker
from kubecheck.core.properties import Property, PropertyKind
from kubecheck.core.ts import canonical_fn, expects_progress_fn, successors_fn

from ._common import Finding, Monitor, SearchConfig, SearchOutcome
from ._graph import StateGraph


def general_search(system: Any, props: list[Property], cfg: SearchConfig, monitor: Monitor, ample: Any = None) -> SearchOutcome:
    """``ample``: a :class:`kubecheck.core.por.AmpleChooser` (partial-order reduction) or None."""
    successors = successors_fn(system)
    canon = canonical_fn(system) if cfg.symmetry else None
    progress = expects_progress_fn(system)
    eventual = any(p.kind.is_eventual for p in props)
    record_edges = eventual or cfg.keep_graph
    dfs = cfg.strategy == "dfs"
    max_depth = cfg.max_depth

    deadlock_idx = next((i for i, p in enumerate(props) if p.kind is PropertyKind.DEADLOCK), None)
    raw: dict[int, tuple[Outcome, int, str]] = {}  # idx -> (outcome, state id, note)
    edge_of: dict[int, int] = {}  # idx of an action property -> position of the violating edge in raw's state
    state_checks, check_state = state_checker(props, raw)  # the judge; empties as properties are decided
    action_checks, check_step = step_checker(props, raw)  # the judge of the steps; empties likewise
    n_decidable = sum(1 for p in props if not p.kind.is_eventual)

    ids: dict[Hashable, int] = {}
    states: list[Any] = []
    parent: list[int] = []
    ppos: list[int] = []  # position of the discovering edge; for initial states, the init index
    depth: list[int] = []
    expanded = bytearray()
    targets: list[list[int] | None] = []
    bits: list[list[int] | None] = []
    labels: list[list[str] | None] = []
    enabled: list[int] = []
    key_bits: dict[Hashable, int] = {}

    def fair_bit(key: Hashable) -> int:
        bit = key_bits.get(key)
        if bit is None:
            bit = key_bits[key] = 1 << len(key_bits)
        return bit

    budget = cfg.max_states if cfg.max_states is not None else -1
    bound_hit: str | None = None

    def add(state: Any, key: Hashable, par: int, pos: int, d: int) -> int:
        sid = len(states)
        ids[key] = sid
        states.append(state)
        parent.append(par)
        ppos.append(pos)
        depth.append(d)
        expanded.append(0)
        enabled.append(0)
        if record_edges:
            targets.append(None)
            bits.append(None)
            labels.append(None)
        if state_checks:
            check_state(state, sid)
        return sid

    for i, s in enumerate(system.init_states()):
        k = canon(s) if canon is not None else s
        if k in ids:
            continue
        if budget == 0:
            bound_hit = "max_states"
            break
        budget -= 1
        add(s, k, -1, i, 0)

    transitions = 0
    n_expanded = 0  # states examined (expanded, or kept unexpanded at the depth bound)
    next_check = monitor.next_at  # the bounds are checked at an adaptive stride (see Monitor)
    stack: list[int] = list(range(len(states)))[::-1] if dfs else []
    depth_cut = False
    cursor = 0  # BFS: ids are discovered in BFS order, so the queue is simply the id order
    try:
        while bound_hit is None:
            if n_decidable and not eventual and not cfg.keep_graph and len(raw) == n_decidable:
                break  # everything decided; stop early (the search is not complete, but nothing is pending)
            if dfs:
                if not stack:
                    break
                u = stack.pop()
                if expanded[u]:
                    continue
            else:
                if cursor >= len(states):
                    break
                u = cursor
                cursor += 1
            s = states[u]
            d = depth[u]
            succ = successors(s)
            if type(succ) is not list:
                succ = list(succ)
            # IMPORTANT: a state at the depth bound is still fully examined (edges, action properties,
            # deadlock, enabled mask); only states it would *discover* are dropped.  Skipping it when it
            # has no new successor (as an earlier version did) reported HOLDS for deadlocks, action
            # properties and cycles that lie on the last level.
            cut = max_depth is not None and d >= max_depth
            hidden = False
            transitions += len(succ)
            if not succ and deadlock_idx is not None and deadlock_idx not in raw and (dl := judge_deadlock(False, progress, s)).decides:
                raw[deadlock_idx] = (dl, u, "no action is enabled")
            tg: list[int] = []
            bl: list[int] = []
            lb: list[str] = []
            mask = 0
            children: list[int] = []
            edges: Any = enumerate(succ)
            if ample is not None and not cut:
                chosen = ample.choose(s, succ)
                if chosen is not None:
                    # C3 (BFS cycle proviso): a reduced expansion may only lead to new states; if an
                    # ample successor was seen before, expand fully (every cycle of the reduced graph
                    # then has a fully expanded state: the one of the cycle discovered last).
                    if any((canon(succ[p][1]) if canon is not None else succ[p][1]) in ids for p in chosen):
                        ample.full += 1
                    else:
                        ample.reduced += 1
                        edges = [(p, succ[p]) for p in chosen]
            for pos, (a, t) in edges:
                kt = canon(t) if canon is not None else t
                v = ids.get(kt)
                if v is None and cut:
                    depth_cut = hidden = True  # the bound hides this successor; u stays unexpanded below
                elif v is None:
                    if budget == 0:
                        bound_hit = "max_states"
                        break
                    budget -= 1
                    v = add(t, kt, u, pos, d + 1)
                    children.append(v)
                elif dfs and not cut and max_depth is not None and depth[v] > d + 1:
                    # DFS with a depth bound: a shorter path to v was found, so v (and below) must be
                    # re-expanded, or states within the bound could be missed.
                    parent[v], ppos[v], depth[v] = u, pos, d + 1
                    expanded[v] = 0
                    children.append(v)
                if action_checks and (decided := check_step(s, a, t, u)) is not None:
                    for idx in decided:
                        edge_of[idx] = pos
                if record_edges and v is not None:  # None: hidden by the depth bound; u stays unexpanded, tg is dropped
                    tg.append(v)
                    bit = fair_bit(a.key) if a.fair else 0
                    mask |= bit
                    bl.append(bit)
                    if cfg.keep_graph:
                        lb.append(f"{a.actor}:{a.label}")
            if bound_hit is not None:
                break  # u is only partly expanded; it stays unexpanded
            # hidden: an edge leads past the depth bound, so u's edges are not all known: u stays unexpanded
            # (and has no children: nothing is added at the bound)
            if not hidden:
                expanded[u] = 1
                if record_edges:
                    targets[u], bits[u], enabled[u] = tg, bl, mask
                    if cfg.keep_graph:
                        labels[u] = lb
                if dfs:
                    stack.extend(reversed(children))
            # every examined state counts towards the check stride (states at the depth bound too)
            n_expanded += 1
            if n_expanded >= next_check:
                bound_hit = monitor.check(len(states), n_expanded, d, states[-8:] if monitor.probe is not None else None)
                next_check = monitor.next_at
    except KeyboardInterrupt:
        bound_hit = "interrupted"

    if bound_hit is None and depth_cut:
        bound_hit = "max_depth"
    early_stop = bound_hit is None and (cursor < len(states) if not dfs else bool(stack))
    complete = bound_hit is None and not early_stop
    findings: dict[int, Finding] = {}
    for idx, (kind, sid, note) in raw.items():
        init_index, positions = path_to(sid, parent, ppos)
        if idx in edge_of:
            positions = positions + (edge_of[idx],)
        findings[idx] = Finding(kind, (init_index, positions), None, note)
    graph = None
    if record_edges:
        graph = StateGraph(
            states=states,
            ids=ids,
            parent=parent,
            ppos=ppos,
            depth=depth,
            expanded=expanded,
            targets=targets,
            bits=bits,
            labels=labels if cfg.keep_graph else None,
            enabled=enabled,
            key_bits=key_bits,
        )
    max_d = max(depth) if depth else 0
    return SearchOutcome(findings, len(states), transitions, max_d, complete, bound_hit, graph=graph)


def path_to(sid: int, parent: list[int], ppos: list[int]) -> tuple[int, tuple[int, ...]]:
    """``(init_index, positions)`` of the tree path from an initial state to ``sid``."""
    positions: list[int] = []
    while parent[sid] != -1:
        positions.append(ppos[sid])
        sid = parent[sid]
    positions.reverse()
    return ppos[sid], tuple(positions)
