"""Decision tables on computable decision pages and the data-dictionary page (generator.site.pages)."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from generator.core.pipeline import check_file
from generator.render import presentation as pres
from generator.render.markup import MARKDOWN_EXTENSIONS
from generator.render.sanitize import clean_html
from generator.site import nav
from generator.site.pages import render_site, site_nav

from fakes import fake_layout

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
DECISIONS = REPO / "tests" / "fixtures" / "decisions" / "pathway.yaml"
LOOPS = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"
TODAY = dt.date(2026, 11, 24)
ARTIFACTS = REPO / "test-artifacts"


def load(path: Path):
    result = check_file(path, for_build=True, today=TODAY)
    assert not result.has_errors(), result.problems
    return result.pathway


def html_of(files: dict[str, bytes], path: str) -> str:
    """A page as the site publishes its body: Markdown to HTML, then the allow-list sanitizer."""
    return clean_html(markdown.markdown(files[path].decode("utf-8"), extensions=MARKDOWN_EXTENSIONS))


class _Rows(HTMLParser):
    """The rows of one table (by id): each row's attributes and its cells' text."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None
        self.header: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "thead":
            self.in_head = True
        elif self.inside and tag == "tr" and not self.in_head:
            self.rows.append({"attrs": a, "cells": []})
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "thead":
            self.in_head = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            (self.header if self.in_head else self.rows[-1]["cells"]).append(text)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page_html: str, table_id: str) -> tuple[list[str], list[dict]]:
    parser = _Rows(table_id)
    parser.feed(page_html)
    return parser.header, parser.rows


@pytest.fixture(scope="module")
def seed():
    p = load(SEED)
    return p, render_site(p, layout=fake_layout, today=TODAY)


def test_the_mbb_response_page_shows_its_table_with_one_row_per_branch(seed):
    p, files = seed
    stage = p.stage_by_id["mbb-response"]
    page = html_of(files, nav.stage_path(stage.id))
    header, rows = table_rows(page, "decision-table-mbb-response")
    assert header == ["#", "When", p.input_by_id["mbb_response"].label, "Next stage"]
    assert [r["attrs"]["data-target"] for r in rows] == [t.to for t in stage.next]
    assert [r["attrs"]["data-branch"] for r in rows] == ["1", "2", "3"]
    assert [r["cells"][1] for r in rows] == [t.when for t in stage.next]
    assert [r["cells"][2] for r in rows[:2]] == ["significant-relief", "no-relief"]
    assert rows[2]["cells"][2].startswith("otherwise") and rows[2]["attrs"]["class"] == "pathway-decision-otherwise"
    assert [r["cells"][-1] for r in rows] == [p.stage_by_id[t.to].title for t in stage.next]
    # The target links and the column's link to the data dictionary survive the sanitizer. They are
    # links between sources (Markdown spans), which MkDocs and Zensical both turn into page addresses.
    table = page[page.index('id="decision-table-mbb-response"'):page.index("</table>")]
    assert re.findall(r'<td data-label="Next stage"><a href="([^"]+)"', table) == [
        f"{t.to}.md" for t in stage.next]
    assert f'<a href="../data-dictionary.md#{nav.input_anchor("mbb_response")}">' in table
    assert 'markdown=' not in page
    assert "exactly one applies" in page


def test_every_computable_decision_has_a_table_and_no_other_page_does(seed):
    p, files = seed
    for s in p.stages:
        text = files[nav.stage_path(s.id)].decode("utf-8")
        assert (f'id="decision-table-{s.id}"' in text) == pres.is_computable(s), s.id
        assert ("## Decision table" in text) == pres.is_computable(s), s.id


def test_a_first_match_table_says_so_and_spans_a_condition_over_two_inputs():
    p = load(DECISIONS)
    files = render_site(p, layout=fake_layout, today=TODAY)
    page = html_of(files, nav.stage_path("rfa-review"))
    header, rows = table_rows(page, "decision-table-rfa-review")
    assert header[2:4] == ["Response to RFA", "Time since the RFA"]
    assert rows[0]["cells"][2] == "Response to RFA: too-early or Time since the RFA: < 2 weeks"
    assert re.search(r'<td (?=[^>]*colspan="2")(?=[^>]*class="pathway-decision-whole")[^>]*>Response to RFA', page)
    assert rows[1]["cells"][2:4] == ["pain-returned", pres.ANY]
    assert 'data-order="first-match"' in page and "the first row that applies is the one taken" in page


def test_the_data_dictionary_page_lists_every_input(seed):
    p, files = seed
    page = html_of(files, nav.DATA_DICTIONARY)
    words = html.unescape(re.sub(r"<[^>]+>", "", page))  # glossary abbreviations are wrapped in <abbr>
    for inp in p.inputs:
        assert f'id="{nav.input_anchor(inp.id)}"' in page, inp.id
        assert f"<code>{inp.id}</code>" in page
        assert " ".join(inp.label.split()) in words, inp.id
    for e in pres.data_dictionary(p):
        for link in e.used_by:
            assert f'href="{nav.stage_path(link.stage_id)}"' in page, (e.id, link.stage_id)


def test_the_data_dictionary_sits_next_to_the_glossary_in_the_nav(seed):
    p, _files = seed
    reference = next(entry["Reference"] for entry in site_nav(p) if isinstance(entry, dict) and "Reference" in entry)
    assert reference[:2] == [{"Glossary": nav.GLOSSARY}, {"Data dictionary": nav.DATA_DICTIONARY}]


def test_a_pathway_without_inputs_has_no_data_dictionary():
    p = load(LOOPS)
    files = render_site(p, layout=fake_layout, today=TODAY)
    assert nav.DATA_DICTIONARY not in files
    assert all("Data dictionary" not in str(entry) for entry in site_nav(p))
    assert not any(b"pathway-decision-table" in body for path, body in files.items() if path.endswith(".md"))


# -- in a real browser: readable on a 390 px phone and on a desktop ------------------------------




@pytest.mark.chromium
@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_the_widest_seed_table_is_readable_without_the_page_scrolling(browser, seed_site_url, seed, width):
    p, _files = seed
    # The decision that uses the most inputs: the widest table.
    widest = max((pres.decision_table(p, s) for s in p.stages if pres.is_computable(s)),
                 key=lambda t: len(t.columns))
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    page.goto(f"{seed_site_url}stages/{widest.stage_id}/")
    table = page.locator(f"#{widest.table_id}")
    table.scroll_into_view_if_needed()
    page.locator(".pathway-decision").screenshot(path=str(ARTIFACTS / f"decision-table-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    region = page.locator(".pathway-decision-scroll")
    overflow = region.evaluate("e => e.scrollWidth - e.clientWidth")
    first_cell = table.locator("tbody tr").first.locator("td").nth(1)
    label = first_cell.evaluate("e => getComputedStyle(e, '::before').content")
    if width == 390:
        # A phone reads each row as a card: every cell names its column, nothing scrolls sideways.
        assert overflow <= 1
        assert table.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display") == "block"
        assert widest.columns[0].label in label
    else:
        assert table.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display") == "table-row"
        assert label in ("none", "normal", "")
    # Every row's target is a working link either way.
    assert table.locator("tbody tr").count() == len(widest.rows)
    ctx.close()
