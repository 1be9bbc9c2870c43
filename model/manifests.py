"""Load Kubernetes manifests into model objects, defaulted and validated as the API server would.

>>> result = load_text('''
... apiVersion: apps/v1
... kind: ReplicaSet
... metadata: {name: web}
... spec:
...   selector: {matchLabels: {app: web}}
...   template:
...     metadata: {labels: {app: web}}
...     spec: {containers: [{name: c, image: nginx}]}
... ''', "rs.yaml")
>>> rs = result.objects[0]
>>> (rs.name, rs.namespace, rs.replicas, rs.template.restart_policy)
('web', 'default', 1, 'Always')
>>> result.locations[("ReplicaSet", "default", "web")].line_of("spec.selector.matchLabels.app")
6

Pipeline per YAML document (``kind: List`` and typed lists such as ``DeploymentList`` are
flattened into their ``items``):

1. The stream is cut into documents as kubectl cuts it (a ``---`` line, a comment may follow);
   each is parsed by libyaml through PyYAML (``CParser``; no hand-written parser) and composed
   into nodes with a node-count and depth limit, then walked into plain data, recording the line
   and column of every field path; alias and merge-key expansion is bounded as go-yaml bounds it.
   Loading cannot hang: see "YAML -> data" below and docs/cli.md#manifest-limits.
2. ``apiVersion``/``kind`` pick the kind; kinds kubecheck does not model are *skipped* (reported
   in :attr:`LoadResult.skipped`), never an error.
3. :func:`model.validation.decode` checks JSON types against the kind's schema, :mod:`model.defaults`
   applies upstream defaulting, the kind's validator (``model.validation``) upstream validation: each
   taken from the kind's record (``model.kinds``).
4. The record's builder makes a frozen model object (``model.objects``), keyed by (kind, namespace, name).

Every problem becomes a :class:`model.errors.ManifestError`, one line each
(``FILE:LINE: FIELD.PATH: message``), collected in :attr:`LoadResult.errors`; loading never
raises for bad input. ``python -m model.manifests PATH...`` prints a summary or the errors
(exit status 2). See docs/semantics.md#manifests for what is modelled and what is skipped.
"""

from __future__ import annotations

import contextlib
import gc
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

try:  # libyaml's parser when PyYAML was built with it (5x faster; go-yaml is a port of libyaml)
    import yaml.cyaml

    _CParser: Any = getattr(yaml.cyaml, "CParser", None)
except ImportError:  # pragma: no cover
    _CParser = None

from model.conversion import CONVERSIONS, Conversion, removed_api_reason
from model.strict import unknown_fields
from model.references import POD_BEARING_KINDS, Reference, declared_keys, pod_references
from model.defaults import set_defaults
from model.errors import ManifestError
from model.frozen import EMPTY, FrozenMap
from model.objects import (
    KIND_INFO,
    ContainerSpec,
    Deployment,
    DeploymentStrategy,
    Node as NodeObject,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    OwnerReference,
    ProbeTiming,
    PersistentVolumeClaim,
    PersistentVolumeClaimTemplate,
    Pod,
    PodAffinityTerm,
    TopologySpreadConstraint,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    MetricSpec,
    PodTemplate,
    PVCRetentionPolicy,
    ReplicaSet,
    ReplicationController,
    Service,
    StatefulSet,
    StatefulSetUpdateStrategy,
    DaemonSet,
    DaemonSetUpdateStrategy,
    Taint,
    Toleration,
    Volume,
    kind_of,
)
from model.state import ClusterState
from model.validation import (
    FieldError,
    child,
    decode,
    index,
    json_type,
    label_selector_from_data,
)

__all__ = [
    "ManifestError",
    "SourceLocation",
    "SkippedObject",
    "IgnoredField",
    "VERDICT_RELEVANT_POD_FIELDS",
    "VERDICT_RELEVANT_CONTAINER_FIELDS",
    "LoadResult",
    "ObjectKey",
    "MODELLED_KINDS",
    "load_text",
    "load_manifests",
    "load_yaml_document",
    "summarize",
    "main",
]

#: (kind, namespace, name); cluster-scoped kinds (Node) have namespace "".
ObjectKey = tuple[str, str, str]

#: The kinds (and their only accepted apiVersion) that the model loads.
MODELLED_KINDS: Final[Mapping[str, str]] = {
    k.name: k.api_version for k in sorted((k for k in KIND_INFO if k.manifest_rank is not None), key=lambda k: k.manifest_rank or 0)
}
_CLUSTER_SCOPED: Final = frozenset({"Node"})
_MANIFEST_SUFFIXES: Final = (".yaml", ".yml", ".json")
#: Limits per YAML document (see "YAML -> data"); each is a one-line error at the line where it is hit.
_MAX_DOCUMENT_CHARS: Final = 32 * 1024 * 1024
_MAX_NODES: Final = 3_000_000  # composed nodes (an alias counts once; its expansion is bounded separately)
_MAX_DEPTH: Final = 100
_MAX_LIST_NESTING: Final = 8


# ================================================================================ results


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where an object (or one of its fields) is written: 1-based line and column.

    ``fields`` maps field paths relative to the object (``spec.strategy.rollingUpdate.maxSurge``,
    ``spec.template.spec.containers[0].image``) to their (line, column).
    """

    file: str
    line: int
    column: int = 1
    fields: FrozenMap[str, tuple[int, int]] = field(default=EMPTY, repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def locate(self, path: str) -> "SourceLocation":
        """The location of ``path``, or of its nearest written ancestor, or of the object."""
        line, column = _lookup(self.fields, path, (self.line, self.column))
        return SourceLocation(self.file, line, column)

    def line_of(self, path: str) -> int:
        """The line of ``path`` (or of its nearest written ancestor)."""
        return self.locate(path).line


@dataclass(frozen=True, slots=True)
class SkippedObject:
    """A document kubecheck does not model (another kind or apiVersion): reported, not loaded."""

    file: str
    line: int
    kind: str
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: skipped {self.kind} {self.name or '<unnamed>'}: {self.reason}"


@dataclass(frozen=True, slots=True)
class IgnoredField:
    """A field that could change a verdict but that the model does not read (docs/cli.md, "Ignored fields").

    Listed once per run as a warning: ``ignored: priorityClassName on statefulset/zk (zk.yaml:21)``.
    """

    file: str
    line: int
    kind: str
    namespace: str
    name: str
    field: str

    def __str__(self) -> str:
        ns = f" in namespace {self.namespace}" if self.namespace not in ("", "default") else ""
        return f"ignored: {self.field} on {self.kind.lower()}/{self.name}{ns} ({self.file}:{self.line})"


#: Pod spec fields (relative to the pod spec) that can change what the cluster does -- where a pod
#: may run, whether it starts, becomes Ready or stays up -- and that the model does not read; each
#: is reported once per object (docs/cli.md#ignored-fields). Container fields are checked in every
#: init and app container. Shown name -> path.
VERDICT_RELEVANT_POD_FIELDS: Final[Mapping[str, str]] = {
    "preferred node affinity": "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution",
    "preferred podAffinity": "affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution",
    "preferred podAntiAffinity": "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution",
    "priorityClassName": "priorityClassName",
    "priority": "priority",
    "schedulerName": "schedulerName",
    "nodeName in a pod template": "nodeName",
    "readinessGates": "readinessGates",
    "runtimeClassName": "runtimeClassName",
    "overhead": "overhead",
    # its host ports are read (``_host_ports``); the node's IP for the pod and its network are not
    "hostNetwork (beyond the host ports it gives every containerPort)": "hostNetwork",
    "activeDeadlineSeconds": "activeDeadlineSeconds",
}
VERDICT_RELEVANT_CONTAINER_FIELDS: Final[Mapping[str, str]] = {
    "resources": "resources",
    "livenessProbe": "livenessProbe",
    "startupProbe": "startupProbe",
    "hostPort in an init container": "ports[].hostPort",
}


def _claim_volume(kind: str, obj: Mapping[str, Any], spec: Mapping[str, Any]) -> int | None:
    """Index of the first ``persistentVolumeClaim`` volume of a pod spec whose claim the model does not read.

    The model keeps only the claim's name (``Volume.claim_name``): its existence, access modes and
    attachment decide nothing.  Upstream they keep a pod from running: the scheduler's VolumeRestrictions
    plugin (pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go) refuses a pod whose
    claim is not found (UnschedulableAndUnresolvable) and a second pod of a ``ReadWriteOncePod`` claim
    (ErrReasonReadWriteOncePodConflict), VolumeBinding waits for an unbound claim, and the attach/detach
    controller refuses to attach a ``ReadWriteOnce`` volume of a non-multi-attach plugin to a second node
    (pkg/controller/volume/attachdetach/reconciler/reconciler.go, "Multi-Attach error").  So a surge
    pod of a Deployment sharing one such claim may never start.  A StatefulSet template volume that a
    claim template of the same name replaces (``updateStorage``) is the set's own per-ordinal claim,
    which the StatefulSet model creates and binds (docs/semantics.md, "PVCs"): not listed.
    """
    templates: set[str] = set()
    if kind == "StatefulSet":
        templates = {t.get("metadata", {}).get("name") for t in obj.get("spec", {}).get("volumeClaimTemplates") or ()
                     if isinstance(t, dict) and isinstance(t.get("metadata"), dict)}
    for i, volume in enumerate(spec.get("volumes") or ()):
        if isinstance(volume, dict) and isinstance(volume.get("persistentVolumeClaim"), dict) and volume.get("name") not in templates:
            return i
    return None


def _ignored_fields(kind: str, obj: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(shown name, field path) of every verdict-relevant field ``obj`` sets and the model ignores."""
    if kind == "Pod":
        spec_path, spec = "spec", obj.get("spec", {})
    elif kind in ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet"):
        spec_path, spec = "spec.template.spec", obj.get("spec", {}).get("template", {}).get("spec", {})
    else:
        return []
    out: list[tuple[str, str]] = []
    for shown, path in VERDICT_RELEVANT_POD_FIELDS.items():
        if shown == "nodeName in a pod template" and kind == "Pod":
            continue  # a Pod's own nodeName is modelled (it is bound)
        value: Any = spec
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, "", [], {}, False):
            out.append((shown, f"{spec_path}.{path}"))
    affinity = spec.get("affinity") if isinstance(spec.get("affinity"), dict) else {}
    for group in ("podAffinity", "podAntiAffinity"):
        terms = (affinity.get(group) or {}).get("requiredDuringSchedulingIgnoredDuringExecution") \
            if isinstance(affinity.get(group), dict) else None
        for i, term in enumerate(terms if isinstance(terms, list) else ()):
            if not isinstance(term, dict):
                continue
            ns_selector = term.get("namespaceSelector")
            if isinstance(ns_selector, dict) and (ns_selector.get("matchLabels") or ns_selector.get("matchExpressions")):
                out.append((f"namespaceSelector in a required {group} term",
                            f"{spec_path}.affinity.{group}.requiredDuringSchedulingIgnoredDuringExecution[{i}].namespaceSelector"))
    spread = spec.get("topologySpreadConstraints")
    for i, c in enumerate(spread if isinstance(spread, list) else ()):
        # only DoNotSchedule constraints filter (podtopologyspread/common.go filterTopologySpreadConstraints);
        # ScheduleAnyway ones score, which is nondeterminism here, but they can change where upstream places a pod
        if isinstance(c, dict) and c.get("whenUnsatisfiable") == "ScheduleAnyway":
            out.append(("topologySpreadConstraints with whenUnsatisfiable ScheduleAnyway",
                        f"{spec_path}.topologySpreadConstraints[{i}]"))
    claim = _claim_volume(kind, obj, spec)
    if claim is not None:
        out.append(("persistentVolumeClaim volume", f"{spec_path}.volumes[{claim}].persistentVolumeClaim"))
    containers = [(g, i, c) for g in ("initContainers", "containers") for i, c in enumerate(spec.get(g) or ())
                  if isinstance(c, dict)]
    for shown, path in VERDICT_RELEVANT_CONTAINER_FIELDS.items():
        for group, i, c in containers:
            if path == "ports[].hostPort":
                # the NodePorts filter reads spec.containers only (node_ports.go getContainerPorts)
                hit = None if group == "containers" else next(
                    (f"ports[{j}].hostPort" for j, port in enumerate(c.get("ports") or ())
                     if isinstance(port, dict) and port.get("hostPort")), None)
            else:
                hit = path if c.get(path) not in (None, {}, []) else None
            if hit is not None:
                out.append((shown, f"{spec_path}.{group}[{i}].{hit}"))
                break  # once per object
    return out


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The outcome of loading manifests.

    ``objects`` are model objects in manifest order (``creation_index`` = that order);
    ``locations`` maps (kind, namespace, name) to where each was written; ``skipped`` lists the
    documents of other kinds; ``errors`` every problem, one :class:`ManifestError` each.
    """

    objects: tuple[Any, ...] = ()
    locations: FrozenMap[ObjectKey, SourceLocation] = field(default=EMPTY)
    skipped: tuple[SkippedObject, ...] = ()
    errors: tuple[ManifestError, ...] = ()
    files: tuple[str, ...] = ()
    #: verdict-relevant fields the model ignores, one per (object, field), in manifest order
    ignored: tuple[IgnoredField, ...] = ()
    #: what the modelled objects' pod specs name and need (``model.references``), in manifest order
    references: tuple[Reference, ...] = ()
    #: (kind, namespace, name) of every document, loaded or skipped, -> the keys of a ConfigMap or Secret
    #: (``model.references.declared_keys``; None for other kinds): what ``missing_references`` looks them up in
    declared: FrozenMap[tuple[str, str, str], tuple[frozenset[str], frozenset[str]] | None] = field(default=EMPTY)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_on_error(self) -> "LoadResult":
        """Raise the first error (all of them are on ``.errors`` of the exception); else self."""
        if self.errors:
            first = self.errors[0]
            first.all_errors = self.errors  # type: ignore[attr-defined]
            raise first
        return self

    def location(self, kind: str, namespace: str, name: str, path: str = "") -> SourceLocation:
        """Where an object (or a field of it, by path) is written. KeyError if not loaded."""
        loc = self.locations[(kind, namespace, name)]
        return loc.locate(path) if path else loc

    def nothing_loaded(self, where: str) -> str:
        """The one line for a load with no model object: what was skipped, by kind, if anything.

        "nothing to check in a.yaml: kubecheck models none of its objects (skipped: 3 ConfigMap,
        1 Ingress; modelled: apps/v1 Deployment, ...)"; "no Kubernetes objects found in a.yaml" when
        nothing was skipped. When a skipped object is of a modelled kind (a removed apiVersion such as
        ``extensions/v1beta1`` Deployment, an HPA on a Pods metric), the first such skip follows, with
        its reason: "...; first of a modelled kind: a.yaml:1: skipped Deployment web: apiVersion
        extensions/v1beta1 was removed in Kubernetes 1.16 (...); use apps/v1".
        """
        if not self.skipped:
            return f"no Kubernetes objects found in {where}"
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.kind] = counts.get(s.kind, 0) + 1
        kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        modelled = ", ".join(f"{v} {k}" for k, v in MODELLED_KINDS.items())
        line = f"nothing to check in {where}: kubecheck models none of its objects (skipped: {kinds}; modelled: {modelled})"
        ours = next((s for s in self.skipped if s.kind in MODELLED_KINDS), None)
        return line if ours is None else f"{line}; first of a modelled kind: {ours}"

    def no_workload(self, where: str, kinds: Sequence[str]) -> str:
        """The one line for a load with objects but none of the workload ``kinds``: "no workload (Deployment, ...)
        in a.yaml: nothing to check", and when a skipped object is of one of those kinds (a removed apiVersion such
        as an ``extensions/v1beta1`` Deployment), the first such skip with its file, line and reason, and how many
        more there are."""
        line = f"no workload ({', '.join(kinds)}) in {where}: nothing to check"
        ours = [s for s in self.skipped if s.kind in kinds]
        if not ours:
            return line
        more = f" (and {len(ours) - 1} more skipped workload{'s' if len(ours) > 2 else ''})" if len(ours) > 1 else ""
        return f"{line}; {ours[0]}{more}"

    def to_state(self) -> ClusterState:
        """The loaded objects as a ``ClusterState`` (UIDs ``uid-<n>`` in manifest order).

        Raises the first :class:`ManifestError` if loading failed: a broken manifest set is
        never model-checked.
        """
        self.raise_on_error()
        return ClusterState.from_objects(self.objects)


# ============================================================================ YAML -> data
#
# Loading cannot be made to hang: every cost is bounded by the input's size.
#
# * The text is cut into documents the way kubectl's YAMLReader cuts it (a line starting with
#   ``---`` followed only by blanks or a ``# comment``), and each document is parsed on its own:
#   a syntax error costs only its document, the others are still loaded.
# * A document is at most :data:`_MAX_DOCUMENT_CHARS` characters and :data:`_MAX_NODES` composed
#   nodes, nested at most :data:`_MAX_DEPTH` levels; these are checked while PyYAML composes it
#   (:class:`_BoundedComposer`), so each error carries the line where the limit was hit.
# * Alias and merge-key (``<<``) expansion is bounded like go-yaml v2 (gopkg.in/yaml.v2 decode.go,
#   which sigs.k8s.io/yaml, and so kubectl, decodes with): once more than 100 of more than 1,000
#   decoded nodes came through an alias, their share may not exceed 99% (up to 400,000 decoded
#   nodes), falling linearly to 10% at 4,000,000 -- "document contains excessive aliasing". The
#   work of expanding is then at most ~100 x the composed nodes below 400,000 decodes and
#   ~1.1 x above 4,000,000: linear. The scalars decoded through aliases may total at most
#   :data:`_MAX_DOCUMENT_CHARS` characters (the size bound: a long string aliased 500 times).
#   An anchor whose value contains itself, through an alias or a merge key, is refused.


class _YamlProblem(Exception):
    def __init__(self, node: Node, path: str, message: str, at: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.line, self.column = at or (node.start_mark.line + 1, node.start_mark.column + 1)
        self.path = path
        self.message = message


_TAG: Final = "tag:yaml.org,2002:"
_COLLECTION_TAGS: Final = frozenset({_TAG + "map", _TAG + "omap", _TAG + "set", _TAG + "seq", _TAG + "pairs"})
_CONSTRUCTOR: Final = SafeConstructor()
_GO_YAML_V2_BOOLS: Final = {"y": True, "Y": True, "n": False, "N": False}
#: go-yaml v2 (decode.go, ``allowedAliasRatio``): the alias share allowed falls from 99% to 10%
#: between these decode counts.
_ALIAS_RATIO_RANGE_LOW: Final = 400_000
_ALIAS_RATIO_RANGE_HIGH: Final = 4_000_000


def _allowed_alias_ratio(decode_count: int) -> float:
    """go-yaml v2 ``allowedAliasRatio`` (gopkg.in/yaml.v2 decode.go), verbatim."""
    if decode_count <= _ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if decode_count >= _ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    span = _ALIAS_RATIO_RANGE_HIGH - _ALIAS_RATIO_RANGE_LOW
    return 0.99 - 0.89 * ((decode_count - _ALIAS_RATIO_RANGE_LOW) / span)


class _BoundedComposer(Composer):
    """PyYAML's composer with a node-count and a nesting limit, checked as each node is composed.

    Both errors are ``ComposerError`` s at the node's mark, so they carry its line (PyYAML's own
    composer recurses without a limit and runs into ``RecursionError``, which has no line). It also
    remembers the anchor name of every anchored node (for "anchor 'a' value contains itself" and
    to tell a node's first visit from an alias expansion).
    """

    if TYPE_CHECKING:  # provided by the parser it is mixed with

        def peek_event(self) -> Any: ...

    def _reset_limits(self) -> None:
        self.composed = 0
        self.depth = 0
        self.anchor_names: dict[int, str] = {}

    def compose_document(self) -> Node | None:
        self._reset_limits()
        node: Node | None = super().compose_document()
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        self.composed += 1
        if self.composed > _MAX_NODES:
            raise ComposerError(None, None, f"document too large: more than {_MAX_NODES:,} YAML nodes", event.start_mark)
        if self.depth >= _MAX_DEPTH:
            raise ComposerError(None, None, f"nesting deeper than {_MAX_DEPTH} levels", event.start_mark)
        self.depth += 1
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, AliasEvent):
            self.anchor_names[id(node)] = anchor
        return node


if _CParser is not None:  # libyaml's parser (what go-yaml is a port of), our composer on its events

    class _YamlLoader(_BoundedComposer, _CParser, Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)
            self._reset_limits()

else:  # pragma: no cover - PyYAML built without libyaml

    class _YamlLoader(Reader, Scanner, Parser, _BoundedComposer, Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _BoundedComposer.__init__(self)
            Resolver.__init__(self)
            self._reset_limits()


@dataclass(slots=True)
class _Walk:
    """The state of walking one composed document into data (see the section comment)."""

    marks: dict[str, tuple[int, int]]
    anchors: dict[int, str]
    line0: int = 0  # lines before this document in its file
    decoded: int = 0  # go-yaml's decodeCount
    aliased: int = 0  # go-yaml's aliasCount
    seen: set[int] = field(default_factory=set)  # anchored nodes visited once (a second visit is an alias)
    entry: tuple[str, tuple[int, int]] = ("", (1, 1))  # the path and mark of the latest alias expanded
    alias_chars: int = 0  # characters of scalars decoded through aliases (the size bound)
    stack: set[int] = field(default_factory=set)
    #: a repeated mapping key replaces the earlier value (kubectl) instead of being an error (our own files)
    last_key_wins: bool = False

    def decode(self, node: Node, path: str, via_alias: bool) -> bool:
        """Count one decoded node; True if it is decoded through an alias (it or an ancestor)."""
        self.decoded += 1
        key = id(node)
        if key in self.anchors:
            if key in self.seen:
                if not via_alias:  # entering an expansion: where the alias (or merge key) is written
                    self.entry = (path, _lookup(self.marks, path, (node.start_mark.line + self.line0 + 1, node.start_mark.column + 1)))
                via_alias = True
            else:
                self.seen.add(key)
        if via_alias:
            self.aliased += 1
            if self.aliased > 100 and self.decoded > 1000 and self.aliased / self.decoded > _allowed_alias_ratio(self.decoded):
                entry_path, (line, column) = self.entry
                raise _YamlProblem(
                    node, entry_path,
                    f"document contains excessive aliasing ({self.aliased:,} of {self.decoded:,} decoded nodes come "
                    f"from alias or merge-key expansion; allowed: {_allowed_alias_ratio(self.decoded):.0%})",
                    (line - self.line0, column),
                )
        return via_alias

    def enter(self, node: Node, path: str) -> None:
        if id(node) in self.stack:
            raise _YamlProblem(node, path, f"anchor '{self.anchors.get(id(node), '?')}' value contains itself")
        self.stack.add(id(node))


def _scalar(node: ScalarNode, path: str) -> Any:
    """A scalar as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) would hand it to the JSON decoder."""
    tag = node.tag
    if tag == _TAG + "str" and not node.style and node.value in _GO_YAML_V2_BOOLS:
        return _GO_YAML_V2_BOOLS[node.value]  # plain y/Y/n/N are booleans in go-yaml v2, strings in PyYAML
    if tag == _TAG + "str" or tag == _TAG + "binary" or tag == _TAG + "timestamp" or tag == _TAG + "value":
        return node.value
    if tag == _TAG + "null":
        return None
    try:
        if tag == _TAG + "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag in (_TAG + "int", _TAG + "float"):
            if ":" in node.value:  # YAML 1.1 sexagesimal: go-yaml v2 keeps it a string
                return node.value
            if tag == _TAG + "int":
                return _CONSTRUCTOR.construct_yaml_int(node)
            return _CONSTRUCTOR.construct_yaml_float(node)
    except (ValueError, TypeError, ArithmeticError, LookupError, yaml.YAMLError):
        raise _YamlProblem(node, path, f"invalid {tag.removeprefix(_TAG)} value {node.value!r}") from None
    raise _YamlProblem(node, path, f"unsupported YAML tag {tag!r}")


def _key(node: Node, path: str) -> str:
    if not isinstance(node, ScalarNode):
        raise _YamlProblem(node, path, "mapping keys must be strings, got a " + ("list" if isinstance(node, SequenceNode) else "mapping"))
    value = _scalar(node, path)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    raise _YamlProblem(node, path, f"mapping keys must be strings, got {json_type(value)}")


def _plain(node: Node, path: str, walk: _Walk, depth: int, via_alias: bool) -> Any:
    """Walk a composed node into JSON-like data, recording each path's (line, column)."""
    via_alias = walk.decode(node, path, via_alias)
    if depth > _MAX_DEPTH:
        raise _YamlProblem(node, path, f"nesting deeper than {_MAX_DEPTH} levels")
    walk.marks.setdefault(path, (node.start_mark.line + walk.line0 + 1, node.start_mark.column + 1))
    if isinstance(node, ScalarNode):
        if via_alias:
            walk.alias_chars += len(node.value)
            if walk.alias_chars > _MAX_DOCUMENT_CHARS:
                entry_path, (line, column) = walk.entry
                raise _YamlProblem(node, entry_path, f"document contains excessive aliasing (aliases expand to more than "
                                   f"{_MAX_DOCUMENT_CHARS:,} characters of scalars)", (line - walk.line0, column))
        return _scalar(node, path)
    if node.tag not in _COLLECTION_TAGS:
        raise _YamlProblem(node, path, f"unsupported YAML tag {node.tag!r}")
    walk.enter(node, path)
    try:
        if isinstance(node, SequenceNode):
            return [_plain(item, index(path, i), walk, depth + 1, via_alias) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        return _mapping(node, path, walk, depth, via_alias)
    finally:
        walk.stack.discard(id(node))


def _mapping(node: MappingNode, path: str, walk: _Walk, depth: int, via_alias: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    merges: list[MappingNode] = []
    explicit: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag == _TAG + "merge":
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for src in sources:
                if not isinstance(src, MappingNode):
                    raise _YamlProblem(src, path, "a merge key (<<) needs a mapping or a list of mappings")
                merges.append(src)
        else:
            explicit.append((key_node, value_node))
    for src in reversed(merges):  # earlier sources take precedence
        src_alias = walk.decode(src, path, via_alias)  # a merged mapping is decoded like any node
        if depth + 1 > _MAX_DEPTH:
            raise _YamlProblem(src, path, f"nesting deeper than {_MAX_DEPTH} levels")
        walk.enter(src, path)
        try:
            out.update(_mapping(src, path, walk, depth + 1, src_alias))
        finally:
            walk.stack.discard(id(src))
    first: dict[str, int] = {}
    for key_node, value_node in explicit:
        key = _key(key_node, path)
        line = key_node.start_mark.line + walk.line0 + 1
        p = child(path, key)
        if key in first:
            if not walk.last_key_wins:
                raise _YamlProblem(key_node, p, f'duplicate key "{key}" (first at line {first[key]})')
            # kubectl: the later value replaces the earlier one (the field's mark moves to it below;
            # marks of list items inside the earlier value stay, a line off at worst, never a wrong value)
        first[key] = line
        walk.marks[p] = (line, key_node.start_mark.column + 1)
        out[key] = _plain(value_node, p, walk, depth + 1, via_alias)
    return out


@dataclass(frozen=True, slots=True)
class _Doc:
    value: Any
    marks: dict[str, tuple[int, int]]
    line: int
    column: int


#: kubectl's document separator (k8s.io/apimachinery/pkg/util/yaml decoder.go, ``YAMLReader.Read``):
#: a line that starts with ``---``; only blanks or a comment may follow it.
_SEPARATOR: Final = re.compile(r"^---([^\n]*)", re.MULTILINE)
#: YAML's printable characters (YAML 1.1 section 5.1); anything else is a reader error.
_NOT_PRINTABLE: Final = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _split_documents(text: str, file: str) -> Iterator[tuple[int, str] | ManifestError]:
    """The documents of a stream as (lines before it, text), cut as kubectl's ``YAMLReader`` cuts.

    Upstream refuses a separator followed by anything but a comment (``--- {a: 1}``) with
    "invalid Yaml document separator: ..."; so do we (one error; the documents around it load).
    """
    start, start_line = 0, 0
    pos, line = 0, 0
    for m in _SEPARATOR.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        trimmed = m.group(1).strip()
        if not trimmed and _directives_only(text[start : m.start()]):
            continue  # "%YAML 1.1" then "---": the directives belong to the document after them
        if m.start() > start:
            yield start_line, text[start : m.start()]
        if trimmed and not trimmed.startswith("#"):
            yield ManifestError(file, line + 1, None, f"invalid Yaml document separator: {trimmed}")
        start, start_line = m.end() + 1, line + 1
    if start < len(text):
        yield start_line, text[start:]


def _directives_only(chunk: str) -> bool:
    """True for a chunk of YAML directives (``%YAML 1.1``), comments and blank lines, with a directive."""
    if "%" not in chunk or len(chunk) > 4096:  # directives are short; keeps the cut linear
        return False
    lines = [ln.strip() for ln in chunk.splitlines()]
    return any(ln.startswith("%") for ln in lines) and all(not ln or ln.startswith(("%", "#")) for ln in lines)


def _documents(text: str, file: str, last_key_wins: bool = False) -> Iterator[_Doc | ManifestError]:
    """The documents of a YAML stream; a syntax error ends its own document only (reported).

    ``last_key_wins``: a key repeated in a mapping replaces the earlier value, as kubectl's
    non-strict YAML-to-JSON conversion does (manifests); otherwise it is an error (our own files).
    """
    for part in _split_documents(text, file):
        if isinstance(part, ManifestError):
            yield part
            continue
        line0, chunk = part
        if len(chunk) > _MAX_DOCUMENT_CHARS:
            yield ManifestError(file, line0 + 1, None,
                                f"document too large: {len(chunk):,} characters (limit {_MAX_DOCUMENT_CHARS:,}); not loaded")
            continue
        yield from _chunk_documents(chunk, file, line0, last_key_wins)


def _chunk_documents(chunk: str, file: str, line0: int, last_key_wins: bool = False) -> Iterator[_Doc | ManifestError]:
    bad = _NOT_PRINTABLE.search(chunk)
    if bad is not None:  # the reader would refuse it; say where (libyaml's position is a byte offset)
        line = line0 + chunk.count("\n", 0, bad.start()) + 1
        yield ManifestError(file, line, None, f"invalid YAML: unacceptable character #x{ord(bad.group()):04x}: "
                            "special characters are not allowed")
        return
    loader = _YamlLoader(chunk)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            walk = _Walk({}, loader.anchor_names, line0, last_key_wins=last_key_wins)
            try:
                value = _plain(node, "", walk, 0, False)
            except _YamlProblem as p:
                yield ManifestError(file, p.line + line0, p.path, p.message, p.column)
                continue
            yield _Doc(value, walk.marks, node.start_mark.line + line0 + 1, node.start_mark.column + 1)
    except yaml.YAMLError as e:
        yield _yaml_error(e, file, line0)
    except RecursionError:  # not expected (the composer and the walk are depth-limited); still one line
        yield ManifestError(file, line0 + 1, None, "invalid YAML: nesting too deep")
    finally:
        loader.dispose()


def load_yaml_document(text: str, file: str) -> tuple[Any, dict[str, tuple[int, int]]]:
    """One YAML document (a scenario file, say) as plain data plus the ``(line, column)`` of every
    field path (``actions[0].set-image.name``), with this loader's safeguards: duplicate keys,
    alias bombs, nesting depth and unsupported tags are one-line errors.

    Raises :class:`ManifestError`; returns ``(None, {})`` for an empty stream.  More than one
    document is an error.
    """
    docs = list(_documents(text, file))
    for d in docs:
        if isinstance(d, ManifestError):
            raise d
    if not docs:
        return None, {}
    if len(docs) > 1:
        second = docs[1]
        assert isinstance(second, _Doc)
        raise ManifestError(file, second.line, None, "expected one YAML document, found more than one")
    first = docs[0]
    assert isinstance(first, _Doc)
    return first.value, first.marks


def _yaml_error(e: yaml.YAMLError, file: str, line0: int) -> ManifestError:
    """A PyYAML error as one line at its mark (problem, else context, else the document's start)."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return ManifestError(file, line0 + 1, None, message)
    return ManifestError(file, mark.line + line0 + 1, None, message, mark.column + 1)


def _lookup(marks: Mapping[str, tuple[int, int]], path: str, default: tuple[int, int]) -> tuple[int, int]:
    """The mark of ``path`` or of its longest recorded ancestor (a prefix ending before ``.`` or ``[``)."""
    hit = marks.get(path)
    if hit is not None:
        return hit
    for i in range(len(path) - 1, 0, -1):
        if path[i] in ".[":
            hit = marks.get(path[:i])
            if hit is not None:
                return hit
    return marks.get("", default)


def _split_items(marks: Mapping[str, tuple[int, int]], prefix: str = "items") -> dict[int, dict[str, tuple[int, int]]]:
    """The marks under ``items[i]`` per item, rebased to the item (one pass over ``marks``)."""
    out: dict[int, dict[str, tuple[int, int]]] = {}
    head = prefix + "["
    n = len(head)
    for p, mark in marks.items():
        if not p.startswith(head):
            continue
        close = p.find("]", n)
        if close < 0 or not p[n:close].isdigit():
            continue
        rest = p[close + 1 :]
        out.setdefault(int(p[n:close]), {})[rest[1:] if rest.startswith(".") else rest] = mark
    return out


# ============================================================================ data -> model


def _fm(value: Mapping[str, str] | None) -> FrozenMap[str, str]:
    return FrozenMap(value) if value else EMPTY


def _meta(obj: Mapping[str, Any], namespace: str, creation_index: int) -> dict[str, Any]:
    meta = obj.get("metadata", {})
    refs = tuple(
        OwnerReference(
            api_version=r["apiVersion"],
            kind=r["kind"],
            name=r["name"],
            uid=r["uid"],
            controller=r.get("controller", False),
            block_owner_deletion=r.get("blockOwnerDeletion", False),
        )
        for r in meta.get("ownerReferences", ())
    )
    return {
        "name": meta["name"],
        "namespace": namespace,
        "labels": _fm(meta.get("labels")),
        "annotations": _fm(meta.get("annotations")),
        "owner_references": refs,
        "finalizers": tuple(meta.get("finalizers", ())),
        "creation_index": creation_index,
    }


def _containers(spec: Mapping[str, Any], group: str = "containers") -> tuple[ContainerSpec, ...]:
    return tuple(
        ContainerSpec(c.get("name", ""), c.get("image", ""), readiness_probe="readinessProbe" in c,
                      restart_policy=c.get("restartPolicy"), readiness_timing=probe_timing(c.get("readinessProbe")),
                      host_ports=_host_ports(c, spec.get("hostNetwork") is True) if group == "containers" else ())
        for c in spec.get(group, ())
    )


def _host_ports(container: Mapping[str, Any], host_network: bool = False) -> tuple[tuple[str, str, int], ...]:
    """``(hostIP, protocol, hostPort)`` of every port with a ``hostPort`` > 0, sanitised as upstream's
    ``HostPortInfo.sanitize`` (pkg/scheduler/framework/types.go: an empty hostIP is ``0.0.0.0``, an
    empty protocol ``TCP``), duplicates dropped, in manifest order.

    With ``host_network`` (the pod spec's ``hostNetwork: true``) a port without a ``hostPort`` takes its
    ``containerPort``, as the API server defaults every pod created from the template
    (pkg/apis/core/v1/defaults.go ``SetDefaults_Pod`` -> ``defaultHostNetworkPorts``), so the scheduler's
    NodePorts filter sees them."""
    out: list[tuple[str, str, int]] = []
    for port in container.get("ports") or ():
        if not isinstance(port, dict):
            continue
        host_port = int(port.get("hostPort") or 0) or (int(port.get("containerPort") or 0) if host_network else 0)
        if host_port > 0:
            key = (port.get("hostIP") or "0.0.0.0", port.get("protocol") or "TCP", host_port)
            if key not in out:
                out.append(key)
    return tuple(out)


#: v1.Probe's timing fields and their defaults (pkg/apis/core/v1/defaults.go SetDefaults_Probe: a 0 is
#: defaulted too), in ``ProbeTiming`` order.
PROBE_TIMING_DEFAULTS: dict[str, int] = {
    "initialDelaySeconds": 0, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
}


def probe_timing(probe: Mapping[str, Any] | None) -> ProbeTiming | None:
    """The readiness probe's timing (defaulted), or ``None`` when it is upstream's defaults (stated or
    not: the API server defaults them, so both are the same object and hash alike; the template then
    hashes as before the field existed)."""
    if not probe or not any(k in probe for k in PROBE_TIMING_DEFAULTS):
        return None
    timing = ProbeTiming(*(int(probe.get(k) or d) for k, d in PROBE_TIMING_DEFAULTS.items()))
    return None if timing == ProbeTiming() else timing


def _volumes(spec: Mapping[str, Any]) -> tuple[Volume, ...]:
    return tuple(
        Volume(v["name"], claim_name=(v.get("persistentVolumeClaim") or {}).get("claimName"))
        for v in spec.get("volumes", ())
    )


def _requirements(reqs: Sequence[Mapping[str, Any]]) -> tuple[NodeSelectorRequirement, ...]:
    return tuple(NodeSelectorRequirement(r.get("key", ""), r.get("operator", ""), tuple(r.get("values", ()))) for r in reqs)


def _placement(spec: Mapping[str, Any]) -> dict[str, Any]:
    """spec.nodeSelector, the required node affinity and spec.tolerations (docs/semantics.md#runtime)."""
    required_affinity = spec.get("affinity", {}).get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution")
    terms = None
    if required_affinity is not None:
        terms = tuple(
            NodeSelectorTerm(_requirements(t.get("matchExpressions", ())), _requirements(t.get("matchFields", ())))
            for t in required_affinity.get("nodeSelectorTerms", ())
        )
    tolerations = tuple(
        Toleration(t.get("key", ""), t.get("operator", "") or "Equal", t.get("value", ""), t.get("effect", ""),
                   forever=t.get("effect", "") in ("", "NoExecute") and t.get("tolerationSeconds") is None)
        for t in spec.get("tolerations", ())
    )
    affinity = spec.get("affinity") or {}
    return {"node_selector": _fm(spec.get("nodeSelector")), "node_affinity": terms, "tolerations": tolerations,
            "pod_affinity": _pod_affinity_terms(affinity.get("podAffinity")),
            "pod_anti_affinity": _pod_affinity_terms(affinity.get("podAntiAffinity")),
            "topology_spread_constraints": _topology_spread_constraints(spec.get("topologySpreadConstraints"))}


def _topology_spread_constraints(constraints: Any) -> tuple[TopologySpreadConstraint, ...]:
    """The ``whenUnsatisfiable: DoNotSchedule`` entries of ``spec.topologySpreadConstraints``, in order
    (docs/semantics.md#runtime, "Scheduler"); ScheduleAnyway entries only score (listed as ignored)."""
    return tuple(
        TopologySpreadConstraint(
            max_skew=c.get("maxSkew", 0),
            topology_key=c.get("topologyKey", ""),
            selector=None if c.get("labelSelector") is None else label_selector_from_data(c["labelSelector"]),
            min_domains=c.get("minDomains"),
            node_affinity_policy=c.get("nodeAffinityPolicy"),
            node_taints_policy=c.get("nodeTaintsPolicy"),
            match_label_keys=tuple(c.get("matchLabelKeys") or ()),
        )
        for c in constraints or () if c.get("whenUnsatisfiable") == "DoNotSchedule"
    )


def _pod_affinity_terms(affinity: Mapping[str, Any] | None) -> tuple[PodAffinityTerm, ...]:
    """The required terms of a v1.PodAffinity or v1.PodAntiAffinity (docs/semantics.md#runtime, "Scheduler")."""
    out = []
    for t in (affinity or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or ():
        ns_selector = t.get("namespaceSelector")
        out.append(PodAffinityTerm(
            selector=None if t.get("labelSelector") is None else label_selector_from_data(t["labelSelector"]),
            topology_key=t.get("topologyKey", ""),
            namespaces=tuple(t.get("namespaces") or ()),
            # an empty namespaceSelector selects every namespace; a non-empty one is an ignored field
            all_namespaces=ns_selector is not None and not ns_selector.get("matchLabels") and not ns_selector.get("matchExpressions"),
            match_label_keys=tuple(t.get("matchLabelKeys") or ()),
            mismatch_label_keys=tuple(t.get("mismatchLabelKeys") or ()),
        ))
    return tuple(out)


def _pod_template(template: Mapping[str, Any]) -> PodTemplate:
    meta, spec = template.get("metadata", {}), template.get("spec", {})
    return PodTemplate(
        labels=_fm(meta.get("labels")),
        annotations=_fm(meta.get("annotations")),
        containers=_containers(spec),
        init_containers=_containers(spec, "initContainers"),
        volumes=_volumes(spec),
        restart_policy=spec.get("restartPolicy", "Always"),
        hostname=spec.get("hostname", ""),
        subdomain=spec.get("subdomain", ""),
        termination_grace_period_seconds=spec.get("terminationGracePeriodSeconds", 30),
        **_placement(spec),
    )


def _build_deployment(obj: Mapping[str, Any], meta: dict[str, Any]) -> Deployment:
    spec = obj["spec"]
    strategy = spec["strategy"]
    rolling = strategy.get("rollingUpdate", {})
    return Deployment(
        **meta,
        replicas=spec["replicas"],
        selector=label_selector_from_data(spec["selector"]),
        template=_pod_template(spec["template"]),
        strategy=DeploymentStrategy(
            type=strategy["type"],
            max_surge=rolling.get("maxSurge", "25%"),
            max_unavailable=rolling.get("maxUnavailable", "25%"),
        ),
        min_ready_seconds=spec.get("minReadySeconds", 0),
        revision_history_limit=spec["revisionHistoryLimit"],
        paused=spec.get("paused", False),
        progress_deadline_seconds=spec["progressDeadlineSeconds"],
    )


def _build_replica_set(obj: Mapping[str, Any], meta: dict[str, Any]) -> ReplicaSet:
    spec = obj["spec"]
    return ReplicaSet(
        **meta,
        replicas=spec["replicas"],
        selector=label_selector_from_data(spec["selector"]),
        template=_pod_template(spec["template"]),
        min_ready_seconds=spec.get("minReadySeconds", 0),
    )


def _build_replication_controller(obj: Mapping[str, Any], meta: dict[str, Any]) -> ReplicationController:
    spec = obj["spec"]
    return ReplicationController(
        **meta,
        replicas=spec["replicas"],
        selector=_fm(spec["selector"]),
        template=_pod_template(spec["template"]),
        min_ready_seconds=spec.get("minReadySeconds", 0),
    )


def _claim_template(vct: Mapping[str, Any]) -> PersistentVolumeClaimTemplate:
    meta, spec = vct.get("metadata", {}), vct.get("spec", {})
    return PersistentVolumeClaimTemplate(
        name=meta["name"],
        labels=_fm(meta.get("labels")),
        storage=spec["resources"]["requests"]["storage"],
        access_modes=tuple(spec["accessModes"]),
        storage_class_name=spec.get("storageClassName"),
    )


def _build_stateful_set(obj: Mapping[str, Any], meta: dict[str, Any]) -> StatefulSet:
    spec = obj["spec"]
    strategy = spec["updateStrategy"]
    rolling = strategy.get("rollingUpdate")
    retention = spec.get("persistentVolumeClaimRetentionPolicy", {})
    return StatefulSet(
        **meta,
        replicas=spec["replicas"],
        selector=label_selector_from_data(spec["selector"]),
        template=_pod_template(spec["template"]),
        service_name=spec.get("serviceName", ""),
        pod_management_policy=spec["podManagementPolicy"],
        update_strategy=StatefulSetUpdateStrategy(
            type=strategy["type"],
            partition=(rolling or {}).get("partition", 0),
            max_unavailable=(rolling or {}).get("maxUnavailable"),
            has_rolling_update=rolling is not None,
        ),
        volume_claim_templates=tuple(_claim_template(v) for v in spec.get("volumeClaimTemplates", ())),
        persistent_volume_claim_retention_policy=PVCRetentionPolicy(
            when_deleted=retention.get("whenDeleted", "Retain"), when_scaled=retention.get("whenScaled", "Retain")
        ),
        ordinals_start=spec.get("ordinals", {}).get("start", 0),
        min_ready_seconds=spec.get("minReadySeconds", 0),
        revision_history_limit=spec["revisionHistoryLimit"],
    )


def _build_pod(obj: Mapping[str, Any], meta: dict[str, Any]) -> Pod:
    spec = obj["spec"]
    return Pod(
        **meta,
        spec_containers=_containers(spec),
        init_containers=_containers(spec, "initContainers"),
        volumes=_volumes(spec),
        restart_policy=spec["restartPolicy"],
        node_name=spec.get("nodeName") or None,
        hostname=spec.get("hostname", ""),
        subdomain=spec.get("subdomain", ""),
        termination_grace_period_seconds=spec["terminationGracePeriodSeconds"],
        **_placement(spec),
    )


def _build_service(obj: Mapping[str, Any], meta: dict[str, Any]) -> Service:
    spec = obj.get("spec", {})
    return Service(
        **meta,
        selector=_fm(spec.get("selector")),
        cluster_ip=spec.get("clusterIP"),
        publish_not_ready_addresses=spec.get("publishNotReadyAddresses", False),
    )


def _build_pvc(obj: Mapping[str, Any], meta: dict[str, Any]) -> PersistentVolumeClaim:
    spec = obj["spec"]
    return PersistentVolumeClaim(
        **meta,
        storage=spec["resources"]["requests"]["storage"],
        access_modes=tuple(spec["accessModes"]),
        storage_class_name=spec.get("storageClassName"),
    )


def _build_node(obj: Mapping[str, Any], meta: dict[str, Any]) -> NodeObject:
    status = obj.get("status", {})
    ready = True
    for cond in status.get("conditions", ()):
        if cond.get("type") == "Ready":
            ready = cond.get("status") == "True"
    capacity = status.get("capacity", {}).get("pods")
    return NodeObject(
        **meta,
        ready=ready,
        unschedulable=obj.get("spec", {}).get("unschedulable", False),
        pod_capacity=int(capacity) if capacity is not None else 110,
        taints=tuple(Taint(t.get("key", ""), t.get("value", ""), t.get("effect", ""))
                     for t in obj.get("spec", {}).get("taints", ())),
    )


def _build_pdb(obj: Mapping[str, Any], meta: dict[str, Any]) -> PodDisruptionBudget:
    spec = obj.get("spec", {})
    selector = spec.get("selector")
    return PodDisruptionBudget(
        **meta,
        selector=label_selector_from_data(selector) if selector is not None else None,
        min_available=spec.get("minAvailable"),
        max_unavailable=spec.get("maxUnavailable"),
        unhealthy_pod_eviction_policy=spec.get("unhealthyPodEvictionPolicy"),
    )


def _build_daemon_set(obj: Mapping[str, Any], meta: dict[str, Any]) -> DaemonSet:
    spec = obj["spec"]
    strategy = spec["updateStrategy"]
    rolling = strategy.get("rollingUpdate") or {}
    return DaemonSet(
        **meta,
        selector=label_selector_from_data(spec["selector"]),
        template=_pod_template(spec["template"]),
        update_strategy=DaemonSetUpdateStrategy(
            type=strategy["type"],
            max_unavailable=rolling.get("maxUnavailable", 1),
            max_surge=rolling.get("maxSurge"),
        ),
        min_ready_seconds=spec.get("minReadySeconds", 0),
        revision_history_limit=spec["revisionHistoryLimit"],
    )


#: Annotation declaring an HPA's start-up usage (model.horizontal, docs/semantics.md).
STARTUP_USAGE_ANNOTATION: Final = "kubecheck.io/startup-usage"


def _scaling_rules(rules: Mapping[str, Any]) -> HPAScalingRules:
    return HPAScalingRules(
        stabilization_window_seconds=rules.get("stabilizationWindowSeconds"),
        select_policy=rules.get("selectPolicy", "Max"),
        policies=tuple(HPAScalingPolicy(p["type"], p["value"], p["periodSeconds"]) for p in rules.get("policies", ())),
    )


def _build_hpa(obj: Mapping[str, Any], meta: dict[str, Any]) -> HorizontalPodAutoscaler:
    from model.validation import quantity_milli_value

    spec = obj.get("spec", {})
    ref = spec.get("scaleTargetRef", {})
    metrics = []
    for m in spec.get("metrics", ()):
        if m.get("type") != "Resource":  # Pods, Object, External, ContainerResource: taken to stay at its target
            metrics.append(MetricSpec(resource=unmodelled_metric_name(m), target_type="AtTarget"))
            continue
        target = m["resource"]["target"]
        avg = target.get("averageValue")
        metrics.append(MetricSpec(
            resource=m["resource"]["name"],
            target_type="AverageValue" if target.get("averageUtilization") is None else "Utilization",
            average_utilization=target.get("averageUtilization"),
            average_value_milli=quantity_milli_value(avg) if avg is not None else None,
        ))
    behavior = spec.get("behavior")
    return HorizontalPodAutoscaler(
        **meta,
        scale_target_ref=(ref.get("apiVersion", ""), ref["kind"], ref["name"]),
        min_replicas=spec["minReplicas"],
        max_replicas=spec["maxReplicas"],
        metrics=tuple(metrics),
        behavior=None if behavior is None else HorizontalPodAutoscalerBehavior(
            _scaling_rules(behavior["scaleUp"]), _scaling_rules(behavior["scaleDown"])),
        startup_usage=int(obj.get("metadata", {}).get("annotations", {}).get(STARTUP_USAGE_ANNOTATION, "0")),
    )


def unmodelled_metric_name(m: Mapping[str, Any]) -> str:
    """How a metric the model does not have (a source other than Resource) is named in the model and in warnings:
    ``Pods requests_per_second``, ``External pubsub...``, ``ContainerResource cpu``, ``Object requests``."""
    from model.validation import METRIC_SOURCE_FIELDS

    kind = str(m.get("type", ""))
    source = m.get(METRIC_SOURCE_FIELDS.get(kind, ""), {}) or {}
    name = source.get("name") if kind == "ContainerResource" else (source.get("metric") or {}).get("name")
    return f"{kind} {name}" if name else kind




def _kubecheck_checks(kind: str, obj: Mapping[str, Any]) -> list[FieldError]:
    """Checks beyond upstream validation that the model needs (documented as deviations)."""
    errs: list[FieldError] = []
    if kind == "Node":
        pods = obj.get("status", {}).get("capacity", {}).get("pods")
        if pods is not None and not pods.isdigit():
            errs.append(FieldError("status.capacity.pods", f"invalid value {pods!r}: kubecheck needs a plain integer"))
    if kind == "HorizontalPodAutoscaler":
        usage = obj.get("metadata", {}).get("annotations", {}).get(STARTUP_USAGE_ANNOTATION)
        if usage is not None and not (usage.isdigit() and len(usage) <= 6):
            errs.append(FieldError(f"metadata.annotations[{STARTUP_USAGE_ANNOTATION}]",
                                   f"invalid value {usage!r}: kubecheck needs a non-negative integer (percent of one pod at the target)"))
    return errs


def ensure_object_namespace_matches_request_namespace(kind: str, obj: dict[str, Any], default_namespace: str) -> dict[str, Any]:
    """Mirrors apiserver pkg/registry/rest/create.go EnsureObjectNamespaceMatchesRequestNamespace.

    ``kubectl apply`` sends an object to its own namespace, or to the default namespace when it
    names none; the create handler then fills an empty namespace from the request and clears a
    cluster-scoped object's namespace, before validation. Returns ``obj`` with
    ``metadata.namespace`` set accordingly (a copy of the metadata; ``obj`` is not mutated).
    """
    meta = dict(obj.get("metadata", {}))
    if kind in _CLUSTER_SCOPED:
        meta.pop("namespace", None)
    else:
        meta["namespace"] = meta.get("namespace") or default_namespace
    return {**obj, "metadata": meta}


#: kinds kubecheck skips that are namespaced upstream (core/v1, apps/v1, batch/v1, networking.k8s.io/v1,
#: rbac.authorization.k8s.io/v1, policy, coordination, discovery): ``--namespace`` is enforced on them too, as
#: kubectl does on every namespaced object; other skipped kinds (ClusterRole, Namespace, CRDs, ...) are not
#: judged, since kubecheck does not know their scope
NAMESPACED_SKIPPED_KINDS: Final = frozenset({
    "ConfigMap", "Secret", "ServiceAccount", "Endpoints", "EndpointSlice", "Event", "LimitRange", "ResourceQuota",
    "PodTemplate", "ControllerRevision", "Job", "CronJob", "Ingress", "NetworkPolicy", "Role", "RoleBinding", "Lease",
})


def enforce_namespace(kind: str, obj: Mapping[str, Any], namespace: str) -> list[FieldError]:
    """``kubectl apply --namespace NS``: a namespaced object that names another namespace is refused before it
    is sent (k8s.io/cli-runtime pkg/resource/mapper.go with ``RequireNamespace``/``enforceNamespace``: "the
    namespace from the provided object \"X\" does not match the namespace \"NS\". You must pass
    '--namespace=X' to perform this operation."). Without ``--namespace`` nothing is enforced: an object keeps its
    own namespace and one without gets the default."""
    written = (obj.get("metadata") or {}).get("namespace")
    if kind in _CLUSTER_SCOPED or not written or written == namespace:
        return []
    return [FieldError("metadata.namespace", f'the namespace from the provided object "{written}" does not match the '
                       f'namespace "{namespace}" given with --namespace (kubectl apply refuses it; pass '
                       f"--namespace={written} or remove metadata.namespace)")]


def _rc_set_based_selector(raw: Mapping[str, Any]) -> FieldError | None:
    """A ReplicationController written with an apps/v1-style selector gets one clear error."""
    spec = raw.get("spec")
    selector = spec.get("selector") if isinstance(spec, dict) else None
    if isinstance(selector, dict) and any(isinstance(selector.get(k), (dict, list)) for k in ("matchLabels", "matchExpressions")):
        return FieldError(
            "spec.selector",
            "a ReplicationController selector is a plain map of labels (equality only); "
            "matchLabels/matchExpressions need a ReplicaSet",
        )
    return None


# ================================================================================ loader


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while one file is loaded (resumed if it was on).

    Loading allocates millions of short- and long-lived acyclic objects (nodes, marks, dicts) and
    every full collection scans all of them: that made a 12 MB ``kind: List`` cost 0.31 s/MB
    against 0.17 s/MB at 2 MB (bench/loader_bench.py). Reference counting still frees everything;
    the only cycles are the node graphs of recursive aliases, which are refused and collected later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Loader:
    """Accumulates objects, locations, skips and errors over several files (internal)."""

    def __init__(self, default_namespace: str, enforce_namespace: bool = False) -> None:
        self.default_namespace = default_namespace
        self.enforce_namespace = enforce_namespace
        self.objects: list[Any] = []
        self.locations: dict[ObjectKey, SourceLocation] = {}
        self.skipped: list[SkippedObject] = []
        self.errors: list[ManifestError] = []
        self.files: list[str] = []
        self.ignored: list[IgnoredField] = []
        self.references: list[Reference] = []
        self.declared: dict[tuple[str, str, str], tuple[frozenset[str], frozenset[str]] | None] = {}

    def result(self) -> LoadResult:
        return LoadResult(
            objects=tuple(self.objects),
            locations=FrozenMap(self.locations),
            skipped=tuple(self.skipped),
            errors=tuple(self.errors),
            files=tuple(self.files),
            ignored=tuple(self.ignored),
            references=tuple(self.references),
            declared=FrozenMap(self.declared),
        )

    def error(self, file: str, marks: Mapping[str, tuple[int, int]], root: tuple[int, int], e: FieldError) -> None:
        line, column = _lookup(marks, e.at or e.path, root)
        self.errors.append(ManifestError(file, line, e.path, e.message, column))

    def load_text(self, text: str, file: str) -> None:
        self.files.append(file)
        if file.lower().endswith(".json"):
            text = text.replace("\t", " ")  # JSON allows tabs between tokens; YAML does not
        with _gc_paused():
            # a repeated key: the last value wins, as in kubectl (sigs.k8s.io/yaml's non-strict
            # yaml.Unmarshal in apimachinery's YAMLToJSONDecoder; docs/semantics.md#manifests)
            for doc in _documents(text, file, last_key_wins=True):
                if isinstance(doc, ManifestError):
                    self.errors.append(doc)
                elif doc.value is not None:
                    self.document(doc.value, doc.marks, file, (doc.line, doc.column), 0)

    def document(self, value: Any, marks: dict[str, tuple[int, int]], file: str, root: tuple[int, int], nesting: int) -> None:
        if not isinstance(value, dict):
            self.error(file, marks, root, FieldError("", f"expected a Kubernetes object (a mapping), got {json_type(value)}"))
            return
        kind, api_version = value.get("kind"), value.get("apiVersion")
        if not (isinstance(kind, str) and kind and isinstance(api_version, str) and api_version):
            for key, v in (("apiVersion", api_version), ("kind", kind)):
                if not isinstance(v, str) or not v:
                    self.error(file, marks, root, FieldError(key, "required value" if v is None or v == "" else f"expected string, got {json_type(v)}"))
            return
        if kind == "List" or (kind.endswith("List") and "items" in value):
            self.list_items(value, marks, file, root, nesting)
            return
        self.declare(kind, value)
        if self.enforce_namespace and kind in NAMESPACED_SKIPPED_KINDS:
            errs = enforce_namespace(kind, value, self.default_namespace)
            if errs:
                self.error(file, marks, root, errs[0])
                return
        conversion = None
        if MODELLED_KINDS.get(kind) != api_version:
            conversion = CONVERSIONS.get((api_version, kind))
            if conversion is None:
                self.skip(value, file, root, kind, api_version)
                return
        self.load_object(kind, value, marks, file, root, conversion)

    def declare(self, kind: str, value: Mapping[str, Any]) -> None:
        """Note that a document declares ``(kind, namespace, name)`` (and a ConfigMap's or Secret's keys), loaded
        or not: what a pod's references are looked up in (``model.references``)."""
        meta = value.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            return
        namespace = meta.get("namespace")
        ns = namespace if isinstance(namespace, str) and namespace else self.default_namespace
        self.declared.setdefault((kind, ns, meta["name"]), declared_keys(kind, value))

    def list_items(self, value: Mapping[str, Any], marks: dict[str, tuple[int, int]], file: str, root: tuple[int, int], nesting: int) -> None:
        """Flatten ``kind: List`` and typed lists (``DeploymentList``), as kubectl does.

        An item of a typed list with neither ``kind`` nor ``apiVersion`` gets the list's, minus
        the ``List`` suffix (k8s.io/apimachinery/pkg/apis/meta/v1/unstructured
        unstructured.go ``decodeToList``: "For typed lists, e.g., a PodList, API server doesn't
        set each item's APIVersion and Kind"). Linear: the marks are split per item in one pass.
        """
        items = value.get("items")
        if items is None:
            return
        if not isinstance(items, list):
            self.error(file, marks, root, FieldError("items", f"expected list, got {json_type(items)}"))
            return
        if nesting >= _MAX_LIST_NESTING:
            self.error(file, marks, root, FieldError("items", f"kind: List nested more than {_MAX_LIST_NESTING} deep"))
            return
        kind = value["kind"]
        item_kind = kind.removesuffix("List") if kind != "List" else ""
        per_item = _split_items(marks)
        for i, item in enumerate(items):
            sub = per_item.get(i, {})
            if item_kind and isinstance(item, dict) and not item.get("kind") and not item.get("apiVersion"):
                item = {**item, "kind": item_kind, "apiVersion": value["apiVersion"]}
            self.document(item, sub, file, sub.get("", root), nesting + 1)

    def skip(self, value: Mapping[str, Any], file: str, root: tuple[int, int], kind: str, api_version: str) -> None:
        meta = value.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        removed = removed_api_reason(api_version, kind)
        if removed is not None:
            reason = removed
        elif kind in MODELLED_KINDS:
            reason = f"apiVersion {api_version} is not modelled (kubecheck loads {MODELLED_KINDS[kind]} {kind})"
        else:
            reason = "kind not modelled by kubecheck"
        self.skipped.append(SkippedObject(file, root[0], kind, name if isinstance(name, str) else "", reason))

    def load_object(self, kind: str, raw: Mapping[str, Any], marks: dict[str, tuple[int, int]], file: str, root: tuple[int, int],
                    conversion: Conversion | None = None) -> None:
        """Decode, default, validate and build one object of a modelled kind; a served older apiVersion
        (``conversion``) is first decoded against its own schema and converted as the API server does
        (``model.conversion``); errors on the converted object name the fields as written."""
        errs: list[FieldError] = []
        from model.kinds import kind_record

        record = kind_record(kind)  # schema, defaults, validation and builder of the kind (model.kinds)
        assert record.schema is not None and record.validate is not None and record.build is not None, kind
        unknown = unknown_fields(str(raw.get("apiVersion")), kind, raw)
        if unknown:  # kubectl apply's strict field validation refuses the object (model.strict)
            for e in unknown:
                self.error(file, marks, root, e)
            return
        if conversion is not None:
            written = decode(raw, conversion.schema, "", errs)
            for e in errs:
                self.error(file, marks, root, e)
            if errs:
                return
            unread = conversion.unread(written)
            if unread is not None:
                self.skipped.append(SkippedObject(file, root[0], kind, written.get("metadata", {}).get("name", ""), unread))
                return
            raw = conversion.convert(written)
        rc_hint = _rc_set_based_selector(raw) if kind == "ReplicationController" else None
        decoded = decode(raw, record.schema, "", errs)
        if rc_hint is not None:
            errs = [rc_hint] + [e for e in errs if not e.path.startswith("spec.selector")]
        if not errs:
            decoded = set_defaults(kind, decoded)
            errs = enforce_namespace(kind, decoded, self.default_namespace) if self.enforce_namespace else []
            decoded = ensure_object_namespace_matches_request_namespace(kind, decoded, self.default_namespace)
            errs = errs or record.validate(decoded) + _kubecheck_checks(kind, decoded)
        if errs:
            for e in errs:
                self.error(file, marks, root, e if conversion is None else conversion.original(e))
            return
        namespace = decoded["metadata"].get("namespace", "")
        key = (kind, namespace, decoded["metadata"]["name"])
        if key in self.locations:
            first = self.locations[key]
            shown = f"{namespace}/{key[2]}" if namespace else key[2]
            self.error(file, marks, root, FieldError(
                "metadata.name", f"duplicate {kind} \"{shown}\" (first defined at {first.file}:{first.line})"))
            return
        obj = record.build(decoded, _meta(decoded, namespace, len(self.objects)))
        self.objects.append(obj)
        self.locations[key] = SourceLocation(file, root[0], root[1], FrozenMap(marks))
        ignored = [IgnoredField(file, _lookup(marks, path, root)[0], kind, namespace, key[2], shown)
                   for shown, path in _ignored_fields(kind, decoded)]
        self.ignored.extend(sorted(ignored, key=lambda i: i.line))
        if kind in POD_BEARING_KINDS:
            self.references.extend(pod_references(kind, decoded))


def load_text(text: str, filename: str = "<string>", *, default_namespace: str = "default") -> LoadResult:
    """Load every manifest in one YAML/JSON text (``filename`` is used in messages only)."""
    loader = _Loader(default_namespace)
    loader.load_text(text, filename)
    return loader.result()


def _expand(path: str) -> list[str] | None:
    """The manifest files under ``path``: itself if a file, else ``*.yaml|*.yml|*.json`` recursively, sorted."""
    p = Path(path)
    if p.is_dir():
        files = [f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _MANIFEST_SUFFIXES]
        return sorted(str(f) for f in files)
    if p.is_file():
        return [path]
    return None


def _read(path: str, loader: _Loader) -> str | None:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        loader.errors.append(ManifestError(path, None, None, f"cannot read: {e.strerror or e}"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        loader.errors.append(ManifestError(path, line, None, f"not valid UTF-8 (byte 0x{data[e.start]:02x})"))
        return None


def load_manifests(
    paths: Sequence[str], *, default_namespace: str = "default", stdin: TextIO | None = None, namespace: str | None = None
) -> LoadResult:
    """Load manifests from files, directories (recursively, sorted) and ``-`` (standard input).

    ``namespace`` is ``kubectl apply --namespace``: the namespace of every object that names none, and an
    object that names another one is an error (:func:`enforce_namespace`). Never raises for bad input: every
    problem is in ``LoadResult.errors``.
    """
    loader = _Loader(namespace or default_namespace, enforce_namespace=namespace is not None)
    for path in paths:
        if path == "-":
            loader.load_text((stdin or sys.stdin).read(), "<stdin>")
            continue
        files = _expand(path)
        if files is None:
            loader.errors.append(ManifestError(path, None, None, "no such file or directory"))
            continue
        for f in files:
            text = _read(f, loader)
            if text is not None:
                loader.load_text(text, f)
    return loader.result()


# =================================================================================== CLI


def summarize(obj: Any) -> str:
    """One line describing a loaded object (kind, key, replicas, strategy)."""
    kind = kind_of(obj)
    name = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    parts = [f"{kind} {name}"]
    if hasattr(obj, "replicas"):
        parts.append(f"replicas={obj.replicas}")
    if isinstance(obj, Deployment):
        s = obj.strategy
        parts.append(f"strategy={s.type}")
        if s.type == "RollingUpdate":
            parts.append(f"maxSurge={s.max_surge} maxUnavailable={s.max_unavailable}")
    elif isinstance(obj, StatefulSet):
        u = obj.update_strategy
        parts.append(f"podManagementPolicy={obj.pod_management_policy} updateStrategy={u.type}")
        if u.type == "RollingUpdate":
            parts.append(f"partition={u.partition}")
    elif isinstance(obj, Service):
        parts.append("selector=" + ",".join(f"{k}={v}" for k, v in obj.selector.items()))
    elif isinstance(obj, PodDisruptionBudget):
        if obj.min_available is not None:
            parts.append(f"minAvailable={obj.min_available}")
        if obj.max_unavailable is not None:
            parts.append(f"maxUnavailable={obj.max_unavailable}")
    elif isinstance(obj, HorizontalPodAutoscaler):
        parts.append(f"target={obj.scale_target_ref[1]}/{obj.scale_target_ref[2]} min={obj.min_replicas} max={obj.max_replicas}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m model.manifests PATH...``: a summary per object, or the errors and exit 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m model.manifests PATH... (files, directories, or - for stdin)", file=sys.stderr)
        return 0 if args else 2
    result = load_manifests(args)
    if result.errors:
        for e in result.errors:
            print(e, file=sys.stderr)
        return 2
    for obj in result.objects:
        loc = result.locations[(kind_of(obj), obj.namespace, obj.name)]
        print(f"{summarize(obj)}  ({loc})")
    for s in result.skipped:
        print(s)
    print(f"{len(result.objects)} object(s) loaded, {len(result.skipped)} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
