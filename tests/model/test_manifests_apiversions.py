"""apiVersions other than the modelled one (model/conversion.py): removed versions are skipped with the
release that removed them and what to write instead; autoscaling/v1 HorizontalPodAutoscalers are converted
to autoscaling/v2 as the API server converts them (pkg/apis/autoscaling/v1/conversion.go), with errors on
the fields as written."""

from __future__ import annotations

import pytest

from model.conversion import REMOVED_API_VERSIONS, convert_v1_horizontal_pod_autoscaler_to_autoscaling_horizontal_pod_autoscaler
from model.manifests import MODELLED_KINDS, load_text
from model.objects import HorizontalPodAutoscaler
from model.versions import SUPPORTED_VERSIONS, parse_version

REF = "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"


def _hpa(api_version: str, spec: str, metadata: str = "{name: web}") -> str:
    return f"apiVersion: {api_version}\nkind: HorizontalPodAutoscaler\nmetadata: {metadata}\nspec:\n{REF}{spec}"


V2_CPU = "  metrics:\n  - type: Resource\n    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: {}}}}}\n"


# ------------------------------------------------------------------------------- removed versions


@pytest.mark.parametrize(
    ("api_version", "kind", "reason"),
    [
        ("extensions/v1beta1", "Deployment", "apiVersion extensions/v1beta1 was removed in Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1"),
        ("apps/v1beta1", "StatefulSet", "apiVersion apps/v1beta1 was removed in Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1"),
        ("apps/v1beta2", "DaemonSet", "apiVersion apps/v1beta2 was removed in Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1"),
        ("apps/v1beta2", "ReplicaSet", "apiVersion apps/v1beta2 was removed in Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1"),
        ("policy/v1beta1", "PodDisruptionBudget", "apiVersion policy/v1beta1 was removed in Kubernetes 1.25 (kubectl apply fails on 1.25 and later); use policy/v1"),
        ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "apiVersion autoscaling/v2beta1 was removed in Kubernetes 1.25 (kubectl apply fails on 1.25 and later); use autoscaling/v2"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "apiVersion autoscaling/v2beta2 was removed in Kubernetes 1.26 (kubectl apply fails on 1.26 and later); use autoscaling/v2"),
    ],
)
def test_a_removed_api_version_is_skipped_naming_the_release_and_the_replacement(api_version: str, kind: str, reason: str) -> None:
    result = load_text(f"# c\napiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\nspec: 42\n", "s.yaml")
    assert result.errors == () and result.objects == ()
    [skip] = result.skipped
    assert str(skip) == f"s.yaml:2: skipped {kind} x: {reason}"


def test_the_removal_table_is_the_deprecation_guides() -> None:
    """deprecation-guide.md, per kind: v1.16 (extensions/v1beta1, apps/v1beta1, apps/v1beta2 Deployment and
    ReplicaSet; extensions/v1beta1, apps/v1beta2 DaemonSet; apps/v1beta1, apps/v1beta2 StatefulSet), v1.25
    (policy/v1beta1 PodDisruptionBudget, autoscaling/v2beta1 HPA), v1.26 (autoscaling/v2beta2 HPA)."""
    by_release: dict[int, set[tuple[str, str]]] = {}
    for key, (minor, replacement) in REMOVED_API_VERSIONS.items():
        by_release.setdefault(minor, set()).add(key)
        assert key[1] in MODELLED_KINDS and replacement == MODELLED_KINDS[key[1]], key
    assert by_release == {
        16: {(g, k) for k in ("Deployment", "ReplicaSet") for g in ("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2")}
        | {("extensions/v1beta1", "DaemonSet"), ("apps/v1beta2", "DaemonSet"), ("apps/v1beta1", "StatefulSet"), ("apps/v1beta2", "StatefulSet")},
        25: {("policy/v1beta1", "PodDisruptionBudget"), ("autoscaling/v2beta1", "HorizontalPodAutoscaler")},
        26: {("autoscaling/v2beta2", "HorizontalPodAutoscaler")},
    }


def test_every_modelled_kubernetes_version_is_past_every_removal() -> None:
    """The reason says "removed" unconditionally: were a version before a removal ever modelled, it
    would have to say "still served there, not modelled by kubecheck" instead (model/conversion.py)."""
    oldest = min(parse_version(v)[1] for v in SUPPORTED_VERSIONS)
    assert all(oldest >= minor for minor, _ in REMOVED_API_VERSIONS.values())


def test_a_version_never_served_keeps_the_not_modelled_reason() -> None:
    [skip] = load_text("apiVersion: apps/v1beta1\nkind: DaemonSet\nmetadata: {name: x}\n", "s.yaml").skipped
    assert skip.reason == "apiVersion apps/v1beta1 is not modelled (kubecheck loads apps/v1 DaemonSet)"


def test_nothing_loaded_shows_the_first_skip_of_a_modelled_kind() -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
            "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n")
    line = load_text(text, "f.yaml").nothing_loaded("f.yaml")
    assert "\n" not in line and line.startswith("nothing to check in f.yaml: kubecheck models none of its objects (skipped: 1 ConfigMap, 1 Deployment;")
    assert line.endswith("; first of a modelled kind: f.yaml:5: skipped Deployment web: apiVersion extensions/v1beta1 "
                         "was removed in Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1")


# -------------------------------------------------------------------------- autoscaling/v1 HPA


@pytest.mark.parametrize(
    ("v1_spec", "v2_spec"),
    [
        ("  minReplicas: 2\n  maxReplicas: 5\n  targetCPUUtilizationPercentage: 60\n", "  minReplicas: 2\n  maxReplicas: 5\n" + V2_CPU.format(60)),
        # no target: the conversion's pseudo-default, cpu at autoscaling.DefaultCPUUtilization (80)
        ("  minReplicas: 2\n  maxReplicas: 5\n", "  minReplicas: 2\n  maxReplicas: 5\n" + V2_CPU.format(80)),
        # v1 SetDefaults_HorizontalPodAutoscaler: minReplicas 1
        ("  maxReplicas: 3\n  targetCPUUtilizationPercentage: 1\n", "  minReplicas: 1\n  maxReplicas: 3\n" + V2_CPU.format(1)),
    ],
)
def test_a_v1_hpa_is_the_model_object_of_its_v2_equivalent(v1_spec: str, v2_spec: str) -> None:
    v1, v2 = load_text(_hpa("autoscaling/v1", v1_spec), "v1.yaml"), load_text(_hpa("autoscaling/v2", v2_spec), "v2.yaml")
    assert v1.errors == v2.errors == () and v1.skipped == ()
    assert v1.objects == v2.objects and isinstance(v1.objects[0], HorizontalPodAutoscaler)
    # locations are those of the v1 document as written
    assert v1.location("HorizontalPodAutoscaler", "default", "web", "spec.maxReplicas").line == v1_spec.count("\n", 0, v1_spec.index("maxReplicas")) + 6


def test_no_target_gives_cpu_at_80_percent_and_min_replicas_1() -> None:
    """v1/defaults.go SetDefaults_HorizontalPodAutoscaler (minReplicas 1; "we apply a default for CPU
    utilization in conversion") and conversion.go's `len(out.Spec.Metrics) == 0` branch."""
    [hpa] = load_text(_hpa("autoscaling/v1", "  maxReplicas: 4\n"), "h.yaml").objects
    [m] = hpa.metrics
    assert (hpa.min_replicas, hpa.max_replicas, hpa.behavior) == (1, 4, None)
    assert (m.resource, m.target_type, m.average_utilization, m.average_value_milli) == ("cpu", "Utilization", 80, None)


@pytest.mark.parametrize(
    ("min_replicas", "expected"),
    [(None, 1), (3, 3)],  # TestSetDefaultHPA (pkg/apis/autoscaling/v1/defaults_test.go)
)
def test_set_default_hpa_table(min_replicas: int | None, expected: int) -> None:
    spec = {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5}
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    out = convert_v1_horizontal_pod_autoscaler_to_autoscaling_horizontal_pod_autoscaler({"metadata": {"name": "h"}, "spec": spec})
    assert out["spec"]["minReplicas"] == expected


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        # validateMetricTarget on the converted metric, reported on the v1 field
        ("  maxReplicas: 3\n  targetCPUUtilizationPercentage: 0\n", "h.yaml:7: spec.targetCPUUtilizationPercentage: invalid value 0: must be greater than 0"),
        ("  maxReplicas: 3\n  targetCPUUtilizationPercentage: -5\n", "h.yaml:7: spec.targetCPUUtilizationPercentage: invalid value -5: must be greater than 0"),
        # decode against the v1 schema: the type error and an autoscaling/v2 field name the v1 document
        ("  maxReplicas: 3\n  targetCPUUtilizationPercentage: high\n", 'h.yaml:7: spec.targetCPUUtilizationPercentage: expected integer, got string "high"'),
        ("  maxReplicas: 3\n  metrics: []\n", "h.yaml:7: spec.metrics: unknown field"),
        # fields v1 and v2 share keep their paths
        ("  minReplicas: 0\n  maxReplicas: 3\n", "h.yaml:6: spec.minReplicas: invalid value 0: must be greater than or equal to 1"),
    ],
)
def test_a_bad_v1_field_is_one_line_at_its_line(spec: str, error: str) -> None:
    result = load_text(_hpa("autoscaling/v1", spec), "h.yaml")
    assert [str(e) for e in result.errors] == [error] and result.objects == ()


def test_the_spec_round_trip_annotations_skip_the_hpa_and_the_status_ones_are_dropped() -> None:
    for key, field in (("autoscaling.alpha.kubernetes.io/metrics", "spec.metrics"), ("autoscaling.alpha.kubernetes.io/behavior", "spec.behavior")):
        text = _hpa("autoscaling/v1", "  maxReplicas: 3\n", f"{{name: web, annotations: {{{key}: '[]'}}}}")
        result = load_text(text, "h.yaml")
        assert result.errors == () and result.objects == ()
        [skip] = result.skipped
        assert str(skip) == (f"h.yaml:1: skipped HorizontalPodAutoscaler web: annotation {key} (autoscaling/v1's copy of "
                             f"{field}) is not read by kubecheck; write the HPA as autoscaling/v2 with {field}")
    meta = "{name: web, annotations: {autoscaling.alpha.kubernetes.io/conditions: '[]', kubecheck.io/startup-usage: '30'}}"
    [hpa] = load_text(_hpa("autoscaling/v1", "  maxReplicas: 3\n", meta), "h.yaml").objects
    assert dict(hpa.annotations) == {"kubecheck.io/startup-usage": "30"} and hpa.startup_usage == 30
