"""Where each generated page lives, how pages link to each other, and the site nav.

Pure functions on strings; no MkDocs import.  Paths are POSIX paths relative
to the root of the generated set (``index.md``, ``stages/<id>.md``...).

Two kinds of links:

* Markdown links point at ``.md`` source files (``md_link``); MkDocs rewrites
  them for either value of ``use_directory_urls``.
* Links inside raw HTML (the inline SVG flowcharts) are not rewritten by
  MkDocs, so ``url_link`` computes the final relative URL from the page's
  own final URL; it must be told ``use_directory_urls``.

Both are relative, so they stay right when the whole set is moved under a
prefix (the ``docs/_generated/`` folder written by ``pathway generate``).
"""

from __future__ import annotations

import posixpath

from generator.core.model import Pathway, split_target
from generator.render.presentation import stages_by_group

HOME = "index.md"
GLOSSARY = "glossary.md"
REFERENCES = "references.md"
HISTORY = "history.md"
DATA_DICTIONARY = "data-dictionary.md"
CSS = "assets/pathway.css"
WHAT_NEXT = "what-next.md"  # the walkthrough (generator.site.walkthrough)

# More stages than this in one nav section are split into numbered
# sub-sections, so that with navigation.prune each page carries only a
# bounded slice of the nav, however big the pathway.
NAV_CHUNK = 40


def stage_path(stage_id: str) -> str:
    return f"stages/{stage_id}.md"


def target_path(target: str, up: str = "../") -> str:
    """The page of a branch's or link's target: ``stages/<id>.md``, or for ``pathway-id:stage-id`` (a
    pathway of a library, each published in its own folder beside this one) ``../<pathway-id>/stages/<id>.md``.

    ``up`` climbs from the root of this pathway's pages to the folder holding the pathways (one more
    level per folder of an archived copy, ``versions/<v>/``).
    """
    ext = split_target(target)
    return f"{up}{ext[0]}/{stage_path(ext[1])}" if ext else stage_path(target)


def input_anchor(input_id: str) -> str:
    """The anchor of an input on the data-dictionary page."""
    return f"input-{input_id}"


def group_path(group_id: str) -> str:
    return f"groups/{group_id}.md"


def page_url(src: str, use_directory_urls: bool) -> str:
    """The URL (relative to the site root) MkDocs gives to the page ``src``."""
    stem, _ = posixpath.splitext(src)
    if not use_directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"


def url_link(from_src: str, to_src: str, use_directory_urls: bool) -> str:
    """Relative URL from page ``from_src`` to page ``to_src``, as a browser resolves it."""
    here = page_url(from_src, use_directory_urls)
    there = page_url(to_src, use_directory_urls)
    # A directory URL ("stages/a/") is its own base; a file URL resolves from its folder.
    base = here if here == "" or here.endswith("/") else posixpath.dirname(here)
    if there.startswith("../"):  # above this site's root (another pathway of the library)
        return _climb(base) + there
    rel = posixpath.relpath(there or ".", base.rstrip("/") or ".")
    if there == "" or there.endswith("/"):
        rel = "./" if rel == "." else rel + "/"
    return rel


def md_link(from_src: str, to_src: str) -> str:
    """Relative link between two Markdown sources, for MkDocs to rewrite."""
    if to_src.startswith("../"):  # above this site's root (another pathway of the library)
        return _climb(posixpath.dirname(from_src)) + to_src
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def _climb(folder: str) -> str:
    """'../' once per folder of ``folder`` (a path below the root): back up to the root.

    Not ``relpath``: it resolves a path climbing above the root against the working directory.
    """
    return "../" * len([part for part in folder.split("/") if part])


def _stage_entries(pathway: Pathway, ids: list[str]) -> list[dict]:
    return [{pathway.stage_by_id[i].title: stage_path(i)} for i in ids]


def _chunked(title: str, entries: list[dict]) -> dict:
    if len(entries) <= NAV_CHUNK:
        return {title: entries}
    parts = []
    for n in range(0, len(entries), NAV_CHUNK):
        chunk = entries[n : n + NAV_CHUNK]
        parts.append({f"{title} ({n + 1}–{n + len(chunk)})": chunk})
    return {title: parts}


def site_nav(pathway: Pathway, *, has_group_pages: bool = False, versions: bool = False,
             data_dictionary: bool = False) -> list[dict | str]:
    """The MkDocs ``nav`` for the generated pages: home, one section per group, then reference pages.

    Each group is a nested section (``Pathway`` > group > stages), so Material's
    ``navigation.prune`` leaves out every group except the current one.
    """
    sections = []
    grouped = stages_by_group(pathway)
    for gid, title, ids in grouped:
        entries = _stage_entries(pathway, ids)
        if has_group_pages and gid is not None:
            entries.insert(0, {"Overview": group_path(gid)})
        sections.append(_chunked(title, entries))
    # No groups: the stages themselves, not one section "Stages" inside another ("Stages › Stages").
    stages = sections[0] if [gid for gid, _t, _ids in grouped] == [None] else {"Stages": sections}
    nav: list[dict | str] = [{"Home": HOME}, stages, {"What next?": WHAT_NEXT}]
    reference: list[dict | str] = [{"Glossary": GLOSSARY}, {"References": REFERENCES}, {"History": HISTORY}]
    if data_dictionary:  # the inputs of computable decisions, next to the glossary
        reference.insert(1, {"Data dictionary": DATA_DICTIONARY})
    if versions:  # the root site built with its tagged versions (generator.render.releases)
        reference.append({"Versions": "versions.md"})
    nav.append({"Reference": reference})
    return nav
