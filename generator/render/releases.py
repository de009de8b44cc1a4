"""Released versions of a pathway, as the site shows them: the Versions page, banners, stage histories.

Plain data, filled by ``generator.review.archive`` (which reads git tags and runs
the semantic diff) and read by ``generator.site.pages``.  It lives here, in the
shared presentation layer, because the site may not import ``generator.review``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

#: A version folder name: what may follow ``versions/`` in a URL without quoting.
VERSION_FOLDER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z")

VERSIONS_PAGE = "versions.md"


@dataclass(frozen=True)
class ReleaseChange:
    """One change since the previous release, as a sentence (from ``review.changes.Change``)."""

    sign: str  # '+', '-', '~' or '!'
    impact: str  # 'substantive', 'editorial', 'metadata'
    message: str  # the whole change, with the stage named
    stage: str | None = None  # the stage it concerns, if any
    stage_message: str = ""  # the change without the stage's name (for that stage's own page)


@dataclass(frozen=True)
class Release:
    """One tagged version."""

    version: str  # the pathway's ``version`` at the tag; also its folder name under versions/
    tag: str
    tagged_on: _dt.date  # the tagged commit's date (git), used when the file gives no approval date
    approved_on: _dt.date | None
    status: str  # the pathway's status at the tag (draft, active, retired)
    approved_by: tuple[str, ...]
    verdict: str  # what kind of change since the previous release, in one sentence
    changes: tuple[ReleaseChange, ...]  # since the previous release; empty for the first
    stage_ids: frozenset[str]
    stage_titles: tuple[tuple[str, str], ...] = ()  # (id, title) at this version

    @property
    def date(self) -> _dt.date:
        return self.approved_on or self.tagged_on

    def folder(self) -> str:
        return f"versions/{self.version}/"


@dataclass(frozen=True)
class Releases:
    """Every release, oldest first, and which site is being built.

    ``current`` is the version of the site at the root (the working file);
    ``archived`` is the version being built under ``versions/<archived>/``, or None for the root site.
    """

    releases: tuple[Release, ...]
    current: str
    current_stage_ids: frozenset[str]
    archived: str | None = None

    def for_archive(self, version: str) -> Releases:
        return Releases(self.releases, self.current, self.current_stage_ids, version)

    def index(self, version: str) -> int:
        return next(i for i, r in enumerate(self.releases) if r.version == version)

    def visible(self) -> tuple[Release, ...]:
        """The releases a page of this site may speak of: up to the archived one, or all."""
        if self.archived is None:
            return self.releases
        return self.releases[: self.index(self.archived) + 1]

    def superseded(self) -> bool:
        """The site being built is an archived copy of a version other than the current one."""
        return self.archived is not None and self.archived != self.current

    def stage_history(self, stage_id: str) -> list[tuple[Release, tuple[str, ...]]]:
        """(release, what changed in this stage) for each visible release that changed it, newest first."""
        out: list[tuple[Release, tuple[str, ...]]] = []
        for i, r in enumerate(self.visible()):
            if i == 0:
                if stage_id in r.stage_ids:
                    out.append((r, ("first published in this version",)))
                continue
            lines = tuple(c.stage_message or c.message for c in r.changes if c.stage == stage_id)
            if lines:
                out.append((r, lines))
        return out[::-1]
