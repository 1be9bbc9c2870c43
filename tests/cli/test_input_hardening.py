"""Fixes from the CLI acceptance test: bad input is one line ``FILE:LINE: FIELD: message`` and exit 2,
and no verdict claims more than was checked (vacuous Services, cut start-up, skipped Deployments)."""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kubecheck.cli import main, validate_trace_document
from kubecheck.core.errors import InvalidScenario
from kubecheck.output import render
from kubecheck.runner import CheckConfig, run_check, summarise_skipped
from kubecheck.scenarios import load_scenario_file, settle, settle_bound, with_nodes
from model.manifests import SkippedObject, load_manifests
from model.state import ClusterState
from model.system import KubeSystem, Scenario

from .conftest import FAST, ROOT, VIOLATION
from .test_check import invoke

WEB = ROOT / "examples" / "web-deployment.yaml"

SVC_TYPO = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example.com/api:1}]
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: apii
  ports: [{port: 80}]
"""

RECREATE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch}
spec:
  replicas: 2
  selector: {matchLabels: {app: batch}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: batch}}
    spec:
      containers: [{name: b, image: b:1}]
"""


def _loaded(path: Path) -> ClusterState:
    objs, _ = with_nodes(tuple(load_manifests([str(path)]).objects), 2)
    return ClusterState.from_objects(objs)


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


# ----------------------------------------------------------------------------- 1. --rules


def test_rules_file_that_exits_on_import_is_exit_2_with_its_line(tmp_path: Path) -> None:
    f = tmp_path / "exits.py"
    f.write_text("import sys\nsys.exit(0)\n")
    r, _ = invoke(["check", str(VIOLATION), "--rules", str(f), *FAST], tmp_path)
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [f"{f}:2: --rules: SystemExit: raised SystemExit while being imported (a rules file must not exit)"]


# -------------------------------------------------------------- 2. actions naming nothing


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("set-image: {kind: Deployment, name: doesnotexist, image: a}",
                     'actions[0].set-image.name: no Deployment "default/doesnotexist" in the manifests', id="unknown-name"),
        pytest.param("set-image: {kind: StatefulSet, name: web, image: a}",
                     'actions[0].set-image.name: no StatefulSet "default/web" in the manifests', id="wrong-kind"),
        pytest.param("set-image: {kind: Deployment, name: web, image: a, container: nope}",
                     "actions[0].set-image.container: Deployment \"default/web\" has no container 'nope'; its containers: nginx",
                     id="unknown-container"),
        pytest.param("scale: {kind: Deployment, name: web, replicas: 1, namespace: prod}",
                     'actions[0].scale.name: no Deployment "prod/web" in the manifests', id="wrong-namespace"),
        pytest.param("rollback: {name: webb}", 'actions[0].rollback.name: no Deployment "default/webb" in the manifests', id="rollback"),
        pytest.param("delete: {kind: Gadget, name: web}", "actions[0].delete.kind: unknown kind 'Gadget'", id="delete-unknown-kind"),
    ],
)
def test_scenario_action_on_a_missing_object_is_rejected_at_load(tmp_path: Path, action: str, expected: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(f"name: s\nactions:\n  - {action}\n")
    with pytest.raises(InvalidScenario) as exc:
        load_scenario_file(str(f), cluster=_loaded(WEB))
    assert str(exc.value).startswith(f"{f}:3: {expected}")


def test_scenario_action_on_existing_objects_loads_and_missing_one_is_exit_2(tmp_path: Path) -> None:
    ok = tmp_path / "ok.yaml"
    ok.write_text("name: ok\nactions:\n  - set-image: {kind: Deployment, name: web, image: a, container: nginx}\n  - rollback: {name: web, revision: 42}\n")
    assert len(load_scenario_file(str(ok), cluster=_loaded(WEB)).user_actions) == 2  # revision: checked at run time
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nactions:\n  - set-image: {kind: Deployment, name: nope, image: a}\n")
    r, _ = invoke(["check", str(VIOLATION), "--scenario-file", str(bad), *FAST], tmp_path)
    assert r.exit_code == 2 and r.stderr.strip() == f'{bad}:3: actions[0].set-image.name: no Deployment "default/nope" in the manifests'


# ----------------------------------------------------------- 3. vacuous Service selectors


def test_service_selecting_no_workload_is_warned_in_every_format(tmp_path: Path) -> None:
    m = tmp_path / "svc.yaml"
    m.write_text(SVC_TYPO)
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-ROLL-004",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    line = f"{m}:12: Service default/api: selector app=apii matches no workload's pods; KC-ROLL-004 says nothing about it"
    assert report.warnings == (line,)
    assert f"  warning: {line}" in render(report, "text").splitlines()
    assert json.loads(render(report, "json"))["warnings"] == [line]
    notes = json.loads(render(report, "sarif"))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n for n in notes if n["level"] == "warning" and n["message"]["text"] == line]
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(SVC_TYPO.replace("app: apii", "app: api"))
    assert run_check(replace(cfg, out_dir=str(tmp_path / "o2")), load_manifests([str(fixed)])).warnings == ()


PER_POD = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka}
spec:
  replicas: 2
  serviceName: kafka
  selector: {matchLabels: {app: kafka}}
  template:
    metadata: {labels: {app: kafka}}
    spec: {containers: [{name: c, image: "kafka:1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: kafka-0}
spec:
  selector: {app: kafka, statefulset.kubernetes.io/pod-name: kafka-0}
  ports: [{port: 9092}]
"""


def test_a_per_pod_service_is_named_as_such_not_as_a_typo(tmp_path: Path) -> None:
    # it selects a pod the StatefulSet creates (kafka-0 carries the pod-name label), but through a label no template
    # has, so KC-ROLL-004 (which judges Services by template labels) says nothing: the warning says why, not "no pods"
    m = tmp_path / "kafka.yaml"
    m.write_text(PER_POD)
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-ROLL-004",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    assert report.warnings == (
        f"{m}:12: Service default/kafka-0: selector app=kafka,statefulset.kubernetes.io/pod-name=kafka-0 selects pods of "
        "StatefulSet default/kafka by statefulset.kubernetes.io/pod-name, which its controller adds to the pods it creates "
        "(a per-pod or per-revision Service); KC-ROLL-004 says nothing about it",)
    # the same label on a Deployment's Service is not one its controller adds: a plain "no pods" warning
    dep = tmp_path / "dep.yaml"
    dep.write_text(PER_POD.replace("kind: StatefulSet", "kind: Deployment").replace("  serviceName: kafka\n", ""))
    (w,) = run_check(replace(cfg, out_dir=str(tmp_path / "o2")), load_manifests([str(dep)])).warnings
    assert w.endswith("matches no workload's pods; KC-ROLL-004 says nothing about it"), w


PDB_BLOCKS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: "api:1"}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: api}}
"""


def test_a_budget_that_allows_no_eviction_is_warned_without_a_search(tmp_path: Path) -> None:
    # minAvailable 2 of 2 replicas: the disruption controller never allows an eviction, so every kubectl drain of
    # a node holding one of these pods waits for ever (KC-DRAIN-001 is opt-in: the warning says it in every run)
    m = tmp_path / "pdb.yaml"
    m.write_text(PDB_BLOCKS)
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-OWN-001",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    (w,) = run_check(cfg, load_manifests([str(m)])).warnings
    assert w.startswith(f"{m}:11: PodDisruptionBudget default/api: ") and "replicas >= 3 on Deployment default/api" in w, w
    assert w.endswith("until then, while the workloads run that few pods, every kubectl drain of a node that holds one "
                      "of them waits for ever (-s drain -p KC-DRAIN-001 shows the run)"), w
    ok = tmp_path / "ok.yaml"
    ok.write_text(PDB_BLOCKS.replace("minAvailable: 2", "minAvailable: 1"))
    assert run_check(replace(cfg, out_dir=str(tmp_path / "o2")), load_manifests([str(ok)])).warnings == ()
    # an HPA decides how few pods run: minReplicas 3 leaves one eviction to minAvailable 2 (replicas unset: 1), while
    # minReplicas 2 does not, and the advice goes to the HPA (review: it used to read the manifest's replicas)
    hpa = ("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n"
           "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: MIN\n  maxReplicas: 5\n")
    for low, warned in ((3, False), (2, True)):
        f = tmp_path / f"hpa{low}.yaml"
        f.write_text(PDB_BLOCKS.replace("  replicas: 2\n", "") + hpa.replace("MIN", str(low)))
        got = run_check(replace(cfg, out_dir=str(tmp_path / f"o{low}")), load_manifests([str(f)])).warnings
        assert bool(got) == warned and (not got or "minReplicas >= 3 on HorizontalPodAutoscaler default/api" in got[0]), got
    # a DaemonSet's pods are selected too: how many is not known without the nodes, so nothing is said
    ds = tmp_path / "ds.yaml"
    ds.write_text(PDB_BLOCKS + "---\n" + PDB_BLOCKS.split("---")[0].replace("kind: Deployment", "kind: DaemonSet")
                  .replace("name: api}", "name: agent}").replace("  replicas: 2\n", ""))
    assert run_check(replace(cfg, out_dir=str(tmp_path / "o4")), load_manifests([str(ds)])).warnings == ()


def test_a_service_of_a_daemon_set_only_is_said_to_be_unjudged(tmp_path: Path) -> None:
    # KC-ROLL-004 counts the Services of Deployments, ReplicaSets, ReplicationControllers and StatefulSets
    # (catalogue.serves); a DaemonSet's Service used to get no word at all (review)
    m = tmp_path / "ds.yaml"
    m.write_text(PER_POD.replace("kind: StatefulSet", "kind: DaemonSet").replace("  replicas: 2\n  serviceName: kafka\n", "")
                 .replace(", statefulset.kubernetes.io/pod-name: kafka-0", ""))
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-ROLL-004",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    assert run_check(cfg, load_manifests([str(m)])).warnings == (
        f"{m}:10: Service default/kafka-0: selector app=kafka selects only the pods of DaemonSet default/kafka; KC-ROLL-004 "
        "judges the Services of Deployments, ReplicaSets, ReplicationControllers and StatefulSets, so it says nothing about it",)


# ------------------------------------------------------------------------------ 4. settle


def test_settle_bound_scales_with_desired_replicas() -> None:
    assert settle_bound(_loaded(WEB)) == 50 + 20 * 3
    assert settle_bound(ClusterState.from_objects(())) == 50


HPA_MIN_10 = """apiVersion: apps/v1
kind: Deployment
metadata: {name: php-apache}
spec:
  replicas: 1
  selector: {matchLabels: {run: php-apache}}
  template:
    metadata: {labels: {run: php-apache}}
    spec:
      containers: [{name: php-apache, image: hpa-example, resources: {requests: {cpu: 500m}}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: php-apache}
spec:
  minReplicas: 10
  maxReplicas: 20
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
"""


def test_settle_bound_counts_what_an_hpa_may_scale_its_target_to(tmp_path: Path) -> None:
    # corpus set gke-scheduled-autoscaler: replicas 1 under an HPA of minReplicas 10 gave a bound of 70 steps;
    # start-up (the HPA scales the Deployment to 10) was cut there and nothing could be checked (exit 3)
    m = tmp_path / "hpa.yaml"
    m.write_text(HPA_MIN_10)
    cluster = _loaded(m)
    assert settle_bound(cluster) == 50 + 20 * 20
    system = KubeSystem(Scenario(initial=cluster))
    settled = settle(system, system.init_states()[0])
    assert settled.settled and settled.cut is None
    assert len(settled.state.cluster.objects("Pod")) == 10
    # an HPA whose target is not in the manifests changes nothing
    other = tmp_path / "other.yaml"
    other.write_text(HPA_MIN_10.replace("name: php-apache}\n  metrics", "name: elsewhere}\n  metrics"))
    assert settle_bound(_loaded(other)) == 50 + 20 * 1


def test_settle_obeys_the_timeout_and_reports_bounded_exit_3(tmp_path: Path) -> None:
    m = tmp_path / "big.yaml"
    m.write_text(SVC_TYPO.split("---")[0].replace("replicas: 1", "replicas: 1000"))
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-OWN-001",), nodes=1, granularity="reconcile", timeout=0.3,
                      out_dir=str(tmp_path / "out"), progress=False)
    report = run_check(cfg, load_manifests([str(m)]))
    assert report.settle_cut == "timeout=0.3s" and not report.settled
    assert report.exit_code == 3 and {f.verdict for f in report.findings} == {"holds_within_bounds"}
    assert "start-up cut by timeout=0.3s" in render(report, "text") and "did NOT settle" not in render(report, "text")


class _Flapper:
    """A system whose only fair action toggles one bit forever: a livelock settle can show."""

    def successors(self, state: Any) -> list[tuple[Any, Any]]:
        from kubecheck.core.ts import Action

        return [(Action("ctl", "flip", True, ("ctl",), None), ("s", 1 - state[1]))]


def test_settle_reports_a_revisited_state_as_a_cycle_and_a_bound_as_a_cut() -> None:
    looped = settle(_Flapper(), ("s", 0), 100)  # type: ignore[arg-type]
    assert not looped.settled and looped.cycle and looped.cut is None and looped.steps == 2
    loaded = _loaded(VIOLATION)
    system = KubeSystem(Scenario(initial=loaded))
    cut = settle(system, system.init_states()[0], 3)
    assert not cut.settled and not cut.cycle and cut.cut == "settle steps=3"


# ------------------------------------------------------------------------ 5. spreading


def test_settle_spreads_one_owners_pods_across_nodes_like_the_default_scheduler() -> None:
    system = KubeSystem(Scenario(initial=_loaded(WEB)))
    done = settle(system, system.init_states()[0])
    assert done.settled
    per_node: dict[str, int] = {}
    for p in done.state.cluster.pods.values():
        per_node[p.node_name] = per_node.get(p.node_name, 0) + 1
    assert per_node == {"node-1": 2, "node-2": 1}  # 3 replicas over 2 nodes, ties broken by node name


class _EagerOnly:
    """A KubeSystem seen without ``iter_successors``: settle must fall back to the full list."""

    def __init__(self, system: KubeSystem) -> None:
        self._s = system

    def successors(self, state: object) -> list:  # type: ignore[type-arg]
        return self._s.successors(state)  # type: ignore[arg-type]


@pytest.mark.parametrize("manifest", ["web-deployment.yaml", "statefulset.yaml", "replicaset.yaml", "mixed-list.yaml"])
def test_lazy_settle_takes_exactly_the_steps_of_the_full_successor_list(manifest: str) -> None:
    """Start-up enumerates successors lazily (the first fair one and the other binds of its pod);
    it must take the same actions, with the same successor indices, as choosing from the full list."""
    loaded = _loaded(ROOT / "examples" / manifest)
    lazy_sys, eager_sys = KubeSystem(Scenario(initial=loaded)), KubeSystem(Scenario(initial=loaded))
    lazy = settle(lazy_sys, lazy_sys.init_states()[0])
    eager = settle(_EagerOnly(eager_sys), eager_sys.init_states()[0])  # type: ignore[arg-type]
    assert lazy.settled and eager.settled and lazy.steps > 10
    assert [(i, a) for i, a, _ in lazy.path] == [(i, a) for i, a, _ in eager.path]
    assert lazy.state == eager.state
    # and every recorded index is the action's position in the full successor list
    state = lazy_sys.init_states()[0]
    for i, a, nxt in lazy.path:
        assert lazy_sys.successors(state)[i] == (a, nxt)
        state = nxt


# ----------------------------------------------------------------------------- 6. prove


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--max-surge", "0", "--max-unavailable", "0"], "may not both be 0", id="both-zero"),
        pytest.param(["--max-surge", "0%", "--max-unavailable", "0%"], "may not both be 0", id="both-zero-percent"),
        pytest.param(["--max-unavailable", "150%"], "--max-unavailable: '150%' must not be greater than 100%", id="unavailable-over-100"),
        pytest.param(["--max-surge", "-5"], "--max-surge: '-5' is not", id="negative"),
        pytest.param(["--max-surge", "abc"], "--max-surge: 'abc' is not", id="garbage"),
        pytest.param(["--timeout", "inf"], "--timeout: inf is not a finite number", id="timeout-inf"),
    ],
)
def test_prove_rollout_rejects_parameters_the_api_server_rejects(tmp_path: Path, args: list[str], message: str) -> None:
    r, _ = invoke(["prove", "rollout", "--replicas", "1..3", *args], tmp_path)
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "internal error" not in r.stderr


def test_prove_deployment_skips_recreate_and_rejects_rollout_only_options(tmp_path: Path) -> None:
    m = tmp_path / "recreate.yaml"
    m.write_text(RECREATE)
    r, _ = invoke(["prove", "deployment", str(m)], tmp_path)
    assert r.exit_code == 2
    assert "Deployment default/batch: skipped (Recreate: no rolling bounds)" in r.stdout
    assert "nothing to prove" in r.stderr
    r, _ = invoke(["prove", "deployment", str(WEB), "--replicas", "5"], tmp_path)
    assert r.exit_code == 2 and "--replicas applies to prove rollout only" in r.stderr


# --------------------------------------------------------------------- 7. non-finite bounds


def test_non_finite_timeout_is_refused_and_json_writers_refuse_nan(tmp_path: Path, violation_report: Any) -> None:
    for bad in ("nan", "inf"):
        r, _ = invoke(["check", str(VIOLATION), "--timeout", bad, *FAST], tmp_path)
        assert r.exit_code == 2 and f"--timeout: {bad} is not a finite number" in r.stderr
    broken = replace(violation_report, bounds=(("timeout", math.inf),))
    for fmt in ("json", "sarif"):
        with pytest.raises(ValueError):
            render(broken, fmt)


# ----------------------------------------------------------------------------- 8. traces


def _trace(violation_run: Any, tmp_path: Path) -> Path:
    dst = tmp_path / "t"
    shutil.copytree(violation_run.cwd / "kubecheck-out" / "rollout" / "kc-roll-004", dst)
    return dst / "trace.json"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(lambda d: d.update(steps=None), "steps: must be a list of steps, not null", id="steps-null"),
        pytest.param(lambda d: d.update(loop_start=99), "loop_start: 99 is outside the trace's 4 states (0..3)", id="loop-start"),
        pytest.param(lambda d: d["action_path"].__setitem__(0, -1), "action_path: must be a list of non-negative integers", id="path-negative"),
        pytest.param(lambda d: d.update(action_path="abc"), "action_path: must be a list of non-negative integers", id="path-string"),
        pytest.param(lambda d: d["action_path"].__setitem__(1, 999), "action_path: [0, 999, 0, 2] does not match init_index and steps[].action_index [0, 0, 0, 2]", id="path-out-of-range"),
        pytest.param(lambda d: d["steps"][0].update(action_index=-1), "steps[0].action_index: must be a non-negative integer", id="index-negative"),
    ],
)
def test_hand_edited_trace_is_one_line_exit_2(violation_run: Any, tmp_path: Path, edit: Any, expected: str) -> None:
    path = _trace(violation_run, tmp_path)
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    for cmd in ("replay", "render"):
        r, _ = invoke([cmd, str(path)], tmp_path)
        assert r.exit_code == 2 and r.stderr.startswith(f"{path}: {expected}"), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_deeply_nested_trace_json_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "trace.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SystemExit) as exc:
        validate_trace_document(str(path))
    assert exc.value.code == 2


# ----------------------------------------------------------------------------- 9. outputs


@pytest.mark.parametrize(
    ("opt", "value", "message"),
    [
        pytest.param("-o", "/nonexistent/dir/r.json", "--output: /nonexistent/dir/r.json: no such directory", id="output"),
        pytest.param("--report", "/nonexistent/dir/r.html", "--report: /nonexistent/dir/r.html: no such directory", id="report"),
        pytest.param("--out", "/proc/nope", "--out: /proc/nope: cannot create the directory", id="out"),
    ],
)
def test_unwritable_outputs_fail_before_the_search(tmp_path: Path, opt: str, value: str, message: str) -> None:
    r, cwd = invoke(["check", str(VIOLATION), "-s", "rollout", "-p", "KC-ROLL-004", opt, value, *FAST], tmp_path)
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "VIOLATED" not in r.stdout  # refused before searching
    assert not (cwd / "kubecheck-out" / "rollout").exists()


def test_out_is_created_with_its_parents(tmp_path: Path) -> None:
    r, cwd = invoke(["check", str(VIOLATION), "-s", "pod-crash", "-p", "KC-OWN-001", "--out", "a/b/c", *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    assert (cwd / "a" / "b" / "c").is_dir()


# ----------------------------------------------------------------------- 10. usage errors


def test_usage_errors_are_one_line_and_help_is_intact(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _main(["check", "x.yaml", "--timeout", "-1"], capsys)
    assert code == 2 and err == "kubecheck: --timeout: -1.0 is not in the range x>=0.\n"
    code, _, err = _main(["check", "x.yaml", "-f", "xml"], capsys)
    assert code == 2 and err.startswith("kubecheck: --format: 'xml' is not one of") and err.count("\n") == 1
    code, _, err = _main(["chek"], capsys)
    assert code == 2 and err.count("\n") == 1 and "No such command 'chek'" in err
    code, out, _ = _main(["check", "--help"], capsys)
    assert code == 0 and out.startswith("Usage: kubecheck check [OPTIONS] PATHS...") and "Exit codes:" in out


# ----------------------------------------------------------------------------- 11. smaller


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("name: s\nactions:\n  - explode: {}\n", ":3: actions[0].explode: unknown action explode; allowed: set-image, scale",
                     id="unknown-action"),
        pytest.param("name: s\nactions:\n  - scale: {kind: Deployment, name: web}\n",
                     ":3: actions[0].scale: missing required key replicas", id="missing-key"),
        pytest.param("name: s\nactions:\n  - scale: {kind: Deployment, name: web, replicas: 1, bogus: 2}\n",
                     ":3: actions[0].scale.bogus: unknown key bogus; allowed: kind, name, replicas, namespace", id="extra-action-key"),
        pytest.param("name: s\nbogus: 1\n", ":2: bogus: unknown key bogus; allowed: name, description", id="extra-top-key"),
        pytest.param("", ":1: (document): empty scenario file", id="empty"),
        pytest.param("# only a comment\n", ":1: (document): empty scenario file", id="only-comment"),
        pytest.param("name: a\nname: b\n", ':2: name: duplicate key "name" (first at line 1)', id="duplicate-key"),
        pytest.param("name: s\nfaults: {node_failure: 1, node_failure: 2}\n", ':2: faults.node_failure: duplicate key "node_failure"',
                     id="duplicate-nested-key"),
        pytest.param("name: s\nbounds: {timeout: .inf}\n", ":2: bounds.timeout: inf is not a finite number", id="timeout-inf"),
        pytest.param("- name: s\n", ":1: (document): must be a mapping (YAML: a list given)", id="list"),
        # read with the manifest loader's YAML reading: a second document is refused
        pytest.param("name: s\n---\nname: t\n", ":3: (yaml): expected one YAML document", id="two-documents"),
    ],
)
def test_scenario_file_errors_say_what_is_allowed(tmp_path: Path, text: str, expected: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(text)
    with pytest.raises(InvalidScenario) as exc:
        load_scenario_file(str(f))
    assert str(exc.value).startswith(f"{f}{expected}"), str(exc.value)
    assert "{'" not in str(exc.value)  # no Python reprs


def test_scenario_file_alias_bomb_is_one_line_not_a_hang(tmp_path: Path) -> None:
    # scenario files are read like manifests (model.manifests.load_yaml_document): 10^6 nodes after
    # alias expansion are refused instead of being expanded by a plain yaml.safe_load
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcde", "bcdef"):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    f = tmp_path / "s.yaml"
    f.write_text("\n".join(rows) + "\n")
    with pytest.raises(InvalidScenario) as exc:
        load_scenario_file(str(f))
    msg = str(exc.value)
    # go-yaml v2's guard (what kubectl applies): refused at the line whose alias expands past the ratio
    assert msg.startswith(f"{f}:4: d[0]: document contains excessive aliasing") and "\n" not in msg


def test_only_unmodelled_kinds_is_nothing_to_check_naming_them(tmp_path: Path) -> None:
    m = tmp_path / "export.yaml"
    m.write_text("apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n---# ingress\n"
                 "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n")
    r, _ = invoke(["check", str(m), *FAST], tmp_path)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"kubecheck: nothing to check in {m}: kubecheck models none of its objects (skipped: 2 ConfigMap, 1 Ingress; "
        "modelled: apps/v1 Deployment, apps/v1 ReplicaSet, apps/v1 StatefulSet, v1 ReplicationController, v1 Pod, "
        "v1 Service, v1 PersistentVolumeClaim, v1 Node, policy/v1 PodDisruptionBudget, apps/v1 DaemonSet, autoscaling/v2 HorizontalPodAutoscaler)"
    ]
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n---\n")
    r, _ = invoke(["check", str(empty), *FAST], tmp_path)
    assert r.exit_code == 2 and r.stderr.strip() == f"kubecheck: no Kubernetes objects found in {empty}"


def test_scenario_file_zero_bounds_mean_none_and_show_in_the_header(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("name: mine\nfaults: {container_crash: 1}\nbounds: {timeout: 0, max_states: 300}\n")
    spec = load_scenario_file(str(f))
    assert dict(spec.bounds) == {"timeout": None, "max_states": 300}  # timeout: 0 = --timeout 0 = none
    r, _ = invoke(["check", str(VIOLATION), "--scenario-file", str(f), "-p", "KC-OWN-001", *FAST], tmp_path)
    assert r.exit_code == 0, r.output
    assert "bounds per search: max_states=50000, timeout=60.0; symmetry off; scenario-file bounds: mine: max_states=300" in r.stdout


def test_empty_scenario_name_and_selectors_without_workloads_are_exit_2(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(VIOLATION), "-s", "", *FAST], tmp_path)
    assert r.exit_code == 2 and "--scenario: an empty name" in r.stderr
    m = tmp_path / "cm.yaml"
    m.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    r, _ = invoke(["selectors", str(m)], tmp_path)
    assert r.exit_code == 2 and "no workload" in r.stderr


def test_many_skipped_objects_are_summarised_per_kind() -> None:
    few = [SkippedObject("f.yaml", i, "ConfigMap", f"c{i}", "kind not modelled by kubecheck") for i in range(20)]
    assert summarise_skipped(few) == [str(s) for s in few]
    many = few * 125 + [SkippedObject("g.yaml", 7, "Secret", "s", "kind not modelled by kubecheck")] * 3
    assert summarise_skipped(many) == [
        "f.yaml:0: skipped 2500 ConfigMap object(s) (first: c0): kind not modelled by kubecheck",
        "g.yaml:7: skipped 3 Secret object(s) (first: s): kind not modelled by kubecheck",
    ]


def test_merge_key_bomb_is_one_line_exit_2_not_a_hang(tmp_path: Path) -> None:
    # 9 lines whose merge keys expand 10^8 times: the loader walked them for ~1 minute, then
    # reported only the missing apiVersion/kind
    rows = ["a: &a {}"] + [f"{c}: &{c} {{<<: [{', '.join([f'*{p}'] * 10)}]}}" for p, c in zip("abcdefgh", "bcdefghi")]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(SVC_TYPO.split("---")[0] + "---\n" + "\n".join(rows) + "\n")
    r, _ = invoke(["check", str(bomb), *FAST], tmp_path)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"{bomb}:15: d: document contains excessive aliasing (996 of 1,001 decoded nodes come from alias or "
        "merge-key expansion; allowed: 99%)"
    ]


def test_a_per_revision_service_of_a_deployment_is_judged_while_its_replicaset_runs(tmp_path: Path) -> None:
    # review 15: a Service on pod-template-hash is judged by KC-ROLL-004 (properties.catalogue.serves reads the
    # ReplicaSets' templates, which carry the hash), but only while a ReplicaSet with that hash has replicas
    dep = tmp_path / "dep.yaml"
    dep.write_text(PER_POD.replace("kind: StatefulSet", "kind: Deployment").replace("  serviceName: kafka\n", "")
                   .replace("statefulset.kubernetes.io/pod-name: kafka-0", "pod-template-hash: 5d8f9c7b6d"))
    cfg = CheckConfig(scenarios=("pod-crash",), rule_ids=("KC-ROLL-004",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "out"), progress=False)
    (w,) = run_check(cfg, load_manifests([str(dep)])).warnings
    assert w == (f"{dep}:11: Service default/kafka-0: selector app=kafka,pod-template-hash=5d8f9c7b6d selects pods of Deployment "
                 "default/kafka by pod-template-hash, which its controller adds to the pods it creates (a per-pod or "
                 "per-revision Service); KC-ROLL-004 judges it only while a ReplicaSet whose template carries that hash has "
                 "replicas (a rollout's new ReplicaSet gets a hash of its own)"), w
