"""The eviction API (``POST pods/NAME/eviction``): a pod deletion that honours PodDisruptionBudgets.

Mirrors kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go (``EvictionREST.Create``,
``canIgnorePDB``, ``getPodDisruptionBudgets``, ``checkAndDecrement``, ``addConditionAndDeletePod``)
with the unhealthy-pod rules of ``unhealthyPodEvictionPolicy`` (IfHealthyBudget, AlwaysAllow).

:func:`evict_pod` returns what the request does: the API writes of an accepted eviction (the PDB's
decremented status, the pod's ``DisruptionTarget`` condition, the graceful delete), applied in one
step by the caller, or the refusal (``429 TooManyRequests`` and its message, or another error).
The resourceVersion preconditions and conflict retries of upstream are not needed: the whole
request is one atomic step of the model (docs/semantics.md, "PodDisruptionBudget, eviction and
drain").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from model.api import Delete, UpdateStatus, Write
from model.controller_utils import is_pod_ready
from model.labels import SelectorError, label_selector_as_selector
from model.objects import Pod, PodDisruptionBudget
from model.state import ClusterState

__all__ = [
    "EvictionResult",
    "can_ignore_pdb",
    "get_pod_disruption_budgets",
    "check_and_decrement",
    "add_condition_and_delete_pod",
    "evict_pod",
    "TOO_MANY_REQUESTS",
]

#: The 429 message (eviction.go checkAndDecrement / createTooManyRequestsError).
TOO_MANY_REQUESTS = "Cannot evict pod as it would violate the pod's disruption budget."


@dataclass(frozen=True, slots=True)
class EvictionResult:
    """``code`` 201 (accepted: ``writes`` to apply), 429 (refused, retry), 404 (no such pod) or
    500 (refused for good: more than one PDB)."""

    code: Literal[201, 404, 429, 500]
    writes: tuple[Write, ...] = ()
    message: str = ""


def can_ignore_pdb(pod: Pod) -> bool:
    """eviction.go canIgnorePDB: terminal, Pending or already terminating pods skip the PDB check."""
    return pod.phase in ("Succeeded", "Failed", "Pending") or pod.deletion_timestamp is not None


def get_pod_disruption_budgets(state: ClusterState, pod: Pod) -> tuple[PodDisruptionBudget, ...]:
    """eviction.go getPodDisruptionBudgets: the PDBs of the pod's namespace whose selector matches
    it; a PDB whose selector does not convert, or is nil or empty, guards nothing here."""
    out = []
    for pdb in state.objects("PodDisruptionBudget", pod.namespace):
        try:
            sel = label_selector_as_selector(pdb.selector)
        except SelectorError:
            continue
        if sel.empty() or not sel.matches(pod.labels):
            continue
        out.append(pdb)
    return tuple(out)


def check_and_decrement(pdb: PodDisruptionBudget) -> EvictionResult:
    """eviction.go checkAndDecrement: 429 while the controller has not observed the PDB's
    generation or no disruption is allowed; otherwise the status write with ``disruptionsAllowed``
    one lower (``disruptedPods`` abstracted, see the module docstring)."""
    if pdb.status.observed_generation < pdb.generation:
        return EvictionResult(429, message=f"{TOO_MANY_REQUESTS} The disruption budget {pdb.name} is still being processed by the server.")
    if pdb.status.disruptions_allowed == 0:
        s = pdb.status
        return EvictionResult(429, message=(
            f"{TOO_MANY_REQUESTS} The disruption budget {pdb.name} needs {s.desired_healthy} healthy pods "
            f"and has {s.current_healthy} currently"))
    status = replace(pdb.status, disruptions_allowed=pdb.status.disruptions_allowed - 1)
    return EvictionResult(201, (UpdateStatus(replace(pdb, status=status)),))


def add_condition_and_delete_pod(pod: Pod) -> tuple[Write, ...]:
    """eviction.go addConditionAndDeletePod: the ``DisruptionTarget`` condition (reason
    EvictionByEvictionAPI), then a graceful delete with the pod's UID."""
    writes: list[Write] = []
    if not pod.conditions.disruption_target:
        writes.append(UpdateStatus(replace(pod, conditions=replace(pod.conditions, disruption_target=True))))
    writes.append(Delete("Pod", pod.namespace, pod.name, uid=pod.uid))
    return tuple(writes)


def evict_pod(state: ClusterState, namespace: str, name: str) -> EvictionResult:
    """eviction.go EvictionREST.Create for the pod ``namespace/name`` (no dry run, no
    client preconditions: what ``kubectl drain`` sends)."""
    pod = state.get("Pod", namespace, name)
    if pod is None:
        return EvictionResult(404, message=f'pods "{name}" not found')
    if can_ignore_pdb(pod):
        return EvictionResult(201, add_condition_and_delete_pod(pod))
    pdbs = get_pod_disruption_budgets(state, pod)
    if len(pdbs) > 1:
        return EvictionResult(500, message="This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
    if not pdbs:
        return EvictionResult(201, add_condition_and_delete_pod(pod))
    pdb = pdbs[0]
    if not is_pod_ready(pod):
        # An unhealthy pod does not count towards currentHealthy: deleting it takes no disruption.
        if pdb.unhealthy_pod_eviction_policy == "AlwaysAllow":
            return EvictionResult(201, add_condition_and_delete_pod(pod))
        if pdb.status.current_healthy >= pdb.status.desired_healthy and pdb.status.desired_healthy > 0:
            return EvictionResult(201, add_condition_and_delete_pod(pod))
    decrement = check_and_decrement(pdb)
    if decrement.code != 201:
        return decrement
    return EvictionResult(201, decrement.writes + add_condition_and_delete_pod(pod))
