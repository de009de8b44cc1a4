"""DOT text for the pathway diagrams: the overview, one stage's neighbourhood,
and, for large pathways, a map of groups plus one diagram per group.

Functions here only build strings (no Graphviz call); ``generator.render.layout``
turns them into SVG.  Output is deterministic: the same pathway gives
byte-identical DOT.  Every node carries a stable ``id`` (``stage-<id>``,
``start``, ``group-<id>``, ``stub-<id>``, ``ext-<pathway>_3a_<stage>``) so the SVG can be tested and styled.

In a library (``library=``), a branch into another pathway (``to: surgery:consult``) leads to a
dashed "Continues in: <pathway> — <stage>" node named ``surgery:consult`` (no stage id has a colon),
linked through ``href("surgery:consult")``; an empty href (the PDF) leaves it unlinked.
Without a library such a branch is left out, as any unknown target.

All user text goes through :mod:`generator.render.dotquote`.  Stages, transitions or
alongside links that point at unknown stage ids are left out: the checks
report them, and a diagram must still render for the author to look at.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable, Mapping

from generator.render import palette
from generator.render.dotquote import attr_list as _attrs
from generator.render.dotquote import digraph_header, html_escape, html_label, quote, wrap, wrapped_label
from generator.core.model import LibraryIndex, Pathway, Stage, split_target
from generator.render.markup import OtherStage, other_stage

Href = Callable[[str], str]

# Above this many stages the site shows a map of groups plus one diagram per
# group instead of one overview.  Chosen for readability, not speed: measured
# with dot 2.43, a branchy 100-stage overview lays out in 0.08 s but is already
# ~1,000 x 8,700 pt; 1,000 stages take 0.5-6 s and are unreadable.
OVERVIEW_MAX_STAGES = 100

EDGE_LABEL_WIDTH = 20

# Font sizes in points (= SVG user units).  The smallest, SMALL_FONT, decides
# how far the site may shrink a chart (svgpost.legible_widths) and the
# smallest print scale of the handbook (7 pt / SMALL_FONT), so nothing is
# smaller than it: edge conditions, the start oval, stubs, "YOU ARE HERE".
SMALL_FONT = 10
NODE_FONT = 12
GROUP_FONT = 13
TITLE_FONT = 15
START_NODE = "__start__"  # not a valid slug, so it cannot clash with a stage

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def dom_id(prefix: str, ident: str) -> str:
    """A stable, XML/HTML-safe id such as ``stage-chest-pain``.

    Valid slugs pass through unchanged; anything else is hex-escaped so two
    different ids never collide.
    """
    return f"{prefix}-{_safe(ident)}"


def _safe(ident: str) -> str:
    return _ID_UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", ident)


def _header(name: str, title: str | None, *, clusters: bool = False) -> list[str]:
    lines = digraph_header(
        name,
        graph={
            "rankdir": "TB",
            "bgcolor": quote(palette.BACKGROUND),
            "fontname": quote(palette.FONT),
            "fontsize": str(GROUP_FONT),
            "nodesep": "0.4",
            "ranksep": "0.5",
            "pad": "0.2",
            # Explicit: layout speed and readability were measured with these.
            "splines": "true",
            "outputorder": "edgesfirst",
        },
        node={
            "fontname": quote(palette.FONT),
            "fontsize": str(NODE_FONT),
            "margin": quote("0.14,0.07"),
            "penwidth": "1.2",
        },
        edge={
            "fontname": quote(palette.FONT),
            "fontsize": str(SMALL_FONT),
            "color": quote(palette.EDGE),
            "fontcolor": quote(palette.EDGE_LABEL),
            "arrowsize": "0.7",
            "penwidth": "1.1",
        },
    )
    if clusters:
        # Rank all nodes globally: without this dot collapses clusters first and
        # may break a loop between groups at a forward edge, putting the start
        # in the middle.  Only here: it is measurably slower on small graphs.
        lines.append("  graph [newrank=true];")
    if title:
        lines.append("  graph " + _attrs({
            "label": wrapped_label(title, 60),
            "labelloc": "t",
            "fontsize": str(TITLE_FONT),
        }) + ";")
    return lines


def _kind_attrs(kind: str) -> dict[str, str]:
    return {k: quote(v) for k, v in palette.style_for(kind).node_attrs().items()}


def _stage_node(stage: Stage, href: Href, *, indent: str = "  ", extra: Mapping[str, str] | None = None,
                label: str | None = None) -> str:
    style = palette.style_for(stage.kind)
    attrs = {
        "id": quote(dom_id("stage", stage.id)),
        "label": label if label is not None else wrapped_label(stage.title or stage.id, style.wrap),
        **_kind_attrs(stage.kind),
        "tooltip": quote(stage.summary or stage.title or stage.id, context="tooltip"),
        "URL": quote(href(stage.id), context="url"),
        "target": quote("_top"),
    }
    attrs.update(extra or {})
    return f"{indent}{quote(stage.id)} {_attrs(attrs)};"


def start_node_attrs() -> dict[str, str]:
    """The DOT attributes of the black 'Start' oval, shared with the visual diff."""
    return {
        "id": quote("start"),
        "label": quote("Start"),
        **{k: quote(v) for k, v in palette.START.node_attrs().items()},
    }


def _start_lines(start: str) -> list[str]:
    node = {
        **start_node_attrs(),
        "fontsize": str(SMALL_FONT),
        "width": "0.6",
        "height": "0.3",
        "margin": quote("0.06,0.02"),
        "tooltip": quote("Start of the pathway", context="tooltip"),
    }
    return [
        f"  {quote(START_NODE)} {_attrs(node)};",
        f"  {quote(START_NODE)} -> {quote(start)} {_attrs({'id': quote('edge-start')})};",
    ]


def _edge(src: str, dst: str, when: str | None, edge_id: str, *, back: bool = False) -> str:
    attrs = {"id": quote(edge_id)}
    if when:
        attrs["label"] = wrapped_label(when, EDGE_LABEL_WIDTH)
    if back:
        # The second edge of a two-stage loop (A -> B, then B -> A) leaves and
        # enters on the left: drawn like the first, dot put the two edges and
        # their conditions side by side in the same narrow gap, touching.  The
        # left, because dot draws self-loops on the right.
        attrs["tailport"] = "w"
        attrs["headport"] = "w"
    return f"  {quote(src)} -> {quote(dst)} {_attrs(attrs)};"


def _edges(items: Iterable[tuple[str, str, str | None, str]],
           via_node: Callable[[str, str], bool] = lambda a, b: False,
           cluster_of: Callable[[str, str], str | None] = lambda a, b: None) -> list[str]:
    """DOT lines for (src, dst, when, id) in order, the return edge of each two-stage loop marked.

    ``via_node(src, dst)``: draw the condition as a node on the edge (``_condition_edge``);
    ``cluster_of(src, dst)``: the group both ends share, whose cluster that node belongs to.
    """
    seen: set[tuple[str, str]] = set()
    lines = []
    for src, dst, when, edge_id in items:
        back = src != dst and (dst, src) in seen
        if when and src != dst and via_node(src, dst):
            lines += _condition_edge(src, dst, when, edge_id, back=back, cluster=cluster_of(src, dst))
        else:
            lines.append(_edge(src, dst, when, edge_id, back=back))
        seen.add((src, dst))
    return lines


def _condition_edge(src: str, dst: str, when: str, edge_id: str, *, back: bool,
                    cluster: str | None = None) -> list[str]:
    """An edge with its condition as a plain-text node halfway.

    dot keeps nodes out of the groups they do not belong to, but not edge
    labels: the condition of an edge leaving a group, or of one that detours
    round a group's other stages, was drawn across the group's border.  Inside
    a group (``cluster``) the node joins that group's cluster, so it is laid
    out inside it.  The arrow keeps the edge's id; the first half is
    ``<id>--from``, the condition ``cond-...``.
    """
    name = f"__cond__{edge_id}"
    node = {
        "id": quote("cond" + edge_id[len("edge"):] if edge_id.startswith("edge") else f"cond-{edge_id}"),
        "label": wrapped_label(when, EDGE_LABEL_WIDTH),
        "shape": "plaintext",
        "fontsize": str(SMALL_FONT),
        "fontcolor": quote(palette.EDGE_LABEL),
        "margin": quote("0.03,0.02"),
        "width": "0",
        "height": "0",
    }
    first = {"id": quote(f"{edge_id}--from"), "arrowhead": "none"}
    second = {"id": quote(edge_id)}
    if back:
        first["tailport"] = "w"
        second["headport"] = "w"
    node_line = f"{quote(name)} {_attrs(node)};"
    if cluster is not None:  # naming the cluster again adds the node to it
        node_line = f"subgraph {quote('cluster_' + cluster)} {{ {node_line} }}"
    return [
        f"  {node_line}",
        f"  {quote(src)} -> {quote(name)} {_attrs(first)};",
        f"  {quote(name)} -> {quote(dst)} {_attrs(second)};",
    ]


def _alongside_edge(a: str, b: str) -> str:
    attrs = {
        "id": quote(f"{dom_id('along', a)}--{_safe(b)}"),
        "dir": "none",
        "style": "dashed",
        "color": quote(palette.ALONGSIDE),
        # minlen=0 rather than constraint=false: the pair may share a rank,
        # so stages running alongside sit side by side instead of floating.
        "minlen": "0",
        "tooltip": quote("Runs alongside", context="tooltip"),
    }
    return f"  {quote(a)} -> {quote(b)} {_attrs(attrs)};"


def _unique_stages(pathway: Pathway) -> list[Stage]:
    """Stages in file order, first of each id (duplicates are a check error)."""
    by_id = pathway.stage_by_id
    return [s for s in pathway.stages if by_id.get(s.id) is s]


def _norm(target: str) -> str:
    """One spelling of a target: 'surgery : consult' is 'surgery:consult' (a local id is unchanged)."""
    ext = split_target(target)
    return f"{ext[0]}:{ext[1]}" if ext else target


def _others(pathway: Pathway, stages: Iterable[Stage], library: LibraryIndex | None) -> dict[str, OtherStage]:
    """The stages of other pathways the branches of ``stages`` lead to, by target, in file order."""
    out: dict[str, OtherStage] = {}
    if library is None:
        return out
    for s in stages:
        for t in s.next:
            other = other_stage(t.to, library, pathway)
            if other is not None:
                out.setdefault(other.target, other)
    return out


def _other_node(other: OtherStage, href: Href, *, indent: str = "  ") -> str:
    """A dashed box for a stage of another pathway, where a branch continues."""
    attrs = {
        "id": quote(dom_id("ext", other.target)),
        "label": quote("Continues in:\n" + "\n".join(wrap(f"{other.pathway_title} — {other.stage_title}", 24))),
        "shape": quote("box"),
        "style": quote("dashed,rounded"),
        "color": quote(palette.ALONGSIDE),
        "fontcolor": quote(palette.EDGE_LABEL),
        "fontsize": str(SMALL_FONT),
        "tooltip": quote(f"Continues in the pathway {other.pathway_title}, at {other.stage_title}", context="tooltip"),
    }
    url = href(other.target)
    if url:
        attrs["URL"] = quote(url, context="url")
        attrs["target"] = quote("_top")
    return f"{indent}{quote(other.target)} {_attrs(attrs)};"


def _edge_ids() -> Callable[[str, str], str]:
    """Stable ids for edges, numbered only when the same pair repeats."""
    seen: Counter[tuple[str, str]] = Counter()

    def make(src: str, dst: str) -> str:
        seen[(src, dst)] += 1
        n = seen[(src, dst)]
        base = f"{dom_id('edge', src)}--{_safe(dst)}"
        return base if n == 1 else f"{base}--{n}"

    return make


def _transition_lines(stages: Iterable[Stage], keep: Callable[[str, str], bool],
                      via_node: Callable[[str, str], bool] = lambda a, b: False,
                      cluster_of: Callable[[str, str], str | None] = lambda a, b: None) -> list[str]:
    make_id = _edge_ids()
    return _edges(((s.id, _norm(t.to), t.when, make_id(s.id, _norm(t.to))) for s in stages for t in s.next
                   if keep(s.id, _norm(t.to))), via_node, cluster_of)


def _alongside_lines(pathway: Pathway, ids: list[str], keep: Callable[[str, str], bool]) -> list[str]:
    """One dashed edge per unordered alongside pair, in file order."""
    order = {sid: i for i, sid in enumerate(ids)}
    lines = []
    for a in ids:
        for b in pathway.alongside_of.get(a, ()):
            if b in order and order[a] < order[b] and keep(a, b):
                lines.append(_alongside_edge(a, b))
    return lines


def _title_node(group_id: str) -> str:
    return f"__title__{group_id}"  # not a valid slug: cannot clash with a stage


def _cluster_open(group_id: str, title: str, indent: str = "  ", *, title_node: bool = False) -> list[str]:
    """Open a group's cluster.

    ``title_node``: the title is a plain-text node on the cluster's top rank
    instead of the cluster's label.  dot routes edges around nodes but
    straight through cluster labels, so an edge entering a group from above
    no longer runs across its title.
    """
    attrs = {
        "id": quote(dom_id("group", group_id)),
        "label": wrapped_label(title, 40),
        "labeljust": "l",
        "style": quote("rounded,filled"),
        "fillcolor": quote(palette.CLUSTER_FILL),
        "color": quote(palette.CLUSTER_BORDER),
        "fontsize": str(GROUP_FONT),
        "fontcolor": quote(palette.TEXT),
    }
    lines = [f"{indent}subgraph {quote('cluster_' + group_id)} {{"]
    if title_node:
        node = {
            "id": quote(dom_id("grouptitle", group_id)),
            "label": attrs.pop("label"),
            "shape": "plaintext",
            "fontsize": str(GROUP_FONT),
            "fontcolor": quote(palette.TEXT),
            "margin": quote("0.04,0.02"),
            "height": "0.3",
        }
        attrs["label"] = quote("")
        lines.append(f"{indent}  graph " + _attrs(attrs) + ";")
        lines.append(f"{indent}  {quote(_title_node(group_id))} {_attrs(node)};")
        return lines
    lines.append(f"{indent}  graph " + _attrs(attrs) + ";")
    return lines


def overview_is_too_large(pathway: Pathway) -> bool:
    """True when the site should show ``groups_map_dot`` + ``group_dot`` instead of one overview."""
    if len(pathway.stage_by_id) <= OVERVIEW_MAX_STAGES:
        return False
    used = {s.group for s in pathway.stages if s.group in pathway.group_by_id}
    # Without groups the map would be one box: the big overview is still better.
    return len(used) >= 2


def overview_dot(pathway: Pathway, href: Href, *, title: str | None = None,
                 library: LibraryIndex | None = None) -> str:
    """The whole pathway: one linked node per stage, groups as clusters (and, in a library, a box
    for each stage of another pathway a branch continues in)."""
    stages = _unique_stages(pathway)
    ids = [s.id for s in stages]
    known = set(ids)
    lines = _header(f"overview-{pathway.id}", title, clusters=True)
    if pathway.start in known:
        # The start marker comes first: dot breaks cycles by a depth-first
        # walk in node order, so loops are drawn as back edges from the start.
        lines += _start_lines(pathway.start)
    groups = pathway.group_by_id
    for g in pathway.groups:
        if groups.get(g.id) is not g:
            continue
        members = [s for s in stages if s.group == g.id]
        if not members:
            continue
        lines += _cluster_open(g.id, g.title, title_node=True)
        lines += [_stage_node(s, href, indent="    ") for s in members]
        title = quote(_title_node(g.id))
        lines.append(f"    {title} -> {{ {' '.join(quote(s.id) for s in members)} }} "
                     + _attrs({"style": "invis"}) + ";")
        for m in members:
            if any(t.to == m.id and t.when for t in m.next):
                lines += _loop_room(m.id)
        lines.append("  }")
    lines += [_stage_node(s, href) for s in stages if s.group not in groups]
    others = _others(pathway, stages, library)
    lines += [_other_node(o, href) for o in others.values()]
    both = lambda a, b: a in known and (b in known or b in others)  # noqa: E731
    group_of = {s.id: s.group if s.group in groups else None for s in stages}
    # Every condition as a node: between groups it stays off their borders, and inside one it stays
    # inside (an edge detouring round the group's other stages carried its label across the border).
    lines += _transition_lines(stages, both, lambda a, b: True,
                               lambda a, b: group_of[a] if group_of[a] is not None and group_of[a] == group_of.get(b) else None)
    lines += _alongside_lines(pathway, ids, both)
    lines += _stacking_lines(pathway, stages)
    start = pathway.stage_by_id.get(pathway.start)
    if start is not None and start.group in groups and any(s.group == start.group for s in stages):
        # The Start oval above its group's title, not beside it.
        lines.append(f"  {quote(START_NODE)} -> {quote(_title_node(start.group))} [style=invis];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _loop_room(stage_id: str) -> list[str]:
    """An invisible point right of a stage with a self-loop, inside its group.

    dot makes room for a self-loop's condition beside the stage but leaves it
    out of the group's box, so the condition was drawn across the border.  A
    flat edge puts the point to the right, beyond the condition.
    """
    pad = quote(f"__loop__{stage_id}")
    return [
        f"    {pad} [shape=point, style=invis, width=0.01, height=0.01, label=\"\"];",
        f"    {{ rank=same; {quote(stage_id)}; {pad}; }}",
        f"    {quote(stage_id)} -> {pad} [style=invis];",
    ]


def _stacking_lines(pathway: Pathway, stages: list[Stage]) -> list[str]:
    """Invisible edges that make the overview read top to bottom, group after group.

    Without them dot starts a group right below the branch that leads into
    it, beside the rest of the earlier group, and the chart becomes a
    diagonal staircase twice as wide as it needs to be.  So when group A (earlier in
    the file) leads into group B and nothing in B leads back into A, every
    stage of A is ranked above B's title.  A group whose stages have no
    transitions at all (care that only runs alongside) is stacked as a column
    instead of a row.  ``weight=0``: they order ranks, they do not pull nodes.
    """
    by_id = pathway.stage_by_id
    group_of = {s.id: s.group for s in stages if s.group in pathway.group_by_id}
    order = {g.id: i for i, g in enumerate(pathway.groups)}
    entries: set[tuple[str, str]] = set()
    for s in stages:
        for t in s.next:
            a, b = group_of.get(s.id), group_of.get(t.to)
            if a is not None and b is not None and a != b and t.to in by_id:
                entries.add((a, b))
    lines: list[str] = []
    invis = _attrs({"style": "invis", "weight": "0"})
    for a, b in sorted(entries, key=lambda ab: (order[ab[0]], order[ab[1]])):
        if (b, a) in entries or order[a] > order[b]:
            continue
        for src in (s.id for s in stages if group_of.get(s.id) == a):
            lines.append(f"  {quote(src)} -> {quote(_title_node(b))} {invis};")
    moving = {s.id for s in stages if s.next} | {t.to for s in stages for t in s.next}
    for g in pathway.groups:
        members = [s.id for s in stages if group_of.get(s.id) == g.id]
        if len(members) > 1 and not moving.intersection(members):
            lines.append("  " + " -> ".join(quote(m) for m in members) + f" {invis};")
    return lines


def neighbourhood_dot(pathway: Pathway, stage_id: str, href: Href, *, library: LibraryIndex | None = None) -> str:
    """One stage with the stages that lead to it, follow it (here or, in a library, in another
    pathway) and run alongside it."""
    by_id = pathway.stage_by_id
    focus = by_id.get(stage_id)
    if focus is None:
        raise KeyError(f"no stage with id {stage_id!r}")
    preds: list[str] = []
    for src, _t in pathway.incoming.get(stage_id, ()):
        if src.id in by_id and src.id not in preds:
            preds.append(src.id)
    succs: list[str] = []
    for t in focus.next:
        if t.to in by_id and t.to not in succs:
            succs.append(t.to)
    along = [a for a in pathway.alongside_of.get(stage_id, ()) if a in by_id]

    lines = _header(f"stage-{stage_id}", None)
    if pathway.start == stage_id:
        lines += _start_lines(stage_id)
    style = palette.style_for(focus.kind)
    title_lines = "<br/>".join(html_escape(line) for line in wrap(focus.title or focus.id, style.wrap))
    focus_label = html_label(f'<font point-size="{SMALL_FONT}"><b>YOU ARE HERE</b></font><br/>{title_lines}')
    # Predecessors are declared before the focus so that, when a stage is both
    # before and after it (a loop), dot's cycle breaking still draws it above.
    before = [sid for sid in preds if sid != stage_id]
    after = [sid for sid in succs + along if sid != stage_id and sid not in before]
    # Alongside-only stages go in a "Runs alongside" panel beside the focus,
    # stacked, with one dashed link to the panel: separate dashed arcs to each
    # crossed over the condition labels and were hard to read.
    side = [a for a in along if a not in preds and a not in succs and a != stage_id]
    lines += [_stage_node(by_id[sid], href) for sid in before]
    lines.append(_stage_node(focus, href, label=focus_label, extra={
        "penwidth": "3",
        "color": quote(palette.HIGHLIGHT_BORDER),
        # Room for the "YOU ARE HERE" line inside box3d/diamond outlines.
        "margin": quote("0.2,0.12"),
    }))
    lines += [_stage_node(by_id[sid], href) for sid in dict.fromkeys(after) if sid not in side]
    others = _others(pathway, [focus], library)
    lines += [_other_node(o, href) for o in others.values()]
    if side:
        lines += _alongside_panel(stage_id, side, by_id, href)
    make_id = _edge_ids()
    edges = [(src.id, stage_id, t.when, make_id(src.id, stage_id))
             for src, t in pathway.incoming.get(stage_id, ()) if src.id in by_id and src.id != stage_id]
    edges += [(stage_id, _norm(t.to), t.when, make_id(stage_id, _norm(t.to))) for t in focus.next
              if t.to in by_id or _norm(t.to) in others]
    lines += _edges(edges)
    for a in along:
        if a not in side:
            lines.append(_alongside_edge(stage_id, a))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _alongside_panel(focus_id: str, side: list[str], by_id: Mapping[str, Stage], href: Href) -> list[str]:
    """A dashed cluster of the stages running alongside ``focus_id``, linked to it once."""
    lines = [
        "  graph [newrank=true, compound=true];",
        f"  subgraph {quote('cluster___alongside')} {{",
        "    graph " + _attrs({
            "id": quote("alongside"),
            "label": quote("Runs alongside"),
            "labeljust": "l",
            "style": quote("rounded,dashed"),
            "color": quote(palette.ALONGSIDE),
            "fontsize": str(SMALL_FONT),
            "fontcolor": quote(palette.TEXT),
        }) + ";",
    ]
    lines += [_stage_node(by_id[sid], href, indent="    ") for sid in side]
    if len(side) > 1:  # stack them in file order
        lines.append("    " + " -> ".join(quote(s) for s in side) + " [style=invis];")
    lines.append("  }")
    lines.append(f"  {{ rank=same; {quote(focus_id)} {quote(side[0])}; }}")
    attrs = {
        "id": quote(f"{dom_id('along', focus_id)}--panel"),
        "dir": "none",
        "style": "dashed",
        "color": quote(palette.ALONGSIDE),
        "lhead": quote("cluster___alongside"),
        "minlen": "2",
        "tooltip": quote("Runs alongside", context="tooltip"),
    }
    lines.append(f"  {quote(focus_id)} -> {quote(side[0])} {_attrs(attrs)};")
    return lines


def _group_of(pathway: Pathway, stage: Stage) -> str | None:
    return stage.group if stage.group in pathway.group_by_id else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def groups_map_dot(pathway: Pathway, href_group: Href, *, title: str | None = None) -> str:
    """A collapsed map: one linked node per group, arrows where transitions cross groups.

    Stages without a (known) group are shown as one unlinked "Other stages" node.
    """
    stages = _unique_stages(pathway)
    by_id = pathway.stage_by_id
    counts = Counter(_group_of(pathway, s) for s in stages)
    node_name = lambda gid: gid if gid is not None else "__ungrouped__"  # noqa: E731
    lines = _header(f"groups-{pathway.id}", title)
    start = by_id.get(pathway.start)
    if start is not None:
        lines += _start_lines(node_name(_group_of(pathway, start)))
    box = {"shape": quote("box"), "style": quote("rounded,filled"), "fillcolor": quote(palette.CLUSTER_FILL),
           "color": quote(palette.CLUSTER_BORDER), "fontcolor": quote(palette.TEXT), "penwidth": "1.5"}
    for g in pathway.groups:
        if pathway.group_by_id.get(g.id) is not g or not counts.get(g.id):
            continue
        attrs = {
            "id": quote(dom_id("group", g.id)),
            "label": quote("\n".join(wrap(g.title, 24)) + "\n" + _plural(counts[g.id], "stage")),
            **box,
            "tooltip": quote(f"{g.title}: {_plural(counts[g.id], 'stage')}", context="tooltip"),
            "URL": quote(href_group(g.id), context="url"),
            "target": quote("_top"),
        }
        lines.append(f"  {quote(g.id)} {_attrs(attrs)};")
    if counts.get(None):
        attrs = {"id": quote("group-ungrouped"),
                 "label": quote("Other stages\n" + _plural(counts[None], "stage")), **box}
        lines.append(f"  {quote(node_name(None))} {_attrs(attrs)};")
    crossings: Counter[tuple[str, str]] = Counter()
    for s in stages:
        for t in s.next:
            if t.to in by_id:
                a, b = node_name(_group_of(pathway, s)), node_name(_group_of(pathway, by_id[t.to]))
                if a != b:
                    crossings[(a, b)] += 1
    for (a, b), n in crossings.items():  # insertion order = file order
        attrs = {
            "id": quote(f"{dom_id('edge', a)}--{_safe(b)}"),
            "penwidth": f"{min(1.1 + 0.4 * (n - 1), 4):.1f}",
            "tooltip": quote(_plural(n, "transition"), context="tooltip"),
        }
        lines.append(f"  {quote(a)} -> {quote(b)} {_attrs(attrs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def group_dot(pathway: Pathway, group_id: str, href: Href, *, title: str | None = None,
              library: LibraryIndex | None = None) -> str:
    """One group's stages, plus dashed stub nodes for neighbours in other groups (and other pathways)."""
    if group_id not in pathway.group_by_id:
        raise KeyError(f"no group with id {group_id!r}")
    stages = _unique_stages(pathway)
    by_id = pathway.stage_by_id
    members = [s for s in stages if s.group == group_id]
    inside = {s.id for s in members}
    lines = _header(f"group-{group_id}", title)
    if pathway.start in inside:
        lines += _start_lines(pathway.start)
    lines += [_stage_node(s, href) for s in members]

    stubs: list[str] = []
    for s in members:
        stubs += [t.to for t in s.next if t.to in by_id and t.to not in inside]
        stubs += [src.id for src, _t in pathway.incoming.get(s.id, ()) if src.id in by_id and src.id not in inside]
        stubs += [a for a in pathway.alongside_of.get(s.id, ()) if a in by_id and a not in inside]
    for sid in dict.fromkeys(stubs):
        other = by_id[sid]
        gid = _group_of(pathway, other)
        where = pathway.group_by_id[gid].title if gid else "another part of the pathway"
        attrs = {
            "id": quote(dom_id("stub", sid)),
            "label": quote("\n".join(wrap(other.title or sid, 22)) + "\n(" + "\n".join(wrap(where, 24)) + ")"),
            "shape": quote("box"),
            "style": quote("dashed,rounded"),
            "color": quote(palette.ALONGSIDE),
            "fontcolor": quote(palette.EDGE_LABEL),
            "fontsize": str(SMALL_FONT),
            "tooltip": quote(f"{other.title} (in {where})", context="tooltip"),
            "URL": quote(href(sid), context="url"),
            "target": quote("_top"),
        }
        lines.append(f"  {quote(sid)} {_attrs(attrs)};")
    others = _others(pathway, members, library)
    lines += [_other_node(o, href) for o in others.values()]
    shown = inside | set(stubs) | set(others)
    # Transitions with at least one end inside the group.
    touching = lambda a, b: (a in inside or b in inside) and a in shown and b in shown  # noqa: E731
    sources = members + [by_id[sid] for sid in dict.fromkeys(stubs)]
    lines += _transition_lines(sources, touching)
    lines += _alongside_lines(pathway, [s.id for s in sources], touching)
    lines.append("}")
    return "\n".join(lines) + "\n"
