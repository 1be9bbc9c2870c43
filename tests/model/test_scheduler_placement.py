"""Placement in the scheduler: nodeSelector, required node affinity, taints and tolerations.

Upstream tables ported (names kept): staging/src/k8s.io/api/core/v1/toleration_test.go
TestTolerationToleratesTaint, component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go
(TestNodeSelectorMatch, TestPodMatchesNodeSelectorAndAffinityTerms, subsets). Every behaviour test
is a pair that flips on one setting.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from model.deployment_util import compute_hash
from model.frozen import FrozenMap
from model.manifests import load_text
from model.objects import Node, NodeSelectorRequirement as Req, NodeSelectorTerm as Term, Pod, PodTemplate, Taint, Toleration
from model.scheduler import (
    RequiredNodeAffinity,
    find_matching_untolerated_taint,
    find_nodes_that_fit,
    get_required_node_affinity,
    node_fits,
    tolerates_taint,
)
from model.statefulset_utils import controller_revision_hash
from tests.model.builders_runtime import cluster, node, pod

# ------------------------------------------------------------------ TestTolerationToleratesTaint


@pytest.mark.parametrize(
    "description, toleration, taint, expect",
    [
        ("toleration and taint have the same key and effect, and operator is Exists, and taint has no value, expect tolerated",
         Toleration("foo", "Exists", "", "NoSchedule"), Taint("foo", "", "NoSchedule"), True),
        ("toleration and taint have the same key and effect, and operator is Exists, and taint has some value, expect tolerated",
         Toleration("foo", "Exists", "", "NoSchedule"), Taint("foo", "bar", "NoSchedule"), True),
        ("toleration and taint have the same effect, toleration has empty key and operator is Exists, means match all taints, expect tolerated",
         Toleration("", "Exists", "", "NoSchedule"), Taint("foo", "bar", "NoSchedule"), True),
        ("toleration and taint have the same key, effect and value, and operator is Equal, expect tolerated",
         Toleration("foo", "Equal", "bar", "NoSchedule"), Taint("foo", "bar", "NoSchedule"), True),
        ("toleration and taint have the same key and effect, but different values, and operator is Equal, expect not tolerated",
         Toleration("foo", "Equal", "value1", "NoSchedule"), Taint("foo", "value2", "NoSchedule"), False),
        ("toleration and taint have the same key and value, but different effects, and operator is Equal, expect not tolerated",
         Toleration("foo", "Equal", "bar", "NoSchedule"), Taint("foo", "bar", "NoExecute"), False),
        ("empty toleration effect tolerates every effect",
         Toleration("foo", "Exists", "", ""), Taint("foo", "bar", "NoExecute"), True),
        ("different keys are not tolerated", Toleration("foo", "Exists", "", ""), Taint("bar", "", "NoSchedule"), False),
        ("an unknown operator tolerates nothing", Toleration("foo", "Lt", "1", ""), Taint("foo", "2", "NoSchedule"), False),
    ],
)
def test_toleration_tolerates_taint(description: str, toleration: Toleration, taint: Taint, expect: bool) -> None:
    assert tolerates_taint(toleration, taint) is expect, description


def test_find_matching_untolerated_taint_ignores_prefer_no_schedule() -> None:
    taints = (Taint("a", "", "PreferNoSchedule"), Taint("b", "", "NoExecute"), Taint("c", "", "NoSchedule"))
    assert find_matching_untolerated_taint(taints, ()) == Taint("b", "", "NoExecute")
    assert find_matching_untolerated_taint(taints, (Toleration("b", "Exists"),)) == Taint("c", "", "NoSchedule")
    assert find_matching_untolerated_taint(taints, (Toleration("b", "Exists"), Toleration("c", "Exists"))) is None
    assert find_matching_untolerated_taint(taints, (Toleration("", "Exists"),)) is None  # tolerates all


# ----------------------------------------------------------------------------- node affinity

LABELS = FrozenMap({"foo": "bar", "zone": "a", "gpus": "4"})
N = Node(name="node-a", labels=LABELS)


def terms(*ts: Term) -> RequiredNodeAffinity:
    return RequiredNodeAffinity(node_selector=ts)


@pytest.mark.parametrize(
    "name, affinity, expect",
    [
        ("no selector", RequiredNodeAffinity(), True),
        ("nodeSelector matches", RequiredNodeAffinity(FrozenMap(foo="bar")), True),
        ("nodeSelector does not match", RequiredNodeAffinity(FrozenMap(foo="baz")), False),
        ("nodeSelector key missing", RequiredNodeAffinity(FrozenMap(other="bar")), False),
        ("nil terms list matches nothing", terms(), False),
        ("empty term matches nothing", terms(Term()), False),
        ("In matches", terms(Term((Req("foo", "In", ("x", "bar")),))), True),
        ("In does not match", terms(Term((Req("foo", "In", ("x",)),))), False),
        ("NotIn on a missing key matches", terms(Term((Req("absent", "NotIn", ("x",)),))), True),
        ("NotIn on the value does not match", terms(Term((Req("foo", "NotIn", ("bar",)),))), False),
        ("Exists", terms(Term((Req("zone", "Exists"),))), True),
        ("DoesNotExist", terms(Term((Req("zone", "DoesNotExist"),))), False),
        ("Gt", terms(Term((Req("gpus", "Gt", ("3",)),))), True),
        ("Gt equal is false", terms(Term((Req("gpus", "Gt", ("4",)),))), False),
        ("Lt", terms(Term((Req("gpus", "Lt", ("5",)),))), True),
        ("Gt on a non-integer label", terms(Term((Req("foo", "Gt", ("1",)),))), False),
        ("Gt with a non-integer value is a parse error: no match", terms(Term((Req("gpus", "Gt", ("x",)),))), False),
        ("expressions of a term are ANDed", terms(Term((Req("foo", "In", ("bar",)), Req("zone", "In", ("b",))))), False),
        ("terms are ORed", terms(Term((Req("zone", "In", ("b",)),)), Term((Req("zone", "In", ("a",)),))), True),
        ("a bad term does not spoil a good one", terms(Term((Req("foo", "Bogus"),)), Term((Req("foo", "Exists"),))), True),
        ("matchFields metadata.name In", terms(Term((), (Req("metadata.name", "In", ("node-a",)),))), True),
        ("matchFields metadata.name NotIn", terms(Term((), (Req("metadata.name", "NotIn", ("node-a",)),))), False),
        ("matchFields other name", terms(Term((), (Req("metadata.name", "In", ("node-b",)),))), False),
        ("matchFields and expressions ANDed", terms(Term((Req("foo", "Exists"),), (Req("metadata.name", "In", ("node-b",)),))), False),
        ("nodeSelector AND affinity", RequiredNodeAffinity(FrozenMap(foo="baz"), (Term((Req("foo", "Exists"),)),)), False),
    ],
)
def test_required_node_affinity_match(name: str, affinity: RequiredNodeAffinity, expect: bool) -> None:
    assert affinity.match(N) is expect, name


def test_get_required_node_affinity_reads_the_pod() -> None:
    p = replace(pod("p"), node_selector=FrozenMap(foo="bar"), node_affinity=(Term((Req("zone", "In", ("a",)),)),))
    assert get_required_node_affinity(p) == RequiredNodeAffinity(FrozenMap(foo="bar"), (Term((Req("zone", "In", ("a",)),)),))


# ------------------------------------------------------------------------------- filters: pairs


def fitting(pod_: Pod, *nodes: Node) -> list[str]:
    st = cluster(*nodes, pod_)
    return [n.name for n in find_nodes_that_fit(st, st.get("Pod", "default", pod_.name))]


def test_node_selector_picks_the_labelled_node_and_without_it_both_fit() -> None:
    a, b = replace(node("a"), labels=FrozenMap(disk="hdd")), replace(node("b"), labels=FrozenMap(disk="ssd"))
    assert fitting(pod("p"), a, b) == ["a", "b"]
    assert fitting(replace(pod("p"), node_selector=FrozenMap(disk="ssd")), a, b) == ["b"]
    assert fitting(replace(pod("p"), node_selector=FrozenMap(disk="nvme")), a, b) == []


def test_a_no_schedule_taint_keeps_pods_off_unless_tolerated() -> None:
    tainted = replace(node("a"), taints=(Taint("dedicated", "db", "NoSchedule"),))
    assert fitting(pod("p"), tainted) == []
    assert fitting(replace(pod("p"), tolerations=(Toleration("dedicated", "Equal", "db", "NoSchedule"),)), tainted) == ["a"]
    assert fitting(replace(pod("p"), tolerations=(Toleration("dedicated", "Equal", "web", "NoSchedule"),)), tainted) == []
    assert fitting(replace(pod("p"), tolerations=(Toleration("", "Exists"),)), tainted) == ["a"]


def test_no_execute_filters_too_and_prefer_no_schedule_does_not() -> None:
    assert fitting(pod("p"), replace(node("a"), taints=(Taint("k", "", "NoExecute"),))) == []
    assert fitting(pod("p"), replace(node("a"), taints=(Taint("k", "", "PreferNoSchedule"),))) == ["a"]


def test_tolerating_the_unschedulable_taint_lets_a_pod_onto_a_cordoned_node() -> None:
    cordoned = replace(node("a"), unschedulable=True)
    assert fitting(pod("p"), cordoned) == []
    assert fitting(replace(pod("p"), tolerations=(Toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"),)), cordoned) == ["a"]


def test_tolerating_not_ready_or_unreachable_lets_a_pod_onto_a_not_ready_node() -> None:
    down = node("a", ready=False)
    assert fitting(pod("p"), down) == []
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        assert fitting(replace(pod("p"), tolerations=(Toleration(key, "Exists"),)), down) == ["a"]


def test_node_fits_without_a_pod_is_the_old_reduced_filter() -> None:
    st = cluster(node("a"), replace(node("b"), taints=(Taint("k", "", "NoSchedule"),)))
    assert node_fits(st, st.get("Node", "", "a")) and node_fits(st, st.get("Node", "", "b"))


# ---------------------------------------------------------------------------- model plumbing


def test_defaults_keep_the_old_repr_so_hashes_and_orders_do_not_move() -> None:
    t = PodTemplate(labels=FrozenMap(app="web"))
    assert "node_selector" not in repr(t) and "tolerations" not in repr(t) and "taints" not in repr(Node(name="n"))
    placed = replace(t, node_selector=FrozenMap(disk="ssd"))
    assert placed != t
    assert compute_hash(placed, None) != compute_hash(t, None)
    assert controller_revision_hash(placed, None) != controller_revision_hash(t, None)


def test_pods_created_from_a_template_carry_its_placement() -> None:
    from model.objects import ReplicaSet, StatefulSet
    from model.replicaset import pod_from_template
    from model.statefulset_utils import new_stateful_set_pod

    t = PodTemplate(labels=FrozenMap(app="web"), node_selector=FrozenMap(disk="ssd"),
                    node_affinity=(Term((Req("zone", "In", ("a",)),)),), tolerations=(Toleration("k", "Exists"),))
    p = pod_from_template(t, ReplicaSet(name="web", uid="u1", template=t), "ReplicaSet")
    assert (p.node_selector, p.node_affinity, p.tolerations) == (t.node_selector, t.node_affinity, t.tolerations)
    q = new_stateful_set_pod(StatefulSet(name="db", uid="u2", template=t), 0)
    assert (q.node_selector, q.node_affinity, q.tolerations) == (t.node_selector, t.node_affinity, t.tolerations)


def test_symmetry_orders_nodes_by_their_taints() -> None:
    """Two states that differ only in which node carries the taint are one orbit: the tainted node
    gets the same representative name in both (with taints left out of the node signature it
    would keep its own name, 'b' in one state and 'a' in the other). The renamed nodes keep their
    taints, so nodes that differ in taints are never merged."""
    from model.canonical import _node_renaming

    taint = (Taint("k", "", "NoSchedule"),)
    st1 = cluster(replace(node("b"), taints=taint), node("a"), node("c"))
    st2 = cluster(replace(node("a"), taints=taint), node("b"), node("c"))

    def tainted_name(st) -> str:  # type: ignore[no-untyped-def]
        renaming = _node_renaming(st)
        (n,) = [n for n in st.nodes.values() if n.taints]
        return renaming.get(n.name, n.name)

    assert tainted_name(st1) == tainted_name(st2) == "c"


def test_match_fields_naming_a_node_turns_node_renaming_off() -> None:
    from model.canonical import _node_renaming

    named = replace(pod("p"), node_affinity=(Term((), (Req("metadata.name", "In", ("b",)),)),))
    assert _node_renaming(cluster(node("b"), node("a"), replace(pod("q"), node_name="b"))) != {}
    assert _node_renaming(cluster(node("b"), node("a"), replace(pod("q"), node_name="b"), named)) == {}


# ---------------------------------------------------------------------------------- the loader

NODES = """
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {disktype: hdd}}
---
apiVersion: v1
kind: Node
metadata: {name: n2, labels: {disktype: ssd}}
spec:
  taints: [{key: dedicated, value: db, effect: NoSchedule}]
"""

DEPLOYMENT = """
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx}]
"""


def with_spec(extra: str) -> str:
    return NODES + DEPLOYMENT.rstrip("\n").replace("      containers:", extra + "\n      containers:") + "\n"


def test_loader_reads_placement_and_taints() -> None:
    text = with_spec("""      nodeSelector: {disktype: ssd}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: zone, operator: In, values: [a, b]}]
              matchFields: [{key: metadata.name, operator: In, values: [n2]}]
      tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}, {operator: Exists}]""")
    r = load_text(text, "p.yaml")
    assert r.ok, r.errors
    n2, d = r.objects[1], r.objects[2]
    assert n2.taints == (Taint("dedicated", "db", "NoSchedule"),)
    t = d.template
    assert t.node_selector == FrozenMap(disktype="ssd")
    assert t.node_affinity == (Term((Req("zone", "In", ("a", "b")),), (Req("metadata.name", "In", ("n2",)),)),)
    assert t.tolerations == (Toleration("dedicated", "Equal", "db", "NoSchedule"), Toleration("", "Exists", "", "", forever=True))
    # {operator: Exists} tolerates the NoExecute taints for ever (no tolerationSeconds): the taint eviction spares it


@pytest.mark.parametrize(
    "extra, expected",
    [
        ("      nodeSelector: {'bad key!': x}", "spec.template.spec.nodeSelector: invalid value \"bad key!\""),
        ("""      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}""",
         "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: "
         "required value: must have at least one node selector term"),
        ("""      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In}]}]""",
         "nodeSelectorTerms[0].matchExpressions[0].values: required value: must be specified when `operator` is 'In' or 'NotIn'"),
        ("""      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: Gt, values: ['1', '2']}]}]""",
         "values: required value: must be specified single value when `operator` is 'Lt' or 'Gt'"),
        ("""      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: Near}]}]""",
         "matchExpressions[0].operator: invalid value \"Near\": not a valid selector operator"),
        ("""      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchFields: [{key: metadata.labels, operator: In, values: [a]}]}]""",
         "matchFields[0].key: invalid value \"metadata.labels\": not a valid field selector key"),
        ("      tolerations: [{operator: Equal, value: x}]",
         "spec.template.spec.tolerations[0].operator: invalid value \"Equal\": operator must be Exists when `key` is empty"),
        ("      tolerations: [{key: k, operator: Exists, value: x}]",
         "tolerations[0].operator: invalid value \"x\": value must be empty when `operator` is 'Exists'"),
        ("      tolerations: [{key: k, operator: Maybe}]",
         "tolerations[0].operator: Unsupported value: \"Maybe\": supported values: \"Equal\", \"Exists\""),
        ("      tolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}]",
         "tolerations[0].effect: invalid value \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
        ("      tolerations: [{key: k, operator: Exists, effect: Sometimes}]",
         "tolerations[0].effect: Unsupported value: \"Sometimes\""),
        ("      affinity: {nodeAfinity: {}}", "spec.template.spec.affinity.nodeAfinity: unknown field"),
    ],
)
def test_bad_placement_is_one_line_with_file_line_field(extra: str, expected: str) -> None:
    r = load_text(with_spec(extra), "p.yaml")
    assert len(r.errors) == 1, r.errors
    line = str(r.errors[0])
    assert line.startswith("p.yaml:") and expected in line, line
    assert int(line.split(":")[1]) > 20  # points into the Deployment, not at the document start


@pytest.mark.parametrize(
    "taints, expected",
    [
        ("[{key: k, effect: Never}]", "spec.taints[0].effect: Unsupported value: \"Never\""),
        ("[{key: k}]", "spec.taints[0].effect: required value"),
        ("[{key: 'bad key!', effect: NoSchedule}]", "spec.taints[0].key: invalid value \"bad key!\""),
        ("[{key: k, effect: NoSchedule}, {key: k, value: v, effect: NoSchedule}]",
         "spec.taints[1]: duplicate value \"k=v:NoSchedule\": taints must be unique by key and effect pair"),
    ],
)
def test_bad_taints_are_errors(taints: str, expected: str) -> None:
    r = load_text(f"apiVersion: v1\nkind: Node\nmetadata: {{name: node-x}}\nspec:\n  taints: {taints}\n", "n.yaml")
    assert [str(e) for e in r.errors] == [f"n.yaml:5: {expected}"] or (len(r.errors) == 1 and expected in str(r.errors[0])), r.errors


def test_statefulset_template_placement_is_validated_too() -> None:
    text = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      tolerations: [{key: k, operator: Maybe}]
      containers: [{name: c, image: postgres}]
"""
    assert [str(e) for e in load_text(text, "s.yaml").errors] == [
        's.yaml:10: spec.template.spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"'
    ]
