"""Semantic diff of two pathway models: what changed, in clinical terms.

Pure: two ``Pathway`` objects in, a ``PathwayDiff`` out.  No I/O, no
formatting beyond the one plain-text sentence each ``Change`` carries; the
reporters (``generator.review.reports``) and the picture (``generator.review.visualdiff``)
decide how to show it.

Stages, groups and reference entries are matched by id, glossary entries by
term, so a renamed title is a *change* and a renamed id is a removal plus an
addition (that is what it means to every link pointing at it).
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from generator.core import graph
from generator.core.model import Pathway, Stage, Transition
from generator.core.wikilinks import iter_wikilinks

# A value longer than this is not repeated inside the one-line message;
# reporters show it in full (or as a word diff) next to it.
_INLINE_MAX = 80


class Impact(str, enum.Enum):
    """How much a change matters, most serious first."""

    SUBSTANTIVE = "substantive"  # can change what happens to a patient
    EDITORIAL = "editorial"  # wording only
    METADATA = "metadata"  # governance, history, version, status


IMPACT_ORDER: tuple[Impact, ...] = (Impact.SUBSTANTIVE, Impact.EDITORIAL, Impact.METADATA)

VERDICTS: dict[str, str] = {
    "substantive": "Substantive change: this changes what happens to patients",
    "editorial": "Editorial only: wording changes, the care itself is unchanged",
    "metadata": "Metadata only: governance, history or version details changed",
    "none": "No clinical changes",
}


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new pathway."""

    area: str  # stage, transition, fact, text, pathway, governance, history, group, reference, glossary, graph
    kind: str  # e.g. "stage-added", "fact-changed", "when-changed"
    subject: str  # what it is about: stage id, "stage-id/fact label", reference id, glossary term, field name
    impact: Impact
    summary: str  # short clinical phrase, e.g. 'fact "Target SpO2" changed'
    old: str | None = None
    new: str | None = None
    stage: str | None = None  # id of the stage it concerns, if any
    stage_title: str | None = None
    text: bool = False  # old/new are prose: show a word diff rather than both in full
    consequence: bool = False  # derived from other changes (graph consequences, dangling links)

    @property
    def values_inline(self) -> bool:
        """Whether ``message`` already shows the old and new values (short, not prose)."""
        return not self.text and all(v is None or len(v) <= _INLINE_MAX for v in (self.old, self.new))

    @property
    def message(self) -> str:
        """The whole change as one plain-text sentence."""
        where = f"{self.stage_title} ({self.stage}): " if self.stage else ""
        out = where + self.summary
        if self.values_inline:
            if self.old is not None and self.new is not None:
                out += f": {self.old} → {self.new}"
            elif self.new is not None:
                out += f": {self.new}"
            elif self.old is not None:
                out += f" (was: {self.old})"
        return out


@dataclass(frozen=True)
class PathwayDiff:
    """Everything that differs between two pathways, plus the version verdict."""

    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    version_bumped: bool
    history_added: bool
    warnings: tuple[str, ...] = field(default=())

    @property
    def impact(self) -> str:
        """Overall class: 'substantive', 'editorial', 'metadata' or 'none'."""
        present = {c.impact for c in self.changes}
        for imp in IMPACT_ORDER:
            if imp in present:
                return imp.value
        return "none"

    @property
    def verdict(self) -> str:
        return VERDICTS[self.impact]

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    def by_impact(self, impact: Impact) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.impact is impact and not c.consequence)

    @property
    def consequences(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.consequence)

    def missing_for_release(self) -> tuple[str, ...]:
        """What a substantive change still needs before release; empty when nothing is missing."""
        if self.impact != "substantive":
            return ()
        missing = []
        if not self.version_bumped:
            missing.append(f"a higher version than {self.old_version} (it is {self.new_version})")
        if not self.history_added:
            missing.append("a new history entry describing the change")
        return tuple(missing)


# --------------------------------------------------------------------------
# Versions


def version_key(version: str) -> tuple:
    """Sort key for versions written like '1.10', '2.0.1' or '1.2-rc1'.

    Numbers compare numerically ('1.10' > '1.9'), missing parts count as zero
    ('2' == '2.0'), and a suffix after the numbers marks a pre-release
    ('1.2-rc1' < '1.2').
    """
    m = re.match(r"\s*[vV]?(\d+(?:\.\d+)*)(.*)$", version or "")
    if not m:
        return ((), 0, _natural(version or ""))
    nums = [int(p) for p in m.group(1).split(".")]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    suffix = m.group(2).strip(" -+._")
    # A release (no suffix) sorts after its pre-releases.
    return (tuple(nums), 0 if suffix else 1, _natural(suffix))


def _natural(text: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.findall(r"\d+|[^\d]+", text))


def version_is_higher(old: str, new: str) -> bool:
    return version_key(new) > version_key(old)


# --------------------------------------------------------------------------
# Word diff for prose fields


def word_diff(old: str, new: str, context: int = 4) -> tuple[tuple[str, str], ...]:
    """Compact word-level diff: ('=', words), ('-', words), ('+', words) and ('…', '') for elided text.

    Unchanged runs keep ``context`` words on each side of a change, so a long
    paragraph with one edited number shows as a few words around it.
    """
    a, b = (old or "").split(), (new or "").split()
    ops: list[tuple[str, list[str]]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            ops.append(("-", a[i1:i2]))
        if tag in ("insert", "replace"):
            ops.append(("+", b[j1:j2]))
    out: list[tuple[str, str]] = []
    for n, (op, words) in enumerate(ops):
        if op != "=":
            out.append((op, " ".join(words)))
            continue
        first, last = n == 0, n == len(ops) - 1
        keep_head = 0 if first else context  # words after the previous change
        keep_tail = 0 if last else context  # words before the next change
        if len(words) <= keep_head + keep_tail + 1:
            out.append(("=", " ".join(words)))
            continue
        if keep_head:
            out.append(("=", " ".join(words[:keep_head])))
        out.append(("…", ""))
        if keep_tail:
            out.append(("=", " ".join(words[-keep_tail:])))
    return tuple(out)


# --------------------------------------------------------------------------
# The diff


def _q(text: str | None) -> str:
    return f"“{text}”" if text else "(none)"


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


def _text(value: object) -> str | None:
    """Model value as display text (dates as ISO dates, lists comma-separated)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return _join(str(v) for v in value) or None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _branches(n: int) -> str:
    return f"{n} branch" if n == 1 else f"{n} branches"


def _when(t: Transition) -> str:
    return t.when if t.when else "always"


class _Collector:
    """Accumulates changes with the stage titles looked up once."""

    def __init__(self, old: Pathway, new: Pathway) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def title(self, stage_id: str) -> str:
        s = self.new.stage_by_id.get(stage_id) or self.old.stage_by_id.get(stage_id)
        return s.title if s else stage_id

    def step(self, stage_id: str) -> str:
        """A stage named for a sentence: its title and id."""
        return f"{_q(self.title(stage_id))} ({stage_id})"

    def add(self, area: str, kind: str, subject: str, impact: Impact, summary: str, old=None, new=None,
            stage: str | None = None, text: bool = False, consequence: bool = False) -> None:
        self.changes.append(
            Change(
                area=area,
                kind=kind,
                subject=subject,
                impact=impact,
                summary=summary,
                old=_text(old),
                new=_text(new),
                stage=stage,
                stage_title=self.title(stage) if stage else None,
                text=text,
                consequence=consequence,
            )
        )


def diff_pathways(old: Pathway, new: Pathway) -> PathwayDiff:
    """Compare two pathway models and describe every difference."""
    c = _Collector(old, new)
    _pathway_fields(c)
    _stages(c)
    _groups(c)
    _references(c)
    _glossary(c)
    _governance(c)
    _history(c)
    _graph_consequences(c)
    if old != new and not c.changes:
        # Safety net: never claim "no changes" for models that differ.
        c.add("pathway", "other-changed", "pathway", Impact.EDITORIAL, "other details of the pathway changed")
    bumped = version_is_higher(old.version, new.version)
    history_added = bool(_added_history(old, new))
    warnings: list[str] = []
    content = any(ch.impact in (Impact.SUBSTANTIVE, Impact.EDITORIAL) for ch in c.changes)
    if content and not bumped:
        if version_key(new.version) < version_key(old.version):
            warnings.append(f"The version went down ({old.version} → {new.version}) although the content changed.")
        else:
            warnings.append(f"The content changed but the version was not raised (still {new.version}).")
    return PathwayDiff(
        old_version=old.version,
        new_version=new.version,
        changes=tuple(c.changes),
        version_bumped=bumped,
        history_added=history_added,
        warnings=tuple(warnings),
    )


def _pathway_fields(c: _Collector) -> None:
    o, n = c.old, c.new
    if o.start != n.start:
        c.add("pathway", "start-changed", "start", Impact.SUBSTANTIVE, "the pathway now starts at a different step",
              old=f"{c.title(o.start)} ({o.start})", new=f"{c.title(n.start)} ({n.start})")
    if o.title != n.title:
        c.add("pathway", "title-changed", "title", Impact.EDITORIAL, "pathway title changed", o.title, n.title)
    if o.summary != n.summary:
        c.add("text", "summary-reworded", "summary", Impact.EDITORIAL, "pathway summary reworded",
              o.summary, n.summary, text=True)
    if o.audience != n.audience:
        c.add("pathway", "audience-changed", "audience", Impact.EDITORIAL, "intended audience changed",
              o.audience, n.audience, text=True)
    if o.version != n.version:
        c.add("pathway", "version-changed", "version", Impact.METADATA, "version changed", o.version, n.version)
    if o.status != n.status:
        c.add("pathway", "status-changed", "status", Impact.METADATA, "status changed", o.status, n.status)
    if o.id != n.id:
        c.add("pathway", "id-changed", "id", Impact.METADATA, "pathway id changed", o.id, n.id)
    if o.format != n.format:
        c.add("pathway", "format-changed", "format", Impact.METADATA, "file format version changed", o.format, n.format)


def _stages(c: _Collector) -> None:
    old_by, new_by = c.old.stage_by_id, c.new.stage_by_id
    for s in c.new.stages:
        if s.id not in old_by and c.new.stage_by_id[s.id] is s:
            c.add("stage", "stage-added", s.id, Impact.SUBSTANTIVE, f"new step added ({s.kind})", stage=s.id)
    for s in c.old.stages:
        if s.id not in new_by and old_by[s.id] is s:
            c.add("stage", "stage-removed", s.id, Impact.SUBSTANTIVE, f"step removed (was {s.kind})", stage=s.id)
    for s in c.new.stages:
        o = old_by.get(s.id)
        if o is not None and new_by[s.id] is s and o != s:
            _stage(c, o, s)
    common_old = [s.id for s in c.old.stages if s.id in new_by]
    common_new = [s.id for s in c.new.stages if s.id in old_by]
    if common_old != common_new:
        c.add("stage", "stages-reordered", "stages", Impact.EDITORIAL, "order of the steps in the handbook changed")


def _stage(c: _Collector, o: Stage, n: Stage) -> None:
    sid = n.id
    if o.title != n.title:
        c.add("stage", "stage-renamed", sid, Impact.EDITORIAL, "step renamed", o.title, n.title, stage=sid)
    if o.kind != n.kind:
        c.add("stage", "stage-rekinded", sid, Impact.SUBSTANTIVE, "type of step changed", o.kind, n.kind, stage=sid)
    if o.group != n.group:
        og = c.old.group_by_id.get(o.group or "")
        ng = c.new.group_by_id.get(n.group or "")
        c.add("stage", "stage-regrouped", sid, Impact.EDITORIAL, "step moved to another phase",
              (og.title if og else o.group), (ng.title if ng else n.group), stage=sid)
    if o.summary != n.summary:
        c.add("text", "stage-summary-reworded", sid, Impact.EDITORIAL, "summary reworded",
              o.summary, n.summary, stage=sid, text=True)
    if o.body != n.body:
        c.add("text", "stage-body-reworded", sid, Impact.EDITORIAL, "description reworded",
              o.body, n.body, stage=sid, text=True)
    _facts(c, o, n)
    _transitions(c, o, n)
    _id_list(c, sid, "alongside", [r.id for r in o.alongside], [r.id for r in n.alongside], Impact.SUBSTANTIVE,
             added="now runs alongside {x}", removed="no longer runs alongside {x}", names_stages=True)
    _id_list(c, sid, "stage-reference", [r.id for r in o.references], [r.id for r in n.references], Impact.EDITORIAL,
             added="now cites {x}", removed="no longer cites {x}", names_stages=False)


def _first_by(items: Iterable, key) -> dict:
    """Map key -> first item with that key (duplicates are reported by the checks)."""
    out: dict = {}
    for it in items:
        out.setdefault(key(it), it)
    return out


def _facts(c: _Collector, o: Stage, n: Stage) -> None:
    sid = n.id
    old_f = _first_by(o.facts, lambda f: f.label)
    new_f = _first_by(n.facts, lambda f: f.label)
    for label, f in new_f.items():
        before = old_f.get(label)
        if before is None:
            c.add("fact", "fact-added", f"{sid}/{label}", Impact.SUBSTANTIVE, f"fact added: {label}",
                  None, f.value, stage=sid)
        elif before.value != f.value:
            c.add("fact", "fact-changed", f"{sid}/{label}", Impact.SUBSTANTIVE, f"{label} changed",
                  before.value, f.value, stage=sid)
    for label, f in old_f.items():
        if label not in new_f:
            c.add("fact", "fact-removed", f"{sid}/{label}", Impact.SUBSTANTIVE, f"fact removed: {label}",
                  f.value, None, stage=sid)
    common_old = [x for x in old_f if x in new_f]
    common_new = [x for x in new_f if x in old_f]
    if common_old != common_new:
        c.add("fact", "facts-reordered", f"{sid}/facts", Impact.EDITORIAL, "facts shown in a different order", stage=sid)


Branch = tuple[str, str | None]  # (to, when)


@dataclass(frozen=True)
class BranchMatch:
    """How one stage's transitions in the old and new file correspond."""

    same: tuple[Branch, ...]
    pairs: tuple[tuple[Branch, Branch], ...]  # (old, new): retargeted (same when) or condition changed (same to)
    added: tuple[Branch, ...]
    removed: tuple[Branch, ...]


def match_branches(old: Sequence[Transition], new: Sequence[Transition]) -> BranchMatch:
    """Match transitions: identical first, then same condition (retargeted), then same target (condition changed)."""
    rest_old = [(t.to, t.when) for t in old]
    same: list[Branch] = []
    rest_new: list[Branch] = []
    for t in ((t.to, t.when) for t in new):
        if t in rest_old:
            rest_old.remove(t)
            same.append(t)
        else:
            rest_new.append(t)
    pairs: list[tuple[Branch, Branch]] = []
    for key in (1, 0):  # 1: same `when`, different `to`; 0: same `to`, different `when`
        for t in list(rest_new):
            match = next((u for u in rest_old if u[key] == t[key]), None)
            if match is not None:
                rest_old.remove(match)
                rest_new.remove(t)
                pairs.append((match, t))
    return BranchMatch(tuple(same), tuple(pairs), tuple(rest_new), tuple(rest_old))


def _transitions(c: _Collector, o: Stage, n: Stage) -> None:
    sid = n.id
    m = match_branches(o.next, n.next)
    for (oto, owhen), (nto, nwhen) in m.pairs:
        if owhen == nwhen:
            cond = f" when {_q(nwhen)}" if nwhen else ""
            c.add("transition", "transition-retargeted", f"{sid}->{nto}", Impact.SUBSTANTIVE,
                  f"next step{cond} changed", f"{c.title(oto)} ({oto})", f"{c.title(nto)} ({nto})", stage=sid)
        else:
            c.add("transition", "when-changed", f"{sid}->{nto}", Impact.SUBSTANTIVE,
                  f"condition for going on to {c.step(nto)} changed",
                  owhen or "always", nwhen or "always", stage=sid)
    for to, when in m.added:
        cond = f" when {_q(when)}" if when else ""
        c.add("transition", "transition-added", f"{sid}->{to}", Impact.SUBSTANTIVE,
              f"now leads on to {c.step(to)}{cond}", stage=sid)
    for to, when in m.removed:
        cond = f" when {_q(when)}" if when else ""
        c.add("transition", "transition-removed", f"{sid}->{to}", Impact.SUBSTANTIVE,
              f"no longer leads on to {c.step(to)}{cond}", stage=sid)
    if not (m.pairs or m.added or m.removed) and [(t.to, t.when) for t in o.next] != [(t.to, t.when) for t in n.next]:
        c.add("transition", "transitions-reordered", f"{sid}/next", Impact.EDITORIAL,
              "next steps listed in a different order", stage=sid)


def sign(change: Change) -> str:
    """'+' for something added, '-' for something removed, '~' for a change, '!' for a consequence."""
    if change.consequence:
        return "!"
    if change.kind.endswith("-added"):
        return "+"
    if change.kind.endswith("-removed"):
        return "-"
    return "~"


def _id_list(c: _Collector, sid: str, what: str, old: Sequence[str], new: Sequence[str], impact: Impact,
             added: str, removed: str, names_stages: bool) -> None:
    def name(x: str) -> str:
        if names_stages:
            return c.step(x)
        ref = c.new.reference_by_id.get(x) or c.old.reference_by_id.get(x)
        return f"{_q(ref.title)} ({x})" if ref else x

    for x in new:
        if x not in old:
            c.add("stage", f"{what}-added", f"{sid}/{x}", impact, added.format(x=name(x)), stage=sid)
    for x in old:
        if x not in new:
            c.add("stage", f"{what}-removed", f"{sid}/{x}", impact, removed.format(x=name(x)), stage=sid)


def _groups(c: _Collector) -> None:
    ob, nb = c.old.group_by_id, c.new.group_by_id
    for g in c.new.groups:
        if g.id not in ob:
            c.add("group", "group-added", g.id, Impact.EDITORIAL, f"new phase {_q(g.title)} ({g.id})")
        elif ob[g.id].title != g.title:
            c.add("group", "group-renamed", g.id, Impact.EDITORIAL, f"phase {g.id} renamed", ob[g.id].title, g.title)
    for g in c.old.groups:
        if g.id not in nb:
            c.add("group", "group-removed", g.id, Impact.EDITORIAL, f"phase {_q(g.title)} ({g.id}) removed")
    if [g.id for g in c.old.groups if g.id in nb] != [g.id for g in c.new.groups if g.id in ob]:
        c.add("group", "groups-reordered", "groups", Impact.EDITORIAL, "phases listed in a different order")


def _references(c: _Collector) -> None:
    ob, nb = c.old.reference_by_id, c.new.reference_by_id
    for r in c.new.references:
        o = ob.get(r.id)
        if o is None:
            c.add("reference", "reference-added", r.id, Impact.EDITORIAL, f"new reference {_q(r.title)} ({r.id})",
                  None, r.url)
            continue
        if o.title != r.title:
            c.add("reference", "reference-retitled", r.id, Impact.EDITORIAL, f"reference {r.id} retitled",
                  o.title, r.title)
        if o.url != r.url:
            c.add("reference", "reference-url-changed", r.id, Impact.EDITORIAL,
                  f"link of reference {_q(r.title)} ({r.id}) changed", o.url, r.url)
    for r in c.old.references:
        if r.id not in nb:
            c.add("reference", "reference-removed", r.id, Impact.EDITORIAL,
                  f"reference {_q(r.title)} ({r.id}) removed", r.url, None)


def _glossary(c: _Collector) -> None:
    ob = _first_by(c.old.glossary, lambda g: g.term)
    nb = _first_by(c.new.glossary, lambda g: g.term)
    for term, g in nb.items():
        o = ob.get(term)
        if o is None:
            c.add("glossary", "glossary-added", term, Impact.EDITORIAL, f"glossary term {_q(term)} added",
                  None, g.definition, text=True)
            continue
        if o.definition != g.definition:
            c.add("glossary", "glossary-redefined", term, Impact.EDITORIAL,
                  f"definition of {_q(term)} reworded", o.definition, g.definition, text=True)
        if o.abbr != g.abbr:
            c.add("glossary", "glossary-abbr-changed", term, Impact.EDITORIAL,
                  f"abbreviation of {_q(term)} changed", o.abbr, g.abbr)
    for term, g in ob.items():
        if term not in nb:
            c.add("glossary", "glossary-removed", term, Impact.EDITORIAL, f"glossary term {_q(term)} removed",
                  g.definition, None, text=True)


_GOVERNANCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("owner", "owner"),
    ("authors", "authors"),
    ("approved_by", "approved by"),
    ("approved_on", "approval date"),
    ("last_reviewed", "last review date"),
    ("next_review", "next review date"),
    ("expires", "expiry date"),
    ("contact", "contact"),
)


def _governance(c: _Collector) -> None:
    o, n = c.old.governance, c.new.governance
    for name, label in _GOVERNANCE_FIELDS:
        ov, nv = getattr(o, name), getattr(n, name)
        if ov == nv:
            continue
        if isinstance(ov, tuple):
            added = [x for x in nv if x not in ov]
            removed = [x for x in ov if x not in nv]
            detail = "; ".join(p for p in (
                f"added {_join(added)}" if added else "",
                f"removed {_join(removed)}" if removed else "",
            ) if p) or "reordered"
            c.add("governance", f"{name.replace('_', '-')}-changed", name, Impact.METADATA,
                  f"{label} changed ({detail})", ov, nv)
        else:
            c.add("governance", f"{name.replace('_', '-')}-changed", name, Impact.METADATA, f"{label} changed", ov, nv)


def _added_history(old: Pathway, new: Pathway) -> list:
    return [h for h in new.history if h not in old.history]


def _history(c: _Collector) -> None:
    for h in _added_history(c.old, c.new):
        when = f" ({h.date.isoformat()})" if h.date else ""
        c.add("history", "history-added", h.version, Impact.METADATA,
              f"history entry for version {h.version}{when} added", None, h.summary, text=True)
    for h in c.old.history:
        if h not in c.new.history:
            same = [x for x in c.new.history if x.version == h.version]
            if same:
                continue  # an edited entry shows up as added; one line is enough
            c.add("history", "history-removed", h.version, Impact.METADATA,
                  f"history entry for version {h.version} removed", h.summary, None, text=True)


# --------------------------------------------------------------------------
# Graph consequences


@dataclass(frozen=True)
class _GraphFacts:
    """The graph properties the diff compares, for one pathway."""

    unreachable: frozenset[str]
    dead_ends: frozenset[str]
    loops: frozenset[frozenset[str]]  # strongly connected components that contain a cycle
    closed_loops: frozenset[frozenset[str]]  # ... with no transition leaving them


def _graph_facts(p: Pathway) -> _GraphFacts:
    ids = set(p.stage_by_id)
    loops = [
        frozenset(comp)
        for comp in graph.strongly_connected(p)
        if len(comp) > 1 or comp[0] in graph.successors(p, comp[0])
    ]
    return _GraphFacts(
        unreachable=frozenset(s.id for s in graph.unreachable(p)) if p.start in ids else frozenset(),
        dead_ends=frozenset(s.id for s in graph.dead_ends(p)),
        loops=frozenset(loops),
        closed_loops=frozenset(frozenset(comp) for comp in graph.closed_loops(p)),
    )


def _graph_consequences(c: _Collector) -> None:
    old, new = c.old, c.new
    go, gn = _graph_facts(old), _graph_facts(new)

    # A removed stage that the new pathway still points at.
    for s in old.stages:
        if s.id in new.stage_by_id:
            continue
        linked = [src.id for src, _ in new.incoming.get(s.id, ())]
        linked += [x.id for x in new.stages if any(r.id == s.id for r in x.alongside)]
        # [[links]] in descriptions would become broken links on the website.
        linked += [x.id for x in new.stages
                   if any(link.target == s.id for text in (x.summary, x.body) for link in iter_wikilinks(text or ""))]
        if new.start == s.id:
            linked.insert(0, "start")
        if linked:
            names = _join("the start of the pathway" if x == "start" else c.step(x) for x in dict.fromkeys(linked))
            c.add("graph", "removed-stage-still-linked", s.id, Impact.SUBSTANTIVE,
                  f"removed step is still linked from {names}", stage=s.id, consequence=True)

    for sid in dict.fromkeys(s.id for s in new.stages):
        if sid in gn.unreachable and sid not in go.unreachable:
            c.add("graph", "newly-unreachable", sid, Impact.SUBSTANTIVE,
                  "can no longer be reached from the start of the pathway", stage=sid, consequence=True)
        if sid in gn.dead_ends and sid not in go.dead_ends:
            c.add("graph", "new-dead-end", sid, Impact.SUBSTANTIVE,
                  "is now a dead end: no next step and not an outcome", stage=sid, consequence=True)

    order = {sid: i for i, sid in reversed(list(enumerate(s.id for s in new.stages)))}
    # Sets have no stable order; sort loops by their first stage in the file.
    for loop in sorted(gn.loops, key=lambda lp: min(order.get(x, 0) for x in lp)):
        if loop in go.loops and (loop in go.closed_loops) == (loop in gn.closed_loops):
            continue
        members = [s.id for s in new.stages if s.id in loop]
        names = _join(c.step(x) for x in members)
        if loop in gn.closed_loops:
            c.add("graph", "new-loop-without-exit", members[0], Impact.SUBSTANTIVE,
                  f"new loop with no way out: {names}", stage=members[0], consequence=True)
        elif loop not in go.loops:
            c.add("graph", "new-loop", members[0], Impact.SUBSTANTIVE,
                  f"new loop (patients can come back round): {names}", stage=members[0], consequence=True)

    for s in new.stages:
        o = old.stage_by_id.get(s.id)
        if o is None or "decision" not in (o.kind, s.kind):
            continue
        lost = [t for t in o.next if (t.to, t.when) not in {(u.to, u.when) for u in s.next}]
        if len(s.next) < len(o.next) and lost:
            branches = "; ".join(f"{_q(_when(t))} → {c.title(t.to)}" for t in lost)
            c.add("graph", "decision-lost-branch", s.id, Impact.SUBSTANTIVE,
                  f"decision lost a branch ({branches})", _branches(len(o.next)), _branches(len(s.next)),
                  stage=s.id, consequence=True)
