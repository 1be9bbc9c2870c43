"""The by-creator identifier allocation (``Scenario.identifiers="by-creator"``, docs/semantics.md#runtime
section 7): its own golden counts, the same verdict per rule and target as the default allocation on
every golden scenario, footprints checked at run time, and the allocation functions themselves."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kubecheck.core.explorer import explore
from kubecheck.core.por import POR_CHECK_ENV
from model.apiserver import Reserved, apply_write, by_creator_uid
from model.api import Create, Delete
from model.errors import ModelError
from model.footprint import FOOTPRINT_CHECK_ENV, PorSystem
from model.kubelet import IP_PREFIX, per_pod_ip, per_pod_sandbox_id
from model.objects import Pod, Sandbox
from model.state import ClusterState
from model.system import KubeSystem, Scenario

from tests.model.test_golden_counts import BUILDERS, SLOW, fingerprint

import properties

BY_CREATOR = "by-creator"


def _by_creator(system: KubeSystem) -> Scenario:
    return replace(system.scenario, identifiers=BY_CREATOR)


#: (scenario, granularity) -> (states, transitions) of the by-creator allocation (no symmetry)
#: (recorded on this allocation's first version; the default allocation's states in the comment)
GOLDEN_BY_CREATOR_COUNTS: dict[tuple[str, str], tuple[int, int]] = {
    ("cascade_delete", "reconcile"): (154, 412),  # default: 154
    ("cascade_delete", "write"): (154, 412),  # default: 154
    ("crash_stale", "reconcile"): (14, 20),  # default: 14
    ("crash_stale", "write"): (31, 49),  # default: 31
    ("node_failure", "reconcile"): (1095, 2495),  # default: 1507
    ("rollout_small", "reconcile"): (256, 619),  # default: 442
    ("rollout_small", "write"): (664, 1802),  # default: 1228
    ("rs_crash", "reconcile"): (119, 265),  # default: 173
    ("rs_crash", "write"): (166, 384),  # default: 236
    ("sts_scale", "reconcile"): (29, 38),  # default: 29
    ("sts_scale", "write"): (62, 90),  # default: 62
}

FAST = sorted({(k[0], k[1]) for k in __import__("tests.model.test_golden_counts", fromlist=["GOLDEN"]).GOLDEN if k not in SLOW})


def _verdicts(system: Any) -> list[tuple[str, str]]:
    props = properties.instantiate(system.scenario.initial)
    res = explore(system, props, check_deadlock=True, progress="off")
    assert res.complete
    return [(r.property.rule_id, r.verdict.value) for r in res.results]


@pytest.mark.parametrize("name,granularity", FAST, ids=[f"{n}-{g}" for n, g in FAST])
def test_both_allocations_give_the_same_verdict_per_rule_and_target(name: str, granularity: str) -> None:
    default = BUILDERS[name](granularity)
    by_creator = KubeSystem(_by_creator(default))
    assert _verdicts(by_creator) == _verdicts(KubeSystem(default.scenario))


@pytest.mark.parametrize("name,granularity", FAST, ids=[f"{n}-{g}" for n, g in FAST])
def test_by_creator_golden_counts(name: str, granularity: str) -> None:
    states, transitions, _, _ = fingerprint(KubeSystem(_by_creator(BUILDERS[name](granularity))), False)
    assert (states, transitions) == GOLDEN_BY_CREATOR_COUNTS[(name, granularity)]
    default_states = fingerprint(BUILDERS[name](granularity), False)[0]
    assert states <= default_states  # order-independent identifiers only merge states


SMALL = [("rs_crash", "write"), ("sts_scale", "write"), ("crash_stale", "write"), ("cascade_delete", "reconcile"),
         ("rollout_small", "reconcile"), ("rollout_small", "write")]


@pytest.mark.parametrize("name,granularity", SMALL, ids=[f"{n}-{g}" for n, g in SMALL])
def test_by_creator_footprints_hold_at_run_time_and_por_keeps_the_verdicts(name: str, granularity: str, monkeypatch: Any) -> None:
    from tests.model.test_footprint import _props

    monkeypatch.setenv(FOOTPRINT_CHECK_ENV, "1")
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    scen = _by_creator(BUILDERS[name](granularity))
    full = explore(PorSystem(scen), _props(PorSystem(scen)), check_deadlock=True, progress="off")
    red = explore(PorSystem(scen), _props(PorSystem(scen)), check_deadlock=True, por=True, progress="off")
    assert full.complete and red.complete
    assert [(r.property.rule_id, r.verdict) for r in red.results] == [(r.property.rule_id, r.verdict) for r in full.results]
    assert red.stats.states <= full.stats.states


def test_symmetry_is_refused_with_by_creator_identifiers() -> None:
    system = KubeSystem(_by_creator(BUILDERS["rs_crash"]("write")))
    with pytest.raises(ModelError, match="by-creator"):
        system.canonical(system.init_states()[0])


def test_an_unknown_allocation_is_refused() -> None:
    with pytest.raises(ModelError, match="identifiers"):
        replace(BUILDERS["rs_crash"]("write").scenario, identifiers="random")


def test_a_uid_comes_from_the_name_and_skips_every_mentioned_incarnation() -> None:
    st = ClusterState()
    on = Reserved(by_creator=True)
    a = apply_write(st, Create(Pod(name="", namespace="ns"), generate_name="web-"), on)
    pod = a.get("Pod", "ns", "web-1")
    assert pod is not None and pod.uid == by_creator_uid("Pod", "ns", "web-1", 1)
    # the same creation in a state where another workload's pod exists: the same name and UID
    other = apply_write(st, Create(Pod(name="", namespace="ns"), generate_name="db-"), on)
    b = apply_write(other, Create(Pod(name="", namespace="ns"), generate_name="web-"), on)
    assert b.get("Pod", "ns", "web-1").uid == pod.uid
    # deleted, then re-created while a pending write still names the dead UID: the next incarnation
    gone = apply_write(a, Delete("Pod", "ns", "web-1"), on)
    assert gone.get("Pod", "ns", "web-1") is None
    again = apply_write(gone, Create(Pod(name="web-1", namespace="ns")), Reserved(uids=frozenset({pod.uid}), by_creator=True))
    assert again.get("Pod", "ns", "web-1").uid == by_creator_uid("Pod", "ns", "web-1", 2)
    # the default allocation is untouched
    assert apply_write(st, Create(Pod(name="", namespace="ns"), generate_name="web-")).get("Pod", "ns", "web-1").uid == "uid-1"


def test_creation_order_is_kept_per_controller_and_independent_of_other_workloads() -> None:
    from model.objects import OwnerReference

    on = Reserved(by_creator=True)
    ref = lambda n: (OwnerReference(api_version="apps/v1", kind="ReplicaSet", name=n, uid=f"rs-{n}", controller=True),)  # noqa: E731
    st = ClusterState()
    st = apply_write(st, Create(Pod(name="", namespace="ns", owner_references=ref("a")), generate_name="a-"), on)
    st = apply_write(st, Create(Pod(name="", namespace="ns", owner_references=ref("b")), generate_name="b-"), on)
    st = apply_write(st, Create(Pod(name="", namespace="ns", owner_references=ref("a")), generate_name="a-"), on)
    idx = {k[1]: p.creation_index for k, p in st.pods.items()}
    assert idx["a-1"] < idx["a-2"]
    assert idx["b-1"] == idx["a-1"]  # another controller's pods do not move a's order


def test_per_pod_ip_and_sandbox_id_differ_from_the_sandbox_they_replace() -> None:
    p = Pod(name="web-1", namespace="ns")
    assert per_pod_sandbox_id(p) == 1 and per_pod_ip(p) == f"{IP_PREFIX}ns/web-1/1"
    q = replace(p, sandbox=Sandbox(id=1, ip=per_pod_ip(p), netns="ns-1"))
    assert per_pod_sandbox_id(q) == 2
    assert per_pod_ip(q) == f"{IP_PREFIX}ns/web-1/2"
    other = Pod(name="web-2", namespace="ns")
    assert per_pod_ip(other) != per_pod_ip(p)


def test_by_creator_is_exact_only_when_no_object_can_change_family() -> None:
    from model.environment import CreatePod, DeleteObject, RelabelPods, SetImage
    from model.sequence import After
    from model.system import by_creator_is_exact

    system = BUILDERS["rollout_small"]("reconcile")
    c = system.scenario.initial
    assert by_creator_is_exact(c, [SetImage(kind="Deployment", name="web", image="nginx:2")])
    assert by_creator_is_exact(c, [DeleteObject("Deployment", "web", propagation="Foreground")])
    assert not by_creator_is_exact(c, [DeleteObject("Deployment", "web", propagation="Orphan")])
    assert not by_creator_is_exact(c, [After(inner=RelabelPods.__new__(RelabelPods))])
    assert not by_creator_is_exact(c, [CreatePod.__new__(CreatePod)])
    bare = c.put(Pod(name="bare", namespace="default", uid="bare-uid"))
    assert not by_creator_is_exact(bare, [])
