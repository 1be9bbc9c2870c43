"""Rule: a catalogue entry, and the decorator users write their own rules with.

A :class:`Rule` is the declaration (stable ID, one-line statement, what it counts, upstream
citation, kind, targets, severity, remediation, the manifest field its findings point at, and
whether start-up is exempt); :meth:`Rule.instantiate` turns it into engine :class:`~kubecheck.core.properties.Property`
values for one cluster: one per workload the rule applies to (so the CLI reports a verdict per
workload and property), or a single cluster-wide one.

Users add rules in plain Python::

    from properties import rule

    @rule("ACME-001", "every Deployment keeps at least 2 replicas", kind="invariant")
    def at_least_two(cluster):
        return all(d.replicas >= 2 for d in cluster.objects("Deployment"))

A cluster-wide predicate takes the ``ClusterState`` (``cluster``); a per-workload one
(``applies_to=("Deployment",)``) takes ``(cluster, workload)``; an action rule takes
``(cluster, action, next_cluster)`` or ``(cluster, action, next_cluster, workload)``.

A ``leads_to`` rule ("after P, eventually Q") decorates its goal ``Q`` and names its trigger ``P``, a
predicate of the same signature::

    @rule("ACME-002", "after a node returns, web is available", kind="leads_to",
          trigger=lambda cluster: all(n.ready for n in cluster.nodes.values()))
    def web_available(cluster):
        ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kubecheck.core.errors import InvalidProperty
from kubecheck.core.properties import Property, PropertyKind, RULE_ID_PATTERN
from properties._common import cluster_of
from properties._memo import JudgeMemo, debug_enabled, memo_enabled
from model.state import ClusterState

__all__ = ["Rule", "rule", "KINDS_BY_NAME", "SEVERITIES"]

#: Severities, most severe first: a finding's severity decides whether it fails the run (``--fail-on``).
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

KINDS_BY_NAME = {
    "invariant": PropertyKind.INVARIANT,
    "action": PropertyKind.ACTION,
    "eventually_always": PropertyKind.EVENTUALLY_ALWAYS,
    "always_eventually": PropertyKind.ALWAYS_EVENTUALLY,
    "leads_to": PropertyKind.LEADS_TO,
}


@dataclass(frozen=True, slots=True)
class FixStep:
    """One step of a counterexample as a rule's ``trace_fix`` reads it: who acted, the action's label, and the
    cluster before and after the step."""

    actor: str
    label: str
    before: ClusterState
    after: ClusterState


@dataclass(frozen=True)
class Rule:
    """One catalogue entry.  ``check`` receives the ClusterState(s), never the wrapper state."""

    rule_id: str
    title: str
    kind: PropertyKind
    check: Callable[..., bool]
    applies_to: tuple[str, ...] = ()
    counts: str = ""
    upstream: str = ""
    category: str = "user"
    symmetric: bool = True
    #: Local to interaction groups (model.decompose): the rule holds on a cluster iff it holds on the
    #: projection of every interaction group, because its predicate is a conjunction over objects that
    #: only reads each object's own group (its owners, the pods its selector matches, its claims) and
    #: is invariant under renaming generated names, UIDs, IPs and sandbox ids (``symmetric``).
    #: ``kubecheck check`` explores such rules per group; other rules (user rules by default) run
    #: on the whole cluster.  See docs/semantics.md, "Decomposition".
    local: bool = False
    #: Part of the default selection (``instantiate(cluster)`` / ``kubecheck check`` without ``-p``).
    #: An opt-in rule (``default=False``) runs only when its ID is named explicitly.
    default: bool = True
    #: How bad a violation is: ``error``, ``warning`` or ``info`` (:data:`SEVERITIES`).  The verdict is
    #: unchanged; ``kubecheck check --fail-on`` decides which severities fail the run (exit code).
    severity: str = "error"
    #: How to fix a violation, in words (``kubecheck explain``, SARIF ``help``, the text output).
    remediation: str = ""
    #: The state locations the predicate reads (``model.footprint``: ``("Pod", "owner_references")``
    #: is that field of every pod), or None for "anything".  Only partial-order reduction
    #: (``kubecheck check --por``) uses it: a rule with ``reads=None`` runs in the unreduced search.
    reads: frozenset[tuple[Any, ...]] | None = None
    #: ``leads_to`` only: the trigger ``P`` of "after P, eventually Q" (``check`` is the goal ``Q``), with
    #: ``check``'s signature
    trigger: Callable[..., bool] | None = None
    #: what the trigger counts, in words (``leads_to`` only; docs/properties.md, ``kubecheck explain``)
    trigger_counts: str = ""
    #: The manifest field a finding of this rule points at (the SARIF region, e.g.
    #: ``spec.strategy.rollingUpdate.maxUnavailable``); ``""``: the object itself.
    location: str = ""
    #: Why the rule is judged only after the first convergence, never on the start-up (settle) path
    #: (``""``: judged there too).  Criterion: the statement presupposes a workload that is already
    #: running, i.e. it protects capacity that start-up has not built yet.
    after_convergence: str = ""
    #: The object a cluster-wide finding is about, from the last state of its trace (``subject(cluster)``
    #: -> (kind, namespace, name) or None; KC-ROLL-004: the Service that is down).
    subject: Callable[[ClusterState], tuple[str, str, str] | None] | None = None
    #: The concrete edit that would fix a finding (``fix(objects, keys)``: the loaded objects by key, the
    #: keys of the objects the finding is about) when there is an obvious one; "" otherwise.
    fix: Callable[[Any, Any], str] | None = None
    #: The fix when a counterexample shows a cause the rule's usual fix does not address
    #: (``trace_fix(steps)``, the trace's steps as :class:`FixStep`; "" when it shows none). It wins
    #: over ``fix`` and the remediation text for that finding.
    trace_fix: Callable[[tuple[FixStep, ...]], str] | None = None
    #: The concrete edit when the counterexample has a fault step (a container crash, a lost node: actor
    #: ``fault``) or a drain's eviction, where the usual ``fix`` may be about something else (a rollout's
    #: strategy); same signature as ``fix``, used instead of it for such a finding ("" when there is no obvious one).
    fault_fix: Callable[[Any, Any], str] | None = None
    #: Why the rule holds in every state a scenario can reach (``vacuous(cluster, user_actions)``: the settled
    #: cluster and the scenario's user actions; "" when it may not): nothing in the manifests is what it judges,
    #: and no user action can make one.  A search cut by a bound then still decides it: HOLDS, with the reason.
    vacuous: Callable[[ClusterState, tuple[Any, ...]], str] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.rule_id, str) or RULE_ID_PATTERN.fullmatch(self.rule_id) is None:
            raise InvalidProperty(
                f"rule {self.title!r}: {self.rule_id!r} is not a valid rule ID (a letter, then letters, "
                f"digits, '-', '_' or '.'; e.g. 'ACME-001')"
            )
        if not callable(self.check):
            raise InvalidProperty(f"rule {self.rule_id}: check {self.check!r} is not callable")
        if (self.kind is PropertyKind.LEADS_TO) != (self.trigger is not None):
            raise InvalidProperty(f"rule {self.rule_id}: a leads_to rule needs trigger= (the P of 'after P, eventually Q'), "
                                  f"and only a leads_to rule takes one")
        if self.trigger is not None and not callable(self.trigger):
            raise InvalidProperty(f"rule {self.rule_id}: trigger {self.trigger!r} is not callable")
        if self.severity not in SEVERITIES:
            raise InvalidProperty(f"rule {self.rule_id}: severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")

    def instantiate(self, cluster: ClusterState) -> list[Property]:
        """Engine properties for ``cluster``: one per matching workload, or one cluster-wide."""
        if not self.applies_to:
            return [self._property(None, self.title)]
        out = []
        for kind in self.applies_to:
            for obj in cluster.objects(kind):
                out.append(self._property((kind, obj.namespace, obj.name), f"{self.title} [{kind} {obj.namespace}/{obj.name}]"))
        return out

    def _property(self, target: tuple[str, str, str] | None, name: str) -> Property:
        check = self.check
        label = f"{self.rule_id}:{getattr(check, '__name__', 'check')}"
        run = check if target is None else (lambda *args: check(*args, target))
        memo = JudgeMemo(run, label, debug_enabled()) if memo_enabled() else None
        if self.kind is PropertyKind.ACTION:
            if memo is not None:
                pred = memo.step_predicate(cluster_of)
            elif target is None:
                def pred(s: Any, a: Any, t: Any) -> bool:
                    return check(cluster_of(s), a, cluster_of(t))
            else:
                kind, ns, nm = target

                def pred(s: Any, a: Any, t: Any) -> bool:
                    return check(cluster_of(s), a, cluster_of(t), (kind, ns, nm))
        else:
            if memo is not None:
                pred = memo.state_predicate(cluster_of)  # type: ignore[assignment]
            elif target is None:
                def pred(s: Any) -> bool:  # type: ignore[misc]
                    return check(cluster_of(s))
            else:
                kind, ns, nm = target

                def pred(s: Any) -> bool:  # type: ignore[misc]
                    return check(cluster_of(s), (kind, ns, nm))
        pred.memo = memo  # type: ignore[attr-defined]
        pred.__qualname__ = pred.__name__ = f"{self.rule_id}:{getattr(check, '__name__', 'check')}"
        pred.__module__ = getattr(check, "__module__", __name__)
        prop = Property(
            rule_id=self.rule_id,
            name=name,
            kind=self.kind,
            predicate=pred,
            statement=self.title,
            symmetric=self.symmetric,
            reads=self.reads,
            trigger=self._trigger(target),
        )
        return prop

    def _trigger(self, target: tuple[str, str, str] | None) -> Callable[[Any], bool] | None:
        """The engine trigger of a ``leads_to`` rule (on the system state, as the goal's predicate)."""
        trig = self.trigger
        if trig is None:
            return None
        if memo_enabled():
            run = trig if target is None else (lambda c: trig(c, target))
            pred = JudgeMemo(run, f"{self.rule_id}:{getattr(trig, '__name__', 'trigger')}", debug_enabled()).state_predicate(cluster_of)
        elif target is None:
            def pred(s: Any) -> bool:
                return trig(cluster_of(s))
        else:
            def pred(s: Any) -> bool:
                return trig(cluster_of(s), target)
        pred.__qualname__ = pred.__name__ = f"{self.rule_id}:{getattr(trig, '__name__', 'trigger')}"
        pred.__module__ = getattr(trig, "__module__", __name__)
        return pred


def rule(
    rule_id: str,
    title: str,
    *,
    kind: str = "invariant",
    applies_to: tuple[str, ...] = (),
    counts: str = "",
    upstream: str = "",
    symmetric: bool = True,
    category: str = "user",
    default: bool = True,
    local: bool = False,
    severity: str = "error",
    remediation: str = "",
    reads: Any = None,
    trigger: Callable[..., bool] | None = None,
    trigger_counts: str = "",
    location: str = "",
    after_convergence: str = "",
    subject: Callable[[ClusterState], tuple[str, str, str] | None] | None = None,
    fix: Callable[[Any, Any], str] | None = None,
    trace_fix: Callable[[tuple[FixStep, ...]], str] | None = None,
    vacuous: Callable[[ClusterState, tuple[Any, ...]], str] | None = None,
    fault_fix: Callable[[Any, Any], str] | None = None,
) -> Callable[[Callable[..., bool]], Rule]:
    """Declare a rule from a plain predicate (see the module docstring for signatures)."""
    if kind not in KINDS_BY_NAME:
        raise InvalidProperty(
            f"rule {rule_id}: kind {kind!r} is not one of {', '.join(sorted(KINDS_BY_NAME))}"
        )

    def wrap(fn: Callable[..., bool]) -> Rule:
        return Rule(
            rule_id=rule_id,
            title=title,
            kind=KINDS_BY_NAME[kind],
            check=fn,
            applies_to=tuple(applies_to),
            counts=counts or (fn.__doc__ or "").strip(),
            upstream=upstream,
            category=category,
            symmetric=symmetric,
            default=default,
            local=local,
            severity=severity,
            remediation=remediation,
            reads=frozenset(tuple(loc) for loc in reads) if reads is not None else None,
            trigger=trigger,
            trigger_counts=trigger_counts or (getattr(trigger, "__doc__", None) or "").strip(),
            location=location,
            after_convergence=after_convergence,
            subject=subject,
            fix=fix,
            trace_fix=trace_fix,
            vacuous=vacuous,
            fault_fix=fault_fix,
        )

    return wrap
