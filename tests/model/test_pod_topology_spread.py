"""The scheduler's PodTopologySpread filter (model.scheduler.satisfies_pod_topology_spread).

The table is ported from kubernetes/kubernetes
pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go (TestSingleConstraint,
TestMultipleConstraints; /work/notes/pts.md section 3): the incoming pod's DoNotSchedule constraints,
the existing pods with their nodes, labels, namespaces and deletion, the nodes' labels and taints, and
the status upstream's Filter returns on each node: S (Success), U (Unschedulable), UU
(UnschedulableAndUnresolvable).  As upstream's tests run this plugin alone, a node another filter
rejects (node affinity, taints) may show S.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from model.frozen import FrozenMap
from model.labels import LabelSelector, LabelSelectorRequirement
from model.objects import Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, TopologySpreadConstraint
from model.scheduler import _pod_topology_spread_status, find_nodes_that_fit, satisfies_pod_topology_spread, spread_constraint_selector
from model.state import ClusterState


def SC(max_skew: int, key: str, sel: str | None, min_domains: int | None = None, aff_pol: str | None = None,
       taint_pol: str | None = None) -> TopologySpreadConstraint:
    """``sel``: "foo" / "bar" = Exists on that key, None = no labelSelector."""
    selector = None if sel is None else LabelSelector(match_expressions=(LabelSelectorRequirement(sel, "Exists", ()),))
    return TopologySpreadConstraint(max_skew=max_skew, topology_key=key, selector=selector, min_domains=min_domains,
                                    node_affinity_policy=aff_pol, node_taints_policy=taint_pol)


Z4 = {"node-a": {"zone": "zone1", "node": "node-a"}, "node-b": {"zone": "zone1", "node": "node-b"},
      "node-x": {"zone": "zone2", "node": "node-x"}, "node-y": {"zone": "zone2", "node": "node-y"}}
ABC = {f"node-{c}": {"node": f"node-{c}"} for c in "abc"}
FOO_NODES = {"node-a": {"node": "node-a", "foo": ""}, "node-b": {"node": "node-b", "foo": ""},
             "node-x": {"node": "node-x", "foo": ""}, "node-y": {"node": "node-y"}}
HOSTS4 = {f"node-{c}": {"node": f"node-{c}"} for c in "abxy"}
TAINT = (Taint("node.kubernetes.io/unschedulable", effect="NoSchedule"),)


def P(name: str, node: str, labels: dict[str, str] | None = None, ns: str = "", term: bool = False) -> dict[str, Any]:
    return dict(name=name, node=node, labels={"foo": ""} if labels is None else labels, ns=ns, term=term)


def pods(**per_node: int) -> list[dict[str, Any]]:
    """pods(node_a=2, node_y=3): that many foo-labelled pods on each node."""
    return [P(f"p-{n[-1]}{i}", n.replace("_", "-")) for n, k in per_node.items() for i in range(k)]


CASES: list[dict[str, Any]] = [
    dict(id="no-existing-pods", pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", "foo")]), nodes=Z4, existing=[],
         want={n: "S" for n in Z4}),
    dict(id="no-existing-pods-not-self-matching", pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", "bar")]), nodes=Z4,
         existing=[], want={n: "S" for n in Z4}),
    dict(id="ns-mismatch-not-counted", pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", "foo")]), nodes=Z4,
         existing=[P("p-a1", "node-a", ns="ns1"), P("p-b1", "node-a", ns="ns2"), P("p-x1", "node-x"), P("p-y1", "node-y")],
         want={"node-a": "S", "node-b": "S", "node-x": "U", "node-y": "U"}),
    dict(id="null-selector-matches-nothing", pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", None)]), nodes=Z4,
         existing=pods(node_x=1, node_y=1), want={n: "S" for n in Z4}),
    dict(id="zone-3-3-all-fit", pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", "foo")]), nodes=Z4,
         existing=pods(node_a=2, node_b=1, node_y=3), want={n: "S" for n in Z4}),
    dict(id="node-b-lacks-zone-key", pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", "foo")]),
         nodes={**Z4, "node-b": {"zon": "zone1", "node": "node-b"}},
         existing=pods(node_a=1, node_b=1, node_x=1, node_y=1),  # zone1=1 (b not counted), zone2=2
         want={"node-a": "S", "node-b": "UU", "node-x": "U", "node-y": "U"}),
    dict(id="no-node-has-key-rack", pod=dict(labels={"foo": ""}, tsc=[SC(1, "rack", "foo")]),
         nodes={"node-a": Z4["node-a"], "node-x": Z4["node-x"]}, existing=[], want={"node-a": "UU", "node-x": "UU"}),
    dict(id="hostname-2-1-0-3-skew1", pod=dict(labels={"foo": ""}, tsc=[SC(1, "node", "foo")]), nodes=Z4,
         existing=pods(node_a=2, node_b=1, node_y=3), want={"node-a": "U", "node-b": "U", "node-x": "S", "node-y": "U"}),
    dict(id="hostname-2-1-0-3-skew2", pod=dict(labels={"foo": ""}, tsc=[SC(2, "node", "foo")]), nodes=Z4,
         existing=pods(node_a=2, node_b=1, node_y=3), want={"node-a": "U", "node-b": "S", "node-x": "S", "node-y": "U"}),
    dict(id="pod-not-self-matching", pod=dict(labels={"bar": ""}, tsc=[SC(1, "node", "foo")]), nodes=Z4,
         existing=pods(node_a=2, node_b=1, node_y=3), want={"node-a": "U", "node-b": "S", "node-x": "S", "node-y": "U"}),
    dict(id="nodeaffinity-honor-excludes-b-x",
         pod=dict(labels={"foo": ""}, node_affinity_in=("node", ["node-a", "node-y"]), tsc=[SC(1, "node", "foo")]),
         nodes=Z4, existing=pods(node_a=2, node_b=1, node_y=3),  # counted: a=2, y=3 -> min 2
         want={"node-a": "S", "node-b": "S", "node-x": "S", "node-y": "U"}),
    dict(id="terminating-excluded", pod=dict(labels={"foo": ""}, tsc=[SC(1, "node", "foo")]),
         nodes={"node-a": {"node": "node-a"}, "node-b": {"node": "node-b"}},
         existing=[P("p-a", "node-a", term=True), P("p-b", "node-b")], want={"node-a": "S", "node-b": "U"}),
    dict(id="minDomains-4-gt-3-domains", pod=dict(labels={"foo": ""}, tsc=[SC(2, "node", "foo", min_domains=4)]),
         nodes=ABC, existing=pods(node_a=2, node_b=2, node_c=1),  # global minimum forced to 0
         want={"node-a": "U", "node-b": "U", "node-c": "S"}),
    dict(id="minDomains-2-le-3-domains", pod=dict(labels={"foo": ""}, tsc=[SC(2, "node", "foo", min_domains=2)]),
         nodes=ABC, existing=pods(node_a=2, node_b=2, node_c=1), want={"node-a": "S", "node-b": "S", "node-c": "S"}),
    dict(id="minDomains-3-zone-2-1", pod=dict(labels={"foo": ""}, tsc=[SC(2, "zone", "foo", min_domains=3)]), nodes=Z4,
         existing=pods(node_a=1, node_b=1, node_y=1), want={"node-a": "U", "node-b": "U", "node-x": "S", "node-y": "S"}),
    dict(id="affinityPolicy-honor-nodeSelector",
         pod=dict(labels={"foo": ""}, node_selector={"foo": ""}, tsc=[SC(1, "node", "foo")]), nodes=FOO_NODES,
         existing=pods(node_a=1, node_b=1, node_y=1),  # y not counted: a1 b1 x0
         want={"node-a": "U", "node-b": "U", "node-x": "S", "node-y": "S"}),
    dict(id="affinityPolicy-ignore-nodeSelector",
         pod=dict(labels={"foo": ""}, node_selector={"foo": ""}, tsc=[SC(1, "node", "foo", aff_pol="Ignore")]), nodes=FOO_NODES,
         existing=pods(node_a=1, node_b=1, node_y=1), want={"node-a": "U", "node-b": "U", "node-x": "S", "node-y": "U"}),
    dict(id="taintsPolicy-honor", pod=dict(labels={"foo": ""}, tsc=[SC(1, "node", "foo", taint_pol="Honor")]),
         nodes=HOSTS4, taints={"node-y": TAINT},
         existing=pods(node_a=1, node_b=1, node_y=1), want={"node-a": "U", "node-b": "U", "node-x": "S", "node-y": "S"}),
    dict(id="taintsPolicy-ignored", pod=dict(labels={"foo": ""}, tsc=[SC(1, "node", "foo")]),
         nodes=HOSTS4, taints={"node-y": TAINT},
         existing=pods(node_a=1, node_b=1, node_y=1), want={"node-a": "U", "node-b": "U", "node-x": "S", "node-y": "U"}),
    dict(id="two-constraints-node-x-lacks-node-key",
         pod=dict(labels={"foo": ""}, tsc=[SC(1, "zone", "foo"), SC(1, "node", "foo")]),
         nodes={**Z4, "node-x": {"zone": "zone2"}}, existing=[P("p-a1", "node-a"), P("p-y3", "node-y")],
         want={"node-a": "U", "node-b": "S", "node-x": "UU", "node-y": "U"}),
    dict(id="two-constraints-diff-selectors-2-3_1-0-0-1",
         pod=dict(labels={"foo": "", "bar": ""}, tsc=[SC(1, "zone", "foo"), SC(1, "node", "bar")]), nodes=Z4,
         existing=[P("p-a1", "node-a"), P("p-a2", "node-a", {"foo": "", "bar": ""}), P("p-y1", "node-y"),
                   P("p-y2", "node-y", {"foo": "", "bar": ""}), P("p-y3", "node-y")],
         want={"node-a": "U", "node-b": "S", "node-x": "U", "node-y": "U"}),
]


def _ns(ns: str) -> str:
    return ns or "default"


def _cluster(case: dict[str, Any]) -> tuple[ClusterState, Pod]:
    taints = case.get("taints", {})
    nodes = [Node(name=n, uid=f"u-{n}", labels=FrozenMap(labels), taints=taints.get(n, ())) for n, labels in case["nodes"].items()]
    c = ClusterState.from_objects(nodes)
    for i, e in enumerate(case["existing"]):
        c = c.put(Pod(name=e["name"], uid=f"ue{i}", namespace=_ns(e["ns"]), labels=FrozenMap(e["labels"]), node_name=e["node"],
                      phase="Running", deletion_timestamp=1 if e["term"] else None))
    p = case["pod"]
    affinity = None
    if "node_affinity_in" in p:
        key, values = p["node_affinity_in"]
        affinity = (NodeSelectorTerm(match_expressions=(NodeSelectorRequirement(key, "In", tuple(values)),)),)
    pod = Pod(name="incoming", uid="uin", namespace="default", labels=FrozenMap(p["labels"]),
              node_selector=FrozenMap(p.get("node_selector", {})), node_affinity=affinity,
              topology_spread_constraints=tuple(p["tsc"]))
    return c, pod


_CODES = {"Success": "S", "Unschedulable": "U", "UnschedulableAndUnresolvable": "UU"}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pod_topology_spread_filter_table(case: dict[str, Any]) -> None:
    c, pod = _cluster(case)
    got = {n.name: _CODES[_pod_topology_spread_status(c, n, pod)] for n in c.nodes.values()}
    assert got == case["want"]
    for n in c.nodes.values():
        assert satisfies_pod_topology_spread(c, n, pod) == (case["want"][n.name] == "S")


def test_a_pod_in_a_terminal_phase_is_not_counted() -> None:
    """The scheduler's informer does not list Succeeded/Failed pods: a domain holding only such pods counts 0."""
    case = dict(pod=dict(labels={"foo": ""}, tsc=[SC(1, "node", "foo")]), nodes=ABC, existing=pods(node_a=1, node_b=1))
    c, pod = _cluster(case)
    assert [n.name for n in find_nodes_that_fit(c, pod)] == ["node-c"]
    done = c.put(Pod(name="p-c0", uid="uc", namespace="default", labels=FrozenMap({"foo": ""}), node_name="node-c", phase="Succeeded"))
    assert [n.name for n in find_nodes_that_fit(done, pod)] == ["node-c"]
    running = c.put(Pod(name="p-c0", uid="uc", namespace="default", labels=FrozenMap({"foo": ""}), node_name="node-c", phase="Running"))
    assert [n.name for n in find_nodes_that_fit(running, pod)] == ["node-a", "node-b", "node-c"]


def test_an_empty_selector_counts_no_pod_but_matches_the_pod_itself() -> None:
    """``labelSelector: {}`` is Everything, which ``countPodsMatchSelector`` returns 0 for (``Empty()``, #116607):
    every domain counts 0 and the skew is 0 + 1 - 0 = 1 <= maxSkew on every node carrying the key."""
    everything = TopologySpreadConstraint(max_skew=1, topology_key="node", selector=LabelSelector())
    case = dict(pod=dict(labels={"foo": ""}, tsc=[everything]), nodes=ABC, existing=pods(node_a=3))
    c, pod = _cluster(case)
    assert [n.name for n in find_nodes_that_fit(c, pod)] == ["node-a", "node-b", "node-c"]


def test_match_label_keys_narrow_the_selector_to_the_pods_own_values() -> None:
    """matchLabelKeys: the key=value of each key the pod carries is ANDed on (mergeLabelSetWithSelector);
    absent keys are ignored.  Two revisions of one app then spread independently."""
    app = LabelSelector(match_labels=FrozenMap({"app": "web"}))
    c = TopologySpreadConstraint(max_skew=1, topology_key="node", selector=app, match_label_keys=("pod-template-hash", "absent"))
    sel = spread_constraint_selector(c, FrozenMap({"app": "web", "pod-template-hash": "h2"}))
    assert sel.matches({"app": "web", "pod-template-hash": "h2"})
    assert not sel.matches({"app": "web", "pod-template-hash": "h1"})
    nodes = {"n1": {"node": "n1"}, "n2": {"node": "n2"}}
    old = [dict(name="o1", node="n1", labels={"app": "web", "pod-template-hash": "h1"}, ns="", term=False)]
    case = dict(pod=dict(labels={"app": "web", "pod-template-hash": "h2"}, tsc=[c]), nodes=nodes, existing=old)
    cl, pod = _cluster(case)
    assert [n.name for n in find_nodes_that_fit(cl, pod)] == ["n1", "n2"]  # the old revision's pod is not counted
    plain = TopologySpreadConstraint(max_skew=1, topology_key="node", selector=app)
    cl, pod = _cluster(dict(case, pod=dict(labels={"app": "web", "pod-template-hash": "h2"}, tsc=[plain])))
    assert [n.name for n in find_nodes_that_fit(cl, pod)] == ["n2"]


def test_an_unparsable_selector_fits_no_node() -> None:
    bad = TopologySpreadConstraint(max_skew=1, topology_key="node", selector=LabelSelector(
        match_expressions=(LabelSelectorRequirement("app", "In", ()),)))
    c, pod = _cluster(dict(pod=dict(labels={"foo": ""}, tsc=[bad]), nodes=ABC, existing=[]))
    assert find_nodes_that_fit(c, pod) == ()


def test_hostname_domains_default_to_the_node_name() -> None:
    """A node without kubernetes.io/hostname carries its own name there (model.scheduler.node_topology_value)."""
    host = TopologySpreadConstraint(max_skew=1, topology_key="kubernetes.io/hostname",
                                    selector=LabelSelector(match_labels=FrozenMap({"foo": ""})))
    c, pod = _cluster(dict(pod=dict(labels={"foo": ""}, tsc=[host]), nodes={"n1": {}, "n2": {}}, existing=pods(n1=1)))
    assert [n.name for n in find_nodes_that_fit(c, pod)] == ["n2"]


def test_a_cordoned_or_not_ready_node_is_a_domain_unless_taints_are_honoured() -> None:
    """nodeTaintsPolicy Ignore (the default) counts a cordoned (or NotReady) node's domain, 0 pods and so the
    minimum: with one pod on each other node, the skew there is 1 + 1 - 0 > 1 and the pod fits nowhere (upstream
    behaviour, e.g. during a node failure).  Honor leaves the domain out (its unschedulable / not-ready taint)."""
    for policy, want in ((None, []), ("Honor", ["n1", "n2"])):
        tsc = SC(1, "node", "foo", taint_pol=policy)
        c, pod = _cluster(dict(pod=dict(labels={"foo": ""}, tsc=[tsc]), nodes={"n1": {"node": "n1"}, "n2": {"node": "n2"},
                                                                               "n3": {"node": "n3"}}, existing=pods(n1=1, n2=1)))
        cordoned = c.put(Node(name="n3", uid="u-n3", labels=FrozenMap({"node": "n3"}), unschedulable=True))
        assert [n.name for n in find_nodes_that_fit(cordoned, pod)] == want
        not_ready = c.put(Node(name="n3", uid="u-n3", labels=FrozenMap({"node": "n3"}), ready=False))
        assert [n.name for n in find_nodes_that_fit(not_ready, pod)] == want


def test_from_1_34_the_api_server_merges_match_label_keys_at_a_pods_create() -> None:
    """strategy.go mutateTopologySpreadConstraints (MatchLabelKeysInPodTopologySpreadSelectorMerge, 1.34+): the keys the
    pod carries are appended as ``key In (value)``; the scheduler merges them again.  Same selector while the labels
    are unchanged; a pending pod relabelled on the key then selects nothing from 1.34 (its old value AND its new one),
    and before 1.34 the pods of its new value."""
    from model.api import Create
    from model.apiserver import admit_spread_label_keys, apply_write
    from model.versions import feature_gate

    app = LabelSelector(match_labels=FrozenMap({"app": "web"}))
    c = TopologySpreadConstraint(max_skew=1, topology_key="node", selector=app, match_label_keys=("pod-template-hash",))
    pod = Pod(name="p", namespace="default", labels=FrozenMap({"app": "web", "pod-template-hash": "h1"}), topology_spread_constraints=(c,))
    nodes = {"n1": {"node": "n1"}, "n2": {"node": "n2"}}
    others = [dict(name="o1", node="n1", labels={"app": "web", "pod-template-hash": "h2"}, ns="", term=False)]
    for version, want in (("1.33", ["n2"]), ("1.34", ["n1", "n2"])):
        on = feature_gate(version, "MatchLabelKeysInPodTopologySpreadSelectorMerge")
        # a manifest Pod is stored merged; a pod created later (from a template the admission marked) is merged at its create
        (stored,) = admit_spread_label_keys([pod], on)
        created = apply_write(ClusterState(), Create(replace(pod, topology_spread_constraints=(replace(c, selector_merge=on),)))
                              ).get("Pod", "default", "p")
        assert stored.topology_spread_constraints == created.topology_spread_constraints
        (merged,) = created.topology_spread_constraints
        assert merged.selector is not None
        assert len(merged.selector.match_expressions) == (1 if version == "1.34" else 0)
        relabelled = Pod(name="p", uid="up", namespace="default", labels=FrozenMap({"app": "web", "pod-template-hash": "h2"}),
                         topology_spread_constraints=created.topology_spread_constraints)
        cl, _ = _cluster(dict(pod=dict(labels={}, tsc=[]), nodes=nodes, existing=others))
        assert [n.name for n in find_nodes_that_fit(cl, relabelled)] == want, version


SPREAD_WEB = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, SPREAD}]
      containers: [{name: c, image: nginx}]
"""


@pytest.mark.parametrize("spread, want", [
    ("labelSelector: {matchLabels: {app: web}}",
     "Deployment shop/web: its DoNotSchedule topologySpreadConstraint on kubernetes.io/hostname (maxSkew 1) counts a cordoned or "
     "NotReady node as a domain (nodeTaintsPolicy Ignore, the default), and while that domain holds none of its pods no other may "
     "hold more than 1 of them: set nodeTaintsPolicy: Honor, or whenUnsatisfiable: ScheduleAnyway"),
    ("labelSelector: {matchLabels: {app: web}}, nodeTaintsPolicy: Honor", ""),  # the taints leave those nodes out
    ("labelSelector: {matchLabels: {app: db}}", ""),  # not its own pods
    ("labelSelector: {}", ""),  # counts no pod (countPodsMatchSelector's Empty())
])
def test_the_placement_fix_names_the_taints_policy_of_a_self_spread(spread: str, want: str) -> None:
    # KC-CONV-002 / KC-CONV-003's concrete fix (properties.catalogue.placement_fix)
    from model.manifests import load_text
    from model.objects import kind_of
    from properties.catalogue import placement_fix

    r = load_text(SPREAD_WEB.replace("SPREAD", spread), "web.yaml")
    assert r.ok, r.errors
    objects = {(kind_of(o), o.namespace, o.name): o for o in r.objects}
    assert placement_fix(objects, [("Deployment", "shop", "web")]) == want


@pytest.mark.parametrize("nodes, want", [
    # the nodes kubecheck adds carry no zone label: no node fits, and the taints policy is beside the point (review)
    ("", "Deployment shop/web: no Node carries topology.kubernetes.io/zone, the topologyKey of its DoNotSchedule "
         "topologySpreadConstraint, so no node fits its pods (the nodes --nodes adds carry no zone or region label): declare "
         "Nodes labelled topology.kubernetes.io/zone, or set whenUnsatisfiable: ScheduleAnyway"),
    ("---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\n",
     "Deployment shop/web: no Node carries topology.kubernetes.io/zone, the topologyKey of its DoNotSchedule "
     "topologySpreadConstraint, so no node fits its pods: declare Nodes labelled topology.kubernetes.io/zone, or set "
     "whenUnsatisfiable: ScheduleAnyway"),
    ("---\napiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {topology.kubernetes.io/zone: a}}\n",
     "Deployment shop/web: its DoNotSchedule topologySpreadConstraint on topology.kubernetes.io/zone (maxSkew 1) counts a "
     "cordoned or NotReady node as a domain (nodeTaintsPolicy Ignore, the default), and while that domain holds none of its "
     "pods no other may hold more than 1 of them: set nodeTaintsPolicy: Honor, or whenUnsatisfiable: ScheduleAnyway"),
])
def test_the_placement_fix_of_a_spread_on_a_key_no_node_carries(nodes: str, want: str) -> None:
    from model.manifests import load_text
    from model.objects import kind_of
    from properties.catalogue import placement_fix

    text = SPREAD_WEB.replace("kubernetes.io/hostname", "topology.kubernetes.io/zone").replace(
        "SPREAD", "labelSelector: {matchLabels: {app: web}}") + nodes
    r = load_text(text, "web.yaml")
    assert r.ok, r.errors
    objects = {(kind_of(o), o.namespace, o.name): o for o in r.objects}
    assert placement_fix(objects, [("Deployment", "shop", "web")]) == want
