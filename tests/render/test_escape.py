"""The escaping policy of generator.render.escape, one table per function, checked through real Markdown."""

from __future__ import annotations

import markdown
import pytest

from generator.render import escape


def md(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list", "abbr"])


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Plain title", "Plain title"),
        ('A "quoted" title', "A &quot;quoted&quot; title"),
        ("x < y & z", "x &lt; y &amp; z"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("*not emphasis* _nor this_", "*not emphasis* _nor this_"),
        ("[not](a link)", "[not](a link)"),
        ("# not a heading", "# not a heading"),
        ("- not a list", "- not a list"),
        ("1. not a list", "1. not a list"),
        ("a | b", "a | b"),
        ("`not code`", "`not code`"),
        ("{: .not-attr }", "{: .not-attr }"),
        ("back\\slash", "back\\slash"),
        ("Ωμέγα 日本語", "Ωμέγα 日本語"),
    ],
)
def test_plain_text_shows_literally(text, shown):
    html = md(escape.plain(text))
    assert html == f"<p>{shown}</p>" or html == f"<p>{shown.replace('&quot;', chr(34))}</p>"


@pytest.mark.parametrize(
    "text, must_contain, must_not_contain",
    [
        ("**bold** and *it*", "<strong>bold</strong>", "**"),
        ("<b>raw</b>", "&lt;b&gt;raw&lt;/b&gt;", "<b>"),
        ("<img src=x onerror=alert(1)>", "&lt;img", "<img"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))", "href"),
        ("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt", "href"),
        ("![x](data:image/png;base64,AAAA)", "data:image", "<img"),
        ("[x]: javascript:alert(1)\n\n[y][x]", "javascript", "href"),
        ("[ok](https://example.org/a)", 'href="https://example.org/a"', "&lt;"),
        ("[mail](mailto:a@example.org)", 'href="mailto:a@example.org"', "&lt;"),
        ("<https://example.org>", 'href="https://example.org"', "&lt;https"),
        ("<javascript:alert(1)>", "&lt;javascript:alert(1)&gt;", "href"),
        ("`<b>` in code", "<code>&lt;b&gt;</code>", "&amp;lt;"),
        ("```\n<b> & </b>\n```", "&lt;b&gt; &amp; &lt;/b&gt;", "&amp;lt;"),
        ("A&E department", "A&amp;E department", "&amp;amp;"),
        ("> a quote", "<blockquote>", "&gt;"),
    ],
)
def test_markdown_keeps_formatting_but_not_html_or_unsafe_links(text, must_contain, must_not_contain):
    html = md(escape.markdown(text))
    assert must_contain in html
    assert must_not_contain not in html


def test_cell_is_one_line_and_escapes_pipes_outside_code():
    table = "| a | b |\n| --- | --- |\n| " + escape.cell("x | y\nnext line `p|q`") + " | 2 |\n"
    html = md(table)
    assert html.count("<td>") == 2
    assert "x | y next line" in html
    assert "<code>p|q</code>" in html


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/x?a=1&b=2", "https://example.org/x?a=1&b=2"),
        ("http://example.org/a b", "http://example.org/a%20b"),
        ("mailto:team@example.org", "mailto:team@example.org"),
        ("https://example.org/(x)", "https://example.org/%28x%29"),
        ("javascript:alert(1)", None),
        ("data:text/html,hi", None),
        ("ftp://example.org", None),
        ("/relative", None),
        (None, None),
    ],
)
def test_safe_url(url, ok):
    assert escape.safe_url(url) == ok


@pytest.mark.parametrize("text, out", [('a"b', "a&quot;b"), ("<&>", "&lt;&amp;&gt;"), ("it's", "it&#x27;s")])
def test_attr(text, out):
    assert escape.attr(text) == out


@pytest.mark.parametrize("line, kept", [
    ('!!! danger pathway-diagram-cue "Stop"', '!!! danger "Stop"'),
    ("!!! pathway-actions", "!!! note"),
    ("???+ tip pathway-x md-y", "???+ tip md-y"),  # md-y: the sanitizer drops it
    ("!!! warning", "!!! warning"),
])
def test_an_author_admonition_loses_the_projects_own_classes(line, kept):
    """pathway-* classes hide the site's own blocks on screen or in print; never an author's text."""
    body = f"{line}\n\n    Clinical text"
    assert escape.markdown(body) == f"{kept}\n\n    Clinical text"
    html = markdown.markdown(escape.markdown(body), extensions=["admonition", "pymdownx.details"])
    assert "pathway-" not in html and "Clinical text" in html


def test_an_admonition_line_in_code_is_left_alone():
    body = "```\n!!! note pathway-x\n```"
    assert escape.markdown(body) == body
