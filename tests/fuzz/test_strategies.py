"""The strategies generate what the loader accepts (>= 1,000 examples each), and their invalid variants
get one clean ManifestError naming the broken field (also through ``python -m model.manifests``: exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubecheck.fuzz import strategies as ks
from model.environment import FaultBudget, user_action_instances
from model.errors import ManifestError
from model.labels import is_qualified_name, is_valid_label_value, label_selector_as_selector, selector_from_set
from model.manifests import load_text
from model.objects import Deployment, Node, ReplicaSet, ReplicationController, StatefulSet
from model.system import KubeSystem, Scenario
from model.validation import label_selector_from_data, validate_label_selector
from tests.conftest import SLOW

ROOT = Path(__file__).resolve().parents[2]
MID = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# MANY: 1,000 examples in tier 2 (KUBECHECK_SLOW=1), 300 in every run
MANY = settings(max_examples=1000 if SLOW else 300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@MANY
@given(ks.label_keys(max_size=63), ks.label_values(max_size=63))
def test_label_keys_and_values_are_valid(key: str, value: str) -> None:
    assert is_qualified_name(key) == []
    assert is_valid_label_value(value) == []
    assert key not in ks.RESERVED_LABEL_KEYS


@MID
@given(ks.label_sets(min_size=1).flatmap(lambda labels: st.tuples(st.just(labels), ks.selectors_matching(labels))))
def test_selectors_are_valid_non_empty_and_match_their_labels(case) -> None:
    labels, selector = case
    assert validate_label_selector(selector, "spec.selector") == []
    assert selector.get("matchLabels") or selector.get("matchExpressions")
    assert label_selector_as_selector(label_selector_from_data(selector)).matches(labels)


@MID
@given(ks.invalid_selectors())
def test_invalid_selectors_name_the_broken_field(case) -> None:
    selector, field = case
    errors = validate_label_selector(selector, "spec.selector")
    assert any((e.at or e.path).startswith(f"spec.selector.{field}") or e.path.startswith(f"spec.selector.{field}") for e in errors), errors


@MID
@given(ks.workloads())
def test_workload_dicts_load_cleanly_as_json_and_yaml(doc) -> None:
    for text, name in ((json.dumps(doc), "w.json"), (ks.to_yaml(doc), "w.yaml")):
        result = load_text(text, name)
        assert result.errors == ()
        (obj,) = result.objects
        assert (type(obj).__name__, obj.name) == (doc["kind"], doc["metadata"]["name"])
        assert obj.namespace == doc["metadata"].get("namespace", "default")
        if "replicas" in doc["spec"]:
            assert obj.replicas == doc["spec"]["replicas"]
        assert dict(obj.template.labels) == doc["spec"]["template"]["metadata"]["labels"]


@MID
@given(st.one_of(ks.deployment_yaml(), ks.replica_set_yaml(), ks.replication_controller_yaml(), ks.stateful_set_yaml()))
def test_workload_yaml_strategies_load_cleanly(text: str) -> None:
    result = load_text(text, "w.yaml")
    assert result.errors == () and len(result.objects) == 1


def _selector_of(w):
    if isinstance(w, ReplicationController):
        return selector_from_set(w.selector)
    return label_selector_as_selector(w.selector)


@MANY
@given(ks.manifest_sets(namespace=st.none() | ks.dns1123_labels()))
def test_manifest_sets_load_into_a_consistent_cluster(docs) -> None:
    """The 1,000-example check (300 in tier 1, tests/conftest.py): every set (1-3 workloads of every kind,
    Services, Nodes) loads with no error, namespace-consistent, each selector matching its own template and no other's."""
    result = load_text(ks.to_yaml(docs), "set.yaml")
    assert result.errors == ()
    assert len(result.objects) == len(docs)
    cluster = result.to_state()
    namespaces = {o.namespace for o in result.objects if not isinstance(o, Node)}
    assert len(namespaces) == 1
    workloads = [o for o in result.objects if isinstance(o, (Deployment, ReplicaSet, ReplicationController, StatefulSet))]
    assert workloads
    for w in workloads:
        sel = _selector_of(w)
        assert sel.matches(w.template.labels)
        assert all(not sel.matches(o.template.labels) for o in workloads if o is not w)
    assert len(cluster.nodes) == sum(1 for d in docs if d["kind"] == "Node")


@MID
@given(ks.invalid_manifests())
def test_invalid_manifests_get_a_manifest_error_naming_the_field(case) -> None:
    doc, mutation = case
    result = load_text(ks.to_yaml(doc), "bad.yaml")
    assert result.objects == ()
    assert result.errors and all(isinstance(e, ManifestError) for e in result.errors)
    assert any((e.field or "").startswith(mutation.field) for e in result.errors), (mutation, [str(e) for e in result.errors])
    for e in result.errors:  # one line each, FILE:LINE: FIELD: message
        assert "\n" not in str(e) and str(e).startswith("bad.yaml:")


def test_every_mutation_applies_to_some_kind_and_is_reachable() -> None:
    assert {m.name for m in ks.MUTATIONS} == {m.name for m in ks.MUTATIONS if m.kinds}
    assert len({m.name for m in ks.MUTATIONS}) == len(ks.MUTATIONS)


@settings(max_examples=4, deadline=None)
@given(ks.invalid_manifests())
def test_cli_exits_2_on_invalid_manifests(tmp_path_factory, case) -> None:
    doc, mutation = case
    path = tmp_path_factory.mktemp("bad") / "bad.yaml"
    path.write_text(ks.to_yaml(doc))
    proc = subprocess.run([sys.executable, "-m", "model.manifests", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert mutation.field in proc.stderr


@FEW
@given(ks.fault_budgets(max_each=3))
def test_fault_budgets_are_within_bounds(budget: FaultBudget) -> None:
    assert all(0 <= getattr(budget, f) <= 3 for f in FaultBudget.__dataclass_fields__)


@FEW
@given(ks.manifest_sets(max_nodes=0).flatmap(lambda docs: st.tuples(st.just(docs), ks.user_actions(docs, max_actions=4))))
def test_user_actions_name_existing_workloads_and_apply(case) -> None:
    docs, actions = case
    cluster = load_text(ks.to_yaml(docs), "set.yaml").to_state()
    for a in actions:
        kind = getattr(a, "kind", "Deployment")
        assert cluster.get(kind, a.namespace, a.name) is not None
        user_action_instances(cluster, a)  # never raises on a generated action


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ks.scenarios(max_replicas=2))
def test_scenarios_build_a_transition_system_with_successors(scenario: Scenario) -> None:
    system = KubeSystem(scenario)
    (init,) = system.init_states()
    assert init.cluster.nodes
    assert isinstance(list(system.successors(init)), list)
