"""Reporters for the diff: Markdown for pull requests, JSON, terminal text."""

from __future__ import annotations

import dataclasses
import json
import re

from generator.review.compare import diff_pathways
from generator.review.reports import (
    MARKDOWN_BUDGET,
    format_json,
    format_markdown,
    format_text,
    md_code,
    md_inline,
)
from generator.core.model import Fact, Stage, Transition
from test_compare import B, add_stage, with_stage


def _cells(row: str) -> list[str]:
    """Split a Markdown table row on unescaped pipes."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def test_md_inline_neutralises_markdown_and_html():
    text = md_inline("a | b <script>*x* _y_ [l](u) `c` ~~s~~ $m$ & @team\nnext")
    assert "<script>" not in text and "\n" not in text
    assert r"a \| b \<script\>\*x\* \_y\_ \[l\](u) \`c\` \~\~s\~\~ \$m\$ &amp; @" in text
    assert "@\u200bteam" in text  # no GitHub notification


def test_md_code_survives_backticks_and_pipes():
    assert md_code("plain") == "`plain`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("a|b") == r"`a\|b`"


def test_hostile_titles_keep_the_table_intact():
    title = 'Weird | title <b> with `ticks` and "quotes"'
    new = with_stage(B, "oxygen", title=title, facts=(Fact("Response", "a | b"),))
    md = format_markdown(diff_pathways(B, new), B, new, mermaid=False)
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows
    for row in rows:
        if row.startswith("| Step"):
            continue
        assert len(_cells(row)) in (2, 4), row
    assert "<b>" not in md


def test_markdown_sections_and_order():
    new = add_stage(B, Stage("xray", "Chest X-ray", "investigation", next=(Transition("decide"),)),
                    {"triage": (Transition("xray"),)})
    new = with_stage(new, "oxygen", title="Supplemental oxygen")
    new = dataclasses.replace(new, status="retired")
    md = format_markdown(diff_pathways(B, new), B, new)
    a = md.index("### Changes to patient care")
    b = md.index("### Wording and presentation")
    c = md.index("### Governance, version and history")
    d = md.index("```mermaid")
    assert a < b < c < d
    # Stage named by title, id in code.
    assert "**Chest X\\-ray** `xray`" in md or "**Chest X-ray** `xray`" in md


def test_body_change_is_a_compact_word_diff():
    body = " ".join(f"word{i}" for i in range(200))
    old = with_stage(B, "triage", body=body)
    new = with_stage(B, "triage", body=body.replace("word100", "changed100"))
    md = format_markdown(diff_pathways(old, new), old, new)
    assert "~~word100~~" in md and "**changed100**" in md
    assert "word10 " not in md and "word190" not in md  # far-away words are elided
    assert "…" in md


def test_huge_diffs_are_bounded_and_collapsed():
    many = tuple(Stage(f"n{i}", f"New step {i} " + "x" * 80, "assessment",
                       facts=tuple(Fact(f"F{j}", "v" * 100) for j in range(5))) for i in range(400))
    new = dataclasses.replace(B, stages=B.stages + many)
    diff = diff_pathways(B, new)
    md = format_markdown(diff, B, new)
    assert len(md) <= MARKDOWN_BUDGET
    assert md.splitlines()[1].startswith("**Substantive change")
    assert "more" in md  # the rest is folded or summarised


def test_long_sections_fold_into_details():
    many = tuple(Stage(f"n{i}", f"New step {i}", "assessment") for i in range(40))
    new = dataclasses.replace(B, stages=B.stages + many)
    md = format_markdown(diff_pathways(B, new), B, new, mermaid=False)
    assert re.search(r"<details><summary>\d+ more</summary>", md)


def test_json_has_a_stable_shape():
    new = with_stage(B, "oxygen", kind="procedure")
    doc = json.loads(format_json(diff_pathways(B, new)))
    assert list(doc) == ["impact", "verdict", "old_version", "new_version", "version_bumped", "history_added",
                         "missing_for_release", "warnings", "counts", "changes"]
    assert list(doc["changes"][0]) == ["area", "kind", "subject", "impact", "stage", "stage_title", "summary",
                                       "old", "new", "consequence", "message"]
    assert doc["version_bumped"] is False
    assert doc["changes"][0]["old"] == "therapy" and doc["changes"][0]["new"] == "procedure"


def test_text_is_plain_unless_colour_is_asked_for():
    new = with_stage(B, "triage", body=B.stage_by_id["triage"].body.replace("measure", "record"))
    diff = diff_pathways(B, new)
    plain = format_text(diff)
    assert "\033[" not in plain
    assert plain.splitlines()[0] == "Editorial only: wording changes, the care itself is unchanged"
    assert "[-measure-] {+record+}" in plain
    assert "\033[" in format_text(diff, colour=True)


def test_no_changes_report_is_short():
    md = format_markdown(diff_pathways(B, B), B, B)
    assert md.splitlines()[1].startswith("**No clinical changes.**")
    assert "###" not in md and "mermaid" not in md
