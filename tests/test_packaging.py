"""Packaging for CI: runtime dependencies, the pre-commit hook, the GitHub Action, a fresh `pip install .`."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
VIOLATION = ROOT / "examples" / "violations" / "single-replica-api.yaml"
KUBECHECK = Path(sys.executable).with_name("kubecheck")
SMALL = ["--nodes", "1", "--granularity", "reconcile"]


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _names(reqs: list[str]) -> set[str]:
    return {re.split(r"[<>=!~ \[;]", r, maxsplit=1)[0].lower() for r in reqs}


# ------------------------------------------------------------------------------- dependencies


def test_runtime_dependencies_are_what_the_cli_imports() -> None:
    project = _pyproject()["project"]
    deps = _names(project["dependencies"])
    # jsonschema validates scenario files and .kubecheck.yaml at run time; Hypothesis runs --engine random
    assert {"jsonschema", "hypothesis", "z3-solver", "networkx", "graphviz", "pyyaml", "click", "tqdm"} <= deps
    # pytest is needed only by the pytest plugin (loaded by pytest itself): an extra, not the runtime
    assert "pytest" not in deps
    assert "pytest" in _names(project["optional-dependencies"]["pytest"])
    assert "pytest" in _names(project["optional-dependencies"]["test"])
    assert project["entry-points"]["pytest11"] == {"kubecheck": "kubecheck.pytest_plugin"}


def test_no_runtime_module_imports_pytest() -> None:
    """Only the plugin imports pytest; everything the console script reaches must not."""
    offenders = []
    for pkg in ("kubecheck", "model", "properties", "traces"):
        for f in (ROOT / pkg).rglob("*.py"):
            if f.name == "pytest_plugin.py":
                continue
            if re.search(r"^\s*(import pytest|from pytest\b)", f.read_text(encoding="utf-8"), re.MULTILINE):
                offenders.append(str(f.relative_to(ROOT)))
    assert offenders == []


# ----------------------------------------------------------------------------- pre-commit hook


def test_pre_commit_hook_runs_kubecheck_check_on_changed_manifests(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "kubecheck" and hook["language"] == "python"  # pre-commit pip-installs this repository
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for changed in ("deploy/web.yaml", "k8s/db.yml", "list.json"):
        assert files.search(changed), changed
    for other in ("README.md", "kubecheck/cli.py", "values.yaml.tpl"):
        assert not files.search(other), other
    argv = shlex.split(hook["entry"])
    assert argv[:2] == ["kubecheck", "check"]
    assert argv[0] in _pyproject()["project"]["scripts"]
    # pre-commit runs `entry` with the changed files appended: a violation fails the commit (exit 1)
    bad = subprocess.run([str(KUBECHECK), *argv[1:], *SMALL, "-s", "pod-crash", str(VIOLATION)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "VIOLATED  KC-ROLL-004" in bad.stdout and bad.stdout.count("\n") > 5
    good = subprocess.run([str(KUBECHECK), *argv[1:], *SMALL, "-s", "pod-crash", "-p", "KC-OWN-001", str(VIOLATION)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr


@pytest.mark.tier2  # ~40 s (a pip install into pre-commit's own environment); the hook's entry runs in CI above
def test_pre_commit_try_repo_runs_the_hook(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs this repository as the hook's environment and runs it on a commit's files."""
    consumer = tmp_path / "consumer"
    (consumer / "deploy").mkdir(parents=True)
    shutil.copy(VIOLATION, consumer / "deploy" / "api.yaml")
    (consumer / "README.md").write_text("# not a manifest\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", "init", "-q"], cwd=consumer, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=consumer, check=True, env=env)
    pre_commit = [str(Path(sys.executable).with_name("pre-commit")), "try-repo", str(ROOT), "kubecheck"]
    r = subprocess.run(pre_commit + ["--files", "deploy/api.yaml"], cwd=consumer, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r"^kubecheck check\.+Failed$", r.stdout, re.MULTILINE), r.stdout
    assert "- exit code: 1" in r.stdout and "VIOLATED  KC-ROLL-004" in r.stdout
    r = subprocess.run(pre_commit + ["--files", "README.md"], cwd=consumer, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0 and re.search(r"^kubecheck check\.+\(no files to check\)Skipped$", r.stdout, re.MULTILINE), r.stdout


# ------------------------------------------------------------------------------ GitHub Action


def _expand(text: str, values: dict[str, str]) -> str:
    """GitHub's ``${{ expr }}`` for the plain references the action uses."""
    def sub(m: re.Match[str]) -> str:
        return values[m.group(1).strip()]

    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", sub, text)


def test_action_is_composite_install_run_upload() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    names = [s.get("uses", "").split("@")[0] or s["id" if "id" in s else "name"] for s in steps]
    assert names == ["actions/setup-python", "Install kubecheck", "check", "github/codeql-action/upload-sarif",
                     "Fail on kubecheck's exit code"]
    install, check, upload, fail = steps[1:]
    assert all(s["shell"] == "bash" for s in (install, check, fail))
    assert "pip install" in install["run"] and install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert "kubecheck check $PATHS $ARGS --format sarif --output \"$SARIF\"" in check["run"]
    # the upload reads the file the check wrote, and runs even when the check found violations
    assert upload["with"]["sarif_file"] == check["env"]["SARIF"] == "${{ inputs.sarif-file }}"
    assert upload["if"].startswith("${{ always()")
    assert fail["env"]["CODE"] == "${{ steps.check.outputs.exit-code }}"
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    # inputs reach the shell through the environment, never spliced into the script
    for s in (install, check, fail):
        assert "${{" not in s["run"]
    assert set(action["inputs"]) == {"paths", "args", "sarif-file", "upload-sarif", "python-version"}


def test_action_check_step_writes_sarif_and_reports_the_exit_code(tmp_path: Path) -> None:
    """Run the action's check and fail steps as the runner would (bash, GITHUB_OUTPUT, env)."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs = {k: v.get("default", "") for k, v in action["inputs"].items()}
    inputs.update(paths=str(VIOLATION), args="-s pod-crash -p KC-ROLL-004 --nodes 1 --granularity reconcile -q")
    steps = {s.get("id") or s["name"]: s for s in action["runs"]["steps"]}
    values = {f"inputs.{k}": v for k, v in inputs.items()}
    check = steps["check"]
    out_file = tmp_path / "github_output"
    env = {**os.environ, "GITHUB_OUTPUT": str(out_file), "PATH": f"{KUBECHECK.parent}{os.pathsep}{os.environ['PATH']}",
           **{k: _expand(v, values) for k, v in check["env"].items()}}
    r = subprocess.run(["bash", "-e", "-c", check["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr  # the step itself succeeds so that the upload runs
    assert out_file.read_text().strip() == "exit-code=1"
    sarif = json.loads((tmp_path / inputs["sarif-file"]).read_text())
    assert sarif["version"] == "2.1.0" and [res["ruleId"] for res in sarif["runs"][0]["results"]] == ["KC-ROLL-004"]
    values["steps.check.outputs.exit-code"] = "1"
    fail = steps["Fail on kubecheck's exit code"]
    env = {**os.environ, **{k: _expand(v, values) for k, v in fail["env"].items()}}
    assert subprocess.run(["bash", "-c", fail["run"]], env=env).returncode == 1


# ------------------------------------------------------------------------- a fresh pip install


SCENARIO = """\
name: crash-during-rollout
description: set image while one container may crash
actions:
  - set-image: {kind: Deployment, name: api, image: example.com/api:2}
faults: {container_crash: 1}
properties: [KC-ROLL-004]
"""


def test_fresh_venv_pip_install_runs_every_command(tmp_path: Path) -> None:
    """`python -m venv v && v/bin/pip install .` (no extras, real dependencies from the index), then the CLI."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "bench", "out", "kubecheck-out",
                                                               "*.egg-info", "build", "__pycache__", ".mypy_cache",
                                                               ".pytest_cache", ".hypothesis", "traces-out"))
    env_dir = tmp_path / "v"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    pip = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(src)],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    exe = str(env_dir / "bin" / "kubecheck")
    work = tmp_path / "work"
    work.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], cwd=work, capture_output=True, text=True, timeout=300, env=clean)

    # pytest is not pulled in by the runtime; jsonschema is
    assert subprocess.run([str(py), "-c", "import pytest"], capture_output=True, env=clean).returncode != 0
    assert subprocess.run([str(py), "-c", "import jsonschema, hypothesis"], capture_output=True, env=clean).returncode == 0
    (work / "s.yaml").write_text(SCENARIO)
    r = run("check", str(VIOLATION), "--scenario-file", "s.yaml", *SMALL, "-q", "-f", "json", "--out", "o")
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert [s["name"] for s in doc["scenarios"]] == ["crash-during-rollout"]
    (f,) = [f for f in doc["findings"] if f["verdict"] == "violated"]
    trace = Path(f["trace"]["dir"]) / "trace.json"
    trace = trace if trace.is_absolute() else work / trace
    r = run("replay", str(trace))
    assert r.returncode == 0 and "still violates KC-ROLL-004" in r.stdout, r.stdout + r.stderr
    r = run("render", str(trace), "--out", "rendered")
    assert r.returncode == 0 and (work / "rendered" / "trace.json").is_file(), r.stdout + r.stderr
    r = run("explain", "KC-ROLL-004")
    assert r.returncode == 0 and "fix:" in r.stdout
    r = run("scenarios")
    assert r.returncode == 0 and "rollout" in r.stdout
    r = run("selectors", str(VIOLATION))
    assert r.returncode == 0 and "no overlapping selectors" in r.stdout, r.stdout + r.stderr
    r = run("prove", "rollout", "--replicas", "1..3", "--max-surge", "1", "--max-unavailable", "0")
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("check", str(VIOLATION), "-s", "pod-crash", *SMALL, "-q", "--engine", "random", "--examples", "5", "--out", "o2",
            "-p", "KC-OWN-001")
    assert r.returncode == 4, r.stdout + r.stderr  # the random engine runs (Hypothesis is a runtime dependency)
    bad = (work / "bad.yaml")
    bad.write_text("name: x\nactions:\n  - explode: {}\n")
    r = run("check", str(VIOLATION), "--scenario-file", "bad.yaml", "--out", "o3")
    assert r.returncode == 2 and r.stderr.startswith("bad.yaml:3: actions[0].explode: unknown action explode"), r.stderr
