"""kubecheck.core.reductions: one planner says which property may use which reduction; the explorer
refuses exactly what the planner refuses, and the pipeline splits the rules by the same answer."""

from __future__ import annotations

from typing import Any

import pytest

from kubecheck.core.errors import InvalidScenario, UnsoundCombination
from kubecheck.core.explorer import explore
from kubecheck.core.properties import (
    DEADLOCK_FREEDOM,
    Property,
    action_property,
    always_eventually,
    eventually_always,
    invariant,
    sometimes,
)
from kubecheck.core.reductions import (
    Reduction,
    fingerprint_refusal,
    may_use_fingerprint,
    may_use_symmetry,
    reductions_of,
    split_by_reductions,
    symmetry_refusal,
)
from kubecheck.core.ts import Action, BaseSystem

PROPS = [
    invariant("INV", "inv", lambda s: s < 100),
    invariant("ASYM", "asymmetric", lambda s: s < 100, symmetric=False),
    sometimes("SOME", "some", lambda s: s == 3),
    action_property("ACT", "act", lambda s, a, t: True),
    eventually_always("EA", "ea", lambda s: True),
    always_eventually("AE", "ae", lambda s: True),
]


class _Mod(BaseSystem[int]):
    """0..4 in a ring, with a (trivial) canonical form so symmetry may run."""

    def init_states(self) -> list[int]:
        return [0]

    def actions(self, s: int) -> list[Action]:
        return [Action("c", "inc")]

    def step(self, s: int, a: Action) -> int:
        return (s + 1) % 5

    def canonical(self, s: int) -> Any:
        return s


@pytest.mark.parametrize("prop", PROPS, ids=lambda p: p.rule_id)
def test_the_explorer_refuses_exactly_what_the_planner_refuses(prop: Property) -> None:
    for may, refusal, option in ((may_use_symmetry, symmetry_refusal, "symmetry"), (may_use_fingerprint, fingerprint_refusal, "fingerprint")):
        if may(prop):
            assert refusal(prop) is None
            explore(_Mod(), [prop], progress="off", **{option: True})  # accepted
        else:
            err = refusal(prop)
            assert isinstance(err, (UnsoundCombination, InvalidScenario))
            with pytest.raises(type(err)) as raised:
                explore(_Mod(), [prop], progress="off", **{option: True})
            assert str(raised.value) == str(err)


def test_which_kinds_each_reduction_serves() -> None:
    assert [p.rule_id for p in PROPS if may_use_symmetry(p)] == ["INV", "SOME", "ACT"]
    assert [p.rule_id for p in PROPS if may_use_fingerprint(p)] == ["INV", "ASYM", "SOME"]
    assert may_use_fingerprint(DEADLOCK_FREEDOM)


def test_the_split_gives_each_property_every_reduction_it_may_use_and_no_other() -> None:
    split = split_by_reductions(PROPS, lambda p: p, True, True)
    assert [([p.rule_id for p in ps], sym, fp) for ps, sym, fp in split] == [
        (["INV", "SOME"], True, True),
        (["ACT"], True, False),
        (["ASYM"], False, True),
        (["EA", "AE"], False, False),
    ]
    # a reduction not asked for serves nothing
    assert [(len(ps), sym, fp) for ps, sym, fp in split_by_reductions(PROPS, lambda p: p, False, False)] == [(6, False, False)]


def test_the_reductions_that_ran_come_back_as_data() -> None:
    res = explore(_Mod(), [PROPS[0]], symmetry=True, fingerprint=True, progress="off")
    reduced = reductions_of(res)
    assert [r.name for r in reduced] == ["symmetry", "fingerprint"]
    fp = reduced[1]
    assert fp.bits == 64 and fp.collision_bound == pytest.approx(5 * 4 / 2**65)
    assert fp.label == "fingerprints (64-bit, collision probability <= 5.5e-19)"
    assert reduced[0].label == "symmetry"
    assert Reduction.fingerprints(10**9, 64).label.endswith("<= 0.028)")
