"""Label selectors in SMT: satisfiability, overlap, containment, static ownership analysis.

A label set is encoded per key that some selector mentions: a Bool ``present`` and a value
drawn from a finite symbolic domain, the values the selectors (and templates) mention for that
key, plus two fresh values: OTHER (a string no selector mentions and that is not an integer)
and NUM (a string no selector mentions whose int64 reading is a symbolic Int, for ``gt``/``lt``).
Why that is complete and sound: docs/semantics.md#symbolic ("Selectors").

Matching follows staging/src/k8s.io/apimachinery/pkg/labels/selector.go (*Requirement).Matches
exactly as ``model.labels`` does: ``notin``/``!=`` match an absent key; ``gt``/``lt`` need the
key present with a value that parses as a base-10 int64.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import z3

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
    NOTHING,
    LabelSelector,
    Selector,
    label_selector_as_selector,
    selector_from_set,
)

__all__ = [
    "SelectorLike",
    "as_selector",
    "LabelSpace",
    "satisfiable",
    "witness",
    "overlap",
    "contains",
    "containment_counterexample",
    "template_matches_selector",
    "ObjectRef",
    "Overlap",
    "overlap_analysis",
    "POD_TEMPLATE_HASH",
]

#: A metav1.LabelSelector, an RC map selector, a parsed Selector, or None (matches nothing).
SelectorLike = Union[LabelSelector, Selector, Mapping[str, str], None]

POD_TEMPLATE_HASH = "pod-template-hash"
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def as_selector(sel: SelectorLike) -> Selector:
    """Normalise to ``model.labels.Selector``: LabelSelector via LabelSelectorAsSelector
    (None -> Nothing, empty -> Everything); a map (RC selector) via SelectorFromSet."""
    if sel is None:
        return NOTHING
    if isinstance(sel, Selector):
        return sel
    if isinstance(sel, LabelSelector):
        return label_selector_as_selector(sel)
    return selector_from_set(sel)


def _parse_int64(s: str) -> int | None:
    """Go strconv.ParseInt(s, 10, 64) (as model.labels uses for gt/lt)."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not (body.isascii() and body.isdigit()):
        return None
    n = int(s)
    return n if _INT64_MIN <= n <= _INT64_MAX else None


class LabelSpace:
    """Symbolic label sets over the keys and values of some selectors (one solver context)."""

    def __init__(self, selectors: Iterable[Selector], label_sets: Iterable[Mapping[str, str]] = (), extra_keys: Iterable[str] = ()) -> None:
        values: dict[str, set[str]] = {}
        for sel in selectors:
            for r in sel.requirements:
                values.setdefault(r.key, set()).update(r.values)
        for ls in label_sets:
            for k, v in ls.items():
                values.setdefault(k, set()).add(v)
        for k in extra_keys:
            values.setdefault(k, set())
        self.values: dict[str, tuple[str, ...]] = {k: tuple(sorted(v)) for k, v in sorted(values.items())}
        self._n = 0
        self.fresh = self.new_labels("l")

    def new_labels(self, tag: str) -> dict[str, tuple[z3.BoolRef, z3.ArithRef, z3.ArithRef]]:
        """A fresh symbolic label set: per key (present, value index, numeric value of NUM)."""
        self._n += 1
        return {
            k: (z3.Bool(f"{tag}{self._n}_{k}_present"), z3.Int(f"{tag}{self._n}_{k}_val"), z3.Int(f"{tag}{self._n}_{k}_num"))
            for k in self.values
        }

    def domain(self, labels: Mapping[str, tuple[z3.BoolRef, z3.ArithRef, z3.ArithRef]]) -> z3.BoolRef:
        """Index range per key: 0..n-1 the mentioned values, n = OTHER, n+1 = NUM."""
        cs = []
        for k, (_, v, num) in labels.items():
            n = len(self.values[k])
            cs += [v >= 0, v <= n + 1, num >= _INT64_MIN, num <= _INT64_MAX]
        return z3.And(*cs) if cs else z3.BoolVal(True)

    def _is_one_of(self, key: str, val: z3.ArithRef, wanted: Iterable[str]) -> z3.BoolRef:
        dom = self.values[key]
        idx = [dom.index(w) for w in set(wanted) if w in dom]
        return z3.Or(*[val == i for i in idx]) if idx else z3.BoolVal(False)

    def _numeric(self, key: str, val: z3.ArithRef, num: z3.ArithRef, op: str, bound: int) -> z3.BoolRef:
        dom = self.values[key]
        cmp = (lambda x: x > bound) if op == GREATER_THAN else (lambda x: x < bound)
        ok = [val == i for i, s in enumerate(dom) if (n := _parse_int64(s)) is not None and cmp(n)]
        ok.append(z3.And(val == len(dom) + 1, num > bound if op == GREATER_THAN else num < bound))
        return z3.Or(*ok)

    def matches(self, sel: Selector, labels: Mapping[str, tuple[z3.BoolRef, z3.ArithRef, z3.ArithRef]]) -> z3.BoolRef:
        """``sel.Matches(labels)`` as a formula (Nothing -> False; no requirement -> True)."""
        if sel.is_nothing:
            return z3.BoolVal(False)
        cs: list[z3.BoolRef] = []
        for r in sel.requirements:
            present, val, num = labels[r.key]
            op = r.operator
            if op in (IN, EQUALS, DOUBLE_EQUALS):
                cs.append(z3.And(present, self._is_one_of(r.key, val, r.values)))
            elif op in (NOT_IN, NOT_EQUALS):
                cs.append(z3.Or(z3.Not(present), z3.Not(self._is_one_of(r.key, val, r.values))))
            elif op == EXISTS:
                cs.append(present)
            elif op == DOES_NOT_EXIST:
                cs.append(z3.Not(present))
            elif op in (GREATER_THAN, LESS_THAN):
                bound = _parse_int64(r.values[0]) if len(r.values) == 1 else None
                cs.append(z3.BoolVal(False) if bound is None else z3.And(present, self._numeric(r.key, val, num, op, bound)))
            else:
                cs.append(z3.BoolVal(False))
        return z3.And(*cs) if cs else z3.BoolVal(True)

    def equals(self, labels: Mapping[str, tuple[z3.BoolRef, z3.ArithRef, z3.ArithRef]], concrete: Mapping[str, str]) -> z3.BoolRef:
        """The symbolic label set is exactly ``concrete`` on the modelled keys."""
        cs = []
        for k, (present, val, _) in labels.items():
            if k in concrete:
                cs += [present, val == self.values[k].index(concrete[k])]
            else:
                cs.append(z3.Not(present))
        return z3.And(*cs) if cs else z3.BoolVal(True)

    def decode(self, model: z3.ModelRef, labels: Mapping[str, tuple[z3.BoolRef, z3.ArithRef, z3.ArithRef]]) -> dict[str, str]:
        """A concrete label set from a model: OTHER and NUM become strings no selector mentions."""
        out: dict[str, str] = {}
        for k, (present, val, num) in labels.items():
            if not z3.is_true(model.eval(present, model_completion=True)):
                continue
            dom = self.values[k]
            i = model.eval(val, model_completion=True).as_long()
            if i < len(dom):
                out[k] = dom[i]
            elif i == len(dom):
                out[k] = _fresh_string(dom)
            else:
                out[k] = _fresh_numeral(model.eval(num, model_completion=True).as_long(), dom)
        return out


def _fresh_string(taken: Sequence[str]) -> str:
    """A valid label value that is not an integer and not in ``taken``."""
    i = 0
    while True:
        s = "other" if i == 0 else f"other{i}"
        if s not in taken:
            return s
        i += 1


def _fresh_numeral(n: int, taken: Sequence[str]) -> str:
    """A decimal spelling of ``n`` (zero-padded if needed) that is not in ``taken``."""
    sign, digits = ("-", str(-n)) if n < 0 else ("", str(n))
    pad = 0
    while (s := f"{sign}{'0' * pad}{digits}") in taken:
        pad += 1
    return s


def _solve(space: LabelSpace, *constraints: z3.BoolRef) -> dict[str, str] | None:
    s = z3.Solver()
    s.add(space.domain(space.fresh), *constraints)
    if s.check() != z3.sat:
        return None
    return space.decode(s.model(), space.fresh)


def witness(sel: SelectorLike) -> dict[str, str] | None:
    """A label set ``sel`` matches, or None if it matches none."""
    s = as_selector(sel)
    space = LabelSpace([s])
    return _solve(space, space.matches(s, space.fresh))


def satisfiable(sel: SelectorLike) -> bool:
    """Whether some label set matches ``sel`` (``a,!a`` and ``a in (x), a notin (x)`` do not)."""
    return witness(sel) is not None


def overlap(a: SelectorLike, b: SelectorLike) -> dict[str, str] | None:
    """A label set both ``a`` and ``b`` match, or None if they are disjoint."""
    sa, sb = as_selector(a), as_selector(b)
    space = LabelSpace([sa, sb])
    return _solve(space, space.matches(sa, space.fresh), space.matches(sb, space.fresh))


def containment_counterexample(a: SelectorLike, b: SelectorLike) -> dict[str, str] | None:
    """A label set ``b`` matches and ``a`` does not, or None if ``a`` contains ``b``."""
    sa, sb = as_selector(a), as_selector(b)
    space = LabelSpace([sa, sb])
    return _solve(space, space.matches(sb, space.fresh), z3.Not(space.matches(sa, space.fresh)))


def contains(a: SelectorLike, b: SelectorLike) -> bool:
    """Whether every label set ``b`` matches is also matched by ``a``."""
    return containment_counterexample(a, b) is None


def template_matches_selector(template_labels: Mapping[str, str], sel: SelectorLike) -> bool:
    """Whether ``sel`` matches exactly the label set ``template_labels`` (decided in SMT)."""
    s = as_selector(sel)
    space = LabelSpace([s], [template_labels])
    return _solve(space, space.equals(space.fresh, template_labels), space.matches(s, space.fresh)) is not None


# --------------------------------------------------------------------- ownership analysis


@dataclass(frozen=True, slots=True)
class ObjectRef:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two workloads of one namespace whose pods could be selected by both.

    ``witness`` is a pod label set both would select (for a Deployment, as seen through its
    ReplicaSets: with a ``pod-template-hash`` label).
    """

    a: ObjectRef
    b: ObjectRef
    witness: FrozenMap[str, str]
    message: str = field(default="", compare=False)


_WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet")


def _kind(obj: Any) -> str:
    return type(obj).__name__


def _pod_selector(obj: Any) -> Selector:
    """The selector of the pods a workload's controller claims.

    A Deployment's pods are claimed by its ReplicaSets, whose selectors are the Deployment's
    plus ``pod-template-hash=<hash>`` (sync.go getNewReplicaSet): modelled as the
    Deployment's selector AND ``pod-template-hash`` present with some value (any revision's
    hash, so two Deployments' hashes may coincide).
    """
    sel = as_selector(obj.selector)
    if _kind(obj) == "Deployment" and not sel.is_nothing:
        from model.labels import Requirement

        sel = sel.add(Requirement(POD_TEMPLATE_HASH, EXISTS, ()))
    return sel


def _owned_by_listed_deployment(obj: Any, deployments: set[tuple[str, str]]) -> bool:
    ref = obj.controller_ref() if hasattr(obj, "controller_ref") else None
    return ref is not None and ref.kind == "Deployment" and (obj.namespace, ref.name) in deployments


def overlap_analysis(objects: Iterable[Any]) -> list[Overlap]:
    """Pairs of workloads (Deployment, ReplicaSet, ReplicationController, StatefulSet) in the
    same namespace whose pod selectors overlap, each with a witness label set.

    ReplicaSets controlled by a listed Deployment are that Deployment's, not compared on
    their own.  A ``pod-template-hash`` requirement (e.g. ``DoesNotExist``) or any label on
    which the selectors disagree separates two workloads; a Nothing (nil) selector overlaps
    nothing.
    """
    objs = [o for o in objects if _kind(o) in _WORKLOAD_KINDS]
    deployments = {(o.namespace, o.name) for o in objs if _kind(o) == "Deployment"}
    objs = [o for o in objs if not (_kind(o) == "ReplicaSet" and _owned_by_listed_deployment(o, deployments))]
    out: list[Overlap] = []
    sels = [_pod_selector(o) for o in objs]
    for i, a in enumerate(objs):
        for j in range(i + 1, len(objs)):
            b = objs[j]
            if a.namespace != b.namespace:
                continue
            w = overlap(sels[i], sels[j])
            if w is None:
                continue
            ra, rb = ObjectRef(_kind(a), a.namespace, a.name), ObjectRef(_kind(b), b.namespace, b.name)
            shown = ",".join(f"{k}={v}" for k, v in sorted(w.items())) or "<no labels>"
            out.append(Overlap(ra, rb, FrozenMap(w), f"{ra} and {rb} both select pods labelled {{{shown}}}"))
    return out
