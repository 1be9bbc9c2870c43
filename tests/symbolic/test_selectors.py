"""kubecheck.symbolic.selectors: SMT answers agree with model.labels matching."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.frozen import FrozenMap
from model.labels import LabelSelector, LabelSelectorRequirement, Requirement, Selector, parse
from model.objects import Deployment, OwnerReference, PodTemplate, ReplicaSet, ReplicationController, StatefulSet
from kubecheck.symbolic.selectors import (
    contains,
    containment_counterexample,
    overlap,
    overlap_analysis,
    satisfiable,
    template_matches_selector,
    witness,
)
import pytest

# ----------------------------------------------------------------------------- fixed cases


@pytest.mark.parametrize(
    "text, sat",
    [
        ("a,!a", False),
        ("a=1,a=2", False),
        ("a in (x),a notin (x)", False),
        ("a!=x", True),  # absent key matches
        ("!a,a notin (x)", True),
        ("a>5,a<6", False),
        ("a>5,a<7", True),
        ("a>5,a in (3,9)", True),
        ("a>5,a in (3,4)", False),
        ("a>5,a in (09)", True),  # "09" parses as 9
        ("", True),
    ],
)
def test_satisfiable(text: str, sat: bool) -> None:
    sel = parse(text)
    assert satisfiable(sel) is sat
    w = witness(sel)
    assert (w is not None) is sat
    if w is not None:
        assert sel.matches(w)


def test_nil_label_selector_matches_nothing_and_empty_everything() -> None:
    assert not satisfiable(None)
    assert witness(LabelSelector()) == {}


def test_overlap_absent_key_semantics() -> None:
    a = LabelSelector(match_labels=FrozenMap({"app": "web"}))
    b = LabelSelector(match_expressions=(LabelSelectorRequirement("tier", "NotIn", ("db",)),))
    w = overlap(a, b)
    assert w is not None and w["app"] == "web" and w.get("tier") != "db"
    assert overlap({"app": "web"}, {"app": "db"}) is None  # RC map selectors


def test_contains() -> None:
    assert contains(parse("a"), parse("a=1"))
    assert not contains(parse("a=1"), parse("a"))
    assert contains(parse("a notin (1)"), parse("!a"))
    assert not contains(parse("a notin (1)"), parse("a in (1,2)"))
    assert contains(parse(""), parse("x=1"))


def test_template_matches_selector() -> None:
    assert template_matches_selector({"app": "web", "v": "2"}, {"app": "web"})
    assert not template_matches_selector({"app": "web"}, parse("app=web,v"))
    assert not template_matches_selector({"app": "web"}, None)


# ----------------------------------------------------------------------- random agreement

KEYS = ("a", "b", "c")
VALUES = ("", "x", "y", "1", "07", "12")
label_sets = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)


@st.composite
def requirements(draw: st.DrawFn) -> Requirement:
    key = draw(st.sampled_from(KEYS))
    op = draw(st.sampled_from(["in", "notin", "=", "!=", "exists", "!", "gt", "lt"]))
    if op in ("exists", "!"):
        return Requirement(key, op, ())
    if op in ("gt", "lt"):
        return Requirement(key, op, (draw(st.sampled_from(["0", "1", "7", "10"])),))
    if op in ("=", "!="):
        return Requirement(key, op, (draw(st.sampled_from(VALUES)),))
    return Requirement(key, op, tuple(draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=3))))


selectors = st.lists(requirements(), max_size=4).map(lambda rs: Selector(tuple(rs)))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(selectors, st.lists(label_sets, max_size=20))
def test_satisfiable_agrees_with_matching(sel: Selector, samples: list[dict[str, str]]) -> None:
    w = witness(sel)
    if w is None:
        assert not any(sel.matches(ls) for ls in samples)
    else:
        assert sel.matches(w)


@SETTINGS
@given(selectors, selectors, st.lists(label_sets, max_size=20))
def test_overlap_agrees_with_matching(a: Selector, b: Selector, samples: list[dict[str, str]]) -> None:
    w = overlap(a, b)
    if w is None:
        assert not any(a.matches(ls) and b.matches(ls) for ls in samples)
    else:
        assert a.matches(w) and b.matches(w)


@SETTINGS
@given(selectors, selectors, st.lists(label_sets, max_size=20))
def test_contains_agrees_with_matching(a: Selector, b: Selector, samples: list[dict[str, str]]) -> None:
    if contains(a, b):
        assert all(a.matches(ls) for ls in samples if b.matches(ls))
    else:
        w = containment_counterexample(a, b)
        assert w is not None and b.matches(w) and not a.matches(w)


@SETTINGS
@given(selectors, label_sets)
def test_template_matches_agrees(sel: Selector, ls: dict[str, str]) -> None:
    assert template_matches_selector(ls, sel) == sel.matches(ls)


# --------------------------------------------------------------------- ownership analysis


def _ls(**kv: str) -> LabelSelector:
    return LabelSelector(match_labels=FrozenMap(kv))


def _tmpl(**kv: str) -> PodTemplate:
    return PodTemplate(labels=FrozenMap(kv))


def test_two_deployments_with_overlapping_selectors_are_reported() -> None:
    d1 = Deployment(name="a", selector=_ls(app="web"), template=_tmpl(app="web", v="1"))
    d2 = Deployment(name="b", selector=_ls(app="web"), template=_tmpl(app="web", v="2"))
    [ov] = overlap_analysis([d1, d2])
    assert (ov.a.name, ov.b.name) == ("a", "b")
    assert ov.witness["app"] == "web" and "pod-template-hash" in ov.witness


def test_distinct_label_or_namespace_separates() -> None:
    d1 = Deployment(name="a", selector=_ls(app="web"), template=_tmpl(app="web"))
    d2 = Deployment(name="b", selector=_ls(app="api"), template=_tmpl(app="api"))
    d3 = Deployment(name="c", namespace="other", selector=_ls(app="web"), template=_tmpl(app="web"))
    assert overlap_analysis([d1, d2, d3]) == []


def test_pod_template_hash_separates_deployment_from_bare_replicaset() -> None:
    d = Deployment(name="a", selector=_ls(app="web"), template=_tmpl(app="web"))
    bare = ReplicaSet(
        name="bare",
        selector=LabelSelector(FrozenMap({"app": "web"}), (LabelSelectorRequirement("pod-template-hash", "DoesNotExist"),)),
        template=_tmpl(app="web"),
    )
    assert overlap_analysis([d, bare]) == []
    loose = ReplicaSet(name="loose", selector=_ls(app="web"), template=_tmpl(app="web"))
    [ov] = overlap_analysis([d, loose])
    assert {ov.a.name, ov.b.name} == {"a", "loose"}


def test_replicaset_owned_by_listed_deployment_is_not_compared() -> None:
    d = Deployment(name="a", uid="u1", selector=_ls(app="web"), template=_tmpl(app="web"))
    rs = ReplicaSet(
        name="a-123",
        selector=_ls(app="web", **{"pod-template-hash": "123"}),
        template=_tmpl(app="web", **{"pod-template-hash": "123"}),
        owner_references=(OwnerReference("apps/v1", "Deployment", "a", "u1", controller=True),),
    )
    assert overlap_analysis([d, rs]) == []


def test_rc_and_statefulset_kinds() -> None:
    rc = ReplicationController(name="rc", selector=FrozenMap({"app": "db"}), template=_tmpl(app="db"))
    ss = StatefulSet(name="db", selector=LabelSelector(match_expressions=(LabelSelectorRequirement("app", "In", ("db", "cache")),)), template=_tmpl(app="db"))
    [ov] = overlap_analysis([rc, ss])
    assert ov.witness == FrozenMap({"app": "db"})
