"""The rules added for issue #23 item 5 (seeded bugs the catalogue missed through the CLI).

Each rule has a pair whose verdict flips: the real model HOLDS in a small scenario and the seeded
bug of tests/mutation/mutants.py (one upstream behaviour broken) is VIOLATED in the same scenario;
the predicates are also checked on hand-made before/after states.  KC-AVAIL-001, a rule about
manifests, flips on the manifest (room to recover after a node failure, or not).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kubecheck.core.verdict import Verdict
from model.environment import DeleteFailedNode, DeleteObject, FaultBudget, RollbackDeployment, SetImage
from model.objects import Toleration
from properties import CATALOGUE
from tests.mutation.mutants import MUTANTS
from tests.properties.helpers import check, deployment_yaml, replicaset_yaml, settled_cluster, settled_system

NODE_FAILURE = FaultBudget(node_failure=1)
OPERATOR = ((DeleteFailedNode(fair=True), 1),)


def _probe_rs(replicas: int = 1) -> str:
    return f"""
apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: app, image: nginx:1, readinessProbe: {{httpGet: {{path: /, port: 80}}}}}}]
"""


def _recreate(replicas: int = 1) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: worker}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: worker}}}}
  strategy: {{type: Recreate}}
  template:
    metadata: {{labels: {{app: worker}}}}
    spec:
      containers: [{{name: app, image: "worker:1"}}]
"""


def _verdict(system: Any, rule_id: str, mutant: str | None = None, max_states: int | None = None) -> Verdict:
    if mutant is None:
        result = check(system(), [rule_id], max_states=max_states)
    else:
        with MUTANTS[mutant].patch():
            result = check(system(), [rule_id], max_states=max_states)
    (r,) = [r for r in result.results if r.property.rule_id.split(".")[0] == rule_id]
    if r.verdict is Verdict.HOLDS:
        assert result.complete
    return r.verdict


def _node_failure_rs() -> Any:
    return settled_system(_probe_rs(), nodes=2, faults=NODE_FAILURE, user_actions=OPERATOR)


# ------------------------------------------------------------------------- pairs through the model

PAIRS = [
    # (rule, system builder, the seeded bug that breaks the upstream behaviour the rule states)
    ("KC-SCHED-001", _node_failure_rs, "scheduler_binds_to_not_ready_nodes"),
    ("KC-PROBE-001", lambda: settled_system(_probe_rs(), faults=FaultBudget(container_crash=1)), "kubelet_ready_before_probe"),
    ("KC-NODE-002", _node_failure_rs, "nodelifecycle_never_marks_pods_not_ready"),
    ("KC-NODE-003", _node_failure_rs, "taint_eviction_grace_zero"),
    (
        "KC-GC-001",
        lambda: settled_system(deployment_yaml(service=False), user_actions=(DeleteObject("Deployment", "web"),)),
        "gc_never_deletes_dependents_of_gone_owners",
    ),
    (
        "KC-ROLL-005",
        lambda: settled_system(_recreate(), user_actions=(SetImage("Deployment", "worker", "worker:2"),)),
        "recreate_does_not_wait_for_old_pods",
    ),
    (
        "KC-ROLL-006",
        lambda: settled_system(
            _recreate(), user_actions=(SetImage("Deployment", "worker", "worker:2"), RollbackDeployment("worker"))
        ),
        "rollback_to_current_revision",
    ),
    (
        "KC-AVAIL-001",
        lambda: settled_system(replicaset_yaml(), faults=FaultBudget(container_crash=1)),
        "kubelet_never_restarts_crashed_containers",
    ),
]


@pytest.mark.parametrize("rule_id,system,mutant", PAIRS, ids=[p[0] for p in PAIRS])
def test_rule_holds_on_the_real_model_and_is_violated_by_the_seeded_bug(rule_id: str, system: Any, mutant: str) -> None:
    assert _verdict(system, rule_id) is Verdict.HOLDS
    assert _verdict(system, rule_id, mutant) is Verdict.VIOLATED
    assert rule_id in MUTANTS[mutant].expected


def test_the_new_rules_are_declared_like_the_catalogue() -> None:
    for rule_id in ("KC-ROLL-005", "KC-ROLL-006", "KC-AVAIL-001", "KC-SCHED-001", "KC-PROBE-001",
                    "KC-NODE-002", "KC-NODE-003", "KC-GC-001"):
        r = CATALOGUE[rule_id]
        assert r.local and r.default and r.severity == "error", rule_id
        assert r.upstream and r.counts and r.remediation, rule_id
        assert "pkg/" in r.upstream or "staging/" in r.upstream, rule_id


# ------------------------------------------------------------------------- KC-AVAIL-001: manifests


def _pinned_rs(ssd_nodes: int) -> str:
    nodes = "".join(
        f"""
---
apiVersion: v1
kind: Node
metadata: {{name: node-{i}, labels: {{{'disk: ssd' if i <= ssd_nodes else 'disk: hdd'}}}}}
"""
        for i in (1, 2)
    )
    return nodes + """
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: cache}
spec:
  replicas: 1
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: app, image: "memcached:1"}]
"""


@pytest.mark.parametrize("ssd_nodes,expected", [(1, Verdict.VIOLATED), (2, Verdict.HOLDS)])
def test_kc_avail_001_flips_on_room_to_recover_from_a_node_failure(ssd_nodes: int, expected: Verdict) -> None:
    """One node may carry the pod (nodeSelector disk: ssd): when it fails, the replacement stays
    Pending for ever.  KC-CONV-001 counts the Pending pod as active and holds either way; the
    availability rule sees that nothing serves."""

    def system() -> Any:
        return settled_system(_pinned_rs(ssd_nodes), faults=NODE_FAILURE, user_actions=OPERATOR)

    assert _verdict(system, "KC-AVAIL-001") is expected
    assert _verdict(system, "KC-CONV-001") is Verdict.HOLDS


# ------------------------------------------------------------------------- predicates, by hand


def _cluster_and_pod() -> tuple[Any, Any]:
    c = settled_cluster(_probe_rs(), nodes=2)
    (pod,) = c.pods.values()
    return c, pod


def _step(label: str = "x", actor: str = "scheduler", data: Any = None) -> Any:
    """A step as the rules read it (actor, label, data, fair)."""
    from types import SimpleNamespace

    return SimpleNamespace(actor=actor, label=label, fair=True, fairness_key=(actor,), data=data)


def test_kc_sched_001_predicate_judges_the_bind_by_the_node_before_the_step() -> None:
    check_ = CATALOGUE["KC-SCHED-001"].check
    c, pod = _cluster_and_pod()
    unbound = replace(pod, node_name=None)
    before = c.put(unbound)
    node = c.get("Node", "", pod.node_name)
    assert check_(before, _step(), c)
    not_ready = before.put(replace(node, ready=False))
    assert not check_(not_ready, _step(), c.put(replace(node, ready=False)))
    tolerant = replace(unbound, tolerations=(Toleration("node.kubernetes.io/unreachable", "Exists", "", "NoSchedule"),))
    assert check_(not_ready.put(tolerant), _step(), c.put(replace(node, ready=False)).put(replace(pod, tolerations=tolerant.tolerations)))
    cordoned = before.put(replace(node, unschedulable=True))
    assert not check_(cordoned, _step(), c.put(replace(node, unschedulable=True)))


def test_kc_probe_001_predicate_flips_on_a_started_container_reported_ready() -> None:
    check_ = CATALOGUE["KC-PROBE-001"].check
    c, pod = _cluster_and_pod()
    (cs,) = pod.container_statuses
    assert cs.state == "running" and cs.ready
    assert check_(c, _step(), c)
    restarted = replace(pod, container_statuses=(replace(cs, restart_count=cs.restart_count + 1),))
    assert not check_(c, _step(), c.put(restarted))
    unready_before = c.put(replace(pod, container_statuses=(replace(cs, ready=False),)))
    assert check_(unready_before, _step(), c)  # the probe passed on the running container


def test_kc_node_002_and_003_predicates_judge_node_lifecycle_deletes() -> None:
    mark, grace = CATALOGUE["KC-NODE-002"].check, CATALOGUE["KC-NODE-003"].check
    c, pod = _cluster_and_pod()
    node = c.get("Node", "", pod.node_name)
    down = c.put(replace(node, ready=False))
    nlc = _step(actor="nodelifecycle/node-1")
    terminating = down.put(replace(pod, deletion_timestamp=1, deletion_grace_period_seconds=30))
    assert not mark(down, nlc, terminating)  # still Ready when evicted
    marked = down.put(replace(pod, conditions=replace(pod.conditions, ready=False)))
    assert mark(marked, nlc, terminating)
    gone = down.remove("Pod", pod.namespace, pod.name)
    assert grace(down, nlc, terminating)  # a graceful delete keeps the object
    assert not grace(down, nlc, gone)  # removed at once by a controller
    assert grace(down, _step(actor="fault"), gone)  # a force delete is the user's doing
    assert grace(down, _step(actor="kubelet/node-1/x"), gone)


def test_kc_gc_001_predicate_sees_a_dependent_of_a_gone_owner() -> None:
    check_ = CATALOGUE["KC-GC-001"].check
    c = settled_cluster(deployment_yaml(service=False))
    assert check_(c)
    (d,) = c.objects("Deployment")
    without_owner = c.remove("Deployment", d.namespace, d.name)
    assert not check_(without_owner)  # its ReplicaSet points at a Deployment that is gone
