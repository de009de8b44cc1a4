"""The visual diff: Mermaid checked with Mermaid's own parser, DOT laid out by Graphviz."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.review import visualdiff
from generator.review.compare import diff_pathways
from generator.review.reports import format_markdown
from generator.core.model import Fact, Stage, Transition
from test_compare import CASES, B, add_stage, with_stage, without_stage

REPO = Path(__file__).resolve().parents[2]
PARSER = REPO / "tests" / "js" / "mermaid-parse.mjs"

HOSTILE = [
    'Say "yes" or \'no\'',
    "Brackets [x] (y) {z} <tag>",
    "Fish & chips; a | b > c < d",
    "end",
    "subgraph end style classDef",
    "%%{init: {'theme':'dark'}}%% 100 % sure #1 #quot;",
    "Backticks ``` `code` and \\N \\n backslashes",
    "Ünïcödé — 日本語 — emoji 🫁 — ≥ ≤ →",
    "-->|edge|-->",
    "a\nmulti-line\ntitle",
]


def mermaid_parse(chart: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if not node or not (REPO / "node_modules" / "mermaid").is_dir():
        pytest.skip("needs node and node_modules/mermaid (npm ci)")
    return subprocess.run([node, str(PARSER)], input=chart, capture_output=True, text=True, timeout=120)


def changed_pair():
    """Old and new pathway with an added, a changed and a removed stage, and edge changes."""
    new = add_stage(B, Stage("xray", "Chest X-ray", "investigation", next=(Transition("decide"),)),
                    {"triage": (Transition("xray"),)})
    new = with_stage(new, "oxygen", facts=(Fact("Response", "Improvement in 60–80 % of patients"),))
    new = with_stage(new, "decide", next=(Transition("oxygen", "SpO2 < 94 %"), Transition("discharge", "SpO2 ≥ 92 %")))
    new = with_stage(without_stage(new, "physio"), "oxygen", alongside=())
    return B, new


def test_diff_graph_marks_each_stage_and_edge():
    old, new = changed_pair()
    g = visualdiff.diff_graph(old, new, diff_pathways(old, new))
    status = {n.id: n.status for n in g.nodes}
    assert status == {"triage": "same", "decide": "same", "oxygen": "changed", "discharge": "same",
                      "xray": "added", "physio": "removed"}
    assert [n.aspects for n in g.nodes if n.id == "oxygen"] == [("facts", "alongside")]
    edges = {(e.src, e.dst, e.status) for e in g.edges if not e.alongside}
    assert ("triage", "xray", "added") in edges
    assert ("triage", "decide", "removed") in edges
    assert ("decide", "oxygen", "changed") in edges
    assert ("xray", "decide", "added") in edges
    [cond] = [e for e in g.edges if e.status == "changed"]
    assert (cond.old_when, cond.when) == ("SpO2 < 92 %", "SpO2 < 94 %")
    assert visualdiff.edge_text(cond) == "~ SpO2 < 94 %\n(was: SpO2 < 92 %)"
    assert [(e.src, e.dst, e.status) for e in g.edges if e.alongside] == [("oxygen", "physio", "removed")]


def test_mermaid_of_a_diff_parses_and_has_all_styles():
    old, new = changed_pair()
    chart = visualdiff.mermaid(old, new, diff_pathways(old, new))
    assert chart.startswith("flowchart TD\n")
    for status in ("added", "changed", "removed", "same"):
        assert f"classDef {status} " in chart
        assert f":::{status}" in chart
    assert "+ added" in chart and "~ changed: facts" in chart and "− removed" in chart
    assert "<s>Chest physiotherapy</s>" in chart
    assert '"<span>' in chart  # keeps "+ added" from being read as a Markdown list
    assert "linkStyle" in chart
    result = mermaid_parse(chart)
    assert result.returncode == 0, result.stderr


def test_markdown_report_mermaid_block_parses():
    old, new = changed_pair()
    md = format_markdown(diff_pathways(old, new), old, new)
    [block] = re.findall(r"```mermaid\n(.*?)```", md, flags=re.S)
    result = mermaid_parse(block)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("title", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_titles_and_conditions_parse(title):
    new = with_stage(B, "oxygen", title=title)
    new = with_stage(new, "decide", next=(Transition("oxygen", title), Transition("discharge", "SpO2 ≥ 92 %")))
    new = add_stage(new, Stage("extra", title, "referral"), {"discharge": (Transition("extra", title),)})
    chart = visualdiff.mermaid(B, new, diff_pathways(B, new))
    # Nothing the author wrote may reach Mermaid raw.
    body = chart.split("\n", 1)[1]
    for raw in ('"yes"', "<tag>", "& chips", "%%{", "```", "| b"):
        assert raw not in body
    result = mermaid_parse(chart)
    assert result.returncode == 0, f"{result.stderr}\n{chart}"


def test_the_parser_rejects_a_broken_chart():
    result = mermaid_parse('flowchart TD\n  a["unterminated "quote"] --> b\n')
    assert result.returncode == 1
    assert "Parse error" in result.stderr or "Expecting" in result.stderr


def test_mermaid_text_escapes():
    # Look-alikes rather than Mermaid's entity codes, which Mermaid 11.6 fails to draw.
    assert visualdiff.mermaid_text('a "b" <c> & d | e') == "a “b” ＜c＞ ＆ d ｜ e"
    assert visualdiff.mermaid_text("#quot; #1") == "＃quot; ＃1"
    assert visualdiff.mermaid_text("100%%") == "100%\u200b%"
    assert visualdiff.mermaid_text("x\ny") == "x<br/>y"


def test_big_pathways_show_only_the_neighbourhood_of_changes_in_mermaid():
    stages = tuple(
        Stage(f"s{i}", f"Step {i}", "assessment", next=(Transition(f"s{i + 1}"),)) for i in range(120)
    ) + (Stage("s120", "End", "outcome"),)
    old = dataclasses.replace(B, start="s0", stages=stages, groups=())
    new = with_stage(old, "s60", title="Step sixty")
    chart = visualdiff.mermaid(old, new, diff_pathways(old, new))
    assert "Step sixty" in chart and "Step 59" in chart and "Step 61" in chart
    assert "Step 10" not in chart
    assert "unchanged steps not shown" in chart
    assert mermaid_parse(chart).returncode == 0


def test_dot_uses_the_one_quoting_function():
    new = with_stage(B, "oxygen", title='Oxygen "high flow" \\N & more')
    text = visualdiff.dot(B, new, diff_pathways(B, new))
    assert 'Oxygen \\"high flow\\" \\\\N' in text  # quote(): \" for quotes, \\ for backslashes
    assert "&amp; more" in text


@pytest.mark.dot
def test_svg_has_all_three_change_styles_and_the_legend():
    from generator.render import layout

    old, new = changed_pair()
    [svg] = layout.render_svgs([visualdiff.dot(old, new, diff_pathways(old, new))], id_prefixes=["vd"])
    for status in ("added", "changed", "removed"):
        assert f'class="node diff_{status}' in svg, status
        assert f'class="edge diff_{status}' in svg or status == "changed" and "diff_changed" in svg
    assert 'id="vd-legend"' in svg
    assert "Key to this diagram" in svg
    for marker in ("+ added", "~ changed: facts, alongside", "− removed"):
        assert marker in svg
    # Removed things are dashed, added bold: line style, not only colour.
    assert "stroke-dasharray" in svg
    assert "Chest physiotherapy" in svg and "Chest X&#45;ray" in svg  # Graphviz writes - as &#45;


@pytest.mark.dot
@pytest.mark.parametrize("title", HOSTILE, ids=range(len(HOSTILE)))
def test_svg_with_hostile_titles_renders(title):
    from generator.render import layout

    new = add_stage(B, Stage("extra", title, "referral"), {"discharge": (Transition("extra", title),)})
    [svg] = layout.render_svgs([visualdiff.dot(B, new, diff_pathways(B, new))])
    assert "diff_added" in svg


def _about_one_step(change, kind) -> bool:
    return any(c.kind == kind and c.stage for c in diff_pathways(B, change(B)).changes)


STEP_CASES = [case for case in CASES if _about_one_step(case[1], case[2])]


def test_most_cases_are_about_one_step():
    assert len(STEP_CASES) >= 15


@pytest.mark.parametrize("name, change, kind, impact", STEP_CASES, ids=[c[0] for c in STEP_CASES])
def test_every_change_to_a_step_is_marked_in_the_picture(name, change, kind, impact):
    # The picture reads the kind table: a kind without its mark would leave an edited step looking unchanged.
    old, new = B, change(B)
    diff = diff_pathways(old, new)
    [c] = [c for c in diff.changes if c.kind == kind]
    g = visualdiff.diff_graph(old, new, diff)
    node = {n.id: n for n in g.nodes}[c.stage]
    edges = [e for e in g.edges if c.stage in (e.src, e.dst) and e.status != "same"]
    assert node.status != "same" or edges, c
    if c.kind.aspect:
        assert node.status == "changed" and c.kind.aspect in node.aspects
