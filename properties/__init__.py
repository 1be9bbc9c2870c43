"""kubecheck's property catalogue and the decorator for users' own rules.

>>> from properties import CATALOGUE
>>> CATALOGUE["KC-OWN-001"].title
'Every pod has at most one controller owner'
"""

from dataclasses import replace

from properties._common import cluster_of, rolling_bounds
from properties.catalogue import CATALOGUE, DEFAULT_RULES, RULES, get_rule
from properties.rules import Rule, rule

__all__ = ["CATALOGUE", "DEFAULT_RULES", "RULES", "Rule", "get_rule", "rule", "instantiate", "cluster_of", "rolling_bounds"]


def instantiate(cluster, rule_ids=None, extra_rules=()):
    """Engine properties for ``cluster``: the catalogue (or ``rule_ids`` of it) plus ``extra_rules``.

    Without ``rule_ids`` only the default rules run (``DEFAULT_RULES``: every rule whose ``default`` is
    true); an opt-in rule such as KC-ROLL-003 runs only when its ID is in ``rule_ids``.

    A per-workload rule that applies to several workloads yields one property per workload; the
    explorer needs distinct rule IDs, so those are ``<ID>.<namespace>.<name>`` (``KC-ROLL-001.default.web``).
    A rule with a single instance keeps its plain ID.
    """
    rules = list(DEFAULT_RULES) if rule_ids is None else [get_rule(r) for r in rule_ids]
    rules.extend(extra_rules)
    out = []
    for r in rules:
        props = r.instantiate(cluster)
        if len(props) > 1:
            targets = [(o.namespace, o.name) for kind in r.applies_to for o in cluster.objects(kind)]
            props = [replace(p, rule_id=f"{p.rule_id}.{ns}.{name}") for p, (ns, name) in zip(props, targets)]
        out.extend(props)
    return out
