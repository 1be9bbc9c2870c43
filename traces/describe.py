"""Short, human descriptions of states, for the rendered views and the replay diffs.

:func:`describe` turns any state into an ordered ``{lane: text}`` dict.  In order of preference:

1. the system's own ``describe_state(state)`` (not the ``BaseSystem`` default, which is one ``repr``);
2. a Kubernetes view when the state exposes a ``ClusterState`` (duck-typed: the state itself, or its
   ``cluster`` attribute, has ``pods``, ``replica_sets`` and ``nodes`` tables): one lane per object,
   ``Deployment web``, ``ReplicaSet web-7c9``, ``Pod web-7c9-1``, ``PVC data-db-0``, ``Node node-1``,
   plus one lane per other field of a wrapping state (budgets, flags);
3. one lane per dataclass field (or mapping key);
4. ``{"state": repr(state)}``.

:func:`diff` lists where two values differ, as paths (``cluster.pods[('default', 'web-1')].phase``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = ["describe", "describe_cluster", "cluster_of", "diff", "short", "changed_lanes", "lane_rank", "is_object_lane"]

#: Lane order and display name of each ClusterState table (kinds not listed here follow, sorted).
_KIND_ORDER: tuple[tuple[str, str], ...] = (
    ("deployments", "Deployment"),
    ("replica_sets", "ReplicaSet"),
    ("replication_controllers", "ReplicationController"),
    ("stateful_sets", "StatefulSet"),
    ("daemon_sets", "DaemonSet"),
    ("controller_revisions", "ControllerRevision"),
    ("pods", "Pod"),
    ("persistent_volume_claims", "PVC"),
    ("nodes", "Node"),
    ("services", "Service"),
    ("pod_disruption_budgets", "PDB"),
    ("horizontal_pod_autoscalers", "HPA"),
)

_ALIASES = {"PersistentVolumeClaim": "PVC", "PodDisruptionBudget": "PDB", "HorizontalPodAutoscaler": "HPA"}

_REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


def short(value: Any, limit: int = 80) -> str:
    """A compact one-line rendering of ``value`` (``repr``-like, maps as ``{k: v}``), cut at ``limit``."""
    text = _short(value, depth=0)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: Any, depth: int) -> str:
    if depth > 4:
        return "…"
    if isinstance(value, str):
        return repr(value) if depth else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ", ".join(f"{f.name}={_short(getattr(value, f.name), depth + 1)}" for f in _state_fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_short(k, depth + 1)}: {_short(v, depth + 1)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v, depth + 1) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _state_fields(obj: Any) -> list[dataclasses.Field[Any]]:
    """The dataclass fields that are part of the value (``compare=False`` caches are left out)."""
    return [f for f in dataclasses.fields(obj) if f.compare]


def _own_describe(system: Any) -> Any:
    fn = getattr(system, "describe_state", None)
    if fn is None:
        return None
    try:
        from kubecheck.core.ts import BaseSystem
    except ImportError:  # pragma: no cover - traces used without the engine
        return fn
    if getattr(type(system), "describe_state", None) is BaseSystem.describe_state:
        return None
    return fn


def _is_cluster(obj: Any) -> bool:
    return all(hasattr(obj, attr) for attr in ("pods", "replica_sets", "nodes")) and not isinstance(obj, type)


def cluster_of(state: Any) -> Any | None:
    """The ``ClusterState`` inside ``state`` (or ``state`` itself), or ``None`` for a generic state."""
    if _is_cluster(state):
        return state
    inner = getattr(state, "cluster", None)
    if inner is not None and _is_cluster(inner):
        return inner
    return None


def describe(state: Any, system: Any = None) -> dict[str, str]:
    """An ordered ``{lane: short text}`` description of ``state`` (see the module docstring)."""
    own = _own_describe(system) if system is not None else None
    if own is not None:
        try:
            return {str(k): str(v) for k, v in dict(own(state)).items()}
        except Exception as exc:  # noqa: BLE001 - a rendering helper must not fail the run
            return {"state": short(state, 400), "describe_state error": f"{type(exc).__name__}: {exc}"}
    cluster = cluster_of(state)
    if cluster is not None:
        out = describe_cluster(cluster)
        if cluster is not state and dataclasses.is_dataclass(state):
            for f in _state_fields(state):
                value = getattr(state, f.name)
                if value is not cluster:
                    out[f.name] = short(value)
        return out
    if dataclasses.is_dataclass(state) and not isinstance(state, type):
        return {f.name: short(getattr(state, f.name)) for f in _state_fields(state)}
    if isinstance(state, Mapping):
        return {short(k, 60): short(v) for k, v in state.items()}
    return {"state": short(state, 400)}


def lane_rank(lane: str) -> int:
    """Sort rank of a lane: Kubernetes kinds in ``_KIND_ORDER`` order, everything else after them."""
    kind = _ALIASES.get(lane.split(" ", 1)[0], lane.split(" ", 1)[0])
    for rank, (_, name) in enumerate(_KIND_ORDER):
        if kind == name:
            return rank
    return len(_KIND_ORDER)


def is_object_lane(lane: str) -> bool:
    """True for a lane that names a Kubernetes object (``Pod web-1``), false for budgets and fields."""
    return lane_rank(lane) < len(_KIND_ORDER)


def changed_lanes(before: Mapping[str, str], after: Mapping[str, str]) -> set[str]:
    """Lanes whose text differs (including lanes that appear or disappear)."""
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


# ------------------------------------------------------------------ Kubernetes view


def _name(key: Any, obj: Any) -> str:
    ns = getattr(obj, "namespace", None)
    name = getattr(obj, "name", None)
    if name is None:
        return short(key, 60)
    return name if ns in (None, "", "default") else f"{ns}/{name}"


def _image(template: Any) -> str:
    containers = getattr(template, "containers", None) or getattr(template, "spec_containers", None) or ()
    images = [getattr(c, "image", "?") for c in containers]
    return f" img={','.join(images)}" if images else ""


def _deleting(obj: Any) -> str:
    return " DELETING" if getattr(obj, "deletion_timestamp", None) is not None else ""


def _owner(obj: Any, uids: Mapping[str, Any], orphan: bool = False) -> str:
    """`` owner=Kind/name`` of the controller, named by the object that has the reference's UID in this
    state (``uids``); `` owner=Kind/name(gone:uid-4)`` when no object has it any more (the name alone
    would point at a successor that reuses it).  For pods (``orphan=True``) a missing controller shows
    as `` orphan``."""
    ref = obj.controller_ref() if hasattr(obj, "controller_ref") else None
    if ref is None:
        return " orphan" if orphan else ""
    kind, name, uid = getattr(ref, "kind", ""), getattr(ref, "name", "?"), getattr(ref, "uid", "")
    prefix = f"{kind}/" if kind else ""
    if not uid:
        return f" owner={prefix}{name}"
    target = uids.get(uid)
    if target is None:
        return f" owner={prefix}{name}(gone:{uid})"
    return f" owner={prefix}{getattr(target, 'name', name)}"


def _uid_index(cluster: Any, tables: Any) -> dict[str, Any]:
    """``{uid: object}`` over the cluster's tables (duck-typed: any object with a ``uid``)."""
    out: dict[str, Any] = {}
    for attr in tables:
        table = getattr(cluster, attr, None)
        if isinstance(table, Mapping):
            for obj in table.values():
                uid = getattr(obj, "uid", None)
                if isinstance(uid, str) and uid:
                    out[uid] = obj
    return out


def _summary(kind: str, obj: Any, uids: Mapping[str, Any]) -> str:
    st = getattr(obj, "status", None)
    g = lambda o, a, d="?": getattr(o, a, d)  # noqa: E731 - tiny local accessor
    if kind == "Deployment":
        text = (
            f"spec={g(obj, 'replicas')} gen={g(obj, 'generation')}/obs={g(st, 'observed_generation')}"
            f" | upd={g(st, 'updated_replicas')} ready={g(st, 'ready_replicas')}"
            f" avail={g(st, 'available_replicas')}{_image(g(obj, 'template', None))}"
        )
        return text + (" PAUSED" if g(obj, "paused", False) else "") + _deleting(obj)
    if kind in ("ReplicaSet", "ReplicationController"):
        rev = getattr(obj, "annotations", {}).get(_REVISION_ANNOTATION) if hasattr(obj, "annotations") else None
        return (
            f"spec={g(obj, 'replicas')} | pods={g(st, 'replicas')} ready={g(st, 'ready_replicas')}"
            f" avail={g(st, 'available_replicas')}{_image(g(obj, 'template', None))}"
            + (f" rev={rev}" if rev else "")
            + _owner(obj, uids)
            + _deleting(obj)
        )
    if kind == "DaemonSet":
        return (
            f"desired={g(st, 'desired_number_scheduled')} | current={g(st, 'current_number_scheduled')}"
            f" ready={g(st, 'number_ready')} upd={g(st, 'updated_number_scheduled')}"
            f" avail={g(st, 'number_available')}{_image(g(obj, 'template', None))}" + _deleting(obj)
        )
    if kind == "StatefulSet":
        return (
            f"spec={g(obj, 'replicas')} | pods={g(st, 'replicas')} ready={g(st, 'ready_replicas')}"
            f" cur={g(st, 'current_replicas')} upd={g(st, 'updated_replicas')}{_image(g(obj, 'template', None))}"
            + _deleting(obj)
        )
    if kind == "Pod":
        cond = getattr(obj, "conditions", None)
        ready = "ready" if getattr(cond, "ready", False) else "not-ready"
        if getattr(cond, "disruption_target", False):
            ready += " DisruptionTarget"
        node = getattr(obj, "node_name", None)
        return (
            f"{g(obj, 'phase')} {ready} {('on ' + node) if node else 'unscheduled'}"
            f"{_image(obj)}{_owner(obj, uids, orphan=True)}{_deleting(obj)}"
        )
    if kind == "PVC":
        return f"{g(obj, 'phase')}{_owner(obj, uids)}{_deleting(obj)}"
    if kind == "Node":
        text = "Ready" if g(obj, "ready", True) else "NotReady"
        drain: Any = getattr(obj, "drain", None)
        if drain is not None:
            pods = ",".join(p[1] for p in getattr(drain, "pods", ()))
            text += f" drain-failed: {g(drain, 'error')}" if g(drain, "error", "") else f" draining ({pods})"
        return text + (" unschedulable" if g(obj, "unschedulable", False) else "") + _deleting(obj)
    if kind == "ControllerRevision":
        return f"revision={g(obj, 'revision')}{_owner(obj, uids)}"
    if kind == "Service":
        return f"selector={short(g(obj, 'selector', {}), 60)}"
    if kind == "HPA":
        st = g(obj, "status", None)
        return f"replicas={g(st, 'current_replicas')}->{g(st, 'desired_replicas')} load={g(obj, 'load')}{_deleting(obj)}"
    if kind == "PDB":
        st = g(obj, "status", None)
        return (f"allowed={g(st, 'disruptions_allowed')} healthy={g(st, 'current_healthy')}/{g(st, 'desired_healthy')} "
                f"expected={g(st, 'expected_pods')}{_deleting(obj)}")
    return short(obj)


def describe_cluster(cluster: Any) -> dict[str, str]:
    """One lane per object of a ``ClusterState``, in the order Deployment, ReplicaSet, ..., Node."""
    out: dict[str, str] = {}
    known = {attr for attr, _ in _KIND_ORDER}
    extra = []
    if dataclasses.is_dataclass(cluster):
        extra = sorted(
            f.name
            for f in _state_fields(cluster)
            if f.name not in known and isinstance(getattr(cluster, f.name), Mapping)
        )
    order = (*_KIND_ORDER, *((a, a) for a in extra))
    uids = _uid_index(cluster, (attr for attr, _ in order))
    for attr, kind in order:
        table = getattr(cluster, attr, None)
        if not isinstance(table, Mapping):
            continue
        for key, obj in table.items():
            try:
                out[f"{kind} {_name(key, obj)}"] = _summary(kind, obj, uids)
            except Exception:  # noqa: BLE001 - an unexpected object shape falls back to repr
                out[f"{kind} {_name(key, obj)}"] = short(obj)
    return out


# ------------------------------------------------------------------------- diffs


def diff(a: Any, b: Any, limit: int = 5, path: str = "state") -> list[str]:
    """Up to ``limit`` lines ``path: a != b`` naming where ``a`` and ``b`` differ (``[]`` if equal)."""
    out: list[str] = []
    _diff(a, b, path, out, limit)
    return out


def _diff(a: Any, b: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit or a == b:
        return
    if (
        dataclasses.is_dataclass(a)
        and dataclasses.is_dataclass(b)
        and type(a) is type(b)
        and not isinstance(a, type)
    ):
        for f in _state_fields(a):
            _diff(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}", out, limit)
        return
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in a:
            if k not in b:
                if len(out) < limit:
                    out.append(f"{path}[{k!r}]: only in recorded trace")
            else:
                _diff(a[k], b[k], f"{path}[{k!r}]", out, limit)
        for k in b:
            if k not in a and len(out) < limit:
                out.append(f"{path}[{k!r}]: only in replayed state")
        return
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out, limit)
        return
    out.append(f"{path}: recorded {short(a, 60)} != replayed {short(b, 60)}")
