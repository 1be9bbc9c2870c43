"""KC-OWN-001..004: controller references and overlapping selectors."""

from __future__ import annotations

from model.environment import RelabelPods, SetImage
from model.frozen import FrozenMap
from tests.mutation.mutants import MUTANTS
from tests.mutation.scenarios import build
from tests.properties.helpers import (
    assert_holds,
    assert_violated,
    check,
    deployment_yaml,
    rc_yaml,
    replicaset_yaml,
    settled_system,
)

OWN = ["KC-OWN-001", "KC-OWN-002", "KC-OWN-003", "KC-OWN-004"]


def test_rs_and_rc_with_overlapping_selectors_do_not_fight_but_overlap() -> None:
    """A bare RS and an RC selecting app=web: ControllerRef keeps each to its own pod (KC-OWN-001/003
    hold, both converge), yet each pod is selected by both, which KC-OWN-004 flags in the first state.
    A pod relabelled out of both selectors is released and replaced (KC-OWN-002)."""
    system = settled_system(
        replicaset_yaml() + rc_yaml(app="web"),
        user_actions=(RelabelPods(FrozenMap(app="web"), FrozenMap(app="debug")),),
    )
    result = check(system, OWN + ["KC-CONV-001"])
    assert_holds(result, "KC-OWN-001", "KC-OWN-002", "KC-OWN-003", "KC-CONV-001.default.web", "KC-CONV-001.default.legacy")
    assert_violated(result, "KC-OWN-004", [])


def test_two_deployments_with_overlapping_selectors_and_different_templates_do_not_overlap() -> None:
    """Their ReplicaSets' selectors carry different pod-template-hash values."""
    text = deployment_yaml("a", app="web", service=False) + deployment_yaml("b", app="web", image="nginx:2", service=False)
    result = check(settled_system(text), OWN + ["KC-CONV-002"])
    assert_holds(result, *OWN, "KC-CONV-002.default.a", "KC-CONV-002.default.b")


def test_two_deployments_with_overlapping_selectors_and_the_same_template_overlap() -> None:
    """Identical templates hash alike: the two Deployments' ReplicaSets have identical selectors."""
    text = deployment_yaml("a", app="web", service=False) + deployment_yaml("b", app="web", service=False)
    result = check(settled_system(text), OWN)
    assert_holds(result, "KC-OWN-001", "KC-OWN-002", "KC-OWN-003")
    assert_violated(result, "KC-OWN-004", [])


def test_rolling_one_deployment_to_the_others_template_makes_them_overlap() -> None:
    text = deployment_yaml("a", app="web", service=False) + deployment_yaml("b", app="web", image="nginx:2", service=False)
    system = settled_system(text, user_actions=(SetImage("Deployment", "a", "nginx:2"),))
    result = check(system, OWN)
    assert result.stats.states == 1224
    assert_holds(result, "KC-OWN-001", "KC-OWN-002", "KC-OWN-003")
    assert_violated(result, "KC-OWN-004", ["user_update_image_deployment", "dc_create_rs"])


def test_own_001_violated_by_adopting_a_pod_another_controller_owns() -> None:
    build("rs_rc_overlap")
    with MUTANTS["adopt_pods_of_another_controller"].patch():
        result = check(build("rs_rc_overlap"), ["KC-OWN-001"])
    assert_violated(result, "KC-OWN-001", ["rs_remove_owner_ref"])


def test_own_002_violated_by_a_controller_that_never_releases() -> None:
    build("rs_relabel")
    with MUTANTS["release_never"].patch():
        result = check(build("rs_relabel"), ["KC-OWN-002"])
    assert_violated(result, "KC-OWN-002", ["user_relabel_pod", "rs_update_status"], loop_start=2)


def test_own_003_violated_by_a_controller_that_steals_pods() -> None:
    build("rs_rc_overlap")
    with MUTANTS["steal_pods_of_another_controller"].patch():
        result = check(build("rs_rc_overlap"), ["KC-OWN-003", "KC-OWN-001"])
    assert_violated(result, "KC-OWN-003", ["rs_remove_owner_ref"])
    assert_holds(result, "KC-OWN-001")  # one controller ref at a time: only the switch gives it away
