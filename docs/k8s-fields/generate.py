"""Generate model/k8s_fields.json: every field name of the Kubernetes API types the loader reads, per type.

    python docs/k8s-fields/generate.py kubernetes-37.0.3-py2.py3-none-any.whl > model/k8s_fields.json

Source: the official Python client (PyPI ``kubernetes``, generated from the Kubernetes OpenAPI document of its
release: client 37 = Kubernetes 1.37, the newest version kubecheck models). Its model classes are read, never
imported (no dependency of kubecheck's): each ``kubernetes/client/models/<type>.py`` holds ``openapi_types``
(Python attribute -> type) and ``attribute_map`` (Python attribute -> JSON field name) as dict literals, parsed
with ``ast``. Only the types reachable from the top-level kinds kubecheck loads are kept.
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
            if not re.fullmatch(r"kubernetes/client/models/v\w+\.py", name):
                continue
            tree = ast.parse(z.read(name))
            for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
                found: dict[str, dict[str, str]] = {}
                for stmt in cls.body:
                    target = stmt.target if isinstance(stmt, ast.AnnAssign) else (stmt.targets[0] if isinstance(stmt, ast.Assign) else None)
                    if isinstance(target, ast.Name) and target.id in ("openapi_types", "attribute_map") and stmt.value is not None:  # type: ignore[union-attr]
                        found[target.id] = _dict_literal(stmt.value)  # type: ignore[union-attr]
                if len(found) == 2:
                    out[cls.name] = {found["attribute_map"][a]: t for a, t in found["openapi_types"].items()}
    return out


def _referenced(type_string: str) -> list[str]:
    return re.findall(r"\b(V\d\w*)\b", type_string)


def main(wheel: str) -> None:
    models = read_models(wheel)
    keep: dict[str, dict[str, str]] = {}
    todo = list(ROOTS.values())
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep[name] = models[name]
        todo.extend(t for ts in models[name].values() for t in _referenced(ts) if t in models)
    source = re.search(r"kubernetes-([\d.]+)-", wheel)
    doc = {"source": f"kubernetes {source.group(1) if source else '?'} (PyPI), kubernetes/client/models; docs/k8s-fields/generate.py",
           "roots": ROOTS, "types": {k: keep[k] for k in sorted(keep)}}
    json.dump(doc, sys.stdout, indent=0, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
