"""The node lifecycle controller: NotReady nodes make their pods NotReady, then evict them.

Mirrors kubernetes/kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go
(monitorNodeHealth -> MarkPodsNotReady in pkg/controller/util/node/controller_utils.go) and
the NoExecute taint eviction of pkg/controller/tainteviction/taint_eviction.go, simplified:

* a node that is not Ready: every pod bound to it with Ready=True gets Ready=False
  (one status write per pod, upstream's MarkPodsNotReady loop);
* once the eviction timeout has passed (``Node.eviction_timeout_elapsed``, set by an expiry
  step: upstream the default 300 s toleration of the ``not-ready``/``unreachable`` taints),
  every pod on the node without a deletionTimestamp is deleted gracefully.  The pods keep
  their names and stay Terminating until the node's kubelet comes back and confirms, or
  someone force-deletes them.  So a ReplicaSet replaces them (terminating pods are not
  active) but a StatefulSet cannot (the name is still taken).

Node failure and recovery are faults of the environment; taints, zones, rate limiting and
the Node object's own conditions are reduced to ``Node.ready`` (docs/semantics.md#runtime).
"""

from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterator
from typing import Any

from model.api import Delete, UpdateStatus, Write
from model.objects import Node, Pod, Taint
from model.scheduler import tolerates_taint
from model.frozen import evolve
from model.records import ActorKey, Controller, Timer, TimerStep, write_label
from model.state import ClusterState, ObjKey

__all__ = ["mark_pods_not_ready", "tolerates_forever", "evict_pods", "sync_node_lifecycle", "eviction_timeout_can_elapse"]


def mark_pods_not_ready(state: ClusterState, node: Node) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/util/node/controller_utils.go MarkPodsNotReady.

    Only the Ready condition changes (ContainersReady is left as the kubelet last wrote it);
    ``ready_elapsed`` goes with it (the condition's lastTransitionTime moves).
    """
    return tuple(
        UpdateStatus(replace(p, conditions=replace(p.conditions, ready=False), ready_elapsed=False))
        for p in state.pods.values()
        if p.node_name == node.name and p.conditions.ready
    )


#: the NoExecute taint of a node that stopped reporting (Ready Unknown), well_known_taints.go
_UNREACHABLE_NO_EXECUTE = Taint("node.kubernetes.io/unreachable", effect="NoExecute")


def tolerates_forever(pod: Pod) -> bool:
    """taint_eviction.go processPodOnNode with getMinTolerationTime: a pod whose tolerations
    tolerate the node's NoExecute taint without ``tolerationSeconds`` is never evicted (every
    DaemonSet pod: model.daemon.add_or_update_daemon_pod_tolerations)."""
    return any(t.forever and tolerates_taint(t, _UNREACHABLE_NO_EXECUTE) for t in pod.tolerations)


def evict_pods(state: ClusterState, node: Node) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/tainteviction/taint_eviction.go (deletePodHandler):
    a graceful delete with the pod's UID for every pod on the node not yet being deleted, except the
    pods that tolerate the taint forever (:func:`tolerates_forever`)."""
    return tuple(
        Delete("Pod", p.namespace, p.name, uid=p.uid)
        for p in state.pods.values()
        if p.node_name == node.name and p.deletion_timestamp is None and not tolerates_forever(p)
    )


def sync_node_lifecycle(state: ClusterState, key: ObjKey) -> tuple[Write, ...]:
    """One pass of the node lifecycle controller over the node at ``key = ("", name)``."""
    node: Node | None = state.get("Node", *key)
    if node is None or node.ready:
        return ()
    writes = mark_pods_not_ready(state, node)
    if node.eviction_timeout_elapsed:
        writes += evict_pods(state, node)
    return writes


def eviction_timeout_can_elapse(node: Node) -> bool:
    """The expiry step for the eviction timeout: enabled while the node is NotReady."""
    return not node.ready and not node.eviction_timeout_elapsed


def node_lifecycle_write_label(ctl: Controller, key: ActorKey, write: Write, base: Any, cluster: ClusterState) -> str:
    """The node lifecycle controller's action labels: its pod status write is
    ``nlc_mark_pod_not_ready`` (``MarkPodsNotReady``), its pod deletes ``nlc_delete_pod``."""
    if isinstance(write, UpdateStatus) and isinstance(write.obj, Pod):
        return f"{ctl.prefix}_mark_pod_not_ready"
    return write_label(ctl, key, write, base, cluster)


#: The node lifecycle controller's record (registered in ``model.registry``): one actor per Node,
#: running whether or not the nodes are NotReady (its sync is a no-op on a Ready node).
CONTROLLER = Controller(
    "nodelifecycle", "nlc", "Node", sync_node_lifecycle,
    frozenset({"nlc_mark_pod_not_ready", "nlc_delete_pod"}),
    label=node_lifecycle_write_label,
    always=True,
)


def eviction_timeout_expiries(state: ClusterState) -> Iterator[TimerStep]:
    """The eviction timeout of every NotReady node that still has pods not being deleted
    (:func:`eviction_timeout_can_elapse`; with nothing to evict the timer changes nothing)."""
    for key, node in state.nodes.items():
        if eviction_timeout_can_elapse(node) and any(
            p.node_name == node.name and p.deletion_timestamp is None for p in state.pods.values()
        ):
            yield TimerStep("expiry_eviction_timeout", "Node", key, state.put(evolve(node, eviction_timeout_elapsed=True)))


#: The pod eviction timeout of NotReady nodes (fair), registered in ``model.registry``.
EVICTION_TIMEOUT_TIMER = Timer("eviction_timeout", True, eviction_timeout_expiries, frozenset({"expiry_eviction_timeout"}))
