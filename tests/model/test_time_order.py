"""Time that orders (issue #20 item 5): upstream's ActivePods / ActivePodsWithRanks Less on a clock,
and the abstraction ``time: ordered`` uses (``model.controller_utils.get_pods_to_delete_choices``).

TestSortingActivePods and TestSortingActivePodsWithRanks are ported verbatim from
kubernetes/kubernetes pkg/controller/controller_utils_test.go, on the concrete ports
(``active_pods_less``, ``active_pods_with_ranks_less``) with upstream's own times (``now``,
``then1Month``, 2, 5 and 8 hours before, the zero time) in nanoseconds.  Then the abstraction is
checked against the concrete Less both ways: every clock's choice is one of the model's choices
(sampled clocks), and every model choice is some clock's (a witness clock built for each).
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import replace
from functools import cmp_to_key
from typing import Callable

import pytest

from model.controller_utils import (
    POD_DELETION_COST,
    PodClock,
    active_pods_less,
    active_pods_with_ranks_key,
    active_pods_with_ranks_less,
    after_or_zero,
    deletion_class_key,
    get_pods_ranked_by_related_pods_on_same_node,
    get_pods_to_delete,
    get_pods_to_delete_choices,
    logarithmic_rank_diff,
)
from model.environment import ScaleWorkload
from model.errors import ModelError
from model.objects import Pod
from model.system import KubeSystem, Scenario
from tests.model.builders_replicaset import pod
from tests.model.builders_runtime import cluster, node, rs, settle_first_fair

SECOND = 10**9
HOUR = 3600 * SECOND
NOW = 1_765_000_000 * SECOND
THEN_1_MONTH = NOW - 30 * 24 * HOUR  # now.AddDate(0, -1, 0): a month back (its exact length does not matter)


def _sorted(pods: list[Pod], less: Callable[[Pod, Pod], bool]) -> list[str]:
    def cmp(a: Pod, b: Pod) -> int:
        return -1 if less(a, b) else (1 if less(b, a) else 0)

    return [p.name for p in sorted(pods, key=cmp_to_key(cmp))]


# ------------------------------------------------------------------ the helpers, on upstream's values


def test_after_or_zero() -> None:
    assert after_or_zero(None, 5) and not after_or_zero(5, None)
    assert after_or_zero(6, 5) and not after_or_zero(5, 6) and not after_or_zero(5, 5)
    assert after_or_zero(None, None)  # upstream returns t1.IsZero(); callers never pass two equal times


def test_logarithmic_rank_diff() -> None:
    # 5 h and 8 h: one power-of-two bucket of nanoseconds (2^44 ns is about 4.9 h); 2 h is younger.
    assert logarithmic_rank_diff(NOW - 5 * HOUR, NOW - 8 * HOUR, NOW) == 0
    assert logarithmic_rank_diff(NOW - 2 * HOUR, NOW - 5 * HOUR, NOW) < 0
    assert logarithmic_rank_diff(NOW, NOW - HOUR, NOW) < 0  # age 0 is rank -1
    assert logarithmic_rank_diff(NOW + 1, NOW, NOW) == 0  # both -1 (a time after now)


# -------------------------------------------------- TestSortingActivePods (verbatim, "Sorts by active pod")


def test_sorting_active_pods() -> None:
    """controller_utils_test.go TestSortingActivePods: 20 random permutations sort to wantOrder."""
    clocks = {
        "runningNoLastTransitionTime": PodClock(),
        "runningWithLastTransitionTime": PodClock(ready_since=NOW),
        "runningLongerTime": PodClock(ready_since=THEN_1_MONTH),
        "lowerContainerRestartCount": PodClock(created=NOW, ready_since=THEN_1_MONTH),
        "oldest": PodClock(created=THEN_1_MONTH, ready_since=THEN_1_MONTH),
    }
    pods = [
        pod("unscheduled", node=None, phase="Pending"),
        pod("scheduledButPending", node="bar", phase="Pending"),
        pod("unknownPhase", node="foo", phase="Unknown"),
        pod("runningButNotReady", node="foo", phase="Running", ready=False),
        pod("runningNoLastTransitionTime", node="foo", restarts=3),
        pod("runningWithLastTransitionTime", node="foo", restarts=3),
        pod("runningLongerTime", node="foo", restarts=3),
        pod("lowerContainerRestartCount", node="foo", restarts=2),
        pod("oldest", node="foo", restarts=2),
    ]
    want = [p.name for p in pods]

    def less(a: Pod, b: Pod) -> bool:
        return active_pods_less(a, b, clocks.get(a.name, PodClock()), clocks.get(b.name, PodClock()))

    rng = random.Random(20)
    for _ in range(20):
        shuffled = pods[:]
        rng.shuffle(shuffled)
        assert _sorted(shuffled, less) == want


# ------------------------------------------- TestSortingActivePodsWithRanks (verbatim, LogarithmicScaleDown on)


def _ranked_pod(name: str, node_name: str, phase: str, ready: bool, restarts: int, ready_since: int | None,
                created: int | None, annotations: dict[str, str] | None = None) -> tuple[Pod, PodClock]:
    """Upstream's local ``pod`` helper: no UID (all ""), container statuses only when ready."""
    p = pod(name, node=node_name or None, phase=phase, ready=ready, restarts=restarts if ready else 0,
            annotations=annotations)
    return replace(p, uid=""), PodClock(created=created, ready_since=ready_since if ready else None)


_THEN_2H, _THEN_5H, _THEN_8H = NOW - 2 * HOUR, NOW - 5 * HOUR, NOW - 8 * HOUR
_RP = {
    "unscheduledPod": _ranked_pod("unscheduled", "", "Pending", False, 0, None, None),
    "scheduledPendingPod": _ranked_pod("pending", "node", "Pending", False, 0, None, None),
    "unknownPhasePod": _ranked_pod("unknown-phase", "node", "Unknown", False, 0, None, None),
    "runningNotReadyPod": _ranked_pod("not-ready", "node", "Running", False, 0, None, None),
    "runningReadyNoLastTransitionTimePod": _ranked_pod("ready-no-last-transition-time", "node", "Running", True, 0, None, None),
    "runningReadyNow": _ranked_pod("ready-now", "node", "Running", True, 0, NOW, NOW),
    "runningReadyThen": _ranked_pod("ready-then", "node", "Running", True, 0, THEN_1_MONTH, THEN_1_MONTH),
    "runningReadyNowHighRestarts": _ranked_pod("ready-high-restarts", "node", "Running", True, 9001, NOW, NOW),
    "runningReadyNowCreatedThen": _ranked_pod("ready-now-created-then", "node", "Running", True, 0, NOW, THEN_1_MONTH),
    "lowPodDeletionCost": _ranked_pod("low-deletion-cost", "node", "Running", True, 0, NOW, THEN_1_MONTH, {POD_DELETION_COST: "10"}),
    "highPodDeletionCost": _ranked_pod("high-deletion-cost", "node", "Running", True, 0, NOW, THEN_1_MONTH, {POD_DELETION_COST: "100"}),
    "unscheduled5Hours": _ranked_pod("unscheduled-5-hours", "", "Pending", False, 0, _THEN_5H, _THEN_5H),
    "unscheduled8Hours": _ranked_pod("unscheduled-10-hours", "", "Pending", False, 0, _THEN_8H, _THEN_8H),
    "ready2Hours": _ranked_pod("ready-2-hours", "", "Running", True, 0, _THEN_2H, THEN_1_MONTH),
    "ready5Hours": _ranked_pod("ready-5-hours", "", "Running", True, 0, _THEN_5H, THEN_1_MONTH),
    "ready10Hours": _ranked_pod("ready-10-hours", "", "Running", True, 0, _THEN_8H, THEN_1_MONTH),
}

_EQUALITY = [
    ("unscheduledPod", None), ("scheduledPendingPod", None), ("unknownPhasePod", None), ("runningNotReadyPod", None),
    ("runningReadyNowCreatedThen", None), ("runningReadyNow", None), ("runningReadyThen", None),
    ("runningReadyNowHighRestarts", None), ("runningReadyNowCreatedThen", None),
    ("unscheduled5Hours", "unscheduled8Hours"), ("ready5Hours", "ready10Hours"),
]


def _less(a: str, ra: int, b: str, rb: int, *, cost: bool = True, log: bool = True) -> bool:
    (pa, ca), (pb, cb) = _RP[a], _RP[b]
    return active_pods_with_ranks_less(pa, pb, ra, rb, ca, cb, NOW, pod_deletion_cost=cost, logarithmic_scale_down=log)


@pytest.mark.parametrize(("p1", "p2"), _EQUALITY, ids=[f"Equality tests {i}" for i in range(len(_EQUALITY))])
def test_sorting_active_pods_with_ranks_equality(p1: str, p2: str | None) -> None:
    p2 = p2 or p1
    assert not _less(p1, 1, p2, 1) and not _less(p2, 1, p1, 1)
    # the abstraction ties them too (it may order them either way)
    assert deletion_class_key(_RP[p1][0], 1) == deletion_class_key(_RP[p2][0], 1)


_INEQUALITY = [
    # (lesser, rank, greater, rank, disablePodDeletioncost)
    ("unscheduledPod", 1, "scheduledPendingPod", 2, False),
    ("unscheduledPod", 2, "scheduledPendingPod", 1, False),
    ("scheduledPendingPod", 1, "unknownPhasePod", 2, False),
    ("unknownPhasePod", 1, "runningNotReadyPod", 2, False),
    ("runningNotReadyPod", 1, "runningReadyNoLastTransitionTimePod", 1, False),
    ("runningReadyNoLastTransitionTimePod", 1, "runningReadyNow", 1, False),
    ("runningReadyNow", 2, "runningReadyNoLastTransitionTimePod", 1, False),
    ("runningReadyNow", 1, "runningReadyThen", 1, False),
    ("runningReadyNow", 2, "runningReadyThen", 1, False),
    ("runningReadyNowHighRestarts", 1, "runningReadyNow", 1, False),
    ("runningReadyNow", 2, "runningReadyNowHighRestarts", 1, False),
    ("runningReadyNow", 1, "runningReadyNowCreatedThen", 1, False),
    ("runningReadyNowCreatedThen", 2, "runningReadyNow", 1, False),
    ("lowPodDeletionCost", 2, "highPodDeletionCost", 1, False),
    ("highPodDeletionCost", 2, "lowPodDeletionCost", 1, True),
    ("ready2Hours", 1, "ready5Hours", 1, False),
]
#: rows the abstraction leaves open: a clock with both times in one power-of-two bucket (the UIDs
#: decide) exists for each; every other row is decided by rules 1-5 alone, and the abstraction agrees
_CLOCK_DECIDED = {5, 7, 9, 11, 15}


@pytest.mark.parametrize(
    ("lesser", "lr", "greater", "gr", "no_cost"), _INEQUALITY, ids=[f"Inequality tests {i}" for i in range(len(_INEQUALITY))]
)
def test_sorting_active_pods_with_ranks_inequality(lesser: str, lr: int, greater: str, gr: int, no_cost: bool) -> None:
    assert _less(lesser, lr, greater, gr, cost=not no_cost)
    assert not _less(greater, gr, lesser, lr, cost=not no_cost)
    row = _INEQUALITY.index((lesser, lr, greater, gr, no_cost))
    lo = deletion_class_key(_RP[lesser][0], lr, pod_deletion_cost=not no_cost)
    hi = deletion_class_key(_RP[greater][0], gr, pod_deletion_cost=not no_cost)
    if row in _CLOCK_DECIDED:
        assert lo == hi  # only upstream's clock (and the UIDs) orders these two
    else:
        assert lo < hi


def test_without_logarithmic_scale_down_times_compare_strictly() -> None:
    """The gate off (possible up to v1.30): 5 h and 8 h are no longer equal; newer first."""
    assert _less("unscheduled5Hours", 1, "unscheduled8Hours", 1, log=False)
    assert not _less("unscheduled8Hours", 1, "unscheduled5Hours", 1, log=False)
    assert _less("ready5Hours", 1, "ready10Hours", 1, log=False)


def test_one_bit_model_still_separates_5_and_8_hours() -> None:
    """The default (``time: abstract``) key is unchanged: the issue's example of what it gets wrong."""
    a, b = _RP["unscheduled5Hours"][0], _RP["unscheduled8Hours"][0]
    assert active_pods_with_ranks_key(replace(a, creation_index=2), 1) != active_pods_with_ranks_key(replace(b, creation_index=1), 1)
    assert deletion_class_key(a, 1) == deletion_class_key(b, 1)


# ------------------------------------------------------ the abstraction against every clock

MIN_READY = 10  # seconds: minReadySeconds of the owner, what ready_elapsed is measured against


def _random_pods(rng: random.Random, n: int) -> list[Pod]:
    pods = []
    for i in range(n):
        ready = rng.random() < 0.6
        phase = "Running" if ready else rng.choice(["Pending", "Running", "Unknown"])
        pods.append(pod(
            f"p{i}", node=rng.choice([None, "n1", "n2"]) if phase == "Pending" else rng.choice(["n1", "n2"]),
            phase=phase, ready=ready, restarts=rng.choice([0, 0, 1, 3]), ready_elapsed=ready and rng.random() < 0.5,
            creation_index=i, annotations={POD_DELETION_COST: "5"} if rng.random() < 0.15 else None,
        ))
    rng.shuffle(pods)
    return pods


def _clock_sort(pods: list[Pod], clocks: dict[str, PodClock], now: int) -> list[Pod]:
    ranks = dict(zip((p.name for p in pods), get_pods_ranked_by_related_pods_on_same_node(pods, pods)))

    def cmp(a: Pod, b: Pod) -> int:
        ca, cb = clocks[a.name], clocks[b.name]
        if active_pods_with_ranks_less(a, b, ranks[a.name], ranks[b.name], ca, cb, now):
            return -1
        return 1 if active_pods_with_ranks_less(b, a, ranks[b.name], ranks[a.name], cb, ca, now) else 0

    return sorted(pods, key=cmp_to_key(cmp))


def _random_clock(rng: random.Random, pods: list[Pod]) -> dict[str, PodClock]:
    """A clock consistent with the state: creation in creation_index order, Ready after creation,
    ready_elapsed iff Ready for at least MIN_READY; ages log-uniform from 1 ms to 10 days."""
    clocks: dict[str, PodClock] = {}
    age = 0
    for p in sorted(pods, key=lambda p: -p.creation_index):  # newest first: ages grow
        age += int(10 ** rng.uniform(6, 15))
        created = NOW - age
        ready_since = None
        if p.conditions.ready:
            m = MIN_READY * SECOND
            lo, hi = (m, age) if p.ready_elapsed else (1, min(age, m - 1))
            if lo > hi:  # an elapsed pod created less than MIN_READY ago: make it older
                age += m
                created, hi = NOW - age, age
            ready_age = rng.randint(lo, hi)
            ready_since = NOW - ready_age
        clocks[p.name] = PodClock(created=created, ready_since=ready_since)
    return clocks


@pytest.mark.parametrize("seed", range(60))
def test_every_clock_choice_is_a_model_choice(seed: int) -> None:
    """Inclusion 1 (nothing upstream can do is missing): for sampled clocks and random UIDs the
    ``diff`` pods upstream's sort puts first are one of ``get_pods_to_delete_choices``."""
    rng = random.Random(seed)
    pods = _random_pods(rng, rng.randint(2, 6))
    diff = rng.randint(1, len(pods) - 1)
    choices = {frozenset(p.name for p in c) for c in get_pods_to_delete_choices(pods, pods, diff)}
    for _ in range(40):
        uids = rng.sample(range(1000), len(pods))
        with_uids = [replace(p, uid=f"{u:04d}") for p, u in zip(pods, uids)]
        clocks = _random_clock(rng, with_uids)
        got = frozenset(p.name for p in _clock_sort(with_uids, clocks, NOW)[:diff])
        assert got in choices


def _witness_clock(pods: list[Pod]) -> dict[str, PodClock]:
    """Every creation and Ready time in the one power-of-two age bucket that holds MIN_READY
    (10 s = 1e10 ns is never a power of two): [2^33, 2^34) ns; creation older than Ready, creation
    in creation_index order, Ready since at least MIN_READY iff ready_elapsed."""
    m = MIN_READY * SECOND
    lo, hi = 2 ** int(math.log2(m)), 2 ** (int(math.log2(m)) + 1)
    clocks = {}
    by_age = sorted(pods, key=lambda p: p.creation_index)  # oldest first
    for i, p in enumerate(by_age):
        created_age = hi - 1 - i * 1000
        ready_age = (m + i * 1000) if p.ready_elapsed else (lo + i * 1000)
        assert lo <= ready_age < created_age < hi and (ready_age >= m) == p.ready_elapsed
        clocks[p.name] = PodClock(created=NOW - created_age, ready_since=NOW - ready_age if p.conditions.ready else None)
    return clocks


@pytest.mark.parametrize("seed", range(60))
def test_every_model_choice_is_a_clock_choice(seed: int) -> None:
    """Inclusion 2 (the model adds nothing upstream cannot do): for each choice, a clock (all
    times in one bucket) and UIDs (the chosen pods' first) under which upstream picks exactly it."""
    rng = random.Random(1000 + seed)
    pods = _random_pods(rng, rng.randint(2, 6))
    diff = rng.randint(1, len(pods) - 1)
    for choice in get_pods_to_delete_choices(pods, pods, diff):
        chosen = {p.name for p in choice}
        with_uids = [replace(p, uid=("a-" if p.name in chosen else "b-") + p.name) for p in pods]
        got = {p.name for p in _clock_sort(with_uids, _witness_clock(with_uids), NOW)[:diff]}
        assert got == chosen


def test_choices_shape() -> None:
    """Forced pods (a lower class) are in every choice; the boundary class gives C(n, k) choices."""
    owner_pods = [
        pod("unscheduled", node=None, phase="Pending", creation_index=1),
        pod("a", node="n1", creation_index=2),
        pod("b", node="n2", ready_elapsed=True, creation_index=3),
        pod("c", node="n3", restarts=5, creation_index=4),
    ]
    choices = get_pods_to_delete_choices(owner_pods, owner_pods, 2)
    assert [[p.name for p in c] for c in choices] == [["unscheduled", "a"], ["unscheduled", "b"], ["unscheduled", "c"]]
    assert get_pods_to_delete_choices(owner_pods, owner_pods, 4) == (tuple(owner_pods),)  # all go: no sort
    assert get_pods_to_delete_choices(owner_pods, owner_pods, 0) == ((),)
    with pytest.raises(ModelError):
        get_pods_to_delete_choices(owner_pods, owner_pods, 5)
    # get_pods_to_delete(choice=k) walks them; past the last it repeats the first
    assert [get_pods_to_delete(owner_pods, owner_pods, 2, choice=k) for k in range(4)] == [*choices, choices[0]]
    # the one-bit default picks one of them (not elapsed, then more restarts: "c")
    assert get_pods_to_delete(owner_pods, owner_pods, 2) in choices


def test_not_ready_pods_keep_the_restart_order() -> None:
    """Rule 7 comes before every time rule for two not-ready pods: more restarts always go first."""
    ps = [pod("few", ready=False, phase="Running", restarts=1), pod("many", ready=False, phase="Running", restarts=4)]
    assert [[p.name for p in c] for c in get_pods_to_delete_choices(ps, ps, 1)] == [["many"]]


# -------------------------------------------------------------------------- in the transition system


def _explore(system: KubeSystem) -> tuple[int, int, list[tuple[str, str]]]:
    """(states, transitions, (pod, "elapsed" when it was available and a Ready pod not yet available
    is kept, else "other") for each pod a ReplicaSet step deletes)."""
    init = system.init_states()
    seen, queue, transitions, deleted = set(init), deque(init), 0, []
    while queue:
        s = queue.popleft()
        for action, t in system.successors(s):
            transitions += 1
            if action.actor.startswith("replicaset/"):
                for p in s.cluster.pods.values():
                    q = t.cluster.pods.get((p.namespace, p.name))
                    if p.deletion_timestamp is None and q is not None and q.deletion_timestamp is not None:
                        kept_unavailable = any(
                            o.conditions.ready and not o.ready_elapsed and o.deletion_timestamp is None
                            for o in t.cluster.pods.values()
                        )
                        deleted.append((p.name, "elapsed" if p.ready_elapsed and kept_unavailable else "other"))
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen), transitions, deleted


def _scale_down(time: str) -> KubeSystem:
    """ReplicaSet ``web`` (minReadySeconds 10) with two Ready pods, one past minReadySeconds and
    one not yet, scaled to 1."""
    base = Scenario(cluster(node(), node("node-2"), rs(replicas=2, min_ready=MIN_READY)), name="time")
    start = settle_first_fair(base)
    first = sorted(start.pods.values(), key=lambda p: p.name)[0]
    start = start.put(replace(first, ready_elapsed=False))
    return KubeSystem(replace(base, initial=start, time=time, user_actions=(ScaleWorkload("ReplicaSet", "web", 1),)))


def test_ordered_time_deletes_an_available_pod_the_one_bit_model_keeps() -> None:
    """Upstream (LogarithmicScaleDown) may delete the available pod and keep the one not yet
    available (Ready 11 s and 9 s ago share the 2^33 ns bucket: the UIDs decide); the one-bit
    model always deletes the one not yet available."""
    _, _, abstract = _explore(_scale_down("abstract"))
    _, _, ordered = _explore(_scale_down("ordered"))
    assert abstract and {e for _, e in abstract} == {"other"}
    assert {e for _, e in ordered} == {"elapsed", "other"}


def test_golden_counts_time_ordered() -> None:
    """State-space cost of ``time: ordered`` (docs/performance.md): the abstract mode is unchanged."""
    assert _explore(_scale_down("abstract"))[:2] == (32, 48)
    assert _explore(_scale_down("ordered"))[:2] == (66, 117)


def test_scenario_rejects_an_unknown_time_mode() -> None:
    with pytest.raises(ModelError, match="time 'sometimes'"):
        Scenario(cluster(node()), time="sometimes")


def test_the_one_bit_pick_misses_clock_choices() -> None:
    """The default (``time: abstract``) pick is one choice; sampled clocks reach others."""
    rng = random.Random(7)
    missed = 0
    for _ in range(30):
        pods = [pod(f"r{i}", node=f"n{i}", ready_elapsed=i % 2 == 0, creation_index=i) for i in range(3)]
        default = frozenset(p.name for p in get_pods_to_delete(pods, pods, 1))
        uids = rng.sample(range(1000), 3)
        with_uids = [replace(p, uid=f"{u:04d}") for p, u in zip(pods, uids)]
        got = frozenset(p.name for p in _clock_sort(with_uids, _random_clock(rng, with_uids), NOW)[:1])
        missed += got != default
    assert missed > 0


def _one_available(system: KubeSystem) -> list[object]:
    from kubecheck.core import invariant

    def holds(s: object) -> bool:
        pods = s.cluster.pods.values()  # type: ignore[attr-defined]
        return any(p.conditions.ready and p.ready_elapsed and p.deletion_timestamp is None for p in pods)

    return [invariant("ONE-AVAILABLE", "some live pod is available", holds,
                      reads=frozenset({("Pod", "conditions"), ("Pod", "ready_elapsed"), ("Pod", "deletion_timestamp")}))]


@pytest.mark.parametrize("por", [False, True])
def test_availability_loss_is_found_only_with_ordered_time(por: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: "some pod stays available" HOLDS with the one-bit model and is VIOLATED with
    ``time: ordered`` (the available pod may go first); partial-order reduction (its footprints
    read the chosen victim set) keeps both verdicts."""
    from kubecheck.core import Verdict
    from kubecheck.core.explorer import explore
    from kubecheck.core.por import POR_CHECK_ENV
    from model.footprint import FOOTPRINT_CHECK_ENV, PorSystem

    monkeypatch.setenv(FOOTPRINT_CHECK_ENV, "1")
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    verdicts = {}
    for time in ("abstract", "ordered"):
        system = PorSystem(_scale_down(time).scenario)
        result = explore(system, _one_available(system), por=por, progress="off")
        verdicts[time] = result.results[0].verdict
        assert result.complete or verdicts[time] is Verdict.VIOLATED  # a violation ends the search
    assert verdicts == {"abstract": Verdict.HOLDS, "ordered": Verdict.VIOLATED}
