"""Loading PodDisruptionBudgets: decoding, (no) defaulting and pkg/apis/policy/validation messages."""

from __future__ import annotations

from model.labels import LabelSelector
from model.frozen import FrozenMap
from model.manifests import load_text
from model.objects import PodDisruptionBudget

HEAD = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n"


def _errors(spec: str) -> list[str]:
    return [str(e) for e in load_text(HEAD + spec, "pdb.yaml").errors]


def test_a_pdb_loads_with_int_or_percent_and_policy() -> None:
    r = load_text(HEAD + "  maxUnavailable: 25%\n  selector: {matchLabels: {app: web}}\n  unhealthyPodEvictionPolicy: AlwaysAllow\n", "p.yaml")
    [pdb] = r.objects
    assert isinstance(pdb, PodDisruptionBudget)
    assert (pdb.max_unavailable, pdb.min_available, pdb.unhealthy_pod_eviction_policy) == ("25%", None, "AlwaysAllow")
    assert pdb.selector == LabelSelector(FrozenMap({"app": "web"}))
    assert r.to_state().get("PodDisruptionBudget", "default", "web") is not None


def test_no_selector_is_nil_and_no_policy_stays_nil() -> None:
    [pdb] = load_text(HEAD + "  minAvailable: 2\n", "p.yaml").objects
    assert pdb.selector is None and pdb.unhealthy_pod_eviction_policy is None and pdb.min_available == 2


def test_validate_pod_disruption_budget_spec_messages() -> None:
    """ValidatePodDisruptionBudgetSpec: both set, >100%, negative, not a percentage, bad policy."""
    errs = _errors("  minAvailable: 1\n  maxUnavailable: 1\n")
    assert len(errs) == 1 and errs[0].startswith("pdb.yaml:4: spec: invalid value") and errs[0].endswith("minAvailable and maxUnavailable cannot be both set")
    assert _errors("  minAvailable: 101%\n") == ['pdb.yaml:5: spec.minAvailable: invalid value "101%": must not be greater than 100%']
    assert _errors("  maxUnavailable: -1\n") == ["pdb.yaml:5: spec.maxUnavailable: invalid value -1: must be greater than or equal to 0"]
    assert _errors("  maxUnavailable: 'ten'\n") == [
        "pdb.yaml:5: spec.maxUnavailable: invalid value \"ten\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]
    assert _errors("  minAvailable: 1\n  unhealthyPodEvictionPolicy: Never\n") == [
        'pdb.yaml:6: spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"']


def test_unknown_spec_field_is_an_error() -> None:
    errs = _errors("  minAvailable: 1\n  minAvailible: 1\n")
    assert len(errs) == 1 and "minAvailible" in errs[0]
