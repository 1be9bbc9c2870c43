"""Per-rule records (issue 14): a rule carries its statement, kind, targets, SARIF location field,
start-up exemption, severity and remediation; the runner and the SARIF writer read them from the rule."""

from __future__ import annotations

import json
from pathlib import Path

import kubecheck.runner as runner
from kubecheck.core.properties import PropertyKind
from kubecheck.runner import AFTER_CONVERGENCE, CheckConfig, run_check
from model.manifests import load_manifests
from model.objects import KINDS
from properties import CATALOGUE
from properties.rules import SEVERITIES

ROOT = Path(__file__).resolve().parents[2]
VIOLATION = ROOT / "examples" / "violations" / "single-replica-api.yaml"


def test_every_catalogue_rule_has_a_complete_record() -> None:
    for rid, r in CATALOGUE.items():
        assert r.rule_id == rid and r.title and r.counts, rid
        assert isinstance(r.kind, PropertyKind), rid
        assert all(k in KINDS for k in r.applies_to), rid
        assert r.severity in SEVERITIES and r.remediation, rid
        assert r.location == "" or r.location.startswith("spec."), rid
        assert r.after_convergence == "" or r.kind in (PropertyKind.INVARIANT, PropertyKind.ACTION), rid


def test_the_start_up_exemptions_are_the_rules_own() -> None:
    assert AFTER_CONVERGENCE == {r.rule_id: r.after_convergence for r in CATALOGUE.values() if r.after_convergence}
    assert set(AFTER_CONVERGENCE) == {"KC-ROLL-001", "KC-ROLL-004"}
    assert {r for r, x in CATALOGUE.items() if x.subject is not None} == {"KC-ROLL-004", "KC-DRAIN-001"}
    assert {r for r, x in CATALOGUE.items() if x.fix is not None} == {"KC-ROLL-004", "KC-CONV-002", "KC-CONV-003", "KC-DRAIN-001"}
    assert not hasattr(runner, "RULE_FIELDS"), "the location field is the rule's, not a runner table"


USER_RULES = '''
from properties import rule

def fix(objects, keys):
    return "; ".join(f"{k[0]} {k[2]}: raise replicas from {objects[k].replicas}" for k in keys)

@rule("ACME-ZERO", "a Service with workloads has a ready pod", kind="invariant", applies_to=("Deployment",),
      location="spec.replicas", after_convergence="it protects capacity start-up has not built yet", fix=fix)
def zero(cluster, target):
    from properties.catalogue import service_down
    return not any(service_down(cluster, svc) for svc in cluster.services.values())
'''


def _run(tmp_path: Path, rules: str) -> object:
    f = tmp_path / "rules.py"
    f.write_text(rules, encoding="utf-8")
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("ACME-ZERO",), rules_files=(str(f),), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False, write_traces=False)
    return run_check(cfg, load_manifests([str(VIOLATION)]))


def test_a_user_rule_declares_its_location_field_and_its_start_up_exemption(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    report = _run(tmp_path / "a", USER_RULES)
    assert report.after_convergence == ("ACME-ZERO",) and report.startup_rules == ()  # type: ignore[attr-defined]
    found = [f for f in report.findings if f.rule_id == "ACME-ZERO"]  # type: ignore[attr-defined]
    assert found and {f.scenario for f in found} == {"pod-crash"}
    assert all(f.location is not None and f.location.field == "spec.replicas" for f in found)
    assert {f.fix for f in found} == {"Deployment api: raise replicas from 1"}  # the rule's own fix
    sarif = json.loads(runner_render(report))
    region = sarif["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    assert region.endswith(" spec.replicas")
    # the same rule without the declarations: judged on start-up (violated at the first state), located at the object
    (tmp_path / "b").mkdir()
    plain = _run(tmp_path / "b", USER_RULES.replace('location="spec.replicas", after_convergence="it protects capacity start-up has not built yet", fix=fix', ""))
    assert plain.startup_rules == ("ACME-ZERO",)  # type: ignore[attr-defined]
    assert any(f.scenario == "startup" for f in plain.findings)  # type: ignore[attr-defined]
    assert all(f.location is None or f.location.field == "" for f in plain.findings)  # type: ignore[attr-defined]
    assert all(f.fix == "" for f in plain.findings if f.rule_id == "ACME-ZERO")  # type: ignore[attr-defined]


def runner_render(report: object) -> str:
    from kubecheck.output import render

    return render(report, "sarif")  # type: ignore[arg-type]


def test_the_serving_fix_does_not_ask_for_a_max_unavailable_already_zero() -> None:
    # corpus set gke-stateful-mysql: a 3-replica router with maxUnavailable 0 whose pods no node fits (a zone affinity
    # no added node carries) lost its Service; "set maxUnavailable below 3 (now 0)" was the advice
    from model.manifests import load_text
    from model.objects import kind_of
    from properties.catalogue import serving_fix

    text = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: UNAVAIL}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""
    for unavail, want in (("0", ""), ("3", "Deployment default/web: set maxUnavailable below 3 (now 3), e.g. maxUnavailable: 0 with maxSurge: 1")):
        r = load_text(text.replace("UNAVAIL", unavail), "web.yaml")
        assert r.ok, r.errors
        objects = {(kind_of(o), o.namespace, o.name): o for o in r.objects}
        assert serving_fix(objects, [("Deployment", "default", "web")]) == want


def test_the_fault_fix_of_a_one_replica_workload_is_more_replicas_whatever_its_strategy(tmp_path: Path) -> None:
    # corpus helper, session 17 (zalando postgres-operator): a one-replica Recreate Deployment behind a Service loses
    # its only endpoint when its pod crashes; the advice was "set strategy.type: RollingUpdate ...", which a crash
    # does not care about.  A counterexample with a fault step now gets the replica advice; a rollout's trace keeps
    # the strategy advice
    from kubecheck.runner import CheckConfig, run_check
    from model.manifests import load_manifests
    from properties.catalogue import serving_fault_fix, serving_fix

    m = tmp_path / "web.yaml"
    m.write_text(_ONE_REPLICA.replace("{name: activator}", "{name: web}").replace("activator", "web")
                 + "  strategy: {type: Recreate}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                 "spec: {selector: {app: web}, ports: [{port: 80}]}\n", encoding="utf-8")
    cfg = CheckConfig(scenarios=("pod-crash", "rollout", "drain"), rule_ids=("KC-ROLL-004",), nodes=1, out_dir=str(tmp_path / "out"),
                      write_traces=False)
    fixes = {f.scenario: f.fix for f in run_check(cfg, load_manifests([str(m)])).findings if f.verdict == "violated"}
    assert fixes == {
        "pod-crash": "Deployment default/web: set replicas >= 2 (its only pod is the Service's only endpoint when it fails)",
        # a drain's eviction took the only pod: the same replica advice (review, session 17)
        "drain": "Deployment default/web: set replicas >= 2 (its only pod is the Service's only endpoint when it fails)",
        "rollout": "Deployment default/web: set strategy.type: RollingUpdate with maxSurge: 1, maxUnavailable: 0 (Recreate stops every pod first)",
    }, fixes
    # a workload of more replicas keeps the usual advice under a fault too
    from model.manifests import load_text
    from model.objects import kind_of

    r = load_text(_ONE_REPLICA.replace("spec:\n  selector", "spec:\n  replicas: 3\n  selector"), "m.yaml")
    assert r.ok and r.objects[0].replicas == 3, r.errors
    objects = {(kind_of(o), o.namespace, o.name): o for o in r.objects}
    key = [k for k in objects if k[0] == "Deployment"]
    assert serving_fault_fix(objects, key) == serving_fix(objects, key)


def _serving_fix_of(text: str, key: tuple[str, str, str]) -> str:
    from model.manifests import load_text
    from model.objects import kind_of
    from properties.catalogue import serving_fix

    r = load_text(text, "m.yaml")
    assert r.ok, r.errors
    return str(serving_fix({(kind_of(o), o.namespace, o.name): o for o in r.objects}, [key]))


_ONE_REPLICA = """apiVersion: apps/v1
kind: Deployment
metadata: {name: activator}
spec:
  selector: {matchLabels: {app: activator}}
  template:
    metadata: {labels: {app: activator}}
    spec: {containers: [{name: c, image: nginx}]}
"""


def test_the_serving_fix_of_an_autoscaled_workload_names_the_hpa_min_replicas() -> None:
    # corpus set knative-serving-core: activator has no spec.replicas and an HPA of minReplicas 1; "set replicas >= 2"
    # was the advice, which the HPA undoes (it scales to minReplicas whenever the load allows)
    hpa = """---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: activator-hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: activator}
  minReplicas: MIN
  maxReplicas: 20
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 100}}}]
"""
    key = ("Deployment", "default", "activator")
    plain = "Deployment default/activator: set replicas >= 2 (its only pod is the Service's only endpoint when it fails)"
    assert _serving_fix_of(_ONE_REPLICA, key) == plain
    assert _serving_fix_of(_ONE_REPLICA + hpa.replace("MIN", "1"), key) == (
        "Deployment default/activator: set minReplicas >= 2 on HorizontalPodAutoscaler default/activator-hpa (now 1; it sets the replicas)"
        " (its only pod is the Service's only endpoint when it fails)"
    )
    # an HPA of another workload changes nothing
    assert _serving_fix_of(_ONE_REPLICA + hpa.replace("MIN", "1").replace("name: activator}", "name: other}"), key) == plain
    # an HPA of minReplicas 3 keeps 3 pods whatever spec.replicas says (audit, session 17): no "replicas >= 2" advice,
    # and with maxSurge 0 / maxUnavailable 1 the rollout keeps 2 of the 3 (nothing to change in the strategy either)
    three = _ONE_REPLICA + hpa.replace("MIN", "3")
    assert _serving_fix_of(three, key) == ""
    assert _serving_fix_of(three.replace("spec:\n  selector", "spec:\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 3}}\n  selector"),
                           key) == "Deployment default/activator: set maxUnavailable below 3 (now 3), e.g. maxUnavailable: 0 with maxSurge: 1"


def test_the_serving_fix_of_a_recreate_deployment_spread_one_pod_per_node_keeps_maxsurge_0() -> None:
    # corpus set minio-operator: Recreate, 2 replicas, required anti-affinity on the hostname against its own pods;
    # the advice "RollingUpdate with maxSurge: 1, maxUnavailable: 0" hangs the rollout on 2 nodes (KC-CONV-002)
    text = """apiVersion: apps/v1
kind: Deployment
metadata: {name: op}
spec:
  replicas: 2
  selector: {matchLabels: {name: op}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {name: op}}
    spec:
      containers: [{name: c, image: nginx}]
      AFFINITY
"""
    anti = ("affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
            "[{labelSelector: {matchLabels: {name: op}}, topologyKey: kubernetes.io/hostname}]}}")
    key = ("Deployment", "default", "op")
    assert _serving_fix_of(text.replace("AFFINITY", anti), key).startswith(
        "Deployment default/op: set strategy.type: RollingUpdate with maxSurge: 0, maxUnavailable: 1 (Recreate stops every pod first; "
    )
    assert _serving_fix_of(text.replace("AFFINITY", ""), key) == (
        "Deployment default/op: set strategy.type: RollingUpdate with maxSurge: 1, maxUnavailable: 0 (Recreate stops every pod first)"
    )


def test_the_budget_fix_names_the_replicas_a_percentage_budget_needs_to_allow_one_eviction() -> None:
    # corpus set knative-serving-core (knative/serving#9990, knative/operator#376): activator-pdb minAvailable 80%
    # over an HPA of minReplicas 1 never allows an eviction; 80% of n rounds up (disruption.go getExpectedPodCount),
    # so one eviction needs n - ceil(0.8 n) >= 1: n >= 5
    from model.manifests import load_text
    from model.objects import kind_of
    from properties.catalogue import budget_fix

    pdb = """---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: activator-pdb}
spec:
  BUDGET
  selector: {matchLabels: {app: activator}}
"""
    hpa = """---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: activator}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: activator}
  minReplicas: 1
  maxReplicas: 20
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 100}}}]
"""

    def fix(text: str) -> str:
        r = load_text(text, "m.yaml")
        assert r.ok, r.errors
        return budget_fix({(kind_of(o), o.namespace, o.name): o for o in r.objects}, [("PodDisruptionBudget", "default", "activator-pdb")])

    assert fix(_ONE_REPLICA + pdb.replace("BUDGET", "minAvailable: 80%") + hpa) == (
        "PodDisruptionBudget default/activator-pdb: minAvailable 80% of 1 pod(s) is 1, so no eviction is ever allowed: "
        "set minReplicas >= 5 on HorizontalPodAutoscaler default/activator (80% of 5 is 4), or maxUnavailable: 1 instead"
    )
    assert fix(_ONE_REPLICA.replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector") + pdb.replace("BUDGET", "minAvailable: 50%")) == ""
    assert fix(_ONE_REPLICA + pdb.replace("BUDGET", "maxUnavailable: 0")) == (
        "PodDisruptionBudget default/activator-pdb: set maxUnavailable: 1 (now 0: no eviction is ever allowed)"
    )
    assert fix(_ONE_REPLICA + pdb.replace("BUDGET", "minAvailable: 100%")) == (
        "PodDisruptionBudget default/activator-pdb: minAvailable 100% never allows an eviction; set maxUnavailable: 1 instead"
    )
