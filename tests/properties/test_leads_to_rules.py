"""KC-AVAIL-002, the catalogue's leads-to rule ("after a lost node is back, replicas are available"),
on the model: it flips on room to recover, and it differs from KC-AVAIL-001 (eventually always) on
the run where the lost node never comes back."""

from __future__ import annotations

from typing import Any

import pytest

from kubecheck.core.judge import Outcome, judge_trace, leads_to_trigger_index
from kubecheck.core.properties import PropertyKind
from kubecheck.core.verdict import Verdict
from model.environment import DeleteFailedNode, FaultBudget
from properties import CATALOGUE, cluster_of
from properties.catalogue import every_node_ready
from tests.properties.helpers import check, replicaset_yaml, settled_cluster, settled_system
from tests.properties.test_platform_rules import _pinned_rs

NODE_FAILURE = FaultBudget(node_failure=1)
OPERATOR = ((DeleteFailedNode(fair=True), 1),)


def _result(system: Any, rule_id: str) -> Any:
    (res,) = check(system, [rule_id]).results
    return res


def test_kc_avail_002_is_an_opt_in_leads_to_rule_with_a_trigger() -> None:
    r = CATALOGUE["KC-AVAIL-002"]
    assert r.kind is PropertyKind.LEADS_TO and not r.default and r.trigger is every_node_ready
    assert r.trigger_counts and r.counts and r.remediation and "pkg/" in r.upstream
    (prop,) = r.instantiate(settled_cluster(_pinned_rs(2), nodes=0))
    assert prop.kind is PropertyKind.LEADS_TO and prop.trigger is not None


@pytest.mark.parametrize("ssd_nodes,expected", [(1, Verdict.VIOLATED), (2, Verdict.HOLDS)])
def test_kc_avail_002_flips_on_room_to_recover_once_the_operator_deleted_the_lost_node(ssd_nodes: int, expected: Verdict) -> None:
    """The operator deletes the failed Node object: every remaining node is Ready (the trigger).  With
    one ssd node the replacement pod fits nowhere and stays Pending: the goal never comes."""
    res = _result(settled_system(_pinned_rs(ssd_nodes), faults=NODE_FAILURE, user_actions=OPERATOR), "KC-AVAIL-002")
    assert res.verdict is expected
    if expected is Verdict.VIOLATED:
        t = res.trace
        assert judge_trace(res.property, t).outcome is Outcome.VIOLATION
        states = t.states()
        at = leads_to_trigger_index(res.property, states[t.loop_start:], states[: t.loop_start])
        assert at is not None and at > 0  # not the settled start: after the failure and the operator's delete
        labels = [s.label for s in t.steps[:at]]
        assert any("node" in lab and "fail" in lab for lab in labels), labels
        assert t.steps[at - 1].actor == "operator" or any(s.actor == "operator" for s in t.steps[:at])
        assert every_node_ready(cluster_of(states[at]))
        assert all(not res.property.predicate(s) for s in states[at:])


def test_without_the_operator_the_node_never_returns_and_nothing_is_owed() -> None:
    """KC-AVAIL-001 (eventually always) fails on the run where the lost node never comes back;
    KC-AVAIL-002 holds there: after the loss no state has every node Ready."""
    system = settled_system(_pinned_rs(1), faults=NODE_FAILURE)
    assert _result(system, "KC-AVAIL-001").verdict is Verdict.VIOLATED
    assert _result(system, "KC-AVAIL-002").verdict is Verdict.HOLDS


def test_kc_avail_002_holds_after_a_container_crash() -> None:
    system = settled_system(replicaset_yaml(), faults=FaultBudget(container_crash=1))
    assert _result(system, "KC-AVAIL-002").verdict is Verdict.HOLDS


def test_a_user_leads_to_rule_needs_its_trigger_and_only_it_has_one() -> None:
    from kubecheck.core.errors import InvalidProperty
    from properties import rule

    @rule("ACME-LT", "after every node is Ready, the ReplicaSet has its pods", kind="leads_to", trigger=every_node_ready,
          applies_to=("ReplicaSet",))
    def has_pods(c: Any, target: Any) -> bool:
        return True

    cluster = settled_cluster(replicaset_yaml(), nodes=1)
    (prop,) = has_pods.instantiate(cluster)
    state = settled_system(replicaset_yaml()).init_states()[0]
    assert prop.kind is PropertyKind.LEADS_TO and prop.trigger is not None and prop.trigger(state) is True
    with pytest.raises(InvalidProperty, match="needs trigger="):
        rule("ACME-LT2", "no trigger", kind="leads_to")(lambda c: True)
    with pytest.raises(InvalidProperty, match="only a leads_to rule takes one"):
        rule("ACME-INV", "a trigger on an invariant", trigger=every_node_ready)(lambda c: True)


def test_explain_shows_the_trigger() -> None:
    from click.testing import CliRunner

    from kubecheck.cli import cli

    out = CliRunner().invoke(cli, ["explain", "KC-AVAIL-002"]).output
    assert "kind:     leads_to" in out
    assert "after:    every Node in the cluster reports Ready" in out
