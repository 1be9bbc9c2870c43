"""Immutable, hashable mapping used everywhere a Kubernetes object has a map.

Labels, annotations, selectors' matchLabels and ClusterState's object tables are all
``FrozenMap``s: iteration is in sorted key order (so every walk over a state is
deterministic), equality is dict equality, and the hash is computed once and cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["FrozenMap", "EMPTY"]


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """A sorted, immutable mapping with a cached hash.

    >>> m = FrozenMap({"b": "2", "a": "1"})
    >>> list(m)
    ['a', 'b']
    >>> m.set("c", "3") == FrozenMap(a="1", b="2", c="3")
    True
    >>> hash(m) == hash(FrozenMap(a="1", b="2"))
    True
    """

    __slots__ = ("_d", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = (), **kw: V) -> None:
        d = dict(items)
        if kw:
            d.update(kw)  # type: ignore[arg-type]
        try:
            keys = sorted(d)  # type: ignore[type-var]
        except TypeError:
            keys = sorted(d, key=repr)
        self._d: dict[K, V] = {k: d[k] for k in keys}
        self._hash: int | None = None

    # Mapping protocol -------------------------------------------------------
    def __getitem__(self, key: K) -> V:
        return self._d[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def get(self, key: K, default: Any = None) -> Any:  # type: ignore[override]
        return self._d.get(key, default)

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = hash(tuple(self._d.items()))
            self._hash = h
        return h

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, FrozenMap):
            if self._hash is not None and other._hash is not None and self._hash != other._hash:
                return False
            return self._d == other._d
        if isinstance(other, Mapping):
            return self._d == dict(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (tuple(self._d.items()),))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("_d", "_hash") and (name == "_hash" or not hasattr(self, "_d")):
            object.__setattr__(self, name, value)
            return
        raise AttributeError("FrozenMap is immutable")

    # Functional updates -----------------------------------------------------
    def set(self, key: K, value: V) -> "FrozenMap[K, V]":
        """Return a copy with ``key`` bound to ``value``."""
        if key in self._d and self._d[key] == value:
            return self
        d = dict(self._d)
        d[key] = value
        return FrozenMap(d)

    def remove(self, key: K) -> "FrozenMap[K, V]":
        """Return a copy without ``key`` (unchanged if absent)."""
        if key not in self._d:
            return self
        d = dict(self._d)
        del d[key]
        return FrozenMap(d)

    def update(self, other: Mapping[K, V]) -> "FrozenMap[K, V]":
        """Return a copy with every binding of ``other`` added."""
        if not other:
            return self
        d = dict(self._d)
        d.update(other)
        return FrozenMap(d)

    def to_dict(self) -> dict[K, V]:
        return dict(self._d)


EMPTY: FrozenMap[Any, Any] = FrozenMap()
