"""Tables ported from kubernetes/kubernetes pkg/controller/deployment/util/deployment_util_test.go.

Ids are the upstream test names (``TestX/case name``; unnamed upstream rows get their index).
Left out: TestEqualIgnoreHashAndDroppedFields, the dropped-fields rows of TestFindNewReplicaSet
and TestGetNonNegativeInt32FromAnnotation (post-1.32 code, not the v1.28 baseline) and
TestGetDeploymentsForReplicaSet (the informer-level lookup is not modelled).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.deployment_util import (
    DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
    DEPLOYMENT_AVAILABLE,
    DEPLOYMENT_PROGRESSING,
    DEPLOYMENT_REPLICA_FAILURE,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_INT32,
    MAX_REPLICAS_ANNOTATION,
    NEW_RS_AVAILABLE_REASON,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    TIMED_OUT_REASON,
    UpstreamError,
    compute_hash,
    copy_deployment_annotations_to_replica_set,
    deployment_complete,
    deployment_progressing,
    deployment_timed_out,
    equal_ignore_hash,
    find_active_or_latest,
    find_new_replica_set,
    find_old_replica_sets,
    get_actual_replica_count_for_replica_sets,
    get_available_replica_count_for_replica_sets,
    get_terminating_replica_count_for_replica_sets,
    get_deployment_condition,
    get_proportion,
    get_ready_replica_count_for_replica_sets,
    get_replica_count_for_replica_sets,
    get_replica_set_fraction,
    get_scaled_value_from_int_or_percent,
    is_saturated,
    last_revision,
    max_revision,
    max_surge,
    max_unavailable,
    min_available,
    new_rs_new_replicas,
    progress_deadline_can_elapse,
    remove_deployment_condition,
    replicas_annotations_need_update,
    resolve_fenceposts,
    revision,
    round_to_int32,
    set_deployment_annotations_to,
    set_deployment_condition,
    set_new_replica_set_annotations,
    set_replicas_annotations,
)
from model.frozen import FrozenMap
from model.objects import (
    ContainerSpec,
    Deployment,
    DeploymentCondition,
    DeploymentStatus,
    DeploymentStrategy,
    PodTemplate,
    ReplicaSet,
    ReplicaSetStatus,
)
from tests.model.builders_deployment import generate_deployment, generate_rs, rs

H = DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY


# ------------------------------------------------------------------------ TestEqualIgnoreHash


def pod_template_spec(name: str, node_name: str, annotations: dict[str, str], labels: dict[str, str]) -> PodTemplate:
    """generatePodTemplateSpec: our PodTemplate has no metadata.name / spec.nodeName, so two
    other free-form template fields (hostname, subdomain) stand in for them."""
    return PodTemplate(hostname=name, subdomain=node_name, annotations=FrozenMap(annotations), labels=FrozenMap(labels))


EQUAL_IGNORE_HASH = [
    ("Same spec, same labels",
     pod_template_spec("foo", "foo-node", {}, {H: "value-1", "something": "else"}),
     pod_template_spec("foo", "foo-node", {}, {H: "value-1", "something": "else"}), True),
    ("Same spec, only pod-template-hash label value is different",
     pod_template_spec("foo", "foo-node", {}, {H: "value-1", "something": "else"}),
     pod_template_spec("foo", "foo-node", {}, {H: "value-2", "something": "else"}), True),
    ("Same spec, the former doesn't have pod-template-hash label",
     pod_template_spec("foo", "foo-node", {}, {"something": "else"}),
     pod_template_spec("foo", "foo-node", {}, {H: "value-2", "something": "else"}), True),
    ("Same spec, the label is different, the former doesn't have pod-template-hash label, same number of labels",
     pod_template_spec("foo", "foo-node", {}, {"something": "else"}),
     pod_template_spec("foo", "foo-node", {}, {H: "value-2"}), False),
    ("Same spec, the label is different, the latter doesn't have pod-template-hash label, same number of labels",
     pod_template_spec("foo", "foo-node", {}, {H: "value-1"}),
     pod_template_spec("foo", "foo-node", {}, {"something": "else"}), False),
    ("Same spec, the label is different, and the pod-template-hash label value is the same",
     pod_template_spec("foo", "foo-node", {}, {H: "value-1"}),
     pod_template_spec("foo", "foo-node", {}, {H: "value-1", "something": "else"}), False),
    ("Different spec, same labels",
     pod_template_spec("foo", "foo-node", {"former": "value"}, {H: "value-1", "something": "else"}),
     pod_template_spec("foo", "foo-node", {"latter": "value"}, {H: "value-1", "something": "else"}), False),
    ("Different spec, different pod-template-hash label value",
     pod_template_spec("foo-1", "foo-node", {}, {H: "value-1", "something": "else"}),
     pod_template_spec("foo-2", "foo-node", {}, {H: "value-2", "something": "else"}), False),
    ("Different spec, the former doesn't have pod-template-hash label",
     pod_template_spec("foo-1", "foo-node-1", {}, {"something": "else"}),
     pod_template_spec("foo-2", "foo-node-2", {}, {H: "value-2", "something": "else"}), False),
    ("Different spec, different labels",
     pod_template_spec("foo", "foo-node-1", {}, {"something": "else"}),
     pod_template_spec("foo", "foo-node-2", {}, {"nothing": "else"}), False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("former", "latter", "expected"),
    [pytest.param(f, l, e, id=f"TestEqualIgnoreHash/{n}") for n, f, l, e in EQUAL_IGNORE_HASH],
)
def test_equal_ignore_hash(former: PodTemplate, latter: PodTemplate, expected: bool) -> None:
    assert equal_ignore_hash(former, latter) is expected
    assert equal_ignore_hash(latter, former) is expected  # reverse order, as upstream
    assert former.labels is not None and latter.labels is not None


# ------------------------------------------------------------ TestFindNewReplicaSet / Old


def _rs_fixtures() -> tuple[Deployment, ReplicaSet, ReplicaSet, ReplicaSet]:
    before, now, later = 1, 2, 3
    deployment = generate_deployment("nginx")
    new_rs = generate_rs(deployment, "nginx-new", timestamp=later, replicas=1)
    new_rs = replace(new_rs, labels=new_rs.labels.set(H, "hash"))
    new_rs_dup = generate_rs(deployment, "nginx-dup", timestamp=now)
    new_rs_dup = replace(new_rs_dup, labels=new_rs_dup.labels.set(H, "different-hash"))
    old_d = replace(
        deployment, template=replace(deployment.template, containers=(ContainerSpec(name="nginx-old-1", image="nginx"),))
    )
    old_rs = generate_rs(old_d, "nginx-old", timestamp=before)
    old_rs = replace(old_rs, status=ReplicaSetStatus(fully_labeled_replicas=old_rs.replicas))
    return deployment, new_rs, new_rs_dup, old_rs


D, NEW_RS, NEW_RS_DUP, OLD_RS = _rs_fixtures()


@pytest.mark.parametrize(
    ("rs_list", "expected"),
    [
        pytest.param([NEW_RS, OLD_RS], NEW_RS,
                     id="TestFindNewReplicaSet/Get new ReplicaSet with the same template as Deployment spec but different pod-template-hash value"),
        pytest.param([NEW_RS, OLD_RS, NEW_RS_DUP], NEW_RS_DUP,
                     id="TestFindNewReplicaSet/Get the oldest new ReplicaSet when there are more than one ReplicaSet with the same template"),
        pytest.param([OLD_RS], None, id="TestFindNewReplicaSet/Get nil new ReplicaSet"),
    ],
)  # fmt: skip
def test_find_new_replica_set(rs_list: list[ReplicaSet], expected: ReplicaSet | None) -> None:
    assert find_new_replica_set(D, rs_list) == expected


@pytest.mark.parametrize(
    ("rs_list", "expected", "expected_require"),
    [
        pytest.param([NEW_RS, OLD_RS], [OLD_RS], [], id="TestFindOldReplicaSets/Get old ReplicaSets"),
        pytest.param([OLD_RS], [OLD_RS], [], id="TestFindOldReplicaSets/Get old ReplicaSets with no new ReplicaSet"),
        pytest.param([OLD_RS, NEW_RS, NEW_RS_DUP], [OLD_RS, NEW_RS], [NEW_RS],
                     id="TestFindOldReplicaSets/Get old ReplicaSets with two new ReplicaSets, only the oldest new ReplicaSet is seen as new ReplicaSet"),
        pytest.param([NEW_RS], [], [], id="TestFindOldReplicaSets/Get empty old ReplicaSets"),
    ],
)  # fmt: skip
def test_find_old_replica_sets(rs_list: list[ReplicaSet], expected: list[ReplicaSet], expected_require: list[ReplicaSet]) -> None:
    required, all_rss = find_old_replica_sets(D, rs_list)
    assert all_rss == expected
    assert required == expected_require


# --------------------------------------------------------- TestGetReplicaCountForReplicaSets


def _counted(name: str, spec: int, status: int, available: int = 0, ready: int = 0, *,
             observed: int = 0, terminating: int | None = None) -> ReplicaSet:
    r = rs(name, spec)
    return replace(r, status=ReplicaSetStatus(replicas=status, available_replicas=available, ready_replicas=ready,
                                              observed_generation=observed, terminating_replicas=terminating))


# As upstream's setup, including its slip: ``rs1.Status.ObservedGeneration = 1`` is set twice and rs2's
# stays 0 (rs2 counts through its non-nil terminatingReplicas either way).
RS1 = _counted("rs1", 1, 2, observed=1, terminating=3)
RS2 = _counted("rs2", 2, 3, terminating=1)
RS3 = _counted("rs3", 3, 0)  # unsynced: observedGeneration 0, terminatingReplicas nil
RS4 = _counted("rs4", 1, 1, observed=1)  # synced but nil: the sum is unknown


@pytest.mark.parametrize(
    ("sets", "expected_count", "expected_actual", "expected_terminating"),
    [
        pytest.param([RS1], 1, 2, 3, id="TestGetReplicaCountForReplicaSets/scaling down rs1"),
        pytest.param([RS1, RS2], 3, 5, 4, id="TestGetReplicaCountForReplicaSets/scaling down rs1 and rs2"),
        pytest.param([RS3], 3, 0, 0, id="TestGetReplicaCountForReplicaSets/scaling up rs3"),
        pytest.param([RS1, RS2, RS3], 6, 5, 4, id="TestGetReplicaCountForReplicaSets/scaling down rs1 and rs2 and scaling up rs3"),
        pytest.param([RS4], 1, 1, None, id="TestGetReplicaCountForReplicaSets/invalid/unknown terminating status for rs4"),
        pytest.param([RS1, RS2, RS3, RS4], 7, 6, None,
                     id="TestGetReplicaCountForReplicaSets/invalid/unknown terminating status for rs4 with rs1, rs2 and rs3"),
        pytest.param([None, RS1], 1, 2, 3, id="nil entries are skipped"),
    ],
)  # fmt: skip
def test_get_replica_count_for_replica_sets(sets: list[ReplicaSet | None], expected_count: int, expected_actual: int,
                                            expected_terminating: int | None) -> None:
    assert get_replica_count_for_replica_sets(sets) == expected_count
    assert get_actual_replica_count_for_replica_sets(sets) == expected_actual
    assert get_terminating_replica_count_for_replica_sets(sets) == expected_terminating


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        pytest.param([_counted("a", 1, 1, available=1)], 1, id="TestGetAvailableReplicaCountForReplicaSets/1"),
        pytest.param([_counted("a", 1, 1, available=1), _counted("b", 2, 2, available=2)], 3,
                     id="TestGetAvailableReplicaCountForReplicaSets/1+2"),
        pytest.param([None, _counted("b", 2, 2, available=2)], 2, id="TestGetAvailableReplicaCountForReplicaSets/nil skipped"),
    ],
)  # fmt: skip
def test_get_available_replica_count_for_replica_sets(sets: list[ReplicaSet | None], expected: int) -> None:
    assert get_available_replica_count_for_replica_sets(sets) == expected


def test_get_ready_replica_count_sums_ready_not_available() -> None:
    sets = [_counted("a", 2, 2, available=0, ready=2), _counted("b", 1, 1, available=1, ready=1)]
    assert get_ready_replica_count_for_replica_sets(sets) == 3


# ---------------------------------------------------------------------- TestResolveFenceposts


@pytest.mark.parametrize(
    ("max_surge_value", "max_unavailable_value", "desired", "surge", "unavailable", "error"),
    [
        pytest.param("0%", "0%", 0, 0, 1, False, id="TestResolveFenceposts/0"),
        pytest.param("39%", "39%", 10, 4, 3, False, id="TestResolveFenceposts/1"),
        pytest.param("oops", "39%", 10, 0, 0, True, id="TestResolveFenceposts/2-oops"),
        pytest.param("55%", "urg", 10, 0, 0, True, id="TestResolveFenceposts/3-urg"),
        pytest.param(None, "39%", 10, 0, 3, False, id="TestResolveFenceposts/4"),
        pytest.param("39%", None, 10, 4, 0, False, id="TestResolveFenceposts/5"),
        pytest.param(None, None, 10, 0, 1, False, id="TestResolveFenceposts/6"),
    ],
)
def test_resolve_fenceposts(
    max_surge_value: str | None, max_unavailable_value: str | None, desired: int, surge: int, unavailable: int, error: bool
) -> None:
    got_surge, got_unavailable, err = resolve_fenceposts(max_surge_value, max_unavailable_value, desired)
    assert (got_surge, got_unavailable) == (surge, unavailable)
    assert (err is not None) is error


@pytest.mark.parametrize(
    ("value", "total", "round_up", "expected"),
    [
        pytest.param(3, 10, True, 3, id="int passes through"),
        pytest.param(-2, 10, False, -2, id="negative int is not clamped"),
        pytest.param("25%", 3, True, 1, id="ceil"),
        pytest.param("25%", 3, False, 0, id="floor"),
        pytest.param("+50%", 3, False, 1, id="Atoi accepts a sign"),
    ],
)
def test_get_scaled_value_from_int_or_percent(value: int | str, total: int, round_up: bool, expected: int) -> None:
    assert get_scaled_value_from_int_or_percent(value, total, round_up) == expected


@pytest.mark.parametrize("value", ["90", "%", "#%", " 5%", "5_0%", None])
def test_get_scaled_value_from_int_or_percent_garbage(value: str | None) -> None:
    with pytest.raises(UpstreamError):
        get_scaled_value_from_int_or_percent(value, 10, True)


@pytest.mark.parametrize(("a", "expected"), [(2.5, 3), (-2.5, -3), (2.49, 2), (-0.4, 0), (9.8, 10)])
def test_round_to_int32_rounds_half_away_from_zero(a: float, expected: int) -> None:
    assert round_to_int32(a) == expected


# -------------------------------------------------------------- TestMaxUnavailable / MinAvailable


def _rolling(replicas: int, max_unavailable_value: int | str, surge: int | str = 1) -> Deployment:
    return Deployment(
        name="d",
        replicas=replicas,
        strategy=DeploymentStrategy(type="RollingUpdate", max_surge=surge, max_unavailable=max_unavailable_value),
    )


RECREATE = Deployment(name="d", replicas=10, strategy=DeploymentStrategy(type="Recreate"))


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        pytest.param(_rolling(10, 5), 5, id="TestMaxUnavailable/maxUnavailable less than replicas"),
        pytest.param(_rolling(10, 10), 10, id="TestMaxUnavailable/maxUnavailable equal replicas"),
        pytest.param(_rolling(5, 10), 5, id="TestMaxUnavailable/maxUnavailable greater than replicas"),
        pytest.param(_rolling(0, 10), 0, id="TestMaxUnavailable/maxUnavailable with replicas is 0"),
        pytest.param(RECREATE, 0, id="TestMaxUnavailable/maxUnavailable with Recreate deployment strategy"),
        pytest.param(_rolling(10, "50%"), 5, id="TestMaxUnavailable/maxUnavailable less than replicas with percents"),
        pytest.param(_rolling(10, "100%"), 10, id="TestMaxUnavailable/maxUnavailable equal replicas with percents"),
        pytest.param(_rolling(5, "100%"), 5, id="TestMaxUnavailable/maxUnavailable greater than replicas with percents"),
        pytest.param(_rolling(10, "oops"), 0, id="garbage maxUnavailable resolves to 0 (error ignored)"),
    ],
)
def test_max_unavailable(d: Deployment, expected: int) -> None:
    assert max_unavailable(d) == expected


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        pytest.param(_rolling(10, 5), 5, id="TestMinAvailable/replicas greater than maxUnavailable"),
        pytest.param(_rolling(10, 10), 0, id="TestMinAvailable/replicas equal maxUnavailable"),
        pytest.param(_rolling(5, 10), 0, id="TestMinAvailable/replicas less than maxUnavailable"),
        pytest.param(_rolling(0, 10), 0, id="TestMinAvailable/replicas is 0"),
        pytest.param(RECREATE, 0, id="TestMinAvailable/minAvailable with Recreate deployment strategy"),
        pytest.param(_rolling(10, "60%"), 4, id="TestMinAvailable/replicas greater than maxUnavailable with percents"),
        pytest.param(_rolling(10, "100%"), 0, id="TestMinAvailable/replicas equal maxUnavailable with percents"),
        pytest.param(_rolling(5, "100%"), 0, id="TestMinAvailable/replicas less than maxUnavailable with percents"),
    ],
)
def test_min_available(d: Deployment, expected: int) -> None:
    assert min_available(d) == expected


def test_max_surge_is_not_clamped_and_zero_for_recreate() -> None:
    assert max_surge(_rolling(2, 0, surge=5)) == 5
    assert max_surge(_rolling(3, 0, surge="25%")) == 1
    assert max_surge(RECREATE) == 0
    assert max_surge(_rolling(0, "25%", surge="25%")) == 0


# ---------------------------------------------------------------------- TestNewRSNewReplicas


@pytest.mark.parametrize(
    ("strategy", "dep_replicas", "new_rs_replicas", "surge", "expected"),
    [
        pytest.param("RollingUpdate", 1, 5, 1, 5, id="TestNewRSNewReplicas/can not scale up - to newRSReplicas"),
        pytest.param("RollingUpdate", 6, 2, 10, 6, id="TestNewRSNewReplicas/scale up - to depReplicas"),
        pytest.param("Recreate", 3, 1, 1, 3, id="TestNewRSNewReplicas/recreate - to depReplicas"),
    ],
)
def test_new_rs_new_replicas(strategy: str, dep_replicas: int, new_rs_replicas: int, surge: int, expected: int) -> None:
    d = replace(
        generate_deployment("nginx"),
        replicas=dep_replicas,
        strategy=DeploymentStrategy(type=strategy, max_surge=surge, max_unavailable=1),  # type: ignore[arg-type]
    )
    new_rc = generate_rs(d, "new", replicas=new_rs_replicas)
    rs5 = generate_rs(d, "rs5", replicas=5)
    assert new_rs_new_replicas(d, [rs5], new_rc) == expected


def test_new_rs_new_replicas_garbage_surge_is_an_upstream_error() -> None:
    d = _rolling(3, 1, surge="oops")
    with pytest.raises(UpstreamError):
        new_rs_new_replicas(d, [], generate_rs(generate_deployment("x"), "n"))


# ------------------------------------------------------------ conditions (Get/Set/Remove)

COND_PROGRESSING = DeploymentCondition(type=DEPLOYMENT_PROGRESSING, status="False", reason="ForSomeReason")
COND_PROGRESSING2 = DeploymentCondition(type=DEPLOYMENT_PROGRESSING, status="True", reason="BecauseItIs")
COND_AVAILABLE = DeploymentCondition(type=DEPLOYMENT_AVAILABLE, status="True", reason="AwesomeController")
STATUS = DeploymentStatus(conditions=(COND_PROGRESSING, COND_AVAILABLE))


@pytest.mark.parametrize(
    ("cond_type", "expected"),
    [
        pytest.param(DEPLOYMENT_AVAILABLE, True, id="TestGetCondition/condition exists"),
        pytest.param(DEPLOYMENT_REPLICA_FAILURE, False, id="TestGetCondition/condition does not exist"),
    ],
)
def test_get_condition(cond_type: str, expected: bool) -> None:
    assert (get_deployment_condition(STATUS, cond_type) is not None) is expected


@pytest.mark.parametrize(
    ("status", "cond", "expected"),
    [
        pytest.param(DeploymentStatus(), COND_AVAILABLE, DeploymentStatus(conditions=(COND_AVAILABLE,)),
                     id="TestSetCondition/set for the first time"),
        pytest.param(DeploymentStatus(conditions=(COND_PROGRESSING,)), COND_AVAILABLE, STATUS, id="TestSetCondition/simple set"),
        pytest.param(DeploymentStatus(conditions=(COND_PROGRESSING,)), COND_PROGRESSING2,
                     DeploymentStatus(conditions=(COND_PROGRESSING2,)), id="TestSetCondition/overwrite"),
        pytest.param(STATUS, replace(COND_PROGRESSING, message="new message"), STATUS,
                     id="same status and reason: no change, message kept"),
    ],
)  # fmt: skip
def test_set_condition(status: DeploymentStatus, cond: DeploymentCondition, expected: DeploymentStatus) -> None:
    assert set_deployment_condition(status, cond) == expected


def test_set_condition_moves_the_replaced_condition_to_the_end() -> None:
    got = set_deployment_condition(STATUS, COND_PROGRESSING2)
    assert got.conditions == (COND_AVAILABLE, COND_PROGRESSING2)


@pytest.mark.parametrize(
    ("status", "cond_type", "expected"),
    [
        pytest.param(DeploymentStatus(), DEPLOYMENT_PROGRESSING, DeploymentStatus(), id="TestRemoveCondition/remove from empty status"),
        pytest.param(DeploymentStatus(conditions=(COND_PROGRESSING,)), DEPLOYMENT_PROGRESSING, DeploymentStatus(),
                     id="TestRemoveCondition/simple remove"),
        pytest.param(STATUS, DEPLOYMENT_REPLICA_FAILURE, STATUS, id="TestRemoveCondition/doesn't remove anything"),
    ],
)  # fmt: skip
def test_remove_condition(status: DeploymentStatus, cond_type: str, expected: DeploymentStatus) -> None:
    assert remove_deployment_condition(status, cond_type) == expected


# ------------------------------------------------------------------- TestDeploymentComplete


def _complete_case(desired: int, current: int, updated: int, available: int, max_unavail: int, surge: int) -> Deployment:
    return Deployment(
        name="d",
        generation=0,
        replicas=desired,
        strategy=DeploymentStrategy(type="RollingUpdate", max_surge=surge, max_unavailable=max_unavail),
        status=DeploymentStatus(replicas=current, updated_replicas=updated, available_replicas=available),
    )


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        pytest.param(_complete_case(5, 5, 5, 4, 1, 0), False, id="TestDeploymentComplete/not complete: min but not all pods become available"),
        pytest.param(_complete_case(5, 5, 5, 3, 1, 0), False, id="TestDeploymentComplete/not complete: min availability is not honored"),
        pytest.param(_complete_case(5, 5, 5, 5, 0, 0), True, id="TestDeploymentComplete/complete"),
        pytest.param(_complete_case(5, 5, 4, 5, 0, 0), False, id="TestDeploymentComplete/not complete: all pods are available but not updated"),
        pytest.param(_complete_case(1, 2, 1, 1, 0, 1), False, id="TestDeploymentComplete/not complete: still running old pods"),
        pytest.param(_complete_case(1, 1, 1, 0, 1, 1), False, id="TestDeploymentComplete/not complete: one replica deployment never comes up"),
        pytest.param(replace(_complete_case(5, 5, 5, 5, 0, 0), generation=2), False, id="generation not observed"),
    ],
)  # fmt: skip
def test_deployment_complete(d: Deployment, expected: bool) -> None:
    assert deployment_complete(d, d.status) is expected


# ---------------------------------------------------------------- TestDeploymentProgressing


def _st(current: int, updated: int, ready: int, available: int) -> DeploymentStatus:
    return DeploymentStatus(replicas=current, updated_replicas=updated, ready_replicas=ready, available_replicas=available)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(_st(10, 4, 4, 4), _st(10, 6, 4, 4), True, id="TestDeploymentProgressing/progressing: updated pods"),
        pytest.param(_st(10, 4, 4, 4), _st(10, 4, 4, 4), False, id="TestDeploymentProgressing/not progressing"),
        pytest.param(_st(10, 4, 6, 6), _st(8, 4, 6, 6), True, id="TestDeploymentProgressing/progressing: old pods removed"),
        pytest.param(_st(10, 7, 3, 3), _st(10, 6, 3, 3), False, id="TestDeploymentProgressing/not progressing: less new pods"),
        pytest.param(_st(10, 4, 7, 7), _st(8, 8, 5, 5), True, id="TestDeploymentProgressing/progressing: less overall but more new pods"),
        pytest.param(_st(10, 10, 9, 8), _st(10, 10, 10, 8), True, id="TestDeploymentProgressing/progressing: more ready pods"),
        pytest.param(_st(10, 10, 10, 9), _st(10, 10, 10, 10), True, id="TestDeploymentProgressing/progressing: more available pods"),
    ],
)  # fmt: skip
def test_deployment_progressing(old: DeploymentStatus, new: DeploymentStatus, expected: bool) -> None:
    assert deployment_progressing(Deployment(name="d", status=old), new) is expected


# ------------------------------------------------------------------ TestDeploymentTimedOut


def _timed(pds: int | None, reason: str, elapsed: bool, cond_type: str = DEPLOYMENT_PROGRESSING) -> Deployment:
    cond = DeploymentCondition(type=cond_type, status="True", reason=reason)
    return Deployment(
        name="d",
        progress_deadline_seconds=MAX_INT32 if pds is None else pds,
        status=DeploymentStatus(conditions=(cond,)),
        progress_deadline_elapsed=elapsed,
    )


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        # Abstract time: "lastUpdateTime + deadline < now" is the flag progress_deadline_elapsed.
        pytest.param(_timed(None, "", True), False, id="TestDeploymentTimedOut/nil progressDeadlineSeconds specified - no timeout"),
        pytest.param(_timed(MAX_INT32, "", True), False, id="TestDeploymentTimedOut/infinite progressDeadlineSeconds specified - no timeout"),
        pytest.param(_timed(10, "", True), True,
                     id="TestDeploymentTimedOut/progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s"),
        pytest.param(_timed(10, "", False), False,
                     id="TestDeploymentTimedOut/progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s"),
        pytest.param(_timed(None, NEW_RS_AVAILABLE_REASON, False), False, id="TestDeploymentTimedOut/previous status was a complete deployment"),
        pytest.param(_timed(10, NEW_RS_AVAILABLE_REASON, True), False, id="complete rollout never times out, even with the flag"),
        pytest.param(_timed(10, TIMED_OUT_REASON, False), True, id="already timed out stays timed out"),
        pytest.param(_timed(10, "", True, cond_type=DEPLOYMENT_AVAILABLE), False, id="no Progressing condition: no base"),
    ],
)  # fmt: skip
def test_deployment_timed_out(d: Deployment, expected: bool) -> None:
    assert deployment_timed_out(d, d.status) is expected


def test_progress_deadline_can_elapse_guards_the_abstract_time_step() -> None:
    assert progress_deadline_can_elapse(_timed(10, "ReplicaSetUpdated", False))
    assert not progress_deadline_can_elapse(_timed(10, "ReplicaSetUpdated", True))  # already elapsed
    assert not progress_deadline_can_elapse(_timed(10, NEW_RS_AVAILABLE_REASON, False))
    assert not progress_deadline_can_elapse(_timed(10, TIMED_OUT_REASON, False))
    assert not progress_deadline_can_elapse(_timed(None, "ReplicaSetUpdated", False))


# ------------------------------------------------- TestAnnotationUtils / ReplicasAnnotations


def test_annotation_utils() -> None:
    """TestAnnotationUtils: SetNewReplicaSetAnnotations, SetReplicasAnnotations, IsSaturated."""
    t_deployment = generate_deployment("nginx")
    t_deployment = replace(t_deployment, annotations=FrozenMap({REVISION_ANNOTATION: "1"}))
    t_rs = generate_rs(t_deployment, "nginx-rs")
    for i in range(10, 20):
        next_revision = str(i + 1)
        t_rs, _ = set_new_replica_set_annotations(t_deployment, t_rs, next_revision, True, 5)
        if i >= 12:
            assert t_rs.annotations[REVISION_HISTORY_ANNOTATION] == f"{i - 1},{i}"
        assert t_rs.annotations[REVISION_ANNOTATION] == next_revision

    t_rs, updated = set_replicas_annotations(t_rs, 10, 11)
    assert updated
    assert t_rs.annotations[DESIRED_REPLICAS_ANNOTATION] == "10"
    assert t_rs.annotations[MAX_REPLICAS_ANNOTATION] == "11"
    assert set_replicas_annotations(t_rs, 10, 11) == (t_rs, False)

    t_rs = replace(
        t_rs,
        annotations=t_rs.annotations.set(DESIRED_REPLICAS_ANNOTATION, "1"),
        replicas=1,
        status=ReplicaSetStatus(available_replicas=1),
    )
    assert is_saturated(t_deployment, t_rs)
    assert not is_saturated(t_deployment, replace(t_rs, status=ReplicaSetStatus(available_replicas=0)))
    assert not is_saturated(t_deployment, replace(t_rs, annotations=t_rs.annotations.set(DESIRED_REPLICAS_ANNOTATION, "x")))
    assert not is_saturated(t_deployment, None)


@pytest.mark.parametrize(
    "d_ann, rs_ann, want, changed",
    [
        pytest.param({"team": ""}, {}, {"team": ""}, True, id="missing key with an empty value is copied"),
        pytest.param({"team": ""}, {"team": ""}, {"team": ""}, False, id="present key with the same empty value is kept"),
        pytest.param({"team": "a"}, {"team": "b"}, {"team": "a"}, True, id="different value is overwritten"),
        pytest.param({"team": "a"}, {"team": "a", "x": "1"}, {"team": "a", "x": "1"}, False, id="same value, extra RS key kept"),
        pytest.param({REVISION_ANNOTATION: "3", "kubectl.kubernetes.io/last-applied-configuration": ""}, {}, {}, False, id="skipped keys are never copied"),
    ],
)
def test_copy_deployment_annotations_to_replica_set(
    d_ann: dict[str, str], rs_ann: dict[str, str], want: dict[str, str], changed: bool
) -> None:
    """copyDeploymentAnnotationsToReplicaSet (pkg/controller/deployment/util/deployment_util.go): upstream
    has no table for it; the rows follow its loop ``if _, exist := rs.Annotations[k]; skipCopyAnnotation(k)
    || (exist && rs.Annotations[k] == v) { continue }`` — a key missing on the RS is copied even when its
    value is ``""`` (review finding: the model used to treat a missing key as ``""``)."""
    d = replace(generate_deployment("nginx"), annotations=FrozenMap(d_ann))
    got, did = copy_deployment_annotations_to_replica_set(d, replace(generate_rs(d, "n"), annotations=FrozenMap(rs_ann)))
    assert (dict(got.annotations), did) == (want, changed)


def test_set_new_replica_set_annotations_for_a_new_rs() -> None:
    d = replace(
        generate_deployment("nginx"),
        replicas=4,
        annotations=FrozenMap({"team": "a", REVISION_ANNOTATION: "7", "kubectl.kubernetes.io/last-applied-configuration": "{}"}),
        strategy=DeploymentStrategy(max_surge=1, max_unavailable=0),
    )
    rs_, changed = set_new_replica_set_annotations(d, generate_rs(d, "n"), "3", False, 2000)
    assert changed
    assert dict(rs_.annotations) == {
        "team": "a",
        REVISION_ANNOTATION: "3",
        DESIRED_REPLICAS_ANNOTATION: "4",
        MAX_REPLICAS_ANNOTATION: "5",
    }


def test_set_new_replica_set_annotations_never_lowers_the_revision() -> None:
    d = generate_deployment("nginx")
    existing = replace(generate_rs(d, "n"), annotations=FrozenMap({REVISION_ANNOTATION: "5"}))
    assert set_new_replica_set_annotations(d, existing, "4", True, 2000) == (existing, False)


def test_set_new_replica_set_annotations_unparsable_old_revision_stops() -> None:
    d = replace(generate_deployment("nginx"), annotations=FrozenMap({"team": "a"}))
    existing = replace(generate_rs(d, "n"), annotations=FrozenMap({REVISION_ANNOTATION: "x"}))
    got, changed = set_new_replica_set_annotations(d, existing, "4", True, 2000)
    assert not changed
    assert got.annotations == FrozenMap({REVISION_ANNOTATION: "x", "team": "a"})  # the copy already happened


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        pytest.param({}, True, id="TestReplicasAnnotationsNeedUpdate/test Annotations nil"),
        pytest.param({DESIRED_REPLICAS_ANNOTATION: "8", MAX_REPLICAS_ANNOTATION: "20"}, True,
                     id="TestReplicasAnnotationsNeedUpdate/test desiredReplicas update"),
        pytest.param({DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "16"}, True,
                     id="TestReplicasAnnotationsNeedUpdate/test maxReplicas update"),
        pytest.param({DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "20"}, False,
                     id="TestReplicasAnnotationsNeedUpdate/test needn't update"),
    ],
)  # fmt: skip
def test_replicas_annotations_need_update(annotations: dict[str, str], expected: bool) -> None:
    r = replace(rs("hello", 1, {"foo": "bar"}), annotations=FrozenMap(annotations))
    assert replicas_annotations_need_update(r, 10, 20) is expected


# ------------------------------------------------------------------ TestGetReplicaSetFraction


@pytest.mark.parametrize(
    ("dep_replicas", "status_replicas", "surge", "rs_replicas", "annotations", "expected"),
    [
        pytest.param(0, 0, 0, 10, {}, -10, id="TestGetReplicaSetFraction/empty deployment always scales to 0"),
        pytest.param(10, 0, 0, 5, {}, 0,
                     id="TestGetReplicaSetFraction/unsynced deployment does not scale when max-replicas annotation is missing (removed by a 3rd party)"),
        pytest.param(10, 0, 0, 5, {MAX_REPLICAS_ANNOTATION: "0"}, 0,
                     id="TestGetReplicaSetFraction/unsynced deployment does not scale when max-replicas annotation is incorrectly set to 0 (by a 3rd party)"),
        pytest.param(120, 100, 0, 50, {}, 10,
                     id="TestGetReplicaSetFraction/scale up by 1/5 should increase RS replicas by 1/5 when max-replicas annotation is missing (removed by a 3rd party)"),
        pytest.param(120, 100, 0, 50, {MAX_REPLICAS_ANNOTATION: "0"}, 10,
                     id="TestGetReplicaSetFraction/scale up by 1/5 should increase RS replicas by 1/5 when max-replicas annotation is incorrectly set to 0 (by a 3rd party)"),
        pytest.param(120, 0, 0, 50, {MAX_REPLICAS_ANNOTATION: "100"}, 10,
                     id="TestGetReplicaSetFraction/scale up by 1/5 should increase RS replicas by 1/5"),
        pytest.param(120, 0, 10, 50, {MAX_REPLICAS_ANNOTATION: "110"}, 9,
                     id="TestGetReplicaSetFraction/scale up with maxSurge by 1/5 should increase RS replicas approximately by 1/5"),
        pytest.param(10, 0, 0, 6, {MAX_REPLICAS_ANNOTATION: "12"}, -1,
                     id="TestGetReplicaSetFraction/scale down by 1/6 should decrease RS replicas by 1/6"),
        pytest.param(100, 0, 10, 50, {MAX_REPLICAS_ANNOTATION: "130"}, -8,
                     id="TestGetReplicaSetFraction/scale down with maxSurge by 1/6 should decrease RS replicas approximately by 1/6"),
    ],
)  # fmt: skip
def test_get_replica_set_fraction(
    dep_replicas: int, status_replicas: int, surge: int, rs_replicas: int, annotations: dict[str, str], expected: int
) -> None:
    d = replace(
        generate_deployment("nginx"),
        replicas=dep_replicas,
        status=DeploymentStatus(replicas=status_replicas),
        strategy=DeploymentStrategy(type="RollingUpdate", max_surge=surge, max_unavailable=1),
    )
    t_rs = replace(generate_rs(d, "r"), annotations=FrozenMap(annotations), replicas=rs_replicas)
    assert get_replica_set_fraction(t_rs, d) == expected


def test_get_proportion_is_bounded_by_what_is_left() -> None:
    d = replace(_rolling(10, 0, surge=0))
    r = replace(rs("r", 5), annotations=FrozenMap({MAX_REPLICAS_ANNOTATION: "5"}))
    assert get_proportion(r, d, 3, 0) == 3  # fraction 5, allowed 3
    assert get_proportion(r, d, 3, 3) == 0  # nothing left
    assert get_proportion(replace(r, replicas=0), d, 3, 0) == 0
    assert get_proportion(None, d, 3, 0) == 0
    down = replace(d, replicas=1)
    assert get_proportion(r, down, -2, 0) == -2  # fraction -4, allowed -2


def test_find_active_or_latest() -> None:
    old1, old2 = rs("o1", 0, timestamp=1), rs("o2", 0, timestamp=2)
    new = rs("n", 0, timestamp=3)
    assert find_active_or_latest(None, []) is None
    assert find_active_or_latest(None, [old1, old2]) == old2  # none active: newest old
    assert find_active_or_latest(new, [old1, old2]) == new
    assert find_active_or_latest(new, [replace(old1, replicas=2), old2]) == replace(old1, replicas=2)
    assert find_active_or_latest(replace(new, replicas=1), [replace(old1, replicas=2)]) is None


# ------------------------------------------------------------------------- revisions


def _rev(name: str, value: str | None) -> ReplicaSet:
    r = rs(name, 0)
    return r if value is None else replace(r, annotations=FrozenMap({REVISION_ANNOTATION: value}))


def test_revision_parsing() -> None:
    assert revision(_rev("a", None)) == 0
    assert revision(_rev("a", "12")) == 12
    with pytest.raises(UpstreamError):
        revision(_rev("a", "twelve"))


@pytest.mark.parametrize(
    ("values", "max_rev", "last_rev"),
    [
        pytest.param(["1", "2", "3"], 3, 2, id="ascending"),
        pytest.param(["3", "1", "2"], 3, 2, id="unordered"),
        pytest.param(["3", "3"], 3, 3, id="duplicate maximum makes secMax equal to it"),
        pytest.param(["x", "2", None], 2, 0, id="unparsable skipped, absent is 0"),
        pytest.param([], 0, 0, id="empty"),
    ],
)
def test_max_and_last_revision(values: list[str | None], max_rev: int, last_rev: int) -> None:
    rss: list[ReplicaSet | None] = [_rev(f"r{i}", v) for i, v in enumerate(values)]
    rss.append(None)
    assert max_revision(rss) == max_rev
    assert last_revision(rss) == last_rev


def test_set_deployment_annotations_to_keeps_skip_set_only() -> None:
    d = replace(
        generate_deployment("nginx"),
        annotations=FrozenMap({REVISION_ANNOTATION: "4", "team": "a"}),
    )
    r = replace(rs("r", 0), annotations=FrozenMap({REVISION_ANNOTATION: "2", "owner": "b", MAX_REPLICAS_ANNOTATION: "3"}))
    got = set_deployment_annotations_to(d, r)
    assert got.annotations == FrozenMap({REVISION_ANNOTATION: "4", "owner": "b"})


# ------------------------------------------------------------------------------ compute_hash


def test_compute_hash_is_deterministic_and_sensitive() -> None:
    t = generate_deployment("nginx").template
    h = compute_hash(t, None)
    assert h == compute_hash(generate_deployment("nginx").template, None)
    assert h == "74b45b4d54"  # pinned: stable across runs and processes
    assert set(h) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert compute_hash(t, 1) != h
    assert compute_hash(t, 1) != compute_hash(t, 2)
    assert compute_hash(generate_deployment("redis").template, None) != h
