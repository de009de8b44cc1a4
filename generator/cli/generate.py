"""Write the site's Markdown pages into a folder, for engines without the plugin."""

from __future__ import annotations

import argparse

from generator.cli._sitecommon import DEFAULT_FILE, check_for_build, notice

DEFAULT_OUT = "docs/_generated"

EPILOG = """\
examples:
  pathway generate                         write the pages of ./pathway.yaml into docs/_generated/
  pathway generate other.yaml -o out/docs  another pathway, another folder

The folder is replaced on every run (pages of removed stages disappear), but
only files that 'pathway generate' wrote are touched; it refuses a non-empty
folder it did not create.  'pathway build' does not need this step: the
MkDocs plugin renders the same pages in memory.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("generate", help="write the site pages as Markdown files",
                              description=__doc__, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default=DEFAULT_FILE, metavar="FILE",
                   help=f"the pathway file (default: {DEFAULT_FILE})")
    p.add_argument("-o", "--output", default=DEFAULT_OUT, metavar="DIR",
                   help=f"folder to write into, relative to the current folder (default: {DEFAULT_OUT})")
    p.add_argument("--no-directory-urls", action="store_true",
                   help="links for a site built with use_directory_urls: false")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.core import pipeline
    from generator.core.files import check_not_input, check_tree_target, write_tree
    from generator.site.pages import render_site

    check_not_input(args.output, args.file, option="--output")
    check_tree_target(args.output)  # refuse someone's folder before the work, not after
    checked = check_for_build(args.file)
    if checked is None or checked.pathway is None:
        return 1
    pathway = checked.pathway
    files = render_site(pathway, today=pipeline.today(), use_directory_urls=not args.no_directory_urls)
    write_tree(args.output, files, on_wait=notice)
    return 0
