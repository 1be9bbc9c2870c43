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


@pytest.mark.slow
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
            for _, table in shapes:
                for vals in table:
                    table[vals] = bogus
        (mk,) = [mk for mk in system._sync_memo if mk[0] == "replicaset"]
        spec = next(s for s in __import__("model.system", fromlist=["x"]).CONTROLLERS if s.name == "replicaset")
        if debug:
            with pytest.raises(ModelError, match="incremental successors: replicaset"):
                system._sync(spec, init.cluster, mk[1])
        else:
            assert system._sync(spec, init.cluster, mk[1]) == bogus
