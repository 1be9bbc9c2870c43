"""API writes: what a controller returns instead of a new state.

A controller is a pure function ``sync_x(state: ClusterState, key: ObjKey) -> tuple[Write, ...]``
that reads a view of the cluster and returns the API calls it would issue, in the order
upstream issues them.  ``model.apiserver.apply_write`` turns one write into a new state
(assigning UIDs and generated names, bumping generation, turning a graceful delete into
a deletionTimestamp, cascading through the garbage collector).  Because writes are data,
the system can apply a whole reconcile atomically, one write per step, or only a
prefix of them (a controller crashing mid-reconcile).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

__all__ = ["Create", "Update", "UpdateStatus", "Delete", "Write", "describe_write", "Refused"]

Propagation = Literal["Background", "Foreground", "Orphan"]


@dataclass(frozen=True, slots=True)
class Create:
    """POST an object.  With ``generate_name`` the API server appends a unique suffix
    (metadata.generateName); ``obj.name`` is then ignored."""

    obj: Any
    generate_name: str | None = None


@dataclass(frozen=True, slots=True)
class Update:
    """PUT an object's spec and metadata (the status is kept as stored)."""

    obj: Any


@dataclass(frozen=True, slots=True)
class UpdateStatus:
    """PUT the status subresource (spec and metadata are kept as stored)."""

    obj: Any


@dataclass(frozen=True, slots=True)
class Delete:
    """DELETE an object.

    ``uid`` is the optional UID precondition (upstream controllers delete pods with one);
    ``grace_period_seconds=0`` is a force delete; ``propagation`` is the
    propagationPolicy the garbage collector honours.  ``None`` (the default) is a
    ``metav1.DeleteOptions{}`` without a policy, what the controllers send: the API server keeps
    an ``orphan`` / ``foregroundDeletion`` finalizer the object already carries, else applies
    the kind's default (background) — staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
    deletionFinalizersForGarbageCollection.  ``kubectl delete`` always sends an explicit policy
    (``--cascade`` defaults to background).
    """

    kind: str
    namespace: str
    name: str
    uid: str | None = None
    propagation: Propagation | None = None
    grace_period_seconds: int | None = None


Write = Union[Create, Update, UpdateStatus, Delete]


@dataclass(frozen=True, slots=True)
class Refused:
    """A user's request that the API server or kubectl refuses, in their words: no write happens.

    A user action's instance may be ``(detail, Refused(message))`` instead of ``(detail, writes)``;
    ``model.system`` then takes a visible step labelled ``<action label>_refused`` that spends the
    action's budget and leaves the cluster as it was (the user tried; nothing changed).
    """

    message: str


def describe_write(w: Write) -> str:
    """A short human label for a write, e.g. ``create Pod web-`` or ``delete Pod web-3``."""
    from model.objects import kind_of

    if isinstance(w, Create):
        name = (w.generate_name or "") + ("*" if w.generate_name else w.obj.name)
        return f"create {kind_of(w.obj)} {name}"
    if isinstance(w, Update):
        return f"update {kind_of(w.obj)} {w.obj.name}"
    if isinstance(w, UpdateStatus):
        return f"update status {kind_of(w.obj)} {w.obj.name}"
    force = " (force)" if w.grace_period_seconds == 0 else ""
    return f"delete {w.kind} {w.name}{force}"
