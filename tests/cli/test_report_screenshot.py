"""The review report in real headless Chromium: the first violation's counterexample stepper, two steps
in, compared with a committed screenshot (``data/screenshots/kc-roll-004-step2.png``).

How the screenshot is compared (robust to font antialiasing, sensitive to layout and highlighting):

* the screenshot is of the first violation's stepper element (``.viewer``: counter, action, step list
  and the object diff table), at a fixed viewport and device scale 1; everything in it comes from the
  trace, so it holds no timestamp, timing or absolute path (those are elsewhere on the page);
* both images are converted to greyscale and downscaled by :data:`SCALE` with a box filter (each
  output pixel is the mean of an 8x8 block).  Antialiasing and hinting move single pixels at glyph
  edges; averaged over a block that is a change of a few grey levels, while a highlighted row
  (yellow/green/red background), a missing row or a shifted table moves whole blocks by tens of levels;
* a block "differs" when its grey levels differ by more than :data:`PIXEL_THRESHOLD` (of 255), and
  the images match when at most :data:`MAX_DIFF_FRACTION` of the blocks differ.  The sizes must agree
  within :data:`SIZE_TOLERANCE` (a different font may change line heights a little; a different
  number of rows does not pass);
* the test also shows that this comparison discriminates: the same stepper one step earlier (other
  rows highlighted) must *not* match the reference.

To regenerate the reference after an intended change of the page: ``KUBECHECK_UPDATE_SCREENSHOTS=1
pytest tests/cli/test_report_screenshot.py`` (the test then writes the file and fails, to be committed
after looking at it).
"""

from __future__ import annotations

import base64
import io
import os
import re
from pathlib import Path

import pytest

from .test_report_browser import ARGS, CHROMIUM

REFERENCE = Path(__file__).parent / "data" / "screenshots" / "kc-roll-004-step2.png"
SCALE = 8
PIXEL_THRESHOLD = 40
MAX_DIFF_FRACTION = 0.03
SIZE_TOLERANCE = 0.06


def _blocks(png: bytes, size: tuple[int, int]) -> list[int]:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    if img.size != size:
        img = img.resize(size, Image.Resampling.BILINEAR)
    small = img.resize((max(1, size[0] // SCALE), max(1, size[1] // SCALE)), Image.Resampling.BOX)
    return list(small.tobytes())


def compare(actual: bytes, reference: bytes) -> tuple[bool, str]:
    """(match, explanation) for two PNG screenshots, by the method of the module docstring."""
    from PIL import Image

    a_size = Image.open(io.BytesIO(actual)).size
    r_size = Image.open(io.BytesIO(reference)).size
    for a, r, what in ((a_size[0], r_size[0], "width"), (a_size[1], r_size[1], "height")):
        if abs(a - r) > SIZE_TOLERANCE * r:
            return False, f"{what} {a} px, reference {r} px"
    a_px, r_px = _blocks(actual, r_size), _blocks(reference, r_size)
    differing = sum(1 for x, y in zip(a_px, r_px) if abs(x - y) > PIXEL_THRESHOLD)
    fraction = differing / len(r_px)
    return fraction <= MAX_DIFF_FRACTION, f"{differing}/{len(r_px)} blocks differ ({fraction:.1%})"


def test_report_names_objects_not_uids_in_html_and_graphs(violation_run) -> None:  # type: ignore[no-untyped-def]
    """Not in the step data, the tables, nor the embedded trace and lane SVGs."""
    html = (violation_run.cwd / "report.html").read_text()
    svgs = [base64.b64decode(m).decode() for m in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)]
    assert len(svgs) == 2
    for text in (html, *svgs):
        assert not re.search(r"uid-\d", text)
    assert "selector=app=api ready-endpoints=none" in html  # the Service lane in the violating state


@pytest.mark.browser
def test_first_violation_stepper_matches_the_reference_screenshot(violation_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("no Chromium binary (install Debian's chromium: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    pytest.importorskip("PIL", reason="Pillow is not installed (pip install -e '.[test]')")
    page_url = (violation_run.cwd / "report.html").resolve().as_uri()
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900}, device_scale_factor=1)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
            page.goto(page_url)
            # the verdict table: the first object group is the violated one, its first row the violation
            rows = page.locator("section:has(h2:text-is('Verdicts')) tbody tr")
            assert rows.nth(0).inner_text() == "Deployment default/api"  # the object group header (the fix's object)
            first = rows.nth(1)
            assert first.locator(".badge").inner_text() == "VIOLATED"
            assert "KC-ROLL-004" in first.inner_text()
            viewer = page.locator(".viewer").first
            heading = page.locator("section:has(.viewer)").first.locator("h2").inner_text()
            assert heading.startswith("KC-ROLL-004 Service default/api, Deployment default/api"), heading
            viewer.locator(".next").click()
            earlier = viewer.screenshot(path=str(tmp_path / "earlier.png"))
            viewer.locator(".next").click()
            counter = viewer.locator(".counter").inner_text()
            assert re.fullmatch(r"step 2 of \d+", counter), counter
            assert viewer.locator(".summary").inner_text().startswith("changed: ")
            assert "uid-" not in page.locator("body").inner_text()
            shot = viewer.screenshot(path=str(tmp_path / "actual.png"))
        finally:
            browser.close()
    assert errors == []
    if os.environ.get("KUBECHECK_UPDATE_SCREENSHOTS"):
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_bytes(shot)
        pytest.fail(f"reference written: {REFERENCE} (look at it, commit it, rerun without the variable)")
    ok, why = compare(shot, REFERENCE.read_bytes())
    assert ok, f"screenshot differs from {REFERENCE.name}: {why}; actual saved as {tmp_path / 'actual.png'}"
    ok_earlier, why_earlier = compare(earlier, REFERENCE.read_bytes())
    assert not ok_earlier, f"the comparison does not tell step 1 from step 2 ({why_earlier})"
