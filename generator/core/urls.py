"""Which web addresses a pathway may publish: one policy for URL fields and for Markdown links.

* ``link_problem(dest)`` - a link or image destination *as Markdown parsed it*
  (so whatever syntax produced it: inline, code span, reference definition in
  any container, autolink).  Allowed: ``http``, ``https``, ``mailto`` and the
  site's own relative links (``stages/x.md``, ``#anchor``, ``../``).  Refused:
  every other scheme, ``//host`` (another site without a scheme), and any
  control character.  The check reads the destination the way a browser will:
  HTML entities decoded, tab/newline removed, surrounding spaces stripped.
* ``url_field_problem(value)`` - a URL *field* (``references[].url``): an
  absolute ``http``/``https``/``mailto`` address with a host, no spaces, no
  control characters; a missing scheme gets a did-you-mean.
* ``guard_extension()`` - a Python-Markdown extension that applies
  ``link_problem`` after parsing and turns every refused ``<a>``/``<img>`` into
  visible text; used by the site (added by the MkDocs plugin), by the PDF
  (``generator.render.markup.to_html``) and by ``check_unsafe_links`` at
  validate time, so the three always agree.

``markdown`` is imported lazily: ``validate`` only parses texts that could hold
a link at all (see ``_may_hold_link``).
"""

from __future__ import annotations

import html
import re
from typing import Callable, Iterator
from urllib.parse import urlsplit

from generator.core.model import Location, Pathway, Problem, Severity
from generator.core.rules import Rule

ALLOWED_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: The Markdown extensions the site (mkdocs.yml) and the PDF use; validate parses with the same ones.
MARKDOWN_EXTENSIONS: tuple[str, ...] = (
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "fenced_code",  # MkDocs always adds it; without it the PDF showed ``` fences and their insides as text
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
)

#: Admonition and details types (Python-Markdown's and Material's names and aliases): the only
#: classes a body may give an admonition (``generator.render.sanitize`` drops any other).
ADMONITION_TYPES: frozenset[str] = frozenset(
    "note abstract summary tldr info todo tip hint important success check done question help faq "
    "warning caution attention failure fail missing danger error bug example quote cite".split()
)
# '!!! type extra-class "Title"' / '??? type' / '???+ type', as the admonition and details extensions read them.
ADMONITION_RE = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?)[ \t]*([^"\n]*)', re.MULTILINE)

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers remove tab, LF and CR anywhere in a URL, and C0 controls and spaces around it.
_URL_REMOVED_RE = re.compile(r"[\t\n\r]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A domain-looking start, for the did-you-mean of a scheme-less URL field.
_BARE_HOST_RE = re.compile(r"^(www\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?([/?#]|$)")


def _as_written(dest: str) -> str:
    """``dest`` with Python-Markdown's placeholder for '&' put back."""
    return dest.replace("\x02amp\x03", "&")


def _browser_view(dest: str) -> str:
    """The destination as a browser resolves it: entities decoded, ignored characters gone."""
    s = _as_written(dest)
    # Decoded until nothing changes: the site escapes an author's '&' once more ('&amp;#106;'), and a
    # link hidden behind entities must be refused as text there too, not left as an empty <a>.
    for _ in range(4):
        decoded = html.unescape(s)
        if decoded == s:
            break
        s = decoded
    return _URL_REMOVED_RE.sub("", s).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                           "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")


def link_problem(dest: str | None) -> str | None:
    """None if ``dest`` may be a link or image destination on the site and in the PDF, else why not."""
    if dest is None:
        return None
    s = _browser_view(dest)
    if _CONTROL_RE.search(s):
        return "it holds a control character"
    m = _SCHEME_RE.match(s)
    if m:
        scheme = m.group(1).lower()
        if scheme in ALLOWED_SCHEMES:
            return None
        return f"the '{scheme}:' scheme is not allowed (only https:, http: and mailto:)"
    # Browsers read '\' as '/': '//host', '/\host' and '\\host' all leave the site.
    if re.match(r"[/\\]{2}", s):
        return "a link to another site must start with https://"
    if ":" in s.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return "it is not a valid address"  # e.g. '1javascript:' - not a scheme, not a path either
    return None


def url_field_problem(value: str) -> str | None:
    """None if ``value`` is a publishable web address for a URL field, else a message (with a fix if one is likely)."""
    s = value.strip()
    if _CONTROL_RE.search(s):
        return "it holds a control character"
    m = _SCHEME_RE.match(s)
    if not m:
        if _BARE_HOST_RE.match(s) and not any(c.isspace() for c in s):
            return f"it has no scheme; did you mean 'https://{s}'?"
        return "it is not a web address; write it as https://…"
    if any(c.isspace() for c in s):
        return "a web address cannot contain spaces (write %20 for a space in a path)"
    scheme = m.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        return f"the '{scheme}:' scheme is not allowed; use an https:// (or http://, mailto:) address"
    try:
        parts = urlsplit(s)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "it is not a valid web address"
    if scheme == "mailto":
        if "@" not in parts.path:
            return "a mailto: address needs an email address after it (mailto:name@example.org)"
        return None
    if not parts.hostname:
        return f"it has no host name after '{scheme}://'"
    return None


# -- validate-time checks ------------------------------------------------------------------------


def check_url_fields(ctx) -> Iterator[Problem]:
    """Rule ``bad-url``: every URL field (references[].url) is a publishable address."""
    for r in ctx.pathway.references:
        if r.url is None:
            continue
        why = url_field_problem(r.url)
        if why:
            yield Problem(Severity.ERROR, Rule.BAD_URL, f"reference '{r.id}': url '{_shown(r.url)}' is refused: {why}",
                          r.field_locs.get("url", r.loc))


def _shown(s: str) -> str:
    s = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    return s if len(s) <= 80 else s[:77] + "…"


def check_theme_classes(ctx) -> Iterator[Problem]:
    """Rule ``theme-class``: an admonition given a class other than its type (e.g. ``md-sidebar``)."""
    for text, start in _markdown_texts(ctx.pathway):
        if "!!!" not in text and "???" not in text:
            continue
        for m in ADMONITION_RE.finditer(text):
            bad = [c for c in m.group(1).split() if c not in ADMONITION_TYPES]
            if bad:
                yield Problem(Severity.WARNING, Rule.THEME_CLASS,
                              f"admonition class {', '.join(repr(c) for c in bad)} is dropped: only the types "
                              f"note, tip, warning, danger, … are kept",
                              _locate(ctx, start, m.group(0).strip()))


def _markdown_texts(p: Pathway) -> Iterator[tuple[str, Location]]:
    """Every text the site or the PDF renders as Markdown (``escape.markdown``/``cell``), with its location."""

    def loc(obj, name: str) -> Location:
        return obj.field_locs.get(name, obj.loc)

    for name in ("summary", "audience"):
        if getattr(p, name):
            yield getattr(p, name), loc(p, name)
    g = p.governance
    for name in ("owner", "contact"):
        if getattr(g, name):
            yield getattr(g, name), loc(g, name)
    for name in ("authors", "approved_by"):
        for v in getattr(g, name):
            yield v, loc(g, name)
    for s in p.stages:
        for name in ("summary", "body"):
            if getattr(s, name):
                yield getattr(s, name), loc(s, name)
        for f in s.facts:
            yield f.value, f.loc
        for t in s.next:
            if t.when:
                yield t.when, t.field_locs.get("when", t.loc)
    for e in p.glossary:
        for name in ("term", "definition", "abbr"):
            if getattr(e, name):
                yield getattr(e, name), loc(e, name)
    for h in p.history:
        if h.summary:
            yield h.summary, loc(h, "summary")
        for v in h.approved_by:
            yield v, loc(h, "approved_by")


def _may_hold_link(text: str) -> bool:
    # A link needs ']' (inline, reference) or '<' (autolink), and a refused one a ':' (scheme,
    # possibly written as an entity, so '&') or a '//' / '\\' start.
    return ("]" in text or "<" in text) and any(c in text for c in ":&/\\")


def check_unsafe_links(ctx) -> Iterator[Problem]:
    """Rule ``unsafe-link``: a Markdown link or image whose destination the site will not publish."""
    md = None
    found: list[tuple[str, str]] = []
    for text, start in _markdown_texts(ctx.pathway):
        if not _may_hold_link(text):
            continue
        if md is None:
            md = _markdown(lambda dest, why: found.append((dest, why)))
        found.clear()
        # Raw text, not the site's escaped text: the escaping step already disarms some links, and
        # the author should hear about every one.
        md.reset().convert(text)
        after = start
        for dest, why in found:
            # Searching on from the previous hit places repeats of one address at each occurrence.
            after = _locate(ctx, after, dest)
            yield Problem(Severity.WARNING, Rule.UNSAFE_LINK,
                          f"link or image to '{_shown(_browser_view(dest))}' is shown as text, not as a link: {why}",
                          after)
            after = Location(after.file, after.line, after.col + 1)


def _locate(ctx, start: Location, dest: str) -> Location:
    """Where ``dest`` is written, searching from the value's start (the start itself if not found)."""
    pos = ctx.offset(start) if start.line >= 1 else None
    if pos is None:
        return start
    # Within 500 lines of the value: a text value is never longer, and an unbounded search would
    # make every miss scan the rest of the file.
    limit = ctx.offset(Location(start.file, start.line + 500, 1))
    end = len(ctx.text) if limit is None else limit
    # As the browser reads it, else as written (entities: '&#106;avascript:').
    for probe in (_browser_view(dest)[:20], _as_written(dest)[:20]):
        hit = ctx.text.find(probe, pos, end) if probe else -1
        if hit >= 0:
            return ctx.location(start.file, hit)
    return start


# -- the Markdown extension ----------------------------------------------------------------------

OnUnsafe = Callable[[str, str], None]


def _markdown(on_unsafe: OnUnsafe | None = None):
    import markdown

    md = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, guard_extension(on_unsafe)], output_format="html")
    # Raw HTML is escaped on the site, so it is text here too: links written inside it still count.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def guard_extension(on_unsafe: OnUnsafe | None = None):
    """A Markdown extension that turns every refused link or image into visible text.

    ``on_unsafe(dest, why)`` is called for each one (validate collects them).
    """
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class _Guard(Treeprocessor):
        def run(self, root):
            for parent in root.iter():
                for i, el in enumerate(list(parent)):
                    attr = {"a": "href", "img": "src"}.get(el.tag)
                    if attr is None or el.get(attr) is None:
                        continue
                    dest = el.get(attr, "")
                    why = link_problem(dest)
                    if why is None:
                        continue
                    if on_unsafe is not None:
                        on_unsafe(dest, why)
                    parent[i] = _as_text(el, attr, dest)
            return None

    class _GuardExtension(Extension):
        def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
            # After every other tree processor (inline links, abbr, unescaping at priority 0).
            md.treeprocessors.register(_Guard(md), "pathway_link_guard", -100)

    return _GuardExtension()


def _as_text(el, attr: str, dest: str):
    """A ``<span>`` that shows the link text (or image description) and the refused address as text."""
    from xml.etree import ElementTree as ET

    span = ET.Element("span")
    shown = _shown(_browser_view(dest))
    if el.tag == "img":
        span.text = f"[image: {el.get('alt', '')}] ({shown})"
    else:
        span.text = el.text
        span.extend(list(el))
        tail_holder = span[-1] if len(span) else None
        if tail_holder is not None:
            tail_holder.tail = (tail_holder.tail or "") + f" ({shown})"
        else:
            span.text = (span.text or "") + f" ({shown})"
    span.tail = el.tail
    return span
