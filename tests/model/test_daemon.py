"""model.daemon: the DaemonSet controller.

Cases are named after kubernetes/kubernetes pkg/controller/daemon daemon_controller_test.go,
update_test.go and util/daemonset_util_test.go where one applies (cited per test).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kubecheck.core.explorer import explore
from model.api import Create, Delete, UpdateStatus
from model.apiserver import apply_write
from model.daemon import (
    DAEMON_POD_TOLERATIONS,
    add_or_update_daemon_pod_tolerations,
    find_updated_pods_on_node,
    get_target_node_name,
    is_pod_updated,
    node_should_run_daemon_pod,
    replace_daemon_set_pod_node_name_node_affinity,
    sync_daemon_set,
    updated_desired_node_counts,
)
from model.environment import DeleteNode, DrainNode, SetImage, get_pods_for_deletion, DAEMON_SET_FATAL
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.nodelifecycle import evict_pods
from model.objects import (
    ContainerSpec,
    DaemonSet,
    DaemonSetUpdateStrategy,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PodTemplate,
    Taint,
    Toleration,
)
from model.state import ClusterState
from model.system import KubeSystem, Scenario
from properties import get_rule
from kubecheck.scenarios import settle

L = FrozenMap({"app": "agent"})


def ds(**kw: Any) -> DaemonSet:
    template = kw.pop("template", PodTemplate(labels=L, containers=(ContainerSpec("c", "agent:1"),)))
    return DaemonSet(name="agent", uid="uid-ds", selector=LabelSelector(L), template=template, **kw)


def settled(*objs: Any, nodes: int = 2, actions: tuple = ()) -> tuple[KubeSystem, Any]:
    ns = [o for o in objs if isinstance(o, Node)] or [Node(name=f"node-{i + 1}") for i in range(nodes)]
    c = ClusterState.from_objects([*ns, *(o for o in objs if not isinstance(o, Node))])
    system = KubeSystem(Scenario(initial=c, user_actions=actions))
    r = settle(system, system.init_states()[0])
    assert r.settled
    return system, r.state


def daemon_pods(c: ClusterState) -> list[Pod]:
    return sorted((p for p in c.pods.values() if p.controller_ref() and p.controller_ref().kind == "DaemonSet"), key=lambda p: p.node_name or "")


# ------------------------------------------------------------------------------- util


def test_add_or_update_daemon_pod_tolerations_replaces_matching_and_appends() -> None:
    """daemonset_util_test.go TestAddOrUpdateDaemonPodTolerations (shape): a user toleration of the same
    key/operator/effect is replaced (its tolerationSeconds dropped), the others appended once."""
    user = Toleration("node.kubernetes.io/not-ready", "Exists", effect="NoExecute", forever=False)
    other = Toleration("dedicated", "Equal", "gpu", "NoSchedule", forever=True)
    out = add_or_update_daemon_pod_tolerations((user, other))
    assert out[0] == DAEMON_POD_TOLERATIONS[0] and out[0].forever
    assert out[1] == other
    assert out[2:] == DAEMON_POD_TOLERATIONS[1:]
    assert add_or_update_daemon_pod_tolerations(out) == out  # idempotent


@pytest.mark.parametrize("pod_hash,hash_,updated", [("abc", "abc", True), ("abc", "def", False), ("", "", False)])
def test_is_pod_updated(pod_hash: str, hash_: str, updated: bool) -> None:
    """daemonset_util_test.go TestIsPodUpdated (the hash cases; templateGeneration is not modelled)."""
    labels = FrozenMap({"controller-revision-hash": pod_hash}) if pod_hash else FrozenMap({})
    assert is_pod_updated(Pod(name="p", labels=labels), hash_) is updated


def _affinity(*values: str, key: str = "metadata.name", op: str = "In") -> tuple[NodeSelectorTerm, ...]:
    return (NodeSelectorTerm(match_fields=(NodeSelectorRequirement(key, op, values),)),)


@pytest.mark.parametrize(
    "pod,expected",
    [
        (Pod(name="p", node_name="node-1"), "node-1"),
        (Pod(name="p", node_affinity=_affinity("node-1")), "node-1"),
        (Pod(name="p", node_affinity=_affinity("node-1", "node-2")), None),  # "not unique"
        (Pod(name="p"), None),  # no affinity
        (Pod(name="p", node_affinity=_affinity("node-1", key="metadata.namespace")), None),
    ],
)
def test_get_target_node_name(pod: Pod, expected: str | None) -> None:
    """daemonset_util_test.go TestGetTargetNodeName."""
    assert get_target_node_name(pod) == expected


def test_replace_daemon_set_pod_node_name_node_affinity() -> None:
    """daemonset_util_test.go TestReplaceDaemonSetPodNodeNameNodeAffinity: any required terms are replaced
    by the single matchFields term."""
    user = (NodeSelectorTerm(match_expressions=(NodeSelectorRequirement("zone", "In", ("a",)),)),)
    assert replace_daemon_set_pod_node_name_node_affinity(user, "host1") == _affinity("host1")
    assert replace_daemon_set_pod_node_name_node_affinity(None, "host1") == _affinity("host1")


# ----------------------------------------------------------------- NodeShouldRunDaemonPod


@pytest.mark.parametrize(
    "name,node,template,expected",
    [
        ("ShouldRunDaemonPod", Node(name="n"), {}, (True, True)),
        ("cordoned node: unschedulable is tolerated", Node(name="n", unschedulable=True), {}, (True, True)),
        ("NotReady node: keeps the pod, no new one", Node(name="n", ready=False), {}, (False, True)),
        ("node selector matches", Node(name="n", labels=FrozenMap({"disk": "ssd"})),
         {"node_selector": FrozenMap({"disk": "ssd"})}, (True, True)),
        ("node selector does not match", Node(name="n"), {"node_selector": FrozenMap({"disk": "ssd"})}, (False, False)),
        ("untolerated NoSchedule taint", Node(name="n", taints=(Taint("dedicated", "x", "NoSchedule"),)), {}, (False, True)),
        ("untolerated NoExecute taint", Node(name="n", taints=(Taint("dedicated", "x", "NoExecute"),)), {}, (False, False)),
        ("tolerated NoExecute taint", Node(name="n", taints=(Taint("dedicated", "x", "NoExecute"),)),
         {"tolerations": (Toleration("dedicated", "Equal", "x", "NoExecute"),)}, (True, True)),
        ("PreferNoSchedule is ignored", Node(name="n", taints=(Taint("dedicated", "x", "PreferNoSchedule"),)), {}, (True, True)),
        ("required node affinity does not match", Node(name="n"),
         {"node_affinity": (NodeSelectorTerm(match_expressions=(NodeSelectorRequirement("zone", "In", ("a",)),)),)}, (False, False)),
    ],
)
def test_node_should_run_daemon_pod(name: str, node: Node, template: dict, expected: tuple[bool, bool]) -> None:
    """daemon_controller_test.go TestNodeShouldRunDaemonPod / TestTaintedNode* / TestNodeAffinityDaemonLaunchesPods
    (the cases that apply), plus the cordoned and NotReady nodes."""
    t = PodTemplate(labels=L, containers=(ContainerSpec("c", "agent:1"),), **template)
    assert node_should_run_daemon_pod(node, ds(template=t)) == expected, name


# -------------------------------------------------------------------------- controller


def test_simple_daemon_set_launches_pods() -> None:
    """daemon_controller_test.go TestSimpleDaemonSetLaunchesPods: one pod per node, bound by the scheduler
    through the matchFields affinity, with the hash label and the DaemonSet tolerations; status counts."""
    _, st = settled(ds(), nodes=3)
    c = st.cluster
    pods = daemon_pods(c)
    assert [p.node_name for p in pods] == ["node-1", "node-2", "node-3"]
    for p in pods:
        assert p.node_affinity == _affinity(p.node_name)
        assert p.tolerations == DAEMON_POD_TOLERATIONS
        assert "controller-revision-hash" in p.labels and p.conditions.ready
    s = c.get("DaemonSet", "default", "agent").status
    assert (s.desired_number_scheduled, s.current_number_scheduled, s.number_ready, s.updated_number_scheduled,
            s.number_available, s.number_unavailable) == (3, 3, 3, 3, 3, 0)
    assert get_rule("KC-DS-001").check(c, ("DaemonSet", "default", "agent"))


def test_daemon_set_respects_node_selector_and_runs_on_cordoned_node() -> None:
    """TestSelectorDaemonLaunchesPods, and a cordoned node still gets its pod (unschedulable is tolerated)."""
    nodes = (Node(name="a", labels=FrozenMap({"role": "x"}), unschedulable=True), Node(name="b"))
    t = PodTemplate(labels=L, containers=(ContainerSpec("c", "agent:1"),), node_selector=FrozenMap({"role": "x"}))
    _, st = settled(*nodes, ds(template=t))
    assert [p.node_name for p in daemon_pods(st.cluster)] == ["a"]


def test_manage_deletes_excess_pods_keeping_the_oldest() -> None:
    """daemon_controller_test.go TestDealsWithExistingPods (excess): without surge, every pod but the oldest
    on a node is deleted."""
    d = ds()
    _, st = settled(d, nodes=1)
    c = st.cluster
    pod = daemon_pods(c)[0]
    extra = replace(pod, name="agent-x", uid="uid-x", creation_index=pod.creation_index + 50)
    c = c.put(extra)
    writes = sync_daemon_set(c, ("default", "agent"))
    assert Delete("Pod", "default", "agent-x") in writes
    assert not any(isinstance(w, Delete) and w.name == pod.name for w in writes)


def test_failed_pod_is_deleted_and_replaced() -> None:
    """daemon_controller_test.go TestDaemonKillFailedPods (the backoff is time: the delete is issued at once)."""
    _, st = settled(ds(), nodes=1)
    c = st.cluster
    pod = daemon_pods(c)[0]
    c = c.put(replace(pod, phase="Failed"))
    writes = sync_daemon_set(c, ("default", "agent"))
    assert writes[0] == Delete("Pod", "default", pod.name)


def _ready(name: str, node: str, deleting: bool = False) -> Pod:
    from model.objects import PodConditions

    return Pod(name=name, node_name=node, labels=L, phase="Running", conditions=PodConditions(ready=True),
               deletion_timestamp=1 if deleting else None)


def _unavailable(v: Any) -> DaemonSetUpdateStrategy:  # update_test.go newUpdateUnavailable
    return DaemonSetUpdateStrategy("RollingUpdate", v, None)


def _surge(v: Any) -> DaemonSetUpdateStrategy:  # update_test.go newUpdateSurge
    return DaemonSetUpdateStrategy("RollingUpdate", 0, v)


@pytest.mark.parametrize(
    "name,nodes,strategy,pods,expected,empty",
    [
        ("No nodes", 0, _unavailable(0), {}, (0, 0, 0), 0),
        ("Two nodes with ready pods", 2, _unavailable(1), {"node-0": ["pod-0"], "node-1": ["pod-1"]}, (0, 1, 2), 0),
        ("Two nodes, one node without pods", 2, _unavailable(0), {"node-0": ["pod-0"]}, (0, 1, 2), 1),
        ("Two nodes, one node without pods, surge", 2, _surge(0), {"node-0": ["pod-0"]}, (0, 1, 2), 1),
        ("Two nodes with pods, MaxUnavailable in percents", 2, _unavailable("50%"),
         {"node-0": ["pod-0"], "node-1": ["pod-1"]}, (0, 1, 2), 0),
        ("Two nodes with pods, MaxUnavailable in percents, surge", 2, _surge("50%"),
         {"node-0": ["pod-0"], "node-1": ["pod-1"]}, (1, 0, 2), 0),
        ("Two nodes with pods, MaxUnavailable is 100%, surge", 2, _surge("100%"),
         {"node-0": ["pod-0"], "node-1": ["pod-1"]}, (2, 0, 2), 0),
        ("Two nodes with pods, MaxUnavailable in percents, pod terminating", 3, _unavailable("50%"),
         {"node-0": ["pod-0"], "node-1": ["pod-1!"]}, (0, 2, 3), 1),
    ],
)
def test_get_unavailable_numbers(name: str, nodes: int, strategy: DaemonSetUpdateStrategy, pods: dict, expected: tuple, empty: int) -> None:
    """update_test.go TestGetUnavailableNumbers (every case): updatedDesiredNodeCounts' (maxSurge,
    maxUnavailable, desiredNumberScheduled) and the empty entries it adds ("pod-1!" is terminating)."""
    node_list = tuple(Node(name=f"node-{i}") for i in range(nodes))
    mapping = {n: [_ready(p.rstrip("!"), n, p.endswith("!")) for p in ps] for n, ps in pods.items()}
    assert updated_desired_node_counts(node_list, ds(update_strategy=strategy), mapping) == expected, name
    assert sum(1 for v in mapping.values() if not v) == empty, name


def test_on_delete_counts_nothing() -> None:
    """util.SurgeCount/UnavailableCount are 0 for OnDelete (then the 0/0 fallback gives 1)."""
    nodes = tuple(Node(name=f"n{i}") for i in range(4))
    assert updated_desired_node_counts(nodes, ds(update_strategy=DaemonSetUpdateStrategy(type="OnDelete")), {}) == (0, 1, 4)


def test_controlled_histories_skip_other_namespaces() -> None:
    """update_test.go TestControlledHistories: an orphan revision of the same namespace is adopted, one in
    another namespace is not."""
    from model.objects import ControllerRevision
    from model.api import Update

    d = ds()
    same = ControllerRevision(name="agent-x2", namespace="default", uid="uid-r2", labels=L)
    other = ControllerRevision(name="agent-x3", namespace="default-other", uid="uid-r3", labels=L)
    c = ClusterState.from_objects([Node(name="node-1"), d, same, other])
    writes = sync_daemon_set(c, ("default", "agent"))
    adopted = [w.obj.name for w in writes if isinstance(w, Update) and w.obj.owner_references]
    assert "agent-x2" in adopted and "agent-x3" not in adopted


def test_find_updated_pods_on_node() -> None:
    """update.go findUpdatedPodsOnNode: more than one old (or new) non-deleted pod is not ok."""
    new = Pod(name="a", labels=FrozenMap({"controller-revision-hash": "h"}))
    old = Pod(name="b", labels=FrozenMap({"controller-revision-hash": "g"}))
    old2 = replace(old, name="c")
    assert find_updated_pods_on_node([new, old], "h") == (new, old, True)
    assert find_updated_pods_on_node([old, old2], "h") == (None, None, False)
    assert find_updated_pods_on_node([old, replace(old2, deletion_timestamp=1)], "h") == (None, old, True)


def _rollout(strategy: DaemonSetUpdateStrategy, nodes: int = 3,
             rule_ids: tuple[str, ...] = ("KC-DS-001", "KC-DS-002", "KC-DS-003")) -> Any:
    system, st = settled(ds(update_strategy=strategy), nodes=nodes)
    scenario = Scenario(initial=st.cluster, user_actions=(SetImage("DaemonSet", "agent", "agent:2"),))
    rules = [get_rule(r) for r in rule_ids]
    from kubecheck.runner import property_targets  # the CLI's targeting of rules

    props = [p for r in rules for p, _ in property_targets(r, scenario.initial)]
    return explore(KubeSystem(scenario), props)


@pytest.mark.parametrize(
    "strategy",
    [DaemonSetUpdateStrategy(max_unavailable=1, max_surge=0), DaemonSetUpdateStrategy(max_unavailable=0, max_surge=1),
     DaemonSetUpdateStrategy(max_unavailable="50%", max_surge=0), DaemonSetUpdateStrategy(type="OnDelete")],
)
def test_rolling_update_holds_the_daemon_set_rules(strategy: DaemonSetUpdateStrategy) -> None:
    """update_test.go TestDaemonSetUpdatesPods / TestDaemonSetUpdatesPodsWithMaxSurge / OnDelete: the rollout
    converges to the new template on every node, within maxUnavailable (maxSurge: never more than two pods
    on a node, never an unavailable node)."""
    result = _rollout(strategy)
    verdicts = {r.property.rule_id: r.verdict.name for r in result.results}
    assert verdicts == {"KC-DS-001": "HOLDS", "KC-DS-002": "HOLDS", "KC-DS-003": "HOLDS"}, verdicts


def test_a_controller_ignoring_max_unavailable_violates_kc_ds_003(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule bites: a rollingUpdate that deletes every old pod at once breaks maxUnavailable 1."""
    import model.daemon as daemon

    def greedy(nodes: Any, node_to_pods: Any, d: Any, hash_: str) -> list:
        old = [p for ps in node_to_pods.values() for p in ps if not daemon.is_pod_updated(p, hash_) and p.deletion_timestamp is None]
        return daemon._sync_nodes(d, old, [], hash_)

    monkeypatch.setattr(daemon, "rolling_update", greedy)
    # the rule under test only: with the other two (which hold) the search is exhaustive (~25 s), not cut at the violation
    strategy = DaemonSetUpdateStrategy(max_unavailable=1, max_surge=0)
    verdicts = {r.property.rule_id: r.verdict.name for r in _rollout(strategy, rule_ids=("KC-DS-003",)).results}
    assert verdicts["KC-DS-003"] == "VIOLATED"


def test_a_controller_creating_a_second_pod_violates_kc_ds_002(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule bites: a manage that creates a new pod next to a terminating one (no surge) has two on a node."""
    import model.daemon as daemon

    def eager(nodes: Any, node_to_pods: Any, d: Any, hash_: str) -> list:
        fresh = {k: [p for p in v if p.deletion_timestamp is None] for k, v in node_to_pods.items()}
        return real(nodes, {k: v for k, v in fresh.items() if v}, d, hash_)

    real = daemon._manage
    monkeypatch.setattr(daemon, "_manage", eager)
    strategy = DaemonSetUpdateStrategy(max_unavailable=1, max_surge=0)
    verdicts = {r.property.rule_id: r.verdict.name for r in _rollout(strategy, rule_ids=("KC-DS-002",)).results}
    assert verdicts["KC-DS-002"] == "VIOLATED"


def test_never_ready_daemon_pods_violate_kc_ds_001() -> None:
    t = PodTemplate(labels=L, containers=(ContainerSpec("c", "agent:unready", readiness_probe=True),))
    system, st = settled(ds(template=t), nodes=2)
    from kubecheck.runner import property_targets

    props = [p for p, _ in property_targets(get_rule("KC-DS-001"), st.cluster)]
    assert explore(KubeSystem(Scenario(initial=st.cluster)), props).results[0].verdict.name == "VIOLATED"


# ------------------------------------------------------------------- nodes: drain, failure, deletion


def test_drain_refuses_daemon_set_pods_without_ignore_daemonsets() -> None:
    """kubectl drain/filters_test.go TestDaemonSetFilter (shape): daemonSetFatal without the flag, skipped
    with it; an orphaned DaemonSet pod (its DaemonSet gone) is deleted with --force."""
    _, st = settled(ds(), nodes=1)
    c = st.cluster
    pod = daemon_pods(c)[0]
    pods, errors = get_pods_for_deletion(c, "node-1", force=False)
    assert pods == () and errors == (f"{DAEMON_SET_FATAL}: default/{pod.name}",)
    assert get_pods_for_deletion(c, "node-1", force=False, ignore_daemonsets=True) == ((), ())
    orphaned = c.remove("DaemonSet", "default", "agent")
    assert get_pods_for_deletion(orphaned, "node-1", force=True)[0] == (pod,)


def test_taint_eviction_spares_daemon_set_pods() -> None:
    """taint_eviction.go: the DaemonSet pods tolerate not-ready/unreachable NoExecute for ever."""
    _, st = settled(ds(), nodes=1)
    c = st.cluster
    node = c.get("Node", "", "node-1")
    assert evict_pods(c, replace(node, ready=False, eviction_timeout_elapsed=True)) == ()
    plain = replace(daemon_pods(c)[0], name="plain", uid="uid-p", tolerations=(), owner_references=())
    assert evict_pods(c.put(plain), node) == (Delete("Pod", "default", "plain", uid="uid-p"),)


def test_deleting_a_node_removes_its_daemon_pod_and_the_desired_count() -> None:
    """kubectl delete node: PodGC's gcOrphaned deletes the pod bound to it, the DaemonSet wants one pod fewer."""
    system, st = settled(ds(), nodes=2, actions=(DeleteNode("node-2"),))
    succ = [(a, s) for a, s in system.successors(st) if a.label == "user_delete_node"]
    assert len(succ) == 1
    state = succ[0][1]
    r = settle(system, state)
    c = r.state.cluster
    assert [p.node_name for p in daemon_pods(c)] == ["node-1"]
    assert c.get("DaemonSet", "default", "agent").status.desired_number_scheduled == 1
    assert "podgc_delete_orphaned_pod" in r.labels


def test_drained_node_removal_only_after_the_drain() -> None:
    """DeleteNode(drained=True): enabled only for a cordoned node with no drain running."""
    from model.environment import user_action_instances

    _, st = settled(ds(), nodes=2)
    c = st.cluster
    assert user_action_instances(c, DeleteNode(drained=True)) == []
    n1 = c.get("Node", "", "node-1")
    c2 = c.put(replace(n1, unschedulable=True))
    assert [d for d, _ in user_action_instances(c2, DeleteNode(drained=True))] == ["node-1"]
    drained = user_action_instances(c, DrainNode("node-1", ignore_daemonsets=True))
    assert len(drained) == 1  # cordon only: nothing to evict, the drain returns at once
    after = apply_write(c, drained[0][1][0])
    assert after.get("Node", "", "node-1").unschedulable and after.get("Node", "", "node-1").drain is None


def test_a_daemon_set_overlapping_a_replica_set_is_kc_own_004() -> None:
    from model.objects import ReplicaSet

    rs = ReplicaSet(name="rs", uid="uid-rs", selector=LabelSelector(L), template=PodTemplate(labels=L), replicas=0)
    _, st = settled(ds(), nodes=1)
    c = st.cluster
    assert get_rule("KC-OWN-004").check(c)
    assert not get_rule("KC-OWN-004").check(c.put(rs))
