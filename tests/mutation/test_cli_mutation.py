"""The mutation score through the CLI, CI-sized (the full matrix is ``python -m bench mutation``).

A subset of the seeded bugs of issue #23 (tests/mutation/mutants.py), each run through
``kubecheck check`` (in this process, with the patch active) on one manifest set of bench/mutation.py
with the scenario a user would pick for it; the unmutated run of the same case is the baseline.
Killed = the verdicts or the exit code differ, with a rule VIOLATED that held (or a violation gone).
Also: the selector bug is guarded by the upstream table (selector_test.go), as the issue asks, and
docs/mutation.json (the benchmark's committed result) keeps its measured kill rate.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from bench.mutation import CASES, ISSUE_LIST, compare, run_case
from tests.mutation.mutants import MUTANTS

ROOT = Path(__file__).resolve().parents[2]

#: (mutant, manifest set, scenarios, the rule that must newly be VIOLATED or, with "!", stop being violated)
SUBSET = [
    ("kubelet_ready_before_probe", "tests/mutation/manifests/cache-rs.yaml", "default", "KC-PROBE-001"),
    ("kubelet_never_restarts_crashed_containers", "tests/mutation/manifests/cache-rs.yaml", "default", "KC-AVAIL-001"),
    # ~26 s through the CLI: tier 2 (tests/mutation/test_mutation.py kills it in process in every run)
    pytest.param("scheduler_binds_to_not_ready_nodes", "tests/mutation/manifests/cache-rs.yaml", "node-failure", "KC-SCHED-001",
                 marks=pytest.mark.tier2),
    ("nodelifecycle_never_marks_pods_not_ready", "tests/mutation/manifests/cache-rs.yaml", "node-failure", "KC-NODE-002"),
    ("taint_eviction_grace_zero", "tests/mutation/manifests/cache-rs.yaml", "node-failure", "KC-NODE-003"),
    ("recreate_does_not_wait_for_old_pods", "tests/mutation/manifests/worker-recreate.yaml", "default", "KC-ROLL-005"),
    ("rollback_to_current_revision", "tests/mutation/manifests/worker-recreate.yaml", "rollback", "KC-ROLL-006"),
    ("gc_never_deletes_dependents_of_gone_owners", "tests/mutation/manifests/worker-recreate.yaml", "delete", "KC-GC-001"),
    # the drain that upstream blocks for ever (kubernetes#66811) completes: KC-DRAIN-001 no longer violated
    ("eviction_ignores_disruptions_allowed", "examples/incidents/drain-1-replica-pdb.yaml", "drain", "!KC-DRAIN-001"),
]


@functools.lru_cache(maxsize=None)
def _baseline(path: str, scenarios: str) -> str:
    return json.dumps(run_case(path, scenarios))


def _id(case: Any) -> str:
    return str(case.values[0] if hasattr(case, "values") else case[0])


def _plain(case: Any) -> tuple[str, str, str, str]:
    return tuple(case.values if hasattr(case, "values") else case)  # type: ignore[return-value]


def test_the_subset_uses_cases_of_the_benchmark() -> None:
    assert {(p, s) for _, p, s, _ in map(_plain, SUBSET)} <= set(CASES)
    assert set(ISSUE_LIST) <= set(MUTANTS)


@pytest.mark.parametrize("mutant,path,scenarios,rule", SUBSET, ids=[_id(s) for s in SUBSET])
def test_seeded_bug_is_killed_through_the_cli(mutant: str, path: str, scenarios: str, rule: str) -> None:
    base = json.loads(_baseline(path, scenarios))
    assert base["exit"] in (0, 1) and not base["stderr"]
    with MUTANTS[mutant].patch():
        mutated = run_case(path, scenarios)
    diff = compare(base, mutated)
    assert diff is not None, f"{mutant} survived on {path} -s {scenarios}"
    if rule.startswith("!"):
        assert rule[1:] in diff["fixed"], diff
    else:
        assert diff["kind"] == "violation" and rule in diff["violated"], diff
        assert rule in MUTANTS[mutant].expected


def test_selector_notin_on_an_absent_key_is_guarded_by_the_upstream_table() -> None:
    """selector_test.go TestRequirementSelectorMatching: ``x notin ("")`` matches labels without x.
    The seeded bug fails that row; the rules and the controllers share the selector code, so a table,
    not a rule, is what guards it (issue #23)."""
    from tests.model.test_labels_selector import REQUIREMENT_SELECTOR_MATCHING
    from model.labels import Selector

    def failures() -> list[int]:
        return [i for i, (labels, reqs, want) in enumerate(REQUIREMENT_SELECTOR_MATCHING)
                if Selector(tuple(reqs)).matches(labels) is not want]

    assert failures() == []
    with MUTANTS["selector_notin_absent_key"].patch():
        assert 3 in failures()


def test_the_pdb_healthy_count_survivor_is_guarded_by_the_upstream_table() -> None:
    """pdb_counts_unready_pods_healthy survives the CLI (docs/properties.md says why); the port of
    disruption_test.go TestUnavailable catches it."""
    from tests.model.test_disruption import test_unavailable

    test_unavailable()
    with MUTANTS["pdb_counts_unready_pods_healthy"].patch():
        with pytest.raises(AssertionError):
            test_unavailable()


def test_the_committed_benchmark_result_keeps_its_kill_rate() -> None:
    """docs/mutation.json is what docs/properties.md reports; it must cover every mutant, explain every
    survivor, and not fall below the measured 36 of 37 (97.3%; the issue's target is 95%).  The one
    survivor is explained in docs/properties.md; raise the floor when it is closed."""
    report = json.loads((ROOT / "docs" / "mutation.json").read_text(encoding="utf-8"))
    assert set(report["mutants"]) == set(MUTANTS)
    assert report["cases"] == [f"{p} -s {s}" for p, s in CASES]
    s = report["summary"]
    assert s["killed"] >= 36 and s["killed"] / s["mutants"] >= 0.95
    for name, m in report["mutants"].items():
        assert m["killed"] or m.get("why"), f"{name} survived without an explanation"


def test_a_violation_gone_under_other_objects_is_fixed_not_only_changed() -> None:
    # KC-DRAIN-001 names the budget its counterexample is about, and nothing when it holds: the harness keys findings
    # by (scenario, rule, objects), so the mutant's HOLDS sat under another key and the kill read as "changed" only
    base = {"exit": 1, "findings": [("drain", "KC-DRAIN-001", "PodDisruptionBudget default/api", "VIOLATED")]}
    holds = {"exit": 0, "findings": [("drain", "KC-DRAIN-001", "", "HOLDS")]}
    cut = {"exit": 3, "findings": [("drain", "KC-DRAIN-001", "", "BOUNDED")]}
    assert compare(base, holds)["fixed"] == ["KC-DRAIN-001"]  # type: ignore[index]
    assert compare(base, cut)["fixed"] == []  # type: ignore[index]
    assert compare(base, cut)["kind"] == "bound"  # type: ignore[index]
