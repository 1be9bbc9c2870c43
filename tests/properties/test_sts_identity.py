"""KC-STS-001..005: StatefulSet identity, storage, split brain and ordering."""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.environment import DeleteObject, FaultBudget, ScaleWorkload, fault_instances
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import build
from tests.properties.helpers import assert_holds, assert_violated, check, settled_cluster, settled_system, statefulset_yaml

STS = ["KC-STS-001", "KC-STS-002", "KC-STS-003", "KC-STS-004", "KC-STS-005"]


@pytest.mark.parametrize("start,target", [(1, 2), (2, 0), (0, 2)], ids=["1-to-2", "2-to-0", "0-to-2"])
def test_every_identity_rule_holds_while_a_stateful_set_scales(start: int, target: int) -> None:
    system = settled_system(statefulset_yaml(replicas=start), user_actions=(ScaleWorkload("StatefulSet", "db", target),))
    assert_holds(check(system, STS + ["KC-CONV-003"]), *STS, "KC-CONV-003")


# ------------------------------------------------------------------------- KC-STS-004 split brain


def test_sts_004_violated_by_force_deleting_a_pod_on_a_partitioned_node() -> None:
    """B.9: the node stops reporting, the pod is force-deleted, the controller recreates db-0 on the
    other node, and the old containers still run on the partitioned one."""
    system = settled_system(statefulset_yaml(replicas=1), nodes=2, faults=FaultBudget(node_failure=1, force_delete=1))
    result = check(system, STS)
    assert_violated(
        result, "KC-STS-004",
        ["node_fail", "fault_force_delete_pod", "ssc_create_pod", "scheduler_bind_pod", "kubelet_start_sandbox",
         "kubelet_start_containers"],
    )
    final = result.result("KC-STS-004").trace.steps[-1].state.cluster
    ghost = final.nodes[("", "node-1")].orphaned_pods
    assert [(ns, name) for ns, name, _ in ghost] == [("default", "db-0")]
    assert final.get("Pod", "default", "db-0").node_name == "node-2"
    assert_holds(result, "KC-STS-001", "KC-STS-002", "KC-STS-003", "KC-STS-005")


def test_sts_004_holds_when_the_node_fails_and_recovers_without_force_delete() -> None:
    system = settled_system(statefulset_yaml(replicas=1), nodes=2, faults=FaultBudget(node_failure=1, node_recovery=1))
    assert_holds(check(system, STS), *STS)


def test_sts_004_holds_when_the_pod_is_force_deleted_on_a_ready_node() -> None:
    system = settled_system(statefulset_yaml(replicas=1), faults=FaultBudget(force_delete=1))
    assert_holds(check(system, STS), *STS)


def test_sts_004_split_brain_ends_when_the_partitioned_node_recovers() -> None:
    system = settled_system(
        statefulset_yaml(replicas=1), nodes=2, faults=FaultBudget(node_failure=1, force_delete=1, node_recovery=1)
    )
    states = result_states(system)
    assert any(n.orphaned_pods for s in states for n in s.cluster.nodes.values())
    recovered = [s for s in states if s.faults.node_recovery == 0]
    assert recovered and all(not n.orphaned_pods for s in recovered for n in s.cluster.nodes.values())
    from properties.catalogue import at_most_one_pod_per_identity

    db = ("StatefulSet", "default", "db")
    assert all(at_most_one_pod_per_identity.check(s.cluster, db) is True for s in recovered)
    # and the split brain before recovery is judged on the set's own identities
    assert any(at_most_one_pod_per_identity.check(s.cluster, db) is False for s in states)


def result_states(system: object) -> set:  # every reachable state (small scenarios only)
    seen = set(system.init_states())
    todo = list(seen)
    while todo:
        for _, t in system.successors(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def test_force_delete_records_running_containers_only_on_a_not_ready_node() -> None:
    cluster = settled_cluster(statefulset_yaml(replicas=1))
    node = cluster.nodes[("", "node-1")]
    pod = cluster.get("Pod", "default", "db-0")
    (ready,) = [f for f in fault_instances(cluster, FaultBudget(force_delete=1))]
    assert ready.result.get("Pod", "default", "db-0") is None and ready.result.nodes[("", "node-1")].orphaned_pods == ()
    down = cluster.put(replace(node, ready=False))
    (forced,) = fault_instances(down, FaultBudget(force_delete=1))
    assert forced.result.nodes[("", "node-1")].orphaned_pods == (("default", "db-0", pod.uid),)
    stopped = down.put(replace(pod, container_statuses=tuple(replace(c, state="terminated") for c in pod.container_statuses)))
    (quiet,) = fault_instances(stopped, FaultBudget(force_delete=1))
    assert quiet.result.nodes[("", "node-1")].orphaned_pods == ()
    (healed,) = fault_instances(forced.result, FaultBudget(node_recovery=1))
    assert healed.result.nodes[("", "node-1")].orphaned_pods == () and healed.result.nodes[("", "node-1")].ready


# --------------------------------------------------------------- KC-STS-001/002/003/005 mutants


@pytest.mark.parametrize(
    "mutant,scenario,rule,labels",
    [
        ("sts_hostname_not_set", "sts_scale_1_to_2", "KC-STS-001", ["user_scale_statefulset", "ssc_create_pvc", "ssc_create_pod"]),
        ("sts_subdomain_wrong", "sts_scale_1_to_2", "KC-STS-001", ["user_scale_statefulset", "ssc_create_pvc", "ssc_create_pod"]),
        ("sts_identity_rewrites_hostname", "sts_scale_1_to_2", "KC-STS-002", ["ssc_update_pod"]),
        ("sts_pvc_name_wrong_ordinal", "sts_scale_1_to_2", "KC-STS-003", ["ssc_create_pvc", "ssc_update_pod"]),
        ("sts_scale_down_lowest_first", "sts_scale_2_to_0", "KC-STS-005", ["user_scale_statefulset", "ssc_delete_pod"]),
        (
            "sts_ordered_ready_skips_readiness", "sts_scale_0_to_2", "KC-STS-005",
            ["user_scale_statefulset", "ssc_create_pvc", "ssc_create_pod", "ssc_update_status", "ssc_create_pvc", "ssc_create_pod"],
        ),
    ],
)
def test_identity_rules_violated_by_seeded_bugs(mutant: str, scenario: str, rule: str, labels: list[str]) -> None:
    build(scenario)
    with MUTANTS[mutant].patch():
        result = check(build(scenario), [rule])
    assert_violated(result, rule, labels)


def test_sts_005_violated_by_a_stale_view_race_with_per_write_steps() -> None:
    """Real upstream behaviour: the controller read db-0 Running and Ready, created db-1's PVC, the
    user deleted db-0, then the controller's pending create of db-1 went through."""
    system = settled_system(
        statefulset_yaml(replicas=1), user_actions=(ScaleWorkload("StatefulSet", "db", 2), DeleteObject("Pod", "db-0"))
    )
    result = check(system, ["KC-STS-005"])
    assert_violated(result, "KC-STS-005", ["user_scale_statefulset", "ssc_create_pvc", "user_delete_pod", "ssc_create_pod"])
    atomic = settled_system(
        statefulset_yaml(replicas=1),
        user_actions=(ScaleWorkload("StatefulSet", "db", 2), DeleteObject("Pod", "db-0")),
        granularity="reconcile",
    )
    assert_holds(check(atomic, ["KC-STS-005"]), "KC-STS-005")


# ------------------------------------------------------------------ per-StatefulSet instantiation


PER_SET = ["KC-STS-001", "KC-STS-003", "KC-STS-004", "KC-STS-005"]


def test_per_set_rules_have_no_instance_without_a_stateful_set() -> None:
    """With no StatefulSet there is nothing to judge: no property (the CLI says "not checked (no target)"),
    not a vacuous cluster-wide HOLDS.  KC-STS-002 stays cluster-wide (pod identity is immutable for all pods)."""
    from properties import CATALOGUE, instantiate
    from tests.properties.helpers import deployment_yaml, settled_cluster

    assert all(CATALOGUE[r].applies_to == ("StatefulSet",) for r in PER_SET)
    assert CATALOGUE["KC-STS-002"].applies_to == ()
    cluster = settled_cluster(deployment_yaml("web", service=False))
    ids = [p.rule_id for p in instantiate(cluster, STS)]
    assert ids == ["KC-STS-002"]


def test_per_set_rules_judge_only_their_own_set() -> None:

    from properties import instantiate
    from properties.catalogue import stateful_identity_matches, stateful_storage_matches
    from tests.properties.helpers import settled_cluster

    cluster = settled_cluster(statefulset_yaml("a", replicas=1) + statefulset_yaml("b", replicas=1))
    ids = [p.rule_id for p in instantiate(cluster, PER_SET)]
    assert ids == [f"{r}.default.{s}" for r in PER_SET for s in ("a", "b")]
    pod = cluster.get("Pod", "default", "a-0")
    broken = cluster.put(replace(pod, hostname="wrong", volumes=()))
    a, b = ("StatefulSet", "default", "a"), ("StatefulSet", "default", "b")
    assert stateful_identity_matches.check(broken, a) is False
    assert stateful_identity_matches.check(broken, b) is True
    assert stateful_storage_matches.check(broken, a) is False
    assert stateful_storage_matches.check(broken, b) is True
    assert stateful_identity_matches.check(cluster, a) is True
