"""Defaulting and validation rules, table by table (upstream tables ported where they exist)."""

from __future__ import annotations

from typing import Any

import pytest

from model.defaults import (
    set_defaults_deployment,
    set_defaults_pod,
    set_defaults_replica_set,
    set_defaults_replication_controller,
    set_defaults_stateful_set,
)
from model.validation import (
    SCHEMAS,
    FieldError,
    decode,
    get_int_or_percent_value,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_not_more_than_100_percent,
    is_valid_percent,
    validate_deployment,
    validate_label_selector,
    validate_replication_controller,
    validate_rolling_update_deployment,
    validate_rolling_update_stateful_set,
    validate_stateful_set,
)

# =========================================== apimachinery pkg/util/validation/validation_test.go

# TestIsDNS1123Label
DNS1123_LABEL_GOOD = ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "1--a--b--2", "a" * 63]
DNS1123_LABEL_BAD = [
    "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
    ".", "a.", ".a", "a.b", "1.", ".1", "1.2", " ", "a ", " a", "a b", "1 ", " 1", "1 2", "a" * 64,
]
# TestIsDNS1123Subdomain
DNS1123_SUBDOMAIN_GOOD = [
    "a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a", "1--a--b--2",
    "a.a", "ab.a", "abc.a", "a1.a", "a-1.a", "a--1--2--b.a", "a.1", "ab.1", "abc.1", "a1.1", "a-1.1", "a--1--2--b.1",
    "0.a", "01.a", "012.a", "1a.a", "1-a.a", "1--a--b--2", "0.1", "01.1", "012.1", "1a.1", "1-a.1", "1--a--b--2.1",
    "a.b.c.d.e", "aa.bb.cc.dd.ee", "1.2.3.4.5", "11.22.33.44.55", "a" * 253,
]
DNS1123_SUBDOMAIN_BAD = [
    "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
    ".", "a.", ".a", "a..b", "1.", ".1", "1..2", " ", "a ", " a", "a b", "1 ", " 1", "1 2",
    "A.a", "aB.a", "ab.A", "A1.a", "a1.A", "A.1", "aB.1", "A1.1", "1A.1", "0.A", "01.A", "012.A", "1A.a", "1a.A",
    "A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee", "a@b", "a,b", "a_b", "a;b", "a:b", "a%b", "a?b", "a$b",
    "a" * 254,
]
# TestIsDNS1035Label
DNS1035_LABEL_GOOD = ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "a" * 63]
DNS1035_LABEL_BAD = [
    "0", "01", "012", "1a", "1-a", "1--a--b--2", "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1",
    "_", "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
    " ", "a ", " a", "a b", "1 ", " 1", "1 2", "a" * 64,
]
# TestIsValidPercent
PERCENT_GOOD = ["0%", "00000%", "1%", "01%", "99%", "100%", "101%"]
PERCENT_BAD = ["", "0", "100", "0.0%", "99.9%", "hundred", " 1%", "1% ", "-0%", "-1%", "+1%"]


@pytest.mark.parametrize("value", DNS1123_LABEL_GOOD)
def test_is_dns1123_label_good(value: str) -> None:
    assert is_dns1123_label(value) == []


@pytest.mark.parametrize("value", DNS1123_LABEL_BAD)
def test_is_dns1123_label_bad(value: str) -> None:
    assert is_dns1123_label(value) != []


@pytest.mark.parametrize("value", DNS1123_SUBDOMAIN_GOOD)
def test_is_dns1123_subdomain_good(value: str) -> None:
    assert is_dns1123_subdomain(value) == []


@pytest.mark.parametrize("value", DNS1123_SUBDOMAIN_BAD)
def test_is_dns1123_subdomain_bad(value: str) -> None:
    assert is_dns1123_subdomain(value) != []


@pytest.mark.parametrize("value", DNS1035_LABEL_GOOD)
def test_is_dns1035_label_good(value: str) -> None:
    assert is_dns1035_label(value) == []


@pytest.mark.parametrize("value", DNS1035_LABEL_BAD)
def test_is_dns1035_label_bad(value: str) -> None:
    assert is_dns1035_label(value) != []


@pytest.mark.parametrize("value", PERCENT_GOOD)
def test_is_valid_percent_good(value: str) -> None:
    assert is_valid_percent(value) == []


@pytest.mark.parametrize("value", PERCENT_BAD)
def test_is_valid_percent_bad(value: str) -> None:
    assert is_valid_percent(value) == ["a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]


# ================================================ pkg/apis/apps/validation int-or-percent rules


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (3, 3), ("0%", 0), ("25%", 25), ("007%", 7), ("25", 25), ("+5", 5), ("-5", -5), ("abc", 0), ("abc%", 0), ("", 0)],
    ids=["int-0", "int-3", "pct-0", "pct-25", "pct-leading-zeros", "atoi-25", "atoi-plus", "atoi-minus", "garbage", "garbage-pct", "empty"],
)
def test_get_int_or_percent_value(value: int | str, expected: int) -> None:
    assert get_int_or_percent_value(value) == expected


@pytest.mark.parametrize(("value", "errors"), [("100%", 0), ("101%", 1), (101, 0), ("x%", 0)])
def test_is_not_more_than_100_percent(value: int | str, errors: int) -> None:
    assert len(is_not_more_than_100_percent(value, "p")) == errors


P = "spec.strategy.rollingUpdate"


@pytest.mark.parametrize(
    ("rolling", "expected"),
    [
        ({"maxSurge": "25%", "maxUnavailable": "25%"}, []),
        ({"maxSurge": 1, "maxUnavailable": 0}, []),
        ({"maxSurge": 0, "maxUnavailable": 1}, []),
        ({"maxSurge": "200%", "maxUnavailable": 0}, []),  # maxSurge has no upper bound upstream
        ({"maxSurge": 0, "maxUnavailable": 0}, [f"{P}.maxUnavailable: invalid value 0: may not be 0 when `maxSurge` is 0"]),
        ({"maxSurge": "0%", "maxUnavailable": "0%"}, [f'{P}.maxUnavailable: invalid value "0%": may not be 0 when `maxSurge` is 0']),
        ({"maxSurge": -1, "maxUnavailable": 1}, [f"{P}.maxSurge: invalid value -1: must be greater than or equal to 0"]),
        (
            {"maxSurge": "25", "maxUnavailable": 0},
            [f"{P}.maxSurge: invalid value \"25\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
        ),
        (
            {"maxSurge": 0, "maxUnavailable": "abc"},
            [
                f"{P}.maxUnavailable: invalid value \"abc\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                f'{P}.maxUnavailable: invalid value "abc": may not be 0 when `maxSurge` is 0',
            ],
        ),
        ({"maxSurge": 1, "maxUnavailable": "101%"}, [f'{P}.maxUnavailable: invalid value "101%": must not be greater than 100%']),
    ],
    ids=[
        "defaults", "surge-only", "unavailable-only", "surge-over-100", "both-zero-ints", "both-zero-percent",
        "negative-surge", "garbage-25-counts-as-25", "garbage-abc-counts-as-0", "unavailable-over-100",
    ],
)
def test_validate_rolling_update_deployment(rolling: dict[str, Any], expected: list[str]) -> None:
    assert [str(e) for e in validate_rolling_update_deployment(rolling, P)] == expected


@pytest.mark.parametrize(
    ("rolling", "expected"),
    [
        ({"partition": 0}, []),
        ({"partition": 2, "maxUnavailable": "50%"}, []),
        ({"partition": -1}, ["r.partition: invalid value -1: must be greater than or equal to 0"]),
        ({"partition": 0, "maxUnavailable": 0}, ["r.maxUnavailable: invalid value 0: cannot be 0"]),
        ({"partition": 0, "maxUnavailable": "120%"}, ['r.maxUnavailable: invalid value "120%": must not be greater than 100%']),
    ],
    ids=["default", "percent", "negative-partition", "zero-max-unavailable", "over-100"],
)
def test_validate_rolling_update_stateful_set(rolling: dict[str, Any], expected: list[str]) -> None:
    assert [str(e) for e in validate_rolling_update_stateful_set(rolling, "r")] == expected


# ================================================================ defaults (defaults_test.go)

TEMPLATE_DEFAULTS = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {},
            {"replicas": 1, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
             "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        ),
        (
            {"replicas": 5, "strategy": {"rollingUpdate": {"maxSurge": 5}}},
            {"replicas": 5, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 5, "maxUnavailable": "25%"}},
             "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        ),
        (
            {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}},
            {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
             "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        ),
        (
            {"replicas": 5, "strategy": {"type": "Recreate"}},
            {"replicas": 5, "strategy": {"type": "Recreate"}, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
        ),
        (
            {"replicas": 5, "strategy": {"type": "Recreate"}, "progressDeadlineSeconds": 30},
            {"replicas": 5, "strategy": {"type": "Recreate"}, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 30},
        ),
        (
            {"replicas": 0, "revisionHistoryLimit": 0},
            {"replicas": 0, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
             "revisionHistoryLimit": 0, "progressDeadlineSeconds": 600},
        ),
    ],
    ids=["empty", "replicas-5-max-surge-5", "replicas-3-max-surge-1", "recreate", "recreate-deadline-30", "explicit-zeros-kept"],
)
def test_set_defaults_deployment(spec: dict[str, Any], expected: dict[str, Any]) -> None:
    original = {"spec": spec}
    out = set_defaults_deployment(original)
    assert out["spec"] == expected
    assert original == {"spec": spec}  # pure: input untouched


def test_set_defaults_deployment_defaults_the_pod_template() -> None:
    out = set_defaults_deployment({"spec": {"template": {"spec": {"containers": []}}}})
    assert out["spec"]["template"]["spec"] == {"containers": [], **TEMPLATE_DEFAULTS}
    kept = set_defaults_deployment({"spec": {"template": {"spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 0}}}})
    assert kept["spec"]["template"]["spec"] == {"restartPolicy": "Never", "terminationGracePeriodSeconds": 0}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {},
            {"podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
             "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
             "replicas": 1, "revisionHistoryLimit": 10},
        ),
        (
            {"updateStrategy": {"type": "OnDelete"}, "podManagementPolicy": "Parallel"},
            {"podManagementPolicy": "Parallel", "updateStrategy": {"type": "OnDelete"},
             "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
             "replicas": 1, "revisionHistoryLimit": 10},
        ),
        (
            {"updateStrategy": {"rollingUpdate": {"partition": 3}}},
            {"podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 3}},
             "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
             "replicas": 1, "revisionHistoryLimit": 10},
        ),
        (
            {"updateStrategy": {"type": "RollingUpdate"}},
            {"podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate"},
             "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
             "replicas": 1, "revisionHistoryLimit": 10},
        ),
        (
            {"persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete"}, "replicas": 0},
            {"podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
             "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"},
             "replicas": 0, "revisionHistoryLimit": 10},
        ),
    ],
    ids=[
        "labels-and-default-update-strategy", "alternate-update-strategy-and-parallel",
        "partition-not-lost-when-type-unset", "explicit-rolling-update-keeps-rolling-update-nil", "pvc-policy-partly-set",
    ],
)
def test_set_defaults_stateful_set(spec: dict[str, Any], expected: dict[str, Any]) -> None:
    assert set_defaults_stateful_set({"spec": spec})["spec"] == expected


def test_set_defaults_stateful_set_without_auto_delete_gate_leaves_policy_unset() -> None:
    out = set_defaults_stateful_set({"spec": {}}, stateful_set_auto_delete_pvc=False)
    assert "persistentVolumeClaimRetentionPolicy" not in out["spec"]


@pytest.mark.parametrize(
    ("rc", "labels", "selector"),
    [
        ({"spec": {"template": {"metadata": {"labels": {"foo": "bar"}}}}}, {"foo": "bar"}, {"foo": "bar"}),
        (
            {"metadata": {"labels": {"bar": "foo"}}, "spec": {"template": {"metadata": {"labels": {"foo": "bar"}}}}},
            {"bar": "foo"}, {"foo": "bar"},
        ),
        (
            {"metadata": {"labels": {"bar": "foo"}}, "spec": {"selector": {"some": "other"}, "template": {"metadata": {"labels": {"foo": "bar"}}}}},
            {"bar": "foo"}, {"some": "other"},
        ),
        (
            {"spec": {"selector": {"some": "other"}, "template": {"metadata": {"labels": {"foo": "bar"}}}}},
            {"foo": "bar"}, {"some": "other"},
        ),
        ({"spec": {"template": {"metadata": {}}}}, None, None),
    ],
    ids=["both-from-template", "labels-kept", "both-kept", "selector-kept", "no-template-labels"],
)
def test_set_defaults_replication_controller(rc: dict[str, Any], labels: Any, selector: Any) -> None:
    """Mirrors pkg/apis/core/v1/defaults_test.go TestSetDefaultReplicationControllerLabels/Selector."""
    out = set_defaults_replication_controller(rc)
    assert out.get("metadata", {}).get("labels") == labels
    assert out["spec"].get("selector") == selector
    assert out["spec"]["replicas"] == 1


def test_set_defaults_replica_set_and_pod() -> None:
    assert set_defaults_replica_set({})["spec"] == {"replicas": 1}
    assert set_defaults_replica_set({"spec": {"replicas": 0}})["spec"] == {"replicas": 0}
    assert set_defaults_pod({"spec": {"restartPolicy": "OnFailure"}})["spec"] == {
        "restartPolicy": "OnFailure", "terminationGracePeriodSeconds": 30}


# =========================================================================== validation


def _deployment(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
    }
    base.update(spec)
    return set_defaults_deployment({"metadata": {"name": "web", "namespace": "default"}, "spec": base})


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (_deployment(), []),
        (_deployment(replicas=-1), ["spec.replicas: invalid value -1: must be greater than or equal to 0"]),
        (_deployment(minReadySeconds=-1), [
            "spec.minReadySeconds: invalid value -1: must be greater than or equal to 0",
        ]),
        (_deployment(revisionHistoryLimit=-2), ["spec.revisionHistoryLimit: invalid value -2: must be greater than or equal to 0"]),
        (_deployment(progressDeadlineSeconds=10, minReadySeconds=10), [
            "spec.progressDeadlineSeconds: invalid value 10: must be greater than minReadySeconds",
        ]),
        (_deployment(strategy={"type": "BlueGreen"}), [
            'spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"',
        ]),
        (_deployment(selector={"matchLabels": {"app": "other"}}), [
            'spec.template.metadata.labels: invalid value {"app":"web"}: `selector` does not match template `labels`',
        ]),
        (_deployment(selector={"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}), []),
        (_deployment(selector={"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["web"]}]}), [
            "spec.selector.matchExpressions[0].values: forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ]),
        (_deployment(template={"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "c", "image": "i"}, {"name": "c", "image": "j"}], "activeDeadlineSeconds": 5}}), [
            'spec.template.spec.containers[1].name: duplicate value "c"',
            "spec.template.spec.activeDeadlineSeconds: forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
        ]),
    ],
    ids=[
        "valid", "negative-replicas", "negative-min-ready", "negative-history", "deadline-not-above-min-ready",
        "unknown-strategy", "selector-mismatch", "set-based-selector-matching", "exists-with-values",
        "duplicate-container-and-active-deadline",
    ],
)
def test_validate_deployment(obj: dict[str, Any], expected: list[str]) -> None:
    assert [str(e) for e in validate_deployment(obj)] == expected


def test_validate_stateful_set_checks_claim_templates_and_policies() -> None:
    obj = set_defaults_stateful_set({
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
            "podManagementPolicy": "Sometimes",
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Keep"},
            "ordinals": {"start": -1},
            "volumeClaimTemplates": [{"spec": {"accessModes": ["ReadWriteSometimes"]}}],
        },
    })
    assert [str(e) for e in validate_stateful_set(obj)] == [
        "spec.podManagementPolicy: invalid value \"Sometimes\": must be 'OrderedReady' or 'Parallel'",
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
        "spec.ordinals.start: invalid value -1: must be greater than or equal to 0",
        "spec.volumeClaimTemplates[0].metadata.name: required value: kubecheck needs it to name the claims",
        'spec.volumeClaimTemplates[0].spec.accessModes[0]: Unsupported value: "ReadWriteSometimes": supported values: '
        '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
        "spec.volumeClaimTemplates[0].spec.resources[storage]: required value",
    ]


def test_validate_replication_controller_requires_selector_and_template() -> None:
    rc = set_defaults_replication_controller({"metadata": {"name": "r", "namespace": "default"}, "spec": {}})
    assert [str(e) for e in validate_replication_controller(rc)] == ["spec.selector: required value", "spec.template: required value"]
    mismatch = set_defaults_replication_controller({
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {"selector": {"a": "b"}, "template": {"metadata": {"labels": {"a": "c"}}, "spec": {"containers": [{"name": "c"}]}}},
    })
    assert [str(e) for e in validate_replication_controller(mismatch)] == [
        'spec.template.metadata.labels: invalid value {"a":"c"}: `selector` does not match template `labels`'
    ]


def test_validate_label_selector_reports_each_problem_at_its_field() -> None:
    errs = validate_label_selector(
        {"matchLabels": {"ok": "-bad-"}, "matchExpressions": [{"key": "k", "operator": "In", "values": []}]}, "s"
    )
    assert [e.path for e in errs] == ["s.matchLabels", "s.matchExpressions[0].values"]
    assert errs[0].at == "s.matchLabels.ok"
    assert errs[1].message == "required value: must be specified when `operator` is 'In' or 'NotIn'"


# ============================================================================== decoding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"spec": {"replicas": "3"}}, ['spec.replicas: expected integer, got string "3"']),
        ({"spec": {"replicas": True}}, ["spec.replicas: expected integer, got boolean"]),
        ({"spec": {"paused": "yes"}}, ['spec.paused: expected boolean, got string "yes"']),
        ({"metadata": {"labels": {"version": 1.5}}}, ["metadata.labels.version: expected string, got number 1.5"]),
        ({"metadata": {"labels": ["a"]}}, ["metadata.labels: expected map, got list"]),
        ({"spec": {"strategy": {"rollingUpdate": {"maxSurge": [1]}}}}, ["spec.strategy.rollingUpdate.maxSurge: expected integer or string, got list"]),
        ({"spec": {"template": {"spec": {"containers": [None]}}}}, ["spec.template.spec.containers[0]: expected object, got null"]),
        ({"spec": {"strategy": {"kind": "x"}}}, ["spec.strategy.kind: unknown field"]),
        ({"metadata": {"nmae": "x"}}, ["metadata.nmae: unknown field"]),
        ({"spec": {"template": {"spec": {"dnsPolicy": "Default", "containers": [{"name": "c", "env": []}]}}}}, []),
        ({"spec": {"replicas": None, "paused": None}}, []),
    ],
    ids=[
        "string-for-int", "bool-for-int", "string-for-bool", "float-label", "list-for-map", "list-for-intstr",
        "null-list-item", "unknown-in-closed-object", "typo-in-metadata", "open-pod-spec-keeps-unknown", "nulls-are-absent",
    ],
)
def test_decode_type_errors(value: dict[str, Any], expected: list[str]) -> None:
    errs: list[FieldError] = []
    decode(value, SCHEMAS["Deployment"], "", errs)
    assert [str(e) for e in errs] == expected


def test_decode_normalises_values() -> None:
    errs: list[FieldError] = []
    out = decode({"spec": {"replicas": 2.0, "paused": None, "template": {"spec": {"dnsPolicy": "Default"}}}}, SCHEMAS["Deployment"], "", errs)
    assert errs == []
    assert out == {"spec": {"replicas": 2, "template": {"spec": {"dnsPolicy": "Default"}}}}
    assert type(out["spec"]["replicas"]) is int
    pvc: list[FieldError] = []
    got = decode({"spec": {"resources": {"requests": {"storage": 5}}}}, SCHEMAS["PersistentVolumeClaim"], "", pvc)
    assert got["spec"]["resources"]["requests"]["storage"] == "5"
    decode({"spec": {"resources": {"requests": {"storage": "5 GB"}}}}, SCHEMAS["PersistentVolumeClaim"], "", pvc)
    assert [e.path for e in pvc] == ["spec.resources.requests.storage"]
