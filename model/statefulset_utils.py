"""StatefulSet helpers: identity, storage, PVC retention, revisions, status arithmetic.

Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go (plus the
ControllerRevision helpers of pkg/controller/history/controller_history.go that the
StatefulSet controller calls).  Every function keeps the upstream name in snake_case.
Upstream mutates its arguments (``updateIdentity(set, pod)``); here every function is
pure and returns the new object.

Deviations (each argued in docs/semantics.md#statefulset):

* revision hash: SHA-256 over a canonical repr of the pod template and the collision
  count, 10 hex digits, instead of fnv32a over the JSON patch + SafeEncodeString;
* ``is_running_and_available`` uses the abstract ``Pod.ready_elapsed`` flag instead of a
  clock;
* ``is_unavailable`` (newer upstream) is stated from its uses: not running-and-ready, or
  not available, or terminating;
* volumes produced by ``update_storage`` follow the claim-template order (upstream walks a
  Go map, so its order is unspecified).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object
from model.controller_utils import is_pod_available, is_pod_ready
from model.errors import ModelError
from model.replicaset import pod_from_template
from model.frozen import EMPTY
from model.objects import (
    ControllerRevision,
    placement_repr,
    IntOrString,
    OwnerReference,
    PersistentVolumeClaim,
    PersistentVolumeClaimTemplate,
    Pod,
    PodTemplate,
    PVCRetentionPolicy,
    StatefulSet,
    StatefulSetStatus,
    Volume,
)

__all__ = [
    "STATEFUL_SET_POD_NAME_LABEL",
    "POD_INDEX_LABEL",
    "STATEFUL_SET_REVISION_LABEL",
    "CONTROLLER_REVISION_HASH_LABEL",
    "STATEFUL_SET_API_VERSION",
    "STATEFUL_SET_KIND",
    "overlapping_stateful_sets",
    "get_parent_name_and_ordinal",
    "get_parent_name",
    "get_ordinal",
    "get_start_ordinal",
    "get_end_ordinal",
    "pod_in_ordinal_range",
    "get_pod_name",
    "get_persistent_volume_claim_name",
    "is_member_of",
    "identity_matches",
    "storage_matches",
    "get_persistent_volume_claim_retention_policy",
    "matches_ref",
    "has_unexpected_controller",
    "has_non_controller_owner",
    "remove_refs",
    "is_claim_owner_up_to_date",
    "update_claim_owner_ref_for_set_and_pod",
    "has_owner_ref",
    "has_stale_owner_ref",
    "add_controller_ref",
    "new_controller_ref",
    "get_persistent_volume_claims",
    "update_storage",
    "init_identity",
    "update_identity",
    "rolling_update_is_set",
    "is_running_and_ready",
    "is_running_and_available",
    "is_created",
    "is_pending",
    "is_failed",
    "is_succeeded",
    "is_terminating",
    "is_healthy",
    "is_unavailable",
    "allows_burst",
    "set_pod_revision",
    "get_pod_revision",
    "new_stateful_set_pod",
    "new_versioned_stateful_set_pod",
    "controller_revision_hash",
    "controller_revision_name",
    "new_revision",
    "apply_revision",
    "next_revision",
    "equal_revision",
    "find_equal_revisions",
    "sort_controller_revisions",
    "inconsistent_status",
    "complete_rolling_update",
    "ascending_ordinal",
    "descending_ordinal",
    "get_scaled_value_from_int_or_percent",
    "get_stateful_set_max_unavailable",
    "ReplicaStatus",
    "compute_replica_status",
    "update_status",
]

#: apps.StatefulSetPodNameLabel (staging/src/k8s.io/api/apps/v1/types.go)
STATEFUL_SET_POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
#: apps.PodIndexLabel (gate PodIndexLabel, GA since 1.32: always set here)
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
#: apps.StatefulSetRevisionLabel == apps.ControllerRevisionHashLabelKey
STATEFUL_SET_REVISION_LABEL = "controller-revision-hash"
#: history.ControllerRevisionHashLabel (pkg/controller/history/controller_history.go)
CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
#: controllerKind = apps.SchemeGroupVersion.WithKind("StatefulSet")
STATEFUL_SET_API_VERSION = "apps/v1"
STATEFUL_SET_KIND = "StatefulSet"
_POD_API_VERSION = "v1"
_POD_KIND = "Pod"

_STATEFUL_POD_REGEX = re.compile(r"(.*)-([0-9]+)\Z")
_INT32_MAX = 2**31 - 1


# --------------------------------------------------------------------- ordering


def overlapping_stateful_sets(sets: Iterable[StatefulSet]) -> list[StatefulSet]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go overlappingStatefulSets.

    Oldest first by creationTimestamp (here the logical ``creation_index``), name as the
    tie breaker.
    """
    return sorted(sets, key=lambda s: (s.creation_index, s.name))


def ascending_ordinal(pods: Iterable[Pod]) -> list[Pod]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go ascendingOrdinal.

    Pods whose names carry no ordinal (-1) come first.  Python's sort is stable; Go's
    ``sort.Sort`` is not, which only matters for equal ordinals.
    """
    return sorted(pods, key=get_ordinal)


def descending_ordinal(pods: Iterable[Pod]) -> list[Pod]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go descendingOrdinal."""
    return sorted(pods, key=get_ordinal, reverse=True)


# --------------------------------------------------------------------- identity


def get_parent_name_and_ordinal(pod: Pod | str) -> tuple[str, int]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getParentNameAndOrdinal.

    Matches ``(.*)-([0-9]+)$`` (greedy parent); no match gives ``("", -1)``; digits that do
    not fit an int32 give ``(parent, -1)``.  Accepts a pod or a bare name.
    """
    name = pod if isinstance(pod, str) else pod.name
    m = _STATEFUL_POD_REGEX.search(name)
    if m is None:
        return "", -1
    parent = m.group(1)
    value = int(m.group(2))
    if value > _INT32_MAX:
        return parent, -1
    return parent, value


def get_parent_name(pod: Pod | str) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getParentName."""
    return get_parent_name_and_ordinal(pod)[0]


def get_ordinal(pod: Pod | str) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getOrdinal."""
    return get_parent_name_and_ordinal(pod)[1]


def get_start_ordinal(set_: StatefulSet) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getStartOrdinal.

    ``spec.ordinals.start`` (gate StatefulSetStartOrdinal, GA in 1.31); 0 when unset.
    """
    return set_.ordinals_start


def get_end_ordinal(set_: StatefulSet) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getEndOrdinal (inclusive)."""
    return get_start_ordinal(set_) + set_.replicas - 1


def pod_in_ordinal_range(pod: Pod | str, set_: StatefulSet) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go podInOrdinalRange."""
    ordinal = get_ordinal(pod)
    return get_start_ordinal(set_) <= ordinal <= get_end_ordinal(set_)


def get_pod_name(set_: StatefulSet, ordinal: int) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getPodName."""
    return f"{set_.name}-{ordinal}"


def get_persistent_volume_claim_name(
    set_: StatefulSet, claim: PersistentVolumeClaimTemplate, ordinal: int
) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaimName.

    ``<template>-<set>-<ordinal>``.
    """
    return f"{claim.name}-{set_.name}-{ordinal}"


def is_member_of(set_: StatefulSet, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isMemberOf (name only)."""
    return get_parent_name(pod) == set_.name


def identity_matches(set_: StatefulSet, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go identityMatches.

    Hostname and subdomain are set once at creation (``init_identity``) and are not
    checked, as upstream since they became immutable.
    """
    parent, ordinal = get_parent_name_and_ordinal(pod)
    return (
        ordinal >= 0
        and set_.name == parent
        and pod.name == get_pod_name(set_, ordinal)
        and pod.namespace == set_.namespace
        and pod.labels.get(STATEFUL_SET_POD_NAME_LABEL) == pod.name
    )


def storage_matches(set_: StatefulSet, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go storageMatches.

    Every claim template needs a pod volume of the same name whose claim is
    ``<template>-<set>-<ordinal>``; extra volumes are ignored.
    """
    ordinal = get_ordinal(pod)
    if ordinal < 0:
        return False
    volumes = {v.name: v for v in pod.volumes}
    for claim in set_.volume_claim_templates:
        volume = volumes.get(claim.name)
        if (
            volume is None
            or volume.claim_name is None
            or volume.claim_name != get_persistent_volume_claim_name(set_, claim, ordinal)
        ):
            return False
    return True


# ---------------------------------------------------------------- PVC retention


def get_persistent_volume_claim_retention_policy(set_: StatefulSet) -> PVCRetentionPolicy:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaimRetentionPolicy.

    The model object always carries a policy; its default is Retain/Retain, which is
    what upstream returns for a nil policy.
    """
    return set_.persistent_volume_claim_retention_policy


def matches_ref(ref: OwnerReference, name: str, api_version: str, kind: str) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go matchesRef.

    Same group/version, kind and name; the UID is NOT compared.
    """
    return ref.api_version == api_version and ref.kind == kind and ref.name == name


def _matches_set(ref: OwnerReference, set_: StatefulSet) -> bool:
    return matches_ref(ref, set_.name, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND)


def _matches_pod(ref: OwnerReference, pod: Pod) -> bool:
    return matches_ref(ref, pod.name, _POD_API_VERSION, _POD_KIND)


def _is_retain_retain(policy: PVCRetentionPolicy) -> bool:
    return policy.when_scaled == "Retain" and policy.when_deleted == "Retain"


def has_unexpected_controller(claim: PersistentVolumeClaim, set_: StatefulSet, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go hasUnexpectedController.

    Under Retain/Retain any controller is fine.  Otherwise a ref naming our set or pod with
    another UID (stale), or any other ``controller: true`` ref, is unexpected.
    """
    if _is_retain_retain(get_persistent_volume_claim_retention_policy(set_)):
        return False
    for ref in claim.owner_references:
        if _matches_set(ref, set_):
            if ref.uid != set_.uid:
                return True
            continue
        if _matches_pod(ref, pod):
            if ref.uid != pod.uid:
                return True
            continue
        if ref.controller:
            return True
    return False


def has_non_controller_owner(claim: PersistentVolumeClaim, set_: StatefulSet, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go hasNonControllerOwner."""
    return any(
        (ref.uid == set_.uid or ref.uid == pod.uid) and not ref.controller
        for ref in claim.owner_references
    )


def remove_refs(
    refs: Sequence[OwnerReference], predicate: Callable[[OwnerReference], bool]
) -> tuple[OwnerReference, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go removeRefs."""
    return tuple(r for r in refs if not predicate(r))


def has_owner_ref(target_refs: Sequence[OwnerReference], owner_uid: str) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go hasOwnerRef.

    Takes the target's ``owner_references`` and the owner's UID; controller-ness is not checked.
    """
    return any(ref.uid == owner_uid for ref in target_refs)


def has_stale_owner_ref(
    target_refs: Sequence[OwnerReference], name: str, uid: str, api_version: str, kind: str
) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go hasStaleOwnerRef.

    The FIRST ref matching the object's kind and name decides: stale iff its UID differs.
    """
    for ref in target_refs:
        if matches_ref(ref, name, api_version, kind):
            return ref.uid != uid
    return False


def new_controller_ref(name: str, uid: str, api_version: str, kind: str) -> OwnerReference:
    """Mirrors kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go NewControllerRef."""
    return OwnerReference(api_version, kind, name, uid, controller=True, block_owner_deletion=True)


def add_controller_ref(
    refs: Sequence[OwnerReference], name: str, uid: str, api_version: str, kind: str
) -> tuple[OwnerReference, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go addControllerRef."""
    if any(ref.uid == uid for ref in refs):
        return tuple(refs)
    return tuple(refs) + (new_controller_ref(name, uid, api_version, kind),)


def is_claim_owner_up_to_date(claim: PersistentVolumeClaim, set_: StatefulSet, pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isClaimOwnerUpToDate.

    Stale refs or a foreign controller leave the claim alone (True), unless our own refs
    must be scrubbed.  Otherwise the refs must match the policy:
    Retain/Retain none; whenDeleted=Delete only: set; whenScaled=Delete only: pod iff the
    pod is condemned; Delete/Delete: pod if condemned, else set.
    """
    refs = claim.owner_references
    if has_stale_owner_ref(refs, set_.name, set_.uid, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND) or (
        has_stale_owner_ref(refs, pod.name, pod.uid, _POD_API_VERSION, _POD_KIND)
    ):
        return True
    if has_unexpected_controller(claim, set_, pod):
        return not (has_owner_ref(refs, set_.uid) or has_owner_ref(refs, pod.uid))
    if has_non_controller_owner(claim, set_, pod):
        return False
    policy = get_persistent_volume_claim_retention_policy(set_)
    set_ref = has_owner_ref(refs, set_.uid)
    pod_ref = has_owner_ref(refs, pod.uid)
    scaled, deleted = policy.when_scaled, policy.when_deleted
    if scaled == "Retain" and deleted == "Delete":
        return set_ref and not pod_ref
    if scaled == "Delete" and deleted == "Retain":
        if set_ref:
            return False
        return (not pod_in_ordinal_range(pod, set_)) == pod_ref
    if scaled == "Delete" and deleted == "Delete":
        scaled_down = not pod_in_ordinal_range(pod, set_)
        return scaled_down != set_ref and scaled_down == pod_ref
    # Retain/Retain (and, as upstream, any unknown policy treated as Retain)
    return not (set_ref or pod_ref)


def update_claim_owner_ref_for_set_and_pod(
    claim: PersistentVolumeClaim, set_: StatefulSet, pod: Pod
) -> PersistentVolumeClaim:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go updateClaimOwnerRefForSetAndPod.

    Scrubs every ref naming our set or pod (by kind and name), then, unless a foreign
    controller is present, adds the controller ref(s) the policy asks for.
    """
    unexpected = has_unexpected_controller(claim, set_, pod)
    refs = remove_refs(claim.owner_references, lambda r: _matches_set(r, set_) or _matches_pod(r, pod))
    if not unexpected:
        policy = get_persistent_volume_claim_retention_policy(set_)
        scaled_down = not pod_in_ordinal_range(pod, set_)
        add_set = policy.when_deleted == "Delete" and (policy.when_scaled == "Retain" or not scaled_down)
        add_pod = policy.when_scaled == "Delete" and scaled_down
        if add_set:
            refs = add_controller_ref(refs, set_.name, set_.uid, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND)
        if add_pod:
            refs = add_controller_ref(refs, pod.name, pod.uid, _POD_API_VERSION, _POD_KIND)
    return replace(claim, owner_references=refs)


# ----------------------------------------------------------------- pods, storage


def get_persistent_volume_claims(set_: StatefulSet, pod: Pod) -> dict[str, PersistentVolumeClaim]:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaims.

    Template name -> claim ``<template>-<set>-<ordinal>`` in the set's namespace; labels are
    the template's overlaid by ``spec.selector.matchLabels`` (the selector wins).  Claims
    are created bound (PVC binding is abstracted, see docs/semantics.md#statefulset).
    """
    ordinal = get_ordinal(pod)
    selector_labels: Mapping[str, str] = set_.selector.match_labels if set_.selector is not None else EMPTY
    claims: dict[str, PersistentVolumeClaim] = {}
    for template in set_.volume_claim_templates:
        claims[template.name] = PersistentVolumeClaim(
            name=get_persistent_volume_claim_name(set_, template, ordinal),
            namespace=set_.namespace,
            labels=template.labels.update(selector_labels),
            storage=template.storage,
            access_modes=template.access_modes,
            storage_class_name=template.storage_class_name,
        )
    return claims


def update_storage(set_: StatefulSet, pod: Pod) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go updateStorage.

    One PVC volume per claim template (template order), then the pod's other volumes;
    a pod volume with a claim template's name is replaced.
    """
    claims = get_persistent_volume_claims(set_, pod)
    new_volumes = [Volume(name, claim_name=claim.name) for name, claim in claims.items()]
    new_volumes += [v for v in pod.volumes if v.name not in claims]
    return replace(pod, volumes=tuple(new_volumes))


def init_identity(set_: StatefulSet, pod: Pod) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go initIdentity.

    ``update_identity`` plus the immutable hostname/subdomain, set only at creation.
    """
    pod = update_identity(set_, pod)
    return replace(pod, hostname=pod.name, subdomain=set_.service_name)


def update_identity(set_: StatefulSet, pod: Pod) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go updateIdentity.

    Name, namespace, the pod-name label and (gate PodIndexLabel, GA) the pod-index label.
    """
    ordinal = get_ordinal(pod)
    name = get_pod_name(set_, ordinal)
    labels = pod.labels.set(STATEFUL_SET_POD_NAME_LABEL, name).set(POD_INDEX_LABEL, str(ordinal))
    return replace(pod, name=name, namespace=set_.namespace, labels=labels)


# ------------------------------------------------------------- pod predicates


def is_running_and_ready(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isRunningAndReady."""
    return pod.phase == "Running" and is_pod_ready(pod)


def is_running_and_available(pod: Pod, min_ready_seconds: int) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isRunningAndAvailable.

    = podutil.IsPodAvailable: Ready, and minReadySeconds is 0 or has elapsed since the Ready
    transition (abstract time: ``Pod.ready_elapsed``).  Like upstream, the phase is not
    checked despite the name.
    """
    return is_pod_available(pod, min_ready_seconds)


def is_created(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isCreated."""
    return pod.phase != ""


def is_pending(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isPending."""
    return pod.phase == "Pending"


def is_failed(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isFailed."""
    return pod.phase == "Failed"


def is_succeeded(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isSucceeded."""
    return pod.phase == "Succeeded"


def is_terminating(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isTerminating."""
    return pod.deletion_timestamp is not None


def is_healthy(pod: Pod) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isHealthy."""
    return is_running_and_ready(pod) and not is_terminating(pod)


def is_unavailable(pod: Pod, min_ready_seconds: int) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go isUnavailable (v1.35+).

    Stated from its uses (the body was not in the stored copy): not running-and-ready, not
    available for minReadySeconds, or terminating.  With minReadySeconds 0 this is exactly
    ``not is_healthy`` (the v1.34 code), so both releases agree there.
    """
    return (
        not is_running_and_ready(pod)
        or not is_running_and_available(pod, min_ready_seconds)
        or is_terminating(pod)
    )


def rolling_update_is_set(set_: StatefulSet) -> bool:
    """``set.Spec.UpdateStrategy.RollingUpdate != nil`` (apps/v1 types.go).

    SetDefaults_StatefulSet creates the block only when ``type`` was empty; validation
    forbids it with OnDelete.  ``StatefulSetUpdateStrategy.has_rolling_update`` records it.
    """
    strategy = set_.update_strategy
    return strategy.type == "RollingUpdate" and strategy.has_rolling_update


def allows_burst(set_: StatefulSet) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go allowsBurst (Parallel)."""
    return set_.pod_management_policy == "Parallel"


def set_pod_revision(pod: Pod, revision: str) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go setPodRevision."""
    return replace(pod, labels=pod.labels.set(STATEFUL_SET_REVISION_LABEL, revision))


def get_pod_revision(pod: Pod) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getPodRevision."""
    return str(pod.labels.get(STATEFUL_SET_REVISION_LABEL, ""))


def _get_pod_from_template(template: PodTemplate, set_: StatefulSet) -> Pod:
    """controller.GetPodFromTemplate (pkg/controller/controller_utils.go), shared with the ReplicaSet
    (``model.replicaset.pod_from_template``); not yet created (phase ``""``). Upstream also sets
    ``generateName`` (the name is given at once here, so the model leaves it empty)."""
    return replace(pod_from_template(template, set_, STATEFUL_SET_KIND), generate_name="", phase="")


def new_stateful_set_pod(set_: StatefulSet, ordinal: int) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go newStatefulSetPod.

    The returned pod has phase ``""`` (not created); ``Create`` stores it as Pending.
    """
    pod = replace(_get_pod_from_template(set_.template, set_), name=get_pod_name(set_, ordinal))
    pod = init_identity(set_, pod)
    return update_storage(set_, pod)


def new_versioned_stateful_set_pod(
    current_set: StatefulSet,
    update_set: StatefulSet,
    current_revision: str,
    update_revision: str,
    ordinal: int,
) -> Pod:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go newVersionedStatefulSetPod.

    Upstream (Go precedence ``A && B || C``)::

        RollingUpdate && (rollingUpdate == nil && ord < start+status.currentReplicas)
        || (rollingUpdate != nil && ord < start+partition)

    picks the CURRENT revision, anything else the update revision (so OnDelete, whose
    rollingUpdate is nil, always gets the update revision).
    """
    strategy = current_set.update_strategy
    start = get_start_ordinal(current_set)
    rolling = rolling_update_is_set(current_set)
    if (
        strategy.type == "RollingUpdate"
        and not rolling
        and ordinal < start + current_set.status.current_replicas
    ) or (rolling and ordinal < start + strategy.partition):
        return set_pod_revision(new_stateful_set_pod(current_set, ordinal), current_revision)
    return set_pod_revision(new_stateful_set_pod(update_set, ordinal), update_revision)


# -------------------------------------------------------------------- revisions


def controller_revision_hash(template: PodTemplate, collision_count: int | None) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/history/controller_history.go HashControllerRevision.

    DEVIATION: SHA-256 of ``repr(template)`` (frozen dataclasses, FrozenMaps print sorted,
    so the repr is canonical) and the collision count, first 10 hex digits.  Upstream
    hashes the JSON patch with fnv32a and encodes it with rand.SafeEncodeString.  Only
    "equal data -> equal name, collision count changes the name" matters to the model.
    """
    payload = repr(template) + placement_repr(template)
    if collision_count is not None:
        payload += f"|collision={collision_count}"
    return hashlib.sha256(payload.encode()).hexdigest()[:10]


def controller_revision_name(prefix: str, hash_: str) -> str:
    """Mirrors kubernetes/kubernetes pkg/controller/history/controller_history.go ControllerRevisionName."""
    if len(prefix) > 223:
        prefix = prefix[:223]
    return f"{prefix}-{hash_}"


def new_revision(set_: StatefulSet, revision: int, collision_count: int | None) -> ControllerRevision:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go newRevision.

    Payload = the pod template only (upstream ``getPatch``); labels = template labels plus
    the hash label; annotations = the set's; a controller ref to the set
    (history.NewControllerRevision).
    """
    hash_ = controller_revision_hash(set_.template, collision_count)
    return ControllerRevision(
        name=controller_revision_name(set_.name, hash_),
        namespace=set_.namespace,
        labels=set_.template.labels.set(CONTROLLER_REVISION_HASH_LABEL, hash_),
        annotations=set_.annotations,
        owner_references=(new_controller_ref(set_.name, set_.uid, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND),),
        revision=revision,
        data=set_.template,
    )


def apply_revision(set_: StatefulSet, revision: ControllerRevision) -> StatefulSet:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go ApplyRevision.

    The revision replaces ``spec.template`` (``$patch: replace``); nothing else changes.
    """
    return replace(set_, template=revision.data)


def next_revision(revisions: Sequence[ControllerRevision]) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go nextRevision (expects sorted input)."""
    if not revisions:
        return 1
    return revisions[-1].revision + 1


def equal_revision(lhs: ControllerRevision | None, rhs: ControllerRevision | None) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/history/controller_history.go EqualRevision (data equality)."""
    if lhs is None or rhs is None:
        return lhs is rhs
    return lhs.data == rhs.data


def find_equal_revisions(
    revisions: Sequence[ControllerRevision], needle: ControllerRevision
) -> list[ControllerRevision]:
    """Mirrors kubernetes/kubernetes pkg/controller/history/controller_history.go FindEqualRevisions."""
    return [r for r in revisions if equal_revision(r, needle)]


def sort_controller_revisions(revisions: Iterable[ControllerRevision]) -> list[ControllerRevision]:
    """Mirrors kubernetes/kubernetes pkg/controller/history/controller_history.go SortControllerRevisions.

    By revision number, then creation time (``creation_index``), then name.
    """
    return sorted(revisions, key=lambda r: (r.revision, r.creation_index, r.name))


# ------------------------------------------------------------------------ status


def inconsistent_status(set_: StatefulSet, status: StatefulSetStatus) -> bool:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go inconsistentStatus.

    collisionCount is not compared, and observedGeneration only counts when it grew.
    """
    old = set_.status
    return (
        status.observed_generation > old.observed_generation
        or status.replicas != old.replicas
        or status.current_replicas != old.current_replicas
        or status.ready_replicas != old.ready_replicas
        or status.updated_replicas != old.updated_replicas
        or status.current_revision != old.current_revision
        or status.available_replicas != old.available_replicas
        or status.update_revision != old.update_revision
    )


def complete_rolling_update(set_: StatefulSet, status: StatefulSetStatus) -> StatefulSetStatus:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go completeRollingUpdate.

    RollingUpdate only: when updated == ready == replicas == spec.replicas, the update
    revision becomes current.
    """
    if (
        set_.update_strategy.type == "RollingUpdate"
        and status.updated_replicas == set_.replicas
        and status.ready_replicas == set_.replicas
        and status.replicas == set_.replicas
    ):
        return replace(status, current_replicas=status.updated_replicas, current_revision=status.update_revision)
    return status


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """replicaStatus (pkg/controller/statefulset/stateful_set_control.go)."""

    replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    current_replicas: int = 0
    updated_replicas: int = 0


def compute_replica_status(
    pods: Iterable[Pod], min_ready_seconds: int, current_revision: str, update_revision: str
) -> ReplicaStatus:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go computeReplicaStatus.

    replicas = created; ready = running and ready; available = also available;
    current/updated = created, not terminating, with that revision label.
    """
    replicas = ready = available = current = updated = 0
    for pod in pods:
        if is_created(pod):
            replicas += 1
        if is_running_and_ready(pod):
            ready += 1
            if is_running_and_available(pod, min_ready_seconds):
                available += 1
        if is_created(pod) and not is_terminating(pod):
            revision = get_pod_revision(pod)
            if revision == current_revision:
                current += 1
            if revision == update_revision:
                updated += 1
    return ReplicaStatus(replicas, ready, available, current, updated)


def update_status(
    status: StatefulSetStatus,
    min_ready_seconds: int,
    current_revision: str,
    update_revision: str,
    *pod_lists: Iterable[Pod],
) -> StatefulSetStatus:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go updateStatus (counts only)."""
    total = ReplicaStatus()
    for pods in pod_lists:
        r = compute_replica_status(pods, min_ready_seconds, current_revision, update_revision)
        total = ReplicaStatus(
            total.replicas + r.replicas,
            total.ready_replicas + r.ready_replicas,
            total.available_replicas + r.available_replicas,
            total.current_replicas + r.current_replicas,
            total.updated_replicas + r.updated_replicas,
        )
    return replace(
        status,
        replicas=total.replicas,
        ready_replicas=total.ready_replicas,
        available_replicas=total.available_replicas,
        current_replicas=total.current_replicas,
        updated_replicas=total.updated_replicas,
    )


# ------------------------------------------------------------- maxUnavailable


def get_scaled_value_from_int_or_percent(value: IntOrString, total: int, round_up: bool) -> int:
    """Mirrors kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent.

    An int is returned as is; ``"<n>%"`` scales ``total``; any other string is an error.
    """
    if isinstance(value, bool):
        raise ModelError(f"invalid IntOrString {value!r}: a bool is neither an int nor a percentage")
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ModelError(f"invalid value for IntOrString {value!r}: string is not a percentage")
    try:
        percent = int(value[:-1])
    except ValueError as exc:
        raise ModelError(f"invalid value {value!r}: {exc}") from exc
    numerator = percent * total
    if round_up:
        return -(-numerator // 100)
    return numerator // 100


def get_stateful_set_max_unavailable(max_unavailable: IntOrString | None, replica_count: int) -> int:
    """Mirrors kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getStatefulSetMaxUnavailable.

    Default 1 when unset; a percentage of the replicas is rounded DOWN (roundUp=false, see
    the upstream table: 10% of 25 -> 2, 50% of 5 -> 2), then clamped to at least 1.
    """
    value = get_scaled_value_from_int_or_percent(
        1 if max_unavailable is None else max_unavailable, replica_count, round_up=False
    )
    return max(value, 1)

