"""Diagram DOT: goldens for a small hand-built pathway, structure checks, and SVG links."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.render import palette
from generator.render.diagrams import (
    OVERVIEW_MAX_STAGES,
    group_dot,
    groups_map_dot,
    neighbourhood_dot,
    overview_dot,
    overview_is_too_large,
)
from generator.render.layout import render_svgs
from generator.core.model import KINDS, Group, IdRef, Pathway, Stage
from generator.core.model import Transition as T

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def href(stage_id: str) -> str:
    return f"../stages/{stage_id}/"


def sample() -> Pathway:
    """Suspected sepsis: a decision, a loop back, a self-loop, alongside stages, two groups."""
    S = Stage
    stages = (
        S("triage", "Triage and NEWS2 score", "assessment", group="ed",
          summary="Full set of observations; calculate NEWS2.", next=(T("bloods"),)),
        S("bloods", "Blood cultures, lactate and FBC", "investigation", group="ed",
          summary="Take cultures before antibiotics.", next=(T("decide"),)),
        S("decide", "NEWS2 ≥ 5 or lactate > 2?", "decision", group="ed", summary="Is this high-risk sepsis?",
          next=(T("antibiotics", "Yes"), T("reassess", "No"))),
        S("reassess", "Reassess in 1 hour", "assessment", group="ed", summary="Repeat observations and review.",
          next=(T("reassess", "Every 30 min while waiting"), T("decide", "Still unwell"),
                T("discharge", "Improved"))),
        S("antibiotics", "Start IV antibiotics within 1 hour", "therapy", group="treat",
          summary="Per local antimicrobial guideline.", alongside=(IdRef("fluids"),),
          next=(T("critical-care", "Lactate > 4 or hypotension"), T("source-control", "Surgical source found"),
                T("ward", "Otherwise"))),
        S("fluids", "IV fluid bolus 500 mL", "therapy", group="treat",
          summary="Crystalloid over 15 minutes; reassess.", alongside=(IdRef("catheter"),)),
        S("catheter", "Urinary catheter and fluid balance", "procedure", group="treat",
          summary="Hourly urine output."),
        S("source-control", "Source control", "surgery", group="treat",
          summary="Drain abscess or remove infected device.", next=(T("ward"),)),
        S("critical-care", "Refer to critical care", "referral", summary="Call the critical care outreach team."),
        S("ward", "Admit to ward", "outcome", summary="Continue the sepsis care bundle on the ward."),
        S("discharge", "Discharge with safety-netting advice", "outcome",
          summary="Give written advice on when to return."),
    )
    return Pathway(id="sepsis", title="Suspected sepsis in adults", version="1.0", status="draft",
                   start="triage", stages=stages,
                   groups=(Group("ed", "Emergency department"), Group("treat", "Treatment")))


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; UPDATE_GOLDENS=1 rewrites it (then look at the diff!)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDENS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with UPDATE_GOLDENS=1 and review"


def test_overview_golden() -> None:
    check_golden("overview-sepsis.dot", overview_dot(sample(), href))


def test_neighbourhood_golden() -> None:
    check_golden("neighbourhood-reassess.dot", neighbourhood_dot(sample(), "reassess", href))


def test_output_is_deterministic() -> None:
    assert overview_dot(sample(), href) == overview_dot(sample(), href)
    assert groups_map_dot(sample(), href) == groups_map_dot(sample(), href)


def _node_ids(dot: str) -> list[str]:
    return re.findall(r'\[id="(stage-[^"]+)"', dot)


def test_overview_has_one_linked_node_per_stage_and_clusters() -> None:
    dot = overview_dot(sample(), href)
    assert sorted(_node_ids(dot)) == sorted(f"stage-{s.id}" for s in sample().stages)
    for s in sample().stages:
        assert f'URL="{href(s.id)}"' in dot
    assert 'subgraph "cluster_ed"' in dot and 'label="Emergency department"' in dot
    # The loop back is drawn (its condition a text node on the way), and the self-loop.
    assert '"reassess" -> "decide"' in dot or '"reassess" -> "__cond__edge-reassess--decide"' in dot
    assert '"reassess" -> "reassess"' in dot
    assert dot.count("dir=none, style=dashed") == 2  # each alongside pair once
    assert '"__start__" -> "triage"' in dot


def test_overview_title_is_optional() -> None:
    assert "labelloc" not in overview_dot(sample(), href)
    assert 'label="Suspected sepsis"' in overview_dot(sample(), href, title="Suspected sepsis")


def test_dangling_references_are_left_out() -> None:
    p = Pathway(id="p", title="P", version="1", status="draft", start="a", stages=(
        Stage("a", "A", "assessment", next=(T("missing"),), alongside=(IdRef("nowhere"),)),
        Stage("a", "Duplicate A", "outcome"),
        Stage("b", "B", "no-such-kind"),
    ))
    dot = overview_dot(p, href)
    assert "missing" not in dot and "nowhere" not in dot
    assert "Duplicate A" not in dot
    assert 'style="filled,dashed"' in dot  # unknown kind renders plainly


def test_every_kind_has_a_distinct_shape_for_greyscale() -> None:
    looks = {(s.shape, s.rounded, s.peripheries) for s in palette.KIND_STYLES.values()}
    assert len(looks) == len(KINDS)
    assert palette.KIND_STYLES["decision"].shape == "diamond"
    for s in palette.KIND_STYLES.values():
        for colour in (s.fill, s.border, s.text):
            assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour  # dot 2.43 rejects #abc


def test_legend_covers_every_kind() -> None:
    keys = [i.key for i in palette.legend_items()]
    assert keys[0] == "start" and set(KINDS) <= set(keys)


def test_neighbourhood_shows_only_neighbours_and_marks_the_stage() -> None:
    dot = neighbourhood_dot(sample(), "antibiotics", href)
    assert sorted(_node_ids(dot)) == sorted(
        f"stage-{i}" for i in ("decide", "antibiotics", "critical-care", "source-control", "ward", "fluids")
    )
    assert "YOU ARE HERE" in dot and "penwidth=3" in dot
    assert '{ rank=same; "antibiotics" "fluids"; }' in dot
    with pytest.raises(KeyError):
        neighbourhood_dot(sample(), "nope", href)


def test_neighbourhood_of_start_shows_start_marker() -> None:
    assert '"__start__" -> "triage"' in neighbourhood_dot(sample(), "triage", href)
    assert "__start__" not in neighbourhood_dot(sample(), "ward", href)


@pytest.mark.dot
def test_hostile_title_stays_one_literal_node() -> None:
    title = '"]; x -> y [label="\\N <b>&'
    p = Pathway(id="p", title="P", version="1", status="draft", start="a", stages=(
        Stage("a", title, "assessment", summary=title),
    ))
    svg = render_svgs([overview_dot(p, href)], id_prefixes=["h"])[0]
    root = ET.fromstring(svg.encode())
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert [g.get("id") for g in nodes] == ["h-start", "h-stage-a"]
    texts = ["".join(t.itertext()) for t in nodes[1].iter(f"{SVG}text")]
    assert " ".join(texts) == title  # wrapped lines rejoin to the literal title
    assert next(nodes[1].iter(f"{SVG}a")).get(f"{XLINK}title") == title


def _big(n: int, groups: int) -> Pathway:
    stages = tuple(
        Stage(f"s{i}", f"Stage {i}", "assessment", group=f"g{i * groups // n}" if groups else None,
              next=(T(f"s{i + 1}"),) if i + 1 < n else ())
        for i in range(n)
    )
    return Pathway(id="big", title="Big", version="1", status="draft", start="s0", stages=stages,
                   groups=tuple(Group(f"g{j}", f"Group {j}") for j in range(groups)))


def test_overview_too_large_threshold() -> None:
    assert not overview_is_too_large(_big(OVERVIEW_MAX_STAGES, 4))
    assert overview_is_too_large(_big(OVERVIEW_MAX_STAGES + 1, 4))
    # Without groups a map would be one box, so the overview stays.
    assert not overview_is_too_large(_big(OVERVIEW_MAX_STAGES + 1, 0))


def test_groups_map_counts_stages_and_crossings() -> None:
    dot = groups_map_dot(sample(), lambda g: f"../groups/{g}/")
    assert 'label="Emergency department\\n4 stages"' in dot
    assert 'label="Other stages\\n3 stages"' in dot
    assert '"ed" -> "treat"' in dot and '"treat" -> "__ungrouped__"' in dot
    assert '"ed" -> "ed"' not in dot
    assert 'URL="../groups/ed/"' in dot


def test_group_dot_has_members_and_stubs() -> None:
    dot = group_dot(sample(), "ed", href)
    assert sorted(_node_ids(dot)) == [f"stage-{i}" for i in ("bloods", "decide", "reassess", "triage")]
    assert re.findall(r'\[id="(stub-[^"]+)"', dot) == ["stub-antibiotics", "stub-discharge"]
    assert '"decide" -> "antibiotics"' in dot
    with pytest.raises(KeyError):
        group_dot(sample(), "nope", href)


def _links(svg: str) -> dict[str, str]:
    """Node id -> link target, read from the SVG with an XML parser."""
    root = ET.fromstring(svg.encode())
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            a = next(g.iter(f"{SVG}a"), None)
            out[g.get("id")] = a.get(f"{XLINK}href") if a is not None else None
    return out


@pytest.mark.dot
def test_every_overview_node_links_to_its_stage() -> None:
    p = sample()
    svg = render_svgs([overview_dot(p, href)], id_prefixes=["ov"])[0]
    links = _links(svg)
    for s in p.stages:
        assert links[f"ov-stage-{s.id}"] == href(s.id)
    titles = {f"ov-grouptitle-{g.id}" for g in p.groups}
    # Conditions are drawn as text nodes (so they stay off the group borders), self-loops' apart.
    conditions = {f"ov-cond-{s.id}--{t.to}" for s in p.stages for t in s.next if t.when and s.id != t.to}
    assert conditions
    assert set(links) == {f"ov-stage-{s.id}" for s in p.stages} | {"ov-start"} | titles | conditions
    assert all(links[t] is None for t in titles | conditions)  # headings and conditions, not links


def test_the_return_edge_of_a_two_stage_loop_runs_on_the_left() -> None:
    """A -> B and B -> A drawn alike overprinted each other's conditions (tests/render/test_geometry.py)."""
    p = Pathway(id="p", title="P", version="1", status="draft", start="a", stages=(
        Stage("a", "A", "assessment", next=(T("b", "Unclear"),)),
        Stage("b", "B", "decision", next=(T("a", "Still unclear"), T("b", "Wait"), T("c", "Clear"))),
        Stage("c", "C", "outcome"),
    ))
    for dot in (neighbourhood_dot(p, "a", href), neighbourhood_dot(p, "b", href)):
        lines = {line.split(" [")[0].strip(): line for line in dot.splitlines() if " -> " in line}
        # Exactly one of the pair (the one declared second, drawn upwards) takes the left-hand ports.
        pair = [lines['"a" -> "b"'], lines['"b" -> "a"']]
        assert sum("tailport=w" in e and "headport=w" in e for e in pair) == 1, pair
    # The overview draws each condition as a node on its edge: the return edge leaves b and enters a on the left.
    dot = overview_dot(p, href)
    lines = {line.split(" [")[0].strip(): line for line in dot.splitlines() if " -> " in line}
    assert "tailport=w" in lines['"b" -> "__cond__edge-b--a"'] and "headport=w" in lines['"__cond__edge-b--a" -> "a"']
    assert "port" not in lines['"a" -> "__cond__edge-a--b"'] + lines['"__cond__edge-a--b" -> "b"']  # a comes first
    assert "tailport" not in dot.split('"b" -> "b"')[1].splitlines()[0]  # a self-loop is not one


def test_overview_stacks_a_group_below_the_group_that_leads_into_it() -> None:
    dot = overview_dot(sample(), href)
    # Every stage of "ed" ranks above the title of "treat" (invisible, no pull) ...
    for sid in ("triage", "bloods", "decide", "reassess"):
        assert f'"{sid}" -> "__title__treat" [style=invis, weight=0];' in dot
    # ... but not the other way round, and group titles are nodes so edges route around them.
    assert '-> "__title__ed" [style=invis, weight=0]' not in dot
    assert 'id="grouptitle-treat"' in dot and 'label="Treatment"' in dot


@pytest.mark.dot
def test_all_diagram_kinds_render() -> None:
    p = sample()
    dots = [neighbourhood_dot(p, s.id, href) for s in p.stages]
    dots += [groups_map_dot(p, href), group_dot(p, "ed", href), group_dot(p, "treat", href)]
    svgs = render_svgs(dots)
    assert len(svgs) == len(dots)
    for s, svg in zip(p.stages, svgs):
        assert _links(svg)  # parses, has linked nodes
        assert f"-stage-{s.id}\"" in svg


def test_neighbourhood_puts_alongside_only_stages_in_one_panel() -> None:
    # "fluids" runs alongside "antibiotics" and "catheter" and has no other link to them.
    dot = neighbourhood_dot(sample(), "fluids", href)
    assert dot.count('subgraph "cluster___alongside"') == 1
    panel = dot.split('subgraph "cluster___alongside"')[1].split("\n  }\n")[0]
    for sid in ("antibiotics", "catheter"):
        assert f'"{sid}" [id="stage-{sid}"' in panel  # declared inside the panel, once
        assert dot.count(f'"{sid}" [id="stage-') == 1
    # One dashed link to the panel instead of one arc per stage.
    assert dot.count('lhead="cluster___alongside"') == 1
    assert "along-fluids--antibiotics" not in dot
