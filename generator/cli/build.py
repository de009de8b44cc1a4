"""Check the pathway and build the website with MkDocs (in-process)."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from generator.cli import UsageError, error
from generator.cli._sitecommon import DEFAULT_FILE, check_for_build, find_config, plugin_override, quiet_mkdocs

EPILOG = """\
examples:
  pathway build                        build ./pathway.yaml into ./site
  pathway build other.yaml -d public   another pathway, another output folder
  pathway build --strict               fail on warnings too (as CI does)

Quiet on success.  The site is built into a temporary folder next to
SITE_DIR and swapped in only when the build succeeds, so a failed build
leaves the previous site untouched.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("build", help="build the website", description=__doc__, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default=DEFAULT_FILE, metavar="FILE",
                   help=f"the pathway file (default: {DEFAULT_FILE})")
    p.add_argument("-d", "--site-dir", default="site", metavar="SITE_DIR", help="output folder (default: site)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("-f", "--config-file", metavar="FILE", help="MkDocs config (default: the repository's mkdocs.yml)")
    p.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress messages")
    p.set_defaults(func=run)


def _check_site_dir(site: Path, config_file: Path) -> None:
    """Refuse to replace a folder that is not a previous build (it might be someone's work)."""
    if not site.exists():
        return
    if not site.is_dir():
        raise UsageError(f"{site} exists and is not a folder")
    if site.resolve() in (config_file.parent, *config_file.parent.parents, Path.home()):
        raise UsageError(f"refusing to replace {site}: it holds the project itself")
    if any(site.iterdir()) and not (site / "index.html").exists():
        raise UsageError(f"{site} is not empty and does not look like a built site (no index.html); "
                         "choose another --site-dir")


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = find_config(args.config_file)
    site = Path(args.site_dir)
    _check_site_dir(site, config_file)
    checked = check_for_build(args.file, strict=args.strict)
    if checked is None:
        return 1
    plugins = plugin_override(config_file, args.file, checked)
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}-new-", dir=site.parent))
    # mkdtemp makes the folder 0700; the published site must be readable by a
    # web server running as another user, so give it the usual umask mode.
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    try:
        with quiet_mkdocs(args.verbose):
            cfg = load_config(config_file=str(config_file), site_dir=str(tmp), strict=args.strict, plugins=plugins)
            build(cfg)
        _swap(tmp, site)
    except MkDocsException as exc:
        error(f"the website was not built: {exc.format_message() if hasattr(exc, 'format_message') else exc}")
        return 1
    except OSError as exc:
        error(f"cannot write {site}: {exc.strerror or exc}")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _swap(new: Path, site: Path) -> None:
    """Put the new build in place of the old one with two renames."""
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site.name}-old-", dir=site.parent))
        os.rmdir(old)
        os.replace(site, old)
    os.replace(new, site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
