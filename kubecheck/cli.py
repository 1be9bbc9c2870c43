"""The ``kubecheck`` command line (click).

Exit codes, for every command (like a linter's, and one per verdict):

\b
  0  every property holds (exhaustive search from the settled state) / the command succeeded
  1  a property is violated (a counterexample trace was written); replay: the trace no longer
     replays or no longer violates
  2  bad usage or bad input (unreadable or invalid manifests, unknown rule ID, bad scenario file,
     no workload, or nothing to check), or the check itself failed (ERROR verdict)
  3  inconclusive: no violation found, but a bound (--max-states, --timeout, --max-depth,
     --max-memory) cut the search; or Ctrl-C (nothing is claimed)
  4  sampled: no violation in random runs (--engine random), no coverage guarantee
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from kubecheck.core.errors import KubecheckError
from model.versions import DEFAULT_VERSION as _K8S_DEFAULT, SUPPORTED_VERSIONS as _K8S_VERSIONS

__all__ = ["main", "cli"]

EXIT_HELP = """\b
Exit codes:
  0  every property holds (exhaustive search from the settled state)
  1  a property is violated (counterexample traces written under --out)
  2  bad usage or input (manifest errors are printed as FILE:LINE: FIELD: message),
     nothing to check, or the check itself failed
  3  inconclusive: no violation, but a bound cut the search; or interrupted (Ctrl-C)
  4  sampled: no violation in random runs (--engine random)
"""


def _echo(message: str | list[str], err: bool = False) -> None:
    """Print ``message`` (one line, or a list of lines) with every user string escaped
    (``traces.printable``): a line stays one line whatever it holds, and no control character,
    escape sequence or bidi mark reaches the terminal."""
    from traces import printable

    for line in [message] if isinstance(message, str) else message:
        click.echo(printable(line), err=err)


def _fail(message: str | list[str], code: int = 2) -> NoReturn:
    _echo(message, err=True)
    sys.exit(code)


def _check_outputs(out_dir: str, output: str | None, report_path: str | None) -> None:
    """Fail before the search (exit 2, one line) when an output cannot be written: a violation found
    after minutes of search must not be lost to a typo in a path.  ``--out`` is created (with its
    parents, as documented); ``-o`` and ``--report`` need an existing, writable parent directory."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"kubecheck: --out: {out_dir}: cannot create the directory: {exc.strerror or exc}")
    if not os.access(out, os.W_OK | os.X_OK):
        _fail(f"kubecheck: --out: {out_dir}: directory is not writable")
    for opt, path in (("--output", output), ("--report", report_path)):
        if not path or path == "-":
            continue
        p = Path(path)
        parent = p.parent if str(p.parent) else Path(".")
        if p.is_dir():
            _fail(f"kubecheck: {opt}: {path}: is a directory")
        if not parent.is_dir():
            _fail(f"kubecheck: {opt}: {path}: no such directory {str(parent)!r} (create it first)")
        if not os.access(parent, os.W_OK | os.X_OK) or (p.exists() and not os.access(p, os.W_OK)):
            _fail(f"kubecheck: {opt}: {path}: not writable")


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


class _Memory(click.ParamType):
    name = "SIZE"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        from kubecheck.runner import parse_memory

        if isinstance(value, int):
            return value
        try:
            return parse_memory(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


#: Exit code and message of Ctrl-C outside a search (a search turns Ctrl-C into a bounded verdict itself).
INTERRUPTED = (3, "kubecheck: interrupted: nothing is claimed")


def _interrupted() -> NoReturn:
    _fail(INTERRUPTED[1], INTERRUPTED[0])


class _Group(click.Group):
    """A click group whose commands exit 3 on Ctrl-C (click's own handling exits 1, which means "violated")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()


@click.group(cls=_Group, epilog=EXIT_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kubecheck", prog_name="kubecheck")
def cli() -> None:
    """kubecheck: model-check Kubernetes manifests against controller behaviour.

    Runs the real controllers' logic (ReplicaSet, Deployment, StatefulSet, scheduler, kubelet,
    garbage collector, node lifecycle) over every interleaving of a scenario (a rollout, a crash,
    a node failure...) and checks rollout availability, convergence, ownership and identity rules.
    """


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("-s", "--scenario", "scenarios", multiple=True, metavar="NAME[,NAME...]",
              help="Built-in scenario(s) to explore (repeatable or comma list). Default: rollout,pod-crash. "
              "See `kubecheck scenarios`.")
@click.option("--scenario-file", "scenario_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A YAML scenario file (your own user actions, faults and bounds); repeatable.")
@click.option("-p", "--property", "properties", multiple=True, metavar="RULE-ID",
              help="Check only these rules (repeatable or comma list). Default: the whole catalogue.")
@click.option("--rules", "rules_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A Python file defining your own rules with @properties.rule; repeatable.")
@click.option("--max-depth", type=click.IntRange(min=0), default=None,
              help="Bound on steps from the settled state (0: the settled state alone). --engine random: steps per run "
              "(default 50; 0 is refused).")
@click.option("--max-states", type=click.IntRange(min=0), default=50_000, show_default=True,
              help="Bound on distinct states per search (0: none).")
@click.option("--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Wall-clock seconds per search (0: none).")
@click.option("--max-memory", type=_Memory(), default=None, help="Bound on the process RSS, e.g. 512M, 2G.")
@click.option("--symmetry/--no-symmetry", default=False, show_default=True,
              help="Symmetry reduction for safety properties (eventual ones always run without it).")
@click.option("--fingerprint/--no-fingerprint", default=False, show_default=True,
              help="Store 64-bit state fingerprints instead of states (hash compaction, as TLC) for the invariant "
              "rules: less memory; a HOLDS is exhaustive up to hash collisions (the probability is reported). "
              "Action and eventual rules run in a second search without it.")
@click.option("--por/--no-por", default=False, show_default=True,
              help="Partial-order reduction (ample sets from declared footprints) for the rules that declare what they "
              "read; exact (same verdicts). Eventual rules and rules that read anything run in a second search without it.")
@click.option("--decompose/--no-decompose", default=True, show_default=True,
              help="Explore independent groups of workloads (no shared Service, selector, claim or owner) apart; "
              "rules that are conjunctions over groups are judged per group (docs/semantics.md, Decomposition).")
@click.option("--granularity", type=click.Choice(["write", "reconcile"]), default="write", show_default=True,
              help="One API write per step (intermediate states) or one reconcile per step.")
@click.option("--caches", type=click.Choice(["off", "lagged"]), default="off", show_default=True,
              help="off: controllers read the API server; lagged: kube-controller-manager's informer caches, expectations "
              "and (by --kubernetes-version) the KEP-5647 fence are modelled (docs/semantics.md). A scenario file's own "
              "caches: (or stale_reads: true) wins.")
@click.option("--kubernetes-version", "kubernetes_version", type=click.Choice(list(_K8S_VERSIONS)), default=_K8S_DEFAULT,
              show_default=True, metavar="1.28..1.37",
              help="The Kubernetes version whose version-dependent behaviour is modelled (KEP-5647 fence, StatefulSet "
              "maxUnavailable; docs/semantics.md, Kubernetes versions). A scenario file's own "
              "kubernetes_version: wins.")
@click.option("--nodes", type=click.IntRange(min=1), default=2, show_default=True,
              help="Identical Ready nodes to add when the manifests contain no Node.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="kubecheck-out", show_default=True,
              help="Directory for counterexample traces (one subdirectory per violation).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "junit", "sarif"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the formatted output here (the text summary still goes to stdout).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a self-contained HTML report for design reviews.")
@click.option("--engine", type=click.Choice(["explicit", "random"]), default="explicit", show_default=True,
              help="explicit: exhaustive BFS within bounds; random: random walks (verdict SAMPLED).")
@click.option("--examples", type=click.IntRange(min=1), default=100, show_default=True,
              help="--engine random: random runs per search (steps per run: --max-depth, default 50).")
@click.option("--seed", type=int, default=0, show_default=True, help="--engine random: the seed (same seed, same runs).")
@click.option("--progress", type=click.Choice(["auto", "bar", "lines", "off"]), default="auto", show_default=True,
              help="Search progress on stderr. auto: a bar on a terminal, else lines; lines: one line every few "
              "seconds (states, depth, states/s, elapsed), for CI logs; off: nothing.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output (the same as --progress off).")
@click.option("--exclude", "excludes", multiple=True, metavar="RULE-ID[,RULE-ID...]",
              help="Accept these rules' findings everywhere: reported as suppressed, not counted in the exit code (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help=".kubecheck.yaml to read (default: the nearest one from the working directory up to the repository root).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="The lowest rule severity whose violations fail the run (exit 1); the others are reported only.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Independent searches (scenarios, interaction groups, rolled workloads) run at once, each in its own "
              "process; the output does not depend on it. --timeout and --max-memory apply per search and worker. "
              "Default: the number of cores; 1: one after another in this process.")
@click.option("--ray", "ray_address", metavar="auto|ADDRESS", default=None,
              help="Run on Ray (pip install 'kubecheck[ray]'): auto starts a local Ray, ADDRESS joins a cluster. With "
              "--workers N > 1 each search is a distributed BFS over N workers (safety rules only: eventual rules are "
              "refused, select rules with -p); with --workers 1 the independent searches run as Ray tasks, in parallel.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="--ray: workers per search (1: each search one Ray task).")
@click.option("--cache-dir", "cache_dir", type=click.Path(file_okay=False), default=None,
              help="Where the Z3 count model's proofs are cached per parameter tuple (a rerun is instant; keyed by the "
              "count model's version). Default: $KUBECHECK_CACHE_DIR, else the user cache directory (~/.cache/kubecheck).")
@click.option("-n", "--namespace", default=None, metavar="NAMESPACE",
              help="As kubectl apply --namespace: objects without metadata.namespace go there, and one that names "
              "another namespace is an error. Default: objects without one go to namespace default.")
def check(paths: tuple[str, ...], scenarios: tuple[str, ...], scenario_files: tuple[str, ...], properties: tuple[str, ...],
          rules_files: tuple[str, ...], max_depth: int | None, max_states: int, timeout: float, max_memory: int | None,
          symmetry: bool, fingerprint: bool, por: bool, decompose: bool, granularity: str, caches: str, kubernetes_version: str, nodes: int, out_dir: str, fmt: str, output: str | None,
          report_path: str | None, engine: str, examples: int, seed: int, progress: str, quiet: bool, excludes: tuple[str, ...],
          config_path: str | None, fail_on: str, jobs: int | None, ray_address: str | None, workers: int,
          cache_dir: str | None, namespace: str | None) -> None:
    """Check manifests (files, directories, or - for stdin) under scenarios."""
    from kubecheck.config import Exclusion
    from kubecheck.pool import default_jobs
    from kubecheck.runner import CheckConfig, run_check

    ctx = click.get_current_context()

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT

    repo = _repo_config(config_path)
    if repo is not None:  # the file's settings where the command line gave none
        max_depth, max_states, timeout, max_memory, fail_on = _config_defaults(
            repo, given, max_depth=max_depth, max_states=max_states, timeout=timeout, max_memory=max_memory, fail_on=fail_on)
        if not given("caches") and repo.caches is not None:
            caches = repo.caches
        if not given("kubernetes_version") and repo.kubernetes_version is not None:
            kubernetes_version = repo.kubernetes_version
    exclusions = list(repo.exclusions) if repo is not None else []
    for rid in _split(excludes):
        exclusions.append(Exclusion((rid,), "--exclude on the command line"))

    if not math.isfinite(timeout):
        _fail(f"kubecheck: --timeout: {timeout} is not a finite number of seconds (0: none)")
    if any(not s.strip() for s in scenarios):
        _fail("kubecheck: --scenario: an empty name; built-in scenarios: see `kubecheck scenarios`")
    if fingerprint and engine != "explicit":
        _fail("kubecheck: --fingerprint needs --engine explicit (random runs store no visited states)")
    _check_outputs(out_dir, output, report_path)
    from model.validation import is_dns1123_label

    bad_namespace = is_dns1123_label(namespace) if namespace is not None else []
    if bad_namespace:
        _fail(f"kubecheck: --namespace: {namespace!r}: " + "; ".join(bad_namespace))
    load, texts = _load_input(paths, namespace)
    scen = _split(scenarios)
    default_scenarios = repo.scenarios if repo is not None and repo.scenarios else ("rollout", "pod-crash")
    cfg = CheckConfig(
        scenarios=scen if scen or scenario_files else default_scenarios,
        scenario_files=scenario_files,
        namespace=namespace,
        rule_ids=_split(properties) or None,
        rules_files=rules_files,
        max_depth=max_depth,
        max_states=max_states or None,
        timeout=timeout or None,
        max_memory=max_memory,
        symmetry=symmetry,
        fingerprint=fingerprint,
        por=por,
        decompose=decompose,
        granularity=granularity,
        caches=caches,
        kubernetes_version=kubernetes_version,
        nodes=nodes,
        out_dir=out_dir,
        engine=engine,
        examples=examples,
        seed=seed,
        progress="off" if quiet else progress,
        exclusions=tuple(exclusions),
        severities=repo.severities if repo is not None else (),
        fail_on=fail_on,
        config_file=repo.file if repo is not None else "",
        images=repo.images if repo is not None else (),
        jobs=1 if ray_address else (jobs or default_jobs()),
        ray=ray_address,
        workers=workers,
        cache_dir=cache_dir,
    )
    try:
        report = run_check(cfg, load, texts=texts)
    except KubecheckError as exc:
        _fail(f"kubecheck: {exc}" if ":" not in str(exc).split(" ")[0] else str(exc))
    _emit(report, fmt, output, report_path, fingerprint)
    sys.exit(report.exit_code)


def _config_defaults(repo: Any, given: Callable[[str], bool], **values: Any) -> tuple[Any, ...]:
    """``max_depth, max_states, timeout, max_memory, fail_on``: the configuration file's value for
    each one the command line did not give (0 for a file's "none" of the states and time bounds)."""
    own = {k: v for k, v, _ in repo.bounds}
    for name in ("max_depth", "max_states", "timeout", "max_memory"):
        if not given(name) and name in own:
            values[name] = own[name] if name in ("max_depth", "max_memory") else (own[name] or 0)
    if not given("fail_on") and repo.fail_on:
        values["fail_on"] = repo.fail_on
    return values["max_depth"], values["max_states"], values["timeout"], values["max_memory"], values["fail_on"]


def _repo_config(config_path: str | None) -> Any:
    """``--config``, or the nearest ``.kubecheck.yaml`` upward; None when there is none."""
    from kubecheck.config import discover_config, load_config
    from kubecheck.scenarios import _BUILTIN_TEXT

    if config_path is not None and not Path(config_path).is_file():
        _fail(f"kubecheck: --config: {config_path}: no such file")
    found = Path(config_path) if config_path is not None else discover_config()
    if found is None:
        return None
    try:
        return load_config(str(found) if config_path is not None else os.path.relpath(found), list(_BUILTIN_TEXT))
    except KubecheckError as exc:
        _fail(str(exc))


def _load_input(paths: tuple[str, ...], namespace: str | None = None) -> tuple[Any, dict[str, str]]:
    """The manifests (``-`` reads stdin, kept for the ``# Source:`` comments of helm template output)."""
    import io

    from model.manifests import load_manifests

    texts: dict[str, str] = {}
    stdin: Any = sys.stdin
    if "-" in paths:
        texts["<stdin>"] = sys.stdin.read()
        stdin = io.StringIO(texts["<stdin>"])
    load = load_manifests(list(paths), stdin=stdin, namespace=namespace)
    if load.errors:
        _fail([str(e) for e in load.errors])
    if not load.objects:
        _fail("kubecheck: " + load.nothing_loaded(", ".join(paths)))
    return load, texts


def _emit(report: Any, fmt: str, output: str | None, report_path: str | None, fingerprint: bool) -> None:
    """The report in the chosen format (and the text summary on stdout when it goes to a file)."""
    from kubecheck.output import render

    text = render(report, "text")
    formatted = render(report, fmt)
    if output and output != "-":
        Path(output).write_text(formatted, encoding="utf-8")
        click.echo(text, nl=False)
    else:
        click.echo(formatted, nl=False)
    if fingerprint:
        # The text summary is on stdout unless a machine format is: keep that parseable.
        click.echo(fingerprint_line(report), err=fmt != "text" and not (output and output != "-"))
    if report_path:
        from kubecheck.report import write_report

        write_report(report, report_path)
        _echo(f"report: {report_path}", err=fmt != "text" and not output)


def fingerprint_line(report: Any) -> str:
    """The one line ``--fingerprint`` adds: which searches used fingerprints, and the worst collision bound."""
    from kubecheck.core.reductions import format_probability

    bounds = {id(e): [r.collision_bound or 0.0 for r in e.reduced if r.name == "fingerprint"] for e in report.explorations}
    fp = [e for e in report.explorations if bounds[id(e)]]
    rest = [e for e in report.explorations if not bounds[id(e)]]
    if not fp:
        return "fingerprints: not used (no invariant rule was explored; action and eventual rules run without them)"
    worst = max(b for e in fp for b in bounds[id(e)])
    line = (f"fingerprints: {len(fp)} search(es) stored 64-bit state fingerprints instead of states; a holds there is "
            f"exhaustive up to hash collisions, probability <= {format_probability(worst)} (worst search)")
    if rest:
        line += f"; {len(rest)} search(es) for action/eventual rules ran without them"
    return line


@cli.command()
@click.argument("rule_id", required=False)
def explain(rule_id: str | None) -> None:
    """Explain a rule: its statement, kind, what it counts, upstream source (no ID: list all)."""
    from properties import CATALOGUE

    if rule_id is None:
        for r in CATALOGUE.values():
            click.echo(f"{r.rule_id:<12} {r.kind.value:<18} {r.title}")
        return
    rule = CATALOGUE.get(rule_id) or CATALOGUE.get(rule_id.upper())
    if rule is None:
        _fail(f"kubecheck: unknown rule ID {rule_id!r}; valid IDs: {', '.join(CATALOGUE)}")
    from kubecheck.output.sarif import DOCS_URL, rule_anchor

    click.echo(f"{rule.rule_id}: {rule.title}")
    click.echo(f"kind:     {rule.kind.value}")
    click.echo(f"category: {rule.category}")
    click.echo(f"checked:  " + (f"per {', '.join(rule.applies_to)}" if rule.applies_to else "cluster-wide"))
    click.echo(f"counts:   {rule.counts}")
    if rule.trigger is not None:
        click.echo(f"after:    {rule.trigger_counts}")
    click.echo(f"severity: {rule.severity}")
    click.echo(f"upstream: {rule.upstream}")
    click.echo(f"fix:      {rule.remediation or '(no remediation text)'}")
    click.echo(f"docs:     {os.environ.get('KUBECHECK_DOCS_URL', DOCS_URL)}#{rule_anchor(rule.rule_id, rule.title)}")


@cli.command(name="scenarios")
def list_scenarios() -> None:
    """List the built-in scenarios."""
    from kubecheck.scenarios import _BUILTIN_TEXT, DEFAULT_SCENARIOS

    for name, text in _BUILTIN_TEXT.items():
        click.echo(f"{name:<17} {text}{'  (default)' if name in DEFAULT_SCENARIOS else ''}")


def _is_index(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def validate_trace_document(trace_path: str) -> None:
    """Check the shape of a (possibly hand-edited) ``trace.json`` before replaying it.

    One line ``TRACE.json: field: message`` and exit 2 for: JSON nested too deeply to read,
    ``steps`` that is not a list, a negative/non-int ``init_index`` or ``steps[i].action_index``,
    an ``action_path`` that is not ``[init_index, action_index...]``, a ``loop_start`` outside the
    trace's states.  Everything else is left to ``traces.load`` (it reports its own errors).
    """
    tp = Path(trace_path)

    def bad(field: str, msg: str) -> NoReturn:
        _fail(f"{trace_path}: {field}: {msg}")

    try:
        text = tp.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        bad("(file)", f"cannot read: {exc}")
    try:
        doc = json.loads(text)
    except RecursionError:
        bad("(document)", "JSON nested too deeply to be a kubecheck trace")
    except ValueError:
        return  # traces.load reports "not a JSON trace" with the position
    if not isinstance(doc, dict):
        return
    steps = doc.get("steps")
    if "steps" in doc and not isinstance(steps, list):
        bad("steps", f"must be a list of steps, not {type(steps).__name__ if steps is not None else 'null'}")
    steps = steps or []
    if "init_index" in doc and not _is_index(doc["init_index"]):
        bad("init_index", f"must be a non-negative integer, not {doc['init_index']!r}")
    for i, st in enumerate(steps):
        if isinstance(st, dict) and "action_index" in st and not _is_index(st["action_index"]):
            bad(f"steps[{i}].action_index", f"must be a non-negative integer, not {st['action_index']!r}")
    if "action_path" in doc:
        path = doc["action_path"]
        if not isinstance(path, list) or not all(_is_index(x) for x in path):
            bad("action_path", "must be a list of non-negative integers (the initial-state index, then one action index per step)")
        expect = [doc.get("init_index", 0)] + [st.get("action_index") for st in steps if isinstance(st, dict)]
        if path != expect:
            bad("action_path", f"{path} does not match init_index and steps[].action_index {expect}")
    loop = doc.get("loop_start")
    if loop is not None and not (_is_index(loop) and loop <= len(steps)):
        bad("loop_start", f"{loop!r} is outside the trace's {len(steps) + 1} states (0..{len(steps)})")


def _load_trace(trace_path: str) -> tuple[Any, Any, Any, Any]:
    """Load ``trace.json`` and the ``scenario.json`` beside it; replay the trace on the rebuilt system."""
    from kubecheck.runner import rebuild_system
    from traces import ReplayMismatch, TraceFormatError, load

    validate_trace_document(trace_path)
    tp = Path(trace_path)
    sp = tp.with_name("scenario.json")
    if not sp.is_file():
        _fail(f"kubecheck: {sp} not found: a trace replays only with the scenario.json that kubecheck check writes beside it")
    try:
        system, rule, target = rebuild_system(json.loads(sp.read_text(encoding="utf-8")))
    except RecursionError:
        _fail(f"{sp}: (document): JSON nested too deeply to be a scenario.json")
    except (KubecheckError, ValueError, KeyError, TypeError) as exc:
        _fail(f"kubecheck: {sp}: {exc}")
    try:
        trace = load(tp, system=system)
    except ReplayMismatch as exc:
        _fail(f"kubecheck: {tp}: {exc}", 1)
    except (TraceFormatError, OSError) as exc:
        _fail(f"kubecheck: {tp}: {exc}")
    except RecursionError:
        _fail(f"{tp}: (document): JSON nested too deeply to be a kubecheck trace")
    except (ValueError, TypeError, KeyError) as exc:  # a hand-edited field the trace reader does not check
        _fail(f"{tp}: (document): malformed trace: {exc}")
    return trace, system, rule, target


#: what ``kubecheck replay`` says a rule's counterexample shows, per property kind
_REPLAY_REASONS = {
    "invariant": "the last state violates the invariant",
    "action": "the last step violates the action property",
    "eventually_always": "the property fails infinitely often on the loop",
    "always_eventually": "the property never holds on the loop",
    "leads_to": "the trigger holds on a state and the goal never holds from there on, loop included",
}


def still_violates(trace: Any, rule: Any, target: Any, system: Any) -> tuple[bool, str]:
    """Does the replayed trace still violate the rule for the target?  (and a one-line reason)

    The judge (:func:`kubecheck.core.judge.judge_trace`) says what the trace shows."""
    from kubecheck.core.judge import Outcome, judge_trace
    from kubecheck.runner import property_targets

    props = [p for p, t in property_targets(rule, system.scenario.initial) if t == target]
    if not props:
        return False, f"rule {rule.rule_id} does not apply to {target} any more"
    prop = props[0]
    reason = _REPLAY_REASONS.get(prop.kind.value)
    if reason is None:
        return False, f"cannot judge a {prop.kind.value} property on a trace"
    if prop.kind.arity == 3 and not trace.steps:
        return False, "an action property needs at least one step"
    if prop.kind.is_eventual and trace.loop_start is None:
        return False, "an eventual property's counterexample must be a lasso"
    judged = judge_trace(prop, trace, system)
    if judged.outcome is Outcome.ERROR:
        return False, judged.note
    return judged.outcome is Outcome.VIOLATION, reason


@cli.command()
@click.argument("trace_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the artifacts (default: the trace's directory).")
def render(trace_path: str, out_dir: str | None) -> None:
    """Re-render a saved trace (it is replayed first, on the system rebuilt from scenario.json)."""
    from kubecheck.runner import leads_to_trigger_state, property_targets
    from traces import render_trace

    trace, system, rule, target = _load_trace(trace_path)
    dest = Path(out_dir) if out_dir else Path(trace_path).parent
    props = [p for p, t in property_targets(rule, system.scenario.initial) if t == target]
    truth = props[0].predicate if props and props[0].kind.arity == 1 else None
    trigger_at = leads_to_trigger_state(props[0], trace) if props else None
    result = render_trace(trace, dest, system=system, property_truth=truth, trigger_at=trigger_at)
    if dest.resolve() != Path(trace_path).parent.resolve():
        (dest / "scenario.json").write_text(Path(trace_path).with_name("scenario.json").read_text(encoding="utf-8"), encoding="utf-8")
    for f in result.files:
        _echo(str(f))
    for w in result.warnings:
        _echo(f"warning: {w}", err=True)


@cli.command()
@click.argument("trace_path", type=click.Path(exists=True, dir_okay=False))
def replay(trace_path: str) -> None:
    """Replay a saved trace: exit 0 if it replays and still violates its rule, 1 otherwise."""
    trace, system, rule, target = _load_trace(trace_path)
    ok, reason = still_violates(trace, rule, target, system)
    who = f"{rule.rule_id} {target[0]} {target[1]}/{target[2]}" if target else rule.rule_id
    if not ok:
        _fail(f"kubecheck: {trace_path}: replays, but no longer violates {who}: {reason}", 1)
    _echo(f"{trace_path}: replays ({len(trace.steps)} steps) and still violates {who}: {reason}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
def selectors(paths: tuple[str, ...]) -> None:
    """Which controllers can fight over which pods: selector overlaps decided by Z3, with witness labels.

    Exit 0 when no two workloads in one namespace can select the same pod, 1 when some can (each
    overlap printed as FILE:LINE: message), 2 on bad input.
    """
    from model.manifests import load_manifests

    symbolic = _symbolic()
    load = load_manifests(list(paths), stdin=sys.stdin)
    if load.errors:
        _fail([str(e) for e in load.errors])
    from kubecheck.scenarios import WORKLOAD_KINDS

    if not any(type(o).__name__ in WORKLOAD_KINDS for o in load.objects):
        _fail(f"kubecheck: {load.no_workload(', '.join(paths), WORKLOAD_KINDS)}")
    overlaps = symbolic.selector_report(load)
    for ov in overlaps:
        loc = load.locations.get((ov.a.kind, ov.a.namespace, ov.a.name))
        _echo(f"{loc or '<unknown>'}: {ov.message}")
    if not overlaps:
        click.echo("no overlapping selectors")
    sys.exit(1 if overlaps else 0)


_PROOF_EXIT = {"PROVED": 0, "VIOLATED": 1, "UNKNOWN": 3}


def _bound_args(max_surge: str, max_unavailable: str) -> tuple[str | int, str | int]:
    """Validated like the API server validates a Deployment (one-line usage error, exit 2)."""
    from kubecheck.symbolic.prove import validate_bounds

    try:
        return validate_bounds(max_surge, max_unavailable)
    except ValueError as exc:
        _fail(f"kubecheck: prove: --{exc}")


def _range_arg(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("..")
    try:
        bounds = int(lo), int(hi or lo)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a range like 1..10000") from None
    if not 1 <= bounds[0] <= bounds[1]:
        raise click.BadParameter(f"{text!r}: need 1 <= LO <= HI")
    return bounds


@cli.command()
@click.argument("what", type=click.Choice(["rollout", "deployment"]))
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--replicas", default="1..10000", show_default=True, help="Replica range LO..HI (rollout).")
@click.option("--max-surge", default="int", show_default=True, help="int, percent (all of a kind), N or N% (rollout).")
@click.option("--max-unavailable", default="int", show_default=True, help="As --max-surge.")
@click.option("--disruptions", default=0, show_default=True, type=click.IntRange(0), help="Involuntary disruptions allowed.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Seconds per proof.")
def prove(
    what: str, paths: tuple[str, ...], replicas: str, max_surge: str, max_unavailable: str, disruptions: int, timeout: float
) -> None:
    """Prove rollout safety for all sizes with Z3 (KC-ROLL-001 and KC-ROLL-002 on the count model).

    `prove rollout` proves it for a parameter range; `prove deployment FILES` for each Deployment in
    the manifests ("does this one ever go below replicas - maxUnavailable available?"). Exit 0
    PROVED, 1 VIOLATED (a concrete counterexample, replayed in the object model), 3 UNKNOWN
    (timeout: never read as proved), 2 bad input.
    """
    symbolic = _symbolic()
    if not math.isfinite(timeout):
        _fail(f"kubecheck: --timeout: {timeout} is not a finite number of seconds")
    results = []
    skipped: list[str] = []
    if what == "rollout":
        if paths:
            _fail("kubecheck: prove rollout takes no files (use: prove deployment FILES)")
        surge, unavail = _bound_args(max_surge, max_unavailable)
        results.append(("rollout", symbolic.prove_rollout(_range_arg(replicas), surge, unavail, disruptions, timeout)))
    else:
        from model.manifests import load_manifests

        ctx = click.get_current_context()
        for opt in ("replicas", "max_surge", "max_unavailable"):
            if ctx.get_parameter_source(opt) is not click.core.ParameterSource.DEFAULT:
                _fail(f"kubecheck: prove deployment: --{opt.replace('_', '-')} applies to prove rollout only "
                      "(a Deployment's own spec gives its replicas and bounds)")
        if not paths:
            _fail("kubecheck: prove deployment needs manifest files (or - for stdin)")
        load = load_manifests(list(paths), stdin=sys.stdin)
        if load.errors:
            _fail([str(e) for e in load.errors])
        deployments = [o for o in load.objects if type(o).__name__ == "Deployment"]
        if not deployments:
            _fail("kubecheck: no Deployment in " + ", ".join(paths))
        for d in deployments:
            name = f"Deployment {d.namespace}/{d.name}"
            if d.strategy.type != "RollingUpdate":
                skipped.append(name)
                _echo(f"{name}: skipped ({d.strategy.type}: no rolling bounds)")
                continue
            results.append((name, symbolic.prove_deployment(d, disruptions=disruptions, timeout=timeout)))
        if not results:
            _fail("kubecheck: nothing to prove: every Deployment is skipped (" + ", ".join(skipped) + ")")
    code = 0
    for name, result in results:
        _echo(f"{name}: {result.describe().rstrip()}")
        code = max(code, _PROOF_EXIT.get(result.status, 2), key=lambda c: (c == 1, c == 3, c))
    sys.exit(code)


def _symbolic() -> Any:
    try:
        import kubecheck.symbolic as symbolic
    except ImportError:
        _fail("kubecheck: the Z3 engine (kubecheck.symbolic) is not available in this build")
    return symbolic


def _usage_message(exc: click.UsageError) -> str:
    """``--timeout: -1 is not in the range x>=0.`` rather than click's ``Invalid value for '--timeout': ...``."""
    msg = " ".join(exc.format_message().split())
    param = getattr(exc, "param", None)
    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter) and param is not None and exc.message:
        names = getattr(param, "opts", None) or [getattr(param, "name", "") or ""]
        name = max(names, key=len) if getattr(param, "param_type_name", "") == "option" else (param.human_readable_name or names[0])
        detail = exc.message if isinstance(exc.message, str) else msg
        return f"{name}: {' '.join(str(detail).split())}"
    return msg


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: ``kubecheck``."""
    # Not click's standalone mode: it turns Ctrl-C into exit 1, which means "violated" here.
    try:
        rv = cli.main(args=argv, prog_name="kubecheck", standalone_mode=False)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _interrupted()
    except click.exceptions.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _interrupted()
        _fail("kubecheck: aborted")
    except click.UsageError as exc:  # one line, like every other input error (not click's 4-line Usage/Try/Error)
        _fail(f"kubecheck: {_usage_message(exc)}", exc.exit_code)
    except click.ClickException as exc:  # other click errors: click's message, click's exit code
        _fail(f"kubecheck: {exc.format_message()}", exc.exit_code)
    except BrokenPipeError:  # `kubecheck check ... | head`: the verdict could not be written out
        sys.stderr.close()
        os._exit(2)
    except KubecheckError as exc:
        _fail(f"kubecheck: {exc}")
    except Exception as exc:  # noqa: BLE001 - never a bare traceback with exit 1 (1 means "violated")
        if os.environ.get("KUBECHECK_DEBUG"):
            raise
        _fail(f"kubecheck: internal error: {type(exc).__name__}: {exc} (set KUBECHECK_DEBUG=1 for the traceback)")
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
