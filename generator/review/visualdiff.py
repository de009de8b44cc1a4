"""The diff as a picture: the new pathway with added, changed and removed steps marked.

Two renderings of one model (``diff_graph``):

* ``dot(...)`` — Graphviz DOT for ``pathway diff --svg`` (laid out by
  ``generator.render.layout``); shapes come from ``generator.render.palette``, all text goes
  through ``generator.render.dotquote``;
* ``mermaid(...)`` — a ``flowchart TD`` for the pull-request comment, which
  GitHub draws inline.

Colour is never the only signal: added things are drawn bold with a "+ added"
marker, changed ones with a double border and "~ changed", removed ones dashed
with "− removed" (DOT cannot strike text through; Mermaid also gets ``<s>``).
Pure string building, deterministic, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.render import palette
from generator.render.diagrams import START_NODE, dom_id, start_node_attrs
from generator.review.changes import PathwayDiff
from generator.review.compare import match_branches
from generator.render.dotquote import attr_list as _attrs
from generator.render.dotquote import clean, digraph_header, quote, wrap
from generator.core.model import Pathway

ADDED, CHANGED, REMOVED, SAME = "added", "changed", "removed", "same"
STATUSES: tuple[str, ...] = (ADDED, CHANGED, REMOVED, SAME)

MARKERS = {ADDED: "+ added", CHANGED: "~ changed", REMOVED: "− removed", SAME: ""}
EDGE_MARKS = {ADDED: "+", CHANGED: "~", REMOVED: "−", SAME: ""}
LEGEND_TEXT = {
    ADDED: "+ added: new step or arrow",
    CHANGED: "~ changed: step or condition edited",
    REMOVED: "− removed: no longer in the pathway",
    SAME: "unchanged",
}


@dataclass(frozen=True)
class Look:
    """How one change status is drawn."""

    fill: str
    border: str
    text: str
    pen: str  # DOT style word for the border/line: bold | solid | dashed
    width: str  # pen width
    peripheries: int


# Okabe–Ito bluish green and orange, darkened for contrast on light fills.
LOOKS: dict[str, Look] = {
    ADDED: Look("#dcf2e6", "#00704f", "#1a1a1a", "bold", "3", 1),
    CHANGED: Look("#fdefd2", "#a65f00", "#1a1a1a", "solid", "2", 2),
    REMOVED: Look("#eeeeee", "#7a7a7a", "#555555", "dashed", "1.6", 1),
    SAME: Look("#ffffff", "#9a9a9a", "#333333", "solid", "1", 1),
}

START_ID = START_NODE

# GitHub stops drawing Mermaid charts beyond ~50 000 characters / 500 edges;
# above this many steps the chart keeps only changed steps and their neighbours.
MERMAID_MAX_NODES = 80


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    kind: str
    status: str
    aspects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    status: str
    when: str | None = None
    old_when: str | None = None  # for a changed condition
    alongside: bool = False  # "runs alongside": an undirected dotted line, not a way forward


@dataclass(frozen=True)
class DiffGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    start: str | None  # the new start stage, if it exists


def diff_graph(old: Pathway, new: Pathway, diff: PathwayDiff) -> DiffGraph:
    """Nodes: the new pathway's stages plus removed ones; edges: new, kept and removed transitions."""
    aspects: dict[str, list[str]] = {}
    for ch in diff.changes:
        word = ch.kind.aspect  # which part of the step changed, for the "~ changed: facts" line
        if word and ch.stage and not ch.consequence:
            lst = aspects.setdefault(ch.stage, [])
            if word not in lst:
                lst.append(word)
    nodes: list[Node] = []
    for s in new.stage_by_id.values():
        if s.id not in old.stage_by_id:
            status = ADDED
        elif aspects.get(s.id):
            status = CHANGED
        else:
            status = SAME
        nodes.append(Node(s.id, s.title, s.kind, status, tuple(aspects.get(s.id, ()))))
    for s in old.stage_by_id.values():
        if s.id not in new.stage_by_id:
            nodes.append(Node(s.id, s.title, s.kind, REMOVED))
    known = {n.id for n in nodes}

    edges: list[Edge] = []
    if new.start in known:
        edges.append(Edge(START_ID, new.start, SAME if old.start == new.start else ADDED))
    if old.start != new.start and old.start in known:
        edges.append(Edge(START_ID, old.start, REMOVED))
    for s in new.stage_by_id.values():
        o = old.stage_by_id.get(s.id)
        if o is None:
            edges += [Edge(s.id, t.to, ADDED, t.when) for t in s.next]
            continue
        m = match_branches(o.next, s.next)
        edges += [Edge(s.id, to, SAME, when) for to, when in m.same]
        for (oto, owhen), (nto, nwhen) in m.pairs:
            if oto == nto:
                edges.append(Edge(s.id, nto, CHANGED, nwhen, owhen))
            else:  # retargeted: the old arrow goes, a new one comes
                edges.append(Edge(s.id, nto, ADDED, nwhen))
                edges.append(Edge(s.id, oto, REMOVED, owhen))
        edges += [Edge(s.id, to, ADDED, when) for to, when in m.added]
        edges += [Edge(s.id, to, REMOVED, when) for to, when in m.removed]
    for o in old.stage_by_id.values():
        if o.id not in new.stage_by_id:
            edges += [Edge(o.id, t.to, REMOVED, t.when) for t in o.next]
    edges += _alongside_edges(old, new)
    # Arrows to ids that are no stage at all are reported by the checks, not drawn.
    edges = [e for e in edges if e.dst in known and (e.src in known or e.src == START_ID)]
    return DiffGraph(tuple(nodes), tuple(edges), new.start if new.start in known else None)


def _pairs(p: Pathway) -> dict[frozenset[str], tuple[str, str]]:
    out: dict[frozenset[str], tuple[str, str]] = {}
    for s in p.stages:
        for other in p.alongside_of.get(s.id, ()):
            out.setdefault(frozenset((s.id, other)), (s.id, other))
    return out


def _alongside_edges(old: Pathway, new: Pathway) -> list[Edge]:
    before, after = _pairs(old), _pairs(new)
    edges = [Edge(a, b, SAME if key in before else ADDED, alongside=True) for key, (a, b) in after.items()]
    edges += [Edge(a, b, REMOVED, alongside=True) for key, (a, b) in before.items() if key not in after]
    return edges


def node_lines(node: Node, width: int) -> list[str]:
    """Label lines: the change marker (with what changed), then the wrapped title."""
    lines = []
    if node.status == CHANGED and node.aspects:
        lines.append(f"~ changed: {', '.join(node.aspects)}")
    elif node.status != SAME:
        lines.append(MARKERS[node.status])
    return lines + wrap(node.title, width)


def edge_text(edge: Edge) -> str:
    """Edge label: marker, the condition, and the old condition when it changed."""
    if edge.alongside:
        return MARKERS[edge.status] + (" alongside" if edge.status != SAME else "")
    if not edge.when:
        return MARKERS[edge.status]  # a bare "+" is too small to notice
    text = " ".join(p for p in (EDGE_MARKS[edge.status], edge.when) if p)
    if edge.status == CHANGED:
        text += f"\n(was: {edge.old_when or 'always'})"
    return text


# --------------------------------------------------------------------------
# DOT


def _node_attrs(node: Node) -> dict[str, str]:
    kind = palette.style_for(node.kind)
    look = LOOKS[node.status]
    style = ["filled"]
    if kind.rounded:
        style.append("rounded")
    if look.pen != "solid":
        style.append(look.pen)
    width = kind.wrap
    return {
        "label": quote("\n".join(node_lines(node, width))),
        "shape": quote(kind.shape),
        "style": quote(",".join(style)),
        "fillcolor": quote(look.fill),
        "color": quote(look.border),
        "fontcolor": quote(look.text),
        "penwidth": look.width,
        "peripheries": str(look.peripheries),
        "id": quote(dom_id("stage", node.id)),
        "class": quote(f"diff_{node.status} kind_{node.kind}"),
        "tooltip": quote(f"{MARKERS[node.status] or 'unchanged'}: {node.title} ({node.kind})", context="tooltip"),
    }


def _edge_attrs(edge: Edge, n: int) -> dict[str, str]:
    look = LOOKS[edge.status]
    colour = look.border if edge.status != SAME else "#777777"
    if edge.status == CHANGED:
        # A ':'-separated colour list draws parallel lines: a double line.
        colour = f"{look.border}:#ffffff:{look.border}"
    attrs = {
        "color": quote(colour),
        "fontcolor": quote(look.border if edge.status != SAME else palette.EDGE_LABEL),
        "penwidth": look.width if edge.status != SAME else "1.2",
        "style": quote(look.pen),
        "id": quote(f"edge-{n}"),
        "class": quote(f"diff_{edge.status}"),
    }
    text = edge_text(edge)
    if text:
        attrs["label"] = quote("\n".join(line for part in text.split("\n") for line in wrap(part, 22)))
    if edge.alongside:
        attrs["dir"] = quote("none")
        attrs["style"] = quote("dashed" if edge.status == REMOVED else "dotted")
    if edge.status == REMOVED or edge.alongside:
        # Removed arrows and "alongside" lines must not pull the new layout around.
        attrs["constraint"] = "false"
    return attrs


def _dot_id(node_id: str) -> str:
    return quote(node_id if node_id == START_ID else f"stage:{node_id}")


def dot(old: Pathway, new: Pathway, diff: PathwayDiff, graph: DiffGraph | None = None) -> str:
    """DOT text of the visual diff, with a legend cluster."""
    g = graph or diff_graph(old, new, diff)
    version = (f"version {clean(old.version)} → {clean(new.version)}" if old.version != new.version
               else f"version {clean(new.version)} (not changed)")
    title = f"Changes to {clean(new.title)}: {version}"
    out = digraph_header(
        "pathway-diff",
        graph={
            "rankdir": "TB",
            "bgcolor": quote(palette.BACKGROUND),
            "fontname": quote(palette.FONT),
            "fontsize": "14",
            "label": quote("\n".join(wrap(title, 70))),
            "labelloc": "t",
            "nodesep": "0.35",
            "ranksep": "0.45",
            "pad": "0.25",
            "outputorder": "edgesfirst",
        },
        node={
            "fontname": quote(palette.FONT),
            "fontsize": "11",
            "margin": quote("0.14,0.07"),
        },
        edge={"fontname": quote(palette.FONT), "fontsize": "9", "arrowsize": "0.8"},
    )
    out += _dot_legend()
    if g.start is not None or any(e.src == START_ID for e in g.edges):
        out.append(f"  {_dot_id(START_ID)} {_attrs(start_node_attrs())};")
    for node in g.nodes:
        out.append(f"  {_dot_id(node.id)} {_attrs(_node_attrs(node))};")
    for n, edge in enumerate(g.edges):
        out.append(f"  {_dot_id(edge.src)} -> {_dot_id(edge.dst)} {_attrs(_edge_attrs(edge, n))};")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_legend() -> list[str]:
    """A 'Key' cluster: one sample box per status, drawn exactly like the real ones."""
    out = [
        f"  subgraph {quote('cluster_legend')} {{",
        "    graph " + _attrs({
            "label": quote("Key to this diagram"),
            "id": quote("legend"),
            "style": quote("rounded"),
            "color": quote(palette.CLUSTER_BORDER),
            "fontsize": "11",
        }) + ";",
    ]
    names = []
    for status in STATUSES:
        look = LOOKS[status]
        style = ["filled"] + ([look.pen] if look.pen != "solid" else [])
        name = quote(f"legend:{status}")
        names.append(name)
        out.append(f"    {name} " + _attrs({
            "label": quote(LEGEND_TEXT[status]),
            "shape": quote("box"),
            "style": quote(",".join(style)),
            "fillcolor": quote(look.fill),
            "color": quote(look.border),
            "fontcolor": quote(look.text),
            "penwidth": look.width,
            "peripheries": str(look.peripheries),
            "fontsize": "10",
            "id": quote(f"legend-{status}"),
            "class": quote(f"legend diff_{status}"),
        }) + ";")
    # One row, in a fixed left-to-right order.
    out.append("    { rank=same; " + " -> ".join(names) + " [style=invis]; }")
    out.append("  }")
    return out


# --------------------------------------------------------------------------
# Mermaid

# Mermaid's own entity codes (``#quot;``, ``#35;``) parse, but Mermaid 11.6
# leaves its internal placeholders in the drawing ("ﬂ°quot¶ß", checked by
# rendering in Chromium), so characters that would be read as syntax or HTML
# become look-alikes that need no escaping.  The exact text is in the tables.
_MERMAID_LOOKALIKES = {
    "<": "＜",
    ">": "＞",
    "&": "＆",
    "#": "＃",  # '#...;' would start an entity code
    "|": "｜",  # ends an edge label
    "`": "ˋ",  # a backtick label is Markdown, and ``` could end the fence on GitHub
    "\\": "∖",
    "{": "｛",
    "}": "｝",
}


def mermaid_text(text: str) -> str:
    """Text for inside a double-quoted Mermaid label: shown literally, one line per newline."""
    out, opening = [], True
    for ch in clean(text):
        if ch == '"':
            # Typographic quotes read better than the entity codes Mermaid fails to draw.
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(_MERMAID_LOOKALIKES.get(ch, ch))
    # '%%' starts a comment or a directive anywhere in the chart.
    return "".join(out).replace("%%", "%\u200b%").replace("\n", "<br/>")


def _label(html: str) -> str:
    """A quoted label; the <span> stops Mermaid reading '+ added' or '1. Triage' as a Markdown list."""
    return f'"<span>{html}</span>"'


_SHAPES = {  # Mermaid node shapes echoing the palette's
    "decision": ("{", "}"),
    "outcome": ("([", "])"),
    "therapy": ("(", ")"),
    "surgery": ("{{", "}}"),
    "referral": (">", "]"),
    "procedure": ("[[", "]]"),
    "investigation": ("[/", "/]"),
}

_MERMAID_LINKS = {SAME: "-->", ADDED: "==>", CHANGED: "==>", REMOVED: "-.->"}
_MERMAID_ALONGSIDE = {SAME: "-.-", ADDED: "===", CHANGED: "===", REMOVED: "-.-"}


def _mermaid_class(status: str) -> str:
    look = LOOKS[status]
    dash = ",stroke-dasharray:6 4" if status == REMOVED else ""
    return f"fill:{look.fill},stroke:{look.border},stroke-width:{look.width}px,color:{look.text}{dash}"


def _focus(g: DiffGraph, limit: int) -> tuple[DiffGraph, int]:
    """For a big pathway keep the changed steps and their neighbours; return the graph and how many were left out."""
    if len(g.nodes) <= limit:
        return g, 0
    keep = {n.id for n in g.nodes if n.status != SAME}
    keep |= {e.src for e in g.edges if e.status != SAME} | {e.dst for e in g.edges if e.status != SAME}
    near = {e.dst for e in g.edges if e.src in keep} | {e.src for e in g.edges if e.dst in keep}
    keep |= near | {START_ID}
    nodes = tuple(n for n in g.nodes if n.id in keep)
    edges = tuple(e for e in g.edges if e.src in keep and e.dst in keep)
    return DiffGraph(nodes, edges, g.start if g.start in keep else None), len(g.nodes) - len(nodes)


def mermaid(old: Pathway, new: Pathway, diff: PathwayDiff, graph: DiffGraph | None = None,
            max_nodes: int = MERMAID_MAX_NODES) -> str:
    """A Mermaid ``flowchart TD`` of the visual diff (without the ``` fence)."""
    g, hidden = _focus(graph or diff_graph(old, new, diff), max_nodes)
    ids = {n.id: f"s{i}" for i, n in enumerate(g.nodes)}
    ids[START_ID] = "st"
    out = ["flowchart TD"]
    out.append('  subgraph key["Key"]')
    out.append("    direction LR")
    for i, status in enumerate(STATUSES):
        out.append(f'    k{i}[{_label(mermaid_text(LEGEND_TEXT[status]))}]:::{status}')
    out.append("  end")
    if any(e.src == START_ID for e in g.edges):
        out.append('  st(["Start"]):::startnode')
    for n in g.nodes:
        lines = [mermaid_text(line) for line in node_lines(n, 1_000)]
        if n.status == REMOVED:
            lines[-1] = f"<s>{lines[-1]}</s>"  # struck through, as well as the marker
        elif n.status in (ADDED, CHANGED):
            lines[0] = f"<b>{lines[0]}</b>"
        left, right = _SHAPES.get(n.kind, ("[", "]"))
        out.append(f"  {ids[n.id]}{left}{_label('<br/>'.join(lines))}{right}:::{n.status}")
    if hidden:
        out.append(f"  more[{_label(f'{hidden} unchanged steps not shown')}]:::same")
    styles = []
    for i, e in enumerate(g.edges):
        text = edge_text(e)
        label = f"|{_label(mermaid_text(text))}|" if text else ""
        link = _MERMAID_ALONGSIDE[e.status] if e.alongside else _MERMAID_LINKS[e.status]
        out.append(f"  {ids[e.src]} {link}{label} {ids[e.dst]}")
        if e.status != SAME:
            look = LOOKS[e.status]
            dash = ",stroke-dasharray:6 4" if e.status == REMOVED else ""
            styles.append(f"  linkStyle {i} stroke:{look.border},stroke-width:{look.width}px,color:{look.border}{dash}")
    out += styles
    for status in STATUSES:
        out.append(f"  classDef {status} {_mermaid_class(status)}")
    st = palette.START
    out.append(f"  classDef startnode fill:{st.fill},stroke:{st.border},color:{st.text}")
    return "\n".join(out) + "\n"
