"""The ``pathway`` command line: a thin adapter over the core.

Each sub-command lives in its own module under ``generator.cli`` and exposes
``register(subparsers)`` (adds its parser and sets ``func``) and is imported
lazily, so ``pathway validate`` does not pay for MkDocs or WeasyPrint imports.
Only this package prints or exits.

Exit codes: 0 success, 1 problems found / build failed (or an internal
error, reported in one line), 2 usage error, 130 interrupted.
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
COMMANDS: tuple[str, ...] = ("validate", "rules", "schema", "generate", "build", "serve", "pdf", "diff", "review")

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
    prefix = "\033[31merror\033[0m" if use_colour(sys.stderr) else "error"
    print(f"pathway: {prefix}: {msg}", file=sys.stderr)


def check_pathway_file(path: str, **kwargs):
    """``pipeline.check_file`` for a command: a file that cannot be read is a usage error (exit 2)."""
    from generator.core import pipeline  # lazy: keeps --help fast
    from generator.core.files import check_input_file

    check_input_file(path)  # a folder, FIFO or device: a usage error now, not a hang in open()
    try:
        return pipeline.check_file(path, **kwargs)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


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
        # Before `except Exception`, which would catch it too: `pathway schema | head -1` is not an error.
        # Point stdout at /dev/null so the flush at exit does not fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except Exception as exc:  # a bug in the tool, never the user's fault: no traceback for them
        if os.environ.get("PATHWAY_DEBUG"):
            raise
        error(
            f"internal error in 'pathway {args.command}' ({type(exc).__name__}: {exc}); "
            "please report this with the file that caused it (PATHWAY_DEBUG=1 shows the traceback)"
        )
        return 1
