"""Kubernetes label selectors with upstream semantics.

Mirrors, from kubernetes/kubernetes ``staging/src/k8s.io/apimachinery/pkg``:

* ``labels/selector.go``: ``Requirement``, ``NewRequirement``, ``(*Requirement).Matches``,
  ``internalSelector`` (sorted by key), ``Everything``/``Nothing``, the ``Lexer``/``Parser`` behind
  ``Parse``, ``SelectorFromSet``/``SelectorFromValidatedSet``/``ValidatedSelectorFromSet``;
* ``labels/labels.go``: ``Set.String``, ``Conflicts``, ``Merge``, ``FormatLabels``,
  ``ConvertSelectorToLabelsMap``;
* ``apis/meta/v1/helpers.go``: ``LabelSelectorAsSelector``, ``LabelSelectorAsMap``,
  ``ParseToLabelSelector``, ``FormatLabelSelector``;
* ``api/validate/content/kube.go`` + ``dns.go`` (= ``util/validation`` ``IsQualifiedName``,
  ``IsValidLabelValue``, ``IsDNS1123Subdomain``) and ``apis/meta/v1/validation/validation.go``
  (``ValidateLabelSelector``, ``ValidateLabels``, ``ValidateLabelName``).

Matching is on the explorer's hot path (every pod x every controller in every state), so a
``Requirement`` precomputes a ``(kind, key, arg)`` plan in ``__post_init__`` and ``Selector.matches``
runs one tight loop over the plans with plain ``dict.get`` (no regex, no allocation). Deviations from
upstream are listed in ``docs/semantics.md#labels``.

>>> sel = parse("app=web,tier notin (db),!canary")
>>> sel.string()
'app=web,!canary,tier notin (db)'
>>> sel.matches({"app": "web"}), sel.matches({"app": "web", "canary": ""})
(True, False)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Final

from model.frozen import EMPTY, FrozenMap

__all__ = [
    # metav1 API types (kept from the stub; other modules import them)
    "LabelSelectorRequirement",
    "LabelSelector",
    "LABEL_SELECTOR_OP_IN",
    "LABEL_SELECTOR_OP_NOT_IN",
    "LABEL_SELECTOR_OP_EXISTS",
    "LABEL_SELECTOR_OP_DOES_NOT_EXIST",
    # selection.Operator values
    "IN",
    "NOT_IN",
    "EQUALS",
    "DOUBLE_EQUALS",
    "NOT_EQUALS",
    "EXISTS",
    "DOES_NOT_EXIST",
    "GREATER_THAN",
    "LESS_THAN",
    "VALID_REQUIREMENT_OPERATORS",
    # errors
    "SelectorError",
    "SelectorParseError",
    "LabelSelectorAsMapError",
    # selector core
    "Requirement",
    "new_requirement",
    "Selector",
    "EVERYTHING",
    "NOTHING",
    "everything",
    "nothing",
    "matches_nothing",
    "parse",
    "parse_to_requirements",
    "Token",
    "ParserContext",
    "Lexer",
    "Parser",
    # label sets
    "selector_from_set",
    "selector_from_validated_set",
    "validated_selector_from_set",
    "set_string",
    "format_labels",
    "conflicts",
    "merge",
    "convert_selector_to_labels_map",
    # metav1 helpers
    "label_selector_as_selector",
    "label_selector_as_map",
    "parse_to_label_selector",
    "format_label_selector",
    "matches",
    # syntax validation
    "is_qualified_name",
    "is_valid_label_value",
    "is_dns1123_subdomain",
    "validate_label_name",
    "validate_labels",
    "validate_label_selector",
    "validate_label_selector_requirement",
]


# ---------------------------------------------------------------------------------------------
# metav1 API types (do not rename: other modules construct these)
# ---------------------------------------------------------------------------------------------

LABEL_SELECTOR_OP_IN: Final = "In"
LABEL_SELECTOR_OP_NOT_IN: Final = "NotIn"
LABEL_SELECTOR_OP_EXISTS: Final = "Exists"
LABEL_SELECTOR_OP_DOES_NOT_EXIST: Final = "DoesNotExist"


@dataclass(frozen=True, slots=True)
class LabelSelectorRequirement:
    """metav1.LabelSelectorRequirement: ``key``, ``operator`` (In, NotIn, Exists, DoesNotExist), ``values``."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """metav1.LabelSelector: matchLabels ANDed with matchExpressions."""

    match_labels: FrozenMap[str, str] = field(default=EMPTY)
    match_expressions: tuple[LabelSelectorRequirement, ...] = ()


# ---------------------------------------------------------------------------------------------
# selection.Operator (staging/src/k8s.io/apimachinery/pkg/selection/operator.go)
# ---------------------------------------------------------------------------------------------

IN: Final = "in"
NOT_IN: Final = "notin"
EQUALS: Final = "="
DOUBLE_EQUALS: Final = "=="
NOT_EQUALS: Final = "!="
EXISTS: Final = "exists"
DOES_NOT_EXIST: Final = "!"
GREATER_THAN: Final = "gt"
LESS_THAN: Final = "lt"

_BINARY_OPERATORS: Final = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_UNARY_OPERATORS: Final = (EXISTS, DOES_NOT_EXIST)
#: ``validRequirementOperators`` in selector.go, in upstream order (used in error messages).
VALID_REQUIREMENT_OPERATORS: Final = _BINARY_OPERATORS + _UNARY_OPERATORS


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class SelectorError(ValueError):
    """A selector, requirement or label set is invalid.

    ``str(err)`` is upstream's error text (a ``field.ErrorList`` aggregate prints a single error
    as itself and several as ``[e1, e2]``); ``err.errors`` holds the individual messages.
    """

    def __init__(self, message: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.errors: tuple[str, ...] = errors or (message,)


class SelectorParseError(SelectorError):
    """``labels.Parse`` rejected a selector string."""


class LabelSelectorAsMapError(SelectorError):
    """``LabelSelectorAsMap`` failed; ``partial`` is the map upstream returns alongside the error."""

    def __init__(self, message: str, partial: FrozenMap[str, str]) -> None:
        super().__init__(message)
        self.partial: FrozenMap[str, str] = partial


def _aggregate(errs: list[str]) -> str:
    """``field.ErrorList.ToAggregate().Error()``: de-duplicate; one error prints as itself."""
    seen: list[str] = []
    for e in errs:
        if e not in seen:
            seen.append(e)
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


# --- field.Path / field.Error formatting (util/validation/field/{path,errors}.go) -------------


def _path_str(path: str | None) -> str:
    return "<nil>" if path is None else path  # (*Path)(nil).String() == "<nil>"


def _child(path: str | None, name: str) -> str:
    return name if not path else f"{path}.{name}"


def _go_quote(s: str) -> str:
    """Go ``strconv.Quote`` (``%q``) for the strings that appear in error messages."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif not ch.isprintable():
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_GO_ESCAPES: Final = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _go_string_slice(values: Iterable[str]) -> str:
    """``fmt.Sprintf("%#v", []string{...})``."""
    return "[]string{" + ", ".join(_go_quote(v) for v in values) + "}"


def _invalid(path: str | None, value_repr: str, detail: str) -> str:
    return f"{_path_str(path)}: Invalid value: {value_repr}: {detail}"


# ---------------------------------------------------------------------------------------------
# Key / value syntax (api/validate/content/kube.go, dns.go, errors.go)
# ---------------------------------------------------------------------------------------------

_LABEL_KEY_FMT: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_ERR_MSG: Final = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_KEY_MAX_LENGTH: Final = 63
_LABEL_KEY_RE: Final = re.compile(_LABEL_KEY_FMT)
_LABEL_VALUE_FMT: Final = "(" + _LABEL_KEY_FMT + ")?"
_LABEL_VALUE_ERR_MSG: Final = (
    "a valid label must be an empty string or consist of alphanumeric characters, "
    "'-', '_' or '.', and must start and end with an alphanumeric character"
)
_LABEL_VALUE_MAX_LENGTH: Final = 63
_LABEL_VALUE_RE: Final = re.compile(_LABEL_VALUE_FMT)
_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT: Final = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR_MSG: Final = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_MAX_LENGTH: Final = 253
_DNS1123_SUBDOMAIN_RE: Final = re.compile(_DNS1123_SUBDOMAIN_FMT)


def _byte_len(s: str) -> int:
    """Go's ``len(string)`` counts UTF-8 bytes."""
    return len(s.encode("utf-8", "surrogatepass"))


def _max_len_error(n: int) -> str:
    return f"must be no more than {n} bytes"


def _regex_error(msg: str, regex: str, *examples: str) -> str:
    """Mirrors api/validate/content/errors.go RegexError (including its double spaces)."""
    if not examples:
        return msg + " (regex used for validation is '" + regex + "')"
    msg += " (e.g. "
    for i, ex in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += "'" + ex + "', "
    return msg + "regex used for validation is '" + regex + "')"


def _fullmatch(pattern: re.Pattern[str], s: str) -> bool:
    return pattern.fullmatch(s) is not None


def is_dns1123_subdomain(value: str) -> list[str]:
    """Mirrors api/validate/content/dns.go IsDNS1123Subdomain: error messages, empty if valid."""
    errs: list[str] = []
    if _byte_len(value) > _DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(_max_len_error(_DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _fullmatch(_DNS1123_SUBDOMAIN_RE, value):
        errs.append(_regex_error(_DNS1123_SUBDOMAIN_ERR_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_qualified_name(value: str) -> list[str]:
    """Mirrors api/validate/content/kube.go IsLabelKey (= util/validation IsQualifiedName).

    Key = ``[prefix "/"] name``: prefix a lowercase DNS-1123 subdomain, name 1-63 bytes of
    ``[-A-Za-z0-9_.]`` with alphanumerics at both ends. Returns the error messages (empty = valid).

    >>> is_qualified_name("example.com/MyName")
    []
    >>> is_qualified_name("example.com/")
    ['name part must be non-empty', "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]
    """
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return [
            "a valid label key "
            + _regex_error(_LABEL_KEY_ERR_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif _byte_len(name) > _LABEL_KEY_MAX_LENGTH:
        errs.append("name part " + _max_len_error(_LABEL_KEY_MAX_LENGTH))
    if not _fullmatch(_LABEL_KEY_RE, name):
        errs.append("name part " + _regex_error(_LABEL_KEY_ERR_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """Mirrors api/validate/content/kube.go IsLabelValue (= util/validation IsValidLabelValue).

    >>> is_valid_label_value("")
    []
    >>> is_valid_label_value("a" * 64)
    ['must be no more than 63 bytes']
    """
    errs: list[str] = []
    if _byte_len(value) > _LABEL_VALUE_MAX_LENGTH:
        errs.append(_max_len_error(_LABEL_VALUE_MAX_LENGTH))
    if not _fullmatch(_LABEL_VALUE_RE, value):
        errs.append(_regex_error(_LABEL_VALUE_ERR_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _validate_label_key(key: str, path: str | None) -> str | None:
    """labels/selector.go validateLabelKey: one Invalid error joining the messages with '; '."""
    errs = is_qualified_name(key)
    return _invalid(path, _go_quote(key), "; ".join(errs)) if errs else None


def _validate_label_value(key: str, value: str, path: str) -> str | None:
    """labels/selector.go validateLabelValue: error at ``path[key]``."""
    errs = is_valid_label_value(value)
    return _invalid(f"{path}[{key}]", _go_quote(value), "; ".join(errs)) if errs else None


def _parse_int64(s: str) -> int | None:
    """Go ``strconv.ParseInt(s, 10, 64)``: optional sign, ASCII digits only, int64 range."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not (body.isascii() and body.isdigit()):
        return None
    n = int(s)
    return n if -(1 << 63) <= n < (1 << 63) else None


# ---------------------------------------------------------------------------------------------
# Requirement (labels/selector.go)
# ---------------------------------------------------------------------------------------------

# Match plan kinds. A plan is (kind, key, arg); see _plan_matches.
_K_FALSE: Final = 0  # never matches (zero Requirement, unknown operator, bad gt/lt value)
_K_EQ: Final = 1  # in/=/== with one value: arg is the value
_K_IN: Final = 2  # in/=/== with 0 or >1 values: arg is a frozenset
_K_NE: Final = 3  # notin/!= with one value: arg is the value; ABSENT key matches
_K_NOTIN: Final = 4  # notin/!= with 0 or >1 values: arg is a frozenset; ABSENT key matches
_K_EXISTS: Final = 5
_K_DNE: Final = 6
_K_GT: Final = 7  # arg is the int64 bound
_K_LT: Final = 8

_Plan = tuple[int, str, Any]
_MISSING: Final = object()


def _make_plan(key: str, op: str, values: tuple[str, ...]) -> _Plan:
    if op in (IN, EQUALS, DOUBLE_EQUALS):
        return (_K_EQ, key, values[0]) if len(values) == 1 else (_K_IN, key, frozenset(values))
    if op in (NOT_IN, NOT_EQUALS):
        return (_K_NE, key, values[0]) if len(values) == 1 else (_K_NOTIN, key, frozenset(values))
    if op == EXISTS:
        return (_K_EXISTS, key, None)
    if op == DOES_NOT_EXIST:
        return (_K_DNE, key, None)
    if op in (GREATER_THAN, LESS_THAN):
        # Upstream Matches returns false (after logging) unless exactly one integer value.
        bound = _parse_int64(values[0]) if len(values) == 1 else None
        if bound is None:
            return (_K_FALSE, key, None)
        return (_K_GT if op == GREATER_THAN else _K_LT, key, bound)
    return (_K_FALSE, key, None)


def _plan_matches(plans: tuple[_Plan, ...], d: Mapping[str, str]) -> bool:
    """AND of ``(*Requirement).Matches`` over ``plans``; ``d`` is a dict (or any Mapping)."""
    get = d.get
    for kind, key, arg in plans:
        if kind == _K_EQ:
            if get(key, _MISSING) != arg:
                return False
        elif kind == _K_EXISTS:
            if key not in d:
                return False
        elif kind == _K_NE:
            if get(key, _MISSING) == arg:
                return False
        elif kind == _K_DNE:
            if key in d:
                return False
        elif kind == _K_IN:
            if get(key, _MISSING) not in arg:
                return False
        elif kind == _K_NOTIN:
            if get(key, _MISSING) in arg:
                return False
        elif kind == _K_GT or kind == _K_LT:
            v = get(key)
            if v is None:
                return False
            n = _parse_int64(v)
            if n is None or not (n > arg if kind == _K_GT else n < arg):
                return False
        else:
            return False
    return True


def _label_dict(labels: Mapping[str, str]) -> Mapping[str, str]:
    # IMPORTANT (speed): FrozenMap's Mapping methods are Python-level; its backing dict gives
    # C-level ``get``/``in``. The dict is never mutated or leaked: we only read it here.
    return labels._d if type(labels) is FrozenMap else labels  # noqa: SLF001


@dataclass(frozen=True, slots=True)
class Requirement:
    """labels.Requirement: ``key operator values``. Values are stored sorted (duplicates kept).

    The constructor does no validation (like a Go struct literal); use :func:`new_requirement`.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()
    _plan: _Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = tuple(sorted(self.values))
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_plan", _make_plan(self.key, self.operator, values))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Mirrors labels/selector.go (*Requirement).Matches.

        ``in``/``=``/``==``: key present with a listed value. ``notin``/``!=``: key ABSENT or value
        not listed. ``exists``/``!``: presence. ``gt``/``lt``: key present, value parses as a
        base-10 int64 and compares numerically with the single bound; anything else is no match.
        """
        return _plan_matches((self._plan,), _label_dict(labels))

    def has_value(self, value: str) -> bool:
        """labels/selector.go (*Requirement).hasValue."""
        return value in self.values

    def string(self) -> str:
        """Mirrors labels/selector.go (*Requirement).String."""
        op = self.operator
        head = ("!" if op == DOES_NOT_EXIST else "") + self.key
        if op in (EXISTS, DOES_NOT_EXIST):
            return head
        sym = _OP_SYMBOL.get(op, "")
        vals = self.values[0] if len(self.values) == 1 else ",".join(self.values)
        if op in (IN, NOT_IN):
            return f"{head}{sym}({vals})"
        return f"{head}{sym}{vals}"

    __str__ = string


_OP_SYMBOL: Final = {
    EQUALS: "=",
    DOUBLE_EQUALS: "==",
    NOT_EQUALS: "!=",
    IN: " in ",
    NOT_IN: " notin ",
    GREATER_THAN: ">",
    LESS_THAN: "<",
}


def _new_requirement_errors(key: str, op: str, values: tuple[str, ...], path: str | None) -> list[str]:
    errs: list[str] = []
    key_err = _validate_label_key(key, _child(path, "key"))
    if key_err is not None:
        errs.append(key_err)
    value_path = _child(path, "values")
    n = len(values)
    if op in (IN, NOT_IN):
        if n == 0:
            errs.append(
                _invalid(value_path, _go_string_slice(values), "for 'in', 'notin' operators, values set can't be empty")
            )
    elif op in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if n != 1:
            errs.append(
                _invalid(value_path, _go_string_slice(values), "exact-match compatibility requires one single value")
            )
    elif op in (EXISTS, DOES_NOT_EXIST):
        if n != 0:
            errs.append(
                _invalid(
                    value_path, _go_string_slice(values), "values set must be empty for exists and does not exist"
                )
            )
    elif op in (GREATER_THAN, LESS_THAN):
        if n != 1:
            errs.append(
                _invalid(
                    value_path, _go_string_slice(values), "for 'Gt', 'Lt' operators, exactly one value is required"
                )
            )
        for i, v in enumerate(values):
            if _parse_int64(v) is None:
                errs.append(
                    _invalid(
                        f"{value_path}[{i}]", _go_quote(v), "for 'Gt', 'Lt' operators, the value must be an integer"
                    )
                )
    else:
        supported = ", ".join(_go_quote(o) for o in VALID_REQUIREMENT_OPERATORS)
        errs.append(f"{_child(path, 'operator')}: Unsupported value: {_go_quote(op)}: supported values: {supported}")
    for i, v in enumerate(values):
        value_err = _validate_label_value(key, v, f"{value_path}[{i}]")
        if value_err is not None:
            errs.append(value_err)
    return errs


def new_requirement(key: str, op: str, values: Iterable[str] = (), *, path: str | None = None) -> Requirement:
    """Mirrors labels/selector.go NewRequirement: validate, then build.

    Collects every error (key syntax; value count per operator; gt/lt values must be int64;
    every value must be a label value) and raises one :class:`SelectorError` whose text is
    upstream's aggregate. ``path`` mirrors ``field.WithPath``.

    >>> new_requirement("x", GREATER_THAN, ["bar"])
    Traceback (most recent call last):
    ...
    model.labels.SelectorError: values[0]: Invalid value: "bar": for 'Gt', 'Lt' operators, the value must be an integer
    """
    vals = tuple(values)
    errs = _new_requirement_errors(key, op, vals, path)
    if errs:
        raise SelectorError(_aggregate(errs), tuple(errs))
    return Requirement(key, op, vals)


# ---------------------------------------------------------------------------------------------
# Selector (labels/selector.go internalSelector / nothingSelector)
# ---------------------------------------------------------------------------------------------


def _by_key(r: Requirement) -> str:
    return r.key


_NOTHING_PLAN: Final = ((_K_FALSE, "", None),)


@dataclass(frozen=True, slots=True)
class Selector:
    """An AND of requirements, kept sorted by key (``sort.Sort(ByKey)``; ours is stable).

    ``is_nothing`` marks upstream's distinct ``nothingSelector`` (matches no object, not empty,
    prints as ``""``); use :data:`NOTHING` rather than setting it yourself.
    """

    requirements: tuple[Requirement, ...] = ()
    is_nothing: bool = False
    _plans: tuple[_Plan, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        reqs = () if self.is_nothing else tuple(sorted(self.requirements, key=_by_key))
        object.__setattr__(self, "requirements", reqs)
        plans = _NOTHING_PLAN if self.is_nothing else tuple(r._plan for r in reqs)  # noqa: SLF001
        object.__setattr__(self, "_plans", plans)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Mirrors labels/selector.go internalSelector.Matches (all requirements; empty = true)
        and nothingSelector.Matches (false)."""
        # _label_dict inlined: this is the hottest call in the explorer.
        d = labels._d if type(labels) is FrozenMap else labels  # noqa: SLF001
        return _plan_matches(self._plans, d)

    def empty(self) -> bool:
        """``Empty()``: true for Everything (no requirements), false for Nothing."""
        return not self.is_nothing and not self.requirements

    def string(self) -> str:
        """Mirrors labels/selector.go internalSelector.String: requirements joined by ``,``."""
        return ",".join(r.string() for r in self.requirements)

    __str__ = string

    def add(self, *reqs: Requirement) -> Selector:
        """Mirrors internalSelector.Add (copy, append, sort by key); Nothing stays Nothing."""
        if self.is_nothing:
            return self
        return Selector(self.requirements + reqs)

    def requires_exact_match(self, label: str) -> str | None:
        """Mirrors internalSelector.RequiresExactMatch: the value the FIRST requirement on
        ``label`` pins (``=``/``==``/``in`` with exactly one value), else None."""
        for r in self.requirements:
            if r.key == label:
                if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1:
                    return r.values[0]
                return None
        return None


#: ``labels.Everything()``: matches every label set; ``empty()`` is true.
EVERYTHING: Final = Selector()
#: ``labels.Nothing()``: matches no label set; ``empty()`` is false; prints as ``""``.
NOTHING: Final = Selector(is_nothing=True)


def everything() -> Selector:
    """labels/selector.go Everything."""
    return EVERYTHING


def nothing() -> Selector:
    """labels/selector.go Nothing."""
    return NOTHING


def matches_nothing(selector: Selector) -> bool:
    """labels/selector.go MatchesNothing: true only for the Nothing selector itself
    (a contradictory selector such as ``a,!a`` is not detected, as upstream)."""
    return selector.is_nothing


# ---------------------------------------------------------------------------------------------
# Lexer and parser (labels/selector.go Lexer, Parser, Parse)
# ---------------------------------------------------------------------------------------------


class Token(IntEnum):
    """labels/selector.go Token (same numbering)."""

    ERROR = 0
    END_OF_STRING = 1
    CLOSED_PAR = 2
    COMMA = 3
    DOES_NOT_EXIST = 4
    DOUBLE_EQUALS = 5
    EQUALS = 6
    GREATER_THAN = 7
    IDENTIFIER = 8
    IN = 9
    LESS_THAN = 10
    NOT_EQUALS = 11
    NOT_IN = 12
    OPEN_PAR = 13


_STRING_TO_TOKEN: Final = {
    ")": Token.CLOSED_PAR,
    ",": Token.COMMA,
    "!": Token.DOES_NOT_EXIST,
    "==": Token.DOUBLE_EQUALS,
    "=": Token.EQUALS,
    ">": Token.GREATER_THAN,
    "in": Token.IN,
    "<": Token.LESS_THAN,
    "!=": Token.NOT_EQUALS,
    "notin": Token.NOT_IN,
    "(": Token.OPEN_PAR,
}
_WHITESPACE: Final = frozenset(" \t\r\n")
_SPECIAL: Final = frozenset("=!(),><")
_NUL: Final = "\0"


class Lexer:
    """labels/selector.go Lexer. Like upstream, ``read`` returns NUL at the end of input, so a
    NUL character inside the input also acts as an end/separator (see docs/semantics.md#labels)."""

    __slots__ = ("s", "pos")

    def __init__(self, s: str) -> None:
        self.s = s
        self.pos = 0

    def _read(self) -> str:
        if self.pos < len(self.s):
            ch = self.s[self.pos]
            self.pos += 1
            return ch
        return _NUL

    def _unread(self) -> None:
        self.pos -= 1

    def _scan_id_or_keyword(self) -> tuple[Token, str]:
        buf: list[str] = []
        while True:
            ch = self._read()
            if ch == _NUL:
                break
            if ch in _SPECIAL or ch in _WHITESPACE:
                self._unread()
                break
            buf.append(ch)
        s = "".join(buf)
        tok = _STRING_TO_TOKEN.get(s)
        return (tok, s) if tok is not None else (Token.IDENTIFIER, s)

    def _scan_special_symbol(self) -> tuple[Token, str]:
        last: tuple[Token, str] | None = None
        buf = ""
        while True:
            ch = self._read()
            if ch == _NUL:
                break
            if ch in _SPECIAL:
                buf += ch
                tok = _STRING_TO_TOKEN.get(buf)
                if tok is not None:
                    last = (tok, buf)
                elif last is not None:
                    self._unread()
                    break
            else:
                self._unread()
                break
        if last is None:  # unreachable: every single special character is a token
            return Token.ERROR, f"error expected: keyword found '{buf}'"
        return last

    def lex(self) -> tuple[Token, str]:
        """Next (token, literal); the longest known operator wins (``!=`` over ``!``)."""
        ch = self._read()
        while ch in _WHITESPACE:
            ch = self._read()
        if ch == _NUL:
            return Token.END_OF_STRING, ""
        self._unread()
        if ch in _SPECIAL:
            return self._scan_special_symbol()
        return self._scan_id_or_keyword()


class ParserContext(IntEnum):
    """In VALUES context the keywords ``in``/``notin`` are identifiers."""

    KEY_AND_OPERATOR = 0
    VALUES = 1


_TOKEN_TO_OPERATOR: Final = {
    Token.IN: IN,
    Token.EQUALS: EQUALS,
    Token.DOUBLE_EQUALS: DOUBLE_EQUALS,
    Token.GREATER_THAN: GREATER_THAN,
    Token.LESS_THAN: LESS_THAN,
    Token.NOT_IN: NOT_IN,
    Token.NOT_EQUALS: NOT_EQUALS,
}


class Parser:
    """labels/selector.go Parser: scans all tokens first, then recursive descent with lookahead."""

    __slots__ = ("lexer", "scanned_items", "position", "path")

    def __init__(self, s: str, path: str | None = None) -> None:
        self.lexer = Lexer(s)
        self.scanned_items: list[tuple[Token, str]] = []
        self.position = 0
        self.path = path

    def scan(self) -> None:
        while True:
            item = self.lexer.lex()
            self.scanned_items.append(item)
            if item[0] == Token.END_OF_STRING:
                return

    def lookahead(self, context: ParserContext) -> tuple[Token, str]:
        tok, lit = self.scanned_items[self.position]
        if context == ParserContext.VALUES and tok in (Token.IN, Token.NOT_IN):
            tok = Token.IDENTIFIER
        return tok, lit

    def consume(self, context: ParserContext) -> tuple[Token, str]:
        self.position += 1
        tok, lit = self.scanned_items[self.position - 1]
        if context == ParserContext.VALUES and tok in (Token.IN, Token.NOT_IN):
            tok = Token.IDENTIFIER
        return tok, lit

    def parse(self) -> list[Requirement]:
        self.scan()
        reqs: list[Requirement] = []
        values = ParserContext.VALUES
        while True:
            tok, lit = self.lookahead(values)
            if tok in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                try:
                    reqs.append(self._parse_requirement())
                except SelectorError as e:
                    raise SelectorParseError(f"unable to parse requirement: {e}", e.errors) from e
                t, lit2 = self.consume(values)
                if t == Token.END_OF_STRING:
                    return reqs
                if t == Token.COMMA:
                    t2, l2 = self.lookahead(values)
                    if t2 not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                        raise SelectorParseError(f"found '{l2}', expected: identifier after ','")
                else:
                    raise SelectorParseError(f"found '{lit2}', expected: ',' or 'end of string'")
            elif tok == Token.END_OF_STRING:
                return reqs
            else:
                raise SelectorParseError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def _parse_requirement(self) -> Requirement:
        key, op = self._parse_key_and_infer_operator()
        if op in (EXISTS, DOES_NOT_EXIST):
            return new_requirement(key, op, (), path=self.path)
        op = self._parse_operator()
        if op in (IN, NOT_IN):
            values = self._parse_values()
        else:
            values = self._parse_exact_value()
        return new_requirement(key, op, sorted(values), path=self.path)

    def _parse_key_and_infer_operator(self) -> tuple[str, str]:
        op = ""
        tok, lit = self.consume(ParserContext.VALUES)
        if tok == Token.DOES_NOT_EXIST:
            op = DOES_NOT_EXIST
            tok, lit = self.consume(ParserContext.VALUES)
        if tok != Token.IDENTIFIER:
            raise SelectorParseError(f"found '{lit}', expected: identifier")
        key_err = _validate_label_key(lit, self.path)
        if key_err is not None:
            raise SelectorParseError(key_err)
        t, _ = self.lookahead(ParserContext.VALUES)
        if t in (Token.END_OF_STRING, Token.COMMA) and op != DOES_NOT_EXIST:
            op = EXISTS
        return lit, op

    def _parse_operator(self) -> str:
        tok, lit = self.consume(ParserContext.KEY_AND_OPERATOR)
        op = _TOKEN_TO_OPERATOR.get(tok)
        if op is None:
            raise SelectorParseError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        return op

    def _parse_values(self) -> set[str]:
        values = ParserContext.VALUES
        tok, lit = self.consume(values)
        if tok != Token.OPEN_PAR:
            raise SelectorParseError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead(values)
        if tok in (Token.IDENTIFIER, Token.COMMA):
            s = self._parse_identifiers_list()
            tok, _ = self.consume(values)
            if tok != Token.CLOSED_PAR:
                raise SelectorParseError(f"found '{lit}', expected: ')'")  # upstream's stale literal
            return s
        if tok == Token.CLOSED_PAR:  # "()" means {""}
            self.consume(values)
            return {""}
        raise SelectorParseError(f"found '{lit}', expected: ',', ')' or identifier")

    def _parse_identifiers_list(self) -> set[str]:
        values = ParserContext.VALUES
        s: set[str] = set()
        while True:
            tok, lit = self.consume(values)
            if tok == Token.IDENTIFIER:
                s.add(lit)
                tok2, lit2 = self.lookahead(values)
                if tok2 == Token.COMMA:
                    continue
                if tok2 == Token.CLOSED_PAR:
                    return s
                raise SelectorParseError(f"found '{lit2}', expected: ',' or ')'")
            if tok == Token.COMMA:
                if not s:
                    s.add("")  # "(,"
                tok2, _ = self.lookahead(values)
                if tok2 in (Token.CLOSED_PAR, Token.COMMA):
                    s.add("")  # ",)" and ",,"
                    if tok2 == Token.CLOSED_PAR:
                        return s
                continue
            raise SelectorParseError(f"found '{lit}', expected: ',', or identifier")

    def _parse_exact_value(self) -> set[str]:
        tok, _ = self.lookahead(ParserContext.VALUES)
        if tok in (Token.END_OF_STRING, Token.COMMA):
            return {""}
        tok, lit = self.consume(ParserContext.VALUES)
        if tok == Token.IDENTIFIER:
            return {lit}
        raise SelectorParseError(f"found '{lit}', expected: identifier")


def parse_to_requirements(selector: str, *, path: str | None = None) -> tuple[Requirement, ...]:
    """Mirrors labels/selector.go ParseToRequirements (requirements sorted by key)."""
    return tuple(sorted(Parser(selector, path).parse(), key=_by_key))


@functools.lru_cache(maxsize=4096)
def _parse_cached(selector: str, path: str | None) -> Selector:
    return Selector(parse_to_requirements(selector, path=path))


def parse(selector: str, *, path: str | None = None) -> Selector:
    """Mirrors labels/selector.go Parse: the selector string grammar.

    ``""`` is Everything; ``k``/``!k`` (exists / does not exist); ``k=v``, ``k==v``, ``k!=v``
    (missing ``v`` means ``""``); ``k in (a,b)``, ``k notin (a,b)`` (``()`` means ``{""}``);
    ``k>n``, ``k<n`` (int64). Raises :class:`SelectorParseError` with upstream's message.

    >>> parse("x in (b,a,),!y").string()
    'x in (,a,b),!y'
    >>> parse("x,,y")
    Traceback (most recent call last):
    ...
    model.labels.SelectorParseError: found ',', expected: identifier after ','
    """
    return _parse_cached(selector, path)


# ---------------------------------------------------------------------------------------------
# Label sets (labels/labels.go, labels/selector.go SelectorFromSet & co)
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _selector_from_frozen_set(ls: FrozenMap[str, str]) -> Selector:
    return Selector(tuple(Requirement(k, EQUALS, (v,)) for k, v in ls.items()))


def selector_from_validated_set(ls: Mapping[str, str] | None) -> Selector:
    """Mirrors labels/selector.go SelectorFromValidatedSet: one ``=`` requirement per key,
    sorted; nil/empty = Everything; NO validation."""
    if not ls:
        return EVERYTHING
    if type(ls) is FrozenMap:
        return _selector_from_frozen_set(ls)
    return Selector(tuple(Requirement(k, EQUALS, (v,)) for k, v in ls.items()))


def selector_from_set(ls: Mapping[str, str] | None) -> Selector:
    """Mirrors labels/selector.go SelectorFromSet (== SelectorFromValidatedSet: no validation).
    This is how the ReplicationController turns ``spec.selector`` (a plain map) into a selector."""
    return selector_from_validated_set(ls)


def validated_selector_from_set(ls: Mapping[str, str] | None) -> Selector:
    """Mirrors labels/selector.go ValidatedSelectorFromSet: like SelectorFromSet but each pair
    goes through NewRequirement; the first (in sorted key order) error is raised."""
    if not ls:
        return EVERYTHING
    return Selector(tuple(new_requirement(k, EQUALS, (ls[k],)) for k in sorted(ls)))


def set_string(ls: Mapping[str, str] | None) -> str:
    """Mirrors labels/labels.go Set.String: ``k=v`` pairs sorted, comma-joined."""
    return ",".join(sorted(f"{k}={v}" for k, v in (ls or {}).items()))


def format_labels(ls: Mapping[str, str] | None) -> str:
    """Mirrors labels/labels.go FormatLabels: Set.String, or ``<none>`` when empty."""
    return set_string(ls) or "<none>"


def conflicts(labels1: Mapping[str, str], labels2: Mapping[str, str]) -> bool:
    """Mirrors labels/labels.go Conflicts: some key in both maps with different values."""
    small, big = (labels2, labels1) if len(labels2) < len(labels1) else (labels1, labels2)
    return any(k in big and big[k] != v for k, v in small.items())


def merge(labels1: Mapping[str, str], labels2: Mapping[str, str]) -> FrozenMap[str, str]:
    """Mirrors labels/labels.go Merge: union, ``labels2`` wins on conflicts."""
    return FrozenMap({**labels1, **labels2})


def convert_selector_to_labels_map(selector: str) -> FrozenMap[str, str]:
    """Mirrors labels/labels.go ConvertSelectorToLabelsMap: strict ``k=v[,k=v]`` (split on
    ``,`` then ``=``, trim spaces, validate key and value); raises :class:`SelectorError`."""
    out: dict[str, str] = {}
    if not selector:
        return FrozenMap(out)
    for label in selector.split(","):
        parts = label.split("=")
        if len(parts) != 2:
            raise SelectorError(f"invalid selector: [{' '.join(parts)}]")
        key = parts[0].strip(" \t\n\v\f\r\x85\xa0")
        key_err = _validate_label_key(key, None)
        if key_err is not None:
            raise SelectorError(key_err)
        value = parts[1].strip(" \t\n\v\f\r\x85\xa0")
        value_err = _validate_label_value(key, value, "")  # nil path: "[key]"
        if value_err is not None:
            raise SelectorError(value_err)
        out[key] = value
    return FrozenMap(out)


# ---------------------------------------------------------------------------------------------
# metav1 helpers (apis/meta/v1/helpers.go)
# ---------------------------------------------------------------------------------------------

_LABEL_SELECTOR_OPERATORS: Final = {
    LABEL_SELECTOR_OP_IN: IN,
    LABEL_SELECTOR_OP_NOT_IN: NOT_IN,
    LABEL_SELECTOR_OP_EXISTS: EXISTS,
    LABEL_SELECTOR_OP_DOES_NOT_EXIST: DOES_NOT_EXIST,
}


def _label_selector_as_selector(ps: LabelSelector) -> Selector:
    if len(ps.match_labels) + len(ps.match_expressions) == 0:
        return EVERYTHING
    reqs: list[Requirement] = [new_requirement(k, EQUALS, (v,)) for k, v in ps.match_labels.items()]
    for expr in ps.match_expressions:
        op = _LABEL_SELECTOR_OPERATORS.get(expr.operator)
        if op is None:
            raise SelectorError(f"{_go_quote(expr.operator)} is not a valid pod selector operator")
        reqs.append(new_requirement(expr.key, op, expr.values))
    return Selector(tuple(reqs))


_label_selector_as_selector_cached = functools.lru_cache(maxsize=4096)(_label_selector_as_selector)
# Identity memo in front of the value memo: explorer states share their (frozen) spec objects, and
# hashing a LabelSelector by value costs more than the match itself. Each entry holds a reference
# to its key object, so an id cannot be reused while its entry exists. Pure memoisation: results
# depend only on the (immutable) argument.
_AS_SELECTOR_BY_ID: dict[int, tuple[LabelSelector, Selector]] = {}


def label_selector_as_selector(ps: LabelSelector | None) -> Selector:
    """Mirrors apis/meta/v1/helpers.go LabelSelectorAsSelector.

    ``None`` -> :data:`NOTHING` (matches no object); no matchLabels and no matchExpressions ->
    :data:`EVERYTHING`; otherwise matchLabels become ``=`` requirements and expressions map
    In->in, NotIn->notin, Exists->exists, DoesNotExist->!, each through NewRequirement; any
    error (unknown operator, Exists with values, In without values, bad key/value) raises
    :class:`SelectorError`. Results are memoised (the input is frozen), so controllers may
    call this on every sync.
    """
    if ps is None:
        return NOTHING
    hit = _AS_SELECTOR_BY_ID.get(id(ps))
    if hit is not None and hit[0] is ps:
        return hit[1]
    try:
        sel = _label_selector_as_selector_cached(ps)
    except TypeError:  # unhashable field (e.g. a list of values): compute without the caches
        return _label_selector_as_selector(ps)
    if len(_AS_SELECTOR_BY_ID) >= 4096:
        _AS_SELECTOR_BY_ID.clear()
    _AS_SELECTOR_BY_ID[id(ps)] = (ps, sel)
    return sel


def label_selector_as_map(ps: LabelSelector | None) -> FrozenMap[str, str] | None:
    """Mirrors apis/meta/v1/helpers.go LabelSelectorAsMap.

    ``None`` -> ``None``; matchLabels copied; ``In`` with exactly one value becomes an entry; any
    other expression raises :class:`LabelSelectorAsMapError` carrying the partial map.
    """
    if ps is None:
        return None
    out = dict(ps.match_labels)
    for expr in ps.match_expressions:
        op = expr.operator
        if op == LABEL_SELECTOR_OP_IN:
            if len(expr.values) != 1:
                raise LabelSelectorAsMapError(
                    f"operator {_go_quote(op)} without a single value cannot be converted into the old label "
                    "selector format",
                    FrozenMap(out),
                )
            out[expr.key] = expr.values[0]
        elif op in (LABEL_SELECTOR_OP_NOT_IN, LABEL_SELECTOR_OP_EXISTS, LABEL_SELECTOR_OP_DOES_NOT_EXIST):
            raise LabelSelectorAsMapError(
                f"operator {_go_quote(op)} cannot be converted into the old label selector format", FrozenMap(out)
            )
        else:
            raise LabelSelectorAsMapError(f"{_go_quote(op)} is not a valid selector operator", FrozenMap(out))
    return FrozenMap(out)


_OPERATOR_TO_LABEL_SELECTOR_OP: Final = {v: k for k, v in _LABEL_SELECTOR_OPERATORS.items()}


def parse_to_label_selector(selector: str) -> LabelSelector:
    """Mirrors apis/meta/v1/helpers.go ParseToLabelSelector: ``=``/``==`` -> matchLabels,
    in/notin/exists/! -> matchExpressions, gt/lt -> error."""
    try:
        reqs = parse_to_requirements(selector)
    except SelectorError as e:
        raise SelectorParseError(f"couldn't parse the selector string {_go_quote(selector)}: {e}") from e
    labels: dict[str, str] = {}
    exprs: list[LabelSelectorRequirement] = []
    for r in reqs:
        if r.operator in (EQUALS, DOUBLE_EQUALS):
            if len(set(r.values)) != 1:
                raise SelectorError("equals operator must have exactly one value")
            labels[r.key] = r.values[0]
        elif r.operator in _OPERATOR_TO_LABEL_SELECTOR_OP:
            exprs.append(
                LabelSelectorRequirement(r.key, _OPERATOR_TO_LABEL_SELECTOR_OP[r.operator], tuple(sorted(set(r.values))))
            )
        elif r.operator in (GREATER_THAN, LESS_THAN):
            raise SelectorError(f"{_go_quote(r.operator)} isn't supported in label selectors")
        else:
            raise SelectorError(f"{_go_quote(r.operator)} is not a valid label selector operator")
    return LabelSelector(FrozenMap(labels), tuple(exprs))


def format_label_selector(ps: LabelSelector | None) -> str:
    """Mirrors apis/meta/v1/helpers.go FormatLabelSelector: ``<error>`` if it does not convert,
    ``<none>`` if it prints empty (Everything and Nothing both do), else the selector string."""
    try:
        s = label_selector_as_selector(ps).string()
    except SelectorError:
        return "<error>"
    return s or "<none>"


def matches(selector: Selector | LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """Convenience: does ``selector`` select ``labels``?

    A :class:`LabelSelector` (or ``None``, i.e. a nil ``*metav1.LabelSelector`` = Nothing) goes
    through :func:`label_selector_as_selector` first, so an invalid one raises
    :class:`SelectorError` (upstream controllers log and skip the object in that case).
    """
    if not isinstance(selector, Selector):
        selector = label_selector_as_selector(selector)
    return _plan_matches(selector._plans, _label_dict(labels))  # noqa: SLF001


# ---------------------------------------------------------------------------------------------
# API validation (apis/meta/v1/validation/validation.go)
# ---------------------------------------------------------------------------------------------


def validate_label_name(label_name: str, field_path: str) -> list[str]:
    """Mirrors apis/meta/v1/validation ValidateLabelName: one Invalid error per key message."""
    return [_invalid(field_path, _go_quote(label_name), m) for m in is_qualified_name(label_name)]


def validate_labels(labels: Mapping[str, str], field_path: str) -> list[str]:
    """Mirrors apis/meta/v1/validation ValidateLabels (errors at ``field_path`` itself; keys in
    sorted order where upstream walks the map in random order)."""
    errs: list[str] = []
    for k in sorted(labels):
        v = labels[k]
        errs.extend(validate_label_name(k, field_path))
        errs.extend(_invalid(field_path, _go_quote(v), m) for m in is_valid_label_value(v))
    return errs


def validate_label_selector_requirement(
    sr: LabelSelectorRequirement, field_path: str, *, allow_invalid_label_value_in_selector: bool = False
) -> list[str]:
    """Mirrors apis/meta/v1/validation ValidateLabelSelectorRequirement."""
    errs: list[str] = []
    values_path = _child(field_path, "values")
    if sr.operator in (LABEL_SELECTOR_OP_IN, LABEL_SELECTOR_OP_NOT_IN):
        if not sr.values:
            errs.append(f"{values_path}: Required value: must be specified when `operator` is 'In' or 'NotIn'")
    elif sr.operator in (LABEL_SELECTOR_OP_EXISTS, LABEL_SELECTOR_OP_DOES_NOT_EXIST):
        if sr.values:
            errs.append(
                f"{values_path}: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            )
    else:
        errs.append(_invalid(_child(field_path, "operator"), _go_quote(sr.operator), "not a valid selector operator"))
    errs.extend(validate_label_name(sr.key, _child(field_path, "key")))
    if not allow_invalid_label_value_in_selector:
        for i, v in enumerate(sr.values):
            errs.extend(_invalid(f"{values_path}[{i}]", _go_quote(v), m) for m in is_valid_label_value(v))
    return errs


def validate_label_selector(
    ls: LabelSelector | None, field_path: str, *, allow_invalid_label_value_in_selector: bool = False
) -> list[str]:
    """Mirrors apis/meta/v1/validation ValidateLabelSelector: one message per error, each
    prefixed by its field path (e.g. ``spec.selector.matchExpressions[0].values: Required value:
    ...``). ``None`` is valid here (workload validation separately requires a selector).

    >>> validate_label_selector(LabelSelector(match_expressions=(LabelSelectorRequirement("a", "Exists", ("x",)),)), "spec.selector")
    ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]
    """
    if ls is None:
        return []
    errs = validate_labels(ls.match_labels, _child(field_path, "matchLabels"))
    for i, expr in enumerate(ls.match_expressions):
        errs.extend(
            validate_label_selector_requirement(
                expr,
                f"{_child(field_path, 'matchExpressions')}[{i}]",
                allow_invalid_label_value_in_selector=allow_invalid_label_value_in_selector,
            )
        )
    return errs
