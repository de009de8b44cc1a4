"""'Did you mean …?' suggestions for misspelt ids, keys and kinds."""

from __future__ import annotations

import difflib
from typing import Iterable


def closest(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """Return the candidate most similar to ``word``, or None if none is close.

    Comparison ignores case and treats ``_``/space like ``-``, because clinicians
    type ``Six_Week_Review`` for ``six-week-review``.
    """
    cands = [c for c in dict.fromkeys(candidates) if c != word]
    if not cands:
        return None
    norm = {_normal(c): c for c in reversed(cands)}
    w = _normal(word)
    if w in norm:
        return norm[w]
    # A word that is a prefix of exactly one candidate ("physio" → "physiotherapy").
    if len(w) >= 4:
        prefixed = [c for n, c in norm.items() if n.startswith(w)]
        if len(prefixed) == 1:
            return prefixed[0]
    match = difflib.get_close_matches(w, list(norm), n=1, cutoff=cutoff)
    return norm[match[0]] if match else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` or ``""`` — ready to append to a message."""
    best = closest(word, candidates)
    return f"; did you mean '{best}'?" if best else ""


def _normal(s: str) -> str:
    return s.strip().lower().replace("_", "-").replace(" ", "-")
