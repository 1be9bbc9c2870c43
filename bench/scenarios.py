"""Kubernetes benchmark scenarios (b)-(d) on ``model.system.KubeSystem``, parameterised by a size ``n``.

Each builder returns a :class:`BenchScenario`: a ``KubeSystem``, the catalogue properties checked, and
a one-line description.  The starting cluster is *settled*: the builder first runs the system with
no user action and no fault, always taking the first enabled action, until nothing is enabled (the
controllers, scheduler and kubelets have converged), and the measured scenario starts there.  So
the numbers measure the interesting part (the rollout, the failure), not bringing pods up.

* (b) ``deployment``: Deployment ``web`` with ``n`` replicas (maxSurge 1, maxUnavailable 0) running
  on one node; the user runs ``kubectl set image`` once.  Properties: KC-OWN-001 (at most one
  controller owner per pod, invariant) and KC-ROLL-002 (no step raises the ReplicaSets' summed
  spec.replicas above replicas + maxSurge, action property).
* (c) ``statefulset``: StatefulSet ``db`` with ``n`` replicas (OrderedReady, one volume claim
  template) on one node; the user updates its image once (a rolling update, highest ordinal first).
  Properties: KC-STS-004 (at most one running pod per identity), KC-STS-003 (pod i mounts only its
  own PVC), both invariants.
* (d) ``node-failure``: ReplicaSet ``web`` with ``n`` replicas spread by the scheduler over two
  nodes; one node may fail once (fault budget ``node_failure=1``), and the node lifecycle controller
  evicts its pods after the (abstract) timeout.  Property: KC-OWN-001.

Granularity is ``"reconcile"`` (one step per reconcile, Kivi's granularity) to keep the spaces within a
benchmark's budget; ``"write"`` granularity is available through ``granularity=``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from kubecheck.properties import Property
from model.environment import FaultBudget, SetImage
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import (
    ContainerSpec,
    Deployment,
    DeploymentStrategy,
    Node,
    PersistentVolumeClaimTemplate,
    PodTemplate,
    ReplicaSet,
    StatefulSet,
)
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState
from properties.catalogue import get_rule

__all__ = ["BenchScenario", "SCENARIOS", "settle", "deployment_rollout", "statefulset_rollout", "node_failure"]

#: Steps :func:`settle` may take before it gives up (a model that never converges is a bug to report).
SETTLE_LIMIT = 2_000


class SettleError(RuntimeError):
    """The system did not converge from the scenario's objects within :data:`SETTLE_LIMIT` steps."""


@dataclass(frozen=True, slots=True)
class BenchScenario:
    name: str
    size: int
    system: KubeSystem
    properties: tuple[Property, ...]
    description: str


def settle(scenario: Scenario) -> ClusterState:
    """The cluster after always taking the first enabled action until none is (no user action, no fault)."""
    quiet = replace(scenario, user_actions=(), faults=FaultBudget(), name=scenario.name + "-settle")
    system = KubeSystem(quiet)
    state: SystemState = system.init_states()[0]
    for _ in range(SETTLE_LIMIT):
        succ = system.successors(state)
        if not succ:
            return state.cluster
        state = succ[0][1]
    raise SettleError(f"{scenario.name}: still changing after {SETTLE_LIMIT} steps")


def _template(app: str, image: str, volumes: tuple[Any, ...] = ()) -> PodTemplate:
    return PodTemplate(labels=FrozenMap({"app": app}), containers=(ContainerSpec("app", image),), volumes=volumes)


def _properties(cluster: ClusterState, *rule_ids: str) -> tuple[Property, ...]:
    return tuple(p for rid in rule_ids for p in get_rule(rid).instantiate(cluster))


def deployment_rollout(n: int, granularity: str = "reconcile") -> BenchScenario:
    d = Deployment(
        name="web",
        replicas=n,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("web", "nginx:1"),
        strategy=DeploymentStrategy(max_surge=1, max_unavailable=0),
    )
    base = Scenario(initial=ClusterState.from_objects([d, Node(name="node-1")]), granularity=granularity, name=f"deployment-{n}")  # type: ignore[arg-type]
    start = settle(base)
    scenario = replace(base, initial=start, user_actions=(SetImage("Deployment", "web", "nginx:2"),))
    return BenchScenario(
        "deployment",
        n,
        KubeSystem(scenario),
        _properties(start, "KC-OWN-001", "KC-ROLL-002"),
        f"Deployment, {n} replicas, maxSurge 1 / maxUnavailable 0, one `set image`",
    )


def statefulset_rollout(n: int, granularity: str = "reconcile") -> BenchScenario:
    s = StatefulSet(
        name="db",
        replicas=n,
        selector=LabelSelector(match_labels=FrozenMap({"app": "db"})),
        template=_template("db", "postgres:1"),
        service_name="db",
        volume_claim_templates=(PersistentVolumeClaimTemplate(name="data"),),
    )
    base = Scenario(initial=ClusterState.from_objects([s, Node(name="node-1")]), granularity=granularity, name=f"statefulset-{n}")  # type: ignore[arg-type]
    start = settle(base)
    scenario = replace(base, initial=start, user_actions=(SetImage("StatefulSet", "db", "postgres:2"),), faults=FaultBudget(container_crash=1))
    return BenchScenario(
        "statefulset",
        n,
        KubeSystem(scenario),
        _properties(start, "KC-STS-004", "KC-STS-003"),
        f"StatefulSet, {n} replicas, OrderedReady, one PVC template, one image update",
    )


def node_failure(n: int, granularity: str = "reconcile") -> BenchScenario:
    rs = ReplicaSet(
        name="web",
        replicas=n,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("web", "nginx:1"),
    )
    nodes = [Node(name="node-1"), Node(name="node-2")]
    base = Scenario(initial=ClusterState.from_objects([rs, *nodes]), granularity=granularity, name=f"node-failure-{n}")  # type: ignore[arg-type]
    start = settle(base)
    scenario = replace(base, initial=start, faults=FaultBudget(node_failure=1))
    return BenchScenario(
        "node-failure",
        n,
        KubeSystem(scenario),
        _properties(start, "KC-OWN-001"),
        f"ReplicaSet, {n} replicas over 2 nodes, one node failure (eviction after the timeout)",
    )


#: name -> (builder, default sizes).  Sizes are kept small: the K8s state is rich (pods with
#: sandboxes, containers, conditions; ReplicaSets and statuses), so each step costs ~0.5 ms.
SCENARIOS: dict[str, tuple[Callable[..., BenchScenario], tuple[int, ...]]] = {
    "deployment": (deployment_rollout, (1, 2, 3)),
    "statefulset": (statefulset_rollout, (1, 2, 3)),
    "node-failure": (node_failure, (1, 2, 3)),
}
