"""The catalogue itself: IDs, instantiation, the independent oracles, and docs/properties.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.deployment_util import max_surge, max_unavailable
from model.objects import DeploymentStrategy
from properties import CATALOGUE, RULES, instantiate
from properties.__main__ import markdown
from properties._common import rolling_bounds
from tests.model.builders_runtime import deployment
from tests.properties.helpers import deployment_yaml, settled_cluster

ROOT = Path(__file__).resolve().parents[2]


def test_docs_properties_md_is_generated_from_the_catalogue() -> None:
    assert (ROOT / "docs" / "properties.md").read_text(encoding="utf-8") == markdown()


def test_the_catalogue_has_nineteen_rules_with_stable_ids() -> None:
    assert list(CATALOGUE) == [
        "KC-CONV-001", "KC-CONV-002", "KC-CONV-003",
        "KC-OWN-001", "KC-OWN-002", "KC-OWN-003", "KC-OWN-004",
        "KC-ROLL-001", "KC-ROLL-002", "KC-ROLL-003", "KC-ROLL-004",
        "KC-STS-001", "KC-STS-002", "KC-STS-003", "KC-STS-004", "KC-STS-005",
        "KC-SBX-001", "KC-SBX-002", "KC-SBX-003",
    ]
    assert all(r.counts and r.upstream for r in RULES)


def test_instantiate_gives_one_property_per_workload_with_distinct_ids() -> None:
    cluster = settled_cluster(deployment_yaml("a", service=False) + deployment_yaml("b", service=False))
    ids = [p.rule_id for p in instantiate(cluster, ["KC-CONV-002", "KC-OWN-001"])]
    assert ids == ["KC-CONV-002.default.a", "KC-CONV-002.default.b", "KC-OWN-001"]
    single = settled_cluster(deployment_yaml("a", service=False))
    assert [p.rule_id for p in instantiate(single, ["KC-CONV-002"])] == ["KC-CONV-002"]


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
