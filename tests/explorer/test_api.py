"""Declarations validate themselves; verdicts map to exit codes; the graph exports mark the trace."""

from __future__ import annotations

import networkx as nx
import pytest

from kubecheck.core.errors import InvalidProperty, InvalidScenario, KubecheckError
from kubecheck.core.explorer import explore, state_graph, tarjan_scc, to_dot, to_graphml
from kubecheck.core.properties import Property, PropertyKind, action_property, invariant
from kubecheck.core.ts import Action
from kubecheck.core.verdict import Verdict, worst_verdict
from tests.explorer.systems import Counter


def test_action_key_defaults_to_actor_and_label():
    assert Action("rs", "create").key == ("rs", "create")
    assert Action("rs", "create", fairness_key="rs-controller").key == "rs-controller"


@pytest.mark.parametrize("rule_id", ["", "1ABC", "has space", None, "x" * 65], ids=["empty", "digit-first", "space", "none", "too-long"])
def test_bad_rule_id_is_rejected(rule_id):
    with pytest.raises(InvalidProperty, match="rule_id"):
        invariant(rule_id, "name", lambda s: True)


def test_non_callable_predicate_names_the_fix():
    with pytest.raises(InvalidProperty, match="not callable.*function itself"):
        invariant("INV-1", "x", True)


def test_wrong_arity_names_the_users_function():
    def two_args(state, other):
        return True

    with pytest.raises(InvalidProperty, match=r"test_api\.test_wrong_arity_names_the_users_function\.two_args"):
        invariant("INV-1", "x", two_args)
    with pytest.raises(InvalidProperty, match=r"\(state, action, next_state\)"):
        action_property("ACT-1", "x", lambda s: True)


def test_invalid_property_is_a_value_error_and_kubecheck_error():
    assert issubclass(InvalidProperty, ValueError) and issubclass(InvalidProperty, KubecheckError)


def test_duplicate_rule_ids_are_refused():
    with pytest.raises(InvalidProperty, match="share rule ID"):
        explore(Counter(2), [invariant("A", "one", lambda s: True), invariant("A", "two", lambda s: True)])


def test_non_system_is_refused():
    with pytest.raises(InvalidScenario, match="init_states"):
        explore(object(), [])


@pytest.mark.parametrize(
    ("verdict", "code"),
    [(Verdict.HOLDS, 0), (Verdict.VIOLATED, 1), (Verdict.ERROR, 2), (Verdict.HOLDS_WITHIN_BOUNDS, 3), (Verdict.SAMPLED, 4)],
)
def test_exit_codes(verdict, code):
    assert verdict.exit_code == code


def test_worst_verdict_order():
    assert worst_verdict([Verdict.HOLDS, Verdict.SAMPLED, Verdict.HOLDS_WITHIN_BOUNDS]) is Verdict.HOLDS_WITHIN_BOUNDS
    assert worst_verdict([Verdict.ERROR, Verdict.VIOLATED]) is Verdict.VIOLATED
    assert worst_verdict([Verdict.ERROR, Verdict.HOLDS_WITHIN_BOUNDS]) is Verdict.ERROR
    assert worst_verdict([]) is Verdict.HOLDS


def test_graph_export_marks_the_counterexample(tmp_path):
    res = explore(Counter(6), [invariant("NOT5", "never 5", lambda s: s != 5)], keep_graph=True)
    g = state_graph(res)
    assert isinstance(g, nx.DiGraph)
    assert g.number_of_nodes() == 7  # keep_graph explores everything, even after the violation
    on = [g.nodes[n]["label"] for n in g.nodes if g.nodes[n]["on_trace"]]
    assert on == ["0", "1", "2", "4", "5"]  # shortest: inc, inc/dbl, dbl, inc
    assert sum(1 for *_, d in g.edges(data=True) if d["on_trace"]) == 4
    dot = to_dot(res)
    assert dot.startswith("digraph") and "color=red" in dot and "c:inc" in dot
    to_graphml(res, str(tmp_path / "g.graphml"))
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == 7


def test_graph_export_needs_keep_graph():
    with pytest.raises(InvalidScenario, match="keep_graph=True"):
        state_graph(explore(Counter(3), []))


def test_tarjan_matches_networkx_on_a_long_chain_and_cycles():
    n = 50_000
    targets = [[i + 1] for i in range(n - 1)] + [[0]]  # one big cycle: deep, no recursion allowed
    sccs = tarjan_scc(n, targets, bytearray([1]) * n)
    assert len(sccs) == 1 and len(sccs[0]) == n
    targets = [[1], [2], [1, 3], [], [3]]
    ours = {frozenset(c) for c in tarjan_scc(5, targets, bytearray([1]) * 5)}
    g = nx.DiGraph([(u, v) for u, ts in enumerate(targets) for v in ts])
    g.add_nodes_from(range(5))
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(g)}


def test_deadlock_kind_is_builtin():
    assert PropertyKind.DEADLOCK not in (PropertyKind.INVARIANT,)
    p = Property("X-1", "x", PropertyKind.INVARIANT, lambda s: True)
    assert p.predicate_name.endswith("<lambda>")
