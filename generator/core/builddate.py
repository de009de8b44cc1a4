"""The one reading of ``SOURCE_DATE_EPOCH`` (reproducible builds), for the checks, the site and the PDF,
and the one answer to "what date does a built document print, and what is that date?" (``build_date``).

Kept apart from ``pipeline`` so the command line can catch its error without
loading the checker.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass

from generator.core.errors import UsageError


class SourceDateEpochError(UsageError):
    """SOURCE_DATE_EPOCH is set but is not a usable number of seconds; ``str()`` says so in plain words."""


def source_date_epoch(value: str | None = None) -> _dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC date-time; None when it is unset or empty.

    ``value`` defaults to the environment.  The one reading of the variable for
    the checks, the site and the PDF: a malformed value (``yesterday``,
    ``1.5``, a year past 9999) raises ``SourceDateEpochError`` rather than
    being ignored, because a build that silently fell back to the clock would
    not be reproducible, which is what the variable asked for.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH") if value is None else value
    text = (raw or "").strip()
    if not text:
        return None
    shown = text if len(text) <= 40 else text[:40] + "…"
    try:
        return _dt.datetime.fromtimestamp(int(text), tz=_dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise SourceDateEpochError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (for example 1767225600), "
            f"not {shown!r}; unset it to use today's date"
        ) from None


@dataclass(frozen=True)
class BuildDate:
    """The date a built document prints, and what that date is.

    ``from_source``: True when it is SOURCE_DATE_EPOCH (a reproducible build;
    CI sets it to the commit date), so it is the date of the source, not the
    day of the build; False when it is the real moment of the build (UTC).
    Never a date taken from the pathway's own review or approval dates.
    """

    when: _dt.datetime
    from_source: bool


def build_date(value: str | None = None, *, now: _dt.datetime | None = None) -> BuildDate:
    """SOURCE_DATE_EPOCH when set (``value`` defaults to the environment), else the clock (UTC).

    ``now`` stands in for the clock in tests.  Raises ``SourceDateEpochError``
    for a malformed value, as ``source_date_epoch`` does.
    """
    epoch = source_date_epoch(value)
    if epoch is not None:
        return BuildDate(epoch, True)
    moment = now or _dt.datetime.now(_dt.timezone.utc)
    return BuildDate(moment.astimezone(_dt.timezone.utc).replace(microsecond=0), False)
