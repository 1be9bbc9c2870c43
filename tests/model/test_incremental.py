"""Incremental successors (issue #17): a controller or kubelet whose read set a transition left
alone is not run again (``model.system.KubeSystem._memoised``).  ``KUBECHECK_DEBUG_INCREMENTAL=1``
re-runs every reused step and compares; these tests walk the golden scenarios in that mode, and show
that the mode does catch a wrong reuse."""

from __future__ import annotations

import pytest

from model.errors import ModelError
from model.system import KubeSystem

from tests.model.test_golden_counts import BUILDERS, GOLDEN, fingerprint

#: The golden scenarios that take a few seconds at most (both granularities).
FAST = ("rs_crash", "sts_scale", "crash_stale", "cascade_delete", "rollout_small")


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("granularity", ["write", "reconcile"])
def test_every_reused_step_equals_a_fresh_run_on_the_golden_scenarios(
    name: str, granularity: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECHECK_DEBUG_INCREMENTAL", "1")
    system = BUILDERS[name](granularity)
    assert system._debug_incremental
    assert fingerprint(system, False) == GOLDEN[(name, granularity, False)]
    hits, misses = system.memo_stats
    # the reuse is what the search mostly does (so the check above checked something)
    assert hits > misses > 0


# tier 2 (~11 s): the golden scenarios above (rollout_small among them) run in CI; this is the 3-replica rollout
@pytest.mark.tier2
def test_every_reused_step_equals_a_fresh_run_on_the_rollout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHECK_DEBUG_INCREMENTAL", "1")
    assert fingerprint(BUILDERS["rollout"]("reconcile"), False) == GOLDEN[("rollout", "reconcile", False)]


def test_the_debug_mode_catches_a_wrong_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Corrupt one recorded result: with the debug mode on the next reuse of it fails loudly; without,
    the corrupted result is what the memo returns (so the mode is what catches it)."""
    for debug in ("1", ""):
        monkeypatch.setenv("KUBECHECK_DEBUG_INCREMENTAL", debug)
        system: KubeSystem = BUILDERS["rs_crash"]("write")
        init = system.init_states()[0]
        system.successors(init)
        bogus = ("not", "what", "the", "sync", "returns")
        for shapes in system._sync_memo.values():
            for _, table, _ in shapes:
                for vals in table:
                    table[vals] = bogus
        (mk,) = [mk for mk in system._sync_memo if mk[0] == "replicaset"]
        spec = next(s for s in __import__("model.system", fromlist=["x"]).CONTROLLERS if s.name == "replicaset")
        if debug:
            with pytest.raises(ModelError, match="incremental successors: replicaset"):
                system._sync(spec, init.cluster, mk[1])
        else:
            assert system._sync(spec, init.cluster, mk[1]) == bogus


@pytest.mark.parametrize("name", ("rs_crash", "cascade_delete", "rollout_small"))
def test_the_by_family_normalisation_shortcut_equals_the_full_one(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``normalize_successor``'s by-family fast path (a step that keeps every object's key, index and
    controller) returns what ``normalize_cluster`` does: the debug mode compares them on every
    successor of the by-creator allocation, whose counts stay the golden ones."""
    from dataclasses import replace

    from tests.model.test_identifiers import GOLDEN_BY_CREATOR_COUNTS

    monkeypatch.setenv("KUBECHECK_DEBUG_INCREMENTAL", "1")
    for granularity in ("write", "reconcile"):
        system = KubeSystem(replace(BUILDERS[name](granularity).scenario, identifiers="by-creator"))
        assert system._debug_incremental and system._by_creator
        states, transitions, _, _ = fingerprint(system, False)
        assert (states, transitions) == GOLDEN_BY_CREATOR_COUNTS[(name, granularity)]


def test_the_by_family_shortcut_refuses_a_change_of_controller() -> None:
    """An adoption keeps the object's key and index but moves it to another family: the shortcut must
    not apply (the other family's ranks may no longer be dense)."""
    from model.canonical import normalize_cluster, normalize_successor
    from model.objects import OwnerReference, Pod
    from model.state import ClusterState

    a = Pod(name="a", namespace="ns", uid="u-a", creation_index=0)
    b = Pod(name="b", namespace="ns", uid="u-b", creation_index=1)
    parent = normalize_cluster(ClusterState.from_objects([a, b]), by_family=True)
    assert parent.get("Pod", "ns", "b").creation_index == 1  # one family (no controller): ranks 0, 1
    ref = OwnerReference(api_version="apps/v1", kind="ReplicaSet", name="rs", uid="u-rs", controller=True)
    moved = parent.put(replace_refs(parent.get("Pod", "ns", "b"), (ref,)))  # b alone in its new family
    out = normalize_successor(parent, moved, True)
    assert out == normalize_cluster(moved, by_family=True)
    assert out.get("Pod", "ns", "b").creation_index == 0  # re-ranked: the shortcut would have kept 1


def replace_refs(pod: object, refs: tuple[object, ...]) -> object:
    from dataclasses import replace

    return replace(pod, owner_references=refs)


def test_the_write_and_normal_form_memos_hit_and_a_wrong_entry_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memos of issue #17's branch perf4 (``KubeSystem._apply``: a write's resulting table per
    (table, write); ``_normalized``: the normal form per pre-normal cluster; ``_renumbered``: renumbered
    tables) are reused on a golden walk, whose counts and digest stay the golden ones with the debug mode
    comparing every reuse; a corrupted write entry is then returned as it is without the debug mode, and
    caught with it."""
    from model.api import UpdateStatus

    for debug in ("1", ""):
        monkeypatch.setenv("KUBECHECK_DEBUG_INCREMENTAL", debug)
        system: KubeSystem = BUILDERS["rs_crash"]("write")
        if debug:
            assert fingerprint(system, False) == GOLDEN[("rs_crash", "write", False)]
            assert system._status_memo and system._normalized  # something was memoised (and checked)
            continue
        init = system.init_states()[0]
        while not init.cluster.pods:  # the first state on the way that holds a pod
            init = system.successors(init)[0][1]
        pod = next(iter(init.cluster.pods.values()))
        write = UpdateStatus(pod)  # a status write that changes nothing: the same table back
        assert system._apply(init.cluster, write) is init.cluster
        bogus = init.cluster.pods.remove(next(iter(init.cluster.pods)))
        system._status_memo[(init.cluster.pods, write)] = bogus
        assert system._apply(init.cluster, write).pods is bogus  # the memo is what answers ...
        monkeypatch.setenv("KUBECHECK_DEBUG_INCREMENTAL", "1")
        checked: KubeSystem = BUILDERS["rs_crash"]("write")
        checked._status_memo[(init.cluster.pods, write)] = bogus
        with pytest.raises(ModelError, match="memoised write"):  # ... and the debug mode catches it
            checked._apply(init.cluster, write)
