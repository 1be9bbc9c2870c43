"""The horizontal pod autoscaler (model/horizontal.py) against upstream's own test tables.

Ported from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
(TestReplicaCalcResourceScale, TestReplicaCalcDuringRollingUpdateWithMaxSurge,
TestReplicaCalcMissingMetricsScaleDownTargetOver100) and horizontal_test.go (TestNormalizeDesiredReplicas,
TestScalingWithRules), each case under its upstream name.  Upstream's fixtures have two containers
per pod, each requesting ``1.0`` CPU and reporting the level given: a pod's request is 2000m and its
sample twice the level.  ``hotCPUCreationTime`` pods (started within the CPU initialization period,
their sample taken before the readiness transition) are unready for a CPU metric: ``cpu_unready``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.api import Update, UpdateStatus
from model.environment import SetLoad, user_action_instances
from model.horizontal import (
    NormalizationArg,
    PodSample,
    ReplicaCalcError,
    Tolerances,
    calc_plain_metric_replicas,
    calculate_scale_up_limit,
    convert_desired_replicas_with_behavior_rate,
    convert_desired_replicas_with_rules,
    get_replicas_change_per_period,
    get_resource_replicas,
    group_pods,
    pod_samples,
    reconcile_autoscaler,
    stabilize_recommendation,
    stabilize_recommendation_with_behaviors,
    stabilize_recommendation_with_behaviors_abstract,
    window_expiry_steps,
    with_initial_loads,
)
from model.objects import HPAControllerRecord, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec
from model.manifests import load_text

CONTAINERS = 2


def _pods(levels: list[int], *, n: int | None = None, ready: list[bool] | None = None, phase: list[str] | None = None,
          deleting: list[bool] | None = None, hot: list[bool] | None = None, requests: list[int] | None = None) -> list[PodSample]:
    """Upstream's fixture (prepareTestClientSet + prepareTestMetricsClient): pod i reports
    ``levels[i]`` per container when ``i < len(levels)`` (else its metric is missing)."""
    count = n if n is not None else len(levels)
    out = []
    for i in range(count):
        r = True if ready is None else ready[i]
        is_hot = bool(hot and hot[i])
        out.append(PodSample(
            name=f"test-pod-{i}",
            phase="Running" if phase is None else phase[i],
            ready=r,
            deleting=bool(deleting and deleting[i]),
            # groupPods: unready when Ready is False (after the init period, never ready), or within it
            # when the sample predates the readiness transition (the hot-CPU fixtures)
            cpu_unready=(not r) or is_hot,
            metric=CONTAINERS * levels[i] if i < len(levels) else None,
            request=CONTAINERS * (1000 if requests is None else requests[i]),
        ))
    return out


# ------------------------------------------------------------------ replica_calculator_test.go

RESOURCE_SCALE = [
    # name, pods, current, target, (replicas, utilization, raw)
    ("scale up", dict(levels=[300, 500, 700]), 3, 30, (5, 50, CONTAINERS * 500)),
    ("scale up: unready pod scales less", dict(levels=[300, 500, 700], ready=[False, True, True]), 3, 30, (4, 60, CONTAINERS * 600)),
    ("scale up: hot-CPU pod scales less", dict(levels=[300, 500, 700], hot=[True, False, False]), 3, 30, (4, 60, CONTAINERS * 600)),
    ("no scale: unready pods ignored", dict(levels=[400, 500, 700], ready=[True, False, False]), 3, 30, (3, 40, CONTAINERS * 400)),
    ("no scale: hot-CPU pods ignored", dict(levels=[400, 500, 700], ready=[True, False, False], hot=[False, True, True]), 3, 30,
     (3, 40, CONTAINERS * 400)),
    ("scale up: failed pods ignored", dict(levels=[500, 700], n=4, ready=[True, True, False, False],
                                           phase=["Running", "Running", "Failed", "Failed"]), 2, 30, (4, 60, CONTAINERS * 600)),
    ("scale up: pods being deleted are ignored", dict(levels=[500, 700], n=4, ready=[True, True, False, False],
                                                      deleting=[False, False, True, True]), 2, 30, (4, 60, CONTAINERS * 600)),
    ("scale down", dict(levels=[100, 300, 500, 250, 250]), 5, 50, (3, 28, CONTAINERS * 280)),
    ("scale down: exclude unready pods", dict(levels=[100, 300, 500, 250, 250], ready=[True, True, True, False, False]), 5, 50,
     (2, 30, CONTAINERS * 300)),
    ("scale down: exclude unscheduled pods", dict(levels=[100], n=5, ready=[True, False, False, False, False],
                                                  phase=["Running", "Pending", "Pending", "Pending", "Pending"]), 5, 50,
     (1, 10, CONTAINERS * 100)),
    ("scale down: ignore hot-CPU pods", dict(levels=[100, 300, 500, 250, 250], hot=[False, False, False, True, True]), 5, 50,
     (2, 30, CONTAINERS * 300)),
    ("scale down: failed pods ignored", dict(levels=[100, 300, 500, 250, 250], n=7, ready=[True] * 5 + [False] * 2,
                                             phase=["Running"] * 5 + ["Failed"] * 2), 5, 50, (3, 28, CONTAINERS * 280)),
    ("scale down: pods being deleted are ignored", dict(levels=[100, 300, 500, 250, 250], n=7, ready=[True] * 5 + [False] * 2,
                                                        deleting=[False] * 5 + [True] * 2), 5, 50, (3, 28, CONTAINERS * 280)),
]


@pytest.mark.parametrize("name,fixture,current,target,expected", RESOURCE_SCALE, ids=[c[0] for c in RESOURCE_SCALE])
def test_replica_calc_resource_scale(name: str, fixture: dict, current: int, target: int, expected: tuple[int, int, int]) -> None:
    """TestReplicaCalcResourceScale (GetResourceReplicas on CPU)."""
    assert get_resource_replicas(current, target, "cpu", Tolerances(), _pods(**fixture)) == expected


def test_replica_calc_during_rolling_update_with_max_surge() -> None:
    """TestReplicaCalcDuringRollingUpdateWithMaxSurge: 3 Running pods of which 2 have samples; the
    surge pod's missing sample counts 100% on the scale-down, which turns the direction: keep 2."""
    pods = _pods([100, 100], n=3)
    assert get_resource_replicas(2, 50, "cpu", Tolerances(), pods) == (2, 10, CONTAINERS * 100)


def test_replica_calc_missing_metrics_scale_down_target_over_100() -> None:
    """TestReplicaCalcMissingMetricsScaleDownTargetOver100: a missing pod counts at the target (300%)."""
    pods = _pods([200, 100, 100], n=4, ready=[False, True, True, True], requests=[1000, 1000, 2000, 2000])
    assert get_resource_replicas(4, 300, "cpu", Tolerances(), pods) == (2, 6, CONTAINERS * 100)


def test_no_ready_metrics_is_an_error() -> None:
    with pytest.raises(ReplicaCalcError, match="did not receive metrics for targeted pods"):
        get_resource_replicas(2, 50, "cpu", Tolerances(), _pods([100, 100], ready=[False, False]))


def test_group_pods_checks_readiness_for_cpu_only() -> None:
    """groupPods: an unready pod with a sample is unready for cpu, counted for memory."""
    pods = _pods([100, 100], ready=[True, False])
    metrics = {p.name: p.metric for p in pods if p.metric is not None}
    assert group_pods(pods, metrics, "cpu")[:2] == (1, {"test-pod-1"})
    assert group_pods(pods, metrics, "memory")[:2] == (2, set())


def test_plain_metric_missing_pods_count_at_the_target_on_scale_down() -> None:
    """calcPlainMetricReplicas: a missing pod counts ``targetUsage`` on a scale-down (mirrors the
    maxSurge case of TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM: levels 10000,10000, target 17000)."""
    pods = [PodSample("test-pod-0", metric=10000), PodSample("test-pod-1", metric=10000), PodSample("test-pod-2", metric=None)]
    assert calc_plain_metric_replicas(2, 17000, "qps", Tolerances(), pods) == (2, 10000)


# ------------------------------------------------------------------ horizontal_test.go


NORMALIZE = [
    ("empty log", [], 5, 5),
    ("stabilize", [(4, 120), (5, 60)], 3, 5),
    ("no stabilize", [(1, 120), (2, 60)], 3, 3),
    ("no stabilize - old recommendations", [(10, 600), (9, 540)], 3, 3),
    ("stabilize - old recommendations", [(10, 600), (4, 60), (5, 120), (9, 540)], 3, 5),
]


@pytest.mark.parametrize("name,recs,prenormalized,expected", NORMALIZE, ids=[c[0] for c in NORMALIZE])
def test_normalize_desired_replicas(name: str, recs: list, prenormalized: int, expected: int) -> None:
    """TestNormalizeDesiredReplicas (stabilizeRecommendation, 5-minute window; ages in seconds)."""
    assert stabilize_recommendation(prenormalized, recs) == expected


def generate_scaling_rules(pods: int, pods_period: int, percent: int, percent_period: int, window: int, up: bool) -> HPAScalingRules:
    """horizontal_test.go generateScalingRules, then GenerateHPAScale{Up,Down}Rules (defaults.go)."""
    policies = []
    if pods:
        policies.append(HPAScalingPolicy("Pods", pods, pods_period))
    if percent:
        policies.append(HPAScalingPolicy("Percent", percent, percent_period))
    return HPAScalingRules(window, "Max", tuple(policies))


DEFAULT_UP = HPAScalingRules(0, "Max", (HPAScalingPolicy("Pods", 4, 15), HPAScalingPolicy("Percent", 100, 15)))
DEFAULT_DOWN = HPAScalingRules(None, "Max", (HPAScalingPolicy("Percent", 100, 15),))


def generate_events_uniform_distribution(raw: list[int], period: int) -> list[tuple[int, float]]:
    """horizontal_test.go generateEventsUniformDistribution, as (change, age in seconds)."""
    seg = period / len(raw)
    return [(e, period - seg * (i + 1) + seg / 2) for i, e in enumerate(raw)]


E159 = generate_events_uniform_distribution([1, 5, 9], 120)
SCALING_WITH_RULES = [
    # name, up events, down events, min, max, up rules, down rules, current, prenormalized, expected, condition
    ("prenormalized desired replicas within range", [], [], 3, 8, None, None, 5, 7, 7, "DesiredWithinRange"),
    ("prenormalized desired replicas < minReplicas", [], [], 2, 8, None, None, 3, 1, 2, "TooFewReplicas"),
    ("maxReplicas is the limit because maxReplicas < scaleUpLimit", [], [], 1, 10, None, None, 20, 1000, 10, "TooManyReplicas"),
    ("desired replica count is more than the maximum replica count", [], [], 100, 150, None, None, 100, 1000, 150, "TooManyReplicas"),
    ("scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", [], [], 1, 2000, (0, 0, 1, 60, 0), None,
     3, 1000, 4, "ScaleUpLimit"),
    ("scaleUp with default behavior", [], [], 1, 1000, None, None, 10, 50, 20, "ScaleUpLimit"),
    ("scaleUp with pods policy larger than percent policy", [], [], 1, 1000, (100, 60, 100, 60, 0), None, 10, 500, 110, "ScaleUpLimit"),
    ("scaleUp with percent policy larger than pods policy", [], [], 1, 1000, (2, 60, 100, 60, 0), None, 10, 500, 20, "ScaleUpLimit"),
    ("scaleUp with spec MaxReplicas limitation with large pod policy", [], [], 1, 1000, (100, 60, 0, 0, 0), None, 10, 50, 50,
     "DesiredWithinRange"),
    ("scaleUp with pod policy limitation", [], [], 1, 1000, (30, 60, 0, 0, 0), None, 10, 50, 40, "ScaleUpLimit"),
    ("scaleUp with percent policy limitation", [], [], 1, 1000, (0, 0, 200, 60, 0), None, 10, 50, 30, "ScaleUpLimit"),
    ("scaleDown with percent policy larger than pod policy", [], [], 1, 1000, None, (20, 60, 1, 60, 300), 100, 2, 80, "ScaleDownLimit"),
    ("scaleDown with pod policy larger than percent policy", [], [], 1, 1000, None, (2, 60, 1, 60, 300), 100, 2, 98, "ScaleDownLimit"),
    ("scaleDown with spec MinReplicas limitation with large percent policy", [], [], 5, 1000, None, (0, 0, 100, 60, 300), 10, 2, 5,
     "TooFewReplicas"),
    ("scaleDown with pod policy limitation", [], [], 1, 1000, None, (5, 60, 0, 0, 300), 10, 2, 5, "ScaleDownLimit"),
    ("scaleDown with percent policy limitation", [], [], 1, 1000, None, (0, 0, 50, 60, 300), 10, 5, 5, "DesiredWithinRange"),
    ("scaleUp with spec MaxReplicas limitation with large pod policy and events", E159, [], 1, 200, (300, 60, 0, 0, 0), None,
     100, 500, 200, "TooManyReplicas"),
    ("scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events", E159, [], 1, 1000,
     (5, 120, 0, 0, 0), None, 100, 500, 100, "ScaleUpLimit"),
    ("scaleUp with pod policy and previous scale up events", E159, [], 1, 1000, (150, 120, 0, 0, 0), None, 100, 500, 235, "ScaleUpLimit"),
    ("scaleUp with percent policy and previous scale up events", E159, [], 1, 1000, (0, 0, 200, 120, 0), None, 100, 500, 255,
     "ScaleUpLimit"),
    ("scaleDown with default policy and previous events", [], E159, 1, 1000, None, None, 10, 5, 5, "DesiredWithinRange"),
    ("scaleDown with spec MinReplicas limitation with large pod policy and previous events", [], E159, 5, 1000, None,
     (130, 120, 0, 0, 300), 100, 0, 5, "TooFewReplicas"),
    ("scaleDown with pod policy limitation and previous events", [], E159, 1, 1000, None, (5, 120, 0, 0, 300), 100, 2, 100,
     "ScaleDownLimit"),
    ("scaleDown with percent policy limitation and previous events", [], generate_events_uniform_distribution([2, 4, 6], 120), 1, 1000,
     None, (0, 0, 50, 120, 300), 100, 0, 56, "ScaleDownLimit"),
    ("scaleDown with previous events preventing further scale down", [], generate_events_uniform_distribution([10, 10, 10], 120), 1,
     1000, None, (0, 0, 10, 120, 300), 100, 0, 100, "ScaleDownLimit"),
    ("scaleDown with with previous events still allowing more scale down", [], generate_events_uniform_distribution([10, 10, 10], 120),
     1, 1000, None, (0, 0, 1000, 120, 300), 10, 5, 5, "DesiredWithinRange"),
    ("check that events were marked 'outdated' for two different policies in the behavior for up",
     generate_events_uniform_distribution([8, 12, 9, 11], 120), [], 1, 1000, (1000, 30, 100, 60, 0), None, 100, 200, 200,
     "DesiredWithinRange"),
]


@pytest.mark.parametrize("case", SCALING_WITH_RULES, ids=[c[0] for c in SCALING_WITH_RULES])
def test_scaling_with_rules(case: tuple) -> None:
    """TestScalingWithRules (convertDesiredReplicasWithBehaviorRate with GenerateHPAScale{Up,Down}Rules)."""
    name, up_events, down_events, lo, hi, up, down, current, desired, expected, condition = case
    args = NormalizationArg(
        generate_scaling_rules(*up, up=True) if up else DEFAULT_UP,
        generate_scaling_rules(*down, up=False) if down else DEFAULT_DOWN,
        lo, hi, current, desired,
    )
    replicas, reason, _ = convert_desired_replicas_with_behavior_rate(args, up_events, down_events)
    assert (replicas, reason) == (expected, condition)


def test_get_replicas_change_per_period() -> None:
    """getReplicasChangePerPeriod counts the events younger than the period (ages 100, 60, 20 s)."""
    assert get_replicas_change_per_period(120, E159) == 15
    assert get_replicas_change_per_period(60, E159) == 9
    assert get_replicas_change_per_period(15, E159) == 0


def test_convert_desired_replicas_with_rules_and_scale_up_limit() -> None:
    """convertDesiredReplicasWithRules / calculateScaleUpLimit (no behavior): at most max(2x, 4)."""
    assert calculate_scale_up_limit(1) == 4 and calculate_scale_up_limit(5) == 10
    assert convert_desired_replicas_with_rules(5, 7, 3, 10)[:2] == (7, "DesiredWithinRange")
    assert convert_desired_replicas_with_rules(5, 2, 3, 10)[:2] == (3, "TooFewReplicas")
    assert convert_desired_replicas_with_rules(5, 15, 3, 10)[:2] == (10, "TooManyReplicas")
    assert convert_desired_replicas_with_rules(1, 15, 1, 10)[:2] == (4, "ScaleUpLimit")


@pytest.mark.parametrize("current,desired,recs,expected", [
    (5, 10, [(8, 120), (7, 240)], 7),   # the lowest recommendation of the up window
    (8, 3, [(5, 300), (4, 480)], 5),    # the highest of the down window
    (5, 5, [(5, 60)], 5),
    (5, 10, [(3, 400)], 10),            # outside the up window (300 s): nothing holds the scale-up back
])
def test_stabilize_with_behaviors_timestamps_and_abstract_memory_agree(current: int, desired: int, recs: list, expected: int) -> None:
    """stabilizeRecommendationWithBehaviors (up window 300 s, down window 600 s) and the abstract memory
    that keeps only the in-window recommendations (as suffix minima / maxima) give the same answer."""
    rules_up = HPAScalingRules(300, "Max", DEFAULT_UP.policies)
    rules_down = HPAScalingRules(600, "Max", DEFAULT_DOWN.policies)
    args = NormalizationArg(rules_up, rules_down, 1, 100, current, desired)
    assert stabilize_recommendation_with_behaviors(args, recs)[0] == expected
    up = tuple(sorted({v for v, age in recs if age < 300}))
    down = tuple(sorted({v for v, age in recs if age < 600}, reverse=True))
    mem = HPAControllerRecord(up_recommendations=up, down_recommendations=down)
    assert stabilize_recommendation_with_behaviors_abstract(args, mem)[0] == expected


# ------------------------------------------------------------------ the model's HPA

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"""


def _running_cluster(load: int | None = None, replicas_ready: int = 2):
    """The manifest with its pods Running and Ready (built directly, no search)."""
    from model.objects import OwnerReference, Pod, PodConditions

    state = with_initial_loads(load_text(MANIFEST, "m.yaml").to_state())
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    if load is not None:
        state = state.put(replace(hpa, load=load))
    for i in range(replicas_ready):
        state = state.put(Pod(name=f"web-{i}", uid=f"p{i}", labels=load_text(MANIFEST, "m.yaml").objects[0].template.labels,
                              node_name="n1", phase="Running", conditions=PodConditions(True, True, True, True),
                              owner_references=(OwnerReference("apps/v1", "ReplicaSet", "rs", "u", True),)))
    return state


def test_initial_load_is_one_pod_at_the_target_per_replica() -> None:
    state = _running_cluster()
    assert state.get("HorizontalPodAutoscaler", "default", "web").load == 200


def test_at_rest_the_hpa_only_records_its_initial_recommendation() -> None:
    state = _running_cluster()
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    [w] = reconcile_autoscaler(state, hpa)
    assert isinstance(w, UpdateStatus)
    assert w.obj.memory.initialized and w.obj.memory.down_recommendations == (2,)
    assert (w.obj.status.current_replicas, w.obj.status.desired_replicas) == (2, 2)
    assert reconcile_autoscaler(state.put(w.obj), w.obj) == ()  # level-triggered: nothing more to do


def test_a_load_spike_scales_the_target_up_to_what_the_load_needs() -> None:
    state = _running_cluster(load=300)
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    scale, status = reconcile_autoscaler(state, hpa)
    assert isinstance(scale, Update) and scale.obj.replicas == 3  # ceil(1.5 * 2)
    assert status.obj.status.desired_replicas == 3


def test_load_gone_is_held_by_the_downscale_stabilization_window_until_it_expires() -> None:
    state = _running_cluster(load=0)
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    [status] = reconcile_autoscaler(state, hpa)  # the initial recommendation 2 holds the scale-down
    assert status.obj.memory.down_recommendations == (2, 0)  # the prenormalized recommendation is recorded
    state = state.put(status.obj)
    [expiry] = [e for e in window_expiry_steps(state) if e.label == "expiry_hpa_scale_down_window"]
    state = state.put(expiry.hpa)
    scale, _ = reconcile_autoscaler(state, expiry.hpa)
    assert isinstance(scale, Update) and scale.obj.replicas == 1
    # the newest recommendation never expires (the controller refreshes it every 15 s)
    assert not [e for e in window_expiry_steps(state) if e.label == "expiry_hpa_scale_down_window"]


def test_out_of_range_target_is_brought_into_range_first() -> None:
    state = _running_cluster()
    d = state.get("Deployment", "default", "web")
    state = state.put(replace(d, replicas=9))
    scale, _ = reconcile_autoscaler(state, state.get("HorizontalPodAutoscaler", "default", "web"))
    assert scale.obj.replicas == 4
    state = state.put(replace(d, replicas=0))  # replicas 0 with minReplicas 1: autoscaling disabled
    writes = reconcile_autoscaler(state, state.get("HorizontalPodAutoscaler", "default", "web"))
    assert not any(isinstance(w, Update) for w in writes)


def test_pod_samples_share_the_load_among_ready_pods_and_startup_usage_for_the_others() -> None:
    from model.objects import Pod, PodConditions

    metric = MetricSpec("memory", "Utilization", 50)
    ready = Pod(name="a", phase="Running", conditions=PodConditions(True, True, True, True))
    warming = Pod(name="b", phase="Running", conditions=PodConditions(True, True, False, False))
    pending = Pod(name="c", phase="Pending")
    a, b, c = pod_samples((ready, warming, pending), metric, load=100, startup_usage=300)
    assert a.metric == 5000 and b.metric == 15000 and c.metric is None  # 50% of 10 000m, 3 x that, none
    assert b.cpu_unready and not a.cpu_unready


def test_set_load_writes_the_hpa_load_and_is_a_no_op_when_equal() -> None:
    state = _running_cluster()
    [(detail, (w,))] = user_action_instances(state, SetLoad("web", 400))
    assert detail == "web=400%" and w.obj.load == 400
    assert user_action_instances(state, SetLoad("web", 200)) == []
    assert user_action_instances(state, SetLoad("other", 400)) == []


def test_behavior_records_scale_events_and_they_expire() -> None:
    state = _running_cluster(load=400)
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    from model.objects import HorizontalPodAutoscalerBehavior

    hpa = replace(hpa, behavior=HorizontalPodAutoscalerBehavior(DEFAULT_UP, DEFAULT_DOWN))
    state = state.put(hpa)
    scale, status = reconcile_autoscaler(state, hpa)
    assert scale.obj.replicas == 4 and status.obj.memory.scale_up_events == (2,)
    labels = {e.label for e in window_expiry_steps(state.put(status.obj))}
    assert "expiry_hpa_scale_up_period" in labels


def test_an_hpa_of_a_missing_target_does_nothing() -> None:
    state = _running_cluster()
    hpa = replace(state.get("HorizontalPodAutoscaler", "default", "web"), scale_target_ref=("apps/v1", "Deployment", "gone"))
    assert reconcile_autoscaler(state.put(hpa), hpa) == ()
    assert isinstance(hpa, HorizontalPodAutoscaler)


def _two_metric_state(startup_usage: int):
    from model.objects import Pod, PodConditions

    state = _running_cluster(replicas_ready=0)
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    hpa = replace(hpa, metrics=(MetricSpec("cpu", "Utilization", 50), MetricSpec("memory", "Utilization", 50)),
                  startup_usage=startup_usage)
    state = state.put(hpa)
    labels = state.get("Deployment", "default", "web").template.labels
    for i in range(2):  # both pods Running, not Ready: every CPU sample is unready
        state = state.put(Pod(name=f"web-{i}", uid=f"p{i}", labels=labels, node_name="n1", phase="Running",
                              conditions=PodConditions(True, True, False, False)))
    return state, hpa


def test_scale_up_one_metric_invalid() -> None:
    """horizontal_test.go TestScaleUpOneMetricInvalid / computeReplicasForMetrics: the CPU metric fails
    (no ready pod), the memory metric wants more: the HPA scales on the valid one."""
    from model.horizontal import compute_replicas_for_metrics

    state, hpa = _two_metric_state(startup_usage=300)
    assert compute_replicas_for_metrics(state, hpa, state.get("Deployment", "default", "web"), 2) == 6
    scale, _ = reconcile_autoscaler(state, hpa)
    assert scale.obj.replicas == 4  # max 4


def test_scale_down_one_metric_invalid() -> None:
    """horizontal_test.go TestScaleDownOneMetricInvalid: one metric fails and the other would scale
    down: no scaling (-1), only currentReplicas is written."""
    from model.horizontal import compute_replicas_for_metrics

    state, hpa = _two_metric_state(startup_usage=0)
    assert compute_replicas_for_metrics(state, hpa, state.get("Deployment", "default", "web"), 2) == -1
    [status] = reconcile_autoscaler(state, hpa)
    assert isinstance(status, UpdateStatus) and status.obj.status.current_replicas == 2


def test_the_stabilization_window_scales_up_to_an_old_recommendation_after_the_load_dropped() -> None:
    """normalizeDesiredReplicas takes the largest recommendation of the window for a scale-up too:
    a rate-limited scale-up (1 -> 4 of 6) is completed to 6 after the load fell to 2 pods' worth."""
    from model.objects import OwnerReference, Pod, PodConditions

    state = _running_cluster(load=600, replicas_ready=1)
    d = state.get("Deployment", "default", "web")
    state = state.put(replace(d, replicas=1))
    hpa = replace(state.get("HorizontalPodAutoscaler", "default", "web"), max_replicas=10)
    scale, status = reconcile_autoscaler(state.put(hpa), hpa)
    assert scale.obj.replicas == 4 and status.obj.memory.down_recommendations == (6,)  # max(2 x 1, 4)
    state = state.put(scale.obj).put(replace(status.obj, load=200))
    for i in range(1, 4):
        state = state.put(Pod(name=f"web-{i}", uid=f"q{i}", labels=d.template.labels, node_name="n1", phase="Running",
                              conditions=PodConditions(True, True, True, True),
                              owner_references=(OwnerReference("apps/v1", "ReplicaSet", "rs", "u", True),)))
    hpa = state.get("HorizontalPodAutoscaler", "default", "web")
    scale, _ = reconcile_autoscaler(state, hpa)
    assert scale.obj.replicas == 6  # the load needs 2


def _at_target_state(load: int, with_cpu: bool = True):
    """MANIFEST with a Pods metric beside the CPU one (or instead of it): the model takes it to stay at its target."""
    text = MANIFEST.replace("  metrics:\n", "  metrics:\n  - type: Pods\n    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: '10'}}\n")
    if not with_cpu:
        text = text.replace("  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n", "")
    state = _running_cluster(load=load)
    [hpa] = [o for o in load_text(text, "m.yaml").objects if type(o).__name__ == "HorizontalPodAutoscaler"]
    hpa = replace(hpa, load=load)
    return state.put(hpa), hpa


def test_a_metric_of_another_source_stays_at_its_target() -> None:
    # Pods, Object, External, ContainerResource: usage ratio 1, the current replicas proposed (replica_calculator.go
    # returns currentReplicas within the tolerance); computeReplicasForMetrics takes the largest proposal
    from model.horizontal import compute_replicas_for_metrics

    state, hpa = _at_target_state(load=0)
    assert [(m.resource, m.target_type) for m in hpa.metrics] == [("Pods qps", "AtTarget"), ("cpu", "Utilization")]
    target = state.get("Deployment", "default", "web")
    # the CPU load is gone (alone it scales 2 -> 1: test_load_gone_...); the Pods metric at its target keeps 2
    assert compute_replicas_for_metrics(state, hpa, target, 2) == 2
    state, hpa = _at_target_state(load=300)  # a CPU spike still scales up: the largest proposal wins
    assert compute_replicas_for_metrics(state, hpa, target, 2) == 3
    state, hpa = _at_target_state(load=300, with_cpu=False)  # only the Pods metric: never scales on the load
    assert compute_replicas_for_metrics(state, hpa, target, 2) == 2
    writes = reconcile_autoscaler(state, hpa)
    assert not any(isinstance(w, Update) for w in writes)


def test_an_hpa_on_a_metric_of_another_source_still_holds_its_target_in_range() -> None:
    # reconcileAutoscaler brings spec.replicas into minReplicas..maxReplicas before it computes any metric: an HPA
    # on a Pods metric with minReplicas 3 scales a 2-replica Deployment to 3 (the loader skipped such HPAs before:
    # the Deployment ran 2 pods, or 1 without a replicas field, where upstream runs 3)
    state, hpa = _at_target_state(load=200, with_cpu=False)
    hpa = replace(hpa, min_replicas=3)
    state = state.put(hpa)
    scale, _ = reconcile_autoscaler(state, hpa)
    assert isinstance(scale, Update) and scale.obj.replicas == 3
