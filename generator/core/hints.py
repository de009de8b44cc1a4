"""Deferred "did you mean …?" hints: worked out only for the problems that are shown.

Finding the closest of N ids costs O(N) string comparisons, so a file with
thousands of misspelt references would spend nearly all its time on
suggestions nobody reads.  A check attaches a ``Hint`` to its ``Problem``; the
pipeline completes the shown problems, in file order, within ``limits.MAX_SUGGESTION_WORK``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from generator.core.suggest import did_you_mean


@dataclass(frozen=True, eq=False)
class Hint:
    """``did_you_mean(word, candidates)``, when called."""

    word: str
    candidates: Sequence[str]

    @property
    def cost(self) -> int:
        """The candidates compared: what working this hint out costs."""
        return len(self.candidates)

    def __call__(self) -> str:
        return did_you_mean(self.word, self.candidates)
