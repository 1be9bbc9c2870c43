"""KC-ROLL-004 (zero downtime) from the count model (kubecheck/symbolic/check.py ``decide_service_findings``).

A Deployment beyond the explicit reach behind a Service: the explicit search of the group is cut, and the count
model proves that at least one of the Deployment's pods is available in every reachable state (prove.py
``one-available``), so the Service always lists a ready endpoint.  Never HOLDS from a count-model counterexample,
never asked with a fault or for a Service no proved Deployment backs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.count_scenarios import DEPLOYMENT
from kubecheck.runner import CheckConfig, run_check
from kubecheck.symbolic.prove import PROVED, VIOLATED, prove_rollout
from model.manifests import load_manifests

SERVICE = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("KUBECHECK_CACHE_DIR", str(d))
    return d


@pytest.mark.parametrize("replicas,surge,unavailable,strategy,granularity,status", [
    (4, "25%", "25%", "RollingUpdate", "write", PROVED),
    (4, "25%", "25%", "RollingUpdate", "reconcile", PROVED),
    (2, 0, 1, "RollingUpdate", "write", PROVED),  # one pod goes, the other stays available
    (1, 0, 1, "RollingUpdate", "write", VIOLATED),  # the only pod goes first
    (3, 0, 1, "Recreate", "write", VIOLATED),  # Recreate stops every pod first
])
def test_one_available_is_an_invariant_of_a_rollout_that_keeps_a_pod(replicas: int, surge: Any, unavailable: Any, strategy: str,
                                                                     granularity: str, status: str) -> None:
    res = prove_rollout(replicas, surge, unavailable, 0, 60, properties=("one-available",), granularity=granularity,
                        replay_limit=0, strategy=strategy)
    (pp,) = res.properties
    assert (pp.rule_id, pp.status) == ("KC-ROLL-004", status), pp.message
    if status == VIOLATED:
        assert pp.counterexample is not None and pp.counterexample.states[-1].available() == 0


def _report(tmp_path: Path, manifest: str, scenarios: tuple[str, ...] = ("rollout",)) -> Any:
    m = tmp_path / "web.yaml"
    m.write_text(manifest, encoding="utf-8")
    cfg = CheckConfig(scenarios=scenarios, rule_ids=("KC-ROLL-004",), max_states=300, out_dir=str(tmp_path / "out"),
                      write_traces=False, nodes=2)
    return run_check(cfg, load_manifests([str(m)]))


def _roll004(report: Any, scenario: str) -> list[tuple[str, str, str]]:
    return [(f.target, f.verdict, f.note) for f in report.findings if f.rule_id == "KC-ROLL-004" and f.scenario == scenario]


def test_a_cut_zero_downtime_search_of_a_large_deployment_is_decided_by_the_count_model(tmp_path: Path) -> None:
    # 10 replicas, maxSurge/maxUnavailable 25%: the search is cut at 300 states; at least 10 - 2 pods stay available.
    # A second Deployment with its own Service is a group apart (its small search is exhaustive: not asked)
    api = "---\n" + DEPLOYMENT.replace("name: web", "name: api").replace("app: web", "app: api").replace("replicas: 10", "replicas: 1")
    report = _report(tmp_path, DEPLOYMENT + SERVICE + api + SERVICE.replace("web", "api"))
    found = {target: (verdict, note) for target, verdict, note in _roll004(report, "rollout")}
    assert found["group Deployment default/api, Service default/api"][0] == "holds"
    assert "count model" not in found["group Deployment default/api, Service default/api"][1]
    verdict, note = found["group Deployment default/web, Service default/web"]
    assert verdict == "holds", note
    assert note.startswith("decided by the Z3 count model: Service default/web selects the pods of Deployment default/web, "
                           "at least one of them available (Ready, not terminating) in every reachable state: holds for "
                           "replicas = 10, proved by induction"), note
    assert "[explicit search: search cut by max_states=300" in note


def test_a_rollout_that_may_stop_every_pod_stays_bounded_with_the_count_models_counterexample(tmp_path: Path) -> None:
    # maxUnavailable 100%: every pod may go at once; the count model finds it, the explicit verdict (cut) stays
    manifest = DEPLOYMENT.replace("spec:\n  replicas: 10", "spec:\n  replicas: 10\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 10}}")
    report = _report(tmp_path, manifest + SERVICE)
    ((_, verdict, note),) = _roll004(report, "rollout")
    assert verdict == "holds_within_bounds", note
    assert "count model for KC-ROLL-004: Deployment default/web: the Z3 count model" in note and "counterexample" in note, note


def test_not_asked_with_a_fault_or_for_a_service_no_deployment_backs(tmp_path: Path) -> None:
    # pod-crash: the count model has no lemma for availability after a crash, so it is not asked (the search is cut)
    report = _report(tmp_path, DEPLOYMENT + SERVICE, scenarios=("pod-crash",))
    for _, verdict, note in _roll004(report, "pod-crash"):
        assert verdict != "holds" or "count model" not in note, note
    # a Service in front of a StatefulSet (no Deployment backs it): the cut search stays cut, the note says why
    sts = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet").replace("spec:\n  replicas: 10", "spec:\n  serviceName: web\n  replicas: 10")
    report = _report(tmp_path, sts + SERVICE)
    ((_, verdict, note),) = _roll004(report, "rollout")
    assert verdict == "holds_within_bounds", note
    assert note.endswith("count model for KC-ROLL-004: Service default/web selects no Deployment's pods"), note


def test_a_deployment_that_settles_short_of_its_replicas_is_not_decided_by_the_count_model(tmp_path: Path) -> None:
    # a nodeSelector no node matches: every pod stays Pending, so the settled state is not the count model's start
    # (every replica available); neither KC-ROLL-001 nor KC-ROLL-004 may be proved from that start
    manifest = DEPLOYMENT.replace("    spec:\n      containers:", "    spec:\n      nodeSelector: {disk: ssd}\n      containers:")
    assert manifest != DEPLOYMENT
    m = tmp_path / "web.yaml"
    m.write_text(manifest + SERVICE, encoding="utf-8")
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-ROLL-001", "KC-ROLL-004"), max_states=300,
                      out_dir=str(tmp_path / "out"), write_traces=False, nodes=2)
    report = run_check(cfg, load_manifests([str(m)]))
    for f in report.findings:
        assert "count-model proof" not in f.reductions, (f.rule_id, f.note)
    (f,) = [f for f in report.findings if f.rule_id == "KC-ROLL-001"]
    assert "its pods are not all available in the settled state" in f.note, f.note


@pytest.mark.parametrize("rule", ["KC-ROLL-004", "KC-ROLL-001"])
def test_a_set_image_to_a_flapping_image_is_not_in_the_count_model(tmp_path: Path, rule: str) -> None:
    # review 15, D1: ``:broken`` readiness flaps (model.kubelet._TAG_FACTS): a Ready pod may turn unready without a fault,
    # a step the count model lacks; the explicit search violates both rules at small replicas, so at 10 neither may be
    # proved (KC-ROLL-001 was, before coverage read the image a set image writes)
    probe = "        image: nginx:1.25\n        readinessProbe: {httpGet: {path: /, port: 80}}\n"
    m = tmp_path / "web.yaml"
    m.write_text(DEPLOYMENT.replace("        image: nginx:1.25\n", probe) + SERVICE, encoding="utf-8")
    s = tmp_path / "s.yaml"
    s.write_text("name: brk\nactions:\n- set-image: {kind: Deployment, name: web, image: nginx:broken}\n", encoding="utf-8")
    cfg = CheckConfig(scenarios=(), scenario_files=(str(s),), rule_ids=(rule,), max_states=300, out_dir=str(tmp_path / "out"),
                      write_traces=False, nodes=2)
    report = run_check(cfg, load_manifests([str(m)]))
    (f,) = [f for f in report.findings if f.rule_id == rule]
    assert "count-model proof" not in f.reductions and f.verdict != "holds", (f.verdict, f.note)
    assert "kubectl set image to nginx:broken, whose tag gives it image facts (readiness), is not in the count model" in f.note


def test_a_service_a_future_replicaset_may_serve_needs_a_backer_too(tmp_path: Path) -> None:
    # review 15, D2: a Service selecting a pod-template-hash is served by no workload at the start, but may be by the
    # ReplicaSet the rollout creates (model.decompose.may_select); the Deployment's proof does not cover it (its
    # template lacks the label), so the cut finding stays cut
    hashed = SERVICE.replace("name: web}", "name: canary}").replace("{app: web}", "{app: web, pod-template-hash: abc}")
    report = _report(tmp_path, DEPLOYMENT + SERVICE + hashed)
    ((_, verdict, note),) = _roll004(report, "rollout")
    assert verdict == "holds_within_bounds", note
    assert "count model for KC-ROLL-004: Service default/canary selects no Deployment's pods" in note, note


def _scenario_report(tmp_path: Path, manifest: str, scenario: str, rules: tuple[str, ...] = ("KC-ROLL-004",)) -> Any:
    m = tmp_path / "web.yaml"
    m.write_text(manifest, encoding="utf-8")
    s = tmp_path / "s.yaml"
    s.write_text(scenario, encoding="utf-8")
    cfg = CheckConfig(scenarios=(), scenario_files=(str(s),), rule_ids=rules, max_states=300, out_dir=str(tmp_path / "out"),
                      write_traces=False, nodes=2)
    return run_check(cfg, load_manifests([str(m)]))


#: a second Deployment, api (1 replica), whose pods also carry ``tier: front``; web's template gets the label too, and a
#: Service selecting ``tier: front`` joins the two workloads into one group (model.decompose)
_TIER = "      labels: {app: web}\n"
_JOINED = (DEPLOYMENT.replace(_TIER, "      labels: {app: web, tier: front}\n") + SERVICE
           + "---\n" + DEPLOYMENT.replace("name: web", "name: api").replace("app: web", "app: api").replace("replicas: 10", "replicas: 1")
           .replace("      labels: {app: api}\n", "      labels: {app: api, tier: front}\n")
           + SERVICE.replace("name: web}", "name: front}").replace("{app: web}", "{tier: front}"))


def test_a_group_with_a_service_no_proved_deployment_backs_stays_bounded(tmp_path: Path) -> None:
    # review 15, T2: web (10 replicas, proved) and a StatefulSet db in one group (db's pods require a web pod on their
    # node: inter-pod affinity joins them, model.decompose); Service db selects only the StatefulSet's pods, which the
    # count model says nothing about: the group's finding stays cut although Service web is backed
    affinity = ("    spec:\n      affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
                "          - labelSelector: {matchLabels: {app: web}}\n            topologyKey: kubernetes.io/hostname\n"
                "      containers:")
    sts = (DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet").replace("name: web", "name: db")
           .replace("spec:\n  replicas: 10", "spec:\n  serviceName: db\n  replicas: 2").replace("app: web", "app: db")
           .replace("    spec:\n      containers:", affinity))
    assert "podAffinity" in sts
    report = _report(tmp_path, DEPLOYMENT + SERVICE + "---\n" + sts + SERVICE.replace("web", "db"))
    ((target, verdict, note),) = _roll004(report, "rollout")
    assert target == "", target  # one group: the whole cluster
    assert verdict == "holds_within_bounds", note
    assert note.endswith("count model for KC-ROLL-004: Service default/db selects no Deployment's pods"), note


def test_another_workloads_action_in_the_group_keeps_the_count_model_out(tmp_path: Path) -> None:
    # review 15, T3: a kubectl scale of api, in web's group, is a step the count model of web does not have
    scenario = ("name: both\nactions:\n- set-image: {kind: Deployment, name: web, image: nginx:1.26}\n"
                "- scale: {kind: Deployment, name: api, replicas: 2}\n")
    report = _scenario_report(tmp_path, _JOINED, scenario)
    ((target, verdict, note),) = [f for f in _roll004(report, "both") if "Deployment default/web" in f[0]]
    assert verdict == "holds_within_bounds", note
    assert "user action ScaleWorkload is not in the count model" in note, note


def test_a_scale_of_the_backer_to_zero_is_not_proved(tmp_path: Path, _cache: Path) -> None:
    # review 15, T3: kubectl scale web --replicas 0 during its rollout takes every endpoint away; the count model's
    # invariant fails (a counterexample, never reported as a violation by itself) and the cut finding stays cut.
    # Only KC-ROLL-004 is judged, so only its proof is asked for (KC-ROLL-001/002's BMC with that scale runs into the
    # 60 s proof timeout: the check waited for it before)
    scenario = ("name: zero\nactions:\n- set-image: {kind: Deployment, name: web, image: nginx:1.26}\n"
                "- scale: {kind: Deployment, name: web, replicas: 0}\n")
    report = _scenario_report(tmp_path, DEPLOYMENT + SERVICE, scenario)
    ((_, verdict, note),) = _roll004(report, "zero")
    assert verdict != "holds", note
    assert "count model for KC-ROLL-004: Deployment default/web" in note and "counterexample" in note, note
    proved = json.loads((_cache / "count-proofs.json").read_text())
    assert proved and all("KC-ROLL-004" in k for k in proved), sorted(proved)


def test_a_healthy_deployment_with_min_ready_seconds_is_still_decided(tmp_path: Path) -> None:
    # review 15, T5: the count model's start guard (settled_like_count_start) must not refuse the common healthy case:
    # minReadySeconds 5, every pod available in the settled state; KC-ROLL-001 and KC-ROLL-004 both proved at 10
    manifest = DEPLOYMENT.replace("spec:\n  replicas: 10", "spec:\n  replicas: 10\n  minReadySeconds: 5")
    assert manifest != DEPLOYMENT
    report = _scenario_report(tmp_path, manifest + SERVICE,
                              "name: img\nactions:\n- set-image: {kind: Deployment, name: web, image: nginx:1.26}\n",
                              rules=("KC-ROLL-001", "KC-ROLL-004"))
    got = {f.rule_id: (f.verdict, f.note) for f in report.findings}
    assert got["KC-ROLL-001"][0] == "holds" and "Z3 count model" in got["KC-ROLL-001"][1], got["KC-ROLL-001"]
    assert got["KC-ROLL-004"][0] == "holds" and "decided by the Z3 count model" in got["KC-ROLL-004"][1], got["KC-ROLL-004"]
