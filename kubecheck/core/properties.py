"""Properties as data: what must hold, checked by any engine.

A :class:`Property` is a frozen record: a stable rule ID (for CI output), a human name, a kind, a plain
predicate and a one-line statement.  Build them with the constructors, which check the declaration at
once (the Hypothesis habit: reject mistakes at definition, not deep inside a search):

=====================  ===============================  ================================================
constructor            predicate signature              meaning
=====================  ===============================  ================================================
:func:`invariant`      ``pred(state) -> bool``          holds in every reachable state
:func:`action_property` ``pred(state, action, next)``   holds for every reachable transition
:func:`eventually_always` ``pred(state) -> bool``       ``<>[]P`` on every weakly fair run
:func:`always_eventually` ``pred(state) -> bool``       ``[]<>P`` on every weakly fair run
:func:`leads_to`       ``trigger(state)``, ``goal(state)``  ``P ~> Q``: on every weakly fair run, every
                                                         state where the trigger holds is followed (or
                                                         is itself one) where the goal holds
:func:`sometimes`      ``pred(state) -> bool``          some reachable state satisfies it (a discovery
                                                         is an *example*, not a failure)
=====================  ===============================  ================================================

``symmetric=False`` says the predicate tells interchangeable objects apart (it names one pod); the
explorer then refuses symmetry reduction for it (:class:`~kubecheck.core.errors.UnsoundCombination`).
"""

from __future__ import annotations

import enum
import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable

from kubecheck.core.errors import InvalidProperty

__all__ = [
    "PropertyKind",
    "Property",
    "invariant",
    "action_property",
    "eventually_always",
    "always_eventually",
    "leads_to",
    "sometimes",
    "DEADLOCK_FREEDOM",
    "RULE_ID_PATTERN",
    "validate_properties",
]

#: A rule ID starts with a letter and continues with letters, digits, ``-``, ``_`` or ``.`` (max 64).
RULE_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")


class PropertyKind(enum.Enum):
    INVARIANT = "invariant"
    ACTION = "action"
    EVENTUALLY_ALWAYS = "eventually_always"
    ALWAYS_EVENTUALLY = "always_eventually"
    SOMETIMES = "sometimes"
    #: ``P ~> Q`` (``[](P -> <>Q)``): the predicate is the goal ``Q``, :attr:`Property.trigger` is ``P``
    LEADS_TO = "leads_to"
    #: Built in: no reachable state with ``expects_progress`` true has no enabled action.  Used by the
    #: explorer's ``check_deadlock`` option through :data:`DEADLOCK_FREEDOM`; not for user predicates.
    DEADLOCK = "deadlock"

    @property
    def is_eventual(self) -> bool:
        return self in (PropertyKind.EVENTUALLY_ALWAYS, PropertyKind.ALWAYS_EVENTUALLY, PropertyKind.LEADS_TO)

    @property
    def arity(self) -> int:
        return 3 if self is PropertyKind.ACTION else 1


def _qualname(fn: Any) -> str:
    """``module.function`` without the ``<locals>.`` noise, for error messages."""
    module = getattr(fn, "__module__", None) or "?"
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return f"{module}.{name.replace('<locals>.', '')}"


def _accepts_positional(fn: Callable[..., Any], n: int) -> bool | None:
    """Whether ``fn`` can be called with ``n`` positional arguments; ``None`` if it cannot be told."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*([None] * n))
    except TypeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Property:
    """A named, ID'd predicate of one :class:`PropertyKind`.  Validated on construction."""

    rule_id: str
    name: str
    kind: PropertyKind
    predicate: Callable[..., bool]
    statement: str = ""
    symmetric: bool = True
    #: The locations the predicate reads (see :mod:`kubecheck.core.por`), or None for "anything".
    #: Only partial-order reduction uses it: an action that writes one of them is *visible*.  For an
    #: action property, declaring ``reads`` also promises that it holds on every step that writes
    #: none of them.
    reads: frozenset[tuple[Any, ...]] | None = None
    #: ``leads_to`` only: the trigger ``P`` of ``P ~> Q`` (``predicate`` is the goal ``Q``); None for every other kind
    trigger: Callable[[Any], bool] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, PropertyKind):
            raise InvalidProperty(
                f"Property {self.rule_id!r}: kind must be a PropertyKind, got {self.kind!r}. "
                f"Use one of the constructors invariant(), action_property(), eventually_always(), "
                f"always_eventually() or sometimes()."
            )
        if not isinstance(self.rule_id, str) or RULE_ID_PATTERN.fullmatch(self.rule_id) is None:
            raise InvalidProperty(
                f"Property {self.name!r} has rule_id {self.rule_id!r}, which is not a valid rule ID: it must "
                f"start with a letter and contain only letters, digits, '-', '_' or '.' (at most 64 "
                f"characters), e.g. 'KC-CONV-001'. Rule IDs are stable keys in SARIF/JUnit output."
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidProperty(
                f"Property {self.rule_id}: name must be a non-empty string (a human-readable title), "
                f"got {self.name!r}."
            )
        if not isinstance(self.statement, str):
            raise InvalidProperty(f"Property {self.rule_id}: statement must be a string, got {self.statement!r}.")
        if not isinstance(self.symmetric, bool):
            raise InvalidProperty(f"Property {self.rule_id}: symmetric must be True or False, got {self.symmetric!r}.")
        if self.reads is not None and (
            not isinstance(self.reads, frozenset) or not all(isinstance(loc, tuple) for loc in self.reads)
        ):
            raise InvalidProperty(
                f"Property {self.rule_id}: reads must be None or a frozenset of location tuples, got {self.reads!r}."
            )
        if not callable(self.predicate):
            raise InvalidProperty(
                f"Property {self.rule_id} ({self.name}): predicate {self.predicate!r} is not callable. "
                f"Pass the function itself, e.g. invariant({self.rule_id!r}, {self.name!r}, my_check) "
                f"rather than my_check(...)."
            )
        self._check_trigger()
        if self.kind is not PropertyKind.DEADLOCK:
            arity = self.kind.arity
            if _accepts_positional(self.predicate, arity) is False:
                shape = "(state, action, next_state)" if arity == 3 else "(state)"
                raise InvalidProperty(
                    f"Property {self.rule_id} ({self.name}): predicate {_qualname(self.predicate)} cannot be "
                    f"called with {arity} positional argument(s); a {self.kind.value} property's predicate "
                    f"takes {shape}. Change its signature to def {getattr(self.predicate, '__name__', 'pred')}"
                    f"{shape} -> bool."
                )

    def _check_trigger(self) -> None:
        """A ``leads_to`` property has a callable one-argument trigger; no other kind has one."""
        if self.kind is not PropertyKind.LEADS_TO:
            if self.trigger is not None:
                raise InvalidProperty(f"Property {self.rule_id}: only a leads_to property has a trigger; a {self.kind.value} "
                                      f"property has one predicate (drop trigger=)")
            return
        if not callable(self.trigger):
            raise InvalidProperty(f"Property {self.rule_id} ({self.name}): a leads_to property needs a callable trigger "
                                  f"(the P of P ~> Q), got {self.trigger!r}")
        if _accepts_positional(self.trigger, 1) is False:
            raise InvalidProperty(f"Property {self.rule_id} ({self.name}): trigger {_qualname(self.trigger)} cannot be "
                                  f"called with 1 positional argument; it takes (state) -> bool")

    @property
    def predicate_name(self) -> str:
        return _qualname(self.predicate)


def invariant(
    rule_id: str,
    name: str,
    predicate: Callable[[Any], bool],
    *,
    statement: str = "",
    symmetric: bool = True,
    reads: frozenset[tuple[Any, ...]] | None = None,
) -> Property:
    """``predicate(state)`` holds in every reachable state (a violation has a shortest trace under BFS)."""
    return Property(rule_id, name, PropertyKind.INVARIANT, predicate, statement, symmetric, reads)


def action_property(
    rule_id: str,
    name: str,
    predicate: Callable[[Any, Any, Any], bool],
    *,
    statement: str = "",
    symmetric: bool = True,
    reads: frozenset[tuple[Any, ...]] | None = None,
) -> Property:
    """``predicate(state, action, next_state)`` holds for every reachable transition."""
    return Property(rule_id, name, PropertyKind.ACTION, predicate, statement, symmetric, reads)


def eventually_always(
    rule_id: str, name: str, predicate: Callable[[Any], bool], *, statement: str = "", symmetric: bool = True
) -> Property:
    """``<>[]P``: on every weakly fair run, from some point on ``predicate`` holds forever (convergence)."""
    return Property(rule_id, name, PropertyKind.EVENTUALLY_ALWAYS, predicate, statement, symmetric)


def always_eventually(
    rule_id: str, name: str, predicate: Callable[[Any], bool], *, statement: str = "", symmetric: bool = True
) -> Property:
    """``[]<>P``: on every weakly fair run, ``predicate`` holds infinitely often (never stuck away from P)."""
    return Property(rule_id, name, PropertyKind.ALWAYS_EVENTUALLY, predicate, statement, symmetric)


def leads_to(
    rule_id: str,
    name: str,
    trigger: Callable[[Any], bool],
    goal: Callable[[Any], bool],
    *,
    statement: str = "",
    symmetric: bool = True,
) -> Property:
    """``P ~> Q`` (``[](P -> <>Q)``): on every weakly fair run, from every state where ``trigger``
    holds, a state where ``goal`` holds comes (the same state counts).  A counterexample is a weakly
    fair lasso that passes a trigger state and on which the goal never holds from there on."""
    return Property(rule_id, name, PropertyKind.LEADS_TO, goal, statement, symmetric, None, trigger)


def sometimes(
    rule_id: str,
    name: str,
    predicate: Callable[[Any], bool],
    *,
    statement: str = "",
    symmetric: bool = True,
    reads: frozenset[tuple[Any, ...]] | None = None,
) -> Property:
    """Some reachable state satisfies ``predicate``; the discovery is reported as an example trace."""
    return Property(rule_id, name, PropertyKind.SOMETIMES, predicate, statement, symmetric, reads)


def _no_deadlock(state: Any) -> bool:  # pragma: no cover - never called, the explorer checks deadlock itself
    return True


#: The property the explorer reports for ``check_deadlock=True``.
DEADLOCK_FREEDOM = Property(
    "KC-DEADLOCK",
    "deadlock freedom",
    PropertyKind.DEADLOCK,
    _no_deadlock,
    "No reachable state where progress is expected has no enabled action.",
)


def validate_properties(props: "list[Property]", caller: str) -> None:
    """Refuse anything but distinct :class:`Property` values (the engines report results by rule ID).

    ``caller`` names the entry point in the message, e.g. ``"explore()"``.
    """
    seen: dict[str, Property] = {}
    for p in props:
        if not isinstance(p, Property):
            raise InvalidProperty(
                f"{caller} got {p!r} where a Property was expected; build one with invariant(), "
                f"action_property(), eventually_always(), always_eventually(), leads_to() or sometimes()"
            )
        if p.rule_id in seen:
            raise InvalidProperty(
                f"two properties share rule ID {p.rule_id!r} ({seen[p.rule_id].name!r} and {p.name!r}); "
                f"rule IDs must be unique so results can be told apart"
            )
        seen[p.rule_id] = p
