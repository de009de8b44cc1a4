"""Which pathway texts are plain and which are Markdown, and the Markdown lines that change meaning.

One policy for the website and the PDF handbook (``docs/format.md``, "Text:
plain or Markdown"):

* **Plain** fields are shown exactly as written, everywhere: ``*``, ``_``,
  ``#`` and ``<`` are just characters.  Condition texts (``when``), fact
  labels, titles, ids, names and the like (``PLAIN_FIELDS``).
* **Inline Markdown** fields (``INLINE_MARKDOWN_FIELDS``) allow emphasis,
  links and ``[[stage-id]]`` links on one line (line breaks are spaces); a
  ``#``, ``>``, ``-`` or ``1.`` at the start is shown as written.
* **Block Markdown** fields (``BLOCK_MARKDOWN_FIELDS``) are full Markdown:
  paragraphs, lists, headings.  Here some ordinary clinical lines change
  meaning when rendered; ``markdown_surprises`` finds them so the checks can
  warn (rule ``markdown-meaning``) with what the line will look like and how
  to write it literally.

Pure functions; no Markdown library is imported (the tests check these
rules against Python-Markdown itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from generator.core.lines import LineIndex
from generator.core.model import Location, Pathway, Problem, Severity
from generator.core.rules import Rule

PLAIN_FIELDS: tuple[str, ...] = (
    "id", "title", "version", "status", "audience", "governance.owner", "governance.authors",
    "governance.approved_by", "governance.contact", "groups.title", "stages.id", "stages.title",
    "stages.kind", "stages.facts (labels)", "stages.next.when", "references.title", "references.url",
    "glossary.term", "glossary.abbr", "history.version", "history.approved_by",
)
INLINE_MARKDOWN_FIELDS: tuple[str, ...] = (
    "stages.summary", "stages.facts (values)", "glossary.definition", "history.summary",
)
BLOCK_MARKDOWN_FIELDS: tuple[str, ...] = ("summary", "stages.body")

RULE = Rule.MARKDOWN_MEANING


@dataclass(frozen=True)
class Surprise:
    """A line of a Markdown text that will not show as written.

    ``line`` counts from 1 within the text; ``shown`` says what it will look
    like and ``literal`` how to write it so it shows as typed.
    """

    line: int
    text: str
    shown: str
    literal: str


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})([^#\s].*)$")
_QUOTE = re.compile(r"^ {0,3}>\s?([\d=<>.%].*)$")  # a comparison such as "> 65 years"; a quote of words is deliberate
_ORDERED = re.compile(r"^ {0,3}(\d{1,9})\.(\s+)(.*)$")
_BULLET = re.compile(r"^ {0,3}([-*+])(\s+)(\S.*)$")
_INDENTED = re.compile(r"^(?: {4}|\t)\s*(\S.*)$")


def _cut(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def markdown_surprises(text: str) -> list[Surprise]:
    """The lines of a block-Markdown ``text`` that Markdown would show differently from how they read.

    * ``#1 priority``: a ``#`` right before a word makes a heading (``# Title``,
      with a space, is taken as a deliberate heading and not reported);
    * ``> 65 years``: a ``>`` at the start of a line makes a quotation;
    * ``2. Second step``: a numbered list is renumbered from 1;
    * ``- 2 mg`` or ``* not``: a lone item after a blank line becomes a bullet
      (lists of two or more items are taken as meant);
    * a line indented by four spaces after a blank line becomes a code block.

    Lines inside fenced code blocks are left alone.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[Surprise] = []
    fence: str | None = None
    in_list = False  # inside a list Markdown has already started
    expected = 0  # the number Markdown gives the next item of the ordered list we are in
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        blank_before = i == 0 or not lines[i - 1].strip()
        if not line.strip():
            continue
        if blank_before and not line[:1].isspace() and not (_ORDERED.match(line) or _BULLET.match(line)):
            # An unindented line after a blank line ends any list (an indented one continues it).
            in_list, expected = False, 0
        if (h := _HEADING.match(line)) and not in_list:
            out.append(Surprise(i + 1, line, f"a heading reading '{_cut(h.group(2).strip())}'",
                                "put a backslash before the '#': " + _cut("\\" + line.lstrip())))
            continue
        if (q := _QUOTE.match(line)) and not in_list:
            out.append(Surprise(i + 1, line, f"an indented quotation reading '{_cut(q.group(1))}', without the '>'",
                                "put a backslash before the '>': " + _cut("\\" + line.lstrip())))
            continue
        if (o := _ORDERED.match(line)) and (blank_before or in_list):
            if not in_list or expected == 0:
                in_list, expected = True, 1
            if int(o.group(1)) != expected:
                out.append(Surprise(i + 1, line, f"list item number {expected}, not {o.group(1)}",
                                    "put a backslash before the '.': " + _cut(f"{o.group(1)}\\.{o.group(2)}{o.group(3)}")))
            expected += 1
            continue
        if (b := _BULLET.match(line)) and (blank_before or in_list):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            lone = not in_list and not (_BULLET.match(nxt) or _ORDERED.match(nxt))
            in_list, expected = True, 0
            if lone and (b.group(1) == "*" or b.group(3)[:1].isdigit()):
                out.append(Surprise(i + 1, line, f"a bulleted list with one item, '{_cut(b.group(3))}'",
                                    f"put a backslash before the '{b.group(1)}': " + _cut("\\" + line.lstrip())))
            continue
        if (c := _INDENTED.match(line)) and blank_before and not in_list:
            out.append(Surprise(i + 1, line, "a code block in a fixed-width font, where Markdown is off",
                                "remove the indentation: " + _cut(c.group(1))))
            continue
    return out


def _line_location(source: str, lines: LineIndex, start: Location, line_text: str, after: int) -> tuple[Location, int]:
    """Where ``line_text`` (one line of a YAML text value) is in ``source``, searching from offset ``after``.

    Block scalars keep each line as written (only indented), so its stripped
    text is found as is; otherwise the value's start is the best place.
    """
    needle = line_text.strip()
    pos = source.find(needle, after) if source and needle else -1
    if pos < 0:
        return start, after
    line, col = lines.line_col(pos)
    return Location(start.file, line, col), pos + len(needle)


def _block_texts(p: Pathway) -> Iterator[tuple[str, str, Location]]:
    if p.summary:
        yield "the pathway summary", p.summary, p.field_locs.get("summary", p.loc)
    for s in p.stages:
        if s.body:
            yield f"the body of stage '{s.id}'", s.body, s.field_locs.get("body", s.loc)


def markdown_meaning_problems(pathway: Pathway, source: str = "") -> list[Problem]:
    """A located ``markdown-meaning`` warning for every surprising line of every block-Markdown field."""
    out: list[Problem] = []
    lines = LineIndex(source)
    for what, text, start in _block_texts(pathway):
        after = (lines.offset(start.line, max(start.col, 1)) or len(source)) if source else 0
        for s in markdown_surprises(text):
            loc, after = _line_location(source, lines, start, s.text, after)
            out.append(Problem(
                Severity.WARNING, RULE,
                f"in {what}, '{_cut(s.text.strip())}' will show as {s.shown}; "
                f"to show it as written, {s.literal}",
                loc,
            ))
    return out
