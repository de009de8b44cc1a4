"""``pathway schema``: print the JSON Schema of pathway.yaml (for editors)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.cli import UsageError
from generator.core.schema import SCHEMA_ID

#: The copy inside the package, beside generator/core/schema.py.
SHIPPED_NAME = "pathway.schema.json"

EPILOG = """\
examples:
  pathway schema                                  print the schema
  pathway schema --path                           where the installed package keeps its copy
  pathway schema -o schema/pathway.schema.json    update the copy in the repository
  pathway schema -o generator/core/pathway.schema.json
                                                  update the copy shipped in the package

Editors that speak the YAML language server pick it up from the first line of
pathway.yaml:  # yaml-language-server: $schema=./schema/pathway.schema.json
Its $id is where the deploy workflow publishes it: {schema_id}
"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of pathway.yaml",
        description="Print the JSON Schema (draft 2020-12) of the pathway file format, "
        "with a description of every field for editor hover help.",
        epilog=EPILOG.format(schema_id=SCHEMA_ID),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    out.add_argument("--path", action="store_true",
                     help="print the path of the schema file shipped in the installed package (for editor settings)")
    p.set_defaults(func=run)


def schema_text() -> str:
    """The schema as written to disk: 2-space indent, UTF-8, trailing newline."""
    from generator.core.schema import json_schema

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema():
    """The schema file shipped as package data (pyproject.toml [tool.setuptools.package-data])."""
    from importlib.resources import files

    return files("generator.core") / SHIPPED_NAME


def run(args: argparse.Namespace) -> int:
    if args.path:
        shipped = shipped_schema()
        if not shipped.is_file():
            raise UsageError(f"this installation has no {SHIPPED_NAME}; reinstall the package, or use 'pathway schema -o FILE'")
        print(str(shipped))
        return 0
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
