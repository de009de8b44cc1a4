"""Patient scenarios (``pathway.scenarios.yaml``): read them against a pathway and walk them.

A scenario is a named example patient: input values, values that change when the patient reaches
a decision (``at``), the branch taken at narrative decisions (``choose``), and the stage (and
optionally the route) the walk must reach.  In a library, a route may end in another pathway: a
branch ``to: surgery:consult`` taken ends the walk there, and ``reaches`` / ``route`` may name it.  ``load_scenarios`` reports every problem of the file
at its FILE:LINE:COL (unknown stages and inputs with a suggestion); ``walk`` follows the pathway
for one patient; ``run`` compares the walk with what the scenario expects.  No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping as TMapping

from generator.core.echo import echo
from generator.core.expressions import ExpressionError, MissingValue, Value, evaluate, format_value, literal_value, parse_value
from generator.core.hints import Hint
from generator.core.model import INPUT_TYPES, Location, Pathway, Problem, Severity, Transition, split_target
from generator.core.rules import Rule
from generator.core.yamlsource import Mapping, Node, Scalar, Sequence, describe, parse

DEFAULT_MAX_STEPS = 100
FILE_KEYS = ("format", "pathway", "scenarios")
SCENARIO_KEYS = ("id", "name", "start", "inputs", "at", "choose", "expect", "max_steps")
EXPECT_KEYS = ("reaches", "route")


@dataclass(frozen=True)
class Scenario:
    """One example patient and where the pathway must take them."""

    id: str
    name: str
    inputs: TMapping[str, Value]
    #: Values that change at a stage: one mapping per visit, the last repeating.
    at: TMapping[str, tuple[TMapping[str, Value], ...]]
    choose: TMapping[str, str]
    reaches: str | None
    route: tuple[str, ...] | None
    max_steps: int = DEFAULT_MAX_STEPS
    start: str | None = None
    loc: Location = field(default=Location("<memory>", 0, 0), compare=False)
    #: Where each part was written: 'expect', 'inputs', 'choose', 'at', and 'input:<id>' per value.
    locs: TMapping[str, Location] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ScenarioFile:
    pathway: str
    scenarios: tuple[Scenario, ...]
    source: str = "<memory>"


def target(t: Transition) -> str:
    """Where a branch leads: a stage id, or ``pathway-id:stage-id`` (one spelling) in another pathway."""
    ext = t.external
    return f"{ext[0]}:{ext[1]}" if ext else t.to


def _norm(value: str) -> str:
    ext = split_target(value)
    return f"{ext[0]}:{ext[1]}" if ext else value


class _Reader:
    def __init__(self, pathway: Pathway, filename: str):
        self.p = pathway
        self.filename = filename
        self.problems: list[Problem] = []
        # The stages of other pathways its branches lead into (checked against the library with the pathway).
        self.elsewhere = {target(t) for s in pathway.stages for t in s.next if t.external and t.external[0] != pathway.id}

    def bad(self, msg: str, loc: Location, hint=None) -> None:
        self.problems.append(Problem(Severity.ERROR, Rule.BAD_SCENARIO, msg, loc, hint))

    def keys(self, node: Mapping, allowed: tuple[str, ...], where: str) -> None:
        for key, (key_node, _v) in node.entries.items():
            if key not in allowed:
                self.bad(f"{where}: unknown key '{echo(key)}'", key_node.loc, Hint(key, allowed))

    def stage(self, node: Node, where: str, *, elsewhere: bool = False) -> str | None:
        """A stage id of the pathway; ``elsewhere``: or a stage of another pathway a branch leads into."""
        if not isinstance(node, Scalar) or node.is_null:
            self.bad(f"{where} should be a stage id, got {describe(node)}", node.loc)
            return None
        if elsewhere and _norm(node.value) in self.elsewhere:
            return _norm(node.value)
        if node.value not in self.p.stage_by_id:
            self.bad(f"{where}: '{echo(node.value)}' names no stage of the pathway", node.loc,
                     Hint(node.value, list(self.p.stage_by_id)))
            return None
        return node.value

    def values(self, node: Node, where: str, locs: dict[str, Location]) -> dict[str, Value]:
        if not isinstance(node, Mapping):
            self.bad(f"{where} should be 'input: value' lines, got {describe(node)}", node.loc)
            return {}
        out: dict[str, Value] = {}
        for name, (key_node, value) in node.entries.items():
            inp = self.p.input_by_id.get(name)
            if inp is None:
                self.bad(f"{where}: '{echo(name)}' is not an input of the pathway's data dictionary", key_node.loc,
                         Hint(name, list(self.p.input_by_id)))
                continue
            if inp.type not in INPUT_TYPES:
                continue  # reported with the pathway
            if not isinstance(value, Scalar) or value.is_null:
                self.bad(f"{where}: '{name}' should have a value, got {describe(value)}", value.loc)
                continue
            shift = 1 if value.style in ("'", '"') else 0
            at = value.loc

            def pos(i: int, at: Location = at, shift: int = shift) -> Location:
                return Location(at.file, at.line, at.col + shift + i)

            try:
                lit = parse_value(value.value, pos)
            except ExpressionError as exc:
                self.bad(f"{where}: '{name}' is '{echo(value.value, 40)}', which is not a value: {exc.message}", exc.loc)
                continue
            got = literal_value(lit, inp)
            if not isinstance(got, (bool, str)) and hasattr(got, "message"):
                self.bad(f"{where}: {got.message}", got.loc)  # type: ignore[union-attr]
                continue
            if inp.range is not None and not isinstance(got, (bool, str)):
                lo, hi = inp.range
                if not lo <= got <= hi:  # type: ignore[operator]
                    self.bad(f"{where}: '{name}' is {value.value}, outside its declared range "
                             f"({format_value(lo, inp)} to {format_value(hi, inp)})", value.loc)
                    continue
            if inp.type == "integer" and getattr(got, "denominator", 1) != 1:
                self.bad(f"{where}: '{name}' is a whole number, not {value.value}", value.loc)
                continue
            out[name] = got  # type: ignore[assignment]
            locs[f"input:{name}"] = value.loc
        return out

    def scenario(self, node: Node, index: int, seen: dict[str, Location]) -> Scenario | None:
        where = f"scenario {index}"
        if not isinstance(node, Mapping):
            self.bad(f"{where} should be a mapping (id:, inputs:, expect:, …), got {describe(node)}", node.loc)
            return None
        ent = {k: v for k, (_, v) in node.entries.items()}
        sid = ent.get("id")
        if isinstance(sid, Scalar) and not sid.is_null:
            where = f"scenario '{echo(sid.value)}'"
        self.keys(node, SCENARIO_KEYS, where)
        if not isinstance(sid, Scalar) or sid.is_null:
            self.bad(f"{where} has no 'id'", node.loc)
            return None
        if sid.value in seen:
            self.bad(f"{where} is defined twice (first on line {seen[sid.value].line}); ids must be unique", sid.loc)
        seen.setdefault(sid.value, sid.loc)
        name_node = ent.get("name")
        name = name_node.value if isinstance(name_node, Scalar) and not name_node.is_null else sid.value
        locs: dict[str, Location] = {"id": sid.loc}
        start = None
        if "start" in ent:
            start = self.stage(ent["start"], f"{where}: 'start'")
        inputs = self.values(ent["inputs"], f"{where}: 'inputs'", locs) if "inputs" in ent else {}
        at: dict[str, tuple[TMapping[str, Value], ...]] = {}
        if "at" in ent:
            a = ent["at"]
            locs["at"] = a.loc
            if not isinstance(a, Mapping):
                self.bad(f"{where}: 'at' should be 'stage-id:' lines, got {describe(a)}", a.loc)
            else:
                for stage_id, (key_node, v) in a.entries.items():
                    if self.stage(key_node, f"{where}: 'at'") is None:
                        continue
                    visits = v.items if isinstance(v, Sequence) else [v]
                    at[stage_id] = tuple(self.values(x, f"{where}: 'at' {stage_id}", locs) for x in visits)
        choose: dict[str, str] = {}
        if "choose" in ent:
            c = ent["choose"]
            locs["choose"] = c.loc
            if not isinstance(c, Mapping):
                self.bad(f"{where}: 'choose' should be 'decision-id: next-stage-id' lines, got {describe(c)}", c.loc)
            else:
                for stage_id, (key_node, v) in c.entries.items():
                    if self.stage(key_node, f"{where}: 'choose'") is None:
                        continue
                    chosen = self.stage(v, f"{where}: 'choose' {stage_id}", elsewhere=True)
                    if chosen is None:
                        continue
                    from generator.core.decisions import is_computable

                    if is_computable(self.p.stage_by_id[stage_id]):
                        self.bad(f"{where}: 'choose' {stage_id}: this decision is computable — its branch follows "
                                 "from the inputs; remove this line (or set the inputs)", key_node.loc)
                        continue
                    targets = [target(t) for t in self.p.stage_by_id[stage_id].next]
                    if chosen not in targets:
                        self.bad(f"{where}: 'choose' {stage_id}: '{chosen}' is not one of its next stages: "
                                 f"{', '.join(targets) or '(none)'}", v.loc, Hint(chosen, targets))
                        continue
                    choose[stage_id] = chosen
        reaches, route = None, None
        exp = ent.get("expect")
        if exp is None:
            self.bad(f"{where} has no 'expect' (reaches: the stage the patient must end at)", node.loc)
        elif not isinstance(exp, Mapping):
            self.bad(f"{where}: 'expect' should hold 'reaches:' (and 'route:'), got {describe(exp)}", exp.loc)
        else:
            locs["expect"] = exp.loc
            self.keys(exp, EXPECT_KEYS, f"{where}: 'expect'")
            e = {k: v for k, (_, v) in exp.entries.items()}
            if "reaches" in e:
                reaches = self.stage(e["reaches"], f"{where}: 'expect.reaches'", elsewhere=True)
            if "route" in e:
                r = e["route"]
                if not isinstance(r, Sequence):
                    self.bad(f"{where}: 'expect.route' should be a list of stage ids, got {describe(r)}", r.loc)
                else:
                    ids = [self.stage(x, f"{where}: 'expect.route'", elsewhere=True) for x in r.items]
                    route = tuple(i for i in ids if i is not None) if all(ids) else None
            if "reaches" not in e and "route" not in e:
                self.bad(f"{where}: 'expect' needs 'reaches' or 'route'", exp.loc)
        max_steps = DEFAULT_MAX_STEPS
        if "max_steps" in ent:
            m = ent["max_steps"]
            if isinstance(m, Scalar) and m.value.strip().isdigit() and 0 < int(m.value) <= 100_000:
                max_steps = int(m.value)
            else:
                self.bad(f"{where}: 'max_steps' should be a whole number from 1 to 100,000, got {describe(m)}", m.loc)
        return Scenario(sid.value, name, inputs, at, choose, reaches, route, max_steps, start, node.loc, locs)

    def file(self, root: Node) -> ScenarioFile | None:
        if not isinstance(root, Mapping):
            self.bad(f"a scenario file should be a mapping with 'pathway:' and 'scenarios:', got {describe(root)}",
                     root.loc)
            return None
        self.keys(root, FILE_KEYS, "scenario file")
        ent = {k: v for k, (_, v) in root.entries.items()}
        fmt = ent.get("format")
        if fmt is not None and not (isinstance(fmt, Scalar) and fmt.value.strip() == "1"):
            self.bad("'format' should be 1, the only scenario format", fmt.loc)
        pid = ent.get("pathway")
        if isinstance(pid, Scalar) and not pid.is_null:
            if pid.value != self.p.id:
                self.bad(f"the scenarios are for pathway '{echo(pid.value)}', but the pathway is '{echo(self.p.id)}'",
                         pid.loc)
        else:
            self.bad(f"the scenario file has no 'pathway:' (the id of the pathway it tests, '{echo(self.p.id)}')",
                     root.loc)
        items = ent.get("scenarios")
        if not isinstance(items, Sequence):
            self.bad("the scenario file has no 'scenarios:' list" if items is None else
                     f"'scenarios' should be a list, got {describe(items)}", (items or root).loc)
            return ScenarioFile(self.p.id, (), self.filename)
        seen: dict[str, Location] = {}
        out = [self.scenario(n, i, seen) for i, n in enumerate(items.items, start=1)]
        return ScenarioFile(self.p.id, tuple(s for s in out if s is not None), self.filename)


def load_scenarios(text: str, filename: str, pathway: Pathway) -> tuple[ScenarioFile | None, list[Problem]]:
    """Read a scenario file against ``pathway``: (file or None, problems with hints worked out)."""
    root, problems = parse(text, filename)
    if root is None:
        return None, problems
    reader = _Reader(pathway, filename)
    out = reader.file(root)
    return out, problems + [p.complete() for p in reader.problems]


# -- walking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    """Where one patient went: the stages in order, and why the walk stopped early (or None)."""

    route: tuple[str, ...]
    stuck: str | None = None

    @property
    def ended(self) -> str:
        return self.route[-1] if self.route else ""


def walk(p: Pathway, sc: Scenario) -> Walk:
    """Follow the pathway for one patient (see docs/format.md, 'Patient scenarios')."""
    from generator.core.decisions import is_computable

    inputs = {k: v for k, v in p.input_by_id.items()}
    cur = sc.start or p.start
    if cur not in p.stage_by_id:
        return Walk((), f"the start '{cur}' names no stage")
    values = dict(sc.inputs)
    visits: dict[str, int] = {}
    route = [cur]
    while True:
        stage = p.stage_by_id[cur]
        n = visits.get(cur, 0)
        visits[cur] = n + 1
        changes = sc.at.get(cur)
        if changes:
            values.update(changes[min(n, len(changes) - 1)])
        # A branch into another pathway of the library counts; taking it ends the walk there.
        branches = [t for t in stage.next if t.to in p.stage_by_id or (t.external and t.external[0] != p.id)]
        if not branches:
            return Walk(tuple(route))
        if is_computable(stage):
            taken = None
            if any(t.condition.expr is None for t in branches):  # type: ignore[union-attr]
                return Walk(tuple(route), f"decision '{cur}' has a condition that does not parse: fix the pathway first")
            try:
                for t in branches:
                    if evaluate(t.condition.expr, values, inputs):  # type: ignore[union-attr,arg-type]
                        taken = target(t)
                        break
            except MissingValue as exc:
                return Walk(tuple(route), f"decision '{cur}' needs '{exc.ref.name}', which the scenario does not give "
                            f"(add it to 'inputs' or to 'at: {cur}')")
            except (TypeError, ValueError, KeyError):
                return Walk(tuple(route), f"decision '{cur}' cannot be evaluated: fix the pathway's problems first")
            if taken is None:
                return Walk(tuple(route), f"no branch of decision '{cur}' applies to this patient")
        elif len(branches) == 1 and stage.kind != "decision":
            taken = target(branches[0])
        else:
            taken = sc.choose.get(cur)
            if taken is None:
                what = "narrative decision" if stage.kind == "decision" else f"{stage.kind} with several next stages"
                return Walk(tuple(route), f"'{cur}' is a {what}: say which way this patient goes with "
                            f"'choose: {{{cur}: <one of {', '.join(target(t) for t in branches)}>}}'")
        route.append(taken)
        if taken not in p.stage_by_id:
            return Walk(tuple(route))  # it continues in another pathway: this pathway's part ends here
        cur = taken
        if len(route) > sc.max_steps:
            again = [s for s, k in visits.items() if k > 1]
            return Walk(tuple(route), f"the walk passed {sc.max_steps} steps (max_steps) — it loops through "
                        f"{', '.join(repr(s) for s in again) or repr(cur)}")


@dataclass(frozen=True)
class Outcome:
    scenario: Scenario
    walk: Walk
    problem: Problem | None  # None when the scenario passes


def run(p: Pathway, sc: Scenario) -> Outcome:
    """Walk ``sc`` and compare it with what it expects."""
    w = walk(p, sc)
    shown = w.route if len(w.route) <= 12 else (*w.route[:4], "…", *w.route[-6:])
    route = " → ".join(shown)
    label = f"scenario '{sc.id}'" + (f" ({echo(sc.name, 60)})" if sc.name != sc.id else "")
    loc = sc.locs.get("expect", sc.loc)
    msg = None
    if w.stuck:
        msg = f"{label}: {w.stuck}; route so far: {route}"
        loc = sc.loc
    elif sc.reaches is not None and w.ended != sc.reaches:
        msg = f"{label}: ends at '{w.ended}', expected '{sc.reaches}'; route taken: {route}"
        if sc.route:
            msg += f"; expected: {' → '.join(sc.route)}"
    elif sc.route is not None and tuple(w.route) != sc.route:
        msg = f"{label}: takes another route — taken: {route}; expected: {' → '.join(sc.route)}"
    prob = Problem(Severity.ERROR, Rule.SCENARIO_FAILED, msg, loc) if msg else None
    return Outcome(sc, w, prob)
