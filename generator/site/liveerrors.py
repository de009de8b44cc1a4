"""What ``pathway serve`` shows in the browser while the pathway file is broken.

MkDocs' live-reload server keeps serving the last good site after a failed
rebuild and makes every new page load wait until a build succeeds, so an
editor saw a stale page, or a page that never loaded, and no sign of the
error.  Instead, while the file has errors the plugin builds a site whose
every page is the list of problems (``problems_page``): the build succeeds,
the browser reloads to it at once, and the next save that fixes the file
reloads it to the real page.  ``LiveState`` remembers, between rebuilds,
which pages the last good build had, so the page open in the browser
exists (and reloads) in the broken build too.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.core import reporters
from generator.core.model import Problem
from generator.core.rules import Rule
from generator.render.escape import html_text

TITLE = "The pathway file has problems"


class LiveState:
    """Kept by ``pathway serve`` across rebuilds (MkDocs makes a new plugin for each): the last good site.

    Mutable on purpose: one object is handed to every rebuild through the
    plugin's ``live`` option, and each good build records itself in it.
    """

    def __init__(self) -> None:
        self.pages: tuple[str, ...] = ()  # the Markdown pages of the last good build
        self.nav: list = []  # its generated nav
        self.title: str = ""  # its site name


def _rule_summary(rule: str) -> str:
    known = {r.value: r for r in Rule}
    return known[rule].summary if rule in known else ""  # every Problem's rule is in the registry


def problems_page(file_name: str, problems: Sequence[Problem], note: str = "") -> str:
    """A Markdown page (a raw HTML list, every value escaped) listing ``problems`` as ``FILE:LINE:COL``.

    ``note``: what else stopped the build (the file cannot be read, a page cannot be rendered).
    """
    items = []
    for p in problems:
        summary = _rule_summary(p.rule)
        items.append(
            f'<li class="pathway-problem pathway-problem--{html_text(p.severity.value)}">'
            f"<code>{html_text(reporters.safe(str(p.location)))}</code> "
            f"<strong>{html_text(p.severity.value)}</strong>: {html_text(reporters.safe(p.message))} "
            f"<code>[{html_text(reporters.safe(p.rule))}]</code>"
            + (f"<br><small>{html_text(summary)}</small>" if summary else "")
            + "</li>")
    lines = [
        f"# {TITLE}",
        "",
        f'<p class="pathway-problems-summary"><strong>{html_text(reporters.safe(file_name))}</strong>: '
        f"{html_text(reporters.summary_line(problems) if problems else 'cannot be read')}. "
        "The site was not rebuilt: fix the file and save it, and this page reloads by itself.</p>",
        "",
    ]
    if note:
        lines += [f"<p>{html_text(reporters.safe(note))}</p>", ""]
    if items:
        lines += ['<ul class="pathway-problems">', *items, "</ul>", ""]
    return "\n".join(lines)
