"""Patient scenarios in a library: a route may end in another pathway (generator/core/scenarios.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.core.library import check_library
from generator.core.scenarios import load_scenarios, run

from libfixture import LIB, computable_copy

TODAY = dt.date(2026, 12, 2)


def scenarios(text: str, pathway):
    sf, problems = load_scenarios("format: 1\npathway: injections\nscenarios:\n" + text, "inj.scenarios.yaml", pathway)
    return sf, problems


@pytest.fixture(scope="module")
def injections():
    return check_library(LIB, for_build=True, today=TODAY).by_id["injections"]


def test_a_narrative_route_ends_in_another_pathway(injections) -> None:
    sf, problems = scenarios("""  - id: to-surgery
    choose: {review: surgery:consult}
    expect:
      reaches: surgery:consult
      route: [assess, inject, review, surgery:consult]
  - id: relief
    choose: {review: relief}
    expect: {reaches: relief}
""", injections)
    assert problems == [] and sf is not None
    outcomes = [run(injections, sc) for sc in sf.scenarios]
    assert [o.problem for o in outcomes] == [None, None]
    assert outcomes[0].walk.route == ("assess", "inject", "review", "surgery:consult")
    assert outcomes[0].walk.ended == "surgery:consult"


def test_a_computable_route_into_another_pathway_and_a_wrong_expectation(tmp_path: Path) -> None:
    lib = check_library(computable_copy(tmp_path), for_build=True, today=TODAY)
    p = lib.by_id["injections"]
    sf, problems = scenarios("""  - id: little-relief
    inputs: {relief: 10 %}
    expect: {reaches: surgery:consult}
  - id: wrongly-expected
    inputs: {relief: 80 %}
    expect: {reaches: surgery:consult}
""", p)
    assert problems == [] and sf is not None
    good, bad = (run(p, sc) for sc in sf.scenarios)
    assert good.problem is None and good.walk.ended == "surgery:consult"
    assert bad.problem is not None
    assert "ends at 'relief', expected 'surgery:consult'" in bad.problem.message


def test_only_a_stage_a_branch_leads_into_may_be_named(injections) -> None:
    sf, problems = scenarios("""  - id: nowhere
    choose: {review: surgery:decide}
    expect: {reaches: surgery:decide}
""", injections)
    # surgery:decide is a stage of the library, but no branch of this pathway leads there.
    assert [p.rule for p in problems] == ["bad-scenario", "bad-scenario"]
    assert all("'surgery:decide' names no stage of the pathway" in p.message for p in problems)
