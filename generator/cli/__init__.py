"""The ``pathway`` command line: a thin adapter over the core.

Each sub-command lives in its own module under ``generator.cli`` and exposes
``register(subparsers)`` (adds its parser and sets ``func``) and is imported
lazily, so ``pathway validate`` does not pay for MkDocs or WeasyPrint imports.
Only this package prints or exits.

Exit codes: 0 success, 1 problems found / build failed (or an internal
error, reported in one line), 2 usage error (also a path the system refuses), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from generator import __version__
from generator.core.errors import PathwayError, UsageError  # UsageError is re-exported for the commands


# Order here is the order in --help.
COMMANDS: tuple[str, ...] = ("validate", "test", "rules", "schema", "generate", "build", "serve", "pdf", "diff", "review",
                             "export")

EPILOG = """\
examples:
  pathway validate                      check ./pathway.yaml, report every problem
  pathway validate --format github      as GitHub Actions annotations
  pathway build                         build the website into ./site
  pathway pdf -o handbook.pdf           build the printable handbook
  pathway diff origin/main pathway.yaml what changed, in clinical terms

Run 'pathway COMMAND --help' for the options of one command.
"""

__all__ = ["PathwayError", "UsageError", "check_pathway_file", "error", "main", "use_colour"]


def use_colour(stream=None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def error(msg: str) -> None:
    """Print a one-line error for the user on stderr."""
    from generator.core.reporters import safe

    prefix = "\033[31merror\033[0m" if use_colour(sys.stderr) else "error"
    print(f"pathway: {prefix}: {safe(msg)}", file=sys.stderr)


def check_pathway_file(path: str, **kwargs):
    """``pipeline.check_file`` for a command: a file that cannot be read is a usage error (exit 2)."""
    from generator.core import pipeline  # lazy: keeps --help fast
    from generator.core.files import check_input_file

    check_input_file(path)  # a folder, FIFO or device: a usage error now, not a hang in open()
    try:
        return pipeline.check_file(path, **kwargs)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _os_error_message(exc: OSError) -> str:
    """An OSError in the user's words: which path, and what the system said."""
    import errno

    from generator.core.echo import echo

    name = echo(str(exc.filename), 80) if exc.filename is not None else "a file"
    if exc.errno == errno.ENAMETOOLONG:
        return f"the path {name} is too long for the file system (at most 255 characters per file or folder name); choose a shorter name"
    return f"cannot use {name}: {exc.strerror or exc}"


def _broken_pipe() -> int:
    # e.g. `pathway schema | head`: not an error for the user.
    try:
        sys.stdout = open(os.devnull, "w")
    except OSError:
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pathway",
        description="Validate a clinical care pathway (pathway.yaml) and publish it as a website and a PDF handbook.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pathway {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"generator.cli.{name}")
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name != f"generator.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except PathwayError as exc:  # the one place a user-facing error becomes a message and an exit code
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _broken_pipe()
    except OSError as exc:  # the file system refused a path the user gave: their input, not our bug
        error(_os_error_message(exc))
        return 2
    except Exception as exc:  # a bug in the tool, never the user's fault: no traceback for them
        if os.environ.get("PATHWAY_DEBUG"):
            raise
        error(
            f"internal error in 'pathway {args.command}' ({type(exc).__name__}: {exc}); "
            "please report this with the file that caused it (PATHWAY_DEBUG=1 shows the traceback)"
        )
        return 1
