"""``kubectl rollout status``'s verdict on a Deployment, StatefulSet or DaemonSet.

Mirrors kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go
(``DeploymentStatusViewer.Status``, ``StatefulSetStatusViewer.Status``, ``DaemonSetStatusViewer.Status``):
each returns ``(message, done, error)`` (messages end in a newline, as upstream's); ``kubectl rollout status``
waits while ``done`` is false and the
error is empty, succeeds when ``done`` is true without error, and fails on an error (a Deployment past
its progress deadline, or a workload without the RollingUpdate strategy).  The ``revision`` argument and
the warnings ``appendWarning`` adds from pod lists are left out (they change only the text).

Scenario files read these through ``when:`` conditions (``model.sequence.When``).
"""

from __future__ import annotations

from typing import Any

from model.deployment_util import TIMED_OUT_REASON, get_deployment_condition
from model.objects import DaemonSet, Deployment, StatefulSet

__all__ = ["daemon_set_status", "deployment_status", "rollout_status", "stateful_set_status"]

#: (message, done, error) as the upstream StatusViewer's Status
Status = tuple[str, bool, str]


def deployment_status(d: Deployment) -> Status:
    """``DeploymentStatusViewer.Status`` (revision 0: any revision)."""
    if d.generation <= d.status.observed_generation:
        cond = get_deployment_condition(d.status, "Progressing")
        if cond is not None and cond.reason == TIMED_OUT_REASON:
            return "", False, f'deployment "{d.name}" exceeded its progress deadline'
        st = d.status
        if st.updated_replicas < d.replicas:
            return (f'Waiting for deployment "{d.name}" rollout to finish: {st.updated_replicas} out of {d.replicas} '
                    "new replicas have been updated...\n"), False, ""
        if st.replicas > st.updated_replicas:
            return (f'Waiting for deployment "{d.name}" rollout to finish: {st.replicas - st.updated_replicas} old '
                    "replicas are pending termination...\n"), False, ""
        if st.available_replicas < st.updated_replicas:
            return (f'Waiting for deployment "{d.name}" rollout to finish: {st.available_replicas} of '
                    f"{st.updated_replicas} updated replicas are available...\n"), False, ""
        return f'deployment "{d.name}" successfully rolled out\n', True, ""
    return "Waiting for deployment spec update to be observed...\n", False, ""


def daemon_set_status(ds: DaemonSet) -> Status:
    """``DaemonSetStatusViewer.Status``."""
    if ds.update_strategy.type != "RollingUpdate":
        return "", True, "rollout status is only available for RollingUpdate strategy type"
    st = ds.status
    if ds.generation <= st.observed_generation:
        if st.updated_number_scheduled < st.desired_number_scheduled:
            return (f'Waiting for daemon set "{ds.name}" rollout to finish: {st.updated_number_scheduled} out of '
                    f"{st.desired_number_scheduled} new pods have been updated...\n"), False, ""
        if st.number_available < st.desired_number_scheduled:
            return (f'Waiting for daemon set "{ds.name}" rollout to finish: {st.number_available} of '
                    f"{st.desired_number_scheduled} updated pods are available...\n"), False, ""
        return f'daemon set "{ds.name}" successfully rolled out\n', True, ""
    return "Waiting for daemon set spec update to be observed...\n", False, ""


def stateful_set_status(s: StatefulSet) -> Status:
    """``StatefulSetStatusViewer.Status``.  ``has_rolling_update`` is upstream's non-nil
    ``spec.updateStrategy.rollingUpdate`` (whose ``partition`` the defaults always set)."""
    if s.update_strategy.type != "RollingUpdate":
        return "", True, "rollout status is only available for RollingUpdate strategy type"
    st = s.status
    if st.observed_generation == 0 or s.generation > st.observed_generation:
        return "Waiting for statefulset spec update to be observed...\n", False, ""
    if st.ready_replicas < s.replicas:
        return f"Waiting for {s.replicas - st.ready_replicas} pods to be ready...\n", False, ""
    if s.update_strategy.has_rolling_update:
        want = s.replicas - s.update_strategy.partition
        if st.updated_replicas < want:
            return (f"Waiting for partitioned roll out to finish: {st.updated_replicas} out of {want} new pods "
                    "have been updated...\n"), False, ""
        return f"partitioned roll out complete: {st.updated_replicas} new pods have been updated...\n", True, ""
    if st.update_revision != st.current_revision:
        return (f"waiting for statefulset rolling update to complete {st.updated_replicas} pods at revision "
                f"{st.update_revision}...\n"), False, ""
    return (f"statefulset rolling update complete {st.current_replicas} pods at revision "
            f"{st.current_revision}...\n"), True, ""


def rollout_status(obj: Any) -> Status:
    """``StatusViewerFor(kind).Status(obj, 0)`` for the three kinds that have a viewer."""
    if isinstance(obj, Deployment):
        return deployment_status(obj)
    if isinstance(obj, StatefulSet):
        return stateful_set_status(obj)
    if isinstance(obj, DaemonSet):
        return daemon_set_status(obj)
    raise TypeError(f"no status viewer has been implemented for {type(obj).__name__}")
