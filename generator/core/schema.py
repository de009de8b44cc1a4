"""The pathway file format v1, described once.

Each object in ``pathway.yaml`` (the pathway, a stage, a branch, …) is an
``ObjectSpec`` listing its ``FieldSpec``s.  Two consumers read these specs:

* ``generator.core.loader`` validates a file against them (unknown keys, missing
  fields, wrong types, bad ids/dates/kinds);
* ``json_schema()`` derives the JSON Schema (draft 2020-12) that editors use for
  completion and hover help — ``pathway schema`` prints it.

To add a field: add a ``FieldSpec`` here, read it in ``loader.py``, add it to the
model, and run ``pathway schema -o schema/pathway.schema.json`` and
``pathway schema -o generator/core/pathway.schema.json`` (the copy shipped in the package).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from generator.core.model import INPUT_TYPES, KINDS, ORDERS, SLUG_PATTERN, STATUSES
from generator.core.rules import Rule


class T(str, enum.Enum):
    """Field types, as an author would name them."""

    TEXT = "text"  # one line of plain text, kept exactly as written
    MARKDOWN = "markdown"  # Markdown text, may span lines, may hold [[links]]
    SLUG = "slug"  # an id being defined: lower-case-with-hyphens
    REF = "ref"  # an id naming something defined elsewhere
    DATE = "date"  # YYYY-MM-DD
    CHOICE = "choice"  # one of ``choices``
    FORMAT = "format"  # the file format number: 1
    URL = "url"
    TEXT_LIST = "text-list"
    REF_LIST = "ref-list"
    FACTS = "facts"  # mapping of label: value, order kept
    OBJECT = "object"
    OBJECT_LIST = "object-list"


@dataclass(frozen=True)
class FieldSpec:
    """One key of an object."""

    name: str
    type: T
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    rule: str = Rule.WRONG_TYPE  # rule id for a value outside ``choices``
    of: "ObjectSpec | None" = None  # for OBJECT and OBJECT_LIST
    what: str = ""  # what a list holds / what an id names, for messages ("stage ids")


@dataclass(frozen=True)
class ObjectSpec:
    """A mapping in the file with a fixed set of keys."""

    name: str  # as shown in messages: "stage", "branch"
    description: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec | None:
        return self._by_name.get(name)

    # Cached: the loader asks for these once per key of the file (cached_property
    # writes the instance __dict__, which a frozen dataclass allows).
    @cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in reversed(self.fields)}

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


BRANCH = ObjectSpec(
    "branch",
    "One way forward from a stage.",
    (
        FieldSpec("to", T.REF, "Id of the stage this branch leads to; in a library, 'pathway-id:stage-id' leads into "
                  "another pathway.", required=True, what="stage"),
        FieldSpec(
            "when",
            T.TEXT,
            "The condition for taking this branch, as shown on the arrow. Required on every branch of a decision.",
        ),
        FieldSpec(
            "if",
            T.TEXT,
            "The computable condition over the data dictionary's inputs, e.g. 'mbb_relief >= 50 %', or 'otherwise' "
            "(last branch only). Give it on every branch of a decision or on none.",
        ),
    ),
)

STAGE = ObjectSpec(
    "stage",
    "One step of the pathway: an assessment, test, decision, treatment, referral or outcome.",
    (
        FieldSpec(
            "id",
            T.SLUG,
            "Unique id: lower-case letters, digits and hyphens, e.g. medial-branch-block. Used in links and URLs.",
            required=True,
        ),
        FieldSpec("title", T.TEXT, "Name of the stage as shown to readers.", required=True),
        FieldSpec(
            "kind",
            T.CHOICE,
            "What sort of stage this is; sets its shape and colour in the flowchart.",
            required=True,
            choices=KINDS,
            rule=Rule.UNKNOWN_KIND,
        ),
        FieldSpec("group", T.REF, "Id of the group (phase) this stage belongs to.", what="group"),
        FieldSpec("summary", T.TEXT, "One line for diagrams, lists and tooltips."),
        FieldSpec(
            "body",
            T.MARKDOWN,
            "Full description in Markdown. Link to another stage with [[stage-id]] or [[stage-id|text]].",
        ),
        FieldSpec("facts", T.FACTS, "Key facts as 'label: value' lines, shown as a table in this order."),
        FieldSpec("next", T.OBJECT_LIST, "Where the pathway can go after this stage.", of=BRANCH, what="branches"),
        FieldSpec(
            "alongside",
            T.REF_LIST,
            "Ids of stages that run at the same time as this one (e.g. physiotherapy).",
            what="stage",
        ),
        FieldSpec("references", T.REF_LIST, "Ids of references that support this stage.", what="reference"),
        FieldSpec(
            "order",
            T.CHOICE,
            "For a computable decision: 'exclusive' (default: exactly one branch applies to every patient) or "
            "'first-match' (branches are tried top to bottom).",
            choices=ORDERS,
        ),
    ),
)

INPUT = ObjectSpec(
    "input",
    "One value computable decisions depend on (the data dictionary).",
    (
        FieldSpec("id", T.TEXT, "Name used in conditions: lower-case letters, digits and underscores, e.g. mbb_relief.",
                  required=True),
        FieldSpec("label", T.TEXT, "What the value is, as shown to readers.", required=True),
        FieldSpec("type", T.CHOICE, "number, integer, boolean, choice or duration.", required=True,
                  choices=INPUT_TYPES, rule=Rule.BAD_INPUT),
        FieldSpec("unit", T.TEXT, "Unit of a number or integer, e.g. '%' or 'mmHg'; conditions must use the same unit."),
        FieldSpec("range", T.TEXT_LIST, "Inclusive [min, max] of a number, integer or duration, e.g. [0, 100] or "
                  "[\"0 days\", \"5 years\"].", what="values"),
        FieldSpec("choices", T.TEXT_LIST, "The values a choice can take, e.g. [lasting-relief, pain-returned].",
                  what="values"),
        FieldSpec("description", T.MARKDOWN, "How the value is measured or decided, in Markdown."),
        FieldSpec("references", T.REF_LIST, "Ids of references the input comes from.", what="reference"),
    ),
)

GROUP = ObjectSpec(
    "group",
    "A phase of the pathway; stages in a group are drawn together.",
    (
        FieldSpec("id", T.SLUG, "Unique id of the group, e.g. diagnosis.", required=True),
        FieldSpec("title", T.TEXT, "Name of the phase as shown to readers.", required=True),
    ),
)

REFERENCE = ObjectSpec(
    "reference",
    "A source (article, guideline) cited by stages.",
    (
        FieldSpec("id", T.SLUG, "Unique id, used in a stage's 'references' list.", required=True),
        FieldSpec("title", T.TEXT, "Full citation or title.", required=True),
        FieldSpec("url", T.URL, "Web address (https://…) of the source."),
    ),
)

GLOSSARY_ENTRY = ObjectSpec(
    "glossary entry",
    "A term explained for readers.",
    (
        FieldSpec("term", T.TEXT, "The term as written in the text.", required=True),
        FieldSpec("abbr", T.TEXT, "Abbreviation, e.g. MBB."),
        FieldSpec("definition", T.MARKDOWN, "What the term means, in Markdown.", required=True),
    ),
)

GOVERNANCE = ObjectSpec(
    "governance",
    "Who owns and approved the pathway, and when it must be reviewed.",
    (
        FieldSpec("owner", T.TEXT, "Team or service that owns the pathway."),
        FieldSpec("authors", T.TEXT_LIST, "People who wrote it.", what="names"),
        FieldSpec("approved_by", T.TEXT_LIST, "People or committees who approved it.", what="names"),
        FieldSpec("approved_on", T.DATE, "Date of approval, YYYY-MM-DD."),
        FieldSpec("last_reviewed", T.DATE, "Date of the last review, YYYY-MM-DD."),
        FieldSpec("next_review", T.DATE, "Date the next review is due, YYYY-MM-DD; a warning after it passes."),
        FieldSpec("expires", T.DATE, "Date after which the pathway must not be published, YYYY-MM-DD."),
        FieldSpec("contact", T.TEXT, "E-mail address or phone number for questions."),
    ),
)

HISTORY_ENTRY = ObjectSpec(
    "history entry",
    "One published version, newest first.",
    (
        FieldSpec("version", T.TEXT, "Version number, e.g. \"1.0.0\" (quote it).", required=True),
        FieldSpec("date", T.DATE, "Date of this version, YYYY-MM-DD."),
        FieldSpec("summary", T.TEXT, "What changed."),
        FieldSpec("approved_by", T.TEXT_LIST, "Who approved this version.", what="names"),
    ),
)

PATHWAY = ObjectSpec(
    "pathway",
    "A clinical care pathway (pathway.yaml, format 1).",
    (
        FieldSpec("format", T.FORMAT, "File format version; only 1 exists. Optional."),
        FieldSpec("id", T.SLUG, "Id of the pathway, e.g. facet-joint-pain.", required=True),
        FieldSpec("title", T.TEXT, "Title of the pathway.", required=True),
        FieldSpec("version", T.TEXT, "Version, kept as text: quote it, e.g. \"1.0.0\".", required=True),
        FieldSpec(
            "status",
            T.CHOICE,
            "draft, active or retired.",
            required=True,
            choices=STATUSES,
            rule=Rule.UNKNOWN_STATUS,
        ),
        FieldSpec("summary", T.MARKDOWN, "What the pathway is for, in Markdown."),
        FieldSpec("start", T.REF, "Id of the stage where the pathway starts.", required=True, what="stage"),
        FieldSpec("audience", T.TEXT, "Who the pathway is written for."),
        FieldSpec("specialty", T.TEXT, "The specialty or service it belongs to; a library's catalogue filters by it."),
        FieldSpec("governance", T.OBJECT, "Ownership, approval and review dates.", of=GOVERNANCE),
        FieldSpec("history", T.OBJECT_LIST, "Published versions, newest first.", of=HISTORY_ENTRY, what="versions"),
        FieldSpec("groups", T.OBJECT_LIST, "Phases of the pathway, in order.", of=GROUP, what="groups"),
        FieldSpec("stages", T.OBJECT_LIST, "The stages of the pathway.", required=True, of=STAGE, what="stages"),
        FieldSpec("references", T.OBJECT_LIST, "Sources cited by stages.", of=REFERENCE, what="references"),
        FieldSpec("glossary", T.OBJECT_LIST, "Terms explained for readers.", of=GLOSSARY_ENTRY, what="terms"),
        FieldSpec("inputs", T.OBJECT_LIST, "The data dictionary: the inputs computable decisions depend on.", of=INPUT,
                  what="inputs"),
        FieldSpec("computable", T.CHOICE, "'all': every decision must have computable conditions ('if').",
                  choices=("all",)),
    ),
)

LIBRARY = ObjectSpec(
    "library",
    "A library of pathways (library.yaml beside the pathway files): its name, and the glossary and references "
    "its pathways share. A pathway's own entry with the same term or id is used instead of the shared one.",
    (
        FieldSpec("format", T.FORMAT, "File format version; only 1 exists. Optional."),
        FieldSpec("title", T.TEXT, "Name of the library, shown on the catalogue page.", required=True),
        FieldSpec("summary", T.MARKDOWN, "What the library holds, in Markdown."),
        FieldSpec("references", T.OBJECT_LIST, "Sources any pathway may cite by id.", of=REFERENCE,
                  what="references"),
        FieldSpec("glossary", T.OBJECT_LIST, "Terms explained on every pathway's glossary.", of=GLOSSARY_ENTRY,
                  what="terms"),
    ),
)

#: The schema's identity: where the deploy workflow publishes it on the repository's GitHub Pages site
#: (.github/workflows/deploy.yml), one file per format version, so an identifier never changes meaning.
#: The owner and name follow mkdocs.yml's repo_url (a placeholder until the repository is real; a
#: test keeps the two in step).
SCHEMA_ID = "https://example-org.github.io/care-pathways/schema/pathway-1.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for ``pathway.yaml``, derived from the specs above.

    Scalars that the loader keeps as text (``version: 1.10``, ``when: No``) are
    allowed as numbers and booleans too, because YAML-aware editors type them.
    """
    defs: dict[str, Any] = {}
    root = _object_schema(PATHWAY, defs)
    _add_flow_rules(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Clinical care pathway",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


_TEXTISH = ["string", "number", "boolean"]


def _def_name(spec: ObjectSpec) -> str:
    return spec.name.replace(" ", "-")


def _object_schema(spec: ObjectSpec, defs: dict[str, Any]) -> dict[str, Any]:
    props = {f.name: _field_schema(f, defs) for f in spec.fields}
    out: dict[str, Any] = {"description": spec.description, "type": "object", "properties": props}
    if spec.required:
        out["required"] = list(spec.required)
    out["additionalProperties"] = False
    return out


def _ref(spec: ObjectSpec, defs: dict[str, Any]) -> dict[str, Any]:
    name = _def_name(spec)
    if name not in defs:
        defs[name] = {}  # placeholder first: guards against recursion
        defs[name] = _object_schema(spec, defs)
    return {"$ref": f"#/$defs/{name}"}


def _field_schema(f: FieldSpec, defs: dict[str, Any]) -> dict[str, Any]:
    s: dict[str, Any]
    if f.type in (T.TEXT, T.MARKDOWN, T.REF):
        s = {"type": list(_TEXTISH)}
    elif f.type is T.URL:
        # bad-url, as far as a pattern can say it: http(s)://host… or mailto:…@…, no spaces inside.
        s = {"type": "string", "pattern": _URL_PATTERN}
    elif f.type is T.SLUG:
        s = {"type": "string", "pattern": SLUG_PATTERN}
    elif f.type is T.DATE:
        s = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif f.type is T.CHOICE:
        s = {"enum": list(f.choices)}
    elif f.type is T.FORMAT:
        s = {"enum": [1, "1"]}
    elif f.type in (T.TEXT_LIST, T.REF_LIST):
        s = {"type": "array", "items": {"type": list(_TEXTISH)}}
    elif f.type is T.FACTS:
        s = {"type": "object", "additionalProperties": {"type": list(_TEXTISH)}}
    elif f.type is T.OBJECT:
        assert f.of is not None
        s = _ref(f.of, defs)
    elif f.type is T.OBJECT_LIST:
        assert f.of is not None
        s = {"type": "array", "items": _ref(f.of, defs)}
    else:  # pragma: no cover - every type is handled above
        raise AssertionError(f.type)
    if not f.required and "type" in s:
        # An empty optional key (``summary:``) is read as "not given".
        s["type"] = (s["type"] if isinstance(s["type"], list) else [s["type"]]) + ["null"]
    return {"description": f.description, **s}


_URL_PATTERN = r"^\s*([Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]|[Mm][Aa][Ii][Ll][Tt][Oo]:[^\s]*@)\S*\s*$"


def _kind_is(kind: str) -> dict[str, Any]:
    return {"properties": {"kind": {"const": kind}}, "required": ["kind"]}


def _add_flow_rules(defs: dict[str, Any]) -> None:
    """The flow rules a schema can state, as ``if``/``then`` on the stage, so editors flag them as you type.

    Each one is no stricter than the checker (generator/core/checks.py): a file the checker accepts
    is never marked by an editor.
    """
    stage = defs[_def_name(STAGE)]
    stage["allOf"] = [
        {
            # decision-branches and missing-when
            "if": _kind_is("decision"),
            "then": {
                "description": "A decision needs at least two branches, each with a 'when'.",
                "required": ["next"],
                "properties": {
                    "next": {
                        "type": "array",
                        "minItems": 2,
                        "items": {
                            "required": ["when"],
                            "properties": {"when": {"type": list(_TEXTISH), "pattern": r"\S"}},
                        },
                    }
                },
            },
        },
        {
            # outcome-has-next
            "if": _kind_is("outcome"),
            "then": {
                "description": "An outcome ends the pathway: it has no 'next'.",
                "properties": {"next": {"maxItems": 0}},
            },
        },
    ]


#: The rules the JSON Schema states (an editor flags them); the others need the whole file
#: (cross-references, flow, dates) and only ``pathway validate`` reports them.
SCHEMA_RULES: frozenset[str] = frozenset({
    Rule.MISSING_FIELD, Rule.UNKNOWN_KEY, Rule.WRONG_TYPE, Rule.BAD_SLUG, Rule.UNKNOWN_KIND, Rule.UNKNOWN_STATUS,
    Rule.BAD_FORMAT, Rule.BAD_DATE, Rule.BAD_URL, Rule.DECISION_BRANCHES, Rule.MISSING_WHEN, Rule.OUTCOME_HAS_NEXT,
})
