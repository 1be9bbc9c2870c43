"""The scheduler's InterPodAffinity filter (model.scheduler.satisfies_inter_pod_affinity).

The table is ported from kubernetes/kubernetes
pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go (TestRequiredAffinitySingleNode,
TestRequiredAffinityMultipleNodes): the incoming pod's terms, the existing pods with their nodes and
labels, the nodes' labels, and whether each node fits.  Upstream's namespaceSelector-with-labels case
is left out (a non-empty namespaceSelector is an ignored field here); the last two rows are derived
from the rules (hostname, terminal pods), not upstream tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from model.frozen import FrozenMap
from model.labels import LabelSelector, LabelSelectorRequirement
from model.objects import Node, Pod, PodAffinityTerm
from model.scheduler import affinity_term_matches, find_nodes_that_fit, node_topology_value, satisfies_inter_pod_affinity
from model.state import ClusterState


def T(sel: list[tuple[str, str, list[str]]], key: str, ns: list[str] | None = None, all_ns: bool = False) -> PodAffinityTerm:
    return PodAffinityTerm(
        selector=LabelSelector(match_expressions=tuple(LabelSelectorRequirement(k, op, tuple(v)) for k, op, v in sel)),
        topology_key=key, namespaces=tuple(ns or ()), all_namespaces=all_ns)


N1 = {"region": "r1", "zone": "z11"}

CASES: list[dict[str, Any]] = [
    dict(id="aff-in-satisfied",
         pod=dict(ns="", labels={"security": "S1"}, aff=[T([("service", "In", ["securityscan", "value2"])], "region")], anti=[]),
         existing=[dict(node="node1", ns="", labels={"service": "securityscan"}, anti=[])],
         nodes={"node1": N1}, expect=[True]),
    dict(id="anti-incoming-blocks",
         pod=dict(ns="", labels={"security": "S1"}, aff=[T([("service", "In", ["securityscan", "value2"])], "region")],
                  anti=[T([("service", "In", ["securityscan", "value2"])], "zone")]),
         existing=[dict(node="node1", ns="", labels={"service": "securityscan"}, anti=[])],
         nodes={"node1": N1}, expect=[False]),
    dict(id="existing-anti-blocks",
         pod=dict(ns="", labels={"service": "securityscan"}, aff=[], anti=[]),
         existing=[dict(node="node1", ns="", labels={"service": "securityscan"},
                        anti=[T([("service", "In", ["securityscan", "value2"])], "zone")])],
         nodes={"node1": N1}, expect=[False]),
    dict(id="self-match-fails",
         pod=dict(ns="", labels={"service": "securityscan"}, aff=[T([("service", "NotIn", ["securityscan", "value2"])], "region")], anti=[]),
         existing=[dict(node="node2", ns="", labels={"service": "securityscan"}, anti=[])],  # node2 not in the snapshot
         nodes={"node1": N1}, expect=[False]),
    dict(id="aff-region-multi",
         pod=dict(ns="", labels={}, aff=[T([("foo", "In", ["bar"])], "region")], anti=[]),
         existing=[dict(node="node1", ns="", labels={"foo": "bar"}, anti=[])],
         nodes={"node1": {"region": "China"}, "node2": {"region": "China", "az": "az1"}, "node3": {"region": "India"}},
         expect=[True, True, False]),
    dict(id="self-match-first-pod",
         pod=dict(ns="", labels={"foo": "bar", "service": "securityscan"},
                  aff=[T([("foo", "In", ["bar"])], "zone"), T([("service", "In", ["securityscan"])], "zone")], anti=[]),
         existing=[dict(node="nodeA", ns="", labels={"foo": "bar"}, anti=[])],  # matches the first term only
         nodes={"nodeA": {"zone": "az1", "hostname": "h1"}, "nodeB": {"zone": "az2", "hostname": "h2"}},
         expect=[True, True]),
    dict(id="self-match-node-lacks-key",
         pod=dict(ns="", labels={"foo": "bar", "service": "securityscan"},
                  aff=[T([("foo", "In", ["bar"])], "zone"), T([("service", "In", ["securityscan"])], "zone")], anti=[]),
         existing=[dict(node="nodeA", ns="", labels={"foo": "bar"}, anti=[])],
         nodes={"nodeA": {"zoneLabel": "az1", "hostname": "h1"}, "nodeB": {"zoneLabel": "az2", "hostname": "h2"}},
         expect=[False, False]),
    dict(id="aff-terms-same-pod",
         pod=dict(ns="", labels={}, aff=[T([("foo", "Exists", [])], "region"), T([("bar", "Exists", [])], "zone")], anti=[]),
         existing=[dict(node="nodeA", ns="", labels={"foo": ""}, anti=[]), dict(node="nodeB", ns="", labels={"bar": ""}, anti=[])],
         nodes={"nodeA": {"region": "r1", "zone": "z1", "hostname": "nodeA"}, "nodeB": {"region": "r1", "zone": "z2", "hostname": "nodeB"}},
         expect=[False, False]),
    dict(id="aff-terms-all-match",
         pod=dict(ns="", labels={}, aff=[T([("foo", "Exists", [])], "region"), T([("bar", "Exists", [])], "zone")], anti=[]),
         existing=[dict(node="nodeA", ns="", labels={"foo": "", "bar": ""}, anti=[])],
         nodes={"nodeA": {"region": "r1", "zone": "z1", "hostname": "nodeA"}, "nodeB": {"region": "r1", "zone": "z1", "hostname": "nodeB"}},
         expect=[True, True]),
    dict(id="anti-node-lacks-key",
         pod=dict(ns="", labels={}, aff=[], anti=[T([("foo", "Exists", [])], "invalid-node-label")]),
         existing=[dict(node="nodeA", ns="", labels={"foo": ""}, anti=[])],
         nodes={"nodeA": {"region": "r1", "zone": "z1", "hostname": "nodeA"}, "nodeB": {"region": "r1", "zone": "z1", "hostname": "nodeB"}},
         expect=[True, True]),
    dict(id="existing-anti-partial-key",
         pod=dict(ns="", labels={"foo": "", "bar": ""}, aff=[], anti=[]),
         existing=[dict(node="nodeA", ns="", labels={},
                        anti=[T([("foo", "Exists", [])], "invalid-node-label"), T([("bar", "Exists", [])], "zone")])],
         nodes={"nodeA": {"region": "r1", "zone": "z1", "hostname": "nodeA"}, "nodeB": {"region": "r1", "zone": "z2", "hostname": "nodeB"}},
         expect=[False, True]),
    dict(id="existing-anti-only-nodeC",
         pod=dict(ns="", labels={"foo": "", "bar": ""}, aff=[], anti=[]),
         existing=[dict(node="nodeA", ns="", labels={}, anti=[T([("foo", "Exists", [])], "zone"), T([("labelA", "Exists", [])], "zone")]),
                   dict(node="nodeB", ns="", labels={}, anti=[T([("bar", "Exists", [])], "zone"), T([("labelB", "Exists", [])], "zone")])],
         nodes={"nodeA": {"region": "r1", "zone": "z1", "hostname": "nodeA"}, "nodeB": {"region": "r1", "zone": "z2", "hostname": "nodeB"},
                "nodeC": {"region": "r1", "zone": "z3", "hostname": "nodeC"}},
         expect=[False, False, True]),
    dict(id="anti-namespaces",
         pod=dict(ns="NS1", labels={"foo": "123"}, aff=[], anti=[T([("foo", "In", ["bar"])], "region")]),
         existing=[dict(node="nodeA", ns="NS1", labels={"foo": "bar"}, anti=[]),
                   dict(node="nodeC", ns="NS2", labels={}, anti=[T([("foo", "In", ["123"])], "region")])],
         nodes={"nodeA": {"region": "China"}, "nodeB": {"region": "China", "az": "az1"}, "nodeC": {"region": "India"}},
         expect=[False, False, True]),
    dict(id="anti-namespace-selector-all",
         pod=dict(ns="subteam1.team1", labels={"security": "S1"}, aff=[],
                  anti=[T([("service", "In", ["securityscan", "value2"])], "zone", all_ns=True)]),
         existing=[dict(node="node1", ns="subteam2.team1", labels={"service": "securityscan"}, anti=[])],
         nodes={"node1": N1}, expect=[False]),
    # derived from the rules: the hostname key, which every node carries (its name when unlabelled)
    dict(id="anti-hostname",
         pod=dict(ns="", labels={"app": "web"}, aff=[], anti=[T([("app", "In", ["web"])], "kubernetes.io/hostname")]),
         existing=[dict(node="n1", ns="", labels={"app": "web"}, anti=[])],
         nodes={"n1": {}, "n2": {}}, expect=[False, True]),
    # derived: a pod in phase Succeeded or Failed is not in the scheduler's cache
    dict(id="anti-terminal-pod",
         pod=dict(ns="", labels={"app": "web"}, aff=[], anti=[T([("app", "In", ["web"])], "kubernetes.io/hostname")]),
         existing=[dict(node="n1", ns="", labels={"app": "web"}, anti=[], phase="Failed")],
         nodes={"n1": {}, "n2": {}}, expect=[True, True]),
]


def _cluster(case: dict[str, Any]) -> tuple[ClusterState, Pod, list[Node]]:
    nodes = [Node(name=n, uid=f"u-{n}", labels=FrozenMap(labels)) for n, labels in case["nodes"].items()]
    c = ClusterState.from_objects(nodes)
    for i, e in enumerate(case["existing"]):
        c = c.put(Pod(name=f"e{i}", uid=f"ue{i}", namespace=e["ns"] or "default", labels=FrozenMap(e["labels"]), node_name=e["node"],
                      phase=e.get("phase", "Running"), pod_anti_affinity=tuple(e["anti"])))
    p = case["pod"]
    pod = Pod(name="incoming", uid="uin", namespace=p["ns"] or "default", labels=FrozenMap(p["labels"]),
              pod_affinity=tuple(p["aff"]), pod_anti_affinity=tuple(p["anti"]))
    return c, pod, nodes


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_required_inter_pod_affinity_table(case: dict[str, Any]) -> None:
    c, pod, nodes = _cluster(case)
    assert [satisfies_inter_pod_affinity(c, n, pod) for n in nodes] == case["expect"]
    assert [n.name for n in find_nodes_that_fit(c, pod)] == [n.name for n, ok in zip(nodes, case["expect"]) if ok]


def test_a_terminating_pod_keeps_its_anti_affinity_until_it_is_gone() -> None:
    # the scheduler's cache drops a pod on its delete event only: a rollout's surge pod waits for the old pod to be
    # deleted, not only for it to start terminating

    term = T([("app", "In", ["web"])], "kubernetes.io/hostname")
    n1 = Node(name="n1", uid="u1")
    c = ClusterState.from_objects([n1]).put(Pod(name="old", uid="uo", labels=FrozenMap({"app": "web"}), node_name="n1",
                                                phase="Running", deletion_timestamp=1, pod_anti_affinity=(term,)))
    new = Pod(name="new", uid="un", labels=FrozenMap({"app": "web"}), pod_anti_affinity=(term,))
    assert not satisfies_inter_pod_affinity(c, n1, new)
    assert satisfies_inter_pod_affinity(c.remove("Pod", "default", "old"), n1, new)


def test_the_hostname_label_defaults_to_the_node_name() -> None:
    assert node_topology_value(Node(name="a", uid="u"), "kubernetes.io/hostname") == "a"
    assert node_topology_value(Node(name="a", uid="u", labels=FrozenMap({"kubernetes.io/hostname": "h"})), "kubernetes.io/hostname") == "h"
    assert node_topology_value(Node(name="a", uid="u"), "topology.kubernetes.io/zone") is None


ONE_PER_NODE = """apiVersion: apps/v1
kind: KIND
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  STRATEGY
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [TERM]}}
      containers: [{name: c, image: nginx}]
"""
# corpus set minio-operator under node-failure (2 replicas, 2 nodes, one deleted): "check with --nodes 2" was the advice
AFTER_A_NODE_FAILS = (" (one more to re-place a pod after a node fails): check with --nodes 3, or --nodes 4 under node-failure "
                      "(or declare your Nodes)")
SELF = "{labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}"
WHO = "{kind} shop/web: its required podAntiAffinity on kubernetes.io/hostname allows one of its pods per node, so it needs at least 3 nodes"


@pytest.mark.parametrize("kind, strategy, term, want", [
    ("Deployment", "", SELF, WHO + " to run and replicas + maxSurge = 4 to roll out with maxUnavailable 0: check with --nodes 4 "
     "(or declare your Nodes), or set maxSurge: 0 with maxUnavailable: 1"),
    ("Deployment", "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}", SELF, WHO + AFTER_A_NODE_FAILS),
    ("StatefulSet", "serviceName: web", SELF, WHO + AFTER_A_NODE_FAILS),
    ("Deployment", "", SELF.replace("hostname", "zone").replace("kubernetes.io/", "topology.kubernetes.io/"), ""),  # not one per node
    ("Deployment", "", SELF.replace("app: web", "app: db"), ""),  # not its own pods
    ("Deployment", "", SELF.replace("topologyKey", "namespaces: [other], topologyKey"), ""),  # not its own namespace
])
def test_the_placement_fix_names_the_nodes_a_one_per_node_workload_needs(kind: str, strategy: str, term: str, want: str) -> None:
    # KC-CONV-002 / KC-CONV-003's concrete fix (properties.catalogue.placement_fix): kubecheck adds 2 nodes by default
    from model.manifests import load_text
    from model.objects import kind_of
    from properties.catalogue import placement_fix

    r = load_text(ONE_PER_NODE.replace("KIND", kind).replace("STRATEGY", strategy).replace("TERM", term), "web.yaml")
    assert r.ok, r.errors
    objects = {(kind_of(o), o.namespace, o.name): o for o in r.objects}
    assert placement_fix(objects, [(kind, "shop", "web")]) == want.format(kind=kind)


def test_an_unparsable_selector_of_the_incoming_pod_fits_no_node() -> None:
    # PreFilter returns UnschedulableAndUnresolvable ("parsing pod"); only a pod no validation saw can carry one
    bad = PodAffinityTerm(selector=LabelSelector(match_expressions=(LabelSelectorRequirement("app", "In", ()),)),
                          topology_key="kubernetes.io/hostname")
    n1 = Node(name="n1", uid="u1")
    c = ClusterState.from_objects([n1])
    assert not satisfies_inter_pod_affinity(c, n1, Pod(name="p", uid="up", pod_anti_affinity=(bad,)))
    assert not satisfies_inter_pod_affinity(c, n1, Pod(name="p", uid="up", pod_affinity=(bad,)))


def test_a_pod_in_a_terminal_phase_holds_no_slot_and_no_host_port() -> None:
    # the scheduler's pod informer does not list Succeeded or Failed pods (scheduler.go newPodInformer)
    from model.objects import ContainerSpec
    from model.scheduler import node_fits, pods_on_node

    port = (ContainerSpec("c", "i", host_ports=(("0.0.0.0", "TCP", 80),)),)
    n1 = Node(name="n1", uid="u1", pod_capacity=1)
    done = Pod(name="done", uid="ud", node_name="n1", phase="Succeeded", spec_containers=port)
    c = ClusterState.from_objects([n1]).put(done)
    assert pods_on_node(c, "n1") == 0
    assert node_fits(c, n1, Pod(name="p", uid="up", spec_containers=port))
    running = c.put(Pod(name="done", uid="ud", node_name="n1", phase="Running", spec_containers=port))
    assert pods_on_node(running, "n1") == 1 and not node_fits(running, n1, Pod(name="p", uid="up"))


def test_match_label_keys_are_merged_into_a_created_pods_selector() -> None:
    # pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatchLabelKeys: In for matchLabelKeys, NotIn for
    # mismatchLabelKeys, keys the pod lacks skipped, a term without a selector left alone
    from model.api import Create
    from model.apiserver import apply_write

    sel = LabelSelector(match_labels=FrozenMap({"app": "web"}))
    term = PodAffinityTerm(selector=sel, topology_key="kubernetes.io/hostname", match_label_keys=("pod-template-hash", "absent"),
                           mismatch_label_keys=("tenant",))
    nil = PodAffinityTerm(selector=None, topology_key="zone", match_label_keys=("pod-template-hash",))
    pod = Pod(name="p", namespace="default", labels=FrozenMap({"app": "web", "pod-template-hash": "h1", "tenant": "t"}),
              pod_anti_affinity=(term,), pod_affinity=(nil,))
    created = apply_write(ClusterState(), Create(pod)).get("Pod", "default", "p")
    (merged,) = created.pod_anti_affinity
    assert merged.selector is not None and merged.selector.match_expressions == (
        LabelSelectorRequirement("pod-template-hash", "In", ("h1",)), LabelSelectorRequirement("tenant", "NotIn", ("t",)))
    assert created.pod_affinity == (nil,)
    old = Pod(name="o", labels=FrozenMap({"app": "web", "pod-template-hash": "h0", "tenant": "t"}))
    assert not affinity_term_matches(merged, created, old)  # another revision: not kept apart any more
    assert affinity_term_matches(term, created, old)  # without the merge it would be


def test_before_1_31_the_api_server_drops_match_label_keys() -> None:
    from model.apiserver import admit_pod_affinity_label_keys

    term = PodAffinityTerm(selector=LabelSelector(), topology_key="zone", match_label_keys=("pod-template-hash",))
    pod = Pod(name="p", labels=FrozenMap({"pod-template-hash": "h"}), pod_anti_affinity=(term,))
    (off,) = admit_pod_affinity_label_keys([pod], enabled=False)
    assert off.pod_anti_affinity == (PodAffinityTerm(selector=LabelSelector(), topology_key="zone"),)
    (on,) = admit_pod_affinity_label_keys([pod], enabled=True)  # a manifest Pod was merged when it was created
    assert on.pod_anti_affinity[0].selector == LabelSelector(match_expressions=(LabelSelectorRequirement("pod-template-hash", "In", ("h",)),))
