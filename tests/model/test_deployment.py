"""Tables ported from kubernetes/kubernetes pkg/controller/deployment/{rolling,sync,recreate,progress,
deployment_controller}_test.go, plus sync_deployment cases for paths upstream covers only
through its fixture (claiming, pausing, scaling events, collisions, conflicts, rollback).

Ids are the upstream test names; unnamed upstream rows get their index and a short gloss.
Left out: TestRequeueStuckDeployment (requeue timing is the environment's abstract-time step)
and TestSyncDeploymentDeletionRace (cache and API server cannot disagree in one state).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.deployment import (
    SyncContext,
    calculate_status,
    cleanup_deployment,
    cleanup_unhealthy_replicas,
    old_pods_running,
    reconcile_new_replica_set,
    reconcile_old_replica_sets,
    rollback_to_revision,
    RollbackError,
    scale,
    scale_down_old_replica_sets_for_recreate,
    scale_down_old_replica_sets_for_rolling_update,
    sync_deployment,
    sync_rollout_status,
)
from model.deployment_util import (
    DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
    DEPLOYMENT_AVAILABLE,
    DEPLOYMENT_PROGRESSING,
    DEPRECATED_ROLLBACK_TO,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    NEW_REPLICA_SET_REASON,
    NEW_RS_AVAILABLE_REASON,
    PAUSED_DEPLOY_REASON,
    REPLICA_SET_UPDATED_REASON,
    RESUMED_DEPLOY_REASON,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    TIMED_OUT_REASON,
    compute_hash,
    get_deployment_condition,
    max_surge,
    set_replicas_annotations,
)
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import (
    ContainerSpec,
    Deployment,
    DeploymentCondition,
    DeploymentStatus,
    DeploymentStrategy,
    OwnerReference,
    Pod,
    ReplicaSet,
    ReplicaSetStatus,
)
from model.state import ClusterState
from tests.model.builders_deployment import (
    controller_ref,
    current_deployment,
    new_deployment,
    new_replica_set,
    new_rs_with_available,
    new_rs_with_status,
    rs,
)

SEL = {"foo": "bar"}


def ctx_for(d: Deployment, *objects: object) -> SyncContext:
    return SyncContext.for_deployment(ClusterState.from_objects([d, *objects]), d)


def updated_rs(writes: list[Write]) -> list[ReplicaSet]:
    return [w.obj for w in writes if isinstance(w, Update) and isinstance(w.obj, ReplicaSet)]


def with_available(r: ReplicaSet, available: int) -> ReplicaSet:
    return replace(r, status=replace(r.status, available_replicas=available))


# ------------------------------------------------------------------------------ rolling_test.go


@pytest.mark.parametrize(
    ("deployment_replicas", "surge", "old_replicas", "new_replicas", "scale_expected", "expected_new_replicas"),
    [
        pytest.param(10, 0, 10, 0, False, None, id="TestDeploymentController_reconcileNewReplicaSet/0-should not scale up"),
        pytest.param(10, 2, 10, 0, True, 2, id="TestDeploymentController_reconcileNewReplicaSet/1"),
        pytest.param(10, 2, 5, 0, True, 7, id="TestDeploymentController_reconcileNewReplicaSet/2"),
        pytest.param(10, 2, 10, 2, False, None, id="TestDeploymentController_reconcileNewReplicaSet/3"),
        pytest.param(10, 2, 2, 11, True, 10, id="TestDeploymentController_reconcileNewReplicaSet/4-should scale down"),
    ],
)
def test_reconcile_new_replica_set(
    deployment_replicas: int, surge: int, old_replicas: int, new_replicas: int, scale_expected: bool, expected_new_replicas: int | None
) -> None:
    new_rs = rs("foo-v2", new_replicas)
    old_rs = rs("foo-v2", old_replicas)
    d = new_deployment("foo", deployment_replicas, None, surge, 0, SEL)
    ctx = ctx_for(d)
    scaled = reconcile_new_replica_set(ctx, [new_rs, old_rs], new_rs)
    assert scaled is scale_expected
    if not scale_expected:
        assert ctx.writes == []
        return
    assert len(ctx.writes) == 1
    assert updated_rs(ctx.writes)[0].replicas == expected_new_replicas


@pytest.mark.parametrize(
    ("deployment_replicas", "max_unavail", "old_replicas", "new_replicas", "ready_old", "ready_new", "scale_expected", "expected_old"),
    [
        pytest.param(10, 0, 10, 0, 10, 0, True, 9, id="TestDeploymentController_reconcileOldReplicaSets/0"),
        pytest.param(10, 2, 10, 0, 10, 0, True, 8, id="TestDeploymentController_reconcileOldReplicaSets/1"),
        pytest.param(10, 2, 10, 0, 8, 0, True, 8,
                     id="TestDeploymentController_reconcileOldReplicaSets/2-expect unhealthy replicas from old replica sets been cleaned up"),
        pytest.param(10, 2, 10, 0, 9, 0, True, 8,
                     id="TestDeploymentController_reconcileOldReplicaSets/3-expect 1 unhealthy replica from old replica sets been cleaned up, and 1 ready pod been scaled down"),
        pytest.param(10, 2, 8, 2, 8, 0, False, None,
                     id="TestDeploymentController_reconcileOldReplicaSets/4-the unavailable pods from the newRS would not make us scale down old RSs in a further step"),
    ],
)  # fmt: skip
def test_reconcile_old_replica_sets(
    deployment_replicas: int, max_unavail: int, old_replicas: int, new_replicas: int,
    ready_old: int, ready_new: int, scale_expected: bool, expected_old: int | None,
) -> None:  # fmt: skip
    new_rs = with_available(rs("foo-new", new_replicas, {"foo": "new"}), ready_new)
    old_rs = with_available(rs("foo-old", old_replicas, {"foo": "old"}), ready_old)
    d = new_deployment("foo", deployment_replicas, None, 0, max_unavail, {"foo": "new"})
    ctx = ctx_for(d)
    scaled = reconcile_old_replica_sets(ctx, [old_rs, new_rs], [old_rs], new_rs)
    assert scaled is scale_expected
    if scale_expected:
        assert updated_rs(ctx.writes)[-1].replicas == expected_old
        assert all(r.name == "foo-old" for r in updated_rs(ctx.writes))
    else:
        assert ctx.writes == []


@pytest.mark.parametrize(
    ("old_replicas", "ready_pods", "max_cleanup_count", "cleanup_count_expected"),
    [
        pytest.param(10, 8, 1, 1, id="TestDeploymentController_cleanupUnhealthyReplicas/0"),
        pytest.param(10, 8, 3, 2, id="TestDeploymentController_cleanupUnhealthyReplicas/1"),
        pytest.param(10, 8, 0, 0, id="TestDeploymentController_cleanupUnhealthyReplicas/2"),
        pytest.param(10, 10, 3, 0, id="TestDeploymentController_cleanupUnhealthyReplicas/3"),
    ],
)
def test_cleanup_unhealthy_replicas(old_replicas: int, ready_pods: int, max_cleanup_count: int, cleanup_count_expected: int) -> None:
    old_rs = with_available(rs("foo-v2", old_replicas), ready_pods)
    d = new_deployment("foo", 10, None, 2, 2)
    ctx = ctx_for(d)
    olds, count = cleanup_unhealthy_replicas(ctx, [old_rs], max_cleanup_count)
    assert count == cleanup_count_expected
    assert olds[0].replicas == old_replicas - cleanup_count_expected
    assert len(ctx.writes) == (1 if cleanup_count_expected else 0)


@pytest.mark.parametrize(
    ("deployment_replicas", "max_unavail", "ready_pods", "old_replicas", "scale_expected", "expected_old"),
    [
        pytest.param(10, 0, 10, 10, True, 9, id="TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate/0"),
        pytest.param(10, 2, 10, 10, True, 8, id="TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate/1"),
        pytest.param(10, 2, 8, 10, False, None, id="TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate/2"),
        pytest.param(10, 2, 10, 0, False, None, id="TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate/3"),
        pytest.param(10, 2, 1, 10, False, None, id="TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate/4"),
    ],
)
def test_scale_down_old_replica_sets_for_rolling_update(
    deployment_replicas: int, max_unavail: int, ready_pods: int, old_replicas: int, scale_expected: bool, expected_old: int | None
) -> None:
    old_rs = with_available(rs("foo-v2", old_replicas), ready_pods)
    d = new_deployment("foo", deployment_replicas, None, 0, max_unavail, SEL)
    ctx = ctx_for(d)
    scaled = scale_down_old_replica_sets_for_rolling_update(ctx, [old_rs], [old_rs])
    if not scale_expected:
        assert scaled == 0
        assert ctx.writes == []
        return
    assert scaled > 0
    (updated,) = updated_rs(ctx.writes)
    assert updated.replicas == expected_old


def test_invalid_scale_down_request_is_swallowed_like_upstream() -> None:
    """cleanupUnhealthyReplicas errors ("invalid request to scale down") make reconcileOldReplicaSets return false, nil."""
    old_rs = with_available(rs("foo-old", 3), 5)  # available > spec: the guard fires only via min(); craft it directly
    d = new_deployment("foo", 3, None, 1, 1, SEL)
    ctx = ctx_for(d)
    # available > spec means spec - available < 0: min() picks it, newReplicasCount > spec -> error -> swallowed.
    assert reconcile_old_replica_sets(ctx, [old_rs], [old_rs], rs("foo-new", 0)) is False
    assert ctx.writes == []


# --------------------------------------------------------------------------------- sync_test.go

NEW_TS, OLD_TS, OLDER_TS = 3, 2, 1


def updated_template(replicas: int) -> Deployment:
    d = new_deployment("foo", replicas, None, None, None, SEL)
    return replace(d, template=replace(d.template, labels=d.template.labels.set("another", "label")))


TEST_SCALE = [
    ("normal scaling event: 10 -> 12", new_deployment("foo", 12), new_deployment("foo", 10),
     rs("foo-v1", 10, None, NEW_TS), [], 12, [], {}, {}),
    ("normal scaling event: 10 -> 5", new_deployment("foo", 5), new_deployment("foo", 10),
     rs("foo-v1", 10, None, NEW_TS), [], 5, [], {}, {}),
    ("proportional scaling: 5 -> 10", new_deployment("foo", 10), new_deployment("foo", 5),
     rs("foo-v2", 2, None, NEW_TS), [rs("foo-v1", 3, None, OLD_TS)], 4, [6], {}, {}),
    ("proportional scaling: 5 -> 3", new_deployment("foo", 3), new_deployment("foo", 5),
     rs("foo-v2", 2, None, NEW_TS), [rs("foo-v1", 3, None, OLD_TS)], 1, [2], {}, {}),
    ("proportional scaling: 9 -> 4", new_deployment("foo", 4), new_deployment("foo", 9),
     rs("foo-v2", 8, None, NEW_TS), [rs("foo-v1", 1, None, OLD_TS)], 4, [0], {}, {}),
    ("proportional scaling: 7 -> 10", new_deployment("foo", 10), new_deployment("foo", 7),
     rs("foo-v3", 2, None, NEW_TS), [rs("foo-v2", 3, None, OLD_TS), rs("foo-v1", 2, None, OLDER_TS)], 3, [4, 3], {}, {}),
    ("proportional scaling: 13 -> 8", new_deployment("foo", 8), new_deployment("foo", 13),
     rs("foo-v3", 2, None, NEW_TS), [rs("foo-v2", 8, None, OLD_TS), rs("foo-v1", 3, None, OLDER_TS)], 1, [5, 2], {}, {}),
    ("leftover distribution: 3 -> 4", new_deployment("foo", 4), new_deployment("foo", 3),
     rs("foo-v3", 1, None, NEW_TS), [rs("foo-v2", 1, None, OLD_TS), rs("foo-v1", 1, None, OLDER_TS)], 2, [1, 1], {}, {}),
    ("leftover distribution: 3 -> 2", new_deployment("foo", 2), new_deployment("foo", 3),
     rs("foo-v3", 1, None, NEW_TS), [rs("foo-v2", 1, None, OLD_TS), rs("foo-v1", 1, None, OLDER_TS)], 1, [1, 0], {}, {}),
    ("proportional scaling (no new rs): 4 -> 5", new_deployment("foo", 5), new_deployment("foo", 4),
     None, [rs("foo-v2", 2, None, OLD_TS), rs("foo-v1", 2, None, OLDER_TS)], None, [3, 2], {}, {}),
    ("proportional scaling: 6 -> 0", new_deployment("foo", 0), new_deployment("foo", 6),
     rs("foo-v3", 3, None, NEW_TS), [rs("foo-v2", 2, None, OLD_TS), rs("foo-v1", 1, None, OLDER_TS)], 0, [0, 0], {}, {}),
    ("proportional scaling: 0 -> 6", new_deployment("foo", 6), new_deployment("foo", 6),
     rs("foo-v3", 0, None, NEW_TS), [rs("foo-v2", 0, None, OLD_TS), rs("foo-v1", 0, None, OLDER_TS)], 6, [0, 0],
     {"foo-v2": True, "foo-v1": True}, {}),
    ("failed rs update", new_deployment("foo", 5), new_deployment("foo", 5),
     rs("foo-v3", 2, None, NEW_TS), [rs("foo-v2", 1, None, OLD_TS), rs("foo-v1", 1, None, OLDER_TS)], 2, [2, 1],
     {"foo-v3": True, "foo-v1": True}, {"foo-v2": 3}),
    ("deployment with surge pods", new_deployment("foo", 20, None, 2), new_deployment("foo", 10, None, 2),
     rs("foo-v2", 6, None, NEW_TS), [rs("foo-v1", 6, None, OLD_TS)], 11, [11], {}, {}),
    ("change both surge and size", new_deployment("foo", 50, None, 6), new_deployment("foo", 10, None, 3),
     rs("foo-v2", 5, None, NEW_TS), [rs("foo-v1", 8, None, OLD_TS)], 22, [34], {}, {}),
    ("change both size and template", updated_template(14), new_deployment("foo", 10, None, None, None, SEL),
     None, [rs("foo-v2", 7, None, NEW_TS), rs("foo-v1", 3, None, OLD_TS)], None, [10, 4], {}, {}),
    ("saturated but broken new replica set does not affect old pods",
     new_deployment("foo", 2, None, 1, 1), new_deployment("foo", 2, None, 1, 1),
     with_available(rs("foo-v2", 2, None, NEW_TS), 0), [rs("foo-v1", 1, None, OLD_TS)], 2, [1], {}, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("deployment", "old_deployment", "new_rs", "old_rss", "expected_new", "expected_old", "wasnt_updated", "desired_ann"),
    [pytest.param(*row[1:], id=f"TestScale/{row[0]}") for row in TEST_SCALE],
)
def test_scale(
    deployment: Deployment,
    old_deployment: Deployment,
    new_rs: ReplicaSet | None,
    old_rss: list[ReplicaSet],
    expected_new: int | None,
    expected_old: list[int],
    wasnt_updated: dict[str, bool],
    desired_ann: dict[str, int],
) -> None:
    def annotate(r: ReplicaSet) -> ReplicaSet:
        desired = desired_ann.get(r.name, old_deployment.replicas)
        return set_replicas_annotations(r, desired, desired + max_surge(old_deployment))[0]

    new_rs = annotate(new_rs) if new_rs is not None else None
    old_rss = [annotate(r) for r in old_rss]
    ctx = ctx_for(deployment)
    scale(ctx, new_rs, old_rss)

    name_to_size = {r.name: r.replicas for r in [*old_rss, *([new_rs] if new_rs else [])]}
    for r in updated_rs(ctx.writes):
        assert not wasnt_updated.get(r.name), f"{r.name} should not have been written"
        name_to_size[r.name] = r.replicas
        # every write stamps the current desired/max annotations
        assert r.annotations[DESIRED_REPLICAS_ANNOTATION] == str(deployment.replicas)
        assert r.annotations[MAX_REPLICAS_ANNOTATION] == str(deployment.replicas + max_surge(deployment))
    if expected_new is not None and new_rs is not None:
        assert name_to_size[new_rs.name] == expected_new
    assert [name_to_size[r.name] for r in old_rss] == expected_old
    assert all(isinstance(w, Update) for w in ctx.writes)


CLEANUP = [
    ([new_rs_with_status("foo-1", 0, 0, SEL), new_rs_with_status("foo-2", 0, 0, SEL), new_rs_with_status("foo-3", 0, 0, SEL)], 1, 2),
    ([new_rs_with_status("foo-1", 0, 0, SEL), new_rs_with_status("foo-2", 0, 1, SEL),
      new_rs_with_status("foo-3", 1, 0, SEL), new_rs_with_status("foo-4", 1, 1, SEL)], 0, 1),
    ([new_rs_with_status("foo-1", 0, 0, SEL), new_rs_with_status("foo-2", 0, 0, SEL)], 0, 2),
    ([new_rs_with_status("foo-1", 1, 1, SEL), new_rs_with_status("foo-2", 1, 1, SEL)], 0, 0),
    ([replace(new_rs_with_status("foo-1", 0, 0, SEL), deletion_timestamp=1)], 0, 0),
    ([new_rs_with_status("foo-1", 0, 0, SEL), new_rs_with_status("foo-2", 0, 0, SEL), new_rs_with_status("foo-3", 0, 0, SEL)],
     2**31 - 1, 0),
]  # fmt: skip
CLEANUP_GLOSS = ["", "only Spec.Replicas = Status.Replicas = 0", "", "", "already deleted", "unlimited revisionHistoryLimit"]


@pytest.mark.parametrize(
    ("old_rss", "limit", "expected_deletions"),
    [pytest.param(*row, id=f"TestDeploymentController_cleanupDeployment/{i}-{g}") for i, (row, g) in enumerate(zip(CLEANUP, CLEANUP_GLOSS))],
)
def test_cleanup_deployment(old_rss: list[ReplicaSet], limit: int, expected_deletions: int) -> None:
    ctx = ctx_for(new_deployment("foo", 1, limit, None, None, SEL))
    cleanup_deployment(ctx, old_rss)
    assert sum(isinstance(w, Delete) for w in ctx.writes) == expected_deletions
    assert all(isinstance(w, Delete) and w.kind == "ReplicaSet" for w in ctx.writes)


def test_cleanup_deployment_skips_unobserved_generation() -> None:
    r = replace(new_rs_with_status("foo-1", 0, 0, SEL), generation=2)
    ctx = ctx_for(new_deployment("foo", 1, 0, None, None, SEL))
    cleanup_deployment(ctx, [r])
    assert ctx.writes == []


def _rev_rs(name: str, replicas: int, ts: int, rev: str) -> ReplicaSet:
    r = replace(rs(name, replicas, SEL, ts), status=ReplicaSetStatus(replicas=replicas))
    return replace(r, annotations=FrozenMap({REVISION_ANNOTATION: rev})) if rev else r


@pytest.mark.parametrize(
    ("old_rss", "limit", "expected"),
    [
        pytest.param([_rev_rs("foo-1", 0, 1, "1"), _rev_rs("foo-2", 0, 2, "2")], 1, {"foo-1"},
                     id="TestDeploymentController_cleanupDeploymentOrder/0-revision order: rs1 < rs2, delete rs1"),
        pytest.param([_rev_rs("foo-1", 0, 1, "2"), _rev_rs("foo-2", 0, 2, "1")], 1, {"foo-2"},
                     id="TestDeploymentController_cleanupDeploymentOrder/1-revision order: rs2 < rs1, delete rs2"),
        pytest.param([_rev_rs("foo-1", 0, 1, "1"), _rev_rs("foo-2", 0, 2, "")], 1, {"foo-2"},
                     id="TestDeploymentController_cleanupDeploymentOrder/2-rs1 has revision but rs2 doesn't have revision, delete rs2"),
        pytest.param([_rev_rs("foo-1", 0, 1, ""), _rev_rs("foo-2", 0, 2, "2")], 1, {"foo-1"},
                     id="TestDeploymentController_cleanupDeploymentOrder/3-rs1 doesn't have revision while rs2 has revision, delete rs1"),
        pytest.param([_rev_rs("foo-1", 1, 1, "1"), _rev_rs("foo-2", 0, 2, "2"), _rev_rs("foo-3", 0, 3, "3")], 1, {"foo-2"},
                     id="TestDeploymentController_cleanupDeploymentOrder/4-revision order: rs1 < rs2 < r3, but rs1 has replicas, delete rs2"),
        pytest.param([_rev_rs("foo-1", 1, 1, "1"), _rev_rs("foo-2", 1, 2, "2"), _rev_rs("foo-3", 0, 3, "3")], 1, set(),
                     id="TestDeploymentController_cleanupDeploymentOrder/5-revision order: rs1 < rs2 < r3, both rs1 && rs2 have replicas, don't delete"),
        pytest.param([_rev_rs("foo-1", 0, 1, "3"), _rev_rs("foo-2", 0, 2, "1"), _rev_rs("foo-3", 0, 3, "4"), _rev_rs("foo-4", 0, 4, "2")],
                     2, {"foo-2", "foo-4"},
                     id="TestDeploymentController_cleanupDeploymentOrder/6-revision order: rs2 < rs4 < rs1 < rs3, delete rs2 && rs4"),
    ],
)  # fmt: skip
def test_cleanup_deployment_order(old_rss: list[ReplicaSet], limit: int, expected: set[str]) -> None:
    ctx = ctx_for(new_deployment("foo", 1, limit, None, None, SEL))
    cleanup_deployment(ctx, old_rss)
    assert {w.name for w in ctx.writes if isinstance(w, Delete)} == expected


# ----------------------------------------------------------------------------- recreate_test.go


def test_scale_down_old_replica_sets() -> None:
    """TestScaleDownOldReplicaSets: every old RS is scaled to 0 (and the slice updated in place)."""
    d = new_deployment("foo", 3, None, None, None, SEL)
    old_rss = [new_replica_set(d, "foo-0", 3)]
    ctx = ctx_for(d)
    assert scale_down_old_replica_sets_for_recreate(ctx, old_rss) is True
    assert [r.replicas for r in old_rss] == [0]
    assert [r.replicas for r in updated_rs(ctx.writes)] == [0]


def _pods(*phases: str) -> list[Pod]:
    return [Pod(name=f"p{i}", phase=ph) for i, ph in enumerate(phases)]  # type: ignore[arg-type]


def _rs_with_uid(uid: str) -> ReplicaSet:
    d = new_deployment("foo", 1, None, None, None, SEL)
    return replace(new_replica_set(d, f"foo-{uid}", 0), uid=uid)


@pytest.mark.parametrize(
    ("new_rs", "old_rss", "pod_map", "expected"),
    [
        pytest.param(None, [], None, False, id="TestOldPodsRunning/no old RSs"),
        pytest.param(None, [_rs_with_uid("some-uid"), _rs_with_uid("other-uid")],
                     {"some-uid": _pods("Pending", "Pending"), "other-uid": _pods("Pending", "Pending")}, True,
                     id="TestOldPodsRunning/old RSs with running pods"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 1)], None, True,
                     id="TestOldPodsRunning/old RSs without pods but with non-zero status replicas"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 0)], None, False,
                     id="TestOldPodsRunning/old RSs without pods or non-zero status replicas"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 0)], {"uid-1": _pods("Failed", "Succeeded")}, False,
                     id="TestOldPodsRunning/old RSs with zero status replicas but pods in terminal state are present"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 0)], {"uid-1": _pods("Unknown")}, True,
                     id="TestOldPodsRunning/old RSs with zero status replicas but pod in unknown phase present"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 0)], {"uid-1": _pods("Pending")}, True,
                     id="TestOldPodsRunning/old RSs with zero status replicas with pending pod present"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 0)], {"uid-1": _pods("Running")}, True,
                     id="TestOldPodsRunning/old RSs with zero status replicas with running pod present"),
        pytest.param(None, [new_rs_with_status("rs-1", 0, 0)],
                     {"uid-1": _pods("Failed", "Succeeded"), "uid-2": [], "uid-3": _pods("Pending")}, True,
                     id="TestOldPodsRunning/old RSs with zero status replicas but pods in terminal state and pending are present"),
        pytest.param(_rs_with_uid("new-uid"), [], {"new-uid": _pods("Running")}, False, id="pods of the new RS are ignored"),
    ],
)  # fmt: skip
def test_old_pods_running(new_rs: ReplicaSet | None, old_rss: list[ReplicaSet], pod_map: dict[str, list[Pod]] | None, expected: bool) -> None:
    assert old_pods_running(new_rs, old_rss, pod_map) is expected


# ----------------------------------------------------------------------------- progress_test.go

PDS = 60
FAILED_TIMED_OUT = DeploymentCondition(type=DEPLOYMENT_PROGRESSING, status="False", reason=TIMED_OUT_REASON)
NEW_RS_AVAILABLE = DeploymentCondition(type=DEPLOYMENT_PROGRESSING, status="True", reason=NEW_RS_AVAILABLE_REASON)
REPLICA_SET_UPDATED = DeploymentCondition(type=DEPLOYMENT_PROGRESSING, status="True", reason=REPLICA_SET_UPDATED_REASON)

SYNC_ROLLOUT_STATUS = [
    ("General: remove Progressing condition and do not estimate progress if deployment has no Progress Deadline",
     current_deployment(None, 3, 2, 2, 2, (REPLICA_SET_UPDATED,)), [new_rs_with_available("bar", 0, 1, 1)],
     new_rs_with_available("foo", 3, 2, 2), None),
    ("General: do not estimate progress of deployment with only one active ReplicaSet",
     current_deployment(PDS, 3, 3, 3, 3, (NEW_RS_AVAILABLE,)), [new_rs_with_available("bar", 3, 3, 3)], None,
     ("True", NEW_RS_AVAILABLE_REASON)),
    ("DeploymentProgressing: dont update lastTransitionTime if deployment already has Progressing=True",
     current_deployment(PDS, 3, 2, 2, 2, (REPLICA_SET_UPDATED,)), [new_rs_with_available("bar", 0, 1, 1)],
     new_rs_with_available("foo", 3, 2, 2), ("True", REPLICA_SET_UPDATED_REASON)),
    ("DeploymentProgressing: update everything if deployment has Progressing=False",
     current_deployment(PDS, 3, 2, 2, 2, (FAILED_TIMED_OUT,)), [new_rs_with_available("bar", 0, 1, 1)],
     new_rs_with_available("foo", 3, 2, 2), ("True", REPLICA_SET_UPDATED_REASON)),
    ("DeploymentProgressing: create Progressing condition if it does not exist",
     current_deployment(PDS, 3, 2, 2, 2, ()), [new_rs_with_available("bar", 0, 1, 1)],
     new_rs_with_available("foo", 3, 2, 2), ("True", REPLICA_SET_UPDATED_REASON)),
    ("DeploymentComplete: dont update lastTransitionTime if deployment already has Progressing=True",
     current_deployment(PDS, 3, 3, 3, 3, (REPLICA_SET_UPDATED,)), [], new_rs_with_available("foo", 3, 3, 3),
     ("True", NEW_RS_AVAILABLE_REASON)),
    ("DeploymentComplete: update everything if deployment has Progressing=False",
     current_deployment(PDS, 3, 3, 3, 3, (FAILED_TIMED_OUT,)), [], new_rs_with_available("foo", 3, 3, 3),
     ("True", NEW_RS_AVAILABLE_REASON)),
    ("DeploymentComplete: create Progressing condition if it does not exist",
     current_deployment(PDS, 3, 3, 3, 3, ()), [], new_rs_with_available("foo", 3, 3, 3), ("True", NEW_RS_AVAILABLE_REASON)),
    ("DeploymentComplete: defend against NPE when newRS=nil",
     current_deployment(PDS, 0, 3, 3, 3, (REPLICA_SET_UPDATED,)), [new_rs_with_available("foo", 0, 0, 0)], None,
     ("True", NEW_RS_AVAILABLE_REASON)),
    # Abstract time: "lastUpdateTime (2017) + 60s < now" is the flag progress_deadline_elapsed.
    ("DeploymentTimedOut: update status if rollout exceeds Progress Deadline",
     current_deployment(PDS, 3, 2, 2, 2, (REPLICA_SET_UPDATED,), progress_deadline_elapsed=True), [],
     new_rs_with_available("foo", 3, 2, 2), ("False", TIMED_OUT_REASON)),
    ("DeploymentTimedOut: do not update status if deployment has existing timedOut condition",
     current_deployment(PDS, 3, 2, 2, 2, (FAILED_TIMED_OUT,)), [], new_rs_with_available("foo", 3, 2, 2),
     ("False", TIMED_OUT_REASON)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("d", "all_rss", "new_rs", "expected"),
    [pytest.param(*row[1:], id=f"TestSyncRolloutStatus/{row[0]}") for row in SYNC_ROLLOUT_STATUS],
)
def test_sync_rollout_status(
    d: Deployment, all_rss: list[ReplicaSet], new_rs: ReplicaSet | None, expected: tuple[str, str] | None
) -> None:
    ctx = ctx_for(d)
    all_with_new: list[ReplicaSet | None] = [*all_rss, *([new_rs] if new_rs is not None else [])]
    sync_rollout_status(ctx, all_with_new, new_rs)
    cond = get_deployment_condition(ctx.d.status, DEPLOYMENT_PROGRESSING)
    if expected is None:
        assert cond is None
    else:
        assert cond is not None and (cond.status, cond.reason) == expected
    # a write happens iff the status changed, and it carries the in-memory deployment
    if ctx.d.status != d.status:
        assert ctx.writes == [UpdateStatus(ctx.d)]
    else:
        assert ctx.writes == []


def test_sync_rollout_status_progress_refreshes_the_deadline() -> None:
    """ReplicaSetUpdated always bumps lastUpdateTime: the abstract deadline starts over."""
    d = current_deployment(PDS, 3, 2, 2, 2, (REPLICA_SET_UPDATED,), progress_deadline_elapsed=True)
    ctx = ctx_for(d)
    new_rs = new_rs_with_available("foo", 3, 3, 3)
    sync_rollout_status(ctx, [new_rs_with_available("bar", 0, 0, 0), new_rs], new_rs)
    assert ctx.d.progress_deadline_elapsed is False
    (w,) = ctx.writes
    assert isinstance(w, UpdateStatus) and w.obj.progress_deadline_elapsed is False


def test_calculate_status_counts_and_availability() -> None:
    d = new_deployment("foo", 3, None, 1, 1, SEL)
    new_rs = replace(rs("n", 2), status=ReplicaSetStatus(replicas=2, ready_replicas=2, available_replicas=1))
    old_rs = replace(rs("o", 2), status=ReplicaSetStatus(replicas=2, ready_replicas=2, available_replicas=2))
    s = calculate_status([old_rs, new_rs, None], new_rs, d)
    assert (s.replicas, s.updated_replicas, s.ready_replicas, s.available_replicas, s.unavailable_replicas) == (4, 2, 4, 3, 1)
    assert get_deployment_condition(s, DEPLOYMENT_AVAILABLE) == DeploymentCondition(
        type=DEPLOYMENT_AVAILABLE, status="True", reason="MinimumReplicasAvailable", message="Deployment has minimum availability."
    )
    low = calculate_status([replace(old_rs, status=ReplicaSetStatus(available_replicas=1))], None, d)
    cond = get_deployment_condition(low, DEPLOYMENT_AVAILABLE)
    assert cond is not None and (cond.status, cond.reason) == ("False", "MinimumReplicasUnavailable")


# ---------------------------------------------------------------- deployment_controller_test.go


def _kinds(writes: tuple[Write, ...]) -> list[str]:
    out = []
    for w in writes:
        kind = type(w).__name__
        obj = getattr(w, "obj", None)
        out.append(f"{kind} {type(obj).__name__ if obj is not None else w.kind}")  # type: ignore[union-attr]
    return out


def test_sync_deployment_creates_replica_set() -> None:
    """TestSyncDeploymentCreatesReplicaSet: create RS, UpdateStatus, UpdateStatus.

    Upstream's fake client accepts the third action; a real API server rejects it (409: ``d``
    still carries the resourceVersion the first UpdateStatus consumed). The model emits the
    first two by default and all three with ``model_conflicts=False``.
    """
    d = new_deployment("foo", 1, None, None, None, SEL)
    state = ClusterState.from_objects([d])
    writes = sync_deployment(state, ("default", "foo"))
    assert _kinds(writes) == ["Create ReplicaSet", "UpdateStatus Deployment"]
    created = writes[0].obj  # type: ignore[union-attr]
    h = compute_hash(d.template, None)
    assert created.name == f"foo-{h}"
    assert created.replicas == 1
    assert created.labels == FrozenMap({"foo": "bar", DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: h})
    assert created.selector == LabelSelector(match_labels=FrozenMap({"foo": "bar", DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: h}))
    assert created.template.labels == created.labels
    assert created.owner_references == (controller_ref(d),)
    assert created.annotations == FrozenMap(
        {REVISION_ANNOTATION: "1", DESIRED_REPLICAS_ANNOTATION: "1", MAX_REPLICAS_ANNOTATION: "1"}
    )
    assert writes[1].obj.annotations[REVISION_ANNOTATION] == "1"  # type: ignore[union-attr]
    relaxed = sync_deployment(state, ("default", "foo"), model_conflicts=False)
    assert _kinds(relaxed) == ["Create ReplicaSet", "UpdateStatus Deployment", "UpdateStatus Deployment"]


def test_sync_deployment_dont_do_anything_during_deletion() -> None:
    """TestSyncDeploymentDontDoAnythingDuringDeletion: status only."""
    d = replace(new_deployment("foo", 1, None, None, None, SEL), deletion_timestamp=1)
    writes = sync_deployment(ClusterState.from_objects([d]), ("default", "foo"))
    assert _kinds(writes) == ["UpdateStatus Deployment"]


def test_dont_sync_deployments_with_empty_pod_selector() -> None:
    """TestDontSyncDeploymentsWithEmptyPodSelector (#23218): only observedGeneration is synced."""
    d = replace(new_deployment("foo", 1, None, None, None, SEL), selector=LabelSelector())
    assert sync_deployment(ClusterState.from_objects([d]), ("default", "foo")) == ()
    d1 = replace(d, generation=1)
    writes = sync_deployment(ClusterState.from_objects([d1]), ("default", "foo"))
    assert writes == (UpdateStatus(replace(d1, status=replace(d1.status, observed_generation=1))),)


def test_reentrant_rollback() -> None:
    """TestReentrantRollback: the deprecated rollback annotation rolls back with one Update, no RS write."""
    d = new_deployment("foo", 1, None, None, None, SEL)
    d = replace(d, annotations=FrozenMap({REVISION_ANNOTATION: "2", DEPRECATED_ROLLBACK_TO: "0"}))
    rs1 = new_replica_set(d, "deploymentrs-old", 0)
    rs1 = replace(
        rs1,
        annotations=FrozenMap({REVISION_ANNOTATION: "1"}),
        template=replace(rs1.template, termination_grace_period_seconds=1),
        selector=LabelSelector(match_labels=FrozenMap({**SEL, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: "hash"})),
    )
    rs2 = new_replica_set(d, "deploymentrs-new", 1)
    rs2 = replace(
        rs2,
        annotations=FrozenMap({REVISION_ANNOTATION: "2"}),
        selector=LabelSelector(match_labels=FrozenMap({**SEL, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: "hash"})),
    )
    writes = sync_deployment(ClusterState.from_objects([d, rs1, rs2]), ("default", "foo"))
    assert _kinds(writes) == ["Update Deployment"]
    rolled = writes[0].obj  # type: ignore[union-attr]
    assert rolled.template == rs1.template
    assert DEPRECATED_ROLLBACK_TO not in rolled.annotations
    assert rolled.annotations[REVISION_ANNOTATION] == "2"


# ------------------------------------------------------------------ sync_deployment: more paths


def _owned(d: Deployment, name: str, replicas: int, *, ts: int, rev: str, available: int | None = None,
           template_image: str | None = None) -> ReplicaSet:  # fmt: skip
    r = new_replica_set(d, name, replicas)
    tmpl = r.template if template_image is None else replace(r.template, containers=(ContainerSpec("", template_image),))
    avail = replicas if available is None else available
    r = replace(
        r,
        creation_index=ts,
        template=tmpl,
        generation=1,
        status=ReplicaSetStatus(replicas=replicas, ready_replicas=avail, available_replicas=avail, observed_generation=1),
        annotations=FrozenMap(
            {REVISION_ANNOTATION: rev, DESIRED_REPLICAS_ANNOTATION: str(d.replicas),
             MAX_REPLICAS_ANNOTATION: str(d.replicas + max_surge(d))}
        ),
    )  # fmt: skip
    return r


def test_claim_adopts_matching_orphans_and_releases_non_matching() -> None:
    d = new_deployment("foo", 1, None, None, None, SEL)
    orphan = replace(rs("orphan", 0, SEL), labels=FrozenMap(SEL))
    stray = replace(rs("stray", 0), labels=FrozenMap({"foo": "other"}), owner_references=(controller_ref(d),))
    foreign = replace(rs("foreign", 0), labels=FrozenMap(SEL), owner_references=(OwnerReference("apps/v1", "Deployment", "x", "uid-x", True),))
    writes = sync_deployment(ClusterState.from_objects([d, orphan, stray, foreign]), ("default", "foo"))
    rs_updates = {w.obj.name: w.obj for w in writes if isinstance(w, Update) and isinstance(w.obj, ReplicaSet)}
    assert rs_updates["orphan"].owner_references == (controller_ref(d),)
    assert rs_updates["stray"].owner_references == ()
    assert "foreign" not in rs_updates


def test_deleting_deployment_neither_adopts_nor_creates() -> None:
    d = replace(new_deployment("foo", 1, None, None, None, SEL), deletion_timestamp=1)
    orphan = replace(rs("orphan", 0, SEL), labels=FrozenMap(SEL))
    writes = sync_deployment(ClusterState.from_objects([d, orphan]), ("default", "foo"))
    assert not any(isinstance(w, (Create, Delete)) for w in writes)
    assert not any(isinstance(w, Update) and isinstance(w.obj, ReplicaSet) for w in writes)


def test_pausing_sets_paused_condition_and_only_scales() -> None:
    d = replace(new_deployment("foo", 3, None, 1, 0, SEL), progress_deadline_seconds=600, paused=True)
    d = replace(d, template=replace(d.template, containers=(ContainerSpec("", "v2"),)))  # template changed while paused
    old = _owned(new_deployment("foo", 3, None, 1, 0, SEL), "foo-old", 3, ts=1, rev="1")
    writes = sync_deployment(ClusterState.from_objects([d, old]), ("default", "foo"))
    # No new RS while paused; the paused condition is written (and the later status write conflicts).
    assert _kinds(writes) == ["UpdateStatus Deployment"]
    cond = get_deployment_condition(writes[0].obj.status, DEPLOYMENT_PROGRESSING)  # type: ignore[union-attr]
    assert cond is not None and (cond.status, cond.reason) == ("Unknown", PAUSED_DEPLOY_REASON)


def test_resuming_sets_resumed_condition() -> None:
    paused = DeploymentCondition(type=DEPLOYMENT_PROGRESSING, status="Unknown", reason=PAUSED_DEPLOY_REASON)
    d = replace(new_deployment("foo", 3, None, 1, 0, SEL), progress_deadline_seconds=600,
                status=DeploymentStatus(conditions=(paused,)), progress_deadline_elapsed=True)  # fmt: skip
    old = _owned(d, "foo-old", 3, ts=1, rev="1")
    writes = sync_deployment(ClusterState.from_objects([d, old]), ("default", "foo"))
    first = writes[0].obj  # type: ignore[union-attr]
    cond = get_deployment_condition(first.status, DEPLOYMENT_PROGRESSING)
    assert cond is not None and cond.reason == RESUMED_DEPLOY_REASON
    assert first.progress_deadline_elapsed is False  # a fresh lastUpdateTime


def test_scaling_event_goes_through_sync_not_rollout() -> None:
    """isScalingEvent: desired-replicas annotation 3 != spec 5 -> sync() scales, no rollout, no progress estimation."""
    base = new_deployment("foo", 3, None, 1, 0, SEL)
    r = _owned(base, "foo-a", 3, ts=1, rev="1")
    d = replace(base, replicas=5, annotations=FrozenMap({REVISION_ANNOTATION: "1"}))
    writes = sync_deployment(ClusterState.from_objects([d, r]), ("default", "foo"))
    assert _kinds(writes) == ["Update ReplicaSet", "UpdateStatus Deployment"]
    assert writes[0].obj.replicas == 5  # type: ignore[union-attr]
    assert writes[0].obj.annotations[DESIRED_REPLICAS_ANNOTATION] == "5"  # type: ignore[union-attr]


def test_rolling_revision_sync_conflicts_after_is_scaling_event() -> None:
    """getNewReplicaSet runs in isScalingEvent and again in rolloutRolling on the same cached list.

    The first call rewrites the new RS's revision annotation; the second builds the same Update
    from the stale cached RS, which the API server rejects: the reconcile ends after one write.
    """
    base = new_deployment("foo", 3, None, 1, 0, SEL)
    r = _owned(base, "foo-a", 3, ts=1, rev="1")
    other = _owned(replace(base, template=replace(base.template, containers=(ContainerSpec("", "x"),))), "foo-b", 0, ts=2, rev="4")
    other = replace(other, template=replace(other.template, containers=(ContainerSpec("", "x"),)))
    d = replace(base, annotations=FrozenMap({REVISION_ANNOTATION: "1"}))
    writes = sync_deployment(ClusterState.from_objects([d, r, other]), ("default", "foo"))
    assert _kinds(writes) == ["Update ReplicaSet"]
    assert writes[0].obj.annotations[REVISION_ANNOTATION] == "5"  # type: ignore[union-attr]
    assert writes[0].obj.annotations[REVISION_HISTORY_ANNOTATION] == "1"  # type: ignore[union-attr]
    relaxed = sync_deployment(ClusterState.from_objects([d, r, other]), ("default", "foo"), model_conflicts=False)
    assert _kinds(relaxed)[:2] == ["Update ReplicaSet", "Update ReplicaSet"]


def test_hash_collision_bumps_collision_count_and_stops() -> None:
    d = new_deployment("foo", 1, None, None, None, SEL)
    h = compute_hash(d.template, None)
    squatter = replace(rs(f"foo-{h}", 0), labels=FrozenMap({"other": "x"}))  # not ours, not claimed
    writes = sync_deployment(ClusterState.from_objects([d, squatter]), ("default", "foo"))
    assert _kinds(writes) == ["UpdateStatus Deployment"]
    assert writes[0].obj.status.collision_count == 1  # type: ignore[union-attr]
    d2 = writes[0].obj  # type: ignore[union-attr]
    writes2 = sync_deployment(ClusterState.from_objects([d2, squatter]), ("default", "foo"))
    assert writes2[0].obj.name == f"foo-{compute_hash(d.template, 1)}"  # type: ignore[union-attr]


def test_recreate_scales_old_down_then_waits_for_pods_then_creates() -> None:
    base = replace(new_deployment("foo", 2, None, None, None, SEL), strategy=DeploymentStrategy(type="Recreate"))
    old = _owned(base, "foo-old", 2, ts=1, rev="1")
    d = replace(base, annotations=FrozenMap({REVISION_ANNOTATION: "1"}),
                template=replace(base.template, containers=(ContainerSpec("", "v2"),)))  # fmt: skip
    key = ("default", "foo")
    w1 = sync_deployment(ClusterState.from_objects([d, old]), key)
    assert _kinds(w1)[0] == "Update ReplicaSet" and w1[0].obj.replicas == 0  # type: ignore[union-attr]
    assert not any(isinstance(w, Create) for w in w1)
    # RS spec 0 but a pod of it still running: wait, no create.
    old0 = replace(old, replicas=0, status=ReplicaSetStatus(replicas=0, observed_generation=1))
    running = Pod(name="p", labels=FrozenMap(SEL), phase="Running",
                  owner_references=(OwnerReference("apps/v1", "ReplicaSet", old.name, old.uid, True),))  # fmt: skip
    w2 = sync_deployment(ClusterState.from_objects([d, old0, running]), key)
    assert not any(isinstance(w, Create) for w in w2)
    # Pod gone: create the new RS at full size.
    w3 = sync_deployment(ClusterState.from_objects([d, old0]), key)
    creates = [w for w in w3 if isinstance(w, Create)]
    assert len(creates) == 1 and creates[0].obj.replicas == 2


# --------------------------------------------------------------------------- rollback (kubectl)


def _history() -> tuple[ClusterState, Deployment, ReplicaSet, ReplicaSet]:
    base = new_deployment("foo", 2, None, 1, 0, SEL)
    v1 = _owned(base, "foo-v1", 0, ts=1, rev="1", template_image="v1")
    v1 = replace(v1, annotations=v1.annotations.set("note", "one"))
    v2 = _owned(base, "foo-v2", 2, ts=2, rev="2", template_image="v2")
    d = replace(base, template=replace(base.template, containers=(ContainerSpec("", "v2"),)),
                annotations=FrozenMap({REVISION_ANNOTATION: "2", "note": "two"}))  # fmt: skip
    return ClusterState.from_objects([d, v1, v2]), d, v1, v2


def test_rollback_to_revision_previous() -> None:
    state, d, v1, _ = _history()
    got = rollback_to_revision(state, ("default", "foo"))
    assert got.template == v1.template
    assert DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY not in got.template.labels
    assert got.annotations == FrozenMap({REVISION_ANNOTATION: "2", "note": "one"})
    assert got.replicas == d.replicas and got.generation == d.generation  # the API server bumps generation


def test_rollback_to_revision_explicit_and_skipped() -> None:
    state, d, v1, _ = _history()
    assert rollback_to_revision(state, ("default", "foo"), 1).template == v1.template
    assert rollback_to_revision(state, ("default", "foo"), 2) == d  # already the current template


@pytest.mark.parametrize("bad", [-1, 7])
def test_rollback_to_revision_unknown(bad: int) -> None:
    state, _, _, _ = _history()
    with pytest.raises(RollbackError, match="unable to find specified revision"):
        rollback_to_revision(state, ("default", "foo"), bad)


def test_rollback_refuses_paused_and_empty_history() -> None:
    state, d, _, _ = _history()
    paused = state.put(replace(d, paused=True))
    with pytest.raises(RollbackError, match="paused"):
        rollback_to_revision(paused, ("default", "foo"))
    lonely = ClusterState.from_objects([d])
    with pytest.raises(RollbackError, match="no rollout history"):
        rollback_to_revision(lonely, ("default", "foo"))


def test_new_rs_condition_reason_on_creation() -> None:
    d = replace(new_deployment("foo", 1, None, None, None, SEL), progress_deadline_seconds=600)
    writes = sync_deployment(ClusterState.from_objects([d]), ("default", "foo"))
    cond = get_deployment_condition(writes[1].obj.status, DEPLOYMENT_PROGRESSING)  # type: ignore[union-attr]
    assert cond is not None and cond.reason == NEW_REPLICA_SET_REASON
    assert cond.message == f'Created new replica set "{writes[0].obj.name}"'  # type: ignore[union-attr]
