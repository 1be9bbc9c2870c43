"""The ReplicationController controller: an adapter over the ReplicaSet controller.

Mirrors kubernetes/kubernetes pkg/controller/replication/replication_controller.go and
conversion.go: upstream runs the very same ReplicaSet controller on RCs converted "as if
ReplicationController were just an older API version of ReplicaSet". Here likewise: the RC
is converted into a ReplicaSet view (its map selector becomes ``matchLabels``, i.e. an
equality-only ``SelectorFromSet``), :func:`model.replicaset.sync_replica_set_for_kind` runs
with the kind ``ReplicationController`` (so controller references name the RC), and the
status write is converted back into an RC. There is no second copy of the logic.
"""

from __future__ import annotations

from dataclasses import replace

from model.api import UpdateStatus, Write
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import ReplicaSet, ReplicationController
from model.replicaset import BURST_REPLICAS, ReplicaSetKind, sync_replica_set_for_kind
from model.state import ClusterState, ObjKey
from model.records import Controller, generic_actions

__all__ = [
    "convert_rc_to_rs",
    "convert_rs_to_rc",
    "REPLICATION_CONTROLLER_KIND",
    "sync_replication_controller",
]


def _selector_from_map(selector: FrozenMap[str, str]) -> LabelSelector | None:
    """metav1.Convert_Map_to_unversioned_LabelSelector, as the RC->RS conversion calls it.

    A nil map gives a nil selector (matches nothing). The model cannot tell a nil map from
    an empty one, and validation rejects an empty RC selector (after defaulting it from the
    template labels), so an empty map is treated as nil: see docs/semantics.md#replicaset.
    """
    if not selector:
        return None
    return LabelSelector(match_labels=selector)


def convert_rc_to_rs(rc: ReplicationController) -> ReplicaSet:
    """Mirrors kubernetes/kubernetes pkg/controller/replication/conversion.go convertRCtoRS.

    Metadata (name, namespace, UID, labels, owner references, generation, deletion
    timestamp, creation order), replicas, minReadySeconds, template and status carry over;
    ``spec.selector`` becomes ``matchLabels``.
    """
    return ReplicaSet(
        name=rc.name,
        namespace=rc.namespace,
        uid=rc.uid,
        labels=rc.labels,
        annotations=rc.annotations,
        owner_references=rc.owner_references,
        generation=rc.generation,
        deletion_timestamp=rc.deletion_timestamp,
        deletion_grace_period_seconds=rc.deletion_grace_period_seconds,
        finalizers=rc.finalizers,
        creation_index=rc.creation_index,
        replicas=rc.replicas,
        selector=_selector_from_map(rc.selector),
        template=rc.template,
        min_ready_seconds=rc.min_ready_seconds,
        status=rc.status,
    )


def convert_rs_to_rc(rs: ReplicaSet, rc: ReplicationController) -> ReplicationController:
    """Mirrors kubernetes/kubernetes pkg/controller/replication/conversion.go convertRStoRC (status path).

    The only write the shared controller makes to its own object is UpdateStatus, so only
    the status travels back; everything else is taken from the stored ``rc``.
    """
    return replace(rc, status=rs.status)


REPLICATION_CONTROLLER_KIND = ReplicaSetKind(
    kind="ReplicationController",
    get=lambda state, ns, name: _get_converted(state, ns, name),
    list=lambda state: tuple(convert_rc_to_rs(rc) for rc in state.objects("ReplicationController")),
)


def _get_converted(state: ClusterState, namespace: str, name: str) -> ReplicaSet | None:
    rc = state.get("ReplicationController", namespace, name)
    return None if rc is None else convert_rc_to_rs(rc)


def sync_replication_controller(
    state: ClusterState,
    key: ObjKey,
    *,
    burst_replicas: int = BURST_REPLICAS,
    pod_deletion_cost: bool = True,
    rs_needs_sync: bool = True,
    victim_choice: int | None = None,
) -> tuple[Write, ...]:
    """Mirrors kubernetes/kubernetes pkg/controller/replication/replication_controller.go NewReplicationManager (syncReplicaSet on RCs).

    One reconcile of the RC at ``key``: the ReplicaSet reconcile on the converted RC. Pod
    writes carry controller references of kind ``ReplicationController`` (apiVersion v1);
    the status write is an ``UpdateStatus`` of the ``ReplicationController``.
    """
    writes = sync_replica_set_for_kind(
        state, key, REPLICATION_CONTROLLER_KIND, burst_replicas=burst_replicas, pod_deletion_cost=pod_deletion_cost,
        rs_needs_sync=rs_needs_sync, victim_choice=victim_choice,
    )
    out: list[Write] = []
    for w in writes:
        if isinstance(w, UpdateStatus) and isinstance(w.obj, ReplicaSet):
            rc = state.get("ReplicationController", *key)
            # Invariant: sync_replica_set_for_kind returns () when the RC at ``key`` is absent
            # from this same ``state``, so a status write implies the RC is there.
            assert rc is not None, key
            out.append(UpdateStatus(convert_rs_to_rc(w.obj, rc)))
        else:
            out.append(w)
    return tuple(out)


#: The ReplicationController manager's record (registered in ``model.registry``).
CONTROLLER = Controller(
    "replication", "rc", "ReplicationController", sync_replication_controller,
    generic_actions("rc", creates=["Pod"], deletes=["Pod"], updates=["Pod", "ReplicationController"], adopts=["Pod"])
    | {"rc_remove_owner_ref"},
)
