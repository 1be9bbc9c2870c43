"""Informer caches, expectations wired into the ReplicaSet controller, and the KEP-5647 fence
(model.informer, model.versions; issue #20), opt-in through ``Scenario.caches = "lagged"``."""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import pytest

from model.api import Create, Delete
from model.controller_utils import UIDTrackingControllerExpectations
from model.environment import FaultBudget, ScaleWorkload
from model.errors import ModelError
from model.informer import after_controller_step, delivery_steps, initial_informer, observe_pods, rs_needs_sync
from model.replicaset import sync_replica_set
from model.system import KubeSystem, Scenario, SystemState
from model.versions import stale_controller_fence

from tests.model.builders_runtime import cluster, node, rs, settle_first_fair


def _system(version: str, lag: int, caches: str = "lagged") -> KubeSystem:
    base = Scenario(cluster(node(), rs(replicas=1)), name="caches")
    start = settle_first_fair(base)
    return KubeSystem(replace(base, initial=start, caches=caches, kubernetes_version=version,
                              user_actions=(ScaleWorkload("ReplicaSet", "web", 2),), faults=FaultBudget(informer_lag=lag)))


def _explore(system: KubeSystem) -> tuple[int, int, SystemState | None]:
    """(states, transitions, a state with more pods than the ReplicaSet wants, or None)."""
    init = system.init_states()
    seen = set(init)
    queue = deque(init)
    transitions = 0
    over = None
    while queue:
        s = queue.popleft()
        rs_obj = s.cluster.get("ReplicaSet", "default", "web")
        live = [p for p in s.cluster.pods.values() if p.deletion_timestamp is None]
        if over is None and rs_obj is not None and len(live) > rs_obj.replicas:
            over = s
        for _, t in system.successors(s):
            transitions += 1
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen), transitions, over


def test_caches_off_is_the_old_model() -> None:
    """``caches="off"`` keeps no informer state (golden counts elsewhere pin the spaces)."""
    system = _system("1.36", 0, caches="off")
    assert all(s.informer is None for s in system.init_states())
    assert _explore(system)[:2] == (15, 20)


def test_golden_counts_caches_lagged() -> None:
    """Golden state counts of the new modes (RS 1 -> 2 on one node)."""
    assert _explore(_system("1.35", 0))[:2] == (79, 170)
    assert _explore(_system("1.35", 1))[:2] == (6283, 19075)
    assert _explore(_system("1.36", 1))[:2] == (133, 279)


def test_expectations_stop_over_creation_on_a_lagging_cache() -> None:
    """Without the lag fault the expectations hold the ReplicaSet back until its informer shows
    the pod it created: never more pods than wanted."""
    assert _explore(_system("1.35", 0))[2] is None


def test_stale_cache_over_creates_before_1_36_and_the_fence_stops_it() -> None:
    """Issue #20 acceptance: the cache lags past ExpectationsTimeout, the ReplicaSet syncs on a
    cache without the pod it created and creates another (over-creation, upstream's stale-cache
    class); in 1.36 the KEP-5647 fence (wait for the own write in the cache) removes it."""
    _, _, over = _explore(_system("1.35", 1))
    assert over is not None and len(over.cluster.pods) == 3
    assert _explore(_system("1.36", 1))[2] is None


def test_versions() -> None:
    assert not stale_controller_fence("1.35", "replicaset")
    assert stale_controller_fence("1.36", "statefulset")
    assert not stale_controller_fence("1.37", "replication")
    with pytest.raises(ModelError):
        Scenario(cluster(node()), kubernetes_version="1.99")
    with pytest.raises(ModelError):
        Scenario(cluster(node()), caches="weird")
    with pytest.raises(ModelError):
        Scenario(cluster(node()), caches="lagged", stale_reads=True)


# ------------------------------------------------ upstream tables that depend on expectations


def _rs_cluster(replicas: int, pods: int):  # type: ignore[no-untyped-def]
    base = Scenario(cluster(node(), rs(replicas=pods)), name="x")
    start = settle_first_fair(base)
    return start.put(replace(start.get("ReplicaSet", "default", "web"), replicas=replicas))


def test_sync_replica_set_dormancy() -> None:
    """replica_set_test.go TestSyncReplicaSetDormancy: with unsatisfied expectations the sync
    issues no create (the status update still runs); a satisfied one creates; a failed create
    (CreationObserved) lowers the expectation so the next sync acts again."""
    c = _rs_cluster(2, 1)
    key = ("default", "web")
    assert [type(w) for w in sync_replica_set(c, key)] == [Create]
    assert [w for w in sync_replica_set(c, key, rs_needs_sync=False) if isinstance(w, (Create, Delete))] == []
    creates = tuple(w for w in sync_replica_set(c, key) if isinstance(w, Create))
    inf = initial_informer(c)
    inf = after_controller_step(inf, ("replicaset", *key), started=creates, applied=(), dropped=(), fence=False)
    assert not rs_needs_sync(inf, "replicaset", key)
    inf = after_controller_step(inf, ("replicaset", *key), started=None, applied=(), dropped=creates, fence=False)
    assert rs_needs_sync(inf, "replicaset", key)


def test_rs_sync_expectations_deletion_observed_once() -> None:
    """replica_set_test.go TestRSSyncExpectations / TestDeletionTimestamp: a deletion is observed
    when the pod gets its deletionTimestamp and not again when it is removed."""
    c = _rs_cluster(1, 2)
    key = ("default", "web")
    writes = sync_replica_set(c, key)
    deletes = [w for w in writes if isinstance(w, Delete)]
    assert len(deletes) == 1
    inf = after_controller_step(initial_informer(c), ("replicaset", *key), started=tuple(writes), applied=(), dropped=(), fence=False)
    assert not rs_needs_sync(inf, "replicaset", key)
    e = inf.expectations["replicaset"]
    victim = c.get("Pod", deletes[0].namespace, deletes[0].name)
    terminating = c.put(replace(victim, deletion_timestamp=1))
    e1 = observe_pods(e, "ReplicaSet", terminating, c.pods, terminating.pods)
    assert e1.satisfied_expectations(key)
    gone = terminating.remove("Pod", victim.namespace, victim.name)
    e2 = observe_pods(e1, "ReplicaSet", gone, terminating.pods, gone.pods)
    assert e2.get_expectations(key)[0].get_expectations() == (0, 0)  # type: ignore[union-attr]


def test_delete_controller_and_expectations() -> None:
    """replica_set_test.go TestDeleteControllerAndExpectations: the ReplicaSet's delete event
    clears its expectations (deleteRS)."""
    c = _rs_cluster(2, 1)
    key = ("default", "web")
    inf = after_controller_step(initial_informer(c), ("replicaset", *key), started=tuple(sync_replica_set(c, key)),
                                applied=(), dropped=(), fence=False)
    assert not rs_needs_sync(inf, "replicaset", key)
    deleted = c.remove("ReplicaSet", *key)
    (d,) = [d for d in delivery_steps(deleted, inf) if d.kind == "ReplicaSet"]
    exp, exists = d.informer.expectations["replicaset"].get_expectations(key)
    assert not exists and rs_needs_sync(d.informer, "replicaset", key)
    assert isinstance(d.informer.expectations["replicaset"], UIDTrackingControllerExpectations)


def test_symmetry_with_caches_is_no_larger() -> None:
    """The symmetry key covers the informer state (caches hold ClusterStates, expectation keys are
    tuples the renaming reaches): the reduced space is no larger than the plain one."""
    system = _system("1.35", 1)
    init = system.init_states()
    seen = {system.canonical(s) for s in init}
    queue = deque(init)
    while queue:
        s = queue.popleft()
        for _, t in system.successors(s):
            k = system.canonical(t)
            if k not in seen:
                seen.add(k)
                queue.append(t)
    assert 0 < len(seen) <= 6283


def test_controller_manager_restart_relists_and_forgets() -> None:
    """A kube-controller-manager restart (fault): pending writes dropped, expectations lost, caches
    equal to the API server; without caches the fault is never enabled."""
    base = Scenario(cluster(node(), rs(replicas=1)), name="restart")
    start = settle_first_fair(base)
    system = KubeSystem(replace(base, initial=start, caches="lagged", kubernetes_version="1.35",
                                user_actions=(ScaleWorkload("ReplicaSet", "web", 3),),
                                faults=FaultBudget(controller_manager_restart=1)))
    init = system.init_states()
    seen = set(init)
    queue = deque(init)
    restarts = 0
    while queue:
        s = queue.popleft()
        for a, t in system.successors(s):
            if a.label == "fault_controller_manager_restart":
                restarts += 1
                assert not t.pending and t.informer is not None
                assert t.informer.cache == t.cluster and not t.informer.expectations and not t.informer.fences
                assert t.faults.controller_manager_restart == 0
            if t not in seen:
                seen.add(t)
                queue.append(t)
    assert restarts > 0
    off = KubeSystem(replace(base, initial=start, user_actions=(ScaleWorkload("ReplicaSet", "web", 3),),
                             faults=FaultBudget(controller_manager_restart=1)))
    s0 = off.init_states()[0]
    assert all(a.label != "fault_controller_manager_restart" for a, _ in off.successors(s0))


def test_scenario_file_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``caches:`` and ``kubernetes_version:`` in a scenario file reach the model's Scenario; a
    version outside the modelled range is refused by the schema."""
    from kubecheck.scenarios import InvalidScenario, load_scenario_file

    f = tmp_path / "s.yaml"
    f.write_text("name: lag\ncaches: lagged\nkubernetes_version: '1.35'\nfaults:\n  informer_lag: 1\n")
    spec = load_scenario_file(str(f))
    sc = spec.to_scenario(cluster(node()), "write")
    assert (sc.caches, sc.kubernetes_version, sc.faults.informer_lag) == ("lagged", "1.35", 1)
    assert load_scenario_file(str(tmp_path / "s.yaml")).caches == "lagged"
    bad = tmp_path / "b.yaml"
    bad.write_text("name: lag\nkubernetes_version: '1.99'\n")
    with pytest.raises(InvalidScenario):
        load_scenario_file(str(bad))
