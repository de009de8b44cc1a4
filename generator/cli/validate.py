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
                   help="pathway files (default: pathway.yaml; '-' for stdin)")
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


def run(args: argparse.Namespace) -> int:
    names = list(dict.fromkeys(args.files or ["pathway.yaml"]))  # a name given twice is checked once
    if len(names) > 1 and "-" in names:
        raise UsageError("'-' (standard input) cannot be combined with file names; check it on its own")
    if len(names) == 1:
        results = [(names[0], _check_one(names[0], args.for_build))]  # unreadable: a usage error, exit 2
        unreadable = 0
    else:
        results, unreadable = [], 0
        for name in names:
            try:
                results.append((name, _check_one(name, args.for_build)))
            except UsageError as exc:  # say so, and still check the others
                error(str(exc))
                unreadable += 1

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
                    n = len(r.pathway.stages) if r.pathway else 0
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
