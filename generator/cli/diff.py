"""``pathway diff OLD [NEW]``: what changed between two versions of a pathway, in clinical terms."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.cli import UsageError, error, use_colour

DESCRIPTION = """\
Compare two versions of a pathway and explain the differences for the
clinicians who approve them: steps added, removed or renamed, changed routes
and conditions, changed facts and wording, governance and history, and what
the changes do to the routes (steps no longer reachable, new dead ends,
decisions that lost a branch).

The files are compared as pathways, not as text: comments, key order,
quoting and layout make no difference.

Each side is a file, or a file in a git revision: REF:PATH (as in 'git show',
PATH from the top of the repository) or a bare REF for ./pathway.yaml in that
revision.

Every change is classed as substantive (can change what happens to a patient),
editorial (wording) or metadata (governance, history, version, status); the
report opens with the overall class.

A library (a folder with library.yaml) is compared with a library: each side a
folder or REF:folder (a bare REF means the same folder in that revision).
Pathways are matched by id; the report lists each added, removed and changed
pathway with its class and the patients its scenario file (NAME.scenarios.yaml)
re-routes, most important first, and the changes to library.yaml with the
pathways that use each changed entry. --require-version-bump applies to each
pathway on its own; --svg draws one pathway, so it takes the pathway's file.
"""

EPILOG = """\
examples:
  pathway diff origin/main pathway.yaml           what this branch changes
  pathway diff HEAD~1:pathway.yaml pathway.yaml   since the last commit
  pathway diff old.yaml new.yaml --format text    in the terminal
  pathway diff origin/main pathway.yaml --svg diff.svg
                                                  also draw the changes
  pathway diff origin/main --require-version-bump
                                                  fail if care changed but the
                                                  version and history did not
  pathway diff origin/main pathways               a library: every pathway of
                                                  pathways/ against the base

exit status:
  0  compared (whether or not anything changed)
  1  --exit-code and the pathways differ; --require-version-bump and a
     substantive change lacks a higher version or a new history entry; a side
     could not be read as a pathway (its problems are shown); the SVG could
     not be drawn
  2  usage error: no such file, not a git repository, unknown revision, the
     file is not in that revision
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "diff",
        help="what changed between two versions, in clinical terms",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("old", metavar="OLD", help="the earlier version: a file, REF:PATH or REF (or a library folder)")
    p.add_argument("new", metavar="NEW", nargs="?", default="pathway.yaml",
                   help="the proposed version (default: pathway.yaml)")
    p.add_argument("--format", choices=("markdown", "json", "text"), default="markdown",
                   help="report format (default: markdown, for a pull-request comment)")
    p.add_argument("--svg", metavar="FILE", help="also draw the changes as an SVG diagram (needs Graphviz)")
    p.add_argument("--no-diagram", action="store_true",
                   help="leave the Mermaid diagram out of the Markdown report")
    p.add_argument("--exit-code", action="store_true", help="exit with 1 when the pathways differ (like git diff)")
    p.add_argument("--require-version-bump", action="store_true",
                   help="exit with 1 when a substantive change comes without a higher version "
                   "and a new history entry")
    p.set_defaults(func=run)


@dataclass(frozen=True)
class _Side:
    label: str  # "OLD" or "NEW"
    name: str  # shown in messages: a path or REF:PATH
    data: bytes




def _read(arg: str, label: str) -> _Side:
    """A side from a file on disk, else from git (REF:PATH or REF)."""
    from generator.core import limits
    from generator.review.gitsource import GitSourceError, read_git_file

    from generator.core.files import check_input_file

    path = Path(arg)
    if path.exists():
        check_input_file(arg)  # a folder, FIFO or device: a usage error now, not a hang in open()
        try:
            with path.open("rb") as fh:
                return _Side(label, arg, fh.read(limits.MAX_FILE_BYTES + 1))
        except OSError as exc:
            raise UsageError(f"cannot read {arg}: {exc.strerror or exc}") from None
    if ":" not in arg and path.suffix.lower() in (".yaml", ".yml"):
        raise UsageError(f"no such file: {arg}")
    try:
        found = read_git_file(arg)
    except GitSourceError as exc:
        hint = "" if ":" in arg else f" (and there is no file called {arg})"
        raise UsageError(f"{label}: {exc}{hint}") from None
    return _Side(label, found.name, found.data)


def _load(side: _Side):
    """The side's pathway, or None after printing why it cannot be compared."""
    from generator.core import pipeline
    from generator.core import reporters

    result = pipeline.check_text(side.data, side.name)
    colour = use_colour(sys.stderr)
    if result.pathway is None:
        sys.stderr.write(reporters.format_text(result.errors or result.problems, colour=colour))
        error(f"{side.label} ({side.name}) cannot be read as a pathway, so there is nothing to compare")
        return None, result
    if result.has_errors():
        # Still compare: the diff should say what made it invalid (e.g. a removed step still linked).
        sys.stderr.write(reporters.format_text(result.errors, colour=colour))
        print(f"pathway: note: {side.label} ({side.name}) has {reporters.summary_line(result.errors)}; "
              "run 'pathway validate' on it. Compared what could be read.", file=sys.stderr)
    return result.pathway, result


def run(args: argparse.Namespace) -> int:
    from generator.review import reports as diffreport
    from generator.review.compare import diff_pathways

    library = _library_specs(args.old, args.new)
    if library is not None:
        from generator.cli.difflibrary import run_library

        return run_library(args, *library)
    if args.svg:
        from generator.core.files import check_not_input

        check_not_input(args.svg, *(side for side in (args.old, args.new) if Path(side).exists()), option="--svg")
    old_side, new_side = _read(args.old, "OLD"), _read(args.new, "NEW")
    (old, old_res), (new, new_res) = _load(old_side), _load(new_side)
    if old is None or new is None:
        if args.format == "markdown":
            sys.stdout.write(_failure_markdown([(s, r) for s, r, p in
                                                ((old_side, old_res, old), (new_side, new_res, new)) if p is None]))
        return 1

    # The FHIR exports are compared only for valid pathways: the export is made from checked models.
    invalid = [s.label for s, r in ((old_side, old_res), (new_side, new_res)) if r.has_errors()]
    diff = diff_pathways(old, new, scenarios=_scenarios(old_side, old, new_side, new), export=not invalid)
    if invalid:
        from dataclasses import replace

        from generator.review.exportdiff import not_compared

        diff = replace(diff, export=not_compared(f"{' and '.join(invalid)} {'has' if len(invalid) == 1 else 'have'} "
                                                 "errors"))
    status = 0
    if args.format == "json":
        sys.stdout.write(diffreport.format_json(diff))
    elif args.format == "text":
        sys.stdout.write(diffreport.format_text(diff, colour=use_colour()))
    else:
        sys.stdout.write(diffreport.format_markdown(diff, old, new, mermaid=not args.no_diagram))
    sys.stdout.flush()

    if args.require_version_bump:
        missing = diff.missing_for_release()
        if missing:
            error("this change alters what happens to patients, so it needs "
                  + " and ".join(missing) + " (see 'history' and 'version' in pathway.yaml)")
            status = 1
    if args.exit_code and diff.differs:
        status = 1
    if args.svg:  # last: if it cannot be drawn or written, the report is out and main() says why (exit 1)
        _write_svg(Path(args.svg), old, new, diff)
    return status


def _names_library(arg: str) -> bool | None:
    """True for a library folder (on disk, or REF:folder in git), False for a file, None for a bare REF."""
    from generator.review.gitsource import is_git_folder

    from generator.core.library import is_library

    path = Path(arg)
    if path.exists():
        return is_library(path)  # another folder is refused as it always was ("is a folder")
    if ":" not in arg:
        return False if path.suffix.lower() in (".yaml", ".yml") else None
    return is_git_folder(arg)


def _library_specs(old: str, new: str) -> tuple[str, str] | None:
    """Both sides as library specs when either names a library, else None (the single-file diff).

    A bare REF beside a library means the same folder in that revision.
    """
    a, b = _names_library(old), _names_library(new)
    if not (a or b):
        return None
    if a is False or b is False:
        folder, single = (old, new) if a else (new, old)
        raise UsageError(f"{folder} is a library (a folder with library.yaml) but {single} is not: compare a "
                         "library with a library (a folder, REF:folder, or a bare REF for the same folder)")
    if a is None:  # bare OLD ref, NEW is a library
        ref, sep, path = new.partition(":") if not Path(new).exists() else ("", "", new)
        old = f"{old}:{path}" if sep else f"{old}:./{Path(path).as_posix()}"
    elif b is None:
        ref, sep, path = old.partition(":") if not Path(old).exists() else ("", "", old)
        new = f"{new}:{path}" if sep else f"{new}:./{Path(path).as_posix()}"
    return old, new


def _scenario_side(side: _Side, pathway):
    """The scenario file beside a side (NAME.scenarios.yaml, in the same git revision), or None."""
    from generator.core.scenarios import load_scenarios
    from generator.review.gitsource import GitSourceError, read_git_file

    name = side.name
    ref, sep, path = name.rpartition(":") if not Path(name).exists() else ("", "", name)
    p = Path(path)
    sibling = str(p.with_name(f"{p.stem}.scenarios.yaml"))
    try:
        if sep:
            data = read_git_file(f"{ref}:{sibling}").data
        elif Path(sibling).is_file():
            data = Path(sibling).read_bytes()
        else:
            return None
        text = data.decode("utf-8")
    except (GitSourceError, OSError, UnicodeDecodeError):
        return None
    loaded, problems = load_scenarios(text, f"{ref}{sep}{sibling}", pathway)
    if loaded is None or any(pr.severity.value == "error" for pr in problems):
        print(f"pathway: note: {side.label}'s scenario file {ref}{sep}{sibling} has errors; "
              "run 'pathway test'. Re-routed patients are not listed.", file=sys.stderr)
        return None
    return loaded


def _scenarios(old_side: _Side, old, new_side: _Side, new):
    """Both versions' scenario files when both have one, else None."""
    a = _scenario_side(old_side, old)
    b = _scenario_side(new_side, new) if a is not None else None
    return (a, b) if a is not None and b is not None else None


def _failure_markdown(failed, what: str = "a pathway") -> str:
    """A short Markdown report when a side cannot be read, so the PR comment says why."""
    from generator.core import reporters
    from generator.review.reports import MARKER, md_inline

    out = [MARKER, "**Could not compare:** "
           + " and ".join(f"{md_inline(s.name)}" for s, _ in failed)
           + f" cannot be read as {what}. Fix these problems first:", "", "```text"]
    for _, result in failed:
        out.append(reporters.format_text(result.errors or result.problems).rstrip("\n").replace("```", "'''"))
    out += ["```", ""]
    return "\n".join(out)


def _write_svg(path: Path, old, new, diff) -> None:
    """Draw the visual diff into ``path`` atomically; ``PathwayError`` if it cannot be drawn or written."""
    from generator.render import layout
    from generator.render import svgpost
    from generator.review import visualdiff

    from generator.cli._sitecommon import notice
    from generator.core.errors import PathwayError
    from generator.core.files import atomic_write

    try:
        [svg] = layout.render_svgs([visualdiff.dot(old, new, diff)], id_prefixes=["pathway-diff"])
    except layout.LayoutError as exc:
        raise PathwayError(f"cannot draw {path}: {exc}") from exc
    svg = svgpost.finish(
        svg,
        name=f"Changes to {new.title}",
        description=f"{diff.verdict}. Added steps are bold with '+ added', changed ones have a double border "
        "and '~ changed', removed ones are dashed with '− removed'.",
    )
    if 'xmlns="http://www.w3.org/2000/svg"' not in svg[:2000]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)  # a stand-alone file needs it
    atomic_write(path, svg, on_wait=notice)
