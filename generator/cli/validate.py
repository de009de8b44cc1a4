"""``pathway validate``: check a pathway file and report every problem."""

from __future__ import annotations

import argparse
import sys

from generator.core import limits
from generator.core import reporters
from generator.cli import check_pathway_file, use_colour

EPILOG = """\
examples:
  pathway validate                       check ./pathway.yaml
  pathway validate path/to/pathway.yaml  check another file
  pathway validate --strict              warnings count as errors too
  pathway validate --format github       annotations for GitHub Actions
  pathway validate --format json - < pathway.yaml
                                         read stdin, print JSON

exit status: 0 no errors, 1 errors found, 2 usage error (e.g. no such file)
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check pathway.yaml and report every problem",
        description="Check a pathway file like a compiler: every problem with FILE:LINE:COL, "
        "a rule id in [brackets] and, where it can, a suggestion.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", default="pathway.yaml", help="pathway file (default: pathway.yaml; '-' for stdin)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--format", choices=("text", "github", "json"), default="text", help="output format (default: text)")
    p.add_argument("--for-build", action="store_true", help="also apply build-time rules (an expired pathway is an error)")
    p.add_argument("-v", "--verbose", action="store_true", help="say so when the file is fine")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.core.pipeline import check_text  # lazy: keeps --help fast

    if args.file == "-":
        data = sys.stdin.buffer.read(limits.MAX_FILE_BYTES + 1)
        result = check_text(data, "<stdin>", for_build=args.for_build)
    else:
        result = check_pathway_file(args.file, for_build=args.for_build)

    problems = result.problems
    failed = result.has_errors(strict=args.strict)
    if args.format == "json":
        sys.stdout.write(reporters.format_json(problems))
    elif args.format == "github":
        sys.stdout.write(reporters.format_github(problems))
    else:
        colour = use_colour(sys.stdout)
        sys.stdout.write(reporters.format_text(problems, colour=colour))
        if problems:
            verdict = " (warnings count as errors: --strict)" if args.strict and not result.errors else ""
            print(f"{reporters.summary_line(problems)}{verdict}")
        elif args.verbose:
            n = len(result.pathway.stages) if result.pathway else 0
            print(reporters.safe(f"{args.file if args.file != '-' else '<stdin>'}: OK ({n} stages)"))
    return 1 if failed else 0
