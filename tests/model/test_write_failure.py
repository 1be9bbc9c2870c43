"""The failed-write fault (``FaultBudget.write_failure``, issue #20): a controller write refused by the
API server (Conflict, 5xx) is dropped; a ReplicaSet's parallel Pod writes go on, every other sync
stops; with caches the ReplicaSet's expectations are lowered as manageReplicas's error paths do."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Iterator

from model.api import Create, Delete
from model.environment import FaultBudget, ScaleWorkload
from model.informer import _exp
from model.system import KubeSystem, PendingWrite, Scenario, SystemState
from tests.model.builders_runtime import cluster, node, pod, rs, settle_first_fair


def _system(replicas: int, to: int, budget: int, caches: str = "off") -> KubeSystem:
    base = Scenario(cluster(node(), rs(replicas=replicas)), name="write-failure")
    start = settle_first_fair(base)
    return KubeSystem(replace(base, initial=start, caches=caches, kubernetes_version="1.35",
                              user_actions=(ScaleWorkload("ReplicaSet", "web", to),), faults=FaultBudget(write_failure=budget)))


def _edges(system: KubeSystem) -> Iterator[tuple[SystemState, str, SystemState]]:
    init = system.init_states()
    seen = set(init)
    queue = deque(init)
    while queue:
        s = queue.popleft()
        for a, t in system.successors(s):
            yield s, a.label, t
            if t not in seen:
                seen.add(t)
                queue.append(t)


def _live_pods(s: SystemState) -> int:
    return sum(1 for p in s.cluster.pods.values() if p.deletion_timestamp is None)


def test_refused_delete_writes_nothing_and_the_other_delete_goes_on() -> None:
    """Scale 3 -> 1: manageReplicas deletes two pods in parallel; the first refused, the second still
    pending (write granularity), nothing written, the budget spent."""
    refused = []
    for s, label, t in _edges(_system(3, 1, 1)):
        if label.endswith("_write_refused"):
            refused.append((s, t))
            assert t.cluster == s.cluster  # the refused write changed nothing
            assert t.faults.write_failure == 0 and s.faults.write_failure == 1
    assert refused
    # a reconcile whose first delete was refused keeps its second delete (and its status write,
    # which syncReplicaSet sends after a manageReplicas error) pending
    assert any(not s.pending and any(isinstance(pws[0].write, Delete) for pws in t.pending.values()) for s, t in refused)
    # a refused delete of a pending batch leaves the status write; a refused status write ends the reconcile
    assert any(s.pending and t.pending and len(next(iter(t.pending.values()))) == len(next(iter(s.pending.values()))) - 1
               for s, t in refused)
    assert any(s.pending and not t.pending for s, t in refused)
    # and the run can end with two live pods for one replica's worth of deletes done: the refusal is observable
    assert any(_live_pods(t) == 2 and not t.pending for _, _, t in _edges(_system(3, 1, 1)))


def test_no_budget_no_refusal_and_the_space_is_unchanged() -> None:
    labels = [label for _, label, _ in _edges(_system(3, 1, 0))]
    assert labels and not any(label.endswith("_write_refused") for label in labels)
    plain = KubeSystem(replace(_system(3, 1, 0).scenario, faults=FaultBudget()))
    assert sum(1 for _ in _edges(plain)) == len(labels)


def test_with_caches_a_refused_create_lowers_the_expectations() -> None:
    """Scale 1 -> 3 with caches: ExpectCreations(2), the second create refused -> CreationObserved:
    the expectations drop by one in the same step (replica_set.go manageReplicas)."""
    seen = 0
    for s, label, t in _edges(_system(1, 3, 1, caches="lagged")):
        if not label.endswith("_write_refused"):
            continue
        head = s.pending.get(("replicaset", "default", "web"))
        if not head or not isinstance(head[0].write, Create):
            continue  # a refused status write leaves the expectations alone
        assert s.informer is not None and t.informer is not None
        before, ok_b = _exp(s.informer, "replicaset").get_expectations(("default", "web"))
        after, ok_a = _exp(t.informer, "replicaset").get_expectations(("default", "web"))
        assert ok_b and ok_a and before is not None and after is not None
        assert after.get_expectations()[0] == before.get_expectations()[0] - 1
        seen += 1
    assert seen


def test_which_syncs_go_on_after_a_refused_write() -> None:
    """replica_set.go manageReplicas: deletes go on in parallel, a create after the first batch goes
    on, the first create (slowStartBatch's batch of one) skips the later creates; syncDeployment
    returns its first error.  A refused ReplicaSet pod write keeps (or adds) the status write."""
    system = _system(3, 1, 1)
    s = system.init_states()[0]
    spec_rs = next(sp for sp in __import__("model.system", fromlist=["CONTROLLERS"]).CONTROLLERS if sp.name == "replicaset")
    spec_d = next(sp for sp in __import__("model.system", fromlist=["CONTROLLERS"]).CONTROLLERS if sp.name == "deployment")
    ak = ("replicaset", "default", "web")
    p = pod("web-1")
    c1, c2, d1, d2 = (PendingWrite(Create(p)), PendingWrite(Create(p)), PendingWrite(Delete("Pod", "default", "web-1")),
                      PendingWrite(Delete("Pod", "default", "web-2")))
    after = system._after_refusal(s, spec_rs, ak, (d1, d2), True)
    assert after is not None and after[0][0] is d2 and after[1] == (d1.write,)
    after = system._after_refusal(s, spec_rs, ak, (c1, c2), False)
    assert after is not None and after[0][0] is c2 and after[1] == (c1.write,)
    after = system._after_refusal(s, spec_rs, ak, (c1, c2), True)  # slowStartBatch's first batch
    assert after is not None and not any(isinstance(pw.write, Create) for pw in after[0])
    assert after[1] == (c1.write, c2.write)
    # the status write the refusal adds carries ReplicaFailure/FailedCreate
    (status_write,) = after[0]
    (cond,) = status_write.write.obj.status.conditions
    assert (cond.type, cond.status, cond.reason) == ("ReplicaFailure", "True", "FailedCreate")
    assert system._after_refusal(s, spec_d, ("deployment", "default", "web"), (c1, c2), False) == ((), (c1.write, c2.write))
    assert system._after_refusal(s, spec_d, ("deployment", "default", "web"), (c1, c2), True) is None
