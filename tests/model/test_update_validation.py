"""model.update_validation: upstream's update-time checks, in the API server's words.

Cases follow pkg/apis/apps/validation/validation_test.go TestValidateStatefulSetUpdate (which spec
fields may change), the selector immutability of the apps/v1 strategies
(pkg/registry/apps/{deployment,replicaset,daemonset}/strategy_test.go TestSelectorImmutability) and
pkg/apis/core/validation ValidatePodUpdate / ValidatePersistentVolumeClaimUpdate / ValidateServiceUpdate.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.frozen import FrozenMap
from model.labels import LabelSelector, LabelSelectorRequirement
from model.manifests import load_text
from model.objects import PersistentVolumeClaimTemplate, PVCRetentionPolicy, Toleration, replace
from model.update_validation import (
    FIELD_IMMUTABLE,
    POD_UPDATE_FORBIDDEN,
    PVC_UPDATE_FORBIDDEN,
    STATEFUL_SET_FORBIDDEN,
    go_label_selector,
    invalid_message,
    validate_update,
)

STS = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""
DEPLOY = """
apiVersion: apps/v1
kind: {kind}
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
"""


def _one(text: str) -> Any:
    r = load_text(text)
    assert not r.errors, r.errors
    (obj,) = r.objects
    return obj


# TestValidateStatefulSetUpdate: replicas, ordinals, template, updateStrategy, the retention policy and
# minReadySeconds may change; every other spec field may not.
@pytest.mark.parametrize("change", [
    {"replicas": 5},
    {"ordinals_start": 3},
    {"min_ready_seconds": 10},
    {"persistent_volume_claim_retention_policy": PVCRetentionPolicy("Delete", "Delete")},
])
def test_stateful_set_fields_an_update_may_change(change: dict[str, Any]) -> None:
    old = _one(STS)
    assert validate_update(replace(old, **change), old) == []


def test_stateful_set_template_and_strategy_may_change() -> None:
    old = _one(STS)
    c = old.template.containers[0]
    new = replace(old, template=replace(old.template, containers=(replace(c, image="nginx:2"),)),
                  update_strategy=replace(old.update_strategy, partition=1))
    assert validate_update(new, old) == []


@pytest.mark.parametrize("change", [
    {"service_name": "other"},
    {"pod_management_policy": "Parallel"},
    {"selector": LabelSelector(FrozenMap({"app": "web", "x": "y"}))},
    {"volume_claim_templates": (PersistentVolumeClaimTemplate(name="data", storage="2Gi"),)},
    {"revision_history_limit": 3},
])
def test_stateful_set_fields_an_update_may_not_change(change: dict[str, Any]) -> None:
    old = _one(STS)
    errs = validate_update(replace(old, **change), old)
    assert [str(e) for e in errs] == [f"spec: Forbidden: {STATEFUL_SET_FORBIDDEN}"]
    assert invalid_message(old, errs) == f'StatefulSet.apps "web" is invalid: spec: Forbidden: {STATEFUL_SET_FORBIDDEN}'


@pytest.mark.parametrize("kind,qualified", [("Deployment", "Deployment.apps"), ("ReplicaSet", "ReplicaSet.apps"),
                                            ("DaemonSet", "DaemonSet.apps")])
def test_apps_v1_selector_is_immutable(kind: str, qualified: str) -> None:
    old = _one(DEPLOY.replace("{kind}", kind))
    new = replace(old, selector=LabelSelector(FrozenMap({"app": "web", "tier": "fe"})))
    errs = validate_update(new, old)
    assert invalid_message(new, errs) == (
        f'{qualified} "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string'
        f'{{"app":"web", "tier":"fe"}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: {FIELD_IMMUTABLE}')
    # the rest of the spec may change
    assert validate_update(replace(old, min_ready_seconds=4), old) == []


def test_replication_controller_selector_may_change() -> None:
    """ValidateReplicationControllerUpdate has no immutability check: an RC's selector is mutable."""
    old = _one("""
apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  selector: {app: web}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
""")
    assert validate_update(replace(old, selector=FrozenMap({"app": "web2"})), old) == []


def test_go_rendering_of_expressions() -> None:
    sel = LabelSelector(match_expressions=(LabelSelectorRequirement("tier", "In", ("a", "b")),
                                           LabelSelectorRequirement("x", "Exists", ())))
    assert go_label_selector(sel) == (
        'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{'
        'v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"a", "b"}}, '
        'v1.LabelSelectorRequirement{Key:"x", Operator:"Exists", Values:[]string(nil)}}}')


POD = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: nginx:1}]
"""


def test_pod_update_may_change_images_and_add_tolerations_only() -> None:
    old = _one(POD)
    c = old.spec_containers[0]
    assert validate_update(replace(old, spec_containers=(replace(c, image="nginx:2"),)), old) == []
    tol = (Toleration(key="k", operator="Exists"),)
    assert validate_update(replace(old, tolerations=tol), old) == []
    with_tol = replace(old, tolerations=tol)
    assert [str(e) for e in validate_update(old, with_tol)] == [f"spec: Forbidden: {POD_UPDATE_FORBIDDEN}"]  # removing one
    assert [str(e) for e in validate_update(replace(old, restart_policy="Never"), old)] == [f"spec: Forbidden: {POD_UPDATE_FORBIDDEN}"]
    assert invalid_message(old, validate_update(replace(old, hostname="h"), old)).startswith('Pod "p" is invalid: spec: Forbidden: pod updates')


def test_pvc_and_service_updates() -> None:
    pvc = _one("""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
""")
    assert validate_update(replace(pvc, storage="2Gi"), pvc) == []  # a bound claim may grow
    assert [str(e) for e in validate_update(replace(pvc, access_modes=("ReadWriteMany",)), pvc)] == [
        f"spec: Forbidden: {PVC_UPDATE_FORBIDDEN}"]
    assert validate_update(replace(pvc, storage="2Gi"), replace(pvc, phase="Pending")) != []
    svc = _one("""
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, clusterIP: 10.0.0.5, ports: [{port: 80}]}
""")
    assert [str(e) for e in validate_update(replace(svc, cluster_ip="10.0.0.6"), svc)] == [
        f'spec.clusterIP: Invalid value: "10.0.0.6": {FIELD_IMMUTABLE}']
    assert validate_update(replace(svc, selector=FrozenMap({"app": "x"})), svc) == []
