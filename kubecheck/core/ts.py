"""The transition-system interface the generic engines see.

A model is anything with three methods (the stateright ``Model`` shape):

``init_states() -> Sequence[S]``
    The initial states, in a deterministic order.  A trace starts with an index into this sequence.
``actions(state) -> Sequence[Action]``
    The candidate actions in ``state``, in a **deterministic order**.  Traces store *indices* into this
    sequence (``Trace.action_path()``) and are rebuilt by replay, so the same state must always yield the
    same sequence.  An action listed here may still be inapplicable: ``step`` then returns ``None``.
``step(state, action) -> S | None``
    The successor of ``state`` under ``action``; ``None`` means "not applicable here" (not "no change").

States must be hashable and immutable (frozen dataclasses, tuples).  Everything else has a default in
:class:`BaseSystem`; a model that does not subclass it still works, the engine fills in the defaults
through :func:`successors_fn`, :func:`next_states_fn`, :func:`canonical_fn` and :func:`expects_progress_fn`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, Iterable, Protocol, Sequence, TypeVar, runtime_checkable

__all__ = [
    "Action",
    "TransitionSystem",
    "BaseSystem",
    "successors_fn",
    "next_states_fn",
    "canonical_fn",
    "expects_progress_fn",
    "intern_fn",
    "stable_hash_fn",
    "forget_fn",
]

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Action:
    """One labelled step of one actor.

    ``actor`` is who acts (``"rs-controller"``, ``"kubelet/node-1"``, ``"user"``), ``label`` what it does
    (``"rs_create_pod"``).  ``fair=False`` marks actions that impose no fairness (user actions, faults): a
    run may ignore them forever.  Weak fairness is per :attr:`key`: if some fair action with key ``k`` is
    enabled continuously from some point on, some fair action with key ``k`` is eventually taken.  The
    Kubernetes model sets ``fairness_key`` to the controller identity, because one controller issues
    differently labelled writes but is one process that the scheduler must not starve.
    ``data`` carries whatever the model needs to apply the action (a key, a write); it must be hashable.
    """

    actor: str
    label: str
    fair: bool = True
    fairness_key: Hashable | None = None
    data: Hashable = None

    @property
    def key(self) -> Hashable:
        """The weak-fairness key: ``fairness_key`` if set, else ``(actor, label)``."""
        return self.fairness_key if self.fairness_key is not None else (self.actor, self.label)

    def __str__(self) -> str:
        return f"{self.actor}:{self.label}" if self.data is None else f"{self.actor}:{self.label}({self.data!r})"


@runtime_checkable
class TransitionSystem(Protocol[S]):
    """What the explorer needs.  See the module docstring for the contract of each method."""

    def init_states(self) -> Sequence[S]: ...

    def actions(self, state: S) -> Sequence[Action]: ...

    def step(self, state: S, action: Action) -> S | None: ...


class BaseSystem(Generic[S]):
    """Defaults for the optional hooks.  Subclass it and implement the three required methods.

    Optional hooks:

    ``canonical(state) -> Hashable``
        The key of the state's symmetry class (only used with ``symmetry=True``).  Two states with the
        same key must be interchangeable for every property checked with symmetry on (the property is
        ``symmetric=True``) and for ``expects_progress``.  Default: the state itself (no reduction).
    ``expects_progress(state) -> bool``
        ``False`` for states where having no enabled action is fine (a converged fixed point).  Used by
        the deadlock check.  Default ``True``.
    ``describe_state(state) -> dict[str, str]``
        Named fields for rendering.  Default ``{"state": repr(state)}``.
    ``successors(state) -> Iterable[tuple[Action, S]]``
        The applicable actions with their successors, in ``actions`` order (inapplicable ones skipped).
        Override it as a fast path; every yielded action must appear in ``actions(state)``.
    ``next_states(state) -> Iterable[S]``
        Only the successor states of ``successors``, same order.  The explorer's lean safety loop uses it
        when no action property and no graph is requested; override it too for speed (no per-edge
        ``Action`` or tuple objects).
    ``intern(state) -> S``
        An equal state made of objects this system instance already holds (hash-consing), for a state
        built in another process (the distributed search unpickles the successors it receives): a
        model whose caches are keyed by identity then hits them again.  Pure speed: it must return a
        state equal to ``state``.  Default: ``state`` itself (not defined on :class:`BaseSystem`; read
        through :func:`intern_fn`).
    ``stable_hash(state) -> int``
        A 64-bit hash that is equal for equal states (and equal symmetry representatives) and the same
        in every process, unlike ``hash()`` (salted strings; ``hash(None)`` an address before Python
        3.12): the distributed search routes each state to the worker ``stable_hash(key) % workers``.
        Pure speed: it need not be injective (it only partitions), only cheap; a model that keeps it
        per (hash-consed) object hashes only what a step changed.  Default: a 64-bit fingerprint of the
        state's canonical encoding (read through :func:`stable_hash_fn`).
    ``forget(state) -> None``
        ``state`` left this process (a worker of the distributed search sent it to the worker that owns
        it): the system may drop what its caches keep only for it (a hash-consing table would otherwise
        hold every successor a worker generated, not only the states it stores, and a worker's memory
        would not be its part of the visited set plus a constant).  Pure memory: nothing may change
        with it.  Default: nothing (read through :func:`forget_fn`).
    """

    def init_states(self) -> Sequence[S]:  # pragma: no cover - abstract
        raise NotImplementedError

    def actions(self, state: S) -> Sequence[Action]:  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, state: S, action: Action) -> S | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def canonical(self, state: S) -> Hashable:
        return state

    def expects_progress(self, state: S) -> bool:
        return True

    def describe_state(self, state: S) -> dict[str, str]:
        return {"state": repr(state)}

    def successors(self, state: S) -> Iterable[tuple[Action, S]]:
        step = self.step
        out: list[tuple[Action, S]] = []
        for action in self.actions(state):
            nxt = step(state, action)
            if nxt is not None:
                out.append((action, nxt))
        return out

    def next_states(self, state: S) -> Iterable[S]:
        return [nxt for _, nxt in self.successors(state)]


def successors_fn(system: Any) -> Callable[[Any], Iterable[tuple[Action, Any]]]:
    """``system.successors`` or the default built from ``actions``/``step``."""
    own = getattr(system, "successors", None)
    if own is not None:
        return own
    return lambda state: BaseSystem.successors(system, state)


def next_states_fn(system: Any) -> Callable[[Any], Iterable[Any]]:
    """``system.next_states`` or the default built from :func:`successors_fn`.

    A system that overrides ``successors`` but inherits ``BaseSystem.next_states`` gets the inherited
    one, which goes through its ``successors`` and so stays consistent with it.
    """
    own = getattr(system, "next_states", None)
    if own is not None:
        return own
    succ = successors_fn(system)
    return lambda state: [nxt for _, nxt in succ(state)]


def canonical_fn(system: Any) -> Callable[[Any], Hashable]:
    own = getattr(system, "canonical", None)
    return own if own is not None else (lambda state: state)


def intern_fn(system: Any) -> Callable[[Any], Any]:
    """``system.intern`` (see :class:`BaseSystem`), or the identity."""
    own = getattr(system, "intern", None)
    return own if own is not None else (lambda state: state)


def stable_hash_fn(system: Any) -> Callable[[Any], int] | None:
    """``system.stable_hash`` (see :class:`BaseSystem`), or ``None`` when the system has none."""
    own = getattr(system, "stable_hash", None)
    return own if callable(own) else None


def forget_fn(system: Any) -> Callable[[Any], None] | None:
    """``system.forget`` (see :class:`BaseSystem`), or ``None`` when the system has none."""
    own = getattr(system, "forget", None)
    return own if callable(own) else None


def expects_progress_fn(system: Any) -> Callable[[Any], bool]:
    own = getattr(system, "expects_progress", None)
    return own if own is not None else (lambda state: True)
