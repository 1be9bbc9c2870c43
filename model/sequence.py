"""Order between user actions: ``after:`` in scenario files ("after the rollout completes, undo"),
and user actions the user eventually takes (``fair: true``).

:class:`After` wraps a user action with a guard: the action is enabled only in states where

* every action in ``steps`` has been taken at least once (its budget is below the declared count;
  a refused attempt counts: the user did it, the API server said no), and
* with ``converged``, no fair step is enabled: no controller, scheduler, kubelet, clock, drain or
  PodGC step would change anything (the cluster is quiescent: "after the rollout completes").

With ``fair``, the action is weakly fair (as the operator of ``model.environment.DeleteFailedNode``):
a run in which it stays enabled (guard true, budget left) and is never taken is not a fair run, so
eventual rules are judged assuming the user eventually acts; invariants are judged on every run.

Everything else about the action (label, instances, budget) is the wrapped action's.  The guard
reads only the state (budgets are part of it, and quiescence is a function of the state), so the
transition system stays a function of the state; ``model.system`` evaluates it
(:meth:`After.allows`).  Guards only remove user steps: every run of the ordered scenario is a run
of the unordered one (docs/semantics.md, "Order between user actions").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from model.state import ClusterState

__all__ = ["After"]


@dataclass(frozen=True, slots=True)
class After:
    """``inner`` enabled only after every action of ``steps`` happened (and, with ``converged``, in a
    quiescent state).  ``steps`` are the action objects of the scenario (compared by value)."""

    inner: Any
    steps: tuple[Any, ...] = ()
    converged: bool = False
    #: the user eventually does it (``fair: true``): weakly fair while enabled and budgeted, so eventual
    #: rules are judged on the runs where the user acts ("after the revert, it converges")
    fair: bool = False

    #: the decomposition does not see through the wrapper: never split
    whole_cluster: ClassVar[bool] = True

    def action_label(self) -> str:
        from model.environment import user_action_label

        return user_action_label(self.inner)

    def instances(self, state: ClusterState) -> Any:
        from model.environment import user_action_instances

        return user_action_instances(state, self.inner)

    def allows(self, happened: Any, quiet: bool) -> bool:
        """Whether the guard holds: ``happened(action)`` says whether a step of the scenario was taken;
        ``quiet`` whether no fair step is enabled."""
        return (quiet or not self.converged) and all(happened(s) for s in self.steps)
