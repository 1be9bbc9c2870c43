"""model.prober: the readiness worker's result logic (ported from pkg/kubelet/prober/worker_test.go) and
the clock bounds of the ``probes`` clock, checked against a simulation of the worker over every tick
phase and the densest manual triggers."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from model.manifests import load_text, probe_timing
from model.objects import ProbeTiming
from model.prober import (
    DEFAULT_TIMING,
    ProbeWorker,
    can_turn_ready,
    do_probe,
    earliest_ready_offset,
    latest_unready_offset,
)
from model.deployment_util import compute_hash


# ------------------------------------------------------------------ worker_test.go, readiness rows


def test_initial_delay() -> None:
    """TestInitialDelay (readiness): during the initial delay the result stays the initial Failure;
    100 s later the probe runs and succeeds."""
    t = ProbeTiming(initial_delay_seconds=10)
    w = do_probe(t, ProbeWorker(), 0.0, "success")
    assert w == ProbeWorker() and w.published == "failure"
    assert do_probe(t, w, 100.0, "success").published == "success"
    # the check truncates to whole seconds (int32(time.Since(...).Seconds()) < InitialDelaySeconds)
    assert do_probe(t, w, 9.99, "success").published == "failure"
    assert do_probe(t, w, 10.0, "success").published == "success"


def test_failure_threshold() -> None:
    """TestFailureThreshold: SuccessThreshold 1, FailureThreshold 3; twice: 3 successes (Success),
    2 failures (still Success), 3 failures (Failure)."""
    t = ProbeTiming(success_threshold=1, failure_threshold=3)
    w = ProbeWorker()
    for _ in range(2):
        for _ in range(3):
            w = do_probe(t, w, 50, "success")
            assert w.published == "success"
        for _ in range(2):
            w = do_probe(t, w, 50, "failure")
            assert w.published == "success"
        for _ in range(3):
            w = do_probe(t, w, 50, "failure")
            assert w.published == "failure"


def test_success_threshold() -> None:
    """TestSuccessThreshold: SuccessThreshold 3, FailureThreshold 1, starting from Failure; twice: 2
    successes (Failure), 3 more (Success), one flake (Failure)."""
    t = ProbeTiming(success_threshold=3, failure_threshold=1)
    w = ProbeWorker()
    for _ in range(2):
        for _ in range(2):
            w = do_probe(t, w, 50, "success")
            assert w.published == "failure"
        for _ in range(3):
            w = do_probe(t, w, 50, "success")
            assert w.published == "success"
        w = do_probe(t, w, 50, "failure")
        assert w.published == "failure"


# ------------------------------------------------------------------------ the bounds, simulated

HALF = Fraction(1, 2)


def _simulate(t: ProbeTiming, phase: Fraction, serves: int, unready: int | None, horizon: int = 80) -> tuple[Fraction | None, Fraction | None]:
    """(when the worker publishes Success, when it then publishes Failure), seconds after the container
    started: ticks at ``phase + k * period``; while not Ready a manual trigger every half second (the
    kubelet's status updates, the densest upstream can do); the app answers in [serves, unready); a
    failing probe answers only at its timeout (the slowest)."""
    w = ProbeWorker()
    ready_at: Fraction | None = None
    period = max(t.period_seconds, t.timeout_seconds, 1)
    time = Fraction(0)
    next_tick = phase
    while time <= horizon:
        is_tick = time == next_tick
        if is_tick:
            next_tick += period
        if is_tick or ready_at is None:
            ok = time >= serves and (unready is None or time < unready)
            w = do_probe(t, w, float(time), "success" if ok else "failure")
            if ready_at is None and w.published == "success":
                ready_at = time
            elif ready_at is not None and w.published == "failure":
                return ready_at, time + t.timeout_seconds
        time += HALF
    return ready_at, None


TIMINGS = [ProbeTiming(d, to, p, s, f) for d, to, p, s, f in itertools.product((0, 3, 9), (1, 2), (1, 3, 5), (1, 2), (1, 3))]


@pytest.mark.parametrize("t", TIMINGS, ids=repr)
def test_bounds_cover_every_tick_phase(t: ProbeTiming) -> None:
    period = max(t.period_seconds, t.timeout_seconds, 1)
    for serves, unready in itertools.product((0, 4, 7), (2, 8, 13, None)):
        ready_somewhere = False
        for k in range(int(period / HALF)):
            ready, unready_seen = _simulate(t, k * HALF, serves, unready)
            if ready is None:
                continue
            ready_somewhere = True
            assert ready >= earliest_ready_offset(t, serves)
            if unready is not None:
                assert unready_seen is not None and unready_seen < latest_unready_offset(t, unready)
        # with the densest manual triggers, the probe passes exactly when can_turn_ready says it can
        assert ready_somewhere == can_turn_ready(t, serves, unready), (serves, unready)


def test_defaults_and_no_timing() -> None:
    assert earliest_ready_offset(None, None) == 0 and earliest_ready_offset(None, 25) == 25
    assert latest_unready_offset(None, 8) == 8 + 3 * 10 + 1 == latest_unready_offset(DEFAULT_TIMING, 8)
    assert not can_turn_ready(ProbeTiming(initial_delay_seconds=8), None, 8)
    assert can_turn_ready(ProbeTiming(initial_delay_seconds=7), None, 8) and can_turn_ready(None, None, None)


# ------------------------------------------------------------------------------- the manifests

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1, readinessProbe: PROBE}]}
"""


def test_loader_reads_the_timing_only_when_stated() -> None:
    (plain,) = load_text(DEPLOY.replace("PROBE", "{httpGet: {path: /, port: 80}}")).objects
    (timed,) = load_text(DEPLOY.replace("PROBE", "{httpGet: {path: /, port: 80}, periodSeconds: 0, failureThreshold: 1}")).objects
    assert plain.template.containers[0].readiness_timing is None
    assert timed.template.containers[0].readiness_timing == ProbeTiming(failure_threshold=1)  # 0 is defaulted
    # a template without timing hashes as before the field existed; one with timing differs
    assert repr(plain.template) == repr(timed.template)
    assert compute_hash(plain.template, None) != compute_hash(timed.template, None)
    assert probe_timing({"exec": {}}) is None and probe_timing(None) is None
    # upstream's defaults, stated or not, are the same defaulted object: the same hash
    assert probe_timing({"periodSeconds": 10, "failureThreshold": 3, "initialDelaySeconds": 0}) is None
