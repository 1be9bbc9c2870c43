"""Determinism and escaping stay tested (issue 23 item 7).

The same input, run by the CLI under two ``PYTHONHASHSEED`` values, gives byte-identical traces (JSON,
ITF, DOT, SVG, PNG), SARIF, JSON and HTML report.  The only wall-clock figures in the outputs are each
search's ``seconds``; ``KUBECHECK_REPRODUCIBLE=1`` writes them as 0, so nothing is normalised here
(docs/cli.md, "Reproducible outputs").  The input is hostile: its image holds ``<script>``, quotes,
``"]; x [``, bidi marks, a C1 control and a newline followed by a forged ``HOLDS`` line, and its file
name holds quotes, ``<b>`` and a bidi mark; the text output, the DOT/SVG files and the HTML report
(checked in headless Chromium) must show those strings as text and obey none of them.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import CONSOLE, VIOLATION
from .test_report_browser import ARGS, CHROMIUM

#: one worker makes the module fixture (four kubecheck runs) once under pytest-xdist (`make test`)
pytestmark = pytest.mark.xdist_group("determinism")

EVIL_IMAGE = 'x"]; x [<script>window.__pwned=1</script><img src=q onerror="window.__pwned=2">\u202e\u2066\x85\x1b[32m\nHOLDS  KC-FAKE'
EVIL_FILE = 'evil"]; x [<b>\u202e.yaml'
HASH_SEEDS = ("1", "2")


def _yaml_string(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in out) + '"'


@dataclass
class Runs:
    dirs: dict[str, Path]
    stdout: dict[str, str]


def _run(cwd: Path, hashseed: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "KUBECHECK_REPRODUCIBLE": "1"}
    env.pop("KUBECHECK_DEBUG", None)
    return subprocess.run([str(CONSOLE), "check", EVIL_FILE, "-s", "rollout,pod-crash", "--nodes", "1",
                           "--granularity", "reconcile", "-q", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


# session scope: made once per xdist worker (a module-scoped one is made again whenever the worker ran
# another module's test in between)
@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    manifest = VIOLATION.read_text().replace("image: example.com/api:1.4.2", f"image: {_yaml_string(EVIL_IMAGE)}")
    dirs, stdout = {}, {}
    for h in HASH_SEEDS:
        d = tmp_path_factory.mktemp(f"hash{h}")
        (d / EVIL_FILE).write_text(manifest, encoding="utf-8")
        a = _run(d, h, "--out", "out", "-f", "json", "-o", "report.json", "--report", "report.html")
        b = _run(d, h, "--out", "out-sarif", "-f", "sarif", "-o", "report.sarif")
        c = _run(d, h, "--out", "out-text")
        j = _run(d, h, "--out", "out-junit", "-f", "junit", "-o", "report.xml")
        for p in (a, b, c, j):
            assert p.returncode == 1, p.stderr
        (d / EVIL_FILE).unlink()
        dirs[h], stdout[h] = d, c.stdout
    return Runs(dirs, stdout)


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_every_output_is_byte_identical_under_two_hash_seeds(runs: Runs) -> None:
    first, second = (_files(runs.dirs[h]) for h in HASH_SEEDS)
    names = set(first)
    assert {"report.json", "report.sarif", "report.html", "report.xml"} <= names
    for kind in ("trace.json", "trace.itf.json", "scenario.json", "trace.dot", "trace.svg", "lanes.svg"):
        assert any(n.endswith(kind) for n in names), kind
    assert first.keys() == second.keys()
    differ = [n for n in first if first[n] != second[n]]
    assert differ == []
    assert runs.stdout[HASH_SEEDS[0]] == runs.stdout[HASH_SEEDS[1]]


def test_the_reproducible_switch_is_what_zeroes_the_timings(runs: Runs) -> None:
    import json

    report = json.loads((runs.dirs[HASH_SEEDS[0]] / "report.json").read_text())
    assert report["explorations"] and all(e["seconds"] == 0 for e in report["explorations"])


def test_the_text_output_shows_hostile_strings_and_forges_no_line(runs: Runs) -> None:
    out = runs.stdout[HASH_SEEDS[0]]
    assert "HOLDS" in out and not any("KC-FAKE" in line and not line.lstrip().startswith("1. user:") for line in out.splitlines())
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]", out)
    assert "\\u202e\\u2066\\x85\\x1b[32m\\nHOLDS  KC-FAKE" in out  # shown, escaped, on the step's own line
    assert 'evil"]; x [<b>\\u202e.yaml:' in out  # the file name of the location, too


def test_dot_svg_and_junit_of_the_hostile_run_parse_and_hold_no_markup(runs: Runs) -> None:
    import xml.etree.ElementTree as ET

    d = runs.dirs[HASH_SEEDS[0]]
    junit = (d / "report.xml").read_text()
    ET.fromstring(junit)  # a raw ESC is not even allowed in XML 1.0
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", junit)
    assert "\\x1b[32m\\nHOLDS  KC-FAKE" in junit
    for svg in d.rglob("*.svg"):
        root = ET.parse(svg).getroot()  # well-formed
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "img", "foreignObject")]
    for dot in d.rglob("*.dot"):
        src = dot.read_text()
        assert "\u202e" not in src and "\x85" not in src
        assert not re.search(r'(?<!\\)"\]; x \[', src)  # a quote that closes a DOT string is escaped


@pytest.mark.browser
def test_the_html_report_runs_no_script_and_shows_the_text_in_chromium(runs: Runs) -> None:
    if CHROMIUM is None:
        pytest.skip("no Chromium binary (install Debian's chromium: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    url = (runs.dirs[HASH_SEEDS[0]] / "report.html").resolve().as_uri()
    dialogs: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
            page.goto(url)
            viewer = page.locator(".viewer").first
            actions = []
            while not viewer.locator(".next").is_disabled():
                viewer.locator(".next").click()
                actions.append(viewer.locator(".action").inner_text())
            body = page.locator("body").inner_text()
            assert page.evaluate("() => window.__pwned === undefined")
            # the payload is text: no element came from it
            assert page.locator("script:has-text('__pwned'), img[onerror], b:has-text('\u202e')").count() == 0
        finally:
            browser.close()
    assert dialogs == [] and errors == []
    shown = "\n".join(actions)
    assert "<script>window.__pwned=1</script>" in shown and 'onerror="window.__pwned=2"' in shown
    # bidi marks and controls made visible (innerText collapses the double space)
    assert "\\u202e\\u2066\\x85\\x1b[32m\\nHOLDS KC-FAKE" in shown
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x85\x1b]", body + shown)
    assert 'evil"]; x [<b>\\u202e.yaml' in body
