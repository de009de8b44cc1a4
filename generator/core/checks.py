"""Checks over a loaded ``Pathway``: cross-references, flow and governance rules.

Each check is one small function registered in ``CHECKS`` with its rule id.
Rule ids are stable: they appear in messages (``[unknown-stage]``), in CI
annotations and in the documentation (``RULES`` describes every rule,
including those the YAML reader and loader report).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Iterator, Sequence

from generator.core import graph
from generator.core.model import KINDS, Location, Pathway, Problem, Severity
from generator.core.hints import Hint
from generator.core.wikilinks import iter_wikilinks

#: Every rule id with a one-line description, for ``--help``-style docs.
RULES: dict[str, str] = {
    # reading the file
    "encoding": "The file is not UTF-8 text.",
    "empty-file": "The file holds no YAML document.",
    "yaml-syntax": "The file is not valid YAML.",
    "yaml-alias": "YAML anchors (&name) and aliases (*name) are not allowed.",
    "yaml-tag": "YAML tags (!!python/…, !!str, …) are not allowed.",
    "duplicate-key": "The same key appears twice in one mapping.",
    "limit-exceeded": "The file is beyond a size limit (see generator/limits.py).",
    # the format
    "unknown-key": "A key the format does not have (often a typo).",
    "missing-field": "A required field is missing or empty.",
    "wrong-type": "A value of the wrong shape (text, list, mapping).",
    "bad-slug": "An id that is not lower-case-letters-digits-and-hyphens.",
    "unknown-kind": "A stage kind that does not exist.",
    "unknown-status": "A pathway status other than draft, active, retired.",
    "bad-date": "A date that is not YYYY-MM-DD or not a real calendar date.",
    "bad-format": "A 'format' other than 1.",
    # cross-references
    "unknown-stage": "start, next or alongside names no stage.",
    "unknown-group": "A stage's group names no group.",
    "unknown-reference": "A stage cites a reference id that is not defined.",
    "unknown-link": "A [[link]] in a text names no stage.",
    "duplicate-id": "Two stages, groups, references or glossary terms share an id.",
    # flow
    "decision-branches": "A decision with fewer than two branches.",
    "missing-when": "A branch of a decision without a 'when' condition.",
    "outcome-has-next": "An outcome stage with branches (outcomes end the pathway).",
    "unreachable": "A stage that cannot be reached from the start (warning).",
    "dead-end": "A stage that is not an outcome and has no way forward (warning).",
    "no-exit-loop": "A loop with no way out and no outcome in it (warning).",
    # governance
    "review-overdue": "governance.next_review is in the past (warning).",
    "expired": "governance.expires is in the past (error when building, else warning).",
    "unused-reference": "A reference no stage cites (warning).",
    "version-not-in-history": "The pathway's version is missing from its history (warning).",
}


@dataclass(frozen=True)
class Context:
    """What a check may look at."""

    pathway: Pathway
    text: str = ""  # the source, to place [[links]] inside multi-line texts
    for_build: bool = False
    today: _dt.date = field(default_factory=_dt.date.today)

    @property
    def file(self) -> str:
        return self.pathway.source

    @cached_property
    def _line_starts(self) -> list[int]:
        """Offset of the start of every line of the source (computed once, on first use)."""
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def offset(self, loc: Location) -> int | None:
        """The source offset of a 1-based line and column (None if the source has no such line)."""
        if not self.text or loc.line < 1 or loc.line > len(self._line_starts):
            return None
        return self._line_starts[loc.line - 1] + loc.col - 1

    def location(self, file: str, offset: int) -> Location:
        """The 1-based line and column of a source offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return Location(file, line, offset - self._line_starts[line - 1] + 1)


Check = Callable[[Context], Iterable[Problem]]


def _err(rule: str, msg: str, loc: Location, hint: Callable[[], str] | None = None) -> Problem:
    return Problem(Severity.ERROR, rule, msg, loc, hint)


def _hint(word: str, candidates: Sequence[str]) -> Hint:
    """``did_you_mean(word, candidates)``, worked out only if the problem is shown."""
    return Hint(word, candidates)


def _warn(rule: str, msg: str, loc: Location) -> Problem:
    return Problem(Severity.WARNING, rule, msg, loc)


def _loc(obj, name: str) -> Location:
    """Where field ``name`` of a model object was written (the object itself if unknown)."""
    return obj.field_locs.get(name, obj.loc)


# -- cross-references ------------------------------------------------------------------------


def check_unknown_stage(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    ids = list(p.stage_by_id)
    if p.start and p.start not in p.stage_by_id:
        yield _err("unknown-stage", f"start '{p.start}' names no stage", _loc(p, "start"), _hint(p.start, ids))
    for s in p.stages:
        for t in s.next:
            if t.to not in p.stage_by_id:
                yield _err("unknown-stage", f"next → '{t.to}' names no stage", _loc(t, "to"), _hint(t.to, ids))
        for ref in s.alongside:
            if ref.id not in p.stage_by_id:
                yield _err("unknown-stage", f"alongside → '{ref.id}' names no stage", ref.loc, _hint(ref.id, ids))


def check_unknown_group(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    groups = list(p.group_by_id)
    for s in p.stages:
        if s.group is not None and s.group not in p.group_by_id:
            msg = f"stage '{s.id}': group '{s.group}' names no group"
            if not p.groups:
                yield _err("unknown-group", msg + " (the pathway has no 'groups:' list)", _loc(s, "group"))
            else:
                yield _err("unknown-group", msg, _loc(s, "group"), _hint(s.group, groups))


def check_unknown_reference(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    refs = list(p.reference_by_id)
    for s in p.stages:
        for ref in s.references:
            if ref.id not in p.reference_by_id:
                msg = f"stage '{s.id}': reference '{ref.id}' is not defined"
                if not p.references:
                    yield _err("unknown-reference", msg + " (the pathway has no 'references:' list)", ref.loc)
                else:
                    yield _err("unknown-reference", msg, ref.loc, _hint(ref.id, refs))


def _texts_with_links(p: Pathway) -> Iterator[tuple[str, Location]]:
    """Every Markdown text that may hold [[links]], with where its value starts."""
    if p.summary:
        yield p.summary, _loc(p, "summary")
    for s in p.stages:
        if s.summary:
            yield s.summary, _loc(s, "summary")
        if s.body:
            yield s.body, _loc(s, "body")
    for g in p.glossary:
        if g.definition:
            yield g.definition, _loc(g, "definition")


def check_unknown_link(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    ids = list(p.stage_by_id)
    for text, start in _texts_with_links(p):
        finder: _LinkFinder | None = None
        for link in iter_wikilinks(text):
            if link.target in p.stage_by_id:
                continue
            if finder is None:
                finder = _LinkFinder(ctx, text, start)
            shown = link.target or "(empty)"
            yield _err(
                "unknown-link",
                f"link [[{shown}]] names no stage",
                finder.locate(link.start),
                _hint(link.target, ids),
            )


class _LinkFinder:
    """Where the [[links]] of one text value are in the source, for links asked in text order.

    The value starts at ``start``; block scalars (``|``, ``>``) and quoted text
    keep every '[[' as written, only moved by indentation and line folding, so
    the n-th '[[' of the value is the n-th '[[' in the source from the value's
    start, in any scalar style.  Both scans only move forward, so locating every
    link of a text costs one pass over it.  Falls back to the value's start when
    the source is not available.
    """

    def __init__(self, ctx: Context, text: str, start: Location):
        self.ctx, self.text, self.start = ctx, text, start
        self.offset = ctx.offset(start)
        self.in_text = 0  # text[:in_text] is counted ...
        self.count = 0  # ... and holds this many '[['
        self.nth = -1  # the source position of the nth '[[' found so far
        self.pos = -2 if self.offset is None else self.offset - 2

    def locate(self, text_pos: int) -> Location:
        self.count += self.text.count("[[", self.in_text, text_pos)
        self.in_text = text_pos
        if self.offset is None:
            return self.start
        while self.nth < self.count:
            self.pos = self.ctx.text.find("[[", self.pos + 2)
            if self.pos < 0:
                self.offset = None
                return self.start
            self.nth += 1
        return self.ctx.location(self.start.file, self.pos)


def check_duplicate_id(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    lists = (
        ("stage", [(s.id, _loc(s, "id")) for s in p.stages]),
        ("group", [(g.id, _loc(g, "id")) for g in p.groups]),
        ("reference", [(r.id, _loc(r, "id")) for r in p.references]),
        # Terms differ only by case are still the same term to a reader.
        ("glossary term", [(g.term.strip().lower(), _loc(g, "term")) for g in p.glossary]),
    )
    for what, items in lists:
        first: dict[str, Location] = {}
        for key, loc in items:
            if key in first:
                yield _err(
                    "duplicate-id",
                    f"{what} '{key}' is defined twice (first on line {first[key].line}); ids must be unique",
                    loc,
                )
            else:
                first[key] = loc


# -- flow ---------------------------------------------------------------------------------------


def check_decision_branches(ctx: Context) -> Iterator[Problem]:
    for s in graph.decisions(ctx.pathway):
        if len(s.next) < 2:
            got = "no branches" if not s.next else "only one branch"
            yield _err(
                "decision-branches",
                f"decision '{s.id}' has {got}; a decision needs at least two (or make it another kind)",
                _loc(s, "next") if s.next else s.loc,
            )


def check_missing_when(ctx: Context) -> Iterator[Problem]:
    for s in graph.decisions(ctx.pathway):
        for t in s.next:
            if not (t.when or "").strip():
                yield _err(
                    "missing-when",
                    f"decision '{s.id}': the branch to '{t.to}' has no 'when' — say when to take it",
                    t.loc,
                )


def check_outcome_has_next(ctx: Context) -> Iterator[Problem]:
    for s in graph.outcomes(ctx.pathway):
        if s.next:
            yield _err(
                "outcome-has-next",
                f"outcome '{s.id}' has 'next' branches; an outcome ends the pathway — remove them or change its kind",
                _loc(s, "next"),
            )


def check_unreachable(ctx: Context) -> Iterator[Problem]:
    """One warning per stage where an unreachable part of the pathway begins.

    A single misspelt 'next' cuts off everything after it; listing every cut-off
    stage buried the one line that needs fixing, so the stages reachable only
    through an unreachable stage are named in its warning instead.
    """
    p = ctx.pathway
    for s, behind_stages in graph.cut_off_parts(p):
        behind = [x.id for x in behind_stages]
        more = ""
        if behind:
            names = ", ".join(f"'{i}'" for i in behind[:5]) + (", …" if len(behind) > 5 else "")
            more = f"; {len(behind)} more stage{'s' if len(behind) > 1 else ''} can only be reached through it ({names})"
        yield _warn(
            "unreachable",
            f"stage '{s.id}' cannot be reached from the start ('{p.start}'); "
            f"link to it from another stage's 'next'{more}",
            s.loc,
        )


def check_dead_end(ctx: Context) -> Iterator[Problem]:
    for s in graph.dead_ends(ctx.pathway):
        if s.kind not in KINDS:  # an unknown kind is reported already; likely a misspelt 'outcome'
            continue
        yield _warn(
            "dead-end",
            f"stage '{s.id}' ({s.kind}) has no 'next' and is not an outcome; say where the pathway goes next",
            s.loc,
        )


def check_no_exit_loop(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    for loop in graph.closed_loops(p):
        first = p.stage_by_id[loop[0]]
        names = " → ".join(f"'{i}'" for i in loop)
        yield _warn(
            "no-exit-loop",
            f"stages {names} form a loop with no way out and no outcome; add a branch that leaves it",
            first.loc,
        )


# -- governance ----------------------------------------------------------------------------------


def check_review_overdue(ctx: Context) -> Iterator[Problem]:
    g = ctx.pathway.governance
    if g.next_review is not None and g.next_review < ctx.today:
        yield _warn(
            "review-overdue",
            f"the review due on {g.next_review.isoformat()} is overdue (today is {ctx.today.isoformat()})",
            _loc(g, "next_review"),
        )


def check_expired(ctx: Context) -> Iterator[Problem]:
    g = ctx.pathway.governance
    if g.expires is not None and g.expires < ctx.today:
        msg = f"the pathway expired on {g.expires.isoformat()} (today is {ctx.today.isoformat()})"
        if ctx.for_build:
            yield _err("expired", msg + "; it must be reviewed before it can be published", _loc(g, "expires"))
        else:
            yield _warn("expired", msg, _loc(g, "expires"))


def check_unused_reference(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    cited = {ref.id for s in p.stages for ref in s.references}
    for r in p.references:
        if r.id not in cited:
            yield _warn("unused-reference", f"reference '{r.id}' is not cited by any stage", _loc(r, "id"))


def check_version_in_history(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    if p.history and p.version and p.version not in {h.version for h in p.history}:
        yield _warn(
            "version-not-in-history",
            f"version '{p.version}' has no entry in 'history'; add one saying what changed",
            _loc(p, "version"),
        )


#: The registered checks, by rule id.  Order does not matter: problems are sorted by position.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("unknown-stage", check_unknown_stage),
    ("unknown-group", check_unknown_group),
    ("unknown-reference", check_unknown_reference),
    ("unknown-link", check_unknown_link),
    ("duplicate-id", check_duplicate_id),
    ("decision-branches", check_decision_branches),
    ("missing-when", check_missing_when),
    ("outcome-has-next", check_outcome_has_next),
    ("unreachable", check_unreachable),
    ("dead-end", check_dead_end),
    ("no-exit-loop", check_no_exit_loop),
    ("review-overdue", check_review_overdue),
    ("expired", check_expired),
    ("unused-reference", check_unused_reference),
    ("version-not-in-history", check_version_in_history),
)


def run_checks(ctx: Context, *, complete: bool = True) -> list[Problem]:
    """Run every registered check; return the problems (unsorted).

    With ``complete=False`` suggestions are left to work out (``Problem.complete``)
    for the problems that will be shown.
    """
    out: list[Problem] = []
    for _rule, check in CHECKS:
        out.extend(check(ctx))
    return [p.complete() for p in out] if complete else out
