"""traces.replay: a trace is evidence only if it re-executes to the very same states."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kubecheck.core.errors import KubecheckError
from traces import ReplayMismatch, Step, Trace, replay
from traces_toy import NOISY, Flip, Replicas, ToyState, at_most_two, follow


def _with_step(trace: Trace, i: int, step: Step) -> Trace:
    steps = list(trace.steps)
    steps[i] = step
    return replace(trace, steps=tuple(steps))


def test_replay_reaches_identical_states_and_fills_actions():
    system = Replicas()
    trace = follow(system, NOISY)
    bare = replace(trace, steps=tuple(replace(s, action=None) for s in trace.steps))
    out = replay(system, bare)
    assert out.states() == trace.states()
    assert [s.action for s in out.steps] == [s.action for s in trace.steps]
    assert not at_most_two(out.states()[-1])


def test_changed_state_names_step_action_and_field():
    system = Replicas()
    trace = follow(system, NOISY)
    bad = _with_step(trace, 2, replace(trace.steps[2], state=replace(trace.steps[2].state, replicas=7)))
    with pytest.raises(ReplayMismatch) as info:
        replay(system, bad)
    err = info.value
    assert err.step == 3 and err.action == "user:scale_up"
    assert err.differences == ("state.replicas: recorded 7 != replayed 2",)
    assert "step 3 (user:scale_up)" in str(err)


def test_action_index_pointing_at_another_action_is_a_mismatch():
    system = Replicas()
    trace = follow(system, NOISY)
    bad = _with_step(trace, 0, replace(trace.steps[0], action_index=0))  # 0 is create_pod, recorded touch
    with pytest.raises(ReplayMismatch, match="action index 0 is now controller:create_pod"):
        replay(system, bad)


def test_inapplicable_action_and_out_of_range_index():
    system = Replicas()
    trace = follow(system, ["create_pod"])
    delete = _with_step(trace, 0, Step("controller", "delete_pod", 1, trace.steps[0].state))
    with pytest.raises(ReplayMismatch, match="not applicable"):
        replay(system, delete)
    with pytest.raises(ReplayMismatch, match="out of range"):
        replay(system, _with_step(trace, 0, replace(trace.steps[0], action_index=99)))


def test_initial_state_and_init_index_are_checked():
    system = Replicas()
    trace = follow(system, ["create_pod"])
    with pytest.raises(ReplayMismatch) as info:
        replay(system, replace(trace, initial=ToyState(replicas=5, pods=())))
    assert info.value.step == 0 and "state.replicas" in info.value.differences[0]
    with pytest.raises(ReplayMismatch, match="init index 3"):
        replay(system, replace(trace, init_index=3))


def test_mismatch_is_a_kubecheck_error_and_a_value_error():
    assert issubclass(ReplayMismatch, KubecheckError) and issubclass(ReplayMismatch, ValueError)


def test_lasso_with_loop_step_replays_and_a_wrong_loop_start_does_not():
    system = Flip()
    lasso = follow(system, ["touch", "flip"], loop_start=1, loop_label="flip")
    out = replay(system, lasso)
    assert out.loop_start == 1 and out.loop_step.state == out.states()[1]
    with pytest.raises(ReplayMismatch, match="loop does not close"):
        replay(system, replace(lasso, loop_start=0))  # state 0 still has noise=1


def test_lasso_without_loop_step_needs_some_action_back():
    system = Flip()
    lasso = follow(system, ["touch", "flip"], loop_start=1)
    assert replay(system, lasso).loop_start == 1
    with pytest.raises(ReplayMismatch, match="no enabled action leads"):
        replay(system, replace(lasso, loop_start=0))


def test_stutter_lasso_only_where_no_fair_action_is_enabled():
    system = Replicas()
    # replicas=1, one pod: only the unfair user/fault actions are enabled, so the run may stop here.
    converged = follow(system, ["create_pod"], loop_start=1)
    assert replay(system, converged).loop_start == 1
    # After a scale-up the controller's create_pod is enabled: stopping there is not a fair run.
    unfair = follow(system, ["create_pod", "scale_up"], loop_start=2)
    with pytest.raises(ReplayMismatch, match="fair actions are enabled there: controller:create_pod"):
        replay(system, unfair)


def test_explorer_traces_replay():
    explorer = pytest.importorskip("kubecheck.core.explorer")
    from kubecheck.core.properties import eventually_always, invariant

    res = explorer.check(Replicas(), invariant("TOY-1", "at most two pods", at_most_two))
    assert res.trace is not None and len(res.trace) == 5  # BFS: 2 scale-ups + 3 creates
    assert replay(Replicas(), res.trace).states() == res.trace.states()
    lasso = explorer.check(Flip(), eventually_always("TOY-2", "flag stays up", lambda s: s.flag)).trace
    assert lasso is not None and lasso.is_lasso
    assert replay(Flip(), lasso).states() == lasso.states()
