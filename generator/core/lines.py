"""Line and column arithmetic over a source text, in one pass, for every module that locates text.

Offsets are 0-based; lines and columns 1-based, as in ``Location``. Lookups are
O(1) and O(log lines), so locating many problems in a large file stays linear.
"""

from __future__ import annotations

import bisect
import re


class LineIndex:
    """Where each line of ``text`` starts."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def offset(self, line: int, col: int) -> int | None:
        """The offset of a 1-based line and column; None if the text has no such line."""
        if line < 1 or line > len(self.starts):
            return None
        return self.starts[line - 1] + col - 1

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of an offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1
