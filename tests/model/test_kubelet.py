"""The kubelet (model.kubelet): computePodActions ported from upstream, and the kubelet steps."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pytest

from model.api import Delete, UpdateStatus
from model.apiserver import apply_write, apply_writes
from model.kubelet import (
    PodActions,
    RuntimeContainerStatus,
    RuntimePodStatus,
    SandboxStatus,
    compute_pod_actions,
    fresh_pod_ip,
    generate_api_pod_status,
    kubelet_step,
    pod_sandbox_changed,
    ready_elapsed_can_expire,
    runtime_pod_status,
)
from model.objects import ContainerSpec, Pod, Sandbox
from model.state import ClusterState

from tests.model.builders_runtime import cluster, node, owner_ref, pod, rs, running_pod

# ------------------------------------------------------- TestComputePodActions (upstream)
#
# kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager_test.go TestComputePodActions
# and makeBasePodAndStatus: a pod with containers foo1..foo3, one READY sandbox "sandboxID"
# (attempt 0, IP 10.0.0.1), all three containers running with the spec's hash.  Container
# ids id1..id3 are named by container name here (ContainersToKill is keyed by name).


def _base() -> tuple[Pod, RuntimePodStatus]:
    p = Pod(
        name="foo",
        namespace="foo-ns",
        uid="12345678",
        spec_containers=tuple(ContainerSpec(f"foo{i}", "busybox") for i in (1, 2, 3)),
    )
    status = RuntimePodStatus(
        sandbox_statuses=(SandboxStatus(id="sandboxID", ready=True, attempt=0, ip="10.0.0.1"),),
        container_statuses=tuple(RuntimeContainerStatus(f"foo{i}", "running", 0, "busybox") for i in (1, 2, 3)),
    )
    return p, status


def _containers(status: RuntimePodStatus, **changes: dict[str, object]) -> RuntimePodStatus:
    cs = tuple(replace(c, **changes[c.name]) if c.name in changes else c for c in status.container_statuses)  # type: ignore[arg-type]
    return replace(status, container_statuses=cs)


def _sandbox(status: RuntimePodStatus, **changes: object) -> RuntimePodStatus:
    return replace(status, sandbox_statuses=(replace(status.sandbox_statuses[0], **changes),))  # type: ignore[arg-type]


def _policy(policy: str) -> Callable[[Pod], Pod]:
    return lambda p: replace(p, restart_policy=policy)  # type: ignore[arg-type]


def _all_exited(s: RuntimePodStatus) -> RuntimePodStatus:
    return replace(s, container_statuses=tuple(replace(c, state="exited", exit_code=0) for c in s.container_statuses))


NO_ACTION = PodActions(sandbox_id="sandboxID")

# (mutate pod, mutate status, liveness failed, startup failed, expected)
CASES: dict[str, tuple[Callable[[Pod], Pod] | None, Callable[[RuntimePodStatus], RuntimePodStatus] | None, frozenset[str], frozenset[str], PodActions]] = {
    "everything is good; do nothing": (None, None, frozenset(), frozenset(), NO_ACTION),
    "start pod sandbox and all containers for a new pod": (
        None,
        lambda s: RuntimePodStatus(),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=True, sandbox_id="", attempt=0, containers_to_start=(0, 1, 2)),
    ),
    "restart exited containers if RestartPolicy == Always": (
        _policy("Always"),
        lambda s: _containers(s, foo1={"state": "exited", "exit_code": 0}, foo2={"state": "exited", "exit_code": 111}),
        frozenset(),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1)),
    ),
    "restart failed containers if RestartPolicy == OnFailure": (
        _policy("OnFailure"),
        lambda s: _containers(s, foo1={"state": "exited", "exit_code": 0}, foo2={"state": "exited", "exit_code": 111}),
        frozenset(),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,)),
    ),
    "restart created but not started containers if RestartPolicy == OnFailure": (
        _policy("OnFailure"),
        lambda s: _containers(s, foo1={"state": "exited", "exit_code": 0}, foo2={"state": "created"}),
        frozenset(),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,)),
    ),
    "don't restart containers if RestartPolicy == Never": (
        _policy("Never"),
        lambda s: _containers(s, foo1={"state": "exited", "exit_code": 0}, foo2={"state": "exited", "exit_code": 111}),
        frozenset(),
        frozenset(),
        NO_ACTION,
    ),
    "Kill pod and recreate everything if the pod sandbox is dead, and RestartPolicy == Always": (
        _policy("Always"),
        lambda s: _sandbox(s, ready=False),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=True, sandbox_id="sandboxID", attempt=1, containers_to_start=(0, 1, 2)),
    ),
    "Kill pod and recreate all containers (except for the succeeded one) if the pod sandbox is dead, and RestartPolicy == OnFailure": (
        _policy("OnFailure"),
        lambda s: _containers(_sandbox(s, ready=False), foo2={"state": "exited", "exit_code": 0}),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=True, sandbox_id="sandboxID", attempt=1, containers_to_start=(0, 2)),
    ),
    "Kill pod and recreate all containers if the PodSandbox does not have an IP": (
        None,
        lambda s: _sandbox(s, ip=""),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=True, sandbox_id="sandboxID", attempt=1, containers_to_start=(0, 1, 2)),
    ),
    "Kill and recreate the container if the container's spec changed": (
        _policy("Always"),
        lambda s: _containers(s, foo2={"image": "432423432"}),
        frozenset(),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,), containers_to_kill=("foo2",)),
    ),
    "Kill and recreate the container if the liveness check has failed": (
        _policy("Always"),
        None,
        frozenset({"foo2"}),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,), containers_to_kill=("foo2",)),
    ),
    "Kill and recreate the container if the startup check has failed": (
        _policy("Always"),
        None,
        frozenset(),
        frozenset({"foo2"}),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,), containers_to_kill=("foo2",)),
    ),
    "Verify we do not create a pod sandbox if no ready sandbox for pod with RestartPolicy=Never and all containers exited": (
        _policy("Never"),
        lambda s: _all_exited(_sandbox(s, ready=False, attempt=1)),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=False, sandbox_id="sandboxID", attempt=2),
    ),
    "Verify we do not create a pod sandbox if no ready sandbox for pod with RestartPolicy=OnFailure and all containers succeeded": (
        _policy("OnFailure"),
        lambda s: _all_exited(_sandbox(s, ready=False, attempt=1)),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=False, sandbox_id="sandboxID", attempt=2),
    ),
    "Verify we create a pod sandbox if no ready sandbox for pod with RestartPolicy=Never and no containers have ever been created": (
        _policy("Never"),
        lambda s: replace(_sandbox(s, ready=False, attempt=2), container_statuses=()),
        frozenset(),
        frozenset(),
        PodActions(kill_pod=True, create_sandbox=True, sandbox_id="sandboxID", attempt=3, containers_to_start=(0, 1, 2)),
    ),
    "Kill and recreate the container if the container is in unknown state": (
        _policy("Never"),
        lambda s: _containers(s, foo2={"state": "unknown"}),
        frozenset(),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,), containers_to_kill=("foo2",)),
    ),
    "Restart the container if the container is in created state": (
        _policy("Never"),
        lambda s: _containers(s, foo2={"state": "created"}),
        frozenset(),
        frozenset(),
        PodActions(sandbox_id="sandboxID", containers_to_start=(1,)),
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_compute_pod_actions(case: str) -> None:
    mutate_pod, mutate_status, liveness, startup, expected = CASES[case]
    p, status = _base()
    if mutate_pod is not None:
        p = mutate_pod(p)
    if mutate_status is not None:
        status = mutate_status(status)
    got = compute_pod_actions(p, status, liveness_failed=liveness, startup_failed=startup)
    assert got == expected


def test_compute_pod_actions_liveness_failure_under_restart_policy_never_kills_without_restart() -> None:
    p, status = _base()
    got = compute_pod_actions(replace(p, restart_policy="Never"), status, liveness_failed=frozenset({"foo1"}))
    assert got == PodActions(sandbox_id="sandboxID", containers_to_kill=("foo1",))


@pytest.mark.parametrize(
    "sandboxes,expected",
    [
        ((), (True, 0, "")),
        ((SandboxStatus("a", True, 0, "10.0.0.1"), SandboxStatus("b", True, 2, "10.0.0.2")), (True, 3, "a")),
        ((SandboxStatus("a", False, 1, "10.0.0.1"),), (True, 2, "a")),
        ((SandboxStatus("a", True, 4, "10.0.0.1", host_network=True),), (True, 5, "")),
        ((SandboxStatus("a", True, 4, ""),), (True, 5, "a")),
        ((SandboxStatus("a", True, 4, "10.0.0.1"),), (False, 4, "a")),
    ],
    ids=["no sandbox", "two ready", "newest not ready", "network mode changed", "no ip", "keep"],
)
def test_pod_sandbox_changed(sandboxes: tuple[SandboxStatus, ...], expected: tuple[bool, int, str]) -> None:
    assert pod_sandbox_changed(pod(), RuntimePodStatus(sandboxes)) == expected


def test_runtime_pod_status_maps_terminated_to_a_failed_exit_and_skips_waiting() -> None:
    p = running_pod()
    p = replace(p, container_statuses=(replace(p.container_statuses[0], state="terminated"),))
    st = runtime_pod_status(p)
    assert st.container_statuses == (RuntimeContainerStatus("app", "exited", 1, "nginx:1"),)
    assert st.sandbox_statuses == (SandboxStatus("1", True, 0, "10.0.0.1"),)
    waiting = replace(p, container_statuses=(replace(p.container_statuses[0], state="waiting"),))
    assert runtime_pod_status(waiting).container_statuses == ()


# ------------------------------------------------------------------------ kubelet steps


def _drive(st: ClusterState, key: tuple[str, str] = ("default", "p"), limit: int = 10) -> tuple[ClusterState, list[str]]:
    labels: list[str] = []
    for _ in range(limit):
        step = kubelet_step(st, key)
        if step is None:
            return st, labels
        labels.append(step.label)
        st = apply_writes(st, step.writes)
    raise AssertionError(f"kubelet did not settle: {labels}")


def test_a_new_pod_gets_a_sandbox_then_running_ready_containers() -> None:
    st = cluster(node(), pod("p", "node-1"))
    st, labels = _drive(st)
    assert labels == ["kubelet_start_sandbox", "kubelet_start_containers"]
    p = st.get("Pod", "default", "p")
    assert p.phase == "Running" and p.conditions.ready and p.conditions.initialized
    assert p.sandbox == Sandbox(id=1, ip="10.0.0.1", netns="ns-1")
    assert p.container_statuses[0].sandbox_id == 1 and p.container_statuses[0].restart_count == 0


def test_a_readiness_probe_needs_its_own_step() -> None:
    st = cluster(node(), pod("p", "node-1", probe=True))
    st, labels = _drive(st)
    assert labels == ["kubelet_start_sandbox", "kubelet_start_containers", "kubelet_probe_ready"]
    assert st.get("Pod", "default", "p").conditions.ready


def test_a_crashed_container_is_reported_then_restarted_with_restart_count_plus_one() -> None:
    st = cluster(node(), running_pod("p"))
    p = st.get("Pod", "default", "p")
    st = st.put(replace(p, container_statuses=(replace(p.container_statuses[0], state="terminated", ready=False),)))
    assert st.get("Pod", "default", "p").conditions.ready  # stale until the kubelet writes it
    st, labels = _drive(st)
    assert labels == ["kubelet_update_status", "kubelet_restart_containers"]
    p = st.get("Pod", "default", "p")
    assert p.container_statuses[0].restart_count == 1 and p.conditions.ready


def test_a_dead_sandbox_is_replaced_with_a_new_ip_and_every_container_restarts() -> None:
    other = running_pod("q", sandbox_id=2, ip="10.0.0.2")
    st = cluster(node(), running_pod("p"), other)
    p = st.get("Pod", "default", "p")
    st = st.put(replace(p, sandbox=replace(p.sandbox, ready=False)))
    st, labels = _drive(st)
    assert labels == ["kubelet_update_status", "kubelet_start_sandbox", "kubelet_restart_containers"]
    p2 = st.get("Pod", "default", "p")
    assert p2.sandbox.id not in (1, 2) and p2.sandbox.ip not in ("10.0.0.1", "10.0.0.2")
    assert p2.sandbox.netns == f"ns-{p2.sandbox.id}"
    assert p2.container_statuses[0].restart_count == 1
    assert p2.container_statuses[0].sandbox_id == p2.sandbox.id
    assert p2.uid == p.uid and p2.conditions.ready


def test_graceful_deletion_stops_containers_then_removes_the_pod() -> None:
    st = cluster(node(), running_pod("p"))
    st = apply_write(st, Delete("Pod", "default", "p"))
    assert kubelet_step(st, ("default", "p")).label == "kubelet_kill_pod"
    st, labels = _drive(st)
    assert labels == ["kubelet_kill_pod", "kubelet_delete_pod"]
    assert st.get("Pod", "default", "p") is None


def test_the_kubelet_of_a_not_ready_node_does_nothing() -> None:
    st = cluster(node(ready=False), pod("p", "node-1"))
    assert kubelet_step(st, ("default", "p")) is None
    assert kubelet_step(cluster(node(), pod("p")), ("default", "p")) is None  # unbound


def test_a_node_lifecycle_not_ready_mark_is_undone_when_the_node_is_back() -> None:
    p = running_pod("p")
    st = cluster(node(), replace(p, conditions=replace(p.conditions, ready=False)))
    step = kubelet_step(st, ("default", "p"))
    assert step is not None and step.label == "kubelet_update_status"
    assert isinstance(step.writes[0], UpdateStatus) and step.writes[0].obj.conditions.ready


def test_fresh_pod_ip_is_the_lowest_free_pool_address() -> None:
    st = cluster(running_pod("a", ip="10.0.0.1"), running_pod("b", sandbox_id=2, ip="10.0.0.3"))
    assert fresh_pod_ip(st) == "10.0.0.2"


def test_generate_api_pod_status_is_not_ready_when_the_sandbox_is_dead() -> None:
    p = running_pod()
    assert generate_api_pod_status(p).conditions.ready
    assert not generate_api_pod_status(replace(p, sandbox=replace(p.sandbox, ready=False))).conditions.ready


def test_ready_elapsed_expiry_only_for_controllers_with_min_ready_seconds() -> None:
    for min_ready, expected in ((0, False), (10, True)):
        st = cluster(rs(min_ready=min_ready))
        owner = st.get("ReplicaSet", "default", "web")
        st = st.put(replace(running_pod("p"), owner_references=(owner_ref(owner, "ReplicaSet"),), uid="uid-9"))
        assert ready_elapsed_can_expire(st, st.get("Pod", "default", "p")) is expected
