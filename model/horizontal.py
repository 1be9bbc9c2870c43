"""The horizontal pod autoscaler: an HPA scales its target from a Resource metric.

Mirrors kubernetes/kubernetes pkg/controller/podautoscaler: horizontal.go (``reconcileAutoscaler``,
``computeReplicasForMetrics``, ``normalizeDesiredReplicas``, ``stabilizeRecommendation``,
``convertDesiredReplicasWithRules``, ``calculateScaleUpLimit``, ``normalizeDesiredReplicasWithBehaviors``,
``stabilizeRecommendationWithBehaviors``, ``convertDesiredReplicasWithBehaviorRate``,
``calculateScaleUpLimitWithScalingRules``, ``calculateScaleDownLimitWithBehaviors``,
``getReplicasChangePerPeriod``, ``storeScaleEvent``), replica_calculator.go (``GetResourceReplicas``,
``GetRawResourceReplicas``, ``calcPlainMetricReplicas``, ``groupPods``, ``calculateRequests``,
``removeMetricsForPods``, ``Tolerances.isWithin``) and metrics/utilization.go
(``GetResourceUtilizationRatio``, ``GetMetricUsageRatio``).

The upstream functions are ported with their time arguments: a recommendation or a scale event is
``(value, age)`` with ``age`` the seconds since it was recorded (``timestamp.After(now - w)`` is
``age < w``), so that upstream's test tables port as they are.  The transition system keeps the
controller's memory abstractly (:class:`model.objects.HPAControllerRecord`): the entries still inside
their window, every one of age 0 as far as these functions can tell, and a fair clock step
(:func:`window_expiry_steps`) that lets the oldest one fall out of its window.

The metric is the environment (docs/semantics.md, "HorizontalPodAutoscaler"): ``hpa.load`` is the
total demand on the target's pods in percent of one pod at the target; the Ready, Running pods
that are not being deleted share it evenly (the Service spreads the traffic over Ready endpoints),
a Running pod that is not Ready uses ``hpa.startup_usage`` percent of one pod at the target (its
start-up work; 0 by default), every pod's request is the same abstract 10 000m.  Pending pods have
no metric (upstream's groupPods puts them among the unready before it looks for a metric).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from model.api import Update, UpdateStatus, Write
from model.labels import label_selector_as_selector
from model.objects import (
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerStatus,
    HPAControllerRecord,
    HPAScalingRules,
    MetricSpec,
    Pod,
)
from model.state import ClusterState, ObjKey
from model.records import Controller, Timer, TimerStep, generic_actions

__all__ = [
    "DEFAULT_TOLERANCE",
    "DOWNSCALE_STABILISATION_WINDOW",
    "SCALE_UP_LIMIT_FACTOR",
    "SCALE_UP_LIMIT_MINIMUM",
    "SYNC_PERIOD",
    "REQUEST_MILLI",
    "SCALABLE_KINDS",
    "ReplicaCalcError",
    "Tolerances",
    "PodSample",
    "group_pods",
    "calculate_requests",
    "remove_metrics_for_pods",
    "get_resource_utilization_ratio",
    "get_metric_usage_ratio",
    "get_resource_replicas",
    "calc_plain_metric_replicas",
    "stabilize_recommendation",
    "convert_desired_replicas_with_rules",
    "calculate_scale_up_limit",
    "NormalizationArg",
    "stabilize_recommendation_with_behaviors",
    "convert_desired_replicas_with_behavior_rate",
    "calculate_scale_up_limit_with_scaling_rules",
    "calculate_scale_down_limit_with_behaviors",
    "get_replicas_change_per_period",
    "scale_target",
    "effective_load",
    "pod_samples",
    "compute_replicas_for_metrics",
    "reconcile_autoscaler",
    "sync_horizontal_pod_autoscaler",
    "with_initial_loads",
    "load_need",
    "WindowExpiry",
    "window_expiry_steps",
]

#: --horizontal-pod-autoscaler-tolerance (pkg/controller/podautoscaler/config/v1alpha1/defaults.go).
DEFAULT_TOLERANCE = 0.1
#: --horizontal-pod-autoscaler-downscale-stabilization (5 minutes).
DOWNSCALE_STABILISATION_WINDOW = 300
#: --horizontal-pod-autoscaler-sync-period (15 s): the newest recommendation is refreshed this often.
SYNC_PERIOD = 15
#: horizontal.go scaleUpLimitFactor / scaleUpLimitMinimum.
SCALE_UP_LIMIT_FACTOR = 2.0
SCALE_UP_LIMIT_MINIMUM = 4.0
#: The abstract request of every pod for the metric's resource (milli-units).
REQUEST_MILLI = 10_000
#: The kinds whose scale subresource the model has (an HPA's scaleTargetRef).
SCALABLE_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")

_INT32_MAX = 2**31 - 1
_INT32_MIN = -(2**31)


class ReplicaCalcError(Exception):
    """An error the replica calculator returns (the HPA then does not scale on this metric)."""


@dataclass(frozen=True, slots=True)
class Tolerances:
    """replica_calculator.go Tolerances (scale-down and scale-up tolerance, both 0.1 by default)."""

    scale_down: float = DEFAULT_TOLERANCE
    scale_up: float = DEFAULT_TOLERANCE

    def is_within(self, usage_ratio: float) -> bool:
        """Tolerances.isWithin: ``1 - down <= ratio <= 1 + up``."""
        return (1.0 - self.scale_down) <= usage_ratio <= (1.0 + self.scale_up)


@dataclass(frozen=True, slots=True)
class PodSample:
    """What the replica calculator reads of one pod the target's selector lists.

    ``ready`` is the status of the PodReady condition (``None``: no condition or no start time);
    ``cpu_unready`` is the outcome of groupPods' time-dependent test for a CPU metric (within the
    CPU initialization period: not Ready or a sample from before the readiness transition; after
    it: not Ready and never Ready), which the caller decides; ``metric`` is the pod's sample
    (milli-value) if metrics-server returned one; ``request`` the pod's request of the resource.
    """

    name: str
    phase: str = "Running"
    ready: bool | None = True
    deleting: bool = False
    cpu_unready: bool = False
    metric: int | None = None
    request: int | None = REQUEST_MILLI


def group_pods(pods: Sequence[PodSample], metrics: Mapping[str, int], resource: str) -> tuple[int, set[str], set[str], set[str]]:
    """replica_calculator.go groupPods: ``(readyPodCount, unreadyPods, missingPods, ignoredPods)``."""
    ready = 0
    unready: set[str] = set()
    missing: set[str] = set()
    ignored: set[str] = set()
    for pod in pods:
        if pod.deleting or pod.phase == "Failed":
            ignored.add(pod.name)
            continue
        if pod.phase == "Pending":
            unready.add(pod.name)
            continue
        if pod.name not in metrics:
            missing.add(pod.name)
            continue
        if resource == "cpu":
            is_unready = True if pod.ready is None else pod.cpu_unready
            if is_unready:
                unready.add(pod.name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def calculate_requests(pods: Sequence[PodSample], resource: str) -> dict[str, int]:
    """replica_calculator.go calculateRequests (containers summed; the model has one request per pod)."""
    out: dict[str, int] = {}
    for pod in pods:
        if pod.request is None:
            raise ReplicaCalcError(f"missing request for {resource} in Pod {pod.name}")
        out[pod.name] = pod.request
    return out


def remove_metrics_for_pods(metrics: dict[str, int], pods: Iterable[str]) -> None:
    """replica_calculator.go removeMetricsForPods."""
    for name in pods:
        metrics.pop(name, None)


def _go_div(a: int, b: int) -> int:
    """Go's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def get_resource_utilization_ratio(metrics: Mapping[str, int], requests: Mapping[str, int], target_utilization: int) -> tuple[float, int, int]:
    """metrics/utilization.go GetResourceUtilizationRatio: ``(ratio, currentUtilization, rawAverageValue)``."""
    total = requests_total = entries = 0
    for name, value in metrics.items():
        if name not in requests:
            continue
        total += value
        requests_total += requests[name]
        entries += 1
    if requests_total == 0:
        raise ReplicaCalcError("no metrics returned matched known pods")
    current = _go_div(total * 100, requests_total)
    return float(current) / float(target_utilization), current, _go_div(total, entries)


def get_metric_usage_ratio(metrics: Mapping[str, int], target_usage: int) -> tuple[float, int]:
    """metrics/utilization.go GetMetricUsageRatio: ``(ratio, currentUsage)``."""
    total = sum(metrics.values())
    current = _go_div(total, len(metrics))
    return float(current) / float(target_usage), current


def get_resource_replicas(current_replicas: int, target_utilization: int, resource: str, tolerances: Tolerances,
                          pods: Sequence[PodSample]) -> tuple[int, int, int]:
    """replica_calculator.go GetResourceReplicas: ``(replicaCount, utilization, rawUtilization)``.

    The metrics are the pods' samples (metrics-server's answer); raises :class:`ReplicaCalcError`
    where upstream returns an error.
    """
    metrics = {p.name: p.metric for p in pods if p.metric is not None}
    if not metrics:
        raise ReplicaCalcError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise ReplicaCalcError("no pods returned by selector while calculating replica count")
    ready_count, unready, missing, ignored = group_pods(pods, metrics, resource)
    remove_metrics_for_pods(metrics, ignored)
    remove_metrics_for_pods(metrics, unready)
    if not metrics:
        raise ReplicaCalcError("did not receive metrics for targeted pods (pods might be unready)")
    requests = calculate_requests(pods, resource)
    usage_ratio, utilization, raw = get_resource_utilization_ratio(metrics, requests, target_utilization)

    scale_up_with_unready = bool(unready) and usage_ratio > 1.0
    if not scale_up_with_unready and not missing:
        if tolerances.is_within(usage_ratio):
            return current_replicas, utilization, raw
        return math.ceil(usage_ratio * ready_count), utilization, raw

    if missing:
        if usage_ratio < 1.0:
            fallback = max(100, target_utilization)
            for name in missing:
                metrics[name] = _go_div(requests[name] * fallback, 100)
        elif usage_ratio > 1.0:
            for name in missing:
                metrics[name] = 0
    if scale_up_with_unready:
        for name in unready:
            metrics[name] = 0

    new_ratio, _, _ = get_resource_utilization_ratio(metrics, requests, target_utilization)
    if tolerances.is_within(new_ratio) or (usage_ratio < 1.0 and new_ratio > 1.0) or (usage_ratio > 1.0 and new_ratio < 1.0):
        return current_replicas, utilization, raw
    new_replicas = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1.0 and new_replicas > current_replicas) or (new_ratio > 1.0 and new_replicas < current_replicas):
        return current_replicas, utilization, raw
    return new_replicas, utilization, raw


def calc_plain_metric_replicas(current_replicas: int, target_usage: int, resource: str, tolerances: Tolerances,
                               pods: Sequence[PodSample]) -> tuple[int, int]:
    """replica_calculator.go GetRawResourceReplicas / calcPlainMetricReplicas: ``(replicaCount, usage)``
    for a Resource metric with an ``AverageValue`` target (``target_usage`` a milli-value)."""
    metrics = {p.name: p.metric for p in pods if p.metric is not None}
    if not metrics:
        raise ReplicaCalcError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    if not pods:
        raise ReplicaCalcError("no pods returned by selector while calculating replica count")
    ready_count, unready, missing, ignored = group_pods(pods, metrics, resource)
    remove_metrics_for_pods(metrics, ignored)
    remove_metrics_for_pods(metrics, unready)
    if not metrics:
        raise ReplicaCalcError("did not receive metrics for targeted pods (pods might be unready)")
    usage_ratio, usage = get_metric_usage_ratio(metrics, target_usage)

    scale_up_with_unready = bool(unready) and usage_ratio > 1.0
    if not scale_up_with_unready and not missing:
        if tolerances.is_within(usage_ratio):
            return current_replicas, usage
        return math.ceil(usage_ratio * ready_count), usage

    if missing:
        if usage_ratio < 1.0:
            for name in missing:
                metrics[name] = target_usage
        elif usage_ratio > 1.0:
            for name in missing:
                metrics[name] = 0
    if scale_up_with_unready:
        for name in unready:
            metrics[name] = 0

    new_ratio, _ = get_metric_usage_ratio(metrics, target_usage)
    if tolerances.is_within(new_ratio) or (usage_ratio < 1.0 and new_ratio > 1.0) or (usage_ratio > 1.0 and new_ratio < 1.0):
        return current_replicas, usage
    new_replicas = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1.0 and new_replicas > current_replicas) or (new_ratio > 1.0 and new_replicas < current_replicas):
        return current_replicas, usage
    return new_replicas, usage


# ------------------------------------------------------------------ normalisation (no behavior)


def stabilize_recommendation(prenormalized: int, recommendations: Sequence[tuple[int, float]],
                             window: float = DOWNSCALE_STABILISATION_WINDOW) -> int:
    """horizontal.go stabilizeRecommendation: the maximum of ``prenormalized`` and the
    recommendations not older than the downscale stabilisation window (``(value, age)`` pairs;
    upstream skips a sample with ``timestamp.Before(cutoff)``, i.e. ``age > window``)."""
    best = prenormalized
    for value, age in recommendations:
        if not age > window and value > best:
            best = value
    return best


def calculate_scale_up_limit(current_replicas: int) -> int:
    """horizontal.go calculateScaleUpLimit: ``max(2 * current, 4)``."""
    return int(max(SCALE_UP_LIMIT_FACTOR * float(current_replicas), SCALE_UP_LIMIT_MINIMUM))


def convert_desired_replicas_with_rules(current: int, desired: int, hpa_min: int, hpa_max: int) -> tuple[int, str, str]:
    """horizontal.go convertDesiredReplicasWithRules: ``(replicas, condition reason, message)``."""
    minimum = hpa_min
    scale_up_limit = calculate_scale_up_limit(current)
    if hpa_max > scale_up_limit:
        maximum, reason, message = scale_up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
    else:
        maximum, reason, message = hpa_max, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
    if desired < minimum:
        return minimum, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
    if desired > maximum:
        return maximum, reason, message
    return desired, "DesiredWithinRange", "the desired count is within the acceptable range"


# ------------------------------------------------------------------ normalisation (behavior)


@dataclass(frozen=True, slots=True)
class NormalizationArg:
    """horizontal.go NormalizationArg (the key is implicit)."""

    scale_up_behavior: HPAScalingRules
    scale_down_behavior: HPAScalingRules
    min_replicas: int
    max_replicas: int
    current_replicas: int
    desired_replicas: int


def stabilize_recommendation_with_behaviors(args: NormalizationArg, recommendations: Sequence[tuple[int, float]]) -> tuple[int, str, str]:
    """horizontal.go stabilizeRecommendationWithBehaviors: the recommendation clamped between the
    lowest recommendation of the scale-up window and the highest of the scale-down window
    (``(value, age)`` pairs; ``timestamp.After(now - w)`` is ``age < w``)."""
    up_window = args.scale_up_behavior.stabilization_window_seconds or 0
    down_window = _down_window(args.scale_down_behavior)
    up_rec = args.desired_replicas
    down_rec = args.desired_replicas
    for value, age in recommendations:
        if age < up_window:
            up_rec = min(value, up_rec)
        if age < down_window:
            down_rec = max(value, down_rec)
    recommendation = args.current_replicas
    if recommendation < up_rec:
        recommendation = up_rec
    if recommendation > down_rec:
        recommendation = down_rec
    if args.desired_replicas >= args.current_replicas:
        return recommendation, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"
    return recommendation, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"


def _down_window(rules: HPAScalingRules) -> int:
    """maybeInitScaleDownStabilizationWindow: a nil scale-down window is the controller's flag."""
    w = rules.stabilization_window_seconds
    return DOWNSCALE_STABILISATION_WINDOW if w is None else w


def get_replicas_change_per_period(period_seconds: int, events: Sequence[tuple[int, float]]) -> int:
    """horizontal.go getReplicasChangePerPeriod: the changes recorded less than the period ago."""
    return sum(change for change, age in events if age < period_seconds)


def calculate_scale_up_limit_with_scaling_rules(current: int, up_events: Sequence[tuple[int, float]],
                                                down_events: Sequence[tuple[int, float]], rules: HPAScalingRules) -> int:
    """horizontal.go calculateScaleUpLimitWithScalingRules."""
    if rules.select_policy == "Disabled":
        return current
    if rules.select_policy == "Min":
        result, pick = _INT32_MAX, min
    else:
        result, pick = _INT32_MIN, max
    for policy in rules.policies:
        added = get_replicas_change_per_period(policy.period_seconds, up_events)
        deleted = get_replicas_change_per_period(policy.period_seconds, down_events)
        start = current - added + deleted
        if policy.type == "Pods":
            proposed = start + policy.value
        else:
            proposed = math.ceil(float(start) * (1 + float(policy.value) / 100))
        result = pick(result, proposed)
    return result


def calculate_scale_down_limit_with_behaviors(current: int, up_events: Sequence[tuple[int, float]],
                                              down_events: Sequence[tuple[int, float]], rules: HPAScalingRules) -> int:
    """horizontal.go calculateScaleDownLimitWithBehaviors."""
    if rules.select_policy == "Disabled":
        return current
    if rules.select_policy == "Min":
        result, pick = _INT32_MIN, max
    else:
        result, pick = _INT32_MAX, min
    for policy in rules.policies:
        added = get_replicas_change_per_period(policy.period_seconds, up_events)
        deleted = get_replicas_change_per_period(policy.period_seconds, down_events)
        start = current - added + deleted
        if policy.type == "Pods":
            proposed = start - policy.value
        else:
            proposed = int(float(start) * (1 - float(policy.value) / 100))
        result = pick(result, proposed)
    return result


def convert_desired_replicas_with_behavior_rate(args: NormalizationArg, up_events: Sequence[tuple[int, float]],
                                                down_events: Sequence[tuple[int, float]]) -> tuple[int, str, str]:
    """horizontal.go convertDesiredReplicasWithBehaviorRate."""
    if args.desired_replicas > args.current_replicas:
        limit = calculate_scale_up_limit_with_scaling_rules(args.current_replicas, up_events, down_events, args.scale_up_behavior)
        if limit < args.current_replicas:
            limit = args.current_replicas
        maximum = args.max_replicas
        if maximum > limit:
            maximum, reason, message = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
        else:
            reason, message = "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if args.desired_replicas > maximum:
            return maximum, reason, message
    elif args.desired_replicas < args.current_replicas:
        limit = calculate_scale_down_limit_with_behaviors(args.current_replicas, up_events, down_events, args.scale_down_behavior)
        if limit > args.current_replicas:
            limit = args.current_replicas
        minimum = args.min_replicas
        if minimum < limit:
            minimum, reason, message = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
        else:
            reason, message = "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        if args.desired_replicas < minimum:
            return minimum, reason, message
    return args.desired_replicas, "DesiredWithinRange", "the desired count is within the acceptable range"


# ------------------------------------------------------------------ the environment's metric


def scale_target(state: ClusterState, hpa: HorizontalPodAutoscaler) -> Any | None:
    """The object behind ``scaleTargetRef`` whose scale subresource the HPA reads (None: not found,
    upstream's FailedGetScale)."""
    _api, kind, name = hpa.scale_target_ref
    if kind not in SCALABLE_KINDS:
        return None
    return state.get(kind, hpa.namespace, name)


def load_need(load: int) -> int:
    """The pods the load needs at the target: ``ceil(load / 100)``."""
    return -(-load // 100)


def effective_load(hpa: HorizontalPodAutoscaler, target: Any) -> int:
    """``hpa.load``, or (before the system starts) the load at which the target is at rest."""
    return hpa.load if hpa.load is not None else 100 * target.replicas


def with_initial_loads(state: ClusterState) -> ClusterState:
    """Give every HPA without a load the load at which its target is at rest (100 per replica)."""
    for hpa in state.horizontal_pod_autoscalers.values():
        if hpa.load is None:
            target = scale_target(state, hpa)
            state = state.put(replace(hpa, load=100 * target.replicas if target is not None else 0))
    return state


def _per_pod_at_target(metric: MetricSpec) -> int:
    """One pod exactly at the target, in milli-units."""
    if metric.target_type == "Utilization":
        return (metric.average_utilization or 0) * REQUEST_MILLI // 100
    return metric.average_value_milli or 0


def pod_samples(pods: Sequence[Pod], metric: MetricSpec, load: int, startup_usage: int) -> tuple[PodSample, ...]:
    """The calculator's view of ``pods`` under the abstract load (see the module docstring)."""
    at_target = _per_pod_at_target(metric)
    serving = sorted(p.name for p in pods if p.deletion_timestamp is None and p.phase == "Running" and p.conditions.ready)
    total = at_target * load // 100
    share: dict[str, int] = {}
    if serving:
        q, r = divmod(total, len(serving))
        share = {name: q + (1 if i < r else 0) for i, name in enumerate(serving)}
    out = []
    for p in pods:
        phase = p.phase or "Pending"
        if p.name in share:
            value: int | None = share[p.name]
        elif phase == "Running":
            value = at_target * startup_usage // 100
        else:
            value = None
        out.append(PodSample(p.name, phase, p.conditions.ready, p.deletion_timestamp is not None,
                             cpu_unready=not p.conditions.ready, metric=value))
    return tuple(out)


def compute_replicas_for_metrics(state: ClusterState, hpa: HorizontalPodAutoscaler, target: Any, spec_replicas: int) -> int:
    """horizontal.go computeReplicasForMetrics over the Resource metrics: the largest proposal,
    or -1 when every metric failed (or some failed and the others would scale down).  A metric of
    another source (``AtTarget``) proposes the current replicas: its usage ratio is 1, within the
    tolerance (replica_calculator.go returns ``currentReplicas`` there for every source)."""
    pods = _target_pods(state, target)
    load = effective_load(hpa, target)
    replicas = 0
    invalid = 0
    for metric in hpa.metrics:
        samples = () if metric.target_type == "AtTarget" else pod_samples(pods, metric, load, hpa.startup_usage)
        try:
            if metric.target_type == "AtTarget":  # usage ratio 1, within the tolerance: the current replicas
                proposal = spec_replicas
            elif metric.target_type == "AverageValue":
                proposal, _ = calc_plain_metric_replicas(spec_replicas, metric.average_value_milli or 0, metric.resource, Tolerances(), samples)
            else:
                proposal, _, _ = get_resource_replicas(spec_replicas, metric.average_utilization or 0, metric.resource, Tolerances(), samples)
        except ReplicaCalcError:
            invalid += 1
            continue
        if replicas == 0 or proposal > replicas:
            replicas = proposal
    if invalid >= len(hpa.metrics) or (invalid > 0 and replicas < spec_replicas):
        return -1
    return replicas


def _target_pods(state: ClusterState, target: Any) -> tuple[Pod, ...]:
    """The pods the scale subresource's ``status.selector`` lists (the target's selector)."""
    from model.objects import kind_of

    if kind_of(target) == "ReplicationController":
        sel = dict(target.selector)
        return tuple(p for p in state.objects("Pod", target.namespace) if sel and all(p.labels.get(k) == v for k, v in sel.items()))
    selector = label_selector_as_selector(target.selector)
    return tuple(p for p in state.objects("Pod", target.namespace) if selector.matches(p.labels))


# ------------------------------------------------------------------ the controller's memory


def _push_min(stack: tuple[int, ...], value: int) -> tuple[int, ...]:
    """Record ``value`` in a suffix-minima list (strictly increasing, oldest first)."""
    out = list(stack)
    while out and out[-1] >= value:
        out.pop()
    return tuple(out) + (value,)


def _push_max(stack: tuple[int, ...], value: int) -> tuple[int, ...]:
    """Record ``value`` in a suffix-maxima list (strictly decreasing, oldest first)."""
    out = list(stack)
    while out and out[-1] <= value:
        out.pop()
    return tuple(out) + (value,)


def _windows(hpa: HorizontalPodAutoscaler) -> tuple[int, int]:
    """(scale-up window, scale-down window) in seconds; without behavior: (0, 300)."""
    if hpa.behavior is None:
        return 0, DOWNSCALE_STABILISATION_WINDOW
    return hpa.behavior.scale_up.stabilization_window_seconds or 0, _down_window(hpa.behavior.scale_down)


def _record(mem: HPAControllerRecord, hpa: HorizontalPodAutoscaler, value: int) -> HPAControllerRecord:
    up_w, down_w = _windows(hpa)
    return replace(
        mem,
        up_recommendations=_push_min(mem.up_recommendations, value) if up_w > 0 else (),
        down_recommendations=_push_max(mem.down_recommendations, value) if down_w > 0 else (),
    )


def _store_scale_event(hpa: HorizontalPodAutoscaler, mem: HPAControllerRecord, prev: int, new: int) -> HPAControllerRecord:
    """horizontal.go storeScaleEvent (nothing stored without behavior)."""
    if hpa.behavior is None:
        return mem
    if new > prev:
        return replace(mem, scale_up_events=mem.scale_up_events + (new - prev,))
    return replace(mem, scale_down_events=mem.scale_down_events + (prev - new,))


def _aged(values: Iterable[int]) -> list[tuple[int, float]]:
    """Entries the memory still holds: inside every window, as far as upstream's tests can tell."""
    return [(v, 0.0) for v in values]


def reconcile_autoscaler(state: ClusterState, hpa: HorizontalPodAutoscaler) -> tuple[Write, ...]:
    """horizontal.go reconcileAutoscaler: the scale write of the target (when it rescales) and the
    HPA's status and memory write.  Conditions, events and metric statuses are not modelled."""
    target = scale_target(state, hpa)
    if target is None:
        return ()
    current = target.replicas
    mem = hpa.memory
    if not mem.initialized:  # recordInitialRecommendation
        mem = replace(_record(mem, hpa, current), initialized=True)
    min_replicas = hpa.min_replicas
    rescale = True
    if current == 0 and min_replicas != 0:
        desired, rescale = 0, False
    elif current > hpa.max_replicas:
        desired = hpa.max_replicas
    elif current < min_replicas:
        desired = min_replicas
    else:
        proposal = compute_replicas_for_metrics(state, hpa, target, current)
        if proposal == -1:  # setCurrentReplicasAndMetricsInStatus, then the error
            return _status_write(hpa, HorizontalPodAutoscalerStatus(current, hpa.status.desired_replicas), mem)
        desired = max(0, proposal)
        if hpa.behavior is None:
            stabilized = stabilize_recommendation(desired, _aged(mem.down_recommendations))
            mem = _record(mem, hpa, desired)
            desired, _, _ = convert_desired_replicas_with_rules(current, stabilized, min_replicas, hpa.max_replicas)
        else:
            args = NormalizationArg(hpa.behavior.scale_up, hpa.behavior.scale_down, min_replicas, hpa.max_replicas, current, desired)
            stabilized, _, _ = stabilize_recommendation_with_behaviors_abstract(args, mem)
            mem = _record(mem, hpa, desired)
            args = replace(args, desired_replicas=stabilized)
            desired, _, _ = convert_desired_replicas_with_behavior_rate(args, _aged(mem.scale_up_events), _aged(mem.scale_down_events))
        rescale = desired != current
    writes: list[Write] = []
    if rescale:
        writes.append(Update(replace(target, replicas=desired)))
        mem = _store_scale_event(hpa, mem, current, desired)
    else:
        desired = current
    return tuple(writes) + _status_write(hpa, HorizontalPodAutoscalerStatus(current, desired), mem)


def stabilize_recommendation_with_behaviors_abstract(args: NormalizationArg, mem: HPAControllerRecord) -> tuple[int, str, str]:
    """:func:`stabilize_recommendation_with_behaviors` on the abstract memory: the up list holds the
    recommendations inside the scale-up window, the down list those inside the scale-down window."""
    up = min(mem.up_recommendations + (args.desired_replicas,))
    down = max(mem.down_recommendations + (args.desired_replicas,))
    recommendation = max(args.current_replicas, up)
    recommendation = min(recommendation, down)
    if args.desired_replicas >= args.current_replicas:
        return recommendation, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"
    return recommendation, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"


def _status_write(hpa: HorizontalPodAutoscaler, status: HorizontalPodAutoscalerStatus, mem: HPAControllerRecord) -> tuple[Write, ...]:
    """updateStatusIfNeeded (the memory is the controller's, written with it: see the semantics doc)."""
    if status == hpa.status and mem == hpa.memory:
        return ()
    return (UpdateStatus(replace(hpa, status=status, memory=mem)),)


def sync_horizontal_pod_autoscaler(state: ClusterState, key: ObjKey) -> tuple[Write, ...]:
    """horizontal.go reconcileKey: reconcile the HPA ``key`` (nothing when it is gone or deleting)."""
    hpa: Any = state.get("HorizontalPodAutoscaler", *key)
    if hpa is None or hpa.deletion_timestamp is not None:
        return ()
    return reconcile_autoscaler(state, hpa)


# ------------------------------------------------------------------ abstract time


@dataclass(frozen=True, slots=True)
class WindowExpiry:
    """One clock step: the oldest entry of one of an HPA's memory lists leaves its window."""

    key: ObjKey
    label: str
    hpa: HorizontalPodAutoscaler


def window_expiry_steps(state: ClusterState) -> list[WindowExpiry]:
    """The clock steps of every HPA's memory (fair: time passes).

    A recommendation list never loses its newest entry while its window is at least the sync period
    (the controller records a recommendation every 15 s, so the newest one is always recent); a
    scale event may leave its period at any time.
    """
    out = []
    for key, hpa in state.horizontal_pod_autoscalers.items():
        mem = hpa.memory
        up_w, down_w = _windows(hpa)
        keep_up = 1 if up_w >= SYNC_PERIOD else 0
        keep_down = 1 if down_w >= SYNC_PERIOD else 0
        if len(mem.up_recommendations) > keep_up:
            out.append(WindowExpiry(key, "expiry_hpa_scale_up_window", replace(hpa, memory=replace(mem, up_recommendations=mem.up_recommendations[1:]))))
        if len(mem.down_recommendations) > keep_down:
            out.append(WindowExpiry(key, "expiry_hpa_scale_down_window", replace(hpa, memory=replace(mem, down_recommendations=mem.down_recommendations[1:]))))
        if mem.scale_up_events:
            out.append(WindowExpiry(key, "expiry_hpa_scale_up_period", replace(hpa, memory=replace(mem, scale_up_events=mem.scale_up_events[1:]))))
        if mem.scale_down_events:
            out.append(WindowExpiry(key, "expiry_hpa_scale_down_period", replace(hpa, memory=replace(mem, scale_down_events=mem.scale_down_events[1:]))))
    return out


#: The horizontal pod autoscaler's record (registered in ``model.registry``).
CONTROLLER = Controller(
    "horizontal", "hpa", "HorizontalPodAutoscaler", sync_horizontal_pod_autoscaler,
    generic_actions("hpa", updates=SCALABLE_KINDS),
)


def window_expiries(state: ClusterState) -> Iterator[TimerStep]:
    """The HPA memory windows (:func:`window_expiry_steps`) as clock steps; the fairness key of
    each names the window, so every window of every HPA eventually moves on."""
    if not state.horizontal_pod_autoscalers:
        return
    for ex in window_expiry_steps(state):
        yield TimerStep(ex.label, "HorizontalPodAutoscaler", ex.key, state.put(ex.hpa), (ex.label,))


#: The HPA's recommendation windows and scale-event periods (fair), registered in ``model.registry``.
WINDOW_TIMER = Timer(
    "hpa_windows", True, window_expiries,
    frozenset({f"expiry_hpa_scale_{d}_{w}" for d in ("up", "down") for w in ("window", "period")}),
)
