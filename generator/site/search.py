"""What Material's search index needs from the pathway: the glossary terms each stage is about.

A stage is *about* a glossary entry when its title spells out the term
("Radiofrequency ablation (RFA)") or gives the abbreviation in brackets
("Review of advanced imaging (MRI or CT)").  Such a stage carries the term
and its abbreviation as search tags (Material weighs tags far above titles),
so a search for "RFA" leads to the RFA stage, not to "Recovery after RFA" or
to the glossary.  A title that only mentions an abbreviation ("Recovery after
RFA") is not about it.
"""

from __future__ import annotations

import re

from generator.core.model import Pathway, Stage


def _has_words(text: str, words: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text, flags=re.IGNORECASE) is not None


def _in_brackets(title: str, abbr: str) -> bool:
    return any(_has_words(inside, abbr) for inside in re.findall(r"\(([^()]*)\)", title))


def stage_keywords(pathway: Pathway, stage: Stage) -> list[str]:
    """The glossary terms (and their abbreviations) that ``stage`` is about, in glossary order."""
    out: list[str] = []
    title = stage.title or ""
    for entry in pathway.glossary:
        term, abbr = entry.term.strip(), (entry.abbr or "").strip()
        if (term and _has_words(title, term)) or (abbr and _in_brackets(title, abbr)):
            out.extend(w for w in (term, abbr) if w and w not in out)
    return out
