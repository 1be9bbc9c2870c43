"""Judging a rule once per distinct input it reads (issue #17): the predicate memo of :mod:`properties.rules`.

A rule's ``check`` is a pure, deterministic function of the ``ClusterState`` values it is given (and,
for an action rule, of the action).  A search judges every invariant on every state and every action
rule on every transition, but most of what a rule reads repeats: KC-PROBE-001 reads the pod tables
before and after a step, and the web-deployment rollout (91,513 transitions) has 3,358 distinct pairs
of pod tables.  So each rule's instance keeps a memo, as the controllers' syncs do in
``model.system.KubeSystem._memoised``:

* On a miss the check runs on *tracked* inputs: each cluster is a :class:`_Tracked` copy (a
  ``ClusterState`` subclass whose field reads are recorded, with an empty index cache, so a cached
  index cannot hide a table read) and the action is an :class:`_TrackedAction` that records the
  attributes read.  The set of locations read, ``("c", "pods")``, ``("a", "actor")``, ``("n",
  "nodes")``..., is the call's *shape*; the memo keeps, per shape, the values read -> the result.
* A later call looks each recorded shape up with the values the new inputs hold there (the tables are
  hash-consed and cache their hashes, so this is a tuple hash and identity tests) and returns the
  recorded result on a hit without running the check.

Sound for the reason the controllers' memo is: the check is deterministic and can only see its inputs
through the tracked reads, so on inputs that agree with a recorded call at every location that call
read, it makes the same reads, gets equal values, takes the same branches and returns the same
result.  Only ``True``/``False`` are recorded; a check that raises or returns anything else is run
again every time (the judge reports it as ERROR), and so is a check that read nothing (a constant is
cheap, and a rule that consults something else, its process for instance, is not memoised on nothing).

``KUBECHECK_JUDGE_MEMO=0`` in the environment (read when a rule is instantiated) turns the memo off:
the plain path, the reference.  ``KUBECHECK_DEBUG_JUDGE=1`` runs the plain check on every hit too and
raises :class:`MemoMismatch` (an ERROR verdict naming the rule) on a difference.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from model.state import ClusterState

__all__ = ["JudgeMemo", "MemoMismatch", "memo_enabled", "debug_enabled"]

_NEW = object.__new__
_SET = object.__setattr__
_GET = object.__getattribute__
#: The fields a check can read (every table, the two counters); ``_cache`` is the view's own.
_FIELDS: tuple[str, ...] = tuple(name for name in ClusterState.__dataclass_fields__ if name != "_cache")
_FIELD_SET = frozenset(_FIELDS)
#: Marks an attribute the action does not have (a shape may record a failed ``getattr``).
_ABSENT = object()
#: A miss in a shape's table.
_MISS = object()
#: Shapes kept per rule instance; beyond, a miss runs the plain check (nothing new is learnt).
MAX_SHAPES = 24
#: Entries kept per rule instance (all tables); beyond, the memo starts afresh (never needed for a result).
MAX_ENTRIES = 200_000
#: The window of calls after which a memo that hit fewer than three times per miss turns itself off
#: (the check reads something new on many calls: tracking and looking up then cost more than running it).
PROBATION = 1_000


def memo_enabled() -> bool:
    return os.environ.get("KUBECHECK_JUDGE_MEMO", "") != "0"


def debug_enabled() -> bool:
    return os.environ.get("KUBECHECK_DEBUG_JUDGE", "") not in ("", "0")


class MemoMismatch(Exception):
    """The debug mode found a recorded result that differs from the plain check's."""


class _Tracked(ClusterState):
    """A copy of a ``ClusterState`` that records which of its fields are read (``(side, field)`` in
    ``_log``).  Every method reads the tables through ``self``, so a method call records what it
    reads as well; its index cache starts empty."""

    __slots__ = ("_side", "_log")

    def __getattribute__(self, name: str) -> Any:
        if name in _FIELD_SET:
            _GET(self, "_log").add((_GET(self, "_side"), name))
        return _GET(self, name)


def _compile_view() -> Callable[[ClusterState, str, set[tuple[str, Any]]], _Tracked]:
    """``_view(c, side, log)``: the tracked copy of ``c``, straight-line over the fields."""
    lines = ["def _view(c, side, log, _new=_NEW, _set=_SET, _cls=_Tracked):", "    v = _new(_cls)"]
    lines += [f"    _set(v, {name!r}, c.{name})" for name in _FIELDS]
    lines += ["    _set(v, '_cache', {})", "    _set(v, '_side', side)", "    _set(v, '_log', log)", "    return v"]
    ns: dict[str, Any] = {"_NEW": _NEW, "_SET": _SET, "_Tracked": _Tracked}
    exec("\n".join(lines), ns)  # noqa: S102 - generated from ClusterState's own field names
    return ns["_view"]


_view = _compile_view()


class _TrackedAction:
    """The action as the check sees it on a miss: each attribute read is recorded as ``("a", name)``;
    anything that looks at the action as a whole (``str``, ``==``, ``hash``) records ``("a", None)``.
    ``isinstance`` answers for the real action's class."""

    __slots__ = ("_a", "_log")

    def __init__(self, action: Any, log: set[tuple[str, Any]]) -> None:
        _SET(self, "_a", action)
        _SET(self, "_log", log)

    def __getattr__(self, name: str) -> Any:
        _GET(self, "_log").add(("a", name))
        value = getattr(_GET(self, "_a"), name, _ABSENT)
        if value is _ABSENT:
            raise AttributeError(name)
        return value

    def _whole(self) -> Any:
        _GET(self, "_log").add(("a", None))
        return _GET(self, "_a")

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105 - isinstance(proxy, Action)
        return type(_GET(self, "_a"))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot set {name} on an action")

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __format__(self, spec: str) -> str:
        return format(self._whole(), spec)

    def __eq__(self, other: object) -> bool:
        if type(other) is _TrackedAction:
            other = other._whole()
        return bool(self._whole() == other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._whole())

    def __bool__(self) -> bool:
        return bool(self._whole())


def _getter(shape: tuple[tuple[str, Any], ...], arity: int) -> Callable[..., Any]:
    """``(c, a, n) -> the values at shape`` (``c -> ...`` for arity 1), compiled to one expression."""
    parts = []
    for side, name in shape:
        if side == "a":
            parts.append("a" if name is None else f"_g(a, {name!r}, _A)")
        else:
            parts.append(f"{side}.{name}")
    args = "c" if arity == 1 else "c, a, n"
    ns: dict[str, Any] = {"_g": getattr, "_A": _ABSENT}
    exec(f"def get({args}):\n    return ({', '.join(parts)}{',' if parts else ''})", ns)  # noqa: S102 - field names only
    return ns["get"]


_ORDER = {"c": 0, "a": 1, "n": 2}


def _sorted_shape(log: set[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(log, key=lambda loc: (_ORDER[loc[0]], "" if loc[1] is None else loc[1], loc[1] is None)))


class JudgeMemo:
    """The memo of one rule instance's check (see the module docstring).

    ``state_predicate`` for a state check, ``step_predicate`` for an action check (the engine's
    predicates on system states, the lookup inlined); ``run(...)`` calls the
    check itself with the rule's target (if any) appended.  ``hits``/``misses`` count lookups.

    The memo pays where the check costs more than a lookup and its inputs repeat; where they do not
    (a check that reads a Deployment's status, which most steps change), a miss costs a tracked run
    on top of the lookups.  So it keeps score per window of :data:`PROBATION` calls and turns itself
    off for good (the plain check from then on) after a window (the first one, which fills the memo,
    aside) with fewer than three hits per miss.
    Pure speed: on or off, every call returns the check's value.
    """

    __slots__ = ("run", "name", "shapes", "by_log", "hits", "misses", "entries", "on", "debug", "_next", "_scores")

    def __init__(self, run: Callable[..., Any], name: str, debug: bool = False) -> None:
        self.run = run
        self.name = name
        #: [(getter, {values: result})] in the order the shapes were first seen
        self.shapes: list[tuple[Callable[..., Any], dict[Any, bool]]] = []
        #: the set of locations read -> its entry of ``shapes``
        self.by_log: dict[frozenset[tuple[str, Any]], tuple[Callable[..., Any], dict[Any, bool]]] = {}
        self.hits = 0
        self.misses = 0
        self.entries = 0
        self.on = True
        self.debug = debug
        self._next = PROBATION  # the call count that ends this window
        self._scores = (0, 0)  # hits and misses when it started

    def state_predicate(self, to_cluster: Callable[[Any], ClusterState]) -> Callable[[Any], Any]:
        """The memoised check as the engine's predicate on a system state (``to_cluster`` finds its
        cluster where it is not the ``cluster`` attribute), with the lookup inlined: the hot path."""
        shapes, miss, run, check, memo, absent, cs = self.shapes, self._miss1, self.run, self._check, self, _MISS, ClusterState
        debug = self.debug

        def pred(s: Any) -> Any:
            c = getattr(s, "cluster", s)
            if type(c) is not cs:
                c = to_cluster(s)
            for get, table in shapes:  # emptied in place when the memo turns itself off
                r = table.get(get(c), absent)
                if r is not absent:
                    memo.hits += 1
                    if debug:
                        check(r, run(c))
                    return r
            return miss(c)

        return pred

    def step_predicate(self, to_cluster: Callable[[Any], ClusterState]) -> Callable[[Any, Any, Any], Any]:
        """The memoised check as the engine's predicate on a step of system states (see :meth:`state_predicate`)."""
        shapes, miss, run, check, memo, absent, cs = self.shapes, self._miss3, self.run, self._check, self, _MISS, ClusterState
        debug = self.debug

        def pred(s: Any, a: Any, t: Any) -> Any:
            c = getattr(s, "cluster", s)
            n = getattr(t, "cluster", t)
            if type(c) is not cs:
                c = to_cluster(s)
            if type(n) is not cs:
                n = to_cluster(t)
            try:
                for get, table in shapes:  # emptied in place when the memo turns itself off
                    r = table.get(get(c, a, n), absent)
                    if r is not absent:
                        memo.hits += 1
                        if debug:
                            check(r, run(c, a, n))
                        return r
            except TypeError:  # an unhashable value read (a user's action data): never recorded either
                pass
            return miss(c, a, n)

        return pred

    def _miss1(self, c: ClusterState) -> Any:
        if not self.on:
            return self.run(c)
        self.misses += 1
        self._probation()
        if len(self.shapes) >= MAX_SHAPES or not self.on:
            return self.run(c)
        log: set[tuple[str, Any]] = set()
        try:
            r = self.run(_view(c, "c", log))
        except Exception:  # noqa: BLE001 - run it plainly: the judge reports the plain exception
            return self.run(c)
        if r is True or r is False:
            self._record(log, 1, (c,), r)
        return r

    def _miss3(self, c: ClusterState, a: Any, n: ClusterState) -> Any:
        if not self.on:
            return self.run(c, a, n)
        self.misses += 1
        self._probation()
        if len(self.shapes) >= MAX_SHAPES or not self.on:
            return self.run(c, a, n)
        log: set[tuple[str, Any]] = set()
        try:
            r = self.run(_view(c, "c", log), _TrackedAction(a, log), _view(n, "n", log))
        except Exception:  # noqa: BLE001 - run it plainly: the judge reports the plain exception
            return self.run(c, a, n)
        if r is True or r is False:
            self._record(log, 3, (c, a, n), r)
        return r

    def _record(self, log: set[tuple[str, Any]], arity: int, args: tuple[Any, ...], r: bool) -> None:
        if not self.on or not log:
            return  # a check that read nothing is not recorded: it is cheap, or not a function of its inputs
        frozen = frozenset(log)
        entry = self.by_log.get(frozen)
        if entry is None:
            get = _getter(_sorted_shape(log), arity)
            entry = self.by_log[frozen] = (get, {})
            self.shapes.append(entry)
        get, table = entry
        try:
            key = get(*args)
            hash(key)
        except TypeError:
            return
        if self.entries >= MAX_ENTRIES:
            self.shapes.clear()
            self.by_log.clear()
            self.entries = 0
            return
        table[key] = r
        self.entries += 1

    def _probation(self) -> None:
        """At the first miss after each window of :data:`PROBATION` calls: turn the memo off if the
        window (the first one, which fills the memo, aside) had fewer than three hits per miss."""
        calls = self.hits + self.misses
        if calls < self._next:
            return
        self._next = calls + PROBATION
        hits, misses = self._scores
        if hits + misses and (self.hits - hits) < 3 * (self.misses - misses):
            self.on = False
            self.shapes.clear()
            self.by_log.clear()
        self._scores = (self.hits, self.misses)

    def _check(self, recorded: Any, plain: Any) -> None:
        if plain is not recorded:
            raise MemoMismatch(f"judge memo: {self.name} recorded {recorded!r}, the plain check says {plain!r}")
