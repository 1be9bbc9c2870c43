"""Scenario helpers for the catalogue tests: YAML -> settled cluster -> explored scenario.

``settled_system(yaml, ...)`` loads manifests (``model.manifests.load_text``), adds identical
Ready nodes (``kubecheck.scenarios.with_nodes``), lets the controllers and kubelets settle
(``kubecheck.scenarios.settle``: the first enabled fair action, repeatedly, to quiescence) and
returns a :class:`KubeSystem` whose initial state is that settled cluster, with the user actions
and faults under test.  ``check(system, rule_ids)`` explores it (BFS, so counterexamples are
shortest) against the named catalogue rules.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from kubecheck.core.explorer import explore
from kubecheck.scenarios import settle, with_nodes
from kubecheck.core.verdict import ExplorationResult, PropertyResult, Verdict
from model.environment import FaultBudget
from model.manifests import load_text
from model.state import ClusterState
from model.system import KubeSystem, Scenario
from properties import instantiate

__all__ = [
    "settled_cluster",
    "settled_system",
    "check",
    "verdicts",
    "trace_labels",
    "Verdict",
    "deployment_yaml",
    "statefulset_yaml",
    "replicaset_yaml",
    "rc_yaml",
    "service_yaml",
    "pod_yaml",
    "assert_holds",
    "assert_violated",
    "with_cluster",
]


# ------------------------------------------------------------------------------ manifests


def service_yaml(app: str) -> str:
    """A Service selecting ``app=<app>`` (the zero-downtime rule KC-ROLL-004 watches Services)."""
    return f"""
---
apiVersion: v1
kind: Service
metadata: {{name: {app}}}
spec:
  selector: {{app: {app}}}
  ports: [{{port: 80}}]
"""


def deployment_yaml(
    name: str = "web",
    *,
    replicas: int = 1,
    surge: int | str = 0,
    unavailable: int | str = 1,
    image: str = "nginx:1",
    probe: bool = False,
    app: str | None = None,
    service: bool = True,
) -> str:
    """A RollingUpdate Deployment (one container ``app``), with a Service for its pods by default."""
    app = app or name
    probe_text = ", readinessProbe: {httpGet: {path: /, port: 80}}" if probe else ""
    text = f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {app}}}}}
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxSurge: {surge!r}, maxUnavailable: {unavailable!r}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers: [{{name: app, image: "{image}"{probe_text}}}]
"""
    return text + (service_yaml(app) if service else "")


def statefulset_yaml(
    name: str = "db",
    *,
    replicas: int = 1,
    image: str = "postgres:16",
    probe: bool = False,
    policy: str = "OrderedReady",
    claims: bool = True,
) -> str:
    """A StatefulSet (serviceName = its name) with one ``data`` volumeClaimTemplate by default."""
    probe_text = ", readinessProbe: {exec: {command: [pg_isready]}}" if probe else ""
    vct = (
        """
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"""
        if claims
        else ""
    )
    return f"""
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}}}
spec:
  serviceName: {name}
  replicas: {replicas}
  podManagementPolicy: {policy}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: app, image: "{image}"{probe_text}}}]{vct}
"""


def replicaset_yaml(name: str = "web", *, replicas: int = 1, app: str = "web") -> str:
    return f"""
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers: [{{name: app, image: nginx:1}}]
"""


def rc_yaml(name: str = "legacy", *, replicas: int = 1, app: str = "web") -> str:
    return f"""
---
apiVersion: v1
kind: ReplicationController
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{app: {app}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers: [{{name: app, image: nginx:1}}]
"""


def pod_yaml(name: str, *, app: str) -> str:
    """A bare pod (no owner)."""
    return f"""
---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, labels: {{app: {app}}}}}
spec:
  containers: [{{name: app, image: nginx:1}}]
"""



def settled_cluster(yaml_text: str, nodes: int = 1, max_steps: int = 500) -> ClusterState:
    """The cluster once the manifests in ``yaml_text`` have been applied and everything settled."""
    objects, _ = with_nodes(load_text(yaml_text).raise_on_error().objects, nodes)
    system = KubeSystem(Scenario(ClusterState.from_objects(objects), name="settle"))
    result = settle(system, system.init_states()[0], max_steps)
    assert result.settled, f"did not settle in {max_steps} steps: {result.labels[-10:]}"
    return result.state.cluster


def settled_system(
    yaml_text: str,
    *,
    nodes: int = 1,
    user_actions: tuple[Any, ...] = (),
    faults: FaultBudget = FaultBudget(),
    granularity: str = "write",
    name: str = "test",
    cluster: ClusterState | None = None,
) -> KubeSystem:
    """A system starting from the settled cluster of ``yaml_text`` (or ``cluster``, when given)."""
    initial = cluster if cluster is not None else settled_cluster(yaml_text, nodes)
    return KubeSystem(
        Scenario(initial, user_actions=user_actions, faults=faults, granularity=granularity, name=name)  # type: ignore[arg-type]
    )


def check(
    system: KubeSystem,
    rule_ids: Iterable[str],
    *,
    extra_rules: tuple[Any, ...] = (),
    max_states: int | None = None,
) -> ExplorationResult:
    """Explore ``system`` (BFS, no symmetry) against the catalogue rules ``rule_ids``."""
    props = instantiate(system.scenario.initial, list(rule_ids), extra_rules)
    return explore(system, props, max_states=max_states, progress=False)


def verdicts(result: ExplorationResult) -> dict[str, Verdict]:
    return {r.property.rule_id: r.verdict for r in result.results}


def trace_labels(result: PropertyResult) -> list[str]:
    assert result.trace is not None, f"{result.property.rule_id}: {result.verdict} without a trace"
    return [s.label for s in result.trace.steps]


def with_cluster(system: KubeSystem, cluster: ClusterState) -> KubeSystem:
    return KubeSystem(replace(system.scenario, initial=cluster))


# ------------------------------------------------------------------------------ asserting


def _result(result: ExplorationResult, rule_id: str) -> PropertyResult:
    return result.result(rule_id)


def assert_holds(result: ExplorationResult, *rule_ids: str) -> None:
    """Each rule HOLDS exhaustively (not merely within bounds)."""
    assert result.complete, "the search was cut by a bound"
    for rule_id in rule_ids:
        r = _result(result, rule_id)
        assert r.verdict is Verdict.HOLDS, f"{rule_id}: {r.verdict.name} {r.note} {r.trace and trace_labels(r)}"


def assert_violated(result: ExplorationResult, rule_id: str, labels: list[str], loop_start: int | None = None) -> None:
    """``rule_id`` is VIOLATED with exactly this (shortest, BFS) trace, and lasso start for eventual rules."""
    r = _result(result, rule_id)
    assert r.verdict is Verdict.VIOLATED, f"{rule_id}: {r.verdict.name} {r.note}"
    assert trace_labels(r) == labels
    assert r.trace.loop_start == loop_start
