"""The operator who deletes a failed Node object (model.environment.DeleteFailedNode) and PodGC's
gcOrphaned (model.podgc): what the node-failure scenario assumes for StatefulSet convergence."""

from __future__ import annotations

from model.environment import DeleteFailedNode, FaultBudget, is_fair, user_action_instances, user_action_label
from model.podgc import gc_orphaned, orphaned_pods
from model.system import KubeSystem, Scenario, SystemState
from properties.catalogue import get_rule, pods_waiting_for_operator

from tests.model.builders_runtime import cluster, node, rs
from tests.model.test_scenarios import _settle, _stateful_set, _take


def _system(*, fair: bool = True, budget: int = 1) -> KubeSystem:
    return KubeSystem(
        Scenario(
            cluster(node("node-a"), node("node-b"), rs(replicas=1), _stateful_set(1)),
            user_actions=((DeleteFailedNode(fair=fair), budget),),
            faults=FaultBudget(node_failure=1),
        )
    )


def _settle_without_operator(system: KubeSystem, s: SystemState) -> SystemState:
    """Take fair actions other than the operator's until only the operator's is left (or none)."""
    for _ in range(500):
        fair = [(a, n) for a, n in system.successors(s) if a.fair and a.actor != "operator"]
        if not fair:
            return s
        s = fair[0][1]
    raise AssertionError("did not settle")


def _on_node_a(system: KubeSystem) -> SystemState:
    s = _settle(system, system.init_states()[0], prefer=lambda a: a.label != "scheduler_bind_pod" or a.data[2] == "node-a")
    assert {p.node_name for p in s.cluster.pods.values()} == {"node-a"}
    return s


def test_the_operator_deletes_only_notready_nodes_one_branch_each() -> None:
    system = _system()
    s = _on_node_a(system)
    assert user_action_instances(s.cluster, DeleteFailedNode()) == []
    assert not any(a.label == "operator_delete_node" for a in system.actions(s))
    s = _take(system, s, "node_fail", "node-a")
    (detail, writes), = user_action_instances(s.cluster, DeleteFailedNode())
    assert detail == "node-a" and writes[0].kind == "Node" and writes[0].name == "node-a"
    (op,) = [a for a in system.actions(s) if a.label == "operator_delete_node"]
    assert op.fair and op.actor == "operator" and user_action_label(DeleteFailedNode()) == "operator_delete_node"
    assert is_fair(DeleteFailedNode()) and not is_fair(DeleteFailedNode(fair=False))
    (unfair,) = [a for a in _system(fair=False).actions(s) if a.label == "operator_delete_node"]
    assert not unfair.fair and unfair.actor == "user"


def test_podgc_removes_the_pods_of_a_deleted_node_and_the_statefulset_recreates_its_ordinal() -> None:
    system = _system()
    s = _settle_without_operator(system, _take(system, _on_node_a(system), "node_fail", "node-a"))
    assert [a.label for a in system.actions(s) if a.fair] == ["operator_delete_node"]  # only the operator can help
    db0 = s.cluster.get("Pod", "default", "db-0")
    assert db0.deletion_timestamp is not None and db0.node_name == "node-a"  # evicted, stuck Terminating
    set_ = s.cluster.get("StatefulSet", "default", "db")
    assert pods_waiting_for_operator(s.cluster, set_) == (db0,)
    assert not get_rule("KC-NODE-001").check(s.cluster, ("StatefulSet", "default", "db"))

    s = _take(system, s, "operator_delete_node", "node-a")
    assert s.cluster.get("Node", "", "node-a") is None and s.user_budget == (0,)
    on_a = {p.name for p in s.cluster.pods.values() if p.node_name == "node-a"}
    assert on_a == {"db-0", "web-1"} and {p.name for p in orphaned_pods(s.cluster)} == on_a
    assert gc_orphaned(s.cluster, db0)[0].grace_period_seconds == 0
    gc = [a for a in system.actions(s) if a.label == "podgc_delete_orphaned_pod"]
    assert len(gc) == 2 and all(a.fair for a in gc)
    assert get_rule("KC-NODE-001").check(s.cluster, ("StatefulSet", "default", "db"))  # no NotReady node left

    log: list = []
    s = _settle(system, s, log)
    assert [a.label for a, _ in log].count("podgc_delete_orphaned_pod") == 2
    db0 = s.cluster.get("Pod", "default", "db-0")
    assert db0.node_name == "node-b" and db0.deletion_timestamp is None and db0.conditions.ready
    assert all(p.node_name == "node-b" for p in s.cluster.pods.values())
    assert get_rule("KC-CONV-003").check(s.cluster, ("StatefulSet", "default", "db"))
    # the deleted node leaves no orphaned containers behind: it was declared dead (fenced)
    assert all(not n.orphaned_pods for n in s.cluster.nodes.values())


def test_the_operators_budget_bounds_it() -> None:
    system = _system(budget=0)
    s = _settle(system, _take(system, _on_node_a(system), "node_fail", "node-a"))
    assert not any(a.label == "operator_delete_node" for a in system.actions(s))
    assert s.cluster.get("Pod", "default", "db-0").deletion_timestamp is not None


def test_convergence_holds_with_the_fair_operator_and_fails_without() -> None:
    from kubecheck.core.explorer import explore
    from kubecheck.core.verdict import Verdict
    from properties import instantiate

    def verdicts(system: KubeSystem) -> dict[str, Verdict]:
        start = _on_node_a(system)
        sys2 = KubeSystem(Scenario(start.cluster, user_actions=system.scenario.user_actions, faults=system.scenario.faults))
        props = instantiate(start.cluster, ["KC-CONV-003", "KC-NODE-001", "KC-STS-004"])
        res = explore(sys2, props, progress=False)
        return {r.property.rule_id.split(".")[0]: r.verdict for r in res.results}

    with_operator = verdicts(_system())
    assert with_operator == {"KC-CONV-003": Verdict.HOLDS, "KC-NODE-001": Verdict.VIOLATED, "KC-STS-004": Verdict.HOLDS}
    unfair = verdicts(_system(fair=False))  # an operator who may act but need not: no promise
    assert unfair["KC-CONV-003"] is Verdict.VIOLATED and unfair["KC-NODE-001"] is Verdict.VIOLATED
    none = verdicts(_system(budget=0))
    assert none["KC-CONV-003"] is Verdict.VIOLATED
