"""``kubectl rollout undo`` as a scenario file states it: a refusal is a visible step.

The built-in ``rollback`` scenario offers :class:`model.environment.RollbackDeployment` only when
kubectl would accept it (a refused undo is not offered; the built-in scenario's state counts stay
as they are).  A scenario file's ``rollback:`` is :class:`UndoRollout`: when kubectl refuses
(staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go ``DeploymentRollbacker.Rollback``:
"unable to find specified revision N in history" when the revision was pruned by
``revisionHistoryLimit`` or never existed, "no rollout history found for deployment" before any
rollout, "you cannot rollback a paused deployment ..."), the user's attempt is a step labelled
``user_rollback_deployment_refused`` with kubectl's message, spending the budget and changing
nothing (``model.api.Refused``); otherwise it is exactly the wrapped rollback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from model.api import Refused
from model.state import ClusterState

__all__ = ["UndoRollout"]


@dataclass(frozen=True, slots=True)
class UndoRollout:
    """A scenario file's ``kubectl rollout undo deployment/NAME [--to-revision=N]``: ``inner`` is the
    :class:`model.environment.RollbackDeployment`; a refusal is a visible refused step."""

    inner: Any

    def targets(self) -> Any:
        """The objects it writes (``model.decompose.action_targets``): the wrapped rollback's."""
        from model.decompose import action_targets

        return action_targets(self.inner)

    def action_label(self) -> str:
        return "user_rollback_deployment"

    def instances(self, state: ClusterState) -> Any:
        from model.deployment import RollbackError, rollback_to_revision
        from model.environment import user_action_instances

        a = self.inner
        if state.get("Deployment", a.namespace, a.name) is None:
            return []  # deleted: nothing to undo (the scenario loader checked it existed at start)
        try:
            rollback_to_revision(state, (a.namespace, a.name), a.revision)
        except RollbackError as exc:
            return [(f"{a.name}@{a.revision}", Refused(f"error: {exc}"))]
        return user_action_instances(state, a)
