"""The catalogue itself: IDs, instantiation, the independent oracles, and docs/properties.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.deployment_util import max_surge, max_unavailable
from model.objects import DeploymentStrategy
from properties import CATALOGUE, DEFAULT_RULES, RULES, instantiate, rule
from properties.__main__ import markdown
from properties._common import rolling_bounds
from tests.model.builders_runtime import deployment
from tests.properties.helpers import deployment_yaml, settled_cluster

ROOT = Path(__file__).resolve().parents[2]


def test_docs_properties_md_is_generated_from_the_catalogue() -> None:
    assert (ROOT / "docs" / "properties.md").read_text(encoding="utf-8") == markdown()


def test_the_catalogue_has_forty_one_rules_with_stable_ids() -> None:
    assert list(CATALOGUE) == [
        "KC-CONV-001", "KC-CONV-002", "KC-CONV-003", "KC-NODE-001", "KC-CONV-004",
        "KC-OWN-001", "KC-OWN-002", "KC-OWN-003", "KC-OWN-004", "KC-OWN-005",
        "KC-ROLL-001", "KC-ROLL-002", "KC-ROLL-003", "KC-ROLL-004", "KC-ROLL-005", "KC-ROLL-006",
        "KC-AVAIL-001", "KC-AVAIL-002",
        "KC-STS-001", "KC-STS-002", "KC-STS-003", "KC-STS-004", "KC-STS-005", "KC-STS-006", "KC-STS-007",
        "KC-SBX-001", "KC-SBX-002", "KC-SBX-003",
        "KC-SCHED-001", "KC-PROBE-001", "KC-NODE-002", "KC-NODE-003", "KC-GC-001",
        "KC-PDB-001", "KC-PDB-002", "KC-DRAIN-001",
        "KC-DS-001", "KC-DS-002", "KC-DS-003",
        "KC-HPA-001", "KC-HPA-002", "KC-HPA-003",
    ]
    assert all(r.counts and r.upstream for r in RULES)


def test_instantiate_gives_one_property_per_workload_with_distinct_ids() -> None:
    cluster = settled_cluster(deployment_yaml("a", service=False) + deployment_yaml("b", service=False))
    ids = [p.rule_id for p in instantiate(cluster, ["KC-CONV-002", "KC-OWN-001"])]
    assert ids == ["KC-CONV-002.default.a", "KC-CONV-002.default.b", "KC-OWN-001"]
    single = settled_cluster(deployment_yaml("a", service=False))
    assert [p.rule_id for p in instantiate(single, ["KC-CONV-002"])] == ["KC-CONV-002"]


def test_kc_roll_003_and_kc_drain_001_are_opt_in_and_the_rest_are_default() -> None:
    # KC-DRAIN-001 is brought in by the drain scenarios (ScenarioSpec.rules), not by default.
    assert [r.rule_id for r in RULES if not r.default] == ["KC-CONV-004", "KC-ROLL-003", "KC-AVAIL-002", "KC-STS-007", "KC-DRAIN-001"]
    assert DEFAULT_RULES == tuple(r for r in RULES if r.rule_id not in ("KC-CONV-004", "KC-ROLL-003", "KC-AVAIL-002", "KC-STS-007",
                                                                        "KC-DRAIN-001"))


def test_instantiate_without_rule_ids_skips_opt_in_rules_but_explicit_ids_select_them() -> None:
    cluster = settled_cluster(deployment_yaml("a", service=False))
    default_ids = {p.rule_id for p in instantiate(cluster)}
    assert "KC-ROLL-003" not in default_ids
    assert {"KC-ROLL-001", "KC-ROLL-002", "KC-CONV-002"} <= default_ids
    assert [p.rule_id for p in instantiate(cluster, ["KC-ROLL-003"])] == ["KC-ROLL-003"]


def test_a_user_rule_can_be_opt_in_and_extra_rules_are_always_added() -> None:
    @rule("ACME-001", "opt-in user rule", default=False)
    def acme(cluster) -> bool:
        return True

    @rule("ACME-002", "default user rule")
    def acme2(cluster) -> bool:
        return True

    assert acme.default is False and acme2.default is True
    cluster = settled_cluster(deployment_yaml("a", service=False))
    ids = [p.rule_id for p in instantiate(cluster, ["KC-OWN-001"], extra_rules=[acme, acme2])]
    assert ids == ["KC-OWN-001", "ACME-001", "ACME-002"]


def test_docs_mark_opt_in_rules_in_the_table_and_the_section() -> None:
    text = markdown()
    assert "| `KC-ROLL-003` | " in text and text.split("| `KC-ROLL-003` |", 1)[1].split("\n", 1)[0].endswith("| **opt-in** |")
    assert text.split("| `KC-ROLL-002` |", 1)[1].split("\n", 1)[0].endswith("| yes |")
    section = text.split("### KC-ROLL-003", 1)[1].split("### ", 1)[0]
    assert "**Opt-in:**" in section


VALUES = [0, 1, 2, 3, 5, "0%", "1%", "25%", "50%", "99%", "100%", "150%"]


@pytest.mark.parametrize("replicas", [0, 1, 2, 3, 4, 10])
@pytest.mark.parametrize("surge", VALUES)
@pytest.mark.parametrize("unavailable", VALUES)
def test_rolling_bounds_oracle_agrees_with_the_model(replicas: int, surge: object, unavailable: object) -> None:
    """The rules restate MaxSurge/MaxUnavailable independently (the mutation suite patches the model's)."""
    d = deployment(replicas=replicas, surge=surge, unavailable=unavailable)
    assert rolling_bounds(d) == (max_surge(d), max_unavailable(d))


def test_rolling_bounds_of_recreate_is_zero() -> None:
    d = deployment(replicas=3)
    from dataclasses import replace

    assert rolling_bounds(replace(d, strategy=DeploymentStrategy(type="Recreate"))) == (0, 0)
