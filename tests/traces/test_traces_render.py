"""traces.render / render_trace: DOT always, Graphviz SVG/PNG when dot exists, built-in SVG otherwise."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

import networkx as nx
import pytest

from traces import render_state_graph, render_trace
from traces.render import lane_graph, trace_graph
from traces_toy import NOISY, DescribedReplicas, Flip, Replicas, ToyState, at_most_two, follow, mini_cluster_system

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """Hide the real Graphviz binaries: PATH is an empty directory (no mock of graphviz itself)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


def svg_text(path) -> str:
    """All text of an SVG file; parsing it is the well-formedness check."""
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return "".join(root.itertext())


def names(result) -> list[str]:
    return [p.name for p in result.files]


@needs_dot
def test_with_dot_every_artifact_is_written(tmp_path):
    trace = follow(Replicas(), NOISY)
    res = render_trace(trace, tmp_path, system=Replicas(), property_truth=at_most_two)
    assert res.warnings == ()
    assert names(res) == [
        "trace.json", "trace.itf.json",
        "trace.dot", "trace.svg", "trace.png",
        "lanes.dot", "lanes.svg", "lanes.png",
    ]
    assert list(res) == list(res.files)
    for png in ("trace.png", "lanes.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg_text(tmp_path / "trace.svg")
    for step in trace.steps:
        assert f"{step.actor}: {step.label}" in text
    assert "✗ TOY-1 VIOLATED" in text and "crash_pod(p1)" in text
    lanes = svg_text(tmp_path / "lanes.svg")
    assert "✗ VIOLATED" in lanes and lanes.count("✓ holds") == len(trace.steps)


def test_without_dot_the_builtin_svg_shows_every_step(tmp_path, no_dot):
    trace = follow(Replicas(), NOISY)
    res = render_trace(trace, tmp_path, system=Replicas(), property_truth=at_most_two)
    assert names(res) == ["trace.json", "trace.itf.json", "trace.dot", "trace.svg", "lanes.dot", "lanes.svg"]
    assert len(res.warnings) == 2 and all("'dot' is not on PATH" in w for w in res.warnings)
    text = svg_text(tmp_path / "trace.svg")
    for i, step in enumerate(trace.steps, start=1):
        assert f"{step.actor}: {step.label}" in text and f"state {i}" in text
    assert "✗ TOY-1 VIOLATED" in text
    lanes = svg_text(tmp_path / "lanes.svg")
    assert all(f"state {i}" in lanes for i in range(len(trace.states())))
    assert "✗ VIOLATED" in lanes and "scales" in lanes


def test_builtin_svg_draws_the_lasso_loop(tmp_path, no_dot):
    lasso = follow(Flip(), ["touch", "flip"], loop_start=1, loop_label="flip")
    render_trace(lasso, tmp_path)
    text = svg_text(tmp_path / "trace.svg")
    assert "loop: flipper: flip" in text
    assert 'stroke-dasharray' in (tmp_path / "trace.svg").read_text()
    assert "↺ back to state 1 via flipper: flip" in " ".join(svg_text(tmp_path / "lanes.svg").split())


@needs_dot
def test_with_dot_a_lasso_renders_both_views_without_warnings(tmp_path):
    """The lanes' loop row has empty cells; Graphviz rejects an empty <FONT></FONT> (a syntax error)."""
    lasso = follow(Flip(), ["touch", "flip"], loop_start=1, loop_label="flip")
    res = render_trace(lasso, tmp_path)
    assert res.warnings == ()
    assert "lanes.svg" in names(res)
    done = subprocess.run(["dot", "-Tsvg", str(tmp_path / "lanes.dot")], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    assert "↺ back to state 1 via flipper: flip" in " ".join(svg_text(tmp_path / "lanes.svg").split())


@pytest.mark.parametrize("with_dot", [True, False])
def test_a_leads_to_trigger_is_marked_in_both_views(tmp_path, monkeypatch, with_dot):
    if with_dot and not HAS_DOT:
        pytest.skip("Graphviz 'dot' is not installed")
    if not with_dot:
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    lasso = follow(Flip(), ["touch", "flip"], loop_start=1, loop_label="flip")
    res = render_trace(lasso, tmp_path, trigger_at=1, property_truth=[True, False, False])
    assert not [w for w in res.warnings if "dot" not in w or with_dot]
    for view in ("trace", "lanes"):
        assert "trigger holds here; the goal never follows" in " ".join(svg_text(tmp_path / f"{view}.svg").split())
    assert "state 1 ✗ TOY-1 goal VIOLATED ⚑ trigger holds here" in " ".join(svg_text(tmp_path / "trace.svg").split())
    plain = render_trace(lasso, tmp_path / "plain")
    assert "trigger" not in " ".join(svg_text(tmp_path / "plain" / "lanes.svg").split())


def test_dot_source_marks_violation_loop_and_unfair_edges():
    lasso = follow(Flip(), ["touch", "flip"], loop_start=1, loop_label="flip")
    src = trace_graph(lasso).source
    assert 's2 -> s1 [label=<<FONT COLOR="#c62828"><B>loop: flipper: flip</B></FONT>>' in src
    assert "style=dashed" in src and "constraint=false" in src
    assert 's0 -> s1 [label=<<FONT COLOR="#d46b00"><B>user: touch</B></FONT>>' in src


def test_describe_state_is_preferred_and_generic_fields_are_the_fallback():
    trace = follow(DescribedReplicas(), ["create_pod", "scale_up"])
    assert "ReplicaSet rs" in lane_graph(trace, DescribedReplicas()).source
    generic = lane_graph(trace, Replicas()).source
    assert "ReplicaSet rs" not in generic and "scales" in generic


def test_kubernetes_lane_view_has_one_lane_per_object():
    system = mini_cluster_system()
    trace = follow(system, ["rs_create_pod", "rs_create_pod", "kubelet_start_pod", ("pod_crash", "web-2")])
    src = lane_graph(trace, system).source
    for lane in ("ReplicaSet web", "Pod web-1", "Pod web-2", "Node node-1"):
        assert f"<B>{lane}</B>" in src
    assert src.index("ReplicaSet web") < src.index("Pod web-1") < src.index("Node node-1")
    assert "Running ready on node-1" in src and "(deleted)" in src


def test_property_truth_of_the_wrong_length_is_a_warning_not_an_error(tmp_path, no_dot):
    res = render_trace(follow(Replicas(), ["create_pod"]), tmp_path, property_truth=[True])
    assert any("property_truth has 1 entries but the trace has 2 states" in w for w in res.warnings)
    assert (tmp_path / "lanes.svg").exists()


def test_rendering_never_raises(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    res = render_trace(follow(Replicas(), ["create_pod"]), blocker / "out")
    assert res.files == () and len(res.warnings) == 1


# ---------------------------------------------------------------------------- hostile text

HOSTILE = {
    "create_pod": 'cre"ate\\',
    "scale_up": "<script>alert(1)</script>",
    "touch": "{}\n]\\",
    "crash_pod": '\\N"<b>&amp;',
}


class HostileReplicas(Replicas):
    def describe_state(self, s: ToyState) -> dict[str, str]:
        return {'Pod "x"<script>': "{}\\\n" * s.replicas, "label\\": f"<![CDATA[{len(s.pods)}]]>"}


def hostile_trace():
    system = HostileReplicas(labels=HOSTILE)
    trace = follow(system, [HOSTILE[k] for k in ("touch", "create_pod", "scale_up", "create_pod")])
    trace = replace(trace, property_name="<img src=x onerror=alert(1)>", property_id='ID"}')
    return system, trace


def _check_hostile_svg(path) -> None:
    raw = path.read_text()
    assert "<script" not in raw and "<img" not in raw and "<b>" not in raw
    text = svg_text(path)
    assert "<img src=x onerror=alert(1)>" in text
    return text


@needs_dot
def test_hostile_labels_with_dot(tmp_path):
    system, trace = hostile_trace()
    res = render_trace(trace, tmp_path, system=system, property_truth=[True, True, True, True, False])
    assert res.warnings == ()  # dot parsed both files
    text = _check_hostile_svg(tmp_path / "trace.svg")
    assert "user: <script>alert(1)</script>" in text and 'controller: cre"ate\\' in text
    assert "user: {}\\n]\\" in text  # the newline is shown, not obeyed
    _check_hostile_svg(tmp_path / "lanes.svg")
    for dot_file in ("trace.dot", "lanes.dot"):
        src = (tmp_path / dot_file).read_text()
        # Raw text may appear only inside quoted escStrings (tooltips); HTML-like labels are escaped.
        unquoted = re.sub(r'tooltip="(?:[^"\\]|\\.)*"', "", src)
        assert "<script" not in unquoted and "&lt;script&gt;" in unquoted
        subprocess.run(["dot", "-Tsvg", "-o", str(tmp_path / "x.svg"), str(tmp_path / dot_file)], check=True)


def test_hostile_labels_without_dot(tmp_path, no_dot):
    system, trace = hostile_trace()
    render_trace(trace, tmp_path, system=system)
    text = _check_hostile_svg(tmp_path / "trace.svg")
    assert "user: <script>alert(1)</script>" in text and 'Pod "x"<script>' in text
    _check_hostile_svg(tmp_path / "lanes.svg")


# ------------------------------------------------------------------------ state graph


def _explored(tmp_path):
    explorer = pytest.importorskip("kubecheck.core.explorer")
    from kubecheck.core.properties import invariant

    system = Replicas(ToyState(replicas=1, pods=(), scales=2, crashes=0, noise=0))
    res = explorer.explore(system, [invariant("TOY-1", "at most two pods", at_most_two)], keep_graph=True)
    return res, explorer.state_graph(res)


@needs_dot
def test_state_graph_highlights_the_counterexample(tmp_path):
    res, graph = _explored(tmp_path)
    trace = res.results[0].trace
    out = render_state_graph(graph, tmp_path, trace=trace)
    assert out.warnings == () and names(out) == ["states.dot", "states.svg"]
    src = (tmp_path / "states.dot").read_text()
    red_edges = [line for line in src.splitlines() if "->" in line and "#c62828" in line]
    assert len(red_edges) == len(trace.steps)
    svg_text(tmp_path / "states.svg")


def test_state_graph_without_marks_matches_trace_states(tmp_path, no_dot):
    trace = follow(Replicas(), ["create_pod", "scale_up"])
    g = nx.DiGraph()
    states = trace.states()
    for a, b in zip(states, states[1:]):
        g.add_edge(a, b, label="x")
    g.add_edge(states[0], replace(states[0], noise=0), label="touch")
    out = render_state_graph(g, tmp_path, trace=trace)
    assert names(out) == ["states.dot"] and "needs a layout engine" in out.warnings[0]
    src = (tmp_path / "states.dot").read_text()
    assert sum(1 for line in src.splitlines() if "->" in line and "#c62828" in line) == 2


def test_state_graph_too_big_is_a_warning(tmp_path):
    out = render_state_graph(nx.path_graph(50, create_using=nx.DiGraph), tmp_path, max_nodes=10)
    assert out.files == () and "more than max_nodes=10" in out.warnings[0]


# ------------------------------------------------------------------- lanes never cut a change

LONG = "Running ready on node-1 img=example.com/team/api:1.4.2-next owner=api-7d9fbb4c5d ip=10.0.0.7"


class LongLaneReplicas(Replicas):
    """One long lane whose only change is at its very end (a pod that starts terminating)."""

    def describe_state(self, s: ToyState) -> dict[str, str]:
        return {"Pod api-1": LONG + (" DELETING" if s.replicas > 1 else ""), "Node node-1": "Ready"}


def test_lane_cells_that_changed_are_never_cut():
    trace = follow(LongLaneReplicas(), ["scale_up"])  # state 1: only "DELETING" differs
    src = lane_graph(trace, LongLaneReplicas()).source
    assert "DELETING" in src  # the changed cell shows the whole text
    assert src.count("…") == 1  # the unchanged cell of state 0 is still wrapped to four lines and cut
    from traces._svg import lanes_svg
    from traces._view import build_view

    svg = lanes_svg(build_view(trace, LongLaneReplicas()))
    assert "DELETING" in svg and svg.count("…") == 1
