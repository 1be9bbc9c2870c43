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
