"""Comparing two states of a library: which pathways were added, removed or changed, and how.

Pure: two checked libraries (``LibraryResult``) and their scenario files in, a ``LibraryDiff``
out.  Pathways are matched by id (a file may be renamed; a changed id is a removal and an
addition, as it is for every link into the pathway).  Each pathway is compared as
``pathway diff`` compares one file, with its own entries only: the glossary and references
shared in ``library.yaml`` are compared once, as the library's own change, with the pathways
that use each changed entry.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Mapping

from generator.core.library import LibraryResult
from generator.core.model import LibraryFile, Pathway
from generator.core.scenarios import ScenarioFile
from generator.review.changes import IMPACT_ORDER, VERDICTS, Change, Impact, PathwayDiff
from generator.review.compare import diff_pathways


class Status(str, enum.Enum):
    """What happened to one pathway between the two states."""

    CHANGED = "changed"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class PathwayChange:
    """One pathway that differs between the two states of the library."""

    id: str
    status: Status
    old: Pathway | None  # None when added
    new: Pathway | None  # None when removed
    old_file: str | None
    new_file: str | None
    diff: PathwayDiff | None = None  # for a changed pathway

    @property
    def pathway(self) -> Pathway:
        """The pathway as it is now (as it was, for a removed one)."""
        found = self.new or self.old
        assert found is not None
        return found

    @property
    def title(self) -> str:
        return self.pathway.title

    @property
    def file(self) -> str:
        return self.new_file or self.old_file or ""

    @property
    def impact(self) -> str:
        """A pathway added or removed changes where patients can be sent: substantive."""
        return self.diff.impact if self.diff is not None else Impact.SUBSTANTIVE.value

    @property
    def rerouted(self) -> tuple[Change, ...]:
        return self.diff.rerouted if self.diff is not None else ()

    def missing_for_release(self) -> tuple[str, ...]:
        """What this pathway's substantive change still needs (a new or removed pathway needs nothing)."""
        return self.diff.missing_for_release() if self.diff is not None else ()

    @property
    def sort_key(self) -> tuple:
        """Most important first: the strongest class, the most re-routed patients, then by title."""
        status_rank = (Status.CHANGED, Status.REMOVED, Status.ADDED).index(self.status)
        return (_impact_rank(self.impact), -len(self.rerouted), status_rank, self.title.casefold(), self.id)


@dataclass(frozen=True)
class SharedChange:
    """A change to a shared glossary entry or reference of ``library.yaml``, and the pathways it reaches."""

    change: Change
    used_by: tuple[str, ...]  # pathway ids, in catalogue order


@dataclass(frozen=True)
class LibraryDiff:
    """Everything that differs between two states of a library."""

    old_title: str
    new_title: str
    pathways: tuple[PathwayChange, ...]  # most important first (``PathwayChange.sort_key``)
    shared: tuple[SharedChange, ...]
    unchanged: int  # pathways in both states that did not change
    #: Every pathway's title by id (now, else before), for naming the users of a shared entry.
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def impact(self) -> str:
        """The strongest class of any pathway or shared change: 'substantive', … or 'none'."""
        present = {p.impact for p in self.pathways} | {s.change.impact.value for s in self.shared}
        return next((imp.value for imp in IMPACT_ORDER if imp.value in present), "none")

    @property
    def verdict(self) -> str:
        return VERDICTS[self.impact]

    @property
    def differs(self) -> bool:
        return bool(self.pathways or self.shared)

    def with_status(self, status: Status) -> tuple[PathwayChange, ...]:
        return tuple(p for p in self.pathways if p.status is status)

    @property
    def rerouted(self) -> int:
        return sum(len(p.rerouted) for p in self.pathways)

    def missing_for_release(self) -> tuple[tuple[PathwayChange, tuple[str, ...]], ...]:
        """Each changed pathway whose substantive change lacks its version bump or history entry."""
        return tuple((p, m) for p in self.pathways if (m := p.missing_for_release()))


def _impact_rank(impact: str) -> int:
    values = [imp.value for imp in IMPACT_ORDER]
    return values.index(impact) if impact in values else len(values)


Scenarios = Mapping[str, ScenarioFile]  # pathway id → its scenario file, in one state


def diff_libraries(old: LibraryResult, new: LibraryResult, *, old_scenarios: Scenarios | None = None,
                   new_scenarios: Scenarios | None = None) -> LibraryDiff:
    """Compare two checked libraries pathway by pathway, and their shared entries.

    A pathway's re-routed patients are listed when both states have its scenario file.
    """
    old_scenarios, new_scenarios = old_scenarios or {}, new_scenarios or {}
    old_files, new_files = _files(old), _files(new)
    old_own = {p.id: own_entries(p, old.library) for p in old.by_id.values()}
    new_own = {p.id: own_entries(p, new.library) for p in new.by_id.values()}
    found: list[PathwayChange] = []
    unchanged = 0
    for pid, n in new_own.items():
        o = old_own.get(pid)
        if o is None:
            found.append(PathwayChange(pid, Status.ADDED, None, n, None, new_files.get(pid)))
            continue
        pair = (old_scenarios.get(pid), new_scenarios.get(pid))
        scenarios = (pair[0], pair[1]) if pair[0] is not None and pair[1] is not None else None
        diff = diff_pathways(o, n, scenarios=scenarios)
        if diff.differs:
            found.append(PathwayChange(pid, Status.CHANGED, o, n, old_files.get(pid), new_files.get(pid), diff))
        else:
            unchanged += 1
    for pid, o in old_own.items():
        if pid not in new_own:
            found.append(PathwayChange(pid, Status.REMOVED, o, None, old_files.get(pid), None))
    return LibraryDiff(
        old_title=old.title,
        new_title=new.title,
        pathways=tuple(sorted(found, key=lambda p: p.sort_key)),
        shared=_shared(old, new),
        unchanged=unchanged,
        titles={p.id: p.title for p in (*old.pathways, *new.pathways)},
    )


def _files(result: LibraryResult) -> dict[str, str]:
    """Pathway id → the file it was read from."""
    out: dict[str, str] = {}
    for r in result.results:
        if r.pathway is not None and r.pathway.id:
            out.setdefault(r.pathway.id, r.pathway.source)
    return out


def own_entries(p: Pathway, library: LibraryFile | None) -> Pathway:
    """The pathway with only its own glossary and references (the shared ones are compared once, apart)."""
    import dataclasses

    if library is None:
        return p
    shared = {id(x) for x in (*library.references, *library.glossary)}
    return dataclasses.replace(p, references=tuple(r for r in p.references if id(r) not in shared),
                               glossary=tuple(g for g in p.glossary if id(g) not in shared))


def _pseudo(library: LibraryFile | None) -> Pathway:
    """library.yaml as a pathway without stages, so the one comparison of texts, references and glossary serves."""
    if library is None:
        return Pathway(id="", title="", version="", status="", start="", stages=())
    return Pathway(id="", title=library.title, version="", status="", start="", stages=(),
                   summary=library.summary, references=library.references, glossary=library.glossary)


def _shared(old: LibraryResult, new: LibraryResult) -> tuple[SharedChange, ...]:
    a, b = _pseudo(old.library), _pseudo(new.library)
    if a == b:
        return ()
    diff = diff_pathways(a, b)
    out = []
    for change in diff.changes:
        if change.area == "reference":
            users = _reference_users(change.subject, old, new)
        elif change.area == "glossary":
            users = _glossary_users(change.subject, old, new)
        else:
            users = ()  # the library's title or summary: its catalogue page
        out.append(SharedChange(change, users))
    return tuple(out)


def _users(old: LibraryResult, new: LibraryResult, uses) -> tuple[str, ...]:
    """Pathway ids (catalogue order, now then before) for which ``uses(pathway, library)`` holds."""
    ids: dict[str, None] = {}
    for result in (new, old):
        for p in result.pathways:
            if result.library is not None and uses(p, result.library):
                ids.setdefault(p.id, None)
    return tuple(ids)


def _reference_users(ref_id: str, old: LibraryResult, new: LibraryResult) -> tuple[str, ...]:
    """The pathways that cite the shared reference (not one of their own by that id)."""
    def uses(p: Pathway, library: LibraryFile) -> bool:
        shared = {id(r) for r in library.references}
        return any(r.id == ref_id and id(r) in shared for r in p.references)
    return _users(old, new, uses)


def _glossary_users(term: str, old: LibraryResult, new: LibraryResult) -> tuple[str, ...]:
    """The pathways that show the shared term (no own entry for it) and mention it or its abbreviation.

    Every such pathway lists the term on its glossary page; the ones named are those whose
    text uses it, where a reader meets the definition (abbreviations are marked on the page).
    """
    def uses(p: Pathway, library: LibraryFile) -> bool:
        shared = {id(g) for g in library.glossary}
        entry = next((g for g in p.glossary if g.term == term and id(g) in shared), None)
        if entry is None:
            return False
        words = [re.compile(rf"(?<!\w){re.escape(entry.term)}(?!\w)", re.I)]
        if entry.abbr:
            words.append(re.compile(rf"(?<!\w){re.escape(entry.abbr)}(?!\w)"))
        return any(w.search(text) for text in _texts(p) for w in words)
    return _users(old, new, uses)


def _texts(p: Pathway):
    """Every text of a pathway a reader sees on its stage pages and home page."""
    yield p.title
    yield p.summary or ""
    for s in p.stages:
        yield s.title
        yield s.summary or ""
        yield s.body or ""
        for f in s.facts:
            yield f.label
            yield f.value
        for t in s.next:
            yield t.when or ""
