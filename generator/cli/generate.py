"""Write a self-contained site project (mkdocs.yml, pages, theme overrides) for engines without the plugin."""

from __future__ import annotations

import argparse
import os

from generator.cli import UsageError, error
from generator.cli._sitecommon import DEFAULT_FILE, check_for_build, notice
from generator.core.rules import Rule

DEFAULT_OUT = "pathway-site"
#: Warnings of a plugin build (the link shown as text, the class dropped) that plain Markdown would publish live.
_LIVE_WITHOUT_PLUGIN = frozenset({Rule.UNSAFE_LINK, Rule.THEME_CLASS})

EPILOG = """\
examples:
  pathway generate                         write the project of ./pathway.yaml into pathway-site/
  pathway generate other.yaml -o out       another pathway, another folder
  pathway generate --feedback https://github.com/OWNER/REPO
                                           with a 'Report a problem' link on each stage page
  cd pathway-site && mkdocs build          build it with plain MkDocs (no plugin) ...
  cd pathway-site && zensical build        ... or with Zensical: the same site

The folder holds mkdocs.yml (title, grouped navigation, theme, Markdown
extensions), docs/ (the pages and the CSS) and overrides/ (the theme's
template overrides); it needs no INHERIT and no plugin.

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
    p.add_argument("--site-url", metavar="URL",
                   help="the address the site is published at (site_url: needed for the sitemap, the 404 page "
                        "and navigation.instant)")
    p.add_argument("--feedback", metavar="TARGET",
                   help="where each stage page's 'Report a problem' link goes: https://github.com/OWNER/REPO "
                        "(the issue form .github/ISSUE_TEMPLATE/page-problem.yml) or mailto:ADDRESS "
                        "(default: no link; the plugin's option 'feedback')")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.core import pipeline
    from generator.core.files import check_not_input, check_tree_target, write_tree
    from generator.site.pages import Downloads, render_site, site_nav
    from generator.site.project import site_project

    from generator.site import feedback as fb

    try:
        feedback = fb.resolve(args.feedback, None)
    except ValueError:
        raise UsageError(f"--feedback {args.feedback}: give https://github.com/OWNER/REPO, mailto:ADDRESS or off") from None
    check_not_input(args.output, args.file, option="--output")
    check_tree_target(args.output)  # refuse someone's folder before the work, not after
    checked = check_for_build(args.file)
    if checked is None or checked.pathway is None:
        return 1
    # The plugin shows such a link as text and drops such a class; a project built without it would
    # publish them live, so they stop generate (the warnings above say where each one is).
    live = [pr for pr in checked.problems if pr.rule in _LIVE_WITHOUT_PLUGIN]
    if live:
        error(f"{args.file}: {len(live)} unsafe link{'s' if len(live) != 1 else ''} or theme "
              f"class{'es' if len(live) != 1 else ''} (above) would be live in a site built without the "
              "pathway plugin; remove them, or build with 'pathway build'. Nothing was written")
        return 1
    pathway = checked.pathway
    urls = not args.no_directory_urls
    # The exports too (downloads/, linked from the home page), with the default FHIR base: cheap and the
    # same bytes as `pathway export`, so the generated project offers what a plugin build offers.
    pages = render_site(pathway, today=pipeline.today(), use_directory_urls=urls, downloads=Downloads(),
                        feedback=feedback, site_url=args.site_url or "")
    files = site_project(pathway, pages, site_nav(pathway), source=os.path.basename(args.file),
                         use_directory_urls=urls, site_url=args.site_url)
    write_tree(args.output, files, on_wait=notice)
    return 0
