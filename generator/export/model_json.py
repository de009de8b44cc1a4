"""The checked pathway model as JSON, with a JSON Schema derived from the model's dataclasses.

For tools that want the pathway without reading YAML: every field of ``generator.core.model`` as
written (source locations left out), conditions as their text and their parsed tree, numbers exact
where they are whole (durations in days).  A field that is not set (None) is left out.  The schema
is generated from the same dataclasses, so it cannot fall behind the model.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import types
import typing
from fractions import Fraction
from typing import Any

from generator.core import expressions as ex
from generator.core import model as m
from generator.export.fhir import dumps
from generator.export.fhirpath import number_literal

from generator.core.schema import SCHEMA_ID

#: Published beside the pathway file's own schema.
MODEL_SCHEMA_ID = SCHEMA_ID.rsplit("/", 1)[0] + "/pathway-model-1.schema.json"
#: Where a node was read from: not part of the exported model.
_SKIP = frozenset({"loc", "field_locs", "source"})
_NODES = {ex.Compare: "compare", ex.Range: "range", ex.Member: "member", ex.Var: "var", ex.Not: "not",
          ex.And: "and", ex.Or: "or", ex.Otherwise: "otherwise"}


def _number(x: Fraction) -> int | float:
    return x.numerator if x.denominator == 1 else float(number_literal(x))


def _expr(e: Any) -> Any:
    if isinstance(e, ex.Literal):
        out: dict[str, Any] = {"text": e.text}
        if e.number is not None:
            out["number"] = _number(e.number)
        for k in ("unit", "boolean", "word"):
            if getattr(e, k) is not None:
                out[k] = getattr(e, k)
        return out
    if isinstance(e, ex.Ref):
        return e.name
    out = {"node": _NODES[type(e)]}
    for f in dataclasses.fields(e):
        if f.name in _SKIP:
            continue
        v = getattr(e, f.name)
        out[f.name] = [_expr(x) for x in v] if isinstance(v, tuple) else (_expr(v) if dataclasses.is_dataclass(v)
                                                                         else v)
    return out


def to_data(obj: Any) -> Any:
    """A model value as JSON data."""
    if isinstance(obj, ex.Condition):
        return {"text": obj.text, **({"tree": _expr(obj.expr)} if obj.expr is not None else {})}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            if f.name in _SKIP:
                continue
            v = getattr(obj, f.name)
            if v is None:
                continue
            out[f.name] = to_data(v)
        return out
    if isinstance(obj, (tuple, list)):
        return [to_data(x) for x in obj]
    if isinstance(obj, bool) or isinstance(obj, (str, int)):
        return obj
    if isinstance(obj, Fraction):
        return _number(obj)
    if isinstance(obj, _dt.date):
        return obj.isoformat()
    raise TypeError(f"no JSON form for {type(obj).__name__}")


def export_model(p: m.Pathway) -> dict[str, Any]:
    return {"$schema": MODEL_SCHEMA_ID, "pathway": to_data(p)}


MODEL_FILE = "pathway.json"
SCHEMA_FILE = "pathway-model.schema.json"


def export_json(p: m.Pathway) -> dict[str, bytes]:
    """What ``pathway export json`` writes (and the site offers): the model and its schema, as bytes."""
    return {SCHEMA_FILE: _schema_bytes(), MODEL_FILE: dumps(export_model(p))}


@functools.lru_cache(maxsize=1)
def _schema_bytes() -> bytes:
    return dumps(model_schema())  # the same for every pathway of a library


# -- the schema -------------------------------------------------------------------------------

_LITERAL = {"type": "object", "additionalProperties": False, "required": ["text"],
            "properties": {"text": {"type": "string"}, "number": {"type": "number"}, "unit": {"type": "string"},
                           "boolean": {"type": "boolean"}, "word": {"type": "string"}}}
_EXPR = {
    "description": "A parsed condition: 'node' says which kind; an input is named by its id.",
    "type": "object",
    "required": ["node"],
    "properties": {
        "node": {"enum": sorted(_NODES.values())},
        "input": {"type": "string"},
        "op": {"enum": ["<", "<=", ">", ">=", "==", "!="]},
        "value": {"$ref": "#/$defs/Literal"},
        "low": {"$ref": "#/$defs/Literal"},
        "high": {"$ref": "#/$defs/Literal"},
        "low_inclusive": {"type": "boolean"},
        "high_inclusive": {"type": "boolean"},
        "values": {"type": "array", "items": {"$ref": "#/$defs/Literal"}},
        "negated": {"type": "boolean"},
        "operand": {"$ref": "#/$defs/Expr"},
        "operands": {"type": "array", "items": {"$ref": "#/$defs/Expr"}},
    },
    "additionalProperties": False,
}
_CONDITION = {"type": "object", "additionalProperties": False, "required": ["text"],
              "properties": {"text": {"type": "string", "description": "the condition as written"},
                             "tree": {"$ref": "#/$defs/Expr"}}}


def _type_schema(t: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(t)
    if origin in (typing.Union, types.UnionType):
        alts = [a for a in typing.get_args(t) if a is not type(None)]
        if len(alts) == 1:
            return _type_schema(alts[0], defs)
        return {"anyOf": [_type_schema(a, defs) for a in alts]}
    if origin is tuple:
        args = typing.get_args(t)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], defs)}
        return {"type": "array", "prefixItems": [_type_schema(a, defs) for a in args],
                "minItems": len(args), "maxItems": len(args)}
    if t is ex.Condition:
        return {"$ref": "#/$defs/Condition"}
    if isinstance(t, type) and dataclasses.is_dataclass(t):
        _class_schema(t, defs)
        return {"$ref": f"#/$defs/{t.__name__}"}
    if t is bool:
        return {"type": "boolean"}
    if t is int:
        return {"type": "integer"}
    if t is str:
        return {"type": "string"}
    if t is Fraction:
        return {"type": "number"}
    if t is _dt.date:
        return {"type": "string", "format": "date"}
    raise TypeError(f"no schema for {t!r}")


def _class_schema(cls: type, defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # placeholder: a recursive type refers to itself
    hints = typing.get_type_hints(cls, localns={"Condition": ex.Condition, "Mapping": typing.Mapping})
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if f.name in _SKIP:
            continue
        props[f.name] = _type_schema(hints[f.name], defs)
        optional = type(None) in typing.get_args(hints[f.name])
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and not optional:
            required.append(f.name)
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
    if cls.__doc__:
        out["description"] = " ".join(cls.__doc__.split())
    if required:
        out["required"] = required
    defs[cls.__name__] = out


def model_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``export_model``'s output."""
    defs: dict[str, Any] = {"Literal": _LITERAL, "Expr": _EXPR, "Condition": _CONDITION}
    _class_schema(m.Pathway, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": MODEL_SCHEMA_ID,
        "title": "Pathway model (pathway export json)",
        "description": "A checked care pathway as JSON: the fields of pathway.yaml after checking, without source "
                       "locations; unset fields are left out; durations in days.",
        "type": "object",
        "additionalProperties": False,
        "required": ["pathway"],
        "properties": {"$schema": {"const": MODEL_SCHEMA_ID}, "pathway": {"$ref": "#/$defs/Pathway"}},
        "$defs": dict(sorted(defs.items())),
    }
