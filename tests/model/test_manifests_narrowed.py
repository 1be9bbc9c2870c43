"""Two ``model.manifests`` paths rewritten so mypy can narrow their types; behaviour pinned here.

The apiVersion/kind header check: the exact errors, their order (apiVersion before kind) and
lines, for each way the header can be wrong; a valid header reaches the object loader.  YAML
merge keys (``<<``): a list of mappings merges with earlier sources first, and anything else in
the list is an error.
"""

from __future__ import annotations

import pytest

from model.manifests import load_text


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("metadata: {name: a}\n", ["h.yaml:1: apiVersion: required value", "h.yaml:1: kind: required value"]),
        ("kind: 3\napiVersion: ''\n", ["h.yaml:2: apiVersion: required value", "h.yaml:1: kind: expected string, got integer"]),
        ("kind: Pod\napiVersion: [v1]\n", ["h.yaml:2: apiVersion: expected string, got list"]),
        ("kind: ''\napiVersion: v1\n", ["h.yaml:1: kind: required value"]),
    ],
)
def test_bad_header_reports_each_field(text: str, errors: list[str]) -> None:
    assert [str(e) for e in load_text(text, "h.yaml").errors] == errors


def test_good_header_reaches_the_object_loader() -> None:
    result = load_text("apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n", "h.yaml")
    assert result.errors == ()
    assert result.to_state().get("Node", "", "node-1") is not None


def test_merge_key_list_earlier_source_wins_and_explicit_keys_override() -> None:
    text = "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-a\n  labels:\n    <<: [{app: web}, {tier: front, app: api}]\n    tier: back\n"
    result = load_text(text, "m.yaml")
    assert result.errors == ()
    assert dict(result.to_state().get("Node", "", "node-a").labels) == {"app": "web", "tier": "back"}


def test_merge_key_list_with_a_scalar_is_an_error() -> None:
    text = "base: &b {app: web}\napiVersion: v1\nkind: Node\nmetadata:\n  name: node-a\n  labels:\n    <<: [*b, 3]\n"
    assert [str(e) for e in load_text(text, "m.yaml").errors] == [
        "m.yaml:7: metadata.labels: a merge key (<<) needs a mapping or a list of mappings"
    ]
