"""JSON output: schema ``kubecheck-report/1`` (:data:`REPORT_JSON_SCHEMA`, documented in docs/cli.md).

The document is :meth:`CheckReport.to_dict` plus the derived ``exit_code``, ``verdict`` and
``counts``; :meth:`CheckReport.from_dict` reads it back (the derived fields are recomputed), so
``from_dict(json.loads(out)).to_json() == out``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_json", "REPORT_JSON_SCHEMA"]

_STR = {"type": "string"}
_STRS = {"type": "array", "items": _STR}
_VERDICT = {"enum": ["holds", "violated", "error", "holds_within_bounds", "sampled"]}
_NULL_STR = {"type": ["string", "null"]}
_SEVERITY = {"enum": ["error", "warning", "info"]}
_LOCATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["file", "line", "column", "field"],
    "properties": {
        "file": _STR, "line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}, "field": _STR,
        "template": {**_STR, "description": "the Helm template the object was rendered from (its '# Source:' comment)"},
        "object": {**_STR, "description": "the object the location is in, 'Kind namespace/name'"},
    },
}

#: JSON Schema (draft 2020-12) of ``kubecheck check --format json``.
REPORT_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kubecheck-report/1",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema", "files", "nodes_added", "skipped", "engine", "bounds", "symmetry", "settle_steps", "settled",
                 "scenarios", "explorations", "findings", "out_dir", "exit_code", "verdict", "counts",
                 "start", "startup_rules", "after_convergence", "not_applicable", "warnings"],
    "properties": {
        "schema": {"const": "kubecheck-report/1"},
        "files": _STRS,
        "nodes_added": _STRS,
        "skipped": _STRS,
        "engine": {"enum": ["explicit", "random"]},
        "bounds": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: {"type": ["number", "null"]} for k in ("max_depth", "max_states", "timeout", "max_memory")},
        },
        "symmetry": {"type": "boolean"},
        "settle_steps": {"type": "integer", "minimum": 0},
        "settled": {"type": "boolean"},
        "start": {"enum": ["settled", "loaded"], "description": "where the scenarios were explored from: the settled "
                  "state (one deterministic start-up order, settle_steps steps from the manifests) or the loaded manifests"},
        "startup_rules": {**_STRS, "description": "invariant/action rules checked on every step of the settle path "
                          "(violations reported under the scenario 'startup')"},
        "after_convergence": {**_STRS, "description": "rules judged only after the first convergence, not during start-up"},
        "not_applicable": {**_STRS, "description": "rules with no target in the manifests: not checked"},
        "settle_cut": {"type": ["string", "null"], "description": "the bound that cut start-up (nothing is claimed); null "
                       "when the cluster settled or the start-up order livelocked"},
        "warnings": {**_STRS, "description": "caveats about what was checked, one line each (FILE:LINE: ...), e.g. a "
                     "Service whose selector matches no workload's pods (KC-ROLL-004 says nothing about it)"},
        "fail_on": {**_SEVERITY, "description": "the lowest severity whose violations fail the run (--fail-on)"},
        "config_file": {**_STR, "description": "the configuration file read (.kubecheck.yaml or --config); empty: none"},
        "caches": {"enum": ["off", "lagged"], "description": "--caches: informer caches modelled for every scenario "
                   "that sets none of its own (the scenario's own: scenarios[].caches)"},
        "kubernetes_version": {**_STR, "description": "--kubernetes-version: the Kubernetes version followed by every "
                               "scenario that names none (the scenario's own: scenarios[].kubernetes_version)"},
        "groups": {"type": "array", "items": _STRS, "description": "the interaction groups explored apart (members as "
                   "'Kind namespace/name'); empty when every search covered the whole cluster"},
        "out_dir": _STR,
        "exit_code": {"enum": [0, 1, 2, 3, 4]},
        "verdict": _VERDICT,
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "scenarios": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "description", "user_actions", "faults", "granularity"],
                "properties": {
                    "name": _STR,
                    "description": _STR,
                    "user_actions": _STRS,
                    "faults": {"type": "array", "items": {"type": "array", "prefixItems": [_STR, {"type": "integer"}], "minItems": 2, "maxItems": 2}},
                    "granularity": {"enum": ["write", "reconcile"]},
                    "bounds": {"oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": False,
                               "properties": {k: {"type": ["number", "null"]} for k in ("max_depth", "max_states", "timeout", "max_memory")}}],
                               "description": "this scenario's bounds when a scenario file overrides the command line's (null: the command line's)"},
                    "caches": {"enum": ["", "off", "lagged"], "description": "the cache mode modelled in this scenario (empty: not recorded)"},
                    "kubernetes_version": {**_STR, "description": "the Kubernetes version followed in this scenario (empty: not recorded)"},
                },
            },
        },
        "explorations": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["scenario", "properties", "symmetry", "reductions", "states", "transitions", "max_depth", "seconds", "complete",
                             "bound_hit", "start"],
                "properties": {
                    "scenario": _STR,
                    "properties": {"type": "integer"},
                    "symmetry": {"type": "boolean"},
                    "reductions": _STRS,
                    "states": {"type": "integer"},
                    "transitions": {"type": "integer"},
                    "max_depth": {"type": "integer"},
                    "seconds": {"type": "number"},
                    "complete": {"type": "boolean"},
                    "bound_hit": _NULL_STR,
                    "start": {"enum": ["settled", "loaded"]},
                    "workers": {"type": ["integer", "null"], "description": "a distributed search (--ray): how many "
                                "workers ran; null: one process"},
                    "states_per_second_per_worker": {"type": ["number", "null"], "description": "a distributed search: "
                                                     "the states per wall second per worker (0 under KUBECHECK_REPRODUCIBLE)"},
                    "subject": {"type": "string", "description": "what the search covered of its scenario: the "
                                "interaction group and the workload it rolls (empty: all of it)"},
                },
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["scenario", "rule_id", "title", "kind", "category", "target", "verdict", "exit_code", "note",
                             "bound_hit", "location", "trace", "reductions", "severity", "status", "suppression", "objects",
                             "related", "fix"],
                "properties": {
                    "scenario": _STR,
                    "rule_id": _STR,
                    "title": _STR,
                    "kind": _STR,
                    "category": _STR,
                    "target": _STR,
                    "verdict": _VERDICT,
                    "exit_code": {"enum": [0, 1, 2, 3, 4]},
                    "note": _STR,
                    "bound_hit": _NULL_STR,
                    "reductions": _STRS,
                    "severity": {**_SEVERITY, "description": "the rule's severity (after the configuration's overrides); "
                                 "a violation fails the run only at or above fail_on"},
                    "status": {"enum": ["active", "suppressed"], "description": "suppressed: accepted by an annotation or "
                               "the configuration; reported, not counted in the exit code"},
                    "suppression": {"oneOf": [{"type": "null"}, {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["kind", "justification", "file", "line"],
                        "properties": {"kind": {"enum": ["inSource", "external"]}, "justification": _STR, "file": _STR,
                                       "line": {"type": "integer", "minimum": 1}},
                    }]},
                    "objects": {**_STRS, "description": "the manifest objects the finding is about, 'Kind namespace/name'"},
                    "related": {"type": "array", "items": _LOCATION, "description": "where the other objects of the "
                                "finding are (the Service of a Deployment finding, the workload behind a Service)"},
                    "fix": {**_STR, "description": "the concrete edit that would fix a violation, when there is one"},
                    "location": {"oneOf": [{"type": "null"}, _LOCATION]},
                    "trace": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["dir", "files", "steps", "loop_start", "warnings"],
                                "properties": {"dir": _STR, "files": _STRS, "steps": _STRS, "loop_start": {"type": ["integer", "null"]}, "warnings": _STRS},
                            },
                        ]
                    },
                },
            },
        },
    },
}


def render_json(report: Any) -> str:
    return str(report.to_json())
