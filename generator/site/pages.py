"""The website as data: a checked ``Pathway`` in, ``{relative path: bytes}`` out.

``render_site`` is the only place that renders site pages.  It does no I/O
apart from reading its own templates and CSS: the MkDocs plugin serves the
result as virtual files, ``pathway generate`` writes it to a folder, and the
tests inspect it directly.

The file set (paths relative to the docs root)::

    index.md                 home: summary, governance, flowchart, stages by group
    stages/<stage-id>.md     one page per stage
    groups/<group-id>.md     one page per group, only for very large pathways
    glossary.md, references.md, history.md
    data-dictionary.md       the inputs of computable decisions (only when the pathway has some)
    assets/pathway.css       badges, diagram panel, disclaimer (mkdocs.yml extra_css)
    downloads/               with ``downloads``: the FHIR Bundle, the FHIR package (.tgz), the model
                             JSON and its schema, the bytes ``pathway export`` writes (home page links)

Design notes
------------
* Templates (``generator/templates/*.md.jinja``) produce Markdown, so Jinja
  autoescape is off and every value from the pathway goes through a filter
  from ``generator.render.escape`` (``plain``, ``md``, ``cell``, ``attr``) or arrives
  already made safe by ``generator.render.markup``.  ``StrictUndefined`` turns a typo
  in a template into an error instead of an empty string.
* Markdown links point at ``.md`` files (MkDocs rewrites them); links inside
  the inline SVG flowcharts are raw HTML that MkDocs never rewrites, so they
  are computed for the page's final URL (``nav.url_link``) and depend on
  ``use_directory_urls``.
* All diagrams of the site are laid out with one ``layout`` call (one ``dot``
  process, cached).
* Dates come only from the pathway and ``today`` (which the caller takes from
  ``generator.core.pipeline.today()``, i.e. SOURCE_DATE_EPOCH when set), so the
  output is byte-identical for the same input.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Callable, Sequence

import jinja2

from generator.render import escape
from generator.render import presentation as pres
from generator.render.presentation import format_date, kind_label, review_overdue
from generator.site import nav
from generator.render.markup import UnknownStageLink, abbreviation_block
from generator.core.errors import PathwayError
from generator.core.model import Location, Pathway, Stage
from generator.site.search import stage_keywords
from generator.site import feedback as fb
from generator.site import walkthrough as wt
from generator.render.releases import VERSIONS_PAGE, Releases
from generator.export.fhir import DEFAULT_BASE

if TYPE_CHECKING:
    from generator.core.library import LibraryResult

# layout(dots, *, id_prefixes) -> svgs; generator.render.layout.render_svgs fits.
Layout = Callable[..., list[str]]

PDF_NAME = "pathway.pdf"
DOWNLOADS_DIR = "downloads"
PACKAGE_TARBALL = "package.tgz"


@dataclass(frozen=True)
class Downloads:
    """The exports the site offers for other systems: the FHIR export's ``--base`` and ``--package-name``."""

    fhir_base: str = DEFAULT_BASE
    package_name: str | None = None


def download_names(pathway: Pathway, downloads: Downloads) -> list[str]:
    """The names ``download_files`` gives its files, without making them; errors (a bad FHIR base or
    package name) are raised here as there."""
    from generator.export import fhir
    from generator.export.model_json import MODEL_FILE, SCHEMA_FILE

    fhir.check_base(downloads.fhir_base)
    fhir.check_package_name(downloads.package_name or fhir.default_package_name(pathway))
    return sorted([fhir.bundle_file(pathway), PACKAGE_TARBALL, MODEL_FILE, SCHEMA_FILE])


def download_files(pathway: Pathway, downloads: Downloads, library: LibraryResult | None = None) -> dict[str, bytes]:
    """``{name: bytes}`` under ``downloads/``: the Bundle and the JSON files exactly as ``pathway export``
    writes them, and the FHIR package folder as the tarball FHIR packages are shipped in."""
    from generator.export import fhir
    from generator.export.model_json import export_json

    folder = fhir.export_folder(pathway, downloads.fhir_base, downloads.package_name,
                                library=library.index if library is not None else None)
    out = {name: data for name, data in folder.items() if "/" not in name}  # the Bundle
    out[PACKAGE_TARBALL] = fhir.package_tarball(folder)
    out.update(export_json(pathway))
    return dict(sorted(out.items()))
MAX_VERSION_CHANGES = 12  # changes listed per version on the Versions page; the rest are counted


class SiteError(PathwayError):
    """The site cannot be rendered; ``str()`` is a user-facing message (often FILE:LINE:COL: ...)."""


def badge(kind: str) -> str:
    """The coloured kind label (raw HTML; colours in assets/pathway.css)."""
    return f'<span class="pathway-badge pathway-kind-{escape.attr(kind)}">{escape.html_text(kind_label(kind))}</span>'


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # One per process: compiling the templates again for every pathway of a library cost 50 ms each.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown output: escaping is explicit, via the filters below
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(plain=escape.plain, md=escape.markdown, cell=escape.cell,
                       attr=escape.attr, html=escape.html_text)
    return env


@dataclass(frozen=True)
class _Diagram:
    """One diagram to lay out: which page embeds it and how it is described."""

    page: str
    dot: str
    name: str
    description: str
    caption: str
    id_prefix: str


def _default_layout(dots: Sequence[str], *, id_prefixes: Sequence[str]) -> list[str]:
    from generator.render.layout import render_svgs

    return render_svgs(list(dots), id_prefixes=list(id_prefixes))


@dataclass(frozen=True)
class FigureJob:
    """A flowchart kept out of its page (``render_site(figures_apart=...)``), to be drawn by ``draw_figures``."""

    dot: str
    id_prefix: str
    name: str
    description: str


def _flat(svg: str, d: _Diagram | FigureJob) -> str:
    """The finished SVG, without the blank lines that would end Markdown's raw HTML block."""
    from generator.render.svgpost import finish

    return re.sub(r"\n\s*\n", "\n", finish(svg, name=d.name, description=d.description).strip())


class _Figures:
    """Where each flowchart goes: its SVG into its page (``apart`` None), or a job into ``apart`` under a token.

    A token is a word the page carries instead of the SVG (``<token><n>``): the MkDocs plugin draws the
    jobs (``draw_figures``) while MkDocs converts the pages, and puts each SVG into the finished HTML,
    so neither Markdown nor the search index parses it.
    """

    def __init__(self, apart: dict[str, FigureJob] | None, token: str) -> None:
        self.apart, self.token = apart, token

    def place(self, d: _Diagram, svg: str | None) -> str:
        if self.apart is None:
            assert svg is not None
            return _flat(svg, d)
        key = f"{self.token}{len(self.apart)}"
        self.apart[key] = FigureJob(d.dot, d.id_prefix, d.name, d.description)
        return key


def draw_figures(jobs: dict[str, FigureJob], layout: Layout | None = None) -> dict[str, str]:
    """``{token: SVG}`` for the jobs of one ``render_site`` call, laid out together.  Raises ``SiteError``."""
    from generator.render.layout import LayoutError

    items = list(jobs.items())
    try:
        svgs = (layout or _default_layout)([j.dot for _, j in items], id_prefixes=[j.id_prefix for _, j in items])
    except LayoutError as exc:
        raise SiteError(f"could not draw the flowcharts: {exc}") from exc
    return {key: _flat(svg, job) for (key, job), svg in zip(items, svgs, strict=True)}


def _figure(svg: str, caption: str, css: str, name: str = "Flowchart") -> str:
    """Raw HTML block for Markdown: no blank lines inside, or Markdown would end the block.

    ``svg`` is the chart (no blank lines in it) or the token that stands for it (``_Figures.place``).
    """
    # data-search-exclude: the diagram's text is also given as a list on the
    # page; indexing the SVG labels too put "YOU ARE HERE" in every search hit.
    # The chart is never shrunk below legible text (svgpost: --pd-min): a wider
    # one scrolls inside a focusable region (arrow keys scroll it), with a cue
    # the stylesheet shows only while it can actually scroll.
    label = escape.html_text(f"{name} (scrolls sideways when wider than the screen)")
    return (f'<figure class="pathway-diagram {css}" data-search-exclude>\n'
            f'<div class="pathway-diagram-scroll" role="region" tabindex="0" aria-label="{label}">\n'
            '<p class="pathway-diagram-cue" aria-hidden="true">Scroll sideways to see the whole flowchart \u2192</p>\n'
            f"{svg}\n</div>\n"
            f"<figcaption>{escape.html_text(caption)}</figcaption>\n</figure>")


class _Renderer:
    """Holds the pathway and the per-site settings while the pages are built."""

    def __init__(self, pathway: Pathway, today: _dt.date | None, use_directory_urls: bool, pdf: bool = False,
                 releases: Releases | None = None, feedback: fb.Feedback | None = None, site_url: str = "",
                 library: LibraryResult | None = None):
        self.p = pathway
        # In a library every pathway is a folder beside this one; ``index`` names their stages.
        self.library = library
        self.index = library.index if library is not None else None
        self.releases = releases
        self.feedback = feedback
        self.site_url = site_url
        # Where this site sits below the root of the published site: '' or 'versions/<v>/'.
        self.prefix = f"versions/{releases.archived}/" if releases and releases.archived else ""
        self.up = "../" * (1 + self.prefix.count("/"))  # from this site's root to the folder of the pathways
        self.pdf = pdf
        self.today = today
        self.udu = use_directory_urls
        self.env = _environment()
        self.abbreviations = abbreviation_block(pathway.glossary)
        self.walkthrough_json = b""  # assets/walkthrough-data.js, made with the walkthrough page
        self.figures = _Figures(None, "")
        nr = pathway.governance.next_review
        self.common = {
            "pathway": pathway,
            "status_label": pres.status_label(pathway.status),
            "next_review": format_date(nr) + (" (overdue)" if review_overdue(pathway, today) else ""),
            "abbreviations": self.abbreviations,
        }

    # -- links ---------------------------------------------------------------
    def target(self, target: str) -> str:
        """The page of a stage here or (``pathway-id:stage-id``) of another pathway of the library."""
        return nav.target_path(target, self.up)

    def md_href(self, page: str) -> Callable[[str], str]:
        return lambda sid: nav.md_link(page, self.target(sid))

    def svg_href(self, page: str) -> Callable[[str], str]:
        return lambda sid: nav.url_link(page, self.target(sid), self.udu)

    def stage_link(self, page: str, sid: str) -> str:
        return self.link(page, pres.stage_link(self.p, sid, library=self.index))

    def link(self, page: str, link: pres.StageLink) -> str:
        return f"[{escape.plain(link.label)}]({nav.md_link(page, self.target(link.stage_id))})"

    def text(self, s: str | None, page: str, stage: Stage | None = None, fld: str = "", one_line: bool = False,
             loc: Location | None = None) -> str:
        """A Markdown field (``one_line``: inline Markdown) by the text policy of ``generator.core.textpolicy``."""
        loc = loc or ((stage.field_locs.get(fld) or stage.loc) if stage else self.p.field_locs.get(fld))
        write = pres.inline_markdown if one_line else pres.block_markdown
        return write(s, self.p, self.md_href(page), location=loc, library=self.index)

    def page(self, template: str, **ctx) -> bytes:
        return self.env.get_template(template).render(**self.common, **ctx).encode("utf-8")

    # -- diagrams --------------------------------------------------------------
    def diagrams(self) -> list[_Diagram]:
        from generator.render import diagrams as d

        p = self.p
        plan = pres.plan_diagrams(p)
        out: list[_Diagram] = []
        if plan.group_map:
            href_group = lambda gid: nav.url_link(nav.HOME, nav.group_path(gid), self.udu)  # noqa: E731
            out.append(_Diagram(nav.HOME, d.groups_map_dot(p, href_group), f"Map of the phases of {p.title}",
                                "Each box is a phase of the pathway; select one to open its flowchart.",
                                "The phases of the pathway. Select a box to open that phase.", "map-"))
            for gid in plan.groups:
                page = nav.group_path(gid)
                out.append(_Diagram(page, d.group_dot(p, gid, self.svg_href(page), library=self.index),
                                    f"Flowchart of {p.group_by_id[gid].title}",
                                    "Each box is a stage; select one to open it. Dashed boxes are in other phases.",
                                    "Select a box to open that stage. Dashed boxes belong to other phases.",
                                    f"g-{gid}-"))
        if plan.overview:
            out.append(_Diagram(nav.HOME, d.overview_dot(p, self.svg_href(nav.HOME), library=self.index),
                                f"Flowchart of {p.title}",
                                "Each box is a stage of the pathway; select one to open it. "
                                "The same flow is given as text below the flowchart.",
                                "The whole pathway. Select a box to open that stage; the flowchart is also given as text below.",
                                "ov-"))
            # The same chart for the walkthrough, its links computed for that page.
            out.append(_Diagram(wt.PAGE, d.overview_dot(p, self.svg_href(wt.PAGE), library=self.index),
                                f"Flowchart of {p.title}: the route of the walkthrough",
                                "Each box is a stage; the stages and arrows of the route so far are drawn with a "
                                "thick outline, and the route is also listed as text above.",
                                "The route so far has a thick outline; it is also listed above.", "wn-"))
        for sid in plan.stages:
            s = p.stage_by_id[sid]
            page = nav.stage_path(s.id)
            out.append(_Diagram(page, d.neighbourhood_dot(p, s.id, self.svg_href(page), library=self.index),
                                f"Where {s.title} sits in the pathway",
                                "The stages that lead here, follow and run alongside; "
                                "the same links are listed under Comes from, What next and Alongside.",
                                "Where this stage sits. Select a box to open that stage; "
                                "the same links are listed below.", f"nb-{s.id}-"))
        return out

    def _stages(self) -> list[Stage]:
        return list(self.p.stage_by_id.values())

    def _group_ids(self) -> list[str]:
        return pres.group_ids(self.p)

    # -- pages -----------------------------------------------------------------
    def rows(self, page: str, ids: list[str]) -> list[dict]:
        out = []
        for sid in ids:
            s = self.p.stage_by_id[sid]
            out.append({"title": s.title, "link": nav.md_link(page, nav.stage_path(sid)), "badge": badge(s.kind),
                        "summary": self.text(s.summary, page, s, "summary", one_line=True)})
        return out

    def home(self, figures: dict[str, str], legend: str, downloads: dict[str, str] | None = None) -> bytes:
        p, g = self.p, self.p.governance
        page = nav.HOME
        notices = []
        if p.status == "draft":
            notices.append({"kind": "warning", "title": "Draft: not yet approved for clinical use",
                            "text": "This version is a draft for review. Do not use it to guide care."})
        elif p.status == "retired":
            notices.append({"kind": "danger", "title": "Retired: do not use",
                            "text": "This pathway has been withdrawn and must not be used to guide care."})
        if review_overdue(p, self.today):
            who = f" Check with {escape.plain(g.owner)} that it is still current." if g.owner else ""
            notices.append({"kind": "warning", "title": "Review overdue",
                            "text": f"This pathway was due for review on **{format_date(g.next_review)}**.{who}"})
        about = [("Version", escape.plain(p.version)),
                 ("Status", escape.plain(pres.status_label(p.status)))]
        if p.audience:
            about.append(("Audience", escape.plain(p.audience)))
        people = [("Owner", [g.owner] if g.owner else []), ("Authors", list(g.authors)),
                  ("Approved by", list(g.approved_by))]
        about += [(label, escape.plain("; ".join(v))) for label, v in people if v]
        for label, d in (("Approved on", g.approved_on), ("Last reviewed", g.last_reviewed),
                         ("Next review", g.next_review)):
            if d:
                text = format_date(d) + (" — **overdue**" if label == "Next review" and review_overdue(p, self.today) else "")
                about.append((label, text))
        if g.contact:
            about.append(("Contact", self._contact(g.contact)))
        sections = [{"title": title, "rows": self.rows(page, ids)} for _gid, title, ids in pres.stages_by_group(p)]
        big = nav.HOME in figures and any(d for d in figures if d.startswith("groups/"))
        group_links = ([(p.group_by_id[gid].title, nav.md_link(page, nav.group_path(gid))) for gid in self._group_ids()]
                       if big else [])
        return self.page("index.md.jinja", notices=notices,
                         summary=self.text(p.summary, page, fld="summary"),
                         pdf_href=PDF_NAME if self.pdf else "", downloads=downloads or {}, about=about, diagram=figures.get(page, ""), legend=legend,
                         flow_text=self.flow_text(page) if not big else [], group_links=group_links,
                         sections=sections)

    def _contact(self, contact: str) -> str:
        c = contact.strip()
        if re.fullmatch(r"[^@\s<>()\[\]]+@[^@\s<>()\[\]]+\.[A-Za-z]{2,}", c):
            return f"[{escape.plain(c)}](mailto:{c})"
        url = escape.safe_url(c)
        return f"[{escape.plain(c)}]({url})" if url else escape.plain(c)

    def flow_text(self, page: str) -> list[str]:
        """The text alternative of the overview: one line per stage, with its branches."""
        p = self.p
        lines = []
        if p.start in p.stage_by_id:
            lines.append(f"- **Start:** {self.stage_link(page, p.start)}")
        for s in self._stages():
            parts = []
            for t in s.next:
                if not pres.is_shown(p, t.to, self.index):
                    continue
                cond = f"if {escape.plain(t.when)} " if t.when else ""
                where = "continues in another pathway at " if t.external else ""
                parts.append(f"{cond}→ {where}{self.stage_link(page, t.to)}")
            along = [self.stage_link(page, a) for a in p.alongside_of.get(s.id, ())]
            rest = "; ".join(parts) if parts else "end of the pathway"
            if along:
                rest += "; alongside " + ", ".join(along)
            lines.append(f"- {self.stage_link(page, s.id)} *({escape.plain(kind_label(s.kind))})*: {rest}")
        return lines

    def stage(self, s: Stage, figures: dict[str, str]) -> bytes:
        p, page = self.p, nav.stage_path(s.id)
        crumbs = [f"[Home]({nav.md_link(page, nav.HOME)})"]
        if s.group in p.group_by_id:
            title = escape.plain(p.group_by_id[s.group].title)
            gpage = nav.group_path(s.group)
            crumbs.append(f"[{title}]({nav.md_link(page, gpage)})" if gpage in figures else title)
        comes_from = []
        for ln in pres.comes_from(p, s):
            cond = f" — when {escape.plain(ln.when)}" if ln.when else ""
            comes_from.append(f"{self.link(page, ln)}{cond}")
        what_next = []
        for ln in pres.what_next(p, s, self.index):
            link = ("continues in another pathway at " if ln.external else "") + self.link(page, ln)
            what_next.append(f"**{escape.plain(ln.when)}** → {link}" if ln.when else link)
        from_other = []
        for ln in pres.from_other_pathways(self.library, p, s):
            cond = f" — when {escape.plain(ln.when)}" if ln.when else ""
            from_other.append(f"{self.link(page, ln)}{cond}")
        refs = []
        for r in s.references:
            ref = p.reference_by_id.get(r.id)
            if ref is None:
                continue
            url = escape.safe_url(ref.url)
            title = escape.plain(ref.title)
            more = f"[details]({nav.md_link(page, nav.REFERENCES)}#ref-{ref.id})"
            refs.append(f"[{title}]({url}) ({more})" if url else f"{title} ({more})")
        return self.page(
            "stage.md.jinja", stage=s, breadcrumb=" › ".join(crumbs), badge=badge(s.kind),
            summary=self.text(s.summary, page, s, "summary", one_line=True),
            diagram=figures.get(page, ""), body=self.text(s.body, page, s, "body"),
            facts=[(f.label, self.text(f.value, page, one_line=True, loc=f.loc)) for f in s.facts],
            comes_from=comes_from, is_start=(s.id == p.start), what_next=what_next, from_other=from_other,
            alongside=[self.link(page, ln) for ln in pres.alongside(p, s)],
            decision_table=self.decision_table(s, page),
            references=refs, keywords=stage_keywords(p, s), home_link=nav.md_link(page, nav.HOME),
            history=self.stage_history(s, page), feedback_link=self.feedback_link(s, page))

    # -- computable decisions --------------------------------------------------
    def decision_table(self, s: Stage, page: str) -> str:
        """The decision's table as a raw HTML block ('' for a stage with no computable branch).

        Raw HTML, not a Markdown table, so each row can carry its target stage (``data-target``) for
        the walkthrough, whose no-JavaScript fallback this table is.  No blank lines inside, or
        Markdown would end the block; every value is escaped here.  The cells that link are Markdown
        spans (``md_in_html``) with links between sources, so every engine resolves them as it resolves
        any link (Zensical rewrites a raw ``href`` as if it were written from the source file; MkDocs
        leaves it alone); every other cell is raw HTML that Markdown never sees.
        """
        table = pres.decision_table(self.p, s, self.index)
        if table is None:
            return ""
        plain = escape.html_text
        abbrs = {g.abbr: g.term for g in self.p.glossary if g.abbr}
        # Raw HTML is out of reach of Markdown's abbreviations: the glossary's are marked here, as
        # the abbr extension marks them in Markdown text (whole words only).
        found = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in sorted(abbrs, key=len, reverse=True))
                           + r")(?![\w-])") if abbrs else None

        def h(text: object) -> str:
            if found is None:
                return plain(text)
            parts = found.split(str(text))
            return "".join(plain(part) if i % 2 == 0 else f'<abbr title="{plain(abbrs[part])}">{plain(part)}</abbr>'
                           for i, part in enumerate(parts))
        tid = plain(table.table_id)
        md = escape.plain  # text in the Markdown spans (the abbr extension marks abbreviations there)
        dd = nav.md_link(page, nav.DATA_DICTIONARY)
        head = ['<th scope="col" aria-label="Row">#</th>', '<th scope="col">When</th>']
        for c in table.columns:
            unit = f" ({md(c.unit)})" if c.unit else ""
            head.append(f'<th scope="col" markdown="span">[{md(c.label)}]({dd}#{nav.input_anchor(c.input_id)}){unit}</th>')
        head.append('<th scope="col">Next stage</th>')
        rows = []
        for r in table.rows:
            css = ' class="pathway-decision-otherwise"' if r.otherwise else ""
            cells = [f'<th scope="row" data-label="Row">{r.number}</th>',
                     f'<td data-label="When">{h(r.when) if r.when else "—"}</td>']
            if r.cells is None:
                span = f' colspan="{len(table.columns)}"' if len(table.columns) > 1 else ""
                cells.append(f'<td{span} class="pathway-decision-whole" data-label="Condition">{h(r.condition)}</td>')
            else:
                for c, v in zip(table.columns, r.cells, strict=True):
                    any_css = ' class="pathway-decision-any"' if v == pres.ANY else ""
                    cells.append(f'<td data-label="{plain(c.label)}"{any_css}>{h(v)}</td>')
            href = nav.md_link(page, self.target(r.target_id))
            cells.append(f'<td data-label="Next stage" markdown="span">[{md(r.target_label)}]({href})</td>')
            rows.append(f'<tr{css} data-branch="{r.number}" data-target="{plain(r.target_id)}" markdown="1">'
                        + "".join(cells) + "</tr>")
        return (f'<div class="pathway-decision" data-order="{plain(table.order)}" markdown="1">\n'
                f'<div class="pathway-decision-scroll" role="region" tabindex="0" aria-labelledby="{tid}-caption" markdown="1">\n'
                f'<table class="pathway-decision-table" id="{tid}" data-stage="{plain(s.id)}" data-order="{plain(table.order)}" markdown="1">\n'
                f'<caption id="{tid}-caption">Decision table: {h(s.title)}</caption>\n'
                f"<thead markdown=\"1\"><tr markdown=\"1\">{''.join(head)}</tr></thead>\n"
                '<tbody markdown="1">\n' + "\n".join(rows) + "\n</tbody>\n</table>\n</div>\n"
                f'<p class="pathway-decision-note" markdown="span">{md(table.order_note)} '
                f'A dash (—) means the row does not depend on that input; each input is described in the '
                f'[data dictionary]({dd}).</p>\n</div>')

    def data_dictionary(self) -> bytes:
        page = nav.DATA_DICTIONARY
        entries = []
        for e in pres.data_dictionary(self.p):
            entries.append({
                "anchor": nav.input_anchor(e.id), "id": e.id, "label": e.label, "type": e.type_label,
                "unit": e.unit, "allowed": e.allowed, "description": e.description,
                "references": [f"[{escape.plain(title)}]({nav.md_link(page, nav.REFERENCES)}#ref-{rid})"
                               for rid, title in e.references],
                "used_by": [self.link(page, ln) for ln in e.used_by],
            })
        return self.page("data-dictionary.md.jinja", entries=entries)

    # -- versions, history and feedback ------------------------------------------
    def _root_url(self, page: str, target: str) -> str:
        """Relative URL from ``page`` of this site to ``target`` (a path from the root of the published site)."""
        return nav.url_link(self.prefix + page, target, self.udu)

    def stage_history(self, s: Stage, page: str) -> list[dict]:
        """'Changes to this stage' across the releases; links only on the root site (an archived copy
        links nowhere outside its own folder)."""
        if self.releases is None:
            return []
        out = []
        for r, lines in self.releases.stage_history(s.id):
            label = f"Version {escape.html_text(r.version)}"
            if not self.prefix:
                target = r.folder() + (page if s.id in r.stage_ids else nav.HOME)
                label = f'<a href="{escape.attr(self._root_url(page, target))}">{label}</a>'
            out.append({"version": label, "date": format_date(r.date),
                        "changes": "; ".join(escape.plain(x) for x in lines)})
        return out

    def page_address(self, page: str) -> str:
        """The page's address: absolute from ``site_url`` (the root of *this* site, so an archived copy's
        is already ``.../versions/<v>/``), else its path below the published root."""
        url = nav.page_url(page, self.udu)
        return self.site_url.rstrip("/") + "/" + url if self.site_url else self.prefix + url

    def feedback_link(self, s: Stage, page: str) -> str:
        if self.feedback is None:
            return ""
        return fb.link(self.feedback, pathway=self.p.title, stage=f"{s.title} ({s.id})", version=self.p.version,
                       page=self.page_address(page))

    def banner(self, page: str) -> str:
        """The note at the top of every page of an archived copy, linking to the current version."""
        rel = self.releases
        assert rel is not None and rel.archived is not None
        here = page
        if page.startswith("stages/") and page[len("stages/"):-len(".md")] not in rel.current_stage_ids:
            here = nav.HOME  # the stage is gone from the current version
        elif page.startswith("groups/"):
            here = nav.HOME  # groups may be laid out differently now
        same = self._root_url(page, here)
        versions = self._root_url(page, VERSIONS_PAGE)
        v, cur = escape.html_text(rel.archived), escape.html_text(rel.current)
        where = "open this page in" if here == page else "open the home page of"
        if rel.superseded():
            title = f"Superseded: this is version {v}, not the current version"
            text = (f"Version {v} is kept for the record. Use the current version, {cur}: "
                    f'<a class="pathway-current-link" href="{escape.attr(same)}">{where} version {cur}</a>.')
            kind = "danger"
        else:
            title = f"Version {v}: the current version"
            text = (f"This is the permanent copy of version {v}. "
                    f'<a class="pathway-current-link" href="{escape.attr(same)}">{where} the live site</a>.')
            kind = "info"
        text += f' <a class="pathway-versions-link" href="{escape.attr(versions)}">All versions</a>.'
        return (f'<div class="admonition {kind} pathway-version-banner" role="note">\n'
                f'<p class="admonition-title">{title}</p>\n<p>{text}</p>\n</div>\n')

    def versions(self) -> bytes:
        rel = self.releases
        assert rel is not None
        rows = []
        ids = [r.version for r in rel.releases]
        at = ids.index(rel.current) if rel.current in ids else len(ids)  # an untagged current version is the newest
        for i, r in list(enumerate(rel.releases))[::-1]:
            state = "current" if i == at else ("superseded" if i < at else "newer than this site")
            link = f'<a href="{escape.attr(self._root_url(VERSIONS_PAGE, r.folder() + nav.HOME))}">{escape.html_text(r.version)}</a>'
            listed = [c for c in r.changes if c.impact != "metadata"]
            shown = [escape.plain(c.message) for c in listed[:MAX_VERSION_CHANGES]]
            if len(listed) > MAX_VERSION_CHANGES:
                shown.append(f"and {len(listed) - MAX_VERSION_CHANGES} more")
            summary = escape.plain(r.verdict) + ("<br>" + "<br>".join(shown) if shown else "")
            rows.append({"link": link, "date": format_date(r.date),
                         "status": escape.plain(f"{pres.status_label(r.status)}, {state}"),
                         "approved_by": escape.plain("; ".join(r.approved_by)) or "—", "summary": summary})
        released = any(r.version == rel.current for r in rel.releases)
        return self.page("versions.md.jinja", rows=rows, current=rel.current, released=released)

    def group(self, gid: str, figures: dict[str, str], legend: str) -> bytes:
        page = nav.group_path(gid)
        ids = next(ids for g, _t, ids in pres.stages_by_group(self.p) if g == gid)
        return self.page("group.md.jinja", title=self.p.group_by_id[gid].title,
                         home_link=nav.md_link(page, nav.HOME), diagram=figures.get(page, ""),
                         legend=legend, rows=self.rows(page, ids))

    def walkthrough(self, wanted: list[_Diagram], svgs: list[str | None]) -> bytes:
        """The "What next?" page (generator.site.walkthrough), with the whole-pathway flowchart when there is one."""
        page = wt.PAGE
        figure, prefix = "", None
        for d, svg in zip(wanted, svgs):
            if d.page == page:
                figure = _figure(self.figures.place(d, svg), d.caption,
                                 "pathway-diagram--overview pathway-wn-chart", d.name)
                prefix = d.id_prefix
        self.walkthrough_json = wt.data_script(
            wt.walkthrough_data(self.p, self.svg_href(page), prefix, library=self.index))
        decisions = [self.stage_link(page, s.id) for s in self._stages() if s.kind == "decision"]
        return self.page("what-next.md.jinja", decisions=decisions, figure=figure)

    def glossary(self) -> bytes:
        entries = [{"term": e.term, "abbr": e.abbr,
                    "definition": self.text(e.definition, nav.GLOSSARY, one_line=True,
                                            loc=e.field_locs.get("definition", e.loc))}
                   for e in sorted(self.p.glossary, key=lambda e: (e.term.casefold(), e.term))]
        return self.page("glossary.md.jinja", entries=entries)

    def references(self) -> bytes:
        p, page = self.p, nav.REFERENCES
        cited = pres.cited_by(p)
        refs = []
        for r in p.reference_by_id.values():
            url = escape.safe_url(r.url)
            refs.append({"title": r.title, "anchor": f"ref-{r.id}", "url": url, "url_text": r.url or "",
                         "cited_by": [self.stage_link(page, sid) for sid in cited.get(r.id, [])]})
        return self.page("references.md.jinja", refs=refs)

    def history(self) -> bytes:
        entries = [{"version": h.version, "date": format_date(h.date),
                    "summary": self.text(h.summary, nav.HISTORY, one_line=True,
                                         loc=h.field_locs.get("summary", h.loc)),
                    "approved_by": escape.plain("; ".join(h.approved_by))} for h in self.p.history]
        return self.page("history.md.jinja", entries=entries)


def legend_html() -> str:
    """The flowchart legend as a raw HTML block: a small drawn shape and a label per kind."""
    from generator.render.palette import legend_items

    items = []
    for item in legend_items():
        swatch = _swatch(item)
        items.append(f'<li>{swatch}<span><strong>{escape.html_text(item.label)}</strong> '
                     f"{escape.html_text(item.description)}</span></li>")
    return ('<div class="pathway-legend" role="group" aria-label="Flowchart legend">'
            "<p><strong>Legend</strong></p><ul>" + "".join(items) + "</ul></div>")


def _swatch(item) -> str:
    """A 36x22 SVG drawing of a node shape, so the legend works in greyscale too."""
    s = item.style
    head = '<svg class="pathway-swatch" viewBox="0 0 36 22" width="36" height="22" aria-hidden="true" focusable="false">'
    if s is None:
        if item.key == "alongside":
            body = '<line x1="2" y1="11" x2="34" y2="11" stroke="#777777" stroke-width="2" stroke-dasharray="4 3"/>'
        else:
            body = ('<path d="M28 16 C34 4, 6 2, 6 12" fill="none" stroke="#444444" stroke-width="1.6"/>'
                    '<path d="M3 9 L6 14 L9 9 Z" fill="#444444"/>')
        return head + body + "</svg>"
    fill, stroke = escape.attr(s.fill), escape.attr(s.border)
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if s.pen == "bold" else 1.5}"'
    if s.pen == "dashed":
        paint += ' stroke-dasharray="3 2"'
    shape = {
        "diamond": f'<polygon points="18,1 35,11 18,21 1,11" {paint}/>',
        "hexagon": f'<polygon points="7,1 29,1 35,11 29,21 7,21 1,11" {paint}/>',
        "cds": f'<polygon points="1,1 27,1 35,11 27,21 1,21" {paint}/>',
        "oval": f'<ellipse cx="18" cy="11" rx="16" ry="9.5" {paint}/>',
        "note": f'<path d="M1 1 H27 L35 8 V21 H1 Z M27 1 V8 H35" {paint}/>',
    }.get(s.shape)
    if shape is None:
        rx = 6 if s.rounded else 0
        shape = f'<rect x="1" y="1" width="34" height="20" rx="{rx}" {paint}/>'
        if s.peripheries > 1:
            shape = (f'<rect x="1" y="1" width="34" height="20" rx="{rx}" fill="none" stroke="{stroke}" stroke-width="1.2"/>'
                     f'<rect x="3.5" y="3.5" width="29" height="15" rx="{max(rx - 2, 0)}" {paint}/>')
    return head + shape + "</svg>"


def render_site(
    pathway: Pathway,
    *,
    layout: Layout | None = None,
    today: _dt.date | None = None,
    use_directory_urls: bool = True,
    pdf: bool = False,
    releases: Releases | None = None,
    feedback: fb.Feedback | None = None,
    site_url: str = "",
    downloads: Downloads | None = None,
    library: LibraryResult | None = None,
    figures_apart: dict[str, FigureJob] | None = None,
    figure_token: str = "pathway-figure-",
    download_bytes: bool = True,
) -> dict[str, bytes]:
    """Render the whole site for a checked pathway: ``{posix path: bytes}``, sorted by path.

    ``layout(dots, id_prefixes=...) -> svgs`` lays out the flowcharts (default:
    ``generator.render.layout.render_svgs``).  Raises ``SiteError`` when a page cannot
    be rendered (for example a ``[[link]]`` to no stage) or layout fails.
    ``pdf``: the site will hold the handbook as ``pathway.pdf`` (the plugin writes it); only then does the
    home page offer the download, so the button is never a 404.
    ``releases``: the tagged versions (``generator.review.archive``): the root site gets a Versions page and
    a history per stage; an archived copy (``releases.archived``) a banner on every page.
    ``feedback``: where the "Report a problem" link of each stage page goes; ``site_url`` makes its page
    address absolute.
    ``downloads``: the site also holds the exports under ``downloads/`` (``download_files``) and the home
    page links them.  Raises ``SiteError`` for a bad FHIR base or package name.
    ``library``: the checked library ``pathway`` belongs to (``generator.core.library.check_library``), whose
    pathways are published in sibling folders ``<pathway-id>/``: ``[[pathway-id:stage-id]]`` and branches into
    another pathway link to ``../<pathway-id>/stages/<id>.md``, and each stage page lists the stages of other
    pathways that lead into it ("From other pathways").  None: a pathway on its own.
    ``figures_apart``: a dict that receives each flowchart as a ``FigureJob`` under a token (``figure_token``
    and a number) that its page carries in its place; ``layout`` is not called.  The caller draws them
    (``draw_figures``) and puts the SVGs into the finished HTML (the plugin, after Markdown and search).
    None: the SVGs are in the pages.
    ``download_bytes`` False: the downloads are listed and linked but empty; the caller makes them with
    ``download_files`` (the plugin, alongside MkDocs' work).
    """
    from generator.export.fhir import BaseUrlError, PackageNameError

    r = _Renderer(pathway, today, use_directory_urls, pdf, releases, feedback, site_url, library)
    r.figures = _Figures(figures_apart, figure_token)
    try:
        wanted = r.diagrams()
        svgs: list[str | None] = (
            [None] * len(wanted) if figures_apart is not None  # drawn later, by draw_figures
            else list((layout or _default_layout)([d.dot for d in wanted], id_prefixes=[d.id_prefix for d in wanted])))
        figures = {}
        for d, svg in zip(wanted, svgs, strict=True):
            css = "pathway-diagram--overview" if d.page == nav.HOME or d.page.startswith("groups/") else "pathway-diagram--stage"
            if d.page == wt.PAGE:
                continue  # drawn by _Renderer.walkthrough
            figures[d.page] = _figure(r.figures.place(d, svg), d.caption, css, d.name)
        legend = legend_html()
        try:
            made = ({} if downloads is None else download_files(pathway, downloads, library) if download_bytes
                    else dict.fromkeys(download_names(pathway, downloads), b""))
            extra = {f"{DOWNLOADS_DIR}/{name}": data for name, data in made.items()}
        except (BaseUrlError, PackageNameError) as exc:
            raise SiteError(f"the FHIR download cannot be made: {exc}") from exc
        links = {_download_key(path): nav.md_link(nav.HOME, path) for path in extra}
        files: dict[str, bytes] = {nav.HOME: r.home(figures, legend, links if extra else None)}
        for s in r._stages():
            files[nav.stage_path(s.id)] = r.stage(s, figures)
        for page in figures:
            if page.startswith("groups/"):
                gid = page[len("groups/"):-len(".md")]
                files[page] = r.group(gid, figures, legend)
        files[wt.PAGE] = r.walkthrough(wanted, svgs)
        files[wt.DATA] = r.walkthrough_json
        files[nav.GLOSSARY] = r.glossary()
        if pathway.inputs:
            files[nav.DATA_DICTIONARY] = r.data_dictionary()
        files[nav.REFERENCES] = r.references()
        files[nav.HISTORY] = r.history()
        if releases is not None and releases.archived is None:
            files[VERSIONS_PAGE] = r.versions()
        if releases is not None and releases.archived is not None:
            for path in list(files):
                files[path] = _insert_after_title(files[path], r.banner(path))
        files.update(extra)  # after the banners: these are the exports' bytes, not pages
    except UnknownStageLink as exc:
        raise SiteError(str(exc)) from exc
    except Exception as exc:
        # LayoutError comes from generator.render.layout; imported lazily to keep this module light.
        if type(exc).__name__ == "LayoutError":
            raise SiteError(f"could not draw the flowcharts: {exc}") from exc
        raise
    files[nav.CSS] = resources.files("generator.site").joinpath("assets", "pathway.css").read_bytes()
    files[wt.JS] = resources.files("generator.site").joinpath("assets", "walkthrough.js").read_bytes()
    return dict(sorted(files.items()))


def _download_key(path: str) -> str:
    """The template's name for a download: 'bundle', 'package', 'model' or 'schema'."""
    from generator.export.model_json import MODEL_FILE, SCHEMA_FILE

    name = path.rsplit("/", 1)[-1]
    return {PACKAGE_TARBALL: "package", MODEL_FILE: "model", SCHEMA_FILE: "schema"}.get(name, "bundle")


def _insert_after_title(page: bytes, block: str) -> bytes:
    """``block`` right after the page's '# title' line: above it, search would index it as an entry of its own."""
    lines = page.decode("utf-8").split("\n")
    body = 0  # the first line after the front matter, whose comments may also start with '# '
    if lines and lines[0] == "---":
        body = next((i + 1 for i in range(1, len(lines)) if lines[i] == "---"), 0)
    at = next((i + 1 for i in range(body, len(lines)) if lines[i].startswith("# ")), body)
    return "\n".join(lines[:at] + ["", block] + lines[at:]).encode("utf-8")


def site_nav(pathway: Pathway, *, versions: bool = False) -> list:
    """The MkDocs nav for ``render_site``'s pages (see ``generator.site.nav.site_nav``)."""
    from generator.render.diagrams import overview_is_too_large

    return nav.site_nav(pathway, has_group_pages=overview_is_too_large(pathway), versions=versions,
                        data_dictionary=bool(pathway.inputs))
