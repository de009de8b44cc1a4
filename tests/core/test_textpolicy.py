"""markdown_surprises: each reported line really changes meaning in Python-Markdown, and its fix works."""

from __future__ import annotations

import pytest

from generator.core.pipeline import check_text
from generator.core.textpolicy import markdown_surprises
from generator.render.markup import to_html

# (text, line reported, HTML the text really becomes, the tag that shows it)
SURPRISES = [
    ("#1 priority is the airway.", 1, "<h1"),
    ("Give oxygen.\n#2 then fluids.", 2, "<h1"),
    ("> 65 years: halve the dose.", 1, "<blockquote>"),
    ("Dose:\n> 65 years: halve it.", 2, "<blockquote>"),
    ("Steps\n\n2. Second step\n3. Third step", 3, "<ol>"),
    ("Dose\n\n- 2 mg", 3, "<ul>"),
    ("Is it sepsis?\n\n* not if the lactate is normal", 3, "<ul>"),
    ("Stop when\n\n    x < 5", 3, "<pre>"),
]
# Lines that read as they are written, or Markdown the author plainly meant.
MEANT = [
    "# Assessment\n\nText.",
    "Steps\n\n1. First\n2. Second",
    "Checks\n\n- pulse\n- blood pressure",
    "Dose\n- 2 mg on the same paragraph",
    "Numbers\n2. stays in the paragraph",
    "```\n#1 inside code\n> 65\n```",
    "Temp > 38 in the middle of a line, and 5 # signs.",
]


@pytest.mark.parametrize(("text", "line", "tag"), SURPRISES)
def test_each_surprise_is_reported_and_real(text: str, line: int, tag: str) -> None:
    found = markdown_surprises(text)
    assert [s.line for s in found][:1] == [line]
    assert tag in to_html(text)  # Markdown really does change it
    # The advice, applied to the line, makes it show as written.
    s = found[0]
    fixed_line = s.literal.split(": ", 1)[1]
    lines = text.split("\n")
    lines[line - 1] = fixed_line
    fixed = "\n".join(lines)
    assert markdown_surprises(fixed) == [] or markdown_surprises(fixed)[0].line != line
    if tag != "<pre>":
        assert tag not in to_html(fixed)


@pytest.mark.parametrize("text", MEANT)
def test_meant_markdown_and_ordinary_lines_are_not_reported(text: str) -> None:
    assert markdown_surprises(text) == []


def test_every_renumbered_item_is_reported() -> None:
    assert [s.line for s in markdown_surprises("A\n\n1. one\n2. two\n4. four\n5. five")] == [5, 6]


def test_a_long_line_is_cut_in_the_message() -> None:
    (s,) = markdown_surprises("#" + "x" * 5000)
    assert len(s.shown) < 120 and len(s.literal) < 120


def test_checks_warn_at_the_line_in_the_file() -> None:
    src = (
        "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: a\n"
        "summary: |\n  For adults.\n\n  > 65 years: see a.\n"
        "stages:\n  - id: a\n    title: A\n    kind: outcome\n"
    )
    result = check_text(src, "p.yaml")
    found = [p for p in result.problems if p.rule == "markdown-meaning"]
    assert len(found) == 1
    assert (found[0].location.line, found[0].location.col) == (9, 3)
    assert "quotation" in found[0].message and "\\>" in found[0].message
