"""Computable decisions: the checks of the data dictionary and conditions, and the proofs.

For every computable decision the checker *proves*, over the inputs' declared domains, that its
branches are mutually exclusive and together exhaustive (``order: exclusive``, the default), or,
with ``order: first-match``, that every branch can be taken and some branch always applies.  A
failed proof comes with a concrete patient: "both apply when mbb_relief = 60 %".

The method is exact partitioning.  Every comparison sets one input against constants, so the
constants a decision mentions cut each input's domain into finitely many *cells* — the points
themselves and the open intervals between them (an integer input keeps only the cells holding an
integer; a choice keeps the values named plus one cell for "any other"; a boolean has two) — and
every condition has one truth value over a whole cell.  A depth-first split over the inputs, one at
a time, evaluates each branch in three-valued logic (true, false, not yet known) and stops as soon
as every branch is settled, so a decision over a few inputs costs a few dozen evaluations and the
answer is exact: a proof, or a witness cell.  The work is bounded (``limits.MAX_PROOF_WORK``): a
hostile decision gets a located ``limit-exceeded`` message instead of a hang.  README.md says why
this beats an SMT solver here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Sequence

from generator.core import limits
from generator.core.echo import echo
from generator.core.expressions import (
    And,
    Atom,
    Compare,
    Expr,
    Input,
    Literal,
    Member,
    Not,
    Or,
    Otherwise,
    Range,
    Value,
    Var,
    atoms,
    const,
    format_value,
    literal_value,
    type_problems,
)
from generator.core.hints import Hint
from generator.core.model import INPUT_TYPES, Location, Pathway, Problem, Severity, Stage, Transition
from generator.core.rules import Rule

if TYPE_CHECKING:
    from generator.core.checks import Context


def _loc(obj, name: str) -> Location:
    return obj.field_locs.get(name, obj.loc)


def _err(rule: str, msg: str, loc: Location, hint=None) -> Problem:
    return Problem(Severity.ERROR, rule, msg, loc, hint)


def _warn(rule: str, msg: str, loc: Location) -> Problem:
    return Problem(Severity.WARNING, rule, msg, loc)


def is_computable(stage: Stage) -> bool:
    """True for a decision whose every branch has an ``if``."""
    return stage.kind == "decision" and bool(stage.next) and all(t.condition is not None for t in stage.next)


# -- cells ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A piece of an input's domain over which every condition of one decision has one value."""

    value: Value  # a representative, shown in messages
    around: str = ""  # for an interval: "any value above 0 % and below 50 %"


def _constants(atom: Atom, inp: Input) -> Iterator[Value]:
    lits: tuple[Literal, ...] = ()
    if isinstance(atom, Compare):
        lits = (atom.value,)
    elif isinstance(atom, Range):
        lits = (atom.low, atom.high)
    elif isinstance(atom, Member):
        lits = atom.values
    for lit in lits:
        yield _const(lit, inp)


@lru_cache(maxsize=8192)
def _const(lit, inp: Input) -> Value:
    return const(lit, inp)


def cells(inp: Input, constants: Sequence[Value]) -> list[Cell]:
    """The cells of ``inp``'s domain cut at ``constants``."""
    if inp.type == "boolean":
        return [Cell(True), Cell(False)]
    if inp.type == "choice":
        mentioned = set(constants)
        named = [c for c in inp.choices if c in mentioned]
        rest = [c for c in inp.choices if c not in mentioned]
        choice_cells = [Cell(c) for c in named]
        if rest:
            around = f"or any other value: {', '.join(rest[:4])}{', …' if len(rest) > 4 else ''}" if len(rest) > 1 else ""
            choice_cells.append(Cell(rest[0], around))
        return choice_cells
    integer = inp.type == "integer"
    lo, hi = inp.range if inp.range else (None, None)
    cuts: set[Fraction] = {c for c in constants if isinstance(c, Fraction)
                           and (lo is None or c >= lo) and (hi is None or c <= hi)}
    pts = sorted(cuts | {x for x in (lo, hi) if x is not None})
    # An integer input has no value at 2.5, but a cut there still splits the integers (2 | 3):
    # the point is dropped and the intervals either side keep their whole numbers.

    def show(x: Fraction) -> str:
        return format_value(x, inp)

    out: list[Cell] = []

    def interval(a: Fraction | None, b: Fraction | None) -> None:
        rep = _inside(a, b, integer)
        if rep is None:
            return
        if a is None and b is None:
            around = "any value"
        elif a is None:
            around = f"any value below {show(b)}"  # type: ignore[arg-type]
        elif b is None:
            around = f"any value above {show(a)}"
        else:
            around = f"any value above {show(a)} and below {show(b)}"
        if integer:
            around = around.replace("any value", "any whole number")
        out.append(Cell(rep, around))

    if not pts:
        interval(None, None)
        return out
    if lo is None:
        interval(None, pts[0])
    for i, p in enumerate(pts):
        if not integer or p.denominator == 1:
            out.append(Cell(p))
        if i + 1 < len(pts):
            interval(p, pts[i + 1])
    if hi is None:
        interval(pts[-1], None)
    return out


def _inside(a: Fraction | None, b: Fraction | None, integer: bool) -> Fraction | None:
    """A readable value strictly between ``a`` and ``b`` (None for an unbounded end), or None if none is."""
    if a is None and b is None:
        return Fraction(0)
    if a is None:
        return Fraction(math.ceil(b) - 1)  # type: ignore[arg-type]
    if b is None:
        return Fraction(math.floor(a) + 1)
    mid = (a + b) / 2
    r = Fraction(round(mid))
    if a < r < b:
        return r
    if integer:
        return None  # no whole number strictly between them
    return mid


# -- three-valued evaluation ---------------------------------------------------------------------

_OPS = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}

Compiled = Callable[[Mapping[str, int]], "bool | None"]


def _test(atom: Atom, inp: Input) -> Callable[[Value], bool]:
    """The atom as a test of its input's value, constants converted once."""
    if isinstance(atom, Var):
        return lambda v: v is True
    if isinstance(atom, Member):
        vals = frozenset(_const(v, inp) for v in atom.values)
        neg = atom.negated
        return lambda v: (v in vals) != neg
    if isinstance(atom, Compare):
        op, k = _OPS[atom.op], _const(atom.value, inp)
        return lambda v: op(v, k)
    lo, hi = _const(atom.low, inp), _const(atom.high, inp)
    lo_op, hi_op = _OPS["<=" if atom.low_inclusive else "<"], _OPS["<=" if atom.high_inclusive else "<"]
    return lambda v: lo_op(lo, v) and hi_op(v, hi)


def compile3(expr: Expr, tables: Mapping[int, tuple[bool, ...]]) -> Compiled:
    """``expr`` in three-valued logic as a function of a partial assignment of *cell indexes*
    (missing: not yet known).  ``tables`` gives each atom's truth on every cell of its input
    (by ``id(atom)``), worked out once per decision: the split evaluates it thousands of times."""
    if isinstance(expr, Otherwise):
        return lambda a: True
    if isinstance(expr, Not):
        inner = compile3(expr.operand, tables)

        def neg(a):
            v = inner(a)
            return None if v is None else not v
        return neg
    if isinstance(expr, (And, Or)):
        parts = [compile3(e, tables) for e in expr.operands]
        stop = not isinstance(expr, And)  # the value that settles it: False for and, True for or

        def both(a):
            res: bool | None = not stop
            for f in parts:
                v = f(a)
                if v is stop:
                    return stop
                if v is None:
                    res = None
            return res
        return both
    name, table = expr.input.name, tables[id(expr)]

    def atom(a):
        k = a.get(name)
        return None if k is None else table[k]
    return atom


# -- the proof --------------------------------------------------------------------------------


class ProofTooBig(Exception):
    """The split went past the work limit."""


@dataclass(frozen=True)
class Witness:
    """A patient, as the inputs that matter: (input id, cell) in split order."""

    cells: tuple[tuple[str, Cell], ...]

    def describe(self, inputs: Mapping[str, Input]) -> str:
        if not self.cells:
            return "for every patient"
        parts = []
        for name, cell in self.cells:
            part = f"{name} = {format_value(cell.value, inputs[name])}"
            if cell.around:
                part += f" ({cell.around})"
            parts.append(part)
        return "when " + " and ".join(parts)


@dataclass
class Proof:
    """What the split found for one decision (branch indexes in file order)."""

    overlaps: dict[tuple[int, int], Witness]
    gap: Witness | None
    reachable: set[int]
    work: int


def prove(conds: Sequence[Expr], inputs: Mapping[str, Input], first_match: bool, budget: int) -> Proof:
    """Split the inputs' domains until every branch is settled.  Raises ``ProofTooBig``.

    ``exclusive``: every cell where two branches hold is an overlap, one where none holds a gap
    (an ``otherwise`` branch holds exactly where no other does).  ``first_match``: the first
    branch that holds is taken; one that is never first is unreachable.
    """
    order: list[str] = []
    consts: dict[str, list[Value]] = {}
    for c in conds:
        for atom in atoms(c):
            name = atom.input.name
            if name not in consts:
                order.append(name)
                consts[name] = []
            consts[name].extend(_constants(atom, inputs[name]))
    domain = {n: cells(inputs[n], consts[n]) for n in order}
    uses = [set(a.input.name for a in atoms(c)) for c in conds]
    other = [i for i, c in enumerate(conds) if isinstance(c, Otherwise)]
    plain = [i for i in range(len(conds)) if i not in other]
    plain_set = frozenset(plain)
    # The truth tables cost one evaluation per atom and cell: counted against the budget before they
    # are built (many branches on one input make as many cells as atoms, so the tables alone grow as
    # the square of the branches).
    table_work = sum(len(domain[atom.input.name]) for c in conds for atom in atoms(c))
    if table_work > budget:
        raise ProofTooBig
    tables = {id(atom): tuple(_test(atom, inputs[atom.input.name])(cell.value) for cell in domain[atom.input.name])
              for c in conds for atom in atoms(c)}
    compiled = [compile3(c, tables) for c in conds]
    proof = Proof({}, None, set(), table_work)
    assign: dict[str, int] = {}  # input -> index of its cell
    path: list[tuple[str, Cell]] = []

    def visit() -> None:
        proof.work += len(conds)
        if proof.work > budget:
            raise ProofTooBig
        states = [compiled[i](assign) if i in plain_set else None for i in range(len(conds))]
        undecided = [i for i in plain if states[i] is None]
        if first_match:
            for i in range(len(conds)):
                if i in other or states[i] is True:
                    if not any(states[j] is None for j in range(i)):
                        proof.reachable.add(i)
                        return
                    break
                if states[i] is None:
                    break
            else:
                if proof.gap is None:
                    proof.gap = Witness(tuple(path))
                return
        else:
            true = [i for i in plain if states[i] is True]
            for i in true:
                proof.reachable.add(i)
            for a in true:
                for b in true:
                    if a < b and (a, b) not in proof.overlaps:
                        proof.overlaps[(a, b)] = Witness(tuple(path))
            if not true and not undecided:
                if other:
                    proof.reachable.add(other[0])
                elif proof.gap is None:
                    proof.gap = Witness(tuple(path))
            if not undecided:
                return
            live_branches = true + undecided
            if true and all(i in proof.reachable for i in undecided) and all(
                    (a, b) in proof.overlaps for a in live_branches for b in live_branches if a < b):
                return  # nothing new can be found below: no gap (a branch holds), every pair known
        live = set().union(*(uses[i] for i in range(len(conds)) if states[i] is None and i in plain_set))
        name = next(n for n in order if n not in assign and n in live)
        for k, cell in enumerate(domain[name]):
            assign[name] = k
            path.append((name, cell))
            visit()
            path.pop()
        del assign[name]

    visit()
    return proof


# -- the checks -------------------------------------------------------------------------------


def _branch_name(t: Transition, stage: Stage | None = None) -> str:
    """'the branch to 'x'', numbered when two branches lead to the same stage."""
    if stage is not None and sum(1 for u in stage.next if u.to == t.to) > 1:
        n = next(i for i, u in enumerate(stage.next, start=1) if u is t)
        return f"branch {n} (to '{echo(t.to)}')"
    return f"the branch to '{echo(t.to)}'"


def _condition_loc(t: Transition) -> Location:
    return _loc(t, "if")


def check_decisions(ctx: Context) -> Iterator[Problem]:
    """Every rule of the 'computable decisions' topic (one pass over the decisions)."""
    p = ctx.pathway
    inputs = {k: v for k, v in p.input_by_id.items() if v.type in INPUT_TYPES}
    yield from _duplicate_inputs(p)
    used: set[str] = set()
    budget = [limits.MAX_PROOF_WORK_TOTAL]
    for s in p.stages:
        conditioned = [t for t in s.next if t.condition is not None]
        if s.kind != "decision":
            for t in conditioned:
                yield _err(Rule.MIXED_DECISION, f"stage '{echo(s.id)}' is a {echo(s.kind)}, not a decision: its "
                           "branches are not chosen, so 'if' has no effect — remove it or make the stage a decision",
                           _condition_loc(t))
            if s.order is not None:
                yield _err(Rule.MIXED_DECISION, f"stage '{echo(s.id)}' is not a decision: 'order' has no effect; "
                           "remove it", _loc(s, "order"))
            continue
        if not conditioned:
            if p.computable == "all" and s.next:
                yield _err(Rule.NOT_COMPUTABLE, f"decision '{echo(s.id)}' has no computable conditions, but the "
                           "pathway declares 'computable: all' — give every branch an 'if'", s.loc)
            if s.order is not None:
                yield _err(Rule.MIXED_DECISION, f"decision '{echo(s.id)}' has no 'if' conditions: 'order' has no "
                           "effect; remove it or add conditions", _loc(s, "order"))
            continue
        if len(conditioned) < len(s.next):
            for t in s.next:
                if t.condition is None:
                    yield _err(Rule.MIXED_DECISION, f"decision '{echo(s.id)}': {_branch_name(t, s)} has no 'if', but "
                               "other branches do — give every branch an 'if' (the last may be 'if: otherwise') or none",
                               t.loc)
        ok = True
        others = [i for i, t in enumerate(s.next) if t.condition is not None and isinstance(t.condition.expr, Otherwise)]
        for k, i in enumerate(others):
            t = s.next[i]
            if k > 0 or i != len(s.next) - 1:
                ok = False
                why = "only one branch may be 'otherwise'" if k > 0 else "'otherwise' must be the last branch"
                yield _err(Rule.MISPLACED_OTHERWISE, f"decision '{echo(s.id)}': {why} (it applies when no other "
                           "branch does)", _condition_loc(t))
        for t in conditioned:
            assert t.condition is not None
            expr = t.condition.expr
            if expr is None:
                ok = False  # a syntax error, reported by the loader
                continue
            for atom in atoms(expr):
                name = atom.input.name
                used.add(name)
                if name not in p.input_by_id:
                    ok = False
                    msg = f"condition of {_branch_name(t, s)}: '{echo(name)}' is not an input of the data dictionary"
                    if not p.inputs:
                        yield _err(Rule.UNKNOWN_INPUT, msg + " (the pathway has no 'inputs:' list)", atom.input.loc)
                    else:
                        yield _err(Rule.UNKNOWN_INPUT, msg, atom.input.loc, Hint(name, list(p.input_by_id)))
                elif name not in inputs:
                    ok = False  # its type is reported by the data dictionary
            for tp in type_problems(expr, inputs):
                ok = False
                yield _err(Rule.UNIT_MISMATCH if tp.kind == "unit" else Rule.TYPE_MISMATCH, tp.message, tp.loc)
        if ok and len(conditioned) == len(s.next) and len(s.next) >= 2:
            yield from _proof_problems(s, inputs, budget)
    for entry in p.inputs:
        if entry.id not in used:
            yield _warn(Rule.UNUSED_INPUT, f"input '{echo(entry.id)}' is not used by any condition; use it in an 'if' "
                        "or remove it", _loc(entry, "id"))
        for ref in entry.references:
            if ref.id not in p.reference_by_id:
                yield _err(Rule.UNKNOWN_REFERENCE, f"input '{echo(entry.id)}': reference '{echo(ref.id)}' is not "
                           "defined", ref.loc, Hint(ref.id, list(p.reference_by_id)))
    yield from _range_problems(p, inputs)


def _duplicate_inputs(p: Pathway) -> Iterator[Problem]:
    first: dict[str, Location] = {}
    for i in p.inputs:
        loc = _loc(i, "id")
        if i.id in first:
            yield _err(Rule.DUPLICATE_ID, f"input '{echo(i.id)}' is defined twice (first on line {first[i.id].line}); "
                       "ids must be unique", loc)
        else:
            first[i.id] = loc


def _range_problems(p: Pathway, inputs: Mapping[str, Input]) -> Iterator[Problem]:
    """A constant outside an input's declared range: the condition cannot mean what it says."""
    for s in p.stages:
        for t in s.next:
            if t.condition is None or t.condition.expr is None:
                continue
            for atom in atoms(t.condition.expr):
                inp = inputs.get(atom.input.name)
                if inp is None or inp.range is None or isinstance(atom, (Var, Member)):
                    continue
                lits = (atom.value,) if isinstance(atom, Compare) else (atom.low, atom.high)
                for lit in lits:
                    v = literal_value(lit, inp)
                    if isinstance(v, Fraction) and not (inp.range[0] <= v <= inp.range[1]):
                        lo, hi = (format_value(x, inp) for x in inp.range)
                        yield _err(Rule.TYPE_MISMATCH, f"{lit.text} is outside the range of '{inp.id}' "
                                   f"({lo} to {hi}, as declared)", lit.loc)


def _proof_problems(s: Stage, inputs: Mapping[str, Input], budget: list[int]) -> Iterator[Problem]:
    conds = [t.condition.expr for t in s.next]  # type: ignore[union-attr]
    first_match = s.order == "first-match"
    allowed = min(limits.MAX_PROOF_WORK, budget[0])
    try:
        proof = prove(conds, inputs, first_match, allowed)  # type: ignore[arg-type]
    except ProofTooBig:
        budget[0] -= allowed
        yield _err(Rule.LIMIT_EXCEEDED, f"decision '{echo(s.id)}': its conditions combine too many inputs and values "
                   f"to check within the limit ({allowed:,} evaluations); split it into smaller decisions", s.loc)
        return
    budget[0] -= proof.work
    for (a, b), w in sorted(proof.overlaps.items()):
        ta, tb = s.next[a], s.next[b]
        yield _err(Rule.OVERLAPPING_BRANCHES, f"decision '{echo(s.id)}': {_branch_name(ta, s)} and {_branch_name(tb, s)} both "
                   f"apply {w.describe(inputs)} — make the conditions exclusive, or declare 'order: first-match'",
                   _condition_loc(tb))
    if proof.gap is not None:
        yield _err(Rule.DECISION_GAP, f"decision '{echo(s.id)}': no branch applies {proof.gap.describe(inputs)} — "
                   "add a branch for it (or 'if: otherwise' as the last branch)", _loc(s, "next"))
    for i, t in enumerate(s.next):
        if i in proof.reachable:
            continue
        if isinstance(t.condition.expr, Otherwise):  # type: ignore[union-attr]
            why = "the other branches cover every patient, so 'otherwise' never applies"
        elif first_match:
            why = "earlier branches (first-match) or its own condition leave no patient for it"
        else:
            why = "its condition holds for no value in the inputs' declared ranges"
        yield _warn(Rule.SHADOWED_BRANCH, f"decision '{echo(s.id)}': {_branch_name(t, s)} can never be taken — {why}",
                    _condition_loc(t))
