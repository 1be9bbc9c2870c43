"""Upstream validation test cases (issue #20 item 7), ported with their upstream names.

Sources: kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go (TestValidateDeployment,
TestValidateReplicaSet, TestValidateStatefulSet), pkg/apis/core/validation/validation_test.go
(TestValidateReplicationController), staging/src/k8s.io/apimachinery/pkg/util/validation
(IsValidPercent), pkg/apis/apps/v1/conversion.go (the deprecated rollback annotation).

Upstream objects are internal types; here they are the apps/v1 YAML dicts the loader decodes, so
``Spec.RollbackTo.Revision = -3`` is the ``deprecated.deployment.rollback.to: "-3"`` annotation.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from model.defaults import (
    set_defaults_deployment,
    set_defaults_replica_set,
    set_defaults_replication_controller,
    set_defaults_stateful_set,
)
from model.manifests import ensure_object_namespace_matches_request_namespace, load_text
from model.validation import (
    convert_v1_deployment_to_apps_deployment,
    is_valid_percent,
    parse_int64,
    validate_deployment,
    validate_node,
    validate_replica_set,
    validate_replication_controller,
    validate_rollback,
    validate_stateful_set,
)

_TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"name": "abc"}},
    "spec": {"containers": [{"name": "ctr", "image": "image"}]},
}


def _valid_deployment() -> dict[str, Any]:
    """validDeployment(): name abc in the default namespace, RollingUpdate 1/1, rollbackTo revision 1."""
    return {
        "metadata": {
            "name": "abc",
            "namespace": "default",
            "annotations": {"deprecated.deployment.rollback.to": "1"},
        },
        "spec": {
            "selector": {"matchLabels": {"name": "abc"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}},
            "template": copy.deepcopy(_TEMPLATE),
        },
    }


def _errors_of_deployment(d: dict[str, Any]) -> list[str]:
    return [str(e) for e in validate_deployment(set_defaults_deployment(d))]


def test_validate_deployment_success_case() -> None:
    assert _errors_of_deployment(_valid_deployment()) == []


def _tweak(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    d = _valid_deployment()
    node = d
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return d


# TestValidateDeployment errorCases: key -> deployment; upstream asserts errs[0].Error() contains the key.
_DEPLOYMENT_ERROR_CASES: dict[str, dict[str, Any]] = {
    "`selector` does not match template `labels`": _tweak(("spec", "selector"), {"matchLabels": {"name": "def"}}),
    'Unsupported value: "Never"': _tweak(("spec", "template", "spec", "restartPolicy"), "Never"),
    'supported values: "Recreate", "RollingUpdate"': _tweak(("spec", "strategy"), {"type": "randomType"}),
    "may not be specified when strategy `type` is 'Recreate'": _tweak(
        ("spec", "strategy"), {"type": "Recreate", "rollingUpdate": {}}),
    "a valid percent string must be": _tweak(
        ("spec", "strategy"), {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "20Percent"}}),
    "may not be 0 when `maxSurge` is 0": _tweak(
        ("spec", "strategy"), {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "0%", "maxUnavailable": 0}}),
    "must not be greater than 100%": _tweak(
        ("spec", "strategy"), {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "110%"}}),
    "must be greater than or equal to 0": _tweak(("metadata", "annotations", "deprecated.deployment.rollback.to"), "-3"),
    "must be greater than minReadySeconds": _tweak(("spec", "minReadySeconds"), 600) | {},
}
_DEPLOYMENT_ERROR_CASES["must be greater than minReadySeconds"]["spec"]["progressDeadlineSeconds"] = 600


@pytest.mark.parametrize("key", sorted(_DEPLOYMENT_ERROR_CASES))
def test_validate_deployment_error_cases(key: str) -> None:
    errs = _errors_of_deployment(_DEPLOYMENT_ERROR_CASES[key])
    assert errs, f"[{key}] expected failure"
    assert key in errs[0]


def test_validate_deployment_missing_name() -> None:
    """errorCases["metadata.name: Required value"]: our kinds other than NotSupported stay lower case."""
    errs = [str(e) for e in validate_deployment({"metadata": {"namespace": "default"}, "spec": {}})]
    assert errs[0] == "metadata.name: required value: name or generateName is required"


def test_validate_deployment_error_messages_are_upstream_verbatim() -> None:
    """The two wordings of issue #20: the full upstream text, not just its start."""
    assert _errors_of_deployment(_DEPLOYMENT_ERROR_CASES['Unsupported value: "Never"']) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']
    assert _errors_of_deployment(_DEPLOYMENT_ERROR_CASES["a valid percent string must be"]) == [
        "spec.strategy.rollingUpdate.maxSurge: invalid value \"20Percent\": a valid percent string must be a numeric "
        "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]
    assert _errors_of_deployment(_DEPLOYMENT_ERROR_CASES["must be greater than or equal to 0"]) == [
        "spec.rollback.version: invalid value -3: must be greater than or equal to 0"]


@pytest.mark.parametrize(("value", "ok"), [("1%", True), ("93%", True), ("0%", True), ("20Percent", False),
                                           ("-1%", False), ("2.5%", False), ("%", False), ("25", False)])
def test_is_valid_percent(value: str, ok: bool) -> None:
    assert (is_valid_percent(value) == []) is ok


# ------------------------------------------------------------------- rollback (ValidateRollback)


@pytest.mark.parametrize(("revision", "errors"), [
    (0, []), (1, []), (-1, ["rollback.version: invalid value -1: must be greater than or equal to 0"]),
])
def test_validate_rollback(revision: int, errors: list[str]) -> None:
    assert [str(e) for e in validate_rollback({"revision": revision}, "rollback")] == errors


@pytest.mark.parametrize(("value", "expected"), [
    ("7", 7), ("+7", 7), ("-3", -3), ("0", 0), ("9223372036854775807", 9223372036854775807),
    ("9223372036854775808", None), ("7.0", None), ("0x10", None), (" 7", None), ("last", None),
])
def test_parse_int64_is_strconv_parse_int(value: str, expected: int | None) -> None:
    assert parse_int64(value)[0] == expected


def test_convert_v1_deployment_to_apps_deployment_reads_the_deprecated_annotation() -> None:
    spec, errs = convert_v1_deployment_to_apps_deployment(_valid_deployment())
    assert errs == [] and spec["rollbackTo"] == {"revision": 1}
    no_annotation = _valid_deployment()
    del no_annotation["metadata"]["annotations"]
    assert "rollbackTo" not in convert_v1_deployment_to_apps_deployment(no_annotation)[0]
    _, errs = convert_v1_deployment_to_apps_deployment(_tweak(("metadata", "annotations", "deprecated.deployment.rollback.to"), "1e3"))
    assert [str(e) for e in errs] == [
        'metadata.annotations[deprecated.deployment.rollback.to]: failed to parse annotation'
        '[deprecated.deployment.rollback.to]=1e3 as int64: strconv.ParseInt: parsing "1e3": invalid syntax']


# ------------------------------------------------------------------------ missing namespace


def _rs(meta: dict[str, Any]) -> dict[str, Any]:
    return set_defaults_replica_set({"metadata": meta, "spec": {
        "selector": {"matchLabels": {"name": "abc"}}, "template": copy.deepcopy(_TEMPLATE)}})


def test_validate_replica_set_missing_namespace() -> None:
    """TestValidateReplicaSet errorCases["missing-namespace"]."""
    assert [str(e) for e in validate_replica_set(_rs({"name": "abc-123", "namespace": "default"}))] == []
    assert [str(e) for e in validate_replica_set(_rs({"name": "abc-123"}))] == ["metadata.namespace: required value"]


def test_validate_replication_controller_missing_namespace() -> None:
    """TestValidateReplicationController errorCases["missing-namespace"] (pkg/apis/core/validation)."""
    def rc(meta: dict[str, Any]) -> dict[str, Any]:
        return set_defaults_replication_controller({"metadata": meta, "spec": {
            "selector": {"name": "abc"}, "template": copy.deepcopy(_TEMPLATE)}})

    assert [str(e) for e in validate_replication_controller(rc({"name": "abc-123", "namespace": "default"}))] == []
    assert [str(e) for e in validate_replication_controller(rc({"name": "abc-123"}))] == ["metadata.namespace: required value"]


def test_validate_stateful_set_missing_namespace() -> None:
    """TestValidateStatefulSet errorCases["missing-namespace"]."""
    def sts(meta: dict[str, Any]) -> dict[str, Any]:
        return set_defaults_stateful_set({"metadata": meta, "spec": {
            "selector": {"matchLabels": {"name": "abc"}}, "template": copy.deepcopy(_TEMPLATE)}})

    assert [str(e) for e in validate_stateful_set(sts({"name": "abc-123", "namespace": "default"}))] == []
    assert [str(e) for e in validate_stateful_set(sts({"name": "abc-123"}))] == ["metadata.namespace: required value"]


def test_cluster_scoped_object_may_not_have_a_namespace() -> None:
    """ValidateObjectMeta with requiresNamespace=false: ``Forbidden: not allowed on this type``."""
    node = {"metadata": {"name": "n1", "namespace": "default"}}
    assert [str(e) for e in validate_node(node)] == ["metadata.namespace: forbidden: not allowed on this type"]


def test_ensure_object_namespace_matches_request_namespace() -> None:
    """The create handler fills an empty namespace from the request and clears a cluster-scoped one."""
    rs = {"metadata": {"name": "a"}}
    assert ensure_object_namespace_matches_request_namespace("ReplicaSet", rs, "team")["metadata"]["namespace"] == "team"
    assert rs == {"metadata": {"name": "a"}}  # not mutated
    rs_empty = {"metadata": {"name": "a", "namespace": ""}}
    assert ensure_object_namespace_matches_request_namespace("ReplicaSet", rs_empty, "default")["metadata"]["namespace"] == "default"
    kept = {"metadata": {"name": "a", "namespace": "prod"}}
    assert ensure_object_namespace_matches_request_namespace("ReplicaSet", kept, "default")["metadata"]["namespace"] == "prod"
    node = {"metadata": {"name": "n1", "namespace": "prod"}}
    assert "namespace" not in ensure_object_namespace_matches_request_namespace("Node", node, "default")["metadata"]


_RS_YAML = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web{ns}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: nginx}}]}}
---
apiVersion: v1
kind: Node
metadata:
  name: n1
  namespace: prod
"""


@pytest.mark.parametrize(("ns", "expected"), [("", "default"), ("\n  namespace: \"\"", "default"), ("\n  namespace: prod", "prod")])
def test_manifests_without_namespace_still_load_into_the_request_namespace(ns: str, expected: str) -> None:
    result = load_text(_RS_YAML.format(ns=ns), "rs.yaml")
    assert not result.errors
    state = result.to_state()
    assert state.get("ReplicaSet", expected, "web") is not None
    assert state.get("Node", "", "n1") is not None


def test_manifest_with_valid_rollback_annotation_loads() -> None:
    text = _RS_YAML.split("---")[0].replace("kind: ReplicaSet", "kind: Deployment").format(ns="")
    text = text.replace("  name: web\n", "  name: web\n  annotations: {deprecated.deployment.rollback.to: \"0\"}\n")
    result = load_text(text, "d.yaml")
    assert not result.errors


@pytest.mark.parametrize(("policy", "errors"), [
    ("Always", []),
    ("OnFailure", ['spec.template.spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": '
                   'supported values: "Always"']),
])
def test_init_container_restart_policy_only_always(policy: str, errors: list[str]) -> None:
    """validateInitContainerRestartPolicy: a container-level restartPolicy is only Always (a sidecar)."""
    d = _valid_deployment()
    d["spec"]["template"]["spec"]["initContainers"] = [{"name": "proxy", "image": "envoy", "restartPolicy": policy}]
    assert _errors_of_deployment(d) == errors


@pytest.mark.parametrize(("host_network", "port", "errors"), [
    (False, {"containerPort": 8080}, []),
    (False, {"containerPort": 8080, "hostPort": 80}, []),
    (True, {"containerPort": 8080}, []),  # a template may leave hostPort 0: each pod gets the containerPort (SetDefaults_Pod)
    (True, {"containerPort": 8080, "hostPort": 8080}, []),
    (True, {"containerPort": 8080, "hostPort": 80},
     ["spec.template.spec.containers[0].ports[0].hostPort: invalid value 80: must match `containerPort` when `hostNetwork` is true"]),
    (False, {"containerPort": 0}, ["spec.template.spec.containers[0].ports[0].containerPort: required value"]),
    (False, {"containerPort": 65536},
     ["spec.template.spec.containers[0].ports[0].containerPort: invalid value 65536: must be between 1 and 65535, inclusive"]),
    (True, {"containerPort": 80, "hostPort": 8080, "init": 1}, []),  # validateHostNetwork reads spec.containers only
    (False, {"containerPort": 80, "hostPort": -1},
     ["spec.template.spec.containers[0].ports[0].hostPort: invalid value -1: must be between 1 and 65535, inclusive"]),
], ids=["plain", "hostPort", "hostNetwork-unset", "hostNetwork-equal", "hostNetwork-differs", "zero", "too-large", "init-container",
        "negative-hostPort"])
def test_validate_container_ports_and_host_network(host_network: bool, port: dict[str, int], errors: list[str]) -> None:
    """validateContainerPorts (containerPort required, 1..65535; a non-zero hostPort 1..65535) and validateHostNetwork
    (pkg/apis/core/validation/validation.go: outside a Pod, hostPort 0 or equal to containerPort)."""
    d = _valid_deployment()
    spec = d["spec"]["template"]["spec"]
    port = dict(port)
    if port.pop("init", 0):
        spec["initContainers"] = [{"name": "init", "image": "busybox", "ports": [port]}]
    else:
        spec["containers"][0]["ports"] = [port]
    if host_network:
        spec["hostNetwork"] = True
    assert _errors_of_deployment(d) == errors
