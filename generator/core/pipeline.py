"""One entry point for everything that reads a pathway: bytes → checked ``Pathway``.

    result = check_file("pathway.yaml", for_build=True)
    if result.has_errors():
        ...  # report result.problems, stop
    pathway = result.pathway

Stages: decode (UTF-8) → parse (positioned YAML tree) → load (model + format
checks) → checks (cross-references, flow, governance).  Problems from all
stages are returned together, sorted by position.
"""

from __future__ import annotations

import datetime as _dt
import gc
import hashlib
import heapq
import os
from dataclasses import dataclass
from pathlib import Path

from generator.core import limits
from generator.core.builddate import SourceDateEpochError as SourceDateEpochError  # re-exported
from generator.core.builddate import build_date
from generator.core.checks import Context, run_checks
from generator.core.loader import load
from generator.core.model import LibraryIndex, Location, Pathway, Problem, Severity
from generator.core.rules import Rule
from generator.core.yamlsource import decode, parse


@dataclass(frozen=True)
class CheckResult:
    """The outcome of reading and checking one file.

    ``pathway`` is None only when no model could be built (unreadable YAML, a
    top level that is not a mapping).  When there are errors it may be
    incomplete: never publish it unless ``has_errors()`` is False.
    """

    pathway: Pathway | None
    problems: tuple[Problem, ...]
    #: What was checked and how (``fingerprint``), so a later step can reuse this
    #: result instead of checking the same bytes again; "" when not reusable.
    fingerprint: str = ""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def has_errors(self, strict: bool = False) -> bool:
        """True if there are errors (or, with ``strict``, any problem at all)."""
        return bool(self.problems) if strict else bool(self.errors)


def today() -> _dt.date:
    """Today's date (UTC) from SOURCE_DATE_EPOCH if set, so builds are reproducible; else the real date (UTC).

    Raises ``SourceDateEpochError`` for a malformed SOURCE_DATE_EPOCH.
    """
    return build_date().when.date()


def check_text(
    text: str | bytes,
    filename: str = "pathway.yaml",
    *,
    for_build: bool = False,
    today: _dt.date | None = None,
) -> CheckResult:
    """Read and check a pathway given as text (or raw bytes, which must be UTF-8).

    ``filename`` is only used in locations.  Never raises for bad input.
    """
    # The YAML tree and the model are acyclic and freed by reference counting; Python's cyclic
    # collector, run again and again while they grow, was a third to a half of the time on
    # large files (benchmarks/README.md).  So it is paused while one file is read.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _check_text(text, filename, for_build=for_build, today=today)
    finally:
        if was_enabled:
            gc.enable()


def _check_text(text: str | bytes, filename: str, *, for_build: bool, today: _dt.date | None) -> CheckResult:
    loaded = load_text(text, filename, for_build=for_build, today=today)
    return check_loaded(loaded)


@dataclass(frozen=True)
class Loaded:
    """One file read and loaded, not yet checked (a library loads every file before checking any)."""

    filename: str
    text: str  # the decoded source ("" when it could not be decoded)
    pathway: Pathway | None
    problems: tuple[Problem, ...]
    fingerprint: str
    for_build: bool
    today: _dt.date


def load_text(text: str | bytes, filename: str, *, for_build: bool = False,
              today: _dt.date | None = None) -> Loaded:
    """Decode, parse and load one pathway file; never raises for bad input."""
    if isinstance(text, str):
        # One path for both: lone surrogates (possible in a str, never in a
        # file) then fail UTF-8 decoding with a located 'encoding' problem.
        text = text.encode("utf-8", "surrogatepass")
    today = today or _today_default()
    if len(text) > limits.MAX_FILE_BYTES:
        return Loaded(filename, "", None, _too_big(len(text), filename).problems, "", for_build, today)
    key = fingerprint(text, for_build=for_build, today=today)
    decoded, problems = decode(text, filename)
    if decoded is None:
        return Loaded(filename, "", None, tuple(problems), key, for_build, today)
    root, problems = parse(decoded, filename)
    pathway = None
    if root is not None:
        pathway, load_problems = load(root, filename, complete=False)
        problems += load_problems
    return Loaded(filename, decoded, pathway, tuple(problems), key, for_build, today)


def check_loaded(loaded: Loaded, *, pathway: Pathway | None = None, library: LibraryIndex | None = None,
                 ignore_file: str | None = None) -> CheckResult:
    """Run the checks on a loaded file: the result ``check_text`` gives.

    A library passes the pathway with the shared glossary and references added (``pathway``),
    the other pathways (``library``), and the shared file, whose own problems it reports once
    (``ignore_file``).
    """
    problems = list(loaded.problems)
    pathway = pathway or loaded.pathway
    if pathway is not None:
        ctx = Context(pathway, loaded.text, loaded.for_build, loaded.today, library)
        found = run_checks(ctx, complete=False)
        problems += [p for p in found if p.location.file != ignore_file] if ignore_file else found
    return CheckResult(pathway, _finish(problems), loaded.fingerprint)


def check_file(
    path: str | os.PathLike[str],
    *,
    for_build: bool = False,
    today: _dt.date | None = None,
) -> CheckResult:
    """Read and check a pathway file.

    Raises ``OSError`` (e.g. ``FileNotFoundError``) if the file cannot be read;
    every problem *in* the file is returned in the result.
    """
    path = Path(path)
    name = str(path)
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        return _too_big(size, name)
    with path.open("rb") as fh:
        data = fh.read(limits.MAX_FILE_BYTES + 1)
    return check_text(data, name, for_build=for_build, today=today)


def fingerprint(data: bytes, *, for_build: bool, today: _dt.date) -> str:
    """Identifies one check: the same bytes checked the same way on the same day give the same result."""
    return f"{hashlib.sha256(data).hexdigest()}:{'build' if for_build else 'check'}:{today.isoformat()}"


def _today_default() -> _dt.date:
    return today()


def _too_big(size: int, filename: str) -> CheckResult:
    msg = f"the file is {size:,} bytes; the limit is {limits.MAX_FILE_BYTES:,} bytes"
    return CheckResult(None, (Problem(Severity.ERROR, Rule.LIMIT_EXCEEDED, msg, Location(filename, 1, 1)),))


def _complete(problems: list[Problem]) -> list[Problem]:
    """Work out the hints of ``problems`` in order, within ``MAX_SUGGESTION_WORK``."""
    budget = limits.MAX_SUGGESTION_WORK
    out = []
    for p in problems:
        cost = getattr(p.hint, "cost", 0)
        out.append(p.complete(with_hint=cost <= budget))
        if cost <= budget:
            budget -= cost
    return sorted(out, key=Problem.sort_key)


def _finish(problems: list[Problem]) -> tuple[Problem, ...]:
    """Drop exact repeats, keep the first ``MAX_PROBLEMS`` by position, then work out their suggestions.

    Suggestions are computed for the shown problems only: past the cap a flood
    of problems costs a sort, not a "did you mean" search each.
    """
    unique = list(dict.fromkeys(problems))
    cap = limits.MAX_PROBLEMS
    shown = heapq.nsmallest(cap, unique, key=Problem.sort_key) if len(unique) > cap else unique
    out = _complete(sorted(shown, key=Problem.sort_key))
    if len(unique) > cap:
        rest = len(unique) - cap
        out.append(Problem(Severity.ERROR, Rule.LIMIT_EXCEEDED, f"{rest:,} more problems not shown; fix these first",
                           out[-1].location))
    return tuple(out)
