"""``pathway export fhir|json``: the checked pathway for other systems (HL7 FHIR CPG resources, or JSON)."""

from __future__ import annotations

import argparse

from generator.cli import UsageError
from generator.cli._sitecommon import DEFAULT_FILE, check_for_build

TAKE_OVER = "--take-over"

EPILOG = """\
examples:
  pathway export fhir                              FHIR R4 JSON of ./pathway.yaml into ./fhir
  pathway export fhir -o out --base https://fhir.example.org/pathways
                                                   canonical URLs under that base
  pathway export fhir --package-name org.example.back-pain
                                                   the name in package/package.json
  pathway export json                              the model as JSON (and its JSON Schema) into ./json

The pathway is checked first; with errors nothing is written.  The output is
the same bytes for the same pathway (no dates of the run), so it can be
committed and compared.  The folder is replaced as a whole (it records what it
wrote in .pathway-manifest.json); a non-empty folder without that record is
refused unless you pass --take-over.  docs/export.md has the mapping.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="export the pathway as HL7 FHIR resources or JSON",
                              description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="format", metavar="FORMAT")
    for name, default, what in (("fhir", "fhir", "HL7 FHIR R4 JSON (CPG-on-FHIR PlanDefinitions, ActivityDefinitions, "
                                 "a Questionnaire of the inputs, a Bundle)"),
                                ("json", "json", "the checked model as JSON, with its JSON Schema")):
        q = sub.add_parser(name, help=what, description=f"Write {what}.", epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        q.add_argument("file", nargs="?", default=DEFAULT_FILE, metavar="FILE",
                       help=f"the pathway file (default: {DEFAULT_FILE})")
        q.add_argument("-o", "--output", default=default, metavar="DIR",
                       help=f"output folder (default: {default})")
        if name == "fhir":
            from generator.export.fhir import DEFAULT_BASE

            q.add_argument("--base", default=DEFAULT_BASE, metavar="URL",
                           help=f"the base of every canonical URL (default: {DEFAULT_BASE})")
            q.add_argument("--package-name", metavar="NAME",
                           help="the FHIR package name in package/package.json, e.g. org.example.back-pain "
                           "(default: pathway.<pathway id>)")
        q.add_argument(TAKE_OVER, action="store_true",
                       help="write into a non-empty folder that an earlier export did not mark as its own")
        q.add_argument("--strict", action="store_true", help="treat warnings as errors")
        q.set_defaults(func=run, export_format=name)
    p.set_defaults(func=_no_format, parser=p)


def _no_format(args: argparse.Namespace) -> int:
    raise UsageError("say what to export: 'pathway export fhir' or 'pathway export json'")


def files_for(args: argparse.Namespace, pathway) -> dict[str, bytes]:
    if args.export_format == "fhir":
        from generator.export.fhir import export_folder

        return export_folder(pathway, args.base, args.package_name)
    from generator.export.model_json import export_json

    return export_json(pathway)


def run(args: argparse.Namespace) -> int:
    from generator.core.files import check_not_input, check_tree_target, replace_tree, resolve_output

    tool = f"pathway export {args.export_format}"
    out = resolve_output(args.output)
    check_not_input(out, args.file, option="--output")
    if args.export_format == "fhir":  # a bad --base is a usage error before any checking
        from generator.export.fhir import BaseUrlError, PackageNameError, check_base, check_package_name

        try:
            check_base(args.base)
        except BaseUrlError as exc:
            raise UsageError(f"--base: {exc}") from None
        if args.package_name is not None:
            try:
                check_package_name(args.package_name)
            except PackageNameError as exc:
                raise UsageError(f"--package-name: {exc}") from None
    check_tree_target(out, tool=tool, take_over=args.take_over, flag=TAKE_OVER)
    result = check_for_build(args.file, strict=args.strict)
    if result is None:
        return 1
    files = files_for(args, result.pathway)

    def stage(new) -> None:
        for rel, data in files.items():
            (new / rel).parent.mkdir(parents=True, exist_ok=True)
            (new / rel).write_bytes(data)

    replace_tree(out, stage, tool=tool, take_over=args.take_over, flag=TAKE_OVER, expect=set(files))
    return 0
