"""ITF export: the Informal Trace Format of Apalache and Quint (apalache-mc/apalache ADR-015).

``{"#meta": {...}, "vars": [...], "states": [{"#meta": {"index": i, ...}, var: value, ...}], "loop": k}``.
ITF is an *export* for other tools (the ITF trace viewer, itf-py, itf-rs); kubecheck reads back its own
JSON format (:mod:`traces.serialize`), because ITF drops the Python types needed to replay.

Encoding (docs/semantics.md#traces lists what is lost and why that is fine for an export):

* ``int`` → ``{"#bigint": "<digits>"}`` (plain JSON numbers are not allowed since the 2023-09-14 rev.);
  ``bool`` and ``str`` as JSON;
* ``tuple`` → ``{"#tup": [...]}`` (hashable, so tuple map keys such as ``(namespace, name)`` survive);
  ``list`` → JSON array;
* ``FrozenMap``/``dict`` → ``{"#map": [[k, v], ...]}``; ``frozenset``/``set`` → ``{"#set": [...]}``;
* a dataclass → a record (a JSON object of its fields, ``compare=False`` caches left out);
* ``None`` → the variant ``{"tag": "Null", "value": "U_OF_UNIT"}`` (ITF has no null; ``None`` is a
  Python keyword, so itf-py cannot build a variant named ``None``); an ``Enum`` → its name;
* anything else (floats included) → ``{"#unserializable": repr}``.

The variables are the state's dataclass fields (``cluster``, ``budget``... or the ``ClusterState``
tables), or one variable ``state``; every state also carries ``mbt::actionTaken`` (Quint's name for
the action that led to it: ``"init"``, then ``"actor:label"``).
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from traces.trace import Trace

__all__ = ["to_itf", "itf_json", "save_itf", "itf_value", "ACTION_VAR"]

ACTION_VAR = "mbt::actionTaken"
_ADR = "https://apalache-mc.org/docs/adr/015adr-trace.html"


def _fields(obj: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(obj) if f.compare]


def _key(encoded: Any) -> str:
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"))


def itf_value(value: Any) -> Any:
    """One Python value as an ITF expression."""
    if isinstance(value, (bool, str)):
        return value
    if value is None:
        return {"tag": "Null", "value": "U_OF_UNIT"}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, int):
        return {"#bigint": str(int(value))}
    if isinstance(value, tuple):
        return {"#tup": [itf_value(v) for v in value]}
    if isinstance(value, list):
        return [itf_value(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: itf_value(getattr(value, name)) for name in _fields(value)}
    if isinstance(value, Mapping):
        pairs = [[itf_value(k), itf_value(v)] for k, v in value.items()]
        if not hasattr(value, "set"):  # a plain dict: impose an order; FrozenMap is already sorted
            pairs.sort(key=_key)
        return {"#map": pairs}
    if isinstance(value, (frozenset, set)):
        return {"#set": sorted((itf_value(v) for v in value), key=_key)}
    return {"#unserializable": repr(value)}


def _vars(states: tuple[Any, ...]) -> list[str] | None:
    first = states[0]
    if not (dataclasses.is_dataclass(first) and not isinstance(first, type)):
        return None
    if any(type(s) is not type(first) for s in states):
        return None
    names = _fields(first)
    return names if names and ACTION_VAR not in names else None


def to_itf(trace: Trace) -> dict[str, Any]:
    """The trace as an ITF document (a JSON-ready dict)."""
    states = trace.states()
    names = _vars(states)
    actions = ["init", *(f"{s.actor}:{s.label}" for s in trace.steps)]
    out_states = []
    for i, state in enumerate(states):
        meta: dict[str, Any] = {"index": i}
        if i > 0:
            step = trace.steps[i - 1]
            meta.update(actor=step.actor, label=step.label, action_index=step.action_index)
        record: dict[str, Any] = {"#meta": meta, ACTION_VAR: actions[i]}
        if names is None:
            record["state"] = itf_value(state)
        else:
            for name in names:
                record[name] = itf_value(getattr(state, name))
        out_states.append(record)
    doc: dict[str, Any] = {
        "#meta": {
            "format": "ITF",
            "format-description": _ADR,
            "source": "kubecheck",
            "description": (
                f"counterexample to {trace.property_id}: {trace.property_name}"
                if trace.property_id is not None
                else "kubecheck trace"
            ),
            "engine": trace.engine,
            "property_id": trace.property_id,
            "property_name": trace.property_name,
            "bounds": {str(k): str(v) for k, v in trace.bounds},
        },
        "vars": [*(names if names is not None else ["state"]), ACTION_VAR],
        "states": out_states,
    }
    if trace.loop_start is not None:
        doc["loop"] = trace.loop_start
    return doc


def itf_json(trace: Trace) -> str:
    """:func:`to_itf` as deterministic JSON text."""
    return json.dumps(to_itf(trace), sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def save_itf(trace: Trace, path: str | Path) -> Path:
    """Write :func:`itf_json` to ``path`` (conventionally ``*.itf.json``)."""
    p = Path(path)
    p.write_bytes(itf_json(trace).encode("utf-8"))
    return p
