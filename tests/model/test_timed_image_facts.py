"""Timed image facts: ``serves-after: N`` (model.kubelet.starts_serving, min_ready_waits_for_serving).

A container without a readiness probe is Ready when it runs; its app serves N seconds later
(``app_starts_serving``, a clock step).  With minReadySeconds M > N the pod's availability waits for
the app; with M <= N both orders are explored.  A container with a probe is Ready only once it serves.
"""

from __future__ import annotations

from model.frozen import FrozenMap
from model.kubelet import ImageFacts, kubelet_step, min_ready_waits_for_serving
from model.manifests import load_text
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import node

RS = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: api}
spec:
  replicas: 1
  minReadySeconds: MRS
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:2PROBE}]}
"""
SLOW = FrozenMap({"api:2": ImageFacts(serves_after=25)})


def _system(min_ready: int, probe: bool = False) -> KubeSystem:
    text = RS.replace("MRS", str(min_ready)).replace("PROBE", ", readinessProbe: {httpGet: {path: /, port: 80}}" if probe else "")
    (rs,) = load_text(text).objects
    return KubeSystem(Scenario(ClusterState.from_objects([node(), rs]), images=SLOW))


def _labels_until_available(system: KubeSystem) -> set[tuple[str, ...]]:
    """Every order of the clock steps (serving, minReadySeconds) on the way to an available, serving pod."""
    orders: set[tuple[str, ...]] = set()
    stack: list[tuple[SystemState, tuple[str, ...]]] = [(system.init_states()[0], ())]
    seen: set[tuple[SystemState, tuple[str, ...]]] = set()
    while stack:
        s, path = stack.pop()
        if (s, path) in seen:
            continue
        seen.add((s, path))
        nxt = [(a, n) for a, n in system.successors(s) if a.fair]
        if not nxt:
            orders.add(path)
            continue
        for a, n in nxt:
            stack.append((n, path + ((a.label,) if a.actor == "clock" else ())))
    return orders


def test_a_container_of_a_slow_image_runs_ready_and_not_serving() -> None:
    system = _system(0)
    s = system.init_states()[0]
    while (fair := [(a, n) for a, n in system.successors(s) if a.fair and a.label != "app_starts_serving"]):
        s = fair[0][1]
    (pod,) = s.cluster.pods.values()
    (cs,) = pod.container_statuses
    assert cs.state == "running" and cs.ready and not cs.serving  # no probe: Ready before serving
    ((a, after),) = [(a, n) for a, n in system.successors(s) if a.label == "app_starts_serving"]
    assert a.actor == "clock" and a.fair and a.data == ("default", pod.name, "api")
    assert after.cluster.pods[("default", pod.name)].container_statuses[0].serving


def test_min_ready_longer_than_the_start_waits_for_the_app() -> None:
    orders = _labels_until_available(_system(30))
    assert orders == {("app_starts_serving", "expiry_min_ready_seconds")}


def test_min_ready_shorter_than_the_start_explores_both_orders() -> None:
    orders = _labels_until_available(_system(10))
    assert orders == {("app_starts_serving", "expiry_min_ready_seconds"), ("expiry_min_ready_seconds", "app_starts_serving")}


def test_a_readiness_probe_passes_only_once_the_app_serves() -> None:
    system = _system(0, probe=True)
    s = system.init_states()[0]
    while (fair := [(a, n) for a, n in system.successors(s) if a.fair and a.label != "app_starts_serving"]):
        s = fair[0][1]
    (pod,) = s.cluster.pods.values()
    assert pod.container_statuses[0].state == "running" and not pod.container_statuses[0].ready
    assert kubelet_step(s.cluster, ("default", pod.name), SLOW) is None  # the probe waits for the app
    assert not min_ready_waits_for_serving(s.cluster, pod, SLOW)
    (after,) = [n for a, n in system.successors(s) if a.label == "app_starts_serving"]
    step = kubelet_step(after.cluster, ("default", pod.name), SLOW)
    assert step is not None and step.label == "kubelet_probe_ready"


def test_without_timed_facts_nothing_changes() -> None:
    text = RS.replace("MRS", "10").replace("PROBE", "")
    (rs,) = load_text(text).objects
    system = KubeSystem(Scenario(ClusterState.from_objects([node(), rs])))
    s = system.init_states()[0]
    labels = []
    while (fair := [(a, n) for a, n in system.successors(s) if a.fair]):
        labels.append(fair[0][0].label)
        s = fair[0][1]
    assert "app_starts_serving" not in labels and all(cs.serving for p in s.cluster.pods.values() for cs in p.container_statuses)


# ---------------------------------------------------------------- unready-after: N (min_ready_waits_for_unready)

TURNS = FrozenMap({"api:2": ImageFacts(unready_after=8)})


def _turning(min_ready: int, probe: bool = True) -> KubeSystem:
    text = RS.replace("MRS", str(min_ready)).replace("PROBE", ", readinessProbe: {httpGet: {path: /, port: 80}}" if probe else "")
    (rs,) = load_text(text).objects
    return KubeSystem(Scenario(ClusterState.from_objects([node(), rs]), images=TURNS))


def _unready_orders(system: KubeSystem) -> set[tuple[str, ...]]:
    """Every order of minReadySeconds running out and the app turning unready, over the fair runs."""
    orders: set[tuple[str, ...]] = set()
    stack: list[tuple[SystemState, tuple[str, ...]]] = [(system.init_states()[0], ())]
    seen: set[tuple[SystemState, tuple[str, ...]]] = set()
    while stack:
        s, path = stack.pop()
        if (s, path) in seen:
            continue
        seen.add((s, path))
        nxt = [(a, n) for a, n in system.successors(s) if a.fair]
        if not nxt:
            orders.add(path)
            continue
        for a, n in nxt:
            keep = a.label in ("expiry_min_ready_seconds", "kubelet_probe_unready")
            stack.append((n, path + ((a.label,) if keep else ())))
    return orders


def test_min_ready_longer_than_the_unready_window_never_lets_the_pod_be_available() -> None:
    assert _unready_orders(_turning(10)) == {("kubelet_probe_unready",)}


def test_min_ready_shorter_than_the_unready_window_explores_both_orders() -> None:
    assert _unready_orders(_turning(5)) == {("kubelet_probe_unready",), ("expiry_min_ready_seconds", "kubelet_probe_unready")}


def test_unready_after_acts_through_the_readiness_probe_only() -> None:
    """Without a probe the container is Ready while it runs (upstream), so the fact changes nothing."""
    assert _unready_orders(_turning(10, probe=False)) == {("expiry_min_ready_seconds",)}
    assert ImageFacts(unready_after=8).stops_being_ready() and ImageFacts(ready="stops").stops_being_ready()
    assert not ImageFacts().stops_being_ready()
