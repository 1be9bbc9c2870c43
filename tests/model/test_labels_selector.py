"""Port of kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/labels/selector_test.go.

Stored upstream version read: commit 86b3ca48 (tests), selector.go at 008b3652. Case ids are
``<UpstreamTestName>/<row>``; rows keep upstream's garbage inputs. Tests whose ids start with
``source/`` are not upstream table rows: they pin behaviour read directly from selector.go
(error texts, lexer quirks) and say which function they come from.
"""

from __future__ import annotations

import pytest

from model.frozen import FrozenMap
from model.labels import (
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    EVERYTHING,
    EXISTS,
    GREATER_THAN,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    NOTHING,
    Lexer,
    Parser,
    ParserContext,
    Requirement,
    Selector,
    SelectorError,
    SelectorParseError,
    Token,
    everything,
    matches_nothing,
    new_requirement,
    nothing,
    parse,
    parse_to_requirements,
    selector_from_set,
    selector_from_validated_set,
    validated_selector_from_set,
)


def get_requirement(key: str, op: str, vals: set[str] | None) -> Requirement:
    """selector_test.go getRequirement: NewRequirement(key, op, vals.List()) (sorted set)."""
    return new_requirement(key, op, sorted(vals or ()))


# --- TestSelectorParse ------------------------------------------------------------------------

GOOD_STRINGS = ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]
BAD_STRINGS = ["x=a||y=b", "x==a==b", "!x=a", "x<a"]


@pytest.mark.parametrize("s", GOOD_STRINGS, ids=[f"TestSelectorParse/good/{s!r}" for s in GOOD_STRINGS])
def test_selector_parse_good(s: str) -> None:
    assert parse(s).string() == s.replace(" ", "")


@pytest.mark.parametrize("s", BAD_STRINGS, ids=[f"TestSelectorParse/bad/{s!r}" for s in BAD_STRINGS])
def test_selector_parse_bad(s: str) -> None:
    with pytest.raises(SelectorParseError):
        parse(s)


def test_deterministic_parse() -> None:
    """TestDeterministicParse"""
    assert parse("x=a,a=x").string() == parse("a=x,x=a").string() == "a=x,x=a"


def test_everything() -> None:
    """TestEverything"""
    assert everything().matches({"x": "y"})
    assert everything().empty()
    assert EVERYTHING == Selector() == parse("")


# --- TestSelectorMatches ----------------------------------------------------------------------

LABELSET = {"foo": "bar", "baz": "blah"}
SELECTOR_MATCHES = [
    ("", {"x": "y"}, True),
    ("x=y", {"x": "y"}, True),
    ("x=y,z=w", {"x": "y", "z": "w"}, True),
    ("x!=y,z!=w", {"x": "z", "z": "a"}, True),
    ("notin=in", {"notin": "in"}, True),  # in and notin in exactMatch
    ("x", {"x": "z"}, True),
    ("!x", {"y": "z"}, True),
    ("x>1", {"x": "2"}, True),
    ("x<1", {"x": "0"}, True),
    ("x=z", {}, False),
    ("x=y", {"x": "z"}, False),
    ("x=y,z=w", {"x": "w", "z": "w"}, False),
    ("x!=y,z!=w", {"x": "z", "z": "w"}, False),
    ("x", {"y": "z"}, False),
    ("!x", {"x": "z"}, False),
    ("x>1", {"x": "0"}, False),
    ("x<1", {"x": "2"}, False),
    ("foo=bar", LABELSET, True),
    ("baz=blah", LABELSET, True),
    ("foo=bar,baz=blah", LABELSET, True),
    ("foo=blah", LABELSET, False),
    ("baz=bar", LABELSET, False),
    ("foo=bar,foobar=bar,baz=blah", LABELSET, False),
]


@pytest.mark.parametrize(
    ("sel", "labels", "want"),
    SELECTOR_MATCHES,
    ids=[f"TestSelectorMatches/{i}/{s!r}" for i, (s, _, _) in enumerate(SELECTOR_MATCHES)],
)
def test_selector_matches(sel: str, labels: dict[str, str], want: bool) -> None:
    assert parse(sel).matches(labels) is want
    assert parse(sel).matches(FrozenMap(labels)) is want  # the FrozenMap fast path agrees


SET_MATCHES = [{}, {"foo": "bar"}, {"baz": "blah"}, {"foo": "bar", "baz": "blah"}]


@pytest.mark.parametrize("sel", SET_MATCHES, ids=[f"TestSetMatches/{i}" for i in range(len(SET_MATCHES))])
def test_set_matches(sel: dict[str, str]) -> None:
    assert selector_from_set(sel).matches(LABELSET)
    assert selector_from_set(FrozenMap(sel)).matches(FrozenMap(LABELSET))


def test_set_matches_mismatch() -> None:
    """TestSetMatches/extra: the table's commented-out rows ("bad values not handled") are
    replaced by plain mismatches, which SelectorFromSet must reject."""
    assert not selector_from_set({"foo": "blah"}).matches(LABELSET)
    assert not selector_from_set({"foo": "bar", "foobar": "bar"}).matches(LABELSET)


def test_nil_map_is_valid() -> None:
    """TestNilMapIsValid"""
    sel = selector_from_set(None)
    assert sel.empty() and sel == EVERYTHING


def test_set_is_empty() -> None:
    """TestSetIsEmpty"""
    assert selector_from_set({}).empty()
    assert Selector().empty()  # NewSelector()
    assert not selector_from_set({"a": "b"}).empty()


# --- Lexer / parser ---------------------------------------------------------------------------

LEXER = [
    ("", Token.END_OF_STRING),
    (",", Token.COMMA),
    ("notin", Token.NOT_IN),
    ("in", Token.IN),
    ("=", Token.EQUALS),
    ("==", Token.DOUBLE_EQUALS),
    (">", Token.GREATER_THAN),
    ("<", Token.LESS_THAN),
    ("!", Token.DOES_NOT_EXIST),  # Lex returns the longest valid token found
    ("!=", Token.NOT_EQUALS),
    ("(", Token.OPEN_PAR),
    (")", Token.CLOSED_PAR),
    ("~", Token.IDENTIFIER),  # non-"special" characters are part of an identifier
    ("||", Token.IDENTIFIER),
]


@pytest.mark.parametrize(("s", "tok"), LEXER, ids=[f"TestLexer/{s!r}" for s, _ in LEXER])
def test_lexer(s: str, tok: Token) -> None:
    got_tok, lit = Lexer(s).lex()
    assert got_tok == tok
    assert lit == s


I, IN_, NI, OP, CP, CM = (Token.IDENTIFIER, Token.IN, Token.NOT_IN, Token.OPEN_PAR, Token.CLOSED_PAR, Token.COMMA)
LEXER_SEQUENCE = [
    ("key in ( value )", [I, IN_, OP, I, CP]),
    ("key notin ( value )", [I, NI, OP, I, CP]),
    ("key in ( value1, value2 )", [I, IN_, OP, I, CM, I, CP]),
    ("key", [I]),
    ("!key", [Token.DOES_NOT_EXIST, I]),
    ("()", [OP, CP]),
    ("x in (),y", [I, IN_, OP, CP, CM, I]),
    ("== != (), = notin", [Token.DOUBLE_EQUALS, Token.NOT_EQUALS, OP, CP, CM, Token.EQUALS, NI]),
    ("key>2", [I, Token.GREATER_THAN, I]),
    ("key<1", [I, Token.LESS_THAN, I]),
]


def _lex_all(s: str) -> list[Token]:
    lexer, out = Lexer(s), []
    while (tok := lexer.lex()[0]) != Token.END_OF_STRING:
        out.append(tok)
    return out


@pytest.mark.parametrize(("s", "toks"), LEXER_SEQUENCE, ids=[f"TestLexerSequence/{s!r}" for s, _ in LEXER_SEQUENCE])
def test_lexer_sequence(s: str, toks: list[Token]) -> None:
    assert _lex_all(s) == toks


PARSER_LOOKAHEAD = [(s, toks + [Token.END_OF_STRING]) for s, toks in LEXER_SEQUENCE] + [("", [Token.END_OF_STRING])]


@pytest.mark.parametrize(
    ("s", "toks"), PARSER_LOOKAHEAD, ids=[f"TestParserLookahead/{s!r}" for s, _ in PARSER_LOOKAHEAD]
)
def test_parser_lookahead(s: str, toks: list[Token]) -> None:
    p = Parser(s)
    p.scan()
    assert [t for t, _ in p.scanned_items] == toks
    while True:
        tok, lit = p.lookahead(ParserContext.KEY_AND_OPERATOR)
        tok2, lit2 = p.consume(ParserContext.KEY_AND_OPERATOR)
        if tok == Token.END_OF_STRING:
            break
        assert (tok, lit) == (tok2, lit2)
    assert p.position == len(toks)


def test_parser_values_context_turns_keywords_into_identifiers() -> None:
    """source/selector.go Parser.lookahead: in Values context, in/notin are identifiers."""
    p = Parser("in notin")
    p.scan()
    assert p.lookahead(ParserContext.KEY_AND_OPERATOR) == (Token.IN, "in")
    assert p.lookahead(ParserContext.VALUES) == (Token.IDENTIFIER, "in")
    assert p.consume(ParserContext.VALUES) == (Token.IDENTIFIER, "in")
    assert p.consume(ParserContext.KEY_AND_OPERATOR) == (Token.NOT_IN, "notin")


# --- TestRequirementConstructor ---------------------------------------------------------------

REQUIREMENT_CONSTRUCTOR = [
    ("x", IN, None, False),
    ("x", NOT_IN, set(), False),
    ("x", IN, {"foo"}, True),
    ("x", NOT_IN, {"foo"}, True),
    ("x", EXISTS, None, True),
    ("x", DOES_NOT_EXIST, None, True),
    ("1foo", IN, {"bar"}, True),
    ("1234", IN, {"bar"}, True),
    ("y", GREATER_THAN, {"1"}, True),
    ("z", LESS_THAN, {"6"}, True),
    ("foo", GREATER_THAN, {"bar"}, False),
    ("barz", LESS_THAN, {"blah"}, False),
    ("a" * 254, EXISTS, None, False),  # breaks DNS rule that len(key) <= 253
]


@pytest.mark.parametrize(
    ("key", "op", "vals", "ok"),
    REQUIREMENT_CONSTRUCTOR,
    ids=[f"TestRequirementConstructor/{i}" for i in range(len(REQUIREMENT_CONSTRUCTOR))],
)
def test_requirement_constructor(key: str, op: str, vals: set[str] | None, ok: bool) -> None:
    if ok:
        r = get_requirement(key, op, vals)
        assert (r.key, r.operator, r.values) == (key, op, tuple(sorted(vals or ())))
    else:
        with pytest.raises(SelectorError):
            get_requirement(key, op, vals)


_LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_NAME_PART_ERR = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)

NEW_REQUIREMENT_ERRORS = [
    ("in-nil", "x1", IN, (), ['values: Invalid value: []string{}: for \'in\', \'notin\' operators, values set can\'t be empty']),
    ("eq-two", "x5", EQUALS, ("bar", "foo"), ['values: Invalid value: []string{"bar", "foo"}: exact-match compatibility requires one single value']),
    ("exists-with-value", "x8", EXISTS, ("foo",), ['values: Invalid value: []string{"foo"}: values set must be empty for exists and does not exist']),
    ("gt-none", "x13", GREATER_THAN, (), ["values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required"]),
    ("gt-bar", "x14", GREATER_THAN, ("bar",), ['values[0]: Invalid value: "bar": for \'Gt\', \'Lt\' operators, the value must be an integer']),
    ("eq-too-long", "x16", EQUALS, ("a" * 254,), [f'values[0][x16]: Invalid value: "{"a" * 254}": must be no more than 63 bytes']),
    ("eq-space", "x17", EQUALS, ("a b",), [f'values[0][x17]: Invalid value: "a b": {_LABEL_VALUE_ERR}']),
    ("unsupported-op", "x18", "unsupportedOp", (), ['operator: Unsupported value: "unsupportedOp": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"']),
    ("bad-key", "-x", EXISTS, (), [f'key: Invalid value: "-x": {_NAME_PART_ERR}']),
    ("gt-minus-one", "x", GREATER_THAN, ("-1",), [f'values[0][x]: Invalid value: "-1": {_LABEL_VALUE_ERR}']),
    (
        "several",
        "-x",
        LESS_THAN,
        ("a", "b"),
        [
            f'key: Invalid value: "-x": {_NAME_PART_ERR}',
            "values: Invalid value: []string{\"a\", \"b\"}: for 'Gt', 'Lt' operators, exactly one value is required",
            "values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
            "values[1]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
        ],
    ),
]


@pytest.mark.parametrize(
    ("key", "op", "vals", "want"),
    [row[1:] for row in NEW_REQUIREMENT_ERRORS],
    ids=[f"source/NewRequirement/{row[0]}" for row in NEW_REQUIREMENT_ERRORS],
)
def test_new_requirement_error_text(key: str, op: str, vals: tuple[str, ...], want: list[str]) -> None:
    """selector.go NewRequirement: every error collected, field paths relative to the
    requirement, aggregate text (``[e1, e2]`` when several). Rows x1..x18 follow the keys of the
    newer upstream TestRequirementConstructor table (field-error form)."""
    with pytest.raises(SelectorError) as ei:
        new_requirement(key, op, vals)
    assert list(ei.value.errors) == want
    assert str(ei.value) == (want[0] if len(want) == 1 else "[" + ", ".join(want) + "]")


def test_new_requirement_with_path() -> None:
    """source/selector.go NewRequirement(..., field.WithPath(p)): errors are under ``p``."""
    with pytest.raises(SelectorError, match=r"^spec\.selector\.values\[0\]: Invalid value: \"a\""):
        new_requirement("x", GREATER_THAN, ["a"], path="spec.selector")


# --- TestToString -----------------------------------------------------------------------------

TO_STRING = [
    (
        [get_requirement("x", IN, {"abc", "def"}), get_requirement("y", NOT_IN, {"jkl"}), get_requirement("z", EXISTS, None)],
        "x in (abc,def),y notin (jkl),z",
    ),
    (
        [get_requirement("x", NOT_IN, {"abc", "def"}), get_requirement("y", NOT_EQUALS, {"jkl"}), get_requirement("z", DOES_NOT_EXIST, None)],
        "x notin (abc,def),y!=jkl,!z",
    ),
    # Upstream appends a zero Requirement to an *unsorted* literal and expects "x in (abc,def),".
    # Our Selector always keeps requirements sorted by key, and the zero requirement's key is "",
    # so it prints first; the zero requirement still prints as "".
    ([get_requirement("x", IN, {"abc", "def"}), Requirement("", "", ())], ",x in (abc,def)"),
    (
        [get_requirement("x", NOT_IN, {"abc"}), get_requirement("y", IN, {"jkl", "mno"}), get_requirement("z", NOT_IN, {""})],
        "x notin (abc),y in (jkl,mno),z notin ()",
    ),
    (
        [
            get_requirement("x", EQUALS, {"abc"}),
            get_requirement("y", DOUBLE_EQUALS, {"jkl"}),
            get_requirement("z", NOT_EQUALS, {"a"}),
            get_requirement("z", EXISTS, None),
        ],
        "x=abc,y==jkl,z!=a,z",
    ),
    (
        [get_requirement("x", GREATER_THAN, {"2"}), get_requirement("y", LESS_THAN, {"8"}), get_requirement("z", EXISTS, None)],
        "x>2,y<8,z",
    ),
]


@pytest.mark.parametrize(("reqs", "out"), TO_STRING, ids=[f"TestToString/{i}" for i in range(len(TO_STRING))])
def test_to_string(reqs: list[Requirement], out: str) -> None:
    assert Selector(tuple(reqs)).string() == out
    assert str(Selector(tuple(reqs))) == out


def test_zero_requirement_prints_empty_and_never_matches() -> None:
    """TestToString/TestRequirementSelectorMatching: the zero Requirement{}."""
    zero = Requirement("", "", ())
    assert zero.string() == ""
    assert not zero.matches({"": ""})


# --- TestRequirementSelectorMatching ----------------------------------------------------------

REQUIREMENT_SELECTOR_MATCHING = [
    ({"x": "foo", "y": "baz"}, [Requirement("", "", ())], False),
    ({"x": "foo", "y": "baz"}, [get_requirement("x", IN, {"foo"}), get_requirement("y", NOT_IN, {"alpha"})], True),
    ({"x": "foo", "y": "baz"}, [get_requirement("x", IN, {"foo"}), get_requirement("y", IN, {"alpha"})], False),
    ({"y": ""}, [get_requirement("x", NOT_IN, {""}), get_requirement("y", EXISTS, None)], True),
    ({"y": ""}, [get_requirement("x", DOES_NOT_EXIST, None), get_requirement("y", EXISTS, None)], True),
    ({"y": ""}, [get_requirement("x", NOT_IN, {""}), get_requirement("y", DOES_NOT_EXIST, None)], False),
    ({"y": "baz"}, [get_requirement("x", IN, {""})], False),
    ({"z": "2"}, [get_requirement("z", GREATER_THAN, {"1"})], True),
    ({"z": "v2"}, [get_requirement("z", GREATER_THAN, {"1"})], False),
]


@pytest.mark.parametrize(
    ("labels", "reqs", "want"),
    REQUIREMENT_SELECTOR_MATCHING,
    ids=[f"TestRequirementSelectorMatching/{i}" for i in range(len(REQUIREMENT_SELECTOR_MATCHING))],
)
def test_requirement_selector_matching(labels: dict[str, str], reqs: list[Requirement], want: bool) -> None:
    assert Selector(tuple(reqs)).matches(labels) is want
    assert all(r.matches(labels) for r in reqs) is want


# --- TestSetSelectorParser --------------------------------------------------------------------

R = get_requirement
SET_SELECTOR_PARSER: list[tuple[str, list[Requirement] | None, bool]] = [
    ("", [], True),
    ("\rx", [R("x", EXISTS, None)], True),
    ("this-is-a-dns.domain.com/key-with-dash", [R("this-is-a-dns.domain.com/key-with-dash", EXISTS, None)], True),
    (
        "this-is-another-dns.domain.com/key-with-dash in (so,what)",
        [R("this-is-another-dns.domain.com/key-with-dash", IN, {"so", "what"})],
        True,
    ),
    (
        "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
        [R("0.1.2.domain/99", NOT_IN, {"10.10.100.1", "tick.tack.clock"})],
        True,
    ),
    ("foo  in\t (abc)", [R("foo", IN, {"abc"})], True),
    ("x notin\n (abc)", [R("x", NOT_IN, {"abc"})], True),
    ("x  notin\t\t\t(abc,def)", [R("x", NOT_IN, {"abc", "def"})], True),
    ("x in (abc,def)", [R("x", IN, {"abc", "def"})], True),
    ("x in (abc,)", [R("x", IN, {"abc", ""})], True),
    ("x in ()", [R("x", IN, {""})], True),
    (
        "x notin (abc,,def),bar,z in (),w",
        [R("bar", EXISTS, None), R("w", EXISTS, None), R("x", NOT_IN, {"abc", "", "def"}), R("z", IN, {""})],
        True,
    ),
    # upstream marks Match=false (its expected literal is not key-sorted); ours is sorted:
    ("x,y in (a)", [R("x", EXISTS, None), R("y", IN, {"a"})], True),
    ("x=a", [R("x", EQUALS, {"a"})], True),
    ("x>1", [R("x", GREATER_THAN, {"1"})], True),
    ("x<7", [R("x", LESS_THAN, {"7"})], True),
    ("x=a,y!=b", [R("x", EQUALS, {"a"}), R("y", NOT_EQUALS, {"b"})], True),
    ("x=a,y!=b,z in (h,i,j)", [R("x", EQUALS, {"a"}), R("y", NOT_EQUALS, {"b"}), R("z", IN, {"h", "i", "j"})], True),
    ("x=a||y=b", None, False),
    ("x,,y", None, False),
    (",x,y", None, False),
    ("x nott in (y)", None, False),
    ("x notin ( )", [R("x", NOT_IN, {""})], True),
    ("x notin (, a)", [R("x", NOT_IN, {"", "a"})], True),
    ("a in (xyz),", None, False),
    ("a in (xyz)b notin ()", None, False),
    ("a ", [R("a", EXISTS, None)], True),
    ("a in (x,y,notin, z,in)", [R("a", IN, {"in", "notin", "x", "y", "z"})], True),  # 'in' inside the list
    ("a in (xyz abc)", None, False),  # no comma
    ("a notin(", None, False),  # bad formed
    ("a (", None, False),  # cpar
    ("(", None, False),  # opar
]


@pytest.mark.parametrize(
    ("s", "out", "valid"), SET_SELECTOR_PARSER, ids=[f"TestSetSelectorParser/{s!r}" for s, _, _ in SET_SELECTOR_PARSER]
)
def test_set_selector_parser(s: str, out: list[Requirement] | None, valid: bool) -> None:
    if not valid:
        with pytest.raises(SelectorParseError):
            parse(s)
        return
    assert out is not None
    assert parse(s) == Selector(tuple(out))
    assert parse(s).requirements == tuple(out)
    assert parse_to_requirements(s) == tuple(out)


# Exact error texts of the rejected rows above (selector.go Parser), plus the reference's extras.
PARSE_ERRORS = [
    ("x=a||y=b", f'unable to parse requirement: values[0][x]: Invalid value: "a||y": {_LABEL_VALUE_ERR}'),
    ("x==a==b", "found '==', expected: ',' or 'end of string'"),
    ("!x=a", "found '=', expected: ',' or 'end of string'"),
    ("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"),
    ("x,,y", "found ',', expected: identifier after ','"),
    (",x,y", "found ',', expected: !, identifier, or 'end of string'"),
    ("x nott in (y)", "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"),
    ("a in (xyz),", "found '', expected: identifier after ','"),
    ("a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"),
    ("a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"),
    ("a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
    ("a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
    ("(", "found '(', expected: !, identifier, or 'end of string'"),
    ("x=(a)", "unable to parse requirement: found '(', expected: identifier"),
    ("x>", "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer"),
    ("x>=1", "unable to parse requirement: found '=', expected: identifier"),  # '>=' lexes as '>' '='
    ("x\ty", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"),
    ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("x in (a,", "unable to parse requirement: found '', expected: ',', or identifier"),
    ("!", "unable to parse requirement: found '', expected: identifier"),
    ("!=x", "found '!=', expected: !, identifier, or 'end of string'"),
    ("x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"),
    ("$y", f'unable to parse requirement: <nil>: Invalid value: "$y": {_NAME_PART_ERR}'),
]


@pytest.mark.parametrize(("s", "msg"), PARSE_ERRORS, ids=[f"source/Parse-error/{s!r}" for s, _ in PARSE_ERRORS])
def test_parse_error_text(s: str, msg: str) -> None:
    with pytest.raises(SelectorParseError) as ei:
        parse(s)
    assert str(ei.value) == msg


PARSE_QUIRKS = [
    ("in in (in)", "in in (in)"),  # keywords are identifiers in key/value position
    ("notin=in", "notin=in"),
    ("x>01", "x>01"),  # "01" is a label value and an int64
    ("x==y", "x==y"),  # "==" is kept distinct from "="
    ("x=a,x=b", "x=a,x=b"),  # equal keys keep input order (stable sort)
    ("x=b,x=a", "x=b,x=a"),
    ("x=a,!x,b", "b,x=a,!x"),  # only the key orders requirements ("!" < "=" must not matter)
    ("x notin (a),x in (b)", "x notin (a),x in (b)"),
    ("x in (b,a,a,)", "x in (,a,b)"),  # value set: de-duplicated and sorted
    ("x= ,z= ", "x=,z="),
    ("  x  ", "x"),
    ("\x00x=a", ""),  # Lexer.read returns 0 at end of input, so a NUL byte ends the input
    ("x=a\x00,y", "x=a,y"),  # ... and inside an identifier it just ends the identifier
]


@pytest.mark.parametrize(("s", "out"), PARSE_QUIRKS, ids=[f"source/Parse-quirk/{s!r}" for s, _ in PARSE_QUIRKS])
def test_parse_quirks(s: str, out: str) -> None:
    assert parse(s).string() == out


def test_parse_with_path_prefixes_field_errors() -> None:
    """source/selector.go Parse(s, field.WithPath(p))."""
    with pytest.raises(SelectorParseError, match=r"^unable to parse requirement: spec\.sel\.values\[0\]\[x\]: "):
        parse("x=a|b", path="spec.sel")
    with pytest.raises(SelectorParseError, match=r"^unable to parse requirement: spec\.sel: Invalid value: \"-x\""):
        parse("-x", path="spec.sel")


# --- TestAdd ----------------------------------------------------------------------------------

ADD = [
    ("keyInOperator", Selector(), "key", IN, ["value"], Selector((Requirement("key", IN, ("value",)),))),
    (
        "keyEqualsOperator",
        Selector((Requirement("key", IN, ("value",)),)),
        "key2",
        EQUALS,
        ["value2"],
        Selector((Requirement("key", IN, ("value",)), Requirement("key2", EQUALS, ("value2",)))),
    ),
]


@pytest.mark.parametrize(("sel", "key", "op", "vals", "ref"), [r[1:] for r in ADD], ids=[f"TestAdd/{r[0]}" for r in ADD])
def test_add(sel: Selector, key: str, op: str, vals: list[str], ref: Selector) -> None:
    assert sel.add(new_requirement(key, op, vals)) == ref


def test_add_sorts_by_key_and_keeps_original() -> None:
    """source/selector.go internalSelector.Add: copies, appends, sorts by key."""
    base = parse("b=1")
    added = base.add(new_requirement("a", EXISTS))
    assert added.string() == "a,b=1"
    assert base.string() == "b=1"


# --- TestSafeSort -----------------------------------------------------------------------------

SAFE_SORT = [
    ("nil strings", (), ()),
    ("ordered strings", ("bar", "foo"), ("bar", "foo")),
    ("unordered strings", ("foo", "bar"), ("bar", "foo")),
    ("duplicated strings", ("foo", "bar", "foo", "bar"), ("bar", "bar", "foo", "foo")),
]


@pytest.mark.parametrize(("vals", "want"), [r[1:] for r in SAFE_SORT], ids=[f"TestSafeSort/{r[0]}" for r in SAFE_SORT])
def test_safe_sort(vals: tuple[str, ...], want: tuple[str, ...]) -> None:
    """Upstream sorts on output (safeSort); we sort once at construction: same String()."""
    r = Requirement("k", IN, vals)
    assert r.values == want
    assert r.string() == "k in (" + ",".join(want) + ")"


# --- TestRequiresExactMatch -------------------------------------------------------------------

REQUIRES_EXACT_MATCH = [
    ("keyInOperatorExactMatch", [Requirement("key", IN, ("value",))], "key", "value"),
    ("keyInOperatorNotExactMatch", [Requirement("key", IN, ("value", "value2"))], "key", None),
    ("keyInOperatorNotExactMatch", [Requirement("key", IN, ("value", "value1")), Requirement("key2", IN, ("value2",))], "key2", "value2"),
    ("keyEqualOperatorExactMatch", [Requirement("key", EQUALS, ("value",))], "key", "value"),
    ("keyDoubleEqualOperatorExactMatch", [Requirement("key", DOUBLE_EQUALS, ("value",))], "key", "value"),
    ("keyNotEqualOperatorExactMatch", [Requirement("key", NOT_EQUALS, ("value",))], "key", None),
    ("keyEqualOperatorExactMatchFirst", [Requirement("key", IN, ("value",)), Requirement("key2", IN, ("value2",))], "key", "value"),
]


@pytest.mark.parametrize(
    ("reqs", "label", "want"),
    [r[1:] for r in REQUIRES_EXACT_MATCH],
    ids=[f"TestRequiresExactMatch/{i}-{r[0]}" for i, r in enumerate(REQUIRES_EXACT_MATCH)],
)
def test_requires_exact_match(reqs: list[Requirement], label: str, want: str | None) -> None:
    assert Selector(tuple(reqs)).requires_exact_match(label) == want


# --- TestValidatedSelectorFromSet -------------------------------------------------------------


def test_validated_selector_from_set_simple() -> None:
    """TestValidatedSelectorFromSet/Simple Set, no error"""
    assert validated_selector_from_set({"key": "val"}) == Selector((Requirement("key", EQUALS, ("val",)),))


def test_validated_selector_from_set_value_too_long() -> None:
    """TestValidatedSelectorFromSet/Invalid Set, value too long. The stored upstream test expects
    the pre-field-path text ("invalid label value: ...: at key: ...: must be no more than 63
    characters"); current selector.go reports a field error and content.MaxLenError says bytes."""
    value = "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui"
    with pytest.raises(SelectorError) as ei:
        validated_selector_from_set({"Key": value})
    assert str(ei.value) == f'values[0][Key]: Invalid value: "{value}": must be no more than 63 bytes'
    # SelectorFromSet does no validation at all:
    assert selector_from_set({"Key": value}).matches({"Key": value})
    assert selector_from_validated_set({"Key": value}).string() == f"Key={value}"


# --- Requirement.Matches, Nothing -------------------------------------------------------------

REQUIREMENT_MATCHES = [
    ("notin-absent-key", Requirement("x", NOT_IN, ("a",)), {}, True),
    ("neq-absent-key", Requirement("x", NOT_EQUALS, ("a",)), {}, True),
    ("notin-present-other", Requirement("x", NOT_IN, ("a", "b")), {"x": "c"}, True),
    ("notin-present-listed", Requirement("x", NOT_IN, ("a", "b")), {"x": "b"}, False),
    ("in-empty-value-present", Requirement("x", IN, ("",)), {"x": ""}, True),
    ("in-empty-value-absent", Requirement("x", IN, ("",)), {}, False),
    ("eq-empty-value-present", Requirement("x", EQUALS, ("",)), {"x": ""}, True),
    ("exists-empty-value", Requirement("x", EXISTS, ()), {"x": ""}, True),
    ("dne-empty-value", Requirement("x", DOES_NOT_EXIST, ()), {"x": ""}, False),
    ("gt-numeric-not-lexical", Requirement("x", GREATER_THAN, ("9",)), {"x": "10"}, True),
    ("lt-numeric-not-lexical", Requirement("x", LESS_THAN, ("10",)), {"x": "9"}, True),
    ("gt-equal-is-false", Requirement("x", GREATER_THAN, ("5",)), {"x": "5"}, False),
    ("gt-absent", Requirement("x", GREATER_THAN, ("1",)), {}, False),
    ("gt-leading-zero", Requirement("x", GREATER_THAN, ("1",)), {"x": "02"}, True),
    ("gt-plus-sign", Requirement("x", GREATER_THAN, ("1",)), {"x": "+5"}, True),  # ParseInt accepts '+'
    ("lt-negative", Requirement("x", LESS_THAN, ("0",)), {"x": "-5"}, True),
    ("gt-space", Requirement("x", GREATER_THAN, ("1",)), {"x": " 5"}, False),
    ("gt-underscore", Requirement("x", GREATER_THAN, ("1",)), {"x": "1_0"}, False),
    ("gt-unicode-digit", Requirement("x", GREATER_THAN, ("1",)), {"x": "\u0665"}, False),
    ("gt-int64-overflow", Requirement("x", GREATER_THAN, ("1",)), {"x": "9223372036854775808"}, False),
    ("gt-int64-max", Requirement("x", GREATER_THAN, ("1",)), {"x": "9223372036854775807"}, True),
    ("gt-empty", Requirement("x", GREATER_THAN, ("1",)), {"x": ""}, False),
    ("gt-bad-bound", Requirement("x", GREATER_THAN, ("a",)), {"x": "5"}, False),
    ("gt-two-bounds", Requirement("x", GREATER_THAN, ("1", "2")), {"x": "5"}, False),
    ("eq-two-values-acts-as-in", Requirement("x", EQUALS, ("a", "b")), {"x": "b"}, True),
    ("in-no-values", Requirement("x", IN, ()), {"x": ""}, False),
    ("notin-no-values", Requirement("x", NOT_IN, ()), {"x": ""}, True),
    ("unknown-operator", Requirement("x", "~", ("a",)), {"x": "a"}, False),
]


@pytest.mark.parametrize(
    ("req", "labels", "want"), [r[1:] for r in REQUIREMENT_MATCHES], ids=[f"source/Matches/{r[0]}" for r in REQUIREMENT_MATCHES]
)
def test_requirement_matches(req: Requirement, labels: dict[str, str], want: bool) -> None:
    """selector.go (*Requirement).Matches, one branch per row."""
    assert req.matches(labels) is want
    assert req.matches(FrozenMap(labels)) is want
    assert Selector((req,)).matches(labels) is want


def test_nothing() -> None:
    """source/selector.go nothingSelector / MatchesNothing."""
    assert nothing() is NOTHING
    assert not NOTHING.matches({}) and not NOTHING.matches({"a": "b"})
    assert not NOTHING.empty()
    assert NOTHING.string() == "" == EVERYTHING.string()
    assert NOTHING != EVERYTHING
    assert NOTHING.add(new_requirement("a", EXISTS)) == NOTHING
    assert matches_nothing(NOTHING) and not matches_nothing(EVERYTHING)
    contradiction = parse("a,!a")
    assert not matches_nothing(contradiction)  # not detected, as upstream
    assert not contradiction.matches({"a": "1"}) and not contradiction.matches({})


def test_requirement_equality_and_hash() -> None:
    """Requirement.Equal (key, operator, values); our values are sorted so order is irrelevant."""
    a, b = Requirement("k", IN, ("b", "a")), Requirement("k", IN, ("a", "b"))
    assert a == b and hash(a) == hash(b)
    assert Requirement("k", IN, ("a",)) != Requirement("k", EQUALS, ("a",))
    assert Requirement("k", EQUALS, ("a",)) != Requirement("k", DOUBLE_EQUALS, ("a",))
    assert len({parse("x in (a,b)"), parse("x in (b,a)")}) == 1
