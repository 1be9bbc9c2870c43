"""A 64-bit hash of model values that is the same in every process (``KubeSystem.stable_hash``).

Python's ``hash()`` cannot say which worker of a distributed search owns a state: ``hash(str)`` is
salted per process, and on Python 3.11 ``hash(None)`` is an address.  The engine's fallback is a
fingerprint (BLAKE2b over a canonical encoding of the whole state, with a bounded identity memo),
which re-encodes every object its memo has forgotten.  This hash is computed once per object and
kept with it, in the same style as the cached ``hash()`` (``model.objects._CachedHash``):

* an API object (every :class:`~model.objects._CachedHash` class) keeps it in its ``_sh`` slot, an
  object table (:class:`~model.frozen.FrozenMap`) in its ``_sh`` slot, a :class:`ClusterState` in its
  index cache; all of them are frozen and hash-consed by the system (``KubeSystem._intern``), so a
  successor hashes only the objects its step made, and the tables and the cluster around them;
* strings are hashed by BLAKE2b once per system (a bounded memo; the model's strings are few);
* ints, floats and bools by Python's own ``hash()``, which is not salted (and is equal for ``1``,
  ``1.0`` and ``True``, as ``==`` is);
* other values (small dataclasses without a slot, tuples, frozensets, enums) are hashed from their
  parts each time, or through a bounded identity memo for the dataclasses.

Equal values get equal hashes (dataclasses by their compared fields and class, mappings and sets
order-independently as sums of their items' mixed hashes), whatever process computed them; the
converse is not needed (the hash only routes: a collision puts two states on one worker).  Pure
speed: no model result depends on it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Mapping
from typing import Any, Callable

from model.frozen import FrozenMap
from model.state import ClusterState

__all__ = ["StableHash"]

_M = (1 << 64) - 1
_P = 0x100000001B3  # FNV-1a's 64-bit prime: the step of the ordered combination
_NONE = 0x9E3779B97F4A7C15
#: strings remembered per system before the memo is emptied (a constant of the memory)
STR_CAP = 1 << 16
#: slot-less dataclass instances remembered by identity before the memo is emptied
MEMO_CAP = 1 << 12


def _fmix(h: int) -> int:
    """SplitMix64's finaliser: every bit of the result depends on every bit of ``h`` (the owner is
    ``hash % workers``: its low bits must be mixed)."""
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _M
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _M
    return h ^ (h >> 31)


def _number(x: Any) -> int:
    """An int, bool or float: Python's own hash (not salted; equal for ``1``, ``1.0`` and ``True``; and
    ``hash(hash(x)) == hash(x)``, so a compiled field may put an int itself in the tuple it hashes)."""
    return hash(x)


def _str64(s: str | bytes) -> int:
    data = s.encode("utf-8", "surrogatepass") if isinstance(s, str) else b"b" + s
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


class StableHash:
    """``value -> int`` (64 bits), the same in every process for equal values (see the module doc).
    One per system: its memos are bounded."""

    __slots__ = ("_strs", "_memo", "_kinds")

    def __init__(self) -> None:
        self._strs: dict[Any, int] = {}
        self._memo: dict[int, tuple[Any, int]] = {}
        #: type -> the function hashing its instances
        self._kinds: dict[type, Callable[[Any], int]] = {
            str: self._str, bytes: self._str, int: _number, bool: _number, float: _number, type(None): lambda v: _NONE,
            tuple: self._tuple, list: self._seq, frozenset: self._set, set: self._set,
            FrozenMap: self._frozen_map,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (StableHash, ())  # its memos are per process (a system pickled to a worker starts empty)

    def __call__(self, value: Any) -> int:
        return _fmix(self.value(value))

    def value(self, v: Any) -> int:
        f = self._kinds.get(type(v))
        if f is None:
            f = self._kind(type(v))
        return f(v)

    # ------------------------------------------------------------------ kinds
    def _str(self, s: Any) -> int:
        h = self._strs.get(s)
        if h is None:
            strs = self._strs
            if len(strs) >= STR_CAP:
                strs.clear()
            h = strs[s] = _str64(s)
        return h

    def _seq(self, v: Any) -> int:
        h, value = len(v), self.value
        for x in v:
            h = ((h ^ value(x)) * _P) & _M
        return h

    def _tuple(self, v: tuple[Any, ...]) -> int:
        """A tuple by identity too (a state's successors share its tuples: the user budget, the
        pending writes)."""
        if not v:
            return 0
        memo = self._memo
        hit = memo.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        h = self._seq(v)
        if len(memo) >= MEMO_CAP:
            memo.clear()
        memo[id(v)] = (v, h)
        return h

    def _set(self, v: Any) -> int:
        value = self.value
        return (0x5E7 + sum([_fmix(value(x)) for x in v])) & _M

    def _mapping(self, v: Any) -> int:
        value = self.value
        return (0x3A9 + sum([_fmix((value(k) * _P) ^ value(x)) for k, x in v.items()])) & _M

    def _frozen_map(self, v: FrozenMap[Any, Any]) -> int:
        try:
            return v._sh  # type: ignore[attr-defined]
        except AttributeError:
            h = self._mapping(v)
            object.__setattr__(v, "_sh", h)
            return h

    def _compile(self, t: type, names: tuple[str, ...], cache: str) -> Callable[[Any], int]:
        """Straight-line code hashing a dataclass's compared fields (a ``str``, ``int``, ``None`` or
        table field inline, anything else through :meth:`value`), kept in the object as ``cache``
        says: ``"slot"`` (its ``_sh`` slot), ``"dict"`` (the index cache of a ClusterState) or
        ``"memo"`` (a bounded identity memo: a small value shared by a state's successors)."""
        seed = _str64(f"{t.__module__}.{t.__qualname__}")
        lines = ["def f(v):"]
        if cache == "slot":
            lines += ["    try:", "        return v._sh", "    except AttributeError:", "        pass"]
        elif cache == "dict":
            lines += ["    c = v._cache", "    h = c.get('sh')", "    if h is not None:", "        return h"]
        else:
            lines += ["    hit = memo.get(id(v))", "    if hit is not None and hit[0] is v:", "        return hit[1]"]
        ys = []
        for i, name in enumerate(names):
            y = f"y{i}"
            ys.append(y)
            lines += [
                f"    x = v.{name}",
                "    t = type(x)",
                "    if t is str:",
                f"        {y} = strs.get(x)",
                f"        if {y} is None:",
                f"            {y} = string(x)",
                "    elif t is int or t is bool:",
                f"        {y} = x",
                "    elif x is None:",
                f"        {y} = NONE",
                "    elif t is FrozenMap:",
                "        try:",
                f"            {y} = x._sh",
                "        except AttributeError:",
                f"            {y} = value(x)",
                "    else:",
                f"        {y} = value(x)",
            ]
        # one C call over the fields' stable ints (hash() of a tuple of ints is not salted)
        lines.append(f"    h = hash(({seed}, {', '.join(ys)}{',' if len(ys) == 0 else ''}))")
        if cache == "slot":
            lines.append("    setattr_(v, '_sh', h)")
        elif cache == "dict":
            lines.append("    c['sh'] = h")
        else:
            lines += ["    if len(memo) >= CAP:", "        memo.clear()", "    memo[id(v)] = (v, h)"]
        lines.append("    return h")
        ns: dict[str, Any] = {"strs": self._strs, "string": self._str, "value": self.value, "memo": self._memo, "M": _M, "P": _P,
                              "NONE": _NONE, "FrozenMap": FrozenMap, "setattr_": object.__setattr__, "CAP": MEMO_CAP}
        exec("\n".join(lines), ns)  # noqa: S102 - generated from the class's own field names
        return ns["f"]

    def _kind(self, t: type) -> Callable[[Any], int]:
        """The function for a type met for the first time."""
        f: Callable[[Any], int]
        if dataclasses.is_dataclass(t):
            names = tuple(x.name for x in dataclasses.fields(t) if x.compare)
            if t is ClusterState:
                f = self._compile(t, names, "dict")
            elif any("_sh" in getattr(b, "__slots__", ()) for b in t.__mro__):
                f = self._compile(t, names, "slot")  # model.objects._CachedHash
            else:
                f = self._compile(t, names, "memo")
        elif issubclass(t, enum.Enum) and getattr(t, "_member_type_", object) is object:
            seed = _str64(f"{t.__module__}.{t.__qualname__}")

            def f(v: Any) -> int:  # a pure Enum: equal only to itself
                return seed ^ self._str(v.name)
        elif issubclass(t, bool) or issubclass(t, int) or issubclass(t, float):
            f = _number  # IntEnum and the like: equal to (and hashed as) their number
        elif issubclass(t, str):
            f = lambda v: self._str(str.__str__(v))  # noqa: E731 - a str subclass: equal to its str
        elif issubclass(t, bytes):
            f = lambda v: self._str(bytes(v))  # noqa: E731
        elif issubclass(t, Mapping):
            f = self._mapping
        elif issubclass(t, (tuple, list)):
            f = self._seq
        elif issubclass(t, (frozenset, set)):
            f = self._set
        else:
            raise TypeError(f"stable_hash: no stable hash for a value of type {t.__module__}.{t.__qualname__}")
        self._kinds[t] = f
        return f

