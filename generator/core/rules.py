"""Every rule the checker reports: its id, its severity and a one-line summary, in one place.

Rule ids are stable: they appear at the end of messages (``[unknown-stage]``),
in CI annotations and in the documentation.  ``pathway rules`` lists this
table, and the rule lists in README.md and docs/format.md are generated from
it (``scripts/rule_docs.py``; a test fails when they are stale).

A rule is a ``StrEnum`` member, so it *is* its id wherever a string is
expected (``Problem.rule``, JSON, messages), and a misspelt ``Rule.X`` fails
at once.  ``Problem`` refuses an id that is not in this table, or a severity
the rule does not have.

To add a rule, add one line below (in the group it belongs to) and report it
with ``Rule.YOUR_RULE``; the docs are regenerated with
``python scripts/rule_docs.py``.
"""

from __future__ import annotations

import enum
import json
import re

from generator.core.model import Severity

READING = "reading the file"
FORMAT = "the format"
LINKS = "cross-references"
FLOW = "flow"
GOVERNANCE = "governance"
PUBLISHING = "what may be published"
DECISIONS = "computable decisions"
SCENARIOS = "patient scenarios"
TOPICS: tuple[str, ...] = (READING, FORMAT, LINKS, FLOW, GOVERNANCE, PUBLISHING, DECISIONS, SCENARIOS)

_E, _W = Severity.ERROR, Severity.WARNING


class Rule(enum.StrEnum):
    """A rule: its id (the value), topic, severity, one-line summary and severity when publishing."""

    topic: str
    severity: Severity
    summary: str
    when_publishing: Severity  # the severity for ``build``/``pdf`` (``validate --for-build``)

    def __new__(cls, value: str, topic: str, severity: Severity, summary: str,
                when_publishing: Severity | None = None) -> Rule:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.topic, obj.severity, obj.summary = topic, severity, summary
        obj.when_publishing = when_publishing or severity
        return obj

    @property
    def level(self) -> str:
        """The severity in words: 'error', 'warning' or 'warning; error when publishing'."""
        if self.when_publishing is self.severity:
            return self.severity.value
        return f"{self.severity.value}; {self.when_publishing.value} when publishing"

    # One line per rule:  NAME = "id", topic, severity, "summary"[, severity when publishing]
    ENCODING = "encoding", READING, _E, "The file is not UTF-8 text."
    EMPTY_FILE = "empty-file", READING, _E, "The file holds no YAML document."
    YAML_SYNTAX = "yaml-syntax", READING, _E, "The file is not valid YAML, or holds more than one document."
    YAML_ALIAS = "yaml-alias", READING, _E, "YAML anchors (&name) and aliases (*name) are not allowed."
    YAML_TAG = "yaml-tag", READING, _E, "YAML tags (!!python/…, !!str, …) are not allowed."
    COMMENT_IN_VALUE = "comment-in-value", READING, _W, "A '#' after a plain value starts a YAML comment: the rest of the line is not in the value."
    DUPLICATE_KEY = "duplicate-key", READING, _E, "The same key appears twice in one mapping (e.g. two 'next:')."
    LIMIT_EXCEEDED = "limit-exceeded", READING, _E, "The file is beyond a size limit (generator/core/limits.py)."
    CONTROL_CHARACTER = "control-character", READING, _E, "A control character (NUL, ESC, …) or a bidirectional override in a text."
    UNKNOWN_KEY = "unknown-key", FORMAT, _E, "A key the format does not have (often a typo)."
    MISSING_FIELD = "missing-field", FORMAT, _E, "A required field is missing or empty."
    WRONG_TYPE = "wrong-type", FORMAT, _E, "A value of the wrong shape (text, list, mapping)."
    BAD_SLUG = "bad-slug", FORMAT, _E, "An id that is not lower-case letters, digits and single hyphens."
    UNKNOWN_KIND = "unknown-kind", FORMAT, _E, "A stage kind that does not exist."
    UNKNOWN_STATUS = "unknown-status", FORMAT, _E, "A pathway status other than draft, active, retired."
    BAD_DATE = "bad-date", FORMAT, _E, "A date that is not YYYY-MM-DD or not a real calendar date."
    BAD_FORMAT = "bad-format", FORMAT, _E, "A 'format' other than 1."
    UNKNOWN_STAGE = "unknown-stage", LINKS, _E, "start, next or alongside names no stage."
    UNKNOWN_GROUP = "unknown-group", LINKS, _E, "A stage's group names no group."
    UNKNOWN_REFERENCE = "unknown-reference", LINKS, _E, "A stage cites a reference id that is not defined."
    UNKNOWN_LINK = "unknown-link", LINKS, _E, "A [[link]] in a text names no stage."
    UNKNOWN_PATHWAY = "unknown-pathway", LINKS, _E, "A 'pathway-id:stage-id' target names no pathway of the library (or the pathway is not in one)."
    DUPLICATE_PATHWAY = "duplicate-pathway", LINKS, _E, "Two pathway files of a library share an id (each is published at /<id>/)."
    DUPLICATE_ID = "duplicate-id", LINKS, _E, "Two stages, groups, references or glossary terms share an id."
    DECISION_BRANCHES = "decision-branches", FLOW, _E, "A decision with fewer than two branches."
    MISSING_WHEN = "missing-when", FLOW, _E, "A branch of a decision without a 'when' condition."
    OUTCOME_HAS_NEXT = "outcome-has-next", FLOW, _E, "An outcome stage with branches (outcomes end the pathway)."
    UNREACHABLE = "unreachable", FLOW, _W, "A stage that cannot be reached from start by following next and alongside."
    DEAD_END = "dead-end", FLOW, _W, "A non-outcome stage with no next (one only run alongside others is exempt)."
    NO_EXIT_LOOP = "no-exit-loop", FLOW, _W, "A loop with no branch that leaves it and no outcome in it."
    REVIEW_OVERDUE = "review-overdue", GOVERNANCE, _W, "governance.next_review is in the past."
    EXPIRED = "expired", GOVERNANCE, _W, "governance.expires is in the past; it is not published until reviewed.", _E
    UNUSED_REFERENCE = "unused-reference", GOVERNANCE, _W, "A reference no stage cites."
    VERSION_NOT_IN_HISTORY = "version-not-in-history", GOVERNANCE, _W, "The version has no entry in history (if used)."
    BAD_URL = "bad-url", PUBLISHING, _E, "A URL field that is not an http/https/mailto address with a host."
    UNSAFE_LINK = "unsafe-link", PUBLISHING, _W, "A Markdown link or image the site shows as text (javascript:, data:, //host, …)."
    THEME_CLASS = "theme-class", PUBLISHING, _W, "An admonition class the site drops, such as the theme's md-sidebar."
    MARKDOWN_MEANING = "markdown-meaning", PUBLISHING, _W, "A line of a Markdown text would not show as written (a heading, quote, list or code)."
    BAD_INPUT = "bad-input", DECISIONS, _E, "A data-dictionary input whose id, type, unit, range or choices do not fit together."
    EXPRESSION_SYNTAX = "expression-syntax", DECISIONS, _E, "An 'if' condition that does not parse (the column inside it is given)."
    UNKNOWN_INPUT = "unknown-input", DECISIONS, _E, "A condition names an input the data dictionary does not define."
    UNIT_MISMATCH = "unit-mismatch", DECISIONS, _E, "A value in a condition has another unit than its input (50 for 50 %, 3 for 3 months)."
    TYPE_MISMATCH = "type-mismatch", DECISIONS, _E, "A comparison that does not fit its input (a choice not in its choices, a number with true)."
    MISPLACED_OTHERWISE = "misplaced-otherwise", DECISIONS, _E, "'otherwise' on a branch other than the last, or on more than one."
    MIXED_DECISION = "mixed-decision", DECISIONS, _E, "A decision with 'if' on some branches but not all (or 'if' on a stage that is not a decision)."
    NOT_COMPUTABLE = "not-computable", DECISIONS, _E, "A decision without conditions in a pathway that declares 'computable: all'."
    OVERLAPPING_BRANCHES = "overlapping-branches", DECISIONS, _E, "Two branches of an exclusive decision both apply to some patient (an example is given)."
    DECISION_GAP = "decision-gap", DECISIONS, _E, "No branch of a computable decision applies to some patient (an example is given)."
    SHADOWED_BRANCH = "shadowed-branch", DECISIONS, _W, "A branch that can never be taken: earlier branches (first-match) or the others (otherwise) cover it."
    UNUSED_INPUT = "unused-input", DECISIONS, _W, "A data-dictionary input no condition uses."
    BAD_SCENARIO = "bad-scenario", SCENARIOS, _E, "A scenario file that does not fit the format, or names an unknown stage, input or value."
    SCENARIO_FAILED = "scenario-failed", SCENARIOS, _E, "A scenario's walk ends elsewhere, takes another route, loops, or lacks an input it needs."


#: Every rule by id, in the order of the table.
RULES: dict[str, Rule] = {r.value: r for r in Rule}


def check_rule(rule: str, severity: Severity) -> None:
    """Refuse a rule id that is not registered, or a severity the rule never has (a bug in the tool)."""
    r = RULES.get(rule)
    if r is None:
        raise ValueError(f"rule id {rule!r} is not registered in generator/core/rules.py")
    if severity not in (r.severity, r.when_publishing):
        raise ValueError(f"rule {rule!r} is reported as {severity.value}, but it is a {r.level} rule")


# --------------------------------------------------------------------------
# Listings (``pathway rules`` and the generated docs)


def as_text() -> str:
    """One line per rule, grouped by topic, for a terminal."""
    width = max(len(r) for r in Rule)
    out: list[str] = []
    for topic in TOPICS:
        if out:
            out.append("")
        out.append(f"{topic.capitalize()}:")
        for r in Rule:
            if r.topic == topic:
                extra = "" if r.when_publishing is r.severity else f" ({r.when_publishing.value} when publishing)"
                out.append(f"  {r.value:<{width}}  {r.severity.value:<7}  {r.summary}{extra}")
    return "\n".join(out) + "\n"


def as_json() -> str:
    """The table as a JSON list, in a stable order."""
    doc = [{"id": r.value, "topic": r.topic, "severity": r.severity.value,
            "when_publishing": r.when_publishing.value, "summary": r.summary} for r in Rule]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def as_markdown() -> str:
    """The table in Markdown, as docs/format.md shows it."""
    out = ["| Rule id | Level | What it means |", "|---|---|---|"]
    out += [f"| `{r.value}` | {r.level} | {_md_cell(r.summary)} |" for r in Rule]
    return "\n".join(out) + "\n"


def readme_paragraph() -> str:
    """The compact list of ids in README.md, errors first."""
    def ids(rules: list[Rule]) -> str:
        return ", ".join(f"`{r.value}`" + ("" if r.level == r.severity.value else f" ({r.when_publishing.value} "
                                                                                   "when publishing)") for r in rules)

    errors = [r for r in Rule if r.severity is Severity.ERROR]
    warnings = [r for r in Rule if r.severity is Severity.WARNING]
    text = (f"Rule ids (stable; `pathway rules` says what each means): errors: {ids(errors)}; "
            f"warnings: {ids(warnings)}.")
    return _wrap(text, 118) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md_cell(text: str) -> str:
    """Summary text shown literally in a Markdown table cell."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _wrap(text: str, width: int) -> str:
    """Break at spaces so no line is longer than ``width`` (an id never splits)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])
