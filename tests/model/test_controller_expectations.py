"""Controller expectations (model.controller_utils), issue #20 item 2: upstream's tests ported.

kubernetes/kubernetes pkg/controller/controller_utils_test.go TestControllerExpectations and
TestUIDExpectations, against the pure implementation (operations return a new store; the
fake clock's ``Step(ttl + 1)`` is the abstract expiry step ``expire``; upstream's goroutines
observe concurrently, here one after the other: the counters are atomic, so the order does
not matter).
"""

from __future__ import annotations

import random

import pytest

from model.controller_utils import (
    ControlleeExpectations,
    ControllerExpectations,
    UIDTrackingControllerExpectations,
)

RC_KEY = "default/foobar"  # KeyFunc(newReplicationController(1))


def _after_observations() -> ControllerExpectations:
    """The common prefix of TestControllerExpectations: 10 adds / 30 dels set, then 11 creations
    and 31 deletions observed (one more of each than expected)."""
    adds, dels = 10, 30
    e = ControllerExpectations().set_expectations(RC_KEY, adds, dels)
    for _ in range(adds + 1):
        e = e.creation_observed(RC_KEY)
    # There are still delete expectations
    assert not e.satisfied_expectations(RC_KEY), "Rc will sync before expectations are met"
    for _ in range(dels + 1):
        e = e.deletion_observed(RC_KEY)
    return e


@pytest.mark.parametrize(
    ("name", "expectations_to_set", "expire_expectations", "want_pod_expectations", "want_satisfied"),
    [
        ("Expectations have been surpassed", None, False, (-1, -1), True),
        ("Old expectations are cleared because of ttl", (1, 2), True, (1, 2), False),
    ],
)
def test_controller_expectations(
    name: str,
    expectations_to_set: tuple[int, int] | None,
    expire_expectations: bool,
    want_pod_expectations: tuple[int, int],
    want_satisfied: bool,
) -> None:
    """TestControllerExpectations."""
    e = _after_observations()
    if expectations_to_set:
        e = e.set_expectations(RC_KEY, *expectations_to_set)
    pod_exp, exists = e.get_expectations(RC_KEY)
    assert exists and pod_exp is not None, "Could not get expectations for rc"
    assert pod_exp.get_expectations() == want_pod_expectations, f"Unexpected pod expectations {pod_exp!r}"
    assert e.satisfied_expectations(RC_KEY) is want_satisfied, "Expectations are met but the rc will not sync"
    if expire_expectations:
        e = e.expire(RC_KEY)  # fakeClock.Step(ttl + 1)
        assert e.satisfied_expectations(RC_KEY), "Expectations should have expired but didn't"


@pytest.mark.parametrize("seed", range(3))  # upstream shuffles the cases
def test_uid_expectations(seed: int) -> None:
    """TestUIDExpectations: every case on one shared UIDTrackingControllerExpectations."""
    uid_exp = UIDTrackingControllerExpectations()
    tests = [
        ("Replication controller with 2 replicas", 2),
        ("Replication controller with 1 replica", 1),
        ("Replication controller with no replicas", 0),
        ("Replication controller with 5 replicas", 5),
    ]
    random.Random(seed).shuffle(tests)
    for _name, num_replicas in tests:
        rc_name = f"rc-{num_replicas}"
        rc_key = f"default/{rc_name}"
        # newPodList(nil, 5, ...): pods pod0..pod4, renamed "<pod>-<rc>"; PodKey = namespace/name
        rc_pod_names = [f"default/pod{i}-{rc_name}" for i in range(5)]
        uid_exp = uid_exp.expect_deletions(rc_key, rc_pod_names)
        assert not uid_exp.satisfied_expectations(rc_key), f"Controller {rc_key} satisfied expectations before deletion"
        for p in rc_pod_names:
            uid_exp = uid_exp.deletion_observed(rc_key, p)
        assert uid_exp.satisfied_expectations(rc_key), f"Controller {rc_key} didn't satisfy expectations after deletion"
        uid_exp = uid_exp.delete_expectations(rc_key)
        assert uid_exp.get_uids(rc_key) is None, f"Failed to delete uid expectations for {rc_key}"


# ----------------------------------------------------------- more of upstream's documented behaviour


def test_a_controller_without_expectations_syncs() -> None:
    assert ControllerExpectations().satisfied_expectations("default/new")


def test_graceful_deletion_is_counted_once() -> None:
    """The reason UIDTrackingControllerExpectations exists: a pod seen with a deletionTimestamp
    and then seen removed is one deletion, and an unexpected key counts nothing."""
    e = UIDTrackingControllerExpectations().expect_deletions("default/rs", ["default/a", "default/b"])
    e = e.deletion_observed("default/rs", "default/a")  # update: deletionTimestamp set
    e = e.deletion_observed("default/rs", "default/a")  # delete event of the same pod
    e = e.deletion_observed("default/rs", "default/zz")  # a pod it did not delete
    exp, _ = e.get_expectations("default/rs")
    assert exp == ControlleeExpectations("default/rs", 0, 1)
    assert not e.satisfied_expectations("default/rs")
    e = e.deletion_observed("default/rs", "default/b")
    assert e.satisfied_expectations("default/rs") and e.get_uids("default/rs") == frozenset()


def test_raise_lower_and_missing_keys() -> None:
    e = ControllerExpectations().expect_creations("k", 2)
    assert e.raise_expectations("k", 1, 1).get_expectations("k")[0] == ControlleeExpectations("k", 3, 1)
    assert e.lower_expectations("k", 2, 0).satisfied_expectations("k")
    assert ControllerExpectations().lower_expectations("k", 1, 1) == ControllerExpectations()
    assert ControllerExpectations().raise_expectations("k", 1, 1) == ControllerExpectations()
    assert e.delete_expectations("k").get_expectations("k") == (None, False)
    expired = e.expire("k")
    assert expired.satisfied_expectations("k")
    assert not expired.set_expectations("k", 1, 0).satisfied_expectations("k")  # a new timestamp
