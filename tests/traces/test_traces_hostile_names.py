"""Hostile object names, labels and images in DOT and SVG (issue 23 item 7): a DOT statement breaker
``"]; x [``, bidi marks, a C1 control, an ANSI sequence and a newline that forges a line.  The renderer
shows each as text (bidi marks and controls as visible escapes) and no string adds a node, an edge or an
attribute.  The other hostile strings (``<script>``, quotes, CDATA) are in test_traces_render.py."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

import pytest

from test_traces_render import HAS_DOT, svg_text
from traces import render_trace
from traces._text import printable, visible
from traces_toy import Replicas, ToyState, follow

BREAKER = '"]; x [label="pwned'
BIDI = "admin\u202e\u2066txt.exe\u2069"
FORGE = "img\x1b[32m\x85\nHOLDS  KC-FAKE"
LABELS = {"create_pod": BREAKER, "scale_up": BIDI, "touch": FORGE, "crash_pod": "ok"}


class HostileNames(Replicas):
    def describe_state(self, s: ToyState) -> dict[str, str]:
        return {f"Pod {BREAKER}": BIDI * s.replicas, f"image {FORGE}": BREAKER}


def _trace():
    system = HostileNames(labels=LABELS)
    trace = follow(system, [LABELS[k] for k in ("touch", "create_pod", "scale_up")])
    return system, replace(trace, property_name=BIDI, property_id=BREAKER)


@pytest.mark.parametrize("raw, shown", [
    ("a\nb", "a\\nb"), ("\x1b[31m", "\\x1b[31m"), ("\x85\x9b\x7f", "\\x85\\x9b\\x7f"), ("\u202eabc\u202c", "\\u202eabc\\u202c"),
    ("\u2066\u2067\u2068\u2069\u200e\u200f\u061c", "\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c"), ("\u2028\u2029", "\\u2028\\u2029"),
    ("\t\r\x00", "\\t\\r\\x00"), ("\ud800", "\\ud800"), ("é名 ok <b>", "é名 ok <b>"), ("plain", "plain"),
])
def test_printable_shows_every_control_and_bidi_mark(raw: str, shown: str) -> None:
    assert printable(raw) == shown and visible(raw) == shown


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz 'dot' is not installed")
def test_hostile_names_in_dot_and_svg(tmp_path) -> None:  # type: ignore[no-untyped-def]
    system, trace = _trace()
    res = render_trace(trace, tmp_path, system=system)
    assert res.warnings == ()  # dot parsed both files
    clean = render_trace(follow(Replicas(), ["touch", "create_pod", "scale_up"]), tmp_path / "clean")
    for name in ("trace", "lanes"):
        src = (tmp_path / f"{name}.dot").read_text()
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", src)
        assert not re.search(r'(?<!\\)"\]; x \[', src)  # every quote of the breaker is escaped
        # the same graph shape as a run with harmless labels: no node, edge or attribute was injected
        plain = (tmp_path / "clean" / f"{name}.dot").read_text()
        assert src.count(" -> ") == plain.count(" -> ") and src.count("\n") == plain.count("\n")
        text = svg_text(tmp_path / f"{name}.svg")
        assert "\u202e" not in text and "\x1b" not in text and "\x85" not in text
        assert "\\u202e" in text and "\\x1b[32m\\x85\\nHOLDS" in text and '"]; x [label="pwned' in text
    assert clean.warnings == ()
    subprocess.run(["dot", "-Tsvg", "-o", str(tmp_path / "x.svg"), str(tmp_path / "trace.dot")], check=True)


def test_hostile_names_in_the_builtin_svg(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    system, trace = _trace()
    render_trace(trace, tmp_path, system=system)
    for name in ("trace", "lanes"):
        text = svg_text(tmp_path / f"{name}.svg")
        assert "\u202e" not in text and "\x85" not in text and "\\u202e" in text and '"]; x [' in text
