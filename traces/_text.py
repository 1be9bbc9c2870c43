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

:func:`printable` is step 1 without the truncation: the one escape function for every user string that
reaches a terminal, stderr or a log (text output, CLI messages).  Besides C0 controls it escapes DEL, the
C1 controls (``\x85`` is a newline to some terminals, ``\x9b`` starts an escape sequence), the line and
paragraph separators and the bidirectional formatting marks (U+202A-202E, U+2066-2069, U+200E/200F,
U+061C: "Trojan Source", CVE-2021-42574), so a name holding ``"\nHOLDS ..."`` or an ANSI sequence cannot
forge a line or recolour a log.
"""

from __future__ import annotations

__all__ = ["printable", "visible", "xml", "dot_string", "shorten"]

_CONTROL = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


#: code points shown as ``\uXXXX``: bidi formatting marks, line/paragraph separators, surrogates, non-characters
_ESCAPED = frozenset([0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                      0xFFFE, 0xFFFF])


def printable(text: object) -> str:
    """``str(text)`` on one line with every control character, C1 control and bidi mark made visible."""
    s = text if isinstance(text, str) else str(text)
    if s.isascii() and s.isprintable():  # the common case: nothing to do
        return s
    out: list[str] = []
    for ch in s:
        code = ord(ch)
        if ch in _CONTROL:
            out.append(_CONTROL[ch])
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            # C0, DEL and C1 (also not representable in XML 1.0, or discouraged there)
            out.append(f"\\x{code:02x}")
        elif code in _ESCAPED or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def visible(text: object, limit: int = 200) -> str:
    """:func:`printable` ``text``, cut to at most ``limit`` characters."""
    return shorten(printable(text), limit)


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
