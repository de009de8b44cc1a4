"""The PDF handbook: pathway model to print HTML (pure), and HTML to PDF (WeasyPrint).

The handbook is a document in its own right, not a print of the website:
title page with document control, contents with page numbers, the overview
flowchart on a landscape page, the stages in the website's navigation order
(``generator.render.presentation.stages_by_group``; short ones share a page, a
stage's head with its "Where this stage sits" flowchart is never split), then
references, glossary and amendment history.  Layout lives in
``assets/print.css``; structure in ``templates/print.html.jinja``.

Dates: the handbook prints one date of its own, labelled for what it is
(``presentation.build_date_label``): "Source dated …" when ``SOURCE_DATE_EPOCH``
is set (CI sets it to the commit date), else "Built …" with the real day of the
build (UTC).  Never a date derived from the pathway's review dates.

Determinism: with ``SOURCE_DATE_EPOCH`` set, WeasyPrint writes no file
identifier and takes its creation date from our ``dcterms.created`` meta, so
two builds of the same input are byte-identical.

Accessibility: the PDF is tagged (PDF/UA-1 variant: structure tree, ``/Lang``
from ``<html lang>``, the title shown as window title, bookmarks from the
headings) and every flowchart carries its text alternative
(``presentation.*_alt``) as the SVG's ``<title>``, which WeasyPrint writes as
the Figure's ``/Alt``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from markupsafe import Markup

from generator import __version__
from generator.render import escape
from generator.render import markup, sanitize
from generator.render import presentation as pres
from generator.core.builddate import BuildDate
from generator.core.errors import PathwayError
from generator.core.files import atomic_write
from generator.core.model import LibraryIndex, Pathway, Stage, split_target

if TYPE_CHECKING:
    from generator.core.library import CrossLink, LibraryResult

# Space left for a flowchart inside the page boxes of print.css, in points
# (1 mm = 72 / 25.4 pt).  The overview goes on an A4 landscape page (15 mm
# side margins: 297 - 30 = 267 mm wide) or a portrait one (210 - 36 = 174 mm),
# whichever draws it larger, keeping ~45 mm for heading, legend and caption.
# A stage diagram sits beside its "comes from / what next" lists: at most
# 110 mm wide (leaving 60 mm for the lists) and 105 mm high.
_MM = 72 / 25.4
OVERVIEW_LANDSCAPE_BOX = (265 * _MM, 125 * _MM)
OVERVIEW_PORTRAIT_BOX = (172 * _MM, 200 * _MM)
STAGE_BOX = (110 * _MM, 105 * _MM)
# A stage diagram too wide for that at 7 pt goes above the lists, across the text width, and one
# too wide for that on a landscape page of its own.
WIDE_STAGE_BOX = (172 * _MM, 150 * _MM)
LANDSCAPE_STAGE_BOX = (265 * _MM, 110 * _MM)
# Never enlarge a graph beyond these: Graphviz lays out 11-14 pt labels, and
# at 0.75 they match the 9.5 pt body text.  The overview may be drawn at
# full size when it is small.
OVERVIEW_MAX_SCALE = 1.0
STAGE_MAX_SCALE = 0.75
# Below this scale the overview's 11 pt labels print under ~3.5 pt, which no
# one can read on paper: a grouped pathway then gets the group map instead,
# plus a flowchart per group.  Only pathways with more stages than this are
# candidates (``presentation.MAP_CANDIDATE_STAGES``; their map and group
# charts are laid out alongside, in the same Graphviz run, so the choice
# costs no second run).
MIN_OVERVIEW_SCALE = 0.3
# Never print a flowchart smaller than this: its smallest text
# (diagrams.SMALL_FONT) stays at 7 pt or more.  Raised above
# MIN_OVERVIEW_SCALE so a grouped overview that would print smaller gets
# the group map.  Enforced on the built PDF by tests/pdf/test_diagram_text_pdf.py.
MIN_PRINT_TEXT_PT = 7.0
PRINT_MIN_SCALE = MIN_PRINT_TEXT_PT / 10  # diagrams.SMALL_FONT, kept import-free
MIN_OVERVIEW_SCALE = max(MIN_OVERVIEW_SCALE, PRINT_MIN_SCALE)
# A full-page chart may exceed its box by this factor at PRINT_MIN_SCALE: the
# boxes keep ~45 mm for heading, legend and caption, and a legend pushed to
# the next page is better than a chart left out.
PAGE_SLACK = 1.1
STATUS_WARNINGS = {
    "draft": "DRAFT: not approved for clinical use.",
    "retired": "RETIRED: this pathway is withdrawn and must not be used for new patients.",
}
CONTROL_LINE = "Uncontrolled when printed"
# WeasyPrint's PDF/UA-1 variant: a tagged PDF 1.7 with the PDF/UA identification in its XMP metadata.
PDF_VARIANT = "pdf/ua-1"


class PdfError(PathwayError):
    """The handbook could not be built (the message is for the user)."""


@dataclass(frozen=True)
class HandbookLibrary:
    """What one pathway's handbook needs of its library (``pres.LibraryLinks``): every pathway's titles and
    the ways into *this* pathway's stages.  Small, so a worker process is not sent the whole library."""

    index: LibraryIndex
    incoming: dict[tuple[str, str], tuple[CrossLink, ...]]

    @classmethod
    def of(cls, library: LibraryResult, pathway_id: str) -> HandbookLibrary:
        return cls(library.index, {k: tuple(v) for k, v in library.incoming.items() if k[0] == pathway_id})


def stage_anchor(stage_id: str) -> str:
    """The in-document anchor of a stage (also the ``href`` given to the diagrams)."""
    return f"stage-{stage_id}"


def stage_href(stage_id: str) -> str:
    return "#" + stage_anchor(stage_id)


def _href(target: str) -> str:
    """``stage_href``, and no link ('') for a stage of another pathway: it is in that pathway's handbook."""
    return "" if split_target(target) else stage_href(target)


def format_date(d: _dt.date | None) -> str:
    """``1 November 2026`` (``presentation.format_date``), or a dash on paper when there is no date."""
    return pres.format_date(d) or "—"


def build_date(source_date_epoch: str | None, *, now: _dt.datetime | None = None) -> BuildDate:
    """The date the handbook prints, and what it is: SOURCE_DATE_EPOCH ("Source dated"), else the clock ("Built").

    ``None`` or an empty string means unset.  ``now`` stands in for the clock
    in tests.  Raises ``PdfError`` for a malformed SOURCE_DATE_EPOCH (read by
    ``generator.core.builddate``, as for the site).
    """
    from generator.core.builddate import SourceDateEpochError, build_date as read_build_date

    try:
        return read_build_date(source_date_epoch or "", now=now)
    except SourceDateEpochError as exc:
        raise PdfError(str(exc)) from None


# --------------------------------------------------------------------------- diagrams


@dataclass(frozen=True)
class Diagrams:
    """Laid-out flowcharts: the overview (or group map), one per stage id, and one
    per group id when the overview is the group map."""

    overview: str
    overview_is_group_map: bool
    stages: dict[str, str]
    groups: dict[str, str] = field(default_factory=dict)


def layout_diagrams(pathway: Pathway, *, cache_dir: str | Path | None = None,
                    library: pres.LibraryLinks | None = None) -> Diagrams:
    """Lay out every flowchart of the handbook with ONE Graphviz process.

    A pathway whose overview would print too small to read (or that the
    diagrams module calls too large) gets the map of its groups instead, plus
    one flowchart per group at the start of that group's pages.
    ``library``: the library the pathway belongs to; a branch into another pathway is drawn as an
    unlinked "Continues in" box.
    Raises ``generator.render.layout.LayoutError`` when Graphviz fails or is missing.
    """
    from generator.render import diagrams
    from generator.render import layout

    plan = pres.plan_diagrams(pathway, may_prefer_map=True)
    index = library.index if library is not None else None
    ids = list(plan.stages)
    group_ids = list(plan.groups)
    too_large = not plan.overview
    may_map = plan.group_map

    dots: list[str] = []
    prefixes: list[str] = []
    if plan.overview:
        dots.append(diagrams.overview_dot(pathway, _href, library=index))
        prefixes.append("ov-")
    if may_map:
        # A group box points at the group's own page.
        dots.append(diagrams.groups_map_dot(pathway, lambda gid: "#" + group_anchor(gid)))
        prefixes.append("map-")
        dots += [diagrams.group_dot(pathway, gid, _href, library=index) for gid in group_ids]
        prefixes += [f"g{i}-" for i in range(len(group_ids))]
    n_extra = len(dots)
    dots += [diagrams.neighbourhood_dot(pathway, sid, _href, library=index) for sid in ids]
    # Every SVG is inlined into one HTML document, so element ids must differ between graphs.
    prefixes += [f"n{i}-" for i in range(len(ids))]
    svgs = layout.render_svgs(dots, cache_dir=cache_dir, id_prefixes=prefixes)
    stages = dict(zip(ids, svgs[n_extra:]))
    if not may_map:
        return Diagrams(svgs[0], False, stages)
    offset = 0 if too_large else 1
    use_map = too_large or _best_fit(svgs[0], OVERVIEW_MAX_SCALE)[1] < MIN_OVERVIEW_SCALE
    if not use_map:
        return Diagrams(svgs[0], False, stages)
    groups = dict(zip(group_ids, svgs[offset + 1 : n_extra]))
    return Diagrams(svgs[offset], True, stages, groups)


def group_anchor(group_id: str) -> str:
    return f"group-{group_id}"


def _best_fit(svg: str, max_scale: float) -> tuple[str, float]:
    """The orientation ('portrait' or 'landscape') that draws ``svg`` largest, and its scale."""
    landscape = fit_scale(svg, OVERVIEW_LANDSCAPE_BOX, max_scale=max_scale)
    portrait = fit_scale(svg, OVERVIEW_PORTRAIT_BOX, max_scale=max_scale)
    return ("portrait", portrait) if portrait > landscape else ("landscape", landscape)


def fit_page(svg: str, max_scale: float = 1.0, *, alt: str = "") -> tuple[str, Markup | None]:
    """A full-page flowchart: its orientation and the SVG sized to fit that page, with ``alt`` as its text alternative.

    None instead of the SVG when the chart fits no page with its text at 7 pt
    or more: it is left out (the template says why) rather than printed too
    small to read.
    """
    orientation, _ = _best_fit(svg, max_scale)
    boxes = {"landscape": OVERVIEW_LANDSCAPE_BOX, "portrait": OVERVIEW_PORTRAIT_BOX}
    # The best orientation first; the slack is for height only (a chart wider than the page is
    # squeezed by the page itself, under 7 pt).
    for choice in (orientation, "portrait" if orientation == "landscape" else "landscape"):
        box = boxes[choice]
        if _wide_enough(svg, box) and fit_scale(svg, box, max_scale=max_scale) * PAGE_SLACK >= PRINT_MIN_SCALE - 1e-9:
            orientation = choice
            break
    else:
        return orientation, None
    return orientation, _figure_svg(svg, box, max_scale, alt)


_SVG_TAG_RE = re.compile(r"<svg\b[^>]*>", re.S)
_ATTR_RE = r'\s{name}\s*=\s*"[^"]*"'
_NUM_RE = re.compile(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?")


def _svg_size(tag: str) -> tuple[float, float] | None:
    """Intrinsic size in points: from the viewBox (Graphviz's units are points), else width/height."""
    m = re.search(r'\sviewBox\s*=\s*"([^"]*)"', tag)
    if m:
        nums = [float(n) for n in _NUM_RE.findall(m.group(1))]
        if len(nums) == 4 and nums[2] > 0 and nums[3] > 0:
            return nums[2], nums[3]
    sizes = []
    for name in ("width", "height"):
        a = re.search(rf'\s{name}\s*=\s*"([\d.]+)(pt|px)?"', tag)
        if not a:
            return None
        value = float(a.group(1)) * (0.75 if a.group(2) == "px" else 1.0)
        sizes.append(value)
    return (sizes[0], sizes[1]) if sizes[0] > 0 and sizes[1] > 0 else None


def fit_scale(svg: str, box: tuple[float, float], *, max_scale: float = 1.0) -> float:
    """The scale ``fit_svg`` would draw ``svg`` at in ``box`` (1.0 when the size is unknown)."""
    m = _SVG_TAG_RE.search(svg)
    size = _svg_size(m.group(0)) if m else None
    if size is None:
        return 1.0
    return min(box[0] / size[0], box[1] / size[1], max_scale)


def fit_svg(svg: str, box: tuple[float, float], *, max_scale: float = 1.0, min_scale: float = 0.0) -> str:
    """The ``<svg>`` element alone, sized to fit ``box`` (points) keeping its aspect ratio.

    Drops the XML declaration and DOCTYPE (not allowed inside HTML) and sets an
    explicit width and height, so a big graph shrinks to the page instead of
    being cut off, and a small one keeps its natural size.
    """
    start = svg.find("<svg")
    if start < 0:
        return ""
    svg = svg[start:]
    m = _SVG_TAG_RE.match(svg)
    if not m:
        return ""
    tag = m.group(0)
    size = _svg_size(tag)
    if size is None:
        return svg
    w, h = size
    # min_scale wins over the box: text too small to read is worse than a wide figure.
    scale = max(min(box[0] / w, box[1] / h, max_scale), min_scale)
    new_tag = re.sub(_ATTR_RE.format(name="width"), "", tag)
    new_tag = re.sub(_ATTR_RE.format(name="height"), "", new_tag)
    if not re.search(r"\sviewBox\s*=", new_tag):
        new_tag = new_tag[:4] + f' viewBox="0 0 {w:.2f} {h:.2f}"' + new_tag[4:]
    new_tag = new_tag[:4] + f' width="{w * scale:.2f}pt" height="{h * scale:.2f}pt"' + new_tag[4:]
    return new_tag + svg[m.end():]


# --------------------------------------------------------------------------- print HTML


def _md(text: str | None, pathway: Pathway, *, location=None, library: LibraryIndex | None = None) -> Markup:
    """A block-Markdown field as safe HTML with ``[[links]]`` pointing at in-document anchors (and
    ``[[pathway-id:stage-id]]`` as text naming the stage and its pathway)."""
    if not text:
        return Markup("")
    safe = pres.block_markdown(text, pathway, _href, location=location, library=library)
    # markup.to_html renders Markdown whose raw HTML generator.render.escape has already escaped,
    # guards its links and sanitizes the result.
    return Markup(markup.to_html(safe))


_ONE_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.S)


def _inline(text: str | None, pathway: Pathway, *, location=None, library: LibraryIndex | None = None) -> Markup:
    """An inline-Markdown field (summary, fact value...) as safe inline HTML, as the site shows it."""
    if not text:
        return Markup("")
    html = markup.to_html(pres.inline_markdown(text, pathway, _href, location=location, library=library)).strip()
    m = _ONE_PARAGRAPH.match(html)
    return Markup(m.group(1) if m else html)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _link(link: pres.StageLink) -> dict:
    return {
        # A stage of another pathway has no anchor here: the template writes its name as text.
        "anchor": None if link.external else stage_anchor(link.stage_id),
        "title": link.label,
        "when": _one_line(link.when) or None,
    }


_ROOT_OPEN_RE = re.compile(r"<svg\b[^>]*>", re.S)


def with_alt(svg: str, alt: str) -> str:
    """``svg`` with ``alt`` as its first child ``<title>``: WeasyPrint's tagged PDF takes a Figure's /Alt from it."""
    m = _ROOT_OPEN_RE.search(svg)
    if not m:
        return svg
    return svg[: m.end()] + f"<title>{escape.html_text(alt)}</title>" + svg[m.end():]


def _wide_enough(svg: str, box: tuple[float, float]) -> bool:
    """True if ``box`` is wide enough for ``svg`` with its text at 7 pt or more (height aside)."""
    return fit_scale(svg, (box[0], 1e9), max_scale=1.0) >= PRINT_MIN_SCALE - 1e-9


def _stage_figure(svg: str | None, alt: str) -> dict[str, Any]:
    """A stage diagram for the page: beside the lists; across the page when it is wide; on a landscape
    page when it is wider; left out (``svg_left_out``) when even that would print it under 7 pt."""
    none = {"svg": None, "svg_wide": False, "svg_landscape": False, "svg_left_out": False}
    if not svg:
        return none
    for box, wide, landscape in ((STAGE_BOX, False, False), (WIDE_STAGE_BOX, True, False),
                                 (LANDSCAPE_STAGE_BOX, True, True)):
        if _wide_enough(svg, box):
            return {**none, "svg": _figure_svg(svg, box, STAGE_MAX_SCALE, alt), "svg_wide": wide,
                    "svg_landscape": landscape}
    return {**none, "svg_left_out": True}


def _figure_svg(svg: str, box: tuple[float, float], max_scale: float, alt: str) -> Markup:
    return Markup(sanitize.clean_html(with_alt(fit_svg(svg, box, max_scale=max_scale, min_scale=PRINT_MIN_SCALE), alt)))


def _stage_view(pathway: Pathway, stage: Stage, svg: str | None, library: pres.LibraryLinks | None = None) -> dict:
    numbers = {r.id: n for n, r in enumerate(pathway.references, start=1)}
    refs = []
    for ref in dict.fromkeys(r.id for r in stage.references):
        entry = pathway.reference_by_id.get(ref)
        if entry is not None:
            refs.append({"title": entry.title, "anchor": f"ref-{ref}", "number": numbers[ref]})
    kind = stage.kind
    index = library.index if library is not None else None
    return {
        "id": stage.id,
        "anchor": stage_anchor(stage.id),
        "title": stage.title,
        "kind_label": pres.kind_label(kind),
        "summary": _inline(stage.summary, pathway, location=stage.field_locs.get("summary"), library=index) or None,
        "body_html": _md(stage.body, pathway, location=stage.field_locs.get("body"), library=index),
        "facts": [(f.label, _inline(f.value, pathway, location=f.loc, library=index)) for f in stage.facts],
        **_stage_figure(svg, pres.neighbourhood_alt(pathway, stage, index)),
        "comes_from": [_link(ln) for ln in pres.comes_from(pathway, stage)],
        "from_other": [_link(ln) for ln in pres.from_other_pathways(library, pathway, stage)],
        "next": [_link(ln) for ln in pres.what_next(pathway, stage, index)],
        "alongside": [_link(ln) for ln in pres.alongside(pathway, stage)],
        "references": refs,
        "is_start": stage.id == pathway.start,
        "decision": _decision_view(pathway, stage, index),
    }


def _decision_view(pathway: Pathway, stage: Stage, library: LibraryIndex | None = None) -> dict | None:
    """A computable decision's table (``pres.decision_table``) with in-document links."""
    table = pres.decision_table(pathway, stage, library)
    if table is None:
        return None
    return {
        "id": table.table_id,
        "order": table.order,
        "order_note": table.order_note,
        "columns": [{"label": c.label, "unit": c.unit, "anchor": input_anchor(c.input_id)} for c in table.columns],
        "rows": [{"number": r.number, "when": _one_line(r.when) or "—", "cells": r.cells, "condition": r.condition,
                  "otherwise": r.otherwise, "target": r.target_id,
                  "anchor": None if split_target(r.target_id) else stage_anchor(r.target_id),
                  "title": r.target_label, "any": pres.ANY} for r in table.rows],
    }


def input_anchor(input_id: str) -> str:
    """The anchor of an input in the handbook's data dictionary."""
    return f"input-{input_id}"


def _data_dictionary(pathway: Pathway) -> list[dict]:
    return [{"anchor": input_anchor(e.id), "id": e.id, "label": e.label, "type": e.type_label, "unit": e.unit,
             "allowed": e.allowed, "description": _one_line(e.description) or None,
             "references": [{"anchor": f"ref-{rid}", "title": title} for rid, title in e.references],
             "used_by": [_link(ln) for ln in e.used_by]} for e in pres.data_dictionary(pathway)]


def _doc_view(pathway: Pathway, built: BuildDate | None, lang: str, library: LibraryIndex | None = None) -> dict:
    gov = pathway.governance
    status = pres.status_label(pathway.status)
    # "Built 2 December 2026" or "Source dated 21 September 2026": the date says what it is.
    date_label = pres.build_date_label(built) if built else None
    control = [
        ("Pathway", pathway.id),
        ("Version", pathway.version),
        ("Status", status),
        ("Owner", gov.owner or "—"),
        ("Authors", "; ".join(gov.authors) or "—"),
        ("Approved by", "; ".join(gov.approved_by) or "—"),
        ("Approved on", format_date(gov.approved_on)),
        ("Last reviewed", format_date(gov.last_reviewed)),
        ("Next review due", format_date(gov.next_review)),
    ]
    if gov.expires:
        control.append(("Expires", format_date(gov.expires)))
    if gov.contact:
        control.append(("Contact", gov.contact))
    if built is not None:
        word = pres.SOURCE_DATED_LABEL if built.from_source else pres.BUILT_LABEL
        control.append((f"Handbook {word.lower()}", format_date(built.when.date())))
    keywords = ["care pathway", pathway.id, f"version {pathway.version}", status]
    keywords += [g.title for g in pathway.groups]
    return {
        "lang": lang,
        "id": pathway.id,
        "title": pathway.title,
        "version": pathway.version,
        "status_label": status,
        "status_warning": STATUS_WARNINGS.get(pathway.status),
        "control_line": CONTROL_LINE + (f" · {date_label}" if date_label else ""),
        "summary_html": _md(pathway.summary, pathway, location=pathway.field_locs.get("summary"), library=library),
        "description": _one_line(pathway.summary) or pathway.title,
        "audience": _one_line(pathway.audience) or None,
        "owner": gov.owner,
        "contact": gov.contact,
        "control": control,
        "keywords": keywords,
        "generator": f"pathway-publisher {__version__}",
        "date_label": date_label,
        "date_from_source": bool(built and built.from_source),
        # W3C date-time for WeasyPrint's dcterms.created -> PDF CreationDate.
        "built_iso": built.when.strftime("%Y-%m-%dT%H:%M:%SZ") if built else None,
        "grouped": bool(pres.group_ids(pathway)),
    }


def _legend() -> list[dict]:
    from generator.render import palette

    return [
        {"label": f"{item.label}: {item.description}", "fill": item.style.fill if item.style else "#ffffff"}
        for item in palette.legend_items()
        if item.style is not None
    ]


def _cited_by(pathway: Pathway) -> dict[str, list[dict]]:
    return {ref: [_link(pres.stage_link(pathway, sid)) for sid in sids]
            for ref, sids in pres.cited_by(pathway).items()}


def print_html(
    pathway: Pathway,
    diagrams: Diagrams,
    *,
    built: BuildDate | None,
    lang: str = "en-GB",
    library: pres.LibraryLinks | None = None,
) -> str:
    """The whole handbook as one self-contained HTML document (pure: no I/O but package data).

    ``library``: the library the pathway belongs to (one handbook per pathway): links and branches into
    another pathway are text naming its stage and pathway, and each stage lists where other pathways lead in.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.pdf", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    css = resources.files("generator.pdf").joinpath("assets/print.css").read_text(encoding="utf-8")
    index = library.index if library is not None else None
    sections: list[dict] = []
    for gid, title, ids in pres.stages_by_group(pathway):
        # The only section of an ungrouped pathway gets no heading of its own.
        group = {"id": gid, "title": title} if gid is not None or len(sections) else None
        if group is not None:
            chart = diagrams.groups.get(gid) if gid is not None else None
            group["anchor"] = group_anchor(gid) if chart and gid is not None else None
            alt = pres.overview_alt(pathway, ids, name=f"Flowchart of {title}", library=index)
            group["orientation"], group["svg"] = fit_page(chart, STAGE_MAX_SCALE, alt=alt) if chart else (None, None)
            if group["svg"] is None:
                group["orientation"] = None
        stages = [_stage_view(pathway, pathway.stage_by_id[sid], diagrams.stages.get(sid), library) for sid in ids]
        sections.append({"group": group, "stages": stages})
    cited = _cited_by(pathway)
    references = [
        {
            "anchor": f"ref-{r.id}",
            "title": r.title,
            "url": escape.safe_url(r.url),
            "cited_by": cited.get(r.id, []),
        }
        for r in pathway.references
    ]
    glossary = [
        {
            "term": g.term,
            "abbr": g.abbr,
            "definition_html": _inline(g.definition, pathway, location=g.field_locs.get("definition"), library=index),
        }
        for g in sorted(pathway.glossary, key=lambda g: g.term.casefold())
    ]
    history = [
        {
            "version": h.version,
            "date": format_date(h.date),
            "summary_html": _inline(h.summary, pathway, location=h.field_locs.get("summary"), library=index),
            "approved_by": "; ".join(h.approved_by) or "—",
        }
        for h in pathway.history
    ]
    if diagrams.overview_is_group_map:
        ov_title = "Overview: the phases of the pathway"
        caption = (
            "This pathway is too large to draw stage by stage on one page, so this map shows its "
            "phases, with the number of stages in each; arrows show where one phase leads to another. "
            "Each phase starts with its own flowchart, and each stage's page shows the stages around it."
        )
    else:
        ov_title = "Overview flowchart"
        caption = (
            "Each box is a stage of the pathway; arrows show what comes next, labelled with the "
            "condition where there is a choice. The contents page lists every stage with its page."
        )
    ov_alt = (pres.groups_map_alt(pathway) if diagrams.overview_is_group_map
              else pres.overview_alt(pathway, library=index))
    orientation, svg = fit_page(diagrams.overview, OVERVIEW_MAX_SCALE, alt=ov_alt)
    overview = {"title": ov_title, "caption": caption, "orientation": orientation, "svg": svg}
    template = env.get_template("print.html.jinja")
    return template.render(
        css=Markup(css),
        doc=_doc_view(pathway, built, lang, index),
        overview=overview,
        legend=_legend(),
        overview_legend=not diagrams.overview_is_group_map,
        sections=sections,
        references=references,
        glossary=glossary,
        history=history,
        data_dictionary=_data_dictionary(pathway),
    )


# --------------------------------------------------------------------------- PDF


def _no_fetch_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing.

    The print HTML is self-contained; refusing every fetch keeps the build
    offline and reproducible (an image in a body prints as its alt text).
    """
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        def fetch(self, url, headers=None):  # noqa: D102 - WeasyPrint's interface
            raise ValueError(f"external resources are not fetched for the handbook: {url}")

    return NoFetch()


def write_pdf(html: str, out: str | Path, *, progress: Callable[[str], None] | None = None) -> int:
    """Render ``html`` with WeasyPrint into ``out`` atomically; return the page count.

    The PDF is written to a temporary file next to ``out`` and renamed, so a
    failed build never leaves a half-written handbook.
    """
    import weasyprint

    out = Path(out)
    say = progress or (lambda _msg: None)
    say("laying out pages")
    # Tagging is decided at layout time (render) and again when writing.
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch_fetcher()).render(**options)
    say(f"writing {len(document.pages)} pages")
    atomic_write(out, lambda target: document.write_pdf(target, **options))
    return len(document.pages)


def build_pdf(
    pathway: Pathway,
    out: str | Path,
    *,
    source_date_epoch: str | None = None,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    library: pres.LibraryLinks | None = None,
) -> int:
    """Diagrams, print HTML and PDF for a checked pathway; returns the page count.

    ``library``: the checked library the pathway belongs to (see ``print_html``)."""
    say = progress or (lambda _msg: None)
    built = build_date(source_date_epoch)
    say("laying out flowcharts")
    diagrams = layout_diagrams(pathway, cache_dir=cache_dir, library=library)
    say("writing print HTML")
    html = print_html(pathway, diagrams, built=built, library=library)
    return write_pdf(html, out, progress=say)


__all__: Sequence[str] = (
    "Diagrams",
    "PdfError",
    "build_date",
    "build_pdf",
    "fit_svg",
    "layout_diagrams",
    "print_html",
    "stage_anchor",
    "write_pdf",
)
