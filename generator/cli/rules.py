"""``pathway rules``: list every rule the checker reports, with its severity and meaning."""

from __future__ import annotations

import argparse
import sys

EPILOG = """\
examples:
  pathway rules                       every rule id, grouped, with its severity and meaning
  pathway rules --format json         the same for scripts (id, topic, severity, when_publishing, summary)
  pathway rules --format markdown     the table in docs/format.md

The id is what appears in [brackets] at the end of a message from
'pathway validate', e.g. [unknown-stage].
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "rules",
        help="list the rules the checker reports",
        description="List every rule the checker reports: its stable id, whether it is an error or a warning, "
        "and what it means.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="output format (default: text)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.core import rules

    text = {"text": rules.as_text, "json": rules.as_json, "markdown": rules.as_markdown}[args.format]()
    sys.stdout.write(text)
    return 0
