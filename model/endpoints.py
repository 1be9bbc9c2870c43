"""Which pods a Service's EndpointSlice lists as ready: the count KC-ROLL-004 (zero downtime) uses.

There is no endpoint controller step in the model: endpoints are a function of the state
(docs/semantics.md#properties, KC-ROLL-004). Upstream:
staging/src/k8s.io/endpointslice/util/controller_utils.go ``ShouldPodBeInEndpoints`` (not
Succeeded/Failed, has a pod IP, terminating only when included) and staging/src/k8s.io/endpointslice/utils.go
``podToEndpoint`` (``ready := service.Spec.PublishNotReadyAddresses || podutil.IsPodReady(pod)``).
"""

from __future__ import annotations

from model.objects import Pod, Service
from model.state import ClusterState

__all__ = ["selects", "serving_endpoint", "serving_endpoints"]


def selects(svc: Service, pod: Pod) -> bool:
    """The Service's selector matches the pod, in its namespace (an empty selector selects nothing here:
    upstream's endpoint controllers skip a Service without a selector)."""
    return bool(svc.selector) and pod.namespace == svc.namespace and all(
        pod.labels.get(k) == v for k, v in svc.selector.items()
    )


def serving_endpoint(svc: Service, pod: Pod) -> bool:
    """Whether ``pod`` (selected by ``svc``) counts as a ready endpoint.

    A Ready pod; or, with ``publishNotReadyAddresses``, any pod with an IP that is not
    Succeeded/Failed. Never a terminating pod: stricter than upstream for
    ``publishNotReadyAddresses`` (there a terminating pod stays listed as ready), so fewer
    endpoints are counted and a violation is never missed.
    """
    if pod.deletion_timestamp is not None:
        return False
    if pod.conditions.ready:
        return True
    return svc.publish_not_ready_addresses and pod.pod_ip is not None and pod.phase not in ("Succeeded", "Failed")


def serving_endpoints(c: ClusterState, svc: Service) -> tuple[Pod, ...]:
    """The selected pods that count as ready endpoints, in key order."""
    return tuple(p for p in c.pods.values() if selects(svc, p) and serving_endpoint(svc, p))
