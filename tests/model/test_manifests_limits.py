"""Issue 23 item 1 and issue 18 item 8: a loader that cannot be made to hang, and kubectl's input shapes.

Hostile documents (alias and merge-key bombs, self-containing anchors, deep nesting, oversized
documents) are one-line errors with FILE:LINE; a broken document costs only itself; documents are cut
as kubectl cuts them (``---# comment``); typed lists (``DeploymentList``) are flattened. Timing is not
asserted here (bench/loader_bench.py measures it); the counts and lines are.
"""

from __future__ import annotations

import pytest

import model.manifests as manifests
from model.manifests import _allowed_alias_ratio, _split_items, load_text

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: c, image: nginx}}]}}
"""


def merge_bomb(lines: int) -> str:
    """``lines`` lines; the last mapping merges 10^(lines-1) empty mappings if expanded."""
    rows = ["a: &a {}"]
    for p, c in zip("abcdefgh", "bcdefghi"):
        rows.append(f"{c}: &{c} {{<<: [{', '.join([f'*{p}'] * 10)}]}}")
    return "\n".join(rows[:lines]) + "\n"


def errors(text: str, name: str = "f.yaml") -> list[str]:
    return [str(e) for e in load_text(text, name).errors]


# ------------------------------------------------------------------------ alias and merge bombs


def test_exponential_merge_keys_are_refused_at_the_line_that_expands_them() -> None:
    # 7 lines expand to 10^6 merges: the old loader walked them all (no node was counted, the
    # mappings are empty) and reported only the missing apiVersion/kind; 9 lines hung it
    for lines in (7, 9):
        assert errors(merge_bomb(lines)) == [
            "f.yaml:4: d: document contains excessive aliasing (996 of 1,001 decoded nodes come from alias or "
            "merge-key expansion; allowed: 99%)"
        ]


def test_billion_laughs_is_refused_with_the_line_of_the_alias() -> None:
    text = "x: 1\n---\n" + "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    errs = errors(text)
    assert errs[-1].startswith("f.yaml:6: d[0]: document contains excessive aliasing")  # line 6 of the file: "d: &d [...]"
    assert len(errs) == 3  # the first document's apiVersion and kind, then the bomb


@pytest.mark.parametrize("text, expected", [
    ("a: &a {<<: [*a]}\n", "f.yaml:1: a: anchor 'a' value contains itself"),
    ("a: &a {<<: *a}\n", "f.yaml:1: a: anchor 'a' value contains itself"),
    ("a:\n  b: &x [*x]\n", "f.yaml:2: a.b[0]: anchor 'x' value contains itself"),
])
def test_self_containing_anchor_is_one_error_with_its_line(text: str, expected: str) -> None:
    # was "f.yaml: invalid YAML: nesting too deep" (a RecursionError, no line) for the merge forms
    assert errors(text) == [expected]


def test_alias_expansion_is_bounded_in_size_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # 500 aliases of one long string stay under go-yaml's count ratio; their size is bounded
    monkeypatch.setattr(manifests, "_MAX_DOCUMENT_CHARS", 100_000)
    text = f"a: &s {'x' * 1000}\nb:\n" + "".join("- *s\n" for _ in range(500))
    assert errors(text) == [
        "f.yaml:2: b[100]: document contains excessive aliasing (aliases expand to more than 100,000 characters of scalars)"]
    within = f"a: &s {'x' * 1000}\nb:\n" + "".join("- *s\n" for _ in range(99))  # 99,000 characters
    assert not any("aliasing" in e for e in errors(within))


def test_aliasing_within_go_yaml_ratio_still_loads() -> None:
    # shared labels merged into 300 Deployments: 1 anchored mapping, 300 expansions of it
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        f"- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {{name: d{i}, labels: {{<<: &common {{team: a, tier: b}}}}}}\n"
        if i == 0 else
        f"- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {{name: d{i}, labels: {{<<: *common, app: d{i}}}}}\n"
        for i in range(300))
    result = load_text(text.replace("  metadata: {name: d0", "  metadata: {name: d0"), "f.yaml")
    labels = {e.message for e in result.errors}
    assert not any("aliasing" in m or "contains itself" in m for m in labels)
    assert len(result.errors) == 300 * 2  # only the missing spec.selector/template of each Deployment


def test_allowed_alias_ratio_is_go_yaml_v2s() -> None:
    assert _allowed_alias_ratio(1_000) == 0.99
    assert _allowed_alias_ratio(400_000) == 0.99
    assert _allowed_alias_ratio(2_200_000) == pytest.approx(0.545)
    assert _allowed_alias_ratio(4_000_000) == 0.10
    assert _allowed_alias_ratio(10**9) == 0.10


# ------------------------------------------------------------------------------ size and nesting


@pytest.mark.parametrize("text, line", [
    ("a: " + "[" * 150 + "]" * 150 + "\n", 1),  # kubecheck's 100 levels, found while composing
    ("x: 1\n---\nkind: Pod\nspec:\n" + "".join("  " * d + f"k{d}:\n" for d in range(1, 120)), 103),  # k99's line: the 101st level
    ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", 1),  # libyaml's own limit
])
def test_deep_nesting_is_an_error_with_a_line(text: str, line: int) -> None:
    result = load_text(text, "f.yaml")
    nesting = [e for e in result.errors if "nesting" in e.message]
    assert len(nesting) == 1 and nesting[0].line == line, result.errors


def test_every_pathological_error_has_a_line() -> None:
    cases = [merge_bomb(9), "a: &a {<<: [*a]}\n", "[" * 5000 + "]" * 5000, "a: [b\n", "kind: \x01\n", "a: *nope\n",
             "--- {a: 1}\n", "? [a, b]\n: c\n"]
    for text in cases:
        errs = load_text(text, "p.yaml").errors
        assert errs and all(e.line is not None for e in errs), (text[:40], errs)


def test_node_limit_is_checked_while_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests, "_MAX_NODES", 50)
    text = DEPLOY.format(name="ok") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + "".join(
        f"  k{i}: v\n" for i in range(40))
    result = load_text(text, "f.yaml")
    assert [str(e) for e in result.errors] == ["f.yaml:34: invalid YAML: document too large: more than 50 YAML nodes"]
    assert [o.name for o in result.objects] == ["ok"]  # the other document still loads


def test_document_size_limit_skips_only_that_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests, "_MAX_DOCUMENT_CHARS", 1_000)
    big = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + "".join(f"  k{i}: {'x' * 50}\n" for i in range(40))
    result = load_text(DEPLOY.format(name="a") + "---\n" + big + "---\n" + DEPLOY.format(name="b"), "f.yaml")
    assert [str(e) for e in result.errors] == [
        f"f.yaml:11: document too large: {len(big):,} characters (limit 1,000); not loaded"]
    assert [o.name for o in result.objects] == ["a", "b"]


# --------------------------------------------------------------------- documents, as kubectl cuts them


def test_a_syntax_error_costs_only_its_own_document() -> None:
    text = DEPLOY.format(name="a") + "---\nmetadata: [oops\n---\n" + DEPLOY.format(name="b")
    result = load_text(text, "f.yaml")
    assert [str(e) for e in result.errors] == [
        "f.yaml:12: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)"]
    assert [o.name for o in result.objects] == ["a", "b"]
    assert result.location("Deployment", "default", "b", "spec.replicas").line == 17


@pytest.mark.parametrize("separator", ["---# comment", "--- # Source: chart/templates/x.yaml", "---", "---   ", "---\r"])
def test_kubectl_document_separators(separator: str) -> None:
    text = DEPLOY.format(name="a") + separator + "\n" + DEPLOY.format(name="b")
    result = load_text(text, "f.yaml")
    assert result.errors == ()
    assert [o.name for o in result.objects] == ["a", "b"]
    assert result.location("Deployment", "default", "b").line == 11


def test_yaml_directives_stay_with_the_document_after_them() -> None:
    result = load_text("%YAML 1.1\n---\n" + DEPLOY.format(name="a") + "---\n" + DEPLOY.format(name="b"), "f.yaml")
    assert result.errors == () and [o.name for o in result.objects] == ["a", "b"]
    assert result.location("Deployment", "default", "b", "spec.replicas").line == 17


def test_separator_followed_by_content_is_kubectls_error_and_the_rest_loads() -> None:
    text = DEPLOY.format(name="a") + "--- {a: 1}\n" + DEPLOY.format(name="b")
    result = load_text(text, "f.yaml")
    # k8s.io/apimachinery/pkg/util/yaml decoder.go YAMLReader.Read, verbatim
    assert [str(e) for e in result.errors] == ["f.yaml:10: invalid Yaml document separator: {a: 1}"]
    assert [o.name for o in result.objects] == ["a", "b"]


# ------------------------------------------------------------------------------------ typed lists


def test_typed_list_items_take_the_lists_kind_and_apiversion() -> None:
    # what GET /apis/apps/v1/deployments returns: items without kind/apiVersion
    body = DEPLOY.format(name="one").split("\n", 2)[2]  # metadata/spec only
    item = "".join(("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(body.splitlines()))
    text = "apiVersion: apps/v1\nkind: DeploymentList\nmetadata: {}\nitems:\n" + item + item.replace("one", "two")
    result = load_text(text, "f.yaml")
    assert result.errors == ()
    assert [(type(o).__name__, o.name) for o in result.objects] == [("Deployment", "one"), ("Deployment", "two")]
    assert result.location("Deployment", "default", "two", "spec.replicas").line == 14  # item two starts at line 12


def test_typed_list_keeps_items_that_name_their_kind_and_skips_unmodelled_lists() -> None:
    text = ("apiVersion: v1\nkind: ConfigMapList\nitems:\n- {metadata: {name: a}}\n- {metadata: {name: b}}\n---\n"
            "apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n"
            "  spec: {selector: {app: a}, ports: [{port: 80}]}\n")
    result = load_text(text, "f.yaml")
    assert result.errors == ()
    assert [(s.kind, s.name, s.line) for s in result.skipped] == [("ConfigMap", "a", 4), ("ConfigMap", "b", 5)]
    assert [type(o).__name__ for o in result.objects] == ["Service"]


def test_list_item_marks_are_split_in_one_pass() -> None:
    marks = {"": (1, 1), "items": (2, 1), "items[0]": (3, 3), "items[0].metadata": (4, 3), "items[10][2]": (9, 5),
             "items[10]": (8, 3), "kind": (1, 1)}
    assert _split_items(marks) == {0: {"": (3, 3), "metadata": (4, 3)}, 10: {"[2]": (9, 5), "": (8, 3)}}


def test_field_lines_of_the_last_item_of_a_large_list() -> None:
    n = 2_000
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        "- " + DEPLOY.format(name=f"d{i}").replace("\n", "\n  ").rstrip() + "\n" for i in range(n))
    result = load_text(text, "f.yaml")
    assert result.errors == () and len(result.objects) == n
    assert result.location("Deployment", "default", f"d{n - 1}", "spec.template.spec.containers[0].image").line == 3 + 9 * (n - 1) + 9


def test_nothing_loaded_names_the_skipped_kinds() -> None:
    result = load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: networking.k8s.io/v1\n"
                       "kind: Ingress\nmetadata: {name: i}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n", "f.yaml")
    line = result.nothing_loaded("f.yaml")
    assert line.startswith("nothing to check in f.yaml: kubecheck models none of its objects (skipped: 2 ConfigMap, 1 Ingress; "
                           "modelled: apps/v1 Deployment")
    assert "\n" not in line
    assert load_text("# only a comment\n", "e.yaml").nothing_loaded("e.yaml") == "no Kubernetes objects found in e.yaml"


def test_loading_restores_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.isenabled()
    load_text(DEPLOY.format(name="a") + "---\n[oops\n", "f.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        load_text(DEPLOY.format(name="a"), "f.yaml")
        assert not gc.isenabled()
    finally:
        gc.enable()
