"""``pathway schema``: print the JSON Schema of pathway.yaml (for editors)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.cli import UsageError

EPILOG = """\
examples:
  pathway schema                                  print the schema
  pathway schema -o schema/pathway.schema.json    update the copy in the repository

Editors that speak the YAML language server pick it up from the first line of
pathway.yaml:  # yaml-language-server: $schema=./schema/pathway.schema.json
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of pathway.yaml",
        description="Print the JSON Schema (draft 2020-12) of the pathway file format, "
        "with a description of every field for editor hover help.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=run)


def schema_text() -> str:
    """The schema as written to disk: 2-space indent, UTF-8, trailing newline."""
    from generator.core.schema import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    text = schema_text()
    if not args.output:
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    if out.is_dir():
        raise UsageError(f"{out} is a folder; give a file name such as {out / 'pathway.schema.json'}")
    if not out.parent.is_dir():
        raise UsageError(f"folder {out.parent} does not exist")
    from generator.core.files import atomic_write

    atomic_write(out, text)  # a failure never leaves half a schema
    return 0
