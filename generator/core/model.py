"""The pathway model: frozen dataclasses with no I/O.

Every node keeps the ``Location`` it was read from, so checks can point at
``FILE:LINE:COL``.  Field-level locations live in ``field_locs`` (field name to
the location of that field's *value*); they never take part in equality, so two
pathways that differ only in layout compare equal.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:  # the expression module imports this one
    from generator.core.expressions import Condition

KINDS: tuple[str, ...] = (
    "assessment",
    "investigation",
    "decision",
    "procedure",
    "therapy",
    "surgery",
    "referral",
    "outcome",
)
STATUSES: tuple[str, ...] = ("draft", "active", "retired")
INPUT_TYPES: tuple[str, ...] = ("number", "integer", "boolean", "choice", "duration")
#: How a decision's branches relate (``order:``): exclusive is the default.
ORDERS: tuple[str, ...] = ("exclusive", "first-match")
INPUT_ID_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
FORMAT_VERSION = 1
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: Separates a pathway id from a stage id in a link into another pathway of a library ("spine-surgery:consult").
PATHWAY_SEP = ":"


def split_target(target: str) -> tuple[str, str] | None:
    """``(pathway id, stage id)`` for a target in another pathway (``pathway-id:stage-id``), else None."""
    pathway_id, sep, stage_id = target.partition(PATHWAY_SEP)
    return (pathway_id.strip(), stage_id.strip()) if sep else None


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a source file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about a pathway file, reported as ``FILE:LINE:COL: severity: message [rule]``."""

    severity: Severity
    rule: str
    message: str
    location: Location
    #: The end of the message still to be worked out (a "did you mean …?"), or None.  Computing
    #: suggestions is most of the cost of a file with a flood of problems, so it waits until the
    #: problem is known to be shown (see ``complete``); never part of equality.
    hint: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    #: True for a knock-on problem whose cause is reported elsewhere (a reference to an id that
    #: is written invalidly): it is listed after the others, so the root cause comes first.
    follows: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        # Every id must be in the registry, so docs, `pathway rules` and messages never disagree.
        from generator.core.rules import check_rule  # here: rules.py imports this module

        check_rule(self.rule, self.severity)

    def sort_key(self) -> tuple:
        return (self.follows, self.location, self.severity != Severity.ERROR, self.rule, self.message)

    def complete(self, with_hint: bool = True) -> Problem:
        """This problem with its hint worked out and appended to the message (or dropped)."""
        if self.hint is None:
            return self
        return Problem(self.severity, self.rule, self.message + (self.hint() if with_hint else ""), self.location,
                       follows=self.follows)


def _loc_field() -> Location:
    return field(default=Location("<memory>", 0, 0), compare=False, repr=False)


def _locs_field() -> Mapping[str, Location]:
    return field(default_factory=dict, compare=False, repr=False, hash=False)


@dataclass(frozen=True)
class IdRef:
    """A reference by id to a stage or a reference entry, with where it was written."""

    id: str
    loc: Location = _loc_field()


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    loc: Location = _loc_field()


@dataclass(frozen=True)
class Transition:
    to: str
    when: str | None = None
    #: The computable condition (``if:``), parsed; None on a narrative branch.
    condition: Condition | None = None
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()

    @property
    def external(self) -> tuple[str, str] | None:
        """``(pathway id, stage id)`` when the branch leads into another pathway of the library."""
        return split_target(self.to)


@dataclass(frozen=True)
class Input:
    """One entry of the data dictionary: a value decisions depend on."""

    id: str
    label: str
    type: str  # number | integer | boolean | choice | duration
    unit: str | None = None
    #: Inclusive [min, max] for number, integer and duration (durations in days); None if not given.
    range: tuple[Fraction, Fraction] | None = None
    choices: tuple[str, ...] = ()
    description: str | None = None
    references: tuple[IdRef, ...] = ()
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    kind: str
    group: str | None = None
    summary: str | None = None
    body: str | None = None
    facts: tuple[Fact, ...] = ()
    next: tuple[Transition, ...] = ()
    alongside: tuple[IdRef, ...] = ()
    references: tuple[IdRef, ...] = ()
    #: How a decision's branches relate: 'exclusive' (the default) or 'first-match'; None if not given.
    order: str | None = None
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class Reference:
    id: str
    title: str
    url: str | None = None
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    abbr: str | None = None
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class Governance:
    owner: str | None = None
    authors: tuple[str, ...] = ()
    approved_by: tuple[str, ...] = ()
    approved_on: _dt.date | None = None
    last_reviewed: _dt.date | None = None
    next_review: _dt.date | None = None
    expires: _dt.date | None = None
    contact: str | None = None
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class HistoryEntry:
    version: str
    date: _dt.date | None = None
    summary: str | None = None
    approved_by: tuple[str, ...] = ()
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class Pathway:
    """A whole care pathway, as written in ``pathway.yaml``."""

    id: str
    title: str
    version: str
    status: str
    start: str
    stages: tuple[Stage, ...]
    format: int = FORMAT_VERSION
    summary: str | None = None
    audience: str | None = None
    governance: Governance = field(default_factory=Governance)
    history: tuple[HistoryEntry, ...] = ()
    groups: tuple[Group, ...] = ()
    references: tuple[Reference, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    #: The data dictionary: the inputs computable decisions depend on.
    inputs: tuple[Input, ...] = ()
    #: 'all' when every decision must be computable; None if not given.
    computable: str | None = None
    #: The specialty or service the pathway belongs to, for a library's catalogue ("Spinal services").
    specialty: str | None = None
    source: str = field(default="<memory>", compare=False)
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()

    # cached_property writes to the instance __dict__ directly, which a frozen
    # dataclass allows; the caches are derived data, never part of equality.
    @cached_property
    def stage_by_id(self) -> dict[str, Stage]:
        """First stage with each id (duplicates are reported by the checks)."""
        out: dict[str, Stage] = {}
        for s in self.stages:
            out.setdefault(s.id, s)
        return out

    @cached_property
    def group_by_id(self) -> dict[str, Group]:
        out: dict[str, Group] = {}
        for g in self.groups:
            out.setdefault(g.id, g)
        return out

    @cached_property
    def input_by_id(self) -> dict[str, Input]:
        out: dict[str, Input] = {}
        for i in self.inputs:
            out.setdefault(i.id, i)
        return out

    @cached_property
    def reference_by_id(self) -> dict[str, Reference]:
        out: dict[str, Reference] = {}
        for r in self.references:
            out.setdefault(r.id, r)
        return out

    @cached_property
    def incoming(self) -> dict[str, tuple[tuple[Stage, Transition], ...]]:
        """For each stage id, the (source stage, transition) pairs that lead to it, in file order."""
        acc: dict[str, list[tuple[Stage, Transition]]] = {s.id: [] for s in self.stages}
        for s in self.stages:
            for t in s.next:
                acc.setdefault(t.to, []).append((s, t))
        return {k: tuple(v) for k, v in acc.items()}

    @cached_property
    def alongside_of(self) -> dict[str, tuple[str, ...]]:
        """Symmetric 'runs alongside' relation: stage id -> ids, in file order, no duplicates."""
        # Dicts as ordered sets: a stage run alongside thousands of others stays linear.
        acc: dict[str, dict[str, None]] = {s.id: {} for s in self.stages}
        for s in self.stages:
            for ref in s.alongside:
                for a, b in ((s.id, ref.id), (ref.id, s.id)):
                    if a != b:
                        acc.setdefault(a, {})[b] = None
        return {k: tuple(v) for k, v in acc.items()}


@dataclass(frozen=True)
class LibraryFile:
    """``library.yaml``: the library's name and what its pathways share."""

    title: str
    summary: str | None = None
    references: tuple[Reference, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    source: str = field(default="<memory>", compare=False)
    loc: Location = _loc_field()
    field_locs: Mapping[str, Location] = _locs_field()


@dataclass(frozen=True)
class LibraryIndex:
    """What a pathway of a library may link into: every pathway's title and stages (id → title), by pathway id."""

    titles: Mapping[str, str]
    stages: Mapping[str, Mapping[str, str]]
