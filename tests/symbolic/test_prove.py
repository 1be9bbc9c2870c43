"""prove_rollout / prove_deployment: real verdicts, real counterexamples."""

from __future__ import annotations

import pytest

from kubecheck.symbolic.prove import PROVED, UNKNOWN, VIOLATED, prove_deployment, prove_rollout
from kubecheck.symbolic.rollout import CONTROLLER_ACTIONS, UNAVAILABLE_ROUNDS_UP, CountSystem, resolve_spec
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import Deployment, DeploymentStrategy


@pytest.mark.parametrize("surge, unavailable", [("int", "int"), ("percent", "percent"), ("int", "percent"), ("percent", "int")])
def test_fixed_model_proved_for_all_sizes(surge: str, unavailable: str) -> None:
    res = prove_rollout((1, 10_000), surge, unavailable, timeout=30)
    assert res.status == PROVED, res.describe()
    by_key = {p.key: p for p in res.properties}
    assert "available >= replicas - maxUnavailable(spec)" in by_key["min-available"].invariant
    assert "new_status_available <= new_available" in by_key["min-available"].invariant
    assert by_key["max-surge"].status == PROVED


def _check_really_violates(cex: object) -> None:
    """Re-run the counterexample in the explicit count model (seeded variant) and check the
    property with upstream's fenceposts fails at a controller step."""
    from kubecheck.symbolic.prove import Counterexample

    assert isinstance(cex, Counterexample)
    spec = resolve_spec(cex.replicas, cex.max_surge, cex.max_unavailable)
    states = cex.trace.states()
    last_action = cex.trace.steps[-1].label
    assert last_action in CONTROLLER_ACTIONS
    before, after = states[-2], states[-1]
    assert after.available() < before.available()
    assert after.available() < spec.replicas - spec.max_unavailable


def test_seeded_rounding_bug_is_violated_with_a_real_counterexample() -> None:
    res = prove_rollout((1, 10_000), "percent", "percent", variant=UNAVAILABLE_ROUNDS_UP, properties=("min-available",), timeout=30)
    assert res.status == VIOLATED
    [pp] = res.properties
    cex = pp.counterexample
    assert cex is not None
    # the bug bites only where p * replicas is not a multiple of 100
    p = int(str(cex.max_unavailable)[:-1])
    assert (p * cex.replicas) % 100 != 0
    _check_really_violates(cex)
    # the trace replays action by action in the buggy count model
    cs = CountSystem(cex.replicas, cex.max_surge, cex.max_unavailable, variant=UNAVAILABLE_ROUNDS_UP)
    state = cs.init_states()[0]
    for step in cex.trace.steps:
        state = list(cs.successors(state))[step.action_index][1]
        assert state == step.state
    # and the fixed model does not have it
    fixed = CountSystem(cex.replicas, cex.max_surge, cex.max_unavailable)
    spec = resolve_spec(cex.replicas, cex.max_surge, cex.max_unavailable)
    assert all(s.available() >= spec.replicas - spec.max_unavailable for s in fixed.reachable()) or cex.replicas > 6


@pytest.mark.tier2  # ~32 s; in CI: `kubecheck prove deployment --disruptions 1` replays (tests/cli/test_check.py) and the
# smallest-size search with its replay (tests/symbolic/test_check_count.py, the stale status race)
def test_one_disruption_gives_a_counterexample_replayed_in_the_object_model() -> None:
    res = prove_rollout((1, 10_000), "int", "int", disruptions=1, properties=("min-available",), timeout=180)
    assert res.status == VIOLATED
    cex = res.properties[0].counterexample
    assert cex is not None and cex.disruptions == 1
    assert any(a.startswith("crash_") for a in cex.actions)
    _check_really_violates(cex)
    assert cex.trace.engine == "z3-bmc" and cex.trace.property_id == "KC-ROLL-001"
    assert cex.replicas <= 3
    assert cex.replayed is True, cex.replay_message
    # the object-model trace replays by action index and ends with no available pod
    from kubecheck.symbolic.bridge import project, rollout_scenario

    ot = cex.object_trace
    assert ot is not None and len(ot) >= len(cex.actions)
    ks, state = rollout_scenario(cex.replicas, cex.max_surge, cex.max_unavailable, crashes=1)
    for step in ot.steps:
        state = ks.step(state, ks.actions(state)[step.action_index])
    assert project(state) == cex.states[-1].counts()


def test_surge_still_proved_with_disruptions() -> None:
    res = prove_rollout((1, 10_000), "int", "int", disruptions=1, properties=("max-surge",), timeout=30)
    assert res.status == PROVED


def test_timeout_is_unknown_not_proved() -> None:
    res = prove_rollout((1, 10_000), "percent", "percent", timeout=0.0001)
    assert res.status == UNKNOWN


def _deployment(replicas: int, surge: object, unavailable: object, kind: str = "RollingUpdate") -> Deployment:
    return Deployment(
        name="web",
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap({"app": "web"})),
        strategy=DeploymentStrategy(type=kind, max_surge=surge, max_unavailable=unavailable),  # type: ignore[arg-type]
    )


def test_prove_deployment() -> None:
    res = prove_deployment(_deployment(4, "25%", "25%"))
    assert res.status == PROVED and res.params.replicas == (4, 4)
    assert prove_deployment(_deployment(4, 0, 1, "Recreate")).status == UNKNOWN


# tier 2 (~10 s with its object-model replay): tests/cli/test_check.py's `prove deployment --disruptions 1` runs the
# same path in CI (a counterexample that replays)
@pytest.mark.tier2
def test_prove_deployment_with_a_disruption_is_violated_at_its_replicas() -> None:
    bad = prove_deployment(_deployment(2, 1, 0), disruptions=1)
    assert bad.status == VIOLATED
    assert bad.properties[0].counterexample.replicas == 2  # type: ignore[union-attr]


# exact-10: tier 2 (~9 s; CI time, session 15): the family 1..10,000 contains 10
@pytest.mark.parametrize("replicas", [pytest.param(10, marks=pytest.mark.tier2), (1, 10_000)], ids=["exact-10", "family"])
def test_two_image_changes_at_write_granularity_proved(replicas: int | tuple[int, int]) -> None:
    """Issue 16, several old ReplicaSets at write granularity: a second image change mid-rollout (``rollovers=1``),
    one API write per step.  Without the lemmas for the Deployment controller's pending scale queue ``dc_q*``
    (prove._queue_candidates) Houdini loses the availability invariant and the result was UNKNOWN after 300 s;
    with them both rules are PROVED, for replicas 10 and for every replicas 1..10,000 with 25%/25%."""
    res = prove_rollout(replicas, "25%", "25%", 0, timeout=240, granularity="write", rollovers=1)
    assert res.status == PROVED, res.describe()
    inv = {p.key: p for p in res.properties}["min-available"].invariant
    # the availability lemma with the effective specs (every pending scale landed) and without the pods a pending
    # Delete targets, and the queue lemmas it rests on
    assert ("new_available + min(old_available - old_pda, old_eff) + min(mid_available - mid_pda, mid_eff) "
            ">= replicas - maxUnavailable") in inv
    assert "old_eff + mid_eff + new_status_available >= replicas - maxUnavailable" in inv
    assert "dc_q1w = 2 => dc_q1v <= mid_spec" in inv and "dc_q1w = dc_q3w => dc_q3v <= dc_q1v" in inv
