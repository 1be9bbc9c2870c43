"""mypy over the packages, with the configuration in ``pyproject.toml`` ([tool.mypy]).

The type hints are part of the contract (project rule: type hints everywhere); this keeps them
checked.  Runs in-process through ``mypy.api`` from the repository root so ``packages`` and the
per-module overrides in pyproject apply; the incremental cache (``.mypy_cache``, git-ignored)
makes repeat runs fast (about 1 s warm, 5-10 s cold).
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from mypy import api  # in the [test] extra; a missing mypy fails here rather than skipping the check

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_reports_no_errors() -> None:
    cwd = os.getcwd()
    # mypy tunes process-wide settings for its own run; the rest of the session gets them back.
    gc_threshold, recursion_limit = gc.get_threshold(), sys.getrecursionlimit()
    os.chdir(ROOT)  # mypy reads ./pyproject.toml and resolves `packages` against the cwd
    try:
        stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    finally:
        os.chdir(cwd)
        gc.set_threshold(*gc_threshold)
        sys.setrecursionlimit(recursion_limit)
    assert status == 0, f"mypy found type errors (exit {status}):\n{stdout}{stderr}"
    assert stdout.startswith("Success: no issues found"), stdout
