"""Cone of influence: actor families whose writes nothing in a scenario reads.

An actor whose every write goes to state that no other actor, no user action and no judged rule
reads cannot change anything the verdicts depend on: leaving it out of the search removes only its
own steps (and every interleaving of them with the others), which map to stutters.  The one such
actor today is the **disruption controller** (``pkg/controller/disruption/disruption.go``): it writes
only PodDisruptionBudget *status* (``writePdbStatus``), and upstream the only reader of that status is
the eviction subresource (``pkg/registry/core/pod/storage/eviction.go`` ``checkAndDecrement``), which in
the model only the drain loop calls (:class:`model.environment.DrainNode`, :func:`model.eviction.evict_pod`).
Without an eviction its status writes were every other step of a search with a PDB: the 3-replica
Deployment of the Kubernetes e2e mysql-upgrade manifests rolls out in 142,959 states with it and
18,402 without, with the same verdicts.

Why it is exact (docs/semantics.md, "Cone of influence"): project every state onto everything but
the PDB statuses.  A step of another actor reads no PDB status, so it is enabled, and does the same,
in two states with the same projection; a disruption-controller step projects to a stutter.  So
every run of the full system projects onto a run of the sliced one, and every run of the sliced one
lifts to a run of the full one (let the controller catch up whenever it likes: it only converges the
statuses, and is disabled once they match the pods, so no run is only its steps).  Weak fairness of
the other actors is kept both ways, because their enabledness does not depend on the PDB status.
A rule that reads no PDB status has the same verdict on both.  The settled start state is computed
with every actor, so its PDB statuses are current.

The caller decides whether the rules allow it (:func:`unobserved_families` knows only the model):
``kubecheck check`` slices only when every judged rule is a catalogue rule (none reads a PDB's
status: ``tests/model/test_slicing.py``), never with ``--rules`` files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["unobserved_families", "evicts"]


def evicts(action: Any) -> bool:
    """Whether the user action may call the eviction subresource (read a PDB's status).

    A whitelist: an action class not named here counts as one that may (a new action is sliced only
    once someone has checked that it does not evict)."""
    from model.apply import ApplyManifest
    from model.environment import (
        CordonNode,
        CreatePod,
        DeleteFailedNode,
        DeleteNode,
        DeleteObject,
        PauseDeployment,
        RelabelPods,
        ResumeDeployment,
        RollbackDeployment,
        ScaleWorkload,
        SetImage,
        SetLoad,
        UncordonNode,
    )
    from model.sequence import After
    from model.template_edits import RestartRollout, SetEnv, SetResources
    from model.undo import UndoRollout

    if isinstance(action, (After, UndoRollout)):
        return evicts(action.inner)
    return not isinstance(action, (ScaleWorkload, SetImage, RollbackDeployment, PauseDeployment, ResumeDeployment, DeleteObject,
                                   RelabelPods, CreatePod, CordonNode, UncordonNode, DeleteFailedNode, DeleteNode, SetLoad,
                                   ApplyManifest, RestartRollout, SetEnv, SetResources))


def unobserved_families(user_actions: Iterable[Any], initial: Any) -> tuple[str, ...]:
    """The actor families (``model.system.ACTOR_FAMILIES``) that would run on ``initial`` (a
    ClusterState) under these user actions but whose writes none of them nor any other actor reads:
    ``("disruption",)`` when a PodDisruptionBudget exists (or an ``apply`` may create one) and no action
    may evict, else ``()``.  ``user_actions``: actions or ``(action, count)`` pairs."""
    from model.apply import created_kinds

    actions = [e[0] if isinstance(e, tuple) else e for e in user_actions]
    if any(evicts(a) for a in actions):
        return ()
    if not initial.objects("PodDisruptionBudget") and "PodDisruptionBudget" not in created_kinds(actions):
        return ()  # the controller would not run anyway: nothing to leave out
    return ("disruption",)
