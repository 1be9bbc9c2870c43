"""Loading HorizontalPodAutoscalers: decoding, autoscaling/v2 defaulting and
pkg/apis/autoscaling/validation messages (one line FILE:LINE: FIELD: message each)."""

from __future__ import annotations

from model.manifests import load_text
from model.objects import HorizontalPodAutoscaler, HPAScalingPolicy

HEAD = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n")


def _load(spec: str):
    return load_text(HEAD + spec, "hpa.yaml")


def _errors(spec: str) -> list[str]:
    return [str(e) for e in _load(spec).errors]


def test_defaults_min_replicas_1_and_cpu_80_percent() -> None:
    """SetDefaults_HorizontalPodAutoscaler: minReplicas 1, no metrics -> cpu Utilization 80; no behavior stays nil."""
    [hpa] = _load("  maxReplicas: 3\n").objects
    assert isinstance(hpa, HorizontalPodAutoscaler)
    assert hpa.min_replicas == 1 and hpa.max_replicas == 3 and hpa.behavior is None
    assert hpa.scale_target_ref == ("apps/v1", "Deployment", "web")
    [m] = hpa.metrics
    assert (m.resource, m.target_type, m.average_utilization) == ("cpu", "Utilization", 80)


def test_behavior_is_completed_with_the_default_rules() -> None:
    """GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: unset fields take the defaults."""
    [hpa] = _load("  maxReplicas: 3\n  behavior:\n    scaleDown: {stabilizationWindowSeconds: 60}\n").objects
    up, down = hpa.behavior.scale_up, hpa.behavior.scale_down
    assert (up.stabilization_window_seconds, up.select_policy) == (0, "Max")
    assert up.policies == (HPAScalingPolicy("Pods", 4, 15), HPAScalingPolicy("Percent", 100, 15))
    assert (down.stabilization_window_seconds, down.policies) == (60, (HPAScalingPolicy("Percent", 100, 15),))
    [hpa] = _load("  maxReplicas: 3\n  behavior:\n    scaleUp: {selectPolicy: Disabled}\n").objects
    assert hpa.behavior.scale_down.stabilization_window_seconds is None  # the controller's flag (300 s) applies


def test_average_value_target_is_a_milli_value() -> None:
    spec = "  maxReplicas: 3\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: AverageValue, averageValue: 500m}}\n"
    [hpa] = _load(spec).objects
    assert (hpa.metrics[0].target_type, hpa.metrics[0].average_value_milli) == ("AverageValue", 500)


def test_validation_messages() -> None:
    """validateHorizontalPodAutoscalerSpec, validateMetricTarget, validateScalingRules, validateScalingPolicy."""
    assert _errors("  minReplicas: 0\n  maxReplicas: 3\n") == ["hpa.yaml:6: spec.minReplicas: invalid value 0: must be greater than or equal to 1"]
    assert _errors("  minReplicas: 4\n  maxReplicas: 3\n") == ["hpa.yaml:7: spec.maxReplicas: invalid value 3: must be greater than or equal to `minReplicas`"]
    assert _errors("  maxReplicas: 0\n") == ["hpa.yaml:6: spec.maxReplicas: invalid value 0: must be greater than 0",
                                             "hpa.yaml:6: spec.maxReplicas: invalid value 0: must be greater than or equal to `minReplicas`"]
    errs = _errors("  maxReplicas: 3\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}\n")
    assert errs == ["hpa.yaml:9: spec.metrics[0].resource.target.averageUtilization: invalid value 0: must be greater than 0"]
    errs = _errors("  maxReplicas: 3\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization}}\n")
    assert errs == ["hpa.yaml:9: spec.metrics[0].resource.target.averageUtilization: required value: must set either a target raw value or a target utilization"]
    errs = _errors("  maxReplicas: 3\n  behavior:\n    scaleUp:\n      stabilizationWindowSeconds: 4000\n      selectPolicy: Sometimes\n"
                   "      policies: [{type: Pods, value: 0, periodSeconds: 2000}]\n")
    assert errs == [
        "hpa.yaml:9: spec.behavior.scaleUp.stabilizationWindowSeconds: invalid value 4000: must be less than or equal to 3600",
        'hpa.yaml:10: spec.behavior.scaleUp.selectPolicy: Unsupported value: "Sometimes": supported values: "Disabled", "Max", "Min"',
        "hpa.yaml:11: spec.behavior.scaleUp.policies[0].value: invalid value 0: must be greater than zero",
        "hpa.yaml:11: spec.behavior.scaleUp.policies[0].periodSeconds: invalid value 2000: must be less than or equal to 1800",
    ]
    assert _errors("  maxReplicas: 3\n  behavior:\n    scaleDown: {policies: []}\n") == [
        "hpa.yaml:8: spec.behavior.scaleDown.policies: required value: must specify at least one Policy"]


def test_scale_target_ref_required() -> None:
    r = load_text("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {maxReplicas: 2}\n", "h.yaml")
    assert [str(e) for e in r.errors] == ["h.yaml:4: spec.scaleTargetRef.kind: required value", "h.yaml:4: spec.scaleTargetRef.name: required value"]


def test_other_metric_sources_are_loaded_at_their_target_not_skipped() -> None:
    # an HPA holds its target within minReplicas..maxReplicas whatever its metrics (reconcileAutoscaler): skipping one
    # on a Pods metric left its Deployment at spec.replicas (or 1), where upstream runs minReplicas
    spec = ("  minReplicas: 2\n  maxReplicas: 3\n  metrics:\n  - type: Pods\n    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: '10'}}\n"
            "  - type: External\n    external: {metric: {name: queue}, target: {type: Value, value: '30'}}\n"
            "  - type: Object\n    object: {describedObject: {kind: Service, name: web}, metric: {name: rps}, target: {type: Value, value: '5'}}\n"
            "  - type: ContainerResource\n    containerResource: {name: cpu, container: app, target: {type: Utilization, averageUtilization: 60}}\n")
    r = _load(spec)
    assert r.errors == () and r.skipped == ()
    [hpa] = r.objects
    assert [(m.resource, m.target_type) for m in hpa.metrics] == [
        ("Pods qps", "AtTarget"), ("External queue", "AtTarget"), ("Object rps", "AtTarget"), ("ContainerResource cpu", "AtTarget")]
    assert (hpa.min_replicas, hpa.max_replicas) == (2, 3)


def test_startup_usage_annotation_must_be_an_integer() -> None:
    text = HEAD.replace("metadata: {name: web}", "metadata: {name: web, annotations: {kubecheck.io/startup-usage: lots}}") + "  maxReplicas: 3\n"
    [err] = load_text(text, "h.yaml").errors
    assert str(err).startswith("h.yaml:") and "metadata.annotations[kubecheck.io/startup-usage]: invalid value 'lots'" in str(err)
    [hpa] = load_text(text.replace("lots", "'250'"), "h.yaml").objects
    assert hpa.startup_usage == 250
