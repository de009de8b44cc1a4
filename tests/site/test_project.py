"""The generated project's mkdocs.yml (generator/site/project.py): titles Material prints as HTML."""

from __future__ import annotations

import html

import pytest

from generator.site.project import html_text


@pytest.mark.parametrize("title", ["A & E review", "Score > 3", "Plain title", "Café — 50 %"])
def test_ordinary_titles_are_kept_so_an_escaping_template_does_not_show_entities(title: str) -> None:
    # Material escapes nav titles in the footer's aria-label: an '&amp;' written into mkdocs.yml
    # was read out as "ampersand amp" there.
    assert html_text(title) == title


@pytest.mark.parametrize("title", ['<img src=x onerror="alert(1)">', "&lt;script&gt;", "&#60;b&#62;", '"quoted"'])
def test_what_could_start_markup_is_escaped_and_reads_back_as_written(title: str) -> None:
    safe = html_text(title)
    assert "<" not in safe and '"' not in safe
    assert html.unescape(safe) == title  # printed raw, the browser shows exactly the title
