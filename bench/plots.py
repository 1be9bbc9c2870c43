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


#: Line styles of the crash budgets in the scenario plots (colour = variant).
_CRASH_STYLE = {0: "-", 1: "--", 2: ":"}
_VARIANT_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def plot_scenarios(runs: Sequence[Any], out: Path) -> list[Path]:
    """``perf-scenarios-<name>.png`` per scenario grid: distinct states (top) and time to verdict
    (bottom) against R, symmetry off (left) and on (right); one line per variant (colour) and crash
    budget (line style) over the complete runs; an ``x`` marks a cut run (states reached: a lower bound)."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name in dict.fromkeys(r.scenario for r in runs if r.scenario != "rsk"):
        mine = [r for r in runs if r.scenario == name]
        variants = list(dict.fromkeys(r.variant for r in mine))
        configs = list(dict.fromkeys((r.variant, r.crashes) for r in mine))
        fig, axes = plt.subplots(2, 2, figsize=(10.0, 7.0), dpi=100, squeeze=False, sharex=True)
        for col, engine in enumerate(("ours", "ours+sym")):
            for row, (field, ylabel) in enumerate((("states", "distinct states"), ("seconds", "time to verdict (s)"))):
                ax = axes[row][col]
                for variant, crashes in configs:
                    pts = sorted((r.size, getattr(r, field), r.complete) for r in mine
                                 if r.engine == engine and r.variant == variant and r.crashes == crashes)
                    if not pts:
                        continue
                    colour = _VARIANT_COLOURS[variants.index(variant) % len(_VARIANT_COLOURS)]
                    done = [(x, y) for x, y, ok in pts if ok and y > 0]
                    label = f"{variant}, {crashes} crash{'' if crashes == 1 else 'es'}"
                    if done:
                        ax.plot([p[0] for p in done], [p[1] for p in done], marker="o", markersize=4, color=colour,
                                linestyle=_CRASH_STYLE.get(crashes, "-."), label=label)
                    cut = [(x, y) for x, y, ok in pts if not ok and y > 0]
                    if cut:
                        ax.plot([p[0] for p in cut], [p[1] for p in cut], marker="x", markersize=8, linestyle="none",
                                color=colour, label=None if done else label)
                ax.set_yscale("log")
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.grid(True, which="both", alpha=0.3)
                if row == 1:
                    ax.set_xlabel("R (replicas)")
                if col == 0:
                    ax.set_ylabel(ylabel)
                if row == 0:
                    ax.set_title(f"{name}: symmetry {'off' if engine == 'ours' else 'on'} (x = cut run)")
        handles, labels = axes[0][0].get_legend_handles_labels()
        extra_h, extra_l = axes[0][1].get_legend_handles_labels()
        for h, lab in zip(extra_h, extra_l):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
        if handles:
            fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize="small")
        fig.tight_layout(rect=(0, 0.07 if handles else 0, 1, 1))
        path = out / f"perf-scenarios-{name}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths
