"""DaemonSet expectations (issue #20 items 2/3): pkg/controller/daemon/daemon_controller.go keeps plain
``ControllerExpectations`` (``controller.NewControllerExpectations()``): ``syncNodes`` sets
``SetExpectations(dsKey, createDiff, deleteDiff)``, the pod handlers lower them, and
``syncDaemonSet`` only updates the status (without raising observedGeneration) while they are not
satisfied.  Wired in with informer caches (``caches: lagged``), as for ReplicaSets/RCs."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

from model.api import Create, Delete, UpdateStatus
from model.apiserver import apply_write
from model.controller_utils import UIDTrackingControllerExpectations
from model.daemon import sync_daemon_set
from model.environment import FaultBudget
from model.frozen import FrozenMap
from model.informer import after_controller_step, delivery_steps, initial_informer, observe_daemon_pods, rs_needs_sync
from model.labels import LabelSelector
from model.objects import ContainerSpec, DaemonSet, Node, PodTemplate
from model.state import ClusterState
from model.system import KubeSystem, Scenario

L = FrozenMap({"app": "agent"})
KEY = ("default", "agent")
AK = ("daemonset", "default", "agent")


def _ds(**kw: Any) -> DaemonSet:
    return DaemonSet(name="agent", uid="uid-ds", selector=LabelSelector(L),
                     template=PodTemplate(labels=L, containers=(ContainerSpec("c", "agent:1"),)), **kw)


def _with_history(nodes: int = 2, **kw: Any) -> ClusterState:
    """The DaemonSet on ``nodes`` nodes after its first sync's ControllerRevision is stored."""
    c = ClusterState.from_objects([*(Node(name=f"node-{i + 1}") for i in range(nodes)), _ds(**kw)])
    for w in sync_daemon_set(c, KEY):
        if isinstance(w, Create) and type(w.obj).__name__ == "ControllerRevision":
            c = apply_write(c, w)
    return c


def test_unsatisfied_expectations_only_update_the_status_without_observed_generation() -> None:
    """syncDaemonSet: "Only update status. Don't raise observedGeneration since controller didn't
    process object of that generation." (no creates while the expectations are pending)."""
    c = _with_history()
    ds = c.get("DaemonSet", *KEY)
    c = c.put(replace(ds, generation=3, status=replace(ds.status, observed_generation=2)))
    satisfied = sync_daemon_set(c, KEY)
    waiting = sync_daemon_set(c, KEY, ds_needs_sync=False)
    assert sum(isinstance(w, Create) for w in satisfied) == 2
    assert not any(isinstance(w, (Create, Delete)) for w in waiting)
    status = [w for w in waiting if isinstance(w, UpdateStatus)]
    assert len(status) == 1 and status[0].obj.status.observed_generation == 2
    assert status[0].obj.status.desired_number_scheduled == 2
    assert [w for w in satisfied if isinstance(w, UpdateStatus)][0].obj.status.observed_generation == 3


def test_set_expectations_on_creates_and_creation_observed_on_delivery() -> None:
    """syncNodes SetExpectations(dsKey, 2, 0); addPod CreationObserved per delivered pod."""
    c = _with_history()
    inf = initial_informer(c)
    writes = sync_daemon_set(c, KEY)
    inf = after_controller_step(inf, AK, started=writes, applied=writes[:1], dropped=(), fence=False)
    assert not rs_needs_sync(inf, "daemonset", KEY)
    assert inf.expectations["daemonset"].get_expectations(KEY)[0].get_expectations() == (2, 0)
    for w in writes:
        c = apply_write(c, w)
    (delivery,) = [d for d in delivery_steps(c, inf) if d.kind == "Pod"]
    assert rs_needs_sync(delivery.informer, "daemonset", KEY)


def test_failed_create_and_delete_lower_the_expectations() -> None:
    """syncNodes' error paths: a failed create CreationObserved, a failed delete DeletionObserved."""
    c = _with_history()
    inf = initial_informer(c)
    writes = tuple(w for w in sync_daemon_set(c, KEY) if isinstance(w, Create))
    inf = after_controller_step(inf, AK, started=writes, applied=(), dropped=writes, fence=False)
    assert rs_needs_sync(inf, "daemonset", KEY)
    dels = (Delete("Pod", "default", "agent-1"),)
    inf = after_controller_step(inf, AK, started=dels, applied=(), dropped=(), fence=False)
    assert not rs_needs_sync(inf, "daemonset", KEY)
    inf = after_controller_step(inf, AK, started=None, applied=(), dropped=dels, fence=False)
    assert rs_needs_sync(inf, "daemonset", KEY)


def test_graceful_deletion_is_counted_on_every_terminating_update() -> None:
    """updatePod: any update of a pod with a deletionTimestamp calls deletePod, which counts a
    deletion each time (plain expectations, no UID set): one deletion expected, two observed."""
    c = _with_history(nodes=1)
    for w in sync_daemon_set(c, KEY):
        c = apply_write(c, w)
    (pod,) = c.pods.values()
    exp = UIDTrackingControllerExpectations()
    exp = replace(exp, expectations=exp.expectations.set_expectations(KEY, 0, 1))
    old = c.pods
    terminating = c.put(replace(pod, deletion_timestamp=1))
    exp = observe_daemon_pods(exp, terminating, old, terminating.pods)
    assert exp.satisfied_expectations(KEY)
    again = terminating.put(replace(pod, deletion_timestamp=1, phase="Running"))
    exp = observe_daemon_pods(exp, again, terminating.pods, again.pods)
    assert exp.get_expectations(KEY)[0].get_expectations() == (0, -1)


def _explore(version: str, lag: int) -> tuple[int, bool]:
    """(states, whether some node ever has two live daemon pods) of the DaemonSet from scratch on
    one node with caches."""
    system = KubeSystem(Scenario(ClusterState.from_objects([Node(name="node-1"), _ds()]), caches="lagged",
                                 kubernetes_version=version, faults=FaultBudget(informer_lag=lag), name="ds-caches"))
    init = system.init_states()
    seen, queue, doubled = set(init), deque(init), False
    while queue:
        s = queue.popleft()
        live = [p for p in s.cluster.pods.values() if p.deletion_timestamp is None]
        doubled = doubled or len(live) > 1
        for _, t in system.successors(s):
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen), doubled


def test_expectations_stop_a_second_daemon_pod_on_a_lagging_cache() -> None:
    """Without them the DaemonSet would create a second pod for node-1 on a cache that does not
    show its first one yet; with them it waits (1.35: no KEP-5647 fence)."""
    assert not _explore("1.35", 0)[1]


def test_an_expired_expectation_on_a_lagging_cache_doubles_the_pod_and_the_fence_stops_it() -> None:
    """The cache lags past ExpectationsTimeout (the informer_lag fault): a second pod for node-1
    before 1.36; the 1.36 fence (StaleControllerConsistencyDaemonSet) removes it."""
    assert _explore("1.35", 1)[1]
    assert not _explore("1.36", 1)[1]


def test_expectations_on_recreate() -> None:
    """daemon_controller_test.go TestExpectationsOnRecreate: the first sync of DaemonSet "test" on
    one node creates one pod and leaves an unfulfilled expectation; deleting the DaemonSet removes
    its expectations (deleteDaemonset); the re-created DaemonSet (new UID, same name) syncs at once,
    creates one pod and has an unfulfilled expectation of its own.  (The queue lengths the test
    also checks have no counterpart: the model has no work queue.)"""
    c = _with_history(nodes=1)
    inf = initial_informer(c)
    writes = sync_daemon_set(c, KEY)
    assert sum(isinstance(w, Create) and type(w.obj).__name__ == "Pod" for w in writes) == 1
    inf = after_controller_step(inf, AK, started=writes, applied=(), dropped=(), fence=False)
    exp, exists = inf.expectations["daemonset"].get_expectations(KEY)
    assert exists and exp is not None and not exp.fulfilled()
    deleted = c.remove("DaemonSet", *KEY)
    (d,) = [d for d in delivery_steps(deleted, inf) if d.kind == "DaemonSet"]
    assert not d.informer.expectations["daemonset"].get_expectations(KEY)[1]
    recreated = deleted.put(replace(c.get("DaemonSet", *KEY), uid="uid-ds-2"))
    inf2 = replace(d.informer, cache=recreated)
    assert rs_needs_sync(inf2, "daemonset", KEY)
    writes2 = sync_daemon_set(recreated, KEY)
    assert sum(isinstance(w, Create) and type(w.obj).__name__ == "Pod" for w in writes2) == 1
    inf2 = after_controller_step(inf2, AK, started=writes2, applied=(), dropped=(), fence=False)
    exp2, exists2 = inf2.expectations["daemonset"].get_expectations(KEY)
    assert exists2 and exp2 is not None and not exp2.fulfilled()


def test_daemon_set_pod_create_expectations_error() -> None:
    """daemon_controller_test.go TestDaemonSetPodCreateExpectationsError: 100 nodes, only 10 creates
    succeed; the failed ones are CreationObserved by syncNodes and the 10 by the pod informer, so
    the expectations are satisfied after the sync."""
    c = _with_history(nodes=100)
    inf = initial_informer(c)
    creates = tuple(w for w in sync_daemon_set(c, KEY) if isinstance(w, Create) and type(w.obj).__name__ == "Pod")
    assert len(creates) == 100
    inf = after_controller_step(inf, AK, started=creates, applied=creates[:10], dropped=creates[10:], fence=False)
    assert not rs_needs_sync(inf, "daemonset", KEY)
    for w in creates[:10]:
        c = apply_write(c, w)
    (d,) = [d for d in delivery_steps(c, inf) if d.kind == "Pod"]
    assert rs_needs_sync(d.informer, "daemonset", KEY)
