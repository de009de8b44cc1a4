"""The change model: every kind of change in one table, ``Change`` and ``PathwayDiff``.

``Kind`` is the one table the comparison (``generator.review.compare``), the
reporters (``generator.review.reports``) and the picture
(``generator.review.visualdiff``) all read: for each kind of change its area,
its impact class, its sign, the part of a step it touches in the picture and
how its old and new values are shown.  A kind is a ``StrEnum`` member, so a
misspelt kind is an ``AttributeError``, never a silently missing mark, and it
is written to JSON as its plain id.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from generator.core.model import Pathway

if TYPE_CHECKING:  # the comparison itself lives in exportdiff; only the annotation is needed here
    from generator.review.exportdiff import ExportDiff

# A value longer than this is not repeated inside the one-line message;
# reporters show it in full (or as a word diff) next to it.
_INLINE_MAX = 80


class Impact(str, enum.Enum):
    """How much a change matters, most serious first."""

    SUBSTANTIVE = "substantive"  # can change what happens to a patient
    EDITORIAL = "editorial"  # wording only
    METADATA = "metadata"  # governance, history, version, status


IMPACT_ORDER: tuple[Impact, ...] = (Impact.SUBSTANTIVE, Impact.EDITORIAL, Impact.METADATA)

VERDICTS: dict[str, str] = {
    "substantive": "Substantive change: this changes what happens to patients",
    "editorial": "Editorial only: wording changes, the care itself is unchanged",
    "metadata": "Metadata only: governance, history or version details changed",
    "none": "No clinical changes",
}

#: Signs: something added, removed, changed, or a consequence derived from other changes.
SIGNS: tuple[str, ...] = ("+", "-", "~", "!")

#: How a change's old and new values are shown next to it.
VALUES = "values"  # both in full
WORDS = "words"  # short values in full, with the words that changed marked
PROSE = "prose"  # prose: a word diff rather than both in full
SHOWS: tuple[str, ...] = (VALUES, WORDS, PROSE)

#: The parts of a step the picture names on a changed step ("~ changed: facts").
ASPECTS: tuple[str, ...] = ("title", "type", "phase", "wording", "facts", "alongside", "references")

_S, _E, _M = Impact.SUBSTANTIVE, Impact.EDITORIAL, Impact.METADATA


class Kind(enum.StrEnum):
    """Every kind of change, with how it is classed and marked."""

    area: str  # stage, transition, fact, text, pathway, governance, history, group, reference, glossary, graph
    impact: Impact
    sign: str  # one of SIGNS
    aspect: str | None  # one of ASPECTS, or None when the picture shows it otherwise (node or arrow status)
    show: str  # one of SHOWS

    def __new__(cls, value: str, area: str, impact: Impact, sign: str, aspect: str | None = None,
                show: str = VALUES) -> Kind:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.area, obj.impact, obj.sign, obj.aspect, obj.show = area, impact, sign, aspect, show
        return obj

    @property
    def consequence(self) -> bool:
        """Derived from other changes (graph consequences, dangling links)."""
        return self.sign == "!"

    # id                                 area          impact sign aspect       values
    START_CHANGED = "start-changed", "pathway", _S, "~"
    TITLE_CHANGED = "title-changed", "pathway", _E, "~"
    SUMMARY_REWORDED = "summary-reworded", "text", _E, "~", None, PROSE
    AUDIENCE_CHANGED = "audience-changed", "pathway", _E, "~", None, PROSE
    VERSION_CHANGED = "version-changed", "pathway", _M, "~"
    STATUS_CHANGED = "status-changed", "pathway", _M, "~"
    ID_CHANGED = "id-changed", "pathway", _M, "~"
    FORMAT_CHANGED = "format-changed", "pathway", _M, "~"
    OTHER_CHANGED = "other-changed", "pathway", _E, "~"
    STAGE_ADDED = "stage-added", "stage", _S, "+"
    STAGE_REMOVED = "stage-removed", "stage", _S, "-"
    STAGES_REORDERED = "stages-reordered", "stage", _E, "~"
    STAGE_RENAMED = "stage-renamed", "stage", _E, "~", "title", WORDS
    STAGE_REKINDED = "stage-rekinded", "stage", _S, "~", "type"
    STAGE_REGROUPED = "stage-regrouped", "stage", _E, "~", "phase"
    STAGE_SUMMARY_REWORDED = "stage-summary-reworded", "text", _E, "~", "wording", PROSE
    STAGE_BODY_REWORDED = "stage-body-reworded", "text", _E, "~", "wording", PROSE
    FACT_ADDED = "fact-added", "fact", _S, "+", "facts"
    FACT_CHANGED = "fact-changed", "fact", _S, "~", "facts", WORDS
    FACT_REMOVED = "fact-removed", "fact", _S, "-", "facts"
    FACTS_REORDERED = "facts-reordered", "fact", _E, "~", "facts"
    TRANSITION_RETARGETED = "transition-retargeted", "transition", _S, "~"
    WHEN_CHANGED = "when-changed", "transition", _S, "~", None, WORDS
    TRANSITION_ADDED = "transition-added", "transition", _S, "+"
    TRANSITION_REMOVED = "transition-removed", "transition", _S, "-"
    TRANSITIONS_REORDERED = "transitions-reordered", "transition", _E, "~"
    ALONGSIDE_ADDED = "alongside-added", "stage", _S, "+", "alongside"
    ALONGSIDE_REMOVED = "alongside-removed", "stage", _S, "-", "alongside"
    STAGE_REFERENCE_ADDED = "stage-reference-added", "stage", _E, "+", "references"
    STAGE_REFERENCE_REMOVED = "stage-reference-removed", "stage", _E, "-", "references"
    GROUP_ADDED = "group-added", "group", _E, "+"
    GROUP_RENAMED = "group-renamed", "group", _E, "~", None, WORDS
    GROUP_REMOVED = "group-removed", "group", _E, "-"
    GROUPS_REORDERED = "groups-reordered", "group", _E, "~"
    REFERENCE_ADDED = "reference-added", "reference", _E, "+"
    REFERENCE_RETITLED = "reference-retitled", "reference", _E, "~", None, WORDS
    REFERENCE_URL_CHANGED = "reference-url-changed", "reference", _E, "~"
    REFERENCE_REMOVED = "reference-removed", "reference", _E, "-"
    GLOSSARY_ADDED = "glossary-added", "glossary", _E, "+", None, PROSE
    GLOSSARY_REDEFINED = "glossary-redefined", "glossary", _E, "~", None, PROSE
    GLOSSARY_ABBR_CHANGED = "glossary-abbr-changed", "glossary", _E, "~"
    GLOSSARY_REMOVED = "glossary-removed", "glossary", _E, "-", None, PROSE
    OWNER_CHANGED = "owner-changed", "governance", _M, "~"
    AUTHORS_CHANGED = "authors-changed", "governance", _M, "~"
    APPROVED_BY_CHANGED = "approved-by-changed", "governance", _M, "~"
    APPROVED_ON_CHANGED = "approved-on-changed", "governance", _M, "~"
    LAST_REVIEWED_CHANGED = "last-reviewed-changed", "governance", _M, "~"
    NEXT_REVIEW_CHANGED = "next-review-changed", "governance", _M, "~"
    EXPIRES_CHANGED = "expires-changed", "governance", _M, "~"
    CONTACT_CHANGED = "contact-changed", "governance", _M, "~"
    HISTORY_ADDED = "history-added", "history", _M, "+", None, PROSE
    HISTORY_REMOVED = "history-removed", "history", _M, "-", None, PROSE
    REMOVED_STAGE_STILL_LINKED = "removed-stage-still-linked", "graph", _S, "!"
    NEWLY_UNREACHABLE = "newly-unreachable", "graph", _S, "!"
    NEW_DEAD_END = "new-dead-end", "graph", _S, "!"
    NEW_LOOP_WITHOUT_EXIT = "new-loop-without-exit", "graph", _S, "!"
    NEW_LOOP = "new-loop", "graph", _S, "!"
    DECISION_LOST_BRANCH = "decision-lost-branch", "graph", _S, "!"
    CONDITION_CHANGED = "condition-changed", "transition", _S, "~", None, WORDS
    ORDER_CHANGED = "order-changed", "transition", _S, "~"
    INPUT_ADDED = "input-added", "input", _E, "+"
    INPUT_REMOVED = "input-removed", "input", _E, "-"
    INPUT_CHANGED = "input-changed", "input", _S, "~"
    INPUT_RELABELLED = "input-relabelled", "input", _E, "~", None, WORDS
    COMPUTABLE_CHANGED = "computable-changed", "pathway", _S, "~"
    SCENARIO_REROUTED = "scenario-rerouted", "graph", _S, "!"  # a consequence, listed first (PathwayDiff.rerouted)


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new pathway; its class and marks come from ``kind``."""

    kind: Kind
    subject: str  # what it is about: stage id, "stage-id/fact label", reference id, glossary term, field name
    summary: str  # short clinical phrase, e.g. 'fact "Target SpO2" changed'
    old: str | None = None
    new: str | None = None
    stage: str | None = None  # id of the stage it concerns, if any
    stage_title: str | None = None

    @property
    def area(self) -> str:
        return self.kind.area

    @property
    def impact(self) -> Impact:
        return self.kind.impact

    @property
    def text(self) -> bool:
        """old/new are prose: show a word diff rather than both in full."""
        return self.kind.show == PROSE

    @property
    def consequence(self) -> bool:
        """Derived from other changes (graph consequences, dangling links)."""
        return self.kind.consequence

    @property
    def values_inline(self) -> bool:
        """Whether ``message`` already shows the old and new values (short, not prose)."""
        return not self.text and all(v is None or len(v) <= _INLINE_MAX for v in (self.old, self.new))

    @property
    def message(self) -> str:
        """The whole change as one plain-text sentence."""
        where = f"{self.stage_title} ({self.stage}): " if self.stage else ""
        out = where + self.summary
        if self.values_inline:
            if self.old is not None and self.new is not None:
                out += f": {self.old} → {self.new}"
            elif self.new is not None:
                out += f": {self.new}"
            elif self.old is not None:
                out += f" (was: {self.old})"
        return out


def sign(change: Change) -> str:
    """'+' for something added, '-' for something removed, '~' for a change, '!' for a consequence."""
    return change.kind.sign


@dataclass(frozen=True)
class PathwayDiff:
    """Everything that differs between two pathways, plus the version verdict."""

    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    version_bumped: bool
    history_added: bool
    warnings: tuple[str, ...] = field(default=())
    # Whether the FHIR export changes (generator.review.exportdiff); None when it was not asked for.
    export: ExportDiff | None = None

    @property
    def impact(self) -> str:
        """Overall class: 'substantive', 'editorial', 'metadata' or 'none'."""
        present = {c.impact for c in self.changes}
        for imp in IMPACT_ORDER:
            if imp in present:
                return imp.value
        return "none"

    @property
    def verdict(self) -> str:
        return VERDICTS[self.impact]

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    def by_impact(self, impact: Impact) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.impact is impact and not c.consequence)

    @property
    def consequences(self) -> tuple[Change, ...]:
        """Graph consequences (re-routed patients are listed apart: ``rerouted``)."""
        return tuple(c for c in self.changes if c.consequence and c.kind is not Kind.SCENARIO_REROUTED)

    @property
    def rerouted(self) -> tuple[Change, ...]:
        """Patient scenarios the change sends elsewhere: the first thing a reviewer reads."""
        return tuple(c for c in self.changes if c.kind is Kind.SCENARIO_REROUTED)

    def missing_for_release(self) -> tuple[str, ...]:
        """What a substantive change still needs before release; empty when nothing is missing."""
        if self.impact != "substantive":
            return ()
        missing = []
        if not self.version_bumped:
            missing.append(f"a higher version than {self.old_version} (it is {self.new_version})")
        if not self.history_added:
            missing.append("a new history entry describing the change")
        return tuple(missing)


# --------------------------------------------------------------------------
# Building changes (used by the comparison and the graph consequences)


def quoted(text: str | None) -> str:
    """A value named inside a summary: in quotes, or "(none)"."""
    return f"“{text}”" if text else "(none)"


def listed(items: Iterable[str]) -> str:
    return ", ".join(items)


def _text(value: object) -> str | None:
    """Model value as display text (dates as ISO dates, lists comma-separated)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return listed(str(v) for v in value) or None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class Collector:
    """Accumulates changes with the stage titles looked up once."""

    def __init__(self, old: Pathway, new: Pathway) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []

    def title(self, stage_id: str) -> str:
        s = self.new.stage_by_id.get(stage_id) or self.old.stage_by_id.get(stage_id)
        return s.title if s else stage_id

    def step(self, stage_id: str) -> str:
        """A stage named for a sentence: its title and id."""
        return f"{quoted(self.title(stage_id))} ({stage_id})"

    def add(self, kind: Kind, subject: str, summary: str, old: object = None, new: object = None,
            stage: str | None = None) -> None:
        self.changes.append(
            Change(
                kind=kind,
                subject=subject,
                summary=summary,
                old=_text(old),
                new=_text(new),
                stage=stage,
                stage_title=self.title(stage) if stage else None,
            )
        )
