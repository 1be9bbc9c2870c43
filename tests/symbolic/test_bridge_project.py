"""``kubecheck.symbolic.bridge.project`` on a state outside the count model.

Regression (found by mypy: ``ClusterState.get`` is Optional): a state without the rollout's
Deployment used to fail with ``AttributeError: 'NoneType' object has no attribute 'template'``;
it is now the same ``ValueError`` as the other states the count model cannot project.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from kubecheck.symbolic.bridge import NAME, project, rollout_scenario


def test_project_counts_the_initial_rollout_state() -> None:
    _, state = rollout_scenario(2, 1, 0)
    # Steady state of 2 replicas, then the image change: the old RS has 2 available pods, no new RS yet.
    assert project(state) == (0, 0, 0, 0, 2, 0, 2, 2, 0, 0)


def test_project_without_the_deployment_is_a_value_error() -> None:
    _, state = rollout_scenario(2, 1, 0)
    gone = replace(state, cluster=state.cluster.remove("Deployment", "default", NAME))
    with pytest.raises(ValueError, match=f"no Deployment default/{NAME}"):
        project(gone)
