"""The trace pipeline on the real Kubernetes model (model.system.KubeSystem), when it is present."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest

system_mod = pytest.importorskip("model.system")
explorer = pytest.importorskip("kubecheck.core.explorer")
itf_py = pytest.importorskip("itf_py")

from kubecheck.core.properties import invariant  # noqa: E402
from model.environment import FaultBudget, ScaleWorkload  # noqa: E402
from model.frozen import FrozenMap  # noqa: E402
from model.labels import LabelSelector  # noqa: E402
from model.objects import ContainerSpec, Node, PodTemplate, ReplicaSet  # noqa: E402
from model.state import ClusterState  # noqa: E402
from traces import from_json, itf_json, minimize, render_trace, replay, to_json  # noqa: E402


def at_most_two_pods(s) -> bool:
    return len(s.cluster.pods) <= 2


@pytest.fixture(scope="module")
def kube():
    sel = FrozenMap(app="web")
    web = ReplicaSet(
        name="web",
        replicas=1,
        selector=LabelSelector(match_labels=sel),
        template=PodTemplate(labels=sel, containers=(ContainerSpec("app", "nginx:1"),)),
    )
    scenario = system_mod.Scenario(
        ClusterState.from_objects([Node(name="node-1"), web]),
        user_actions=(ScaleWorkload("ReplicaSet", "web", 3),),
        faults=FaultBudget(container_crash=1),
    )
    system = system_mod.KubeSystem(scenario)
    res = explorer.check(system, invariant("TOY-K8S", "at most two pods", at_most_two_pods), max_depth=12)
    assert res.trace is not None, "the scale to 3 must break 'at most two pods'"
    return system, res.trace


def test_kube_trace_round_trips_and_replays(kube):
    system, trace = kube
    text = to_json(trace)
    loaded = from_json(text, system=system)  # model.* types need no registration
    assert loaded.states() == trace.states()
    assert to_json(loaded) == text
    assert replay(system, loaded).states() == trace.states()


def test_kube_trace_exports_itf(kube):
    _, trace = kube
    parsed = itf_py.trace_from_json(json.loads(itf_json(trace)))
    assert len(parsed.states) == len(trace.states()) and "cluster" in parsed.vars


def test_kube_trace_minimises_to_a_replayable_violation(kube):
    system, trace = kube
    small = minimize(system, trace, lambda t: not at_most_two_pods(t.states()[-1]))
    assert len(small) <= len(trace) and not at_most_two_pods(small.states()[-1])
    assert replay(system, small).states() == small.states()


def test_kube_trace_renders_object_lanes(kube, tmp_path):
    system, trace = kube
    truth = [at_most_two_pods(s) for s in trace.states()]
    res = render_trace(trace, tmp_path, system=system, property_truth=truth)
    expected = {"trace.json", "trace.itf.json", "trace.dot", "trace.svg", "lanes.dot", "lanes.svg"}
    if shutil.which("dot"):
        assert res.warnings == ()
        expected |= {"trace.png", "lanes.png"}
    assert {p.name for p in res.files} == expected
    text = "".join(ET.parse(tmp_path / "lanes.svg").getroot().itertext())
    assert "ReplicaSet web" in text and "Node node-1" in text and "✗ VIOLATED" in text


def test_builtin_kubernetes_view_names_owners_by_uid(kube):
    """Without the system's describe_state (the built-in view), an owner reference names the object
    that has its UID in that state, and falls back to the UID, marked gone, when none has it."""
    from dataclasses import replace

    from traces.describe import describe

    _, trace = kube
    last = trace.states()[-1]
    d = describe(last)  # no system: the built-in Kubernetes view
    pods = {k: v for k, v in d.items() if k.startswith("Pod ")}
    assert pods and all(v.endswith("owner=ReplicaSet/web") for v in pods.values()), pods
    assert not [v for v in d.values() if "uid-" in v]
    c = last.cluster
    web = c.get("ReplicaSet", "default", "web")
    recreated = replace(last, cluster=c.put(replace(web, uid="uid-99")))  # deleted and recreated: a new uid
    d = describe(recreated)
    assert all(d[k].endswith(f"owner=ReplicaSet/web(gone:{web.uid})") for k in pods), d
