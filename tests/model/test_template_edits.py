"""model.template_edits: kubectl rollout restart, set env, set resources as pod-template edits."""

from __future__ import annotations

import pytest

from model.api import Refused, Update
from model.deployment_util import compute_hash
from model.environment import PauseDeployment, user_action_instances, user_action_label
from model.errors import ModelError
from model.frozen import FrozenMap
from model.manifests import load_text
from model.objects import replace
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState
from model.template_edits import RESTARTED_AT, RestartRollout, SetEnv, SetResources

from tests.model.builders_runtime import node

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: a, image: nginx:1}, {name: b, image: side:1}]}
"""


def _cluster() -> ClusterState:
    (d,) = load_text(WEB).objects
    return ClusterState.from_objects([node(), d])


def _updated(c: ClusterState, action: object) -> object:
    ((_, (w,)),) = user_action_instances(c, action)  # type: ignore[arg-type]
    assert isinstance(w, Update)
    return w.obj


def test_restart_sets_a_new_restarted_at_each_time() -> None:
    c = _cluster()
    r = RestartRollout("Deployment", "web")
    assert user_action_label(r) == "user_restart_deployment"
    d1 = _updated(c, r)
    assert d1.template.annotations[RESTARTED_AT] == "restart-1"
    d2 = _updated(c.put(d1), r)
    assert d2.template.annotations[RESTARTED_AT] == "restart-2"
    assert compute_hash(d1.template, None) != compute_hash(d2.template, None)


def test_restart_of_a_paused_deployment_is_refused() -> None:
    c = _cluster()
    paused = c.put(replace(c.get("Deployment", "default", "web"), paused=True))
    assert user_action_instances(paused, RestartRollout("Deployment", "web")) == [
        ("web", Refused("error: can't restart paused deployment (run rollout resume first)"))]
    with pytest.raises(ModelError):
        RestartRollout("ReplicaSet", "web")


def test_set_env_and_resources_edit_the_named_container_and_change_the_hash() -> None:
    c = _cluster()
    d = c.get("Deployment", "default", "web")
    e = _updated(c, SetEnv("Deployment", "web", FrozenMap({"LOG": "debug"}), container="a"))
    assert [x.config for x in e.template.containers] == [FrozenMap({"env.LOG": "debug"}), FrozenMap()]
    assert compute_hash(e.template, None) != compute_hash(d.template, None)
    assert user_action_instances(c.put(e), SetEnv("Deployment", "web", FrozenMap({"LOG": "debug"}), container="a")) == []  # no change
    removed = _updated(c.put(e), SetEnv("Deployment", "web", FrozenMap({"LOG": ""})))  # LOG-
    assert removed.template == d.template
    r = _updated(c, SetResources("Deployment", "web", FrozenMap({"cpu": "200m"}), FrozenMap({"memory": "1Gi"})))
    assert all(x.config == FrozenMap({"limits.memory": "1Gi", "requests.cpu": "200m"}) for x in r.template.containers)
    assert user_action_label(SetResources("Deployment", "web", FrozenMap({"cpu": "1"}))) == "user_set_resources_deployment"
    assert user_action_label(SetEnv("StatefulSet", "db", FrozenMap({"A": "b"}))) == "user_set_env_statefulset"


def test_a_set_env_rolls_the_deployment_to_pods_with_the_new_config() -> None:
    system = KubeSystem(Scenario(_cluster(), user_actions=(SetEnv("Deployment", "web", FrozenMap({"LOG": "debug"})),)))
    s: SystemState = system.init_states()[0]

    def settle(s: SystemState) -> SystemState:
        while (fair := [n for a, n in system.successors(s) if a.fair]):
            s = fair[0]
        return s

    s = settle(s)
    (s,) = [n for a, n in system.successors(s) if a.actor == "user"]
    s = settle(s)
    pods = list(s.cluster.pods.values())
    assert len(pods) == 1 and pods[0].spec_containers[0].config == FrozenMap({"env.LOG": "debug"})
    assert len(s.cluster.replica_sets) == 2  # a new revision
    assert user_action_instances(s.cluster, PauseDeployment("web"))  # the model goes on as usual
