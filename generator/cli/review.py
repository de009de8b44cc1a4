"""``pathway review``: is the pathway's clinical review (or expiry) coming up?"""

from __future__ import annotations

import argparse
import json
import sys

from generator.cli import UsageError, check_pathway_file, error, use_colour

DESCRIPTION = """\
Say whether the pathway's next clinical review is due, and when it expires.

A date counts as "due" when it is DAYS days away or fewer (90 by default) and
as "overdue" / "expired" once it has passed. Today's date comes from
SOURCE_DATE_EPOCH when that is set, so results can be reproduced.
"""

EPILOG = """\
exit codes:
  0  nothing due: the next review and the expiry are more than DAYS days away
     (or not set: 'pathway validate' reports missing dates)
  1  the review or the expiry is due within DAYS days, or has passed
     (also when pathway.yaml cannot be read; the reason is printed)
  2  usage error, e.g. the file does not exist or DAYS is negative

examples:
  pathway review                         check ./pathway.yaml, warn 90 days ahead
  pathway review --within 30             warn only 30 days ahead
  pathway review --format json           machine-readable, for the reminder workflow
  SOURCE_DATE_EPOCH=1767225600 pathway review   as if today were 2026-01-01
  pathway review pathways --within 60    every pathway of a library: one line
                                         for each one due or overdue
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "review",
        help="is the pathway's clinical review due?",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", default="pathway.yaml", metavar="FILE",
                   help="the pathway file (default: pathway.yaml), or a library folder: every pathway in it")
    p.add_argument("--within", type=int, default=90, metavar="DAYS",
                   help="count a date as due when it is this many days away or fewer (default: 90)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="output format (default: text)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so `pathway --help` does not load the checker.
    from generator.core import pipeline
    from generator.core import reporters
    from generator.core.governance import review_status

    if args.within < 0:
        raise UsageError(f"--within must be 0 or more days, not {args.within}")
    today = pipeline.today()
    from generator.core.library import is_library

    if is_library(args.file):
        return _run_library(args, today)
    result = check_pathway_file(args.file, today=today)
    if result.pathway is None:
        # The file is too broken to read any dates from: show why, as validate would.
        sys.stderr.write(reporters.format_text(result.problems, colour=use_colour(sys.stderr)))
        error(f"cannot read the review dates from {args.file}; run 'pathway validate {args.file}' for details")
        return 1

    status = review_status(result.pathway, today, args.within)
    if args.format == "json":
        json.dump(status.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        safe = reporters.safe  # pathway text reaches the terminal: escape control characters
        print(safe(f"{status.title} ({status.pathway_id}), version {status.version}, as of {today.isoformat()}:"))
        for line in status.lines():
            print(f"  {safe(line)}")
        if status.last_reviewed:
            print(f"  Last reviewed on {status.last_reviewed.isoformat()}.")
        if status.needs_attention:
            who = status.owner or "the pathway owner"
            print(safe(f"Action: {who} should arrange a review; see docs/contributing.md ('Review dates')."))
    return 1 if status.needs_attention else 0


def _run_library(args: argparse.Namespace, today) -> int:
    """Every pathway of a library: one line for each one due or overdue, most urgent first."""
    from generator.core import reporters
    from generator.core.governance import attention_key, review_status
    from generator.core.library import check_library

    try:
        result = check_library(args.file, today=today)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    unreadable = [r for r in result.results if r.pathway is None]
    if result.library is None or unreadable:
        sys.stderr.write(reporters.format_text(result.errors or result.problems, colour=use_colour(sys.stderr)))
        error(f"cannot read the review dates of every pathway in {args.file}; "
              f"run 'pathway validate {args.file}' for details")
        return 1
    rows = []
    for r in result.results:
        assert r.pathway is not None
        rows.append((r.pathway.source, review_status(r.pathway, today, args.within)))
    due = sorted((row for row in rows if row[1].needs_attention), key=lambda row: (attention_key(row[1]), row[0]))
    undated = [f for f, st in rows if st.review.date is None]
    lines = [(f, st, _due_line(st)) for f, st in due]
    if args.format == "json":
        doc = {
            "library": result.title,
            "today": today.isoformat(),
            "within_days": args.within,
            "needs_attention": bool(due),
            "pathways": len(rows),
            "due": [{"file": f, **st.to_dict(), "line": line} for f, st, line in lines],
            "no_review_date": undated,
        }
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 1 if due else 0
    safe = reporters.safe
    for f, st, line in lines:
        print(safe(f"{f}: {st.title}: {line}"))
    summary = (f"{len(due)} of {len(rows)} pathway{'s' if len(rows) != 1 else ''} due or overdue for review "
               f"within {args.within} days, as of {today.isoformat()}")
    print(summary if due else f"No pathway of {len(rows)} is due for review within {args.within} days "
          f"(as of {today.isoformat()}).")
    if undated:
        print(safe(f"No next review date: {', '.join(undated)} ('pathway validate' says more)."))
    return 1 if due else 0


def _due_line(st) -> str:
    """'next review 2026-01-10, overdue by 142 days' (and the expiry, when it is due too)."""
    from generator.core.governance import State, due_phrase

    parts = []
    if st.review.state in (State.DUE, State.OVERDUE) and st.review.date:
        parts.append(f"next review {st.review.date.isoformat()}, {due_phrase(st.review)}")
    if st.expires.state in (State.DUE, State.OVERDUE) and st.expires.date:
        left = st.expires.days_left or 0
        when = f"{-left} day{'s' if left != -1 else ''} ago" if left < 0 else (
            "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}")
        parts.append(f"{'expired' if left < 0 else 'expires'} {st.expires.date.isoformat()}, {when}")
    return "; ".join(parts)
