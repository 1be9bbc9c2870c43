"""Kubernetes versions the model can follow (``Scenario.kubernetes_version``, ``--kubernetes-version``).

Only behaviours that differ between the modelled versions *and* that the model represents are
switched here; every other part of the model follows the newest upstream it cites: KEP-5647's
stale-controller fence (``model.informer``), which only matters with informer caches
(``--caches lagged``: without caches a controller always reads its own writes, and the fence never
holds a reconcile back), and the feature gates of :data:`FEATURE_GATES` (``model.system._versioned_sync``;
docs/semantics.md, "Kubernetes versions").

| behaviour | versions | upstream |
|---|---|---|
| KEP-5647 fence, ReplicaSet (``StaleControllerConsistencyReplicaSet``) | on from 1.36 (beta, default on) | kubernetes/enhancements keps/sig-api-machinery/5647-stale-controller-handling; pkg/features/kube_features.go |
| KEP-5647 fence, StatefulSet (``StaleControllerConsistencyStatefulSet``) | on from 1.36 | same |
| KEP-5647 fence, DaemonSet (``StaleControllerConsistencyDaemonSet``) | on from 1.36 | same |
| ``status.terminatingReplicas`` of ReplicaSets and Deployments (``DeploymentReplicaSetTerminatingReplicas``, KEP-3973) | alpha 1.33 (off), beta 1.35 (on); tracked only with ``Scenario.terminating_replicas`` | kubernetes/kubernetes#128546 (field, 1.32, under ``DeploymentPodReplacementPolicy``), #131088 (own gate, 1.33); pkg/controller/replicaset/replica_set_utils.go calculateStatus; the RC never writes it (#131821) |
| Deployment ``podReplacementPolicy`` (``DeploymentPodReplacementPolicy``, KEP-3973) | alpha in every modelled version (off): not modelled | pkg/features/kube_features.go |
| ``matchLabelKeys`` / ``mismatchLabelKeys`` of pod (anti-)affinity terms (``MatchLabelKeysInPodAffinity``, KEP-3633) | alpha 1.29-1.30 (off: the API server drops them), beta on 1.31, GA 1.33 | pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatchLabelKeys; ``model.apiserver.admit_pod_affinity_label_keys`` |
| ``matchLabelKeys`` of topology spread constraints merged into a Pod's selector at its create (``MatchLabelKeysInPodTopologySpreadSelectorMerge``, kubernetes#129874) | beta on from 1.34 (the scheduler's own merge, ``MatchLabelKeysInPodTopologySpread``, is on in every modelled version) | pkg/registry/core/pod/strategy.go mutateTopologySpreadConstraints; ``model.apiserver.admit_spread_label_keys`` |
| StatefulSet ``maxUnavailable`` (``MaxUnavailableStatefulSet``, KEP-961) | alpha 1.24-1.34 (off); beta on in 1.35.0-1.35.3, off from 1.35.4 and in 1.36 (#137904, #137926: Parallel regression #137409); on again in 1.37 (#139466) | model.statefulset ``StatefulSetGates`` |

A version stands for its newest patch release (1.35 = 1.35.4 or later: ``MaxUnavailableStatefulSet``
off).  The kubelet's terminal phase for a killed pod (kubernetes/kubernetes#115331, 1.27) is in
every modelled version; the model writes it only with ``Scenario.kubelet_terminal_phase``
(docs/semantics.md, kubelet "phase of a deleted pod").
"""

from __future__ import annotations

from model.errors import ModelError

__all__ = ["SUPPORTED_VERSIONS", "DEFAULT_VERSION", "FEATURE_GATES", "parse_version", "stale_controller_fence", "feature_gate"]

#: The minor versions ``--kubernetes-version`` accepts.
SUPPORTED_VERSIONS: tuple[str, ...] = tuple(f"1.{m}" for m in range(28, 38))
#: The newest modelled version (the default).
DEFAULT_VERSION = "1.36"

#: Controller family -> the first minor version whose KEP-5647 feature gate is on by default
#: (pkg/features/kube_features.go: StaleControllerConsistency{ReplicaSet,StatefulSet,DaemonSet,Job},
#: beta and default true from 1.36).  The ReplicationController shares the ReplicaSet code, but
#: the gate names the ReplicaSet controller only: the RC is left without the fence.
_FENCE_FROM: dict[str, int] = {"replicaset": 36, "statefulset": 36, "daemonset": 36}


def parse_version(version: str) -> tuple[int, int]:
    """``"1.35"`` -> ``(1, 35)``; a version outside :data:`SUPPORTED_VERSIONS` is a ``ModelError``.

    >>> parse_version("1.36")
    (1, 36)
    """
    if version not in SUPPORTED_VERSIONS:
        raise ModelError(f"Kubernetes version {version!r} is not modelled; supported: {', '.join(SUPPORTED_VERSIONS)}")
    major, minor = version.split(".")
    return int(major), int(minor)


def stale_controller_fence(version: str, family: str) -> bool:
    """Whether ``family``'s controller waits for its own writes in its cache (KEP-5647) in ``version``.

    >>> stale_controller_fence("1.35", "replicaset"), stale_controller_fence("1.36", "replicaset")
    (False, True)
    >>> stale_controller_fence("1.36", "deployment")
    False
    """
    first = _FENCE_FROM.get(family)
    return first is not None and parse_version(version)[1] >= first


#: Feature gate -> ((first minor version, default), ...) as in pkg/features/kube_features.go's
#: versioned specs, restricted to the gates whose behaviour the model represents; a version before
#: the first entry has the gate off.  The entries are the newest patch release of each minor.
FEATURE_GATES: dict[str, tuple[tuple[int, bool], ...]] = {
    # KEP-3973; kube_features.go: {1.33 Alpha false}, {1.35 Beta true}
    "DeploymentReplicaSetTerminatingReplicas": ((33, False), (35, True)),
    # KEP-3973; {1.32 Alpha false} (it carried terminatingReplicas until #131088 split it off in
    # 1.33; spec.podReplacementPolicy itself is alpha from 1.34): off in every modelled version
    "DeploymentPodReplacementPolicy": ((32, False),),
    # KEP-961; {1.24 Alpha false}, {1.35 Beta true} turned off in 1.35.4 (#137926) and 1.36
    # (#137904), on again from 1.37 (#139466)
    "MaxUnavailableStatefulSet": ((24, False), (35, False), (37, True)),
    # KEP-3633 (matchLabelKeys / mismatchLabelKeys of pod affinity terms); {1.29 Alpha false}, {1.31 Beta true},
    # {1.33 GA true}: with the gate off the API server drops the fields (1.28 does not know them)
    "MatchLabelKeysInPodAffinity": ((29, False), (31, True)),
    # KEP-3243 (matchLabelKeys of topology spread constraints, merged by the scheduler); {1.25 Alpha false},
    # {1.27 Beta true}: on in every modelled version (model.scheduler.spread_constraint_selector)
    "MatchLabelKeysInPodTopologySpread": ((25, False), (27, True)),
    # kubernetes#129874: the API server also merges them into a Pod's labelSelector at its create; {1.34 Beta true}
    "MatchLabelKeysInPodTopologySpreadSelectorMerge": ((34, True),),
}


def feature_gate(version: str, gate: str) -> bool:
    """The default of ``gate`` in ``version`` (:data:`FEATURE_GATES`).

    >>> feature_gate("1.34", "DeploymentReplicaSetTerminatingReplicas"), feature_gate("1.35", "DeploymentReplicaSetTerminatingReplicas")
    (False, True)
    >>> [feature_gate(v, "MaxUnavailableStatefulSet") for v in ("1.34", "1.35", "1.36", "1.37")]
    [False, False, False, True]
    """
    minor = parse_version(version)[1]
    on = False
    for first, default in FEATURE_GATES[gate]:
        if minor >= first:
            on = default
    return on
