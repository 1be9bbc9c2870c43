"""Why partial-order reduction does not prune: the blocking reason of every state (a diagnosis).

``python -m bench.por_why [--workloads web,two-deploy] [--max-states N] [--no-guard]`` runs the
reduced search of :mod:`bench.por_bench` (by-creator allocation, KC-OWN-001 and KC-SBX-002, the
workloads ``scenario(name)`` builds) with an instrumented ample chooser.  For every state it asks
what :class:`kubecheck.core.por.AmpleChooser` asked, and tallies why the state was (not) reduced:

* ``one actor``: a single actor is enabled (nothing to choose);
* ``one component``: every enabled actor is in one dependency component of the potentials; the
  *couplings* table then says, per location class ``(Kind, field)`` and per pair of actor
  families, in how many such states removing that class alone (from every potential) would split
  the enabled actors into two or more components: what joins them;
* ``visible``: several components, but each has an action that writes a location a checked
  property reads (condition C2); the table says which action labels made them visible;
* ``reduced``: a proper ample set was chosen (the C3 proviso may still expand the state fully).

``--no-guard``: additionally with the scheduler's reads of every pod's placement put back into its
potential (the declaration before the capacity guard, ``model.footprint.capacity_guard``): what
the guard buys.  Not a unit test; figures go to docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import replace
from typing import Any, Hashable

from bench.por_bench import scenario

__all__ = ["diagnose", "main"]


def _family(key: Any) -> str:
    if isinstance(key, tuple) and key:
        if key[0] == "pods-of":
            return "pods-of"
        return str(key[0])
    return str(key)


def _witnesses(wr: frozenset[Any], other: frozenset[Any]) -> set[tuple[Any, ...]]:
    """The location classes ``loc[:2]`` through which a write of ``wr`` overlaps ``other``."""
    out: set[tuple[Any, ...]] = set()
    for w in wr:
        for i in range(len(w) + 1):
            if w[:i] in other:
                out.add(w[:2])
                break
    for o in other:
        for i in range(len(o) + 1):
            if o[:i] in wr:
                out.add(o[:2])
                break
    return out


def _components(keys: list[Hashable], edges: dict[tuple[int, int], set[Any]], removed: Any = None) -> list[int]:
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (i, j), why in edges.items():
        if removed is not None and removed(i, j, why):
            continue
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
    return [find(i) for i in range(len(keys))]


#: the pod fields the scheduler was declared to read of *every* pod before the capacity guard
#: (model.footprint.capacity_guard): what ``--no-guard`` puts back
OLD_SCHED_POD_FIELDS = ("node_name", "spec_containers", "init_containers", "volumes", "labels", "deletion_timestamp", "$exists")


def diagnose(name: str, max_states: int, no_guard: bool = False) -> dict[str, Any]:
    from kubecheck.core import por as por_mod
    from kubecheck.core.explorer import explore
    from kubecheck.core.por import Footprint, overlaps
    from model.footprint import PorSystem
    from properties.catalogue import pod_ips_unique, single_controller_owner

    scen = replace(scenario(name), identifiers="by-creator")

    class Sys(PorSystem):
        def _por_potential(self, state: Any) -> Any:
            pots = super()._por_potential(state)
            if pots is None or not no_guard:
                return pots
            cache = self.__dict__.setdefault("_strip", {})
            hit = cache.get(id(pots))
            if hit is None or hit[0] is not pots:
                out = []
                for k, fp in pots:
                    if _family(k) in ("scheduler", "pods-of"):
                        # the scheduler's reads of every pod's placement fields: (Pod, field) pairs
                        fp = Footprint(fp.reads | {("Pod", f) for f in OLD_SCHED_POD_FIELDS}, fp.writes)
                    out.append((k, fp))
                hit = cache[id(pots)] = (pots, out)
            return hit[1]

    system = Sys(scen)
    props = [*single_controller_owner.instantiate(scen.initial), *pod_ips_unique.instantiate(scen.initial)]
    reasons: Counter[str] = Counter()
    couplings: Counter[Any] = Counter()
    fam_couplings: Counter[Any] = Counter()
    visible_labels: Counter[str] = Counter()
    edge_cache: dict[int, Any] = {}
    base = por_mod.AmpleChooser

    class Probe(base):  # type: ignore[misc, valid-type]
        def choose(self, state: Any, succ: Any) -> Any:
            chosen = super().choose(state, succ)
            groups: dict[Hashable, list[int]] = {}
            for pos, (a, _) in enumerate(succ):
                groups.setdefault(a.key, []).append(pos)
            if chosen is not None:
                reasons["reduced"] += 1
                return chosen
            if len(groups) < 2:
                reasons["one actor"] += 1
                return chosen
            pots = self.potential(state)
            if pots is None:
                reasons["no potential"] += 1
                return chosen
            hit = edge_cache.get(id(pots))
            if hit is None or hit[0] is not pots:
                keys = [k for k, _ in pots]
                edges: dict[tuple[int, int], set[Any]] = {}
                for i in range(len(pots)):
                    for j in range(i + 1, len(pots)):
                        f, g = pots[i][1], pots[j][1]
                        why = _witnesses(f.writes, g.reads | g.writes) | _witnesses(g.writes, f.reads)
                        if why:
                            edges[(i, j)] = why
                hit = edge_cache[id(pots)] = (pots, keys, edges)
            _, keys, edges = hit
            index = {k: i for i, k in enumerate(keys)}
            en = [index[k] for k in groups if k in index]
            comp = _components(keys, edges)
            if len({comp[i] for i in en}) >= 2:
                reasons["visible"] += 1
                for k, ps in groups.items():
                    for p in ps:
                        fp = self.footprint(state, succ[p][0])
                        if fp is None or overlaps(fp.writes, self.visible):
                            visible_labels[succ[p][0].label.split("(")[0]] += 1
                return chosen
            reasons["one component"] += 1
            classes = {c for why in edges.values() for c in why}
            for cls in classes:
                c2 = _components(keys, edges, lambda i, j, why, cls=cls: why <= {cls})
                if len({c2[i] for i in en}) >= 2:
                    couplings[cls] += 1
            fams = {(min(_family(keys[i]), _family(keys[j])), max(_family(keys[i]), _family(keys[j]))) for (i, j) in edges}
            for fp_ in fams:
                c2 = _components(keys, edges, lambda i, j, why, fp_=fp_: {_family(keys[i]), _family(keys[j])} == set(fp_) and len(set(fp_)) == 2 or (fp_[0] == fp_[1] == _family(keys[i]) == _family(keys[j])))
                if len({c2[i] for i in en}) >= 2:
                    fam_couplings[fp_] += 1
            return chosen

    setattr(por_mod, "AmpleChooser", Probe)  # the explorer imports it at call time
    try:
        t0 = time.process_time()
        res = explore(system, props, por=True, max_states=max_states, progress="off")
        cpu = time.process_time() - t0
    finally:
        setattr(por_mod, "AmpleChooser", base)
    return {
        "workload": name,
        "no_guard": no_guard,
        "states": res.stats.states,
        "complete": bool(res.complete),
        "cpu": round(cpu, 1),
        "verdicts": [r.verdict.value for r in res.results],
        "reasons": dict(reasons),
        "couplings": couplings.most_common(12),
        "family_couplings": fam_couplings.most_common(12),
        "visible": visible_labels.most_common(8),
    }


def main(argv: list[str]) -> int:
    args = list(argv)
    workloads = ["web", "two-deploy"]
    max_states = 20_000
    no_guard = False
    while args:
        a = args.pop(0)
        if a == "--workloads":
            workloads = args.pop(0).split(",")
        elif a == "--max-states":
            max_states = int(args.pop(0))
        elif a == "--no-guard":
            no_guard = True
        else:
            raise SystemExit(f"unknown argument {a}")
    for name in workloads:
        for c in ([False, True] if no_guard else [False]):
            r = diagnose(name, max_states, c)
            print(f"{r['workload']}{' (no capacity guard: the scheduler reads every pod)' if c else ''}: {r['states']:,} states, "
                  f"{'exhaustive' if r['complete'] else 'cut'}, {r['cpu']} s CPU, verdicts {r['verdicts']}")
            print(f"  per state: {r['reasons']}")
            print(f"  one component, split by removing location class: {r['couplings']}")
            print(f"  one component, split by removing family pair: {r['family_couplings']}")
            print(f"  visible actions: {r['visible']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
