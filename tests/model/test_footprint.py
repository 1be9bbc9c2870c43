"""Partial-order reduction on the Kubernetes model (model.footprint): declared footprints checked at
run time on the golden scenarios, and the same verdicts with and without the reduction."""

from __future__ import annotations

from typing import Any

import pytest

from kubecheck.core import Verdict, action_property, invariant
from kubecheck.core.explorer import explore
from kubecheck.core.por import POR_CHECK_ENV
from model.footprint import FOOTPRINT_CHECK_ENV, FootprintError, PorSystem, check_step
from properties.catalogue import pod_ips_unique, single_controller_owner

from tests.model.test_golden_counts import BUILDERS

#: golden scenarios small enough for the debug mode (every step checked, every ample choice
#: checked for commutation with every other enabled action)
SMALL = [
    ("rs_crash", "write"),
    ("rs_crash", "reconcile"),
    ("sts_scale", "write"),
    ("crash_stale", "write"),
    ("cascade_delete", "reconcile"),
    ("rollout_small", "reconcile"),
    ("rollout_small", "write"),
]


def _props(system: Any) -> list[Any]:
    cluster = system.scenario.initial
    return [
        *single_controller_owner.instantiate(cluster),
        *pod_ips_unique.instantiate(cluster),
        invariant("NO-FAILED", "no pod is Failed", lambda s: all(p.phase != "Failed" for p in s.cluster.pods.values()),
                  reads=frozenset({("Pod", "phase")})),
    ]


@pytest.mark.parametrize("name,granularity", SMALL, ids=[f"{n}-{g}" for n, g in SMALL])
def test_golden_scenarios_touch_only_declared_locations_and_keep_their_verdicts(name: str, granularity: str, monkeypatch: Any) -> None:
    monkeypatch.setenv(FOOTPRINT_CHECK_ENV, "1")
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    scenario = BUILDERS[name](granularity).scenario
    full = explore(PorSystem(scenario), _props(PorSystem(scenario)), check_deadlock=True, progress="off")
    red = explore(PorSystem(scenario), _props(PorSystem(scenario)), check_deadlock=True, por=True, progress="off")
    assert full.complete and red.complete
    assert [(r.property.rule_id, r.verdict) for r in red.results] == [(r.property.rule_id, r.verdict) for r in full.results]
    assert red.stats.states <= full.stats.states
    assert red.reductions == ("por",)


def test_a_seeded_bug_is_still_found_with_the_reduction(monkeypatch: Any) -> None:
    """Every new sandbox gets the same IP (a broken IPAM): KC-SBX-002 is VIOLATED with and without POR."""
    import model.kubelet as kubelet

    monkeypatch.setattr(kubelet, "fresh_pod_ip", lambda state: f"{kubelet.IP_PREFIX}1")
    scenario = BUILDERS["rollout_small"]("reconcile").scenario
    props = list(pod_ips_unique.instantiate(scenario.initial))
    full = explore(PorSystem(scenario), props, progress="off")
    red = explore(PorSystem(scenario), props, por=True, progress="off")
    assert full.results[0].verdict is red.results[0].verdict is Verdict.VIOLATED
    trace = red.results[0].trace
    ips = [p.sandbox.ip for p in trace.states()[-1].cluster.pods.values() if p.sandbox is not None]
    assert len(ips) != len(set(ips))


def test_debug_mode_rejects_an_undeclared_write() -> None:
    """A step that writes outside its declaration (here: the user's set image that would also
    relabel a pod) is refused by the checker."""
    from dataclasses import replace

    system = PorSystem(BUILDERS["rollout_small"]("reconcile").scenario)
    state = system.init_states()[0]
    action, nxt = next((a, t) for a, t in system.successors(state) if a.label == "user_update_image_deployment")
    pods = nxt.cluster.pods
    key = next(iter(pods.keys()))
    forged = replace(nxt, cluster=nxt.cluster.put(replace(pods[key], labels=pods[key].labels.set("x", "y"))))
    check_step(system, state, action, nxt)  # the real step passes
    with pytest.raises(FootprintError, match="labels"):
        check_step(system, state, action, forged)


def test_stale_reads_switch_the_reduction_off() -> None:
    system = PorSystem(BUILDERS["crash_stale"]("write").scenario)
    assert system.potential(system.init_states()[0]) is None


# ------------------------------------------------------------------ readiness flaps (may_flap)


def _two_deployments(tmp_path: Any, image0: str, probe0: bool, set_images: tuple[str | None, str | None] = ("nginx:2", "nginx:2"), pod_capacity: int = 110) -> Any:
    """Two one-replica Deployments behind one Service on one node, settled, both rolled at once
    (``set image`` on each), by-creator identifiers: the workload of issue 15's two-Deployment target."""
    from dataclasses import replace

    from bench.model_perf import settle
    from model.environment import SetImage
    from model.manifests import load_manifests
    from model.objects import Node
    from model.system import Scenario

    docs = []
    for i, image in enumerate((image0, "nginx:1")):
        probe = ", readinessProbe: {httpGet: {path: /, port: 80}}" if i == 0 and probe0 else ""
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  replicas: 1\n"
            f"  selector: {{matchLabels: {{app: shop, tier: t{i}}}}}\n  template:\n"
            f"    metadata: {{labels: {{app: shop, tier: t{i}}}}}\n"
            f"    spec: {{containers: [{{name: c, image: \"{image}\"{probe}}}]}}\n"
        )
    docs.append("apiVersion: v1\nkind: Service\nmetadata: {name: shop}\nspec: {selector: {app: shop}, ports: [{port: 80}]}\n")
    path = tmp_path / "two.yaml"
    path.write_text("---\n".join(docs))
    start = load_manifests([str(path)]).to_state().put(Node(name="node-1", uid="node-uid-1", pod_capacity=pod_capacity))
    base = Scenario(initial=start, name="two", granularity="reconcile", identifiers="by-creator")
    return replace(base, initial=settle(base), user_actions=tuple(SetImage(kind="Deployment", name=f"d{i}", image=im) for i, im in enumerate(set_images) if im is not None))


def _flap_potential(scenario: Any) -> Any:
    system = PorSystem(scenario)
    pots = dict(system.potential(system.init_states()[0]))
    return pots[("fault", "")]


def test_readiness_flaps_are_idle_unless_an_image_may_flap(tmp_path: Any) -> None:
    """The unbudgeted readiness-flap fault reads and writes every pod's container statuses, which
    joined every workload into one dependency component; it is idle (reads and writes nothing)
    when no image that may run can flap, and declared as before when one can: in a template, or
    as the image of a ``set image``."""
    assert _flap_potential(_two_deployments(tmp_path, "nginx:1", True)).writes == frozenset()
    broken = _flap_potential(_two_deployments(tmp_path, "nginx:broken", True))
    assert ("Pod", "container_statuses") in broken.writes
    later = _flap_potential(_two_deployments(tmp_path, "nginx:1", True, ("nginx:broken", "nginx:2")))
    assert ("Pod", "container_statuses") in later.writes


@pytest.mark.parametrize("image,set_images", [("nginx:1", ("nginx:2", "nginx:2")), ("nginx:broken", (None, "nginx:2")), ("nginx:1", ("nginx:broken", None))],
                         ids=["no-flaps", "flapping-template", "flapping-set-image"])
def test_two_deployments_rolled_at_once_keep_their_verdicts_with_por(tmp_path: Any, image: str, set_images: tuple[str | None, str | None], monkeypatch: Any) -> None:
    """Differential on several workloads (issue 15): two Deployments behind one Service rolled at
    once (the flapping cases roll one of them, to stay small), with every step checked against its footprint and every ample choice checked for
    commutation; the same verdict per rule with and without POR, including a rule that reads the
    readiness the flap fault writes (it is VIOLATED when an image flaps, HOLDS otherwise)."""
    monkeypatch.setenv(FOOTPRINT_CHECK_ENV, "1")
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    scenario = _two_deployments(tmp_path, image, True, set_images)

    def props() -> list[Any]:
        ready = action_property(
            "NO-READINESS-LOSS", "no step makes a running, ready container of d0 unready",
            lambda s, a, t: not any(
                p.labels.get("tier") == "t0" and q is not None and cs.state == "running" and cs.ready and any(
                    x.name == cs.name and x.state == "running" and x.restart_count == cs.restart_count and not x.ready for x in q.container_statuses)
                for k, p in s.cluster.pods.items() for q in (t.cluster.pods.get(k),) for cs in p.container_statuses),
            reads=frozenset({("Pod", "container_statuses")}),
        )
        return [*_props(PorSystem(scenario)), ready]

    full = explore(PorSystem(scenario), props(), check_deadlock=True, progress="off")
    red = explore(PorSystem(scenario), props(), check_deadlock=True, por=True, progress="off")
    assert full.complete and red.complete
    assert [(r.property.rule_id, r.verdict) for r in red.results] == [(r.property.rule_id, r.verdict) for r in full.results]
    assert red.stats.states <= full.stats.states
    flaps = "nginx:broken" in (image, set_images[0])
    verdict = next(r.verdict for r in red.results if r.property.rule_id == "NO-READINESS-LOSS")
    assert verdict is (Verdict.VIOLATED if flaps else Verdict.HOLDS)


# ------------------------------------------------------------------ the scheduler's capacity guard


@pytest.mark.parametrize("pod_capacity", [110, 3])
def test_the_capacity_guard_prunes_two_deployments_or_gives_up_when_a_node_may_fill(tmp_path: Any, pod_capacity: int, monkeypatch: Any) -> None:
    """The scheduler's potential reads its own pod and the nodes only, declared for the system whose
    capacity filter passes (model.footprint.capacity_guard: no more pods than the smallest capacity).
    With the default capacity (110) the guard holds everywhere and the two rolled Deployments are
    pruned (the workloads are no longer one dependency component); with a capacity of 3 a rollout
    with surge reaches 4 pods, the guard fails and the search runs again unreduced: same verdicts."""
    monkeypatch.setenv(FOOTPRINT_CHECK_ENV, "1")
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    scenario = _two_deployments(tmp_path, "nginx:1", False, ("nginx:2", "nginx:2"), pod_capacity)
    full = explore(PorSystem(scenario), _props(PorSystem(scenario)), check_deadlock=True, progress="off")
    red = explore(PorSystem(scenario), _props(PorSystem(scenario)), check_deadlock=True, por=True, progress="off")
    assert full.complete and red.complete
    assert [(r.property.rule_id, r.verdict) for r in red.results] == [(r.property.rule_id, r.verdict) for r in full.results]
    if pod_capacity == 110:
        assert red.reductions == ("por",) and red.stats.states < full.stats.states
    else:
        assert red.reductions == () and red.stats.states == full.stats.states


def test_capacity_guard() -> None:
    from model.footprint import capacity_guard
    from model.objects import Node, Pod
    from model.state import ClusterState

    c = ClusterState().put(Node(name="n1", uid="u1", pod_capacity=2)).put(Node(name="n2", uid="u2", pod_capacity=5))
    assert capacity_guard(ClusterState()) and capacity_guard(c)
    c = c.put(Pod(name="a", uid="pa")).put(Pod(name="b", uid="pb", node_name="n2"))
    assert capacity_guard(c)  # 2 pods: a pending pod sees at most 1 bound pod on n1
    assert not capacity_guard(c.put(Pod(name="c", uid="pc")))  # 3 pods: n1 could be full for the third


def test_capacity_guard_is_false_while_a_pod_uses_a_host_port() -> None:
    # NodePorts (model.scheduler.fits_ports) reads the other pods' host ports: the scheduler's declared footprint
    # (its own pod and the nodes) is then wrong, so the guard must fail
    from model.footprint import GUARD_READS, capacity_guard
    from model.objects import ContainerSpec, Node, Pod
    from model.state import ClusterState

    c = ClusterState().put(Node(name="n1", uid="u1", pod_capacity=110))
    plain = Pod(name="a", uid="pa", spec_containers=(ContainerSpec("c", "i"),))
    assert capacity_guard(c.put(plain))
    ported = Pod(name="b", uid="pb", spec_containers=(ContainerSpec("c", "i", host_ports=(("0.0.0.0", "TCP", 80),)),))
    assert not capacity_guard(c.put(plain).put(ported))
    assert ("Pod", "spec_containers") in GUARD_READS


def test_capacity_guard_is_false_while_a_pod_has_a_pod_affinity_term() -> None:
    # InterPodAffinity (model.scheduler.satisfies_inter_pod_affinity) reads the other pods' labels and nodes: the
    # scheduler's declared footprint (its own pod and the nodes) is then wrong, so the guard must fail
    from model.footprint import GUARD_READS, capacity_guard
    from model.labels import LabelSelector
    from model.objects import Node, Pod, PodAffinityTerm
    from model.state import ClusterState

    c = ClusterState().put(Node(name="n1", uid="u1", pod_capacity=110)).put(Pod(name="a", uid="pa"))
    assert capacity_guard(c)
    term = PodAffinityTerm(selector=LabelSelector(), topology_key="kubernetes.io/hostname")
    assert not capacity_guard(c.put(Pod(name="b", uid="pb", pod_anti_affinity=(term,))))
    assert not capacity_guard(c.put(Pod(name="b", uid="pb", pod_affinity=(term,))))
    assert {("Pod", "pod_affinity"), ("Pod", "pod_anti_affinity")} <= GUARD_READS


def test_capacity_guard_is_false_while_a_pod_has_a_topology_spread_constraint() -> None:
    # PodTopologySpread (model.scheduler.satisfies_pod_topology_spread) counts the other pods on every node: the
    # scheduler's declared footprint (its own pod and the nodes) is then wrong, so the guard must fail
    from model.footprint import GUARD_READS, capacity_guard
    from model.labels import LabelSelector
    from model.objects import Node, Pod, TopologySpreadConstraint
    from model.state import ClusterState

    c = ClusterState().put(Node(name="n1", uid="u1", pod_capacity=110)).put(Pod(name="a", uid="pa"))
    assert capacity_guard(c)
    spread = TopologySpreadConstraint(max_skew=1, topology_key="kubernetes.io/hostname", selector=LabelSelector())
    assert not capacity_guard(c.put(Pod(name="b", uid="pb", topology_spread_constraints=(spread,))))
    assert ("Pod", "topology_spread_constraints") in GUARD_READS


def test_a_selector_on_a_label_controllers_add_might_match_any_template() -> None:
    # the POR footprints over-approximate which pods a selector reads: a requirement on a label a controller adds on
    # creation (pod-template-hash, a StatefulSet's pod-name...) is ignored, in matchLabels and matchExpressions alike
    from model.footprint import _might_match
    from model.frozen import FrozenMap
    from model.labels import LabelSelector, LabelSelectorRequirement

    labels = FrozenMap({"app": "db"})
    on_name = LabelSelector(match_expressions=(LabelSelectorRequirement("statefulset.kubernetes.io/pod-name", "In", ("db-1",)),))
    assert _might_match(on_name, labels)
    assert _might_match(LabelSelector(match_labels=FrozenMap({"app": "db", "pod-template-hash": "abc"})), labels)
    assert not _might_match(LabelSelector(match_labels=FrozenMap({"app": "web", "pod-template-hash": "abc"})), labels)
