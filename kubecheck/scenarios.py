"""Scenarios for ``kubecheck check``: the built-in library, YAML scenario files, settling.

A *scenario* says what the environment may do after the manifests have been applied and the
cluster has settled: user actions (``kubectl set image``, ``scale``, ``rollout undo``...) and a
fault budget (container crashes, node failures...).  Each scenario is explored on its own, from
the same settled state, so a verdict names the scenario that produced it.

Built-in scenarios (:data:`BUILTIN`), built from the workloads the *user wrote* (objects without a
controller owner):

=================  ===============================================================================
``rollout``        ``kubectl set image`` on one Deployment, StatefulSet, ReplicaSet or RC, every
                   container to ``<image>-next`` in one command, once; one search per workload
``rollout-all``    the same on every workload at once (``helm upgrade``), in one search
``scale``          ``kubectl scale`` every workload to replicas+1 and to replicas-1 (each once)
``rollback``       the rollout of one Deployment, then ``kubectl rollout undo`` on it (per workload)
``node-failure``   one node may fail (stop reporting Ready) once; an operator eventually deletes the
                   failed Node object (a fair, budgeted user action; PodGC removes its pods), so
                   KC-CONV-003 is judged assuming the operator acts (a scenario file's
                   ``operator: false`` judges without it)
``pod-crash``      one container may crash once
``sandbox-death``  one pod sandbox may die once
``force-delete``   one pod may be force-deleted once
``controller-crash``  the rollout of one workload, and one controller may crash in the middle of a reconcile
                   (a crash needs pending writes, which only a change produces)
``drain``          ``kubectl drain`` of one node that holds pods (one branch per node), once; selects
                   KC-DRAIN-001 (every drain completes) besides the default rules
``drain-during-rollout``  the ``rollout-all`` rollouts and the drain of one node, in any order
``node-removal``   ``kubectl drain --ignore-daemonsets`` of one node, then ``kubectl delete node`` of it
                   (PodGC removes what is left on it, DaemonSet pods included); selects KC-DRAIN-001
``autoscale``      per HorizontalPodAutoscaler (one search each): a load spike (the load that needs
                   ``maxReplicas`` pods) and the load gone (0), once each, in any order
``autoscale-during-rollout``  the ``rollout-all`` rollouts with every HPA running and one load spike per
                   HPA, in any order (the spike may also never come: a rollout with no extra load)
``delete``         ``kubectl delete`` of one workload (``--cascade=background``, kubectl's default, as
                   ``helm uninstall`` sends), once; one search per workload: the garbage collector
                   must remove its ReplicaSets and pods (KC-GC-001)
=================  ===============================================================================

The built-in drains pass ``--ignore-daemonsets`` (as every node-maintenance runbook does: without it
kubectl refuses to drain a node that runs a DaemonSet pod); a scenario file's ``drain`` takes
``ignore-daemonsets: true`` for it and defaults to kubectl's default (refuse).

The default (no ``--scenario``) is ``rollout`` and ``pod-crash``.

``settle(system, state, max_steps)`` runs fair actions deterministically (the first enabled one; a
scheduler bind goes to the feasible node with the fewest pods, like the default scheduler's
spreading) until nothing is enabled: the cluster as it is once the manifests have been applied.
The step bound defaults to :func:`settle_bound` (50 + 20 x total desired replicas).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from contextvars import ContextVar
from typing import Any, Callable, Iterable


from kubecheck.core.errors import InvalidScenario
from model.environment import (
    CordonNode,
    DeleteFailedNode,
    DeleteNode,
    DeleteObject,
    DrainNode,
    SetLoad,
    UncordonNode,
    FaultBudget,
    PauseDeployment,
    RelabelPods,
    ResumeDeployment,
    RollbackDeployment,
    ScaleWorkload,
    SetImage,
    UserAction,
)
from model.frozen import EMPTY, FrozenMap
from model.kubelet import ImageFacts
from model.registry import FAULTS
from model.state import ClusterState
from model.apply import ApplyManifest
from model.undo import UndoRollout
from model.template_edits import RestartRollout, SetEnv, SetResources
from model.system import CLOCKS, KubeSystem, Scenario, SystemState
from properties.rules import Rule

__all__ = [
    "ACTION_KEYS",
    "ActionKey",
    "BUILTIN",
    "DEFAULT_SCENARIOS",
    "SETTLE_LIMIT",
    "ScenarioSpec",
    "SettleResult",
    "settle",
    "settle_bound",
    "builtin",
    "load_scenario_file",
    "SCENARIO_SCHEMA",
    "top_level_workloads",
]

#: Deprecated fixed settle bound (kept for callers that pass it explicitly); the default bound is
#: :func:`settle_bound`: 50 + 20 x the total desired replicas.
SETTLE_LIMIT = 2_000

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DaemonSet")


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A named scenario before it meets a cluster: user actions, faults, options and bounds.

    ``bounds`` (from a scenario file) override the command line's for this scenario;
    ``properties`` (rule IDs) restrict the rules checked in it.
    """

    name: str
    description: str
    user_actions: tuple[tuple[UserAction, int], ...] = ()
    faults: FaultBudget = field(default_factory=FaultBudget)
    granularity: str | None = None
    stale_reads: bool = False
    bounds: tuple[tuple[str, Any], ...] = ()
    properties: tuple[str, ...] | None = None
    #: Explore each workload's user actions in a search of its own (``rollout``: one workload rolls
    #: at a time) instead of all of them in one search (``rollout-all``: ``helm upgrade``).
    per_workload: bool = False
    #: Opt-in rules this scenario brings (checked in it when no ``--property`` is given).
    rules: tuple[str, ...] = ()
    #: The operator who eventually deletes a failed Node object (``kubectl delete node``; PodGC then
    #: removes its pods): how many times (0 = no operator).  A weakly fair user action
    #: (:class:`model.environment.DeleteFailedNode`), so convergence is judged "assuming the operator
    #: acts"; like the fault budget it goes to every search of the scenario (every variant, every
    #: interaction group).
    operator: int = 0
    #: What images do when run (``images:`` in a scenario file): ``model.kubelet.ImageFacts`` by image.
    images: FrozenMap[str, ImageFacts] = EMPTY
    #: ``caches:`` / ``kubernetes_version:`` in a scenario file (``model.informer``, ``model.versions``);
    #: None: not set by the scenario, the command line's (``--caches``, ``--kubernetes-version``) apply
    #: (:meth:`with_model_options`)
    caches: str | None = None
    kubernetes_version: str | None = None
    #: ``time:`` in a scenario file (``model.system.TIME_MODES``): ``ordered`` lets a ReplicaSet/RC
    #: delete any pod set upstream's clock-dependent ranking may pick (docs/semantics.md, "Time that orders")
    time: str = "abstract"
    #: ``expect:`` in a scenario file: the scenario's own leads-to rules (:class:`Expectation`), judged
    #: in this scenario only
    expectations: tuple[Any, ...] = ()
    #: ``clocks:`` in a scenario file: the opt-in clocks (``model.system.CLOCKS``; docs/semantics.md, "Clocks").
    clocks: frozenset[str] = frozenset()
    #: ``terminating_replicas:`` / ``kubelet_terminal_phase:`` in a scenario file: the opt-in
    #: version-dependent behaviours of ``model.system.Scenario`` (docs/semantics.md, "Kubernetes versions")
    terminating_replicas: bool = False
    kubelet_terminal_phase: bool = False
    #: Leave out the actors whose writes nothing reads (``model.slicing``: the disruption controller
    #: when no action evicts).  Set by ``kubecheck check`` when every judged rule is a catalogue rule.
    slice_unread: bool = False

    def with_model_options(self, caches: str, kubernetes_version: str) -> "ScenarioSpec":
        """This scenario with the run's cache mode and Kubernetes version where it sets none of its
        own: a scenario file's ``caches:``/``kubernetes_version:`` win, and a scenario that chose
        ``stale_reads`` (the other model of the same lag) keeps caches off."""
        own_caches = self.caches if self.caches is not None else ("off" if self.stale_reads else caches)
        return replace(self, caches=own_caches, kubernetes_version=self.kubernetes_version or kubernetes_version)

    def all_user_actions(self) -> tuple[tuple[UserAction, int], ...]:
        """The scenario's user actions with the operator's (when it has one)."""
        return self.with_operator(self.user_actions)

    def with_operator(self, actions: tuple[tuple[UserAction, int], ...]) -> tuple[tuple[UserAction, int], ...]:
        return tuple(actions) + (((DeleteFailedNode(fair=True), self.operator),) if self.operator else ())

    def variants(self) -> list[tuple[str, tuple[tuple[UserAction, int], ...]]]:
        """The searches this scenario stands for: ``(subject, user actions)``.

        One, with every action, unless ``per_workload``: then one per workload that an action
        targets, with that workload's actions (and the actions that target no single workload).
        """
        if not self.per_workload:
            return [("", self.user_actions)]
        from model.decompose import action_targets

        by_target: dict[Any, list[tuple[UserAction, int]]] = {}
        shared: list[tuple[UserAction, int]] = []
        for entry in self.user_actions:
            targets = action_targets(entry[0])
            if targets is not None and len(targets) == 1:
                by_target.setdefault(targets[0], []).append(entry)
            else:
                shared.append(entry)
        if not by_target:
            return [("", self.user_actions)]
        return [(f"{k} {ns}/{n}", tuple(acts) + tuple(shared)) for (k, ns, n), acts in by_target.items()]

    def to_scenario(self, initial: ClusterState, granularity: str, identifiers: str = "lowest-free") -> Scenario:
        from model.versions import DEFAULT_VERSION

        return Scenario(
            actors=self.sliced_actors(initial),
            identifiers=identifiers,
            initial=initial,
            user_actions=self.with_operator(self.user_actions),
            faults=self.faults,
            granularity=self.granularity or granularity,  # type: ignore[arg-type]
            stale_reads=self.stale_reads,
            name=self.name,
            images=self.images,
            progress_deadline=self.waits_for_stuck_rollout(),
            clocks=self.clocks,
            caches=self.caches or "off",
            kubernetes_version=self.kubernetes_version or DEFAULT_VERSION,
            time=self.time,
            terminating_replicas=self.terminating_replicas,
            kubelet_terminal_phase=self.kubelet_terminal_phase,
        )

    def sliced_actors(self, initial: ClusterState) -> tuple[str, ...] | None:
        """The actor families of this scenario's searches from ``initial``: None (every one) unless
        ``slice_unread`` leaves some out (:func:`model.slicing.unobserved_families`)."""
        if not self.slice_unread:
            return None
        from model.slicing import unobserved_families
        from model.system import ACTOR_FAMILIES

        out = unobserved_families(self.with_operator(self.user_actions), initial)
        return tuple(f for f in ACTOR_FAMILIES if f not in out) if out else None

    def waits_for_stuck_rollout(self) -> bool:
        """Whether an action waits for ``when: rollout-stuck``: then the (unfair) progress-deadline
        timer runs, so the condition can become true (off otherwise: state counts unchanged)."""
        from model.sequence import After

        return (any(isinstance(a, After) and any(w.what == "rollout-stuck" for w in a.conditions) for a, _ in self.user_actions)
                or any(w.what == "rollout-stuck" for e in self.expectations for w in e.conditions))


# ------------------------------------------------------------------------------- settling


@dataclass(frozen=True, slots=True)
class SettleResult:
    """The state :func:`settle` stopped in, how many steps it took, and whether it is quiescent.

    ``settled=False`` has two meanings, told apart by ``cycle``: with ``cycle=True`` the
    deterministic run came back to a state it had already been in (a livelock you can show: the
    controllers keep changing the cluster forever on this order); with ``cycle=False`` a bound
    (``cut``: the step bound, the timeout or the memory bound) stopped it first, and nothing is
    claimed about convergence.
    """

    state: SystemState
    steps: int
    settled: bool
    labels: tuple[str, ...] = ()
    #: every step taken: (index of the action in ``successors(state)``, the action, the state after it)
    path: tuple[tuple[int, Any, SystemState], ...] = ()
    #: the run revisited a state: a livelock on this start-up order (a real finding)
    cycle: bool = False
    #: the bound that stopped an unsettled run ("settle steps=250", "timeout=5.0s", "max_memory=..."); None otherwise
    cut: str | None = None


def settle_bound(cluster: ClusterState) -> int:
    """The settle step bound for these manifests: ``50 + 20 x`` the total desired replicas (a
    DaemonSet counts one per node; a workload an HPA scales counts ``max(replicas, maxReplicas)``).

    Each replica needs a handful of fair steps to exist (create, bind, start, become ready, plus
    the owners' status writes); 20 per replica leaves ample room, and the bound grows with the
    manifests instead of cutting a ``replicas: 1000`` Deployment at a fixed 2,000 steps.  An HPA
    moves its target's ``spec.replicas`` during start-up, anywhere in ``[minReplicas, maxReplicas]``
    (``normalizeDesiredReplicas``: a target below minReplicas is scaled to it,
    pkg/controller/podautoscaler/horizontal.go; ``model.horizontal``): counting the manifest's
    ``replicas: 1`` under an HPA of ``minReplicas: 10`` cut start-up at 70 steps, so that the set
    could not be checked at all (corpus set gke-scheduled-autoscaler).
    """
    desired = {(k, w.namespace, w.name): max(0, int(getattr(w, "replicas", 0) or 0))
               for k in WORKLOAD_KINDS if k != "DaemonSet" for w in cluster.objects(k)}
    for hpa in cluster.horizontal_pod_autoscalers.values():
        key = (hpa.scale_target_ref[1], hpa.namespace, hpa.scale_target_ref[2])
        if key in desired:
            desired[key] = max(desired[key], hpa.max_replicas)
    return 50 + 20 * (sum(desired.values()) + len(cluster.daemon_sets) * max(1, len(cluster.nodes)))  # a DaemonSet: a pod per node


def _spread(fair: list[tuple[int, Any, SystemState]], state: SystemState) -> tuple[int, Any, SystemState]:
    """The action :func:`settle` takes: the first fair one, but a scheduler bind goes to the emptiest node.

    When the first fair action binds a pod, take, among the binds of that same pod, the one to the
    feasible node with the fewest bound pods (ties by node name).  The default scheduler's scoring
    (NodeResourcesBalancedAllocation / LeastAllocated and the default PodTopologySpread
    constraints, kubernetes/kubernetes pkg/scheduler/framework/plugins) spreads the pods of one
    owner across nodes; always binding to the first node would put every pod on node-1, a
    placement the real scheduler does not produce, and the node-failure verdicts would be about it.
    """
    from model.scheduler import pods_on_node

    first = fair[0]
    if first[1].label != "scheduler_bind_pod":
        return first
    pod = first[1].data[:2]
    binds = [f for f in fair if f[1].label == "scheduler_bind_pod" and f[1].data[:2] == pod]
    c = state.cluster
    return min(binds, key=lambda f: (pods_on_node(c, f[1].data[2]), f[1].data[2]))


def _first_fair(system: Any, state: SystemState) -> list[tuple[int, Any, SystemState]]:
    """What :func:`_spread` chooses from: the first fair successor (with its index in
    ``successors(state)``) and, when it binds a pod, every other bind of that pod.

    Enumerates successors lazily (``iter_successors`` when the system has it) and stops after that
    group: a bind's alternatives are the scheduler's inner loop over nodes, so they follow the first
    one directly.  A settle step then costs a few successors instead of all of them (every pod's
    kubelet step), which made start-up quadratic in the number of pods.  Empty when no successor
    is fair (the whole list is enumerated then).
    """
    it = enumerate(getattr(system, "iter_successors", system.successors)(state))
    for i, (a, s) in it:
        if a.fair:
            group = [(i, a, s)]
            break
    else:
        return []
    if a.label == "scheduler_bind_pod":
        pod = a.data[:2]
        for i, (b, t) in it:
            if b.label != "scheduler_bind_pod" or b.data[:2] != pod:
                break
            if b.fair:
                group.append((i, b, t))
    return group


def settle(system: KubeSystem, state: SystemState, max_steps: int | None = None, *, timeout: float | None = None,
           max_memory: int | None = None) -> SettleResult:
    """Take fair actions deterministically until none is enabled (see :func:`_spread` for which one).

    Bounded by ``max_steps`` (default :func:`settle_bound` of the initial cluster), by ``timeout``
    wall-clock seconds and by ``max_memory`` bytes of RSS.  Unfair actions (user actions, faults)
    are never taken.  ``path`` records every step (a real run from the loaded state), so the
    runner can check the safety rules along start-up.  A state seen twice is a livelock on this
    order (``cycle=True``); stopping at a bound is inconclusive (``cut`` says which bound).
    """
    import time

    from kubecheck.core.explorer import RESIZE_RESERVE, MemoryGuard

    bound = settle_bound(state.cluster) if max_steps is None else max_steps
    deadline = None if not timeout else time.monotonic() + timeout
    # The RSS is read every step (about 1 us; a step costs far more) and the guard stops *before* the
    # bound: when one more step, at the recent growth per step, could cross it (docs/performance.md#caps).
    memory = MemoryGuard(max_memory) if max_memory else None
    labels: list[str] = []
    path: list[tuple[int, Any, SystemState]] = []
    seen = {state}
    try:
        for n in range(bound):
            fair = _first_fair(system, state)
            if not fair:
                return SettleResult(state, n, True, tuple(labels), tuple(path))
            if deadline is not None and time.monotonic() > deadline:
                return SettleResult(state, n, False, tuple(labels), tuple(path), cut=f"timeout={timeout}s")
            if memory is not None and memory.check(n, RESIZE_RESERVE * len(seen)) is not None:
                return SettleResult(state, n, False, tuple(labels), tuple(path), cut=f"max_memory={max_memory}")
            i, action, state = _spread(fair, state)
            labels.append(action.label)
            path.append((i, action, state))
            if state in seen:
                return SettleResult(state, n + 1, False, tuple(labels), tuple(path), cycle=True)
            seen.add(state)
    finally:
        if memory is not None:
            memory.close()
    settled = not any(a.fair for a, _ in system.successors(state))
    return SettleResult(state, bound, settled, tuple(labels), tuple(path), cut=None if settled else f"settle steps={bound}")


# ------------------------------------------------------------------------------- built-ins


def top_level_workloads(cluster: ClusterState) -> list[Any]:
    """Workloads the user wrote: Deployments, StatefulSets, RSs and RCs without a controller owner."""
    out = []
    for kind in WORKLOAD_KINDS:
        for obj in cluster.objects(kind):
            if obj.controller_ref() is None and obj.deletion_timestamp is None:
                out.append(obj)
    return out


def _kind(obj: Any) -> str:
    from model.objects import kind_of

    return kind_of(obj)


def _load_actions(cluster: ClusterState, gone: bool) -> list[tuple[UserAction, int]]:
    """Per HPA: a load spike to what ``maxReplicas`` pods carry at the target, and (``gone``) no load."""
    out: list[tuple[UserAction, int]] = []
    for h in cluster.horizontal_pod_autoscalers.values():
        out.append((SetLoad(h.name, 100 * h.max_replicas, namespace=h.namespace), 1))
        if gone:
            out.append((SetLoad(h.name, 0, namespace=h.namespace), 1))
    return out


def _rollout_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    out: list[tuple[UserAction, int]] = []
    for w in top_level_workloads(cluster):
        if not w.template.containers:
            continue
        first, *rest = w.template.containers
        # one command per workload (kubectl set image KIND/NAME a=x b=y, or a helm upgrade): every
        # container's image in one template write, so one rollout, as a release changes them together
        out.append((SetImage(_kind(w), w.name, f"{first.image}-next", container=first.name, namespace=w.namespace,
                             also=tuple((c.name, f"{c.image}-next") for c in rest)), 1))
    return out


def _scale_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    out: list[tuple[UserAction, int]] = []
    for w in top_level_workloads(cluster):
        if not hasattr(w, "replicas"):
            continue  # a DaemonSet: one pod per node, nothing to scale
        out.append((ScaleWorkload(_kind(w), w.name, w.replicas + 1, namespace=w.namespace), 1))
        if w.replicas >= 1:
            out.append((ScaleWorkload(_kind(w), w.name, w.replicas - 1, namespace=w.namespace), 1))
    return out


def _delete_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    return [(DeleteObject(_kind(w), w.name, "Background", namespace=w.namespace), 1) for w in top_level_workloads(cluster)]


def _rollback_actions(cluster: ClusterState) -> list[tuple[UserAction, int]]:
    out = _rollout_actions(cluster)
    for d in cluster.objects("Deployment"):
        if d.controller_ref() is None:
            out.append((RollbackDeployment(d.name, namespace=d.namespace), 1))
    return out


_BUILTIN_TEXT = {
    "rollout": "kubectl set image on one workload (every container to <image>-next, in one command), once; one search per workload",
    "rollout-all": "kubectl set image on every workload at once (every container to <image>-next, one command per workload), once each, as helm upgrade does",
    "scale": "kubectl scale every workload to replicas+1 and to replicas-1, once each",
    "rollback": "the rollout of one Deployment, then kubectl rollout undo on it; one search per workload",
    "node-failure": "one node may stop reporting Ready, once; an operator eventually deletes the failed Node object "
    "(kubectl delete node; PodGC removes its pods), so convergence is judged assuming the operator acts",
    "pod-crash": "one container may crash, once",
    "sandbox-death": "one pod sandbox may die, once",
    "force-delete": "one pod may be force-deleted (grace period 0), once",
    "controller-crash": "the rollout of one workload, and one controller may crash in the middle of a reconcile, once; "
    "one search per workload",
    "drain": "kubectl drain of one node that holds pods (each such node a branch), once",
    "drain-during-rollout": "kubectl set image on every workload (as rollout-all) and kubectl drain of one node that holds pods, once each",
    "node-removal": "kubectl drain --ignore-daemonsets of one node that holds pods, then kubectl delete node of it, once each",
    "autoscale": "per HorizontalPodAutoscaler: a load spike (the load that needs maxReplicas pods) and the load gone, once each, "
    "in any order; one search per HPA",
    "autoscale-during-rollout": "kubectl set image on every workload (as rollout-all) with the HPAs running, and one load "
    "spike per HPA, once each, in any order",
    "delete": "kubectl delete of one workload (background cascade, as helm uninstall), once; its ReplicaSets and pods "
    "must go (KC-GC-001); one search per workload",
}

#: Built-in scenario names, in documentation order.
BUILTIN: tuple[str, ...] = tuple(_BUILTIN_TEXT)
DEFAULT_SCENARIOS: tuple[str, ...] = ("rollout", "pod-crash")


def builtin(name: str, cluster: ClusterState) -> ScenarioSpec:
    """The built-in scenario ``name`` for the workloads in ``cluster``."""
    if name not in _BUILTIN_TEXT:
        raise InvalidScenario(f"unknown scenario {name!r}; built-in scenarios: {', '.join(BUILTIN)}")
    text = _BUILTIN_TEXT[name]
    actions: list[tuple[UserAction, int]] = []
    faults = FaultBudget()
    operator = 0
    if name in ("rollout", "rollout-all"):
        actions = _rollout_actions(cluster)
    elif name == "scale":
        actions = _scale_actions(cluster)
    elif name == "rollback":
        actions = _rollback_actions(cluster)
    elif name == "node-failure":
        faults = FaultBudget(node_failure=1)
        operator = 1
    elif name == "pod-crash":
        faults = FaultBudget(container_crash=1)
    elif name == "sandbox-death":
        faults = FaultBudget(sandbox_death=1)
    elif name == "force-delete":
        faults = FaultBudget(force_delete=1)
    elif name == "controller-crash":
        actions = _rollout_actions(cluster)
        faults = FaultBudget(controller_crash=1)
    elif name == "drain":
        actions = [(DrainNode(ignore_daemonsets=True), 1)]
    elif name == "drain-during-rollout":
        actions = _rollout_actions(cluster) + [(DrainNode(ignore_daemonsets=True), 1)]
    elif name == "node-removal":
        actions = [(DrainNode(ignore_daemonsets=True), 1), (DeleteNode(drained=True), 1)]
    elif name == "autoscale":
        actions = _load_actions(cluster, gone=True)
    elif name == "autoscale-during-rollout":
        actions = _rollout_actions(cluster) + _load_actions(cluster, gone=False)
    elif name == "delete":
        actions = _delete_actions(cluster)
    per_workload = name in ("rollout", "rollback", "controller-crash", "autoscale", "delete")
    rules = ("KC-DRAIN-001",) if name.startswith("drain") or name == "node-removal" else ()
    return ScenarioSpec(name, text, tuple(actions), faults, per_workload=per_workload, rules=rules, operator=operator)


# -------------------------------------------------------------------------- scenario files

_NAME = {"type": "string", "minLength": 1}
_NS = {"type": "string", "minLength": 1}
_COUNT = {"type": "integer", "minimum": 1}
_KIND = {"enum": list(WORKLOAD_KINDS)}
_SCALE_KIND = {"enum": [k for k in WORKLOAD_KINDS if k != "DaemonSet"]}


#: ``set-resources`` requests / limits: resource name -> quantity (kept as written: the model compares, never reads, them)
_QUANTITIES = {"type": "object", "additionalProperties": {"type": ["string", "integer"]}, "minProperties": 1}

#: An action entry's order keys (``model.sequence``): ``step`` names the entry, ``after`` waits for
#: earlier steps and/or ``converged`` (no controller, kubelet, scheduler or clock step enabled).
_STEP = {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"}
#: ``when:`` state conditions (``model.sequence.When``): a rollout of the entry's own workload (the short
#: string form) or of a named one, a pod Running/Ready, a name free.
_ROLLOUT_TARGET = {"type": "object", "additionalProperties": False, "required": ["name"],
                   "properties": {"kind": {"enum": ["Deployment", "StatefulSet", "DaemonSet"]}, "name": _NAME, "namespace": _NS}}
_POD_TARGET = {"oneOf": [_NAME, {"type": "object", "additionalProperties": False, "required": ["name"],
                                 "properties": {"name": _NAME, "namespace": _NS}}]}
_WHEN_ITEM: dict[str, Any] = {"oneOf": [
    {"enum": ["rollout-complete", "rollout-started", "rollout-stuck"]},
    {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 1,
     "properties": {"rollout-complete": _ROLLOUT_TARGET, "rollout-started": _ROLLOUT_TARGET, "rollout-stuck": _ROLLOUT_TARGET,
                    "pod-running": _POD_TARGET, "pod-ready": _POD_TARGET,
                    "name-free": {"type": "object", "additionalProperties": False, "required": ["kind", "name"],
                                  "properties": {"kind": {"type": "string", "minLength": 1}, "name": _NAME, "namespace": _NS}}}},
]}
_ORDER: dict[str, Any] = {"step": _STEP, "after": {"oneOf": [_STEP, {"type": "array", "items": _STEP, "minItems": 1}]},
                          "fair": {"type": "boolean"},
                          "when": {"oneOf": [_WHEN_ITEM, {"type": "array", "items": _WHEN_ITEM, "minItems": 1}]}}
#: Keys of an action entry besides the action itself (``fair``: the user eventually does it).
_ENTRY_KEYS = ("count", "step", "after", "fair", "when")

#: ``eventually:`` of an ``expect:`` entry: ``converged`` (every workload's convergence rule holds) or a
#: ``when:`` condition; a list: all at once.
_GOAL_ITEM: dict[str, Any] = {"oneOf": [{"enum": ["converged"]}, _WHEN_ITEM]}
#: An ``expect:`` entry: "after STEP (and/or when CONDITION), eventually GOAL" (leads-to, :class:`Expectation`).
EXPECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["eventually"],
    "anyOf": [{"required": ["after"]}, {"required": ["when"]}],
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"},
        "title": {"type": "string", "minLength": 1},
        "after": _ORDER["after"],
        "when": _ORDER["when"],
        "eventually": {"oneOf": [_GOAL_ITEM, {"type": "array", "items": _GOAL_ITEM, "minItems": 1}]},
        "severity": {"enum": ["error", "warning", "info"]},
    },
}


def _action(key: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [key],
        "properties": {
            key: {"type": "object", "additionalProperties": False, "required": required, "properties": props},
            "count": _COUNT,
            **_ORDER,
        },
    }


def _set_image_schema() -> dict[str, Any]:
    """``set-image: {kind, name, image, container?}`` or ``{kind, name, images: {CONTAINER: IMAGE, ...}}``
    (``kubectl set image deployment/web a=x b=y``: one command, one template write)."""
    schema = _action("set-image", {"kind": _KIND, "name": _NAME, "image": _NAME, "container": _NAME, "namespace": _NS,
                                   "images": {"type": "object", "additionalProperties": _NAME, "minProperties": 1}},
                     ["kind", "name"])
    schema["properties"]["set-image"]["oneOf"] = [{"required": ["image"], "not": {"required": ["images"]}},
                                                  {"required": ["images"], "not": {"anyOf": [{"required": ["image"]},
                                                                                              {"required": ["container"]}]}}]
    return schema


def _set_image(a: dict[str, Any]) -> SetImage:
    if "images" not in a:
        return SetImage(a["kind"], a["name"], a["image"], container=a.get("container"), namespace=_ns(a))
    (first, image), *rest = a["images"].items()
    return SetImage(a["kind"], a["name"], image, container=first, namespace=_ns(a), also=tuple(rest))


def _file_action(key: str) -> dict[str, Any]:
    """``apply: FILE`` / ``create: FILE`` (a manifest file, relative to the scenario file)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [key],
        "properties": {key: {"type": "string", "minLength": 1}, "count": _COUNT, **_ORDER},
    }


def _kv(a: dict[str, Any], key: str) -> FrozenMap[str, str]:
    """A ``requests:`` / ``limits:`` map with its quantities as written (strings)."""
    return FrozenMap({k: str(v) for k, v in (a.get(key) or {}).items()})


def _delete(a: dict[str, Any]) -> UserAction:
    ns = a.get("namespace", _default_ns())
    grace = kubectl_grace_period(bool(a.get("force", False)), a.get("grace-period", -1))
    if "statefulset" in a:
        return DeleteObject("Pod", f'{a["statefulset"]}-{a["ordinal"]}', a.get("propagation", "Background"), namespace=ns,
                            grace_period_seconds=grace)
    sel = FrozenMap(a["selector"]) if "selector" in a else None
    return DeleteObject(a["kind"], a.get("name", ""), a.get("propagation", "Background"), namespace=ns, selector=sel,
                        grace_period_seconds=grace)


def _one(make: Callable[[dict[str, Any]], UserAction]) -> Callable[[str, int, dict[str, Any], Any], list[tuple[UserAction, int]]]:
    """The builder of a key whose mapping makes one user action, ``count`` times."""
    def build(path: str, i: int, entry: dict[str, Any], marks: Any) -> list[tuple[UserAction, int]]:
        (a,) = (v for k, v in entry.items() if k not in _ENTRY_KEYS)
        return [(make(a), int(entry.get("count", 1)))]
    return build


@dataclass(frozen=True, slots=True)
class ActionKey:
    """One key of an ``actions:`` entry of a scenario file (``set-image: {...}``): ``schema`` the JSON
    Schema of the entry (the key, ``count`` and the order keys), ``build(path, i, entry, marks)`` the
    ``(user action, count)`` pairs entry ``i`` stands for, ``classes`` the ``model.environment.UserAction``
    classes it builds (a wrapper's inner one too).  Registered in :data:`ACTION_KEYS`."""

    key: str
    schema: dict[str, Any]
    build: Callable[[str, int, dict[str, Any], Any], list[tuple[UserAction, int]]]
    classes: tuple[type, ...]


#: The namespace of ``kubecheck check -n`` while :func:`load_scenario_file` reads a file (None: not
#: given).  An action, condition or expectation without ``namespace:`` acts there, as ``kubectl -n``
#: would run it, and the files an ``apply:``/``create:`` names are read as ``kubectl apply -n`` does.
_NAMESPACE: ContextVar[str | None] = ContextVar("kubecheck_scenario_namespace", default=None)


def _default_ns() -> str:
    """The namespace of an action that names none: ``check -n``'s, else ``default`` (kubectl's)."""
    return _NAMESPACE.get() or "default"


def _ns(a: dict[str, Any]) -> str:
    return str(a.get("namespace", _default_ns()))


#: Every action key, in the order the error messages list them and ``SCENARIO_SCHEMA`` tries them
#: (a key is one record: its schema and builder; ``apply``/``create`` share a class, ``rollback``
#: wraps one).
ACTION_KEYS: tuple[ActionKey, ...] = (
    ActionKey("set-image", _set_image_schema(), _one(_set_image), (SetImage,)),
    ActionKey("scale", _action("scale", {"kind": _SCALE_KIND, "name": _NAME, "replicas": {"type": "integer", "minimum": 0}, "namespace": _NS},
                               ["kind", "name", "replicas"]),
              _one(lambda a: ScaleWorkload(a["kind"], a["name"], a["replicas"], namespace=_ns(a))), (ScaleWorkload,)),
    ActionKey("rollback", _action("rollback", {"name": _NAME, "revision": {"type": "integer", "minimum": 0}, "namespace": _NS}, ["name"]),
              _one(lambda a: UndoRollout(RollbackDeployment(a["name"], a.get("revision", 0), namespace=_ns(a)))),
              (UndoRollout, RollbackDeployment)),
    ActionKey("pause", _action("pause", {"name": _NAME, "namespace": _NS}, ["name"]),
              _one(lambda a: PauseDeployment(a["name"], namespace=_ns(a))), (PauseDeployment,)),
    ActionKey("resume", _action("resume", {"name": _NAME, "namespace": _NS}, ["name"]),
              _one(lambda a: ResumeDeployment(a["name"], namespace=_ns(a))), (ResumeDeployment,)),
    ActionKey("delete", _action(
        "delete",
        {"kind": {"type": "string"}, "name": _NAME, "namespace": _NS,
         "selector": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
         "statefulset": _NAME, "ordinal": {"type": "integer", "minimum": 0},
         "propagation": {"enum": ["Background", "Foreground", "Orphan"]},
         "force": {"type": "boolean"}, "grace-period": {"type": "integer", "minimum": 0}},
        [],
    ), _one(_delete), (DeleteObject,)),
    ActionKey("cordon", _action("cordon", {"node": _NAME}, ["node"]), _one(lambda a: CordonNode(a["node"])), (CordonNode,)),
    ActionKey("uncordon", _action("uncordon", {"node": _NAME}, ["node"]), _one(lambda a: UncordonNode(a["node"])), (UncordonNode,)),
    ActionKey("drain", _action("drain", {"node": _NAME, "force": {"type": "boolean"}, "ignore-daemonsets": {"type": "boolean"}}, []),
              _one(lambda a: DrainNode(a.get("node"), bool(a.get("force", False)), bool(a.get("ignore-daemonsets", False)))), (DrainNode,)),
    ActionKey("delete-node", _action("delete-node", {"node": _NAME}, ["node"]), _one(lambda a: DeleteNode(a["node"])), (DeleteNode,)),
    ActionKey("load", _action("load", {"hpa": _NAME, "percent": {"type": "integer", "minimum": 0, "maximum": 1000000}, "namespace": _NS},
                              ["hpa", "percent"]),
              _one(lambda a: SetLoad(a["hpa"], a["percent"], namespace=_ns(a))), (SetLoad,)),
    ActionKey("restart", _action("restart", {"kind": {"enum": ["Deployment", "DaemonSet", "StatefulSet"]}, "name": _NAME, "namespace": _NS},
                                 ["kind", "name"]),
              _one(lambda a: RestartRollout(a["kind"], a["name"], namespace=_ns(a))), (RestartRollout,)),
    ActionKey("set-env", _action("set-env", {"kind": _KIND, "name": _NAME, "container": _NAME, "namespace": _NS,
                                             "env": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1}},
                                 ["kind", "name", "env"]),
              _one(lambda a: SetEnv(a["kind"], a["name"], FrozenMap(a["env"]), container=a.get("container"), namespace=_ns(a))), (SetEnv,)),
    ActionKey("set-resources", _action("set-resources", {"kind": _KIND, "name": _NAME, "container": _NAME, "namespace": _NS,
                                                         "requests": _QUANTITIES, "limits": _QUANTITIES},
                                       ["kind", "name"]),
              _one(lambda a: SetResources(a["kind"], a["name"], _kv(a, "requests"), _kv(a, "limits"), container=a.get("container"),
                                          namespace=_ns(a))), (SetResources,)),
    ActionKey("apply", _file_action("apply"), lambda path, i, entry, marks: _file_actions(path, i, entry, marks), (ApplyManifest,)),
    ActionKey("create", _file_action("create"), lambda path, i, entry, marks: _file_actions(path, i, entry, marks), (ApplyManifest,)),
    ActionKey("relabel-pods", _action(
        "relabel-pods",
        {
            "match": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
            "namespace": _NS,
        },
        ["match", "labels"],
    ), _one(lambda a: RelabelPods(FrozenMap(a["match"]), FrozenMap(a["labels"]), namespace=_ns(a))), (RelabelPods,)),
)
_ACTION_KEY = {k.key: k for k in ACTION_KEYS}


#: JSON Schema of the search bounds a scenario file or ``.kubecheck.yaml`` may set.
#: ``caches:`` and ``kubernetes_version:`` (scenario files and ``.kubecheck.yaml``): model.informer.CACHE_MODES,
#: model.versions.SUPPORTED_VERSIONS (1.28 .. 1.37)
CACHES_SCHEMA: dict[str, Any] = {"enum": ["off", "lagged"]}
VERSION_SCHEMA: dict[str, Any] = {"type": "string", "pattern": "^1\\.(2[89]|3[0-7])$"}

BOUNDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "max_depth": {"type": "integer", "minimum": 0},
        "max_states": {"type": "integer", "minimum": 0},
        "timeout": {"type": "number", "minimum": 0},
        "max_memory": {"type": ["string", "integer"]},
    },
}

#: JSON Schema of ``images:`` (a scenario file's, or ``.kubecheck.yaml``'s for every scenario):
#: model.kubelet.ImageFacts by image reference.
IMAGES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "pull": {"enum": ["ok", "fails"]},
            "start": {"enum": ["ok", "crashes"]},
            "ready": {"enum": ["ok", "never", "flaps", "stops"]},
            "serves-after": {"type": "integer", "minimum": 0},
            "unready-after": {"type": "integer", "minimum": 0},
        },
        #: unready N s after start is "ready: stops" at a known time: never/flaps contradict it
        "dependentSchemas": {"unready-after": {"properties": {"ready": {"enum": ["ok", "stops"]}}}},
    },
}


#: JSON Schema of ``clocks:``: the opt-in clocks (model.system.CLOCKS), each at most once.
CLOCKS_SCHEMA: dict[str, Any] = {"type": "array", "uniqueItems": True, "items": {"enum": list(CLOCKS)}}


def image_facts_of(facts: dict[str, Any]) -> ImageFacts:
    """One ``images:`` entry (validated by :data:`IMAGES_SCHEMA`) as ``model.kubelet.ImageFacts``."""
    return ImageFacts(**{k.replace("-", "_"): v for k, v in facts.items()})

#: JSON Schema of a scenario file (validated with jsonschema; documented in docs/cli.md).
SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kubecheck scenario file",
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"},
        "description": {"type": "string"},
        "granularity": {"enum": ["write", "reconcile"]},
        "stale_reads": {"type": "boolean"},
        "caches": CACHES_SCHEMA,
        "kubernetes_version": VERSION_SCHEMA,
        "time": {"enum": ["abstract", "ordered"]},
        "terminating_replicas": {"type": "boolean"},
        "kubelet_terminal_phase": {"type": "boolean"},
        "operator": {"type": "boolean"},
        "properties": {"type": "array", "items": {"type": "string"}},
        "actions": {
            "type": "array",
            "items": {
                "oneOf": [k.schema for k in ACTION_KEYS],  # each action key's own schema, in key order
            },
        },
        "faults": {
            "type": "object",
            "additionalProperties": False,
            "properties": {f.budget: f.file_schema() for f in FAULTS if f.budget},  # each fault's own schema
        },
        "bounds": BOUNDS_SCHEMA,
        "images": IMAGES_SCHEMA,
        "expect": {"type": "array", "items": EXPECT_SCHEMA},
        "clocks": CLOCKS_SCHEMA,
    },
}


class _Marks:
    """Source lines of a scenario file by tuple path (``("actions", 0, "set-image")``), read from the
    string-keyed marks of :func:`model.manifests.load_yaml_document`."""

    def __init__(self, marks: dict[str, tuple[int, int]]) -> None:
        self._marks = marks

    @staticmethod
    def _key(path: tuple[Any, ...]) -> str:
        from model.validation import child, index

        out = ""
        for p in path:
            out = index(out, p) if isinstance(p, int) else child(out, str(p))
        return out

    def get(self, path: tuple[Any, ...], default: int = 1) -> int:
        hit = self._marks.get(self._key(path))
        return hit[0] if hit is not None else default

    def __contains__(self, path: tuple[Any, ...]) -> bool:
        return self._key(path) in self._marks

    def __getitem__(self, path: tuple[Any, ...]) -> int:
        return self._marks[self._key(path)][0]


def _field(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


def _best_error(errors: list[Any]) -> Any:
    import jsonschema

    return jsonschema.exceptions.best_match(errors)


_ACTIONS = tuple(k.key for k in ACTION_KEYS)


def _allowed(schema: dict[str, Any]) -> str:
    return ", ".join(schema.get("properties", {}))


def _explain(err: Any) -> tuple[tuple[Any, ...], str]:
    """A schema error as (path, message) in the file's own terms, never a Python repr of the value.

    An action that matches no action schema (``oneOf``) is re-checked against the schema of the
    action it names, so the message says which key is wrong or missing there.
    """
    import jsonschema

    path = tuple(err.absolute_path)
    inst = err.instance
    if err.validator == "oneOf" and len(path) == 2 and path[0] == "actions":
        if not isinstance(inst, dict):
            return path, f"an action must be a mapping with one of: {', '.join(_ACTIONS)} (and optionally count, step, after, fair, when)"
        keys = [k for k in inst if k not in _ENTRY_KEYS]
        if len(keys) != 1:
            return path, (f"an action has exactly one of: {', '.join(_ACTIONS)} (and optionally count, step, after, fair, when); got "
                          f"{', '.join(map(str, keys)) or 'none'}")
        if keys[0] not in _ACTIONS:
            return path + (keys[0],), f"unknown action {keys[0]!s}; allowed: {', '.join(_ACTIONS)} (and optionally count, step, after, fair, when)"
        branch = SCENARIO_SCHEMA["properties"]["actions"]["items"]["oneOf"][_ACTIONS.index(keys[0])]
        sub = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(branch).iter_errors(inst))
        if sub is not None:
            sp, msg = _explain(sub)
            return path + sp, msg
    if path[:1] == ("expect",):
        explained = _explain_expect(err, path)
        if explained is not None:
            return explained
    if err.validator == "oneOf" and ("when" in path or "eventually" in path):
        if path[-1] in ("pod-running", "pod-ready"):
            return path, "must be a pod name or a mapping {name, namespace}"
        return path, ("must be rollout-complete, rollout-started or rollout-stuck (the action's own workload), a mapping "
                      "with one of rollout-complete/rollout-started/rollout-stuck: {kind, name}, pod-running/pod-ready: NAME, "
                      "name-free: {kind, name}, or a non-empty list of these")
    if err.validator == "oneOf" and path[-1:] == ("set-image",):
        return path, "give image (and optionally container), or images: {CONTAINER: IMAGE, ...} for several containers in one command; not both"
    if err.validator == "additionalProperties":
        allowed = err.schema.get("properties", {})
        extra = [k for k in (inst if isinstance(inst, dict) else ()) if k not in allowed]
        return path + ((extra[0],) if extra else ()), f"unknown key {', '.join(map(str, extra))}; allowed: {_allowed(err.schema)}"
    if err.validator == "required":
        missing = [k for k in err.validator_value if not (isinstance(inst, dict) and k in inst)]
        return path, f"missing required key {', '.join(missing)} (required: {', '.join(err.validator_value)})"
    if err.validator == "enum":
        return path, f"must be one of: {', '.join(map(str, err.validator_value))}"
    if err.validator == "type":
        names = {"object": "mapping", "array": "list", "number": "number", "integer": "integer", "string": "string", "boolean": "boolean"}
        vals = [err.validator_value] if isinstance(err.validator_value, str) else list(err.validator_value)
        want = " or ".join(names.get(v, v) for v in vals)
        return path, f"must be {'a' if want[0] not in 'aeiou' else 'an'} {want} (YAML: {_yaml_kind(inst)} given)"
    if err.validator in ("minimum", "exclusiveMinimum"):
        return path, f"must be {'>=' if err.validator == 'minimum' else '>'} {err.validator_value}"
    if err.validator == "pattern":
        return path, "must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    if err.validator == "minProperties":
        return path, "must not be empty"
    return path, err.message if len(err.message) < 160 else err.message[:157] + "..."


def _explain_expect(err: Any, path: tuple[Any, ...]) -> tuple[tuple[Any, ...], str] | None:
    """Schema errors of an ``expect:`` entry in the file's terms (None: the generic wording fits)."""
    if err.validator == "anyOf" and len(path) == 2:
        return path, "an expectation needs a trigger: after: STEP (a step: of actions) and/or when: CONDITION"
    if err.validator == "oneOf" and "eventually" in path and path[-1] not in ("pod-running", "pod-ready"):
        return path, ("must be converged, a condition (rollout-complete/rollout-started/rollout-stuck: {kind, name}, "
                      "pod-running/pod-ready: NAME, name-free: {kind, name}) or a non-empty list of these")
    if err.validator == "pattern" and path[-1] == "id":
        return path, "must be a rule ID: a letter, then letters, digits, '-', '_' or '.' (at most 64 characters)"
    return None


def _yaml_kind(v: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def _one_line(file: str, line: int, field_: str, msg: str) -> str:
    return f"{file}:{line}: {field_}: {msg}"


def _ordered_actions(path: str, entries: list[dict[str, Any]], marks: _Marks,
                     steps_out: dict[str, tuple[UserAction, ...]] | None = None) -> tuple[tuple[UserAction, int], ...]:
    """The file's actions, each entry with ``after`` wrapped in :class:`model.sequence.After` over the
    actions of the steps it names (steps declared earlier in the file: no cycles).  ``steps_out``
    (if given) receives the actions of each declared step (``expect:`` names them)."""
    from model.sequence import After

    out: list[tuple[UserAction, int]] = []
    steps: dict[str, tuple[UserAction, ...]] = {} if steps_out is None else steps_out
    for i, entry in enumerate(entries):
        (key,) = (k for k in entry if k not in _ENTRY_KEYS)
        built = _ACTION_KEY[key].build(path, i, entry, marks)
        after = entry.get("after")
        names: list[str] = []
        waits: list[UserAction] = []
        if after is not None:
            names = [after] if isinstance(after, str) else list(after)
            for name in names:
                if name == "converged":
                    continue
                if name not in steps:
                    line = marks.get(("actions", i, "after"), marks.get(("actions", i), 1))
                    known = ", ".join(["converged", *steps]) if steps else "converged (no step is declared before this one)"
                    raise InvalidScenario(_one_line(path, line, f"actions[{i}].after",
                                                    f"no step {name!r} declared before this action; known: {known}"))
                waits.extend(steps[name])
        conds = _when_conditions(path, i, entry, built, marks)
        if after is not None or conds:
            built = [(After(a, tuple(dict.fromkeys(waits)), "converged" in names, bool(entry.get("fair")), conds), n)
                     for a, n in built]
        elif entry.get("fair"):
            built = [(After(a, fair=True), n) for a, n in built]
        if "step" in entry:
            if entry["step"] in steps or entry["step"] == "converged":
                line = marks.get(("actions", i, "step"), marks.get(("actions", i), 1))
                raise InvalidScenario(_one_line(path, line, f"actions[{i}].step",
                                                f"step {entry['step']!r} is already declared" if entry["step"] != "converged"
                                                else "'converged' is reserved (after: converged waits for quiescence)"))
            steps[entry["step"]] = tuple(a for a, _ in built)
        out.extend(built)
    return tuple(out)


def _entry_target(entry: dict[str, Any], built: list[tuple[UserAction, int]]) -> tuple[str, str, str] | None:
    """The workload an entry acts on (kind, namespace, name), for the short ``when: rollout-...`` form:
    the action's ``kind``/``name``, the Deployment of ``rollback``/``pause``/``resume``, or the one
    Deployment, StatefulSet or DaemonSet of an ``apply``/``create`` file."""
    from model.apply import ApplyManifest
    from model.objects import kind_of

    (key, a), = ((k, v) for k, v in entry.items() if k not in _ENTRY_KEYS)
    if isinstance(a, dict):
        ns = a.get("namespace", _default_ns())
        if "kind" in a and "name" in a:
            return a["kind"], ns, a["name"]
        if key in ("rollback", "pause", "resume"):
            return "Deployment", ns, a["name"]
    if key in ("apply", "create"):
        objs = [m.manifest.obj for m, _ in built if isinstance(m, ApplyManifest)]
        loads = [o for o in objs if kind_of(o) in ("Deployment", "StatefulSet", "DaemonSet")]
        if len(loads) == 1:
            return kind_of(loads[0]), loads[0].namespace, loads[0].name
    return None


def _when_conditions(path: str, i: int, entry: dict[str, Any], built: list[tuple[UserAction, int]],
                     marks: _Marks) -> tuple[Any, ...]:
    """An entry's ``when:`` as ``model.sequence.When`` conditions (checked beyond the schema: a
    short ``rollout-...`` form needs a workload target; ``rollout-stuck`` a Deployment)."""
    from model.sequence import When

    raw = entry.get("when")
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    line = marks.get(("actions", i, "when"), marks.get(("actions", i), 1))
    out: list[When] = []
    for j, item in enumerate(items):
        where = f"actions[{i}].when" + (f"[{j}]" if isinstance(raw, list) else "")
        arg: Any
        what, arg = (item, None) if isinstance(item, str) else next(iter(item.items()))
        if what.startswith("rollout-"):
            if arg is None:
                tgt = _entry_target(entry, built)
                if tgt is None or tgt[0] not in ("Deployment", "StatefulSet", "DaemonSet"):
                    raise InvalidScenario(_one_line(path, line, where, f"{what} needs a Deployment, StatefulSet or DaemonSet: "
                                                    f"this action names none; write {what}: {{kind: KIND, name: NAME}}"))
                kind, ns, name = tgt
            else:
                kind, ns, name = arg.get("kind", "Deployment"), arg.get("namespace", _default_ns()), arg["name"]
            if what == "rollout-stuck" and kind != "Deployment":
                raise InvalidScenario(_one_line(path, line, where, f"rollout-stuck needs a Deployment ({kind} has no "
                                                "progressDeadlineSeconds: kubectl rollout status never reports it stuck)"))
            out.append(When(what, kind, name, ns))
        elif what in ("pod-running", "pod-ready"):
            name, ns = (arg, _default_ns()) if isinstance(arg, str) else (arg["name"], arg.get("namespace", _default_ns()))
            out.append(When(what, "Pod", name, ns))
        else:
            out.append(When(what, arg["kind"], arg["name"], arg.get("namespace", _default_ns())))
    return tuple(out)


def _file_actions(path: str, i: int, entry: dict[str, Any], marks: _Marks) -> list[tuple[UserAction, int]]:
    """``apply: FILE`` / ``create: FILE``: one :class:`model.apply.ApplyManifest` per object of the
    file (relative to the scenario file), loaded, defaulted and validated by the manifest loader; a
    problem in the file is that file's own ``FILE:LINE: FIELD: message``."""
    from model.apply import KEEP_IF_OMITTED, ApplyManifest, Manifest
    from model.manifests import load_manifests
    from model.objects import kind_of

    key = "apply" if "apply" in entry else "create"
    count = int(entry.get("count", 1))
    target = Path(path).parent / entry[key]
    where = f"actions[{i}].{key}"
    line = marks.get(("actions", i, key), marks.get(("actions", i), 1))
    if not target.is_file():
        raise InvalidScenario(_one_line(path, line, where, f"no such file: {target}"))
    load = load_manifests([str(target)], namespace=_NAMESPACE.get())
    if load.errors:
        raise InvalidScenario(str(load.errors[0]))
    if not load.objects:
        raise InvalidScenario(_one_line(path, line, where, load.nothing_loaded(str(target))))
    out: list[tuple[UserAction, int]] = []
    for obj in load.objects:
        loc = load.locations[(kind_of(obj), obj.namespace, obj.name)]
        written = frozenset(p for p in KEEP_IF_OMITTED.values() if p in loc.fields)
        out.append((ApplyManifest(Manifest(obj, str(loc), written), create=key == "create"), count))
    return out


def kubectl_grace_period(force: bool, grace_period: int) -> int | None:
    """The grace period ``kubectl delete`` sends: mirrors kubernetes/kubernetes
    staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go (DeleteOptions.Complete).

    ``grace_period`` is ``--grace-period`` (-1: unset, the object's own).  ``--grace-period=0``
    without ``--force`` becomes 1 ("to prevent accidental data loss"); ``--force`` without a grace
    period becomes 0.  ``None`` stands for unset (the API server then uses the object's
    ``terminationGracePeriodSeconds``).  (``--force`` with a grace period > 0 is refused by
    DeleteOptions.Validate; the scenario loader refuses it.)
    """
    if grace_period == 0 and not force:
        grace_period = 1
    if force and grace_period < 0:
        grace_period = 0
    return None if grace_period < 0 else grace_period


def _check_deletes(path: str, data: dict[str, Any], marks: _Marks) -> None:
    """A ``delete`` names its objects one way: ``kind`` with ``name`` or ``selector``, or
    ``statefulset`` with ``ordinal`` (the pod ``<statefulset>-<ordinal>``); kubectl's own refusals
    (delete.go Validate: a name with a selector, ``--force`` with ``--grace-period`` > 0) too."""
    for i, entry in enumerate(data.get("actions") or ()):
        a = entry.get("delete")
        if a is None:
            continue
        where = ("actions", i, "delete")
        at = marks.get(where, marks.get(("actions", i), 1))

        def bad(key: str, msg: str) -> InvalidScenario:
            return InvalidScenario(_one_line(path, marks.get(where + (key,), at) if key else at,
                                             f"actions[{i}].delete" + (f".{key}" if key else ""), msg))

        forms = [k for k in ("name", "selector", "statefulset") if k in a]
        if len(forms) != 1:
            raise bad(forms[1] if len(forms) > 1 else "",
                      "name the objects one way: kind with name, kind with selector, or statefulset with ordinal"
                      + (f"; got {', '.join(forms)}" if forms else ""))
        if forms[0] == "statefulset":
            if "ordinal" not in a:
                raise bad("statefulset", "missing required key ordinal (statefulset names the pod <statefulset>-<ordinal>)")
            if a.get("kind", "Pod") != "Pod":
                raise bad("kind", "with statefulset and ordinal the object is a Pod: drop kind or write kind: Pod")
        else:
            if "ordinal" in a:
                raise bad("ordinal", "ordinal goes with statefulset (the pod <statefulset>-<ordinal>)")
            if "kind" not in a:
                raise bad("", "missing required key kind (required with name or selector)")
        if a.get("force") and a.get("grace-period", 0) > 0:
            raise bad("grace-period", "--force and --grace-period greater than 0 cannot be specified together (kubectl)")


def _check_when_targets(path: str, data: dict[str, Any], marks: _Marks, cluster: ClusterState) -> None:
    """A ``when:`` condition on a workload or pod that nothing can bring about never holds, so a typo
    would silently remove the guarded action: a named rollout target must be in the manifests, and a
    pod either in the manifests or an ordinal of a StatefulSet there.  Skipped when the scenario
    applies or creates files (their objects may be the targets)."""
    entries = data.get("actions") or ()
    if any("apply" in e or "create" in e for e in entries):
        return
    for i, entry in enumerate(entries):
        raw = entry.get("when")
        items = raw if isinstance(raw, list) else [raw] if raw is not None else []
        for j, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            (what, arg), = item.items()
            where = f"actions[{i}].when" + (f"[{j}]" if isinstance(raw, list) else "")
            line = marks.get(("actions", i, "when"), marks.get(("actions", i), 1))
            if what.startswith("rollout-"):
                kind, ns = arg.get("kind", "Deployment"), arg.get("namespace", _default_ns())
                if what == "rollout-stuck" and kind != "Deployment":
                    continue  # refused with its own reason when the actions are built
                if cluster.get(kind, ns, arg["name"]) is None:
                    raise InvalidScenario(_one_line(path, line, where, f'no {kind} "{ns}/{arg["name"]}" in the manifests'))
            elif what in ("pod-running", "pod-ready"):
                name, ns = (arg, _default_ns()) if isinstance(arg, str) else (arg["name"], arg.get("namespace", _default_ns()))
                base, _, suffix = name.rpartition("-")
                if cluster.get("Pod", ns, name) is None and not (suffix.isdigit() and cluster.get("StatefulSet", ns, base)):
                    raise InvalidScenario(_one_line(path, line, where, f'no pod "{ns}/{name}" in the manifests, and no '
                                                    f"StatefulSet there that would create it (pods of other controllers "
                                                    "have generated names)"))


def _check_targets(path: str, data: dict[str, Any], marks: _Marks, cluster: ClusterState) -> None:
    """Every action must name an object (and container) that exists in the loaded manifests.

    An action on a missing object is a no-op in the model, so a typo would silently turn the
    scenario into "nothing happens" and every property would hold.  ``rollback.revision`` is the
    exception: revisions exist only once the Deployment has rolled out, so it is checked at run
    time (a missing revision makes the rollback a no-op, like ``kubectl rollout undo --to-revision``
    failing).
    """
    from model.objects import KINDS

    _check_when_targets(path, data, marks, cluster)
    for i, entry in enumerate(data.get("actions") or ()):
        (key, a), = ((k, v) for k, v in entry.items() if k not in _ENTRY_KEYS)
        if key in ("apply", "create"):
            continue  # its objects need not exist: model.apply
        if key == "relabel-pods" or (key == "delete" and "selector" in a):
            if key == "delete" and a["kind"] not in KINDS:
                raise InvalidScenario(_one_line(path, marks.get(("actions", i, key, "kind"), marks.get(("actions", i), 1)),
                                                f"actions[{i}].{key}.kind", f"unknown kind {a['kind']!r}; known: {', '.join(KINDS)}"))
            continue
        if key == "delete" and "statefulset" in a:
            ns = a.get("namespace", _default_ns())
            if cluster.get("StatefulSet", ns, a["statefulset"]) is None:
                line = marks.get(("actions", i, key, "statefulset"), marks.get(("actions", i), 1))
                raise InvalidScenario(_one_line(path, line, f"actions[{i}].{key}.statefulset",
                                                f'no StatefulSet "{ns}/{a["statefulset"]}" in the manifests'))
            continue
        if key in ("cordon", "uncordon", "drain", "delete-node"):
            if "node" in a and cluster.get("Node", "", a["node"]) is None and cluster.nodes:
                line = marks.get(("actions", i, key, "node"), marks.get(("actions", i), 1))
                known_nodes = ", ".join(n.name for n in cluster.nodes.values())
                raise InvalidScenario(_one_line(path, line, f"actions[{i}].{key}.node",
                                                f'no Node "{a["node"]}" in the cluster; its nodes: {known_nodes}'))
            continue
        if key == "load":
            ns = a.get("namespace", _default_ns())
            if cluster.get("HorizontalPodAutoscaler", ns, a["hpa"]) is None:
                line = marks.get(("actions", i, key, "hpa"), marks.get(("actions", i), 1))
                raise InvalidScenario(_one_line(path, line, f"actions[{i}].{key}.hpa",
                                                f'no HorizontalPodAutoscaler "{ns}/{a["hpa"]}" in the manifests'))
            continue
        kind = "Deployment" if key in ("rollback", "pause", "resume") else a["kind"]
        ns = "" if kind == "Node" else a.get("namespace", _default_ns())
        where = ("actions", i, key)
        line = marks.get(where + ("name",), marks.get(("actions", i), 1))
        if kind not in KINDS:
            raise InvalidScenario(_one_line(path, marks.get(where + ("kind",), line), f"actions[{i}].{key}.kind",
                                            f"unknown kind {kind!r}; known: {', '.join(KINDS)}"))
        obj = cluster.get(kind, ns, a["name"])
        if obj is None and key == "delete" and kind == "Pod" and _statefulset_pod(cluster, ns, a["name"]):
            continue  # a StatefulSet's pod, created by its controller
        if obj is None:
            hint = ("; a pod a controller creates is named by selector (kind: Pod, selector: {...}) or, for a StatefulSet, "
                    "by statefulset and ordinal") if key == "delete" else ""
            raise InvalidScenario(_one_line(path, line, f"actions[{i}].{key}.name", f'no {kind} "{ns}/{a["name"]}" in the manifests{hint}'))
        container = a.get("container")
        named: list[tuple[tuple[str, ...], Any]] = [(("container",), container)] if container is not None else []
        named += [(("images", c), c) for c in (a.get("images") or {})] if key == "set-image" else []
        if key in ("set-image", "set-env", "set-resources"):
            names = [c.name for c in obj.template.containers]
            for field_, cname in named:
                if cname not in names:
                    raise InvalidScenario(_one_line(
                        path, marks.get(where + field_, line), f"actions[{i}].{key}." + ".".join(field_),
                        f'{kind} "{ns}/{a["name"]}" has no container {cname!r}; its containers: {", ".join(names)}'))


def _statefulset_pod(cluster: ClusterState, ns: str, name: str) -> bool:
    """``name`` is ``<statefulset>-<ordinal>`` of a StatefulSet in the manifests (a pod its controller creates)."""
    base, _, ordinal = name.rpartition("-")
    return ordinal.isdigit() and cluster.get("StatefulSet", ns, base) is not None


def load_scenario_file(path: str, known_rules: Iterable[str] | None = None, cluster: ClusterState | None = None,
                       namespace: str | None = None) -> ScenarioSpec:
    """Read and validate a YAML scenario file; an error is one line ``FILE:LINE: FIELD: message``.

    With ``known_rules`` (the catalogue's IDs plus the user's), every ID in ``properties:`` must be
    one of them: a typo would otherwise select nothing, silently.  With ``cluster`` (the loaded
    manifests), every action must name an existing object and container (:func:`_check_targets`).
    With ``namespace`` (``check -n``), what names no namespace acts in that one, and the files of
    ``apply:``/``create:`` are read with it (``kubectl apply -n``: another namespace is an error).
    """
    token = _NAMESPACE.set(namespace)
    try:
        return _load_scenario_file(path, known_rules, cluster)
    finally:
        _NAMESPACE.reset(token)


def _load_scenario_file(path: str, known_rules: Iterable[str] | None, cluster: ClusterState | None) -> ScenarioSpec:
    import jsonschema

    from kubecheck.runner import parse_memory

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidScenario(_one_line(path, 1, "(file)", f"cannot read: {exc}")) from None
    from model.manifests import ManifestError, load_yaml_document

    try:  # the manifest loader's YAML reading: duplicate keys, alias bombs and depth are errors
        data, raw_marks = load_yaml_document(text, path)
    except ManifestError as exc:
        raise InvalidScenario(_one_line(path, exc.line or 1, exc.field or "(yaml)", exc.message)) from None
    if data is None:
        raise InvalidScenario(_one_line(path, 1, "(document)", "empty scenario file"))
    marks = _Marks(raw_marks)
    errors = list(jsonschema.Draft202012Validator(SCENARIO_SCHEMA).iter_errors(data))
    if errors:
        where, message = _explain(_best_error(errors))
        line = next((marks[where[:i]] for i in range(len(where), -1, -1) if where[:i] in marks), 1)
        raise InvalidScenario(_one_line(path, line, _field(where), message))
    _check_deletes(path, data, marks)
    for i, entry in enumerate(data.get("actions") or ()):
        a = entry.get("set-resources")
        if a is not None and not a.get("requests") and not a.get("limits"):
            raise InvalidScenario(_one_line(path, marks.get(("actions", i, "set-resources"), 1), f"actions[{i}].set-resources",
                                            "you must specify an update to requests or limits (kubectl set resources)"))
    if known_rules is not None:
        known = list(dict.fromkeys(known_rules))
        for i, rid in enumerate(data.get("properties") or ()):
            if rid not in known:
                raise InvalidScenario(_one_line(
                    path, marks.get(("properties", i), marks.get(("properties",), 1)), f"properties[{i}]",
                    f"unknown rule ID {rid!r}; known: {', '.join(known)}",
                ))
    if cluster is not None:
        _check_targets(path, data, marks, cluster)
        _check_images(path, data, marks, cluster)
    bounds: list[tuple[str, Any]] = []
    for k, v in (data.get("bounds") or {}).items():
        if k == "timeout" and not math.isfinite(v):
            raise InvalidScenario(_one_line(path, marks.get(("bounds", k), 1), f"bounds.{k}", f"{v} is not a finite number of seconds (0: none)"))
        if k in ("timeout", "max_states") and v == 0:
            v = None  # 0 means "no bound", as --timeout 0 / --max-states 0 on the command line
        if k == "max_memory":
            try:
                v = parse_memory(str(v))
            except ValueError as exc:
                raise InvalidScenario(_one_line(path, marks.get(("bounds", k), 1), f"bounds.{k}", str(exc))) from None
        bounds.append((k, v))
    steps: dict[str, tuple[UserAction, ...]] = {}
    actions = _ordered_actions(path, data.get("actions") or [], marks, steps)
    faults = FaultBudget(**(data.get("faults") or {}))
    # The operator (a fair ``kubectl delete node`` of a failed node) is on by default when nodes may
    # fail, as in the built-in node-failure scenario; ``operator: false`` judges without it.  One
    # deletion per node failure the budget allows (at least one when switched on explicitly, for
    # a Node the manifests declare NotReady).
    wants_operator = data.get("operator", faults.node_failure > 0)
    operator = max(faults.node_failure, 1) if wants_operator else 0
    expectations = _expectations(path, data, marks, steps, ScenarioSpec(data["name"], "", actions, operator=operator),
                                 known_rules, cluster)
    # Opt-in rules the file brings: those it names in ``properties``, and KC-DRAIN-001 when it drains
    # (as the built-in drain scenarios do).
    brings = tuple(data.get("properties") or ()) + (("KC-DRAIN-001",) if any(isinstance(getattr(a, "inner", a), DrainNode) for a, _ in actions) else ())
    return ScenarioSpec(
        rules=tuple(dict.fromkeys(brings)),
        name=data["name"],
        description=data.get("description", f"scenario file {path}"),
        user_actions=actions,
        faults=faults,
        operator=operator,
        granularity=data.get("granularity"),
        stale_reads=bool(data.get("stale_reads", False)),
        caches=data.get("caches"),
        kubernetes_version=data.get("kubernetes_version"),
        time=data.get("time", "abstract"),
        terminating_replicas=bool(data.get("terminating_replicas", False)),
        kubelet_terminal_phase=bool(data.get("kubelet_terminal_phase", False)),
        bounds=tuple(bounds),
        properties=tuple(data["properties"]) if "properties" in data else None,
        images=FrozenMap({img: image_facts_of(facts) for img, facts in (data.get("images") or {}).items()}),
        expectations=expectations,
        clocks=frozenset(data.get("clocks") or ()),
    )


def manifest_images(cluster: ClusterState) -> set[str]:
    """The images the manifests run at start-up (workload templates and bare pods)."""
    return {c.image for k in WORKLOAD_KINDS + ("Pod",) for o in cluster.objects(k)
            for c in (o.spec_containers if k == "Pod" else o.template.containers)}


def _check_images(path: str, data: dict[str, Any], marks: _Marks, cluster: ClusterState) -> None:
    """Image facts must be about images a scenario runs *after* start-up.

    Start-up (:func:`settle`) is shared by every scenario and runs without image facts, so a fact
    on an image the manifests already run would describe pods that start-up has already made
    Running and Ready: refused, instead of being silently half-applied.  An image that fails to
    pull or crashes in the manifests themselves is seen at start-up by the KC-CONV rules.
    """
    used = manifest_images(cluster)
    for img in (data.get("images") or {}):
        if img in used:
            raise InvalidScenario(_one_line(
                path, marks.get(("images", img), 1), f"images.{img}",
                "the manifests already run this image: start-up runs without image facts, so declare facts "
                "for images a scenario rolls to (set-image), not for the manifests' own"))


def with_nodes(objects: tuple[Any, ...], n: int) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """``objects`` plus ``n`` identical Ready nodes when they contain no Node; and the names added.

    The nodes carry the well-known labels every kubelet sets that are the same on all nodes of a
    usual cluster (``kubernetes.io/os: linux``, ``kubernetes.io/arch: amd64``, and the legacy
    ``beta.kubernetes.io/os`` / ``beta.kubernetes.io/arch`` that the kubelet still applies "to ensure
    backward compatibility": staging/src/k8s.io/api/core/v1 well_known_labels.go), so that the common
    ``nodeSelector: {kubernetes.io/os: linux}`` and older charts' ``beta.kubernetes.io/os: linux`` fit them.
    ``kubernetes.io/hostname`` is left out: it would make the nodes distinct and defeat node symmetry;
    a pod selecting a hostname fits none of them (declare your Nodes). No taints.
    """
    from model.frozen import FrozenMap
    from model.objects import Node, kind_of

    if any(kind_of(o) == "Node" for o in objects) or n <= 0:
        return objects, ()
    names = tuple(f"node-{i + 1}" for i in range(n))
    from model.scheduler import COMMON_NODE_LABELS

    labels = FrozenMap(dict(COMMON_NODE_LABELS))
    return objects + tuple(Node(name=nm, labels=labels) for nm in names), names


def replace_initial(scenario: Scenario, initial: ClusterState) -> Scenario:
    return replace(scenario, initial=initial)


# ------------------------------------------------------------------ expectations (expect:)


def workloads_converged(cluster: ClusterState) -> bool:
    """``eventually: converged``: every default convergence rule of the catalogue (the
    ``eventually_always`` rules of category convergence: KC-CONV-001, -002, -003, KC-DS-001) holds for
    every workload of ``cluster`` (a workload created mid-run included)."""
    from kubecheck.core.properties import PropertyKind
    from properties import DEFAULT_RULES

    for r in DEFAULT_RULES:
        if r.category != "convergence" or r.kind is not PropertyKind.EVENTUALLY_ALWAYS:
            continue
        for kind in r.applies_to:
            for obj in cluster.objects(kind):
                if not r.check(cluster, (kind, obj.namespace, obj.name)):
                    return False
    return True


@dataclass(frozen=True, slots=True)
class ExpectGoal:
    """The goal of an ``expect:`` entry, on the cluster: ``converged`` (:func:`workloads_converged`)
    and every ``when:`` condition (``model.sequence.When``) at once."""

    converged: bool
    conditions: tuple[Any, ...] = ()

    def __call__(self, cluster: ClusterState) -> bool:
        return (not self.converged or workloads_converged(cluster)) and all(w.holds(cluster) for w in self.conditions)


@dataclass(frozen=True, slots=True)
class ExpectTrigger:
    """The trigger of an ``expect:`` entry, on the system state (``model.system.SystemState``): every
    action of the named steps was taken (its budget, at index ``j`` of the scenario's distinct user
    actions, is below its declared count ``n``: a refused attempt counts, as for ``after:`` in
    actions) and every ``when:`` condition holds.  ``width`` is the number of distinct user actions
    of the scenario's search; a state with another number belongs to another search (it would read
    the wrong budgets), and is refused loudly instead (the verdict is then ERROR)."""

    budgets: tuple[tuple[int, int], ...]
    width: int
    conditions: tuple[Any, ...] = ()

    def __call__(self, state: Any) -> bool:
        left = state.user_budget
        if self.budgets and len(left) != self.width:
            raise ValueError(f"this state has {len(left)} user action budgets, the expectation was built for {self.width}")
        return all(left[j] < n for j, n in self.budgets) and all(w.holds(state.cluster) for w in self.conditions)


@dataclass(frozen=True)
class Expectation(Rule):
    """A scenario file's ``expect:`` entry as a rule: "after STEP / when CONDITION, eventually GOAL"
    (leads-to).  Its trigger (:class:`ExpectTrigger`) reads the system state, not the cluster (a step
    taken is a budget spent), and it is judged in its own scenario only."""

    #: the scenario it is judged in (only there)
    scenario: str = ""
    #: every ``when:`` condition of the trigger and the goal (``rollout-stuck`` needs the progress-deadline timer)
    conditions: tuple[Any, ...] = ()
    #: the scenario file that declares it (``kubecheck replay`` reads the expectation back from it)
    source: str = ""

    def _trigger(self, target: Any) -> Any:
        return self.trigger


def is_expectation(rule: Any) -> bool:
    """Whether ``rule`` is a scenario file's ``expect:`` entry (judged in its own scenario only)."""
    return isinstance(rule, Expectation)


def _distinct_budgets(actions: tuple[tuple[UserAction, int], ...]) -> tuple[list[Any], list[int]]:
    """The distinct user actions of a search and their counts, in ``model.system.Scenario.user_budget``'s order."""
    distinct: list[Any] = []
    counts: list[int] = []
    for a, n in actions:
        if a in distinct:
            counts[distinct.index(a)] += n
        else:
            distinct.append(a)
            counts.append(n)
    return distinct, counts


def _expect_conditions(path: str, where: str, line: int, raw: Any, goal: bool, cluster: ClusterState | None) -> tuple[bool, tuple[Any, ...]]:
    """An ``expect:`` entry's ``when:`` (``goal=False``) or ``eventually:`` (``goal=True``) items:
    ``(converged, When conditions)``; the short ``rollout-...`` forms name no workload here."""
    from model.sequence import When

    items = raw if isinstance(raw, list) else [raw]
    converged = False
    out: list[When] = []
    for j, item in enumerate(items):
        at = where + (f"[{j}]" if isinstance(raw, list) else "")
        if item == "converged":
            converged = True
            continue
        if isinstance(item, str):
            raise InvalidScenario(_one_line(path, line, at, f"{item} needs a workload here (an expectation acts on none): "
                                            f"write {item}: {{kind: KIND, name: NAME}}"))
        what, arg = next(iter(item.items()))
        if what.startswith("rollout-"):
            w = When(what, arg.get("kind", "Deployment"), arg["name"], arg.get("namespace", _default_ns()))
            if what == "rollout-stuck" and w.kind != "Deployment":
                raise InvalidScenario(_one_line(path, line, at, f"rollout-stuck needs a Deployment ({w.kind} has no "
                                                "progressDeadlineSeconds: kubectl rollout status never reports it stuck)"))
        elif what in ("pod-running", "pod-ready"):
            name, ns = (arg, _default_ns()) if isinstance(arg, str) else (arg["name"], arg.get("namespace", _default_ns()))
            w = When(what, "Pod", name, ns)
        else:
            w = When(what, arg["kind"], arg["name"], arg.get("namespace", _default_ns()))
        if cluster is not None:
            _check_condition_target(path, line, at, w, cluster)
        out.append(w)
    return converged, tuple(out)


def _check_condition_target(path: str, line: int, where: str, w: Any, cluster: ClusterState) -> None:
    """A condition on a workload or pod that nothing creates never holds: a typo would make an
    expectation's trigger never fire (nothing owed: it would hold silently) or its goal never come."""
    if w.what.startswith("rollout-"):
        if cluster.get(w.kind, w.namespace, w.name) is None:
            raise InvalidScenario(_one_line(path, line, where, f'no {w.kind} "{w.namespace}/{w.name}" in the manifests'))
    elif w.what in ("pod-running", "pod-ready"):
        base, _, suffix = w.name.rpartition("-")
        if cluster.get("Pod", w.namespace, w.name) is None and not (suffix.isdigit() and cluster.get("StatefulSet", w.namespace, base)):
            raise InvalidScenario(_one_line(path, line, where, f'no pod "{w.namespace}/{w.name}" in the manifests, and no '
                                            "StatefulSet there that would create it (pods of other controllers have generated names)"))


def _describe_items(raw: Any) -> str:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        else:
            what, arg = next(iter(item.items()))
            name = arg if isinstance(arg, str) else f"{arg.get('kind', 'Pod' if what.startswith('pod') else 'Deployment')}/{arg['name']}"
            out.append(f"{what} {name}")
    return " and ".join(out)


def _expectations(path: str, data: dict[str, Any], marks: _Marks, steps: dict[str, tuple[UserAction, ...]],
                  spec: ScenarioSpec, known_rules: Iterable[str] | None, cluster: ClusterState | None) -> tuple[Any, ...]:
    """The file's ``expect:`` entries as :class:`Expectation` rules (leads-to), checked beyond the schema."""
    entries = data.get("expect") or ()
    if not entries:
        return ()
    from kubecheck.core.properties import RULE_ID_PATTERN, PropertyKind

    known = set(known_rules or ())
    distinct, counts = _distinct_budgets(spec.all_user_actions())
    name = data["name"]
    creates = any("apply" in e or "create" in e for e in data.get("actions") or ())
    out: list[Any] = []
    ids: set[str] = set()
    for i, entry in enumerate(entries):
        line = marks.get(("expect", i), 1)
        rid = entry.get("id") or (f"EXPECT-{name}-{i + 1}" if RULE_ID_PATTERN.fullmatch(f"EXPECT-{name}-{i + 1}") else f"EXPECT-{i + 1}")
        if rid in ids or rid in known:
            raise InvalidScenario(_one_line(path, marks.get(("expect", i, "id"), line), f"expect[{i}].id",
                                            f"rule ID {rid} is already " + ("used by another expectation of this file" if rid in ids
                                                                            else "a catalogue or --rules rule")))
        ids.add(rid)
        budgets: list[tuple[int, int]] = []
        after = entry.get("after")
        for step in ([after] if isinstance(after, str) else list(after or ())):
            at = marks.get(("expect", i, "after"), line)
            if step == "converged":
                raise InvalidScenario(_one_line(path, at, f"expect[{i}].after", "after: names steps here (step: in actions); "
                                                "'converged' is a goal: write eventually: converged"))
            if step not in steps:
                listed = ", ".join(steps) or "none (declare one with step: NAME on an action)"
                raise InvalidScenario(_one_line(path, at, f"expect[{i}].after", f"no step {step!r} in actions; known: {listed}"))
            for a in steps[step]:
                j = distinct.index(a)
                budgets.append((j, counts[j]))
        target_cluster = None if creates else cluster
        _, when = (_expect_conditions(path, f"expect[{i}].when", marks.get(("expect", i, "when"), line), entry["when"], False, target_cluster)
                   if "when" in entry else (False, ()))
        converged, goal = _expect_conditions(path, f"expect[{i}].eventually", marks.get(("expect", i, "eventually"), line),
                                             entry["eventually"], True, target_cluster)
        trigger_text = " and ".join(([f"step {', '.join([after] if isinstance(after, str) else after)} taken"] if after else [])
                                    + ([_describe_items(entry["when"])] if "when" in entry else []))
        goal_text = _describe_items(entry["eventually"])
        title = entry.get("title") or f"after {trigger_text}, eventually {goal_text}"
        out.append(Expectation(
            rule_id=rid, title=title, kind=PropertyKind.LEADS_TO, check=ExpectGoal(converged, goal),
            trigger=ExpectTrigger(tuple(dict.fromkeys(budgets)), len(distinct), when),
            counts=f"scenario {name}, {path}:{line}: leads-to under weak fairness of controllers and kubelets: from every "
            f"reachable state where {trigger_text}, every weakly fair run reaches a state (that one included) where {goal_text}"
            + (" (converged: KC-CONV-001, -002, -003 and KC-DS-001 hold for every workload)" if converged else ""),
            trigger_counts=trigger_text, category="expectation", default=False, symmetric=False,
            severity=entry.get("severity", "error"), scenario=name, conditions=when + goal, source=str(Path(path).resolve()),
        ))
    return tuple(out)
