"""The Recreate strategy in the count model (kubecheck/symbolic/rollout.py ``_dc_recreate``).

* The checked refinement (kubecheck/symbolic/refinement.py) over the FULL explicit graph of
  ``kubecheck check --scenario rollout`` for a Recreate Deployment at replicas 1..3, write
  granularity (as ``check``) with 0 and 1 container crash, and reconcile granularity with 0 and 1;
  ``KUBECHECK_SLOW=1`` adds 2 crashes at both granularities (write, replicas 3: ~60k states, ~55 s CPU).
* KC-ROLL-005 (no overlap of old and new pods) proved by induction for every replicas 1..10,000,
  and refuted when the Deployment controller does not wait for the old pods (a seeded bug).
* ``kubecheck check`` on a 10-replica Recreate Deployment: decided by the count model before the
  explicit search, the verdict line naming the engine.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import kubecheck.symbolic.rollout as rollout
from kubecheck.cli import cli
from kubecheck.symbolic.bridge import _deployment
from kubecheck.symbolic.check import NOT_COVERED, PROVED, count_verdict, coverage
from kubecheck.symbolic.prove import VIOLATED, prove_rollout
from kubecheck.symbolic.refinement import check_refinement, rollout_system
from kubecheck.symbolic.rollout import CountSystem, recreate_no_overlap_holds
from model.environment import DeleteFailedNode, FaultBudget, SetImage
from properties.catalogue import recreate_no_overlap

FAST = [
    # (replicas, crashes, granularity)
    (1, 0, "write"), (2, 0, "write"), (3, 0, "write"),
    (1, 1, "write"), (2, 1, "write"),
    (2, 0, "reconcile"), (3, 0, "reconcile"),
    (1, 1, "reconcile"), (2, 1, "reconcile"), (3, 1, "reconcile"),
]
SLOW = [(2, 2, "write"), (3, 2, "write"), (2, 2, "reconcile"), (3, 2, "reconcile"),
        (3, 1, "write")]  # ~18 s CPU: the r2 write and r3 reconcile instances run in CI (CI time, session 14)
CASES = FAST + (SLOW if os.environ.get("KUBECHECK_SLOW") else [])


@pytest.mark.parametrize("replicas, crashes, granularity", CASES, ids=[f"r{r}-c{c}-{g}" for r, c, g in CASES])
def test_every_recreate_transition_is_a_count_transition_or_a_stutter(replicas: int, crashes: int, granularity: str) -> None:
    system, project, f = rollout_system(replicas, "25%", "25%", crashes=crashes, granularity=granularity, strategy="Recreate")
    init = system.init_states()[0]
    assert project(init).recreate == 1
    res = check_refinement(system, project, f, write=granularity == "write")
    assert res.ok, res.describe()
    # the Recreate steps really happen: the old ReplicaSet scaled to 0, then the new one created, both as the count `dc`
    assert res.mapped["dc_scale_down_old_rs"] == {"dc"}
    assert res.mapped["dc_create_rs"] == {"dc"}
    assert res.states > 50 * replicas and res.stutters < res.transitions


def _explicit_states(system: object, limit: int = 100_000) -> list[object]:
    seen = {}
    stack = list(system.init_states())  # type: ignore[attr-defined]
    while stack:
        s = stack.pop()
        k = system.canonical(s)  # type: ignore[attr-defined]
        if k in seen:
            continue
        seen[k] = s
        assert len(seen) < limit
        stack.extend(n for _, n in system.successors(s))  # type: ignore[attr-defined]
    return list(seen.values())


@pytest.mark.parametrize("replicas, crashes", [(2, 0), (2, 1), (3, 0)])
def test_the_count_predicate_is_sound_for_kc_roll_005(replicas: int, crashes: int) -> None:
    """In every reachable object state: the count predicate on the projection implies the catalogue's
    KC-ROLL-005, and no pod of the new ReplicaSet is terminating (what the predicate's extra conjuncts
    carry to every replicas); the rollout completes (a state with only new pods)."""
    system, project, _ = rollout_system(replicas, "25%", "25%", crashes=crashes, strategy="Recreate")
    done = False
    for s in _explicit_states(system):
        p = project(s)
        assert recreate_no_overlap_holds(p)
        assert recreate_no_overlap.check(s.cluster, ("Deployment", "default", "web"))  # type: ignore[attr-defined]
        assert p.terminating == 0 or p.new_created == 0
        done = done or (p.new_available == replicas and p.old_available + p.old_unavailable == 0)
    assert done


def test_the_count_model_reaches_the_new_pods_only_after_the_old_ones() -> None:
    for r in (1, 2, 3):
        states = CountSystem(r, 0, 1, disruptions=1, write=True, recreate=True).reachable()
        assert all(recreate_no_overlap_holds(s) for s in states)
        assert any(s.new_available == r for s in states)
        assert any(s.terminating > 0 and s.new_created == 0 for s in states)


@pytest.mark.parametrize("replicas, crashes, granularity",
                         [((10, 10), 1, "write"), ((100, 100), 1, "write"), ((1, 10_000), 2, "write"), ((1, 10_000), 1, "reconcile")])
def test_no_overlap_is_proved_for_every_replicas(replicas: tuple[int, int], crashes: int, granularity: str) -> None:
    res = prove_rollout(replicas, 0, 1, crashes, 60, properties=("no-overlap",), granularity=granularity, strategy="Recreate")
    assert res.properties[0].status == "PROVED", res.properties[0].message


def test_a_controller_that_does_not_wait_for_the_old_pods_is_refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded bug (the mutant recreate_does_not_wait_for_old_pods): oldPodsRunning always false."""
    real = rollout._dc_recreate

    def eager(o, f, s, write=False):  # type: ignore[no-untyped-def]
        return real(o, f, replace(s, old_unavailable=0, old_available=0, terminating=0), write)[0], \
            replace(real(o, f, replace(s, old_unavailable=0, old_available=0, terminating=0), write)[1],
                    old_unavailable=s.old_unavailable, old_available=s.old_available, terminating=s.terminating)

    monkeypatch.setattr(rollout, "_dc_recreate", eager)
    res = prove_rollout((1, 10_000), 0, 1, 0, 60, properties=("no-overlap",), granularity="write", strategy="Recreate",
                        replay_limit=0)
    assert res.properties[0].status == VIOLATED
    assert res.properties[0].counterexample is not None and res.properties[0].counterexample.replicas >= 1


def test_recreate_coverage_and_verdicts(tmp_path: Path) -> None:
    d = _deployment(10, "25%", "25%")
    d = replace(d, strategy=replace(d.strategy, type="Recreate"))
    own = (SetImage("Deployment", "web", "x:2"), 1)
    assert coverage(d, [own], FaultBudget(container_crash=1), "write", False) == ""
    assert "Recreate rollout" in coverage(d, [own], FaultBudget(node_failure=1), "write", False)  # see below
    assert coverage(replace(d, min_ready_seconds=5), [own], FaultBudget(), "write", False) == ""  # checked: see below
    # crashes at reconcile granularity: the ReplicaSet step chooses its crashed or healthy victims (rollout._rs)
    assert coverage(d, [own], FaultBudget(container_crash=1), "reconcile", False) == ""
    assert coverage(d, [own], FaultBudget(), "reconcile", False) == ""
    cv = count_verdict("KC-ROLL-005", d, 1, "write", cache=tmp_path)
    assert cv.status == PROVED and "strategy Recreate" in cv.message and "replicas <= 3" in cv.message
    assert "holds for all replicas 1..10000 with strategy Recreate" in cv.family
    vac = count_verdict("KC-ROLL-001", d, 1, "write", cache=tmp_path)
    assert vac.status == PROVED and vac.engine == "rule definition"
    # without a rollout (pod-crash, node-failure): checked below (NODE_CASES), proved (no new ReplicaSet ever exists)
    assert count_verdict("KC-ROLL-005", d, 0, "write", rollout=False, cache=tmp_path).status == PROVED
    rolling = _deployment(10, "25%", "25%")
    assert coverage(rolling, [own], FaultBudget(container_crash=1), "reconcile", False) == ""
    assert count_verdict("KC-ROLL-005", rolling, 0, "write").status == NOT_COVERED


MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 10
  strategy: {type: Recreate}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
"""


def _kc_roll_005_note(tmp_path: Path, m: Path, scenario: str, *rules: str) -> tuple[list[str], str]:
    """Run ``kubecheck check m -s scenario -p KC-ROLL-005 [-p rules]``; assert exit 0 and that KC-ROLL-005 on
    Deployment web HOLDS, decided by the count model before any explicit search; its output lines and note line."""
    args = ["check", str(m), "-s", scenario, "-p", "KC-ROLL-005", *(x for r in rules for x in ("-p", r)),
            "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    i = next(k for k, ln in enumerate(lines) if "KC-ROLL-005" in ln and "Deployment default/web" in ln)
    assert lines[i].split()[0] == "HOLDS"
    assert lines[i + 1].strip().startswith("decided by the Z3 count model before the explicit search (replicas 10 > 3"), lines[i + 1]
    return lines, lines[i + 1]


def test_cli_decides_a_10_replica_recreate_deployment_with_the_count_model_first(tmp_path: Path) -> None:
    m = tmp_path / "web.yaml"
    m.write_text(MANIFEST, encoding="utf-8")
    lines, note = _kc_roll_005_note(tmp_path, m, "rollout", "KC-ROLL-001")
    assert "strategy Recreate" in note and "family: holds for all replicas 1..10000" in note
    j = next(k for k, ln in enumerate(lines) if "KC-ROLL-001" in ln and "Deployment default/web" in ln)
    assert lines[j + 1].strip().startswith("decided by the rule definition before the explicit search"), lines[j + 1]
    assert "  search:" not in "\n".join(lines)  # no explicit search ran: everything was decided first


# minReadySeconds > 0 with strategy Recreate (issue 16, branch countmrs).  rolloutRecreate reads no availability
# (it waits for the old pods to be gone, not for the new ones to be available), and a pod Ready for less than
# minReadySeconds is one of the count model's not-available pods; so the count model is unchanged and the
# refinement is checked over the full graphs (minReadySeconds 5, no crash: crashes with minReadySeconds stay refused).
MRS_FAST = [(1, "write"), (2, "write"), (1, "reconcile"), (2, "reconcile"), (3, "reconcile")]  # R=3 reconcile: 9,959 states
MRS_SLOW = [(3, "write")]  # 15,814 states, ~15 s CPU
MRS_CASES = MRS_FAST + (MRS_SLOW if os.environ.get("KUBECHECK_SLOW") else [])


@pytest.mark.parametrize("replicas, granularity", MRS_CASES, ids=[f"r{r}-{g}" for r, g in MRS_CASES])
def test_recreate_with_min_ready_seconds_refines(replicas: int, granularity: str) -> None:
    system, project, f = rollout_system(replicas, "25%", "25%", granularity=granularity, strategy="Recreate",
                                        min_ready_seconds=5)
    res = check_refinement(system, project, f, write=granularity == "write")
    assert res.ok, res.describe()
    assert res.mapped["dc_scale_down_old_rs"] == {"dc"} and res.mapped["dc_create_rs"] == {"dc"}
    # the new pods become available only through their minReadySeconds timer (the kubelet's Ready write is a stutter)
    assert "new_pod_available" in res.mapped["expiry_min_ready_seconds"], res.mapped["expiry_min_ready_seconds"]
    assert not any(n.endswith("_pod_available") for lbl, ns in res.mapped.items() if lbl.startswith("kubelet") for n in ns)


def test_recreate_with_min_ready_seconds_needs_the_timer_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Non-vacuity: a count model whose new pods never become available (as if a Recreate rollout ended at the
    kubelet's Ready write) is NOT refined; with minReadySeconds 5 exactly the ``expiry_min_ready_seconds``
    transitions fail, and KC-ROLL-005 holds in every reachable object state with the predicate's projection."""
    import kubecheck.symbolic.refinement as refinement

    real = refinement.py_successors

    def no_new_available(f, s, write=False, recreate=False):  # type: ignore[no-untyped-def]
        return [(n, x) for n, x in real(f, s, write, recreate) if n not in ("new_pod_available", "new_target_available")]

    monkeypatch.setattr(refinement, "py_successors", no_new_available)
    system, project, f = rollout_system(2, "25%", "25%", granularity="reconcile", strategy="Recreate", min_ready_seconds=5)
    res = check_refinement(system, project, f, write=False)
    assert not res.ok and set(res.failures) == {"expiry_min_ready_seconds"}, res.describe()
    monkeypatch.undo()
    for s in _explicit_states(system):
        assert recreate_no_overlap_holds(project(s))
        assert recreate_no_overlap.check(s.cluster, ("Deployment", "default", "web"))  # type: ignore[attr-defined]


def test_cli_decides_a_10_replica_recreate_deployment_with_min_ready_seconds(tmp_path: Path) -> None:
    """Until the refinement above, ``coverage`` refused minReadySeconds with strategy Recreate and the explicit
    search ran (cut); now KC-ROLL-005 is decided by the count model first."""
    d = replace(_deployment(10, "25%", "25%"), min_ready_seconds=5)
    d = replace(d, strategy=replace(d.strategy, type="Recreate"))
    own = (SetImage("Deployment", "web", "x:2"), 1)
    assert coverage(d, [own], FaultBudget(), "write", False) == ""
    assert coverage(d, [own], FaultBudget(), "reconcile", False) == ""
    assert "container crashes" in coverage(d, [own], FaultBudget(container_crash=1), "write", False)
    m = tmp_path / "web.yaml"
    m.write_text(MANIFEST.replace("  replicas: 10\n", "  replicas: 10\n  minReadySeconds: 5\n"), encoding="utf-8")
    lines, _ = _kc_roll_005_note(tmp_path, m, "rollout")
    assert "  search:" not in "\n".join(lines)


# Node failures with strategy Recreate (issue 16, branch countmrs): a rollout (``kubectl set image``) with one node
# failure budget, and the built-in node-failure and pod-crash scenarios (no rollout), two nodes.  At reconcile
# granularity the ReplicaSet step scaling the old ReplicaSet to 0 may delete an unbound replacement of an evicted pod,
# which the API server removes at once (grace 0), together with bound ones that become terminating: rollout._rs
# ``gone``.  (replicas, scenario, node failures, crashes, granularity)
NODE_FAST = [(1, "rollout", 1, 0, "write"), (1, "rollout", 1, 0, "reconcile"),
             (1, "node-failure", 1, 0, "write"), (2, "node-failure", 1, 0, "write"),
             (1, "node-failure", 1, 0, "reconcile"), (2, "node-failure", 1, 0, "reconcile"),
             (3, "node-failure", 1, 0, "reconcile"),
             (1, "pod-crash", 0, 1, "write"), (2, "pod-crash", 0, 1, "write"), (3, "pod-crash", 0, 1, "write"),
             (1, "pod-crash", 0, 1, "reconcile"), (2, "pod-crash", 0, 1, "reconcile"), (3, "pod-crash", 0, 1, "reconcile")]
NODE_SLOW = [(2, "rollout", 1, 0, "write"),  # 25,691 states, ~24 s CPU
             (2, "rollout", 1, 0, "reconcile"),  # ~11 s CPU (to the slow tier for CI time, session 15; r1 runs in CI)
             (2, "node-failure", 1, 1, "write"), (2, "node-failure", 1, 1, "reconcile"),  # 4,483 / 2,397 states
             (3, "node-failure", 1, 1, "reconcile"),  # 16,294 states
             (3, "node-failure", 1, 0, "write")]  # ~11 s CPU: r2 write and r3 reconcile run in CI (CI time, session 14)
NODE_CASES = NODE_FAST + (NODE_SLOW if os.environ.get("KUBECHECK_SLOW") else [])


def _recreate_node_system(replicas: int, scenario: str, granularity: str, node_failures: int = 1, crashes: int = 0):  # type: ignore[no-untyped-def]
    return rollout_system(replicas, "25%", "25%", granularity=granularity, strategy="Recreate", node_failures=node_failures,
                          crashes=crashes, scenario=scenario, nodes=2)


@pytest.mark.parametrize("replicas, scenario, node_failures, crashes, granularity", NODE_CASES,
                         ids=[f"r{r}-{s}-n{n}-c{c}-{g}" for r, s, n, c, g in NODE_CASES])
def test_recreate_with_a_node_failure_refines(replicas: int, scenario: str, node_failures: int, crashes: int,
                                              granularity: str) -> None:
    system, project, f = _recreate_node_system(replicas, scenario, granularity, node_failures, crashes)
    assert project(system.init_states()[0]).recreate == 1
    res = check_refinement(system, project, f, write=granularity == "write")
    assert res.ok, res.describe()
    assert res.complete and 0 < res.stutters < res.transitions
    if node_failures:
        assert res.mapped["node_fail"] == {"node_fail"} and res.mapped.get("nlc_mark_pod_not_ready"), res.mapped
    else:
        assert res.mapped.get("fault_crash_container"), res.mapped
    if scenario == "rollout":
        assert res.mapped["dc_scale_down_old_rs"] == {"dc"} and res.mapped["dc_create_rs"] == {"dc"}


def test_recreate_with_a_node_failure_needs_unbound_victims(monkeypatch: pytest.MonkeyPatch) -> None:
    """Non-vacuity: without the ReplicaSet step's choice of unbound victims (rollout._rs ``gone``: removed at once,
    not terminating) the Recreate rollout with a node failure at replicas 2, reconcile granularity, is NOT refined:
    the old ReplicaSet's scale-down deletes a replacement pod not yet bound to a node and a bound pod in one
    reconcile, and only the bound one becomes terminating."""
    import kubecheck.symbolic.refinement as refinement

    def no_unbound(f, s, write=False, recreate=False):  # type: ignore[no-untyped-def]
        out = rollout.py_successors(f, s, write, recreate)
        if write or s.node_down == 0:
            return out
        # keep a ReplicaSet step only when every not-available victim became terminating
        return [(n, x) for n, x in out if n not in ("rs_new", "rs_old") or _all_victims_terminating(s, x, n)]

    monkeypatch.setattr(refinement, "py_successors", no_unbound)
    system, project, f = _recreate_node_system(2, "rollout", "reconcile")
    res = check_refinement(system, project, f, write=False)
    assert not res.ok and set(res.failures) == {"rs_delete_pod"}, res.describe()
    before, after = res.examples["rs_delete_pod"]
    removed = (before.old_unavailable + before.old_available) - (after.old_unavailable + after.old_available)
    assert removed == 2 and after.terminating - before.terminating == 1 and after.node_down == 1


def _all_victims_terminating(s: rollout.CountState[int], x: rollout.CountState[int], name: str) -> bool:
    w = name.split("_")[1]
    removed = sum(getattr(s, f"{w}_{k}") - getattr(x, f"{w}_{k}") for k in ("unavailable", "available"))
    return removed <= 0 or x.terminating - s.terminating == removed


def test_recreate_with_a_node_failure_is_decided_by_the_count_model(tmp_path: Path) -> None:
    """Until the refinement above, ``coverage`` refused node failures with strategy Recreate and ``count_verdict`` a
    Recreate Deployment without a rollout; the built-in node-failure scenario on a 10-replica Recreate Deployment is
    now decided by the count model before the explicit search.  A Recreate rollout WITH a node failure stays refused
    (the refinement holds, but the counts cannot prove KC-ROLL-005 there: the next test)."""
    d = _deployment(10, "25%", "25%")
    d = replace(d, strategy=replace(d.strategy, type="Recreate"))
    operator = (DeleteFailedNode(fair=True), 1)
    for g in ("write", "reconcile"):
        assert coverage(d, [operator], FaultBudget(node_failure=1), g, False) == ""
        assert "Recreate rollout" in coverage(d, [(SetImage("Deployment", "web", "x:2"), 1)], FaultBudget(node_failure=1), g, False)
    cv = count_verdict("KC-ROLL-005", d, 0, "write", cache=tmp_path, node_failures=1, rollout=False)
    assert cv.status == PROVED, cv.message
    assert "1 node failure, no rollout" in cv.message and "holds for all replicas 1..10000 with strategy Recreate" in cv.family
    m = tmp_path / "web.yaml"
    m.write_text(MANIFEST, encoding="utf-8")
    _, note = _kc_roll_005_note(tmp_path, m, "node-failure")
    assert "1 node failure, no rollout" in note


def test_an_evicted_new_pod_breaks_the_count_predicate_of_kc_roll_005() -> None:
    """Why a Recreate rollout with a node failure stays refused: taint eviction of a new pod (``evict_new_a``) puts it
    in ``terminating`` with the old pods, so the count predicate sees new and "old" pods at once while the object
    model has only new ones (KC-ROLL-005 holds there)."""
    f = rollout.resolve(2, 0, 1)
    s = replace(rollout.initial_state(2, 0, 1, 1, 1), old_spec=0, old_unavailable=0, old_available=0,
                old_status_available=0, new_spec=2, new_available=2, new_status_available=2, new_created=1,
                node_budget=0, node_down=1)
    assert recreate_no_overlap_holds(s)
    evicted = dict(rollout.py_successors(f, s, False, True))["evict_new_a"]
    assert evicted.terminating == 1 and evicted.new_available == 1 and not recreate_no_overlap_holds(evicted)
