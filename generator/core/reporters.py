"""Turn problems into text for people (terminal), GitHub Actions and machines (JSON).

Pure functions returning strings; the CLI decides where they go and whether
the terminal gets colour.
"""

from __future__ import annotations

import json
import re
from typing import Sequence

from generator.core.hygiene import printable
from generator.core.model import Problem, Severity

_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m"}
_BOLD = "\033[1m"
_DIM = "\033[2m"
_RESET = "\033[0m"


def safe(text: str) -> str:
    """``text`` with control, line-break and bidi characters written as visible escapes.

    Every line the CLI prints goes through this, so no value in a pathway (or a file name)
    can start a new line that forges a CI workflow command (``::error::``, ``::add-mask::``)
    or send a terminal escape.
    """
    return printable(text)


#: Longest message printed whole.  Checks shorten the values they quote (core/echo.py); this is
#: the net for any that does not, so no value can turn into a 100,000-character line.
MAX_MESSAGE = 1_000


def _bounded(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    keep = MAX_MESSAGE // 2
    return f"{message[:keep]} … [{len(message) - 2 * keep:,} characters left out] … {message[-keep:]}"


def format_problem(p: Problem, *, colour: bool = False) -> str:
    """``FILE:LINE:COL: severity: message [rule]``, control characters escaped, long messages shortened."""
    loc, msg, rule = safe(_bounded(str(p.location))), safe(_bounded(p.message)), safe(p.rule)
    if not colour:
        return f"{loc}: {p.severity.value}: {msg} [{rule}]"
    sev = f"{_COLOURS[p.severity]}{p.severity.value}{_RESET}"
    return f"{_BOLD}{loc}{_RESET}: {sev}: {msg} {_DIM}[{rule}]{_RESET}"


def format_text(problems: Sequence[Problem], *, colour: bool = False) -> str:
    """One line per problem (no summary); ends with a newline unless empty."""
    return "".join(format_problem(p, colour=colour) + "\n" for p in problems)


def summary_line(problems: Sequence[Problem]) -> str:
    """'2 errors, 1 warning' / 'no problems'."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "no problems"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def _escape_data(s: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData);
    # safe() first, so no line break or escape is left for a reader to act on.
    return safe(s).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    # escapeProperty: also ':' and ',' which separate properties.
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


#: GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job) and drops the
#: rest without a word (actions/toolkit docs/problem-matchers.md, "Limitations").
ANNOTATIONS_PER_KIND = 10

#: GitHub's cap on one step's summary is 1 MiB; the table stops a little short of it.
SUMMARY_BUDGET = 1_000_000


def format_github(problems: Sequence[Problem], *, per_kind: int = ANNOTATIONS_PER_KIND) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=rule::message``.

    At most ``per_kind`` errors and ``per_kind`` warnings, the first in file order: GitHub would drop
    the others silently.  Then one ``::notice`` counts what was left out and points to the step
    summary (``format_github_summary``), which lists everything.
    """
    lines = []
    shown = {Severity.ERROR: 0, Severity.WARNING: 0}
    left_out = {Severity.ERROR: 0, Severity.WARNING: 0}
    for p in problems:
        if shown[p.severity] >= per_kind:
            left_out[p.severity] += 1
            continue
        shown[p.severity] += 1
        loc = p.location
        props = ",".join(
            f"{k}={_escape_property(str(v))}"
            for k, v in (("file", loc.file), ("line", loc.line), ("col", loc.col), ("title", p.rule))
        )
        lines.append(f"::{p.severity.value} {props}::{_escape_data(_bounded(p.message))}\n")
    hidden = sum(left_out.values())
    if hidden:
        parts = [f"{n} {sev.value}{'s' if n != 1 else ''}" for sev, n in left_out.items() if n]
        lines.append(
            f"::notice title=more problems::{' and '.join(parts)} more are not shown as annotations "
            f"(GitHub shows {per_kind} of each kind per step); the step summary lists all {len(problems)} problems, "
            f"and 'pathway validate' prints them\n"
        )
    return "".join(lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>&:])")


def _markdown_text(s: str) -> str:
    # A pathway's values reach the summary: every Markdown or HTML character is escaped, so none can
    # make a link, an image (a tracking pixel) or a table cell of its own.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", safe(_bounded(s)))


def format_github_summary(problems: Sequence[Problem], *, title: str = "pathway validate",
                          budget: int = SUMMARY_BUDGET) -> str:
    """Every problem as a Markdown table for ``$GITHUB_STEP_SUMMARY`` (annotations show only 10 of each kind)."""
    out = [f"### {_markdown_text(title)}: {summary_line(problems)}\n"]
    if not problems:
        return out[0]
    out.append("\n| | Where | Problem | Rule |\n| --- | --- | --- | --- |\n")
    size = sum(len(x.encode("utf-8")) for x in out)
    for i, p in enumerate(problems):
        mark = "❌" if p.severity is Severity.ERROR else "⚠️"
        row = (f"| {mark} {p.severity.value} | {_markdown_text(str(p.location))} | {_markdown_text(p.message)} "
               f"| {_markdown_text(p.rule)} |\n")
        tail = f"\n… and {len(problems) - i:,} more: run 'pathway validate' to see them all.\n"
        if size + len(row.encode("utf-8")) + len(tail.encode("utf-8")) > budget:
            out.append(tail)
            break
        out.append(row)
        size += len(row.encode("utf-8"))
    return "".join(out)


def to_dicts(problems: Sequence[Problem]) -> list[dict[str, object]]:
    """Problems as plain dicts with a stable key order."""
    return [
        {
            "severity": p.severity.value,
            "rule": p.rule,
            "message": p.message,
            "file": p.location.file,
            "line": p.location.line,
            "col": p.location.col,
        }
        for p in problems
    ]


def format_json(problems: Sequence[Problem]) -> str:
    """A JSON list of problems (UTF-8 text, two-space indent, trailing newline)."""
    return json.dumps(to_dicts(problems), indent=2, ensure_ascii=False) + "\n"
