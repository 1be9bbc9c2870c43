"""State-space cost of the version-dependent switches (issue #20, docs/semantics.md "Kubernetes versions").

``python -m bench.versions_cost`` prints states / transitions of a BFS without reductions for small
scenarios: a ReplicaSet scaled 2 -> 1, a Deployment image change, a Parallel StatefulSet with
``maxUnavailable: 2``, each with the default model and with each switch."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

from model.environment import FaultBudget, ScaleWorkload, SetImage
from model.objects import StatefulSetUpdateStrategy
from model.system import KubeSystem, Scenario
from tests.model.builders_runtime import cluster, deployment, node, rs, settle_first_fair, statefulset_db


def count(system: KubeSystem) -> tuple[int, int]:
    init = system.init_states()
    seen = set(init)
    queue = deque(init)
    transitions = 0
    while queue:
        s = queue.popleft()
        for _, t in system.successors(s):
            transitions += 1
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen), transitions


def main() -> None:
    rows: list[tuple[str, Any, Scenario]] = []
    base = Scenario(cluster(node(), rs(replicas=2)), name="rs")
    start = settle_first_fair(base)
    for kw in ({}, {"kubernetes_version": "1.35", "terminating_replicas": True}, {"kubelet_terminal_phase": True},
               {"faults": FaultBudget(write_failure=1)}):
        rows.append(("ReplicaSet 2 -> 1", kw, replace(base, initial=start, user_actions=(ScaleWorkload("ReplicaSet", "web", 1),), **kw)))
    base = Scenario(cluster(node(), deployment(replicas=2)), name="d")
    start = settle_first_fair(base)
    for kw in ({}, {"kubernetes_version": "1.35", "terminating_replicas": True}, {"kubelet_terminal_phase": True}):
        rows.append(("Deployment set image", kw, replace(base, initial=start, user_actions=(SetImage("Deployment", "web", "nginx:2"),), **kw)))
    sts = replace(statefulset_db(3), pod_management_policy="Parallel",
                  update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", max_unavailable=2))
    base = Scenario(cluster(node(), sts), name="s")
    start = settle_first_fair(base)
    for v in ("1.36", "1.37"):
        rows.append(("StatefulSet maxUnavailable 2 set image", {"kubernetes_version": v},
                     replace(base, initial=start, kubernetes_version=v, user_actions=(SetImage("StatefulSet", "db", "nginx:2"),))))
    for what, kw, scenario in rows:
        states, transitions = count(KubeSystem(scenario))
        print(f"{what:40} {str(kw):60} {states:>7} states {transitions:>7} transitions")


if __name__ == "__main__":
    main()
