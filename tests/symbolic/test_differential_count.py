"""Differential: the count model's verdict at the exact parameters agrees with the explicit
engine's over the full object-model graph ``kubecheck check`` builds (write granularity, and reconcile
granularity with a crash).

CI covers replicas 1 with a crash (one VIOLATED, one HOLDS case per rule); the grid over
replicas <= 3, int and percent, 0-2 crashes is ``python -m bench.z3_rollout --differential``
(docs/performance.md).
"""

from __future__ import annotations

import pytest

from bench.z3_rollout import _explicit_verdict
from kubecheck.symbolic.prove import prove_rollout
from kubecheck.symbolic.refinement import rollout_system

CASES = [
    # replicas, maxSurge, maxUnavailable, crashes, rule, expected explicit verdict, granularity
    (1, 1, 0, 1, "KC-ROLL-001", "VIOLATED", "write"),  # the stale-status race
    (1, 1, 0, 1, "KC-ROLL-002", "HOLDS", "write"),
    (1, 0, 1, 1, "KC-ROLL-001", "HOLDS", "write"),  # bound 0: nothing to break
    (2, 1, 0, 0, "KC-ROLL-001", "HOLDS", "write"),
    # crashes at reconcile granularity (the ReplicaSet step's choice of crashed or healthy victims)
    (1, 1, 0, 1, "KC-ROLL-001", "VIOLATED", "reconcile"),
    (1, 1, 1, 1, "KC-ROLL-001", "HOLDS", "reconcile"),
]
KEY = {"KC-ROLL-001": "min-available", "KC-ROLL-002": "max-surge"}


@pytest.mark.parametrize("replicas, surge, unavailable, crashes, rule, want, granularity", CASES,
                         ids=[f"r{r}-s{s}-u{u}-c{c}-{rule}-{g}" for r, s, u, c, rule, _, g in CASES])
def test_count_model_agrees_with_the_explicit_engine(replicas, surge, unavailable, crashes, rule, want, granularity) -> None:
    system, _, _ = rollout_system(replicas, surge, unavailable, crashes=crashes, granularity=granularity)
    explicit, states = _explicit_verdict(system, rule)
    assert explicit == want and states > 50
    count = prove_rollout(replicas, surge, unavailable, crashes, 120, properties=(KEY[rule],), granularity=granularity,
                          replay_limit=0).status
    assert count == ("VIOLATED" if want == "VIOLATED" else "PROVED")
