"""KC-ROLL-004 and ``spec.publishNotReadyAddresses`` (issue 18 item 6).

A headless Service with ``publishNotReadyAddresses: true`` keeps a selected pod as an endpoint
whether or not it is Ready (upstream ``podToEndpoint``: ``ready := PublishNotReadyAddresses ||
IsPodReady``). The 1-replica StatefulSet behind it (the usual ZooKeeper/etcd peer-discovery
Service) is therefore not down when its container crashes; without the field it is.
"""

from __future__ import annotations

import pytest

from model.environment import FaultBudget
from model.manifests import load_text
from model.objects import replace
from model.endpoints import serving_endpoint
from tests.properties.helpers import assert_holds, assert_violated, check, settled_system


def zk_yaml(publish: bool | None) -> str:
    field = "" if publish is None else f"\n  publishNotReadyAddresses: {str(publish).lower()}"
    return f"""
apiVersion: v1
kind: Service
metadata: {{name: zk}}
spec:
  clusterIP: None{field}
  selector: {{app: zk}}
  ports: [{{port: 2181}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: zk}}
spec:
  serviceName: zk
  replicas: 1
  selector: {{matchLabels: {{app: zk}}}}
  template:
    metadata: {{labels: {{app: zk}}}}
    spec:
      containers: [{{name: zk, image: zookeeper:3.8}}]
"""


def test_the_field_is_loaded_and_defaults_to_false() -> None:
    assert load_text(zk_yaml(True)).objects[0].publish_not_ready_addresses is True
    assert load_text(zk_yaml(False)).objects[0].publish_not_ready_addresses is False
    assert load_text(zk_yaml(None)).objects[0].publish_not_ready_addresses is False


def test_a_non_boolean_is_a_decode_error_with_its_line() -> None:
    errors = load_text(zk_yaml(True).replace("publishNotReadyAddresses: true", "publishNotReadyAddresses: sure"), "zk.yaml").errors
    assert [str(e) for e in errors] == ["zk.yaml:7: spec.publishNotReadyAddresses: expected boolean, got string \"sure\""]


@pytest.mark.parametrize("publish", [True, False, None])
def test_a_crashed_container_takes_the_statefulset_down_only_without_publish_not_ready_addresses(publish: bool | None) -> None:
    result = check(settled_system(zk_yaml(publish), faults=FaultBudget(container_crash=1)), ["KC-ROLL-004"])
    if publish:
        assert_holds(result, "KC-ROLL-004")
    else:
        assert_violated(result, "KC-ROLL-004", ["fault_crash_container", "kubelet_update_status"])


def test_serving_endpoint_follows_upstream_pod_to_endpoint() -> None:
    """Not Ready counts only with the field, and only with an IP, not terminal, not terminating."""
    from tests.properties.helpers import settled_cluster

    c = settled_cluster(zk_yaml(True))
    svc = next(iter(c.services.values()))
    pod = next(iter(c.pods.values()))
    assert pod.conditions.ready and pod.pod_ip is not None
    not_ready = replace(pod, conditions=replace(pod.conditions, ready=False))
    plain = replace(svc, publish_not_ready_addresses=False)
    assert serving_endpoint(svc, not_ready) and not serving_endpoint(plain, not_ready)
    assert serving_endpoint(plain, pod)
    assert not serving_endpoint(svc, replace(not_ready, sandbox=None))  # no IP: not in the slice
    assert not serving_endpoint(svc, replace(not_ready, phase="Failed"))  # terminal
    assert not serving_endpoint(svc, replace(pod, deletion_timestamp=1))  # terminating (stricter than upstream)


def test_the_service_lane_shows_the_endpoints_the_rule_counts() -> None:
    """The trace view (model.system._summary) and the rule share model.endpoints: a not-Ready pod is a
    ready endpoint in the lane only behind a Service with publishNotReadyAddresses."""
    from model.system import _summary
    from tests.properties.helpers import settled_cluster

    c = settled_cluster(zk_yaml(True))
    svc = next(iter(c.services.values()))
    pod = next(iter(c.pods.values()))
    c2 = c.put(replace(pod, conditions=replace(pod.conditions, ready=False)))
    assert _summary("Service", svc, c2).endswith("ready-endpoints=zk-0")
    assert _summary("Service", replace(svc, publish_not_ready_addresses=False), c2).endswith("ready-endpoints=none")
