"""Messages that lead to the fix: valid suggestions, root cause first, short echoes, visible control characters."""

from __future__ import annotations

import datetime as _dt

import pytest

from generator.core import reporters
from generator.core.echo import echo
from generator.core.hygiene import printable
from generator.core.model import Location, Problem, Severity
from generator.core.pipeline import check_text
from generator.core.suggest import closest, id_hint, is_valid_id, slugify

TODAY = _dt.date(2026, 11, 2)


def pathway(start: str, stages: str) -> str:
    return f'id: p\ntitle: P\nversion: "1"\nstatus: draft\nstart: {start}\nstages:\n{stages}'


def problems(text: str):
    return check_text(text, "f", today=TODAY).problems


# -- suggestions ----------------------------------------------------------------------------------

D_DIMER = pathway(
    "a",
    "  - id: a\n    title: A\n    kind: investigation\n    next:\n      - to: d-dimer\n"
    "  - id: D-dimer Test\n    title: D\n    kind: outcome\n",
)


def test_an_invalid_stage_id_is_suggested_in_its_valid_form() -> None:
    (unknown,) = [p for p in problems(D_DIMER) if p.rule == "unknown-stage"]
    assert "did you mean 'd-dimer-test'?" in unknown.message
    assert "did you mean 'D-dimer Test'" not in unknown.message


def test_the_root_cause_comes_first() -> None:
    rules = [p.rule for p in problems(D_DIMER)]
    assert rules[0] == "bad-slug", rules
    assert rules.index("unknown-stage") < rules.index("unreachable")


@pytest.mark.parametrize("start", ["assess", "assessment"])
def test_a_cyrillic_look_alike_never_suggests_itself(start: str) -> None:
    cyrillic = "\u0430ssess"  # the first letter is CYRILLIC SMALL LETTER A
    out = problems(pathway(start, f"  - id: {cyrillic}\n    title: A\n    kind: outcome\n"))
    bad = next(p for p in out if p.rule == "bad-slug")
    assert "U+0430" in bad.message and "did you mean 'assess'?" in bad.message
    unknown = next(p for p in out if p.rule == "unknown-stage")
    assert f"did you mean '{cyrillic}'" not in unknown.message
    assert "'assess'" in unknown.message
    assert out[0].rule == "bad-slug"


def test_a_look_alike_reference_gets_the_latin_id_and_is_told_why() -> None:
    out = problems(pathway("\u0430ssess", "  - id: assess\n    title: A\n    kind: outcome\n"))
    (p,) = [p for p in out if p.rule == "unknown-stage"]
    assert "did you mean 'assess'?" in p.message and "CYRILLIC SMALL LETTER A" in p.message


@pytest.mark.parametrize(
    "written, expected",
    [("D-dimer Test", "d-dimer-test"), ("Café Visit", "cafe-visit"), ("\u0430ssess", "assess"), ("nul", "nul-stage"), ("!!!", "")],
)
def test_slugify_gives_a_valid_id(written: str, expected: str) -> None:
    assert slugify(written) == expected
    assert expected == "" or is_valid_id(expected)


def test_id_hint_suggests_only_valid_ids() -> None:
    hint = id_hint("six-week", ["Six Week Review", "start"])
    assert "'six-week-review'" in hint.text and hint.follows
    assert id_hint("sart", ["start"]).text == "; did you mean 'start'?"
    assert not id_hint("sart", ["start"]).follows


def test_markup_uses_the_same_suggestions_as_the_checks() -> None:
    # One algorithm: the renderer's hint for [[Six_Week_Review]] matches the checker's.
    assert closest("Six_Week_Review", ["six-week-review", "other"]) == "six-week-review"
    from generator.render import markup

    assert not hasattr(markup, "_suggest")


# -- long values ----------------------------------------------------------------------------------


def test_a_huge_format_value_is_echoed_short() -> None:
    (p,) = [p for p in problems("format: " + "9" * 100_000 + "\n") if p.rule == "bad-format"]
    assert len(p.message) < 200 and "100,000 characters" in p.message


def test_echo_keeps_short_values_and_cuts_long_ones() -> None:
    assert echo("short") == "short"
    assert echo("a\nb") == "a b"
    cut = echo("x" * 500)
    assert len(cut) < 100 and cut.endswith("(500 characters)")


def test_every_printed_message_is_bounded() -> None:
    long_id = "a" * 150_000
    text = pathway(long_id, f"  - id: {long_id}\n    title: A\n    kind: assessment\n")
    out = reporters.format_text(problems(text))
    assert out and max(len(line) for line in out.splitlines()) < 2_200


# -- text hygiene ---------------------------------------------------------------------------------

FORBIDDEN = ["\x00", "\x1b", "\x07", "\x7f", "\x85", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize("ch", FORBIDDEN)
@pytest.mark.parametrize("field", ["title", "summary", "body", "owner"])
def test_a_control_or_bidi_character_in_any_field_is_a_located_error(ch: str, field: str) -> None:
    escaped = f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}"
    where = "governance:\n  owner" if field == "owner" else "summary" if field == "summary" else field
    if field in ("title",):
        text = pathway("a", "  - id: a\n    title: A\n    kind: outcome\n").replace("title: P", f'title: "P{escaped}"')
    elif field == "owner":
        text = pathway("a", "  - id: a\n    title: A\n    kind: outcome\n") + f'governance:\n  owner: "x{escaped}"\n'
    else:
        text = pathway("a", f'  - id: a\n    title: A\n    kind: outcome\n    {where}: "x{escaped}"\n')
    out = [p for p in problems(text) if p.rule == "control-character"]
    assert len(out) == 1, problems(text)
    assert f"U+{ord(ch):04X}" in out[0].message and out[0].location.line > 1


def test_a_literal_bidi_override_is_pointed_at_exactly() -> None:
    text = pathway("a", "  - id: a\n    title: ab\u202ecd\n    kind: outcome\n")
    (p,) = [p for p in problems(text) if p.rule == "control-character"]
    assert (p.location.line, p.location.col) == (8, 14)
    assert "RIGHT-TO-LEFT OVERRIDE" in p.message


def test_line_breaks_and_tabs_are_text_in_texts_but_errors_in_ids_and_choices() -> None:
    ok = pathway("a", '  - id: a\n    title: A\n    kind: outcome\n    body: "one\\n\\ttwo"\n')
    assert [p.rule for p in problems(ok)] == []
    bad = pathway("a", '  - id: a\n    title: A\n    kind: "outcome\\n::error::x"\n')
    assert "control-character" in [p.rule for p in problems(bad)]
    ref = pathway("a", '  - id: a\n    title: A\n    kind: outcome\n    alongside: ["a\\tb"]\n')
    assert "control-character" in [p.rule for p in problems(ref)]
    key = pathway("a", '  - id: a\n    title: A\n    kind: outcome\n    facts:\n      "Dose\\x1b": 5\n')
    assert "control-character" in [p.rule for p in problems(key)]


def test_a_kind_cannot_forge_a_workflow_command_or_a_terminal_escape() -> None:
    kind = "x\\n::error file=evil.yaml,line=1::forged\\n::add-mask::secret\\r\\e[31mred"
    text = pathway("a", f'  - id: a\n    title: A\n    kind: "{kind}"\n')
    found = problems(text)
    for out in (reporters.format_text(found), reporters.format_github(found), reporters.format_text(found, colour=True)):
        lines = out.splitlines()
        assert len(lines) == len(found)  # one line per problem: no line was injected
        assert not any(line.startswith("::add-mask::") or line.startswith("::error file=evil") for line in lines)
        assert "\r" not in out and "\x1b[31mred" not in out
    assert "::error file=evil.yaml" in reporters.format_text(found)  # shown, not dropped


def test_printable_escapes_controls_and_keeps_letters() -> None:
    assert printable("caf\u00e9 \u0430 ok") == "caf\u00e9 \u0430 ok"
    assert printable("a\nb\tc\x00\x1b\u202e") == "a\\nb\\tc\\x00\\x1b\\u202e"


def test_file_names_are_escaped_too() -> None:
    p = Problem(Severity.ERROR, "yaml-syntax", "m", Location("evil\n::add-mask::y.yaml", 1, 1))
    assert "\n" not in reporters.format_text([p]).rstrip("\n")
    assert "\n" not in reporters.format_github([p]).rstrip("\n")
