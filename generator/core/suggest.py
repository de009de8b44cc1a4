"""'Did you mean …?' suggestions for misspelt ids, keys and kinds — the one algorithm for the checks and the renderer.

A suggestion is only useful if following it fixes the problem, so a suggested
id is always a *valid* id: a stage written ``D-dimer Test`` is offered as
``d-dimer-test`` (the id its bad-slug error asks for), and a Cyrillic look-alike
is offered in Latin letters, never as itself.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping

from generator.core.echo import echo
from generator.core.model import SLUG_PATTERN

_SLUG_RE = re.compile(SLUG_PATTERN)
# Windows device names: an id becomes a file name (stages/<id>.md), and these cannot be created or
# checked out on Windows.
RESERVED_IDS = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})

# Letters from other alphabets that look like Latin ones (lower-case; upper-case is lowered first).
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "к": "k",
        "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
        "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "һ": "h",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "ω": "w",
    }
)


def is_valid_id(text: str) -> bool:
    """True if ``text`` may be an id: lower-case letters, digits, single hyphens, not a Windows device name."""
    return bool(_SLUG_RE.match(text)) and text not in RESERVED_IDS


def slugify(text: str) -> str:
    """A valid id made from ``text`` ('Medial Branch Block' → 'medial-branch-block', Cyrillic 'а' → 'a').

    Accents are dropped ('Café' → 'cafe') and look-alike letters from other alphabets become the
    Latin letter they imitate, so the suggestion is the id the author meant.  '' if nothing is left.
    """
    lowered = text.lower().translate(_LOOKALIKES)
    plain = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", plain))
    return f"{slug}-stage" if slug in RESERVED_IDS else slug


def lookalikes(text: str) -> str:
    """"'а' (U+0430 CYRILLIC SMALL LETTER A) only looks like a Latin letter" for the first such letter, or ''."""
    for ch in text:
        if ch.isalpha() and ch.lower().translate(_LOOKALIKES) != ch.lower():
            name = unicodedata.name(ch, "a letter from another alphabet")
            return f"'{ch}' (U+{ord(ch):04X} {name}) only looks like a Latin letter"
    return ""


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
    return f"; did you mean '{echo(best)}'?" if best else ""


@dataclass(frozen=True)
class IdHint:
    """A suggestion for a reference that names no id.

    ``text`` is ready to append to a message.  ``follows`` is True when the real
    cause is elsewhere: the id the author meant is written invalidly, and its
    ``bad-slug`` error is the one to fix first.
    """

    text: str
    follows: bool = False


def valid_forms(ids: Iterable[str]) -> dict[str, str]:
    """Each id's valid form (itself, or the slug the author meant) → how it is written now."""
    out: dict[str, str] = {}
    for i in ids:
        form = i if is_valid_id(i) else slugify(i)
        if form:
            out.setdefault(form, i)
    return out


def id_hint(word: str, ids: Iterable[str] | Mapping[str, str], what: str = "stage", *,
            forms: Mapping[str, str] | None = None) -> IdHint:
    """Suggest a *valid* id for a reference ``word`` that matches none of ``ids``.

    ``forms`` (from ``valid_forms``) lets a check build the table once for all its references.
    """
    valid_form = forms if forms is not None else valid_forms(ids)
    look = lookalikes(word)
    look = f" ({look})" if look else ""
    written = valid_form.get(word)
    if written is not None and written != word:
        return IdHint(
            f"; the {what} written '{echo(written)}' is meant, but that id is not valid yet — "
            f"rename it '{echo(word)}' (see its bad-slug error)",
            follows=True,
        )
    best = closest(word, valid_form)
    if best is None:
        return IdHint(look)
    written = valid_form[best]
    if written != best:
        return IdHint(
            f"; did you mean '{echo(best)}'? (the {what} written '{echo(written)}' must first be renamed '{echo(best)}')",
            follows=True,
        )
    return IdHint(f"; did you mean '{echo(best)}'?{look}")


def _normal(s: str) -> str:
    return s.strip().lower().replace("_", "-").replace(" ", "-")
