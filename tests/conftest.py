"""Suite-wide settings: the Z3 count-model proof cache (kubecheck.symbolic.check) goes to a fresh
temporary directory per test session, so no test reads a proof cached by an earlier run or writes
into the user's ~/.cache (CLI subprocesses inherit the variable)."""

from __future__ import annotations

import os
import tempfile

import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_proof_cache() -> object:
    old = os.environ.get("KUBECHECK_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="kubecheck-cache-") as d:
        os.environ["KUBECHECK_CACHE_DIR"] = d
        yield d
    if old is None:
        os.environ.pop("KUBECHECK_CACHE_DIR", None)
    else:
        os.environ["KUBECHECK_CACHE_DIR"] = old


#: ``@pytest.mark.tier2``: a larger instance of something a cheaper test checks in every run (a bigger replica
#: count, more Hypothesis examples, a second output format, a second process start-up).  It runs with
#: ``KUBECHECK_SLOW=1`` (``make test-slow``) and is skipped otherwise, so the README's ``make test`` stays well
#: inside CI's 15 minutes (docs/performance.md, "Test-suite time").
SLOW = bool(os.environ.get("KUBECHECK_SLOW"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SLOW:
        return
    skip = pytest.mark.skip(reason="tier 2 (a larger instance of a test that runs anyway): KUBECHECK_SLOW=1")
    for item in items:
        if item.get_closest_marker("tier2") is not None:
            item.add_marker(skip)
