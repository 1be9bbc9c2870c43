"""PNG plots of the benchmark runs (matplotlib, a bench-only dependency; Agg backend, no display)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

STYLE = {
    "ours": dict(label="ours (no reduction)", marker="o", color="tab:blue"),
    "ours+sym": dict(label="ours + symmetry", marker="s", color="tab:green"),
    "spin": dict(label="SPIN 6.5.2 (no reduction)", marker="^", color="tab:red"),
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _series(runs: Sequence[Any], engine: str, scenario: str, field: str) -> tuple[list[int], list[float]]:
    pts = sorted((r.size, getattr(r, field)) for r in runs if r.engine == engine and r.scenario == scenario and r.complete)
    return [p[0] for p in pts], [p[1] for p in pts]


def plot_rsk(runs: Sequence[Any], out: Path) -> list[Path]:
    """``perf-rsk-states.png`` and ``perf-rsk-time.png``: log-scale against K."""
    plt = _pyplot()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for field, ylabel, name in (
        ("states", "distinct states (orbits with symmetry)", "perf-rsk-states.png"),
        ("seconds", "time to verdict (s)", "perf-rsk-time.png"),
    ):
        fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
        for eng in ("ours", "ours+sym", "spin"):
            xs, ys = _series(runs, eng, "rsk", field)
            if xs:
                ax.plot(xs, ys, **STYLE[eng])
        if field == "seconds":
            xs, ys = _series(runs, "spin", "rsk", "compile_seconds")
            if xs:
                tot = [y + s for y, s in zip(ys, _series(runs, "spin", "rsk", "seconds")[1])]
                ax.plot(xs, tot, label="SPIN incl. spin -a + gcc", marker="^", linestyle="--", color="tab:orange")
        ax.set_yscale("log")
        ax.set_xlabel("K (pod slots)")
        ax.set_ylabel(ylabel)
        ax.set_title(f"RS-K: {ylabel} against K")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = out / name
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


def plot_scenarios(runs: Sequence[Any], out: Path) -> Path:
    """``perf-scenarios.png``: states and time against size for each Kubernetes scenario."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    out.mkdir(parents=True, exist_ok=True)
    names = list(dict.fromkeys(r.scenario for r in runs))
    fig, axes = plt.subplots(2, len(names), figsize=(4.2 * len(names), 6.4), dpi=100, squeeze=False)
    for col, name in enumerate(names):
        for row, (field, ylabel) in enumerate((("states", "distinct states"), ("seconds", "time to verdict (s)"))):
            ax = axes[row][col]
            for eng in ("ours", "ours+sym"):
                xs, ys = _series(runs, eng, name, field)
                if xs:
                    ax.plot(xs, ys, **STYLE[eng])
            ax.set_yscale("log")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("size (replicas)")
            ax.set_ylabel(ylabel)
            ax.grid(True, which="both", alpha=0.3)
            if row == 0:
                ax.set_title(name)
            if row == 0 and col == 0:
                ax.legend()
    fig.tight_layout()
    path = out / "perf-scenarios.png"
    fig.savefig(path)
    plt.close(fig)
    return path
