"""Name the slip behind a YAML syntax error, at the line where it was made.

libyaml reports where it gave up, which is often a line or two after the slip
(an unclosed quote is noticed at the next quote, ``kind:investigation`` on the
next key) and in terms of its grammar ("mapping values are not allowed").  This
module looks at the lines up to the error, finds the common slips an author
makes and says in plain words what to change.  Every piece of advice must lead
to valid YAML: never "put it in quotes" for a key that is simply indented too
far (quoting that line brings the same error back one column later).

Pure text analysis: no YAML is parsed here, and nothing is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.core.echo import echo

_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY_LINE = re.compile(rf"^(?P<key>{_KEY}):(?:[ \t]|$)")
_NO_SPACE = re.compile(rf"^(?P<key>{_KEY}):(?P<rest>[^\s/:][^\s]*)$")
_DASH_NO_SPACE = re.compile(rf"^-(?P<key>{_KEY}):(?:\s|$)")
# A value announcing a block scalar: 'body: |', '- >-', 'text: |2+'.
_BLOCK_START = re.compile(r"(?:^|:\s|^-\s)\s*[|>][-+0-9]*\s*(?:#.*)?$")


@dataclass(frozen=True)
class Slip:
    """A diagnosed slip: 1-based line and column, and what to change."""

    line: int
    col: int
    message: str


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based
    indent: int  # leading spaces
    content: str  # the line without its indentation


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip(" "))


def _structural_lines(lines: list[str], upto: int) -> list[_Line]:
    """Lines 1..upto that hold YAML structure: not blank, not comments, not inside a block scalar."""
    out: list[_Line] = []
    block_indent: int | None = None  # indentation of the key that opened a block scalar
    for i, raw in enumerate(lines[:upto], start=1):
        stripped = raw.strip()
        ind = _indent(raw)
        if block_indent is not None:
            if not stripped or ind > block_indent:
                continue
            block_indent = None
        if not stripped or stripped.startswith("#"):
            continue
        out.append(_Line(i, ind, raw[ind:].rstrip()))
        if _BLOCK_START.search(raw[ind:].rstrip()):
            block_indent = ind
    return out


def _strip_dashes(line: _Line) -> tuple[int, str]:
    """(column offset, content) after any list-item dashes: '- - key: v' → (4, 'key: v')."""
    off, content = 0, line.content
    while content.startswith("- ") or content == "-":
        step = 1 + (len(content[1:]) - len(content[1:].lstrip(" ")))
        off += step
        content = content[step:]
    return off, content


def _value_start(content: str) -> int | None:
    """Index in ``content`` where the value of 'key: value' starts, or None if it is not a key line."""
    m = _KEY_LINE.match(content)
    if not m:
        return None
    rest = content[m.end() :]
    return m.end() + (len(rest) - len(rest.lstrip(" \t")))


def quote(text: str) -> str:
    """``text`` as a YAML quoted scalar that reads back as exactly ``text``."""
    if '"' in text and "'" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unclosed_quote(lines: list[str], structural: list[_Line], error_line: int) -> Slip | None:
    """A quoted value that opens on a line and is not closed where the author meant it to be."""
    i = 0
    total = len(lines)
    while i < len(structural):
        line = structural[i]
        if line.number > error_line:
            return None
        off, content = _strip_dashes(line)
        start = _value_start(content)
        if start is None:
            start = 0 if off else None  # a list item written as a quoted text: '- "x'
        if start is None or start >= len(content) or content[start] not in "\"'":
            i += 1
            continue
        q = content[start]
        col0 = line.indent + off + start  # 0-based column of the opening quote
        end = _closing(lines[line.number - 1], col0 + 1, q)
        if end is not None:
            i += 1
            continue
        # Not closed on its own line: find where it does close.
        n = line.number + 1
        while n <= total:
            end = _closing(lines[n - 1], 0, q)
            if end is not None:
                break
            n += 1
        after = lines[n - 1][end + 1 :].strip() if n <= total and end is not None else ""
        if n > total or (after and not after.startswith("#")):
            key = content[: content.index(":")] if ":" in content[:start] else None
            what = f"the text of '{key}'" if key else "this text"
            name = "double quote (\")" if q == '"' else "single quote (')"
            return Slip(
                line.number,
                col0 + 1,
                f"{what} opens with a {name} that is not closed on this line, so YAML reads on into the lines "
                f"below; add the closing {q} at the end of the text on this line",
            )
        # A legitimate quoted text over several lines: carry on after it.
        while i < len(structural) and structural[i].number <= n:
            i += 1
    return None


def _closing(line: str, start: int, q: str) -> int | None:
    """Index of the quote that closes a ``q``-quoted text in ``line`` from ``start``, or None."""
    i = start
    while i < len(line):
        c = line[i]
        if q == '"' and c == "\\":
            i += 2
            continue
        if c == q:
            if q == "'" and i + 1 < len(line) and line[i + 1] == "'":
                i += 2  # '' is an escaped single quote
                continue
            return i
        i += 1
    return None


def _tab(lines: list[str], error_line: int) -> Slip | None:
    for n, raw in enumerate(lines[:error_line], start=1):
        lead = raw[: len(raw) - len(raw.lstrip(" \t"))]
        if "\t" in lead:
            return Slip(
                n,
                lead.index("\t") + 1,
                "this line is indented with a tab; YAML allows only spaces for indentation — "
                "replace the tab with spaces (two per level, lined up with the lines around it)",
            )
    return None


def _missing_space(structural: list[_Line], error_line: int) -> Slip | None:
    """'kind:investigation' (no space after ':') or '-id: a' (no space after '-'), nearest the error first."""
    for line in reversed([s for s in structural if s.number <= error_line]):
        if line.content.startswith("---"):
            continue
        m = _DASH_NO_SPACE.match(line.content)
        if m:
            return Slip(
                line.number,
                line.indent + 1,
                f"a list item needs a space after the '-': write '- {m.group('key')}:' instead of '-{m.group('key')}:'",
            )
        off, content = _strip_dashes(line)
        m = _NO_SPACE.match(content)
        if m and not m.group("rest").startswith(("'", '"')):
            key, rest = m.group("key"), m.group("rest")
            return Slip(
                line.number,
                line.indent + off + len(key) + 1,
                f"'{echo(key + ':' + rest)}' has no space after the ':', so YAML reads it as one word; "
                f"write '{echo(key + ': ' + rest)}'",
            )
        if line.number < error_line - 3:
            break  # only the lines just before the error
    return None


def _owner_above(structural: list[_Line], line: _Line) -> _Line | None:
    """The nearest structural line above ``line``."""
    above = [s for s in structural if s.number < line.number]
    return above[-1] if above else None


def _key_column(line: _Line) -> tuple[int, str] | None:
    """(0-based column, name) of the first key on a structural line, after any dashes."""
    off, content = _strip_dashes(line)
    m = _KEY_LINE.match(content) or re.match(r"^(?P<key>[^:#\s][^:#]*?):(?:\s|$)", content)
    if not m:
        return None
    return line.indent + off, m.group("key")


def _colon_slip(lines: list[str], structural: list[_Line], line_no: int, col: int) -> Slip | None:
    """'mapping values are not allowed': a key indented too far, or ': ' inside a text."""
    here = next((s for s in structural if s.number == line_no), None)
    if here is None:
        return None
    off, content = _strip_dashes(here)
    first_colon = content.find(": ")
    if content.endswith(":") and first_colon < 0:
        first_colon = len(content) - 1
    error_idx = col - 1 - here.indent - off  # index of the offending ':' in content
    start = _value_start(content)
    if start is not None and first_colon >= 0 and error_idx > first_colon:
        # 'title: Note: this breaks' — the text itself contains ': '.
        key = content[:first_colon]
        value = content[start:]
        return Slip(
            line_no,
            col,
            f"the text of '{key}' contains ': ', which YAML reads as the start of another key; "
            f"put the whole text in quotes: {key}: {echo(quote(value))}",
        )
    above = _owner_above(structural, here)
    key_here = _key_column(here)
    if above is None or key_here is None:
        return None
    col_above = _key_column(above)
    name = key_here[1]
    if col_above is not None and key_here[0] > col_above[0]:
        # A key indented further than the key above: YAML reads it as more of that key's text.
        return Slip(
            line_no,
            key_here[0] + 1,
            f"'{echo(name)}' is indented further than '{echo(col_above[1])}' on line {above.number}, "
            f"so YAML reads it as part of the value above; move '{echo(name)}' left to column "
            f"{col_above[0] + 1}, lined up with '{echo(col_above[1])}'",
        )
    return None


def _dash_slip(structural: list[_Line], line_no: int) -> Slip | None:
    """'did not find expected '-' indicator': an item's key or an item's dash out of line."""
    here = next((s for s in structural if s.number == line_no), None)
    if here is None:
        return None
    items = [s for s in structural if s.number < line_no and s.content.startswith("- ")]
    if here.content.startswith("- "):
        sibling = next((s for s in reversed(items) if s.indent != here.indent), None)
        if sibling is None:
            return None
        return Slip(
            line_no,
            here.indent + 1,
            f"this '- ' is at column {here.indent + 1}, but the list item on line {sibling.number} starts at "
            f"column {sibling.indent + 1}; items of one list must start in the same column",
        )
    owner = next((s for s in reversed(items) if s.indent <= here.indent), None)
    if owner is None:
        return None
    kc = _key_column(owner)
    key_here = _key_column(here)
    if kc is None or key_here is None or not (owner.indent <= here.indent < kc[0]):
        return None
    more = kc[0] - here.indent
    return Slip(
        line_no,
        here.indent + 1,
        f"'{echo(key_here[1])}' belongs to the list item on line {owner.number}, so it must line up with "
        f"'{echo(kc[1])}' (column {kc[0] + 1}); indent it {more} more space{'s' if more != 1 else ''}",
    )


def _value_after_structure(structural: list[_Line], line_no: int, col: int) -> Slip | None:
    """'did not find expected key' right after '[…]', '{…}' or '"…"' on a value: more text follows it."""
    here = next((s for s in structural if s.number == line_no), None)
    if here is None:
        return None
    off, content = _strip_dashes(here)
    start = _value_start(content)
    if start is None or start >= len(content):
        return None
    first = content[start]
    if first not in "[{\"'" or col - 1 <= here.indent + off + start:
        return None
    key = content[: content.index(":")]
    value = content[start:]
    what = {"[": "a list", "{": "a set of keys", '"': "a quoted text", "'": "a quoted text"}[first]
    return Slip(
        line_no,
        here.indent + off + start + 1,
        f"the text of '{key}' starts with {first}, so YAML reads {what} and then finds more text after it; "
        f"put the whole text in quotes: {key}: {echo(quote(value))}",
    )


def _special_start(lines: list[str], line_no: int, col: int, raw: str) -> Slip | None:
    """A value that starts with a character YAML reserves ('@', '`', '%', '- ')."""
    text = lines[line_no - 1]
    if not 1 <= col <= len(text):
        return None
    ch = text[col - 1]
    prefix = text[: col - 1].rstrip()
    m = re.match(r"^\s*(?:-\s+)*(?P<key>[^:#\s][^:#]*?):$", prefix)
    if ch == "-" and raw == "block sequence entries are not allowed in this context":
        what = "'- '"
    elif ch in "@`%":
        what = f"'{ch}'"
    else:
        return None
    value = text[col - 1 :].rstrip()
    fix = f"{m.group('key')}: {echo(quote(value))}" if m else echo(quote(value))
    return Slip(
        line_no,
        col,
        f"a text cannot start with {what} unless it is in quotes; put the whole text in quotes: {fix}",
    )


def diagnose(text: str, line: int, col: int, raw: str) -> Slip | None:
    """The slip behind libyaml's error ``raw`` at ``line``:``col`` (1-based), or None if not recognised."""
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))
    tab = _tab(lines, line)
    if tab is not None:
        return tab
    structural = _structural_lines(lines, len(lines))
    for finder in (
        lambda: _unclosed_quote(lines, structural, line),
        lambda: _missing_space(structural, line),
    ):
        slip = finder()
        if slip is not None:
            return slip
    if raw.startswith("mapping values are not allowed"):
        return _colon_slip(lines, structural, line, col)
    if raw == "did not find expected '-' indicator":
        return _dash_slip(structural, line)
    if raw == "did not find expected key":
        return _value_after_structure(structural, line, col) or _dash_slip(structural, line)
    if raw in ("found character that cannot start any token", "block sequence entries are not allowed in this context"):
        return _special_start(lines, line, col, raw)
    return None
