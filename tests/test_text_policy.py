"""One text policy for site and PDF (generator/core/textpolicy.py, docs/format.md "Text: plain or Markdown").

Every field of a pathway full of Markdown-looking clinical text must show the
same text on the site (its Markdown rendered with the site's extensions) and
in the print HTML of the PDF: plain fields exactly as written, Markdown fields
rendered the same way, [[links]] included.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fakes import fake_layout

from generator.core import pipeline
from generator.core.model import Pathway
from generator.pdf import handbook
from generator.render import markup
from generator.render import presentation as pres
from generator.site.pages import render_site

FIXTURE = Path(__file__).parent / "fixtures" / "text" / "markdown-looking.yaml"
_BLOCK = {"p", "li", "td", "th", "tr", "dt", "dd", "div", "h1", "h2", "h3", "h4", "h5", "h6", "br",
          "section", "figure", "figcaption", "blockquote", "ul", "ol", "table", "caption", "pre", "details"}


class _Text(HTMLParser):
    """Visible text of an HTML document, with a break at each block boundary; no CSS, no SVG."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("style", "svg", "script", "title", "head"):
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "script", "title", "head"):
            self.skip -= 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    blocks = "".join(parser.parts).split("\n")
    return "\n".join(" ".join(b.split()) for b in blocks if b.strip())


@pytest.fixture(scope="module")
def pathway() -> Pathway:
    result = pipeline.check_file(FIXTURE, for_build=True, today=dt.date(2026, 11, 2))
    assert not result.has_errors(), result.problems
    assert result.pathway is not None
    return result.pathway


@pytest.fixture(scope="module")
def site_text(pathway: Pathway) -> str:
    files = render_site(pathway, layout=fake_layout, today=dt.date(2026, 11, 2))
    pages = [data.decode() for path, data in files.items() if path.endswith(".md")]
    # The site's Markdown, rendered with the extensions MkDocs uses (front matter dropped).
    return "\n".join(visible(markup.to_html(page.split("---\n", 2)[-1] if page.startswith("---") else page))
                     for page in pages)


@pytest.fixture(scope="module")
def pdf_text(pathway: Pathway) -> str:
    svg = fake_layout(["x"], id_prefixes=["x"])[0]
    diagrams = handbook.Diagrams(svg, False, {s.id: svg for s in pathway.stages})
    return visible(handbook.print_html(pathway, diagrams, built=None))


def _plain(text: str) -> str:
    return " ".join(text.split())


def _rendered(pathway: Pathway, text: str, *, block: bool) -> str:
    write = pres.block_markdown if block else pres.inline_markdown
    return visible(markup.to_html(write(text, pathway, lambda sid: "#" + sid)))


def expected_texts(p: Pathway) -> list[tuple[str, str]]:
    """(field, the text a reader must see) for every field of the pathway."""
    g = p.governance
    out = [("title", _plain(p.title)), ("version", p.version), ("audience", _plain(p.audience or "")),
           ("owner", _plain(g.owner or "")), ("authors", "; ".join(g.authors)),
           ("approved_by", "; ".join(g.approved_by)), ("contact", g.contact or "")]
    out += [("summary", line) for line in _rendered(p, p.summary or "", block=True).split("\n")]
    out += [(f"group {gr.id} title", _plain(gr.title)) for gr in p.groups]
    for s in p.stages:
        out.append((f"{s.id}.title", _plain(s.title)))
        if s.summary:
            out.append((f"{s.id}.summary", _rendered(p, s.summary, block=False)))
        for line in _rendered(p, s.body or "", block=True).split("\n"):
            if line:
                out.append((f"{s.id}.body", line))
        for f in s.facts:
            out.append((f"{s.id}.facts label", _plain(f.label)))
            out.append((f"{s.id}.facts value", _rendered(p, f.value, block=False)))
        out += [(f"{s.id}.next.when", _plain(t.when)) for t in s.next if t.when]
    out += [(f"reference {r.id}", _plain(r.title)) for r in p.references]
    for e in p.glossary:
        out += [("glossary term", _plain(e.term)), ("glossary abbr", e.abbr or ""),
                ("glossary definition", _rendered(p, e.definition, block=False))]
    for h in p.history:
        out += [("history version", h.version), ("history approved_by", "; ".join(h.approved_by)),
                ("history summary", _rendered(p, h.summary or "", block=False))]
    return [(f, t) for f, t in out if t]


def test_the_fixture_really_looks_like_markdown(pathway: Pathway) -> None:
    texts = {t for _f, t in expected_texts(pathway)}
    assert {"WBC 4*10^9 to 11*10^9/L", "* not septic, _score_ < 2", "#2 > 65 years"} <= texts  # plain
    assert "#1 priority: airway, then the bloods" in texts  # inline Markdown: link resolved, '#' kept
    assert {"- 2 mg", "2. Second step", "> 65 years: halve the dose"} <= texts


def test_every_field_shows_the_same_text_on_site_and_pdf(pathway: Pathway, site_text: str, pdf_text: str) -> None:
    missing = [(f, t, where) for f, t in expected_texts(pathway)
               for where, text in (("site", site_text), ("pdf", pdf_text)) if t not in text]
    assert not missing


@pytest.mark.parametrize("literal", ["[[", "]]", "\\#", "\\-", "\\*", "&amp;", "&lt;"])
def test_no_markup_leaks_as_text(site_text: str, pdf_text: str, literal: str) -> None:
    assert literal not in site_text
    assert literal not in pdf_text


def test_plain_fields_are_not_formatted_on_the_site(pathway: Pathway) -> None:
    files = render_site(pathway, layout=fake_layout, today=dt.date(2026, 11, 2))
    html = markup.to_html(files["stages/triage.md"].decode())
    assert "WBC 4*10^9 to 11*10^9/L" in visible(html)
    assert "<em>10^9 to 11</em>" not in html and "<em>" not in html.split("Key facts")[1].split("<td>")[1]
