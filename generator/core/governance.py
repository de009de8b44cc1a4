"""Is a pathway's clinical review due?  A pure function over the model.

``pathway review`` and the weekly reminder workflow use this to decide whether
to nudge the pathway owner.  Nothing here reads files, looks at the clock or
prints: the caller passes ``today`` so results are reproducible in tests and CI.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass
from typing import Any

from generator.core.model import Pathway


class State(str, enum.Enum):
    """Where one governance date stands relative to today."""

    OK = "ok"  # further away than the warning window
    DUE = "due"  # within the warning window (today counts as due)
    OVERDUE = "overdue"  # already passed
    NO_DATE = "no-date"  # not set in pathway.yaml


@dataclass(frozen=True)
class DateStatus:
    """One governance date (next review or expiry) and how far away it is."""

    date: _dt.date | None
    days_left: int | None  # negative once the date has passed
    state: State

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "days_left": self.days_left,
            "state": self.state.value,
        }


@dataclass(frozen=True)
class ReviewStatus:
    """The review position of a whole pathway on a given day."""

    pathway_id: str
    title: str
    version: str
    today: _dt.date
    within_days: int
    review: DateStatus
    expires: DateStatus
    last_reviewed: _dt.date | None = None
    owner: str | None = None
    contact: str | None = None

    @property
    def needs_attention(self) -> bool:
        """True when the review or the expiry date is due or has passed.

        A missing date is *not* counted: the validator reports that, and a
        reminder issue could not say what is due anyway.
        """
        return any(d.state in (State.DUE, State.OVERDUE) for d in (self.review, self.expires))

    @property
    def state(self) -> State:
        """The overall state: the worse of review and expiry; NO_DATE only if both are missing."""
        present = {self.review.state, self.expires.state}
        for s in (State.OVERDUE, State.DUE, State.OK):
            if s in present:
                return s
        return State.NO_DATE

    def lines(self) -> list[str]:
        """Plain-language sentences, one per governance date."""
        return [describe_review(self.review), describe_expiry(self.expires)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pathway": self.pathway_id,
            "title": self.title,
            "version": self.version,
            "today": self.today.isoformat(),
            "within_days": self.within_days,
            "state": self.state.value,
            "needs_attention": self.needs_attention,
            "review": self.review.to_dict(),
            "expires": self.expires.to_dict(),
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "owner": self.owner,
            "contact": self.contact,
            "messages": self.lines(),
        }


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def describe_review(status: DateStatus) -> str:
    """One sentence about the next review date, e.g. 'OVERDUE: the review was due on 2026-01-01 (3 days ago).'"""
    if status.date is None or status.days_left is None:
        return "NO DATE: no next review date is set (governance.next_review in pathway.yaml)."
    when, d = status.date.isoformat(), status.days_left
    if status.state is State.OVERDUE:
        return f"OVERDUE: the review was due on {when} ({_days(-d)} ago)."
    if d == 0:
        return f"DUE: the review is due today ({when})."
    label = "DUE SOON" if status.state is State.DUE else "OK"
    return f"{label}: the next review is due on {when} (in {_days(d)})."


def describe_expiry(status: DateStatus) -> str:
    """One sentence about the expiry date, e.g. 'EXPIRED: the pathway expired on 2026-01-01 (3 days ago).'"""
    if status.date is None or status.days_left is None:
        return "NO DATE: no expiry date is set (governance.expires in pathway.yaml)."
    when, d = status.date.isoformat(), status.days_left
    if status.state is State.OVERDUE:
        return f"EXPIRED: the pathway expired on {when} ({_days(-d)} ago)."
    if d == 0:
        return f"EXPIRES TODAY: the pathway expires today ({when})."
    label = "EXPIRES SOON" if status.state is State.DUE else "OK"
    return f"{label}: the pathway expires on {when} (in {_days(d)})."


def date_status(date: _dt.date | None, today: _dt.date, within_days: int) -> DateStatus:
    """Classify one date: overdue if past, due if within ``within_days``, else ok."""
    if date is None:
        return DateStatus(None, None, State.NO_DATE)
    left = (date - today).days
    if left < 0:
        state = State.OVERDUE
    elif left <= within_days:
        state = State.DUE
    else:
        state = State.OK
    return DateStatus(date, left, state)


def review_status(pathway: Pathway, today: _dt.date, within_days: int = 90) -> ReviewStatus:
    """The review and expiry position of ``pathway`` on ``today``.

    ``within_days`` is the warning window: a date that many days away or fewer
    counts as due.  Raises ValueError for a negative window.
    """
    if within_days < 0:
        raise ValueError(f"the warning window must be 0 days or more, not {within_days}")
    gov = pathway.governance
    return ReviewStatus(
        pathway_id=pathway.id,
        title=pathway.title,
        version=pathway.version,
        today=today,
        within_days=within_days,
        review=date_status(gov.next_review, today, within_days),
        expires=date_status(gov.expires, today, within_days),
        last_reviewed=gov.last_reviewed,
        owner=gov.owner,
        contact=gov.contact,
    )


def due_phrase(status: DateStatus) -> str:
    """A few words for a list of pathways: 'overdue by 3 days', 'due today', 'due in 12 days' or 'not due'."""
    if status.days_left is None:
        return "no date"
    if status.days_left < 0:
        return f"overdue by {_days(-status.days_left)}"
    if status.days_left == 0:
        return "due today"
    return f"due in {_days(status.days_left)}" if status.state is State.DUE else f"not due ({_days(status.days_left)})"


def attention_key(status: ReviewStatus) -> tuple:
    """Most urgent first: the nearest (or longest-passed) of the review and expiry dates that need attention."""
    days = [d.days_left for d in (status.review, status.expires)
            if d.days_left is not None and d.state in (State.DUE, State.OVERDUE)]
    return (min(days) if days else 10**9, status.title.casefold(), status.pathway_id)
