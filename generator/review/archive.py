"""The released versions of a pathway, read from git tags and compared one after the other.

``read_releases`` lists the tags matching a pattern (``v*``), reads the pathway
file as it was at each tag (``git cat-file``, never a checkout), checks it with
the current checker and runs the semantic diff (``review.compare``) between each
release and the one before.  The result feeds the Versions page, the banners and
the per-stage histories (``generator.render.releases``); the CLI builds each
tag's file into ``versions/<version>/``.

Everything comes from git objects (tag names, file bytes, the tagged commit's
date), so the same repository always gives the same archive; nothing is fetched.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

from generator.core import pipeline, reporters
from generator.core.errors import PathwayError
from generator.core.model import Pathway
from generator.render.releases import VERSION_FOLDER_RE, Release, ReleaseChange, Releases
from generator.review.compare import diff_pathways
from generator.review.gitsource import GitSourceError, _git, read_git_file
from generator.review.versions import version_key

DEFAULT_PATTERN = "v*"


class ArchiveError(PathwayError):
    """The tagged versions cannot be archived; the message says which tag and why."""


@dataclass(frozen=True)
class TaggedPathway:
    """One release with the bytes of its pathway file, for the CLI to build."""

    release: Release
    name: str  # TAG:path, as shown in messages
    data: bytes
    pathway: Pathway


def _run(args: list[str], cwd: Path) -> str:
    try:
        done = _git(args, cwd)
    except GitSourceError as exc:
        raise ArchiveError(str(exc)) from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ArchiveError(f"git {args[0]} failed in {cwd}: {first[0] if first else 'no message'}")
    return done.stdout.decode("utf-8", "replace")


def _tags(folder: Path, pattern: str) -> list[tuple[str, _dt.date]]:
    """(tag, date) for every tag matching ``pattern``; the date is the tagged commit's."""
    if pattern.startswith("-"):
        raise ArchiveError(f"{pattern!r} is not a tag pattern (e.g. 'v*')")
    out = _run(["for-each-ref", "--format=%(refname:strip=2)%09%(*committerdate:short)%09%(committerdate:short)",
                f"refs/tags/{pattern}"], folder)
    tags = []
    for line in out.splitlines():
        name, peeled, own = (line.split("\t") + ["", ""])[:3]
        tags.append((name, _dt.date.fromisoformat(peeled or own)))  # an annotated tag's commit, else the commit
    return tags


def read_releases(pathway_file: str | os.PathLike[str], current: Pathway, *,
                  pattern: str = DEFAULT_PATTERN, today: _dt.date | None = None) -> tuple[Releases, list[TaggedPathway]]:
    """Every tagged version of ``pathway_file``'s path, oldest version first, with the changes between them.

    Raises ``ArchiveError`` when the file is not in a git repository, a tag lacks
    the file, a tagged file has errors by today's checker, or two tags carry the
    same version.  No tag matching is not an error: the result is empty.
    """
    path = Path(pathway_file).resolve()
    folder = path.parent
    inside = _git(["rev-parse", "--show-prefix"], folder)
    if inside.returncode != 0:
        raise ArchiveError(f"{folder} is not inside a git repository, so there are no tagged versions to archive")
    in_repo = inside.stdout.decode().strip() + path.name
    tagged: list[tuple[str, _dt.date, bytes, Pathway]] = []
    for tag, date in _tags(folder, pattern):
        spec = f"{tag}:{in_repo}"
        try:
            data = read_git_file(spec, cwd=folder).data
        except GitSourceError as exc:
            raise ArchiveError(f"tag {tag}: {exc}; choose the release tags with --versions PATTERN") from None
        # for_build=False: a superseded version past its expiry date is still archived as it was.
        result = pipeline.check_text(data, spec, for_build=False, today=today)
        if result.has_errors() or result.pathway is None:
            errors = list(result.errors) or list(result.problems)
            raise ArchiveError(f"tag {tag}: its pathway file has errors by this version of the checker, so it "
                               f"cannot be archived:\n{reporters.format_text(errors).rstrip()}")
        version = result.pathway.version
        if not VERSION_FOLDER_RE.match(version):
            raise ArchiveError(f"tag {tag}: version {version!r} cannot be a folder name under versions/ "
                               "(use letters, digits, '.', '-', '+' or '_')")
        tagged.append((tag, date, data, result.pathway))
    tagged.sort(key=lambda t: (version_key(t[3].version), t[3].version))
    seen: dict[str, str] = {}
    for tag, _d, _b, p in tagged:
        if p.version in seen:
            raise ArchiveError(f"tags {seen[p.version]} and {tag} both hold version {p.version}; "
                               "each release needs its own version")
        seen[p.version] = tag
    out: list[TaggedPathway] = []
    prev: Pathway | None = None
    for tag, date, data, p in tagged:
        out.append(TaggedPathway(_release(tag, date, p, prev), f"{tag}:{in_repo}", data, p))
        prev = p
    releases = Releases(tuple(t.release for t in out), current.version, frozenset(current.stage_by_id))
    return releases, out


def _release(tag: str, date: _dt.date, p: Pathway, prev: Pathway | None) -> Release:
    changes: tuple[ReleaseChange, ...] = ()
    verdict = "First release."
    if prev is not None:
        diff = diff_pathways(prev, p)
        verdict = diff.verdict + "."
        changes = tuple(ReleaseChange(sign=c.kind.sign, impact=c.impact.value, message=c.message, stage=c.stage,
                                      stage_message=dataclasses.replace(c, stage=None).message)
                        for c in diff.changes)
    g = p.governance
    return Release(version=p.version, tag=tag, tagged_on=date, approved_on=g.approved_on, status=p.status,
                   approved_by=tuple(g.approved_by), verdict=verdict, changes=changes,
                   stage_ids=frozenset(p.stage_by_id),
                   stage_titles=tuple((s.id, s.title) for s in p.stage_by_id.values()))
