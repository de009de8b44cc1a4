"""Pathway text to safe Markdown (and, for the PDF, to HTML).

Shared by the website (``generator.site.pages``) and the PDF handbook
(``generator.pdf.handbook``); nothing here knows about MkDocs.

* ``author_markdown`` - a summary or body: raw HTML escaped (see
  ``generator.render.escape``) and ``[[stage-id]]`` / ``[[stage-id|text]]`` turned
  into ordinary Markdown links via a caller-supplied ``href`` function, so the
  site can link to ``stage-id.md`` files and the PDF to ``#stage-id`` anchors.
* ``abbreviation_block`` - ``*[CT]: Computed tomography`` lines for the
  ``abbr`` extension, appended to a page so every abbreviation on it gets a
  hover definition.
* ``to_html`` - Python-Markdown with the same extensions the site uses, the link guard
  (``generator.core.urls``) and the allow-list sanitizer (``generator.render.sanitize``).
"""

from __future__ import annotations

from typing import Callable, Iterable

from generator.core import urls
from generator.render import escape, sanitize
from generator.core.model import GlossaryEntry, Location, Pathway
from generator.core.suggest import closest
from generator.core.wikilinks import iter_wikilinks

# The extensions both the site (mkdocs.yml) and the PDF rely on (defined with the link policy).
MARKDOWN_EXTENSIONS = urls.MARKDOWN_EXTENSIONS


class UnknownStageLink(ValueError):
    """A ``[[stage-id]]`` names no stage; ``str()`` is ``FILE:LINE:COL: message``."""

    def __init__(self, target: str, location: Location | None, suggestion: str | None = None):
        self.target = target
        self.location = location
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        where = f"{location}: " if location else ""
        super().__init__(f"{where}link [[{target}]] names no stage{hint}")


def author_markdown(
    text: str | None,
    pathway: Pathway,
    href: Callable[[str], str],
    *,
    location: Location | None = None,
    one_line: bool = False,
) -> str:
    """Author Markdown made safe, with ``[[links]]`` resolved through ``href(stage_id)``.

    ``one_line`` produces a table-cell/list-item safe version (see
    ``escape.cell``).  Raises ``UnknownStageLink`` for a link to no stage.
    """
    if not text:
        return ""
    # Links are swapped for placeholder tokens, the rest is escaped, then the
    # tokens become Markdown links (whose text we escape ourselves).
    links: list[str] = []
    parts: list[str] = []
    pos = 0
    for link in iter_wikilinks(text):
        stage = pathway.stage_by_id.get(link.target)
        if stage is None:
            raise UnknownStageLink(link.target, location, closest(link.target, pathway.stage_by_id))
        label = escape.plain(link.text if link.text is not None else stage.title)
        parts.append(text[pos : link.start])
        parts.append(f"\x1a{len(links)}\x1a")
        links.append(f"[{label}]({href(stage.id)})")
        pos = link.end
    parts.append(text[pos:])
    safe = (escape.cell if one_line else escape.markdown)("".join(parts))
    for i, md in enumerate(links):
        safe = safe.replace(f"\x1a{i}\x1a", md)
    return safe


def abbreviation_block(glossary: Iterable[GlossaryEntry]) -> str:
    """``*[ABBR]: expansion`` lines for every glossary entry with an abbreviation."""
    lines = []
    for entry in glossary:
        abbr = (entry.abbr or "").strip()
        # The abbr syntax cannot hold ']' or a line break in the abbreviation.
        if not abbr or "]" in abbr or "\n" in abbr:
            continue
        title = " ".join(entry.term.split())
        lines.append(f"*[{abbr}]: {title}")
    return "\n".join(lines)


def to_html(markdown_text: str) -> str:
    """Render Markdown to an HTML fragment with the site's extensions (for the PDF)."""
    import markdown

    # The link guard turns refused destinations into text; the sanitizer is the last line of defence.
    html = markdown.markdown(markdown_text, extensions=[*MARKDOWN_EXTENSIONS, urls.guard_extension()],
                             output_format="html")
    return sanitize.clean_html(html)
