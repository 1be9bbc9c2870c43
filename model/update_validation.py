"""Update-time validation: the API server's refusals of an update that changes an immutable field.

A manifest that passes create-time validation (``model.validation``, run by the loader) may still be
refused as an *update* of the object the cluster holds.  These are the upstream checks that compare
the new object with the stored one, in the API server's words:

* pkg/apis/apps/validation/validation.go ``ValidateStatefulSetUpdate``: every StatefulSet spec field
  other than ``replicas``, ``ordinals``, ``template``, ``updateStrategy``,
  ``persistentVolumeClaimRetentionPolicy`` and ``minReadySeconds`` is immutable (so ``selector``,
  ``serviceName``, ``podManagementPolicy``, ``volumeClaimTemplates``, ``revisionHistoryLimit``);
* pkg/registry/apps/deployment/strategy.go, replicaset/strategy.go, daemonset/strategy.go
  ``ValidateUpdate``: for apps/v1, ``spec.selector`` is immutable
  (``apivalidation.ValidateImmutableField``, "field is immutable"); ``ValidateDeploymentUpdate``,
  ``ValidateReplicaSetUpdate`` and ``ValidateDaemonSetUpdate`` themselves re-validate the new spec,
  which the loader has already done for the manifest;
* pkg/apis/core/validation/validation.go ``ValidateReplicationControllerUpdate`` (an RC's selector
  may change), ``ValidatePodUpdate`` (only images, tolerations added and activeDeadlineSeconds),
  ``ValidatePersistentVolumeClaimUpdate`` (only the storage request of a bound claim) and
  ``ValidateServiceUpdate`` (an assigned ``clusterIP`` is immutable).

:func:`validate_update` returns the field errors (empty: the update is allowed) and
:func:`invalid_message` the ``StatusError`` text ``errors.NewInvalid`` builds
(staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go): ``Kind.group "name" is invalid: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from model.objects import KIND_INFO, kind_of

__all__ = [
    "UpdateError",
    "validate_update",
    "validate_stateful_set_update",
    "validate_deployment_update",
    "validate_replica_set_update",
    "validate_daemon_set_update",
    "validate_pod_update",
    "validate_persistent_volume_claim_update",
    "validate_service_update",
    "invalid_message",
    "go_label_selector",
    "FIELD_IMMUTABLE",
    "STATEFUL_SET_FORBIDDEN",
    "POD_UPDATE_FORBIDDEN",
    "PVC_UPDATE_FORBIDDEN",
]

#: apimachinery/pkg/api/validation FieldImmutableErrorMsg
FIELD_IMMUTABLE = "field is immutable"
#: ValidateStatefulSetUpdate's Forbidden detail (pkg/apis/apps/validation/validation.go)
STATEFUL_SET_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
    "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)
#: ValidatePodUpdate's Forbidden detail (pkg/apis/core/validation/validation.go), without the spec diff it appends
POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)
#: ValidatePersistentVolumeClaimUpdate's Forbidden detail
PVC_UPDATE_FORBIDDEN = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"

#: API groups of the kinds, for ``schema.GroupKind.String()`` (``Deployment.apps``; core kinds bare)
_GROUPS = {k.name: k.group for k in KIND_INFO if k.group}

#: StatefulSet spec fields an update may change (ValidateStatefulSetUpdate copies them from the old
#: object before comparing the specs); ``ordinals`` is ``ordinals_start`` in the model.
_STS_MUTABLE = frozenset({"replicas", "ordinals_start", "template", "update_strategy",
                          "persistent_volume_claim_retention_policy", "min_ready_seconds"})
_STS_SPEC = ("replicas", "selector", "template", "service_name", "pod_management_policy", "update_strategy",
             "volume_claim_templates", "persistent_volume_claim_retention_policy", "ordinals_start",
             "min_ready_seconds", "revision_history_limit")


@dataclass(frozen=True, slots=True)
class UpdateError:
    """One ``field.Error``: its path, type (``Invalid``, ``Forbidden``) and ``ErrorBody`` text."""

    path: str
    type: str
    detail: str
    value: str = ""

    def __str__(self) -> str:
        """field.Error.Error(): ``path: Type: detail`` (Invalid: ``path: Invalid value: V: detail``)."""
        if self.type == "Invalid":
            return f"{self.path}: Invalid value: {self.value}: {self.detail}"
        return f"{self.path}: {self.type}: {self.detail}"


def _go_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def go_label_selector(selector: Any) -> str:
    """A ``metav1.LabelSelector`` as Go's ``%#v`` prints it in a ``field.Invalid`` (map keys sorted).

    >>> from model.labels import LabelSelector
    >>> from model.frozen import FrozenMap
    >>> go_label_selector(LabelSelector(FrozenMap({"app": "web"})))
    'v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}'
    """
    if selector is None:
        return "null"
    ml = selector.match_labels
    labels = ("map[string]string{" + ", ".join(f"{_go_quote(k)}:{_go_quote(ml[k])}" for k in sorted(ml)) + "}"
              if ml else "map[string]string(nil)")
    if selector.match_expressions:
        reqs = ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{_go_quote(r.key)}, Operator:{_go_quote(r.operator)}, Values:"
            + ("[]string{" + ", ".join(_go_quote(v) for v in r.values) + "}" if r.values else "[]string(nil)") + "}"
            for r in selector.match_expressions)
        exprs = f"[]v1.LabelSelectorRequirement{{{reqs}}}"
    else:
        exprs = "[]v1.LabelSelectorRequirement(nil)"
    return f"v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}"


def _immutable_selector(new: Any, old: Any) -> list[UpdateError]:
    """apivalidation.ValidateImmutableField(new.Spec.Selector, old.Spec.Selector, spec.selector)."""
    if new.selector == old.selector:
        return []
    return [UpdateError("spec.selector", "Invalid", FIELD_IMMUTABLE, go_label_selector(new.selector))]


def validate_stateful_set_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate: the spec with ``replicas``,
    ``ordinals``, ``template``, ``updateStrategy``, ``persistentVolumeClaimRetentionPolicy`` and
    ``minReadySeconds`` copied from the old object must equal the old spec."""
    if any(getattr(new, f) != getattr(old, f) for f in _STS_SPEC if f not in _STS_MUTABLE):
        return [UpdateError("spec", "Forbidden", STATEFUL_SET_FORBIDDEN)]
    return []


def validate_deployment_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/registry/apps/deployment/strategy.go deploymentStrategy.ValidateUpdate (apps/v1): the
    selector is immutable; ValidateDeploymentUpdate re-validates the new spec (done by the loader)."""
    return _immutable_selector(new, old)


def validate_replica_set_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/registry/apps/replicaset/strategy.go rsStrategy.ValidateUpdate (apps/v1): the selector is immutable."""
    return _immutable_selector(new, old)


def validate_daemon_set_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/registry/apps/daemonset/strategy.go daemonSetStrategy.ValidateUpdate (apps/v1): the selector is immutable."""
    return _immutable_selector(new, old)


_POD_STATUS_AND_META = frozenset({
    "phase", "conditions", "ready_elapsed", "sandbox", "container_statuses",
})


def validate_pod_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/apis/core/validation/validation.go ValidatePodUpdate: a pod's spec may change only in its
    containers' and init containers' images and by tolerations added to the existing ones (the model
    has no activeDeadlineSeconds)."""
    from model.objects import ObjectMeta

    meta = {f.name for f in fields(ObjectMeta)}
    for f in fields(new):
        name = f.name
        if name in meta or name in _POD_STATUS_AND_META:
            continue
        a, b = getattr(new, name), getattr(old, name)
        if name in ("spec_containers", "init_containers"):
            if len(a) != len(b) or any(replace(x, image=y.image) != y for x, y in zip(a, b)):
                return [UpdateError("spec", "Forbidden", POD_UPDATE_FORBIDDEN)]
        elif name == "tolerations":
            if tuple(a[: len(b)]) != tuple(b):
                return [UpdateError("spec", "Forbidden", POD_UPDATE_FORBIDDEN)]
        elif a != b:
            return [UpdateError("spec", "Forbidden", POD_UPDATE_FORBIDDEN)]
    return []


def validate_persistent_volume_claim_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate: only the storage
    request of a bound claim may change."""
    if new.access_modes != old.access_modes or new.storage_class_name != old.storage_class_name:
        return [UpdateError("spec", "Forbidden", PVC_UPDATE_FORBIDDEN)]
    if new.storage != old.storage and old.phase != "Bound":
        return [UpdateError("spec", "Forbidden", PVC_UPDATE_FORBIDDEN)]
    return []


def validate_service_update(new: Any, old: Any) -> list[UpdateError]:
    """pkg/apis/core/validation/validation.go ValidateServiceUpdate: an assigned ``clusterIP`` is immutable."""
    if old.cluster_ip and new.cluster_ip != old.cluster_ip:
        return [UpdateError("spec.clusterIP", "Invalid", FIELD_IMMUTABLE, _go_quote(new.cluster_ip or ""))]
    return []




def validate_update(new: Any, old: Any) -> list[UpdateError]:
    """The update-time errors of replacing ``old`` by ``new`` (same kind, namespace and name); empty
    when the API server accepts the update.  Kinds without immutable spec fields in the model
    (ReplicationController, PodDisruptionBudget, HorizontalPodAutoscaler, Node) accept every update."""
    from model.kinds import kind_record

    check = kind_record(kind_of(new)).validate_update  # the kind's record (model.kinds)
    return [] if check is None else check(new, old)


def invalid_message(obj: Any, errors: list[UpdateError]) -> str:
    """errors.NewInvalid(qualifiedKind, name, errs).Error(): ``Deployment.apps "web" is invalid: E``,
    several errors as the aggregate ``[E1, E2]``."""
    kind = kind_of(obj)
    group = _GROUPS.get(kind)
    qualified = f"{kind}.{group}" if group else kind
    body = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(map(str, errors)) + "]"
    return f"{qualified} {_go_quote(obj.name)} is invalid: {body}"
