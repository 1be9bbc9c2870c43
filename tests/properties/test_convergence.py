"""KC-CONV-001..003: every workload eventually always converges (lassos for the violations)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.environment import FaultBudget, ScaleWorkload, SetImage
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import build
from tests.properties.helpers import (
    assert_holds,
    assert_violated,
    check,
    deployment_yaml,
    rc_yaml,
    replicaset_yaml,
    settled_cluster,
    settled_system,
    statefulset_yaml,
)

ROLLOUT = (SetImage("Deployment", "web", "nginx:2"),)


# ------------------------------------------------------------------------------- KC-CONV-001


def test_conv_001_holds_for_a_replica_set_scaled_up_with_a_container_crash() -> None:
    system = settled_system(
        replicaset_yaml(), user_actions=(ScaleWorkload("ReplicaSet", "web", 2),), faults=FaultBudget(container_crash=1)
    )
    result = check(system, ["KC-CONV-001"])
    assert_holds(result, "KC-CONV-001")


def test_conv_001_holds_for_a_replication_controller() -> None:
    system = settled_system(
        rc_yaml(), user_actions=(ScaleWorkload("ReplicationController", "legacy", 2),), faults=FaultBudget(container_crash=1)
    )
    result = check(system, ["KC-CONV-001"])
    assert result.stats.states == 112
    assert_holds(result, "KC-CONV-001")


def test_conv_001_violated_by_a_replica_set_that_creates_one_pod_too_few() -> None:
    build("rs_scale_up")  # settle with the real model first
    with MUTANTS["rs_creates_one_pod_too_few"].patch():
        result = check(build("rs_scale_up"), ["KC-CONV-001"])
    # the RS never creates its second pod: a terminal state after two steps
    assert_violated(result, "KC-CONV-001", ["user_scale_rs", "rs_update_status"], loop_start=2)


# ------------------------------------------------------------------------------- KC-CONV-002


def test_conv_002_holds_for_a_surge_rollout() -> None:
    result = check(settled_system(deployment_yaml(surge=1, unavailable=0), user_actions=ROLLOUT), ["KC-CONV-002"])
    assert result.stats.states == 107
    assert_holds(result, "KC-CONV-002")


def test_conv_002_violated_when_the_surge_pod_cannot_be_scheduled() -> None:
    """Real upstream behaviour: maxUnavailable 0 and no room for the surge pod stalls the rollout."""
    cluster = settled_cluster(deployment_yaml(surge=1, unavailable=0))
    node = cluster.nodes[("", "node-1")]
    system = settled_system("", cluster=cluster.put(replace(node, pod_capacity=1)), user_actions=ROLLOUT)
    result = check(system, ["KC-CONV-002", "KC-ROLL-004"])
    assert_violated(
        result,
        "KC-CONV-002",
        ["user_update_image_deployment", "dc_create_rs", "dc_update_status", "rs_create_pod",
         "rs_update_status", "rs_update_status", "dc_update_status"],
        loop_start=7,
    )
    assert_holds(result, "KC-ROLL-004")  # stuck, but the old pod keeps serving


def test_conv_002_violated_by_a_rollout_to_a_broken_image() -> None:
    system = settled_system(
        deployment_yaml(surge=1, unavailable=0, probe=True), user_actions=(SetImage("Deployment", "web", "nginx:broken"),)
    )
    result = check(system, ["KC-CONV-002"])
    assert_violated(
        result,
        "KC-CONV-002",
        ["user_update_image_deployment", "dc_create_rs", "dc_update_status", "rs_create_pod", "rs_update_status",
         "rs_update_status", "dc_update_status", "scheduler_bind_pod", "kubelet_start_sandbox",
         "kubelet_start_containers", "kubelet_probe_ready", "fault_readiness_probe_fails"],
        loop_start=10,  # probe passes, fails, passes...: a fair lasso the rollout never leaves
    )


# ------------------------------------------------------------------------------- KC-CONV-003


def test_conv_003_holds_for_a_stateful_set_scaled_up() -> None:
    system = settled_system(statefulset_yaml(replicas=1), user_actions=(ScaleWorkload("StatefulSet", "db", 2),))
    assert_holds(check(system, ["KC-CONV-003"]), "KC-CONV-003")


def test_conv_003_violated_by_ordered_ready_stuck_behind_a_broken_pod_kubernetes_67250() -> None:
    """kubernetes#67250: the rolling update replaces db-1 with a broken image; OrderedReady then waits
    for it forever (under weak fairness, a pod that is only intermittently Ready never lets the
    controller go on), and db-0 is never updated."""
    system = settled_system(
        statefulset_yaml(replicas=2, probe=True, claims=False),
        user_actions=(SetImage("StatefulSet", "db", "postgres:broken"),),
    )
    result = check(system, ["KC-CONV-003", "KC-STS-005"])
    assert_violated(
        result,
        "KC-CONV-003",
        ["user_update_image_statefulset", "ssc_create_revision", "ssc_delete_pod", "ssc_update_status",
         "kubelet_kill_pod", "kubelet_delete_pod", "ssc_create_pod", "ssc_update_status", "ssc_update_status",
         "scheduler_bind_pod", "kubelet_start_sandbox", "kubelet_start_containers", "kubelet_probe_ready",
         "fault_readiness_probe_fails"],
        loop_start=12,
    )
    # the broken pod is db-1; db-0 still runs the old image in every state of the loop
    final = result.result("KC-CONV-003").trace.steps[-1].state.cluster
    assert final.get("Pod", "default", "db-1").spec_containers[0].image == "postgres:broken"
    assert final.get("Pod", "default", "db-0").spec_containers[0].image == "postgres:16"


def test_conv_003_violated_when_a_node_fails_and_never_recovers() -> None:
    """B.9: the evicted pod stays Terminating on the lost node and its name stays taken."""
    system = settled_system(statefulset_yaml(replicas=1), nodes=2, faults=FaultBudget(node_failure=1))
    result = check(system, ["KC-CONV-003", "KC-STS-004"])
    assert_violated(
        result,
        "KC-CONV-003",
        ["node_fail", "nlc_mark_pod_not_ready", "expiry_eviction_timeout", "nlc_delete_pod", "ssc_update_status"],
        loop_start=5,
    )
    assert_holds(result, "KC-STS-004")  # no replacement: no split brain


def test_conv_003_violated_when_recovery_is_possible_but_never_happens() -> None:
    system = settled_system(statefulset_yaml(replicas=1), nodes=2, faults=FaultBudget(node_failure=1, node_recovery=1))
    # A run may stay forever where only unfair actions (here node_recover) are enabled: weak
    # fairness never obliges a fault or a recovery to happen (kubecheck/explorer/_fair.py).
    result = check(system, ["KC-CONV-003"])
    assert_violated(
        result,
        "KC-CONV-003",
        ["node_fail", "nlc_mark_pod_not_ready", "expiry_eviction_timeout", "nlc_delete_pod", "ssc_update_status"],
        loop_start=5,
    )
