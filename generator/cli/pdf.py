"""``pathway pdf``: build the printable handbook (one PDF) from a pathway file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.cli import PathwayError, UsageError, check_pathway_file, use_colour

EPILOG = """\
examples:
  pathway pdf                            ./pathway.yaml -> ./pathway.pdf
  pathway pdf care/pathway.yaml -o handbook.pdf
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) pathway pdf
                                         date the handbook by the last commit
                                         (same input and date: byte-identical PDF)

The handbook prints one date of its own, labelled for what it is: "Built
<today>" (the real day of the build, UTC), or, when SOURCE_DATE_EPOCH is set,
"Source dated <that day>" (the date of the source, e.g. the commit; not the
day the file was made).  Never a date taken from the pathway's review dates.

exit status: 0 written, 1 problems in the pathway or the build failed,
2 usage error (e.g. no such file)
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pdf",
        help="build the printable PDF handbook",
        description="Validate a pathway file and build its PDF handbook: title page with document "
        "control, contents with page numbers, the overview flowchart, the stages in reading order, "
        "references, glossary and amendment history.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", default="pathway.yaml", help="pathway file (default: pathway.yaml)")
    p.add_argument("-o", "--output", default="pathway.pdf", metavar="OUT.pdf", help="where to write the PDF (default: pathway.pdf)")
    p.add_argument("--cache-dir", metavar="DIR", help="reuse laid-out flowcharts from this folder (safe to delete)")
    p.set_defaults(func=run)




def _is_pdf(path: Path) -> bool:
    """True for an empty file or one that starts like a PDF (a previous handbook may be replaced)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
    except OSError:
        return False
    return head in (b"", b"%PDF-")


def _progress(msg: str) -> None:
    # Progress only for a person watching a terminal; logs and CI stay quiet.
    if sys.stderr.isatty():
        print(f"pathway pdf: {msg}…", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from generator.pdf import handbook as pdf  # lazy: keeps --help fast
    from generator.core import reporters
    from generator.render.layout import LayoutError

    from generator.core.files import check_not_input

    out = Path(args.output)
    if out.is_dir():
        raise UsageError(f"{out} is a folder; give the path of the PDF to write (e.g. {out / 'pathway.pdf'})")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: the folder {out.parent} does not exist")
    check_not_input(out, args.file, option="-o")  # first: the clearer message when -o is the pathway itself
    if out.is_file() and not _is_pdf(out):
        raise UsageError(f"{out} exists and is not a PDF; refusing to overwrite it — choose another -o")

    _progress(f"checking {args.file}")
    result = check_pathway_file(args.file, for_build=True)

    if result.has_errors() or result.pathway is None:
        # Errors go to stderr: stdout may be piped somewhere that expects nothing.
        sys.stderr.write(reporters.format_text(result.problems, colour=use_colour(sys.stderr)))
        print(f"{reporters.summary_line(result.problems)}; no PDF written", file=sys.stderr)
        return 1
    # Warnings do not stop the handbook, but are shown once, as every other command shows them.
    sys.stderr.write(reporters.format_text(result.problems, colour=use_colour(sys.stderr)))

    try:
        pages = pdf.build_pdf(
            result.pathway,
            out,
            source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
            cache_dir=args.cache_dir,
            progress=_progress,
        )
    except LayoutError as exc:
        raise PathwayError(f"cannot draw the flowcharts: {exc}") from exc
    _progress(f"wrote {out} ({pages} pages)")
    return 0
