"""Ports of the metav1 selector helpers and label syntax validation tables.

* staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers_test.go (stored 01aa0f3f):
  TestLabelSelectorAsSelector, TestLabelSelectorAsMap;
* staging/src/k8s.io/apimachinery/pkg/api/validate/content/kube_test.go (stored 2e090810):
  TestIsLabelKey, TestIsLabelValue (the same tables as util/validation TestIsQualifiedName /
  TestIsValidLabelValue);
* staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation_test.go (stored
  10c505b1): TestValidateLabels, TestLabelSelectorMatchExpression.

Case ids are ``<UpstreamTestName>/<row>``; ``source/`` ids pin behaviour read from the code.
"""

from __future__ import annotations

import pytest

from model.frozen import FrozenMap
from model.labels import (
    EVERYTHING,
    NOTHING,
    LabelSelector,
    LabelSelectorAsMapError,
    LabelSelectorRequirement,
    SelectorError,
    SelectorParseError,
    format_label_selector,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    label_selector_as_map,
    label_selector_as_selector,
    matches,
    parse,
    parse_to_label_selector,
    validate_label_selector,
    validate_labels,
)

MATCH_LABELS = FrozenMap({"foo": "bar"})
MATCH_EXPRESSIONS = (LabelSelectorRequirement("baz", "In", ("qux", "norf")),)

# --- TestLabelSelectorAsSelector --------------------------------------------------------------

AS_SELECTOR: list[tuple[LabelSelector | None, object]] = [
    (None, NOTHING),
    (LabelSelector(), EVERYTHING),
    (LabelSelector(match_labels=MATCH_LABELS), parse("foo=bar")),
    (LabelSelector(match_expressions=MATCH_EXPRESSIONS), parse("baz in (norf,qux)")),
    (LabelSelector(MATCH_LABELS, MATCH_EXPRESSIONS), parse("baz in (norf,qux),foo=bar")),
    (LabelSelector(match_expressions=(LabelSelectorRequirement("baz", "Exists", ("qux", "norf")),)), SelectorError),
]


@pytest.mark.parametrize(("ls", "out"), AS_SELECTOR, ids=[f"TestLabelSelectorAsSelector/{i}" for i in range(len(AS_SELECTOR))])
def test_label_selector_as_selector(ls: LabelSelector | None, out: object) -> None:
    if out is SelectorError:
        with pytest.raises(SelectorError):
            label_selector_as_selector(ls)
        return
    got = label_selector_as_selector(ls)
    assert got == out
    assert str(got) == str(out)


def test_label_selector_as_selector_nil_vs_empty() -> None:
    """source/helpers.go: nil matches NO object, empty matches EVERY object."""
    assert not label_selector_as_selector(None).matches({"a": "b"})
    assert label_selector_as_selector(LabelSelector()).matches({"a": "b"})
    assert label_selector_as_selector(LabelSelector()).matches({})
    assert not matches(None, {})
    assert matches(LabelSelector(), {})


AS_SELECTOR_ERRORS = [
    ("unknown-operator", LabelSelector(match_expressions=(LabelSelectorRequirement("a", "Foo", ("x",)),)), '"Foo" is not a valid pod selector operator'),
    ("lowercase-operator", LabelSelector(match_expressions=(LabelSelectorRequirement("a", "in", ("x",)),)), '"in" is not a valid pod selector operator'),
    ("in-no-values", LabelSelector(match_expressions=(LabelSelectorRequirement("a", "In", ()),)), "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"),
    ("exists-values", LabelSelector(match_expressions=(LabelSelectorRequirement("a", "Exists", ("x",)),)), 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'),
    ("bad-match-label-value", LabelSelector(match_labels=FrozenMap({"a": "x y"})), 'values[0][a]: Invalid value: "x y": '),
    ("bad-match-label-key", LabelSelector(match_labels=FrozenMap({"a/b/c": "x"})), 'key: Invalid value: "a/b/c": a valid label key must consist of'),
]


@pytest.mark.parametrize(("ls", "msg"), [r[1:] for r in AS_SELECTOR_ERRORS], ids=[f"source/LabelSelectorAsSelector/{r[0]}" for r in AS_SELECTOR_ERRORS])
def test_label_selector_as_selector_errors(ls: LabelSelector, msg: str) -> None:
    with pytest.raises(SelectorError) as ei:
        label_selector_as_selector(ls)
    assert str(ei.value).startswith(msg)
    assert format_label_selector(ls) == "<error>"
    with pytest.raises(SelectorError):
        matches(ls, {"a": "x"})


def test_label_selector_as_selector_operator_mapping() -> None:
    """source/helpers.go: In->in, NotIn->notin, Exists->exists, DoesNotExist->!."""
    ls = LabelSelector(
        FrozenMap({"m": "1"}),
        (
            LabelSelectorRequirement("d", "DoesNotExist"),
            LabelSelectorRequirement("c", "Exists"),
            LabelSelectorRequirement("b", "NotIn", ("y", "x")),
            LabelSelectorRequirement("a", "In", ("v",)),
        ),
    )
    sel = label_selector_as_selector(ls)
    assert sel.string() == "a in (v),b notin (x,y),c,!d,m=1"
    assert sel.matches({"a": "v", "c": "", "m": "1"})
    assert sel.matches({"a": "v", "b": "z", "c": "", "m": "1"})
    assert not sel.matches({"a": "v", "b": "x", "c": "", "m": "1"})
    assert not sel.matches({"a": "v", "c": "", "d": "", "m": "1"})
    assert label_selector_as_selector(ls) is sel  # memoised


def test_format_label_selector() -> None:
    """source/helpers.go FormatLabelSelector."""
    assert format_label_selector(None) == "<none>"
    assert format_label_selector(LabelSelector()) == "<none>"
    assert format_label_selector(LabelSelector(MATCH_LABELS, MATCH_EXPRESSIONS)) == "baz in (norf,qux),foo=bar"


# --- TestLabelSelectorAsMap -------------------------------------------------------------------


def _exprs(op: str, values: tuple[str, ...]) -> tuple[LabelSelectorRequirement, ...]:
    return (LabelSelectorRequirement("baz", op, values),)


AS_MAP: list[tuple[LabelSelector | None, dict[str, str] | None, str]] = [
    (None, None, ""),
    (LabelSelector(match_labels=MATCH_LABELS), {"foo": "bar"}, ""),
    (LabelSelector(MATCH_LABELS, _exprs("In", ("norf",))), {"foo": "bar", "baz": "norf"}, ""),
    (LabelSelector(match_expressions=_exprs("In", ("norf",))), {"baz": "norf"}, ""),
    (LabelSelector(MATCH_LABELS, _exprs("In", ("norf", "qux"))), {"foo": "bar"}, "without a single value cannot be converted"),
    (LabelSelector(match_expressions=_exprs("NotIn", ("norf", "qux"))), {}, "cannot be converted"),
    (LabelSelector(MATCH_LABELS, _exprs("Exists", ())), {"foo": "bar"}, "cannot be converted"),
    (LabelSelector(match_expressions=_exprs("DoesNotExist", ())), {}, "cannot be converted"),
]


@pytest.mark.parametrize(("ls", "out", "err"), AS_MAP, ids=[f"TestLabelSelectorAsMap/{i}" for i in range(len(AS_MAP))])
def test_label_selector_as_map(ls: LabelSelector | None, out: dict[str, str] | None, err: str) -> None:
    if not err:
        got = label_selector_as_map(ls)
        assert got == (None if out is None else FrozenMap(out))
        return
    with pytest.raises(LabelSelectorAsMapError) as ei:
        label_selector_as_map(ls)
    assert err in str(ei.value)
    assert ei.value.partial == FrozenMap(out or {})


def test_label_selector_as_map_unknown_operator() -> None:
    """source/helpers.go LabelSelectorAsMap default branch."""
    with pytest.raises(LabelSelectorAsMapError, match='^"Bogus" is not a valid selector operator$'):
        label_selector_as_map(LabelSelector(match_expressions=_exprs("Bogus", ("a",))))


def test_parse_to_label_selector() -> None:
    """source/helpers.go ParseToLabelSelector: =/== -> matchLabels, set ops -> expressions."""
    got = parse_to_label_selector("a=1,b==2,c in (y,x),d notin (z),e,!f")
    assert got == LabelSelector(
        FrozenMap({"a": "1", "b": "2"}),
        (
            LabelSelectorRequirement("c", "In", ("x", "y")),
            LabelSelectorRequirement("d", "NotIn", ("z",)),
            LabelSelectorRequirement("e", "Exists"),
            LabelSelectorRequirement("f", "DoesNotExist"),
        ),
    )
    assert label_selector_as_selector(got) == parse("a=1,b=2,c in (x,y),d notin (z),e,!f")
    with pytest.raises(SelectorError, match="\"gt\" isn't supported in label selectors"):
        parse_to_label_selector("x>1")
    with pytest.raises(SelectorParseError, match='^couldn\'t parse the selector string "x,,y": '):
        parse_to_label_selector("x,,y")


# --- TestIsLabelKey / TestIsLabelValue (content/kube_test.go) ---------------------------------

KEY_SUCCESS = [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "1234",
    "simple/simple",
    "now-with-dashes/simple",
    "now-with-dashes/now-with-dashes",
    "now.with.dots/simple",
    "now-with.dashes-and.dots/simple",
    "1-num.2-num/3-num",
    "1234/5678",
    "1.2.3.4/5678",
    "Uppercase_Is_OK_123",
    "example.com/Uppercase_Is_OK_123",
    "requests.storage-foo",
    "a" * 63,
    "a" * 253 + "/" + "b" * 63,
]
KEY_ERRORS = [
    "nospecialchars%^=@",
    "cantendwithadash-",
    "-cantstartwithadash-",
    "only/one/slash",
    "Example.com/abc",
    "example_com/abc",
    "example.com/",
    "/simple",
    "a" * 64,
    "a" * 254 + "/abc",
]


@pytest.mark.parametrize("key", KEY_SUCCESS, ids=[f"TestIsLabelKey/success/{i}" for i in range(len(KEY_SUCCESS))])
def test_is_label_key_success(key: str) -> None:
    assert is_qualified_name(key) == []


@pytest.mark.parametrize("key", KEY_ERRORS, ids=[f"TestIsLabelKey/error/{i}" for i in range(len(KEY_ERRORS))])
def test_is_label_key_error(key: str) -> None:
    assert is_qualified_name(key) != []


_NAME_RE_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_SUBDOMAIN_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
KEY_MESSAGES = [
    ("only/one/slash", ["a valid label key " + _NAME_RE_ERR + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
    ("Example.com/abc", ["prefix part " + _SUBDOMAIN_ERR]),
    ("/simple", ["prefix part must be non-empty"]),
    ("example.com/", ["name part must be non-empty", "name part " + _NAME_RE_ERR]),
    ("a" * 64, ["name part must be no more than 63 bytes"]),
    ("a" * 254 + "/abc", ["prefix part must be no more than 253 bytes"]),
    ("-x-", ["name part " + _NAME_RE_ERR]),
    ("", ["name part must be non-empty", "name part " + _NAME_RE_ERR]),
    ("x\n", ["name part " + _NAME_RE_ERR]),  # fullmatch: no '$'-before-newline leak
]


@pytest.mark.parametrize(("key", "msgs"), KEY_MESSAGES, ids=[f"source/IsLabelKey/{i}" for i in range(len(KEY_MESSAGES))])
def test_is_label_key_messages(key: str, msgs: list[str]) -> None:
    assert is_qualified_name(key) == msgs


VALUE_SUCCESS = ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a" * 63, ""]
VALUE_ERRORS = [
    "nospecialchars%^=@",
    "Tama-nui-te-rā.is.Māori.sun",
    "\\backslashes\\are\\bad",
    "-starts-with-dash",
    "ends-with-dash-",
    ".starts.with.dot",
    "ends.with.dot.",
    "a" * 64,
]


@pytest.mark.parametrize("v", VALUE_SUCCESS, ids=[f"TestIsLabelValue/success/{i}" for i in range(len(VALUE_SUCCESS))])
def test_is_label_value_success(v: str) -> None:
    assert is_valid_label_value(v) == []


@pytest.mark.parametrize("v", VALUE_ERRORS, ids=[f"TestIsLabelValue/error/{i}" for i in range(len(VALUE_ERRORS))])
def test_is_label_value_error(v: str) -> None:
    assert is_valid_label_value(v) != []


def test_label_length_counts_utf8_bytes() -> None:
    """source/kube.go: Go's len() counts bytes, so 32 two-byte characters are too long."""
    assert is_valid_label_value("é" * 32)[0] == "must be no more than 63 bytes"
    assert len(is_valid_label_value("é" * 31)) == 1  # regex only
    assert is_dns1123_subdomain("a" * 253) == [] and len(is_dns1123_subdomain("a" * 254)) == 1


# --- TestValidateLabels -----------------------------------------------------------------------

VALIDATE_LABELS_SUCCESS = [
    {"simple": "bar"},
    {"now-with-dashes": "bar"},
    {"1-starts-with-num": "bar"},
    {"1234": "bar"},
    {"simple/simple": "bar"},
    {"now-with-dashes/simple": "bar"},
    {"now-with-dashes/now-with-dashes": "bar"},
    {"now.with.dots/simple": "bar"},
    {"now-with.dashes-and.dots/simple": "bar"},
    {"1-num.2-num/3-num": "bar"},
    {"1234/5678": "bar"},
    {"1.2.3.4/5678": "bar"},
    {"UpperCaseAreOK123": "bar"},
    {"goodvalue": "123_-.BaR"},
]


@pytest.mark.parametrize(
    "labels", VALIDATE_LABELS_SUCCESS, ids=[f"TestValidateLabels/success/{i}" for i in range(len(VALIDATE_LABELS_SUCCESS))]
)
def test_validate_labels_success(labels: dict[str, str]) -> None:
    assert validate_labels(labels, "field") == []


VALIDATE_LABELS_ERRORS = [
    ({"nospecialchars^=@": "bar"}, "name part must consist of"),
    ({"cantendwithadash-": "bar"}, "name part must consist of"),
    ({"only/one/slash": "bar"}, "a valid label key must consist of"),
    ({"a" * 254: "bar"}, "must be no more than"),
    ({"toolongvalue": "a" * 64}, "must be no more than"),
    ({"backslashesinvalue": "some\\bad\\value"}, "a valid label must be an empty string or consist of"),
    ({"nocommasallowed": "bad,value"}, "a valid label must be an empty string or consist of"),
    ({"strangecharsinvalue": "?#$notsogood"}, "a valid label must be an empty string or consist of"),
]


@pytest.mark.parametrize(
    ("labels", "expect"), VALIDATE_LABELS_ERRORS, ids=[f"TestValidateLabels/error/{i}" for i in range(len(VALIDATE_LABELS_ERRORS))]
)
def test_validate_labels_error(labels: dict[str, str], expect: str) -> None:
    errs = validate_labels(labels, "field")
    assert len(errs) == 1
    assert errs[0].startswith("field: Invalid value: ")
    assert expect in errs[0]


# --- TestLabelSelectorMatchExpression ---------------------------------------------------------

MATCH_EXPRESSION = [
    ("Valid LabelSelector", LabelSelectorRequirement("key", "In", ("value",)), 0, ""),
    ("MatchExpression's key name isn't valid", LabelSelectorRequirement("-key", "In", ("value",)), 1, "name part must consist of alphanumeric characters"),
    ("MatchExpression's operator isn't valid", LabelSelectorRequirement("key", "abc", ("value",)), 1, "not a valid selector operator"),
    ("MatchExpression's value name isn't valid", LabelSelectorRequirement("key", "In", ("-value",)), 1, "a valid label must be an empty string or consist of"),
]


@pytest.mark.parametrize(
    ("expr", "n", "msg"), [r[1:] for r in MATCH_EXPRESSION], ids=[f"TestLabelSelectorMatchExpression/{r[0]}" for r in MATCH_EXPRESSION]
)
def test_label_selector_match_expression(expr: LabelSelectorRequirement, n: int, msg: str) -> None:
    errs = validate_label_selector(LabelSelector(match_expressions=(expr,)), "labelSelector")
    assert len(errs) == n
    assert all(msg in e for e in errs)


VALIDATE_SELECTOR = [
    ("nil", None, []),
    ("empty", LabelSelector(), []),
    (
        "in-without-values",
        LabelSelector(match_expressions=(LabelSelectorRequirement("a", "In"),)),
        ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    ),
    (
        "doesnotexist-with-values",
        LabelSelector(match_expressions=(LabelSelectorRequirement("a", "Exists"), LabelSelectorRequirement("b", "DoesNotExist", ("x",)))),
        ["spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    ),
    (
        "bad-operator-key-and-value",
        LabelSelector(match_expressions=(LabelSelectorRequirement("a/b/c", "in", ("ok", "-bad")),)),
        [
            'spec.selector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator',
            'spec.selector.matchExpressions[0].key: Invalid value: "a/b/c": a valid label key ' + _NAME_RE_ERR
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            'spec.selector.matchExpressions[0].values[1]: Invalid value: "-bad": a valid label must be an empty string '
            "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ],
    ),
    (
        "match-labels-at-map-path",
        LabelSelector(match_labels=FrozenMap({"ok": "a" * 64, "-k": "v"})),
        [
            'spec.selector.matchLabels: Invalid value: "-k": name part ' + _NAME_RE_ERR,
            f'spec.selector.matchLabels: Invalid value: "{"a" * 64}": must be no more than 63 bytes',
        ],
    ),
]


@pytest.mark.parametrize(("ls", "want"), [r[1:] for r in VALIDATE_SELECTOR], ids=[f"source/ValidateLabelSelector/{r[0]}" for r in VALIDATE_SELECTOR])
def test_validate_label_selector_messages(ls: LabelSelector | None, want: list[str]) -> None:
    """apis/meta/v1/validation/validation.go ValidateLabelSelector: one message per error with
    its field path (Required / Forbidden / Invalid), matchLabels errors at the map's path."""
    assert validate_label_selector(ls, "spec.selector") == want


def test_validate_label_selector_allow_invalid_label_value() -> None:
    """source/validation.go LabelSelectorValidationOptions.AllowInvalidLabelValueInSelector."""
    ls = LabelSelector(match_expressions=(LabelSelectorRequirement("k", "In", ("-bad",)),))
    assert len(validate_label_selector(ls, "s")) == 1
    assert validate_label_selector(ls, "s", allow_invalid_label_value_in_selector=True) == []
