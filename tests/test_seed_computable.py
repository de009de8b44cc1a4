"""The seed's computable decisions and its patient scenarios, read through the real engine.

`pathway test` proves each scenario reaches what it says; these tests add what a
reviewer of the seed asks on top: every decision is computable and proven, the
scenarios exercise every branch and every outcome, and wherever the article is
silent the branch hands over to clinical judgement instead of inventing a rule.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from generator.core.decisions import is_computable
from generator.core.pipeline import check_file
from generator.core.scenarios import load_scenarios, run, walk

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "pathway.yaml"
SCENARIOS = REPO / "pathway.scenarios.yaml"

RESULT = check_file(SEED)
PATHWAY = RESULT.pathway
assert PATHWAY is not None
FILE, FILE_PROBLEMS = load_scenarios(SCENARIOS.read_text(encoding="utf-8"), str(SCENARIOS), PATHWAY)
assert FILE is not None, FILE_PROBLEMS
DECISIONS = [s for s in PATHWAY.stages if s.kind == "decision"]


def test_the_seed_and_its_scenarios_check_clean():
    assert [str(p) for p in RESULT.problems] == []
    assert [str(p) for p in FILE_PROBLEMS] == []
    assert PATHWAY.computable  # `computable: all`: a free-text decision would be an error


def test_every_decision_is_computable():
    assert DECISIONS
    assert [s.id for s in DECISIONS if not is_computable(s)] == []


def test_no_input_has_a_unit_or_range_the_article_does_not_give():
    # The article's figures ("typically 50–80 %") are typical responses, not thresholds to decide on.
    assert [i.id for i in PATHWAY.inputs if i.unit or i.range] == []


def test_every_source_silent_branch_ends_at_a_clinical_judgement_outcome():
    silent = [(s, t) for s in DECISIONS for t in s.next if t.condition is not None and t.condition.text.strip() == "otherwise"]
    assert silent, "the seed has source-silent branches (partial MBB relief, partial RFA relief)"
    for stage, branch in silent:
        target = PATHWAY.stage_by_id[branch.to]
        assert target.kind == "outcome", stage.id
        assert "clinical judgement" in " ".join((target.body or "").split()).casefold(), stage.id
        assert "source does not cover" in (branch.when or ""), stage.id


@pytest.mark.parametrize("scenario", FILE.scenarios, ids=lambda s: s.id)
def test_scenario_passes(scenario):
    outcome = run(PATHWAY, scenario)
    assert outcome.problem is None, str(outcome.problem)


def test_scenarios_take_every_branch_and_reach_every_outcome():
    taken: set[tuple[str, str]] = set()
    reached: set[str] = set()
    kinds = {s.id: s.kind for s in PATHWAY.stages}
    for scenario in FILE.scenarios:
        route = walk(PATHWAY, scenario).route
        taken |= {(a, b) for a, b in itertools.pairwise(route) if kinds[a] == "decision"}
        reached.add(route[-1])
    branches = {(s.id, t.to) for s in DECISIONS for t in s.next}
    outcomes = {s.id for s in PATHWAY.stages if s.kind == "outcome"}
    assert branches - taken == set(), "branches no scenario takes"
    assert outcomes - reached == set(), "outcomes no scenario reaches"
