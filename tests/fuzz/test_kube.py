"""The random engine on the Kubernetes model: a seeded controller bug found and shrunk, and the
50-replica, 10-node rollout with crashes and a node failure (granularity="reconcile": at 50 pods a
successor computation costs ~30 ms, and "write" granularity only adds intermediate steps)."""

from __future__ import annotations

import pytest

from kubecheck.core.explorer import explore
from kubecheck.core.random import run_random
from kubecheck.core.verdict import Verdict
from model.environment import FaultBudget
from model.system import KubeSystem
from properties import instantiate
from tests.fuzz.kube import ceil_max_unavailable, rollout, seeded_rounding_bug
from tests.model.builders_runtime import deployment
from traces import replay


def test_the_seeded_bug_really_changes_max_unavailable() -> None:
    from model.deployment_util import max_unavailable

    d = deployment(replicas=2, surge=1, unavailable="25%")
    assert (max_unavailable(d), ceil_max_unavailable(d)) == (0, 1)


def test_correct_controller_keeps_min_available_in_the_2_replica_rollout() -> None:
    scenario = rollout(2, surge=1, unavailable="25%")
    props = instantiate(scenario.initial, ["KC-ROLL-001"])
    assert run_random(KubeSystem(scenario), props, examples=30, max_steps=20, seed=0).results[0].verdict is Verdict.SAMPLED


@pytest.mark.parametrize("seed", [0, 1])
def test_seeded_rounding_bug_is_found_and_shrunk_to_near_the_shortest_trace(seed: int) -> None:
    scenario = rollout(2, surge=1, unavailable="25%")
    props = instantiate(scenario.initial, ["KC-ROLL-001"])
    with seeded_rounding_bug():
        system = KubeSystem(scenario)
        shortest = explore(system, props).results[0]
        found = run_random(system, props, examples=50, max_steps=30, seed=seed).results[0]
        assert shortest.verdict is Verdict.VIOLATED and found.verdict is Verdict.VIOLATED
        assert len(found.trace) <= len(shortest.trace) + 2
        replay(system, found.trace)
    labels = [s.label for s in found.trace.steps]
    assert labels[0] == "user_update_image_deployment" and labels[-1] == "rs_delete_pod"
    assert found.trace.engine == "random"


# session scope: made once per xdist worker (a module-scoped one is made again whenever the worker ran
# another module's test in between)
@pytest.fixture(scope="session")
def rollout_50():
    """50 running replicas (v1) on 10 nodes; the user may roll out v2; 2 container crashes and 1 node failure."""
    scenario = rollout(
        50, surge="25%", unavailable="25%", nodes=10, granularity="reconcile",
        faults=FaultBudget(container_crash=2, node_failure=1), name="rollout-50",
    )
    assert len(scenario.initial.pods) == 50 and len(scenario.initial.nodes) == 10
    return scenario


def test_50_replica_10_node_rollout_with_crashes_and_a_node_failure_runs(rollout_50) -> None:
    props = instantiate(rollout_50.initial, ["KC-OWN-001", "KC-OWN-003", "KC-ROLL-001", "KC-ROLL-002", "KC-SBX-002"])
    result = run_random(KubeSystem(rollout_50), props, examples=4, max_steps=20, seed=0)
    assert {r.verdict for r in result.results} == {Verdict.SAMPLED}
    cov = result.coverage
    assert cov.settle_steps == 0 and cov.steps >= 20 and cov.distinct_states > 20
    kinds = cov.by_actor_kind()
    assert "fault" in kinds and "user" in kinds  # the environment acted, not only the controllers


def test_50_replica_rollout_converges_after_a_random_prefix(rollout_50) -> None:
    """One run: 10 random steps, then the fair scheduler settles the rollout (~460 steps at 50 pods)."""
    props = instantiate(rollout_50.initial, ["KC-CONV-002", "KC-OWN-002"])
    result = run_random(KubeSystem(rollout_50), props, examples=1, max_steps=10, seed=0, settle_bound=2000)
    assert {r.verdict for r in result.results} == {Verdict.SAMPLED}
    assert result.coverage.unsettled_runs == 0 and result.coverage.settle_steps > 50
