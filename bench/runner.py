"""Benchmark runner: our explorer (without and with symmetry) side by side with SPIN, at growing sizes.

Commands (through ``python -m bench``):

* ``spin-rsk [--k 3..10]``: RS-K in our explorer (symmetry off and on) and in SPIN (no reduction);
  asserts that both engines reach the same distinct states and transitions at every K.
* ``scenario NAME [--sizes 1,2,3]``: one Kubernetes scenario of ``bench/scenarios.py``
  (``deployment``, ``statefulset``, ``node-failure``) in our explorer, symmetry off and on.
* ``all``: both, then the tables go into ``docs/performance.md`` (between generated markers) and the
  plots into ``docs/img/perf-*.png``.  ``--no-write`` prints only.

Every measurement of our explorer runs in a fresh interpreter (``python -m bench.runner _worker ...``)
so that its peak RSS is its own (``getrusage`` peaks never go down within a process).  Runs shorter
than :data:`SHORT_RUN` seconds are repeated (up to :data:`REPEATS` times) and the fastest is kept, for
both engines.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
IMG = ROOT / "docs" / "img"
SHORT_RUN = 0.5
REPEATS = 5
#: Wall-time budget per explorer run in the Kubernetes scenarios; a cut run is reported as such.
SCENARIO_TIMEOUT = 20.0
#: The size at which the targets are judged.
TARGET_K = 10
TARGET_THROUGHPUT_RATIO = 0.5
TARGET_SPEEDUP = 100.0


class EquivalenceError(AssertionError):
    """Our explorer and SPIN disagree on the size of the (supposedly identical) state space."""


@dataclass(frozen=True, slots=True)
class Run:
    """One measured exploration (times in seconds, memory in bytes)."""

    engine: str  # "ours" | "ours+sym" | "spin"
    scenario: str
    size: int
    states: int
    transitions: int
    depth: int
    verdict: str
    seconds: float  # time to verdict (ours: the explore() call; SPIN: pan's wall time)
    search_seconds: float  # ours: explore()'s own stats.seconds; SPIN: pan's "elapsed time"
    peak_rss: int
    complete: bool = True
    bound_hit: str | None = None
    compile_seconds: float = 0.0  # SPIN: spin -a + gcc
    cpu_seconds: float = 0.0  # user + system CPU time of the same run (ours: explore(); SPIN: the pan process)

    @property
    def rate(self) -> float | None:
        """Distinct states per CPU second; None when too short to time (< 0.1 s).

        CPU time, not wall time: the machine is shared, and CPU time is what the engine itself spent
        (wall time counts the time other jobs held the core); both engines are single-threaded.
        """
        t = self.cpu_seconds
        return self.states / t if t >= 0.1 else None

    @property
    def wall_rate(self) -> float | None:
        t = self.search_seconds
        return self.states / t if t >= 0.1 else None


# ------------------------------------------------------------------------------------ workers


def _rss_now() -> int:
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _measure(system: Any, props: Sequence[Any], symmetry: bool, timeout: float | None) -> dict[str, Any]:
    from kubecheck.explorer import explore

    best: dict[str, Any] | None = None
    for _ in range(REPEATS):
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        res = explore(system, props, symmetry=symmetry, timeout=timeout, progress=False)
        wall = time.perf_counter() - t0
        u1 = resource.getrusage(resource.RUSAGE_SELF)
        st = res.stats
        row = {
            "states": st.states,
            "transitions": st.transitions,
            "depth": st.max_depth,
            "verdict": ",".join(sorted({r.verdict.name for r in res.results})),
            "seconds": wall,
            "search_seconds": st.seconds,
            "cpu_seconds": (u1.ru_utime - u0.ru_utime) + (u1.ru_stime - u0.ru_stime),
            "complete": res.complete,
            "bound_hit": res.bound_hit,
        }
        if best is None or wall < best["seconds"]:
            best = row
        if wall >= SHORT_RUN:
            break
    assert best is not None
    best["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return best


def _worker(argv: Sequence[str]) -> int:
    """``_worker rsk K SYM`` or ``_worker scenario NAME N SYM TIMEOUT``: print one JSON measurement."""
    if argv[0] == "rsk":
        from bench.rsk import MAX_REPLICAS, RSK, active_at_most
        from kubecheck.properties import invariant

        k, sym = int(argv[1]), argv[2] == "1"
        prop = invariant("RSK-ACTIVE", "active <= 4", active_at_most(MAX_REPLICAS))
        out = _measure(RSK(k), [prop], sym, None)
    else:
        from bench.scenarios import SCENARIOS

        name, n, sym, timeout = argv[1], int(argv[2]), argv[3] == "1", float(argv[4])
        b = SCENARIOS[name][0](n)
        out = _measure(b.system, b.properties, sym, timeout)
    print(json.dumps(out))
    return 0


def _spawn(args: Sequence[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.runner", "_worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark worker {' '.join(args)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------- RS-K


def run_ours_rsk(k: int, symmetry: bool) -> Run:
    m = _spawn(["rsk", str(k), "1" if symmetry else "0"])
    return Run("ours+sym" if symmetry else "ours", "rsk", k, **m)


def run_spin_rsk(k: int, workdir: Path) -> Run:
    from bench.spin.driver import run_pan
    from bench.spin.gen import MAX_REPLICAS, rsk_promela

    bound = (MAX_REPLICAS + 1) * 4**k  # every combination of slot values and d: no run can exceed it
    first = run_pan(rsk_promela(k), workdir / f"rsk{k}", max_states=bound)
    r = first
    if first.pan_wall_seconds < SHORT_RUN:
        r = run_pan(rsk_promela(k), workdir / f"rsk{k}", max_states=bound, repeats=REPEATS)
    return Run(
        "spin",
        "rsk",
        k,
        states=r.states,
        transitions=r.transitions,
        depth=r.depth,
        verdict="HOLDS" if r.errors == 0 else "VIOLATED",
        seconds=r.pan_wall_seconds,
        search_seconds=r.pan_seconds,
        peak_rss=r.peak_rss_bytes,
        compile_seconds=first.compile_seconds,
        cpu_seconds=r.pan_cpu_seconds,
    )


def check_equivalent(ours: Run, spin: Run) -> None:
    """Same model, same granularity: same distinct states; SPIN's transitions = ours + 1.

    SPIN counts one extra transition: the initial state is entered through one (measured at every K;
    also in the prior-work notes).  Any other difference means the two models are not the same.
    """
    if ours.states != spin.states or spin.transitions != ours.transitions + 1:
        raise EquivalenceError(
            f"RS-{ours.size}: our explorer found {ours.states} states / {ours.transitions} transitions, SPIN "
            f"{spin.states} / {spin.transitions} (expected equal states and SPIN = ours + 1 transitions); "
            f"the Promela model of bench/spin/gen.py no longer matches bench/rsk.py"
        )


def spin_rsk(ks: Sequence[int], log: Any = print) -> list[Run]:
    from bench.spin.driver import spin_available

    runs: list[Run] = []
    have_spin = spin_available()
    if not have_spin:
        log("! spin/gcc not found: running our explorer only (apt-get install spin)")
    with tempfile.TemporaryDirectory(prefix="bench-spin-") as tmp:
        for k in ks:
            ours = run_ours_rsk(k, False)
            sym = run_ours_rsk(k, True)
            runs += [ours, sym]
            line = f"RS-{k}: ours {ours.states} st {ours.seconds:.3f}s | sym {sym.states} orbits {sym.seconds:.4f}s"
            if have_spin:
                spin = run_spin_rsk(k, Path(tmp))
                check_equivalent(ours, spin)
                runs.append(spin)
                line += f" | spin {spin.states} st {spin.seconds:.3f}s (pan {spin.search_seconds}s)"
            log(line)
    return runs


# -------------------------------------------------------------------------------- scenarios


def scenario_runs(name: str, sizes: Sequence[int], timeout: float = SCENARIO_TIMEOUT, log: Any = print) -> list[Run]:
    """Our explorer on one Kubernetes scenario; a configuration stops growing once a run is cut."""
    from bench.scenarios import SCENARIOS

    if name not in SCENARIOS:
        raise SystemExit(f"unknown scenario {name!r}; known: {sorted(SCENARIOS)}")
    runs: list[Run] = []
    for sym in (False, True):
        for n in sizes:
            m = _spawn(["scenario", name, str(n), "1" if sym else "0", str(timeout)])
            r = Run("ours+sym" if sym else "ours", name, n, **m)
            runs.append(r)
            log(f"{name}-{n} {'sym' if sym else '   '}: {r.states} states, {r.transitions} transitions, {r.seconds:.2f}s, {r.verdict}{'' if r.complete else ' (cut: ' + str(r.bound_hit) + ')'}")
            if not r.complete:
                break
    return runs


# ---------------------------------------------------------------------------------- analysis


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``y = a + b x``: returns ``(a, b)``."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def growth(runs: Sequence[Run], engine: str, scenario: str = "rsk") -> dict[str, float] | None:
    """Growth of distinct states with size: ``base`` from log(states) ~ K (states ~ c * base^K) and
    ``exponent`` from log(states) ~ log K (states ~ c * K^exponent); both fits over all measured sizes."""
    pts = [(r.size, r.states) for r in runs if r.engine == engine and r.scenario == scenario and r.complete]
    if len(pts) < 3:
        return None
    ks = [float(k) for k, _ in pts]
    ls = [math.log(s) for _, s in pts]
    _, b = fit_line(ks, ls)
    _, p = fit_line([math.log(k) for k in ks], ls)
    return {"base": math.exp(b), "exponent": p, "from": min(ks), "to": max(ks)}


def _get(runs: Sequence[Run], engine: str, scenario: str, size: int) -> Run | None:
    for r in runs:
        if r.engine == engine and r.scenario == scenario and r.size == size:
            return r
    return None


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def _fmt_s(t: float) -> str:
    if t < 0.01:
        return f"{t * 1000:.2f} ms"
    if t < 1:
        return f"{t * 1000:.0f} ms"
    return f"{t:.2f} s"


def _fmt_rate(r: float | None) -> str:
    if r is None:
        return "—"
    return f"{r / 1000:,.0f} k/s" if r >= 10_000 else f"{r:,.0f}/s"


def _mb(b: int) -> str:
    return f"{b / 2**20:,.0f} MB"


def _ratio(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.2f}x" if x < 10 else f"{x:,.0f}x"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from bench.spin.driver import spin_version

    gcc = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True, check=False).stdout.strip() if _which("gcc") else "absent"
    return (
        f"`{cpu}`, {os.cpu_count()} vCPUs shared with other jobs (one core used), Python "
        f"{platform.python_version()}, {spin_version()}, gcc {gcc}; {time.strftime('%Y-%m-%d %H:%M')}; "
        f"load average {LOAD[0]} at the start, {LOAD[1]} at the end"
    )


#: 1-minute load average at the start and end of the run (set by :func:`main`).
LOAD = ["?", "?"]


def _which(name: str) -> bool:
    import shutil

    return shutil.which(name) is not None


def rsk_markdown(runs: Sequence[Run], command: str) -> str:
    ks = sorted({r.size for r in runs if r.scenario == "rsk"})
    has_spin = any(r.engine == "spin" for r in runs)
    out = [
        f"Command: `{command}`. Machine: {machine()}.",
        "",
        "Our explorer: `explore(RSK(k), [active <= 4], symmetry=...)`, lean BFS, each run in a fresh interpreter. "
        "SPIN: `bench/spin/gen.py` Promela (one `d_step` per action, same order and granularity), "
        "`spin -a`; `gcc -O2 -DSAFETY -DNOREDUCE -DMEMLIM=16384`; `./pan -m<2·5·4^K+64> -w<bits>` (DFS, "
        "exact state storage, no partial-order reduction, depth limit above any possible depth; the runner "
        "fails on any truncation message). Equal distinct states (and SPIN transitions = ours + 1, its "
        "initial transition) are asserted at every K.",
        "",
        "| K | engine | distinct states | transitions | states/s (CPU) | states/s (wall) | peak RSS | CPU time | time to verdict (wall) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {"ours": "ours", "ours+sym": "ours + symmetry", "spin": "SPIN (no reduction)"}
    for k in ks:
        for eng in ("ours", "ours+sym", "spin"):
            r = _get(runs, eng, "rsk", k)
            if r is None:
                continue
            ttv = _fmt_s(r.seconds)
            if eng == "spin":
                ttv += f" (pan; + {r.compile_seconds:.2f} s spin -a + gcc)"
            states = _fmt_int(r.states) + (" orbits" if eng == "ours+sym" else "")
            out.append(
                f"| {k} | {names[eng]} | {states} | {_fmt_int(r.transitions)} | {_fmt_rate(r.rate)} | "
                f"{_fmt_rate(r.wall_rate)} | {_mb(r.peak_rss)} | {_fmt_s(r.cpu_seconds)} | {ttv} |"
            )
    out += ["", "States/s (CPU) is distinct states per CPU second (user + system) of the `explore()` call / of "
            "the whole `pan` process; states/s (wall) uses `explore`'s own clock / pan's own `elapsed time` "
            "(which excludes pan's start-up); — when under 0.1 s. CPU time is the robust figure on this "
            "shared machine (wall time also counts the time other jobs held the core). Time to verdict is "
            "the wall time of the `explore()` call / of the `pan` process; runs under 0.5 s are the fastest "
            f"of up to {REPEATS}. Peak RSS is the whole process (ours includes the interpreter, ~18 MB; pan's "
            "includes its preallocated DFS stack and hash table).", ""]
    if has_spin:
        out += ["Ratios from the same run:", "", "| K | ours ÷ SPIN states/s (CPU) | ours ÷ SPIN states/s (wall) | SPIN time to verdict ÷ ours with symmetry (pan only) | same, SPIN end to end (spin -a + gcc + pan) |", "|---|---|---|---|---|"]
        for k in ks:
            o, s, y = _get(runs, "ours", "rsk", k), _get(runs, "spin", "rsk", k), _get(runs, "ours+sym", "rsk", k)
            if o is None or s is None or y is None:
                continue
            thr = o.rate / s.rate if o.rate and s.rate else None
            thw = o.wall_rate / s.wall_rate if o.wall_rate and s.wall_rate else None
            sp = s.seconds / y.seconds
            e2e = (s.seconds + s.compile_seconds) / y.seconds
            out.append(f"| {k} | {_ratio(thr)} | {_ratio(thw)} | {_ratio(sp)} | {_ratio(e2e)} |")
        out.append("")
    out += ["Growth of distinct states with K (least squares over all measured K):", ""]
    for eng in ("ours", "ours+sym", "spin"):
        g = growth(runs, eng)
        if g is None:
            continue
        out.append(
            f"- {names[eng]}: log(states) against K gives states ∝ {g['base']:.2f}^K; log(states) against log K "
            f"gives states ∝ K^{g['exponent']:.2f} (K = {g['from']:.0f}..{g['to']:.0f})."
        )
    out += [
        "",
        "Why: a reachable RS-K state has at most 4 active (pending or running) slots, so for K ≥ 4 there are "
        "exactly 5·2^K·Σ_{j≤4} C(K, j) states (K = 10: 5·1024·386 = 1,976,320) — exponential, with a base "
        "that falls from 4 (K ≤ 4, every state reachable) towards 2 (times a K⁴ factor) as K grows, so the "
        "exponential fit is the meaningful one and its base depends on the K range. The orbits under slot "
        "permutation are the multisets with at most 4 active slots: 5·C(K+3, 3) for K ≤ 4 and 75·K − 125 "
        "for K ≥ 4 (K = 10: 625) — linear in K, so the power-law fit is the meaningful one there and its "
        "exponent tends to 1.",
        "",
    ]
    verdict = targets(runs)
    if verdict:
        out += verdict
    out += ["![distinct states against K](img/perf-rsk-states.png)", "", "![time to verdict against K](img/perf-rsk-time.png)", ""]
    return "\n".join(out)


def targets(runs: Sequence[Run]) -> list[str]:
    o, s, y = _get(runs, "ours", "rsk", TARGET_K), _get(runs, "spin", "rsk", TARGET_K), _get(runs, "ours+sym", "rsk", TARGET_K)
    if o is None or s is None or y is None or not o.rate or not s.rate:
        return []
    thr = o.rate / s.rate
    thw = o.wall_rate / s.wall_rate if o.wall_rate and s.wall_rate else float("nan")
    sp = s.seconds / y.seconds
    return [
        f"Targets at K = {TARGET_K}, judged on this run:",
        "",
        f"- throughput ≥ {TARGET_THROUGHPUT_RATIO}× SPIN's distinct states/s on the equivalent model: "
        f"{_ratio(thr)} on CPU time, {_ratio(thw)} on wall time — **{'met' if min(thr, thw) >= TARGET_THROUGHPUT_RATIO else ('met on CPU time only' if thr >= TARGET_THROUGHPUT_RATIO else 'NOT met')}**.",
        f"- time to verdict with symmetry ≥ {TARGET_SPEEDUP:.0f}× faster than SPIN without: {_ratio(sp)} "
        f"(pan alone) — **{'met' if sp >= TARGET_SPEEDUP else 'NOT met'}**.",
        "",
    ]


def scenarios_markdown(runs: Sequence[Run], command: str) -> str:
    from bench.scenarios import SCENARIOS

    out = [
        f"Command: `{command}`. Machine: {machine()}. Our explorer only: there is no Promela model of the "
        f"Kubernetes transition system, so no SPIN column. Each run in a fresh interpreter, "
        f"`timeout={SCENARIO_TIMEOUT:.0f}` s per run; a cut run is marked and a configuration stops growing there. "
        "Builders and properties: `bench/scenarios.py` (the start state is the settled cluster; the "
        "scenario is what follows).",
        "",
        "| scenario | size | symmetry | distinct states | transitions | depth | states/s (CPU) | peak RSS | time to verdict (wall) | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in SCENARIOS:
        for sym in ("ours", "ours+sym"):
            for r in sorted((r for r in runs if r.scenario == name and r.engine == sym), key=lambda r: r.size):
                verdict = r.verdict if r.complete else f"{r.verdict} (cut by {r.bound_hit})"
                out.append(
                    f"| {name} | {r.size} | {'on' if sym == 'ours+sym' else 'off'} | {_fmt_int(r.states)} | "
                    f"{_fmt_int(r.transitions)} | {r.depth} | {_fmt_rate(r.rate)} | {_mb(r.peak_rss)} | {_fmt_s(r.seconds)} | {verdict} |"
                )
    out += ["", "Growth of distinct states with size (complete runs only; same two fits as for RS-K):", ""]
    for name in SCENARIOS:
        for eng in ("ours", "ours+sym"):
            g = growth(runs, eng, name)
            if g is not None:
                out.append(
                    f"- {name}, symmetry {'on' if eng == 'ours+sym' else 'off'}: states ∝ {g['base']:.2f}^n "
                    f"(log states ~ n); states ∝ n^{g['exponent']:.2f} (log states ~ log n); n = {g['from']:.0f}..{g['to']:.0f}."
                )
    out += ["", "![states and time against size, Kubernetes scenarios](img/perf-scenarios.png)", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------ docs


def write_section(doc: Path, tag: str, title: str, body: str) -> None:
    """Replace the generated block ``tag`` in ``doc`` (or append it under ``title``)."""
    begin, end = f"<!-- BEGIN generated:{tag} (python -m bench; do not edit by hand) -->", f"<!-- END generated:{tag} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    text = doc.read_text() if doc.exists() else "# Explorer performance\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n{block}\n"
    doc.write_text(text)


# ------------------------------------------------------------------------------------- CLI


def parse_range(text: str) -> list[int]:
    """``"3..10"`` -> [3, ..., 10]; ``"3,5,8"`` -> [3, 5, 8]; ``"10"`` -> [10]."""
    if ".." in text:
        lo, hi = text.split("..", 1)
        return list(range(int(lo), int(hi) + 1))
    return [int(x) for x in text.split(",") if x]


def main(cmd: str, argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog=f"python -m bench {cmd}")
    ap.add_argument("--k", type=parse_range, default=parse_range("3..10"), help="RS-K sizes, e.g. 3..10 or 3,8,10")
    ap.add_argument("--sizes", type=parse_range, default=None, help="scenario sizes, e.g. 1..3")
    ap.add_argument("--timeout", type=float, default=SCENARIO_TIMEOUT, help="seconds per scenario run")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    ap.add_argument("name", nargs="?", help="scenario name (for `scenario`)")
    args = ap.parse_args(argv)
    command = "python -m bench " + " ".join([cmd, *argv]).strip()
    t0 = time.perf_counter()
    LOAD[0] = f"{os.getloadavg()[0]:.1f}"
    rsk_runs: list[Run] = []
    sc_runs: list[Run] = []
    if cmd in ("spin-rsk", "all"):
        rsk_runs = spin_rsk(args.k)
    if cmd == "scenario":
        from bench.scenarios import SCENARIOS

        if args.name is None:
            raise SystemExit(f"usage: python -m bench scenario NAME [--sizes 1..3]; NAME in {sorted(SCENARIOS)}")
        sc_runs = scenario_runs(args.name, args.sizes or SCENARIOS[args.name][1], args.timeout)
    if cmd == "all":
        from bench.scenarios import SCENARIOS

        for name, (_, sizes) in SCENARIOS.items():
            sc_runs += scenario_runs(name, args.sizes or sizes, args.timeout)
    LOAD[1] = f"{os.getloadavg()[0]:.1f}"
    if rsk_runs:
        md = rsk_markdown(rsk_runs, command)
        if not args.no_write:
            from bench.plots import plot_rsk

            plot_rsk(rsk_runs, IMG)
            write_section(DOC, "spin-rsk", "RS-K side by side with SPIN (generated)", md)
        else:
            print(md)
    if sc_runs and cmd == "all":
        md = scenarios_markdown(sc_runs, command)
        if not args.no_write:
            from bench.plots import plot_scenarios

            plot_scenarios(sc_runs, IMG)
            write_section(DOC, "scenarios", "Kubernetes scenarios (generated)", md)
        else:
            print(md)
    elif sc_runs:
        print(scenarios_markdown(sc_runs, command))
    print(f"# total {time.perf_counter() - t0:.1f} s" + ("" if args.no_write or not (rsk_runs or cmd == "all") else f"; wrote {DOC.relative_to(ROOT)} and {IMG.relative_to(ROOT)}/perf-*.png"))
    return 0


def runs_to_json(runs: Sequence[Run]) -> str:
    return json.dumps([asdict(r) for r in runs], indent=1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        sys.exit(_worker(sys.argv[2:]))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "all", sys.argv[2:]))
