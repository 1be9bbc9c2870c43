"""Private module for selective re-export: the explored state graph and its exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Hashable

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from kubecheck.core.verdict import ExplorationResult


@dataclass(slots=True)
class StateGraph:
    """The explored graph, indexed by state id (BFS discovery order for BFS).

    ``targets[u][j]`` is the id of the ``j``-th successor of state ``u`` (``j`` = its position in
    ``successors(states[u])``), ``bits[u][j]`` the weak-fairness bit of that edge's key (0 for an unfair
    action), ``enabled[u]`` the OR of the bits of ``u``'s edges.  Unexpanded states (cut by a bound)
    have ``targets[u] is None``.
    """

    states: list[Any]
    ids: dict[Hashable, int]
    parent: list[int]
    ppos: list[int]
    depth: list[int]
    expanded: bytearray
    targets: list[list[int] | None]
    bits: list[list[int] | None]
    labels: list[list[str] | None] | None
    enabled: list[int]
    key_bits: dict[Hashable, int]


def _graph_of(result: "ExplorationResult") -> StateGraph:
    if result.graph is None:
        from kubecheck.core.errors import InvalidScenario

        raise InvalidScenario(
            "this ExplorationResult holds no state graph; run explore(..., keep_graph=True) on a small "
            "state space to export it"
        )
    return result.graph


def _trace_marks(result: "ExplorationResult", g: StateGraph, rule_id: str | None, key_of: Any) -> tuple[set[int], set[tuple[int, int]]]:
    nodes: set[int] = set()
    edges: set[tuple[int, int]] = set()
    for r in result.results:
        if r.trace is None or (rule_id is not None and r.property.rule_id != rule_id):
            continue
        if rule_id is None and r.verdict.name != "VIOLATED":
            continue
        seq = [g.ids.get(key_of(s)) for s in r.trace.states()]
        if r.trace.loop_step is not None:
            seq.append(g.ids.get(key_of(r.trace.loop_step.state)))
        nodes.update(i for i in seq if i is not None)
        for a, b in zip(seq, seq[1:]):
            if a is not None and b is not None:
                edges.add((a, b))
        if rule_id is None:
            break  # the first violated property only
    return nodes, edges


def state_graph(result: "ExplorationResult", rule_id: str | None = None, key_of: Any = None) -> "nx.DiGraph":
    """The explored graph as a networkx ``DiGraph``.

    Nodes are state ids with attributes ``label`` (``repr`` of the state), ``depth``, ``initial``,
    ``expanded`` and ``on_trace``; edges carry ``label`` (``actor:label``, several joined by ``", "``)
    and ``on_trace``.  The marked trace is ``rule_id``'s, or by default the first violated property's.
    ``key_of`` maps a trace state to the graph key (pass ``system.canonical`` if symmetry was on).
    """
    import networkx as nx

    g = _graph_of(result)
    nodes, edges = _trace_marks(result, g, rule_id, key_of or (lambda s: s))
    out = nx.DiGraph()
    for u, state in enumerate(g.states):
        out.add_node(
            u,
            label=repr(state),
            depth=g.depth[u],
            initial=g.parent[u] == -1,
            expanded=bool(g.expanded[u]),
            on_trace=u in nodes,
        )
    for u, tg in enumerate(g.targets):
        if tg is None:
            continue
        labels = g.labels[u] if g.labels is not None else None
        for j, v in enumerate(tg):
            lab = labels[j] if labels is not None else ""
            if out.has_edge(u, v):
                out[u][v]["label"] += ", " + lab
            else:
                out.add_edge(u, v, label=lab, on_trace=(u, v) in edges)
    return out


def to_graphml(result: "ExplorationResult", path: str, rule_id: str | None = None, key_of: Any = None) -> None:
    """Write :func:`state_graph` as GraphML."""
    import networkx as nx

    nx.write_graphml(state_graph(result, rule_id, key_of), path)


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(result: "ExplorationResult", rule_id: str | None = None, key_of: Any = None) -> str:
    """DOT text of :func:`state_graph`; the trace is drawn red and bold, initial states doubled."""
    g = state_graph(result, rule_id, key_of)
    lines = ["digraph states {", "  node [shape=box, fontname=monospace];"]
    for u, attrs in g.nodes(data=True):
        style = ['label="%s"' % _dot_escape(attrs["label"])]
        if attrs["initial"]:
            style.append("peripheries=2")
        if attrs["on_trace"]:
            style.append('color=red, penwidth=2')
        if not attrs["expanded"]:
            style.append("style=dashed")
        lines.append(f"  s{u} [{', '.join(style)}];")
    for u, v, attrs in g.edges(data=True):
        style = ['label="%s"' % _dot_escape(attrs["label"])]
        if attrs["on_trace"]:
            style.append("color=red, penwidth=2")
        lines.append(f"  s{u} -> s{v} [{', '.join(style)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
