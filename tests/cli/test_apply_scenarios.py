"""Scenario-file apply/create, update-time refusals and after: through the CLI (issue #19).

examples/incidents/create-overlapping-selector: a canary ReplicaSet created mid-run whose selector
overlaps the Deployment's pods (KC-OWN-004 VIOLATED) or not (HOLDS); a refused selector change shown
as a step of the trace.  examples/incidents/apply-resets-hpa-replicas: kubectl apply of a manifest
that states spec.replicas under an HPA (KC-HPA-001 VIOLATED) or leaves it out (HOLDS).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import ROOT
from .test_check import invoke

OVERLAP = ROOT / "examples" / "incidents" / "create-overlapping-selector"
HPA = ROOT / "examples" / "incidents" / "apply-resets-hpa-replicas"


def _check(manifest: Path, scenario: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    return invoke(["check", str(manifest), "--scenario-file", str(scenario), "--nodes", "1"], tmp_path)


def test_creating_an_overlapping_replica_set_mid_run_is_caught(tmp_path: Path) -> None:
    r, work = _check(OVERLAP / "deployment.yaml", OVERLAP / "create-overlap.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-OWN-004", r.stdout)
    assert "1. user: user_create_rs (web-canary)" in r.stdout
    trace = json.loads((work / "kubecheck-out" / "create-canary-overlap" / "kc-own-004" / "trace.json").read_text())
    assert [s["label"] for s in trace["steps"]] == ["user_create_rs"]


def test_creating_a_distinct_replica_set_mid_run_holds(tmp_path: Path) -> None:
    r, _ = _check(OVERLAP / "deployment.yaml", OVERLAP / "create-distinct.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-OWN-004", r.stdout) and "exhaustive" in r.stdout


def test_a_refused_update_is_a_step_of_the_trace_with_the_api_servers_message(tmp_path: Path) -> None:
    r, work = _check(OVERLAP / "deployment.yaml", OVERLAP / "narrow-then-create.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert "1. user: user_apply_deployment_refused (web: Deployment.apps \"web\" is invalid: spec.selector" in r.stdout
    assert "2. user: user_create_rs (web-canary)" in r.stdout
    trace = json.loads((work / "kubecheck-out" / "narrow-then-create" / "kc-own-004" / "trace.json").read_text())
    first, second = trace["steps"]
    assert first["label"] == "user_apply_deployment_refused"
    assert first["action"]["data"][1].endswith(": field is immutable")
    assert second["label"] == "user_create_rs"
    assert first["state"]["cluster"] == trace["initial"]["cluster"]  # refused: nothing changed


def test_apply_that_states_replicas_fights_the_hpa(tmp_path: Path) -> None:
    r, _ = _check(HPA / "cluster.yaml", HPA / "apply-with-replicas.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-HPA-001", r.stdout)
    assert "1. user: user_apply_deployment (web)" in r.stdout


def test_apply_without_replicas_leaves_them_to_the_hpa(tmp_path: Path) -> None:
    r, _ = _check(HPA / "cluster.yaml", HPA / "apply-without-replicas.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-HPA-001", r.stdout)


# ------------------------------------------------------------------------------- bad input


def _bad(tmp_path: Path, text: str, extra: dict[str, str] | None = None) -> tuple[int, str, Path]:
    scen = tmp_path / "s.yaml"
    scen.write_text(text, encoding="utf-8")
    for name, body in (extra or {}).items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    r, _ = invoke(["check", str(OVERLAP / "deployment.yaml"), "--scenario-file", str(scen), "--nodes", "1"], tmp_path)
    return r.exit_code, r.stderr.strip(), scen


def test_apply_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - apply: nope.yaml\n")
    assert code == 2 and err == f"{scen}:3: actions[0].apply: no such file: {tmp_path / 'nope.yaml'}", err


def test_a_bad_manifest_in_an_applied_file_is_that_files_line(tmp_path: Path) -> None:
    code, err, _ = _bad(tmp_path, "name: x\nactions:\n  - create: rs.yaml\n",
                        {"rs.yaml": "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  replicas: -1\n"
                                    "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
                                    "    spec: {containers: [{name: c, image: i}]}\n"})
    assert code == 2 and err.startswith(f"{tmp_path / 'rs.yaml'}:5: spec.replicas: "), err
    assert "\n" not in err


def test_after_an_unknown_step_is_one_line(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - scale: {kind: Deployment, name: web, replicas: 2}\n    step: up\n"
                                     "  - scale: {kind: Deployment, name: web, replicas: 1}\n    after: down\n")
    assert code == 2 and err == f"{scen}:6: actions[1].after: no step 'down' declared before this action; known: converged, up", err


def test_a_step_name_is_declared_once_and_converged_is_reserved(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - scale: {kind: Deployment, name: web, replicas: 2}\n    step: converged\n")
    assert code == 2 and err == f"{scen}:4: actions[0].step: 'converged' is reserved (after: converged waits for quiescence)", err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - scale: {kind: Deployment, name: web, replicas: 2}\n    step: up\n"
                                     "  - scale: {kind: Deployment, name: web, replicas: 3}\n    step: up\n")
    assert code == 2 and err == f"{scen}:6: actions[1].step: step 'up' is already declared", err


def test_a_bad_step_name_is_a_schema_error(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - apply: a.yaml\n    step: Up Now\n")
    assert code == 2 and err.startswith(f"{scen}:4: actions[0].step: "), err


# -------------------------------------------------------- rollout restart, set env, set resources

RESTART = ROOT / "examples" / "incidents" / "rollout-restart"


def test_a_restart_with_max_unavailable_1_takes_the_only_pod_down(tmp_path: Path) -> None:
    r, work = _check(RESTART / "deployment-unavailable.yaml", RESTART / "restart.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-ROLL-004", r.stdout)
    assert "1. user: user_restart_deployment (web@restart-1)" in r.stdout
    trace = json.loads((work / "kubecheck-out" / "restart" / "kc-roll-004" / "trace.json").read_text())
    assert trace["steps"][0]["label"] == "user_restart_deployment"


def test_a_restart_with_max_surge_1_keeps_a_ready_pod(tmp_path: Path) -> None:
    r, _ = _check(RESTART / "deployment-surge.yaml", RESTART / "restart.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout)


def test_edits_while_paused_then_resume_then_restart_once_quiet(tmp_path: Path) -> None:
    r, _ = _check(RESTART / "deployment-surge.yaml", RESTART / "edits.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout) and re.search(r"HOLDS\s+KC-CONV-002", r.stdout)


def test_the_edits_scenario_loads_as_ordered_actions(tmp_path: Path) -> None:
    from kubecheck.scenarios import load_scenario_file
    from model.environment import PauseDeployment, ResumeDeployment
    from model.frozen import FrozenMap
    from model.manifests import load_manifests
    from model.sequence import After
    from model.state import ClusterState
    from model.template_edits import RestartRollout, SetEnv, SetResources

    cluster = ClusterState.from_objects(load_manifests([str(RESTART / "deployment-surge.yaml")]).objects)
    spec = load_scenario_file(str(RESTART / "edits.yaml"), cluster=cluster)
    acts = [a for a, _ in spec.user_actions]
    pause = PauseDeployment("web")
    early = After(RestartRollout("Deployment", "web"), (pause,))
    env = After(SetEnv("Deployment", "web", FrozenMap({"LOG_LEVEL": "debug"})), (early,))
    res = After(SetResources("Deployment", "web", FrozenMap({"cpu": "200m"}), FrozenMap({"memory": "256Mi"})), (env,))
    resume = After(ResumeDeployment("web"), (res,))
    assert acts == [pause, early, env, res, resume, After(RestartRollout("Deployment", "web"), (resume,), converged=True)]


def test_bad_template_edits_are_one_line(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - set-resources: {kind: Deployment, name: web}\n")
    assert code == 2 and err == f"{scen}:3: actions[0].set-resources: you must specify an update to requests or limits (kubectl set resources)", err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - restart: {kind: ReplicaSet, name: web}\n")
    assert code == 2 and err.startswith(f"{scen}:3: actions[0].restart.kind: must be one of: Deployment, DaemonSet, StatefulSet"), err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - set-env: {kind: Deployment, name: web, container: nope, env: {A: b}}\n")
    assert code == 2 and err == (f"{scen}:3: actions[0].set-env.container: Deployment \"default/web\" has no container 'nope'; "
                                 "its containers: nginx"), err


# -------------------------------------------------------------------- timed facts (serves-after)

SLOW = ROOT / "examples" / "incidents" / "slow-start-no-probe"


def test_min_ready_seconds_shorter_than_the_app_start_lets_the_old_pod_go_too_early(tmp_path: Path) -> None:
    r, work = _check(SLOW / "deployment-min-ready-10.yaml", SLOW / "rollout-slow-start.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-ROLL-004", r.stdout)
    trace = json.loads((work / "kubecheck-out" / "rollout-slow-start" / "kc-roll-004" / "trace.json").read_text())
    labels = [s["label"] for s in trace["steps"]]
    assert "expiry_min_ready_seconds" in labels and "app_starts_serving" not in labels
    assert labels[-1] == "rs_delete_pod"


def test_min_ready_seconds_longer_than_the_app_start_holds(tmp_path: Path) -> None:
    r, _ = _check(SLOW / "deployment-min-ready-30.yaml", SLOW / "rollout-slow-start.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout) and "exhaustive" in r.stdout


def test_serves_after_must_be_a_non_negative_integer(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, 'name: x\nimages:\n  "nginx:2": {serves-after: -1}\n')
    assert code == 2 and err.startswith(f"{scen}:3: images.nginx:2.serves-after: must be >= 0"), err


# ------------------------------------------------------------- conditional convergence (fair: true)

IMAGES = ROOT / "examples" / "incidents" / "image-pull-rollout"


def test_after_a_fair_revert_the_stuck_rollout_converges(tmp_path: Path) -> None:
    r, _ = _check(IMAGES / "deployment.yaml", IMAGES / "revert-fair.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-CONV-002", r.stdout) and "exhaustive" in r.stdout


def test_without_fair_the_user_may_never_revert(tmp_path: Path) -> None:
    r, work = _check(IMAGES / "deployment.yaml", IMAGES / "revert-unfair.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-CONV-002", r.stdout)
    trace = json.loads((work / "kubecheck-out" / "revert-unfair" / "kc-conv-002-deployment-default-web" / "trace.json").read_text())
    assert "user_update_image_deployment" in [s["label"] for s in trace["steps"]]


def test_fair_loads_as_a_fair_wrapper_and_is_a_fair_step(tmp_path: Path) -> None:
    from kubecheck.scenarios import load_scenario_file
    from model.sequence import After
    from model.system import KubeSystem, Scenario

    spec = load_scenario_file(str(IMAGES / "revert-fair.yaml"))
    bad, revert = (a for a, _ in spec.user_actions)
    assert isinstance(revert, After) and revert.fair and revert.converged and revert.steps == (bad,)
    from model.manifests import load_manifests
    from model.state import ClusterState
    from tests.model.builders_runtime import node

    cluster = ClusterState.from_objects([node(), *load_manifests([str(IMAGES / "deployment.yaml")]).objects])
    system = KubeSystem(Scenario(cluster, user_actions=(After(bad.inner if isinstance(bad, After) else bad, fair=True),)))
    s = system.init_states()[0]
    while (fair := [n for a, n in system.successors(s) if a.fair and a.actor != "user"]):
        s = fair[0]
    ((a, _),) = [(a, n) for a, n in system.successors(s) if a.actor == "user"]
    assert a.fair and a.fairness_key == ("user", 0)


# ------------------------------------------ StatefulSet claim resize: refused, orphan, re-apply

RESIZE = ROOT / "examples" / "incidents" / "statefulset-claim-resize"


def test_the_orphan_and_reapply_workaround_keeps_the_pod_and_its_claim(tmp_path: Path) -> None:
    r, _ = _check(RESIZE / "statefulset.yaml", RESIZE / "resize-orphan-reapply.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    for rule in ("KC-OWN-005", "KC-STS-003", "KC-CONV-003"):
        assert re.search(rf"HOLDS\s+{rule}", r.stdout), rule


def test_the_resize_scenario_reaches_the_adopting_statefulset_through_the_refused_apply() -> None:
    """BFS over the scenario: the first apply is refused with ValidateStatefulSetUpdate's message; a
    state is reached where the re-created 2Gi StatefulSet controls the original db-0 (same pod UID)."""
    from collections import deque

    from kubecheck.scenarios import load_scenario_file, settle, with_nodes
    from model.manifests import load_manifests
    from model.state import ClusterState
    from model.system import KubeSystem, Scenario
    from model.update_validation import STATEFUL_SET_FORBIDDEN

    objects, _ = with_nodes(tuple(load_manifests([str(RESIZE / "statefulset.yaml")]).objects), 1)
    start = ClusterState.from_objects(objects)
    spec = load_scenario_file(str(RESIZE / "resize-orphan-reapply.yaml"), cluster=start)
    boot = KubeSystem(Scenario(start))
    first = settle(boot, boot.init_states()[0]).state.cluster
    (pod,) = first.pods.values()
    system = KubeSystem(spec.to_scenario(first, "write"))
    seen, queue, refused, adopted = set(), deque(system.init_states()), [], False
    while queue:
        s = queue.popleft()
        for a, n in system.successors(s):
            if a.label == "user_apply_statefulset_refused":
                refused.append(a.data[1])
            sts = n.cluster.get("StatefulSet", "default", "db")
            p = n.cluster.get("Pod", "default", pod.name)
            if (sts is not None and sts.volume_claim_templates[0].storage == "2Gi"
                    and p is not None and p.uid == pod.uid and p.controller_ref() is not None and p.controller_ref().uid == sts.uid):
                adopted = True
            if n not in seen:
                seen.add(n)
                queue.append(n)
    assert refused and all(m == f'db: StatefulSet.apps "db" is invalid: spec: Forbidden: {STATEFUL_SET_FORBIDDEN}' for m in refused)
    assert adopted


# ------------------------------------------------------------------------- when: state conditions

PARTITION = ROOT / "examples" / "incidents" / "statefulset-partition-midway"


def test_raising_the_partition_while_the_rollout_runs_leaves_an_updated_pod_below_it(tmp_path: Path) -> None:
    r, work = _check(PARTITION / "statefulset.yaml", PARTITION / "raise-midway.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-STS-006", r.stdout)
    trace = json.loads((work / "kubecheck-out" / "raise-midway" / "kc-sts-006-statefulset-default-web" / "trace.json").read_text())
    labels = [s["label"] for s in trace["steps"]]
    assert labels[0] == "user_update_image_statefulset" and labels[-1] == "user_apply_statefulset"
    before_apply = trace["steps"][-2]["state"]["cluster"] if len(trace["steps"]) > 1 else trace["initial"]["cluster"]
    assert "web-2" in json.dumps(before_apply)


def test_raising_the_partition_once_the_rollout_is_complete_holds(tmp_path: Path) -> None:
    r, _ = _check(PARTITION / "statefulset.yaml", PARTITION / "raise-after-complete.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-STS-006", r.stdout) and "exhaustive" in r.stdout


def _explore(manifest: Path, scenario: Path) -> list[tuple[str, object, object]]:
    """Every (label, state, successor) of the scenario's graph from the settled start."""
    from collections import deque

    from kubecheck.scenarios import load_scenario_file, settle, with_nodes
    from model.manifests import load_manifests
    from model.state import ClusterState
    from model.system import KubeSystem, Scenario

    objects, _ = with_nodes(tuple(load_manifests([str(manifest)]).objects), 1)
    start = ClusterState.from_objects(objects)
    spec = load_scenario_file(str(scenario), cluster=start)
    boot = KubeSystem(Scenario(start))
    first = settle(boot, boot.init_states()[0]).state.cluster
    system = KubeSystem(spec.to_scenario(first, "write"))
    seen, queue, edges = set(), deque(system.init_states()), []
    while queue:
        s = queue.popleft()
        for a, n in system.successors(s):
            edges.append((a.label, s, n))
            if n not in seen:
                seen.add(n)
                queue.append(n)
    return edges


def test_the_guarded_apply_happens_only_in_states_where_its_condition_holds() -> None:
    """Both directions of the guard: the apply is reached (not vacuously never enabled), and only in
    states where kubectl rollout status says complete (resp. in progress)."""
    from model.rollout_status import stateful_set_status

    for scen, want in (("raise-after-complete.yaml", "complete"), ("raise-midway.yaml", "started")):
        applies = [s for label, s, _ in _explore(PARTITION / "statefulset.yaml", PARTITION / scen)
                   if label == "user_apply_statefulset"]
        assert applies, scen
        for s in applies:
            _, done, err = stateful_set_status(s.cluster.get("StatefulSet", "default", "web"))  # type: ignore[attr-defined]
            assert (done and not err) == (want == "complete"), scen


def test_name_free_waits_for_the_garbage_collector_after_an_orphan_delete(tmp_path: Path) -> None:
    """kubectl delete --cascade=orphan leaves the object (orphan finalizer) until the garbage collector
    has released its pods: a create at once can be refused (AlreadyExists); when: name-free never is."""
    (tmp_path / "sts.yaml").write_text((RESIZE / "statefulset.yaml").read_text())
    base = ("name: x\nactions:\n  - delete: {kind: StatefulSet, name: db, propagation: Orphan}\n    step: orphan\n"
            "  - create: sts.yaml\n    after: orphan\n")
    (tmp_path / "at-once.yaml").write_text(base)
    (tmp_path / "when-free.yaml").write_text(base + "    when: {name-free: {kind: StatefulSet, name: db}}\n")
    at_once = [label for label, _, _ in _explore(tmp_path / "sts.yaml", tmp_path / "at-once.yaml")]
    when_free = [label for label, _, _ in _explore(tmp_path / "sts.yaml", tmp_path / "when-free.yaml")]
    assert "user_create_statefulset_refused" in at_once and "user_create_statefulset" in at_once
    assert "user_create_statefulset_refused" not in when_free and "user_create_statefulset" in when_free


def test_when_is_validated_by_the_schema_and_checked_for_a_target(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - scale: {kind: Deployment, name: web, replicas: 2}\n"
                                     "    when: rollout-finished\n")
    assert code == 2 and err.startswith(f"{scen}:4: actions[0].when: must be rollout-complete, rollout-started or rollout-stuck"), err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - cordon: {node: node-1}\n    when: rollout-complete\n")
    assert code == 2 and err == (f"{scen}:4: actions[0].when: rollout-complete needs a Deployment, StatefulSet or DaemonSet: "
                                 "this action names none; write rollout-complete: {kind: KIND, name: NAME}"), err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - cordon: {node: node-1}\n"
                                     "    when: [{name-free: {kind: Pod, name: web-0}}, {rollout-stuck: {kind: StatefulSet, name: db}}]\n")
    assert code == 2 and err.startswith(f"{scen}:4: actions[0].when[1]: rollout-stuck needs a Deployment"), err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - cordon: {node: node-1}\n    when: {name-free: {name: db}}\n")
    assert code == 2 and err.startswith(f"{scen}:4: actions[0].when"), err
    assert "\n" not in err and "Traceback" not in err


def test_rollout_stuck_turns_on_the_progress_deadline_and_guards_the_revert(tmp_path: Path) -> None:
    from model.deployment_util import TIMED_OUT_REASON, get_deployment_condition

    (tmp_path / "deployment.yaml").write_text((IMAGES / "deployment.yaml").read_text())
    (tmp_path / "stuck.yaml").write_text(
        "name: x\nactions:\n  - set-image: {kind: Deployment, name: web, image: 'nginx:1.28-typo'}\n    step: bad\n"
        "  - set-image: {kind: Deployment, name: web, image: 'nginx:1.27'}\n    after: bad\n    when: rollout-stuck\n"
        "images:\n  'nginx:1.28-typo': {pull: fails}\n")
    edges = _explore(tmp_path / "deployment.yaml", tmp_path / "stuck.yaml")
    assert any(label == "expiry_progress_deadline" for label, _, _ in edges)
    reverts = [s for label, s, n in edges if label == "user_update_image_deployment"
               and n.cluster.get("Deployment", "default", "web").template.containers[0].image == "nginx:1.27"]  # type: ignore[attr-defined]
    assert reverts
    for s in reverts:
        cond = get_deployment_condition(s.cluster.get("Deployment", "default", "web").status, "Progressing")  # type: ignore[attr-defined]
        assert cond is not None and cond.reason == TIMED_OUT_REASON


# --------------------------------------------------------- KC-STS-007: claim identity across scaling

CLAIMS = ROOT / "examples" / "incidents" / "statefulset-scale-claims"


def test_whenscaled_retain_gives_db_1_its_claim_back(tmp_path: Path) -> None:
    r, _ = _check(CLAIMS / "retain.yaml", CLAIMS / "scale-down-up.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-STS-007", r.stdout) and "exhaustive" in r.stdout


def test_whenscaled_delete_loses_db_1s_claim(tmp_path: Path) -> None:
    r, work = _check(CLAIMS / "delete.yaml", CLAIMS / "scale-down-up.yaml", tmp_path)
    assert re.search(r"VIOLATED\s+KC-STS-007\s+StatefulSet default/db\s+\S+delete.yaml:\d+\s+\[warning\]", r.stdout), r.stdout
    assert re.search(r"HOLDS\s+KC-STS-003", r.stdout)  # the name check alone passes
    trace = json.loads((work / "kubecheck-out" / "scale-down-up" / "kc-sts-007-statefulset-default-db" / "trace.json").read_text())
    assert [s["label"] for s in trace["steps"]][-1] == "gc_delete_pvc"
    assert r.exit_code == 0  # a warning: below --fail-on error


# ------------------------------------------------------------------- unready-after: N (timed fact)

UNREADY = ROOT / "examples" / "incidents" / "unready-after-start"


def test_min_ready_longer_than_the_unready_window_keeps_the_old_pod(tmp_path: Path) -> None:
    r, _ = _check(UNREADY / "deployment-min-ready-10.yaml", UNREADY / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+KC-ROLL-004", r.stdout) and "exhaustive" in r.stdout


def test_min_ready_shorter_than_the_unready_window_lets_the_old_pod_go(tmp_path: Path) -> None:
    r, work = _check(UNREADY / "deployment-min-ready-5.yaml", UNREADY / "rollout-turns-unready.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+KC-ROLL-004", r.stdout)
    labels = [s["label"] for s in json.loads((work / "kubecheck-out" / "rollout-turns-unready" / "kc-roll-004" / "trace.json")
                                              .read_text())["steps"]]
    avail, gone, unready = labels.index("expiry_min_ready_seconds"), labels.index("rs_delete_pod"), labels.index("kubelet_probe_unready")
    assert avail < gone < unready  # available first, the old pod goes, then the new app turns unready


def test_unready_after_is_a_non_negative_integer_and_contradicts_never(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, 'name: x\nimages:\n  "nginx:2": {unready-after: -1}\n')
    assert code == 2 and err.startswith(f"{scen}:3: images.nginx:2.unready-after: must be >= 0"), err
    code, err, scen = _bad(tmp_path, 'name: x\nimages:\n  "nginx:2": {unready-after: 8, ready: never}\n')
    assert code == 2 and err.startswith(f"{scen}:3: images.nginx:2.ready: must be one of: ok, stops"), err


def test_a_when_condition_on_an_object_nothing_creates_is_one_line(tmp_path: Path) -> None:
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - cordon: {node: node-1}\n"
                                     "    when: {rollout-complete: {kind: StatefulSet, name: db}}\n")
    assert code == 2 and err == f'{scen}:4: actions[0].when: no StatefulSet "default/db" in the manifests', err
    code, err, scen = _bad(tmp_path, "name: x\nactions:\n  - cordon: {node: node-1}\n    when: [rollout-complete, {pod-ready: web-0}]\n")
    assert code == 2 and err.startswith(f'{scen}:4: actions[0].when[1]: no pod "default/web-0" in the manifests'), err
