"""The laid-out flowcharts, measured: no label on another label or on a node, no edge across a group title.

Every diagram the site would show (overview or group map and group charts, and
one chart per stage) is laid out with Graphviz for the seed, a 300-stage
synthetic pathway, the loops fixture and a fixture of two-stage loops and
self-loops, then read back from the SVG:

* a text's box is estimated with a font metric: the advance widths of DejaVu
  Sans (the font "Helvetica,sans-Serif" resolves to on Debian, in Graphviz
  and in Chromium alike, and wider than Helvetica, Arial or Liberation Sans)
  plus ``MARGIN``; without the font file, 0.6 x font size per character
  (``CHAR_WIDTH``, wider still).  Boxes run from 0.8 em above the baseline to
  0.2 em below it.  Texts of one node, edge or cluster form one label and are
  not compared with each other;
* a node is its outline (polygon, path points or ellipse);
* an edge is its spline, sampled along the Bezier curves;
* a group (cluster) is the bounding box of its outline: a label lies inside
  it or outside it, never across its border.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from benchmarks.synth import generate
from generator.core.model import Pathway
from generator.core.pipeline import check_text
from generator.render import diagrams as d
from generator.render import presentation as pres
from generator.render.layout import render_svgs

pytestmark = pytest.mark.dot

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pathways"
SVG = "{http://www.w3.org/2000/svg}"
CHAR_WIDTH = 0.6  # em per character, when the font file is missing: a deliberately generous estimate
MARGIN = 1.05  # rendering differences (hinting, kerning) between Graphviz and browsers
FONTS = Path("/usr/share/fonts/truetype/dejavu")
ASCENT, DESCENT = 0.8, 0.2
# Boxes that merely touch are not an overlap (dot packs labels edge to edge).
TOLERANCE = 0.5

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Label:
    owner: str
    text: str
    box: Box


@dataclass(frozen=True)
class Node:
    owner: str
    outlines: tuple[tuple[tuple[float, float], ...], ...]


def _points(text: str) -> list[tuple[float, float]]:
    nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return list(zip(nums[0::2], nums[1::2]))


@lru_cache(maxsize=None)
def _advances(bold: bool) -> tuple[dict[int, float], float] | None:
    """(advance width in em by code point, em of a missing glyph) for DejaVu Sans, or None."""
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        return None
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    upm = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    return {cp: hmtx[name][0] / upm for cp, name in font.getBestCmap().items()}, CHAR_WIDTH


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Estimated drawn width of ``text`` (see the module docstring)."""
    metric = _advances(bold)
    if metric is None:
        return CHAR_WIDTH * font_size * len(text)
    widths, missing = metric
    return MARGIN * font_size * sum(widths.get(ord(c), missing) for c in text)


def _text_box(el: ET.Element) -> Box:
    fs = float(el.get("font-size", "14"))
    x, y = float(el.get("x", "0")), float(el.get("y", "0"))
    w = text_width((el.text or "").strip(), fs, bold=el.get("font-weight") == "bold")
    anchor = el.get("text-anchor", "start")
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return (x0, y - ASCENT * fs, x0 + w, y + DESCENT * fs)


def _bezier(d_attr: str) -> list[tuple[float, float]]:
    """Points along a Graphviz edge path ``M p C p p p p p p ...``."""
    pts = _points(d_attr)
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(1, 13):
            t = k / 12
            a, b, c, e = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
    return out


def parse(svg: str) -> tuple[list[Label], list[Node], list[tuple[str, list[tuple[float, float]]]], list[Label],
                             list[tuple[str, Box]]]:
    """(labels, nodes, edge splines, group titles, group outlines) of a Graphviz SVG."""
    root = ET.fromstring(svg)
    clusters: list[tuple[str, Box]] = []
    labels: list[Label] = []
    nodes: list[Node] = []
    edges: list[tuple[str, list[tuple[float, float]]]] = []
    titles: list[Label] = []
    for g in root.iter(f"{SVG}g"):
        cls, owner = g.get("class"), g.get("id", "")
        if cls not in ("node", "edge", "cluster"):
            continue
        for t in g.iter(f"{SVG}text"):
            label = Label(owner, (t.text or "").strip(), _text_box(t))
            labels.append(label)
            if cls == "cluster" or "grouptitle-" in owner:
                titles.append(label)
        if cls == "node" and "grouptitle-" not in owner:
            outlines = [tuple(_points(p.get("points", ""))) for p in g.iter(f"{SVG}polygon")]
            outlines += [tuple(_points(p.get("d", ""))) for p in g.iter(f"{SVG}path")]
            for e in g.iter(f"{SVG}ellipse"):
                cx, cy, rx, ry = (float(e.get(k, "0")) for k in ("cx", "cy", "rx", "ry"))
                outlines.append(tuple((cx + rx * math.cos(a / 16 * math.pi), cy + ry * math.sin(a / 16 * math.pi))
                                      for a in range(32)))
            nodes.append(Node(owner, tuple(o for o in outlines if len(o) >= 3)))
        if cls == "edge":
            for p in g.iter(f"{SVG}path"):
                edges.append((owner, _bezier(p.get("d", ""))))
        if cls == "cluster":
            pts = [pt for p in g.iter(f"{SVG}path") for pt in _points(p.get("d", ""))]
            pts += [pt for p in g.iter(f"{SVG}polygon") for pt in _points(p.get("points", ""))]
            if pts:
                xs, ys = [x for x, _ in pts], [y for _, y in pts]
                clusters.append((owner, (min(xs), min(ys), max(xs), max(ys))))
    return labels, nodes, edges, titles, clusters


def _shrink(b: Box) -> Box:
    return (b[0] + TOLERANCE, b[1] + TOLERANCE, b[2] - TOLERANCE, b[3] - TOLERANCE)


def boxes_overlap(a: Box, b: Box) -> bool:
    a, b = _shrink(a), _shrink(b)
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(p: tuple[float, float], poly: tuple[tuple[float, float], ...]) -> bool:
    x, y = p
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def _in_box(p: tuple[float, float], b: Box) -> bool:
    return b[0] < p[0] < b[2] and b[1] < p[1] < b[3]


def box_hits_outline(b: Box, poly: tuple[tuple[float, float], ...]) -> bool:
    """True when a text box and a node outline overlap (sampled: corners, edge midpoints, centre, vertices)."""
    b = _shrink(b)
    xs, ys = (b[0], (b[0] + b[2]) / 2, b[2]), (b[1], (b[1] + b[3]) / 2, b[3])
    if any(_inside((x, y), poly) for x in xs for y in ys):
        return True
    return any(_in_box(p, b) for p in poly)


def problems(svg: str) -> list[str]:
    """Every overlap in one laid-out SVG, in words."""
    labels, nodes, edges, titles, clusters = parse(svg)
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if a.owner != b.owner and boxes_overlap(a.box, b.box):
                out.append(f"label {a.text!r} ({a.owner}) overlaps label {b.text!r} ({b.owner})")
    for lab in labels:
        for node in nodes:
            if node.owner != lab.owner and any(box_hits_outline(lab.box, o) for o in node.outlines):
                out.append(f"label {lab.text!r} ({lab.owner}) overlaps node {node.owner}")
    for lab in labels:
        for owner, c in clusters:
            b = _shrink(lab.box)
            inside = c[0] <= b[0] and b[2] <= c[2] and c[1] <= b[1] and b[3] <= c[3]
            if boxes_overlap(lab.box, c) and not inside:
                out.append(f"label {lab.text!r} ({lab.owner}) lies across the border of group {owner}")
    for owner, pts in edges:
        for t in titles:
            if any(_in_box(p, _shrink(t.box)) for p in pts):
                out.append(f"edge {owner} runs across the group title {t.text!r}")
    return out


# --------------------------------------------------------------------------- the pathways


def _load(text: str, name: str) -> Pathway:
    result = check_text(text, name)
    assert result.pathway is not None and not result.has_errors(), name
    return result.pathway


@lru_cache(maxsize=None)
def pathway(name: str) -> Pathway:
    if name == "seed":
        return _load((REPO / "pathway.yaml").read_text(encoding="utf-8"), "pathway.yaml")
    if name == "synthetic-300":
        return _load(generate(300), "synthetic.yaml")
    return _load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"), f"{name}.yaml")


def site_dots(p: Pathway) -> dict[str, str]:
    """Every flowchart the site shows for ``p``, by a name for messages."""
    href = lambda sid: f"../stages/{sid}/"  # noqa: E731
    plan = pres.plan_diagrams(p)
    dots = {}
    if plan.overview:
        dots["overview"] = d.overview_dot(p, href)
    if plan.group_map:
        dots["map"] = d.groups_map_dot(p, lambda gid: f"groups/{gid}/")
        dots.update({f"group {gid}": d.group_dot(p, gid, href) for gid in plan.groups})
    dots.update({f"stage {sid}": d.neighbourhood_dot(p, sid, href) for sid in plan.stages})
    return dots


@lru_cache(maxsize=None)
def laid_out(name: str) -> dict[str, str]:
    dots = site_dots(pathway(name))
    return dict(zip(dots, render_svgs(list(dots.values()))))


PATHWAYS = ["seed", "loops", "two-stage-loops", pytest.param("synthetic-300", marks=pytest.mark.slow)]


@pytest.mark.parametrize("name", PATHWAYS)
def test_no_label_overlaps_a_label_a_node_or_a_group_border_and_no_edge_crosses_a_group_title(name: str) -> None:
    found = {chart: probs for chart, svg in laid_out(name).items() if (probs := problems(svg))}
    assert not found, "\n".join(f"{chart}: {p}" for chart, probs in found.items() for p in probs)


def test_the_two_stage_loops_fixture_has_the_shapes_it_promises() -> None:
    p = pathway("two-stage-loops")
    pairs = {(s.id, t.to) for s in p.stages for t in s.next}
    assert {("assess", "review"), ("review", "assess")} <= pairs
    assert {("treat", "observe"), ("observe", "treat")} <= pairs
    assert ("observe", "observe") in pairs


# --------------------------------------------------------------------------- the checker can fail


def _svg(body: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>'


def test_the_checker_finds_two_labels_on_top_of_each_other() -> None:
    svg = _svg('<g id="e1" class="edge"><text x="100" y="50" font-size="10" text-anchor="middle">Still unwell</text></g>'
               '<g id="e2" class="edge"><text x="104" y="52" font-size="10" text-anchor="middle">Improved</text></g>')
    assert problems(svg) == ["label 'Still unwell' (e1) overlaps label 'Improved' (e2)"]


def test_the_checker_finds_a_label_on_a_node_but_not_a_nodes_own_text() -> None:
    node = ('<g id="n1" class="node"><polygon points="0,0 100,0 100,-30 0,-30 0,0"/>'
            '<text x="50" y="-10" font-size="12" text-anchor="middle">Triage</text></g>')
    assert problems(_svg(node)) == []
    edge = '<g id="e1" class="edge"><text x="95" y="-12" font-size="10" text-anchor="start">Yes</text></g>'
    assert problems(_svg(node + edge)) == ["label 'Yes' (e1) overlaps node n1"]


def test_the_checker_finds_an_edge_across_a_group_title() -> None:
    svg = _svg('<g id="c1" class="cluster"><text x="60" y="-100" font-size="12" text-anchor="middle">Treatment</text></g>'
               '<g id="e1" class="edge"><path d="M60,-140C60,-120 60,-110 60,-80"/></g>')
    assert problems(svg) == ["edge e1 runs across the group title 'Treatment'"]


def test_labels_side_by_side_are_not_an_overlap() -> None:
    svg = _svg('<g id="e1" class="edge"><text x="0" y="0" font-size="10">Yes</text></g>'
               '<g id="e2" class="edge"><text x="18" y="0" font-size="10">No</text></g>')
    assert problems(svg) == []


def test_the_checker_finds_a_label_across_a_group_border() -> None:
    cluster = '<g id="c1" class="cluster"><path d="M0,-100C0,-100 200,-100 200,-100 200,0 0,0 0,-100"/></g>'
    across = '<g id="e1" class="edge"><text x="0" y="-50" font-size="10" text-anchor="middle">Significant relief</text></g>'
    inside = '<g id="e2" class="edge"><text x="100" y="-50" font-size="10" text-anchor="middle">No relief</text></g>'
    assert problems(_svg(cluster + across + inside)) == ["label 'Significant relief' (e1) lies across the border of group c1"]
