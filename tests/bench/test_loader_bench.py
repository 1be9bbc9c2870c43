"""bench/loader_bench.py: its inputs are what they claim to be, and its table and growth fit are right."""

from __future__ import annotations

import pytest

from bench.loader_bench import ATTACKS, attack, configmap_list, deployment_stream, growth, markdown
from model.manifests import load_text


def test_generated_inputs_load_as_described() -> None:
    lst = load_text(configmap_list(5), "l.yaml")
    assert lst.errors == () and [s.kind for s in lst.skipped] == ["ConfigMap"] * 5
    stream = load_text(deployment_stream(4), "s.yaml")
    assert stream.errors == () and [o.name for o in stream.objects] == ["web-0", "web-1", "web-2", "web-3"]


@pytest.mark.parametrize("name", [a for a in ATTACKS if a != "huge-document"])
def test_each_attack_is_one_error_with_a_line(name: str) -> None:
    errs = load_text(attack(name), "a.yaml").errors
    assert len(errs) == 1 and errs[0].line is not None, errs


def test_growth_exponent_and_table() -> None:
    rows = [{"n": n, "bytes": 1_000 * n, "seconds": 0.5 * n, "peak_rss": 10**6 * n, "baseline_rss": 10**6, "skipped": n, "objects": n}
            for n in (1, 2, 4, 8)]
    assert growth(rows) == pytest.approx(1.0)
    assert growth([{**r, "seconds": 0.5 * r["n"] ** 2} for r in rows]) == pytest.approx(2.0)
    md = markdown(rows, rows, [{"case": "merge-bomb", "bytes": 433, "seconds": 0.002, "errors": ["FILE:4: d: x"]}], "meta")
    assert "| 8 | 0.01 | 4.00 | 500.00 | 8.00 | 8 |" in md
    assert "Growth: seconds ~ bytes^1.00 (1.00 is linear)." in md
    assert "| merge-bomb | 433 | 0.002 | `FILE:4: d: x` |" in md
