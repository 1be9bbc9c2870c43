"""Step-by-step rollouts without the full system: sync_deployment + a tiny local API server and
a fake ReplicaSet controller that makes pods available instantly (it only sets RS status).

The worked example of rolling.go reconcileOldReplicaSets (10 replicas, maxUnavailable 2,
maxSurge 3: a crashlooping rollout, ``kubectl rollout undo``, and a roll-over) is replayed here
on the real sync_deployment.
"""

from __future__ import annotations

from dataclasses import replace

from model.api import Create, Delete, Update, UpdateStatus, Write
from model.deployment import rollback_to_revision, sync_deployment
from model.deployment_util import (
    DEPLOYMENT_PROGRESSING,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    NEW_RS_AVAILABLE_REASON,
    REVISION_ANNOTATION,
    get_deployment_condition,
)
from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.objects import ContainerSpec, Deployment, DeploymentStrategy, PodTemplate, ReplicaSet, ReplicaSetStatus
from model.state import ClusterState
from tests.model.builders_deployment import controller_ref

KEY = ("default", "web")
LABELS = FrozenMap({"app": "web"})


# --------------------------------------------------------------------- the local API server


def apply(state: ClusterState, w: Write) -> ClusterState:
    """Just enough of an API server: UIDs and creation order on Create, status kept on Update,
    generation bumped on spec changes, spec/labels kept on UpdateStatus (annotations and the
    abstract-time flag are taken, as deploymentStatusStrategy.PrepareForUpdate does)."""
    if isinstance(w, Create):
        n = state.next_uid
        obj = replace(w.obj, uid=f"uid-{n}", creation_index=n, generation=1)
        return state.put(obj).with_counters(next_uid=n + 1)
    if isinstance(w, Update):
        kind = type(w.obj).__name__
        old = state.get(kind, w.obj.namespace, w.obj.name)
        assert old is not None
        new = replace(w.obj, status=old.status, generation=old.generation)
        if _spec(new) != _spec(old):
            new = replace(new, generation=old.generation + 1)
        return state.put(new)
    if isinstance(w, UpdateStatus):
        old = state.get("Deployment", w.obj.namespace, w.obj.name)
        assert old is not None
        return state.put(
            replace(
                old,
                status=w.obj.status,
                annotations=w.obj.annotations,
                progress_deadline_elapsed=w.obj.progress_deadline_elapsed,
            )
        )
    assert isinstance(w, Delete)
    return state.remove(w.kind, w.namespace, w.name)


def _spec(obj: object) -> tuple[object, ...]:
    return tuple(getattr(obj, f) for f in ("replicas", "template", "selector", "min_ready_seconds", "paused", "strategy")
                 if hasattr(obj, f))  # fmt: skip


def rs_controller_step(state: ClusterState) -> ClusterState:
    """Fake ReplicaSet controller: every RS instantly has spec.replicas pods, all available."""
    for rs in state.objects("ReplicaSet"):
        n = rs.replicas
        status = ReplicaSetStatus(
            replicas=n, fully_labeled_replicas=n, ready_replicas=n, available_replicas=n, observed_generation=rs.generation
        )
        if status != rs.status:
            state = state.put(replace(rs, status=status))
    return state


def deployment_step(state: ClusterState) -> tuple[ClusterState, tuple[Write, ...]]:
    writes = sync_deployment(state, KEY)
    for w in writes:
        state = apply(state, w)
    return state, writes


def sizes(state: ClusterState, new_image: str) -> tuple[int, int]:
    """(replicas of the RS running ``new_image``, replicas of all other RSs)."""
    new = sum(r.replicas for r in state.objects("ReplicaSet") if r.template.containers[0].image == new_image)
    old = sum(r.replicas for r in state.objects("ReplicaSet") if r.template.containers[0].image != new_image)
    return new, old


def pods(state: ClusterState) -> tuple[int, int]:
    """(available pods, existing pods) as the fake RS controller reports them."""
    rss = state.objects("ReplicaSet")
    return sum(r.status.available_replicas for r in rss), sum(r.status.replicas for r in rss)


def web(image: str, replicas: int = 3, surge: int = 1, unavailable: int = 0) -> Deployment:
    return Deployment(
        name="web",
        uid="uid-web",
        replicas=replicas,
        selector=LabelSelector(match_labels=LABELS),
        template=PodTemplate(labels=LABELS, containers=(ContainerSpec("app", image),)),
        strategy=DeploymentStrategy(type="RollingUpdate", max_surge=surge, max_unavailable=unavailable),
    )


def run_to_quiescence(state: ClusterState, image: str, *, limit: int = 40) -> tuple[ClusterState, list[tuple[int, int]]]:
    """Alternate Deployment reconcile and RS controller until neither changes anything.

    Returns the final state and the (new, old) spec sizes after each reconcile that resized an RS,
    checking after every single step that availability and pod count stay in bounds.
    """
    seq: list[tuple[int, int]] = []
    d = state.get("Deployment", *KEY)
    assert d is not None
    for _ in range(limit):
        before = state
        state, writes = deployment_step(state)
        if any(isinstance(w, (Create, Update)) and isinstance(w.obj, ReplicaSet) and _resized(before, w.obj) for w in writes):
            seq.append(sizes(state, image))
        check_bounds(state)
        state = rs_controller_step(state)
        check_bounds(state)
        if state == before:
            return state, seq
    raise AssertionError("no fixed point")


def _resized(before: ClusterState, rs: ReplicaSet) -> bool:
    old = before.get("ReplicaSet", rs.namespace, rs.name)
    return old is None or old.replicas != rs.replicas


def check_bounds(state: ClusterState) -> None:
    available, existing = pods(state)
    total_spec = sum(r.replicas for r in state.objects("ReplicaSet"))
    if state.objects("ReplicaSet"):
        assert available >= 3 or _initial(state), f"availability dropped to {available}"
    assert existing <= 4, f"{existing} pods exceed replicas + maxSurge"
    assert total_spec <= 4, f"Σ spec {total_spec} exceeds replicas + maxSurge"


def _initial(state: ClusterState) -> bool:
    """While the very first ReplicaSet comes up there is nothing to keep available."""
    return len(state.objects("ReplicaSet")) == 1 and state.objects("ReplicaSet")[0].template.containers[0].image == "v1"


# ---------------------------------------------------------------------------------- scenarios


def test_rolling_update_v1_to_v2_max_surge_1_max_unavailable_0() -> None:
    state = ClusterState.from_objects([web("v1")])
    state, seq = run_to_quiescence(state, "v1")
    assert seq == [(3, 0)]
    assert pods(state) == (3, 3)
    d = state.get("Deployment", *KEY)
    assert d is not None and d.annotations[REVISION_ANNOTATION] == "1"

    # The user changes the image (kubectl set image): spec change -> generation + 1.
    state = state.put(replace(d, template=web("v2").template, generation=d.generation + 1))
    state, seq = run_to_quiescence(state, "v2")

    # One RS write per reconcile: new +1, old -1, alternating, never more than 4 pods.
    assert seq == [(1, 3), (1, 2), (2, 2), (2, 1), (3, 1), (3, 0)]
    assert pods(state) == (3, 3)
    d = state.get("Deployment", *KEY)
    assert d is not None
    assert d.annotations[REVISION_ANNOTATION] == "2"
    assert (d.status.replicas, d.status.updated_replicas, d.status.available_replicas) == (3, 3, 3)
    assert d.status.observed_generation == d.generation
    cond = get_deployment_condition(d.status, DEPLOYMENT_PROGRESSING)
    assert cond is not None and cond.reason == NEW_RS_AVAILABLE_REASON
    # Fixed point: the controller has nothing left to write.
    assert sync_deployment(state, KEY) == ()
    # The old RS is kept at 0 for rollback (revisionHistoryLimit 10).
    old = [r for r in state.objects("ReplicaSet") if r.template.containers[0].image == "v1"]
    assert [(r.replicas, r.annotations[REVISION_ANNOTATION]) for r in old] == [(0, "1")]


# -------------------------------------------------------------- reconcileOldReplicaSets comment


def _rs(d: Deployment, image: str, replicas: int, available: int, rev: str, ts: int) -> ReplicaSet:
    tmpl = PodTemplate(labels=LABELS.set("pod-template-hash", image), containers=(ContainerSpec("app", image),))
    return ReplicaSet(
        name=f"web-{image}",
        uid=f"uid-rs-{image}",
        creation_index=ts,
        labels=tmpl.labels,
        owner_references=(controller_ref(d),),
        replicas=replicas,
        selector=LabelSelector(match_labels=tmpl.labels),
        template=tmpl,
        annotations=FrozenMap({REVISION_ANNOTATION: rev, DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "13"}),
        status=ReplicaSetStatus(replicas=replicas, ready_replicas=available, available_replicas=available, observed_generation=1),
    )


def _rs_writes(writes: tuple[Write, ...]) -> list[tuple[str, int]]:
    return [(w.obj.name, w.obj.replicas) for w in writes if isinstance(w, (Create, Update)) and isinstance(w.obj, ReplicaSet)]


def test_worked_example_crashloop_then_rollback() -> None:
    """Case 1: newRS at 5 crashlooping, oldRS at 8 with one pod lost: 13 - 8 - 5 = 0, nothing moves;
    after ``kubectl rollout undo`` 13 - 8 - 1 = 4 crashlooping pods go, then the good RS grows to 10."""
    d = replace(web("v2", replicas=10, surge=3, unavailable=2), annotations=FrozenMap({REVISION_ANNOTATION: "2"}))
    v1 = _rs(d, "v1", 8, 7, "1", 1)
    v2 = _rs(d, "v2", 5, 0, "2", 2)
    state = ClusterState.from_objects([d, v1, v2])

    writes = sync_deployment(state, KEY)
    assert _rs_writes(writes) == []  # maxScaledDown = 13 - 8 - 5 = 0

    state = state.put(rollback_to_revision(state, KEY))
    # The good RS is the new one again: its revision goes to 3 (history "1"), and isScalingEvent's
    # getNewReplicaSet already wrote it, so this reconcile ends there (409 on the second write).
    state, writes = deployment_step(state)
    assert _rs_writes(writes) == [("web-v1", 8)]
    rs_v1 = state.get("ReplicaSet", "default", "web-v1")
    assert rs_v1 is not None and rs_v1.annotations[REVISION_ANNOTATION] == "3"
    # Next: newRSPodsUnavailable is 1, maxScaledDown = 13 - 8 - 1 = 4 crashlooping pods are removed.
    state, writes = deployment_step(state)
    assert _rs_writes(writes) == [("web-v2", 1)]
    # 9 pods in total: the new (good) RS can grow to 10.
    state, writes = deployment_step(state)
    assert _rs_writes(writes) == [("web-v1", 10)]


def test_worked_example_roll_over() -> None:
    """Case 2: pushing a third template instead: the new RS starts at 0 (13 pods already), and
    newRSPodsUnavailable is 0, so the old RSs can go down by 13 - 8 - 0 = 5 (unhealthy first)."""
    d = replace(web("v2", replicas=10, surge=3, unavailable=2), annotations=FrozenMap({REVISION_ANNOTATION: "2"}))
    v1 = _rs(d, "v1", 8, 7, "1", 1)
    v2 = _rs(d, "v2", 5, 0, "2", 2)
    d3 = replace(d, template=web("v3").template, generation=2)
    state = ClusterState.from_objects([d3, v1, v2])
    writes = sync_deployment(state, KEY)
    rs_writes = _rs_writes(writes)
    assert rs_writes[0][1] == 0 and isinstance(writes[0], Create)  # new RS created with 0 replicas
    assert rs_writes[1:] == [("web-v1", 7), ("web-v2", 1)]  # 1 + 4 unhealthy replicas cleaned up
    assert sum(n for _, n in rs_writes[1:]) == 13 - 5
