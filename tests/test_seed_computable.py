"""The seed's computable draft (drafts/) agrees with pathway.yaml, and its scenarios take the routes they claim.

The decisions engine of issue #15 is built on another branch, so today's
loader rejects `inputs:` and `if:`; the seed's conditions and patient
scenarios wait in ``drafts/``.  Until they are merged these tests keep the
draft honest: it must name the same decisions and branches as pathway.yaml,
every condition must use declared inputs and choices, the branches of each
decision must be exclusive and exhaustive (checked by trying every value:
all the seed's inputs are booleans or choices), and every scenario must
reach the stage it expects by the route it lists.

``_evaluate`` is a stand-in for the engine's evaluator, covering only the part
of the expression language the draft uses (a bare boolean input, ``==``,
``!=``, ``in``, ``not``, ``and``, ``or``, parentheses, ``otherwise``).  When the
engine lands and the draft is merged, ``pathway test`` replaces this file.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "pathway.yaml"
DRAFT = REPO / "drafts" / "seed-computable.yaml"
SCENARIOS = REPO / "drafts" / "pathway.scenarios.yaml"
MERGE = REPO / "drafts" / "merge_seed_computable.py"

TOKEN = re.compile(r"\s*(==|!=|\(|\)|\[|\]|,|[A-Za-z_][A-Za-z0-9_-]*)")
KEYWORDS = {"and", "or", "not", "in", "true", "false", "otherwise"}


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


SEED_RAW = _load(SEED)
DRAFT_RAW = _load(DRAFT)
SCENARIOS_RAW = _load(SCENARIOS)
STAGES = {s["id"]: s for s in SEED_RAW["stages"]}
INPUTS = {i["id"]: i for i in DRAFT_RAW["inputs"]}
DECISIONS = DRAFT_RAW["decisions"]


# -- a small evaluator for the subset of the expression language the draft uses --------------


def _tokens(expr: str) -> list[str]:
    pos, out = 0, []
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        assert m, f"cannot read {expr[pos:]!r} in {expr!r}"
        out.append(m.group(1))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent: or > and > not > comparison; returns a function of the inputs."""

    def __init__(self, expr: str) -> None:
        self.toks, self.i, self.expr = _tokens(expr), 0, expr
        self.names: set[str] = set()
        self.values: list[tuple[str, str]] = []  # (input, choice literal) pairs, to check against the choices

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        assert tok is not None and (want is None or tok == want), f"expected {want or 'more'} in {self.expr!r}"
        self.i += 1
        return tok

    def parse(self):
        fn = self.or_()
        assert self.peek() is None, f"unexpected {self.peek()!r} in {self.expr!r}"
        return fn

    def or_(self):
        parts = [self.and_()]
        while self.peek() == "or":
            self.take()
            parts.append(self.and_())
        return lambda env: any(p(env) for p in parts)

    def and_(self):
        parts = [self.not_()]
        while self.peek() == "and":
            self.take()
            parts.append(self.not_())
        return lambda env: all(p(env) for p in parts)

    def not_(self):
        if self.peek() == "not":
            self.take()
            inner = self.not_()
            return lambda env: not inner(env)
        return self.atom()

    def atom(self):
        if self.peek() == "(":
            self.take("(")
            inner = self.or_()
            self.take(")")
            return inner
        name = self.take()
        assert name not in KEYWORDS, f"expected an input name, got {name!r} in {self.expr!r}"
        self.names.add(name)
        op = self.peek()
        if op in ("==", "!="):
            self.take()
            value = self._literal(name, self.take())
            return (lambda env: env[name] == value) if op == "==" else (lambda env: env[name] != value)
        if op == "in" or (op == "not" and self.i + 1 < len(self.toks) and self.toks[self.i + 1] == "in"):
            negate = self.take() == "not"
            if negate:
                self.take("in")
            self.take("[")
            values = [self._literal(name, self.take())]
            while self.peek() == ",":
                self.take()
                values.append(self._literal(name, self.take()))
            self.take("]")
            return lambda env: (env[name] in values) != negate
        return lambda env: env[name] is True

    def _literal(self, name: str, tok: str) -> object:
        if tok in ("true", "false"):
            return tok == "true"
        self.values.append((name, tok))
        return tok


def _condition(expr: str):
    """(function of the inputs or None for `otherwise`, input names used, choice literals used)."""
    text = " ".join(str(expr).split())
    if text == "otherwise":
        return None, set(), []
    parser = _Parser(text)
    fn = parser.parse()
    return fn, parser.names, parser.values


def _branch(decision: str, env: dict[str, object]) -> str:
    """The one branch target the inputs select (otherwise = when no earlier branch applies)."""
    taken = []
    for branch in DECISIONS[decision]["next"]:
        fn, _, _ = _condition(branch["if"])
        if fn is None:
            if not taken:
                taken.append(branch["to"])
        elif fn(env):
            taken.append(branch["to"])
    assert len(taken) == 1, f"{decision}: {len(taken)} branches apply to {env}"
    return taken[0]


def _domain(input_id: str) -> list[object]:
    spec = INPUTS[input_id]
    if spec["type"] == "boolean":
        return [True, False]
    assert spec["type"] == "choice", f"{input_id}: only booleans and choices can be tried exhaustively here"
    return list(spec["choices"])


# -- the draft against pathway.yaml ----------------------------------------------------------


def test_draft_names_this_pathway_and_version():
    assert DRAFT_RAW["pathway"] == SEED_RAW["id"] == SCENARIOS_RAW["pathway"]
    assert DRAFT_RAW["pathway_version"] == SEED_RAW["version"]
    assert DRAFT_RAW["computable"] == "all"


def test_every_decision_is_computable_with_the_same_branches():
    decisions = [s["id"] for s in SEED_RAW["stages"] if s["kind"] == "decision"]
    assert list(DECISIONS) == decisions
    for decision in decisions:
        seed_branches = [(t["to"], t["when"]) for t in STAGES[decision]["next"]]
        assert [(b["to"], b["when"]) for b in DECISIONS[decision]["next"]] == seed_branches, decision
        assert all(b.get("if") for b in DECISIONS[decision]["next"]), decision


def test_otherwise_is_only_ever_the_last_branch():
    for decision, spec in DECISIONS.items():
        conds = [" ".join(str(b["if"]).split()) for b in spec["next"]]
        assert "otherwise" not in conds[:-1], decision


def test_inputs_are_declared_used_and_cite_known_references():
    refs = {r["id"] for r in SEED_RAW["references"]}
    used: set[str] = set()
    for decision, spec in DECISIONS.items():
        for branch in spec["next"]:
            _, names, values = _condition(branch["if"])
            assert names <= set(INPUTS), f"{decision}: unknown inputs {names - set(INPUTS)}"
            for name, value in values:
                assert value in INPUTS[name].get("choices", []), f"{decision}: {value!r} is not a choice of {name}"
            used |= names
    assert used == set(INPUTS), f"inputs no decision uses: {set(INPUTS) - used}"
    for spec in INPUTS.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", spec["id"]) and spec["label"] and spec["description"], spec["id"]
        assert spec["type"] in ("number", "integer", "boolean", "choice", "duration"), spec["id"]
        assert set(spec.get("references", [])) <= refs, spec["id"]


def test_no_input_has_a_unit_or_range_the_article_does_not_give():
    # The article's figures are typical values, not measures to decide on.
    assert not [i["id"] for i in INPUTS.values() if "unit" in i or "range" in i]


@pytest.mark.parametrize("decision", list(DECISIONS))
def test_branches_are_exclusive_and_exhaustive(decision):
    names = sorted(set().union(*(_condition(b["if"])[1] for b in DECISIONS[decision]["next"])))
    for values in itertools.product(*(_domain(n) for n in names)):
        _branch(decision, dict(zip(names, values)))  # asserts exactly one branch applies


def test_every_source_silent_branch_ends_at_a_clinical_judgement_outcome():
    for decision, spec in DECISIONS.items():
        for branch in spec["next"]:
            if " ".join(str(branch["if"]).split()) == "otherwise":
                target = STAGES[branch["to"]]
                assert target["kind"] == "outcome", decision
                assert "clinical judgement" in " ".join(target["body"].split()).casefold(), decision
                assert "source does not cover" in branch["when"], decision


# -- the scenarios ---------------------------------------------------------------------------


def _walk(scenario: dict) -> list[str]:
    """The stages a scenario's patient passes, from start to the stage with no next."""
    stage = scenario.get("start", SEED_RAW["start"])
    route, visits = [stage], {}
    for _ in range(scenario.get("max_steps", 100)):
        nexts = STAGES[stage].get("next") or []
        if not nexts:
            return route
        if STAGES[stage]["kind"] == "decision":
            env = dict(scenario.get("inputs") or {})
            at = (scenario.get("at") or {}).get(stage)
            if isinstance(at, list):
                n = visits.get(stage, 0)
                env.update(at[min(n, len(at) - 1)])
            elif isinstance(at, dict):
                env.update(at)
            visits[stage] = visits.get(stage, 0) + 1
            stage = _branch(stage, env)
        else:
            assert len(nexts) == 1, stage
            stage = nexts[0]["to"]
        route.append(stage)
    raise AssertionError(f"{scenario['id']}: no end within max_steps: {route[-10:]}")


@pytest.mark.parametrize("scenario", SCENARIOS_RAW["scenarios"], ids=lambda s: s["id"])
def test_scenario_reaches_what_it_expects(scenario):
    route = _walk(scenario)
    assert route[-1] == scenario["expect"]["reaches"]
    if "route" in scenario["expect"]:
        assert route == scenario["expect"]["route"]
    given = set(scenario.get("inputs") or {}) | {k for v in (scenario.get("at") or {}).values()
                                                 for d in (v if isinstance(v, list) else [v]) for k in d}
    assert given <= set(INPUTS), f"unknown inputs {given - set(INPUTS)}"


def test_scenarios_take_every_branch_and_reach_every_outcome():
    taken: set[tuple[str, str]] = set()
    reached: set[str] = set()
    for scenario in SCENARIOS_RAW["scenarios"]:
        route = _walk(scenario)
        taken |= {(a, b) for a, b in itertools.pairwise(route) if STAGES[a]["kind"] == "decision"}
        reached.add(route[-1])
    branches = {(d, b["to"]) for d, spec in DECISIONS.items() for b in spec["next"]}
    outcomes = {s["id"] for s in SEED_RAW["stages"] if s["kind"] == "outcome"}
    assert branches - taken == set(), "branches no scenario takes"
    assert outcomes - reached == set(), "outcomes no scenario reaches"


def test_scenario_ids_are_unique():
    ids = [s["id"] for s in SCENARIOS_RAW["scenarios"]]
    assert len(ids) == len(set(ids))


# -- the merge script ------------------------------------------------------------------------


def _merge_module():
    spec = importlib.util.spec_from_file_location("merge_seed_computable", MERGE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_merge_adds_the_draft_and_keeps_every_line_of_pathway_yaml():
    seed_text = SEED.read_text(encoding="utf-8")
    merged_text = _merge_module().merge(seed_text, DRAFT.read_text(encoding="utf-8"))
    merged = yaml.safe_load(merged_text)
    assert merged["inputs"] == DRAFT_RAW["inputs"] and merged["computable"] == "all"
    for stage in merged["stages"]:
        if stage["id"] in DECISIONS:
            assert [(b["to"], b["when"], b["if"]) for b in stage["next"]] == [
                (b["to"], b["when"], " ".join(str(b["if"]).split())) for b in DECISIONS[stage["id"]]["next"]
            ]
    # Only lines were added: the original is a subsequence of the merged text.
    merged_lines = iter(merged_text.splitlines())
    assert all(line in merged_lines for line in seed_text.splitlines())


def test_merge_refuses_a_branch_pathway_yaml_does_not_have():
    module = _merge_module()
    draft = DRAFT.read_text(encoding="utf-8").replace("to: clinical-judgement-mbb", "to: nowhere-stage", 1)
    with pytest.raises(module.MergeError, match="no branch to 'nowhere-stage'"):
        module.merge(SEED.read_text(encoding="utf-8"), draft)
