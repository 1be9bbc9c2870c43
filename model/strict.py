"""Unknown fields anywhere in a manifest, as ``kubectl apply``'s default strict field validation refuses them.

``kubectl apply`` validates strictly by default (``--validate=strict``: the API server's field validation
``Strict``, k8s.io/apimachinery pkg/runtime/serializer/json strict decoding): a field the object's type
does not have is an error, ``strict decoding error: unknown field "spec.template.spec.containers[0].
securityContext.allowPrivilegedEscalation"``, and the object is not created. ``model.validation.decode``
knows only the fields kubecheck reads, so its *open* objects (the pod spec, containers, Service and PVC
specs) let any other field through; this module knows every field of every API type the loader reads
(``model/k8s_fields.json``, generated from the official client's models of Kubernetes 1.37 by
docs/k8s-fields/generate.py) and names the unknown ones.

Field names only: the types of the fields kubecheck reads are ``decode``'s, the others are not checked
(a wrong type in a field the model never reads is left to the API server). ``object``-typed fields
(IntOrString, RawExtension, ``x-kubernetes-preserve-unknown-fields``) are not walked.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from model.validation import FieldError

__all__ = ["unknown_fields"]

_TABLE: Final = Path(__file__).with_name("k8s_fields.json")
_LIST: Final = re.compile(r"List\[(.+)\]")
_DICT: Final = re.compile(r"Dict\[str, (.+)\]")


@cache
def _load() -> tuple[Mapping[str, str], Mapping[str, Mapping[str, str]]]:
    doc = json.loads(_TABLE.read_text(encoding="utf-8"))
    return doc["roots"], doc["types"]


def unknown_fields(api_version: str, kind: str, obj: Mapping[str, Any]) -> list[FieldError]:
    """Every field of ``obj`` (a ``kind`` written as ``api_version``) that its API type does not have, as an
    ``unknown field`` error at its path; [] for a kind the table does not cover."""
    roots, types = _load()
    root = roots.get(f"{api_version} {kind}")
    if root is None:
        return []
    out: list[FieldError] = []
    _walk(obj, root, "", types, out)
    return out


def _walk(value: Any, type_name: str, path: str, types: Mapping[str, Mapping[str, str]], out: list[FieldError]) -> None:
    if (m := _LIST.fullmatch(type_name)) is not None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                _walk(item, m.group(1), f"{path}[{i}]", types, out)
        return
    if (m := _DICT.fullmatch(type_name)) is not None:
        if isinstance(value, dict):
            for key, item in value.items():
                _walk(item, m.group(1), f"{path}[{key}]", types, out)
        return
    fields = types.get(type_name)
    if fields is None or not isinstance(value, dict):
        return  # a scalar, an object-typed field, or a wrong type (decode's or the API server's error)
    for key, item in value.items():
        child = f"{path}.{key}" if path else str(key)
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1, cutoff=0.8)
            out.append(FieldError(child, "unknown field" + (f" (did you mean {close[0]}?)" if close else "")))
        else:
            _walk(item, fields[key], child, types, out)
