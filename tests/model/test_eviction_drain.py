"""model.eviction and the drain user action / drain loop of model.environment and model.system.

Eviction cases are named after kubernetes/kubernetes pkg/registry/core/pod/storage/eviction_test.go
(TestEviction, TestEvictionIgnorePDB, TestEvictionPDBStatus); drain cases after
staging/src/k8s.io/kubectl/pkg/drain/drain_test.go / filters_test.go where one applies.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kubecheck.core.explorer import check
from model.apiserver import apply_write
from model.environment import (
    UNMANAGED_FATAL,
    CordonNode,
    DrainNode,
    UncordonNode,
    drain_steps,
    get_pods_for_deletion,
    user_action_instances,
)
from model.eviction import evict_pod
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import DrainRecord, Node, OwnerReference, Pod, PodConditions, PodDisruptionBudget, PodDisruptionBudgetStatus
from model.state import ClusterState
from tests.model.test_disruption import pod as ready_pod

FOO = FrozenMap({"foo": "bar"})
RS_REF = OwnerReference("apps/v1", "ReplicaSet", "rs", "uid-rs", controller=True)


def budget(allowed: int, healthy: int = 2, desired: int = 1, policy: Any = None, selector: Any = LabelSelector(FOO), observed: int = 1) -> PodDisruptionBudget:
    return PodDisruptionBudget(
        name="pdb", uid="uid-pdb", selector=selector, min_available=1, unhealthy_pod_eviction_policy=policy,
        status=PodDisruptionBudgetStatus(observed, allowed, healthy, desired, healthy),
    )


def cluster(*objs: Any) -> ClusterState:
    return ClusterState.from_objects([Node(name="node-1"), Node(name="node-2"), *objs])


def after(c: ClusterState, writes: tuple) -> ClusterState:
    for w in writes:
        c = apply_write(c, w)
    return c


# ------------------------------------------------------------------------------------ eviction


@pytest.mark.parametrize(
    "name,pdbs,code",
    [
        ("matching pdbs with no disruptions allowed", [budget(0)], 429),
        ("matching pdbs with disruptions allowed", [budget(1)], 201),
        ("non-matching pdbs", [budget(0, selector=LabelSelector(FrozenMap({"a": "true"})))], 201),
        ("empty selector guards nothing", [budget(0, selector=LabelSelector())], 201),
        ("two matching pdbs", [budget(1), replace(budget(1), name="pdb2", uid="uid-pdb2")], 500),
        ("pdb not yet observed", [budget(1, observed=0)], 429),
    ],
)
def test_eviction(name: str, pdbs: list, code: int) -> None:
    """TestEviction (the cases that apply)."""
    c = cluster(ready_pod("foo", RS_REF), *pdbs)
    res = evict_pod(c, "default", "foo")
    assert res.code == code, name
    if code == 201:
        n = after(c, res.writes)
        p = n.get("Pod", "default", "foo")
        assert p.deletion_timestamp is not None and p.conditions.disruption_target
    else:
        assert res.writes == ()


def test_eviction_pdb_status_is_decremented() -> None:
    """TestEvictionPDBStatus "pdb status is updated after eviction": disruptionsAllowed 1 -> 0."""
    c = cluster(ready_pod("foo", RS_REF), budget(1))
    n = after(c, evict_pod(c, "default", "foo").writes)
    assert n.get("PodDisruptionBudget", "default", "pdb").status.disruptions_allowed == 0


@pytest.mark.parametrize("phase", ["Pending", "Succeeded", "Failed"])
def test_eviction_ignore_pdb(phase: str) -> None:
    """TestEvictionIgnorePDB: pending, succeeded and failed pods are deleted whatever the budget."""
    c = cluster(replace(ready_pod("foo", RS_REF), phase=phase), budget(0))
    res = evict_pod(c, "default", "foo")
    assert res.code == 201
    assert after(c, res.writes).get("PodDisruptionBudget", "default", "pdb").status.disruptions_allowed == 0


@pytest.mark.parametrize(
    "policy,healthy,desired,code",
    [
        (None, 2, 1, 201),  # unhealthy pod, budget healthy: deleted without a decrement
        ("IfHealthyBudget", 1, 2, 429),  # unhealthy pod, budget not healthy: the decrement is refused
        ("AlwaysAllow", 1, 2, 201),  # unhealthy pod: always deleted
        (None, 0, 0, 429),  # desiredHealthy 0: the unhealthy shortcut does not apply
    ],
)
def test_eviction_unhealthy_pod_eviction_policy(policy: Any, healthy: int, desired: int, code: int) -> None:
    """TestEvictionIgnorePDB / TestEvictionPDBStatus with unhealthyPodEvictionPolicy: a not-Ready pod."""
    c = cluster(ready_pod("foo", RS_REF, ready=False), budget(0, healthy=healthy, desired=desired, policy=policy))
    res = evict_pod(c, "default", "foo")
    assert res.code == code
    if code == 201:
        assert after(c, res.writes).get("PodDisruptionBudget", "default", "pdb").status.disruptions_allowed == 0


# ------------------------------------------------------------------------------------ actions


def test_cordon_and_uncordon() -> None:
    c = cluster()
    [(detail, writes)] = user_action_instances(c, CordonNode("node-1"))
    c = after(c, writes)
    assert c.get("Node", "", "node-1").unschedulable
    assert user_action_instances(c, CordonNode("node-1")) == []  # no-op: not offered
    [(_, writes)] = user_action_instances(c, UncordonNode("node-1"))
    assert not after(c, writes).get("Node", "", "node-1").unschedulable


def test_unreplicated_filter() -> None:
    """filters_test.go unreplicatedFilter: a bare pod is an error without --force, deleted with it;
    a finished bare pod is fine either way."""
    bare = replace(ready_pod("bare"), owner_references=())
    done = replace(ready_pod("done"), phase="Succeeded")
    c = cluster(bare, done, ready_pod("owned", RS_REF))
    pods, errors = get_pods_for_deletion(c, "node-1", force=False)
    assert [p.name for p in pods] == ["done", "owned"] and errors == (f"{UNMANAGED_FATAL}: default/bare",)
    pods, errors = get_pods_for_deletion(c, "node-1", force=True)
    assert [p.name for p in pods] == ["bare", "done", "owned"] and errors == ()


def test_drain_cordons_and_records_the_pods() -> None:
    c = cluster(ready_pod("a", RS_REF))
    [(detail, writes)] = user_action_instances(c, DrainNode())  # only node-1 holds a pod
    n = after(c, writes).get("Node", "", "node-1")
    assert detail == "node-1" and n.unschedulable and n.drain == DrainRecord(pods=(("default", "a", "uid-a"),))


def test_drain_without_force_stops_on_a_bare_pod() -> None:
    c = cluster(replace(ready_pod("bare"), owner_references=()))
    [(_, writes)] = user_action_instances(c, DrainNode("node-1"))
    c = after(c, writes)
    assert c.get("Node", "", "node-1").drain.error.startswith(UNMANAGED_FATAL)
    assert drain_steps(c) == []  # a failed drain does nothing more


def test_drain_loop_retries_on_429_and_completes_when_the_pods_are_gone() -> None:
    c = cluster(ready_pod("a", RS_REF), budget(0))
    [(_, writes)] = user_action_instances(c, DrainNode("node-1"))
    c = after(c, writes)
    [step] = drain_steps(c)
    assert step.label == "drain_evict_pod_refused" and step.result == c  # a 429 changes nothing
    assert "needs 1 healthy pods and has 2 currently" in step.message
    c = c.put(replace(c.get("PodDisruptionBudget", "default", "pdb"), status=replace(budget(1).status)))
    [step] = drain_steps(c)
    assert step.label == "drain_evict_pod"
    c = step.result
    assert drain_steps(c) == []  # the pod is terminating: the drain waits
    c = c.remove("Pod", "default", "a")
    [step] = drain_steps(c)
    assert step.label == "drain_complete" and step.result.get("Node", "", "node-1").drain is None


def test_drain_treats_a_recreated_name_as_gone() -> None:
    """waitForDelete: a pod whose name now has another UID counts as deleted."""
    c = cluster(ready_pod("web-0", RS_REF))
    [(_, writes)] = user_action_instances(c, DrainNode("node-1"))
    c = after(c, writes).put(replace(ready_pod("web-0", RS_REF), uid="uid-new", node_name="node-2"))
    [step] = drain_steps(c)
    assert step.label == "drain_complete"


# ------------------------------------------------------------------------------------ system


def _system(replicas: int) -> Any:
    from kubecheck.scenarios import settle
    from model.manifests import load_text
    from model.system import KubeSystem, Scenario

    text = f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec: {{containers: [{{name: c, image: api:1}}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: api}}
spec: {{minAvailable: 1, selector: {{matchLabels: {{app: api}}}}}}
"""
    load = load_text(text, "m.yaml")
    assert not load.errors
    initial = ClusterState.from_objects(list(load.objects) + [Node(name="node-1"), Node(name="node-2")])
    s0 = KubeSystem(Scenario(initial=initial, name="settle"))
    settled = settle(s0, s0.init_states()[0])
    assert settled.settled
    return KubeSystem(Scenario(initial=settled.state.cluster, user_actions=((DrainNode(), 1),), name="drain"))


def test_a_drain_with_one_replica_and_min_available_1_never_completes() -> None:
    """kubernetes#66811: the lasso is the refused eviction, for ever."""
    from kubecheck.core.properties import Property, PropertyKind

    prop = Property(rule_id="D", name="drain", kind=PropertyKind.EVENTUALLY_ALWAYS,
                    predicate=lambda s: all(n.drain is None for n in s.cluster.nodes.values()))
    r = check(_system(1), prop)
    assert r.verdict.name == "VIOLATED"
    assert r.trace is not None and r.trace.loop_start is not None
    assert "user_drain_node" in [st.label for st in r.trace.steps]
    assert r.trace.loop_step is not None and r.trace.loop_step.label == "drain_evict_pod_refused"


def test_a_drain_with_two_replicas_completes() -> None:
    from kubecheck.core.properties import Property, PropertyKind

    prop = Property(rule_id="D", name="drain", kind=PropertyKind.EVENTUALLY_ALWAYS,
                    predicate=lambda s: all(n.drain is None for n in s.cluster.nodes.values()))
    assert check(_system(2), prop).verdict.name == "HOLDS"


def test_a_stale_pdb_status_write_conflicts_instead_of_undoing_an_eviction() -> None:
    """writePdbStatus is an UpdateStatus with the resourceVersion read (no merge, no retry): a
    status computed before an eviction's decrement must not overwrite it (model.system._apply_pending)."""
    from model.apiserver import ApiError
    from model.api import UpdateStatus
    from model.system import PendingWrite, _apply_pending

    base = budget(1)
    c = cluster(ready_pod("foo", RS_REF), base)
    evicted = after(c, evict_pod(c, "default", "foo").writes)
    stale = UpdateStatus(replace(base, status=replace(base.status, current_healthy=3)))
    with pytest.raises(ApiError, match="Conflict"):
        _apply_pending(evicted, PendingWrite(stale, base))
