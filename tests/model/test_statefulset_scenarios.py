"""Step-by-step StatefulSet scenarios without the full system.

A local driver (tests/model/builders_statefulset.Driver) applies the controller's writes,
a fake kubelet makes a pod Running+Ready only when the test says so, and a tiny garbage
collector removes PVCs whose owners are gone.  The assertions pin the exact order of pod
and PVC creations and deletions (docs "Deployment and Scaling Guarantees",
https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.api import Create, Delete, Update, Write
from model.objects import PVCRetentionPolicy
from model.statefulset import sync_stateful_set
from model.statefulset_utils import get_pod_revision
from tests.model.builders_statefulset import Driver, image_of, new_stateful_set, with_image


def _pod_pvc_events(writes: tuple[Write, ...] | list[Write]) -> list[str]:
    """Creations, deletions and ownerRef updates of pods and PVCs, in write order."""
    out: list[str] = []
    for w in writes:
        if isinstance(w, Create) and type(w.obj).__name__ in ("Pod", "PersistentVolumeClaim"):
            out.append(f"create {type(w.obj).__name__} {w.obj.name}")
        elif isinstance(w, Delete) and w.kind in ("Pod", "PersistentVolumeClaim"):
            out.append(f"delete {w.kind} {w.name}")
        elif isinstance(w, Update) and type(w.obj).__name__ == "PersistentVolumeClaim":
            out.append(f"own {w.obj.name} -> {','.join(r.kind + ':' + r.name for r in w.obj.owner_references)}")
    return out


class Scenario:
    """Records controller writes, kubelet actions and GC deletions as one event list."""

    def __init__(self, policy: PVCRetentionPolicy) -> None:
        self.d = Driver.of(new_stateful_set(0, name="web", policy=policy))
        self.events: list[str] = []

    def sync(self) -> list[str]:
        before = set(self.d.pvc_names())
        ev = _pod_pvc_events(self.d.sync())
        gone = sorted(before - set(self.d.pvc_names()))
        self.events += ev + [f"gc PersistentVolumeClaim {n}" for n in gone]
        return ev

    def ready(self, name: str) -> None:
        self.d.set_pod_ready(name)
        self.events.append(f"kubelet ready {name}")

    def terminate(self, name: str) -> None:
        before = set(self.d.pvc_names())
        assert self.d.finish_termination(name) == [name]
        gone = sorted(before - set(self.d.pvc_names()))
        self.events += [f"kubelet gone {name}"] + [f"gc PersistentVolumeClaim {n}" for n in gone]


@pytest.mark.parametrize(
    "policy, scale_down",
    [
        pytest.param(
            PVCRetentionPolicy(),
            [
                "delete Pod web-2", "kubelet gone web-2",
                "delete Pod web-1", "kubelet gone web-1",
            ],
            id="Retain",
        ),
        pytest.param(
            PVCRetentionPolicy(when_deleted="Retain", when_scaled="Delete"),
            [
                # B.7: the condemned pods' claims get the POD as owner before the pod goes
                "own datadir-web-2 -> Pod:web-2", "own datadir-web-1 -> Pod:web-1",
                "delete Pod web-2", "kubelet gone web-2", "gc PersistentVolumeClaim datadir-web-2",
                "delete Pod web-1", "kubelet gone web-1", "gc PersistentVolumeClaim datadir-web-1",
            ],
            id="WhenScaledDelete",
        ),
    ],
)
def test_scale_0_to_3_to_1_strictly_in_order(policy: PVCRetentionPolicy, scale_down: list[str]) -> None:
    s = Scenario(policy)
    assert s.sync() == []  # replicas 0: only the revision and the status
    s.d.user(lambda set_: replace(set_, replicas=3))
    for i in range(3):
        assert s.sync() == [f"create PersistentVolumeClaim datadir-web-{i}", f"create Pod web-{i}"]
        # while web-i is not Running+Ready nothing else happens, however often we sync
        for _ in range(3):
            assert s.sync() == []
        s.ready(f"web-{i}")
    s.sync()
    assert s.events == [
        e for i in range(3)
        for e in (f"create PersistentVolumeClaim datadir-web-{i}", f"create Pod web-{i}", f"kubelet ready web-{i}")
    ]
    assert [p.name for p in s.d.pods()] == ["web-0", "web-1", "web-2"]
    assert s.d.set.status.ready_replicas == 3

    s.events.clear()
    s.d.user(lambda set_: replace(set_, replicas=1))
    s.sync()
    assert s.sync() == []  # web-2 is terminating: wait, and never touch web-1 meanwhile
    s.terminate("web-2")
    s.sync()
    assert s.sync() == []
    s.terminate("web-1")
    assert s.sync() == []
    assert s.events == scale_down
    assert [p.name for p in s.d.pods()] == ["web-0"]
    retained = ["datadir-web-0", "datadir-web-1", "datadir-web-2"]
    assert s.d.pvc_names() == (retained if policy.when_scaled == "Retain" else ["datadir-web-0"])
    assert s.d.set.status.replicas == 1


def test_ordered_ready_stuck_behind_broken_pod_0() -> None:
    """kubernetes#67250: with OrderedReady, a pod-0 that never becomes Ready blocks pod-1
    forever, and reverting/fixing the template does not help until pod-0 is deleted by hand
    (docs "Forced rollback")."""
    d = Driver.of(new_stateful_set(3, name="web"))
    d.sync()
    d.set_pod_running("web-0")  # Running but never Ready (e.g. a failing readiness probe)
    created = lambda ws: [w.obj.name for w in ws if isinstance(w, Create)]  # noqa: E731
    for _ in range(5):
        assert created(d.sync()) == []
    assert [p.name for p in d.pods()] == ["web-0"]

    broken_revision = get_pod_revision(d.pod("web-0"))
    d.user(lambda s: with_image(s, "fixed"))
    for _ in range(5):
        writes = d.sync()
        assert not [w for w in writes if isinstance(w, Delete) and w.kind == "Pod"]
        assert "web-1" not in created(writes)
    assert d.set.status.update_revision != broken_revision
    assert get_pod_revision(d.pod("web-0")) == broken_revision  # still the broken pod

    # the manual fix: delete web-0; it comes back at the update revision and unblocks web-1
    d.apply((Delete("Pod", "default", "web-0"),))
    assert created(d.sync()) == []  # web-0 is terminating and still holds its identity
    d.finish_termination("web-0")
    assert created(d.sync()) == ["web-0"]
    assert image_of(d.pod("web-0")) == "fixed"
    d.set_pod_ready("web-0")
    assert created(d.sync()) == ["datadir-web-1", "web-1"]


def test_parallel_is_not_blocked_by_broken_pod_0() -> None:
    """Parallel pod management creates every ordinal at once (allowsBurst)."""
    d = Driver.of(new_stateful_set(3, name="web", parallel=True))
    writes = d.sync()
    assert _pod_pvc_events(writes) == [
        e for i in range(3) for e in (f"create PersistentVolumeClaim datadir-web-{i}", f"create Pod web-{i}")
    ]
    d.set_pod_running("web-0")
    assert [p.name for p in d.pods()] == ["web-0", "web-1", "web-2"]


def test_at_most_one_pod_per_identity_under_graceful_deletion() -> None:
    """A pod with a deletionTimestamp still occupies its identity: no replacement is
    created while the old object exists, whatever the phase (B.9)."""
    d = Driver.of(new_stateful_set(2, name="web", parallel=True))
    d.sync()
    for name in ("web-0", "web-1"):
        d.set_pod_ready(name)
    d.apply((Delete("Pod", "default", "web-1"),))
    d.set_pod_phase("web-1", "Failed")
    for _ in range(3):
        writes = sync_stateful_set(d.state, d.key)
        assert not [w for w in writes if isinstance(w, Create) and w.obj.name == "web-1"]
        assert not [w for w in writes if isinstance(w, Delete) and w.name == "web-1"]
        d.apply(writes)
    d.finish_termination("web-1")
    writes = d.sync()
    assert [w.obj.name for w in writes if isinstance(w, Create)] == ["web-1"]  # PVC reused, not recreated
