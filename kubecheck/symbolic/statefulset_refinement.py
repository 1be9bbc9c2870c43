"""The checked refinement of the object model by the StatefulSet prefix abstraction.

:func:`project_sts` maps a ``model.system.SystemState`` onto a
:class:`kubecheck.symbolic.statefulset_count.StsState` of one StatefulSet (a ``ProjectionError``
when the state is not in the prefix shape).  :func:`check_sts_refinement` explores the FULL explicit
graph of an object-model system (no sample, no symmetry) and checks that every initial state
projects onto the abstraction's initial state and every transition onto an abstract step or a
stutter.  :func:`statefulset_rollout_system` builds the object-model system the way
``kubecheck check --scenario rollout`` does (settled by ``kubecheck.scenarios.settle``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kubecheck.symbolic.refinement import RefinementResult, walk_refinement
from kubecheck.symbolic.rollout import PY
from kubecheck.symbolic.statefulset_count import (
    ABOVE,
    ABSENT,
    BELOW,
    FLUX,
    NEW_UNAVAILABLE,
    NO_HOLE,
    OLD,
    OLD_TERMINATING,
    StsState,
    sts_initial,
    sts_steps,
)
from model.api import Create, Delete
from model.objects import StatefulSet, kind_of
from model.system import KubeSystem, SystemState

__all__ = ["ProjectionError", "project_sts", "StsRefinementResult", "check_sts_refinement", "statefulset_rollout_system",
           "statefulset_manifest"]

_REVISION_LABEL = "controller-revision-hash"


class ProjectionError(ValueError):
    """An object-model state outside the prefix shape."""


def _running_ready(p: Any) -> bool:
    # KC-STS-005's predecessor test (properties/catalogue.py ordered_ready)
    return p.deletion_timestamp is None and p.phase not in ("Succeeded", "Failed") and p.phase == "Running" and p.conditions.ready


def _available(p: Any, mrs: int) -> bool:
    # stateful_set_utils.go isRunningAndAvailable, not terminating (the opposite of isUnavailable)
    return _running_ready(p) and (mrs == 0 or p.ready_elapsed)


def _crashed(p: Any) -> bool:
    """Running, and Ready in the API while a container is not ready in the runtime (crashed, the kubelet has
    not written it yet)."""
    return p.phase == "Running" and p.conditions.ready and any(not cs.ready or cs.state != "running" for cs in p.container_statuses)


def _down(p: Any) -> bool:
    """Active and Running but not Ready in the API: without readiness probes and minReadySeconds a pod
    becomes Running and Ready in one kubelet step, so only a crash leaves it so."""
    return p.deletion_timestamp is None and p.phase == "Running" and not p.conditions.ready


def project_sts(state: SystemState, key: tuple[str, str], rolled: bool) -> StsState[int]:
    """The prefix shape of StatefulSet ``key`` (namespace, name) in ``state``.

    A pod is *updated* when the rollout has happened and its containers equal the set's template
    (the update revision's); ``u`` counts the updated available ordinals at the top, the next one
    down is in flux.  Pending writes: the StatefulSet controller's pod Delete of the pod in flux (a
    pending pod Create is refused: the abstraction's Create lands with its decision); its other writes
    (ControllerRevisions, PVCs, status) change nothing projected.
    """
    c = state.cluster
    ns, name = key
    s: StatefulSet | None = c.get("StatefulSet", ns, name)
    if s is None:
        raise ProjectionError(f"no StatefulSet {ns}/{name}")
    r, start, mrs = s.replicas, s.ordinals_start, s.min_ready_seconds
    pods: dict[int, Any] = {}
    for p in c.objects("Pod", ns):
        base, _, ordinal = p.name.rpartition("-")
        if base != name or not ordinal.isdigit():
            continue
        i = int(ordinal) - start
        if not 0 <= i < r:
            raise ProjectionError(f"pod {p.name} outside the ordinal range (condemned pods are not in the abstraction)")
        pods[i] = p

    def updated(p: Any) -> bool:
        return rolled and p.spec_containers == s.template.containers

    holes: list[tuple[int, int]] = []  # (where, down) of each pod with a crashed container

    def hole(p: Any, where: int) -> bool:
        if _crashed(p) or _down(p):
            holes.append((where, int(_down(p))))
            return True
        return False

    u = 0
    while u < r and (p := pods.get(r - 1 - u)) is not None and updated(p) and (_available(p, mrs) or (_down(p) and any(cs.restart_count > 0 or not cs.ready or cs.state != "running" for cs in p.container_statuses))):
        hole(p, ABOVE)
        u += 1
    f = r - 1 - u
    phase = OLD
    if f >= 0:
        p = pods.get(f)
        if p is None:
            phase = ABSENT
        elif updated(p):
            if p.deletion_timestamp is not None or _available(p, mrs):
                raise ProjectionError(f"updated pod {p.name} in flux is terminating or available")
            phase = NEW_UNAVAILABLE
        elif p.deletion_timestamp is not None:
            phase = OLD_TERMINATING
        elif _available(p, mrs) or _down(p):
            hole(p, FLUX)
            phase = OLD
        else:
            raise ProjectionError(f"old pod {p.name} in flux is not available and not terminating")
    below = [pods.get(i) for i in range(max(f, 0))]
    for p in below:
        if p is not None:
            hole(p, BELOW)
    if len(holes) > 1:
        raise ProjectionError(f"{len(holes)} pods with a crashed container (the abstraction has one crash)")
    where, down = holes[0] if holes else (NO_HOLE, 0)
    below_ready = sum(1 for p in below if p is not None and _running_ready(p))
    below_new = sum(1 for p in below if p is not None and updated(p))
    st = s.status
    pinned = 0
    if s.update_strategy.type == "RollingUpdate" and st.update_revision and st.update_revision != st.current_revision:
        part = s.update_strategy.partition
        pinned = sum(1 for i, p in pods.items() if i + start < part and p.deletion_timestamp is None
                     and p.phase not in ("Succeeded", "Failed") and p.labels.get(_REVISION_LABEL) == st.update_revision)
    pend_delete = pend_create = 0
    target = f"{name}-{f + start}"
    for pw in state.pending.get(("statefulset", ns, name), ()):
        w = pw.write
        if isinstance(w, Delete) and w.kind == "Pod":
            if w.name != target or phase != OLD:
                raise ProjectionError(f"pending Delete of pod {w.name} (in flux: {target}, phase {phase})")
            pend_delete += 1
        elif isinstance(w, Create) and kind_of(w.obj) == "Pod":
            # the abstraction's Create lands with its decision (the first write of its reconcile)
            raise ProjectionError(f"pending Create of pod {w.obj.name} (in flux: {target}, phase {phase})")
        elif kind_of(getattr(w, "obj", None)) == "Pod" or getattr(w, "kind", "") == "Pod":
            raise ProjectionError(f"pending pod write {type(w).__name__} of the StatefulSet controller")
    return StsState(u, phase, pend_delete, pend_create, below_ready, below_new, pinned, int(rolled),
                    state.faults.container_crash, where, down)


#: What :func:`check_sts_refinement` found: the Deployment refinement's record (the walk is never cut here).
StsRefinementResult = RefinementResult


def check_sts_refinement(system: KubeSystem, project: Callable[[SystemState], StsState[int]], replicas: int,
                         partition: int, ordered: bool) -> StsRefinementResult:
    """Every reachable state of ``system`` (deduplicated by ``system.canonical``), every transition
    out of it, checked against :func:`sts_steps` (the abstraction with these parameters)."""
    res = StsRefinementResult()

    def is_initial(p: StsState[int]) -> bool:
        return p == sts_initial(replicas, p.rolled, p.crashes)

    def steps(ps: StsState[int]) -> list[tuple[str, StsState[int]]]:
        return [(nm, nxt) for nm, en, nxt in sts_steps(PY, replicas, partition, ordered, ps) if en]

    walk_refinement(system, project, is_initial, steps, res)
    return res


def statefulset_manifest(replicas: int, policy: str = "OrderedReady", partition: int | None = None,
                         max_unavailable: int | str | None = None, min_ready_seconds: int = 0, ordinals_start: int = 0) -> str:
    """A StatefulSet ``db`` (headless Service, one volumeClaimTemplate) as YAML, as in examples/statefulset.yaml."""
    strategy = ""
    if partition is not None or max_unavailable is not None:
        strategy = "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n"
        if partition is not None:
            strategy += f"      partition: {partition}\n"
        if max_unavailable is not None:
            strategy += f"      maxUnavailable: {max_unavailable}\n"
    return f"""apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: {replicas}
  podManagementPolicy: {policy}
  minReadySeconds: {min_ready_seconds}
  ordinals:
    start: {ordinals_start}
{strategy}  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: postgres
          image: postgres:16
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: 1Gi
"""


def statefulset_rollout_system(objects: tuple[Any, ...], *, granularity: str = "write", nodes: int = 2,
                               kubernetes_version: str | None = None, crashes: int = 0) -> tuple[KubeSystem, Callable[[SystemState], StsState[int]], StatefulSet]:
    """The object-model system ``kubecheck check --scenario rollout`` explores for the one StatefulSet
    in ``objects`` (``nodes`` identical Ready nodes added, settled by the deterministic start-up
    order), its projection, and the settled StatefulSet."""
    from kubecheck.scenarios import builtin, settle, with_nodes
    from model.state import ClusterState
    from model.system import Scenario
    from model.versions import DEFAULT_VERSION

    version = kubernetes_version or DEFAULT_VERSION
    objs, _ = with_nodes(tuple(objects), nodes)
    warm = KubeSystem(Scenario(initial=ClusterState.from_objects(objs), granularity=granularity,  # type: ignore[arg-type]
                               name="settle", kubernetes_version=version))
    settled = settle(warm, warm.init_states()[0])
    if not settled.settled:  # pragma: no cover - a lone StatefulSet settles
        raise RuntimeError(f"the StatefulSet did not settle ({settled.cut})")
    c = settled.state.cluster
    sets = list(c.objects("StatefulSet"))
    if len(sets) != 1:
        raise ValueError(f"expected one StatefulSet, got {len(sets)}")
    s = sets[0]
    from model.environment import FaultBudget

    spec = replace(builtin("rollout", c), kubernetes_version=version, faults=FaultBudget(container_crash=crashes))
    system = KubeSystem(spec.to_scenario(c, granularity))
    key = (s.namespace, s.name)

    def project(state: SystemState) -> StsState[int]:
        return project_sts(state, key, rolled=state.user_budget[0] == 0)

    return system, project, s
