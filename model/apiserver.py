"""The API server, reduced to what the controllers observe: one pure function per write.

Mirrors the behaviour of kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
(Create, Update, Delete, deleteWithoutFinalizers, updateForGracefulDeletionAndFinalizers) and
pkg/registry/core/pod/strategy.go (CheckGracefulDelete), as far as the modelled objects go.

``apply_write(state, write)`` returns the next ``ClusterState`` or raises :class:`ApiError`
(a ``ModelError``) with the upstream status reason:

* ``Invalid``: a Create whose ``metadata.name`` is not a DNS-1123 subdomain or whose label values
  are not valid label values (:func:`validate_object_meta_on_create`): a controller's generated
  name or label that the API server would refuse (a StatefulSet whose name leaves no room for the
  ``controller-revision-hash`` label, kubernetes#64023).  ``model.system`` treats it as a failed
  write: the reconcile stops there, as upstream's controller gets the error and retries.
* ``AlreadyExists``: a Create whose name is taken.  ``model.system`` never produces one in a
  run without stale reads (a test checks); with stale reads it is a failed write.
* ``NotFound``: an Update, UpdateStatus or Delete of a missing object.
* ``Conflict``: a UID precondition (Delete) or a UID in the written object (Update) that does
  not match the stored object (the name now belongs to a newer object).

Deletion (docs/semantics.md#runtime, "Deletion"): a pod on a node gets a graceful
``deletion_timestamp`` and stays until the kubelet confirms with a grace-0 delete; a pod that
was never scheduled, or a force delete (grace 0), goes at once.  Every other kind has no
graceful period.  An explicit ``propagation`` sets the ``orphan`` or ``foregroundDeletion``
finalizer (first delete only; no policy keeps the ones the object carries); the first delete
bumps ``generation`` (markAsDeleting); an object with a deletion timestamp, no finalizers and
a zero grace period is removed.  Dependents are left alone here: the garbage collector
(``model.garbagecollector``) cascades in its own, fair steps.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Iterable

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.errors import ModelError
from model.objects import KIND_INFO, KINDS, ObjectMeta, kind_of
from model.state import ClusterState
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object

__all__ = [
    "ApiError",
    "validate_object_meta_on_create",
    "FINALIZER_ORPHAN",
    "FINALIZER_FOREGROUND",
    "DELETION_TICK",
    "METADATA_FIELDS",
    "STATUS_FIELDS",
    "apply_write",
    "apply_writes",
    "status_of",
    "spec_of",
    "metadata_of",
    "is_metadata_only_change",
    "uid_in_use",
    "deletion_finalizers_for_garbage_collection",
    "Reserved",
    "NO_RESERVED",
    "has_pod_affinity_label_keys",
    "apply_match_label_keys_and_mismatch_label_keys",
    "admit_pod_affinity_label_keys",
    "apply_match_label_keys_to_spread",
    "admit_created_object",
    "admit_spread_label_keys",
    "identifiers_of",
    "by_creator_uid",
    "family_of",
]

#: metav1.FinalizerOrphanDependents
FINALIZER_ORPHAN = "orphan"
#: metav1.FinalizerDeleteDependents
FINALIZER_FOREGROUND = "foregroundDeletion"
#: The logical deletionTimestamp: only "is set" matters (docs/semantics.md#runtime, "Abstract time").
DELETION_TICK = 1

#: Fields of the flattened metav1.ObjectMeta.
METADATA_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ObjectMeta))

#: Fields written through the status subresource, per kind (``model.objects.KindInfo.status_fields``).
STATUS_FIELDS: dict[str, tuple[str, ...]] = {k.name: k.status_fields for k in KIND_INFO}

#: Metadata a status write may also change.  The Deployment status strategy only resets the
#: spec and labels (pkg/registry/apps/deployment/strategy.go deploymentStatusStrategy
#: PrepareForUpdate), and the deployment controller relies on writing its revision
#: annotations together with the status.
_STATUS_METADATA: dict[str, tuple[str, ...]] = {"Deployment": ("annotations",)}

#: Metadata the API server owns: a client's Update cannot change it.
_SERVER_OWNED: tuple[str, ...] = (
    "uid",
    "generation",
    "deletion_timestamp",
    "deletion_grace_period_seconds",
    "creation_index",
    "generate_name",
)

#: Kinds whose ``metadata.generation`` the model tracks (``model.objects.KindInfo.generation``).
_GENERATION_KINDS = frozenset(k.name for k in KIND_INFO if k.generation)


class ApiError(ModelError):
    """A write the API server refuses; ``reason`` is the metav1.StatusReason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


# ----------------------------------------------------------------------------- helpers


def _field_names(obj: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(obj))


def status_of(obj: Any) -> tuple[Any, ...]:
    """The values of the status fields of ``obj`` (see :data:`STATUS_FIELDS`)."""
    return tuple(getattr(obj, f) for f in STATUS_FIELDS[kind_of(obj)])


def metadata_of(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, f) for f in METADATA_FIELDS)


def spec_of(obj: Any) -> tuple[Any, ...]:
    """Every field that is neither metadata nor status: what bumps ``generation``."""
    skip = set(METADATA_FIELDS) | set(STATUS_FIELDS[kind_of(obj)])
    return tuple(getattr(obj, f) for f in _field_names(obj) if f not in skip)


def is_metadata_only_change(base: Any, new: Any) -> bool:
    """True when ``new`` differs from ``base`` in client-writable metadata only.

    Such a write is what upstream sends as a PATCH (adopt/release, ownerReference removal by
    the garbage collector, finalizer removal), which carries no resourceVersion and so cannot
    conflict; ``model.system`` merges it into the current object.
    """
    return spec_of(base) == spec_of(new) and status_of(base) == status_of(new)


@dataclass(frozen=True, slots=True)
class Reserved:
    """Identifiers the API server must not hand out although no stored object holds them.

    Upstream UIDs are random UUIDs and never reused; the model allocates the lowest free
    ``uid-<n>`` instead (docs/semantics.md#runtime section 7).  That is only a renaming of
    upstream's choice if the new UID is distinct from every UID anything in the *system state*
    still mentions, not just the stored objects: a pending write's UID precondition or base,
    the state before the step (so one step that deletes and creates cannot hand the dead UID
    to the new object) and a stale view.  ``model.system`` collects those
    (:func:`identifiers_of`) and passes them to :func:`apply_write`.  ``names`` does the same for
    generated names, as ``(kind, namespace, name)``.
    """

    uids: frozenset[str] = frozenset()
    names: frozenset[tuple[str, str, str]] = frozenset()
    #: ``Scenario.identifiers == "by-creator"``: order-independent allocation
    #: (:func:`by_creator_uid`, :func:`family_of`; docs/semantics.md#runtime section 7)
    by_creator: bool = False


NO_RESERVED = Reserved()


def identifiers_of(objs: Iterable[Any]) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Every UID (own and owner references) and ``(kind, namespace, name)`` that ``objs`` mention."""
    uids: set[str] = set()
    names: set[tuple[str, str, str]] = set()
    for o in objs:
        if o is None:
            continue
        if o.uid:
            uids.add(o.uid)
        for ref in o.owner_references:
            uids.add(ref.uid)
        if o.name:
            names.add((kind_of(o), o.namespace, o.name))
    return uids, names


def uid_in_use(state: ClusterState, uid: str, reserved: Reserved = NO_RESERVED) -> bool:
    """A UID held by a stored object, named by any owner reference (dangling ones too), or
    reserved (mentioned by a pending write, a stale view or the state before the step)."""
    return uid in reserved.uids or state.by_uid(uid) is not None or bool(state.dependents(uid))


def _next_free_uid(state: ClusterState, reserved: Reserved) -> tuple[str, int]:
    n = max(state.next_uid, 1)
    while uid_in_use(state, f"uid-{n}", reserved):
        n += 1
    return f"uid-{n}", n + 1


def by_creator_uid(kind: str, namespace: str, name: str, k: int) -> str:
    """The ``k``-th incarnation's UID of the object ``kind namespace/name`` under the by-creator
    allocation: a function of the object's own identity, so two creations of different objects
    never compete for a UID (injective: kinds, namespaces and names contain no ``/``)."""
    return f"uid-{kind}/{namespace}/{name}/{k}"


def _by_creator_free_uid(state: ClusterState, kind: str, namespace: str, name: str, reserved: Reserved) -> str:
    """The lowest incarnation ``k >= 1`` of ``kind namespace/name`` whose UID nothing mentions
    (stored, an owner reference, reserved): reads only the identifiers of that one name."""
    k = 1
    while uid_in_use(state, by_creator_uid(kind, namespace, name, k), reserved):
        k += 1
    return by_creator_uid(kind, namespace, name, k)


def family_of(kind: str, obj: Any) -> tuple[str, str, str]:
    """The creation-order family of an object under the by-creator allocation: its kind, namespace
    and controller's UID ("" for none).  ``creation_index`` is ordered within a family only
    (docs/semantics.md#runtime section 7): the order readers compare (a controller's own pods,
    a Deployment's ReplicaSets, a set's revisions) is the order among one controller's objects."""
    ref = obj.controller_ref()
    return (kind, obj.namespace, ref.uid if ref is not None else "")


def _next_family_index(state: ClusterState, kind: str, obj: Any) -> int:
    fam = family_of(kind, obj)
    attr = KINDS[kind][1]
    return 1 + max((o.creation_index for o in getattr(state, attr).values() if family_of(kind, o) == fam), default=-1)


#: The consonants of upstream's generateName alphabet (k8s.io/apimachinery/pkg/util/rand alphanums,
#: "bcdfghjklmnpqrstvwxz2456789", used by staging/src/k8s.io/apiserver/pkg/storage/names/generate.go).
_SUFFIX_LETTERS = "bcdfghjklmnpqrstvwxz"


def _letters(n: int) -> str:
    """``n >= 1`` spelt in :data:`_SUFFIX_LETTERS` (bijective base 20: 1 -> b, 20 -> z, 21 -> bb)."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, len(_SUFFIX_LETTERS))
        out = _SUFFIX_LETTERS[r] + out
    return out


def generated_suffix(state: ClusterState, kind: str, namespace: str, prefix: str) -> Callable[[int], str]:
    """The model's stand-in for upstream's random 5-character suffix: the number ``n``, except for a
    pod whose prefix is ``<statefulset>-`` of a StatefulSet in the namespace, where a number would be
    that set's ordinal pod name (``web-1``) and a later create of the ordinal would meet AlreadyExists;
    upstream's random suffix is all digits with odds of 1 in 14,000 (7^5 of 27^5), so the model
    spells ``n`` in letters there (``web-b``)."""
    if kind == "Pod" and prefix.endswith("-") and state.get("StatefulSet", namespace, prefix[:-1]) is not None:
        return _letters
    return str


def _next_free_name(state: ClusterState, kind: str, namespace: str, prefix: str, reserved: Reserved) -> tuple[str, int]:
    n = 1 if reserved.by_creator else max(state.next_name, 1)
    suffix = generated_suffix(state, kind, namespace, prefix)
    while state.get(kind, namespace, f"{prefix}{suffix(n)}") is not None or (kind, namespace, f"{prefix}{suffix(n)}") in reserved.names:
        n += 1
    return f"{prefix}{suffix(n)}", n + 1


def _max_creation_index(state: ClusterState) -> int:
    return max((o.creation_index for o in state.all_objects()), default=-1)


def _fresh_status(obj: Any) -> Any:
    """PrepareForCreate: a client cannot create an object with a status (pods start Pending).

    Nodes and PVCs keep theirs: the model has no node controller or volume binder, so the
    manifest's values stand for what those would report.
    """
    kind = kind_of(obj)
    if kind in ("Node", "PersistentVolumeClaim"):
        return obj
    blank = type(obj)(name=obj.name)
    return replace(obj, **{f: getattr(blank, f) for f in STATUS_FIELDS[kind]})


def _finalize(state: ClusterState, obj: Any) -> ClusterState:
    """Store ``obj``, or remove it when its deletion is complete (store.go deleteWithoutFinalizers).

    Complete = deletionTimestamp set, no finalizers left, grace period 0.
    """
    if obj.deletion_timestamp is not None and not obj.finalizers and (obj.deletion_grace_period_seconds or 0) == 0:
        return state.remove(kind_of(obj), obj.namespace, obj.name)
    return state.put(obj)


# ------------------------------------------------------------------------------ writes


def validate_object_meta_on_create(kind: str, name: str, labels: Any) -> str | None:
    """The first error of staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go
    ValidateObjectMeta (name as a DNS-1123 subdomain, ``NameIsDNSSubdomain``) and
    apimachinery/pkg/apis/meta/v1/validation ValidateLabels (values only: keys of generated labels
    are fixed and valid) in the API server's words, or None when the object passes."""
    from model.labels import is_dns1123_subdomain, is_valid_label_value

    errs = is_dns1123_subdomain(name)
    if errs:
        return f'{kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": {"; ".join(errs)}'
    for key, value in labels.items():
        errs = is_valid_label_value(value)
        if errs:
            return f'{kind} "{name}" is invalid: metadata.labels: Invalid value: "{value}": {"; ".join(errs)}'
    return None


def has_pod_affinity_label_keys(spec: Any) -> bool:
    """Whether a Pod or pod template has a required pod (anti-)affinity term with matchLabelKeys or mismatchLabelKeys."""
    return any(t.match_label_keys or t.mismatch_label_keys for t in (*spec.pod_affinity, *spec.pod_anti_affinity))


def apply_match_label_keys_and_mismatch_label_keys(pod: Any) -> Any:
    """Mirrors kubernetes/kubernetes pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatchLabelKeys
    (PrepareForCreate -> mutatePodAffinity): for every required pod (anti-)affinity term of a pod being
    created that has a label selector, each ``matchLabelKeys`` key the pod carries adds ``key In (value)``
    to the selector and each ``mismatchLabelKeys`` key ``key NotIn (value)``; keys the pod lacks are skipped.
    Upstream runs it only while the MatchLabelKeysInPodAffinity gate is on; with the gate off the fields
    never reach a stored object (:func:`admit_pod_affinity_label_keys`), so here it is a no-op."""
    from model.labels import LabelSelectorRequirement

    def merged(t: Any) -> Any:
        if (not t.match_label_keys and not t.mismatch_label_keys) or t.selector is None:
            return t
        extra = tuple(LabelSelectorRequirement(k, "In", (pod.labels[k],)) for k in t.match_label_keys if k in pod.labels)
        extra += tuple(LabelSelectorRequirement(k, "NotIn", (pod.labels[k],)) for k in t.mismatch_label_keys if k in pod.labels)
        return t if not extra else replace(t, selector=replace(t.selector, match_expressions=t.selector.match_expressions + extra))

    if not has_pod_affinity_label_keys(pod):
        return pod
    return replace(pod, pod_affinity=tuple(merged(t) for t in pod.pod_affinity),
                   pod_anti_affinity=tuple(merged(t) for t in pod.pod_anti_affinity))


def admit_pod_affinity_label_keys(objects: Iterable[Any], enabled: bool) -> tuple[Any, ...]:
    """The manifests' objects as the API server stores them, for the matchLabelKeys / mismatchLabelKeys of
    pod affinity terms: with the MatchLabelKeysInPodAffinity gate off (``enabled`` False: before 1.31) the
    fields are dropped from every pod template and Pod (pkg/api/pod/util.go dropDisabledFields; 1.28 does
    not know them); with it on, a Pod of the manifests gets the merge it got when it was created
    (:func:`apply_match_label_keys_and_mismatch_label_keys`); templates keep the lists for the pods to come."""
    def dropped(t: Any) -> Any:
        return replace(t, match_label_keys=(), mismatch_label_keys=()) if t.match_label_keys or t.mismatch_label_keys else t

    def strip(spec: Any) -> Any:
        if not has_pod_affinity_label_keys(spec):
            return spec
        return replace(spec, pod_affinity=tuple(dropped(t) for t in spec.pod_affinity),
                       pod_anti_affinity=tuple(dropped(t) for t in spec.pod_anti_affinity))

    out = []
    for o in objects:
        template = getattr(o, "template", None)
        if kind_of(o) == "Pod":
            o = apply_match_label_keys_and_mismatch_label_keys(o) if enabled else strip(o)
        elif template is not None and hasattr(template, "pod_affinity") and not enabled:
            o = replace(o, template=strip(template))
        out.append(o)
    return tuple(out)


def apply_match_label_keys_to_spread(pod: Any) -> Any:
    """Mirrors kubernetes/kubernetes pkg/registry/core/pod/strategy.go mutateTopologySpreadConstraints ->
    applyMatchLabelKeys (PrepareForCreate, gates MatchLabelKeysInPodTopologySpread and
    MatchLabelKeysInPodTopologySpreadSelectorMerge, 1.34+): for every topology spread constraint of a pod being
    created that has a label selector, each ``matchLabelKeys`` key the pod carries adds ``key In (value)`` to the
    selector's matchExpressions; ``matchLabelKeys`` stay (the scheduler merges them again, to the same effect while
    the labels are unchanged).  Only constraints marked ``selector_merge`` (the version's gate is on:
    :func:`admit_spread_label_keys`) are merged."""
    from model.labels import LabelSelectorRequirement

    def merged(c: Any) -> Any:
        if not c.selector_merge or not c.match_label_keys or c.selector is None:
            return c
        extra = tuple(LabelSelectorRequirement(k, "In", (pod.labels[k],)) for k in c.match_label_keys if k in pod.labels)
        return c if not extra else replace(c, selector=replace(c.selector, match_expressions=c.selector.match_expressions + extra))

    if not any(c.selector_merge for c in pod.topology_spread_constraints):
        return pod
    return replace(pod, topology_spread_constraints=tuple(merged(c) for c in pod.topology_spread_constraints))


def admit_created_object(obj: Any, affinity_keys: bool, spread_merge: bool) -> Any:
    """An object a user action brings (``kubectl apply``/``create -f``, ``kubectl run``) as the API server of a
    version prepares it, the same way as the manifests (:func:`admit_pod_affinity_label_keys`,
    :func:`admit_spread_label_keys`): the affinity terms' ``matchLabelKeys``/``mismatchLabelKeys`` dropped when
    ``affinity_keys`` is off (before 1.31), the spread constraints with keys marked for the create-time merge when
    ``spread_merge`` is on (1.34+).  A Pod is not merged here: its Create is (:func:`_create`).  Without it an
    applied copy of a manifest's template would differ from the admitted one and start a rollout upstream never
    does (found by review, session 13)."""
    if not affinity_keys:
        obj = admit_pod_affinity_label_keys((obj,), False)[0]
    if spread_merge:
        obj = admit_spread_label_keys((obj,), True, merge_pods=False)[0]
    return obj


def admit_spread_label_keys(objects: Iterable[Any], enabled: bool, merge_pods: bool = True) -> tuple[Any, ...]:
    """The manifests' objects as the API server stores them, for the ``matchLabelKeys`` of topology spread
    constraints: with MatchLabelKeysInPodTopologySpreadSelectorMerge on (``enabled``: 1.34+) every constraint with
    keys is marked ``selector_merge`` (the pods created from a template get the merge at their create) and a Pod of
    the manifests gets the merge it got when it was created (:func:`apply_match_label_keys_to_spread`); off, the
    objects are unchanged (only the scheduler merges)."""
    def mark(spec: Any) -> Any:
        if not any(c.match_label_keys for c in spec.topology_spread_constraints):
            return spec
        return replace(spec, topology_spread_constraints=tuple(replace(c, selector_merge=True) if c.match_label_keys else c
                                                               for c in spec.topology_spread_constraints))

    if not enabled:
        return tuple(objects)
    out = []
    for o in objects:
        template = getattr(o, "template", None)
        if kind_of(o) == "Pod":
            o = apply_match_label_keys_to_spread(mark(o)) if merge_pods else mark(o)
        elif template is not None and hasattr(template, "topology_spread_constraints"):
            o = replace(o, template=mark(template))
        out.append(o)
    return tuple(out)


def _create(state: ClusterState, w: Create, reserved: Reserved) -> ClusterState:
    obj = w.obj
    kind = kind_of(obj)
    if kind == "Node":
        obj = replace(obj, namespace="")
    elif kind == "Pod":
        obj = apply_match_label_keys_to_spread(apply_match_label_keys_and_mismatch_label_keys(obj))
    if w.generate_name:
        name, next_name = _next_free_name(state, kind, obj.namespace, w.generate_name, reserved)
        obj = replace(obj, name=name, generate_name=w.generate_name)
        state = state.with_counters(next_name=next_name)
    elif not obj.name:
        raise ModelError(f"create {kind}: neither name nor generateName given")
    elif state.get(kind, obj.namespace, obj.name) is not None:
        raise ApiError("AlreadyExists", f"{kind} {obj.namespace}/{obj.name} already exists")
    invalid = validate_object_meta_on_create(kind, obj.name, obj.labels)
    if invalid is not None:
        raise ApiError("Invalid", invalid)
    if reserved.by_creator:
        obj = replace(
            _fresh_status(obj),
            uid=_by_creator_free_uid(state, kind, obj.namespace, obj.name, reserved),
            generation=1,
            deletion_timestamp=None,
            deletion_grace_period_seconds=None,
            creation_index=_next_family_index(state, kind, obj),
        )
        return state.put(obj)
    uid, next_uid = _next_free_uid(state, reserved)
    obj = replace(
        _fresh_status(obj),
        uid=uid,
        generation=1,
        deletion_timestamp=None,
        deletion_grace_period_seconds=None,
        creation_index=_max_creation_index(state) + 1,
    )
    return state.with_counters(next_uid=next_uid).put(obj)


def _stored(state: ClusterState, kind: str, namespace: str, name: str, verb: str) -> Any:
    cur = state.get(kind, namespace, name)
    if cur is None:
        raise ApiError("NotFound", f"{verb} {kind} {namespace}/{name}: not found")
    return cur


def _bumps_generation(kind: str, cur: Any, new: Any) -> bool:
    """Does an Update from ``cur`` to ``new`` bump ``metadata.generation``?

    The strategies' PrepareForUpdate: a spec change, for the kinds with an observedGeneration
    (pkg/registry/apps/replicaset, apps/statefulset, core/replicationcontroller,
    policy/poddisruptionbudget strategy.go).  A Deployment also bumps it when only its annotations changed
    (pkg/registry/apps/deployment/strategy.go deploymentStrategy.PrepareForUpdate:
    ``!DeepEqual(new.Spec, old.Spec) || !DeepEqual(new.Annotations, old.Annotations)``, because
    annotations are copied to the ReplicaSets).  The status strategies never bump it.
    """
    if kind not in _GENERATION_KINDS:
        return False
    if spec_of(new) != spec_of(cur):
        return True
    return kind == "Deployment" and new.annotations != cur.annotations


def _update(state: ClusterState, w: Update) -> ClusterState:
    obj = w.obj
    kind = kind_of(obj)
    cur = _stored(state, kind, obj.namespace, obj.name, "update")
    if obj.uid and obj.uid != cur.uid:
        raise ApiError("Conflict", f"update {kind} {obj.namespace}/{obj.name}: uid {obj.uid} != stored {cur.uid}")
    keep = {f: getattr(cur, f) for f in _SERVER_OWNED + STATUS_FIELDS[kind]}
    new = replace(obj, **keep)
    if _bumps_generation(kind, cur, new):
        new = replace(new, generation=cur.generation + 1)
    if new == cur:
        return state
    return _finalize(state, new)


def _update_status(state: ClusterState, w: UpdateStatus) -> ClusterState:
    obj = w.obj
    kind = kind_of(obj)
    cur = _stored(state, kind, obj.namespace, obj.name, "update status")
    if obj.uid and obj.uid != cur.uid:
        raise ApiError("Conflict", f"update status {kind} {obj.namespace}/{obj.name}: uid {obj.uid} != stored {cur.uid}")
    written = STATUS_FIELDS[kind] + _STATUS_METADATA.get(kind, ())
    # Only the written fields that differ: the same object as replacing all of them (equal values),
    # and no copy at all when nothing changes (issue #17: a status write is the commonest step).
    changed = {}
    for f in written:
        v = getattr(obj, f)
        old = getattr(cur, f)
        if v is not old and v != old:
            changed[f] = v
    return state.put(replace(cur, **changed)) if changed else state


def deletion_finalizers_for_garbage_collection(finalizers: tuple[str, ...], propagation: str | None) -> tuple[str, ...]:
    """Mirrors staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
    deletionFinalizersForGarbageCollection (with shouldOrphanDependents / shouldDeleteDependents).

    An explicit ``propagation`` replaces the GC finalizers (``Orphan`` -> ``orphan``,
    ``Foreground`` -> ``foregroundDeletion``, ``Background`` -> neither).  No policy (``None``,
    what controllers send: ``metav1.DeleteOptions{}``) keeps the ``orphan`` /
    ``foregroundDeletion`` finalizers the object already carries; without one the kind's default
    applies, which is background (no finalizer) for every modelled kind (apps/v1 and core/v1
    ReplicationController: ``DefaultGarbageCollectionPolicy`` is ``DeleteDependents``).
    """
    if propagation is None:
        return finalizers
    out = [f for f in finalizers if f not in (FINALIZER_ORPHAN, FINALIZER_FOREGROUND)]
    if propagation == "Orphan":
        out.append(FINALIZER_ORPHAN)
    elif propagation == "Foreground":
        out.append(FINALIZER_FOREGROUND)
    return tuple(out)


def _grace_period(cur: Any, w: Delete) -> int:
    """rest.BeforeDelete + pod strategy CheckGracefulDelete: only pods have a grace period.

    A pod that is not bound to a node, or already terminal, is deleted with grace 0
    (pkg/registry/core/pod/strategy.go CheckGracefulDelete).
    """
    if kind_of(cur) != "Pod":
        return 0
    grace = w.grace_period_seconds if w.grace_period_seconds is not None else cur.termination_grace_period_seconds
    if cur.node_name is None or cur.phase in ("Succeeded", "Failed"):
        grace = 0
    return max(grace, 0)


def _generation_on_first_delete(cur: Any) -> int:
    """store.go markAsDeleting: ``if DeletionTimestamp == nil && Generation > 0 { Generation++ }``
    (for graceful kinds rest.BeforeDelete does the same), for the kinds whose generation the model
    tracks.  Only observable while a finalizer holds the object (``orphan``,
    ``foregroundDeletion``): the controllers then write ``observedGeneration`` once more."""
    if kind_of(cur) in _GENERATION_KINDS and cur.generation > 0:
        return cur.generation + 1
    return cur.generation


def _delete(state: ClusterState, w: Delete) -> ClusterState:
    cur = _stored(state, w.kind, w.namespace, w.name, "delete")
    if w.uid is not None and w.uid != cur.uid:
        raise ApiError("Conflict", f"delete {w.kind} {w.namespace}/{w.name}: precondition uid {w.uid} != stored {cur.uid}")
    grace = _grace_period(cur, w)
    if cur.deletion_timestamp is not None:
        # A second delete can only shorten the grace period (store.go BeforeDelete, "pendingGraceful").
        old = cur.deletion_grace_period_seconds or 0
        new = replace(cur, deletion_grace_period_seconds=min(old, grace))
        return _finalize(state, new)
    new = replace(
        cur,
        deletion_timestamp=DELETION_TICK,
        deletion_grace_period_seconds=grace,
        finalizers=deletion_finalizers_for_garbage_collection(cur.finalizers, w.propagation),
    )
    return _finalize(state, replace(new, generation=_generation_on_first_delete(cur)))


def apply_write(state: ClusterState, write: Write, reserved: Reserved = NO_RESERVED) -> ClusterState:
    """Apply one API write; raises :class:`ApiError` when the API server would refuse it.

    Create assigns the first free ``uid-<n>`` (n >= ``state.next_uid``), completes a
    ``generate_name`` with the first free ``<prefix><n>`` (n >= ``state.next_name``) — free
    meaning neither stored nor in ``reserved`` (:class:`Reserved`) — sets
    generation 1 and the next ``creation_index``, and clears the status.  Update keeps the
    status and server-owned metadata and bumps ``generation`` when the spec changed (a
    Deployment: or its annotations, :func:`_bumps_generation`).
    UpdateStatus keeps spec and metadata.  Delete: see the module docstring.
    """
    if isinstance(write, Create):
        return _create(state, write, reserved)
    if isinstance(write, Update):
        return _update(state, write)
    if isinstance(write, UpdateStatus):
        return _update_status(state, write)
    if isinstance(write, Delete):
        if write.kind not in KINDS:
            raise ModelError(f"delete: unknown kind {write.kind!r}; known: {sorted(KINDS)}")
        return _delete(state, write)
    raise ModelError(f"not a write: {write!r}")


def apply_writes(state: ClusterState, writes: tuple[Write, ...]) -> ClusterState:
    """Apply writes in order (one atomic reconcile); the first refused write raises."""
    for w in writes:
        state = apply_write(state, w)
    return state
