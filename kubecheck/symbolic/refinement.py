"""The checked refinement: object-model runs are count-model runs (under a projection).

:func:`project_state` maps a ``model.system.SystemState`` (the API server's contents, the
fault budget left and every controller's pending writes) onto a
:class:`kubecheck.symbolic.rollout.CountState` of one Deployment's rollout.
:func:`check_refinement` explores the *full* explicit graph of an object-model system (every
reachable state up to the system's symmetry, every transition out of it: no sample) and checks
that

* every initial state projects onto the count model's initial state, and
* every transition ``s -a-> t`` projects onto a count-model transition ``P(s) -> P(t)`` or onto
  a stutter ``P(s) = P(t)``.

Then every object-model run projects onto a count-model run, so a state invariant proved for
every reachable count state (KC-ROLL-002) holds in every reachable object state; and for the
action rule KC-ROLL-001, a controller step that lowers availability projects onto a count step
that lowers it by the same amount (the availability is a function of the projection), which the
count model's action form judges (docs/symbolic.md#refinement says which count actions an object
action may map to, and why the judged actions line up).

:func:`rollout_system` builds the object-model system the way ``kubecheck check`` does: the
manifests' Deployment with ``nodes`` identical Ready nodes, settled by ``kubecheck.scenarios.settle``,
then the built-in ``rollout`` scenario (``kubectl set image``) with the given fault budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from kubecheck.symbolic.rollout import CountState, Fenceposts, Scaling, initial_state, py_successors, resolve, scaling_for
from model.api import Create, Delete, Update, UpdateStatus
from model.deployment_util import equal_ignore_hash, replica_sets_by_creation_timestamp
from model.environment import FaultBudget
from model.objects import Deployment, IntOrString, kind_of
from model.system import KubeSystem, SystemState

__all__ = ["ProjectionError", "project_state", "RefinementResult", "check_refinement", "rollout_system", "COUNTED_FAULTS"]

#: The fault budgets the count model's ``disruptions`` stands for (each spends one disruption).
COUNTED_FAULTS: tuple[str, ...] = ("container_crash",)


class ProjectionError(ValueError):
    """An object-model state the count model has no counterpart for."""


def _available(pod: Any, min_ready_seconds: int) -> bool:
    # properties/_common.py is_available (pkg/api/v1/pod/util.go IsPodAvailable on abstract time)
    if not pod.conditions.ready:
        return False
    return min_ready_seconds == 0 or pod.ready_elapsed


def _crashed(pod: Any) -> bool:
    """Ready in the API, but a container is not ready in the runtime (it crashed): the kubelet's
    next status write (``kubelet_update_status``) makes the pod not ready."""
    return any(not cs.ready for cs in pod.container_statuses)


def _active(pod: Any) -> bool:
    return pod.phase not in ("Succeeded", "Failed") and pod.deletion_timestamp is None


def project_state(state: SystemState, deployment: tuple[str, str], rolled: bool, node_failures: int = 0,
                  rollout: bool = True, rollovers: int = 0,
                  scales_left: tuple[int, ...] | None = None) -> CountState[int]:
    """The count state of ``deployment`` (namespace, name) in an object-model state.

    ``rolled``: whether the rollout (``kubectl set image``) has happened; before it, the
    Deployment's one ReplicaSet counts as the *old* one (the count model starts at the moment the
    template changes, with no new ReplicaSet).  After it, the new ReplicaSet is the one whose
    template equals the Deployment's ignoring ``pod-template-hash`` (deployment_util.go
    FindNewReplicaSet), every other owned one is old: the oldest (ReplicaSetsByCreationTimestamp) is
    ``old``, the next one ``mid`` (the new ReplicaSet of a rollout a second image change interrupted);
    a third old one is a ``ProjectionError``.  ``rollovers``: the image changes still to come after the
    first (the count model's ``rollovers``).

    Pending writes: a ReplicaSet controller's pending pod Creates, Deletes (by their target's
    availability now) and status write; a Deployment controller's pending scale of the old
    ReplicaSet.  A pending status write equal to the current status is a no-op and projects to -1.

    ``scales_left`` (scale during a rollout, rollout.Scaling): the budget left of each of the user's scale
    actions; then the Deployment's spec.replicas and the ReplicaSets' desired-replicas annotations are
    projected too (``d_replicas``, ``new_desired``, ``old_desired``; an annotation that is missing or not an
    integer is a ``ProjectionError``, and so is a max-replicas annotation other than desired + MaxSurge at
    desired, which the count model takes it to be).  ``None``: no scale, those fields are 0.
    """
    c = state.cluster
    ns, name = deployment
    d = c.get("Deployment", ns, name)
    if d is None:
        raise ProjectionError(f"no Deployment {ns}/{name}")
    mrs = d.min_ready_seconds
    rows: dict[str, dict[str, int]] = {}
    which_rs: dict[str, str] = {}
    olds = 0
    for rs in replica_sets_by_creation_timestamp(c.replica_sets.values()):
        ref = rs.controller_ref()
        if ref is None or ref.uid != d.uid:
            continue
        which = "new" if (rolled and equal_ignore_hash(rs.template, d.template)) else "old"
        if which == "old":
            olds += 1
            which = ("old", "mid", "third")[min(olds, 3) - 1]
        if which in rows or which == "third":
            raise ProjectionError(f"more than one {'new' if which == 'new' else 'two old'} ReplicaSet of {ns}/{name}: "
                                  "the count model has one new and at most two old ones")
        pods = [p for p in c.pods.values() if (pr := p.controller_ref()) is not None and pr.uid == rs.uid]
        active = [p for p in pods if _active(p)]
        avail = sum(1 for p in active if _available(p, mrs))
        rows[which] = {"spec": rs.replicas, "unavailable": len(active) - avail, "available": avail,
                       "status_available": rs.status.available_replicas, "pc": 0, "pdu": 0, "pda": 0, "ps": -1,
                       "doomed": sum(1 for p in active if _available(p, mrs) and _crashed(p)),
                       "desired": _desired_annotation(rs, d) if scales_left is not None else 0}
        which_rs[rs.name] = which
        pend = state.pending.get(("replicaset", rs.namespace, rs.name), ())
        row = rows[which]
        for pw in pend:
            w = pw.write
            if isinstance(w, Create) and kind_of(w.obj) == "Pod":
                row["pc"] += 1
            elif isinstance(w, Delete) and w.kind == "Pod":
                target = c.get("Pod", w.namespace, w.name)
                if target is None or not _active(target) or (w.uid and target.uid != w.uid):
                    if node_failures:  # evicted or removed by PodGC since: the Delete is a no-op
                        continue
                    raise ProjectionError(f"pending Delete of pod {w.name} whose target is gone or terminating")
                row["pda" if _available(target, mrs) else "pdu"] += 1
            elif isinstance(w, UpdateStatus) and kind_of(w.obj) == "ReplicaSet":
                v = w.obj.status.available_replicas
                row["ps"] = v if v != rs.status.available_replicas else -1
            else:
                raise ProjectionError(f"pending write {type(w).__name__} of the ReplicaSet controller not in the count model")
    terminating = 0
    for p in c.pods.values():
        pr = p.controller_ref()
        if p.deletion_timestamp is not None and pr is not None and any(rs.uid == pr.uid for rs in c.replica_sets.values()
                                                                      if rs.name in which_rs):
            terminating += 1
    dc_pending_old = -1
    queue: list[tuple[int, int]] = []  # the pending scales of the old ReplicaSets, in order: (1 old / 2 mid, value)
    scaling_write = (0, -1, -1)  # a pending proportional-scaling write (rollout.CountState dc_sw, dc_sv, dc_sd)
    for pw in state.pending.get(("deployment", ns, name), ()):
        w = pw.write
        if isinstance(w, UpdateStatus) and kind_of(w.obj) == "Deployment":
            continue
        if isinstance(w, Update) and kind_of(w.obj) == "ReplicaSet" and pw.base is not None:
            annotated = scales_left is not None and _annotation(w.obj) != _annotation(pw.base)
            if w.obj.replicas == pw.base.replicas and not annotated:
                continue  # metadata only (no desired-replicas annotation with it): no count changes
            if scales_left is not None and (annotated or which_rs.get(w.obj.name) == "new"):
                # a scaling event's write of a ReplicaSet (sync.go scale: size and annotations); the one of an
                # old ReplicaSet that leaves its annotation as it is is a plain pending scale (below)
                if scaling_write[0] or queue or which_rs.get(w.obj.name) not in ("new", "old"):
                    raise ProjectionError(f"pending scaling write of ReplicaSet {w.obj.name} not in the count model")
                written = _annotation(w.obj)
                if written is None or not written.isdigit():
                    raise ProjectionError(f"pending write of ReplicaSet {w.obj.name}: desired-replicas {written!r}")
                scaling_write = (1 if which_rs[w.obj.name] == "new" else 2, w.obj.replicas, int(written))
                continue
            if which_rs.get(w.obj.name) not in ("old", "mid"):
                raise ProjectionError(f"pending scale of ReplicaSet {w.obj.name} not in the count model")
            if scaling_write[0]:
                raise ProjectionError(f"pending scale of ReplicaSet {w.obj.name} after a scaling write")
            queue.append((1 if which_rs[w.obj.name] == "old" else 2, w.obj.replicas))
            continue
        raise ProjectionError(f"pending write {type(w).__name__} of the Deployment controller not in the count model")
    slots = [(0, -1)] * 4
    if all(q == 1 for q, _ in queue):  # no scale of ``mid`` pending: one pending scale of ``old`` (dc_pending_old)
        if len(queue) > 1:
            raise ProjectionError(f"{len(queue)} pending scales of the old ReplicaSet of {ns}/{name} not in the count model")
        if queue:
            cur = next(rs for rs in c.replica_sets.values() if which_rs.get(rs.name) == "old")
            dc_pending_old = queue[0][1] if queue[0][1] != cur.replicas else -1
    elif len(queue) > 4:
        raise ProjectionError(f"{len(queue)} pending scales of the old ReplicaSets of {ns}/{name} not in the count model")
    else:
        slots = queue + [(0, -1)] * (4 - len(queue))
    budget = sum(getattr(state.faults, f) for f in COUNTED_FAULTS)
    zero = {"spec": 0, "unavailable": 0, "available": 0, "status_available": 0, "pc": 0, "pdu": 0, "pda": 0, "ps": -1, "doomed": 0,
            "desired": 0}
    new, old, mid = rows.get("new", zero), rows.get("old", zero), rows.get("mid", zero)
    left = state.faults.node_failure
    counts: CountState[int] = CountState(
        new["spec"], new["unavailable"], new["available"], new["status_available"],
        old["spec"], old["unavailable"], old["available"], old["status_available"],
        terminating, 1 if "new" in rows else 0, budget,
        new["pc"], new["pdu"], new["pda"], new["ps"], old["pc"], old["pdu"], old["pda"], old["ps"], dc_pending_old,
        new["doomed"], old["doomed"], left, node_failures - left, int(rollout),
        int(d.strategy.type == "Recreate"),
        mid["spec"], mid["unavailable"], mid["available"], mid["status_available"],
        mid["pc"], mid["pdu"], mid["pda"], mid["ps"], mid["doomed"], rollovers,
        *(x for slot in slots for x in slot),
        *((0, 0, 0, 0, 0) if scales_left is None else
          (d.replicas, new["desired"], old["desired"], *(tuple(scales_left) + (0, 0))[:2])),
    )
    return replace(counts, dc_sw=scaling_write[0], dc_sv=scaling_write[1], dc_sd=scaling_write[2]) if scaling_write[0] else counts


def _annotation(rs: Any) -> str | None:
    """The desired-replicas annotation of ``rs`` as written (None: none)."""
    from model.deployment_util import DESIRED_REPLICAS_ANNOTATION

    return rs.annotations.get(DESIRED_REPLICAS_ANNOTATION)


def _desired_annotation(rs: Any, d: Deployment) -> int:
    """The desired-replicas annotation of ``rs`` (deployment_util.go GetDesiredReplicasAnnotation), checked
    against its max-replicas annotation: the count model keeps only the first and takes the second to be
    desired + MaxSurge at desired (both are only ever written together, by SetReplicasAnnotations)."""
    from model.deployment_util import DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, max_surge

    text = rs.annotations.get(DESIRED_REPLICAS_ANNOTATION)
    if text is None or not text.isdigit():
        raise ProjectionError(f"ReplicaSet {rs.name}: desired-replicas annotation {text!r} not in the count model")
    desired = int(text)
    want = desired + max_surge(replace(d, replicas=desired))
    if rs.annotations.get(MAX_REPLICAS_ANNOTATION) != str(want):
        raise ProjectionError(f"ReplicaSet {rs.name}: max-replicas annotation "
                              f"{rs.annotations.get(MAX_REPLICAS_ANNOTATION)!r} is not desired + maxSurge = {want}")
    return desired


@dataclass
class RefinementResult:
    """What :func:`check_refinement` found: sizes, stutters, and every failure (with an example)."""

    states: int = 0
    transitions: int = 0
    stutters: int = 0
    initial_ok: bool = True
    #: action label -> number of transitions that are neither a count step nor a stutter
    failures: dict[str, int] = field(default_factory=dict)
    #: action label -> (P(s), P(t)) of the first such transition
    examples: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: states the projection has no counterpart for (ProjectionError messages, first few)
    unprojectable: list[str] = field(default_factory=list)
    #: object action label -> the count actions its transitions mapped to
    mapped: dict[str, set[str]] = field(default_factory=dict)
    seconds: float = 0.0
    complete: bool = True

    @property
    def ok(self) -> bool:
        return self.complete and self.initial_ok and not self.failures and not self.unprojectable

    def describe(self) -> str:
        head = (f"{'REFINES' if self.ok else 'DOES NOT REFINE'}: {self.states} states, {self.transitions} transitions "
                f"({self.stutters} stutters), {self.seconds:.1f} s")
        lines = [head]
        if not self.initial_ok:
            lines.append("  an initial state does not project onto the abstraction's initial state")
        if not self.complete:
            lines.append("  the exploration was cut: nothing is claimed")
        for label, n in sorted(self.failures.items()):
            a, b = self.examples[label]
            lines.append(f"  {n} x {label}: {a} -> {b}")
        lines.extend(f"  unprojectable: {m}" for m in self.unprojectable)
        return "\n".join(lines)


def check_refinement(
    system: KubeSystem,
    project: Callable[[SystemState], CountState[int]],
    fenceposts: Fenceposts[int],
    *,
    write: bool,
    max_states: int | None = None,
    scaling: Scaling | None = None,
) -> RefinementResult:
    """Explore every reachable state of ``system`` (depth first, deduplicated by
    ``system.canonical``: the projection counts pods and so is invariant under the renamings the
    symmetry reduction identifies) and check every transition against the count model."""
    res = RefinementResult()

    def is_initial(p: CountState[int]) -> bool:
        return p == initial_state(p.old_spec, p.disruptions, p.node_budget, p.rollout, p.recreate, p.rollovers,
                                  len(scaling.targets) if scaling else 0)

    walk_refinement(system, project, is_initial,
                    lambda ps: py_successors(fenceposts, ps, write, bool(ps.recreate), *((scaling,) if scaling else ())),
                    res, max_states)
    return res


def walk_refinement(
    system: Any,
    project: Callable[[Any], Hashable],
    is_initial: Callable[[Any], bool],
    abstract_successors: Callable[[Any], Iterable[tuple[str, Hashable]]],
    res: Any,
    max_states: int | None = None,
) -> None:
    """The checked refinement's walk, shared by the Deployment count model and the StatefulSet
    abstraction: every reachable state of ``system`` (depth first, deduplicated by
    ``system.canonical``, or by the state itself with the by-creator identifier allocation, which
    ``kubecheck check`` explores without symmetry), every transition out of it mapped by ``project`` onto an abstract step
    (``abstract_successors(P(s))``: (name, P(t)) pairs) or a stutter; ``is_initial`` judges the
    projected initial states. Fills ``res`` (a :class:`RefinementResult`-shaped record); a projection
    that raises ``ValueError`` is recorded as unprojectable; ``max_states`` cuts the walk
    (``res.complete`` False)."""
    start = time.monotonic()
    # the by-creator identifier allocation has no symmetry reduction: the state itself is its key
    by_creator = getattr(getattr(system, "scenario", None), "identifiers", None) == "by-creator"
    key: Callable[[Any], Hashable] = (lambda s: s) if by_creator else system.canonical
    seen: dict[Hashable, Any] = {}
    stack: list[Any] = []
    for s in system.init_states():
        if not is_initial(project(s)):
            res.initial_ok = False
        k = key(s)
        if k not in seen:
            seen[k] = s
            stack.append(s)
    cache: dict[Hashable, dict[Hashable, str]] = {}
    while stack:
        s = stack.pop()
        try:
            ps = project(s)
        except ValueError as exc:
            if len(res.unprojectable) < 5:
                res.unprojectable.append(str(exc))
            continue
        succ = cache.get(ps)
        if succ is None:
            succ = cache[ps] = {}
            for nm, nxt in abstract_successors(ps):
                succ.setdefault(nxt, nm)
        for a, n in system.successors(s):
            res.transitions += 1
            try:
                pn = project(n)
            except ValueError as exc:
                if len(res.unprojectable) < 5:
                    res.unprojectable.append(f"{a.label}: {exc}")
                continue
            if pn == ps:
                res.stutters += 1
                res.mapped.setdefault(a.label, set()).add("stutter")
            elif pn in succ:
                res.mapped.setdefault(a.label, set()).add(succ[pn])
            else:
                res.failures[a.label] = res.failures.get(a.label, 0) + 1
                res.examples.setdefault(a.label, (ps, pn))
            k = key(n)
            if k not in seen:
                if max_states is not None and len(seen) >= max_states:
                    res.complete = False
                    continue
                seen[k] = n
                stack.append(n)
    res.states = len(seen)
    res.seconds = time.monotonic() - start


def rollout_system(
    replicas: int,
    max_surge: IntOrString,
    max_unavailable: IntOrString,
    *,
    crashes: int = 0,
    granularity: str = "write",
    nodes: int = 1,
    min_ready_seconds: int = 0,
    node_failures: int = 0,
    scenario: str = "rollout",
    strategy: Literal["RollingUpdate", "Recreate"] = "RollingUpdate",
    image_changes: int = 1,
    scales: tuple[int, ...] = (),
    identifiers: str = "lowest-free",
) -> tuple[KubeSystem, Callable[[SystemState], CountState[int]], Fenceposts[int]]:
    """The object-model system ``kubecheck check --scenario rollout`` explores for a Deployment
    ``web`` with these parameters (plus ``crashes`` container crashes), its projection, and the
    count model's fenceposts.  ``image_changes = 2``: the rollout scenario with a second ``kubectl set
    image`` to a third image (a scenario file with two ``set-image`` actions), in either order and at
    any moment of the rollout (count model ``rollovers`` = 1).  ``identifiers``: the identifier allocation
    (``model.system.Scenario.identifiers``; ``"by-creator"`` is the one ``kubecheck check`` explores with)."""
    from kubecheck.scenarios import builtin, settle, with_nodes
    from kubecheck.symbolic.bridge import _deployment
    from model.state import ClusterState
    from model.system import Scenario

    d: Deployment = _deployment(replicas, max_surge, max_unavailable)
    if min_ready_seconds:
        d = replace(d, min_ready_seconds=min_ready_seconds)
    if strategy == "Recreate":
        d = replace(d, strategy=replace(d.strategy, type=strategy))
    objs, _ = with_nodes((d,), nodes)
    loaded = ClusterState.from_objects(objs)
    warm = KubeSystem(Scenario(initial=loaded, granularity=granularity, name="settle"))  # type: ignore[arg-type]
    settled = settle(warm, warm.init_states()[0])
    if not settled.settled:  # pragma: no cover - a lone Deployment settles
        raise RuntimeError(f"the Deployment did not settle ({settled.cut})")
    spec = replace(builtin(scenario, settled.state.cluster), faults=FaultBudget(container_crash=crashes, node_failure=node_failures))
    if image_changes not in (1, 2) or (image_changes == 2 and scenario != "rollout"):
        raise ValueError("image_changes: 1, or 2 with the rollout scenario")
    if image_changes == 2:
        from model.environment import SetImage

        first, n = spec.user_actions[0]
        assert isinstance(first, SetImage) and n == 1, spec.user_actions
        spec = replace(spec, user_actions=(spec.user_actions[0], (replace(first, image=f"{first.image}-again"), 1),
                                           *spec.user_actions[1:]))
    if scales:  # the user's kubectl scale of the Deployment, each target once, after the set-image action(s)
        from model.environment import ScaleWorkload

        spec = replace(spec, user_actions=(*spec.user_actions[:image_changes],
                                           *((ScaleWorkload("Deployment", d.name, t, namespace=d.namespace), 1)
                                             for t in scales),
                                           *spec.user_actions[image_changes:]))
    system = KubeSystem(spec.to_scenario(settled.state.cluster, granularity, identifiers))
    key = (d.namespace, d.name)
    rolls = scenario == "rollout"
    n_actions = len(system.init_states()[0].user_budget)
    if rolls and n_actions < 1:  # pragma: no cover - one container, one set-image action
        raise RuntimeError(f"expected a set-image action, got {n_actions}")

    project = budget_projection(key, range(image_changes), range(image_changes, image_changes + len(scales)),
                                node_failures=node_failures, rollout=rolls)
    return system, project, resolve(replicas, max_surge, max_unavailable)


def budget_projection(deployment: tuple[str, str], images: Sequence[int], scales: Sequence[int], *,
                      node_failures: int, rollout: bool) -> Callable[[SystemState], CountState[int]]:
    """:func:`project_state` of ``deployment`` in a scenario's states, with the user actions' budgets read as
    the count model counts them: ``images`` are the indices (in ``state.user_budget``) of the Deployment's
    ``kubectl set image`` actions, one or two, each once (``rolled`` once one is spent, ``rollovers`` the
    changes still to come after it); ``scales`` those of its ``kubectl scale`` actions, each once
    (``scales_left``).  Used by :func:`rollout_system` and by ``check.concretise``."""

    def project(state: SystemState) -> CountState[int]:
        left = sum(state.user_budget[i] for i in images) if rollout else 0
        rolled = rollout and left < len(images)
        return project_state(state, deployment, rolled=rolled, node_failures=node_failures, rollout=rollout,
                             rollovers=left if rolled else max(left - 1, 0),
                             scales_left=tuple(state.user_budget[i] for i in scales) if scales else None)

    return project
