"""The kind registry: one :class:`model.records.Kind` record per object kind, the one place that says
how a kind is decoded, defaulted, validated (on create and on update), built and summarised.

The manifest loader (``model.manifests.ManifestLoad.load_object``), ``model.defaults.set_defaults``,
``model.update_validation.validate_update`` and the trace summaries (``model.system``) look the kind
up here; the functions themselves stay in the module of their concern, named after upstream's
(``model.validation.validate_deployment`` is ``ValidateDeployment``).  The kind's data (class,
``ClusterState`` table, apiVersion, short name, status fields, generation, manifest rank, resource,
trace alias) is its ``model.objects.KindInfo`` entry beside the class: ``model.objects``,
``model.state`` and ``model.apiserver`` need it at import time and sit below the modules this one
imports, so it cannot be a field given here.  Each kind is one line here and one entry there.

Consumers import this module inside their functions: it imports them.
"""

from __future__ import annotations

from typing import Any

from model import defaults, manifests, update_validation, validation
from model.objects import KINDS, kind_of
from model.records import Kind
from model.state import ClusterState

__all__ = ["KIND_RECORDS", "kind_record"]


# ------------------------------------------------------------------------------ summaries


def _ref(c: ClusterState, ref: Any) -> str:
    """An owner reference as ``Kind/name`` of the object with its UID in ``c`` (owners live in the
    dependent's namespace), or, when no object has that UID any more, ``Kind/name(gone:uid-4)``: the
    name alone would point at a successor that reuses it."""
    obj = c.by_uid(ref.uid) if ref.uid else None
    if obj is not None and kind_of(obj) == ref.kind:
        return f"{ref.kind}/{obj.name}"
    return f"{ref.kind}/{ref.name}(gone:{ref.uid})"


def _owner(c: ClusterState, obj: Any) -> str:
    """`` owner=Kind/name`` for an object with a controller reference, else ``""``."""
    ref = obj.controller_ref()
    return f" owner={_ref(c, ref)}" if ref is not None else ""


def _endpoints(c: ClusterState, svc: Any) -> str:
    """The pods a Service's EndpointSlice lists as ready (KC-ROLL-004's count,
    :func:`model.endpoints.serving_endpoints`: Ready and not terminating, or with
    publishNotReadyAddresses any pod with an IP, not terminal, not terminating); ``none`` if there are none."""
    from model.endpoints import serving_endpoints

    if not svc.selector:
        return "-"
    return ",".join(sorted(p.name for p in serving_endpoints(c, svc))) or "none"


def _pod_summary(obj: Any, c: ClusterState, gone: str) -> str:
    cond = "ready" if obj.conditions.ready else "not-ready"
    parts = [obj.node_name or "unbound", obj.phase, cond]
    if obj.ready_elapsed:
        parts.append("available")
    if obj.conditions.disruption_target:
        parts.append("disruption-target")
    if obj.sandbox is not None:
        parts.append(f"ip={obj.sandbox.ip}{'' if obj.sandbox.ready else '(dead)'}")
    cs = ",".join(f"{c.name}:{c.state[:4]}{'(' + c.reason + ')' if c.reason else ''}/{c.restart_count}"
                  for c in obj.container_statuses)
    if cs:
        parts.append(cs)
    return " ".join(parts) + _owner(c, obj) + gone


def _replica_set_summary(obj: Any, c: ClusterState, gone: str) -> str:
    s = obj.status
    return f"replicas={obj.replicas} status={s.replicas}/{s.ready_replicas}/{s.available_replicas}{gone}"


def _deployment_summary(obj: Any, c: ClusterState, gone: str) -> str:
    s = obj.status
    paused = " paused" if obj.paused else ""
    return f"replicas={obj.replicas} updated={s.updated_replicas} available={s.available_replicas}{paused}{gone}"


def _stateful_set_summary(obj: Any, c: ClusterState, gone: str) -> str:
    s = obj.status
    return f"replicas={obj.replicas} status={s.replicas}/{s.ready_replicas}{gone}"


def _daemon_set_summary(obj: Any, c: ClusterState, gone: str) -> str:
    s = obj.status
    return (f"desired={s.desired_number_scheduled} current={s.current_number_scheduled} ready={s.number_ready} "
            f"updated={s.updated_number_scheduled} available={s.number_available}{gone}")


def _node_summary(obj: Any, c: ClusterState, gone: str) -> str:
    out: str = ("Ready" if obj.ready else "NotReady") + (" eviction-due" if obj.eviction_timeout_elapsed else "")
    if obj.unschedulable:
        out += " cordoned"
    if obj.drain is not None:
        d = obj.drain
        out += f" drain-failed({d.error})" if d.error else " draining(" + ",".join(n for _, n, _ in d.pods) + ")"
    return out


def _pdb_summary(obj: Any, c: ClusterState, gone: str) -> str:
    s = obj.status
    return (f"allowed={s.disruptions_allowed} healthy={s.current_healthy}/{s.desired_healthy} "
            f"expected={s.expected_pods} observed={s.observed_generation}/{obj.generation}{gone}")


def _hpa_summary(obj: Any, c: ClusterState, gone: str) -> str:
    s, m = obj.status, obj.memory
    return (f"replicas={s.current_replicas}->{s.desired_replicas} load={obj.load} "
            f"window=up{list(m.up_recommendations)}/down{list(m.down_recommendations)} "
            f"events=+{list(m.scale_up_events)}/-{list(m.scale_down_events)}{gone}")


def _service_summary(obj: Any, c: ClusterState, gone: str) -> str:
    sel = ",".join(f"{k}={v}" for k, v in sorted(obj.selector.items())) or "none"
    return f"selector={sel} ready-endpoints={_endpoints(c, obj)}{gone}"


def _pvc_summary(obj: Any, c: ClusterState, gone: str) -> str:
    return f"{obj.phase}{_owner(c, obj)}{gone}"


def _revision_summary(obj: Any, c: ClusterState, gone: str) -> str:
    return f"revision={obj.revision}{_owner(c, obj)}{gone}"


# ------------------------------------------------------------------------------- records


def _loaded(name: str, summary: Any, schema_defaults: Any, validate: Any, build: Any, validate_update: Any = None) -> Kind:
    """A kind manifests declare: its schema is ``model.validation.SCHEMAS[name]``."""
    return Kind(name, summary, validation.SCHEMAS[name], schema_defaults, validate, build, validate_update)


#: One record per kind, in ``model.objects.KINDS`` order.
KIND_RECORDS: dict[str, Kind] = {k.name: k for k in (
    _loaded("Pod", _pod_summary, defaults.set_defaults_pod, validation.validate_pod, manifests._build_pod,
            update_validation.validate_pod_update),
    _loaded("ReplicaSet", _replica_set_summary, defaults.set_defaults_replica_set, validation.validate_replica_set,
            manifests._build_replica_set, update_validation.validate_replica_set_update),
    _loaded("ReplicationController", _replica_set_summary, defaults.set_defaults_replication_controller,
            validation.validate_replication_controller, manifests._build_replication_controller),
    _loaded("Deployment", _deployment_summary, defaults.set_defaults_deployment, validation.validate_deployment,
            manifests._build_deployment, update_validation.validate_deployment_update),
    _loaded("StatefulSet", _stateful_set_summary, defaults.set_defaults_stateful_set, validation.validate_stateful_set,
            manifests._build_stateful_set, update_validation.validate_stateful_set_update),
    Kind("ControllerRevision", _revision_summary),
    _loaded("PersistentVolumeClaim", _pvc_summary, defaults._copy, validation.validate_persistent_volume_claim,
            manifests._build_pvc, update_validation.validate_persistent_volume_claim_update),
    _loaded("Node", _node_summary, defaults._copy, validation.validate_node, manifests._build_node),
    _loaded("Service", _service_summary, defaults._copy, validation.validate_service, manifests._build_service,
            update_validation.validate_service_update),
    _loaded("PodDisruptionBudget", _pdb_summary, defaults._copy, validation.validate_pod_disruption_budget,
            manifests._build_pdb),
    _loaded("DaemonSet", _daemon_set_summary, defaults.set_defaults_daemon_set, validation.validate_daemon_set,
            manifests._build_daemon_set, update_validation.validate_daemon_set_update),
    _loaded("HorizontalPodAutoscaler", _hpa_summary, defaults.set_defaults_horizontal_pod_autoscaler,
            validation.validate_horizontal_pod_autoscaler, manifests._build_hpa),
)}

assert list(KIND_RECORDS) == list(KINDS), "one record per model.objects.KIND_INFO entry, in its order"
assert not [p for k in KIND_RECORDS.values() for p in k.problems()], [p for k in KIND_RECORDS.values() for p in k.problems()]


def kind_record(kind: str) -> Kind:
    """The record of ``kind`` (``"Deployment"``)."""
    return KIND_RECORDS[kind]
