"""The disruption controller: a PodDisruptionBudget's status from the pods it selects.

Mirrors kubernetes/kubernetes pkg/controller/disruption/disruption.go (``sync``, ``trySync``,
``getPodsForPdb``, ``getExpectedPodCount``, ``getExpectedScale``, the ``finders``,
``countHealthyPods``, ``updatePdbStatus``, ``failSafe``).  One reconcile is one status write
(``UpdateStatus`` of the PDB), or nothing when the status is already what the controller would
write (level-triggered, as every controller in the model).

Abstractions (docs/semantics.md, "PodDisruptionBudget, eviction and drain"):

* ``status.disruptedPods`` is not modelled: an eviction (``model.eviction``) decrements
  ``disruptionsAllowed`` and marks the pod deleted in one step, so at every sync the map
  upstream's ``buildDisruptedPodMap`` would build is empty (it drops pods with a
  deletionTimestamp), and ``countHealthyPods`` skips the pod for its deletionTimestamp anyway;
* the ``DisruptionAllowed`` condition is a function of ``disruptionsAllowed``
  (component-helpers/apps/poddisruptionbudget UpdateDisruptionAllowedCondition) and is not stored;
* the scale subresource of kinds the model does not have (``getScaleController``) is never found:
  a pod whose controller is not a modelled workload makes the sync fail, and ``failSafe`` writes
  ``disruptionsAllowed: 0``, as upstream does when the scale lookup fails.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from model.api import UpdateStatus, Write
from model.controller_utils import is_pod_ready
from model.deployment_util import UpstreamError, get_scaled_value_from_int_or_percent
from model.labels import SelectorError, label_selector_as_selector
from model.objects import OwnerReference, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus
from model.state import ClusterState, ObjKey
from model.records import Controller, generic_actions

__all__ = [
    "DisruptionError",
    "get_pods_for_pdb",
    "verify_group_kind",
    "get_pod_replica_set",
    "get_pod_stateful_set",
    "get_pod_deployment",
    "get_pod_replication_controller",
    "FINDERS",
    "get_expected_scale",
    "get_expected_pod_count",
    "count_healthy_pods",
    "update_pdb_status",
    "fail_safe",
    "try_sync",
    "sync_disruption_budget",
]


class DisruptionError(Exception):
    """An error ``trySync`` returns (upstream then calls ``failSafe``)."""


def get_pods_for_pdb(state: ClusterState, pdb: PodDisruptionBudget) -> tuple[Pod, ...]:
    """disruption.go getPodsForPdb: the pods of the PDB's namespace its selector matches.

    ``metav1.LabelSelectorAsSelector``: a nil selector is ``labels.Nothing()`` (no pod), an empty
    one ``labels.Everything()`` (every pod of the namespace, policy/v1).  Terminating pods are
    included (the lister returns them).
    """
    try:
        sel = label_selector_as_selector(pdb.selector)
    except SelectorError as exc:
        raise DisruptionError(str(exc)) from None
    return tuple(p for p in state.objects("Pod", pdb.namespace) if sel.matches(p.labels))


def _group(api_version: str) -> str:
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def verify_group_kind(ref: OwnerReference, expected_kind: str, expected_groups: tuple[str, ...]) -> bool:
    """disruption.go verifyGroupKind (the apiVersion parses: the model only holds valid ones)."""
    return ref.kind == expected_kind and _group(ref.api_version) in expected_groups


Scale = tuple[str, int]  # (controller UID, spec.replicas): upstream's controllerAndScale


def get_pod_replica_set(state: ClusterState, ref: OwnerReference, namespace: str) -> Scale | None:
    """disruption.go getPodReplicaSet: a ReplicaSet not controlled by a Deployment."""
    if not verify_group_kind(ref, "ReplicaSet", ("apps", "extensions")):
        return None
    rs = state.get("ReplicaSet", namespace, ref.name)
    if rs is None or rs.uid != ref.uid:
        return None
    owner = rs.controller_ref()
    if owner is not None and owner.kind == "Deployment":
        return None
    return (rs.uid, rs.replicas)


def get_pod_stateful_set(state: ClusterState, ref: OwnerReference, namespace: str) -> Scale | None:
    """disruption.go getPodStatefulSet."""
    if not verify_group_kind(ref, "StatefulSet", ("apps",)):
        return None
    ss = state.get("StatefulSet", namespace, ref.name)
    if ss is None or ss.uid != ref.uid:
        return None
    return (ss.uid, ss.replicas)


def get_pod_deployment(state: ClusterState, ref: OwnerReference, namespace: str) -> Scale | None:
    """disruption.go getPodDeployment: the Deployment controlling the pod's ReplicaSet."""
    if not verify_group_kind(ref, "ReplicaSet", ("apps", "extensions")):
        return None
    rs = state.get("ReplicaSet", namespace, ref.name)
    if rs is None or rs.uid != ref.uid:
        return None
    owner = rs.controller_ref()
    if owner is None or not verify_group_kind(owner, "Deployment", ("apps", "extensions")):
        return None
    d = state.get("Deployment", rs.namespace, owner.name)
    if d is None or d.uid != owner.uid:
        return None
    return (d.uid, d.replicas)


def get_pod_replication_controller(state: ClusterState, ref: OwnerReference, namespace: str) -> Scale | None:
    """disruption.go getPodReplicationController."""
    if not verify_group_kind(ref, "ReplicationController", ("",)):
        return None
    rc = state.get("ReplicationController", namespace, ref.name)
    if rc is None or rc.uid != ref.uid:
        return None
    return (rc.uid, rc.replicas)


#: disruption.go finders(), in upstream order (getScaleController: see the module docstring).
FINDERS = (get_pod_replication_controller, get_pod_deployment, get_pod_replica_set, get_pod_stateful_set)


def get_expected_scale(state: ClusterState, pdb: PodDisruptionBudget, pods: tuple[Pod, ...]) -> tuple[int, tuple[str, ...]]:
    """disruption.go getExpectedScale: the sum of the scales of the pods' controllers, and the
    names of the unmanaged pods (no controller reference; skipped, not an error).

    Raises :class:`DisruptionError` "found no controllers for pod" when a pod's controller is
    none of the modelled workloads (or is gone).
    """
    scales: dict[str, int] = {}
    unmanaged: list[str] = []
    for pod in pods:
        ref = pod.controller_ref()
        if ref is None:
            unmanaged.append(pod.name)
            continue
        if ref.uid in scales:
            continue
        for finder in FINDERS:
            found = finder(state, ref, pod.namespace)
            if found is not None:
                scales[found[0]] = found[1]
                break
        else:
            raise DisruptionError(f'found no controllers for pod "{pod.name}"')
    return sum(scales.values()), tuple(unmanaged)


def get_expected_pod_count(state: ClusterState, pdb: PodDisruptionBudget, pods: tuple[Pod, ...]) -> tuple[int, int, tuple[str, ...]]:
    """disruption.go getExpectedPodCount: ``(expectedCount, desiredHealthy, unmanagedPods)``.

    maxUnavailable (int or percent): expected = the controllers' scale, desired = expected -
    maxUnavailable (percent rounded up), at least 0.  minAvailable int: desired = minAvailable,
    expected = the number of selected pods.  minAvailable percent: expected = the controllers'
    scale, desired = that percent of it rounded up.  Neither set: 0 and 0.
    """
    if pdb.max_unavailable is not None:
        expected, unmanaged = get_expected_scale(state, pdb, pods)
        max_unavailable = _scaled(pdb.max_unavailable, expected)
        return expected, max(expected - max_unavailable, 0), unmanaged
    if pdb.min_available is not None:
        if isinstance(pdb.min_available, int):
            return len(pods), pdb.min_available, ()
        expected, unmanaged = get_expected_scale(state, pdb, pods)
        return expected, _scaled(pdb.min_available, expected), unmanaged
    return 0, 0, ()


def _scaled(value: int | str, total: int) -> int:
    try:
        return get_scaled_value_from_int_or_percent(value, total, True)
    except UpstreamError as exc:
        raise DisruptionError(str(exc)) from None


def count_healthy_pods(pods: tuple[Pod, ...]) -> int:
    """disruption.go countHealthyPods: pods not being deleted and Ready (IsPodReady).

    The ``disruptedPods`` test is dropped: the map is always empty at a sync in the model (see the
    module docstring).
    """
    return sum(1 for p in pods if p.deletion_timestamp is None and is_pod_ready(p))


def update_pdb_status(pdb: PodDisruptionBudget, current_healthy: int, desired_healthy: int, expected_count: int) -> tuple[Write, ...]:
    """disruption.go updatePdbStatus: ``disruptionsAllowed = currentHealthy - desiredHealthy``,
    0 when negative or when ``expectedCount <= 0``; no write when nothing changes."""
    allowed = current_healthy - desired_healthy
    if expected_count <= 0 or allowed <= 0:
        allowed = 0
    status = PodDisruptionBudgetStatus(
        observed_generation=pdb.generation,
        disruptions_allowed=allowed,
        current_healthy=current_healthy,
        desired_healthy=desired_healthy,
        expected_pods=expected_count,
    )
    if status == pdb.status:
        return ()
    return (UpdateStatus(replace(pdb, status=status)),)


def fail_safe(pdb: PodDisruptionBudget) -> tuple[Write, ...]:
    """disruption.go failSafe: ``disruptionsAllowed: 0`` (the SyncFailed condition is derived and
    not stored); the other fields are kept.  Upstream writes even when nothing changes; the
    model's level-triggered controller writes only a change."""
    if pdb.status.disruptions_allowed == 0:
        return ()
    return (UpdateStatus(replace(pdb, status=replace(pdb.status, disruptions_allowed=0))),)


def try_sync(state: ClusterState, pdb: PodDisruptionBudget) -> tuple[Write, ...]:
    """disruption.go trySync (raises :class:`DisruptionError` where upstream returns an error)."""
    pods = get_pods_for_pdb(state, pdb)
    expected, desired, _unmanaged = get_expected_pod_count(state, pdb, pods)
    return update_pdb_status(pdb, count_healthy_pods(pods), desired, expected)


def sync_disruption_budget(state: ClusterState, key: ObjKey) -> tuple[Write, ...]:
    """disruption.go sync: the status write of the PDB ``key`` (``failSafe`` on a sync error)."""
    pdb: Any = state.get("PodDisruptionBudget", *key)
    if pdb is None:
        return ()
    try:
        return try_sync(state, pdb)
    except DisruptionError:
        return fail_safe(pdb)


#: The disruption controller's record (registered in ``model.registry``).
CONTROLLER = Controller("disruption", "pdb", "PodDisruptionBudget", sync_disruption_budget, generic_actions("pdb"))
