"""The "What next?" walkthrough: the pathway's decision logic as data for ``assets/walkthrough.js``.

The page embeds one JSON document (no fetch, so it works from ``file://``): the inputs of the data
dictionary, and per stage its title, kind, page address, flowchart node id and branches; each
computable branch carries its condition as a tree (``expressions`` dataclasses turned into JSON, never
text for the browser to re-parse), with every constant already converted to the input's value
(durations in days), exactly as ``expressions.const`` does.  The script walks it with the same rules
as ``generator.core.scenarios.walk``; ``tests/site/test_walkthrough.py`` holds the two together.

Without JavaScript the page lists the decisions with links to their stage pages, where the decision
tables are.

In a library, a branch into another pathway leads to an entry keyed ``pathway-id:stage-id`` with no
branches of its own, so the walk ends there: "Continues in <pathway>: <stage>", linked to that page
(``OTHER_KIND`` is shown as its kind).  The script needs no change for it.
"""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from typing import Any, Callable

from generator.core import expressions as ex
from generator.core.decisions import is_computable
from generator.core.model import Input, LibraryIndex, Pathway
from generator.render.diagrams import dom_id
from generator.render.markup import other_stage

PAGE = "what-next.md"
JS = "assets/walkthrough.js"
DATA = "assets/walkthrough-data.js"
DEFAULT_MAX_STEPS = 100  # as generator.core.scenarios.DEFAULT_MAX_STEPS: a loop stops, never hangs
OTHER_KIND = "another pathway"


def _value(v: ex.Value) -> Any:
    # JSON numbers are doubles; the constants of a pathway are short decimals, exact enough to compare.
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v)
    return v


def condition_json(expr: ex.Expr, inputs: dict[str, Input]) -> dict[str, Any]:
    """A type-checked condition as a JSON tree (``t`` = node type)."""
    if isinstance(expr, ex.Otherwise):
        return {"t": "otherwise"}
    if isinstance(expr, ex.Not):
        return {"t": "not", "e": condition_json(expr.operand, inputs)}
    if isinstance(expr, (ex.And, ex.Or)):
        return {"t": "and" if isinstance(expr, ex.And) else "or",
                "e": [condition_json(e, inputs) for e in expr.operands]}
    name = expr.input.name
    inp = inputs[name]
    if isinstance(expr, ex.Var):
        return {"t": "var", "input": name}
    if isinstance(expr, ex.Member):
        return {"t": "in", "input": name, "neg": expr.negated,
                "values": [_value(ex.const(v, inp)) for v in expr.values]}
    if isinstance(expr, ex.Compare):
        return {"t": "cmp", "input": name, "op": expr.op, "value": _value(ex.const(expr.value, inp))}
    return {"t": "range", "input": name, "low": _value(ex.const(expr.low, inp)), "lowInc": expr.low_inclusive,
            "high": _value(ex.const(expr.high, inp)), "highInc": expr.high_inclusive}


def _input_json(inp: Input) -> dict[str, Any]:
    out: dict[str, Any] = {"label": inp.label or inp.id, "type": inp.type}
    if inp.unit:
        out["unit"] = inp.unit
    if inp.choices:
        out["choices"] = list(inp.choices)
    if inp.range is not None:
        out["min"], out["max"] = _value(inp.range[0]), _value(inp.range[1])
    if inp.description:
        out["description"] = inp.description
    return out


def walkthrough_data(p: Pathway, href: Callable[[str], str], node_prefix: str | None, *,
                     library: LibraryIndex | None = None) -> dict[str, Any]:
    """The JSON document of the page.  ``href(stage_id)``: the stage page's URL from this page (also
    given ``pathway-id:stage-id``); ``node_prefix``: the id prefix of the embedded flowchart (None: no
    flowchart on the page); ``library``: the pathways a branch may continue in."""
    inputs = dict(p.input_by_id)
    stages: dict[str, Any] = {}
    ends: dict[str, Any] = {}  # the stages of other pathways where a route continues
    seen: Counter[tuple[str, str]] = Counter()  # edge ids as generator.render.diagrams._edge_ids numbers them
    known = set(p.stage_by_id)
    for s in p.stages:
        if p.stage_by_id.get(s.id) is not s:
            continue  # a duplicate id (a check error): the first one counts, as everywhere
        computable = is_computable(s) and all(t.condition and t.condition.expr for t in s.next)
        branches = []
        for t in s.next:
            to = t.to
            if to not in known:
                other = other_stage(to, library, p)
                if other is None:
                    continue
                to = other.target
                ends.setdefault(to, {"title": f"Continues in {other.pathway_title}: {other.stage_title}",
                                     "kind": OTHER_KIND, "href": href(to), "node": dom_id("ext", to),
                                     "computable": False, "next": []})
            seen[(s.id, to)] += 1
            n = seen[(s.id, to)]
            edge = f"{dom_id('edge', s.id)}--{dom_id('x', to)[2:]}" + ("" if n == 1 else f"--{n}")
            b: dict[str, Any] = {"to": to, "edge": edge}
            if t.when:
                b["when"] = t.when
            if computable:
                assert t.condition is not None and t.condition.expr is not None
                b["if"] = condition_json(t.condition.expr, inputs)
            branches.append(b)
        stages[s.id] = {"title": s.title or s.id, "kind": s.kind, "href": href(s.id),
                        "node": dom_id("stage", s.id), "computable": computable, "next": branches}
    stages.update(ends)
    return {
        "title": p.title,
        "start": p.start,
        "maxSteps": DEFAULT_MAX_STEPS,
        "nodePrefix": (node_prefix + "-") if node_prefix is not None else None,
        "inputs": {i.id: _input_json(i) for i in p.inputs if p.input_by_id.get(i.id) is i},
        "stages": stages,
    }


def embed_json(data: dict[str, Any]) -> str:
    """JSON that is also a safe JavaScript literal anywhere: no '<', '>', '&', U+2028 or U+2029 survives
    as itself, so no pathway text can close a script element or end a line."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def data_script(data: dict[str, Any]) -> bytes:
    """``assets/walkthrough-data.js``: the document as a script (a ``<script src>`` loads from ``file://``,
    where ``fetch`` is refused; page bodies cannot carry scripts, the sanitizer removes them)."""
    return ("/* The pathway's decision logic for assets/walkthrough.js (generated; do not edit). */\n"
            f"window.pathwayWalkthroughData = {embed_json(data)};\n").encode("utf-8")
