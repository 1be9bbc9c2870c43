"""Port of kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/labels/labels_test.go
(stored version 95f08499). Case ids are ``<UpstreamTestName>/<row>``."""

from __future__ import annotations

import pytest

from model.frozen import FrozenMap
from model.labels import SelectorError, conflicts, convert_selector_to_labels_map, format_labels, merge, set_string

SET_STRING = [({"x": "y"}, "x=y"), ({"foo": "bar"}, "foo=bar"), ({"foo": "bar", "baz": "qup"}, "baz=qup,foo=bar")]


@pytest.mark.parametrize(("ls", "want"), SET_STRING, ids=[f"TestSetString/{w}" for _, w in SET_STRING])
def test_set_string(ls: dict[str, str], want: str) -> None:
    assert set_string(ls) == want
    assert set_string(FrozenMap(ls)) == want


def test_format_labels() -> None:
    """source/labels.go FormatLabels: Set.String or <none>."""
    assert format_labels({}) == "<none>"
    assert format_labels(None) == "<none>"
    assert format_labels({"b": "1", "a": ""}) == "a=,b=1"


LABEL_HAS = [({"x": "y"}, "x", True), ({"x": ""}, "x", True), ({"x": "y"}, "foo", False)]


@pytest.mark.parametrize(("ls", "key", "has"), LABEL_HAS, ids=[f"TestLabelHas/{i}" for i in range(len(LABEL_HAS))])
def test_label_has(ls: dict[str, str], key: str, has: bool) -> None:
    """Set.Has: a key with the empty value is present. Our labels are FrozenMaps; the selector
    relies on exactly this presence test (exists / ! / notin)."""
    assert (key in FrozenMap(ls)) is has


def test_label_get() -> None:
    """TestLabelGet"""
    assert FrozenMap({"x": "y"}).get("x") == "y"


LABEL_CONFLICT = [
    ({}, {}, False),
    ({"env": "test"}, {"infra": "true"}, False),
    ({"env": "test"}, {"infra": "true", "env": "test"}, False),
    ({"env": "test"}, {"env": "dev"}, True),
    ({"env": "test", "infra": "false"}, {"infra": "true", "color": "blue"}, True),
]


@pytest.mark.parametrize(
    ("a", "b", "want"), LABEL_CONFLICT, ids=[f"TestLabelConflict/{i}" for i in range(len(LABEL_CONFLICT))]
)
def test_label_conflict(a: dict[str, str], b: dict[str, str], want: bool) -> None:
    assert conflicts(a, b) is want
    assert conflicts(b, a) is want


LABEL_MERGE = [
    ({}, {}, {}),
    ({"infra": "true"}, {}, {"infra": "true"}),
    ({"infra": "true"}, {"env": "test", "color": "blue"}, {"infra": "true", "env": "test", "color": "blue"}),
]


@pytest.mark.parametrize(("a", "b", "want"), LABEL_MERGE, ids=[f"TestLabelMerge/{i}" for i in range(len(LABEL_MERGE))])
def test_label_merge(a: dict[str, str], b: dict[str, str], want: dict[str, str]) -> None:
    assert merge(a, b) == FrozenMap(want)


def test_label_merge_second_wins() -> None:
    """source/labels.go Merge: in case of conflicts, labels2 wins."""
    assert merge({"a": "1", "b": "1"}, {"a": "2"}) == FrozenMap({"a": "2", "b": "1"})


LABEL_SELECTOR_PARSE: list[tuple[str, dict[str, str], bool]] = [
    ("", {}, True),
    ("x=a", {"x": "a"}, True),
    ("x=a,y=b,z=c", {"x": "a", "y": "b", "z": "c"}, True),
    (" x = a , y = b , z = c ", {"x": "a", "y": "b", "z": "c"}, True),
    ("color=green,env=test,service=front", {"color": "green", "env": "test", "service": "front"}, True),
    ("color=green, env=test, service=front", {"color": "green", "env": "test", "service": "front"}, True),
    (",", {}, False),
    ("x", {}, False),
    ("x,y", {}, False),
    ("x=$y", {}, False),
    ("x!=y", {}, False),
    ("x==y", {}, False),
    ("x=a||y=b", {}, False),
    ("x in (y)", {}, False),
    ("x notin (y)", {}, False),
    ("x y", {}, False),
]


@pytest.mark.parametrize(
    ("s", "want", "valid"), LABEL_SELECTOR_PARSE, ids=[f"TestLabelSelectorParse/{s!r}" for s, _, _ in LABEL_SELECTOR_PARSE]
)
def test_convert_selector_to_labels_map(s: str, want: dict[str, str], valid: bool) -> None:
    """ConvertSelectorToLabelsMap. Every invalid row fails on its first pair, so upstream's
    partial map is empty, matching the table's expected ``{}``."""
    if valid:
        assert convert_selector_to_labels_map(s) == FrozenMap(want)
    else:
        with pytest.raises(SelectorError):
            convert_selector_to_labels_map(s)


def test_convert_selector_to_labels_map_error_text() -> None:
    """source/labels.go: ``invalid selector: %s`` prints the split slice as ``[a b]``."""
    with pytest.raises(SelectorError, match=r"^invalid selector: \[x!  y\]$"):
        convert_selector_to_labels_map("x!==y")
    with pytest.raises(SelectorError, match=r'^\[x\]: Invalid value: "\$y": '):
        convert_selector_to_labels_map("x=$y")
