"""Exceptions raised by kubecheck.

Every error kubecheck raises on purpose derives from :class:`KubecheckError`, so a caller can catch the
whole family at once.  Errors about a user's declaration also derive from ``ValueError`` (the value the
user passed is wrong), mirroring Hypothesis' ``InvalidArgument(HypothesisException, TypeError)``.
Messages name the user's object (``module.function``, YAML path, property rule ID), say why it is
wrong and say how to fix it.
"""

from __future__ import annotations

__all__ = [
    "KubecheckError",
    "InvalidProperty",
    "InvalidScenario",
    "UnsoundCombination",
    "SearchIncomplete",
]


class KubecheckError(Exception):
    """Root of every error kubecheck raises deliberately."""


class InvalidProperty(KubecheckError, ValueError):
    """A property declaration is malformed (bad rule ID, predicate not callable, wrong arity...)."""


class InvalidScenario(KubecheckError, ValueError):
    """A scenario (bounds, budgets, manifests, explorer options) is malformed."""


class UnsoundCombination(KubecheckError, ValueError):
    """The requested options would make the verdict unsound (e.g. symmetry with an asymmetric property).

    kubecheck refuses instead of warning: a wrong "holds" is worse than no answer.
    """


class SearchIncomplete(KubecheckError):
    """A caller demanded an exhaustive answer (e.g. ``assert_holds``) but the search was cut by a bound."""
