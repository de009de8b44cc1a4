"""Escaping for everything the site and the PDF print: one place, one policy.

The templates run with Jinja2 autoescape OFF (they produce Markdown, not
HTML), so every value taken from ``pathway.yaml`` goes through one of these
functions, registered as Jinja filters by ``generator.site.pages``.

Policy
------
* ``plain`` - text shown as written (titles, names, ids, conditions): every
  character that Markdown or an HTML parser would interpret is escaped, so
  ``*``, ``_``, ``[``, ``<`` and ``&`` appear literally.
* ``markdown`` - author Markdown (summaries, bodies, fact values): emphasis,
  lists, links and code work; **raw HTML is escaped, never passed through**
  (``<b>`` shows as ``<b>``); links and images are kept only for ``http``,
  ``https`` and ``mailto`` URLs or scheme-less relative targets - any other
  scheme (``javascript:``, ``data:``...) is neutralised to plain text; an
  admonition loses the project's own ``pathway-*`` classes.
  Code spans and fenced code blocks are left alone (Markdown escapes them).
* ``cell`` - ``markdown`` squeezed onto one line with ``|`` escaped, for table
  cells and list items.
* ``attr`` / ``html`` - text inside raw HTML we write ourselves (attributes,
  SVG, ``<abbr>``): ``html.escape(quote=True)``.
* ``safe_url`` - ``http``/``https``/``mailto`` only; anything else is None.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from generator.core.urls import ADMONITION_RE  # the admonition line as the theme-class check reads it

ALLOWED_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# Characters Python-Markdown interprets inline (plus '|' for tables, '#' for
# closing ATX headings, '{' '}' for attr_list).  Each one is backslash-escaped,
# except '<' and '&', which Markdown cannot backslash-escape: those become
# HTML entities.
_PLAIN_TABLE = {c: "\\" + c for c in "\\`*_[]{}()#|!>"}
_PLAIN_TABLE.update({"<": "&lt;", "&": "&amp;"})
_PLAIN_TRANS = str.maketrans(_PLAIN_TABLE)

_SCHEME_RE = re.compile(r"^\s*<?\s*([A-Za-z][A-Za-z0-9+.\-]*):")
# An inline link or image destination: ](dest ...   -- we only look at dest.
# The destination is read up to ')' including line breaks: Python-Markdown keeps a link target such as
# 'java<newline>script:...' whole, and browsers drop the newline (tests/test_hostile.py).
_INLINE_LINK_RE = re.compile(r"\]\(\s*(<[^>]*>|[^)]*)")
# What a browser ignores inside a URL (tab, LF, CR) or around it (C0 controls, space).
_URL_IGNORED_RE = re.compile(r"[\x00-\x20]")
# A reference definition: [label]: dest
_REF_DEF_RE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*(\S+)", re.MULTILINE)
# An autolink <scheme:...>; everything else starting with '<' is HTML.
_AUTOLINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*)>")
# An opening fence as fenced_code accepts it (no indent; at most a language name after the fence).
_FENCE_OPEN_RE = re.compile(r"^(`{3,}|~{3,})[ ]*[\w#+.-]*[ ]*\r?\n?$")


def plain(text: object) -> str:
    """Text shown literally in Markdown (no formatting, no HTML)."""
    s = "" if text is None else str(text)
    # A line break would end a heading or a table row; plain text is one line.
    s = " ".join(s.split())
    out = s.translate(_PLAIN_TRANS)
    # '-', '+', and '1.' only matter at the start of a line (lists).
    if out[:1] in ("-", "+"):
        out = "\\" + out
    m = re.match(r"^(\d+)([.)])", out)
    if m:
        out = f"{m.group(1)}\\{m.group(2)}{out[m.end():]}"
    return out


def html_text(text: object) -> str:
    """Text inside HTML we write ourselves (element content or attribute)."""
    return html.escape("" if text is None else str(text), quote=True)


attr = html_text


def safe_url(url: object) -> str | None:
    """The URL if its scheme is allowed (http, https, mailto), else None.

    Spaces and characters that would end a Markdown link are percent-encoded.
    """
    if url is None:
        return None
    s = str(url).strip()
    try:
        scheme = urlsplit(s).scheme.lower()
    except ValueError:
        return None
    if scheme not in ALLOWED_SCHEMES:
        return None
    return quote(s, safe="/:?#[]@!$&'*+,;=%-._~")


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Split Markdown into (is_code, chunk) pieces: fenced blocks and code spans.

    Conservative, because text wrongly taken for code is left unescaped and would be live HTML: a fence
    counts only as Python-Markdown's fenced_code (always on in MkDocs) reads one - at the start of a line,
    with at most a language name after it, closed by the very same fence alone on a line.  An unclosed
    or unusual fence is escaped as text (at worst a '<' in it then shows as '&lt;').  (Fix from the
    hardening tests, tests/test_hostile.py.)
    """
    pieces: list[tuple[bool, str]] = []
    lines = text.splitlines(keepends=True)
    buf: list[str] = []
    fence: str | None = None
    code: list[str] = []
    for line in lines:
        if fence is None:
            m = _FENCE_OPEN_RE.match(line)
            if m:
                pieces.extend(_split_spans("".join(buf)))
                buf = []
                fence = m.group(1)
                code = [line]
            else:
                buf.append(line)
        else:
            code.append(line)
            if line.rstrip("\r\n").rstrip(" ") == fence:
                pieces.append((True, "".join(code)))
                fence, code = None, []
    if fence is not None:  # unclosed: not a code block to Markdown, so it is text
        buf = code
    pieces.extend(_split_spans("".join(buf)))
    return [p for p in pieces if p[1]]


def _split_spans(text: str) -> list[tuple[bool, str]]:
    """Split a text without fences into code spans and the rest."""
    out: list[tuple[bool, str]] = []
    i = start = 0
    while i < len(text):
        if text[i] == "`" and (i == 0 or text[i - 1] != "\\"):
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            ticks = text[i : i + run]
            close = re.compile(r"(?<!`)" + ticks + r"(?!`)").search(text, i + run)
            # Only a span on one line is trusted: one across lines ends early at a block boundary
            # (a heading, a list item, a blank line) and what follows would be live Markdown.
            if close and "\n" not in text[i : close.end()]:
                out.append((False, text[start:i]))
                out.append((True, text[i : close.end()]))
                i = start = close.end()
                continue
            i += run
            continue
        i += 1
    out.append((False, text[start:]))
    return out


def _drop_project_classes(s: str) -> str:
    """Remove the project's own classes (``pathway-*``) from author admonitions.

    The sanitizer keeps ``pathway-*`` for the site's own blocks, some of which are hidden on screen
    or in print; on an author's admonition such a class would hide clinical text.  A type-less
    admonition becomes a note.
    """

    def fix(m: re.Match) -> str:
        words = m.group(1).split()
        kept = [w for w in words if not w.startswith("pathway-")]
        if kept == words:
            return m.group(0)
        trailing = m.group(1)[len(m.group(1).rstrip()):]
        return m.group(0)[:m.start(1) - m.start()] + " ".join(kept or ["note"]) + trailing

    return ADMONITION_RE.sub(fix, s)


def _neutralise_links(s: str) -> str:
    """Break links whose destination has a scheme other than http/https/mailto."""

    def inline(m: re.Match) -> str:
        dest = _URL_IGNORED_RE.sub("", m.group(1).strip("<>"))
        sm = _SCHEME_RE.match(dest)
        if sm and sm.group(1).lower() not in ALLOWED_SCHEMES:
            # '\(' stops Markdown from seeing a link; the text stays readable.
            return "]\\(" + m.group(0)[2:]
        return m.group(0)

    def refdef(m: re.Match) -> str:
        sm = _SCHEME_RE.match(m.group(3))
        if sm and sm.group(1).lower() not in ALLOWED_SCHEMES:
            return f"{m.group(1)}\\[{m.group(2)}\\]:" + m.group(0)[m.group(0).index("]:") + 2 :]
        return m.group(0)

    s = _INLINE_LINK_RE.sub(inline, s)
    return _REF_DEF_RE.sub(refdef, s)


def _escape_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace("{", "\\{")


def _escape_html(s: str) -> str:
    """Escape '&' and '<' except in allowed autolinks (<https://...>), and '{'.

    '{' is backslash-escaped because the attr_list extension (used by the
    templates) would turn author text such as '{: onclick="..." }' into HTML
    attributes; a backslash-escaped brace still shows as '{' (tests/test_hostile.py).
    """
    out: list[str] = []
    pos = 0
    for m in _AUTOLINK_RE.finditer(s):
        if m.group(1).split(":", 1)[0].lower() in ALLOWED_SCHEMES:
            out.append(_escape_text(s[pos : m.start()]))
            out.append(m.group(0))
            pos = m.end()
    out.append(_escape_text(s[pos:]))
    return "".join(out)


def markdown(text: object) -> str:
    """Author Markdown with raw HTML escaped and unsafe link schemes disabled."""
    s = "" if text is None else str(text)
    out: list[str] = []
    for is_code, chunk in _split_code(s):
        out.append(chunk if is_code else _escape_html(_neutralise_links(_drop_project_classes(chunk))))
    return "".join(out)


def cell(text: object) -> str:
    """Author Markdown for one table cell or list item: one line, '|' escaped."""
    s = " ".join(("" if text is None else str(text)).split())
    out: list[str] = []
    for is_code, chunk in _split_spans(s):
        # The tables extension keeps '|' inside code spans; elsewhere it splits cells.
        out.append(chunk if is_code else _escape_html(_neutralise_links(chunk)).replace("|", "\\|"))
    return "".join(out)
