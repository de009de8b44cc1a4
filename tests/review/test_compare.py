"""The per-area comparison: pairs of pathways that differ in exactly one way each."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Callable

import pytest

from generator.review.changes import VERDICTS, Impact
from generator.review.compare import diff_pathways, match_branches
from generator.review.reports import MARKER, SECTION_TITLES, format_json, format_markdown, md_inline
from generator.core.model import (
    Fact,
    GlossaryEntry,
    Governance,
    Group,
    HistoryEntry,
    IdRef,
    Pathway,
    Reference,
    Stage,
    Transition,
)

# --------------------------------------------------------------------------
# A small pathway, built directly as a model (no loader needed).


def base() -> Pathway:
    return Pathway(
        id="breathless",
        title="Breathlessness (test)",
        version="1.9",
        status="active",
        start="triage",
        summary="What to do for a breathless adult. Not clinical advice.",
        audience="Ward nurses",
        governance=Governance(
            owner="Respiratory team",
            authors=("A. Author",),
            approved_by=("Dr Lead",),
            approved_on=dt.date(2026, 1, 10),
            last_reviewed=dt.date(2026, 1, 10),
            next_review=dt.date(2027, 1, 10),
            expires=dt.date(2028, 1, 10),
            contact="resp@example.org",
        ),
        history=(HistoryEntry("1.9", dt.date(2026, 1, 10), "Second edition", ("Dr Lead",)),),
        groups=(Group("assess", "Assessment"), Group("treat", "Treatment")),
        stages=(
            Stage(
                "triage",
                "Triage",
                "assessment",
                group="assess",
                summary="First look at the patient",
                body="Check the airway, breathing and circulation before anything else, then measure oxygen saturation.",
                facts=(Fact("Target SpO2", "88–92 %"), Fact("Observations", "every 4 h")),
                next=(Transition("decide"),),
                references=(IdRef("bts"),),
            ),
            Stage(
                "decide",
                "Oxygen needed?",
                "decision",
                group="assess",
                next=(
                    Transition("oxygen", "SpO2 < 92 %"),
                    Transition("discharge", "SpO2 ≥ 92 %"),
                ),
            ),
            Stage(
                "oxygen",
                "Oxygen therapy",
                "therapy",
                group="treat",
                facts=(Fact("Response", "Improvement in 50–80 % of patients"),),
                next=(Transition("discharge"),),
                alongside=(IdRef("physio"),),
            ),
            Stage("physio", "Chest physiotherapy", "therapy", group="treat"),
            Stage("discharge", "Discharge", "outcome", group="treat"),
        ),
        references=(Reference("bts", "BTS oxygen guideline", "https://example.org/bts"),),
        glossary=(GlossaryEntry("SpO2", "Oxygen saturation measured by pulse oximetry", "SpO2"),),
    )


def with_stage(p: Pathway, sid: str, **changes) -> Pathway:
    stages = tuple(dataclasses.replace(s, **changes) if s.id == sid else s for s in p.stages)
    return dataclasses.replace(p, stages=stages)


def stage(p: Pathway, sid: str) -> Stage:
    return p.stage_by_id[sid]


def without_stage(p: Pathway, sid: str) -> Pathway:
    return dataclasses.replace(p, stages=tuple(s for s in p.stages if s.id != sid))


def add_stage(p: Pathway, new: Stage, after_links: dict[str, tuple[Transition, ...]] | None = None) -> Pathway:
    p = dataclasses.replace(p, stages=p.stages + (new,))
    for sid, nxt in (after_links or {}).items():
        p = with_stage(p, sid, next=nxt)
    return p


B = base()
S, E, M = Impact.SUBSTANTIVE, Impact.EDITORIAL, Impact.METADATA

# (name, how to change the base, the change kind expected, its impact)
CASES: list[tuple[str, Callable[[Pathway], Pathway], str, Impact]] = [
    ("stage added", lambda p: add_stage(
        p, Stage("xray", "Chest X-ray", "investigation", group="assess", next=(Transition("decide"),)),
        {"triage": (Transition("xray"),)}), "stage-added", S),
    ("stage removed", lambda p: with_stage(without_stage(p, "physio"), "oxygen", alongside=()), "stage-removed", S),
    ("stage renamed", lambda p: with_stage(p, "oxygen", title="Supplemental oxygen"), "stage-renamed", E),
    ("stage re-kinded", lambda p: with_stage(p, "oxygen", kind="procedure"), "stage-rekinded", S),
    ("stage regrouped", lambda p: with_stage(p, "oxygen", group="assess"), "stage-regrouped", E),
    ("stage summary", lambda p: with_stage(p, "triage", summary="A first look at the patient"),
     "stage-summary-reworded", E),
    ("stage body", lambda p: with_stage(p, "triage", body=stage(p, "triage").body.replace("measure", "record")),
     "stage-body-reworded", E),
    ("fact changed", lambda p: with_stage(p, "oxygen", facts=(Fact("Response", "Improvement in 60–80 % of patients"),)),
     "fact-changed", S),
    ("fact added", lambda p: with_stage(p, "oxygen", facts=stage(p, "oxygen").facts + (Fact("Device", "Venturi mask"),)),
     "fact-added", S),
    ("fact removed", lambda p: with_stage(p, "triage", facts=stage(p, "triage").facts[:1]), "fact-removed", S),
    ("transition added", lambda p: with_stage(p, "oxygen", next=(Transition("discharge"), Transition("physio"))),
     "transition-added", S),
    ("transition removed", lambda p: with_stage(p, "decide", next=stage(p, "decide").next[:1]),
     "transition-removed", S),
    ("transition retargeted", lambda p: with_stage(
        p, "decide", next=(Transition("oxygen", "SpO2 < 92 %"), Transition("physio", "SpO2 ≥ 92 %"))),
     "transition-retargeted", S),
    ("when changed", lambda p: with_stage(
        p, "decide", next=(Transition("oxygen", "SpO2 < 94 %"), Transition("discharge", "SpO2 ≥ 92 %"))),
     "when-changed", S),
    ("alongside added", lambda p: with_stage(p, "triage", alongside=(IdRef("physio"),)), "alongside-added", S),
    ("alongside removed", lambda p: with_stage(p, "oxygen", alongside=()), "alongside-removed", S),
    ("start changed", lambda p: dataclasses.replace(p, start="decide"), "start-changed", S),
    ("stage cites a reference", lambda p: with_stage(p, "oxygen", references=(IdRef("bts"),)),
     "stage-reference-added", E),
    ("reference retitled", lambda p: dataclasses.replace(
        p, references=(Reference("bts", "BTS guideline for oxygen use", "https://example.org/bts"),)),
     "reference-retitled", E),
    ("reference added", lambda p: dataclasses.replace(
        p, references=p.references + (Reference("nice", "NICE NG115", "https://example.org/nice"),)),
     "reference-added", E),
    ("glossary redefined", lambda p: dataclasses.replace(
        p, glossary=(GlossaryEntry("SpO2", "Oxygen saturation from a pulse oximeter", "SpO2"),)),
     "glossary-redefined", E),
    ("glossary added", lambda p: dataclasses.replace(
        p, glossary=p.glossary + (GlossaryEntry("COPD", "Chronic obstructive pulmonary disease"),)),
     "glossary-added", E),
    ("group renamed", lambda p: dataclasses.replace(p, groups=(Group("assess", "Assess"), p.groups[1])),
     "group-renamed", E),
    ("pathway title", lambda p: dataclasses.replace(p, title="Breathless adults (test)"), "title-changed", E),
    ("pathway summary", lambda p: dataclasses.replace(p, summary="What to do for a breathless adult patient."),
     "summary-reworded", E),
    ("version", lambda p: dataclasses.replace(p, version="1.10"), "version-changed", M),
    ("status", lambda p: dataclasses.replace(p, status="retired"), "status-changed", M),
    ("approvers", lambda p: dataclasses.replace(
        p, governance=dataclasses.replace(p.governance, approved_by=("Dr Lead", "Dr Second"))),
     "approved-by-changed", M),
    ("next review date", lambda p: dataclasses.replace(
        p, governance=dataclasses.replace(p.governance, next_review=dt.date(2027, 6, 1))),
     "next-review-changed", M),
    ("history entry", lambda p: dataclasses.replace(
        p, history=(HistoryEntry("1.10", dt.date(2026, 3, 1), "Third edition"),) + p.history),
     "history-added", M),
]


def _section_of(md: str, needle: str) -> str:
    """The title of the ### section in which ``needle`` appears."""
    pos = md.index(needle)
    head = md.rfind("\n### ", 0, pos)
    return md[head + 5 : md.index("\n", head + 1)] if head >= 0 else ""


@pytest.mark.parametrize("name, change, kind, impact", CASES, ids=[c[0] for c in CASES])
def test_each_change_is_reported_once_with_its_impact(name, change, kind, impact):
    old, new = B, change(B)
    assert old != new, "the test case must change something"
    diff = diff_pathways(old, new)
    found = [c for c in diff.changes if c.kind == kind]
    assert len(found) == 1, [c.kind for c in diff.changes]
    c = found[0]
    assert c.impact is impact
    # Nothing of a more serious class sneaks in (graph consequences only come with substantive changes).
    assert diff.impact == impact.value

    md = format_markdown(diff, old, new)
    lines = md.splitlines()
    assert lines[0] == MARKER
    assert lines[1].startswith(f"**{VERDICTS[impact.value]}.**")
    row = md_inline(c.summary)
    assert md.count(row) == 1, row
    assert _section_of(md, row).startswith(SECTION_TITLES[impact])

    doc = json.loads(format_json(diff))
    assert doc["impact"] == impact.value
    entries = [e for e in doc["changes"] if e["kind"] == kind]
    assert len(entries) == 1
    assert entries[0]["impact"] == impact.value
    assert entries[0]["message"] == c.message


def test_at_least_twenty_kinds_of_change_are_covered():
    assert len({kind for _, _, kind, _ in CASES}) >= 20


def test_identical_models_have_no_changes():
    diff = diff_pathways(B, base())
    assert diff.changes == ()
    assert diff.impact == "none"
    assert "No clinical changes" in format_markdown(diff, B, base()).splitlines()[1]
    assert json.loads(format_json(diff))["changes"] == []


# --------------------------------------------------------------------------
# Thresholds inside facts and conditions: old → new, side by side


def test_threshold_change_in_a_fact_is_old_to_new():
    new = with_stage(B, "oxygen", facts=(Fact("Response", "Improvement in 60–80 % of patients"),))
    diff = diff_pathways(B, new)
    [c] = diff.changes
    assert (c.old, c.new) == ("Improvement in 50–80 % of patients", "Improvement in 60–80 % of patients")
    assert c.message.endswith("Improvement in 50–80 % of patients → Improvement in 60–80 % of patients")
    md = format_markdown(diff, B, new)
    # Before and after cells, with the changed number marked in each.
    assert "| Improvement in ~~50–80~~ % of patients | Improvement in **60–80** % of patients |" in md


def test_threshold_change_in_a_condition_is_old_to_new():
    new = with_stage(B, "decide", next=(Transition("oxygen", "SpO2 < 94 %"), Transition("discharge", "SpO2 ≥ 92 %")))
    diff = diff_pathways(B, new)
    [c] = [c for c in diff.changes if c.kind == "when-changed"]
    assert (c.old, c.new) == ("SpO2 < 92 %", "SpO2 < 94 %")
    assert "Oxygen therapy" in c.summary  # names where the branch goes
    md = format_markdown(diff, B, new)
    assert r"| SpO2 \< ~~92~~ % | SpO2 \< **94** % |" in md


def test_a_branch_that_loses_its_condition_says_always():
    new = with_stage(B, "triage", next=(Transition("decide", "if unwell"),))
    [c] = diff_pathways(B, new).changes
    assert (c.kind, c.old, c.new) == ("when-changed", "always", "if unwell")


# --------------------------------------------------------------------------
# Graph consequences


def kinds(diff) -> list[str]:
    return [c.kind for c in diff.changes]


def test_removed_stage_still_linked_is_flagged():
    new = without_stage(B, "discharge")
    diff = diff_pathways(B, new)
    [c] = [c for c in diff.changes if c.kind == "removed-stage-still-linked"]
    assert c.consequence and c.stage == "discharge"
    assert "Oxygen needed?" in c.summary and "Oxygen therapy" in c.summary
    assert "still linked" in format_markdown(diff, B, new)


def test_removed_stage_still_linked_from_a_description():
    new = with_stage(with_stage(without_stage(B, "physio"), "oxygen", alongside=()),
                     "triage", body="See [[physio|chest physiotherapy]].")
    [c] = [c for c in diff_pathways(B, new).changes if c.kind == "removed-stage-still-linked"]
    assert c.stage == "physio" and "Triage" in c.summary


def test_newly_unreachable_stages():
    new = with_stage(B, "decide", next=(Transition("discharge", "SpO2 ≥ 92 %"),))
    diff = diff_pathways(B, new)
    unreachable = sorted(c.stage for c in diff.changes if c.kind == "newly-unreachable")
    # physio runs alongside oxygen, so it goes with it.
    assert unreachable == ["oxygen", "physio"]


def test_decision_that_lost_a_branch():
    new = with_stage(B, "decide", next=(Transition("oxygen", "SpO2 < 92 %"),))
    diff = diff_pathways(B, new)
    [c] = [c for c in diff.changes if c.kind == "decision-lost-branch"]
    assert (c.old, c.new) == ("2 branches", "1 branch")
    assert "SpO2 ≥ 92 %" in c.summary and "Discharge" in c.summary


def test_new_dead_end():
    new = with_stage(B, "decide", next=(), kind="assessment")
    diff = diff_pathways(B, new)
    assert [c.stage for c in diff.changes if c.kind == "new-dead-end"] == ["decide"]


def test_new_loop_with_an_exit():
    new = with_stage(B, "oxygen", next=(Transition("discharge", "better"), Transition("decide", "reassess")))
    diff = diff_pathways(B, new)
    [c] = [c for c in diff.changes if c.kind == "new-loop"]
    assert "Oxygen needed?" in c.summary and "Oxygen therapy" in c.summary
    assert "new-loop-without-exit" not in kinds(diff)


def test_new_loop_without_exit():
    new = with_stage(B, "oxygen", next=(Transition("decide"),))
    new = with_stage(new, "decide", next=(Transition("oxygen", "SpO2 < 92 %"), Transition("triage", "SpO2 ≥ 92 %")))
    diff = diff_pathways(B, new)
    assert kinds(diff).count("new-loop-without-exit") == 1
    assert "new-loop" not in kinds(diff)


def test_unchanged_loop_is_not_reported_again():
    looped = with_stage(B, "oxygen", next=(Transition("discharge", "better"), Transition("decide", "reassess")))
    renamed = with_stage(looped, "oxygen", title="Oxygen")
    assert kinds(diff_pathways(looped, renamed)) == ["stage-renamed"]


# --------------------------------------------------------------------------
# The release rule


def test_substantive_change_without_bump_lists_what_is_missing():
    new = with_stage(B, "oxygen", kind="procedure")
    diff = diff_pathways(B, new)
    assert not diff.version_bumped and not diff.history_added
    missing = diff.missing_for_release()
    assert len(missing) == 2
    assert "higher version" in missing[0] and "history" in missing[1]
    assert any("version was not raised" in w for w in diff.warnings)


def test_substantive_change_with_bump_but_no_history():
    new = dataclasses.replace(with_stage(B, "oxygen", kind="procedure"), version="1.10")
    diff = diff_pathways(B, new)
    assert diff.version_bumped
    assert diff.missing_for_release() == ("a new history entry describing the change",)


def test_substantive_change_with_bump_and_history_is_ready():
    new = dataclasses.replace(
        with_stage(B, "oxygen", kind="procedure"),
        version="1.10",
        history=(HistoryEntry("1.10", dt.date(2026, 3, 1), "Oxygen is now a procedure"),) + B.history,
    )
    diff = diff_pathways(B, new)
    assert diff.version_bumped and diff.history_added
    assert diff.missing_for_release() == ()
    assert diff.warnings == ()


def test_editorial_change_needs_no_release_but_warns_about_the_version():
    diff = diff_pathways(B, with_stage(B, "oxygen", title="Supplemental oxygen"))
    assert diff.impact == "editorial"
    assert diff.missing_for_release() == ()
    assert diff.warnings  # the version was not raised: worth saying, not blocking


def test_version_going_down_is_a_warning():
    diff = diff_pathways(B, dataclasses.replace(with_stage(B, "oxygen", title="O2"), version="1.8"))
    assert any("went down" in w for w in diff.warnings)


# --------------------------------------------------------------------------
# Building blocks


def test_match_branches_prefers_exact_then_condition_then_target():
    old = (Transition("a", "x"), Transition("b", "y"), Transition("c", "z"))
    new = (Transition("a", "x"), Transition("d", "y"), Transition("c", "zz"), Transition("e"))
    m = match_branches(old, new)
    assert m.same == (("a", "x"),)
    assert m.pairs == ((("b", "y"), ("d", "y")), (("c", "z"), ("c", "zz")))
    assert m.added == (("e", None),)
    assert m.removed == ()


def test_reordered_stages_are_editorial():
    new = dataclasses.replace(B, stages=(B.stages[1], B.stages[0]) + B.stages[2:])
    diff = diff_pathways(B, new)
    assert kinds(diff) == ["stages-reordered"]
    assert diff.impact == "editorial"


def test_the_diff_is_deterministic():
    new = with_stage(without_stage(B, "physio"), "decide", next=(Transition("oxygen", "low"),))
    a, b = diff_pathways(B, new), diff_pathways(B, new)
    assert a == b
    assert format_json(a) == format_json(b)
    assert format_markdown(a, B, new) == format_markdown(b, B, new)


# --------------------------------------------------------------------------
# Through the real loader: layout never counts as a change

YAML_A = """\
# A comment
id: tiny
title: Tiny pathway (test)
version: "1.0"
status: draft
start: first
summary: |
  Two steps.
stages:
  - id: first
    title: First step
    kind: assessment
    facts:
      Target: "50–80 %"
      Who: Nurse
    next:
      - to: done
  - id: done
    title: Done
    kind: outcome
"""

YAML_B = """\
# Same pathway: other comments, key order, quoting and flow style.
format: 1
stages:
- {title: 'First step', id: first, kind: assessment,
   facts: {Target: 50–80 %, Who: "Nurse"},   # a comment here
   next: [{to: done}]}
- id: done
  kind: outcome
  title: "Done"
start: first
status: 'draft'
summary: "Two steps.\\n"
version: '1.0'
title: Tiny pathway (test)
id: tiny
"""


def _load(text: str, name: str) -> Pathway:
    from generator.core.pipeline import check_text

    result = check_text(text, name)
    assert not result.has_errors(), [str(p.message) for p in result.errors]
    return result.pathway


def test_reformatted_yaml_is_no_clinical_change():
    a, b = _load(YAML_A, "a.yaml"), _load(YAML_B, "b.yaml")
    diff = diff_pathways(a, b)
    assert diff.impact == "none", [c.message for c in diff.changes]
    assert format_markdown(diff, a, b).splitlines()[1].startswith("**No clinical changes.**")


def test_a_real_edit_through_the_loader_is_found():
    a = _load(YAML_A, "a.yaml")
    b = _load(YAML_A.replace('"50–80 %"', '"60–80 %"'), "b.yaml")
    [c] = diff_pathways(a, b).changes
    assert (c.kind, c.old, c.new) == ("fact-changed", "50–80 %", "60–80 %")


def test_seed_pathway_against_itself(repo_root):
    from generator.core.pipeline import check_file

    p = check_file(repo_root / "pathway.yaml").pathway
    assert p is not None
    assert diff_pathways(p, p).changes == ()
