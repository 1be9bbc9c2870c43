"""Mutation test of the property catalogue: seeded controller bugs must be caught.

Each mutant (tests/mutation/mutants.py) patches one behaviour of a model controller; its
scenario (tests/mutation/scenarios.py) is explored with every catalogue rule while the patch
is active.  A mutant is *killed* when some rule is VIOLATED that the unmutated model does not
violate in the same scenario.  The kill rate must be at least 95%.
"""

from __future__ import annotations

import functools

import pytest

from kubecheck.core.verdict import Verdict
from properties import RULES
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import BASELINE_VIOLATIONS, SCENARIOS, build
from tests.properties.helpers import check

ALL_RULES = [r.rule_id for r in RULES]
#: Bounded searches are fine: a violation found within the bound is a real counterexample.
MAX_STATES = 5_000


def _violated(name: str) -> frozenset[str]:
    result = check(build(name), ALL_RULES, max_states=MAX_STATES)
    errors = [(r.property.rule_id, r.note) for r in result.results if r.verdict is Verdict.ERROR]
    assert not errors, errors
    return frozenset(r.property.rule_id.split(".")[0] for r in result.results if r.verdict is Verdict.VIOLATED)


@functools.lru_cache(maxsize=None)
def _baseline(name: str) -> frozenset[str]:
    return _violated(name)


@functools.lru_cache(maxsize=None)
def _killers(mutant_name: str) -> frozenset[str]:
    m = MUTANTS[mutant_name]
    baseline = _baseline(m.scenario)  # settles the scenario's cluster with the REAL model (cached)
    with m.patch():
        found = _violated(m.scenario)
    return found - baseline


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_baseline_scenario_violates_only_what_upstream_does(name: str) -> None:
    assert _baseline(name) == BASELINE_VIOLATIONS.get(name, frozenset())


#: The mutants with an in-process scenario; the others are measured through the CLI only
#: (bench/mutation.py, tests/mutation/test_cli_mutation.py).
SCENARIO_MUTANTS = sorted(name for name, m in MUTANTS.items() if m.scenario)


@pytest.mark.parametrize("name", SCENARIO_MUTANTS)
def test_mutant_is_killed_by_its_expected_rules(name: str) -> None:
    killers = _killers(name)
    assert set(MUTANTS[name].expected) <= killers, f"{name}: killed by {sorted(killers)}"


def test_kill_rate_at_least_95_percent(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(SCENARIO_MUTANTS) >= 20
    killed = {name: sorted(_killers(name)) for name in SCENARIO_MUTANTS}
    n = sum(1 for k in killed.values() if k)
    with capsys.disabled():
        print(f"\nmutation kill rate: {n}/{len(SCENARIO_MUTANTS)} killed")
        for name, rules in killed.items():
            print(f"  {name:45s} {', '.join(rules) or 'SURVIVED'}")
    assert n / len(SCENARIO_MUTANTS) >= 0.95


def test_mutants_restore_the_model() -> None:
    from model import controller_utils, deployment_util, statefulset

    before = (controller_utils.claim_object, deployment_util.resolve_fenceposts, statefulset._process_replica)
    for m in MUTANTS.values():
        with m.patch():
            pass
    assert (controller_utils.claim_object, deployment_util.resolve_fenceposts, statefulset._process_replica) == before
