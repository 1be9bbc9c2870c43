"""The scheduler (model.scheduler): reduced filters, one branch per feasible node."""

from __future__ import annotations

from dataclasses import replace

from model.apiserver import apply_writes
from model.scheduler import bind, find_nodes_that_fit, node_fits, pending_pods, pods_on_node

from tests.model.builders_runtime import cluster, node, pod, running_pod


def test_only_ready_schedulable_nodes_with_room_fit() -> None:
    st = cluster(
        node("a"),
        node("b", ready=False),
        replace(node("c"), unschedulable=True),
        node("d", capacity=1),
        running_pod("x", node_name="d"),
        pod("p"),
    )
    assert [n.name for n in find_nodes_that_fit(st, st.get("Pod", "default", "p"))] == ["a"]
    assert pods_on_node(st, "d") == 1 and not node_fits(st, st.get("Node", "", "d"))


def test_terminating_pods_still_hold_their_slot() -> None:
    st = cluster(node("a", capacity=1), replace(running_pod("x", node_name="a"), deletion_timestamp=1))
    assert find_nodes_that_fit(st, st.get("Pod", "default", "x")) == ()


def test_pending_pods_are_unbound_and_not_deleting() -> None:
    st = cluster(node("a"), pod("p"), replace(pod("q"), deletion_timestamp=1), running_pod("r", node_name="a"))
    assert [p.name for p in pending_pods(st)] == ["p"]


def test_bind_sets_node_name_and_pod_scheduled_in_one_step() -> None:
    st = cluster(node("a"), pod("p"))
    st = apply_writes(st, bind(st.get("Pod", "default", "p"), st.get("Node", "", "a")))
    p = st.get("Pod", "default", "p")
    assert p.node_name == "a" and p.conditions.pod_scheduled
    assert p.generation == 1  # binding is not a spec change a controller observes
