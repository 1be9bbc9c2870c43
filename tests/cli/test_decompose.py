"""Decomposition in `kubecheck check`: groups explored apart give exactly the whole cluster's verdicts.

The differential tests run every manifest set with several workloads that is small enough for the
product, under each scenario, once with the interaction groups explored apart and once as one
product (``--no-decompose``), exhaustively (no state or time bound), and compare the verdict of
every (scenario, rule, workload).  A cluster-wide rule is judged once per group when decomposed; its
verdict on the whole cluster must be the worst of its groups' verdicts (docs/semantics.md,
"Decomposition").
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kubecheck.runner import CheckConfig, run_check
from kubecheck.core.verdict import Verdict, worst_verdict
from model.manifests import load_manifests

from .test_check import invoke

DATA = Path(__file__).parent / "data" / "decompose"

#: (manifest, scenarios): every combination whose product search finishes in a few seconds.
CASES = [
    ("two-services.yaml", ("rollout", "pod-crash", "node-failure", "force-delete", "sandbox-death", "controller-crash")),
    ("web-and-db.yaml", ("rollout", "pod-crash", "node-failure", "force-delete", "sandbox-death")),
    # ~22 s: tier 2 (CI time, session 15); the two other sets check the same product in CI
    pytest.param("api-and-worker.yaml", ("rollout", "pod-crash", "node-failure", "force-delete", "sandbox-death"), marks=pytest.mark.tier2),
]


def _check(name: str, scenarios: tuple[str, ...], decompose: bool, tmp_path: Path, **kw: object) -> object:
    load = load_manifests([str(DATA / name)])
    cfg = CheckConfig(scenarios=scenarios, max_states=None, timeout=None, write_traces=False, progress=False,
                      decompose=decompose, out_dir=str(tmp_path), **kw)  # type: ignore[arg-type]
    return run_check(cfg, load)


def _verdicts(report: object) -> tuple[dict[tuple[str, str, str], str], dict[tuple[str, str], list[str]]]:
    per_target: dict[tuple[str, str, str], str] = {}
    cluster: dict[tuple[str, str], list[str]] = {}
    for f in report.findings:  # type: ignore[attr-defined]
        if f.target and not f.target.startswith("group "):
            per_target[(f.scenario, f.rule_id, f.target)] = f.verdict
        else:
            cluster.setdefault((f.scenario, f.rule_id), []).append(f.verdict)
    return per_target, cluster


@pytest.mark.parametrize("name,scenarios", CASES, ids=[(c.values if hasattr(c, "values") else c)[0] for c in CASES])
def test_groups_apart_give_the_products_verdicts(name: str, scenarios: tuple[str, ...], tmp_path: Path) -> None:
    split = _check(name, scenarios, True, tmp_path / "split")
    whole = _check(name, scenarios, False, tmp_path / "whole")
    assert len(split.groups) == 2, split.groups  # type: ignore[attr-defined]
    assert whole.groups == ()  # type: ignore[attr-defined]
    assert all(e.complete and e.bound_hit is None for e in split.explorations + whole.explorations)  # type: ignore[attr-defined]
    s_target, s_cluster = _verdicts(split)
    w_target, w_cluster = _verdicts(whole)
    assert s_target == w_target
    assert set(s_cluster) == set(w_cluster)
    for key, verdicts in w_cluster.items():
        assert len(verdicts) == 1
        assert len(s_cluster[key]) == 2, key  # one finding per group
        assert worst_verdict([Verdict(v) for v in s_cluster[key]]).value == verdicts[0], key
    # The sets are chosen so that the comparison is not vacuous: both verdicts occur.
    everything = list(s_target.values()) + [v for vs in s_cluster.values() for v in vs]
    if name != "api-and-worker.yaml":
        assert "violated" in everything and "holds" in everything


def test_each_group_gets_its_own_finding_at_its_service(tmp_path: Path) -> None:
    # Both 1-replica Deployments lose their only ready pod to a crash: two findings, not one for the cluster.
    report = _check("two-services.yaml", ("pod-crash",), True, tmp_path)
    rows = {(f.rule_id, f.target): f.verdict for f in report.findings}  # type: ignore[attr-defined]
    assert rows[("KC-ROLL-004", "group Deployment default/a, Service default/a")] == "violated"
    assert rows[("KC-ROLL-004", "group Deployment default/b, Service default/b")] == "violated"
    roll = _check("web-and-db.yaml", ("rollout",), True, tmp_path / "r")
    rows = {(f.rule_id, f.target): f for f in roll.findings}  # type: ignore[attr-defined]
    web = rows[("KC-ROLL-004", "group Deployment default/web, Service default/web")]
    db = rows[("KC-ROLL-004", "group StatefulSet default/db, Service default/db")]
    # web (1 replica, maxUnavailable 1) loses its only ready pod in its rollout; the finding points at
    # the fix, web's spec.replicas (line 5), with the selector of the Service web (line 15) related.
    assert web.verdict == "violated" and web.location is not None
    assert (web.location.line, web.location.field) == (5, "spec.replicas")
    assert [(r.line, r.field) for r in web.related] == [(15, "spec.selector")]
    assert db.verdict == "violated"
    # Each search covers one group and rolls one workload.
    subjects = sorted(e.subject for e in roll.explorations)  # type: ignore[attr-defined]
    assert subjects == ["group Deployment default/web, Service default/web; Deployment default/web",
                        "group StatefulSet default/db, Service default/db; StatefulSet default/db"]


def test_rolling_every_workload_at_once_is_its_own_scenario(tmp_path: Path) -> None:
    one = _check("two-services.yaml", ("rollout",), False, tmp_path / "one", granularity="reconcile")
    allx = _check("two-services.yaml", ("rollout-all",), False, tmp_path / "all", granularity="reconcile")
    # rollout: a search per workload, each rolling only it; rollout-all: one search rolling both.
    assert [e.subject for e in one.explorations] == ["Deployment default/a", "Deployment default/b"]  # type: ignore[attr-defined]
    assert [e.subject for e in allx.explorations] == [""]  # type: ignore[attr-defined]
    assert len(allx.scenarios[0].user_actions) == 2  # type: ignore[attr-defined]
    split = _check("two-services.yaml", ("rollout-all",), True, tmp_path / "split", granularity="reconcile")
    assert _verdicts(split)[0] == _verdicts(allx)[0]
    # The product of two independent rollouts is far larger than the two groups together.
    assert sum(e.states for e in split.explorations) * 5 < sum(e.states for e in allx.explorations)  # type: ignore[attr-defined]


def test_a_group_over_its_capacity_share_falls_back_to_the_whole_cluster(tmp_path: Path) -> None:
    text = (DATA / "two-services.yaml").read_text(encoding="utf-8") + """---
apiVersion: v1
kind: Node
metadata: {name: small}
status: {capacity: {pods: "3"}, conditions: [{type: Ready, status: "True"}]}
"""
    f = tmp_path / "small.yaml"
    f.write_text(text, encoding="utf-8")
    load = load_manifests([str(f)])
    assert not load.errors, load.errors
    cfg = CheckConfig(scenarios=("pod-crash",), max_states=None, timeout=None, write_traces=False, progress=False,
                      out_dir=str(tmp_path / "o"))
    report = run_check(cfg, load)
    # capacity 3: shares of (3-1) x 2/4 = 1 pod per group; a crash-free settled group already holds 1 pod
    # on the single node, and its rollout or restart may need 2: the guard catches it, or the split is
    # refused up front; either way the verdicts are the product's.
    whole = run_check(replace(cfg, decompose=False), load)
    assert _verdicts(report)[0] == _verdicts(whole)[0]
    if report.groups:
        assert not any("exceeded its share" in w for w in report.warnings)
    else:
        assert [e.subject for e in report.explorations] == [""]


def test_cli_no_decompose_and_json_groups(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r, _ = invoke(["check", str(DATA / "two-services.yaml"), "-s", "pod-crash", "-f", "json", "-o", str(out), "-q"], tmp_path)
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["groups"] == [["Deployment default/a", "Service default/a"], ["Deployment default/b", "Service default/b"]]
    assert sorted(e["subject"] for e in doc["explorations"]) == ["group Deployment default/a, Service default/a",
                                                                  "group Deployment default/b, Service default/b"]
    r, _ = invoke(["check", str(DATA / "two-services.yaml"), "-s", "pod-crash", "--no-decompose", "-f", "json", "-o", str(out), "-q"],
                  tmp_path)
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["groups"] == [] and [e["subject"] for e in doc["explorations"]] == [""]


SHARED = "one-service-two-deployments.yaml"


def _without_stable_surge(tmp_path: Path) -> Path:
    """The same pair with the stable Deployment rolled like the canary: both may be down at once."""
    text = (DATA / SHARED).read_text(encoding="utf-8").replace("{maxSurge: 1, maxUnavailable: 0}", "{maxSurge: 0, maxUnavailable: 1}")
    f = tmp_path / "both-unavailable.yaml"
    f.write_text(text, encoding="utf-8")
    return f


# rollout-all: ~30-45 s (both unbounded searches): tier 2 (CI time, session 15); test_rolling_every_workload_at_once_is_its_own_scenario
# runs rollout-all split in CI, and the three other scenario lists check this split against the whole cluster
@pytest.mark.parametrize("scenarios", [pytest.param(("rollout-all",), marks=pytest.mark.tier2), ("rollout",), ("pod-crash",), ("node-failure",)])
def test_a_service_shared_by_two_groups_splits_them_when_its_anchor_keeps_an_endpoint(scenarios: tuple[str, ...], tmp_path: Path) -> None:
    """No actor reads a Service: only KC-ROLL-004 does, and a Service that keeps a serving endpoint in one
    group (its anchor) is never down.  The groups are explored apart (the anchor's search checks that
    invariant) and the verdicts are the product's."""
    split = _check(SHARED, scenarios, True, tmp_path / "split", granularity="reconcile")
    whole = _check(SHARED, scenarios, False, tmp_path / "whole", granularity="reconcile")
    assert _verdicts(split)[0] == _verdicts(whole)[0]
    s_cluster, w_cluster = _verdicts(split)[1], _verdicts(whole)[1]
    for key, verdicts in w_cluster.items():
        assert worst_verdict([Verdict(v) for v in s_cluster[key]]).value == verdicts[0], key
    if scenarios in (("rollout-all",), ("rollout",)):  # a crash or a node failure may take the stable pod: then joined
        assert split.groups == (("Deployment default/canary",), ("Deployment default/stable", "Service default/shop"))  # type: ignore[attr-defined]
        assert not split.warnings  # type: ignore[attr-defined]
    else:
        assert any("lost every serving endpoint" in w for w in split.warnings)  # type: ignore[attr-defined]
    if scenarios == ("rollout-all",):
        assert w_cluster[("rollout-all", "KC-ROLL-004")] == ["holds"]
        assert sum(e.states for e in split.explorations) * 5 < sum(e.states for e in whole.explorations)  # type: ignore[attr-defined]


def test_a_shared_service_that_its_anchor_may_leave_without_endpoints_is_explored_joined(tmp_path: Path) -> None:
    """Both Deployments may lose their pod at once: the anchor's guard fails, the check explores the
    two as one group (as without the split) and finds the outage.  Only KC-ROLL-004 is judged (the rule the
    anchor's guard is about): with every rule, both unbounded searches ran to the end (~200-400 s of CI)."""
    f = _without_stable_surge(tmp_path)
    load = load_manifests([str(f)])
    cfg = CheckConfig(scenarios=("rollout-all",), max_states=None, timeout=None, write_traces=False, progress=False,
                      out_dir=str(tmp_path / "o"), granularity="reconcile", rule_ids=("KC-ROLL-004",))
    report = run_check(cfg, load)
    whole = run_check(replace(cfg, decompose=False), load)
    assert _verdicts(report)[0] == _verdicts(whole)[0]
    assert _verdicts(whole)[1][("rollout-all", "KC-ROLL-004")] == ["violated"]
    assert [f.verdict for f in report.findings if f.rule_id == "KC-ROLL-004"] == ["violated"]  # type: ignore[attr-defined]
    assert any("lost every serving endpoint in the group explored for it" in w for w in report.warnings)  # type: ignore[attr-defined]
    assert report.groups == ()  # type: ignore[attr-defined]  # joined by the Service: one group, the whole cluster
    assert [e.subject for e in report.explorations] == [""]  # type: ignore[attr-defined]
