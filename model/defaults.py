"""API-server defaulting for the kinds kubecheck loads, over decoded manifest data.

Each ``set_defaults_<kind>`` takes the decoded JSON-like object (field names as in the API, absent
= ``nil``) and returns a defaulted deep copy; the input is never modified. They mirror the
generated defaulters of the versioned APIs, which call the hand-written ``SetDefaults_*``
functions of kubernetes/kubernetes pkg/apis/apps/v1/defaults.go and pkg/apis/core/v1/defaults.go
plus the declarative ``+default`` markers, and recurse into embedded pod templates
(``SetDefaults_PodSpec``).

Only defaults that reach the model are applied; the others (dnsPolicy, schedulerName,
imagePullPolicy, Service sessionAffinity, PVC volumeMode, ...) are listed as skipped in
docs/semantics.md#manifests.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = [
    "set_defaults_pod_spec",
    "set_defaults_deployment",
    "set_defaults_replica_set",
    "set_defaults_stateful_set",
    "set_defaults_daemon_set",
    "set_defaults_replication_controller",
    "set_defaults_pod",
    "set_defaults_horizontal_pod_autoscaler",
    "set_defaults",
]

Obj = dict[str, Any]


def _sub(obj: Obj, key: str) -> Obj:
    """The nested object at ``key``, created empty if absent (a Go zero-value struct)."""
    value = obj.get(key)
    if not isinstance(value, dict):
        value = {}
        obj[key] = value
    return value


def _is_unset(obj: Mapping[str, Any], key: str) -> bool:
    """Go's ``len(s) == 0`` / ``p == nil`` for an optional field."""
    return obj.get(key) in (None, "")


def set_defaults_pod_spec(spec: Obj) -> None:
    """Mirrors pkg/apis/core/v1/defaults.go SetDefaults_PodSpec (in place, on a copy).

    restartPolicy -> Always; terminationGracePeriodSeconds -> 30
    (v1.DefaultTerminationGracePeriodSeconds).
    """
    if _is_unset(spec, "restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30


def _default_template(spec: Obj) -> None:
    if isinstance(spec.get("template"), dict):
        set_defaults_pod_spec(_sub(spec["template"], "spec"))


def set_defaults_deployment(obj: Mapping[str, Any]) -> Obj:
    """Mirrors pkg/apis/apps/v1/defaults.go SetDefaults_Deployment.

    replicas -> 1; strategy.type -> RollingUpdate; for RollingUpdate a rollingUpdate object with
    maxUnavailable and maxSurge "25%" (each only if unset); revisionHistoryLimit -> 10;
    progressDeadlineSeconds -> 600.
    """
    out: Obj = copy.deepcopy(dict(obj))
    spec = _sub(out, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _sub(spec, "strategy")
    if _is_unset(strategy, "type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _sub(strategy, "rollingUpdate")
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = "25%"
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    _default_template(spec)
    return out


def set_defaults_replica_set(obj: Mapping[str, Any]) -> Obj:
    """Mirrors pkg/apis/apps/v1/defaults.go SetDefaults_ReplicaSet: replicas -> 1."""
    out: Obj = copy.deepcopy(dict(obj))
    spec = _sub(out, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(spec)
    return out


def set_defaults_stateful_set(obj: Mapping[str, Any], *, stateful_set_auto_delete_pvc: bool = True) -> Obj:
    """Mirrors pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet.

    podManagementPolicy -> OrderedReady. If updateStrategy.type is empty it becomes RollingUpdate
    *and* an empty rollingUpdate is created; then a RollingUpdate strategy whose rollingUpdate is
    non-nil gets partition 0. (So ``type: RollingUpdate`` written explicitly without
    ``rollingUpdate`` keeps rollingUpdate nil, which the controller treats differently, see
    newVersionedStatefulSetPod.) With the StatefulSetAutoDeletePVC gate (on by default since
    v1.27, GA in v1.32) the PVC retention policy defaults to Retain/Retain. replicas -> 1;
    revisionHistoryLimit -> 10. ``ordinals`` is not defaulted (nil means start 0).
    """
    out: Obj = copy.deepcopy(dict(obj))
    spec = _sub(out, "spec")
    if _is_unset(spec, "podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    strategy = _sub(spec, "updateStrategy")
    if _is_unset(strategy, "type"):
        strategy["type"] = "RollingUpdate"
        if strategy.get("rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict) and rolling.get("partition") is None:
        rolling["partition"] = 0
    if stateful_set_auto_delete_pvc:
        policy = _sub(spec, "persistentVolumeClaimRetentionPolicy")
        if _is_unset(policy, "whenDeleted"):
            policy["whenDeleted"] = "Retain"
        if _is_unset(policy, "whenScaled"):
            policy["whenScaled"] = "Retain"
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _default_template(spec)
    return out


def set_defaults_daemon_set(obj: Mapping[str, Any]) -> Obj:
    """Mirrors pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet.

    updateStrategy.type -> RollingUpdate; for RollingUpdate a rollingUpdate object with
    maxUnavailable 1 and maxSurge 0 (each only if unset); revisionHistoryLimit -> 10.
    """
    out: Obj = copy.deepcopy(dict(obj))
    spec = _sub(out, "spec")
    strategy = _sub(spec, "updateStrategy")
    if _is_unset(strategy, "type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = _sub(strategy, "rollingUpdate")
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _default_template(spec)
    return out


def set_defaults_replication_controller(obj: Mapping[str, Any]) -> Obj:
    """Mirrors pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController.

    If the template has labels (a non-nil map): an empty selector becomes the template labels and
    empty metadata.labels become the template labels (non-empty values are kept). replicas -> 1
    (declarative ``+default=1`` in k8s.io/api/core/v1 types.go).
    """
    out: Obj = copy.deepcopy(dict(obj))
    spec = _sub(out, "spec")
    template = spec.get("template")
    labels = template.get("metadata", {}).get("labels") if isinstance(template, dict) else None
    if labels is not None:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = _sub(out, "metadata")
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(spec)
    return out


def set_defaults_pod(obj: Mapping[str, Any]) -> Obj:
    """Mirrors pkg/apis/core/v1/defaults.go SetDefaults_Pod + SetDefaults_PodSpec (modelled fields)."""
    out: Obj = copy.deepcopy(dict(obj))
    set_defaults_pod_spec(_sub(out, "spec"))
    return out


def _copy(obj: Mapping[str, Any]) -> Obj:
    """Service, PersistentVolumeClaim, Node, PodDisruptionBudget: no default reaches the model (see the
    semantics doc; policy/v1 registers no defaulting function for PodDisruptionBudget, and a nil
    ``unhealthyPodEvictionPolicy`` stays nil and means IfHealthyBudget)."""
    return copy.deepcopy(dict(obj))


#: pkg/apis/autoscaling/v2/defaults.go defaultHPAScaleUpRules / defaultHPAScaleDownRules and
#: pkg/apis/autoscaling DefaultCPUUtilization.
DEFAULT_CPU_UTILIZATION: Final = 80
_SCALE_UP_RULES: Final = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}],
}
_SCALE_DOWN_RULES: Final = {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _copy_hpa_scaling_rules(src: Mapping[str, Any] | None, defaults: Mapping[str, Any]) -> Obj:
    """Mirrors defaults.go GenerateHPAScale{Up,Down}Rules / copyHPAScalingRules: every non-nil field
    of ``src`` over a copy of the defaults (the scale-down window stays nil unless given)."""
    out: Obj = copy.deepcopy(dict(defaults))
    for key in ("selectPolicy", "stabilizationWindowSeconds", "policies", "tolerance"):
        if src is not None and src.get(key) is not None:
            out[key] = copy.deepcopy(src[key])
    return out


def set_defaults_horizontal_pod_autoscaler(obj: Mapping[str, Any]) -> Obj:
    """Mirrors pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler:
    minReplicas 1; no metrics -> CPU at 80% utilization; a behavior given is completed with the
    default scaling rules (SetDefaults_HorizontalPodAutoscalerBehavior); a nil behavior stays nil."""
    out: Obj = copy.deepcopy(dict(obj))
    spec = _sub(out, "spec")
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _copy_hpa_scaling_rules(behavior.get("scaleUp"), _SCALE_UP_RULES)
        behavior["scaleDown"] = _copy_hpa_scaling_rules(behavior.get("scaleDown"), _SCALE_DOWN_RULES)
    return out




def set_defaults(kind: str, obj: Mapping[str, Any]) -> Obj:
    """Apply the defaulter of ``kind``'s record (``model.kinds``; a defaulted deep copy)."""
    from model.kinds import kind_record

    defaulter = kind_record(kind).defaults
    assert defaulter is not None, kind
    return defaulter(obj)
