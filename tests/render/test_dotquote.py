"""DOT quoting: table-driven expectations plus a round trip through real dot."""

from __future__ import annotations

import html
import re
import subprocess

import pytest

from generator.render.dotquote import clean, html_escape, quote, wrap, wrapped_label

# (description, text) — everything a clinician might type into a title.
CASES = [
    ("plain", "Assess the patient"),
    ("double quotes", 'Say "stop" now'),
    ("backslash", r"C:\temp\notes"),
    ("trailing backslash", "ends with \\"),
    ("escaped quote lookalike", 'a\\"b'),
    ("angle brackets", "<b>bold</b> & 3 > 2 < 4"),
    ("entity lookalike", "&amp; &lt; &#65;"),
    ("braces", "{ a -> b }"),
    ("bracket and semicolon", '"]; evil -> x [label="'),
    ("newline", "line one\nline two"),
    ("graphviz escapes", r"\N \G \E \T \H \L"),
    ("justification escapes", r"left\l right\r centre\n"),
    ("greek", "Αξιολόγηση ασθενούς"),
    ("chinese", "评估患者"),
    ("arabic", "تقييم المريض"),
    ("emoji", "Check 🩺 vitals ✅"),
    ("very long", " ".join(["Pneumonoultramicroscopicsilicovolcanoconiosis"] * 3)),
    ("empty", ""),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('say "hi"', r'"say \"hi\""'),
        ("a\\b", r'"a\\b"'),
        ("end\\", r'"end\\"'),
        (r"\N", r'"\\N"'),
        ("x & y", '"x &amp; y"'),
        ("one\ntwo", r'"one\ntwo"'),
        ("tab\there", '"tab here"'),
        ("bell\x07 nul\x00", '"bell nul"'),
        ("crlf\r\nnext", r'"crlf\nnext"'),
        ("", '""'),
        ("Ωμέγα 中文", '"Ωμέγα 中文"'),
    ],
)
def test_quote_label(text: str, expected: str) -> None:
    assert quote(text) == expected


def test_quote_tooltip_doubles_backslashes_and_flattens_lines() -> None:
    # Tooltips get two rounds of backslash processing in dot 2.43.
    assert quote("a\\N\nb", context="tooltip") == '"a\\\\\\\\N b"'


def test_quote_url_keeps_url_valid_xml() -> None:
    assert quote('page?a=1&b="2"', context="url") == '"page?a=1&amp;b=%222%22"'


def test_clean_strips_controls_but_keeps_text() -> None:
    assert clean("a\x1b[31mb\u2028c\x7f") == "a[31mb\nc"


@pytest.mark.parametrize("width", [5, 12, 22])
def test_wrap_never_exceeds_width_and_never_loses_text(width: int) -> None:
    text = "Start broad-spectrum antibiotics: piperacillin–tazobactam 4.5 g IV Supercalifragilisticexpialidocious"
    lines = wrap(text, width)
    assert all(len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_breaks_words_and_keeps_paragraphs() -> None:
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("one two three", 7) == ["one two", "three"]
    assert wrap("a\nb", 22) == ["a", "b"]
    assert wrap("", 22) == [""]
    assert wrap("   ", 22) == [""]


def test_wrapped_label_is_quoted_with_line_breaks() -> None:
    assert wrapped_label("Reassess in one hour", 10) == r'"Reassess\nin one\nhour"'


def test_html_escape_for_html_like_labels() -> None:
    assert html_escape('<b> & "x"\\N\nnext') == "&lt;b&gt; &amp; &quot;x&quot;\\N<br/>next"


def _render(dot_text: str) -> str:
    proc = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, check=True)
    return proc.stdout.decode()


def _node_group(svg: str, node_id: str) -> str:
    m = re.search(rf'<g id="{node_id}" class="node">(.*?)\n</g>\n', svg, re.S)
    assert m, f"node {node_id} missing from SVG"
    return m.group(1)


@pytest.mark.dot
def test_round_trip_through_dot_displays_text_literally() -> None:
    lines = ["digraph {"]
    for i, (_desc, text) in enumerate(CASES):
        lines.append(
            f'  n{i} [id="n{i}", label={quote(text)}, tooltip={quote(text, context="tooltip")}, '
            f'URL={quote("https://example.org/?q=" + str(i) + "&x=1", context="url")}];'
        )
    lines.append("}")
    svg = _render("\n".join(lines))
    for i, (desc, text) in enumerate(CASES):
        group = _node_group(svg, f"n{i}")
        shown = "\n".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", group))
        assert shown == clean(text), desc
        tip = re.search(r'xlink:title="([^"]*)"', group)
        if text:  # an empty tooltip falls back to Graphviz's default
            assert html.unescape(tip.group(1)) == " ".join(clean(text).split()), desc
        href = html.unescape(re.search(r'xlink:href="([^"]*)"', group).group(1))
        assert href == f"https://example.org/?q={i}&x=1"


@pytest.mark.dot
def test_wrapped_very_long_title_round_trips_as_lines() -> None:
    title = "Pneumonoultramicroscopicsilicovolcanoconiosis " * 3
    svg = _render(f'digraph {{ a [id="a", label={wrapped_label(title, 22)}]; }}')
    shown = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", _node_group(svg, "a"))]
    assert shown == wrap(title, 22)
    assert len(shown) > 1
