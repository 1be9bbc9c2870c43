"""Differential: the random engine never contradicts the exhaustive explorer.

On systems small enough for the explorer to finish, every property the random engine reports
VIOLATED (or a ``sometimes`` it reports HOLDS) the explorer reports the same way, and every property
the explorer proves (HOLDS) the random engine leaves unviolated (SAMPLED).  The toy systems are
random graphs (built from ``random.Random(seed)``, no nested Hypothesis) with fair and unfair edges;
the Kubernetes ones are small rollout and ReplicaSet scenarios with the whole catalogue.
"""

from __future__ import annotations

import random

import pytest

from kubecheck.core.explorer import explore
from kubecheck.core.random import run_random
from kubecheck.core.properties import action_property, always_eventually, eventually_always, invariant, leads_to, sometimes
from kubecheck.core.verdict import Verdict
from model.system import KubeSystem
from properties import instantiate
from tests.explorer.systems import Graph
from tests.fuzz.kube import replica_set_with_crash, rollout
from traces import replay
from tests.conftest import SLOW


def random_graph(seed: int) -> tuple[Graph, list]:
    rng = random.Random(seed)
    n = rng.randint(1, 6)
    edges = {}
    for s in range(n):
        out = []
        for _ in range(rng.randint(0, 3)):
            actor = rng.choice("abc")
            out.append((actor, rng.choice("xy"), rng.random() < 0.6, rng.choice([None, actor]), rng.randrange(n)))
        edges[s] = out
    inits = sorted({rng.randrange(n) for _ in range(rng.randint(1, 2))})
    p = frozenset(s for s in range(n) if rng.random() < 0.5)
    q = frozenset(s for s in range(n) if rng.random() < 0.5)
    props = [
        invariant("INV", "stays in P", lambda s, p=p: s in p),
        action_property("ACT", "no step from P to Q", lambda s, a, t, p=p, q=q: not (s in p and t in q)),
        eventually_always("EA", "eventually always P", lambda s, p=p: s in p),
        always_eventually("AE", "always eventually Q", lambda s, q=q: s in q),
        sometimes("SOME", "reaches Q", lambda s, q=q: s in q),
        leads_to("LT", "P leads to Q", lambda s, p=p: s in p, lambda s, q=q: s in q),
    ]
    return Graph(inits, edges), props


def assert_no_contradiction(system, props, exhaustive, sampled) -> int:
    """Check the relation; return how many properties the random engine decided (for the agreement rate)."""
    assert exhaustive.complete
    decided = 0
    for ex, rnd in zip(exhaustive.results, sampled.results):
        rid = ex.property.rule_id
        assert rnd.verdict is not Verdict.ERROR, (rid, rnd.note)
        if rnd.verdict is Verdict.VIOLATED:
            assert ex.verdict is Verdict.VIOLATED, (rid, rnd.note, rnd.trace.action_path())
            replay(system, rnd.trace)
            decided += 1
        elif rnd.verdict is Verdict.HOLDS:  # only a found `sometimes` example
            assert ex.property.kind.name == "SOMETIMES" and ex.verdict is Verdict.HOLDS, rid
            replay(system, rnd.trace)
            decided += 1
        else:
            assert rnd.verdict is Verdict.SAMPLED, rid
        if ex.verdict is Verdict.HOLDS and ex.property.kind.name != "SOMETIMES":
            assert rnd.verdict is Verdict.SAMPLED, rid
    return decided


def test_random_graphs_never_contradict_the_explorer() -> None:
    decided = violated_exhaustively = 0
    for seed in range(40 if SLOW else 20):  # tier 2 (KUBECHECK_SLOW=1): 40 graphs
        system, props = random_graph(seed)
        exhaustive = explore(system, props)
        sampled = run_random(system, props, examples=25, max_steps=8, seed=seed)
        decided += assert_no_contradiction(system, props, exhaustive, sampled)
        violated_exhaustively += sum(
            r.verdict is Verdict.VIOLATED or (r.property.kind.name == "SOMETIMES" and r.verdict is Verdict.HOLDS)
            for r in exhaustive.results
        )
    # not a soundness claim, but the engine must actually find things on systems this small
    assert decided >= 0.8 * violated_exhaustively, (decided, violated_exhaustively)


KUBE_SCENARIOS = {
    "deployment-1-replica-rollout": lambda: rollout(1, surge=1, unavailable=0),
    "deployment-2-replicas-rollout-25pct": lambda: rollout(2, surge=1, unavailable="25%"),
    "replicaset-1-replica-crash-and-sandbox-death": lambda: replica_set_with_crash(1),
}


@pytest.mark.parametrize("name", sorted(KUBE_SCENARIOS))
def test_small_kubernetes_scenarios_never_contradict_the_explorer(name: str) -> None:
    scenario = KUBE_SCENARIOS[name]()
    system = KubeSystem(scenario)
    props = instantiate(scenario.initial)
    exhaustive = explore(system, props)
    sampled = run_random(system, props, examples=15, max_steps=25, seed=0)
    assert_no_contradiction(system, props, exhaustive, sampled)
    assert sampled.coverage.unsettled_runs == 0


def test_the_2_replica_rollout_finds_the_live_pod_surge_violation_both_ways() -> None:
    """KC-ROLL-003 (stricter than upstream) fails while terminating pods linger: both engines see it."""
    scenario = rollout(2, surge=1, unavailable="25%")
    system = KubeSystem(scenario)
    props = instantiate(scenario.initial, ["KC-ROLL-003"])
    shortest = len(explore(system, props).results[0].trace)
    found = run_random(system, props, examples=30, max_steps=25, seed=0).results[0]
    assert found.verdict is Verdict.VIOLATED
    assert shortest <= len(found.trace) <= shortest + 2
