"""The catalogue: the home page of a library site (every pathway, its status and review dates).

Pure: ``catalogue_page(...)`` returns the Markdown page (its table is raw HTML, escaped here with
``generator.render.escape``), and ``library_nav`` the nav.  Paths are relative to the library's root
folder on the site (the plugin's ``prefix``); each pathway lives in ``<pathway id>/``.

Without JavaScript the page is the full table.  ``assets/catalogue.js`` then adds, above it, a labelled
``<select>`` for status and one for specialty and a live count ("Showing 2 of 3 pathways"); it reads
each row's status and specialty from its cells, so the page carries no data twice.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
from typing import Iterable, Mapping

from generator.core.model import Pathway, split_target
from generator.core.wikilinks import iter_wikilinks
from generator.render import catalogue as cat
from generator.render import escape
from generator.render import presentation as pres
from generator.site import nav

PAGE = "index.md"
SCRIPT = "assets/catalogue.js"
LIBRARY_PDF = "library.pdf"
TABLE_ID = "pathway-catalogue"

COLUMNS = ("Pathway", "Status", "Specialty", "Owner", "Version", "Last reviewed", "Next review")


def pathway_home(pathway_id: str) -> str:
    return f"{pathway_id}/{nav.HOME}"


def _summary_html(text: str | None, stages: Mapping[str, Mapping[str, str]], udu: bool) -> str:
    """The library summary as one paragraph; a ``[[pathway:stage]]`` link becomes a link to that stage page."""
    if not text:
        return ""
    out, at = [], 0
    for link in iter_wikilinks(text):
        out.append(escape.html_text(text[at:link.start]))
        ext = split_target(link.target)
        title = stages.get(ext[0], {}).get(ext[1]) if ext else None
        if ext and title is not None:
            href = nav.url_link(PAGE, f"{ext[0]}/{nav.stage_path(ext[1])}", udu)
            out.append(f'<a href="{escape.attr(href)}">{escape.html_text(link.text or title)}</a>')
        else:  # reported by the library's checks; shown as its text
            out.append(escape.html_text(link.text or link.target))
        at = link.end
    out.append(escape.html_text(text[at:]))
    return "<p>" + " ".join("".join(out).split()) + "</p>"


def _cell(column: str, content: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<td data-label="{escape.attr(column)}"{cls}>{content}</td>'


def catalogue_page(title: str, summary: str | None, pathways: Iterable[Pathway], *, today: _dt.date,
                   stages: Mapping[str, Mapping[str, str]] | None = None, use_directory_urls: bool = True,
                   pdf: bool = False) -> bytes:
    """The catalogue page (Markdown with an HTML table), for ``pathways`` in the order given."""
    rows = cat.entries(pathways, today)
    h = escape.html_text
    lines = ["---", "hide:", "  - toc", "---", "", f"# {escape.plain(title)}", ""]
    summary_html = _summary_html(summary, stages or {}, use_directory_urls)
    if summary_html:
        lines += [summary_html, ""]
    lines += [f'<p class="pathway-catalogue-overview">{h(cat.overview(rows))} Review states are as of '
              f"{h(pres.format_date(today))}; a review within {cat.DUE_WITHIN_DAYS} days is due soon.</p>", ""]
    if pdf:
        lines += [f'<div class="pathway-actions"><a class="md-button" href="{escape.attr(LIBRARY_PDF)}">'
                  "Download the library index (PDF)</a></div>", ""]
    lines += [f'<div id="{TABLE_ID}-filter" class="pathway-catalogue-filter"></div>', ""]
    body = [f'<table id="{TABLE_ID}" class="pathway-catalogue">',
            f"<caption>The pathways of {h(title)}</caption>",
            "<thead><tr>" + "".join(f'<th scope="col">{h(c)}</th>' for c in COLUMNS) + "</tr></thead>", "<tbody>"]
    for r in rows:
        href = nav.url_link(PAGE, pathway_home(r.id), use_directory_urls)
        review = h(r.next_review_text)
        if r.overdue:
            review = f'<strong class="pathway-overdue">{review}</strong>'
        body.append("<tr>" + "".join([
            f'<th scope="row" data-label="Pathway"><a href="{escape.attr(href)}">{h(r.title)}</a></th>',
            _cell("Status", h(r.status), "pathway-catalogue-status"),
            _cell("Specialty", h(r.specialty), "pathway-catalogue-specialty"),
            _cell("Owner", h(r.owner) or "—"),
            _cell("Version", h(r.version)),
            _cell("Last reviewed", h(r.last_reviewed_text)),
            _cell("Next review", review),
        ]) + "</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(COLUMNS)}">This library has no pathway yet.</td></tr>')
    body += ["</tbody>", "</table>"]
    lines += ["\n".join(body), ""]
    return "\n".join(lines).encode("utf-8")


def library_nav(pathways: Iterable[tuple[Pathway, list]], *, catalogue: bool = True) -> list:
    """The nav: the catalogue, then one section "Pathways" with a section per pathway (its own nav).

    One section holds them all, so ``navigation.sections`` lays out two headings, not one per pathway,
    and ``navigation.prune`` leaves out every pathway's pages but the current one's.  More than
    ``nav.NAV_CHUNK`` pathways are grouped by specialty (then in numbered chunks), so a page of a
    200-pathway library carries a bounded slice of the nav.
    """
    items = [(p, entries) for p, entries in pathways]
    sections = [{p.title: _prefixed(entries, p.id)} for p, entries in items]
    if len(sections) > nav.NAV_CHUNK:
        by_specialty: dict[str, list[dict]] = {}
        for (p, _), section in zip(items, sections):
            by_specialty.setdefault((p.specialty or "").strip() or cat.NO_SPECIALTY, []).append(section)
        grouped: list = []
        for name in sorted(by_specialty, key=lambda s: (s == cat.NO_SPECIALTY, s.casefold(), s)):
            grouped.append(nav._chunked(name, by_specialty[name]))
        sections = grouped
    out: list = [{"Catalogue": PAGE}] if catalogue else []
    if sections:
        out.append({"Pathways": sections})
    return out


def _prefixed(items: list, prefix: str) -> list:
    out: list = []
    for item in items:
        if isinstance(item, dict):
            out.append({k: (_prefixed(v, prefix) if isinstance(v, list) else posixpath.join(prefix, v))
                        for k, v in item.items()})
        else:
            out.append(posixpath.join(prefix, item))
    return out
