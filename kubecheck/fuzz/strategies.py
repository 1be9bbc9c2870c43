"""Hypothesis strategies for Kubernetes inputs: labels, selectors, workload manifests, manifest sets,
fault scripts and whole scenarios.

Every *valid* strategy here generates values that ``model.manifests.load_text`` accepts without a
single error (tests/fuzz/test_strategies.py checks it on 1,000 examples per strategy); every
*invalid* one breaks exactly one named validation rule.

>>> from hypothesis import given
>>> from model.manifests import load_text
>>> @given(deployment_yaml())
... def test_loads(text):
...     assert load_text(text).ok
>>> test_loads()

Manifests are plain dicts (what ``yaml.safe_load`` gives); :func:`to_yaml` turns one or a list of
them into YAML text and the ``*_yaml`` strategies do it for you.  Values stay small by default
(names up to 12 characters, up to 5 replicas) so that a generated cluster is cheap to explore;
pass ``max_replicas`` and friends to go bigger.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import yaml
from hypothesis import strategies as st

from model.environment import (
    DeleteObject,
    FaultBudget,
    PauseDeployment,
    ResumeDeployment,
    RollbackDeployment,
    ScaleWorkload,
    SetImage,
    UserAction,
)

__all__ = [
    "RESERVED_LABEL_KEYS",
    "dns1123_labels",
    "dns1035_labels",
    "dns1123_subdomains",
    "label_keys",
    "label_values",
    "label_sets",
    "selectors_matching",
    "selectors",
    "invalid_selectors",
    "int_or_percent",
    "pod_templates",
    "deployments",
    "replica_sets",
    "replication_controllers",
    "stateful_sets",
    "workloads",
    "nodes",
    "manifest_sets",
    "to_yaml",
    "deployment_yaml",
    "replica_set_yaml",
    "replication_controller_yaml",
    "stateful_set_yaml",
    "manifest_set_yaml",
    "Mutation",
    "MUTATIONS",
    "invalid_manifests",
    "fault_budgets",
    "user_actions",
    "FaultScript",
    "fault_scripts",
    "scenarios",
]

#: Label keys the controllers write themselves; generated user labels avoid them.
RESERVED_LABEL_KEYS = frozenset(
    {"pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"}
)

_LOWER_ALNUM = string.ascii_lowercase + string.digits
_ALNUM = string.ascii_letters + string.digits

# ------------------------------------------------------------------------------ names and labels


@functools.lru_cache(maxsize=None)
def _edged(ends: str, middle: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Strings of ``min_size..max_size`` (>= 1) characters whose first and last come from ``ends``.

    Strategies here are cached: building one (``st.composite`` reads the function's source) costs more
    than drawing from it.
    """
    one = st.sampled_from(ends)
    options: list[st.SearchStrategy[str]] = []
    if min_size <= 1 <= max_size:
        options.append(one)
    if max_size >= 2:
        mid = st.text(alphabet=middle, min_size=max(0, min_size - 2), max_size=max_size - 2)
        options.append(st.tuples(one, mid, one).map("".join))
    return st.one_of(options)


@functools.lru_cache(maxsize=None)
def dns1123_labels(max_size: int = 12) -> st.SearchStrategy[str]:
    """RFC 1123 labels (``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, at most ``max_size`` <= 63 characters):
    valid object names for every modelled kind and valid namespaces."""
    return _edged(_LOWER_ALNUM, _LOWER_ALNUM + "-", 1, min(max_size, 63))


@functools.lru_cache(maxsize=None)
def dns1035_labels(max_size: int = 12) -> st.SearchStrategy[str]:
    """RFC 1035 labels (``[a-z]([-a-z0-9]*[a-z0-9])?``): valid Service names (and every other name)."""
    return st.tuples(
        st.sampled_from(string.ascii_lowercase), st.one_of(st.just(""), _edged(_LOWER_ALNUM, _LOWER_ALNUM + "-", 1, max(1, min(max_size, 63) - 1)))
    ).map("".join)


@functools.lru_cache(maxsize=None)
def dns1123_subdomains(max_labels: int = 3, max_label_size: int = 8) -> st.SearchStrategy[str]:
    """RFC 1123 subdomains: dot-joined labels (well under the 253-byte limit)."""
    return st.lists(dns1123_labels(max_label_size), min_size=1, max_size=max_labels).map(".".join)


@functools.lru_cache(maxsize=None)
def _label_names(max_size: int = 12) -> st.SearchStrategy[str]:
    # IsQualifiedName's name part: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 bytes
    return _edged(_ALNUM, _ALNUM + "-_.", 1, min(max_size, 63))


@functools.lru_cache(maxsize=None)
def label_keys(max_size: int = 12, prefixed: bool = True) -> st.SearchStrategy[str]:
    """Valid label keys (``model.labels.is_qualified_name``): ``name`` or ``prefix/name``.

    Occasionally 63-character names test the length limit.  Reserved keys are excluded.
    """
    longest = _edged(_ALNUM, _ALNUM + "-_.", 63, 63) if max_size >= 63 else st.nothing()
    name = st.one_of(_label_names(max_size), longest)
    plain = st.one_of(_label_names(max_size), st.sampled_from(["app", "tier", "app.kubernetes.io/name", "version", "y", "N"]), longest)
    keys = st.one_of(plain, st.tuples(dns1123_subdomains(), name).map("/".join)) if prefixed else plain
    return keys.filter(lambda k: k not in RESERVED_LABEL_KEYS)


@functools.lru_cache(maxsize=None)
def label_values(max_size: int = 12) -> st.SearchStrategy[str]:
    """Valid label values (``model.labels.is_valid_label_value``): empty or a label name, with some
    values YAML would misread unquoted (``"true"``, ``"1.0"``, ``"null"``)."""
    return st.one_of(
        st.just(""),
        _label_names(max_size),
        st.sampled_from(["web", "v1", "true", "yes", "y", "N", "1", "1.0", "null", "0x1F", "1e3", "on", "1_000", "0o17", "5e1"]),
    )


def label_sets(min_size: int = 0, max_size: int = 4, *, values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """Valid label maps (``metadata.labels``)."""
    return st.dictionaries(label_keys(), values or label_values(), min_size=min_size, max_size=max_size)


# ------------------------------------------------------------------------------------ selectors


@st.composite
def selectors_matching(draw: st.DrawFn, labels: Mapping[str, str], *, must_include: Sequence[str] = ()) -> dict[str, Any]:
    """A valid, non-empty ``metav1.LabelSelector`` dict that matches ``labels`` (which must be non-empty).

    ``matchLabels`` is a subset of ``labels`` (always containing the keys in ``must_include``);
    ``matchExpressions`` hold only requirements ``labels`` satisfies: ``In`` (its value and maybe
    others), ``NotIn`` (other values), ``Exists`` (a present key), ``DoesNotExist`` (an absent key).
    """
    keys = sorted(labels)
    if not keys:
        raise ValueError("selectors_matching needs at least one label to match")
    chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
    match_labels = {k: labels[k] for k in (*must_include, *chosen)}
    exprs: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]))
        if op in ("In", "Exists"):
            key = draw(st.sampled_from(keys))
        else:
            key = draw(st.one_of(st.sampled_from(keys), label_keys()) if op == "NotIn" else label_keys().filter(lambda k: k not in labels))
        if op == "In":
            others = draw(st.lists(label_values(), max_size=2))
            values = sorted({labels[key], *others})
            exprs.append({"key": key, "operator": "In", "values": values})
        elif op == "NotIn":
            excluded = labels.get(key)  # the filter is used up by this draw, before the loop rebinds it
            values = draw(st.lists(label_values().filter(lambda v: v != excluded), min_size=1, max_size=2, unique=True))
            exprs.append({"key": key, "operator": "NotIn", "values": values})
        else:
            exprs.append({"key": key, "operator": op})
    if not match_labels and not exprs:
        k = draw(st.sampled_from(keys))
        match_labels = {k: labels[k]}
    out: dict[str, Any] = {}
    if match_labels:
        out["matchLabels"] = match_labels
    if exprs:
        out["matchExpressions"] = exprs
    return out


def selectors() -> st.SearchStrategy[dict[str, Any]]:
    """Valid, non-empty ``metav1.LabelSelector`` dicts (each matches at least one label set)."""
    return label_sets(min_size=1).flatmap(selectors_matching)


@st.composite
def invalid_selectors(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """``(selector, field)``: a selector that breaks one rule of ValidateLabelSelector, and the field
    (relative to the selector) that the error names."""
    base = draw(selectors())
    which = draw(st.sampled_from(["operator", "in-without-values", "exists-with-values", "key", "value"]))
    expr: dict[str, Any]
    if which == "operator":
        expr = {"key": "app", "operator": draw(st.sampled_from(["in", "Equals", "", "Gt", "exists"])), "values": ["x"]}
        field = "matchExpressions[{i}].operator"
    elif which == "in-without-values":
        expr = {"key": "app", "operator": draw(st.sampled_from(["In", "NotIn"])), "values": []}
        field = "matchExpressions[{i}].values"
    elif which == "exists-with-values":
        expr = {"key": "app", "operator": draw(st.sampled_from(["Exists", "DoesNotExist"])), "values": ["x"]}
        field = "matchExpressions[{i}].values"
    elif which == "key":
        expr = {"key": draw(st.sampled_from(["-bad", "a b", "a/b/c", "/x", "x" * 64, "Bad.Prefix/x"])), "operator": "Exists"}
        field = "matchExpressions[{i}].key"
    else:
        expr = {"key": "app", "operator": "In", "values": [draw(st.sampled_from(["-x", "a b", "y" * 64, "x/y"]))]}
        field = "matchExpressions[{i}].values[0]"
    exprs = list(base.get("matchExpressions", []))
    i = len(exprs)
    exprs.append(expr)
    return {**base, "matchExpressions": exprs}, field.format(i=i)


# ------------------------------------------------------------------------------------ workloads


def int_or_percent(max_int: int = 5, max_percent: int = 100) -> st.SearchStrategy[int | str]:
    """An ``IntOrString`` for maxSurge/maxUnavailable: ``0..max_int`` or ``"0%".."max_percent%"``."""
    return st.one_of(st.integers(0, max_int), st.integers(0, max_percent).map(lambda n: f"{n}%"))


def _zero(value: int | str | None) -> bool:
    return value in (0, "0%")


@st.composite
def _containers(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(dns1123_labels(8), min_size=1, max_size=2, unique=True))
    out = []
    for name in names:
        c: dict[str, Any] = {"name": name, "image": draw(st.sampled_from(["nginx:1.27", "nginx:1.28", "busybox", "registry.k8s.io/pause:3.9"]))}
        if draw(st.booleans()):
            c["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}}
        out.append(c)
    return out


@st.composite
def pod_templates(draw: st.DrawFn, labels: Mapping[str, str]) -> dict[str, Any]:
    """A valid pod template with ``labels`` (restartPolicy Always, explicit or defaulted)."""
    spec: dict[str, Any] = {"containers": draw(_containers())}
    if draw(st.booleans()):
        spec["restartPolicy"] = "Always"
    if draw(st.booleans()):
        spec["terminationGracePeriodSeconds"] = draw(st.integers(0, 30))
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def _metadata(name: str, namespace: str | None, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


@st.composite
def _selected_template(draw: st.DrawFn, app: str | None) -> tuple[dict[str, str], dict[str, Any]]:
    """(template labels, selector): the selector matches the labels; with ``app`` both carry app=<app>."""
    extra = draw(label_sets(min_size=0 if app else 1, max_size=3))
    labels = {**extra, "app": app} if app is not None else extra
    selector = draw(selectors_matching(labels, must_include=("app",) if app is not None else ()))
    return labels, selector


def _name_and_app(draw: st.DrawFn, name: str | None, app: str | None) -> tuple[str, str | None]:
    nm = name if name is not None else draw(dns1123_labels())
    return nm, app


@st.composite
def deployments(
    draw: st.DrawFn, *, name: str | None = None, namespace: str | None = None, app: str | None = None, max_replicas: int = 5
) -> dict[str, Any]:
    """A valid apps/v1 Deployment: replicas, strategy (RollingUpdate with maxSurge/maxUnavailable, or
    Recreate), minReadySeconds, revisionHistoryLimit, progressDeadlineSeconds, paused; any field may
    be left to defaulting."""
    nm, app = _name_and_app(draw, name, app)
    labels, selector = draw(_selected_template(app))
    spec: dict[str, Any] = {"selector": selector, "template": draw(pod_templates(labels))}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, max_replicas))
    kind = draw(st.sampled_from(["RollingUpdate", "RollingUpdate", "Recreate", None]))
    if kind == "Recreate":
        spec["strategy"] = {"type": "Recreate"}
    elif kind == "RollingUpdate":
        rolling: dict[str, Any] = {}
        surge = draw(st.none() | int_or_percent(max_percent=200))
        unavailable = draw(st.none() | int_or_percent())
        if surge is not None:
            rolling["maxSurge"] = surge
        if unavailable is not None:
            rolling["maxUnavailable"] = unavailable
        if surge is not None and unavailable is not None and _zero(surge) and _zero(unavailable):
            rolling["maxUnavailable"] = 1  # both 0 is invalid (ValidateRollingUpdateDeployment)
        # bool(rolling): with a bare dict on the left of ``or``, mypy infers draw() returns a dict
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling} if bool(rolling) or draw(st.booleans()) else {"type": "RollingUpdate"}
    min_ready = draw(st.sampled_from([None, 0, 1, 5, 30]))
    if min_ready is not None:
        spec["minReadySeconds"] = min_ready
    if draw(st.booleans()):
        spec["revisionHistoryLimit"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        spec["progressDeadlineSeconds"] = (min_ready or 0) + draw(st.integers(1, 600))
    if draw(st.integers(0, 4)) == 0:
        spec["paused"] = True
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _metadata(nm, namespace), "spec": spec}


@st.composite
def replica_sets(
    draw: st.DrawFn, *, name: str | None = None, namespace: str | None = None, app: str | None = None, max_replicas: int = 5
) -> dict[str, Any]:
    """A valid apps/v1 ReplicaSet (replicas, minReadySeconds, selector matching the template)."""
    nm, app = _name_and_app(draw, name, app)
    labels, selector = draw(_selected_template(app))
    spec: dict[str, Any] = {"selector": selector, "template": draw(pod_templates(labels))}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, max_replicas))
    if draw(st.booleans()):
        spec["minReadySeconds"] = draw(st.sampled_from([0, 1, 10]))
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": _metadata(nm, namespace, labels), "spec": spec}


@st.composite
def replication_controllers(
    draw: st.DrawFn, *, name: str | None = None, namespace: str | None = None, app: str | None = None, max_replicas: int = 5
) -> dict[str, Any]:
    """A valid v1 ReplicationController: an equality-only selector map, a subset of the template's
    labels (or omitted: defaulted from the template labels)."""
    nm, app = _name_and_app(draw, name, app)
    extra = draw(label_sets(min_size=0 if app else 1, max_size=3))
    labels = {**extra, "app": app} if app is not None else extra
    keys = sorted(labels)
    spec: dict[str, Any] = {"template": draw(pod_templates(labels))}
    if draw(st.integers(0, 3)) > 0:
        chosen = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
        if app is not None and "app" not in chosen:
            chosen.append("app")
        spec["selector"] = {k: labels[k] for k in chosen}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, max_replicas))
    if draw(st.booleans()):
        spec["minReadySeconds"] = draw(st.sampled_from([0, 1, 10]))
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": _metadata(nm, namespace), "spec": spec}


@st.composite
def stateful_sets(
    draw: st.DrawFn,
    *,
    name: str | None = None,
    namespace: str | None = None,
    app: str | None = None,
    max_replicas: int = 5,
    service_name: str | None = None,
) -> dict[str, Any]:
    """A valid apps/v1 StatefulSet: podManagementPolicy, updateStrategy (RollingUpdate with partition
    and maxUnavailable, or OnDelete), volumeClaimTemplates, PVC retention, ordinals, minReadySeconds."""
    nm, app = _name_and_app(draw, name, app)
    labels, selector = draw(_selected_template(app))
    spec: dict[str, Any] = {"selector": selector, "template": draw(pod_templates(labels))}
    spec["serviceName"] = service_name if service_name is not None else nm
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, max_replicas))
    policy = draw(st.sampled_from([None, "OrderedReady", "Parallel"]))
    if policy is not None:
        spec["podManagementPolicy"] = policy
    kind = draw(st.sampled_from([None, "RollingUpdate", "OnDelete"]))
    if kind == "OnDelete":
        spec["updateStrategy"] = {"type": "OnDelete"}
    elif kind == "RollingUpdate":
        rolling: dict[str, Any] = {}
        if draw(st.booleans()):
            rolling["partition"] = draw(st.integers(0, max_replicas))
        if draw(st.booleans()):
            rolling["maxUnavailable"] = draw(st.one_of(st.integers(1, 3), st.integers(1, 100).map(lambda n: f"{n}%")))
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": rolling} if bool(rolling) or draw(st.booleans()) else {"type": "RollingUpdate"}
    if draw(st.booleans()):
        claim = draw(dns1123_labels(8))
        spec["volumeClaimTemplates"] = [
            {
                "metadata": {"name": claim},
                "spec": {
                    "accessModes": [draw(st.sampled_from(["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"]))],
                    "resources": {"requests": {"storage": draw(st.sampled_from(["1Gi", "500Mi", "10G"]))}},
                },
            }
        ]
    if draw(st.booleans()):
        spec["persistentVolumeClaimRetentionPolicy"] = {
            "whenDeleted": draw(st.sampled_from(["Retain", "Delete"])),
            "whenScaled": draw(st.sampled_from(["Retain", "Delete"])),
        }
    if draw(st.integers(0, 3)) == 0:
        spec["ordinals"] = {"start": draw(st.integers(0, 3))}
    if draw(st.booleans()):
        spec["minReadySeconds"] = draw(st.sampled_from([0, 1, 10]))
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _metadata(nm, namespace), "spec": spec}


_WORKLOAD_STRATEGIES = {
    "Deployment": deployments,
    "ReplicaSet": replica_sets,
    "ReplicationController": replication_controllers,
    "StatefulSet": stateful_sets,
}


def workloads(kinds: Sequence[str] = tuple(_WORKLOAD_STRATEGIES), **kwargs: Any) -> st.SearchStrategy[dict[str, Any]]:
    """One valid workload manifest of any of ``kinds`` (keyword arguments go to each kind's strategy)."""
    unknown = [k for k in kinds if k not in _WORKLOAD_STRATEGIES]
    if unknown:
        raise ValueError(f"workloads(): unknown kinds {unknown}; known: {sorted(_WORKLOAD_STRATEGIES)}")
    return st.one_of([_WORKLOAD_STRATEGIES[k](**kwargs) for k in kinds])


@st.composite
def nodes(draw: st.DrawFn, *, name: str | None = None, ready: bool | None = None, max_capacity: int = 110) -> dict[str, Any]:
    """A v1 Node manifest with a Ready condition and a pod capacity."""
    nm = name if name is not None else draw(dns1123_labels())
    is_ready = draw(st.booleans()) if ready is None else ready
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": nm},
        "status": {
            "capacity": {"pods": str(draw(st.integers(1, max_capacity)))},
            "conditions": [{"type": "Ready", "status": "True" if is_ready else "False"}],
        },
    }


@st.composite
def manifest_sets(
    draw: st.DrawFn,
    *,
    kinds: Sequence[str] = tuple(_WORKLOAD_STRATEGIES),
    min_workloads: int = 1,
    max_workloads: int = 3,
    max_nodes: int = 2,
    namespace: str | None | st.SearchStrategy[str | None] = None,
    disjoint: bool = True,
    max_replicas: int = 3,
) -> list[dict[str, Any]]:
    """A consistent manifest set: workloads in one namespace (``namespace``; a strategy draws one,
    ``None`` leaves it to the loader's default), each selector matching its own template; with
    ``disjoint`` every workload's selector pins ``app=<its name>``, so no two select the same pods.
    StatefulSets come with their headless Service.  Then ``0..max_nodes`` ready Nodes."""
    ns = draw(namespace) if isinstance(namespace, st.SearchStrategy) else namespace
    n = draw(st.integers(min_workloads, max_workloads))
    names = draw(st.lists(dns1035_labels(10), min_size=n, max_size=n, unique=True))  # Service names are DNS-1035
    docs: list[dict[str, Any]] = []
    for nm in names:
        kind = draw(st.sampled_from(list(kinds)))
        app = nm if disjoint else draw(st.sampled_from(["web", "db", None]))
        kwargs: dict[str, Any] = {"name": nm, "namespace": ns, "app": app, "max_replicas": max_replicas}
        doc = draw(_WORKLOAD_STRATEGIES[kind](**kwargs))
        if kind == "StatefulSet":
            docs.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": _metadata(nm, ns),
                    "spec": {"clusterIP": "None", "selector": dict(doc["spec"]["template"]["metadata"]["labels"]), "ports": [{"port": 80}]},
                }
            )
        docs.append(doc)
    node_names = draw(st.lists(dns1123_labels(8).map(lambda s: "node-" + s), max_size=max_nodes, unique=True))
    docs.extend(draw(nodes(name=nn, ready=True)) for nn in node_names)
    return docs


# ------------------------------------------------------------------------------------------ YAML


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, plus quotes for ``y``/``Y``/``n``/``N``: PyYAML writes them plain, but the
    Kubernetes YAML reader (go-yaml v2, YAML 1.1, mirrored by ``model.manifests``) reads them as booleans,
    so a label ``app: y`` would load as ``app: true`` and fail validation."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if value in ("y", "Y", "n", "N"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def to_yaml(manifests: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> str:
    """YAML text of one manifest or a list of them (``---``-separated documents, keys in order), quoted
    so that the Kubernetes YAML reader gets back exactly these strings."""
    docs = [manifests] if isinstance(manifests, Mapping) else list(manifests)
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, default_flow_style=False, explicit_start=True, allow_unicode=True)


def deployment_yaml(**kwargs: Any) -> st.SearchStrategy[str]:
    return deployments(**kwargs).map(to_yaml)


def replica_set_yaml(**kwargs: Any) -> st.SearchStrategy[str]:
    return replica_sets(**kwargs).map(to_yaml)


def replication_controller_yaml(**kwargs: Any) -> st.SearchStrategy[str]:
    return replication_controllers(**kwargs).map(to_yaml)


def stateful_set_yaml(**kwargs: Any) -> st.SearchStrategy[str]:
    return stateful_sets(**kwargs).map(to_yaml)


def manifest_set_yaml(**kwargs: Any) -> st.SearchStrategy[str]:
    return manifest_sets(**kwargs).map(to_yaml)


# ------------------------------------------------------------------------------ invalid variants


@dataclass(frozen=True, slots=True)
class Mutation:
    """A change that breaks one validation rule: ``name``, the kinds it applies to, and the field the
    resulting :class:`~model.errors.ManifestError` names (a prefix of ``ManifestError.field``)."""

    name: str
    kinds: tuple[str, ...]
    field: str


_ALL = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet")
_APPS = ("Deployment", "ReplicaSet", "StatefulSet")

#: The mutations :func:`invalid_manifests` applies, with the field each error must name.
MUTATIONS: tuple[Mutation, ...] = (
    Mutation("name-not-dns", _ALL, "metadata.name"),
    Mutation("namespace-not-dns", _ALL, "metadata.namespace"),
    Mutation("negative-replicas", _ALL, "spec.replicas"),
    Mutation("negative-min-ready-seconds", _ALL, "spec.minReadySeconds"),
    Mutation("template-label-key-invalid", _ALL, "spec.template"),
    Mutation("selector-mismatch", _ALL, "spec.template.metadata.labels"),
    Mutation("restart-policy-never", _ALL, "spec.template.spec.restartPolicy"),
    Mutation("no-containers", ("Deployment", "ReplicaSet", "ReplicationController"), "spec.template.spec.containers"),
    Mutation("duplicate-container-name", ("Deployment", "ReplicaSet", "ReplicationController"), "spec.template.spec.containers"),
    Mutation("selector-bad-operator", _APPS, "spec.selector.matchExpressions"),
    Mutation("empty-selector", _APPS, "spec.selector"),
    Mutation("rc-empty-selector", ("ReplicationController",), "spec.selector"),
    Mutation("surge-and-unavailable-zero", ("Deployment",), "spec.strategy.rollingUpdate.maxUnavailable"),
    Mutation("unavailable-over-100-percent", ("Deployment",), "spec.strategy.rollingUpdate.maxUnavailable"),
    Mutation("recreate-with-rolling-update", ("Deployment",), "spec.strategy.rollingUpdate"),
    Mutation("progress-deadline-not-above-min-ready", ("Deployment",), "spec.progressDeadlineSeconds"),
    Mutation("bad-pod-management-policy", ("StatefulSet",), "spec.podManagementPolicy"),
    Mutation("statefulset-max-unavailable-zero", ("StatefulSet",), "spec.updateStrategy.rollingUpdate.maxUnavailable"),
    Mutation("claim-without-access-modes", ("StatefulSet",), "spec.volumeClaimTemplates[0].spec.accessModes"),
)


def _apply(m: Mutation, doc: dict[str, Any], bad: str) -> None:
    """Apply mutation ``m`` to ``doc`` in place; ``bad`` is a drawn invalid name-ish string."""
    spec = doc["spec"]
    template = spec["template"]
    if m.name == "name-not-dns":
        doc["metadata"]["name"] = bad
    elif m.name == "namespace-not-dns":
        doc["metadata"]["namespace"] = bad
    elif m.name == "negative-replicas":
        spec["replicas"] = -1 - len(bad)
    elif m.name == "negative-min-ready-seconds":
        spec["minReadySeconds"] = -1
        spec.pop("progressDeadlineSeconds", None)
    elif m.name == "template-label-key-invalid":
        template["metadata"]["labels"]["bad key " + bad] = "x"
    elif m.name == "selector-mismatch":
        if doc["kind"] == "ReplicationController":
            spec["selector"] = {"app": "no-such-" + str(len(bad))}
            template["metadata"]["labels"].pop("app", None)
        else:
            spec["selector"] = {"matchLabels": {"kubecheck-mismatch": "yes"}}
    elif m.name == "restart-policy-never":
        template["spec"]["restartPolicy"] = "Never"
    elif m.name == "no-containers":
        template["spec"]["containers"] = []
    elif m.name == "duplicate-container-name":
        cs = template["spec"]["containers"]
        cs.append(dict(cs[0]))
    elif m.name == "selector-bad-operator":
        spec["selector"] = {**spec["selector"], "matchExpressions": [{"key": "app", "operator": "Equals", "values": ["x"]}]}
    elif m.name == "empty-selector":
        spec["selector"] = {}
    elif m.name == "rc-empty-selector":
        spec["selector"] = {}
        template["metadata"]["labels"] = {}
    elif m.name == "surge-and-unavailable-zero":
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}
    elif m.name == "unavailable-over-100-percent":
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": f"{101 + len(bad)}%"}}
    elif m.name == "recreate-with-rolling-update":
        spec["strategy"] = {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}
    elif m.name == "progress-deadline-not-above-min-ready":
        spec["minReadySeconds"] = 10
        spec["progressDeadlineSeconds"] = 10
    elif m.name == "bad-pod-management-policy":
        spec["podManagementPolicy"] = "Sometimes"
    elif m.name == "statefulset-max-unavailable-zero":
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}}
    elif m.name == "claim-without-access-modes":
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}]
    else:  # pragma: no cover - MUTATIONS and _apply are kept in step by the tests
        raise ValueError(f"unknown mutation {m.name}")


#: Strings that are neither DNS-1123 labels nor subdomains.
_BAD_NAMES = st.sampled_from(["Web", "web_1", "-web", "web-", "a b", "UPPER", "na/me", "web."])


@st.composite
def invalid_manifests(draw: st.DrawFn, kinds: Sequence[str] = _ALL) -> tuple[dict[str, Any], Mutation]:
    """``(manifest, mutation)``: a valid workload with one :data:`MUTATIONS` entry applied.

    Loading it must give at least one :class:`~model.errors.ManifestError` whose field starts with
    ``mutation.field``.
    """
    kind = draw(st.sampled_from(list(kinds)))
    doc = draw(_WORKLOAD_STRATEGIES[kind]())
    mutation = draw(st.sampled_from([m for m in MUTATIONS if kind in m.kinds]))
    _apply(mutation, doc, draw(_BAD_NAMES))
    return doc, mutation


# ------------------------------------------------------------------------------- fault scripts


def fault_budgets(max_each: int = 2, *, kinds: Sequence[str] | None = None) -> st.SearchStrategy[FaultBudget]:
    """``FaultBudget`` values with ``0..max_each`` of each fault kind (only ``kinds`` if given)."""
    names = [f for f in FaultBudget.__dataclass_fields__ if kinds is None or f in kinds]
    return st.fixed_dictionaries({f: st.integers(0, max_each) for f in names}).map(lambda d: FaultBudget(**d))


def _workload_keys(manifests: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    out = []
    for m in manifests:
        if m.get("kind") in _WORKLOAD_STRATEGIES:
            out.append((m["kind"], m["metadata"]["name"], m["metadata"].get("namespace") or "default"))
    return out


@st.composite
def user_actions(draw: st.DrawFn, manifests: Sequence[Mapping[str, Any]], *, max_actions: int = 3, max_replicas: int = 5) -> list[UserAction]:
    """A list of user actions on the workloads of ``manifests``: scale, set image, and for
    Deployments rollback, pause and resume; rarely a delete.  Empty if there is no workload."""
    keys = _workload_keys(manifests)
    if not keys:
        return []
    out: list[UserAction] = []
    for _ in range(draw(st.integers(0, max_actions))):
        kind, name, ns = draw(st.sampled_from(keys))
        choices = ["scale", "image", "scale", "image", "delete"]
        if kind == "Deployment":
            choices += ["rollback", "pause", "resume"]
        what = draw(st.sampled_from(choices))
        if what == "scale":
            out.append(ScaleWorkload(kind, name, draw(st.integers(0, max_replicas)), ns))
        elif what == "image":
            out.append(SetImage(kind, name, draw(st.sampled_from(["nginx:2", "nginx:3", "busybox:2"])), None, ns))
        elif what == "rollback":
            out.append(RollbackDeployment(name, 0, ns))
        elif what == "pause":
            out.append(PauseDeployment(name, ns))
        elif what == "resume":
            out.append(ResumeDeployment(name, ns))
        else:
            out.append(DeleteObject(kind, name, draw(st.sampled_from(["Background", "Foreground", "Orphan"])), ns))
    return out


@dataclass(frozen=True, slots=True)
class FaultScript:
    """What the environment may do: user actions (each with a count) and a fault budget; the two
    ``Scenario`` fields ``user_actions`` and ``faults``."""

    user_actions: tuple[tuple[UserAction, int], ...]
    faults: FaultBudget


@st.composite
def fault_scripts(draw: st.DrawFn, manifests: Sequence[Mapping[str, Any]], *, max_actions: int = 2, max_faults: int = 1) -> FaultScript:
    """A :class:`FaultScript` for ``manifests``: a few user actions (count 1 or 2) and a fault budget."""
    actions = draw(user_actions(manifests, max_actions=max_actions))
    counted = tuple((a, draw(st.integers(1, 2))) for a in dict.fromkeys(actions))
    return FaultScript(counted, draw(fault_budgets(max_faults)))


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    granularity: str = "reconcile",
    max_faults: int = 1,
    max_actions: int = 2,
    **manifest_kwargs: Any,
) -> Any:
    """A ``model.system.Scenario``: a loaded :func:`manifest_sets` cluster (at least one node) with a
    :func:`fault_scripts` environment.  ``granularity`` defaults to ``"reconcile"`` (cheaper)."""
    from model.manifests import load_text
    from model.system import Scenario

    manifest_kwargs.setdefault("max_nodes", 2)
    docs = draw(manifest_sets(**manifest_kwargs))
    if not any(d["kind"] == "Node" for d in docs):
        docs.append(draw(nodes(name="node-1", ready=True)))
    script = draw(fault_scripts(docs, max_actions=max_actions, max_faults=max_faults))
    cluster = load_text(to_yaml(docs), "<generated>").to_state()
    return Scenario(cluster, script.user_actions, script.faults, granularity=granularity, name="generated")  # type: ignore[arg-type]
