"""``pathway validate``: check pathway files and report every problem."""

from __future__ import annotations

import argparse
import os
import sys

from generator.core import limits
from generator.core import reporters
from generator.cli import UsageError, check_pathway_file, error, use_colour

EPILOG = """\
examples:
  pathway validate                       check ./pathway.yaml
  pathway validate path/to/pathway.yaml  check another file
  pathway validate a/pathway.yaml b/pathway.yaml
                                         check several (each problem names its FILE:LINE:COL)
  pathway validate --strict              warnings count as errors too
  pathway validate --format github       annotations for GitHub Actions (10 of each kind,
                                         every problem in $GITHUB_STEP_SUMMARY)
  pathway validate --format json - < pathway.yaml
                                         read stdin, print JSON
  pathway validate pathways              a library (a folder with library.yaml): every file,
                                         checked together (links between pathways resolve)
  pathway validate pathways/triage.yaml  one file of a library: checked with its library,
                                         only its own problems reported (as the pre-commit hook does)

exit status: 0 no errors, 1 errors found (in any file), 2 usage error (e.g. no such file)
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check pathway.yaml and report every problem",
        description="Check pathway files like a compiler: every problem with FILE:LINE:COL, "
        "a rule id in [brackets] and, where it can, a suggestion.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="pathway files or library folders (default: pathway.yaml; '-' for stdin)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "github", "json"), default="text", help="output format (default: text)")
    p.add_argument("--for-build", action="store_true", help="also apply build-time rules (an expired pathway is an error)")
    p.add_argument("-v", "--verbose", action="store_true", help="say so when a file is fine")
    p.set_defaults(func=run)


def _check_one(name: str, for_build: bool):
    from generator.core.pipeline import check_text  # lazy: keeps --help fast

    if name == "-":
        data = sys.stdin.buffer.read(limits.MAX_FILE_BYTES + 1)
        return check_text(data, "<stdin>", for_build=for_build)
    return check_pathway_file(name, for_build=for_build)


class _LibraryCheck:
    """A library's result as ``run`` reports a file's: its problems, and the stages checked for --verbose."""

    def __init__(self, result, stages: int) -> None:
        self.result = result
        self.problems = result.problems
        self.errors = result.errors
        self.stages = stages

    def has_errors(self, strict: bool = False) -> bool:
        return self.result.has_errors(strict)


def _library_of(name: str) -> str | None:
    """The library folder a file belongs to (a library.yaml beside it), else None."""
    from generator.core.library import LIBRARY_FILE, is_library, pathway_files

    if name == "-" or os.path.isdir(name) or not os.path.isfile(name):
        return None
    folder = os.path.normpath(os.path.dirname(name) or ".")  # as given, so problems name the file as given
    if not is_library(folder):
        return None
    here = os.path.abspath(name)
    if os.path.basename(name) == LIBRARY_FILE or any(os.path.abspath(p) == here for p in pathway_files(folder)):
        return folder
    return None


def _check_library(folder: str, for_build: bool, only: list[str] | None):
    from generator.core.library import check_library

    try:
        result = check_library(folder, for_build=for_build, only=only)
    except OSError as exc:
        raise UsageError(f"cannot read the library {folder}: {exc.strerror or exc}") from None
    if only is None:
        stages = sum(len(p.stages) for p in result.pathways)
    else:
        wanted = {os.path.abspath(n) for n in only}
        stages = sum(len(r.pathway.stages) for r in result.results
                     if r.pathway is not None and os.path.abspath(r.pathway.source) in wanted)
    return _LibraryCheck(result, stages)


def _check_all(names: list[str], for_build: bool) -> tuple[list, int]:
    """Each name checked: a library folder as a whole, the files of one library together (each reporting
    only its own problems), any other file on its own.  Unreadable ones are said and counted."""
    from generator.core.library import is_library

    members: dict[str, list[str]] = {}
    for name in names:
        folder = _library_of(name)
        if folder is not None:
            members.setdefault(folder, []).append(name)
    results, unreadable, done = [], 0, set()
    for name in names:
        try:
            if name != "-" and is_library(name):
                results.append((name, _check_library(name, for_build, None)))
                continue
            folder = _library_of(name)
            if folder is None:
                results.append((name, _check_one(name, for_build)))
            elif folder not in done:  # one check for every file of this library that was named
                done.add(folder)
                label = ", ".join(members[folder])
                results.append((label, _check_library(folder, for_build, members[folder])))
        except UsageError as exc:
            if len(names) == 1:
                raise  # unreadable: a usage error, exit 2
            error(str(exc))  # say so, and still check the others
            unreadable += 1
    return results, unreadable


def run(args: argparse.Namespace) -> int:
    names = list(dict.fromkeys(args.files or ["pathway.yaml"]))  # a name given twice is checked once
    if len(names) > 1 and "-" in names:
        raise UsageError("'-' (standard input) cannot be combined with file names; check it on its own")
    results, unreadable = _check_all(names, args.for_build)

    problems = [p for _, r in results for p in r.problems]
    failed = [name for name, r in results if r.has_errors(strict=args.strict)]
    if args.format == "json":
        sys.stdout.write(reporters.format_json(problems))
    elif args.format == "github":
        sys.stdout.write(reporters.format_github(problems))
        _write_step_summary(problems)
    else:
        colour = use_colour(sys.stdout)
        sys.stdout.write(reporters.format_text(problems, colour=colour))
        if problems:
            has_errors = any(r.errors for _, r in results)
            verdict = " (warnings count as errors: --strict)" if args.strict and not has_errors else ""
            where = ""
            if len(names) > 1:
                with_problems = sum(bool(r.problems) for _, r in results)
                where = f" in {with_problems} of {len(names)} files"
            print(f"{reporters.summary_line(problems)}{where}{verdict}")
        if args.verbose:
            for name, r in results:
                if not r.problems:
                    n = r.stages if isinstance(r, _LibraryCheck) else len(r.pathway.stages) if r.pathway else 0
                    print(reporters.safe(f"{name if name != '-' else '<stdin>'}: OK ({n} stages)"))
    if unreadable:
        return 2
    return 1 if failed else 0


def _write_step_summary(problems) -> None:
    """All problems, in the GitHub step summary: the annotations show only 10 of each kind."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(reporters.format_github_summary(problems))
    except OSError as exc:  # the annotations are out already; a summary that cannot be written is not fatal
        print(reporters.safe(f"pathway: warning: cannot write the step summary {path}: {exc.strerror or exc}"),
              file=sys.stderr)
