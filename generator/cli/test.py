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
  pathway test pathways                      every pathway of a library with its
                                             NAME.scenarios.yaml beside NAME.yaml

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
    p.add_argument("file", nargs="?", default="pathway.yaml",
                   help="pathway file (default: pathway.yaml), or a library folder: every pathway's scenarios")
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

    from generator.core.library import is_library

    colour = use_colour(sys.stdout)

    def show(found) -> None:
        if args.format == "github":
            sys.stdout.write(reporters.format_github(found))
        else:
            sys.stdout.write(reporters.format_text(found, colour=colour))
    if is_library(args.file):
        pairs = _library_pairs(args)
        if pairs is None:
            return 2
    else:
        files = [Path(f) for f in args.scenarios] if args.scenarios else [default_scenarios(args.file)]
        for f in files:
            if not f.exists():
                hint = "" if args.scenarios else " (write one, or name others with --scenarios)"
                raise UsageError(f"no such scenario file: {f}{hint}")
            check_input_file(str(f))
        result = check_pathway_file(args.file)
        if result.pathway is None or result.has_errors():
            show(result.errors)
            print(f"{reporters.summary_line(result.errors)} in {args.file}: fix the pathway before testing scenarios")
            return 2
        pairs = [(result.pathway, f) for f in files]
    problems = []
    failures = []
    total = 0
    for pathway, f in pairs:
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {f}: {getattr(exc, 'strerror', None) or exc}") from None
        loaded, found = load_scenarios(text, str(f), pathway)
        problems += found
        if loaded is None or found:
            continue
        for sc in loaded.scenarios:
            total += 1
            out = run_one(pathway, sc)
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


def _library_pairs(args: argparse.Namespace):
    """(pathway, its scenario file) for every pathway of the library that has one; None after printing errors."""
    from generator.core import reporters
    from generator.core.files import check_input_file
    from generator.core.library import check_library, pathway_files, scenario_name

    if args.scenarios:
        raise UsageError("--scenarios names the scenario files of one pathway: with a library folder, each "
                         "pathway's NAME.scenarios.yaml beside NAME.yaml is used")
    try:
        result = check_library(args.file)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if result.has_errors():
        found = result.errors or result.problems
        out = reporters.format_github(found) if args.format == "github" else reporters.format_text(
            found, colour=use_colour(sys.stdout))
        sys.stdout.write(out)
        print(f"{reporters.summary_line(found)} in the library {args.file}: fix the pathways before testing scenarios")
        return None
    by_file = {r.pathway.source: r.pathway for r in result.results if r.pathway is not None}
    pairs = []
    for path in pathway_files(args.file):
        scenarios = path.with_name(scenario_name(path.name))
        if scenarios.exists() and str(path) in by_file:
            check_input_file(str(scenarios))
            pairs.append((by_file[str(path)], scenarios))
    if not pairs:
        raise UsageError(f"no pathway of the library {args.file} has a scenario file (NAME.scenarios.yaml beside "
                         "NAME.yaml)")
    return pairs
