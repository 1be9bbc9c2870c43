"""Small Kubernetes scenarios for the random-engine tests, and the seeded maxUnavailable rounding bug."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from unittest import mock

from model import deployment as deployment_module
from model.deployment_util import get_scaled_value_from_int_or_percent, is_rolling_update
from model.environment import FaultBudget, SetImage
from model.objects import Deployment
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState
from tests.model.builders_runtime import cluster, deployment, node, rs


def settle(system: KubeSystem, state: SystemState, bound: int = 5000) -> SystemState:
    """Take the first enabled fair action until none is (the steady state before the scenario starts)."""
    for _ in range(bound):
        fair = [n for a, n in system.successors(state) if a.fair]
        if not fair:
            return state
        state = fair[0]
    raise AssertionError("did not settle")


def steady(initial: ClusterState, granularity: str = "write") -> ClusterState:
    """The cluster after the controllers brought ``initial`` to its steady state."""
    system = KubeSystem(Scenario(initial, granularity=granularity))  # type: ignore[arg-type]
    return settle(system, system.init_states()[0]).cluster


def rollout(replicas: int, *, surge: Any, unavailable: Any, nodes: int = 1, faults: FaultBudget = FaultBudget(),
            granularity: str = "write", name: str = "rollout") -> Scenario:
    """A running ``replicas``-pod Deployment (v1, steady) that a user may update to v2."""
    base = cluster(*(node(f"node-{i}") for i in range(1, nodes + 1)), deployment(replicas=replicas, surge=surge, unavailable=unavailable))
    return Scenario(steady(base, granularity), user_actions=(SetImage("Deployment", "web", "nginx:2"),), faults=faults,
                    granularity=granularity, name=name)  # type: ignore[arg-type]


def replica_set_with_crash(replicas: int = 1) -> Scenario:
    """A ReplicaSet from scratch on one node, with one container crash and one sandbox death allowed."""
    return Scenario(cluster(node(), rs(replicas=replicas)), faults=FaultBudget(container_crash=1, sandbox_death=1), name="rs-crash")


def ceil_max_unavailable(d: Deployment) -> int:
    """SEEDED BUG: deployment_util.go MaxUnavailable with the percentage rounded *up* (upstream rounds down).

    With replicas=2 and maxUnavailable=25%, upstream allows 0 unavailable pods; this allows 1.
    """
    if not is_rolling_update(d) or d.replicas == 0:
        return 0
    value = d.strategy.max_unavailable
    unavailable = get_scaled_value_from_int_or_percent(0 if value is None else value, d.replicas, True)
    return min(unavailable, d.replicas)


@contextlib.contextmanager
def seeded_rounding_bug() -> Iterator[None]:
    """Run the Deployment controller with :func:`ceil_max_unavailable` (the properties keep the correct
    ``model.deployment_util.max_unavailable``, so KC-ROLL-001 judges the bugged controller by upstream's rule)."""
    with mock.patch.object(deployment_module, "max_unavailable", ceil_max_unavailable):
        yield


def check_ceil_differs() -> None:
    assert math.floor(2 * 0.25) == 0 and math.ceil(2 * 0.25) == 1
