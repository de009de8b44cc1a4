"""Computable decisions: the condition language, the proofs (checked against brute force), scenarios."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.core.decisions import prove
from generator.core.expressions import ExpressionError, evaluate, parse_condition, parse_value
from generator.core.model import Input, Location
from generator.core.pipeline import check_file, check_text
from generator.core.scenarios import load_scenarios, run, walk

HERE = Path(__file__).parents[1] / "fixtures"
PATHWAY = HERE / "decisions" / "pathway.yaml"
SCENARIOS = HERE / "decisions" / "pathway.scenarios.yaml"
BAD_SCENARIOS = sorted((HERE / "bad" / "scenarios").glob("*.yaml"))
EXPECT_RE = re.compile(r"^# expect: (error|warning) (\d+):(\d+) ([a-z-]+)$")


def _at(pos: int) -> Location:
    return Location("f", 1, 1 + pos)


def _pathway():
    result = check_file(PATHWAY)
    assert result.problems == ()
    return result.pathway


def test_the_fixture_pathway_proves_clean_and_its_scenarios_pass() -> None:
    p = _pathway()
    sf, problems = load_scenarios(SCENARIOS.read_text(encoding="utf-8"), str(SCENARIOS), p)
    assert problems == [] and sf is not None and len(sf.scenarios) == 3
    assert [run(p, s).problem for s in sf.scenarios] == [None, None, None]
    repeat = next(s for s in sf.scenarios if s.id == "repeat-rfa")
    assert walk(p, repeat).route == ("assess", "imaging", "mbb", "rfa", "rfa-review", "rfa", "rfa-review", "discharge")


@pytest.mark.parametrize("path", BAD_SCENARIOS, ids=[p.stem for p in BAD_SCENARIOS])
def test_bad_scenario_file_reports_exactly_the_expected_problems(path: Path) -> None:
    p = _pathway()
    text = path.read_text(encoding="utf-8")
    expected = set()
    for line in text.splitlines():
        m = EXPECT_RE.match(line)
        if not m:
            break
        expected.add((m[1], int(m[2]), int(m[3]), m[4]))
    sf, problems = load_scenarios(text, str(path), p)
    if not problems:
        assert sf is not None
        problems = [o.problem for o in (run(p, s) for s in sf.scenarios) if o.problem]
    got = {(q.severity.value, q.location.line, q.location.col, q.rule) for q in problems}
    assert got == expected and expected


@pytest.mark.parametrize("text, col, words", [
    ("x = 3", 3, "write '=='"),
    ("x >= 50 % and", 14, "ends too early"),
    ("a and otherwise", 7, "whole condition"),
    ("x > 1 < 2", 7, "cannot follow"),
    ("x & y", 3, "'and' or 'or'"),
    ("50 < x > 3", 8, "a range goes one way"),
    ("AND", 1, "lower case"),
])
def test_syntax_errors_point_at_the_column_inside_the_expression(text: str, col: int, words: str) -> None:
    with pytest.raises(ExpressionError) as err:
        parse_condition(text, _at)
    assert err.value.loc.col == col
    assert words in err.value.message


def test_columns_inside_a_quoted_and_a_plain_value_in_the_file() -> None:
    src = PATHWAY.read_text(encoding="utf-8")
    plain = src.replace("if: mbb_relief == 0 %", "if: mbb_relief == 0 % or mbb_relif > 3 %")
    quoted = src.replace("if: mbb_relief == 0 %", 'if: "mbb_relief == 0 % or mbb_relif > 3 %"')
    line = src.splitlines().index("        if: mbb_relief == 0 %") + 1
    for text, col in ((plain, 34), (quoted, 35)):  # the value starts at column 13
        [problem] = [q for q in check_text(text, "p.yaml").problems if q.rule == "unknown-input"]
        assert (problem.location.line, problem.location.col) == (line, col)
        assert "did you mean 'mbb_relief'?" in problem.message


def test_values_with_units_and_durations() -> None:
    assert parse_value("30 %", _at).number == 30
    months = Input("t", "T", "duration")
    rel = Input("r", "R", "number", unit="%")
    cond = parse_condition("t >= 3 months and r between 10 % and 20 %", _at)
    assert evaluate(cond, {"t": Fraction(90), "r": Fraction(10)}, {"t": months, "r": rel})
    assert not evaluate(cond, {"t": Fraction(89), "r": Fraction(10)}, {"t": months, "r": rel})


# -- the proof agrees with brute force ----------------------------------------------------------

_INPUTS = {
    "n": Input("n", "N", "integer", range=(Fraction(0), Fraction(6))),
    "b": Input("b", "B", "boolean"),
    "c": Input("c", "C", "choice", choices=("x", "y", "z")),
}
_DOMAIN = {"n": [Fraction(i) for i in range(7)], "b": [True, False], "c": ["x", "y", "z"]}


@st.composite
def _conditions(draw, depth: int = 0) -> str:
    atom = st.one_of(
        st.builds(lambda op, k: f"n {op} {k}", st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.integers(-1, 7)),
        st.builds(lambda a, b: f"{min(a, b)} <= n < {max(a, b)}", st.integers(0, 6), st.integers(0, 6)),
        st.sampled_from(["b", "not b", "b == false"]),
        st.builds(lambda vs, neg: f"c {'not in' if neg else 'in'} [{', '.join(vs)}]",
                  st.lists(st.sampled_from("xyz"), min_size=1, max_size=3), st.booleans()),
        st.builds(lambda v: f"c == {v}", st.sampled_from("xyz")),
    )
    if depth >= 2 or draw(st.booleans()):
        return draw(atom)
    op = draw(st.sampled_from(["and", "or"]))
    a, b = draw(_conditions(depth + 1)), draw(_conditions(depth + 1))
    return f"({a}) {op} ({b})" if draw(st.booleans()) else f"not ({a} {op} {b})"


@settings(max_examples=150, deadline=None)
@given(st.lists(_conditions(), min_size=1, max_size=4), st.booleans(), st.booleans())
def test_proof_agrees_with_brute_force(texts: list[str], first_match: bool, with_otherwise: bool) -> None:
    conds = [parse_condition(t, _at) for t in texts]
    if with_otherwise:
        conds.append(parse_condition("otherwise", _at))
    proof = prove(conds, _INPUTS, first_match, budget=10**7)
    names = list(_DOMAIN)
    overlaps: set[tuple[int, int]] = set()
    gap = False
    taken: set[int] = set()
    for combo in itertools.product(*(_DOMAIN[n] for n in names)):
        values = dict(zip(names, combo))
        holds = [i for i, c in enumerate(conds) if evaluate(c, values, _INPUTS)]
        plain = [i for i in holds if not (with_otherwise and i == len(conds) - 1)]
        if first_match:
            if holds:
                taken.add(holds[0])
            else:
                gap = True
        else:
            overlaps |= set(itertools.combinations(plain, 2))
            taken |= set(plain) if plain else ({len(conds) - 1} if with_otherwise else set())
            gap |= not holds
    assert proof.reachable == taken
    assert (proof.gap is not None) == gap
    if not first_match:
        assert set(proof.overlaps) == overlaps
    # Every witness is a real patient: completing it with any values keeps the claim true.
    for (a, b), w in proof.overlaps.items():
        values = {n: _DOMAIN[n][0] for n in names} | {n: cell.value for n, cell in w.cells}
        assert evaluate(conds[a], values, _INPUTS) and evaluate(conds[b], values, _INPUTS)
    if proof.gap is not None:
        values = {n: _DOMAIN[n][-1] for n in names} | {n: cell.value for n, cell in proof.gap.cells}
        assert not any(evaluate(c, values, _INPUTS) for c in conds)


def test_a_hostile_decision_stops_at_the_work_limit_with_a_located_message() -> None:
    inputs = "".join(f"  - id: x{i}\n    label: X{i}\n    type: integer\n" for i in range(14))
    cond = " or ".join(f"(x{i} > {i} and x{(i + 1) % 14} < {i + 3})" for i in range(14))
    text = (f"id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: d\ninputs:\n{inputs}stages:\n"
            f"  - id: d\n    title: D\n    kind: decision\n    next:\n"
            f"      - to: a\n        when: A\n        if: {cond}\n"
            f"      - to: a\n        when: B\n        if: x0 > 100\n"
            "  - id: a\n    title: A\n    kind: outcome\n")
    problems = [q for q in check_text(text, "p.yaml").problems if q.rule == "limit-exceeded"]
    assert [(q.location.line, q.location.col) for q in problems] == [(50, 5)]
    assert "split it into smaller decisions" in problems[0].message


# -- the command ----------------------------------------------------------------------------------


def test_pathway_test_passes_quietly_and_fails_with_located_messages(tmp_path, capsys) -> None:
    assert main(["test", str(PATHWAY)]) == 0
    assert capsys.readouterr().out == ""
    broken = tmp_path / "pathway.yaml"
    broken.write_text(PATHWAY.read_text(encoding="utf-8").replace("mbb_relief >= 50 %", "mbb_relief >= 20 %"),
                      encoding="utf-8")
    (tmp_path / "pathway.scenarios.yaml").write_text(SCENARIOS.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["test", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'pathway.scenarios.yaml'}:10:5: error: scenario 'partial-mbb-relief'" in out
    assert "ends at 'rfa-review'" not in out  # it stops there for want of an input: said so instead
    assert "needs 'rfa_response'" in out and "1 of 3 scenarios failed" in out
    # The PR workflow's form: one annotation on the scenario's line.
    assert main(["test", str(broken), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"::error file={tmp_path / 'pathway.scenarios.yaml'},line=10,col=5,title=scenario-failed::")
    assert lines[1:] == ["1 of 3 scenarios failed"]


def test_pathway_test_usage_errors(tmp_path, capsys) -> None:
    lone = tmp_path / "p.yaml"
    lone.write_text(PATHWAY.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["test", str(lone)]) == 2
    assert "no such scenario file" in capsys.readouterr().err
    assert main(["test", str(PATHWAY), "--scenarios", str(BAD_SCENARIOS[0])]) == 2
    assert "bad-scenario" in capsys.readouterr().out


def test_diff_lists_the_patients_a_threshold_change_reroutes(tmp_path, capsys) -> None:
    for name, threshold in (("old", "50"), ("new", "25")):
        (tmp_path / f"{name}.yaml").write_text(
            PATHWAY.read_text(encoding="utf-8").replace("mbb_relief >= 50 %", f"mbb_relief >= {threshold} %"),
            encoding="utf-8")
        scen = SCENARIOS.read_text(encoding="utf-8").replace("      mbb_relief: 30 %",
                                                              "      mbb_relief: 30 %\n      rfa_response: lasting-relief\n"
                                                              "      time_since_rfa: 1 month")
        (tmp_path / f"{name}.scenarios.yaml").write_text(scen, encoding="utf-8")
    assert main(["diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"), "--no-diagram"]) == 0
    out = capsys.readouterr().out
    first = out.index("### Patients this change re-routes (1)")
    assert first < out.index("### Changes to patient care")
    assert ("Patient 'Partial relief after the medial branch block' now goes to Discharge (discharge) instead of "
            "Clinical judgement (judgement)") in out
    assert "**Substantive change" in out


@pytest.mark.parametrize("condition, rule, col, words", [
    ("mbb_relief between 10 % and 5 %", "type-mismatch", 13, "holds no value"),
    ("mbb_relief == 0.5", "unit-mismatch", 27, "write it in '%'"),
    ("mbb_relief == 120 %", "type-mismatch", 27, "outside the range"),
    ("mbb_relief", "type-mismatch", 13, "not true or false"),
    ("mbb_relief in [a, b]", "type-mismatch", 13, "picks among choices"),
    ("rfa_response < too-early", "type-mismatch", 13, "needs a number"),
    ("rfa_response == too_early", "type-mismatch", 29, "did you mean 'too-early'?"),
    ("other_cause == 1", "type-mismatch", 28, "cannot be compared with the number 1"),
    ("time_since_rfa < 3", "unit-mismatch", 30, "unit of time"),
])
def test_type_and_unit_problems_are_located_in_the_condition(condition: str, rule: str, col: int, words: str) -> None:
    src = PATHWAY.read_text(encoding="utf-8")
    line = src.splitlines().index("        if: mbb_relief == 0 %") + 1
    text = src.replace("if: mbb_relief == 0 %", f"if: {condition}")
    found = [q for q in check_text(text, "p.yaml").problems if q.rule == rule]
    assert [(q.location.line, q.location.col) for q in found] == [(line, col)]
    assert words in found[0].message
