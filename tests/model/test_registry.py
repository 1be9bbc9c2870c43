"""The registry of controllers and timers (model.records, model.registry): every registered record is
complete, the transition system runs exactly the registered controllers, and every action label a
controller or timer produces in explored spaces is one it declares."""

from __future__ import annotations

from collections import deque

import pytest

from model.objects import KINDS
from model.records import Controller, Timer
from model.registry import CONTROLLERS, TIMERS
from model.system import ACTOR_FAMILIES, KubeSystem
from tests.model.test_golden_counts import cascade_delete, node_failure, rollout_small, rs_crash, sts_scale


def test_every_registered_controller_has_a_complete_record() -> None:
    names = [c.name for c in CONTROLLERS]
    prefixes = [c.prefix for c in CONTROLLERS]
    assert len(set(names)) == len(names) and len(set(prefixes)) == len(prefixes)
    for c in CONTROLLERS:
        assert isinstance(c, Controller)
        assert callable(c.sync) and callable(c.label)
        assert c.kind == "" or c.kind in KINDS, c
        assert c.kind or c.keys is not None, f"{c.name}: a controller of no kind needs its work keys"
        assert c.actions and all(a.startswith(f"{c.prefix}_") for a in c.actions), c.name
        assert all(k in KINDS for k in c.appears_with), c.name
        # the sync is the module's own function, imported directly, not a string
        assert c.sync.__module__.startswith("model."), c.name
    assert tuple(ACTOR_FAMILIES[: len(CONTROLLERS)]) == tuple(names)


def test_every_registered_timer_has_a_complete_record() -> None:
    from model.system import Scenario

    assert len({t.name for t in TIMERS}) == len(TIMERS)
    for t in TIMERS:
        assert isinstance(t, Timer) and callable(t.steps) and t.actions
        assert all(a.startswith("expiry_") for a in t.actions)
        assert t.opt_in is None or t.opt_in in Scenario.__dataclass_fields__, t.name


def _labels(system: KubeSystem, cap: int = 3000) -> set[tuple[str, str]]:
    s0 = system.init_states()[0]
    seen = {s0}
    queue = deque(seen)
    out: set[tuple[str, str]] = set()
    while queue and len(seen) < cap:
        s = queue.popleft()
        for a, t in system.successors(s):
            out.add((a.actor.split("/")[0], a.label))
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return out


@pytest.mark.parametrize("build", [rollout_small, rs_crash, sts_scale, node_failure, cascade_delete])
def test_explored_labels_are_the_declared_ones(build: object) -> None:
    """Action names are declared by the controller: a label outside its ``actions`` fails."""
    by_family = {c.name: c for c in CONTROLLERS}
    timer_labels = frozenset().union(*(t.actions for t in TIMERS))
    checked = 0
    for family, label in _labels(build("write")):  # type: ignore[operator]
        if family in by_family:
            assert label.removesuffix("_on_stale_view") in by_family[family].actions, (family, label)
            checked += 1
        elif family == "clock":
            assert label in timer_labels, label
    assert checked > 0


def test_a_controller_of_no_kind_without_work_keys_is_refused_by_the_guard() -> None:
    """The completeness guard above is not vacuous: a record missing its keys fails it."""
    bad = Controller("x", "x", "", lambda c, k: (), frozenset({"x_update_status"}))
    assert not (bad.kind or bad.keys is not None)
