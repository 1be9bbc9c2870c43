"""kubecheck: model checking for Kubernetes controllers.

The generic engine lives here and knows nothing of Kubernetes: it sees a
:class:`~kubecheck.ts.TransitionSystem`.  Public names:

* :mod:`kubecheck.ts`: :class:`Action`, :class:`TransitionSystem`, :class:`BaseSystem`;
* :mod:`kubecheck.properties`: :class:`Property` and its constructors;
* :mod:`kubecheck.verdict`: :class:`Verdict` (with exit codes), :class:`PropertyResult`,
  :class:`Stats`, :class:`ExplorationResult`;
* :mod:`kubecheck.explorer`: :func:`explore`, :func:`check`, graph export;
* :mod:`kubecheck.errors`: the exception hierarchy rooted at :class:`KubecheckError`.
"""

from kubecheck.errors import InvalidProperty, InvalidScenario, KubecheckError, SearchIncomplete, UnsoundCombination
from kubecheck.properties import (
    Property,
    PropertyKind,
    action_property,
    always_eventually,
    eventually_always,
    invariant,
    sometimes,
)
from kubecheck.ts import Action, BaseSystem, TransitionSystem
from kubecheck.verdict import ExplorationResult, PropertyResult, Stats, Verdict

__all__ = [
    "Action",
    "BaseSystem",
    "TransitionSystem",
    "Property",
    "PropertyKind",
    "invariant",
    "action_property",
    "eventually_always",
    "always_eventually",
    "sometimes",
    "Verdict",
    "PropertyResult",
    "Stats",
    "ExplorationResult",
    "KubecheckError",
    "InvalidProperty",
    "InvalidScenario",
    "UnsoundCombination",
    "SearchIncomplete",
    "explore",
    "check",
]


def __getattr__(name: str):  # lazy, so `import kubecheck` stays cheap and cycle-free
    if name in ("explore", "check"):
        from kubecheck import explorer

        return getattr(explorer, name)
    raise AttributeError(f"module 'kubecheck' has no attribute {name!r}")
