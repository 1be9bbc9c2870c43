"""KC-OWN-005 (creator ownership), KC-CONV-004 (template currency), KC-STS-006 (partition pinning):
each with a holding and a violating example (issue #19 item 6)."""

from __future__ import annotations

from dataclasses import replace

from kubecheck.core.verdict import Verdict
from model.environment import DeleteObject, SetImage
from model.frozen import FrozenMap
from properties import get_rule
from tests.properties.helpers import (
    assert_holds,
    check,
    deployment_yaml,
    rc_yaml,
    replicaset_yaml,
    settled_cluster,
    settled_system,
    statefulset_yaml,
    verdicts,
)

TWO_RS = replicaset_yaml("web", app="web") + replicaset_yaml("other", app="web")


def test_own_005_orphan_then_adopt_by_another_replicaset_is_flagged() -> None:
    """kubectl delete rs web --cascade=orphan: its pod is released and RS "other" (same selector) adopts it."""
    system = settled_system(TWO_RS, user_actions=(DeleteObject("ReplicaSet", "web", "Orphan"),))
    result = check(system, ["KC-OWN-005"])
    assert verdicts(result)["KC-OWN-005"] is Verdict.VIOLATED
    labels = [s.label for s in result.result("KC-OWN-005").trace.steps]
    assert labels[0] == "user_delete_rs" and labels[-1].startswith("rs_")
    assert get_rule("KC-OWN-005").severity == "warning"


def test_own_005_background_delete_leaves_nothing_to_adopt() -> None:
    system = settled_system(TWO_RS, user_actions=(DeleteObject("ReplicaSet", "web", "Background"),))
    assert_holds(check(system, ["KC-OWN-005"]), "KC-OWN-005")


def test_own_005_recreating_the_same_workload_after_an_orphan_delete_is_its_creator() -> None:
    """The documented way to keep pods across a replacement: the same kind and name adopts them;
    another name does not (a pod's creator is read from its generateName)."""
    from model.objects import OwnerReference

    c = settled_cluster(replicaset_yaml("web"))
    pod = next(iter(c.pods.values()))
    assert pod.generate_name == "web-"
    orphan = replace(pod, owner_references=())
    before = c.put(orphan)

    def adopted_by(name: str, uid: str) -> object:
        ref = OwnerReference("apps/v1", "ReplicaSet", name, uid, controller=True, block_owner_deletion=True)
        return before.put(replace(orphan, owner_references=(ref,)))

    own = get_rule("KC-OWN-005").check
    assert own(before, None, adopted_by("web", "uid-new"))  # a re-created "web": the creator
    assert not own(before, None, adopted_by("other", "uid-other"))
    assert own(c, None, c)  # nothing changes hands


def test_conv_004_rc_template_edit_never_reaches_running_pods() -> None:
    system = settled_system(rc_yaml("legacy", app="legacy"), user_actions=(SetImage("ReplicationController", "legacy", "nginx:2"),))
    result = check(system, ["KC-CONV-004"])
    assert verdicts(result)["KC-CONV-004"] is Verdict.VIOLATED
    assert [s.label for s in result.result("KC-CONV-004").trace.steps] [:1] == ["user_update_image_rc"]


def test_conv_004_holds_for_deployment_replicasets_and_untouched_rcs() -> None:
    system = settled_system(deployment_yaml("web", replicas=1, service=False), user_actions=(SetImage("Deployment", "web", "nginx:2"),))
    assert all(v is Verdict.HOLDS for v in verdicts(check(system, ["KC-CONV-004"])).values())
    assert_holds(check(settled_system(rc_yaml("legacy", app="legacy")), ["KC-CONV-004"]), "KC-CONV-004")


def _partitioned(partition: int) -> str:
    return statefulset_yaml("db", replicas=3, claims=False, policy="Parallel").replace(
        "  podManagementPolicy: Parallel\n",
        f"  podManagementPolicy: Parallel\n  updateStrategy: {{type: RollingUpdate, rollingUpdate: {{partition: {partition}}}}}\n",
    )


def test_sts_006_a_pod_below_the_partition_deleted_during_a_canary_comes_back_on_the_current_revision() -> None:
    system = settled_system(_partitioned(2), user_actions=(SetImage("StatefulSet", "db", "postgres:17"), DeleteObject("Pod", "db-0")))
    result = check(system, ["KC-STS-006", "KC-CONV-003"])
    assert_holds(result, "KC-STS-006")
    # the canary did update db-2 (ordinal >= partition) somewhere
    assert result.stats.states > 10


def test_sts_006_raising_the_partition_over_an_updated_pod_is_flagged() -> None:
    """db-2 and db-1 were updated with partition 0 (highest ordinal first); the partition is then raised to 3:
    the updated pods are below it and run the update revision."""
    system = settled_system(_partitioned(0), user_actions=(SetImage("StatefulSet", "db", "postgres:17"),))
    rule = get_rule("KC-STS-006")
    # walk the rollout until db-2 runs the update revision
    s = system.init_states()[0]
    for _ in range(200):
        st = s.cluster.stateful_sets[("default", "db")]
        upd = st.status.update_revision
        pods = {p.name: p for p in s.cluster.pods.values()}
        if upd and upd != st.status.current_revision and pods.get("db-2") is not None and pods["db-2"].labels.get("controller-revision-hash") == upd:
            break
        s = next(n for a, n in system.successors(s) if a.fair or a.label.startswith("user_"))
    else:
        raise AssertionError("db-2 never updated")
    target = ("StatefulSet", "default", "db")
    assert rule.check(s.cluster, target)  # partition 0: nothing is below it
    raised = replace(st, update_strategy=replace(st.update_strategy, partition=3))
    assert not rule.check(s.cluster.put(raised), target)


# ------------------------------------------------------------------ KC-STS-007 (claim identity)


def _retained(when_scaled: str) -> str:
    return statefulset_yaml("db", replicas=2, policy="Parallel").replace(
        "  podManagementPolicy: Parallel\n",
        f"  podManagementPolicy: Parallel\n  persistentVolumeClaimRetentionPolicy: {{whenDeleted: Retain, whenScaled: {when_scaled}}}\n",
    )


def _scale_down_up() -> tuple[object, object]:
    from model.environment import ScaleWorkload
    from model.sequence import After

    down = ScaleWorkload("StatefulSet", "db", 1)
    return down, After(ScaleWorkload("StatefulSet", "db", 2), (down,), converged=True)


def test_sts_007_whenscaled_retain_gives_the_ordinal_its_claim_back() -> None:
    system = settled_system(_retained("Retain"), user_actions=_scale_down_up())
    result = check(system, ["KC-STS-007", "KC-STS-003"])
    assert_holds(result, "KC-STS-007")
    assert_holds(result, "KC-STS-003")
    assert get_rule("KC-STS-007").severity == "warning" and not get_rule("KC-STS-007").default


def test_sts_007_whenscaled_delete_loses_the_claim_of_a_scaled_down_ordinal() -> None:
    system = settled_system(_retained("Delete"), user_actions=_scale_down_up())
    result = check(system, ["KC-STS-007", "KC-STS-003"])
    assert verdicts(result)["KC-STS-007"] is Verdict.VIOLATED
    assert_holds(result, "KC-STS-003")  # names only: the claim name is the same when it comes back
    labels = [s.label for s in result.result("KC-STS-007").trace.steps]
    assert labels[0] == "user_scale_statefulset" and labels[-1] == "gc_delete_pvc"


def test_sts_007_compares_uids_not_names() -> None:
    """A claim replaced under the same name (a new UID) is flagged; an unchanged one, or a set that is
    being deleted, is not."""
    c = settled_cluster(statefulset_yaml("db", replicas=1))
    rule = get_rule("KC-STS-007")
    target = ("StatefulSet", "default", "db")
    (claim,) = c.objects("PersistentVolumeClaim", "default")
    assert claim.name == "data-db-0"
    assert rule.check(c, None, c, target)
    renewed = c.put(replace(claim, uid="uid-99"))
    assert not rule.check(c, None, renewed, target)
    assert not rule.check(c, None, c.remove("PersistentVolumeClaim", "default", "data-db-0"), target)
    sts = c.get("StatefulSet", "default", "db")
    deleting = renewed.put(replace(sts, deletion_timestamp=1))
    assert rule.check(c, None, deleting, target)
