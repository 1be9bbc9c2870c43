"""``kubectl apply -f FILE`` and ``kubectl create -f FILE`` at any step: one user action per object.

An object of the file is loaded, defaulted and validated by the manifest loader when the scenario
is read (``kubecheck.scenarios``); the action carries the built object (:class:`Manifest`).  Each
object is its own action, so the objects of one file land in any order, kubectl's file order
included (kubectl sends one request per object; controllers may act between them).

* ``create`` (``kubectl create -f``): POST.  When the name is taken (the object exists, or a
  terminating object still holds the name) the API server refuses it with ``AlreadyExists``
  (``deployments.apps "web" already exists``): a visible refused step.
* ``apply`` (``kubectl apply -f``): POST when the object does not exist; otherwise an update whose
  spec is the manifest's (a full manifest: every spec field it states replaces the live one), with
  what others own kept: status and the server's metadata (uid, generation, creation, deletion),
  labels and annotations others added (the manifest's keys win, others' keys stay: the Deployment
  controller's ``deployment.kubernetes.io/revision``), owner references and finalizers when the
  manifest states none, the scheduler's ``nodeName``, an assigned ``clusterIP``, the environment's
  HPA metric, ``spec.replicas`` / ``spec.paused`` when the manifest does not write them (an HPA,
  ``kubectl scale`` or ``rollout pause`` set those; kubectl apply's three-way merge leaves a field
  alone that neither the manifest nor the last applied one states), and in the pod template what
  ``rollout restart``, ``set env`` and ``set resources`` wrote.  The update first goes through
  update-time validation (:mod:`model.update_validation`); a refused update is a visible refused
  step with the API server's message.  An apply that would change nothing (``unchanged``) is not
  offered, as every user action that would change nothing.

docs/semantics.md, "Apply and create at any step", says what this leaves out (three-way merge
removals) and why the difference is sound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from model.api import Create, Refused, Update, Write
from model.apiserver import METADATA_FIELDS, STATUS_FIELDS
from model.frozen import FrozenMap
from model.objects import KIND_INFO, SHORT_KIND_NAMES, kind_of, replace
from model.state import ClusterState
from model.update_validation import invalid_message, validate_update

__all__ = ["Manifest", "ApplyManifest", "applied_object", "already_exists_message", "created_kinds", "RESOURCES"]

#: Kind -> ``schema.GroupResource.String()`` (``errors.NewAlreadyExists`` names the resource, not the kind).
RESOURCES: dict[str, str] = {k.name: k.resource for k in KIND_INFO}

#: Spec fields others change (an HPA or ``kubectl scale``: replicas; ``rollout pause``: paused): kept
#: live when the manifest does not write them.  Model field -> manifest path.
KEEP_IF_OMITTED: dict[str, str] = {"replicas": "spec.replicas", "paused": "spec.paused"}

#: Fields that are not the user's to apply: set by the scheduler, the API server or the environment
#: (kept live when the manifest leaves them unset, or always).
_KEEP_WHEN_UNSET: dict[str, tuple[str, ...]] = {"Pod": ("node_name",), "Service": ("cluster_ip",)}
_KEEP_ALWAYS: dict[str, tuple[str, ...]] = {"HorizontalPodAutoscaler": ("load",), "Node": ("drain", "orphaned_pods")}


@dataclass(frozen=True, slots=True)
class Manifest:
    """One object of an applied file, as the loader built it: ``source`` is ``FILE:LINE`` and
    ``written`` the :data:`KEEP_IF_OMITTED` paths the document writes."""

    obj: Any = field(repr=False)
    source: str = ""
    written: frozenset[str] = frozenset()

    def __str__(self) -> str:
        o = self.obj
        return f"{kind_of(o)} {o.namespace + '/' if o.namespace else ''}{o.name} ({self.source})"

    def __repr__(self) -> str:
        return str(self)


def already_exists_message(kind: str, name: str) -> str:
    """errors.NewAlreadyExists(qualifiedResource, name).Error() (apimachinery/pkg/api/errors)."""
    return f'{RESOURCES[kind]} "{name}" already exists'


def applied_object(cur: Any, m: Manifest) -> Any:
    """The object ``kubectl apply`` of ``m`` makes of the live ``cur`` (see the module docstring)."""
    obj = m.obj
    kind = kind_of(obj)
    keep: dict[str, Any] = {f: getattr(cur, f) for f in METADATA_FIELDS if f not in ("labels", "annotations", "owner_references", "finalizers")}
    keep["labels"] = FrozenMap({**cur.labels, **obj.labels})
    keep["annotations"] = FrozenMap({**cur.annotations, **obj.annotations})
    keep["owner_references"] = obj.owner_references or cur.owner_references
    keep["finalizers"] = obj.finalizers or cur.finalizers
    for f in STATUS_FIELDS[kind]:
        keep[f] = getattr(cur, f)
    for f, path in KEEP_IF_OMITTED.items():
        if hasattr(obj, f) and path not in m.written:
            keep[f] = getattr(cur, f)
    for f in _KEEP_WHEN_UNSET.get(kind, ()):
        if getattr(obj, f) is None:
            keep[f] = getattr(cur, f)
    for f in _KEEP_ALWAYS.get(kind, ()):
        keep[f] = getattr(cur, f)
    if hasattr(obj, "template"):
        keep["template"] = _kept_template_edits(cur.template, obj.template)
    return replace(obj, **keep)


def _kept_template_edits(live: Any, new: Any) -> Any:
    """What kubectl's other commands wrote into the live template and the file does not state stays,
    as the three-way merge keeps fields no applied configuration stated: the ``rollout restart``
    annotation, and ``set env`` / ``set resources`` values of a container of the same name (the loader
    never reads env or resources, so the file states none; ``model.template_edits``)."""
    from model.template_edits import RESTARTED_AT

    annotations = new.annotations
    if RESTARTED_AT in live.annotations and RESTARTED_AT not in annotations:
        annotations = FrozenMap({**annotations, RESTARTED_AT: live.annotations[RESTARTED_AT]})
    configs = {c.name: c.config for c in live.containers}
    containers = tuple(c if c.config or not configs.get(c.name) else replace(c, config=configs[c.name]) for c in new.containers)
    if annotations is new.annotations and containers == new.containers:
        return new
    return replace(new, annotations=annotations, containers=containers)


@dataclass(frozen=True, slots=True)
class ApplyManifest:
    """``kubectl apply -f`` (``create=False``) or ``kubectl create -f`` (``create=True``) of one object.

    A self-describing user action (``model.environment`` asks it for its label and instances).
    """

    manifest: Manifest
    create: bool = False

    #: the objects it creates or changes are not known to the decomposition in advance: never split
    whole_cluster: ClassVar[bool] = True

    def action_label(self) -> str:
        return f"user_{'create' if self.create else 'apply'}_{SHORT_KIND_NAMES[kind_of(self.manifest.obj)]}"

    def instances(self, state: ClusterState) -> list[tuple[str, tuple[Write, ...] | Refused]]:
        obj = self.manifest.obj
        kind = kind_of(obj)
        cur = state.get(kind, obj.namespace, obj.name)
        if cur is None:
            return [(obj.name, (Create(obj),))]
        if self.create:
            return [(obj.name, Refused(already_exists_message(kind, obj.name)))]
        new = applied_object(cur, self.manifest)
        if new == cur:
            return []  # kubectl: "unchanged"
        errors = validate_update(new, cur)
        if errors:
            return [(obj.name, Refused(invalid_message(new, errors)))]
        return [(obj.name, (Update(new),))]


def created_kinds(actions: Any) -> frozenset[str]:
    """The kinds user ``actions`` may create (``apply``/``create``, also behind an ``after:`` guard):
    ``model.system`` runs those kinds' controllers even when the initial cluster has none."""
    out = set()
    for a in actions:
        while hasattr(a, "inner"):
            a = a.inner
        if isinstance(a, ApplyManifest):
            out.add(kind_of(a.manifest.obj))
    return frozenset(out)
