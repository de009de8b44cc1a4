"""``pathway diff OLD NEW`` over two states of a library: each side a folder or ``REF:folder``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from generator.cli import UsageError, error, use_colour

if TYPE_CHECKING:
    from generator.core.library import LibraryResult
    from generator.core.scenarios import ScenarioFile


@dataclass(frozen=True)
class LibrarySide:
    """One state of a library, read from disk or from git objects (never a checkout)."""

    label: str  # "OLD" or "NEW"
    name: str  # the folder, or REF:folder
    library: bytes
    files: dict[str, bytes]  # file name → bytes: the pathway files and their scenario files

    def path(self, name: str) -> str:
        """A file of the side as it is named in messages (``origin/main:pathways/triage.yaml``)."""
        return f"{self.name.rstrip('/')}/{name}"


def _wanted(name: str) -> bool:
    from generator.core.library import LIBRARY_FILE, is_pathway_name

    return name == LIBRARY_FILE or is_pathway_name(name) or name.endswith(".scenarios.yaml")


def read_side(spec: str, label: str) -> LibrarySide:
    """A library side from a folder on disk, else from git (REF:folder); a usage error if it is none."""
    from generator.core import limits
    from generator.core.library import LIBRARY_FILE
    from generator.review.gitsource import GitSourceError, read_git_folder

    folder = Path(spec)
    if folder.is_dir():
        if not (folder / LIBRARY_FILE).is_file():
            raise UsageError(f"{label}: the folder {spec} has no {LIBRARY_FILE}, so it is not a library")
        files: dict[str, bytes] = {}
        try:
            for p in sorted(folder.iterdir()):
                if p.is_file() and _wanted(p.name):
                    with p.open("rb") as fh:
                        files[p.name] = fh.read(limits.MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {spec}: {exc.strerror or exc}") from None
        return LibrarySide(label, str(folder), files.pop(LIBRARY_FILE), files)
    try:
        found = read_git_folder(spec, wanted=_wanted)
    except GitSourceError as exc:
        raise UsageError(f"{label}: {exc}") from None
    files = dict(found.files)
    if LIBRARY_FILE not in files:
        raise UsageError(f"{label}: {found.name} has no {LIBRARY_FILE}, so it is not a library")
    return LibrarySide(label, found.name, files.pop(LIBRARY_FILE), files)


def _check(side: LibrarySide) -> tuple[bool, LibraryResult]:
    """The side checked as a library, and whether it can be compared (if not, why is printed)."""
    from generator.core import reporters
    from generator.core.library import check_library_data, is_pathway_name

    pathway_names = [n for n in sorted(side.files) if is_pathway_name(n)]
    result = check_library_data(side.name, side.library, [(side.path(n), side.files[n]) for n in pathway_names])
    colour = use_colour(sys.stderr)
    unreadable = [r for r in result.results if r.pathway is None]
    if result.library is None or unreadable:
        # A pathway that cannot be read would look removed: refuse rather than say so.
        sys.stderr.write(reporters.format_text(result.errors or result.problems, colour=colour))
        error(f"{side.label} ({side.name}) cannot be read as a library, so there is nothing to compare")
        return False, result
    if result.has_errors():
        sys.stderr.write(reporters.format_text(result.errors, colour=colour))
        print(f"pathway: note: {side.label} ({side.name}) has {reporters.summary_line(result.errors)}; "
              "run 'pathway validate' on it. Compared what could be read.", file=sys.stderr)
    return True, result


def _scenarios(side: LibrarySide, result: LibraryResult) -> dict[str, ScenarioFile]:
    """Pathway id → its scenario file (``NAME.scenarios.yaml`` beside ``NAME.yaml``), where it has one that loads."""
    from generator.core.library import scenario_name
    from generator.core.scenarios import load_scenarios

    out: dict[str, ScenarioFile] = {}
    for r in result.results:
        p = r.pathway
        if p is None or not p.id or p.id in out:
            continue
        name = scenario_name(p.source.rpartition("/")[2])
        data = side.files.get(name)
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        loaded, problems = load_scenarios(text, side.path(name), p) if text is not None else (None, [])
        if loaded is None or any(pr.severity.value == "error" for pr in problems):
            print(f"pathway: note: {side.label}'s scenario file {side.path(name)} has errors; run 'pathway test'. "
                  f"Re-routed patients of {p.id} are not listed.", file=sys.stderr)
            continue
        out[p.id] = loaded
    return out


def run_library(args: argparse.Namespace, old_spec: str, new_spec: str) -> int:
    from generator.review import libreports
    from generator.review.library import diff_libraries

    if args.svg:
        raise UsageError("--svg draws one pathway: for a library, run 'pathway diff' on the pathway's file "
                         "(REF:folder/NAME.yaml folder/NAME.yaml --svg FILE)")
    old_side, new_side = read_side(old_spec, "OLD"), read_side(new_spec, "NEW")
    (old_ok, old), (new_ok, new) = _check(old_side), _check(new_side)
    if not (old_ok and new_ok):
        if args.format == "markdown":  # so the pull-request comment says why
            from generator.cli.diff import _failure_markdown

            failed = [(s, r) for s, r, ok in ((old_side, old, old_ok), (new_side, new, new_ok)) if not ok]
            sys.stdout.write(_failure_markdown(failed, what="a library"))
        return 1
    diff = diff_libraries(old, new, old_scenarios=_scenarios(old_side, old), new_scenarios=_scenarios(new_side, new))
    if args.format == "json":
        sys.stdout.write(libreports.format_json(diff))
    elif args.format == "text":
        sys.stdout.write(libreports.format_text(diff, colour=use_colour()))
    else:
        sys.stdout.write(libreports.format_markdown(diff))
    sys.stdout.flush()
    status = 0
    if args.require_version_bump:
        for p, missing in diff.missing_for_release():
            error(f"{p.file}: this change alters what happens to patients in {p.title} ({p.id}), so it needs "
                  + " and ".join(missing) + " (see 'history' and 'version' in that file)")
            status = 1
    if args.exit_code and diff.differs:
        status = 1
    return status

