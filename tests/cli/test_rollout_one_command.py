"""The built-in ``rollout`` scenario changes every container of a workload in ONE command.

``kubectl set image deployment/web a=x-next b=y-next`` (or a ``helm upgrade``) is one PATCH of the
template: one new revision, one rollout.  The scenario used to give each container its own
``set image`` (each once, in any order), so a workload with N containers was rolled N times at
arbitrary points of its own rollout: up to N old ReplicaSets, a space that outgrew every bound on
real charts with sidecars (the csi-driver-nfs controller, 5 containers: cut at 50,000 states, now
1,193), and the count model refused it ("more than one image change").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubecheck.runner import CheckConfig, run_check
from kubecheck.scenarios import builtin, settle
from model.environment import SetImage, user_action_instances
from model.manifests import load_manifests
from model.state import ClusterState
from model.system import KubeSystem, Scenario

TWO_CONTAINERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: app
        image: example.com/app:1.0
      - name: proxy
        image: example.com/proxy:2.0
"""


def _cluster(tmp_path: Path, replicas: int) -> ClusterState:
    m = tmp_path / "web.yaml"
    m.write_text(TWO_CONTAINERS.format(replicas=replicas), encoding="utf-8")
    from kubecheck.scenarios import with_nodes

    objects, _ = with_nodes(tuple(load_manifests([str(m)]).objects), 1)
    return ClusterState.from_objects(objects)


def test_one_set_image_per_workload_sets_every_container(tmp_path: Path) -> None:
    c = _cluster(tmp_path, 1)
    (action, n), = builtin("rollout", c).user_actions
    assert n == 1 and isinstance(action, SetImage)
    assert action.pairs() == (("app", "example.com/app:1.0-next"), ("proxy", "example.com/proxy:2.0-next"))
    (detail, writes), = user_action_instances(c, action)
    assert detail == "web:app=example.com/app:1.0-next,proxy=example.com/proxy:2.0-next"
    (update,) = writes
    assert [(k.name, k.image) for k in update.obj.template.containers] == [
        ("app", "example.com/app:1.0-next"), ("proxy", "example.com/proxy:2.0-next")]
    # done once, the command changes nothing more
    assert user_action_instances(ClusterState.from_objects((update.obj,)), action) == []


def test_the_rollout_makes_one_new_replicaset_never_a_third(tmp_path: Path) -> None:
    """Every reachable state of the rollout holds at most two ReplicaSets (the old and the one new
    revision): with one command per container a second rollout could start mid-rollout."""
    settle_system = KubeSystem(Scenario(initial=_cluster(tmp_path, 1), granularity="reconcile", name="settle"))
    settled = settle(settle_system, settle_system.init_states()[0])
    assert settled.settled
    spec = builtin("rollout", settled.state.cluster)
    system = KubeSystem(spec.to_scenario(settled.state.cluster, "reconcile"))
    frontier = list(system.init_states())
    seen = set(frontier)
    most = 0
    while frontier:
        nxt = []
        for s in frontier:
            most = max(most, len(s.cluster.objects("ReplicaSet")))
            for a in system.actions(s):
                t = system.step(s, a)
                if t is not None and t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    assert most == 2, most


@pytest.mark.parametrize("replicas", [5])
def test_a_multi_container_deployment_is_decided_by_the_count_model(tmp_path: Path, replicas: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """One image change of the Deployment: the count model covers it (it refused the per-container
    commands as "more than one image change")."""
    monkeypatch.setenv("KUBECHECK_CACHE_DIR", str(tmp_path / "cache"))
    m = tmp_path / "web.yaml"
    m.write_text(TWO_CONTAINERS.format(replicas=replicas), encoding="utf-8")
    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-ROLL-001", "KC-ROLL-002"), max_states=300,
                      out_dir=str(tmp_path / "out"), write_traces=False)
    report = run_check(cfg, load_manifests([str(m)]))
    for f in report.findings:
        assert f.verdict == "holds", (f.rule_id, f.note)
        assert "decided by the Z3 count model before the explicit search" in f.note, f.note


def _scenario(tmp_path: Path, body: str) -> str:
    p = tmp_path / "scenario.yaml"
    p.write_text("name: release\nactions:\n" + body, encoding="utf-8")
    return str(p)


def test_a_scenario_file_sets_several_containers_in_one_command(tmp_path: Path) -> None:
    from kubecheck.scenarios import load_scenario_file

    c = _cluster(tmp_path, 1)
    spec = load_scenario_file(_scenario(tmp_path, "  - set-image: {kind: Deployment, name: web, images: {app: a:2, proxy: p:3}}\n"),
                              cluster=c)
    (action, n), = spec.user_actions
    assert n == 1 and action.pairs() == (("app", "a:2"), ("proxy", "p:3"))


@pytest.mark.parametrize("body, message", [
    ("  - set-image: {kind: Deployment, name: web, images: {app: a:2, sidecar: s:1}}\n",
     ':3: actions[0].set-image.images.sidecar: Deployment "default/web" has no container \'sidecar\'; its containers: app, proxy'),
    ("  - set-image: {kind: Deployment, name: web, image: a:2, images: {app: a:2}}\n",
     ":3: actions[0].set-image: give image (and optionally container), or images: {CONTAINER: IMAGE, ...} for several "
     "containers in one command; not both"),
    ("  - set-image: {kind: Deployment, name: web}\n", ":3: actions[0].set-image: give image"),
    ("  - set-image: {kind: Deployment, name: web, images: {}}\n", ":3: actions[0].set-image.images: must not be empty"),
])
def test_a_bad_images_entry_is_one_line(tmp_path: Path, body: str, message: str) -> None:
    from kubecheck.scenarios import InvalidScenario, load_scenario_file

    path = _scenario(tmp_path, body)
    with pytest.raises(InvalidScenario) as err:
        load_scenario_file(path, cluster=_cluster(tmp_path, 1))
    assert str(err.value).startswith(path + message), str(err.value)
    assert "\n" not in str(err.value)
