"""The project's own fuzzer of the manifest loader (issue 23 item 4).

Every input is a file's bytes.  It goes through :func:`model.manifests.load_manifests` (the entry
``kubecheck check FILE`` uses) and, when accepted, through settling the start-up state
(:func:`kubecheck.scenarios.settle` on the loaded cluster plus the CLI's default nodes).  Each input
runs in a worker process under a wall-clock limit, and is classified as

* ``refused``: the loader returned errors, every one a one-line ``FILE:LINE: ...`` ManifestError;
* ``accepted``: no error, and settling raised nothing (a settle cut by its own timeout is fine);
* ``hang``: the input took longer than the per-input limit (the worker is killed);
* ``crash``: the loader raised, an error was not a one-line ManifestError, or settling an accepted
  manifest raised (an internal error of the model);
* ``no-line``: a refusal whose message does not start with ``FILE:LINE:``.

Inputs come from one generator, :func:`generate`, driven by any ``random.Random``: the benchmark
uses ``random.Random(f"{seed}:{i}")`` (input ``i`` is reproducible: ``--show I``), the pytest uses
Hypothesis' ``st.randoms()`` (:func:`cases`), so a failure shrinks.  Families:

``mutate``     structural mutation of a real manifest (``examples/`` and, when extracted,
               ``bench/corpus/data/``): delete/replace/rename/retype/wrap fields, int32 and int64
               edges, huge ints, floats, unicode, control characters, bidi marks, long names;
``text``       line and byte damage of a real manifest's text, hostile scalars (``0x7fffffff``,
               4,301-digit ints, ``.nan``, tags) in place of values;
``anchors``    YAML anchors, aliases and merge keys: valid reuse, merge bombs, billion laughs,
               self-reference (``&a {<<: [*a]}``), undefined aliases, merges of non-mappings;
``multidoc``   several documents and junk between ``---`` (scalars, lists, directives, ``...``);
``list``       ``kind: List`` and typed lists (``DeploymentList``), nested, with broken ``items``;
``binary``     random bytes, invalid UTF-8, UTF-16, NUL, BOM, CR line ends, ``!!binary``;
``deep``       deep nesting (flow and block) in a field of a real manifest.

``python -m bench fuzz [--n 100000] [--seed 0] [--jobs 2] [--limit 10] [--cli 200] [--no-write]``
writes the table to docs/fuzz.md (generated section ``fuzz``).
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import multiprocessing.connection
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "corpus" / "data"
DOC = ROOT / "docs" / "fuzz.md"
OUTCOMES = ("refused", "accepted", "hang", "crash", "no-line")
FAMILIES = ("mutate", "text", "anchors", "multidoc", "list", "binary", "deep")
_WEIGHTS = (30, 20, 12, 10, 10, 8, 10)

# ----------------------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class Seed:
    """One YAML document of a real manifest: its text and its data."""

    origin: str
    text: str
    data: Any


def _documents(path: Path, max_chars: int) -> list[Seed]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for chunk in re.split(r"(?m)^---[ \t]*(?:#.*)?$", text):
        if not chunk.strip() or len(chunk) > max_chars:
            continue
        try:
            data = yaml.load(chunk, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and "kind" in data:
            out.append(Seed(str(path.relative_to(ROOT)), chunk.lstrip("\n"), data))
    return out


def load_seeds(corpus: bool = True, max_chars: int = 20_000) -> list[Seed]:
    """Every document of ``examples/`` (recursively) and, when ``corpus`` and it was extracted, of
    ``bench/corpus/data/`` (documents up to ``max_chars``).  Sorted, so a seed gives the same inputs."""
    files = sorted((ROOT / "examples").rglob("*.yaml"))
    if corpus and CORPUS.is_dir():
        files += sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    return [s for f in files for s in _documents(f, max_chars)]


# ------------------------------------------------------------------------------ hostile values

INT_EDGES = (0, 1, -1, 2, 3, 100, 2**31 - 2, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**32, 2**53 + 1,
             2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**30, -(10**30), 10**300)
FLOAT_EDGES = (0.5, -0.0, 1e308, 1e-320, 2.5, 3.0, float("inf"), float("-inf"), float("nan"), 2147483647.0, 1e19)
#: characters that must never break a one-line message or a terminal: C0/C1 controls, ESC, bidi marks
HOSTILE_CHARS = ("\n", "\r", "\t", "\x00", "\x07", "\x1b", "\x1b[31m", "\x1b]0;x\x07", "\x7f", "\x85", "\x9b", "\u2028",
                 "\u2029", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                 "\u200b", "\ufeff", "\ufffe", "\U0001f600", "é", "名", "ß", "İ", "\u0301", "/", ":", "%", "\"", "'",
                 "\\", "<script>", "\"]; x [", "{{", "#", "&", "*", "!", "|", ">", "@", "`")
STRING_EDGES = ("", " ", "a", "web", "Web", "-web", "web-", "a.b", "a..b", "a_b", "25%", "-5%", "101%", "1.5%", "0%",
                "abc%", "%", "3", "-1", "0x10", "1e3", "null", "true", "yes", "None", "Always", "Never", "IfNotPresent",
                "In", "NotIn", "Exists", "DoesNotExist", "Gt", "RollingUpdate", "Recreate", "OnDelete", "Parallel",
                "OrderedReady", "Retain", "Delete", "NoSchedule", "NoExecute", "PreferNoSchedule", "Equal", "TCP",
                "100m", "1Gi", "1e400", "-1Gi", "0.5", "1.5Gi", "kubernetes.io/hostname", "a/b/c", "example.com/x",
                "apps/v1", "v1", "apps/v1beta1", "extensions/v1beta1", "policy/v1", "Deployment", "List", "Pod")
KEYS = ("replicas", "selector", "matchLabels", "matchExpressions", "template", "metadata", "spec", "name", "namespace",
        "labels", "annotations", "containers", "image", "ports", "strategy", "rollingUpdate", "maxSurge",
        "maxUnavailable", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "paused",
        "ordinals", "start", "serviceName", "podManagementPolicy", "updateStrategy", "partition",
        "volumeClaimTemplates", "persistentVolumeClaimRetentionPolicy", "terminationGracePeriodSeconds",
        "readinessProbe", "livenessProbe", "nodeSelector", "affinity", "tolerations", "ownerReferences", "uid",
        "finalizers", "deletionTimestamp", "minAvailable", "items", "kind", "apiVersion", "status", "<<", "key",
        "operator", "values", "effect", "tolerationSeconds", "generateName", "restartPolicy", "nodeName",
        "resources", "requests", "cpu", "memory", "storage", "taints", "unschedulable", "capacity", "allocatable",
        "topologySpreadConstraints", "maxSkew", "whenUnsatisfiable", "topologyKey", "priority", "hostNetwork")
#: fields upstream declares int32 (or int64): where int edges matter most
INT_FIELDS = ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "partition", "start",
              "terminationGracePeriodSeconds", "containerPort", "port", "targetPort", "minAvailable", "maxUnavailable",
              "maxSurge", "periodSeconds", "initialDelaySeconds", "failureThreshold", "successThreshold",
              "timeoutSeconds", "tolerationSeconds", "activeDeadlineSeconds", "maxSkew", "priority", "nodePort",
              "maxUnavailableStatefulSet", "minDomains", "weight", "revision")
#: scalar texts put in place of a YAML value (text-level: what a dumper would never write)
SCALAR_TEXTS = ("2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296", "9223372036854775807",
                "9223372036854775808", "18446744073709551616", "1" * 4301, "9" * 5000, "-" + "9" * 4400, "0x7fffffff",
                "0x80000000", "0xFFFFFFFFFFFFFFFFFF", "0o777", "0b101", "0777", "1_000", "1_000_000_000_000", "+3",
                "-0", "3.0", "3.5", "1e3", "1e400", "-1e400", ".inf", "-.inf", ".nan", ".NaN", "~", "null", "Null",
                "yes", "no", "on", "off", "y", "n", "'3'", "\"3\"", "!!str 3", "!!int 3", "!!int x", "!!float 3",
                "!!float inf", "!!bool yes", "!!null x", "!!binary AAAA", "!!binary '@@@'", "!!timestamp 2001-12-14",
                "2001-12-14t21:59:43.10-05:00", "2001-12-14", "1:30:00", "190:20:30", "!!set {a, b}", "!!omap [a: 1]",
                "!!python/object:os.system x", "!custom x", "!<tag:yaml.org,2002:int> 3", "*undefined", "&x 3",
                "[]", "{}", "[1, 2", "{a: 1", "|", "|-\n  a\n  b", ">-\n  x", "\"\\x1b[31mred\\x1b[0m\"",
                "\"\\u202eevil\\u202c\"", "\"a\\nHOLDS  KC-X  forged\"", "\"\\0\"", "\"\\x85\\x9b\"", "\"\\ud800\"",
                "\"\\U0010ffff\"", "'\u202e'", "٣", "１２", "3 # comment", "3 #", "- 3", "? 3", ": 3", "%", "@x", "`x",
                "'a''b'", "\"unterminated", "'unterminated", "a: b: c", "\t3", "3\t", "=", "<<", "0.")
FRAGMENTS = ("&a ", "*a", "<<: *a\n", "<<: [*a, *a]\n", "!!int ", "!!binary ", "!!map ", "!!seq ", "? ", "- ", "  ", ": ",
             "'", "\"", "\t", "---\n", "...\n", "%YAML 1.1\n", "%YAML 1.3\n", "%TAG ! tag:x,2000:\n", "#", "{", "}", "[",
             "]", ",", "|", ">", "\x00", "\x1b[2J", "\u202e", "\x85", "\ufeff", "\r", "\r\n", "\\", "kind: List\n",
             "items:\n- ", "apiVersion: v1\n", "kind: Pod\n", "metadata: {name: x}\n", "<<: {a: 1}\n", "&b [*b]",
             "\n" * 3, " " * 40, "x" * 300, "0" * 400)


def hostile_string(rng: random.Random) -> str:
    r = rng.randrange(6)
    if r == 0:
        return rng.choice(STRING_EDGES)
    if r == 1:
        return "".join(rng.choice(HOSTILE_CHARS) for _ in range(rng.randrange(1, 5)))
    if r == 2:  # a plausible name with a hostile character inside
        base = rng.choice(("web", "db-0", "app.kubernetes.io/name", "nginx:1.27"))
        i = rng.randrange(len(base) + 1)
        return base[:i] + rng.choice(HOSTILE_CHARS) + base[i:]
    if r == 3:  # length edges of names and labels
        return rng.choice("abz0-.") * rng.choice((62, 63, 64, 200, 242, 243, 252, 253, 254, 300, 5000))
    if r == 4:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 12)))
    return "".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randrange(1, 6)))


def hostile_value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.randrange(12 if depth < 3 else 9)
    if r in (0, 1):
        return rng.choice(INT_EDGES) + rng.choice((0, 0, 0, 1, -1))
    if r == 2:
        return rng.choice(FLOAT_EDGES)
    if r in (3, 4, 5):
        return hostile_string(rng)
    if r == 6:
        return rng.choice((None, True, False))
    if r == 7:
        return rng.choice(({}, [], "", [None], {"": None}))
    if r == 8:
        import datetime

        return rng.choice((datetime.date(2001, 12, 14), datetime.datetime(2001, 12, 14, 21, 59, 43), b"\x00\xff"))
    if r == 9:
        return [hostile_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if r == 10:
        return {str(hostile_key(rng)): hostile_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))}
    return {rng.choice(KEYS): hostile_value(rng, depth + 1)}


def hostile_key(rng: random.Random) -> Any:
    r = rng.randrange(5)
    if r <= 2:
        return rng.choice(KEYS)
    if r == 3:
        return hostile_string(rng)
    return rng.choice((1, 0, -1, None, True, 2.5))


# ------------------------------------------------------------------------------- structure


def _paths(node: Any, path: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None) -> list[tuple[Any, ...]]:
    out = [] if out is None else out
    out.append(path)
    if len(out) > 5000:
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            _paths(v, path + (k,), out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _paths(v, path + (i,), out)
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


def _nest(rng: random.Random, depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf] if rng.random() < 0.5 else {rng.choice(KEYS): leaf}
    return leaf


MUTATIONS = ("delete", "replace", "rename", "retype", "wrap", "int-edge", "add-field", "hostile-string", "nest",
             "kind-swap", "duplicate", "empty")


def mutate_data(rng: random.Random, doc: Any) -> Any:
    """One structural mutation at a random node of ``doc`` (in place where possible); returns the root."""
    root = {"": doc}
    paths = [("",) + p for p in _paths(doc)]
    path = rng.choice(paths)
    parent, key = _get(root, path[:-1]), path[-1]
    node = parent[key]
    op = rng.choice(MUTATIONS)
    if op == "delete" and key != "":
        del parent[key]
    elif op == "replace":
        parent[key] = hostile_value(rng)
    elif op == "rename" and isinstance(parent, dict) and key != "":
        parent[hostile_key(rng)] = parent.pop(key)
    elif op == "retype":
        if isinstance(node, bool) or node is None:
            parent[key] = rng.choice(("true", 1, "null", [node]))
        elif isinstance(node, int):
            parent[key] = rng.choice((str(node), float(node), [node], {"value": node}, f"{node}%", f"{node}m"))
        elif isinstance(node, str):
            parent[key] = rng.choice((len(node), [node], {node: node}, node.upper(), f"{node}\n", None))
        elif isinstance(node, list):
            parent[key] = rng.choice(({str(i): v for i, v in enumerate(node)}, node[0] if node else None, len(node)))
        elif isinstance(node, dict):
            parent[key] = rng.choice((list(node.values()), list(node.items()), list(node), str(node)))
    elif op == "wrap":
        parent[key] = [node] if rng.random() < 0.5 else {rng.choice(KEYS): node}
    elif op == "int-edge":
        target = node if isinstance(node, dict) else parent if isinstance(parent, dict) else None
        if target is not None:
            target[rng.choice(INT_FIELDS)] = rng.choice(INT_EDGES) + rng.choice((0, 0, 1, -1))
    elif op == "add-field":
        if isinstance(node, dict):
            node[rng.choice(KEYS)] = hostile_value(rng)
        elif isinstance(node, list):
            node.insert(rng.randrange(len(node) + 1), copy.deepcopy(node[0]) if node and rng.random() < 0.5 else hostile_value(rng))
    elif op == "hostile-string":
        if isinstance(node, str):
            i = rng.randrange(len(node) + 1)
            parent[key] = node[:i] + hostile_string(rng) + node[i:]
        else:
            parent[key] = hostile_string(rng)
    elif op == "nest":
        parent[key] = _nest(rng, rng.choice((5, 30, 99, 100, 101, 150)), node)
    elif op == "kind-swap" and isinstance(doc, dict):
        doc["kind"] = rng.choice(("Deployment", "ReplicaSet", "StatefulSet", "Pod", "Service", "Node", "List",
                                  "ReplicationController", "PersistentVolumeClaim", "PodDisruptionBudget",
                                  "DeploymentList", "ConfigMap", "", "deployment"))
        if rng.random() < 0.5:
            doc["apiVersion"] = rng.choice(("v1", "apps/v1", "policy/v1", "apps/v1beta2", "extensions/v1beta1", "x"))
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(int(key), copy.deepcopy(node))
    elif op == "empty":
        parent[key] = type(node)() if isinstance(node, (dict, list, str)) else None
    return root[""]


def dump(rng: random.Random, docs: list[Any]) -> tuple[str, str]:
    """``docs`` as YAML (or JSON when one document) text, in a random style; and the file name."""
    if len(docs) == 1 and rng.random() < 0.2:
        try:
            return json.dumps(docs[0], indent=rng.choice((None, 2, "\t")), ensure_ascii=rng.random() < 0.5,
                              default=str, allow_nan=True), "fuzz.json"
        except (ValueError, TypeError, RecursionError):
            pass
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    try:
        text = yaml.dump_all(docs, Dumper=dumper, sort_keys=rng.random() < 0.5, allow_unicode=rng.random() < 0.5,
                             default_flow_style=rng.choice((False, None, True)), width=rng.choice((80, 40, 10**6)))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        text = "\n---\n".join(repr(d) for d in docs)
    return text, "fuzz.yaml"


# -------------------------------------------------------------------------------- families


_VALUE_LINE = re.compile(r"(?m)^(\s*(?:- )?[A-Za-z_][\w.\-/]*:)[ \t]+(\S.*)$")


def damage_text(rng: random.Random, text: str) -> str:
    """Line and character damage, and hostile scalars in place of values."""
    for _ in range(rng.randrange(1, 4)):
        lines = text.splitlines(keepends=True) or [""]
        i = rng.randrange(len(lines))
        r = rng.randrange(9)
        if r == 0:
            del lines[i]
        elif r == 1:
            lines.insert(i, lines[i])
        elif r == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif r == 3:  # indentation
            lines[i] = rng.choice((" ", "  ", "\t", "   ", "")) + lines[i].lstrip(" ") if rng.random() < 0.5 else " " + lines[i]
        elif r == 4:
            p = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:p] + rng.choice(FRAGMENTS) + lines[i][p:]
        elif r == 5:  # truncate the file
            text = "".join(lines)
            return text[: rng.randrange(len(text) + 1)]
        else:  # a hostile scalar in place of a value
            matches = list(_VALUE_LINE.finditer(text))
            if matches:
                m = rng.choice(matches)
                value = rng.choice(SCALAR_TEXTS) if rng.random() < 0.8 else json.dumps(hostile_string(rng))
                text = text[: m.start(2)] + value + text[m.end(2):]
                continue
        text = "".join(lines)
    return text


def family_mutate(rng: random.Random, seeds: list[Seed]) -> tuple[str, str]:
    docs = [copy.deepcopy(rng.choice(seeds).data) for _ in range(1 if rng.random() < 0.8 else rng.randrange(2, 4))]
    for _ in range(rng.randrange(1, 5)):
        i = rng.randrange(len(docs))
        docs[i] = mutate_data(rng, docs[i])
    text, name = dump(rng, docs)
    if rng.random() < 0.15:
        text = damage_text(rng, text)
    return text, name


def family_text(rng: random.Random, seeds: list[Seed]) -> tuple[str, str]:
    return damage_text(rng, rng.choice(seeds).text), "fuzz.yaml"


_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {labels}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {selector}
  template:
    metadata:
      labels: {tlabels}
    spec:
      containers: {containers}
"""


def _bomb(rng: random.Random, width: int, depth: int, merge: bool) -> list[str]:
    rows = ["a0: &a0 {x: 1}" if merge else "a0: &a0 [x, x]"]
    for d in range(1, depth + 1):
        refs = ", ".join([f"*a{d - 1}"] * width)
        rows.append(f"a{d}: &a{d} {{<<: [{refs}]}}" if merge else f"a{d}: &a{d} [{refs}]")
    return rows


def family_anchors(rng: random.Random, seeds: list[Seed]) -> tuple[str, str]:
    """Anchors, aliases and merge keys, valid and hostile, in a Deployment."""
    labels: str = "&l {app: web}"
    selector = "*l"
    tlabels = rng.choice(("*l", "{<<: *l, tier: x}", "{<<: [*l, *l]}", "{<<: [*l], app: web}", "{app: web}"))
    containers = rng.choice(("&c [{name: web, image: nginx}]", "[&c0 {name: web, image: nginx}]"))
    r = rng.randrange(10)
    head: list[str] = []
    if r == 0:  # valid reuse only
        pass
    elif r == 1:  # merge bomb in the labels
        width, depth = rng.randrange(2, 13), rng.randrange(2, 11)
        refs = ", ".join([f"*b{depth}"] * rng.randrange(1, 4))
        labels = "{<<: [" + refs + "], app: web}"
        head = ["# " + "x"] + [row.replace("a", "b", 2) for row in _bomb(rng, width, depth, True)]
    elif r == 2:  # billion laughs in annotations
        width, depth = rng.randrange(2, 13), rng.randrange(2, 11)
        head = [row.replace("a", "b", 2) for row in _bomb(rng, width, depth, False)]
        labels = f"{{app: web, x: *b{depth}}}"
    elif r == 3:  # self reference
        labels = rng.choice(("&l {<<: [*l]}", "&l {app: *l}", "&l {<<: *l}", "&l [*l]", "&l {app: web, x: [*l]}"))
    elif r == 4:  # undefined or forward alias
        selector = rng.choice(("*nope", "*L", "* l", "*l*l", "{<<: *nope}"))
    elif r == 5:  # merge of a non-mapping
        tlabels = rng.choice(("{<<: 3}", "{<<: [1, 2]}", "{<<: *c}", "{<<: [[*l]]}", "{<<: ~}", "{<<: [*l, 3]}",
                              "{<<: {<<: {<<: *l}}}", "{!!merge <<: *l}", "{<<: 'x'}"))
    elif r == 6:  # anchors on keys, duplicate anchors
        labels = rng.choice(("{&k app: web}", "&l {app: web}\n  x: &l {app: db}", "&l {app: web, &l b: c}"))
        selector = rng.choice(("{*k : web}", "*l", "{? *l : x}"))
    elif r == 7:  # the alias is an object: a whole template reused
        head = []
        containers = "&c [{name: web, image: nginx, env: &e [{name: A, value: b}]}]"
        tlabels = "&t {app: web, <<: *l}"
    elif r == 8:  # the bomb reached through selector and template (refused or bounded)
        width, depth = rng.randrange(2, 8), rng.randrange(2, 8)
        head = [row.replace("a", "b", 2) for row in _bomb(rng, width, depth, True)]
        selector = f"{{<<: *b{depth}}}"
    else:  # many aliases, each small (allowed ratio)
        n = rng.choice((10, 100, 300, 1000))
        labels = "&l {app: web}"
        containers = "[" + ", ".join([f"{{name: c{i}, image: nginx, env: [*l]}}" for i in range(n)]) + "]"
    name = rng.choice(("web", "&n web", "web-" + "x" * rng.randrange(300)))
    text = _DEPLOYMENT.format(name=name, labels=labels, selector=selector, tlabels=tlabels, containers=containers,
                              replicas=rng.choice(("1", "3", "&r 2", "0")))
    if head:  # hostile anchors as a prior junk document or under an annotation
        text = ("\n".join(head) + "\n---\n" + text) if rng.random() < 0.5 else text.replace(
            "  labels:", "  annotations:\n" + "\n".join("    " + h for h in head) + "\n  labels:", 1)
    return text, "fuzz.yaml"


JUNK_DOCS = ("42", "null", "~", "- a\n- b", "just text", "{", "[", "a: [", "''", "!!binary AAAA", "&a x", "*a",
             "kind: Deployment", "apiVersion: v1", "kind: List\nitems: 3", "? a\n: b", "%YAML 1.1\n---\na: 1",
             "a: 1\na: 2", "metadata: {name: x}", "---", "...", "\t", "\x00", "\ufeff", "kind: [Deployment]",
             "{kind: Pod, apiVersion: v1, metadata: {name: p}, spec: {containers: [{name: c, image: i}]}}")


def family_multidoc(rng: random.Random, seeds: list[Seed]) -> tuple[str, str]:
    parts = []
    for _ in range(rng.randrange(2, 7)):
        r = rng.random()
        if r < 0.4:
            parts.append(rng.choice(seeds).text)
        elif r < 0.6:
            parts.append(family_mutate(rng, seeds)[0])
        else:
            parts.append(rng.choice(JUNK_DOCS))
    seps = ("---\n", "--- \n", "---\r\n", "--- # c\n", "\n---\n", "...\n---\n", "--- |\n", "---\t\n", "----\n", " ---\n")
    text = ""
    for p in parts:
        text += (p if p.endswith("\n") else p + "\n") + rng.choice(seps)
    return text[: -1 if rng.random() < 0.5 else len(text)], "fuzz.yaml"


def family_list(rng: random.Random, seeds: list[Seed]) -> tuple[str, str]:
    items: list[Any] = [copy.deepcopy(rng.choice(seeds).data) for _ in range(rng.randrange(0, 5))]
    for _ in range(rng.randrange(0, 3)):
        if items:
            i = rng.randrange(len(items))
            items[i] = mutate_data(rng, items[i])
    kind = rng.choice(("List", "List", "DeploymentList", "PodList", "ConfigMapList", "StatefulSetList", "list", "ListX"))
    doc: dict[str, Any] = {"apiVersion": rng.choice(("v1", "v1", "apps/v1", "x/v1")), "kind": kind, "items": items}
    r = rng.randrange(8)
    if r == 0:
        doc["items"] = rng.choice((None, "x", 3, {"a": 1}, [None], [[]], [3]))
    elif r == 1:  # nested List
        doc["items"] = [dict(doc, items=list(items))] + items[:1]
    elif r == 2:
        doc.pop("apiVersion")
    elif r == 3:
        doc["metadata"] = {"resourceVersion": "", "name": hostile_string(rng)}
    elif r == 4:  # many items
        doc["items"] = items * rng.choice((10, 30, 100)) if items else items
    text, name = dump(rng, [doc])
    if rng.random() < 0.1:
        text = damage_text(rng, text)
    return text, name


def family_binary(rng: random.Random, seeds: list[Seed]) -> tuple[bytes, str]:
    text = rng.choice(seeds).text
    raw = text.encode("utf-8")
    r = rng.randrange(8)
    if r == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))), "fuzz.yaml"
    if r == 1:  # invalid UTF-8 inside
        p = rng.randrange(len(raw) + 1)
        return raw[:p] + rng.choice((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xc0\xaf")) + raw[p:], "fuzz.yaml"
    if r == 2:
        return text.encode(rng.choice(("utf-16", "utf-16-le", "utf-32", "latin-1")), errors="replace"), "fuzz.yaml"
    if r == 3:  # NUL and other C0 controls
        p = rng.randrange(len(raw) + 1)
        return raw[:p] + bytes([rng.choice((0, 1, 7, 8, 11, 12, 27, 127))]) * rng.randrange(1, 4) + raw[p:], "fuzz.yaml"
    if r == 4:
        return rng.choice((b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xfe\xff", b"")) + raw, "fuzz.yaml"
    if r == 5:
        return raw.replace(b"\n", rng.choice((b"\r\n", b"\r", b"\x85", b"\xe2\x80\xa8"))), "fuzz.yaml"
    if r == 6:  # a !!binary value
        return re.sub(rb"(?m)(image|name): \S+", lambda m: m.group(1) + b": !!binary " + rng.choice((b"AAAA", b"////", b"@@", b"aGVsbG8=")), raw, count=1), "fuzz.yaml"
    p = rng.randrange(len(raw) + 1)  # random bytes inside
    return raw[:p] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20))) + raw[p:], "fuzz.yaml"


def family_deep(rng: random.Random, seeds: list[Seed]) -> tuple[str, str]:
    depth = rng.choice((50, 99, 100, 101, 150, 500, 1000, 5000, 20000))
    r = rng.randrange(4)
    if r == 0:
        value = "[" * depth + "]" * depth
    elif r == 1:
        value = "{a: " * depth + "1" + "}" * depth
    elif r == 2:
        depth = min(depth, 600)
        value = "\n" + "".join("  " * (i + 3) + "a:\n" for i in range(depth)) + "  " * (depth + 3) + "1"
    else:
        depth = min(depth, 600)
        value = "\n" + "".join("  " * (i + 3) + "-\n" for i in range(depth)) + "  " * (depth + 3) + "1"
    text = rng.choice(seeds).text
    matches = list(_VALUE_LINE.finditer(text))
    if not matches:
        return text + "x: " + value + "\n", "fuzz.yaml"
    m = rng.choice(matches)
    return text[: m.start(2)] + value + text[m.end(2):], "fuzz.yaml"


_FAMILY_FUNCS: dict[str, Callable[[random.Random, list[Seed]], tuple[str, str] | tuple[bytes, str]]] = {"mutate": family_mutate, "text": family_text, "anchors": family_anchors, "multidoc": family_multidoc,
                 "list": family_list, "binary": family_binary, "deep": family_deep}


@dataclass(frozen=True)
class Case:
    family: str
    filename: str
    data: bytes


def generate(rng: random.Random, seeds: list[Seed], family: str | None = None) -> Case:
    """One fuzz input, from ``rng`` only (the same random choices give the same bytes)."""
    fam = family or rng.choices(FAMILIES, weights=_WEIGHTS)[0]
    raw, name = _FAMILY_FUNCS[fam](rng, seeds)
    data = raw.encode("utf-8", errors="surrogatepass") if isinstance(raw, str) else raw
    return Case(fam, name, data)


def case_at(seed: int, i: int, seeds: list[Seed]) -> Case:
    """Input ``i`` of the benchmark run with ``seed`` (reproducible alone: ``--show I``)."""
    return generate(random.Random(f"{seed}:{i}"), seeds)


# ------------------------------------------------------------------------------ classifying

_FILE_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): \S")


@dataclass(frozen=True)
class Outcome:
    outcome: str
    detail: str = ""
    seconds: float = 0.0
    errors: int = 0


def classify(data: bytes, path: str, settle_timeout: float = 3.0) -> Outcome:
    """Load the file at ``path`` (holding ``data``) as ``kubecheck check`` does, and settle it when accepted."""
    from model.errors import ManifestError
    from model.manifests import load_manifests

    Path(path).write_bytes(data)
    t0 = time.perf_counter()
    try:
        load = load_manifests([path])
    except Exception as exc:  # noqa: BLE001 - any exception is the finding
        return Outcome("crash", "load: " + _describe(exc), time.perf_counter() - t0)
    if load.errors:
        for e in load.errors:
            msg = str(e)
            if not isinstance(e, ManifestError) or "\n" in msg or "\r" in msg:
                return Outcome("crash", f"error not one line / not a ManifestError: {type(e).__name__}: {msg[:300]!r}",
                               time.perf_counter() - t0, len(load.errors))
            m = _FILE_LINE.match(msg)
            if m is None or m.group("file") != path:
                return Outcome("no-line", msg[:300].replace(path, "FILE"), time.perf_counter() - t0, len(load.errors))
        return Outcome("refused", str(load.errors[0])[:300].replace(path, "FILE"), time.perf_counter() - t0, len(load.errors))
    try:
        detail = settle_loaded(load, settle_timeout)
    except Exception as exc:  # noqa: BLE001
        return Outcome("crash", "settle: " + _describe(exc), time.perf_counter() - t0)
    return Outcome("accepted", detail, time.perf_counter() - t0)


def settle_loaded(load: Any, timeout: float) -> str:
    """Settle the start-up state of an accepted load as ``kubecheck check`` does (default 2 nodes)."""
    from kubecheck.scenarios import settle, with_nodes
    from model.state import ClusterState
    from model.system import KubeSystem, Scenario

    if not load.objects:
        return "nothing loaded"
    objects, _ = with_nodes(tuple(load.objects), 2)
    cluster = ClusterState.from_objects(objects)
    system = KubeSystem(Scenario(initial=cluster, granularity="write", name="settle"))
    result = settle(system, system.init_states()[0], timeout=timeout, max_memory=1 << 30)
    return "settled" if result.settled else ("livelock" if result.cycle else f"cut {result.cut}")


def _describe(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return f"{type(exc).__name__}: {str(exc)[:300]}{where}"


# -------------------------------------------------------------------------------- the pool


def _worker(conn: Any, settle_timeout: float, memory: int) -> None:
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    tmp = tempfile.mkdtemp(prefix="kubecheck-fuzz-")
    try:
        while True:
            msg = conn.recv()
            if msg is None:
                return
            idx, case = msg
            path = os.path.join(tmp, case.filename)
            try:
                out = classify(case.data, path, settle_timeout)
            except MemoryError:
                out = Outcome("crash", "MemoryError (worker limit)")
            conn.send((idx, out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Pool:
    """Worker processes that classify cases, each under a wall-clock ``limit`` (a worker over it is
    killed and the input counted as a hang)."""

    def __init__(self, jobs: int = 2, limit: float = 10.0, settle_timeout: float = 3.0, memory: int = 2 << 30) -> None:
        self.jobs, self.limit, self.settle_timeout, self.memory = max(1, jobs), limit, settle_timeout, memory
        self.ctx = multiprocessing.get_context("fork")
        self.workers: list[list[Any]] = []  # [process, connection, (idx, case) | None, started]

    def _spawn(self) -> list[Any]:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, self.settle_timeout, self.memory), daemon=True)
        proc.start()
        child.close()
        return [proc, parent, None, 0.0]

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            try:
                w[1].send(None)
            except OSError:
                pass
        for w in self.workers:
            w[0].join(timeout=2)
            if w[0].is_alive():
                w[0].kill()
                w[0].join()
        self.workers = []

    def run(self, cases: Iterable[tuple[int, Case]]) -> Iterator[tuple[int, Case, Outcome]]:
        """Classify every case; yields ``(idx, case, outcome)`` as they finish (not in order)."""
        pending = iter(cases)
        exhausted = False
        while len(self.workers) < self.jobs:
            self.workers.append(self._spawn())
        while True:
            for w in self.workers:
                if w[2] is None and not exhausted:
                    nxt = next(pending, None)
                    if nxt is None:
                        exhausted = True
                        break
                    w[1].send(nxt)
                    w[2], w[3] = nxt, time.monotonic()
            busy = [w for w in self.workers if w[2] is not None]
            if not busy:
                return
            now = time.monotonic()
            wait = max(0.0, min(w[3] + self.limit - now for w in busy))
            ready = multiprocessing.connection.wait([w[1] for w in busy], timeout=wait)
            for w in busy:
                idx, case = w[2]
                if w[1] in ready:
                    try:
                        got_idx, out = w[1].recv()
                    except (EOFError, OSError):  # the worker died (a signal, a C-level crash)
                        out = Outcome("crash", f"worker died (exit code {w[0].exitcode})", time.monotonic() - w[3])
                        self._replace(w)
                    w[2] = None
                    yield idx, case, out
                elif time.monotonic() - w[3] >= self.limit:
                    self._replace(w)
                    yield idx, case, Outcome("hang", f"over {self.limit:g} s", self.limit)

    def _replace(self, w: list[Any]) -> None:
        w[0].kill()
        w[0].join()
        w[1].close()
        w[:] = self._spawn()

    def run_one(self, case: Case) -> Outcome:
        return next(iter(self.run([(0, case)])))[2]


# ------------------------------------------------------------------------------- the CLI


@dataclass
class CliResult:
    checked: int = 0
    refused: int = 0
    accepted: int = 0
    bad: list[str] = field(default_factory=list)


def check_cli(case: Case, expected: Outcome, tmp: Path, timeout: float = 120.0) -> str | None:
    """Run ``kubecheck check FILE`` on one input; None when the CLI behaves, else what went wrong.

    A refused input: exit 2, nothing on stdout, one stderr line per loader error, each ``FILE:LINE:``.
    An accepted one: no traceback, and an exit 2 is one line on stderr and nothing on stdout."""
    path = tmp / case.filename
    path.write_bytes(case.data)
    cmd = [str(Path(sys.executable).with_name("kubecheck")), "check", str(path), "-q", "--timeout", "5", "--max-states", "500",
           "--out", str(tmp / "out")]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=tmp)
    except subprocess.TimeoutExpired:
        return f"hang: over {timeout:g} s"
    err = proc.stderr.decode("utf-8", "replace")
    lines = err.splitlines()
    if "Traceback" in err:
        return f"traceback (exit {proc.returncode}): {lines[-1] if lines else ''}"
    if expected.outcome == "refused":
        if proc.returncode != 2 or proc.stdout:
            return f"refused input: exit {proc.returncode}, {len(proc.stdout)} bytes on stdout"
        if len(lines) != expected.errors or not lines:
            return f"refused input: {len(lines)} stderr line(s) for {expected.errors} error(s)"
        bad = [ln for ln in lines if not ln.startswith(f"{path}:") or not _FILE_LINE.match(ln)]
        if bad:
            return f"stderr line without FILE:LINE: {bad[0][:200]!r}"
        return None
    if proc.returncode == 2 and (len(lines) != 1 or proc.stdout):
        return f"exit 2 with {len(lines)} stderr line(s) and {len(proc.stdout)} bytes on stdout"
    if proc.returncode not in (0, 1, 2, 3):
        return f"exit {proc.returncode}"
    return None


# ------------------------------------------------------------------------------ benchmark


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    by_family: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    #: accepted inputs by what settling did: settled, nothing loaded (only skipped kinds), cut, livelock
    settles: Counter[str] = field(default_factory=Counter)
    #: refused inputs by their number of errors (1, 2, 3+)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    slowest: float = 0.0

    def add(self, idx: int, case: Case, out: Outcome) -> None:
        self.counts[out.outcome] += 1
        self.by_family.setdefault(case.family, Counter())[out.outcome] += 1
        self.slowest = max(self.slowest, out.seconds)
        if out.outcome == "accepted":
            self.settles[out.detail.split(" ")[0] if not out.detail.startswith("nothing") else "nothing loaded"] += 1
        elif out.outcome == "refused":
            self.errors[str(out.errors) if out.errors < 3 else "3+"] += 1
        if out.outcome in ("hang", "crash", "no-line"):
            self.examples.setdefault(out.outcome, []).append(f"#{idx} ({case.family}): {out.detail}")


def run_fuzz(n: int, seed: int, jobs: int, limit: float, seeds: list[Seed], progress: bool = True) -> Tally:
    tally = Tally()
    t0 = time.monotonic()
    with Pool(jobs, limit) as pool:
        for done, (idx, case, out) in enumerate(pool.run((i, case_at(seed, i, seeds)) for i in range(n)), 1):
            tally.add(idx, case, out)
            if progress and (done % 1000 == 0 or out.outcome in ("hang", "crash", "no-line")):
                bad = {k: tally.counts[k] for k in ("hang", "crash", "no-line") if tally.counts[k]}
                extra = f"  #{idx} {out.outcome}: {out.detail[:160]}" if out.outcome in ("hang", "crash", "no-line") else ""
                print(f"[{done:,}/{n:,} {time.monotonic() - t0:.0f}s] {dict(tally.counts)} {bad or ''}{extra}",
                      file=sys.stderr, flush=True)
    tally.seconds = time.monotonic() - t0
    return tally


def run_cli_sample(n: int, seed: int, seeds: list[Seed], jobs: int, limit: float) -> CliResult:
    """``n`` inputs of the same generator and seed (indices ``7919 k mod 10^6``: every family, refused and
    accepted alike) through ``kubecheck check``."""
    res = CliResult()
    step = 7919  # a prime stride over the input indices: every family, not the first n
    picked = [(i * step) % (10**6) for i in range(n)]
    with tempfile.TemporaryDirectory() as d, Pool(jobs, limit) as pool:
        for idx in picked:
            case = case_at(seed, idx, seeds)
            expected = pool.run_one(case)
            if expected.outcome not in ("refused", "accepted"):
                res.bad.append(f"#{idx}: {expected.outcome} in-process: {expected.detail}")
                continue
            tmp = Path(d) / str(idx)
            tmp.mkdir()
            problem = check_cli(case, expected, tmp)
            res.checked += 1
            res.refused += expected.outcome == "refused"
            res.accepted += expected.outcome == "accepted"
            if problem:
                res.bad.append(f"#{idx} ({case.family}): {problem}")
                print(f"CLI #{idx}: {problem}", file=sys.stderr, flush=True)
    return res


def markdown(tally: Tally, cli: CliResult | None, meta: str, n: int) -> str:
    c = tally.counts
    out = [meta, "",
           "| inputs | refused | accepted | hangs | crashes | errors without a line | time |",
           "|---:|---:|---:|---:|---:|---:|---:|",
           f"| {n:,} | {c['refused']:,} | {c['accepted']:,} | {c['hang']:,} | {c['crash']:,} | {c['no-line']:,} | "
           f"{tally.seconds:,.0f} s |", "",
           f"Slowest input: {tally.slowest:.2f} s. Accepted inputs: {tally.settles['settled']:,} settled, "
           f"{tally.settles['nothing loaded']:,} loaded no modelled object (only skipped kinds), "
           f"{tally.settles['cut']:,} settle cut by its 3 s timeout, {tally.settles['livelock']:,} livelock on the "
           f"start-up order. Refused inputs: {tally.errors['1']:,} with one error, {tally.errors['2']:,} with two, "
           f"{tally.errors['3+']:,} with three or more (each its own `FILE:LINE:` line).", "",
           "**By family**", "",
           "| family | inputs | refused | accepted | hangs | crashes | errors without a line |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for fam in FAMILIES:
        f = tally.by_family.get(fam, Counter())
        out.append(f"| {fam} | {sum(f.values()):,} | {f['refused']:,} | {f['accepted']:,} | {f['hang']:,} | "
                   f"{f['crash']:,} | {f['no-line']:,} |")
    if cli is not None:
        out += ["", f"**Through the CLI** (`kubecheck check FILE` on {cli.checked} inputs of the same generator and seed, "
                f"indices 7,919·k mod 10^6: "
                f"{cli.refused} refused, {cli.accepted} accepted): {len(cli.bad)} misbehaved (a refused input must exit 2 "
                "with nothing on stdout and one `FILE:LINE:` line on stderr per loader error; no input may print a "
                "traceback; an exit 2 is one stderr line)."]
        out += [f"* {b}" for b in cli.bad[:10]]
    for kind in ("hang", "crash", "no-line"):
        ex = tally.examples.get(kind, [])
        if ex:
            out += ["", f"**{kind}** ({len(ex)}; first 10)", ""] + [f"* `{e[:240]}`" for e in ex[:10]]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="inputs (default 100,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=float, default=10.0, help="wall-clock seconds per input (over it: a hang)")
    ap.add_argument("--cli", type=int, default=200, help="inputs also run through the CLI (0: none)")
    ap.add_argument("--no-corpus", action="store_true", help="seed from examples/ only")
    ap.add_argument("--show", type=int, default=None, metavar="I", help="print input I and its outcome, and exit")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    seeds = load_seeds(corpus=not args.no_corpus)
    if args.show is not None:
        case = case_at(args.seed, args.show, seeds)
        sys.stdout.buffer.write(case.data)
        with Pool(1, args.limit) as pool:
            print(f"\n# family {case.family}, {len(case.data)} bytes: {pool.run_one(case)}", file=sys.stderr)
        return 0
    n_corpus = sum(1 for s in seeds if s.origin.startswith("bench/"))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    tally = run_fuzz(args.n, args.seed, args.jobs, args.limit, seeds)
    cli = run_cli_sample(args.cli, args.seed, seeds, args.jobs, args.limit) if args.cli else None
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    meta = (f"Generated by `python -m bench fuzz --n {args.n} --seed {args.seed} --jobs {args.jobs} --limit {args.limit:g}` "
            f"({started}, Python {platform.python_version()}, load average at the end {load}). Seeds: "
            f"{len(seeds) - n_corpus} documents of `examples/` and {n_corpus} of the extracted corpus "
            f"(`bench/corpus/data/`; documents up to 20,000 characters). Each input is one file loaded by "
            f"`load_manifests` in a worker process and, when accepted, settled (`kubecheck.scenarios.settle`, "
            f"3 s settle timeout); a hang is an input over {args.limit:g} s wall clock. Reproduce input I with "
            f"`python -m bench fuzz --seed {args.seed} --show I`.")
    md = markdown(tally, cli, meta, args.n)
    print(md)
    if not args.no_write:
        from bench.runner import write_section

        write_section(DOC, "fuzz", "Loader fuzzing (generated)", md)
    bad = tally.counts["hang"] + tally.counts["crash"] + tally.counts["no-line"] + (len(cli.bad) if cli else 0)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
