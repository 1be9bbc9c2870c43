"""Tiny builders for the runtime tests (API server, kubelet, scheduler, node lifecycle, system)."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any, Iterator

from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.environment import FaultBudget
from model.objects import (
    ContainerSpec,
    ContainerStatus,
    Deployment,
    DeploymentStrategy,
    Node,
    OwnerReference,
    PersistentVolumeClaimTemplate,
    Pod,
    PodConditions,
    PodTemplate,
    ReplicaSet,
    ReplicationController,
    Sandbox,
    StatefulSet,
)
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState


def labels(**kv: str) -> FrozenMap[str, str]:
    return FrozenMap(kv)


def template(image: str = "nginx:1", probe: bool = False, **lbl: str) -> PodTemplate:
    return PodTemplate(labels=FrozenMap(lbl or {"app": "web"}), containers=(ContainerSpec("app", image, probe),))


def rs(name: str = "web", replicas: int = 2, image: str = "nginx:1", min_ready: int = 0, **lbl: str) -> ReplicaSet:
    sel = FrozenMap(lbl or {"app": "web"})
    return ReplicaSet(
        name=name,
        replicas=replicas,
        selector=LabelSelector(match_labels=sel),
        template=template(image, False, **dict(sel)),
        min_ready_seconds=min_ready,
    )


def rc(name: str = "legacy", replicas: int = 1, **lbl: str) -> ReplicationController:
    sel = FrozenMap(lbl or {"app": "legacy"})
    return ReplicationController(name=name, replicas=replicas, selector=sel, template=template("nginx:1", False, **dict(sel)))


def deployment(name: str = "web", replicas: int = 3, image: str = "nginx:1", surge: Any = 1, unavailable: Any = 0) -> Deployment:
    sel = FrozenMap({"app": name})
    return Deployment(
        name=name,
        replicas=replicas,
        selector=LabelSelector(match_labels=sel),
        template=template(image, app=name),
        strategy=DeploymentStrategy(max_surge=surge, max_unavailable=unavailable),
    )


def node(name: str = "node-1", ready: bool = True, capacity: int = 110) -> Node:
    return Node(name=name, ready=ready, pod_capacity=capacity)


def owner_ref(owner: Any, kind: str, controller: bool = True, block: bool = True) -> OwnerReference:
    api = "v1" if kind in ("Pod", "ReplicationController", "Node") else "apps/v1"
    return OwnerReference(api, kind, owner.name, owner.uid, controller=controller, block_owner_deletion=block)


def pod(name: str = "p", node_name: str | None = None, image: str = "nginx:1", probe: bool = False, **lbl: str) -> Pod:
    return Pod(
        name=name,
        labels=FrozenMap(lbl or {"app": "web"}),
        spec_containers=(ContainerSpec("app", image, probe),),
        node_name=node_name,
    )


def running_pod(name: str = "p", node_name: str = "node-1", sandbox_id: int = 1, ip: str = "10.0.0.1", **lbl: str) -> Pod:
    """A pod as the kubelet leaves it: sandbox up, container running and ready, Ready."""
    base = pod(name, node_name, "nginx:1", False, **lbl)
    return replace(
        base,
        phase="Running",
        sandbox=Sandbox(id=sandbox_id, ip=ip, netns=f"ns-{sandbox_id}"),
        container_statuses=(ContainerStatus("app", "nginx:1", "running", 0, sandbox_id, True),),
        conditions=PodConditions(True, True, True, True),
    )


def cluster(*objs: Any) -> ClusterState:
    return ClusterState.from_objects(objs)


def statefulset_db(replicas: int) -> StatefulSet:
    """StatefulSet ``db`` (selector/labels ``app=db``, Service ``db``, one volume claim template ``data``)."""
    return StatefulSet(
        name="db",
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap(app="db")),
        template=template(app="db"),
        service_name="db",
        volume_claim_templates=(PersistentVolumeClaimTemplate(name="data"),),
    )


def settle_first_fair(scenario: Scenario, limit: int = 2000) -> ClusterState:
    """The cluster after taking the *first* fair successor until none is enabled (no user action, no
    fault).  Not the CLI's spreading start-up (``kubecheck.scenarios.settle``): the golden graph
    digests were recorded from this start, so it must not change."""
    system = KubeSystem(replace(scenario, user_actions=(), faults=FaultBudget(), name=scenario.name + "-settle"))
    s = system.init_states()[0]
    for _ in range(limit):
        fair = [n for a, n in system.successors(s) if a.fair]
        if not fair:
            return s.cluster
        s = fair[0]
    raise AssertionError(f"{scenario.name}: did not settle in {limit} steps")


def reachable_states(system: KubeSystem, limit: int) -> Iterator[SystemState]:
    """Every state reachable from ``system``'s initial states, breadth first; fails when the space
    reaches ``limit`` states (larger than the calling test expects)."""
    init = system.init_states()
    seen = set(init)
    queue = deque(init)
    while queue:
        s = queue.popleft()
        yield s
        for _, t in system.successors(s):
            if t not in seen:
                seen.add(t)
                queue.append(t)
                assert len(seen) < limit, "state space larger than the test expects"
