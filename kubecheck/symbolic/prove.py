"""Parametric proofs of rollout safety over the count model (kubecheck/symbolic/rollout.py).

For ALL parameters in a range (replicas, maxSurge, maxUnavailable as ints or percents, with
upstream's rounding encoded exactly in linear integer arithmetic) we decide:

* ``KC-ROLL-001`` min-available: available pods >= replicas - MaxUnavailable.  Without
  disruptions this is proved as an invariant (so no controller step can break it).  With a
  disruption budget the action form is checked: no *controller* step lowers the available
  pods to below the bound (the disruption itself is not judged, as in properties/catalogue.py).
* ``KC-ROLL-002`` max-surge: Σ spec.replicas <= replicas + MaxSurge, an invariant.

Method: Houdini.  A fixed list of candidate lemmas is filtered to those that hold initially,
then candidates falsified by a step from a state satisfying all remaining ones are dropped
until the conjunction is inductive; the property is PROVED if the inductive conjunction
implies it.  Otherwise bounded model checking (BMC) looks for a counterexample: VIOLATED with
concrete parameters and a trace (checked by replaying it in the Python count model and, when
small enough, in the object model ``model.system.KubeSystem``), else UNKNOWN.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import z3

from kubecheck.symbolic.rollout import (
    ACTIONS,
    CONTROLLER_ACTIONS,
    FIELD_NAMES,
    FIXED,
    SIDES,
    Z3OPS,
    CountState,
    CountSystem,
    Fenceposts,
    Scaling,
    Variant,
    count_steps,
    scaling_for,
    spec_at,
    initial_state,
    min_available_holds,
    recreate_no_overlap_holds,
    surge_holds,
)
from model.objects import Deployment, IntOrString
from traces.trace import Step, Trace

__all__ = [
    "PROVED",
    "VIOLATED",
    "UNKNOWN",
    "ParamSpec",
    "Counterexample",
    "PropertyProof",
    "ProofResult",
    "prove_rollout",
    "prove_deployment",
    "selector_report",
    "PROPERTIES",
]

PROVED, VIOLATED, UNKNOWN = "PROVED", "VIOLATED", "UNKNOWN"

#: property key -> (rule id, statement)
PROPERTIES: dict[str, tuple[str, str]] = {
    "min-available": ("KC-ROLL-001", "available pods never drop below replicas - maxUnavailable through controller steps"),
    "max-surge": ("KC-ROLL-002", "sum of ReplicaSet spec.replicas never exceeds replicas + maxSurge"),
    "no-overlap": ("KC-ROLL-005", "a Recreate Deployment never has pods of the old and the new ReplicaSet at once"),
    "one-available": ("KC-ROLL-004", "at least one of the Deployment's pods is available in every reachable state"),
}

#: properties of either strategy (judged in every step, controller or not): an invariant of the count state
ANY_STRATEGY_PROPERTIES: tuple[str, ...] = ("one-available",)
#: the properties of a Recreate rollout (KC-ROLL-001/002 judge only RollingUpdate Deployments)
RECREATE_PROPERTIES: tuple[str, ...] = ("no-overlap",)

#: "int" / "percent" = symbolic over the whole range; anything else is one concrete value.
Bound = Union[str, int]


# ------------------------------------------------------------------------------ parameters


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """The parameter range of a proof.

    ``max_surge`` / ``max_unavailable``: ``"int"`` (symbolic, 0..replicas), ``"percent"``
    (symbolic, 0..``percent_max`` %), or a concrete IntOrString (``1``, ``"25%"``).
    """

    replicas: tuple[int, int] = (1, 10_000)
    max_surge: Bound = "int"
    max_unavailable: Bound = "int"
    percent_max: int = 100

    def describe(self) -> str:
        def one(v: Bound) -> str:
            if v == "int":
                return "any int in 0..replicas"
            if v == "percent":
                return f"any percent in 0%..{self.percent_max}%"
            return repr(v)

        lo, hi = self.replicas
        return f"replicas {lo}..{hi}, maxSurge {one(self.max_surge)}, maxUnavailable {one(self.max_unavailable)}"


def _times_small(p: z3.ArithRef, r: z3.ArithRef, bits: int, tag: str) -> tuple[z3.ArithRef, list[z3.BoolRef]]:
    """``p * r`` for ``0 <= p < 2**bits`` as linear arithmetic (binary expansion of ``p``)."""
    bs = [z3.Bool(f"{tag}_bit{i}") for i in range(bits)]
    expand = z3.Sum(*[z3.If(b, 1 << i, 0) for i, b in enumerate(bs)])
    prod = z3.Sum(*[z3.If(b, r * (1 << i), 0) for i, b in enumerate(bs)])
    return prod, [p == expand]


@dataclass
class _Params:
    replicas: z3.ArithRef
    surge_value: z3.ArithRef
    unavailable_value: z3.ArithRef
    domain: list[z3.BoolRef]
    ctrl: Fenceposts[Any]
    spec: Fenceposts[Any]
    #: the count model's granularity (rollout.count_steps ``write``)
    write: bool = False
    #: node failures the scenario allows, and whether it rolls (a template change) at all
    node_failures: int = 0
    rollout: bool = True
    #: strategy Recreate (rollout.count_steps ``recreate``)
    recreate: bool = False
    #: a second image change mid-rollout (rollout.count_steps ``rollover``): 0 or 1
    rollovers: int = 0
    #: the user's scale of the Deployment during the rollout (rollout.Scaling; concrete replicas only)
    scaling: Scaling | None = None

    def init(self, s: CountState[Any], budget: int) -> z3.BoolRef:
        return _eq(s, initial_state(self.replicas, budget, self.node_failures, int(self.rollout), int(self.recreate),
                                    self.rollovers, len(self.scaling.targets) if self.scaling else 0))


def _value(bound: Bound, name: str, r: z3.ArithRef, pmax: int, dom: list[z3.BoolRef]) -> tuple[z3.ArithRef, bool]:
    """The symbolic number of a bound and whether it is a percent."""
    v = z3.Int(name)
    if bound == "int":
        dom += [v >= 0, v <= r]
        return v, False
    if bound == "percent":
        dom += [v >= 0, v <= pmax]
        return v, True
    if isinstance(bound, bool):
        raise ValueError(f"{name}: {bound!r} is not an int or a percent")
    if isinstance(bound, int):
        dom.append(v == bound)
        return v, False
    if isinstance(bound, str) and bound.endswith("%") and bound[:-1].isdigit():
        dom.append(v == int(bound[:-1]))
        return v, True
    raise ValueError(f"{name}: {bound!r} is not 'int', 'percent', an int or 'N%'")


def _scaled(v: z3.ArithRef, is_percent: bool, r: z3.ArithRef, round_up: bool, pmax: int, tag: str, dom: list[z3.BoolRef]) -> z3.ArithRef:
    """intstr.go GetScaledValueFromIntOrPercent: ceil/floor(p * total / 100) in integers."""
    if not is_percent:
        return v
    prod, cs = _times_small(v, r, max(1, pmax.bit_length()), tag)
    dom += cs
    return (prod + 99) / 100 if round_up else prod / 100  # Z3 Int division floors for a positive divisor


def _fenceposts(r: z3.ArithRef, sv: z3.ArithRef, sp: bool, uv: z3.ArithRef, up: bool, variant: Variant, pmax: int, tag: str, dom: list[z3.BoolRef]) -> Fenceposts[Any]:
    """deployment_util.go ResolveFenceposts + MaxSurge + MaxUnavailable, symbolically."""
    surge = _scaled(sv, sp, r, variant.surge_round_up, pmax, f"{tag}_s", dom)
    unav = _scaled(uv, up, r, variant.unavailable_round_up, pmax, f"{tag}_u", dom)
    unav = z3.If(z3.And(surge == 0, unav == 0), 1, unav)
    mu = z3.If(r == 0, 0, z3.If(unav <= r, unav, r))
    return Fenceposts(r, surge, mu)


def _params(spec: ParamSpec, variant: Variant) -> _Params:
    r = z3.Int("replicas")
    lo, hi = spec.replicas
    dom: list[z3.BoolRef] = [r >= lo, r <= hi]
    sv, sp = _value(spec.max_surge, "max_surge", r, spec.percent_max, dom)
    uv, up = _value(spec.max_unavailable, "max_unavailable", r, spec.percent_max, dom)
    # validation.go ValidateRollingUpdateDeployment: the API server rejects a spec whose raw maxSurge and
    # maxUnavailable values are both 0 ("may not be 0 when maxSurge is 0"), int or percent alike.
    dom.append(z3.Not(z3.And(sv == 0, uv == 0)))
    ctrl = _fenceposts(r, sv, sp, uv, up, variant, spec.percent_max, "ctrl", dom)
    ref = ctrl if variant == FIXED else _fenceposts(r, sv, sp, uv, up, FIXED, spec.percent_max, "spec", dom)
    return _Params(r, sv, uv, dom, ctrl, ref)


# ---------------------------------------------------------------------------- transitions


def _state(tag: str) -> CountState[Any]:
    return CountState(*[z3.Int(f"{name}@{tag}") for name in FIELD_NAMES])


def _eq(a: CountState[Any], b: CountState[Any]) -> z3.BoolRef:
    return z3.And(*[x == y for x, y in zip(a.as_tuple(), b.as_tuple())])


def _trans(f: Fenceposts[Any], s: CountState[Any], t: CountState[Any], act: z3.ArithRef, only: frozenset[str] | None = None,
           write: bool = False, recreate: bool = False, scaling: Scaling | None = None) -> z3.BoolRef:
    """One step ``s -> t`` by action number ``act`` (index in ACTIONS).

    The reconcile-granularity ReplicaSet step's choice of doomed victims (rollout._rs ``pick``) is a
    fresh integer per use: the relation is only ever asserted positively (BMC paths, the induction
    step's premise), so the fresh integer is existentially quantified.

    The bulk node-lifecycle steps (``lost_bulk``/``evict_bulk``) are left out here: each is a run of
    single node-lifecycle steps, each enabled along the way, so the reachable count states are the same
    without them, and they are not controller steps (KC-ROLL-001 does not judge them). They stay in the
    Python system, where the checked refinement needs them (docs/semantics.md, node failure). With them,
    the R = 100 rollout + node failure query took 264 s of CPU instead of 44 s."""
    alts = []
    pick = z3.FreshInt("pick")
    vanish = z3.FreshInt("vanish")
    for i, (name, enabled, nxt) in enumerate(count_steps(Z3OPS, f, s, write, recreate, pick, None, vanish, scaling)):
        if only is not None and name not in only:
            continue
        alts.append(z3.And(act == i, enabled, _eq(t, nxt)))
    return z3.Or(*alts)


# ----------------------------------------------------------------------------- candidates

Lemma = Callable[[_Params, CountState[Any], int], z3.BoolRef]


def _zmin(a: Any, b: Any) -> Any:
    return z3.If(a <= b, a, b)


def _non_negative(name: str) -> Lemma:
    """The lemma ``<name> >= 0`` (a closure per field, so each binds its own name)."""
    return lambda p, s, d: getattr(s, name) >= 0


def _at_least(name: str, v: int) -> Lemma:
    return lambda p, s, d: getattr(s, name) >= v


def _le(a: str, b: str) -> Lemma:
    return lambda p, s, d: getattr(s, a) <= getattr(s, b)


def _is(name: str, v: int) -> Lemma:
    return lambda p, s, d: getattr(s, name) == v


#: fields whose "none" value is -1
_MINUS_ONE = ("new_ps", "old_ps", "dc_pending_old", "mid_ps", "dc_q1v", "dc_q2v", "dc_q3v", "dc_q4v", "dc_sv", "dc_sd")


def _candidates(p: _Params | None = None) -> list[tuple[str, Lemma]]:
    c: list[tuple[str, Lemma]] = []
    if p is not None and p.scaling is not None:
        c += _scaling_candidates(p.scaling)
    for name in FIELD_NAMES:
        if name in _MINUS_ONE:
            c.append((f"{name} >= -1", _at_least(name, -1)))
        else:
            c.append((f"{name} >= 0", _non_negative(name)))
    # write granularity: pending writes and crashed pods
    for w in SIDES:
        c += [
            (f"{w}_pdu <= {w}_unavailable", _le(f"{w}_pdu", f"{w}_unavailable")),
            (f"{w}_pda <= {w}_available", _le(f"{w}_pda", f"{w}_available")),
            (f"{w}_doomed <= {w}_available", _le(f"{w}_doomed", f"{w}_available")),
            (f"{w}_ps <= {w}_available", _le(f"{w}_ps", f"{w}_available")),
            (f"{w}_doomed = 0", _is(f"{w}_doomed", 0)),
        ]
    c += [
        ("new_pdu = 0", _is("new_pdu", 0)),
        ("new_pda = 0", _is("new_pda", 0)),
        ("dc_pending_old = -1", _is("dc_pending_old", -1)),
        ("new_unavailable + new_available + new_pc <= new_spec",
         lambda p, s, d: s.new_unavailable + s.new_available + s.new_pc <= s.new_spec),
        ("old_unavailable + old_available + old_pc <= replicas",
         lambda p, s, d: s.old_unavailable + s.old_available + s.old_pc <= p.replicas),
        ("old_ps <= replicas", lambda p, s, d: s.old_ps <= p.replicas),
        ("dc_pending_old <= old_spec", lambda p, s, d: s.dc_pending_old <= s.old_spec),
        ("new_created = 0 => dc_pending_old = -1", lambda p, s, d: z3.Implies(s.new_created == 0, s.dc_pending_old == -1)),
        ("new_created = 0 => new_pc = 0", lambda p, s, d: z3.Implies(s.new_created == 0, s.new_pc + s.new_unavailable + s.new_available == 0)),
        (
            "new_available + min(old_available - old_pda, old_spec) >= replicas - maxUnavailable",
            lambda p, s, d: s.new_available + _zmin(s.old_available - s.old_pda, s.old_spec) >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
        (
            "dc_pending_old >= 0 => new_available + min(old_available - old_pda, dc_pending_old) >= replicas - maxUnavailable",
            lambda p, s, d: z3.Implies(
                s.dc_pending_old >= 0,
                s.new_available + _zmin(s.old_available - s.old_pda, s.dc_pending_old) >= p.ctrl.replicas - p.ctrl.max_unavailable,
            ),
        ),
        (
            "new_available + old_available - old_pda >= replicas - maxUnavailable",
            lambda p, s, d: s.new_available + s.old_available - s.old_pda >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
        ("dc_pending_old >= 0 => dc_pending_old + new_status_available >= replicas - maxUnavailable",
         lambda p, s, d: z3.Implies(s.dc_pending_old >= 0, s.dc_pending_old + s.new_status_available >= p.ctrl.replicas - p.ctrl.max_unavailable)),
        ("old_spec + new_status_available >= replicas - maxUnavailable",
         lambda p, s, d: s.old_spec + s.new_status_available >= p.ctrl.replicas - p.ctrl.max_unavailable),
    ]
    # a second image change (rollover): the second old ReplicaSet ``mid``
    c += [(f"{name} = {-1 if name in _MINUS_ONE else 0}", _is(name, -1 if name in _MINUS_ONE else 0))
          for name in FIELD_NAMES if name.startswith(("mid_", "dc_q")) or name == "rollovers"]
    c += [
        ("rollovers <= 1", lambda p, s, d: s.rollovers <= 1),
        ("rollovers = 1 => no mid ReplicaSet",
         lambda p, s, d: z3.Implies(s.rollovers >= 1, s.mid_spec + s.mid_unavailable + s.mid_available + s.mid_status_available
                                    + s.mid_pc + s.mid_pdu + s.mid_pda + s.mid_doomed == 0)),
        ("mid_spec <= replicas", lambda p, s, d: s.mid_spec <= p.replicas),
        ("mid_unavailable + mid_available <= replicas", lambda p, s, d: s.mid_unavailable + s.mid_available <= p.replicas),
        ("mid_status_available <= mid_available", lambda p, s, d: s.mid_status_available <= s.mid_available),
        ("mid_status_available <= replicas", lambda p, s, d: s.mid_status_available <= p.replicas),
        ("new_spec + old_spec + mid_spec <= replicas + surge",
         lambda p, s, d: s.new_spec + s.old_spec + s.mid_spec <= p.ctrl.replicas + p.ctrl.surge),
        (
            "new_available + min(old_available, old_spec) + min(mid_available, mid_spec) >= replicas - maxUnavailable",
            lambda p, s, d: s.new_available + _zmin(s.old_available, s.old_spec) + _zmin(s.mid_available, s.mid_spec)
            >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
        (
            "new_available + min(old_available, old_spec) + min(mid_available, mid_spec) >= replicas - maxUnavailable(spec)",
            lambda p, s, d: s.new_available + _zmin(s.old_available, s.old_spec) + _zmin(s.mid_available, s.mid_spec)
            >= p.spec.replicas - p.spec.max_unavailable,
        ),
        ("old_spec + mid_spec + new_status_available >= replicas - maxUnavailable",
         lambda p, s, d: s.old_spec + s.mid_spec + s.new_status_available >= p.ctrl.replicas - p.ctrl.max_unavailable),
        # without disruptions the oldest ReplicaSet never has a pod that is not available (it only scales down), and
        # its status is stale only upwards (written before its own deletions)
        ("old_unavailable = 0", _is("old_unavailable", 0)),
        ("old_available <= old_status_available", _le("old_available", "old_status_available")),
        # the status an old ReplicaSet reports, capped by its spec, is never above its available pods
        ("min(old_status_available, old_spec) <= old_available",
         lambda p, s, d: _zmin(s.old_status_available, s.old_spec) <= s.old_available),
        ("min(mid_status_available, mid_spec) <= mid_available",
         lambda p, s, d: _zmin(s.mid_status_available, s.mid_spec) <= s.mid_available),
        (
            "new_status_available + min(old_status_available, old_spec) + min(mid_status_available, mid_spec) >= replicas - maxUnavailable",
            lambda p, s, d: s.new_status_available + _zmin(s.old_status_available, s.old_spec)
            + _zmin(s.mid_status_available, s.mid_spec) >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
        (
            "new_available + min(old_status_available, old_spec) + min(mid_status_available, mid_spec) >= replicas - maxUnavailable",
            lambda p, s, d: s.new_available + _zmin(s.old_status_available, s.old_spec)
            + _zmin(s.mid_status_available, s.mid_spec) >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
        (
            "new_status_available + min(old_available, old_spec) + min(mid_available, mid_spec) >= replicas - maxUnavailable",
            lambda p, s, d: s.new_status_available + _zmin(s.old_available, s.old_spec)
            + _zmin(s.mid_available, s.mid_spec) >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
    ]
    c += _queue_candidates()
    # node failure (node_budget / node_down) and scenarios without a rollout (rollout = 0)
    c += [
        ("node_budget = 0", _is("node_budget", 0)),
        ("node_down = 0", _is("node_down", 0)),
        ("rollout = 1", _is("rollout", 1)),
        ("rollout = 0", _is("rollout", 0)),
        ("old_unavailable + old_available + old_pc <= old_spec",
         lambda p, s, d: s.old_unavailable + s.old_available + s.old_pc <= s.old_spec),
        ("rollout = 0 => old_spec = replicas", lambda p, s, d: z3.Implies(s.rollout == 0, s.old_spec == p.replicas)),
        ("old_pdu = 0", _is("old_pdu", 0)),
        ("old_pda = 0", _is("old_pda", 0)),
    ]
    # Recreate: the new ReplicaSet exists only once the old pods are gone, and no new pod is ever deleted
    c += [
        ("old_pc = 0", _is("old_pc", 0)),
        ("new_pc = 0", _is("new_pc", 0)),  # reconcile granularity: no pending Create
        ("old_unavailable + old_available - old_pdu - old_pda >= old_spec",
         lambda p, s, d: s.old_unavailable + s.old_available - s.old_pdu - s.old_pda >= s.old_spec),
        ("new_created = 1 => old_spec = 0", lambda p, s, d: z3.Implies(s.new_created == 1, s.old_spec == 0)),
        ("new_created = 1 => no old pod, none terminating",
         lambda p, s, d: z3.Implies(s.new_created == 1, s.old_unavailable + s.old_available + s.old_pc + s.terminating == 0)),
        ("new_created = 1 => old_pdu + old_pda = 0", lambda p, s, d: z3.Implies(s.new_created == 1, s.old_pdu + s.old_pda == 0)),
        ("new_created = 1 => new_spec = replicas", lambda p, s, d: z3.Implies(s.new_created == 1, s.new_spec == p.replicas)),
        ("recreate = 1", _is("recreate", 1)),
        ("recreate = 0", _is("recreate", 0)),
    ]
    c += [
        ("new_created <= 1", lambda p, s, d: s.new_created <= 1),
        ("disruptions <= budget", lambda p, s, d: s.disruptions <= d),
        ("new_created = 0 => new_spec = 0", lambda p, s, d: z3.Implies(s.new_created == 0, s.new_spec == 0)),
        ("new_spec <= replicas", lambda p, s, d: s.new_spec <= p.replicas),
        ("old_spec <= replicas", lambda p, s, d: s.old_spec <= p.replicas),
        ("new_unavailable + new_available <= new_spec", lambda p, s, d: s.new_unavailable + s.new_available <= s.new_spec),
        ("old_unavailable + old_available <= replicas", lambda p, s, d: s.old_unavailable + s.old_available <= p.replicas),
        ("new_status_available <= new_available", lambda p, s, d: s.new_status_available <= s.new_available),
        ("old_status_available <= replicas", lambda p, s, d: s.old_status_available <= p.replicas),
        ("new_spec + old_spec <= replicas + surge", lambda p, s, d: s.new_spec + s.old_spec <= p.ctrl.replicas + p.ctrl.surge),
        ("new_spec + old_spec <= replicas + surge(spec)", lambda p, s, d: surge_holds(p.spec, s)),
        (
            "new_available + min(old_available, old_spec) >= replicas - maxUnavailable",
            lambda p, s, d: s.new_available + _zmin(s.old_available, s.old_spec) >= p.ctrl.replicas - p.ctrl.max_unavailable,
        ),
        (
            "new_available + min(old_available, old_spec) >= replicas - maxUnavailable(spec)",
            lambda p, s, d: s.new_available + _zmin(s.old_available, s.old_spec) >= p.spec.replicas - p.spec.max_unavailable,
        ),
        ("available >= replicas - maxUnavailable(spec)", lambda p, s, d: min_available_holds(p.spec, s)),
    ]
    return c


#: the Deployment controller's pending scale queue with two old ReplicaSets (rollout._dc, write granularity)
_QUEUE = (1, 2, 3, 4)
#: the queue's code of an old ReplicaSet (rollout._queue ``which``)
_WHICH = {"old": 1, "mid": 2}


def _effective_spec(s: CountState[Any], w: str) -> Any:
    """The spec.replicas of old ReplicaSet ``w`` once every pending Deployment-controller scale of it has
    landed: the smallest of its spec and the values pending for it (they only go down, a lemma below)."""
    e = getattr(s, f"{w}_spec")
    if w == "old":
        e = z3.If(s.dc_pending_old >= 0, _zmin(e, s.dc_pending_old), e)
    for j in _QUEUE:
        v = getattr(s, f"dc_q{j}v")
        e = z3.If(getattr(s, f"dc_q{j}w") == _WHICH[w], _zmin(e, v), e)
    return e


def _queue_candidates() -> list[tuple[str, Lemma]]:
    """Lemmas for write granularity with two old ReplicaSets (docs/symbolic.md section 3c): the shape of the
    pending scale queue ``dc_q*``, its values against the current specs, and the availability lemmas with the
    effective specs (every pending scale landed) and without the pods a pending Delete targets."""

    def qw(j: int) -> Callable[[CountState[Any]], Any]:
        return lambda s: getattr(s, f"dc_q{j}w")

    def qv(j: int) -> Callable[[CountState[Any]], Any]:
        return lambda s: getattr(s, f"dc_q{j}v")

    c: list[tuple[str, Lemma]] = [
        ("dc_q1w > 0 => dc_pending_old = -1", lambda p, s, d: z3.Implies(s.dc_q1w > 0, s.dc_pending_old == -1)),
        ("rollovers >= 1 => dc_q1w = 0", lambda p, s, d: z3.Implies(s.rollovers >= 1, s.dc_q1w == 0)),
        ("rollovers >= 1 => mid_ps = -1", lambda p, s, d: z3.Implies(s.rollovers >= 1, s.mid_ps == -1)),
        ("mid_unavailable + mid_available + mid_pc <= replicas",
         lambda p, s, d: s.mid_unavailable + s.mid_available + s.mid_pc <= p.replicas),
    ]
    for j in _QUEUE:
        w, v = qw(j), qv(j)
        c += [
            (f"dc_q{j}w <= 2", (lambda w: lambda p, s, d: w(s) <= 2)(w)),
            (f"dc_q{j}w = 0 <=> dc_q{j}v = -1", (lambda w, v: lambda p, s, d: (w(s) == 0) == (v(s) == -1))(w, v)),
            (f"dc_q{j}w = 1 => dc_q{j}v <= old_spec", (lambda w, v: lambda p, s, d: z3.Implies(w(s) == 1, v(s) <= s.old_spec))(w, v)),
            (f"dc_q{j}w = 2 => dc_q{j}v <= mid_spec", (lambda w, v: lambda p, s, d: z3.Implies(w(s) == 2, v(s) <= s.mid_spec))(w, v)),
        ]
        if j < 4:
            c.append((f"dc_q{j}w = 0 => dc_q{j + 1}w = 0",
                      (lambda w, w2: lambda p, s, d: z3.Implies(w(s) == 0, w2(s) == 0))(w, qw(j + 1))))
        for k in _QUEUE:
            if k > j:
                c.append((f"dc_q{j}w = dc_q{k}w => dc_q{k}v <= dc_q{j}v",
                          (lambda w, v, w2, v2: lambda p, s, d: z3.Implies(w(s) == w2(s), v2(s) <= v(s)))(w, v, qw(k), qv(k))))
    lower = lambda p: p.ctrl.replicas - p.ctrl.max_unavailable  # noqa: E731
    c += [
        ("new_ps >= 0 => new_status_available <= new_ps",
         lambda p, s, d: z3.Implies(s.new_ps >= 0, s.new_status_available <= s.new_ps)),
        ("old_ps >= 0 => old_available <= old_ps", lambda p, s, d: z3.Implies(s.old_ps >= 0, s.old_available <= s.old_ps)),
        ("min(old_status_available, old_spec) <= old_available - old_pda",
         lambda p, s, d: _zmin(s.old_status_available, s.old_spec) <= s.old_available - s.old_pda),
        ("min(mid_status_available, mid_spec) <= mid_available - mid_pda",
         lambda p, s, d: _zmin(s.mid_status_available, s.mid_spec) <= s.mid_available - s.mid_pda),
        ("old_ps >= 0 => min(old_ps, old_spec) <= old_available - old_pda",
         lambda p, s, d: z3.Implies(s.old_ps >= 0, _zmin(s.old_ps, s.old_spec) <= s.old_available - s.old_pda)),
        ("mid_ps >= 0 => min(mid_ps, mid_spec) <= mid_available - mid_pda",
         lambda p, s, d: z3.Implies(s.mid_ps >= 0, _zmin(s.mid_ps, s.mid_spec) <= s.mid_available - s.mid_pda)),
        ("old_eff + mid_eff + new_status_available >= replicas - maxUnavailable",
         lambda p, s, d: _effective_spec(s, "old") + _effective_spec(s, "mid") + s.new_status_available >= lower(p)),
        ("new_available + min(old_available - old_pda, old_eff) + min(mid_available - mid_pda, mid_eff) >= replicas - maxUnavailable",
         lambda p, s, d: s.new_available + _zmin(s.old_available - s.old_pda, _effective_spec(s, "old"))
         + _zmin(s.mid_available - s.mid_pda, _effective_spec(s, "mid")) >= lower(p)),
        ("new_available + min(old_available - old_pda, old_eff) + min(mid_available - mid_pda, mid_eff) >= replicas - maxUnavailable(spec)",
         lambda p, s, d: s.new_available + _zmin(s.old_available - s.old_pda, _effective_spec(s, "old"))
         + _zmin(s.mid_available - s.mid_pda, _effective_spec(s, "mid")) >= p.spec.replicas - p.spec.max_unavailable),
        ("new_status_available + min(old_status_available, old_spec) + min(mid_status_available, mid_spec) >= replicas - maxUnavailable(eff)",
         lambda p, s, d: s.new_status_available + _zmin(s.old_status_available, _effective_spec(s, "old"))
         + _zmin(s.mid_status_available, _effective_spec(s, "mid")) >= lower(p)),
    ]
    return c


def _scaling_candidates(sc: Scaling) -> list[tuple[str, Lemma]]:
    """Lemmas over the Deployment's spec.replicas now (``d``) and the ReplicaSets' desired-replicas annotations,
    for a scale during the rollout (rollout.Scaling): the bounds at ``d`` replace those at the initial replicas."""
    values = sc.values()
    top = max(values)

    def one_of(name: str, extra: tuple[int, ...] = ()) -> Lemma:
        return lambda p, s, d: z3.Or(*[getattr(s, name) == v for v in (*values, *extra)])

    from kubecheck.symbolic.rollout import _fence_at

    def eff(s: CountState[Any]) -> Any:
        """The spec.replicas the ReplicaSets' sizes were last decided for: an active ReplicaSet's stale
        desired-replicas annotation (the user scaled and no Deployment-controller step has run since: the
        next one is the scaling event), else the current one."""
        return z3.If(z3.And(s.old_spec > 0, s.old_desired != s.d_replicas), s.old_desired,
                     z3.If(z3.And(s.new_created == 1, s.new_spec > 0, s.new_desired != s.d_replicas), s.new_desired,
                           s.d_replicas))

    def ctrl(s: CountState[Any]) -> Fenceposts[Any]:
        return _fence_at(Z3OPS, sc.table, s.d_replicas)

    def floor(s: CountState[Any]) -> Any:
        f = ctrl(s)
        return f.replicas - f.max_unavailable

    def efloor(s: CountState[Any]) -> Any:
        f = _fence_at(Z3OPS, sc.table, eff(s))
        return f.replicas - f.max_unavailable

    def esurge(s: CountState[Any]) -> Any:
        f = _fence_at(Z3OPS, sc.table, eff(s))
        return f.replicas + f.surge

    c: list[tuple[str, Lemma]] = [
        ("d_replicas in values", one_of("d_replicas")),
        ("old_desired in values", one_of("old_desired")),
        ("new_desired in values or 0", one_of("new_desired", (0,))),
        ("scale1 <= 1", lambda p, s, d: s.scale1 <= 1),
        ("scale2 <= 1", lambda p, s, d: s.scale2 <= 1),
        ("scale1 = 1 => d = replicas", lambda p, s, d: z3.Implies(s.scale1 == 1, s.d_replicas == p.replicas)),
        ("new_created = 0 => new_desired = 0", lambda p, s, d: z3.Implies(s.new_created == 0, s.new_desired == 0)),
        ("new_spec <= top", lambda p, s, d: s.new_spec <= top),
        ("old_spec <= top", lambda p, s, d: s.old_spec <= top),
        ("old pods <= top", lambda p, s, d: s.old_unavailable + s.old_available <= top),
        ("old_status_available <= top", lambda p, s, d: s.old_status_available <= top),
        ("new_spec <= d", lambda p, s, d: s.new_spec <= s.d_replicas),
        ("spec sum <= d + surge(d)", lambda p, s, d: s.new_spec + s.old_spec <= s.d_replicas + ctrl(s).surge),
        ("new_available + min(old_available, old_spec) >= d - maxUnavailable(d)",
         lambda p, s, d: s.new_available + _zmin(s.old_available, s.old_spec) >= floor(s)),
        ("old_spec + new_status_available >= d - maxUnavailable(d)",
         lambda p, s, d: s.old_spec + s.new_status_available >= floor(s)),
        ("new_status_available + min(old_status_available, old_spec) >= d - maxUnavailable(d)",
         lambda p, s, d: s.new_status_available + _zmin(s.old_status_available, s.old_spec) >= floor(s)),
        ("new_available + min(old_status_available, old_spec) >= d - maxUnavailable(d)",
         lambda p, s, d: s.new_available + _zmin(s.old_status_available, s.old_spec) >= floor(s)),
        ("new_status_available + min(old_available, old_spec) >= d - maxUnavailable(d)",
         lambda p, s, d: s.new_status_available + _zmin(s.old_available, s.old_spec) >= floor(s)),
        ("available >= d - maxUnavailable(d) (spec)",
         lambda p, s, d: min_available_holds(spec_at(Z3OPS, sc, s), s)),
        ("min(new_available, new_spec) + min(old_available, old_spec) >= d - maxUnavailable(d)",
         lambda p, s, d: _zmin(s.new_available, s.new_spec) + _zmin(s.old_available, s.old_spec) >= floor(s)),
        ("scale1 = 1 => annotations at replicas",
         lambda p, s, d: z3.Implies(s.scale1 == 1, z3.And(s.old_desired == p.replicas,
                                                           z3.Or(s.new_created == 0, s.new_desired == p.replicas)))),
        *([("scale1 = 0 => d = target", lambda p, s, d: z3.Implies(s.scale1 == 0, s.d_replicas == sc.targets[0]))]
          if len(sc.targets) == 1 else []),
        ("new_created = 0 => new_status_available = 0",
         lambda p, s, d: z3.Implies(s.new_created == 0, s.new_status_available == 0)),
        ("both active => same annotation",
         lambda p, s, d: z3.Implies(z3.And(s.new_created == 1, s.new_spec > 0, s.old_spec > 0), s.new_desired == s.old_desired)),
        ("new_created = 1 => new_desired in values",
         lambda p, s, d: z3.Implies(s.new_created == 1, z3.Or(*[s.new_desired == v for v in values]))),
        ("eff: spec sum <= e + surge(e)", lambda p, s, d: s.new_spec + s.old_spec <= esurge(s)),
        ("eff: new_spec <= e", lambda p, s, d: s.new_spec <= eff(s)),
        ("eff: new_available + min(old_available, old_spec) >= e - maxUnavailable(e)",
         lambda p, s, d: s.new_available + _zmin(s.old_available, s.old_spec) >= efloor(s)),
        ("eff: old_spec + new_status_available >= e - maxUnavailable(e)",
         lambda p, s, d: s.old_spec + s.new_status_available >= efloor(s)),
        ("eff: new_status_available + min(old_status_available, old_spec) >= e - maxUnavailable(e)",
         lambda p, s, d: s.new_status_available + _zmin(s.old_status_available, s.old_spec) >= efloor(s)),
        ("eff: new_available + min(old_status_available, old_spec) >= e - maxUnavailable(e)",
         lambda p, s, d: s.new_available + _zmin(s.old_status_available, s.old_spec) >= efloor(s)),
        ("eff: new_status_available + min(old_available, old_spec) >= e - maxUnavailable(e)",
         lambda p, s, d: s.new_status_available + _zmin(s.old_available, s.old_spec) >= efloor(s)),
        ("eff: min(new_available, new_spec) + min(old_available, old_spec) >= e - maxUnavailable(e)",
         lambda p, s, d: _zmin(s.new_available, s.new_spec) + _zmin(s.old_available, s.old_spec) >= efloor(s)),
    ]
    # write granularity (rollout._dc_scaling): the proportional scaling's pending second write, and every lemma
    # above once more over the state with the Deployment controller's pending writes landed (``_landed``)
    c += [
        ("dc_sw <= 2", lambda p, s, d: s.dc_sw <= 2),
        ("dc_sw = 0 <=> dc_sv = -1", lambda p, s, d: (s.dc_sw == 0) == (s.dc_sv == -1)),
        ("dc_sw = 0 <=> dc_sd = -1", lambda p, s, d: (s.dc_sw == 0) == (s.dc_sd == -1)),
        ("dc_sw > 0 => dc_sd = d", lambda p, s, d: z3.Implies(s.dc_sw > 0, s.dc_sd == s.d_replicas)),
        ("dc_sw > 0 => dc_sv <= top", lambda p, s, d: z3.Implies(s.dc_sw > 0, s.dc_sv <= top)),
        ("dc_sw > 0 => no other pending", lambda p, s, d: z3.Implies(s.dc_sw > 0, z3.And(s.dc_pending_old == -1, s.dc_q1w == 0))),
        ("dc_sw > 0 => new_created = 1", lambda p, s, d: z3.Implies(s.dc_sw > 0, s.new_created == 1)),
        ("dc_sw > 0 => scale1 = 0", lambda p, s, d: z3.Implies(s.dc_sw > 0, s.scale1 == 0)),
        ("dc_sw = 1 => old_desired = d", lambda p, s, d: z3.Implies(s.dc_sw == 1, s.old_desired == s.d_replicas)),
        ("dc_sw = 2 => new_desired = d", lambda p, s, d: z3.Implies(s.dc_sw == 2, s.new_desired == s.d_replicas)),
        ("dc_pending_old >= 0 => old_desired = d", lambda p, s, d: z3.Implies(s.dc_pending_old >= 0, s.old_desired == s.d_replicas)),
    ]
    c += [(f"landed: {name}", (lambda lem: lambda p, s, d: lem(p, _landed(s), d))(lem)) for name, lem in list(c)
          if not name.startswith("dc_")]
    return c


def _landed(s: CountState[Any]) -> CountState[Any]:
    """``s`` with the Deployment controller's pending ReplicaSet writes landed (write granularity, one old
    ReplicaSet: ``dc_sw``/``dc_sv``/``dc_sd`` and ``dc_pending_old``; the pending fields are left as they are)."""
    from dataclasses import replace as _replace

    return _replace(
        s,
        new_spec=z3.If(s.dc_sw == 1, s.dc_sv, s.new_spec),
        new_desired=z3.If(s.dc_sw == 1, s.dc_sd, s.new_desired),
        old_spec=z3.If(s.dc_sw == 2, s.dc_sv, z3.If(s.dc_pending_old >= 0, s.dc_pending_old, s.old_spec)),
        old_desired=z3.If(s.dc_sw == 2, s.dc_sd, s.old_desired),
    )


def _with_timeout(solver: z3.Solver, deadline: float) -> None:
    left = max(1, int((deadline - time.monotonic()) * 1000))
    solver.set("timeout", left)


class _Timeout(Exception):
    pass


def _check(solver: z3.Solver, deadline: float, assumptions: Sequence[z3.BoolRef] = ()) -> z3.CheckSatResult:
    _with_timeout(solver, deadline)
    res = solver.check(*assumptions)
    if res == z3.unknown:
        raise _Timeout(solver.reason_unknown())
    return res


def _houdini(p: _Params, budget: int, deadline: float) -> list[tuple[str, Lemma]]:
    """The largest inductive subset of the candidates (Houdini).

    One incremental solver for every round: candidate ``i`` is assumed in the pre-state under an indicator
    ``h_i`` and the query asks for a step out of the kept set that falsifies a kept candidate; each round
    passes the kept indicators true and the dropped ones false as assumptions, so what the solver learnt
    in one round is reused in the next (the same rounds and the same result as a fresh solver per round, at
    about half the CPU for the write-granularity proofs with two old ReplicaSets)."""
    cands = _candidates(p)
    s0 = _state("0")
    init = p.init(s0, budget)
    kept = []
    for name, lem in cands:
        sol = z3.Solver()
        sol.add(*p.domain, init, z3.Not(lem(p, s0, budget)))
        if _check(sol, deadline) == z3.unsat:
            kept.append((name, lem))
    s, t, act = _state("s"), _state("t"), z3.Int("act")
    sol = z3.Solver()
    sol.add(*p.domain, _trans(p.ctrl, s, t, act, write=p.write, recreate=p.recreate, scaling=p.scaling))
    ind = [z3.Bool(f"houdini_{i}") for i in range(len(kept))]
    post = [lem(p, t, budget) for _, lem in kept]
    for h, (_, lem) in zip(ind, kept):
        sol.add(z3.Implies(h, lem(p, s, budget)))
    sol.add(z3.Or(*[z3.And(h, z3.Not(x)) for h, x in zip(ind, post)]))
    alive = set(range(len(kept)))
    while True:
        if _check(sol, deadline, [h if i in alive else z3.Not(h) for i, h in enumerate(ind)]) == z3.unsat:
            return [kept[i] for i in sorted(alive)]
        m = sol.model()
        alive = {i for i in alive if z3.is_true(m.eval(post[i], model_completion=True))}


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Counterexample:
    """Concrete parameters and a count trace violating a property."""

    replicas: int
    max_surge: IntOrString
    max_unavailable: IntOrString
    disruptions: int
    states: tuple[CountState[int], ...]
    actions: tuple[str, ...]
    trace: Trace
    #: True: the object model reproduced every count step; False: it did not (see message);
    #: None: not attempted (parameters too large for the object model).
    replayed: bool | None = None
    replay_message: str = ""
    #: the same run in the object model (states are ``model.system.SystemState``), if replayed
    object_trace: Trace | None = None

    def describe(self) -> str:
        head = f"replicas={self.replicas} maxSurge={self.max_surge!r} maxUnavailable={self.max_unavailable!r}"
        lines = [head, f"  0: {_fmt(self.states[0])}"]
        for i, (a, st) in enumerate(zip(self.actions, self.states[1:]), start=1):
            lines.append(f"  {i}: {a:<22} {_fmt(st)}")
        return "\n".join(lines)


def _fmt(s: CountState[int]) -> str:
    return (
        f"new spec={s.new_spec} avail={s.new_available} unavail={s.new_unavailable} status.avail={s.new_status_available} | "
        f"old spec={s.old_spec} avail={s.old_available} unavail={s.old_unavailable} status.avail={s.old_status_available} | "
        + (f"mid spec={s.mid_spec} avail={s.mid_available} unavail={s.mid_unavailable} status.avail={s.mid_status_available} | "
           if s.mid_spec or s.mid_available or s.mid_unavailable or s.mid_status_available else "")
        + f"terminating={s.terminating}"
    )


@dataclass(frozen=True, slots=True)
class PropertyProof:
    key: str
    rule_id: str
    statement: str
    status: str
    invariant: tuple[str, ...] = ()
    counterexample: Counterexample | None = None
    seconds: float = 0.0
    message: str = ""


@dataclass(frozen=True, slots=True)
class ProofResult:
    """The verdict of :func:`prove_rollout` (worst over the properties) and each property's."""

    status: str
    params: ParamSpec
    disruptions: int
    variant: str
    properties: tuple[PropertyProof, ...]
    seconds: float
    message: str = ""

    def describe(self) -> str:
        out = [f"{self.status}: {self.params.describe()}, disruptions {self.disruptions} ({self.seconds:.2f} s)"]
        for pp in self.properties:
            out.append(f"  {pp.rule_id} {pp.key}: {pp.status} ({pp.seconds:.2f} s) - {pp.statement}")
            if pp.status == PROVED:
                out.append("    inductive invariant: " + " AND ".join(pp.invariant))
            if pp.counterexample is not None:
                out.extend("    " + line for line in pp.counterexample.describe().splitlines())
                if pp.counterexample.replayed is not None:
                    out.append(f"    object-model replay: {'reproduced' if pp.counterexample.replayed else 'NOT reproduced'} {pp.counterexample.replay_message}")
            if pp.message:
                out.append(f"    {pp.message}")
        if self.message:
            out.append(self.message)
        return "\n".join(out)


def _worst(statuses: Sequence[str]) -> str:
    if VIOLATED in statuses:
        return VIOLATED
    if UNKNOWN in statuses:
        return UNKNOWN
    return PROVED


# ------------------------------------------------------------------------------------ BMC


def _batches(s: CountState[Any], write: bool) -> list[tuple[str, Any, dict[str, int]]]:
    """The accelerated steps of BMC: ``(base action, how many repetitions are enabled, per-repetition
    change of each field)``.  ``k`` repetitions of one of these in one BMC step reach exactly the
    state of ``k`` single steps (each guard stays true for every repetition up to the bound), so a
    batch is a run of the count model; with it the BMC depth no longer grows with replicas (a
    scale-down of 25 pods is one step, not 25)."""
    out: list[tuple[str, Any, dict[str, int]]] = []
    for w in SIDES:
        g = lambda n: getattr(s, f"{w}_{n}")  # noqa: E731
        if write:
            out.append((f"rs_{w}_create", g("pc"), {f"{w}_unavailable": 1, f"{w}_pc": -1}))
            out.append((f"rs_{w}_delete_unavailable", g("pdu"), {f"{w}_unavailable": -1, f"{w}_pdu": -1, "terminating": 1}))
            out.append((
                f"rs_{w}_delete_available",
                _zmin(g("pda"), g("available") - g("doomed")),
                {f"{w}_available": -1, f"{w}_pda": -1, "terminating": 1},
            ))
        out.append((f"{w}_pod_available", g("unavailable") - g("pdu"), {f"{w}_unavailable": -1, f"{w}_available": 1}))
    out.append(("terminating_pod_gone", s.terminating, {"terminating": -1}))
    return out


def _batch_names(write: bool) -> list[str]:
    return [name for name, _, _ in _batches(_state("names"), write)]


def _trans_accel(p: _Params, s: CountState[Any], t: CountState[Any], act: z3.ArithRef, k: z3.ArithRef) -> z3.BoolRef:
    """A single step (``act`` < len(ACTIONS)) or a batch of ``k`` >= 2 repetitions (``act`` =
    len(ACTIONS) + index in :func:`_batches`)."""
    alts = [z3.And(act < len(ACTIONS), _trans(p.ctrl, s, t, act, write=p.write, recreate=p.recreate, scaling=p.scaling))]
    for j, (_, bound, delta) in enumerate(_batches(s, p.write)):
        moved = {f: getattr(s, f) + k * d for f, d in delta.items()}
        alts.append(z3.And(act == len(ACTIONS) + j, k >= 2, k <= bound,
                           *[getattr(t, f) == moved.get(f, getattr(s, f)) for f in FIELD_NAMES]))
    return z3.Or(*alts)


def _bad(key: str, p: _Params, s: CountState[Any], t: CountState[Any], act: z3.ArithRef, budget: int) -> z3.BoolRef:
    """The violation at step ``s -> t`` (action ``act``).  A batch of controller steps that ends below
    the bound after lowering availability contains the single step that crossed it."""
    ctrl_ids = [i for i, n in enumerate(ACTIONS) if n in CONTROLLER_ACTIONS]
    ctrl_ids += [len(ACTIONS) + j for j, n in enumerate(_batch_names(p.write)) if n in CONTROLLER_ACTIONS]
    ctrl = z3.Or(*[act == i for i in ctrl_ids])
    if key == "one-available":  # an invariant over every step (faults and the kubelet's included)
        return z3.Not(t.available() >= 1)
    if p.scaling is not None:
        # the rules' own (action) form, with the Deployment's spec.replicas after the step: a user's scale changes
        # the bounds, and the rules judge only the controller steps (properties/catalogue.py)
        spec = spec_at(Z3OPS, p.scaling, t)
        if key == "max-surge":
            return z3.And(ctrl, t.spec_sum() > s.spec_sum(), z3.Not(surge_holds(spec, t)))
        return z3.And(ctrl, t.available() < s.available(), z3.Not(min_available_holds(spec, t)))
    if key == "max-surge":
        return z3.Not(surge_holds(p.spec, t))
    if key == "no-overlap":
        return z3.Not(recreate_no_overlap_holds(t))
    drop = z3.And(t.available() < s.available(), z3.Not(min_available_holds(p.spec, t)))
    return z3.And(ctrl, drop)


def _bmc(key: str, p: _Params, spec: ParamSpec, budget: int, depth: int, deadline: float, variant: Variant) -> Counterexample | None:
    """Shortest counterexample (incremental BMC with accelerated batches), then the smallest
    parameters at that depth."""
    sol = z3.Solver()
    states = [_state("b0")]
    acts: list[z3.ArithRef] = []
    reps: list[z3.ArithRef] = []
    path = [*p.domain, p.init(states[0], budget)]
    sol.add(*path)
    for k in range(1, depth + 1):
        s, t, a, n = states[-1], _state(f"b{k}"), z3.Int(f"act@{k}"), z3.Int(f"reps@{k}")
        path.append(_trans_accel(p, s, t, a, n))
        sol.add(path[-1])
        states.append(t)
        acts.append(a)
        reps.append(n)
        sol.push()
        bad = _bad(key, p, s, t, a, budget)
        sol.add(bad)
        if _check(sol, deadline) == z3.sat:
            model = _smallest(path + [bad], p, deadline) or sol.model()
            return _counterexample(key, model, p, spec, states, acts, budget, variant, reps)
        sol.pop()
    return None


def _smallest(constraints: list[z3.BoolRef], p: _Params, deadline: float) -> z3.ModelRef | None:
    """A model minimising replicas, then maxSurge, then maxUnavailable (None on timeout)."""
    opt = z3.Optimize()
    opt.set("timeout", max(1, int((deadline - time.monotonic()) * 1000)))
    opt.add(*constraints)
    opt.minimize(p.replicas)
    opt.minimize(p.surge_value)
    opt.minimize(p.unavailable_value)
    return opt.model() if opt.check() == z3.sat else None


def _concrete_bound(bound: Bound, value: int) -> IntOrString:
    if bound == "percent" or (isinstance(bound, str) and bound.endswith("%")):
        return f"{value}%"
    return value


def _counterexample(
    key: str, m: z3.ModelRef, p: _Params, spec: ParamSpec, states: list[CountState[Any]], acts: list[z3.ArithRef], budget: int, variant: Variant,
    reps: list[z3.ArithRef] | None = None,
) -> Counterexample:
    ev = lambda x: m.eval(x, model_completion=True).as_long()  # noqa: E731
    r = ev(p.replicas)
    ms = _concrete_bound(spec.max_surge, ev(p.surge_value))
    mu = _concrete_bound(spec.max_unavailable, ev(p.unavailable_value))
    at_bmc = [CountState(*[ev(x) for x in st.as_tuple()]) for st in states]
    batch = _batch_names(p.write)
    # A batch of k repetitions is expanded into its k single steps.
    groups: list[list[str]] = []
    for i, a in enumerate(acts):
        n = ev(a)
        groups.append([ACTIONS[n]] if n < len(ACTIONS) else [batch[n - len(ACTIONS)]] * ev(reps[i] if reps else a))
    # Replay in the Python count model: the Z3 relation and the Python steps must agree.
    system = CountSystem(r, ms, mu, disruptions=budget, variant=variant, write=p.write, node_failures=p.node_failures,
                         rollout=p.rollout, recreate=p.recreate, rollovers=p.rollovers,
                         scale_targets=p.scaling.targets if p.scaling else ())
    cur = system.init_states()[0]
    if cur != at_bmc[0]:
        raise AssertionError(f"Z3 initial state {at_bmc[0]} != count model {cur}")
    steps: list[Step] = []
    concrete = [cur]
    names: list[str] = []
    for group, want in zip(groups, at_bmc[1:]):
        for name in group:
            succ = list(system.successors(cur))
            # a step with several outcomes (the ReplicaSet step's doomed victims): the one Z3 took
            idx = next((i for i, (a, n) in enumerate(succ) if a.label == name and (len(group) > 1 or n == want)),
                       next((i for i, (a, n) in enumerate(succ) if a.label == name), None))
            if idx is None:
                raise AssertionError(f"Z3 step {name} from {cur} is not enabled in the count model")
            a, cur = succ[idx]
            steps.append(Step(a.actor, a.label, idx, cur, a))
            concrete.append(cur)
            names.append(name)
        if cur != want:
            raise AssertionError(f"Z3 step {group[0]} x {len(group)} reaches {want}, the count model {cur}")
    rule_id, statement = PROPERTIES[key]
    trace = Trace(
        initial=concrete[0],
        steps=tuple(steps),
        property_id=rule_id,
        property_name=statement,
        loop_start=None,
        engine="z3-bmc",
        bounds=(("depth", len(steps)), ("replicas", r), ("max_surge", ms), ("max_unavailable", mu), ("disruptions", budget)),
    )
    return Counterexample(r, ms, mu, budget, tuple(concrete), tuple(names), trace)


def _replay(cex: Counterexample, limit: int, granularity: str = "reconcile") -> Counterexample:
    """Replay in the object model when the parameters are small enough."""
    from dataclasses import replace

    if cex.replicas > limit:
        return replace(cex, replayed=None, replay_message=f"not attempted: replicas {cex.replicas} > {limit}")
    try:
        from kubecheck.symbolic.bridge import replay_in_object_model
    except ImportError as exc:  # pragma: no cover - the object model is part of the repo
        return replace(cex, replayed=None, replay_message=f"object model unavailable: {exc}")
    rep = replay_in_object_model(
        cex.replicas, cex.max_surge, cex.max_unavailable, [s.counts() for s in cex.states], crashes=cex.disruptions,
        granularity=granularity,
    )
    if rep.ok and rep.trace is not None:
        obj = replace(rep.trace, property_id=cex.trace.property_id, property_name=cex.trace.property_name)
        return replace(cex, replayed=True, replay_message=f"in {len(rep.labels)} object-model steps", object_trace=obj)
    return replace(cex, replayed=False, replay_message=f"at count step {rep.failed_at}: {rep.message}")


# ---------------------------------------------------------------------------------- API


def validate_bound(bound: Any, name: str) -> Bound:
    """A ``--max-surge`` / ``--max-unavailable`` value as the API server would accept it, or ``ValueError``.

    ``"int"`` / ``"percent"`` (symbolic), a non-negative int, or ``"N%"`` with N a non-negative
    integer; for ``max_unavailable`` a percent must be at most 100% (mirrors kubernetes/kubernetes
    pkg/apis/apps/validation/validation.go ValidateRollingUpdateDeployment and
    ValidatePositiveIntOrPercent / IsNotMoreThan100Percent).
    """
    if isinstance(bound, bool):
        raise ValueError(f"{name}: {bound!r} is not 'int', 'percent', a non-negative int or 'N%'")
    if isinstance(bound, str) and bound.strip() in ("int", "percent"):
        return bound.strip()
    text = str(bound).strip()
    if isinstance(bound, int) or text.isdigit():
        if int(text) < 0:
            raise ValueError(f"{name}: {bound!r} must be non-negative")
        return int(text)
    if text.endswith("%") and text[:-1].isdigit():
        if name.replace("-", "_").endswith("max_unavailable") and int(text[:-1]) > 100:
            raise ValueError(f"{name}: {bound!r} must not be greater than 100%")
        return f"{int(text[:-1])}%"
    raise ValueError(f"{name}: {bound!r} is not 'int', 'percent', a non-negative int or 'N%' (e.g. 1, 25%)")


def validate_bounds(max_surge: Any, max_unavailable: Any) -> tuple[Bound, Bound]:
    """Both bounds validated (:func:`validate_bound`), and not both a concrete zero (the API server
    rejects ``maxSurge: 0`` with ``maxUnavailable: 0``: the rollout could never make progress)."""
    surge = validate_bound(max_surge, "max-surge")
    unavail = validate_bound(max_unavailable, "max-unavailable")

    def zero(b: Bound) -> bool:
        return b == 0 or b == "0%"

    if zero(surge) and zero(unavail):
        raise ValueError("max-surge and max-unavailable may not both be 0 (the API server rejects it: the rollout could never progress)")
    return surge, unavail


def prove_rollout(
    replicas: tuple[int, int] | int = (1, 10_000),
    max_surge: Bound = "int",
    max_unavailable: Bound = "int",
    disruptions: int = 0,
    timeout: float = 60.0,
    *,
    properties: Sequence[str] = ("min-available", "max-surge"),
    variant: Variant = FIXED,
    bmc_depth: int = 12,
    percent_max: int = 100,
    replay_limit: int = 3,
    granularity: str = "reconcile",
    induction: bool = True,
    node_failures: int = 0,
    rollout: bool = True,
    strategy: str = "RollingUpdate",
    rollovers: int = 0,
    scale_targets: Sequence[int] = (),
) -> ProofResult:
    """Prove the rollout properties for every parameter in the range, or find a counterexample.

    ``replicas`` is an inclusive range (or one value); ``max_surge``/``max_unavailable`` are
    ``"int"`` (0..replicas), ``"percent"`` (0..``percent_max``) or one concrete IntOrString.
    ``disruptions`` bounds involuntary disruptions (an available pod stops being available).
    ``variant`` seeds a controller bug (the properties keep upstream's fenceposts).
    Counterexamples with ``replicas <= replay_limit`` are replayed in the object model.
    ``granularity``: the count model's (``"write"``: one API write per step, as ``kubecheck check``).
    ``induction=False`` skips the invariant search (BMC only: VIOLATED or UNKNOWN).
    ``node_failures``: node failures the scenario allows (rollout.count_steps ``node_fail``);
    ``rollout=False``: a scenario without a template change (the Deployment controller never scales).
    ``strategy="Recreate"``: rolloutRecreate (rollout.count_steps ``recreate``); the rolling parameters
    are ignored (pass any valid pair) and only ``"no-overlap"`` (KC-ROLL-005) is a Recreate property.
    ``rollovers=1``: a second image change mid-rollout (rollout.count_steps ``rollover``; RollingUpdate, no node
    failure; either granularity: at write granularity the induction rests on :func:`_queue_candidates`).
    """
    if strategy not in ("RollingUpdate", "Recreate"):
        raise ValueError(f"strategy {strategy!r} is not 'RollingUpdate' or 'Recreate'")
    recreate = strategy == "Recreate"
    for key in properties:
        if (key in RECREATE_PROPERTIES) != recreate and key in PROPERTIES and key not in ANY_STRATEGY_PROPERTIES:
            raise ValueError(f"property {key!r} is not a property of a {strategy} rollout")
    if isinstance(replicas, int):
        replicas = (replicas, replicas)
    if replicas[0] < 0 or replicas[0] > replicas[1]:
        raise ValueError(f"replicas range {replicas} is empty or negative")
    if disruptions < 0:
        raise ValueError(f"disruptions {disruptions} < 0")
    max_surge, max_unavailable = validate_bounds(max_surge, max_unavailable)
    spec = ParamSpec(replicas, max_surge, max_unavailable, percent_max)
    start = time.monotonic()
    deadline = start + timeout
    if granularity not in ("write", "reconcile"):
        raise ValueError(f"granularity {granularity!r} is not 'write' or 'reconcile'")
    p = _params(spec, variant)
    p.write = granularity == "write"
    p.node_failures, p.rollout, p.recreate = node_failures, rollout, recreate
    if rollovers not in (0, 1) or (rollovers and (recreate or node_failures or not rollout)):
        raise ValueError("rollovers: 0, or 1 for a RollingUpdate rollout without node failures")
    p.rollovers = rollovers
    if scale_targets:
        if replicas[0] != replicas[1] or not isinstance(max_surge, (int, str)) or max_surge in ("int", "percent") \
                or max_unavailable in ("int", "percent") or recreate or node_failures or rollovers or not rollout:
            raise ValueError("scale during a rollout: one concrete replicas, maxSurge and maxUnavailable, "
                             "a RollingUpdate rollout without node failures or a second image change")
        p.scaling = scaling_for(replicas[0], max_surge, max_unavailable, scale_targets, variant)
    results: list[PropertyProof] = []
    timeout_msg = "no induction attempted (BMC only)"
    try:
        inv = _houdini(p, disruptions, deadline) if induction else None
    except _Timeout as exc:
        inv = None
        timeout_msg = f"timeout in the invariant search ({exc})"
    for key in properties:
        if key not in PROPERTIES:
            raise ValueError(f"unknown property {key!r}; known: {sorted(PROPERTIES)}")
        rule_id, statement = PROPERTIES[key]
        t0 = time.monotonic()
        try:
            if inv is not None and _implied(key, p, inv, disruptions, deadline):
                results.append(PropertyProof(key, rule_id, statement, PROVED, tuple(n for n, _ in inv), seconds=time.monotonic() - t0))
                continue
            cex = _bmc(key, p, spec, disruptions, bmc_depth, deadline, variant)
            if cex is not None:
                if variant == FIXED and key in ANY_STRATEGY_PROPERTIES:
                    from dataclasses import replace as _replace

                    cex = _replace(cex, replay_message="not attempted: the guided replay judges the controller rules only")
                elif variant == FIXED and (node_failures or not rollout or recreate or rollovers or scale_targets):
                    from dataclasses import replace as _replace

                    cex = _replace(cex, replay_message="not attempted: the guided replay builds the RollingUpdate rollout scenario "
                                   "without node failures")
                elif variant == FIXED:
                    cex = _replay(cex, replay_limit, "write" if p.write else "reconcile")
                else:
                    from dataclasses import replace as _replace

                    cex = _replace(cex, replay_message=f"not attempted: seeded controller bug {variant.name!r} (the object model runs upstream's code)")
                results.append(PropertyProof(key, rule_id, statement, VIOLATED, counterexample=cex, seconds=time.monotonic() - t0))
            else:
                results.append(
                    PropertyProof(
                        key, rule_id, statement, UNKNOWN, seconds=time.monotonic() - t0,
                        message=(timeout_msg if inv is None else "no inductive invariant among the candidates")
                        + f"; no counterexample within {bmc_depth} steps",
                    )
                )
        except _Timeout as exc:
            results.append(PropertyProof(key, rule_id, statement, UNKNOWN, seconds=time.monotonic() - t0, message=f"timeout ({exc})"))
    return ProofResult(_worst([r.status for r in results]), spec, disruptions, variant.name, tuple(results), time.monotonic() - start)


def _implied(key: str, p: _Params, inv: list[tuple[str, Lemma]], budget: int, deadline: float) -> bool:
    """Whether the inductive invariant implies the property (its action form for min-available)."""
    s, t, act = _state("s"), _state("t"), z3.Int("act")
    sol = z3.Solver()
    sol.add(*p.domain, *[lem(p, s, budget) for _, lem in inv])
    if key == "one-available":
        sol.add(z3.Not(s.available() >= 1))
    elif p.scaling is not None:  # the action forms (:func:`_bad`)
        sol.add(_trans(p.ctrl, s, t, act, CONTROLLER_ACTIONS, write=p.write, scaling=p.scaling), _bad(key, p, s, t, act, budget))
    elif key == "max-surge":
        sol.add(z3.Not(surge_holds(p.spec, s)))
    elif key == "no-overlap":
        sol.add(z3.Not(recreate_no_overlap_holds(s)))
    else:
        sol.add(_trans(p.ctrl, s, t, act, CONTROLLER_ACTIONS, write=p.write, recreate=p.recreate), _bad(key, p, s, t, act, budget))
    return _check(sol, deadline) == z3.unsat


def prove_deployment(deployment: Deployment, disruptions: int = 0, timeout: float = 60.0, **kwargs: Any) -> ProofResult:
    """"Does this Deployment's rollout ever go below replicas - maxUnavailable available pods
    (or above replicas + maxSurge in spec)?" for its own replicas, maxSurge and maxUnavailable."""
    if deployment.strategy.type != "RollingUpdate":
        spec = ParamSpec((deployment.replicas, deployment.replicas), deployment.strategy.max_surge, deployment.strategy.max_unavailable)
        return ProofResult(UNKNOWN, spec, disruptions, FIXED.name, (), 0.0, f"{deployment.name}: strategy {deployment.strategy.type} is not RollingUpdate; nothing to prove")
    return prove_rollout(
        (deployment.replicas, deployment.replicas),
        deployment.strategy.max_surge,
        deployment.strategy.max_unavailable,
        disruptions,
        timeout,
        **kwargs,
    )


def selector_report(load_result: Any) -> list[Any]:
    """Selector overlaps among the workloads of a ``model.manifests.LoadResult``."""
    from kubecheck.symbolic.selectors import overlap_analysis

    return overlap_analysis(load_result.objects)
