"""The StatefulSet prefix abstraction inside ``kubecheck check``.

:func:`decide_statefulsets_before_search` asks the Z3 proof of
kubecheck/symbolic/statefulset_count.py FIRST, before any explicit search, for KC-STS-005 and
KC-STS-006 on every StatefulSet beyond ``check.EXPLICIT_REACH`` whose scenario the checked
refinement (kubecheck/symbolic/statefulset_refinement.py) covers (:func:`sts_coverage`), for the
manifest's exact replicas and partition and for the family (every replicas 1..10,000, every
partition, the same podManagementPolicy).  A PROVED pair is decided (``holds``, the note naming
the engine and sizes); anything else goes to the explicit search unchanged.  Proofs are cached on
disk like the Deployment count model's (``sts-count-proofs.json`` in ``check.cache_dir()``), keyed
by a hash of the abstraction's source.

Rules the abstraction does NOT decide (they stay with the explicit engine): the identity rules
KC-STS-001..004 (hostname, subdomain, PVC names, one running instance per name: they are about
which object has which name, not how many), KC-STS-007 (claim UIDs), KC-CONV-003 (an eventual rule:
the abstraction proves safety only) and KC-NODE-001 (node failures are not in the abstraction; one
container crash is its only fault).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable

from kubecheck.symbolic.check import EXPLICIT_REACH, FAMILY_MAX, NOT_COVERED, CountVerdict, _load, _store, cache_dir, image_with_tag_facts
from kubecheck.symbolic.statefulset_count import PROVED, STS_RULES, prove_statefulset
from model.objects import StatefulSet

__all__ = ["STS_MODEL_VERSION", "sts_coverage", "sts_count_verdict", "decide_statefulsets_before_search", "REFINED_UP_TO"]

#: the largest replicas the refinement of the object model is checked at (tests/symbolic/test_statefulset_count.py)
REFINED_UP_TO = 3
ENGINE = "z3 StatefulSet prefix abstraction (induction)"


def _model_version() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("statefulset_count.py", "statefulset_refinement.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


STS_MODEL_VERSION = _model_version()


def sts_coverage(s: StatefulSet, user_actions: Iterable[Any], spec: Any, granularity: str, overlapping: bool = False,
                 autoscaled: bool = False) -> str:
    """Why the checked refinement does NOT cover StatefulSet ``s`` in scenario ``spec`` ("" when it does).

    Covered: a RollingUpdate StatefulSet (OrderedReady or Parallel, any partition, minReadySeconds),
    not being deleted, whose pods no other workload selects and that no HorizontalPodAutoscaler
    scales; user actions only ``kubectl set image`` (at most one on this set); faults: at most one
    container crash (then no readiness probe and minReadySeconds 0); write or reconcile granularity; no stale reads, informer caches, image facts, clocks,
    ordered time or terminal phase; with the MaxUnavailableStatefulSet gate on (1.37), an effective
    maxUnavailable of 1 (a larger one deletes several ordinals at once: not a prefix shape).
    """
    from model.environment import SetImage, is_broken_image
    from model.statefulset_utils import get_stateful_set_max_unavailable
    from model.versions import feature_gate

    if s.update_strategy.type != "RollingUpdate":
        return f"updateStrategy {s.update_strategy.type}: the abstraction has RollingUpdate"
    if s.deletion_timestamp is not None:
        return "the StatefulSet is being deleted"
    if overlapping:
        return "another workload's selector overlaps this StatefulSet's: the abstraction has one set"
    if autoscaled:
        return "a HorizontalPodAutoscaler scales this StatefulSet (the abstraction's replicas are fixed)"
    faults = spec.faults
    for name in type(faults).__dataclass_fields__:
        if name != "container_crash" and getattr(faults, name, 0):
            return (f"fault {name}: the StatefulSet abstraction has one container crash as its only fault (a lost or "
                    "force-deleted pod leaves a gap at any ordinal)")
    if faults.container_crash > 1:
        return "more than one container crash (the abstraction has one crashed pod at a time)"
    if faults.container_crash and (s.min_ready_seconds or any(c.readiness_probe for c in s.template.containers)):
        return ("minReadySeconds or a readiness probe with a container crash: a pod Running and not Ready is then not "
                "always a crashed one, which the projection assumes")
    mine = 0
    for entry in user_actions:
        ua = entry[0] if isinstance(entry, tuple) else entry
        if not isinstance(ua, SetImage):
            return f"user action {type(ua).__name__} is not in the StatefulSet abstraction (only kubectl set image)"
        if (ua.kind, ua.namespace, ua.name) == ("StatefulSet", s.namespace, s.name):
            mine += entry[1] if isinstance(entry, tuple) else 1
            tagged = image_with_tag_facts(ua)
            if tagged:
                return f"kubectl set image to {tagged}, whose tag gives it image facts (readiness), is not in the StatefulSet abstraction"
    if mine > 1:
        return "more than one image change of this StatefulSet (a rollout started mid-rollout)"
    g = spec.granularity or granularity
    if g not in ("write", "reconcile"):
        return f"granularity {g}"
    if spec.stale_reads or (spec.caches or "off") != "off":
        return "stale reads and informer caches are not in the StatefulSet abstraction"
    if getattr(spec, "images", None):
        return "image facts (images:) are not in the StatefulSet abstraction"
    if getattr(spec, "clocks", None):
        return f"clocks ({', '.join(sorted(spec.clocks))}) are not in the checked refinement"
    if getattr(spec, "time", "abstract") != "abstract":
        return "time: ordered is not in the StatefulSet abstraction"
    if getattr(spec, "kubelet_terminal_phase", False):
        return "kubelet_terminal_phase is not in the checked refinement"
    if any(is_broken_image(c.image) for c in s.template.containers):
        return "a broken image's readiness fails without a fault budget"
    version = spec.kubernetes_version or ""
    if version and feature_gate(version, "MaxUnavailableStatefulSet"):
        mu = get_stateful_set_max_unavailable(s.update_strategy.max_unavailable, s.replicas)
        if s.update_strategy.has_rolling_update and mu > 1:
            return (f"maxUnavailable {mu} with MaxUnavailableStatefulSet on (Kubernetes {version}): several ordinals are "
                    "updated at once, which the one-ordinal-in-flux abstraction does not have")
    return ""


def _proof(rule_id: str, replicas: tuple[int, int], partition: int | None, ordered: bool, timeout: float,
           cache: Path | None, crashes: int | None = 0) -> tuple[str, str, bool]:
    """(status, message, cached) of one proof, through the cache (only decided proofs are stored)."""
    key = json.dumps([STS_MODEL_VERSION, rule_id, replicas, partition, ordered, crashes])
    path = None if cache is None else cache / "sts-count-proofs.json"
    if path is not None:
        hit = _load(path).get(key)
        if hit is not None:
            return hit["status"], hit["message"], True
    res = prove_statefulset(rule_id, replicas, partition, ordered, timeout=timeout, crashes=crashes)
    message = res.message
    if res.cex_replicas is not None:  # an abstract counterexample: never VIOLATED by itself (not replayed)
        message += f", smallest replicas {res.cex_replicas}: {', '.join(res.cex)}"
    if path is not None and res.status != "UNKNOWN":
        _store(path, key, {"status": res.status, "message": message})
    return res.status, message, False


def sts_count_verdict(rule_id: str, s: StatefulSet, granularity: str, *, why_not: str = "", timeout: float = 30.0,
                      cache: Path | None = None, crashes: int = 0) -> CountVerdict:
    """The abstraction's verdict on ``rule_id`` for ``s`` (``why_not``: :func:`sts_coverage`'s answer)."""
    start = time.monotonic()
    if rule_id not in STS_RULES:
        return CountVerdict(rule_id, NOT_COVERED, f"{rule_id} is not decided by the StatefulSet abstraction", engine=ENGINE)
    if why_not:
        return CountVerdict(rule_id, NOT_COVERED, f"StatefulSet abstraction not applicable: {why_not}", engine=ENGINE)
    r, policy = s.replicas, s.pod_management_policy
    if r < 1:
        return CountVerdict(rule_id, NOT_COVERED, "replicas 0: nothing rolls", engine=ENGINE)
    ordered = policy == "OrderedReady"
    part = s.update_strategy.partition if s.update_strategy.has_rolling_update else 0
    exact, msg, cached = _proof(rule_id, (r, r), part, ordered, timeout, cache, crashes)
    fam_max = max(FAMILY_MAX, r)
    fam, fam_msg, fam_cached = _proof(rule_id, (1, fam_max), None, ordered, timeout, cache, None)
    faults = f"{crashes} container crash" if crashes else "no faults"
    family = (f"holds for all replicas 1..{fam_max}, every partition and 0 or 1 container crash with podManagementPolicy "
              f"{policy}" if fam == PROVED
              else f"{fam.lower()} for replicas 1..{fam_max} with podManagementPolicy {policy} ({fam_msg})")
    judged = "" if ordered or rule_id != "KC-STS-005" else " (KC-STS-005 judges only OrderedReady sets: holds, not judged)"
    if exact == PROVED:
        text = (f"holds for replicas = {r}, proved by induction{judged} (Z3 per-ordinal-prefix abstraction of the "
                f"StatefulSet rolling update, {policy}, partition {part}, {granularity} granularity, {faults}; refinement "
                f"of the object model checked exhaustively for replicas <= {REFINED_UP_TO}); family: {family}")
        return CountVerdict(rule_id, PROVED, text, engine=ENGINE, replicas=r, family=family,
                            seconds=time.monotonic() - start, cached=cached and fam_cached)
    return CountVerdict(rule_id, exact, f"StatefulSet abstraction: {exact.lower()} at replicas = {r} ({msg}); the explicit "
                        "engine decides", engine=ENGINE, replicas=r, family=family, seconds=time.monotonic() - start)


def _overlapping_sets(cluster: Any) -> set[tuple[str, str]]:
    from kubecheck.symbolic.selectors import overlap_analysis

    out: set[tuple[str, str]] = set()
    for ov in overlap_analysis(tuple(cluster.all_objects())):
        for ref in (ov.a, ov.b):
            if ref.kind == "StatefulSet":
                out.add((ref.namespace, ref.name))
    return out


def decide_statefulsets_before_search(pairs: Iterable[tuple[str, Any]], spec: Any, cluster: Any, granularity: str, *,
                                      timeout: float = 30.0, cache: Path | None = None) -> dict[tuple[str, str, str], CountVerdict]:
    """``(rule id, namespace, name) -> CountVerdict`` for every (KC-STS-005/006, StatefulSet) pair
    beyond :data:`EXPLICIT_REACH` replicas; the caller takes the PROVED ones out of the explicit search."""
    todo = []
    for rule_id, target in pairs:
        if rule_id not in STS_RULES or not (isinstance(target, tuple) and len(target) == 3 and target[0] == "StatefulSet"):
            continue
        s = cluster.get("StatefulSet", target[1], target[2])
        if s is None or s.replicas <= EXPLICIT_REACH:
            continue
        todo.append((rule_id, s))
    out: dict[tuple[str, str, str], CountVerdict] = {}
    if not todo:
        return out
    cache = cache_dir() if cache is None else cache
    overlaps = _overlapping_sets(cluster)
    actions = spec.all_user_actions()
    for rule_id, s in todo:
        autoscaled = any(h.scale_target_ref[1:] == ("StatefulSet", s.name) for h in cluster.objects("HorizontalPodAutoscaler", s.namespace))
        why = sts_coverage(s, actions, spec, granularity, (s.namespace, s.name) in overlaps, autoscaled)
        cv = sts_count_verdict(rule_id, s, spec.granularity or granularity, why_not=why, timeout=timeout, cache=cache,
                               crashes=spec.faults.container_crash)
        if cv.status == PROVED:
            cv = replace(cv, message=(f"decided by the Z3 StatefulSet abstraction before the explicit search (replicas "
                                      f"{s.replicas} > {EXPLICIT_REACH}, beyond the explicit reach): {cv.message}"))
        out[(rule_id, s.namespace, s.name)] = cv
    return out


def annotate_statefulset_findings(findings: list[Any], known: dict[tuple[str, str, str], CountVerdict]) -> list[Any]:
    """The findings of one scenario, each cut (``holds_within_bounds``) KC-STS-005/006 finding on a
    StatefulSet the abstraction was asked about noting why it did not decide it (not covered,
    undecided): the explicit verdict stands."""
    from kubecheck.core.verdict import Verdict

    out = []
    for f in findings:
        cv = None
        if f.rule_id in STS_RULES and f.verdict == Verdict.HOLDS_WITHIN_BOUNDS.value and f.target.startswith("StatefulSet "):
            ns, _, name = f.target.split(" ", 1)[1].partition("/")
            cv = known.get((f.rule_id, ns, name))
        out.append(f if cv is None or cv.status == PROVED else replace(f, note=(f.note + "; " if f.note else "") + cv.message))
    return out
