"""traces.serialize: the replayable JSON format kubecheck-trace/1."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import jsonschema
import pytest

import traces
from traces import ReplayMismatch, TraceFormatError, from_json, load, save, to_json
from traces.serialize import SCHEMA_PATH, decode_value, encode_value
from traces_toy import NOISY, Flip, FlipState, Replicas, ToyState, follow, mini_cluster_system

TOY_TYPES = [ToyState, FlipState]
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def _validate(text: str) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(text))


def test_schema_file_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_round_trip_replays_to_identical_states(tmp_path):
    system = Replicas()
    trace = follow(system, NOISY)
    path = save(trace, tmp_path / "t.json")
    loaded = load(path, system=system, types=TOY_TYPES)
    assert loaded.states() == trace.states()
    assert loaded.action_path() == trace.action_path()
    assert [s.action for s in loaded.steps] == [s.action for s in trace.steps]
    assert (loaded.property_id, loaded.engine, loaded.bounds) == ("TOY-1", "test", (("max_depth", 10),))
    _validate(path.read_text())


def test_same_run_twice_gives_byte_identical_files(tmp_path):
    a = save(follow(Replicas(), NOISY), tmp_path / "a.json").read_bytes()
    b = save(follow(Replicas(), NOISY), tmp_path / "b.json").read_bytes()
    assert a == b and a.endswith(b"\n")
    assert to_json(from_json(a, types=TOY_TYPES)).encode() == a  # load + save is the identity


def test_lasso_round_trip_keeps_loop_start_and_loop_step():
    system = Flip()
    lasso = follow(system, ["touch", "flip"], loop_start=1, loop_label="flip")
    text = to_json(lasso)
    _validate(text)
    loaded = from_json(text, system=system, types=TOY_TYPES)
    assert loaded.loop_start == 1 and loaded.loop_step == lasso.loop_step


def test_cluster_state_round_trip_rebuilds_model_objects():
    from model.frozen import FrozenMap
    from model.objects import Pod

    system = mini_cluster_system()
    trace = follow(system, ["rs_create_pod", "rs_create_pod", "kubelet_start_pod", ("pod_crash", "web-2")])
    text = to_json(trace)  # no types=: model.* is trusted
    _validate(text)
    loaded = from_json(text, system=system)
    assert loaded.states() == trace.states()
    pod = loaded.states()[3].pods[("default", "web-1")]
    assert type(pod) is Pod and pod.phase == "Running" and pod.deletion_timestamp is None
    assert isinstance(loaded.initial.pods, FrozenMap)
    assert "_cache" not in text  # compare=False caches are not state


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="none"),
        pytest.param((1, "a", True, None), id="tuple"),
        pytest.param([1, (2, 3)], id="list"),
        pytest.param({"b": 1, "a": (2,)}, id="dict"),
        pytest.param(frozenset({3, 1, 2}), id="frozenset"),
        pytest.param(float("inf"), id="inf"),
        pytest.param(2.5, id="float"),
        pytest.param(10**30, id="bigint"),
        pytest.param(((), ("",)), id="nested-empty"),
    ],
)
def test_values_round_trip_with_their_types(value):
    back = decode_value(json.loads(json.dumps(encode_value(value))))
    assert back == value and type(back) is type(value)


def test_unserialisable_value_names_its_path_unless_lossy():
    bad = ToyState(replicas=1, pods=(object(),))  # type: ignore[arg-type]
    trace = replace(follow(Replicas(), []), initial=bad)
    with pytest.raises(TraceFormatError, match=r"builtins.object at initial.pods\[0\]"):
        to_json(trace)
    text = to_json(trace, lossy=True)
    _validate(text)
    assert isinstance(from_json(text, types=TOY_TYPES).initial.pods[0], traces.serialize.Unserializable)


@dataclass(frozen=True, slots=True)
class Local:
    x: int


@pytest.mark.parametrize(
    "name, message",
    [
        pytest.param("os.system", "outside the trusted packages", id="stdlib-function"),
        pytest.param("subprocess.Popen", "outside the trusted packages", id="stdlib-class"),
        pytest.param("model.objects.__class__", "outside the trusted packages", id="dunder"),
        pytest.param("kubecheck.core.ts.BaseSystem", "not a dataclass", id="trusted-non-dataclass"),
        pytest.param("traces.serialize.json", "not a dataclass", id="module-attribute"),
        pytest.param("model.objects.replace", "not a dataclass", id="function"),
        pytest.param("model.nope.Pod", "not a dataclass", id="missing-module"),
        pytest.param("test_traces_serialize.Local", "register_type", id="unregistered-test-type"),
    ],
)
def test_only_trusted_or_registered_types_load(name, message):
    doc = json.loads(to_json(follow(Replicas(), [])))
    doc["initial"] = {"#type": name}
    with pytest.raises(TraceFormatError, match=message):
        traces.serialize.from_document(doc, types=TOY_TYPES)


def test_register_type_allows_a_type_everywhere():
    traces.register_type(Local)
    try:
        assert decode_value(encode_value(Local(3))) == Local(3)
    finally:
        traces.serialize._REGISTRY.pop(traces.serialize.type_name(Local))


def test_wrong_schema_and_garbage_are_refused():
    with pytest.raises(TraceFormatError, match="unsupported trace schema 'kubecheck-trace/2'"):
        from_json(json.dumps({"schema": "kubecheck-trace/2"}))
    with pytest.raises(TraceFormatError, match="ITF file"):
        from_json(json.dumps({"vars": [], "states": []}))
    with pytest.raises(TraceFormatError, match="not a JSON trace"):
        from_json("{nope")


def test_load_with_system_refuses_a_tampered_file(tmp_path):
    system = Replicas()
    path = save(follow(system, NOISY), tmp_path / "t.json")
    doc = json.loads(path.read_text())
    doc["steps"][2]["state"]["replicas"] = 9
    path.write_text(json.dumps(doc))
    assert load(path, types=TOY_TYPES).steps[2].state.replicas == 9  # without a system: not checked
    with pytest.raises(ReplayMismatch, match="step 3"):
        load(path, system=system, types=TOY_TYPES)


def test_a_trace_written_before_the_engine_moved_still_loads() -> None:
    # Trace files written before issue 14 name the engine's types by their old module (kubecheck.ts).
    from kubecheck.core.ts import Action
    from traces.serialize import decode_value

    doc = {"#type": "kubecheck.ts.Action", "actor": "c", "label": "inc", "fair": True, "fairness_key": None, "data": None}
    assert decode_value(doc) == Action("c", "inc")
    with pytest.raises(TraceFormatError):  # only the moved engine modules are renamed
        decode_value({**doc, "#type": "kubecheck.nowhere.Action"})
