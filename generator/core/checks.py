"""Checks over a loaded ``Pathway``: cross-references, flow and governance rules.

Each check is one small function registered in ``CHECKS`` with its rule id.
Rule ids are stable: they appear in messages (``[unknown-stage]``), in CI
annotations and in the documentation (``generator.core.rules`` describes every rule,
including those the YAML reader and loader report).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, Iterator, Sequence

from generator.core import decisions, graph, urls
from generator.core.lines import LineIndex
from generator.core.model import KINDS, LibraryIndex, Location, Pathway, Problem, Severity, split_target
from generator.core.echo import echo
from generator.core.rules import Rule
from generator.core.suggest import id_hint, valid_forms
from generator.core.textpolicy import markdown_meaning_problems
from generator.core.hints import Hint
from generator.core.wikilinks import iter_wikilinks


@dataclass(frozen=True)
class Context:
    """What a check may look at."""

    pathway: Pathway
    text: str = ""  # the source, to place [[links]] inside multi-line texts
    for_build: bool = False
    today: _dt.date = field(default_factory=_dt.date.today)
    #: The other pathways of the library this pathway belongs to (None: a pathway on its own).
    library: LibraryIndex | None = None

    @property
    def file(self) -> str:
        return self.pathway.source

    @cached_property
    def _lines(self) -> LineIndex:
        return LineIndex(self.text)  # computed once, on first use

    def offset(self, loc: Location) -> int | None:
        """The source offset of a 1-based line and column (None if the source has no such line)."""
        return self._lines.offset(loc.line, loc.col) if self.text else None

    def location(self, file: str, offset: int) -> Location:
        """The 1-based line and column of a source offset."""
        return Location(file, *self._lines.line_col(offset))


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


@dataclass(frozen=True, eq=False)
class _IdHint:
    """``id_hint`` worked out only if the problem is shown (``Problem.complete``)."""

    word: str
    forms: dict[str, str]
    what: str

    @property
    def cost(self) -> int:
        return len(self.forms)

    def __call__(self) -> str:
        return id_hint(self.word, (), self.what, forms=self.forms).text


_FORMS: dict[int, tuple[object, dict[str, str], bool]] = {}


def _forms(ids: dict) -> tuple[dict[str, str], bool]:
    """``valid_forms(ids)`` and whether any id is written invalidly, built once per id table
    (a check reports many references against one table)."""
    hit = _FORMS.get(id(ids))
    if hit is None or hit[0] is not ids:
        _FORMS.clear()  # one table at a time: memory stays bounded
        forms = valid_forms(ids)
        hit = _FORMS[id(ids)] = (ids, forms, any(k != v for k, v in forms.items()))
    return hit[1], hit[2]


def _unknown(rule: str, msg: str, word: str, ids, loc: Location, what: str = "stage") -> Problem:
    """A reference naming no id, with a suggestion of a valid id; a knock-on of a bad id is marked so.

    Whether it is a knock-on is known at once when the author's id is written invalidly (the valid
    forms are one table per check); the "did you mean" text waits until the problem is shown.
    """
    forms, some_invalid = _forms(ids)
    follows = some_invalid  # the author's ids need renaming first: their bad-slug errors come first
    return Problem(Severity.ERROR, rule, msg, loc, _IdHint(word, forms, what), follows=follows)


def check_unknown_stage(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    ids = p.stage_by_id
    if p.start and p.start not in ids:
        yield _unknown("unknown-stage", f"start '{echo(p.start)}' names no stage", p.start, ids, _loc(p, "start"))
    for s in p.stages:
        for t in s.next:
            if t.to in ids:
                continue
            where = f"next → '{echo(t.to)}'"
            if t.external:
                yield from _unknown_elsewhere(ctx, where, t.to, _loc(t, "to"))
            else:
                yield _unknown("unknown-stage", f"{where} names no stage", t.to, ids, _loc(t, "to"))
        for ref in s.alongside:
            if ref.id not in ids:
                yield _unknown("unknown-stage", f"alongside → '{echo(ref.id)}' names no stage", ref.id, ids, ref.loc)


def _unknown_elsewhere(ctx: Context, where: str, target: str, loc: Location) -> Iterator[Problem]:
    """A ``pathway-id:stage-id`` target that leads nowhere: no library, no such pathway, or no such stage."""
    split = split_target(target)
    assert split is not None
    pathway_id, stage_id = split
    lib = ctx.library
    if lib is None:
        yield _err(Rule.UNKNOWN_PATHWAY, f"{where} leads into another pathway ('{echo(pathway_id)}'), which only a "
                   "pathway in a library can do (a folder of pathway files with a library.yaml; docs/library.md)",
                   loc)
    elif pathway_id == ctx.pathway.id:
        yield _err("unknown-stage", f"{where} names this pathway itself; write just '{echo(stage_id)}'", loc)
    elif pathway_id not in lib.stages:
        yield _unknown(Rule.UNKNOWN_PATHWAY, f"{where}: '{echo(pathway_id)}' names no pathway of the library",
                       pathway_id, lib.stages, loc, "pathway")
    elif stage_id not in lib.stages[pathway_id]:
        yield _unknown("unknown-stage", f"{where}: pathway '{echo(pathway_id)}' has no stage '{echo(stage_id)}'",
                       stage_id, lib.stages[pathway_id], loc)


def check_unknown_group(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    for s in p.stages:
        if s.group is not None and s.group not in p.group_by_id:
            msg = f"stage '{echo(s.id)}': group '{echo(s.group)}' names no group"
            if not p.groups:
                yield _err("unknown-group", msg + " (the pathway has no 'groups:' list)", _loc(s, "group"))
            else:
                yield _unknown("unknown-group", msg, s.group, p.group_by_id, _loc(s, "group"), "group")


def check_unknown_reference(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    for s in p.stages:
        for ref in s.references:
            if ref.id not in p.reference_by_id:
                msg = f"stage '{echo(s.id)}': reference '{echo(ref.id)}' is not defined"
                if not p.references:
                    yield _err("unknown-reference", msg + " (the pathway has no 'references:' list)", ref.loc)
                else:
                    yield _unknown("unknown-reference", msg, ref.id, p.reference_by_id, ref.loc, "reference")


def _texts_with_links(p: Pathway) -> Iterator[tuple[str, Location]]:
    """Every Markdown text that may hold [[links]], with where its value starts."""
    if p.summary:
        yield p.summary, _loc(p, "summary")
    for s in p.stages:
        if s.summary:
            yield s.summary, _loc(s, "summary")
        if s.body:
            yield s.body, _loc(s, "body")
        for f in s.facts:  # fact values are Markdown too (generator.core.textpolicy)
            yield f.value, f.loc
    for g in p.glossary:
        if g.definition:
            yield g.definition, _loc(g, "definition")
    for h in p.history:
        if h.summary:
            yield h.summary, _loc(h, "summary")


def check_unknown_link(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    ids = list(p.stage_by_id)
    for text, start in _texts_with_links(p):
        finder: _LinkFinder | None = None
        for link in iter_wikilinks(text):
            if link.target in p.stage_by_id or _resolves(ctx, link.target):
                continue
            if finder is None:
                finder = _LinkFinder(ctx, text, start)
            loc = finder.locate(link.start)
            shown = echo(link.target) or "(empty)"
            if split_target(link.target):
                for problem in _unknown_elsewhere(ctx, f"link [[{shown}]]", link.target, loc):
                    yield dataclasses.replace(problem, rule="unknown-link" if problem.rule == "unknown-stage"
                                              else problem.rule)
            else:
                yield _unknown("unknown-link", f"link [[{shown}]] names no stage", link.target, ids, loc)


def _resolves(ctx: Context, target: str) -> bool:
    """A ``pathway-id:stage-id`` link to a stage of another pathway of the library."""
    split = split_target(target)
    lib = ctx.library
    return (split is not None and lib is not None and split[0] != ctx.pathway.id
            and split[1] in lib.stages.get(split[0], {}))


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
                    Rule.DUPLICATE_ID,
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
                Rule.DECISION_BRANCHES,
                f"decision '{s.id}' has {got}; a decision needs at least two (or make it another kind)",
                _loc(s, "next") if s.next else s.loc,
            )


def check_missing_when(ctx: Context) -> Iterator[Problem]:
    for s in graph.decisions(ctx.pathway):
        for t in s.next:
            if not (t.when or "").strip():
                yield _err(
                    Rule.MISSING_WHEN,
                    f"decision '{s.id}': the branch to '{t.to}' has no 'when' — say when to take it",
                    t.loc,
                )


def check_outcome_has_next(ctx: Context) -> Iterator[Problem]:
    for s in graph.outcomes(ctx.pathway):
        if s.next:
            yield _err(
                Rule.OUTCOME_HAS_NEXT,
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
            Rule.UNREACHABLE,
            f"stage '{s.id}' cannot be reached from the start ('{p.start}'); "
            f"link to it from another stage's 'next'{more}",
            s.loc,
        )


def check_dead_end(ctx: Context) -> Iterator[Problem]:
    for s in graph.dead_ends(ctx.pathway):
        if s.kind not in KINDS:  # an unknown kind is reported already; likely a misspelt 'outcome'
            continue
        yield _warn(
            Rule.DEAD_END,
            f"stage '{s.id}' ({s.kind}) has no 'next' and is not an outcome; say where the pathway goes next",
            s.loc,
        )


def check_no_exit_loop(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    for loop in graph.closed_loops(p):
        first = p.stage_by_id[loop[0]]
        names = " → ".join(f"'{i}'" for i in loop)
        yield _warn(
            Rule.NO_EXIT_LOOP,
            f"stages {names} form a loop with no way out and no outcome; add a branch that leaves it",
            first.loc,
        )


# -- governance ----------------------------------------------------------------------------------


def check_review_overdue(ctx: Context) -> Iterator[Problem]:
    g = ctx.pathway.governance
    if g.next_review is not None and g.next_review < ctx.today:
        yield _warn(
            Rule.REVIEW_OVERDUE,
            f"the review due on {g.next_review.isoformat()} is overdue (today is {ctx.today.isoformat()})",
            _loc(g, "next_review"),
        )


def check_expired(ctx: Context) -> Iterator[Problem]:
    g = ctx.pathway.governance
    if g.expires is not None and g.expires < ctx.today:
        msg = f"the pathway expired on {g.expires.isoformat()} (today is {ctx.today.isoformat()})"
        if ctx.for_build:
            yield _err(Rule.EXPIRED, msg + "; it must be reviewed before it can be published", _loc(g, "expires"))
        else:
            yield _warn(Rule.EXPIRED, msg, _loc(g, "expires"))


def check_unused_reference(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    cited = {ref.id for s in p.stages for ref in s.references} | {ref.id for i in p.inputs for ref in i.references}
    for r in p.references:
        if r.id not in cited:
            yield _warn(Rule.UNUSED_REFERENCE, f"reference '{r.id}' is not cited by any stage", _loc(r, "id"))


def check_version_in_history(ctx: Context) -> Iterator[Problem]:
    p = ctx.pathway
    if p.history and p.version and p.version not in {h.version for h in p.history}:
        yield _warn(
            Rule.VERSION_NOT_IN_HISTORY,
            f"version '{p.version}' has no entry in 'history'; add one saying what changed",
            _loc(p, "version"),
        )


#: The registered checks, by rule id.  Order does not matter: problems are sorted by position.
CHECKS: tuple[tuple[str, Check], ...] = (
    (Rule.UNKNOWN_STAGE, check_unknown_stage),  # also unknown-pathway
    (Rule.UNKNOWN_GROUP, check_unknown_group),
    (Rule.UNKNOWN_REFERENCE, check_unknown_reference),
    (Rule.UNKNOWN_LINK, check_unknown_link),
    (Rule.DUPLICATE_ID, check_duplicate_id),
    (Rule.DECISION_BRANCHES, check_decision_branches),
    (Rule.MISSING_WHEN, check_missing_when),
    (Rule.OUTCOME_HAS_NEXT, check_outcome_has_next),
    (Rule.UNREACHABLE, check_unreachable),
    (Rule.DEAD_END, check_dead_end),
    (Rule.NO_EXIT_LOOP, check_no_exit_loop),
    (Rule.REVIEW_OVERDUE, check_review_overdue),
    (Rule.EXPIRED, check_expired),
    (Rule.UNUSED_REFERENCE, check_unused_reference),
    (Rule.VERSION_NOT_IN_HISTORY, check_version_in_history),
    (Rule.BAD_URL, urls.check_url_fields),
    (Rule.UNSAFE_LINK, urls.check_unsafe_links),
    (Rule.THEME_CLASS, urls.check_theme_classes),
    (Rule.MARKDOWN_MEANING, lambda ctx: markdown_meaning_problems(ctx.pathway, ctx.text)),
    # One pass for every rule of computable decisions (data dictionary, conditions, proofs).
    (Rule.OVERLAPPING_BRANCHES, decisions.check_decisions),
)


def run_checks(ctx: Context, *, complete: bool = True) -> list[Problem]:
    """Run every registered check; return the problems (unsorted).

    With ``complete=False`` suggestions are left to work out (``Problem.complete``)
    for the problems that will be shown.
    """
    out: list[Problem] = []
    for _rule, check in CHECKS:
        out.extend(check(ctx))
    if any(p.rule == "unknown-stage" for p in out):
        # A 'next' that names no stage cuts off the stages after it: fix that first.
        out = [dataclasses.replace(p, follows=True) if p.rule == "unreachable" else p for p in out]
    return [p.complete() for p in out] if complete else out
