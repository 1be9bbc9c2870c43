"""API-server checks for loaded manifests: type decoding, then upstream validation.

Two stages, run by ``model.manifests`` on every object it models:

1. :func:`decode` checks the JSON types of the fields kubecheck reads against a small schema
   (``spec.replicas`` must be an integer, ``metadata.labels`` a map of strings, ...). This is the
   step where the real API server's JSON decoder fails ("cannot unmarshal string into Go struct
   field ... of type int32"); like upstream, an object with a decode error is not validated further.
   Objects whose fields we list completely (``metadata``, the workload specs, selectors,
   strategies) are *closed*: an unknown field there is an error, as with kubectl's default
   ``--validate=strict``. Open objects (pod spec, containers, service and PVC specs) ignore fields
   the model does not read; their field *names* are checked before ``decode`` by ``model.strict``
   against the full API types.
2. ``validate_<kind>`` mirror upstream validation over the decoded, *defaulted* object
   (``model.defaults``). Sources:
   kubernetes/kubernetes pkg/apis/apps/validation/validation.go,
   pkg/apis/core/validation/validation.go,
   staging/src/k8s.io/apimachinery/pkg/api/validation/{objectmeta,generic}.go,
   staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go,
   staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go.

Errors are :class:`FieldError` values (a field path and a one-line message in the style
``invalid value "25": must be an integer or a percentage``). What is and is not checked, and why
that is sound, is in docs/semantics.md#manifests.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from model.frozen import FrozenMap
from model.labels import (
    _regex_error,
    LabelSelector,
    LabelSelectorRequirement,
    SelectorError,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    label_selector_as_selector,
)

__all__ = [
    "FieldError",
    "child",
    "index",
    "required",
    "invalid",
    "not_supported",
    "forbidden",
    "duplicate",
    "Scalar",
    "Obj",
    "ListOf",
    "MapOf",
    "Schema",
    "SCHEMAS",
    "HPA_V1_SCHEMA",
    "decode",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_dns1035_label",
    "is_valid_percent",
    "name_is_dns_subdomain",
    "name_is_dns_label",
    "name_is_dns1035_label",
    "validate_nonnegative_field",
    "validate_labels",
    "validate_annotations",
    "validate_object_meta",
    "validate_label_selector",
    "label_selector_from_data",
    "selector_matches",
    "validate_pod_spec",
    "validate_volumes",
    "validate_containers",
    "validate_pod_template_spec",
    "validate_node_selector_requirement",
    "validate_node_field_selector_requirement",
    "validate_node_selector",
    "validate_taint_effect",
    "validate_tolerations",
    "validate_node_taints",
    "validate_placement",
    "validate_topology_spread_constraints",
    "validate_positive_int_or_percent",
    "get_percent_value",
    "get_int_or_percent_value",
    "is_not_more_than_100_percent",
    "validate_rolling_update_deployment",
    "validate_deployment_strategy",
    "validate_deployment_spec",
    "validate_deployment",
    "validate_rollback",
    "convert_v1_deployment_to_apps_deployment",
    "parse_int64",
    "validate_pod_template_spec_for_replica_set",
    "validate_replica_set_spec",
    "validate_replica_set",
    "validate_rolling_update_stateful_set",
    "validate_persistent_volume_claim_retention_policy",
    "validate_stateful_set_spec",
    "validate_stateful_set",
    "validate_non_empty_selector",
    "validate_pod_template_spec_for_rc",
    "validate_replication_controller_spec",
    "validate_replication_controller",
    "validate_pod",
    "validate_service",
    "validate_persistent_volume_claim",
    "validate_node",
    "name_is_path_segment",
    "validate_pod_disruption_budget_spec",
    "validate_pod_disruption_budget",
    "quantity_milli_value",
    "validate_horizontal_pod_autoscaler",
]

# =============================================================================== field errors


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field: ``path`` (``spec.template.metadata.labels``) and a message.

    ``at`` is the path whose source line the error should point at when that is more precise
    than ``path`` (upstream reports every bad label at ``metadata.labels``; we point at the key).
    """

    path: str
    message: str
    at: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


_SIMPLE_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child(path: str, key: str) -> str:
    """``field.Path.Child`` for identifier-like keys, ``Key`` (``[key]``) for anything else."""
    if _SIMPLE_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)[1:-1]}]"


def index(path: str, i: int) -> str:
    """``field.Path.Index``."""
    return f"{path}[{i}]"


def show(value: Any) -> str:
    """A value as it appears in a message: JSON, compact, on one line."""
    if isinstance(value, FrozenMap):
        value = value.to_dict()
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return json.dumps(str(value), ensure_ascii=False)


def required(path: str, detail: str = "", *, at: str | None = None) -> FieldError:
    """``field.Required``."""
    return FieldError(path, "required value" + (f": {detail}" if detail else ""), at)


def invalid(path: str, value: Any, detail: str, *, at: str | None = None) -> FieldError:
    """``field.Invalid``."""
    return FieldError(path, f"invalid value {show(value)}: {detail}", at)


def not_supported(path: str, value: Any, supported: tuple[str, ...], *, at: str | None = None) -> FieldError:
    """``field.NotSupported``, worded verbatim as upstream's ``ErrorBody``.

    apimachinery pkg/util/validation/field/errors.go: ``Unsupported value: "Never": supported
    values: "Always"`` (the type string, the value quoted, the quoted supported values).
    """
    vals = ", ".join(json.dumps(s) for s in supported)
    return FieldError(path, f"Unsupported value: {show(value)}: supported values: {vals}", at)


def forbidden(path: str, detail: str, *, at: str | None = None) -> FieldError:
    """``field.Forbidden``."""
    return FieldError(path, f"forbidden: {detail}", at)


def duplicate(path: str, value: Any, *, at: str | None = None) -> FieldError:
    """``field.Duplicate``."""
    return FieldError(path, f"duplicate value {show(value)}", at)


# ================================================================================= decoding


@dataclass(frozen=True, slots=True)
class Scalar:
    """A JSON scalar type: string, int32, int64, bool, intstr (int-or-string), quantity, any."""

    kind: str


@dataclass(frozen=True, slots=True)
class Obj:
    """A JSON object with known fields; ``closed`` makes unknown fields an error."""

    fields: Mapping[str, "Schema"]
    closed: bool = True


@dataclass(frozen=True, slots=True)
class ListOf:
    item: "Schema"


@dataclass(frozen=True, slots=True)
class MapOf:
    value: "Schema"


Schema = Scalar | Obj | ListOf | MapOf

STR: Final = Scalar("string")
I32: Final = Scalar("int32")
I64: Final = Scalar("int64")
BOOL: Final = Scalar("bool")
INTSTR: Final = Scalar("intstr")
QTY: Final = Scalar("quantity")
ANY: Final = Scalar("any")
LABEL_MAP: Final = MapOf(STR)

_OWNER_REF: Final = Obj(
    {"apiVersion": STR, "kind": STR, "name": STR, "uid": STR, "controller": BOOL, "blockOwnerDeletion": BOOL}
)
#: metav1.ObjectMeta, complete (so closed).
_OBJECT_META: Final = Obj(
    {
        "name": STR,
        "generateName": STR,
        "namespace": STR,
        "selfLink": STR,
        "uid": STR,
        "resourceVersion": STR,
        "generation": I64,
        "creationTimestamp": ANY,
        "deletionTimestamp": ANY,
        "deletionGracePeriodSeconds": I64,
        "labels": LABEL_MAP,
        "annotations": LABEL_MAP,
        "ownerReferences": ListOf(_OWNER_REF),
        "finalizers": ListOf(STR),
        "managedFields": ANY,
    }
)
_LABEL_SELECTOR: Final = Obj(
    {"matchLabels": LABEL_MAP, "matchExpressions": ListOf(Obj({"key": STR, "operator": STR, "values": ListOf(STR)}))}
)
#: v1.ContainerPort: the loader reads ``hostPort`` (an ignored, verdict-relevant field), so the list is typed
_CONTAINER_PORT: Final = Obj({"containerPort": I32, "hostPort": I32, "name": STR, "protocol": STR, "hostIP": STR}, closed=False)
#: v1.Probe: the timing fields are typed (the ``probes`` clock reads them), the handler is not read
_PROBE: Final = Obj({"initialDelaySeconds": I32, "timeoutSeconds": I32, "periodSeconds": I32, "successThreshold": I32,
                     "failureThreshold": I32}, closed=False)
_CONTAINER: Final = Obj({"name": STR, "image": STR, "readinessProbe": _PROBE, "restartPolicy": STR,
                         "ports": ListOf(_CONTAINER_PORT)}, closed=False)
_VOLUME: Final = Obj(
    {"name": STR, "persistentVolumeClaim": Obj({"claimName": STR, "readOnly": BOOL})}, closed=False
)
_NODE_SELECTOR_REQUIREMENT: Final = Obj({"key": STR, "operator": STR, "values": ListOf(STR)})
_NODE_SELECTOR: Final = Obj(
    {"nodeSelectorTerms": ListOf(Obj({"matchExpressions": ListOf(_NODE_SELECTOR_REQUIREMENT),
                                      "matchFields": ListOf(_NODE_SELECTOR_REQUIREMENT)}))}
)
#: v1.PodAffinityTerm, complete (so closed)
_POD_AFFINITY_TERM: Final = Obj(
    {"labelSelector": _LABEL_SELECTOR, "namespaces": ListOf(STR), "topologyKey": STR,
     "namespaceSelector": _LABEL_SELECTOR, "matchLabelKeys": ListOf(STR), "mismatchLabelKeys": ListOf(STR)}
)
#: v1.PodAffinity and v1.PodAntiAffinity (the same two lists)
_POD_AFFINITY: Final = Obj(
    {"requiredDuringSchedulingIgnoredDuringExecution": ListOf(_POD_AFFINITY_TERM),
     "preferredDuringSchedulingIgnoredDuringExecution": ListOf(Obj({"weight": I32, "podAffinityTerm": _POD_AFFINITY_TERM}))}
)
#: v1.Affinity, complete (so closed); the required node affinity and the required pod (anti-)affinity
#: terms are read (docs/semantics.md#runtime).
_AFFINITY: Final = Obj(
    {
        "nodeAffinity": Obj({"requiredDuringSchedulingIgnoredDuringExecution": _NODE_SELECTOR,
                             "preferredDuringSchedulingIgnoredDuringExecution": ANY}),
        "podAffinity": _POD_AFFINITY,
        "podAntiAffinity": _POD_AFFINITY,
    }
)
#: v1.TopologySpreadConstraint, complete (so closed)
_TOPOLOGY_SPREAD_CONSTRAINT: Final = Obj(
    {"maxSkew": I32, "topologyKey": STR, "whenUnsatisfiable": STR, "labelSelector": _LABEL_SELECTOR, "minDomains": I32,
     "nodeAffinityPolicy": STR, "nodeTaintsPolicy": STR, "matchLabelKeys": ListOf(STR)}
)
_TOLERATION: Final = Obj({"key": STR, "operator": STR, "value": STR, "effect": STR, "tolerationSeconds": I64})
_TAINT: Final = Obj({"key": STR, "value": STR, "effect": STR, "timeAdded": ANY})
_POD_SPEC: Final = Obj(
    {
        "nodeSelector": LABEL_MAP,
        "affinity": _AFFINITY,
        "tolerations": ListOf(_TOLERATION),
        "topologySpreadConstraints": ListOf(_TOPOLOGY_SPREAD_CONSTRAINT),
        "containers": ListOf(_CONTAINER),
        "initContainers": ListOf(_CONTAINER),
        "volumes": ListOf(_VOLUME),
        "restartPolicy": STR,
        "nodeName": STR,
        "hostname": STR,
        "subdomain": STR,
        "terminationGracePeriodSeconds": I64,
        "activeDeadlineSeconds": I64,
    },
    closed=False,
)
_POD_TEMPLATE: Final = Obj({"metadata": _OBJECT_META, "spec": _POD_SPEC})
_PVC_SPEC: Final = Obj(
    {
        "accessModes": ListOf(STR),
        "resources": Obj({"requests": MapOf(QTY), "limits": MapOf(QTY)}, closed=False),
        "storageClassName": STR,
        "volumeMode": STR,
        "volumeName": STR,
        "selector": _LABEL_SELECTOR,
    },
    closed=False,
)


_HPA_TARGET: Final = Obj({"type": STR, "averageUtilization": I32, "averageValue": QTY, "value": QTY})
_HPA_RULES: Final = Obj(
    {
        "stabilizationWindowSeconds": I32,
        "selectPolicy": STR,
        "policies": ListOf(Obj({"type": STR, "value": I32, "periodSeconds": I32})),
        "tolerance": QTY,
    }
)


def _top(spec: Schema, status: Schema = ANY) -> Obj:
    return Obj({"apiVersion": STR, "kind": STR, "metadata": _OBJECT_META, "spec": spec, "status": status})


#: kind -> schema of the whole object (apiVersion, kind, metadata, spec, status).
SCHEMAS: Final[Mapping[str, Obj]] = {
    "Deployment": _top(
        Obj(
            {
                "replicas": I32,
                "selector": _LABEL_SELECTOR,
                "template": _POD_TEMPLATE,
                "strategy": Obj({"type": STR, "rollingUpdate": Obj({"maxUnavailable": INTSTR, "maxSurge": INTSTR})}),
                "minReadySeconds": I32,
                "revisionHistoryLimit": I32,
                "paused": BOOL,
                "progressDeadlineSeconds": I32,
            }
        )
    ),
    "ReplicaSet": _top(Obj({"replicas": I32, "minReadySeconds": I32, "selector": _LABEL_SELECTOR, "template": _POD_TEMPLATE})),
    "ReplicationController": _top(
        Obj({"replicas": I32, "minReadySeconds": I32, "selector": LABEL_MAP, "template": _POD_TEMPLATE})
    ),
    "StatefulSet": _top(
        Obj(
            {
                "replicas": I32,
                "selector": _LABEL_SELECTOR,
                "template": _POD_TEMPLATE,
                "volumeClaimTemplates": ListOf(
                    Obj({"apiVersion": STR, "kind": STR, "metadata": _OBJECT_META, "spec": _PVC_SPEC, "status": ANY})
                ),
                "serviceName": STR,
                "podManagementPolicy": STR,
                "updateStrategy": Obj({"type": STR, "rollingUpdate": Obj({"partition": I32, "maxUnavailable": INTSTR})}),
                "revisionHistoryLimit": I32,
                "minReadySeconds": I32,
                "persistentVolumeClaimRetentionPolicy": Obj({"whenDeleted": STR, "whenScaled": STR}),
                "ordinals": Obj({"start": I32}),
            }
        )
    ),
    "DaemonSet": _top(
        Obj(
            {
                "selector": _LABEL_SELECTOR,
                "template": _POD_TEMPLATE,
                "updateStrategy": Obj({"type": STR, "rollingUpdate": Obj({"maxUnavailable": INTSTR, "maxSurge": INTSTR})}),
                "minReadySeconds": I32,
                "templateGeneration": I64,
                "revisionHistoryLimit": I32,
            }
        )
    ),
    "Pod": _top(_POD_SPEC),
    "Service": _top(
        Obj(
            {
                "selector": LABEL_MAP,
                "clusterIP": STR,
                "type": STR,
                "publishNotReadyAddresses": BOOL,
                "ports": ListOf(Obj({"port": I32, "name": STR, "targetPort": INTSTR, "nodePort": I32}, closed=False)),
            },
            closed=False,
        )
    ),
    "PersistentVolumeClaim": _top(_PVC_SPEC),
    "PodDisruptionBudget": _top(
        Obj(
            {
                "minAvailable": INTSTR,
                "maxUnavailable": INTSTR,
                "selector": _LABEL_SELECTOR,
                "unhealthyPodEvictionPolicy": STR,
            }
        )
    ),
    "HorizontalPodAutoscaler": _top(
        Obj(
            {
                "scaleTargetRef": Obj({"apiVersion": STR, "kind": STR, "name": STR}),
                "minReplicas": I32,
                "maxReplicas": I32,
                "metrics": ListOf(
                    Obj(
                        {
                            "type": STR,
                            "resource": Obj({"name": STR, "target": _HPA_TARGET}),
                            "containerResource": ANY,
                            "pods": ANY,
                            "object": ANY,
                            "external": ANY,
                        }
                    )
                ),
                "behavior": Obj({"scaleUp": _HPA_RULES, "scaleDown": _HPA_RULES}),
            }
        )
    ),
    "Node": _top(
        Obj({"unschedulable": BOOL, "taints": ListOf(_TAINT)}, closed=False),
        Obj(
            {
                "conditions": ListOf(Obj({"type": STR, "status": STR}, closed=False)),
                "capacity": MapOf(QTY),
                "allocatable": MapOf(QTY),
            },
            closed=False,
        ),
    ),
}


#: autoscaling/v1 HorizontalPodAutoscaler (k8s.io/api/autoscaling/v1 types.go), complete: a v1 manifest is
#: decoded against it before ``model.conversion`` converts it to autoscaling/v2, so a type error or an
#: unknown field (``metrics`` written into a v1 HPA) names the field as written.
HPA_V1_SCHEMA: Final = _top(
    Obj(
        {
            "scaleTargetRef": Obj({"apiVersion": STR, "kind": STR, "name": STR}),
            "minReplicas": I32,
            "maxReplicas": I32,
            "targetCPUUtilizationPercentage": I32,
        }
    )
)


_INT32_RANGE: Final = (-(2**31), 2**31 - 1)
_INT64_RANGE: Final = (-(2**63), 2**63 - 1)
#: resource.Quantity's accepted syntax (staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go).
_QUANTITY_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?")


def json_type(value: Any) -> str:
    """The JSON type name of a decoded YAML value, as used in type-error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _type_error(path: str, expected: str, value: Any) -> FieldError:
    got = json_type(value)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        got += f" {show(value)}"
    return FieldError(path, f"expected {expected}, got {got}")


def _as_int(value: Any) -> int | None:
    """An integer, accepting integral floats (``3.0``) as the YAML->JSON->Go path does."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _decode_scalar(value: Any, kind: str, path: str, errs: list[FieldError]) -> Any:
    if kind == "any":
        return value
    if kind == "string":
        if isinstance(value, str):
            return value
        errs.append(_type_error(path, "string", value))
        return None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        errs.append(_type_error(path, "boolean", value))
        return None
    if kind in ("int32", "int64"):
        n = _as_int(value)
        if n is None:
            errs.append(_type_error(path, "integer", value))
            return None
        lo, hi = _INT32_RANGE if kind == "int32" else _INT64_RANGE
        if not lo <= n <= hi:
            bits = 32 if kind == "int32" else 64
            errs.append(FieldError(path, f"invalid value {n}: out of range for a {bits}-bit integer"))
            return None
        return n
    if kind == "intstr":
        if isinstance(value, str):
            return value
        n = _as_int(value)
        if n is None:
            errs.append(_type_error(path, "integer or string", value))
            return None
        if not _INT32_RANGE[0] <= n <= _INT32_RANGE[1]:
            errs.append(FieldError(path, f"invalid value {n}: out of range for a 32-bit integer"))
            return None
        return n
    if kind == "quantity":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(_as_int(value)) if _as_int(value) is not None else repr(value)
        elif isinstance(value, str):
            text = value
        else:
            errs.append(_type_error(path, "quantity (string or number)", value))
            return None
        if not _QUANTITY_RE.fullmatch(text):
            errs.append(invalid(path, text, "quantities must match the regular expression "
                                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
            return None
        return text
    raise AssertionError(f"unknown scalar kind {kind}")  # pragma: no cover - schema bug


def decode(value: Any, schema: Schema, path: str, errs: list[FieldError]) -> Any:
    """Type-check ``value`` against ``schema``; return the normalised value, collecting errors.

    ``null`` means "absent" (as for Go pointer fields and zero values), so keys with a null value
    are dropped. Integral floats become ints; quantities become strings. Fields a schema does not
    list are kept unchanged in open objects and reported as ``unknown field`` in closed ones.
    """
    if isinstance(schema, Scalar):
        return _decode_scalar(value, schema.kind, path, errs)
    if isinstance(schema, ListOf):
        if not isinstance(value, list):
            errs.append(_type_error(path, "list", value))
            return None
        out_list = []
        for i, item in enumerate(value):
            p = index(path, i)
            if item is None:
                errs.append(_type_error(p, _expected_name(schema.item), item))
                continue
            out_list.append(decode(item, schema.item, p, errs))
        return out_list
    if not isinstance(value, dict):
        errs.append(_type_error(path, "object" if isinstance(schema, Obj) else "map", value))
        return None
    out: dict[str, Any] = {}
    for key, item in value.items():
        p = child(path, key)
        if item is None:
            continue
        if isinstance(schema, MapOf):
            out[key] = decode(item, schema.value, p, errs)
            continue
        sub = schema.fields.get(key)
        if sub is None:
            if schema.closed:
                errs.append(FieldError(p, "unknown field"))
            else:
                out[key] = item
            continue
        out[key] = decode(item, sub, p, errs)
    return out


def _expected_name(schema: Schema) -> str:
    if isinstance(schema, Scalar):
        return {"int32": "integer", "int64": "integer", "bool": "boolean", "intstr": "integer or string"}.get(
            schema.kind, schema.kind
        )
    return "list" if isinstance(schema, ListOf) else "object"


# ========================================================================= name primitives

_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE: Final = re.compile(_DNS1123_LABEL_FMT)
_DNS1035_LABEL_FMT: Final = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_RE: Final = re.compile(_DNS1035_LABEL_FMT)
_PERCENT_FMT: Final = "[0-9]+%"
_PERCENT_RE: Final = re.compile(_PERCENT_FMT)
_ATOI_RE: Final = re.compile(r"[+-]?[0-9]+")


def is_dns1123_label(value: str) -> list[str]:
    """Mirrors apimachinery pkg/util/validation/validation.go IsDNS1123Label."""
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _DNS1123_LABEL_RE.fullmatch(value):
        errs.append(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
            "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
            f"'{_DNS1123_LABEL_FMT}')"
        )
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """Mirrors apimachinery pkg/util/validation/validation.go IsDNS1035Label."""
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
            f"validation is '{_DNS1035_LABEL_FMT}')"
        )
    return errs


_PERCENT_ERR_MSG: Final = "a valid percent string must be a numeric string followed by an ending '%'"


def is_valid_percent(value: str) -> list[str]:
    """Mirrors apimachinery pkg/util/validation/validation.go IsValidPercent (``[0-9]+%``).

    The message is upstream's, verbatim: ``a valid percent string must be a numeric string
    followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')``.
    """
    if _PERCENT_RE.fullmatch(value):
        return []
    return [_regex_error(_PERCENT_ERR_MSG, _PERCENT_FMT, "1%", "93%")]


def name_is_dns_subdomain(name: str) -> list[str]:
    """Mirrors apimachinery pkg/api/validation/generic.go NameIsDNSSubdomain (prefix=false)."""
    return is_dns1123_subdomain(name)


def name_is_dns_label(name: str) -> list[str]:
    """Mirrors apimachinery pkg/api/validation/generic.go NameIsDNSLabel (prefix=false)."""
    return is_dns1123_label(name)


def name_is_dns1035_label(name: str) -> list[str]:
    """Mirrors apimachinery pkg/api/validation/generic.go NameIsDNS1035Label (prefix=false)."""
    return is_dns1035_label(name)


# ============================================================================ generic rules


def validate_nonnegative_field(value: int, path: str) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateNonnegativeField."""
    return [invalid(path, value, "must be greater than or equal to 0")] if value < 0 else []


def validate_labels(labels: Mapping[str, str], path: str) -> list[FieldError]:
    """Mirrors apimachinery pkg/apis/meta/v1/validation ValidateLabels (errors point at the key)."""
    errs: list[FieldError] = []
    for key in sorted(labels):
        at = child(path, key)
        errs.extend(invalid(path, key, m, at=at) for m in is_qualified_name(key))
        errs.extend(invalid(path, labels[key], m, at=at) for m in is_valid_label_value(labels[key]))
    return errs


_TOTAL_ANNOTATION_SIZE_LIMIT_B: Final = 256 * 1024


def validate_annotations(annotations: Mapping[str, str], path: str) -> list[FieldError]:
    """Mirrors apimachinery pkg/api/validation/objectmeta.go ValidateAnnotations."""
    errs: list[FieldError] = []
    total = 0
    for key in sorted(annotations):
        errs.extend(invalid(path, key, m, at=child(path, key)) for m in is_qualified_name(key.lower()))
        total += len(key.encode()) + len(annotations[key].encode())
    if total > _TOTAL_ANNOTATION_SIZE_LIMIT_B:
        errs.append(FieldError(path, f"too long: must have at most {_TOTAL_ANNOTATION_SIZE_LIMIT_B} bytes"))
    return errs


NameFn = Callable[[str], list[str]]


def validate_object_meta(meta: Mapping[str, Any], requires_namespace: bool, name_fn: NameFn) -> list[FieldError]:
    """Mirrors apimachinery pkg/api/validation/objectmeta.go ValidateObjectMeta (path ``metadata``).

    A namespaced kind needs a namespace (``metadata.namespace: required value``), a cluster-scoped
    one must have none. Manifests never reach this with either: like the API server's create
    handler (``EnsureObjectNamespaceMatchesRequestNamespace``), the loader first sets a namespaced
    object's empty namespace to the request's (kubectl's default namespace) and clears a
    cluster-scoped object's (``model.manifests.ensure_object_namespace_matches_request_namespace``).
    ``generateName`` alone is rejected: kubecheck needs a fixed name to key the object (a
    documented deviation; the API server would accept it and invent a suffix).
    """
    errs: list[FieldError] = []
    name = meta.get("name", "")
    if not name:
        if meta.get("generateName"):
            errs.append(required("metadata.name", "generateName is not supported by kubecheck: give the object a name"))
        else:
            errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs.extend(invalid("metadata.name", name, m) for m in name_fn(name))
    namespace = meta.get("namespace", "")
    if requires_namespace:
        if not namespace:
            errs.append(required("metadata.namespace"))
        else:  # ValidateNamespaceName = NameIsDNSLabel
            errs.extend(invalid("metadata.namespace", namespace, m) for m in is_dns1123_label(namespace))
    elif namespace:
        errs.append(forbidden("metadata.namespace", "not allowed on this type"))
    errs.extend(validate_labels(meta.get("labels", {}), "metadata.labels"))
    errs.extend(validate_annotations(meta.get("annotations", {}), "metadata.annotations"))
    controllers = 0
    for i, ref in enumerate(meta.get("ownerReferences", [])):
        p = index("metadata.ownerReferences", i)
        for key in ("apiVersion", "kind", "name", "uid"):
            if not ref.get(key):
                errs.append(required(child(p, key)))
        controllers += bool(ref.get("controller"))
    if controllers > 1:
        errs.append(invalid("metadata.ownerReferences", controllers, "Only one reference can have Controller set to true"))
    for i, fin in enumerate(meta.get("finalizers", [])):
        errs.extend(invalid(index("metadata.finalizers", i), fin, m) for m in is_qualified_name(fin))
    return errs


# ================================================================================= selectors

_SELECTOR_OPERATORS: Final = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors apimachinery pkg/apis/meta/v1/validation ValidateLabelSelector (strict values)."""
    errs = validate_labels(selector.get("matchLabels", {}), child(path, "matchLabels"))
    for i, expr in enumerate(selector.get("matchExpressions", [])):
        p = index(child(path, "matchExpressions"), i)
        op, values = expr.get("operator", ""), expr.get("values", [])
        if op in ("In", "NotIn"):
            if not values:
                errs.append(required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(forbidden(child(p, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(child(p, "operator"), op, "not a valid selector operator"))
        key = expr.get("key", "")
        errs.extend(invalid(child(p, "key"), key, m) for m in is_qualified_name(key))
        for j, v in enumerate(values):
            errs.extend(invalid(index(child(p, "values"), j), v, m) for m in is_valid_label_value(v))
    return errs


def label_selector_from_data(selector: Mapping[str, Any]) -> LabelSelector:
    """The ``model.labels.LabelSelector`` for a decoded ``metav1.LabelSelector``."""
    return LabelSelector(
        FrozenMap(selector.get("matchLabels", {})),
        tuple(
            LabelSelectorRequirement(e.get("key", ""), e.get("operator", ""), tuple(e.get("values", ())))
            for e in selector.get("matchExpressions", ())
        ),
    )


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool | None:
    """metav1.LabelSelectorAsSelector(selector).Matches(labels); ``None`` if it does not convert."""
    try:
        return label_selector_as_selector(label_selector_from_data(selector)).matches(FrozenMap(labels))
    except SelectorError:
        return None


def _selector_is_empty(selector: Mapping[str, Any]) -> bool:
    return len(selector.get("matchLabels", {})) + len(selector.get("matchExpressions", [])) == 0


# ================================================================================== pod spec

_RESTART_POLICIES: Final = ("Always", "OnFailure", "Never")


def validate_pod_spec(spec: Mapping[str, Any], path: str, *, is_pod: bool) -> list[FieldError]:
    """The part of pkg/apis/core/validation ValidatePodSpec the model depends on.

    Checked: containers present, container names DNS-1123 labels and unique (also across init
    containers), images present for pods (validateContainersOnlyForPod), a container
    ``restartPolicy`` only on init containers and only ``Always`` (sidecars), restartPolicy one of
    Always/OnFailure/Never, hostname/subdomain DNS-1123 labels, volume names DNS-1123 labels and
    unique, PVC volume sources naming a claim. Everything else is out of the model (see
    docs/semantics.md#manifests).
    """
    errs = validate_containers(spec, path, is_pod=is_pod)
    policy = spec.get("restartPolicy", "")
    if policy not in _RESTART_POLICIES:
        if policy:
            errs.append(not_supported(child(path, "restartPolicy"), policy, _RESTART_POLICIES))
        else:
            errs.append(required(child(path, "restartPolicy")))
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs.extend(invalid(child(path, key), spec[key], m) for m in is_dns1123_label(spec[key]))
    errs.extend(validate_volumes(spec.get("volumes", []), path))
    errs.extend(validate_placement(spec, path))
    return errs


def validate_containers(spec: Mapping[str, Any], path: str, *, is_pod: bool) -> list[FieldError]:
    """The container part of ValidatePodSpec: containers required, names DNS-1123 labels and unique
    across init and app containers, and (validateContainersOnlyForPod) an image for each Pod's."""
    errs: list[FieldError] = []
    containers = spec.get("containers", [])
    if not containers:
        errs.append(required(child(path, "containers")))
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group, [])):
            p = index(child(path, group), i)
            name = c.get("name", "")
            if not name:
                errs.append(required(child(p, "name")))
            else:
                errs.extend(invalid(child(p, "name"), name, m) for m in is_dns1123_label(name))
                if name in seen:
                    errs.append(duplicate(child(p, "name"), name))
                seen.add(name)
            if is_pod and not c.get("image"):
                errs.append(required(child(p, "image")))
            probe = c.get("readinessProbe")
            if isinstance(probe, Mapping):  # ValidateProbe: validateNonnegativeField on each timing field
                for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
                    if isinstance(probe.get(key), int):
                        errs.extend(validate_nonnegative_field(probe[key], child(child(p, "readinessProbe"), key)))
            # validateHostNetwork reads spec.containers only; the port ranges hold for init containers too
            errs.extend(validate_container_ports(c.get("ports") or [], child(p, "ports"),
                                                 spec.get("hostNetwork") is True and group == "containers"))
            if "restartPolicy" in c:  # validateInitContainerRestartPolicy / validateContainerRestartPolicy
                if group == "initContainers":
                    if c["restartPolicy"] != "Always":
                        errs.append(not_supported(child(p, "restartPolicy"), c["restartPolicy"], ("Always",)))
                else:
                    errs.append(forbidden(child(p, "restartPolicy"), "may not be set for non-init containers"))
    return errs


def validate_container_ports(ports: Any, path: str, host_network: bool) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go validateContainerPorts (the numbers: containerPort required and
    in 1..65535, a non-zero hostPort in 1..65535) and validateHostNetwork: with ``hostNetwork`` a hostPort must match
    its containerPort, or be 0 (upstream checks a Pod after SetDefaults_Pod has given it the containerPort, and allows
    0 in a template, whose pods get it the same way); the manifests are validated before that defaulting."""
    errs: list[FieldError] = []
    for i, port in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(port, Mapping):
            continue
        p = index(path, i)
        number, host = port.get("containerPort"), port.get("hostPort") or 0
        if not number:
            errs.append(required(child(p, "containerPort")))
        elif isinstance(number, int) and not 1 <= number <= 65535:
            errs.append(invalid(child(p, "containerPort"), number, "must be between 1 and 65535, inclusive"))
        if isinstance(host, int) and host and not 1 <= host <= 65535:
            errs.append(invalid(child(p, "hostPort"), host, "must be between 1 and 65535, inclusive"))
        elif host_network and isinstance(host, int) and host != 0 and host != number:
            errs.append(invalid(child(p, "hostPort"), host, "must match `containerPort` when `hostNetwork` is true"))
    return errs


def validate_volumes(volumes: Any, path: str, replaced: frozenset[str] = frozenset()) -> list[FieldError]:
    """The part of pkg/apis/core/validation ValidateVolumes the model reads: names DNS-1123 labels and
    unique, a persistentVolumeClaim source names its claim.  Volumes named in ``replaced`` are skipped
    (a StatefulSet's claim templates replace the template's volumes of the same name: updateStorage)."""
    errs: list[FieldError] = []
    volume_names: set[str] = set()
    for i, v in enumerate(volumes):
        p = index(child(path, "volumes"), i)
        name = v.get("name", "")
        if name and name in replaced:
            continue
        if not name:
            errs.append(required(child(p, "name")))
        else:
            errs.extend(invalid(child(p, "name"), name, m) for m in is_dns1123_label(name))
            if name in volume_names:
                errs.append(duplicate(child(p, "name"), name))
            volume_names.add(name)
        pvc = v.get("persistentVolumeClaim")
        if pvc is not None and not pvc.get("claimName"):
            errs.append(required(child(child(p, "persistentVolumeClaim"), "claimName")))
    return errs


_NODE_SELECTOR_OPERATORS: Final = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_TAINT_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_TOLERATION_OPERATORS: Final = ("Equal", "Exists")


def validate_node_selector_requirement(rq: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateNodeSelectorRequirement (values must
    be label values: allowInvalidLabelValueInRequiredNodeAffinity is false on create)."""
    errs: list[FieldError] = []
    op, values = rq.get("operator", ""), rq.get("values", [])
    vpath = child(path, "values")
    if op in ("In", "NotIn"):
        if not values:
            errs.append(required(vpath, "must be specified when `operator` is 'In' or 'NotIn'"))
    elif op in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(vpath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            errs.append(required(vpath, "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        errs.append(invalid(child(path, "operator"), op, "not a valid selector operator"))
    key = rq.get("key", "")
    errs.extend(invalid(child(path, "key"), key, m) for m in is_qualified_name(key))
    for i, v in enumerate(values):
        errs.extend(invalid(index(vpath, i), v, m) for m in is_valid_label_value(v))
    return errs


def validate_node_field_selector_requirement(rq: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors validation.go ValidateNodeFieldSelectorRequirement (key metadata.name, In/NotIn, one value)."""
    errs: list[FieldError] = []
    op, values = rq.get("operator", ""), rq.get("values", [])
    if op in ("In", "NotIn"):
        if len(values) != 1:
            errs.append(required(child(path, "values"),
                                 "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
    else:
        errs.append(invalid(child(path, "operator"), op, "not a valid selector operator"))
    key = rq.get("key", "")
    if key != "metadata.name":
        errs.append(invalid(child(path, "key"), key, "not a valid field selector key"))
    else:
        for i, v in enumerate(values):
            errs.extend(invalid(index(child(path, "values"), i), v, m) for m in is_dns1123_subdomain(v))
    return errs


def validate_node_selector(selector: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors validation.go ValidateNodeSelector and ValidateNodeSelectorTerm."""
    terms = selector.get("nodeSelectorTerms", [])
    tpath = child(path, "nodeSelectorTerms")
    if not terms:
        return [required(tpath, "must have at least one node selector term")]
    errs: list[FieldError] = []
    for i, term in enumerate(terms):
        p = index(tpath, i)
        for j, rq in enumerate(term.get("matchExpressions", [])):
            errs.extend(validate_node_selector_requirement(rq, index(child(p, "matchExpressions"), j)))
        for j, rq in enumerate(term.get("matchFields", [])):
            errs.extend(validate_node_field_selector_requirement(rq, index(child(p, "matchFields"), j)))
    return errs


def validate_taint_effect(effect: str, allow_empty: bool, path: str) -> list[FieldError]:
    """Mirrors validation.go validateTaintEffect."""
    if not effect:
        return [] if allow_empty else [required(path)]
    if effect not in _TAINT_EFFECTS:
        return [not_supported(path, effect, _TAINT_EFFECTS)]
    return []


def validate_tolerations(tolerations: list[Mapping[str, Any]], path: str) -> list[FieldError]:
    """Mirrors validation.go ValidateTolerations (the Lt/Gt operators of the alpha
    TaintTolerationComparisonOperators gate are not supported, as with the gate off)."""
    errs: list[FieldError] = []
    for i, t in enumerate(tolerations):
        p = index(path, i)
        key, op, value, effect = t.get("key", ""), t.get("operator", ""), t.get("value", ""), t.get("effect", "")
        if key:
            errs.extend(invalid(child(p, "key"), key, m) for m in is_qualified_name(key))
        if not key and op != "Exists":
            errs.append(invalid(child(p, "operator"), op,
                                'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
        if "tolerationSeconds" in t and effect != "NoExecute":
            errs.append(invalid(child(p, "effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            errs.extend(invalid(child(p, "operator"), value, m) for m in is_valid_label_value(value))
        elif op == "Exists":
            if value:
                errs.append(invalid(child(p, "operator"), value, "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(child(p, "operator"), op, _TOLERATION_OPERATORS))
        errs.extend(validate_taint_effect(effect, True, child(p, "effect")))
    return errs


def validate_node_taints(taints: list[Mapping[str, Any]], path: str) -> list[FieldError]:
    """Mirrors validation.go validateNodeTaints: key a qualified name, value a label value, effect
    required and supported, unique by (key, effect)."""
    errs: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(taints):
        p = index(path, i)
        key, value, effect = t.get("key", ""), t.get("value", ""), t.get("effect", "")
        errs.extend(invalid(child(p, "key"), key, m) for m in is_qualified_name(key))
        errs.extend(invalid(child(p, "value"), value, m) for m in is_valid_label_value(value))
        errs.extend(validate_taint_effect(effect, False, child(p, "effect")))
        if (key, effect) in seen:
            errs.append(FieldError(p, f"duplicate value {show(key + '=' + value + ':' + effect)}: taints must be unique by key and effect pair"))
        seen.add((key, effect))
    return errs


def validate_placement(spec: Mapping[str, Any], path: str) -> list[FieldError]:
    """The placement part of ValidatePodSpec: nodeSelector labels (ValidateLabels), the required
    node affinity (validateNodeAffinity -> ValidateNodeSelector) and tolerations."""
    errs = validate_labels(spec.get("nodeSelector", {}), child(path, "nodeSelector"))
    required_affinity = spec.get("affinity", {}).get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution")
    if required_affinity is not None:
        errs.extend(validate_node_selector(required_affinity, child(child(child(path, "affinity"), "nodeAffinity"),
                                                                   "requiredDuringSchedulingIgnoredDuringExecution")))
    errs.extend(validate_tolerations(spec.get("tolerations", []), child(path, "tolerations")))
    for group in ("podAffinity", "podAntiAffinity"):
        errs.extend(validate_pod_affinity(spec.get("affinity", {}).get(group, {}), child(child(path, "affinity"), group)))
    errs.extend(validate_topology_spread_constraints(spec.get("topologySpreadConstraints", []),
                                                     child(path, "topologySpreadConstraints")))
    return errs


def validate_topology_spread_constraints(constraints: list[Mapping[str, Any]], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go validateTopologySpreadConstraints, per entry: ValidateMaxSkew,
    ValidateTopologyKey (set; its form is not checked), ValidateWhenUnsatisfiable, ValidateSpreadConstraintNotRepeat
    (reported on the earlier entry), validateMinDomains, validateNodeInclusionPolicy (both policies),
    validateMatchLabelKeysInTopologySpread and the label selector (ValidateLabelSelector)."""
    errs: list[FieldError] = []
    for i, c in enumerate(constraints):
        p = index(path, i)
        skew = c.get("maxSkew", 0)
        if skew <= 0:
            errs.append(invalid(child(p, "maxSkew"), skew, "must be greater than zero"))
        key = c.get("topologyKey", "")
        if not key:
            errs.append(required(child(p, "topologyKey"), "can not be empty"))
        action = c.get("whenUnsatisfiable", "")
        if action not in ("DoNotSchedule", "ScheduleAnyway"):
            errs.append(not_supported(child(p, "whenUnsatisfiable"), action, ("DoNotSchedule", "ScheduleAnyway")))
        if any(o.get("topologyKey", "") == key and o.get("whenUnsatisfiable", "") == action for o in constraints[i + 1:]):
            errs.append(duplicate(f"{p}.{{topologyKey, whenUnsatisfiable}}", f"{{{key}, {action}}}"))
        min_domains = c.get("minDomains")
        if min_domains is not None:
            if min_domains <= 0:
                errs.append(invalid(child(p, "minDomains"), min_domains, "must be greater than zero"))
            if action != "DoNotSchedule":
                errs.append(invalid(child(p, "minDomains"), min_domains,
                                    f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"))
        for policy in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            value = c.get(policy)
            if value is not None and value not in ("Honor", "Ignore"):
                errs.append(not_supported(child(p, policy), value, ("Honor", "Ignore")))
        keys, selector = c.get("matchLabelKeys", []), c.get("labelSelector")
        if keys and selector is None:
            errs.append(forbidden(child(p, "matchLabelKeys"), "must not be specified when labelSelector is not set"))
        elif keys and selector is not None:
            named = set(selector.get("matchLabels", {})) | {e.get("key", "") for e in selector.get("matchExpressions", [])}
            for j, k in enumerate(keys):
                errs.extend(invalid(index(child(p, "matchLabelKeys"), j), k, m) for m in is_qualified_name(k))
                if k in named:
                    errs.append(invalid(index(child(p, "matchLabelKeys"), j), k, "exists in both matchLabelKeys and labelSelector"))
        errs.extend(validate_label_selector(selector or {}, child(p, "labelSelector")))
    return errs


def validate_pod_affinity_term(term: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors validation.go validatePodAffinityTerm: the label and namespace selectors
    (ValidateLabelSelector), each namespace name (ValidateNamespaceName, reported at ``namespace`` as
    upstream does), and a topologyKey that is set and a valid label name (ValidateLabelName)."""
    errs = validate_label_selector(term.get("labelSelector") or {}, child(path, "labelSelector"))
    errs.extend(validate_label_selector(term.get("namespaceSelector") or {}, child(path, "namespaceSelector")))
    for name in term.get("namespaces", []):
        errs.extend(invalid(child(path, "namespace"), name, m) for m in is_dns1123_label(name))
    errs.extend(validate_match_label_keys_and_mismatch_label_keys(
        path, term.get("matchLabelKeys", []), term.get("mismatchLabelKeys", []), term.get("labelSelector")))
    key = term.get("topologyKey", "")
    if not key:
        errs.append(required(child(path, "topologyKey"), "can not be empty"))
    errs.extend(invalid(child(path, "topologyKey"), key, m) for m in is_qualified_name(key))
    return errs


def validate_match_label_keys_and_mismatch_label_keys(path: str, match: list[str], mismatch: list[str],
                                                       selector: Mapping[str, Any] | None) -> list[FieldError]:
    """Mirrors validation.go validateMatchLabelKeysAndMismatchLabelKeys and validateLabelKeys: either list is
    forbidden without a labelSelector, each key is a valid label name, and no key is in both lists.  Upstream's
    check of a matchLabelKeys key that the selector also names runs on the selector the API server merged
    them into (a Pod's, at creation), which the model does not build (the lists are ignored fields)."""
    errs: list[FieldError] = []
    for name, keys in (("matchLabelKeys", match), ("mismatchLabelKeys", mismatch)):
        if not keys:
            continue
        if selector is None:
            errs.append(forbidden(child(path, name), "must not be specified when labelSelector is not set"))
            continue
        for i, k in enumerate(keys):
            errs.extend(invalid(index(child(path, name), i), k, m) for m in is_qualified_name(k))
    for i, k in enumerate(match):
        if k in mismatch:
            errs.append(invalid(index(child(path, "matchLabelKeys"), i), k, "exists in both matchLabelKeys and mismatchLabelKeys"))
    return errs


def validate_pod_affinity(affinity: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors validation.go validatePodAffinity / validatePodAntiAffinity: every required term
    (validatePodAffinityTerms) and every preferred one (validateWeightedPodAffinityTerms: weight in
    1..100, then the term)."""
    errs: list[FieldError] = []
    req = child(path, "requiredDuringSchedulingIgnoredDuringExecution")
    for i, term in enumerate(affinity.get("requiredDuringSchedulingIgnoredDuringExecution", [])):
        errs.extend(validate_pod_affinity_term(term, index(req, i)))
    pref = child(path, "preferredDuringSchedulingIgnoredDuringExecution")
    for i, weighted in enumerate(affinity.get("preferredDuringSchedulingIgnoredDuringExecution", [])):
        p = index(pref, i)
        weight = weighted.get("weight", 0)
        if weight <= 0 or weight > 100:
            errs.append(invalid(child(p, "weight"), weight, "must be in the range 1-100"))
        errs.extend(validate_pod_affinity_term(weighted.get("podAffinityTerm", {}), child(p, "podAffinityTerm")))
    return errs


def validate_pod_template_spec(template: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation ValidatePodTemplateSpec (labels, annotations, pod spec)."""
    meta = template.get("metadata", {})
    errs = validate_labels(meta.get("labels", {}), child(path, "labels"))
    errs.extend(validate_annotations(meta.get("annotations", {}), child(path, "annotations")))
    errs.extend(validate_pod_spec(template.get("spec", {}), child(path, "spec"), is_pod=False))
    return errs


def _template_labels(template: Mapping[str, Any]) -> dict[str, str]:
    return dict(template.get("metadata", {}).get("labels", {}))


def _workload_template_tail(template: Mapping[str, Any], path: str, kind: str) -> list[FieldError]:
    """restartPolicy must be Always; activeDeadlineSeconds is forbidden (shared by all workloads)."""
    errs: list[FieldError] = []
    spec = template.get("spec", {})
    policy = spec.get("restartPolicy", "")
    if policy != "Always":
        errs.append(not_supported(child(child(path, "spec"), "restartPolicy"), policy, ("Always",)))
    if "activeDeadlineSeconds" in spec:
        errs.append(forbidden(child(child(path, "spec"), "activeDeadlineSeconds"), f"activeDeadlineSeconds in {kind} is not Supported"))
    return errs


# ================================================================================ int-or-percent


def validate_positive_int_or_percent(value: int | str, path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        return [invalid(path, value, m) for m in is_valid_percent(value)]
    return validate_nonnegative_field(value, path)


def get_percent_value(value: int | str) -> tuple[int, bool]:
    """Mirrors pkg/apis/apps/validation/validation.go getPercentValue."""
    if not isinstance(value, str) or is_valid_percent(value):
        return 0, False
    return int(value[:-1]), True


def get_int_or_percent_value(value: int | str) -> int:
    """Mirrors pkg/apis/apps/validation/validation.go getIntOrPercentValue.

    A string that is not a valid percentage counts as ``strconv.Atoi`` of it (``"25"`` -> 25,
    ``"abc"`` -> 0), exactly like ``intstr.IntOrString.IntValue``.
    """
    pct, ok = get_percent_value(value)
    if ok:
        return pct
    if isinstance(value, str):
        return int(value) if _ATOI_RE.fullmatch(value) else 0
    return value


def is_not_more_than_100_percent(value: int | str, path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go IsNotMoreThan100Percent."""
    pct, ok = get_percent_value(value)
    if not ok or pct <= 100:
        return []
    return [invalid(path, value, "must not be greater than 100%")]


# ============================================================================== Deployment


def validate_rolling_update_deployment(rolling: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateRollingUpdateDeployment."""
    mu, ms = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errs = validate_positive_int_or_percent(mu, child(path, "maxUnavailable"))
    errs.extend(validate_positive_int_or_percent(ms, child(path, "maxSurge")))
    if get_int_or_percent_value(mu) == 0 and get_int_or_percent_value(ms) == 0:
        errs.append(invalid(child(path, "maxUnavailable"), mu, "may not be 0 when `maxSurge` is 0"))
    errs.extend(is_not_more_than_100_percent(mu, child(path, "maxUnavailable")))
    return errs


_DEPLOYMENT_STRATEGIES: Final = ("Recreate", "RollingUpdate")


def validate_deployment_strategy(strategy: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateDeploymentStrategy."""
    kind = strategy.get("type", "")
    if kind == "Recreate":
        if "rollingUpdate" in strategy:
            return [forbidden(child(path, "rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if kind == "RollingUpdate":
        if "rollingUpdate" not in strategy:
            return [required(child(path, "rollingUpdate"), "this should be defaulted and never be nil")]
        return validate_rolling_update_deployment(strategy["rollingUpdate"], child(path, "rollingUpdate"))
    return [not_supported(child(path, "type"), kind, _DEPLOYMENT_STRATEGIES)]


def _validate_workload_selector(spec: Mapping[str, Any], path: str, kind_word: str) -> tuple[list[FieldError], bool]:
    """Selector required, valid and non-empty; returns (errors, selector converts)."""
    sel_path = child(path, "selector")
    if "selector" not in spec:
        return [required(sel_path)], False
    selector = spec["selector"]
    errs = validate_label_selector(selector, sel_path)
    if _selector_is_empty(selector):
        errs.append(invalid(sel_path, selector, f"empty selector is invalid for {kind_word}"))
    return errs, not errs


def validate_pod_template_spec_for_replica_set(
    spec: Mapping[str, Any], path: str, selector_ok: bool, kind: str
) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidatePodTemplateSpecForReplicaSet.

    Used for ReplicaSets and Deployments (upstream's activeDeadlineSeconds message says
    "ReplicaSet" for both). A missing template is reported once as ``spec.template: required
    value`` (upstream would report the empty template's symptoms instead).
    """
    t_path = child(path, "template")
    if "template" not in spec:
        return [required(t_path)]
    template = spec["template"]
    errs: list[FieldError] = []
    selector = spec.get("selector", {})
    if selector_ok and not _selector_is_empty(selector) and not selector_matches(selector, _template_labels(template)):
        errs.append(_selector_mismatch(t_path, template))
    errs.extend(validate_pod_template_spec(template, t_path))
    errs.extend(_workload_template_tail(template, t_path, kind))
    return errs


def _selector_mismatch(t_path: str, template: Mapping[str, Any]) -> FieldError:
    labels_path = child(child(t_path, "metadata"), "labels")
    return invalid(labels_path, _template_labels(template), "`selector` does not match template `labels`")


def validate_rollback(rollback: Mapping[str, Any], path: str, *, at: str | None = None) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateRollback (``version`` ≥ 0).

    Upstream's path is ``<path>.version`` although the field is ``revision``.
    """
    p = child(path, "version")
    value = rollback.get("revision", 0)
    return [invalid(p, value, "must be greater than or equal to 0", at=at)] if value < 0 else []


_DEPRECATED_ROLLBACK_TO: Final = "deprecated.deployment.rollback.to"
_PARSE_INT_RE: Final = re.compile(r"[+-]?[0-9]+")


def parse_int64(value: str) -> tuple[int | None, str]:
    """Go's ``strconv.ParseInt(value, 10, 64)``: the value, or None and the error text."""
    if not _PARSE_INT_RE.fullmatch(value):
        return None, f"strconv.ParseInt: parsing {json.dumps(value, ensure_ascii=False)}: invalid syntax"
    n = int(value)
    if not _INT64_RANGE[0] <= n <= _INT64_RANGE[1]:
        return None, f"strconv.ParseInt: parsing {json.dumps(value, ensure_ascii=False)}: value out of range"
    return n, ""


def convert_v1_deployment_to_apps_deployment(obj: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The rollbackTo part of pkg/apis/apps/v1/conversion.go Convert_v1_Deployment_To_apps_Deployment.

    apps/v1 has no ``spec.rollbackTo``; a ``deprecated.deployment.rollback.to`` annotation is
    parsed (``strconv.ParseInt``) into the internal ``spec.rollbackTo.revision`` that
    :func:`validate_deployment_spec` checks (a negative revision is refused). An unparsable value
    is a conversion error, reported verbatim at the annotation. Returns the spec in internal
    form and the errors (the annotation itself stays on the object, as on the round trip).
    """
    spec = dict(obj.get("spec", {}))
    value = obj.get("metadata", {}).get("annotations", {}).get(_DEPRECATED_ROLLBACK_TO, "")
    if value == "":
        return spec, []
    n, err = parse_int64(value)
    if n is None:
        where = child("metadata.annotations", _DEPRECATED_ROLLBACK_TO)
        return spec, [FieldError(where, f"failed to parse annotation[{_DEPRECATED_ROLLBACK_TO}]={value} as int64: {err}")]
    spec["rollbackTo"] = {"revision": n}
    return spec, []


def validate_deployment_spec(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateDeploymentSpec.

    ``spec`` is in internal form: ``rollbackTo`` comes from the deprecated annotation
    (:func:`convert_v1_deployment_to_apps_deployment`); its error points at the annotation's line.
    """
    errs = validate_nonnegative_field(spec.get("replicas", 0), child(path, "replicas"))
    sel_errs, selector_ok = _validate_workload_selector(spec, path, "deployment")
    errs.extend(sel_errs)
    errs.extend(validate_pod_template_spec_for_replica_set(spec, path, selector_ok, "ReplicaSet"))
    errs.extend(validate_deployment_strategy(spec.get("strategy", {}), child(path, "strategy")))
    min_ready = spec.get("minReadySeconds", 0)
    errs.extend(validate_nonnegative_field(min_ready, child(path, "minReadySeconds")))
    if "revisionHistoryLimit" in spec:
        errs.extend(validate_nonnegative_field(spec["revisionHistoryLimit"], child(path, "revisionHistoryLimit")))
    if "rollbackTo" in spec:
        at = child("metadata.annotations", _DEPRECATED_ROLLBACK_TO)
        errs.extend(validate_rollback(spec["rollbackTo"], child(path, "rollback"), at=at))
    if "progressDeadlineSeconds" in spec:
        pds = spec["progressDeadlineSeconds"]
        errs.extend(validate_nonnegative_field(pds, child(path, "progressDeadlineSeconds")))
        if pds <= min_ready:
            errs.append(invalid(child(path, "progressDeadlineSeconds"), pds, "must be greater than minReadySeconds"))
    return errs


def validate_deployment(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateDeployment (name: DNS subdomain).

    First converts to the internal form (a conversion error stops there, as upstream).
    """
    spec, conversion_errs = convert_v1_deployment_to_apps_deployment(obj)
    if conversion_errs:
        return conversion_errs
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    return errs + validate_deployment_spec(spec)


# ============================================================================== ReplicaSet


def validate_replica_set_spec(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateReplicaSetSpec.

    (Upstream's empty-selector message says "deployment" here too; we say "replicaset".)
    """
    errs = validate_nonnegative_field(spec.get("replicas", 0), child(path, "replicas"))
    errs.extend(validate_nonnegative_field(spec.get("minReadySeconds", 0), child(path, "minReadySeconds")))
    sel_errs, selector_ok = _validate_workload_selector(spec, path, "replicaset")
    errs.extend(sel_errs)
    errs.extend(validate_pod_template_spec_for_replica_set(spec, path, selector_ok, "ReplicaSet"))
    return errs


def validate_replica_set(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateReplicaSet (name: DNS subdomain)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    return errs + validate_replica_set_spec(obj.get("spec", {}))


# ============================================================================= StatefulSet


def validate_rolling_update_stateful_set(rolling: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go validateRollingUpdateStatefulSet."""
    errs = validate_nonnegative_field(rolling.get("partition", 0), child(path, "partition"))
    if "maxUnavailable" in rolling:
        mu = rolling["maxUnavailable"]
        p = child(path, "maxUnavailable")
        errs.extend(validate_positive_int_or_percent(mu, p))
        if get_int_or_percent_value(mu) == 0:
            errs.append(invalid(p, mu, "cannot be 0"))
        errs.extend(is_not_more_than_100_percent(mu, p))
    return errs


_RETENTION: Final = ("Retain", "Delete")


def validate_persistent_volume_claim_retention_policy(policy: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidatePersistentVolumeClaimRetentionPolicy."""
    errs: list[FieldError] = []
    for key in ("whenDeleted", "whenScaled"):
        value = policy.get(key, "")
        if value not in _RETENTION:
            errs.append(not_supported(child(path, key), value, _RETENTION))
    return errs


def validate_ordinal_range(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """kubecheck's check (not upstream validation): the last ordinal, ``ordinals.start + replicas - 1``,
    must fit an int32.

    Upstream validation (pkg/apis/apps/validation/validation.go ValidateStatefulSetSpec) checks
    ``ordinals.start`` and ``replicas`` separately (each an int32, each non-negative), so it accepts
    ``start: 2147483646`` with 3 replicas; but the StatefulSet controller parses a pod's ordinal back
    from its name as an int32 (pkg/controller/statefulset/stateful_set_utils.go
    getParentNameAndOrdinal, ``strconv.ParseInt(subMatches[2], 10, 32)``), so pod ``db-2147483648``
    gets ordinal -1, is neither kept nor condemned, and is created again forever. The message is
    apimachinery's maximum wording (``must be less than or equal to 2147483647``).
    """
    start = spec.get("ordinals", {}).get("start", 0)
    replicas = spec.get("replicas", 0)
    if not (isinstance(start, int) and isinstance(replicas, int)) or replicas <= 0 or start < 0:
        return []
    last = start + replicas - 1
    if last <= _INT32_RANGE[1]:
        return []
    where = child(child(path, "ordinals"), "start") if "ordinals" in spec else child(path, "replicas")
    return [FieldError(where, f"the last ordinal, ordinals.start + replicas - 1 = {start} + {replicas} - 1 = {last}, "
                              f"must be less than or equal to {_INT32_RANGE[1]} (pod ordinals are int32)")]


def validate_stateful_set_spec(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateStatefulSetSpec.

    As in the stored upstream source, ``serviceName`` is not validated (it is optional) and the
    template is checked only for selector match, labels, annotations, restartPolicy and
    activeDeadlineSeconds (upstream leaves ValidatePodTemplateSpec commented out for
    StatefulSets). kubecheck additionally checks each volumeClaimTemplate as the PersistentVolumeClaim
    the controller will create from it (name, access modes, storage request): the API server would
    reject every such claim later, so the set could never run (see docs/semantics.md#manifests).
    """
    errs: list[FieldError] = []
    policy = spec.get("podManagementPolicy", "")
    if not policy:
        errs.append(required(child(path, "podManagementPolicy")))
    elif policy not in ("OrderedReady", "Parallel"):
        errs.append(invalid(child(path, "podManagementPolicy"), policy, "must be 'OrderedReady' or 'Parallel'"))
    strategy = spec.get("updateStrategy", {})
    s_path = child(path, "updateStrategy")
    s_type = strategy.get("type", "")
    if not s_type:
        errs.append(required(s_path))
    elif s_type == "OnDelete":
        if "rollingUpdate" in strategy:
            errs.append(invalid(child(s_path, "rollingUpdate"), strategy["rollingUpdate"],
                                "only allowed for updateStrategy 'RollingUpdate'"))
    elif s_type == "RollingUpdate":
        if "rollingUpdate" in strategy:
            errs.extend(validate_rolling_update_stateful_set(strategy["rollingUpdate"], child(s_path, "rollingUpdate")))
    else:
        errs.append(invalid(child(s_path, "type"), s_type, "must be 'RollingUpdate' or 'OnDelete'"))
    if "persistentVolumeClaimRetentionPolicy" in spec:
        errs.extend(validate_persistent_volume_claim_retention_policy(
            spec["persistentVolumeClaimRetentionPolicy"], child(path, "persistentVolumeClaimRetentionPolicy")))
    errs.extend(validate_nonnegative_field(spec.get("replicas", 0), child(path, "replicas")))
    errs.extend(validate_nonnegative_field(spec.get("minReadySeconds", 0), child(path, "minReadySeconds")))
    if "ordinals" in spec:
        errs.extend(validate_nonnegative_field(spec["ordinals"].get("start", 0), child(child(path, "ordinals"), "start")))
    errs.extend(validate_ordinal_range(spec, path))
    sel_errs, selector_ok = _validate_workload_selector(spec, path, "statefulset")
    errs.extend(sel_errs)
    t_path = child(path, "template")
    if "template" not in spec:
        errs.append(required(t_path))
    else:
        template = spec["template"]
        selector = spec.get("selector", {})
        if selector_ok and not selector_matches(selector, _template_labels(template)):
            errs.append(_selector_mismatch(t_path, template))
        meta = template.get("metadata", {})
        errs.extend(validate_labels(meta.get("labels", {}), child(t_path, "labels")))
        errs.extend(validate_annotations(meta.get("annotations", {}), child(t_path, "annotations")))
        errs.extend(_workload_template_tail(template, t_path, "StatefulSet"))
        # More than the stored StatefulSet validation: every pod the controller would create from an
        # invalid placement is rejected by Pod validation, so no pod of the set could ever run.
        errs.extend(validate_placement(template.get("spec", {}), child(t_path, "spec")))
        # Likewise the template's containers (none, or a nameless, badly named or duplicate one: the
        # model would create pods that cannot run and livelock their kubelet) and volumes: every pod
        # gets them (but the volumes a claim template of the same name replaces,
        # pkg/controller/statefulset/stateful_set_utils.go updateStorage), and Pod validation
        # (ValidatePodSpec, ValidateVolumes) refuses each such pod.
        errs.extend(validate_containers(template.get("spec", {}), child(t_path, "spec"), is_pod=False))
        claims = frozenset(n for vct in spec.get("volumeClaimTemplates", [])
                           if isinstance(n := vct.get("metadata", {}).get("name", ""), str) and n)
        errs.extend(validate_volumes(template.get("spec", {}).get("volumes", []), child(t_path, "spec"), claims))
    for i, vct in enumerate(spec.get("volumeClaimTemplates", [])):
        p = index(child(path, "volumeClaimTemplates"), i)
        name = vct.get("metadata", {}).get("name", "")
        if not name:
            errs.append(required(child(child(p, "metadata"), "name"), "kubecheck needs it to name the claims"))
        else:
            errs.extend(invalid(child(child(p, "metadata"), "name"), name, m) for m in is_dns1123_subdomain(name))
        errs.extend(_validate_pvc_spec(vct.get("spec", {}), child(p, "spec")))
    return errs


def validate_stateful_set(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateStatefulSet (name: DNS label)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_label)
    return errs + validate_stateful_set_spec(obj.get("spec", {}))


# ============================================================================== DaemonSet


def validate_rolling_update_daemon_set(rolling: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateRollingUpdateDaemonSet: both
    non-negative or a percentage, at most 100%, and exactly one of them non-zero."""
    mu, ms = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    errs = validate_positive_int_or_percent(mu, child(path, "maxUnavailable"))
    errs.extend(validate_positive_int_or_percent(ms, child(path, "maxSurge")))
    errs.extend(is_not_more_than_100_percent(mu, child(path, "maxUnavailable")))
    errs.extend(is_not_more_than_100_percent(ms, child(path, "maxSurge")))
    has_unavailable = get_int_or_percent_value(mu) != 0
    has_surge = get_int_or_percent_value(ms) != 0
    if has_unavailable and has_surge:
        errs.append(invalid(child(path, "maxSurge"), ms, "may not be set when maxUnavailable is non-zero"))
    elif not has_unavailable and not has_surge:
        errs.append(required(child(path, "maxUnavailable"), "cannot be 0 when maxSurge is 0"))
    return errs


_DAEMON_SET_STRATEGIES: Final = ("RollingUpdate", "OnDelete")


def validate_daemon_set_update_strategy(strategy: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateDaemonSetUpdateStrategy."""
    kind = strategy.get("type", "")
    if kind == "OnDelete":
        return []
    if kind == "RollingUpdate":
        if strategy.get("rollingUpdate") is None:
            return [required(child(path, "rollingUpdate"))]
        return validate_rolling_update_daemon_set(strategy["rollingUpdate"], child(path, "rollingUpdate"))
    return [not_supported(path, kind, _DAEMON_SET_STRATEGIES)]


def validate_daemon_set_spec(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateDaemonSetSpec: the selector (valid,
    matching the template labels, non-empty), the pod template, restartPolicy Always, no
    activeDeadlineSeconds, minReadySeconds/templateGeneration/revisionHistoryLimit non-negative,
    the update strategy."""
    sel_errs, selector_ok = _validate_workload_selector(spec, path, "daemonset")
    errs = list(sel_errs)
    t_path = child(path, "template")
    template = spec.get("template")
    if template is None:
        errs.append(required(t_path))
    else:
        if selector_ok and not selector_matches(spec.get("selector", {}), _template_labels(template)):
            errs.append(_selector_mismatch(t_path, template))
        errs.extend(validate_pod_template_spec(template, t_path))
        errs.extend(_workload_template_tail(template, t_path, "DaemonSet"))
    errs.extend(validate_nonnegative_field(spec.get("minReadySeconds", 0), child(path, "minReadySeconds")))
    errs.extend(validate_nonnegative_field(spec.get("templateGeneration", 0), child(path, "templateGeneration")))
    errs.extend(validate_daemon_set_update_strategy(spec.get("updateStrategy", {}), child(path, "updateStrategy")))
    if "revisionHistoryLimit" in spec:
        errs.extend(validate_nonnegative_field(spec["revisionHistoryLimit"], child(path, "revisionHistoryLimit")))
    return errs


def validate_daemon_set(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/apps/validation/validation.go ValidateDaemonSet (name: DNS subdomain)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    return errs + validate_daemon_set_spec(obj.get("spec", {}))


# =================================================================== ReplicationController


def validate_non_empty_selector(selector: Mapping[str, str], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateNonEmptySelector."""
    return [] if selector else [required(path)]


def validate_pod_template_spec_for_rc(spec: Mapping[str, Any], path: str) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidatePodTemplateSpecForRC."""
    t_path = child(path, "template")
    if "template" not in spec:
        return [required(t_path)]
    template = spec["template"]
    errs: list[FieldError] = []
    selector = spec.get("selector", {})
    if selector and not all(_template_labels(template).get(k) == v for k, v in selector.items()):
        errs.append(_selector_mismatch(t_path, template))
    errs.extend(validate_pod_template_spec(template, t_path))
    errs.extend(_workload_template_tail(template, t_path, "ReplicationController"))
    return errs


def validate_replication_controller_spec(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateReplicationControllerSpec."""
    errs = validate_nonnegative_field(spec.get("minReadySeconds", 0), child(path, "minReadySeconds"))
    errs.extend(validate_non_empty_selector(spec.get("selector", {}), child(path, "selector")))
    errs.extend(validate_nonnegative_field(spec.get("replicas", 0), child(path, "replicas")))
    errs.extend(validate_pod_template_spec_for_rc(spec, path))
    return errs


def validate_replication_controller(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateReplicationController."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    return errs + validate_replication_controller_spec(obj.get("spec", {}))


# ========================================================================= other core kinds


def validate_pod(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidatePodCreate (the modelled part)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    return errs + validate_pod_spec(obj.get("spec", {}), "spec", is_pod=True)


_SERVICE_TYPES: Final = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def validate_service(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateService (name, selector, ports, type)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns1035_label)
    spec = obj.get("spec", {})
    errs.extend(validate_labels(spec.get("selector", {}), "spec.selector"))
    s_type = spec.get("type", "ClusterIP")
    if s_type not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", s_type, _SERVICE_TYPES))
    ports = spec.get("ports", [])
    if not ports and spec.get("clusterIP") != "None" and s_type != "ExternalName":
        errs.append(required("spec.ports"))
    for i, port in enumerate(ports):
        p = child(index("spec.ports", i), "port")
        number = port.get("port")
        if number is None:
            errs.append(required(p))
        elif not 1 <= number <= 65535:
            errs.append(invalid(p, number, "must be between 1 and 65535, inclusive"))
    return errs


_ACCESS_MODES: Final = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")


def _validate_pvc_spec(spec: Mapping[str, Any], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    modes = spec.get("accessModes", [])
    if not modes:
        errs.append(required(child(path, "accessModes"), "at least 1 access mode is required"))
    for i, mode in enumerate(modes):
        if mode not in _ACCESS_MODES:
            errs.append(not_supported(index(child(path, "accessModes"), i), mode, _ACCESS_MODES))
    if "storage" not in spec.get("resources", {}).get("requests", {}):
        errs.append(required(f"{child(path, 'resources')}[storage]", at=child(path, "resources")))
    return errs


def validate_persistent_volume_claim(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaim (the modelled part)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    return errs + _validate_pvc_spec(obj.get("spec", {}), "spec")


def validate_node(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/core/validation/validation.go ValidateNode (name, metadata and taints)."""
    return validate_object_meta(obj.get("metadata", {}), False, name_is_dns_subdomain) + validate_node_taints(
        obj.get("spec", {}).get("taints", []), "spec.taints"
    )


def name_is_path_segment(name: str) -> list[str]:
    """Mirrors apimachinery pkg/api/validation/path/name.go ValidatePathSegmentName (prefix=false):
    what the generic registry (rest.BeforeCreate, ValidateObjectMetaAccessor) checks of a name
    whose strategy validates no name itself, as the PodDisruptionBudget strategy."""
    for bad in ("..", "."):
        if name == bad:
            return [f"may not be '{bad}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


_UNHEALTHY_POD_EVICTION_POLICIES: Final = ("AlwaysAllow", "IfHealthyBudget")


def validate_pod_disruption_budget_spec(spec: Mapping[str, Any], path: str = "spec") -> list[FieldError]:
    """Mirrors pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudgetSpec.

    ``minAvailable`` and ``maxUnavailable`` not both set, each a non-negative int or a percentage of
    at most 100%; the selector a valid label selector; ``unhealthyPodEvictionPolicy`` one of
    ``supportedUnhealthyPodEvictionPolicies``.
    """
    errs: list[FieldError] = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        errs.append(invalid(path, dict(spec), "minAvailable and maxUnavailable cannot be both set"))
    for key in ("minAvailable", "maxUnavailable"):
        value = spec.get(key)
        if value is not None:
            errs.extend(validate_positive_int_or_percent(value, child(path, key)))
            errs.extend(is_not_more_than_100_percent(value, child(path, key)))
    if spec.get("selector") is not None:
        errs.extend(validate_label_selector(spec["selector"], child(path, "selector")))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in _UNHEALTHY_POD_EVICTION_POLICIES:
        errs.append(not_supported(child(path, "unhealthyPodEvictionPolicy"), policy, _UNHEALTHY_POD_EVICTION_POLICIES))
    return errs


def validate_pod_disruption_budget(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/policy/validation/validation.go ValidatePodDisruptionBudget, plus the object
    metadata checks of the generic registry (ValidateObjectMetaAccessor with ValidatePathSegmentName)."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_path_segment)
    return errs + validate_pod_disruption_budget_spec(obj.get("spec", {}), "spec")


# ====================================================================== autoscaling/v2

_SI_SUFFIXES: Final = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def _quantity_value(text: str) -> Fraction:
    m = re.fullmatch(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?", text)
    if m is None:
        raise ValueError(f"not a quantity: {text!r}")
    number, suffix = Fraction(m.group(1)), m.group(2) or ""
    if suffix in _BIN_SUFFIXES:
        return number * 2 ** _BIN_SUFFIXES[suffix]
    if suffix[:1] in ("e", "E"):
        return number * Fraction(10) ** int(suffix[1:])
    return number * Fraction(10) ** _SI_SUFFIXES[suffix]


def quantity_milli_value(text: str) -> int:
    """resource.Quantity.MilliValue of a quantity string matching the Quantity syntax (rounded away
    from zero, as ``ScaledValue(resource.Milli)`` does)."""
    milli = _quantity_value(text) * 1000
    return math.ceil(milli) if milli >= 0 else -math.ceil(-milli)


def _quantity_sign(text: str) -> int:
    """resource.Quantity.Sign."""
    v = _quantity_value(text)
    return (v > 0) - (v < 0)


#: pkg/apis/autoscaling/validation MaxPeriodSeconds / MaxStabilizationWindowSeconds.
MAX_PERIOD_SECONDS: Final = 1800
MAX_STABILIZATION_WINDOW_SECONDS: Final = 3600
_METRIC_SOURCE_TYPES: Final = ("ContainerResource", "External", "Object", "Pods", "Resource")
_SELECT_POLICIES: Final = ("Disabled", "Max", "Min")
_POLICY_TYPES: Final = ("Percent", "Pods")
#: autoscaling/v2 MetricSpec: the field that holds each metric source (validation.go validateMetricSpec; the loader
#: names a metric it holds at its target by it too, model.manifests.unmodelled_metric_name)
METRIC_SOURCE_FIELDS: Final = {"Object": "object", "Pods": "pods", "Resource": "resource", "External": "external", "ContainerResource": "containerResource"}


def _validate_cross_version_object_reference(ref: Mapping[str, Any], path: str) -> list[FieldError]:
    """validation.go ValidateCrossVersionObjectReference."""
    errs: list[FieldError] = []
    for key in ("kind", "name"):
        value = ref.get(key, "")
        if not value:
            errs.append(required(child(path, key)))
        else:
            errs.extend(invalid(child(path, key), value, m) for m in name_is_path_segment(value))
    return errs


def _validate_metric_target(mt: Mapping[str, Any], path: str) -> list[FieldError]:
    """validation.go validateMetricTarget."""
    errs: list[FieldError] = []
    typ = mt.get("type", "")
    if not typ:
        errs.append(required(child(path, "type"), "must specify a metric target type"))
    if typ not in ("Utilization", "Value", "AverageValue"):
        errs.append(invalid(child(path, "type"), typ, "must be either Utilization, Value, or AverageValue"))
    for key in ("value", "averageValue"):
        if mt.get(key) is not None and _quantity_sign(mt[key]) != 1:
            errs.append(invalid(child(path, key), mt[key], "must be positive"))
    if mt.get("averageUtilization") is not None and mt["averageUtilization"] < 1:
        errs.append(invalid(child(path, "averageUtilization"), mt["averageUtilization"], "must be greater than 0"))
    return errs


def _validate_resource_source(src: Mapping[str, Any], path: str) -> list[FieldError]:
    """validation.go validateResourceSource."""
    errs: list[FieldError] = []
    if not src.get("name"):
        errs.append(required(child(path, "name"), "must specify a resource name"))
    target = src.get("target", {})
    tpath = child(path, "target")
    errs.extend(_validate_metric_target(target, tpath))
    if target.get("averageUtilization") is None and target.get("averageValue") is None:
        errs.append(required(child(tpath, "averageUtilization"), "must set either a target raw value or a target utilization"))
    if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
        errs.append(forbidden(child(tpath, "averageValue"), "may not set both a target raw value and a target utilization"))
    return errs


def _validate_metric_spec(spec: Mapping[str, Any], path: str) -> list[FieldError]:
    """validation.go validateMetricSpec (only a Resource source is checked in depth: the other
    sources make kubecheck skip the HPA, see model.manifests)."""
    errs: list[FieldError] = []
    typ = spec.get("type", "")
    if not typ:
        errs.append(required(child(path, "type"), "must specify a metric source type"))
    if typ not in _METRIC_SOURCE_TYPES:
        errs.append(not_supported(child(path, "type"), typ, _METRIC_SOURCE_TYPES))
    present = [f for f in ("object", "external", "pods", "resource", "containerResource") if spec.get(f) is not None]
    if present and present[0] == "resource":
        errs.extend(_validate_resource_source(spec["resource"], child(path, "resource")))
    expected = METRIC_SOURCE_FIELDS.get(typ)
    if expected is not None and spec.get(expected) is None:
        errs.append(required(child(path, expected), "must populate information for the given metric source"))
    elif expected is None and typ:  # the switch's default case reports the type a second time
        errs.append(not_supported(child(path, "type"), typ, _METRIC_SOURCE_TYPES))
    if len(present) != 1:
        errs.extend(forbidden(child(path, f), "must populate the given metric source only") for f in sorted(present) if f != expected)
    return errs


def _validate_scaling_rules(rules: Mapping[str, Any] | None, path: str) -> list[FieldError]:
    """validation.go validateScalingRules and validateScalingPolicy."""
    errs: list[FieldError] = []
    if rules is None:
        return errs
    window = rules.get("stabilizationWindowSeconds")
    if window is not None and window < 0:
        errs.append(invalid(child(path, "stabilizationWindowSeconds"), window, "must be greater than or equal to zero"))
    if window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        errs.append(invalid(child(path, "stabilizationWindowSeconds"), window, f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    select = rules.get("selectPolicy")
    if select is not None and select not in _SELECT_POLICIES:
        errs.append(not_supported(child(path, "selectPolicy"), select, _SELECT_POLICIES))
    ppath = child(path, "policies")
    policies = rules.get("policies") or []
    if not policies:
        errs.append(required(ppath, "must specify at least one Policy"))
    for i, policy in enumerate(policies):
        ip = index(ppath, i)
        if policy.get("type") not in _POLICY_TYPES:
            errs.append(not_supported(child(ip, "type"), policy.get("type", ""), _POLICY_TYPES))
        if policy.get("value", 0) <= 0:
            errs.append(invalid(child(ip, "value"), policy.get("value", 0), "must be greater than zero"))
        period = policy.get("periodSeconds", 0)
        if period <= 0:
            errs.append(invalid(child(ip, "periodSeconds"), period, "must be greater than zero"))
        if period > MAX_PERIOD_SECONDS:
            errs.append(invalid(child(ip, "periodSeconds"), period, f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return errs


def validate_horizontal_pod_autoscaler(obj: Mapping[str, Any]) -> list[FieldError]:
    """Mirrors pkg/apis/autoscaling/validation/validation.go ValidateHorizontalPodAutoscaler
    (HPAScaleToZero off: minReplicas >= 1) with validateHorizontalPodAutoscalerSpec, validateMetrics
    and validateBehavior."""
    errs = validate_object_meta(obj.get("metadata", {}), True, name_is_dns_subdomain)
    spec = obj.get("spec", {})
    min_replicas = spec.get("minReplicas")
    max_replicas = spec.get("maxReplicas", 0)
    if min_replicas is not None and min_replicas < 1:
        errs.append(invalid("spec.minReplicas", min_replicas, "must be greater than or equal to 1"))
    if max_replicas < 1:
        errs.append(invalid("spec.maxReplicas", max_replicas, "must be greater than 0"))
    if min_replicas is not None and max_replicas < min_replicas:
        errs.append(invalid("spec.maxReplicas", max_replicas, "must be greater than or equal to `minReplicas`"))
    errs.extend(_validate_cross_version_object_reference(spec.get("scaleTargetRef", {}), "spec.scaleTargetRef"))
    for i, metric in enumerate(spec.get("metrics") or []):
        errs.extend(_validate_metric_spec(metric, index("spec.metrics", i)))
    behavior = spec.get("behavior")
    if behavior is not None:
        errs.extend(_validate_scaling_rules(behavior.get("scaleUp"), "spec.behavior.scaleUp"))
        errs.extend(_validate_scaling_rules(behavior.get("scaleDown"), "spec.behavior.scaleDown"))
    return errs




# ------------------------------------------------------------------ objects the controllers create


def refused_children(obj: Any) -> str | None:
    """What the API server would answer to the first object a workload's controller creates, when
    it would refuse it (None when it would not): a workload the API server accepts whose children it
    refuses never runs a pod, and the checker must not call it converged.

    * Deployment: the new ReplicaSet ``<name>-<pod-template-hash>`` (pkg/controller/deployment/sync.go
      getNewReplicaSet) must be a DNS-1123 subdomain (253 characters);
    * StatefulSet: its ControllerRevision ``<name>-<hash>`` (pkg/controller/history/controller_history.go
      ControllerRevisionName) must be a DNS-1123 subdomain, and every pod carries the revision name as
      its ``controller-revision-hash`` label and its own name as ``statefulset.kubernetes.io/pod-name``,
      label values of at most 63 characters (pkg/controller/statefulset/stateful_set_utils.go
      newVersionedStatefulSetPod, initIdentity; kubernetes#64023);
    * DaemonSet: its ControllerRevision ``<name>-<hash>`` (pkg/controller/daemon/update.go snapshot).

    The names come from the same functions the model's controllers call, and the answer from
    :func:`model.apiserver.validate_object_meta_on_create`, which the model's API server applies on
    every create.
    """
    from model.apiserver import validate_object_meta_on_create
    from model.objects import kind_of

    kind = kind_of(obj)
    if kind == "Deployment":
        from model.deployment_util import DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, compute_hash

        h = compute_hash(obj.template, obj.status.collision_count)
        labels = obj.template.labels.set(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, h)
        return validate_object_meta_on_create("ReplicaSet", f"{obj.name}-{h}", labels)
    if kind == "StatefulSet":
        from model.statefulset_utils import (
            controller_revision_hash,
            controller_revision_name,
            get_end_ordinal,
            new_stateful_set_pod,
            set_pod_revision,
        )

        h = controller_revision_hash(obj.template, obj.status.collision_count)
        revision = controller_revision_name(obj.name, h)
        err = validate_object_meta_on_create("ControllerRevision", revision, obj.template.labels)
        if err is None and obj.replicas > 0:
            pod = set_pod_revision(new_stateful_set_pod(obj, get_end_ordinal(obj)), revision)
            err = validate_object_meta_on_create("Pod", pod.name, pod.labels)
        return err
    if kind == "DaemonSet":
        # update.go snapshot: the ControllerRevision <name>-<hash> (a DNS-1123 subdomain); its pods carry
        # the hash as the controller-revision-hash label and a generated name <name>-<suffix>.
        from model.statefulset_utils import controller_revision_hash, controller_revision_name

        h = controller_revision_hash(obj.template, obj.status.collision_count)
        return validate_object_meta_on_create("ControllerRevision", controller_revision_name(obj.name, h), obj.template.labels)
    return None
