"""The YAML reader and loader: text kept as written, locations, refusals, limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.core import limits
from generator.core.model import Location, Pathway
from generator.core.pipeline import check_file, check_text

VALID = Path(__file__).parents[1] / "fixtures" / "core" / "valid.yaml"
TODAY = dt.date(2026, 11, 2)

HEAD = "id: p\ntitle: P\nversion: '1'\nstatus: draft\nstart: a\n"


def one_stage(**fields: str) -> str:
    """A pathway with one outcome stage 'a'; extra stage fields as raw YAML values."""
    lines = [HEAD + "stages:\n  - id: a\n    title: A\n    kind: outcome\n"]
    lines += [f"    {k}: {v}\n" for k, v in fields.items()]
    return "".join(lines)


def rules(text: str | bytes) -> list[str]:
    return [p.rule for p in check_text(text, "f.yaml", today=TODAY).problems]


# -- the model built from a valid file ---------------------------------------------------------


def test_valid_file_builds_the_full_model() -> None:
    p = check_file(VALID, today=TODAY).pathway
    assert isinstance(p, Pathway)
    assert p.id == "facet-joint-pain" and p.version == "1.0.0" and p.status == "active"
    assert p.start == "facet-joint-injection"
    assert [s.id for s in p.stages][:3] == ["facet-joint-injection", "medial-branch-block", "response"]
    mbb = p.stage_by_id["medial-branch-block"]
    assert mbb.kind == "investigation" and mbb.group == "diagnosis"
    assert [(f.label, f.value) for f in mbb.facts] == [("Positive response", "50–80 % pain relief")]
    assert [a.id for a in mbb.alongside] == ["physical-therapy"]
    assert [r.id for r in mbb.references] == ["source-article"]
    assert mbb.body == "A test injection. If it helps, go to [[radiofrequency-ablation]].\n"
    response = p.stage_by_id["response"]
    assert [(t.to, t.when) for t in response.next] == [
        ("radiofrequency-ablation", "Significant temporary relief"),
        ("surgical-review", "No"),
    ]
    g = p.governance
    assert g.approved_on == dt.date(2026, 10, 20) and g.expires == dt.date(2028, 5, 1)
    assert g.approved_by == ("Clinical lead",)
    assert p.history[0].version == "1.0.0" and p.history[0].date == dt.date(2026, 11, 1)
    assert [gr.id for gr in p.groups] == ["diagnosis", "treatment"]
    assert p.references[0].url == "https://example.org/article"
    assert p.glossary[0].abbr == "MBB"
    assert p.source == str(VALID)


def test_locations_are_one_based_and_point_at_values() -> None:
    p = check_file(VALID, today=TODAY).pathway
    mbb = p.stage_by_id["medial-branch-block"]
    assert mbb.loc == Location(str(VALID), 38, 5)  # the 'id' key starting the stage
    assert mbb.field_locs["title"] == Location(str(VALID), 39, 12)
    assert mbb.alongside[0].loc == Location(str(VALID), 49, 17)
    assert p.field_locs["start"] == Location(str(VALID), 9, 8)
    assert p.governance.field_locs["expires"] == Location(str(VALID), 18, 12)
    assert p.stage_by_id["response"].next[1].field_locs["when"] == Location(str(VALID), 58, 15)


# -- text is kept as written -----------------------------------------------------------------


@pytest.mark.parametrize(
    "yaml_value, text",
    [
        ("No", "No"),
        ("Yes", "Yes"),
        ("yes", "yes"),
        ("off", "off"),
        ("1.10", "1.10"),
        ("1.0", "1.0"),
        ("0123", "0123"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("2026-11-01", "2026-11-01"),
        ("'null'", "null"),
        ('"~"', "~"),
        ("'It''s'", "It's"),
        ("12:30", "12:30"),
        (".inf", ".inf"),
    ],
)
def test_text_fields_keep_the_text_as_written(yaml_value: str, text: str) -> None:
    src = HEAD.replace("title: P", f"title: {yaml_value}").replace("version: '1'", f"version: {yaml_value}")
    src += "stages:\n  - id: a\n    title: A\n    kind: decision\n    next:\n"
    src += f"      - to: b\n        when: {yaml_value}\n      - to: b\n        when: other\n"
    src += "  - id: b\n    title: B\n    kind: outcome\n"
    result = check_text(src, "f.yaml", today=TODAY)
    assert result.problems == ()
    p = result.pathway
    assert p.title == text and p.version == text
    assert p.stages[0].next[0].when == text


def test_slug_made_of_digits_is_kept_as_text() -> None:
    result = check_text(HEAD.replace("start: a", "start: 0123") + "stages:\n  - id: 0123\n    title: A\n    kind: outcome\n", "f")
    assert result.problems == ()
    assert result.pathway.stages[0].id == "0123"


@pytest.mark.parametrize("empty", ["", "~", "null", "NULL"])
def test_empty_optional_field_means_not_given(empty: str) -> None:
    result = check_text(one_stage(summary=empty, body=empty, alongside=empty), "f")
    assert result.problems == ()
    assert result.pathway.stages[0].summary is None and result.pathway.stages[0].alongside == ()


@pytest.mark.parametrize("empty", ["", "~", "null"])
def test_empty_required_field_is_missing(empty: str) -> None:
    result = check_text(HEAD.replace("title: P", f"title: {empty}") + one_stage()[len(HEAD):], "f")
    (p,) = result.problems
    assert (p.rule, p.location.line) == ("missing-field", 2)
    assert "'title' is empty" in p.message


def test_first_line_schema_comment_and_bom_load_fine() -> None:
    text = "# yaml-language-server: $schema=./schema/pathway.schema.json\n" + one_stage()
    assert check_text(text, "f").problems == ()
    assert check_text(b"\xef\xbb\xbf" + text.encode(), "f").problems == ()
    assert check_text("\ufeff" + text, "f").problems == ()


# -- formats and dates ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "'1'", '"1"'])
def test_format_one_is_accepted_as_number_or_text(value: str) -> None:
    result = check_text(f"format: {value}\n" + one_stage(), "f")
    assert result.problems == () and result.pathway.format == 1


@pytest.mark.parametrize("value", ["2", "1.0", "'one'", "[1]"])
def test_other_formats_are_rejected(value: str) -> None:
    got = rules(f"format: {value}\n" + one_stage())
    assert got in (["bad-format"], ["wrong-type"])


@pytest.mark.parametrize("value", ["2027-01-31", "'2027-01-31'", '"2027-01-31"', "2028-02-29"])
def test_dates_quoted_or_not(value: str) -> None:
    result = check_text(f"governance:\n  next_review: {value}\n" + one_stage(), "f", today=TODAY)
    assert result.problems == ()
    assert result.pathway.governance.next_review in (dt.date(2027, 1, 31), dt.date(2028, 2, 29))


@pytest.mark.parametrize(
    "value, words",
    [
        ("2026-02-30", "not a real date"),
        ("2027-02-29", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("2026-1-5", "like 2026-11-01"),
        ("2026-11-01T10:00:00", "like 2026-11-01"),
        ("next year", "like 2026-11-01"),
    ],
)
def test_bad_dates(value: str, words: str) -> None:
    (p,) = check_text(f"governance:\n  next_review: {value}\n" + one_stage(), "f", today=TODAY).problems
    assert p.rule == "bad-date" and words in p.message
    assert (p.location.line, p.location.col) == (2, 16)


# -- type errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"alongside": "{a: b}"}, "should be a list of stage ids, got a mapping"),
        ({"references": "x"}, "write [x]"),
        ({"title": "[A, B]"}, "'title' should be text, got a list"),
        ({"facts": "[a, b]"}, "'facts' should be 'label: value' lines, got a list"),
        ({"next": "b"}, "should be a list of branches"),
    ],
)
def test_wrong_type_messages_name_the_expected_shape(fields: dict[str, str], words: str) -> None:
    text = one_stage(**fields) if "title" not in fields else one_stage().replace("title: A", f"title: {fields['title']}")
    msgs = [(p.rule, p.message) for p in check_text(text, "f", today=TODAY).problems]
    assert any(rule == "wrong-type" and words in m for rule, m in msgs), msgs


def test_branch_written_as_plain_id_gets_a_hint() -> None:
    text = HEAD + "stages:\n  - id: a\n    title: A\n    kind: procedure\n    next: [b]\n  - id: b\n    title: B\n    kind: outcome\n"
    probs = check_text(text, "f", today=TODAY).errors
    assert any(p.rule == "wrong-type" and "write '- to: b'" in p.message for p in probs)


def test_broken_stage_is_skipped_but_the_rest_is_kept() -> None:
    text = HEAD + "stages:\n  - just text\n  - id: a\n    title: A\n    kind: outcome\n"
    result = check_text(text, "f", today=TODAY)
    assert [p.rule for p in result.problems] == ["wrong-type"]
    assert [s.id for s in result.pathway.stages] == ["a"]


# -- refusals -------------------------------------------------------------------------------------------


def test_python_tag_is_refused_and_never_constructed(tmp_path) -> None:
    marker = tmp_path / "pwned"
    text = one_stage(summary=f'!!python/object/apply:os.system ["touch {marker}"]')
    assert rules(text) == ["yaml-tag"]
    assert not marker.exists()


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev = f"*a{i-1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    got = rules("\n".join(lines) + "\n")
    assert got and set(got) <= {"yaml-alias", "unknown-key", "missing-field"}
    assert "yaml-alias" in got


def test_duplicate_key_message_mentions_first_line() -> None:
    (p,) = check_text(one_stage() + "    kind: outcome\n", "f").problems
    assert p.rule == "duplicate-key" and "first on line 9" in p.message and p.location.line == 10


def test_second_document_is_refused() -> None:
    assert rules(one_stage() + "---\nid: q\n") == ["yaml-syntax"]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n", "--- ~\n"])
def test_empty_documents(text: str) -> None:
    assert rules(text) == ["empty-file"]


@pytest.mark.parametrize("text", ["just text", "- a\n- b\n", "42", "[]"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    (p,) = check_text(text, "f").problems
    assert p.rule == "wrong-type" and "should be a mapping" in p.message


def test_non_utf8_reports_line_and_byte_offset() -> None:
    data = one_stage().encode() + b"    summary: caf\xe9\n"
    (p,) = check_text(data, "f").problems
    assert p.rule == "encoding"
    assert (p.location.line, p.location.col) == (10, 17)
    assert f"byte offset {len(one_stage().encode()) + 16}" in p.message


def test_yaml_syntax_error_is_plain_words_with_position() -> None:
    (p,) = check_text(HEAD + "stages:\n  - id: a\n   title: A\n", "f").problems
    assert p.rule == "yaml-syntax" and p.location.line == 8
    assert "indentation" in p.message or "line up" in p.message


def test_tab_indentation_is_explained() -> None:
    (p,) = check_text("id: p\nstages:\n\t- id: a\n", "f").problems
    assert p.rule == "yaml-syntax" and "tab" in p.message


# -- limits -------------------------------------------------------------------------------------------


def test_nesting_deeper_than_the_limit() -> None:
    text = "title: " + "[" * (limits.MAX_DEPTH + 5) + "]" * (limits.MAX_DEPTH + 5) + "\n"
    assert rules(text) == ["limit-exceeded"]


def test_long_text_field(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 100)
    (p,) = check_text(one_stage(body="x" * 101), "f").problems
    assert (p.rule, p.location.line, p.location.col) == ("limit-exceeded", 10, 11)


def test_too_many_stages(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_STAGES", 2)
    text = HEAD + "stages:\n" + "".join(f"  - id: s{i}\n    title: S\n    kind: outcome\n" for i in range(3))
    text = text.replace("start: a", "start: s0")
    got = check_text(text, "f", today=TODAY)
    assert "limit-exceeded" in [p.rule for p in got.errors]
    assert len(got.pathway.stages) == 2


def test_too_many_nodes_stops_reading_where_the_limit_is_passed(monkeypatch) -> None:
    # A file of tiny keys would otherwise be held in memory whole, ~300 bytes per node.
    monkeypatch.setattr(limits, "MAX_NODES", 40)
    text = one_stage() + "".join(f"    x{i}: 1\n" for i in range(30))
    got = check_text(text, "f", today=TODAY)
    (p,) = got.problems
    assert p.rule == "limit-exceeded" and "more than 40 keys, values and lists" in p.message
    assert got.pathway is None  # nothing is built from a file read in part
    line = text.splitlines()[p.location.line - 1]
    assert line.strip().startswith("x") and p.location.col == 5


def test_file_too_large(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 50)
    path = tmp_path / "big.yaml"
    path.write_text(one_stage())
    (p,) = check_file(path).problems
    assert p.rule == "limit-exceeded" and "bytes" in p.message
    (q,) = check_text(one_stage().encode(), "f").problems
    assert q.rule == "limit-exceeded"


def test_too_many_problems_are_capped(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_PROBLEMS", 5)
    text = one_stage() + "".join(f"    x{i}: 1\n" for i in range(20))
    probs = check_text(text, "f").problems
    assert len(probs) == 6 and "15 more problems" in probs[-1].message


# -- scale ------------------------------------------------------------------------------------------


def big_pathway(n: int) -> str:
    out = [HEAD.replace("start: a", "start: s0"), "stages:\n"]
    for i in range(n):
        out.append(f"  - id: s{i}\n    title: Stage {i}\n    kind: {'outcome' if i == n - 1 else 'procedure'}\n")
        out.append(f"    summary: Stage number {i}\n    body: |\n      See [[s{max(i - 1, 0)}]] for what came before.\n")
        if i < n - 1:
            out.append(f"    next:\n      - to: s{i + 1}\n")
    return "".join(out)


def test_thousand_stage_file_validates_cleanly() -> None:
    result = check_text(big_pathway(1000), "big.yaml", today=TODAY)
    assert result.problems == ()
    assert len(result.pathway.stages) == 1000


def test_a_hash_right_after_a_plain_value_is_a_located_warning_with_the_quoted_fix():
    text = MINIMAL_COMMENT
    problems = [p for p in check_text(text).problems if p.rule == "comment-in-value"]
    assert [(p.location.line, p.location.col) for p in problems] == [(2, 14), (8, 21)]
    assert "the value is only 'First'" in problems[0].message and '"First #1 stage"' in problems[0].message
    # A comment written as comments are ('  # note'), and a '#' inside quotes or a word, are not warned.
    assert "Zürich" in problems[1].message and '"Zürich 🩺 #2"' in problems[1].message


MINIMAL_COMMENT = """\
id: p
title: First #1 stage
version: "1"  # a comment, as usual
status: draft
start: a
stages:
  - id: a
    title: Zürich 🩺 #2
    summary: "quoted #3"
    body: C#4 is a word
    kind: outcome
"""
