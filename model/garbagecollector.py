"""The garbage collector: cascading deletion as its own, weakly fair actor.

Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go
(attemptToDeleteItem, classifyReferences, processDeletingDependentsItem, orphanDependents).

Upstream keeps a dependency graph fed by informers and two work queues (attemptToDelete,
attemptToOrphan).  The model reads the graph straight from the state
(``ClusterState.dependents``) and makes every object an item: ``sync_garbage_collector(state,
item)`` returns the writes one worker pass over that item would issue, ``()`` when there is
nothing to do (the step is disabled, as for the controllers).  Cascading therefore takes
steps: deleting a ReplicaSet in the background removes it at once, and its pods go later, one
GC step each, interleaved with everything else (docs/semantics.md#runtime, "Garbage collector").

Not modelled: the absent-owner cache, the virtual-node bookkeeping, ownership cycles
(``unblockOwnerReferences`` for a dependent that is itself deleting dependents) and owner
references to kinds the model does not know (treated as solid, upstream retries forever).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from model.api import Delete, Update, Write
from model.apiserver import FINALIZER_FOREGROUND, FINALIZER_ORPHAN
from model.objects import KINDS, SHORT_KIND_NAMES, OwnerReference, kind_of
from model.records import ActorKey, Controller, write_label
from model.state import ClusterState
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "GCItem",
    "is_dangling",
    "classify_references",
    "blocking_dependents",
    "process_deleting_dependents_item",
    "orphan_dependents",
    "attempt_to_delete_item",
    "sync_garbage_collector",
    "gc_items",
]

#: (kind, namespace, name) of one object: a node of upstream's dependency graph.
GCItem = tuple[str, str, str]


def _owner_of(state: ClusterState, obj: Any, ref: OwnerReference) -> Any | None:
    if ref.kind not in KINDS:
        return None
    namespace = "" if ref.kind == "Node" else obj.namespace
    return state.get(ref.kind, namespace, ref.name)


def is_dangling(state: ClusterState, obj: Any, ref: OwnerReference) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go isDangling.

    The owner is looked up by kind, namespace and name; it is dangling when absent or when
    the object found has another UID (the owner was deleted and recreated).  A reference to
    a kind the model does not know is never dangling (upstream cannot resolve it either and
    keeps retrying).
    """
    if ref.kind not in KINDS:
        return False
    owner = _owner_of(state, obj, ref)
    return owner is None or owner.uid != ref.uid


def classify_references(
    state: ClusterState, obj: Any
) -> tuple[tuple[OwnerReference, ...], tuple[OwnerReference, ...], tuple[OwnerReference, ...]]:
    """Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go classifyReferences.

    Returns ``(solid, dangling, waiting_for_dependents_deletion)``: an owner that exists and
    is being deleted with the ``foregroundDeletion`` finalizer is "waiting", any other
    existing owner is "solid".
    """
    solid: list[OwnerReference] = []
    dangling: list[OwnerReference] = []
    waiting: list[OwnerReference] = []
    for ref in obj.owner_references:
        if is_dangling(state, obj, ref):
            dangling.append(ref)
            continue
        owner = _owner_of(state, obj, ref)
        if owner is not None and owner.deletion_timestamp is not None and FINALIZER_FOREGROUND in owner.finalizers:
            waiting.append(ref)
        else:
            solid.append(ref)
    return tuple(solid), tuple(dangling), tuple(waiting)


def blocking_dependents(state: ClusterState, owner: Any) -> tuple[Any, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/graph.go blockingDependents.

    Dependents whose reference to ``owner`` has ``blockOwnerDeletion: true``.
    """
    return tuple(
        d
        for d in state.dependents(owner.uid)
        if any(r.uid == owner.uid and r.block_owner_deletion for r in d.owner_references)
    )


def _without_finalizer(obj: Any, finalizer: str) -> Update:
    return Update(replace(obj, finalizers=tuple(f for f in obj.finalizers if f != finalizer)))


def process_deleting_dependents_item(state: ClusterState, obj: Any) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go processDeletingDependentsItem.

    No blocking dependent left: remove the ``foregroundDeletion`` finalizer (the API server
    then removes the object).  Otherwise upstream only enqueues the blocking dependents; in
    the model each dependent is its own item, whose :func:`attempt_to_delete_item` sees a
    "waiting" owner and deletes it, so this returns ``()``.
    """
    if blocking_dependents(state, obj):
        return ()
    return (_without_finalizer(obj, FINALIZER_FOREGROUND),)


def orphan_dependents(state: ClusterState, owner: Any) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go orphanDependents
    (plus the finalizer removal of attemptToOrphanWorker).

    One patch per dependent removing its references to ``owner``, then the removal of the
    ``orphan`` finalizer from the owner.
    """
    writes: list[Write] = []
    for dep in state.dependents(owner.uid):
        refs = tuple(r for r in dep.owner_references if r.uid != owner.uid)
        writes.append(Update(replace(dep, owner_references=refs)))
    writes.append(_without_finalizer(owner, FINALIZER_ORPHAN))
    return tuple(writes)


def attempt_to_delete_item(state: ClusterState, obj: Any) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem.

    * being deleted without ``foregroundDeletion``: nothing (the API server or another
      finalizer owns the rest);
    * being deleted with it: :func:`process_deleting_dependents_item`;
    * no owner references: nothing;
    * some solid owner: patch away the dangling and waiting references, if any;
    * a waiting owner and dependents of its own: delete in the foreground;
    * otherwise (every owner dangling or waiting): delete, honouring an existing ``orphan``
      or ``foregroundDeletion`` finalizer, else in the background.

    Every Delete carries the item's UID as a precondition (upstream's deleteObject).
    """
    kind = kind_of(obj)
    if obj.deletion_timestamp is not None:
        if FINALIZER_FOREGROUND in obj.finalizers:
            return process_deleting_dependents_item(state, obj)
        return ()
    if not obj.owner_references:
        return ()
    solid, dangling, waiting = classify_references(state, obj)
    if solid:
        if not dangling and not waiting:
            return ()
        drop = {r.uid for r in dangling + waiting}
        refs = tuple(r for r in obj.owner_references if r.uid not in drop)
        return (Update(replace(obj, owner_references=refs)),)
    if waiting and state.dependents(obj.uid):
        return (Delete(kind, obj.namespace, obj.name, uid=obj.uid, propagation="Foreground"),)
    if FINALIZER_ORPHAN in obj.finalizers:
        policy = "Orphan"
    elif FINALIZER_FOREGROUND in obj.finalizers:
        policy = "Foreground"
    else:
        policy = "Background"
    return (Delete(kind, obj.namespace, obj.name, uid=obj.uid, propagation=policy),)  # type: ignore[arg-type]


def sync_garbage_collector(state: ClusterState, item: GCItem) -> tuple[Write, ...]:
    """One GC worker pass over ``item``: orphaning first (attemptToOrphan), then attemptToDelete.

    An object being deleted with the ``orphan`` finalizer has its dependents orphaned
    (:func:`orphan_dependents`); any other object goes through
    :func:`attempt_to_delete_item`.  ``()`` = nothing to do.
    """
    kind, namespace, name = item
    obj = state.get(kind, namespace, name)
    if obj is None:
        return ()
    if obj.deletion_timestamp is not None and FINALIZER_ORPHAN in obj.finalizers:
        return orphan_dependents(state, obj)
    return attempt_to_delete_item(state, obj)


def gc_items(state: ClusterState) -> Iterator[GCItem]:
    """The objects the GC may have work for, in deterministic (kind, key) order.

    Objects with owner references, and objects being deleted with a GC finalizer.
    """
    for kind in KINDS:
        for obj in state.table(kind).values():
            if obj.owner_references or (
                obj.deletion_timestamp is not None
                and (FINALIZER_ORPHAN in obj.finalizers or FINALIZER_FOREGROUND in obj.finalizers)
            ):
                yield (kind, obj.namespace, obj.name)


def gc_write_label(ctl: Controller, key: ActorKey, write: Write, base: Any, cluster: ClusterState) -> str:
    """The garbage collector's action labels: it never releases, it removes owner references
    (``gc_remove_owner_ref``, also when the reference it removes is the controller's)."""
    label = write_label(ctl, key, write, base, cluster)
    if label.startswith(f"{ctl.prefix}_release_"):
        return f"{ctl.prefix}_remove_owner_ref"
    return label


#: The garbage collector's record (registered in ``model.registry``): its work keys are the objects
#: with owner references or GC finalizers (:func:`gc_items`), of every kind.
CONTROLLER = Controller(
    "garbagecollector", "gc", "", sync_garbage_collector,
    frozenset({"gc_remove_owner_ref", "gc_remove_finalizer"} | {f"gc_delete_{SHORT_KIND_NAMES[k]}" for k in KINDS}),
    label=gc_write_label,
    keys=gc_items,
)
