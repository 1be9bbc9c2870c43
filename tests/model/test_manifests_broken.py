"""The corpus of deliberately broken manifests (tests/data/broken): exact one-line errors.

Each file is checked twice: in-process (``load_manifests`` -> ``LoadResult.errors``) and through
``python -m model.manifests`` (exit status 2, one stderr line per error, no traceback).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from model.manifests import load_manifests

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "tests/data/broken"

_DNS_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_DNS_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
_LABEL_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)

#: file -> the exact error lines after "FILE:" (in the order they are reported).
EXPECTED: dict[str, list[str]] = {
    "bad-percent.yaml": [
        "12: spec.strategy.rollingUpdate.maxUnavailable: invalid value \"25\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        "11: spec.strategy.rollingUpdate.maxSurge: invalid value \"abc%\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
    "bad-selector-operator.yaml": [
        '9: spec.selector.matchExpressions[0].operator: invalid value "Equals": not a valid selector operator',
    ],
    "duplicate-object.yaml": [
        f'12: metadata.name: duplicate Service "default/web" (first defined at {BROKEN}/duplicate-object.yaml:1)',
    ],
    "empty-selector.yaml": ["6: spec.selector: invalid value {}: empty selector is invalid for deployment"],
    "invalid-label-key.yaml": [f'7: metadata.labels: invalid value "team name": {_LABEL_NAME_MSG}'],
    "list-item-errors.yaml": [
        f'10: metadata.name: invalid value "Frontend": {_DNS_SUBDOMAIN_MSG}',
        "18: spec.template.spec.containers: required value",
    ],
    "malformed-yaml.yaml": [
        "5: invalid YAML: did not find expected key (while parsing a block mapping)",  # libyaml's (and go-yaml's, kubectl's) wording
    ],
    "missing-kind.yaml": ["1: kind: required value"],
    "missing-name.yaml": ["3: metadata.name: required value: name or generateName is required"],
    "missing-template.yaml": ["5: spec.template: required value"],
    "negative-max-surge.yaml": [
        "10: spec.strategy.rollingUpdate.maxSurge: invalid value -1: must be greater than or equal to 0",
    ],
    "negative-replicas.yaml": [
        "6: spec.replicas: invalid value -1: must be greater than or equal to 0",
        "7: spec.minReadySeconds: invalid value -5: must be greater than or equal to 0",
    ],
    # apps/v1 carries the removed spec.rollbackTo as this annotation (Convert_v1_Deployment_To_apps_Deployment);
    # ValidateRollback reports it at spec.rollback.version, we point at the annotation's line.
    "negative-rollback-revision.yaml": [
        "6: spec.rollback.version: invalid value -3: must be greater than or equal to 0",
    ],
    "not-a-mapping.yaml": ["1: expected a Kubernetes object (a mapping), got list"],
    "not-utf8.yaml": ["4: not valid UTF-8 (byte 0xe9)"],
    "progress-deadline-too-small.yaml": [
        "7: spec.progressDeadlineSeconds: invalid value 30: must be greater than minReadySeconds",
    ],
    "rc-set-based-selector.yaml": [
        "7: spec.selector: a ReplicationController selector is a plain map of labels (equality only); "
        "matchLabels/matchExpressions need a ReplicaSet",
    ],
    "recreate-with-rolling-update.yaml": [
        "10: spec.strategy.rollingUpdate: forbidden: may not be specified when strategy `type` is 'Recreate'",
    ],
    "restart-policy-never.yaml": [
        '13: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
    "selector-mismatch.yaml": [
        '11: spec.template.metadata.labels: invalid value {"app":"api"}: `selector` does not match template `labels`',
    ],
    "statefulset-bad-name.yaml": [
        f'4: metadata.name: invalid value "db.v1": {_DNS_LABEL_MSG}',
        "16: spec.updateStrategy.rollingUpdate.partition: invalid value -1: must be greater than or equal to 0",
    ],
    "surge-and-unavailable-zero.yaml": [
        '12: spec.strategy.rollingUpdate.maxUnavailable: invalid value "0%": may not be 0 when `maxSurge` is 0',
    ],
    "unavailable-over-100-percent.yaml": [
        '10: spec.strategy.rollingUpdate.maxUnavailable: invalid value "150%": must not be greater than 100%',
    ],
    # A conversion error stops before validation (the negative replicas are not reported), as upstream.
    "unparsable-rollback-revision.yaml": [
        '7: metadata.annotations[deprecated.deployment.rollback.to]: failed to parse annotation'
        '[deprecated.deployment.rollback.to]=last as int64: strconv.ParseInt: parsing "last": invalid syntax',
    ],
    "unknown-field.yaml": ["6: spec.replica: unknown field (did you mean replicas?)"],
    "wrong-type-replicas.yaml": ['6: spec.replicas: expected integer, got string "3"'],
}


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = sorted(p.name for p in (ROOT / BROKEN).iterdir())
    assert on_disk == sorted(EXPECTED)
    assert len(on_disk) >= 12


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_reports_exactly_the_expected_errors(name: str) -> None:
    path = f"{BROKEN}/{name}"
    result = load_manifests([path])
    assert [str(e) for e in result.errors] == [f"{path}:{line}" for line in EXPECTED[name]]
    assert all(e.file == path for e in result.errors)
    with pytest.raises(ValueError):
        result.to_state()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_exits_2_with_one_stderr_line_per_error(name: str) -> None:
    path = f"{BROKEN}/{name}"
    proc = subprocess.run(
        [sys.executable, "-m", "model.manifests", path], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [f"{path}:{line}" for line in EXPECTED[name]]


def test_cli_reports_errors_of_all_files_together() -> None:
    names = ["missing-kind.yaml", "wrong-type-replicas.yaml"]
    proc = subprocess.run(
        [sys.executable, "-m", "model.manifests", *(f"{BROKEN}/{n}" for n in names), "examples/replicaset.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"{BROKEN}/{n}:{line}" for n in names for line in EXPECTED[n]]


def test_cli_summary_on_good_input_exits_0() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "model.manifests", "examples/web-deployment.yaml", "examples/with-configmap.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == [
        "Deployment default/web replicas=3 strategy=RollingUpdate maxSurge=1 maxUnavailable=0  (examples/web-deployment.yaml:3)",
        "Service default/web selector=app.kubernetes.io/name=web  (examples/web-deployment.yaml:35)",
        "Deployment default/worker replicas=2 strategy=Recreate  (examples/with-configmap.yaml:11)",
        "examples/with-configmap.yaml:3: skipped ConfigMap worker-config: kind not modelled by kubecheck",
        "3 object(s) loaded, 1 skipped",
    ]


def test_cli_without_arguments_is_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "model.manifests"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: python -m model.manifests PATH...")
