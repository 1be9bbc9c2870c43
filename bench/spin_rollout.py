"""Benchmark scenario (b) side by side with SPIN: ``python -m bench.spin_rollout [options]``.

(b) is ``bench.model_perf.rollout_system(R, surge, unavailable, crashes, "reconcile")`` (a
Deployment rolling update on one node, one ``set image``, up to ``crashes`` container crashes;
invariant KC-OWN-001).  Its Promela translation is ``bench/spin/rollout_gen.py``.

* our explorer runs in a fresh interpreter per measurement (``python -m bench.spin_rollout _worker
  ...``, through ``bench.runner._measure``), symmetry off and on, with a wall-time budget
  (``--timeout``); a cut run is marked and its configuration stops growing;
* SPIN runs ``bench.spin.driver.run_pan`` (``spin -a``; ``gcc -O2 -DSAFETY -DNOREDUCE``: exact
  state storage, no partial-order reduction; pan fails loudly on any truncation);
* at every size where our run without symmetry is complete, the distinct states must be equal
  and SPIN's transitions must be ours + 1 (its initial transition), else :class:`EquivalenceError`;
* ``--spin-sizes`` also runs SPIN alone at larger R (the issue's R = 10 target), growing R while
  the projected time and memory of the next size stay within ``--spin-budget`` / 7 GiB;
* ``--diff`` compares the two reachable state *sets* (a debug build of the Promela prints every
  state; ``rollout_gen.project`` maps ours onto the same variables) for the sizes given.

The table goes into ``docs/performance.md`` between the ``spin-rollout`` markers (``--no-write``:
print only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from bench.runner import (
    DOC,
    LOAD,
    REPEATS,
    ROOT,
    SHORT_RUN,
    EquivalenceError,
    Run,
    _fmt_int,
    _fmt_rate,
    _fmt_s,
    _mb,
    _ratio,
    _spawn,
    machine,
    parse_range,
    spin_run,
    write_section,
)

__all__ = [
    "Config",
    "run_ours",
    "run_spin",
    "check_equivalent",
    "compare_state_sets",
    "side_by_side",
    "spin_alone",
    "markdown",
    "main",
]

TAG = "spin-rollout"
#: Wall-time budget per run of our explorer (seconds).
OUR_TIMEOUT = 120.0
#: SPIN-alone growth stops when the next size is projected above this many seconds or 7 GiB.
SPIN_BUDGET = 300.0
SPIN_MEMORY_LIMIT = 7 * 2**30
#: pan's -m: the DFS depth of (b) is tiny (72 at R = 5); a too-small depth raises and is retried.
SPIN_DEPTH = 100_000


@dataclass(frozen=True, slots=True)
class Config:
    """One variant of (b): maxSurge, maxUnavailable (as given to the Deployment), crashes."""

    surge: Any = 1
    unavailable: Any = 0
    crashes: int = 0

    @property
    def name(self) -> str:
        return f"rollout s{self.surge}u{self.unavailable} c{self.crashes}"


def _scenario_of(name: str) -> Config:
    su, c = name.split()[1:]
    s, u = su[1:].split("u")
    conv = lambda v: v if v.endswith("%") else int(v)  # noqa: E731
    return Config(conv(s), conv(u), int(c[1:]))


# ------------------------------------------------------------------------------ our explorer


def _worker(argv: Sequence[str]) -> int:
    """``_worker R SURGE UNAVAILABLE CRASHES SYM TIMEOUT``: print one JSON measurement."""
    from bench.model_perf import _one_owner, rollout_system
    from bench.runner import _measure
    from kubecheck.core.properties import invariant

    r, surge, unav, crashes, sym, timeout = argv
    conv = lambda v: v if v.endswith("%") else int(v)  # noqa: E731
    system = rollout_system(int(r), conv(surge), conv(unav), int(crashes), "reconcile")
    prop = invariant("KC-OWN-001", "at most one controller owner per pod", _one_owner)
    print(json.dumps(_measure(system, [prop], sym == "1", float(timeout))))
    return 0


def run_ours(r: int, cfg: Config, symmetry: bool, timeout: float = OUR_TIMEOUT) -> Run:
    """Our explorer on (b) in a fresh interpreter (its peak RSS is its own)."""
    args = [str(r), str(cfg.surge), str(cfg.unavailable), str(cfg.crashes), "1" if symmetry else "0", str(timeout)]
    m = _spawn(args, module="bench.spin_rollout")
    return Run("ours+sym" if symmetry else "ours", cfg.name, r, **m)


# ------------------------------------------------------------------------------------- SPIN


def _hash_bits(states: int) -> int:
    return max(18, min(27, states.bit_length() + 1))


def run_spin(
    r: int,
    cfg: Config,
    workdir: Path,
    *,
    expected_states: int | None = None,
    memlim_mb: int = 7168,
    cflags: tuple[str, ...] = ("-O2", "-DSAFETY", "-DNOREDUCE"),
) -> Run:
    """SPIN on the Promela of (b), exhaustive; runs under 0.5 s are the fastest of several.

    ``-w`` is sized from ``expected_states`` (when known) or a first run; ``-m`` starts at
    :data:`SPIN_DEPTH` and grows tenfold whenever pan reports the depth too small.
    """
    from bench.spin.driver import SpinError, run_pan
    from bench.spin.rollout_gen import rollout_promela

    text = rollout_promela(r, cfg.surge, cfg.unavailable, cfg.crashes)
    wd = workdir / f"r{r}-s{cfg.surge}u{cfg.unavailable}c{cfg.crashes}".replace("%", "pct")
    depth = SPIN_DEPTH
    bits = _hash_bits(expected_states) if expected_states else 22
    while True:
        try:
            first = run_pan(text, wd, max_states=1, depth=depth, hash_bits=bits, memlim_mb=memlim_mb, cflags=cflags)
        except SpinError as exc:
            if "max search depth too small" in str(exc) and depth < 10**8:
                depth *= 10
                continue
            raise
        if _hash_bits(first.states) > bits:  # hash table too small for a fair timing: size it and rerun
            bits = _hash_bits(first.states)
            continue
        break
    res = first
    if first.pan_wall_seconds < SHORT_RUN:
        res = run_pan(text, wd, max_states=1, depth=depth, hash_bits=bits, memlim_mb=memlim_mb, repeats=REPEATS, cflags=cflags)
    return spin_run(cfg.name, r, res, first.compile_seconds)


def check_equivalent(ours: Run, spin: Run) -> None:
    """Same model, same granularity: equal distinct states, SPIN's transitions = ours + 1."""
    if not ours.complete:
        raise ValueError(f"{ours.scenario} R={ours.size}: our run was cut ({ours.bound_hit}); nothing to compare")
    if ours.states != spin.states or spin.transitions != ours.transitions + 1:
        raise EquivalenceError(
            f"{ours.scenario} R={ours.size}: our explorer found {ours.states} states / {ours.transitions} transitions, "
            f"SPIN {spin.states} / {spin.transitions} (expected equal states and SPIN = ours + 1 transitions); "
            f"bench/spin/rollout_gen.py no longer matches the model (python -m bench.spin_rollout --diff ...)"
        )


def compare_state_sets(
    r: int, cfg: Config, workdir: Path, *, opt: str = "-O2", promela: str | None = None
) -> tuple[int, set[tuple[int, ...]], set[tuple[int, ...]]]:
    """(our state count, projections only we reach, states only SPIN reaches), from a debug build.

    Also checks that the projection is injective on our reachable set (it raises otherwise).
    ``promela`` replaces the generated debug model (tests use it to show a wrong model is caught).
    """
    from bench.model_perf import rollout_system
    from bench.spin.driver import spin_available
    from bench.spin import rollout_gen as g

    if not spin_available():
        raise RuntimeError("spin/gcc not found")
    system = rollout_system(r, cfg.surge, cfg.unavailable, cfg.crashes, "reconcile")
    ours = g.check_projection_injective(g.reachable(system), r, g.old_rs_name_of(system))
    workdir.mkdir(parents=True, exist_ok=True)
    text = promela if promela is not None else g.rollout_promela(r, cfg.surge, cfg.unavailable, cfg.crashes, debug=True)
    (workdir / "debug.pml").write_text(text)
    for cmd in (["spin", "-a", "debug.pml"], ["gcc", opt, "-w", "-DSAFETY", "-DNOREDUCE", "-DPRINTF", "-o", "pan_debug", "pan.c"]):
        subprocess.run(cmd, cwd=workdir, check=True, capture_output=True)
    out = subprocess.run(["./pan_debug", f"-m{SPIN_DEPTH}", "-w22"], cwd=workdir, capture_output=True, text=True, check=True).stdout
    if "errors: 0" not in out or "max search depth too small" in out:
        raise RuntimeError(f"debug pan did not finish cleanly:\n{out[-2000:]}")
    spin = g.parse_debug_states(out)
    return len(ours), set(ours) - spin, spin - set(ours)


# ------------------------------------------------------------------------------- campaigns


def side_by_side(sizes: Sequence[int], cfgs: Sequence[Config], timeout: float, workdir: Path, log: Any = print) -> list[Run]:
    """Ours (symmetry off, on) and SPIN at each size; a configuration stops growing once our
    run without symmetry is cut.  Asserts equivalence wherever ours completed."""
    runs: list[Run] = []
    for cfg in cfgs:
        for r in sizes:
            ours = run_ours(r, cfg, False, timeout)
            sym = run_ours(r, cfg, True, timeout)
            spin = run_spin(r, cfg, workdir, expected_states=ours.states if ours.complete else None)
            runs += [ours, sym, spin]
            line = (f"{cfg.name} R={r}: ours {ours.states:,} st {ours.cpu_seconds:.2f}s CPU{'' if ours.complete else ' (CUT)'}"
                    f" | sym {sym.states:,} orbits {sym.seconds:.2f}s{'' if sym.complete else ' (CUT)'}"
                    f" | spin {spin.states:,} st {spin.cpu_seconds:.3f}s CPU")
            if ours.complete:
                check_equivalent(ours, spin)
                line += " | equal"
            log(line)
            if not ours.complete:
                break
    return runs


def spin_alone(start: int, stop: int, cfgs: Sequence[Config], workdir: Path, budget: float, log: Any = print) -> list[Run]:
    """SPIN only, R = start..stop, while the next size is projected within budget and memory."""
    from bench.spin.driver import SpinError

    runs: list[Run] = []
    for cfg in cfgs:
        prev: Run | None = None
        prev2: Run | None = None
        for r in range(start, stop + 1):
            if prev is not None:
                growth = prev.states / prev2.states if prev2 is not None else 12.0
                if prev.cpu_seconds * growth > budget or prev.peak_rss * growth > SPIN_MEMORY_LIMIT:
                    log(f"{cfg.name} R={r}: SPIN alone skipped (projected {prev.cpu_seconds * growth:.0f} s, "
                        f"{prev.peak_rss * growth / 2**30:.1f} GiB from growth x{growth:.1f})")
                    break
            try:
                guess = int(prev.states * (prev.states / prev2.states if prev2 is not None else 12.0)) if prev is not None else None
                run = run_spin(r, cfg, workdir, expected_states=guess)
            except SpinError as exc:  # e.g. pan reached -DMEMLIM: report, never count a cut search
                log(f"{cfg.name} R={r}: SPIN alone did not finish ({str(exc).splitlines()[0]})")
                break
            runs.append(replace(run, engine="spin-alone"))
            log(f"{cfg.name} R={r}: SPIN alone {run.states:,} states {run.cpu_seconds:.2f}s CPU {run.peak_rss / 2**20:.0f} MiB")
            prev2, prev = prev, run
    return runs


# --------------------------------------------------------------------------------- report


def _rt(x: float | None) -> str:
    """A ratio; small ones also as 1/n so that they do not print as 0.00x."""
    if x is None:
        return "—"
    return f"{x:.4f}x (1/{1 / x:,.0f})" if 0 < x < 0.1 else _ratio(x)


def _rate(states: int, cpu: float, floor: float) -> float | None:
    return states / cpu if cpu >= floor else None


def _get(runs: Sequence[Run], engine: str, scenario: str, size: int) -> Run | None:
    for x in runs:
        if x.engine == engine and x.scenario == scenario and x.size == size:
            return x
    return None


def extrapolate(runs: Sequence[Run], scenario: str, target: int) -> tuple[float, float] | None:
    """(states at ``target``, growth factor per replica) from the last two complete sizes."""
    pts = sorted({x.size: x.states for x in runs if x.scenario == scenario and x.engine in ("spin", "spin-alone")}.items())
    if len(pts) < 2:
        return None
    (r1, s1), (r2, s2) = pts[-2], pts[-1]
    g = (s2 / s1) ** (1 / (r2 - r1))
    return s2 * g ** (target - r2), g


def markdown(runs: Sequence[Run], command: str, timeout: float) -> str:
    names = {"ours": "ours", "ours+sym": "ours + symmetry", "spin": "SPIN (no reduction)", "spin-alone": "SPIN alone"}
    scenarios = list(dict.fromkeys(x.scenario for x in runs))
    out = [
        f"Command: `{command}`. Machine: {machine()}.",
        "",
        "Scenario (b): `bench.model_perf.rollout_system(R, maxSurge, maxUnavailable, crashes, \"reconcile\")`, invariant "
        "KC-OWN-001. Our explorer: `explore(system, [KC-OWN-001], symmetry=...)`, each run in a fresh interpreter, "
        f"`timeout={timeout:.0f}` s (a cut run is marked and its configuration stops growing). SPIN: "
        "`bench/spin/rollout_gen.py` Promela (one `d_step` per model action, same granularity), `spin -a`; "
        "`gcc -O2 -DSAFETY -DNOREDUCE -DMEMLIM=7168`; `./pan -m100000 -w<bits>` (exact state storage, no partial-order "
        "reduction; the depth of (b) is below 100 and the runner fails on any truncation message). Wherever our "
        "run without symmetry is complete, equal distinct states and SPIN transitions = ours + 1 are asserted "
        "(the reachable state *sets* are also compared by `--diff`; see \"How the Promela maps to the object model\" below).",
        "",
        "| variant | R | engine | distinct states | transitions | states/s (CPU) | states/s (wall) | peak RSS | CPU time | time to verdict (wall) | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sc in scenarios:
        for r in sorted({x.size for x in runs if x.scenario == sc}):
            for eng in ("ours", "ours+sym", "spin", "spin-alone"):
                x = _get(runs, eng, sc, r)
                if x is None:
                    continue
                ttv = _fmt_s(x.seconds)
                if eng.startswith("spin"):
                    ttv += f" (pan; + {x.compile_seconds:.2f} s spin -a + gcc)"
                states = _fmt_int(x.states) + (" orbits" if eng == "ours+sym" else "")
                result = x.verdict if x.complete else f"cut by {x.bound_hit}"
                out.append(
                    f"| {sc.split(' ', 1)[1]} | {r} | {names[eng]} | {states} | {_fmt_int(x.transitions)} | {_fmt_rate(x.rate)} | "
                    f"{_fmt_rate(x.wall_rate)} | {_mb(x.peak_rss)} | {_fmt_s(x.cpu_seconds)} | {ttv} | {result} |"
                )
    out += [
        "",
        "Variant `s1u0 c2` = maxSurge 1, maxUnavailable 0, up to 2 container crashes. States/s (CPU) is distinct states "
        "per CPU second of the `explore()` call / of the `pan` process; (wall) uses `explore`'s own clock / pan's "
        "`elapsed time`; — when under 0.1 s. Runs under 0.5 s are the fastest of up to "
        f"{REPEATS}. A cut run's figures are what it reached before the bound.",
        "",
        "Ratios from the same run. Throughput is distinct states per CPU second (ours needs ≥ 0.1 s, SPIN ≥ 0.01 s: pan is "
        "too fast at small R to time longer; it is the fastest of 5 runs there). Time to verdict needs both runs complete.",
        "",
        "| variant | R | ours ÷ SPIN states/s (CPU) | SPIN time to verdict ÷ ours with symmetry (pan only) | same, SPIN end to end (spin -a + gcc + pan) | SPIN states ÷ our orbits |",
        "|---|---|---|---|---|---|",
    ]
    for sc in scenarios:
        for r in sorted({x.size for x in runs if x.scenario == sc}):
            o, s, y = _get(runs, "ours", sc, r), _get(runs, "spin", sc, r), _get(runs, "ours+sym", sc, r)
            if o is None or s is None or y is None:
                continue
            marks = []
            thr = _rate(o.states, o.cpu_seconds, 0.1)
            s_rate = _rate(s.states, s.cpu_seconds, 0.01)
            if s.cpu_seconds < 0.1:
                marks.append("SPIN under 0.1 s CPU")
            if not o.complete:
                marks.append("ours cut: its rate up to the cut")
            ratio = thr / s_rate if thr and s_rate else None
            ttv = ttv_e2e = orbits = "— (ours with symmetry cut)"
            if y.complete:
                ttv, ttv_e2e, orbits = _rt(s.seconds / y.seconds), _rt((s.seconds + s.compile_seconds) / y.seconds), _rt(s.states / y.states)
            out.append(
                f"| {sc.split(' ', 1)[1]} | {r} | {_rt(ratio)}{' (' + '; '.join(marks) + ')' if marks else ''} | "
                f"{ttv} | {ttv_e2e} | {orbits} |"
            )
    ext = [(sc, e) for sc in scenarios if (e := extrapolate(runs, sc, 10)) is not None]
    if ext:
        out += ["", "Growth (SPIN's exact counts, last two sizes) and the R = 10 target, extrapolated — an estimate, not a count:", ""]
        for sc, (n, g) in ext:
            last = max(x.size for x in runs if x.scenario == sc and x.engine.startswith("spin"))
            out.append(f"- {sc.split(' ', 1)[1]}: ×{g:.1f} states per replica up to R = {last}; R = 10 would have ~{n:.1e} states "
                       f"(~{n * 170 / 2**30:,.0f} GiB of exact state storage at ~170 bytes a state).")
    out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------------- CLI


def _configs(variants: str, crashes: Sequence[int]) -> list[Config]:
    out = []
    conv = lambda v: v if v.endswith("%") else int(v)  # noqa: E731
    for v in variants.split(","):
        s, u = v.split("/")
        out += [Config(conv(s), conv(u), c) for c in crashes]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.spin_rollout", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=parse_range, default=parse_range("1..4"), help="R for the side-by-side runs")
    ap.add_argument("--crashes", type=parse_range, default=parse_range("0,1,2"))
    ap.add_argument("--variants", default="1/0", help="maxSurge/maxUnavailable pairs, e.g. 1/0,0/1")
    ap.add_argument("--timeout", type=float, default=OUR_TIMEOUT, help="seconds per run of our explorer")
    ap.add_argument("--spin-sizes", type=parse_range, default=None, help="R for SPIN alone, e.g. 4..10")
    ap.add_argument("--spin-crashes", type=parse_range, default=parse_range("2"))
    ap.add_argument("--spin-budget", type=float, default=SPIN_BUDGET, help="seconds a SPIN-alone run may be projected to take")
    ap.add_argument("--diff", action="store_true", help="compare the reachable state sets (debug build) instead")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    ap.add_argument("--save", type=Path, default=None, help="also write the measurements as JSON")
    ap.add_argument("--load", type=Path, default=None, help="render measurements saved by --save (no run)")
    args = ap.parse_args(argv)
    command = "python -m bench.spin_rollout " + " ".join(argv if argv is not None else sys.argv[1:])
    cfgs = _configs(args.variants, args.crashes)
    t0 = time.perf_counter()
    LOAD[0] = f"{os.getloadavg()[0]:.1f}"
    if args.load is not None:
        saved = json.loads(args.load.read_text())
        runs = [Run(**x) for x in saved["runs"]]
        md = markdown(runs, saved["command"], saved["timeout"])
        LOAD[:] = saved.get("load", LOAD)
        if not args.no_write:
            write_section(DOC, TAG, "Scenario (b) side by side with SPIN (generated)", md)
        print(md)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-spin-rollout-") as tmp:
        if args.diff:
            bad = 0
            for cfg in cfgs:
                for r in args.sizes:
                    n, only_ours, only_spin = compare_state_sets(r, cfg, Path(tmp) / f"diff-{r}-{cfg.crashes}")
                    print(f"{cfg.name} R={r}: {n} states; only ours {len(only_ours)}, only SPIN {len(only_spin)}")
                    bad += len(only_ours) + len(only_spin)
            return 1 if bad else 0
        runs = side_by_side(args.sizes, cfgs, args.timeout, Path(tmp))
        if args.spin_sizes:
            runs += spin_alone(min(args.spin_sizes), max(args.spin_sizes), _configs(args.variants, args.spin_crashes), Path(tmp), args.spin_budget)
    LOAD[1] = f"{os.getloadavg()[0]:.1f}"
    if args.save is not None:
        args.save.write_text(json.dumps({"command": command, "timeout": args.timeout, "load": LOAD, "runs": [asdict(x) for x in runs]}, indent=1))
    md = markdown(runs, command, args.timeout)
    if args.no_write:
        print(md)
    else:
        write_section(DOC, TAG, "Scenario (b) side by side with SPIN (generated)", md)
        print(md)
        print(f"wrote {DOC.relative_to(ROOT)}")
    print(f"# total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        sys.exit(_worker(sys.argv[2:]))
    sys.exit(main())
