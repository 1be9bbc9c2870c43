"""Partial-order reduction on the Kubernetes model (model.footprint): declared footprints checked at
run time on the golden scenarios, and the same verdicts with and without the reduction."""

from __future__ import annotations

from typing import Any

import pytest

from kubecheck.core import Verdict, invariant
from kubecheck.core.explorer import explore
from kubecheck.core.por import POR_CHECK_ENV
from model.footprint import FOOTPRINT_CHECK_ENV, FootprintError, PorSystem, check_step
from properties.catalogue import pod_ips_unique, single_controller_owner

from tests.model.test_golden_counts import BUILDERS

#: golden scenarios small enough for the debug mode (every step checked, every ample choice
#: checked for commutation with every other enabled action)
SMALL = [
    ("rs_crash", "write"),
    ("rs_crash", "reconcile"),
    ("sts_scale", "write"),
    ("crash_stale", "write"),
    ("cascade_delete", "reconcile"),
    ("rollout_small", "reconcile"),
    ("rollout_small", "write"),
]


def _props(system: Any) -> list[Any]:
    cluster = system.scenario.initial
    return [
        *single_controller_owner.instantiate(cluster),
        *pod_ips_unique.instantiate(cluster),
        invariant("NO-FAILED", "no pod is Failed", lambda s: all(p.phase != "Failed" for p in s.cluster.pods.values()),
                  reads=frozenset({("Pod", "phase")})),
    ]


@pytest.mark.parametrize("name,granularity", SMALL, ids=[f"{n}-{g}" for n, g in SMALL])
def test_golden_scenarios_touch_only_declared_locations_and_keep_their_verdicts(name: str, granularity: str, monkeypatch: Any) -> None:
    monkeypatch.setenv(FOOTPRINT_CHECK_ENV, "1")
    monkeypatch.setenv(POR_CHECK_ENV, "1")
    scenario = BUILDERS[name](granularity).scenario
    full = explore(PorSystem(scenario), _props(PorSystem(scenario)), check_deadlock=True, progress="off")
    red = explore(PorSystem(scenario), _props(PorSystem(scenario)), check_deadlock=True, por=True, progress="off")
    assert full.complete and red.complete
    assert [(r.property.rule_id, r.verdict) for r in red.results] == [(r.property.rule_id, r.verdict) for r in full.results]
    assert red.stats.states <= full.stats.states
    assert red.reductions == ("por",)


def test_a_seeded_bug_is_still_found_with_the_reduction(monkeypatch: Any) -> None:
    """Every new sandbox gets the same IP (a broken IPAM): KC-SBX-002 is VIOLATED with and without POR."""
    import model.kubelet as kubelet

    monkeypatch.setattr(kubelet, "fresh_pod_ip", lambda state: f"{kubelet.IP_PREFIX}1")
    scenario = BUILDERS["rollout_small"]("reconcile").scenario
    props = list(pod_ips_unique.instantiate(scenario.initial))
    full = explore(PorSystem(scenario), props, progress="off")
    red = explore(PorSystem(scenario), props, por=True, progress="off")
    assert full.results[0].verdict is red.results[0].verdict is Verdict.VIOLATED
    trace = red.results[0].trace
    ips = [p.sandbox.ip for p in trace.states()[-1].cluster.pods.values() if p.sandbox is not None]
    assert len(ips) != len(set(ips))


def test_debug_mode_rejects_an_undeclared_write() -> None:
    """A step that writes outside its declaration (here: the user's set image that would also
    relabel a pod) is refused by the checker."""
    from dataclasses import replace

    system = PorSystem(BUILDERS["rollout_small"]("reconcile").scenario)
    state = system.init_states()[0]
    action, nxt = next((a, t) for a, t in system.successors(state) if a.label == "user_update_image_deployment")
    pods = nxt.cluster.pods
    key = next(iter(pods.keys()))
    forged = replace(nxt, cluster=nxt.cluster.put(replace(pods[key], labels=pods[key].labels.set("x", "y"))))
    check_step(system, state, action, nxt)  # the real step passes
    with pytest.raises(FootprintError, match="labels"):
        check_step(system, state, action, forged)


def test_stale_reads_switch_the_reduction_off() -> None:
    system = PorSystem(BUILDERS["crash_stale"]("write").scenario)
    assert system.potential(system.init_states()[0]) is None
