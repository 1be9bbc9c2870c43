"""KC-CONV-001..003: every workload eventually always converges (lassos for the violations)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.environment import FaultBudget, ScaleWorkload, SetImage
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import build
from tests.properties.helpers import (
    Verdict,
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
    # fairness never obliges a fault or a recovery to happen (kubecheck/core/explorer/_fair.py).
    result = check(system, ["KC-CONV-003"])
    assert_violated(
        result,
        "KC-CONV-003",
        ["node_fail", "nlc_mark_pod_not_ready", "expiry_eviction_timeout", "nlc_delete_pod", "ssc_update_status"],
        loop_start=5,
    )


def _ordinals_partition_yaml(replicas: int, probe: bool = False) -> str:
    probe_text = ", readinessProbe: {exec: {command: [pg_isready]}}" if probe else ""
    return f"""
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db}}
spec:
  serviceName: db
  replicas: {replicas}
  ordinals: {{start: 5}}
  podManagementPolicy: Parallel
  updateStrategy: {{type: RollingUpdate, rollingUpdate: {{partition: 1, maxUnavailable: 2}}}}
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: app, image: "postgres:16"{probe_text}}}]
"""


def test_conv_003_holds_for_a_partitioned_rollout_with_ordinals_start() -> None:
    """The partition counts replica indexes (ordinal - ordinals.start), as upstream's updateStatefulSet
    does: with start 5 and partition 1, db-5 keeps the old template and db-6, db-7 are updated.
    Comparing the partition with the ordinal (the old rule) demanded db-5 be updated: a false VIOLATED."""
    system = settled_system(_ordinals_partition_yaml(3), user_actions=(SetImage("StatefulSet", "db", "postgres:17"),))
    result = check(system, ["KC-CONV-003"])
    assert_holds(result, "KC-CONV-003")


def test_conv_003_violated_for_a_partitioned_rollout_with_ordinals_start_to_a_broken_image() -> None:
    """Same set, rolled out to an image that never starts: db-6 (index 1, at the partition) never becomes
    Ready again, a genuinely stuck rollout."""
    system = settled_system(
        _ordinals_partition_yaml(2, probe=True), user_actions=(SetImage("StatefulSet", "db", "postgres:broken"),)
    )
    result = check(system, ["KC-CONV-003"])
    assert result.result("KC-CONV-003").verdict is Verdict.VIOLATED
    final = result.result("KC-CONV-003").trace.steps[-1].state.cluster
    assert final.get("Pod", "default", "db-5").spec_containers[0].image == "postgres:16"
    assert final.get("Pod", "default", "db-6").spec_containers[0].image == "postgres:broken"


@pytest.mark.parametrize(
    "strategy, start, ordinal, expected",
    [
        ({"type": "RollingUpdate", "partition": 1}, 5, 5, False),  # index 0 < partition 1
        ({"type": "RollingUpdate", "partition": 1}, 5, 6, True),
        ({"type": "RollingUpdate", "partition": 0}, 5, 5, True),
        ({"type": "RollingUpdate", "partition": 3, "has_rolling_update": False}, 0, 0, True),  # no block: updateMin 0
        ({"type": "OnDelete"}, 0, 3, False),
    ],
)
def test_must_update_compares_the_partition_with_the_replica_index(strategy, start, ordinal, expected) -> None:
    from model.objects import StatefulSet, StatefulSetUpdateStrategy
    from properties.catalogue import must_update

    s = replace(StatefulSet(name="db"), ordinals_start=start, update_strategy=StatefulSetUpdateStrategy(**strategy))
    assert must_update(s, ordinal) is expected
