"""Image facts (model.kubelet.ImageFacts): pull failures, crash at start, readiness that never comes,
flaps or stops; through kubelet_step on one pod, and through the whole system (a rollout)."""

from __future__ import annotations

from dataclasses import replace

from model.frozen import EMPTY, FrozenMap
from model.kubelet import (
    CRASH_LOOP_BACK_OFF,
    CRASH_LOOP_RESTART_CAP,
    ERR_IMAGE_PULL,
    IMAGE_PULL_BACK_OFF,
    ImageFacts,
    generate_api_pod_status,
    image_facts,
    kubelet_step,
)
from model.api import UpdateStatus
from model.environment import SetImage, fault_instances, FaultBudget
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, deployment, node, pod

KEY = ("default", "p")


def _run(c: ClusterState, images: FrozenMap[str, ImageFacts], limit: int = 30) -> tuple[list[str], list[ClusterState]]:
    """Apply the kubelet's steps for pod ``p`` until it has none (or ``limit``); the labels and states."""
    labels: list[str] = []
    states: list[ClusterState] = []
    for _ in range(limit):
        st = kubelet_step(c, KEY, images)
        if st is None:
            break
        (w,) = st.writes
        assert isinstance(w, UpdateStatus)
        c = c.put(w.obj)
        labels.append(st.label)
        states.append(c)
    return labels, states


def test_facts_by_declaration_then_by_tag() -> None:
    images = FrozenMap({"nginx:2": ImageFacts(pull="fails")})
    assert image_facts(images, "nginx:2").pull == "fails"
    assert image_facts(images, "nginx:1") == ImageFacts()
    assert image_facts(EMPTY, "reg.io/nginx:unready").ready == "never"
    assert image_facts(EMPTY, "nginx:broken").ready == "flaps"
    # a declaration wins over the tag
    assert image_facts(FrozenMap({"nginx:broken": ImageFacts()}), "nginx:broken").ready == "ok"


def test_image_pull_failure_errimagepull_then_backoff_pod_stays_pending() -> None:
    c = cluster(node(), pod("p", "node-1", image="nginx:2"))
    labels, states = _run(c, FrozenMap({"nginx:2": ImageFacts(pull="fails")}))
    assert labels == ["kubelet_start_sandbox", "kubelet_pull_image_failed", "kubelet_image_pull_backoff"]
    p1, p2 = states[1].pods[KEY], states[2].pods[KEY]
    assert [(cs.state, cs.reason) for cs in p1.container_statuses] == [("waiting", ERR_IMAGE_PULL)]
    assert [(cs.state, cs.reason) for cs in p2.container_statuses] == [("waiting", IMAGE_PULL_BACK_OFF)]
    assert p2.phase == "Pending" and not p2.conditions.containers_ready and not p2.conditions.ready
    # the same pod with a good image runs
    labels, states = _run(c, EMPTY)
    assert labels == ["kubelet_start_sandbox", "kubelet_start_containers"]
    assert states[-1].pods[KEY].conditions.ready


def test_fixing_the_image_of_a_pod_in_backoff_starts_it() -> None:
    c = cluster(node(), pod("p", "node-1", image="nginx:2"))
    images = FrozenMap({"nginx:2": ImageFacts(pull="fails")})
    _, states = _run(c, images)
    stuck = states[-1].pods[KEY]
    fixed = replace(stuck, spec_containers=(replace(stuck.spec_containers[0], image="nginx:1"),))
    labels, states = _run(states[-1].put(fixed), images)
    assert labels == ["kubelet_start_containers"]
    assert states[-1].pods[KEY].phase == "Running" and states[-1].pods[KEY].conditions.ready


def test_crash_at_start_loops_with_backoff_and_capped_restarts() -> None:
    c = cluster(node(), pod("p", "node-1", image="nginx:2", probe=True))
    labels, states = _run(c, FrozenMap({"nginx:2": ImageFacts(start="crashes")}), limit=14)
    assert labels[:6] == ["kubelet_start_sandbox", "kubelet_start_containers", "kubelet_container_exited",
                          "kubelet_crash_loop_backoff", "kubelet_restart_containers", "kubelet_container_exited"]
    assert len(labels) == 14  # never quiescent: the kubelet keeps restarting it
    clbo = states[3].pods[KEY]
    assert [(cs.state, cs.reason, cs.restart_count) for cs in clbo.container_statuses] == [("waiting", CRASH_LOOP_BACK_OFF, 0)]
    assert clbo.phase == "Running"  # getPhase: waiting with a last termination counts as stopped, restartable
    assert states[4].pods[KEY].container_statuses[0].restart_count == 1
    assert max(cs.restart_count for s in states for cs in s.pods[KEY].container_statuses) == CRASH_LOOP_RESTART_CAP
    assert not any(s.pods[KEY].conditions.ready for s in states)  # with a readiness probe: never Ready


def test_crash_at_start_without_probe_is_ready_while_it_runs() -> None:
    """Upstream marks a running container without a readiness probe ready: the crash-looping pod flashes Ready."""
    c = cluster(node(), pod("p", "node-1", image="nginx:2"))
    labels, states = _run(c, FrozenMap({"nginx:2": ImageFacts(start="crashes")}), limit=4)
    assert labels[1] == "kubelet_start_containers" and states[1].pods[KEY].conditions.ready
    assert not states[2].pods[KEY].conditions.ready


def test_ready_never_and_ready_stops() -> None:
    c = cluster(node(), pod("p", "node-1", image="nginx:2", probe=True))
    labels, states = _run(c, FrozenMap({"nginx:2": ImageFacts(ready="never")}))
    assert labels == ["kubelet_start_sandbox", "kubelet_start_containers"]
    assert states[-1].pods[KEY].phase == "Running" and not states[-1].pods[KEY].conditions.ready
    labels, states = _run(c, FrozenMap({"nginx:2": ImageFacts(ready="stops")}))
    assert labels == ["kubelet_start_sandbox", "kubelet_start_containers", "kubelet_probe_ready", "kubelet_probe_unready"]
    assert states[2].pods[KEY].conditions.ready and not states[3].pods[KEY].conditions.ready
    assert states[3].pods[KEY].container_statuses[0].readiness_lost


def test_ready_flaps_is_the_unbudgeted_probe_fault() -> None:
    c = cluster(node(), pod("p", "node-1", image="nginx:2", probe=True))
    images = FrozenMap({"nginx:2": ImageFacts(ready="flaps")})
    _, states = _run(c, images)
    ready = states[-1]
    assert ready.pods[KEY].conditions.ready
    assert [f.label for f in fault_instances(ready, FaultBudget(), images)] == ["fault_readiness_probe_fails"]
    assert fault_instances(ready, FaultBudget(), EMPTY) == []


def _final_states(images: FrozenMap[str, ImageFacts]) -> list[SystemState]:
    system = KubeSystem(Scenario(cluster(node(), deployment(replicas=1, surge=1, unavailable=0)),
                                 user_actions=(SetImage("Deployment", "web", "nginx:2"),), images=images))
    s0 = system.init_states()[0]
    while (fair := [n for a, n in system.successors(s0) if a.fair]):
        s0 = fair[0]  # start-up: the manifests settle first (nginx:1 running)
    seen = {s0}
    todo = [s0]
    while todo:
        s = todo.pop()
        for _, n in system.successors(s):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return [s for s in seen if s.user_budget == (0,) and not any(a.fair for a in system.actions(s))]


def test_rollout_to_image_that_fails_to_pull_keeps_the_old_pod_and_never_completes() -> None:
    finals = _final_states(FrozenMap({"nginx:2": ImageFacts(pull="fails")}))
    assert finals
    for s in finals:
        pods = {p.spec_containers[0].image: p for p in s.cluster.pods.values() if p.deletion_timestamp is None}
        assert pods["nginx:1"].conditions.ready  # maxUnavailable 0: the old pod stays
        assert pods["nginx:2"].container_statuses[0].reason == IMAGE_PULL_BACK_OFF
        assert pods["nginx:2"].phase == "Pending"
    good = _final_states(EMPTY)
    assert good and all({p.spec_containers[0].image for p in s.cluster.pods.values()} == {"nginx:2"} for s in good)


def test_status_generation_counts_backoff_pods_not_ready() -> None:
    p = pod("p", "node-1", image="nginx:2")
    from model.objects import ContainerStatus

    waiting = replace(p, container_statuses=(ContainerStatus("app", "nginx:2", "waiting", 0, None, reason=IMAGE_PULL_BACK_OFF),))
    g = generate_api_pod_status(waiting)
    assert g.phase == "Pending" and not g.conditions.ready


def test_trace_view_shows_the_waiting_reason() -> None:
    c = cluster(node(), pod("p", "node-1", image="nginx:2"))
    images = FrozenMap({"nginx:2": ImageFacts(pull="fails")})
    _, states = _run(c, images)
    system = KubeSystem(Scenario(states[-1], images=images))
    d = system.describe_state(system.init_states()[0])
    assert "app:wait(ImagePullBackOff)/0" in d["Pod p"] and d["Pod p"].startswith("node-1 Pending not-ready")
