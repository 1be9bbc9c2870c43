"""The scenario-grid runner's logic (bench/runner.py) on fake measurements and tiny real runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.runner import (
    SCENARIO_MAX_MEMORY,
    Config,
    GridResult,
    Run,
    grid_from_json,
    grid_to_json,
    growth,
    measure_scenario,
    run_grid,
    scenario_targets,
    scenarios_markdown,
)

MiB = 2**20


def _run(cfg: Config, n: int, states: int, seconds: float = 1.0, complete: bool = True, rss: int = 50 * MiB) -> Run:
    return Run(cfg.engine, cfg.scenario, n, states, 2 * states, n, "HOLDS" if complete else "HOLDS_WITHIN_BOUNDS",
               seconds, seconds, rss, complete=complete, bound_hit=None if complete else "timeout",
               cpu_seconds=seconds, variant=cfg.variant, crashes=cfg.crashes)


class FakeMeasure:
    """Cut at the first size >= ``cut[(crashes, symmetry)]``; records every call."""

    def __init__(self, cut: dict[tuple[int, bool], int]) -> None:
        self.cut = cut
        self.calls: list[tuple[Config, int]] = []

    def __call__(self, cfg: Config, n: int) -> Run:
        self.calls.append((cfg, n))
        limit = self.cut.get((cfg.crashes, cfg.symmetry), 99)
        return _run(cfg, n, 10**n * (cfg.crashes + 1), complete=n < limit)


def test_a_cut_run_stops_growth_and_lists_the_sizes_not_attempted():
    fake = FakeMeasure({(0, False): 3})
    res = run_grid("x", [1, 2, 3, 4, 5], ["v"], [0], fake, log=lambda _: None)
    off = [n for cfg, n in fake.calls if not cfg.symmetry]
    on = [n for cfg, n in fake.calls if cfg.symmetry]
    assert off == [1, 2, 3] and on == [1, 2, 3, 4, 5]
    assert [(r.size, r.complete) for r in res.runs if r.engine == "ours"] == [(1, True), (2, True), (3, False)]
    (skip,) = res.skipped
    assert skip.config == Config("x", "v", 0, False) and skip.sizes == (4, 5) and "cut at R = 3" in skip.reason


def test_more_crashes_are_not_attempted_where_fewer_were_already_cut():
    fake = FakeMeasure({(0, False): 3, (1, False): 99, (2, False): 2})
    res = run_grid("x", [1, 2, 3, 4], ["v"], [0, 1, 2], fake, log=lambda _: None)
    by_crashes = {c: [n for cfg, n in fake.calls if cfg.crashes == c and not cfg.symmetry] for c in (0, 1, 2)}
    assert by_crashes == {0: [1, 2, 3], 1: [1, 2], 2: [1, 2]}
    skipped = {(s.config.crashes, s.config.symmetry): (s.sizes, s.reason) for s in res.skipped}
    assert skipped[(1, False)][0] == (3, 4) and "with 0 crash(es) already" in skipped[(1, False)][1]
    assert skipped[(2, False)][0] == (3, 4) and "cut at R = 2" in skipped[(2, False)][1]
    # symmetry on is a configuration of its own: nothing was cut there
    assert not any(s.config.symmetry for s in res.skipped)


def test_growth_fits_one_configuration_over_complete_runs_only():
    a, b = Config("x", "a", 0, False), Config("x", "b", 1, False)
    runs = [_run(a, n, 3 * 4**n) for n in (1, 2, 3, 4)] + [_run(b, n, 5 * n**2) for n in (1, 2, 3)]
    runs.append(_run(a, 5, 7, complete=False))  # a cut run: states reached so far, left out of the fit
    ga = growth(runs, "ours", "x", "a", 0)
    gb = growth(runs, "ours", "x", "b", 1)
    assert ga is not None and ga["base"] == pytest.approx(4.0) and (ga["from"], ga["to"]) == (1, 4)
    assert gb is not None and gb["exponent"] == pytest.approx(2.0)
    assert growth(runs, "ours", "x", "b", 0) is None  # no such configuration


def _grid() -> GridResult:
    dep = Config("deployment", "1/0", 2, False)
    nf = Config("node-failure", "3 nodes", 0, False)
    runs = [_run(dep, 1, 2000, 0.5), _run(dep, 2, 20000, 15.0, complete=False)]
    runs += [_run(nf, n, 10 * n**2, 0.2 * n) for n in (1, 2, 3, 4)]
    from bench.runner import Skipped

    return GridResult(runs, [Skipped(dep, tuple(range(3, 13)), "not attempted: cut at R = 2")])


def test_markdown_has_the_columns_cut_rows_skips_and_fits():
    md = scenarios_markdown(_grid(), "python -m bench scenarios-all", images=["perf-scenarios-deployment.png"])
    header = "| variant | crashes | R | symmetry | distinct states | transitions | depth | states/s (CPU) | peak RSS | CPU time | time to verdict (wall) | result |"
    assert md.count(header) == 2  # one table per scenario
    assert "| 1/0 | 2 | 2 | off | 20,000 | 40,000 |" in md and "**cut: timeout**" in md
    assert "R = 3..12 (cut at R = 2)" in md
    assert "| node-failure | 3 nodes | 0 | off | 4 (800 ms) | — (every size exhaustive) | 2.49^R | R^2.00 | 1..4 |" in md
    assert "| deployment | 1/0 | 2 | off | 1 (500 ms) | cut (timeout) at R = 2 after 20,000 states | — | — | fewer than 3 sizes |" in md
    assert "](img/perf-scenarios-deployment.png)" in md


def test_targets_not_met_when_cut_below_r10_and_met_for_a_fast_node_failure():
    lines = "\n".join(scenario_targets(_grid().runs))
    assert "(b) Deployment rollout 1/0 at R = 10 with 2 crashes" in lines
    assert "**NOT met** — symmetry off: exhaustive up to R = 1" in lines and "cut (timeout) at R = 2" in lines
    assert "(d) node failure (3 nodes) at R = 3" in lines and "**met**" in lines


def test_targets_name_the_first_size_not_attempted_when_nothing_was_cut():
    dep = Config("deployment", "0/1", 2, True)
    from bench.runner import Skipped

    lines = "\n".join(scenario_targets([_run(dep, 1, 4000, 4.0)], [Skipped(dep, (2, 3), "not attempted: cut at R = 2 with 1 crash(es) already")]))
    assert "**NOT met** — symmetry on: exhaustive up to R = 1" in lines
    assert "R ≥ 2 not attempted (cut at R = 2 with 1 crash(es) already)" in lines


def test_a_target_size_the_grid_never_reached_without_a_cut_is_not_measured():
    nf = Config("node-failure", "3 nodes", 0, False)
    lines = "\n".join(scenario_targets([_run(nf, 1, 20), _run(nf, 2, 50)]))
    assert "**not measured**" in lines and "**met**" not in lines and "**NOT met**" not in lines


def test_targets_not_met_over_the_memory_bound():
    nf = Config("node-failure", "3 nodes", 0, False)
    runs = [_run(nf, 3, 100, 0.1, rss=SCENARIO_MAX_MEMORY + 1)]
    assert "**NOT met**" in "\n".join(scenario_targets(runs))


def test_grid_json_round_trip():
    g = _grid()
    back = grid_from_json(grid_to_json(g))
    assert back.runs == g.runs and back.skipped == g.skipped


def test_worker_runs_a_grid_configuration_in_a_fresh_interpreter():
    r = measure_scenario(Config("statefulset", "scale-up", 0, False), 1, timeout=30)
    assert (r.scenario, r.variant, r.crashes, r.engine) == ("statefulset", "scale-up", 0, "ours")
    assert (r.states, r.transitions, r.verdict, r.complete) == (11, 13, "HOLDS", True)
    assert r.peak_rss > 0


def test_worker_reports_a_memory_cut():
    # 1 MiB is below any interpreter's RSS: the explorer stops at its first memory check (1024 states)
    r = measure_scenario(Config("node-failure", "3 nodes", 0, False), 7, timeout=30, max_memory=1 * MiB)
    assert not r.complete and r.bound_hit is not None and "memory" in r.bound_hit
    assert 0 < r.states < 2905  # R = 7 has 2,905 states when exhausted


def test_plots_write_one_png_per_scenario(tmp_path: Path):
    from bench.plots import plot_scenarios

    runs = _grid().runs
    runs += [Run(r.engine, "statefulset", r.size, r.states, 0, 0, "HOLDS", 1.0, 1.0, 0, variant="scale-up") for r in runs[:1]]
    paths = plot_scenarios([r for r in runs if r.scenario != "node-failure"], tmp_path)
    assert [p.name for p in paths] == ["perf-scenarios-deployment.png", "perf-scenarios-statefulset.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)
