"""A per-ordinal-prefix abstraction of the StatefulSet rolling update, for Python ints and for Z3.

Upstream (pkg/controller/statefulset/stateful_set_control.go updateStatefulSet) rolls a
RollingUpdate StatefulSet from the highest ordinal down to the partition: the first pod (from the
top) not on the update revision and not terminating is deleted, and the update stops at the first
unavailable pod; the replacement is created by processReplica once the old object is gone (with
OrderedReady, ``monotonic``, only when every lower ordinal is Running and Ready; with Parallel
regardless).  With at most one container crash every ordinal but the one in flux and the crashed one
(the *hole*) is then available at any time, so the set is a *prefix shape* (docs/semantics.md,
"StatefulSet rolling update: the prefix abstraction"):

* ordinals ``[start, start+f)`` run the current (old) revision, below the ordinal in flux;
* the ordinal ``start+f`` is *in flux*, in phase :data:`PHASES` (old and available, old and
  terminating, gone, re-created on the update revision and not yet available);
* ordinals ``(start+f, start+R)``, ``u = R - 1 - f`` of them, run the update revision and are available.

:class:`StsState` holds ``u``, the phase, the StatefulSet controller's pending pod Delete (write
granularity: one API write per step), the crash budget and where the hole is, and three counts the
rules are stated over:
``below_ready`` (ordinals below the flux that are active, Running and Ready: KC-STS-005's
creation clause), ``below_new`` (ordinals below the flux on the update revision) and
``pinned_updated`` (active pods below the partition labelled with the update revision:
KC-STS-006's measure).  The step semantics is written ONCE (:func:`sts_steps`) over
``rollout.Ops``: :data:`~kubecheck.symbolic.rollout.PY` gives the explicit abstract system
(:class:`StsCountSystem`), :data:`~kubecheck.symbolic.rollout.Z3OPS` the SMT transition relation
(:func:`prove_statefulset`: induction for the exact replicas and for the family).

The refinement of the object model (``model.system.KubeSystem``) by this abstraction is checked
over the full explicit graphs at replicas 1..3 (kubecheck/symbolic/statefulset_refinement.py,
tests/symbolic/test_statefulset_count.py).  Which scenarios it covers: :func:`sts_coverage`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Generic, TypeVar

import z3

from kubecheck.core.ts import Action, BaseSystem
from kubecheck.symbolic.rollout import PY, Z3OPS, Ops

__all__ = [
    "OLD",
    "OLD_TERMINATING",
    "ABSENT",
    "NEW_UNAVAILABLE",
    "PHASES",
    "STS_ACTIONS",
    "CREATE_ACTIONS",
    "StsState",
    "sts_steps",
    "sts_initial",
    "effective_partition",
    "ordered_creation_ok",
    "partition_ok",
    "StsCountSystem",
    "StsProof",
    "prove_statefulset",
    "STS_RULES",
]

#: the phases of the ordinal in flux
OLD = 0  # on the current revision, active, Running, Ready and available (not yet deleted)
OLD_TERMINATING = 1  # deleted by the controller (deletionTimestamp set), the object still there
ABSENT = 2  # the old object is gone, the replacement not created yet
NEW_UNAVAILABLE = 3  # re-created on the update revision, not yet available (Pending, starting, minReadySeconds)
PHASES: dict[int, str] = {OLD: "old", OLD_TERMINATING: "old-terminating", ABSENT: "absent", NEW_UNAVAILABLE: "new-unavailable"}

#: The abstract steps, in order (the index is the Z3 action id).
STS_ACTIONS: tuple[str, ...] = (
    "set_image",  # the user's kubectl set image: the rollout starts (the update revision exists from now on)
    "ssc_delete",  # one reconcile's Delete of the pod in flux, applied at once (reconcile granularity)
    "ssc_delete_planned",  # the reconcile that issues it (write granularity: the Delete is pending)
    "ssc_delete_applied",  # the pending Delete reaches the API server
    "pod_gone",  # the kubelet's final removal of the terminating pod
    "ssc_create",  # processReplica's Create of the replacement (the first write of its reconcile: it lands at once)
    "pod_available",  # the replacement becomes available: the flux moves one ordinal down
    "pod_available_into_hole",  # ... and the next lower ordinal, now in flux, is the crashed one
    # one container crash (``crashes`` budget): the pod with the crashed container is the *hole*
    "crash_below",  # a container of an ordinal below the flux crashes (the pod stays Ready in the API)
    "crash_flux",  # ... of the old pod in flux
    "crash_above",  # ... of an updated ordinal above the flux
    "crash_idle",  # ... of a terminating pod's container: nothing projected changes
    "hole_down",  # the kubelet's status write: the crashed pod is not Ready in the API
    "hole_healed",  # the container restarted and the kubelet wrote Ready again
)
_STEP_NAMES = STS_ACTIONS
#: the steps that create a pod (KC-STS-005's creation clause judges them)
CREATE_ACTIONS: frozenset[str] = frozenset({"ssc_create"})
#: where the crashed pod is (``StsState.hole``)
NO_HOLE, BELOW, FLUX, ABOVE = 0, 1, 2, 3
#: rule id -> what the abstraction decides for it
STS_RULES: dict[str, str] = {
    "KC-STS-005": "ordered creation (OrderedReady: pod i is created only when 0..i-1 are Running and Ready)",
    "KC-STS-006": "pods below the partition never run the update revision",
}

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StsState(Generic[T]):
    """One StatefulSet's rolling update in the prefix shape (ints, or Z3 terms when symbolic).

    ``u``: updated available ordinals at the top; the ordinal in flux is ``f = R - 1 - u`` (an
    index from ``ordinals.start``); ``phase``: its phase (:data:`PHASES`); ``pend_delete`` /
    ``pend_create``: the controller's pending Delete / Create of that pod (0/1; no step sets
    ``pend_create``: a pod Create is the first write of its reconcile in the covered scenarios);
    ``below_ready`` / ``below_new``: ordinals below ``f`` that are active, Running and Ready / on
    the update revision; ``pinned_updated``: active pods below the partition labelled with the
    update revision while a rollout is under way (KC-STS-006); ``rolled``: 1 once the template changed;
    ``crashes``, ``hole``, ``hole_down``: one container crash (budget left, which ordinal, seen by the API or not).
    """

    u: T
    phase: T
    pend_delete: T
    pend_create: T
    below_ready: T
    below_new: T
    pinned_updated: T
    rolled: T
    #: container crashes the fault budget still allows (0 or 1)
    crashes: T = 0  # type: ignore[assignment]
    #: the pod whose container crashed, until it is Ready again: NO_HOLE, BELOW, FLUX (the old pod in flux), ABOVE
    hole: T = 0  # type: ignore[assignment]
    #: 0: still Ready in the API (the kubelet has not written the crash yet); 1: not Ready in the API
    hole_down: T = 0  # type: ignore[assignment]

    def as_tuple(self) -> tuple[T, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(StsState))


def effective_partition(o: Ops, replicas: Any, partition: Any) -> Any:
    """The partition clamped to ``[0, replicas]``: updateStatefulSet's loop ``target >= updateMin``
    over ``len(replicas)`` ordinals updates nothing when the partition is at or above replicas."""
    return o.ite(partition > replicas, replicas, o.ite(partition < 0, 0, partition))


def sts_initial(replicas: Any, rolled: Any = 0, crashes: Any = 0) -> StsState[Any]:
    """The settled set before ``kubectl set image``: every ordinal old and available, nothing pending."""
    return StsState(0, OLD, 0, 0, _minus_one(replicas), 0, 0, rolled, crashes, NO_HOLE, 0)


def _minus_one(r: Any) -> Any:
    if isinstance(r, int):
        return max(r - 1, 0)
    return z3.If(r >= 1, r - 1, 0)


def sts_steps(o: Ops, replicas: Any, partition: Any, ordered: bool, s: StsState[Any]) -> list[tuple[str, Any, StsState[Any]]]:
    """Every step of :data:`STS_ACTIONS`, in order: ``(name, enabled, next state)``.

    ``partition``: spec.updateStrategy.rollingUpdate.partition (0 without a rollingUpdate block);
    ``ordered``: podManagementPolicy OrderedReady (processReplica's ``monotonic``).  Mirrors
    stateful_set_control.go updateStatefulSet on the shape: the rolling update deletes the pod in
    flux when it is old, available and not terminating and the flux is at or above the partition
    (every ordinal above it is updated and available, so the loop from the top reaches it); the
    replacement is created once the old object is gone (OrderedReady: every lower ordinal Running
    and Ready); it comes up on the update revision (newVersionedStatefulSetPod: the ordinal is at or
    above the partition, or at or above status.currentReplicas); once it is available the next
    lower ordinal is in flux.  The controller does not reconcile while one of its writes is pending
    (``KubeSystem`` applies an actor's pending writes first).
    """
    r = replicas
    p = effective_partition(o, r, partition)
    f = r - 1 - s.u
    busy = o.or_(s.pend_delete == 1, s.pend_create == 1)
    idle = o.not_(busy)
    rolling = o.and_(s.rolled == 1, s.u < r - p)  # the flux is at or above the partition: more to update
    down_at = lambda where: o.and_(s.hole == where, s.hole_down == 1)  # noqa: E731
    lower_ready = s.below_ready == f
    if ordered:
        # processReplica (monotonic) returns at the first ordinal that is not Running and Ready: below the flux,
        # the old pod in flux, or (the flux passed) an updated one above it; else the rolling update runs
        sees_all_ready = o.and_(lower_ready, o.not_(down_at(FLUX)), o.not_(down_at(ABOVE)))
        may_delete = o.and_(rolling, idle, s.phase == OLD, sees_all_ready)
        may_create = o.and_(s.rolled == 1, idle, s.phase == ABSENT, lower_ready)
    else:
        # Parallel: the rolling update from the top stops at an unavailable updated pod above the flux only
        may_delete = o.and_(rolling, idle, s.phase == OLD, o.not_(down_at(ABOVE)))
        may_create = o.and_(s.rolled == 1, idle, s.phase == ABSENT)
    # the old pod in flux is deleted: it is terminating now, and a crash of it no longer counts
    deleted = {"phase": OLD_TERMINATING, "hole": o.ite(s.hole == FLUX, NO_HOLE, s.hole),
               "hole_down": o.ite(s.hole == FLUX, 0, s.hole_down)}
    # the flux moves down: the next lower ordinal (counted in below_ready when Ready in the API) is now in flux
    down = f >= 1
    avail = o.and_(s.phase == NEW_UNAVAILABLE, idle)
    hole_below_ready = o.and_(s.hole == BELOW, s.hole_down == 0)
    crash = o.and_(s.crashes > 0, s.hole == NO_HOLE)
    out: dict[str, tuple[Any, StsState[Any]]] = {
        "set_image": (s.rolled == 0, replace(s, rolled=1)),
        "ssc_delete": (may_delete, replace(s, **deleted)),
        "ssc_delete_planned": (may_delete, replace(s, pend_delete=1)),
        "ssc_delete_applied": (s.pend_delete == 1, replace(s, pend_delete=0, **deleted)),
        "pod_gone": (s.phase == OLD_TERMINATING, replace(s, phase=ABSENT)),
        "ssc_create": (may_create, replace(s, phase=NEW_UNAVAILABLE)),
        # the hole (if below) is not the next lower ordinal: that one is Ready
        "pod_available": (
            o.and_(avail, o.or_(s.hole != BELOW, f >= 2)),
            replace(s, u=s.u + 1, phase=OLD, below_ready=o.ite(down, s.below_ready - 1, s.below_ready)),
        ),
        # the hole is the next lower ordinal: it is the old pod in flux now
        "pod_available_into_hole": (
            o.and_(avail, s.hole == BELOW),
            replace(s, u=s.u + 1, phase=OLD, hole=FLUX, below_ready=o.ite(hole_below_ready, s.below_ready - 1, s.below_ready)),
        ),
        "crash_below": (o.and_(crash, s.below_ready > 0), replace(s, crashes=s.crashes - 1, hole=BELOW, hole_down=0)),
        "crash_flux": (o.and_(crash, s.phase == OLD, f >= 0), replace(s, crashes=s.crashes - 1, hole=FLUX, hole_down=0)),
        "crash_above": (o.and_(crash, s.u > 0), replace(s, crashes=s.crashes - 1, hole=ABOVE, hole_down=0)),
        "crash_idle": (s.crashes > 0, replace(s, crashes=s.crashes - 1)),
        "hole_down": (
            o.and_(s.hole != NO_HOLE, s.hole_down == 0),
            replace(s, hole_down=1, below_ready=o.ite(s.hole == BELOW, s.below_ready - 1, s.below_ready)),
        ),
        "hole_healed": (
            s.hole != NO_HOLE,
            replace(s, hole=NO_HOLE, hole_down=0,
                    below_ready=o.ite(o.and_(s.hole == BELOW, s.hole_down == 1), s.below_ready + 1, s.below_ready)),
        ),
    }
    assert set(out) == set(_STEP_NAMES)
    return [(name, *out[name]) for name in _STEP_NAMES]


def ordered_creation_ok(replicas: Any, s: StsState[Any]) -> Any:
    """KC-STS-005's creation clause for a step that creates the pod in flux (an OrderedReady set):
    every lower ordinal is active, Running and Ready in the state before."""
    return s.below_ready == replicas - 1 - s.u


def partition_ok(s: StsState[Any]) -> Any:
    """KC-STS-006 over the shape: no active pod below the partition runs the update revision."""
    return s.pinned_updated == 0


# ------------------------------------------------------------------ explicit abstract system


_ACTOR = {"set_image": "user", **{n: "kubelet" for n in ("pod_gone", "pod_available", "pod_available_into_hole", "hole_down",
                                                           "hole_healed")},
          **{n: "fault" for n in ("crash_below", "crash_flux", "crash_above", "crash_idle")}}


class StsCountSystem(BaseSystem[StsState[int]]):
    """The abstraction for concrete parameters as an engine ``TransitionSystem``."""

    def __init__(self, replicas: int, partition: int = 0, ordered: bool = True, rolled: bool = False, crashes: int = 0) -> None:
        self.replicas, self.partition, self.ordered, self.rolled, self.crashes = replicas, partition, ordered, rolled, crashes

    def init_states(self) -> Sequence[StsState[int]]:
        return (sts_initial(self.replicas, int(self.rolled), self.crashes),)

    def successors(self, state: StsState[int]) -> list[tuple[Action, StsState[int]]]:
        return [(Action(_ACTOR.get(n, "statefulset-controller"), n, _ACTOR.get(n) not in ("user", "fault")), t)
                for n, en, t in sts_steps(PY, self.replicas, self.partition, self.ordered, state) if en]

    def actions(self, state: StsState[int]) -> Sequence[Action]:
        return [a for a, _ in self.successors(state)]

    def step(self, state: StsState[int], action: Action) -> StsState[int] | None:
        return next((t for a, t in self.successors(state) if a == action), None)

    def reachable(self) -> set[StsState[int]]:
        init = self.init_states()[0]
        seen, todo = {init}, [init]
        while todo:
            for _, t in self.successors(todo.pop()):
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return seen


# ------------------------------------------------------------------------------ Z3 proofs

PROVED, VIOLATED, UNKNOWN = "PROVED", "VIOLATED", "UNKNOWN"


@dataclass(frozen=True, slots=True)
class StsProof:
    """The outcome of :func:`prove_statefulset` for one rule: ``status`` PROVED / VIOLATED / UNKNOWN;
    ``replicas`` the range; ``cex`` the abstract steps of a counterexample (BMC) when VIOLATED."""

    rule_id: str
    status: str
    replicas: tuple[int, int]
    message: str
    seconds: float
    cex: tuple[str, ...] = ()
    cex_replicas: int | None = None


def _zstate(tag: str) -> StsState[Any]:
    return StsState(*(z3.Int(f"{n}_{tag}") for n in FIELD_NAMES))


def _eq(a: StsState[Any], b: StsState[Any]) -> Any:
    return z3.And(*(x == y for x, y in zip(a.as_tuple(), b.as_tuple())))


def _invariant(r: Any, p: Any, s: StsState[Any]) -> Any:
    """The strengthening the induction uses (each conjunct is a lemma docs/semantics.md states)."""
    pe = effective_partition(Z3OPS, r, p)
    f = r - 1 - s.u
    pending = s.pend_delete + s.pend_create
    return z3.And(
        s.u >= 0, s.u <= r - pe,
        z3.Or(*(s.phase == v for v in PHASES)),
        z3.Or(s.pend_delete == 0, s.pend_delete == 1), z3.Or(s.pend_create == 0, s.pend_create == 1), pending <= 1,
        z3.Implies(s.pend_delete == 1, z3.And(s.phase == OLD, s.rolled == 1, s.u < r - pe)),
        s.pend_create == 0,  # the Create lands with its decision (the refinement maps every pod Create onto ssc_create)
        z3.Or(s.crashes == 0, s.crashes == 1), z3.Or(*(s.hole == v for v in (NO_HOLE, BELOW, FLUX, ABOVE))),
        z3.Or(s.hole_down == 0, s.hole_down == 1), z3.Implies(s.hole == NO_HOLE, s.hole_down == 0),
        z3.Implies(s.hole != NO_HOLE, s.crashes == 0),
        z3.Implies(s.hole == FLUX, z3.And(s.phase == OLD, f >= 0)), z3.Implies(s.hole == ABOVE, s.u >= 1),
        z3.Implies(s.hole == BELOW, f >= 1),
        z3.Implies(s.phase != OLD, z3.And(s.rolled == 1, s.u < r - pe)),
        z3.Or(s.rolled == 0, s.rolled == 1),
        z3.Implies(s.rolled == 0, z3.And(s.u == 0, s.phase == OLD, pending == 0)),
        s.below_ready == z3.If(f >= 0, f, 0) - z3.If(z3.And(s.hole == BELOW, s.hole_down == 1), 1, 0),
        s.below_new == 0,
        s.pinned_updated == 0,
    )


def _step(r: Any, p: Any, ordered: bool, s: StsState[Any], t: StsState[Any], act: Any) -> Any:
    return z3.Or(*(z3.And(act == i, en, _eq(t, nxt))
                   for i, (_, en, nxt) in enumerate(sts_steps(Z3OPS, r, p, ordered, s))))


def _bad(rule_id: str, r: Any, ordered: bool, s: StsState[Any], act: Any) -> Any:
    if rule_id == "KC-STS-005":
        if not ordered:
            return z3.BoolVal(False)  # the rule judges OrderedReady sets only
        creates = z3.Or(*(act == i for i, n in enumerate(STS_ACTIONS) if n in CREATE_ACTIONS))
        return z3.And(creates, z3.Not(ordered_creation_ok(r, s)))
    return z3.Not(partition_ok(s))


def prove_statefulset(rule_id: str, replicas: tuple[int, int], partition: int | None, ordered: bool, *,
                      timeout: float = 30.0, bmc_depth: int = 12, crashes: int | None = 0) -> StsProof:
    """Decide ``rule_id`` (KC-STS-005 / KC-STS-006) for every replicas in the range and the
    partition (``None``: every partition >= 0) and container-crash budget (0 or 1; ``None``: both) by induction over the abstraction: the invariant
    holds initially, is preserved by every step, and excludes the rule's violation.  When the
    induction fails, a BMC of ``bmc_depth`` steps looks for a counterexample (VIOLATED, with the
    smallest replicas), else UNKNOWN."""
    start = time.monotonic()
    if rule_id == "KC-STS-005" and not ordered:  # properties/catalogue.py ordered_ready: Parallel sets are not judged
        return StsProof(rule_id, PROVED, replicas, "not judged: KC-STS-005 judges only OrderedReady sets", 0.0)
    lo, hi = replicas
    r, p, c = z3.Int("R"), z3.Int("P"), z3.Int("C")
    dom = _domain(r, p, c, replicas, partition, crashes)
    s, t, act = _zstate("s"), _zstate("t"), z3.Int("a")

    def solver() -> z3.Solver:
        sv = z3.Solver()
        sv.set("timeout", max(1, int((timeout - (time.monotonic() - start)) * 1000)))
        sv.add(*dom)
        return sv

    checks = (
        ("initiation", [_eq(s, sts_initial(r, 0, c)), z3.Not(_invariant(r, p, s))]),
        ("consecution", [_invariant(r, p, s), _step(r, p, ordered, s, t, act), z3.Not(_invariant(r, p, t))]),
        ("safety", [_invariant(r, p, s), z3.Or(*(z3.And(act == i, en) for i, (_, en, _) in
                                                 enumerate(sts_steps(Z3OPS, r, p, ordered, s)))),
                    _bad(rule_id, r, ordered, s, act)]),
    )
    for name, formulas in checks:
        sv = solver()
        sv.add(*formulas)
        res = sv.check()
        if res == z3.unknown:
            return StsProof(rule_id, UNKNOWN, replicas, f"{name}: timeout", time.monotonic() - start)
        if res == z3.sat:
            return _bmc(rule_id, replicas, partition, ordered, bmc_depth, start, timeout, name, crashes)
    return StsProof(rule_id, PROVED, replicas, "proved by induction", time.monotonic() - start)


def _domain(r: Any, p: Any, c: Any, replicas: tuple[int, int], partition: int | None, crashes: int | None) -> list[Any]:
    lo, hi = replicas
    out = [r >= lo, r <= hi, p >= 0, c >= 0, c <= 1]
    if partition is not None:
        out.append(p == partition)
    if crashes is not None:
        out.append(c == crashes)
    return out


def _bmc(rule_id: str, replicas: tuple[int, int], partition: int | None, ordered: bool, depth: int, start: float,
         timeout: float, failed: str, crashes: int | None) -> StsProof:
    """Bounded search for a counterexample (increasing depth, smallest replicas first via Optimize)."""
    r, p, c = z3.Int("R"), z3.Int("P"), z3.Int("C")
    states = [_zstate("0")]
    acts: list[Any] = []
    base = [*_domain(r, p, c, replicas, partition, crashes), _eq(states[0], sts_initial(r, 0, c))]
    for k in range(depth + 1):
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            break
        opt = z3.Optimize()
        opt.set("timeout", max(1, int(left * 1000)))
        opt.add(*base)
        a = z3.Int(f"a_{k}")
        sk = states[k]
        opt.add(z3.Or(*(z3.And(a == i, en) for i, (_, en, _) in enumerate(sts_steps(Z3OPS, r, p, ordered, sk)))))
        opt.add(_bad(rule_id, r, ordered, sk, a))
        opt.minimize(r)
        if opt.check() == z3.sat:
            m = opt.model()
            names = tuple(STS_ACTIONS[m.eval(x).as_long()] for x in acts + [a])
            return StsProof(rule_id, VIOLATED, replicas, f"counterexample of {k + 1} steps (induction failed at {failed})",
                            time.monotonic() - start, names, m.eval(r).as_long())
        nxt, an = _zstate(str(k + 1)), z3.Int(f"act_{k}")
        base.append(_step(r, p, ordered, sk, nxt, an))
        states.append(nxt)
        acts.append(an)
    return StsProof(rule_id, UNKNOWN, replicas, f"induction failed at {failed}; no counterexample within {depth} steps",
                    time.monotonic() - start)
