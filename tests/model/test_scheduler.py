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


def _ports(p, *host_ports):  # type: ignore[no-untyped-def]
    (c,) = p.spec_containers
    return replace(p, spec_containers=(replace(c, host_ports=tuple(host_ports)),))


def test_node_ports_a_used_host_port_keeps_a_pod_off_the_node() -> None:
    # NodePorts (node_ports.go fitsPorts, types.go HostPortInfo.CheckConflict). Corpus set contour-envoy-deployment:
    # an envoy Deployment of 2 with hostPort 80/443 and maxSurge 1, maxUnavailable 0 hangs on 2 nodes (the surge
    # pod fits no node); with hostPort ignored kubecheck reported exit 0.
    from model.scheduler import fits_ports, host_port_conflict

    any80, tcp = ("0.0.0.0", "TCP", 80), "TCP"
    st = cluster(node("a"), node("b"), _ports(running_pod("x", node_name="a"), any80), _ports(pod("p"), any80))
    p = st.get("Pod", "default", "p")
    assert [n.name for n in find_nodes_that_fit(st, p)] == ["b"]
    assert not fits_ports(st, st.get("Node", "", "a"), p) and fits_ports(st, st.get("Node", "", "b"), p)
    # a terminating pod holds its ports until it is deleted
    st2 = cluster(node("a"), replace(_ports(running_pod("x", node_name="a"), any80), deletion_timestamp=1), _ports(pod("p"), any80))
    assert find_nodes_that_fit(st2, st2.get("Pod", "default", "p")) == ()
    # CheckConflict: protocol and port must match; 0.0.0.0 on either side conflicts with any IP; two IPs only if equal
    assert not host_port_conflict(any80, ("0.0.0.0", "UDP", 80)) and not host_port_conflict(any80, ("0.0.0.0", tcp, 81))
    assert host_port_conflict(("10.0.0.1", tcp, 80), any80) and host_port_conflict(any80, ("10.0.0.1", tcp, 80))
    assert host_port_conflict(("10.0.0.1", tcp, 80), ("10.0.0.1", tcp, 80))
    assert not host_port_conflict(("10.0.0.1", tcp, 80), ("10.0.0.2", tcp, 80))
    # a pod without host ports is not affected
    assert len(find_nodes_that_fit(cluster(node("a"), _ports(running_pod("x", node_name="a"), any80), pod("q")),
                                   pod("q"))) == 1
