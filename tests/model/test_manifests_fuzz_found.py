"""Regression tests for the bugs the project's loader fuzzer found (bench/manifest_fuzz.py, docs/fuzz.md).

Each input is the smallest manifest that showed the bug; the comment names the fuzzer's finding."""

from __future__ import annotations

from model.manifests import load_text

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i, ports: PORTS}]
"""


def test_container_ports_not_a_list_is_a_decode_error_not_a_type_error() -> None:
    # fuzz seed 1 #1469: "load: TypeError: 'int' object is not iterable" in _ignored_fields (ports: 1)
    for ports, want in (("1", "expected list, got integer 1"), ("x", "expected list, got string"),
                        ("[3]", "ports[0]: expected object, got integer 3"),
                        ("[{containerPort: 2147483648}]", "ports[0].containerPort: invalid value 2147483648"),
                        ("[{hostPort: '80'}]", "ports[0].hostPort: expected integer, got string")):
        errs = load_text(DEPLOYMENT.replace("PORTS", ports), "d.yaml").errors
        assert len(errs) == 1 and str(errs[0]).startswith("d.yaml:9: spec.template.spec.containers[0].ports"), (ports, errs)
        assert want in str(errs[0]), (ports, errs)
    ok = load_text(DEPLOYMENT.replace("PORTS", "[{containerPort: 80, hostPort: 8080, protocol: TCP}]"), "d.yaml")
    assert ok.errors == () and ok.ignored == ()  # hostPort is modelled (the scheduler's NodePorts filter)
    assert ok.objects[0].template.containers[0].host_ports == (("0.0.0.0", "TCP", 8080),)


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i}]
      volumes: VOLUMES
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def test_a_statefulset_template_volume_without_a_name_is_refused_not_a_key_error() -> None:
    # fuzz seed 1 #10669: "load: KeyError: 'name'" in _volumes (the set's template is not run through
    # ValidatePodTemplateSpec upstream, but Pod validation refuses every pod made from it)
    cases = {
        "[{configMap: {name: cm}}]": "spec.template.spec.volumes[0].name: required value",
        "[{name: Bad_Name, emptyDir: {}}]": "spec.template.spec.volumes[0].name: invalid value",
        "[{name: x, emptyDir: {}}, {name: x, emptyDir: {}}]": "spec.template.spec.volumes[1].name: duplicate value",
        "[{name: x, persistentVolumeClaim: {}}]": "volumes[0].persistentVolumeClaim.claimName: required value",
    }
    for volumes, want in cases.items():
        errs = load_text(STATEFULSET.replace("VOLUMES", volumes), "s.yaml").errors
        assert len(errs) == 1 and want in str(errs[0]) and str(errs[0]).startswith("s.yaml:"), (volumes, errs)
    # a template volume that a claim template of the same name replaces (updateStorage) is not checked
    ok = load_text(STATEFULSET.replace("VOLUMES", "[{name: data, persistentVolumeClaim: {}}, {name: data}, {name: cfg, emptyDir: {}}]"), "s.yaml")
    assert ok.errors == (), ok.errors


def test_a_statefulset_template_without_containers_is_refused_not_a_kubelet_livelock() -> None:
    # fuzz seed 1 #10382, #12589, #19008 (a truncated cockroachdb StatefulSet): accepted, then the start-up
    # order livelocked (kubelet_start_sandbox / kubelet_kill_pod forever on pods without containers);
    # upstream the API server refuses every such pod (ValidatePodSpec: containers required)
    base = STATEFULSET.replace("      volumes: VOLUMES\n", "")
    for containers, want in (("[]", "spec.template.spec.containers: required value"),
                             ("[{image: i}]", "spec.template.spec.containers[0].name: required value"),
                             ("[{name: c, image: i}, {name: c, image: j}]", "containers[1].name: duplicate value")):
        errs = load_text(base.replace("[{name: c, image: i}]", containers), "s.yaml").errors
        assert len(errs) == 1 and want in str(errs[0]), (containers, errs)
    assert load_text(base, "s.yaml").errors == ()
