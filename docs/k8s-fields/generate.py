"""Generate model/k8s_fields.json: every field name of the Kubernetes API types the loader reads, per type.

    pip download --no-deps kubernetes==28.1.0 ... kubernetes==37.0.3   # one client per modelled release
    python docs/k8s-fields/generate.py kubernetes-*.whl > model/k8s_fields.json

Source: the official Python client (PyPI ``kubernetes``, generated from the Kubernetes OpenAPI document of its
release: client N = Kubernetes 1.N), one wheel per Kubernetes version kubecheck models (1.28 .. 1.37). Its model
classes are read, never imported (no dependency of kubecheck's): each ``kubernetes/client/models/<type>.py``
holds ``openapi_types`` (Python attribute -> type) and ``attribute_map`` (Python attribute -> JSON field name) as
dict literals, parsed with ``ast``. The table is the **union** over the wheels (a field any modelled release
knows is known: alpha fields come and go, e.g. PodSpec ``workloadRef`` in 1.35 only), the newest wheel's type
winning for a field several know. Only the types reachable from the top-level kinds kubecheck loads are kept.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import zipfile

#: (apiVersion, kind) the loader reads -> the client's model class of that version
ROOTS = {
    "apps/v1 Deployment": "V1Deployment",
    "apps/v1 ReplicaSet": "V1ReplicaSet",
    "apps/v1 StatefulSet": "V1StatefulSet",
    "apps/v1 DaemonSet": "V1DaemonSet",
    "v1 ReplicationController": "V1ReplicationController",
    "v1 Pod": "V1Pod",
    "v1 Service": "V1Service",
    "v1 Node": "V1Node",
    "v1 PersistentVolumeClaim": "V1PersistentVolumeClaim",
    "policy/v1 PodDisruptionBudget": "V1PodDisruptionBudget",
    "autoscaling/v2 HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler",
    "autoscaling/v1 HorizontalPodAutoscaler": "V1HorizontalPodAutoscaler",
}


def _dict_literal(node: ast.AST) -> dict[str, str]:
    assert isinstance(node, ast.Dict)
    return {ast.literal_eval(k): ast.literal_eval(v) for k, v in zip(node.keys, node.values)}  # type: ignore[arg-type]


def read_models(wheel: str) -> dict[str, dict[str, str]]:
    """Class name -> {JSON field name: the client's type string}."""
    out: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if not re.fullmatch(r"kubernetes/client/models/\w+\.py", name) or name.endswith("__init__.py"):
                continue
            tree = ast.parse(z.read(name))
            for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
                found: dict[str, dict[str, str]] = {}
                for stmt in cls.body:
                    target = stmt.target if isinstance(stmt, ast.AnnAssign) else (stmt.targets[0] if isinstance(stmt, ast.Assign) else None)
                    if isinstance(target, ast.Name) and target.id in ("openapi_types", "attribute_map") and stmt.value is not None:  # type: ignore[union-attr]
                        found[target.id] = _dict_literal(stmt.value)  # type: ignore[union-attr]
                if len(found) == 2:
                    out[cls.name] = {found["attribute_map"][a]: _normal(t) for a, t in found["openapi_types"].items()}
    return out


def _normal(type_string: str) -> str:
    """One spelling for the clients' type strings: ``list[X]`` (older clients) is ``List[X]``, ``dict(str, X)``
    and ``dict[str, X]`` are ``Dict[str, X]``."""
    t = re.sub(r"\blist\[", "List[", type_string)
    t = re.sub(r"\bdict\(str, (.+)\)", r"Dict[str, \1]", t)
    return re.sub(r"\bdict\[", "Dict[", t)


def _referenced(type_string: str) -> list[str]:
    """The model classes a type string names (``List[V1Container]``, ``CoreV1ResourceClaim``, ...)."""
    return [t for t in re.findall(r"\b([A-Z]\w*)\b", type_string) if t not in ("List", "Dict")]


def _version(wheel: str) -> tuple[int, ...]:
    m = re.search(r"kubernetes-([\d.]+)-", wheel)
    return tuple(int(x) for x in m.group(1).split(".")) if m else ()


def main(wheels: list[str]) -> None:
    wheels = sorted(wheels, key=_version)
    seen: dict[str, dict[str, list[str]]] = {}
    for wheel in wheels:  # newest type first in each field's alternatives
        for name, fields in read_models(wheel).items():
            for field, type_string in fields.items():
                alternatives = seen.setdefault(name, {}).setdefault(field, [])
                if type_string not in alternatives:
                    alternatives.insert(0, type_string)
    # a field whose type changed between releases (PVC resources: V1ResourceRequirements in 1.28, then
    # V1VolumeResourceRequirements) keeps every type, newest first, as "A|B": model.strict accepts a key any of them has
    models = {name: {f: "|".join(ts) for f, ts in fields.items()} for name, fields in seen.items()}
    keep: dict[str, dict[str, str]] = {}
    todo = list(ROOTS.values())
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = models[name]
        todo.extend(t for ts in models[name].values() for t in _referenced(ts) if t in models)
    versions = ", ".join(".".join(map(str, _version(w))) for w in wheels)
    doc = {"source": f"kubernetes {versions} (PyPI), kubernetes/client/models, union; docs/k8s-fields/generate.py",
           "roots": ROOTS, "types": {k: keep[k] for k in sorted(keep)}}
    json.dump(doc, sys.stdout, indent=0, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
