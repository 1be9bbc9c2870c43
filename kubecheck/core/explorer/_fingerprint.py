"""Private module for selective re-export: state fingerprints (hash compaction) for the lean loop.

With ``explore(..., fingerprint=True)`` the visited set stores a 64-bit fingerprint of each state
(of its canonical key, with symmetry) instead of the state, like TLC's ``FP64`` fingerprint set.
Two different states with the same fingerprint are a *collision*: the second is taken for
visited and its successors may go unexplored, so a collision can only hide states (turn a
VIOLATED into HOLDS), never invent one.  The search reports the probability of that
(:func:`kubecheck.core.reductions.collision_probability`).

The fingerprint is 64 bits of BLAKE2b over :func:`encode`, a canonical byte serialisation:

* stable across processes (``hash()`` of ``str`` is salted per process, and ``hash()`` of a tuple
  is a fixed, public, non-uniform function with structural collisions such as
  ``hash(-1) == hash(-2)``), so the same input gives the same fingerprints, counts and traces
  in every run;
* equal states encode equally (``True``/``1``/``1.0`` as one int, a ``FrozenMap`` and a ``dict``
  with the same items alike, set elements and map items sorted by their encoding, dataclass
  fields with ``compare=False`` left out), and unequal states encode differently (every value is
  tagged and length-prefixed), so two states share a fingerprint only through the hash.

The collision estimate assumes BLAKE2b truncated to ``b`` bits behaves like a uniformly random
function on the explored states (the standard assumption for a cryptographic hash).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import math
from collections.abc import Mapping
from typing import Any, Callable

from kubecheck.core.errors import InvalidScenario
from kubecheck.core.reductions import FINGERPRINT_BITS

__all__ = ["encode", "fingerprint_fn"]

#: Entries of the encoder's identity memo before it is emptied (bounds the objects it keeps alive).
MEMO_CAP = 4096

# Per-dataclass header and compared field names (computed once per class).
_DC: dict[type, tuple[bytes, tuple[str, ...]]] = {}
_b2 = hashlib.blake2b


def _dataclass_layout(cls: type) -> tuple[bytes, tuple[str, ...]]:
    lay = _DC.get(cls)
    if lay is None:
        name = f"{cls.__module__}.{cls.__qualname__}".encode()
        names = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
        lay = _DC[cls] = (b"D" + str(len(name)).encode() + b":" + name + str(len(names)).encode() + b":", names)
    return lay


def _int(x: int) -> bytes:
    return b"i%d;" % int(x)


#: First bytes of the encodings that the plain ``int``, ``str`` and ``tuple`` get inline (never as a
#: digest): a value equal to one of them (an int-valued float, a ``str`` subclass, a namedtuple) is
#: encoded through them and must stay inline too, or ``==`` values would encode apart.
_INLINE = frozenset(b"is(")


def _byte_form(state: tuple[Any, ...]) -> bytes | None:
    """The bytes of a state tuple equal to a tuple of ints in 0..255 (its ``b"B"`` shortcut), else None.

    ``bytes()`` takes ints, bools and ``__index__`` types (IntEnum); a float equal to such an int
    (``(1, 2.0) == (1, 2)``, ``-0.0 == 0``) must take the shortcut as well.
    """
    try:
        return bytes(state)
    except (TypeError, ValueError):
        pass
    try:
        return bytes([int(x) if isinstance(x, float) and x.is_integer() else x for x in state])
    except (TypeError, ValueError, OverflowError):
        return None


class Encoder:
    """:func:`encode` with a small identity memo for composite values (dataclass instances, mappings,
    sets).  Successor states share most of their objects with their parent (persistent data), so
    encoding a successor re-encodes only what the step changed.  The memo holds a reference to each
    object it caches (so an ``id`` is never reused while cached) and is emptied when it reaches
    ``cap`` entries, which bounds the memory it keeps alive.
    """

    __slots__ = ("memo", "cap")

    def __init__(self, cap: int = 0) -> None:
        self.memo: dict[int, tuple[Any, bytes]] = {}
        self.cap = cap or MEMO_CAP

    def encode(self, state: Any) -> bytes:
        t = type(state)
        if isinstance(state, tuple):
            small = _byte_form(state)
            if small is not None:
                return b"B" + small
        if t is int or t is bool or t is str or state is None:
            return b"G" + self.one(state)
        # The state itself is not memoised: it is new for every successor, and caching it would keep
        # whole states alive.
        return b"G" + self._composite(state, t)

    def one(self, obj: Any) -> bytes:
        t = type(obj)
        if t is int or t is bool:
            return b"i%d;" % obj
        if obj is None:
            return b"N"
        hit = self.memo.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        if t is str:
            data = obj.encode("utf-8", "surrogatepass")
            data = b"s%d:" % len(data) + data
        elif t is tuple:
            one = self.one
            data = b"(%d:" % len(obj) + b"".join([one(x) for x in obj])
        else:
            data = self._composite(obj, t)
            if len(data) > 40 and data[0] not in _INLINE:
                # A composite stands for its 128-bit digest in its parent's encoding (a Merkle tree):
                # a step re-hashes only the path to what it changed, never the whole state.
                data = b"H" + _b2(data, digest_size=16).digest()
        memo = self.memo
        if len(memo) >= self.cap:
            memo.clear()
        memo[id(obj)] = (obj, data)
        return data

    def _composite(self, obj: Any, t: type) -> bytes:
        one = self.one
        lay = _DC.get(t)
        if lay is not None:  # a dataclass met before
            return lay[0] + b"".join([one(getattr(obj, name)) for name in lay[1]])
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            head, names = _dataclass_layout(t)
            return head + b"".join([one(getattr(obj, name)) for name in names])
        if isinstance(obj, Mapping):
            # Items sorted by their encoding: equal mappings encode equally whatever their order.
            items = sorted([one(k) + one(v) for k, v in obj.items()]) if len(obj) > 1 else [one(k) + one(v) for k, v in obj.items()]
            return b"M%d:" % len(items) + b"".join(items)
        if isinstance(obj, enum.Enum) and getattr(t, "_member_type_", object) is object:
            # a pure Enum (equal only to itself); one mixing in a data type (IntEnum, (str, Enum),
            # (float, Enum)) is equal to its value and is encoded as that value below
            name = f"{t.__module__}.{t.__qualname__}.{obj.name}".encode()
            return b"E%d:" % len(name) + name
        if isinstance(obj, int):  # IntEnum, IntFlag, bool subclasses: equal to their int value
            return _int(obj)
        if isinstance(obj, float):
            if math.isfinite(obj) and obj.is_integer():
                return _int(int(obj))  # 1.0 == 1: one encoding
            return b"f" + float.__repr__(obj).encode() + b";"  # not repr(): a (float, Enum) member's is its name
        if isinstance(obj, str):  # a str subclass (StrEnum...): equal to its str value
            return one(str.__str__(obj))  # not str(): a (str, Enum) member's is "Cls.NAME"
        if isinstance(obj, tuple):  # namedtuple: equal to the plain tuple
            return one(tuple(obj))
        if isinstance(obj, (bytes, bytearray)):
            return b"b%d:" % len(obj) + bytes(obj)
        if isinstance(obj, (frozenset, set)):
            elems = sorted([one(x) for x in obj])
            return b"{%d:" % len(elems) + b"".join(elems)
        if isinstance(obj, list):
            return b"[%d:" % len(obj) + b"".join([one(x) for x in obj])
        raise InvalidScenario(
            f"fingerprint=True cannot serialise a state component of type {t.__module__}.{t.__qualname__} "
            f"deterministically (supported: int, bool, float, str, bytes, None, tuple, list, frozenset/set, "
            f"Mapping such as FrozenMap, Enum, dataclass instances of these); run without fingerprint=True"
        )


def encode(state: Any) -> bytes:
    """The canonical byte serialisation of ``state`` (equal states give equal bytes, see the module doc).

    Tuples of ints in 0..255 (e.g. RS-K states) take a shortcut: ``b"B" + bytes(state)``.
    """
    return Encoder().encode(state)


def fingerprint_fn(bits: int = FINGERPRINT_BITS, cap: int = MEMO_CAP) -> Callable[[Any], int]:
    """``state -> int``: the top ``bits`` bits (1..64) of BLAKE2b-64 over :func:`encode` (one memo per
    returned function)."""
    if not isinstance(bits, int) or isinstance(bits, bool) or not 1 <= bits <= 64:
        raise InvalidScenario(f"fingerprint width must be an int in 1..64, got {bits!r}")
    b2 = hashlib.blake2b
    from_bytes = int.from_bytes
    encode_state = Encoder(cap).encode
    shift = 64 - bits

    def fp(state: Any) -> int:
        if type(state) is tuple:
            try:
                data = b"B" + bytes(state)
            except (TypeError, ValueError):
                data = encode_state(state)  # which also finds (1, 2.0) equal to (1, 2)
        else:
            data = encode_state(state)
        return from_bytes(b2(data, digest_size=8).digest(), "big") >> shift

    return fp
