"""Suppressions and the repository configuration file (``.kubecheck.yaml``).

* The annotation ``kubecheck.io/ignore: "KC-ROLL-004, KC-ROLL-001: single replica by design"`` on
  a manifest object accepts those rules' findings about that object (rule IDs comma-separated,
  then ``:`` and a reason, which is required).  A finding about a workload belongs to it; a finding
  of a cluster-wide rule judged on an interaction group belongs to every object of the group, so the
  annotation on the Deployment or on its Service accepts it.
* ``.kubecheck.yaml``, found in the working directory or the nearest parent (up to the repository
  root, a directory with ``.git``), or given with ``--config FILE``::

      exclude: ["KC-ROLL-003: we budget for the extra pod"]   # everywhere; the reason is optional here
      severity: {KC-OWN-004: warning}
      fail_on: error                                          # error | warning | info
      scenarios: [rollout, pod-crash]                         # when -s/--scenario-file are not given
      bounds: {max_states: 100000, timeout: 120, max_depth: 40, max_memory: 2G}
      images: {"nginx:1.27-next": {pull: fails}}              # image facts for every scenario
      caches: lagged                                          # off | lagged (--caches)
      kubernetes_version: "1.35"                              # 1.28 .. 1.37 (--kubernetes-version)
      paths:
        - path: vendor/*                                      # fnmatch globs, relative to this file
          exclude: ["*: third-party chart"]                   # "*" = every rule

  Command-line options win over the file.  ``--exclude RULE`` adds to ``exclude``.

Suppressed findings are kept and reported as suppressed (text, JSON ``status``/``suppression``,
JUnit ``<skipped>``, SARIF ``suppressions`` with ``kind: inSource`` for the annotation and
``external`` for the configuration); they do not count toward the exit code.  A bad file or
annotation is one line ``FILE:LINE: FIELD: message`` (exit 2).
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from kubecheck.core.errors import InvalidScenario
from kubecheck.scenarios import BOUNDS_SCHEMA, CACHES_SCHEMA, IMAGES_SCHEMA, VERSION_SCHEMA

__all__ = [
    "ANNOTATION",
    "CONFIG_NAME",
    "CONFIG_SCHEMA",
    "Exclusion",
    "RepoConfig",
    "discover_config",
    "load_config",
    "parse_ignore",
    "annotation_ignores",
    "apply_suppressions",
    "check_rule_ids",
]

ANNOTATION = "kubecheck.io/ignore"
CONFIG_NAME = ".kubecheck.yaml"
_SEVERITY = {"enum": ["error", "warning", "info"]}
_ENTRY = {"type": "string", "minLength": 1}

#: JSON Schema of ``.kubecheck.yaml`` (validated with jsonschema; documented in docs/cli.md).
CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kubecheck configuration (.kubecheck.yaml)",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "exclude": {"type": "array", "items": _ENTRY},
        "severity": {"type": "object", "additionalProperties": _SEVERITY},
        "fail_on": _SEVERITY,
        "scenarios": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "bounds": BOUNDS_SCHEMA,
        "images": IMAGES_SCHEMA,
        "caches": CACHES_SCHEMA,
        "kubernetes_version": VERSION_SCHEMA,
        "paths": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path", "exclude"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "exclude": {"type": "array", "items": _ENTRY, "minItems": 1},
                },
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Accepted findings from the configuration: these rules (``*``: all), under these path globs
    (none: everywhere), with a reason; ``file``/``line``/``field`` say where it was written."""

    rules: tuple[str, ...]
    reason: str
    paths: tuple[str, ...] = ()
    base: str = "."
    file: str = ""
    line: int = 1
    field: str = "--exclude"


@dataclass(frozen=True, slots=True)
class RepoConfig:
    """A validated ``.kubecheck.yaml``."""

    file: str
    exclusions: tuple[Exclusion, ...] = ()
    #: (rule ID, severity, line)
    severities: tuple[tuple[str, str, int], ...] = ()
    fail_on: str | None = None
    scenarios: tuple[str, ...] = ()
    #: (key, value, line); timeout/max_states 0 mean "no bound" (None), max_memory in bytes
    bounds: tuple[tuple[str, Any, int], ...] = ()
    #: image facts for every scenario, built-in ones included: (image, model.kubelet.ImageFacts, line)
    images: tuple[tuple[str, Any, int], ...] = ()
    #: ``caches:`` / ``kubernetes_version:`` for every scenario (``--caches`` / ``--kubernetes-version`` win); None: not set
    caches: str | None = None
    kubernetes_version: str | None = None


def discover_config(start: Path | None = None) -> Path | None:
    """``.kubecheck.yaml`` in ``start`` (the working directory) or the nearest parent; the search
    stops at the repository root (a directory holding ``.git``) or the filesystem root."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        cand = d / CONFIG_NAME
        if cand.is_file():
            return cand
        if (d / ".git").exists():
            return None
    return None


def parse_ignore(text: Any, *, reason_required: bool = True) -> tuple[tuple[str, ...], str]:
    """``"KC-ROLL-004, KC-ROLL-001: why"`` -> (rule IDs, reason); ValueError with the message."""
    if not isinstance(text, str):
        raise ValueError("must be a string 'RULE-ID[, RULE-ID...]: reason'")
    ids_text, sep, reason = text.partition(":")
    ids = tuple(x.strip() for x in ids_text.split(","))
    reason = reason.strip()
    if not ids_text.strip() or any(not x for x in ids):
        raise ValueError(f"{text!r}: expected 'RULE-ID[, RULE-ID...]: reason' (an empty rule ID)")
    if reason_required and not reason:
        raise ValueError(f"{text!r}: a reason is required after the rule IDs ('{ids_text.strip()}: why this is accepted')")
    return ids, reason


def _check_ids(ids: Iterable[str], known: list[str], where: str, allow_star: bool) -> None:
    for rid in ids:
        if rid == "*" and allow_star:
            continue
        if rid not in known:
            raise InvalidScenario(f"{where}: unknown rule ID {rid!r}; known: {', '.join(known)}")


def load_config(path: str, known_scenarios: Iterable[str] = ()) -> RepoConfig:
    """Read and validate a configuration file: one line ``FILE:LINE: FIELD: message`` on error.

    Rule IDs are checked later (:func:`check_rule_ids`), when the user's ``--rules`` are loaded."""
    import jsonschema

    from kubecheck.runner import parse_memory
    from kubecheck.scenarios import image_facts_of
    from kubecheck.scenarios import _best_error, _explain, _field, _Marks, _one_line
    from model.manifests import ManifestError, load_yaml_document

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidScenario(_one_line(path, 1, "(file)", f"cannot read: {exc}")) from None
    try:
        data, raw_marks = load_yaml_document(text, path)
    except ManifestError as exc:
        raise InvalidScenario(_one_line(path, exc.line or 1, exc.field or "(yaml)", exc.message)) from None
    if data is None:
        data = {}  # an empty file is a file with no settings
    marks = _Marks(raw_marks)
    errors = list(jsonschema.Draft202012Validator(CONFIG_SCHEMA).iter_errors(data))
    if errors:
        where, message = _explain(_best_error(errors))
        line = next((marks[where[:i]] for i in range(len(where), -1, -1) if where[:i] in marks), 1)
        raise InvalidScenario(_one_line(path, line, _field(where), message))
    base = str(Path(path).resolve().parent)
    exclusions: list[Exclusion] = []

    def entry(value: str, at: tuple[Any, ...], globs: tuple[str, ...]) -> Exclusion:
        try:
            ids, reason = parse_ignore(value, reason_required=False)
        except ValueError as exc:
            raise InvalidScenario(_one_line(path, marks.get(at), _field(at), str(exc))) from None
        return Exclusion(ids, reason or f"excluded in {path}", globs, base, path, marks.get(at), _field(at))

    for i, value in enumerate(data.get("exclude") or ()):
        exclusions.append(entry(value, ("exclude", i), ()))
    for i, item in enumerate(data.get("paths") or ()):
        for j, value in enumerate(item["exclude"]):
            exclusions.append(entry(value, ("paths", i, "exclude", j), (item["path"],)))
    known = list(known_scenarios)
    for i, name in enumerate(data.get("scenarios") or ()):
        if known and name not in known:
            raise InvalidScenario(_one_line(path, marks.get(("scenarios", i)), f"scenarios[{i}]",
                                            f"unknown scenario {name!r}; built-in: {', '.join(known)}"))
    bounds: list[tuple[str, Any, int]] = []
    for k, v in (data.get("bounds") or {}).items():
        line = marks.get(("bounds", k))
        if k == "timeout" and not math.isfinite(v):
            raise InvalidScenario(_one_line(path, line, f"bounds.{k}", f"{v} is not a finite number of seconds (0: none)"))
        if k in ("timeout", "max_states") and v == 0:
            v = None
        if k == "max_memory":
            try:
                v = parse_memory(str(v))
            except ValueError as exc:
                raise InvalidScenario(_one_line(path, line, f"bounds.{k}", str(exc))) from None
        bounds.append((k, v, line))
    return RepoConfig(
        file=path,
        exclusions=tuple(exclusions),
        severities=tuple((rid, sev, marks.get(("severity", rid))) for rid, sev in (data.get("severity") or {}).items()),
        fail_on=data.get("fail_on"),
        scenarios=tuple(data.get("scenarios") or ()),
        bounds=tuple(bounds),
        images=tuple((img, image_facts_of(facts), marks.get(("images", img))) for img, facts in (data.get("images") or {}).items()),
        caches=data.get("caches"),
        kubernetes_version=data.get("kubernetes_version"),
    )


def check_rule_ids(exclusions: Iterable[Exclusion], severities: Iterable[tuple[str, str]], known: list[str],
                   config_file: str = "", severity_lines: dict[str, int] | None = None) -> None:
    """Every rule ID of the configuration and of ``--exclude`` must exist: a typo would silently accept nothing."""
    for ex in exclusions:
        where = f"{ex.file}:{ex.line}: {ex.field}" if ex.file else "kubecheck: --exclude"
        _check_ids(ex.rules, known, where, allow_star=bool(ex.file))
    for rid, _sev in severities:
        line = (severity_lines or {}).get(rid, 1)
        _check_ids([rid], known, f"{config_file}:{line}: severity.{rid}" if config_file else "kubecheck: severity", False)


# ---------------------------------------------------------------------------------- annotations

#: An object's accepted rules: (rule IDs, reason, file, line of the annotation)
Ignore = tuple[tuple[str, ...], str, str, int]


def annotation_ignores(load: Any, known: list[str]) -> dict[tuple[str, str, str], Ignore]:
    """The ``kubecheck.io/ignore`` annotations of the loaded objects, validated (one line, exit 2)."""
    from model.objects import kind_of
    from model.validation import child

    field = child(child("metadata", "annotations"), ANNOTATION)
    out: dict[tuple[str, str, str], Ignore] = {}
    for obj in load.objects:
        value = obj.annotations.get(ANNOTATION) if obj.annotations else None
        if value is None:
            continue
        key = (kind_of(obj), obj.namespace, obj.name)
        loc = load.location(*key)
        at = loc.locate(field)
        where = f"{at.file}:{at.line}: {field}"
        try:
            ids, reason = parse_ignore(value)
        except ValueError as exc:
            raise InvalidScenario(f"{where}: {exc}") from None
        _check_ids(ids, known, where, allow_star=False)
        out[key] = (ids, reason, at.file, at.line)
    return out


def _parse_key(text: str) -> tuple[str, str, str] | None:
    kind, _, rest = text.partition(" ")
    ns, _, name = rest.rpartition("/")
    return (kind, ns, name) if kind and name else None


def _under(file: str, globs: tuple[str, ...], base: str) -> bool:
    if not file or file in ("<stdin>", "-"):
        return False
    p = Path(file).resolve()
    try:
        rel = p.relative_to(base).as_posix()
    except ValueError:
        rel = p.as_posix()
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(file, g) for g in globs)


def apply_suppressions(findings: Iterable[Any], load: Any, ignores: dict[tuple[str, str, str], Ignore],
                       exclusions: Iterable[Exclusion]) -> list[Any]:
    """Mark the accepted findings (:class:`kubecheck.runner.Suppression`); nothing is dropped.

    The annotation wins over the configuration (it is the more specific statement)."""
    from kubecheck.runner import Suppression

    exclusions = list(exclusions)
    out = []
    for f in findings:
        keys = [k for o in f.objects if (k := _parse_key(o)) is not None]
        sup = None
        for k in keys:
            ig = ignores.get(k)
            if ig is not None and f.rule_id in ig[0]:
                sup = Suppression("inSource", f"{ig[1]} ({ANNOTATION} on {k[0]} {k[1]}/{k[2]})", ig[2], ig[3])
                break
        if sup is None:
            files = {load.locations[k].file for k in keys if k in load.locations}
            if f.location is not None:
                files |= {f.location.file, f.location.template}
            for ex in exclusions:
                if (f.rule_id in ex.rules or "*" in ex.rules) and (not ex.paths or any(_under(x, ex.paths, ex.base) for x in files)):
                    sup = Suppression("external", ex.reason, ex.file, ex.line)
                    break
        out.append(replace(f, suppression=sup) if sup is not None else f)
    return out
