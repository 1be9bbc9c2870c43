"""apiVersions other than the modelled one: the removed ones, named as such, and the served ones the
API server converts (autoscaling/v1 HorizontalPodAutoscaler).

``model.manifests`` loads each kind under one apiVersion (``MODELLED_KINDS``). A document of a
modelled kind under another apiVersion is

* **converted** when the API server still serves that version and converts it to the modelled one
  (:data:`CONVERSIONS`): autoscaling/v1 HorizontalPodAutoscaler becomes autoscaling/v2 exactly as
  pkg/apis/autoscaling/v1/conversion.go does, then goes through the autoscaling/v2 decode, defaults
  and validation; errors name the field as written (:attr:`Conversion.written_as`);
* **skipped with the removal named** when upstream no longer serves it (:data:`REMOVED_API_VERSIONS`,
  :func:`removed_api_reason`): ``kubectl apply`` of such a manifest fails on every Kubernetes version
  kubecheck models, so the one-line reason says which release removed it and what to write instead;
* skipped as "not modelled" otherwise.

See docs/semantics.md, "Manifests" (step 2) and "HorizontalPodAutoscaler".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from model.defaults import DEFAULT_CPU_UTILIZATION
from model.validation import HPA_V1_SCHEMA, FieldError, Obj

__all__ = [
    "REMOVED_API_VERSIONS",
    "removed_api_reason",
    "Conversion",
    "CONVERSIONS",
    "convert_v1_horizontal_pod_autoscaler_to_autoscaling_horizontal_pod_autoscaler",
]


# ================================================================================ removed versions

#: (apiVersion, kind) -> (minor release that stopped serving it, apiVersion to write instead), for the
#: modelled kinds. kubernetes/website content/en/docs/reference/using-api/deprecation-guide.md: v1.16
#: ("The extensions/v1beta1, apps/v1beta1, and apps/v1beta2 API versions of Deployment [ReplicaSet] are
#: no longer served as of v1.16"; DaemonSet: extensions/v1beta1 and apps/v1beta2; StatefulSet:
#: apps/v1beta1 and apps/v1beta2), v1.25 (policy/v1beta1 PodDisruptionBudget, autoscaling/v2beta1
#: HorizontalPodAutoscaler), v1.26 (autoscaling/v2beta2 HorizontalPodAutoscaler).
REMOVED_API_VERSIONS: Final[Mapping[tuple[str, str], tuple[int, str]]] = {
    ("extensions/v1beta1", "Deployment"): (16, "apps/v1"),
    ("apps/v1beta1", "Deployment"): (16, "apps/v1"),
    ("apps/v1beta2", "Deployment"): (16, "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet"): (16, "apps/v1"),
    ("apps/v1beta1", "ReplicaSet"): (16, "apps/v1"),
    ("apps/v1beta2", "ReplicaSet"): (16, "apps/v1"),
    ("extensions/v1beta1", "DaemonSet"): (16, "apps/v1"),
    ("apps/v1beta2", "DaemonSet"): (16, "apps/v1"),
    ("apps/v1beta1", "StatefulSet"): (16, "apps/v1"),
    ("apps/v1beta2", "StatefulSet"): (16, "apps/v1"),
    ("policy/v1beta1", "PodDisruptionBudget"): (25, "policy/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): (25, "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): (26, "autoscaling/v2"),
}


def removed_api_reason(api_version: str, kind: str) -> str | None:
    """The one-line skip reason of a removed ``api_version`` of ``kind``, or None if it was not removed.

    Unconditional: every version ``--kubernetes-version`` accepts (``model.versions.SUPPORTED_VERSIONS``,
    1.28 and later) is past every removal here (tests/model/test_manifests_apiversions.py checks it), and
    the loader runs before a scenario's version is known. Were an older version ever modelled, the
    reason would have to say "still served in 1.N, not modelled by kubecheck" for it.

    >>> removed_api_reason("autoscaling/v2beta2", "HorizontalPodAutoscaler")
    'apiVersion autoscaling/v2beta2 was removed in Kubernetes 1.26 (kubectl apply fails on 1.26 and later); use autoscaling/v2'
    >>> removed_api_reason("apps/v1", "Deployment") is None
    True
    """
    removed = REMOVED_API_VERSIONS.get((api_version, kind))
    if removed is None:
        return None
    minor, replacement = removed
    return (f"apiVersion {api_version} was removed in Kubernetes 1.{minor} "
            f"(kubectl apply fails on 1.{minor} and later); use {replacement}")


# ================================================================================ conversions


@dataclass(frozen=True, slots=True)
class Conversion:
    """How a served apiVersion other than the modelled one reaches the model: the API server's conversion."""

    #: the served version's schema: the document is decoded against it first, so a type error or an
    #: unknown field names the field as written
    schema: Obj
    #: the conversion to the modelled apiVersion (on the decoded document); the result then goes
    #: through the modelled version's decode, defaults and validation
    convert: Callable[[Mapping[str, Any]], dict[str, Any]]
    #: why kubecheck does not load a document it would otherwise convert (skipped with that reason), or None
    unread: Callable[[Mapping[str, Any]], str | None]
    #: (path prefix in the converted object, path in the written one): an error under the prefix
    #: names the written field instead
    written_as: tuple[tuple[str, str], ...] = ()

    def original(self, e: FieldError) -> FieldError:
        """``e`` on the converted object, as an error on the field of the document as written."""
        for prefix, written in self.written_as:
            if e.path == prefix or e.path.startswith((prefix + ".", prefix + "[")):
                return FieldError(written, e.message)
        return e


#: pkg/apis/autoscaling/annotations.go: the annotations through which autoscaling/v1 round-trips what
#: only autoscaling/v2 can say. The first two are read into the spec by the v1 -> internal conversion,
#: the last two into the status; all four are then dropped (DropRoundTripHorizontalPodAutoscalerAnnotations).
METRIC_SPECS_ANNOTATION: Final = "autoscaling.alpha.kubernetes.io/metrics"
BEHAVIOR_SPECS_ANNOTATION: Final = "autoscaling.alpha.kubernetes.io/behavior"
_STATUS_ANNOTATIONS: Final = ("autoscaling.alpha.kubernetes.io/current-metrics", "autoscaling.alpha.kubernetes.io/conditions")


def _hpa_v1_unread(obj: Mapping[str, Any]) -> str | None:
    """A v1 HPA carrying a spec round-trip annotation is skipped: upstream decodes the JSON in it into
    ``spec.metrics`` / ``spec.behavior`` (and silently drops it when it does not decode); kubecheck does
    not read that JSON, and loading the HPA without it would model another autoscaler."""
    annotations = obj.get("metadata", {}).get("annotations", {})
    for key, field in ((METRIC_SPECS_ANNOTATION, "spec.metrics"), (BEHAVIOR_SPECS_ANNOTATION, "spec.behavior")):
        if key in annotations:
            return (f"annotation {key} (autoscaling/v1's copy of {field}) is not read by kubecheck; "
                    f"write the HPA as autoscaling/v2 with {field}")
    return None


def convert_v1_horizontal_pod_autoscaler_to_autoscaling_horizontal_pod_autoscaler(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Mirrors pkg/apis/autoscaling/v1/conversion.go Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler
    with Convert_v1_HorizontalPodAutoscalerSpec_To_autoscaling_HorizontalPodAutoscalerSpec, and the v1
    defaulting that runs before it (pkg/apis/autoscaling/v1/defaults.go SetDefaults_HorizontalPodAutoscaler:
    ``minReplicas`` 1), on a decoded autoscaling/v1 document; returns an autoscaling/v2 document.

    * ``scaleTargetRef``, ``minReplicas``, ``maxReplicas`` are copied;
    * ``targetCPUUtilizationPercentage: N`` becomes the one metric ``{type: Resource, resource: {name: cpu,
      target: {type: Utilization, averageUtilization: N}}}``;
    * with no metric at all the conversion adds cpu at ``autoscaling.DefaultCPUUtilization`` (80;
      pkg/apis/autoscaling/annotations.go: "the pseudo-defaulting done in v1 conversion"), the same
      metric autoscaling/v2's SetDefaults_HorizontalPodAutoscaler adds;
    * the round-trip annotations are dropped (DropRoundTripHorizontalPodAutoscalerAnnotations); the two
      that carry spec fields never reach here (:func:`_hpa_v1_unread` skips such an HPA), the two that
      carry status would only fill a status the API server resets on create;
    * the status is dropped (the loader reads no HPA status; the create strategy resets it).

    Read: kubernetes/kubernetes pkg/apis/autoscaling/v1/conversion.go (the copy stored here, 6672a99,
    predates the behavior annotation; the current text, with the ``behavior`` annotation, the silent drop
    of an annotation that does not decode and ``DropRoundTripHorizontalPodAutoscalerAnnotations`` at the
    end, read in the fork sanposhiho/kubernetes@059ce4e), pkg/apis/autoscaling/v1/defaults.go (de741dc),
    pkg/apis/autoscaling/annotations.go (78fc8e4) and DropRoundTripHorizontalPodAutoscalerAnnotations
    (pkg/apis/autoscaling/helpers.go).

    >>> out = convert_v1_horizontal_pod_autoscaler_to_autoscaling_horizontal_pod_autoscaler(
    ...     {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
    ...      "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 4,
    ...               "targetCPUUtilizationPercentage": 60}})
    >>> out["apiVersion"], out["spec"]["minReplicas"], out["spec"]["metrics"][0]["resource"]["target"]
    ('autoscaling/v2', 1, {'type': 'Utilization', 'averageUtilization': 60})
    """
    spec = obj.get("spec", {})
    out_spec: dict[str, Any] = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    if out_spec.get("minReplicas") is None:  # v1 SetDefaults_HorizontalPodAutoscaler
        out_spec["minReplicas"] = 1
    cpu = spec.get("targetCPUUtilizationPercentage")
    utilization = DEFAULT_CPU_UTILIZATION if cpu is None else cpu
    out_spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": utilization}}}]
    meta = dict(obj.get("metadata", {}))
    annotations = meta.get("annotations")
    if annotations is not None:
        dropped = (METRIC_SPECS_ANNOTATION, BEHAVIOR_SPECS_ANNOTATION, *_STATUS_ANNOTATIONS)
        meta["annotations"] = {k: v for k, v in annotations.items() if k not in dropped}
    return {"apiVersion": "autoscaling/v2", "kind": obj.get("kind", "HorizontalPodAutoscaler"), "metadata": meta, "spec": out_spec}


#: (apiVersion, kind) -> its conversion to the modelled apiVersion.
CONVERSIONS: Final[Mapping[tuple[str, str], Conversion]] = {
    ("autoscaling/v1", "HorizontalPodAutoscaler"): Conversion(
        HPA_V1_SCHEMA,
        convert_v1_horizontal_pod_autoscaler_to_autoscaling_horizontal_pod_autoscaler,
        _hpa_v1_unread,
        (("spec.metrics", "spec.targetCPUUtilizationPercentage"),),
    ),
}
