"""A library's PDFs: one handbook per pathway (in parallel) and ``library.pdf``, the index.

The index is a short document of its own: the library's title and summary, the date of the review
states (labelled for what it is), and a table with every pathway's version, status, review dates and
the address of its handbook.  It is tagged like the handbooks (``handbook.write_pdf``: PDF/UA-1,
``/Lang``, title) and as deterministic (``dcterms.created`` from SOURCE_DATE_EPOCH).

``build_handbooks`` spreads the handbooks over a process pool, one worker per CPU: WeasyPrint's layout
is pure Python and holds the GIL, so threads would not help.  With one pathway or one CPU it runs here.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Sequence

from generator import __version__
from generator.core.library import LibraryResult
from generator.core.model import Pathway
from generator.pdf import handbook
from generator.render import catalogue as cat
from generator.render import escape
from generator.render import presentation as pres

_CSS = """
@page { size: A4; margin: 18mm 15mm; @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: sans-serif; font-size: 9.5pt; line-height: 1.35; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; margin-top: 4mm; }
th, td { border: 0.5pt solid #777; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
thead th { background: #eee; }
tr { page-break-inside: avoid; }
.address { font-size: 8pt; word-break: break-all; }
.overdue { font-weight: bold; }
"""


def _one(job: tuple[Pathway, str, str | None, str | None, handbook.HandbookLibrary | None]) -> int:
    pathway, out, epoch, cache_dir, links = job
    return handbook.build_pdf(pathway, out, source_date_epoch=epoch, cache_dir=cache_dir, library=links)


def build_handbooks(jobs: Sequence[tuple[Pathway, str]], *, source_date_epoch: str | None = None,
                    cache_dir: str | Path | None = None, workers: int | None = None,
                    library: LibraryResult | None = None) -> list[int]:
    """``handbook.build_pdf`` for each ``(pathway, out)``; the page counts, in order.

    ``library``: the library the pathways belong to: links and branches into another pathway are named in
    words, and each stage lists the ways into it from the others (``handbook.print_html``).
    Each PDF is written atomically by ``build_pdf``; the first failure is raised once every worker has stopped.
    """
    for _, out in jobs:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    cache = os.fspath(cache_dir) if cache_dir is not None else None
    work = [(p, out, source_date_epoch, cache, handbook.HandbookLibrary.of(library, p.id) if library else None)
            for p, out in jobs]
    n = min(len(work), workers or os.cpu_count() or 1)
    if n <= 1:
        return [_one(w) for w in work]
    # fork when this process runs no other thread (a `mkdocs build`): the workers start at once and need no
    # re-import.  With threads (`mkdocs serve`), spawn: a forked child could inherit a lock another thread held.
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context(method)) as pool:
        return list(pool.map(_one, work))


def index_html(library: LibraryResult, *, today: _dt.date, handbook: Callable[[str], str], site_url: str = "",
               built=None, lang: str = "en-GB") -> str:
    """The index as one self-contained HTML document (pure).  ``handbook(pathway id)``: its PDF's path on the site."""
    h = escape.html_text
    rows = cat.entries(library.pathways, today)
    title = library.title or "Pathway library"
    head = [f'<!DOCTYPE html>\n<html lang="{h(lang)}">\n<head>\n<meta charset="utf-8">',
            f"<title>{h(title)}: library index</title>",
            f'<meta name="description" content="{h("Every pathway of " + title + " with its version, status and review dates")}">',
            f'<meta name="generator" content="pathway-publisher {h(__version__)}">']
    if built is not None:
        iso = built.when.strftime("%Y-%m-%dT%H:%M:%SZ")
        head += [f'<meta name="dcterms.created" content="{iso}">', f'<meta name="dcterms.modified" content="{iso}">']
    head += [f"<style>{_CSS}</style>", "</head>", "<body>"]
    body = [f"<h1>{h(title)}: library index</h1>"]
    if library.library and library.library.summary:
        body.append(f"<p>{h(' '.join(library.library.summary.split()))}</p>")
    body.append(f"<p>{h(cat.overview(rows))} Review states are as of {h(pres.format_date(today))}."
                + (f" {h(pres.build_date_label(built))}." if built is not None else "") + "</p>")
    body.append("<table>\n<thead><tr>" + "".join(
        f'<th scope="col">{h(c)}</th>' for c in ("Pathway", "Version", "Status", "Last reviewed", "Next review",
                                                  "Handbook")) + "</tr></thead>\n<tbody>")
    for r in rows:
        address = (site_url.rstrip("/") + "/" if site_url else "") + handbook(r.id)
        review = h(r.next_review_text)
        if r.overdue:
            review = f'<span class="overdue">{review}</span>'
        body.append(f'<tr><th scope="row">{h(r.title)}</th><td>{h(r.version)}</td><td>{h(r.status)}</td>'
                    f"<td>{h(r.last_reviewed_text)}</td><td>{review}</td>"
                    f'<td class="address">{h(address)}</td></tr>')
    body += ["</tbody>\n</table>", "</body>\n</html>\n"]
    return "\n".join(head + body)


def build_index(library: LibraryResult, out: str | Path, *, today: _dt.date, handbook: Callable[[str], str],
                site_url: str = "", source_date_epoch: str | None = None) -> int:
    """Write ``library.pdf`` (tagged, atomically); returns its page count."""
    from generator.pdf import handbook as hb

    built = hb.build_date(source_date_epoch)
    return hb.write_pdf(index_html(library, today=today, handbook=handbook, site_url=site_url, built=built), out)
