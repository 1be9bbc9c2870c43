"""Benchmark runner: our explorer (without and with symmetry) side by side with SPIN, at growing sizes.

Commands (through ``python -m bench``):

* ``spin-rsk [--k 3..10]``: RS-K in our explorer (symmetry off and on) and in SPIN (no reduction);
  asserts that both engines reach the same distinct states and transitions at every K.
* ``scenario NAME [--sizes 1..3] [--variants V,..] [--crashes 0,1]``: one Kubernetes scenario grid of
  ``bench/scenarios.py`` (``deployment``, ``statefulset``, ``node-failure``) in our explorer, every
  (variant, crashes) configuration at growing size, symmetry off and on; prints the tables.
* ``scenarios-all``: every grid; writes the "Kubernetes scenarios" section of ``docs/performance.md``
  and ``docs/img/perf-scenarios-*.png``.
* ``all``: ``spin-rsk`` and ``scenarios-all``; the tables go into ``docs/performance.md`` (between
  generated markers) and the plots into ``docs/img/perf-*.png``.  ``--no-write`` prints only.

Scenario grids: each run gets :data:`SCENARIO_TIMEOUT` wall seconds and :data:`SCENARIO_MAX_MEMORY`
bytes of RSS (``explore(timeout=, max_memory=)``); a run cut by either is reported as cut and its
configuration stops growing (the larger sizes are listed as not attempted).  A configuration with
more crashes than one that was cut at size R is not attempted at R or above either: its space
contains the other's (every run with c crashes is a run with a budget of c + 1), so it cannot finish
sooner.

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
from typing import Any, Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
IMG = ROOT / "docs" / "img"
SHORT_RUN = 0.5
REPEATS = 5
#: Wall-time budget per explorer run in the Kubernetes scenarios; a cut run is reported as such.
#: 15 s keeps ``python -m bench all`` near 15 minutes on the shared 2-vCPU machine (about 40
#: configurations, most of which end in one cut run).
SCENARIO_TIMEOUT = 15.0
#: RSS bound per scenario run (the issue's 1 GiB).
SCENARIO_MAX_MEMORY = 1 << 30
#: The issue's scenario targets: exhaustive in under this many seconds and :data:`SCENARIO_MAX_MEMORY`.
SCENARIO_TARGET_SECONDS = 10.0
#: (b) is judged at this many replicas with this many crashes; (d) at this many replicas (3 nodes).
TARGET_ROLLOUT_R = 10
TARGET_ROLLOUT_CRASHES = 2
TARGET_NODE_FAILURE_R = 3
#: The size at which the targets are judged.
TARGET_K = 10
TARGET_THROUGHPUT_RATIO = 0.5
TARGET_SPEEDUP = 100.0


class EquivalenceError(AssertionError):
    """Our explorer and SPIN disagree on the size of the (supposedly identical) state space."""


class WorkerKilled(RuntimeError):
    """A worker process was killed by the runner's hard timeout or died of ``MemoryError``."""

    def __init__(self, bound: str, message: str) -> None:
        super().__init__(message)
        self.bound = bound


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
    variant: str = ""  # scenario grids: the configuration's variant (e.g. "1/0", "scale-up")
    crashes: int = 0  # scenario grids: the container-crash budget

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


def _measure(
    system: Any, props: Sequence[Any], symmetry: bool, timeout: float | None, max_memory: int | None = None
) -> dict[str, Any]:
    from kubecheck.core.explorer import explore

    best: dict[str, Any] | None = None
    for _ in range(REPEATS):
        u0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        res = explore(system, props, symmetry=symmetry, timeout=timeout, max_memory=max_memory, progress=False)
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
        if wall >= SHORT_RUN or not res.complete:
            break
    assert best is not None
    best["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return best


def _worker(argv: Sequence[str]) -> int:
    """``_worker rsk K SYM`` or ``_worker scenario NAME N SYM TIMEOUT [VARIANT CRASHES MAX_MEMORY]``: print
    one JSON measurement (without VARIANT: the grid's one-argument default builder, no memory bound)."""
    if argv[0] == "rsk":
        from bench.rsk import MAX_REPLICAS, RSK, active_at_most
        from kubecheck.core.properties import invariant

        k, sym = int(argv[1]), argv[2] == "1"
        prop = invariant("RSK-ACTIVE", "active <= 4", active_at_most(MAX_REPLICAS))
        out = _measure(RSK(k), [prop], sym, None)
    else:
        from bench.scenarios import SCENARIOS

        name, n, sym, timeout = argv[1], int(argv[2]), argv[3] == "1", float(argv[4])
        if len(argv) > 5:
            b = SCENARIOS[name].build(n, argv[5], int(argv[6]))
            out = _measure(b.system, b.properties, sym, timeout, int(argv[7]))
        else:
            b = SCENARIOS[name].builder(n)
            out = _measure(b.system, b.properties, sym, timeout)
    print(json.dumps(out))
    return 0


def _spawn(args: Sequence[str], timeout: float | None = None, module: str = "bench.runner") -> dict[str, Any]:
    """Run ``python -m MODULE _worker ARGS`` in a fresh interpreter and return its JSON measurement.

    ``timeout`` (seconds) is a hard guard on the whole process (scenario settling included); a worker
    killed by it raises :class:`WorkerKilled`, as does one that died of ``MemoryError``.
    """
    try:
        proc = subprocess.run(
            [sys.executable, "-m", module, "_worker", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")},
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkerKilled("timeout", f"benchmark worker {' '.join(args)} killed after {timeout:.0f} s") from exc
    if proc.returncode != 0 and "MemoryError" in proc.stderr:
        raise WorkerKilled("memory", f"benchmark worker {' '.join(args)} ran out of memory")
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
    return spin_run("rsk", k, r, first.compile_seconds)


def spin_run(scenario: str, size: int, res: Any, compile_seconds: float) -> Run:
    """The :class:`Run` of one pan result (``bench.spin.driver.PanResult``); ``compile_seconds`` is the
    ``spin -a`` + gcc time of the first build (repeats of a short run reuse the binary)."""
    return Run(
        "spin",
        scenario,
        size,
        states=res.states,
        transitions=res.transitions,
        depth=res.depth,
        verdict="HOLDS" if res.errors == 0 else "VIOLATED",
        seconds=res.pan_wall_seconds,
        search_seconds=res.pan_seconds,
        peak_rss=res.peak_rss_bytes,
        compile_seconds=compile_seconds,
        cpu_seconds=res.pan_cpu_seconds,
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


@dataclass(frozen=True, slots=True)
class Config:
    """One configuration of a scenario grid: it is run at growing sizes until a run is cut."""

    scenario: str
    variant: str
    crashes: int
    symmetry: bool

    @property
    def engine(self) -> str:
        return "ours+sym" if self.symmetry else "ours"

    def label(self) -> str:
        return f"{self.scenario} {self.variant}, {self.crashes} crash{'' if self.crashes == 1 else 'es'}, symmetry {'on' if self.symmetry else 'off'}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """Sizes of a configuration that were not attempted, and why."""

    config: Config
    sizes: tuple[int, ...]
    reason: str


@dataclass(slots=True)
class GridResult:
    runs: list[Run]
    skipped: list[Skipped]

    def __iadd__(self, other: "GridResult") -> "GridResult":
        self.runs += other.runs
        self.skipped += other.skipped
        return self


def config_of(r: Run) -> Config:
    return Config(r.scenario, r.variant, r.crashes, r.engine == "ours+sym")


def measure_scenario(cfg: Config, n: int, timeout: float = SCENARIO_TIMEOUT, max_memory: int = SCENARIO_MAX_MEMORY) -> Run:
    """One grid run in a fresh interpreter; a worker killed by the hard guard is a cut run with no counts."""
    args = ["scenario", cfg.scenario, str(n), "1" if cfg.symmetry else "0", str(timeout), cfg.variant, str(cfg.crashes), str(max_memory)]
    try:
        m = _spawn(args, timeout=2 * timeout + 60)
    except WorkerKilled as exc:
        return Run(cfg.engine, cfg.scenario, n, 0, 0, 0, "UNKNOWN", timeout, timeout, 0, complete=False,
                   bound_hit=f"{exc.bound} (worker killed)", variant=cfg.variant, crashes=cfg.crashes)
    return Run(cfg.engine, cfg.scenario, n, **m, variant=cfg.variant, crashes=cfg.crashes)


def run_grid(
    name: str,
    sizes: Sequence[int],
    variants: Sequence[str],
    crashes: Sequence[int],
    measure: Callable[[Config, int], Run],
    log: Any = print,
) -> GridResult:
    """Every (variant, crashes, symmetry) configuration of grid ``name`` at growing sizes.

    A configuration stops at its first cut run (``complete`` false: timeout or memory); its larger
    sizes are recorded as :class:`Skipped`.  For the same variant and symmetry, a configuration with
    more crashes is not attempted at or above the smallest size where one with fewer crashes was cut
    (its state space contains that one's, so it cannot be exhausted sooner).
    """
    sizes = sorted(sizes)
    out = GridResult([], [])
    for variant in variants:
        for sym in (False, True):
            cut_at: tuple[int, int] | None = None  # (size, crashes) of the first cut among fewer crashes
            for c in sorted(crashes):
                cfg = Config(name, variant, c, sym)
                for i, n in enumerate(sizes):
                    if cut_at is not None and n >= cut_at[0]:
                        out.skipped.append(Skipped(cfg, tuple(sizes[i:]), f"not attempted: cut at R = {cut_at[0]} with {cut_at[1]} crash(es) already"))
                        break
                    r = measure(cfg, n)
                    out.runs.append(r)
                    log(f"{cfg.label()}, R = {n}: {r.states:,} states, {r.transitions:,} transitions, {r.seconds:.2f} s, "
                        f"{r.peak_rss / 2**20:.0f} MB, {r.verdict}{'' if r.complete else ' (cut: ' + str(r.bound_hit) + ')'}")
                    if not r.complete:
                        if sizes[i + 1:]:
                            out.skipped.append(Skipped(cfg, tuple(sizes[i + 1:]), f"not attempted: cut at R = {n}"))
                        if cut_at is None or n < cut_at[0]:
                            cut_at = (n, c)
                        break
    return out


def scenario_grid(
    name: str,
    sizes: Sequence[int] | None = None,
    variants: Sequence[str] | None = None,
    crashes: Sequence[int] | None = None,
    timeout: float = SCENARIO_TIMEOUT,
    max_memory: int = SCENARIO_MAX_MEMORY,
    log: Any = print,
) -> GridResult:
    """Grid ``name`` of ``bench/scenarios.py`` (defaults: the grid's own sizes, variants, crashes)."""
    from bench.scenarios import SCENARIOS

    if name not in SCENARIOS:
        raise SystemExit(f"unknown scenario {name!r}; known: {sorted(SCENARIOS)}")
    g = SCENARIOS[name]
    for v in variants or ():
        if v not in g.variants:
            raise SystemExit(f"unknown variant {v!r} of {name}; known: {list(g.variants)}")
    return run_grid(
        name,
        sizes or g.sizes,
        variants or g.variants,
        g.crashes if crashes is None else crashes,
        lambda cfg, n: measure_scenario(cfg, n, timeout, max_memory),
        log,
    )


def scenario_runs(name: str, sizes: Sequence[int], timeout: float = SCENARIO_TIMEOUT, log: Any = print) -> list[Run]:
    """Runs of grid ``name`` at ``sizes`` (every variant and crash count); see :func:`scenario_grid`."""
    return scenario_grid(name, sizes, timeout=timeout, log=log).runs


# ---------------------------------------------------------------------------------- analysis


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``y = a + b x``: returns ``(a, b)``."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def growth(
    runs: Sequence[Run], engine: str, scenario: str = "rsk", variant: str | None = None, crashes: int | None = None
) -> dict[str, float] | None:
    """Growth of distinct states with size: ``base`` from log(states) ~ K (states ~ c * base^K) and
    ``exponent`` from log(states) ~ log K (states ~ c * K^exponent); both fits over all complete runs
    (of one ``variant`` and crash count when given).  None with fewer than 3 sizes."""
    pts = [
        (r.size, r.states)
        for r in runs
        if r.engine == engine and r.scenario == scenario and r.complete
        and (variant is None or r.variant == variant) and (crashes is None or r.crashes == crashes)
    ]
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


def _configs(runs: Sequence[Run]) -> list[Config]:
    """The configurations of ``runs`` in grid order: scenario (as in SCENARIOS), variant, crashes, symmetry."""
    from bench.scenarios import SCENARIOS

    order = {name: i for i, name in enumerate(SCENARIOS)}
    cfgs = list(dict.fromkeys(config_of(r) for r in runs if r.scenario != "rsk"))
    def key(c: Config) -> tuple[int, int, int, bool]:
        g = SCENARIOS.get(c.scenario)
        vi = g.variants.index(c.variant) if g is not None and c.variant in g.variants else len(cfgs)
        return order.get(c.scenario, len(order)), vi, c.crashes, c.symmetry
    return sorted(cfgs, key=key)


def _of(runs: Sequence[Run], cfg: Config) -> list[Run]:
    return sorted((r for r in runs if config_of(r) == cfg), key=lambda r: r.size)


def _sizes_text(sizes: Sequence[int]) -> str:
    sizes = list(sizes)
    if len(sizes) > 2 and sizes == list(range(sizes[0], sizes[-1] + 1)):
        return f"{sizes[0]}..{sizes[-1]}"
    return ", ".join(map(str, sizes))


def _result_text(r: Run) -> str:
    return r.verdict if r.complete else f"**cut: {r.bound_hit}** ({r.verdict})"


def _within_target(r: Run) -> bool:
    return r.complete and r.seconds < SCENARIO_TARGET_SECONDS and r.peak_rss < SCENARIO_MAX_MEMORY


def _stopped(runs: Sequence[Run], cfg: Config, skipped: Sequence[Skipped] = ()) -> str | None:
    """Where the configuration stopped: its cut run, or the first size not attempted (None: neither)."""
    cut = [r for r in _of(runs, cfg) if not r.complete]
    if cut:
        return f"cut ({cut[0].bound_hit}) at R = {cut[0].size} after {cut[0].states:,} states"
    for s in skipped:
        if s.config == cfg and s.sizes:
            return f"R ≥ {s.sizes[0]} not attempted ({s.reason.removeprefix('not attempted: ')})"
    return None


def _reach(runs: Sequence[Run], cfg: Config, skipped: Sequence[Skipped] = ()) -> str:
    """"exhaustive up to R = x (t s); cut at R = y" for one configuration."""
    done = [r for r in _of(runs, cfg) if r.complete]
    parts = [f"exhaustive up to R = {done[-1].size} ({_fmt_s(done[-1].seconds)}, {_mb(done[-1].peak_rss)})" if done else "nothing exhaustive"]
    stop = _stopped(runs, cfg, skipped)
    if stop:
        parts.append(stop)
    return "; ".join(parts)


def _judge(runs: Sequence[Run], cfg: Config, size: int, skipped: Sequence[Skipped]) -> str:
    """"met", "not met" or "not measured" for one configuration at the target ``size``.

    Not met: the run at ``size`` exists but is cut or over the bounds, or the configuration stopped
    (cut, or not attempted) below ``size``.  Not measured: the grid was not run up to ``size``.
    """
    r = _get_cfg(runs, cfg, size)
    if r is not None:
        return "met" if _within_target(r) else "not met"
    stopped = any(not x.complete and x.size < size for x in _of(runs, cfg))
    stopped = stopped or any(s.config == cfg and s.sizes and s.sizes[0] <= size for s in skipped)
    return "not met" if stopped else "not measured"


def _overall(verdicts: Sequence[str]) -> str:
    if "met" in verdicts:
        return "met"
    return "NOT met" if "not met" in verdicts else "not measured"


def scenario_targets(runs: Sequence[Run], skipped: Sequence[Skipped] = ()) -> list[str]:
    """The issue's targets: (b) at R = 10 with 2 crashes and (d) (R = 3, 3 nodes), each exhaustive in
    under 10 s and 1 GiB, with symmetry off or on.  A configuration cut (or not attempted) below the
    target size has not met it; one whose grid stopped short of it without a cut is "not measured"."""
    out: list[str] = []
    cfgs = _configs(runs)
    targets = [
        ("(b) Deployment rollout {v} at R = %d with %d crashes" % (TARGET_ROLLOUT_R, TARGET_ROLLOUT_CRASHES), TARGET_ROLLOUT_R,
         [c for c in cfgs if c.scenario == "deployment" and c.crashes == TARGET_ROLLOUT_CRASHES]),
        ("(d) node failure ({v}) at R = %d" % TARGET_NODE_FAILURE_R, TARGET_NODE_FAILURE_R,
         [c for c in cfgs if c.scenario == "node-failure"]),
    ]
    for title, size, mine in targets:
        for variant in dict.fromkeys(c.variant for c in mine):
            per, verdicts = [], []
            for c in (c for c in mine if c.variant == variant):
                v = _judge(runs, c, size, skipped)
                verdicts.append(v)
                r = _get_cfg(runs, c, size)
                detail = f"R = {size} exhaustive in {_fmt_s(r.seconds)}, {_mb(r.peak_rss)}" if v == "met" and r is not None else _reach(runs, c, skipped)
                within = [x.size for x in _of(runs, c) if _within_target(x)]
                per.append(f"symmetry {'on' if c.symmetry else 'off'}: {detail}; largest R within the target: {max(within) if within else 'none'}")
            out.append(
                f"- {title.format(v=variant)}, exhaustive in under {SCENARIO_TARGET_SECONDS:.0f} s and 1 GiB: "
                f"**{_overall(verdicts)}** — " + "; ".join(per) + "."
            )
    if out:
        out = ["Targets of the issue, judged on this run (time to verdict is wall time on the shared machine):", ""] + out + [""]
    return out


def _get_cfg(runs: Sequence[Run], cfg: Config, size: int) -> Run | None:
    for r in runs:
        if config_of(r) == cfg and r.size == size:
            return r
    return None


def scenarios_markdown(
    result: GridResult | Sequence[Run],
    command: str,
    timeout: float = SCENARIO_TIMEOUT,
    max_memory: int = SCENARIO_MAX_MEMORY,
    images: Sequence[str] = (),
    machine_text: str | None = None,
) -> str:
    """The generated "Kubernetes scenarios" section: one table per grid (one row per run, grouped by
    variant and crashes), the sizes not attempted, reach and growth fits per configuration, targets."""
    from bench.scenarios import SCENARIOS

    runs, skipped = (result.runs, result.skipped) if isinstance(result, GridResult) else (list(result), [])
    cfgs = _configs(runs)
    out = [
        f"Command: `{command}`. Machine: {machine_text or machine()}. Our explorer only (scenario (b) 1/0 also runs in SPIN "
        "on its Promela twin: `python -m bench spin-rollout`, section \"Deployment rollout (b) side by side with SPIN\"). Each run in a fresh interpreter with "
        f"`timeout={timeout:.0f}` s (wall) and `max_memory={max_memory / 2**30:.0f} GiB` (RSS); a run cut by "
        "either is marked **cut** and its configuration stops growing (a configuration with more crashes "
        "is not attempted at or above the size where the same variant with fewer crashes was cut: its "
        "space contains that one). R is the number of replicas. Builders and properties: "
        "`bench/scenarios.py`; each starts from the settled cluster, and the scenario (user action, "
        "faults) is what follows; `granularity=\"reconcile\"`. Time to verdict is the wall time of the "
        f"`explore()` call (runs under {SHORT_RUN} s: fastest of up to {REPEATS}); states/s is per CPU second "
        "(— under 0.1 s); peak RSS is the whole worker process (~20 MB of it the interpreter).",
        "",
    ]
    for name in SCENARIOS:
        mine = [c for c in cfgs if c.scenario == name]
        if not mine:
            continue
        g = SCENARIOS[name]
        out += [
            f"### {g.title} (`{name}`)",
            "",
            "| variant | crashes | R | symmetry | distinct states | transitions | depth | states/s (CPU) | peak RSS | CPU time | time to verdict (wall) | result |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for variant in dict.fromkeys(c.variant for c in mine):
            for c in sorted((c for c in mine if c.variant == variant), key=lambda c: (c.crashes, c.symmetry)):
                for r in _of(runs, c):
                    states = _fmt_int(r.states) if r.states or r.complete else "—"
                    out.append(
                        f"| {variant} | {r.crashes} | {r.size} | {'on' if c.symmetry else 'off'} | {states} | {_fmt_int(r.transitions)} | "
                        f"{r.depth} | {_fmt_rate(r.rate)} | {_mb(r.peak_rss)} | {_fmt_s(r.cpu_seconds)} | {_fmt_s(r.seconds)} | {_result_text(r)} |"
                    )
        skips = [s for s in skipped if s.config.scenario == name]
        if skips:
            out += ["", "Not attempted:", ""]
            out += [f"- {s.config.label()}: R = {_sizes_text(s.sizes)} ({s.reason.removeprefix('not attempted: ')})." for s in skips]
        out.append("")
    out += [
        "### Reach and growth per configuration",
        "",
        "Growth of distinct states (orbits with symmetry) with R, least squares over the complete runs "
        "(at least 3 sizes): states ∝ b^R (log states ~ R) and states ∝ R^p (log states ~ log R).",
        "",
        "| scenario | variant | crashes | symmetry | largest exhaustive R | stopped | states ∝ b^R | states ∝ R^p | fit over R |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cfgs:
        rs = _of(runs, c)
        done = [r for r in rs if r.complete]
        fitted = growth(runs, c.engine, c.scenario, c.variant, c.crashes)
        best = f"{done[-1].size} ({_fmt_s(done[-1].seconds)})" if done else "none"
        first_cut = _stopped(runs, c, skipped) or "— (every size exhaustive)"
        fit = (f"{fitted['base']:.2f}^R", f"R^{fitted['exponent']:.2f}", f"{fitted['from']:.0f}..{fitted['to']:.0f}") if fitted else ("—", "—", "fewer than 3 sizes")
        out.append(f"| {c.scenario} | {c.variant} | {c.crashes} | {'on' if c.symmetry else 'off'} | {best} | {first_cut} | {fit[0]} | {fit[1]} | {fit[2]} |")
    out.append("")
    out += scenario_targets(runs, skipped)
    for img in images:
        out += [f"![{img.removesuffix('.png')}: states and time to verdict against R, one line per variant](img/{img})", ""]
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


def parse_list(text: str) -> list[str]:
    """``"1/0,25%/25%"`` -> ["1/0", "25%/25%"]."""
    return [x.strip() for x in text.split(",") if x.strip()]


def grid_to_json(result: GridResult, meta: dict[str, str] | None = None) -> str:
    """The runs, the sizes not attempted and ``meta`` (the command and machine line of the run)."""
    return json.dumps({"meta": meta or {}, "runs": [asdict(r) for r in result.runs],
                       "skipped": [{"config": asdict(s.config), "sizes": list(s.sizes), "reason": s.reason} for s in result.skipped]}, indent=1)


def grid_from_json(text: str) -> GridResult:
    data = json.loads(text)
    return GridResult([Run(**r) for r in data["runs"]],
                      [Skipped(Config(**s["config"]), tuple(s["sizes"]), s["reason"]) for s in data["skipped"]])


def _shown_command(cmd: str, argv: Sequence[str]) -> str:
    """The command as the docs show it: without ``--json``/``--from-json`` and their paths."""
    shown: list[str] = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--json", "--from-json"):
            skip = True
        elif not a.startswith(("--json=", "--from-json=")):
            shown.append(a)
    return "python -m bench " + " ".join([cmd, *shown]).strip()


def main(cmd: str, argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog=f"python -m bench {cmd}")
    ap.add_argument("--k", type=parse_range, default=parse_range("3..10"), help="RS-K sizes, e.g. 3..10 or 3,8,10")
    ap.add_argument("--sizes", type=parse_range, default=None, help="scenario sizes R, e.g. 1..3 (default: each grid's)")
    ap.add_argument("--variants", type=parse_list, default=None, help="scenario variants, e.g. 1/0,0/1 or scale-up (default: all)")
    ap.add_argument("--crashes", type=parse_range, default=None, help="container-crash budgets, e.g. 0..2 or 0,2 (default: each grid's)")
    ap.add_argument("--timeout", type=float, default=SCENARIO_TIMEOUT, help="wall seconds per scenario run")
    ap.add_argument("--max-memory", type=int, default=SCENARIO_MAX_MEMORY >> 20, help="MiB of RSS per scenario run")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    ap.add_argument("--json", type=Path, default=None, help="also save the scenario runs as JSON here")
    ap.add_argument("--from-json", type=Path, default=None, help="render the scenario section from saved runs (no run)")
    ap.add_argument("name", nargs="?", help="scenario name (for `scenario`)")
    args = ap.parse_args(argv)
    command = _shown_command(cmd, argv)
    max_memory = args.max_memory << 20
    machine_text: str | None = None
    t0 = time.perf_counter()
    LOAD[0] = f"{os.getloadavg()[0]:.1f}"
    rsk_runs: list[Run] = []
    grid = GridResult([], [])
    if cmd in ("spin-rsk", "all"):
        rsk_runs = spin_rsk(args.k)
    if cmd == "scenario":
        from bench.scenarios import SCENARIOS

        if args.name is None:
            raise SystemExit(f"usage: python -m bench scenario NAME [--sizes 1..3] [--variants V,..] [--crashes 0,1]; NAME in {sorted(SCENARIOS)}")
        grid = scenario_grid(args.name, args.sizes, args.variants, args.crashes, args.timeout, max_memory)
    if cmd in ("all", "scenarios-all"):
        from bench.scenarios import SCENARIOS

        if args.from_json is not None:
            text = args.from_json.read_text()
            grid = grid_from_json(text)
            meta = json.loads(text).get("meta", {})
            command, machine_text = meta.get("command", command), meta.get("machine")
        else:
            for name in SCENARIOS:
                # --variants names variants of any grid; a grid none of them belongs to runs all of its own
                mine = [v for v in args.variants or () if v in SCENARIOS[name].variants] or None
                grid += scenario_grid(name, args.sizes, mine, args.crashes, args.timeout, max_memory)
    LOAD[1] = f"{os.getloadavg()[0]:.1f}"
    if args.json is not None and grid.runs:
        args.json.write_text(grid_to_json(grid, {"command": command, "machine": machine()}))
    if rsk_runs:
        md = rsk_markdown(rsk_runs, command)
        if not args.no_write:
            from bench.plots import plot_rsk

            plot_rsk(rsk_runs, IMG)
            write_section(DOC, "spin-rsk", "RS-K side by side with SPIN (generated)", md)
        else:
            print(md)
    if grid.runs:
        write = cmd in ("all", "scenarios-all") and not args.no_write
        images: list[str] = []
        if write:
            from bench.plots import plot_scenarios

            images = [p.name for p in plot_scenarios(grid.runs, IMG)]
        md = scenarios_markdown(grid, command, args.timeout, max_memory, images, machine_text)
        if write:
            write_section(DOC, "scenarios", "Kubernetes scenarios (generated)", md)
        else:
            print(md)
    wrote = not args.no_write and (bool(rsk_runs) or cmd in ("all", "scenarios-all"))
    print(f"# total {time.perf_counter() - t0:.1f} s" + (f"; wrote {DOC.relative_to(ROOT)} and {IMG.relative_to(ROOT)}/perf-*.png" if wrote else ""))
    return 0


def runs_to_json(runs: Sequence[Run]) -> str:
    return json.dumps([asdict(r) for r in runs], indent=1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        sys.exit(_worker(sys.argv[2:]))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "all", sys.argv[2:]))
