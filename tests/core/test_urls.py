"""URL fields (bad-url), link destinations after parsing (unsafe-link) and theme classes (theme-class)."""

from __future__ import annotations

import pytest

from generator.core import pipeline, urls

BASE = """format: 1
id: p
title: P
version: '1'
status: draft
start: a
references:
  - id: r
    title: R
    url: {url}
stages:
  - id: a
    title: A
    kind: outcome
    references: [r]
    body: |
      {body}
"""


def _problems(url: str = "'https://example.org'", body: str = "Text."):
    return pipeline.check_text(BASE.format(url=url, body=body), "p.yaml").problems


@pytest.mark.parametrize("url,expect", [
    ("javascript:alert(1)", "'javascript:' scheme is not allowed"),
    ("ftp://example.org/a", "'ftp:' scheme is not allowed"),
    ("www.example.org/no-scheme", "did you mean 'https://www.example.org/no-scheme'?"),
    ("www.nice.org.uk/guidance/ng59", "did you mean 'https://www.nice.org.uk/guidance/ng59'?"),
    ("not a url", "not a web address"),
    ("https://", "no host name"),
    ("http://exa mple.org", "cannot contain spaces"),
    ("file:///etc/passwd", "'file:' scheme is not allowed"),
    ("mailto:", "needs an email address"),
    ("https://example.org:99999/", "not a valid web address"),
    ("https://exa\x01mple.org", "control character"),
])
def test_a_bad_url_field_is_a_located_error(url, expect):
    problems = _problems(url=f'"{url}"' if "\x01" not in url else '"https://exa\\x01mple.org"')
    bad = [p for p in problems if p.rule == "bad-url"]
    assert len(bad) == 1, problems
    assert expect in bad[0].message
    assert (bad[0].location.line, bad[0].location.col) == (10, 10)


@pytest.mark.parametrize("url", ["https://www.nice.org.uk/guidance/ng59", "http://example.org/a%20b?x=1#y",
                                 "mailto:team@example.org", "HTTPS://EXAMPLE.ORG"])
def test_a_good_url_field_passes(url):
    assert [p for p in _problems(url=f'"{url}"') if p.rule == "bad-url"] == []


@pytest.mark.parametrize("body,dest", [
    ("[one](`javascript:alert(1)`)", "javascript:alert(1)"),
    ("> [x]: javascript:alert(2)\n      >\n      > [a][x]", "javascript:alert(2)"),
    ("- [x]: javascript:alert(3)\n\n      [a][x]", "javascript:alert(3)"),
    ("!!! note\n          [x]: javascript:alert(4)\n\n          [a][x]", "javascript:alert(4)"),
    ("![i](data:image/svg+xml,x)", "data:image/svg+xml,x"),
    ("[s](//evil.example/)", "//evil.example/"),
    ("[e](jav&#x61;script:alert(5))", "javascript:alert(5)"),
    ("<div>[h](vbscript:x)</div>", "vbscript:x"),
])
def test_an_unsafe_link_in_any_syntax_is_a_located_warning(body, dest):
    warns = [p for p in _problems(body=body) if p.rule == "unsafe-link"]
    assert len(warns) == 1, _problems(body=body)
    assert dest in warns[0].message
    assert warns[0].location.line >= 16  # the link itself, or the body when the text is entity-encoded


@pytest.mark.parametrize("body", ["[ok](https://example.org)", "[rel](#anchor)", "[up](../x/)", "<https://example.org>",
                                  "[m](mailto:a@example.org)", "A colon: here, and [brackets]."])
def test_safe_links_raise_no_warning(body):
    assert [p for p in _problems(body=body) if p.rule == "unsafe-link"] == []


def test_two_equal_unsafe_links_are_each_reported():
    warns = [p for p in _problems(body="[a](javascript:x) [b](javascript:x)") if p.rule == "unsafe-link"]
    assert len(warns) == 2 and warns[0].location != warns[1].location


def test_a_theme_class_on_an_admonition_is_a_located_warning():
    warns = [p for p in _problems(body="!!! md-sidebar md-sidebar--primary\n          hi") if p.rule == "theme-class"]
    assert len(warns) == 1 and "md-sidebar" in warns[0].message
    assert (warns[0].location.line, warns[0].location.col) == (17, 7)
    assert [p for p in _problems(body="!!! warning \"Careful\"\n          hi") if p.rule == "theme-class"] == []
    # The project's own classes too: some are hidden on screen or in print, which would hide the text.
    own = [p for p in _problems(body="!!! danger pathway-diagram-cue\n          hi") if p.rule == "theme-class"]
    assert len(own) == 1 and "'pathway-diagram-cue'" in own[0].message


@pytest.mark.parametrize("dest", ["javascript:x", " JAVASCRIPT:x", "java\tscript:x", "&#106;avascript:x", "&amp;#106;avascript:x",
                                  "&amp;amp;#x6A;avascript:x", "data:,x",
                                  "//x.org", "/\\x.org", "\\\\x.org", "a\x00b"])
def test_link_problem_refuses(dest):
    assert urls.link_problem(dest)


@pytest.mark.parametrize("dest", ["https://x.org", "mailto:a@b.org", "#a", "../stages/a.md", "a/b?c=d:e", ""])
def test_link_problem_allows(dest):
    assert urls.link_problem(dest) is None


def test_a_link_behind_entities_is_located_on_its_own_line_and_shown_as_text_on_the_site():
    from generator.render import markup
    from generator.render.escape import markdown as author_markdown

    body = "First line.\n\n      [ent](&#106;avascript:alert(4))"
    (p,) = [p for p in _problems(body=body) if p.rule == "unsafe-link"]
    assert (p.location.line, p.location.col) == (19, 13)  # the destination, not the start of 'body:'
    html = markup.to_html(author_markdown("[ent](&#106;avascript:alert(4))"))
    assert "<a" not in html and "ent (javascript:alert(4))" in html
