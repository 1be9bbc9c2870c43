"""The HTML report: self-contained, escaped, and stepping through a trace in real headless Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kubecheck.report import render_report

from .conftest import VIOLATION

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_is_self_contained(violation_run) -> None:  # type: ignore[no-untyped-def]
    html = (violation_run.cwd / "report.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html), "no network references"
    assert "<link" not in html and "data:image/svg+xml;base64," in html
    assert html.count('class=\'viewer\'') == 1  # one counterexample (KC-ROLL-004)


EVIL = (VIOLATION.read_text()
        .replace("example.com/api:1.4.2", '"x</script><script>alert(1)</script><b>boom</b>"'))


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    from kubecheck.runner import CheckConfig, run_check
    from model.manifests import load_text

    cfg = CheckConfig(scenarios=("rollout",), rule_ids=("KC-ROLL-004",), nodes=1, granularity="reconcile",
                      out_dir=str(tmp_path / "o"), progress=False)
    report = run_check(cfg, load_text(EVIL, "evil.yaml"))
    assert report.exit_code == 1
    html = render_report(report)
    assert "<b>boom</b>" not in html and "<script>alert(1)" not in html
    assert "\\u003cb\\u003eboom" in html  # inside the JSON step data, escaped


@pytest.mark.browser
def test_report_steps_through_a_trace_in_chromium(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("no Chromium binary (install Debian's chromium: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    page_url = (violation_run.cwd / "report.html").resolve().as_uri()
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
            page.goto(page_url)
            viewer = page.locator(".viewer").first
            counter = viewer.locator(".counter")
            assert counter.inner_text() == "step 0 of 3"
            first_rows = viewer.locator("table.diff tbody").inner_text()
            viewer.locator(".next").click()
            assert counter.inner_text() == "step 1 of 3"
            assert "user_update_image_deployment" in viewer.locator(".action").inner_text()
            viewer.hover()
            for _ in range(2):
                page.keyboard.press("ArrowRight")
            assert counter.inner_text() == "step 3 of 3"
            assert viewer.locator(".next").is_disabled()
            assert viewer.locator(".badstate").inner_text() == "violating state"
            assert viewer.locator("tr.removed, tr.changed").count() >= 1
            assert viewer.locator("table.diff tbody").inner_text() != first_rows
            page.keyboard.press("ArrowLeft")
            assert counter.inner_text() == "step 2 of 3"
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            assert page.locator(".graphs img").count() == 2
            assert all(page.locator(".graphs img").nth(i).evaluate("i => i.naturalWidth > 0") for i in range(2))
        finally:
            browser.close()
    assert errors == []
