"""Toy transition systems for the trace tests (a module, not a conftest, so tests import it by name).

``Replicas``: a miniature ReplicaSet.  A fair ``controller`` creates or deletes one pod at a time
towards ``replicas``; the unfair ``user`` may scale up (budget ``scales``) or make an irrelevant
``touch`` (budget ``noise``); the unfair ``fault`` may crash one pod (budget ``crashes``).  The
invariant "at most 2 pods" (``at_most_two``) needs exactly two scale-ups and three creates to break.

``Flip``: one fair actor flips a bit forever (a lasso), plus an unfair no-op ``touch``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from kubecheck.core.ts import Action, BaseSystem
from traces.trace import Step, Trace


@dataclass(frozen=True, slots=True)
class ToyState:
    replicas: int
    pods: tuple[str, ...]
    next_id: int = 1
    scales: int = 2
    crashes: int = 1
    noise: int = 2
    manual: int = 0  # budget of pods the user may create by hand (0: the action never applies)


class Replicas(BaseSystem[ToyState]):
    def __init__(self, init: ToyState | None = None, labels: dict[str, str] | None = None) -> None:
        self.init = init or ToyState(replicas=1, pods=())
        #: label overrides, to feed hostile text through every renderer
        self.labels = labels or {}

    def init_states(self) -> Sequence[ToyState]:
        return [self.init]

    def _l(self, label: str) -> str:
        return self.labels.get(label, label)

    def actions(self, s: ToyState) -> Sequence[Action]:
        acts = [
            Action("controller", self._l("create_pod")),
            Action("controller", self._l("delete_pod")),
            Action("user", self._l("scale_up"), fair=False),
            Action("user", self._l("touch"), fair=False),
            Action("user", "manual_create_pod", fair=False),
        ]
        acts += [Action("fault", self._l("crash_pod"), fair=False, data=p) for p in s.pods]
        return acts

    def step(self, s: ToyState, a: Action) -> ToyState | None:
        label = next((k for k, v in self.labels.items() if v == a.label), a.label)
        if label == "create_pod" and len(s.pods) < s.replicas:
            return replace(s, pods=(*s.pods, f"p{s.next_id}"), next_id=s.next_id + 1)
        if label == "delete_pod" and len(s.pods) > s.replicas:
            return replace(s, pods=s.pods[:-1])
        if label == "scale_up" and s.scales > 0:
            return replace(s, replicas=s.replicas + 1, scales=s.scales - 1)
        if label == "manual_create_pod" and s.manual > 0:
            return replace(s, pods=(*s.pods, f"m{s.next_id}"), next_id=s.next_id + 1, manual=s.manual - 1)
        if label == "touch" and s.noise > 0:
            return replace(s, noise=s.noise - 1)
        if label == "crash_pod" and s.crashes > 0 and a.data in s.pods:
            return replace(s, pods=tuple(p for p in s.pods if p != a.data), crashes=s.crashes - 1)
        return None


class DescribedReplicas(Replicas):
    """The same system with its own ``describe_state`` (the renderers must prefer it)."""

    def describe_state(self, s: ToyState) -> dict[str, str]:
        out = {"ReplicaSet rs": f"spec={s.replicas} budget={s.scales}"}
        for p in s.pods:
            out[f"Pod {p}"] = "Running"
        return out


def at_most_two(s: ToyState) -> bool:
    return len(s.pods) <= 2


@dataclass(frozen=True, slots=True)
class FlipState:
    flag: bool
    noise: int = 1


class Flip(BaseSystem[FlipState]):
    def init_states(self) -> Sequence[FlipState]:
        return [FlipState(False)]

    def actions(self, s: FlipState) -> Sequence[Action]:
        return [Action("flipper", "flip"), Action("user", "touch", fair=False)]

    def step(self, s: FlipState, a: Action) -> FlipState | None:
        if a.label == "flip":
            return replace(s, flag=not s.flag)
        if a.label == "touch" and s.noise > 0:
            return replace(s, noise=s.noise - 1)
        return None


def follow(
    system: BaseSystem,  # type: ignore[type-arg]
    labels: Sequence[str | tuple[str, object]],
    *,
    property_id: str = "TOY-1",
    loop_start: int | None = None,
    loop_label: str | None = None,
) -> Trace:
    """Build a trace by taking, in order, the first applicable action with each label (or label+data)."""
    state = system.init_states()[0]
    initial = state
    steps: list[Step] = []

    def take(want: str | tuple[str, object]) -> Step:
        label, data = (want, None) if isinstance(want, str) else want
        for i, a in enumerate(system.actions(state)):
            if a.label == label and (data is None or a.data == data):
                nxt = system.step(state, a)
                if nxt is not None:
                    return Step(a.actor, a.label, i, nxt, a)
        raise AssertionError(f"{want!r} is not applicable in {state!r}")

    for want in labels:
        st = take(want)
        steps.append(st)
        state = st.state
    loop_step = take(loop_label) if loop_label is not None else None
    return Trace(initial, tuple(steps), property_id, "toy property", loop_start, "test", (("max_depth", 10),), 0, loop_step)


#: A 12-step violation of ``at_most_two`` padded with actions it does not need.
NOISY = (
    "touch",
    "create_pod",
    "scale_up",
    ("crash_pod", "p1"),
    "create_pod",
    "touch",
    "create_pod",
    "scale_up",
    "create_pod",
)


# ---------------------------------------------------------------- a Kubernetes-shaped toy


def mini_cluster_system():  # type: ignore[no-untyped-def]
    """A ClusterState-based toy: an RS controller creates pods, a kubelet starts them, a fault deletes one.

    Not the real model (``model.system``): just enough to exercise the Kubernetes lane view and the
    serialisation of ``model`` objects (FrozenMap tables keyed by tuples, nested dataclasses, ``None``).
    """
    from dataclasses import replace as _replace

    from model.frozen import FrozenMap
    from model.labels import LabelSelector
    from model.objects import ContainerSpec, Node, OwnerReference, Pod, PodConditions, PodTemplate, ReplicaSet
    from model.state import ClusterState

    labels = FrozenMap(app="web")
    rs = ReplicaSet(
        name="web",
        uid="uid-rs",
        labels=labels,
        replicas=2,
        selector=LabelSelector(labels),
        template=PodTemplate(labels=labels, containers=(ContainerSpec("app", "nginx:1"),)),
    )
    init = ClusterState.from_objects([rs, Node(name="node-1", uid="uid-node")])

    class MiniCluster(BaseSystem[ClusterState]):
        def init_states(self) -> Sequence[ClusterState]:
            return [init]

        def actions(self, s: ClusterState) -> Sequence[Action]:
            acts = [Action("rs-controller", "rs_create_pod", fairness_key="rs")]
            acts += [Action("kubelet", "kubelet_start_pod", data=p.name) for p in s.pods.values()]
            acts += [Action("fault", "pod_crash", fair=False, data=p.name) for p in s.pods.values()]
            return acts

        def step(self, s: ClusterState, a: Action) -> ClusterState | None:
            if a.label == "rs_create_pod":
                if len(s.pods) >= rs.replicas:
                    return None
                pod = Pod(
                    name=f"web-{s.next_name}",
                    labels=labels,
                    owner_references=(OwnerReference("apps/v1", "ReplicaSet", "web", "uid-rs", controller=True),),
                    spec_containers=rs.template.containers,
                )
                pod, s = s.assign_uid(pod)
                return s.put(pod).with_counters(next_name=s.next_name + 1)
            pod = s.get("Pod", "default", a.data)
            if pod is None:
                return None
            if a.label == "kubelet_start_pod" and pod.phase == "Pending":
                return s.put(
                    _replace(pod, phase="Running", node_name="node-1", conditions=PodConditions(True, True, True, True))
                )
            if a.label == "pod_crash":
                return s.remove("Pod", "default", a.data)
            return None

    return MiniCluster()


def ready_pods(s) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for p in s.pods.values() if p.conditions.ready)
