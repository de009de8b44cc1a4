"""Per-area comparison of two pathway models: what changed, in clinical terms.

Pure: two ``Pathway`` objects in, a ``PathwayDiff`` out.  No I/O, no
formatting beyond the one plain-text sentence each ``Change`` carries; the
reporters (``generator.review.reports``) and the picture (``generator.review.visualdiff``)
decide how to show it.

Stages, groups and reference entries are matched by id, glossary entries by
term, so a renamed title is a *change* and a renamed id is a removal plus an
addition (that is what it means to every link pointing at it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from generator.core.model import Input, Pathway, Stage, Transition
from generator.core.scenarios import ScenarioFile, walk
from generator.review.changes import Change, Collector, Impact, Kind, PathwayDiff
from generator.review.changes import listed as _join
from generator.review.changes import quoted as _q
from generator.review import exportdiff
from generator.review.consequences import graph_consequences
from generator.review.versions import version_is_higher, version_key


def diff_pathways(old: Pathway, new: Pathway, *, scenarios: tuple[ScenarioFile, ScenarioFile] | None = None,
                  export: bool = False) -> PathwayDiff:
    """Compare two pathway models and describe every difference.

    With ``scenarios`` (the old and the new version's scenario files) the patients the change
    sends elsewhere are listed first (``PathwayDiff.rerouted``).  With ``export`` the FHIR exports of
    both are compared too (``PathwayDiff.export``).
    """
    c = Collector(old, new)
    if scenarios is not None:
        _rerouted(c, *scenarios)
    _inputs(c)
    _pathway_fields(c)
    _stages(c)
    _groups(c)
    _references(c)
    _glossary(c)
    _governance(c)
    _history(c)
    graph_consequences(c)
    if old != new and not c.changes:
        # Safety net: never claim "no changes" for models that differ.
        c.add(Kind.OTHER_CHANGED, "pathway", "other details of the pathway changed")
    bumped = version_is_higher(old.version, new.version)
    history_added = bool(_added_history(old, new))
    warnings: list[str] = []
    content = any(ch.impact in (Impact.SUBSTANTIVE, Impact.EDITORIAL) for ch in c.changes)
    if content and not bumped:
        if version_key(new.version) < version_key(old.version):
            warnings.append(f"The version went down ({old.version} → {new.version}) although the content changed.")
        else:
            warnings.append(f"The content changed but the version was not raised (still {new.version}).")
    exported = exportdiff.compare_exports(old, new) if export else None
    return PathwayDiff(
        old_version=old.version,
        new_version=new.version,
        changes=tuple(c.changes),
        version_bumped=bumped,
        history_added=history_added,
        warnings=tuple(warnings),
        export=exported,
    )


def _pathway_fields(c: Collector) -> None:
    o, n = c.old, c.new
    if o.start != n.start:
        c.add(Kind.START_CHANGED, "start", "the pathway now starts at a different step",
              old=f"{c.title(o.start)} ({o.start})", new=f"{c.title(n.start)} ({n.start})")
    if o.title != n.title:
        c.add(Kind.TITLE_CHANGED, "title", "pathway title changed", o.title, n.title)
    if o.summary != n.summary:
        c.add(Kind.SUMMARY_REWORDED, "summary", "pathway summary reworded",
              o.summary, n.summary)
    if o.audience != n.audience:
        c.add(Kind.AUDIENCE_CHANGED, "audience", "intended audience changed",
              o.audience, n.audience)
    if o.version != n.version:
        c.add(Kind.VERSION_CHANGED, "version", "version changed", o.version, n.version)
    if o.status != n.status:
        c.add(Kind.STATUS_CHANGED, "status", "status changed", o.status, n.status)
    if o.id != n.id:
        c.add(Kind.ID_CHANGED, "id", "pathway id changed", o.id, n.id)
    if o.format != n.format:
        c.add(Kind.FORMAT_CHANGED, "format", "file format version changed", o.format, n.format)


def _stages(c: Collector) -> None:
    old_by, new_by = c.old.stage_by_id, c.new.stage_by_id
    for s in c.new.stages:
        if s.id not in old_by and c.new.stage_by_id[s.id] is s:
            c.add(Kind.STAGE_ADDED, s.id, f"new step added ({s.kind})", stage=s.id)
    for s in c.old.stages:
        if s.id not in new_by and old_by[s.id] is s:
            c.add(Kind.STAGE_REMOVED, s.id, f"step removed (was {s.kind})", stage=s.id)
    for s in c.new.stages:
        o = old_by.get(s.id)
        if o is not None and new_by[s.id] is s and o != s:
            _stage(c, o, s)
    common_old = [s.id for s in c.old.stages if s.id in new_by]
    common_new = [s.id for s in c.new.stages if s.id in old_by]
    if common_old != common_new:
        c.add(Kind.STAGES_REORDERED, "stages", "order of the steps in the handbook changed")


def _stage(c: Collector, o: Stage, n: Stage) -> None:
    sid = n.id
    if o.title != n.title:
        c.add(Kind.STAGE_RENAMED, sid, "step renamed", o.title, n.title, stage=sid)
    if o.kind != n.kind:
        c.add(Kind.STAGE_REKINDED, sid, "type of step changed", o.kind, n.kind, stage=sid)
    if o.group != n.group:
        og = c.old.group_by_id.get(o.group or "")
        ng = c.new.group_by_id.get(n.group or "")
        c.add(Kind.STAGE_REGROUPED, sid, "step moved to another phase",
              (og.title if og else o.group), (ng.title if ng else n.group), stage=sid)
    if o.summary != n.summary:
        c.add(Kind.STAGE_SUMMARY_REWORDED, sid, "summary reworded",
              o.summary, n.summary, stage=sid)
    if o.body != n.body:
        c.add(Kind.STAGE_BODY_REWORDED, sid, "description reworded",
              o.body, n.body, stage=sid)
    _facts(c, o, n)
    _transitions(c, o, n)
    _conditions(c, o, n)
    _id_list(c, sid, (Kind.ALONGSIDE_ADDED, Kind.ALONGSIDE_REMOVED), [r.id for r in o.alongside],
             [r.id for r in n.alongside], added="now runs alongside {x}", removed="no longer runs alongside {x}",
             names_stages=True)
    _id_list(c, sid, (Kind.STAGE_REFERENCE_ADDED, Kind.STAGE_REFERENCE_REMOVED), [r.id for r in o.references],
             [r.id for r in n.references], added="now cites {x}", removed="no longer cites {x}", names_stages=False)


def _first_by(items: Iterable, key) -> dict:
    """Map key -> first item with that key (duplicates are reported by the checks)."""
    out: dict = {}
    for it in items:
        out.setdefault(key(it), it)
    return out


def _facts(c: Collector, o: Stage, n: Stage) -> None:
    sid = n.id
    old_f = _first_by(o.facts, lambda f: f.label)
    new_f = _first_by(n.facts, lambda f: f.label)
    for label, f in new_f.items():
        before = old_f.get(label)
        if before is None:
            c.add(Kind.FACT_ADDED, f"{sid}/{label}", f"fact added: {label}",
                  None, f.value, stage=sid)
        elif before.value != f.value:
            c.add(Kind.FACT_CHANGED, f"{sid}/{label}", f"{label} changed",
                  before.value, f.value, stage=sid)
    for label, f in old_f.items():
        if label not in new_f:
            c.add(Kind.FACT_REMOVED, f"{sid}/{label}", f"fact removed: {label}",
                  f.value, None, stage=sid)
    common_old = [x for x in old_f if x in new_f]
    common_new = [x for x in new_f if x in old_f]
    if common_old != common_new:
        c.add(Kind.FACTS_REORDERED, f"{sid}/facts", "facts shown in a different order", stage=sid)


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


def _transitions(c: Collector, o: Stage, n: Stage) -> None:
    sid = n.id
    m = match_branches(o.next, n.next)
    for (oto, owhen), (nto, nwhen) in m.pairs:
        if owhen == nwhen:
            cond = f" when {_q(nwhen)}" if nwhen else ""
            c.add(Kind.TRANSITION_RETARGETED, f"{sid}->{nto}",
                  f"next step{cond} changed", f"{c.title(oto)} ({oto})", f"{c.title(nto)} ({nto})", stage=sid)
        else:
            c.add(Kind.WHEN_CHANGED, f"{sid}->{nto}",
                  f"condition for going on to {c.step(nto)} changed",
                  owhen or "always", nwhen or "always", stage=sid)
    for to, when in m.added:
        cond = f" when {_q(when)}" if when else ""
        c.add(Kind.TRANSITION_ADDED, f"{sid}->{to}",
              f"now leads on to {c.step(to)}{cond}", stage=sid)
    for to, when in m.removed:
        cond = f" when {_q(when)}" if when else ""
        c.add(Kind.TRANSITION_REMOVED, f"{sid}->{to}",
              f"no longer leads on to {c.step(to)}{cond}", stage=sid)
    if not (m.pairs or m.added or m.removed) and [(t.to, t.when) for t in o.next] != [(t.to, t.when) for t in n.next]:
        c.add(Kind.TRANSITIONS_REORDERED, f"{sid}/next",
              "next steps listed in a different order", stage=sid)


def _conditions(c: Collector, o: Stage, n: Stage) -> None:
    """Computable conditions (``if``) and ``order`` changed on branches to the same stage."""
    sid = n.id
    old_if = _first_by([t for t in o.next], lambda t: t.to)
    for t in n.next:
        ot = old_if.get(t.to)
        if ot is None:
            continue
        before = ot.condition.text if ot.condition else None
        after = t.condition.text if t.condition else None
        if before != after:
            c.add(Kind.CONDITION_CHANGED, f"{sid}->{t.to}/if", f"computable condition for going on to {c.step(t.to)} changed",
                  before or "(none)", after or "(none)", stage=sid)
    if (o.order or "exclusive") != (n.order or "exclusive"):
        c.add(Kind.ORDER_CHANGED, f"{sid}/order", "how the branches are chosen changed",
              o.order or "exclusive", n.order or "exclusive", stage=sid)


def _describe_input(i: Input) -> str:
    parts = [i.type]
    if i.unit:
        parts.append(f"in {i.unit}")
    if i.range:
        from generator.core.expressions import format_value

        parts.append(f"from {format_value(i.range[0], i)} to {format_value(i.range[1], i)}")
    if i.choices:
        parts.append("one of " + ", ".join(i.choices))
    return " ".join(parts)


def _inputs(c: Collector) -> None:
    old, new = c.old.input_by_id, c.new.input_by_id
    for iid, i in new.items():
        o = old.get(iid)
        if o is None:
            c.add(Kind.INPUT_ADDED, f"input/{iid}", f"input {iid} added to the data dictionary", None, _describe_input(i))
            continue
        if _describe_input(o) != _describe_input(i):
            c.add(Kind.INPUT_CHANGED, f"input/{iid}", f"input {iid} changed", _describe_input(o), _describe_input(i))
        if o.label != i.label:
            c.add(Kind.INPUT_RELABELLED, f"input/{iid}/label", f"label of input {iid} changed", o.label, i.label)
    for iid, o in old.items():
        if iid not in new:
            c.add(Kind.INPUT_REMOVED, f"input/{iid}", f"input {iid} removed from the data dictionary",
                  _describe_input(o), None)
    if (c.old.computable or None) != (c.new.computable or None):
        c.add(Kind.COMPUTABLE_CHANGED, "computable", "whether every decision must be computable changed",
              c.old.computable or "(not required)", c.new.computable or "(not required)")


def _rerouted(c: Collector, old_file: ScenarioFile, new_file: ScenarioFile) -> None:
    """Each scenario in both versions whose walk ends elsewhere or takes another route.

    Only scenarios in both files count: a patient added with the change has no route before it.
    """
    olds = {s.id: s for s in old_file.scenarios}
    for sc in new_file.scenarios:
        before = olds.get(sc.id)
        if before is None:
            continue
        # The same patient through both versions: the new file's patient, unless the old pathway
        # cannot take it (an input renamed or added), then the old file's own.
        b = walk(c.new, sc)
        a = walk(c.old, sc)
        if a.stuck:
            a = walk(c.old, before)
        if a.route == b.route and a.stuck == b.stuck:
            continue
        def where(w) -> str:
            return f"{c.title(w.ended)} ({w.ended})" + (" and stops there" if w.stuck else "")
        if a.ended != b.ended or a.stuck != b.stuck:
            summary = f"Patient '{sc.name}' now goes to {where(b)} instead of {where(a)}"
        else:
            summary = f"Patient '{sc.name}' still reaches {where(b)}, by another route"
        c.changes.append(Change(Kind.SCENARIO_REROUTED, f"scenario/{sc.id}", summary,
                                " → ".join(a.route), " → ".join(b.route)))


def _id_list(c: Collector, sid: str, kinds: tuple[Kind, Kind], old: Sequence[str], new: Sequence[str],
             added: str, removed: str, names_stages: bool) -> None:
    def name(x: str) -> str:
        if names_stages:
            return c.step(x)
        ref = c.new.reference_by_id.get(x) or c.old.reference_by_id.get(x)
        return f"{_q(ref.title)} ({x})" if ref else x

    for x in new:
        if x not in old:
            c.add(kinds[0], f"{sid}/{x}", added.format(x=name(x)), stage=sid)
    for x in old:
        if x not in new:
            c.add(kinds[1], f"{sid}/{x}", removed.format(x=name(x)), stage=sid)


def _groups(c: Collector) -> None:
    ob, nb = c.old.group_by_id, c.new.group_by_id
    for g in c.new.groups:
        if g.id not in ob:
            c.add(Kind.GROUP_ADDED, g.id, f"new phase {_q(g.title)} ({g.id})")
        elif ob[g.id].title != g.title:
            c.add(Kind.GROUP_RENAMED, g.id, f"phase {g.id} renamed", ob[g.id].title, g.title)
    for g in c.old.groups:
        if g.id not in nb:
            c.add(Kind.GROUP_REMOVED, g.id, f"phase {_q(g.title)} ({g.id}) removed")
    if [g.id for g in c.old.groups if g.id in nb] != [g.id for g in c.new.groups if g.id in ob]:
        c.add(Kind.GROUPS_REORDERED, "groups", "phases listed in a different order")


def _references(c: Collector) -> None:
    ob, nb = c.old.reference_by_id, c.new.reference_by_id
    for r in c.new.references:
        o = ob.get(r.id)
        if o is None:
            c.add(Kind.REFERENCE_ADDED, r.id, f"new reference {_q(r.title)} ({r.id})",
                  None, r.url)
            continue
        if o.title != r.title:
            c.add(Kind.REFERENCE_RETITLED, r.id, f"reference {r.id} retitled",
                  o.title, r.title)
        if o.url != r.url:
            c.add(Kind.REFERENCE_URL_CHANGED, r.id,
                  f"link of reference {_q(r.title)} ({r.id}) changed", o.url, r.url)
    for r in c.old.references:
        if r.id not in nb:
            c.add(Kind.REFERENCE_REMOVED, r.id,
                  f"reference {_q(r.title)} ({r.id}) removed", r.url, None)


def _glossary(c: Collector) -> None:
    ob = _first_by(c.old.glossary, lambda g: g.term)
    nb = _first_by(c.new.glossary, lambda g: g.term)
    for term, g in nb.items():
        o = ob.get(term)
        if o is None:
            c.add(Kind.GLOSSARY_ADDED, term, f"glossary term {_q(term)} added",
                  None, g.definition)
            continue
        if o.definition != g.definition:
            c.add(Kind.GLOSSARY_REDEFINED, term,
                  f"definition of {_q(term)} reworded", o.definition, g.definition)
        if o.abbr != g.abbr:
            c.add(Kind.GLOSSARY_ABBR_CHANGED, term,
                  f"abbreviation of {_q(term)} changed", o.abbr, g.abbr)
    for term, g in ob.items():
        if term not in nb:
            c.add(Kind.GLOSSARY_REMOVED, term, f"glossary term {_q(term)} removed",
                  g.definition, None)


_GOVERNANCE_FIELDS: tuple[tuple[str, str, Kind], ...] = (
    ("owner", "owner", Kind.OWNER_CHANGED),
    ("authors", "authors", Kind.AUTHORS_CHANGED),
    ("approved_by", "approved by", Kind.APPROVED_BY_CHANGED),
    ("approved_on", "approval date", Kind.APPROVED_ON_CHANGED),
    ("last_reviewed", "last review date", Kind.LAST_REVIEWED_CHANGED),
    ("next_review", "next review date", Kind.NEXT_REVIEW_CHANGED),
    ("expires", "expiry date", Kind.EXPIRES_CHANGED),
    ("contact", "contact", Kind.CONTACT_CHANGED),
)


def _governance(c: Collector) -> None:
    o, n = c.old.governance, c.new.governance
    for name, label, kind in _GOVERNANCE_FIELDS:
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
            c.add(kind, name, f"{label} changed ({detail})", ov, nv)
        else:
            c.add(kind, name, f"{label} changed", ov, nv)


def _added_history(old: Pathway, new: Pathway) -> list:
    return [h for h in new.history if h not in old.history]


def _history(c: Collector) -> None:
    for h in _added_history(c.old, c.new):
        when = f" ({h.date.isoformat()})" if h.date else ""
        c.add(Kind.HISTORY_ADDED, h.version,
              f"history entry for version {h.version}{when} added", None, h.summary)
    for h in c.old.history:
        if h not in c.new.history:
            same = [x for x in c.new.history if x.version == h.version]
            if same:
                continue  # an edited entry shows up as added; one line is enough
            c.add(Kind.HISTORY_REMOVED, h.version,
                  f"history entry for version {h.version} removed", h.summary, None)


