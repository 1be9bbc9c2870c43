"""Shared helpers for the catalogue: reaching the ClusterState, ownership and counting.

Every predicate in the catalogue is a pure function of the explorer's state (and, for action
properties, the action and the next state).  The Kubernetes transition system's state wraps a
``ClusterState`` in its ``cluster`` attribute; a bare ``ClusterState`` works too.
"""

from __future__ import annotations

from typing import Any, Iterable

from model.labels import label_selector_as_selector, selector_from_set
from model.objects import Deployment, Pod, ReplicaSet, ReplicationController, StatefulSet
from model.state import ClusterState

# Actor families of the Kubernetes system (model/system.py).  A step whose actor belongs to one
# of these is "controller-initiated" for the rollout-availability properties; kubelet, scheduler,
# node lifecycle, GC, user actions and faults are not.
WORKLOAD_CONTROLLER_ACTORS = ("deployment", "replicaset", "replication", "statefulset")


def cluster_of(state: Any) -> ClusterState:
    """The ClusterState inside an explorer state."""
    c = getattr(state, "cluster", state)
    assert isinstance(c, ClusterState), f"not a Kubernetes state: {type(state).__name__}"
    return c


def actor_family(action: Any) -> str:
    """The actor's family: the part of ``action.actor`` before the first ``/`` or ``:``."""
    actor = getattr(action, "actor", "") or ""
    for sep in ("/", ":"):
        actor = actor.split(sep, 1)[0]
    return actor


def is_workload_controller_action(action: Any) -> bool:
    """True when a workload controller (Deployment, ReplicaSet, RC, StatefulSet) took the step."""
    return bool(getattr(action, "fair", False)) and actor_family(action) in WORKLOAD_CONTROLLER_ACTORS


def is_active(pod: Pod) -> bool:
    """pkg/controller/controller_utils.go IsPodActive: not Succeeded/Failed and not being deleted."""
    return pod.phase not in ("Succeeded", "Failed") and pod.deletion_timestamp is None


def is_live(pod: Pod) -> bool:
    """A pod object that still exists and is not in a terminal phase (terminating pods included)."""
    return pod.phase not in ("Succeeded", "Failed")


def is_available(pod: Pod, min_ready_seconds: int) -> bool:
    """pkg/api/v1/pod/util.go IsPodAvailable on abstract time (see docs/semantics.md)."""
    if not pod.conditions.ready:
        return False
    return min_ready_seconds == 0 or pod.ready_elapsed


def selector_of(obj: Any):
    """The label selector of a workload as a matcher (RC map selectors are equality-only)."""
    if isinstance(obj, ReplicationController):
        return selector_from_set(obj.selector)
    return label_selector_as_selector(obj.selector)


def controlled_pods(c: ClusterState, owner: Any) -> tuple[Pod, ...]:
    """Pods whose controller reference points at ``owner``."""
    return c.pods_by_owner_uid(owner.uid)


def owned_replica_sets(c: ClusterState, d: Deployment) -> tuple[ReplicaSet, ...]:
    """ReplicaSets whose controller reference points at the Deployment."""
    out = []
    for rs in c.objects("ReplicaSet", d.namespace):
        ref = rs.controller_ref()
        if ref is not None and ref.uid == d.uid:
            out.append(rs)
    return tuple(out)


def deployment_pods(c: ClusterState, d: Deployment) -> tuple[Pod, ...]:
    """Pods controlled by any ReplicaSet the Deployment controls."""
    pods: list[Pod] = []
    for rs in owned_replica_sets(c, d):
        pods.extend(controlled_pods(c, rs))
    return tuple(pods)


def workloads(c: ClusterState, kinds: Iterable[str]) -> tuple[Any, ...]:
    out: list[Any] = []
    for kind in kinds:
        out.extend(c.objects(kind))
    return tuple(out)


def find(c: ClusterState, kind: str, key: tuple[str, str]) -> Any | None:
    return c.get(kind, key[0], key[1])


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as is; ``"N%"`` of ``total``, rounded up or down.

    An independent restatement (not the model's copy): the rules must not share a bug with the
    controllers they judge, and the mutation suite patches the model's copy.
    """
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%") and text[:-1].isdigit():
        n = int(text[:-1]) * total
        return -(-n // 100) if round_up else n // 100
    return int(text) if text.lstrip("-").isdigit() else 0


def rolling_bounds(d: Deployment) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as upstream resolves them (deployment_util.go ResolveFenceposts,
    MaxSurge, MaxUnavailable): surge rounds up, unavailable down; both 0 -> unavailable 1;
    maxUnavailable clamped to spec.replicas; a Recreate or 0-replica Deployment has (0, 0).
    Restated independently of the model (see :func:`scaled_value`)."""
    if d.strategy.type != "RollingUpdate":
        return 0, 0
    surge = scaled_value(d.strategy.max_surge, d.replicas, True)
    unavailable = scaled_value(d.strategy.max_unavailable, d.replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, (0 if d.replicas == 0 else min(unavailable, d.replicas))


def template_matches(a: Any, b: Any) -> bool:
    """deployment_util.go EqualIgnoreHash: two pod templates equal once ``pod-template-hash`` is
    dropped from their labels (restated independently of the model).

    Compared field by field (the labels without the hash, then every other compared field), which is
    what ``==`` of the two stripped copies does, without building them: KC-CONV-002 asks this for
    every ReplicaSet of every state (issue #17)."""
    cls = type(a)
    if type(b) is not cls:
        return _template_matches_by_copy(a, b)
    la, lb = a.labels, b.labels
    if "pod-template-hash" in la:
        la = la.remove("pod-template-hash")
    if "pod-template-hash" in lb:
        lb = lb.remove("pod-template-hash")
    if la != lb:
        return False
    names = _COMPARED.get(cls)
    if names is None:
        from dataclasses import fields

        names = _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare and f.name != "labels")
    for name in names:
        if getattr(a, name) != getattr(b, name):
            return False
    return True


#: class -> the fields its ``==`` compares, ``labels`` aside (see :func:`template_matches`)
_COMPARED: dict[type, tuple[str, ...]] = {}


def _template_matches_by_copy(a: Any, b: Any) -> bool:
    """:func:`template_matches` by comparing the two stripped copies (the definition)."""
    from dataclasses import replace

    def strip(t: Any) -> Any:
        return replace(t, labels=t.labels.remove("pod-template-hash") if "pod-template-hash" in t.labels else t.labels)

    return bool(strip(a) == strip(b))


def is_stateful_set_pod(set_: StatefulSet, pod: Pod) -> bool:
    ref = pod.controller_ref()
    return ref is not None and ref.uid == set_.uid
