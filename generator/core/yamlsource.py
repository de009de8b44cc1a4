"""Read YAML text into a light tree of nodes that remember where they were written.

We use libyaml's C event parser (fast: a 1,000-stage file parses in a few tens of
milliseconds) and build our own nodes instead of PyYAML objects, because:

* every scalar keeps its text **as written** (``when: No`` stays ``"No"``,
  ``version: 1.10`` stays ``"1.10"``) — PyYAML's implicit typing would turn
  them into ``False`` and ``1.1``;
* every node keeps its 1-based ``Location``;
* nothing is ever constructed from a tag, and anchors/aliases are refused, so
  hostile input cannot run code or blow up memory.

Problems are returned, never raised.  This module knows nothing about pathways.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterator, Union

import yaml

from generator.core import hygiene, limits
from generator.core.lines import LineIndex
from generator.core.model import Location, Problem, Severity
from generator.core.rules import Rule
from generator.core.echo import echo
from generator.core.yamlslips import diagnose

# After a plain value: spaces, then a comment whose first character is not a space ('#2 stage').
_CUT_BY_COMMENT = re.compile(r"[ \t]+(#\S.*)")

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(slots=True)
class Scalar:
    """A scalar exactly as written.  ``style`` is None for plain, else ``' " | >``."""

    value: str
    style: str | None
    loc: Location

    @property
    def is_null(self) -> bool:
        """True for an empty or ``~``/``null`` plain value (quoted ``"null"`` is text)."""
        return self.style is None and self.value in _NULLS


@dataclass(slots=True)
class Sequence:
    items: list["Node"]
    loc: Location


@dataclass(slots=True)
class Mapping:
    """Keys in file order.  ``entries[key] = (key node, value node)``; duplicates dropped."""

    entries: dict[str, tuple[Scalar, "Node"]] = field(default_factory=dict)
    loc: Location = Location("<memory>", 0, 0)
    #: Keys whose value was refused (alias, tag, too long): already reported, so
    #: the loader must not also call them missing.
    refused: set[str] = field(default_factory=set)


Node = Union[Scalar, Sequence, Mapping]


def describe(node: Node | None) -> str:
    """How a node reads to an author: 'a list', 'a mapping', 'text', 'nothing'."""
    if node is None or (isinstance(node, Scalar) and node.is_null):
        return "nothing"
    if isinstance(node, Sequence):
        return "a list"
    if isinstance(node, Mapping):
        return "a mapping (key: value pairs)"
    return f"text '{echo(node.value, 40)}'"


def decode(data: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (a leading BOM is allowed); say where the first bad byte is."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        msg = (
            f"the file is not valid UTF-8 text (byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "save it as UTF-8 — most editors offer this under 'Save with encoding'"
        )
        return None, [Problem(Severity.ERROR, Rule.ENCODING, msg, Location(filename, line, col))]


# libyaml's problem texts, in words an author can act on, for the errors ``yamlslips`` cannot place.
# None of them may advise quotes for what could be a key out of line: quoting such a line brings
# the same error back one column later.
_PLAIN_WORDS = {
    "mapping values are not allowed here": (
        "unexpected ':' — check that this line lines up with the keys above it; "
        "if a text contains ': ', put that whole text in quotes"
    ),
    "mapping values are not allowed in this context": (
        "unexpected ':' — check that this line lines up with the keys above it; "
        "if a text contains ': ', put that whole text in quotes"
    ),
    "did not find expected key": "this line does not line up with the keys above it — check its indentation",
    "could not find expected ':'": "expected 'key: value' here — is a ':', or the space after it, missing?",
    "did not find expected '-' indicator": (
        "this line is out of line with the list item above it: an item's keys line up under its first key, "
        "and the '- ' of every item starts in the same column"
    ),
    "found character that cannot start any token": (
        "this character cannot start a value — text starting with @, ` or % must be put in quotes"
    ),
    "found a tab character that violates indentation": "a tab is used for indentation; use spaces",
    "found a tab character where an indentation space is expected": "a tab is used for indentation; use spaces",
    "found unexpected end of stream": "the file ends inside a quoted text — is a closing quote missing?",
    "did not find expected ',' or ']'": "a list in [ ] is not closed — is a ']' missing?",
    "did not find expected ',' or '}'": "a set of keys in { } is not closed — is a '}' missing?",
    "found unknown escape character": r"unknown escape after '\' in double quotes — use single quotes or write '\\'",
    "control characters are not allowed": "the file contains a control character that cannot appear in text",
    "did not find expected comment or line break": (
        "nothing may follow '|' or '>' on its line: the text starts on the next line, indented further "
        "(or put a one-line text in quotes instead)"
    ),
    "did not find expected alphabetic or numeric character": (
        "a text cannot start with '*' or '&' unless it is in quotes; put the whole text in quotes"
    ),
    "block sequence entries are not allowed in this context": (
        "a text cannot start with '- ' unless it is in quotes; put the whole text in quotes"
    ),
}


def _syntax_problem(exc: yaml.YAMLError, text: str, filename: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    position = getattr(exc, "position", None)  # ReaderError: a character index
    if mark is not None:
        loc = Location(filename, mark.line + 1, mark.column + 1)
    elif isinstance(position, int) and 0 <= position <= len(text):
        before = text[:position]
        loc = Location(filename, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)
    else:
        loc = Location(filename, 1, 1)
    loc = _clamp(loc, text)
    raw = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
    slip = diagnose(text, loc.line, loc.col, raw) if mark is not None else None
    if slip is not None:
        return Problem(Severity.ERROR, "yaml-syntax", slip.message, _clamp(Location(filename, slip.line, slip.col), text))
    plain = _PLAIN_WORDS.get(raw)
    if plain is None:
        plain = f"YAML syntax error: {raw}"
    else:
        plain = f"{plain} (YAML: {raw})"
    return Problem(Severity.ERROR, Rule.YAML_SYNTAX, plain, loc)


def _clamp(loc: Location, text: str) -> Location:
    """Keep a location inside the text: libyaml puts end-of-file errors one line past the end."""
    lines = text.split("\n")
    line = min(max(loc.line, 1), len(lines))
    col = min(max(loc.col, 1), len(lines[line - 1]) + 1)
    return Location(loc.file, line, col)


class _Abort(Exception):
    """Stop reading: the input is over a hard limit."""

    def __init__(self, problem: Problem):
        self.problem = problem


class _Builder:
    def __init__(self, events: Iterator[yaml.Event], filename: str, text: str):
        self.events = events
        self.nodes = 0  # built so far (limits.MAX_NODES)
        self.filename = filename
        self.problems: list[Problem] = []
        self.text = text
        self.line_lengths = [len(line) for line in text.split("\n")]
        self._lines: LineIndex | None = None

    def loc(self, mark) -> Location:
        """1-based location of a libyaml mark, kept inside the text (end-of-file marks can overshoot)."""
        line, col = mark.line, mark.column
        if line >= len(self.line_lengths):
            line = len(self.line_lengths) - 1
            col = self.line_lengths[line]
        elif col > self.line_lengths[line]:
            col = self.line_lengths[line]
        return Location(self.filename, line + 1, col + 1)

    def problem(self, rule: str, msg: str, loc: Location) -> None:
        self.problems.append(Problem(Severity.ERROR, rule, msg, loc))

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def offset(self, loc: Location) -> int:
        """Character offset in the text of a 1-based location."""
        return self.lines.starts[loc.line - 1] + loc.col - 1

    def at_offset(self, pos: int) -> Location:
        return Location(self.filename, *self.lines.line_col(pos))

    def hygiene(self, value: str, ev: yaml.ScalarEvent, loc: Location, *, key: bool) -> None:
        """Report the first control or bidi character of a scalar where it was written."""
        # A line break or tab is text here (fact labels are keys); in ids and choices the loader refuses them.
        bad = hygiene.find_forbidden(value)
        if bad is None:
            return
        ch = bad.group()
        start, end = self.offset(loc), self.offset(self.loc(ev.end_mark))
        found = self.text.find(ch, start, max(end, start + 1))
        if found >= 0:
            where, how = self.at_offset(found), ""
        else:  # written as an escape in double quotes ("\0", "\e", "\u202e")
            where, how = loc, " (written as an escape in double quotes)"
        what = "this key" if key else "this text"
        count = hygiene.count_forbidden(value)
        self.problem(hygiene.RULE, hygiene.problem_text(ch, count, what) + how, where)

    def comment_after(self, ev: yaml.ScalarEvent) -> None:
        """Warn when '#' right after a plain value (``title: Injection #2``) cut the value short.

        Only a '#' followed by a non-space character: ``value  # a note`` is how comments are written.
        """
        end, begin = ev.end_mark, ev.start_mark
        if end is None or begin is None or end.line >= len(self.line_lengths):
            return
        if end.index >= len(self.text) or self.text[end.index] not in " \t":
            return  # the common case, checked without looking further
        line_end = self.text.find("\n", end.index)
        m = _CUT_BY_COMMENT.match(self.text, end.index, len(self.text) if line_end < 0 else line_end)
        if m is None:
            return
        where = Location(self.filename, end.line + 1, end.column + m.start(1) - end.index + 1)
        kept, cut = echo(ev.value), echo(m.group(1).rstrip())
        quoted = "in quotes"
        if begin.line == end.line:  # the whole value as written, as a double-quoted YAML string
            quoted = echo(json.dumps(self.text[begin.index:m.end()].rstrip(), ensure_ascii=False))
        self.problems.append(Problem(
            Severity.WARNING, Rule.COMMENT_IN_VALUE,
            f"'{cut}' is read as a YAML comment, so the value is only '{kept}'; to keep it, write the whole "
            f"value {quoted}, or, if it is a comment, put a space after '#'", where))

    def node(self, ev: yaml.Event, depth: int, *, is_key: bool = False) -> Node | None:
        """Build the node that starts with ``ev``; None if it had to be refused."""
        loc = self.loc(ev.start_mark)
        self.nodes += 1
        if self.nodes > limits.MAX_NODES:
            raise _Abort(Problem(Severity.ERROR, Rule.LIMIT_EXCEEDED,
                                 f"the file holds more than {limits.MAX_NODES:,} keys, values and lists; nothing "
                                 "after this point was read (a real pathway has far fewer: is this the right file?)",
                                 loc))
        if isinstance(ev, yaml.AliasEvent):
            self.problem(
                Rule.YAML_ALIAS,
                f"aliases ('*{ev.anchor}') are not allowed: write the text out in full — "
                "a copy that changes invisibly when the original is edited is unsafe in a clinical document",
                loc,
            )
            return None
        refused = False
        anchor = getattr(ev, "anchor", None)
        if anchor is not None:
            self.problem(
                Rule.YAML_ALIAS,
                f"anchors ('&{anchor}') are not allowed: write the text out in full where it is needed",
                loc,
            )
        tag = getattr(ev, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                Rule.YAML_TAG,
                f"YAML tags like '{shown}' are not allowed; remove it (put the value in quotes if it must stay text)",
                loc,
            )
            refused = True
        if isinstance(ev, yaml.ScalarEvent):
            if len(ev.value) > limits.MAX_TEXT_CHARS:
                self.problem(
                    Rule.LIMIT_EXCEEDED,
                    f"this text is {len(ev.value):,} characters long; the limit is {limits.MAX_TEXT_CHARS:,}",
                    loc,
                )
                refused = True
            self.hygiene(ev.value, ev, loc, key=is_key)
            style = ev.style if ev.style in ("'", '"', "|", ">") else None
            if style is None and not is_key and ev.value:
                self.comment_after(ev)
            return None if refused else Scalar(ev.value, style, loc)
        if depth >= limits.MAX_DEPTH:
            raise _Abort(
                Problem(
                    Severity.ERROR,
                    Rule.LIMIT_EXCEEDED,
                    f"lists and mappings are nested more than {limits.MAX_DEPTH} levels deep",
                    loc,
                )
            )
        if isinstance(ev, yaml.SequenceStartEvent):
            seq = Sequence([], loc)
            for item_ev in self.events:
                if isinstance(item_ev, yaml.SequenceEndEvent):
                    break
                item = self.node(item_ev, depth + 1)
                if item is not None:
                    seq.items.append(item)
            return None if refused else seq
        if isinstance(ev, yaml.MappingStartEvent):
            mapping = Mapping({}, loc, set())
            for key_ev in self.events:
                if isinstance(key_ev, yaml.MappingEndEvent):
                    break
                key = self.node(key_ev, depth + 1, is_key=True)
                value = self.node(next(self.events), depth + 1)
                if key is None:
                    continue
                if not isinstance(key, Scalar):
                    self.problem(Rule.WRONG_TYPE, f"a key must be a plain name, not {describe(key)}", key.loc)
                    continue
                first = mapping.entries.get(key.value)
                if first is not None:
                    self.problem(
                        "duplicate-key",
                        f"'{echo(key.value)}' is given twice in the same block (first on line {first[0].loc.line}); "
                        "keep one — delete the other, or merge the two if both hold something you need",
                        key.loc,
                    )
                    continue
                if value is None:  # refused (alias, tag): already reported
                    mapping.refused.add(key.value)
                    continue
                mapping.entries[key.value] = (key, value)
            return None if refused else mapping
        raise AssertionError(f"unexpected YAML event {ev!r}")  # pragma: no cover


def parse(text: str, filename: str) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document.  Returns (root node or None, problems)."""
    builder = _Builder(iter(()), filename, text)
    root: Node | None = None
    documents = 0
    try:
        events = yaml.parse(text, Loader=yaml.CSafeLoader)
        builder.events = events
        for ev in events:
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents == 2:
                    builder.problem(
                        Rule.YAML_SYNTAX,
                        "a second YAML document starts here ('---'); a pathway file holds exactly one — "
                        "remove the '---' line and merge the content",
                        builder.loc(ev.start_mark),
                    )
                    break
                root_ev = next(events)
                root = builder.node(root_ev, 0)
    except _Abort as abort:
        return None, builder.problems + [abort.problem]
    except yaml.YAMLError as exc:
        return None, builder.problems + [_syntax_problem(exc, text, filename)]
    if isinstance(root, Scalar) and root.is_null:  # '---' alone, or only '~'
        root, documents = None, 0
    if documents == 0:
        builder.problem(
            Rule.EMPTY_FILE,
            "the file is empty — a pathway needs at least id, title, version, status, start and stages",
            Location(filename, 1, 1),
        )
    return root, builder.problems
