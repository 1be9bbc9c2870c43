"""Kubernetes versions the model can follow (``Scenario.kubernetes_version``, ``--kubernetes-version``).

Only behaviours that differ between the modelled versions *and* that the model represents are
switched here; every other part of the model follows the newest upstream it cites.  Today that is
KEP-5647's stale-controller fence (``model.informer``), which only matters with informer caches
(``--caches lagged``): without caches a controller always reads its own writes, and the fence never
holds a reconcile back.

| behaviour | versions | upstream |
|---|---|---|
| KEP-5647 fence, ReplicaSet (``StaleControllerConsistencyReplicaSet``) | on from 1.36 (beta, default on) | kubernetes/enhancements keps/sig-api-machinery/5647-stale-controller-handling; pkg/features/kube_features.go |
| KEP-5647 fence, StatefulSet (``StaleControllerConsistencyStatefulSet``) | on from 1.36 | same |
| KEP-5647 fence, DaemonSet (``StaleControllerConsistencyDaemonSet``) | on from 1.36 | same |
"""

from __future__ import annotations

from model.errors import ModelError

__all__ = ["SUPPORTED_VERSIONS", "DEFAULT_VERSION", "parse_version", "stale_controller_fence"]

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
