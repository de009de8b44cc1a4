"""A library of pathways: a folder of pathway files beside a ``library.yaml``, checked together.

    result = check_library("pathways", for_build=True)
    if result.has_errors():
        ...  # report result.problems (each located in its own file), stop
    for pathway in result.pathways: ...

``library.yaml`` names the library and holds the glossary and references its pathways
share; a pathway's own term or reference id is used instead of the shared one.  Every
other ``*.yaml`` in the folder (not ``*.scenarios.yaml``) is one pathway, published at
``/<pathway id>/``.  A pathway may lead into a stage of another one (``next: - to:
spine-surgery:consult``) and link to it in text (``[[spine-surgery:consult]]``); both are
checked like local links.  Every file is loaded before any is checked, so each check
knows every pathway's stages.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

from generator.core import checks, limits, urls
from generator.core.loader import load_library
from generator.core.model import (
    GlossaryEntry,
    LibraryFile,
    LibraryIndex,
    Location,
    Pathway,
    Problem,
    Reference,
    Severity,
    split_target,
)
from generator.core.pipeline import CheckResult, Loaded, _finish, check_loaded, load_text
from generator.core.rules import Rule
from generator.core.textpolicy import markdown_meaning_problems
from generator.core.wikilinks import iter_wikilinks
from generator.core.yamlsource import decode, parse

LIBRARY_FILE = "library.yaml"
#: Folders the site itself uses at its root, so no pathway can be published there.
RESERVED_PATHWAY_IDS = frozenset({"assets", "search", "versions", "downloads"})


def is_library(path: str | os.PathLike[str]) -> bool:
    """True for a folder holding a ``library.yaml``."""
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, LIBRARY_FILE))


def is_pathway_name(name: str) -> bool:
    """Whether a file name in a library folder is a pathway (``*.yaml``, not library.yaml, not a scenario file)."""
    if not name.endswith((".yaml", ".yml")) or name in (LIBRARY_FILE, "library.yml"):
        return False
    return not name.endswith((".scenarios.yaml", ".scenarios.yml"))


def scenario_name(pathway_name: str) -> str:
    """The scenario file beside a pathway file: ``injections.yaml`` → ``injections.scenarios.yaml``."""
    return f"{Path(pathway_name).stem}.scenarios.yaml"


def pathway_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The pathway files of a library folder, by name (not its library.yaml, not scenario files)."""
    return [p for p in sorted(Path(folder).iterdir()) if is_pathway_name(p.name) and p.is_file()]


@dataclass(frozen=True)
class CrossLink:
    """A way into a stage from another pathway of the library."""

    pathway: str  # the pathway id it comes from
    stage: str  # the stage id it comes from
    via: str  # "next" (a branch leads there) or "link" (a [[link]] in a text)
    when: str | None = None  # the branch's condition, for "next"


@dataclass(frozen=True)
class LibraryResult:
    """The outcome of reading and checking a library."""

    folder: str
    library: LibraryFile | None
    #: One result per pathway file, in file-name order (``pathway`` None where no model could be built).
    results: tuple[CheckResult, ...]
    #: Every problem of every file, library.yaml's included, sorted by file and position.
    problems: tuple[Problem, ...]
    fingerprint: str = ""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def has_errors(self, strict: bool = False) -> bool:
        return bool(self.problems) if strict else bool(self.errors) or self.library is None

    @property
    def title(self) -> str:
        return self.library.title if self.library else ""

    @cached_property
    def pathways(self) -> tuple[Pathway, ...]:
        """The pathways, each with the shared entries it uses, sorted by title (as the catalogue lists them)."""
        found = [r.pathway for r in self.results if r.pathway is not None]
        return tuple(sorted(found, key=lambda p: (p.title.casefold(), p.id)))

    @cached_property
    def by_id(self) -> dict[str, Pathway]:
        out: dict[str, Pathway] = {}
        for p in self.pathways:
            out.setdefault(p.id, p)
        return out

    @cached_property
    def index(self) -> LibraryIndex:
        return _index(self.pathways)

    @cached_property
    def incoming(self) -> dict[tuple[str, str], tuple[CrossLink, ...]]:
        """For each ``(pathway id, stage id)``, the ways into it from other pathways, in catalogue order."""
        acc: dict[tuple[str, str], list[CrossLink]] = {}
        for p in self.pathways:
            for s in p.stages:
                for t in s.next:
                    ext = t.external
                    if ext and ext[0] != p.id:
                        acc.setdefault(ext, []).append(CrossLink(p.id, s.id, "next", t.when))
                for text in (s.summary, s.body, *(f.value for f in s.facts)):
                    for link in iter_wikilinks(text or ""):
                        ext = split_target(link.target)
                        if ext and ext[0] != p.id:
                            acc.setdefault(ext, []).append(CrossLink(p.id, s.id, "link"))
        return {k: tuple(dict.fromkeys(v)) for k, v in acc.items()}


def check_library(
    folder: str | os.PathLike[str],
    *,
    for_build: bool = False,
    today: _dt.date | None = None,
    only: Iterable[str | os.PathLike[str]] | None = None,
) -> LibraryResult:
    """Read and check every file of a library.

    ``only`` (paths of pathway files or of library.yaml): report the problems of these
    files only, as a pre-commit hook does for the changed files; every file is still
    read, so links into the others are checked.  Raises ``OSError`` if the folder or a
    file cannot be read.
    """
    folder = Path(folder)
    files = [(str(p), _read(p)) for p in pathway_files(folder)]
    return check_library_data(str(folder), _read(folder / LIBRARY_FILE), files, for_build=for_build, today=today,
                              only=only)


def check_library_data(
    folder: str,
    library_data: bytes,
    files: Sequence[tuple[str, bytes]],
    *,
    for_build: bool = False,
    today: _dt.date | None = None,
    only: Iterable[str | os.PathLike[str]] | None = None,
) -> LibraryResult:
    """``check_library`` over bytes already read: ``files`` are (name, bytes) of the pathway files.

    For a library that is not on disk, e.g. one read from git objects by ``pathway diff``;
    ``folder`` names it (``origin/main:pathways``) and the names are used in every location.
    """
    was_enabled = gc.isenabled()
    gc.disable()  # as pipeline.check_text: the trees are acyclic, and the collector's passes cost a third
    try:
        return _check_library(Path(folder), library_data, files, for_build=for_build, today=today, only=only)
    finally:
        if was_enabled:
            gc.enable()


def _check_library(folder: Path, lib_data: bytes, files: Sequence[tuple[str, bytes]], *, for_build: bool,
                   today: _dt.date | None, only) -> LibraryResult:
    from generator.core.pipeline import today as _today

    today = today or _today()
    lib_path = folder / LIBRARY_FILE
    library, lib_text, problems = _load_library(lib_data, str(lib_path))
    loaded = [load_text(data, name, for_build=for_build, today=today) for name, data in files]
    if not files:
        problems.append(Problem(Severity.ERROR, Rule.MISSING_FIELD,
                                f"the library folder {folder} holds no pathway file (*.yaml beside library.yaml)",
                                Location(str(lib_path), 1, 1)))
    first: dict[str, Loaded] = {}
    for item in loaded:
        p = item.pathway
        if p is None or not p.id:
            continue
        id_loc = p.field_locs.get("id", p.loc)
        if p.id in first:
            problems.append(Problem(Severity.ERROR, Rule.DUPLICATE_PATHWAY,
                                    f"pathway id '{p.id}' is also the id of {first[p.id].filename}; each pathway of "
                                    "a library needs its own id (it is its folder on the site)", id_loc))
        else:
            first[p.id] = item
        if p.id in RESERVED_PATHWAY_IDS:
            problems.append(Problem(Severity.ERROR, Rule.BAD_SLUG,
                                    f"pathway id '{p.id}' is a folder the site itself uses; choose another id",
                                    id_loc))
    index = _index(item.pathway for item in first.values() if item.pathway is not None)
    shared_refs = library.references if library else ()
    shared_terms = library.glossary if library else ()
    results = []
    for item in loaded:
        if item.pathway is None:
            results.append(check_loaded(item))
            continue
        merged = _with_shared(item.pathway, shared_refs, shared_terms)
        result = check_loaded(item, pathway=merged, library=index, ignore_file=str(lib_path))
        results.append(dataclasses.replace(result, pathway=_trimmed(result.pathway, shared_refs)))
    if library is not None:
        problems += _check_shared(library, lib_text, index, [r.pathway for r in results if r.pathway])
    wanted = None if only is None else {os.path.abspath(p) for p in only}
    everything = [*_finish(problems)]
    for r in results:
        everything += r.problems
    if wanted is not None:
        everything = [p for p in everything if os.path.abspath(p.location.file) in wanted]
    key = hashlib.sha256("\n".join([hashlib.sha256(lib_data).hexdigest(), *(i.fingerprint for i in loaded)])
                         .encode()).hexdigest()
    return LibraryResult(str(folder), library, tuple(results), tuple(sorted(everything, key=Problem.sort_key)),
                         f"library:{key}:{'build' if for_build else 'check'}:{today.isoformat()}")


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    with path.open("rb") as fh:
        return fh.read(min(size, limits.MAX_FILE_BYTES) + 1)


def _load_library(data: bytes, filename: str) -> tuple[LibraryFile | None, str, list[Problem]]:
    if len(data) > limits.MAX_FILE_BYTES:
        msg = f"the file is over {limits.MAX_FILE_BYTES:,} bytes, the limit"
        return None, "", [Problem(Severity.ERROR, Rule.LIMIT_EXCEEDED, msg, Location(filename, 1, 1))]
    text, problems = decode(data, filename)
    if text is None:
        return None, "", problems
    root, more = parse(text, filename)
    problems += more
    if root is None:
        return None, text, problems
    library, more = load_library(root, filename, complete=False)
    return library, text, problems + more


def _index(pathways: Iterable[Pathway]) -> LibraryIndex:
    titles: dict[str, str] = {}
    stages: dict[str, dict[str, str]] = {}
    for p in pathways:
        if p.id and p.id not in titles:
            titles[p.id] = p.title
            stages[p.id] = {s.id: s.title for s in p.stages}
    return LibraryIndex(titles, stages)


def _with_shared(p: Pathway, refs: tuple[Reference, ...], terms: tuple[GlossaryEntry, ...]) -> Pathway:
    """The pathway with every shared entry it does not define itself (own ones win)."""
    own_refs = {r.id for r in p.references}
    own_terms = {g.term.strip().casefold() for g in p.glossary}
    return dataclasses.replace(
        p,
        references=p.references + tuple(r for r in refs if r.id not in own_refs),
        glossary=p.glossary + tuple(g for g in terms if g.term.strip().casefold() not in own_terms),
    )


def _cited(p: Pathway) -> set[str]:
    return {ref.id for s in p.stages for ref in s.references} | {ref.id for i in p.inputs for ref in i.references}


def _trimmed(p: Pathway | None, shared: tuple[Reference, ...]) -> Pathway | None:
    """Only the shared references the pathway cites stay in it (its references page lists what it uses)."""
    if p is None or not shared:
        return p
    cited = _cited(p)
    shared_ids = {id(r) for r in shared}
    return dataclasses.replace(p, references=tuple(r for r in p.references if id(r) not in shared_ids or r.id in cited))


def _check_shared(library: LibraryFile, text: str, index: LibraryIndex, pathways: list[Pathway]) -> list[Problem]:
    """library.yaml's own checks: its texts and links, and shared references nobody cites."""
    pseudo = Pathway(id="", title=library.title, version="", status="", start="", stages=(),
                     summary=library.summary, references=library.references, glossary=library.glossary,
                     source=library.source, loc=library.loc, field_locs=library.field_locs)
    ctx = checks.Context(pseudo, text, library=index)
    found: list[Problem] = []
    for check in (checks.check_duplicate_id, checks.check_unknown_link, urls.check_url_fields,
                  urls.check_unsafe_links, urls.check_theme_classes):
        found += check(ctx)
    found += markdown_meaning_problems(pseudo, text)
    cited = set().union(*(_cited(p) for p in pathways)) if pathways else set()
    for r in library.references:
        if r.id not in cited:
            found.append(Problem(Severity.WARNING, Rule.UNUSED_REFERENCE,
                                 f"shared reference '{r.id}' is not cited by any pathway of the library",
                                 r.field_locs.get("id", r.loc)))
    return found




def fingerprint(folder: str | os.PathLike[str], *, for_build: bool, today: _dt.date) -> str:
    """``check_library(folder, ...).fingerprint`` without checking: reads the files only.

    The MkDocs plugin compares it with the result the CLI has just printed, so a build checks once.
    Raises ``OSError`` as ``check_library`` does.
    """
    from generator.core.pipeline import fingerprint as file_fingerprint

    folder = Path(folder)
    parts = [hashlib.sha256(_read(folder / LIBRARY_FILE)).hexdigest()]
    for p in pathway_files(folder):
        data = _read(p)
        parts.append("" if len(data) > limits.MAX_FILE_BYTES
                     else file_fingerprint(data, for_build=for_build, today=today))
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"library:{key}:{'build' if for_build else 'check'}:{today.isoformat()}"
