"""Pathway text to safe Markdown (and, for the PDF, to HTML).

Shared by the website (``generator.site.pages``) and the PDF handbook
(``generator.pdf.handbook``); nothing here knows about MkDocs.

* ``author_markdown`` - a summary or body: raw HTML escaped (see
  ``generator.render.escape``) and ``[[stage-id]]`` / ``[[stage-id|text]]`` turned
  into ordinary Markdown links via a caller-supplied ``href`` function, so the
  site can link to ``stage-id.md`` files and the PDF to ``#stage-id`` anchors.
  In a library, ``[[pathway-id:stage-id]]`` names a stage of another pathway:
  ``href`` gets ``pathway-id:stage-id``, and an empty answer (the PDF: one
  handbook per pathway) gives text naming the stage and its pathway instead of a link.
* ``abbreviation_block`` - ``*[CT]: Computed tomography`` lines for the
  ``abbr`` extension, appended to a page so every abbreviation on it gets a
  hover definition.
* ``to_html`` - Python-Markdown with the same extensions the site uses, the link guard
  (``generator.core.urls``) and the allow-list sanitizer (``generator.render.sanitize``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from generator.core import urls
from generator.render import escape, sanitize
from generator.core.model import GlossaryEntry, LibraryIndex, Location, Pathway, split_target
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


@dataclass(frozen=True)
class OtherStage:
    """A stage of another pathway of the library, with the titles a reader sees."""

    pathway_id: str
    stage_id: str
    pathway_title: str
    stage_title: str

    @property
    def target(self) -> str:
        """``pathway-id:stage-id``, the one spelling used for links, node names and walkthrough keys."""
        return f"{self.pathway_id}:{self.stage_id}"

    @property
    def label(self) -> str:
        """'Surgical consultation (Spinal surgery)': the default text of a link to it."""
        return f"{self.stage_title} ({self.pathway_title})"


def other_stage(target: str, library: LibraryIndex | None, pathway: Pathway | None = None) -> OtherStage | None:
    """The stage of another pathway ``target`` (``pathway-id:stage-id``) names, or None.

    None for a local id, without a library, for an unknown pathway or stage (reported by the
    checks), and for a target in ``pathway`` itself (which is a local stage, see ``local_id``).
    """
    ext = split_target(target)
    if ext is None or library is None or (pathway is not None and ext[0] == pathway.id):
        return None
    stages = library.stages.get(ext[0])
    if stages is None or ext[1] not in stages:
        return None
    return OtherStage(ext[0], ext[1], library.titles.get(ext[0], ext[0]), stages[ext[1]] or ext[1])


def local_id(pathway: Pathway, target: str, library: LibraryIndex | None) -> str:
    """``target`` as a stage id of ``pathway``: 'triage:imaging' in triage is 'imaging' (a shared glossary
    may say so); anything else unchanged.  Only within a library, where such names are allowed."""
    ext = split_target(target)
    return ext[1] if ext is not None and library is not None and ext[0] == pathway.id else target


def author_markdown(
    text: str | None,
    pathway: Pathway,
    href: Callable[[str], str],
    *,
    location: Location | None = None,
    one_line: bool = False,
    library: LibraryIndex | None = None,
) -> str:
    """Author Markdown made safe, with ``[[links]]`` resolved through ``href(stage_id)``.

    ``one_line`` produces a table-cell/list-item safe version (see
    ``escape.cell``).  ``library``: the pathways ``[[pathway-id:stage-id]]`` may name
    (their default text is 'Stage title (Pathway title)').  Raises ``UnknownStageLink``
    for a link to no stage.
    """
    if not text:
        return ""
    # Links are swapped for placeholder tokens, the rest is escaped, then the
    # tokens become Markdown links (whose text we escape ourselves).
    links: list[str] = []
    parts: list[str] = []
    pos = 0
    for link in iter_wikilinks(text):
        parts.append(text[pos : link.start])
        parts.append(f"\x1a{len(links)}\x1a")
        links.append(_link_markdown(link.target, link.text, pathway, href, location, library))
        pos = link.end
    parts.append(text[pos:])
    safe = (escape.cell if one_line else escape.markdown)("".join(parts))
    for i, md in enumerate(links):
        safe = safe.replace(f"\x1a{i}\x1a", md)
    return safe


def _link_markdown(target: str, text: str | None, pathway: Pathway, href: Callable[[str], str],
                   location: Location | None, library: LibraryIndex | None) -> str:
    """One ``[[target|text]]`` as Markdown (its text escaped here)."""
    sid = local_id(pathway, target, library)
    stage = pathway.stage_by_id.get(sid)
    if stage is not None:
        return f"[{escape.plain(text if text is not None else stage.title)}]({href(stage.id)})"
    other = other_stage(target, library, pathway)
    if other is None:
        ext = split_target(target)
        if ext is not None and library is not None and ext[0] in library.stages:
            hint = closest(ext[1], library.stages[ext[0]])
            raise UnknownStageLink(target, location, f"{ext[0]}:{hint}" if hint else None)
        raise UnknownStageLink(target, location, closest(target, pathway.stage_by_id))
    url = href(other.target)
    if not url:  # no page to link to (the PDF): say where it is in words
        words = other.label if text is None else f"{text} ({other.pathway_title}: {other.stage_title})"
        return escape.plain(words)
    return f"[{escape.plain(text if text is not None else other.label)}]({url})"


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
