"""The change-kind table: every kind has an impact section, a sign with a mark, and a known aspect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.review import reports
from generator.review.changes import ASPECTS, SHOWS, SIGNS, VERDICTS, Change, Impact, Kind, sign

REVIEW = Path(__file__).resolve().parents[2] / "generator" / "review"


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_every_kind_has_a_section_and_a_mark(kind: Kind):
    assert kind.impact in reports.SECTION_TITLES and kind.impact in reports.SECTION_INTROS
    assert kind.impact.value in VERDICTS
    assert kind.sign in SIGNS
    assert kind.sign in reports.SIGN_ICONS  # the Markdown row's icon
    assert kind.sign in reports.COLOURS  # the terminal colour
    assert kind.aspect is None or kind.aspect in ASPECTS
    assert kind.show in SHOWS


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_signs_follow_the_kind_names(kind: Kind):
    # The sign says added/removed/changed; a row whose sign disagrees with its name misleads the reader.
    if kind.area == "graph":
        expected = "!"
    elif kind.endswith("-added"):
        expected = "+"
    elif kind.endswith("-removed"):
        expected = "-"
    else:
        expected = "~"
    assert kind.sign == expected
    assert kind.consequence == (expected == "!")


def test_kind_ids_are_unique_slugs_named_after_their_member():
    assert len({k.value for k in Kind}) == len(Kind)
    for k in Kind:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k.value)
        assert k.name == k.value.upper().replace("-", "_")


def test_every_kind_in_the_table_is_made_by_the_comparison():
    # A row nobody emits is a dead entry that the docs and reporters would still promise.
    source = "\n".join((REVIEW / name).read_text(encoding="utf-8") for name in ("compare.py", "consequences.py"))
    used = set(re.findall(r"\bKind\.([A-Z_]+)\b", source))
    assert used == {k.name for k in Kind}


def test_a_change_takes_its_class_and_marks_from_its_kind():
    c = Change(Kind.FACT_CHANGED, "oxygen/Target", "Target changed", "88–92 %", "94–98 %", stage="oxygen")
    assert (c.area, c.impact, c.text, c.consequence, sign(c)) == ("fact", Impact.SUBSTANTIVE, False, False, "~")
    g = Change(Kind.GLOSSARY_REDEFINED, "SpO2", "reworded", "a", "b")
    assert g.text and not g.values_inline
    assert sign(Change(Kind.NEW_LOOP, "a", "new loop")) == "!"


def test_kinds_are_written_as_their_plain_ids():
    import json

    assert json.dumps({"kind": Kind.WHEN_CHANGED}) == '{"kind": "when-changed"}'
    assert f"{Kind.WHEN_CHANGED}" == "when-changed" == Kind.WHEN_CHANGED
