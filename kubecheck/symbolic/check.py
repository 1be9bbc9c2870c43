"""The count model inside ``kubecheck check``: parametric verdicts for the rollout rules.

:func:`count_verdict` decides KC-ROLL-001 / KC-ROLL-002 for one RollingUpdate Deployment under
one scenario with the Z3 count model (kubecheck/symbolic/rollout.py, prove.py), for the
manifest's exact parameters and for the family (every replicas 1..10,000 with the same maxSurge
and maxUnavailable), when the checked refinement (kubecheck/symbolic/refinement.py,
tests/symbolic/test_refinement.py) covers the scenario; otherwise it says why not.
:func:`decide_rollout_findings` applies it to the findings of a scenario whose explicit search
was cut (``holds_within_bounds``): a count-model proof turns them into ``holds`` and says which
engine decided and for which sizes; a count-model counterexample never becomes VIOLATED by
itself (the explicit verdict stays): the message gives the smallest replicas that fails and
whether the object model reproduced that run (:func:`smallest_counterexample`).

Proofs are cached on disk per parameter tuple (``$KUBECHECK_CACHE_DIR`` or
``~/.cache/kubecheck``, file ``count-proofs.json``) keyed by :data:`MODEL_VERSION` (a hash of the
count model's source) and the parameters, so a CI rerun does not call Z3.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from kubecheck.symbolic.prove import PROVED, VIOLATED, prove_rollout
from model.objects import Deployment, IntOrString

__all__ = ["RULES", "STRATEGY_RULES", "VACUOUS", "rules_for", "MODEL_VERSION", "EXPLICIT_REACH", "CountVerdict", "coverage", "count_verdict", "decide_rollout_findings",
           "decide_service_findings", "SERVICE_RULE",
           "decide_before_search", "beyond_explicit_reach", "scenario_verdict", "smallest_counterexample", "cache_dir",
           "image_changes", "scale_targets", "settled_like_count_start", "image_with_tag_facts"]

#: rule id -> the property key of prove_rollout
RULES: dict[str, str] = {"KC-ROLL-001": "min-available", "KC-ROLL-002": "max-surge", "KC-ROLL-005": "no-overlap",
                         "KC-ROLL-004": "one-available"}
#: the rule the count model decides for a Service (an interaction group's finding), not a Deployment:
#: :func:`decide_service_findings`
SERVICE_RULE = "KC-ROLL-004"
#: strategy -> the count-model rules of a Deployment with it that Z3 decides; a RollingUpdate Deployment is not
#: judged by KC-ROLL-005 and a Recreate one not by KC-ROLL-001/002 (properties/catalogue.py), so those need no proof
#: (:func:`count_verdict` decides them from the rule's definition, :data:`VACUOUS`)
STRATEGY_RULES: dict[str, tuple[str, ...]] = {"RollingUpdate": ("KC-ROLL-001", "KC-ROLL-002"), "Recreate": ("KC-ROLL-005",)}
#: (strategy, rule id) pairs the rule does not judge: they hold in every run (the scenarios the count model
#: covers never change the strategy)
VACUOUS: dict[tuple[str, str], str] = {
    ("Recreate", "KC-ROLL-001"): "KC-ROLL-001 judges only RollingUpdate Deployments (Recreate scales to zero by design: "
                                 "upstream accepts the downtime)",
    ("Recreate", "KC-ROLL-002"): "KC-ROLL-002 judges only RollingUpdate Deployments (Recreate never has two ReplicaSets "
                                 "scaled up: that is KC-ROLL-005)",
}


def rules_for(deployment: Deployment) -> tuple[str, ...]:
    """The count-model rules the count model decides for ``deployment`` (by its strategy)."""
    if deployment.strategy.type == "Recreate":
        return ("KC-ROLL-001", "KC-ROLL-002", "KC-ROLL-005")
    return STRATEGY_RULES.get(deployment.strategy.type, ())
#: the largest replicas of the family proof
FAMILY_MAX = 10_000
#: sizes searched one by one (increasing) for the smallest counterexample before a range BMC
SMALL_FIRST = 4
#: fault budgets the count model covers (each is one disruption of the count model)
COVERED_FAULTS = ("container_crash",)


def _model_version() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("rollout.py", "prove.py", "refinement.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


MODEL_VERSION = _model_version()


def cache_dir() -> Path:
    """``$KUBECHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/kubecheck``, else ``~/.cache/kubecheck``."""
    env = os.environ.get("KUBECHECK_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "kubecheck" if xdg else Path.home() / ".cache" / "kubecheck"


@dataclass(frozen=True, slots=True)
class CountVerdict:
    """The count model's answer for one rule on one Deployment in one scenario.

    ``status``: ``PROVED`` (exact parameters proved), ``VIOLATED`` (the count model has a
    counterexample at the exact parameters), ``UNKNOWN`` (timeout or no invariant), or
    ``NOT_COVERED`` (the refinement does not cover the scenario; ``message`` says why).
    """

    rule_id: str
    status: str
    message: str
    engine: str = "z3 count model (induction)"
    replicas: int = 0
    family: str = ""
    smallest: int | None = None
    replayed: bool | None = None
    seconds: float = 0.0
    cached: bool = False
    #: VIOLATED at the exact parameters: the count run (``CountState.as_tuple()`` of each state), for
    #: :func:`concretise` to follow in the object model the check explores
    counts: tuple[tuple[int, ...], ...] = ()


NOT_COVERED = "NOT_COVERED"


def coverage(deployment: Deployment, user_actions: Iterable[Any], faults: Any, granularity: str, stale_reads: bool,
             overlapping: bool = False) -> str:
    """Why the checked refinement does NOT cover this Deployment in this scenario ("" when it does).

    Covered: a RollingUpdate or Recreate Deployment, not paused, whose pods no other workload selects; user
    actions only ``kubectl set image`` (one image change of this Deployment, or two:
    :func:`image_changes`, :func:`_two_changes_why_not`); faults only
    container crashes and node failures; write or reconcile granularity; no stale
    reads; no broken image (whose readiness fails without a budget).  Recreate: the refinement is
    checked with node failures and with minReadySeconds 5 too (tests/symbolic/test_recreate_count.py).  Crashes are covered at both granularities (at
    reconcile granularity the ReplicaSet step chooses which Ready pods, crashed or healthy, it deletes:
    rollout._rs); node failures at both too (at reconcile granularity one node-lifecycle step marks or
    evicts several pods at once: rollout._node_steps ``lost_bulk``/``evict_bulk``).  minReadySeconds > 0 with a
    node failure is covered (a Ready pod not yet available is one of the count model's not-available pods;
    tests/symbolic/test_refinement.py ``test_min_ready_seconds_with_a_node_failure_refines``).
    """
    from model.environment import DeleteFailedNode, SetImage, is_broken_image

    if deployment.strategy.type not in STRATEGY_RULES:
        return f"strategy {deployment.strategy.type}: the count model has RollingUpdate and Recreate"

    if deployment.paused:
        return "the Deployment is paused"
    if overlapping:
        return "another workload's selector overlaps this Deployment's: the count model has one rollout"
    for name in ("sandbox_death", "node_recovery", "force_delete", "controller_crash", "write_failure"):
        if getattr(faults, name, 0):
            return f"fault {name} is not in the count model (only container crashes and node failures)"
    from model.environment import ScaleWorkload

    for entry in user_actions:
        ua = entry[0] if isinstance(entry, tuple) else entry
        if isinstance(ua, DeleteFailedNode):  # the node-failure operator: PodGC's removals are count steps
            continue
        if isinstance(ua, ScaleWorkload) and _is_this(ua, deployment):
            continue  # kubectl scale of this Deployment: :func:`scale_targets`
        if not isinstance(ua, SetImage):
            return f"user action {type(ua).__name__} is not in the count model (only kubectl set image and kubectl scale)"
    why = _two_changes_why_not(deployment, user_actions, faults, granularity)
    if why:
        return why
    why = _scale_why_not(deployment, user_actions, faults, granularity)
    if why:
        return why
    node_failure = bool(getattr(faults, "node_failure", 0))
    if deployment.strategy.type == "Recreate" and node_failure and image_changes(deployment, user_actions)[0] > 0:
        # the refinement holds (tests/symbolic/test_recreate_count.py), but an evicted new pod is counted in
        # ``terminating`` with the old ones, so KC-ROLL-005's count predicate fails spuriously
        return ("node failures during a Recreate rollout: the count model's terminating pods are not split by "
                "ReplicaSet, so an evicted new pod looks like an old one to KC-ROLL-005")
    if granularity not in ("write", "reconcile"):
        return f"granularity {granularity}"
    if stale_reads:
        return "stale reads are not in the count model"
    if deployment.min_ready_seconds and getattr(faults, "container_crash", 0):
        return ("minReadySeconds > 0 with container crashes: a crashed pod can become available through the "
                "minReadySeconds timer before its status write, which the count model does not have")
    if any(is_broken_image(c.image) for c in deployment.template.containers):
        return "a broken image's readiness fails without a fault budget"
    for entry in user_actions:
        ua = entry[0] if isinstance(entry, tuple) else entry
        tagged = image_with_tag_facts(ua) if isinstance(ua, SetImage) and _is_this(ua, deployment) else None
        if tagged:
            return f"kubectl set image to {tagged}, whose tag gives it image facts (readiness), is not in the count model"
    return ""


def image_with_tag_facts(set_image: Any) -> str | None:
    """The first image a ``kubectl set image`` writes whose tag gives it image facts (model.kubelet.image_facts:
    ``:broken``, a Ready pod may turn unready at any moment without a fault; ``:unready``), or None: a behaviour
    neither the count model nor the StatefulSet abstraction has (review 15)."""
    from model.frozen import EMPTY
    from model.kubelet import ImageFacts, image_facts

    return next((img for _, img in set_image.pairs() if image_facts(EMPTY, img) != ImageFacts()), None)


def image_changes(deployment: Deployment, user_actions: Iterable[Any]) -> tuple[int, str]:
    """How many template changes the scenario's ``kubectl set image`` actions make to ``deployment`` in a run
    (at most), and why the count model does not cover them ("" when it does: at most two changes, each to a
    template no ReplicaSet of the run has had).

    A ``set-image`` to the image the template already has changes nothing (model.environment: no instance);
    an image set ``count`` > 1 times is still refused (its refinement is not checked).  Two different images on a
    one-container Deployment,
    neither its current image, are two changes to three distinct templates in either order: the count
    model's ``rollover`` (a second old ReplicaSet).  A change back to an earlier template would make an old
    ReplicaSet new again (FindNewReplicaSet adopts it), which the count model does not have."""
    from model.environment import SetImage

    images: set[str] = set()
    containers: set[str | None] = set()
    times = 0
    for entry in user_actions:
        ua = entry[0] if isinstance(entry, tuple) else entry
        if isinstance(ua, SetImage) and (ua.kind, ua.namespace, ua.name) == ("Deployment", deployment.namespace,
                                                                               deployment.name):
            images.add(ua.image)
            containers.add(ua.container)
            times += entry[1] if isinstance(entry, tuple) else 1
    if times > len(images):
        return times, "more than one image change of this Deployment to the same image (not in the checked refinement)"
    if len(images) <= 1:
        return len(images), ""
    if len(images) > 2:
        return len(images), "more than two image changes of this Deployment (the count model has two old ReplicaSets)"
    current = [c.image for c in deployment.template.containers]
    if len(current) != 1 or any(c not in (None, deployment.template.containers[0].name) for c in containers):
        return 2, "two image changes of a Deployment with more than one container are not in the checked refinement"
    if current[0] in images:
        return 2, "an image change back to the current image (an old ReplicaSet adopted as new again) is not in the count model"
    return 2, ""


def _is_this(ua: Any, deployment: Deployment) -> bool:
    return (ua.kind, ua.namespace, ua.name) == ("Deployment", deployment.namespace, deployment.name)


def scale_targets(deployment: Deployment, user_actions: Iterable[Any]) -> tuple[int, ...]:
    """The spec.replicas the scenario's ``kubectl scale`` actions of ``deployment`` set, one per action (an
    action with a budget of ``n`` counts ``n`` times)."""
    from model.environment import ScaleWorkload

    out: list[int] = []
    for entry in user_actions:
        ua = entry[0] if isinstance(entry, tuple) else entry
        if isinstance(ua, ScaleWorkload) and _is_this(ua, deployment):
            out.extend([ua.replicas] * (entry[1] if isinstance(entry, tuple) else 1))
    return tuple(out)


def _scale_why_not(deployment: Deployment, user_actions: Iterable[Any], faults: Any, granularity: str) -> str:
    """:func:`coverage`'s answer for ``kubectl scale`` of this Deployment: covered where the refinement is checked
    (tests/symbolic/test_refinement.py ``SCALE_FAST``/``SCALE_SLOW``): one scale, during a RollingUpdate rollout
    (one image change), no node failure, minReadySeconds 0; at reconcile granularity at most one container crash,
    at write granularity (the proportional scaling's writes one by one: ``SCALE_WRITE_FAST``/``SCALE_WRITE_SLOW``)
    none."""
    targets = scale_targets(deployment, user_actions)
    if not targets:
        return ""
    if len(targets) > 1:
        # replicas 1, maxSurge 0, maxUnavailable 1 with a scale up and a scale down: 202,863 object states, about
        # 106 s of CPU to enumerate them, before any projection (docs/performance.md)
        return ("more than one kubectl scale of this Deployment (e.g. the scale scenario's replicas+1 and replicas-1): "
                "the refinement is checked for one scale during a rollout (two: 200k object states at replicas 1)")
    if deployment.strategy.type != "RollingUpdate":
        return "kubectl scale with strategy Recreate is not in the checked refinement"
    if image_changes(deployment, user_actions)[0] != 1:
        return "kubectl scale without exactly one image change of this Deployment is not in the count model"
    if granularity != "reconcile" and getattr(faults, "container_crash", 0) > 0:
        # the proportional scaling's writes one by one (rollout._dc_scaling write=True) are checked crash-free only
        return ("kubectl scale at write granularity with a container crash: the refinement of the proportional "
                "scaling's writes one by one is checked crash-free; use --granularity reconcile")
    if getattr(faults, "node_failure", 0):
        return "kubectl scale with a node failure is not in the checked refinement"
    if getattr(faults, "container_crash", 0) > 1:
        return "kubectl scale with more than one container crash is not in the checked refinement"
    if deployment.min_ready_seconds:
        return "kubectl scale with minReadySeconds > 0 is not in the checked refinement"
    return ""


def _two_changes_why_not(deployment: Deployment, user_actions: Iterable[Any], faults: Any, granularity: str) -> str:
    """:func:`coverage`'s answer for the image changes: two are covered only where their refinement is checked
    (RollingUpdate, no node failure, minReadySeconds 0; at most one container crash at reconcile granularity, none
    at write granularity: tests/symbolic/test_refinement.py ``TWO_FAST``/``TWO_SLOW``)."""
    n, why = image_changes(deployment, user_actions)
    if why or n <= 1:
        return why
    if deployment.strategy.type != "RollingUpdate":
        return "two image changes with strategy Recreate are not in the checked refinement"
    if granularity != "reconcile" and getattr(faults, "container_crash", 0) > 0:
        # the write-granularity refinement with two changes is checked crash-free (replicas 1 with 1/0 and 1/1, replicas
        # 2 with 1/0: pending pod Deletes; docs/semantics.md "Several old ReplicaSets"); with a crash it is not
        return ("two image changes with a container crash at write granularity are not in the checked refinement "
                "(with a crash it is checked at reconcile granularity); use --granularity reconcile")
    if getattr(faults, "node_failure", 0):
        return "two image changes with a node failure are not in the checked refinement"
    if getattr(faults, "container_crash", 0) > 1:
        return "two image changes with more than one container crash are not in the checked refinement"
    if deployment.min_ready_seconds:
        return "two image changes with minReadySeconds > 0 are not in the checked refinement"
    if deployment.revision_history_limit < 2:
        # cleanupDeployment would delete an old ReplicaSet (its terminating pods with it) mid-run
        return "two image changes with revisionHistoryLimit < 2 are not in the checked refinement"
    return ""


# ------------------------------------------------------------------------------------- cache


def _key(*parts: Any) -> str:
    return json.dumps([MODEL_VERSION, *parts], sort_keys=True, default=str)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _store(path: Path, key: str, value: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _load(path)
        data[key] = value
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:  # a read-only cache is no error: the proof is simply not cached
        pass


def _status(rule_id: str, replicas: tuple[int, int], surge: IntOrString, unavailable: IntOrString, crashes: int,
            granularity: str, timeout: float, cache: Path | None, node_failures: int = 0,
            rollout: bool = True, strategy: str = "RollingUpdate", rollovers: int = 0,
            scales: tuple[int, ...] = (), asked: frozenset[str] | None = None) -> tuple[str, dict[str, Any], bool]:
    """(status, details, cached) of one prove_rollout call, through the cache.

    A miss proves the asked rule and every count-model rule not cached yet in one call (the invariant
    search is shared) and caches each that is decided; ``asked`` (the rules the check judges; None: all)
    limits the others to those, so a check of one rule never waits for a proof of a rule it does not ask."""
    def key(rid: str) -> str:
        return _key("prove", rid, replicas, surge, unavailable, crashes, granularity,
                    *(() if (node_failures, rollout) == (0, True) else (node_failures, rollout)),
                    *(() if strategy == "RollingUpdate" else (strategy,)),
                    *(() if not rollovers else (("rollovers", rollovers),)),
                    *(() if not scales else (("scales", list(scales)),)))

    path = None if cache is None else cache / "count-proofs.json"
    stored = _load(path) if path is not None else {}
    hit = stored.get(key(rule_id))
    if hit is not None:
        return hit["status"], hit, True
    # the asked rule first (a long BMC for it must not leave it to a later call), then the rules not cached
    # yet; a rule the deadline cut here is not cached and gets a call of its own when it is asked
    rules = (rule_id, *(r for r in STRATEGY_RULES[strategy]
                        if r != rule_id and key(r) not in stored and (asked is None or r in asked)))
    if strategy == "Recreate":  # the rolling parameters are ignored; any pair the API server accepts
        surge, unavailable = 0, 1
    res = prove_rollout(replicas, surge, unavailable, crashes, timeout, properties=tuple(RULES[r] for r in rules),
                        granularity=granularity, replay_limit=0, node_failures=node_failures, rollout=rollout,
                        strategy=strategy, rollovers=rollovers, scale_targets=scales)
    mine: dict[str, Any] = {}
    for rid, pp in zip(rules, res.properties):
        details: dict[str, Any] = {"status": pp.status, "seconds": round(pp.seconds, 3), "message": pp.message}
        if pp.counterexample is not None:
            cex = pp.counterexample
            details.update(cex_replicas=cex.replicas, cex_steps=list(cex.actions),
                           cex_counts=[list(s.as_tuple()) for s in cex.states])
        if path is not None and pp.status in (PROVED, VIOLATED):  # a timeout is not cached
            _store(path, key(rid), details)
        if rid == rule_id:
            mine = details
    return mine["status"], mine, False


def smallest_counterexample(rule_id: str, surge: IntOrString, unavailable: IntOrString, crashes: int, granularity: str,
                            up_to: int, *, timeout: float = 60.0, replay_limit: int = 2,
                            cache: Path | None = None) -> tuple[int | None, bool | None, str]:
    """The smallest replicas in 1..``up_to`` at which the count model violates the rule (BMC at
    each size in increasing order), and whether the object model reproduces that run (attempted
    when the size is at most ``replay_limit``: the guided replay explores the object model).
    Returns (replicas or None, replayed or None, text)."""
    key = _key("smallest", rule_id, surge, unavailable, crashes, granularity, up_to, replay_limit)
    path = None if cache is None else cache / "count-proofs.json"
    if path is not None:
        hit = _load(path).get(key)
        if hit is not None:
            return hit["replicas"], hit["replayed"], hit["text"]
    # Increasing replicas 1, 2, ... (induction, then BMC, at each size) up to ``SMALL_FIRST``: the first
    # violation is the smallest size (within the BMC depth).  Beyond that, one BMC over the rest of
    # the range with Z3 Optimize (the smallest replicas among the shortest counterexamples).
    deadline = time.monotonic() + timeout
    cex = None
    complete = True
    for r in range(1, min(up_to, SMALL_FIRST) + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            complete = False
            break
        # induction first: a size where the rule holds is proved in a fraction of a second, where a
        # BMC to the full depth without a counterexample costs far more
        pp = prove_rollout(r, surge, unavailable, crashes, left, properties=(RULES[rule_id],), granularity=granularity,
                           replay_limit=replay_limit).properties[0]
        if pp.status == VIOLATED and pp.counterexample is not None:
            cex = pp.counterexample
            break
        if pp.status != VIOLATED and "timeout" in pp.message:
            complete = False
            break
    if cex is None and complete and up_to > SMALL_FIRST:
        left = deadline - time.monotonic()
        if left > 0:
            pp = prove_rollout((SMALL_FIRST + 1, up_to), surge, unavailable, crashes, left, properties=(RULES[rule_id],),
                               granularity=granularity, replay_limit=replay_limit, induction=False).properties[0]
            cex = pp.counterexample if pp.status == VIOLATED else None
    if cex is None:
        text = (f"no counterexample at replicas 1..{up_to} within the BMC depth" if complete
                else "the search for the smallest failing size ran out of time")
        if path is not None and complete:
            _store(path, key, {"replicas": None, "replayed": None, "text": text})
        return None, None, text
    replayed = cex.replayed
    how = {True: "reproduced in the object model", False: "NOT reproduced in the object model (spurious?)",
           None: "not replayed"}[replayed]
    which = ("smallest failing size" if cex.replicas <= SMALL_FIRST else
             f"no failure at replicas 1..{SMALL_FIRST} within the BMC depth; smallest among the shortest counterexamples")
    text = (f"{which} replicas = {cex.replicas} ({len(cex.actions)} count steps: {', '.join(cex.actions)}); "
            f"{how} {cex.replay_message}").strip()
    if path is not None:
        _store(path, key, {"replicas": cex.replicas, "replayed": replayed, "text": text})
    return cex.replicas, replayed, text


def _bound_text(v: IntOrString) -> str:
    return str(v)


def count_verdict(rule_id: str, deployment: Deployment, crashes: int, granularity: str, *, why_not: str = "",
                  timeout: float = 60.0, cache: Path | None = None, node_failures: int = 0,
                  rollout: bool = True, rollovers: int = 0, scales: tuple[int, ...] = (),
                  asked: frozenset[str] | None = None) -> CountVerdict:
    """The count model's verdict on ``rule_id`` for ``deployment`` with ``crashes`` container
    crashes at ``granularity`` (``why_not``: :func:`coverage`'s answer for the scenario;
    ``rollovers`` 1: a second image change, :func:`image_changes`)."""
    start = time.monotonic()
    if rule_id not in RULES:
        return CountVerdict(rule_id, NOT_COVERED, f"{rule_id} is not a count-model rule")
    if why_not:
        return CountVerdict(rule_id, NOT_COVERED, f"count model not applicable: {why_not}")
    r = deployment.replicas
    s, u = deployment.strategy.max_surge, deployment.strategy.max_unavailable
    kind = deployment.strategy.type
    if rule_id not in rules_for(deployment) and rule_id != SERVICE_RULE:
        return CountVerdict(rule_id, NOT_COVERED, f"{rule_id} is not a count-model rule of a {kind} Deployment")
    if r < 1:
        return CountVerdict(rule_id, NOT_COVERED, "replicas 0: nothing rolls")
    if (kind, rule_id) in VACUOUS:
        why = VACUOUS[(kind, rule_id)]
        return CountVerdict(rule_id, PROVED, f"holds for every replicas, not judged: {why}", engine="rule definition",
                            replicas=r, family=f"holds for all replicas with strategy {kind}",
                            seconds=time.monotonic() - start, cached=True)
    strategy = (f"maxSurge {_bound_text(s)}, maxUnavailable {_bound_text(u)}" if kind == "RollingUpdate"
                else "strategy Recreate")
    faults = f", {crashes} container crash{'es' if crashes != 1 else ''}" if crashes else ""
    faults += f", {node_failures} node failure{'s' if node_failures != 1 else ''}" if node_failures else ""
    faults += "" if rollout else ", no rollout"
    faults += ", two image changes (two old ReplicaSets)" if rollovers else ""
    faults += "".join(f", kubectl scale to {t}" for t in scales)
    nf: dict[str, Any] = {"node_failures": node_failures, "rollout": rollout, "strategy": kind, "rollovers": rollovers,
                          "asked": asked}
    if scales:
        nf["scales"] = scales
    exact, details, cached = _status(rule_id, (r, r), s, u, crashes, granularity, timeout, cache, **nf)
    fam_max = max(FAMILY_MAX, r)
    fam_cached = True
    if scales:  # round(spec * max / maxBefore) over symbolic replicas is nonlinear: exact parameters only
        family = "family not attempted (proportional scaling is nonlinear in a symbolic replicas)"
    elif exact == VIOLATED:  # the exact parameters are a member of the family: no second search
        family = f"fails for replicas 1..{fam_max} with {strategy}{faults} (replicas = {r} is one that fails)"
    else:
        fam, fam_details, fam_cached = _status(rule_id, (1, fam_max), s, u, crashes, granularity, timeout, cache, **nf)
        if fam == PROVED:
            family = f"holds for all replicas 1..{fam_max} with {strategy}{faults}"
        elif fam == VIOLATED:
            family = f"fails for some replicas in 1..{fam_max} with {strategy}{faults} (e.g. replicas = {fam_details.get('cex_replicas')})"
        else:
            family = f"undecided for replicas 1..{fam_max} ({fam_details.get('message') or 'timeout'})"
    seconds = time.monotonic() - start
    where = f"{granularity} granularity{faults}"
    if exact == PROVED:
        upto = 3 if kind == "Recreate" else (2 if (node_failures, rollout) == (0, True) else (1 if rollout else 3))
        # two image changes: reconcile granularity, replicas 2 in the slow tier (with one crash: replicas 1)
        upto = (1 if crashes else 2) if rollovers else upto
        upto = (1 if crashes else 2) if scales else upto  # scale during a rollout: SCALE_FAST / SCALE_SLOW
        if kind == "Recreate":
            where = f"strategy Recreate, {where}"
        msg = (f"holds for replicas = {r}, proved by induction (Z3 count model, {where}; refinement of the object model "
               f"checked exhaustively for replicas <= {upto}); "
               f"family: {family}")
        return CountVerdict(rule_id, PROVED, msg, replicas=r, family=family, seconds=seconds, cached=cached and fam_cached)
    if exact == VIOLATED and (node_failures or not rollout or kind == "Recreate" or rollovers or scales):
        msg = (f"the Z3 count model ({where}) has a counterexample at replicas = {r}; not replayed in the object model "
               f"(the replay is a RollingUpdate rollout with one image change, no scale and no node failure), so it may be "
               f"spurious: "
               f"not reported as "
               f"violated; family: {family}")
        return CountVerdict(rule_id, VIOLATED, msg, replicas=r, family=family, seconds=time.monotonic() - start, cached=cached,
                            counts=_exact_run(details, r))
    if exact == VIOLATED:
        smallest, replayed, text = smallest_counterexample(rule_id, s, u, crashes, granularity, r,
                                                          timeout=timeout, cache=cache)
        msg = (f"the Z3 count model ({where}) has a counterexample at replicas = {r}; {text}. Not reported as violated "
               f"at replicas = {r}: the explicit search was cut and the run is not replayed at that size; family: {family}")
        return CountVerdict(rule_id, VIOLATED, msg, replicas=r, family=family, smallest=smallest, replayed=replayed,
                            seconds=time.monotonic() - start, cached=cached, counts=_exact_run(details, r))
    return CountVerdict(rule_id, "UNKNOWN", f"count model undecided at replicas = {r} ({details.get('message') or 'timeout'})",
                        replicas=r, family=family, seconds=seconds, cached=cached)


def _exact_run(details: dict[str, Any], replicas: int) -> tuple[tuple[int, ...], ...]:
    """The exact-parameter counterexample's count states, from :func:`_status`'s details (cached or not)."""
    if details.get("cex_replicas") != replicas:
        return ()
    return tuple(tuple(int(x) for x in row) for row in details.get("cex_counts") or ())


def count_run(rule_id: str, deployment: Deployment, scenario: Any, *, timeout: float = 60.0,
              cache: Path | None = None) -> tuple[tuple[int, ...], ...]:
    """A count-model counterexample to ``rule_id`` at ``deployment``'s exact parameters with the container
    crashes of ``scenario`` (a ``model.system.Scenario``) and no node failure, by bounded model checking alone
    (no proof is attempted), cached; () when there is none within the BMC depth or ``timeout``.

    The run of a scenario that also allows a node failure, in which no node fails (fault budgets are at
    most, docs/semantics.md): :func:`concretise` follows it with the node-failure budget left unspent when
    the count model's own counterexample (which may use a node-failure step the object model cannot take in
    that order) could not be followed."""
    r, s, u = deployment.replicas, deployment.strategy.max_surge, deployment.strategy.max_unavailable
    crashes, granularity = scenario.faults.container_crash, scenario.granularity
    rollout = any(_sets_image_of(e, deployment) for e in scenario.user_actions)
    key = _key("run", rule_id, r, s, u, crashes, granularity, rollout)
    path = (cache_dir() if cache is None else cache) / "count-proofs.json"
    hit = _load(path).get(key)
    if hit is not None:
        return tuple(tuple(row) for row in hit["counts"])
    res = prove_rollout(r, s, u, crashes, timeout, properties=(RULES[rule_id],), granularity=granularity, replay_limit=0,
                        rollout=rollout, induction=False)
    pp = res.properties[0]
    counts = tuple(tuple(st.as_tuple()) for st in pp.counterexample.states) if pp.counterexample is not None else ()
    if counts:  # no run found (a BMC timeout included) is not cached
        _store(path, key, {"counts": [list(c) for c in counts]})
    return counts


#: how :func:`concretise` says that a scenario (or one variant of it) does not take the count run's user actions
OTHER_ACTIONS = "differ from the count run's"


def concretise(system: Any, deployment: Deployment, cv: CountVerdict, prop: Any, *,
               max_states: int = 100_000, timeout: float = 10.0,
               counts: tuple[tuple[int, ...], ...] | None = None) -> tuple[Any, str]:
    """Follow the count model's counterexample ``cv.counts`` (or ``counts``, e.g. :func:`count_run`'s) in
    ``system`` (the object model the check explores for this scenario, at the manifest's own replicas) and
    judge ``prop`` (the rule's property on this Deployment) on every step of the run found.

    Returns ``(trace, note)``: a ``kubecheck.core.trace.Trace`` ending at the first step that violates
    ``prop`` (an action rule, judged as the explicit engine judges it), or ``None`` and why not (no object
    run follows the count run within the budget, or the run found violates nothing).  A trace is a run of
    the object model itself, so VIOLATED from it needs no trust in the count model (docs/semantics.md,
    "Counterexamples at the manifest's replicas")."""
    from kubecheck.core.properties import PropertyKind
    from kubecheck.core.trace import Trace
    from kubecheck.symbolic.bridge import guided_run
    from kubecheck.symbolic.refinement import ProjectionError, budget_projection
    from kubecheck.symbolic.rollout import CountState
    from model.environment import ScaleWorkload

    rows = cv.counts if counts is None else counts
    if not rows:
        return None, "no count run to follow"
    if prop.kind is not PropertyKind.ACTION:
        return None, f"{prop.rule_id} is not an action rule"
    if deployment.strategy.type != "RollingUpdate":
        return None, "only RollingUpdate runs are followed in the object model"
    targets = [CountState(*row) for row in rows]
    node_failures = system.scenario.faults.node_failure
    if targets[0].node_budget + targets[0].node_down < node_failures:  # a run without node failures: budget unspent
        targets = [replace(t, node_budget=node_failures) for t in targets]
    first = targets[0]
    scenario = system.scenario
    key = (deployment.namespace, deployment.name)
    sets = [i for i, (ua, _) in enumerate(scenario.user_actions) if _sets_image_of(ua, deployment)]
    rollout = bool(first.rollout)
    # one image change, or two (the count model's rollovers = 1: a second old ReplicaSet), each action once
    if rollout != bool(sets) or len(sets) != 1 + first.rollovers or any(scenario.user_actions[i][1] != 1 for i in sets):
        return None, f"the scenario's image changes {OTHER_ACTIONS}"
    # kubectl scale of this Deployment, each action once (the count model's scale1/scale2: the budget left of each)
    scales = [i for i, (ua, _) in enumerate(scenario.user_actions) if isinstance(ua, ScaleWorkload) and _is_this(ua, deployment)]
    if bool(scales) != bool(first.d_replicas) or len(scales) > 2 or any(scenario.user_actions[i][1] != 1 for i in scales):
        return None, f"the scenario's scale actions {OTHER_ACTIONS}"
    projection = budget_projection(key, sets, scales, node_failures=node_failures, rollout=rollout)

    def project(state: Any) -> Any:
        try:
            return projection(state)
        except ProjectionError:  # outside the count model's image: not entered
            return None

    init = system.init_states()[0]
    run = guided_run(system, init, project, targets, max_states=max_states, timeout=timeout)
    if not run.ok:
        return None, f"the object model has no run that follows it (count step {run.failed_at}: {run.message})"
    prev = init
    for i, st in enumerate(run.steps):
        if not prop.predicate(prev, st.action, st.state):
            trace = Trace(initial=init, steps=run.steps[:i + 1], property_id=prop.rule_id, property_name=prop.name,
                          loop_start=None, engine="z3-bmc+guided-object-search",
                          bounds=(("count_steps", len(targets) - 1), ("guided_states", run.states)))
            return trace, (f"{len(targets) - 1} count steps in {i + 1} object-model steps, {run.states} states stored by "
                           "the guided search")
        prev = st.state
    return None, f"the object-model run that follows it ({len(run.steps)} steps) violates no step of {prop.rule_id}"


#: The explicit reach: the largest ``spec.replicas`` of a Deployment whose rollout the explicit search is
#: relied on to finish within the default bounds (50,000 states, 60 s).  Measured (docs/performance.md):
#: a rolling update at replicas 3 is 1,925-4,294 states, at 4 with one crash 339,512 states cut by a
#: 120 s timeout, at 10 the search is always cut; 3 is also the largest size the refinement of the
#: object model by the count model is checked at in CI.  Above it :func:`decide_before_search` asks the
#: count model FIRST and the explicit search gets only what the count model leaves undecided; at or
#: below it the explicit engine runs first (it gives concrete traces) and the count model only decides
#: a search that was cut (:func:`decide_rollout_findings`).
EXPLICIT_REACH = 3


def beyond_explicit_reach(deployment: Deployment) -> bool:
    """Whether ``deployment`` is above :data:`EXPLICIT_REACH` (the count model is asked first)."""
    return deployment.replicas > EXPLICIT_REACH


def scenario_verdict(rule_id: str, d: Deployment, spec: Any, granularity: str, overlapping: bool, *,
                     timeout: float = 60.0, cache: Path | None = None, cluster: Any = None,
                     asked: frozenset[str] | None = None) -> CountVerdict:
    """The count model's verdict on ``rule_id`` for Deployment ``d`` in scenario ``spec``
    (a ``kubecheck.scenarios.ScenarioSpec``): :func:`coverage` for the scenario, then :func:`count_verdict`."""
    actions = spec.all_user_actions()
    # informer caches (caches: lagged) are a lag the count model lacks, as stale reads are
    why = coverage(d, actions, spec.faults, spec.granularity or granularity, spec.stale_reads or (spec.caches or "off") != "off",
                   overlapping=overlapping)
    if not why and getattr(spec, "images", None):
        why = "image facts (images:) are not in the count model"  # a pull failure or crash changes the rollout
    if not why and getattr(spec, "clocks", None):
        why = f"clocks ({', '.join(sorted(spec.clocks))}) are not in the checked refinement"
    if not why and getattr(spec, "time", "abstract") != "abstract":
        # the ReplicaSet may delete an available pod before one not yet available (docs/semantics.md)
        why = "time: ordered (every deletion choice upstream's clock allows) is not in the count model"
    if not why and getattr(spec, "kubelet_terminal_phase", False):
        # a killed pod turns Failed (inactive) before it is deleted: not in the checked refinement
        why = "kubelet_terminal_phase is not in the checked refinement"
    if not why and cluster is not None and _autoscaled(cluster, d):
        why = "a HorizontalPodAutoscaler scales this Deployment (the count model's replicas are fixed)"
    if not why and cluster is not None and not settled_like_count_start(cluster, d):
        why = ("its pods are not all available in the settled state (e.g. Pending: no node fits them); the count model "
               "starts from a converged Deployment (one ReplicaSet, every replica available)")
    rolls = any(_sets_image_of(e, d) for e in actions)
    changes, _ = image_changes(d, actions)
    return count_verdict(rule_id, d, spec.faults.container_crash, spec.granularity or granularity, why_not=why,
                         timeout=timeout, cache=cache, node_failures=spec.faults.node_failure, rollout=rolls,
                         rollovers=1 if changes == 2 and not why else 0,
                         scales=scale_targets(d, actions) if not why else (), asked=asked)


def _autoscaled(cluster: Any, d: Deployment) -> bool:
    """Whether a HorizontalPodAutoscaler of ``d``'s namespace targets it (it writes its spec.replicas)."""
    return any(h.scale_target_ref[1:] == ("Deployment", d.name) for h in cluster.objects("HorizontalPodAutoscaler", d.namespace))


def settled_like_count_start(cluster: Any, d: Deployment) -> bool:
    """Whether ``d`` in the settled ``cluster`` is what the count model's initial state says (rollout.py
    ``initial_state``): one ReplicaSet it controls, at ``d.replicas``, with exactly that many active pods, every one
    available (refinement.py ``_active``, ``_available``).  A Deployment whose pods no node fits (a nodeSelector,
    capacity, anti-affinity on too few nodes) settles short of that, and a proof from the count model's start
    says nothing about runs from there."""
    from kubecheck.symbolic.refinement import _active, _available

    owned = [rs for rs in cluster.objects("ReplicaSet", d.namespace)
             if (ref := rs.controller_ref()) is not None and ref.uid == d.uid]
    if len(owned) != 1 or owned[0].replicas != d.replicas:
        return False
    pods = [p for p in cluster.objects("Pod", d.namespace)
            if (ref := p.controller_ref()) is not None and ref.uid == owned[0].uid and _active(p)]
    return len(pods) == d.replicas and all(_available(p, d.min_ready_seconds) for p in pods)


def _target(target: Any) -> tuple[str, str] | None:
    """(namespace, name) of a Deployment target, given as ``("Deployment", ns, name)`` or ``"Deployment ns/name"``."""
    if isinstance(target, tuple) and len(target) == 3 and target[0] == "Deployment":
        return target[1], target[2]
    if isinstance(target, str) and target.startswith("Deployment "):
        ns, _, name = target.split(" ", 1)[1].partition("/")
        return ns, name
    return None


def decide_before_search(pairs: Iterable[tuple[str, Any]], spec: Any, cluster: Any, granularity: str, *,
                         timeout: float = 60.0, cache: Path | None = None,
                         asked: frozenset[str] | None = None) -> dict[tuple[str, str, str], CountVerdict]:
    """The count model asked FIRST, before any explicit search, for every (rule id, target) pair
    of a count-model rule (KC-ROLL-001/002) on a Deployment beyond :data:`EXPLICIT_REACH`.

    Returns ``(rule id, namespace, name) -> CountVerdict`` for every such pair that it asked about;
    the caller takes the PROVED ones out of the explicit search (they are decided) and keeps the
    others (not covered, undecided, or a count-model counterexample, which may be spurious and is
    never VIOLATED by itself) for the explicit search, handing their verdicts to
    :func:`decide_rollout_findings` so that the count model is not asked twice.
    """
    out: dict[tuple[str, str, str], CountVerdict] = {}
    todo = []
    for rule_id, target in pairs:
        where = _target(target)
        if rule_id not in RULES or where is None:
            continue
        d = cluster.get("Deployment", *where)
        if d is None or not beyond_explicit_reach(d) or rule_id not in rules_for(d):
            continue
        todo.append((rule_id, where, d))
    if not todo:
        return out
    cache = cache_dir() if cache is None else cache
    overlaps = _overlapping(cluster)
    for rule_id, (ns, name), d in todo:
        cv = scenario_verdict(rule_id, d, spec, granularity, (ns, name) in overlaps, timeout=timeout, cache=cache,
                              cluster=cluster, asked=asked)
        if cv.status == PROVED:
            by = "the Z3 count model" if cv.engine.startswith("z3") else f"the {cv.engine}"
            cv = replace(cv, message=(f"decided by {by} before the explicit search (replicas {d.replicas} > "
                                      f"{EXPLICIT_REACH}, beyond the explicit reach): {cv.message}"))
        out[(rule_id, ns, name)] = cv
    return out


def decide_rollout_findings(findings: list[Any], spec: Any, cluster: Any, granularity: str, *,
                            timeout: float = 60.0, cache: Path | None = None,
                            known: dict[tuple[str, str, str], CountVerdict] | None = None,
                            asked: frozenset[str] | None = None) -> list[Any]:
    """The findings of one scenario, with every cut (``holds_within_bounds``) KC-ROLL-001/002
    finding on a Deployment decided by the count model where its refinement covers the scenario.

    ``spec`` is the ``kubecheck.scenarios.ScenarioSpec``, ``cluster`` the settled ClusterState.
    A PROVED exact-parameter proof becomes ``holds`` (exit 0) with a note naming the engine and
    sizes; anything else keeps the explicit verdict and appends the count model's answer to the note.
    ``known``: verdicts :func:`decide_before_search` already has for these pairs (not asked again).
    """
    from kubecheck.core.verdict import Verdict

    cut = Verdict.HOLDS_WITHIN_BOUNDS.value
    todo = [f for f in findings if f.rule_id in RULES and f.verdict == cut and f.target.startswith("Deployment ")]
    if not todo:
        return findings
    cache = cache_dir() if cache is None else cache
    overlaps = _overlapping(cluster)
    out = []
    for f in findings:
        if f not in todo:
            out.append(f)
            continue
        ns, name = _target(f.target) or ("", "")
        d = cluster.get("Deployment", ns, name)
        if d is None or f.rule_id not in rules_for(d):
            out.append(f)
            continue
        cv = (known or {}).get((f.rule_id, ns, name))
        if cv is None:
            cv = scenario_verdict(f.rule_id, d, spec, granularity, (ns, name) in overlaps, timeout=timeout, cache=cache,
                                  cluster=cluster, asked=asked)
        if cv.status == PROVED:
            out.append(replace(f, verdict=Verdict.HOLDS.value, exit_code=Verdict.HOLDS.exit_code,
                               note=cv.message + (f" [explicit search: {f.note}]" if f.note else ""),
                               reductions=tuple(f.reductions) + ("count-model proof",)))
        else:
            out.append(replace(f, note=(f.note + "; " if f.note else "") + cv.message))
    return out


def _members(finding: Any, cluster: Any) -> set[tuple[str, str, str]]:
    """The manifest objects a cluster-wide finding was judged on: its interaction group's (``objects``,
    "Kind ns/name"), or every object of ``cluster`` for a search of the whole cluster."""
    if finding.target.startswith("group ") and finding.objects:
        out = set()
        for text in finding.objects:
            kind, _, rest = text.partition(" ")
            ns, _, name = rest.partition("/")
            out.add((kind, ns, name))
        return out
    return {(type(o).__name__, o.namespace, o.name) for o in cluster.all_objects()}


def decide_service_findings(findings: list[Any], spec: Any, cluster: Any, granularity: str, *,
                            timeout: float = 60.0, cache: Path | None = None,
                            asked: frozenset[str] | None = None) -> list[Any]:
    """The findings of one scenario, with every cut (``holds_within_bounds``) KC-ROLL-004 (zero downtime)
    finding decided by the count model where it can be: in a scenario without faults, when every Service of
    the finding's group (or cluster) that some workload may serve in some state (the rule's ``serves``, a
    ReplicaSet a Deployment will create included: ``model.decompose.may_select``) selects the pods of a
    Deployment of the group (its selector is part of the template's labels, the namespace is the same) for
    which the count model proves that at least one pod is available in every reachable state (prove.py
    ``one-available``, an invariant over every step) and :func:`coverage` covers the scenario.

    Why that is KC-ROLL-004: an available pod the count model counts is active (no deletionTimestamp, not
    Succeeded/Failed) and Ready (refinement.py ``_available``), and it carries the template's labels (the
    covered scenarios change only images and replicas), so the Service lists it as a ready endpoint
    (model.endpoints ``serving_endpoint``); image facts, which could make a Ready pod's app not serve, are not
    covered.  A count-model counterexample never becomes VIOLATED (the explicit verdict stays, the note says
    what the count model found).  docs/semantics.md, "Zero downtime from the count model"."""
    from kubecheck.core.verdict import Verdict

    cut = Verdict.HOLDS_WITHIN_BOUNDS.value
    todo = [f for f in findings if f.rule_id == SERVICE_RULE and f.verdict == cut]
    if not todo:
        return findings
    faults = spec.faults
    if getattr(faults, "container_crash", 0) or getattr(faults, "node_failure", 0):
        return findings  # the count model has no lemma for availability after a fault: not asked (a BMC would be long)
    from model.decompose import may_select
    from model.labels import selector_from_set
    from properties.catalogue import SERVING_KINDS

    def may_be_served(svc: Any) -> bool:
        """Whether some workload may ever serve ``svc`` (the rule's ``serves`` in some reachable state): its
        selector may match the pods of a workload the rule counts, a ReplicaSet a Deployment will create
        included (``pod-template-hash``: model.decompose.may_select), as ``no_served_service`` reads it."""
        if not svc.selector:
            return False
        sel = selector_from_set(svc.selector)
        return any(may_select(sel, w.template.labels, (kind, w.namespace, w.name))
                   for kind in SERVING_KINDS for w in cluster.objects(kind, svc.namespace))

    cache = cache_dir() if cache is None else cache
    overlaps = _overlapping(cluster)
    out = []
    for f in findings:
        if f not in todo:
            out.append(f)
            continue
        members = _members(f, cluster)
        served = [svc for svc in cluster.objects("Service") if ("Service", svc.namespace, svc.name) in members
                  and may_be_served(svc)]
        reasons: list[str] = []
        proofs: list[str] = []
        for svc in served:
            backers = [d for d in cluster.objects("Deployment", svc.namespace)
                       if ("Deployment", d.namespace, d.name) in members and d.replicas >= 1 and d.deletion_timestamp is None
                       and all(d.template.labels.get(k) == v for k, v in svc.selector.items())]
            why = f"Service {svc.namespace}/{svc.name} selects no Deployment's pods" if not backers else ""
            for d in backers:
                cv = scenario_verdict(SERVICE_RULE, d, spec, granularity, (d.namespace, d.name) in overlaps,
                                      timeout=timeout, cache=cache, cluster=cluster, asked=asked)
                if cv.status == PROVED:
                    proofs.append(f"Service {svc.namespace}/{svc.name} selects the pods of Deployment {d.namespace}/{d.name}, "
                                  f"at least one of them available (Ready, not terminating) in every reachable state: {cv.message}")
                    why = ""
                    break
                why = f"Deployment {d.namespace}/{d.name}: {cv.message}"
            if why:
                reasons.append(why)
        if served and not reasons:
            note = "decided by the Z3 count model: " + "; ".join(proofs)
            out.append(replace(f, verdict=Verdict.HOLDS.value, exit_code=Verdict.HOLDS.exit_code,
                               note=note + (f" [explicit search: {f.note}]" if f.note else ""),
                               reductions=tuple(f.reductions) + ("count-model proof",)))
        elif reasons:
            out.append(replace(f, note=(f.note + "; " if f.note else "") + "count model for KC-ROLL-004: " + "; ".join(reasons)))
        else:
            out.append(f)
    return out


def _sets_image_of(entry: Any, d: Deployment) -> bool:
    """Whether a scenario's user action (``(action, count)`` or an action) changes ``d``'s template."""
    from model.environment import SetImage

    ua = entry[0] if isinstance(entry, tuple) else entry
    return isinstance(ua, SetImage) and (ua.kind, ua.namespace, ua.name) == ("Deployment", d.namespace, d.name)


def _overlapping(cluster: Any) -> set[tuple[str, str]]:
    """Deployments whose pods another workload's selector could claim."""
    from kubecheck.symbolic.selectors import overlap_analysis

    out: set[tuple[str, str]] = set()
    for ov in overlap_analysis(tuple(cluster.all_objects())):
        for ref in (ov.a, ov.b):
            if ref.kind == "Deployment":
                out.add((ref.namespace, ref.name))
    return out


def as_dict(cv: CountVerdict) -> dict[str, Any]:
    return asdict(cv)
