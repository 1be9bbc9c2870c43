"""The layers stay clean: the engine knows nothing of Kubernetes, the model nothing of the CLI, traces
nothing of the model.

Two checks: a static one over every import statement in the source (module level and inside
functions, so a lazy import counts too), and a dynamic one: importing the engine in a fresh
interpreter loads no module of ``model``, ``properties``, ``traces`` or ``graphviz``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]

#: The engine: the package ``kubecheck.core`` (and ``kubecheck/__init__.py``, which imports nothing).
ENGINE = ("kubecheck/__init__.py", "kubecheck/core")
ENGINE_MODULES = ("kubecheck", "kubecheck.core")


def _files(*paths: str) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        q = ROOT / p
        out += sorted(q.rglob("*.py")) if q.is_dir() else [q]
    return out


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.lineno, node.module)]
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names if node.module == "kubecheck"]
    return out


def _violations(paths: list[Path], forbidden: Callable[[str], bool]) -> list[str]:
    return [f"{p.relative_to(ROOT)}:{line}: imports {mod}" for p in paths for line, mod in _imports(p) if forbidden(mod)]


def _top(mod: str) -> str:
    return mod.split(".")[0]


def _is_engine(mod: str) -> bool:
    return mod == "kubecheck" or mod == "kubecheck.core" or mod.startswith("kubecheck.core.")


def test_the_engine_imports_nothing_of_kubernetes_or_the_application() -> None:
    def bad(mod: str) -> bool:
        if _top(mod) in ("model", "properties", "traces", "graphviz"):
            return True
        return _top(mod) == "kubecheck" and not _is_engine(mod)

    assert _violations(_files(*ENGINE), bad) == []


def test_the_model_imports_only_the_engine_of_kubecheck() -> None:
    def bad(mod: str) -> bool:
        return _top(mod) == "kubecheck" and not _is_engine(mod)

    assert _violations(_files("model"), bad) == []


def test_traces_import_nothing_of_the_model_or_the_application() -> None:
    def bad(mod: str) -> bool:
        return _top(mod) in ("model", "properties") or (_top(mod) == "kubecheck" and not _is_engine(mod))

    assert _violations(_files("traces"), bad) == []


def test_the_checker_sees_what_it_guards() -> None:
    # The static check would pass vacuously if it found no imports: it sees the explorer's own.
    found = {m for p in _files("kubecheck/core/explorer") for _, m in _imports(p)}
    assert "kubecheck.core.trace" in found and "kubecheck.core.verdict" in found
    # ... and it would flag a lazy import inside a function.
    sample = ROOT / "kubecheck" / "runner.py"
    assert any(m == "model.system" for _, m in _imports(sample))


def test_importing_the_engine_loads_no_kubernetes_module() -> None:
    code = ("import sys, kubecheck, kubecheck.core, kubecheck.core.explorer, kubecheck.core.trace\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('model', 'properties', 'traces', 'graphviz'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""
