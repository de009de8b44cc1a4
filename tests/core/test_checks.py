"""One bad file per rule in tests/fixtures/bad/: each declares, in its first
lines, exactly the problems it must produce (``# expect: SEVERITY LINE:COL RULE``).
The test asserts that set exactly, so a new spurious problem fails it too."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.core import checks
from generator.core.model import Severity
from generator.core.pipeline import check_file, check_text
from generator.core.rules import RULES

BAD = Path(__file__).parents[1] / "fixtures" / "bad"
VALID = Path(__file__).parents[1] / "fixtures" / "core" / "valid.yaml"
TODAY = dt.date(2026, 11, 2)  # fixed: review/expiry rules depend on it

EXPECT_RE = re.compile(rb"^# expect: (error|warning) (\d+):(\d+) ([a-z-]+)$")


def expectations(path: Path) -> set[tuple[str, int, int, str]]:
    out = set()
    for line in path.read_bytes().splitlines():
        m = EXPECT_RE.match(line)
        if not m:
            break
        out.add((m[1].decode(), int(m[2]), int(m[3]), m[4].decode()))
    assert out, f"{path.name} declares no '# expect:' line"
    return out


BAD_FILES = sorted(BAD.glob("*.yaml"))


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_file_reports_exactly_the_expected_problems(path: Path) -> None:
    result = check_file(path, today=TODAY)
    got = {(p.severity.value, p.location.line, p.location.col, p.rule) for p in result.problems}
    assert got == expectations(path)
    assert all(p.location.file == str(path) for p in result.problems)


def test_every_rule_that_can_be_triggered_by_a_file_has_a_bad_fixture() -> None:
    scenario_files = sorted((BAD / "scenarios").glob("*.yaml"))  # tests/core/test_decisions.py runs them
    covered = {rule for p in [*BAD_FILES, *scenario_files] for (_, _, _, rule) in expectations(p)}
    untestable_by_small_file = {"limit-exceeded", "duplicate-pathway"}  # test_loader.py, tests/core/test_library.py
    assert set(RULES) - untestable_by_small_file <= covered


def test_registered_checks_have_documented_rule_ids() -> None:
    for rule, _fn in checks.CHECKS:
        assert rule in RULES


def test_valid_file_has_no_problems() -> None:
    result = check_file(VALID, today=TODAY)
    assert result.problems == ()
    assert not result.has_errors(strict=True)


def test_expired_is_an_error_only_for_build() -> None:
    path = BAD / "expired.yaml"
    plain = check_file(path, today=TODAY)
    build = check_file(path, today=TODAY, for_build=True)
    assert [p.severity for p in plain.problems] == [Severity.WARNING]
    assert [p.severity for p in build.problems] == [Severity.ERROR]
    assert not plain.has_errors() and plain.has_errors(strict=True)
    assert build.has_errors()


def test_expired_uses_source_date_epoch_by_default(monkeypatch) -> None:
    path = BAD / "expired.yaml"  # expires 2020-01-01
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2019, 6, 1, tzinfo=dt.timezone.utc).timestamp())))
    assert check_file(path).problems == ()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc).timestamp())))
    assert [p.rule for p in check_file(path).problems] == ["expired"]


def test_message_format_matches_the_documented_example() -> None:
    path = BAD / "unknown-stage.yaml"
    first = check_file(path, today=TODAY).problems[0]
    assert f"{first.location}: {first.severity.value}: {first.message} [{first.rule}]" == (
        f"{path}:13:13: error: next → 'six-week-reveiw' names no stage; "
        "did you mean 'six-week-review'? [unknown-stage]"
    )


@pytest.mark.parametrize(
    "fragment, suggestion",
    [
        ("kind: procedur", "did you mean 'procedure'?"),
        ("kind: Outcome", "did you mean 'outcome'?"),
        ("kind: referal", "did you mean 'referral'?"),
        ("kind: investigations", "did you mean 'investigation'?"),
        ("summry: x", "did you mean 'summary'?"),
        ("Title: x", "did you mean 'title'?"),
        ("alongisde: []", "did you mean 'alongside'?"),
        ("refrences: []", "did you mean 'references'?"),
    ],
)
def test_common_misspellings_get_a_suggestion(fragment: str, suggestion: str) -> None:
    text = f"id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: a\nstages:\n  - id: a\n    title: A\n    {fragment}\n"
    if not fragment.startswith("kind"):
        text += "    kind: outcome\n"
    messages = [p.message for p in check_text(text, "f.yaml", today=TODAY).errors]
    assert any(suggestion in m for m in messages), messages


def test_misspelt_stage_id_with_underscores_and_case_is_suggested() -> None:
    text = (
        "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: Six_Week_Review\nstages:\n"
        "  - id: six-week-review\n    title: A\n    kind: outcome\n"
    )
    (p,) = check_text(text, "f.yaml", today=TODAY).problems
    assert p.rule == "unknown-stage" and "did you mean 'six-week-review'?" in p.message


def test_dead_end_exempts_stages_running_alongside() -> None:
    text = (
        "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: a\nstages:\n"
        "  - id: a\n    title: A\n    kind: assessment\n    alongside: [physio]\n    next: [{to: z}]\n"
        "  - id: physio\n    title: Physio\n    kind: therapy\n"
        "  - id: z\n    title: Z\n    kind: outcome\n"
    )
    assert check_text(text, "f.yaml", today=TODAY).problems == ()


def test_loop_with_an_exit_is_not_reported() -> None:
    text = (
        "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: a\nstages:\n"
        "  - id: a\n    title: A\n    kind: decision\n    next: [{to: b, when: again}, {to: z, when: done}]\n"
        "  - id: b\n    title: B\n    kind: therapy\n    next: [{to: a}]\n"
        "  - id: z\n    title: Z\n    kind: outcome\n"
    )
    assert check_text(text, "f.yaml", today=TODAY).problems == ()


def test_links_in_folded_and_quoted_text_are_located() -> None:
    text = (
        "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: a\n"
        'summary: "See [[a]] and [[gone]]"\n'
        "stages:\n"
        "  - id: a\n    title: A\n    kind: outcome\n"
        "    body: >\n      folded text that\n      goes on [[a|here]] and\n      [[missing]] there\n"
    )
    probs = check_text(text, "f.yaml", today=TODAY).problems
    assert [(p.rule, p.location.line, p.location.col) for p in probs] == [
        ("unknown-link", 6, 25),
        ("unknown-link", 14, 7),
    ]


def test_problems_are_sorted_by_position() -> None:
    result = check_file(BAD / "unknown-reference.yaml", today=TODAY)
    locs = [p.location for p in result.problems]
    assert locs == sorted(locs) and len(locs) == 2


def test_all_problems_reported_at_once() -> None:
    text = (
        "id: P Q\ntitle: P\nversion: '1'\nstatus: actve\nstart: a\nstages:\n"
        "  - id: a\n    title: A\n    kind: decison\n    next: [{to: bb}]\n"
        "  - title: no id\n    kind: outcome\n"
        "  - id: c\n    title: C\n    kind: outcome\n    colour: red\n"
    )
    rules = [p.rule for p in check_text(text, "f.yaml", today=TODAY).problems]
    for rule in ("bad-slug", "unknown-status", "unknown-kind", "unknown-stage", "missing-field", "unknown-key"):
        assert rule in rules, rules


def test_one_misspelt_next_gives_one_unreachable_warning_not_a_cascade() -> None:
    # a → b → c → d, but a's 'next' is misspelt: only 'b' (where the cut-off part
    # begins) gets a warning, and it names the stages behind it.
    text = """\
id: p
title: P
version: "1"
status: draft
start: a
stages:
  - id: a
    title: A
    kind: assessment
    next: [{to: bb}]
  - id: b
    title: B
    kind: assessment
    next: [{to: c}]
  - id: c
    title: C
    kind: assessment
    next: [{to: d}, {to: b}]
  - id: d
    title: D
    kind: outcome
"""
    result = check_text(text, "p.yaml", today=TODAY)
    unreachable = [p for p in result.problems if p.rule == "unreachable"]
    assert [(p.location.line, p.location.col) for p in unreachable] == [(11, 5)]
    assert "2 more stages can only be reached through it ('c', 'd')" in unreachable[0].message
    assert [p.rule for p in result.errors] == ["unknown-stage"]
