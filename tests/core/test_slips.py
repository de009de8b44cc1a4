"""YAML slips an author makes: each is reported at the line of the slip, in words that lead to the fix.

Each fixture in tests/fixtures/slips/ starts with ``# slip: LINE:COL`` and ``# says: TEXT``.  Where the
message gives a mechanical fix (quote this, move that to column N, add the closing quote), the test
applies it and checks the file then parses: advice that reproduces the error fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.core.pipeline import check_text
from generator.core.yamlslips import quote

SLIPS = sorted((Path(__file__).parents[1] / "fixtures" / "slips").glob("*.yaml"))


def _header(text: str) -> tuple[int, int, str]:
    m = re.match(r"# slip: (\d+):(\d+)\n# says: (.*)\n", text)
    assert m, "a slip fixture starts with '# slip: LINE:COL' and '# says: TEXT'"
    return int(m[1]), int(m[2]), m[3]


@pytest.mark.parametrize("path", SLIPS, ids=[p.stem for p in SLIPS])
def test_slip_is_reported_at_its_line_with_the_fix(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    line, col, says = _header(text)
    (p,) = check_text(text, "f").problems
    assert p.rule == ("duplicate-key" if path.stem == "duplicate-key" else "yaml-syntax")
    assert (p.location.line, p.location.col) == (line, col)
    assert says in p.message
    assert "YAML:" not in p.message  # plain words, not libyaml's grammar


def _apply(text: str, line: int, message: str) -> str | None:
    """The file with the message's advice applied to ``line``, or None if the advice is not mechanical."""
    lines = text.split("\n")
    cur = lines[line - 1]
    if m := re.search(r"put the whole text in quotes: (\S+): (.*)$", message):
        key, fixed = m[1], m[2]
        start = cur.index(key + ":")
        lines[line - 1] = cur[:start] + f"{key}: {fixed}"
    elif m := re.search(r"move '[^']+' left to column (\d+)", message):
        lines[line - 1] = " " * (int(m[1]) - 1) + cur.lstrip(" ")
    elif m := re.search(r"indent it (\d+) more space", message):
        lines[line - 1] = " " * int(m[1]) + cur
    elif m := re.search(r"add the closing (.) at the end", message):
        lines[line - 1] = cur + m[1]
    elif m := re.search(r"write '([^']+)'$", message):
        lines[line - 1] = cur.replace(m[1].replace(": ", ":", 1), m[1], 1)
    elif m := re.search(r"write '(- [^']+)' instead of '([^']+)'", message):
        lines[line - 1] = cur.replace(m[2], m[1], 1)
    elif m := re.search(r"this '- ' is at column \d+, but the list item on line \d+ starts at column (\d+)", message):
        lines[line - 1] = " " * (int(m[1]) - 1) + cur.lstrip(" ")
    elif "indented with a tab" in message:
        lines[line - 1] = cur.replace("\t", "    ", 1)
    else:
        return None
    return "\n".join(lines)


@pytest.mark.parametrize("path", [p for p in SLIPS if p.stem != "duplicate-key"], ids=lambda p: p.stem)
def test_following_the_advice_gives_valid_yaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    (p,) = check_text(text, "f").problems
    fixed = _apply(text, p.location.line, p.message)
    assert fixed is not None, f"no mechanical fix in: {p.message}"
    after = [q for q in check_text(fixed, "f").problems if q.rule == "yaml-syntax"]
    assert after == [], f"the advice {p.message!r} left: {after}"


def test_over_indented_key_is_never_told_to_add_quotes() -> None:
    # Quoting the over-indented line (as the old message advised) brings the error back one column on.
    path = next(p for p in SLIPS if p.stem == "over-indented-key")
    (p,) = check_text(path.read_text(encoding="utf-8"), "f").problems
    assert "quote" not in p.message


def test_every_slip_message_the_old_reader_gave_is_gone() -> None:
    messages = [check_text(p.read_text(encoding="utf-8"), "f").problems[0].message for p in SLIPS]
    assert not any("list items must line up" in m for m in messages)
    assert not any("mapping" in m or "only the first is used" in m for m in messages)


def test_a_multi_line_quoted_text_is_not_taken_for_an_unclosed_quote() -> None:
    text = 'id: p\ntitle: "two\n  lines"\nversion: "1"\nstatus: draft\nstart: a\nstages:\n  - id: a\n    title: A\n    kind: outcome\n    summary: x: y\n'
    (p,) = check_text(text, "f").problems
    assert p.location.line == 11 and "summary" in p.message


def test_quotes_in_block_text_are_ignored() -> None:
    text = 'id: p\nsummary: |\n  He said "stop\ntitle: Note: x\n'
    (p,) = [q for q in check_text(text, "f").problems if q.rule == "yaml-syntax"]
    assert p.location.line == 4 and "title" in p.message


@pytest.mark.parametrize("text", ["plain", 'with "double"', "with 'single'", 'both " and \'', "back\\slash"])
def test_quote_reads_back_as_written(text: str) -> None:
    import yaml

    assert yaml.safe_load(f"k: {quote(text)}") == {"k": text}
