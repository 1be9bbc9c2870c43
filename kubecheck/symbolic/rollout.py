"""Count abstraction of the Deployment rolling update, once for Python ints and once for Z3.

The state of one rollout (one new ReplicaSet, one old ReplicaSet) is a vector of counts
(:class:`CountState`); the steps are exactly those of the controllers that act on it:

* ``dc``: one Deployment-controller reconcile of ``rolloutRolling`` (reconcileNewReplicaSet with
  NewRSNewReplicas, else reconcileOldReplicaSets = cleanupUnhealthyReplicas then
  scaleDownOldReplicaSetsForRollingUpdate), enabled only when it changes a ``spec.replicas``;
* ``rs_new`` / ``rs_old``: one ReplicaSet-controller reconcile (create or delete pods to match
  spec, at most ``burstReplicas`` = 500, not-available pods deleted first, then the status
  computed from the pods it listed, i.e. *before* its own creates and deletes);
* ``new_pod_available`` / ``old_pod_available``: a pod becomes available (scheduling, kubelet
  and minReadySeconds collapsed into one step);
* ``terminating_pod_gone``: a terminating pod goes away;
* ``crash_new`` / ``crash_old``: an involuntary disruption (an available pod stops being
  available), spending the disruption budget;
* ``rollover``: a second ``kubectl set image`` mid-rollout (``rollovers``): the new ReplicaSet becomes
  a second old one (``mid``, with its own ``rs_mid``, ``mid_pod_available``, ``crash_mid`` ... steps),
  and the Deployment controller's steps scale both old ReplicaSets, oldest first.

The step semantics is written ONCE (:func:`count_steps`) over an :class:`Ops` record; the
Python instance :data:`PY` gives the explicit count system, :data:`Z3OPS` the SMT transition
relation, so the two cannot drift apart.  docs/semantics.md#symbolic states every abstraction
and why it is sound for the rollout properties; tests/symbolic/test_crosscheck.py compares the
reachable count vectors with the object model (``model.system.KubeSystem``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, fields, replace
from itertools import product
from typing import Any, Generic, Protocol, TypeVar

import z3

from kubecheck.core.ts import Action, BaseSystem
from model.deployment_util import get_scaled_value_from_int_or_percent
from model.objects import IntOrString

__all__ = [
    "BURST_REPLICAS",
    "ACTIONS",
    "CONTROLLER_ACTIONS",
    "DISRUPTION_ACTIONS",
    "USER_ACTIONS",
    "SIDES",
    "Ops",
    "Scaling",
    "scaling_for",
    "spec_at",
    "PY",
    "Z3OPS",
    "CountState",
    "Fenceposts",
    "Variant",
    "FIXED",
    "UNAVAILABLE_ROUNDS_UP",
    "resolve",
    "resolve_spec",
    "count_steps",
    "py_successors",
    "initial_state",
    "CountSystem",
    "min_available_holds",
    "surge_holds",
    "recreate_no_overlap_holds",
]

#: pkg/controller/replicaset/replica_set.go BurstReplicas.
BURST_REPLICAS = 500

#: The classes of an active pod a node-failure step can take away (by the count fields that hold it):
#: ``u`` not available and no pending Delete targets it, ``ut`` not available and targeted; ``a``
#: available, healthy, not targeted; ``at`` available, healthy, targeted; ``d`` available with a
#: crashed container (doomed), not targeted; ``dt`` doomed and targeted.
POD_CLASSES: tuple[str, ...] = ("u", "ut", "a", "at", "d", "dt")

#: The step names, in the order of :meth:`CountSystem.actions` (the index is the Z3 action id).
ACTIONS: tuple[str, ...] = (
    "dc",
    "rs_new",
    "rs_old",
    "new_pod_available",
    "old_pod_available",
    "terminating_pod_gone",
    "crash_new",
    "crash_old",
    # write granularity (``write=True``): one API write per step, the rest of a reconcile pending
    "rs_new_create",
    "rs_new_delete_unavailable",
    "rs_new_delete_available",
    "rs_new_status",
    "rs_old_create",
    "rs_old_delete_unavailable",
    "rs_old_delete_available",
    "rs_old_status",
    "dc_scale_old_pending",
    "dc_pending_dropped",
    "new_target_available",
    "old_target_available",
    "crash_idle",
    "rs_new_head_available",
    "rs_old_head_available",
    "rs_new_head_doomed",
    "rs_old_head_doomed",
    "new_doomed_unavailable",
    "old_doomed_unavailable",
    "new_doomed_target_unavailable",
    "old_doomed_target_unavailable",
    "rs_new_delete_doomed",
    "rs_old_delete_doomed",
    # node failure (``node_budget`` / ``node_down``): the node lifecycle controller, taint eviction, PodGC
    "node_fail",
    *(f"{w}_lost{t}" for w in ("new", "old") for t in ("", "_target")),
    *(f"{verb}_{w}_{cls}" for verb in ("evict", "gone") for w in ("new", "old") for cls in POD_CLASSES),
    # reconcile granularity: one node-lifecycle reconcile marks / evicts several pods at once
    "lost_bulk",
    "evict_bulk",
    # a second image change mid-rollout (``rollovers``): the new ReplicaSet becomes the second old one
    # (``mid``); its steps are those of the other ReplicaSets, appended so the ids above stay put
    "rollover",
    "rs_mid",
    "mid_pod_available",
    "crash_mid",
    "rs_mid_create",
    "rs_mid_delete_unavailable",
    "rs_mid_delete_available",
    "rs_mid_status",
    "mid_target_available",
    "rs_mid_head_available",
    "rs_mid_head_doomed",
    "mid_doomed_unavailable",
    "mid_doomed_target_unavailable",
    "rs_mid_delete_doomed",
    # write granularity with two old ReplicaSets: the Deployment controller's pending scales in order (``dc_q*``),
    # and the ReplicaSet controller's Delete of an unbound ``mid`` pod (removed at once, never terminating)
    "dc_scale_pending",
    "rs_mid_vanish_head",
    "rs_mid_vanish",
    # scale during a rollout (``scaling``, :class:`Scaling`): the user's ``kubectl scale`` to each target, once
    "scale1",
    "scale2",
    # scale during a rollout at write granularity: the proportional scaling's second ReplicaSet write lands
    "dc_scaling_pending",
    # ... and the ReplicaSet controller's Delete of an unbound new / old pod (scaled up by a scaling event, down
    # again before the scheduler ran): removed at once, as ``rs_mid_vanish_head`` / ``rs_mid_vanish``
    "rs_new_vanish_head",
    "rs_new_vanish",
    "rs_old_vanish_head",
    "rs_old_vanish",
)
#: The ReplicaSets of a rollout by age: ``new`` (the current template's), ``old`` (the oldest) and ``mid``
#: (the second old one, the new ReplicaSet of a rollout a second image change interrupted).
SIDES: tuple[str, ...] = ("new", "old", "mid")
#: The free counts of a bulk node-lifecycle step (:func:`_node_steps`): how many pods of each class
#: (``u`` not available, ``a`` healthy available, ``d`` doomed) of each ReplicaSet it takes.
BULK_FIELDS: tuple[str, ...] = tuple(f"{w}_{cls}" for w in ("new", "old") for cls in ("u", "a", "d"))
#: The controller steps: the only ones the rollout properties judge.
CONTROLLER_ACTIONS: frozenset[str] = frozenset(
    {"dc", "rs_new", "rs_old", "rs_mid", "dc_scale_old_pending", "dc_pending_dropped", "dc_scale_pending",
     "dc_scaling_pending", "rs_new_vanish_head", "rs_new_vanish", "rs_old_vanish_head", "rs_old_vanish",
     "rs_mid_vanish_head", "rs_mid_vanish"}
    | {f"rs_{w}_{v}" for w in SIDES
       for v in ("create", "delete_unavailable", "delete_available", "status", "head_available", "head_doomed", "delete_doomed")}
)
#: The involuntary disruptions (spend the budget; never judged).
DISRUPTION_ACTIONS: frozenset[str] = frozenset({"crash_new", "crash_old", "crash_mid", "crash_idle", "node_fail"})
#: The user's steps (spend the ``rollovers`` budget; not fair, never judged).
USER_ACTIONS: frozenset[str] = frozenset({"rollover", "scale1", "scale2"})


class _Count(Protocol):
    """What a count is: a Python int or a Z3 arithmetic term (both support ``+``)."""

    def __add__(self, other: Any, /) -> Any: ...


T = TypeVar("T", bound=_Count)


@dataclass(frozen=True, slots=True)
class Ops:
    """The arithmetic a step is written in: Python ints/bools or Z3 terms."""

    ite: Callable[[Any, Any, Any], Any]
    min: Callable[[Any, Any], Any]
    and_: Callable[..., Any]
    or_: Callable[..., Any]
    not_: Callable[[Any], Any]
    #: floor division by a positive Python int (Python ``//``; Z3's integer ``/`` floors for a positive divisor)
    div: Callable[[Any, int], Any] = lambda a, b: a // b


PY = Ops(
    ite=lambda c, a, b: a if c else b,
    min=min,
    and_=lambda *xs: all(xs),
    or_=lambda *xs: any(xs),
    not_=lambda x: not x,
)
Z3OPS = Ops(
    ite=lambda c, a, b: z3.If(c, a, b),
    min=lambda a, b: z3.If(a <= b, a, b),
    and_=lambda *xs: z3.And(*xs),
    or_=lambda *xs: z3.Or(*xs),
    not_=z3.Not,
    div=lambda a, b: a / b,
)


@dataclass(frozen=True, slots=True)
class CountState(Generic[T]):
    """The counts of one rollout (ints, or Z3 terms when symbolic).

    ``new_*``/``old_*``: ``spec`` = ``spec.replicas``; ``unavailable``/``available`` = active
    (non-terminating) pods of that ReplicaSet that are / are not available;
    ``status_available`` = ``status.availableReplicas`` (what the Deployment controller reads).
    ``terminating``: pods with a deletionTimestamp still present.  ``disruptions``: the
    involuntary-disruption budget left.  ``new_created``: 1 once the new ReplicaSet exists.
    """

    new_spec: T
    new_unavailable: T
    new_available: T
    new_status_available: T
    old_spec: T
    old_unavailable: T
    old_available: T
    old_status_available: T
    terminating: T
    new_created: T
    disruptions: T
    # Pending writes (write granularity; always 0 / -1 at reconcile granularity).  Per ReplicaSet:
    # ``pc`` pod Creates still to come; ``pdu``/``pda`` pod Deletes still to come whose target is
    # now a not-available / available active pod (the targets are among ``unavailable``/``available``);
    # ``ps`` the status.availableReplicas its pending status write will set (-1: none, or equal to
    # the current value: a no-op, since no other writer touches that status while it is pending).
    new_pc: T = 0  # type: ignore[assignment]
    new_pdu: T = 0  # type: ignore[assignment]
    new_pda: T = 0  # type: ignore[assignment]
    new_ps: T = -1  # type: ignore[assignment]
    old_pc: T = 0  # type: ignore[assignment]
    old_pdu: T = 0  # type: ignore[assignment]
    old_pda: T = 0  # type: ignore[assignment]
    old_ps: T = -1  # type: ignore[assignment]
    #: the old ReplicaSet's spec.replicas a pending Deployment-controller Update will set (-1: none)
    dc_pending_old: T = -1  # type: ignore[assignment]
    #: available pods (Ready in the API) whose container has crashed: the kubelet's next status
    #: write makes them not available (counted in ``*_available``)
    new_doomed: T = 0  # type: ignore[assignment]
    old_doomed: T = 0  # type: ignore[assignment]
    #: node failures the budget still allows / that have happened (a failed node's pods can then be
    #: marked not ready, evicted, or removed by PodGC once the operator deletes the Node)
    node_budget: T = 0  # type: ignore[assignment]
    node_down: T = 0  # type: ignore[assignment]
    #: 1: the template changed (a rollout: the Deployment controller acts); 0: no rollout in this
    #: scenario (the Deployment's one ReplicaSet is the old one and nothing scales it)
    rollout: T = 1  # type: ignore[assignment]
    #: 1: strategy Recreate (the Deployment controller runs rolloutRecreate, :func:`_dc_recreate`);
    #: 0: RollingUpdate.  Constant along a run (the scenario never edits the strategy).
    recreate: T = 0  # type: ignore[assignment]
    #: The second old ReplicaSet (``mid``, younger than ``old``): the new ReplicaSet of the rollout a
    #: second image change interrupted (:func:`count_steps` ``rollover``); the fields as ``new_*``/``old_*``.
    #: All 0 (``mid_ps`` -1) in a scenario with one image change.
    mid_spec: T = 0  # type: ignore[assignment]
    mid_unavailable: T = 0  # type: ignore[assignment]
    mid_available: T = 0  # type: ignore[assignment]
    mid_status_available: T = 0  # type: ignore[assignment]
    mid_pc: T = 0  # type: ignore[assignment]
    mid_pdu: T = 0  # type: ignore[assignment]
    mid_pda: T = 0  # type: ignore[assignment]
    mid_ps: T = -1  # type: ignore[assignment]
    mid_doomed: T = 0  # type: ignore[assignment]
    #: image changes still to come after the first (0 or 1: the user's second ``kubectl set image``)
    rollovers: T = 0  # type: ignore[assignment]
    #: write granularity with two old ReplicaSets: the Deployment controller's pending scales in upstream order
    #: when one of them targets ``mid`` (``w``: 1 old, 2 mid, 0 none; ``v``: the spec.replicas it writes);
    #: a queue with no ``mid`` entry is ``dc_pending_old`` as with one old ReplicaSet
    dc_q1w: T = 0  # type: ignore[assignment]
    dc_q1v: T = -1  # type: ignore[assignment]
    dc_q2w: T = 0  # type: ignore[assignment]
    dc_q2v: T = -1  # type: ignore[assignment]
    dc_q3w: T = 0  # type: ignore[assignment]
    dc_q3v: T = -1  # type: ignore[assignment]
    dc_q4w: T = 0  # type: ignore[assignment]
    dc_q4v: T = -1  # type: ignore[assignment]
    #: scale during a rollout (:class:`Scaling`; all 0 without it): the Deployment's spec.replicas now, the
    #: ``deployment.kubernetes.io/desired-replicas`` annotation of the new and the old ReplicaSet (0: none; the
    #: ``max-replicas`` annotation is always written with it, as desired + MaxSurge at desired, so it is a
    #: function of it: :func:`_dc_scaling`), and 1 while the user's scale to target 1 / 2 is still to come
    d_replicas: T = 0  # type: ignore[assignment]
    new_desired: T = 0  # type: ignore[assignment]
    old_desired: T = 0  # type: ignore[assignment]
    scale1: T = 0  # type: ignore[assignment]
    scale2: T = 0  # type: ignore[assignment]
    #: scale during a rollout at write granularity (:func:`_dc_scaling`): the proportional scaling's pending
    #: second ReplicaSet write (``w``: 1 new, 2 old, 0 none; ``v``: the spec.replicas, ``d``: the desired-replicas
    #: annotation it writes).  A pending write of the old ReplicaSet that leaves its annotation as it is, is
    #: ``dc_pending_old`` instead (as the rolling update's), so each object state has one count state.
    dc_sw: T = 0  # type: ignore[assignment]
    dc_sv: T = -1  # type: ignore[assignment]
    dc_sd: T = -1  # type: ignore[assignment]

    def available(self) -> Any:
        """Available active pods of the Deployment (every ReplicaSet)."""
        return self.new_available + self.old_available + self.mid_available

    def spec_sum(self) -> Any:
        return self.new_spec + self.old_spec + self.mid_spec

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def counts(self) -> tuple[Any, ...]:
        """The ten counts without the disruption budget and the pending writes (what the
        reconcile-granularity cross-check compares)."""
        return self.as_tuple()[:10]

    def pending(self) -> tuple[Any, ...]:
        """The pending-write fields (write granularity)."""
        return self.as_tuple()[11:22]


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(CountState))


@dataclass(frozen=True, slots=True)
class Fenceposts(Generic[T]):
    """Resolved rollout bounds: ``surge`` as NewRSNewReplicas/MaxSurge use it and
    ``max_unavailable`` as MaxUnavailable returns it (clamped to replicas)."""

    replicas: T
    surge: T
    max_unavailable: T


@dataclass(frozen=True, slots=True)
class Variant:
    """Which rounding the *controller* uses (the properties always use upstream's).

    ``FIXED`` is upstream; the others are seeded bugs the prover must catch.
    """

    surge_round_up: bool = True
    unavailable_round_up: bool = False
    name: str = "upstream"


FIXED = Variant()
UNAVAILABLE_ROUNDS_UP = Variant(unavailable_round_up=True, name="unavailable-rounds-up")


# ----------------------------------------------------------------------------- fenceposts


def _scaled_py(value: IntOrString, total: int, round_up: bool) -> int:
    return get_scaled_value_from_int_or_percent(value, total, round_up)


def resolve(replicas: int, max_surge: IntOrString, max_unavailable: IntOrString, variant: Variant = FIXED) -> Fenceposts[int]:
    """Python fenceposts (via model.deployment_util.get_scaled_value_from_int_or_percent).

    Mirrors pkg/controller/deployment/util/deployment_util.go ResolveFenceposts, MaxSurge and
    MaxUnavailable for a RollingUpdate Deployment: surge rounds up, unavailable down, both
    zero => unavailable 1, MaxUnavailable clamped to replicas (0 when replicas is 0).
    """
    surge = _scaled_py(max_surge, replicas, variant.surge_round_up)
    unav = _scaled_py(max_unavailable, replicas, variant.unavailable_round_up)
    if surge == 0 and unav == 0:
        unav = 1
    mu = 0 if replicas == 0 else min(unav, replicas)
    return Fenceposts(replicas, surge, mu)


def resolve_spec(replicas: int, max_surge: IntOrString, max_unavailable: IntOrString) -> Fenceposts[int]:
    """The fenceposts the properties are stated with (always upstream's rounding)."""
    return resolve(replicas, max_surge, max_unavailable, FIXED)


# ---------------------------------------------------------------------- scale during a rollout


@dataclass(frozen=True, slots=True)
class Scaling:
    """The user's ``kubectl scale`` of the Deployment during a rollout: each of ``targets`` (one or two
    spec.replicas values) once, at any moment (count steps ``scale1``/``scale2``).

    ``table`` / ``spec_table``: the controller's / the properties' fenceposts at every spec.replicas the
    Deployment can have in the run (the initial one and the targets).  The replicas are concrete (an
    exact-parameter proof): then the proportional scaling's ``round(spec * max / maxBefore)`` is a product
    with constants, linear arithmetic (:func:`_fraction`).  A family proof over symbolic replicas would be
    nonlinear and is not offered (kubecheck.symbolic.check)."""

    targets: tuple[int, ...]
    table: tuple[tuple[int, Fenceposts[int]], ...]
    spec_table: tuple[tuple[int, Fenceposts[int]], ...]

    def values(self) -> tuple[int, ...]:
        return tuple(v for v, _ in self.table)


def scaling_for(replicas: int, max_surge: IntOrString, max_unavailable: IntOrString, targets: Sequence[int],
                variant: Variant = FIXED) -> Scaling:
    """The :class:`Scaling` of a Deployment of ``replicas`` scaled to each of ``targets`` once."""
    targets = tuple(targets)
    if not 1 <= len(targets) <= 2 or any(t < 0 for t in targets):
        raise ValueError(f"scale targets {targets}: one or two non-negative replicas")
    if len(targets) == 2 and 0 in targets:
        # after a scale to 0 a ReplicaSet's max-replicas annotation can be 0, and getReplicaSetFraction then
        # falls back to the Deployment's status.replicas, which the counts do not have
        raise ValueError("two scale targets one of which is 0 are not in the count model")
    values = tuple(dict.fromkeys((replicas, *targets)))
    return Scaling(targets, tuple((v, resolve(v, max_surge, max_unavailable, variant)) for v in values),
                   tuple((v, resolve_spec(v, max_surge, max_unavailable)) for v in values))


def _lookup(o: Ops, x: Any, pairs: Sequence[tuple[int, Any]]) -> Any:
    """``pairs[i][1]`` where ``x == pairs[i][0]`` (the last one's value for any other ``x``), as an ite chain."""
    acc = pairs[-1][1]
    for v, val in reversed(pairs[:-1]):
        acc = o.ite(x == v, val, acc)
    return acc


def _fence_at(o: Ops, table: Sequence[tuple[int, Fenceposts[int]]], x: Any) -> Fenceposts[Any]:
    """The fenceposts at spec.replicas ``x`` (one of the table's values)."""
    return Fenceposts(x, _lookup(o, x, [(v, f.surge) for v, f in table]),
                      _lookup(o, x, [(v, f.max_unavailable) for v, f in table]))


def spec_at(o: Ops, scaling: Scaling, s: CountState[Any]) -> Fenceposts[Any]:
    """The properties' fenceposts at ``s``'s Deployment spec.replicas (KC-ROLL-001/002 judge a step by the
    Deployment as it is after the step)."""
    return _fence_at(o, scaling.spec_table, s.d_replicas)


def _fraction(o: Ops, sc: Scaling, d: Any, spec: Any, desired: Any) -> Any:
    """deployment_util.go getReplicaSetFraction over counts: ``-spec`` when scaling to 0, else
    ``RoundToInt32(spec * (d + MaxSurge(d)) / maxBefore) - spec`` with ``maxBefore`` the ReplicaSet's
    max-replicas annotation, written with its desired-replicas one: ``desired + MaxSurge(desired)``.
    Rounding half away from zero of a non-negative ``spec * A / B``: ``floor((2 * spec * A + B) / (2 * B))``.
    A ``maxBefore`` of 0 (the fallback to status.replicas) is excluded by :func:`scaling_for`; for it (and any
    value outside the table, unreachable) the fraction is 0."""
    cases = []
    for a, fa in sc.table:
        big = a + fa.surge
        for b, fb in sc.table:
            base = b + fb.surge
            val = o.div(2 * spec * big + base, 2 * base) - spec if base > 0 else 0
            cases.append((o.and_(d == a, desired == b), val))
    acc: Any = 0
    for cond, val in reversed(cases):
        acc = o.ite(cond, val, acc)
    return o.ite(d == 0, 0 - spec, acc)


def _proportion(o: Ops, sc: Scaling, d: Any, spec: Any, desired: Any, to_add: Any, added: Any) -> Any:
    """deployment_util.go GetProportion: 0 for an empty ReplicaSet or nothing (left) to add, else the
    fraction bounded by what is left to add (min when adding, max when removing)."""
    frac = _fraction(o, sc, d, spec, desired)
    allowed = to_add - added
    bounded = o.ite(to_add > 0, o.min(frac, allowed), o.ite(frac >= allowed, frac, allowed))
    return o.ite(o.or_(spec == 0, to_add == 0, to_add == added), 0, bounded)


def _dc_scaling(o: Ops, sc: Scaling, s: CountState[Any], write: bool = False) -> tuple[Any, CountState[Any]]:
    """One Deployment-controller reconcile of a RollingUpdate Deployment whose spec.replicas the user may
    change.

    Mirrors pkg/controller/deployment/deployment_controller.go syncDeployment and sync.go over counts:

    * isScalingEvent (an active ReplicaSet's desired-replicas annotation differs from spec.replicas): sync.go
      scale: one active ReplicaSet (FindActiveOrLatest) is scaled to spec.replicas (no write at all when its
      size is right: its stale annotation stays); a saturated new ReplicaSet (IsSaturated) scales the old one to
      0; else both are scaled proportionally (getProportion, ReplicaSetsBySizeNewer when adding, ...Older when
      removing, the leftover to the first) and both annotations written;
    * else rolloutRolling (:func:`_dc`) with the fenceposts at the current spec.replicas; a ReplicaSet it
      creates or scales gets the current desired-replicas annotation.

    ``write=True`` (write granularity): the rolling update is :func:`_dc`'s write-granularity step (its pending
    scale of the old ReplicaSet leaves the annotation as it is: an active ReplicaSet already has the current one,
    else this would be a scaling event); the one-ReplicaSet and saturated branches write once; the proportional
    branch writes each active ReplicaSet whose size or annotation changes (scaleReplicaSet), in upstream's order
    (ReplicaSetsBySizeNewer when adding, ...Older when removing, and unsorted, old then new, when nothing is to
    add: FilterActiveReplicaSets(append(oldRSs, newRS))): the first write lands in the step, the second is
    pending (``dc_sw``/``dc_sv``/``dc_sd``, or ``dc_pending_old`` when it is an old-ReplicaSet scale leaving
    the annotation as it is), landing in ``dc_scaling_pending`` or dropped (``dc_pending_dropped``).  The
    controller does not reconcile while a write of it is pending.
    """
    d = s.d_replicas
    f = _fence_at(o, sc.table, d)
    created = s.new_created == 1
    new_active = o.and_(created, s.new_spec > 0)
    old_active = s.old_spec > 0
    event = o.or_(o.and_(new_active, s.new_desired != d), o.and_(old_active, s.old_desired != d))
    # the rolling update (no scaling event); a ReplicaSet it creates or scales gets the current annotations
    # (scaleReplicaSet; an active one has them already, else this would be a scaling event, but an inactive
    # one may not: the new ReplicaSet at 0 replicas the Deployment was scaled around)
    en_roll, rolled, _ = _dc(o, f, s, write)
    rolled = replace(rolled, new_desired=o.ite(o.or_(o.not_(created), rolled.new_spec != s.new_spec), d, s.new_desired),
                     old_desired=o.ite(rolled.old_spec != s.old_spec, d, s.old_desired))
    # sync.go scale: one active ReplicaSet (FindActiveOrLatest) scaled to spec.replicas, its annotations with it
    one_write = o.ite(new_active, s.new_spec != d, s.old_spec != d)
    one = _choose(o, new_active, replace(s, new_spec=d, new_desired=d), replace(s, old_spec=d, old_desired=d))
    saturated = o.and_(s.new_spec == d, s.new_desired == d, s.new_status_available == d)
    sat = replace(s, old_spec=0, old_desired=d)
    allowed = o.ite(d > 0, d + f.surge, 0)
    to_add = allowed - s.new_spec - s.old_spec

    def spread(first: str, second: str) -> dict[str, Any]:
        p1 = _proportion(o, sc, d, _side(s, first, "spec"), _side(s, first, "desired"), to_add, 0)
        p2 = _proportion(o, sc, d, _side(s, second, "spec"), _side(s, second, "desired"), to_add, p1)
        n1 = _side(s, first, "spec") + p1 + to_add - p1 - p2
        n1 = o.ite(to_add != 0, o.ite(n1 > 0, n1, 0), _side(s, first, "spec") + p1)
        return {f"{first}_spec": n1, f"{second}_spec": _side(s, second, "spec") + p2}

    new_first = o.ite(to_add > 0, s.new_spec >= s.old_spec, s.new_spec > s.old_spec)
    a, b = spread("new", "old"), spread("old", "new")
    prop = replace(s, new_spec=o.ite(new_first, a["new_spec"], b["new_spec"]),
                   old_spec=o.ite(new_first, a["old_spec"], b["old_spec"]), new_desired=d, old_desired=d)
    both = o.and_(new_active, old_active)
    if write:
        # the order of the writes: sorted by size when adding or removing, else old then new (no sort)
        wnf = o.ite(to_add > 0, s.new_spec >= s.old_spec, o.ite(to_add < 0, s.new_spec > s.old_spec, False))
        pn, po = prop.new_spec, prop.old_spec
        wn = o.or_(pn != s.new_spec, s.new_desired != d)  # scaleReplicaSet writes: size or annotations stale
        wo = o.or_(po != s.old_spec, s.old_desired != d)
        head_new = o.and_(wn, o.or_(wnf, o.not_(wo)))
        head_old = o.and_(wo, o.or_(o.not_(wnf), o.not_(wn)))
        rest_new = o.and_(head_old, wn)
        rest_old = o.and_(head_new, wo)
        keep_ann = s.old_desired == d  # a pending old scale leaving the annotation: dc_pending_old
        prop = replace(s, new_spec=o.ite(head_new, pn, s.new_spec), new_desired=o.ite(head_new, d, s.new_desired),
                       old_spec=o.ite(head_old, po, s.old_spec), old_desired=o.ite(head_old, d, s.old_desired),
                       dc_pending_old=o.ite(o.and_(rest_old, keep_ann), po, -1),
                       dc_sw=o.ite(rest_new, 1, o.ite(o.and_(rest_old, o.not_(keep_ann)), 2, 0)),
                       dc_sv=o.ite(rest_new, pn, o.ite(o.and_(rest_old, o.not_(keep_ann)), po, -1)),
                       dc_sd=o.ite(o.or_(rest_new, o.and_(rest_old, o.not_(keep_ann))), d, -1))
    scaled = _choose(o, both, _choose(o, saturated, sat, prop), one)
    en_event = o.or_(both, one_write)
    nxt = _choose(o, event, scaled, rolled)
    enabled = o.ite(event, en_event, en_roll)
    if write:  # nothing of an earlier reconcile pending (the rolling step's own guard says the same)
        enabled = o.and_(enabled, s.dc_pending_old < 0, s.dc_q1w == 0, s.dc_sw == 0)
    return enabled, nxt


def _choose(o: Ops, c: Any, a: CountState[Any], b: CountState[Any]) -> CountState[Any]:
    """``a`` if ``c`` else ``b``, field by field."""
    return CountState(*[o.ite(c, x, y) for x, y in zip(a.as_tuple(), b.as_tuple())])


def _scale_steps(o: Ops, sc: Scaling | None, s: CountState[Any]) -> dict[str, tuple[Any, CountState[Any]]]:
    """The user's ``kubectl scale`` to each target (environment.py ScaleWorkload: an Update of spec.replicas;
    no instance, so no budget spent, when the Deployment already has that many)."""
    never = s.new_created < 0
    out: dict[str, tuple[Any, CountState[Any]]] = {}
    for i, name in enumerate(("scale1", "scale2")):
        if sc is None or i >= len(sc.targets):
            out[name] = (never, s)
            continue
        t = sc.targets[i]
        out[name] = (o.and_(getattr(s, name) == 1, s.d_replicas != t), replace(s, d_replicas=t, **{name: 0}))
    return out


# ------------------------------------------------------------------------------- the steps


def _dc(o: Ops, f: Fenceposts[Any], s: CountState[Any], write: bool = False) -> tuple[Any, CountState[Any], Any]:
    """One Deployment-controller reconcile of a rolling update.

    Mirrors pkg/controller/deployment/rolling.go rolloutRolling: reconcileNewReplicaSet (with
    deployment_util.go NewRSNewReplicas), else reconcileOldReplicaSets = cleanupUnhealthyReplicas
    then scaleDownOldReplicaSetsForRollingUpdate.  Returns (enabled, next state, scaled_new).

    ``write=False``: the reconcile's writes in one step.  ``write=True``: only its first
    ReplicaSet write is applied; a later scale of the old ReplicaSet in the same reconcile (after
    the Create of the new one, or the scale-down after cleanupUnhealthyReplicas) is left in
    ``dc_pending_old``.  The Deployment status write changes no count.  The controller does not
    reconcile again while a write is pending (``KubeSystem`` applies an actor's pending writes first).
    """
    r, os_, ms_ = f.replicas, s.old_spec, s.mid_spec
    max_total = r + f.surge

    def new_rs_new_replicas(ns: Any) -> Any:  # deployment_util.go NewRSNewReplicas (RollingUpdate)
        cur = ns + os_ + ms_
        return o.ite(cur >= max_total, ns, ns + o.min(max_total - cur, r - ns))

    # getNewReplicaSet(create=true): a missing new RS is created with NewRSNewReplicas replicas
    # and the same reconcile goes on (its Create is a write, so the step is enabled).
    created = s.new_created == 1
    ns = o.ite(created, s.new_spec, new_rs_new_replicas(0))
    # reconcileNewReplicaSet
    new_target = o.ite(ns > r, r, new_rs_new_replicas(ns))
    scaled_new = o.and_(ns != r, new_target != ns)
    # reconcileOldReplicaSets: the old ReplicaSets oldest first (``old``, then ``mid``), the active ones
    # (spec.replicas > 0: FilterActiveReplicaSets) in the loops and the available count
    cur = ns + os_ + ms_
    min_avail = r - f.max_unavailable
    new_unavailable = ns - s.new_status_available
    max_scaled_down = cur - min_avail - new_unavailable
    proceed = o.and_(os_ + ms_ != 0, max_scaled_down > 0)
    # cleanupUnhealthyReplicas, oldest first
    skip = o.or_(os_ == 0, os_ == s.old_status_available)
    k1 = o.ite(skip, 0, o.min(max_scaled_down, os_ - s.old_status_available))
    invalid = o.and_(o.not_(skip), k1 < 0)  # "got invalid request to scale down": error, no change
    os1 = os_ - k1
    skip_m = o.or_(k1 >= max_scaled_down, ms_ == 0, ms_ == s.mid_status_available)
    k1m = o.ite(skip_m, 0, o.min(max_scaled_down - k1, ms_ - s.mid_status_available))
    # the error on ``mid`` comes after ``old``'s cleanup write, which stays (the reconcile ends there)
    invalid_m = o.and_(o.not_(invalid), o.not_(skip_m), k1m < 0)
    ms1 = ms_ - k1m
    # scaleDownOldReplicaSetsForRollingUpdate (statuses as listed: unchanged by the cleanup writes)
    avail = s.new_status_available + o.ite(os_ > 0, s.old_status_available, 0) + o.ite(ms_ > 0, s.mid_status_available, 0)
    k2 = o.ite(avail <= min_avail, 0, o.ite(os1 == 0, 0, o.min(os1, avail - min_avail)))
    os2 = os1 - k2
    k2m = o.ite(avail <= min_avail, 0, o.ite(o.or_(k2 >= avail - min_avail, ms1 == 0), 0, o.min(ms1, avail - min_avail - k2)))
    ms2 = ms1 - k2m
    old_next = o.ite(invalid, os_, o.ite(invalid_m, os1, os2))
    mid_next = o.ite(o.or_(invalid, invalid_m), ms_, ms2)
    scaled_old = o.and_(o.not_(scaled_new), proceed, o.or_(old_next != os_, mid_next != ms_))
    if not write:
        enabled = o.or_(o.not_(created), scaled_new, scaled_old)
        nxt = replace(s, new_spec=o.ite(scaled_new, new_target, ns), old_spec=o.ite(scaled_old, old_next, os_),
                      mid_spec=o.ite(scaled_old, mid_next, ms_), new_created=1)
        return enabled, nxt, scaled_new
    # Write granularity: the first write is the Create (not created yet), else the new RS's scale, else the
    # first old-RS scale; the old-RS scales of the reconcile are, in upstream order, A: cleanup of ``old`` (to
    # os1), B: cleanup of ``mid`` (ms1), C: scale-down of ``old`` (os2), D: scale-down of ``mid`` (ms2).  The rest
    # is pending: with no ``mid`` write among it, the final ``old`` value in ``dc_pending_old`` (the one-old
    # ReplicaSet model, unchanged); else the queue in ``dc_q*`` (:func:`_queue`).
    ok = o.and_(scaled_old, o.not_(invalid))
    ok2 = o.and_(ok, o.not_(invalid_m))
    p_a, p_b, p_c, p_d = o.and_(ok, k1 > 0), o.and_(ok2, k1m > 0), o.and_(ok2, k2 > 0), o.and_(ok2, k2m > 0)
    later = o.not_(created)  # after a Create head, every old-RS write is pending
    r_a = o.and_(p_a, later)
    r_b = o.and_(p_b, o.or_(later, p_a))
    r_c = o.and_(p_c, o.or_(later, p_a, p_b))
    r_d = o.and_(p_d, o.or_(later, p_a, p_b, p_c))
    head_old = o.ite(o.and_(created, p_a), os1, o.ite(o.and_(created, o.not_(p_b), p_c), os2, os_))
    head_mid = o.ite(o.and_(created, o.not_(p_a), p_b), ms1,
                     o.ite(o.and_(created, o.not_(p_a), o.not_(p_b), o.not_(p_c), p_d), ms2, ms_))
    mid_rest = o.or_(r_b, r_d)
    pend_old = o.ite(r_c, os2, o.ite(r_a, os1, -1))
    q = _queue(o, [(r_a, 1, os1), (r_b, 2, ms1), (r_c, 1, os2), (r_d, 2, ms2)])
    enabled = o.and_(s.dc_pending_old < 0, s.dc_q1w == 0, o.or_(o.not_(created), scaled_new, scaled_old))
    nxt = replace(
        s,
        new_spec=o.ite(scaled_new, new_target, ns),
        old_spec=o.ite(scaled_old, head_old, os_),
        mid_spec=o.ite(scaled_old, head_mid, ms_),
        new_created=1,
        dc_pending_old=o.ite(mid_rest, -1, pend_old),
        **{f"dc_q{j + 1}{x}": o.ite(mid_rest, q[j][i], (0, -1)[i]) for j in range(4) for i, x in enumerate("wv")},
    )
    return enabled, nxt, scaled_new


def _queue(o: Ops, entries: list[tuple[Any, Any, Any]]) -> list[tuple[Any, Any]]:
    """The present entries of ``entries`` ((present, which, value)) packed to the left into four slots
    ((which, value); (0, -1) when empty): the order of a reconcile's pending writes."""
    slots: list[tuple[Any, Any]] = [(0, -1)] * 4
    n: Any = 0
    for present, w, v in entries:
        for j in range(4):
            at = o.and_(present, n == j)
            slots[j] = (o.ite(at, w, slots[j][0]), o.ite(at, v, slots[j][1]))
        n = n + o.ite(present, 1, 0)
    return slots


def _dc_pending(o: Ops, s: CountState[Any], write: bool, scaling: bool = False) -> dict[str, tuple[Any, CountState[Any]]]:
    """The Deployment controller's pending scales of the old ReplicaSets (write granularity).

    ``dc_scale_old_pending``: the one pending scale of ``old`` lands; ``dc_scaling_pending``: the proportional
    scaling's pending second ReplicaSet write lands (size and annotation, :func:`_dc_scaling`; only with
    ``scaling``: without it the ``dc_s*`` fields are read by no step); ``dc_scale_pending``: the first of the
    queue ``dc_q*`` lands (on ``old`` or ``mid``), the rest moves up (a rest of one ``old`` scale is
    ``dc_pending_old`` again); ``dc_pending_dropped``: the API server refused a pending write (a Conflict: the
    ReplicaSet changed since the read), the reconcile's remaining writes are dropped."""
    never = s.new_created < 0
    pend = s.dc_pending_old
    w1, v1 = s.dc_q1w, s.dc_q1v
    rest = [(s.dc_q2w, s.dc_q2v), (s.dc_q3w, s.dc_q3v), (s.dc_q4w, s.dc_q4v), (0, -1)]
    single_old = o.and_(rest[0][0] == 1, rest[1][0] == 0)
    return {
        "dc_scale_old_pending": (o.and_(pend >= 0) if write else never, replace(s, old_spec=pend, dc_pending_old=-1)),
        "dc_pending_dropped": ((o.or_(pend >= 0, w1 > 0, s.dc_sw > 0) if scaling else o.or_(pend >= 0, w1 > 0)) if write else never,
                               replace(s, dc_pending_old=-1, dc_sw=0, dc_sv=-1, dc_sd=-1,
                                       **{f"dc_q{j}{x}": (0, -1)[i] for j in range(1, 5) for i, x in enumerate("wv")})),
        "dc_scaling_pending": (
            o.and_(s.dc_sw > 0) if write and scaling else never,
            replace(s, new_spec=o.ite(s.dc_sw == 1, s.dc_sv, s.new_spec), new_desired=o.ite(s.dc_sw == 1, s.dc_sd, s.new_desired),
                    old_spec=o.ite(s.dc_sw == 2, s.dc_sv, s.old_spec), old_desired=o.ite(s.dc_sw == 2, s.dc_sd, s.old_desired),
                    dc_sw=0, dc_sv=-1, dc_sd=-1),
        ),
        "dc_scale_pending": (
            o.and_(w1 > 0) if write else never,
            replace(s, old_spec=o.ite(w1 == 1, v1, s.old_spec), mid_spec=o.ite(w1 == 2, v1, s.mid_spec),
                    dc_pending_old=o.ite(single_old, rest[0][1], -1),
                    **{f"dc_q{j + 1}{x}": o.ite(single_old, (0, -1)[i], rest[j][i]) for j in range(4)
                       for i, x in enumerate("wv")}),
        ),
    }


def _dc_recreate(o: Ops, f: Fenceposts[Any], s: CountState[Any], write: bool = False) -> tuple[Any, CountState[Any]]:
    """One Deployment-controller reconcile of a Recreate rollout.

    Mirrors pkg/controller/deployment/recreate.go rolloutRecreate over counts:
    scaleDownOldReplicaSetsForRecreate (an old ReplicaSet with spec.replicas != 0 is scaled to 0 and
    the reconcile ends), else oldPodsRunning (the reconcile ends while an old pod, terminating ones
    included, is not Failed/Succeeded), else getNewReplicaSet(create=true) creates the new ReplicaSet
    with NewRSNewReplicas = spec.replicas (Recreate) and scaleUpNewReplicaSetForRecreate scales it to
    spec.replicas (a no-op after the Create).  The guard of the scale-up is WEAKER than upstream's:
    oldPodsRunning also reads the old ReplicaSets' status.replicas, which the counts do not have, so
    the count step may scale up where upstream still waits (an over-approximation, sound for the
    invariants; docs/semantics.md#recreate).  Every pod counted in ``terminating`` before the new
    ReplicaSet exists is an old one.  One write per reconcile, so ``write`` changes only the guard
    (no Deployment-controller write is pending).
    """
    r = f.replicas
    created = s.new_created == 1
    scale_down = s.old_spec != 0
    running = s.old_unavailable + s.old_available + s.terminating > 0
    scale_up = o.and_(o.not_(scale_down), o.not_(running), o.or_(o.not_(created), s.new_spec != r))
    enabled = o.or_(scale_down, scale_up)
    if write:
        enabled = o.and_(s.dc_pending_old < 0, enabled)
    nxt = replace(
        s,
        old_spec=o.ite(scale_down, 0, s.old_spec),
        new_spec=o.ite(scale_up, r, s.new_spec),
        new_created=o.ite(scale_up, 1, s.new_created),
    )
    return enabled, nxt


def _rs(o: Ops, spec: Any, unav: Any, avail: Any, status: Any, terminating: Any, doomed: Any = 0,
        pick: Any = 0, vanish: Any = 0) -> tuple[Any, tuple[Any, Any, Any, Any, Any]]:
    """One ReplicaSet-controller reconcile over counts (reconcile granularity).

    Mirrors pkg/controller/replicaset/replica_set.go syncReplicaSet/manageReplicas: create
    ``min(spec - active, burstReplicas)`` pods, or delete ``min(active - spec, burstReplicas)``
    with not-available pods first (getPodsToDelete ranks not-ready before ready), then write
    the status calculated from the pods listed before (calculateStatus).  Returns
    ``(enabled, (unavailable, available, status_available, terminating, doomed))``.

    Which available pods go is a nondeterministic choice: a crashed-but-Ready (doomed) pod and a
    healthy one look the same to getPodsToDelete's ranking (ActivePodsWithRanks) up to the
    co-location rank, the Ready time, the API's restart count and the creation time, none of which
    the counts keep.  The deletion takes ``j = lo + pick`` doomed pods, for any ``pick >= 0`` with
    ``lo + pick <= hi``: ``lo = max(0, del_avail - (avail - doomed))`` (fewer healthy pods than
    deletions force doomed ones), ``hi = min(del_avail, doomed)``.  ``pick`` is a Python int (the
    Python callers enumerate it, :func:`py_successors`) or a free Z3 integer (prove._trans).

    ``vanish``: how many of the deleted not-available pods are not bound to a node yet; the API server
    removes such a pod at once instead of marking it terminating (pkg/registry/core/pod/strategy.go
    CheckGracefulDelete: grace 0 when ``spec.nodeName`` is empty), which the counts cannot tell either:
    any ``0 <= vanish <= del_unav`` (0 when nothing is deleted).  :func:`count_steps` gives a nonzero
    choice to the ``mid`` ReplicaSet (whose pods may be unbound when it is scaled down) and, in the
    Python system only, to the others while a node is down (a replacement of an evicted pod may be
    unbound; the step equals ``vanish = 0`` followed by ``vanish`` ``terminating_pod_gone`` steps, so
    the Z3 relation keeps 0 there: the same reachable states; docs/semantics.md, node failure).
    """
    active = unav + avail
    diff = active - spec
    create = o.min(spec - active, BURST_REPLICAS)
    delete = o.min(diff, BURST_REPLICAS)
    del_unav = o.min(delete, unav)
    del_avail = delete - del_unav
    lo = o.ite(del_avail - (avail - doomed) > 0, del_avail - (avail - doomed), 0)
    hi = o.min(del_avail, doomed)
    j = lo + pick
    deleting = diff > 0
    enabled = o.and_(o.or_(diff != 0, status != avail), pick >= 0, o.or_(o.not_(deleting), j <= hi),
                     vanish >= 0, o.ite(deleting, vanish <= del_unav, vanish == 0))
    new_unav = o.ite(diff < 0, unav + create, o.ite(deleting, unav - del_unav, unav))
    new_avail = o.ite(deleting, avail - del_avail, avail)
    new_term = o.ite(deleting, terminating + delete - vanish, terminating)
    new_doomed = o.ite(deleting, doomed - j, doomed)
    return enabled, (new_unav, new_avail, avail, new_term, new_doomed)


def _side(s: CountState[Any], w: str, name: str) -> Any:
    return getattr(s, f"{w}_{name}")


def _rs_write(o: Ops, s: CountState[Any], w: str, unbound: bool = False) -> dict[str, tuple[Any, CountState[Any]]]:
    """The ReplicaSet controller of ``w`` ("new"/"old") at write granularity.

    ``rs_<w>``: a reconcile (enabled when nothing of it is pending and it would write): it plans
    the writes of :func:`_rs` on the pods it listed and applies the first one: a pod Create, a pod
    Delete, or the status write when there is nothing to create or delete; the rest is pending.
    Upstream issues the Deletes concurrently (manageReplicas: one goroutine per pod), so the first
    to land may target a not-available pod (``rs_<w>``), an available one
    (``rs_<w>_head_available``) or an available one whose container crashed (``_head_doomed``).
    ``rs_<w>_create`` / ``_delete_unavailable`` / ``_delete_available`` / ``_delete_doomed`` /
    ``_status``: one pending write (the deletes in any order, the status last, with the value
    computed at the read).

    ``rs_<w>_vanish_head`` / ``rs_<w>_vanish``: the head / a pending Delete of a not-available pod that is not
    bound to a node: removed at once, never terminating (:func:`_rs` ``vanish``).  Enabled for ``mid`` and, with
    ``unbound`` (a scale during a rollout), for ``new`` and ``old`` too.
    """
    g = lambda n: _side(s, w, n)  # noqa: E731
    spec, unav, avail, status = g("spec"), g("unavailable"), g("available"), g("status_available")
    pc, pdu, pda, ps, doomed = g("pc"), g("pdu"), g("pda"), g("ps"), g("doomed")
    active = unav + avail
    diff = active - spec
    busy = o.or_(pc > 0, pdu > 0, pda > 0, ps >= 0)
    create = o.min(spec - active, BURST_REPLICAS)
    delete = o.min(diff, BURST_REPLICAS)
    du = o.min(delete, unav)
    da = delete - du
    status_write = o.ite(status != avail, avail, -1)
    free = o.not_(busy)
    out: dict[str, tuple[Any, CountState[Any]]] = {}
    plan = {f"{w}_ps": o.ite(diff == 0, -1, status_write)}
    # head: create one / delete a not-available pod / status only
    head_unav = du > 0
    out[f"rs_{w}"] = (
        o.and_(free, o.or_(diff < 0, head_unav, o.and_(diff == 0, status != avail))),
        replace(
            s,
            **plan,
            **{
                f"{w}_unavailable": o.ite(diff < 0, unav + 1, o.ite(diff > 0, unav - 1, unav)),
                f"{w}_status_available": o.ite(diff == 0, avail, status),
                "terminating": o.ite(diff > 0, s.terminating + 1, s.terminating),
                f"{w}_pc": o.ite(diff < 0, create - 1, 0),
                f"{w}_pdu": o.ite(diff > 0, du - 1, 0),
                f"{w}_pda": o.ite(diff > 0, da, 0),
            },
        ),
    )
    # head: delete an available pod (healthy / doomed)
    for v, guard, dd in (("head_available", avail - doomed > 0, 0), ("head_doomed", doomed > 0, 1)):
        out[f"rs_{w}_{v}"] = (
            o.and_(free, diff > 0, da > 0, guard),
            replace(
                s,
                **plan,
                **{
                    f"{w}_available": avail - 1,
                    f"{w}_doomed": doomed - dd,
                    "terminating": s.terminating + 1,
                    f"{w}_pc": 0,
                    f"{w}_pdu": du,
                    f"{w}_pda": da - 1,
                },
            ),
        )
    out[f"rs_{w}_create"] = (pc > 0, replace(s, **{f"{w}_unavailable": unav + 1, f"{w}_pc": pc - 1}))
    out[f"rs_{w}_delete_unavailable"] = (
        pdu > 0,
        replace(s, **{f"{w}_unavailable": unav - 1, f"{w}_pdu": pdu - 1, "terminating": s.terminating + 1}),
    )
    out[f"rs_{w}_delete_available"] = (
        o.and_(pda > 0, avail - doomed > 0),
        replace(s, **{f"{w}_available": avail - 1, f"{w}_pda": pda - 1, "terminating": s.terminating + 1}),
    )
    out[f"rs_{w}_delete_doomed"] = (
        o.and_(pda > 0, doomed > 0),
        replace(s, **{f"{w}_available": avail - 1, f"{w}_pda": pda - 1, f"{w}_doomed": doomed - 1, "terminating": s.terminating + 1}),
    )
    out[f"rs_{w}_status"] = (
        o.and_(pc == 0, pdu == 0, pda == 0, ps >= 0),
        replace(s, **{f"{w}_status_available": ps, f"{w}_ps": -1}),
    )
    # a Delete of an unbound pod: removed at once (:func:`_rs` ``vanish``)
    on = w == "mid" or unbound
    never = s.new_created < 0
    out[f"rs_{w}_vanish_head"] = (
        o.and_(free, diff > 0, head_unav) if on else never,
        replace(s, **plan, **{f"{w}_unavailable": unav - 1, f"{w}_pc": 0, f"{w}_pdu": du - 1, f"{w}_pda": da}),
    )
    out[f"rs_{w}_vanish"] = (pdu > 0 if on else never, replace(s, **{f"{w}_unavailable": unav - 1, f"{w}_pdu": pdu - 1}))
    return out


def count_steps(o: Ops, f: Fenceposts[Any], s: CountState[Any], write: bool = False,
                recreate: bool = False, pick: Any = 0,
                take: tuple[Any, ...] | None = None, vanish: Any = 0,
                scaling: Scaling | None = None) -> list[tuple[str, Any, CountState[Any]]]:
    """Every step of :data:`ACTIONS`, in order: ``(name, enabled, next state)``.

    ``write=False``: reconcile granularity (each controller reconcile is one step; the pending
    fields stay 0/-1 and the write-granularity steps are disabled).  ``write=True``: one API write
    per step, as ``KubeSystem``'s default granularity.

    A disruption (``crash_<w>``) is a container crash of an available pod: the pod stays Ready in
    the API (``<w>_doomed``) until its kubelet's status write (``<w>_doomed_unavailable``, or
    ``_doomed_target_unavailable`` when a pending Delete targets it).  ``crash_idle``: a crash that
    changes no count (a not-available or terminating pod's container).

    ``recreate=True``: strategy Recreate; the ``dc`` step is :func:`_dc_recreate` (every other step
    is the same: the ReplicaSet controller, the kubelet and the faults do not read the strategy).

    ``pick``: the nondeterministic choice of the reconcile-granularity ReplicaSet step (how many
    doomed pods above the least possible number its deletions take, :func:`_rs`); a Python int
    (0: the fewest; :func:`py_successors` enumerates them all) or a free Z3 integer.  Every other
    step ignores it.

    ``take``: the free counts of the bulk node-lifecycle steps ``lost_bulk`` / ``evict_bulk``
    (reconcile granularity only), one per :data:`BULK_FIELDS`: Python ints (:func:`py_successors`
    enumerates them) or free Z3 integers; ``None``: all 0 (the bulk steps are disabled).

    ``vanish``: the choice of the reconcile-granularity ReplicaSet steps (how many of the not-available pods
    they delete are unbound and removed at once, :func:`_rs`): any for ``rs_mid``; for ``rs_new``/``rs_old``
    only while a node is down and only as a Python int (prove._trans's free integer reaches ``rs_mid`` only).
    :func:`py_successors` enumerates it.

    ``rollover`` (:func:`_rollover`): the user's second image change; the former new ReplicaSet becomes the
    second old one, ``mid``, which every ReplicaSet, kubelet and crash step treats as the other two.

    ``scaling`` (:class:`Scaling`, RollingUpdate, either granularity): the user's ``kubectl scale`` of the
    Deployment during the rollout (``scale1``/``scale2``); the ``dc`` step is then :func:`_dc_scaling`, with the
    fenceposts at the current spec.replicas (``f`` is not read).
    """
    out: dict[str, tuple[Any, CountState[Any]]] = {}
    never = s.new_created < 0  # a false condition of the right sort (new_created >= 0 always)
    if scaling is not None:
        if recreate:
            raise ValueError("scale during a rollout is in the count model for RollingUpdate")
        out["dc"] = _dc_scaling(o, scaling, s, write)
    elif recreate:
        out["dc"] = _dc_recreate(o, f, s, write)
    else:
        en, nxt, _ = _dc(o, f, s, write)
        out["dc"] = (en, nxt)
    for w in SIDES:
        if write:
            out.update(_rs_write(o, s, w, scaling is not None))
        else:
            # new/old: Python ints only (see the docstring), or with scaling (a free Z3 integer too)
            v = vanish if w == "mid" or isinstance(vanish, int) or scaling is not None else 0
            en, (u, a, st, t, dm) = _rs(o, _side(s, w, "spec"), _side(s, w, "unavailable"), _side(s, w, "available"),
                                        _side(s, w, "status_available"), s.terminating, _side(s, w, "doomed"), pick, v)
            if w != "mid" and not (isinstance(v, int) and v == 0) and scaling is None:
                en = o.and_(en, s.node_down > 0)
            out[f"rs_{w}"] = (en, replace(s, **{f"{w}_unavailable": u, f"{w}_available": a, f"{w}_status_available": st,
                                                "terminating": t, f"{w}_doomed": dm}))
            for v in ("create", "delete_unavailable", "delete_available", "status", "head_available", "head_doomed", "delete_doomed",
                      "vanish_head", "vanish"):
                out[f"rs_{w}_{v}"] = (never, s)
        u, a, pdu, pda, dm = (_side(s, w, n) for n in ("unavailable", "available", "pdu", "pda", "doomed"))
        out[f"{w}_pod_available"] = (u - pdu > 0, replace(s, **{f"{w}_unavailable": u - 1, f"{w}_available": a + 1}))
        out[f"{w}_target_available"] = (
            pdu > 0,
            replace(s, **{f"{w}_unavailable": u - 1, f"{w}_available": a + 1, f"{w}_pdu": pdu - 1, f"{w}_pda": pda + 1}),
        )
        out[f"crash_{w}"] = (
            o.and_(s.disruptions > 0, a - dm > 0),
            replace(s, **{f"{w}_doomed": dm + 1, "disruptions": s.disruptions - 1}),
        )
        out[f"{w}_doomed_unavailable"] = (
            o.and_(dm > 0, a - pda > 0),
            replace(s, **{f"{w}_unavailable": u + 1, f"{w}_available": a - 1, f"{w}_doomed": dm - 1}),
        )
        out[f"{w}_doomed_target_unavailable"] = (
            o.and_(dm > 0, pda > 0),
            replace(s, **{f"{w}_unavailable": u + 1, f"{w}_available": a - 1, f"{w}_doomed": dm - 1, f"{w}_pdu": pdu + 1, f"{w}_pda": pda - 1}),
        )
    out["terminating_pod_gone"] = (s.terminating > 0, replace(s, terminating=s.terminating - 1))
    out.update(_dc_pending(o, s, write, scaling is not None))
    out["crash_idle"] = (s.disruptions > 0, replace(s, disruptions=s.disruptions - 1))
    out.update(_node_steps(o, s, write, take))
    out["rollover"] = _rollover(o, s, write)
    out.update(_scale_steps(o, scaling, s))
    out["dc"] = (o.and_(s.rollout == 1, out["dc"][0]), out["dc"][1])  # no rollout: the Deployment controller never scales
    assert set(out) == set(ACTIONS), sorted(set(out) ^ set(ACTIONS))
    return [(name, *out[name]) for name in ACTIONS]


def _rollover(o: Ops, s: CountState[Any], write: bool) -> tuple[Any, CountState[Any]]:
    """The user's second ``kubectl set image`` during a rolling update (spends ``rollovers``).

    Upstream (pkg/controller/deployment/sync.go getAllReplicaSetsAndSyncRevision, deployment_util.go
    FindNewReplicaSet / FindOldReplicaSets): the new ReplicaSet is the one whose template equals the
    Deployment's ignoring ``pod-template-hash``; after the template changes, the former new ReplicaSet is
    an old one, younger than every other old one (ReplicaSetsByCreationTimestamp), and no new ReplicaSet
    exists until the Deployment controller's next reconcile creates it (``new_created`` 0).  So the step
    moves every count of ``new`` to ``mid`` and empties ``new``; before the first new ReplicaSet exists it
    changes only the template (a stutter of the counts).  Scope: one second change (``mid`` is unused
    before it: ``rollovers`` <= 1), no node failure and not Recreate (docs/semantics.md, "Several old
    ReplicaSets"); at write granularity the Deployment controller's pending scales of both old ReplicaSets
    are the queue ``dc_q*`` (:func:`_dc`, :func:`_dc_pending`)."""
    moved = {f"mid_{n}": _side(s, "new", n) for n in ("spec", "unavailable", "available", "status_available",
                                                      "pc", "pdu", "pda", "ps", "doomed")}
    emptied = {"new_spec": 0, "new_unavailable": 0, "new_available": 0, "new_status_available": 0, "new_pc": 0,
               "new_pdu": 0, "new_pda": 0, "new_ps": -1, "new_doomed": 0, "new_created": 0}
    created = s.new_created == 1
    nxt = replace(s, **{k: o.ite(created, v, _side(s, "mid", k[4:])) for k, v in moved.items()},
                  **{k: o.ite(created, v, getattr(s, k)) for k, v in emptied.items()}, rollovers=s.rollovers - 1)
    enabled = o.and_(s.rollovers > 0, s.rollout == 1, s.recreate == 0)
    return enabled, nxt


def py_successors(f: Fenceposts[int], s: CountState[int], write: bool = False,
                  recreate: bool = False, scaling: Scaling | None = None) -> list[tuple[str, CountState[int]]]:
    """Every enabled step of the Python count model from ``s``: ``(name, next state)`` in
    :data:`ACTIONS` order, each reconcile-granularity ReplicaSet step once per choice of the doomed
    pods it deletes (:func:`_rs`; only ``pick`` up to the larger doomed count can be enabled)."""
    out: list[tuple[str, CountState[int]]] = []
    extra: list[tuple[str, CountState[int]]] = []
    for name, en, nxt in count_steps(PY, f, s, write, recreate, scaling=scaling):
        if en:
            out.append((name, nxt))
    if not write:
        for pick in range(1, max(s.new_doomed, s.old_doomed, s.mid_doomed) + 1):
            for name, en, nxt in count_steps(PY, f, s, write, recreate, pick, scaling=scaling):
                if en and name in ("rs_new", "rs_old", "rs_mid"):
                    extra.append((name, nxt))
        for vanish in range(1, s.mid_unavailable + 1):  # unbound mid pods deleted at once (:func:`_rs` ``vanish``)
            for pick in range(0, s.mid_doomed + 1):
                for name, en, nxt in count_steps(PY, f, s, write, recreate, pick, None, vanish, scaling):
                    if en and name == "rs_mid":
                        extra.append((name, nxt))
        if s.node_down > 0 or scaling is not None:
            # the ReplicaSet step deleting unbound pods (removed at once, not terminating): _rs ``gone``; a pod
            # of a ReplicaSet a scaling event scaled up may still be unbound when the next one scales it down
            unbound: dict[tuple[str, CountState[int]], None] = {}
            for pick in range(0, max(s.new_doomed, s.old_doomed) + 1):
                for gone in range(1, max(s.new_unavailable, s.old_unavailable) + 1):
                    for name, en, nxt in count_steps(PY, f, s, write, recreate, pick, None, gone, scaling):
                        if en and name in ("rs_new", "rs_old"):
                            unbound[(name, nxt)] = None
            extra.extend(unbound)
        if s.node_down > 0:  # the bulk node-lifecycle steps: every choice of counts per class
            bulk: dict[tuple[str, CountState[int]], None] = {}
            for take in product(*(range(_bulk_max(s, fld) + 1) for fld in BULK_FIELDS)):
                node = _node_steps(PY, s, write, take)  # only the node steps: count_steps' other steps ignore take
                for name in ("lost_bulk", "evict_bulk"):
                    en, nxt = node[name]
                    if en:
                        bulk[(name, nxt)] = None
            extra.extend(bulk)
    if not extra:
        return out
    order = {name: i for i, name in enumerate(ACTIONS)}
    return sorted(out + extra, key=lambda e: order[e[0]])  # stable: pick 0 first


def _bulk_max(s: CountState[int], fld: str) -> int:
    """The most pods of class ``fld`` (a :data:`BULK_FIELDS` name) a bulk step can take from ``s``."""
    w, cls = fld.split("_")
    u, a, dm = (_side(s, w, n) for n in ("unavailable", "available", "doomed"))
    return int({"u": u, "a": a - dm, "d": dm}[cls])


def _node_steps(o: Ops, s: CountState[Any], write: bool = False,
                bulk: tuple[Any, ...] | None = None) -> dict[str, tuple[Any, CountState[Any]]]:
    """Node failure and what follows it, over counts (none is a workload-controller step).

    ``node_fail``: a node stops reporting Ready (spends ``node_budget``; no count changes: its pods
    stay Ready in the API).  Which pods the failed node holds is not in the counts, so every step
    below may take ANY active pod of the class it names, once some node is down (``node_down > 0``):
    the object model's pods on the failed node are among them (an over-approximation, docs/semantics.md).

    * ``<w>_lost`` / ``<w>_lost_target``: the node lifecycle controller's MarkPodsNotReady writes
      Ready=False on a healthy available pod (not / targeted by a pending ReplicaSet Delete); a
      doomed pod's is the existing ``<w>_doomed_unavailable`` step;
    * ``evict_<w>_<cls>``: taint eviction deletes the pod gracefully: it becomes terminating (a
      pending Delete that targeted it is now a no-op and no longer counted);
    * ``gone_<w>_<cls>``: PodGC removes the pod object of a deleted Node (an operator's ``kubectl
      delete node``): it leaves without ever being terminating.
    * ``lost_bulk`` / ``evict_bulk`` (reconcile granularity only: there no Delete is pending, so the
      classes are ``u``, ``a``, ``d``): one node-lifecycle reconcile (MarkPodsNotReady, or the taint
      eviction of every pod on the node) takes ``bulk`` pods, any number of each class of each
      ReplicaSet up to what the counts hold (``bulk``), at least two in all (one is the single steps above).
      ``lost_bulk`` ignores the ``u`` counts (marking a not-ready pod changes no count) and requires
      them 0.  Each is a composition of single steps above (each stays enabled along the way), so the
      reachable count states are the same as without them (docs/semantics.md).
    """
    out: dict[str, tuple[Any, CountState[Any]]] = {}
    down = s.node_down > 0
    out["node_fail"] = (s.node_budget > 0, replace(s, node_budget=s.node_budget - 1, node_down=s.node_down + 1))
    for w in ("new", "old"):
        u, a, pdu, pda, dm = (_side(s, w, n) for n in ("unavailable", "available", "pdu", "pda", "doomed"))
        out[f"{w}_lost"] = (o.and_(down, a - dm > 0, a - pda > 0), replace(s, **{f"{w}_unavailable": u + 1, f"{w}_available": a - 1}))
        out[f"{w}_lost_target"] = (
            o.and_(down, a - dm > 0, pda > 0),
            replace(s, **{f"{w}_unavailable": u + 1, f"{w}_available": a - 1, f"{w}_pda": pda - 1, f"{w}_pdu": pdu + 1}),
        )
        # cls -> (guard, changed fields) of taking one such pod out of the active pods
        take: dict[str, tuple[Any, dict[str, Any]]] = {
            "u": (u - pdu > 0, {f"{w}_unavailable": u - 1}),
            "ut": (pdu > 0, {f"{w}_unavailable": u - 1, f"{w}_pdu": pdu - 1}),
            "a": (o.and_(a - dm > 0, a - pda > 0), {f"{w}_available": a - 1}),
            "at": (o.and_(a - dm > 0, pda > 0), {f"{w}_available": a - 1, f"{w}_pda": pda - 1}),
            "d": (o.and_(dm > 0, a - pda > 0), {f"{w}_available": a - 1, f"{w}_doomed": dm - 1}),
            "dt": (o.and_(dm > 0, pda > 0), {f"{w}_available": a - 1, f"{w}_doomed": dm - 1, f"{w}_pda": pda - 1}),
        }
        for cls in POD_CLASSES:
            guard, moved = take[cls]
            out[f"evict_{w}_{cls}"] = (o.and_(down, guard), replace(s, **moved, terminating=s.terminating + 1))
            out[f"gone_{w}_{cls}"] = (o.and_(down, guard), replace(s, **moved))
    never = s.new_created < 0
    if write or bulk is None:
        out["lost_bulk"] = (never, s)
        out["evict_bulk"] = (never, s)
        return out
    k = dict(zip(BULK_FIELDS, bulk, strict=True))
    bounds = []
    for w in ("new", "old"):
        u, a, dm = (_side(s, w, n) for n in ("unavailable", "available", "doomed"))
        bounds += [k[f"{w}_u"] >= 0, k[f"{w}_u"] <= u, k[f"{w}_a"] >= 0, k[f"{w}_a"] <= a - dm,
                   k[f"{w}_d"] >= 0, k[f"{w}_d"] <= dm]
    marked = k["new_a"] + k["new_d"] + k["old_a"] + k["old_d"]
    taken = marked + k["new_u"] + k["old_u"]
    lost = {f: v for w in ("new", "old") for f, v in (
        (f"{w}_unavailable", _side(s, w, "unavailable") + k[f"{w}_a"] + k[f"{w}_d"]),
        (f"{w}_available", _side(s, w, "available") - k[f"{w}_a"] - k[f"{w}_d"]),
        (f"{w}_doomed", _side(s, w, "doomed") - k[f"{w}_d"]))}
    evicted = {f: v for w in ("new", "old") for f, v in (
        (f"{w}_unavailable", _side(s, w, "unavailable") - k[f"{w}_u"]),
        (f"{w}_available", _side(s, w, "available") - k[f"{w}_a"] - k[f"{w}_d"]),
        (f"{w}_doomed", _side(s, w, "doomed") - k[f"{w}_d"]))}
    out["lost_bulk"] = (o.and_(down, *bounds, k["new_u"] == 0, k["old_u"] == 0, marked >= 2), replace(s, **lost))
    out["evict_bulk"] = (o.and_(down, *bounds, taken >= 2), replace(s, **evicted, terminating=s.terminating + taken))
    return out


def initial_state(replicas: Any, disruptions: Any = 0, node_failures: Any = 0, rollout: Any = 1,
                  recreate: Any = 0, rollovers: Any = 0, scales: int = 0) -> CountState[Any]:
    """The start of a rollout: the old ReplicaSet steady (``replicas`` pods, all available,
    status up to date), the new one not created yet (spec 0, no pods).  ``rollout = 0``: the same
    steady state in a scenario without a template change (nothing rolls).  ``rollovers``: image
    changes the user may still make after the first (0 or 1, :func:`_rollover`).  ``scales``: the user's
    scale targets (:class:`Scaling`; the old ReplicaSet's desired-replicas annotation is ``replicas``)."""
    scaled: dict[str, Any] = ({} if not scales else
                              {"d_replicas": replicas, "old_desired": replicas, "scale1": 1, "scale2": int(scales > 1)})
    return CountState(0, 0, 0, 0, replicas, 0, replicas, replicas, 0, 0, disruptions,
                      node_budget=node_failures, node_down=0, rollout=rollout, recreate=recreate, rollovers=rollovers,
                      **scaled)


# ------------------------------------------------------------------------------ properties


def min_available_holds(spec: Fenceposts[Any], s: CountState[Any]) -> Any:
    """KC-ROLL-001 as a state predicate: available pods >= replicas - MaxUnavailable."""
    return s.available() >= spec.replicas - spec.max_unavailable


def surge_holds(spec: Fenceposts[Any], s: CountState[Any]) -> Any:
    """KC-ROLL-002 as a state predicate: Σ spec.replicas <= replicas + MaxSurge."""
    return s.spec_sum() <= spec.replicas + spec.surge


def recreate_no_overlap_holds(s: CountState[Any]) -> Any:
    """KC-ROLL-005 over counts: no new pod exists while an old pod (active or terminating) does.

    Two extra conjuncts make ``terminating`` mean "old pods" in every reachable state, which the
    counts alone do not say: the new ReplicaSet never has more pods (or pending Creates) than its
    spec.replicas and never a pending pod Delete, so no count step ever deletes a new pod.  With
    the refinement (a deletion of a new pod maps onto a count step deleting one) no new pod is ever
    terminating in the object model either, and then the object rule's violation (two ReplicaSets
    with a non-terminal pod) projects onto a count state violating the first conjunct."""
    new_pods = s.new_unavailable + s.new_available
    return _overlap_free(
        s,
        new_pods == 0,
        s.old_unavailable + s.old_available + s.terminating == 0,
        new_pods + s.new_pc <= s.new_spec,
        s.new_pdu + s.new_pda == 0,
    )


def _overlap_free(s: CountState[Any], no_new: Any, no_old: Any, within: Any, no_delete: Any) -> Any:
    """``(no_new or no_old) and within and no_delete`` as a Python bool or a Z3 term (by the count's type)."""
    if isinstance(s.new_spec, int):
        return (no_new or no_old) and within and no_delete
    return z3.And(z3.Or(no_new, no_old), within, no_delete)


# ------------------------------------------------------------------ explicit count system


class CountSystem(BaseSystem[CountState[int]]):
    """The count model for concrete parameters as an engine ``TransitionSystem``.

    Actions are the enabled entries of :data:`ACTIONS` in that order (a trace's action index
    is the position among the enabled ones, as :meth:`BaseSystem.successors` yields them).
    """

    def __init__(
        self,
        replicas: int,
        max_surge: IntOrString,
        max_unavailable: IntOrString,
        *,
        disruptions: int = 0,
        variant: Variant = FIXED,
        write: bool = False,
        node_failures: int = 0,
        rollout: bool = True,
        recreate: bool = False,
        rollovers: int = 0,
        scale_targets: Sequence[int] = (),
    ) -> None:
        self.scaling = (scaling_for(replicas, max_surge, max_unavailable, scale_targets, variant)
                        if scale_targets else None)
        if self.scaling is not None and (recreate or node_failures or rollovers or not rollout):
            raise ValueError("scale during a rollout is in the count model for a RollingUpdate rollout "
                             "without node failures or a second image change")
        if rollovers not in (0, 1) or (rollovers and (recreate or node_failures or not rollout)):
            raise ValueError("a second image change (rollovers 1) is in the count model for a RollingUpdate rollout "
                             "without node failures")
        self.rollovers = rollovers
        self.replicas = replicas
        self.recreate = recreate
        self.node_failures = node_failures
        self.rollout = rollout
        self.max_surge = max_surge
        self.max_unavailable = max_unavailable
        self.disruptions = disruptions
        self.variant = variant
        self.write = write
        self.fenceposts = resolve(replicas, max_surge, max_unavailable, variant)
        self.spec = resolve_spec(replicas, max_surge, max_unavailable)

    def init_states(self) -> Sequence[CountState[int]]:
        return (initial_state(self.replicas, self.disruptions, self.node_failures, int(self.rollout), int(self.recreate),
                              self.rollovers, len(self.scaling.targets) if self.scaling else 0),)

    def successors(self, state: CountState[int]) -> list[tuple[Action, CountState[int]]]:
        out = []
        for name, nxt in py_successors(self.fenceposts, state, self.write, self.recreate, self.scaling):
            fair = name not in DISRUPTION_ACTIONS and name not in USER_ACTIONS
            out.append((Action(_ACTOR[name], name, fair), nxt))
        return out

    def actions(self, state: CountState[int]) -> Sequence[Action]:
        return [a for a, _ in self.successors(state)]

    def step(self, state: CountState[int], action: Action) -> CountState[int] | None:
        for a, nxt in self.successors(state):
            if a == action:
                return nxt
        return None

    def describe_state(self, state: CountState[int]) -> dict[str, str]:
        return {name: str(getattr(state, name)) for name in FIELD_NAMES}

    def reachable(self) -> set[CountState[int]]:
        """Every reachable state (plain BFS; the count space is small for small replicas)."""
        init = self.init_states()[0]
        seen: set[CountState[int]] = {init}
        frontier = [init]
        while frontier:
            nxt_frontier = []
            for s in frontier:
                for _, n in self.successors(s):
                    if n not in seen:
                        seen.add(n)
                        nxt_frontier.append(n)
            frontier = nxt_frontier
        return seen


_ACTOR: dict[str, str] = {
    "dc": "deployment-controller",
    "rs_new": "replicaset-controller/new",
    "rs_old": "replicaset-controller/old",
    "new_pod_available": "kubelet/new",
    "old_pod_available": "kubelet/old",
    "terminating_pod_gone": "kubelet",
    "crash_new": "fault",
    "crash_old": "fault",
    "dc_scale_old_pending": "deployment-controller",
    "dc_pending_dropped": "deployment-controller",
    "dc_scaling_pending": "deployment-controller",
    "dc_scale_pending": "deployment-controller",
    **{f"rs_{w}_vanish{h}": f"replicaset-controller/{w}" for w in SIDES for h in ("_head", "")},
    "new_target_available": "kubelet/new",
    "old_target_available": "kubelet/old",
    "crash_idle": "fault",
    "new_doomed_unavailable": "kubelet/new",
    "old_doomed_unavailable": "kubelet/old",
    "new_doomed_target_unavailable": "kubelet/new",
    "old_doomed_target_unavailable": "kubelet/old",
    "node_fail": "fault",
    "lost_bulk": "node-lifecycle-controller",
    "rollover": "user",
    "scale1": "user",
    "scale2": "user",
    "rs_mid": "replicaset-controller/mid",
    "mid_pod_available": "kubelet/mid",
    "mid_target_available": "kubelet/mid",
    "crash_mid": "fault",
    "mid_doomed_unavailable": "kubelet/mid",
    "mid_doomed_target_unavailable": "kubelet/mid",
    "evict_bulk": "node-lifecycle-controller",
    **{f"{w}_lost{t}": "node-lifecycle-controller" for w in ("new", "old") for t in ("", "_target")},
    **{f"evict_{w}_{c}": "taint-eviction-controller" for w in ("new", "old") for c in POD_CLASSES},
    **{f"gone_{w}_{c}": "pod-gc-controller" for w in ("new", "old") for c in POD_CLASSES},
    **{f"rs_{w}_{v}": f"replicaset-controller/{w}" for w in SIDES for v in ("create", "delete_unavailable", "delete_available", "status", "head_available", "head_doomed", "delete_doomed")},
}


def actor_of(name: str) -> str:
    return _ACTOR[name]


def state_key(s: CountState[int]) -> Hashable:
    return s.as_tuple()
