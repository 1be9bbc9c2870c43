"""Init containers and sidecars in the kubelet model (issue #20 item 4).

Part 1 ports upstream's tables with their upstream names: kubernetes/kubernetes
pkg/kubelet/kuberuntime/kuberuntime_manager_test.go TestComputePodActionsWithInitContainers
(makeBasePodAndStatusWithInitContainers) and TestComputePodActionsWithRestartableInitContainers
(makeBasePodAndStatusWithRestartableInitContainers), the SidecarContainers code path (GA; the
LegacySidecarContainers variants test the removed path). Container ids are named by container
name (ContainersToKill is keyed by name here); the probe managers' results are
``liveness_results`` / ``startup_results`` (absent = the probe has not run).

Part 2 drives the kubelet steps (``kubelet_step``) and the status it writes (Initialized,
phase, Ready), and part 3 checks what it means for a Deployment: an init container delays
readiness and a failing one keeps the pod not Ready.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pytest

from model.apiserver import apply_writes
from model.kubelet import (
    PodActions,
    ProbeResult,
    RuntimeContainerStatus,
    RuntimePodStatus,
    SandboxStatus,
    compute_pod_actions,
    generate_api_pod_status,
    generate_pod_initialized_condition,
    is_init_container_failed,
    kubelet_step,
)
from model.objects import ContainerSpec, Pod
from model.state import ClusterState

from tests.model.builders_runtime import cluster, node, pod

_PodFn = Callable[[Pod], Pod]
_StatusFn = Callable[[RuntimePodStatus], RuntimePodStatus]


def _regular() -> tuple[ContainerSpec, ...]:
    return tuple(ContainerSpec(f"foo{i}", "busybox") for i in (1, 2, 3))


def _sandbox() -> tuple[SandboxStatus, ...]:
    return (SandboxStatus(id="sandboxID", ready=True, attempt=0, ip="10.0.0.1"),)


def _base_with_init() -> tuple[Pod, RuntimePodStatus]:
    """makeBasePodAndStatusWithInitContainers: init1..init3 (bar-image) all exited 0, no regular status."""
    p = Pod(
        name="foo",
        namespace="foo-ns",
        uid="12345678",
        spec_containers=_regular(),
        init_containers=tuple(ContainerSpec(f"init{i}", "bar-image") for i in (1, 2, 3)),
    )
    status = RuntimePodStatus(
        sandbox_statuses=_sandbox(),
        container_statuses=tuple(RuntimeContainerStatus(f"init{i}", "exited", 0, "bar-image") for i in (1, 2, 3)),
    )
    return p, status


def _policy(policy: str) -> _PodFn:
    return lambda p: replace(p, restart_policy=policy)  # type: ignore[arg-type]


def _set(i: int, **changes: object) -> _StatusFn:
    def fn(s: RuntimePodStatus) -> RuntimePodStatus:
        cs = list(s.container_statuses)
        cs[i] = replace(cs[i], **changes)  # type: ignore[arg-type]
        return replace(s, container_statuses=tuple(cs))
    return fn


def _sandbox_not_ready(then: _StatusFn | None = None) -> _StatusFn:
    def fn(s: RuntimePodStatus) -> RuntimePodStatus:
        s = replace(s, sandbox_statuses=(replace(s.sandbox_statuses[0], ready=False),))
        return then(s) if then else s
    return fn


def _keep(sl: slice) -> _StatusFn:
    return lambda s: replace(s, container_statuses=s.container_statuses[sl])


def _no_statuses(s: RuntimePodStatus) -> RuntimePodStatus:
    return replace(s, container_statuses=())


NO_ACTION = PodActions(sandbox_id="sandboxID")
NEW_SANDBOX_FIRST_INIT = PodActions(kill_pod=True, create_sandbox=True, sandbox_id="sandboxID", attempt=1,
                                    init_containers_to_start=(0,))

# TestComputePodActionsWithInitContainers: (mutate pod, mutate status, expected actions)
INIT_CASES: dict[str, tuple[_PodFn | None, _StatusFn | None, PodActions]] = {
    "initialization completed; start all containers": (
        None, None, PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1, 2))),
    "no init containers have been started; start the first one": (
        None, _no_statuses, PodActions(sandbox_id="sandboxID", init_containers_to_start=(0,))),
    "initialization in progress; do nothing": (
        _policy("Always"), _set(2, state="running"), NO_ACTION),
    "Kill pod and restart the first init container if the pod sandbox is dead": (
        _policy("Always"), _sandbox_not_ready(), NEW_SANDBOX_FIRST_INIT),
    "initialization failed; restart the last init container if RestartPolicy == Always": (
        _policy("Always"), _set(2, exit_code=137), PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "initialization failed; restart the last init container if RestartPolicy == OnFailure": (
        _policy("OnFailure"), _set(2, exit_code=137), PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "initialization failed; kill pod if RestartPolicy == Never": (
        _policy("Never"), _set(2, exit_code=137), PodActions(kill_pod=True, sandbox_id="sandboxID")),
    "init container state unknown; kill and recreate the last init container if RestartPolicy == Always": (
        _policy("Always"), _set(2, state="unknown"),
        PodActions(sandbox_id="sandboxID", containers_to_kill=("init3",), init_containers_to_start=(2,))),
    "init container state unknown; kill and recreate the last init container if RestartPolicy == OnFailure": (
        _policy("OnFailure"), _set(2, state="unknown"),
        PodActions(sandbox_id="sandboxID", containers_to_kill=("init3",), init_containers_to_start=(2,))),
    "init container state unknown; kill pod if RestartPolicy == Never": (
        _policy("Never"), _set(2, state="unknown"), PodActions(kill_pod=True, sandbox_id="sandboxID")),
    "Pod sandbox not ready, init container failed, but RestartPolicy == Never; kill pod only": (
        _policy("Never"), _sandbox_not_ready(), PodActions(kill_pod=True, sandbox_id="sandboxID", attempt=1)),
    "Pod sandbox not ready, and RestartPolicy == Never, but no visible init containers;  create a new pod sandbox": (
        _policy("Never"), _sandbox_not_ready(_no_statuses), NEW_SANDBOX_FIRST_INIT),
    "Pod sandbox not ready, init container failed, and RestartPolicy == OnFailure; create a new pod sandbox": (
        _policy("OnFailure"), _sandbox_not_ready(_set(2, exit_code=137)), NEW_SANDBOX_FIRST_INIT),
    "some of the init container statuses are missing but the last init container is running, don't restart preceding ones": (
        _policy("Always"), lambda s: _keep(slice(2, None))(_set(2, state="running")(s)), NO_ACTION),
    "an init container is in the created state due to an unknown error when starting container; restart it": (
        _policy("Always"), _set(2, state="created"), PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
}


@pytest.mark.parametrize("desc", list(INIT_CASES))
def test_compute_pod_actions_with_init_containers(desc: str) -> None:
    """TestComputePodActionsWithInitContainers."""
    mutate_pod, mutate_status, expected = INIT_CASES[desc]
    p, status = _base_with_init()
    if mutate_pod:
        p = mutate_pod(p)
    if mutate_status:
        status = mutate_status(status)
    assert compute_pod_actions(p, status) == expected


# ------------------------------------------------- TestComputePodActionsWithRestartableInitContainers


def _base_with_sidecars() -> tuple[Pod, RuntimePodStatus]:
    """makeBasePodAndStatusWithRestartableInitContainers: three sidecars, all running; the second
    and third declare liveness and startup probes."""
    sidecars = (
        ContainerSpec("restartable-init-1", "bar-image", restart_policy="Always"),
        ContainerSpec("restartable-init-2", "bar-image", restart_policy="Always", liveness_probe=True, startup_probe=True),
        ContainerSpec("restartable-init-3", "bar-image", restart_policy="Always", liveness_probe=True, startup_probe=True),
    )
    p = Pod(name="foo", namespace="foo-ns", uid="12345678", spec_containers=_regular(), init_containers=sidecars)
    status = RuntimePodStatus(
        sandbox_statuses=_sandbox(),
        container_statuses=tuple(RuntimeContainerStatus(c.name, "running", 0, "bar-image") for c in sidecars),
    )
    return p, status


_Probes = dict[str, ProbeResult]
#: The table's setup: Success for the liveness and startup results of sidecars 2 and 3.
_SUCCESS: _Probes = {"restartable-init-2": "Success", "restartable-init-3": "Success"}


def _probes(**changes: ProbeResult | None) -> Callable[[_Probes], _Probes]:
    """Change the base results: ``init2=None`` removes sidecar 2's result, ``init3="Failure"`` sets it."""
    def fn(base: _Probes) -> _Probes:
        out = dict(base)
        for short, value in changes.items():
            name = f"restartable-init-{short[-1]}"
            if value is None:
                out.pop(name, None)
            else:
                out[name] = value
        return out
    return fn


def _all_regular(state: str, exit_code: int = 0) -> _StatusFn:
    return lambda s: replace(s, container_statuses=s.container_statuses + tuple(
        RuntimeContainerStatus(f"foo{i}", state, exit_code, "busybox") for i in (1, 2, 3)))  # type: ignore[arg-type]


_Case = tuple[_PodFn | None, _StatusFn | None, Callable[[_Probes], _Probes] | None,
              Callable[[_Probes], _Probes] | None, PodActions]

# (mutate pod, mutate status, liveness results change, startup results change, expected)
SIDECAR_CASES: dict[str, _Case] = {
    "initialization completed; start all containers": (
        None, None, None, None, PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1, 2))),
    "no init containers have been started; start the first one": (
        None, _no_statuses, None, None, PodActions(sandbox_id="sandboxID", init_containers_to_start=(0,))),
    "an init container is stuck in the created state; restart it": (
        _policy("Always"), _set(2, state="created"), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "restartable init container has started; start the next": (
        _policy("Always"), _keep(slice(None, 1)), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(1,))),
    "livenessProbe has not been run; start the nothing": (
        _policy("Always"), _keep(slice(None, 2)), _probes(init2=None), None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "livenessProbe in progress; start the next": (
        _policy("Always"), _keep(slice(None, 2)), _probes(init2="Unknown"), None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "livenessProbe has completed; start the next": (
        _policy("Always"), _keep(slice(None, 2)), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "kill and recreate the restartable init container if the liveness check has failed": (
        _policy("Always"), None, _probes(init3="Failure"), None,
        PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1, 2), containers_to_kill=("restartable-init-3",),
                   init_containers_to_start=(2,))),
    "startupProbe has not been run; do nothing": (
        _policy("Always"), _keep(slice(None, 2)), None, _probes(init2=None), NO_ACTION),
    "startupProbe in progress; do nothing": (
        _policy("Always"), _keep(slice(None, 2)), None, _probes(init2="Unknown"), NO_ACTION),
    "startupProbe has completed; start the next": (
        _policy("Always"), _keep(slice(None, 2)), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "kill and recreate the restartable init container if the startup check has failed": (
        lambda p: replace(_policy("Always")(p), init_containers=p.init_containers[:2] + (
            replace(p.init_containers[2], startup_probe=True),)),
        None, None, _probes(init3="Failure"),
        PodActions(sandbox_id="sandboxID", containers_to_kill=("restartable-init-3",), init_containers_to_start=(2,))),
    "kill and recreate the restartable init container if the container definition changes": (
        lambda p: replace(_policy("Always")(p), init_containers=p.init_containers[:2] + (
            replace(p.init_containers[2], image="foo-image"),)),
        None, None, None,
        PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1, 2), containers_to_kill=("restartable-init-3",),
                   init_containers_to_start=(2,))),
    "restart terminated restartable init container and next init container": (
        _policy("Always"), lambda s: _set(2, state="exited")(_set(0, state="exited")(s)), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(0, 2))),
    "restart terminated restartable init container and regular containers": (
        _policy("Always"), _set(0, state="exited"), None, None,
        PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1, 2), init_containers_to_start=(0,))),
    "Pod sandbox not ready, restartable init container failed, but RestartPolicy == Never; kill pod only": (
        _policy("Never"), _sandbox_not_ready(_set(2, state="exited", exit_code=137)), None, None,
        PodActions(kill_pod=True, sandbox_id="sandboxID", attempt=1)),
    "Pod sandbox not ready, and RestartPolicy == Never, but no visible restartable init containers;  create a new pod sandbox": (
        _policy("Never"), _sandbox_not_ready(_no_statuses), None, None, NEW_SANDBOX_FIRST_INIT),
    "Pod sandbox not ready, restartable init container failed, and RestartPolicy == OnFailure; create a new pod sandbox": (
        _policy("OnFailure"), _sandbox_not_ready(_set(2, state="exited", exit_code=137)), None, None,
        NEW_SANDBOX_FIRST_INIT),
    "Pod sandbox not ready, restartable init container failed, and RestartPolicy == Always; create a new pod sandbox": (
        _policy("Always"), _sandbox_not_ready(_set(2, state="exited", exit_code=137)), None, None,
        NEW_SANDBOX_FIRST_INIT),
    "initialization failed; restart the last restartable init container even if pod's RestartPolicy == Never": (
        _policy("Never"), _set(2, state="exited", exit_code=137), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "restartable init container state unknown; kill and recreate the last restartable init container even if pod's RestartPolicy == Never": (
        _policy("Never"), _set(2, state="unknown"), None, None,
        PodActions(sandbox_id="sandboxID", containers_to_kill=("restartable-init-3",), init_containers_to_start=(2,))),
    "restart restartable init container if regular containers are running even if pod's RestartPolicy == Never": (
        _policy("Never"), lambda s: _all_regular("running")(_set(2, state="exited", exit_code=137)(s)), None, None,
        PodActions(sandbox_id="sandboxID", init_containers_to_start=(2,))),
    "kill the pod if all main containers succeeded if pod's RestartPolicy == Never": (
        _policy("Never"), _all_regular("exited", 0), None, None, PodActions(kill_pod=True, sandbox_id="sandboxID")),
    "some of the init container statuses are missing but the last init container is running, restart restartable init and regular containers": (
        _policy("Always"), _keep(slice(2, None)), None, None,
        PodActions(sandbox_id="sandboxID", containers_to_start=(0, 1, 2), init_containers_to_start=(0, 1))),
}


@pytest.mark.parametrize("desc", list(SIDECAR_CASES))
def test_compute_pod_actions_with_restartable_init_containers(desc: str) -> None:
    """TestComputePodActionsWithRestartableInitContainers."""
    mutate_pod, mutate_status, liveness_fn, startup_fn, expected = SIDECAR_CASES[desc]
    p, status = _base_with_sidecars()
    if mutate_pod:
        p = mutate_pod(p)
    if mutate_status:
        status = mutate_status(status)
    liveness = liveness_fn(_SUCCESS) if liveness_fn else dict(_SUCCESS)
    startup = startup_fn(_SUCCESS) if startup_fn else dict(_SUCCESS)
    assert compute_pod_actions(p, status, liveness_results=liveness, startup_results=startup) == expected


def test_is_init_container_failed() -> None:
    assert is_init_container_failed(RuntimeContainerStatus("i", "exited", 137))
    assert is_init_container_failed(RuntimeContainerStatus("i", "unknown", 0))
    assert not is_init_container_failed(RuntimeContainerStatus("i", "exited", 0))
    assert not is_init_container_failed(RuntimeContainerStatus("i", "running", 0))


# ------------------------------------------------------------------------------ kubelet steps


def _init_pod(*init: ContainerSpec, probe: bool = False, policy: str = "Always") -> Pod:
    p = pod("p", "node-1", probe=probe)
    return replace(p, init_containers=init, restart_policy=policy)  # type: ignore[arg-type]


def _drive(st: ClusterState, limit: int = 20) -> tuple[ClusterState, list[str]]:
    labels: list[str] = []
    for _ in range(limit):
        step = kubelet_step(st, ("default", "p"))
        if step is None:
            return st, labels
        labels.append(step.label)
        st = apply_writes(st, step.writes)
    raise AssertionError(f"kubelet did not settle: {labels}")


def _statuses(st: ClusterState) -> dict[str, tuple[str, int]]:
    p = st.get("Pod", "default", "p")
    return {cs.name: (cs.state, cs.exit_code) for cs in p.container_statuses}


def test_init_containers_run_in_order_one_step_each_before_the_app_starts() -> None:
    st = cluster(node(), _init_pod(ContainerSpec("migrate", "m:1"), ContainerSpec("warm", "w:1")))
    seen: list[tuple[str, bool, bool, str]] = []
    for _ in range(10):
        step = kubelet_step(st, ("default", "p"))
        if step is None:
            break
        st = apply_writes(st, step.writes)
        p = st.get("Pod", "default", "p")
        seen.append((step.label, p.conditions.initialized, p.conditions.ready, p.phase))
    assert seen == [
        ("kubelet_start_sandbox", False, False, "Pending"),
        ("kubelet_start_init_containers", False, False, "Pending"),     # migrate running
        ("kubelet_init_container_completed", False, False, "Pending"),  # migrate exit 0, warm running
        ("kubelet_init_container_completed", True, True, "Running"),    # warm exit 0, app running
    ]
    assert _statuses(st) == {"migrate": ("terminated", 0), "warm": ("terminated", 0), "app": ("running", 1)}


def test_an_init_container_delays_readiness_by_exactly_one_kubelet_step() -> None:
    _, without = _drive(cluster(node(), _init_pod()))
    _, with_one = _drive(cluster(node(), _init_pod(ContainerSpec("migrate", "m:1"))))
    assert without == ["kubelet_start_sandbox", "kubelet_start_containers"]
    assert with_one == ["kubelet_start_sandbox", "kubelet_start_init_containers", "kubelet_init_container_completed"]


def test_a_failing_init_container_keeps_the_pod_pending_and_not_ready() -> None:
    """A broken init image (``:broken``) never completes: upstream it crash-loops; no step completes it."""
    st, labels = _drive(cluster(node(), _init_pod(ContainerSpec("migrate", "m:broken"))))
    assert labels == ["kubelet_start_sandbox", "kubelet_start_init_containers"]
    p = st.get("Pod", "default", "p")
    assert not p.conditions.initialized and not p.conditions.ready and p.phase == "Pending"
    assert _statuses(st) == {"migrate": ("running", 1)}  # the app container never started


def test_a_failing_init_container_under_restart_policy_never_fails_the_pod() -> None:
    st, labels = _drive(cluster(node(), _init_pod(ContainerSpec("migrate", "m:broken"), policy="Never")))
    assert labels == ["kubelet_start_sandbox", "kubelet_start_init_containers", "kubelet_init_container_failed"]
    p = st.get("Pod", "default", "p")
    assert p.phase == "Failed" and not p.conditions.ready and not p.conditions.initialized
    assert p.sandbox is not None and not p.sandbox.ready


def test_a_crashed_init_container_is_restarted_under_restart_policy_always() -> None:
    st = cluster(node(), _init_pod(ContainerSpec("migrate", "m:1")))
    for _ in range(2):  # sandbox, then migrate running
        st = apply_writes(st, kubelet_step(st, ("default", "p")).writes)
    p = st.get("Pod", "default", "p")
    st = st.put(replace(p, container_statuses=tuple(replace(cs, state="terminated") for cs in p.container_statuses)))
    step = kubelet_step(st, ("default", "p"))
    assert step is not None and step.label == "kubelet_restart_containers"
    st = apply_writes(st, step.writes)
    assert _statuses(st) == {"migrate": ("running", 1)}
    st, labels = _drive(st)
    assert labels == ["kubelet_init_container_completed"]
    assert st.get("Pod", "default", "p").conditions.ready


def test_a_new_sandbox_reruns_the_init_containers() -> None:
    st, _ = _drive(cluster(node(), _init_pod(ContainerSpec("migrate", "m:1"))))
    p = st.get("Pod", "default", "p")
    st = st.put(replace(p, sandbox=replace(p.sandbox, ready=False)))
    st, labels = _drive(st)
    assert labels == ["kubelet_update_status", "kubelet_start_sandbox", "kubelet_start_init_containers",
                      "kubelet_init_container_completed"]
    p2 = st.get("Pod", "default", "p")
    assert p2.conditions.ready and p2.sandbox.id != p.sandbox.id
    assert all(cs.sandbox_id == p2.sandbox.id for cs in p2.container_statuses)


def test_sidecars_start_in_order_keep_running_and_gate_readiness() -> None:
    sidecar = ContainerSpec("proxy", "envoy:1", readiness_probe=True, restart_policy="Always")
    st = cluster(node(), _init_pod(sidecar, ContainerSpec("migrate", "m:1")))
    st, labels = _drive(st)
    assert labels == ["kubelet_start_sandbox", "kubelet_start_init_containers",  # proxy running
                      "kubelet_start_init_containers",  # proxy started (no startup probe): migrate
                      "kubelet_probe_ready",  # the proxy's readiness probe passes
                      "kubelet_init_container_completed"]  # migrate exit 0, app running
    assert _statuses(st) == {"proxy": ("running", 1), "migrate": ("terminated", 0), "app": ("running", 1)}
    assert st.get("Pod", "default", "p").conditions.ready
    # the sidecar's readiness counts for the pod's
    p = st.get("Pod", "default", "p")
    unready = replace(p, container_statuses=tuple(replace(cs, ready=False) if cs.name == "proxy" else cs
                                                   for cs in p.container_statuses))
    assert not generate_api_pod_status(unready).conditions.ready
    # a crashed sidecar is restarted; the pod stays initialized (its app container has started)
    crashed = replace(p, container_statuses=tuple(replace(cs, state="terminated", ready=False) if cs.name == "proxy"
                                                  else cs for cs in p.container_statuses))
    gen = generate_api_pod_status(crashed)
    assert gen.conditions.initialized and not gen.conditions.ready and gen.phase == "Running"
    st2 = st.put(crashed)
    st2, labels = _drive(st2)
    assert labels == ["kubelet_update_status", "kubelet_restart_containers", "kubelet_probe_ready"]
    assert st2.get("Pod", "default", "p").conditions.ready


def test_initialized_condition() -> None:
    p = _init_pod(ContainerSpec("a", "a:1"), ContainerSpec("s", "s:1", restart_policy="Always"))
    assert not generate_pod_initialized_condition(p)  # no status yet
    assert generate_pod_initialized_condition(replace(p, init_containers=()))
    from model.objects import ContainerStatus

    done = replace(p, container_statuses=(ContainerStatus("a", "a:1", "terminated", exit_code=0),
                                          ContainerStatus("s", "s:1", "running")))
    assert generate_pod_initialized_condition(done)
    failed = replace(done, container_statuses=(ContainerStatus("a", "a:1", "terminated", exit_code=1),
                                               ContainerStatus("s", "s:1", "running")))
    assert not generate_pod_initialized_condition(failed)
    sidecar_down = replace(done, container_statuses=(ContainerStatus("a", "a:1", "terminated", exit_code=0),
                                                     ContainerStatus("s", "s:1", "terminated")))
    assert not generate_pod_initialized_condition(sidecar_down)


def test_pods_without_init_containers_are_unchanged() -> None:
    """No init containers: compute_pod_actions never asks for one, Initialized is True."""
    st, labels = _drive(cluster(node(), pod("p", "node-1")))
    assert labels == ["kubelet_start_sandbox", "kubelet_start_containers"]
    p = st.get("Pod", "default", "p")
    assert p.conditions.initialized and compute_pod_actions(p).init_containers_to_start == ()


def test_a_broken_sidecar_readiness_probe_may_fail_and_unready_the_pod() -> None:
    """fault_readiness_probe_fails covers sidecars: their readiness counts for the pod's."""
    from model.environment import FaultBudget, fault_instances

    sidecar = ContainerSpec("proxy", "envoy:broken", readiness_probe=True, restart_policy="Always")
    st, _ = _drive(cluster(node(), _init_pod(sidecar)))
    assert st.get("Pod", "default", "p").conditions.ready
    faults = [f for f in fault_instances(st, FaultBudget()) if f.label == "fault_readiness_probe_fails"]
    assert len(faults) == 1
    after = faults[0].result
    assert not generate_api_pod_status(after.get("Pod", "default", "p")).conditions.ready


def test_a_crashed_init_container_under_restart_policy_never_fails_the_pod() -> None:
    st = cluster(node(), _init_pod(ContainerSpec("migrate", "m:1"), policy="Never"))
    for _ in range(2):  # sandbox, then migrate running
        st = apply_writes(st, kubelet_step(st, ("default", "p")).writes)
    p = st.get("Pod", "default", "p")
    st = st.put(replace(p, container_statuses=tuple(replace(cs, state="terminated") for cs in p.container_statuses)))
    st, labels = _drive(st)
    assert labels == ["kubelet_update_status", "kubelet_kill_pod"]
    p = st.get("Pod", "default", "p")
    assert p.phase == "Failed" and not p.conditions.ready and not p.sandbox.ready


# ------------------------------------------ TestComputePodActionsWithInitAndEphemeralContainers


def _base_with_init_and_ephemeral() -> tuple[Pod, RuntimePodStatus]:
    """makeBasePodAndStatusWithInitAndEphemeralContainers: foo1..foo3 running, init1 exited 0, and
    the ephemeral container ``debug`` running. Ephemeral containers are not modelled: ``debug`` is
    a runtime status with no spec, which computePodActions must leave alone."""
    p = Pod(name="foo", namespace="foo-ns", uid="12345678", spec_containers=_regular(),
            init_containers=(ContainerSpec("init1", "bar-image"),))
    status = RuntimePodStatus(
        sandbox_statuses=_sandbox(),
        container_statuses=(
            *(RuntimeContainerStatus(f"foo{i}", "running", 0, "busybox") for i in (1, 2, 3)),
            RuntimeContainerStatus("init1", "exited", 0, "bar-image"),
            RuntimeContainerStatus("debug", "running", 0, "busybox"),
        ),
    )
    return p, status


def _regular_exited(s: RuntimePodStatus) -> RuntimePodStatus:
    for i in range(3):
        s = _set(i, state="exited", exit_code=0)(s)
    return s


#: The rows that do not start an ephemeral container (the others expect EphemeralContainersToStart).
INIT_AND_EPHEMERAL_CASES: dict[str, tuple[_PodFn | None, _StatusFn | None, PodActions]] = {
    "steady state; do nothing; ignore ephemeral container": (None, None, NO_ACTION),
    "Ephemeral container exited; do not restart": (_policy("Always"), _set(4, state="exited"), NO_ACTION),
    "Create a new pod sandbox if the pod sandbox is dead, init container failed and RestartPolicy == OnFailure": (
        _policy("OnFailure"), _sandbox_not_ready(lambda s: _set(0, exit_code=137)(_keep(slice(3, None))(s))),
        NEW_SANDBOX_FIRST_INIT),
    "Kill pod and do not restart ephemeral container if the pod sandbox is dead": (
        _policy("Always"), _sandbox_not_ready(), NEW_SANDBOX_FIRST_INIT),
    "Kill pod if all containers exited except ephemeral container": (
        _policy("Never"), _regular_exited, PodActions(kill_pod=True, sandbox_id="sandboxID")),
    "Ephemeral container is in unknown state; leave it alone": (_policy("Never"), _set(4, state="unknown"), NO_ACTION),
}


@pytest.mark.parametrize("desc", list(INIT_AND_EPHEMERAL_CASES))
def test_compute_pod_actions_with_init_and_ephemeral_containers(desc: str) -> None:
    """TestComputePodActionsWithInitAndEphemeralContainers (its rows without an ephemeral start)."""
    mutate_pod, mutate_status, expected = INIT_AND_EPHEMERAL_CASES[desc]
    p, status = _base_with_init_and_ephemeral()
    if mutate_pod:
        p = mutate_pod(p)
    if mutate_status:
        status = mutate_status(status)
    assert compute_pod_actions(p, status) == expected
