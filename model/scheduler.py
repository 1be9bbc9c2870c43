"""The scheduler, reduced to a nondeterministic bind: any Ready, schedulable node with room.

Mirrors the outcome of kubernetes/kubernetes pkg/scheduler/schedule_one.go (schedulePod,
findNodesThatFitPod, bind) with the filter plugins reduced to three checks: the node is Ready
(upstream: the not-ready taint and TaintToleration), not ``spec.unschedulable``
(NodeUnschedulable) and has room for one more pod (NodeResourcesFit on the ``pods``
resource).  Scoring is replaced by nondeterminism: every feasible node is one branch, so the
checker covers every choice a scoring function could make (docs/semantics.md#runtime,
"Scheduler").  Identical nodes are interchangeable; the canonical form merges their branches.
"""

from __future__ import annotations


from model.api import Update, UpdateStatus, Write
from model.objects import Node, Pod
from model.state import ClusterState
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = ["pods_on_node", "node_fits", "find_nodes_that_fit", "pending_pods", "bind"]


def pods_on_node(state: ClusterState, node_name: str) -> int:
    """Pods bound to the node, terminating ones included (they still hold their slot)."""
    return sum(1 for p in state.pods.values() if p.node_name == node_name)


def node_fits(state: ClusterState, node: Node) -> bool:
    """The reduced filter: Ready, schedulable, fewer bound pods than ``pod_capacity``."""
    return node.ready and not node.unschedulable and pods_on_node(state, node.name) < node.pod_capacity


def find_nodes_that_fit(state: ClusterState, pod: Pod) -> tuple[Node, ...]:
    """Mirrors kubernetes/kubernetes pkg/scheduler/schedule_one.go findNodesThatFitPod (reduced filters), in name order."""
    return tuple(n for n in state.nodes.values() if node_fits(state, n))


def pending_pods(state: ClusterState) -> tuple[Pod, ...]:
    """Pods the scheduler would pick up: unbound and not being deleted, in key order."""
    return tuple(p for p in state.pods.values() if p.node_name is None and p.deletion_timestamp is None)


def bind(pod: Pod, node: Node) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/scheduler/framework/plugins/defaultbinder/default_binder.go Bind.

    The pods/binding subresource sets ``spec.nodeName`` and the PodScheduled condition in
    one call; the system applies both writes as one step.
    """
    bound = replace(pod, node_name=node.name)
    return (
        Update(bound),
        UpdateStatus(replace(bound, conditions=replace(pod.conditions, pod_scheduled=True))),
    )
