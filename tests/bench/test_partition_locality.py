"""bench.partition_locality: the measures are what they say on a small golden graph."""

from __future__ import annotations

from bench.partition_locality import KEYS, measure
from kubecheck.core.explorer import explore
from kubecheck.core.properties import invariant
from tests.model.test_golden_counts import rollout_small


def test_a_coarse_key_crosses_less_and_balances_worse_than_the_whole_state() -> None:
    graph = explore(rollout_small("reconcile"), [invariant("T", "t", lambda s: True)], keep_graph=True, max_states=None).graph
    whole = measure(graph, KEYS["the whole state (today)"], 2)
    names = measure(graph, KEYS["the set of pod names"], 2)
    assert whole[2] == len(graph.states) and names[2] < whole[2]
    assert 0.3 < whole[0] < 0.7 and names[0] < whole[0]  # a hash of the whole state sends about half the edges away
    assert 0.5 <= whole[1] <= names[1] <= 1.0  # the critical path is at least the ideal half
    one = measure(graph, KEYS["the whole state (today)"], 1)
    assert one[:2] == (0.0, 1.0)  # one worker: nothing crosses, it does everything
