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

from collections import deque
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

__all__ = ["ACTORS", "rollout_scenario", "project", "explicit_reachable_counts", "replay_in_object_model", "Replay"]

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
    """Replay a sequence of count vectors (the first is the initial one) in the object model.

    Each count step is matched by a shortest object-model run whose intermediate states
    project to the current vector (or to the target: steps that change nothing the count model
    sees, like status writes with equal counts or kubelet steps, are allowed) ending in a state
    that projects to the next vector.  ``ok`` is False, with the failing step, when no such run
    exists within ``max_states_per_step``.
    """
    ks, init = rollout_scenario(replicas, max_surge, max_unavailable, crashes=crashes, granularity=granularity)
    if project(init) != count_vectors[0]:
        return Replay(False, (init,), (), 0, f"initial projection {project(init)} != {count_vectors[0]}")
    path_states: list[SystemState] = [init]
    labels: list[str] = []
    steps: list[Step] = []
    cur = init
    for i, target in enumerate(count_vectors[1:], start=1):
        here = project(cur)
        if target == here:
            continue
        parent: dict[Hashable, tuple[Hashable | None, SystemState, Any]] = {ks.canonical(cur): (None, cur, None)}
        queue = deque([cur])
        found: SystemState | None = None
        while queue and found is None:
            s = queue.popleft()
            for idx, (a, n) in enumerate(ks.successors(s)):
                k = ks.canonical(n)
                if k in parent:
                    continue
                pn = project(n)
                if pn not in (here, target):
                    continue
                parent[k] = (ks.canonical(s), n, (idx, a))
                if pn == target:
                    found = n
                    break
                queue.append(n)
                if len(parent) > max_states_per_step:
                    return Replay(False, tuple(path_states), tuple(labels), i, "state limit in the guided search")
        if found is None:
            return Replay(False, tuple(path_states), tuple(labels), i, f"no object-model run from {here} to {target}")
        seg: list[tuple[SystemState, Any]] = []
        at: Hashable | None = ks.canonical(found)
        while at is not None:
            pk, st, how = parent[at]
            if pk is not None:
                seg.append((st, how))
            at = pk
        seg.reverse()
        for st, (idx, a) in seg:
            path_states.append(st)
            labels.append(f"{a.actor}:{a.label}")
            steps.append(Step(a.actor, a.label, idx, st, a))
        cur = found
    trace = Trace(
        initial=init,
        steps=tuple(steps),
        property_id=None,
        property_name=None,
        loop_start=None,
        engine="z3-bmc+object-model-replay",
        bounds=(("replicas", replicas), ("max_surge", max_surge), ("max_unavailable", max_unavailable), ("crashes", crashes),
                ("granularity", granularity)),
    )
    return Replay(True, tuple(path_states), tuple(labels), trace=trace)
