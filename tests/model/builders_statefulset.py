"""Tiny builders and a local driver for the StatefulSet tests.

``new_stateful_set`` mirrors ``newStatefulSet`` of upstream
pkg/controller/statefulset/stateful_set_utils_test.go (set "foo", selector foo=bar, claim
template "datadir", pod volume "home", service "governingsvc", revisionHistoryLimit 2).

``Driver`` stands in for the full system (which another helper builds): it applies the
controller's writes to a ``ClusterState`` the way an API server would, plus a fake kubelet
(``set_pod_running``/``set_pod_ready``/``finish_termination``) and a tiny garbage collector
for PVCs whose owners are gone.  It mirrors the fakeObjectManager helpers of
stateful_set_control_test.go (setPodPending, setPodRunning, setPodReady, addTerminatingPod).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import (
    ContainerSpec,
    PersistentVolumeClaim,
    PersistentVolumeClaimTemplate,
    Pod,
    PodConditions,
    PodTemplate,
    PVCRetentionPolicy,
    StatefulSet,
    StatefulSetUpdateStrategy,
    Volume,
    kind_of,
)
from model.state import ClusterState
from model.statefulset import StatefulSetGates, sync_stateful_set
from model.statefulset_utils import (
    ascending_ordinal,
    get_ordinal,
    get_persistent_volume_claims,
    get_pod_revision,
    get_start_ordinal,
    identity_matches,
    is_running_and_ready,
    is_member_of,
    pod_in_ordinal_range,
    storage_matches,
)

SET_KEY = ("default", "foo")


def new_stateful_set(
    replicas: int,
    name: str = "foo",
    *,
    uid: str = "test",
    policy: PVCRetentionPolicy | None = None,
    parallel: bool = False,
    **kw: object,
) -> StatefulSet:
    """newStatefulSet(replicas) / newStatefulSetWithVolumes of the upstream tests."""
    template = PodTemplate(
        labels=FrozenMap(foo="bar"),
        containers=(ContainerSpec("nginx", "nginx"),),
        volumes=(Volume("home"),),
    )
    kw.setdefault("pod_management_policy", "Parallel" if parallel else "OrderedReady")
    return StatefulSet(
        name=name,
        namespace="default",
        uid=uid,
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap(foo="bar")),
        template=template,
        service_name="governingsvc",
        volume_claim_templates=(PersistentVolumeClaimTemplate(name="datadir"),),
        revision_history_limit=2,
        persistent_volume_claim_retention_policy=policy or PVCRetentionPolicy(),
        **kw,  # type: ignore[arg-type]
    )


def with_image(set_: StatefulSet, image: str) -> StatefulSet:
    c = set_.template.containers[0]
    return replace(set_, template=replace(set_.template, containers=(replace(c, image=image),)))


def with_strategy(set_: StatefulSet, **kw: object) -> StatefulSet:
    return replace(set_, update_strategy=StatefulSetUpdateStrategy(**kw))  # type: ignore[arg-type]


def image_of(pod: Pod) -> str:
    return pod.spec_containers[0].image


@dataclass
class Driver:
    """Applies writes to a state; records every write; fakes the kubelet and the PVC GC."""

    state: ClusterState
    key: tuple[str, str] = SET_KEY
    graceful: bool = True
    gates: StatefulSetGates = field(default_factory=StatefulSetGates)
    log: list[Write] = field(default_factory=list)

    @classmethod
    def of(cls, set_: StatefulSet, **kw: object) -> "Driver":
        return cls(ClusterState.from_objects([set_]), key=(set_.namespace, set_.name), **kw)  # type: ignore[arg-type]

    # ------------------------------------------------------------ reading
    @property
    def set(self) -> StatefulSet:
        s = self.state.get("StatefulSet", *self.key)
        assert s is not None
        return s

    def pods(self) -> list[Pod]:
        return ascending_ordinal(p for p in self.state.objects("Pod", self.key[0]) if is_member_of(self.set, p))

    def pod(self, name: str) -> Pod:
        p = self.state.get("Pod", self.key[0], name)
        assert p is not None, name
        return p

    def pvc_names(self) -> list[str]:
        return sorted(c.name for c in self.state.objects("PersistentVolumeClaim", self.key[0]))

    # ------------------------------------------------------------ the API server
    def apply(self, writes: tuple[Write, ...]) -> None:
        for w in writes:
            self.log.append(w)
            self.state = self._apply_one(w)
        self.gc()

    def _apply_one(self, w: Write) -> ClusterState:
        st = self.state
        if isinstance(w, Create):
            obj = w.obj
            assert st.get(kind_of(obj), obj.namespace, obj.name) is None, f"AlreadyExists {obj.name}"
            obj = replace(obj, creation_index=st.next_uid)
            obj, st = st.assign_uid(obj)
            return st.put(obj)
        if isinstance(w, Update):
            old = st.get(kind_of(w.obj), w.obj.namespace, w.obj.name)
            assert old is not None, f"NotFound {w.obj.name}"
            new = replace(w.obj, uid=old.uid, creation_index=old.creation_index)
            if isinstance(old, Pod):  # status is kept as stored
                new = replace(new, phase=old.phase, conditions=old.conditions, ready_elapsed=old.ready_elapsed,
                              deletion_timestamp=old.deletion_timestamp)
            if isinstance(old, StatefulSet):
                new = replace(new, status=old.status)
            return st.put(new)
        if isinstance(w, UpdateStatus):
            old = st.get(kind_of(w.obj), w.obj.namespace, w.obj.name)
            assert old is not None
            return st.put(replace(old, status=w.obj.status))
        assert isinstance(w, Delete)
        old = st.get(w.kind, w.namespace, w.name)
        if old is None:
            return st
        if w.kind == "Pod" and self.graceful:
            if old.deletion_timestamp is not None:
                return st
            return st.put(replace(old, deletion_timestamp=1))
        return st.remove(w.kind, w.namespace, w.name)

    def gc(self) -> None:
        """Delete PVCs whose every owner is gone (the garbage collector, background policy)."""
        changed = True
        while changed:
            changed = False
            for c in self.state.objects("PersistentVolumeClaim"):
                refs = c.owner_references
                if refs and all(self.state.by_uid(r.uid) is None for r in refs):
                    self.state = self.state.remove("PersistentVolumeClaim", c.namespace, c.name)
                    changed = True

    # ------------------------------------------------------------ controller
    def sync(self) -> tuple[Write, ...]:
        writes = sync_stateful_set(self.state, self.key, self.gates)
        self.apply(writes)
        return writes

    def user(self, fn: Callable[[StatefulSet], StatefulSet]) -> None:
        """A user edit of the set's spec (generation bump)."""
        new = fn(self.set)
        self.state = self.state.put(replace(new, generation=self.set.generation + 1))

    # ------------------------------------------------------------ kubelet
    def _put_pod(self, name: str, **kw: object) -> None:
        self.state = self.state.put(replace(self.pod(name), **kw))  # type: ignore[arg-type]

    def set_pod_pending(self, name: str) -> None:
        self._put_pod(name, phase="Pending")

    def set_pod_running(self, name: str) -> None:
        self._put_pod(name, phase="Running")

    def set_pod_ready(self, name: str) -> None:
        self._put_pod(name, phase="Running", conditions=PodConditions(True, True, True, True))

    def set_pod_phase(self, name: str, phase: str) -> None:
        self._put_pod(name, phase=phase, conditions=PodConditions())

    def add_terminating_pod(self, name: str) -> None:
        self._put_pod(name, deletion_timestamp=1)

    def finish_termination(self, name: str | None = None) -> list[str]:
        """The kubelet confirms termination: terminating pods disappear (names returned)."""
        gone = [p.name for p in self.pods() if p.deletion_timestamp is not None and name in (None, p.name)]
        for n in gone:
            self.state = self.state.remove("Pod", self.key[0], n)
        self.gc()
        return gone

    def step_kubelet(self, rng: random.Random) -> None:
        """scaleUpStatefulSetControl's "move one random pod forward in status"."""
        pods = [p for p in self.pods() if p.deletion_timestamp is None]
        if not pods:
            return
        pod = rng.choice(pods)
        if pod.phase == "Pending":
            self.set_pod_running(pod.name)
        elif pod.phase == "Running" and not pod.conditions.ready:
            self.set_pod_ready(pod.name)

    # ------------------------------------------------------------ upstream loops
    def scale_up(self, invariants: Callable[["Driver"], None], seed: int = 0, limit: int = 400) -> None:
        """scaleUpStatefulSetControl: until readyReplicas reaches spec.replicas."""
        rng = random.Random(seed)
        self.sync()
        for _ in range(limit):
            if self.set.status.ready_replicas >= self.set.replicas and self.set.status.replicas == self.set.replicas:
                assert_monotonic_invariants(self)
                return
            self.step_kubelet(rng)
            self.sync()
            invariants(self)
            self.finish_termination()
        raise AssertionError(f"scale up did not converge: {self.set.status}")

    def scale_down(self, invariants: Callable[["Driver"], None], limit: int = 200) -> None:
        """scaleDownStatefulSetControl: until status.replicas reaches spec.replicas."""
        for _ in range(limit):
            self.sync()
            invariants(self)
            if self.set.status.replicas <= self.set.replicas and len(self.pods()) <= self.set.replicas:
                return
            self.finish_termination()
        raise AssertionError(f"scale down did not converge: {self.set.status}")

    def update_complete(self) -> bool:
        """updateComplete of stateful_set_control_test.go."""
        set_, pods = self.set, self.pods()
        if len(pods) != set_.replicas or set_.status.ready_replicas != set_.replicas:
            return False
        if set_.update_strategy.type == "OnDelete":
            return True
        partition = set_.update_strategy.partition
        if partition <= 0:
            if set_.status.current_replicas < set_.replicas:
                return False
            return all(get_pod_revision(p) == set_.status.current_revision for p in pods)
        if len(pods) < partition:
            return False
        return all(get_pod_revision(p) == set_.status.update_revision for p in pods[partition:])

    def update(self, invariants: Callable[["Driver"], None], seed: int = 0, limit: int = 600) -> None:
        """updateStatefulSetControl: until updateComplete."""
        rng = random.Random(seed)
        self.sync()
        invariants(self)
        for _ in range(limit):
            if self.update_complete():
                return
            self.finish_termination()
            self.step_kubelet(rng)
            self.sync()
            invariants(self)
        raise AssertionError(f"update did not complete: {self.set.status} {[p.name for p in self.pods()]}")


def _check_claims(d: Driver, pod: Pod) -> None:
    """checkClaimInvarients (reduced): every claim exists; a pod in range never owns its claim."""
    for claim in get_persistent_volume_claims(d.set, pod).values():
        stored: PersistentVolumeClaim | None = d.state.get("PersistentVolumeClaim", claim.namespace, claim.name)
        assert stored is not None, f"claim {claim.name} of {pod.name} missing"
        if pod_in_ordinal_range(pod, d.set):
            assert all(r.kind != "Pod" or r.uid != pod.uid for r in stored.owner_references), claim.name


def assert_burst_invariants(d: Driver) -> None:
    """assertBurstInvariants: identity and storage of every pod, claims present."""
    for pod in d.pods():
        assert storage_matches(d.set, pod), pod.name
        assert identity_matches(d.set, pod), pod.name
        _check_claims(d, pod)


def assert_monotonic_invariants(d: Driver) -> None:
    """assertMonotonicInvariants: no ready successor of an unready pod, dense ordinals from start."""
    pods = d.pods()
    for idx, pod in enumerate(pods):
        if idx > 0 and is_running_and_ready(pod) and not is_running_and_ready(pods[idx - 1]):
            raise AssertionError(f"successor {pod.name} is Running and Ready while {pods[idx - 1].name} is not")
        assert get_ordinal(pod) == idx + get_start_ordinal(d.set), f"{pod.name} deployed in the wrong order"
    assert_burst_invariants(d)


def assert_update_invariants(d: Driver) -> None:
    """assertUpdateInvariants (reduced): the burst invariants hold throughout an update."""
    assert_burst_invariants(d)


def kinds(writes: list[Write] | tuple[Write, ...]) -> list[str]:
    """Short labels ``create Pod foo-0`` for asserting write order."""
    from model.api import describe_write

    return [describe_write(w) for w in writes]
