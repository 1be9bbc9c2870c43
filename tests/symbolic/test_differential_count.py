"""Differential: the count model's verdict at the exact parameters agrees with the explicit
engine's over the full object-model graph ``kubecheck check`` builds (write granularity, and reconcile
granularity with a crash).

CI covers replicas 1 with a crash (one VIOLATED, one HOLDS case per rule); the grid over
replicas <= 3, int and percent, 0-2 crashes is ``python -m bench.z3_rollout --differential``
(docs/performance.md).
"""

from __future__ import annotations

import os

import pytest

from bench.z3_rollout import _explicit_verdict
from kubecheck.symbolic.prove import prove_rollout
from kubecheck.symbolic.refinement import rollout_system

CASES = [
    # replicas, maxSurge, maxUnavailable, crashes, rule, expected explicit verdict, granularity
    # the stale-status race at write granularity, ~23 s: tier 2 (CI time, session 14); the same race runs below at
    # reconcile granularity, and test_check_count finds it at write granularity and replays it
    pytest.param(1, 1, 0, 1, "KC-ROLL-001", "VIOLATED", "write", marks=pytest.mark.tier2),
    (1, 1, 0, 1, "KC-ROLL-002", "HOLDS", "write"),
    (1, 0, 1, 1, "KC-ROLL-001", "HOLDS", "write"),  # bound 0: nothing to break
    (2, 1, 0, 0, "KC-ROLL-001", "HOLDS", "write"),
    # crashes at reconcile granularity (the ReplicaSet step's choice of crashed or healthy victims)
    (1, 1, 0, 1, "KC-ROLL-001", "VIOLATED", "reconcile"),
    (1, 1, 1, 1, "KC-ROLL-001", "HOLDS", "reconcile"),
]
KEY = {"KC-ROLL-001": "min-available", "KC-ROLL-002": "max-surge"}


@pytest.mark.parametrize("replicas, surge, unavailable, crashes, rule, want, granularity", CASES,
                         ids=[f"r{r}-s{s}-u{u}-c{c}-{rule}-{g}" for r, s, u, c, rule, _, g in
                              (c.values if hasattr(c, "values") else c for c in CASES)])
def test_count_model_agrees_with_the_explicit_engine(replicas, surge, unavailable, crashes, rule, want, granularity) -> None:
    system, _, _ = rollout_system(replicas, surge, unavailable, crashes=crashes, granularity=granularity)
    explicit, states = _explicit_verdict(system, rule)
    assert explicit == want and states > 50
    # a VIOLATED expectation: bounded model checking alone (no invariant search first, which cannot succeed);
    # VIOLATED still comes only from a concrete count run (prove._counterexample replays it in the Python model)
    count = prove_rollout(replicas, surge, unavailable, crashes, 120, properties=(KEY[rule],), granularity=granularity,
                          replay_limit=0, induction=want != "VIOLATED").status
    assert count == ("VIOLATED" if want == "VIOLATED" else "PROVED")


def _count_search(replicas: int, surge: object, unavailable: object, to: int, rule: str) -> str:
    """The count model's verdict by an exhaustive search of its reachable states (exact at small replicas): the
    rules' action forms with the bounds at the Deployment's spec.replicas after each controller step."""
    from kubecheck.symbolic.rollout import CONTROLLER_ACTIONS, PY, CountSystem, min_available_holds, spec_at, surge_holds

    cs = CountSystem(replicas, surge, unavailable, scale_targets=(to,))  # type: ignore[arg-type]
    assert cs.scaling is not None
    seen = set(cs.init_states())
    stack = list(seen)
    while stack:
        x = stack.pop()
        for a, n in cs.successors(x):
            if a.label in CONTROLLER_ACTIONS:
                spec = spec_at(PY, cs.scaling, n)
                if rule == "KC-ROLL-001" and n.available() < x.available() and not min_available_holds(spec, n):
                    return "VIOLATED"
                if rule == "KC-ROLL-002" and n.spec_sum() > x.spec_sum() and not surge_holds(spec, n):
                    return "VIOLATED"
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return "HOLDS"


SCALE_CASES = [
    # replicas, maxSurge, maxUnavailable, scale target, rule, expected explicit verdict (reconcile granularity)
    # scale up: the ReplicaSet controller deletes a surplus pod; ~32 s: tier 2 (CI time, session 14); the scale race
    # is found in CI by the explicit engine (tests/cli/test_findings, the scale fix)
    pytest.param(2, 1, 0, 3, "KC-ROLL-001", "VIOLATED", marks=pytest.mark.tier2),
    # scale down, KC-ROLL-001: the Z3 induction does not close, so the proof runs to its 120 s budget (UNKNOWN,
    # ~65 s here): slow tier (KUBECHECK_SLOW=1); the explicit and count-search verdicts are checked with it
    pytest.param(2, 1, 0, 1, "KC-ROLL-001", "HOLDS",
                 marks=pytest.mark.skipif(not os.environ.get("KUBECHECK_SLOW"), reason="~65 s of Z3 to UNKNOWN: KUBECHECK_SLOW=1")),
    pytest.param(2, 1, 0, 3, "KC-ROLL-002", "HOLDS", marks=pytest.mark.tier2),  # ~21 s; the next case runs in CI
    (1, 1, 0, 0, "KC-ROLL-002", "HOLDS"),
]


@pytest.mark.parametrize("replicas, surge, unavailable, to, rule, want", SCALE_CASES,
                         ids=[f"r{r}-s{s}-u{u}-to{t}-{rule}" for r, s, u, t, rule, _ in
                              (c.values if hasattr(c, "values") else c for c in SCALE_CASES)])
def test_count_model_agrees_with_the_explicit_engine_with_a_scale(replicas, surge, unavailable, to, rule, want) -> None:
    """Scale during a rollout: the count model's verdict (its full reachable count states) equals the explicit
    engine's over the object model's full graph; where the Z3 proof decides, it agrees too."""
    system, _, _ = rollout_system(replicas, surge, unavailable, granularity="reconcile", scales=(to,))
    explicit, states = _explicit_verdict(system, rule)
    assert explicit == want and states > 50
    assert _count_search(replicas, surge, unavailable, to, rule) == want
    z3_status = prove_rollout(replicas, surge, unavailable, 0, 120, properties=(KEY[rule],), replay_limit=0,
                              scale_targets=(to,)).status
    # KC-ROLL-002 is proved; KC-ROLL-001's induction may not close (UNKNOWN), never the wrong answer
    allowed = ("PROVED",) if rule == "KC-ROLL-002" else ("VIOLATED", "UNKNOWN") if want == "VIOLATED" else ("PROVED", "UNKNOWN")
    assert z3_status in allowed, z3_status
