"""Differential: the count model's verdict at the exact parameters agrees with the explicit
engine's over the full object-model graph ``kubecheck check`` builds (write granularity).

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
    # replicas, maxSurge, maxUnavailable, crashes, rule, expected explicit verdict
    (1, 1, 0, 1, "KC-ROLL-001", "VIOLATED"),  # the stale-status race
    (1, 1, 0, 1, "KC-ROLL-002", "HOLDS"),
    (1, 0, 1, 1, "KC-ROLL-001", "HOLDS"),  # bound 0: nothing to break
    (2, 1, 0, 0, "KC-ROLL-001", "HOLDS"),
]
KEY = {"KC-ROLL-001": "min-available", "KC-ROLL-002": "max-surge"}


@pytest.mark.parametrize("replicas, surge, unavailable, crashes, rule, want", CASES,
                         ids=[f"r{r}-s{s}-u{u}-c{c}-{rule}" for r, s, u, c, rule, _ in CASES])
def test_count_model_agrees_with_the_explicit_engine(replicas, surge, unavailable, crashes, rule, want) -> None:
    system, _, _ = rollout_system(replicas, surge, unavailable, crashes=crashes)
    explicit, states = _explicit_verdict(system, rule)
    assert explicit == want and states > 50
    count = prove_rollout(replicas, surge, unavailable, crashes, 120, properties=(KEY[rule],), granularity="write",
                          replay_limit=0).status
    assert count == ("VIOLATED" if want == "VIOLATED" else "PROVED")
