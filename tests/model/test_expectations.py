"""``expect:`` entries of scenario files on the model: the leads-to property they build, its trigger
on the system state (steps taken are budgets), ``when:`` triggers and goals, and the pair of
examples/incidents/undo-after-broken-image explored without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubecheck.core.explorer import explore
from kubecheck.core.judge import leads_to_trigger_index
from kubecheck.core.properties import PropertyKind
from kubecheck.core.verdict import Verdict
from kubecheck.scenarios import ExpectTrigger, is_expectation, load_scenario_file, settle, with_nodes, workloads_converged
from model.manifests import load_manifests
from model.state import ClusterState
from model.system import KubeSystem, Scenario
from properties import cluster_of

ROOT = Path(__file__).resolve().parents[2]
UNDO = ROOT / "examples" / "incidents" / "undo-after-broken-image"
IMAGES = ROOT / "examples" / "incidents" / "image-pull-rollout"


def _system(manifest: Path, scenario: Path) -> tuple[KubeSystem, list]:  # type: ignore[type-arg]
    objects, _ = with_nodes(tuple(load_manifests([str(manifest)]).objects), 1)
    start = ClusterState.from_objects(objects)
    spec = load_scenario_file(str(scenario), cluster=start)
    boot = KubeSystem(Scenario(start))
    settled = settle(boot, boot.init_states()[0]).state.cluster
    props = [p for e in spec.expectations for p in e.instantiate(settled)]
    return KubeSystem(spec.to_scenario(settled, "write")), props


@pytest.mark.parametrize("scenario,expected", [("undo-converges.yaml", Verdict.HOLDS), ("undo-to-broken.yaml", Verdict.VIOLATED)])
def test_the_undo_pair_on_the_model(scenario: str, expected: Verdict) -> None:
    system, props = _system(UNDO / "deployment.yaml", UNDO / scenario)
    (prop,) = props
    assert prop.kind is PropertyKind.LEADS_TO
    (res,) = explore(system, props, progress="off").results
    assert res.verdict is expected
    if expected is Verdict.VIOLATED:
        t = res.trace
        states = t.states()
        at = leads_to_trigger_index(prop, states[t.loop_start:], states[: t.loop_start])
        assert at is not None and t.steps[at - 1].label == "user_rollback_deployment"
        assert not any(prop.trigger(s) for s in states[:at])      # no undo before: the trigger is the undo
        assert all(prop.trigger(s) for s in states[at:])          # a step taken stays taken
        assert not any(workloads_converged(cluster_of(s)) for s in states[at:])
        assert workloads_converged(cluster_of(states[0]))         # converged before, which answers nothing


def test_the_trigger_reads_the_budget_of_the_named_step() -> None:
    system, (prop,) = _system(UNDO / "deployment.yaml", UNDO / "undo-converges.yaml")
    trig = prop.trigger
    assert isinstance(trig, ExpectTrigger) and trig.width == 3 and trig.budgets == ((2, 1),)
    s0 = system.init_states()[0]
    assert s0.user_budget == (1, 1, 1) and trig(s0) is False
    from dataclasses import replace

    assert trig(replace(s0, user_budget=(1, 1, 0))) is True
    with pytest.raises(ValueError, match="has 2 user action budgets, the expectation was built for 3"):  # another search's state: refused, not misread
        trig(replace(s0, user_budget=(1, 0)))


def test_a_state_of_another_search_is_an_error_verdict_not_a_wrong_answer() -> None:
    system, (prop,) = _system(UNDO / "deployment.yaml", UNDO / "undo-to-broken.yaml")
    from dataclasses import replace as dc_replace

    narrow = KubeSystem(dc_replace(system.scenario, user_actions=system.scenario.user_actions[:2]))
    (res,) = explore(narrow, [prop], progress="off").results
    assert res.verdict is Verdict.ERROR and "user action budgets" in res.note


def _rollout_scenario(tmp_path: Path, image: str, facts: str) -> Path:
    scen = tmp_path / "s.yaml"
    scen.write_text(f"""name: started-completes
actions:
  - set-image: {{kind: Deployment, name: web, image: "{image}"}}
{facts}properties: []
expect:
  - title: once the rollout is in progress it completes
    when: {{rollout-started: {{name: web}}}}
    eventually: [{{rollout-complete: {{name: web}}}}, converged]
""", encoding="utf-8")
    return scen


@pytest.mark.parametrize("image,facts,expected", [
    ("nginx:1.28", "", Verdict.HOLDS),
    ("nginx:1.28-typo", 'images:\n  "nginx:1.28-typo": {pull: fails}\n', Verdict.VIOLATED),
])
def test_a_when_trigger_and_a_condition_goal(tmp_path: Path, image: str, facts: str, expected: Verdict) -> None:
    system, (prop,) = _system(IMAGES / "deployment.yaml", _rollout_scenario(tmp_path, image, facts))
    assert prop.name == "once the rollout is in progress it completes"
    (res,) = explore(system, [prop], progress="off").results
    assert res.verdict is expected
    if expected is Verdict.VIOLATED:
        t = res.trace
        states = t.states()
        at = leads_to_trigger_index(prop, states[t.loop_start:], states[: t.loop_start])
        assert at is not None and prop.trigger(states[at])
        assert [s.label for s in t.steps[:1]] == ["user_update_image_deployment"]


def test_expectations_are_scenario_rules_not_catalogue_rules(tmp_path: Path) -> None:
    spec = load_scenario_file(str(_rollout_scenario(tmp_path, "nginx:1.28", "")))
    (e,) = spec.expectations
    assert is_expectation(e) and e.scenario == "started-completes" and not e.default and e.rule_id == "EXPECT-started-completes-1"
    assert e.kind is PropertyKind.LEADS_TO and e.category == "expectation" and e.source == str(tmp_path / "s.yaml")
    assert not spec.waits_for_stuck_rollout()
    stuck = tmp_path / "stuck.yaml"
    stuck.write_text("name: st\nexpect:\n  - when: {rollout-stuck: {name: web}}\n    eventually: converged\n", encoding="utf-8")
    assert load_scenario_file(str(stuck)).waits_for_stuck_rollout()  # the progress-deadline timer runs for it


def test_id_title_and_severity_of_an_expectation(tmp_path: Path) -> None:
    scen = tmp_path / "s.yaml"
    scen.write_text("name: sev\nactions:\n  - rollback: {name: web}\n    step: undo\nexpect:\n  - id: UNDO-OK\n    title: undo works\n"
                    "    severity: warning\n    after: undo\n    eventually: converged\n", encoding="utf-8")
    (e,) = load_scenario_file(str(scen)).expectations
    assert (e.rule_id, e.title, e.severity, e.trigger_counts) == ("UNDO-OK", "undo works", "warning", "step undo taken")
    assert isinstance(e.trigger, ExpectTrigger) and e.trigger.budgets == ((0, 1),) and e.trigger.width == 1
