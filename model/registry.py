"""The registry: every controller, timer, fault and user action of the model, one line each, in the order
``model.system.KubeSystem`` runs them (the order is part of the explored state graph's numbering,
so a new entry goes where its steps should come).

Each record is defined in its own module (see :mod:`model.records`); adding a controller is its
module, ending with its ``CONTROLLER``, plus one line here.
"""

from __future__ import annotations

from model import daemon, deployment, disruption, garbagecollector, horizontal, kubelet, nodelifecycle, replicaset
from model import environment, replication, statefulset
from model.records import Controller, Fault, Timer, UserActionKind

__all__ = ["CONTROLLERS", "FAULTS", "OBJECT_CONTROLLERS", "TIMERS", "USER_ACTIONS", "controller", "user_action_record"]

#: The controllers that reconcile one object each, in action order.
OBJECT_CONTROLLERS: tuple[Controller, ...] = (
    deployment.CONTROLLER,
    replicaset.CONTROLLER,
    replication.CONTROLLER,
    statefulset.CONTROLLER,
    disruption.CONTROLLER,
    daemon.CONTROLLER,
    horizontal.CONTROLLER,
)

#: Every controller, in action order: the object controllers, then the garbage collector and the
#: node lifecycle controller.
CONTROLLERS: tuple[Controller, ...] = OBJECT_CONTROLLERS + (
    garbagecollector.CONTROLLER,
    nodelifecycle.CONTROLLER,
)

#: The abstract-time timers, in the order their expiry steps are offered.
TIMERS: tuple[Timer, ...] = (
    kubelet.MIN_READY_TIMER,
    nodelifecycle.EVICTION_TIMEOUT_TIMER,
    horizontal.WINDOW_TIMER,
    deployment.PROGRESS_DEADLINE_TIMER,
)

#: The faults, in the order their steps are offered and their budgets are listed (``FaultBudget``'s
#: fields, a scenario file's ``faults:`` keys): ``model.environment.fault_instances`` runs the ones the
#: cluster alone decides, in this order; ``model.system`` lists the others.
FAULTS: tuple[Fault, ...] = (
    environment.CONTAINER_CRASH,
    environment.SANDBOX_DEATH,
    environment.NODE_FAILURE,
    environment.NODE_RECOVERY,
    environment.FORCE_DELETE,
    environment.READINESS_PROBE_FAILS,
    environment.CONTROLLER_CRASH,
    environment.INFORMER_LAG,
    environment.CONTROLLER_MANAGER_RESTART,
    environment.WRITE_FAILURE,
)

#: The user actions a scenario may declare, one record each (model.records.UserActionKind).
USER_ACTIONS: tuple[UserActionKind, ...] = (
    environment.SCALE,
    environment.SET_IMAGE,
    environment.ROLLBACK,
    environment.PAUSE,
    environment.RESUME,
    environment.DELETE,
    environment.RELABEL,
    environment.CREATE_POD,
    environment.CORDON,
    environment.UNCORDON,
    environment.DRAIN,
    environment.DELETE_FAILED_NODE,
    environment.DELETE_NODE,
    environment.SET_LOAD,
    environment.APPLY,
    environment.AFTER,
    environment.UNDO,
    environment.RESTART,
    environment.SET_ENV,
    environment.SET_RESOURCES,
)

_BY_NAME = {c.name: c for c in CONTROLLERS}
_USER_ACTION_BY_CLASS = {u.cls: u for u in USER_ACTIONS}


def controller(name: str) -> Controller:
    """The controller of actor family ``name`` (``"replicaset"``)."""
    return _BY_NAME[name]


def user_action_record(cls: type) -> UserActionKind | None:
    """The record of the user action class ``cls`` (``None``: not a user action)."""
    return _USER_ACTION_BY_CLASS.get(cls)
