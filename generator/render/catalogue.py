"""A library's catalogue as data: one row per pathway, shared by the site's catalogue page and the PDF index.

Pure: the caller passes ``today`` (``generator.core.pipeline.today()``, i.e. SOURCE_DATE_EPOCH when
set), so the review states are reproducible.  Every date is given with what it is ("Next review");
an overdue or soon-due review is said in words, never by colour alone.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Iterable

from generator.core import governance
from generator.core.governance import State
from generator.core.model import Pathway
from generator.render import presentation as pres

#: A review this many days away or fewer is "due soon" (as ``pathway review``'s default window).
DUE_WITHIN_DAYS = 90
NOT_SET = "not set"
NO_SPECIALTY = "No specialty"


@dataclass(frozen=True)
class Entry:
    """One pathway as the catalogue lists it."""

    id: str
    title: str
    status: str  # the label ("Active")
    specialty: str  # NO_SPECIALTY when the pathway gives none
    owner: str
    version: str
    last_reviewed: _dt.date | None
    next_review: _dt.date | None
    review: State

    @property
    def last_reviewed_text(self) -> str:
        return pres.format_date(self.last_reviewed) or NOT_SET

    @property
    def next_review_text(self) -> str:
        """'10 January 2026 (overdue)', '1 March 2027 (due soon)', '1 June 2027', 'not set'."""
        if self.next_review is None:
            return NOT_SET
        return pres.format_date(self.next_review) + REVIEW_WORDS.get(self.review, "")

    @property
    def overdue(self) -> bool:
        return self.review is State.OVERDUE


REVIEW_WORDS = {State.OVERDUE: " (overdue)", State.DUE: " (due soon)"}


def entries(pathways: Iterable[Pathway], today: _dt.date) -> list[Entry]:
    """The rows, in the order given (a ``LibraryResult``'s pathways are sorted by title)."""
    out = []
    for p in pathways:
        g = p.governance
        state = governance.review_status(p, today, DUE_WITHIN_DAYS).review.state
        out.append(Entry(id=p.id, title=p.title, status=pres.status_label(p.status),
                         specialty=(p.specialty or "").strip() or NO_SPECIALTY, owner=g.owner or "",
                         version=p.version, last_reviewed=g.last_reviewed, next_review=g.next_review,
                         review=state))
    return out


def overview(rows: list[Entry]) -> str:
    """'3 pathways; 1 overdue for review.'"""
    n = len(rows)
    text = f"{n} pathway" + ("" if n == 1 else "s")
    late = sum(r.overdue for r in rows)
    return text + (f"; {late} overdue for review." if late else "; none overdue for review.")
