"""State-space cost of informer caches and expectations (issue #20, docs/semantics.md "Informer caches").

``python -m bench.caches_cost [--no-write]`` explores small scenarios exhaustively with caches off
and with ``caches: lagged`` (Kubernetes 1.35 without KEP-5647's fence and 1.36 with it, with and
without one ``informer_lag`` fault), each without reductions, with symmetry and with partial-order
reduction, and writes the table to docs/performance.md (section "Informer caches and expectations").

The properties are two invariants every search judges (KC-OWN-001, KC-NET-001), so POR has a
visibility condition to respect; symmetry renames the informer state too (model.canonical)."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from model.environment import FaultBudget, ScaleWorkload, SetImage
from model.system import Scenario

SECTION = "## Informer caches and expectations (issue #20)"


def _scenarios() -> list[tuple[str, Scenario]]:
    from tests.model.builders_runtime import cluster, deployment, node, rs, settle_first_fair

    out: list[tuple[str, Scenario]] = []
    base = Scenario(cluster(node(), rs(replicas=1)), name="rs-up")
    out.append(("ReplicaSet 1 -> 2", replace(base, initial=settle_first_fair(base), user_actions=(ScaleWorkload("ReplicaSet", "web", 2),))))
    base = Scenario(cluster(node(), rs(replicas=3)), name="rs-down")
    out.append(("ReplicaSet 3 -> 1", replace(base, initial=settle_first_fair(base), user_actions=(ScaleWorkload("ReplicaSet", "web", 1),))))
    base = Scenario(cluster(node(), deployment(replicas=1)), name="deploy")
    out.append(("Deployment (1) set image", replace(base, initial=settle_first_fair(base), user_actions=(SetImage("Deployment", "web", "nginx:2"),))))
    return out


MODES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("caches off", {}),
    ("lagged 1.35", {"caches": "lagged", "kubernetes_version": "1.35"}),
    ("lagged 1.35, informer_lag 1", {"caches": "lagged", "kubernetes_version": "1.35", "faults": FaultBudget(informer_lag=1)}),
    ("lagged 1.36 (fence)", {"caches": "lagged", "kubernetes_version": "1.36"}),
    ("lagged 1.36, informer_lag 1", {"caches": "lagged", "kubernetes_version": "1.36", "faults": FaultBudget(informer_lag=1)}),
)


REDUCTIONS = ("none", "symmetry", "por", "by-creator")


def run_one(scenario: Scenario, reduction: str, timeout: float) -> dict[str, Any]:
    from kubecheck.core.explorer import explore
    from model.footprint import PorSystem
    from properties.catalogue import pod_ips_unique, single_controller_owner

    if reduction == "by-creator":  # the CLI's default identifier allocation (Scenario.identifiers)
        scenario = replace(scenario, identifiers="by-creator")
    system = PorSystem(scenario)
    props = [*single_controller_owner.instantiate(scenario.initial), *pod_ips_unique.instantiate(scenario.initial)]
    c0 = time.process_time()
    res = explore(system, props, symmetry=reduction == "symmetry", por=reduction == "por", timeout=timeout, progress="off")
    return {"states": res.stats.states, "cpu": time.process_time() - c0, "complete": bool(res.complete),
            "verdicts": sorted({r.verdict.value for r in res.results})}


def render(rows: list[tuple[str, str, dict[str, dict[str, Any]]]]) -> str:
    lines = [
        SECTION,
        "",
        "`python -m bench.caches_cost` (exhaustive BFS, write granularity, one node; states, and CPU seconds in",
        "brackets; `cut` marks a search stopped by its 60 s timeout). Symmetry and POR are the engine's reductions",
        "(`--symmetry`, `--por`); both stay sound with caches (docs/semantics.md, \"Informer caches\").",
        "",
        "| scenario | model | no reduction | symmetry | POR | by-creator ids (the CLI's default) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, mode, by in rows:
        cells = []
        for red in REDUCTIONS:
            r = by[red]
            cells.append(f"{r['states']:,} ({r['cpu']:.1f} s){'' if r['complete'] else ' cut'}")
        lines.append(f"| {name} | {mode} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def _write(text: str) -> None:
    doc = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
    old = doc.read_text()
    if SECTION in old:
        start = old.index(SECTION)
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text + (old[end:] if end >= 0 else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    doc.write_text(new)


def main(argv: list[str]) -> int:
    timeout = 60.0
    rows = []
    for name, scenario in _scenarios():
        for mode, kw in MODES:
            sc = replace(scenario, **kw)
            by = {red: run_one(sc, red, timeout) for red in REDUCTIONS}
            rows.append((name, mode, by))
            print(name, mode, {k: (v["states"], round(v["cpu"], 1), v["complete"]) for k, v in by.items()}, flush=True)
    text = render(rows)
    print(text)
    if "--no-write" not in argv:
        _write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
