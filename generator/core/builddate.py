"""The one reading of ``SOURCE_DATE_EPOCH`` (reproducible builds), for the checks, the site and the PDF.

Kept apart from ``pipeline`` so the command line can catch its error without
loading the checker.
"""

from __future__ import annotations

import datetime as _dt
import os

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
