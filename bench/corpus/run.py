"""The real-world corpus benchmark: the default ``kubecheck check`` on every set of ``SOURCES.tsv``.

``python -m bench corpus [--only NAME[,NAME..]] [--timeout S] [--jobs N] [--scenarios LIST ..] [--check-args ARGS] [--no-write] [--json FILE]``
(also ``python -m bench.corpus``).  First ``python -m bench.corpus.extract`` copies the sets into ``data/``.

Each set is checked twice, each time by the CLI in a fresh process (``python -m kubecheck.cli check
data/<name> --format json -o <tmp>/report.json --out <tmp>/traces -q``, run from this directory): with
the default scenarios and with ``-s node-failure`` (each ``--scenarios LIST`` replaces these two with
its own ``-s LIST``; ``default`` means no ``-s``).  Nothing else is passed, so every bound is the CLI's default (``--max-states 50000``,
``--timeout 60`` per search); ``--check-args`` appends options (the tests use a small ``--max-states``).

Measured per run:

* **exit code** of the CLI, or ``killed`` when the run outlived ``--timeout`` (default
  :data:`RUN_TIMEOUT` s of wall time for the whole process: loading, settling, every search) and its
  process group got SIGKILL;
* **time**: wall seconds from spawn to reaping;
* **peak memory**: the child's own peak RSS, ``ru_maxrss`` of the ``os.wait4`` that reaps it (not the
  parent's, which never ran a search);
* **CPU seconds** (log line and ``--json`` only, not the table): user + system time of that same
  ``os.wait4`` (the child and the children it reaped), the figure to read on a shared, loaded machine;
* from the JSON report (absent on exit 2 or a kill): **workloads** (distinct Deployment, StatefulSet,
  ReplicaSet and ReplicationController targets among ``findings``), **groups** (``len(groups)``, 1 for an empty list: one search covered the cluster; ``-``
  while the report has no such field), **states** (sum of ``explorations[].states``) and **cut by**
  (the ``bound_hit`` of every search a bound cut, and ``settle:<bound>`` when the start-up was cut),
  and the **violated** rules (rule IDs of the ``violated`` findings; one whose every violated finding has severity
  ``info``, which the default ``--fail-on error`` does not count, is marked ``(info)`` in the table: ``info``).

The table, one row per set and scenario list, goes into the generated block ``corpus`` of
``docs/performance.md`` (:func:`bench.runner.write_section`), with a summary line (conclusive share,
exit 0 or 1, per scenario list; median and max time) and the first error line of every exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from bench.corpus.extract import DATA, Source, SourcesError, load_sources, select
from bench.runner import DOC, ROOT, write_section

#: Hard wall-time limit per CLI run (whole process); past it the run is recorded as ``killed``.
RUN_TIMEOUT = 600.0
#: The scenario lists each set is checked under; ``default`` passes no ``-s`` (rollout, pod-crash).
SCENARIO_LISTS = ("default", "node-failure")
#: The generated block's tag in docs/performance.md.
TAG = "corpus"
TITLE = "Real-world corpus (generated)"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
_POLL_MIN, _POLL_MAX = 0.002, 0.05


@dataclass(frozen=True, slots=True)
class CorpusRun:
    """One CLI run on one set under one scenario list, and what its JSON report says."""

    name: str
    scenarios: str
    exit_code: int | None  # None: killed by the hard timeout
    seconds: float
    peak_rss: int  # bytes, the child's own ru_maxrss
    workloads: int | None = None  # None: no report (exit 2 or killed)
    groups: int | None = None  # None: no report, or a report without a ``groups`` field
    states: int | None = None
    cut: tuple[str, ...] = ()
    violated: tuple[str, ...] = ()  # rule IDs with a VIOLATED finding
    info: tuple[str, ...] = ()  # those of them whose every VIOLATED finding has severity info (--fail-on error ignores them)
    error: str | None = None  # first stderr line of a run that exited 2 (or died)
    command: tuple[str, ...] = field(default=(), compare=False)
    cpu_seconds: float | None = field(default=None, compare=False)  # user + system CPU of the child and its reaped children

    @property
    def killed(self) -> bool:
        return self.exit_code is None

    @property
    def conclusive(self) -> bool:
        """Exit 0 (every property holds, exhaustively) or 1 (a violation with its trace)."""
        return self.exit_code in (0, 1)


def parse_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """Workloads, groups, states, cut bounds and violated rules from a ``kubecheck-report/1`` JSON document.

    ``groups`` is ``None`` when the report has no ``groups`` list; ``cut`` lists each distinct
    ``bound_hit`` of the explorations (sorted), then ``settle:<bound>`` if the start-up was cut;
    ``violated`` the distinct rule IDs of the ``violated`` findings (sorted); ``info`` those of them whose every
    ``violated`` finding has severity ``info`` (the default ``--fail-on error`` does not count them).
    """
    targets = {f.get("target", "") for f in report.get("findings", [])}
    workloads = sum(1 for t in targets if isinstance(t, str) and t.split(" ", 1)[0] in WORKLOAD_KINDS)
    explorations = report.get("explorations", [])
    states = sum(int(e.get("states", 0)) for e in explorations)
    cut = sorted({str(e["bound_hit"]) for e in explorations if e.get("bound_hit")})
    if report.get("settle_cut"):
        cut.append(f"settle:{report['settle_cut']}")
    groups = report.get("groups")
    violated = [f for f in report.get("findings", []) if f.get("verdict") == "violated"]
    severe = {str(f.get("rule_id")) for f in violated if f.get("severity") != "info"}
    return {
        "workloads": workloads,
        # an empty list: every search covered the whole cluster (one group)
        "groups": (len(groups) or 1) if isinstance(groups, list) else None,
        "states": states,
        "cut": tuple(cut),
        "violated": tuple(sorted({str(f.get("rule_id")) for f in violated})),
        "info": tuple(sorted({str(f.get("rule_id")) for f in violated} - severe)),
    }


def _violated(r: CorpusRun, sep: str = ", ") -> str:
    """The violated rules, an info-severity one (not counted under the default --fail-on error) marked ``(info)``."""
    return sep.join(f"{rule} (info)" if rule in r.info else rule for rule in r.violated)


def _first_line(*texts: str) -> str | None:
    for text in texts:
        for line in text.splitlines():
            if line.strip():
                return line.strip()[:400]
    return None


def check_command(path: Path | str, scenarios: str, report: Path, traces: Path, extra: Sequence[str] = ()) -> list[str]:
    """The CLI invocation for one run (``scenarios == "default"`` passes no ``-s``)."""
    cmd = [sys.executable, "-m", "kubecheck.cli", "check", str(path), "--format", "json", "-o", str(report), "--out", str(traces), "-q"]
    if scenarios != "default":
        cmd += ["-s", scenarios]
    return cmd + list(extra)


def measure(
    name: str, path: Path | str, scenarios: str = "default", *, timeout: float = RUN_TIMEOUT,
    extra: Sequence[str] = (), cwd: Path | None = None,
) -> CorpusRun:
    """Run the CLI on ``path`` in a fresh process (its own session) and measure it (see the module doc).

    The child is reaped with ``os.wait4`` so that ``ru_maxrss`` is the child's own peak; past
    ``timeout`` wall seconds its whole process group gets SIGKILL and the run is ``killed``.
    """
    cwd = cwd or Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="kc-corpus-") as tmp:
        report_path, traces = Path(tmp) / "report.json", Path(tmp) / "traces"
        cmd = check_command(path, scenarios, report_path, traces, extra)
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        with open(Path(tmp) / "stdout", "w+b") as out, open(Path(tmp) / "stderr", "w+b") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
            killed, poll = False, _POLL_MIN
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    break
                if time.perf_counter() - t0 > timeout:
                    os.killpg(proc.pid, signal.SIGKILL)
                    _, status, usage = os.wait4(proc.pid, 0)
                    killed = True
                    break
                time.sleep(poll)
                poll = min(poll * 2, _POLL_MAX)
            seconds = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        exit_code = None if killed else proc.returncode
        parsed: dict[str, Any] = {}
        if not killed and report_path.exists():
            try:
                parsed = parse_report(json.loads(report_path.read_text()))
            except (ValueError, TypeError, AttributeError):
                parsed = {}
        error = None
        if exit_code is not None and exit_code not in (0, 1, 3, 4):
            error = _first_line(stderr, stdout)
        return CorpusRun(
            name=name, scenarios=scenarios, exit_code=exit_code, seconds=seconds, peak_rss=usage.ru_maxrss * 1024,
            error=error, command=tuple(cmd), cpu_seconds=usage.ru_utime + usage.ru_stime, **parsed,
        )


# ------------------------------------------------------------------------------------ table


def _cell(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _time(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _exit(r: CorpusRun) -> str:
    return "killed" if r.killed else str(r.exit_code)


def summary(runs: Sequence[CorpusRun]) -> list[str]:
    """One line per scenario list: conclusive share (exit 0 or 1), exit-code counts, median and max time."""
    lines = []
    for scen in dict.fromkeys(r.scenarios for r in runs):
        rs = [r for r in runs if r.scenarios == scen]
        conclusive = sum(r.conclusive for r in rs)
        counts: dict[str, int] = {}
        for r in rs:
            counts[_exit(r)] = counts.get(_exit(r), 0) + 1
        slowest = max(rs, key=lambda r: r.seconds)
        lines.append(
            f"**{scen}**: conclusive (exit 0 or 1) {conclusive}/{len(rs)} ({100 * conclusive / len(rs):.0f}%); "
            f"exit codes {', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))}; "
            f"time median {_time(statistics.median(r.seconds for r in rs))}, max {_time(slowest.seconds)} ({slowest.name}); "
            f"peak memory max {max(r.peak_rss for r in rs) / 2**20:,.0f} MB"
        )
    return lines


def markdown(runs: Sequence[CorpusRun], sources: Sequence[Source], *, command: str, not_run: Iterable[str] = (), machine: str = "") -> str:
    """The generated block: how it was run, the per-set table, the summary and every exit-2 error line."""
    kind = {s.name: s.kind for s in sources}
    out = []
    if machine:
        out.append(f"Machine: {machine}.")
    out.append(f"Command: `{command}`; every bound is the CLI default unless the command says otherwise.")
    names = list(dict.fromkeys(r.name for r in runs))
    missing = list(not_run)
    not_run_text = f"; not run: {', '.join(missing)}" if missing else ""
    out.append(f"Sets run: {len(names)} of {len(sources)} in `bench/corpus/SOURCES.tsv`{not_run_text}.")
    out.append("")
    out.append("| set | kind | scenarios | workloads | groups | exit | time | peak memory | states | cut by | violated |")
    out.append("|---|---|---|--:|--:|--:|--:|--:|--:|---|---|")
    for r in runs:
        out.append(
            f"| {r.name} | {kind.get(r.name, '?')} | {r.scenarios} | {_cell(r.workloads)} | {_cell(r.groups)} | {_exit(r)} | "
            f"{_time(r.seconds)} | {r.peak_rss / 2**20:,.0f} MB | {_cell(r.states)} | {', '.join(r.cut) or '-'} | {_violated(r) or '-'} |"
        )
    out.append("")
    out.extend(f"- {line}" for line in summary(runs))
    errors = [r for r in runs if r.error]
    if errors:
        out.append("")
        out.append("Runs that ended in an error (first line of the CLI's output):")
        out.append("")
        out.extend(f"- {r.name} ({r.scenarios}, exit {_exit(r)}): `{r.error}`" for r in errors)
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------------------------- CLI


def run_corpus(
    sources: Sequence[Source], scenario_lists: Sequence[str] = SCENARIO_LISTS, *, data: Path = DATA,
    timeout: float = RUN_TIMEOUT, extra: Sequence[str] = (), jobs: int = 1, log: Any = print,
) -> tuple[list[CorpusRun], list[str]]:
    """Measure every (set, scenario list) whose ``data/<name>`` exists; return the runs and the sets not run."""
    present = [s for s in sources if (data / s.name).is_dir() and any((data / s.name).iterdir())]
    not_run = [s.name for s in sources if s not in present]
    for name in not_run:
        log(f"MISSING {name}: no {data / name} (run python -m bench.corpus.extract; fetch its repository again if that fails)")
    jobs_list = [(s, scen) for s in present for scen in scenario_lists]

    def one(item: tuple[Source, str]) -> CorpusRun:
        s, scen = item
        path = data / s.name
        rel = os.path.relpath(path, data.parent) if path.is_relative_to(data.parent) else str(path)
        r = measure(s.name, rel, scen, timeout=timeout, extra=extra, cwd=data.parent)
        log(
            f"{s.name:<20} {scen:<13} exit {_exit(r):>6}  {r.seconds:7.1f} s  cpu {r.cpu_seconds or 0:7.1f} s  {r.peak_rss / 2**20:7.0f} MB  "
            f"workloads {_cell(r.workloads):>3}  groups {_cell(r.groups):>3}  states {_cell(r.states):>9}  "
            f"cut {','.join(r.cut) or '-'}  violated {_violated(r, ',') or '-'}" + (f"\n    {r.error}" if r.error else "")
        )
        return r

    if jobs <= 1:
        runs = [one(item) for item in jobs_list]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            runs = list(pool.map(one, jobs_list))
    return runs, not_run


def _without_json(argv: Sequence[str]) -> list[str]:
    """``argv`` less ``--json FILE`` (where the raw runs went is no part of how they were measured)."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "--json":
            skip = True
        elif not a.startswith("--json="):
            out.append(a)
    return out


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench corpus", description="The default kubecheck check on every real-world set.")
    ap.add_argument("--only", action="append", default=[], help="these sets only (repeatable or comma list)")
    ap.add_argument("--timeout", type=float, default=RUN_TIMEOUT, help="hard wall seconds per CLI run (default %(default)s)")
    ap.add_argument("--jobs", type=int, default=1, help="runs at once (default 1; times and memory are comparable only at 1)")
    ap.add_argument(
        "--scenarios", action="append", default=[],
        help="a scenario list to check each set under, as for -s ('default': no -s); repeatable; default: default and node-failure",
    )
    ap.add_argument("--check-args", default="", help="extra kubecheck check options, one shell-quoted string")
    ap.add_argument("--data", type=Path, default=DATA, help="the extracted sets (default %(default)s)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    ap.add_argument("--json", type=Path, help="also write the runs as JSON here")
    args = ap.parse_args(argv)
    only = [n for chunk in args.only for n in chunk.split(",") if n]
    try:
        sources = load_sources()
        chosen = select(sources, only)
    except (SourcesError, KeyError) as e:
        print(f"corpus: {e}", file=sys.stderr)
        return 2
    scenario_lists = args.scenarios or list(SCENARIO_LISTS)
    load0 = os.getloadavg()[0]
    runs, not_run = run_corpus(chosen, scenario_lists, data=args.data, timeout=args.timeout, extra=shlex.split(args.check_args), jobs=args.jobs)
    if not runs:
        print("corpus: no set to run (extract them first: python -m bench.corpus.extract)", file=sys.stderr)
        return 1
    print()
    print("\n".join(summary(runs)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1))
    if not args.no_write:
        shown = "python -m bench corpus" + "".join(f" {shlex.quote(a)}" for a in _without_json(argv))
        machine = (
            f"{os.cpu_count()} vCPUs shared with other jobs, load average {load0:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end; {time.strftime('%Y-%m-%d %H:%M')}; --jobs {args.jobs}"
        )
        not_listed = [s.name for s in sources if s not in chosen] + not_run
        write_section(DOC, TAG, TITLE, markdown(runs, sources, command=shown, not_run=not_listed, machine=machine))
        print(f"wrote the corpus table into {DOC.relative_to(ROOT)}")
    return 0
