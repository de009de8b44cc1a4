"""The allow-list sanitizer (generator/render/sanitize.py) and the PDF's Markdown path."""

from __future__ import annotations

import pytest

from generator.render.markup import to_html
from generator.render.sanitize import clean_html


@pytest.mark.parametrize("dirty,gone", [
    ('<img src=x onerror="alert(1)">', "onerror"),
    ('<svg onload="alert(1)"></svg>', "onload"),
    ("<script>alert(1)</script>", "alert"),
    ('<p style="position:fixed">x</p>', "style"),
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "href"),
    ('<img src="data:image/svg+xml,x">', "data:"),
    ('<div class="admonition md-sidebar md-sidebar--primary">x</div>', "md-sidebar"),
    ('<svg><foreignObject><iframe src="https://x.org"></iframe></foreignObject></svg>', "iframe"),
    ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "javascript"),
    ('<svg style="max-width:10pt;position:fixed"></svg>', "position"),
])
def test_the_sanitizer_removes(dirty, gone):
    assert gone not in clean_html(dirty)


def test_the_sanitizer_keeps_the_project_markup():
    kept = ('<div class="admonition warning"><p class="admonition-title">W</p></div>'
            '<span class="pathway-badge pathway-kind-decision">D</span><a class="headerlink" href="#x">¶</a>'
            '<svg viewBox="0 0 1 1" style="max-width:10pt;height:auto"><g class="node"><a href="../a/">'
            '<text x="1">t</text></a></g></svg><abbr title="&lt;img&gt;">CT</abbr>')
    out = clean_html(kept)
    for part in ('class="admonition warning"', "pathway-kind-decision", 'class="headerlink"', 'viewBox="0 0 1 1"',
                 "max-width:10pt;height:auto", 'class="node"', 'href="../a/"', 'title="&lt;img&gt;"'):
        assert part in out, (part, out)


@pytest.mark.parametrize("md", ["[one](`javascript:alert(1)`)", "> [x]: javascript:alert(1)\n>\n> [a][x]",
                                "![i](`data:image/svg+xml,<svg onload=alert(1)>`)"])
def test_the_pdf_fragment_shows_a_refused_link_as_text(md):
    out = to_html(md)
    assert "href=" not in out and "src=" not in out, out
    assert "javascript:alert(1)" in out or "data:image" in out
