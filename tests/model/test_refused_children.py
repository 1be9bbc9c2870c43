"""Objects the controllers create are validated as the API server would (issue 23 item 2).

A StatefulSet's pods carry its ControllerRevision's name ``<set>-<10-character hash>`` as the
``controller-revision-hash`` label, so a set name longer than 52 characters leaves a label value over
63 characters and the API server refuses every pod (kubernetes#64023); a Deployment's ReplicaSet is
``<name>-<hash>``, refused past 253 characters.  The model's API server refuses such creates, the
controller's reconcile stops there, and the workload never converges: never HOLDS.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubecheck.runner import CheckConfig, run_check
from model.api import Create
from model.apiserver import ApiError, apply_write, validate_object_meta_on_create
from model.frozen import FrozenMap
from model.manifests import load_manifests
from model.objects import Pod
from model.state import ClusterState
from model.validation import refused_children


def _sts(name: str) -> str:
    return f"""apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}}}
spec:
  replicas: 1
  serviceName: db
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec: {{containers: [{{name: c, image: "db:1"}}]}}
"""


def _deploy(name: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: c, image: "web:1"}}]}}
"""


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    f = tmp_path / "m.yaml"
    f.write_text(text, encoding="utf-8")
    load = load_manifests([str(f)])
    assert not load.errors, load.errors
    return load


def test_the_api_server_refuses_a_label_value_over_63_characters() -> None:
    ok = Pod(name="p", namespace="default", labels=FrozenMap({"a": "x" * 63}))
    bad = Pod(name="q", namespace="default", labels=FrozenMap({"a": "x" * 64}))
    state = apply_write(ClusterState(), Create(ok))
    assert state.get("Pod", "default", "p") is not None
    with pytest.raises(ApiError) as info:
        apply_write(state, Create(bad))
    assert info.value.reason == "Invalid"
    assert str(info.value).endswith(f'Pod "q" is invalid: metadata.labels: Invalid value: "{"x" * 64}": must be no more than 63 bytes')
    assert validate_object_meta_on_create("ReplicaSet", "Not_A_Name", FrozenMap()) is not None


@pytest.mark.parametrize("length,refused", [(52, False), (53, True)])
def test_a_statefulset_name_past_52_characters_gets_no_pods(tmp_path: Path, length: int, refused: bool) -> None:
    load = _load(tmp_path, _sts("d" * length))
    (sts,) = [o for o in load.objects if type(o).__name__ == "StatefulSet"]
    err = refused_children(sts)
    assert (err is not None) == refused
    if refused:
        assert err is not None and "controller-revision-hash" not in err  # the message is the API server's
        assert f'Pod "{"d" * length}-0" is invalid: metadata.labels: Invalid value: "{"d" * length}-' in err
    cfg = CheckConfig(scenarios=("pod-crash",), write_traces=False, progress=False, out_dir=str(tmp_path / "o"))
    report = run_check(cfg, load)
    conv = [f for f in report.findings if f.rule_id == "KC-CONV-003"]
    assert [f.verdict for f in conv] == (["violated"] if refused else ["holds"])
    assert any("refuses what its controller creates" in w for w in report.warnings) == refused


def test_a_deployment_whose_replicaset_name_is_too_long_never_converges(tmp_path: Path) -> None:
    name = "w" * 250  # a valid Deployment name; "<name>-<hash>" is not a valid ReplicaSet name
    load = _load(tmp_path, _deploy(name))
    (d,) = [o for o in load.objects if type(o).__name__ == "Deployment"]
    err = refused_children(d)
    assert err is not None and err.startswith(f'ReplicaSet "{name}-') and "metadata.name: Invalid value" in err
    cfg = CheckConfig(scenarios=("pod-crash",), write_traces=False, progress=False, out_dir=str(tmp_path / "o"))
    report = run_check(cfg, load)
    assert [f.verdict for f in report.findings if f.rule_id == "KC-CONV-002"] == ["violated"]
    short = _load(tmp_path, _deploy("web"))
    assert refused_children(next(o for o in short.objects if type(o).__name__ == "Deployment")) is None
