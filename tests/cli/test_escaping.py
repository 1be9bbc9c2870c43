"""Output that cannot be forged (issue 23 item 6): every user string on stderr goes through one escape
function (``traces._text.printable``), so a hostile key, value or file name can neither add a line nor
send an escape sequence, a C1 control or a bidi mark to the terminal or a CI log."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from .conftest import CONSOLE

RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _check(cwd: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECHECK_DEBUG"}
    return subprocess.run([str(CONSOLE), "check", *paths, "-q"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_hostile_label_key_is_one_escaped_stderr_line(tmp_path: Path) -> None:
    """(Was a duplicate key: manifests now take the last value, as kubectl's YAML decoding does.)"""
    key = r"x\e[2J\e]0;owned\a\u202e\N"  # YAML escapes: ESC, BEL, RLO, NEL (raw ones are refused by the reader)
    (tmp_path / "d.yaml").write_text(
        f'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    "{key}": a\n'
        f'spec: {{containers: [{{name: c, image: nginx}}]}}\n',
        encoding="utf-8")
    p = _check(tmp_path, "d.yaml")
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("d.yaml:6: metadata.labels: "), p.stderr
    assert not RAW.search(p.stderr.rstrip("\n"))
    assert "\\u001b[2J\\u001b]0;owned\\u0007\\u202e" in lines[0]  # (NEL is a line break to ManifestError: a space)


def test_a_value_with_a_newline_cannot_forge_a_second_error_line(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "a\\nd.yaml:1: everything is fine\\u2028ok"\n',
        encoding="utf-8")
    p = _check(tmp_path, "d.yaml")
    lines = p.stderr.splitlines()
    assert p.returncode == 2 and lines[0].startswith("d.yaml:4: metadata.name: "), p.stderr
    assert not any("everything is fine" in ln for ln in lines[1:]) and all(ln.startswith("d.yaml:") for ln in lines)
    assert not RAW.search(p.stderr.rstrip("\n"))


def test_a_hostile_file_name_is_escaped_in_every_error_line(tmp_path: Path) -> None:
    name = "bad\nHOLDS  KC-ROLL-004 \u202e\x1b[32m.yaml"
    (tmp_path / name).write_text("kind: [\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: 3}\n---\nkind: [\n", encoding="utf-8")
    p = _check(tmp_path, name, "two.yaml")
    lines = p.stderr.splitlines()
    assert p.returncode == 2 and p.stdout == ""
    assert len(lines) == 3, p.stderr  # one per error: the bad file's, and the two of two.yaml
    # (ManifestError keeps its message on one line itself: the newline of the name became a space)
    assert lines[0].startswith("bad HOLDS  KC-ROLL-004 \\u202e\\x1b[32m.yaml:2: invalid YAML: ")
    assert [ln.split(":", 2)[:2] for ln in lines[1:]] == [["two.yaml", "3"], ["two.yaml", "6"]]
    assert not RAW.search(p.stderr.rstrip("\n"))
