"""The one base error of the tool: a message for the user and the exit code it means.

Every error the user can cause or fix (a wrong argument, a folder that cannot
be written, Graphviz missing...) is a ``PathwayError``; ``generator.cli.main``
catches it once, prints the message and exits with its code.  Anything else
that escapes a command is a bug in the tool and is reported as one.
"""

from __future__ import annotations

EXIT_FAILED = 1  # problems found, or the build or write failed
EXIT_USAGE = 2  # the command line or a path given on it is wrong


class PathwayError(Exception):
    """A failure with a plain-words ``message`` for the user and the process ``exit_code`` it means."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(PathwayError):
    """The command was given something it cannot use: a missing file, a FIFO, a bad option value."""

    exit_code = EXIT_USAGE
