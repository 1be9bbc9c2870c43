"""Pure helpers of the Deployment controller: fenceposts, annotations, revisions, conditions.

Mirrors kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go (baseline
release-1.28, see /work/shared/reference/k8s-deployment-replicaset.md) plus the few pieces
of pkg/controller/controller_utils.go (ReplicaSet sort orders, ComputeHash) and
staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go it needs.

Go mutates its arguments (``SetNewReplicaSetAnnotations(d, rs, ...)`` edits ``rs``); every
function here returns the new frozen object instead, plus the ``bool`` upstream returns.
Where upstream returns an ``error`` the model raises :class:`UpstreamError`; the controller
(``model/deployment.py``) turns it into "this reconcile stops here", exactly where upstream
returns the error. ``resolve_fenceposts`` keeps upstream's ``(0, 0, err)`` triple because
its callers deliberately ignore the error.

Deviations (docs/semantics.md#deployment): the pod-template-hash is a SHA-256 based stand-in
for FNV-32a over a spew dump; time is abstract (``Deployment.progress_deadline_elapsed``);
ReplicaSet conditions (ReplicaFailure) are not modelled; the feature-gated
terminatingReplicas and podReplacementPolicy paths are left out. ``get_replica_set_fraction``
carries the post-1.32 guard against a zero max-replicas base (v1.28 divides by zero there).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from model.controller_utils import filter_active_replica_sets
from model.errors import ModelError
from model.frozen import FrozenMap
from model.frozen import evolve as replace  # dataclasses.replace without __init__: faster, same object
from model.labels import LabelSelector
from model.objects import (
    Deployment,
    placement_repr,
    DeploymentCondition,
    DeploymentStatus,
    IntOrString,
    PodTemplate,
    ReplicaSet,
    ReplicaSetCondition,
)

__all__ = [
    # constants
    "REVISION_ANNOTATION",
    "REVISION_HISTORY_ANNOTATION",
    "DESIRED_REPLICAS_ANNOTATION",
    "MAX_REPLICAS_ANNOTATION",
    "LAST_APPLIED_CONFIG_ANNOTATION",
    "DEPRECATED_ROLLBACK_TO",
    "DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY",
    "DEPLOYMENT_AVAILABLE",
    "DEPLOYMENT_PROGRESSING",
    "DEPLOYMENT_REPLICA_FAILURE",
    "REPLICA_SET_UPDATED_REASON",
    "FAILED_RS_CREATE_REASON",
    "NEW_REPLICA_SET_REASON",
    "FOUND_NEW_RS_REASON",
    "NEW_RS_AVAILABLE_REASON",
    "TIMED_OUT_REASON",
    "PAUSED_DEPLOY_REASON",
    "RESUMED_DEPLOY_REASON",
    "MINIMUM_REPLICAS_AVAILABLE",
    "MINIMUM_REPLICAS_UNAVAILABLE",
    "ROLLBACK_REVISION_NOT_FOUND",
    "ROLLBACK_TEMPLATE_UNCHANGED",
    "ROLLBACK_DONE",
    "MAX_INT32",
    "UpstreamError",
    # intstr / integer
    "get_scaled_value_from_int_or_percent",
    "round_to_int32",
    # conditions
    "new_deployment_condition",
    "get_deployment_condition",
    "set_deployment_condition",
    "remove_deployment_condition",
    # revisions and annotations
    "set_deployment_revision",
    "revision",
    "max_revision",
    "last_revision",
    "skip_copy_annotation",
    "copy_deployment_annotations_to_replica_set",
    "set_new_replica_set_annotations",
    "set_deployment_annotations_to",
    "get_skipped_annotations",
    "get_int_from_annotation",
    "get_desired_replicas_annotation",
    "get_max_replicas_annotation",
    "set_replicas_annotations",
    "replicas_annotations_need_update",
    # fenceposts
    "resolve_fenceposts",
    "max_unavailable",
    "min_available",
    "max_surge",
    "is_rolling_update",
    # proportions
    "get_proportion",
    "get_replica_set_fraction",
    "find_active_or_latest",
    # identifying replica sets
    "equal_ignore_hash",
    "find_new_replica_set",
    "find_old_replica_sets",
    "set_from_replica_set_template",
    "filter_active_replica_sets",
    "replica_sets_by_creation_timestamp",
    "replica_sets_by_size_older",
    "replica_sets_by_size_newer",
    "replica_sets_by_revision",
    "compute_hash",
    "safe_encode_string",
    "clone_selector_and_add_label",
    # counting
    "get_replica_count_for_replica_sets",
    "get_actual_replica_count_for_replica_sets",
    "get_ready_replica_count_for_replica_sets",
    "get_available_replica_count_for_replica_sets",
    "get_terminating_replica_count_for_replica_sets",
    "replica_set_to_deployment_condition",
    # status predicates
    "deployment_complete",
    "deployment_progressing",
    "deployment_timed_out",
    "progress_deadline_can_elapse",
    "new_rs_new_replicas",
    "is_saturated",
    "has_progress_deadline",
    "has_revision_history_limit",
]

# ----------------------------------------------------------------------------- constants

REVISION_ANNOTATION: Final = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION: Final = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION: Final = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION: Final = "deployment.kubernetes.io/max-replicas"
#: v1.LastAppliedConfigAnnotation (staging/src/k8s.io/api/core/v1/annotation_key_constants.go).
LAST_APPLIED_CONFIG_ANNOTATION: Final = "kubectl.kubernetes.io/last-applied-configuration"
#: apps.DeprecatedRollbackTo: round-trips the removed spec.rollbackTo field.
DEPRECATED_ROLLBACK_TO: Final = "deprecated.deployment.rollback.to"
#: apps.DefaultDeploymentUniqueLabelKey.
DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: Final = "pod-template-hash"

DEPLOYMENT_AVAILABLE: Final = "Available"
DEPLOYMENT_PROGRESSING: Final = "Progressing"
DEPLOYMENT_REPLICA_FAILURE: Final = "ReplicaFailure"

REPLICA_SET_UPDATED_REASON: Final = "ReplicaSetUpdated"
FAILED_RS_CREATE_REASON: Final = "ReplicaSetCreateError"
NEW_REPLICA_SET_REASON: Final = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON: Final = "FoundNewReplicaSet"
NEW_RS_AVAILABLE_REASON: Final = "NewReplicaSetAvailable"
TIMED_OUT_REASON: Final = "ProgressDeadlineExceeded"
PAUSED_DEPLOY_REASON: Final = "DeploymentPaused"
RESUMED_DEPLOY_REASON: Final = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE: Final = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE: Final = "MinimumReplicasUnavailable"

ROLLBACK_REVISION_NOT_FOUND: Final = "DeploymentRollbackRevisionNotFound"
ROLLBACK_TEMPLATE_UNCHANGED: Final = "DeploymentRollbackTemplateUnchanged"
ROLLBACK_DONE: Final = "DeploymentRollback"

#: math.MaxInt32: progressDeadlineSeconds / revisionHistoryLimit meaning "unlimited".
MAX_INT32: Final = 2**31 - 1

_ANNOTATIONS_TO_SKIP: Final = frozenset(
    {
        LAST_APPLIED_CONFIG_ANNOTATION,
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        DEPRECATED_ROLLBACK_TO,
    }
)


class UpstreamError(ModelError):
    """A place where upstream returns an ``error``; the reconcile stops there (and requeues).

    Unlike a plain :class:`ModelError` (a model bug), this is ordinary upstream control flow:
    ``model.deployment.sync_deployment`` catches it and returns the writes issued so far.
    """


# ------------------------------------------------------------------- intstr and integer

_ATOI_RE: Final = re.compile(r"[+-]?[0-9]+\Z")


def _atoi(s: str) -> int | None:
    """strconv.Atoi / ParseInt(s, 10, 64): optional sign, decimal digits, int64 range."""
    if not _ATOI_RE.match(s):
        return None
    v = int(s)
    if not -(2**63) <= v < 2**63:
        return None
    return v


def _to_int32(v: int) -> int:
    """Go's ``int32(v)`` conversion (wraps around)."""
    return (v + 2**31) % 2**32 - 2**31


def get_scaled_value_from_int_or_percent(value: IntOrString | None, total: int, round_up: bool) -> int:
    """Mirrors staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go GetScaledValueFromIntOrPercent.

    An int is returned as is (no clamping); a string must be ``"<int>%"`` and scales
    ``total`` (ceil when ``round_up``, else floor, in float64 as upstream). ``None``, a
    string without ``%`` ("90", "oops") or a non-integer percent raise :class:`UpstreamError`.
    """
    if value is None:
        raise UpstreamError("nil value for IntOrString")
    if isinstance(value, bool):
        raise UpstreamError(f"invalid IntOrString {value!r}")
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise UpstreamError(f"invalid type: string is not a percentage: {value!r}")
    n = _atoi(value[:-1])
    if n is None:
        raise UpstreamError(f"invalid value for IntOrString: invalid value {value!r}")
    x = float(n) * float(total) / 100
    return int(math.ceil(x)) if round_up else int(math.floor(x))


def round_to_int32(a: float) -> int:
    """Mirrors k8s.io/utils/integer RoundToInt32: round half away from zero."""
    return int(math.trunc(a - 0.5)) if a < 0 else int(math.trunc(a + 0.5))


# ------------------------------------------------------------------------------ conditions


def new_deployment_condition(cond_type: str, status: str, reason: str, message: str) -> DeploymentCondition:
    """Mirrors pkg/controller/deployment/util/deployment_util.go NewDeploymentCondition.

    Timestamps are abstract (no lastUpdateTime/lastTransitionTime fields); see
    ``Deployment.progress_deadline_elapsed``.
    """
    return DeploymentCondition(type=cond_type, status=status, reason=reason, message=message)  # type: ignore[arg-type]


def get_deployment_condition(status: DeploymentStatus, cond_type: str) -> DeploymentCondition | None:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetDeploymentCondition."""
    for c in status.conditions:
        if c.type == cond_type:
            return c
    return None


def set_deployment_condition(status: DeploymentStatus, condition: DeploymentCondition) -> DeploymentStatus:
    """Mirrors pkg/controller/deployment/util/deployment_util.go SetDeploymentCondition.

    Same type with the same status and reason: no change at all (the message is not
    refreshed). Otherwise the old condition of that type is removed and the new one appended.
    """
    current = get_deployment_condition(status, condition.type)
    if current is not None and current.status == condition.status and current.reason == condition.reason:
        return status
    kept = tuple(c for c in status.conditions if c.type != condition.type)
    return replace(status, conditions=kept + (condition,))


def remove_deployment_condition(status: DeploymentStatus, cond_type: str) -> DeploymentStatus:
    """Mirrors pkg/controller/deployment/util/deployment_util.go RemoveDeploymentCondition."""
    kept = tuple(c for c in status.conditions if c.type != cond_type)
    if len(kept) == len(status.conditions):
        return status
    return replace(status, conditions=kept)


# ------------------------------------------------------------------ revisions, annotations


def set_deployment_revision(d: Deployment, rev: str) -> tuple[Deployment, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go SetDeploymentRevision."""
    if d.annotations.get(REVISION_ANNOTATION, "") != rev:
        return replace(d, annotations=d.annotations.set(REVISION_ANNOTATION, rev)), True
    return d, False


def revision(obj: Any) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go Revision.

    Absent annotation: 0. Present but not an int64 (``ParseInt``): :class:`UpstreamError`.
    """
    v = obj.annotations.get(REVISION_ANNOTATION)
    if v is None:
        return 0
    n = _atoi(v)
    if n is None:
        raise UpstreamError(f'strconv.ParseInt: parsing "{v}": invalid syntax ({obj.name})')
    return n


def _revision_or_none(obj: Any) -> int | None:
    try:
        return revision(obj)
    except UpstreamError:
        return None


def max_revision(all_rss: Iterable[ReplicaSet | None]) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go MaxRevision (unparsable skipped)."""
    m = 0
    for rs in all_rss:
        if rs is None:
            continue
        v = _revision_or_none(rs)
        if v is not None and v > m:
            m = v
    return m


def last_revision(all_rss: Iterable[ReplicaSet | None]) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go LastRevision: the second maximum.

    ``v >= max`` shifts max into secMax, so a duplicated maximum makes secMax equal to it.
    """
    mx, sec = 0, 0
    for rs in all_rss:
        if rs is None:
            continue
        v = _revision_or_none(rs)
        if v is None:
            continue
        if v >= mx:
            sec, mx = mx, v
        elif v > sec:
            sec = v
    return sec


def skip_copy_annotation(key: str) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go skipCopyAnnotation."""
    return key in _ANNOTATIONS_TO_SKIP


def copy_deployment_annotations_to_replica_set(d: Deployment, rs: ReplicaSet) -> tuple[ReplicaSet, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go copyDeploymentAnnotationsToReplicaSet.

    Every deployment annotation outside the skip set is copied unless the RS already has the
    key with the same value; a key the RS lacks is copied even when its value is ``""``
    (upstream: ``if _, exist := rs.Annotations[k]; skipCopyAnnotation(k) || (exist &&
    rs.Annotations[k] == v) { continue }``), so "absent" and "empty" differ.
    """
    changes = {
        k: v
        for k, v in d.annotations.items()
        if not skip_copy_annotation(k) and not (k in rs.annotations and rs.annotations[k] == v)
    }
    if not changes:
        return rs, False
    return replace(rs, annotations=rs.annotations.update(changes)), True


def set_new_replica_set_annotations(
    d: Deployment, new_rs: ReplicaSet, new_revision: str, exists: bool, rev_history_limit_in_chars: int
) -> tuple[ReplicaSet, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go SetNewReplicaSetAnnotations.

    Copies the deployment's annotations, raises the revision to ``new_revision`` if it is
    higher (remembering the old one in revision-history, trimmed from the front to
    ``rev_history_limit_in_chars``), and for a replica set about to be created stamps
    desired/max replicas. Returns ``(rs, changed)``; like upstream, an unparsable old or new
    revision returns ``changed=False`` while keeping the annotations already copied.
    """
    rs, changed = copy_deployment_annotations_to_replica_set(d, new_rs)
    ann = dict(rs.annotations)
    had = REVISION_ANNOTATION in ann
    old_revision = ann.get(REVISION_ANNOTATION, "")
    old_int = _atoi(old_revision)
    if old_int is None:
        if old_revision != "":
            return rs, False
        old_int = 0
    new_int = _atoi(new_revision)
    if new_int is None:
        return rs, False
    if old_int < new_int:
        ann[REVISION_ANNOTATION] = new_revision
        changed = True
    if had and old_int < new_int:
        history = ann.get(REVISION_HISTORY_ANNOTATION, "")
        old_revisions = history.split(",")
        if len(old_revisions[0]) == 0:
            ann[REVISION_HISTORY_ANNOTATION] = old_revision
        else:
            total_len = len(history) + len(old_revision) + 1
            start = 0
            while total_len > rev_history_limit_in_chars and start < len(old_revisions):
                total_len = total_len - len(old_revisions[start]) - 1
                start += 1
            if total_len <= rev_history_limit_in_chars:
                ann[REVISION_HISTORY_ANNOTATION] = ",".join(old_revisions[start:] + [old_revision])
    rs = replace(rs, annotations=FrozenMap(ann))
    if not exists:
        rs, set_changed = set_replicas_annotations(rs, d.replicas, d.replicas + max_surge(d))
        changed = changed or set_changed
    return rs, changed


def get_skipped_annotations(annotations: Mapping[str, str]) -> FrozenMap[str, str]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go getSkippedAnnotations."""
    return FrozenMap({k: v for k, v in annotations.items() if skip_copy_annotation(k)})


def set_deployment_annotations_to(d: Deployment, rollback_to_rs: ReplicaSet) -> Deployment:
    """Mirrors pkg/controller/deployment/util/deployment_util.go SetDeploymentAnnotationsTo.

    The deployment keeps its skip-set annotations and takes every other annotation of the RS.
    """
    ann = dict(get_skipped_annotations(d.annotations))
    for k, v in rollback_to_rs.annotations.items():
        if not skip_copy_annotation(k):
            ann[k] = v
    return replace(d, annotations=FrozenMap(ann))


def get_int_from_annotation(rs: ReplicaSet, annotation_key: str) -> tuple[int, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go getIntFromAnnotation (v1.28).

    Absent or not ``Atoi``-parsable: ``(0, False)``; else ``(int32(v), True)`` (wrapping).
    """
    v = rs.annotations.get(annotation_key)
    if v is None:
        return 0, False
    n = _atoi(v)
    if n is None:
        return 0, False
    return _to_int32(n), True


def get_desired_replicas_annotation(rs: ReplicaSet) -> tuple[int, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetDesiredReplicasAnnotation."""
    return get_int_from_annotation(rs, DESIRED_REPLICAS_ANNOTATION)


def get_max_replicas_annotation(rs: ReplicaSet) -> tuple[int, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go getMaxReplicasAnnotation."""
    return get_int_from_annotation(rs, MAX_REPLICAS_ANNOTATION)


def set_replicas_annotations(rs: ReplicaSet, desired_replicas: int, max_replicas: int) -> tuple[ReplicaSet, bool]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go SetReplicasAnnotations."""
    changes = {}
    if rs.annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired_replicas):
        changes[DESIRED_REPLICAS_ANNOTATION] = str(desired_replicas)
    if rs.annotations.get(MAX_REPLICAS_ANNOTATION) != str(max_replicas):
        changes[MAX_REPLICAS_ANNOTATION] = str(max_replicas)
    if not changes:
        return rs, False
    return replace(rs, annotations=rs.annotations.update(changes)), True


def replicas_annotations_need_update(rs: ReplicaSet, desired_replicas: int, max_replicas: int) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go ReplicasAnnotationsNeedUpdate.

    (A nil annotations map, which upstream checks first, is the empty FrozenMap here and gives
    the same answer: an absent value never equals a formatted integer.)
    """
    return rs.annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired_replicas) or rs.annotations.get(
        MAX_REPLICAS_ANNOTATION
    ) != str(max_replicas)


# ------------------------------------------------------------------------------ fenceposts


def resolve_fenceposts(
    max_surge_value: IntOrString | None, max_unavailable_value: IntOrString | None, desired: int
) -> tuple[int, int, str | None]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go ResolveFenceposts.

    Returns ``(surge, unavailable, error)`` like upstream's ``(int32, int32, error)``: nil
    values default to 0; surge rounds up and unavailable down; if both resolve to 0,
    unavailable becomes 1 (surge might not work because of quota). On a garbage value the
    result is ``(0, 0, message)``. Upstream's examples: 2 desired, unavailable 1%, surge 0%
    scale old(-1), new(+1), old(-1), new(+1); with unavailable 25%, surge 1% they scale
    new(+1), old(-1), new(+1), old(-1).
    """
    try:
        surge = get_scaled_value_from_int_or_percent(0 if max_surge_value is None else max_surge_value, desired, True)
        unavailable = get_scaled_value_from_int_or_percent(
            0 if max_unavailable_value is None else max_unavailable_value, desired, False
        )
    except UpstreamError as err:
        return 0, 0, str(err)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable, None


def is_rolling_update(d: Deployment) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go IsRollingUpdate."""
    return d.strategy.type == "RollingUpdate"


def max_unavailable(d: Deployment) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go MaxUnavailable.

    0 for Recreate or zero replicas; otherwise the resolved value clamped to spec.replicas
    (a resolution error is ignored and yields 0, as upstream's ``_, maxUnavailable, _``).
    """
    if not is_rolling_update(d) or d.replicas == 0:
        return 0
    _, unavailable, _ = resolve_fenceposts(d.strategy.max_surge, d.strategy.max_unavailable, d.replicas)
    return min(unavailable, d.replicas)


def min_available(d: Deployment) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go MinAvailable."""
    if not is_rolling_update(d):
        return 0
    return d.replicas - max_unavailable(d)


def max_surge(d: Deployment) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go MaxSurge (not clamped)."""
    if not is_rolling_update(d):
        return 0
    surge, _, _ = resolve_fenceposts(d.strategy.max_surge, d.strategy.max_unavailable, d.replicas)
    return surge


# ----------------------------------------------------------------------------- proportions


def get_replica_set_fraction(rs: ReplicaSet, d: Deployment) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go getReplicaSetFraction.

    Scaling to zero: ``-spec``. Otherwise ``round(spec * (replicas + maxSurge) / base) - spec``
    where ``base`` is the max-replicas annotation, or ``d.status.replicas`` when the annotation
    is missing, unparsable or 0. When that base is 0 too the fraction is 0: this is the
    post-1.32 guard (TestGetReplicaSetFraction, "unsynced deployment does not scale"); the
    v1.28 baseline divides by zero there (docs/semantics.md#deployment).
    """
    if d.replicas == 0:
        return -rs.replicas
    deployment_replicas = d.replicas + max_surge(d)
    annotated, ok = get_max_replicas_annotation(rs)
    if not ok or annotated == 0:
        annotated = d.status.replicas
    if annotated == 0:
        return 0
    new_rs_size = float(rs.replicas * deployment_replicas) / float(annotated)
    return round_to_int32(new_rs_size) - rs.replicas


def get_proportion(rs: ReplicaSet | None, d: Deployment, deployment_replicas_to_add: int, deployment_replicas_added: int) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetProportion.

    Scaling up takes ``min(fraction, allowed)``, scaling down ``max(fraction, allowed)``, so the
    running total never overshoots ``deployment_replicas_to_add``.
    """
    if (
        rs is None
        or rs.replicas == 0
        or deployment_replicas_to_add == 0
        or deployment_replicas_to_add == deployment_replicas_added
    ):
        return 0
    fraction = get_replica_set_fraction(rs, d)
    allowed = deployment_replicas_to_add - deployment_replicas_added
    if deployment_replicas_to_add > 0:
        return min(fraction, allowed)
    return max(fraction, allowed)


def find_active_or_latest(new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet]) -> ReplicaSet | None:
    """Mirrors pkg/controller/deployment/util/deployment_util.go FindActiveOrLatest.

    At most one active RS: that one (none active: ``new_rs`` if any, else the newest old one);
    several active: ``None`` (the caller scales proportionally).
    """
    if new_rs is None and not old_rss:
        return None
    newest_first = replica_sets_by_creation_timestamp(old_rss)[::-1]
    active = filter_active_replica_sets([*newest_first, new_rs])
    if len(active) == 0:
        return new_rs if new_rs is not None else newest_first[0]
    if len(active) == 1:
        return active[0]
    return None


# -------------------------------------------------------------- identifying replica sets


def _without_hash(template: PodTemplate) -> PodTemplate:
    if DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY not in template.labels:
        return template
    return replace(template, labels=template.labels.remove(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY))


def equal_ignore_hash(template1: PodTemplate, template2: PodTemplate) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash.

    Semantic deep equality after dropping the ``pod-template-hash`` label from both.
    """
    return _without_hash(template1) == _without_hash(template2)


def _rs_timestamp_key(rs: ReplicaSet) -> tuple[int, str]:
    return (rs.creation_index, rs.name)


def replica_sets_by_creation_timestamp(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """Mirrors pkg/controller/controller_utils.go ReplicaSetsByCreationTimestamp: oldest first.

    creationTimestamp is ``creation_index``; equal timestamps fall back to the name.
    """
    return sorted(rss, key=_rs_timestamp_key)


def replica_sets_by_size_older(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """Mirrors pkg/controller/controller_utils.go ReplicaSetsBySizeOlder: larger first, ties oldest first."""
    return sorted(rss, key=lambda rs: (-rs.replicas, rs.creation_index, rs.name))


def replica_sets_by_size_newer(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """Mirrors pkg/controller/controller_utils.go ReplicaSetsBySizeNewer: larger first, ties newest first.

    (Ties use ``ReplicaSetsByCreationTimestamp.Less(j, i)``: newer timestamp, then greater name.)
    """

    def cmp(a: ReplicaSet, b: ReplicaSet) -> int:
        if a.replicas != b.replicas:
            return -1 if a.replicas > b.replicas else 1
        ka, kb = _rs_timestamp_key(a), _rs_timestamp_key(b)
        return -1 if ka > kb else (1 if ka < kb else 0)

    return sorted(rss, key=functools.cmp_to_key(cmp))


def replica_sets_by_revision(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go ReplicaSetsByRevision.

    Ascending revision; unparsable or equal revisions compare by creation timestamp.
    """

    def cmp(a: ReplicaSet, b: ReplicaSet) -> int:
        ra, rb = _revision_or_none(a), _revision_or_none(b)
        if ra is None or rb is None or ra == rb:
            ka, kb = _rs_timestamp_key(a), _rs_timestamp_key(b)
            return -1 if ka < kb else (1 if ka > kb else 0)
        return -1 if ra < rb else 1

    return sorted(rss, key=functools.cmp_to_key(cmp))


def find_new_replica_set(d: Deployment, rs_list: Iterable[ReplicaSet]) -> ReplicaSet | None:
    """Mirrors pkg/controller/deployment/util/deployment_util.go FindNewReplicaSet.

    The oldest RS whose template equals the deployment's ignoring the hash label (#40415).
    """
    for rs in replica_sets_by_creation_timestamp(rs_list):
        if equal_ignore_hash(rs.template, d.template):
            return rs
    return None


def find_old_replica_sets(d: Deployment, rs_list: Iterable[ReplicaSet]) -> tuple[list[ReplicaSet], list[ReplicaSet]]:
    """Mirrors pkg/controller/deployment/util/deployment_util.go FindOldReplicaSets.

    Returns ``(required, all)``: ``all`` is every RS but the new one (oldest first, as the
    in-place sort of FindNewReplicaSet leaves the list), ``required`` those with spec != 0.
    """
    ordered = replica_sets_by_creation_timestamp(rs_list)
    new_rs = find_new_replica_set(d, ordered)
    all_rss = [rs for rs in ordered if new_rs is None or rs.uid != new_rs.uid]
    required = [rs for rs in all_rss if rs.replicas != 0]
    return required, all_rss


def set_from_replica_set_template(d: Deployment, template: PodTemplate) -> Deployment:
    """Mirrors pkg/controller/deployment/util/deployment_util.go SetFromReplicaSetTemplate."""
    return replace(d, template=_without_hash(template))


def clone_selector_and_add_label(selector: LabelSelector | None, label_key: str, label_value: str) -> LabelSelector:
    """Mirrors pkg/util/labels/labels.go CloneSelectorAndAddLabel."""
    base = selector if selector is not None else LabelSelector()
    if label_key == "":
        return base
    return replace(base, match_labels=base.match_labels.set(label_key, label_value))


_ALPHANUMS: Final = "bcdfghjklmnpqrstvwxz2456789"


def safe_encode_string(s: str) -> str:
    """Mirrors staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go SafeEncodeString."""
    return "".join(_ALPHANUMS[b % len(_ALPHANUMS)] for b in s.encode())


def compute_hash(template: PodTemplate, collision_count: int | None) -> str:
    """Stands in for pkg/controller/controller_utils.go ComputeHash (the pod-template-hash).

    Upstream: FNV-32a over a spew dump of the template, then the 4 little-endian bytes of
    ``collisionCount`` if set, printed in decimal and safe-encoded. Here: SHA-256 over the
    template's ``repr`` (deterministic: frozen dataclasses, sorted FrozenMaps, no
    ``hash()``), plus the 8-byte little-endian collision count if set, truncated to 32 bits
    and encoded the same way. Stable across runs and Python processes; a deviation only in
    which 32-bit value a template gets (docs/semantics.md#deployment).
    """
    data = (repr(template) + placement_repr(template)).encode()
    if collision_count is not None:
        data += (collision_count % 2**32).to_bytes(8, "little")
    value = int.from_bytes(hashlib.sha256(data).digest()[:4], "big")
    return safe_encode_string(str(value))


# -------------------------------------------------------------------------------- counting


def get_replica_count_for_replica_sets(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetReplicaCountForReplicaSets (Σ spec)."""
    return sum(rs.replicas for rs in replica_sets if rs is not None)


def get_actual_replica_count_for_replica_sets(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetActualReplicaCountForReplicaSets (Σ status.replicas)."""
    return sum(rs.status.replicas for rs in replica_sets if rs is not None)


def get_ready_replica_count_for_replica_sets(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetReadyReplicaCountForReplicaSets."""
    return sum(rs.status.ready_replicas for rs in replica_sets if rs is not None)


def get_available_replica_count_for_replica_sets(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetAvailableReplicaCountForReplicaSets."""
    return sum(rs.status.available_replicas for rs in replica_sets if rs is not None)


def get_terminating_replica_count_for_replica_sets(replica_sets: Iterable[ReplicaSet | None]) -> int | None:
    """Mirrors pkg/controller/deployment/util/deployment_util.go GetTerminatingReplicaCountForReplicaSets.

    Σ ``status.terminatingReplicas``; a ReplicaSet never synced (observedGeneration 0) without the
    field counts 0; one synced without it (the ReplicaSet controller's gate off) makes the sum
    unknown (``None``, nil).
    """
    total = 0
    for rs in replica_sets:
        if rs is None:
            continue
        if rs.status.observed_generation == 0 and rs.status.terminating_replicas is None:
            continue
        if rs.status.terminating_replicas is None:
            return None
        total += rs.status.terminating_replicas
    return total


def replica_set_to_deployment_condition(cond: ReplicaSetCondition) -> DeploymentCondition:
    """Mirrors pkg/controller/deployment/util/deployment_util.go ReplicaSetToDeploymentCondition (times left out)."""
    return DeploymentCondition(cond.type, cond.status, cond.reason, cond.message)


# ----------------------------------------------------------------------- status predicates


def deployment_complete(d: Deployment, new_status: DeploymentStatus) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go DeploymentComplete."""
    return (
        new_status.updated_replicas == d.replicas
        and new_status.replicas == d.replicas
        and new_status.available_replicas == d.replicas
        and new_status.observed_generation >= d.generation
    )


def deployment_progressing(d: Deployment, new_status: DeploymentStatus) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go DeploymentProgressing.

    Progress against the stored status: more updated, fewer old, more ready or more available.
    """
    old = d.status
    old_old = old.replicas - old.updated_replicas
    new_old = new_status.replicas - new_status.updated_replicas
    return (
        new_status.updated_replicas > old.updated_replicas
        or new_old < old_old
        or new_status.ready_replicas > old.ready_replicas
        or new_status.available_replicas > old.available_replicas
    )


def has_progress_deadline(d: Deployment) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go HasProgressDeadline (nil or MaxInt32: none)."""
    pds: int | None = d.progress_deadline_seconds
    return pds is not None and pds != MAX_INT32


def has_revision_history_limit(d: Deployment) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go HasRevisionHistoryLimit (nil or MaxInt32: unlimited)."""
    limit: int | None = d.revision_history_limit
    return limit is not None and limit != MAX_INT32


def deployment_timed_out(d: Deployment, new_status: DeploymentStatus) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go DeploymentTimedOut, on abstract time.

    No deadline, no Progressing condition in ``new_status``, or a NewReplicaSetAvailable one:
    False; ProgressDeadlineExceeded: True; otherwise upstream compares
    ``lastUpdateTime + progressDeadlineSeconds < now``, which the model reads from the flag
    ``d.progress_deadline_elapsed`` (set by the environment's expiry step, cleared by the
    controller whenever it refreshes the Progressing condition).
    """
    if not has_progress_deadline(d):
        return False
    condition = get_deployment_condition(new_status, DEPLOYMENT_PROGRESSING)
    if condition is None:
        return False
    if condition.reason == NEW_RS_AVAILABLE_REASON:
        return False
    if condition.reason == TIMED_OUT_REASON:
        return True
    return d.progress_deadline_elapsed


def progress_deadline_can_elapse(d: Deployment) -> bool:
    """When the environment's "progress deadline passes" step is enabled for ``d``.

    Not an upstream function: it is the guard of the abstract-time step, read off
    DeploymentTimedOut and requeueStuckDeployment (pkg/controller/deployment/progress.go):
    only a deployment with a deadline, a Progressing condition whose reason is neither
    NewReplicaSetAvailable nor ProgressDeadlineExceeded, and the flag not yet set.
    """
    if d.progress_deadline_elapsed or not has_progress_deadline(d):
        return False
    cond = get_deployment_condition(d.status, DEPLOYMENT_PROGRESSING)
    return cond is not None and cond.reason not in (NEW_RS_AVAILABLE_REASON, TIMED_OUT_REASON)


def new_rs_new_replicas(d: Deployment, all_rss: Iterable[ReplicaSet | None], new_rs: ReplicaSet) -> int:
    """Mirrors pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas.

    RollingUpdate: grow the new RS up to ``replicas + maxSurge`` in total (Σ spec, not pods)
    without exceeding ``replicas``; maxSurge is scaled directly (not via ResolveFenceposts),
    so a nil or garbage value raises :class:`UpstreamError`. Recreate: ``replicas``.
    """
    if d.strategy.type == "RollingUpdate":
        surge = get_scaled_value_from_int_or_percent(d.strategy.max_surge, d.replicas, True)
        current = get_replica_count_for_replica_sets(all_rss)
        max_total = d.replicas + surge
        if current >= max_total:
            return new_rs.replicas
        scale_up = min(max_total - current, d.replicas - new_rs.replicas)
        return new_rs.replicas + scale_up
    if d.strategy.type == "Recreate":
        return d.replicas
    raise UpstreamError(f"deployment type {d.strategy.type} isn't supported")


def is_saturated(d: Deployment, rs: ReplicaSet | None) -> bool:
    """Mirrors pkg/controller/deployment/util/deployment_util.go IsSaturated.

    Spec, desired-replicas annotation (``Atoi``) and available replicas all equal spec.replicas.
    """
    if rs is None:
        return False
    desired = _atoi(rs.annotations.get(DESIRED_REPLICAS_ANNOTATION, ""))
    if desired is None:
        return False
    return rs.replicas == d.replicas and _to_int32(desired) == d.replicas and rs.status.available_replicas == d.replicas

