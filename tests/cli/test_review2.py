"""Review of the lazy start-up settle, the random engine's trace rebuild and the text "next:" advice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kubecheck.core.errors import KubecheckError
from kubecheck.output.text import render_text
from kubecheck.runner import CheckReport, Exploration, Finding, ScenarioRun
from kubecheck.scenarios import _spread, settle


# ------------------------------------------------------------------ text "next:" advice


def _report(explorations: tuple[Exploration, ...], findings: tuple[Finding, ...], **kw: Any) -> CheckReport:
    base: dict[str, Any] = dict(
        files=("m.yaml",), nodes_added=(), skipped=(), engine="explicit",
        bounds=(("max_depth", 3), ("max_states", 50_000), ("timeout", 60.0)), symmetry=False,
        settle_steps=10, settled=True, scenarios=(ScenarioRun("rollout", "r", (), (), "write"),),
        explorations=explorations, findings=findings, out_dir="out",
    )
    base.update(kw)
    return CheckReport(**base)


def _finding(verdict: str, exit_code: int, kind: str = "invariant", rule: str = "KC-X-001") -> Finding:
    return Finding("rollout", rule, "t", kind, "c", "web", verdict, exit_code)


def _next(text: str) -> list[str]:
    """The "next:" line and its indented continuation lines (nothing when there is no advice)."""
    if "\nnext: " not in text:
        return []
    lines = text[text.index("\nnext: ") + 1:].splitlines()
    return [lines[0], *(ln for ln in lines[1:] if ln.startswith("      "))]


def test_next_advice_names_the_search_a_bound_cut_not_one_that_stopped_early() -> None:
    # a search that stopped early (every property decided: complete=False, no bound) is bigger
    # than the one max_states cut: the advice must be about the cut one, never "None"
    early = Exploration("rollout", 1, False, (), 900, 1000, 5, 0.1, False, None)
    cut = Exploration("rollout", 1, False, (), 50, 60, 3, 0.1, False, "max_states")
    text = render_text(_report((early, cut), (_finding("holds", 0, "sometimes"), _finding("holds_within_bounds", 3))))
    first = _next(text)[0]
    assert "None" not in first
    assert "stopped at 50 states, max_states" in first


def test_next_advice_names_the_flag_of_the_bound_that_cut() -> None:
    # cut by --max-depth: "--max-states 0 and --timeout 0" would not lift it
    cut = Exploration("rollout", 1, False, (), 70, 80, 3, 0.1, False, "max_depth")
    first = _next(render_text(_report((cut,), (_finding("holds_within_bounds", 3),))))[0]
    assert "--max-depth" in first
    assert "--max-states 0" not in first


def test_next_advice_does_not_suggest_fingerprint_when_no_rule_could_use_it() -> None:
    # --fingerprint applies to invariant (and sometimes) rules only: with only eventual rules
    # cut, no search carries the fingerprint reduction whether the flag is on or not
    cut = Exploration("rollout", 1, False, (), 70, 80, 3, 0.1, False, "max_states")
    lines = _next(render_text(_report((cut,), (_finding("holds_within_bounds", 3, "eventually_always"),))))
    assert lines and not any(ln.split()[0 if not ln.startswith("next:") else 1].startswith("--fingerprint") for ln in lines)
    # with an invariant rule and no fingerprints, it is suggested
    lines = _next(render_text(_report((cut,), (_finding("holds_within_bounds", 3, "invariant"),))))
    assert any("--fingerprint" in ln for ln in lines)


def test_next_advice_names_the_rules_still_bounded_and_what_the_count_model_decided() -> None:
    from dataclasses import replace

    cut = Exploration("rollout", 1, False, (), 50_000, 180_000, 17, 24.5, False, "max_states")
    bounded = (_finding("holds_within_bounds", 3, rule="KC-OWN-001"), _finding("holds_within_bounds", 3, "eventually_always", "KC-CONV-002"),
               _finding("holds_within_bounds", 3, rule="KC-OWN-001"))
    lines = _next(render_text(_report((cut,), bounded)))
    assert lines[-1].split()[0] == "-p" and "(still bounded: KC-CONV-002, KC-OWN-001);" in lines[-1], lines
    # a rollout rule the count model proved in the same run: the advice says what is left is outside it
    proved = replace(_finding("holds", 0, rule="KC-ROLL-001"), reductions=("count-model proof",))
    lines = _next(render_text(_report((cut,), (*bounded, proved))))
    assert "(still bounded: KC-CONV-002, KC-OWN-001);" in lines[-2] and "KC-ROLL-001" not in lines[-2], lines
    assert lines[-1].strip().startswith("the Z3 count model decided some rules above; it does not model KC-CONV-002, KC-OWN-001,"), lines
    # a count-model rule still bounded (an HPA kept the count model out) is not said to be outside it; KC-ROLL-006 is
    # no count-model rule (only its vacuity decides a cut search), so it is
    roll = _finding("holds_within_bounds", 3, rule="KC-ROLL-002")
    lines = _next(render_text(_report((cut,), (roll, proved))))
    assert "(still bounded: KC-ROLL-002);" in lines[-1] and not any("does not model" in ln for ln in lines), lines
    undo = _finding("holds_within_bounds", 3, rule="KC-ROLL-006")
    lines = _next(render_text(_report((cut,), (roll, undo, proved))))
    assert "decided some rules above; it does not model KC-ROLL-006, whose" in lines[-1], lines


def test_a_bounded_finding_shows_why_the_count_model_did_not_decide_it() -> None:
    # audit, session 17 (flagger-podinfo): KC-ROLL-001/002 BOUNDED with no word that an HPA kept the count model out
    # (the note said it; the text output printed notes of decided and violated findings only)
    from dataclasses import replace

    cut = Exploration("rollout", 1, False, (), 50_000, 180_000, 17, 18.8, False, "max_states")
    f = replace(_finding("holds_within_bounds", 3, rule="KC-ROLL-001"),
                note="search cut by max_states=50000: covered 50000 distinct states; states beyond were not explored; count model "
                     "not applicable: a HorizontalPodAutoscaler scales this Deployment (the count model's replicas are fixed)")
    lines = render_text(_report((cut,), (f,))).splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("BOUNDED"))
    assert lines[at + 1].strip() == ("count model not applicable: a HorizontalPodAutoscaler scales this Deployment (the count "
                                     "model's replicas are fixed)")
    # a cut finding without a count-model word adds no line (its cut is the search line's)
    lines = render_text(_report((cut,), (replace(f, note="search cut by max_states=50000"),))).splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("BOUNDED"))
    assert not lines[at + 1].startswith("            ")


def test_an_inconclusive_run_with_a_violation_below_fail_on_does_not_say_no_violation_was_found() -> None:
    # audit, session 17 (gke-helloweb-hpa): "1 violated (1 violation(s) below --fail-on error ...)" then "exit 3:
    # inconclusive: no violation found"
    from dataclasses import replace

    cut = Exploration("rollout", 1, False, (), 70, 80, 3, 0.1, False, "max_states")
    info = replace(_finding("violated", 1, rule="KC-NODE-001"), severity="info")
    text = render_text(_report((cut,), (info, _finding("holds_within_bounds", 3))))
    (exit_line,) = [ln for ln in text.splitlines() if ln.startswith("exit ")]
    assert exit_line.startswith("exit 3: inconclusive: no violation that counts toward the exit code"), text
    assert "no violation found" not in text


def test_no_next_advice_for_the_random_engine_or_other_exit_codes() -> None:
    cut = Exploration("rollout", 1, False, (), 70, 80, 3, 0.1, False, "max_states")
    assert _next(render_text(_report((cut,), (_finding("holds_within_bounds", 3),), engine="random"))) == []
    assert _next(render_text(_report((cut,), (_finding("violated", 1), _finding("holds_within_bounds", 3))))) == []


# ------------------------------------------------------------------ lazy settle vs the old rule


def _old_settle_choice(system: Any, state: Any) -> tuple[int, Any, Any] | None:
    fair = [(i, a, s) for i, (a, s) in enumerate(system.successors(state)) if a.fair]
    return _spread(fair, state) if fair else None


def _kube(replicas: int, nodes: int) -> Any:
    from model.system import KubeSystem, Scenario
    from tests.model.builders_runtime import cluster, deployment, node

    return KubeSystem(Scenario(cluster(deployment("web", replicas=replicas), *(node(f"node-{i}") for i in range(1, nodes + 1))), name="r2"))


def test_lazy_settle_takes_the_old_rules_action_and_index_at_every_step() -> None:
    system = _kube(4, 3)
    res = settle(system, system.init_states()[0])
    assert res.settled and res.steps > 10
    state = system.init_states()[0]
    for i, action, nxt in res.path:
        # with the memo primed for this very state (iter_successors reads the memo) and without
        exp = _old_settle_choice(system, state)
        assert exp is not None and (exp[0], exp[1]) == (i, action) and exp[2] == nxt
        assert system.successors(state)[i] == (action, nxt)
        state = nxt
    # fresh instance (empty memo): the same path
    other = _kube(4, 3)
    again = settle(other, other.init_states()[0])
    assert [(i, a) for i, a, _ in again.path] == [(i, a) for i, a, _ in res.path]


def test_iter_successors_reads_the_memo_and_a_half_consumed_generator_does_not_disturb_it() -> None:
    system = _kube(2, 2)
    s0 = system.init_states()[0]
    full = system.successors(s0)
    gen = iter(system.iter_successors(s0))
    assert next(gen) == full[0]
    s1 = full[0][1]
    lazy = iter(system.iter_successors(s1))  # not memoised: a generator
    first = next(lazy)
    later = system.successors(s1)  # memo now holds s1
    assert [first, *lazy] == later
    assert list(system.iter_successors(s0)) == list(_kube(2, 2).successors(s0))


@dataclass(frozen=True)
class _A:
    actor: str
    label: str
    fair: bool
    data: tuple[Any, ...] = ()


class _Toy:
    """Unfair actions before the first fair one; binds of one pod not contiguous (a non-Kube system)."""

    def __init__(self, succ: dict[int, list[tuple[_A, int]]]) -> None:
        self.succ = succ

    def successors(self, s: int) -> list[tuple[_A, int]]:
        return self.succ.get(s, [])


def test_settle_skips_unfair_actions_before_the_first_fair_one_with_the_right_index() -> None:
    from tests.model.builders_runtime import cluster as empty

    @dataclass(frozen=True)
    class St:
        n: int
        cluster: Any = empty()

    a = St(0)
    b = St(1)
    sys = _Toy({})
    sys.successors = lambda s: [(_A("u", "user", False), St(9)), (_A("c", "ctl", True), b)] if s == a else []  # type: ignore[method-assign]
    res = settle(sys, a)  # type: ignore[arg-type]
    assert res.settled and [(i, x.label) for i, x, _ in res.path] == [(1, "ctl")]


# ------------------------------------------------------------------ random engine: contract error


def test_random_engine_contract_error_is_a_kubecheck_error_as_in_the_explicit_engine() -> None:
    """successors() yielding an action actions() does not list: the trace cannot be rebuilt.
    Before ad69400 this raised the engine's own FlakySystem (not a KubecheckError: the CLI printed
    'internal error'); now the explorer's KubecheckError, the same as the explicit engine."""
    from kubecheck.core.random.engine import run_random
    from kubecheck.core.properties import Property, PropertyKind
    from kubecheck.core.ts import Action

    class Liar:
        def init_states(self) -> list[int]:
            return [0]

        def actions(self, s: int) -> list[Action]:
            return [Action("a", "inc", True)] if s < 3 else []

        def step(self, s: int, a: Action) -> int | None:
            return s + 1 if s < 3 else None

        def successors(self, s: int) -> list[tuple[Action, int]]:
            return [(Action("a", "other", True), s + 1)] if s < 3 else []

    prop = Property("P", "below two", PropertyKind.INVARIANT, lambda s: s < 2)
    with pytest.raises(KubecheckError, match="actions\\(\\) does not list"):
        run_random(Liar(), [prop], examples=20, max_steps=5, seed=1)
