"""The opt-in clocks (``Scenario.clocks``, docs/semantics.md "Clocks"): ``probes`` (readiness probe
timing against the timed image facts and minReadySeconds) and ``progress-deadline`` (the progress
deadline, weakly fair until the Deployment progresses)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from model.deployment import progress_deadline_fairness
from model.environment import SetImage
from model.errors import ModelError
from model.frozen import FrozenMap
from model.kubelet import ImageFacts, kubelet_step
from model.manifests import load_text
from model.objects import DeploymentCondition, DeploymentStatus
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, deployment, node

RS = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: api}
spec:
  replicas: 1
  minReadySeconds: MRS
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:2, readinessProbe: PROBE}]}
"""
TURNS = FrozenMap({"api:2": ImageFacts(unready_after=8)})


def _system(min_ready: int, probe: str, clocks: frozenset[str] = frozenset({"probes"})) -> KubeSystem:
    (rs,) = load_text(RS.replace("MRS", str(min_ready)).replace("PROBE", probe)).objects
    return KubeSystem(Scenario(ClusterState.from_objects([node(), rs]), images=TURNS, clocks=clocks))


def _orders(system: KubeSystem) -> set[tuple[str, ...]]:
    """Every order of the readiness and minReadySeconds steps over the fair runs to quiescence."""
    keep = ("kubelet_probe_ready", "expiry_min_ready_seconds", "kubelet_probe_unready")
    orders: set[tuple[str, ...]] = set()
    stack: list[tuple[SystemState, tuple[str, ...]]] = [(system.init_states()[0], ())]
    seen: set[tuple[SystemState, tuple[str, ...]]] = set()
    while stack:
        s, path = stack.pop()
        if (s, path) in seen:
            continue
        seen.add((s, path))
        nxt = [(a, n) for a, n in system.successors(s) if a.fair]
        if not nxt:
            orders.add(path)
        for a, n in nxt:
            stack.append((n, path + ((a.label,) if a.label in keep else ())))
    return orders


FAST = "{httpGet: {path: /, port: 80}, periodSeconds: 1, failureThreshold: FT}"
NOTICED_FIRST = {("kubelet_probe_ready", "kubelet_probe_unready")}
BOTH = NOTICED_FIRST | {("kubelet_probe_ready", "expiry_min_ready_seconds", "kubelet_probe_unready")}


def test_failure_noticed_before_min_ready_runs_out_keeps_the_pod_unavailable() -> None:
    """8 + 1 x 1 + 1 (timeout) = 10 < 0 + 12: the kubelet publishes the failure first."""
    assert _orders(_system(12, FAST.replace("FT", "1"))) == NOTICED_FIRST


def test_failure_threshold_lets_min_ready_run_out_first() -> None:
    """8 + 3 x 1 + 1 = 12, not < 12: both orders (upstream: the probe may notice at 12 s)."""
    assert _orders(_system(12, FAST.replace("FT", "3"))) == BOTH


def test_default_probe_timing_under_the_clock_and_without_it() -> None:
    """Default timing (period 10, threshold 3): noticed by 39 s, so minReadySeconds 10 does not protect
    under the clock; without it the fact is compared with minReadySeconds alone (8 < 10)."""
    plain = "{httpGet: {path: /, port: 80}}"
    assert _orders(_system(10, plain)) == BOTH
    assert _orders(_system(10, plain, frozenset())) == NOTICED_FIRST
    assert _orders(_system(40, plain)) == NOTICED_FIRST


def test_initial_delay_past_unready_after_never_lets_the_probe_pass() -> None:
    delayed = "{httpGet: {path: /, port: 80}, initialDelaySeconds: INIT}"
    assert _orders(_system(0, delayed.replace("INIT", "8"))) == {()}
    assert _orders(_system(0, delayed.replace("INIT", "7"))) == {("kubelet_probe_ready", "kubelet_probe_unready")}
    # without the clock the initial delay is not compared
    assert _orders(_system(0, delayed.replace("INIT", "8"), frozenset())) == {("kubelet_probe_ready", "kubelet_probe_unready")}


def test_initial_delay_and_serves_after_raise_the_earliest_ready() -> None:
    """minReadySeconds 3: the failure is noticed by 8 + 1 + 1 = 10; the pod is Ready no earlier than the
    initial delay 7 (or serves-after 7), so available no earlier than 10: not < 10, both orders; with
    minReadySeconds 4 (available >= 11) the failure comes first."""
    probe = "{httpGet: {path: /, port: 80}, periodSeconds: 1, failureThreshold: 1, initialDelaySeconds: 7}"
    assert _orders(_system(3, probe)) == BOTH
    assert _orders(_system(4, probe)) == NOTICED_FIRST
    (rs,) = load_text(RS.replace("MRS", "4").replace("PROBE", FAST.replace("FT", "1"))).objects
    facts = FrozenMap({"api:2": ImageFacts(serves_after=7, unready_after=8)})
    system = KubeSystem(Scenario(ClusterState.from_objects([node(), rs]), images=facts, clocks=frozenset({"probes"})))
    assert {tuple(x for x in o if x != "app_starts_serving") for o in _orders(system)} == NOTICED_FIRST


def test_kubelet_step_takes_the_clock_as_a_keyword() -> None:
    (rs,) = load_text(RS.replace("MRS", "0").replace("PROBE", "{exec: {command: [x]}, initialDelaySeconds: 9}")).objects
    system = KubeSystem(Scenario(ClusterState.from_objects([node(), rs]), images=TURNS, clocks=frozenset({"probes"})))
    s = system.init_states()[0]
    for _ in range(40):
        fair = [(a, n) for a, n in system.successors(s) if a.fair]
        if not fair:
            break
        s = fair[0][1]
    (key,) = s.cluster.pods.keys()
    assert s.cluster.pods[key].phase == "Running" and not s.cluster.pods[key].conditions.ready
    assert kubelet_step(s.cluster, key, TURNS, probes=True) is None
    step = kubelet_step(s.cluster, key, TURNS)
    assert step is not None and step.label == "kubelet_probe_ready"


def test_unknown_clock_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown clock 'grace'"):
        Scenario(cluster(node()), clocks=frozenset({"grace"}))


# ------------------------------------------------------------------------ progress-deadline

STUCK = FrozenMap({"nginx:typo": ImageFacts(pull="fails")})


def _deadline_actions(clocks: frozenset[str], progress_deadline: bool = False) -> list[tuple[object, SystemState]]:
    """The expiry_progress_deadline actions on the fair path of a rollout to an image that never pulls."""
    system = KubeSystem(Scenario(cluster(node(), deployment(replicas=1)), user_actions=(SetImage("Deployment", "web", "nginx:typo"),),
                                 images=STUCK, clocks=clocks, progress_deadline=progress_deadline))
    s = system.init_states()[0]
    found = []
    for _ in range(60):
        succ = system.successors(s)
        found += [(a, n) for a, n in succ if a.label == "expiry_progress_deadline"]
        fair = [(a, n) for a, n in succ if a.fair and a.label != "expiry_progress_deadline"]
        user = [(a, n) for a, n in succ if a.actor == "user"]
        if not fair and not user:
            break
        s = (fair or user)[0][1]
    return found


def test_progress_deadline_clock_makes_the_timer_fair_per_status() -> None:
    assert _deadline_actions(frozenset()) == []  # off unless a scenario turns it on
    unfair = _deadline_actions(frozenset(), progress_deadline=True)
    assert unfair and not any(a.fair for a, _ in unfair)  # type: ignore[attr-defined]
    fair = _deadline_actions(frozenset({"progress-deadline"}))
    assert fair and all(a.fair for a, _ in fair)  # type: ignore[attr-defined]
    # the key carries the progress counters: a refresh of lastUpdateTime (a progress) is a new clock
    keys = {a.key for a, _ in fair}  # type: ignore[attr-defined]
    assert len(keys) > 1 and all(k[:4] == ("expiry", "Deployment", "default", "web") for k in keys)
    # in the stuck state (the new pod never pulls) the same key stays enabled: weak fairness makes it pass
    last_key = fair[-1][0].key  # type: ignore[attr-defined]
    assert sum(1 for a, _ in fair if a.key == last_key) > 1  # type: ignore[attr-defined]


def test_progress_deadline_fairness_reads_what_deployment_progressing_compares() -> None:
    d = deployment(replicas=2)
    cond = DeploymentCondition(type="Progressing", status="True", reason="ReplicaSetUpdated")
    base = replace(d, status=DeploymentStatus(replicas=3, updated_replicas=1, ready_replicas=2, available_replicas=2, conditions=(cond,)))
    key = progress_deadline_fairness(base)
    assert key == ("1", "2", "2", "2", "ReplicaSetUpdated")
    for change in ({"updated_replicas": 2}, {"replicas": 2}, {"ready_replicas": 3}, {"available_replicas": 3}):
        assert progress_deadline_fairness(replace(base, status=replace(base.status, **change))) != key
    # observedGeneration is not a progress
    assert progress_deadline_fairness(replace(base, status=replace(base.status, observed_generation=7))) == key


def _count(system: KubeSystem) -> int:
    seen = set(system.init_states())
    frontier = list(seen)
    while frontier:
        nxt = []
        for s in frontier:
            for _, n in system.successors(s):
                if n not in seen:
                    seen.add(n)
                    nxt.append(n)
        frontier = nxt
    return len(seen)


def test_the_probes_clock_changes_nothing_without_unready_after() -> None:
    """Only ``unready-after`` is compared with probe timing: a scenario with other facts (here
    ``serves-after`` on a probed container) and stated probe timing explores the same states."""
    (rs,) = load_text(RS.replace("MRS", "10").replace("PROBE", "{httpGet: {path: /, port: 80}, initialDelaySeconds: 30}")).objects
    facts = FrozenMap({"api:2": ImageFacts(serves_after=25)})
    counts = {clocks: _count(KubeSystem(Scenario(ClusterState.from_objects([node(), rs]), images=facts, clocks=clocks)))
              for clocks in (frozenset(), frozenset({"probes"}))}
    assert len(set(counts.values())) == 1 and counts[frozenset()] > 5


def _status(replicas: int, updated: int, ready: int, available: int) -> DeploymentStatus:
    return DeploymentStatus(replicas=replicas, updated_replicas=updated, ready_replicas=ready, available_replicas=available)


STATUSES = [_status(r, u, rd, a) for r in range(3) for u in range(r + 1) for rd in range(r + 1) for a in range(rd + 1)]


def test_every_progress_changes_the_fairness_key() -> None:
    """The soundness lemma of the fair deadline, over every small status pair (and upstream's
    TestDeploymentProgressing rows as a subset): DeploymentProgressing(old, new) implies a new key,
    so a run whose key never changes never refreshed lastUpdateTime."""
    from model.deployment_util import deployment_progressing

    for old in STATUSES:
        d = replace(deployment(), status=old)
        for new in STATUSES:
            if deployment_progressing(d, new):
                assert progress_deadline_fairness(replace(d, status=new)) != progress_deadline_fairness(d), (old, new)


def test_every_cycle_of_statuses_contains_a_progress() -> None:
    """The other half: along any cycle of written statuses (here every cycle of length 2 and 3) in which
    the key changes, some write is a progress, so the model does not force the deadline where upstream
    may keep refreshing it."""
    from model.deployment_util import deployment_progressing

    def progress(a: DeploymentStatus, b: DeploymentStatus) -> bool:
        return deployment_progressing(replace(deployment(), status=a), b)

    keyed = [(s, progress_deadline_fairness(replace(deployment(), status=s))) for s in STATUSES]
    for (a, ka), (b, kb) in itertools.product(keyed, repeat=2):
        if ka != kb:
            assert progress(a, b) or progress(b, a), (a, b)
    for (a, ka), (b, kb), (c, kc) in itertools.product(keyed[::3], repeat=3):
        if len({ka, kb, kc}) > 1:
            assert progress(a, b) or progress(b, c) or progress(c, a), (a, b, c)
