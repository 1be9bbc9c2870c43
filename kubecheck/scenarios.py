"""Scenarios for ``kubecheck check``: the built-in library, YAML scenario files, settling.

A *scenario* says what the environment may do after the manifests have been applied and the
cluster has settled: user actions (``kubectl set image``, ``scale``, ``rollout undo``...) and a
fault budget (container crashes, node failures...).  Each scenario is explored on its own, from
the same settled state, so a verdict names the scenario that produced it.

Built-in scenarios (:data:`BUILTIN`), built from the workloads the *user wrote* (objects without a
controller owner):

=================  ===============================================================================
``rollout``        ``kubectl set image`` on every Deployment, StatefulSet, ReplicaSet and RC, each
                   container to ``<image>-next``, once each
``scale``          ``kubectl scale`` every workload to replicas+1 and to replicas-1 (each once)
``rollback``       the rollout, then ``kubectl rollout undo`` on every Deployment
``node-failure``   one node may fail (stop reporting Ready) once
``pod-crash``      one container may crash once
``sandbox-death``  one pod sandbox may die once
``force-delete``   one pod may be force-deleted once
``controller-crash``  the rollout, and one controller may crash in the middle of a reconcile
                   (a crash needs pending writes, which only a change produces)
=================  ===============================================================================

The default (no ``--scenario``) is ``rollout`` and ``pod-crash``.

``settle(system, state, max_steps)`` runs fair actions deterministically (always the first enabled
one) until nothing is enabled: the cluster as it is once the manifests have been applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import yaml

from kubecheck.errors import InvalidScenario
from model.environment import (
    DeleteObject,
    FaultBudget,
    PauseDeployment,
    RelabelPods,
    ResumeDeployment,
    RollbackDeployment,
    ScaleWorkload,
    SetImage,
    UserAction,
)
from model.frozen import FrozenMap
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

__all__ = [
    "BUILTIN",
    "DEFAULT_SCENARIOS",
    "SETTLE_LIMIT",
    "ScenarioSpec",
    "SettleResult",
    "settle",
    "builtin",
    "load_scenario_file",
    "SCENARIO_SCHEMA",
    "top_level_workloads",
]

#: Steps :func:`settle` takes before it gives up and reports non-convergence.
SETTLE_LIMIT = 2_000

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A named scenario before it meets a cluster: user actions, faults, options and bounds.

    ``bounds`` (from a scenario file) override the command line's for this scenario;
    ``properties`` (rule IDs) restrict the rules checked in it.
    """

    name: str
    description: str
    user_actions: tuple[tuple[UserAction, int], ...] = ()
    faults: FaultBudget = field(default_factory=FaultBudget)
    granularity: str | None = None
    stale_reads: bool = False
    bounds: tuple[tuple[str, Any], ...] = ()
    properties: tuple[str, ...] | None = None

    def to_scenario(self, initial: ClusterState, granularity: str) -> Scenario:
        return Scenario(
            initial=initial,
            user_actions=self.user_actions,
            faults=self.faults,
            granularity=self.granularity or granularity,  # type: ignore[arg-type]
            stale_reads=self.stale_reads,
            name=self.name,
        )


# ------------------------------------------------------------------------------- settling


@dataclass(frozen=True, slots=True)
class SettleResult:
    """The state :func:`settle` stopped in, how many steps it took, and whether it is quiescent."""

    state: SystemState
    steps: int
    settled: bool
    labels: tuple[str, ...] = ()
    #: every step taken: (index of the action in ``successors(state)``, the action, the state after it)
    path: tuple[tuple[int, Any, SystemState], ...] = ()


def settle(system: KubeSystem, state: SystemState, max_steps: int = SETTLE_LIMIT) -> SettleResult:
    """Take the first enabled fair action until none is enabled, at most ``max_steps`` times.

    Deterministic: the same manifests always settle to the same state.  Unfair actions (user
    actions, faults) are never taken.  ``path`` records every step (a real run from the loaded
    state), so the runner can check the safety rules along start-up.  ``settled=False`` means the controllers were still changing
    the cluster after ``max_steps`` steps (a finding about convergence, not a crash).
    """
    labels: list[str] = []
    path: list[tuple[int, Any, SystemState]] = []
    for n in range(max_steps):
        fair = [(i, a, s) for i, (a, s) in enumerate(system.successors(state)) if a.fair]
        if not fair:
            return SettleResult(state, n, True, tuple(labels), tuple(path))
        i, action, state = fair[0]
        labels.append(action.label)
        path.append((i, action, state))
    settled = not any(a.fair for a, _ in system.successors(state))
    return SettleResult(state, max_steps, settled, tuple(labels), tuple(path))


# ------------------------------------------------------------------------------- built-ins


def top_level_workloads(cluster: ClusterState) -> list[Any]:
    """Workloads the user wrote: Deployments, StatefulSets, RSs and RCs without a controller owner."""
    out = []
    for kind in WORKLOAD_KINDS:
        for obj in cluster.objects(kind):
            if obj.controller_ref() is None and obj.deletion_timestamp is None:
                out.append(obj)
    return out


def _kind(obj: Any) -> str:
    from model.objects import kind_of

    return kind_of(obj)


def _rollout_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    out: list[tuple[UserAction, int]] = []
    for w in top_level_workloads(cluster):
        for c in w.template.containers:
            out.append((SetImage(_kind(w), w.name, f"{c.image}-next", container=c.name, namespace=w.namespace), 1))
    return out


def _scale_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    out: list[tuple[UserAction, int]] = []
    for w in top_level_workloads(cluster):
        out.append((ScaleWorkload(_kind(w), w.name, w.replicas + 1, namespace=w.namespace), 1))
        if w.replicas >= 1:
            out.append((ScaleWorkload(_kind(w), w.name, w.replicas - 1, namespace=w.namespace), 1))
    return out


def _rollback_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    out = _rollout_actions(cluster)
    for d in cluster.objects("Deployment"):
        if d.controller_ref() is None:
            out.append((RollbackDeployment(d.name, namespace=d.namespace), 1))
    return out


_BUILTIN_TEXT = {
    "rollout": "kubectl set image on every workload (each container to <image>-next), once each",
    "scale": "kubectl scale every workload to replicas+1 and to replicas-1, once each",
    "rollback": "the rollout, then kubectl rollout undo on every Deployment",
    "node-failure": "one node may stop reporting Ready, once",
    "pod-crash": "one container may crash, once",
    "sandbox-death": "one pod sandbox may die, once",
    "force-delete": "one pod may be force-deleted (grace period 0), once",
    "controller-crash": "the rollout, and one controller may crash in the middle of a reconcile, once",
}

#: Built-in scenario names, in documentation order.
BUILTIN: tuple[str, ...] = tuple(_BUILTIN_TEXT)
DEFAULT_SCENARIOS: tuple[str, ...] = ("rollout", "pod-crash")


def builtin(name: str, cluster: ClusterState) -> ScenarioSpec:
    """The built-in scenario ``name`` for the workloads in ``cluster``."""
    if name not in _BUILTIN_TEXT:
        raise InvalidScenario(f"unknown scenario {name!r}; built-in scenarios: {', '.join(BUILTIN)}")
    text = _BUILTIN_TEXT[name]
    actions: list[tuple[UserAction, int]] = []
    faults = FaultBudget()
    if name == "rollout":
        actions = _rollout_actions(cluster)
    elif name == "scale":
        actions = _scale_actions(cluster)
    elif name == "rollback":
        actions = _rollback_actions(cluster)
    elif name == "node-failure":
        faults = FaultBudget(node_failure=1)
    elif name == "pod-crash":
        faults = FaultBudget(container_crash=1)
    elif name == "sandbox-death":
        faults = FaultBudget(sandbox_death=1)
    elif name == "force-delete":
        faults = FaultBudget(force_delete=1)
    elif name == "controller-crash":
        actions = _rollout_actions(cluster)
        faults = FaultBudget(controller_crash=1)
    return ScenarioSpec(name, text, tuple(actions), faults)


# -------------------------------------------------------------------------- scenario files

_NAME = {"type": "string", "minLength": 1}
_NS = {"type": "string", "minLength": 1}
_COUNT = {"type": "integer", "minimum": 1}
_KIND = {"enum": list(WORKLOAD_KINDS)}


def _action(key: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [key],
        "properties": {
            key: {"type": "object", "additionalProperties": False, "required": required, "properties": props},
            "count": _COUNT,
        },
    }


#: JSON Schema of a scenario file (validated with jsonschema; documented in docs/cli.md).
SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kubecheck scenario file",
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"},
        "description": {"type": "string"},
        "granularity": {"enum": ["write", "reconcile"]},
        "stale_reads": {"type": "boolean"},
        "properties": {"type": "array", "items": {"type": "string"}},
        "actions": {
            "type": "array",
            "items": {
                "oneOf": [
                    _action("set-image", {"kind": _KIND, "name": _NAME, "image": _NAME, "container": _NAME, "namespace": _NS}, ["kind", "name", "image"]),
                    _action("scale", {"kind": _KIND, "name": _NAME, "replicas": {"type": "integer", "minimum": 0}, "namespace": _NS}, ["kind", "name", "replicas"]),
                    _action("rollback", {"name": _NAME, "revision": {"type": "integer", "minimum": 0}, "namespace": _NS}, ["name"]),
                    _action("pause", {"name": _NAME, "namespace": _NS}, ["name"]),
                    _action("resume", {"name": _NAME, "namespace": _NS}, ["name"]),
                    _action(
                        "delete",
                        {"kind": {"type": "string"}, "name": _NAME, "namespace": _NS, "propagation": {"enum": ["Background", "Foreground", "Orphan"]}},
                        ["kind", "name"],
                    ),
                    _action(
                        "relabel-pods",
                        {
                            "match": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
                            "labels": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
                            "namespace": _NS,
                        },
                        ["match", "labels"],
                    ),
                ]
            },
        },
        "faults": {
            "type": "object",
            "additionalProperties": False,
            "properties": {f: {"type": "integer", "minimum": 0} for f in FaultBudget.__dataclass_fields__},
        },
        "bounds": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_depth": {"type": "integer", "minimum": 0},
                "max_states": {"type": "integer", "minimum": 1},
                "timeout": {"type": "number", "exclusiveMinimum": 0},
                "max_memory": {"type": ["string", "integer"]},
            },
        },
    },
}


def _marks(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[path + (key,)] = k.start_mark.line + 1
            _marks(v, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _marks(v, path + (i,), out)


def _field(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


def _best_error(errors: list[Any]) -> Any:
    import jsonschema

    return jsonschema.exceptions.best_match(errors)


def _one_line(file: str, line: int, field_: str, msg: str) -> str:
    return f"{file}:{line}: {field_}: {msg}"


def _build_action(entry: dict[str, Any]) -> tuple[UserAction, int]:
    count = int(entry.get("count", 1))
    (key, a), = ((k, v) for k, v in entry.items() if k != "count")
    ns = a.get("namespace", "default")
    if key == "set-image":
        return SetImage(a["kind"], a["name"], a["image"], container=a.get("container"), namespace=ns), count
    if key == "scale":
        return ScaleWorkload(a["kind"], a["name"], a["replicas"], namespace=ns), count
    if key == "rollback":
        return RollbackDeployment(a["name"], a.get("revision", 0), namespace=ns), count
    if key == "pause":
        return PauseDeployment(a["name"], namespace=ns), count
    if key == "resume":
        return ResumeDeployment(a["name"], namespace=ns), count
    if key == "delete":
        return DeleteObject(a["kind"], a["name"], a.get("propagation", "Background"), namespace=ns), count
    return RelabelPods(FrozenMap(a["match"]), FrozenMap(a["labels"]), namespace=ns), count


def load_scenario_file(path: str, known_rules: Iterable[str] | None = None) -> ScenarioSpec:
    """Read and validate a YAML scenario file; an error is one line ``FILE:LINE: FIELD: message``.

    With ``known_rules`` (the catalogue's IDs plus the user's), every ID in ``properties:`` must be
    one of them: a typo would otherwise select nothing, silently.
    """
    import jsonschema

    from kubecheck.runner import parse_memory

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidScenario(_one_line(path, 1, "(file)", f"cannot read: {exc}")) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise InvalidScenario(_one_line(path, line, "(yaml)", str(getattr(exc, "problem", exc)))) from None
    marks: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _marks(node, (), marks)
    errors = list(jsonschema.Draft202012Validator(SCENARIO_SCHEMA).iter_errors(data))
    if errors:
        err = _best_error(errors)
        where = tuple(err.absolute_path)
        line = next((marks[where[:i]] for i in range(len(where), -1, -1) if where[:i] in marks), 1)
        raise InvalidScenario(_one_line(path, line, _field(where), err.message))
    if known_rules is not None:
        known = list(dict.fromkeys(known_rules))
        for i, rid in enumerate(data.get("properties") or ()):
            if rid not in known:
                raise InvalidScenario(_one_line(
                    path, marks.get(("properties", i), marks.get(("properties",), 1)), f"properties[{i}]",
                    f"unknown rule ID {rid!r}; known: {', '.join(known)}",
                ))
    bounds: list[tuple[str, Any]] = []
    for k, v in (data.get("bounds") or {}).items():
        if k == "max_memory":
            try:
                v = parse_memory(str(v))
            except ValueError as exc:
                raise InvalidScenario(_one_line(path, marks.get(("bounds", k), 1), f"bounds.{k}", str(exc))) from None
        bounds.append((k, v))
    actions = tuple(_build_action(a) for a in data.get("actions") or ())
    return ScenarioSpec(
        name=data["name"],
        description=data.get("description", f"scenario file {path}"),
        user_actions=actions,
        faults=FaultBudget(**(data.get("faults") or {})),
        granularity=data.get("granularity"),
        stale_reads=bool(data.get("stale_reads", False)),
        bounds=tuple(bounds),
        properties=tuple(data["properties"]) if "properties" in data else None,
    )


def with_nodes(objects: tuple[Any, ...], n: int) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """``objects`` plus ``n`` identical Ready nodes when they contain no Node; and the names added."""
    from model.objects import Node, kind_of

    if any(kind_of(o) == "Node" for o in objects) or n <= 0:
        return objects, ()
    names = tuple(f"node-{i + 1}" for i in range(n))
    return objects + tuple(Node(name=nm) for nm in names), names


def replace_initial(scenario: Scenario, initial: ClusterState) -> Scenario:
    return replace(scenario, initial=initial)
