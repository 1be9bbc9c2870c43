"""model.apply (kubectl apply/create of one object at any step) and model.sequence (after:)."""

from __future__ import annotations

from model.api import Create, Refused, Update
from model.apply import ApplyManifest, Manifest, applied_object, created_kinds
from model.environment import ScaleWorkload, user_action_instances, user_action_label
from model.frozen import FrozenMap
from model.manifests import load_text
from model.objects import replace
from model.sequence import After
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import node

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {team: a}}
spec:
  {replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: {image}}]}
"""


def _manifest(replicas: str = "replicas: 1", image: str = "nginx:1", selector: str = "") -> Manifest:
    text = WEB.replace("{replicas}", replicas).replace("{image}", image)
    if selector:
        text = text.replace("{matchLabels: {app: web}}", selector).replace("labels: {app: web}}", "labels: {app: web, tier: fe}}")
    r = load_text(text, "web.yaml")
    assert not r.errors, r.errors
    (obj,) = r.objects
    loc = r.locations[("Deployment", "default", "web")]
    return Manifest(obj, str(loc), frozenset(p for p in ("spec.replicas", "spec.paused") if p in loc.fields))


def _settle(system: KubeSystem, s: SystemState) -> SystemState:
    while (fair := [n for a, n in system.successors(s) if a.fair]):
        s = fair[0]
    return s


def _running(m: Manifest) -> tuple[KubeSystem, SystemState]:
    system = KubeSystem(Scenario(ClusterState.from_objects([node(), m.obj])))
    return system, _settle(system, system.init_states()[0])


def test_apply_creates_a_missing_object_and_create_refuses_an_existing_one() -> None:
    m = _manifest()
    empty = ClusterState.from_objects([node()])
    ((name, (w,)),) = ApplyManifest(m).instances(empty)
    assert name == "web" and isinstance(w, Create) and w.obj is m.obj
    assert user_action_label(ApplyManifest(m)) == "user_apply_deployment"
    assert user_action_label(ApplyManifest(m, create=True)) == "user_create_deployment"
    _, s = _running(m)
    assert user_action_instances(s.cluster, ApplyManifest(m, create=True)) == [
        ("web", Refused('deployments.apps "web" already exists'))]
    assert user_action_instances(s.cluster, ApplyManifest(m)) == []  # unchanged: not offered


def test_apply_replaces_the_spec_and_keeps_what_others_own() -> None:
    _, s = _running(_manifest())
    live = s.cluster.get("Deployment", "default", "web")
    live = replace(live, replicas=3, paused=True, annotations=FrozenMap({**live.annotations, "other": "x"}))
    new_m = _manifest(replicas="", image="nginx:2")  # no spec.replicas in the manifest
    new = applied_object(live, new_m)
    assert new.template.containers[0].image == "nginx:2"
    assert new.replicas == 3 and new.paused  # written by others, not stated by the manifest: kept
    assert new.annotations["other"] == "x" and new.annotations["deployment.kubernetes.io/revision"] == "1"
    assert (new.uid, new.generation, new.status) == (live.uid, live.generation, live.status)
    stated = applied_object(live, _manifest(replicas="replicas: 1", image="nginx:2"))
    assert stated.replicas == 1  # the manifest states it: the apply sets it back (KC-HPA-001's incident)


def test_an_update_that_changes_the_selector_is_a_refused_step() -> None:
    m = _manifest()
    system, s = _running(m)
    bad = _manifest(selector="{matchLabels: {app: web, tier: fe}}")
    system = KubeSystem(Scenario(s.cluster, user_actions=(ApplyManifest(bad),)))
    (s0,) = system.init_states()
    steps = [(a, n) for a, n in system.successors(s0) if a.actor == "user"]
    ((action, nxt),) = steps
    assert action.label == "user_apply_deployment_refused"
    assert action.data[1].startswith('web: Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{')
    assert action.data[1].endswith("field is immutable")
    assert nxt.cluster == s0.cluster and nxt.user_budget == (0,)  # nothing changed; the attempt is spent


def test_an_accepted_apply_rolls_the_deployment() -> None:
    system, s = _running(_manifest())
    system = KubeSystem(Scenario(s.cluster, user_actions=(ApplyManifest(_manifest(image="nginx:2")),)))
    (s0,) = system.init_states()
    ((name, (w,)),) = user_action_instances(s0.cluster, ApplyManifest(_manifest(image="nginx:2")))
    assert isinstance(w, Update)
    ((action, nxt),) = [(a, n) for a, n in system.successors(s0) if a.actor == "user"]
    assert action.label == "user_apply_deployment"
    end = _settle(system, nxt)
    images = {p.spec_containers[0].image for p in end.cluster.pods.values()}
    assert images == {"nginx:2"}


def test_a_created_kind_switches_its_controller_on() -> None:
    """No ReplicaSet or Deployment at start: the ReplicaSet controller runs because a user may create one."""
    rs = load_text("""
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: canary}
spec:
  replicas: 1
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec: {containers: [{name: c, image: nginx:1}]}
""").objects[0]
    act = ApplyManifest(Manifest(rs, "rs.yaml:2"), create=True)
    assert created_kinds([After(act)]) == frozenset({"ReplicaSet"})
    system = KubeSystem(Scenario(ClusterState.from_objects([node()]), user_actions=(act,)))
    (s0,) = system.init_states()
    ((a, s1),) = system.successors(s0)
    assert a.label == "user_create_rs"
    end = _settle(system, s1)
    assert len(end.cluster.pods) == 1 and all(p.phase == "Running" for p in end.cluster.pods.values())


def test_after_waits_for_its_steps_and_for_quiescence() -> None:
    m = _manifest()
    _, s = _running(m)
    first = ScaleWorkload("Deployment", "web", 2)
    second = After(ScaleWorkload("Deployment", "web", 1), (first,), converged=True)
    system = KubeSystem(Scenario(s.cluster, user_actions=(first, second)))
    (s0,) = system.init_states()
    labels = [(a.label, a.data[0]) for a, _ in system.successors(s0) if a.actor == "user"]
    assert labels == [("user_scale_deployment", 0)]  # the second waits for the first
    (s1,) = [n for a, n in system.successors(s0) if a.actor == "user"]
    assert any(a.fair for a, _ in system.successors(s1))  # the scale-up is in progress ...
    assert not [a for a, _ in system.successors(s1) if a.actor == "user"]  # ... so the second waits
    s2 = _settle(system, s1)
    assert [a.label for a, _ in system.successors(s2) if a.actor == "user"] == ["user_scale_deployment"]
    unguarded = After(ScaleWorkload("Deployment", "web", 1), (first,))
    system = KubeSystem(Scenario(s.cluster, user_actions=(first, unguarded)))
    (s1,) = [n for a, n in system.successors(system.init_states()[0]) if a.actor == "user"]
    assert [a.data[0] for a, _ in system.successors(s1) if a.actor == "user"] == [1]  # without converged: at once


def test_an_ordered_force_delete_on_a_silent_node_leaves_the_containers_running_there() -> None:
    """After(DeleteObject) is still a pod delete for model.system: a forced one on a NotReady node
    records the orphaned containers (Node.orphaned_pods), as the unordered action does."""
    from model.environment import DeleteObject
    from tests.model.builders_runtime import cluster, rs

    system = KubeSystem(Scenario(cluster(node(), rs(replicas=1))))
    s = _settle(system, system.init_states()[0])
    (pod,) = s.cluster.pods.values()
    n = s.cluster.get("Node", "", pod.node_name)
    c = s.cluster.put(replace(n, ready=False))
    force = After(DeleteObject("Pod", pod.name, grace_period_seconds=0))
    system = KubeSystem(Scenario(c, user_actions=(force,)))
    ((a, nxt),) = [(a, t) for a, t in system.successors(system.init_states()[0]) if a.actor == "user"]
    assert a.label == "user_delete_pod"
    assert nxt.cluster.get("Node", "", pod.node_name).orphaned_pods == (("default", pod.name, pod.uid),)


def test_apply_keeps_what_restart_and_set_env_wrote_into_the_template() -> None:
    from model.template_edits import RESTARTED_AT, RestartRollout, SetEnv

    _, s = _running(_manifest())
    c = s.cluster
    for edit in (RestartRollout("Deployment", "web"), SetEnv("Deployment", "web", FrozenMap({"A": "b"}))):
        ((_, (w,)),) = user_action_instances(c, edit)
        c = c.put(w.obj)
    live = c.get("Deployment", "default", "web")
    assert user_action_instances(c, ApplyManifest(_manifest())) == []  # the file adds nothing: unchanged
    new = applied_object(live, _manifest(image="nginx:2"))
    assert new.template.annotations[RESTARTED_AT] == "restart-1"
    assert new.template.containers[0].config == FrozenMap({"env.A": "b"}) and new.template.containers[0].image == "nginx:2"
