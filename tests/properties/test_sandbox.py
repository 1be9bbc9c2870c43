"""KC-SBX-001..003: one sandbox per pod, unique IPs, a new sandbox restarts everything."""

from __future__ import annotations

import pytest

from model.environment import FaultBudget
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import build
from tests.properties.helpers import assert_holds, assert_violated, check, replicaset_yaml, settled_system

SBX = ["KC-SBX-001", "KC-SBX-002", "KC-SBX-003"]
AFTER_SANDBOX_DEATH = ["fault_kill_sandbox", "kubelet_update_status", "kubelet_start_sandbox"]


def test_sandbox_rules_hold_through_a_sandbox_death_and_a_container_crash() -> None:
    system = settled_system(replicaset_yaml(replicas=2), faults=FaultBudget(sandbox_death=1, container_crash=1))
    result = check(system, SBX + ["KC-CONV-001"])
    assert result.stats.states == 121
    assert_holds(result, *SBX, "KC-CONV-001")


@pytest.mark.parametrize(
    "mutant,scenario,rule",
    [
        ("kubelet_keeps_containers_on_new_sandbox", "rs_sandbox_death", "KC-SBX-001"),
        ("kubelet_keeps_containers_on_new_sandbox", "rs_sandbox_death", "KC-SBX-003"),
        ("ip_allocation_reuses_live_ip", "rs2_sandbox_death", "KC-SBX-002"),
    ],
)
def test_sandbox_rules_violated_by_seeded_bugs(mutant: str, scenario: str, rule: str) -> None:
    build(scenario)
    with MUTANTS[mutant].patch():
        result = check(build(scenario), [rule])
    assert_violated(result, rule, AFTER_SANDBOX_DEATH)
