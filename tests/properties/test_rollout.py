"""KC-ROLL-001..004: rollout availability and surge."""

from __future__ import annotations

import pytest

from model.environment import SetImage
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import build
from tests.properties.helpers import assert_holds, assert_violated, check, deployment_yaml, settled_system

ROLL = ["KC-ROLL-001", "KC-ROLL-002", "KC-ROLL-003", "KC-ROLL-004"]
ROLLOUT = (SetImage("Deployment", "web", "nginx:2"),)


def test_one_replica_max_surge_0_max_unavailable_1_loses_zero_downtime_within_its_promise() -> None:
    """maxUnavailable 1 of 1 replica: upstream may take the only pod down (KC-ROLL-001 holds) and
    the Service is then empty (KC-ROLL-004 violated).  The old pod, still terminating, and the new
    one coexist: live pods reach replicas + maxSurge + 1 = 2 (KC-ROLL-003)."""
    result = check(settled_system(deployment_yaml(replicas=1, surge=0, unavailable=1), user_actions=ROLLOUT), ROLL)
    assert result.stats.states == 1224
    assert_holds(result, "KC-ROLL-001", "KC-ROLL-002")
    assert_violated(
        result, "KC-ROLL-004",
        ["user_update_image_deployment", "dc_create_rs", "dc_update_status", "dc_scale_down_old_rs", "rs_delete_pod"],
    )
    assert_violated(
        result, "KC-ROLL-003",
        ["user_update_image_deployment", "dc_create_rs", "dc_update_status", "dc_scale_down_old_rs",
         "dc_scale_up_new_rs", "rs_create_pod"],
    )


def test_one_replica_max_surge_1_max_unavailable_0_keeps_every_promise() -> None:
    result = check(settled_system(deployment_yaml(replicas=1, surge=1, unavailable=0), user_actions=ROLLOUT), ROLL)
    assert result.stats.states == 107
    assert_holds(result, *ROLL)


@pytest.mark.slow
def test_two_replicas_max_surge_1_respects_surge_in_spec_but_not_in_live_pods() -> None:
    result = check(settled_system(deployment_yaml(replicas=2, surge=1, unavailable=0), user_actions=ROLLOUT), ROLL)
    assert result.stats.states == 1228
    assert_holds(result, "KC-ROLL-001", "KC-ROLL-002", "KC-ROLL-004")
    trace = result.result("KC-ROLL-003").trace
    assert len(trace.steps) == 13
    live = [p for p in trace.steps[-1].state.cluster.pods.values() if p.phase not in ("Succeeded", "Failed")]
    assert len(live) == 2 + 1 + 1  # replicas + maxSurge + 1 (a terminating old pod)


def test_roll_001_violated_when_the_new_pod_fails_between_decision_and_deletion() -> None:
    """Real upstream race: the Deployment scales the old RS down once the new pod is available;
    the new pod's readiness probe then fails (involuntary), and the old RS still deletes its pod
    as told: a controller step takes availability below replicas - maxUnavailable."""
    system = settled_system(
        deployment_yaml(replicas=1, surge=1, unavailable=0, probe=True),
        user_actions=(SetImage("Deployment", "web", "nginx:broken"),),
    )
    result = check(system, ["KC-ROLL-001", "KC-ROLL-002"])
    assert_violated(
        result, "KC-ROLL-001",
        ["user_update_image_deployment", "dc_create_rs", "dc_update_status", "rs_create_pod", "rs_update_status",
         "scheduler_bind_pod", "kubelet_start_sandbox", "kubelet_start_containers", "kubelet_probe_ready",
         "rs_update_status", "dc_scale_down_old_rs", "fault_readiness_probe_fails", "kubelet_update_status",
         "rs_delete_pod"],
    )
    assert_holds(result, "KC-ROLL-002")


def test_roll_001_violated_by_max_unavailable_off_by_one() -> None:
    build("deploy_surge1")
    with MUTANTS["max_unavailable_off_by_one"].patch():
        result = check(build("deploy_surge1"), ["KC-ROLL-001"])
    assert_violated(
        result, "KC-ROLL-001",
        ["user_update_image_deployment", "dc_create_rs", "dc_update_status", "dc_scale_down_old_rs", "rs_delete_pod"],
    )


def test_roll_002_violated_by_a_new_rs_that_ignores_max_surge() -> None:
    build("deploy2_surge1")
    with MUTANTS["new_rs_surge_ignores_max_surge"].patch():
        result = check(build("deploy2_surge1"), ["KC-ROLL-002"])
    assert_violated(result, "KC-ROLL-002", ["user_update_image_deployment", "dc_create_rs"])
