"""ClusterState and FrozenMap: immutability, structural equality, hashing, indexes."""

from dataclasses import FrozenInstanceError, replace

import pytest

from model.frozen import FrozenMap
from model.objects import Node, OwnerReference, Pod, ReplicaSet, kind_of
from model.state import ClusterState


def _pod(name, owner_uid=None, **kw):
    refs = ()
    if owner_uid:
        refs = (OwnerReference("apps/v1", "ReplicaSet", "rs", owner_uid, controller=True),)
    return Pod(name=name, owner_references=refs, **kw)


def test_frozenmap_is_sorted_hashable_and_immutable():
    m = FrozenMap({"b": "2", "a": "1"})
    assert list(m) == ["a", "b"]
    assert m == {"a": "1", "b": "2"}
    assert hash(m) == hash(FrozenMap(a="1", b="2"))
    assert m.set("a", "1") is m  # no-op update keeps identity
    assert m.remove("zz") is m
    assert m.set("c", "3") != m
    with pytest.raises(AttributeError):
        m.foo = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        m["a"] = "x"  # type: ignore[index]


def test_objects_are_frozen_and_hashable():
    p = _pod("a")
    with pytest.raises(FrozenInstanceError):
        p.phase = "Running"  # type: ignore[misc]
    assert hash(p) == hash(_pod("a"))
    assert replace(p, phase="Running") != p
    assert kind_of(p) == "Pod"


def test_states_with_equal_content_are_equal_and_hash_alike():
    a = ClusterState.from_objects([_pod("x"), Node(name="n1")])
    b = ClusterState.from_objects([_pod("x"), Node(name="n1")])
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    c = a.put(replace(a.get("Pod", "default", "x"), phase="Running"))
    assert c != a
    assert a.get("Pod", "default", "x").phase == "Pending"  # a is untouched


def test_uids_are_assigned_in_order_and_counter_advances():
    s = ClusterState.from_objects([_pod("x"), _pod("y")])
    assert [p.uid for p in s.objects("Pod")] == ["uid-1", "uid-2"]
    assert s.next_uid == 3


def test_index_pods_by_owner_uid_and_dependents():
    rs = ReplicaSet(name="rs", uid="rs-uid")
    s = ClusterState.from_objects([rs, _pod("a", "rs-uid"), _pod("b", "rs-uid"), _pod("c")])
    assert [p.name for p in s.pods_by_owner_uid("rs-uid")] == ["a", "b"]
    assert [o.name for o in s.dependents("rs-uid")] == ["a", "b"]
    assert s.pods_by_owner_uid("nope") == ()
    assert s.by_uid("rs-uid") is rs


def test_cache_is_not_part_of_equality():
    a = ClusterState.from_objects([_pod("x")])
    b = ClusterState.from_objects([_pod("x")])
    a.pods_by_owner_uid("u")  # fills a's cache only
    assert a == b and hash(a) == hash(b)


def test_put_and_remove_round_trip():
    s = ClusterState()
    s2 = s.put(_pod("x", uid="u1"))
    assert s2.remove("Pod", "default", "x") == s
    assert s.remove("Pod", "default", "nope") is s
    assert s2.summary() == {"Pod": 1}


def test_replace_does_not_share_the_index_cache():
    # dataclasses.replace once copied the cache dict too, so the copy answered from the original's index.
    from dataclasses import replace as dc_replace

    s = ClusterState.from_objects([_pod("a", "rs-uid")])
    assert len(s.pods_by_owner_uid("rs-uid")) == 1  # fills s's cache
    t = dc_replace(s, pods=s.pods.remove(("default", "a")))
    assert t.pods_by_owner_uid("rs-uid") == ()
