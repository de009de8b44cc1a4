"""Preview the website with live reload while editing the pathway file."""

from __future__ import annotations

import argparse

from generator.cli import error
from generator.cli._sitecommon import (DEFAULT_FILE, PLUGIN, check_for_build, check_library_for_build, find_config,
                                       is_library, plugin_override, quiet_mkdocs)

EPILOG = """\
examples:
  pathway serve                      preview ./pathway.yaml at http://127.0.0.1:8000/
  pathway serve other.yaml -a 127.0.0.1:8001
  pathway serve pathways             a library (a folder with library.yaml): the catalogue and every
                                     pathway; saving any file of the folder rebuilds

Saving the pathway file rebuilds the site and reloads the browser.  While the
file has problems, they are listed here and on every page in the browser
(FILE:LINE:COL, rule, what is wrong); the next save that fixes them rebuilds
the site and reloads the page.  A file that is broken when serve starts is
reported here and nothing is served.
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="preview the website with live reload", description=__doc__,
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", nargs="?", default=DEFAULT_FILE, metavar="FILE",
                   help=f"the pathway file, or a library folder holding library.yaml (default: {DEFAULT_FILE})")
    p.add_argument("-a", "--dev-addr", default=None, metavar="IP:PORT", type=_address,
                   help="address to serve on (default: 127.0.0.1:8000)")
    p.add_argument("-f", "--config-file", metavar="FILE", help="MkDocs config (default: the repository's mkdocs.yml)")
    p.set_defaults(func=run)


def _address(value: str) -> str:
    """IP:PORT with a port from 1 to 65535, checked before MkDocs tries to bind it."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not an address like 127.0.0.1:8000 (a port from 1 to 65535)")
    return value


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    config_file = find_config(args.config_file)
    # Check once up front so a broken file is reported plainly, not as a server error.
    library = is_library(args.file)
    checked = (check_library_for_build if library else check_for_build)(args.file)
    if checked is None:
        return 1
    plugins = plugin_override(config_file, args.file, checked, library=library)
    from generator.site.liveerrors import LiveState

    plugins[PLUGIN]["live"] = LiveState()  # one for all rebuilds: see generator/site/liveerrors.py
    try:
        with quiet_mkdocs(verbose=True):
            serve(config_file=str(config_file), dev_addr=args.dev_addr, plugins=plugins)
    except MkDocsException as exc:
        error(str(exc))
        return 1
    return 0
