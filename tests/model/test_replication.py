"""model.replication: the ReplicationController as an adapter over the ReplicaSet controller.

Cases named after kubernetes/kubernetes pkg/controller/replication/replication_controller_test.go
(which mirrors replica_set_test.go on converted objects) check that the adapter gives the RC
the same behaviour, with ``ReplicationController`` in every controller reference and status
write. The rest are behaviour tests: an RC and an RS with overlapping selectors.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.api import UpdateStatus
from model.controller_utils import filter_active_pods
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import OwnerReference, ReplicaSet, ReplicationController, ReplicaSetStatus
from model.replicaset import sync_replica_set
from model.replication import convert_rc_to_rs, convert_rs_to_rc, sync_replication_controller
from tests.model.builders_replicaset import apply, creates, deletes, patches, pod, pod_writes, rc, rs, run_to_fixpoint, state

KEY = ("default", "foobar")
FOO = {"foo": "bar"}
RC_REF = OwnerReference("v1", "ReplicationController", "foobar", "uid-foobar", controller=True, block_owner_deletion=True)


def test_convert_rc_to_rs_keeps_metadata_and_makes_selector_match_labels() -> None:
    c = rc(replicas=3, generation=4, deletion_timestamp=7, creation_index=2, min_ready_seconds=9)
    r = convert_rc_to_rs(c)
    assert isinstance(r, ReplicaSet)
    assert (r.name, r.namespace, r.uid, r.generation, r.deletion_timestamp, r.creation_index) == (
        "foobar",
        "default",
        "uid-foobar",
        4,
        7,
        2,
    )
    assert (r.replicas, r.min_ready_seconds, r.template, r.status) == (3, 9, c.template, c.status)
    assert r.selector == LabelSelector(match_labels=FrozenMap(FOO))


def test_empty_rc_selector_matches_nothing() -> None:
    """A nil RC selector converts to a nil LabelSelector (matches nothing); the model treats
    an empty map the same (validation forbids it after defaulting)."""
    c = rc(replicas=1, selector={})
    assert convert_rc_to_rs(c).selector is None
    writes = sync_replication_controller(state(c, pod("p", FOO)), KEY)
    assert patches(writes) == []  # the orphan is not adopted


def test_convert_rs_to_rc_carries_only_status_back() -> None:
    c = rc(replicas=2)
    r = replace(convert_rc_to_rs(c), replicas=99, status=ReplicaSetStatus(1, 2, 3, 4, 5))
    back = convert_rs_to_rc(r, c)
    assert isinstance(back, ReplicationController)
    assert back == replace(c, status=ReplicaSetStatus(1, 2, 3, 4, 5))


def test_sync_replication_controller_does_nothing() -> None:
    """TestSyncReplicationControllerDoesNothing: 2 running pods, 2 replicas."""
    c = rc(replicas=2)
    s = state(c, pod("pod0", FOO, c), pod("pod1", FOO, c))
    assert pod_writes(sync_replication_controller(s, KEY)) == []


def test_sync_replication_controller_deletes() -> None:
    """TestSyncReplicationControllerDeletes: 2 pods, 1 replica: one delete."""
    c = rc(replicas=1)
    s = state(c, pod("pod0", FOO, c), pod("pod1", FOO, c))
    assert len(deletes(sync_replication_controller(s, KEY))) == 1


def test_sync_replication_controller_creates() -> None:
    """TestSyncReplicationControllerCreates: pods carry an RC controller reference (v1)."""
    c = rc(replicas=2)
    writes = sync_replication_controller(state(c, pod("failed", FOO, c, phase="Failed")), KEY)
    cs = creates(writes)
    assert len(cs) == 2
    assert all(w.obj.owner_references == (RC_REF,) and w.generate_name == "foobar-" for w in cs)


def test_status_write_is_a_replication_controller() -> None:
    """TestStatusUpdatesWithoutReplicasChange through the adapter: the status write is an
    UpdateStatus of the RC (observedGeneration = generation), and none in the steady state."""
    c = rc(replicas=2, generation=3)
    s = state(c, pod("pod0", FOO, c), pod("pod1", FOO, c))
    (w,) = sync_replication_controller(s, KEY)
    assert isinstance(w, UpdateStatus) and isinstance(w.obj, ReplicationController)
    assert w.obj == replace(c, status=ReplicaSetStatus(2, 0, 2, 2, observed_generation=3))  # pods lack name/type
    s = apply(s, [w])
    assert sync_replication_controller(s, KEY) == ()


def test_do_not_adopt_or_create_if_being_deleted() -> None:
    """TestDoNotAdoptOrCreateIfBeingDeleted (RC)."""
    c = rc(replicas=2, deletion_timestamp=1)
    assert pod_writes(sync_replication_controller(state(c, pod("pod1", FOO)), KEY)) == []


def test_adopts_with_rc_reference() -> None:
    c = rc(replicas=1)
    (u, *_) = sync_replication_controller(state(c, pod("o", FOO)), KEY)
    assert u.obj.owner_references == (RC_REF,)


def test_missing_rc_does_nothing() -> None:
    assert sync_replication_controller(state(rs()), KEY) == ()  # an RS of that name is not an RC


def test_rc_converges_like_a_replica_set() -> None:
    """Same code: from empty, an RC and an RS with the same spec take the same steps."""
    s_rc, n_rc = run_to_fixpoint(state(rc(replicas=3)), sync_replication_controller, KEY)
    s_rs, n_rs = run_to_fixpoint(state(rs(replicas=3)), sync_replica_set, KEY)
    assert n_rc == n_rs == 2
    assert [p.name for p in s_rc.objects("Pod")] == [p.name for p in s_rs.objects("Pod")]
    assert s_rc.get("ReplicationController", *KEY).status == s_rs.get("ReplicaSet", *KEY).status


@pytest.mark.parametrize("rs_first", [True, False], ids=["rs syncs first", "rc syncs first"])
def test_rc_and_rs_with_overlapping_selectors_do_not_steal(rs_first: bool) -> None:
    """An RC and an RS select the same pods (a user error upstream warns about). Whoever
    holds the controller reference keeps the pod; each ends up with its own replicas."""
    c = rc("shared-rc", replicas=2)
    r = rs("shared-rs", replicas=3)
    s = state(c, r, pod("orphan", FOO))
    steps = [
        (sync_replica_set, ("default", "shared-rs")),
        (sync_replication_controller, ("default", "shared-rc")),
    ]
    if not rs_first:
        steps.reverse()
    for _ in range(4):
        for sync, key in steps:
            s = apply(s, sync(s, key))
    owners = sorted(p.controller_ref().kind for p in filter_active_pods(s.objects("Pod")))
    assert owners == ["ReplicaSet"] * 3 + ["ReplicationController"] * 2
    first_kind = "ReplicaSet" if rs_first else "ReplicationController"
    assert s.get("Pod", "default", "orphan").controller_ref().kind == first_kind
    for sync, key in steps:
        assert sync(s, key) == ()  # both at a fixed point, no pod changes hands
