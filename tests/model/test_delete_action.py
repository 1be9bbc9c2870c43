"""The user's delete (model.environment.DeleteObject) of controller-created objects: by name, by
label selector, graceful or forced, with each propagation policy."""

from __future__ import annotations

from model.api import Delete
from model.apiserver import apply_write
from model.environment import DeleteObject, user_action_instances
from model.frozen import FrozenMap
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, node, rs


def _settled() -> tuple[KubeSystem, SystemState]:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2))))
    s = system.init_states()[0]
    while (fair := [n for a, n in system.successors(s) if a.fair]):
        s = fair[0]
    return system, s


def test_delete_by_selector_branches_per_matching_object() -> None:
    _, s = _settled()
    pods = sorted(p.name for p in s.cluster.pods.values())
    out = user_action_instances(s.cluster, DeleteObject("Pod", "", selector=FrozenMap({"app": "web"})))
    assert [d for d, _ in out] == [f"{n}/Background" for n in pods]
    assert user_action_instances(s.cluster, DeleteObject("Pod", "", selector=FrozenMap({"app": "db"}))) == []


def test_graceful_delete_leaves_the_pod_terminating_force_removes_it() -> None:
    _, s = _settled()
    name = sorted(p.name for p in s.cluster.pods.values())[0]
    ((_, (graceful,)),) = user_action_instances(s.cluster, DeleteObject("Pod", name))
    ((detail, (force,)),) = user_action_instances(s.cluster, DeleteObject("Pod", name, grace_period_seconds=0))
    assert isinstance(force, Delete) and force.grace_period_seconds == 0 and detail == f"{name}/Background/force"
    after = apply_write(s.cluster, graceful)
    assert after.get("Pod", "default", name).deletion_timestamp is not None
    assert apply_write(s.cluster, force).get("Pod", "default", name) is None
    # a terminating object is not deleted again
    assert user_action_instances(after, DeleteObject("Pod", name)) == []


def test_orphan_delete_of_the_replicaset_keeps_its_pods_and_releases_them() -> None:
    _, s = _settled()
    rs_obj = next(iter(s.cluster.replica_sets.values()))
    ((_, writes),) = user_action_instances(s.cluster, DeleteObject("ReplicaSet", rs_obj.name, "Orphan"))
    c = s.cluster
    for w in writes:
        c = apply_write(c, w)
    # let the garbage collector run: the RS goes, the pods stay without an owner
    sys2 = KubeSystem(Scenario(c))
    t = sys2.init_states()[0]
    while (fair := [n for a, n in sys2.successors(t) if a.fair]):
        t = fair[0]
    assert not t.cluster.replica_sets
    assert len(t.cluster.pods) == 2 and all(p.controller_ref() is None for p in t.cluster.pods.values())
