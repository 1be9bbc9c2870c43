"""The pod garbage collector's ``gcOrphaned``: pods bound to a Node that no longer exists.

Mirrors kubernetes/kubernetes pkg/controller/podgc/gc_controller.go ``gcOrphaned``: every pod whose
``spec.nodeName`` names a Node that is not in the API (after ``quarantineTime``, abstract time here)
is marked Failed with the ``DisruptionTarget`` condition (reason ``DeletionByPodGC``) and deleted
with grace period 0 (``markFailedAndDeletePodWithCondition``).  The model takes the grace-0 delete
only: the pod object is removed in one step (docs/semantics.md#runtime, "Operator and PodGC").

Only the orphaned-pod pass is modelled (``gcTerminated``, ``gcUnscheduledTerminating`` and the
out-of-service taint pass have nothing to act on: no terminated-pod threshold is reached, unbound
pods are never deleted by the modelled actors before binding, and no taints are modelled).
"""

from __future__ import annotations

from model.api import Delete, Write
from model.objects import Pod
from model.state import ClusterState

__all__ = ["orphaned_pods", "gc_orphaned"]


def orphaned_pods(state: ClusterState) -> tuple[Pod, ...]:
    """The pods bound to a node that does not exist (``pod.Spec.NodeName != "" && !existingNodeNames.Has``)."""
    return tuple(p for p in state.pods.values() if p.node_name is not None and state.get("Node", "", p.node_name) is None)


def gc_orphaned(state: ClusterState, pod: Pod) -> tuple[Write, ...]:
    """The write PodGC issues for one orphaned pod: a delete with grace period 0 and the pod's UID
    (``metav1.NewDeleteOptions(0)``; the UID makes a recreated pod of the same name safe)."""
    return (Delete("Pod", pod.namespace, pod.name, uid=pod.uid, grace_period_seconds=0),)
