"""Fuzzing the loader: whatever the input, the result is a LoadResult whose problems are
one-line ManifestErrors (never another exception), and a clean result always builds a state."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.errors import ManifestError
from model.manifests import LoadResult, load_text
from model.state import ClusterState
from tests.conftest import SLOW

ROOT = Path(__file__).resolve().parents[2]

#: Every document of every example, as plain data: the seeds for structural mutation.
SEEDS: list[Any] = [
    doc
    for path in sorted((ROOT / "examples").glob("*.yaml"))
    for doc in yaml.safe_load_all(path.read_text())
    if doc is not None
]

YAML_ALPHABET = "abcdefgkmnprstuvxyzAKLN0123456789 \n\t:-{}[],&*!|>'\"#%@`?.<=/\\~_+"
# Fragments that steer random text towards YAML structure and Kubernetes vocabulary.
FRAGMENTS = [
    "apiVersion: apps/v1\n", "apiVersion: v1\n", "kind: Deployment\n", "kind: List\n", "kind: ReplicationController\n",
    "kind: StatefulSet\n", "kind: Pod\n", "metadata:\n  name: x\n", "spec:\n", "  replicas: ", "  selector:\n",
    "    matchLabels: {a: b}\n", "  template:\n", "items:\n- ", "---\n", "&a ", "*a", "<<: ", "!!int ", "!!binary ",
    "? ", "- ", "  ", ": ", "'", '"', "\t", "0x1F", "1:30", "~", "null", "yes", ".inf", "2001-12-14", "%YAML 1.1\n",
]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["25%", "abc%", "-1", "Always", "Never", "In", "Exists", "RollingUpdate", "Recreate", "", "a/b", "None"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
OPS = ["delete", "replace", "rename", "wrap-in-list", "duplicate-doc", "empty"]


def _mutate(doc: Any, seed: int, op: str, value: Any) -> Any:
    """Apply one structural mutation at a node chosen by ``seed`` (walking down the tree)."""
    root = [doc]
    parent: Any = root
    key: Any = 0
    node = doc
    depth = 0
    while isinstance(node, (dict, list)) and node and (depth < 2 or seed % 6 != 0):
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        nested = [k for k in keys if isinstance(node[k], (dict, list)) and node[k]]
        if depth < 2 and nested:  # go below apiVersion/kind: most of a manifest is nested
            keys = nested
        parent, key = node, keys[seed % len(keys)]
        node = node[key]
        seed //= 6
        depth += 1
    if op == "delete":
        if isinstance(parent, dict):
            del parent[key]
        elif parent is not root:
            parent.pop(key)
    elif op == "replace":
        parent[key] = value
    elif op == "rename" and isinstance(parent, dict):
        parent[str(value)] = parent.pop(key)
    elif op == "wrap-in-list":
        parent[key] = [node]
    elif op == "empty":
        parent[key] = type(node)() if isinstance(node, (dict, list, str)) else None
    elif op == "duplicate-doc":
        return [root[0], copy.deepcopy(root[0])]
    return root[0]


@st.composite
def mutated_manifests(draw: st.DrawFn) -> tuple[str, str]:
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    docs = [doc]
    for seed, op, value in draw(st.lists(st.tuples(st.integers(0, 10**9), st.sampled_from(OPS), VALUES), min_size=1, max_size=4)):
        mutated = _mutate(docs[-1], seed, op, value)
        docs = docs[:-1] + (mutated if op == "duplicate-doc" and isinstance(mutated, list) and len(mutated) == 2 else [mutated])
    as_json = draw(st.booleans())
    if as_json and len(docs) == 1:
        return json.dumps(docs[0], indent="\t", default=str), "fuzz.json"
    text = yaml.safe_dump_all(docs, sort_keys=draw(st.booleans()))
    if draw(st.booleans()):  # text-level damage on top: drop or duplicate a line
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        lines[i : i + 1] = [] if draw(st.booleans()) else [lines[i], lines[i]] if lines else []
        text = "".join(lines)
    return text, "fuzz.yaml"


random_text = st.tuples(
    st.lists(st.one_of(st.text(alphabet=YAML_ALPHABET, max_size=20), st.sampled_from(FRAGMENTS)), max_size=25).map("".join),
    st.sampled_from(["fuzz.yaml", "fuzz.json"]),
)


def _check(result: object) -> None:
    assert isinstance(result, LoadResult)
    for err in result.errors:
        assert isinstance(err, ManifestError)
        assert "\n" not in str(err) and str(err).startswith(err.file)
    if result.ok:
        state = result.to_state()
        assert isinstance(state, ClusterState)
        assert sum(state.summary().values()) == len(result.objects) == len(result.locations)


@settings(max_examples=2000 if SLOW else 500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(random_text, mutated_manifests()))
def test_loader_never_raises_anything_but_manifest_errors(case: tuple[str, str]) -> None:
    text, filename = case
    _check(load_text(text, filename))


def test_pathological_yaml_is_reported_not_raised() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")
    )
    cases = {
        "recursive alias": "a: &x [*x]\n",
        "billion laughs": laughs,
        "deep nesting": "[" * 5000 + "]" * 5000,
        "merge-key bomb": "a: &a {}\n" + "".join(
            f"{c}: &{c} {{<<: [{', '.join([f'*{p}'] * 10)}]}}\n" for p, c in zip("abcdefgh", "bcdefghi")),
        "self-merging anchor": "a: &a {<<: [*a]}\n",
        "bad separator": "--- {a: 1}\n",
        "custom tag": "apiVersion: !foo v1\nkind: Pod\n",
        "complex key": "? [a, b]\n: c\n",
        "control character": "kind: \x01\n",
    }
    for name, text in cases.items():
        result = load_text(text, "p.yaml")
        assert len(result.errors) == 1, (name, result.errors)
        assert str(result.errors[0]).startswith("p.yaml:"), name
        assert result.errors[0].line is not None, name  # every YAML error carries FILE:LINE
