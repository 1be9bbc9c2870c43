"""Tiny builders mirroring the helpers of upstream's deployment tests.

``new_deployment``, ``rs``, ``new_rs_with_status``, ``new_replica_set`` mirror
kubernetes/kubernetes pkg/controller/deployment/deployment_controller_test.go;
``generate_deployment``/``generate_rs`` mirror pkg/controller/deployment/util/deployment_util_test.go.
Go zero values are kept where upstream relies on them (generation 0, no progress deadline).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from model.deployment_util import MAX_INT32
from model.frozen import EMPTY, FrozenMap
from model.labels import LabelSelector
from model.objects import (
    ContainerSpec,
    Deployment,
    DeploymentCondition,
    DeploymentStatus,
    DeploymentStrategy,
    IntOrString,
    OwnerReference,
    PodTemplate,
    ReplicaSet,
    ReplicaSetStatus,
)

__all__ = [
    "new_deployment",
    "new_replica_set",
    "rs",
    "new_rs_with_status",
    "new_rs_with_available",
    "current_deployment",
    "generate_deployment",
    "generate_rs",
    "controller_ref",
]


def controller_ref(d: Deployment) -> OwnerReference:
    return OwnerReference("apps/v1", "Deployment", d.name, d.uid, controller=True, block_owner_deletion=True)


def new_deployment(
    name: str,
    replicas: int,
    revision_history_limit: int | None = None,
    max_surge: IntOrString | None = None,
    max_unavailable: IntOrString | None = None,
    selector: Mapping[str, str] | None = None,
) -> Deployment:
    """newDeployment: RollingUpdate with maxSurge/maxUnavailable 0 unless given, no deadline."""
    labels = FrozenMap(selector or {})
    return Deployment(
        name=name,
        uid=f"uid-{name}",
        generation=0,
        replicas=replicas,
        selector=LabelSelector(match_labels=labels),
        template=PodTemplate(labels=labels, containers=(ContainerSpec(name="", image="foo/bar"),)),
        strategy=DeploymentStrategy(
            type="RollingUpdate",
            max_surge=0 if max_surge is None else max_surge,
            max_unavailable=0 if max_unavailable is None else max_unavailable,
        ),
        revision_history_limit=MAX_INT32 if revision_history_limit is None else revision_history_limit,
        progress_deadline_seconds=MAX_INT32,  # nil in upstream's helper: no deadline
    )


def new_replica_set(d: Deployment, name: str, replicas: int) -> ReplicaSet:
    """newReplicaSet: owned by ``d``, its selector and template."""
    return ReplicaSet(
        name=name,
        uid=f"uid-{name}",
        generation=0,
        labels=d.selector.match_labels if d.selector is not None else EMPTY,
        owner_references=(controller_ref(d),),
        selector=d.selector,
        replicas=replicas,
        template=d.template,
    )


def rs(name: str, replicas: int, selector: Mapping[str, str] | None = None, timestamp: int = 0) -> ReplicaSet:
    """rs: an unowned RS with an empty template; ``timestamp`` is the creation order (0 = zero time)."""
    return ReplicaSet(
        name=name,
        uid=f"uid-{name}",
        generation=0,
        creation_index=timestamp,
        replicas=replicas,
        selector=LabelSelector(match_labels=FrozenMap(selector or {})),
    )


def new_rs_with_status(name: str, spec_replicas: int, status_replicas: int, selector: Mapping[str, str] | None = None) -> ReplicaSet:
    return replace(rs(name, spec_replicas, selector), status=ReplicaSetStatus(replicas=status_replicas))


def new_rs_with_available(name: str, spec_replicas: int, status_replicas: int, available_replicas: int) -> ReplicaSet:
    """progress_test.go newRSWithAvailable."""
    status = ReplicaSetStatus(replicas=status_replicas, available_replicas=available_replicas)
    return replace(rs(name, spec_replicas), status=status)


def current_deployment(
    pds: int | None,
    replicas: int,
    status_replicas: int,
    updated_replicas: int,
    available_replicas: int,
    conditions: tuple[DeploymentCondition, ...] = (),
    *,
    progress_deadline_elapsed: bool = False,
) -> Deployment:
    """progress_test.go currentDeployment (Recreate strategy, observed generation)."""
    return Deployment(
        name="progress-test",
        generation=0,
        replicas=replicas,
        progress_deadline_seconds=MAX_INT32 if pds is None else pds,
        strategy=DeploymentStrategy(type="Recreate"),
        status=DeploymentStatus(
            replicas=status_replicas,
            updated_replicas=updated_replicas,
            available_replicas=available_replicas,
            conditions=conditions,
        ),
        progress_deadline_elapsed=progress_deadline_elapsed,
    )


def generate_deployment(image: str) -> Deployment:
    """deployment_util_test.go generateDeployment."""
    labels = FrozenMap({"name": image})
    return Deployment(
        name=image,
        uid=f"uid-d-{image}",
        replicas=1,
        selector=LabelSelector(match_labels=labels),
        template=PodTemplate(labels=labels, containers=(ContainerSpec(name=image, image=image),)),
    )


def generate_rs(d: Deployment, name: str, *, timestamp: int = 0, replicas: int = 0) -> ReplicaSet:
    """deployment_util_test.go generateRS (name and UID given instead of random)."""
    return ReplicaSet(
        name=name,
        uid=f"uid-{name}",
        creation_index=timestamp,
        labels=d.template.labels,
        owner_references=(controller_ref(d),),
        replicas=replicas,
        template=d.template,
        selector=LabelSelector(match_labels=d.template.labels),
    )

