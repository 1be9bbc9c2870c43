"""The records of the model's extension points, one per controller, timer, kind, user action and fault.

Each record is defined beside what it describes (``model/replicaset.py`` ends with its
``CONTROLLER``), the way Kubernetes registers its types in each package's ``register.go``, and
``model/registry.py`` lists them, one line each, in the order the transition system runs them.
Nothing here imports a controller: the controller modules import this one.

A :class:`Controller` says everything ``model.system.KubeSystem`` needs to run a controller:

* ``sync``: the pure reconcile ``sync(cluster, key) -> tuple[Write, ...]``, imported directly
  (visible to mypy and to the import graph);
* its work keys: by default the keys of its kind's table, else ``keys(cluster)``;
* ``label(actor_key, write, base, view)``: the action label of a write it makes, from
  :func:`write_label` (``rs_create_pod``, ``rs_adopt_pod``...) or its own names
  (``dc_scale_up_new_rs``), and ``actions``: every label it may produce, declared
  (``tests/model/test_registry.py`` checks that the explored spaces produce no other);
* when it runs at all: only while its kind has objects (or may get some: ``appears_with``),
  or ``always``.

A :class:`Timer` is an abstract-time expiry step (``model.system.KubeSystem._expiry_steps``).

A :class:`Fault` is one thing that goes wrong: the ``FaultBudget`` field it spends, its labels, its
instances in a state and its scenario-file schema (``faults:`` in a scenario file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from model.api import Create, Delete, UpdateStatus, Write
from model.objects import KIND_INFO, SHORT_KIND_NAMES, KindInfo, kind_of
from model.state import ClusterState

__all__ = ["Controller", "Timer", "TimerStep", "Fault", "Kind", "UserActionKind", "BUDGET_SCHEMA", "write_label", "generic_actions"]

ActorKey = tuple[str, ...]
_INFO: dict[str, KindInfo] = {k.name: k for k in KIND_INFO}
#: ``label(actor_key, write, base, view) -> str``
LabelFn = Callable[["Controller", ActorKey, Write, Any, ClusterState], str]


def write_label(ctl: "Controller", key: ActorKey, write: Write, base: Any, cluster: ClusterState) -> str:
    """The ``actor_verb_object`` label of one controller write (``rs_create_pod``, ``rs_adopt_pod``,
    ``rs_update_status``...): the names every controller shares.  ``key`` is the actor key
    (``("replicaset", namespace, name)``), ``base`` the object as the controller read it."""
    p = ctl.prefix
    if isinstance(write, Create):
        return f"{p}_create_{SHORT_KIND_NAMES[kind_of(write.obj)]}"
    if isinstance(write, Delete):
        return f"{p}_delete_{SHORT_KIND_NAMES[write.kind]}"
    obj = write.obj
    kind = kind_of(obj)
    short = SHORT_KIND_NAMES[kind]
    if isinstance(write, UpdateStatus):
        if kind == ctl.kind and (obj.namespace, obj.name) == tuple(key[-2:]):
            return f"{p}_update_status"
        return f"{p}_update_{short}_status"
    if base is not None:
        old_ctrl = base.controller_ref()
        new_ctrl = obj.controller_ref()
        if old_ctrl is None and new_ctrl is not None:
            return f"{p}_adopt_{short}"
        if old_ctrl is not None and new_ctrl is None:
            return f"{p}_release_{short}"
        if base.owner_references != obj.owner_references:
            return f"{p}_remove_owner_ref"
        if base.finalizers != obj.finalizers:
            return f"{p}_remove_finalizer"
    return f"{p}_update_{short}"


def generic_actions(
    prefix: str,
    *,
    creates: Iterable[str] = (),
    deletes: Iterable[str] = (),
    updates: Iterable[str] = (),
    status_of: Iterable[str] = (),
    adopts: Iterable[str] = (),
    own_status: bool = True,
) -> frozenset[str]:
    """The labels :func:`write_label` gives a controller with ``prefix`` that creates, deletes,
    updates, writes the status of and adopts/releases objects of the given kinds.

    >>> sorted(generic_actions("rs", creates=["Pod"], adopts=["Pod"]))
    ['rs_adopt_pod', 'rs_create_pod', 'rs_release_pod', 'rs_update_status']
    """
    out = {f"{prefix}_update_status"} if own_status else set()
    out |= {f"{prefix}_create_{SHORT_KIND_NAMES[k]}" for k in creates}
    out |= {f"{prefix}_delete_{SHORT_KIND_NAMES[k]}" for k in deletes}
    out |= {f"{prefix}_update_{SHORT_KIND_NAMES[k]}" for k in updates}
    out |= {f"{prefix}_update_{SHORT_KIND_NAMES[k]}_status" for k in status_of}
    for k in adopts:
        out |= {f"{prefix}_adopt_{SHORT_KIND_NAMES[k]}", f"{prefix}_release_{SHORT_KIND_NAMES[k]}"}
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Controller:
    """One controller family (see the module docstring).

    ``name`` is its actor family (``Scenario.actors``, the first part of its actor keys),
    ``prefix`` the first word of its action labels, ``kind`` the kind it reconciles (``""``: none).
    """

    name: str
    prefix: str
    kind: str
    sync: Callable[[ClusterState, Any], tuple[Write, ...]]
    actions: frozenset[str]
    label: LabelFn = write_label
    keys: Callable[[ClusterState], Iterable[Any]] | None = None
    appears_with: tuple[str, ...] = ()
    always: bool = False

    def write_label(self, key: ActorKey, write: Write, base: Any, cluster: ClusterState) -> str:
        """The label of ``write`` made by this controller's actor ``key``."""
        return self.label(self, key, write, base, cluster)

    def runs_on(self, initial: ClusterState) -> bool:
        """Whether a run from ``initial`` can give this controller work: an object of its kind,
        or of a kind that creates objects of its kind (``appears_with``)."""
        if self.always or not self.kind:
            return True
        return bool(initial.table(self.kind)) or any(initial.table(k) for k in self.appears_with)


@dataclass(frozen=True, slots=True)
class TimerStep:
    """One enabled expiry: its label, the (kind, namespace, name) of the object whose timer runs
    out, and the cluster after."""

    label: str
    kind: str
    key: tuple[str, ...]
    cluster: ClusterState
    #: extra parts of the fairness key (the HPA's window label)
    fair_key: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timer:
    """An abstract-time timer (docs/semantics.md, "Abstract time"): ``steps(cluster)`` lists its
    enabled expiries.  ``fair``: whether the clock eventually lets it run out; ``opt_in``: the
    ``Scenario`` flag that switches it on (``None``: always on with the ``expiry`` family)."""

    name: str
    fair: bool
    steps: Callable[[ClusterState], Iterable[TimerStep]]
    actions: frozenset[str]
    opt_in: str | None = None


#: The scenario-file schema of a fault budget: how many times the fault may happen.
BUDGET_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 0}


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault (``model.environment``; docs/semantics.md, "Faults").

    ``budget`` is the ``model.environment.FaultBudget`` field each occurrence spends (``""``: none,
    the fault is not budgeted), ``labels`` every action label it may produce (``{prefix}`` stands for
    each controller's prefix), ``schema`` the JSON Schema of its key under ``faults:`` in a scenario
    file.  ``instances(cluster, images)`` yields ``(label, detail, cluster after)`` for every
    occurrence the state allows; ``None`` for a fault that needs more than the cluster (the pending
    writes, the informer caches), whose steps ``model.system.KubeSystem`` lists itself.
    """

    budget: str
    labels: frozenset[str]
    instances: Callable[[ClusterState, Any], Iterable[tuple[str, str, ClusterState]]] | None
    schema: dict[str, Any] | None = None

    def file_schema(self) -> dict[str, Any] | None:
        """The JSON Schema of its budget under ``faults:`` (``None``: not budgeted, no key)."""
        if not self.budget:
            return None
        return self.schema if self.schema is not None else BUDGET_SCHEMA


@dataclass(frozen=True, slots=True)
class Kind:
    """One object kind (``model/kinds.py`` registers one per kind): how a manifest of it is decoded
    (``schema``, model.validation), defaulted (``defaults``, model.defaults), validated
    (``validate``; ``validate_update`` for a replacing write, model.update_validation), turned into the
    frozen object (``build``, model.manifests) and summarised in one line for the trace views
    (``summary(obj, cluster, gone)``, model.system).  ``None`` for a kind no manifest declares
    (ControllerRevision: only its controllers create it) or whose updates the model never refuses.
    Everything else about the kind (class, ``ClusterState`` table, apiVersion and group, short name,
    status fields, generation, manifest rank, resource name, trace alias) is its data record
    :attr:`info`, ``model.objects.KindInfo``: the modules that need those at import time sit below the
    ones that hold the functions, so the data is one entry beside the classes and the functions one
    line in ``model/kinds.py``.  :meth:`problems` says what an incomplete record lacks."""

    name: str
    summary: Callable[[Any, ClusterState, str], str]
    schema: Any = None
    defaults: Callable[[Any], Any] | None = None
    validate: Callable[[Any], list[Any]] | None = None
    build: Callable[[Any, dict[str, Any]], Any] | None = None
    validate_update: Callable[[Any, Any], list[Any]] | None = None

    @property
    def info(self) -> KindInfo:
        """Its data record in ``model.objects.KIND_INFO`` (class, table, apiVersion, short name,
        status fields, generation, manifest rank, resource, trace alias)."""
        return _INFO[self.name]

    @property
    def cls(self) -> type:
        return self.info.cls

    @property
    def table(self) -> str:
        return self.info.table

    @property
    def api_version(self) -> str:
        return self.info.api_version

    @property
    def short(self) -> str:
        return self.info.short

    def problems(self) -> list[str]:
        """Why this record is incomplete (empty: complete): a kind needs its data record and
        ``ClusterState`` table, a summary, and, when manifests may declare it (``manifest_rank``),
        its schema, defaulter, validator and builder; a kind no manifest declares has none of them."""
        info = _INFO.get(self.name)
        if info is None:
            return [f"{self.name}: no model.objects.KIND_INFO entry"]
        out = [] if callable(self.summary) else [f"{self.name}: no summary"]
        if self.table not in ClusterState.__dataclass_fields__:
            out.append(f"{self.name}: no ClusterState.{self.table} table")
        loaded = {"schema": self.schema, "defaults": self.defaults, "validate": self.validate, "build": self.build}
        if info.manifest_rank is not None:
            out += [f"{self.name}: a kind manifests declare needs its {n}" for n, v in loaded.items() if v is None]
        else:
            out += [f"{self.name}: {n} given for a kind no manifest declares" for n, v in loaded.items() if v is not None]
        return out


@dataclass(frozen=True, slots=True)
class UserActionKind:
    """One kind of user action (``model.environment``; the self-describing ones in their own modules):
    ``cls`` the frozen dataclass a scenario declares, ``label(action)`` its action label
    (``user_scale_deployment``), ``instances(action, cluster)`` its concrete choices in a state
    (``(detail, writes)`` or ``(detail, Refused(message))``).  Its budget is the count the scenario
    declares for each action (``count:`` in a scenario file)."""

    cls: type
    label: Callable[[Any], str]
    instances: Callable[[Any, ClusterState], Any]
