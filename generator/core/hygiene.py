"""Characters no pathway text may hold, and how to show any text safely in a terminal or CI log.

Control characters (NUL, ESC, BEL, …) cannot be shown on a page and reach
terminals as escapes; bidirectional overrides and isolates (U+202A–U+202E,
U+2066–U+2069) make text display in another order than it reads.  Both are
``control-character`` errors wherever they appear.  A line break and a tab
are ordinary text where a field may span lines; in an id, a kind or a key
they are errors too.
"""

from __future__ import annotations

import re
import unicodedata

from generator.core.rules import Rule

RULE = Rule.CONTROL_CHARACTER

# C0 controls except tab and line feed, DEL, C1 controls, and the bidi embeddings,
# overrides and isolates.
_FORBIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN_RE = re.compile(f"[{_FORBIDDEN}]")
_FORBIDDEN_ONE_LINE_RE = re.compile(f"[{_FORBIDDEN}\t\n]")
# What a message must never print raw: the above plus tab, line breaks and the Unicode line separators.
_UNPRINTABLE_RE = re.compile(f"[{_FORBIDDEN}\t\n\r\u2028\u2029]")

_NAMES = {
    0x00: "NUL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x09: "TAB",
    0x0A: "LINE FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
}


def find_forbidden(text: str, *, one_line: bool = False) -> re.Match[str] | None:
    """The first character ``text`` may not hold (also tab and line feed when ``one_line``)."""
    return (_FORBIDDEN_ONE_LINE_RE if one_line else _FORBIDDEN_RE).search(text)


def describe_char(ch: str) -> str:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)', 'U+0000 (NUL)'."""
    code = ord(ch)
    name = _NAMES.get(code) or unicodedata.name(ch, "a control character")
    return f"U+{code:04X} ({name})"


def problem_text(ch: str, count: int, what: str = "this text") -> str:
    """The message for a forbidden character: which one, why, and what to do."""
    code = ord(ch)
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        why = "a bidirectional control, which can make text display in a different order from how it reads"
    elif ch in "\t\n":
        why = "which cannot appear in an id, a choice, a date or an address (they are one line)"
    else:
        why = "a control character, which cannot be shown on a page and can act as a command in a terminal"
    more = ""
    if count == 2:
        more = " (1 more such character follows)"
    elif count > 2:
        more = f" ({count - 1:,} more such characters follow)"
    return f"{what} contains {describe_char(ch)}, {why}; remove it{more}"


def count_forbidden(text: str, *, one_line: bool = False) -> int:
    return len((_FORBIDDEN_ONE_LINE_RE if one_line else _FORBIDDEN_RE).findall(text))


def printable(text: str) -> str:
    r"""``text`` with every control, line break and bidi character written as a visible escape.

    '\n' → '\\n', ESC → '\\x1b', U+202E → '\\u202e', so a message can neither start a new
    line (forging a CI workflow command such as '::error::' or '::add-mask::') nor send a
    terminal escape.  Ordinary text, including non-Latin letters, is unchanged.
    """
    if not _UNPRINTABLE_RE.search(text):
        return text
    return _UNPRINTABLE_RE.sub(_escape_one, text)


def _escape_one(m: re.Match[str]) -> str:
    ch = m.group()
    simple = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in simple:
        return simple[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
