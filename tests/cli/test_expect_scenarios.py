"""``expect:`` in scenario files: "after STEP / when CONDITION, eventually GOAL" (leads-to, issue #19
item 5) through the CLI.

examples/incidents/undo-after-broken-image: a rollout to a tag that cannot be pulled, then
``kubectl rollout undo``; ``expect: after: undo, eventually: converged`` HOLDS when the undo target
(nginx:1.28) pulls and is VIOLATED when it cannot be pulled either (one image fact differs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_check import invoke

UNDO = ROOT / "examples" / "incidents" / "undo-after-broken-image"


def _check(scenario: Path, tmp_path: Path, *more: str):  # type: ignore[no-untyped-def]
    return invoke(["check", str(UNDO / "deployment.yaml"), "--scenario-file", str(scenario), "--nodes", "1", "--progress", "off", *more],
                  tmp_path)


def test_the_two_files_differ_in_one_image_fact_only() -> None:
    def body(name: str) -> list[str]:
        lines = (UNDO / name).read_text().splitlines()
        return [line for line in lines if not line.startswith(("#", "name:", "description:"))]

    extra = '  "nginx:1.28": {pull: fails}         # the one setting that differs from undo-converges.yaml'
    broken = body("undo-to-broken.yaml")
    assert extra in broken
    broken.remove(extra)
    assert broken == body("undo-converges.yaml")


def test_after_the_undo_the_deployment_converges(tmp_path: Path) -> None:
    r, _ = _check(UNDO / "undo-converges.yaml", tmp_path)
    assert r.exit_code == 0, r.output
    assert re.search(r"HOLDS\s+EXPECT-undo-converges-1", r.stdout) and "exhaustive" in r.stdout
    assert "KC-CONV-002" not in r.stdout  # properties: [] checks the expectation only


def test_after_an_undo_to_a_broken_image_it_never_converges(tmp_path: Path) -> None:
    r, work = _check(UNDO / "undo-to-broken.yaml", tmp_path)
    assert r.exit_code == 1, r.output
    assert re.search(r"VIOLATED\s+EXPECT-undo-to-broken-1", r.stdout)
    assert "after step undo taken, eventually converged" in r.stdout
    m = re.search(r"the trigger holds after step (\d+) and the goal never holds from there on", r.stdout)
    assert m, r.stdout
    assert f"{m.group(1)}. user: user_rollback_deployment (web@0)   <- the trigger holds from here" in r.stdout
    tdir = work / "kubecheck-out" / "undo-to-broken" / "expect-undo-to-broken-1"
    trace = json.loads((tdir / "trace.json").read_text())
    labels = [s["label"] for s in trace["steps"]]
    # the trigger is the state right after the undo: the P step is the rollback
    assert labels[int(m.group(1)) - 1] == "user_rollback_deployment"
    assert labels.count("user_rollback_deployment") == 1
    assert trace["loop_start"] is not None and trace["loop_start"] >= int(m.group(1))
    assert labels[int(m.group(1)):].count("kubelet_pull_image_failed") >= 1  # the undo target fails to pull
    # both views mark the trigger state; the truth row is the goal's
    at = int(m.group(1))
    lanes = (tdir / "lanes.dot").read_text().replace("<BR/>", " ")  # cells wrap long text
    assert "trigger holds here; the goal never follows" in lanes and "EXPECT-undo-to-broken-1 goal holds" in lanes
    path = (tdir / "trace.dot").read_text()
    assert re.search(rf"s{at} \[label=<.*state {at} .*trigger holds here", path), path[:2000]
    assert "trigger holds here;" in (tdir / "lanes.svg").read_text()
    # kubecheck replay rebuilds the expectation from the scenario file and the judge still says violated
    rr, _ = invoke(["replay", str(tdir / "trace.json")], tmp_path)
    assert rr.exit_code == 0, rr.output
    assert "still violates EXPECT-undo-to-broken-1" in rr.stdout


def test_expectations_are_judged_in_their_own_scenario_only(tmp_path: Path) -> None:
    r, _ = invoke(["check", str(UNDO / "deployment.yaml"), "--scenario-file", str(UNDO / "undo-converges.yaml"),
                   "-s", "pod-crash", "-p", "KC-CONV-002", "--progress", "off", "--format", "json"], tmp_path)
    doc = json.loads(r.stdout)
    seen = {(f["scenario"], f["rule_id"]): f["verdict"] for f in doc["findings"]}
    assert seen[("undo-converges", "EXPECT-undo-converges-1")] == "holds"
    assert ("pod-crash", "EXPECT-undo-converges-1") not in seen
    assert seen[("pod-crash", "KC-CONV-002")] == "holds"
    kinds = {f["rule_id"]: f["kind"] for f in doc["findings"]}
    assert kinds["EXPECT-undo-converges-1"] == "leads_to"


# ------------------------------------------------------------------------------- bad input

_UNDO_STEP = "actions:\n  - rollback: {name: web}\n    step: undo\n"


@pytest.mark.parametrize("body,line,field,message", [
    ("expect:\n  - after: undo\n", 3, "expect[0]", "missing required key eventually (required: eventually)"),
    ("expect:\n  - eventually: converged\n", 3, "expect[0]",
     "an expectation needs a trigger: after: STEP (a step: of actions) and/or when: CONDITION"),
    ("expect:\n  - after: undo\n    eventually: converged\n    bogus: 1\n", 5, "expect[0].bogus",
     "unknown key bogus; allowed: id, title, after, when, eventually, severity"),
    ("expect:\n  - after: undo\n    eventually: nonsense\n", 4, "expect[0].eventually",
     "must be converged, a condition (rollout-complete/rollout-started/rollout-stuck: {kind, name}, pod-running/pod-ready: "
     "NAME, name-free: {kind, name}) or a non-empty list of these"),
    ("expect:\n  - after: undo\n    eventually: {pod-ready: 3}\n", 4, "expect[0].eventually.pod-ready",
     "must be a pod name or a mapping {name, namespace}"),
    ("expect:\n  - after: undo\n    eventually: converged\n", 3, "expect[0].after",
     "no step 'undo' in actions; known: none (declare one with step: NAME on an action)"),
    (_UNDO_STEP + "expect:\n  - after: converged\n    eventually: converged\n", 6, "expect[0].after",
     "after: names steps here (step: in actions); 'converged' is a goal: write eventually: converged"),
    (_UNDO_STEP + "expect:\n  - after: undo\n    eventually: rollout-complete\n", 7, "expect[0].eventually",
     "rollout-complete needs a workload here (an expectation acts on none): write rollout-complete: {kind: KIND, name: NAME}"),
    (_UNDO_STEP + "expect:\n  - when: {rollout-stuck: {kind: StatefulSet, name: web}}\n    eventually: converged\n", 6,
     "expect[0].when", "rollout-stuck needs a Deployment (StatefulSet has no progressDeadlineSeconds: kubectl rollout status "
     "never reports it stuck)"),
    (_UNDO_STEP + "expect:\n  - after: undo\n    eventually: {rollout-complete: {name: nope}}\n", 7, "expect[0].eventually",
     'no Deployment "default/nope" in the manifests'),
    (_UNDO_STEP + "expect:\n  - id: A\n    after: undo\n    eventually: converged\n  - id: A\n    after: undo\n"
     "    eventually: converged\n", 9, "expect[1].id", "rule ID A is already used by another expectation of this file"),
    (_UNDO_STEP + "expect:\n  - id: KC-CONV-002\n    after: undo\n    eventually: converged\n", 6, "expect[0].id",
     "rule ID KC-CONV-002 is already a catalogue or --rules rule"),
    (_UNDO_STEP + "expect:\n  - id: 9x\n    after: undo\n    eventually: converged\n", 6, "expect[0].id",
     "must be a rule ID: a letter, then letters, digits, '-', '_' or '.' (at most 64 characters)"),
    ("expect: {after: undo}\n", 2, "expect", "must be a list (YAML: a mapping given)"),
])
def test_a_bad_expectation_is_one_line_and_exit_2(tmp_path: Path, body: str, line: int, field: str, message: str) -> None:
    scen = tmp_path / "s.yaml"
    scen.write_text("name: x\n" + body, encoding="utf-8")
    r, _ = invoke(["check", str(UNDO / "deployment.yaml"), "--scenario-file", str(scen), "--nodes", "1"], tmp_path)
    assert r.exit_code == 2, r.output
    assert r.stderr.strip() == f"{scen}:{line}: {field}: {message}"


def test_an_expectation_can_be_excluded_by_its_id(tmp_path: Path) -> None:
    r, _ = _check(UNDO / "undo-to-broken.yaml", tmp_path, "--exclude", "EXPECT-undo-to-broken-1")
    assert r.exit_code == 0, r.output
    assert "1 suppressed" in r.stdout
    r, _ = _check(UNDO / "undo-converges.yaml", tmp_path, "--exclude", "EXPECT-nope")
    assert r.exit_code == 2 and "unknown rule ID 'EXPECT-nope'" in r.stderr and "EXPECT-undo-converges-1" in r.stderr


@pytest.mark.parametrize("flag", ["--symmetry", "--por", "--fingerprint"])
def test_the_reduction_planner_runs_expectations_unreduced(tmp_path: Path, flag: str) -> None:
    r, _ = _check(UNDO / "undo-converges.yaml", tmp_path, flag)
    assert r.exit_code == 0, r.output
    assert re.search(r"search: 1 properties, \d+ states, .* reductions: none, exhaustive", r.stdout), r.stdout
    assert re.search(r"HOLDS\s+EXPECT-undo-converges-1", r.stdout)


_PINNED = """apiVersion: v1
kind: Node
metadata: {{name: node-1, labels: {{disk: ssd}}}}
---
apiVersion: v1
kind: Node
metadata: {{name: node-2, labels: {{disk: {second}}}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: cache}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: cache}}}}
  template:
    metadata: {{labels: {{app: cache}}}}
    spec:
      nodeSelector: {{disk: ssd}}
      containers: [{{name: app, image: "memcached:1"}}]
"""


@pytest.mark.parametrize("second,code", [("hdd", 1), ("ssd", 0)])
def test_the_catalogue_leads_to_rule_through_the_cli(tmp_path: Path, second: str, code: int) -> None:
    """KC-AVAIL-002 under -s node-failure: the operator deletes the lost node (every node is Ready: the
    trigger); with no other ssd node the replacement pod fits nowhere."""
    manifest = tmp_path / "pinned.yaml"
    manifest.write_text(_PINNED.format(second=second), encoding="utf-8")
    r, _ = invoke(["check", str(manifest), "-s", "node-failure", "-p", "KC-AVAIL-002", "--progress", "off"], tmp_path)
    assert r.exit_code == code, r.output
    if code:
        assert re.search(r"VIOLATED\s+KC-AVAIL-002\s+ReplicaSet default/cache", r.stdout)
        assert "operator: operator_delete_node (node-1)   <- the trigger holds from here" in r.stdout
    else:
        assert re.search(r"HOLDS\s+KC-AVAIL-002\s+ReplicaSet default/cache", r.stdout) and "exhaustive" in r.stdout
