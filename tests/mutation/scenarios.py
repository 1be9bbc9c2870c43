"""The small scenarios the mutants are run in (settled with the REAL controllers, then explored).

Each scenario is tiny (1-2 replicas, 1-2 nodes, budgets of 1) and, with the unmutated model,
satisfies every catalogue rule it is checked against except those listed in
:data:`BASELINE_VIOLATIONS` (tests/mutation/test_mutation.py asserts both), so a rule violated
under a mutant is the mutant's doing.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from model.environment import DeleteObject, FaultBudget, RelabelPods, ScaleWorkload, SetImage
from model.frozen import FrozenMap
from model.system import KubeSystem
from tests.properties.helpers import (
    deployment_yaml,
    pod_yaml,
    rc_yaml,
    replicaset_yaml,
    service_yaml,
    settled_cluster,
    settled_system,
    statefulset_yaml,
)

__all__ = ["SCENARIOS", "BASELINE_VIOLATIONS", "build"]

_ROLLOUT = (SetImage("Deployment", "web", "nginx:2"),)


def _deploy(granularity: str = "write", **kw: Any) -> Callable[[], KubeSystem]:
    return lambda: settled_system("", cluster=_cluster(deployment_yaml(**kw)), user_actions=_ROLLOUT, granularity=granularity)


@functools.lru_cache(maxsize=None)
def _cluster(text: str, nodes: int = 1) -> Any:
    return settled_cluster(text, nodes)


def _sys(text: str, nodes: int = 1, **kw: Any) -> Callable[[], KubeSystem]:
    return lambda: settled_system("", cluster=_cluster(text, nodes), **kw)


#: scenario name -> a builder of the system (call it while the mutant is active).
SCENARIOS: dict[str, Callable[[], KubeSystem]] = {
    # Deployments: a rollout nginx:1 -> nginx:2
    "deploy_surge1": _deploy(replicas=1, surge=1, unavailable=0),
    "deploy_percent": _deploy(replicas=1, surge="25%", unavailable="25%"),
    "deploy2_unavail1": _deploy(replicas=2, surge=1, unavailable=1, granularity="reconcile"),
    "deploy2_surge1": _deploy(replicas=2, surge=1, unavailable=0),
    # ReplicaSets and RCs
    "rs_steady": _sys(replicaset_yaml()),
    "rs_scale_up": _sys(replicaset_yaml(), user_actions=(ScaleWorkload("ReplicaSet", "web", 2),)),
    "rs_scale_up_down": _sys(
        replicaset_yaml() + service_yaml("web"),
        user_actions=(ScaleWorkload("ReplicaSet", "web", 2), ScaleWorkload("ReplicaSet", "web", 1)),
    ),
    "rs_node_failure": _sys(replicaset_yaml(), nodes=2, faults=FaultBudget(node_failure=1)),
    "rs_relabel": _sys(
        replicaset_yaml(), user_actions=(RelabelPods(FrozenMap(app="web"), FrozenMap(app="debug")),)
    ),
    "rc_with_bare_pod": _sys(pod_yaml("debug", app="other") + rc_yaml(app="legacy")),
    "rs_rc_overlap": _sys(replicaset_yaml() + rc_yaml(app="web")),
    "rs_sandbox_death": _sys(replicaset_yaml(), faults=FaultBudget(sandbox_death=1)),
    "rs2_sandbox_death": _sys(replicaset_yaml(replicas=2), faults=FaultBudget(sandbox_death=1)),
    # StatefulSets
    "sts_scale_0_to_2": _sys(statefulset_yaml(replicas=0), user_actions=(ScaleWorkload("StatefulSet", "db", 2),)),
    "sts_scale_1_to_2": _sys(statefulset_yaml(replicas=1), user_actions=(ScaleWorkload("StatefulSet", "db", 2),)),
    "sts_scale_2_to_0": _sys(statefulset_yaml(replicas=2), user_actions=(ScaleWorkload("StatefulSet", "db", 0),)),
    "sts_scale_with_delete": _sys(
        statefulset_yaml(replicas=1),
        user_actions=(ScaleWorkload("StatefulSet", "db", 2), DeleteObject("Pod", "db-0")),
        granularity="reconcile",  # with per-write steps the real controller races the delete (KC-STS-005)
    ),
}

#: Rules the unmutated model already violates in a scenario (real upstream behaviour, see
#: docs/semantics.md#properties); a mutant is not credited for them.
BASELINE_VIOLATIONS: dict[str, frozenset[str]] = {
    "rs_rc_overlap": frozenset({"KC-OWN-004"}),
    "deploy2_unavail1": frozenset({"KC-ROLL-003"}),
    "deploy2_surge1": frozenset({"KC-ROLL-003"}),
}


def build(name: str) -> KubeSystem:
    return SCENARIOS[name]()
