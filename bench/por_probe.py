"""How much could partial-order reduction buy on scenario (b)?  A measurement, not a reduction.

``python -m bench.por_probe [--replicas R] [--crashes 0,1,2]`` explores the *full* state graph of
``bench.model_perf.rollout_system(R, 1, 0, crashes, "reconcile")`` (own BFS over
``system.successors``, no symmetry) and then, on the stored graph:

1. **Semantic commutation.**  For every state ``s`` and every unordered pair of enabled actions
   ``(a, b)``: ``a`` is still enabled after ``b``, ``b`` after ``a``, and ``a;b`` and ``b;a`` reach
   the same state.  An action's identity across states is ``(actor, label, data)`` (so "the same
   kubelet step of the same pod", "the same controller's reconcile"); a changed label or changed
   written content shows up as "not enabled" or as two different end states.  Reported per label
   pair.
2. **Idealised reduction bounds.**  At each state pick, from the enabled actions, a subset to
   explore; count the states a search from the initial state reaches in the stored graph.
   *Necessary but NOT sufficient for soundness*: the choice only looks at actions enabled *now*
   (ample-set condition C1 is about every action that may become enabled later without the chosen
   ones), so every figure is an upper bound on what a sound POR could buy, not a sound result.

   * ``sem-1``: one invisible action that commutes (semantically, at ``s``) with every other
     enabled action; else everything.
   * ``sem-cc``: the smallest connected component of the "does not commute at s" graph over the
     enabled actions, if all of it is invisible; else everything.
   * ``rw-table`` / ``rw-sel``: as ``sem-cc``, but independence judged from footprints: the
     objects an action writes (diff of the step) against what the other reads and writes.  Reads
     of controllers and kubelets are the :class:`model.state.ReadTracker` read sets the system's
     memo recorded for this very state (a whole-table read, e.g. the ReplicaSet controller's
     ``pods``, conflicts with any write into that table).  ``rw-sel`` narrows a ReplicaSet's
     ``pods`` read to the pods it could care about (matching its selector or controlled by it):
     a hand-declared footprint, sound only if the sync really ignores other pods.

   Visibility: an action is visible if, on this transition, it adds a controller owner reference
   to some pod (KC-OWN-001) or changes, for the Deployment, the sum of its live ReplicaSets'
   spec.replicas, spec.replicas or the strategy (KC-ROLL-002).  The ``+ROLL-001`` variant also
   makes visible every change of the Deployment's available-pod count (KC-ROLL-001).  The graph
   is checked for cycles (cycle proviso C3 is vacuous if it is acyclic).

Runs in about a minute for R=2 with 0-2 crashes (the 2-crash graph dominates).  Not a unit test.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from bench.model_perf import rollout_system
from model.labels import matches
from model.state import TABLE_ATTRS
from model.system import KubeSystem, SystemState

__all__ = ["Graph", "build_graph", "commutation", "reduced_count", "main"]

ActKey = tuple[Hashable, ...]
Obj = tuple[str, Any]  # (table attr or pseudo-table, key or "*")
WHOLE = "*"


@dataclass(slots=True)
class Graph:
    """The full state graph with, per state, its enabled actions and footprints."""

    states: list[SystemState] = field(default_factory=list)
    #: per state: [(action key, label, successor id, visible (OWN/ROLL2), visible incl. ROLL1)]
    out: list[list[tuple[ActKey, str, int, bool, bool]]] = field(default_factory=list)
    #: per state, per enabled action (same order as ``out``): (reads, writes) as sets of Obj
    foot: list[list[tuple[frozenset[Obj], frozenset[Obj]]]] = field(default_factory=list)
    #: per state, per enabled action: the ``rw-sel`` reads
    foot_sel: list[list[frozenset[Obj]]] = field(default_factory=list)


def _act_key(a: Any) -> ActKey:
    return (a.actor, a.label, a.data)


def _own_refs(s: SystemState) -> dict[Any, frozenset[str]]:
    return {k: frozenset(r.uid for r in p.owner_references if r.controller) for k, p in s.cluster.pods.items()}


def _roll_view(s: SystemState) -> tuple[Any, ...]:
    """What KC-ROLL-002 reads, per Deployment: live RS spec.replicas sum, replicas, strategy."""
    c = s.cluster
    out = []
    for d in c.deployments.values():
        total = sum(
            rs.replicas
            for rs in c.replica_sets.values()
            if rs.deletion_timestamp is None and (ref := rs.controller_ref()) is not None and ref.uid == d.uid
        )
        out.append((d.name, total, d.replicas, d.strategy))
    return tuple(out)


def _available(s: SystemState) -> int:
    """KC-ROLL-001's count (simplified: active, Ready-for-minReadySeconds pods)."""
    from properties.catalogue import _available_count

    c = s.cluster
    return sum(_available_count(c, d) for d in c.deployments.values())


def _visible(s: SystemState, t: SystemState) -> tuple[bool, bool]:
    before, after = _own_refs(s), _own_refs(t)
    own = any(not refs <= before.get(k, frozenset()) for k, refs in after.items())
    vis = own or _roll_view(s) != _roll_view(t)
    return vis, vis or _available(s) != _available(t)


def _writes(s: SystemState, t: SystemState) -> frozenset[Obj]:
    """Objects (and pseudo-objects: pending writes, budgets, counters) a step changed."""
    w: set[Obj] = set()
    for attr in TABLE_ATTRS:
        a, b = getattr(s.cluster, attr), getattr(t.cluster, attr)
        if a is b or a == b:
            continue
        for k in set(a.keys()) | set(b.keys()):
            if a.get(k) != b.get(k):
                w.add((attr, k))
    if s.cluster.next_uid != t.cluster.next_uid or s.cluster.next_name != t.cluster.next_name:
        w.add(("counters", WHOLE))
    if s.pending != t.pending:
        w.add(("pending", WHOLE))
    if s.user_budget != t.user_budget:
        w.add(("user_budget", WHOLE))
    if s.faults != t.faults:
        w.add(("faults", WHOLE))
    return frozenset(w)


def _memo_reads(system: KubeSystem, actor: str, key: Any) -> frozenset[Obj]:
    """The read set the system's memo recorded for the call it just made (``KubeSystem.last_reads``)."""
    shape = system.last_reads.get((actor, key))
    if shape is None:
        return frozenset({(attr, WHOLE) for attr in TABLE_ATTRS})  # unknown: everything
    return frozenset((attr, WHOLE if k is None else k) for attr, k in shape)


def _reads(system: KubeSystem, s: SystemState, a: Any) -> frozenset[Obj]:
    fk = a.fairness_key
    fam = fk[0]
    if fam in ("deployment", "replicaset", "replication", "statefulset", "garbagecollector", "nodelifecycle"):
        base = _memo_reads(system, fam, tuple(fk[1:]))
        return base | {("pending", WHOLE), ("counters", WHOLE)}
    if fam == "kubelet":
        return _memo_reads(system, "kubelet", tuple(fk[1:])) | {("nodes", WHOLE)}
    if fam == "scheduler":
        return frozenset({("pods", WHOLE), ("nodes", WHOLE)})
    if fam == "expiry":
        return frozenset({("pods", tuple(fk[2:])), ("replica_sets", WHOLE), ("deployments", WHOLE)})
    if fam == "user":
        return frozenset({("deployments", WHOLE), ("user_budget", WHOLE), ("counters", WHOLE)})
    if fam == "fault":  # a fault instance reads the object it hits and its budget
        return frozenset({("pods", WHOLE), ("faults", WHOLE)})
    return frozenset({(attr, WHOLE) for attr in TABLE_ATTRS})


def _sel_reads(s: SystemState, a: Any, reads: frozenset[Obj], succ_states: list[SystemState]) -> frozenset[Obj]:
    """``rw-sel``: a ReplicaSet's whole-``pods`` read narrowed to the pods it could care about
    (matching its selector or controlled by it, in ``s`` or in any successor of ``s``)."""
    fk = a.fairness_key
    if fk[0] != "replicaset" or ("pods", WHOLE) not in reads:
        return reads
    rs = s.cluster.get("ReplicaSet", fk[1], fk[2])
    if rs is None:
        return reads
    keep: set[Obj] = set(r for r in reads if r != ("pods", WHOLE))
    for st in [s, *succ_states]:
        for k, p in st.cluster.pods.items():
            ref = p.controller_ref()
            if (ref is not None and ref.uid == rs.uid) or matches(rs.selector, p.labels):
                keep.add(("pods", k))
    return frozenset(keep)


def build_graph(system: KubeSystem, limit: int = 2_000_000) -> Graph:
    g = Graph()
    ids: dict[SystemState, int] = {}
    init = system.init_states()[0]
    ids[init] = 0
    g.states.append(init)
    queue: deque[int] = deque([0])
    while queue:
        i = queue.popleft()
        s = g.states[i]
        succ = system.successors(s)
        row: list[tuple[ActKey, str, int, bool, bool]] = []
        foot: list[tuple[frozenset[Obj], frozenset[Obj]]] = []
        keys = set()
        for a, t in succ:
            j = ids.get(t)
            if j is None:
                j = ids[t] = len(g.states)
                g.states.append(t)
                queue.append(j)
                if len(g.states) > limit:
                    raise RuntimeError(f"more than {limit} states")
            k = _act_key(a)
            assert k not in keys, f"two enabled actions with the same identity {k}"
            keys.add(k)
            v1, v2 = _visible(s, t)
            row.append((k, a.label, j, v1, v2))
            foot.append((_reads(system, s, a), _writes(s, t)))
        succ_states = [t for _, t in succ]
        g.foot_sel.append([_sel_reads(s, a, foot[n][0], succ_states) for n, (a, _) in enumerate(succ)])
        g.out.append(row)
        g.foot.append(foot)
    return g


def _is_acyclic(g: Graph) -> bool:
    indeg = [0] * len(g.states)
    for row in g.out:
        for _, _, j, _, _ in row:
            indeg[j] += 1
    stack = [i for i, d in enumerate(indeg) if d == 0]
    seen = 0
    while stack:
        i = stack.pop()
        seen += 1
        for _, _, j, _, _ in g.out[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    return seen == len(g.states)


def _commute_matrix(g: Graph, i: int) -> list[list[bool]]:
    row = g.out[i]
    n = len(row)
    succ_maps = [{k: j for k, _, j, _, _ in g.out[t]} for _, _, t, _, _ in row]
    m = [[True] * n for _ in range(n)]
    for x in range(n):
        for y in range(x + 1, n):
            tx = succ_maps[x].get(row[y][0])  # b after a
            ty = succ_maps[y].get(row[x][0])  # a after b
            m[x][y] = m[y][x] = tx is not None and tx == ty
    return m


def _independent_rw(fa: tuple[frozenset[Obj], frozenset[Obj]], fb: tuple[frozenset[Obj], frozenset[Obj]]) -> bool:
    ra, wa = fa
    rb, wb = fb

    def hits(w: frozenset[Obj], r: frozenset[Obj]) -> bool:
        for attr, k in w:
            if (attr, k) in r or (attr, WHOLE) in r:
                return True
        return False

    return not (hits(wa, rb) or hits(wa, wb) or hits(wb, ra))


def _smallest_invisible_component(n: int, dep: Callable[[int, int], bool], invisible: list[bool]) -> list[int] | None:
    comp = [-1] * n
    comps: list[list[int]] = []
    for x in range(n):
        if comp[x] >= 0:
            continue
        cid = len(comps)
        members = [x]
        comp[x] = cid
        stack = [x]
        while stack:
            u = stack.pop()
            for v in range(n):
                if comp[v] < 0 and dep(u, v):
                    comp[v] = cid
                    members.append(v)
                    stack.append(v)
        comps.append(sorted(members))
    best = None
    for c in comps:
        if len(c) < n and all(invisible[x] for x in c) and (best is None or len(c) < len(best)):
            best = c
    return best


def commutation(g: Graph) -> tuple[dict[tuple[str, str], list[int]], list[list[list[bool]]]]:
    """Per label pair: [co-enabled pairs, commuting pairs]; and each state's commute matrix."""
    stats: dict[tuple[str, str], list[int]] = {}
    mats = []
    for i, row in enumerate(g.out):
        m = _commute_matrix(g, i)
        mats.append(m)
        for x in range(len(row)):
            for y in range(x + 1, len(row)):
                lp = tuple(sorted((row[x][1], row[y][1])))
                e = stats.setdefault(lp, [0, 0])  # type: ignore[arg-type]
                e[0] += 1
                e[1] += m[x][y]
    return stats, mats


def reduced_count(g: Graph, choose: Callable[[int], list[int]]) -> int:
    """States reached from state 0 when only ``choose(i)`` (indexes into ``g.out[i]``) is explored."""
    seen = bytearray(len(g.states))
    seen[0] = 1
    stack = [0]
    count = 1
    while stack:
        i = stack.pop()
        row = g.out[i]
        for x in choose(i):
            j = row[x][2]
            if not seen[j]:
                seen[j] = 1
                count += 1
                stack.append(j)
    return count


def _choosers(g: Graph, mats: list[list[list[bool]]], vis_idx: int) -> dict[str, Callable[[int], list[int]]]:
    def invis(i: int) -> list[bool]:
        return [not r[vis_idx] for r in g.out[i]]

    def sem1(i: int) -> list[int]:
        n, m, inv = len(g.out[i]), mats[i], invis(i)
        for x in range(n):
            if inv[x] and n > 1 and all(m[x][y] for y in range(n) if y != x):
                return [x]
        return list(range(n))

    def sem_cc(i: int) -> list[int]:
        n, m = len(g.out[i]), mats[i]
        c = _smallest_invisible_component(n, lambda u, v: u != v and not m[u][v], invis(i))
        return c if c is not None else list(range(n))

    def rw(sel: bool) -> Callable[[int], list[int]]:
        def f(i: int) -> list[int]:
            n = len(g.out[i])
            fp = [(g.foot_sel[i][x] if sel else g.foot[i][x][0], g.foot[i][x][1]) for x in range(n)]
            c = _smallest_invisible_component(n, lambda u, v: u != v and not _independent_rw(fp[u], fp[v]), invis(i))
            return c if c is not None else list(range(n))

        return f

    def persistent(i: int) -> list[int]:
        row = g.out[i]
        n = len(row)
        inv = invis(i)
        for x in range(n):
            if n > 1 and inv[x] and _persistent(g, i, row[x][0], budget=PERSIST_BUDGET):
                return [x]
        return list(range(n))

    return {"sem-1": sem1, "sem-cc": sem_cc, "rw-table": rw(False), "rw-sel": rw(True), "persistent-1": persistent}


#: How many states the persistence check of one candidate may visit before it gives up (and the
#: state is then fully expanded: giving up only makes the figure more conservative).
PERSIST_BUDGET = 400


def _persistent(g: Graph, s: int, a: ActKey, budget: int) -> bool:
    """Is {a} persistent at s, checked exactly on the stored graph with conditional independence:
    along every path from s made of actions other than a, a stays enabled and commutes (diamond
    to the same state) with each step, in the state where that step is taken.  The check visits
    at most ``budget`` states; beyond that it answers False (conservative)."""
    seen = {s}
    stack = [s]
    while stack:
        u = stack.pop()
        row = g.out[u]
        ta = next((j for k, _, j, _, _ in row if k == a), None)
        if ta is None:
            return False
        after_a = {k: j for k, _, j, _, _ in g.out[ta]}
        for k, _, j, _, _ in row:
            if k == a:
                continue
            # b then a must equal a then b
            ja = next((jj for kk, _, jj, _, _ in g.out[j] if kk == a), None)
            if ja is None or after_a.get(k) != ja:
                return False
            if j not in seen:
                seen.add(j)
                if len(seen) > budget:
                    return False
                stack.append(j)
    return True


def _family(label: str) -> str:
    return label


def probe(replicas: int, crashes: int) -> dict[str, Any]:
    cpu = time.process_time()
    system = rollout_system(replicas, 1, 0, crashes, "reconcile")
    g = build_graph(system)
    t_build = time.process_time() - cpu
    transitions = sum(len(r) for r in g.out)
    stats, mats = commutation(g)
    acyclic = _is_acyclic(g)
    bounds: dict[str, dict[str, int]] = {}
    for vname, vidx in (("OWN+ROLL2", 3), ("+ROLL1", 4)):
        bounds[vname] = {name: reduced_count(g, f) for name, f in _choosers(g, mats, vidx).items()}
    # footprint conflicts: how often does a co-enabled kubelet step write what an RS / Deployment sync read?
    conflict: Counter[str] = Counter()
    for i, row in enumerate(g.out):
        for x, (kx, lx, _, _, _) in enumerate(row):
            if not lx.startswith("kubelet_"):
                continue
            wx = g.foot[i][x][1]
            for y, (ky, ly, _, _, _) in enumerate(row):
                if ly.startswith(("rs_", "dc_")):
                    who = ly[:2]
                    conflict[f"{who} pairs"] += 1
                    r_tab, r_sel = g.foot[i][y][0], g.foot_sel[i][y]
                    if any((a, k) in r_tab or (a, WHOLE) in r_tab for a, k in wx):
                        conflict[f"{who} table-level conflict"] += 1
                    if any((a, k) in r_sel or (a, WHOLE) in r_sel for a, k in wx):
                        conflict[f"{who} selector-level conflict"] += 1
                    if not _commute_matrix_cached(mats, i, x, y):
                        conflict[f"{who} semantic non-commute"] += 1
    return {
        "states": len(g.states),
        "transitions": transitions,
        "acyclic": acyclic,
        "build_cpu": t_build,
        "total_cpu": time.process_time() - cpu,
        "pairs": stats,
        "bounds": bounds,
        "conflict": dict(conflict),
        "labels": Counter(lbl for row in g.out for _, lbl, _, _, _ in row),
        "visible": Counter(lbl for row in g.out for _, lbl, _, v, _ in row if v),
        "visible2": Counter(lbl for row in g.out for _, lbl, _, _, v in row if v),
    }


def _commute_matrix_cached(mats: list[list[list[bool]]], i: int, x: int, y: int) -> bool:
    return mats[i][x][y]


def _print(r: int, c: int, res: dict[str, Any]) -> None:
    print(f"\n## (b) R={r}, crashes={c}: {res['states']:,} states, {res['transitions']:,} transitions, "
          f"acyclic={res['acyclic']}, CPU {res['build_cpu']:.1f} s to build, {res['total_cpu']:.1f} s total")
    print("\nlabels (transitions; of which visible to KC-OWN-001/KC-ROLL-002; and with KC-ROLL-001 too):")
    for lbl, n in sorted(res["labels"].items()):
        print(f"  {lbl:32s} {n:>8,}  visible {res['visible'].get(lbl, 0):>7,}  +ROLL1 {res['visible2'].get(lbl, 0):>7,}")
    print("\nsemantic commutation per co-enabled label pair (pairs, % commuting):")
    print(f"  {'label a':30s} {'label b':30s} {'pairs':>9s} {'commute':>8s}")
    for (la, lb), (n, k) in sorted(res["pairs"].items(), key=lambda kv: -kv[1][0]):
        tag = "  ALWAYS" if k == n else "  NEVER" if k == 0 else ""
        print(f"  {la:30s} {lb:30s} {n:>9,} {100 * k / n:>7.1f}%{tag}")
    tot = sum(n for n, _ in res["pairs"].values())
    com = sum(k for _, k in res["pairs"].values())
    print(f"  all pairs: {tot:,}, commuting {100 * com / max(tot, 1):.1f}%")
    print("\nkubelet step vs co-enabled rs_/dc_ step: footprint conflicts (write of kubelet ∩ read of controller)")
    for k, v in sorted(res["conflict"].items()):
        print(f"  {k:34s} {v:>9,}")
    print("\nidealised reduction (states reached). sem-1/sem-cc/rw-*: NOT sound, only the currently enabled actions are "
          "checked (C1 is not): upper bounds. persistent-1: C1 checked exactly on the stored graph (sound for these properties):")
    for vname, b in res["bounds"].items():
        parts = ", ".join(f"{n} {v:,} ({res['states'] / v:.2f}x)" for n, v in b.items())
        print(f"  visible={vname}: full {res['states']:,}; {parts}")


def main(argv: list[str]) -> int:
    opts = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i].startswith("--")}
    r = int(opts.get("--replicas", 2))
    crashes = [int(x) for x in opts.get("--crashes", "0,1,2").split(",")]
    print(f"POR probe on (b) = bench.model_perf.rollout_system(R, 1, 0, crashes, 'reconcile'), no symmetry")
    for c in crashes:
        _print(r, c, probe(r, c))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
