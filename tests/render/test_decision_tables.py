"""Decision tables and the data dictionary, as the site and the PDF both show them (generator.render.presentation)."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.core.model import Pathway
from generator.core.pipeline import check_file, check_text
from generator.render import presentation as pres

REPO = Path(__file__).resolve().parents[2]
DECISIONS = REPO / "tests" / "fixtures" / "decisions" / "pathway.yaml"


def _load(path: Path) -> Pathway:
    result = check_file(path)
    assert result.pathway is not None
    return result.pathway


def _doc(inputs: list[dict], branches: list[dict], order: str | None = None) -> Pathway:
    """A three-stage pathway whose decision 'd' has ``branches`` over ``inputs``."""
    decision: dict = {"id": "d", "title": "Decide", "kind": "decision", "next": branches}
    if order:
        decision["order"] = order
    doc = {"id": "t", "title": "T", "version": "1", "status": "draft", "start": "d", "inputs": inputs,
           "stages": [decision, {"id": "x", "title": "Stage X", "kind": "outcome"},
                      {"id": "y", "title": "Stage Y", "kind": "outcome"}]}
    result = check_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    assert result.pathway is not None, [p.message for p in result.problems]
    assert not [p for p in result.problems if p.severity == "error"], [p.message for p in result.problems]
    return result.pathway


def test_the_seed_mbb_response_has_one_row_per_branch_and_otherwise_last() -> None:
    p = _load(REPO / "pathway.yaml")
    stage = p.stage_by_id["mbb-response"]
    table = pres.decision_table(p, stage)
    assert table is not None
    assert table.table_id == "decision-table-mbb-response"
    assert table.order == "exclusive" and "exactly one applies" in table.order_note
    assert [c.input_id for c in table.columns] == ["mbb_response"]
    assert table.columns[0].label == p.input_by_id["mbb_response"].label
    assert [r.target_id for r in table.rows] == [t.to for t in stage.next]
    assert [r.target_label for r in table.rows] == [p.stage_by_id[t.to].title for t in stage.next]
    assert [r.when for r in table.rows] == [t.when for t in stage.next]
    assert [r.cells for r in table.rows] == [("significant-relief",), ("no-relief",), None]
    last = table.rows[-1]
    assert last.otherwise and last.condition.startswith("otherwise")
    assert [r.number for r in table.rows] == [1, 2, 3]


def test_every_seed_decision_with_conditions_has_a_table_and_others_none() -> None:
    p = _load(REPO / "pathway.yaml")
    for s in p.stages:
        has_if = any(t.condition is not None for t in s.next)
        assert (pres.decision_table(p, s) is not None) == has_if, s.id


def test_first_match_table_states_its_order_and_keeps_an_or_across_inputs_whole() -> None:
    p = _load(DECISIONS)
    table = pres.decision_table(p, p.stage_by_id["rfa-review"])
    assert table is not None
    assert table.order == "first-match" and "first row that applies" in table.order_note
    assert [c.input_id for c in table.columns] == ["rfa_response", "time_since_rfa"]
    first, second, third, last = table.rows
    # 'rfa_response == too-early or time_since_rfa < 2 weeks' names two inputs: one cell cannot hold it.
    assert first.cells is None
    assert first.condition == "Response to RFA: too-early or Time since the RFA: < 2 weeks"
    assert second.cells == ("pain-returned", pres.ANY)
    assert third.cells == ("lasting-relief", pres.ANY)
    assert last.otherwise and last.condition == "otherwise: when no row above applies"
    assert [r.target_id for r in table.rows] == ["judgement", "rfa", "discharge", "judgement"]


def test_numbers_carry_their_unit() -> None:
    p = _load(DECISIONS)
    table = pres.decision_table(p, p.stage_by_id["mbb"])
    assert table is not None
    assert [r.cells for r in table.rows] == [("≥ 50 %",), ("= 0 %",), None]
    assert table.columns[0].unit == "%"


def test_cells_for_every_kind_of_test() -> None:
    inputs = [
        {"id": "flag", "label": "Flag", "type": "boolean"},
        {"id": "pct", "label": "Percent", "type": "number", "unit": "%", "range": [0, 100]},
        {"id": "resp", "label": "Response", "type": "choice", "choices": ["a", "b", "c"]},
        {"id": "wait", "label": "Wait", "type": "duration", "range": ["0 days", "2 years"]},
    ]
    p = _doc(inputs, [
        {"to": "x", "when": "One", "if": "flag and 50 % <= pct < 80 % and resp in [a, b] and wait >= 6 months"},
        {"to": "y", "when": "Two", "if": "not flag and resp not in [a, b] and pct between 10 % and 20 %"},
        {"to": "y", "when": "Three", "if": "flag == false and resp != c"},
        {"to": "x", "when": "Else", "if": "otherwise"},
    ], order="first-match")
    table = pres.decision_table(p, p.stage_by_id["d"])
    assert table is not None
    assert [c.input_id for c in table.columns] == ["flag", "pct", "resp", "wait"]
    one, two, three, other = table.rows
    assert one.cells == ("yes", "≥ 50 % and < 80 %", "a or b", "≥ 6 months")
    assert two.cells == ("no", "≥ 10 % and ≤ 20 %", "none of a and b", pres.ANY)
    assert three.cells == ("no", pres.ANY, "not c", pres.ANY)
    assert other.cells is None and other.when == "Else" and other.target_label == "Stage X"


def test_an_or_within_one_input_stays_in_its_cell() -> None:
    inputs = [{"id": "pct", "label": "Percent", "type": "number", "unit": "%", "range": [0, 100]},
              {"id": "flag", "label": "Flag", "type": "boolean"}]
    p = _doc(inputs, [{"to": "x", "when": "Edge", "if": "(pct < 10 % or pct > 90 %) and flag"},
                      {"to": "y", "when": "Else", "if": "otherwise"}])
    table = pres.decision_table(p, p.stage_by_id["d"])
    assert table is not None
    assert table.rows[0].cells == ("< 10 % or > 90 %", "yes")


def test_data_dictionary_lists_every_input_with_the_decisions_using_it() -> None:
    p = _load(DECISIONS)
    entries = pres.data_dictionary(p)
    assert [e.id for e in entries] == [i.id for i in p.inputs]
    by_id = {e.id: e for e in entries}
    assert by_id["mbb_relief"].allowed == "0 % to 100 %" and by_id["mbb_relief"].unit == "%"
    assert by_id["mbb_relief"].type_label == "Number"
    assert by_id["time_since_rfa"].allowed == "0 days to 5 years"
    assert by_id["other_cause"].allowed == "yes or no"
    assert by_id["rfa_response"].allowed == "one of: lasting-relief, pain-returned, no-relief, too-early"
    assert [ln.stage_id for ln in by_id["rfa_response"].used_by] == ["rfa-review"]
    assert [ln.stage_id for ln in by_id["mbb_relief"].used_by] == ["mbb"]


def test_seed_data_dictionary_has_every_input_used_by_some_decision() -> None:
    p = _load(REPO / "pathway.yaml")
    entries = pres.data_dictionary(p)
    assert {e.id for e in entries} == {i.id for i in p.inputs}
    assert all(e.used_by for e in entries)
    assert all(e.references for e in entries if p.input_by_id[e.id].references)
