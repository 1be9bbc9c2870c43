"""Private module: making untrusted strings safe for DOT, SVG/XML and HTML.

Every string that reaches a rendered file (object names, labels, annotations, action labels, property
names) may come from a user's manifest, so none is trusted.  Two steps, always in this order:

1. :func:`visible` turns control characters into visible escapes (a newline becomes the two
   characters ``\\n``), so a hostile label cannot break a line, a DOT statement or an XML document,
   and a reviewer *sees* that the label held a newline.  It also truncates very long strings.
2. :func:`xml` escapes ``& < > " '`` for XML, SVG, HTML and Graphviz HTML-like labels;
   :func:`dot_string` escapes ``\\`` and ``"`` for a quoted DOT ``escString``.

Graphviz HTML-like labels are XML, so :func:`xml` is also what makes ``<script>``, braces and quotes
inert inside ``label=<...>``.
"""

from __future__ import annotations

__all__ = ["visible", "xml", "dot_string", "shorten"]

_CONTROL = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: object, limit: int = 200) -> str:
    """``str(text)`` with control characters made visible and at most ``limit`` characters."""
    s = text if isinstance(text, str) else str(text)
    out: list[str] = []
    for ch in s:
        code = ord(ch)
        if ch in _CONTROL:
            out.append(_CONTROL[ch])
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            # Not representable in XML 1.0 at all, so it must not reach an SVG file.
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return shorten("".join(out), limit)


def shorten(s: str, limit: int) -> str:
    """``s`` cut to ``limit`` characters, with an ellipsis when cut."""
    if limit <= 0 or len(s) <= limit:
        return s
    return s[: max(limit - 1, 0)] + "…"


def xml(text: object, limit: int = 200) -> str:
    """Escape for XML text and attribute values (SVG, HTML, Graphviz HTML-like labels)."""
    s = visible(text, limit)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


def dot_string(text: object, limit: int = 200) -> str:
    """Escape for the inside of a quoted DOT string (``"..."``): backslashes and double quotes."""
    return visible(text, limit).replace("\\", "\\\\").replace('"', '\\"')
