"""Kubernetes benchmark scenarios (b)-(d) of issue #10 on ``model.system.KubeSystem``, as grids.

A *grid* is one scenario family: a builder ``build(n, variant, crashes)``, the sizes ``n`` (replicas)
to grow through, the variants and the crash counts.  ``python -m bench`` runs every (variant,
crashes) configuration at growing ``n``, symmetry off and on, until a run is cut (``bench/runner.py``).

Each builder returns a :class:`BenchScenario`: a ``KubeSystem``, the catalogue properties checked, and
a one-line description.  The starting cluster is *settled*: the builder first runs the system with
no user action and no fault, always taking the first fair action, until none is enabled (the
controllers, scheduler and kubelets have converged; a bind goes to the emptiest node, as the default
scheduler spreads one owner's pods), and the measured scenario starts there.  So
the numbers measure the interesting part (the rollout, the failure), not bringing pods up.

* (b) ``deployment``: Deployment ``web`` with ``n`` replicas on one node, RollingUpdate with the
  variant's maxSurge/maxUnavailable (``1/0``, ``0/1``, ``25%/25%``); the user runs ``kubectl set
  image`` once; ``crashes`` (0, 1, 2) container crashes may happen at any moment
  (``FaultBudget(container_crash=crashes)``).  Properties: KC-OWN-001 (at most one controller owner
  per pod, invariant) and KC-ROLL-002 (no controller step raises the ReplicaSets' summed
  spec.replicas above replicas + maxSurge, action property).
* (c) ``statefulset``: StatefulSet ``db`` (OrderedReady, one volume claim template) on one node,
  three variants: ``scale-up`` (settled at 0 replicas, the user scales to ``n``: pods 0..n-1 are
  created in order), ``scale-down`` (settled with ``n`` Running and Ready pods, the user scales to
  0: deleted highest ordinal first) and ``rolling-update`` (settled with ``n`` pods, the user updates
  the image once: replaced highest ordinal first).  ``crashes`` container crashes: the grid runs 0
  (the issue's scenarios) and 1 (the earlier benchmark's rolling update had one).
  Properties: KC-STS-004 (at most one running pod per identity), KC-STS-003 (pod i mounts only its
  own PVC), both invariants, and KC-STS-005 (OrderedReady creation and scale-down order, action).
* (d) ``node-failure``: ReplicaSet ``web`` with ``n`` replicas spread by the scheduler over three
  nodes; one node may fail once (``FaultBudget(node_failure=1)``), and the node lifecycle
  controller evicts its pods after the (abstract) timeout.  Property: KC-OWN-001.

Granularity is ``"reconcile"`` (one step per reconcile, Kivi's granularity) to keep the spaces within a
benchmark's budget; ``"write"`` granularity is available through ``granularity=``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, NamedTuple

from kubecheck.core.properties import Property
from model.environment import FaultBudget, ScaleWorkload, SetImage, UserAction
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
from model.system import KubeSystem, Scenario
from properties.catalogue import get_rule

__all__ = [
    "BenchScenario",
    "Grid",
    "SCENARIOS",
    "DEPLOYMENT_VARIANTS",
    "STATEFULSET_VARIANTS",
    "NODE_FAILURE_NODES",
    "SettleError",
    "settle",
    "deployment_rollout",
    "statefulset_scenario",
    "statefulset_rollout",
    "node_failure",
    "parse_int_or_percent",
]

#: Steps :func:`settle` may take before it gives up (a model that never converges is a bug to report).
SETTLE_LIMIT = 2_000
#: (b)'s maxSurge/maxUnavailable variants, named ``surge/unavailable`` as in the issue.
DEPLOYMENT_VARIANTS: tuple[str, ...] = ("1/0", "0/1", "25%/25%")
#: (c)'s user actions.
STATEFULSET_VARIANTS: tuple[str, ...] = ("scale-up", "scale-down", "rolling-update")
#: (d): the ReplicaSet is spread over this many nodes (the issue's "node failure with 3 nodes").
NODE_FAILURE_NODES = 3


class SettleError(RuntimeError):
    """The system did not converge from the scenario's objects within :data:`SETTLE_LIMIT` steps."""


@dataclass(frozen=True, slots=True)
class BenchScenario:
    name: str
    size: int
    system: KubeSystem
    properties: tuple[Property, ...]
    description: str
    variant: str = ""
    crashes: int = 0


class Grid(NamedTuple):
    """One scenario family.  ``build(n, variant, crashes)``; indexes 0 and 1 (builder, sizes) as before.

    ``builder(n)`` alone builds a default configuration (the earlier one-argument builders).
    """

    builder: Callable[..., BenchScenario]
    sizes: tuple[int, ...]
    variants: tuple[str, ...]
    crashes: tuple[int, ...]
    build: Callable[[int, str, int], BenchScenario]
    title: str


def settle(scenario: Scenario) -> ClusterState:
    """The cluster after taking fair actions deterministically until none is (no user action, no fault).

    The CLI's start-up (:func:`kubecheck.scenarios.settle`): the first fair action, except that a
    scheduler bind goes to the feasible node with the fewest pods, as the default scheduler spreads
    one owner's pods; always taking the first action would put every pod on ``node-1`` (which made
    the earlier "over two nodes" node failure a failure of the node that held them all or none).
    """
    from kubecheck.scenarios import settle as spread_settle

    quiet = replace(scenario, user_actions=(), faults=FaultBudget(), name=scenario.name + "-settle")
    system = KubeSystem(quiet)
    res = spread_settle(system, system.init_states()[0], SETTLE_LIMIT)
    if not res.settled:
        raise SettleError(f"{scenario.name}: still changing after {res.steps} steps" + (" (a cycle)" if res.cycle else ""))
    return res.state.cluster


def _template(app: str, image: str, volumes: tuple[Any, ...] = ()) -> PodTemplate:
    return PodTemplate(labels=FrozenMap({"app": app}), containers=(ContainerSpec("app", image),), volumes=volumes)


def _properties(cluster: ClusterState, *rule_ids: str) -> tuple[Property, ...]:
    return tuple(p for rid in rule_ids for p in get_rule(rid).instantiate(cluster))


def parse_int_or_percent(text: str) -> int | str:
    """``"1"`` -> 1; ``"25%"`` -> ``"25%"`` (an IntOrString of the Deployment strategy)."""
    return text if text.endswith("%") else int(text)


def _split_variant(variant: str) -> tuple[int | str, int | str]:
    surge, _, unavailable = variant.partition("/")
    if not unavailable:
        raise ValueError(f"deployment variant {variant!r} is not SURGE/UNAVAILABLE, e.g. 1/0 or 25%/25%")
    return parse_int_or_percent(surge), parse_int_or_percent(unavailable)


def _measured(base: Scenario, start: ClusterState, actions: tuple[UserAction, ...], crashes: int, **faults: int) -> KubeSystem:
    return KubeSystem(replace(base, initial=start, user_actions=actions, faults=FaultBudget(container_crash=crashes, **faults)))


# ------------------------------------------------------------------------------- (b) Deployment


def deployment_rollout(
    n: int,
    granularity: str = "reconcile",
    *,
    surge: int | str = 1,
    unavailable: int | str = 0,
    crashes: int = 0,
) -> BenchScenario:
    """(b): ``n`` replicas, RollingUpdate ``surge``/``unavailable``, one ``set image``, ``crashes`` crashes."""
    d = Deployment(
        name="web",
        replicas=n,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("web", "nginx:1"),
        strategy=DeploymentStrategy(max_surge=surge, max_unavailable=unavailable),
    )
    base = Scenario(initial=ClusterState.from_objects([d, Node(name="node-1")]), granularity=granularity, name=f"deployment-{n}")  # type: ignore[arg-type]
    start = settle(base)
    return BenchScenario(
        "deployment",
        n,
        _measured(base, start, (SetImage("Deployment", "web", "nginx:2"),), crashes),
        _properties(start, "KC-OWN-001", "KC-ROLL-002"),
        f"Deployment, {n} replicas, maxSurge {surge} / maxUnavailable {unavailable}, one `set image`, {crashes} container crash(es)",
        f"{surge}/{unavailable}",
        crashes,
    )


def _deployment_grid(n: int, variant: str, crashes: int) -> BenchScenario:
    surge, unavailable = _split_variant(variant)
    return deployment_rollout(n, surge=surge, unavailable=unavailable, crashes=crashes)


# ------------------------------------------------------------------------------ (c) StatefulSet


def statefulset_scenario(n: int, variant: str = "rolling-update", crashes: int = 0, granularity: str = "reconcile") -> BenchScenario:
    """(c): StatefulSet ``db``, OrderedReady, one PVC template, on one node; ``variant`` in
    :data:`STATEFULSET_VARIANTS`: ``scale-up`` 0 -> n, ``scale-down`` n -> 0, ``rolling-update`` at n."""
    if variant not in STATEFULSET_VARIANTS:
        raise ValueError(f"statefulset variant {variant!r}; known: {list(STATEFULSET_VARIANTS)}")
    settled_replicas = 0 if variant == "scale-up" else n
    s = StatefulSet(
        name="db",
        replicas=settled_replicas,
        selector=LabelSelector(match_labels=FrozenMap({"app": "db"})),
        template=_template("db", "postgres:1"),
        service_name="db",
        pod_management_policy="OrderedReady",
        volume_claim_templates=(PersistentVolumeClaimTemplate(name="data"),),
    )
    base = Scenario(initial=ClusterState.from_objects([s, Node(name="node-1")]), granularity=granularity, name=f"statefulset-{variant}-{n}")  # type: ignore[arg-type]
    start = settle(base)
    action: UserAction
    if variant == "scale-up":
        action, what = ScaleWorkload("StatefulSet", "db", n), f"scale 0 -> {n}"
    elif variant == "scale-down":
        action, what = ScaleWorkload("StatefulSet", "db", 0), f"scale {n} -> 0"
    else:
        action, what = SetImage("StatefulSet", "db", "postgres:2"), f"{n} replicas, one image update"
    return BenchScenario(
        "statefulset",
        n,
        _measured(base, start, (action,), crashes),
        _properties(start, "KC-STS-004", "KC-STS-003", "KC-STS-005"),
        f"StatefulSet, OrderedReady, one PVC template, {what}, {crashes} container crash(es)",
        variant,
        crashes,
    )


def statefulset_rollout(n: int, granularity: str = "reconcile") -> BenchScenario:
    """The earlier (c): rolling update at ``n`` replicas with one container crash."""
    return statefulset_scenario(n, "rolling-update", 1, granularity)


# ---------------------------------------------------------------------------- (d) node failure


def node_failure(n: int, granularity: str = "reconcile", *, nodes: int = NODE_FAILURE_NODES, crashes: int = 0) -> BenchScenario:
    """(d): ReplicaSet ``web`` with ``n`` replicas spread over ``nodes`` nodes; one node may fail."""
    rs = ReplicaSet(
        name="web",
        replicas=n,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        template=_template("web", "nginx:1"),
    )
    objs = [rs, *(Node(name=f"node-{i}") for i in range(1, nodes + 1))]
    base = Scenario(initial=ClusterState.from_objects(objs), granularity=granularity, name=f"node-failure-{n}")  # type: ignore[arg-type]
    start = settle(base)
    return BenchScenario(
        "node-failure",
        n,
        _measured(base, start, (), crashes, node_failure=1),
        _properties(start, "KC-OWN-001"),
        f"ReplicaSet, {n} replicas over {nodes} nodes, one node failure (eviction after the timeout)",
        f"{nodes} nodes",
        crashes,
    )


def _node_failure_grid(n: int, variant: str, crashes: int) -> BenchScenario:
    nodes = int(variant.split()[0])
    return node_failure(n, nodes=nodes, crashes=crashes)


#: name -> :class:`Grid`.  Sizes are the issue's; the runner stops a configuration at its first cut
#: run, so the sizes reached depend on the per-run budget (the K8s state is rich: pods with sandboxes,
#: containers, conditions; ReplicaSets and statuses; a step costs ~0.3 ms).
SCENARIOS: dict[str, Grid] = {
    "deployment": Grid(
        deployment_rollout,
        tuple(range(1, 13)),
        DEPLOYMENT_VARIANTS,
        (0, 1, 2),
        _deployment_grid,
        "(b) Deployment rolling update",
    ),
    "statefulset": Grid(
        statefulset_scenario,
        tuple(range(1, 9)),
        STATEFULSET_VARIANTS,
        (0, 1),
        statefulset_scenario,
        "(c) StatefulSet, OrderedReady",
    ),
    "node-failure": Grid(
        node_failure,
        tuple(range(1, 13)),
        (f"{NODE_FAILURE_NODES} nodes",),
        (0,),
        _node_failure_grid,
        f"(d) node failure, {NODE_FAILURE_NODES} nodes",
    ),
}
