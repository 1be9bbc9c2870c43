"""The transition system (model.system) and the canonical forms (model.canonical)."""

from __future__ import annotations

import collections
from dataclasses import replace

import pytest

from model.canonical import normalize_cluster
from model.environment import FaultBudget, ScaleWorkload
from model.errors import ModelError
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import PersistentVolumeClaimTemplate, StatefulSet
from model.apiserver import ApiError
from model.system import KubeSystem, PendingWrite, Scenario, SystemState, reserved_identifiers

from tests.model.builders_runtime import cluster, node, rs, statefulset_db, template


def _settle(system: KubeSystem, s: SystemState, limit: int = 200) -> SystemState:
    """Take the first fair action until none is enabled."""
    for _ in range(limit):
        fair = [(a, n) for a, n in system.successors(s) if a.fair]
        if not fair:
            return s
        s = fair[0][1]
    raise AssertionError("did not settle")


def _take(system: KubeSystem, s: SystemState, label: str) -> SystemState:
    for a, n in system.successors(s):
        if a.label == label:
            return n
    raise AssertionError(f"{label} not enabled; enabled: {[a.label for a in system.actions(s)]}")


def _bfs(system: KubeSystem, canonical: bool = False) -> int:
    key = system.canonical if canonical else (lambda s: s)
    init = system.init_states()[0]
    seen = {key(init)}
    queue = collections.deque([init])
    while queue:
        u = queue.popleft()
        for _, v in system.successors(u):
            k = key(v)
            if k not in seen:
                seen.add(k)
                queue.append(v)
    return len(seen)


def test_write_granularity_keeps_the_rest_of_a_reconcile_pending() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2))))
    s0 = system.init_states()[0]
    (a,) = system.actions(s0)
    assert (a.actor, a.label, a.fair, a.fairness_key) == ("replicaset/default/web", "rs_create_pod", True, ("replicaset", "default", "web"))
    s1 = system.step(s0, a)
    assert len(s1.cluster.pods) == 1
    assert [type(pw.write).__name__ for pw in s1.pending[("replicaset", "default", "web")]] == ["Create", "UpdateStatus"]
    s2 = _take(system, s1, "rs_create_pod")
    assert len(s2.cluster.pods) == 2


def test_reconcile_granularity_applies_every_write_in_one_step() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2)), granularity="reconcile"))
    s1 = system.step(system.init_states()[0], system.actions(system.init_states()[0])[0])
    assert len(s1.cluster.pods) == 2 and not s1.pending
    assert s1.cluster.get("ReplicaSet", "default", "web").status.replicas == 0  # computed before the creates


def test_level_triggered_a_converged_cluster_has_no_fair_action() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2))))
    s = _settle(system, system.init_states()[0])
    assert system.actions(s) == []
    assert not system.expects_progress(s)
    pods = list(s.cluster.pods.values())
    assert len(pods) == 2 and all(p.conditions.ready for p in pods)
    assert s.cluster.get("ReplicaSet", "default", "web").status.available_replicas == 2


def test_a_controller_crash_drops_its_pending_writes() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2)), faults=FaultBudget(controller_crash=1)))
    s1 = _take(system, system.init_states()[0], "rs_create_pod")
    s2 = _take(system, s1, "rs_crash_mid_reconcile")
    assert not s2.pending and len(s2.cluster.pods) == 1 and s2.faults.controller_crash == 0
    # level-triggered: the next reconcile sees one pod missing and creates it
    assert [a.label for a in system.actions(s2) if a.actor.startswith("replicaset")] == ["rs_create_pod"]


def test_a_pending_spec_update_of_an_object_changed_since_it_was_read_is_dropped() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=1))))
    s = _settle(system, system.init_states()[0])
    cur = s.cluster.get("ReplicaSet", "default", "web")
    from model.api import Update, UpdateStatus

    stale = PendingWrite(Update(replace(cur, replicas=5)), cur)
    status = PendingWrite(UpdateStatus(cur), cur)
    changed = s.cluster.put(replace(cur, replicas=3, generation=2))
    s = replace(s, cluster=changed, pending=FrozenMap({("replicaset", "default", "web"): (stale, status)}))
    nxt = system.successors(s)[0][1]
    assert nxt.cluster.get("ReplicaSet", "default", "web").replicas == 3  # Conflict: not clobbered
    assert not nxt.pending  # the reconcile ended with the error


def test_crash_and_recreate_cycles_do_not_grow_the_state() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=1)), faults=FaultBudget(force_delete=2)))
    settled = _settle(system, system.init_states()[0])
    once = _settle(system, _take(system, settled, "fault_force_delete_pod"))
    twice = _settle(system, _take(system, once, "fault_force_delete_pod"))
    assert once.cluster == settled.cluster == twice.cluster  # same name, uid, sandbox id and IP again
    assert (settled.faults.force_delete, once.faults.force_delete, twice.faults.force_delete) == (2, 1, 0)


def test_normalize_cluster_resets_counters_and_densely_ranks_creation() -> None:
    st = cluster(node(), rs()).with_counters(next_uid=9, next_name=4)
    st = st.put(replace(st.get("ReplicaSet", "default", "web"), creation_index=7))
    n = normalize_cluster(st)
    assert (n.next_uid, n.next_name) == (1, 1)
    assert [o.creation_index for o in n.all_objects()] == [1, 0]  # RS after the node, order kept


def test_symmetry_merges_pods_that_differ_only_in_identity() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2))))
    plain, reduced = _bfs(system), _bfs(system, canonical=True)
    assert reduced < plain


def test_identical_nodes_are_interchangeable_under_symmetry() -> None:
    system = KubeSystem(Scenario(cluster(node("a"), node("b"), rs(replicas=1))))
    s = _take(system, system.init_states()[0], "rs_create_pod")
    s = _take(system, s, "rs_update_status")
    binds = [n for a, n in system.successors(s) if a.label == "scheduler_bind_pod"]
    assert len(binds) == 2 and binds[0] != binds[1]
    assert system.canonical(binds[0]) == system.canonical(binds[1])


def test_strict_exploration_never_meets_an_api_error() -> None:
    system = KubeSystem(
        Scenario(cluster(node(), rs(replicas=2)), faults=FaultBudget(force_delete=1, controller_crash=1)), strict=True
    )
    assert _bfs(system) > 100  # would raise ApiError / ModelError on a refused write


def test_stale_reads_offer_a_reconcile_on_the_previous_state() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=1)), stale_reads=True))
    s = _settle(system, system.init_states()[0])
    assert s.previous is not None
    # after a user scale-down the stale view still shows replicas=1
    system2 = KubeSystem(
        Scenario(cluster(node(), rs(replicas=1)), stale_reads=True, user_actions=(ScaleWorkload("ReplicaSet", "web", 2),))
    )
    s = _settle(system2, system2.init_states()[0])
    s = _take(system2, s, "user_scale_rs")
    labels = [a.label for a in system2.actions(s) if a.actor.startswith("replicaset")]
    assert "rs_create_pod" in labels


def test_user_actions_spend_their_budget_and_are_not_fair() -> None:
    system = KubeSystem(
        Scenario(cluster(node(), rs(replicas=1)), user_actions=((ScaleWorkload("ReplicaSet", "web", 3), 2),))
    )
    s = _settle(system, system.init_states()[0])
    (a,) = [a for a in system.actions(s) if a.actor == "user"]
    assert not a.fair and a.label == "user_scale_rs"
    s = system.step(s, a)
    assert s.user_budget == (1,)
    assert s.cluster.get("ReplicaSet", "default", "web").generation == 2
    assert not [a for a in system.actions(s) if a.actor == "user"]  # already at 3: a no-op is not offered


def test_describe_state_summarises_each_object() -> None:
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=1)), faults=FaultBudget(sandbox_death=1)))
    d = system.describe_state(_settle(system, system.init_states()[0]))
    assert d["ReplicaSet web"] == "replicas=1 status=1/1/1"
    assert d["Pod web-1"].startswith("node-1 Running ready ip=10.0.0.1 app:runn/0 owner=ReplicaSet/web")
    assert d["Node node-1"] == "Ready" and d["fault budget"] == "sandbox_death=1"


def test_describe_state_names_objects_never_uids() -> None:
    """Every lane names objects: a Service shows its selector and the ready pods it selects (what
    KC-ROLL-004 counts), a ControllerRevision its owner by name; an owner reference whose object is
    gone (deleted, the name maybe reused) falls back to its UID, marked gone."""
    from model.objects import Service

    svc = Service(name="web", selector=FrozenMap(app="web"))
    system = KubeSystem(Scenario(cluster(node(), rs(replicas=2), svc, statefulset_db(1))))
    s = _settle(system, system.init_states()[0])
    d = system.describe_state(s)
    assert not [v for v in d.values() if "uid-" in v], d
    assert d["Service web"] == "selector=app=web ready-endpoints=web-1,web-2"
    (rev,) = [k for k in d if k.startswith("ControllerRevision db-")]
    assert d[rev] == "revision=1 owner=StatefulSet/db"
    # a pod no longer ready and one terminating leave the Service's ready endpoints
    c = s.cluster
    p1, p2 = c.get("Pod", "default", "web-1"), c.get("Pod", "default", "web-2")
    c = c.put(replace(p1, conditions=replace(p1.conditions, ready=False))).put(replace(p2, deletion_timestamp=1))
    d = system.describe_state(replace(s, cluster=c))
    assert d["Service web"] == "selector=app=web ready-endpoints=none"
    # the owner ReplicaSet deleted and recreated under its name with a new uid: the pods' owner is gone
    old = c.get("ReplicaSet", "default", "web")
    c = c.put(replace(old, uid="uid-99"))
    d = system.describe_state(replace(s, cluster=c))
    assert f"owner=ReplicaSet/web(gone:{old.uid})" in d["Pod web-1"]


def test_scenario_validation_names_the_problem() -> None:
    with pytest.raises(ModelError, match="granularity"):
        Scenario(cluster(), granularity="atomic")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="unknown actor family 'kubelets'"):
        Scenario(cluster(), actors=("kubelets",))


def test_actions_are_deterministic() -> None:
    system = KubeSystem(Scenario(cluster(node("a"), node("b"), rs(replicas=2)), faults=FaultBudget(container_crash=1)))
    s = _settle(system, system.init_states()[0])
    again = KubeSystem(system.scenario)
    assert system.actions(s) == again.actions(s) and len(system.actions(s)) == 2


def test_a_statefulset_run_never_creates_a_duplicate_name() -> None:
    """Fixed pod names plus force deletes and controller crashes: every Create is for a free name
    (a duplicate would raise ApiError("AlreadyExists"), a ModelError, out of the exploration)."""
    sel = FrozenMap(app="db")
    ss = StatefulSet(
        name="db",
        replicas=2,
        selector=LabelSelector(match_labels=sel),
        template=template(app="db"),
        service_name="db",
        volume_claim_templates=(PersistentVolumeClaimTemplate(name="data"),),
    )
    system = KubeSystem(
        Scenario(cluster(node(), ss), faults=FaultBudget(force_delete=1, controller_crash=1)), strict=True
    )
    assert _bfs(system) == 867


def test_expects_progress_flags_stuck_pods_but_not_ones_waiting_for_a_dead_node() -> None:
    from tests.model.builders_runtime import pod, running_pod

    system = KubeSystem(Scenario(cluster(node("a", capacity=0), pod("p"))))
    s = system.init_states()[0]
    assert system.actions(s) == [] and system.expects_progress(s)  # unschedulable: a deadlock
    q = running_pod("q", node_name="a")
    stuck = replace(q, deletion_timestamp=1, deletion_grace_period_seconds=30, conditions=replace(q.conditions, ready=False))
    system = KubeSystem(Scenario(cluster(node("a", ready=False), stuck)))
    s = system.init_states()[0]
    assert system.actions(s) == [] and not system.expects_progress(s)


# ------------------------------------------------------ review finding: UIDs are never reused


def test_a_stale_pending_delete_does_not_hit_a_recreated_statefulset_pod() -> None:
    """Force delete of ``db-1`` while the node lifecycle controller still holds a pending
    ``Delete(db-1, uid=<old>)``; the StatefulSet controller re-creates ``db-1``.  Upstream UIDs are
    never reused (random UUIDs), so the stale delete's UID precondition fails with a Conflict
    (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Delete ->
    preconditions.Check: "Precondition failed: UID in precondition ... does not match") and the new
    incarnation survives.  Before the fix ``normalize_cluster`` reset ``next_uid`` and the new pod got
    the dead UID back (lowest free), so the stale delete marked the NEW pod for deletion."""
    from model.api import Create, Delete
    from model.apiserver import apply_write

    system = KubeSystem(Scenario(cluster(node(), statefulset_db(2))))
    settled = _settle(system, system.init_states()[0])
    old = settled.cluster.get("Pod", "default", "db-1")
    assert old is not None and old.node_name is not None
    stale = PendingWrite(Delete("Pod", "default", "db-1", uid=old.uid))
    forced = apply_write(settled.cluster, Delete("Pod", "default", "db-1", uid=old.uid, grace_period_seconds=0))
    assert forced.get("Pod", "default", "db-1") is None
    # the scenario is the one the review describes: without the reservation the dead UID is the lowest free one
    assert apply_write(forced, Create(replace(old, uid="", creation_index=0))).get("Pod", "default", "db-1").uid == old.uid
    s = replace(settled, cluster=forced, pending=FrozenMap({("nodelifecycle", "", "node-1"): (stale,)}))

    s = _take(system, s, "ssc_create_pod")
    new = s.cluster.get("Pod", "default", "db-1")
    assert new is not None and new.uid != old.uid
    assert ("nodelifecycle", "", "node-1") in s.pending  # the stale delete is still pending ...
    s = _take(system, s, "nlc_delete_pod")
    after = s.cluster.get("Pod", "default", "db-1")
    assert after is not None and after.uid == new.uid and after.deletion_timestamp is None  # ... and is refused
    assert ("nodelifecycle", "", "node-1") not in s.pending
    with pytest.raises(ApiError, match="Conflict"):
        apply_write(s.cluster, stale.write)


def test_reserved_identifiers_cover_the_pre_step_cluster_the_stale_view_and_pending_writes() -> None:
    from model.api import Delete, Update
    from model.objects import OwnerReference
    from tests.model.builders_runtime import pod

    live = replace(pod("web-1"), uid="uid-1")
    base = replace(pod("web-2"), uid="uid-2", owner_references=(OwnerReference("apps/v1", "ReplicaSet", "web", "uid-9"),))
    s = SystemState(
        cluster=cluster(live),
        previous=cluster(replace(pod("web-4"), uid="uid-4")),
        pending=FrozenMap({("replicaset", "default", "web"): (PendingWrite(Update(base), base), PendingWrite(Delete("Pod", "default", "web-3", uid="uid-3")))}),
    )
    got = reserved_identifiers(s)
    assert {"uid-1", "uid-2", "uid-3", "uid-4", "uid-9"} <= got.uids
    assert {("Pod", "default", n) for n in ("web-1", "web-2", "web-3", "web-4")} <= got.names


def test_create_skips_reserved_uids_and_generated_names() -> None:
    """A Create with generateName gets the lowest ``<prefix><n>`` / ``uid-<n>`` that is neither stored
    nor reserved."""
    from model.api import Create
    from model.apiserver import Reserved, apply_write
    from tests.model.builders_runtime import pod

    res = Reserved(uids=frozenset({"uid-1", "uid-2"}), names=frozenset({("Pod", "default", "web-1")}))
    got = apply_write(cluster(), Create(pod(""), generate_name="web-"), res)
    (p,) = got.pods.values()
    assert (p.name, p.uid) == ("web-2", "uid-3")
    (q,) = apply_write(cluster(), Create(pod(""), generate_name="web-")).pods.values()
    assert (q.name, q.uid) == ("web-1", "uid-1")
