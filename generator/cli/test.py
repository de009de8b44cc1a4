"""``pathway test``: walk every patient scenario through the pathway and report those that go astray."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli import UsageError, check_pathway_file, use_colour

EPILOG = """\
examples:
  pathway test                               pathway.yaml with pathway.scenarios.yaml beside it
  pathway test other.yaml                    other.yaml with other.scenarios.yaml
  pathway test --scenarios a.yaml b.yaml     other scenario files
  pathway test --format github               annotations on a pull request (the PR workflow)

exit status: 0 every scenario reaches what it expects, 1 a scenario failed,
2 usage error or bad input (no such file, the pathway or a scenario file has errors)
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "test",
        help="walk the patient scenarios through the pathway",
        description="Walk each example patient of the scenario files through the pathway and check that it "
        "reaches the stage (and route) it expects. Failures are reported at the scenario's FILE:LINE with the "
        "route taken against the route expected.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", default="pathway.yaml", help="pathway file (default: pathway.yaml)")
    p.add_argument("--scenarios", nargs="+", metavar="F",
                   help="scenario files (default: NAME.scenarios.yaml beside the pathway file)")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="text (default), or github: workflow annotations on the scenario files' lines")
    p.add_argument("-v", "--verbose", action="store_true", help="say how many scenarios passed")
    p.set_defaults(func=run)


def default_scenarios(pathway_file: str | Path) -> Path:
    """``pathway.yaml`` → ``pathway.scenarios.yaml`` in the same folder."""
    path = Path(pathway_file)
    return path.with_name(f"{path.stem}.scenarios.yaml")


def run(args: argparse.Namespace) -> int:
    from generator.core import reporters
    from generator.core.files import check_input_file
    from generator.core.scenarios import load_scenarios, run as run_one

    files = [Path(f) for f in args.scenarios] if args.scenarios else [default_scenarios(args.file)]
    for f in files:
        if not f.exists():
            hint = "" if args.scenarios else " (write one, or name others with --scenarios)"
            raise UsageError(f"no such scenario file: {f}{hint}")
        check_input_file(str(f))
    result = check_pathway_file(args.file)
    colour = use_colour(sys.stdout)

    def show(found) -> None:
        if args.format == "github":
            sys.stdout.write(reporters.format_github(found))
        else:
            sys.stdout.write(reporters.format_text(found, colour=colour))
    if result.pathway is None or result.has_errors():
        show(result.errors)
        print(f"{reporters.summary_line(result.errors)} in {args.file}: fix the pathway before testing scenarios")
        return 2
    problems = []
    failures = []
    total = 0
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {f}: {getattr(exc, 'strerror', None) or exc}") from None
        loaded, found = load_scenarios(text, str(f), result.pathway)
        problems += found
        if loaded is None or found:
            continue
        for sc in loaded.scenarios:
            total += 1
            out = run_one(result.pathway, sc)
            if out.problem is not None:
                failures.append(out.problem)
    if problems:
        show(problems)
        print(f"{reporters.summary_line(problems)} in the scenario files: no scenario was run from a file with errors")
        return 2
    if failures:
        show(failures)
        print(f"{len(failures)} of {total} scenario{'s' if total != 1 else ''} failed")
        return 1
    if args.verbose or (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()):
        print(f"{total} scenario{'s' if total != 1 else ''} passed")
    return 0
