"""The readiness prober's timing (pkg/kubelet/prober): what the ``probes`` clock compares.

Upstream runs one worker per container with a readiness probe (``worker.go``): it probes once when
it starts, then on every tick of a ``periodSeconds`` ticker, and also whenever the kubelet's status
update finds the container not Ready yet (``prober_manager.go UpdatePodStatus``: the manual trigger).
A probe within ``initialDelaySeconds`` of the container's start is skipped; a result is published
only after ``successThreshold`` / ``failureThreshold`` equal results in a row (``doProbe``).

The model does not run the ticker (time is abstract, docs/semantics.md "Clocks"); it keeps only
the *orders* those rules force between the image facts (``serves-after``, ``unready-after``),
``minReadySeconds`` and the probe's timing, as bounds on when the kubelet can publish a result,
measured from the container's start (a single reference clock, so the comparisons are the
difference constraints a timed-automata zone keeps):

* :func:`earliest_ready_offset`: no probe passes before ``max(serves-after, initialDelaySeconds)``;
  successive successes may come faster than the period (manual triggers while not Ready), so
  ``successThreshold`` adds nothing to the lower bound;
* :func:`latest_unready_offset`: once Ready, no manual trigger runs (the container is Ready), so
  the failures come on the ticker only: the first failing probe comes less than one period after
  ``unready-after``, ``failureThreshold - 1`` periods later the last, which answers within
  ``timeoutSeconds``;
* :func:`can_turn_ready`: the probe can pass at all only if a probe can run after the app serves
  and the initial delay and before it turns unready.

:func:`do_probe` is ``doProbe``'s result logic itself (ported with upstream's test tables); the
bounds are checked against it in ``tests/model/test_prober.py`` over every tick phase.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from model.objects import ProbeTiming

__all__ = [
    "DEFAULT_TIMING",
    "ProbeWorker",
    "can_turn_ready",
    "do_probe",
    "earliest_ready_offset",
    "latest_unready_offset",
]

Result = Literal["success", "failure"]

#: a readiness probe with no timing stated (pkg/apis/core/v1/defaults.go SetDefaults_Probe)
DEFAULT_TIMING = ProbeTiming()


@dataclass(frozen=True, slots=True)
class ProbeWorker:
    """The part of pkg/kubelet/prober/worker.go's ``worker`` that decides results: ``lastResult``,
    ``resultRun`` and the value in the results manager (``published``; a readiness worker's
    ``initialValue`` is Failure)."""

    last_result: Result | None = None
    result_run: int = 0
    published: Result = "failure"


def do_probe(timing: ProbeTiming, worker: ProbeWorker, elapsed_seconds: float, result: Result) -> ProbeWorker:
    """Mirrors pkg/kubelet/prober/worker.go doProbe for a running readiness-probed container:
    skipped while ``int(elapsed) < initialDelaySeconds``; otherwise the run of equal results grows
    (or restarts at 1), and the result is published once the run reaches its threshold."""
    if int(elapsed_seconds) < timing.initial_delay_seconds:
        return worker
    run = worker.result_run + 1 if worker.last_result == result else 1
    threshold = timing.failure_threshold if result == "failure" else timing.success_threshold
    if run < threshold:
        return replace(worker, last_result=result, result_run=run)
    return ProbeWorker(result, run, result)


def earliest_ready_offset(timing: ProbeTiming | None, serves_after: int | None) -> int:
    """Seconds after the container's start before which its readiness probe cannot pass: the app
    answers from ``serves_after`` on, and no probe runs within the initial delay."""
    t = timing or DEFAULT_TIMING
    return max(serves_after or 0, t.initial_delay_seconds)


def latest_unready_offset(timing: ProbeTiming | None, unready_after: int) -> int:
    """Seconds after the container's start by which the kubelet has published the failure of a Ready
    container whose app stops answering at ``unready_after``: the ticker's next tick (less than one
    period later), then ``failureThreshold - 1`` more ticks, the last answering within the timeout.
    A probe that takes longer than the period delays the ticker (Go's ticker drops ticks), hence the
    ``max``."""
    t = timing or DEFAULT_TIMING
    period = max(t.period_seconds, t.timeout_seconds, 1)
    return unready_after + max(t.failure_threshold, 1) * period + t.timeout_seconds


def can_turn_ready(timing: ProbeTiming | None, serves_after: int | None, unready_after: int | None) -> bool:
    """Whether the readiness probe can pass at all: some probe runs at or after
    :func:`earliest_ready_offset` and before the app turns unready (``unready_after``; ``None``:
    never).  Manual triggers let the successes of the threshold come back to back, so one instant
    of room is enough."""
    return unready_after is None or earliest_ready_offset(timing, serves_after) < unready_after
