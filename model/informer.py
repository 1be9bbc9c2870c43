"""Informer caches of kube-controller-manager, controller expectations and the KEP-5647 fence.

Opt-in (``Scenario.caches = "lagged"``, ``--caches lagged``); with ``caches = "off"`` (the
default) nothing here runs and every controller reads the API server's state, as before.

**Caches.** Mirrors client-go ``tools/cache`` (staging/src/k8s.io/client-go/tools/cache/
shared_informer.go, reflector.go, delta_fifo.go) as kube-controller-manager uses it: one
``SharedInformerFactory`` (cmd/kube-controller-manager/app/controllermanager.go
``CreateControllerContext``) gives every controller of the process the *same* informer per
resource, so the cache is one store per kind shared by all controllers, and each kind's store
follows its own watch.  The model keeps :class:`InformerState.cache`, a ``ClusterState`` whose
table for each kind is an earlier version of the API server's table for that kind (a prefix of
that kind's history: the watch delivers one kind's events in resourceVersion order).  A
*delivery* step (:func:`delivery_steps`, actor ``informer``, weakly fair per kind: the reflector
keeps watching) replaces one kind's cached table by the current one.  Jumping straight to the
current version skips every intermediate version, as a relist (``Reflector.ListAndWatch`` after
a watch expired, ``DeltaFIFO.Replace``) does; taking a delivery after every step that changed the
kind reproduces the event-by-event watch.  Every prefix of a kind's history the cache can be at
upstream is therefore reachable, at the moment it is reached upstream (docs/semantics.md,
"Informer caches").

Every controller of ``model.system.CONTROLLERS`` (and the garbage collector and node lifecycle
controller) reads the cache instead of the API server (listers); its writes go to the API server
(``model.system._apply_pending``: a spec update computed on a stale object meets upstream's
resourceVersion Conflict, a delete carries its UID precondition, a create meets AlreadyExists).
The scheduler and the kubelets keep reading the API server (their own caches are not modelled).

**Expectations.** Mirrors pkg/controller/controller_utils.go ``UIDTrackingControllerExpectations``
(the pure port in ``model.controller_utils``) as the ReplicaSet and ReplicationController
controllers use it (pkg/controller/replicaset/replica_set.go ``syncReplicaSet``,
``manageReplicas``, ``addPod``/``updatePod``/``deletePod``/``deleteRS``): one store per controller
family in :attr:`InformerState.expectations`, keyed ``(namespace, name)`` (upstream: the string
``namespace/name``; a tuple lets the symmetry renaming reach generated names).  A reconcile that
creates ``n`` pods sets ``ExpectCreations(n)``, one that deletes sets ``ExpectDeletions(keys)``;
a delivery of the Pod table observes them through the upstream handlers (:func:`observe_pods`);
a write that fails or is dropped lowers them as upstream's error paths do; the 5-minute
``ExpectationsTimeout`` is an abstract, weakly fair expiry step (:func:`expectation_expiry_steps`).

**KEP-5647 fence.** kubernetes/enhancements keps/sig-api-machinery/5647-stale-controller-handling:
from Kubernetes 1.36 (beta, on by default; feature gates ``StaleControllerConsistencyReplicaSet``,
``...StatefulSet``, ``...DaemonSet``, ``...Job``) these controllers record the resourceVersion of
their own writes per object and do not reconcile that object again until the informer has
synced past it.  :attr:`InformerState.fences` holds, per controller actor key, the tables its
applied writes changed that no delivery has caught up with yet; while it is non-empty the actor
does not start a reconcile (:func:`fenced`).  Which versions have it: :mod:`model.versions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable

from model.api import Create, Delete, Write
from model.controller_utils import UIDTrackingControllerExpectations, get_controller_of
from model.frozen import EMPTY, FrozenMap
from model.frozen import evolve as replace
from model.objects import KINDS, SHORT_KIND_NAMES, kind_of
from model.state import ClusterState

__all__ = [
    "CACHE_MODES",
    "EXPECTATION_FAMILIES",
    "InformerState",
    "initial_informer",
    "controller_view",
    "cached_keys",
    "rs_needs_sync",
    "fenced",
    "Delivery",
    "delivery_steps",
    "observe_pods",
    "observe_owners",
    "after_controller_step",
    "expectation_expiry_steps",
    "restart",
    "informer_objects",
    "informer_names",
]

#: ``Scenario.caches``: ``off`` (controllers read the API server) or ``lagged`` (informer caches).
CACHE_MODES: tuple[str, ...] = ("off", "lagged")

#: Controller family -> the kind of its objects, for the families that keep expectations
#: (pkg/controller/replicaset: ReplicaSet, and ReplicationController through the same code).
EXPECTATION_FAMILIES: dict[str, str] = {"replicaset": "ReplicaSet", "replication": "ReplicationController"}
#: The families whose expectations are plain ``ControllerExpectations`` (no UID tracking):
#: pkg/controller/daemon/daemon_controller.go (``controller.NewControllerExpectations()``).  Kept in
#: the same ``UIDTrackingControllerExpectations`` value, whose key set stays empty.
PLAIN_EXPECTATION_FAMILIES: dict[str, str] = {"daemonset": "DaemonSet"}

_ATTRS: tuple[tuple[str, str], ...] = tuple((kind, attr) for kind, (_, attr) in KINDS.items())
_ATTR_OF: dict[str, str] = {kind: attr for kind, attr in _ATTRS}

ExpKey = tuple[str, str]
ActorKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InformerState:
    """What kube-controller-manager holds in memory: its informer caches, the expectations of
    the controllers that keep them, and the KEP-5647 fences (see the module docstring)."""

    cache: ClusterState
    expectations: FrozenMap[str, UIDTrackingControllerExpectations] = field(default=EMPTY)
    fences: FrozenMap[ActorKey, frozenset[str]] = field(default=EMPTY)


def initial_informer(cluster: ClusterState) -> InformerState:
    """The caches after ``WaitForCacheSync`` (controllers start only on synced caches): equal to
    the API server; no expectations, no fences."""
    return InformerState(cache=cluster)


def controller_view(cluster: ClusterState, informer: InformerState) -> ClusterState:
    """What a controller's listers show: the cache (its counters are never read by a sync)."""
    return informer.cache


def cached_keys(informer: InformerState, kind: str) -> list[Any]:
    """The keys of ``kind`` the cache holds: upstream's work queue is fed by the cache's events, so
    an object deleted from the API server but still cached is still synced (and one created but
    not yet delivered is not, until its delivery)."""
    return list(informer.cache.table(kind).keys())


def _exp(informer: InformerState, family: str) -> UIDTrackingControllerExpectations:
    return informer.expectations.get(family) or UIDTrackingControllerExpectations()


def rs_needs_sync(informer: InformerState, family: str, key: Any) -> bool:
    """``rsc.expectations.SatisfiedExpectations(key)`` (replica_set.go syncReplicaSet), and the
    DaemonSet's ``dsc.expectations.SatisfiedExpectations(dsKey)`` (daemon_controller.go syncDaemonSet)."""
    if family not in EXPECTATION_FAMILIES and family not in PLAIN_EXPECTATION_FAMILIES:
        return True
    return _exp(informer, family).satisfied_expectations(key)


def fenced(informer: InformerState, actor_key: ActorKey) -> bool:
    """KEP-5647: the actor's own last writes are not in the cache yet, so it does not reconcile."""
    return bool(informer.fences.get(actor_key))


# ------------------------------------------------------------------------ event handlers


def _resolve_controller_ref(cache: ClusterState, kind: str, pod: Any) -> ExpKey | None:
    """replica_set.go resolveControllerRef: the controller (by name in the lister, then UID)."""
    ref = get_controller_of(pod)
    if ref is None or ref.kind != kind:
        return None
    owner = cache.get(kind, pod.namespace, ref.name)
    if owner is None or owner.uid != ref.uid:
        return None
    return (pod.namespace, owner.name)


def _pod_key(pod: Any) -> ExpKey:
    """controller.PodKey (``namespace/name``), as a tuple."""
    return (pod.namespace, pod.name)


def observe_pods(
    exp: UIDTrackingControllerExpectations, kind: str, cache: ClusterState, old: FrozenMap, new: FrozenMap
) -> UIDTrackingControllerExpectations:
    """The pod event handlers of pkg/controller/replicaset/replica_set.go (``addPod``, ``updatePod``,
    ``deletePod``) for the events that take the cached Pod table from ``old`` to ``new``, with
    ``cache`` the lister they resolve controller references in.

    * added: being deleted -> ``deletePod``; else a controlled pod -> ``CreationObserved(rsKey)``
      (orphans observe nothing);
    * updated: ``cur.DeletionTimestamp != nil`` -> ``deletePod(cur)``, and ``deletePod(old)`` too
      when the labels changed; nothing else touches expectations;
    * deleted (or a tombstone after a relist) -> ``deletePod`` of the last known object:
      ``DeletionObserved(rsKey, PodKey(pod))``, which counts only an awaited key, once;
    * a name that now holds another UID (deleted and re-created between two deliveries) is a
      delete of the old pod and an add of the new one, as the watch delivers them.
    """
    def delete_pod(e: UIDTrackingControllerExpectations, pod: Any) -> UIDTrackingControllerExpectations:
        rs_key = _resolve_controller_ref(cache, kind, pod)
        return e if rs_key is None else e.deletion_observed(rs_key, _pod_key(pod))

    def add_pod(e: UIDTrackingControllerExpectations, pod: Any) -> UIDTrackingControllerExpectations:
        if pod.deletion_timestamp is not None:
            return delete_pod(e, pod)
        rs_key = _resolve_controller_ref(cache, kind, pod)
        return e if rs_key is None else e.creation_observed(rs_key)

    return _pod_events(exp, old, new, add_pod, delete_pod, relabel_deletes_old=True)


def observe_daemon_pods(
    exp: UIDTrackingControllerExpectations, cache: ClusterState, old: FrozenMap, new: FrozenMap
) -> UIDTrackingControllerExpectations:
    """The pod event handlers of pkg/controller/daemon/daemon_controller.go (``addPod``, ``updatePod``,
    ``deletePod``) on plain ``ControllerExpectations`` (no key tracking):

    * added: being deleted -> ``deletePod``; else a pod whose controller reference resolves to a
      cached DaemonSet -> ``CreationObserved(dsKey)``;
    * updated (any change, upstream compares ResourceVersions) with a deletionTimestamp ->
      ``deletePod(cur)``: every such update counts a deletion again (upstream's own behaviour: the
      counter may go below zero, which still reads as fulfilled);
    * deleted -> ``deletePod``: ``DeletionObserved(dsKey)``;
    * a name that now holds another UID: a delete and an add, as the watch delivers them.
    """
    def delete_pod(e: UIDTrackingControllerExpectations, pod: Any) -> UIDTrackingControllerExpectations:
        ds_key = _resolve_controller_ref(cache, "DaemonSet", pod)
        return e if ds_key is None else replace(e, expectations=e.expectations.deletion_observed(ds_key))

    def add_pod(e: UIDTrackingControllerExpectations, pod: Any) -> UIDTrackingControllerExpectations:
        if pod.deletion_timestamp is not None:
            return delete_pod(e, pod)
        ds_key = _resolve_controller_ref(cache, "DaemonSet", pod)
        return e if ds_key is None else e.creation_observed(ds_key)

    return _pod_events(exp, old, new, add_pod, delete_pod, relabel_deletes_old=False)


_Handler = Callable[[UIDTrackingControllerExpectations, Any], UIDTrackingControllerExpectations]


def _pod_events(exp: UIDTrackingControllerExpectations, old: FrozenMap, new: FrozenMap, add_pod: _Handler,
                delete_pod: _Handler, *, relabel_deletes_old: bool) -> UIDTrackingControllerExpectations:
    """The pod events a cache delivery from ``old`` to ``new`` carries, in key order, given to the
    controller's handlers: a delete, an add, a delete and an add (a name that now holds another
    UID), or an update with a deletionTimestamp (``deletePod(cur)``; with ``relabel_deletes_old``
    also ``deletePod(old)`` when the labels changed, as the ReplicaSet's ``updatePod`` does)."""
    if old is new:
        return exp
    for k in sorted(set(old.keys()) | set(new.keys())):
        before, after = old.get(k), new.get(k)
        if before is after or before == after:
            continue
        if after is None:
            exp = delete_pod(exp, before)
        elif before is None:
            exp = add_pod(exp, after)
        elif before.uid != after.uid:
            exp = add_pod(delete_pod(exp, before), after)
        elif after.deletion_timestamp is not None:
            exp = delete_pod(exp, after)
            if relabel_deletes_old and before.labels != after.labels:
                exp = delete_pod(exp, before)
    return exp


def observe_owners(exp: UIDTrackingControllerExpectations, old: FrozenMap, new: FrozenMap) -> UIDTrackingControllerExpectations:
    """replica_set.go ``deleteRS`` (and ``updateRS`` with a new UID): ``DeleteExpectations(key)`` for a
    controller that left the cache, "so if we create a new one with the same name it starts clean"."""
    if old is new:
        return exp
    for k, before in old.items():
        after = new.get(k)
        if after is None or after.uid != before.uid:
            exp = exp.delete_expectations(k)
    return exp


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery step: the kind whose cached table catches up, its label and the result."""

    kind: str
    label: str
    informer: InformerState


def delivery_steps(cluster: ClusterState, informer: InformerState) -> Iterator[Delivery]:
    """One delivery per kind whose cached table differs from the API server's: the table jumps to
    the current one (module docstring), the handlers observe what changed, and every fence on
    that kind is lifted (the cache has synced past every write already applied)."""
    cache = informer.cache
    for kind, attr in _ATTRS:
        old, new = getattr(cache, attr), getattr(cluster, attr)
        if old is new or old == new:
            continue
        new_cache = cache._replace(**{attr: new})
        exps = informer.expectations
        for family, owner_kind in (EXPECTATION_FAMILIES | PLAIN_EXPECTATION_FAMILIES).items():
            e = exps.get(family)
            if e is None:
                continue
            if kind == "Pod" and family in PLAIN_EXPECTATION_FAMILIES:
                e2 = observe_daemon_pods(e, new_cache, old, new)
            elif kind == "Pod":
                e2 = observe_pods(e, owner_kind, new_cache, old, new)
            elif kind == owner_kind:
                e2 = observe_owners(e, old, new)
            else:
                continue
            if e2 != e:
                exps = exps.set(family, e2)
        fences = informer.fences
        for ak, kinds in informer.fences.items():
            if attr in kinds:
                rest = kinds - {attr}
                fences = fences.set(ak, rest) if rest else fences.remove(ak)
        yield Delivery(kind, f"informer_deliver_{SHORT_KIND_NAMES[kind]}", InformerState(new_cache, exps, fences))


def _written_attr(w: Write) -> str:
    if isinstance(w, Delete):
        return _ATTR_OF[w.kind]
    return _ATTR_OF[kind_of(w.obj)]


def after_controller_step(
    informer: InformerState,
    actor_key: ActorKey,
    *,
    started: tuple[Write, ...] | None,
    applied: Iterable[Write],
    dropped: Iterable[Write],
    fence: bool,
) -> InformerState:
    """The in-memory side of one controller step.

    * ``started``: the writes of a reconcile that starts in this step.  For an expectations
      family, manageReplicas's ``ExpectCreations(rsKey, n)`` before ``n`` creates and
      ``ExpectDeletions(rsKey, podKeys)`` before deletes (replica_set.go manageReplicas).
    * ``applied``: writes the API server accepted in this step; with ``fence`` (KEP-5647) their
      tables join the actor's fence.
    * ``dropped``: writes that failed or that the end of the reconcile skipped: a skipped create
      is ``CreationObserved`` ("Any skipped pods that we never attempted to start shouldn't be
      expected"), a failed delete ``DeletionObserved(rsKey, podKey)`` (manageReplicas's error paths).
    """
    family = actor_key[0]
    exps = informer.expectations
    if family in EXPECTATION_FAMILIES:
        key: ExpKey = (actor_key[-2], actor_key[-1])
        e = _exp(informer, family)
        e0 = e
        if started is not None:
            creates = sum(1 for w in started if isinstance(w, Create) and kind_of(w.obj) == "Pod")
            deletes = [(w.namespace, w.name) for w in started if isinstance(w, Delete) and w.kind == "Pod"]
            if creates:
                e = e.expect_creations(key, creates)
            elif deletes:
                e = e.expect_deletions(key, deletes)
        for w in dropped:
            if isinstance(w, Create) and kind_of(w.obj) == "Pod":
                e = e.creation_observed(key)
            elif isinstance(w, Delete) and w.kind == "Pod":
                e = e.deletion_observed(key, (w.namespace, w.name))
        if e != e0:
            exps = exps.set(family, e)
    elif family in PLAIN_EXPECTATION_FAMILIES:
        # daemon_controller.go syncNodes: SetExpectations(dsKey, createDiff, deleteDiff) before its
        # creates and deletes; a failed or skipped create CreationObserved, a failed delete
        # DeletionObserved (no key tracking)
        key = (actor_key[-2], actor_key[-1])
        e = _exp(informer, family)
        c0 = e.expectations
        c = c0
        if started is not None:
            creates = sum(1 for w in started if isinstance(w, Create) and kind_of(w.obj) == "Pod")
            n_deletes = sum(1 for w in started if isinstance(w, Delete) and w.kind == "Pod")
            if creates or n_deletes:
                c = c.set_expectations(key, creates, n_deletes)
        for w in dropped:
            if isinstance(w, Create) and kind_of(w.obj) == "Pod":
                c = c.creation_observed(key)
            elif isinstance(w, Delete) and w.kind == "Pod":
                c = c.deletion_observed(key)
        if c != c0:
            exps = exps.set(family, replace(e, expectations=c))
    fences = informer.fences
    if fence:
        attrs = frozenset(_written_attr(w) for w in applied)
        if attrs:
            fences = fences.set(actor_key, fences.get(actor_key, frozenset()) | attrs)
    if exps is informer.expectations and fences is informer.fences:
        return informer
    return replace(informer, expectations=exps, fences=fences)


def expectation_expiry_steps(informer: InformerState) -> Iterator[tuple[str, ExpKey, InformerState]]:
    """The abstract ``ExpectationsTimeout`` (5 minutes after SetExpectations): one step per
    unsatisfied, unexpired expectation, after which ``SatisfiedExpectations`` is true."""
    for family, e in informer.expectations.items():
        for key, ce in e.expectations.store.items():
            if not ce.fulfilled() and not ce.expired:
                yield family, key, replace(informer, expectations=informer.expectations.set(family, e.expire(key)))


def restart(cluster: ClusterState) -> InformerState:
    """A kube-controller-manager restart: expectations and fences live in memory and are lost; the
    informers re-list (the new process waits for synced caches), so the cache is the API server."""
    return initial_informer(cluster)


def informer_objects(informer: InformerState) -> Iterator[Any]:
    """Every object the cache holds (their UIDs must not be handed out again)."""
    return informer.cache.all_objects()


def informer_names(informer: InformerState) -> set[tuple[str, str, str]]:
    """The pod names the expectations still await (a new pod must not get one of them)."""
    out: set[tuple[str, str, str]] = set()
    for e in informer.expectations.values():
        for keys in e.uid_store.values():
            for k in keys:
                assert isinstance(k, tuple)
                out.add(("Pod", k[0], k[1]))
    return out
