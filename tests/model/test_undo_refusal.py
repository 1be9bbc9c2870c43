"""model.undo.UndoRollout: a scenario file's rollout undo that kubectl refuses is a visible step."""

from __future__ import annotations

from model.api import Refused
from model.environment import RollbackDeployment, SetImage, user_action_instances
from model.manifests import load_text
from model.sequence import After
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState
from model.undo import UndoRollout

from tests.model.builders_runtime import node

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  revisionHistoryLimit: LIMIT
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx:1}]}
"""


def _settle(system: KubeSystem, s: SystemState) -> SystemState:
    while (fair := [n for a, n in system.successors(s) if a.fair]):
        s = fair[0]
    return s


def _after_two_rollouts(limit: int) -> ClusterState:
    (d,) = load_text(WEB.replace("LIMIT", str(limit))).objects
    v2, v3 = SetImage("Deployment", "web", "nginx:2"), SetImage("Deployment", "web", "nginx:3")
    system = KubeSystem(Scenario(ClusterState.from_objects([node(), d]), user_actions=(v2, After(v3, (v2,), converged=True))))
    s = _settle(system, system.init_states()[0])
    for _ in range(2):
        (s,) = [n for a, n in system.successors(s) if a.actor == "user"]
        s = _settle(system, s)
    assert {p.spec_containers[0].image for p in s.cluster.pods.values()} == {"nginx:3"}
    return s.cluster


def test_undo_before_any_rollout_is_refused_with_kubectls_message() -> None:
    (d,) = load_text(WEB.replace("LIMIT", "10")).objects
    c = ClusterState.from_objects([node(), d])
    undo = UndoRollout(RollbackDeployment("web"))
    system = KubeSystem(Scenario(c, user_actions=(undo,)))
    s = _settle(system, system.init_states()[0])
    ((action, nxt),) = [(a, n) for a, n in system.successors(s) if a.actor == "user"]
    assert action.label == "user_rollback_deployment_refused"
    assert action.data == (0, 'web@0: error: no rollout history found for deployment "web"')
    assert nxt.cluster == s.cluster and nxt.user_budget == (0,)
    assert user_action_instances(s.cluster, RollbackDeployment("web")) == []  # the built-in form: not offered


def test_undo_to_a_pruned_revision_is_refused_and_to_a_kept_one_rolls_back() -> None:
    pruned = _after_two_rollouts(limit=0)  # revisionHistoryLimit 0: revision 1's ReplicaSet is deleted
    assert user_action_instances(pruned, UndoRollout(RollbackDeployment("web", 1))) == [
        ("web@1", Refused("error: unable to find specified revision 1 in history"))]
    kept = _after_two_rollouts(limit=10)
    ((detail, writes),) = user_action_instances(kept, UndoRollout(RollbackDeployment("web", 1)))
    assert detail == "web@1" and not isinstance(writes, Refused)
    assert writes[0].obj.template.containers[0].image == "nginx:1"
