"""Turn the positioned YAML tree into a ``Pathway``, checking it against ``generator.core.schema``.

The loader is lenient: it reports every structural problem it finds and still
builds as much of the model as it can (a broken stage is skipped, a bad value
is left out), so an author sees all problems in one run.  Cross-references
(does ``next`` name a stage?) are left to ``generator.core.checks``.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable

from generator.core import hygiene, limits
from generator.core.expressions import Condition, ExpressionError, Literal, parse_condition, parse_value
from generator.core.model import (
    INPUT_ID_PATTERN,
    Fact,
    GlossaryEntry,
    LibraryFile,
    Governance,
    Group,
    HistoryEntry,
    IdRef,
    Input,
    Location,
    Pathway,
    Problem,
    Reference,
    Severity,
    Stage,
    Transition,
)
from generator.core.schema import (
    BRANCH,
    GLOSSARY_ENTRY,
    GOVERNANCE,
    GROUP,
    LIBRARY,
    HISTORY_ENTRY,
    INPUT,
    PATHWAY,
    REFERENCE,
    STAGE,
    FieldSpec,
    ObjectSpec,
    T,
)
from generator.core.echo import echo
from generator.core.rules import Rule
from generator.core.suggest import RESERVED_IDS, did_you_mean, is_valid_id, lookalikes, slugify
from generator.core.hints import Hint
from generator.core.yamlsource import Mapping, Node, Scalar, Sequence, describe

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INPUT_ID_RE = re.compile(INPUT_ID_PATTERN)

_EXPECTED = {
    T.TEXT: "text",
    T.MARKDOWN: "text",
    T.SLUG: "an id",
    T.REF: "an id",
    T.DATE: "a date (YYYY-MM-DD)",
    T.CHOICE: "one word",
    T.FORMAT: "the number 1",
    T.URL: "a web address",
    T.FACTS: "a mapping of 'label: value' lines",
    T.OBJECT: "a mapping (key: value pairs)",
}


class _Loader:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    # -- reporting -------------------------------------------------------------------------

    def error(self, rule: str, msg: str, loc: Location, hint: Callable[[], str] | None = None) -> None:
        self.problems.append(Problem(Severity.ERROR, rule, msg, loc, hint))

    # -- generic object reading -------------------------------------------------------------

    def fields(self, node: Node, spec: ObjectSpec, where: str) -> dict[str, Node] | None:
        """Check a mapping's keys against ``spec``; return its non-empty values by key.

        ``where`` names the object in messages ("stage 'mbb'", "branch 2 of stage 'mbb'").
        """
        if not isinstance(node, Mapping):
            hint = ""
            if spec is BRANCH and isinstance(node, Scalar):
                hint = f" — write '- to: {echo(node.value)}'"
            self.error("wrong-type", f"{where}: expected {spec.name} fields (key: value pairs), got {describe(node)}{hint}", node.loc)
            return None
        out: dict[str, Node] = {}
        for key, (key_node, value) in node.entries.items():
            f = spec.field(key)
            if f is None:
                self.error(
                    "unknown-key",
                    f"{where}: unknown key '{echo(key)}'",
                    key_node.loc,
                    Hint(key, spec.keys),  # worked out only if shown
                )
                continue
            if isinstance(value, Scalar) and value.is_null:
                if f.required:
                    self.error(Rule.MISSING_FIELD, f"{where}: '{key}' is empty", value.loc)
                continue  # an empty optional key means "not given"
            out[key] = value
        for name in spec.required:
            if name not in out and name not in node.entries and name not in node.refused:
                self.error(Rule.MISSING_FIELD, f"{where} has no '{name}'", node.loc)
        return out

    def scalar(self, node: Node, f: FieldSpec, where: str) -> Scalar | None:
        if isinstance(node, Scalar):
            return node
        self.error(
            Rule.WRONG_TYPE,
            f"{where}: '{f.name}' should be {_EXPECTED.get(f.type, 'text')}, got {describe(node)}",
            node.loc,
        )
        return None

    def one_line(self, s: Scalar, where: str, name: str) -> None:
        """A line break or tab in an id, a choice, a date or an address is an error (other controls: yamlsource)."""
        if hygiene.find_forbidden(s.value) is not None:
            return  # already reported where it was written
        bad = hygiene.find_forbidden(s.value, one_line=True)
        if bad is not None:
            count = hygiene.count_forbidden(s.value, one_line=True)
            self.error(hygiene.RULE, hygiene.problem_text(bad.group(), count, f"{where}: '{name}'"), s.loc)

    def value(self, node: Node, f: FieldSpec, where: str) -> Any:
        """Convert one field's node by its type; None (with a problem) if it is wrong."""
        t = f.type
        if t in (T.SLUG, T.REF, T.URL, T.DATE, T.CHOICE, T.FORMAT) and isinstance(node, Scalar):
            self.one_line(node, where, f.name)
        if t in (T.TEXT, T.MARKDOWN, T.REF, T.URL):
            s = self.scalar(node, f, where)
            return s.value if s else None
        if t is T.SLUG:
            s = self.scalar(node, f, where)
            if s is None:
                return None
            if s.value in RESERVED_IDS:
                self.error(
                    Rule.BAD_SLUG,
                    f"{where}: '{s.value}' cannot be an id — it is a reserved file name on Windows; "
                    f"use a longer id such as '{s.value}-stage'",
                    s.loc,
                )
            elif not is_valid_id(s.value):
                fix = slugify(s.value)
                hint = f"; did you mean '{echo(fix)}'?" if fix else ""
                look = lookalikes(s.value)
                self.error(
                    "bad-slug",
                    f"{where}: '{echo(s.value)}' is not a valid id{f' ({look})' if look else ''} — "
                    f"use lower-case letters a–z, digits and single hyphens{hint}",
                    s.loc,
                )
            return s.value  # kept, so references to it still resolve
        if t is T.DATE:
            s = self.scalar(node, f, where)
            return self.date(s, f, where) if s else None
        if t is T.CHOICE:
            s = self.scalar(node, f, where)
            if s is None:
                return None
            if s.value not in f.choices:
                choices = ", ".join(f.choices)
                self.error(
                    f.rule,
                    f"{where}: '{f.name}' is '{echo(s.value)}', which is not one of: {choices}"
                    f"{did_you_mean(s.value, f.choices)}",
                    s.loc,
                )
            return s.value
        if t is T.FORMAT:
            s = self.scalar(node, f, where)
            if s is None:
                return None
            if s.value.strip() != "1":
                self.error(
                    "bad-format",
                    f"'format' is '{echo(s.value)}', but this version of the tools reads only format 1",
                    s.loc,
                )
                return None
            return 1
        if t in (T.TEXT_LIST, T.REF_LIST):
            return self.text_list(node, f, where)
        if t is T.FACTS:
            return self.facts(node, f, where)
        raise AssertionError(f"{t} is read by its own builder")  # pragma: no cover

    def date(self, s: Scalar, f: FieldSpec, where: str) -> _dt.date | None:
        text = s.value.strip()
        if not _DATE_RE.match(text):
            self.error("bad-date", f"{where}: '{f.name}' should be a date like 2026-11-01, got '{echo(s.value)}'", s.loc)
            return None
        try:
            return _dt.date.fromisoformat(text)
        except ValueError as exc:
            self.error(Rule.BAD_DATE, f"{where}: '{f.name}' is '{text}', which is not a real date ({exc})", s.loc)
            return None

    def text_list(self, node: Node, f: FieldSpec, where: str) -> list[Scalar]:
        what = f"{f.what} ids" if f.type is T.REF_LIST else (f.what or "texts")
        if not isinstance(node, Sequence):
            hint = f" — write [{echo(node.value)}]" if isinstance(node, Scalar) else ""
            self.error("wrong-type", f"{where}: '{f.name}' should be a list of {what}, got {describe(node)}{hint}", node.loc)
            return []
        out = []
        for item in self.capped(node, f, where):
            if isinstance(item, Scalar) and not item.is_null:
                if f.type is T.REF_LIST:
                    self.one_line(item, where, f.name)
                out.append(item)
            else:
                self.error(Rule.WRONG_TYPE, f"{where}: each item of '{f.name}' should be one of the {what}, got {describe(item)}", item.loc)
        return out

    def facts(self, node: Node, f: FieldSpec, where: str) -> tuple[Fact, ...]:
        if not isinstance(node, Mapping):
            self.error(Rule.WRONG_TYPE, f"{where}: 'facts' should be 'label: value' lines, got {describe(node)}", node.loc)
            return ()
        out = []
        for label, (key_node, value) in node.entries.items():
            if isinstance(value, Scalar) and not value.is_null:
                out.append(Fact(label, value.value, key_node.loc))
            else:
                self.error("wrong-type", f"{where}: fact '{echo(label)}' should have a text value, got {describe(value)}", value.loc)
        return tuple(out)

    def capped(self, seq: Sequence, f: FieldSpec, where: str) -> list[Node]:
        cap = limits.MAX_STAGES if f.name == "stages" and where == "pathway" else limits.MAX_ITEMS
        if len(seq.items) > cap:
            self.error(
                Rule.LIMIT_EXCEEDED,
                f"{where}: '{f.name}' has {len(seq.items):,} items; the limit is {cap:,} (only the first {cap:,} are read)",
                seq.loc,
            )
            return seq.items[:cap]
        return seq.items

    def objects(
        self, node: Node, f: FieldSpec | None, where: str, build: Callable[[Node, int], Any]
    ) -> tuple[Any, ...]:
        """Read a list of objects; broken items are skipped after being reported."""
        assert f is not None, "a list field the schema does not define"  # callers name fields literally
        if not isinstance(node, Sequence):
            self.error(Rule.WRONG_TYPE, f"{where}: '{f.name}' should be a list of {f.what} (lines starting with '- '), got {describe(node)}", node.loc)
            return ()
        out = []
        for i, item in enumerate(self.capped(node, f, where), start=1):
            built = build(item, i)
            if built is not None:
                out.append(built)
        return tuple(out)

    def simple(self, node: Node, spec: ObjectSpec, where: str) -> tuple[dict[str, Any], dict[str, Location]] | None:
        """Read every non-object field of an object: (values by key, value locations)."""
        vals = self.fields(node, spec, where)
        if vals is None:
            return None
        out: dict[str, Any] = {}
        locs: dict[str, Location] = {}
        for key, n in vals.items():
            f = spec.field(key)
            assert f is not None
            locs[key] = n.loc
            if f.type not in (T.OBJECT, T.OBJECT_LIST):
                out[key] = self.value(n, f, where)
        return out, locs

    # -- the objects of the pathway format ------------------------------------------------------

    def pathway(self, root: Node) -> Pathway | None:
        if not isinstance(root, Mapping):
            self.error(
                Rule.WRONG_TYPE,
                f"the file should be a mapping of keys like 'id:', 'title:' and 'stages:', got {describe(root)}",
                root.loc,
            )
            return None
        read = self.simple(root, PATHWAY, "pathway")
        assert read is not None
        vals, locs = read
        nodes = {k: v for k, (_, v) in root.entries.items()}

        def get(name: str, default: Any = "") -> Any:
            v = vals.get(name)
            return default if v is None else v

        governance = Governance()
        if "governance" in locs:
            governance = self.governance(nodes["governance"]) or Governance()
        stages = history = groups = references = glossary = inputs = ()
        if "inputs" in locs:
            inputs = self.objects(nodes["inputs"], PATHWAY.field("inputs"), "pathway", self.input)
        if "stages" in locs:
            stages = self.objects(nodes["stages"], PATHWAY.field("stages"), "pathway", self.stage)
        if "history" in locs:
            history = self.objects(nodes["history"], PATHWAY.field("history"), "pathway", self.history_entry)
        if "groups" in locs:
            groups = self.objects(nodes["groups"], PATHWAY.field("groups"), "pathway", self.group)
        if "references" in locs:
            references = self.objects(nodes["references"], PATHWAY.field("references"), "pathway", self.reference)
        if "glossary" in locs:
            glossary = self.objects(nodes["glossary"], PATHWAY.field("glossary"), "pathway", self.glossary_entry)
        return Pathway(
            id=get("id"),
            title=get("title"),
            version=get("version"),
            status=get("status"),
            start=get("start"),
            stages=stages,
            format=get("format", 1),
            summary=vals.get("summary"),
            audience=vals.get("audience"),
            governance=governance,
            history=history,
            groups=groups,
            references=references,
            glossary=glossary,
            inputs=inputs,
            computable=vals.get("computable"),
            specialty=vals.get("specialty"),
            source=self.filename,
            loc=root.loc,
            field_locs=locs,
        )

    def library(self, root: Node) -> LibraryFile | None:
        if not isinstance(root, Mapping):
            self.error(Rule.WRONG_TYPE, f"the library file should be a mapping of keys like 'title:' and "
                       f"'glossary:', got {describe(root)}", root.loc)
            return None
        read = self.simple(root, LIBRARY, "library")
        assert read is not None
        vals, locs = read
        nodes = {k: v for k, (_, v) in root.entries.items()}
        references = glossary = ()
        if "references" in locs:
            references = self.objects(nodes["references"], LIBRARY.field("references"), "library", self.reference)
        if "glossary" in locs:
            glossary = self.objects(nodes["glossary"], LIBRARY.field("glossary"), "library", self.glossary_entry)
        return LibraryFile(title=vals.get("title") or "", summary=vals.get("summary"), references=references,
                           glossary=glossary, source=self.filename, loc=root.loc, field_locs=locs)

    def governance(self, node: Node) -> Governance | None:
        read = self.simple(node, GOVERNANCE, "governance")
        if read is None:
            return None
        vals, locs = read
        return Governance(
            owner=vals.get("owner"),
            authors=_texts(vals.get("authors")),
            approved_by=_texts(vals.get("approved_by")),
            approved_on=vals.get("approved_on"),
            last_reviewed=vals.get("last_reviewed"),
            next_review=vals.get("next_review"),
            expires=vals.get("expires"),
            contact=vals.get("contact"),
            loc=node.loc,
            field_locs=locs,
        )

    def stage(self, node: Node, index: int) -> Stage | None:
        where = f"stage {index}"
        if isinstance(node, Mapping):
            id_entry = node.entries.get("id")
            if id_entry and isinstance(id_entry[1], Scalar) and not id_entry[1].is_null:
                where = f"stage '{echo(id_entry[1].value)}'"
        read = self.simple(node, STAGE, where)
        if read is None:
            return None
        vals, locs = read
        if not vals.get("id"):
            return None  # without an id nothing can refer to it; already reported
        nxt: tuple[Transition, ...] = ()
        if "next" in locs:
            mapping = node.entries["next"][1]  # type: ignore[union-attr]
            nxt = self.objects(
                mapping, STAGE.field("next"), where, lambda n, i: self.branch(n, i, where)
            )
        return Stage(
            id=vals["id"],
            title=vals.get("title") or "",
            kind=vals.get("kind") or "",
            group=vals.get("group"),
            summary=vals.get("summary"),
            body=vals.get("body"),
            facts=vals.get("facts") or (),
            next=nxt,
            alongside=_refs(vals.get("alongside")),
            references=_refs(vals.get("references")),
            order=vals.get("order"),
            loc=node.loc,
            field_locs=locs,
        )

    def branch(self, node: Node, index: int, stage_where: str) -> Transition | None:
        read = self.simple(node, BRANCH, f"{stage_where}, branch {index}")
        if read is None:
            return None
        vals, locs = read
        if not vals.get("to"):
            return None
        condition = None
        if "if" in locs:
            scalar = node.entries["if"][1]  # type: ignore[union-attr]
            assert isinstance(scalar, Scalar)  # else simple() reported it and left no value
            condition = self.condition(scalar)
        return Transition(to=vals["to"], when=vals.get("when"), condition=condition, loc=node.loc, field_locs=locs)

    def condition(self, s: Scalar) -> Condition:
        """Parse an ``if``; a syntax error is reported at its column and the tree left out."""
        text = s.value
        try:
            expr = parse_condition(text, _positions(s))
        except ExpressionError as exc:
            self.error(Rule.EXPRESSION_SYNTAX, f"condition '{echo(text, 60)}': {exc.message}", exc.loc)
            expr = None
        return Condition(text, expr, s.loc)

    def input(self, node: Node, index: int) -> Input | None:
        where = f"input {index}"
        if isinstance(node, Mapping):
            id_entry = node.entries.get("id")
            if id_entry and isinstance(id_entry[1], Scalar) and not id_entry[1].is_null:
                where = f"input '{echo(id_entry[1].value)}'"
        read = self.simple(node, INPUT, where)
        if read is None:
            return None
        vals, locs = read
        iid = vals.get("id")
        if not iid:
            return None
        if not _INPUT_ID_RE.match(iid):
            fix = re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", slugify(iid).lower())).strip("_")
            fix = fix if fix and fix[0].isalpha() else ""
            self.error(Rule.BAD_INPUT, f"{where}: '{echo(iid)}' is not a valid input name — use lower-case letters, "
                       f"digits and single underscores, starting with a letter"
                       f"{f'; did you mean {fix!r}?' if fix else ''}", locs["id"])
        itype = vals.get("type") or ""
        unit = vals.get("unit")
        if unit is not None and itype in ("boolean", "choice", "duration"):
            why = ("write the unit in each value instead (6 weeks, 3 months)" if itype == "duration"
                   else f"a {itype} has no unit")
            self.error(Rule.BAD_INPUT, f"{where}: 'unit' is not used for a {itype} — {why}; remove it", locs["unit"])
        choices: tuple[str, ...] = ()
        if "choices" in locs:
            items = vals.get("choices") or []
            if itype != "choice":
                self.error(Rule.BAD_INPUT, f"{where}: 'choices' is only for type choice (this input is "
                           f"{itype or 'of no type'}); remove it", locs["choices"])
            seen: dict[str, Scalar] = {}
            for item in items:
                if item.value in seen:
                    self.error(Rule.BAD_INPUT, f"{where}: choice '{echo(item.value)}' is listed twice", item.loc)
                seen.setdefault(item.value, item)
            choices = tuple(seen)
        elif itype == "choice":
            self.error(Rule.BAD_INPUT, f"{where}: a choice needs 'choices', the values it can take", node.loc)
        rng = None
        if "range" in locs:
            rng = self.input_range(vals.get("range") or [], itype, unit, where, locs["range"])
        return Input(
            id=iid,
            label=vals.get("label") or "",
            type=itype,
            unit=unit if itype in ("number", "integer") else None,
            range=rng,
            choices=choices,
            description=vals.get("description"),
            references=_refs(vals.get("references")),
            loc=node.loc,
            field_locs=locs,
        )

    def input_range(self, items: list[Scalar], itype: str, unit: str | None, where: str, loc: Location):
        if itype not in ("number", "integer", "duration"):
            self.error(Rule.BAD_INPUT, f"{where}: 'range' is only for a number, integer or duration; remove it", loc)
            return None
        if len(items) != 2:
            self.error(Rule.BAD_INPUT, f"{where}: 'range' should be two values, [min, max], got {len(items)}", loc)
            return None
        from generator.core.expressions import DURATION_UNITS

        ends = []
        for item in items:
            try:
                lit = parse_value(item.value, _positions(item))
            except ExpressionError:
                lit = Literal(item.value, item.loc)
            if lit.number is None:
                self.error(Rule.BAD_INPUT, f"{where}: range value '{echo(item.value)}' is not a number", item.loc)
                return None
            if itype == "duration":
                days = DURATION_UNITS.get((lit.unit or "").lower())
                if days is None:
                    self.error(Rule.BAD_INPUT, f"{where}: range value '{echo(item.value)}' needs a unit of time "
                               "(days, weeks, months or years), e.g. \"5 years\"", item.loc)
                    return None
                ends.append(lit.number * days)
                continue
            if lit.unit is not None and lit.unit != unit:
                self.error(Rule.UNIT_MISMATCH, f"{where}: range value '{echo(item.value)}' is in '{lit.unit}', but the "
                           f"input's unit is {repr(unit) if unit else 'not given'}", item.loc)
                return None
            ends.append(lit.number)
        if ends[0] > ends[1]:
            self.error(Rule.BAD_INPUT, f"{where}: 'range' goes from {items[0].value} down to {items[1].value}; "
                       "write [min, max]", loc)
            return None
        return ends[0], ends[1]

    def group(self, node: Node, index: int) -> Group | None:
        read = self.simple(node, GROUP, f"group {index}")
        if read is None:
            return None
        vals, locs = read
        if not vals.get("id"):
            return None
        return Group(id=vals["id"], title=vals.get("title") or "", loc=node.loc, field_locs=locs)

    def reference(self, node: Node, index: int) -> Reference | None:
        read = self.simple(node, REFERENCE, f"reference {index}")
        if read is None:
            return None
        vals, locs = read
        if not vals.get("id"):
            return None
        return Reference(id=vals["id"], title=vals.get("title") or "", url=vals.get("url"), loc=node.loc, field_locs=locs)

    def glossary_entry(self, node: Node, index: int) -> GlossaryEntry | None:
        read = self.simple(node, GLOSSARY_ENTRY, f"glossary entry {index}")
        if read is None:
            return None
        vals, locs = read
        if not vals.get("term"):
            return None
        return GlossaryEntry(
            term=vals["term"], definition=vals.get("definition") or "", abbr=vals.get("abbr"), loc=node.loc, field_locs=locs
        )

    def history_entry(self, node: Node, index: int) -> HistoryEntry | None:
        read = self.simple(node, HISTORY_ENTRY, f"history entry {index}")
        if read is None:
            return None
        vals, locs = read
        if not vals.get("version"):
            return None
        return HistoryEntry(
            version=vals["version"],
            date=vals.get("date"),
            summary=vals.get("summary"),
            approved_by=_texts(vals.get("approved_by")),
            loc=node.loc,
            field_locs=locs,
        )


def _positions(s: Scalar) -> Callable[[int], Location]:
    """Offsets in a scalar's value to file locations: exact for a value on one line, plain or quoted
    without escapes; otherwise the value's start (a block or folded value moves its text around)."""
    base = s.loc
    if "\n" in s.value or s.style in ("|", ">"):
        return lambda pos: base
    shift = 1 if s.style in ("'", '"') else 0
    return lambda pos: Location(base.file, base.line, base.col + shift + pos)


def _texts(items: list[Scalar] | None) -> tuple[str, ...]:
    return tuple(s.value for s in items or ())


def _refs(items: list[Scalar] | None) -> tuple[IdRef, ...]:
    return tuple(IdRef(s.value, s.loc) for s in items or ())


def load(root: Node, filename: str, *, complete: bool = True) -> tuple[Pathway | None, list[Problem]]:
    """Build a ``Pathway`` from a parsed tree.  Returns (pathway or None, problems).

    With ``complete=False`` suggestions are left to work out (``Problem.complete``).

    A pathway is returned whenever the top level is a mapping, even with
    problems; missing required text fields are then empty strings.
    """
    loader = _Loader(filename)
    pathway = loader.pathway(root)
    return pathway, loader.problems if not complete else [p.complete() for p in loader.problems]


def load_library(root: Node, filename: str, *, complete: bool = True) -> tuple[LibraryFile | None, list[Problem]]:
    """Build a ``LibraryFile`` (``library.yaml``) from a parsed tree, as ``load`` does for a pathway."""
    loader = _Loader(filename)
    lib = loader.library(root)
    return lib, loader.problems if not complete else [p.complete() for p in loader.problems]
