"""pytest plugin: model-check manifests from a test.

::

    from kubecheck.pytest_plugin import assert_holds

    def test_web_rollout_keeps_capacity():
        assert_holds("deploy/web.yaml", "KC-ROLL-001", scenario="rollout", max_states=20_000)

    def test_with_fixture(kubecheck):
        kubecheck.assert_holds(MANIFEST_TEXT, "KC-OWN-001", scenario="pod-crash")

``manifests`` is a path, a list of paths, or YAML text (anything containing a newline).
``assert_holds`` raises ``AssertionError`` with the counterexample's steps when the rule is
violated (or errors), and also when the search was cut by a bound (HOLDS_WITHIN_BOUNDS): a bounded
search is not evidence that the rule holds, so it fails unless ``allow_bounded=True`` (stateright's
"model checking is incomplete" refusal).  Registered through the ``pytest11`` entry point as
``kubecheck``; the ``kubecheck`` fixture gives the same functions.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any, Sequence

import pytest

__all__ = ["assert_holds", "check", "KubecheckFixture"]


def _load(manifests: str | Path | Sequence[str | Path]) -> Any:
    from model.manifests import load_manifests, load_text

    if isinstance(manifests, str) and "\n" in manifests:
        return load_text(manifests, "<manifests>")
    paths = [str(manifests)] if isinstance(manifests, (str, Path)) else [str(p) for p in manifests]
    return load_manifests(paths, stdin=io.StringIO(""))


def check(manifests: Any, rule_id: str | Sequence[str] | None = None, *, scenario: str | Sequence[str] = "rollout",
          scenario_file: str | None = None, nodes: int = 2, out_dir: str | None = None, **bounds: Any) -> Any:
    """Run ``kubecheck check`` in-process; returns the :class:`kubecheck.runner.CheckReport`.

    ``bounds``: ``max_states``, ``max_depth``, ``timeout``, ``max_memory``, ``symmetry``, ``fingerprint``,
    ``granularity``.
    """
    from kubecheck.runner import CheckConfig, run_check

    load = _load(manifests)
    if load.errors:
        from traces import printable

        raise AssertionError("the manifests do not load:\n" + "\n".join(printable(e) for e in load.errors))
    scenarios = (scenario,) if isinstance(scenario, str) else tuple(scenario)
    rule_ids = None if rule_id is None else ((rule_id,) if isinstance(rule_id, str) else tuple(rule_id))
    allowed = {"max_states", "max_depth", "timeout", "max_memory", "symmetry", "fingerprint", "granularity"}
    unknown = set(bounds) - allowed
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    cfg = CheckConfig(
        scenarios=() if scenario_file and scenario == "rollout" else scenarios,
        scenario_files=(scenario_file,) if scenario_file else (),
        rule_ids=rule_ids,
        nodes=nodes,
        out_dir=out_dir or tempfile.mkdtemp(prefix="kubecheck-"),
        progress=False,
        **{"max_states": 50_000, "timeout": 60.0, **bounds},
    )
    return run_check(cfg, load)


def _explain(findings: list[Any]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.rule_id} {f.target or '(cluster)'} in scenario {f.scenario}: {f.verdict.upper()}")
        lines.append(f"  {f.title}")
        if f.note:
            lines.append(f"  {f.note}")
        if f.trace is not None:
            lines += [f"    {s}" for s in f.trace.steps]
            lines.append(f"  trace: {f.trace.dir}")
    from traces import printable  # test logs: a user string adds no line and no escape sequence

    return "\n".join(printable(line) for line in lines)


def assert_holds(manifests: Any, rule_id: str | Sequence[str], scenario: str | Sequence[str] = "rollout", *,
                 allow_bounded: bool = False, **options: Any) -> Any:
    """Fail unless ``rule_id`` holds for every workload in every scenario, exhaustively.

    Returns the report.  ``allow_bounded=True`` accepts HOLDS_WITHIN_BOUNDS.
    """
    from kubecheck.core.errors import InvalidScenario

    try:
        report = check(manifests, rule_id, scenario=scenario, **options)
    except InvalidScenario as exc:  # e.g. nothing to check: a rule that applies to nothing never "holds"
        raise AssertionError(f"kubecheck: {exc}") from None
    if not report.findings:
        raise AssertionError(f"{rule_id} applies to nothing in these manifests (no workload of the kinds it checks)")
    bad = [f for f in report.findings if f.verdict in ("violated", "error")]
    if bad:
        raise AssertionError("kubecheck found a counterexample:\n" + _explain(bad))
    bounded = [f for f in report.findings if f.verdict == "holds_within_bounds"]
    if bounded and not allow_bounded:
        raise AssertionError(
            "kubecheck: no violation found, but the search was cut by a bound, so this proves nothing "
            "(raise max_states/timeout, or pass allow_bounded=True):\n" + _explain(bounded)
        )
    return report


class KubecheckFixture:
    """What the ``kubecheck`` fixture gives: :func:`check` and :func:`assert_holds`, traces under tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path

    def check(self, manifests: Any, rule_id: Any = None, **kw: Any) -> Any:
        kw.setdefault("out_dir", str(self.tmp_path / "kubecheck-out"))
        return check(manifests, rule_id, **kw)

    def assert_holds(self, manifests: Any, rule_id: Any, scenario: Any = "rollout", **kw: Any) -> Any:
        kw.setdefault("out_dir", str(self.tmp_path / "kubecheck-out"))
        return assert_holds(manifests, rule_id, scenario, **kw)


@pytest.fixture
def kubecheck(tmp_path: Path) -> KubecheckFixture:
    """Model-check manifests from a test: ``kubecheck.assert_holds(path_or_yaml, "KC-ROLL-001")``."""
    return KubecheckFixture(tmp_path)
