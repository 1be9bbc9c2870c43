"""The registry of controllers and timers (model.records, model.registry): every registered record is
complete, the transition system runs exactly the registered controllers, and every action label a
controller or timer produces in explored spaces is one it declares."""

from __future__ import annotations

from collections import deque

import pytest

from model.objects import KINDS
from model.records import Controller, Timer
from model.registry import CONTROLLERS, TIMERS
from model.system import ACTOR_FAMILIES, KubeSystem
from tests.model.test_golden_counts import cascade_delete, crash_stale, node_failure, rollout_small, rs_crash, sts_scale


def test_every_registered_controller_has_a_complete_record() -> None:
    names = [c.name for c in CONTROLLERS]
    prefixes = [c.prefix for c in CONTROLLERS]
    assert len(set(names)) == len(names) and len(set(prefixes)) == len(prefixes)
    for c in CONTROLLERS:
        assert isinstance(c, Controller)
        assert callable(c.sync) and callable(c.label)
        assert c.kind == "" or c.kind in KINDS, c
        assert c.kind or c.keys is not None, f"{c.name}: a controller of no kind needs its work keys"
        assert c.actions and all(a.startswith(f"{c.prefix}_") for a in c.actions), c.name
        assert all(k in KINDS for k in c.appears_with), c.name
        # the sync is the module's own function, imported directly, not a string
        assert c.sync.__module__.startswith("model."), c.name
    assert tuple(ACTOR_FAMILIES[: len(CONTROLLERS)]) == tuple(names)


def test_every_registered_timer_has_a_complete_record() -> None:
    from model.system import Scenario

    assert len({t.name for t in TIMERS}) == len(TIMERS)
    for t in TIMERS:
        assert isinstance(t, Timer) and callable(t.steps) and t.actions
        assert all(a.startswith("expiry_") for a in t.actions)
        assert t.opt_in is None or t.opt_in in Scenario.__dataclass_fields__, t.name


def _labels(system: KubeSystem, cap: int = 3000) -> set[tuple[str, str]]:
    s0 = system.init_states()[0]
    seen = {s0}
    queue = deque(seen)
    out: set[tuple[str, str]] = set()
    while queue and len(seen) < cap:
        s = queue.popleft()
        for a, t in system.successors(s):
            out.add((a.actor.split("/")[0], a.label))
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return out


@pytest.mark.parametrize("build", [rollout_small, rs_crash, sts_scale, node_failure, cascade_delete])
def test_explored_labels_are_the_declared_ones(build: object) -> None:
    """Action names are declared by the controller: a label outside its ``actions`` fails."""
    by_family = {c.name: c for c in CONTROLLERS}
    timer_labels = frozenset().union(*(t.actions for t in TIMERS))
    checked = 0
    for family, label in _labels(build("write")):  # type: ignore[operator]
        if family in by_family:
            assert label.removesuffix("_on_stale_view") in by_family[family].actions, (family, label)
            checked += 1
        elif family == "clock":
            assert label in timer_labels, label
    assert checked > 0


def test_a_controller_of_no_kind_without_work_keys_is_refused_by_the_guard() -> None:
    """The completeness guard above is not vacuous: a record missing its keys fails it."""
    bad = Controller("x", "x", "", lambda c, k: (), frozenset({"x_update_status"}))
    assert not (bad.kind or bad.keys is not None)


# ----------------------------------------------------------------------------------------- faults


def test_every_fault_budget_has_one_registered_fault_with_a_complete_record() -> None:
    from model.environment import UNBUDGETED, FaultBudget
    from model.records import Fault
    from model.registry import FAULTS

    budgets = [f.budget for f in FAULTS if f.budget != UNBUDGETED]
    assert budgets == list(FaultBudget.__dataclass_fields__), "one fault per budget field, in the field order"
    for f in FAULTS:
        assert isinstance(f, Fault) and f.labels, f
        assert f.instances is None or callable(f.instances), f
        assert f.budget or f.instances is not None, "an unbudgeted fault is decided by the cluster"
    labels = [label for f in FAULTS for label in f.labels]
    assert len(labels) == len(set(labels))


def test_the_scenario_loader_validates_each_fault_against_its_record_schema() -> None:
    """``faults:`` in a scenario file is exactly the registered budgets, each with its record's schema."""
    from kubecheck.scenarios import SCENARIO_SCHEMA
    from model.registry import FAULTS

    faults = SCENARIO_SCHEMA["properties"]["faults"]
    assert faults["additionalProperties"] is False
    assert faults["properties"] == {f.budget: f.file_schema() for f in FAULTS if f.budget}
    assert all(f.file_schema() is None for f in FAULTS if not f.budget)


def test_a_new_fault_budget_key_is_refused_and_a_negative_budget_too(tmp_path: object) -> None:
    from pathlib import Path

    from kubecheck.core.errors import InvalidScenario
    from kubecheck.scenarios import load_scenario_file

    d = Path(str(tmp_path))
    ok = d / "ok.yaml"
    ok.write_text("name: ok\nfaults:\n  node_failure: 1\n  write_failure: 2\n", encoding="utf-8")
    spec = load_scenario_file(str(ok))
    assert (spec.faults.node_failure, spec.faults.write_failure) == (1, 2)
    for body in ("name: bad\nfaults:\n  meteor_strike: 1\n", "name: bad\nfaults:\n  node_failure: -1\n"):
        bad = d / "bad.yaml"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(InvalidScenario):
            load_scenario_file(str(bad))


@pytest.mark.parametrize("build", [rs_crash, node_failure, crash_stale])
def test_explored_fault_labels_are_the_declared_ones(build: object) -> None:
    from model.registry import FAULTS

    declared = {label.replace("{prefix}", c.prefix) for f in FAULTS for label in f.labels for c in CONTROLLERS}
    seen = {label for family, label in _labels(build("write")) if family == "fault"}  # type: ignore[operator]
    assert seen and seen <= declared, seen - declared


def test_fault_instances_iterates_the_registered_records_in_order() -> None:
    """``fault_instances`` lists what each registered cluster-decided fault yields, budget by budget."""
    from model.environment import FaultBudget, fault_instances
    from model.registry import FAULTS

    cluster = node_failure("write").init_states()[0].cluster  # type: ignore[operator]
    everything = FaultBudget(container_crash=1, sandbox_death=1, node_failure=1, node_recovery=1, force_delete=1)
    got = [(fi.budget, fi.label, fi.detail) for fi in fault_instances(cluster, everything)]
    want = [(f.budget, label, detail) for f in FAULTS if f.instances is not None for label, detail, _ in f.instances(cluster, {})]
    assert got == want and got
    assert [x for x in got if x[0] == "node_failure"]  # a budget that allows it lists it...
    assert not [x for x in fault_instances(cluster, FaultBudget(force_delete=1)) if x.budget == "node_failure"]  # ...and none else


# ------------------------------------------------------------------------------------------ kinds


def test_every_kind_has_a_complete_record() -> None:
    """One record per kind of ``model.objects.KINDS``: every kind a manifest may declare has its schema,
    defaulter, validator and builder; every kind has its summary; the record's class, table,
    apiVersion and short name are the objects module's."""
    from model.kinds import KIND_RECORDS
    from model.manifests import MODELLED_KINDS
    from model.objects import API_VERSIONS, SHORT_KIND_NAMES
    from model.records import Kind
    from model.state import ClusterState

    assert list(KIND_RECORDS) == list(KINDS)
    for name, k in KIND_RECORDS.items():
        assert isinstance(k, Kind) and k.name == name and callable(k.summary)
        assert k.cls is KINDS[name][0] and k.table in ClusterState.__dataclass_fields__
        assert k.api_version == API_VERSIONS[name] and k.short == SHORT_KIND_NAMES[name]
        loaded = (k.schema, k.defaults, k.validate, k.build)
        assert all(x is not None for x in loaded) if name in MODELLED_KINDS else all(x is None for x in loaded), name
        assert not k.problems(), k.problems()
        for fn in (k.defaults, k.validate, k.build, k.validate_update, k.summary):
            assert fn is None or fn.__module__.startswith("model."), (name, fn)
    assert {n for n, k in KIND_RECORDS.items() if k.build is not None} == set(MODELLED_KINDS)


def test_the_old_per_kind_tables_are_derived_from_the_kind_records() -> None:
    """``KINDS``, ``API_VERSIONS``, ``SHORT_KIND_NAMES``, ``STATUS_FIELDS``, the generation kinds,
    ``MODELLED_KINDS``, the API groups and the apply resource names are read off ``KIND_INFO``, and
    keep their upstream values (``schema.GroupResource.String()``, ``schema.GroupKind.String()``)."""
    from model.apiserver import _GENERATION_KINDS, STATUS_FIELDS
    from model.apply import RESOURCES
    from model.kinds import KIND_RECORDS
    from model.manifests import MODELLED_KINDS
    from model.objects import API_VERSIONS, KIND_INFO, SHORT_KIND_NAMES
    from model.update_validation import _GROUPS

    assert [k.name for k in KIND_INFO] == list(KINDS) == list(KIND_RECORDS)
    for k in KIND_INFO:
        assert KIND_RECORDS[k.name].info is k
        assert (KINDS[k.name], API_VERSIONS[k.name], SHORT_KIND_NAMES[k.name]) == ((k.cls, k.table), k.api_version, k.short)
        assert STATUS_FIELDS[k.name] == k.status_fields and (k.name in _GENERATION_KINDS) == k.generation
        assert RESOURCES[k.name] == k.resource and _GROUPS.get(k.name, "") == k.group
        assert all(f in k.cls.__dataclass_fields__ for f in k.status_fields), k.name  # type: ignore[attr-defined]
    ranked = sorted((k for k in KIND_INFO if k.manifest_rank is not None), key=lambda k: k.manifest_rank or 0)
    assert list(MODELLED_KINDS.items()) == [(k.name, k.api_version) for k in ranked]
    assert [k.manifest_rank for k in ranked] == list(range(len(ranked)))
    # the values kubectl and the API server print
    assert (RESOURCES["ReplicaSet"], RESOURCES["Pod"], RESOURCES["HorizontalPodAutoscaler"]) == (
        "replicasets.apps", "pods", "horizontalpodautoscalers.autoscaling")
    assert (_GROUPS["PodDisruptionBudget"], "Pod" in _GROUPS) == ("policy", False)
    assert sorted(_GENERATION_KINDS) == ["DaemonSet", "Deployment", "PodDisruptionBudget", "ReplicaSet",
                                         "ReplicationController", "StatefulSet"]
    assert list(MODELLED_KINDS)[:3] == ["Deployment", "ReplicaSet", "StatefulSet"]


def test_the_trace_lane_aliases_are_the_kind_records() -> None:
    """``traces/`` may not import the model (tests/test_layers.py), so its lane aliases are a copy: the
    same as the records' ``alias``, and each lane ``_KIND_ORDER`` places is a kind's table under its
    alias or name (a kind it does not list sorts after them)."""
    from model.objects import KIND_INFO
    from traces.describe import _ALIASES, _KIND_ORDER

    assert _ALIASES == {k.name: k.alias for k in KIND_INFO if k.alias}
    assert {t: n for t, n in _KIND_ORDER}.items() <= {k.table: k.alias or k.name for k in KIND_INFO}.items()


def test_a_kind_with_an_incomplete_record_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The completeness check ``model.kinds`` asserts at import is not vacuous: a record without its
    data entry, a loaded kind without its builder, a controller-only kind given a schema, and a data
    entry whose table ``ClusterState`` lacks all fail it."""
    from dataclasses import replace as dc_replace

    import model.records as records
    from model.kinds import KIND_RECORDS
    from model.objects import KindInfo
    from model.records import Kind

    assert all(not k.problems() for k in KIND_RECORDS.values())
    assert Kind("Widget", lambda o, c, g: "").problems() == ["Widget: no model.objects.KIND_INFO entry"]
    assert dc_replace(KIND_RECORDS["Deployment"], build=None).problems() == [
        "Deployment: a kind manifests declare needs its build"]
    assert dc_replace(KIND_RECORDS["ControllerRevision"], schema={}).problems() == [
        "ControllerRevision: schema given for a kind no manifest declares"]
    widget = KindInfo("Widget", object, "widgets", "example.io/v1", "widget", ())
    monkeypatch.setitem(records._INFO, "Widget", widget)
    assert Kind("Widget", lambda o, c, g: "").problems() == ["Widget: no ClusterState.widgets table"]
    assert widget.resource == "widgets.example.io" and widget.group == "example.io"
    assert dc_replace(widget, plural="widgetries", api_version="v1").resource == "widgetries"


def test_the_loader_and_the_api_server_go_through_the_kind_records(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """The manifest loader, defaulting, update validation and the summaries ask the record: a record
    changed here changes what they do."""
    from dataclasses import replace as dc_replace
    from pathlib import Path

    import model.kinds as kinds
    from model.defaults import set_defaults
    from model.manifests import load_manifests
    from model.system import _summary
    from model.update_validation import validate_update
    from model.validation import FieldError

    f = Path(str(tmp_path)) / "svc.yaml"
    f.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n---\n"
                 "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n", encoding="utf-8")
    before = load_manifests([str(f)])
    assert not before.errors and len(before.objects) == 2
    svc = kinds.KIND_RECORDS["Service"]
    calls: list[str] = []

    def refuse(obj: object) -> list[FieldError]:
        calls.append("validate")
        return [*svc.validate(obj), FieldError("spec", "refused by the record")]  # type: ignore[misc]

    def defaults(obj: object) -> object:
        calls.append("defaults")
        return svc.defaults(obj)  # type: ignore[misc]

    monkeypatch.setitem(kinds.KIND_RECORDS, "Service", dc_replace(svc, validate=refuse, defaults=defaults,
                                                                   summary=lambda o, c, g: "from the record"))
    after = load_manifests([str(f)])
    assert calls == ["defaults", "validate"]
    assert [str(e) for e in after.errors] == [f"{f}:4: spec: refused by the record"]
    assert set_defaults("Service", {"metadata": {"name": "x"}}) == {"metadata": {"name": "x"}} and calls[-1] == "defaults"
    pod = next(o for o in before.objects if o.name == "p")
    assert validate_update(pod, pod) == []
    monkeypatch.setitem(kinds.KIND_RECORDS, "Pod", dc_replace(kinds.KIND_RECORDS["Pod"], validate_update=lambda new, old: ["no"]))
    assert validate_update(pod, pod) == ["no"]
    service = next(o for o in before.objects if o.name == "web")
    from model.state import ClusterState

    assert _summary("Service", service, ClusterState()) == "from the record"


# ----------------------------------------------------------------------------------- user actions


def test_every_user_action_has_one_registered_record() -> None:
    import typing

    from model.environment import UserAction
    from model.records import UserActionKind
    from model.registry import USER_ACTIONS, user_action_record

    classes = [u.cls for u in USER_ACTIONS]
    assert set(classes) == set(typing.get_args(UserAction)) and len(classes) == len(set(classes))
    for u in USER_ACTIONS:
        assert isinstance(u, UserActionKind) and callable(u.label) and callable(u.instances)
        assert user_action_record(u.cls) is u
    assert user_action_record(int) is None


def test_user_action_label_and_instances_are_the_records() -> None:
    from model.environment import DeleteFailedNode, ScaleWorkload, SetImage, user_action_instances, user_action_label
    from model.errors import ModelError

    c = node_failure("write").init_states()[0].cluster  # type: ignore[operator]
    assert user_action_label(ScaleWorkload("ReplicaSet", "web", 3)) == "user_scale_rs"
    assert user_action_label(SetImage("StatefulSet", "db", "x:2")) == "user_update_image_statefulset"
    assert user_action_label(DeleteFailedNode()) == "operator_delete_node"
    scaled = user_action_instances(c, ScaleWorkload("ReplicaSet", "web", 3))
    assert [d for d, _ in scaled] == ["web=3"] and scaled[0][1][0].obj.replicas == 3  # type: ignore[index,union-attr]
    assert user_action_instances(c, ScaleWorkload("ReplicaSet", "web", 1)) == []  # no-op: no instance
    assert user_action_instances(c, ScaleWorkload("ReplicaSet", "gone", 3)) == []
    with pytest.raises(ModelError, match="not a user action"):
        user_action_label(object())  # type: ignore[arg-type]


# ------------------------------------------------------------------------ scenario-file action keys

#: The ``actions:`` keys as they were listed before they became records (issue 14): the error
#: messages list them in this order and ``SCENARIO_SCHEMA`` tries them in it.
_KEYS_BEFORE = ("set-image", "scale", "rollback", "pause", "resume", "delete", "cordon", "uncordon", "drain", "delete-node", "load",
                "restart", "set-env", "set-resources", "apply", "create", "relabel-pods")
#: sha256 of ``json.dumps(SCENARIO_SCHEMA["properties"]["actions"], sort_keys=True)`` taken from the
#: hand-written schema before the records (70,893 characters): the records rebuild it byte for byte.  Updated
#: once since, on purpose: ``set-image`` gained ``images: {CONTAINER: IMAGE}`` (one command, several containers).
_ACTIONS_SCHEMA_BEFORE = "3feb09100d48993ddfc52e4cd08988edca14c33fdeebba30bc28d59b2e691e05"

#: One valid entry per key (the test builds each).
_EXAMPLES: dict[str, object] = {
    "set-image": {"kind": "Deployment", "name": "web", "image": "x:2"},
    "scale": {"kind": "ReplicaSet", "name": "web", "replicas": 2},
    "rollback": {"name": "web", "revision": 1},
    "pause": {"name": "web"},
    "resume": {"name": "web"},
    "delete": {"statefulset": "db", "ordinal": 0, "force": True},
    "cordon": {"node": "n1"},
    "uncordon": {"node": "n1"},
    "drain": {"node": "n1", "ignore-daemonsets": True},
    "delete-node": {"node": "n1"},
    "load": {"hpa": "web", "percent": 150},
    "restart": {"kind": "Deployment", "name": "web"},
    "set-env": {"kind": "Deployment", "name": "web", "env": {"A": "1"}},
    "set-resources": {"kind": "Deployment", "name": "web", "requests": {"cpu": 1}},
    "apply": "rs.yaml",
    "create": "rs.yaml",
    "relabel-pods": {"match": {"app": "web"}, "labels": {"app": "other"}},
}


def test_the_actions_schema_and_key_order_are_the_action_key_records_unchanged() -> None:
    import hashlib
    import json

    from kubecheck import scenarios

    assert tuple(k.key for k in scenarios.ACTION_KEYS) == _KEYS_BEFORE == scenarios._ACTIONS
    items = scenarios.SCENARIO_SCHEMA["properties"]["actions"]["items"]["oneOf"]
    assert items == [k.schema for k in scenarios.ACTION_KEYS]
    for k, branch in zip(scenarios.ACTION_KEYS, items):
        assert branch["required"] == [k.key] and k.key in branch["properties"]
    dumped = json.dumps(scenarios.SCENARIO_SCHEMA["properties"]["actions"], sort_keys=True)
    assert hashlib.sha256(dumped.encode()).hexdigest() == _ACTIONS_SCHEMA_BEFORE


def test_every_user_action_class_is_built_by_an_action_key_or_named_as_built_elsewhere(tmp_path: object) -> None:
    import dataclasses
    from pathlib import Path

    import jsonschema

    from kubecheck import scenarios
    from model.environment import CreatePod, DeleteFailedNode
    from model.registry import USER_ACTIONS
    from model.sequence import After

    d = Path(str(tmp_path))
    (d / "rs.yaml").write_text("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  replicas: 1\n"
                               "  selector: {matchLabels: {app: r}}\n  template:\n    metadata: {labels: {app: r}}\n"
                               "    spec: {containers: [{name: c, image: x:1}]}\n")
    classes = {u.cls for u in USER_ACTIONS}

    def built_classes(action: object) -> set[type]:
        found = {type(action)}
        for f in dataclasses.fields(action):  # type: ignore[arg-type]
            inner = getattr(action, f.name)
            if type(inner) in classes:
                found |= built_classes(inner)
        return found

    assert set(_EXAMPLES) == {k.key for k in scenarios.ACTION_KEYS}
    reached: set[type] = set()
    for k in scenarios.ACTION_KEYS:
        entry = {k.key: _EXAMPLES[k.key], "count": 2}
        jsonschema.Draft202012Validator(k.schema).validate(entry)
        built = k.build(str(d / "s.yaml"), 0, entry, scenarios._Marks({}))
        assert built and all(n == 2 for _, n in built), k.key
        got = set().union(*(built_classes(a) for a, _ in built))
        assert got == set(k.classes), k.key
        reached |= got
    # the rest are no key of their own: ``after:``/``fair:`` wrap any entry, ``operator: true`` is the
    # fair DeleteFailedNode, CreatePod is the Python API's (model.system seeds, tests)
    assert classes - reached == {After, DeleteFailedNode, CreatePod}
    assert reached <= classes
