"""traces.minimize: ddmin over user actions and faults."""

from __future__ import annotations

import pytest

from traces import minimize, replay
from traces.minimize import ddmin
from traces_toy import NOISY, Flip, Replicas, ToyState, at_most_two, follow


def violates(trace) -> bool:
    return any(not at_most_two(s) for s in trace.states())


@pytest.mark.parametrize(
    "items, needed, expected",
    [
        pytest.param(range(8), {3, 7}, (3, 7), id="two-of-eight"),
        pytest.param(range(8), set(), (), id="none-needed"),
        pytest.param(range(5), {0, 1, 2, 3, 4}, (0, 1, 2, 3, 4), id="all-needed"),
        pytest.param(range(1), {0}, (0,), id="single"),
        pytest.param(range(13), {12}, (12,), id="last-of-odd-count"),
    ],
)
def test_ddmin_finds_the_needed_subset(items, needed, expected):
    calls = []

    def test(subset):
        calls.append(subset)
        return needed <= set(subset)

    assert ddmin(list(items), test) == expected
    assert all(list(c) == sorted(c) for c in calls)  # subsets keep the original order


def test_noisy_trace_shrinks_to_the_two_scale_ups():
    system = Replicas()
    noisy = follow(system, NOISY)
    assert len(noisy) == 9 and violates(noisy)
    small = minimize(system, noisy, violates)
    assert [(s.actor, s.label) for s in small.steps] == [
        ("controller", "create_pod"),
        ("user", "scale_up"),
        ("controller", "create_pod"),
        ("user", "scale_up"),
        ("controller", "create_pod"),
    ]
    assert replay(system, small).states() == small.states()
    assert violates(small) and small.property_id == noisy.property_id


def test_a_needed_fault_is_kept_and_fair_actors_run_on():
    system = Replicas()
    noisy = follow(system, ["touch", "create_pod", ("crash_pod", "p1"), "touch", "create_pod"])

    def recreated(trace) -> bool:  # the crashed pod was replaced by a new one
        return trace.states()[-1].pods == ("p2",)

    small = minimize(system, noisy, recreated)
    assert [s.label for s in small.steps] == ["create_pod", "crash_pod", "create_pod"]


def test_fair_actors_run_on_when_removed_user_steps_did_their_work():
    # The user scaled to 3 and then created the three pods by hand; without the manual creates the
    # recorded trace has no controller step left, so the fair controller must run on to violate.
    system = Replicas(ToyState(replicas=1, pods=(), manual=3))
    manual = follow(system, ["scale_up", "scale_up", "manual_create_pod", "manual_create_pod", "manual_create_pod"])
    small = minimize(system, manual, violates)
    assert [s.label for s in small.steps] == ["scale_up", "scale_up", "create_pod", "create_pod", "create_pod"]
    # Without the extension the scale-ups are what is unneeded: the manual creates alone violate.
    no_extension = minimize(system, manual, violates, max_extra_steps=0)
    assert [s.label for s in no_extension.steps] == ["manual_create_pod"] * 3


def test_minimal_trace_is_returned_unchanged():
    system = Replicas()
    minimal = follow(system, ["create_pod", "scale_up", "create_pod", "scale_up", "create_pod"])
    assert minimize(system, minimal, violates).states() == minimal.states()


def test_a_trace_that_does_not_violate_is_refused():
    system = Replicas()
    with pytest.raises(ValueError, match="needs a violating trace"):
        minimize(system, follow(system, ["create_pod"]), violates)


def test_lasso_stem_is_minimised_and_the_loop_still_closes():
    system = Flip()
    lasso = follow(system, ["touch", "flip"], loop_start=1, loop_label="flip")
    small = minimize(system, lasso, lambda t: t.is_lasso)
    assert [s.label for s in small.steps] == ["flip"]
    assert small.loop_start == 0 and small.loop_step is not None
    assert replay(system, small).loop_step.state == small.initial
