"""``kubecheck check --por`` end to end: the rules that declare reads run with partial-order
reduction, the others in a second search without it, and every verdict is the unreduced one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import FAST, VIOLATION
from .test_check import invoke

ARGS = ["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001,KC-SBX-002,KC-ROLL-004,KC-CONV-002", *FAST, "-f", "json"]


def test_por_flag_keeps_every_verdict_and_runs_no_second_search_over_the_same_space(tmp_path: Path) -> None:
    """KC-ROLL-004 reads anything and KC-CONV-002 is eventual: a plain search runs for them, so the
    rules POR could serve join it (a reduced search would only add work); alone, they get POR."""
    plain, _ = invoke(ARGS, tmp_path)
    por, _ = invoke(ARGS + ["--por"], tmp_path)
    assert plain.exit_code == por.exit_code, por.output
    a, b = json.loads(plain.stdout), json.loads(por.stdout)
    va = {(f["rule_id"], f["verdict"]) for f in a["findings"]}
    vb = {(f["rule_id"], f["verdict"]) for f in b["findings"]}
    assert va == vb
    assert [(e["properties"], e["reductions"]) for e in b["explorations"]] == [(4, [])]
    fb = {f["rule_id"]: f for f in b["findings"]}
    assert not fb["KC-OWN-001"]["reductions"] and not fb["KC-CONV-002"]["reductions"]
    alone, _ = invoke([*ARGS[:5], "KC-OWN-001,KC-SBX-002", *ARGS[6:], "--por"], tmp_path)
    c = json.loads(alone.stdout)
    assert [e["properties"] for e in c["explorations"] if any(r.startswith("partial-order reduction") for r in e["reductions"])] == [2]
    assert {(f["rule_id"], f["verdict"]) for f in c["findings"]} == {x for x in va if x[0] in ("KC-OWN-001", "KC-SBX-002")}
    assert {f["rule_id"]: f for f in c["findings"]}["KC-OWN-001"]["reductions"]


def test_por_text_output_names_the_reduction(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST, "--por"], tmp_path)
    assert r.exit_code == 0, r.output
    assert "reductions: partial-order reduction (exact: same verdicts as the full search; eventual rules run without it)" in r.stdout


EXAMPLES = ["replicaset.yaml", "replication-controller.yaml", "statefulset.yaml", "mixed-list.yaml", "with-configmap.yaml"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_por_gives_the_verdicts_of_the_full_search_on_the_examples(example: str, tmp_path: Path) -> None:
    """Differential: every finding (rule, target, verdict) is the same with and without --por, for
    the rules POR serves, under a scenario that exercises the kubelets and a fault."""
    from .conftest import ROOT

    args = ["check", str(ROOT / "examples" / example), "-s", "pod-crash", "-p", "KC-OWN-001,KC-SBX-002", *FAST, "-f", "json"]
    plain, _ = invoke(args, tmp_path)
    por, _ = invoke(args + ["--por"], tmp_path)
    assert plain.exit_code == por.exit_code, por.output
    key = lambda f: (f["rule_id"], f.get("target") and str(f["target"]), f["verdict"])  # noqa: E731
    assert sorted(map(key, json.loads(plain.stdout)["findings"])) == sorted(map(key, json.loads(por.stdout)["findings"]))
    assert all(f["verdict"] != "bounded" for f in json.loads(por.stdout)["findings"])


def test_por_keeps_every_verdict_on_two_deployments_behind_one_service_rolled_at_once(tmp_path: Path) -> None:
    """Differential on several workloads (issue 15): two one-replica Deployments behind one Service,
    both rolled at once (``rollout-all``), with and without --por: the same finding (rule, target,
    verdict) for every rule, every search complete, and the POR search reduced (the scheduler's
    capacity guard holds: 110 pods a node)."""
    from bench.por_bench import _deployments_yaml

    path = tmp_path / "two.yaml"
    path.write_text(_deployments_yaml(2))
    # --no-decompose: one search of the product (the shared Service no longer joins the two groups)
    args = ["check", str(path), "-s", "rollout-all", "-p", "KC-OWN-001,KC-SBX-002", "--no-decompose", *FAST, "-f", "json"]
    plain, _ = invoke(args, tmp_path)
    por, _ = invoke(args + ["--por"], tmp_path)
    assert plain.exit_code == por.exit_code, por.output
    a, b = json.loads(plain.stdout), json.loads(por.stdout)
    key = lambda f: (f["rule_id"], f.get("target") and str(f["target"]), f["verdict"])  # noqa: E731
    assert sorted(map(key, a["findings"])) == sorted(map(key, b["findings"]))
    assert all(e["complete"] for e in a["explorations"] + b["explorations"])
    reduced = [e for e in b["explorations"] if e["reductions"]]
    assert [e["properties"] for e in reduced] == [2] and not any(e["reductions"] for e in a["explorations"])
    assert reduced[0]["states"] < a["explorations"][0]["states"]
