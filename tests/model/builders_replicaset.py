"""Tiny builders for the ReplicaSet / ReplicationController / controller_utils tests.

``apply`` is a test-only stand-in for the API server (``model.apiserver`` is another
helper's): it assigns generated names, UIDs and creation order, keeps status on Update,
honours UID preconditions and turns a Delete into a deletionTimestamp (graceful).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import (
    API_VERSIONS,
    ContainerSpec,
    ContainerStatus,
    OwnerReference,
    Pod,
    PodConditions,
    PodTemplate,
    ReplicaSet,
    ReplicationController,
    kind_of,
)
from model.state import ClusterState

TEMPLATE_LABELS = {"name": "foo", "type": "production"}


def template(labels: Mapping[str, str] = TEMPLATE_LABELS) -> PodTemplate:
    """The pod template of upstream's newReplicaSet (one foo/bar container)."""
    return PodTemplate(labels=FrozenMap(labels), containers=(ContainerSpec("c", "foo/bar"),))


def rs(
    name: str = "foobar",
    replicas: int = 1,
    selector: Mapping[str, str] | None = None,
    *,
    uid: str | None = None,
    template_labels: Mapping[str, str] | None = None,
    owner_uid: str | None = None,
    **kw: Any,
) -> ReplicaSet:
    """Upstream's newReplicaSet(replicas, selectorMap).

    Upstream's template labels are always name=foo,type=production; here the selector is
    merged in so that the object would pass validation (the template must match the
    selector) and pods the controller creates are its own. ``template_labels`` overrides.
    """
    sel = {"foo": "bar"} if selector is None else dict(selector)
    labels = dict(TEMPLATE_LABELS) | sel if template_labels is None else dict(template_labels)
    refs = ()
    if owner_uid is not None:
        refs = (OwnerReference("apps/v1", "Deployment", "d", owner_uid, controller=True),)
    return ReplicaSet(
        name=name,
        uid=uid or f"uid-{name}",
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap(sel)),
        template=template(labels),
        owner_references=refs,
        **kw,
    )


def rc(
    name: str = "foobar",
    replicas: int = 1,
    selector: Mapping[str, str] | None = None,
    *,
    uid: str | None = None,
    **kw: Any,
) -> ReplicationController:
    """Upstream's newReplicationController(replicas): selector foo=bar."""
    sel = {"foo": "bar"} if selector is None else dict(selector)
    return ReplicationController(
        name=name,
        uid=uid or f"uid-{name}",
        replicas=replicas,
        selector=FrozenMap(sel),
        template=template(dict(TEMPLATE_LABELS) | sel),
        **kw,
    )


def owner_ref(owner: Any) -> OwnerReference:
    kind = kind_of(owner)
    return OwnerReference(API_VERSIONS[kind], kind, owner.name, owner.uid, controller=True, block_owner_deletion=True)


def pod(
    name: str,
    labels: Mapping[str, str] | None = None,
    owner: Any = None,
    *,
    phase: str = "Running",
    ready: bool | None = None,
    node: str | None = "node",
    ready_elapsed: bool = False,
    restarts: int = 0,
    creation_index: int = 0,
    deleting: bool = False,
    annotations: Mapping[str, str] | None = None,
    namespace: str = "default",
    uid: str | None = None,
    refs: tuple[OwnerReference, ...] | None = None,
) -> Pod:
    """Upstream's newPod: a Running pod is Ready; ``owner`` adds its controller reference."""
    if ready is None:
        ready = phase == "Running"
    if refs is None:
        refs = (owner_ref(owner),) if owner is not None else ()
    return Pod(
        name=name,
        namespace=namespace,
        uid=uid or f"uid-{name}",
        labels=FrozenMap(labels if labels is not None else {"foo": "bar"}),
        annotations=FrozenMap(annotations or {}),
        owner_references=refs,
        phase=phase,  # type: ignore[arg-type]
        conditions=PodConditions(ready=ready),
        ready_elapsed=ready_elapsed,
        node_name=node,
        creation_index=creation_index,
        deletion_timestamp=1 if deleting else None,
        container_statuses=(ContainerStatus("c", "foo/bar", restart_count=restarts),) if restarts else (),
    )


def state(*objs: Any) -> ClusterState:
    s = ClusterState()
    for o in objs:
        s = s.put(o)
    return s


def apply(s: ClusterState, writes: Iterable[Write]) -> ClusterState:
    """Apply writes the way the API server would, for these tests only."""
    for w in writes:
        if isinstance(w, Create):
            obj = w.obj
            name = f"{w.generate_name}{s.next_name}" if w.generate_name else obj.name
            assert s.get(kind_of(obj), obj.namespace, name) is None, f"name clash {name}"
            obj = replace(obj, name=name, uid=f"uid-{s.next_uid}", creation_index=1000 + s.next_uid)
            s = s.with_counters(next_uid=s.next_uid + 1, next_name=s.next_name + (1 if w.generate_name else 0))
            s = s.put(obj)
        elif isinstance(w, Update):
            stored = s.get(kind_of(w.obj), w.obj.namespace, w.obj.name)
            assert stored is not None and stored.uid == w.obj.uid
            new = w.obj if not hasattr(stored, "status") else replace(w.obj, status=stored.status)
            s = s.put(new)
        elif isinstance(w, UpdateStatus):
            stored = s.get(kind_of(w.obj), w.obj.namespace, w.obj.name)
            assert stored is not None and stored.uid == w.obj.uid
            s = s.put(replace(stored, status=w.obj.status))
        else:
            assert isinstance(w, Delete)
            stored = s.get(w.kind, w.namespace, w.name)
            assert stored is not None and (w.uid is None or stored.uid == w.uid)
            s = s.put(replace(stored, deletion_timestamp=1))
    return s


def run_to_fixpoint(
    s: ClusterState, sync: Callable[[ClusterState, tuple[str, str]], tuple[Write, ...]], key: tuple[str, str]
) -> tuple[ClusterState, int]:
    """Reconcile until the controller has nothing to do; returns the state and step count."""
    for steps in range(50):
        writes = sync(s, key)
        if not writes:
            return s, steps
        s = apply(s, writes)
    raise AssertionError("no fixed point within 50 reconciles")


def pod_writes(writes: Iterable[Write]) -> list[Write]:
    return [w for w in writes if not isinstance(w, UpdateStatus)]


def creates(writes: Iterable[Write]) -> list[Create]:
    return [w for w in writes if isinstance(w, Create)]


def deletes(writes: Iterable[Write]) -> list[Delete]:
    return [w for w in writes if isinstance(w, Delete)]


def patches(writes: Iterable[Write]) -> list[Update]:
    return [w for w in writes if isinstance(w, Update)]
