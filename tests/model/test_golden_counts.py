"""Golden state-space fingerprints of the Kubernetes transition system (model.system.KubeSystem).

Every number here was recorded on the model *before* the hot-path optimisations of
docs/performance.md ("Model hot path"); a speedup that changes any of them changed the model's
semantics.  For each scenario and setting the test compares

* the distinct states and transitions of a BFS (with symmetry: distinct representatives),
* a SHA-256 over the labelled state graph in BFS order: for every expanded state, every
  successor's actor, label, fairness, fairness key, data and the discovery index of its target,
  so the successor *order*, the labels and the graph shape must all be unchanged,
* a SHA-256 over :func:`stable_repr` of the first states in BFS order (the states' contents, not just shape),
* the verdicts and counts of ``kubecheck.core.explorer.explore`` (deadlock check on) for the fast ones.

``repr`` and the action fields are deterministic across processes (no ``hash()`` of strings), so
the digests are stable under ``PYTHONHASHSEED``.  The bigger explorations are marked ``slow``.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import MISSING, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Callable

import pytest

from model.environment import DeleteObject, FaultBudget, ScaleWorkload, SetImage
from model.frozen import FrozenMap
from model.objects import Node
from model.state import ClusterState
from model.system import KubeSystem, Scenario, SystemState

from tests.model.builders_runtime import cluster, deployment, node, rs, settle_first_fair, statefulset_db, template

#: How many states (BFS order) enter the content digest.
CONTENT_PREFIX = 300


def stable_repr(value: Any) -> str:
    """``repr`` that leaves out dataclass fields holding their default, so a field added later with a
    default (an additive model change) does not move the content digest."""
    if is_dataclass(value) and not isinstance(value, type):
        parts = []
        for f in fields(value):
            v = getattr(value, f.name)
            if not f.compare:
                continue
            if f.default is not MISSING and v == f.default:
                continue
            if f.default_factory is not MISSING and v == f.default_factory():
                continue
            parts.append(f"{f.name}={stable_repr(v)}")
        return f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, tuple):
        return "(" + ", ".join(stable_repr(v) for v in value) + ")"
    if isinstance(value, FrozenMap):
        return "{" + ", ".join(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in value.items()) + "}"
    return repr(value)


def fingerprint(system: KubeSystem, symmetry: bool) -> tuple[int, int, str, str]:
    """(states, transitions, graph digest, content digest) of a full BFS, as the explorer walks it."""
    key: Callable[[SystemState], Any] = system.canonical if symmetry else (lambda s: s)
    init = system.init_states()
    index: dict[Any, int] = {}
    queue: deque[SystemState] = deque()
    for s in init:
        k = key(s)
        if k not in index:
            index[k] = len(index)
            queue.append(s)
    graph = hashlib.sha256()
    content = hashlib.sha256()
    for s in list(queue)[:CONTENT_PREFIX]:
        content.update(stable_repr(s).encode())
    transitions = 0
    while queue:
        s = queue.popleft()
        for a, t in system.successors(s):
            transitions += 1
            k = key(t)
            i = index.get(k)
            if i is None:
                i = index[k] = len(index)
                queue.append(t)
                if i < CONTENT_PREFIX:
                    content.update(stable_repr(t).encode())
            graph.update(f"{a.actor}|{a.label}|{a.fair}|{a.fairness_key!r}|{a.data!r}|{i};".encode())
        graph.update(b"/")
    return len(index), transitions, graph.hexdigest()[:16], content.hexdigest()[:16]


# ---------------------------------------------------------------------------- scenarios


def rollout(granularity: str) -> KubeSystem:
    """examples/web-deployment.yaml (3 replicas, maxSurge 1, maxUnavailable 0, minReadySeconds,
    readiness probe) on one node, settled, then one ``set image``."""
    from model.manifests import load_manifests

    path = Path(__file__).resolve().parents[2] / "examples" / "web-deployment.yaml"
    start = load_manifests([str(path)]).to_state().put(Node(name="node-1", uid="node-uid-1"))
    base = Scenario(initial=start, granularity=granularity, name="golden-rollout")  # type: ignore[arg-type]
    settled = settle_first_fair(base)
    return KubeSystem(replace(base, initial=settled, user_actions=(SetImage(kind="Deployment", name="web", image="nginx:2"),)))


def _rollout(replicas: int, surge: int, unavailable: int, granularity: str) -> KubeSystem:
    base = Scenario(cluster(node(), deployment(replicas=replicas, surge=surge, unavailable=unavailable)), granularity=granularity, name="golden-rollout-n")  # type: ignore[arg-type]
    return KubeSystem(replace(base, initial=settle_first_fair(base), user_actions=(SetImage("Deployment", "web", "nginx:2"),)))


def rollout_small(granularity: str) -> KubeSystem:
    """A 2-replica Deployment (maxSurge 1, maxUnavailable 0), settled, one ``set image``."""
    return _rollout(2, 1, 0, granularity)


def rollout_unavailable(granularity: str) -> KubeSystem:
    """A 2-replica Deployment (maxSurge 0, maxUnavailable 1), settled, one ``set image``."""
    return _rollout(2, 0, 1, granularity)


def sts_scale(granularity: str) -> KubeSystem:
    """StatefulSet with a PVC template scaled 0 -> 3 (OrderedReady), from the start."""
    return KubeSystem(
        Scenario(cluster(node(), statefulset_db(0)), user_actions=(ScaleWorkload("StatefulSet", "db", 3),), granularity=granularity)  # type: ignore[arg-type]
    )


def rs_crash(granularity: str) -> KubeSystem:
    """tests/model/test_scenarios.py: a 2-replica ReplicaSet from scratch with one container crash."""
    return KubeSystem(Scenario(cluster(node(), rs(replicas=2)), faults=FaultBudget(container_crash=1), granularity=granularity))  # type: ignore[arg-type]


def node_failure(granularity: str) -> KubeSystem:
    """A 1-replica ReplicaSet and a 1-replica StatefulSet on node-a, node-b spare; node-a fails once
    and a pod may be force-deleted once (from the settled cluster)."""
    base = Scenario(cluster(node("node-a"), node("node-b"), rs(replicas=1), statefulset_db(1)), granularity=granularity, name="golden-nf")  # type: ignore[arg-type]
    return KubeSystem(replace(base, initial=settle_first_fair(base), faults=FaultBudget(node_failure=1, force_delete=1)))


def crash_stale(granularity: str) -> KubeSystem:
    """A 2-replica ReplicaSet scaled to 1 with stale reads and a controller crash mid-reconcile."""
    base = Scenario(cluster(node(), rs(replicas=2)), granularity=granularity, stale_reads=True, name="golden-stale")  # type: ignore[arg-type]
    return KubeSystem(
        replace(base, initial=settle_first_fair(base), user_actions=(ScaleWorkload("ReplicaSet", "web", 1),), faults=FaultBudget(controller_crash=1))
    )


def cascade_delete(granularity: str) -> KubeSystem:
    """A settled 2-replica Deployment deleted with foreground and orphan cascades (the GC's paths)."""
    base = Scenario(cluster(node(), deployment(replicas=2)), granularity=granularity, name="golden-gc")  # type: ignore[arg-type]
    return KubeSystem(
        replace(
            base,
            initial=settle_first_fair(base),
            user_actions=(DeleteObject("Deployment", "web", propagation="Foreground"), DeleteObject("ReplicaSet", "web", propagation="Orphan")),
        )
    )


BUILDERS: dict[str, Callable[[str], KubeSystem]] = {
    "rollout": rollout,
    "rollout_small": rollout_small,
    "rollout_unavailable": rollout_unavailable,
    "sts_scale": sts_scale,
    "rs_crash": rs_crash,
    "node_failure": node_failure,
    "crash_stale": crash_stale,
    "cascade_delete": cascade_delete,
}

#: (scenario, granularity, symmetry) -> (states, transitions, graph digest, content digest).
#:
#: Re-recorded after the review fixes (each attributed by switching the fixes off one at a time: with
#: all five off, every old value was reproduced exactly; every other entry is unchanged):
#:
#: * cascade_delete (all four): 80/185 -> 154/412 states/transitions (65/156 -> 125/347 with symmetry),
#:   entirely from fix 2 (the first Delete bumps ``generation``, store.go markAsDeleting).  The
#:   Deployment deleted with ``Foreground`` now has generation > observedGeneration while the
#:   ``foregroundDeletion`` finalizer holds it, so the deployment controller's syncStatusOnly
#:   (``d.DeletionTimestamp != nil``) writes observedGeneration once more; that extra
#:   ``dc_update_status`` step interleaves with the GC's foreground cascade, the ReplicaSet
#:   controller and the kubelets (``dc_update_status`` transitions while the Deployment is deleting:
#:   36 -> 94).  The Orphan delete of ReplicaSet "web" never applies (the RS is "web-<hash>").
#: * node_failure, write (both): 6349/17694 -> 4655/12594 (5203/14703 -> 4007/10974 with
#:   symmetry), entirely from fix 1 (identifiers mentioned by pending writes are reserved).  In the
#:   old graph 22 Create transitions handed out an identifier a pending node-lifecycle write still
#:   named (16 ``rs_create_pod`` re-creating ``web-1`` with its dead UID and name, 6
#:   ``ssc_create_pod`` re-creating ``db-0`` with its dead UID, each after the ``force_delete``
#:   fault while ``nlc`` held a stale mark-NotReady / delete), so the stale write then hit the new
#:   incarnation.  Now it fails (Conflict / NotFound) and ends that reconcile, and the wrong
#:   branches below it are gone.  Reserving only pending UIDs gives 4706 states; reserving the
#:   names too lets "re-create while a stale write names web-1" converge with "re-create while
#:   web-1 is still Terminating" (both name the new pod web-2): 4655.  Reserving the pre-step
#:   cluster alone changes nothing here (same digest as before).  The reconcile-granularity
#:   node_failure entries do not change: there a reconcile has no pending tail.
GOLDEN: dict[tuple[str, str, bool], tuple[int, int, str, str]] = {
    ("rs_crash", "write", False): (236, 530, "a5d9ca5eccce7139", "ac0c8b3a0264bef1"),
    ("rs_crash", "write", True): (166, 384, "19efe1082aaf4f63", "fcf7e3ebfee2b0da"),
    ("rs_crash", "reconcile", False): (173, 373, "d5291d50f5b12aea", "b35cfb92db006f12"),
    ("rs_crash", "reconcile", True): (119, 265, "1e2da4ffbe2ead29", "3a56c9a4cfbcc098"),
    ("sts_scale", "write", False): (62, 90, "c328a3bf2561f5c6", "0f49b45ea98df027"),
    ("sts_scale", "write", True): (62, 90, "c328a3bf2561f5c6", "0f49b45ea98df027"),
    ("sts_scale", "reconcile", False): (29, 38, "2a4a5a0e9ebad415", "c9f8d4f36082b191"),
    ("sts_scale", "reconcile", True): (29, 38, "2a4a5a0e9ebad415", "c9f8d4f36082b191"),
    ("crash_stale", "write", False): (31, 49, "df583b34a654528f", "718f70e87776cc27"),
    ("crash_stale", "write", True): (31, 49, "df583b34a654528f", "718f70e87776cc27"),
    ("crash_stale", "reconcile", False): (14, 20, "f1c15b640525f608", "a5799ad8baec1d99"),
    ("crash_stale", "reconcile", True): (14, 20, "f1c15b640525f608", "a5799ad8baec1d99"),
    ("cascade_delete", "write", False): (154, 412, "2e2ced14347f3879", "73fcbcc6642bc405"),
    ("cascade_delete", "write", True): (125, 347, "bdf1e5bbc93baf31", "039a8b8491f6e8ce"),
    ("cascade_delete", "reconcile", False): (154, 412, "2e2ced14347f3879", "73fcbcc6642bc405"),
    ("cascade_delete", "reconcile", True): (125, 347, "bdf1e5bbc93baf31", "039a8b8491f6e8ce"),
    ("rollout_small", "write", False): (1228, 3126, "a9b3a9f2bb2b93b0", "4f6e6297bdbf1211"),
    ("rollout_small", "write", True): (644, 1754, "3d697cce6dd1f315", "60472349ecf47cd8"),
    ("rollout_small", "reconcile", False): (442, 990, "3c73a2ffe42ced2a", "d1a1bdee1bac1c71"),
    ("rollout_small", "reconcile", True): (250, 609, "4e5ce7bd33f7ad94", "f694cb71529f7c99"),
    ("node_failure", "reconcile", False): (1507, 3443, "7f97f28cb7075162", "257c46ea01a58260"),
    ("node_failure", "reconcile", True): (1332, 3088, "a82eff9b554cbdb2", "257c46ea01a58260"),
    # slow ones
    ("node_failure", "write", False): (4655, 12594, "cecfc50ffd84d686", "f649379a81a312be"),
    ("node_failure", "write", True): (4007, 10974, "75c9efe83199153b", "f649379a81a312be"),
    ("rollout_unavailable", "write", False): (8135, 23537, "1fcb54c5e1feb46a", "2cf9b2d70b7dc42b"),
    ("rollout_unavailable", "write", True): (1897, 6198, "7fba1bdecc732d91", "3964fcfbbc9328ae"),
    ("rollout_unavailable", "reconcile", False): (3942, 10535, "b4b963a0e0600c90", "bf5ab516af27f21d"),
    ("rollout_unavailable", "reconcile", True): (720, 2213, "d7c28d1a46274935", "47a278781be9184a"),
    ("rollout", "write", False): (21452, 64725, "8baaa61603ec63b7", "8f2bdbd0b254d9c3"),
    ("rollout", "write", True): (3004, 10218, "8783bc2d1baaa450", "9522408d7c6f01d9"),
    ("rollout", "reconcile", False): (8573, 24093, "eb6b40f66a799891", "bb30d35d6d05febb"),
    ("rollout", "reconcile", True): (1267, 4057, "5826592babb793a6", "73de6c6a89de9f85"),
}

#: Entries that take more than a few seconds.
SLOW: frozenset[tuple[str, str, bool]] = frozenset(
    k for k in GOLDEN if k[0] in ("rollout", "rollout_unavailable") or (k[0] == "node_failure" and k[1] == "write")
)


def _params() -> list[Any]:
    return [
        pytest.param(k, id=f"{k[0]}-{k[1]}-{'sym' if k[2] else 'nosym'}", marks=[pytest.mark.slow] if k in SLOW else [])
        for k in GOLDEN
    ]


@pytest.mark.parametrize("key", _params())
def test_state_space_fingerprint_is_unchanged(key: tuple[str, str, bool]) -> None:
    name, granularity, symmetry = key
    assert fingerprint(BUILDERS[name](granularity), symmetry) == GOLDEN[key]


def test_pinned_rs_crash_counts_match_test_scenarios() -> None:
    assert GOLDEN[("rs_crash", "write", False)][0] == 236
    assert GOLDEN[("rs_crash", "write", True)][0] == 166


@pytest.mark.parametrize("name", ["rs_crash", "sts_scale", "crash_stale"])
def test_explorer_agrees_with_the_fingerprint_and_finds_no_deadlock(name: str) -> None:
    from kubecheck.core.explorer import explore
    from kubecheck.core.verdict import Verdict

    system = BUILDERS[name]("write")
    result = explore(system, [], check_deadlock=True)
    states, transitions, _, _ = GOLDEN[(name, "write", False)]
    assert result.complete
    assert (result.stats.states, result.stats.transitions) == (states, transitions)
    assert result.result("KC-DEADLOCK").verdict is Verdict.HOLDS


# ------------------------------------------------------------- the hot-path machinery itself


def test_read_tracker_refuses_a_read_path_it_does_not_track() -> None:
    """A sync that reads the state through an untracked path must fail, not be memoised wrongly."""
    from model.state import ReadTracker

    tracker = ReadTracker(cluster(node()))
    with pytest.raises(AttributeError, match="read-set tracking does not cover"):
        tracker.put  # noqa: B018 - the access itself is the test


def test_read_tracker_records_point_reads_and_whole_tables() -> None:
    from model.state import ReadTracker

    c = cluster(node(), rs(replicas=1))
    tracker = ReadTracker(c)
    assert tracker.get("ReplicaSet", "default", "web") is c.get("ReplicaSet", "default", "web")
    assert tracker.get("Pod", "default", "nope") is None
    assert [d[:2] for d in tracker.dependencies()] == [("replica_sets", ("default", "web")), ("pods", ("default", "nope"))]
    tracker.objects("Pod", "default")
    # the whole pods table now subsumes the point read of a pod
    assert [d[:2] for d in tracker.dependencies()] == [("pods", None), ("replica_sets", ("default", "web"))]


def test_memoised_sync_returns_what_a_fresh_sync_returns_in_every_state() -> None:
    """Every reconcile the memo answers equals the sync run afresh on that state."""
    system = rs_crash("write")
    checked = 0
    seen = {system.init_states()[0]}
    queue = deque(seen)
    while queue:
        s = queue.popleft()
        for spec_name, sync in system._syncs.items():
            spec = next(sp for sp in __import__("model.system", fromlist=["x"])._PENDING_SPECS.values() if sp.name == spec_name)
            for key in system._controller_keys(spec, s):
                assert system._sync(spec, s.cluster, key) == sync(s.cluster, key)
                checked += 1
        for _, t in system.successors(s):
            if t not in seen:
                seen.add(t)
                queue.append(t)
    assert system.memo_stats[0] > 0 and checked > 500


def test_symmetry_renaming_with_the_atom_cache_equals_the_plain_renaming() -> None:
    from model.canonical import AtomCache, symmetry_representative

    system = node_failure("reconcile")
    cache = AtomCache(limit=50)  # small: exercise the clearing too
    seen = {system.init_states()[0]}
    queue = deque(seen)
    while queue and len(seen) < 400:
        s = queue.popleft()
        assert symmetry_representative(s, lambda x: x.cluster, cache) == symmetry_representative(s, lambda x: x.cluster)
        for _, t in system.successors(s):
            if t not in seen:
                seen.add(t)
                queue.append(t)


def test_evolve_builds_what_dataclasses_replace_builds() -> None:
    from dataclasses import replace as dc_replace

    from model.api import Create
    from model.frozen import evolve
    from tests.model.builders_runtime import running_pod

    p = running_pod("x")
    assert evolve(p, creation_index=3, node_name="n") == dc_replace(p, creation_index=3, node_name="n")
    assert evolve(Create(p), obj=None) == Create(None)  # a field named like the positional argument
    with pytest.raises(TypeError):
        evolve(p, bogus=1)
    c = cluster(node())
    # ClusterState has a non-compared field (its index cache): evolve falls back to replace itself
    assert evolve(c, next_uid=5) == dc_replace(c, next_uid=5) and evolve(c, next_uid=5).next_uid == 5


def test_frozen_map_incremental_hash_equals_a_fresh_hash() -> None:
    m: FrozenMap[tuple[str, str], int] = FrozenMap({("a", str(i)): i for i in range(6)})
    hash(m)
    for changed in (m.set(("a", "1"), 10), m.set(("b", "0"), 1), m.remove(("a", "3")), m.update({("a", "2"): 7})):
        fresh: FrozenMap[tuple[str, str], int] = FrozenMap(changed.to_dict())
        assert hash(changed) == hash(fresh) and changed == fresh
        assert list(changed) == sorted(changed)
