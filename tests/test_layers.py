"""The layers stay clean: the engine knows nothing of Kubernetes, the model nothing of the application,
traces nothing of the model, and no package reaches into another package's private modules.

Two kinds of checks: static ones over every import statement in the source (module level and inside
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
#: The source packages whose private modules (``_name.py``) only their own modules may import.
PACKAGES = ("kubecheck", "model", "properties", "traces", "bench")


def _files(*paths: str) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        q = ROOT / p
        out += sorted(q.rglob("*.py")) if q.is_dir() else [q]
    return out


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, absolute: ``from a.b import c`` gives ``a.b`` and ``a.b.c``
    (``c`` may be a module), relative imports are resolved against the file's package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_of(path) if path.name == "__init__.py" else _module_of(path).rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out += [(node.lineno, module)] if node.module else []
            out += [(node.lineno, f"{module}.{a.name}") for a in node.names]
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


def _private_module(mod: str) -> str | None:
    """The package that owns ``mod`` if ``mod`` names one of its private modules (``pkg._name``, a
    file or a package in the repository), else None."""
    parts = mod.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__") and i > 0:
            where = ROOT.joinpath(*parts[: i + 1])
            if where.with_suffix(".py").is_file() or (where / "__init__.py").is_file():
                return ".".join(parts[:i])
            return None
    return None


def test_no_module_imports_another_packages_private_modules() -> None:
    def bad_in(path: Path) -> Callable[[str], bool]:
        me = _module_of(path)

        def bad(mod: str) -> bool:
            owner = _private_module(mod)
            return owner is not None and not (me == owner or me.startswith(owner + "."))

        return bad

    found = [v for p in _files(*PACKAGES) for v in _violations([p], bad_in(p))]
    assert found == []


def test_the_checker_sees_what_it_guards() -> None:
    # The static checks would pass vacuously if they found no imports: they see the explorer's own.
    found = {m for p in _files("kubecheck/core/explorer") for _, m in _imports(p)}
    assert "kubecheck.core.trace" in found and "kubecheck.core.verdict" in found
    assert "kubecheck.core.explorer._common" in found  # a relative import, resolved
    # ... they would flag a lazy import inside a function,
    sample = ROOT / "kubecheck" / "runner.py"
    assert any(m == "model.system" for _, m in _imports(sample))
    # ... and a private module of another package, but not one's own.
    assert _private_module("kubecheck.core.explorer._common") == "kubecheck.core.explorer"
    assert _private_module("properties._common.cluster_of") == "properties"
    assert _private_module("kubecheck.scenarios._BUILTIN_TEXT") is None  # a private name, not a module


def test_importing_the_engine_loads_no_kubernetes_module() -> None:
    code = ("import sys, kubecheck, kubecheck.core, kubecheck.core.explorer, kubecheck.core.trace, kubecheck.core.judge, "
            "kubecheck.core.reductions\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('model', 'properties', 'traces', 'graphviz'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_doctests_run_with_the_suite() -> None:
    # The packages' docstring examples are part of `make test` (pyproject: --doctest-modules over them).
    import tomllib

    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in cfg["addopts"].split()
    assert {"kubecheck", "model", "properties", "traces"} <= set(cfg["testpaths"])
