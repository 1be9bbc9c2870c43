"""model.strict: unknown fields anywhere in a manifest are refused, as kubectl apply's strict validation does."""

from __future__ import annotations

import json
from pathlib import Path

from model.conversion import CONVERSIONS
from model.manifests import MODELLED_KINDS, load_text
from model.strict import unknown_fields

TYPO = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx
        securityContext:
          allowPrivilegedEscalation: false
        imagePullPolice: Always
        resources: {limits: {cpu: 100m}}
"""


def test_a_typo_in_an_open_object_is_the_one_line_unknown_field_error_at_its_line() -> None:
    # the corpus's karpenter-workloads (aws/karpenter-provider-aws examples/workloads/disruption-budget.yaml) has
    # the first typo: kubectl apply refuses the Deployment (strict decoding error: unknown field ...)
    load = load_text(TYPO, "d.yaml")
    assert [str(e) for e in load.errors] == [
        "d.yaml:13: spec.template.spec.containers[0].securityContext.allowPrivilegedEscalation: unknown field (did you mean allowPrivilegeEscalation?)",
        "d.yaml:14: spec.template.spec.containers[0].imagePullPolice: unknown field (did you mean imagePullPolicy?)",
    ]
    fixed = TYPO.replace("allowPrivilegedEscalation", "allowPrivilegeEscalation").replace("imagePullPolice", "imagePullPolicy")
    assert load_text(fixed, "d.yaml").ok


def test_every_field_of_the_real_types_is_known_wherever_it_nests() -> None:
    # fields the model never reads, at every depth: lists, maps (resources, annotations), status, IntOrString
    # (object-typed: not walked), init and ephemeral containers, volumes of every source the table knows
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, annotations: {a: b}}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain}
  template:
    metadata: {labels: {app: db}}
    spec:
      dnsConfig: {options: [{name: ndots, value: "2"}]}
      hostAliases: [{ip: 1.2.3.4, hostnames: [a]}]
      securityContext: {fsGroup: 1, seccompProfile: {type: RuntimeDefault}}
      volumes:
      - {name: t, projected: {sources: [{serviceAccountToken: {path: t, expirationSeconds: 600}}]}}
      - {name: d, downwardAPI: {items: [{path: l, fieldRef: {fieldPath: metadata.labels}}]}}
      initContainers:
      - {name: i, image: busybox, restartPolicy: Always, startupProbe: {httpGet: {port: web, path: /}}}
      containers:
      - name: c
        image: postgres
        lifecycle: {preStop: {exec: {command: [sh]}}}
        livenessProbe: {tcpSocket: {port: 5432}, terminationGracePeriodSeconds: 5}
        env: [{name: P, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
        resources: {requests: {cpu: 10m}, claims: [{name: gpu}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
status: {replicas: 0, availableReplicas: 0}
"""
    load = load_text(text, "s.yaml")
    assert load.ok, load.errors


def test_unknown_fields_in_lists_and_maps_are_named_by_path() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "lables": {}},
           "spec": {"ports": [{"port": 80}, {"port": 81, "tagetPort": 8080}], "selector": {"app": "x"}}}
    assert [e.path for e in unknown_fields("v1", "Service", obj)] == ["metadata.lables", "spec.ports[1].tagetPort"]
    hpa = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
           "spec": {"maxReplicas": 2, "metrics": []}}  # metrics is autoscaling/v2's field, not v1's
    assert [e.path for e in unknown_fields("autoscaling/v1", "HorizontalPodAutoscaler", hpa)] == ["spec.metrics"]
    assert unknown_fields("v1", "ConfigMap", {"anything": 1}) == []  # a kind the loader skips is not judged


def test_the_table_covers_every_kind_and_converted_version_the_loader_reads() -> None:
    doc = json.loads((Path(__file__).parents[2] / "model" / "k8s_fields.json").read_text())
    read = {f"{version} {kind}" for kind, version in MODELLED_KINDS.items()} | {f"{v} {k}" for v, k in CONVERSIONS}
    assert read == set(doc["roots"])
    # one client per modelled release (client N = Kubernetes 1.N): the union of their field names
    from model.versions import SUPPORTED_VERSIONS

    clients = {int(v.split(".")[0]) for v in doc["source"].removeprefix("kubernetes ").split(" (")[0].split(", ")}
    assert clients == {int(v.split(".")[1]) for v in SUPPORTED_VERSIONS}


def test_a_field_of_an_older_modelled_release_is_known() -> None:
    # review: 1.35's PodSpec workloadRef (gone in 1.36), 1.28's resourceClaims[].source and a PVC's resources.claims
    # (V1ResourceRequirements in 1.28, V1VolumeResourceRequirements later: "A|B" alternatives); and a typo inside a
    # container's resources.claims[] (CoreV1ResourceClaim, a model class without the V prefix) is still caught
    spec = {"workloadRef": {"name": "w"}, "resourceClaims": [{"name": "c", "source": {"resourceClaimName": "x"}}],
            "volumes": [{"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"resources": {"claims": [{"name": "a"}]}}}}}],
            "containers": [{"name": "c", "image": "i", "resources": {"claims": [{"name": "gpu", "requets": "x"}]}}]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    assert [(e.path, e.message) for e in unknown_fields("v1", "Pod", pod)] == [
        ("spec.containers[0].resources.claims[0].requets", "unknown field (did you mean request?)")]
