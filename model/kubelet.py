"""The kubelet: one pod's sandbox, containers and status, as pure steps.

Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go (computePodActions,
SyncPod), pkg/kubelet/kuberuntime/util/util.go (PodSandboxChanged),
pkg/kubelet/container/helpers.go (ShouldContainerBeRestarted) and the status side of
pkg/kubelet/kubelet.go (syncPod, generateAPIPodStatus) and pkg/kubelet/status (the final delete).

Two layers:

* :func:`compute_pod_actions` is upstream's decision function, faithful to its table test
  (tests/model/test_kubelet.py ports TestComputePodActions).  It reads a runtime view
  (:class:`RuntimePodStatus`: sandbox statuses newest first, container statuses), which
  :func:`runtime_pod_status` derives from the model's ``Pod``.
* :func:`kubelet_step` is one step of the kubelet for one pod on a Ready node, returning a
  label and the API writes: the first applicable of

  1. the pod is being deleted: ``kubelet_kill_pod`` (stop every container, tear the sandbox
     down, free its IP), then (opt-in ``terminal_phase``) ``kubelet_terminal_phase``, then
     ``kubelet_delete_pod`` (the status manager's grace-0 delete);
  2. the API status disagrees with the runtime (after a fault, or after the node lifecycle
     controller marked the pod NotReady): ``kubelet_update_status``; upstream's syncPod also
     writes the status before it touches the runtime;
  3. computePodActions says create a sandbox: ``kubelet_start_sandbox`` (kill what runs,
     new sandbox id, a new IP, netns ``ns-<id>``);
  4. containers to kill or start: ``kubelet_start_containers`` / ``kubelet_restart_containers``;
  5. a running container (or sidecar) with a readiness probe is not ready yet: ``kubelet_probe_ready``;
  6. a regular init container runs: it completes (``kubelet_init_container_completed``, with the
     next SyncPod's starts) or, for a ``:broken`` image under restartPolicy Never, fails
     (``kubelet_init_container_failed``).

  A kubelet-initiated runtime change writes the status it causes in the same step (the next
  syncPod would write exactly that); faults change the runtime only, so the stale status is
  observable until step 2 runs.

The runtime state lives in the pod's status fields (``sandbox``, ``container_statuses``), as
upstream's PodStatus carries podIP and containerStatuses (init containers' statuses included, as in
the runtime's kubecontainer.PodStatus).  Abstractions (no ephemeral containers, no probes' timing,
no CrashLoopBackOff, exit code 1 for every termination but a completed init container's, an init
container's completion merged with the next SyncPod) are in docs/semantics.md#runtime (3.4 for
init containers and sidecars).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator
from typing import Literal

from model.api import Delete, UpdateStatus, Write
from model.frozen import EMPTY, FrozenMap
from model.objects import ContainerSpec, ContainerStatus, Pod, PodConditions, Sandbox
from model.state import ClusterState
from model.records import Timer, TimerStep
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "IP_PREFIX",
    "terminal_phase_of_killed_pod",
    "SandboxStatus",
    "RuntimeContainerStatus",
    "RuntimePodStatus",
    "PodActions",
    "KubeletStep",
    "runtime_pod_status",
    "pod_sandbox_changed",
    "should_container_be_restarted",
    "should_restart_on_failure",
    "container_succeeded",
    "compute_pod_actions",
    "generate_api_pod_status",
    "fresh_sandbox_id",
    "fresh_pod_ip",
    "per_pod_sandbox_id",
    "per_pod_ip",
    "kubelet_can_act",
    "kubelet_step",
    "ready_elapsed_can_expire",
    "expire_ready_elapsed",
    "ImageFacts",
    "image_facts",
    "ERR_IMAGE_PULL",
    "IMAGE_PULL_BACK_OFF",
    "CRASH_LOOP_BACK_OFF",
    "CRASH_LOOP_RESTART_CAP",
]

#: Pod IPs come from a small pool ``10.0.0.<k>``: the lowest free one, so states stay finite.
IP_PREFIX = "10.0.0."

RuntimeState = Literal["running", "exited", "created", "unknown"]


# ------------------------------------------------------------------------ runtime view


@dataclass(frozen=True, slots=True)
class SandboxStatus:
    """runtimeapi.PodSandboxStatus, reduced: id, READY or not, attempt, IP, host network."""

    id: str
    ready: bool = True
    attempt: int = 0
    ip: str = ""
    host_network: bool = False


@dataclass(frozen=True, slots=True)
class RuntimeContainerStatus:
    """kubecontainer.Status, reduced.  ``image`` stands for the container hash."""

    name: str
    state: RuntimeState = "running"
    exit_code: int = 0
    image: str = ""


@dataclass(frozen=True, slots=True)
class RuntimePodStatus:
    """kubecontainer.PodStatus: sandbox statuses (newest first) and container statuses."""

    sandbox_statuses: tuple[SandboxStatus, ...] = ()
    container_statuses: tuple[RuntimeContainerStatus, ...] = ()

    def find_container_status_by_name(self, name: str) -> RuntimeContainerStatus | None:
        for cs in self.container_statuses:
            if cs.name == name:
                return cs
        return None


@dataclass(frozen=True, slots=True)
class PodActions:
    """kuberuntime podActions: what one SyncPod does (containers to kill are named)."""

    kill_pod: bool = False
    create_sandbox: bool = False
    sandbox_id: str = ""
    attempt: int = 0
    containers_to_start: tuple[int, ...] = ()
    containers_to_kill: tuple[str, ...] = ()
    #: indexes into ``pod.init_containers``, in spec order (InitContainersToStart)
    init_containers_to_start: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class KubeletStep:
    """One kubelet step: an ``actor_verb_object`` label and the writes it issues."""

    label: str
    writes: tuple[Write, ...]


def runtime_pod_status(pod: Pod) -> RuntimePodStatus:
    """The runtime view of a model pod (what the kubelet's PLEG would report).

    The model keeps one sandbox per pod (the newest); a ``terminated`` container exited with
    its ``exit_code`` (1, crash or kill, except a completed init container: 0); a ``waiting``
    container has no runtime container (never started, or an init container purged with its
    sandbox).
    """
    sandboxes: tuple[SandboxStatus, ...] = ()
    if pod.sandbox is not None:
        sandboxes = (SandboxStatus(id=str(pod.sandbox.id), ready=pod.sandbox.ready, ip=pod.sandbox.ip),)
    containers: list[RuntimeContainerStatus] = []
    for cs in pod.container_statuses:
        if cs.state == "running":
            containers.append(RuntimeContainerStatus(cs.name, "running", 0, cs.image))
        elif cs.state == "terminated" or cs.reason == CRASH_LOOP_BACK_OFF:  # in back-off: exited in the runtime
            containers.append(RuntimeContainerStatus(cs.name, "exited", cs.exit_code, cs.image))
    return RuntimePodStatus(sandboxes, tuple(containers))


# ------------------------------------------------------------------- upstream decisions


def pod_sandbox_changed(pod: Pod, status: RuntimePodStatus, host_network: bool = False) -> tuple[bool, int, str]:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/util/util.go PodSandboxChanged.

    Returns ``(changed, attempt, sandbox_id)``: no sandbox -> ``(True, 0, "")``; more than
    one READY sandbox, or the newest not READY -> ``(True, max attempt + 1, newest id)``;
    network namespace mode changed -> ``(True, max attempt + 1, "")``; a pod-network sandbox
    without an IP -> ``(True, max attempt + 1, newest id)``; else ``(False, max attempt,
    newest id)``.
    """
    if not status.sandbox_statuses:
        return True, 0, ""
    ready_count = sum(1 for s in status.sandbox_statuses if s.ready)
    max_attempt = max(s.attempt for s in status.sandbox_statuses)
    newest = status.sandbox_statuses[0]
    if ready_count > 1:
        return True, max_attempt + 1, newest.id
    if not newest.ready:
        return True, max_attempt + 1, newest.id
    if newest.host_network != host_network:
        return True, max_attempt + 1, ""
    if not host_network and newest.ip == "":
        return True, max_attempt + 1, newest.id
    return False, max_attempt, newest.id


def should_restart_on_failure(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go shouldRestartOnFailure."""
    return pod.restart_policy != "Never"


def container_succeeded(c: ContainerSpec, status: RuntimePodStatus) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go containerSucceeded."""
    cs = status.find_container_status_by_name(c.name)
    return cs is not None and cs.state == "exited" and cs.exit_code == 0


def should_container_be_restarted(c: ContainerSpec, pod: Pod, status: RuntimePodStatus) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/container/helpers.go ShouldContainerBeRestarted.

    Never once the pod is being deleted; always when never started, Created or Unknown;
    otherwise by restartPolicy (Never: no; OnFailure: only a non-zero exit; Always: yes).
    """
    if pod.deletion_timestamp is not None:
        return False
    cs = status.find_container_status_by_name(c.name)
    if cs is None:
        return True
    if cs.state == "running":
        return False
    if cs.state in ("unknown", "created"):
        return True
    if pod.restart_policy == "Never":
        return False
    if pod.restart_policy == "OnFailure" and cs.exit_code == 0:
        return False
    return True


ProbeResult = Literal["Success", "Failure", "Unknown"]


def is_restartable_init_container(c: ContainerSpec) -> bool:
    """Mirrors kubernetes/kubernetes pkg/api/v1/pod/util.go IsRestartableInitContainer (a sidecar)."""
    return c.restart_policy == "Always"


def is_init_container_failed(status: RuntimeContainerStatus) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go isInitContainerFailed.

    Exited non-zero, or Unknown (the OOMKilled reason is not modelled: it exits non-zero too).
    """
    if status.state == "exited" and status.exit_code != 0:
        return True
    return status.state == "unknown"


def has_any_regular_container_created(pod: Pod, status: RuntimePodStatus) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go hasAnyRegularContainerCreated."""
    for c in pod.spec_containers:
        cs = status.find_container_status_by_name(c.name)
        if cs is not None and cs.state in ("created", "running", "exited"):
            return True
    return False


@dataclass(slots=True)
class _Changes:
    """The mutable podActions that computePodActions and computeInitContainerActions fill."""

    kill_pod: bool
    create_sandbox: bool
    sandbox_id: str
    attempt: int
    containers_to_start: list[int]
    containers_to_kill: dict[str, None]
    init_containers_to_start: list[int]

    def frozen(self) -> PodActions:
        return PodActions(
            self.kill_pod,
            self.create_sandbox,
            self.sandbox_id,
            self.attempt,
            tuple(self.containers_to_start),
            tuple(self.containers_to_kill),
            tuple(self.init_containers_to_start),
        )


def compute_init_container_actions(
    pod: Pod,
    status: RuntimePodStatus,
    changes: _Changes,
    liveness: dict[str, ProbeResult],
    startup: dict[str, ProbeResult],
) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go computeInitContainerActions.

    Fills ``changes`` and returns whether the pod has been initialized. Init containers are
    walked from the last to the first (completed ones may have been removed from the runtime):
    the first one never started is started; a completed one (exit 0) starts the next; a failed
    one is restarted, or the pod is killed under restartPolicy Never; a sidecar
    (:func:`is_restartable_init_container`) counts once running (and its startup probe, if
    declared, succeeded), starts the next and is kept running: restarted when it exited (even
    under Never), when its definition changed or its liveness/startup probe failed. Once a
    regular container is created or running, the pod counts as initialized and only sidecars are
    looked at. ``liveness`` / ``startup`` map a container name to its probe manager result
    (absent: not run yet). Go's ``break`` inside the ``switch`` leaves the switch only, as here.
    """
    if not pod.init_containers:
        return True
    pod_has_initialized = False
    for c in pod.spec_containers:
        cs = status.find_container_status_by_name(c.name)
        if cs is None:
            continue
        if cs.state in ("created", "running"):
            pod_has_initialized = True
            break
        # exited: the kubelet cannot tell the previous sandbox's containers from the current
        # one's (a rebooted node), so an exited regular container does not count
    is_previously_initialized = pod_has_initialized
    restart_on_failure = should_restart_on_failure(pod)
    last = len(pod.init_containers) - 1
    for i in range(last, -1, -1):
        c = pod.init_containers[i]
        cs = status.find_container_status_by_name(c.name)
        restartable = is_restartable_init_container(c)
        if cs is None:
            if is_previously_initialized and restartable:
                changes.init_containers_to_start.append(i)
            continue
        if is_previously_initialized and not restartable:
            continue  # after initialization only sidecars are kept running
        if cs.state == "created":
            changes.init_containers_to_start.append(i)
        elif cs.state == "running":
            if restartable:
                while True:  # the body of Go's ``if`` inside the switch case; ``break`` leaves it
                    if c.startup_probe:
                        result = startup.get(c.name)
                        if result is None:
                            break  # the startup probe has not run yet: wait
                        if result != "Success":
                            if result == "Failure":
                                changes.containers_to_kill[c.name] = None
                                changes.init_containers_to_start.append(i)
                            break
                    if i == last:
                        pod_has_initialized = True
                    elif not is_previously_initialized:
                        changes.init_containers_to_start.append(i + 1)  # started for the first time: start the next
                    if cs.image and cs.image != c.image:  # containerChanged
                        changes.containers_to_kill[c.name] = None
                        changes.init_containers_to_start.append(i)
                        break
                    if c.liveness_probe:
                        result = liveness.get(c.name)
                        if result is None:
                            break
                        if result == "Failure":
                            changes.containers_to_kill[c.name] = None
                            changes.init_containers_to_start.append(i)
                            break
                    break  # computePodResizeAction: no in-place resize in the model
            # a regular init container that runs: wait for it to finish
        elif cs.state == "exited":
            if restartable:
                changes.init_containers_to_start.append(i)
            elif is_init_container_failed(cs):
                if not restart_on_failure:
                    changes.kill_pod = True
                    changes.init_containers_to_start.clear()
                    return False
                changes.init_containers_to_start.append(i)
            elif i == last:
                pod_has_initialized = True
            else:
                changes.init_containers_to_start.append(i + 1)
        else:  # unknown
            if not restartable and not restart_on_failure:
                changes.kill_pod = True
                changes.init_containers_to_start.clear()
                return False
            changes.containers_to_kill[c.name] = None
            changes.init_containers_to_start.append(i)
        is_previously_initialized = True
    if not is_previously_initialized:
        changes.init_containers_to_start.append(0)  # no init container has been started
    changes.init_containers_to_start.reverse()
    return pod_has_initialized


def compute_pod_actions(
    pod: Pod,
    status: RuntimePodStatus | None = None,
    *,
    liveness_failed: frozenset[str] = frozenset(),
    startup_failed: frozenset[str] = frozenset(),
    liveness_results: dict[str, ProbeResult] | None = None,
    startup_results: dict[str, ProbeResult] | None = None,
    host_network: bool = False,
) -> PodActions:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions.

    ``status`` defaults to :func:`runtime_pod_status` of ``pod``; ``liveness_failed`` and
    ``startup_failed`` name containers whose probe manager reports Failure;
    ``liveness_results`` / ``startup_results`` give a result per container name (absent: the
    probe has not run), which sidecars wait for (upstream's probe managers). Init containers
    and sidecars follow :func:`compute_init_container_actions` (the SidecarContainers code
    path, the only one since the feature went GA); ephemeral containers and in-place resize are
    not modelled, so those branches are absent; the rest follows upstream line by line:

    * sandbox to (re)create: kill the pod; with restartPolicy Never, a non-zero attempt and
      some container status, only kill (no new sandbox); else, when some init container is
      declared, start the first one (initialization starts over in a new sandbox); else start
      every container except, under OnFailure, those that succeeded; nothing to start and some
      regular container already created -> do not create the sandbox;
    * sandbox fine: initialization first (nothing else until the pod has initialized, or when
      it kills the pod); then a non-running container is started when
      ShouldContainerBeRestarted (an Unknown one is killed first); a running one is killed (and
      restarted, unless the policy is Never and the spec did not change) when its spec hash
      changed or its liveness/startup probe failed, else kept;
    * nothing kept and nothing to start: kill the pod (and start no sidecar).
    """
    if status is None:
        status = runtime_pod_status(pod)
    liveness: dict[str, ProbeResult] = {n: "Failure" for n in liveness_failed}
    liveness.update(liveness_results or {})
    startup: dict[str, ProbeResult] = {n: "Failure" for n in startup_failed}
    startup.update(startup_results or {})
    create, attempt, sandbox_id = pod_sandbox_changed(pod, status, host_network)
    changes = _Changes(create, create, sandbox_id, attempt, [], {}, [])
    if create:
        if not should_restart_on_failure(pod) and attempt != 0 and status.container_statuses:
            changes.create_sandbox = False
            return changes.frozen()
        start = [
            idx
            for idx, c in enumerate(pod.spec_containers)
            if not (pod.restart_policy == "OnFailure" and container_succeeded(c, status))
        ]
        if not start and has_any_regular_container_created(pod, status):
            changes.create_sandbox = False
            return changes.frozen()
        if pod.init_containers:
            changes.init_containers_to_start = [0]
            return changes.frozen()
        changes.containers_to_start = start
        return changes.frozen()

    has_initialized = compute_init_container_actions(pod, status, changes, liveness, startup)
    if changes.kill_pod or not has_initialized:
        return changes.frozen()

    keep = 0
    for idx, c in enumerate(pod.spec_containers):
        cs = status.find_container_status_by_name(c.name)
        if cs is None or cs.state != "running":
            if should_container_be_restarted(c, pod, status):
                changes.containers_to_start.append(idx)
                if cs is not None and cs.state == "unknown":
                    changes.containers_to_kill[c.name] = None
            continue
        restart = should_restart_on_failure(pod)
        if cs.image and cs.image != c.image:
            restart = True  # containerChanged: restart regardless of the restart policy
        elif liveness.get(c.name) == "Failure" or startup.get(c.name) == "Failure":
            pass
        else:
            keep += 1
            continue
        if restart:
            changes.containers_to_start.append(idx)
        changes.containers_to_kill[c.name] = None
    if keep == 0 and not changes.containers_to_start:
        changes.kill_pod = True
        changes.init_containers_to_start = []  # sidecars must not keep the pod alive
    return changes.frozen()


# ---------------------------------------------------------------------------- status


def _container_ready(pod: Pod, cs: ContainerStatus | None) -> bool:
    sb = pod.sandbox
    return (
        cs is not None
        and cs.state == "running"
        and cs.ready
        and sb is not None
        and sb.ready
        and cs.sandbox_id == sb.id
    )


def has_any_regular_container_started(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/container/helpers.go HasAnyRegularContainerStarted
    (a regular container's status is Running or Terminated)."""
    names = {c.name for c in pod.spec_containers}
    return any(cs.name in names and cs.state in ("running", "terminated") for cs in pod.container_statuses)


def _phase(pod: Pod) -> str:
    """kubelet getPhase (pkg/kubelet/kubelet_pods.go), reduced.

    Init containers as upstream: a failed regular init container under restartPolicy Never
    makes the pod Failed; a regular init container not yet completed (never run, waiting after
    its sandbox was replaced, or running), or a sidecar not yet started before any regular
    container started, keeps it Pending. Regular containers (unchanged reduction): Pending until
    one ever ran; Failed when every one is terminated under Never; else Running.
    """
    by_name = {cs.name: cs for cs in pod.container_statuses}
    if pod.init_containers:
        pending_regular_init = failed_init = pending_sidecars = 0
        for c in pod.init_containers:
            cs = by_name.get(c.name)
            if is_restartable_init_container(c):
                pending_sidecars += cs is None or cs.state == "waiting"
            elif cs is None or cs.state in ("waiting", "running"):
                pending_regular_init += 1
            elif cs.exit_code != 0:
                failed_init += 1
        if failed_init and pod.restart_policy == "Never":
            return "Failed"
        if pending_regular_init or (pending_sidecars and not has_any_regular_container_started(pod)):
            return "Pending"
    statuses = [by_name.get(c.name) for c in pod.spec_containers]
    # getPhase counts a waiting container with a last termination (CrashLoopBackOff) as stopped, not waiting
    started = [cs for cs in statuses if cs is not None and (cs.state != "waiting" or cs.reason == CRASH_LOOP_BACK_OFF)]
    if not started:
        return "Pending"
    if pod.restart_policy == "Never" and len(started) == len(statuses) and all(cs.state != "running" for cs in started):
        return "Failed"
    return "Running"


def generate_pod_initialized_condition(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/kubelet/status/generate.go GeneratePodInitializedCondition.

    True without init containers, or once a regular container has started (sidecars may be
    restarting); else every regular init container terminated with exit code 0 and every
    sidecar started (running: the model has no startup probes).
    """
    if not pod.init_containers or has_any_regular_container_started(pod):
        return True
    by_name = {cs.name: cs for cs in pod.container_statuses}
    for c in pod.init_containers:
        cs = by_name.get(c.name)
        if cs is None:
            return False
        if is_restartable_init_container(c):
            if cs.state != "running":
                return False
        elif cs.state != "terminated" or cs.exit_code != 0:
            return False
    return True


def generate_api_pod_status(pod: Pod) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/kubelet/kubelet_pods.go generateAPIPodStatus (reduced).

    PodScheduled is True once bound; Initialized is :func:`generate_pod_initialized_condition`;
    ContainersReady (GenerateContainersReadyCondition) iff every regular container *and every
    sidecar* runs in the current, ready sandbox and is ready; Ready = ContainersReady (no
    readiness gates).  ``ready_elapsed`` is cleared when the pod is not Ready (its
    lastTransitionTime would move).
    """
    by_name = {cs.name: cs for cs in pod.container_statuses}
    containers_ready = bool(pod.spec_containers) and all(
        _container_ready(pod, by_name.get(c.name)) for c in pod.spec_containers
    ) and all(
        _container_ready(pod, by_name.get(c.name)) for c in pod.init_containers if is_restartable_init_container(c)
    )
    conditions = PodConditions(
        pod_scheduled=pod.node_name is not None,
        initialized=generate_pod_initialized_condition(pod),
        containers_ready=containers_ready,
        ready=containers_ready,
        disruption_target=pod.conditions.disruption_target,
    )
    return replace(
        pod,
        phase=_phase(pod),
        conditions=conditions,
        ready_elapsed=pod.ready_elapsed and containers_ready,
    )


def _status_stale(pod: Pod) -> bool:
    gen = generate_api_pod_status(pod)
    return (
        gen.phase != pod.phase
        or gen.conditions.ready != pod.conditions.ready
        or gen.conditions.containers_ready != pod.conditions.containers_ready
        # Initialized only matters (and is only compared) with init containers: without them it
        # is True from the first status write on, and comparing it would add a step
        or (bool(pod.init_containers) and gen.conditions.initialized != pod.conditions.initialized)
    )


# --------------------------------------------------------------------- fresh identities


def fresh_sandbox_id(state: ClusterState) -> int:
    """The lowest positive id that no pod's sandbox or container status refers to."""
    return _lowest_free(set().union(*(_sandbox_ids(p) for p in state.pods.values())))


def _sandbox_ids(pod: Pod) -> set[int]:
    """The sandbox ids ``pod``'s sandbox and container statuses refer to."""
    used = {cs.sandbox_id for cs in pod.container_statuses if cs.sandbox_id is not None}
    if pod.sandbox is not None:
        used.add(pod.sandbox.id)
    return used


def _lowest_free(used: set[int]) -> int:
    n = 1
    while n in used:
        n += 1
    return n


def fresh_pod_ip(state: ClusterState) -> str:
    """The lowest pool IP that no pod's sandbox holds (a dead sandbox still attached holds its
    IP, so a recreated sandbox always gets a different IP than the one it replaces)."""
    used = {p.sandbox.ip for p in state.pods.values() if p.sandbox is not None}
    k = 1
    while f"{IP_PREFIX}{k}" in used:
        k += 1
    return f"{IP_PREFIX}{k}"


def per_pod_sandbox_id(pod: Pod) -> int:
    """By-creator allocation: the lowest positive id that ``pod``'s own sandbox and container
    statuses do not refer to.  Sandbox ids are compared only within one pod (a container runs in
    its pod's current sandbox, KC-SBX-001/003), so ids need only differ within a pod."""
    return _lowest_free(_sandbox_ids(pod))


def per_pod_ip(pod: Pod) -> str:
    """By-creator allocation: ``<IP_PREFIX><namespace>/<name>/<k>``, ``k`` the lowest positive number
    that ``pod``'s attached sandbox does not hold.  Distinct from every other live pod's IP (two
    stored pods never share a namespace and name) and from the sandbox it replaces (the per-pod
    address block of upstream IPAM, docs/semantics.md#runtime section 7)."""
    held = pod.sandbox.ip if pod.sandbox is not None else None
    k = 1
    while f"{IP_PREFIX}{pod.namespace}/{pod.name}/{k}" == held:
        k += 1
    return f"{IP_PREFIX}{pod.namespace}/{pod.name}/{k}"


# ------------------------------------------------------------------------------- steps


def kubelet_can_act(state: ClusterState, pod: Pod) -> bool:
    """The pod is bound to a node that exists and is Ready (a NotReady node's kubelet is silent)."""
    if pod.node_name is None:
        return False
    node = state.get("Node", "", pod.node_name)
    return node is not None and node.ready


def _status_write(pod: Pod) -> tuple[Write, ...]:
    return (UpdateStatus(generate_api_pod_status(pod)),)


def _kill_containers(pod: Pod, names: frozenset[str] | None = None) -> tuple[ContainerStatus, ...]:
    return tuple(
        replace(cs, state="terminated", ready=False)
        if cs.state == "running" and (names is None or cs.name in names)
        else cs
        for cs in pod.container_statuses
    )


def _start_containers(
    pod: Pod,
    indexes: tuple[int, ...],
    kill: tuple[str, ...],
    init_indexes: tuple[int, ...] = (),
    images: FrozenMap[str, ImageFacts] = EMPTY,
) -> Pod:
    """Kill ``kill``, then start the init containers ``init_indexes`` and the regular containers
    ``indexes`` in the current sandbox (one SyncPod: steps 3, 6 and 8). A restarted regular
    container's restart count goes up; an init container's is not modelled (stays 0: nothing
    the model reads counts it, docs/semantics.md#runtime). A sidecar without a readiness probe is
    ready once running; a regular init container is not ready while it runs."""
    sb = pod.sandbox
    assert sb is not None
    pod = replace(pod, container_statuses=_kill_containers(pod, frozenset(kill)))
    by_name = {cs.name: cs for cs in pod.container_statuses}
    out: list[ContainerStatus] = []
    starting_init = {pod.init_containers[i].name for i in init_indexes}
    for c in pod.init_containers:
        prev = by_name.get(c.name)
        if c.name in starting_init:
            ready = is_restartable_init_container(c) and not c.readiness_probe
            restarts = 0 if prev is None else prev.restart_count
            out.append(ContainerStatus(c.name, c.image, "running", restarts, sb.id, ready=ready))
        elif prev is not None:
            out.append(prev)
    starting = {pod.spec_containers[i].name for i in indexes}
    for c in pod.spec_containers:
        prev = by_name.get(c.name)
        if c.name in starting:
            fresh = prev is None or (prev.state == "waiting" and prev.reason != CRASH_LOOP_BACK_OFF)
            restarts = 0 if prev is None else prev.restart_count + (0 if fresh else 1)
            if image_facts(images, c.image).start == "crashes":
                restarts = min(restarts, CRASH_LOOP_RESTART_CAP)
            out.append(ContainerStatus(c.name, c.image, "running", restarts, sb.id, ready=not c.readiness_probe,
                                       serving=not image_facts(images, c.image).serves_after))
        elif prev is not None:
            out.append(prev)
    return replace(pod, container_statuses=tuple(out))


def _purge_init_containers(pod: Pod, statuses: tuple[ContainerStatus, ...]) -> tuple[ContainerStatus, ...]:
    """kuberuntime purgeInitContainers (with a new sandbox): the init containers' runtime records
    are removed, so their statuses go back to waiting and initialization starts over."""
    if not pod.init_containers:
        return statuses
    names = {c.name for c in pod.init_containers}
    return tuple(
        replace(cs, state="waiting", ready=False, sandbox_id=None, exit_code=1) if cs.name in names else cs
        for cs in statuses
    )


def _kill_pod(pod: Pod) -> Pod:
    sb = pod.sandbox
    return replace(
        pod,
        container_statuses=_kill_containers(pod),
        sandbox=None if sb is None else replace(sb, ready=False),
    )


def _running_init_container(pod: Pod) -> ContainerSpec | None:
    """The regular (non-sidecar) init container that is running, if any (at most one runs)."""
    running = {cs.name for cs in pod.container_statuses if cs.state == "running"}
    for c in pod.init_containers:
        if c.name in running and not is_restartable_init_container(c):
            return c
    return None


def _complete_init_container(pod: Pod, c: ContainerSpec) -> KubeletStep | None:
    """A running regular init container exits, and the kubelet's next SyncPod acts on it, as one
    step: exit 0 starts the next init container (or, after the last, the regular containers);
    an init container of a broken image (``:broken``) exits 1: under restartPolicy Never the pod
    is killed (and becomes Failed); otherwise upstream restarts it with back-off for ever, which
    the model leaves as the init container running without completing (no step), with the same
    effect on every property: the pod never initializes, never becomes Ready."""
    from model.environment import is_broken_image

    failed = is_broken_image(c.image)
    if failed and pod.restart_policy != "Never":
        return None
    done = replace(pod, container_statuses=tuple(
        replace(cs, state="terminated", exit_code=1 if failed else 0, ready=not failed) if cs.name == c.name else cs
        for cs in pod.container_statuses
    ))
    actions = compute_pod_actions(done)
    if actions.kill_pod:
        return KubeletStep("kubelet_init_container_failed", _status_write(_kill_pod(done)))
    new = _start_containers(done, actions.containers_to_start, actions.containers_to_kill, actions.init_containers_to_start)
    return KubeletStep("kubelet_init_container_completed", _status_write(new))


def terminal_phase_of_killed_pod(pod: Pod) -> str:
    """The phase the kubelet (>= 1.27) writes for a pod whose containers it stopped because the
    pod is being deleted: pkg/kubelet/kubelet_pods.go getPhase with ``podIsTerminal`` (every
    container stopped: Succeeded when every regular container exited 0, else Failed).  The
    model's killed regular containers exit 1 (``runtime_pod_status``), so this is Failed unless
    every regular container had completed with exit 0 before."""
    regular = {c.name for c in pod.spec_containers}
    done = [cs for cs in pod.container_statuses if cs.name in regular]
    if len(done) == len(regular) and all(cs.state == "terminated" and cs.exit_code == 0 for cs in done):
        return "Succeeded"
    return "Failed"


def kubelet_step(
    state: ClusterState, key: tuple[str, str], images: FrozenMap[str, ImageFacts] = EMPTY, *, probes: bool = False,
    per_pod_ids: bool = False,
    terminal_phase: bool = False,
) -> KubeletStep | None:
    """The next step of the kubelet for the pod at ``key`` (see the module docstring), or
    ``None`` when it has nothing to do or cannot act (unbound pod, NotReady node).

    ``images`` are the scenario's image facts (:class:`ImageFacts`; tags ``:broken`` and
    ``:unready`` stand for facts too, :func:`image_facts`).  ``probes`` (the scenario's ``probes``
    clock): a readiness probe passes only if it can run between the app's ``serves-after`` /
    the probe's ``initialDelaySeconds`` and the app's ``unready-after`` (``model.prober.can_turn_ready``).
    ``per_pod_ids`` (the by-creator allocation, ``Scenario.identifiers``): a new sandbox's id and IP
    come from the pod alone (:func:`per_pod_sandbox_id`, :func:`per_pod_ip`), not from the pool of
    every pod.  ``terminal_phase``
    (``Scenario.kubelet_terminal_phase``): between the kill and the delete of a pod being
    deleted, the status manager writes its terminal phase (``kubelet_terminal_phase``,
    kubernetes/kubernetes#115331, 1.27; :func:`terminal_phase_of_killed_pod`)."""
    pod: Pod | None = state.get("Pod", *key)
    if pod is None or not kubelet_can_act(state, pod):
        return None
    if pod.deletion_timestamp is not None:
        running = any(cs.state == "running" for cs in pod.container_statuses)
        if running or pod.sandbox is not None:
            killed = replace(
                pod,
                container_statuses=_kill_containers(pod),
                sandbox=None,
                conditions=replace(pod.conditions, containers_ready=False, ready=False),
                ready_elapsed=False,
            )
            return KubeletStep("kubelet_kill_pod", (UpdateStatus(killed),))
        if (pod.deletion_grace_period_seconds or 0) == 0:
            return None  # already confirmed; only finalizers hold the object now
        if terminal_phase and pod.phase not in ("Succeeded", "Failed"):
            terminal = replace(pod, phase=terminal_phase_of_killed_pod(pod))
            return KubeletStep("kubelet_terminal_phase", (UpdateStatus(terminal),))
        return KubeletStep("kubelet_delete_pod", (Delete("Pod", pod.namespace, pod.name, uid=pod.uid, grace_period_seconds=0),))
    if _status_stale(pod):
        return KubeletStep("kubelet_update_status", _status_write(pod))
    exited = _crash_at_start(pod, images)
    if exited is not None:
        return exited
    actions = compute_pod_actions(pod)
    if actions.create_sandbox:
        sid = per_pod_sandbox_id(pod) if per_pod_ids else fresh_sandbox_id(state)
        new = replace(
            pod,
            container_statuses=_purge_init_containers(pod, _kill_containers(pod)),
            sandbox=Sandbox(id=sid, ip=per_pod_ip(pod) if per_pod_ids else fresh_pod_ip(state), netns=f"ns-{sid}"),
        )
        return KubeletStep("kubelet_start_sandbox", _status_write(new))
    if actions.kill_pod:
        if any(cs.state == "running" for cs in pod.container_statuses) or (pod.sandbox is not None and pod.sandbox.ready):
            return KubeletStep("kubelet_kill_pod", _status_write(_kill_pod(pod)))
        return None
    if actions.containers_to_start:
        failing = _start_failures(pod, actions.containers_to_start, images)
        if failing is not None:
            return failing
        actions = replace(actions, containers_to_start=tuple(
            i for i in actions.containers_to_start if not _held_back(pod, pod.spec_containers[i], images)))
    if actions.containers_to_start or actions.containers_to_kill or actions.init_containers_to_start:
        names = {pod.spec_containers[i].name for i in actions.containers_to_start}
        names |= {pod.init_containers[i].name for i in actions.init_containers_to_start}
        restarting = any(
            cs.name in names and (cs.state != "waiting" or cs.reason == CRASH_LOOP_BACK_OFF) for cs in pod.container_statuses
        )
        new = _start_containers(
            pod, actions.containers_to_start, actions.containers_to_kill, actions.init_containers_to_start, images
        )
        if restarting:
            label = "kubelet_restart_containers"
        elif actions.containers_to_start:
            label = "kubelet_start_containers"
        else:
            label = "kubelet_start_init_containers"
        return KubeletStep(label, _status_write(new))
    unready = [
        cs.name
        for cs, c in _pairs(pod)
        if c.readiness_probe and cs is not None and cs.state == "running" and not cs.ready
        and image_facts(images, c.image).ready != "never" and not cs.readiness_lost and cs.serving
        and (not probes or _probe_can_pass(c, images))
    ]
    if unready:
        new = replace(
            pod,
            container_statuses=tuple(
                replace(cs, ready=True) if cs.name in unready else cs for cs in pod.container_statuses
            ),
        )
        return KubeletStep("kubelet_probe_ready", _status_write(new))
    running_init = _running_init_container(pod)
    if running_init is not None:
        return _complete_init_container(pod, running_init)
    lost = [
        cs.name
        for cs, c in _pairs(pod)
        if c.readiness_probe and cs is not None and cs.state == "running" and cs.ready
        and image_facts(images, c.image).stops_being_ready()
    ]
    if lost:
        new = replace(pod, container_statuses=tuple(
            replace(cs, ready=False, readiness_lost=True) if cs.name in lost else cs for cs in pod.container_statuses))
        return KubeletStep("kubelet_probe_unready", _status_write(new))
    return None


# ------------------------------------------------------------------------- image facts

#: pkg/kubelet/images/types.go ErrImagePull: the pull failed (the first attempt, and each retry)
ERR_IMAGE_PULL = "ErrImagePull"
#: pkg/kubelet/images/types.go ErrImagePullBackOff: a pull is not retried before its back-off expires
IMAGE_PULL_BACK_OFF = "ImagePullBackOff"
#: pkg/kubelet/kuberuntime/kuberuntime_container.go ErrCrashLoopBackOff: an exited container waits for its
#: restart back-off (10s doubling to 5m, pkg/kubelet/kubelet.go)
CRASH_LOOP_BACK_OFF = "CrashLoopBackOff"
#: restart counts of a crash-looping container stop growing here (states stay finite); see
#: docs/semantics.md#image-facts
CRASH_LOOP_RESTART_CAP = 2


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What an image does when the kubelet runs it (declared per image in a scenario file).

    ``pull``: ``ok`` or ``fails`` (every pull fails: ErrImagePull, then ImagePullBackOff; the
    container is never created).  ``start``: ``ok`` or ``crashes`` (the process exits right after
    it starts, every time: CrashLoopBackOff).  ``ready``: ``ok`` (the readiness probe passes),
    ``never`` (it never passes), ``flaps`` (it passes, and may fail again at any moment: the
    unbudgeted ``fault_readiness_probe_fails``), ``stops`` (it passes, then fails for good: the app
    turns unready after start).  Readiness facts act through a readiness probe: upstream marks a
    container without one Ready as soon as it runs.
    """

    pull: Literal["ok", "fails"] = "ok"
    start: Literal["ok", "crashes"] = "ok"
    ready: Literal["ok", "never", "flaps", "stops"] = "ok"
    #: seconds after the container starts until the app serves (answers requests; a readiness probe
    #: passes only from then on); ``None``: at once.  Compared with minReadySeconds
    #: (:func:`min_ready_waits_for_serving`); docs/semantics.md, "Timed image facts".
    serves_after: int | None = None
    #: seconds after the container starts until the app turns unready for good (its readiness probe
    #: passes, then fails from then on: ``ready: stops`` at a known time); ``None``: never.  Compared
    #: with minReadySeconds (:func:`min_ready_waits_for_unready`); docs/semantics.md, "Timed image facts".
    unready_after: int | None = None

    def stops_being_ready(self) -> bool:
        """Whether the readiness probe, once passed, fails for good (``ready: stops`` or ``unready-after``)."""
        return self.ready == "stops" or self.unready_after is not None


_NO_FACTS = ImageFacts()
_TAG_FACTS = {"unready": ImageFacts(ready="never"), "broken": ImageFacts(ready="flaps")}


def image_facts(images: FrozenMap[str, ImageFacts], image: str) -> ImageFacts:
    """The facts of ``image``: as declared in ``images``, else by its tag (``:unready``: ready never;
    ``:broken``: ready flaps), else all ``ok``."""
    declared = images.get(image)
    if declared is not None:
        return declared
    return _TAG_FACTS.get(image.rsplit("/", 1)[-1].partition(":")[2], _NO_FACTS)


def _crash_at_start(pod: Pod, images: FrozenMap[str, ImageFacts]) -> KubeletStep | None:
    """A running container of a ``start: crashes`` image exits (the PLEG reports it; the status the
    next syncPod writes goes with it): ``kubelet_container_exited``."""
    names = {c.name for c in pod.spec_containers if image_facts(images, c.image).start == "crashes"}
    crashed = [cs.name for cs in pod.container_statuses if cs.name in names and cs.state == "running"]
    if not crashed:
        return None
    new = replace(pod, container_statuses=_kill_containers(pod, frozenset(crashed)))
    return KubeletStep("kubelet_container_exited", _status_write(new))


def _held_back(pod: Pod, c: ContainerSpec, images: FrozenMap[str, ImageFacts]) -> bool:
    """The container waits in ImagePullBackOff (its image never pulls: nothing to start)."""
    prev = next((cs for cs in pod.container_statuses if cs.name == c.name), None)
    return (
        prev is not None and prev.state == "waiting" and prev.reason == IMAGE_PULL_BACK_OFF
        and prev.image == c.image and image_facts(images, c.image).pull == "fails"
    )


def _start_failures(pod: Pod, indexes: tuple[int, ...], images: FrozenMap[str, ImageFacts]) -> KubeletStep | None:
    """The start of a container fails before it runs (kuberuntime_container.go startContainer):

    * its image does not pull (pkg/kubelet/images/image_manager.go EnsureImageExists): the first
      failure is ``ErrImagePull``; while the pull back-off runs the kubelet reports
      ``ImagePullBackOff`` without pulling.  The container stays waiting, never created; the pod
      stays Pending (if no container ever ran) and ContainersNotReady;
    * it exited and is in restart back-off (kuberuntime_manager.go doBackOff): the status says
      waiting ``CrashLoopBackOff``; the next step after it restarts the container (restartCount + 1).

    One step moves every such container of the pod one stage; ``None`` when none moves.
    """
    changes: dict[str, ContainerStatus] = {}
    label = ""
    by_name = {cs.name: cs for cs in pod.container_statuses}
    for i in indexes:
        c = pod.spec_containers[i]
        prev = by_name.get(c.name)
        facts = image_facts(images, c.image)
        restarts = 0 if prev is None else prev.restart_count
        if facts.pull == "fails":
            if prev is not None and prev.state == "waiting" and prev.image == c.image and prev.reason == IMAGE_PULL_BACK_OFF:
                continue
            if prev is not None and prev.state == "waiting" and prev.image == c.image and prev.reason == ERR_IMAGE_PULL:
                changes[c.name] = replace(prev, reason=IMAGE_PULL_BACK_OFF)
                label = label or "kubelet_image_pull_backoff"
            else:
                changes[c.name] = ContainerStatus(c.name, c.image, "waiting", restarts, None, reason=ERR_IMAGE_PULL)
                label = label or "kubelet_pull_image_failed"
        elif facts.start == "crashes" and prev is not None and prev.state == "terminated" and prev.image == c.image:
            changes[c.name] = replace(prev, state="waiting", ready=False, reason=CRASH_LOOP_BACK_OFF)
            label = label or "kubelet_crash_loop_backoff"
    if not changes:
        return None
    statuses = [changes.pop(cs.name, cs) for cs in pod.container_statuses]
    statuses.extend(changes.values())  # containers never seen before, in spec order
    order = {c.name: i for i, c in enumerate(pod.spec_containers)}
    statuses.sort(key=lambda cs: order.get(cs.name, len(order)))
    return KubeletStep(label, _status_write(replace(pod, container_statuses=tuple(statuses))))


#: An image whose tag is this (``app:unready``) stands for a container whose readiness probe never
#: passes (a crash-looping or misconfigured application): the kubelet's probe step never marks it
#: ready.  Declared by the user in the manifest, like ``:broken`` (model.environment.BROKEN_IMAGE_TAG,
#: which flaps instead); docs/semantics.md, "PodDisruptionBudget, eviction and drain".
NEVER_READY_TAG = "unready"


def is_never_ready_image(image: str) -> bool:
    """``<repository>:unready``: an image whose readiness probe never passes (:func:`image_facts`)."""
    return image.rsplit("/", 1)[-1].partition(":")[2] == NEVER_READY_TAG


def _pairs(pod: Pod) -> list[tuple[ContainerStatus | None, ContainerSpec]]:
    """(status, spec) of every container a readiness probe can gate: the regular ones and the sidecars."""
    by_name = {cs.name: cs for cs in pod.container_statuses}
    sidecars = [c for c in pod.init_containers if is_restartable_init_container(c)]
    return [(by_name.get(c.name), c) for c in (*sidecars, *pod.spec_containers)]


# ---------------------------------------------------------------------- abstract time


def _min_ready_seconds_of_controller(state: ClusterState, pod: Pod) -> int:
    ref = pod.controller_ref()
    if ref is None:
        return 0
    owner = state.by_uid(ref.uid)
    return int(getattr(owner, "min_ready_seconds", 0) or 0)


def ready_elapsed_can_expire(state: ClusterState, pod: Pod) -> bool:
    """The minReadySeconds timer of a Ready pod may run out (abstract time).

    Only for pods whose controller has ``minReadySeconds > 0``: with 0 the flag is never
    read (IsPodAvailable is then just IsPodReady), so not setting it keeps states fewer.
    """
    return (
        pod.conditions.ready
        and not pod.ready_elapsed
        and pod.deletion_timestamp is None
        and _min_ready_seconds_of_controller(state, pod) > 0
    )


def expire_ready_elapsed(pod: Pod) -> Write:
    """The expiry step: ``now - Ready.lastTransitionTime >= minReadySeconds`` becomes true."""
    return UpdateStatus(replace(pod, ready_elapsed=True))


# ------------------------------------------------------------------- timed image facts


def starts_serving(pod: Pod) -> tuple[tuple[str, Pod], ...]:
    """The ``app_starts_serving`` clock steps of ``pod``: one per running container whose app does not
    serve yet (``ImageFacts.serves_after``), each ``(container, the pod with that container serving)``."""
    if pod.node_name is None or pod.deletion_timestamp is not None:
        return ()
    out = []
    for cs in pod.container_statuses:
        if cs.state == "running" and not cs.serving:
            out.append((cs.name, replace(pod, container_statuses=tuple(
                replace(x, serving=True) if x.name == cs.name else x for x in pod.container_statuses))))
    return tuple(out)


def _probe_can_pass(c: ContainerSpec, images: FrozenMap[str, ImageFacts]) -> bool:
    """Under the ``probes`` clock: whether ``c``'s readiness probe can pass at all (model.prober.can_turn_ready)."""
    from model.prober import can_turn_ready

    facts = image_facts(images, c.image)
    return can_turn_ready(c.readiness_timing, facts.serves_after, facts.unready_after)


def min_ready_waits_for_unready(
    state: ClusterState, pod: Pod, images: FrozenMap[str, ImageFacts], *, probes: bool = False
) -> bool:
    """Whether the pod's minReadySeconds timer cannot run out yet because an app of it turns unready first.

    The mirror image of :func:`min_ready_waits_for_serving`: a running container with a readiness
    probe whose app turns unready ``U`` seconds after start (``ImageFacts.unready_after``) and has not
    yet (``readiness_lost`` False), under a controller with ``minReadySeconds`` ``M > U``.  The pod is
    Ready no earlier than the container's start, so ``start + U < Ready + M``: the probe fails (the
    ``kubelet_probe_unready`` step) before the pod is available, and the pod never becomes available.
    (``U >= M``: no order is imposed, both orders are explored; a container without a readiness probe
    is Ready for as long as it runs, as upstream, so the fact has no effect on it.)

    Under the ``probes`` clock the comparison takes the probe's timing into account
    (``model.prober``): the kubelet has published the failure by ``latest_unready_offset`` after the
    start, and the pod cannot be Ready before ``earliest_ready_offset`` (the app serves and the
    initial delay is over), so it waits when ``latest_unready_offset < earliest_ready_offset + M``.
    """
    from model.prober import earliest_ready_offset, latest_unready_offset

    m = _min_ready_seconds_of_controller(state, pod)
    if m <= 0:
        return False
    for cs, c in _pairs(pod):
        if cs is None or not c.readiness_probe or cs.state != "running" or cs.readiness_lost:
            continue
        facts = image_facts(images, c.image)
        u = facts.unready_after
        if u is None:
            continue
        if not probes:
            if u < m:
                return True
        elif latest_unready_offset(c.readiness_timing, u) < earliest_ready_offset(c.readiness_timing, facts.serves_after) + m:
            return True
    return False


def min_ready_waits_for_serving(state: ClusterState, pod: Pod, images: FrozenMap[str, ImageFacts]) -> bool:
    """Whether the pod's minReadySeconds timer cannot run out yet because an app of it serves first.

    Regions of clock values, as timed-automata checkers keep them: a running container without a
    readiness probe whose app serves ``S`` seconds after start and is not serving yet, under a
    controller with ``minReadySeconds`` ``M > S``.  The container was Ready when it started, so the
    pod's Ready transition is no earlier than the container's start, and ``start + S < Ready + M``:
    the app serves before the pod is available.  (``S >= M``: no order is imposed, both orders are
    explored; a container with a probe is Ready only once it serves.)
    """
    m = _min_ready_seconds_of_controller(state, pod)
    if m <= 0:
        return False
    for cs, c in _pairs(pod):
        if cs is None or c.readiness_probe or cs.state != "running" or cs.serving:
            continue
        s = image_facts(images, c.image).serves_after
        if s is not None and s < m:
            return True
    return False


def min_ready_expiries(state: ClusterState) -> Iterator[TimerStep]:
    """The minReadySeconds timer of every pod that :func:`ready_elapsed_can_expire`."""
    from model.apiserver import apply_write

    for key, pod in state.pods.items():
        if ready_elapsed_can_expire(state, pod):
            yield TimerStep("expiry_min_ready_seconds", "Pod", key, apply_write(state, expire_ready_elapsed(pod)))


#: The minReadySeconds timer (fair: time passes), registered in ``model.registry``.
MIN_READY_TIMER = Timer("min_ready_seconds", True, min_ready_expiries, frozenset({"expiry_min_ready_seconds"}))
