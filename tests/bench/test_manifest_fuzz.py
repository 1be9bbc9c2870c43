"""The loader fuzzer (bench/manifest_fuzz.py) run briefly: a few hundred inputs with a fixed seed, every one
refused with a one-line ``FILE:LINE:`` error or accepted and settled; no hang, no crash, no error without a
line.  Seeds from ``examples/`` only (the extracted corpus is optional and git-ignored).  The long run is
``python -m bench fuzz`` (docs/fuzz.md)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.manifest_fuzz import (
    FAMILIES,
    Case,
    CliResult,
    Outcome,
    Pool,
    Tally,
    case_at,
    check_cli,
    classify,
    generate,
    load_seeds,
    markdown,
)

SEEDS = load_seeds(corpus=False)


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    with Pool(jobs=2, limit=20.0, settle_timeout=3.0) as p:
        yield p


def test_the_seeds_are_the_examples_documents() -> None:
    assert len(SEEDS) >= 10 and all(s.origin.startswith("examples/") for s in SEEDS)
    assert {s.data["kind"] for s in SEEDS} >= {"Deployment", "StatefulSet", "ReplicaSet", "Service"}


def test_an_input_is_a_function_of_the_seed_and_index_and_every_family_occurs() -> None:
    assert case_at(7, 123, SEEDS) == case_at(7, 123, SEEDS)
    assert case_at(7, 123, SEEDS) != case_at(8, 123, SEEDS)
    cases = [case_at(0, i, SEEDS) for i in range(300)]
    assert set(FAMILIES) == {c.family for c in cases}
    assert len({c.data for c in cases}) > 280


def test_three_hundred_inputs_of_the_benchmark_run_hold(pool: Pool) -> None:
    tally = Tally()
    for idx, case, out in pool.run((i, case_at(0, i, SEEDS)) for i in range(300)):
        tally.add(idx, case, out)
    assert tally.counts["hang"] == tally.counts["crash"] == tally.counts["no-line"] == 0, tally.examples
    # both outcomes are frequent: the inputs are neither all junk nor all valid
    assert tally.counts["refused"] > 60 and tally.counts["accepted"] > 30, tally.counts


@settings(max_examples=200, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rng=st.randoms(use_true_random=False), family=st.sampled_from(FAMILIES))
def test_hypothesis_driven_inputs_are_refused_in_one_line_or_accepted(pool: Pool, rng: random.Random, family: str) -> None:
    case = generate(rng, SEEDS, family)
    out = pool.run_one(case)
    assert out.outcome in ("refused", "accepted"), (case, out)


def test_the_classifier_tells_refused_accepted_and_settles(tmp_path: Path) -> None:
    web = (Path(__file__).resolve().parents[2] / "examples" / "web-deployment.yaml").read_bytes()
    ok = classify(web, str(tmp_path / "w.yaml"))
    assert ok.outcome == "accepted" and ok.detail == "settled"
    bad = classify(b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: 3}\n", str(tmp_path / "b.yaml"))
    assert bad.outcome == "refused" and bad.detail.startswith("FILE:3: metadata.name:"), bad
    assert classify(b"\xff", str(tmp_path / "x.yaml")).outcome == "refused"


def test_the_pool_kills_an_input_over_its_limit_and_goes_on() -> None:
    web = (Path(__file__).resolve().parents[2] / "examples" / "statefulset.yaml").read_bytes()
    with Pool(jobs=1, limit=0.001) as tiny:
        assert tiny.run_one(Case("mutate", "s.yaml", web)).outcome == "hang"
        tiny.limit = 20.0
        assert tiny.run_one(Case("mutate", "s.yaml", web)).outcome == "accepted"


def test_a_sample_through_the_cli_exits_2_with_one_line_per_error(pool: Pool, tmp_path: Path) -> None:
    seen: Counter[str] = Counter()
    for i in range(40):
        case = case_at(0, i, SEEDS)
        expected = pool.run_one(case)
        if seen[expected.outcome] >= (6 if expected.outcome == "refused" else 2):
            continue
        seen[expected.outcome] += 1
        (tmp_path / str(i)).mkdir()
        assert check_cli(case, expected, tmp_path / str(i)) is None, (i, case, expected)
    assert seen["refused"] == 6 and seen["accepted"] == 2, seen


def test_the_table_has_the_columns_of_the_issue() -> None:
    tally = Tally()
    tally.add(0, Case("text", "f.yaml", b""), Outcome("refused", "FILE:1: x"))
    tally.add(1, Case("deep", "f.yaml", b""), Outcome("crash", "settle: ApiError: x"))
    tally.add(2, Case("list", "f.yaml", b""), Outcome("accepted", "cut timeout=3.0s"))
    tally.seconds = 12.0
    md = markdown(tally, CliResult(checked=1, refused=1), "meta", 3)
    assert "| inputs | refused | accepted | hangs | crashes | errors without a line | time |" in md
    assert "| 3 | 1 | 1 | 0 | 1 | 0 | 12 s |" in md
    assert "Accepted inputs: 0 settled, 0 loaded no modelled object (only skipped kinds), 1 settle cut" in md
    assert "| deep | 1 | 0 | 0 | 0 | 1 | 0 |" in md
    assert "#1 (deep): settle: ApiError: x" in md
