"""model.rollout_status (kubectl rollout status) and model.sequence.When (``when:`` conditions).

The status tables are upstream's: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status_test.go
(TestDeploymentStatusViewerStatus, TestDaemonSetStatusViewerStatus, TestStatefulSetStatusViewerStatus,
TestDaemonSetStatusViewerStatusWithWrongUpdateStrategyType).
"""

from __future__ import annotations

import pytest

from model.deployment_util import TIMED_OUT_REASON
from model.objects import (
    DaemonSet,
    DaemonSetStatus,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentCondition,
    DeploymentStatus,
    Pod,
    PodConditions,
    StatefulSet,
    StatefulSetStatus,
    StatefulSetUpdateStrategy,
    replace,
)
from model.rollout_status import daemon_set_status, deployment_status, rollout_status, stateful_set_status
from model.sequence import After, When
from model.state import ClusterState


@pytest.mark.parametrize(
    ("generation", "spec_replicas", "status", "msg", "done"),
    [
        (0, 1, DeploymentStatus(observed_generation=1, replicas=1, updated_replicas=0, available_replicas=1),
         'Waiting for deployment "foo" rollout to finish: 0 out of 1 new replicas have been updated...\n', False),
        (1, 1, DeploymentStatus(observed_generation=1, replicas=2, updated_replicas=1, available_replicas=2),
         'Waiting for deployment "foo" rollout to finish: 1 old replicas are pending termination...\n', False),
        (1, 2, DeploymentStatus(observed_generation=1, replicas=2, updated_replicas=2, available_replicas=1, unavailable_replicas=1),
         'Waiting for deployment "foo" rollout to finish: 1 of 2 updated replicas are available...\n', False),
        (1, 2, DeploymentStatus(observed_generation=1, replicas=2, updated_replicas=2, available_replicas=2),
         'deployment "foo" successfully rolled out\n', True),
        (2, 2, DeploymentStatus(observed_generation=1, replicas=2, updated_replicas=2, available_replicas=2),
         "Waiting for deployment spec update to be observed...\n", False),
    ],
)
def test_deployment_status_viewer_status(generation: int, spec_replicas: int, status: DeploymentStatus, msg: str, done: bool) -> None:
    d = Deployment(name="foo", namespace="bar", generation=generation, replicas=spec_replicas, status=status)
    assert deployment_status(d) == (msg, done, "")


def test_a_deployment_past_its_progress_deadline_is_an_error() -> None:
    cond = DeploymentCondition("Progressing", "False", TIMED_OUT_REASON)
    d = Deployment(name="foo", status=DeploymentStatus(observed_generation=1, conditions=(cond,)))
    assert deployment_status(d) == ("", False, 'deployment "foo" exceeded its progress deadline')


@pytest.mark.parametrize(
    ("generation", "status", "msg", "done"),
    [
        (0, DaemonSetStatus(observed_generation=1, updated_number_scheduled=0, desired_number_scheduled=1, number_available=0),
         'Waiting for daemon set "foo" rollout to finish: 0 out of 1 new pods have been updated...\n', False),
        (1, DaemonSetStatus(observed_generation=1, updated_number_scheduled=2, desired_number_scheduled=2, number_available=1),
         'Waiting for daemon set "foo" rollout to finish: 1 of 2 updated pods are available...\n', False),
        (1, DaemonSetStatus(observed_generation=1, updated_number_scheduled=2, desired_number_scheduled=2, number_available=2),
         'daemon set "foo" successfully rolled out\n', True),
        (2, DaemonSetStatus(observed_generation=1, updated_number_scheduled=2, desired_number_scheduled=2, number_available=2),
         "Waiting for daemon set spec update to be observed...\n", False),
    ],
)
def test_daemon_set_status_viewer_status(generation: int, status: DaemonSetStatus, msg: str, done: bool) -> None:
    assert daemon_set_status(DaemonSet(name="foo", namespace="bar", generation=generation, status=status)) == (msg, done, "")


def test_daemon_set_status_viewer_status_with_wrong_update_strategy_type() -> None:
    ds = DaemonSet(name="foo", update_strategy=DaemonSetUpdateStrategy(type="OnDelete"))
    assert daemon_set_status(ds)[2] == "rollout status is only available for RollingUpdate strategy type"


_NO_ROLLING = StatefulSetUpdateStrategy(type="RollingUpdate", has_rolling_update=False)  # rollingUpdate: nil


@pytest.mark.parametrize(
    ("generation", "strategy", "status", "msg", "done", "err"),
    [
        (1, StatefulSetUpdateStrategy(type="OnDelete"), StatefulSetStatus(observed_generation=1, ready_replicas=1), "", True, True),
        (2, _NO_ROLLING, StatefulSetStatus(observed_generation=1, replicas=3, ready_replicas=3, current_replicas=3),
         "Waiting for statefulset spec update to be observed...\n", False, False),
        (1, _NO_ROLLING, StatefulSetStatus(observed_generation=2, replicas=3, ready_replicas=2, current_replicas=3),
         "Waiting for 1 pods to be ready...\n", False, False),
        (1, StatefulSetUpdateStrategy(partition=2), StatefulSetStatus(observed_generation=2, replicas=3, ready_replicas=3,
                                                                      current_replicas=2, updated_replicas=1),
         "partitioned roll out complete: 1 new pods have been updated...\n", True, False),
        # upstream's table says done: true here but only checks "done && !want"; the function returns false
        (1, StatefulSetUpdateStrategy(partition=2), StatefulSetStatus(observed_generation=2, replicas=3, ready_replicas=3,
                                                                      current_replicas=3, updated_replicas=0),
         "Waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated...\n", False, False),
        (1, _NO_ROLLING, StatefulSetStatus(observed_generation=2, replicas=3, ready_replicas=3, current_replicas=3, updated_replicas=3,
                                           current_revision="foo", update_revision="foo"),
         "statefulset rolling update complete 3 pods at revision foo...\n", True, False),
    ],
)
def test_stateful_set_status_viewer_status(generation: int, strategy: StatefulSetUpdateStrategy, status: StatefulSetStatus,
                                           msg: str, done: bool, err: bool) -> None:
    s = StatefulSet(name="foo", replicas=3, generation=generation, update_strategy=strategy, status=status)
    got_msg, got_done, got_err = stateful_set_status(s)
    assert (got_msg, got_done, bool(got_err)) == (msg, done, err)


def test_rollout_status_dispatches_by_kind_and_refuses_others() -> None:
    assert rollout_status(Deployment(name="d"))[0] == "Waiting for deployment spec update to be observed...\n"
    with pytest.raises(TypeError):
        rollout_status(Pod(name="p"))


# ----------------------------------------------------------------------------- when: conditions


def _dep(**status: object) -> Deployment:
    return Deployment(name="web", replicas=2, generation=2, status=DeploymentStatus(**status))  # type: ignore[arg-type]


def test_rollout_conditions_read_kubectl_rollout_status() -> None:
    complete, started, stuck = (When(w, "Deployment", "web") for w in ("rollout-complete", "rollout-started", "rollout-stuck"))
    cases = {
        "unobserved": _dep(observed_generation=1, replicas=2, updated_replicas=2, available_replicas=2),
        "rolling": _dep(observed_generation=2, replicas=3, updated_replicas=1, available_replicas=2),
        "done": _dep(observed_generation=2, replicas=2, updated_replicas=2, available_replicas=2),
        "stuck": _dep(observed_generation=2, replicas=3, updated_replicas=1,
                      conditions=(DeploymentCondition("Progressing", "False", TIMED_OUT_REASON),)),
    }
    got = {k: tuple(w.holds(ClusterState.from_objects([d])) for w in (complete, started, stuck)) for k, d in cases.items()}
    assert got == {"unobserved": (False, False, False), "rolling": (False, True, False),
                   "done": (True, False, False), "stuck": (False, False, True)}
    assert not complete.holds(ClusterState.from_objects([]))  # no such object: nothing to wait on


def test_pod_conditions_and_name_free() -> None:
    pending = Pod(name="db-1")
    running = replace(pending, phase="Running")
    ready = replace(running, conditions=PodConditions(ready=True))
    terminating = replace(ready, deletion_timestamp=1)
    run, rdy = When("pod-running", "Pod", "db-1"), When("pod-ready", "Pod", "db-1")
    got = [(run.holds(ClusterState.from_objects([p])), rdy.holds(ClusterState.from_objects([p])))
           for p in (pending, running, ready, terminating)]
    assert got == [(False, False), (True, False), (True, True), (False, False)]
    free = When("name-free", "StatefulSet", "db")
    sts = StatefulSet(name="db")
    assert free.holds(ClusterState.from_objects([]))
    assert not free.holds(ClusterState.from_objects([sts]))
    assert not free.holds(ClusterState.from_objects([replace(sts, deletion_timestamp=1, finalizers=("orphan",))]))


def test_after_with_conditions_needs_the_cluster_and_every_condition() -> None:
    c = ClusterState.from_objects([Pod(name="db-0", phase="Running", conditions=PodConditions(ready=True))])
    guard = After(object(), conditions=(When("pod-ready", "Pod", "db-0"), When("name-free", "StatefulSet", "db")))
    assert guard.allows(lambda a: True, False, c)
    assert not guard.allows(lambda a: True, False, None)
    assert not After(object(), conditions=(When("pod-ready", "Pod", "db-1"),)).allows(lambda a: True, False, c)
