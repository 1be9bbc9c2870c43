"""Loading DaemonSets: decoding, SetDefaults_DaemonSet and pkg/apis/apps/validation messages
(validation_test.go TestValidateDaemonSet / TestValidateDaemonSetUpdateStrategy, the cases that apply)."""

from __future__ import annotations

from model.frozen import FrozenMap
from model.labels import LabelSelector
from model.manifests import load_text
from model.objects import DaemonSet, DaemonSetUpdateStrategy, Toleration

HEAD = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
BODY = ("  selector: {matchLabels: {app: agent}}\n"
        "  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: c, image: agent:1}]\n")


def _errors(spec: str) -> list[str]:
    return [str(e) for e in load_text(HEAD + BODY + spec, "ds.yaml").errors]


def test_a_daemon_set_loads_with_upstream_defaults() -> None:
    """SetDefaults_DaemonSet: RollingUpdate, maxUnavailable 1, maxSurge 0, revisionHistoryLimit 10."""
    [ds] = load_text(HEAD + BODY, "ds.yaml").objects
    assert isinstance(ds, DaemonSet)
    assert ds.update_strategy == DaemonSetUpdateStrategy("RollingUpdate", 1, 0)
    assert ds.revision_history_limit == 10 and ds.min_ready_seconds == 0
    assert ds.selector == LabelSelector(FrozenMap({"app": "agent"}))
    assert ds.template.restart_policy == "Always"


def test_on_delete_and_surge_load() -> None:
    [ds] = load_text(HEAD + BODY + "  updateStrategy: {type: OnDelete}\n", "ds.yaml").objects
    assert ds.update_strategy.type == "OnDelete"
    [ds] = load_text(HEAD + BODY + "  updateStrategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 25%}}\n", "ds.yaml").objects
    assert ds.update_strategy == DaemonSetUpdateStrategy("RollingUpdate", 0, "25%")


def test_toleration_seconds_are_kept_as_forever_or_not() -> None:
    text = HEAD + BODY.replace("      containers:", "      tolerations:\n"
                               "      - {key: a, operator: Exists, effect: NoExecute, tolerationSeconds: 60}\n"
                               "      - {key: b, operator: Exists, effect: NoExecute}\n      containers:")
    [ds] = load_text(text, "ds.yaml").objects
    assert ds.template.tolerations == (Toleration("a", "Exists", "", "NoExecute", forever=False),
                                       Toleration("b", "Exists", "", "NoExecute", forever=True))


def test_validate_rolling_update_daemon_set_messages() -> None:
    """ValidateRollingUpdateDaemonSet: exactly one of maxSurge/maxUnavailable non-zero, <= 100%."""
    assert _errors("  updateStrategy: {rollingUpdate: {maxUnavailable: 1, maxSurge: 1}}\n") == [
        "ds.yaml:10: spec.updateStrategy.rollingUpdate.maxSurge: invalid value 1: may not be set when maxUnavailable is non-zero"]
    assert _errors("  updateStrategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 0}}\n") == [
        "ds.yaml:10: spec.updateStrategy.rollingUpdate.maxUnavailable: required value: cannot be 0 when maxSurge is 0"]
    assert _errors("  updateStrategy: {rollingUpdate: {maxUnavailable: 101%}}\n") == [
        'ds.yaml:10: spec.updateStrategy.rollingUpdate.maxUnavailable: invalid value "101%": must not be greater than 100%']
    errs = _errors("  updateStrategy: {type: Sometimes}\n")
    assert len(errs) == 1 and "spec.updateStrategy: Unsupported value: \"Sometimes\"" in errs[0] and '"OnDelete"' in errs[0]


def test_validate_daemon_set_spec_messages() -> None:
    """ValidateDaemonSetSpec: selector must match the template labels, restartPolicy Always."""
    text = HEAD + BODY.replace("{matchLabels: {app: agent}}", "{matchLabels: {app: other}}")
    errs = [str(e) for e in load_text(text, "ds.yaml").errors]
    assert any("spec.template.metadata.labels" in e and "`selector` does not match template `labels`" in e for e in errs), errs
    text = HEAD + BODY.replace("      containers:", "      restartPolicy: Never\n      containers:")
    errs = [str(e) for e in load_text(text, "ds.yaml").errors]
    assert any('spec.template.spec.restartPolicy: Unsupported value: "Never"' in e for e in errs), errs


def test_a_long_daemon_set_name_is_not_refused_children() -> None:
    """validation.refused_children: the ControllerRevision <name>-<hash> is a DNS-1123 subdomain even for a
    250-character DaemonSet name, because history.ControllerRevisionName cuts the prefix at 223 characters."""
    from model.validation import refused_children

    [ds] = load_text(HEAD.replace("name: agent", "name: " + "a" * 250) + BODY, "ds.yaml").objects
    assert refused_children(ds) is None
