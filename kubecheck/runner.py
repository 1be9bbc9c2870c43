"""The check pipeline behind ``kubecheck check``: manifests -> settled cluster -> scenarios -> verdicts.

:func:`run_check` takes a loaded manifest set (``model.manifests.LoadResult``) and a
:class:`CheckConfig`, and returns a :class:`CheckReport`: plain data (strings, numbers, tuples)
that every output format (text, JSON, JUnit, SARIF, HTML) is written from, and that round-trips
through JSON (:meth:`CheckReport.to_dict` / :meth:`CheckReport.from_dict`).

The pipeline (:func:`run_check`), one named function per stage; only the last writes files:

1. :func:`plan_check`: the rules, the scenarios and every (rule, workload) pair to judge; adds
   ``nodes`` identical Ready nodes when the manifests contain none (said in the report); refuses a
   run or a scenario that would check nothing (nothing checked is never "holds").
2. :func:`settle_check`: apply fair actions deterministically until nothing is enabled
   (:func:`kubecheck.scenarios.settle`).
3. :func:`search_check`: the settle path is a real run from the loaded manifests, so the invariant
   and action rules are judged on every step of it (except the rules in
   :data:`AFTER_CONVERGENCE`); a violation is reported under the pseudo-scenario ``startup`` with
   the path prefix as its trace.  Only violations are reported there: one start-up order proves
   nothing about the others.  If the cluster does not settle within the bound, the convergence
   rules (KC-CONV-*) are explored from the loaded state instead, and the scenarios are reported as
   ERROR (they need a settled start).  Otherwise every scenario is explored from the settled
   cluster (per interaction group when the workloads are independent), one engine property per
   workload and rule.  "Exhaustive" therefore means exhaustive *from the settled state*
   (``CheckReport.start``, ``Exploration.start``): every output says so.  The reduction planner
   (:func:`kubecheck.core.reductions.split_by_reductions`) splits the rules into the searches each
   reduction may serve: with ``--symmetry``, safety rules run with symmetry and eventual (or
   asymmetric) ones in a second search without it; with ``--fingerprint``, invariant rules run in
   a search that stores state fingerprints, and action and eventual rules without them.  The
   reductions that ran come back as :class:`~kubecheck.core.reductions.Reduction` records and read
   ``symmetry`` or ``fingerprints (64-bit, collision probability <= p)`` in the outputs.
4. :func:`assemble_report`: the one :class:`CheckReport` every output is written from, with the
   suppressions applied.
5. :func:`write_traces`: for every reported violation, the trace artifacts
   (``traces.render_trace``) and a ``scenario.json`` beside them, from which
   ``kubecheck render``/``replay`` rebuild the system.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Iterable

from kubecheck.core.errors import InvalidScenario, KubecheckError
from kubecheck.core.judge import Judgement, Outcome, judge_state, judge_step
from kubecheck.core.properties import Property, PropertyKind
from kubecheck.core.reductions import Reduction, may_use_por, reductions_of, split_by_all_reductions
from kubecheck.core.verdict import Verdict, worst_verdict
from kubecheck.scenarios import DEFAULT_SCENARIOS, WORKLOAD_KINDS, ScenarioSpec, builtin, settle, with_nodes
from model.versions import DEFAULT_VERSION
from properties import CATALOGUE

__all__ = [
    "REPORT_SCHEMA",
    "SCENARIO_FILE_SCHEMA",
    "CheckConfig",
    "Location",
    "TraceInfo",
    "Finding",
    "Exploration",
    "ScenarioRun",
    "CheckReport",
    "run_check",
    "parse_memory",
    "load_rules_file",
    "select_rules",
    "property_targets",
    "leads_to_trigger_state",
    "rebuild_system",
    "AFTER_CONVERGENCE",
    "STARTUP",
]

REPORT_SCHEMA = "kubecheck-report/1"
SCENARIO_FILE_SCHEMA = "kubecheck-scenario/1"

#: The pseudo-scenario under which violations found on the settle path (start-up) are reported.
STARTUP = "startup"

#: Rules judged only after the first convergence, never on the start-up (settle) path: the catalogue
#: rules that declare why (``Rule.after_convergence``).  User rules declare it the same way
#: (:func:`_after_convergence`); without it they are checked on the start-up path.
AFTER_CONVERGENCE: dict[str, str] = {r.rule_id: r.after_convergence for r in CATALOGUE.values() if r.after_convergence}


def _after_convergence(rule: Any) -> bool:
    """Whether ``rule`` is judged only after the first convergence (a catalogue rule: listed in
    :data:`AFTER_CONVERGENCE`; a user rule: its own ``after_convergence``)."""
    return rule.rule_id in AFTER_CONVERGENCE if rule.rule_id in CATALOGUE else bool(rule.after_convergence)


def parse_memory(text: str) -> int:
    """``512M``, ``2G``, ``1.5GiB``, ``1000000`` -> bytes (K/M/G/T are powers of 1024)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*", text, re.IGNORECASE)
    if m is None:
        raise ValueError(f"{text!r} is not a memory size (e.g. 512M, 2G, 1073741824)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    value = int(float(m.group(1)) * scale)
    if value <= 0:
        raise ValueError(f"{text!r}: a memory bound must be positive")
    return value


# ----------------------------------------------------------------------------- report data


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points in the manifests (1-based line/column; ``field`` a path in the object)."""

    file: str
    line: int
    column: int = 1
    field: str = ""
    #: the Helm template this object was rendered from (its ``# Source:`` comment), "" when none
    template: str = ""
    #: the object the location is in ("Kind ns/name"), "" when unknown
    object: str = ""


@dataclass(frozen=True, slots=True)
class TraceInfo:
    """A counterexample's artifacts: the directory, the files written, one line per step."""

    dir: str
    files: tuple[str, ...]
    steps: tuple[str, ...]
    loop_start: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is accepted: an annotation on the object (``inSource``) or the configuration
    (``external``: ``.kubecheck.yaml``, ``--config``, ``--exclude``); ``file``/``line`` say where."""

    kind: str
    justification: str
    file: str = ""
    line: int = 1


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict on one rule for one workload (``target`` empty for a cluster-wide rule) in one scenario."""

    scenario: str
    rule_id: str
    title: str
    kind: str
    category: str
    target: str
    verdict: str
    exit_code: int
    note: str = ""
    bound_hit: str | None = None
    location: Location | None = None
    trace: TraceInfo | None = None
    reductions: tuple[str, ...] = ()
    #: the rule's severity (error, warning, info), after the configuration's overrides
    severity: str = "error"
    #: the manifest objects the finding is about ("Kind ns/name"): the target, or the group's objects
    objects: tuple[str, ...] = ()
    #: the other objects' locations (the Service of a Deployment-field finding, and vice versa)
    related: tuple[Location, ...] = ()
    #: the concrete edit that would fix it, when there is one ("" otherwise; the rule's remediation applies)
    fix: str = ""
    #: set when the finding is accepted (annotation or configuration): reported, not counted in the exit code
    suppression: Suppression | None = None
    #: the counterexample's files still to write (the pipeline's last stage writes them; not in the JSON report)
    job: Any = field(default=None, compare=False, repr=False, metadata={"serialize": False})

    @property
    def status(self) -> str:
        """``suppressed`` or ``active``."""
        return "suppressed" if self.suppression is not None else "active"

    @property
    def key(self) -> str:
        return f"{self.scenario}/{self.rule_id}/{self.target}"


@dataclass(frozen=True, slots=True)
class Exploration:
    """One search: which scenario, how many properties, with which reductions, and what it covered."""

    scenario: str
    properties: int
    symmetry: bool
    reductions: tuple[str, ...]
    states: int
    transitions: int
    max_depth: int
    seconds: float
    complete: bool
    bound_hit: str | None
    start: str = "settled"
    #: what this search covered of the scenario: the interaction group and the workload it rolls ("" = everything)
    subject: str = ""
    #: the reductions as data (``reductions`` holds their labels, which the outputs print); not in the
    #: JSON report, which keeps the labels only
    reduced: tuple[Reduction, ...] = field(default=(), compare=False, repr=False, metadata={"serialize": False})
    #: a distributed search (``--ray``): how many workers ran, and the states per wall second per worker
    #: (0 under ``KUBECHECK_REPRODUCIBLE``, like ``seconds``); None: one process
    workers: int | None = None
    states_per_second_per_worker: float | None = None

    @property
    def distributed(self) -> str:
        """``"N Ray workers, X states/s per worker"`` for a distributed search, else ``""``."""
        if self.workers is None:
            return ""
        rate = f", {self.states_per_second_per_worker:,.0f} states/s per worker" if self.states_per_second_per_worker else ""
        return f"{self.workers} Ray worker{'s' if self.workers != 1 else ''}{rate}"

    @property
    def coverage(self) -> str:
        """What the search covered, in words: never "exhaustive" unless every reachable state was expanded."""
        origin = "the settled state" if self.start == "settled" else "the loaded manifests"
        if self.bound_hit:
            return f"cut by {self.bound_hit}"
        if not self.complete:
            return "stopped early: every property decided"
        return f"exhaustive from {origin}"


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """A scenario as run: its name, what it does, and the user actions and faults it allowed."""

    name: str
    description: str
    user_actions: tuple[str, ...]
    faults: tuple[tuple[str, int], ...]
    granularity: str
    #: the bounds this scenario's searches ran with, when a scenario file overrides the command line's
    bounds: tuple[tuple[str, Any], ...] = ()
    #: the cache mode and Kubernetes version modelled in this scenario ("": unknown, an older report)
    caches: str = ""
    kubernetes_version: str = ""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything ``kubecheck check`` found; plain data, JSON round-trip (schema ``kubecheck-report/1``)."""

    files: tuple[str, ...]
    nodes_added: tuple[str, ...]
    skipped: tuple[str, ...]
    engine: str
    bounds: tuple[tuple[str, Any], ...]
    symmetry: bool
    settle_steps: int
    settled: bool
    scenarios: tuple[ScenarioRun, ...]
    explorations: tuple[Exploration, ...]
    findings: tuple[Finding, ...]
    out_dir: str
    schema: str = REPORT_SCHEMA
    #: where the scenarios were explored from: "settled" (one deterministic start-up order's end
    #: state, ``settle_steps`` steps from the manifests) or "loaded" (the cluster did not settle)
    start: str = "settled"
    #: the invariant/action rules checked on every step of the settle path (start-up)
    startup_rules: tuple[str, ...] = ()
    #: rules judged only after the first convergence (:data:`AFTER_CONVERGENCE`), not on start-up
    after_convergence: tuple[str, ...] = ()
    #: rules that had no target in the manifests ("KC-CONV-003 (StatefulSet)"): not checked
    not_applicable: tuple[str, ...] = ()
    #: the bound that cut start-up ("timeout=5.0s", "settle steps=250"); None when it settled or livelocked
    settle_cut: str | None = None
    #: one line per caveat about what was checked (``FILE:LINE: Service ns/name: selector ... matches no workload's pods``)
    warnings: tuple[str, ...] = ()
    #: the interaction groups the scenarios were explored in (members as "Kind ns/name"); empty: the
    #: whole cluster was one search (one group, --no-decompose, or a split that was not justified)
    groups: tuple[tuple[str, ...], ...] = ()
    #: the lowest severity whose violations fail the run (``--fail-on``): error, warning or info
    fail_on: str = "error"
    #: the configuration file read (``.kubecheck.yaml`` found upward, or ``--config``), "" when none
    config_file: str = ""
    #: ``--caches`` / ``--kubernetes-version`` (a scenario file may set its own: ``ScenarioRun``)
    caches: str = "off"
    kubernetes_version: str = DEFAULT_VERSION
    live: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def counted(self, f: Finding) -> Verdict | None:
        """The verdict a finding contributes to the exit code: None when suppressed; a violation
        below ``fail_on`` counts as HOLDS (reported, not failing); every other verdict as it is."""
        if f.suppression is not None:
            return None
        v = Verdict(f.verdict)
        if v is Verdict.VIOLATED and not fails_at(f.severity, self.fail_on):
            return Verdict.HOLDS
        return v

    def _worst(self) -> Verdict:
        # Nothing checked is never "holds": an empty report is an error (run_check refuses to make one).
        if not self.findings:
            return Verdict.ERROR
        counted = [v for f in self.findings if (v := self.counted(f)) is not None]
        if not counted:  # every finding was checked and accepted (suppressed)
            return Verdict.HOLDS
        return worst_verdict(counted)

    @property
    def exit_code(self) -> int:
        return self._worst().exit_code

    @property
    def verdict(self) -> str:
        return self._worst().value

    def counts(self) -> dict[str, int]:
        """Active findings per verdict, and the suppressed ones (any verdict) under ``suppressed``."""
        out = {v.value: 0 for v in Verdict}
        out["suppressed"] = 0
        for f in self.findings:
            out["suppressed" if f.suppression is not None else f.verdict] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        d = _plain(self)
        d.pop("live", None)
        d["bounds"] = dict(self.bounds)
        for run, sd in zip(self.scenarios, d["scenarios"]):
            sd["bounds"] = dict(run.bounds) if run.bounds else None
        for f, fd in zip(self.findings, d["findings"]):
            fd["status"] = f.status
        d["exit_code"] = self.exit_code
        d["verdict"] = self.verdict
        d["counts"] = self.counts()
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CheckReport":
        if d.get("schema") != REPORT_SCHEMA:
            raise ValueError(f"not a {REPORT_SCHEMA} document (schema={d.get('schema')!r})")
        return cls(
            files=tuple(d["files"]),
            nodes_added=tuple(d["nodes_added"]),
            skipped=tuple(d["skipped"]),
            engine=d["engine"],
            bounds=tuple(sorted(d["bounds"].items())),
            symmetry=d["symmetry"],
            settle_steps=d["settle_steps"],
            settled=d["settled"],
            scenarios=tuple(
                ScenarioRun(s["name"], s["description"], tuple(s["user_actions"]), tuple((k, v) for k, v in s["faults"]), s["granularity"],
                            tuple(sorted((s.get("bounds") or {}).items())), s.get("caches", ""), s.get("kubernetes_version", ""))
                for s in d["scenarios"]
            ),
            explorations=tuple(Exploration(**{**e, "reductions": tuple(e["reductions"])}) for e in d["explorations"]),
            findings=tuple(_finding(f) for f in d["findings"]),
            out_dir=d["out_dir"],
            schema=d["schema"],
            start=d.get("start", "settled"),
            startup_rules=tuple(d.get("startup_rules", ())),
            after_convergence=tuple(d.get("after_convergence", ())),
            not_applicable=tuple(d.get("not_applicable", ())),
            warnings=tuple(d.get("warnings", ())),
            settle_cut=d.get("settle_cut"),
            groups=tuple(tuple(g) for g in d.get("groups", ())),
            fail_on=d.get("fail_on", "error"),
            config_file=d.get("config_file", ""),
            caches=d.get("caches", "off"),
            kubernetes_version=d.get("kubernetes_version", DEFAULT_VERSION),
        )


def fails_at(severity: str, fail_on: str) -> bool:
    """Whether a violation of ``severity`` fails a run with ``--fail-on fail_on`` (error > warning > info)."""
    from properties.rules import SEVERITIES

    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


def _finding(f: dict[str, Any]) -> Finding:
    loc = f.get("location")
    tr = f.get("trace")
    sup = f.get("suppression")
    f = {k: v for k, v in f.items() if k != "status"}  # derived from suppression
    return Finding(
        **{
            **f,
            "location": Location(**loc) if loc else None,
            "trace": TraceInfo(**{**tr, "files": tuple(tr["files"]), "steps": tuple(tr["steps"]), "warnings": tuple(tr["warnings"])}) if tr else None,
            "reductions": tuple(f["reductions"]),
            "objects": tuple(f.get("objects", ())),
            "related": tuple(Location(**r) for r in f.get("related", ())),
            "suppression": Suppression(**sup) if sup else None,
        }
    )


def _plain(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj) if f.name != "live" and f.metadata.get("serialize", True)}
    if isinstance(obj, (tuple, list)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


# ------------------------------------------------------------------------------ configuration


#: ``CheckConfig.timeout``'s default (``kubecheck check --timeout``'s): above it, the proofs get that long too.
_DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """Options of one check (the command line, or the pytest plugin)."""

    scenarios: tuple[str, ...] = DEFAULT_SCENARIOS
    scenario_files: tuple[str, ...] = ()
    #: ``check -n``: the namespace the manifests were read into; a scenario file's actions and files
    #: that name none act there (None: ``default``)
    namespace: str | None = None
    rule_ids: tuple[str, ...] | None = None
    rules_files: tuple[str, ...] = ()
    max_depth: int | None = None
    max_states: int | None = 50_000
    timeout: float | None = _DEFAULT_TIMEOUT
    max_memory: int | None = None
    symmetry: bool = False
    #: hash compaction (64-bit state fingerprints) for the invariant rules' searches
    fingerprint: bool = False
    #: partial-order reduction (kubecheck.core.por, model.footprint) for the rules that declare reads
    por: bool = False
    #: explore interaction groups apart (model.decompose); False: the whole cluster in every search
    decompose: bool = True
    granularity: str = "write"
    #: ``--caches``: informer caches for every scenario that sets none (``ScenarioSpec.with_model_options``)
    caches: str = "off"
    #: ``--kubernetes-version``: the version followed by every scenario that names none
    kubernetes_version: str = DEFAULT_VERSION
    nodes: int = 2
    out_dir: str = "kubecheck-out"
    engine: str = "explicit"
    #: "auto" (None), "bar" (True), "lines", "off" (False): see kubecheck.core.explorer.explore
    progress: bool | str | None = None
    write_traces: bool = True
    #: the settle step bound; None: :func:`kubecheck.scenarios.settle_bound` (50 + 20 x total desired replicas)
    settle_steps: int | None = None
    examples: int = 100
    seed: int = 0
    #: accepted findings from the configuration (``kubecheck.config.Exclusion``: ``--exclude``, ``.kubecheck.yaml``)
    exclusions: tuple[Any, ...] = ()
    #: severity overrides per rule ID (``.kubecheck.yaml`` ``severity:``): (rule ID, severity[, line in config_file])
    severities: tuple[tuple[Any, ...], ...] = ()
    #: the lowest severity whose violations fail the run (exit code)
    fail_on: str = "error"
    #: the configuration file the options came from ("" when none)
    config_file: str = ""
    #: image facts for every scenario (``.kubecheck.yaml`` ``images:``): (image, ImageFacts, line in config_file)
    images: tuple[tuple[str, Any, int], ...] = ()
    #: independent searches run at once in forked worker processes (kubecheck.pool); 1: one after another here
    jobs: int = 1
    #: run each explicit search as a distributed BFS on Ray (kubecheck.core.distributed): "auto" (a local Ray,
    #: or the one already connected) or a cluster address; None: the single-process explorer
    ray: str | None = None
    #: Ray workers (actors) per distributed search
    workers: int = 2
    #: leave out actors whose writes nothing reads (model.slicing) when every judged rule is a catalogue
    #: rule; False: every actor (the differential tests compare both)
    slice_unread: bool = True
    #: ``--cache-dir``: the count model's proof cache (kubecheck.symbolic.check); None: ``$KUBECHECK_CACHE_DIR``
    #: or the user cache directory
    cache_dir: str | None = None

    def bounds(self) -> dict[str, Any]:
        return {"max_depth": self.max_depth, "max_states": self.max_states, "timeout": self.timeout, "max_memory": self.max_memory}


def load_rules_file(path: str) -> list[Any]:
    """The module-level :class:`properties.Rule` objects of a user's Python file."""
    from properties import Rule

    p = Path(path)
    if not p.is_file():
        raise InvalidScenario(f"{path}:1: --rules: no such file")
    name = "kubecheck_user_rules_" + re.sub(r"\W", "_", p.stem)
    spec = importlib.util.spec_from_file_location(name, p)
    if spec is None or spec.loader is None:
        raise InvalidScenario(f"{path}:1: --rules: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except KubecheckError as exc:
        raise InvalidScenario(f"{path}:1: --rules: {exc}") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a user's file (SystemExit included): report, don't exit
        line = getattr(exc, "lineno", None) or _traceback_line(exc, str(p)) or 1
        what = "raised SystemExit while being imported (a rules file must not exit)" if isinstance(exc, SystemExit) else str(exc)
        raise InvalidScenario(f"{path}:{line}: --rules: {type(exc).__name__}: {what}") from None
    rules = [v for v in vars(module).values() if isinstance(v, Rule)]
    if not rules:
        raise InvalidScenario(f"{path}:1: --rules: the file defines no Rule (decorate a predicate with @properties.rule(...))")
    return rules


def _traceback_line(exc: BaseException, filename: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == Path(filename).resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def select_rules(rule_ids: Iterable[str] | None, extra: Iterable[Any] = ()) -> list[Any]:
    """The catalogue's default rules plus ``extra``'s default ones (or the rules with these IDs, from the
    catalogue or ``extra``: naming an opt-in rule such as KC-ROLL-003 selects it)."""
    from properties import CATALOGUE, DEFAULT_RULES, get_rule

    extra = list(extra)
    for r in extra:
        if r.rule_id in CATALOGUE:
            raise InvalidScenario(f"rule ID {r.rule_id} is defined twice (a user rule may not reuse a catalogue ID)")
    if rule_ids is None:
        out = list(DEFAULT_RULES) + [r for r in extra if r.default]
    else:
        by_id = {r.rule_id: r for r in extra}
        out = [by_id[r] if r in by_id else get_rule(r) for r in rule_ids]
    seen: set[str] = set()
    for r in out:
        if r.rule_id in seen:
            raise InvalidScenario(f"rule ID {r.rule_id} is defined twice (a user rule may not reuse a catalogue ID)")
        seen.add(r.rule_id)
    return out


def property_targets(rule: Any, cluster: Any) -> list[tuple[Property, tuple[str, str, str] | None]]:
    """``rule.instantiate(cluster)`` paired with the workload each property is about (None: cluster-wide)."""
    props = rule.instantiate(cluster)
    if not rule.applies_to:
        targets: list[tuple[str, str, str] | None] = [None] * len(props)
    else:
        targets = [(kind, o.namespace, o.name) for kind in rule.applies_to for o in cluster.objects(kind)]
    if len(targets) != len(props):  # a Rule subclass that instantiates differently: fall back on the names
        targets = [None] * len(props)
    return list(zip(props, targets))


def _target_text(t: tuple[str, str, str] | None) -> str:
    return "" if t is None else f"{t[0]} {t[1]}/{t[2]}"


# ------------------------------------------------------------------------------------ running


@dataclass
class _Planned:
    prop: Property
    rule: Any
    target: tuple[str, str, str] | None
    #: the interaction group a cluster-wide rule was judged on ("" for the whole cluster)
    group: str = ""
    #: the object a group's finding points at when no trace names one (its first workload)
    anchor: tuple[str, str, str] | None = None
    #: the objects of the group a cluster-wide rule was judged on (empty: not judged per group)
    members: tuple[tuple[str, str, str], ...] = ()

    @property
    def target_text(self) -> str:
        if self.target is None and self.group:
            return f"group {self.group}"
        return _target_text(self.target)


@dataclass
class _Search:
    """One search of a scenario: a (projected) cluster, the user actions it allows, the rules it judges."""

    subject: str
    scenario: Any
    planned: list[_Planned]
    #: the capacity-share invariant of a decomposed group (model.decompose.pods_within_shares)
    guard: Property | None = None


#: The rule ID of the capacity-share guard that a decomposed group's search also checks.
GUARD_ID = "KC-DECOMPOSE-SHARE"


def _guard(share: dict[int, int], services: tuple[Any, ...] = ()) -> Property:
    """The invariant under which a group's search stands for the whole cluster: the group stays within
    its share of node capacity, and every Service it anchors (``Group.shared``, a Service that also
    selects other groups' pods) keeps a serving endpoint among this group's pods (then it is never down,
    whatever the other groups do).  Violated: the split is not used (:func:`_search_scenario`)."""
    from model.decompose import pods_within_shares
    from model.endpoints import serving_endpoints
    from properties import cluster_of
    from properties.catalogue import app_serves

    def pred(s: Any) -> bool:
        c = cluster_of(s)
        return pods_within_shares(c, share) and all(any(app_serves(p) for p in serving_endpoints(c, svc)) for svc in services)

    return Property(rule_id=GUARD_ID, name="group stays within its share of node capacity", kind=PropertyKind.INVARIANT,
                    predicate=pred, statement="every node holds at most the group's share of its pod capacity, and every "
                    "Service the group anchors keeps a serving endpoint among its pods")


def _in_group(action: Any, group: Any, cluster: Any) -> bool:
    """Whether a user action writes objects of ``group`` (a relabel: pods whose labels it matches)."""
    from model.decompose import WORKLOAD_KINDS as KINDS, action_targets
    from model.environment import RelabelPods

    targets = action_targets(action)
    if targets is not None:
        return all(t in group for t in targets)
    if isinstance(action, RelabelPods):
        origins = [(k, ns, n) for k, ns, n in group.members if k == "Pod" or k in KINDS]
        for k, ns, n in origins:
            obj = cluster.get(k, ns, n)
            labels = obj.labels if k == "Pod" else obj.template.labels
            if ns == action.namespace and all(labels.get(a) == b for a, b in action.match.items()):
                return True
    return False


def check_identifiers(cfg: Any) -> str:
    """The identifier allocation of the check's searches (``model.system.Scenario.identifiers``): the
    order-independent ``by-creator`` one (docs/semantics.md#runtime section 7: the same verdicts, far
    fewer states for independent workloads), except with ``--symmetry``, which it is not combined with.
    :func:`plan_searches` still falls back to ``lowest-free`` for a scenario where an object may change
    its creation-order family (``model.system.by_creator_is_exact``)."""
    return "lowest-free" if cfg.symmetry else "by-creator"


def plan_searches(spec: ScenarioSpec, cluster: Any, planned: list[_Planned], granularity: str,
                  decompose: bool = True, identifiers: str = "lowest-free",
                  split_services: bool = True) -> tuple[list[_Search], tuple[Any, ...]]:
    """The searches of one scenario on the settled ``cluster`` and the interaction groups used (empty: none).

    Without decomposition (``decompose=False``, a single group, a scenario that cannot be split,
    or a group already over its capacity share), one search per variant of the scenario
    (:meth:`ScenarioSpec.variants`) judges every rule on the whole cluster.  With it, each group's
    projection is searched per variant that touches it, judging the local rules (``Rule.local``)
    whose target is in the group, and the cluster-wide local rules once per group; the other rules
    run on the whole cluster as before.  docs/semantics.md, "Decomposition", says why this gives
    the whole cluster's verdicts.
    """
    from model.decompose import capacity_shares, interaction_groups

    if not planned:  # every pair was decided before the search (the count model): nothing to explore
        return [], ()
    variants = spec.variants()
    if identifiers != "lowest-free":
        from model.system import by_creator_is_exact

        if not by_creator_is_exact(cluster, [a for a, _ in spec.with_operator(spec.user_actions)]):
            identifiers = "lowest-free"  # an object may change family: keep the exact creation order
    whole = [_Search(subj, replace(spec, user_actions=acts).to_scenario(cluster, granularity, identifiers), planned) for subj, acts in variants]
    if not decompose:
        return whole, ()
    groups = interaction_groups(cluster, [a for a, _ in spec.user_actions], split_services=split_services)
    if groups is None or len(groups) < 2:
        return whole, ()
    shares = capacity_shares(cluster, groups)
    if shares is None:
        return whole, ()
    local = [p for p in planned if p.rule.local and p.rule.symmetric]
    rest = [p for p in planned if not (p.rule.local and p.rule.symmetric)]
    out: list[_Search] = []
    for g, share in zip(groups, shares):
        out += _group_searches(spec, cluster, g, share, local, variants, granularity, identifiers)
    if rest:
        out += [_Search(s.subject, s.scenario, rest) for s in whole]
    return out, groups


def _group_searches(spec: ScenarioSpec, cluster: Any, g: Any, share: dict[int, int], local: list[_Planned],
                    variants: list[tuple[str, Any]], granularity: str, identifiers: str = "lowest-free") -> list[_Search]:
    """The searches of one interaction group's projection: its local rules, per variant that touches it."""
    from model.decompose import project

    anchor = (g.workloads or g.members)[0]
    gp = [p for p in local if p.target is not None and p.target in g]
    gp += [replace(p, group=g.label, anchor=anchor, members=g.members) for p in local if p.target is None]
    if not gp:
        return []
    sub = project(cluster, g)
    mine = [(subj, tuple(e for e in acts if _in_group(e[0], g, cluster))) for subj, acts in variants]
    if spec.per_workload:
        mine = [(subj, acts) for subj, acts in mine if acts] or [("", ())]
    out = []
    for subj, acts in mine:
        what = f"group {g.label}" + (f"; {subj}" if subj else "")
        services = tuple(cluster.get(*k) for k in g.shared)
        out.append(_Search(what, replace(spec, user_actions=acts).to_scenario(sub, granularity, identifiers), gp, _guard(share, services)))
    return out


def merge_findings(findings: list["Finding"]) -> list["Finding"]:
    """One finding per (scenario, rule, target): the worst verdict over the searches that judged it
    (the first of equally bad ones), with the union of their reductions."""
    out: dict[str, Finding] = {}
    for f in findings:
        old = out.get(f.key)
        if old is None:
            out[f.key] = f
            continue
        reductions = tuple(dict.fromkeys(old.reductions + f.reductions))
        worse = Verdict(f.verdict).severity > Verdict(old.verdict).severity
        out[f.key] = replace(f if worse else old, reductions=reductions)
    return list(out.values())


def _describe_actions(spec: ScenarioSpec) -> tuple[str, ...]:
    from model.environment import user_action_label

    out = []
    for a, n in spec.all_user_actions():
        detail = ", ".join(f"{f}={getattr(a, f)}" for f in a.__dataclass_fields__ if getattr(a, f) not in (None, "default"))
        out.append(f"{user_action_label(a)}({detail})" + (f" x{n}" if n != 1 else ""))
    return tuple(out)


def _faults(spec: ScenarioSpec) -> tuple[tuple[str, int], ...]:
    return tuple((f, getattr(spec.faults, f)) for f in spec.faults.__dataclass_fields__ if getattr(spec.faults, f))


def leads_to_trigger_state(prop: Property, trace: Any) -> int | None:
    """For a ``leads_to`` counterexample: the index of the state where the unanswered trigger holds
    (the judge's :func:`~kubecheck.core.judge.leads_to_trigger_index`), or None."""
    from kubecheck.core.judge import PredicateError, leads_to_trigger_index

    if prop.kind is not PropertyKind.LEADS_TO or trace is None or trace.loop_start is None:
        return None
    states = trace.states()
    try:
        return leads_to_trigger_index(prop, states[trace.loop_start:], states[: trace.loop_start])
    except PredicateError:
        return None


def _step_lines(trace: Any, trigger_at: int | None = None) -> tuple[str, ...]:
    """The numbered steps of a trace; ``trigger_at`` (a leads-to counterexample's trigger state) marks
    the step into that state."""
    out = [] if not trigger_at == 0 else ["(the trigger holds in the initial state)"]
    for i, s in enumerate(trace.steps, 1):
        a = s.action
        data = getattr(a, "data", None)
        detail = ""
        if getattr(a, "actor", "") in ("user", "operator", "fault") and data is not None:
            detail = f" ({data[1] if isinstance(data, tuple) and len(data) == 2 and a.actor in ('user', 'operator') else data})"
        out.append(f"{i}. {s.actor}: {s.label}{detail}" + ("   <- the trigger holds from here" if i == trigger_at else ""))
    if trace.loop_start is not None:
        via = getattr(trace, "loop_step", None)
        out.append(f"(loops back to state {trace.loop_start}" + (f" via {via.actor}: {via.label})" if via is not None else ")"))
    return tuple(out)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower() or "cluster"


def _locate(load: Any, rule: Any, target: tuple[str, str, str] | None, trace: Any,
            anchor: tuple[str, str, str] | None = None, texts: dict[str, str] | None = None) -> Location | None:
    """The manifest location of a finding: the workload's field, or the Service/workload the trace
    involves, or the ``anchor`` (the first workload of the group a cluster-wide rule was judged on)."""
    key = _subject_key(load, rule, target, trace, anchor)
    if key is None:
        return None
    return _field_location(load, key, rule.location, texts)


def _subject_key(load: Any, rule: Any, target: tuple[str, str, str] | None, trace: Any,
                 anchor: tuple[str, str, str] | None, fallback: bool = True) -> tuple[str, str, str] | None:
    """The object a finding is about: the target, the Service the trace names (KC-ROLL-004), the
    group's anchor; with ``fallback``, else the first object of the manifests (a place to point at)."""
    key = target
    if key is None and trace is not None:
        key = _cluster_wide_key(rule, trace)
    if key is None and anchor is not None:
        key = anchor
    if key is None and fallback and load.locations:
        key = next(iter(load.locations.keys()))
    return key


def _field_location(load: Any, key: tuple[str, str, str], path: str, texts: dict[str, str] | None) -> Location | None:
    """Where ``path`` of object ``key`` is written (its nearest written ancestor, or the object), with
    the Helm template it was rendered from when a ``# Source:`` comment precedes its document."""
    try:
        loc = load.location(*key)
    except KeyError:
        return None
    exact = loc.locate(path) if path else loc
    return Location(exact.file, exact.line, exact.column, path if path and exact.line != loc.line else "",
                    template=helm_source(loc.file, loc.line, texts), object=_target_text(key))


_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_source_cache: dict[str, list[str]] = {}


def helm_source(file: str, line: int, texts: dict[str, str] | None = None) -> str:
    """The template path of ``helm template``'s ``# Source: chart/templates/x.yaml`` comment governing
    the document whose object starts at ``line`` of ``file`` ("" when there is none).

    Scans upward from the object to the document's ``---`` separator (or the top of the file); the
    nearest ``# Source:`` line wins.  ``texts`` holds inputs that cannot be re-read (standard input).
    """
    lines = _source_cache.get(file) if not texts or file not in texts else None
    if lines is None:
        text = (texts or {}).get(file)
        if text is None:
            try:
                text = Path(file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
        lines = text.splitlines()
        if not texts or file not in texts:
            _source_cache[file] = lines
    for i in range(min(line, len(lines) + 1) - 2, -1, -1):
        text = lines[i]
        m = _SOURCE.match(text.strip())
        if m:
            return m.group(1)
        if text.startswith("---"):
            break
    return ""


def template_line(template: str, field: str) -> int | None:
    """The line of ``field``'s last key in a local Helm template file (a guess: the first line that
    writes that key), or None when the file is not here or the key not in it."""
    p = Path(template)
    if not p.is_file():
        return None
    if not field:
        return 1
    key = re.split(r"[.\[]", field)[-1]
    try:
        for i, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"\s*(- )?{re.escape(key)}\s*:", text):
                return i
    except (OSError, UnicodeDecodeError):
        return None
    return 1


def _fix_field(obj: Any, kind: str) -> str:
    """The field of a workload a user would change so that its Service keeps a ready pod."""
    if kind == "Deployment" and obj.replicas >= 2:
        return "spec.strategy.rollingUpdate.maxUnavailable" if obj.strategy.type == "RollingUpdate" else "spec.strategy.type"
    return "spec.replicas"


def _serving(load: Any, svc: tuple[str, str, str], among: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The workloads of ``among`` whose pod template the Service ``svc`` selects."""
    from model.objects import kind_of

    objs = {(kind_of(o), o.namespace, o.name): o for o in load.objects}
    s = objs.get(svc)
    if s is None or not s.selector:
        return []
    return [k for k in among if k[0] in WORKLOAD_KINDS and k[1] == svc[1] and k in objs
            and all(objs[k].template.labels.get(a) == b for a, b in s.selector.items())]


def concrete_fix(rule: Any, load: Any, objects: Iterable[tuple[str, str, str]], version: str = DEFAULT_VERSION,
                 faulted: bool = False) -> str:
    """The edit that would fix a finding, when the rule knows an obvious one (its ``fix``; KC-ROLL-004:
    the workloads behind the Service that lost its ready pods; its ``fault_fix`` instead when ``faulted``, the
    counterexample having a fault step); "" otherwise.  The rule reads the manifests' objects as the API server
    of ``version`` stores them (``model.apiserver.admit_pod_affinity_label_keys``)."""
    fix = getattr(rule, "fault_fix", None) if faulted else None
    fix = fix or rule.fix
    if fix is None:
        return ""
    from model.apiserver import admit_pod_affinity_label_keys
    from model.objects import kind_of
    from model.versions import feature_gate

    stored = admit_pod_affinity_label_keys(load.objects, feature_gate(version, "MatchLabelKeysInPodAffinity"))
    return str(fix({(kind_of(o), o.namespace, o.name): o for o in stored}, objects))


def _describe(load: Any, p: "_Planned", trace: Any, cfg: CheckConfig, texts: dict[str, str] | None) -> dict[str, Any]:
    """The location, objects, related locations, concrete fix and severity of a finding on ``p``."""
    rule_id = p.rule.rule_id
    key = _subject_key(load, p.rule, p.target, trace, p.anchor)
    location = _locate(load, p.rule, p.target, trace, p.anchor, texts)
    manifest = set(load.locations.keys())
    objects = _finding_objects(load, p, trace, manifest)
    fixed, related = _related(load, p, key, objects, manifest, texts)
    if fixed and related and location is not None:
        # Locations at the fix: the finding points at the field to change in the (first) workload
        # the Service selects; the Service that lost its endpoints becomes a related location.
        location, related = related[0], [location] + related[1:]
    if p.target is None:  # a cluster-wide finding is also about the workloads its fix would touch
        objects += [w for w in fixed if w not in objects]
    severity = {o[0]: o[1] for o in cfg.severities}.get(rule_id, getattr(p.rule, "severity", "error"))
    # a fault (crash, lost node) or a drain's eviction took the pods: the rule's fault_fix (replicas, not strategy)
    faulted = trace is not None and any(step.actor == "fault" or step.label.startswith("drain_evict_pod") for step in trace.steps)
    fix = concrete_fix(p.rule, load, fixed or objects, cfg.kubernetes_version, faulted) if location is not None or objects else ""
    trace_fix = getattr(p.rule, "trace_fix", None)
    if trace_fix is not None and trace is not None:
        fix = trace_fix(_fix_steps(trace)) or fix
    if rule_id in _PLACEMENT_FIXED and trace is not None and (location is not None or objects):
        # pods that fit no node of the checked cluster: no replica count or strategy helps (nor --nodes N)
        blocked = unplaceable(getattr(trace.initial, "cluster", trace.initial), fixed or objects)
        fix = "; ".join(blocked) or fix
    return {
        "location": location,
        "objects": tuple(_target_text(o) for o in objects),
        "related": tuple(related),
        "fix": fix,
        "severity": severity,
    }


#: rules whose concrete fix is about replicas, strategy or node count: a workload whose pods fit no node gets
#: :func:`unplaceable`'s advice instead
_PLACEMENT_FIXED = ("KC-ROLL-004", "KC-CONV-002", "KC-CONV-003")


def unplaceable(cluster: Any, keys: Iterable[tuple[str, str, str]]) -> list[str]:
    """For each workload among ``keys`` whose pods fit no node of ``cluster`` whatever their number (its
    nodeSelector or required node affinity matches no Node; a required podAffinity term or a DoNotSchedule
    topology spread constraint has a topologyKey no Node carries), or of which at most maxSkew per domain fit (a
    spread constraint's minDomains above the domains there are): what to change, one line each."""
    from model.scheduler import node_topology_value
    from properties.catalogue import too_few_domains

    nodes = list(cluster.nodes.values())
    out = []
    for kind, ns, name in keys:
        w = cluster.get(kind, ns, name) if kind in WORKLOAD_KINDS else None
        if w is None:
            continue
        spec, who = w.template, f"{kind} {ns}/{name}"
        what = _unmatched_node_affinity(spec, nodes)
        if what:
            out.append(f"{who}: its {what} matches no Node, so its pods stay Pending whatever the replicas or strategy: "
                       "declare your Nodes with those labels")
            continue
        keys_missing = [(g, t) for g, t in [*(("required podAffinity term", t.topology_key) for t in spec.pod_affinity),
                                            *(("DoNotSchedule topologySpreadConstraint", c.topology_key)
                                              for c in spec.topology_spread_constraints)]
                        if not any(node_topology_value(n, t) is not None for n in nodes)]
        few = "" if keys_missing else too_few_domains(w, nodes)
        if keys_missing:
            group, key = keys_missing[0]
            out.append(f"{who}: no Node carries {key}, the topologyKey of its {group}, so its pods fit no node whatever the "
                       f"replicas or strategy: declare your Nodes labelled {key}")
        elif few:
            out.append(f"{who}: {few}")
    return out


def _unmatched_node_affinity(spec: Any, nodes: list[Any]) -> str:
    """"nodeSelector k=v and required nodeAffinity" (what the pod spec sets of them) when they match none of
    ``nodes`` (``model.scheduler.RequiredNodeAffinity``, upstream's NodeAffinity filter); "" when a node fits or
    neither is set."""
    from model.scheduler import RequiredNodeAffinity

    if not spec.node_selector and spec.node_affinity is None:
        return ""
    need = RequiredNodeAffinity(spec.node_selector, spec.node_affinity)
    if any(need.match(n) for n in nodes):
        return ""
    what = ", ".join(f"{k}={v}" for k, v in spec.node_selector.items())
    what = f"nodeSelector {what}" if what else ""
    if spec.node_affinity is not None:
        what += (" and " if what else "") + "required nodeAffinity"
    return what


def _finding_objects(load: Any, p: "_Planned", trace: Any, manifest: set[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The manifest objects a finding is about: its target, its group's objects, or the object its trace names."""
    if p.target is not None:
        return [p.target]
    if p.members:
        return [m for m in p.members if m in manifest]
    # the object the trace names; not the first object of the manifests, which is only a place to point at
    named = _subject_key(load, p.rule, None, trace, p.anchor, fallback=False)
    return [named] if named is not None and named in manifest else []


def _related(load: Any, p: "_Planned", key: tuple[str, str, str] | None, objects: list[tuple[str, str, str]],
             manifest: set[tuple[str, str, str]], texts: dict[str, str] | None) -> tuple[list[tuple[str, str, str]], list[Location]]:
    """The objects a fix would touch besides the one located, and their locations: for a Service
    (KC-ROLL-004), the workloads it selects at the field to change; for a workload, the Services
    selecting its pods."""
    from model.objects import kind_of

    related: list[Location] = []
    fixed: list[tuple[str, str, str]] = []
    if key is not None and key[0] == "Service":
        from properties.catalogue import autoscaler_of

        fixed = _serving(load, key, objects if p.members else manifest)
        by_key = {(kind_of(o), o.namespace, o.name): o for o in load.objects}
        for w in fixed:
            field = _fix_field(by_key[w], w[0])
            hpa = autoscaler_of(by_key, w) if field == "spec.replicas" else None
            # the replica advice goes to the HPA's minReplicas when one of minReplicas 1 sets the replicas
            # (properties.catalogue.serving_fix): the location follows the fix
            loc = _field_location(load, w, field, texts) if hpa is None else _field_location(
                load, ("HorizontalPodAutoscaler", hpa.namespace, hpa.name), "spec.minReplicas", texts)
            if loc is not None:
                related.append(loc)
    elif key is not None and key[0] in WORKLOAD_KINDS:
        services = [k for k in (manifest if not p.members else objects) if k[0] == "Service" and key in _serving(load, k, [key])]
        for svc in sorted(services):
            loc = _field_location(load, svc, "spec.selector", texts)
            if loc is not None:
                related.append(loc)
    return fixed, related


def _cluster_wide_key(rule: Any, trace: Any) -> tuple[str, str, str] | None:
    """The object a cluster-wide finding is about: the rule's ``subject`` of the trace's last cluster."""
    last = getattr(trace.states()[-1], "cluster", None)
    if last is None or rule.subject is None:
        return None
    key: tuple[str, str, str] | None = rule.subject(last)
    return key


def _scenario_document(scenario: Any, rule_id: str, target: tuple[str, str, str] | None, rules_files: tuple[str, ...]) -> dict[str, Any]:
    from traces.serialize import encode_value

    return {
        "schema": SCENARIO_FILE_SCHEMA,
        "scenario": encode_value(scenario),
        "rule_id": rule_id,
        "target": list(target) if target else None,
        "rules_files": [str(Path(f).resolve()) for f in rules_files],
    }


def rebuild_system(doc: dict[str, Any]) -> tuple[Any, Any, tuple[str, str, str] | None]:
    """From a ``scenario.json`` document: the ``KubeSystem``, the rule, and the target workload."""
    from model.system import KubeSystem, Scenario
    from traces.serialize import decode_value

    if not isinstance(doc, dict) or doc.get("schema") != SCENARIO_FILE_SCHEMA:
        raise InvalidScenario(f"not a {SCENARIO_FILE_SCHEMA} document")
    scenario = decode_value(doc["scenario"])
    if not isinstance(scenario, Scenario):
        raise InvalidScenario("scenario.json does not hold a model.system.Scenario")
    extra: list[Any] = []
    for f in doc.get("rules_files") or ():
        extra.extend(load_rules_file(f))
    if doc.get("scenario_file"):  # a scenario file's expect: entry
        from kubecheck.scenarios import load_scenario_file

        spec = load_scenario_file(str(doc["scenario_file"]), namespace=doc.get("namespace"))
        found = [e for e in spec.expectations if e.rule_id == doc["rule_id"]]
        if not found:
            raise InvalidScenario(f"{doc['scenario_file']} declares no expectation {doc['rule_id']} any more")
        rule = found[0]
    else:
        rule = select_rules([doc["rule_id"]], extra)[0]
    target = tuple(doc["target"]) if doc.get("target") else None
    return KubeSystem(scenario), rule, target


def _explore(system: Any, props: list[Property], symmetry: bool, bounds: dict[str, Any], progress: bool | str | None,
             fingerprint: bool = False, por: bool = False) -> Any:
    from kubecheck.core.explorer import explore

    return explore(
        system,
        props,
        symmetry=symmetry,
        fingerprint=fingerprint,
        por=por,
        max_depth=bounds.get("max_depth"),
        max_states=bounds.get("max_states"),
        timeout=bounds.get("timeout"),
        max_memory=bounds.get("max_memory"),
        progress=progress,
    )


def _run_engine(system: Any, engine_props: list[Property], symmetry: bool, bounds: dict[str, Any], cfg: CheckConfig,
                fingerprint: bool = False, por: bool = False) -> Any:
    if cfg.engine == "explicit" and cfg.ray is not None and cfg.workers > 1:  # the distributed BFS explores without POR (sound: unreduced)
        return _explore_ray(system, engine_props, symmetry, bounds, cfg, fingerprint)
    if cfg.engine == "explicit":
        return _explore(system, engine_props, symmetry, bounds, cfg.progress, fingerprint, por)
    try:
        from kubecheck.core.random import run_random
    except ImportError:
        raise InvalidScenario("engine 'random' is not available in this build (kubecheck.core.random is missing); use --engine explicit") from None
    return run_random(system, engine_props, examples=cfg.examples, max_steps=_random_steps(bounds), seed=cfg.seed,
                      timeout=bounds.get("timeout"), max_memory=bounds.get("max_memory"))


def _explore_ray(system: Any, props: list[Property], symmetry: bool, bounds: dict[str, Any], cfg: CheckConfig, fingerprint: bool) -> Any:
    """One search as a distributed BFS on Ray; the result's ``distribution`` (workers, states/s per
    worker) reaches every output through :class:`Exploration`."""
    from kubecheck.core.distributed import explore_distributed

    if fingerprint:
        raise InvalidScenario("--ray: the distributed search stores states (no fingerprints); drop --fingerprint")
    result, _ = explore_distributed(system, props, workers=cfg.workers, address=cfg.ray, symmetry=symmetry,
                                    max_depth=bounds.get("max_depth"), max_states=bounds.get("max_states"),
                                    timeout=bounds.get("timeout"), max_memory=bounds.get("max_memory"))
    return result


#: Set (to anything but "" or "0") to leave wall-clock timings out of every output: each search's
#: ``seconds`` is written as 0, so two runs of the same input are byte-identical (docs/cli.md).
REPRODUCIBLE_ENV = "KUBECHECK_REPRODUCIBLE"


def _seconds(seconds: float) -> float:
    import os

    return 0.0 if os.environ.get(REPRODUCIBLE_ENV, "") not in ("", "0") else round(seconds, 3)


def _rate(per_second: float) -> float:
    """A states/s figure as the outputs write it: 0 under ``KUBECHECK_REPRODUCIBLE`` (a wall-clock figure)."""
    return 0.0 if os.environ.get(REPRODUCIBLE_ENV, "") not in ("", "0") else round(per_second, 1)


#: Steps per random run when no --max-depth is given.
RANDOM_STEPS = 50


def _random_steps(bounds: dict[str, Any]) -> int:
    """The run length of ``--engine random``: ``max_depth`` as given (0 stays 0 and is refused), else 50."""
    depth = bounds.get("max_depth")
    steps = RANDOM_STEPS if depth is None else int(depth)
    if steps < 1:
        raise InvalidScenario(
            f"--engine random: max_depth={depth} leaves a random run no step to take; give --max-depth 1 or more "
            "(or use --engine explicit, where --max-depth 0 checks the settled state alone)"
        )
    return steps


def _not_applicable(rules: list[Any], planned: list[_Planned]) -> list[str]:
    """Rules with no (rule, workload) pair: "KC-CONV-003 (StatefulSet)"."""
    used = {id(p.rule) for p in planned}
    return [f"{r.rule_id} ({', '.join(r.applies_to)})" for r in rules if id(r) not in used]


def _nothing_to_check(rules: list[Any], where: str, otherwise: str = "no rule selected") -> str:
    """One line: which rules had no target ("KC-CONV-003 applies to StatefulSet; the manifests have none")."""
    parts = [f"{r.rule_id} applies to {' and '.join(r.applies_to)}" for r in rules if r.applies_to]
    why = "; ".join(parts) + ("; the manifests have none" if len(parts) == 1 else "; the manifests have none of these") if parts else otherwise
    return f"nothing to check{where}: {why} (nothing is claimed)"


#: More skipped objects than this are summarised per kind (the first of each kind, and a count).
SKIPPED_DETAIL = 20


def summarise_skipped(skipped: Iterable[Any]) -> list[str]:
    """One line per skipped object, or, beyond :data:`SKIPPED_DETAIL`, one line per kind."""
    items = list(skipped)
    if len(items) <= SKIPPED_DETAIL:
        return [str(s) for s in items]
    by_kind: dict[str, list[Any]] = {}
    for s in items:
        by_kind.setdefault(getattr(s, "kind", "?"), []).append(s)
    out = []
    for kind, group in by_kind.items():
        first = group[0]
        out.append(f"{getattr(first, 'file', '?')}:{getattr(first, 'line', 1)}: skipped {len(group)} {kind} object(s) "
                   f"(first: {getattr(first, 'name', '') or '<unnamed>'}): {getattr(first, 'reason', '')}")
    return out


def _fix_steps(trace: Any) -> tuple[Any, ...]:
    """A trace's steps as a rule's ``trace_fix`` reads them (``properties.rules.FixStep``)."""
    from properties.rules import FixStep

    clusters = [getattr(s, "cluster", s) for s in (trace.initial, *(step.state for step in trace.steps))]
    return tuple(FixStep(step.actor, step.label, clusters[i], clusters[i + 1]) for i, step in enumerate(trace.steps))


def _where(load: Any, kind: str, namespace: str, name: str) -> str:
    """``FILE:LINE`` of a loaded object, for a warning line."""
    try:
        loc = load.location(kind, namespace, name)
        return f"{loc.file}:{loc.line}"
    except (KeyError, AttributeError):
        return "<unknown>:1"


def service_warnings(cluster: Any, load: Any) -> list[str]:
    """One line per Service whose selector matches no workload's pod template, or only a DaemonSet's.

    KC-ROLL-004 (zero downtime) only speaks about Services some workload serves, so such a Service
    (usually a selector typo) makes it hold vacuously: say so instead of letting "holds" stand alone.
    """
    out: list[str] = []
    for svc in cluster.objects("Service"):
        if not svc.selector:
            continue
        served = [(kind, w) for kind in WORKLOAD_KINDS for w in cluster.objects(kind, svc.namespace)
                  if all(w.template.labels.get(k) == v for k, v in svc.selector.items())]
        where = _where(load, "Service", svc.namespace, svc.name)
        sel = ",".join(f"{k}={v}" for k, v in sorted(svc.selector.items()))
        if served and all(kind == "DaemonSet" for kind, _ in served):
            # properties.catalogue.serves: KC-ROLL-004 counts the Services of the replica-counting workloads only
            out.append(f"{where}: Service {svc.namespace}/{svc.name}: selector {sel} selects only the pods of DaemonSet "
                       f"{served[0][1].namespace}/{served[0][1].name}; KC-ROLL-004 judges the Services of Deployments, "
                       "ReplicaSets, ReplicationControllers and StatefulSets, so it says nothing about it")
            continue
        if served:
            continue
        per_pod = _per_pod_selection(cluster, svc)
        if per_pod:
            # properties.catalogue.serves reads the template labels of the serving kinds: a ReplicaSet's template carries
            # its pod-template-hash, a StatefulSet's none of the labels its controller adds to each pod
            judged = ("KC-ROLL-004 judges it only while a ReplicaSet whose template carries that hash has replicas (a "
                      "rollout's new ReplicaSet gets a hash of its own)" if per_pod[0].startswith("Deployment ")
                      else "KC-ROLL-004 says nothing about it")
            out.append(f"{where}: Service {svc.namespace}/{svc.name}: selector {sel} selects pods of {per_pod[0]} "
                       f"by {', '.join(per_pod[1])}, which its controller adds to the pods it creates (a per-pod or "
                       f"per-revision Service); {judged}")
            continue
        out.append(f"{where}: Service {svc.namespace}/{svc.name}: selector {sel} matches no workload's pods; "
                   "KC-ROLL-004 says nothing about it")
    return out


def _per_pod_selection(cluster: Any, svc: Any) -> tuple[str, list[str]] | None:
    """The first workload whose pods ``svc`` may select only through labels its controller adds to each pod
    (``statefulset.kubernetes.io/pod-name``, ``pod-template-hash``: model.decompose.ADDED_POD_LABELS), and those
    labels; None when there is none."""
    from model.decompose import ADDED_POD_LABELS, may_select
    from model.labels import selector_from_set

    sel = selector_from_set(svc.selector)
    for kind in WORKLOAD_KINDS:
        for w in cluster.objects(kind, svc.namespace):
            if may_select(sel, w.template.labels, (kind, w.namespace, w.name)):
                added = sorted(k for k in svc.selector if k in ADDED_POD_LABELS.get(kind, ()))
                return f"{kind} {w.namespace}/{w.name}", added
    return None


def budget_warnings(load: Any) -> list[str]:
    """One line per PodDisruptionBudget that allows no eviction even with every pod it covers Ready (the replicas
    the manifests declare, or an HPA's minReplicas of 1; ``properties.catalogue.budget_fix``): every ``kubectl
    drain`` of a node that holds one of its pods waits for ever.  Said without a search, in every run (KC-DRAIN-001,
    which shows the run, is opt-in)."""
    from model.objects import kind_of
    from properties.catalogue import budget_fix

    objects = {(kind_of(o), o.namespace, o.name): o for o in load.objects}
    out: list[str] = []
    for key in sorted(k for k in objects if k[0] == "PodDisruptionBudget"):
        fix = budget_fix(objects, [key])
        if fix:
            out.append(f"{_where(load, *key)}: {fix}; until then, while the workloads run that few pods, every kubectl drain "
                       "of a node that holds one of them waits for ever (-s drain -p KC-DRAIN-001 shows the run)")
    return out


#: what upstream does with a pod whose object is missing (model.references), by how the pod uses it
_MISSING_EFFECT = {
    "volume": "its pods stay ContainerCreating (the kubelet cannot mount the volume: FailedMount)",
    "env": "its containers wait in CreateContainerConfigError (the kubelet cannot build their environment)",
    "serviceAccount": "the API server refuses its pods (ServiceAccount admission), so none is created",
    "claim": "its pods stay Pending (the scheduler finds no such PersistentVolumeClaim)",
}


def reference_warnings(load: Any) -> list[str]:
    """One line per ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim a pod spec needs that no manifest
    declares, and per key a declared ConfigMap or Secret lacks (``model.references.missing_references``).
    The model assumes them (it reads none of these kinds); upstream the pods do not start without them."""
    from model.references import missing_references

    out: list[str] = []
    for m in missing_references(load.references, load.declared):
        first = m.references[0]
        users = list(dict.fromkeys(f"{r.consumer[0]} {r.consumer[2]}" for r in m.references))
        shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
        try:
            where = str(load.location(*first.consumer, first.path))
        except (KeyError, AttributeError):
            where = "<unknown>:1"
        effect = _MISSING_EFFECT[first.how]
        if all(r.consumer[0] == "Pod" for r in m.references):
            effect = effect.replace("its pods stay", "the pod stays").replace("its pods", "the pod").replace("its containers", "the containers")
        elsewhere = sorted(ns for kind, ns, name in load.declared if (kind, name) == (m.kind, m.name))
        if m.key is None and elsewhere and _namespace_written(load, first.consumer):
            # the pod's namespace is written out: --namespace changes nothing; the object is in another namespace
            out.append(f"{where}: {m.kind} {m.namespace}/{m.name} (needed by {shown}) is in no manifest: {m.kind} {m.name} is "
                       f"declared in namespace {elsewhere[0]}, not {m.namespace}, and a pod reads it from its own namespace; "
                       f"kubecheck assumes it exists; without it {effect}")
        elif m.key is None and elsewhere:
            out.append(f"{where}: {m.kind} {m.namespace}/{m.name} (needed by {shown}) is in no manifest, but {m.kind} "
                       f"{m.name} is declared in namespace {elsewhere[0]}: objects without metadata.namespace are read into "
                       f"namespace {m.namespace}; check with --namespace {elsewhere[0]} if you apply them with kubectl apply -n "
                       f"{elsewhere[0]}, else without it {effect}")
        elif m.key is None:
            out.append(f"{where}: {m.kind} {m.namespace}/{m.name} (needed by {shown}) is in no manifest: kubecheck assumes "
                       f"it exists; without it {effect}. Ignore this if it is made another way (kubectl, a Job, an operator, "
                       "a generator)")
        else:
            out.append(f"{where}: key {m.key} is not in {m.kind} {m.namespace}/{m.name} as the manifests declare it "
                       f"(read by {shown}): kubecheck assumes the key is there (the check runs its pods as if it were); "
                       f"without it {effect}")
    return out


def _namespace_written(load: Any, consumer: tuple[str, str, str]) -> bool:
    """Whether the manifest of ``consumer`` (kind, namespace, name) writes its ``metadata.namespace`` (else it was
    read into ``--namespace``'s)."""
    try:
        return "metadata.namespace" in load.location(*consumer).fields
    except (KeyError, AttributeError):
        return False


def _pod_spec_owners(cluster: Any) -> list[tuple[str, Any, Any]]:
    """``(kind, object, pod spec)`` of every workload (its template) and every bare Pod: where the warnings about
    a pod's placement look."""
    owners = [(kind, w, w.template) for kind in WORKLOAD_KINDS for w in cluster.objects(kind)]
    return owners + [("Pod", p, p) for p in cluster.objects("Pod") if not p.owner_references]


def topology_key_warnings(cluster: Any, load: Any) -> list[str]:
    """One line per workload or Pod with a required pod affinity or anti-affinity term, or a DoNotSchedule
    topology spread constraint, whose topologyKey no Node carries (``kubernetes.io/hostname`` is carried by
    every node: ``model.scheduler.node_topology_value``).  Upstream's InterPodAffinity filter then never fits
    the pod for an affinity term ("All topology labels must exist on the node") and never blocks it for an
    anti-affinity term; PodTopologySpread fits it on no node (UnschedulableAndUnresolvable, "missing required
    label"); with the nodes kubecheck adds (no zone or region labels) that is an artefact of the modelled
    cluster, so say so.  Also one line per DoNotSchedule constraint with ``labelSelector: {}``, which the
    released schedulers count as matching no pod (``countPodsMatchSelector``'s ``Empty()`` test)."""
    from model.scheduler import node_topology_value

    nodes = list(cluster.nodes.values())
    out: list[str] = []
    owners = _pod_spec_owners(cluster)
    for kind, obj, spec in owners:
        where = f"{_where(load, kind, obj.namespace, obj.name)}: {kind} {obj.namespace}/{obj.name}"
        for group, terms, effect in (("podAffinity", spec.pod_affinity, "fits no node"),
                                     ("podAntiAffinity", spec.pod_anti_affinity, "restricts nothing")):
            for key in dict.fromkeys(t.topology_key for t in terms):
                if any(node_topology_value(n, key) is not None for n in nodes):
                    continue
                out.append(f"{where}: no Node carries the label {key}, the topologyKey "
                           f"of a required {group} term: the term {effect} (declare your Nodes with that label)")
        spread = spec.topology_spread_constraints
        for key in dict.fromkeys(c.topology_key for c in spread):
            if not any(node_topology_value(n, key) is not None for n in nodes):
                out.append(f"{where}: no Node carries the label {key}, the topologyKey of a DoNotSchedule "
                           f"topologySpreadConstraint: its pods fit no node (declare your Nodes with that label)")
        if any(c.selector is not None and not c.selector.match_labels and not c.selector.match_expressions
               and not c.match_label_keys for c in spread):
            out.append(f"{where}: a DoNotSchedule topologySpreadConstraint with labelSelector {{}} counts no pod in the "
                       f"kube-scheduler (countPodsMatchSelector, since 1.27; kubernetes#141340 counts every pod of the namespace): "
                       f"it spreads nothing; name the pods' labels to spread them")
    return out


def node_placement_warnings(cluster: Any, load: Any, nodes_added: bool = False) -> list[str]:
    """One line per workload or bare Pod whose pods' ``nodeSelector`` and required node affinity
    (``model.scheduler.RequiredNodeAffinity``, upstream's NodeAffinity filter) match no Node of the cluster:
    its pods stay Pending (a DaemonSet runs none), so every rule about them judges a workload that never runs,
    and a fix the run suggests (surge, replicas) would not help; with the nodes kubecheck adds (labelled
    ``kubernetes.io/os``, ``kubernetes.io/arch`` and their ``beta.`` forms only: ``kubecheck.scenarios.with_nodes``) that is usually an
    artefact of the modelled cluster, so say so."""
    nodes = list(cluster.nodes.values())
    out: list[str] = []
    owners = _pod_spec_owners(cluster)
    for kind, obj, spec in owners:
        what = _unmatched_node_affinity(spec, nodes)
        if not what:
            continue
        effect = "it runs no pod" if kind == "DaemonSet" else "its pods stay Pending"
        added = (" (the nodes kubecheck added carry only the os and arch labels, kubernetes.io/ and beta.kubernetes.io/)"
                 if nodes_added else "")
        out.append(f"{_where(load, kind, obj.namespace, obj.name)}: {kind} {obj.namespace}/{obj.name}: its {what} matches no "
                   f"Node{added}: {effect}, so the rules judge a workload that never runs and a suggested fix (surge, "
                   f"replicas) would not help; declare your Nodes with those labels")
    return out


def undo_history_warnings(cluster: Any, load: Any, specs: Iterable[Any]) -> list[str]:
    """One line per Deployment with ``revisionHistoryLimit: 0`` in a check whose scenarios run ``kubectl rollout undo``
    on it: the Deployment controller's cleanupDeployment deletes every old ReplicaSet once a rollout is done, so an
    undo after that finds no revision to go back to and is refused (rollback.go ``rollbackToTemplate`` / kubectl's
    "unable to find specified revision"); the check judges the undos the API server accepts, so KC-ROLL-006 may hold
    for a Deployment whose rollout cannot be undone at all."""
    from model.environment import RollbackDeployment

    undone = set()
    for spec in specs:
        for action, _ in spec.all_user_actions():
            inner = getattr(action, "inner", action)  # a scenario file's undo: wraps the RollbackDeployment
            if isinstance(inner, RollbackDeployment):
                undone.add((inner.namespace, inner.name))
    out = []
    for d in cluster.objects("Deployment"):
        if d.revision_history_limit == 0 and (d.namespace, d.name) in undone:
            out.append(f"{_where(load, 'Deployment', d.namespace, d.name)}: Deployment {d.namespace}/{d.name} has "
                       "revisionHistoryLimit 0: once a rollout is done its old ReplicaSet is deleted and kubectl rollout undo "
                       "finds no revision to go back to (refused); the check judges the undos that are accepted, during a "
                       "rollout; keep revisionHistoryLimit >= 1 to be able to undo a finished one")
    return out


def autoscaler_target_warnings(cluster: Any, load: Any) -> list[str]:
    """One line per HorizontalPodAutoscaler whose scaleTargetRef names no workload of the manifests (a kind
    kubecheck does not model, e.g. a custom resource with a scale subresource, or a workload no manifest
    declares): its rules (KC-HPA-001..003) then judge nothing, so their HOLDS says nothing about it."""
    out: list[str] = []
    modelled = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
    for hpa in cluster.objects("HorizontalPodAutoscaler"):
        _, kind, name = hpa.scale_target_ref
        if kind in modelled and cluster.get(kind, hpa.namespace, name) is not None:
            continue
        why = (f"{kind} is not a kind kubecheck models (only {', '.join(modelled)} are scaled)" if kind not in modelled
               else f"no manifest declares {kind} {hpa.namespace}/{name}")
        out.append(f"{_where(load, 'HorizontalPodAutoscaler', hpa.namespace, hpa.name)}: HorizontalPodAutoscaler "
                   f"{hpa.namespace}/{hpa.name}: its scaleTargetRef {kind} {name} is no workload of the check ({why}): "
                   "its rules (KC-HPA-001..003) judge nothing about it")
    return out


def autoscaler_metric_warnings(cluster: Any, load: Any) -> list[str]:
    """One line per HorizontalPodAutoscaler with a metric the model does not compute (Pods, Object, External,
    ContainerResource: ``MetricSpec.target_type`` ``AtTarget``): the model takes it to stay at its target, so the
    HPA still holds its target between minReplicas and maxReplicas but never scales on that metric."""
    out: list[str] = []
    for hpa in cluster.objects("HorizontalPodAutoscaler"):
        names = [m.resource for m in hpa.metrics if m.target_type == "AtTarget"]
        if not names:
            continue
        out.append(f"{_where(load, 'HorizontalPodAutoscaler', hpa.namespace, hpa.name)}: HorizontalPodAutoscaler "
                   f"{hpa.namespace}/{hpa.name}: metric {', '.join(names)} is not modelled: taken to stay at its target "
                   f"(the HPA keeps its target's replicas within minReplicas {hpa.min_replicas}..maxReplicas "
                   f"{hpa.max_replicas} but never scales on {'it' if len(names) == 1 else 'them'}; load: and -s autoscale "
                   "move Resource metrics only)")
    return out


def refused_children_warnings(cluster: Any, load: Any) -> list[str]:
    """One line per workload whose controller's first create the API server would refuse
    (:func:`model.validation.refused_children`): it never runs a pod, and its convergence rule says so."""
    from model.validation import refused_children

    out: list[str] = []
    for kind in ("Deployment", "StatefulSet", "DaemonSet"):
        for w in cluster.objects(kind):
            err = refused_children(w)
            if err is None:
                continue
            out.append(f"{_where(load, kind, w.namespace, w.name)}: {kind} {w.namespace}/{w.name}: the API server refuses what its controller creates "
                       f"({err}); it never runs a pod (shorten metadata.name)")
    return out


def _validate_bounds(cfg: CheckConfig, specs: list[ScenarioSpec]) -> None:
    if cfg.engine != "random":
        return
    for spec in specs:
        _random_steps({**cfg.bounds(), **dict(spec.bounds)})


def _startup_findings(sink: "_Sink", settle_system: Any, settled: Any, planned: list[_Planned]) -> list[Finding]:
    """Check the invariant and action rules on every step of the settle path (a real run of start-up).

    One finding per violated (rule, workload): the first violating step, with the path prefix up to
    it as the trace.  Rules that hold along the path give no finding: one start-up order is not all.
    """
    from kubecheck.core.trace import Step, Trace
    from kubecheck.core.verdict import PropertyResult

    init = settle_system.init_states()[0]
    states = [init] + [st for _, _, st in settled.path]
    out: list[Finding] = []
    for p in planned:
        found = _first_failure_on_path(p.prop, states, settled.path)
        if found is None:
            continue
        bad, judged = found  # bad: the number of steps up to the failing state or step
        if judged.outcome is Outcome.ERROR:  # a user's predicate: an ERROR verdict, not a crash
            bad, verdict, note = len(states) - 1, Verdict.ERROR, f"start-up: {judged.note}"
        else:
            verdict, note = Verdict.VIOLATED, _STARTUP_NOTES[p.prop.kind]
        steps = tuple(Step(a.actor, a.label, i, st, a) for i, a, st in settled.path[:bad])
        trace = Trace(init, steps, p.prop.rule_id, p.prop.name, None, "settle", (("settle_steps", settled.steps),))
        res = PropertyResult(p.prop, verdict, trace, None, note)
        out.append(sink.finding(STARTUP, settle_system.scenario, settle_system, p, res, ()))
    return out


_STARTUP_NOTES = {
    PropertyKind.INVARIANT: "start-up: a state on the settle path (one start-up order from the manifests) violates the invariant",
    PropertyKind.ACTION: "start-up: a step of the settle path (one start-up order from the manifests) violates the action property",
}


def _first_failure_on_path(prop: Property, states: list[Any], path: Any) -> tuple[int, Judgement] | None:
    """The first state (invariant) or step (action property) of the settle path the judge says fails
    or errs on, as ``(steps up to it, judgement)``; None when it holds all along."""
    if prop.kind is PropertyKind.INVARIANT:
        for i, st in enumerate(states):
            judged = judge_state(prop, st)
            if judged.outcome.decides:
                return i, judged
    elif prop.kind is PropertyKind.ACTION:
        for i, (_, a, st) in enumerate(path):
            judged = judge_step(prop, states[i], a, st)
            if judged.outcome.decides:
                return i + 1, judged
    return None


# ------------------------------------------------------------------------------ the pipeline
#
# run_check = plan -> settle -> search -> assemble -> write.  Each stage is a function of what the
# stages before it produced; only the last one writes files.


@dataclass
class _CheckPlan:
    """What a check will do: the rules, the scenarios, and every (rule, workload) pair to judge."""

    rules: list[Any]
    #: every rule ID a configuration or scenario file may name (the catalogue and the --rules files)
    known: list[str]
    #: the rules the ``kubecheck.io/ignore`` annotations accept
    ignores: Any
    #: the manifests as a ClusterState (with the nodes added when they had none)
    loaded: Any
    nodes_added: tuple[str, ...]
    specs: list[ScenarioSpec]
    planned: list[_Planned]

    @property
    def startup(self) -> list[_Planned]:
        """The rules judged on every step of the settle path: invariants and action rules, except
        the ones that only hold after the first convergence."""
        return [p for p in self.planned if p.prop.kind in (PropertyKind.INVARIANT, PropertyKind.ACTION)
                and not _after_convergence(p.rule)]

    def for_scenario(self, spec: ScenarioSpec, cfg: "CheckConfig") -> list[_Planned]:
        """The pairs a scenario judges: its own property list, the default rules, the rules it brings,
        and its own ``expect:`` entries (another scenario's never)."""
        from kubecheck.scenarios import is_expectation

        return [p for p in self.planned if (p.rule.scenario == spec.name if is_expectation(p.rule) else
                (spec.properties is None or p.rule.rule_id in spec.properties)
                and (cfg.rule_ids is not None or p.rule.default or p.rule.rule_id in spec.rules))]


@dataclass(frozen=True, slots=True)
class _TraceJob:
    """The files a finding's counterexample needs, written by the last stage (:func:`write_traces`)."""

    trace: Any
    system: Any
    scenario: Any
    planned: _Planned


@dataclass
class _Sink:
    """Turns engine results into findings; every stage that judges something shares one."""

    cfg: "CheckConfig"
    load: Any
    texts: dict[str, str] | None
    #: the process pool the searches run in (kubecheck.pool.SearchPool); None: each runs here when asked
    pool: Any = None

    def finding(self, scen_name: str, scenario: Any, system: Any, p: _Planned, res: Any, reductions: tuple[str, ...]) -> Finding:
        return _make_finding(scen_name, scenario, system, p, res, reductions, self.load, self.cfg, self.texts)

    def count_decided(self, spec: ScenarioSpec, p: _Planned, note: str) -> Finding:
        """The finding on a pair the Z3 count model proved before any explicit search (``holds``)."""
        return Finding(spec.name, p.rule.rule_id, p.rule.title, p.rule.kind.value, p.rule.category, _target_text(p.target),
                       Verdict.HOLDS.value, Verdict.HOLDS.exit_code, note, reductions=("count-model proof",),
                       **_describe(self.load, p, None, self.cfg, self.texts))

    def not_run(self, spec: ScenarioSpec, p: _Planned, verdict: Verdict, note: str, bound_hit: str | None = None) -> Finding:
        """The finding on a pair whose scenario could not run (start-up was cut, or did not settle)."""
        return Finding(spec.name, p.rule.rule_id, p.rule.title, p.rule.kind.value, p.rule.category, _target_text(p.target),
                       verdict.value, verdict.exit_code, note, bound_hit=bound_hit, **_describe(self.load, p, None, self.cfg, self.texts))


@dataclass
class _Searched:
    """What the search stage found."""

    findings: list[Finding] = field(default_factory=list)
    explorations: list[Exploration] = field(default_factory=list)
    runs: list[ScenarioRun] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    groups: tuple[tuple[str, ...], ...] = ()


def run_check(cfg: CheckConfig, load: Any, *, extra_rules: Iterable[Any] = (), texts: dict[str, str] | None = None) -> CheckReport:
    """Check a loaded manifest set (see the module docstring).  ``load.errors`` must be empty.

    Raises ``InvalidScenario`` (exit 2) when the manifests hold no workload, when a scenario file
    names an unknown rule, and when a scenario (or the whole run) would check no (rule, workload)
    pair: nothing checked is never reported as "holds".
    """
    plan = plan_check(cfg, load, extra_rules)
    settle_system, settled = settle_check(cfg, plan)
    searched = search_check(_Sink(cfg, load, texts), plan, settle_system, settled)
    report = assemble_report(cfg, load, plan, settled, searched)
    return write_traces(report, cfg)


def plan_check(cfg: CheckConfig, load: Any, extra_rules: Iterable[Any] = ()) -> _CheckPlan:
    """Stage 1: the rules, the scenarios and the (rule, workload) pairs; refuses what would check nothing."""
    from model.state import ClusterState
    from properties import CATALOGUE

    from kubecheck.config import annotation_ignores, check_rule_ids

    if load.errors:
        raise InvalidScenario(str(load.errors[0]))
    extra = list(extra_rules)
    for f in cfg.rules_files:
        extra.extend(load_rules_file(f))
    rules = select_rules(cfg.rule_ids, extra)
    known = list(CATALOGUE) + [r.rule_id for r in extra]
    objects, added = with_nodes(tuple(load.objects), cfg.nodes)
    loaded = ClusterState.from_objects(objects)
    if not any(loaded.objects(k) for k in WORKLOAD_KINDS):
        raise InvalidScenario(load.no_workload(', '.join(load.files) or 'the manifests', WORKLOAD_KINDS))
    specs = _scenario_specs(cfg, known, loaded)
    loaded = _admit_label_keys(loaded, objects, specs, cfg)
    known += [e.rule_id for s in specs for e in s.expectations if e.rule_id not in known]  # --exclude, ignores, severities
    check_rule_ids(cfg.exclusions, [(o[0], o[1]) for o in cfg.severities], known, cfg.config_file,
                   {o[0]: o[2] for o in cfg.severities if len(o) > 2})
    ignores = annotation_ignores(load, known)
    if cfg.rule_ids is None:  # opt-in rules a scenario brings (drain: KC-DRAIN-001), checked in that scenario only
        rules += _rules_scenarios_bring(rules, specs)
    rules += [e for s in specs for e in s.expectations]  # a scenario file's expect: entries, judged there only
    if cfg.slice_unread and not extra:  # catalogue rules only: none reads what the sliced actors write (model.slicing)
        specs = [replace(s, slice_unread=True) for s in specs]
    planned = [_Planned(p, r, t) for r in rules for p, t in property_targets(r, loaded)]
    _refuse_nothing_to_check(rules, specs, planned)
    return _CheckPlan(rules, known, ignores, loaded, added, specs, planned)


def _admit_label_keys(loaded: Any, objects: tuple[Any, ...], specs: list[ScenarioSpec], cfg: CheckConfig) -> Any:
    """The cluster as the API server of the scenarios' Kubernetes version stores it, for the matchLabelKeys /
    mismatchLabelKeys of pod affinity terms (``model.apiserver.admit_pod_affinity_label_keys``): dropped before
    1.31, merged into a manifest Pod's selector from 1.31; and for the matchLabelKeys of topology spread constraints
    (``model.apiserver.admit_spread_label_keys``): merged into a Pod's selector at its create from 1.34.  One settled
    state serves every scenario, so scenarios on both sides of 1.31 (1.34) with such a term (constraint) in the
    manifests are refused."""
    from model.apiserver import admit_pod_affinity_label_keys, admit_spread_label_keys, has_pod_affinity_label_keys
    from model.objects import kind_of
    from model.state import ClusterState
    from model.versions import feature_gate

    def spec_of(o: Any) -> Any:
        return o if kind_of(o) == "Pod" else getattr(o, "template", None)

    def has_keys(o: Any) -> bool:
        spec = spec_of(o)
        return hasattr(spec, "pod_affinity") and has_pod_affinity_label_keys(spec)

    def has_spread_keys(o: Any) -> bool:
        spec = spec_of(o)
        return hasattr(spec, "topology_spread_constraints") and any(c.match_label_keys for c in spec.topology_spread_constraints)

    def gate(name: str, boundary: str, what: str) -> bool:
        gates = {feature_gate(s.kubernetes_version or cfg.kubernetes_version, name) for s in specs}
        if len(gates) > 1:
            raise InvalidScenario(f"{what}: the scenarios' Kubernetes versions are on both sides of {boundary} ({name}), "
                                  "which one settled state cannot serve; check them in separate runs")
        return gates.pop()

    changed = False
    if any(has_keys(o) for o in objects):
        objects = admit_pod_affinity_label_keys(objects, gate("MatchLabelKeysInPodAffinity", "1.31",
                                                              "matchLabelKeys/mismatchLabelKeys of a pod affinity term"))
        changed = True
    if any(has_spread_keys(o) for o in objects):
        objects = admit_spread_label_keys(objects, gate("MatchLabelKeysInPodTopologySpreadSelectorMerge", "1.34",
                                                        "matchLabelKeys of a topology spread constraint"))
        changed = True
    return ClusterState.from_objects(objects) if changed else loaded


def _admit_actions(spec: ScenarioSpec, version: str) -> ScenarioSpec:
    """``spec`` with the objects its user actions bring (``apply``/``create`` manifests, ``create-pod`` pods, also
    inside ``After``) as the API server of ``version`` prepares them (``model.apiserver.admit_created_object``), as
    the manifests are (:func:`_admit_label_keys`)."""
    from model.apiserver import admit_created_object
    from model.apply import ApplyManifest
    from model.environment import CreatePod
    from model.sequence import After
    from model.versions import feature_gate

    affinity = feature_gate(version, "MatchLabelKeysInPodAffinity")
    spread = feature_gate(version, "MatchLabelKeysInPodTopologySpreadSelectorMerge")

    def admitted(a: Any) -> Any:
        if isinstance(a, ApplyManifest):
            return replace(a, manifest=replace(a.manifest, obj=admit_created_object(a.manifest.obj, affinity, spread)))
        if isinstance(a, CreatePod):
            return replace(a, pod=admit_created_object(a.pod, affinity, spread))
        if isinstance(a, After):
            return replace(a, inner=admitted(a.inner), steps=tuple(admitted(x) for x in a.steps))
        return a

    return replace(spec, user_actions=tuple((admitted(a), n) for a, n in spec.user_actions))


def _scenario_specs(cfg: CheckConfig, known: list[str], loaded: Any) -> list[ScenarioSpec]:
    """The built-in scenarios asked for and the scenario files, with distinct, unreserved names."""
    from kubecheck.scenarios import load_scenario_file

    specs: list[ScenarioSpec] = [builtin(n, loaded) for n in cfg.scenarios]
    specs += [load_scenario_file(f, known, loaded, cfg.namespace) for f in cfg.scenario_files]
    specs = [s.with_model_options(cfg.caches, cfg.kubernetes_version) for s in specs]
    specs = [_admit_actions(s, s.kubernetes_version or cfg.kubernetes_version) for s in specs]
    if cfg.images:
        from kubecheck.scenarios import manifest_images
        from model.frozen import FrozenMap

        running_images = manifest_images(loaded)
        for img, _, line in cfg.images:
            if img in running_images:
                raise InvalidScenario(f"{cfg.config_file or '.kubecheck.yaml'}:{line}: images.{img}: the manifests already run "
                                      "this image: start-up runs without image facts, so declare facts for images a scenario "
                                      "rolls to (set-image, the rollout scenario's <image>-next), not for the manifests' own")
        specs = [replace(s, images=FrozenMap({**{img: f for img, f, _ in cfg.images}, **s.images})) for s in specs]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidScenario(f"scenario {dupes[0]!r} is given twice")
    if STARTUP in names:
        raise InvalidScenario(f"scenario name {STARTUP!r} is reserved for violations found during start-up")
    _validate_bounds(cfg, specs)
    return specs


def _rules_scenarios_bring(rules: list[Any], specs: list[ScenarioSpec]) -> list[Any]:
    from properties import get_rule

    have = {r.rule_id for r in rules}
    return [get_rule(rid) for rid in dict.fromkeys(i for s in specs for i in s.rules if i not in have)]


def _refuse_nothing_to_check(rules: list[Any], specs: list[ScenarioSpec], planned: list[_Planned]) -> None:
    """Nothing checked is never "holds": refuse a run, or a scenario, with no (rule, workload) pair."""
    if not planned:
        raise InvalidScenario(_nothing_to_check(rules, ""))
    for spec in specs:
        if spec.properties is not None and not spec.expectations and not any(p.rule.rule_id in spec.properties for p in planned):
            chosen = [r for r in rules if r.rule_id in spec.properties]
            raise InvalidScenario(
                _nothing_to_check(chosen, f" in scenario {spec.name!r} (properties: {', '.join(spec.properties) or 'none'})",
                                  "none of its properties is among the rules selected (--property)")
            )


def settle_check(cfg: CheckConfig, plan: _CheckPlan) -> tuple[Any, Any]:
    """Stage 2: one deterministic start-up order from the manifests (:func:`kubecheck.scenarios.settle`), under the
    Kubernetes version every scenario follows (``--kubernetes-version`` when the scenarios name several: one settled
    state serves them all, and a version difference that would change start-up is refused before this,
    :func:`_admit_label_keys`)."""
    from model.system import KubeSystem, Scenario

    versions = {s.kubernetes_version or cfg.kubernetes_version for s in plan.specs}
    version = versions.pop() if len(versions) == 1 else cfg.kubernetes_version
    settle_system = KubeSystem(Scenario(initial=plan.loaded, granularity=cfg.granularity, name="settle",  # type: ignore[arg-type]
                                        kubernetes_version=version))
    settled = settle(settle_system, settle_system.init_states()[0], cfg.settle_steps, timeout=cfg.timeout, max_memory=cfg.max_memory)
    return settle_system, settled


def search_check(sink: _Sink, plan: _CheckPlan, settle_system: Any, settled: Any) -> _Searched:
    """Stage 3: judge the settle path, then every scenario from the settled state (or say why not)."""
    cfg = sink.cfg
    out = _Searched()
    startup = _startup_findings(sink, settle_system, settled, plan.startup)
    if startup:
        out.runs.append(ScenarioRun(STARTUP, f"start-up: the {settled.steps}-step settle path from the manifests (one deterministic "
                                    "start-up order); violations only: holding on one order proves nothing", (), (), cfg.granularity))
        out.findings.extend(startup)
    if settled.settled:
        from kubecheck.pool import RaySearchPool, SearchPool

        # --ray with one worker per search: the searches are Ray tasks; else forked processes (--jobs)
        pool = RaySearchPool(cfg.ray, _lost_search) if cfg.ray is not None and cfg.workers == 1 else SearchPool(cfg.jobs, _lost_search)
        with pool as sink.pool:
            # every scenario's searches are submitted before any result is read (they run in parallel
            # with --jobs N); the results are read in this order, so the report does not depend on N
            started = [_start_scenario(sink, plan, spec, settled.state.cluster) for spec in plan.specs]
            for spec, first in zip(plan.specs, started):
                _search_scenario(sink, plan, spec, settled.state.cluster, out, first)
        sink.pool = None
        return out
    if not settled.cycle:
        # A bound (steps, timeout, memory) cut start-up: inconclusive, not a convergence failure.
        cut = settled.cut or "settle bound"
        # no option raises the step bound (docs/cli.md, "Settle bound"): do not send the user to --timeout for it
        hint = ("(the step bound is 50 + 20 x the desired replicas, no option raises it: check fewer replicas)"
                if cut.startswith("settle steps") else "(raise --timeout/--max-memory, or check fewer replicas)")
        out.runs.append(ScenarioRun("settle", f"start-up cut by {cut} after {settled.steps} steps: nothing is claimed {hint}",
                                    (), (), cfg.granularity))
        out.findings += [sink.not_run(spec, p, Verdict.HOLDS_WITHIN_BOUNDS, f"not run: start-up cut by {cut}: nothing is claimed",
                                      f"start-up {cut}") for spec in plan.specs for p in plan.planned]
        return out
    from kubecheck.scenarios import is_expectation

    conv = [p for p in plan.planned if p.prop.kind.is_eventual and not is_expectation(p.rule)]  # expect: needs its scenario
    out.runs.append(ScenarioRun("settle", f"the manifests as applied did not settle: the deterministic start-up order came back "
                                f"to a state after {settled.steps} steps (a livelock): convergence explored from the loaded state",
                                (), (), cfg.granularity))
    conv_found, conv_runs, _ = _judge_search(sink, "settle", settle_system.scenario, settle_system, conv, cfg.bounds(), "loaded")
    out.findings.extend(conv_found)
    out.explorations.extend(conv_runs)
    out.findings += [sink.not_run(spec, p, Verdict.ERROR,
                                  "not run: the cluster did not settle from the manifests (see the settle scenario's KC-CONV verdicts)")
                     for spec in plan.specs for p in plan.planned]
    return out


def _start_scenario(sink: _Sink, plan: _CheckPlan, spec: ScenarioSpec, cluster: Any) -> tuple[Any, ...]:
    """Plan one scenario's searches and submit them to the pool: what :func:`_search_scenario` reads.

    The rollout rules on a Deployment beyond the explicit reach are asked of the Z3 count model first
    (:func:`_count_first`); the ones it proves are decided and left out of the explicit searches."""
    cfg = sink.cfg
    planned = plan.for_scenario(spec, cfg)
    bounds = {**cfg.bounds(), **dict(spec.bounds)}
    decided, known, planned = _count_first(sink, spec, cluster, planned)
    searches, used = plan_searches(spec, cluster, planned, cfg.granularity, cfg.decompose, check_identifiers(cfg))
    return planned, bounds, searches, used, _submit_searches(sink, searches, bounds), decided, known


def _count_cache(cfg: CheckConfig) -> Any:
    from pathlib import Path

    return Path(cfg.cache_dir) if cfg.cache_dir else None


#: Seconds a count-model proof gets with ``--timeout 0`` (no bound): a day, not infinity (Z3 takes its limit in ms).
_NO_PROOF_BOUND = 86400.0


def _proof_timeout(cfg: CheckConfig, default: float) -> float:
    """Seconds per count-model proof (each Z3 call: the exact parameters, then the family): the engine's default
    (60 s for a Deployment's, 30 s for a StatefulSet's), or ``--timeout`` when the user raised it above its own
    default (60 s) and above the engine's; ``--timeout 0`` (no bound) gives :data:`_NO_PROOF_BOUND`.  A shorter
    ``--timeout`` bounds the explicit searches only: the proofs are what decides a search cut by it."""
    if cfg.timeout is None:
        return _NO_PROOF_BOUND
    return max(default, cfg.timeout) if cfg.timeout > _DEFAULT_TIMEOUT else default


def _count_first(sink: _Sink, spec: ScenarioSpec, cluster: Any,
                 planned: list[_Planned]) -> tuple[list[Finding], dict[Any, Any], list[_Planned]]:
    """The count model asked before the explicit search (kubecheck.symbolic.check.decide_before_search):
    the findings it decides (PROVED: ``holds``, the note naming the engine and the sizes), every verdict
    it gave (for the cut-search fallback), and the pairs left for the explicit search."""
    if sink.cfg.engine != "explicit":
        return [], {}, planned
    from kubecheck.symbolic.check import PROVED, decide_before_search

    known = decide_before_search([(p.rule.rule_id, p.target) for p in planned], spec, cluster, sink.cfg.granularity,
                                 timeout=_proof_timeout(sink.cfg, 60.0), cache=_count_cache(sink.cfg),
                                 asked=frozenset(p.rule.rule_id for p in planned))
    from kubecheck.symbolic.statefulset_check import decide_statefulsets_before_search  # KC-STS-005/006, large sets

    known.update(decide_statefulsets_before_search([(p.rule.rule_id, p.target) for p in planned], spec, cluster,
                                                   sink.cfg.granularity, timeout=_proof_timeout(sink.cfg, 30.0),
                                                   cache=_count_cache(sink.cfg)))
    decided: list[Finding] = []
    rest: list[_Planned] = []
    for p in planned:
        cv = known.get((p.rule.rule_id, p.target[1], p.target[2])) if p.target is not None else None
        if cv is not None and cv.status == PROVED:
            decided.append(sink.count_decided(spec, p, cv.message))
            continue
        found, why = _count_counterexample(sink, spec, cluster, p, cv) if cv is not None and cv.counts else (None, "")
        if found is not None:
            decided.append(found)
            continue
        if why:  # the explicit search decides; its note says why the count run was not followed
            assert cv is not None and p.target is not None
            known[(p.rule.rule_id, p.target[1], p.target[2])] = replace(
                cv, message=f"{cv.message}; not followed in the object model at replicas = {cv.replicas}: {why}")
        rest.append(p)
    return decided, known, rest


def _count_counterexample(sink: _Sink, spec: ScenarioSpec, cluster: Any, p: _Planned, cv: Any) -> tuple[Finding | None, str]:
    """The count model's counterexample at the manifest's replicas, followed in the object model this
    scenario explores (``kubecheck.symbolic.check.concretise``): a VIOLATED finding with that object-model
    trace, or None and why the run was not followed (the explicit search decides)."""
    from kubecheck.core.verdict import PropertyResult
    from kubecheck.symbolic.check import OTHER_ACTIONS, concretise, count_run
    from model.system import KubeSystem

    assert p.target is not None
    d = cluster.get(*p.target)
    searches, _ = plan_searches(spec, cluster, [p], sink.cfg.granularity, decompose=False,
                                identifiers=check_identifiers(sink.cfg))
    why = ""
    for search in searches:  # the variant that rolls this Deployment (per-workload rollouts: one per workload)
        system = KubeSystem(search.scenario)
        faults = search.scenario.faults
        fallback = bool(faults.node_failure and faults.container_crash)
        trace, how = concretise(system, d, cv, p.prop, timeout=5.0 if fallback else 10.0)
        if trace is None and fallback:
            # the count run may take a node-failure step the object model cannot take in that order: a run of
            # the same scenario in which no node fails (the budget is at most one), if the count model has one
            run = count_run(p.rule.rule_id, d, search.scenario, cache=_count_cache(sink.cfg))
            first = how
            trace, how = concretise(system, d, cv, p.prop, counts=run)
            how = f"{how}, a run in which no node fails" if trace is not None else f"{first}; without the node failure: {how}"
        if trace is not None:
            note = (f"violated at replicas = {cv.replicas}: the Z3 count model's counterexample at these parameters, "
                    f"followed in the object model ({how}); family: {cv.family}")
            res = PropertyResult(p.prop, Verdict.VIOLATED, trace, note=note)
            return sink.finding(spec.name, search.scenario, system, p, res, ("count-model counterexample",)), ""
        if OTHER_ACTIONS not in how:  # else not the variant the count run is about
            why = how
    return None, why


def _search_scenario(sink: _Sink, plan: _CheckPlan, spec: ScenarioSpec, cluster: Any, out: _Searched,
                     started: tuple[Any, ...] | None = None) -> None:
    """One scenario from the settled ``cluster``: its searches (per interaction group when they are
    independent), again on the whole cluster when a group outgrew its share of node capacity."""
    cfg = sink.cfg
    planned, bounds, searches, used, submitted, decided, known = started or _start_scenario(sink, plan, spec, cluster)
    out.runs.append(ScenarioRun(spec.name, spec.description, _describe_actions(spec), _faults(spec), spec.granularity or cfg.granularity,
                                tuple(sorted(bounds.items())) if spec.bounds else (), spec.caches or "off",
                                spec.kubernetes_version or cfg.kubernetes_version))
    found, runs, ok = _collect_searches(sink, spec.name, searches, submitted)
    if not ok and any(g.shared for g in used):
        # a Service shared by groups lost its last endpoint in its anchor group (or a share was exceeded):
        # explore the groups the Services join, as one group each
        out.warnings.append(f"scenario {spec.name}: a Service that selects pods of several interaction groups lost every "
                            "serving endpoint in the group explored for it (or a group exceeded its share of node capacity); "
                            "explored the groups joined by their Services instead")
        searches, used = plan_searches(spec, cluster, planned, cfg.granularity, cfg.decompose, check_identifiers(cfg), split_services=False)
        found, runs, ok = _run_searches(sink, spec.name, searches, bounds)
    if not ok:  # a group outgrew its share of node capacity: the split is not justified, search whole
        out.warnings.append(f"scenario {spec.name}: an interaction group exceeded its share of node capacity; "
                            "explored the whole cluster instead of the groups")
        searches, used = plan_searches(spec, cluster, planned, cfg.granularity, decompose=False, identifiers=check_identifiers(cfg))
        found, runs, _ = _run_searches(sink, spec.name, searches, bounds)
    if used and not out.groups:  # the manifests' objects of each group (not the pods and ReplicaSets they made)
        out.groups = tuple(tuple(f"{k} {ns}/{n}" for k, ns, n in g.members if plan.loaded.get(k, ns, n) is not None) for g in used)
    from kubecheck.symbolic.check import decide_rollout_findings, decide_service_findings  # the count model decides cut rollout rules

    asked = frozenset(p.rule.rule_id for p in plan.for_scenario(spec, cfg))  # the rules judged: no proof of another is waited for
    found = decided + decide_rollout_findings(merge_findings(found), spec, cluster, cfg.granularity, known=known,
                                              timeout=_proof_timeout(cfg, 60.0), cache=_count_cache(cfg), asked=asked)
    if cfg.engine == "explicit":
        found = decide_service_findings(found, spec, cluster, cfg.granularity, timeout=_proof_timeout(cfg, 60.0),
                                        cache=_count_cache(cfg), asked=asked)
    from kubecheck.symbolic.statefulset_check import annotate_statefulset_findings  # why a large set stayed explicit

    found = annotate_statefulset_findings(found, known)
    found = decide_vacuous_findings(found, plan.rules, spec, cluster)
    order = {rid: i for i, rid in reversed(list(enumerate(p.rule.rule_id for p in plan.for_scenario(spec, cfg))))}
    out.findings.extend(sorted(found, key=lambda f: order.get(f.rule_id, len(order))))  # the rules' order, as before
    out.explorations.extend(runs)


def decide_vacuous_findings(findings: list[Finding], rules: list[Any], spec: ScenarioSpec, cluster: Any) -> list[Finding]:
    """A finding cut by a bound (BOUNDED) becomes HOLDS when its rule holds in every state the scenario can reach
    (``Rule.vacuous``: nothing in the settled cluster is what it judges and no user action of the scenario makes
    one, e.g. KC-ROLL-004 with no Service in front of a workload); the note says why."""
    by_id = {r.rule_id: r for r in rules}
    actions = tuple(a for a, _ in spec.with_operator(spec.user_actions))
    why: dict[str, str] = {}
    out: list[Finding] = []
    for f in findings:
        vacuous = getattr(by_id.get(f.rule_id), "vacuous", None)
        if f.verdict == Verdict.HOLDS_WITHIN_BOUNDS.value and vacuous is not None:
            if f.rule_id not in why:
                why[f.rule_id] = vacuous(cluster, actions)
            if why[f.rule_id]:
                f = replace(f, verdict=Verdict.HOLDS.value, exit_code=Verdict.HOLDS.exit_code,
                            note=f"holds in every state: {why[f.rule_id]}, and no user action of the scenario makes one"
                                 + (f" [explicit search: {f.note}]" if f.note else ""),
                            reductions=tuple(f.reductions) + ("nothing to judge",))
        out.append(f)
    return out


def _run_searches(sink: _Sink, name: str, searches: list[_Search], bounds: dict[str, Any]) -> tuple[list[Finding], list[Exploration], bool]:
    return _collect_searches(sink, name, searches, _submit_searches(sink, searches, bounds))


def _submit_searches(sink: _Sink, searches: list[_Search], bounds: dict[str, Any]) -> list[tuple[Any, list[Any]]]:
    from model.system import KubeSystem

    out = []
    for s in searches:
        system = KubeSystem(s.scenario)
        out.append((system, _submit_search(sink, system, s.planned, bounds, s.guard)))
    return out


def _collect_searches(sink: _Sink, name: str, searches: list[_Search],
                      submitted: list[tuple[Any, list[Any]]]) -> tuple[list[Finding], list[Exploration], bool]:
    found: list[Finding] = []
    runs: list[Exploration] = []
    ok = True
    for s, (system, pending) in zip(searches, submitted):
        f, r, g = _collect_search(sink, name, s.scenario, system, pending, "settled", s.subject, s.guard)
        found += f
        runs += r
        ok = ok and g
    return found, runs, ok


def _judge_search(sink: _Sink, scen_name: str, scenario: Any, system: Any, planned: list[_Planned], bounds: dict[str, Any],
                  origin: str, subject: str = "", guard: Property | None = None) -> tuple[list[Finding], list[Exploration], bool]:
    """Run the searches for ``planned`` on ``system`` (one per set of reductions the planner allows);
    the findings, the explorations, and whether the capacity-share ``guard`` (checked in each search) held."""
    pending = _submit_search(sink, system, planned, bounds, guard)
    return _collect_search(sink, scen_name, scenario, system, pending, origin, subject, guard)


def _submit_search(sink: _Sink, system: Any, planned: list[_Planned], bounds: dict[str, Any],
                   guard: Property | None) -> list[Any]:
    """Submit the engine runs for ``planned`` on ``system`` to the pool (one per set of reductions)."""
    from functools import partial

    from kubecheck.pool import SearchPool

    cfg = sink.cfg
    pool = sink.pool if sink.pool is not None else SearchPool(1)
    if pool.jobs > 1 and cfg.progress not in ("off", "lines", False):  # one bar per worker would garble the terminal
        cfg = replace(cfg, progress="lines")
    explicit = cfg.engine == "explicit"
    out = []
    # a guard checked in every search must be one POR may serve, or no search uses POR
    por_asked = cfg.por and explicit and (guard is None or may_use_por(guard))
    for group, sym, fp, por in split_by_all_reductions(planned, lambda p: p.prop, cfg.symmetry and explicit, cfg.fingerprint and explicit, por_asked):
        engine_props = [replace(p.prop, rule_id=f"{p.prop.rule_id}.{i}") for i, p in enumerate(group)]
        if guard is not None:
            engine_props.append(guard)
        search_system = system
        if por:
            from model.footprint import PorSystem

            search_system = PorSystem(system.scenario)
        job = pool.submit(partial(_run_engine, search_system, engine_props, sym, bounds, cfg, fp, por), engine_props, bounds.get("timeout"))
        out.append((group, sym, pool, job))
    return out


def _lost_search(props: list[Property], note: str) -> Any:
    """The result of a search whose worker process was lost (kubecheck.pool): ERROR for every property."""
    from kubecheck.core.verdict import ExplorationResult, PropertyResult, Stats
    from kubecheck.pool import LOST

    return ExplorationResult(tuple(PropertyResult(p, Verdict.ERROR, None, None, note) for p in props),
                             Stats(0, 0, 0, 0.0, 0.0, 0), (), False, LOST)


def _slice_labels(scenario: Any) -> tuple[str, ...]:
    """The actors a search left out because nothing reads their writes (``model.slicing``), as labels."""
    actors = getattr(scenario, "actors", None)
    if actors is None:
        return ()
    from model.system import ACTOR_FAMILIES

    return tuple(f"slice: {f} controller (nothing reads its writes)" for f in ACTOR_FAMILIES if f not in actors)


def _collect_search(sink: _Sink, scen_name: str, scenario: Any, system: Any, pending: list[Any], origin: str,
                    subject: str = "", guard: Property | None = None) -> tuple[list[Finding], list[Exploration], bool]:
    found: list[Finding] = []
    runs: list[Exploration] = []
    guard_ok = True
    from kubecheck.pool import LOST

    for group, sym, pool, job in pending:
        result = pool.result(job)
        if guard is not None and result.results[-1].verdict in (Verdict.VIOLATED, Verdict.ERROR) and result.bound_hit != LOST:
            guard_ok = False
        st = result.stats
        reduced = reductions_of(result)
        labels = tuple(r.label for r in reduced) + _slice_labels(scenario)
        dist = getattr(result, "distribution", None)
        runs.append(
            Exploration(scen_name, len(group), sym, labels, st.states, st.transitions, st.max_depth,
                        _seconds(st.seconds), bool(result.complete), result.bound_hit, origin, subject, reduced,
                        dist.workers if dist is not None else None, _rate(dist.states_per_second_per_worker) if dist is not None else None)
        )
        found += [sink.finding(scen_name, scenario, system, p, res, labels) for p, res in zip(group, result.results)]
    return found, runs, guard_ok


def assemble_report(cfg: CheckConfig, load: Any, plan: _CheckPlan, settled: Any, searched: _Searched) -> CheckReport:
    """Stage 4: the one report object every output is written from (suppressions applied)."""
    from kubecheck.config import apply_suppressions

    findings = apply_suppressions(searched.findings, load, plan.ignores, cfg.exclusions)
    if not findings:  # pragma: no cover - every planned pair yields a finding; never say "holds" for nothing
        raise InvalidScenario(_nothing_to_check(plan.rules, ""))
    return CheckReport(
        files=tuple(load.files),
        nodes_added=plan.nodes_added,
        skipped=tuple(summarise_skipped(load.skipped)),
        engine=cfg.engine,
        bounds=tuple(sorted(cfg.bounds().items())),
        symmetry=cfg.symmetry,
        settle_steps=settled.steps,
        settled=settled.settled,
        settle_cut=settled.cut,
        scenarios=tuple(searched.runs),
        explorations=tuple(searched.explorations),
        findings=tuple(findings),
        out_dir=str(Path(cfg.out_dir)),
        start="settled" if settled.settled else "loaded",
        startup_rules=tuple(dict.fromkeys(p.rule.rule_id for p in plan.startup)),
        after_convergence=tuple(dict.fromkeys(p.rule.rule_id for p in plan.planned if _after_convergence(p.rule))),
        not_applicable=tuple(_not_applicable(plan.rules, plan.planned)),
        warnings=tuple(service_warnings(plan.loaded, load)) + tuple(refused_children_warnings(plan.loaded, load))
        + tuple(topology_key_warnings(plan.loaded, load)) + tuple(node_placement_warnings(plan.loaded, load, bool(plan.nodes_added)))
        + tuple(autoscaler_target_warnings(plan.loaded, load)) + tuple(autoscaler_metric_warnings(plan.loaded, load)) + tuple(budget_warnings(load)) + tuple(reference_warnings(load))
        + tuple(undo_history_warnings(plan.loaded, load, plan.specs))
        + tuple(searched.warnings) + tuple(dict.fromkeys(str(i) for i in getattr(load, "ignored", ()))),  # verdict-relevant fields the model ignores
        groups=searched.groups,
        fail_on=cfg.fail_on,
        config_file=cfg.config_file,
        caches=cfg.caches,
        kubernetes_version=cfg.kubernetes_version,
    )


def write_traces(report: CheckReport, cfg: CheckConfig) -> CheckReport:
    """Stage 5, the only one that writes files: each reported counterexample's renderings and the
    ``scenario.json`` that ``kubecheck replay``/``render`` rebuild its system from.  The report comes
    back with the files listed and the traces kept in ``live`` (for the HTML report)."""
    findings: list[Finding] = []
    for f in report.findings:
        job, info = f.job, f.trace
        if job is None or info is None:
            findings.append(f)
            continue
        if cfg.write_traces:
            info = _write_trace(job, info, cfg)
        findings.append(replace(f, trace=info, job=None))
        report.live[f.key] = (job.trace, job.system)
    return replace(report, findings=tuple(findings))


def _write_trace(job: _TraceJob, info: TraceInfo, cfg: CheckConfig) -> TraceInfo:
    from traces import render_trace

    p = job.planned
    tdir = Path(info.dir)
    truth = p.prop.predicate if p.prop.kind.arity == 1 else None
    rendered = render_trace(job.trace, tdir, system=job.system, property_truth=truth,
                            trigger_at=leads_to_trigger_state(p.prop, job.trace))
    doc = _scenario_document(job.scenario, p.rule.rule_id, p.target, cfg.rules_files)
    if getattr(p.rule, "source", ""):  # a scenario file's expect: entry: replay reads it back from the file
        doc["scenario_file"] = p.rule.source
        if cfg.namespace is not None:
            doc["namespace"] = cfg.namespace
    (tdir / "scenario.json").write_text(json.dumps(doc, sort_keys=True) + "\n", encoding="utf-8")
    files = tuple(str(f) for f in rendered.files) + (str(tdir / "scenario.json"),)
    return replace(info, files=files, warnings=tuple(rendered.warnings))


def _make_finding(scen_name: str, scenario: Any, system: Any, p: _Planned, res: Any, reductions: tuple[str, ...],
                  load: Any, cfg: CheckConfig, texts: dict[str, str] | None = None) -> Finding:
    """The finding on one engine result; a counterexample's files are left to :func:`write_traces`."""
    rule = p.rule
    trace = res.trace
    info: TraceInfo | None = None
    job: _TraceJob | None = None
    verdict = res.verdict
    if trace is not None:
        trace = replace(trace, property_id=rule.rule_id, property_name=p.prop.name)
    if trace is not None and verdict in (Verdict.VIOLATED, Verdict.ERROR):
        tdir = Path(cfg.out_dir) / _safe(scen_name) / (_safe(rule.rule_id) + ("-" + _safe(p.target_text) if p.target_text else ""))
        info = TraceInfo(str(tdir), (), _step_lines(trace, leads_to_trigger_state(p.prop, trace)), trace.loop_start, ())
        job = _TraceJob(trace, system, scenario, p)
    f = Finding(
        scenario=scen_name,
        rule_id=rule.rule_id,
        title=rule.title,
        kind=rule.kind.value,
        category=rule.category,
        target=p.target_text,
        verdict=verdict.value,
        exit_code=verdict.exit_code,
        note=res.note,
        bound_hit=res.bound_hit,
        trace=info,
        reductions=reductions,
        **_describe(load, p, trace, cfg, texts),
        job=job,
    )
    if verdict is not Verdict.VIOLATED:
        f = replace(f, fix="")
    return f
