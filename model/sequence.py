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

With ``conditions`` (``when:`` in scenario files), every :class:`When` must hold in the state:
``kubectl rollout status`` of a workload says complete, in progress or past its progress deadline
(``model.rollout_status``), a pod is Running or Ready, or a name is free (no object of that kind and
name exists: after an orphan delete, once the garbage collector removed the object).

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

__all__ = ["After", "When", "WHEN_KINDS"]

#: the ``when:`` conditions a scenario file may state
WHEN_KINDS = ("rollout-complete", "rollout-started", "rollout-stuck", "pod-running", "pod-ready", "name-free")


@dataclass(frozen=True, slots=True)
class When:
    """A state condition: ``what`` (one of :data:`WHEN_KINDS`) about object ``kind``/``namespace``/``name``."""

    what: str
    kind: str
    name: str
    namespace: str = "default"

    def holds(self, c: ClusterState) -> bool:
        """Whether the condition holds in ``c``.

        * ``rollout-complete``: ``kubectl rollout status`` would succeed (done, no error);
        * ``rollout-started``: the controller observed the spec and kubectl is waiting (not done, no error:
          the rollout is in progress);
        * ``rollout-stuck``: kubectl fails with ``exceeded its progress deadline`` (Deployments only);
        * ``pod-running`` / ``pod-ready``: the pod exists, not terminating, phase Running / condition Ready;
        * ``name-free``: no object of that kind and name exists (a create of it would not be refused).
        """
        from model.rollout_status import rollout_status

        obj = c.get(self.kind, self.namespace, self.name)
        if self.what == "name-free":
            return obj is None
        if obj is None:
            return False
        if self.what in ("pod-running", "pod-ready"):
            if obj.deletion_timestamp is not None or obj.phase != "Running":
                return False
            return self.what == "pod-running" or obj.conditions.ready
        msg, done, err = rollout_status(obj)
        if self.what == "rollout-complete":
            return done and not err
        if self.what == "rollout-stuck":
            return err.endswith("exceeded its progress deadline")
        return not done and not err and "spec update to be observed" not in msg

    def describe(self) -> str:
        return f"{self.what} {self.kind}/{self.name}"


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
    #: ``when:`` state conditions (all must hold)
    conditions: tuple[When, ...] = ()

    #: the decomposition does not see through the wrapper: never split
    whole_cluster: ClassVar[bool] = True

    def action_label(self) -> str:
        from model.environment import user_action_label

        return user_action_label(self.inner)

    def instances(self, state: ClusterState) -> Any:
        from model.environment import user_action_instances

        return user_action_instances(state, self.inner)

    def allows(self, happened: Any, quiet: bool, cluster: ClusterState | None = None) -> bool:
        """Whether the guard holds: ``happened(action)`` says whether a step of the scenario was taken;
        ``quiet`` whether no fair step is enabled; ``cluster`` the state the ``when:`` conditions read."""
        if not ((quiet or not self.converged) and all(happened(s) for s in self.steps)):
            return False
        return not self.conditions or (cluster is not None and all(w.holds(cluster) for w in self.conditions))
