"""What the site and the PDF both say about a pathway, decided once.

The website (``generator.site.pages``) and the PDF handbook
(``generator.pdf.handbook``) differ only in how they write: Markdown pages
with ``.md`` links, or one HTML document with ``#anchor`` links.  Everything
they must agree on lives here:

* dates (``format_date``), the review-overdue rule and how a build date is
  labelled (``build_date_label``);
* status and kind labels;
* the reading order of the stages (``stages_by_group``: the site's nav and
  the handbook's chapters);
* the stage links a page shows (comes from, what next, alongside) with their
  labels, and which stages cite each reference;
* which diagrams a pathway gets (``plan_diagrams``) and their text
  alternatives (``*_alt``: the words a figure's alt text gives; the same
  links the pages list under Comes from / What next);
* each computable decision's table (``decision_table``) and the data
  dictionary (``data_dictionary``);
* the text policy (``generator.core.textpolicy``): plain fields are escaped
  by the writers, inline Markdown goes through ``inline_markdown`` and block
  Markdown through ``block_markdown``, so both show the same text.

Pure functions on the model; no Jinja, no MkDocs, no WeasyPrint.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Protocol, Sequence

from generator.core.builddate import BuildDate
from generator.core.model import Input, LibraryIndex, Location, Pathway, Stage, split_target
from generator.render import palette
from generator.render.markup import author_markdown, other_stage

if TYPE_CHECKING:
    from generator.core.library import CrossLink

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
STATUS_LABELS = {"draft": "Draft", "active": "Active", "retired": "Retired"}


def format_date(d: _dt.date | None) -> str:
    """'1 November 2026': unambiguous for UK and US readers, no locale involved; '' for no date."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else ""


# What a printed build date is.  SOURCE_DATE_EPOCH is the date of the source
# (CI sets it to the commit date), so it is never called the build date.
BUILT_LABEL = "Built"
SOURCE_DATED_LABEL = "Source dated"


def build_date_label(bd: BuildDate) -> str:
    """'Built 2 December 2026' (the real build day, UTC) or 'Source dated 21 September 2026' (SOURCE_DATE_EPOCH)."""
    return f"{SOURCE_DATED_LABEL if bd.from_source else BUILT_LABEL} {format_date(bd.when.date())}"


def review_overdue(pathway: Pathway, today: _dt.date | None) -> bool:
    """True when the next review date has passed (never without a ``today``)."""
    nr = pathway.governance.next_review
    return bool(nr and today and today > nr)


def status_label(status: str) -> str:
    """'Draft', 'Active', 'Retired'; any other value (reported by the checks) as written."""
    return STATUS_LABELS.get(status, status)


def kind_label(kind: str) -> str:
    """The legend's name for a kind ('Decision'); an unknown kind capitalised."""
    style = palette.style_for(kind)
    return style.label if style.kind == kind else kind.capitalize()


def stages_by_group(pathway: Pathway) -> list[tuple[str | None, str, list[str]]]:
    """(group id, group title, stage ids) in group order; ungrouped stages last.

    This is the reading order of both the site's navigation and the handbook.
    """
    out: list[tuple[str | None, str, list[str]]] = []
    seen: set[str] = set()
    for g in pathway.groups:
        ids = [s.id for s in pathway.stages if s.group == g.id and s.id not in seen]
        seen.update(ids)
        if ids:
            out.append((g.id, g.title, ids))
    rest = [s.id for s in pathway.stages if s.id not in seen]
    # Keep first occurrences only (duplicates are reported by the checks).
    rest = list(dict.fromkeys(rest))
    if rest:
        out.append((None, "Stages" if not out else "Other stages", rest))
    return out


def group_ids(pathway: Pathway) -> list[str]:
    """The ids of the groups that hold at least one stage, in order."""
    return [gid for gid, _t, _ids in stages_by_group(pathway) if gid is not None]


def reading_order(pathway: Pathway) -> list[str]:
    """Every stage id once, in the order of ``stages_by_group``."""
    return [sid for _g, _t, ids in stages_by_group(pathway) for sid in ids]


# --------------------------------------------------------------------------- text

# What would start a block (heading, quotation, list, admonition, details,
# abbreviation definition) at the start of an inline text.  A table cell never
# starts a block, but the PDF renders the same text outside a table, so the
# first character is escaped for both: '\-' shows as '-' in either.
_BLOCK_START = re.compile(r"^(?:([#>+*!-])|(\d+)([.)]))")


def inline_markdown(text: str | None, pathway: Pathway, href: Callable[[str], str], *,
                    location: Location | None = None, library: LibraryIndex | None = None) -> str:
    """An inline-Markdown field (a stage summary, a fact value...) as safe one-line Markdown.

    Emphasis, links and ``[[stage-id]]`` work; line breaks are spaces; a
    ``#``, ``>``, ``-``, ``1.`` (...) at the start shows as written.
    """
    safe = author_markdown(text, pathway, href, location=location, one_line=True, library=library)
    if safe.startswith("???"):
        return "&#63;" + safe[1:]
    return _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else f"{m.group(2)}\\{m.group(3)}", safe, count=1)


def block_markdown(text: str | None, pathway: Pathway, href: Callable[[str], str], *,
                   location: Location | None = None, library: LibraryIndex | None = None) -> str:
    """A block-Markdown field (the pathway summary, a stage body) as safe Markdown."""
    return author_markdown(text, pathway, href, location=location, library=library)


# --------------------------------------------------------------------------- links


@dataclass(frozen=True)
class StageLink:
    """A link to a stage as a page shows it: the target, its label, and the condition (if any).

    ``stage_id`` is a stage of this pathway, or ``pathway-id:stage-id`` for a stage of another
    pathway of the library (``external``).  ``when`` is the author's condition exactly as written
    (plain text: the writer escapes it, never renders it as Markdown).
    """

    stage_id: str
    label: str
    when: str | None = None

    @property
    def external(self) -> tuple[str, str] | None:
        """``(pathway id, stage id)`` when the link leads into another pathway."""
        return split_target(self.stage_id)


def link_label(pathway: Pathway, stage_id: str, library: LibraryIndex | None = None) -> str:
    """A link's text: the stage's title, 'Stage (Pathway)' for another pathway's, or the id when it names no stage."""
    stage = pathway.stage_by_id.get(stage_id)
    if stage is not None:
        return stage.title
    other = other_stage(stage_id, library, pathway)
    return other.label if other else stage_id


def stage_link(pathway: Pathway, stage_id: str, when: str | None = None,
               library: LibraryIndex | None = None) -> StageLink:
    other = other_stage(stage_id, library, pathway)
    return StageLink(other.target if other else stage_id, link_label(pathway, stage_id, library), when or None)


def is_shown(pathway: Pathway, target: str, library: LibraryIndex | None) -> bool:
    """True for a target a page can link to: a stage of the pathway, or of another pathway of the library."""
    return target in pathway.stage_by_id or other_stage(target, library, pathway) is not None


def comes_from(pathway: Pathway, stage: Stage) -> list[StageLink]:
    return [stage_link(pathway, src.id, t.when) for src, t in pathway.incoming.get(stage.id, ())]


def what_next(pathway: Pathway, stage: Stage, library: LibraryIndex | None = None) -> list[StageLink]:
    return [stage_link(pathway, t.to, t.when, library) for t in stage.next]


def alongside(pathway: Pathway, stage: Stage) -> list[StageLink]:
    return [stage_link(pathway, sid) for sid in pathway.alongside_of.get(stage.id, ()) if sid in pathway.stage_by_id]


class LibraryLinks(Protocol):
    """What the writers need of a library: ``core.library.LibraryResult`` is one, and so is the slim
    ``pdf.handbook.HandbookLibrary`` a handbook worker process is sent."""

    @property
    def index(self) -> LibraryIndex: ...

    @property
    def incoming(self) -> Mapping[tuple[str, str], Sequence[CrossLink]]: ...


def from_other_pathways(library: LibraryLinks | None, pathway: Pathway, stage: Stage) -> list[StageLink]:
    """The stages of other pathways that lead into ``stage`` (a branch, with its condition) or link to it in
    their text, in catalogue order; [] without a library."""
    if library is None:
        return []
    out = []
    for c in library.incoming.get((pathway.id, stage.id), ()):
        other = other_stage(f"{c.pathway}:{c.stage}", library.index, pathway)
        if other is not None:
            out.append(StageLink(other.target, other.label, (c.when or None) if c.via == "next" else None))
    return out


def cited_by(pathway: Pathway) -> dict[str, list[str]]:
    """Reference id -> the ids of the stages citing it, once each, in reading order."""
    out: dict[str, list[str]] = {}
    for sid in reading_order(pathway):
        for ref in pathway.stage_by_id[sid].references:
            lst = out.setdefault(ref.id, [])
            if sid not in lst:
                lst.append(sid)
    return out


# --------------------------------------------------------------------------- diagrams

# A pathway with more stages than this, in two groups or more, may be shown
# as a map of its groups when its overview would be too small to read; the
# writer decides (the PDF by the printed scale, see generator.pdf.handbook).
# 0: any grouped pathway.  With text never printed under 7 pt even the
# 20-stage seed is taller than a page, and a map plus one chart per group
# costs a few small layouts in the same Graphviz run.
MAP_CANDIDATE_STAGES = 0


@dataclass(frozen=True)
class DiagramPlan:
    """The flowcharts a pathway gets.

    ``overview``: the whole pathway on one chart.  ``group_map``: a map of the
    groups plus one chart per group (``groups``).  Both may be set when the
    writer chooses between them after layout (``map_is_alternative``).
    ``stages``: one neighbourhood chart per stage, in reading order.
    """

    overview: bool
    group_map: bool
    map_is_alternative: bool
    groups: tuple[str, ...]
    stages: tuple[str, ...]


def plan_diagrams(pathway: Pathway, *, may_prefer_map: bool = False) -> DiagramPlan:
    """Which flowcharts to lay out for ``pathway``.

    Too large for one chart (``diagrams.overview_is_too_large``): the group map
    and the group charts, never the overview.  Otherwise the overview; and
    when ``may_prefer_map`` (a medium that can tell after layout that the
    overview prints too small) and the pathway has more than
    ``MAP_CANDIDATE_STAGES`` stages in two groups or more, the map as an
    alternative laid out in the same Graphviz run.
    """
    from generator.render.diagrams import overview_is_too_large

    groups = tuple(group_ids(pathway))
    stages = tuple(reading_order(pathway))
    if overview_is_too_large(pathway):
        return DiagramPlan(False, True, False, groups, stages)
    alt = may_prefer_map and len(groups) >= 2 and len(stages) > MAP_CANDIDATE_STAGES
    return DiagramPlan(True, alt, alt, groups if alt else (), stages)


# --------------------------------------------------------------------------- text alternatives


def _branches(pathway: Pathway, stage: Stage, library: LibraryIndex | None = None) -> str:
    parts = [f"if {_flat(ln.when)} → {_flat(_continues(ln))}" if ln.when else f"→ {_flat(_continues(ln))}"
             for ln in what_next(pathway, stage, library) if is_shown(pathway, ln.stage_id, library)]
    return "; ".join(parts) if parts else "end of the pathway"


def _continues(ln: StageLink) -> str:
    """A branch's target in words; one into another pathway says so."""
    return f"continues in another pathway at {ln.label}" if ln.external else ln.label


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


def _end(text: str) -> str:
    """``text`` as a sentence: a full stop unless it already ends with one ('… injection?')."""
    return text if text.endswith((".", "?", "!")) else text + "."


def overview_alt(pathway: Pathway, ids: list[str] | None = None, *, name: str | None = None,
                 library: LibraryIndex | None = None) -> str:
    """The overview flowchart in words: where it starts, then each stage with its kind and branches.

    ``ids`` limits it to some stages (a group's chart); ``name`` replaces the
    opening 'Flowchart of <title>'.
    """
    lines = [_end(name or "Flowchart of " + _flat(pathway.title))]
    if ids is None and pathway.start in pathway.stage_by_id:
        lines.append(_end(f"Starts at {_flat(link_label(pathway, pathway.start))}"))
    for sid in ids if ids is not None else reading_order(pathway):
        stage = pathway.stage_by_id[sid]
        rest = _branches(pathway, stage, library)
        along = [ln.label for ln in alongside(pathway, stage)]
        if along:
            rest += "; alongside " + ", ".join(along)
        lines.append(_end(f"{_flat(stage.title)} ({kind_label(stage.kind)}): {rest}"))
    return " ".join(lines)


def neighbourhood_alt(pathway: Pathway, stage: Stage, library: LibraryIndex | None = None) -> str:
    """A stage's own chart in words: what leads here, what follows (with conditions), what runs alongside."""
    title = _flat(stage.title)
    came = [f"{_flat(ln.label)} (when {_flat(ln.when)})" if ln.when else _flat(ln.label)
            for ln in comes_from(pathway, stage)]
    text = [f"Where {title} sits in the pathway."]
    if came:
        text.append(_end("Comes from: " + "; ".join(came)))
    elif stage.id == pathway.start:
        text.append("This is where the pathway starts.")
    text.append(_end(f"What next: {_branches(pathway, stage, library)}"))
    along = [_flat(ln.label) for ln in alongside(pathway, stage)]
    if along:
        text.append(_end("Runs alongside: " + ", ".join(along)))
    return " ".join(text)


def groups_map_alt(pathway: Pathway) -> str:
    """The map of the phases in words: each phase, its number of stages and the phases it leads to."""
    lines = [f"Map of the phases of {_flat(pathway.title)}."]
    for gid, title, ids in stages_by_group(pathway):
        if gid is None:
            continue
        leads = []
        for sid in ids:
            for t in pathway.stage_by_id[sid].next:
                target = pathway.stage_by_id.get(t.to)
                if target is not None and target.group != gid and target.group in pathway.group_by_id:
                    name = _flat(pathway.group_by_id[target.group].title)
                    if name not in leads:
                        leads.append(name)
        rest = f"leads to {', '.join(leads)}" if leads else "leads to no other phase"
        lines.append(_end(f"{_flat(title)} ({len(ids)} stages): {rest}"))
    return " ".join(lines)


# --------------------------------------------------------------------------- decision tables
#
# A computable decision shown in the WHO DAK style: one row per branch, one column per input the
# decision uses, a cell saying what the branch needs of that input ("≥ 50 %", "yes", "no-relief or
# too-early", "—" when it does not depend on it), and the stage the branch leads to.  The site shows
# it on the decision's page (it is also the no-JavaScript fallback of the walkthrough, so its id and
# the rows' targets are stable) and the PDF on the decision's page.

#: The cell of an input a branch does not depend on.
ANY = "—"

_OPS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def decision_table_id(stage_id: str) -> str:
    """The stable HTML id of a decision's table: ``decision-table-<stage-id>``."""
    return f"decision-table-{stage_id}"


@dataclass(frozen=True)
class DecisionColumn:
    """One input a decision depends on: its id, its label and its unit (or None)."""

    input_id: str
    label: str
    unit: str | None = None


@dataclass(frozen=True)
class DecisionRow:
    """One branch of a decision table.

    ``cells``: per column, what the branch needs of that input (``ANY`` when it does not depend
    on it); None when the condition does not split into one test per input (an ``or`` across two
    inputs, the ``otherwise`` row, a branch with no condition): then ``condition`` says it in words
    across the columns.  ``when``: the author's label, plain text.
    """

    number: int
    when: str | None
    cells: tuple[str, ...] | None
    condition: str
    target_id: str
    target_label: str
    otherwise: bool = False


@dataclass(frozen=True)
class DecisionTable:
    stage_id: str
    table_id: str
    order: str  # exclusive | first-match
    order_note: str
    columns: tuple[DecisionColumn, ...]
    rows: tuple[DecisionRow, ...]


ORDER_NOTES = {
    "exclusive": "The rows do not overlap: exactly one applies to any patient (checked when the pathway is built).",
    "first-match": "Read the rows in order, top to bottom: the first row that applies is the one taken.",
}


def is_computable(stage: Stage) -> bool:
    """True when at least one of the stage's branches has a computable condition (``if:``)."""
    return any(t.condition is not None and t.condition.expr is not None for t in stage.next)


def _value_text(lit, inp: Input | None) -> str:
    from generator.core.expressions import TypeProblem, format_value, literal_value

    got = literal_value(lit, inp) if inp is not None else None
    if got is None or isinstance(got, TypeProblem):
        return lit.text  # an unknown input or a type problem, reported by the checks
    if isinstance(got, bool):
        return "yes" if got else "no"
    return format_value(got, inp)  # type: ignore[arg-type]


def _either(words: list[str], joiner: str = "or") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {joiner} " + words[-1]


def atom_text(atom, inp: Input | None) -> str:
    """What one comparison needs of its input, in words: '≥ 50 %', 'yes', 'no-relief or too-early'."""
    from generator.core.expressions import Compare, Member, Range, Var

    if isinstance(atom, Var):
        return "yes"
    if isinstance(atom, Member):
        values = [_value_text(v, inp) for v in atom.values]
        if not values:
            return "any value" if atom.negated else "no value"
        if atom.negated:
            return "not " + values[0] if len(values) == 1 else "none of " + _either(values, "and")
        return _either(values)
    if isinstance(atom, Compare):
        value = _value_text(atom.value, inp)
        if atom.op == "==":
            return f"= {value}" if inp is not None and inp.type in ("number", "integer", "duration") else value
        if atom.op == "!=":
            if inp is not None and inp.type == "boolean":
                return "no" if value == "yes" else "yes"
            return "not " + value
        return f"{_OPS[atom.op]} {value}"
    assert isinstance(atom, Range)
    low, high = _value_text(atom.low, inp), _value_text(atom.high, inp)
    return f"{'≥' if atom.low_inclusive else '>'} {low} and {'≤' if atom.high_inclusive else '<'} {high}"


def _negated_text(atom, inp: Input | None) -> str:
    from generator.core.expressions import Var

    if isinstance(atom, Var):
        return "no"
    return f"not ({atom_text(atom, inp)})"


def _per_input(expr, pathway: Pathway) -> dict[str, list[str]] | None:
    """The condition as one list of tests per input (a conjunction), or None when it does not split."""
    from generator.core.expressions import And, Compare, Member, Not, Range, Var

    if isinstance(expr, (Compare, Range, Member, Var)):
        return {expr.input.name: [atom_text(expr, pathway.input_by_id.get(expr.input.name))]}
    if isinstance(expr, Not) and isinstance(expr.operand, (Compare, Range, Member, Var)):
        a = expr.operand
        return {a.input.name: [_negated_text(a, pathway.input_by_id.get(a.input.name))]}
    if isinstance(expr, And):
        out: dict[str, list[str]] = {}
        for e in expr.operands:
            part = _per_input(e, pathway)
            if part is None:
                return None
            for k, v in part.items():
                out.setdefault(k, []).extend(v)
        return out
    # An 'or' within one input still fits one cell.
    names = {a.input.name for a in _atoms(expr)}
    if len(names) == 1:
        name = names.pop()
        return {name: [condition_text(expr, pathway, named=False)]}
    return None


def _atoms(expr):
    from generator.core.expressions import atoms

    return list(atoms(expr))


def condition_text(expr, pathway: Pathway, *, named: bool = True, top: bool = True) -> str:
    """A whole condition in words, each test named by its input's label ('Imaging shows another cause: yes')."""
    from generator.core.expressions import And, Compare, Member, Not, Or, Otherwise, Range, Var

    if isinstance(expr, Otherwise):
        return "otherwise"
    if isinstance(expr, (And, Or)):
        word = " and " if isinstance(expr, And) else " or "
        text = word.join(condition_text(e, pathway, named=named, top=False) for e in expr.operands)
        return text if top else f"({text})"
    if isinstance(expr, Not):
        inner = expr.operand
        if isinstance(inner, (Compare, Range, Member, Var)):
            inp = pathway.input_by_id.get(inner.input.name)
            text = _negated_text(inner, inp)
            return f"{_input_label(pathway, inner.input.name)}: {text}" if named else text
        return "not " + condition_text(inner, pathway, named=named, top=False)
    inp = pathway.input_by_id.get(expr.input.name)
    text = atom_text(expr, inp)
    return f"{_input_label(pathway, expr.input.name)}: {text}" if named else text


def _input_label(pathway: Pathway, input_id: str) -> str:
    inp = pathway.input_by_id.get(input_id)
    return inp.label if inp else input_id


def decision_table(pathway: Pathway, stage: Stage, library: LibraryIndex | None = None) -> DecisionTable | None:
    """The decision table of a computable decision, or None for a stage with no computable branch."""
    from generator.core.expressions import Otherwise

    if not is_computable(stage):
        return None
    order = stage.order or "exclusive"
    used: dict[str, None] = {}
    for t in stage.next:
        if t.condition is not None and t.condition.expr is not None:
            for a in _atoms(t.condition.expr):
                used.setdefault(a.input.name, None)
    columns = tuple(DecisionColumn(i, _input_label(pathway, i),
                                   pathway.input_by_id[i].unit if i in pathway.input_by_id else None) for i in used)
    rows = []
    for n, t in enumerate(stage.next, start=1):
        expr = t.condition.expr if t.condition is not None else None
        cells: tuple[str, ...] | None = None
        otherwise = isinstance(expr, Otherwise)
        if expr is None:
            condition = "no computable condition: clinical judgement"
        elif otherwise:
            condition = ("otherwise: when no row above applies" if order == "first-match"
                         else "otherwise: when no other row applies")
        else:
            condition = condition_text(expr, pathway)
            split = _per_input(expr, pathway)
            if split is not None:
                cells = tuple(" and ".join(split[c.input_id]) if c.input_id in split else ANY for c in columns)
        link = stage_link(pathway, t.to, library=library)
        rows.append(DecisionRow(n, t.when or None, cells, condition, link.stage_id, link.label, otherwise))
    return DecisionTable(stage.id, decision_table_id(stage.id), order, ORDER_NOTES.get(order, ORDER_NOTES["exclusive"]),
                         columns, tuple(rows))


# --------------------------------------------------------------------------- data dictionary

TYPE_LABELS = {"number": "Number", "integer": "Whole number", "boolean": "Yes or no", "choice": "Choice",
               "duration": "Duration"}


@dataclass(frozen=True)
class DictionaryEntry:
    """One input of the data dictionary as a page shows it (plain text; the writers escape it)."""

    id: str
    label: str
    type_label: str
    unit: str | None
    allowed: str
    description: str | None
    references: tuple[tuple[str, str], ...]  # (reference id, title) of known references
    used_by: tuple[StageLink, ...]


def _allowed(inp: Input) -> str:
    from generator.core.expressions import format_value

    if inp.type == "boolean":
        return "yes or no"
    if inp.type == "choice":
        return "one of: " + ", ".join(inp.choices) if inp.choices else "—"
    if inp.range is None:
        return "any value"
    low, high = (format_value(v, inp) for v in inp.range)
    return f"{low} to {high}"


def decisions_using(pathway: Pathway) -> dict[str, list[str]]:
    """Input id -> the ids of the decisions whose conditions use it, in reading order, once each."""
    out: dict[str, list[str]] = {}
    for sid in reading_order(pathway):
        for t in pathway.stage_by_id[sid].next:
            if t.condition is not None and t.condition.expr is not None:
                for a in _atoms(t.condition.expr):
                    lst = out.setdefault(a.input.name, [])
                    if sid not in lst:
                        lst.append(sid)
    return out


def data_dictionary(pathway: Pathway) -> list[DictionaryEntry]:
    """Every input of the data dictionary, in file order, with the decisions that use it."""
    using = decisions_using(pathway)
    out = []
    for inp in pathway.input_by_id.values():
        refs = tuple((r.id, pathway.reference_by_id[r.id].title) for r in inp.references
                     if r.id in pathway.reference_by_id)
        out.append(DictionaryEntry(inp.id, inp.label, TYPE_LABELS.get(inp.type, inp.type), inp.unit, _allowed(inp),
                                   inp.description or None, refs,
                                   tuple(stage_link(pathway, sid) for sid in using.get(inp.id, ()))))
    return out
