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
    assert ok.errors == () and [i.field for i in ok.ignored] == ["hostPort"]
