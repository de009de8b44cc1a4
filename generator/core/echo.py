"""Show a value the author wrote inside a message, at a readable length.

Messages quote what was written ("'format' is '…'") so the author can find it,
but a 100,000-digit number or a pasted page must not become a 100,000-character
line: one helper shortens every echoed value the same way.
"""

from __future__ import annotations

#: Longest echoed value, in characters, before it is cut.
MAX_ECHO = 60


def echo(value: str, limit: int = MAX_ECHO) -> str:
    """``value`` on one line, cut to about ``limit`` characters with its full length said.

    '9999…9999 (100,000 characters)'.  Line breaks become spaces so a message
    stays one line; control characters are left for the reporters to escape.
    """
    flat = value.replace("\r\n", " ").replace("\n", " ")
    if len(flat) <= limit:
        return flat
    head = max(limit * 2 // 3, 1)
    tail = max(limit - head - 1, 1)
    return f"{flat[:head]}…{flat[-tail:]} ({len(value):,} characters)"
