"""The runner's arithmetic, its docs writer, its worker, and the Kubernetes scenario builders."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.runner import Run, _spawn, fit_line, growth, parse_range, write_section
from bench.scenarios import SCENARIOS
from kubecheck.core.explorer import explore
from kubecheck.core.verdict import Verdict


@pytest.mark.parametrize(
    ("text", "want"),
    [("3..6", [3, 4, 5, 6]), ("3,8,10", [3, 8, 10]), ("10", [10])],
    ids=["range", "list", "single"],
)
def test_parse_range(text, want):
    assert parse_range(text) == want


def test_fit_line_recovers_slope_and_intercept():
    assert fit_line([1, 2, 3, 4], [3, 5, 7, 9]) == pytest.approx((1.0, 2.0))


def test_growth_recovers_base_and_exponent():
    expo = [Run("ours", "rsk", k, 5 * 2**k, 0, 0, "HOLDS", 1.0, 1.0, 0) for k in range(3, 9)]
    poly = [Run("ours+sym", "rsk", k, 7 * k**3, 0, 0, "HOLDS", 1.0, 1.0, 0) for k in range(3, 9)]
    assert growth(expo, "ours")["base"] == pytest.approx(2.0)
    assert growth(poly, "ours+sym")["exponent"] == pytest.approx(3.0)
    assert growth(expo[:2], "ours") is None  # too few points to fit


def test_cut_runs_are_left_out_of_the_growth_fit():
    runs = [Run("ours", "x", n, 10**n, 0, 0, "HOLDS", 1.0, 1.0, 0) for n in (1, 2, 3)]
    runs.append(Run("ours", "x", 4, 5, 0, 0, "HOLDS_WITHIN_BOUNDS", 1.0, 1.0, 0, complete=False))
    assert math.isclose(growth(runs, "ours", "x")["base"], 10.0)


def test_write_section_replaces_only_its_block(tmp_path: Path):
    doc = tmp_path / "perf.md"
    doc.write_text("# Title\n\nhand-written text\n")
    write_section(doc, "t", "Generated", "first")
    write_section(doc, "t", "Generated", "second")
    text = doc.read_text()
    assert text.startswith("# Title\n\nhand-written text\n")
    assert "second" in text and "first" not in text and text.count("## Generated") == 1


def test_worker_measures_rs3_in_a_fresh_interpreter():
    m = _spawn(["rsk", "3", "0"])
    assert (m["states"], m["transitions"], m["verdict"], m["complete"]) == (320, 2336, "HOLDS", True)
    assert m["peak_rss"] > 0 and m["cpu_seconds"] >= 0
    assert _spawn(["rsk", "3", "1"])["states"] == 100  # orbits: multisets of 3 slot values x 5 values of d


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_starts_settled_and_holds_at_size_1(name):
    b = SCENARIOS[name][0](1)
    start = b.system.scenario.initial
    assert len(start.pods) == 1
    assert all(p.conditions.ready and p.node_name for p in start.pods.values())
    full = explore(b.system, b.properties)
    assert full.complete and all(r.verdict is Verdict.HOLDS for r in full.results)
    assert full.stats.states > 1  # the user action or fault does something
    assert explore(b.system, b.properties, symmetry=True).stats.states <= full.stats.states
