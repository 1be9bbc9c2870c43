"""Cone of influence (model/slicing.py): the disruption controller is left out of a search when no
user action may evict, because nothing else reads the PodDisruptionBudget status it writes.

Exactness rests on two facts tested here: no catalogue rule reads a PDB's status (every rule gives
the same answer on states that differ only there), and a check with and without the slice gives the
same verdict for every (scenario, rule, target), while the sliced search is smaller.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kubecheck.runner import CheckConfig, run_check
from kubecheck.scenarios import builtin, settle, with_nodes
from model.environment import DrainNode, SetImage
from model.manifests import load_manifests
from model.sequence import After
from model.slicing import evicts, unobserved_families
from model.state import ClusterState
from model.system import ACTOR_FAMILIES, KubeSystem, Scenario
from properties.catalogue import RULES
from kubecheck.core.properties import PropertyKind

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: example.com/app:1.0
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


def test_only_an_eviction_reads_the_budget_status(tmp_path: Path) -> None:
    c = _cluster(tmp_path)
    roll = SetImage("Deployment", "web", "x:2")
    assert unobserved_families([(roll, 1)], c) == ("disruption",)
    assert unobserved_families([], c) == ("disruption",)
    assert unobserved_families([(roll, 1), (DrainNode(ignore_daemonsets=True), 1)], c) == ()
    no_pdb = c.remove("PodDisruptionBudget", "default", "web")
    assert unobserved_families([(roll, 1)], no_pdb) == ()  # no budget: the controller would not run, nothing to slice
    assert evicts(After(DrainNode()))  # a wrapped drain still evicts
    assert not evicts(After(roll))
    assert evicts(object())  # an action nobody has checked is assumed to read it


def test_a_drain_scenario_keeps_the_disruption_controller(tmp_path: Path) -> None:
    c = _cluster(tmp_path)
    assert replace(builtin("drain", c), slice_unread=True).sliced_actors(c) is None
    assert replace(builtin("drain-during-rollout", c), slice_unread=True).sliced_actors(c) is None
    sliced = replace(builtin("rollout", c), slice_unread=True).sliced_actors(c)
    assert sliced is not None and "disruption" not in sliced and set(sliced) == set(ACTOR_FAMILIES) - {"disruption"}
    assert builtin("rollout", c).sliced_actors(c) is None  # only when the check asks for it


def _cluster(tmp_path: Path) -> ClusterState:
    m = tmp_path / "web.yaml"
    m.write_text(MANIFEST, encoding="utf-8")
    objects, _ = with_nodes(tuple(load_manifests([str(m)]).objects), 2)
    return ClusterState.from_objects(objects)


def _reachable(tmp_path: Path, scenario: str) -> list[tuple[Any, Any, Any]]:
    """Every transition (cluster, action, cluster) of the unsliced ``scenario`` from the settled state."""
    settle_system = KubeSystem(Scenario(initial=_cluster(tmp_path), granularity="reconcile", name="settle"))
    settled = settle(settle_system, settle_system.init_states()[0])
    assert settled.settled
    spec = builtin(scenario, settled.state.cluster)
    system = KubeSystem(spec.to_scenario(settled.state.cluster, "reconcile"))
    frontier = list(system.init_states())
    seen = set(frontier)
    out = []
    while frontier:
        nxt = []
        for s in frontier:
            for a in system.actions(s):
                t = system.step(s, a)
                if t is None:
                    continue
                out.append((s.cluster, a, t.cluster))
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return out


def _perturbed(c: ClusterState) -> ClusterState:
    for pdb in c.objects("PodDisruptionBudget"):
        st = pdb.status
        c = c.put(replace(pdb, status=replace(st, disruptions_allowed=st.disruptions_allowed + 5, current_healthy=st.current_healthy + 3,
                                              desired_healthy=st.desired_healthy + 2, expected_pods=st.expected_pods + 4,
                                              observed_generation=st.observed_generation + 1)))
    return c


def _judge(rule: Any, c: ClusterState, a: Any, n: ClusterState) -> list[bool]:
    targets = [None] if not rule.applies_to else [(k, o.namespace, o.name) for k in rule.applies_to for o in c.objects(k)]
    out = []
    for t in targets:
        args: tuple[Any, ...] = (c, a, n) if rule.kind is PropertyKind.ACTION else (c,)
        args += (t,) if t is not None else ()
        out.append(bool(rule.check(*args)))
        if rule.kind is PropertyKind.LEADS_TO and getattr(rule, "trigger", None) is not None:
            out.append(bool(rule.trigger(*((c,) + ((t,) if t is not None else ())))))
    return out


@pytest.mark.parametrize("scenario", ["rollout", "pod-crash", "node-failure"])
def test_no_catalogue_rule_reads_a_budgets_status(tmp_path: Path, scenario: str) -> None:
    """Every catalogue rule answers the same on every reachable transition when every PDB's status
    is replaced by a different one (the statuses the sliced search leaves stale)."""
    transitions = _reachable(tmp_path, scenario)
    assert len(transitions) > 50
    assert any(c.objects("PodDisruptionBudget") for c, _, _ in transitions)
    sample = transitions[:: max(1, len(transitions) // 300)]
    for rule in RULES:
        for c, a, n in sample:
            assert _judge(rule, c, a, n) == _judge(rule, _perturbed(c), a, _perturbed(n)), rule.rule_id
    # not vacuous: a rule that does read the status is told apart on some sampled state
    from properties.rules import Rule

    reader = Rule("KC-TEST-900", "reads a budget's status", PropertyKind.INVARIANT,
                  lambda c: all(p.status.disruptions_allowed < 3 for p in c.objects("PodDisruptionBudget")))
    assert any(_judge(reader, c, a, n) != _judge(reader, _perturbed(c), a, _perturbed(n)) for c, a, n in sample)


@pytest.mark.parametrize("scenarios", [("rollout",), ("pod-crash",), ("node-failure",)])
def test_the_sliced_check_gives_every_verdict_of_the_full_one(tmp_path: Path, scenarios: tuple[str, ...]) -> None:
    m = tmp_path / "web.yaml"
    m.write_text(MANIFEST, encoding="utf-8")
    reports = {}
    for sliced in (True, False):
        cfg = CheckConfig(scenarios=scenarios, max_states=None, timeout=None, out_dir=str(tmp_path / f"out{sliced}"), write_traces=False,
                          slice_unread=sliced, granularity="reconcile")
        reports[sliced] = run_check(cfg, load_manifests([str(m)]))
    verdicts = {s: sorted((f.scenario, f.rule_id, f.target, f.verdict) for f in r.findings) for s, r in reports.items()}
    assert verdicts[True] == verdicts[False]
    assert all(f.verdict != "holds_within_bounds" for f in reports[True].findings)
    states = {s: sum(e.states for e in r.explorations) for s, r in reports.items()}
    assert states[True] < states[False], states
    labels = {lab for e in reports[True].explorations for lab in e.reductions}
    assert "slice: disruption controller (nothing reads its writes)" in labels
    assert not any(lab.startswith("slice:") for e in reports[False].explorations for lab in e.reductions)
