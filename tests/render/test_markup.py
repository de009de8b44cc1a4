"""generator.render.markup: author Markdown with [[links]] resolved, abbreviations, HTML for the PDF."""

from __future__ import annotations

import pytest

from generator.render.markup import UnknownStageLink, abbreviation_block, author_markdown, to_html
from generator.core.model import GlossaryEntry, Location, Pathway, Stage


def pathway() -> Pathway:
    return Pathway(id="p", title="P", version="1", status="active", start="a", stages=(
        Stage(id="a", title="First *stage*", kind="assessment"),
        Stage(id="b-two", title="Second <stage>", kind="outcome"),
    ), glossary=(GlossaryEntry(term="Computed tomography", definition="A scan.", abbr="CT"),
                 GlossaryEntry(term="No abbreviation", definition="x")))


def href(sid: str) -> str:
    return f"{sid}.md"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("see [[a]].", "see [First \\*stage\\*](a.md)."),
        ("see [[b-two|the end]]", "see [the end](b-two.md)"),
        ("see [[ b-two ]]", "see [Second &lt;stage\\>](b-two.md)"),
        ("[[a]] and [[b-two]]", "[First \\*stage\\*](a.md) and [Second &lt;stage\\>](b-two.md)"),
        ("no links <b>", "no links &lt;b>"),
    ],
)
def test_wikilinks_become_markdown_links(text, expected):
    assert author_markdown(text, pathway(), href) == expected


def test_link_text_is_shown_literally_in_html():
    html = to_html(author_markdown("go to [[b-two]]", pathway(), href))
    assert '<a href="b-two.md">Second &lt;stage&gt;</a>' in html


def test_unknown_link_names_the_place_and_suggests():
    loc = Location("pathway.yaml", 12, 7)
    with pytest.raises(UnknownStageLink) as exc:
        author_markdown("see [[b-tow]]", pathway(), href, location=loc)
    assert str(exc.value) == "pathway.yaml:12:7: link [[b-tow]] names no stage (did you mean 'b-two'?)"


def test_one_line_mode_escapes_table_pipes():
    assert author_markdown("x | [[a]]\ny", pathway(), href, one_line=True) == "x \\| [First \\*stage\\*](a.md) y"


def test_abbreviation_block_and_hover_definition():
    block = abbreviation_block(pathway().glossary)
    assert block == "*[CT]: Computed tomography"
    html = to_html("A CT scan.\n\n" + block)
    assert '<abbr title="Computed tomography">CT</abbr>' in html
