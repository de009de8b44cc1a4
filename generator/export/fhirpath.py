"""Computable conditions as FHIRPath over the pathway's ``QuestionnaireResponse``.

An expression is evaluated with the ``QuestionnaireResponse`` of the pathway's inputs as its focus;
each input is the answer of the item whose ``linkId`` is the input's id.  A missing answer gives an
empty collection, and FHIRPath's three-valued ``and``/``or`` then decide exactly what our
short-circuit evaluation decides without that input (an undecided condition is empty: not applicable).
Durations are answered in days, choices as a ``Coding`` whose ``code`` is the choice.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Sequence

from generator.core.expressions import (And, Compare, Expr, Literal, Member, Not, Or, Otherwise, Range, Var, const)
from generator.core.model import Input

_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def string_literal(text: str) -> str:
    """A FHIRPath string literal (single quotes; backslash and quote escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def number_literal(x: Fraction) -> str:
    """An exact FHIRPath number: an integer, or a decimal (a value in days or a written decimal)."""
    if x.denominator == 1:
        return str(x.numerator)
    d, twos, fives = x.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:  # not a terminating decimal: cannot come from a written literal, but stay exact enough
        return f"{float(x):.15g}"
    places = max(twos, fives)
    scaled = abs(x.numerator) * (10**places // x.denominator)
    digits = str(scaled).rjust(places + 1, "0")
    sign = "-" if x < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def answer(input_id: str) -> str:
    """The value answered for one input."""
    return f"QuestionnaireResponse.item.where(linkId = {string_literal(input_id)}).answer.value"


def _value(lit: Literal, inp: Input) -> str:
    v = const(lit, inp)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return string_literal(v)
    return number_literal(v)


def _subject(inp: Input) -> str:
    path = answer(inp.id)
    return path + ".code" if inp.type == "choice" else path


def to_fhirpath(expr: Expr, inputs: Mapping[str, Input]) -> str:
    """One condition as FHIRPath (``otherwise`` is resolved by the caller, see ``branch_expressions``)."""
    if isinstance(expr, Otherwise):
        raise ValueError("'otherwise' depends on the other branches")
    if isinstance(expr, Not):
        return f"({to_fhirpath(expr.operand, inputs)}).not()"
    if isinstance(expr, (And, Or)):
        word = " and " if isinstance(expr, And) else " or "
        return word.join(f"({to_fhirpath(e, inputs)})" for e in expr.operands)
    inp = inputs[expr.input.name]
    subject = _subject(inp)
    if isinstance(expr, Var):
        return f"{subject} = true"
    if isinstance(expr, Compare):
        return f"{subject} {_OPS[expr.op]} {_value(expr.value, inp)}"
    if isinstance(expr, Range):
        lo = ">=" if expr.low_inclusive else ">"
        hi = "<=" if expr.high_inclusive else "<"
        return f"({subject} {lo} {_value(expr.low, inp)}) and ({subject} {hi} {_value(expr.high, inp)})"
    assert isinstance(expr, Member)
    values = " | ".join(_value(v, inp) for v in expr.values) or "{}"
    test = f"{subject} in ({values})"
    return f"({test}).not()" if expr.negated else test


def branch_expressions(exprs: Sequence[Expr], inputs: Mapping[str, Input], first_match: bool) -> list[str]:
    """The FHIRPath of each branch of a decision, such that exactly one applies.

    ``otherwise`` becomes "none of the others"; with ``order: first-match`` each branch also says
    "and no earlier branch", so the branches are exclusive like CPG's ``exactly-one`` selection.
    """
    plain = [None if isinstance(e, Otherwise) else to_fhirpath(e, inputs) for e in exprs]
    out: list[str] = []
    for i, own in enumerate(plain):
        if own is None:
            others = [f"({p})" for p in plain if p is not None]
            out.append(f"({' or '.join(others)}).not()" if others else "true")
            continue
        earlier = [f"({p})" for p in plain[:i] if p is not None]
        if first_match and earlier:
            out.append(f"({own}) and ({' or '.join(earlier)}).not()")
        else:
            out.append(own)
    return out
