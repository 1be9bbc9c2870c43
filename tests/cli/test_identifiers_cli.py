"""``kubecheck check`` allocates identifiers by creator (docs/cli.md; docs/semantics.md "Runtime
semantics" section 7) except with ``--symmetry``; the verdicts are those of the default allocation,
and ``scenario.json`` records the allocation so ``replay`` rebuilds the same system."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from .conftest import FAST, VIOLATION
from .test_check import invoke


def test_check_uses_by_creator_identifiers_except_with_symmetry() -> None:
    from kubecheck.runner import CheckConfig, check_identifiers

    cfg = CheckConfig()
    assert check_identifiers(cfg) == "by-creator"
    assert check_identifiers(replace(cfg, symmetry=True)) == "lowest-free"


def test_a_violation_found_with_by_creator_identifiers_replays(tmp_path: Path) -> None:
    args = ["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-001,KC-ROLL-004,KC-CONV-002", *FAST, "--out", "out"]
    r, work = invoke(args, tmp_path)
    assert r.exit_code == 1, r.output
    docs = list((work / "out").rglob("scenario.json"))
    assert docs
    doc = json.loads(docs[0].read_text())
    assert "by-creator" in json.dumps(doc["scenario"])
    rr, _ = invoke(["replay", str(docs[0].parent / "trace.json")], tmp_path)
    assert rr.exit_code == 0, rr.output  # it replays on the rebuilt (by-creator) system and still violates


def test_same_verdicts_with_and_without_symmetry(tmp_path: Path) -> None:
    args = ["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001,KC-SBX-002,KC-ROLL-004", *FAST, "-f", "json"]
    plain, _ = invoke(args, tmp_path)
    sym, _ = invoke(args + ["--symmetry"], tmp_path)
    assert plain.exit_code == sym.exit_code, sym.output
    va = {(f["rule_id"], f["verdict"]) for f in json.loads(plain.stdout)["findings"]}
    vb = {(f["rule_id"], f["verdict"]) for f in json.loads(sym.stdout)["findings"]}
    assert va == vb


def test_a_scenario_where_an_object_may_change_controller_keeps_the_default_allocation() -> None:
    from kubecheck.runner import _Planned, plan_searches
    from kubecheck.scenarios import builtin
    from model.manifests import load_manifests
    from model.objects import Pod

    from kubecheck.runner import property_targets
    from properties.catalogue import get_rule

    cluster = load_manifests([str(VIOLATION)]).to_state()
    spec = builtin("rollout", cluster)
    rule = get_rule("KC-CONV-002")
    planned = [_Planned(p, rule, t) for p, t in property_targets(rule, cluster)]  # pairs left for the explicit search
    searches, _ = plan_searches(spec, cluster, planned, "reconcile", decompose=False, identifiers="by-creator")
    assert {s.scenario.identifiers for s in searches} == {"by-creator"}
    bare = cluster.put(Pod(name="bare", namespace="default", uid="bare-uid"))  # an orphan a controller may adopt
    searches, _ = plan_searches(builtin("rollout", bare), bare, planned, "reconcile", decompose=False, identifiers="by-creator")
    assert {s.scenario.identifiers for s in searches} == {"lowest-free"}
