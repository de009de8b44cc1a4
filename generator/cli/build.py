"""Check the pathway and build the website with MkDocs (in-process)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from generator.cli import PathwayError, UsageError
from generator.cli._sitecommon import (DEFAULT_FILE, PLUGIN, check_for_build, check_library_for_build, find_config,
                                       is_library, notice, plugin_override, quiet_mkdocs)

TOOL = "pathway build"
TAKE_OVER = "--take-over"

EPILOG = """\
examples:
  pathway build                        build ./pathway.yaml into ./site
  pathway build other.yaml -d public   another pathway, another output folder
  pathway build --strict               fail on warnings too (as CI does)
  pathway build -d public --take-over  write into an existing folder, keeping its files
  pathway build --no-pdf               skip the PDF handbook (faster; no download button)
  pathway build --versions             also every release tagged v*, under SITE_DIR/versions/<version>/
  pathway build --offline -d offline   a site to open from disk (offline/index.html), no web server
  pathway build pathways               a library (a folder with library.yaml): every pathway under
                                       SITE_DIR/<pathway id>/, the catalogue at SITE_DIR/ (docs/library.md)

Quiet on success.  The site is built into a temporary folder next to
SITE_DIR and swapped in only when the build succeeds, so a failed build
leaves the previous site untouched.  SITE_DIR records the files the build
wrote (.pathway-manifest.json); the next build replaces exactly those and
keeps every other file (a CNAME, notes, a .git folder).  A non-empty folder
without that record is refused unless you pass --take-over.  A SITE_DIR that
is a symbolic link is followed: the folder it points to is replaced.  Two
builds into one SITE_DIR run one after the other.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("build", help="build the website", description=__doc__, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default=DEFAULT_FILE, metavar="FILE",
                   help=f"the pathway file, or a library folder holding library.yaml (default: {DEFAULT_FILE})")
    p.add_argument("-d", "--site-dir", default="site", metavar="SITE_DIR",
                   help="output folder, relative to the current folder (default: site)")
    p.add_argument(TAKE_OVER, action="store_true",
                   help="write into a non-empty SITE_DIR that an earlier build did not mark as its own: "
                   "files with the names the build writes are replaced, every other file is kept")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--no-pdf", action="store_true",
                   help="do not build the PDF handbook into SITE_DIR/pathway.pdf (the home page then has no download button)")
    p.add_argument("--versions", nargs="?", const="v*", metavar="TAGS",
                   help="also publish every release: each git tag matching TAGS (default: v*) is built from "
                   "its pathway file into SITE_DIR/versions/<version>/, with a banner on superseded pages, "
                   "and the site gets a Versions page and a change history on each stage page")
    p.add_argument("--offline", action="store_true",
                   help="a site that works opened from disk (file://, no web server, no internet): "
                   "page addresses end in .html and search works without a server")
    p.add_argument("-f", "--config-file", metavar="FILE", help="MkDocs config (default: the repository's mkdocs.yml)")
    p.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress messages")
    p.set_defaults(func=run)


def _check_site_dir(site: Path, config_file: Path, take_over: bool) -> None:
    """Refuse a folder the build must not replace: the project itself, or someone's files."""
    from generator.core.files import check_tree_target

    if site.exists() and site.resolve() in (config_file.parent, *config_file.parent.parents, Path.home()):
        raise UsageError(f"refusing to replace {site}: it holds the project itself")
    check_tree_target(site, tool=TOOL, take_over=take_over, flag=TAKE_OVER)


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.core.files import check_not_input, replace_tree, resolve_output

    config_file = find_config(args.config_file)
    site = resolve_output(args.site_dir)  # against the current folder, not mkdocs.yml's
    check_not_input(site, args.file, config_file, option="--site-dir")
    _check_site_dir(site, config_file, args.take_over)
    library = is_library(args.file)
    if library and args.versions is not None:
        raise UsageError("--versions is not available for a library yet; build the library without it")
    checked = (check_library_for_build if library else check_for_build)(args.file, strict=args.strict)
    if checked is None:
        return 1
    plugins = plugin_override(config_file, args.file, checked, library=library)
    plugins[PLUGIN]["pdf"] = not args.no_pdf  # the home page links the handbook only when it is built
    archive = None
    if args.versions is not None:
        from generator.core import pipeline
        from generator.review.archive import read_releases

        from generator.core.pipeline import CheckResult

        assert isinstance(checked, CheckResult) and checked.pathway is not None
        archive = read_releases(args.file, checked.pathway, pattern=args.versions, today=pipeline.today())
        plugins[PLUGIN]["releases"] = archive[0]
    if args.offline:
        plugins[PLUGIN]["offline"] = True

    def stage(folder: Path) -> None:
        try:
            with quiet_mkdocs(args.verbose):
                cfg = load_config(config_file=str(config_file), site_dir=os.fspath(folder), strict=args.strict,
                                  plugins=plugins)
                build(cfg)
                if archive is not None:
                    _build_versions(archive, folder, config_file, args.strict, cfg.site_url or "", args.offline)
        except MkDocsException as exc:
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            raise PathwayError(f"the website was not built: {message}") from exc

    replace_tree(site, stage, tool=TOOL, take_over=args.take_over, flag=TAKE_OVER, on_wait=notice)
    return 0


def _build_versions(archive, folder: Path, config_file: Path, strict: bool, site_url: str,
                    offline: bool = False) -> None:
    """Each tagged release into ``folder/versions/<version>/``: the same config, that tag's pathway file.

    The current tool builds each tag's file (read from git, not checked out): so every copy gets the
    banner and keeps its links inside its folder, and no old tool or its dependencies are needed.  Only
    the pathway's own pages are archived (an empty docs_dir, no hand-written nav); no PDF (the release
    carries its own).  With ``offline`` each copy is built to open from disk, like the current site.
    """
    import dataclasses
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.core import pipeline

    releases, tagged = archive
    today = pipeline.today()
    with tempfile.TemporaryDirectory(prefix="pathway-versions-") as tmp:
        docs = Path(tmp, "docs")
        docs.mkdir()
        for t in tagged:
            v = t.release.version
            src = Path(tmp, v, "pathway.yaml")
            src.parent.mkdir()
            src.write_bytes(t.data)
            # Checked as an archive (read_releases: errors refused, expiry not); marked as checked for the
            # plugin so that a superseded version past its expiry date is not refused as a new publication.
            result = pipeline.check_text(t.data, t.name, for_build=False, today=today)
            result = dataclasses.replace(result, fingerprint=pipeline.fingerprint(t.data, for_build=True, today=today))
            plugins = plugin_override(config_file, str(src), result)
            plugins[PLUGIN].update(pdf=False, releases=releases.for_archive(v))
            if offline:
                plugins[PLUGIN]["offline"] = True  # the copies open from disk like the site around them
            url = f"{site_url.rstrip('/')}/versions/{v}/" if site_url else None
            cfg = load_config(config_file=str(config_file), site_dir=os.fspath(folder / "versions" / v),
                              strict=strict, plugins=plugins, docs_dir=os.fspath(docs), nav=[], site_url=url)
            build(cfg)
            # Hosts serve only the root 404 page, and MkDocs writes a copy's 404 page with links from the
            # root ('/assets/...' without a site_url), which would leave the copy's folder.
            (folder / "versions" / v / "404.html").unlink(missing_ok=True)
