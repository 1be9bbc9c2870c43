"""traces.itf: the ITF export parses with itf-py (Apalache ADR-015)."""

from __future__ import annotations

import json

import pytest

from traces import itf_json, to_itf
from traces.itf import ACTION_VAR
from traces_toy import NOISY, Flip, Replicas, follow, mini_cluster_system

itf_py = pytest.importorskip("itf_py")


def _numbers(doc):  # every plain JSON number outside "#meta" (ITF forbids them)
    if isinstance(doc, dict):
        return [n for k, v in doc.items() if k != "#meta" for n in _numbers(v)]
    if isinstance(doc, list):
        return [n for v in doc for n in _numbers(v)]
    return [doc] if isinstance(doc, (int, float)) and not isinstance(doc, bool) else []


def test_itf_py_parses_the_toy_trace():
    trace = follow(Replicas(), NOISY)
    parsed = itf_py.trace_from_json(json.loads(itf_json(trace)))
    assert parsed.vars == ["replicas", "pods", "next_id", "scales", "crashes", "noise", "manual", ACTION_VAR]
    assert len(parsed.states) == len(trace.states()) and parsed.loop is None
    last = parsed.states[-1].values
    assert last["pods"] == ("p2", "p3", "p4") and last["replicas"] == 3
    assert last[ACTION_VAR] == "controller:create_pod"
    assert parsed.states[0].values[ACTION_VAR] == "init"
    assert [s.meta["index"] for s in parsed.states] == list(range(len(trace.states())))
    assert parsed.states[4].meta["label"] == "crash_pod"


def test_integers_are_bigints():
    doc = to_itf(follow(Replicas(), NOISY))
    assert _numbers(doc) == []
    assert doc["states"][0]["replicas"] == {"#bigint": "1"}


def test_lasso_sets_loop():
    parsed = itf_py.trace_from_json(
        json.loads(itf_json(follow(Flip(), ["touch", "flip"], loop_start=1, loop_label="flip")))
    )
    assert parsed.loop == 1 and parsed.states[2].values["flag"] is True


def test_cluster_state_maps_tuples_records_and_none():
    system = mini_cluster_system()
    trace = follow(system, ["rs_create_pod", "kubelet_start_pod"])
    doc = to_itf(trace)
    assert _numbers(doc) == []
    parsed = itf_py.trace_from_json(json.loads(itf_json(trace)))
    pods = parsed.states[2].values["pods"]
    pod = pods[("default", "web-1")]  # tuple keys survive as #tup
    assert pod.phase == "Running" and pod.node_name == "node-1"
    assert type(pod.deletion_timestamp).__name__ == "Null"  # None is the variant Null
    assert pod.labels == {"app": "web"}
    assert "_cache" not in parsed.vars


def test_itf_output_is_deterministic():
    assert itf_json(follow(Replicas(), NOISY)) == itf_json(follow(Replicas(), NOISY))
