"""Quoting text for Graphviz DOT: the one place that knows DOT's escape rules.

Everything a clinician writes (titles, conditions, summaries) reaches DOT only
through :func:`quote`, so a title such as ``"\\N" <b> & ]; {x}`` is shown
literally instead of being interpreted.  The rules below were checked against
``dot`` 2.43 (see ``tests/test_dotquote.py``, which round-trips through ``dot``):

* In a double-quoted DOT string only ``\\"`` is an escape for the parser; the
  *label* code then interprets ``\\N \\G \\E \\T \\H \\L \\l \\r \\n \\\\``.
  Doubling every backslash makes all of them literal.
* Plain (non-HTML) labels also decode HTML entities (``&amp;`` shows as ``&``),
  so ``&`` is written as ``&amp;``.
* Tooltips go through *two* rounds of backslash processing, so there each
  backslash is written four times.
* URLs are copied into the SVG with ``&`` left raw unless it already starts an
  entity, which makes invalid XML; ``&`` is therefore written as ``&amp;``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, Mapping

Context = Literal["label", "tooltip", "url"]

# C0/C1 controls and DEL; newline is handled before this runs.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")


def clean(text: str) -> str:
    """Normalise newlines, turn tabs into spaces and drop other control characters.

    NFC normalisation keeps byte-identical output for visually identical input.
    """
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text)
    text = text.replace("\t", " ")
    return _CONTROL.sub("", text)


def quote(text: str, *, context: Context = "label") -> str:
    """Return ``text`` as a DOT double-quoted string that displays literally.

    ``context`` picks the escaping for where the string is used:
    ``"label"`` (node/edge/cluster labels; also fine for node names and ids),
    ``"tooltip"`` (``tooltip``/``edgetooltip``; newlines become spaces) or
    ``"url"`` (``URL``/``href``).  Newlines in labels become centred line breaks.
    """
    text = clean(text)
    if context == "url":
        # A URL is one line; its backslashes are not label escapes worth keeping.
        text = " ".join(text.split())
        body = text.replace("\\", "%5C").replace('"', "%22").replace("&", "&amp;")
        return f'"{body}"'
    if context == "tooltip":
        text = " ".join(text.split())
        backslash = "\\\\\\\\"
    elif context == "label":
        backslash = "\\\\"
    else:  # pragma: no cover - guarded by the Literal type
        raise ValueError(f"unknown quoting context {context!r}")
    body = text.replace("\\", backslash).replace('"', '\\"').replace("&", "&amp;")
    body = body.replace("\n", "\\n")
    return f'"{body}"'


def wrap(text: str, width: int = 22) -> list[str]:
    """Word-wrap ``text`` into lines of at most ``width`` characters.

    Words longer than ``width`` are broken (never clipped); existing newlines
    are kept as paragraph breaks.  Always returns at least one line.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    lines: list[str] = []
    for para in clean(text).split("\n"):
        line = ""
        for word in para.split():
            while len(word) > width:
                # Break a very long word (drug names, URLs) across lines.
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:width])
                word = word[width:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        lines.append(line)
    # Drop blank lines at the ends, but keep one line for empty text.
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    while len(lines) > 1 and not lines[0]:
        lines.pop(0)
    return lines


def wrapped_label(text: str, width: int = 22) -> str:
    """``quote`` of ``text`` word-wrapped to ``width`` (wrapped, never clipped)."""
    return quote("\n".join(wrap(text, width)))


_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def html_escape(text: str) -> str:
    """Escape text for use inside a Graphviz HTML-like label (``<...>``).

    Backslashes need no escaping there; newlines become ``<br/>``.
    """
    text = clean(text)
    out = "".join(_HTML_ESCAPES.get(ch, ch) for ch in text)
    return out.replace("\n", "<br/>")


def html_label(markup: str) -> str:
    """Wrap already-escaped HTML-like markup as a DOT HTML label ``<...>``.

    Build ``markup`` from :func:`html_escape`d pieces only.
    """
    return f"<{markup}>"


def attr_list(attrs: Mapping[str, str]) -> str:
    """``[k=v, ...]`` in insertion order; values must already be DOT literals (see ``quote``)."""
    return "[" + ", ".join(f"{k}={v}" for k, v in attrs.items()) + "]"


def digraph_header(name: str, *, graph: Mapping[str, str], node: Mapping[str, str],
                   edge: Mapping[str, str]) -> list[str]:
    """The opening lines of a digraph: its name and the graph/node/edge defaults (DOT literals)."""
    return [
        f"digraph {quote(name)} {{",
        "  graph " + attr_list(graph) + ";",
        "  node " + attr_list(node) + ";",
        "  edge " + attr_list(edge) + ";",
    ]
