"""Compile and run a SPIN model exhaustively, and parse ``pan``'s report; fail loudly on truncation.

Flags (chosen so that SPIN explores the same unreduced state space as our explorer):

* ``spin -a``; ``gcc -O2 -DSAFETY -DNOREDUCE -DMEMLIM=<MB>``: safety only (no cycle detection, which
  our lean BFS does not do either), partial-order reduction OFF (our explorer has none), no
  ``-DBITSTATE``/``-DHC``/``-DCOLLAPSE`` (exact full-state storage, like our ``dict``).
* ``pan -m<depth> -w<bits>``: ``-m`` is twice the number of states that can exist at all plus a margin
  (each system step is two DFS levels, process + never claim, and the DFS stack holds distinct states
  only), so the search cannot be cut by depth; ``-w`` sizes the hash table to the state space.
  SPIN's default ``-m10000`` silently truncated RS-8 in the prior-work measurement; here any
  ``max search depth too small`` / ``Search not completed`` / ``out of memory`` line raises
  :class:`SpinError`, and so does an error count other than the one expected.

``pan`` exits 0 even when it reports errors (measured in the prior-work notes), so the verdict comes
from the parsed ``errors:`` field, never from the exit code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

#: Lines of pan's output that mean the search was not exhaustive.
TRUNCATION_MARKERS = (
    "max search depth too small",
    "error: max search depth",
    "Search not completed",
    "out of memory",
    "pan: reached -DMEMLIM bound",
)


class SpinError(RuntimeError):
    """SPIN is missing, failed, or did not explore the whole state space."""


@dataclass(frozen=True, slots=True)
class SpinRun:
    """What one compile-and-run of ``pan`` reported (times in seconds, memory in bytes)."""

    states: int
    matched: int
    transitions: int
    depth: int
    errors: int
    state_vector_bytes: int
    pan_seconds: float  # pan's own "elapsed time" (search only)
    pan_wall_seconds: float  # wall time of the pan process (includes hash-table and stack allocation)
    compile_seconds: float  # spin -a + gcc
    pan_cpu_seconds: float  # user + system CPU time of the pan process (wait4)
    peak_rss_bytes: int  # pan's peak RSS (wait4)
    pan_memory_mb: float  # pan's "total actual memory usage"
    flags: str
    output: str

    @property
    def states_per_second(self) -> float:
        return self.states / self.pan_wall_seconds if self.pan_wall_seconds > 0 else float("inf")


def spin_available() -> bool:
    return shutil.which("spin") is not None and shutil.which("gcc") is not None


def spin_version() -> str:
    if shutil.which("spin") is None:
        return "absent"
    out = subprocess.run(["spin", "-V"], capture_output=True, text=True, check=False).stdout.strip()
    return out.replace("Spin Version ", "SPIN ")


#: A count as pan prints it: digits, or ``%g`` notation for counts of 10^8 and more (``1.0188e+08``).
COUNT = r"([0-9.]+(?:e\+?[0-9]+)?)"


def _int(pattern: str, text: str) -> int:
    """The count matched by ``pattern`` (whose group is :data:`COUNT`); a ``%g`` count is exact only to
    pan's printed precision (five significant digits)."""
    m = re.search(pattern, text)
    if m is None:
        raise SpinError(f"pan output has no match for {pattern!r}:\n{text}")
    g = m.group(1)
    return int(float(g)) if ("e" in g or "." in g) else int(g)


def parse_pan(output: str, *, stopped_at_error: bool = False) -> dict[str, float]:
    """The numbers of a pan report; raises :class:`SpinError` on any truncation marker.

    ``stopped_at_error``: the run is expected to stop at its first error, so pan's "Search not
    completed" is expected and only the depth/memory markers count.
    """
    for marker in TRUNCATION_MARKERS:
        if stopped_at_error and marker == "Search not completed":
            continue
        if marker in output:
            raise SpinError(f"SPIN did not explore the whole state space ({marker!r} in pan's output):\n{output}")
    m = re.search(r"State-vector (\d+) byte, depth reached (\d+), errors: (\d+)", output)
    if m is None:
        raise SpinError(f"unrecognised pan output:\n{output}")
    elapsed = re.search(r"pan: elapsed time ([0-9.e+-]+) seconds", output)
    memory = re.search(r"([0-9.]+)\s+total actual memory usage", output)
    return {
        "state_vector": int(m.group(1)),
        "depth": int(m.group(2)),
        "errors": int(m.group(3)),
        "states": _int(COUNT + r" states, stored", output),
        "matched": _int(COUNT + r" states, matched", output),
        "transitions": _int(COUNT + r" transitions \(= stored\+matched\)", output),
        "pan_seconds": float(elapsed.group(1)) if elapsed else 0.0,
        "memory_mb": float(memory.group(1)) if memory else 0.0,
    }


def _run_once(argv: list[str], workdir: Path) -> tuple[float, str, int, float]:
    """Run pan once: (wall seconds, output, peak RSS bytes, CPU seconds)."""
    t1 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)  # reap it ourselves: wait4 gives this child's own peak RSS
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t1
    if proc.returncode != 0:
        raise SpinError(f"{' '.join(argv)} exited {proc.returncode}:\n{output}")
    return wall, output, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def run_pan(
    promela: str,
    workdir: Path,
    *,
    max_states: int,
    expect_errors: int = 0,
    memlim_mb: int = 16_384,
    repeats: int = 1,
    cflags: tuple[str, ...] = ("-O2", "-DSAFETY", "-DNOREDUCE"),
    depth: int | None = None,
    hash_bits: int | None = None,
) -> SpinRun:
    """Write ``promela`` to ``workdir/model.pml``, compile, run exhaustively, parse, and check.

    ``max_states`` is an upper bound on the reachable states (it sizes ``-m`` and ``-w``).  With
    ``expect_errors=0`` the run must be exhaustive (pan's ``-c1`` stops at the first error, so a run
    expecting an error is a time-to-counterexample run and is not exhaustive).  ``repeats`` > 1 reruns
    the compiled ``pan`` and keeps the fastest run (for runs too short to time once).
    ``depth`` / ``hash_bits`` override the ``-m`` / ``-w`` derived from ``max_states`` (for models
    whose DFS depth is far below their state count; a depth that turns out too small still raises).
    """
    if not spin_available():
        raise SpinError("spin or gcc not found on PATH (apt-get install spin gcc)")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "model.pml").write_text(promela)
    t0 = time.perf_counter()
    for cmd in (
        ["spin", "-a", "model.pml"],
        ["gcc", *cflags, f"-DMEMLIM={memlim_mb}", "-o", "pan", "pan.c"],
    ):
        proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SpinError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    compile_seconds = time.perf_counter() - t0
    if depth is None:
        depth = 2 * max_states + 64
    wbits = max(18, min(26, max_states.bit_length() + 1)) if hash_bits is None else hash_bits
    argv = ["./pan", f"-m{depth}", f"-w{wbits}"]
    runs = [_run_once(argv, workdir) for _ in range(max(1, repeats))]
    for _, out, _, _ in runs:  # every run must be exhaustive, not just the fastest
        m = re.search(r"errors: (\d+)", out)
        if m is not None and int(m.group(1)) != expect_errors:
            raise SpinError(f"pan reported {m.group(1)} errors, expected {expect_errors}:\n{out}")
        parse_pan(out, stopped_at_error=expect_errors > 0)
    wall, output, _, cpu = min(runs, key=lambda r: r[0])
    peak = max(r[2] for r in runs)
    nums = parse_pan(output, stopped_at_error=expect_errors > 0)
    if nums["errors"] != expect_errors:
        raise SpinError(f"pan reported {nums['errors']} errors, expected {expect_errors}:\n{output}")
    return SpinRun(
        states=int(nums["states"]),
        matched=int(nums["matched"]),
        transitions=int(nums["transitions"]),
        depth=int(nums["depth"]),
        errors=int(nums["errors"]),
        state_vector_bytes=int(nums["state_vector"]),
        pan_seconds=nums["pan_seconds"],
        pan_wall_seconds=wall,
        compile_seconds=compile_seconds,
        pan_cpu_seconds=cpu,
        peak_rss_bytes=peak,
        pan_memory_mb=nums["memory_mb"],
        flags=f"spin -a; gcc {' '.join(cflags)} -DMEMLIM={memlim_mb}; {' '.join(argv)}",
        output=output,
    )
