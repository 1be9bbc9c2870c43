"""The scenario grids of bench/scenarios.py: each variant builds the objects, budgets and user action it names."""

from __future__ import annotations

import pytest

from bench.scenarios import DEPLOYMENT_VARIANTS, NODE_FAILURE_NODES, SCENARIOS, STATEFULSET_VARIANTS, statefulset_scenario
from kubecheck.core.explorer import explore
from kubecheck.core.verdict import Verdict
from model.environment import FaultBudget, ScaleWorkload, SetImage
from model.system import KubeSystem, SystemState


def _after_user_action(system: KubeSystem) -> SystemState:
    """The state right after the (single) user action from the start state."""
    start = system.init_states()[0]
    user = [n for a, n in system.successors(start) if a.actor == "user"]
    assert len(user) == 1
    return user[0]


def _settled_ready(start, n: int) -> None:
    assert len(start.pods) == n
    assert all(p.phase == "Running" and p.conditions.ready and p.node_name for p in start.pods.values())


def test_grids_cover_the_issue():
    assert SCENARIOS["deployment"].variants == ("1/0", "0/1", "25%/25%")
    assert SCENARIOS["deployment"].crashes == (0, 1, 2)
    assert SCENARIOS["deployment"].sizes == tuple(range(1, 13))
    assert SCENARIOS["statefulset"].variants == ("scale-up", "scale-down", "rolling-update")
    assert SCENARIOS["statefulset"].sizes == tuple(range(1, 9)) and SCENARIOS["statefulset"].crashes == (0, 1)
    assert NODE_FAILURE_NODES == 3 and SCENARIOS["node-failure"].variants == ("3 nodes",)


@pytest.mark.parametrize(
    ("variant", "surge", "unavailable"), [("1/0", 1, 0), ("0/1", 0, 1), ("25%/25%", "25%", "25%")], ids=DEPLOYMENT_VARIANTS
)
@pytest.mark.parametrize("crashes", [0, 2])
def test_deployment_variant_sets_strategy_crash_budget_and_one_set_image(variant, surge, unavailable, crashes):
    b = SCENARIOS["deployment"].build(2, variant, crashes)
    assert (b.name, b.size, b.variant, b.crashes) == ("deployment", 2, variant, crashes)
    sc = b.system.scenario
    (d,) = sc.initial.objects("Deployment", "default")
    assert (d.replicas, d.strategy.max_surge, d.strategy.max_unavailable) == (2, surge, unavailable)
    assert sc.faults == FaultBudget(container_crash=crashes)
    assert sc.user_actions == (SetImage("Deployment", "web", "nginx:2"),)
    _settled_ready(sc.initial, 2)
    assert b.system.init_states()[0].faults.container_crash == crashes
    after = _after_user_action(b.system)
    assert after.cluster.objects("Deployment", "default")[0].template.containers[0].image == "nginx:2"
    assert {p.rule_id for p in b.properties} == {"KC-OWN-001", "KC-ROLL-002"}


def test_deployment_rejects_a_malformed_variant():
    with pytest.raises(ValueError, match="SURGE/UNAVAILABLE"):
        SCENARIOS["deployment"].build(1, "1", 0)


def test_statefulset_scale_up_starts_empty_and_asks_for_r():
    b = statefulset_scenario(3, "scale-up")
    start = b.system.scenario.initial
    assert len(start.pods) == 0 and start.objects("StatefulSet", "default")[0].replicas == 0
    assert b.system.scenario.user_actions == (ScaleWorkload("StatefulSet", "db", 3),)
    after = _after_user_action(b.system)
    assert after.cluster.objects("StatefulSet", "default")[0].replicas == 3


def test_statefulset_scale_down_starts_from_r_settled_pods_and_has_replicas_0_after_the_user_action():
    b = statefulset_scenario(3, "scale-down")
    start = b.system.scenario.initial
    _settled_ready(start, 3)
    assert sorted(p.name for p in start.pods.values()) == ["db-0", "db-1", "db-2"]
    (s,) = start.objects("StatefulSet", "default")
    assert (s.replicas, s.pod_management_policy) == (3, "OrderedReady")
    after = _after_user_action(b.system)
    assert after.cluster.objects("StatefulSet", "default")[0].replicas == 0
    assert len(after.cluster.pods) == 3  # the controller has not acted yet


def test_statefulset_rolling_update_changes_the_image_at_r():
    b = SCENARIOS["statefulset"].build(2, "rolling-update", 1)
    _settled_ready(b.system.scenario.initial, 2)
    assert b.system.scenario.faults == FaultBudget(container_crash=1)
    after = _after_user_action(b.system)
    (s,) = after.cluster.objects("StatefulSet", "default")
    assert (s.replicas, s.template.containers[0].image) == (2, "postgres:2")
    assert {p.rule_id for p in b.properties} == {"KC-STS-003", "KC-STS-004", "KC-STS-005"}


def test_statefulset_rejects_an_unknown_variant():
    with pytest.raises(ValueError, match="known"):
        statefulset_scenario(1, "scale-sideways")


@pytest.mark.parametrize("variant", STATEFULSET_VARIANTS)
def test_statefulset_variants_hold_exhaustively_at_r2(variant):
    b = SCENARIOS["statefulset"].build(2, variant, 0)
    res = explore(b.system, b.properties)
    assert res.complete and all(r.verdict is Verdict.HOLDS for r in res.results)
    # OrderedReady, no fault: one pod at a time, so the space is a short chain of a few dozen states
    assert 10 < res.stats.states < 60


def test_node_failure_spreads_r_pods_over_three_nodes_with_one_failure():
    b = SCENARIOS["node-failure"].build(3, "3 nodes", 0)
    start = b.system.scenario.initial
    assert sorted(start.nodes) and len(start.nodes) == 3
    _settled_ready(start, 3)
    assert len({p.node_name for p in start.pods.values()}) == 3  # the scheduler spreads them
    assert b.system.scenario.faults == FaultBudget(node_failure=1)
    assert b.system.scenario.user_actions == ()
