"""JSON export and import of traces: schema ``kubecheck-trace/1`` (documented in docs/traces.md).

A saved trace loads back into the *same* Python objects, so it replays: dataclasses carry their type
(``{"#type": "model.objects.Pod", "name": ..., ...}``), ``FrozenMap`` is ``{"#map": [[k, v], ...]}``,
tuples are JSON arrays, and the rarer containers are tagged (``#list``, ``#dict``, ``#set``, ``#enum``,
``#float`` for non-finite floats).  The output is deterministic: keys sorted, maps in their (sorted)
iteration order, sets and dicts sorted by their encoded text, so the same run gives byte-identical files.

IMPORTANT (security): a trace file names the classes to rebuild, so loading must not import whatever
it names.  :func:`from_json` only resolves ``#type``/``#enum`` names that are registered
(:func:`register_type`, or ``types=`` for one call) or that live under the packages ``model``,
``traces`` and ``kubecheck``; the resolved object must be a dataclass (or an ``Enum``) whose own
``__module__.__qualname__`` is exactly the name in the file.  Anything else is a
:class:`TraceFormatError`.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterable, TypeVar

from traces.trace import Step, Trace

try:
    from kubecheck.core.errors import KubecheckError as _Base
except ImportError:  # pragma: no cover - traces used without the engine
    _Base = Exception  # type: ignore[misc,assignment]

#: The immutable mapping type that ``#map`` stands for: a class that sets ``__trace_map__ = True``
#: (``model.frozen.FrozenMap``) is written as ``#map``, and ``#map`` is read back as that class,
#: resolved by name like every dataclass a trace names, so this package imports nothing of ``model``.
MAP_TYPE = "model.frozen.FrozenMap"


def _map_type() -> Any:
    module, _, name = MAP_TYPE.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):  # pragma: no cover - traces used without the model
        return None
    return cls if getattr(cls, "__trace_map__", False) else None

__all__ = [
    "SCHEMA",
    "SCHEMA_PATH",
    "TraceFormatError",
    "Unserializable",
    "register_type",
    "to_json",
    "from_json",
    "save",
    "load",
    "encode_value",
    "decode_value",
]

SCHEMA = "kubecheck-trace/1"
#: The JSON Schema (draft 2020-12) of the format, shipped beside this module.
SCHEMA_PATH = Path(__file__).with_name("trace.schema.json")
#: Packages whose dataclasses a trace file may name without explicit registration.
TRUSTED_PACKAGES = ("model", "traces", "kubecheck")

#: Engine modules that moved (issue 14): a trace file written before names the old module, which is
#: read as the new one (``kubecheck.ts.Action`` is ``kubecheck.core.ts.Action``).
MOVED_MODULES = {f"kubecheck.{m}": f"kubecheck.core.{m}" for m in ("ts", "properties", "verdict", "errors", "trace")}

T = TypeVar("T", bound=type)
_REGISTRY: dict[str, type] = {}


class TraceFormatError(_Base, ValueError):
    """A trace cannot be written (unserialisable value) or read (wrong schema, untrusted type...)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Unserializable:
    """What ``lossy=True`` writes for a value it cannot encode: its ``repr`` (never replays)."""

    text: str


def type_name(cls: type) -> str:
    """``module.QualName``: the name a trace file uses for ``cls``."""
    return f"{cls.__module__}.{cls.__qualname__}"


def register_type(cls: T) -> T:
    """Allow ``cls`` (a dataclass or Enum outside the trusted packages) in trace files; usable as decorator."""
    if not (dataclasses.is_dataclass(cls) or (isinstance(cls, type) and issubclass(cls, enum.Enum))):
        raise TypeError(f"register_type() takes a dataclass or Enum class, got {cls!r}")
    _REGISTRY[type_name(cls)] = cls
    return cls


# ----------------------------------------------------------------------- encoding


def _fields(obj: Any) -> list[dataclasses.Field[Any]]:
    """Fields that make up the value: init fields, minus ``compare=False`` caches that have a default."""
    out = []
    for f in dataclasses.fields(obj):
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if not f.init or (not f.compare and has_default):
            continue
        out.append(f)
    return out


def _sort_key(encoded: Any) -> str:
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"))


def encode_value(value: Any, *, lossy: bool = False, path: str = "$") -> Any:
    """The JSON form of one value (see the module docstring); raises :class:`TraceFormatError` on the unknown."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return {"#enum": type_name(type(value)), "name": value.name}
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else {"#float": repr(value)}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return [encode_value(v, lossy=lossy, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, list):
        return {"#list": [encode_value(v, lossy=lossy, path=f"{path}[{i}]") for i, v in enumerate(value)]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"#type": type_name(type(value))}
        for f in _fields(value):
            out[f.name] = encode_value(getattr(value, f.name), lossy=lossy, path=f"{path}.{f.name}")
        return out
    if getattr(type(value), "__trace_map__", False):
        return {"#map": [_pair(k, v, lossy, path) for k, v in value.items()]}
    if isinstance(value, dict):
        return {"#dict": sorted((_pair(k, v, lossy, path) for k, v in value.items()), key=_sort_key)}
    if isinstance(value, (frozenset, set)):
        return {"#set": sorted((encode_value(v, lossy=lossy, path=f"{path}{{}}") for v in value), key=_sort_key)}
    if lossy:
        return {"#repr": repr(value)}
    raise TraceFormatError(
        f"cannot serialise {type(value).__module__}.{type(value).__qualname__} at {path}: trace files hold "
        "None, bool, int, float, str, tuples, lists, dicts, sets, FrozenMap, Enums and dataclasses; "
        "make the state a frozen dataclass, or save with lossy=True (the file then does not replay)"
    )


def _pair(k: Any, v: Any, lossy: bool, path: str) -> list[Any]:
    return [encode_value(k, lossy=lossy, path=f"{path}<key>"), encode_value(v, lossy=lossy, path=f"{path}[{k!r}]")]


def _step_json(step: Step, lossy: bool, where: str) -> dict[str, Any]:
    return {
        "actor": step.actor,
        "label": step.label,
        "action_index": step.action_index,
        "action": encode_value(step.action, lossy=lossy, path=f"{where}.action"),
        "state": encode_value(step.state, lossy=lossy, path=f"{where}.state"),
    }


def to_document(trace: Trace, *, lossy: bool = False) -> dict[str, Any]:
    """The trace as a JSON-ready dict (schema ``kubecheck-trace/1``)."""
    loop_step = getattr(trace, "loop_step", None)
    return {
        "schema": SCHEMA,
        "property": {"id": trace.property_id, "name": trace.property_name},
        "engine": trace.engine,
        "bounds": [[str(k), encode_value(v, lossy=lossy, path=f"bounds.{k}")] for k, v in trace.bounds],
        "init_index": trace.init_index,
        "loop_start": trace.loop_start,
        "action_path": list(trace.action_path()),
        "initial": encode_value(trace.initial, lossy=lossy, path="initial"),
        "steps": [_step_json(s, lossy, f"steps[{i}]") for i, s in enumerate(trace.steps)],
        "loop_step": None if loop_step is None else _step_json(loop_step, lossy, "loop_step"),
    }


def to_json(trace: Trace, *, lossy: bool = False) -> str:
    """The trace as deterministic JSON text (sorted keys, two-space indent, ASCII, final newline)."""
    return json.dumps(to_document(trace, lossy=lossy), sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False) + "\n"


def save(trace: Trace, path: str | Path, *, lossy: bool = False) -> Path:
    """Write :func:`to_json` to ``path`` (UTF-8, ``\\n`` line ends); return the path."""
    p = Path(path)
    p.write_bytes(to_json(trace, lossy=lossy).encode("utf-8"))
    return p


# ----------------------------------------------------------------------- decoding


def _resolve(name: Any, extra: Mapping[str, type]) -> type:
    if not isinstance(name, str):
        raise TraceFormatError(f"a type name must be a string, got {name!r}")
    if name in extra:
        return extra[name]
    if name in _REGISTRY:
        return _REGISTRY[name]
    module, _, rest = name.rpartition(".")
    if module in MOVED_MODULES:
        name = f"{MOVED_MODULES[module]}.{rest}"
    parts = name.split(".")
    if parts[0] not in TRUSTED_PACKAGES or any(not p.isidentifier() or p.startswith("__") for p in parts):
        raise TraceFormatError(
            f"the trace names type {name!r}, which is outside the trusted packages {TRUSTED_PACKAGES}; "
            "register it with traces.register_type(cls) or pass types=[cls] to load it"
        )
    for k in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:k])
        try:
            obj: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        try:
            for attr in parts[k:]:
                obj = getattr(obj, attr)
        except AttributeError:
            continue
        ok_kind = dataclasses.is_dataclass(obj) or (isinstance(obj, type) and issubclass(obj, enum.Enum))
        if isinstance(obj, type) and ok_kind and type_name(obj) == name:
            return obj
        break
    raise TraceFormatError(f"the trace names type {name!r}, which is not a dataclass or Enum that can be found")


def decode_value(data: Any, *, types: Mapping[str, type] | None = None) -> Any:
    """The inverse of :func:`encode_value`."""
    extra = types or {}
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return tuple(decode_value(v, types=extra) for v in data)
    if not isinstance(data, dict):
        raise TraceFormatError(f"unexpected JSON value {data!r}")
    if "#type" in data:
        cls = _resolve(data["#type"], extra)
        if not dataclasses.is_dataclass(cls):
            raise TraceFormatError(f"{data['#type']!r} is not a dataclass")
        kwargs = {k: decode_value(v, types=extra) for k, v in data.items() if k != "#type"}
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise TraceFormatError(f"cannot rebuild {data['#type']}: {exc} (was the file written by another version?)") from exc
    if len(data) == 1:
        (tag, body), = data.items()
        frozen = _map_type() if tag == "#map" else None
        if frozen is not None:
            return frozen(_pairs(body, extra))
        if tag in ("#map", "#dict"):
            return dict(_pairs(body, extra))
        if tag == "#list":
            return [decode_value(v, types=extra) for v in _array(body)]
        if tag == "#set":
            return frozenset(decode_value(v, types=extra) for v in _array(body))
        if tag == "#float":
            return float(body)
        if tag == "#repr":
            return Unserializable(str(body))
    if set(data) == {"#enum", "name"}:
        cls = _resolve(data["#enum"], extra)
        return cls[data["name"]]  # type: ignore[index]
    raise TraceFormatError(f"unknown JSON object in a trace: keys {sorted(data)}")


def _array(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise TraceFormatError(f"expected a JSON array, got {body!r}")
    return body


def _pairs(body: Any, extra: Mapping[str, type]) -> list[tuple[Any, Any]]:
    out = []
    for pair in _array(body):
        if not isinstance(pair, list) or len(pair) != 2:
            raise TraceFormatError(f"a map entry must be a [key, value] pair, got {pair!r}")
        out.append((decode_value(pair[0], types=extra), decode_value(pair[1], types=extra)))
    return out


def _step(data: Any, extra: Mapping[str, type], where: str) -> Step:
    if not isinstance(data, dict):
        raise TraceFormatError(f"{where} must be an object")
    try:
        return Step(
            str(data["actor"]),
            str(data["label"]),
            int(data["action_index"]),
            decode_value(data["state"], types=extra),
            decode_value(data.get("action"), types=extra),
        )
    except KeyError as exc:
        raise TraceFormatError(f"{where} lacks the field {exc.args[0]!r}") from exc


def from_document(doc: Any, *, system: Any = None, types: Iterable[type] = ()) -> Trace:
    """Rebuild a trace from :func:`to_document`'s dict; with ``system``, replay it before returning it."""
    if not isinstance(doc, dict):
        raise TraceFormatError("a kubecheck trace file holds one JSON object")
    schema = doc.get("schema")
    if schema != SCHEMA:
        raise TraceFormatError(
            f"unsupported trace schema {schema!r}; this kubecheck reads {SCHEMA!r}"
            + (" (an ITF file? those are exports only)" if "vars" in doc else "")
        )
    extra = {type_name(t): t for t in types}
    try:
        prop = doc.get("property") or {}
        trace = Trace(
            decode_value(doc["initial"], types=extra),
            tuple(_step(s, extra, f"steps[{i}]") for i, s in enumerate(doc["steps"])),
            prop.get("id"),
            prop.get("name"),
            doc.get("loop_start"),
            str(doc.get("engine", "")),
            tuple((str(k), decode_value(v, types=extra)) for k, v in doc.get("bounds", [])),
            int(doc.get("init_index", 0)),
            None if doc.get("loop_step") is None else _step(doc["loop_step"], extra, "loop_step"),
        )
    except KeyError as exc:
        raise TraceFormatError(f"the trace file lacks the field {exc.args[0]!r}") from exc
    if system is not None:
        from traces.replay import replay

        trace = replay(system, trace)
    return trace


def from_json(text: str | bytes, *, system: Any = None, types: Iterable[type] = ()) -> Trace:
    """Parse :func:`to_json` output.  With ``system`` the trace is replayed (and so checked) first.

    ``types`` lists extra dataclasses (outside ``model``/``traces``/``kubecheck``) the file may name.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(f"not a JSON trace: {exc}") from exc
    return from_document(doc, system=system, types=types)


def load(path: str | Path, *, system: Any = None, types: Iterable[type] = ()) -> Trace:
    """Read a trace file; with ``system`` it is replayed before it is trusted (see :func:`from_json`)."""
    return from_json(Path(path).read_bytes(), system=system, types=types)
