"""``python -m properties --markdown`` prints docs/properties.md from the catalogue itself."""

from __future__ import annotations

import sys

from properties.catalogue import RULES

_KIND_TEXT = {
    "invariant": "invariant (every reachable state)",
    "action": "action property (every reachable step)",
    "eventually_always": "eventually always, under weak fairness of controllers and kubelets, once user actions and faults stop",
    "always_eventually": "always eventually, under weak fairness",
}

_CATEGORY_TITLES = {
    "convergence": "Convergence",
    "ownership": "Ownership",
    "rollout": "Rollout availability",
    "statefulset": "StatefulSet identity",
    "sandbox": "Pod sandbox",
}


def markdown() -> str:
    lines = [
        "# Property catalogue",
        "",
        "Generated from `properties/catalogue.py` by `python -m properties --markdown`; a test keeps this",
        "file and the code in step. Every rule has a stable ID used in SARIF, JUnit and JSON output.",
        "",
        "Involuntary disruptions (crashes, sandbox death, node failure, force delete) are not counted against",
        "KC-ROLL-001/002/003: upstream promises nothing there, so those rules judge only steps taken by a",
        "workload controller. KC-ROLL-004 (zero downtime) is the user's stronger promise and counts everything.",
        "",
        "Rules marked *opt-in* are not run by default (`kubecheck check` without `-p`, or",
        "`properties.instantiate(cluster)`); name them explicitly (`-p KC-ROLL-003`) to run them.",
        "",
        "Every rule has a *severity* (error, warning or info). The verdict does not depend on it; it decides",
        "whether a violation fails the run: `kubecheck check --fail-on error` (the default) exits 1 only for",
        "violations of error rules, `--fail-on warning` also for warnings, `--fail-on info` for all.",
        "`.kubecheck.yaml` can override a rule's severity (`severity: {KC-OWN-004: warning}`).",
        "",
        "| ID | statement | kind | severity | default |",
        "|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(f"| `{r.rule_id}` | {r.title} | {r.kind.value} | {r.severity} | {'yes' if r.default else '**opt-in**'} |")
    current = None
    for r in RULES:
        if r.category != current:
            current = r.category
            lines += ["", f"## {_CATEGORY_TITLES.get(current, current)}"]
        lines += [
            "",
            f"### {r.rule_id}: {r.title}",
            "",
            f"*Kind:* {_KIND_TEXT[r.kind.value]}."
            + (f" Checked per {', '.join(r.applies_to)}." if r.applies_to else " Checked cluster-wide.")
            + ("" if r.default else " **Opt-in:** not run by default; select it with `-p " + r.rule_id + "`."),
            "",
            f"*What it counts:* {r.counts}",
            "",
            f"*Upstream:* {r.upstream}",
            "",
            f"*Severity:* {r.severity}. *How to fix:* {r.remediation}",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        print("usage: python -m properties --markdown", file=sys.stderr)
        sys.exit(2)
    sys.stdout.write(markdown())
