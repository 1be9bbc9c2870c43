"""Cross-check: the SMT transition relation reaches exactly the count vectors of the object model.

The object model (``model.system.KubeSystem``, reconcile granularity, symmetry-reduced) is
explored from the start of a rollout and every state projected onto the count vector
(``kubecheck.symbolic.bridge.project``).  The SMT side computes the states reachable under the
Z3 transition relation (breadth first, every successor of a state enumerated as the models of
one transition query: the same set as enumerating BMC models up to the diameter, one step at a
time).  The two sets must be equal.

The object model is slow beyond 2 replicas (2 replicas, maxSurge 1, maxUnavailable 1: 4,455
states, ~11 s; 3 replicas: ~17,000 states, ~90 s), so the default run covers replicas 1 (every
int combination) and the cheap replicas-2 combinations; ``KUBECHECK_SLOW=1`` adds every int
combination for replicas 2 and 3 and some percents.
"""

from __future__ import annotations

import os

import pytest
import z3

from kubecheck.symbolic.bridge import explicit_reachable_counts
from kubecheck.symbolic.prove import ParamSpec, _params, _state, _trans
from kubecheck.symbolic.rollout import FIXED, CountState, initial_state
from model.objects import IntOrString

FAST = [(1, 1, 0), (1, 0, 1), (1, 1, 1), (2, 1, 0), (2, 0, 1), (2, 2, 0), (2, "50%", "0%")]
SLOW = [(2, s, u) for s in range(3) for u in range(3) if (2, s, u) not in FAST] + [
    (3, s, u) for s in range(4) for u in range(4)
] + [(2, "50%", "50%"), (3, "34%", "34%"), (3, "25%", "75%")]
# maxSurge = maxUnavailable = 0 is rejected by the API server (validation.go
# ValidateRollingUpdateDeployment), so it is outside the proof's parameter domain.
SLOW = [(r, s, u) for r, s, u in SLOW if (s, u) != (0, 0)]
CASES = FAST + (SLOW if os.environ.get("KUBECHECK_SLOW") else [])


@pytest.mark.parametrize("surge, unavailable", [(0, 0), ("0%", "0%"), (0, "0%"), ("int", 0), (0, "percent")])
def test_both_zero_is_outside_the_parameter_domain(surge: IntOrString, unavailable: IntOrString) -> None:
    """A concrete both-zero spec has no parameter valuation; a symbolic grid never picks both zero."""
    p = _params(ParamSpec((1, 50), surge, unavailable), FIXED)
    sol = z3.Solver()
    sol.add(*p.domain, p.surge_value == 0, p.unavailable_value == 0)
    assert sol.check() == z3.unsat
    sol2 = z3.Solver()
    sol2.add(*p.domain)
    assert sol2.check() == (z3.unsat if (surge, unavailable) in ((0, 0), ("0%", "0%"), (0, "0%")) else z3.sat)


def smt_reachable(replicas: int, surge: IntOrString, unavailable: IntOrString) -> set[tuple[int, ...]]:
    p = _params(ParamSpec((replicas, replicas), surge, unavailable), FIXED)
    a, b, act = _state("a"), _state("b"), z3.Int("act")
    sol = z3.Solver()
    sol.add(*p.domain, _trans(p.ctrl, a, b, act))
    init = initial_state(replicas, 0)
    seen = {init}
    frontier = [init]
    while frontier:
        nxt_frontier = []
        for s in frontier:
            sol.push()
            sol.add(*[x == v for x, v in zip(a.as_tuple(), s.as_tuple())])
            while sol.check() == z3.sat:
                m = sol.model()
                n = CountState(*[m.eval(x, model_completion=True).as_long() for x in b.as_tuple()])
                sol.add(z3.Or(*[x != v for x, v in zip(b.as_tuple(), n.as_tuple())]))
                if n not in seen:
                    seen.add(n)
                    nxt_frontier.append(n)
            sol.pop()
        frontier = nxt_frontier
    return {s.counts() for s in seen}


@pytest.mark.parametrize("replicas, surge, unavailable", CASES, ids=[f"r{r}-s{s}-u{u}" for r, s, u in CASES])
def test_object_model_and_smt_reach_the_same_counts(replicas: int, surge: IntOrString, unavailable: IntOrString) -> None:
    explicit, n_states = explicit_reachable_counts(replicas, surge, unavailable)
    smt = smt_reachable(replicas, surge, unavailable)
    assert n_states > len(explicit)  # the projection really merges object-model states
    assert explicit == smt, f"object model only: {sorted(explicit - smt)[:5]}; SMT only: {sorted(smt - explicit)[:5]}"
