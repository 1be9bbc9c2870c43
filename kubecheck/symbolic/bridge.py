"""The bridge from the count model to the object model (``model.system.KubeSystem``).

* :func:`rollout_scenario` builds the object-model rollout the count model abstracts: a
  RollingUpdate Deployment (minReadySeconds 0, one node) brought to its steady state by the
  model's own controllers, then given a new image (the start of a rollout).
* :func:`project` maps an object-model state to the count vector (:meth:`CountState.counts`).
* :func:`explicit_reachable_counts` explores the object model and projects every state.
* :func:`replay_in_object_model` replays a count trace in the object model: each count step
  becomes a shortest run of object-model steps whose projections stay put and then reach the
  count step's target (a guided BFS).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Any

from model.deployment_util import equal_ignore_hash
from model.environment import FaultBudget
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import ContainerSpec, Deployment, DeploymentStrategy, IntOrString, Node, PodTemplate
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState
from traces.trace import Step, Trace

__all__ = ["ACTORS", "rollout_scenario", "project", "explicit_reachable_counts", "replay_in_object_model", "Replay",
           "guided_run", "GuidedRun"]

#: The actor families a rollout needs (no GC, no node lifecycle, no StatefulSets).
ACTORS: tuple[str, ...] = ("deployment", "replicaset", "scheduler", "kubelet", "expiry")
NAME = "web"


def _template(image: str) -> PodTemplate:
    return PodTemplate(labels=FrozenMap({"app": NAME}), containers=(ContainerSpec("app", image),))


def _deployment(replicas: int, max_surge: IntOrString, max_unavailable: IntOrString) -> Deployment:
    return Deployment(
        name=NAME,
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap({"app": NAME})),
        template=_template("app:1"),
        strategy=DeploymentStrategy(max_surge=max_surge, max_unavailable=max_unavailable),
    )


def rollout_scenario(
    replicas: int,
    max_surge: IntOrString,
    max_unavailable: IntOrString,
    *,
    crashes: int = 0,
    granularity: str = "reconcile",
) -> tuple[KubeSystem, SystemState]:
    """The object-model system of a rollout and its initial state.

    The steady state is reached by always taking the first enabled step (the controllers
    converge), then the Deployment's image changes (what ``kubectl set image`` writes).
    ``crashes`` is the container-crash fault budget (the count model's disruptions).
    """
    cluster = ClusterState.from_objects([_deployment(replicas, max_surge, max_unavailable), Node(name="node-1")])
    warm = KubeSystem(Scenario(initial=cluster, granularity="reconcile", actors=ACTORS, name="steady"))
    state = warm.init_states()[0]
    for _ in range(100 * (replicas + 2)):
        succ = warm.successors(state)
        if not succ:
            break
        state = succ[0][1]
    else:  # pragma: no cover - the controllers converge
        raise RuntimeError("the steady state was not reached")
    c = state.cluster
    d = c.get("Deployment", "default", NAME)
    # Invariant: the Deployment is in the initial cluster and none of ACTORS deletes it.
    assert d is not None, NAME
    c = c.put(replace(d, template=_template("app:2")))
    ks = KubeSystem(
        Scenario(
            initial=c,
            granularity=granularity,  # type: ignore[arg-type]
            actors=ACTORS,
            faults=FaultBudget(container_crash=crashes),
            name=f"rollout-{replicas}-{max_surge}-{max_unavailable}",
        )
    )
    return ks, ks.init_states()[0]


def project(state: SystemState) -> tuple[int, ...]:
    """The count vector of an object-model state (the order of :meth:`CountState.counts`).

    A pod is available when active (no deletionTimestamp, not Succeeded/Failed) and Ready
    (minReadySeconds is 0 in these scenarios); the new ReplicaSet is the one whose template
    equals the Deployment's ignoring ``pod-template-hash``; a missing one counts as zeros.
    """
    c = state.cluster
    d = c.get("Deployment", "default", NAME)
    if d is None:
        raise ValueError(f"no Deployment default/{NAME}: the count model projects one rollout")
    rows: dict[str, tuple[int, int, int, int]] = {}
    owned: set[str] = set()
    for rs in c.replica_sets.values():
        owned.add(rs.uid)
        pods = [p for p in c.pods.values() if (ref := p.controller_ref()) is not None and ref.uid == rs.uid]
        active = [p for p in pods if p.deletion_timestamp is None and p.phase not in ("Succeeded", "Failed")]
        avail = sum(1 for p in active if p.conditions.ready)
        which = "new" if equal_ignore_hash(rs.template, d.template) else "old"
        if which in rows:
            raise ValueError(f"more than one {which} ReplicaSet: the count model has one of each")
        rows[which] = (rs.replicas, len(active) - avail, avail, rs.status.available_replicas)
    terminating = sum(1 for p in c.pods.values() if p.deletion_timestamp is not None)
    created = 1 if "new" in rows else 0
    return rows.get("new", (0, 0, 0, 0)) + rows.get("old", (0, 0, 0, 0)) + (terminating, created)


def explicit_reachable_counts(
    replicas: int, max_surge: IntOrString, max_unavailable: IntOrString, *, max_states: int = 200_000
) -> tuple[set[tuple[int, ...]], int]:
    """Projected reachable count vectors of the object model, and the number of states
    explored (symmetry-reduced with ``KubeSystem.canonical``)."""
    ks, init = rollout_scenario(replicas, max_surge, max_unavailable)
    seen: dict[Hashable, SystemState] = {ks.canonical(init): init}
    stack = [init]
    out = {project(init)}
    while stack:
        s = stack.pop()
        for _, n in ks.successors(s):
            k = ks.canonical(n)
            if k not in seen:
                if len(seen) >= max_states:
                    raise RuntimeError(f"object model exceeded {max_states} states")
                seen[k] = n
                stack.append(n)
                out.add(project(n))
    return out, len(seen)


@dataclass(frozen=True, slots=True)
class Replay:
    """The outcome of replaying a count trace in the object model."""

    ok: bool
    states: tuple[SystemState, ...]
    labels: tuple[str, ...]
    failed_at: int | None = None
    message: str = ""
    #: the object-model run as a replayable trace (``KubeSystem.successors`` indices), when ok
    trace: Trace | None = None


@dataclass(frozen=True, slots=True)
class GuidedRun:
    """A run of an object-model system whose projections follow a sequence of count states
    (:func:`guided_run`): ``steps`` (``kubecheck.core.trace.Step``, action indices into
    ``system.actions``) when ``ok``; else the count step it could not match, and why."""

    ok: bool
    steps: tuple[Step, ...]
    failed_at: int | None = None
    message: str = ""
    #: object-model states the guided searches stored, over every count step
    states: int = 0


def guided_run(system: Any, init: Any, project: Any, targets: list[Any], *, max_states: int = 100_000,
               key: Any = None, timeout: float | None = None) -> GuidedRun:
    """A run of ``system`` from ``init`` whose projection goes through ``targets`` in order.

    ``targets[0]`` must be ``project(init)``.  One best-first search over pairs (object-model state,
    index of the count state it projects to), the pair furthest along the count run first and breadth-first
    among equals (so each count step is matched by a shortest run from the first state that reached the
    previous one, as a step-by-step search would): a successor that projects to the current count state
    stutters (kubelet steps, status writes with equal counts, other workloads' steps), one that projects
    to the next count state advances, any other is not entered; the first pair at the last index ends the
    run.  Complete, not greedy: a choice early in the run (which node fails, which pod is deleted) that leaves a
    later count step without an object-model step is undone by the search.  ``project`` returns ``None``
    for a state outside the count model's image.  ``key``: the visited-set key of a state (default: the
    state itself).  Not ``ok`` when no such run exists within ``max_states`` stored pairs or ``timeout``
    seconds (``failed_at``: the furthest count step reached + 1)."""
    import heapq
    import time

    from kubecheck.core.trace import action_index
    from kubecheck.core.ts import successors_fn

    keyf = key or (lambda st: st)
    successors = successors_fn(system)
    if project(init) != targets[0]:
        return GuidedRun(False, (), 0, f"initial projection {project(init)} != {targets[0]}")
    last = len(targets) - 1
    while last > 0 and targets[last] == targets[last - 1]:
        last -= 1  # a trailing stutter of the count run
    start = (keyf(init), 0)
    parent: dict[Hashable, tuple[Any, Any, Any, Any] | None] = {start: None}
    queue: list[tuple[int, int, Any]] = [(0, 0, init)]  # (-index, order of discovery, state): a heap
    order = 0
    furthest = 0
    goal: tuple[Any, int] | None = (init, 0) if last == 0 else None
    deadline = None if timeout is None else time.monotonic() + timeout
    while queue and goal is None:
        neg, _, s = heapq.heappop(queue)
        i = -neg
        for a, n in successors(s):
            pn = project(n)
            j = i + 1 if pn == targets[i + 1] else (i if pn == targets[i] else -1)
            while 0 <= j < last and targets[j + 1] == targets[j]:
                j += 1  # count steps the projection does not see (equal count states)
            if j < 0:
                continue
            k = (keyf(n), j)
            if k in parent:
                continue
            parent[k] = (s, i, a, n)
            furthest = max(furthest, j)
            if j == last:
                goal = (n, j)
                break
            order += 1
            heapq.heappush(queue, (-j, order, n))
        if len(parent) > max_states:
            return GuidedRun(False, (), furthest + 1, f"state limit ({max_states}) in the guided search", len(parent))
        if deadline is not None and time.monotonic() > deadline:
            return GuidedRun(False, (), furthest + 1, f"time limit ({timeout:g} s) in the guided search", len(parent))
    if goal is None:
        return GuidedRun(False, (), furthest + 1, f"no object-model run past count state {furthest}: {targets[furthest]}",
                         len(parent))
    steps: list[Step] = []
    at = parent[(keyf(goal[0]), goal[1])]
    while at is not None:
        prev, i, a, n = at
        steps.append(Step(a.actor, a.label, action_index(system.actions(prev), a), n, a))
        at = parent[(keyf(prev), i)]
    steps.reverse()
    return GuidedRun(True, tuple(steps), states=len(parent))


def replay_in_object_model(
    replicas: int,
    max_surge: IntOrString,
    max_unavailable: IntOrString,
    count_vectors: list[tuple[int, ...]],
    *,
    crashes: int = 0,
    max_states_per_step: int = 20_000,
    granularity: str = "reconcile",
) -> Replay:
    """Replay a sequence of count vectors (the first is the initial one) in the object model of
    :func:`rollout_scenario` (:func:`guided_run` with :func:`project`, symmetry-reduced keys).
    ``ok`` is False, with the failing step, when no run exists within ``max_states_per_step``.
    """
    ks, init = rollout_scenario(replicas, max_surge, max_unavailable, crashes=crashes, granularity=granularity)
    run = guided_run(ks, init, project, count_vectors, max_states=max_states_per_step * len(count_vectors), key=ks.canonical)
    states = (init, *(st.state for st in run.steps))
    labels = tuple(f"{st.actor}:{st.label}" for st in run.steps)
    if not run.ok:
        return Replay(False, states, labels, run.failed_at, run.message)
    trace = Trace(
        initial=init,
        steps=run.steps,
        property_id=None,
        property_name=None,
        loop_start=None,
        engine="z3-bmc+object-model-replay",
        bounds=(("replicas", replicas), ("max_surge", max_surge), ("max_unavailable", max_unavailable), ("crashes", crashes),
                ("granularity", granularity)),
    )
    return Replay(True, states, labels, trace=trace)
