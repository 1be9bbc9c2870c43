"""The count model: fenceposts match model.deployment_util; the Z3 relation equals the Python steps."""

from __future__ import annotations

import pytest
import z3
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kubecheck.symbolic.prove import ParamSpec, _params, _state, _trans
from kubecheck.symbolic.rollout import ACTIONS, FIXED, CountState, CountSystem, py_successors, resolve
from model.deployment_util import max_surge, max_unavailable
from model.objects import Deployment, DeploymentStrategy
from tests.conftest import SLOW

BOUNDS = [0, 1, 2, 3, "0%", "1%", "25%", "33%", "50%", "99%", "100%"]


@pytest.mark.parametrize("replicas", [1, 2, 3, 7, 10, 333])
@pytest.mark.parametrize("surge", BOUNDS)
@pytest.mark.parametrize("unavailable", BOUNDS)
def test_resolve_matches_deployment_util(replicas: int, surge: object, unavailable: object) -> None:
    d = Deployment(name="d", replicas=replicas, strategy=DeploymentStrategy(max_surge=surge, max_unavailable=unavailable))  # type: ignore[arg-type]
    f = resolve(replicas, surge, unavailable)  # type: ignore[arg-type]
    assert (f.surge, f.max_unavailable) == (max_surge(d), max_unavailable(d))


@pytest.mark.parametrize("replicas, surge, unavailable, want", [(10, "39%", "39%", (4, 3)), (10, 0, 0, (0, 1)), (3, "1%", "1%", (1, 0))])
def test_resolve_upstream_examples(replicas: int, surge: object, unavailable: object, want: tuple[int, int]) -> None:
    f = resolve(replicas, surge, unavailable)  # type: ignore[arg-type]
    assert (f.surge, f.max_unavailable) == want


def test_z3_fenceposts_equal_python_rounding() -> None:
    """Percent rounding in linear integer arithmetic (ceil for surge, floor for unavailable)."""
    for r in (1, 3, 7, 10, 99, 10_000):
        for ps in (0, 1, 33, 50, 99, 100):
            for pu in (0, 1, 25, 67, 100):
                if ps == pu == 0:
                    continue  # rejected by the API server; see test_both_zero_is_outside_the_parameter_domain
                p = _params(ParamSpec((r, r), f"{ps}%", f"{pu}%"), FIXED)
                sol = z3.Solver()
                sol.add(*p.domain)
                assert sol.check() == z3.sat
                m = sol.model()
                f = resolve(r, f"{ps}%", f"{pu}%")
                assert (m.eval(p.ctrl.surge).as_long(), m.eval(p.ctrl.max_unavailable).as_long()) == (f.surge, f.max_unavailable)


def test_rollout_from_steady_state_converges() -> None:
    """R=3, maxSurge 1, maxUnavailable 0: the only terminal state is the completed rollout."""
    cs = CountSystem(3, 1, 0)
    terminal = [s for s in cs.reachable() if not cs.successors(s)]
    assert [s.counts() for s in terminal] == [(3, 0, 3, 3, 0, 0, 0, 0, 0, 1)]


def test_burst_replicas_limits_one_reconcile() -> None:
    cs = CountSystem(2000, "100%", 0)
    s0 = cs.init_states()[0]
    (_, s1), = [(a, n) for a, n in cs.successors(s0) if a.label == "dc"]
    assert s1.new_spec == 2000
    (_, s2), = [(a, n) for a, n in cs.successors(s1) if a.label == "rs_new"]
    assert s2.new_unavailable == 500  # BurstReplicas


counts = st.integers(0, 6)


@settings(max_examples=60 if SLOW else 30, deadline=None)  # tier 2 (KUBECHECK_SLOW=1): 60
@given(
    st.integers(1, 6),
    st.sampled_from([0, 1, 2, "25%", "50%"]),
    st.sampled_from([0, 1, 2, "34%", "100%"]),
    st.tuples(counts, counts, counts, counts, counts, counts, counts, counts, counts, st.integers(0, 1), st.integers(0, 1)),
    st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 1), st.integers(-1, 3), st.integers(0, 1), st.integers(0, 1),
              st.integers(0, 1), st.integers(-1, 3), st.integers(-1, 3), st.integers(0, 1), st.integers(0, 1)),
    st.booleans(),
)
def test_z3_relation_equals_python_steps(replicas: int, surge: object, unavailable: object, vec: tuple[int, ...],
                                         pending: tuple[int, ...], write: bool) -> None:
    """For any state, the Z3 successors (all of them, by model enumeration) are the Python ones, at
    both granularities (the pending-write fields only matter at write granularity; crashed pods at both:
    the reconcile-granularity ReplicaSet step chooses its doomed victims, a free Z3 integer)."""
    assume(not (surge == 0 and unavailable == 0))  # outside the domain: the API server rejects it
    s = CountState(*vec, *(pending if write else ()))
    if not write:
        s = CountState(*vec, new_doomed=pending[-2], old_doomed=pending[-1])
    f = resolve(replicas, surge, unavailable)  # type: ignore[arg-type]
    want = set(py_successors(f, s, write))
    p = _params(ParamSpec((replicas, replicas), surge, unavailable), FIXED)  # type: ignore[arg-type]
    a, b, act = _state("a"), _state("b"), z3.Int("act")
    sol = z3.Solver()
    # every field of the source state is fixed (the pending fields too: unconstrained, they would
    # give infinitely many successors)
    sol.add(*p.domain, *[x == v for x, v in zip(a.as_tuple(), s.as_tuple())], _trans(p.ctrl, a, b, act, write=write))
    got = set()
    while sol.check() == z3.sat:
        m = sol.model()
        nxt = CountState(*[m.eval(x, model_completion=True).as_long() for x in b.as_tuple()])
        i = m.eval(act, model_completion=True).as_long()
        got.add((ACTIONS[i], nxt))
        sol.add(z3.Not(z3.And(act == i, *[x == v for x, v in zip(b.as_tuple(), nxt.as_tuple())])))
    assert got == want


def test_reconcile_replicaset_step_chooses_its_doomed_victims() -> None:
    """getPodsToDelete cannot tell a crashed-but-Ready pod from a healthy Ready one (its ranking
    reads the API, where both are Ready with the same restart count): the reconcile-granularity
    scale-down of the old ReplicaSet may take 0, 1 or 2 of its 2 doomed pods when it deletes 2 of 4
    available ones, and at least one when it deletes 4 - 1 = 3 of them (only 2 healthy ones)."""
    f = resolve(4, 0, 2)
    s = CountState(0, 0, 0, 0, 2, 0, 4, 4, 0, 1, 0, new_doomed=0, old_doomed=2)
    outs = {(n.old_available, n.old_doomed, n.terminating) for nm, n in py_successors(f, s) if nm == "rs_old"}
    assert outs == {(2, 2, 2), (2, 1, 2), (2, 0, 2)}
    s1 = CountState(0, 0, 0, 0, 1, 0, 4, 4, 0, 1, 0, new_doomed=0, old_doomed=2)
    outs = {(n.old_available, n.old_doomed) for nm, n in py_successors(f, s1) if nm == "rs_old"}
    assert outs == {(1, 1), (1, 0)}
    # a not-available pod is always deleted first (ranked not-ready before Ready): no doomed pod goes
    s2 = CountState(0, 0, 0, 0, 3, 1, 3, 3, 0, 1, 0, new_doomed=0, old_doomed=1)
    outs = {(n.old_unavailable, n.old_available, n.old_doomed) for nm, n in py_successors(f, s2) if nm == "rs_old"}
    assert outs == {(0, 3, 1)}


@settings(max_examples=40 if SLOW else 20, deadline=None)  # tier 2 (KUBECHECK_SLOW=1): 40
@given(
    st.integers(1, 5),
    st.sampled_from([0, 1, "25%", "50%"]),
    st.sampled_from([0, 1, "34%"]),
    st.integers(0, 6),
    st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6),
              st.integers(0, 2), st.integers(0, 6), st.integers(0, 6), st.integers(0, 1), st.integers(0, 1)),
    st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 1), st.integers(0, 1)),
)
def test_z3_relation_equals_python_steps_with_a_scale(replicas: int, surge: object, unavailable: object, to: int,
                                                      vec: tuple[int, ...], pick: tuple[int, ...]) -> None:
    """Scale during a rollout (rollout.Scaling): for any state, the Z3 successors equal the Python ones (the
    proportional scaling's rounding, the annotations, the unbound pods a ReplicaSet step may remove at once)."""
    from dataclasses import replace

    from kubecheck.symbolic.rollout import scaling_for

    assume(not (surge == 0 and unavailable == 0) and to != replicas)
    sc = scaling_for(replicas, surge, unavailable, (to,))  # type: ignore[arg-type]
    values = sc.values()
    ns, nu, na, nst, os_, ou, oa, ost, created, terminating = vec
    s = replace(CountState(ns, nu, na, min(nst, na), os_, ou, oa, ost, terminating, created, 0),
                d_replicas=values[pick[0]], new_desired=values[pick[1]] if created else 0, old_desired=values[pick[2]],
                scale1=pick[3])
    f = resolve(replicas, surge, unavailable)  # type: ignore[arg-type]
    want = set(py_successors(f, s, False, False, sc))
    p = _params(ParamSpec((replicas, replicas), surge, unavailable), FIXED)  # type: ignore[arg-type]
    a, b, act = _state("a"), _state("b"), z3.Int("act")
    sol = z3.Solver()
    sol.add(*p.domain, *[x == v for x, v in zip(a.as_tuple(), s.as_tuple())], _trans(p.ctrl, a, b, act, scaling=sc))
    got = set()
    while sol.check() == z3.sat:
        m = sol.model()
        nxt = CountState(*[m.eval(x, model_completion=True).as_long() for x in b.as_tuple()])
        i = m.eval(act, model_completion=True).as_long()
        got.add((ACTIONS[i], nxt))
        sol.add(z3.Not(z3.And(act == i, *[x == v for x, v in zip(b.as_tuple(), nxt.as_tuple())])))
    assert got == want


def test_proportional_scaling_matches_the_object_model_table() -> None:
    """sync_test.go TestScale "proportional scaling: 5 -> 10" / "5 -> 3" (maxSurge 0... here 1/0 at the count
    level): the count step gives what model.deployment.scale gives for new 2 / old 3, both annotated 5."""
    from dataclasses import replace

    from kubecheck.symbolic.rollout import PY, _dc_scaling, scaling_for

    for to, want in ((10, (4, 6)), (3, (1, 2))):
        sc = scaling_for(5, 0, 1, (to,))
        s = replace(CountState(2, 0, 2, 2, 3, 0, 3, 3, 0, 1, 0), d_replicas=to, new_desired=5, old_desired=5)
        en, nxt = _dc_scaling(PY, sc, s)
        assert en and (nxt.new_spec, nxt.old_spec, nxt.new_desired, nxt.old_desired) == (*want, to, to)
