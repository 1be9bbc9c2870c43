"""`kubecheck check`: exit codes for every outcome, input handling, scenarios, bounds, symmetry, user rules."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kubecheck.cli import cli
from kubecheck.runner import CheckConfig, run_check
from kubecheck.scenarios import builtin, load_scenario_file, settle
from model.manifests import load_manifests
from model.system import KubeSystem, Scenario

from .conftest import FAST, ROOT, VIOLATION, run_console

BROKEN = sorted((ROOT / "tests" / "data" / "broken").glob("*.yaml"))


def invoke(args: list[str], cwd: Path, stdin: str | None = None):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    work = Path(tempfile.mkdtemp(dir=cwd))
    with contextlib.chdir(work):
        result = runner.invoke(cli, args, input=stdin, catch_exceptions=False)
    return result, work


# ------------------------------------------------------------------------------------- exit codes


def test_exit_0_when_every_property_holds_exhaustively(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-OWN-001", r.stdout)
    assert "exhaustive" in r.stdout and "exit 0" in r.stdout


def test_exit_1_on_a_violation_with_the_real_console_script(violation_run) -> None:  # type: ignore[no-untyped-def]
    assert violation_run.code == 1, violation_run.stderr
    out = violation_run.stdout
    # KC-ROLL-004 (zero downtime) fails while KC-ROLL-001 (maxUnavailable) holds: the example's point.
    assert re.search(r"VIOLATED\s+KC-ROLL-004", out)
    assert re.search(r"HOLDS\s+KC-ROLL-001\s+Deployment default/api", out)
    assert "1. user: user_update_image_deployment" in out
    trace_dir = violation_run.cwd / "kubecheck-out" / "rollout" / "kc-roll-004"
    for name in ("trace.json", "trace.itf.json", "trace.svg", "lanes.svg", "scenario.json"):
        assert (trace_dir / name).is_file(), name
    assert violation_run.stderr == ""


def test_exit_3_when_a_bound_cuts_the_search(tmp_path: Path) -> None:
    # KC-OWN-001: a rule the count model does not decide (a cut KC-ROLL-001/002 search on a Deployment is
    # decided by the Z3 count model: tests/symbolic/test_check_count.py)
    r, _ = invoke(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-OWN-001", "--max-states", "5", *FAST], tmp_path)
    assert r.exit_code == 3, r.output
    assert re.search(r"BOUNDED\s+KC-OWN-001", r.stdout)
    assert "cut by max_states" in r.stdout


def _next_lines(out: str) -> list[str]:
    """The "next:" advice: its first line, then its indented continuation lines."""
    lines = out[out.index("\nnext: ") + 1:].splitlines()
    return [lines[0], *itertools.takewhile(lambda ln: ln.startswith("      "), lines[1:])]


def test_an_inconclusive_check_says_which_knobs_are_left(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-OWN-001", "--max-states", "5", "--nodes", "1", "-q"], tmp_path)
    assert r.exit_code == 3, r.output
    next_lines = _next_lines(r.stdout)
    assert "stopped at 5 states, max_states" in next_lines[0]
    assert [ln.split()[0] for ln in next_lines[1:]] == ["--symmetry", "--fingerprint", "--granularity", "-p"]
    # knobs already in use are not suggested again
    r, _ = invoke(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-OWN-001", "--max-states", "5", "--symmetry", "--fingerprint", *FAST], tmp_path)
    assert r.exit_code == 3, r.output
    next_lines = _next_lines(r.stdout)
    assert [ln.split()[0] for ln in next_lines[1:]] == ["-p"]
    # a conclusive check prints no advice
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", *FAST], tmp_path)
    assert r.exit_code == 0 and "next: " not in r.stdout


def test_exit_2_for_click_usage_errors(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "--no-such-option"], tmp_path)
    assert r.exit_code == 2
    r, _ = invoke(["check"], tmp_path)
    assert r.exit_code == 2
    r, _ = invoke(["check", str(VIOLATION), "--max-memory", "lots"], tmp_path)
    assert r.exit_code == 2 and "not a memory size" in r.output


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_exit_2_for_every_broken_manifest_with_file_and_line(path: Path, tmp_path: Path) -> None:
    r, _ = invoke(["check", str(path), *FAST], tmp_path)
    assert r.exit_code == 2
    assert r.stdout == "", "no partial results on stdout"
    lines = r.stderr.strip().splitlines()
    assert lines
    for line in lines:
        assert re.match(re.escape(str(path)) + r":\d+: ", line), line
    assert "Traceback" not in r.stderr


def test_exit_2_for_an_unknown_rule_and_an_unknown_scenario(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-p", "KC-NOPE-1", *FAST], tmp_path)
    assert r.exit_code == 2 and "KC-ROLL-001" in r.stderr and r.stdout == ""
    r, _ = invoke(["check", str(VIOLATION), "-s", "earthquake", *FAST], tmp_path)
    assert r.exit_code == 2 and "node-failure" in r.stderr


def test_missing_file_is_exit_2_with_its_name(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(tmp_path / "nope.yaml")], tmp_path)
    assert r.exit_code == 2
    assert "nope.yaml" in r.stderr


# --------------------------------------------------------------------------------------- input

HELM = """\
---
# Source: api/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - port: 80
---
# Source: api/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example.com/api:1
---
# an empty document, as helm leaves them
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
"""


def test_helm_template_style_stdin(tmp_path: Path) -> None:
    r = run_console(["check", "-", "-s", "pod-crash", "-p", "KC-ROLL-004", *FAST, "-f", "json"], tmp_path, stdin=HELM)
    assert r.code == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["files"] == ["<stdin>"]
    assert any("ConfigMap settings" in s for s in doc["skipped"])
    (f,) = [f for f in doc["findings"] if f["rule_id"] == "KC-ROLL-004"]
    assert f["verdict"] == "violated"
    # at the fix: the Deployment's spec.replicas (line 19 of stdin); the Service's selector is related
    assert f["location"]["file"] == "<stdin>" and f["location"]["line"] == 19 and f["location"]["field"] == "spec.replicas"
    assert [(r["line"], r["field"]) for r in f["related"]] == [(8, "spec.selector")]


def test_nodes_are_added_and_said_so(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", "--nodes", "3", "--granularity", "reconcile", "-q"], tmp_path)
    assert "added 3 identical Ready node(s) (node-1, node-2, node-3)" in r.stdout


# ------------------------------------------------------------------------------------ scenarios


def test_settle_is_deterministic_and_reports_a_bound() -> None:
    load = load_manifests([str(VIOLATION)])
    from kubecheck.scenarios import with_nodes
    from model.state import ClusterState

    objs, _ = with_nodes(tuple(load.objects), 1)
    system = KubeSystem(Scenario(initial=ClusterState.from_objects(objs)))
    s1 = settle(system, system.init_states()[0])
    s2 = settle(system, system.init_states()[0])
    assert s1.settled and s1.steps > 0 and s1.state == s2.state
    assert not system.successors(s1.state)
    cut = settle(system, system.init_states()[0], max_steps=3)
    assert not cut.settled and cut.steps == 3


def test_start_up_cut_by_the_settle_bound_is_bounded_not_a_convergence_failure(tmp_path: Path) -> None:
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002", "KC-OWN-001"), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path), settle_steps=2, progress=False)
    report = run_check(cfg, load_manifests([str(VIOLATION)]))
    assert not report.settled and report.settle_cut == "settle steps=2"
    assert [s.name for s in report.scenarios] == ["settle"]
    # no option raises the step bound: the hint must not send the user to --timeout/--max-memory
    assert "no option raises it" in report.scenarios[0].description and "--timeout" not in report.scenarios[0].description
    assert not [f for f in report.findings if f.scenario == "settle"]  # no convergence claim at all
    cut = [f for f in report.findings if f.scenario == "rollout"]
    assert {f.verdict for f in cut} == {"holds_within_bounds"} and "start-up cut by settle steps=2" in cut[0].note
    assert report.exit_code == 3


def test_builtin_scenarios_act_on_the_users_workloads() -> None:
    from model.state import ClusterState

    c = ClusterState.from_objects(load_manifests([str(VIOLATION)]).objects)
    rollout = builtin("rollout", c)
    (action, n), = rollout.user_actions
    assert (action.kind, action.name, action.image, n) == ("Deployment", "api", "example.com/api:1.4.2-next", 1)
    scale = builtin("scale", c)
    assert sorted(a.replicas for a, _ in scale.user_actions) == [0, 2]
    assert builtin("node-failure", c).faults.node_failure == 1
    assert builtin("controller-crash", c).faults.controller_crash == 1 and builtin("controller-crash", c).user_actions


def test_scenario_list_and_comma_lists(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash,sandbox-death", "-p", "KC-OWN-001", *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    assert "scenario pod-crash:" in r.stdout and "scenario sandbox-death:" in r.stdout


SCENARIO_OK = """\
name: scale-during-crash
description: scale api to 2 while a container may crash
actions:
  - scale: {kind: Deployment, name: api, replicas: 2}
faults:
  container_crash: 1
bounds:
  max_states: 20000
  max_memory: 2G
properties: [KC-OWN-001]
"""

SCENARIO_BAD = """\
name: bad
actions:
  - scale: {kind: Deployment, name: api, replicas: 2}
  - scale:
      kind: Deployment
      name: api
      replicas: -3
"""


def test_scenario_file_runs_with_its_own_bounds_and_properties(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIO_OK)
    spec = load_scenario_file(str(f))
    assert dict(spec.bounds) == {"max_states": 20000, "max_memory": 2 << 30}
    r, _ = invoke(["check", str(VIOLATION), "--scenario-file", str(f), *FAST, "-f", "json"], tmp_path)
    doc = json.loads(r.stdout)
    assert [s["name"] for s in doc["scenarios"]] == ["scale-during-crash"]
    assert {f["rule_id"] for f in doc["findings"]} == {"KC-OWN-001"}
    assert r.exit_code == 0


def test_scenario_file_error_is_one_line_with_file_line_field(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(SCENARIO_BAD)
    r, _ = invoke(["check", str(VIOLATION), "--scenario-file", str(f), *FAST], tmp_path)
    assert r.exit_code == 2 and r.stdout == ""
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"{f}:7: actions[1].scale.replicas: "), line


# ------------------------------------------------------------------------------ symmetry, rules


def test_symmetry_runs_safety_with_it_and_eventual_without(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001,KC-CONV-002", "--symmetry", *FAST, "-f", "json"], tmp_path)
    doc = json.loads(r.stdout)
    ex = {(e["symmetry"], tuple(e["reductions"]), e["properties"]) for e in doc["explorations"]}
    assert ex == {(True, ("symmetry",), 1), (False, (), 1)}
    by_rule = {f["rule_id"]: f["reductions"] for f in doc["findings"]}
    assert by_rule == {"KC-OWN-001": ["symmetry"], "KC-CONV-002": []}


RULES = '''
from properties import rule

@rule("ACME-001", "a Deployment never runs fewer than 2 replicas", applies_to=("Deployment",))
def at_least_two(cluster, target):
    d = cluster.get(*target)
    return d is None or d.replicas >= 2
'''


def test_users_rules_file(tmp_path: Path) -> None:
    f = tmp_path / "acme_rules.py"
    f.write_text(RULES)
    r, cwd = invoke(["check", str(VIOLATION), "-s", "pod-crash", "--rules", str(f), "-p", "ACME-001", *FAST], tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+ACME-001\s+Deployment default/api", r.stdout)
    assert (cwd / "kubecheck-out" / "pod-crash" / "acme-001-deployment-default-api" / "trace.json").is_file()


def test_broken_rules_file_is_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "r.py"
    f.write_text("x = 1\n\nraise RuntimeError('boom')\n")
    r, _ = invoke(["check", str(VIOLATION), "--rules", str(f), *FAST], tmp_path)
    assert r.exit_code == 2 and f"{f}:3: --rules: RuntimeError: boom" in r.stderr


def test_random_engine_gives_exit_4_sampled(tmp_path: Path) -> None:
    pytest.importorskip("kubecheck.core.random")
    r, _ = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", "--engine", "random",
                   "--examples", "5", "--max-depth", "5", *FAST], tmp_path)
    assert r.exit_code == 4, r.output
    assert re.search(r"SAMPLED\s+KC-OWN-001", r.stdout)


def test_random_engine_finds_the_violation(tmp_path: Path) -> None:
    pytest.importorskip("kubecheck.core.random")
    r, cwd = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-ROLL-004", "--engine", "random",
                     "--examples", "20", "--max-depth", "6", *FAST], tmp_path)
    assert r.exit_code == 1, r.output
    assert (cwd / "kubecheck-out" / "pod-crash" / "kc-roll-004" / "trace.json").is_file()


OVERLAP = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: frontend}
spec:
  replicas: 1
  selector: {matchLabels: {tier: frontend}}
  template:
    metadata: {labels: {tier: frontend, app: shop}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 1
  selector: {app: shop}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: c, image: nginx}]}
"""


def test_selectors_reports_overlaps_with_a_witness_and_location(tmp_path: Path) -> None:
    f = tmp_path / "overlap.yaml"
    f.write_text(OVERLAP)
    r, _ = invoke(["selectors", str(f)], tmp_path)
    assert r.exit_code == 1, r.output
    line = r.stdout.strip().splitlines()[0]
    assert line.startswith(f"{f}:1: ") or line.startswith(f"{f}:12: "), line
    assert "ReplicaSet default/frontend" in line and "ReplicationController default/legacy" in line
    assert "app=shop" in line and "tier=frontend" in line  # the witness pod labels
    r, _ = invoke(["selectors", str(VIOLATION)], tmp_path)
    assert r.exit_code == 0 and "no overlapping selectors" in r.stdout


def test_prove_rollout_and_deployment(tmp_path: Path) -> None:
    r, _ = invoke(["prove", "rollout", "--replicas", "1..500", "--max-surge", "percent", "--max-unavailable", "percent"], tmp_path)
    assert r.exit_code == 0, r.output
    assert "PROVED" in r.stdout and "KC-ROLL-001" in r.stdout and "KC-ROLL-002" in r.stdout
    # one involuntary disruption: Z3 finds a concrete counterexample and it replays in the object model
    web = Path(__file__).resolve().parents[2] / "examples" / "web-deployment.yaml"  # 3 replicas, surge 1, unavailable 0
    r, _ = invoke(["prove", "deployment", str(web)], tmp_path)
    assert r.exit_code == 0 and "Deployment default/web: PROVED" in r.stdout, r.output
    r, _ = invoke(["prove", "deployment", str(web), "--disruptions", "1"], tmp_path)
    assert r.exit_code == 1, r.output
    assert "VIOLATED" in r.stdout and "replicas=3 maxSurge=1 maxUnavailable=0" in r.stdout
    assert "object-model replay: reproduced" in r.stdout
    r, _ = invoke(["prove", "rollout", "--replicas", "10..1"], tmp_path)
    assert r.exit_code == 2
    r, _ = invoke(["prove", "deployment"], tmp_path)
    assert r.exit_code == 2 and "needs manifest files" in r.stderr


def test_explain(tmp_path: Path) -> None:
    r, _ = invoke(["explain", "KC-ROLL-004"], tmp_path)
    assert r.exit_code == 0
    assert "Zero downtime" in r.stdout and "kind:     invariant" in r.stdout and "upstream:" in r.stdout and "counts:" in r.stdout
    r, _ = invoke(["explain", "KC-NOPE"], tmp_path)
    assert r.exit_code == 2 and "KC-ROLL-001" in r.stderr


def test_help_documents_exit_codes(tmp_path: Path) -> None:
    r, _ = invoke(["check", "--help"], tmp_path)
    assert r.exit_code == 0
    for code in ("0  every property holds", "1  a property is violated", "2  bad usage", "3  inconclusive", "4  sampled"):
        assert code in r.stdout


def test_opt_in_rules_run_only_when_named(tmp_path: Path) -> None:
    # KC-ROLL-003 (live pods incl. terminating within surge) is stricter than upstream and fails on
    # healthy Deployments, so the default catalogue leaves it out; naming it selects it.
    r, _ = invoke(["check", str(VIOLATION), "-s", "rollout", *FAST], tmp_path)
    assert "KC-ROLL-003" not in r.stdout and "KC-ROLL-004" in r.stdout
    # KC-ROLL-003 is a warning (issue 18): VIOLATED, and failing the run from --fail-on warning on.
    r, _ = invoke(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-003", *FAST, "--fail-on", "warning"], tmp_path)
    assert r.exit_code == 1 and re.search(r"VIOLATED\s+KC-ROLL-003", r.stdout), r.output
    r, _ = invoke(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-003", *FAST], tmp_path)
    assert r.exit_code == 0 and re.search(r"VIOLATED\s+KC-ROLL-003\s.*\[warning\]", r.stdout), r.output


def test_ignored_verdict_relevant_fields_are_listed_once_per_run(tmp_path: Path) -> None:
    """issue 18 item 6: a preferred podAntiAffinity (not modelled) is one warning line for two scenarios; a
    modelled placement field (nodeSelector) is not listed."""
    manifest = tmp_path / "zk.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: zk}\nspec:\n  selector: {matchLabels: {app: zk}}\n"
        "  template:\n    metadata: {labels: {app: zk}}\n    spec:\n      nodeSelector: {kubernetes.io/os: linux}\n"
        "      affinity:\n        podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: zone}}]}\n"
        "      containers: [{name: zk, image: zookeeper}]\n"
    )
    r, _ = invoke(["check", str(manifest), "-s", "pod-crash,scale", "-p", "KC-CONV-003", "--nodes", "1",
                   "--granularity", "reconcile", "-f", "json", "-o", "out.json"], tmp_path)
    assert r.stdout.count("ignored: preferred podAntiAffinity on statefulset/zk") == 1, r.stdout
    assert f"warning: ignored: preferred podAntiAffinity on statefulset/zk ({manifest}:11)" in r.stdout
    assert "nodeSelector" not in r.stdout


def test_ignored_field_warnings_are_located_in_sarif(tmp_path: Path) -> None:
    from kubecheck.output import render

    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
        "      containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]\n"
    )
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-CONV-002",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(manifest)]))
    line = f"ignored: resources on deployment/web ({manifest}:9)"
    assert report.warnings == (line,)
    notes = json.loads(render(report, "sarif"))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    located = [n for n in notes if n["message"]["text"] == line]
    assert located and located[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 9


def test_an_object_a_pod_needs_that_no_manifest_declares_is_a_located_warning(tmp_path: Path) -> None:
    # model.references: the model assumes the Secret exists (its pods start); upstream they wait in
    # CreateContainerConfigError, so the run says so, at the field that names it; a key the declared ConfigMap
    # lacks is named too, and a declared object with the key is not
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n"
        "        env:\n        - {name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}\n"
        "        - {name: M, valueFrom: {configMapKeyRef: {name: conf, key: mode}}}\n"
        "        - {name: L, valueFrom: {configMapKeyRef: {name: conf, key: level}}}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata: {level: debug}\n"
    )
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-CONV-002",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(manifest)]))
    effect = "its containers wait in CreateContainerConfigError (the kubelet cannot build their environment)"
    assert report.warnings == (
        f"{manifest}:13: Secret default/db (needed by Deployment web) is in no manifest: kubecheck assumes it exists; "
        f"without it {effect}. Ignore this if it is made another way (kubectl, a Job, an operator, a generator)",
        f"{manifest}:14: key mode is not in ConfigMap default/conf as the manifests declare it (read by Deployment web): "
        f"kubecheck assumes the key is there (the check runs its pods as if it were); without it {effect}",
    )


def test_an_object_declared_in_another_namespace_than_the_pods_written_one_is_no_namespace_advice(tmp_path: Path) -> None:
    # audit, session 17 (minio-operator): the Deployment writes namespace app, its ServiceAccount namespace default;
    # the warning said "objects without metadata.namespace are read into namespace app; check with --namespace
    # default", which is false (both namespaces are written) and that run exits 2
    sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: default}\n---\n"
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: app}\nspec:\n  selector: {matchLabels: {app: a}}\n"
              "  template:\n    metadata: {labels: {app: a}}\n    spec:\n      serviceAccountName: app\n      containers: [{name: c, image: nginx}]\n")
    manifest = tmp_path / "app.yaml"
    manifest.write_text(sa + deploy)
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-CONV-002",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    (w,) = run_check(cfg, load_manifests([str(manifest)])).warnings
    assert w == (f"{manifest}:13: ServiceAccount app/app (needed by Deployment app) is in no manifest: ServiceAccount app is declared "
                 "in namespace default, not app, and a pod reads it from its own namespace; kubecheck assumes it exists; without it "
                 "the API server refuses its pods (ServiceAccount admission), so none is created"), w
    # without metadata.namespace on the Deployment, read into --namespace's: that advice stays
    manifest.write_text(sa.replace("namespace: default", "namespace: app") + deploy.replace("{name: app, namespace: app}", "{name: app}"))
    (w,) = run_check(cfg, load_manifests([str(manifest)])).warnings
    assert "objects without metadata.namespace are read into namespace default; check with --namespace app" in w, w


@pytest.mark.parametrize("limit", [0, 1])
def test_undo_with_no_revision_history_is_a_warning(tmp_path: Path, limit: int) -> None:
    # audit, session 17: with revisionHistoryLimit 0 cleanupDeployment deletes the old ReplicaSet once the rollout is
    # done, and kubectl rollout undo then finds no revision; -s rollback said KC-ROLL-006 HOLDS with no word of it
    m = tmp_path / "web.yaml"
    m.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                 f"  revisionHistoryLimit: {limit}\n  selector: {{matchLabels: {{app: web}}}}\n"
                 "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n")
    cfg = CheckConfig(scenarios=("rollback",), rule_ids=("KC-ROLL-006",), nodes=1, out_dir=str(tmp_path / "out"), progress=False,
                      write_traces=False)
    warnings = [w for w in run_check(cfg, load_manifests([str(m)])).warnings if "revisionHistoryLimit" in w]
    assert warnings == ([f"{m}:1: Deployment default/web has revisionHistoryLimit 0: once a rollout is done its old ReplicaSet "
                         "is deleted and kubectl rollout undo finds no revision to go back to (refused); the check judges the "
                         "undos that are accepted, during a rollout; keep revisionHistoryLimit >= 1 to be able to undo a "
                         "finished one"] if limit == 0 else []), warnings
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-ROLL-001",), nodes=1, out_dir=str(tmp_path / "o2"), progress=False,
                      write_traces=False)
    assert not [w for w in run_check(cfg, load_manifests([str(m)])).warnings if "revisionHistoryLimit" in w]  # no undo: no word


def test_namespace_option_reads_the_manifests_as_kubectl_apply_n_does(tmp_path: Path) -> None:
    # a Service written with `namespace: shop` and a Deployment without one: read apart (default and shop), the
    # Service selects no pods (a warning); with -n shop they meet. A Deployment naming another namespace is the
    # one-line error kubectl apply -n gives, exit 2; a malformed namespace too
    manifest = tmp_path / "shop.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n"
        "  ports: [{port: 80}]\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n"
    )
    args = ["check", str(manifest), "-s", "pod-crash", "-p", "KC-ROLL-004", "--nodes", "1", "--granularity", "reconcile", "-q"]
    r, _ = invoke(args, tmp_path)
    assert "Service shop/web: selector app=web matches no workload's pods" in r.stdout, r.stdout
    r, _ = invoke(args + ["-n", "shop"], tmp_path)
    assert r.exit_code in (0, 1) and "matches no workload's pods" not in r.stdout, r.stdout
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout) and "nothing to judge" not in r.stdout, r.stdout
    r, _ = invoke(args + ["--namespace", "web"], tmp_path)
    assert r.exit_code == 2
    assert r.output.strip() == (f'{manifest}:3: metadata.namespace: the namespace from the provided object "shop" does not match the '
                                'namespace "web" given with --namespace (kubectl apply refuses it; pass --namespace=shop or '
                                "remove metadata.namespace)")
    r, _ = invoke(args + ["-n", "Shop"], tmp_path)
    assert r.exit_code == 2 and r.output.startswith("kubecheck: --namespace: 'Shop': a lowercase RFC 1123 label"), r.output


def test_namespace_option_is_the_namespace_of_a_scenario_files_actions_conditions_expectations_and_files(tmp_path: Path) -> None:
    # kubectl -n shop scale / apply -f: an action, a when: condition and an expect: goal naming no namespace act in
    # shop, and an applied file's objects without one go there; without -n the same file names default/web, which
    # the manifests (read into shop by -n only) do not have
    manifest = tmp_path / "web.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n"
    )
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: extra}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: extra}}\n"
        "  template:\n    metadata: {labels: {app: extra}}\n    spec:\n      containers: [{name: c, image: nginx}]\n"
    )
    scen = tmp_path / "s.yaml"
    scen.write_text(
        "name: s\nproperties: []\nactions:\n- scale: {kind: Deployment, name: web, replicas: 2}\n  step: up\n"
        "- apply: extra.yaml\n  when: {rollout-complete: {name: web}}\n  step: add\n"
        "expect:\n- after: add\n  eventually: {rollout-complete: {kind: Deployment, name: extra}}\n  id: EXTRA-ROLLS-OUT\n"
    )
    base = ["check", str(manifest), "--scenario-file", str(scen), "--nodes", "1", "--granularity", "reconcile", "--format", "json", "-q"]
    r, _ = invoke(base + ["-n", "shop"], tmp_path)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    (found,) = [f for f in doc["findings"] if f["rule_id"] == "EXTRA-ROLLS-OUT"]
    assert found["verdict"] == "holds" and "exhaustive" in found["note"], found
    # an image that never pulls breaks the promise; its trace replays, the scenario file read back in shop
    scen.write_text(scen.read_text() + 'images: {"nginx:broken": {pull: fails}}\n')
    extra.write_text(extra.read_text().replace("image: nginx}", "image: \"nginx:broken\"}"))
    r, _ = invoke(base + ["-n", "shop", "--out", str(tmp_path / "out")], tmp_path)
    assert r.exit_code == 1, r.output
    (found,) = [f for f in json.loads(r.stdout)["findings"] if f["rule_id"] == "EXTRA-ROLLS-OUT"]
    assert found["verdict"] == "violated" and found["trace"], found
    tdir = Path(found["trace"]["dir"]) if isinstance(found["trace"], dict) else Path(found["trace"])
    assert json.loads((tdir / "scenario.json").read_text())["namespace"] == "shop"
    r, _ = invoke(["replay", str(tdir / "trace.json")], tmp_path)
    assert r.exit_code == 0 and "still violates EXTRA-ROLLS-OUT" in r.output, r.output
    extra.write_text(extra.read_text().replace("image: \"nginx:broken\"}", "image: nginx}"))
    scen.write_text(scen.read_text().replace('images: {"nginx:broken": {pull: fails}}\n', ""))
    r, _ = invoke(base, tmp_path)
    assert r.exit_code == 0, r.output  # without -n, all of it is in default, and holds the same
    r, _ = invoke(base + ["-n", "web"], tmp_path)
    assert r.exit_code == 0, r.output
    # an action naming its namespace keeps it: shop/web is not in the manifests read into namespace web
    scen.write_text("name: s\nactions:\n- scale: {kind: Deployment, name: web, replicas: 2, namespace: shop}\n")
    r, _ = invoke(base + ["-n", "web"], tmp_path)
    assert r.exit_code == 2 and 'no Deployment "shop/web"' in r.output, r.output
    # an applied file naming another namespace is kubectl apply -n's error, in that file
    extra.write_text(extra.read_text().replace("metadata: {name: extra}", "metadata: {name: extra, namespace: other}"))
    scen.write_text("name: s\nactions:\n- apply: extra.yaml\n")
    r, _ = invoke(base + ["-n", "shop"], tmp_path)
    assert r.exit_code == 2 and r.output.startswith(f"{extra}:3: metadata.namespace: the namespace from the provided object "
                                                    '"other" does not match the namespace "shop"'), r.output


PLACED = """apiVersion: v1
kind: Node
metadata: {name: n1, labels: {disktype: hdd}}
---
apiVersion: v1
kind: Node
metadata: {name: n2, labels: {disktype: ssd}}
spec:
  taints: [{key: dedicated, value: db, effect: NoSchedule}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {disktype: ssd}
TOLERATION      containers: [{name: c, image: nginx}]
"""


@pytest.mark.parametrize("tolerated", [False, True])
def test_a_pod_no_node_fits_stays_pending_and_convergence_fails(tolerated: bool, tmp_path: Path) -> None:
    """nodeSelector picks n2, whose NoSchedule taint only the toleration lets the pod past: without it
    the pod fits no node, stays Pending and KC-CONV-002 is VIOLATED (never HOLDS); with it, it holds."""
    manifest = tmp_path / "placed.yaml"
    toleration = "      tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]\n" if tolerated else ""
    manifest.write_text(PLACED.replace("TOLERATION", toleration))
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-CONV-002",), granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(manifest)]))
    (finding,) = [f for f in report.findings if f.rule_id == "KC-CONV-002"]
    assert finding.verdict == ("holds" if tolerated else "violated"), finding
    assert report.warnings == ()  # placement fields are modelled, not listed as ignored


@pytest.mark.parametrize("selector,code", [("beta.kubernetes.io/os: linux", 0), ("kubernetes.io/os: linux", 0),
                                           ("kubernetes.io/os: windows", 1)])
def test_added_nodes_carry_the_os_labels_the_kubelet_sets(tmp_path: Path, selector: str, code: int) -> None:
    """Older charts (the corpus' Sock Shop) select the legacy beta.kubernetes.io/os label, which the kubelet
    still sets beside kubernetes.io/os; a selector no added node carries leaves the pod Pending."""
    manifest = tmp_path / "d.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: old}\nspec:\n  replicas: 1\n"
        "  selector: {matchLabels: {app: old}}\n  template:\n    metadata: {labels: {app: old}}\n    spec:\n"
        f"      nodeSelector: {{{selector}}}\n      containers: [{{name: c, image: 'old:1'}}]\n"
    )
    r, _ = invoke(["check", str(manifest), "-s", "pod-crash", "-p", "KC-CONV-002", *FAST], tmp_path)
    assert r.exit_code == code, r.output


HOSTPORT_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: envoy}
spec:
  replicas: 2
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: envoy}}
  template:
    metadata: {labels: {app: envoy}}
    spec:
      containers: [{name: envoy, image: envoy:1, ports: [{containerPort: 8080, hostPort: 80}]}]
"""


#: the same Deployment on the host's network with no hostPort written: the API server gives every containerPort
#: of its pods a hostPort (pkg/apis/core/v1/defaults.go SetDefaults_Pod -> defaultHostNetworkPorts)
HOSTNETWORK_DEPLOYMENT = HOSTPORT_DEPLOYMENT.replace("      containers: [{name: envoy, image: envoy:1, ports: [{containerPort: 8080, hostPort: 80}]}]",
                                                     "      hostNetwork: true\n      containers: [{name: envoy, image: envoy:1, ports: [{containerPort: 8080}]}]")


@pytest.mark.parametrize("manifest", ["hostPort", "hostNetwork"])
@pytest.mark.parametrize("nodes, want", [(2, 1), (3, 0)])
def test_a_host_port_rollout_hangs_when_every_node_holds_the_port(tmp_path: Path, nodes: int, want: int, manifest: str) -> None:
    # corpus set contour-envoy-deployment (projectcontour/contour examples/render/contour-deployment.yaml): with
    # hostPort ignored the surge pod was placed beside an old one and the rollout finished; upstream's NodePorts
    # filter keeps it Pending while both nodes hold port 80, and maxUnavailable 0 never frees one.  hostNetwork
    # (audit, session 17): its containerPort became no hostPort and the check said HOLDS, exit 0
    assert HOSTNETWORK_DEPLOYMENT != HOSTPORT_DEPLOYMENT
    m = tmp_path / "envoy.yaml"
    m.write_text(HOSTPORT_DEPLOYMENT if manifest == "hostPort" else HOSTNETWORK_DEPLOYMENT)
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002",), nodes=nodes, out_dir=str(tmp_path / f"o{nodes}"),
                      progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    assert report.exit_code == want
    assert not [w for w in report.warnings if "hostPort" in str(w)]
    if want:  # the fix names the port and the nodes the rollout needs
        (f,) = [f for f in report.findings if f.verdict == "violated"]
        port = 80 if manifest == "hostPort" else 8080
        assert f.fix.startswith(f"Deployment default/envoy: its host port {port} allows one of its pods per node, so it needs at least 2 "
                                "nodes to run and replicas + maxSurge = 3 to roll out with maxUnavailable 0: check with --nodes 3"), f.fix


@pytest.mark.parametrize("placement, want", [
    ("      nodeSelector: {kubernetes.io/role: worker}\n",
     "its nodeSelector kubernetes.io/role=worker matches no Node, so its pods stay Pending whatever the replicas or strategy: "
     "declare your Nodes with those labels"),
    ("      affinity:\n        podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
     "          - {labelSelector: {matchLabels: {app: db}}, topologyKey: topology.kubernetes.io/zone}\n",
     "no Node carries topology.kubernetes.io/zone, the topologyKey of its required podAffinity term, so its pods fit no node "
     "whatever the replicas or strategy: declare your Nodes labelled topology.kubernetes.io/zone"),
], ids=["nodeSelector", "podAffinity-zone"])
def test_a_workload_whose_pods_fit_no_node_is_told_so_not_to_add_nodes(tmp_path: Path, placement: str, want: str) -> None:
    # audit, session 17 (mysql-router, skipper-ingress): pods that fit no node of the checked cluster for a label no
    # Node carries were told "needs at least 3 nodes: check with --nodes 4", and --nodes 4 gave the same finding and
    # the same advice; KC-ROLL-004's fix asked for surge or replicas, which does not help either
    manifest = ANTI_AFFINITY_DEPLOYMENT.replace("  replicas: 2\n", "  replicas: 3\n").replace(
        "    spec:\n      affinity:\n        podAntiAffinity:", "    spec:\n" + placement + ("" if "affinity" in placement else "      affinity:\n") +
        "        podAntiAffinity:")
    assert manifest.count("podAntiAffinity") == 1 and placement.strip().split(":")[0] in manifest
    m = tmp_path / "server.yaml"
    m.write_text(manifest + "---\napiVersion: v1\nkind: Service\nmetadata: {name: server}\nspec: {selector: {app: server}, ports: [{port: 80}]}\n")
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002", "KC-ROLL-004"), nodes=4, out_dir=str(tmp_path / "o"),
                      progress=False, write_traces=False)
    fixes = {f.rule_id: f.fix for f in run_check(cfg, load_manifests([str(m)])).findings if f.verdict == "violated"}
    assert fixes == {"KC-CONV-002": f"Deployment default/server: {want}", "KC-ROLL-004": f"Deployment default/server: {want}"}, fixes


def test_a_spread_constraint_with_more_min_domains_than_the_cluster_has_is_told_so(tmp_path: Path) -> None:
    # audit, session 17: minDomains 3 on the hostname with 2 nodes lets each node hold maxSkew 1 pod (upstream takes
    # the global minimum as 0); the fix blamed a cordoned or NotReady node (both were Ready) and nodeTaintsPolicy
    spread = ("      topologySpreadConstraints:\n      - {maxSkew: 1, minDomains: 3, topologyKey: kubernetes.io/hostname, "
              "whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: server}}}\n")
    manifest = ANTI_AFFINITY_DEPLOYMENT.replace("  replicas: 2\n", "  replicas: 3\n").replace(
        "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "          - {labelSelector: {matchLabels: {app: server}}, topologyKey: kubernetes.io/hostname}\n", spread)
    assert "minDomains" in manifest and "podAntiAffinity" not in manifest
    m = tmp_path / "server.yaml"
    m.write_text(manifest)
    # (with --nodes 3, as the fix says, the rollout finishes: exhaustive, exit 0; ~12 s, checked by hand, not here)
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002",), nodes=2, out_dir=str(tmp_path / "o"), progress=False,
                      write_traces=False)
    (f,) = [f for f in run_check(cfg, load_manifests([str(m)])).findings if f.verdict == "violated"]
    assert f.fix == ("Deployment default/server: its DoNotSchedule topologySpreadConstraint on kubernetes.io/hostname has minDomains 3, "
                     "more than the 2 domains of the checked cluster: the scheduler then counts the global minimum as 0, so no domain "
                     "holds more than maxSkew 1 of its pods (at most 1 x domains run): check with --nodes 3 (or declare 3 Nodes), or "
                     "lower minDomains"), f.fix


ANTI_AFFINITY_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  replicas: 2
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: server}}, topologyKey: kubernetes.io/hostname}
      containers: [{name: server, image: server:1}]
"""


@pytest.mark.parametrize("replicas, nodes, want", [(2, 2, 1), (2, 3, 0), (3, 3, 1), (3, 4, 0)])
def test_a_hostname_anti_affinity_rollout_hangs_when_every_node_holds_a_pod(tmp_path: Path, replicas: int, nodes: int, want: int) -> None:
    # corpus set argo-cd-ha (argocd-server, repo-server: 2 replicas; argocd-redis-ha-haproxy: 3; the default 25 % surge and
    # unavailability, a required anti-affinity on kubernetes.io/hostname): with podAntiAffinity ignored the surge pod was
    # placed beside an old one and the rollout finished; upstream's InterPodAffinity filter keeps it Pending while every
    # node holds a pod, and maxUnavailable 0 never frees one.  The haproxy case on 3 nodes, the minimum Argo CD's HA
    # documentation asks for, is argoproj/argo-cd#16627 ("HA Proxy with Default Rolling Update Strategy Not Compatible
    # with 3 Nodes and Anti-affinity")
    m = tmp_path / "server.yaml"
    m.write_text(ANTI_AFFINITY_DEPLOYMENT.replace("replicas: 2", f"replicas: {replicas}"))
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002",), nodes=nodes, out_dir=str(tmp_path / f"o{nodes}"),
                      progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    assert report.exit_code == want
    assert not [w for w in report.warnings if "AntiAffinity" in str(w)]
    if want:
        (f,) = [f for f in report.findings if f.verdict == "violated"]
        trace, _system = report.live[f.key]
        last = trace.states()[-1].cluster
        assert [p.node_name for p in last.pods.values()].count(None) == 1  # the surge pod, that no node fits
        assert len({p.node_name for p in last.pods.values()} - {None}) == nodes


def test_a_topology_key_no_node_carries_is_a_warning(tmp_path: Path) -> None:
    # corpus set gke-stateful-mysql: the router's required podAffinity on topology.kubernetes.io/zone fits no node that
    # kubecheck adds (they carry no zone label), which upstream does too on such a cluster: say why its pods stay Pending
    from dataclasses import replace

    from kubecheck.runner import topology_key_warnings
    from kubecheck.scenarios import with_nodes
    from model.frozen import FrozenMap
    from model.objects import kind_of
    from model.state import ClusterState

    router = ANTI_AFFINITY_DEPLOYMENT.replace(
        "podAntiAffinity:", "podAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n"
        "          - {labelSelector: {matchLabels: {app: db}}, topologyKey: topology.kubernetes.io/zone}\n        podAntiAffinity:")
    m = tmp_path / "router.yaml"
    m.write_text(router)
    load = load_manifests([str(m)])
    assert load.ok, load.errors
    objects, _ = with_nodes(tuple(load.objects), 2)
    (w,) = topology_key_warnings(ClusterState.from_objects(objects), load)
    assert w == (f"{m}:1: Deployment default/server: no Node carries the label topology.kubernetes.io/zone, the topologyKey of a "
                 "required podAffinity term: the term fits no node (declare your Nodes with that label)")
    zoned = tuple(replace(o, labels=FrozenMap({"topology.kubernetes.io/zone": "a"})) if kind_of(o) == "Node" else o for o in objects)
    assert topology_key_warnings(ClusterState.from_objects(zoned), load) == []  # the hostname key never warns


@pytest.mark.parametrize("version, want", [("1.36", 0), ("1.30", 1)])
def test_match_label_keys_pod_template_hash_lets_the_rollout_surge_beside_old_pods(tmp_path: Path, version: str, want: int) -> None:
    # the fix upstream recommends for the hang above (KEP-3633): matchLabelKeys: [pod-template-hash] limits the
    # anti-affinity to pods of the same revision, merged into each pod's selector when it is created
    # (strategy.go applyMatchLabelKeysAndMismatchLabelKeys), from 1.31 on; 1.30's API server drops the field
    m = tmp_path / "server.yaml"
    m.write_text(ANTI_AFFINITY_DEPLOYMENT.replace("topologyKey: kubernetes.io/hostname}", "topologyKey: kubernetes.io/hostname, matchLabelKeys: [pod-template-hash]}"))
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002",), nodes=2, out_dir=str(tmp_path / "o"), progress=False,
                      kubernetes_version=version)
    report = run_check(cfg, load_manifests([str(m)]))
    assert report.exit_code == want
    assert not [w for w in report.warnings if "matchLabelKeys" in str(w)]


SPREAD_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: KEY, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}POLICY}
      containers: [{name: web, image: web:1}]
"""


def _spread_check(tmp_path: Path, replicas: int, key: str = "kubernetes.io/hostname", nodes: int | None = 2,
                  extra: str = "", policy: str = "", rule: str = "KC-CONV-002"):  # type: ignore[no-untyped-def]
    m = tmp_path / "web.yaml"
    m.write_text(SPREAD_DEPLOYMENT.replace("REPLICAS", str(replicas)).replace("KEY", key).replace("POLICY", policy) + extra)
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=(rule,), nodes=nodes, out_dir=str(tmp_path / "out"), progress=False)
    return run_check(cfg, load_manifests([str(m)]))


def test_a_hostname_spread_rollout_on_two_nodes_finishes(tmp_path: Path) -> None:
    """3 replicas, maxSkew 1 on kubernetes.io/hostname (DoNotSchedule, the selector matching every revision), the
    default 25 % surge and unavailability (maxSurge 1, maxUnavailable 0), two nodes.  By hand, from filtering.go:
    every node carries the key and is eligible (no nodeSelector, taints ignored), so both are domains and the
    minimum m is the count of the least-loaded one; a pod placed there has skew m + 1 - m = 1 <= maxSkew, so some
    node always fits: the start-up places 2/1, the surge pod goes to the node with 1 (2 + 1 - 1 > 1 on the other),
    and each pod created after an old one terminates (terminating pods are not counted) goes to the emptier node.
    The rollout finishes: KC-CONV-002 holds (exit 0)."""
    report = _spread_check(tmp_path, 3)
    assert report.exit_code == 0, [str(f) for f in report.findings]
    assert not [w for w in report.warnings if "topologySpread" in str(w)]


def test_a_spread_on_a_key_no_node_carries_fits_no_node(tmp_path: Path) -> None:
    """A zone constraint on the nodes --nodes adds (no zone label): upstream's Filter returns
    UnschedulableAndUnresolvable on every node ("missing required label"), so no pod ever binds and the
    Deployment never converges (exit 1), with a warning that says why."""
    report = _spread_check(tmp_path, 2, key="topology.kubernetes.io/zone")
    assert report.exit_code == 1
    assert any("no Node carries the label topology.kubernetes.io/zone, the topologyKey of a DoNotSchedule "
               "topologySpreadConstraint" in str(w) for w in report.warnings), report.warnings


CORDONED_NODES = "".join(f"""---
apiVersion: v1
kind: Node
metadata: {{name: {n}}}
spec: {{unschedulable: {str(n == 'n3').lower()}}}
""" for n in ("n1", "n2", "n3"))


@pytest.mark.parametrize("policy, want", [("", 1), (", nodeTaintsPolicy: Honor", 0)])
def test_a_cordoned_node_is_a_spread_domain_unless_its_taints_are_honoured(tmp_path: Path, policy: str, want: int) -> None:
    """2 replicas, maxSkew 1 on the hostname, nodes n1, n2 and a cordoned n3.  By hand: with nodeTaintsPolicy Ignore
    (the default) n3 is a domain with 0 pods, so the minimum is 0; the start-up places one pod on n1 and one on n2
    (0 + 1 - 0 <= 1), then the rollout's surge pod (maxSurge 1, maxUnavailable 0) has skew 1 + 1 - 0 = 2 on n1 and
    n2 and n3 is cordoned: it stays Pending and no old pod is ever removed, KC-CONV-002 is violated (exit 1).  With
    nodeTaintsPolicy Honor, n3 (its node.kubernetes.io/unschedulable taint) is no domain, the minimum is 1, the
    surge pod fits (1 + 1 - 1 <= 1) and the rollout finishes (exit 0)."""
    report = _spread_check(tmp_path, 2, nodes=None, extra=CORDONED_NODES, policy=policy)
    assert report.exit_code == want, [str(f) for f in report.findings]
    if want:
        (f,) = [f for f in report.findings if f.verdict == "violated"]
        trace, _system = report.live[f.key]
        last = trace.states()[-1].cluster
        assert sorted(p.node_name or "" for p in last.pods.values()) == ["", "n1", "n2"]
        assert "set nodeTaintsPolicy: Honor" in f.fix, f.fix  # properties.catalogue.placement_fix


def test_the_spread_warnings_name_the_missing_key_and_an_empty_selector(tmp_path: Path) -> None:
    from kubecheck.runner import topology_key_warnings
    from kubecheck.scenarios import with_nodes
    from model.state import ClusterState

    m = tmp_path / "web.yaml"
    m.write_text(SPREAD_DEPLOYMENT.replace("REPLICAS", "2").replace("KEY", "topology.kubernetes.io/zone").replace("POLICY", "")
                 .replace("labelSelector: {matchLabels: {app: web}}", "labelSelector: {}"))
    load = load_manifests([str(m)])
    assert load.ok, load.errors
    objects, _ = with_nodes(tuple(load.objects), 2)
    assert topology_key_warnings(ClusterState.from_objects(objects), load) == [
        f"{m}:1: Deployment default/web: no Node carries the label topology.kubernetes.io/zone, the topologyKey of a DoNotSchedule "
        "topologySpreadConstraint: its pods fit no node (declare your Nodes with that label)",
        f"{m}:1: Deployment default/web: a DoNotSchedule topologySpreadConstraint with labelSelector {{}} counts no pod in the "
        "kube-scheduler (countPodsMatchSelector, since 1.27; kubernetes#141340 counts every pod of the namespace): it spreads "
        "nothing; name the pods' labels to spread them"]


@pytest.mark.parametrize("version", ["1.30", "1.33", "1.36"])
def test_kubectl_apply_of_the_unchanged_manifest_changes_nothing_in_any_version(tmp_path: Path, version: str) -> None:
    """An applied object is prepared by the scenario's version's API server as the manifests are
    (runner._admit_actions): matchLabelKeys of an affinity term dropped before 1.31, a spread constraint's keys
    marked for the create-time merge from 1.34.  Before, from 1.34 an applied copy of the manifest's template
    differed from the admitted one and the Deployment controller started a rollout upstream never does (199 states
    instead of 1: found by review, session 13), and at 1.30 the affinity keys the manifests had lost came back."""
    m = tmp_path / "web.yaml"
    m.write_text(SPREAD_DEPLOYMENT.replace("REPLICAS", "1").replace("KEY", "kubernetes.io/hostname")
                 .replace("POLICY", ", matchLabelKeys: [pod-template-hash]").replace(
                     "containers:", "affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: "
                     "{matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname, matchLabelKeys: [pod-template-hash]}]}}\n"
                     "      containers:"))
    s = tmp_path / "apply.yaml"
    s.write_text(f'name: apply-same\nkubernetes_version: "{version}"\nactions:\n  - apply: {m}\n'
                 "properties: [KC-ROLL-002, KC-OWN-001]\n")
    cfg = CheckConfig(scenarios=(), scenario_files=(str(s),), nodes=2, out_dir=str(tmp_path / "out"), progress=False,
                      kubernetes_version=version)
    report = run_check(cfg, load_manifests([str(m)]))
    assert report.exit_code == 0, [str(f) for f in report.findings]
    assert [(e.states, e.transitions) for e in report.explorations] == [(1, 0)]


def test_a_node_selector_no_node_matches_and_an_hpa_of_an_unmodelled_target_are_warnings(tmp_path: Path) -> None:
    # corpus sets skipper-ingress(-ds): nodeSelector kubernetes.io/role=worker fits none of the nodes kubecheck adds, so
    # the pods stay Pending and the findings are about a workload that never runs; autoscaler-balancer-hpa: an HPA of a
    # Balancer custom resource, whose HPA rules would otherwise hold with nothing to judge
    from dataclasses import replace

    from kubecheck.runner import autoscaler_target_warnings, node_placement_warnings
    from kubecheck.scenarios import with_nodes
    from model.frozen import FrozenMap
    from model.objects import kind_of
    from model.state import ClusterState

    m = tmp_path / "m.yaml"
    m.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      nodeSelector: {kubernetes.io/role: worker, kubernetes.io/os: linux}\n"
        "      containers: [{name: c, image: nginx}]\n"
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: b}\nspec:\n"
        "  scaleTargetRef: {apiVersion: balancer.x-k8s.io/v1alpha1, kind: Balancer, name: b}\n  minReplicas: 1\n  maxReplicas: 3\n"
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: gone}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: gone}\n  minReplicas: 1\n  maxReplicas: 3\n"
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 3\n"
    )
    load = load_manifests([str(m)])
    assert load.ok, load.errors
    objects, _ = with_nodes(tuple(load.objects), 2)
    (w,) = node_placement_warnings(ClusterState.from_objects(objects), load, nodes_added=True)
    assert w == (f"{m}:1: Deployment default/web: its nodeSelector kubernetes.io/os=linux, kubernetes.io/role=worker matches no Node "
                 "(the nodes kubecheck added carry only the os and arch labels, kubernetes.io/ and beta.kubernetes.io/): its pods stay Pending, "
                 "so the rules judge a workload that never runs and a suggested fix (surge, replicas) would not help; declare your "
                 "Nodes with those labels")
    workers = tuple(replace(o, labels=FrozenMap({**o.labels, "kubernetes.io/role": "worker"})) if kind_of(o) == "Node" else o
                    for o in objects)
    assert node_placement_warnings(ClusterState.from_objects(workers), load) == []
    assert autoscaler_target_warnings(ClusterState.from_objects(objects), load) == [
        f"{m}:13: HorizontalPodAutoscaler default/b: its scaleTargetRef Balancer b is no workload of the check (Balancer is not a "
        "kind kubecheck models (only Deployment, StatefulSet, ReplicaSet, ReplicationController are scaled)): its rules "
        "(KC-HPA-001..003) judge nothing about it",
        f"{m}:21: HorizontalPodAutoscaler default/gone: its scaleTargetRef Deployment gone is no workload of the check (no manifest "
        "declares Deployment default/gone): its rules (KC-HPA-001..003) judge nothing about it",
    ]


def test_the_one_pod_per_node_fix_counts_the_hpas_minimum(tmp_path: Path) -> None:
    # corpus set skipper-ingress: no spec.replicas (1) but an HPA with minReplicas 3 and a required hostname anti-affinity:
    # the nodes it needs are the HPA's 3, not 1
    from model.objects import kind_of
    from properties.catalogue import placement_fix

    m = tmp_path / "m.yaml"
    m.write_text(ANTI_AFFINITY_DEPLOYMENT.replace("replicas: 2", "replicas: 1")
                 + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: server}\nspec:\n"
                 "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: server}\n  minReplicas: 3\n  maxReplicas: 5\n")
    load = load_manifests([str(m)])
    assert load.ok, load.errors
    objects = {(kind_of(o), o.namespace, o.name): o for o in load.objects}
    fix = placement_fix(objects, [("Deployment", "default", "server")])
    assert "and HorizontalPodAutoscaler default/server keeps at least 3 of them, so it needs at least 3 nodes" in fix, fix
    assert "--nodes 1" not in fix


def test_an_hpa_on_a_pods_metric_still_holds_its_deployment_at_min_replicas(tmp_path: Path) -> None:
    # corpus 16 helper: an HPA on a Pods metric was skipped by the loader, so its Deployment (no replicas field) ran one
    # pod and the check said KC-CONV-002 HOLDS; upstream the HPA scales it to minReplicas 3 whatever the metric, and a
    # required hostname anti-affinity lets 2 nodes take only 2 of them: the rollout never completes
    m = tmp_path / "app.yaml"
    m.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      affinity:\n        podAntiAffinity:\n"
        "          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector: {matchLabels: {app: web}}\n"
        "            topologyKey: kubernetes.io/hostname\n      containers: [{name: web, image: nginx:1.27}]\n"
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 3\n  maxReplicas: 10\n"
        "  metrics:\n  - type: Pods\n    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: '10'}}\n")
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-CONV-002",), nodes=2, out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    (f,) = report.findings
    assert f.verdict == "violated", f.note
    assert "HorizontalPodAutoscaler default/web keeps at least 3 of them" in f.fix, f.fix
    assert (f"{m}:16: HorizontalPodAutoscaler default/web: metric Pods requests_per_second is not modelled: taken to stay at "
            "its target (the HPA keeps its target's replicas within minReplicas 3..maxReplicas 10 but never scales on it; "
            "load: and -s autoscale move Resource metrics only)") in report.warnings, report.warnings
