"""replica_set_test.go cases about expectations that the informer model can state (issue #20 item 2).

TestSyncReplicaSetDormancy, TestRSSyncExpectations / TestDeletionTimestamp and
TestDeleteControllerAndExpectations are in tests/model/test_informer.py.  TestOverlappingRSs is here
for the part the model has (which ReplicaSet's expectations a pod event lowers); the key it enqueues,
and TestPodControllerLookup (``getPodReplicaSets``, the label lookup of an orphan's possible
controllers, used only to enqueue) have no counterpart: the model has no work queue.
"""

from __future__ import annotations

import random
from dataclasses import replace

from model.controller_utils import UIDTrackingControllerExpectations
from model.frozen import FrozenMap
from model.informer import observe_pods
from model.objects import OwnerReference
from model.state import ClusterState
from tests.model.builders_replicaset import pod, rs


def test_overlapping_rss() -> None:
    """TestOverlappingRSs: nine ReplicaSets rs1..rs9 with one selector (all awaiting one creation),
    shuffled into the cache; a pod whose ControllerRef names rs4 (controllers[3]) is observed by
    rs4's expectations only, whatever the order."""
    labels = {"foo": "bar"}
    controllers = [rs(f"rs{j}", 1, labels, uid=f"uid-rs{j}") for j in range(1, 10)]
    owner = controllers[3]
    for seed in range(5):
        shuffled = controllers[:]
        random.Random(seed).shuffle(shuffled)
        exp = UIDTrackingControllerExpectations()
        for c in shuffled:
            exp = exp.expect_creations((c.namespace, c.name), 1)
        cache = ClusterState.from_objects(shuffled)
        p = replace(pod("pod", labels, phase="Pending"),
                    owner_references=(OwnerReference("apps/v1", "ReplicaSet", owner.name, owner.uid, controller=True),))
        after = cache.put(p)
        exp = observe_pods(exp, "ReplicaSet", after, cache.pods, after.pods)
        satisfied = [c.name for c in controllers if exp.satisfied_expectations((c.namespace, c.name))]
        assert satisfied == ["rs4"]


def test_a_controller_ref_with_another_uid_is_not_observed() -> None:
    """resolveControllerRef: the name matches but the UID is another incarnation's: nothing observed."""
    owner = rs("rs1", 1, {"foo": "bar"}, uid="uid-new")
    exp = UIDTrackingControllerExpectations().expect_creations(("default", "rs1"), 1)
    cache = ClusterState.from_objects([owner])
    p = replace(pod("pod", {"foo": "bar"}), labels=FrozenMap({"foo": "bar"}),
                owner_references=(OwnerReference("apps/v1", "ReplicaSet", "rs1", "uid-old", controller=True),))
    after = cache.put(p)
    assert not observe_pods(exp, "ReplicaSet", after, cache.pods, after.pods).satisfied_expectations(("default", "rs1"))
