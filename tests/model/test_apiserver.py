"""API server writes (model.apiserver) and the garbage collector (model.garbagecollector)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.api import Create, Delete, Update, UpdateStatus
from model.apiserver import FINALIZER_FOREGROUND, FINALIZER_ORPHAN, ApiError, apply_write, apply_writes
from model.errors import ModelError
from model.garbagecollector import (
    attempt_to_delete_item,
    classify_references,
    gc_items,
    sync_garbage_collector,
)
from model.objects import OwnerReference, ReplicaSetStatus
from model.state import ClusterState

from tests.model.builders_runtime import cluster, node, owner_ref, pod, rs, running_pod


# ------------------------------------------------------------------------------ create


def test_create_assigns_uid_generation_creation_index_and_clears_status() -> None:
    st = cluster(node())
    r = replace(rs(), status=ReplicaSetStatus(replicas=9), generation=7)
    st = apply_write(st, Create(r))
    got = st.get("ReplicaSet", "default", "web")
    assert got.uid == "uid-2"  # uid-1 is the node
    assert got.generation == 1
    assert got.status == ReplicaSetStatus()
    assert got.creation_index == 1  # the node has 0
    assert st.next_uid == 3


def test_create_with_generate_name_appends_the_first_free_counter() -> None:
    st = cluster()
    st = apply_write(st, Create(pod(""), generate_name="web-"))
    st = apply_write(st, Create(pod(""), generate_name="web-"))
    assert sorted(p.name for p in st.pods.values()) == ["web-1", "web-2"]
    assert {p.generate_name for p in st.pods.values()} == {"web-"}
    # with the counter reset (as model.system normalises it) the lowest free suffix is reused
    st = apply_write(st, Delete("Pod", "default", "web-1"))
    st = apply_write(st.with_counters(next_name=1), Create(pod(""), generate_name="web-"))
    assert sorted(p.name for p in st.pods.values()) == ["web-1", "web-2"]


def test_create_never_reuses_a_uid_that_a_dangling_owner_reference_names() -> None:
    owner_gone = OwnerReference("apps/v1", "ReplicaSet", "old", "uid-2", controller=True)
    st = cluster(replace(pod("orphan"), owner_references=(owner_gone,)))
    assert st.get("Pod", "default", "orphan").uid == "uid-1"
    st = apply_write(st.with_counters(next_uid=1), Create(rs()))
    assert st.get("ReplicaSet", "default", "web").uid == "uid-3"


def test_create_refuses_a_duplicate_name() -> None:
    st = cluster(pod("p"))
    with pytest.raises(ModelError) as exc:
        apply_write(st, Create(pod("p")))
    assert isinstance(exc.value, ApiError) and exc.value.reason == "AlreadyExists"


def test_generated_pod_names_never_take_a_statefulset_ordinal_name() -> None:
    """A pod prefix ``db-`` beside StatefulSet ``db``: letters (upstream's consonants), not ``db-1``."""
    from model.apiserver import _letters
    from model.objects import StatefulSet

    assert [_letters(n) for n in (1, 2, 20, 21, 22, 420, 421)] == ["b", "c", "z", "bb", "bc", "zz", "bbb"]
    st = cluster(StatefulSet(name="db"))
    for _ in range(3):
        st = apply_write(st, Create(replace(pod(""), name=""), generate_name="db-"))
    assert sorted(n for _, n in st.pods.keys()) == ["db-b", "db-c", "db-d"]
    plain = apply_write(cluster(), Create(replace(pod(""), name=""), generate_name="db-"))
    assert [n for _, n in plain.pods.keys()] == ["db-1"]
    other = apply_write(cluster(StatefulSet(name="db")), Create(replace(pod(""), name=""), generate_name="web-"))
    assert [n for _, n in other.pods.keys()] == ["web-1"]


# ------------------------------------------------------------------------------ update


def test_update_bumps_generation_only_when_the_spec_changes() -> None:
    st = cluster(rs())
    cur = st.get("ReplicaSet", "default", "web")
    st2 = apply_write(st, Update(replace(cur, replicas=5)))
    assert st2.get("ReplicaSet", "default", "web").generation == 2
    st3 = apply_write(st2, Update(replace(st2.get("ReplicaSet", "default", "web"), annotations=cur.labels)))
    assert st3.get("ReplicaSet", "default", "web").generation == 2


def test_update_keeps_status_and_server_owned_metadata() -> None:
    st = cluster(replace(rs(), status=ReplicaSetStatus(replicas=2)))
    cur = st.get("ReplicaSet", "default", "web")
    sneaky = replace(cur, replicas=3, status=ReplicaSetStatus(replicas=99), creation_index=42, deletion_timestamp=1)
    got = apply_write(st, Update(sneaky)).get("ReplicaSet", "default", "web")
    assert (got.replicas, got.status.replicas, got.creation_index, got.deletion_timestamp) == (3, 2, 0, None)


def test_update_status_keeps_spec_and_metadata() -> None:
    st = cluster(rs())
    cur = st.get("ReplicaSet", "default", "web")
    got = apply_write(st, UpdateStatus(replace(cur, replicas=7, status=ReplicaSetStatus(replicas=1)))).get(
        "ReplicaSet", "default", "web"
    )
    assert (got.replicas, got.status.replicas, got.generation) == (2, 1, 1)


@pytest.mark.parametrize("write", [Update, UpdateStatus], ids=["update", "update-status"])
def test_update_of_a_missing_or_recreated_object_is_refused(write: type) -> None:
    st = cluster(rs())
    cur = st.get("ReplicaSet", "default", "web")
    with pytest.raises(ApiError, match="NotFound"):
        apply_write(cluster(), write(cur))
    with pytest.raises(ApiError, match="Conflict"):
        apply_write(st, write(replace(cur, uid="uid-999")))


# ------------------------------------------------------------------------------ delete


def test_delete_of_a_bound_pod_is_graceful() -> None:
    st = cluster(node(), running_pod("p"))
    got = apply_write(st, Delete("Pod", "default", "p")).get("Pod", "default", "p")
    assert got.deletion_timestamp is not None
    assert got.deletion_grace_period_seconds == 30


def test_delete_of_an_unbound_pod_or_with_grace_zero_removes_it() -> None:
    st = cluster(node(), pod("pending"), running_pod("p"))
    st = apply_write(st, Delete("Pod", "default", "pending"))
    assert st.get("Pod", "default", "pending") is None
    st = apply_write(st, Delete("Pod", "default", "p", grace_period_seconds=0))
    assert st.get("Pod", "default", "p") is None


def test_second_delete_with_grace_zero_finishes_a_graceful_deletion() -> None:
    st = cluster(node(), running_pod("p"))
    st = apply_write(st, Delete("Pod", "default", "p"))
    st = apply_write(st, Delete("Pod", "default", "p", grace_period_seconds=0))
    assert st.get("Pod", "default", "p") is None


def test_delete_uid_precondition_mismatch_is_a_conflict_and_a_missing_object_not_found() -> None:
    st = cluster(pod("p"))
    with pytest.raises(ApiError, match="Conflict"):
        apply_write(st, Delete("Pod", "default", "p", uid="uid-7"))
    with pytest.raises(ApiError, match="NotFound"):
        apply_write(st, Delete("Pod", "default", "q"))


def test_background_delete_removes_the_owner_and_leaves_dependents_to_the_gc() -> None:
    st = cluster(rs())
    owner = st.get("ReplicaSet", "default", "web")
    st = apply_write(st, Create(replace(pod(""), owner_references=(owner_ref(owner, "ReplicaSet"),)), generate_name="web-"))
    st = apply_write(st, Delete("ReplicaSet", "default", "web"))
    assert st.get("ReplicaSet", "default", "web") is None
    assert st.get("Pod", "default", "web-1") is not None
    assert sync_garbage_collector(st, ("Pod", "default", "web-1")) == (
        Delete("Pod", "default", "web-1", uid=st.get("Pod", "default", "web-1").uid, propagation="Background"),
    )


@pytest.mark.parametrize(
    "propagation,finalizer", [("Foreground", FINALIZER_FOREGROUND), ("Orphan", FINALIZER_ORPHAN)]
)
def test_foreground_and_orphan_delete_keep_the_object_with_a_finalizer(propagation: str, finalizer: str) -> None:
    st = apply_write(cluster(rs()), Delete("ReplicaSet", "default", "web", propagation=propagation))  # type: ignore[arg-type]
    got = st.get("ReplicaSet", "default", "web")
    assert got.deletion_timestamp is not None and got.finalizers == (finalizer,)
    # removing the last finalizer removes the object (store.go deleteWithoutFinalizers)
    st = apply_write(st, Update(replace(got, finalizers=())))
    assert st.get("ReplicaSet", "default", "web") is None


# -------------------------------------------------------------------------- garbage collector


def _rs_with_pods(n: int = 2) -> ClusterState:
    st = cluster(node(), rs())
    owner = st.get("ReplicaSet", "default", "web")
    for _ in range(n):
        st = apply_write(
            st,
            Create(replace(running_pod(""), owner_references=(owner_ref(owner, "ReplicaSet"),)), generate_name="web-"),
        )
        created = max(st.pods.values(), key=lambda p: p.creation_index)
        st = st.put(replace(created, node_name="node-1"))
    return st


def _run_gc(st: ClusterState, limit: int = 20) -> ClusterState:
    for _ in range(limit):
        items = [i for i in gc_items(st) if sync_garbage_collector(st, i)]
        if not items:
            return st
        st = apply_writes(st, sync_garbage_collector(st, items[0]))
    raise AssertionError("GC did not settle")


def test_foreground_cascade_deletes_dependents_first_then_the_owner() -> None:
    st = apply_write(_rs_with_pods(), Delete("ReplicaSet", "default", "web", propagation="Foreground"))
    st = _run_gc(st)
    # pods are terminating (graceful: their kubelet must confirm) and the RS waits for them
    assert all(p.deletion_timestamp is not None for p in st.pods.values())
    assert st.get("ReplicaSet", "default", "web") is not None
    assert sync_garbage_collector(st, ("ReplicaSet", "default", "web")) == ()
    for p in list(st.pods.values()):
        st = apply_write(st, Delete("Pod", "default", p.name, grace_period_seconds=0))
    st = _run_gc(st)
    assert st.get("ReplicaSet", "default", "web") is None


def test_orphan_delete_removes_owner_references_then_the_owner() -> None:
    st = apply_write(_rs_with_pods(), Delete("ReplicaSet", "default", "web", propagation="Orphan"))
    writes = sync_garbage_collector(st, ("ReplicaSet", "default", "web"))
    assert [type(w).__name__ for w in writes] == ["Update", "Update", "Update"]
    st = _run_gc(st)
    assert st.get("ReplicaSet", "default", "web") is None
    assert len(st.pods) == 2 and all(not p.owner_references for p in st.pods.values())
    assert all(p.deletion_timestamp is None for p in st.pods.values())


def test_a_solid_owner_keeps_the_dependent_and_dangling_references_are_removed() -> None:
    st = _rs_with_pods(1)
    p = next(iter(st.pods.values()))
    gone = OwnerReference("apps/v1", "ReplicaSet", "old", "uid-77")
    st = st.put(replace(p, owner_references=p.owner_references + (gone,)))
    p = st.get("Pod", "default", p.name)
    solid, dangling, waiting = classify_references(st, p)
    assert (len(solid), dangling, waiting) == (1, (gone,), ())
    (w,) = attempt_to_delete_item(st, p)
    assert isinstance(w, Update) and w.obj.owner_references == p.owner_references[:1]


def test_a_recreated_owner_with_the_same_name_is_dangling() -> None:
    st = _rs_with_pods(1)
    owner = st.get("ReplicaSet", "default", "web")
    st = st.put(replace(owner, uid="uid-50"))
    p = next(iter(st.pods.values()))
    assert classify_references(st, p)[1] == p.owner_references


def test_an_owner_reference_to_an_unknown_kind_is_never_collected() -> None:
    st = cluster(replace(pod("p"), owner_references=(OwnerReference("batch/v1", "Job", "j", "uid-9"),)))
    assert sync_garbage_collector(st, ("Pod", "default", "p")) == ()


def test_a_dependent_with_dependents_of_a_waiting_owner_is_deleted_in_the_foreground() -> None:
    # Deployment -> RS -> pod; deleting the RS's owner in the foreground deletes the RS in the foreground.
    st = _rs_with_pods(1)
    rs_obj = st.get("ReplicaSet", "default", "web")
    from tests.model.builders_runtime import deployment

    st = apply_write(st, Create(deployment()))
    d = st.get("Deployment", "default", "web")
    st = st.put(replace(rs_obj, owner_references=(owner_ref(d, "Deployment"),)))
    st = apply_write(st, Delete("Deployment", "default", "web", propagation="Foreground"))
    (w,) = sync_garbage_collector(st, ("ReplicaSet", "default", "web"))
    assert isinstance(w, Delete) and w.propagation == "Foreground" and w.uid == rs_obj.uid


# --------------------------------------------------------------- review findings (fidelity)


@pytest.mark.parametrize("propagation", ["Foreground", "Orphan"])
def test_first_delete_held_by_a_finalizer_bumps_generation(propagation: str) -> None:
    """store.go markAsDeleting: ``if DeletionTimestamp == nil && Generation > 0 { Generation++ }``;
    a later delete (deletionTimestamp already set) does not bump it again."""
    st = apply_write(cluster(rs()), Delete("ReplicaSet", "default", "web", propagation=propagation))  # type: ignore[arg-type]
    got = st.get("ReplicaSet", "default", "web")
    assert got.deletion_timestamp is not None and got.generation == 2
    st = apply_write(st, Delete("ReplicaSet", "default", "web"))
    assert st.get("ReplicaSet", "default", "web").generation == 2


def test_first_delete_does_not_bump_a_pods_generation() -> None:
    """Pods are not among the kinds whose generation the model tracks (apiserver._GENERATION_KINDS)."""
    start = cluster(node(), running_pod("p"))
    got = apply_write(start, Delete("Pod", "default", "p")).get("Pod", "default", "p")
    assert got.deletion_timestamp is not None and got.generation == start.get("Pod", "default", "p").generation


def test_deployment_update_of_annotations_only_bumps_generation() -> None:
    """pkg/registry/apps/deployment/strategy.go PrepareForUpdate: ``!DeepEqual(new.Spec, old.Spec) ||
    !DeepEqual(new.Annotations, old.Annotations)`` bumps Generation; only for Deployments (a
    ReplicaSet's annotation-only update does not, see test_update_bumps_generation_only_when_the_spec_changes),
    and never through the status subresource."""
    from model.frozen import FrozenMap
    from tests.model.builders_runtime import deployment

    st = apply_write(cluster(), Create(deployment()))
    cur = st.get("Deployment", "default", "web")
    st2 = apply_write(st, Update(replace(cur, annotations=FrozenMap(team="a"))))
    assert st2.get("Deployment", "default", "web").generation == cur.generation + 1
    st3 = apply_write(st2, UpdateStatus(replace(st2.get("Deployment", "default", "web"), annotations=FrozenMap(team="b"))))
    got = st3.get("Deployment", "default", "web")
    assert dict(got.annotations) == {"team": "b"} and got.generation == cur.generation + 1


@pytest.mark.parametrize("finalizer", [FINALIZER_ORPHAN, FINALIZER_FOREGROUND])
def test_delete_without_a_policy_keeps_an_existing_gc_finalizer(finalizer: str) -> None:
    """store.go deletionFinalizersForGarbageCollection: with no propagationPolicy (controllers send
    ``metav1.DeleteOptions{}``) shouldOrphanDependents / shouldDeleteDependents answer from the
    finalizers the object carries; an explicit Background policy removes them."""
    held = replace(rs(), finalizers=(finalizer, "example.com/keep"))
    got = apply_write(cluster(held), Delete("ReplicaSet", "default", "web")).get("ReplicaSet", "default", "web")
    assert got.deletion_timestamp is not None and got.finalizers == (finalizer, "example.com/keep")
    got = apply_write(cluster(held), Delete("ReplicaSet", "default", "web", propagation="Background")).get("ReplicaSet", "default", "web")
    assert got.finalizers == ("example.com/keep",)


def test_delete_without_a_policy_or_finalizer_is_background() -> None:
    """No policy and no GC finalizer: the kind's default (background) — the object goes at once."""
    assert apply_write(cluster(rs()), Delete("ReplicaSet", "default", "web")).get("ReplicaSet", "default", "web") is None
    assert Delete("ReplicaSet", "default", "web").propagation is None
