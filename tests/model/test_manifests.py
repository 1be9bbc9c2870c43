"""The manifest loader on the shipped examples: every defaulted field, locations, skips, state."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from model.frozen import FrozenMap
from model.labels import LabelSelector, LabelSelectorRequirement
from model.manifests import LoadResult, ManifestError, SourceLocation, load_manifests, load_text
from model.objects import (
    ContainerSpec,
    Deployment,
    DeploymentStrategy,
    Node,
    PersistentVolumeClaim,
    PersistentVolumeClaimTemplate,
    Pod,
    PodTemplate,
    PVCRetentionPolicy,
    ReplicaSet,
    ReplicationController,
    Service,
    StatefulSet,
    StatefulSetUpdateStrategy,
)
from model.state import ClusterState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _load(*paths: str) -> LoadResult:
    result = load_manifests(paths)
    assert result.errors == (), [str(e) for e in result.errors]
    return result


def _only(result: LoadResult, cls: type) -> object:
    found = [o for o in result.objects if isinstance(o, cls)]
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------------------ examples


def test_web_deployment_example_fields() -> None:
    result = _load("examples/web-deployment.yaml")
    d = _only(result, Deployment)
    assert isinstance(d, Deployment)
    assert (d.name, d.namespace, d.uid, d.generation, d.creation_index) == ("web", "default", "", 1, 0)
    assert d.labels == FrozenMap({"app.kubernetes.io/name": "web"})
    assert d.replicas == 3
    assert d.min_ready_seconds == 5
    assert d.selector == LabelSelector(FrozenMap({"app.kubernetes.io/name": "web"}))
    assert d.strategy == DeploymentStrategy("RollingUpdate", max_surge=1, max_unavailable=0)
    assert d.revision_history_limit == 10  # SetDefaults_Deployment
    assert d.progress_deadline_seconds == 600  # SetDefaults_Deployment
    assert d.paused is False
    assert d.template == PodTemplate(
        labels=FrozenMap({"app.kubernetes.io/name": "web"}),
        containers=(ContainerSpec("nginx", "nginx:1.27", readiness_probe=True),),
        restart_policy="Always",  # SetDefaults_PodSpec
        termination_grace_period_seconds=30,  # SetDefaults_PodSpec
    )
    svc = _only(result, Service)
    assert isinstance(svc, Service)
    assert (svc.name, svc.namespace, svc.creation_index) == ("web", "default", 1)
    assert svc.selector == FrozenMap({"app.kubernetes.io/name": "web"})
    assert svc.cluster_ip is None


def test_replicaset_example_fields() -> None:
    rs = _only(_load("examples/replicaset.yaml"), ReplicaSet)
    assert isinstance(rs, ReplicaSet)
    assert (rs.name, rs.namespace, rs.replicas, rs.min_ready_seconds) == ("frontend", "default", 3, 0)
    assert rs.labels == FrozenMap({"app": "guestbook", "tier": "frontend"})
    assert rs.selector == LabelSelector(
        FrozenMap({"tier": "frontend"}),
        (LabelSelectorRequirement("environment", "In", ("production", "staging")),),
    )
    assert rs.template.labels == FrozenMap({"tier": "frontend", "environment": "production"})
    assert rs.template.containers == (
        ContainerSpec("php-redis", "us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5"),
    )
    assert rs.template.restart_policy == "Always"
    assert rs.template.termination_grace_period_seconds == 30


def test_replication_controller_example_defaults_selector_and_labels_from_template() -> None:
    rc = _only(_load("examples/replication-controller.yaml"), ReplicationController)
    assert isinstance(rc, ReplicationController)
    assert (rc.name, rc.replicas, rc.min_ready_seconds) == ("nginx-rc", 2, 0)
    # SetDefaults_ReplicationController: both copied from spec.template.metadata.labels
    assert rc.selector == FrozenMap({"app": "nginx-rc"})
    assert rc.labels == FrozenMap({"app": "nginx-rc"})
    assert rc.template.labels == FrozenMap({"app": "nginx-rc"})
    assert rc.template.containers == (ContainerSpec("nginx", "nginx:1.27"),)


def test_statefulset_example_fields() -> None:
    result = _load("examples/statefulset.yaml")
    ss = _only(result, StatefulSet)
    assert isinstance(ss, StatefulSet)
    assert (ss.name, ss.namespace, ss.replicas, ss.service_name) == ("db", "default", 3, "db")
    assert ss.selector == LabelSelector(FrozenMap({"app": "db"}))
    assert ss.pod_management_policy == "OrderedReady"
    assert ss.update_strategy == StatefulSetUpdateStrategy("RollingUpdate", partition=0, has_rolling_update=True)
    assert ss.persistent_volume_claim_retention_policy == PVCRetentionPolicy("Retain", "Retain")
    assert ss.ordinals_start == 0
    assert ss.revision_history_limit == 10
    assert ss.min_ready_seconds == 0
    assert ss.template.termination_grace_period_seconds == 10  # written, not defaulted
    assert ss.template.containers == (ContainerSpec("postgres", "postgres:16"),)
    assert ss.volume_claim_templates == (
        PersistentVolumeClaimTemplate(name="data", storage="1Gi", access_modes=("ReadWriteOnce",), storage_class_name="standard"),
    )
    svc = _only(result, Service)
    assert isinstance(svc, Service)
    assert (svc.name, svc.cluster_ip, svc.selector) == ("db", "None", FrozenMap({"app": "db"}))
    assert svc.labels == FrozenMap({"app": "db"})


def test_mixed_list_example_items_and_skips() -> None:
    result = _load("examples/mixed-list.yaml")
    assert [type(o) for o in result.objects] == [Node, Deployment, PersistentVolumeClaim, Pod]
    node, dep, pvc, pod = result.objects
    assert (node.name, node.namespace, node.ready, node.unschedulable, node.pod_capacity) == ("node-1", "", True, False, 20)
    assert (dep.name, dep.namespace, dep.replicas) == ("api", "shop", 1)
    assert dep.strategy == DeploymentStrategy("RollingUpdate", "25%", "25%")
    assert (dep.revision_history_limit, dep.progress_deadline_seconds, dep.min_ready_seconds) == (10, 600, 0)
    assert (pvc.name, pvc.namespace, pvc.storage, pvc.access_modes, pvc.storage_class_name) == (
        "uploads", "shop", "5Gi", ("ReadWriteOnce",), None)
    assert (pod.name, pod.namespace, pod.node_name, pod.restart_policy, pod.phase) == ("debug", "shop", "node-1", "Always", "Pending")
    assert pod.termination_grace_period_seconds == 30
    assert pod.spec_containers == (ContainerSpec("shell", "busybox:1.36"),)
    assert [o.creation_index for o in result.objects] == [0, 1, 2, 3]
    assert len(result.skipped) == 1
    skipped = result.skipped[0]
    assert (skipped.kind, skipped.name, skipped.line, skipped.file) == ("ConfigMap", "api-config", 31, "examples/mixed-list.yaml")
    # locations of list items are relative to the item
    assert result.locations[("Deployment", "shop", "api")].line == 16
    assert result.location("Deployment", "shop", "api", "spec.template.spec.containers[0].image").line == 30


def test_with_configmap_example_skips_the_configmap() -> None:
    result = _load("examples/with-configmap.yaml")
    d = _only(result, Deployment)
    assert isinstance(d, Deployment)
    assert (d.name, d.replicas) == ("worker", 2)
    assert d.strategy.type == "Recreate"
    assert d.creation_index == 0
    assert [(s.kind, s.name, s.line, s.reason) for s in result.skipped] == [
        ("ConfigMap", "worker-config", 3, "kind not modelled by kubecheck")
    ]


def test_examples_directory_loads_sorted_and_without_duplicates() -> None:
    # The top-level examples only: examples/violations/ and examples/scenarios/ belong to the CLI.
    top = sorted(str(p) for p in Path("examples").glob("*.yaml"))
    result = _load(*top)
    assert list(result.files) == sorted(result.files)
    assert result.files[0] == "examples/mixed-list.yaml"
    assert len(result.objects) == 11
    state = result.to_state()
    assert isinstance(state, ClusterState)
    assert state.summary() == {
        "Pod": 1, "ReplicaSet": 1, "ReplicationController": 1, "Deployment": 3, "StatefulSet": 1,
        "PersistentVolumeClaim": 1, "Node": 1, "Service": 2,
    }
    web = state.get("Deployment", "default", "web")
    assert web.uid.startswith("uid-")
    assert len({o.uid for o in state.all_objects()}) == 11


# ------------------------------------------------------------------------- locations


def test_field_locations_point_at_the_written_line() -> None:
    result = _load("examples/web-deployment.yaml")
    loc = result.locations[("Deployment", "default", "web")]
    assert isinstance(loc, SourceLocation)
    assert (loc.file, loc.line, loc.column) == ("examples/web-deployment.yaml", 3, 1)
    assert loc.line_of("spec.strategy.rollingUpdate.maxUnavailable") == 19
    assert loc.line_of("spec.replicas") == 10
    # a defaulted field has no line of its own: its nearest written ancestor's line is used
    assert loc.line_of("spec.revisionHistoryLimit") == 9
    assert loc.line_of("spec.template.spec.containers[0].readinessProbe.httpGet.port") == 33
    assert str(loc) == "examples/web-deployment.yaml:3"
    assert result.locations[("Service", "default", "web")].line == 35


def test_stdin_is_read_for_dash() -> None:
    text = (ROOT / "examples/replicaset.yaml").read_text()
    result = load_manifests(["-"], stdin=io.StringIO(text))
    assert result.files == ("<stdin>",)
    assert [o.name for o in result.objects] == ["frontend"]
    assert result.locations[("ReplicaSet", "default", "frontend")].file == "<stdin>"


def test_default_namespace_is_configurable_and_nodes_are_cluster_scoped() -> None:
    text = """
apiVersion: v1
kind: Node
metadata: {name: n1, namespace: ignored}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {clusterIP: None}
"""
    result = load_text(text, "t.yaml", default_namespace="team-a")
    assert result.errors == ()
    node, svc = result.objects
    assert (node.namespace, svc.namespace) == ("", "team-a")
    assert set(result.locations) == {("Node", "", "n1"), ("Service", "team-a", "s")}


@pytest.mark.parametrize(
    ("api_version", "kind", "reason"),
    [
        ("extensions/v1beta1", "Deployment",
         "apiVersion extensions/v1beta1 was removed in Kubernetes 1.16 (kubectl apply fails on 1.16 and later); use apps/v1"),
        ("apps/v1alpha1", "StatefulSet", "apiVersion apps/v1alpha1 is not modelled (kubecheck loads apps/v1 StatefulSet)"),
        ("networking.k8s.io/v1", "Ingress", "kind not modelled by kubecheck"),
        ("example.com/v1", "Widget", "kind not modelled by kubecheck"),
        ("apps/v1beta1", "DaemonSet", "apiVersion apps/v1beta1 is not modelled (kubecheck loads apps/v1 DaemonSet)"),
        ("batch/v1", "Job", "kind not modelled by kubecheck"),
    ],
)
def test_other_kinds_and_versions_are_skipped_not_errors(api_version: str, kind: str, reason: str) -> None:
    result = load_text(f"# c\napiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\nspec: 42\n", "s.yaml")
    assert result.errors == () and result.objects == ()
    assert [(s.file, s.line, s.kind, s.name, s.reason) for s in result.skipped] == [("s.yaml", 2, kind, "x", reason)]
    assert str(result.skipped[0]) == f"s.yaml:2: skipped {kind} x: {reason}"


def test_json_manifests_with_tabs_load() -> None:
    text = '{\n\t"apiVersion": "v1",\n\t"kind": "Service",\n\t"metadata": {"name": "j"},\n\t"spec": {"ports": [{"port": 80}]}\n}\n'
    result = load_text(text, "svc.json")
    assert result.errors == ()
    assert result.location("Service", "default", "j", "spec.ports[0].port").line == 5


def test_yaml_anchors_and_merge_keys_are_expanded() -> None:
    text = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, labels: &l {app: a}}
spec:
  replicas: 2
  selector: {matchLabels: *l}
  template:
    metadata:
      labels:
        <<: *l
        extra: "yes"
    spec: {containers: [{name: c, image: i}]}
"""
    result = load_text(text, "a.yaml")
    assert result.errors == ()
    rs = result.objects[0]
    assert rs.selector.match_labels == FrozenMap({"app": "a"})
    assert rs.template.labels == FrozenMap({"app": "a", "extra": "yes"})


def test_explicit_rolling_update_type_keeps_statefulset_rolling_update_nil() -> None:
    base = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}
"""
    explicit = load_text(base + "  updateStrategy: {type: RollingUpdate}\n", "s.yaml").objects[0]
    defaulted = load_text(base, "s.yaml").objects[0]
    on_delete = load_text(base + "  updateStrategy: {type: OnDelete}\n", "s.yaml").objects[0]
    assert explicit.update_strategy == StatefulSetUpdateStrategy("RollingUpdate", 0, None, has_rolling_update=False)
    assert defaulted.update_strategy == StatefulSetUpdateStrategy("RollingUpdate", 0, None, has_rolling_update=True)
    assert on_delete.update_strategy.type == "OnDelete"
    assert on_delete.update_strategy.has_rolling_update is False


def test_status_in_manifests_is_ignored_like_on_create() -> None:
    text = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, uid: abc, generation: 7, creationTimestamp: null}
spec:
  selector: {matchLabels: {a: b}}
  template: {metadata: {labels: {a: b}, creationTimestamp: null}, spec: {containers: [{name: c, image: i}]}}
status: {replicas: 99, availableReplicas: 99}
"""
    result = load_text(text, "d.yaml")
    assert result.errors == ()
    d = result.objects[0]
    assert (d.uid, d.generation, d.status.replicas, d.status.available_replicas) == ("", 1, 0, 0)


def test_to_state_refuses_a_broken_load() -> None:
    result = load_text("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "p.yaml")
    assert not result.ok
    with pytest.raises(ManifestError) as info:
        result.to_state()
    assert str(info.value) == "p.yaml:3: metadata.name: required value: name or generateName is required"
    assert info.value.all_errors == result.errors  # type: ignore[attr-defined]


def test_manifest_error_is_one_line_and_a_value_error() -> None:
    e = ManifestError("a.yaml", 3, "spec.replicas", "bad\nvalue", column=5)
    assert str(e) == "a.yaml:3: spec.replicas: bad value"
    assert isinstance(e, ValueError)
    assert str(ManifestError("a.yaml", None, None, "no such file or directory")) == "a.yaml: no such file or directory"


def test_missing_path_is_an_error_not_an_exception() -> None:
    result = load_manifests(["does/not/exist.yaml"])
    assert [str(e) for e in result.errors] == ["does/not/exist.yaml: no such file or directory"]


def test_empty_documents_and_empty_lists_are_fine() -> None:
    result = load_text("---\n---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems: []\n", "e.yaml")
    assert (result.objects, result.skipped, result.errors) == ((), (), ())


def test_integral_floats_are_integers_but_fractions_are_type_errors() -> None:
    base = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: r}}\nspec:\n  replicas: {}\n  selector: {{matchLabels: {{a: b}}}}\n  template: {{metadata: {{labels: {{a: b}}}}, spec: {{containers: [{{name: c, image: i}}]}}}}\n"
    assert load_text(base.format("3.0"), "r.yaml").objects[0].replicas == 3
    assert [str(e) for e in load_text(base.format("2.5"), "r.yaml").errors] == [
        "r.yaml:5: spec.replicas: expected integer, got number 2.5"
    ]
    assert [str(e) for e in load_text(base.format("4294967296"), "r.yaml").errors] == [
        "r.yaml:5: spec.replicas: invalid value 4294967296: out of range for a 32-bit integer"
    ]


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("web", "web"),
        ("'y'", "y"),
        ("y", True),  # go-yaml v2 (sigs.k8s.io/yaml) resolves plain y/n as booleans
        ("yes", True),
        ("off", False),
        ("0x10", 16),
        ("010", 8),  # YAML 1.1 octal, as in go-yaml v2
        ("1:30", "1:30"),  # YAML 1.1 sexagesimal: go-yaml v2 keeps a string
        ("2001-12-14", "2001-12-14"),  # timestamps reach the JSON decoder as strings
        ("~", None),
        ("3.0", 3.0),
    ],
)
def test_yaml_scalars_resolve_as_go_yaml_v2_does(scalar: str, expected: object) -> None:
    from model.manifests import _documents

    (doc,) = list(_documents(f"v: {scalar}\n", "s.yaml"))
    assert not isinstance(doc, ManifestError)
    assert doc.value == {"v": expected}
    assert type(doc.value["v"]) is type(expected)


def test_boolean_where_a_label_value_is_expected_is_a_type_error() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {debug: y, q: 'y'}}\nspec: {clusterIP: None}\n"
    assert [str(e) for e in load_text(text, "s.yaml").errors] == ["s.yaml:3: metadata.labels.debug: expected string, got boolean"]


def test_on_as_a_key_becomes_the_string_true() -> None:
    from model.manifests import _documents

    (doc,) = list(_documents("on: 1\n", "s.yaml"))
    assert not isinstance(doc, ManifestError)
    assert doc.value == {"true": 1}


# A key written twice in one mapping: kubectl converts YAML to JSON with sigs.k8s.io/yaml's
# non-strict yaml.Unmarshal (k8s.io/apimachinery/pkg/util/yaml decoder.go, YAMLToJSONDecoder.Decode),
# where go-yaml v2 sets the map entry again: the last value wins, with no error.  Found on a real
# manifest: aws-containers/retail-store-sample-app dist/kubernetes/deploy.yaml (every release
# 0.3.0 to 0.8.4) writes CARTS_DYNAMODB_CREATETABLE twice in a ConfigMap's data.
_DUPLICATED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {tier: a, tier: b}
spec:
  replicas: 5
  minReadySeconds: 7
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx:2}]
  replicas: 2
  replicas: 3
"""


def test_a_repeated_key_in_a_manifest_takes_the_last_value_as_kubectl_does() -> None:
    result = load_text(_DUPLICATED, "d.yaml")
    assert result.errors == ()
    (d,) = result.objects
    assert isinstance(d, Deployment)
    assert (d.replicas, d.labels) == (3, FrozenMap({"tier": "b"}))
    # the second spec replaces the first as a whole (not merged): minReadySeconds is back to its default
    assert (d.min_ready_seconds, d.template.containers[0].image) == (0, "nginx:2")
    assert result.location("Deployment", "default", "web", "spec.replicas").line == 20
    assert result.location("Deployment", "default", "web", "spec").line == 13


def test_an_error_in_the_repeated_value_points_at_the_last_occurrence() -> None:
    text = _DUPLICATED.replace("  replicas: 3\n", "  replicas: -1\n")
    assert [str(e) for e in load_text(text, "d.yaml").errors] == [
        "d.yaml:20: spec.replicas: invalid value -1: must be greater than or equal to 0"
    ]
    # the first occurrence's value is gone: an invalid value there is no error (kubectl never sees it)
    assert load_text(_DUPLICATED.replace("  replicas: 5\n", "  replicas: -5\n"), "d.yaml").errors == ()


def test_a_repeated_key_in_a_json_manifest_takes_the_last_value() -> None:
    text = (
        '{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {"replicas": 1, "replicas": 4,\n'
        '"selector": {"matchLabels": {"app": "r"}}, "template": {"metadata": {"labels": {"app": "r"}},\n'
        '"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}\n'
    )
    result = load_text(text, "r.json")
    assert result.errors == ()
    assert result.objects[0].replicas == 4


def test_our_own_yaml_files_still_refuse_a_repeated_key() -> None:
    from model.manifests import load_yaml_document

    with pytest.raises(ManifestError, match=r'^s\.yaml:2: name: duplicate key "name" \(first at line 1\)$'):
        load_yaml_document("name: a\nname: b\n", "s.yaml")
