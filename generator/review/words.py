"""Word diff for prose fields: the few words around each edit."""

from __future__ import annotations

import difflib


def word_diff(old: str, new: str, context: int = 4) -> tuple[tuple[str, str], ...]:
    """Compact word-level diff: ('=', words), ('-', words), ('+', words) and ('…', '') for elided text.

    Unchanged runs keep ``context`` words on each side of a change, so a long
    paragraph with one edited number shows as a few words around it.
    """
    a, b = (old or "").split(), (new or "").split()
    ops: list[tuple[str, list[str]]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            ops.append(("-", a[i1:i2]))
        if tag in ("insert", "replace"):
            ops.append(("+", b[j1:j2]))
    out: list[tuple[str, str]] = []
    for n, (op, words) in enumerate(ops):
        if op != "=":
            out.append((op, " ".join(words)))
            continue
        first, last = n == 0, n == len(ops) - 1
        keep_head = 0 if first else context  # words after the previous change
        keep_tail = 0 if last else context  # words before the next change
        if len(words) <= keep_head + keep_tail + 1:
            out.append(("=", " ".join(words)))
            continue
        if keep_head:
            out.append(("=", " ".join(words[:keep_head])))
        out.append(("…", ""))
        if keep_tail:
            out.append(("=", " ".join(words[-keep_tail:])))
    return tuple(out)
