"""Hypothesis properties of model.labels.

* ``parse(sel.string())`` round-trips every valid selector (labels/selector.go String and Parse
  are inverse on valid selectors with de-duplicated values);
* ``label_selector_as_selector`` + ``matches`` agrees with a naive, independently written reading
  of the metav1.LabelSelector documentation;
* ``validate_label_selector`` accepts exactly the LabelSelectors that ``LabelSelectorAsSelector``
  can convert (both apply the same key/value/operator rules);
* the precompiled fast path agrees with a naive ``(*Requirement).Matches`` on dicts and FrozenMaps.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from model.frozen import FrozenMap
from model.labels import (
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    LabelSelector,
    LabelSelectorRequirement,
    Requirement,
    Selector,
    SelectorError,
    label_selector_as_selector,
    matches,
    new_requirement,
    parse,
    validate_label_selector,
)

SETTINGS = settings(max_examples=300, deadline=None)

# "in"/"notin" as keys and values exercise the parser's keyword-as-identifier rule.
KEYS = st.sampled_from(["a", "b", "app", "in", "notin", "example.com/x", "k8s.io/Name_1", "x.y-z", "Z9"])
VALUES = st.sampled_from(["", "a", "b", "in", "notin", "1", "01", "10", "v-1.2_3", "Z"])
INTS = st.one_of(st.integers(0, 10**6).map(str), st.sampled_from(["007", "9223372036854775807"]))


@st.composite
def requirements(draw: st.DrawFn) -> Requirement:
    key = draw(KEYS)
    op = draw(st.sampled_from([IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN]))
    if op in (IN, NOT_IN):
        vals: list[str] = sorted(draw(st.frozensets(VALUES, min_size=1, max_size=4)))
    elif op in (EXISTS, DOES_NOT_EXIST):
        vals = []
    elif op in (GREATER_THAN, LESS_THAN):
        vals = [draw(INTS)]
    else:
        vals = [draw(VALUES)]
    return new_requirement(key, op, vals)


selectors = st.lists(requirements(), max_size=5).map(lambda rs: Selector(tuple(rs)))
label_sets = st.dictionaries(KEYS, st.one_of(VALUES, INTS, st.sampled_from(["-3", "+4", "x1"])), max_size=6)


@SETTINGS
@given(selectors)
def test_parse_round_trips_string(sel: Selector) -> None:
    text = sel.string()
    again = parse(text)
    assert again == sel
    assert again.string() == text


@SETTINGS
@given(selectors, st.text(alphabet=" \t\r\n", max_size=2))
def test_parse_ignores_whitespace_around_tokens(sel: Selector, ws: str) -> None:
    # Whitespace may be added around every comma and parenthesis without changing the result.
    spaced = sel.string().replace(",", f"{ws},{ws}").replace("(", f"({ws}").replace(")", f"{ws})")
    assert parse(ws + spaced + ws) == sel


# --- naive reimplementations (written from the API docs, not from model.labels) ---------------


def naive_label_selector_matches(ls: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelector docs: null selects nothing, empty selects everything; otherwise
    every matchLabels pair must be present and every expression hold."""
    if ls is None:
        return False
    for k, v in ls.match_labels.items():
        if k not in labels or labels[k] != v:
            return False
    for e in ls.match_expressions:
        present = e.key in labels
        if e.operator == "In" and not (present and labels[e.key] in e.values):
            return False
        if e.operator == "NotIn" and present and labels[e.key] in e.values:
            return False
        if e.operator == "Exists" and not present:
            return False
        if e.operator == "DoesNotExist" and present:
            return False
    return True


def naive_requirement_matches(r: Requirement, labels: Mapping[str, str]) -> bool:
    present = r.key in labels
    v = labels.get(r.key, "")
    if r.operator in (IN, EQUALS, DOUBLE_EQUALS):
        return present and v in r.values
    if r.operator in (NOT_IN, NOT_EQUALS):
        return not present or v not in r.values
    if r.operator == EXISTS:
        return present
    if r.operator == DOES_NOT_EXIST:
        return not present
    if not present:
        return False
    try:
        n, bound = int(v), int(r.values[0])  # INTS/label_sets contain no int()-only spellings
    except ValueError:
        return False
    return n > bound if r.operator == GREATER_THAN else n < bound


@st.composite
def valid_label_selectors(draw: st.DrawFn) -> LabelSelector | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    labels = draw(st.dictionaries(KEYS, VALUES, max_size=3))
    exprs = []
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]))
        vals = tuple(draw(st.lists(VALUES, min_size=1, max_size=3))) if op in ("In", "NotIn") else ()
        exprs.append(LabelSelectorRequirement(draw(KEYS), op, vals))
    return LabelSelector(FrozenMap(labels), tuple(exprs))


@SETTINGS
@given(valid_label_selectors(), label_sets)
def test_label_selector_matching_agrees_with_naive(ls: LabelSelector | None, labels: dict[str, str]) -> None:
    want = naive_label_selector_matches(ls, labels)
    assert label_selector_as_selector(ls).matches(labels) is want
    assert label_selector_as_selector(ls).matches(FrozenMap(labels)) is want
    assert matches(ls, FrozenMap(labels)) is want


@SETTINGS
@given(selectors, label_sets)
def test_selector_is_and_of_requirements(sel: Selector, labels: dict[str, str]) -> None:
    want = all(naive_requirement_matches(r, labels) for r in sel.requirements)
    assert sel.matches(labels) is want
    assert sel.matches(FrozenMap(labels)) is want
    assert all(r.matches(labels) is naive_requirement_matches(r, labels) for r in sel.requirements)


ANY_KEYS = st.one_of(KEYS, st.sampled_from(["", "-a", "a/b/c", "A.com/x", "/x", "a" * 64]))
ANY_VALUES = st.one_of(VALUES, st.sampled_from(["-a", "a b", "a" * 64, "é"]))


@st.composite
def any_label_selectors(draw: st.DrawFn) -> LabelSelector:
    labels = draw(st.dictionaries(ANY_KEYS, ANY_VALUES, max_size=2))
    exprs = tuple(
        LabelSelectorRequirement(
            draw(ANY_KEYS),
            draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "in", "Gt", ""])),
            tuple(draw(st.lists(ANY_VALUES, max_size=2))),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    return LabelSelector(FrozenMap(labels), exprs)


@SETTINGS
@given(any_label_selectors())
def test_validation_accepts_exactly_the_convertible_selectors(ls: LabelSelector) -> None:
    errs = validate_label_selector(ls, "spec.selector")
    try:
        label_selector_as_selector(ls)
        converts = True
    except SelectorError:
        converts = False
    assert (errs == []) is converts
    assert all(e.startswith("spec.selector.match") for e in errs)
