"""The node lifecycle controller (model.nodelifecycle)."""

from __future__ import annotations

from dataclasses import replace

from model.api import Delete, UpdateStatus
from model.apiserver import apply_writes
from model.nodelifecycle import eviction_timeout_can_elapse, sync_node_lifecycle

from tests.model.builders_runtime import cluster, node, running_pod


def test_a_ready_node_needs_nothing() -> None:
    st = cluster(node("a"), running_pod("p", node_name="a"))
    assert sync_node_lifecycle(st, ("", "a")) == ()


def test_not_ready_node_marks_its_ready_pods_not_ready_only() -> None:
    st = cluster(node("a", ready=False), node("b"), running_pod("p", node_name="a"), running_pod("q", node_name="b", sandbox_id=2, ip="10.0.0.2"))
    writes = sync_node_lifecycle(st, ("", "a"))
    assert [type(w) for w in writes] == [UpdateStatus] and writes[0].obj.name == "p"
    st = apply_writes(st, writes)
    p = st.get("Pod", "default", "p")
    assert not p.conditions.ready and p.conditions.containers_ready  # MarkPodsNotReady: Ready only
    assert p.container_statuses[0].state == "running"  # the containers may still run (partition)
    assert sync_node_lifecycle(st, ("", "a")) == ()


def test_after_the_eviction_timeout_pods_are_deleted_gracefully_and_stay_terminating() -> None:
    st = cluster(replace(node("a", ready=False), eviction_timeout_elapsed=True), running_pod("p", node_name="a"))
    writes = sync_node_lifecycle(st, ("", "a"))
    assert isinstance(writes[-1], Delete) and writes[-1].uid == st.get("Pod", "default", "p").uid
    st = apply_writes(st, writes)
    p = st.get("Pod", "default", "p")
    assert p is not None and p.deletion_timestamp is not None  # the name is still taken
    assert sync_node_lifecycle(st, ("", "a")) == ()


def test_eviction_timeout_can_elapse_only_while_not_ready() -> None:
    assert eviction_timeout_can_elapse(node("a", ready=False))
    assert not eviction_timeout_can_elapse(node("a"))
    assert not eviction_timeout_can_elapse(replace(node("a", ready=False), eviction_timeout_elapsed=True))
