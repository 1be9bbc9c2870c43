"""kubecheck.core: the engine.  It knows nothing of Kubernetes: it sees a
:class:`~kubecheck.core.ts.TransitionSystem` and a list of :class:`~kubecheck.core.properties.Property`.

It imports only the standard library and its own modules (tqdm, networkx and Hypothesis load lazily,
inside the functions that use them); ``tests/test_layers.py`` guards it.  Public names:

* :mod:`kubecheck.core.ts`: :class:`Action`, :class:`TransitionSystem`, :class:`BaseSystem`;
* :mod:`kubecheck.core.properties`: :class:`Property`, its kinds and constructors;
* :mod:`kubecheck.core.judge`: what a state, a step or a lasso means for each property kind;
* :mod:`kubecheck.core.verdict`: :class:`Verdict` (with exit codes), :class:`PropertyResult`,
  :class:`Stats`, :class:`ExplorationResult`;
* :mod:`kubecheck.core.trace`: the one :class:`~kubecheck.core.trace.Trace` type every engine produces;
* :mod:`kubecheck.core.explorer`: :func:`explore`, :func:`check`, graph export;
* :mod:`kubecheck.core.random`: :func:`~kubecheck.core.random.run_random`, the Hypothesis engine
  (imported on demand: it needs Hypothesis);
* :mod:`kubecheck.core.errors`: the exception hierarchy rooted at :class:`KubecheckError`.
"""

from kubecheck.core.errors import InvalidProperty, InvalidScenario, KubecheckError, SearchIncomplete, UnsoundCombination
from kubecheck.core.properties import (
    Property,
    PropertyKind,
    action_property,
    always_eventually,
    eventually_always,
    invariant,
    leads_to,
    sometimes,
)
from kubecheck.core.ts import Action, BaseSystem, TransitionSystem
from kubecheck.core.verdict import ExplorationResult, PropertyResult, Stats, Verdict

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
    "leads_to",
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


def __getattr__(name: str):  # lazy, so `import kubecheck.core` stays cheap and cycle-free
    if name in ("explore", "check"):
        from kubecheck.core import explorer

        return getattr(explorer, name)
    raise AttributeError(f"module 'kubecheck.core' has no attribute {name!r}")
