"""The condition language of computable decisions: parse (with ``lark``), type-check, evaluate.

    mbb_relief >= 50 %            other_cause_on_imaging          not other_cause_on_imaging
    rfa_response in [pain-returned, no-relief]                     50 % <= mbb_relief < 80 %
    mbb_relief between 50 % and 80 %        time_since_rfa < 6 months and (a or not b)
    otherwise

Every node of the tree is a frozen dataclass with the ``Location`` of its first character *inside*
the YAML value, so a problem points at the column where the author wrote it.  Parsing needs no
data dictionary (the loader does it); type checks and evaluation take the inputs.  The proof that
a decision's branches are exclusive and exhaustive lives in ``generator.core.decisions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Iterator, Mapping, Union

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from generator.core.model import INPUT_TYPES, Input, Location

# -- units ------------------------------------------------------------------------------------

#: A duration unit (singular or plural) and its length in days, for comparison: a month is 30 days
#: and a year 365 (documented in docs/format.md).
DURATION_UNITS: dict[str, int] = {}
for _name, _days in (("day", 1), ("week", 7), ("month", 30), ("year", 365)):
    DURATION_UNITS[_name] = DURATION_UNITS[_name + "s"] = _days

NUMERIC_TYPES: frozenset[str] = frozenset({"number", "integer", "duration"})

# -- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A constant as written: a number with an optional unit, true/false, or a word (a choice value)."""

    text: str
    loc: Location = field(compare=False)
    number: Fraction | None = None
    unit: str | None = None
    boolean: bool | None = None
    word: str | None = None  # a bare or quoted choice value

    def describe(self) -> str:
        if self.number is not None:
            return f"the number {self.text}"
        if self.boolean is not None:
            return self.text
        return f"'{self.word}'"


@dataclass(frozen=True)
class Ref:
    """An input named in a condition."""

    name: str
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Compare:
    """``input OP value``; a comparison written the other way round (``50 % < x``) is turned round."""

    input: Ref
    op: str  # < <= > >= == !=
    value: Literal
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Range:
    """``low <= input < high`` or ``input between low and high`` (both ends included)."""

    input: Ref
    low: Literal
    low_inclusive: bool
    high: Literal
    high_inclusive: bool
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Member:
    """``input in [a, b]`` or ``input not in [a, b]``."""

    input: Ref
    values: tuple[Literal, ...]
    negated: bool
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Var:
    """A boolean input on its own: true when the input is true."""

    input: Ref
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Not:
    operand: Expr
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]
    loc: Location = field(compare=False)


@dataclass(frozen=True)
class Otherwise:
    """The whole condition of the last branch: taken when no other branch applies."""

    loc: Location = field(compare=False)


Expr = Union[Compare, Range, Member, Var, Not, And, Or, Otherwise]
Atom = Union[Compare, Range, Member, Var]


@dataclass(frozen=True)
class Condition:
    """A branch's ``if``: the text as written, its tree (None when it does not parse) and where it is."""

    text: str
    expr: Expr | None
    loc: Location = field(compare=False)


class ExpressionError(Exception):
    """A condition that does not parse: a plain-words message and where (inside the expression)."""

    def __init__(self, message: str, loc: Location):
        super().__init__(message)
        self.message = message
        self.loc = loc


# -- parsing ----------------------------------------------------------------------------------

_GRAMMAR = r"""
?start: disj
?disj: conj | disj _OR conj -> or_
?conj: neg | conj _AND neg -> and_
?neg: atom | NOT neg -> not_
?atom: comparison
     | LPAR disj _RPAR -> group
     | WORD -> var
     | OTHERWISE -> otherwise
comparison: WORD COMP value -> compare
          | number COMP WORD -> compare_rev
          | number COMP WORD COMP number -> chain
          | WORD IN list -> member
          | WORD NOT IN list -> not_member
          | WORD _BETWEEN number _AND number -> between
list: _LSQB (value (_COMMA value)*)? _RSQB
?value: number | TRUE -> true | FALSE -> false | WORD -> word | STRING -> string
number: NUMBER unit?
unit: PERCENT | WORD (_SLASH WORD)*
value_only: value

OTHERWISE: "otherwise"
_OR: "or"
_AND: "and"
NOT: "not"
IN: "in"
_BETWEEN: "between"
TRUE: "true"
FALSE: "false"
COMP: "<=" | ">=" | "==" | "!=" | "<" | ">"
LPAR: "("
_RPAR: ")"
_LSQB: "["
_RSQB: "]"
_COMMA: ","
_SLASH: "/"
PERCENT: "%"
NUMBER: /-?(\d+(\.\d*)?|\.\d+)/
WORD: /[A-Za-z_][A-Za-z0-9_-]*/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
%ignore /[ \t\r\n]+/
"""

# Keywords written in capitals or mixed case are still keywords to the author.
_KEYWORDS = frozenset({"otherwise", "or", "and", "not", "in", "between", "true", "false"})

_FRIENDLY = {
    "COMP": "a comparison (<, <=, >, >=, == or !=)",
    "WORD": "an input name or a value",
    "NUMBER": "a number",
    "STRING": "a quoted value",
    "_AND": "'and'",
    "_OR": "'or'",
    "NOT": "'not'",
    "IN": "'in'",
    "_BETWEEN": "'between'",
    "LPAR": "'('",
    "_RPAR": "')'",
    "_LSQB": "'['",
    "_RSQB": "']'",
    "_COMMA": "','",
    "PERCENT": "'%'",
    "TRUE": "true",
    "FALSE": "false",
    "OTHERWISE": "'otherwise'",
    "_SLASH": "'/'",
}


@lru_cache(maxsize=1)
def _parser() -> Lark:
    # LALR: linear time, and a hostile expression cannot make it backtrack.
    return Lark(_GRAMMAR, parser="lalr", start=["start", "value_only"], maybe_placeholders=False)


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


class _Build(Transformer):
    """Lark's tree to ours, with locations inside the expression."""

    def __init__(self, at: Callable[[int], Location]):
        super().__init__()
        self.at = at

    def _loc(self, item) -> Location:
        if isinstance(item, Token):
            return self.at(item.start_pos or 0)
        return item.loc

    def _ref(self, tok: Token) -> Ref:
        if tok in _KEYWORDS:
            raise ExpressionError(f"'{tok}' is a keyword, not an input: a comparison starts with the input "
                                  "(write 'flag == false', not 'false == flag')", self._loc(tok))
        if tok.lower() in _KEYWORDS:
            raise ExpressionError(f"'{tok}' is a keyword; write it in lower case ('{tok.lower()}')", self._loc(tok))
        return Ref(str(tok), self._loc(tok))

    @v_args(inline=True)
    def or_(self, a, b):
        ops = (a.operands if isinstance(a, Or) else (a,)) + (b,)
        return Or(ops, ops[0].loc)

    @v_args(inline=True)
    def and_(self, a, b):
        ops = (a.operands if isinstance(a, And) else (a,)) + (b,)
        return And(ops, ops[0].loc)

    @v_args(inline=True)
    def not_(self, tok, operand):
        return Not(operand, self._loc(tok))

    @v_args(inline=True)
    def group(self, lpar, inner):
        return inner

    @v_args(inline=True)
    def var(self, tok):
        ref = self._ref(tok)
        return Var(ref, ref.loc)

    @v_args(inline=True)
    def otherwise(self, tok):
        return Otherwise(self._loc(tok))

    @v_args(inline=True)
    def compare(self, name, op, value):
        ref = self._ref(name)
        return Compare(ref, str(op), value, ref.loc)

    @v_args(inline=True)
    def compare_rev(self, value, op, name):
        return Compare(self._ref(name), _FLIP[str(op)], value, value.loc)

    @v_args(inline=True)
    def chain(self, low, op1, name, op2, high):
        ref = self._ref(name)
        o1, o2 = str(op1), str(op2)
        if o1 in ("<", "<=") and o2 in ("<", "<="):
            return Range(ref, low, o1 == "<=", high, o2 == "<=", low.loc)
        if o1 in (">", ">=") and o2 in (">", ">="):
            return Range(ref, high, o2 == ">=", low, o1 == ">=", low.loc)
        raise ExpressionError(
            f"a range goes one way: write 'low <= {name} < high' (both '<' or '<=', or both '>' or '>='), "
            f"not '{o1} … {o2}'",
            self._loc(op2),
        )

    @v_args(inline=True)
    def member(self, name, _in, values):
        ref = self._ref(name)
        return Member(ref, values, False, ref.loc)

    @v_args(inline=True)
    def not_member(self, name, _not, _in, values):
        ref = self._ref(name)
        return Member(ref, values, True, ref.loc)

    @v_args(inline=True)
    def between(self, name, low, high):
        ref = self._ref(name)
        return Range(ref, low, True, high, True, ref.loc)

    def list(self, items):
        return tuple(items)

    @v_args(inline=True)
    def true(self, tok):
        return Literal(str(tok), self._loc(tok), boolean=True)

    @v_args(inline=True)
    def false(self, tok):
        return Literal(str(tok), self._loc(tok), boolean=False)

    @v_args(inline=True)
    def word(self, tok):
        return Literal(str(tok), self._loc(tok), word=str(tok))

    @v_args(inline=True)
    def string(self, tok):
        return Literal(str(tok), self._loc(tok), word=str(tok)[1:-1])

    def number(self, items):
        tok = items[0]
        unit = items[1] if len(items) > 1 else None
        text = str(tok) + (f" {unit}" if unit else "")
        return Literal(text, self._loc(tok), number=Fraction(str(tok)), unit=unit)

    def unit(self, items):
        return "/".join(str(t) for t in items)

    @v_args(inline=True)
    def value_only(self, value):
        return value


def _expected(exc: UnexpectedInput) -> str:
    names = sorted({_FRIENDLY.get(t, t) for t in getattr(exc, "expected", ()) or ()
                    if not t.startswith("__")} - {"'otherwise'"})
    if not names:
        return ""
    if len(names) > 4:
        return ""
    return " — expected " + " or ".join(names)


def _syntax_message(text: str, exc: UnexpectedInput) -> tuple[str, int]:
    """A plain-words message and the 0-based offset in ``text`` it is about."""
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        ch = text[pos]
        if ch == "=" and not text.startswith("==", pos):
            return "'=' on its own is not a comparison — write '==' (equal to)", pos
        if ch == "&" or ch == "|":
            return f"'{ch}' is not part of the language — write 'and' or 'or'", pos
        if ch == "!":
            return "'!' on its own is not part of the language — write 'not' or '!='", pos
        return f"'{ch}' cannot appear here{_expected(exc)}", pos
    if isinstance(exc, UnexpectedEOF):
        return f"the condition ends too early{_expected(exc)}", len(text.rstrip())
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    if tok.type == "$END":
        return f"the condition ends too early{_expected(exc)}", len(text.rstrip())
    pos = tok.start_pos or 0
    if tok.type == "OTHERWISE":
        return "'otherwise' must be the whole condition of a branch, not part of one", pos
    if tok.type == "COMP" and exc.state is not None:
        return (f"'{tok}' cannot follow here — compare one input with a value "
                "(a range is written 'low <= input < high')"), pos
    return f"'{tok}' cannot appear here{_expected(exc)}", pos


def parse(text: str, at: Callable[[int], Location], *, start: str = "start") -> Expr | Literal:
    """Parse a condition (or, with ``start='value_only'``, one value); raise ``ExpressionError``."""
    try:
        tree = _parser().parse(text, start=start)
    except UnexpectedInput as exc:
        msg, pos = _syntax_message(text, exc)
        raise ExpressionError(msg, at(pos)) from None
    try:
        return _Build(at).transform(tree) if isinstance(tree, Tree) else tree
    except VisitError as exc:
        if isinstance(exc.orig_exc, ExpressionError):
            raise exc.orig_exc from None
        raise


def parse_condition(text: str, at: Callable[[int], Location]) -> Expr:
    expr = parse(text, at)
    assert not isinstance(expr, Literal)
    _no_nested_otherwise(expr, top=True)
    return expr


def _no_nested_otherwise(expr: Expr, top: bool = False) -> None:
    # The grammar lets 'otherwise' stand as an atom so the message can say where it went wrong.
    if isinstance(expr, Otherwise) and not top:
        raise ExpressionError("'otherwise' must be the whole condition of a branch, not part of one", expr.loc)
    for child in children(expr):
        _no_nested_otherwise(child)


def parse_value(text: str, at: Callable[[int], Location]) -> Literal:
    """One value (a scenario's ``mbb_relief: 30 %``); raise ``ExpressionError``."""
    out = parse(text, at, start="value_only")
    assert isinstance(out, Literal)
    return out


def children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, (And, Or)):
        return expr.operands
    if isinstance(expr, Not):
        return (expr.operand,)
    return ()


def atoms(expr: Expr) -> Iterator[Atom]:
    """The comparisons of a condition, left to right."""
    if isinstance(expr, (Compare, Range, Member, Var)):
        yield expr
        return
    for child in children(expr):
        yield from atoms(child)


# -- types ------------------------------------------------------------------------------------

#: A value of an input: a number (durations in days), a truth value or a choice.
Value = Union[Fraction, bool, str]


@dataclass(frozen=True)
class TypeProblem:
    """A comparison that does not fit its input: ``kind`` is 'unit' or 'type'."""

    kind: str
    message: str
    loc: Location = field(compare=False)


def _unit_text(unit: str | None) -> str:
    return f"'{unit}'" if unit else "no unit"


def literal_value(lit: Literal, inp: Input) -> Value | TypeProblem:
    """The value of ``lit`` as a value of ``inp`` (durations in days), or why it cannot be one."""
    t = inp.type
    if t in ("number", "integer"):
        if lit.number is None:
            return TypeProblem("type", f"'{inp.id}' is a {t}; it cannot be compared with {lit.describe()}", lit.loc)
        if (lit.unit or None) != (inp.unit or None):
            want = f"write it in '{inp.unit}' (e.g. {lit.number} {inp.unit})" if inp.unit else "write the number alone"
            return TypeProblem("unit", f"{lit.text} has {_unit_text(lit.unit)}, but '{inp.id}' is in "
                               f"{_unit_text(inp.unit)}: {want}", lit.loc)
        return lit.number
    if t == "duration":
        if lit.number is None:
            return TypeProblem("type", f"'{inp.id}' is a duration; it cannot be compared with {lit.describe()}", lit.loc)
        days = DURATION_UNITS.get((lit.unit or "").lower())
        if days is None:
            return TypeProblem("unit", f"{lit.text} is not a duration: '{inp.id}' needs a unit of time "
                               "(days, weeks, months or years), e.g. 6 weeks", lit.loc)
        return lit.number * days
    if t == "boolean":
        if lit.boolean is None:
            return TypeProblem("type", f"'{inp.id}' is true or false; it cannot be compared with {lit.describe()}",
                               lit.loc)
        return lit.boolean
    if t == "choice":
        if lit.word is None or lit.word not in inp.choices:
            from generator.core.suggest import did_you_mean

            shown = lit.word if lit.word is not None else lit.text
            return TypeProblem("type", f"'{shown}' is not one of the choices of '{inp.id}': "
                               f"{', '.join(inp.choices)}{did_you_mean(shown, inp.choices)}", lit.loc)
        return lit.word
    return TypeProblem("type", f"'{inp.id}' has no usable type", lit.loc)  # reported by the data dictionary


def type_problems(expr: Expr, inputs: Mapping[str, Input]) -> Iterator[TypeProblem]:
    """Every comparison that does not fit its input's type or unit (unknown inputs are skipped)."""
    for atom in atoms(expr):
        inp = inputs.get(atom.input.name)
        if inp is None or inp.type not in INPUT_TYPES:
            continue
        t = inp.type
        if isinstance(atom, Var):
            if t != "boolean":
                yield TypeProblem("type", f"'{inp.id}' is a {t}, not true or false: compare it with a value "
                                  f"(e.g. {_example(inp)})", atom.loc)
            continue
        if isinstance(atom, Member):
            if t != "choice":
                yield TypeProblem("type", f"'in [...]' picks among choices, but '{inp.id}' is a {t}", atom.loc)
                continue
            for v in atom.values:
                got = literal_value(v, inp)
                if isinstance(got, TypeProblem):
                    yield got
            continue
        lits = (atom.value,) if isinstance(atom, Compare) else (atom.low, atom.high)
        if t not in NUMERIC_TYPES and (isinstance(atom, Range) or atom.op not in ("==", "!=")):
            what = "a range" if isinstance(atom, Range) else f"'{atom.op}'"
            yield TypeProblem("type", f"{what} needs a number, but '{inp.id}' is a {t}: use == or !=", atom.loc)
            continue
        got_all = [literal_value(v, inp) for v in lits]
        for got in got_all:
            if isinstance(got, TypeProblem):
                yield got
        if isinstance(atom, Range) and not any(isinstance(g, TypeProblem) for g in got_all):
            low, high = got_all
            if low > high or (low == high and not (atom.low_inclusive and atom.high_inclusive)):  # type: ignore[operator]
                yield TypeProblem("type", f"the range from {atom.low.text} to {atom.high.text} holds no value: "
                                  "write the lower end first", atom.loc)


def _example(inp: Input) -> str:
    if inp.type in ("number", "integer"):
        return f"{inp.id} >= 1{(' ' + inp.unit) if inp.unit else ''}"
    if inp.type == "duration":
        return f"{inp.id} >= 6 weeks"
    if inp.type == "choice" and inp.choices:
        return f"{inp.id} == {inp.choices[0]}"
    return f"{inp.id} == true"


# -- evaluation -------------------------------------------------------------------------------


class MissingValue(Exception):
    """Evaluating needs an input that has no value."""

    def __init__(self, ref: Ref):
        super().__init__(ref.name)
        self.ref = ref


def _cmp(op: str, a, b) -> bool:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b


def const(lit: Literal, inp: Input) -> Value:
    """``literal_value`` for a checked condition (a type problem here is a bug in the caller)."""
    got = literal_value(lit, inp)
    if isinstance(got, TypeProblem):
        raise ValueError(got.message)
    return got


def eval_atom(atom: Atom, value: Value, inp: Input) -> bool:
    """One comparison, given its input's value."""
    if isinstance(atom, Var):
        return value is True
    if isinstance(atom, Member):
        return (value in {const(v, inp) for v in atom.values}) != atom.negated
    if isinstance(atom, Compare):
        return _cmp(atom.op, value, const(atom.value, inp))
    low, high = const(atom.low, inp), const(atom.high, inp)
    return ((low <= value) if atom.low_inclusive else (low < value)) and (  # type: ignore[operator]
        (value <= high) if atom.high_inclusive else (value < high))  # type: ignore[operator]


def evaluate(expr: Expr, values: Mapping[str, Value], inputs: Mapping[str, Input]) -> bool:
    """The truth of a type-checked condition; ``and``/``or`` stop at the first operand that settles
    them, so an input that does not matter need not be given.  Raises ``MissingValue``."""
    if isinstance(expr, Otherwise):
        return True
    if isinstance(expr, Not):
        return not evaluate(expr.operand, values, inputs)
    if isinstance(expr, And):
        return all(evaluate(e, values, inputs) for e in expr.operands)
    if isinstance(expr, Or):
        return any(evaluate(e, values, inputs) for e in expr.operands)
    name = expr.input.name
    if name not in values:
        raise MissingValue(expr.input)
    return eval_atom(expr, values[name], inputs[name])


def format_value(value: Value, inp: Input) -> str:
    """A value as an author writes it: '60 %', '3 months', 'true', 'pain-returned'."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if inp.type == "duration":
        for unit, days in (("years", 365), ("months", 30), ("weeks", 7)):
            if value != 0 and value % days == 0:
                n = value / days
                return f"{_num(n)} {unit[:-1] if n == 1 else unit}"
        return f"{_num(value)} {'day' if value == 1 else 'days'}"
    return _num(value) + (f" {inp.unit}" if inp.unit else "")


def _num(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    # A terminating decimal when there is one, else a few places (the exact value is a fraction).
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return format(float(x), "f").rstrip("0").rstrip(".") if abs(x) < 10**15 else str(float(x))
    return f"{float(x):.4g}"


__all__ = [
    "And", "Atom", "Compare", "Condition", "DURATION_UNITS", "Expr", "ExpressionError", "INPUT_TYPES", "Literal",
    "Member", "MissingValue", "Not", "Or", "Otherwise", "Range", "Ref", "TypeProblem", "Value", "Var", "atoms",
    "children", "evaluate", "format_value", "literal_value", "parse_condition", "parse_value", "type_problems",
]
