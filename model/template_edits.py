"""Pod-template edits kubectl makes besides ``set image``: ``rollout restart``, ``set env``, ``set resources``.

Each is a user action of its own (a self-describing record: ``action_label()``, ``instances(state)``)
that updates a workload's pod template, so a Deployment, StatefulSet or DaemonSet rolls out as for
``set image`` (a ReplicaSet or ReplicationController only changes the template new pods get).

* ``kubectl rollout restart`` (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go
  ``defaultObjectRestarter``): sets the template annotation ``kubectl.kubernetes.io/restartedAt`` to
  the current time (RFC 3339).  Time is abstract: the value is ``restart-<n>`` for the n-th restart
  the run has made of that object, distinct per restart as the timestamps are.  A paused Deployment
  is refused (``can't restart paused deployment (run rollout resume first)``), a visible refused step;
  kubectl restarts Deployments, DaemonSets and StatefulSets only (the scenario loader refuses others
  with kubectl's ``restarting is not supported``).
* ``kubectl set env`` (staging/src/k8s.io/kubectl/pkg/cmd/set/env): ``KEY=VALUE`` sets, ``KEY-``
  (an empty value here) removes an environment variable of the named container, or of every container.
* ``kubectl set resources`` (staging/src/k8s.io/kubectl/pkg/cmd/set/set_resources.go): sets requests
  and limits of the named container, or of every container.

The model does not read env or resources; they live, uninterpreted, in ``ContainerSpec.config``
(``env.KEY``, ``requests.cpu``, ``limits.memory``), which only makes templates differ (a new
pod-template-hash, a new revision).  The loader does not read them from manifests, so an edit that
repeats a manifest's own value is a change in the model and a no-op upstream: one more rollout than
upstream would make (docs/semantics.md, "Template edits").  An edit that changes nothing in the
model is not offered, as every user action that would change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from model.api import Refused, Update, Write
from model.errors import ModelError
from model.frozen import EMPTY, FrozenMap
from model.objects import SHORT_KIND_NAMES, ContainerSpec, PodTemplate, replace
from model.state import ClusterState

__all__ = ["RestartRollout", "SetEnv", "SetResources", "RESTARTED_AT", "RESTART_KINDS", "EDIT_KINDS", "PAUSED_RESTART"]

#: objectrestarter.go: the template annotation ``rollout restart`` sets
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
#: objectrestarter.go defaultObjectRestarter: the kinds it restarts
RESTART_KINDS = ("Deployment", "DaemonSet", "StatefulSet")
#: the workload kinds ``set env`` / ``set resources`` edit here (templates of pods a controller makes)
EDIT_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController")
#: objectrestarter.go: a paused Deployment
PAUSED_RESTART = "can't restart paused deployment (run rollout resume first)"


def _check(kind: str, allowed: tuple[str, ...], what: str) -> None:
    if kind not in allowed:
        raise ModelError(f"{what}: kind {kind!r} is not one of {list(allowed)}")


def _edit(template: PodTemplate, container: str | None, change: FrozenMap[str, str]) -> PodTemplate:
    """The template with ``change`` applied to the config of ``container`` (every container when None);
    an empty value removes the key."""

    def one(c: ContainerSpec) -> ContainerSpec:
        if container not in (None, c.name):
            return c
        cfg = dict(c.config)
        for k, v in change.items():
            if v == "":
                cfg.pop(k, None)
            else:
                cfg[k] = v
        return replace(c, config=FrozenMap(cfg) if cfg else EMPTY)

    return replace(template, containers=tuple(one(c) for c in template.containers))


def _update(state: ClusterState, kind: str, namespace: str, name: str, template_of: Any, detail: str
            ) -> list[tuple[str, tuple[Write, ...] | Refused]]:
    obj = state.get(kind, namespace, name)
    if obj is None or obj.deletion_timestamp is not None:
        return []
    template = template_of(obj)
    if template == obj.template:
        return []
    return [(detail, (Update(replace(obj, template=template)),))]


@dataclass(frozen=True, slots=True)
class RestartRollout:
    """``kubectl rollout restart <kind>/<name>``."""

    kind: str
    name: str
    namespace: str = "default"

    def __post_init__(self) -> None:
        _check(self.kind, RESTART_KINDS, "RestartRollout")

    def targets(self) -> tuple[tuple[str, str, str], ...]:
        return ((self.kind, self.namespace, self.name),)

    def action_label(self) -> str:
        return f"user_restart_{SHORT_KIND_NAMES[self.kind]}"

    def instances(self, state: ClusterState) -> list[tuple[str, tuple[Write, ...] | Refused]]:
        obj = state.get(self.kind, self.namespace, self.name)
        if obj is None or obj.deletion_timestamp is not None:
            return []
        if self.kind == "Deployment" and obj.paused:
            return [(self.name, Refused(f"error: {PAUSED_RESTART}"))]
        done = obj.template.annotations.get(RESTARTED_AT, "restart-0")
        n = int(done.rpartition("-")[2]) + 1 if done.startswith("restart-") and done.rpartition("-")[2].isdigit() else 1
        value = f"restart-{n}"

        def restarted(o: Any) -> PodTemplate:
            return replace(o.template, annotations=FrozenMap({**o.template.annotations, RESTARTED_AT: value}))

        return _update(state, self.kind, self.namespace, self.name, restarted, f"{self.name}@{value}")


@dataclass(frozen=True, slots=True)
class SetEnv:
    """``kubectl set env <kind>/<name> [-c container] KEY=VALUE ... KEY-`` (an empty value removes)."""

    kind: str
    name: str
    env: FrozenMap[str, str]
    container: str | None = None
    namespace: str = "default"

    def __post_init__(self) -> None:
        _check(self.kind, EDIT_KINDS, "SetEnv")

    def targets(self) -> tuple[tuple[str, str, str], ...]:
        return ((self.kind, self.namespace, self.name),)

    def action_label(self) -> str:
        return f"user_set_env_{SHORT_KIND_NAMES[self.kind]}"

    def instances(self, state: ClusterState) -> list[tuple[str, tuple[Write, ...] | Refused]]:
        change = FrozenMap({f"env.{k}": v for k, v in self.env.items()})
        shown = ",".join(f"{k}={v}" if v else f"{k}-" for k, v in self.env.items())
        return _update(state, self.kind, self.namespace, self.name,
                       lambda o: _edit(o.template, self.container, change), f"{self.name}:{shown}")


@dataclass(frozen=True, slots=True)
class SetResources:
    """``kubectl set resources <kind>/<name> [-c container] --requests=cpu=100m --limits=memory=1Gi``."""

    kind: str
    name: str
    requests: FrozenMap[str, str] = EMPTY
    limits: FrozenMap[str, str] = EMPTY
    container: str | None = None
    namespace: str = "default"

    def __post_init__(self) -> None:
        _check(self.kind, EDIT_KINDS, "SetResources")
        if not self.requests and not self.limits:
            raise ModelError(f"SetResources {self.kind}/{self.name}: neither requests nor limits")

    def targets(self) -> tuple[tuple[str, str, str], ...]:
        return ((self.kind, self.namespace, self.name),)

    def action_label(self) -> str:
        return f"user_set_resources_{SHORT_KIND_NAMES[self.kind]}"

    def instances(self, state: ClusterState) -> list[tuple[str, tuple[Write, ...] | Refused]]:
        change = FrozenMap({**{f"requests.{k}": v for k, v in self.requests.items()},
                            **{f"limits.{k}": v for k, v in self.limits.items()}})
        shown = ",".join(f"{k}={v}" for k, v in change.items())
        return _update(state, self.kind, self.namespace, self.name,
                       lambda o: _edit(o.template, self.container, change), f"{self.name}:{shown}")
