"""Links between stages written in Markdown text as ``[[stage-id]]`` or ``[[stage-id|text]]``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

# [[ target ( | text )? ]]
#   target: anything up to ']' or '|' or a line break (spaces around it are trimmed)
#   text:   anything up to ']' or a line break; may be empty ("[[id|]]" shows the id)
# No nesting and no escapes: '[[' always starts a link, which keeps the rule
# easy to explain to authors.
WIKILINK_RE = re.compile(r"\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")


@dataclass(frozen=True)
class WikiLink:
    """One link found in a text: ``text[start:end]`` is the whole ``[[...]]``."""

    start: int
    end: int
    target: str
    text: str | None


def iter_wikilinks(text: str) -> Iterator[WikiLink]:
    """Yield every ``[[...]]`` link in ``text`` in order of appearance."""
    for m in WIKILINK_RE.finditer(text or ""):
        label = m.group(2)
        label = label.strip() if label is not None and label.strip() else None
        yield WikiLink(m.start(), m.end(), m.group(1).strip(), label)
