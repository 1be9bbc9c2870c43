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
  available), spending the disruption budget.

The step semantics is written ONCE (:func:`count_steps`) over an :class:`Ops` record; the
Python instance :data:`PY` gives the explicit count system, :data:`Z3OPS` the SMT transition
relation, so the two cannot drift apart.  docs/semantics.md#symbolic states every abstraction
and why it is sound for the rollout properties; tests/symbolic/test_crosscheck.py compares the
reachable count vectors with the object model (``model.system.KubeSystem``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, Protocol, TypeVar

import z3

from kubecheck.core.ts import Action, BaseSystem
from model.deployment_util import get_scaled_value_from_int_or_percent
from model.objects import IntOrString

__all__ = [
    "BURST_REPLICAS",
    "ACTIONS",
    "CONTROLLER_ACTIONS",
    "Ops",
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
    "initial_state",
    "CountSystem",
    "min_available_holds",
    "surge_holds",
]

#: pkg/controller/replicaset/replica_set.go BurstReplicas.
BURST_REPLICAS = 500

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
)
#: The controller steps: the only ones the rollout properties judge.
CONTROLLER_ACTIONS: frozenset[str] = frozenset({"dc", "rs_new", "rs_old"})


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

    def available(self) -> Any:
        """Available active pods of the Deployment (both ReplicaSets)."""
        return self.new_available + self.old_available

    def spec_sum(self) -> Any:
        return self.new_spec + self.old_spec

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def counts(self) -> tuple[Any, ...]:
        """The vector without the disruption budget (what the cross-check compares)."""
        return self.as_tuple()[:-1]


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


# ------------------------------------------------------------------------------- the steps


def _dc(o: Ops, f: Fenceposts[Any], s: CountState[Any]) -> tuple[Any, CountState[Any], Any]:
    """One Deployment-controller reconcile of a rolling update (reconcile granularity).

    Mirrors pkg/controller/deployment/rolling.go rolloutRolling: reconcileNewReplicaSet (with
    deployment_util.go NewRSNewReplicas), else reconcileOldReplicaSets = cleanupUnhealthyReplicas
    then scaleDownOldReplicaSetsForRollingUpdate.  Returns (enabled, next state, scaled_new).
    """
    r, os_ = f.replicas, s.old_spec
    max_total = r + f.surge

    def new_rs_new_replicas(ns: Any) -> Any:  # deployment_util.go NewRSNewReplicas (RollingUpdate)
        cur = ns + os_
        return o.ite(cur >= max_total, ns, ns + o.min(max_total - cur, r - ns))

    # getNewReplicaSet(create=true): a missing new RS is created with NewRSNewReplicas replicas
    # and the same reconcile goes on (its Create is a write, so the step is enabled).
    created = s.new_created == 1
    ns = o.ite(created, s.new_spec, new_rs_new_replicas(0))
    # reconcileNewReplicaSet
    new_target = o.ite(ns > r, r, new_rs_new_replicas(ns))
    scaled_new = o.and_(ns != r, new_target != ns)
    # reconcileOldReplicaSets
    cur = ns + os_
    min_avail = r - f.max_unavailable
    new_unavailable = ns - s.new_status_available
    max_scaled_down = cur - min_avail - new_unavailable
    proceed = o.and_(os_ != 0, max_scaled_down > 0)
    # cleanupUnhealthyReplicas (one old RS)
    skip = o.or_(os_ == 0, os_ == s.old_status_available)
    k1 = o.ite(skip, 0, o.min(max_scaled_down, os_ - s.old_status_available))
    invalid = o.and_(o.not_(skip), k1 < 0)  # "got invalid request to scale down": error, no change
    os1 = os_ - k1
    # scaleDownOldReplicaSetsForRollingUpdate (statuses as listed: unchanged by the cleanup write)
    avail = s.new_status_available + s.old_status_available
    k2 = o.ite(avail <= min_avail, 0, o.ite(os1 == 0, 0, o.min(os1, avail - min_avail)))
    os2 = os1 - k2
    scaled_old = o.and_(o.not_(scaled_new), proceed, o.not_(invalid), os2 != os_)
    enabled = o.or_(o.not_(created), scaled_new, scaled_old)
    nxt = CountState(
        o.ite(scaled_new, new_target, ns),
        s.new_unavailable,
        s.new_available,
        s.new_status_available,
        o.ite(scaled_old, os2, os_),
        s.old_unavailable,
        s.old_available,
        s.old_status_available,
        s.terminating,
        1,
        s.disruptions,
    )
    return enabled, nxt, scaled_new


def _rs(o: Ops, spec: Any, unav: Any, avail: Any, status: Any, terminating: Any) -> tuple[Any, tuple[Any, Any, Any, Any]]:
    """One ReplicaSet-controller reconcile over counts.

    Mirrors pkg/controller/replicaset/replica_set.go syncReplicaSet/manageReplicas: create
    ``min(spec - active, burstReplicas)`` pods, or delete ``min(active - spec, burstReplicas)``
    with not-available pods first (getPodsToDelete ranks not-ready before ready), then write
    the status calculated from the pods listed before (calculateStatus).
    """
    active = unav + avail
    diff = active - spec
    create = o.min(spec - active, BURST_REPLICAS)
    delete = o.min(diff, BURST_REPLICAS)
    del_unav = o.min(delete, unav)
    del_avail = delete - del_unav
    enabled = o.or_(diff != 0, status != avail)
    new_unav = o.ite(diff < 0, unav + create, o.ite(diff > 0, unav - del_unav, unav))
    new_avail = o.ite(diff > 0, avail - del_avail, avail)
    new_term = o.ite(diff > 0, terminating + delete, terminating)
    return enabled, (new_unav, new_avail, avail, new_term)


def count_steps(o: Ops, f: Fenceposts[Any], s: CountState[Any]) -> list[tuple[str, Any, CountState[Any]]]:
    """Every step of :data:`ACTIONS`, in order: ``(name, enabled, next state)``."""
    out: list[tuple[str, Any, CountState[Any]]] = []
    en, nxt, _ = _dc(o, f, s)
    out.append(("dc", en, nxt))
    en, (u, a, st, t) = _rs(o, s.new_spec, s.new_unavailable, s.new_available, s.new_status_available, s.terminating)
    out.append(("rs_new", en, CountState(s.new_spec, u, a, st, s.old_spec, s.old_unavailable, s.old_available, s.old_status_available, t, s.new_created, s.disruptions)))
    en, (u, a, st, t) = _rs(o, s.old_spec, s.old_unavailable, s.old_available, s.old_status_available, s.terminating)
    out.append(("rs_old", en, CountState(s.new_spec, s.new_unavailable, s.new_available, s.new_status_available, s.old_spec, u, a, st, t, s.new_created, s.disruptions)))
    out.append((
        "new_pod_available",
        s.new_unavailable > 0,
        CountState(s.new_spec, s.new_unavailable - 1, s.new_available + 1, s.new_status_available, s.old_spec, s.old_unavailable, s.old_available, s.old_status_available, s.terminating, s.new_created, s.disruptions),
    ))
    out.append((
        "old_pod_available",
        s.old_unavailable > 0,
        CountState(s.new_spec, s.new_unavailable, s.new_available, s.new_status_available, s.old_spec, s.old_unavailable - 1, s.old_available + 1, s.old_status_available, s.terminating, s.new_created, s.disruptions),
    ))
    out.append((
        "terminating_pod_gone",
        s.terminating > 0,
        CountState(s.new_spec, s.new_unavailable, s.new_available, s.new_status_available, s.old_spec, s.old_unavailable, s.old_available, s.old_status_available, s.terminating - 1, s.new_created, s.disruptions),
    ))
    out.append((
        "crash_new",
        o.and_(s.disruptions > 0, s.new_available > 0),
        CountState(s.new_spec, s.new_unavailable + 1, s.new_available - 1, s.new_status_available, s.old_spec, s.old_unavailable, s.old_available, s.old_status_available, s.terminating, s.new_created, s.disruptions - 1),
    ))
    out.append((
        "crash_old",
        o.and_(s.disruptions > 0, s.old_available > 0),
        CountState(s.new_spec, s.new_unavailable, s.new_available, s.new_status_available, s.old_spec, s.old_unavailable + 1, s.old_available - 1, s.old_status_available, s.terminating, s.new_created, s.disruptions - 1),
    ))
    return out


def initial_state(replicas: Any, disruptions: Any = 0) -> CountState[Any]:
    """The start of a rollout: the old ReplicaSet steady (``replicas`` pods, all available,
    status up to date), the new one not created yet (spec 0, no pods)."""
    return CountState(0, 0, 0, 0, replicas, 0, replicas, replicas, 0, 0, disruptions)


# ------------------------------------------------------------------------------ properties


def min_available_holds(spec: Fenceposts[Any], s: CountState[Any]) -> Any:
    """KC-ROLL-001 as a state predicate: available pods >= replicas - MaxUnavailable."""
    return s.available() >= spec.replicas - spec.max_unavailable


def surge_holds(spec: Fenceposts[Any], s: CountState[Any]) -> Any:
    """KC-ROLL-002 as a state predicate: Σ spec.replicas <= replicas + MaxSurge."""
    return s.spec_sum() <= spec.replicas + spec.surge


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
    ) -> None:
        self.replicas = replicas
        self.max_surge = max_surge
        self.max_unavailable = max_unavailable
        self.disruptions = disruptions
        self.variant = variant
        self.fenceposts = resolve(replicas, max_surge, max_unavailable, variant)
        self.spec = resolve_spec(replicas, max_surge, max_unavailable)

    def init_states(self) -> Sequence[CountState[int]]:
        return (initial_state(self.replicas, self.disruptions),)

    def successors(self, state: CountState[int]) -> list[tuple[Action, CountState[int]]]:
        out = []
        for name, enabled, nxt in count_steps(PY, self.fenceposts, state):
            if enabled:
                fair = name not in ("crash_new", "crash_old")
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
}


def actor_of(name: str) -> str:
    return _ACTOR[name]


def state_key(s: CountState[int]) -> Hashable:
    return s.as_tuple()
