"""A library of pathways (generator/core/library.py): shared entries, links between pathways, one check."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.core.library import CrossLink, check_library, is_library, pathway_files

LIB = Path(__file__).parent.parent / "fixtures" / "library"
TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    out = tmp_path / "lib"
    shutil.copytree(LIB, out)
    return out


def found(result) -> set[tuple[str, int, int, str]]:
    return {(Path(p.location.file).name, p.location.line, p.location.col, p.rule) for p in result.problems}


def test_the_fixture_library_checks_clean_but_for_its_overdue_review() -> None:
    r = check_library(LIB, today=TODAY)
    assert found(r) == {("injections.yaml", 9, 16, "review-overdue")}
    assert not r.has_errors()
    assert [p.id for p in r.pathways] == ["triage", "injections", "surgery"]  # by title
    assert r.title == "Spinal services (test library)"
    assert is_library(LIB) and not is_library(LIB / "triage.yaml")
    assert [p.name for p in pathway_files(LIB)] == ["injections.yaml", "surgery.yaml", "triage.yaml"]


def test_shared_entries_are_added_where_used_and_own_ones_win(lib: Path) -> None:
    r = check_library(lib, today=TODAY)
    surgery, injections = r.by_id["surgery"], r.by_id["injections"]
    assert [x.id for x in surgery.references] == ["shared-guide"]  # cited, so added
    assert [x.id for x in injections.references] == ["own-ref"]  # the shared one is not cited there
    assert [g.term for g in surgery.glossary] == ["Magnetic resonance imaging"]
    text = (lib / "surgery.yaml").read_text()
    (lib / "surgery.yaml").write_text(text + "glossary:\n  - term: magnetic resonance imaging\n"
                                      "    definition: Our own wording.\n")
    own = check_library(lib, today=TODAY).by_id["surgery"]
    assert [(g.term, g.definition) for g in own.glossary] == [("magnetic resonance imaging", "Our own wording.")]


def test_links_into_other_pathways_are_indexed_by_their_target() -> None:
    r = check_library(LIB, today=TODAY)
    assert r.incoming[("surgery", "consult")] == (CrossLink("injections", "review", "next", "No relief, severe"),)
    assert r.incoming[("triage", "choose")] == (CrossLink("injections", "assess", "link"),
                                                CrossLink("surgery", "consult", "link"))


def test_unknown_pathways_and_stages_are_located_in_their_own_file_with_a_suggestion(lib: Path) -> None:
    inj = lib / "injections.yaml"
    inj.write_text(inj.read_text().replace("to: surgery:consult", "to: surgery:consul")
                   .replace("[[triage:choose]].", "[[triag:choose]]."))
    shared = lib / "library.yaml"
    shared.write_text(shared.read_text().replace("[[triage:imaging]]", "[[triage:imagin]]"))
    r = check_library(lib, today=TODAY)
    assert found(r) == {("injections.yaml", 9, 16, "review-overdue"), ("injections.yaml", 15, 33, "unknown-pathway"),
                        ("injections.yaml", 30, 13, "unknown-stage"), ("library.yaml", 11, 65, "unknown-link")}
    messages = {p.rule: p.message for p in r.problems}
    assert "did you mean 'triage'?" in messages["unknown-pathway"]
    assert "pathway 'surgery' has no stage 'consul'; did you mean 'consult'?" in messages["unknown-stage"]
    assert "did you mean 'imaging'?" in messages["unknown-link"]


def test_a_link_into_the_pathway_itself_asks_for_the_plain_id(lib: Path) -> None:
    tri = lib / "triage.yaml"
    tri.write_text(tri.read_text().replace("      - to: imaging\n", "      - to: triage:imaging\n"))
    r = check_library(lib, today=TODAY)
    (msg,) = [p.message for p in r.problems if p.rule == "unknown-stage"]
    assert "names this pathway itself; write just 'imaging'" in msg


def test_two_files_with_one_id_and_a_reserved_id_are_errors(lib: Path) -> None:
    (lib / "copy.yaml").write_text((lib / "surgery.yaml").read_text())
    (lib / "assets.yaml").write_text((lib / "surgery.yaml").read_text().replace("id: surgery", "id: assets"))
    r = check_library(lib, today=TODAY)
    rules = {(Path(p.location.file).name, p.rule) for p in r.errors}
    assert ("surgery.yaml", "duplicate-pathway") in rules or ("copy.yaml", "duplicate-pathway") in rules
    assert ("assets.yaml", "bad-slug") in rules


def test_an_uncited_shared_reference_is_a_warning_in_library_yaml(lib: Path) -> None:
    for name in ("triage.yaml", "surgery.yaml"):
        f = lib / name
        f.write_text(f.read_text().replace("    references: [shared-guide]\n", ""))
    r = check_library(lib, today=TODAY)
    assert ("library.yaml", 5, 9, "unused-reference") in found(r)


def test_only_reports_the_files_asked_for_but_checks_links_against_all(lib: Path) -> None:
    inj = lib / "injections.yaml"
    inj.write_text(inj.read_text().replace("to: surgery:consult", "to: surgery:nowhere"))
    r = check_library(lib, today=TODAY, only=[lib / "surgery.yaml", lib / "triage.yaml"])
    assert found(r) == set()
    r = check_library(lib, today=TODAY, only=[inj])
    assert {x[3] for x in found(r)} == {"review-overdue", "unknown-stage"}


def test_a_loop_whose_way_out_leads_into_another_pathway_is_not_closed(lib: Path) -> None:
    tri = lib / "triage.yaml"
    tri.write_text(tri.read_text().replace("      - to: done\n        when: Settles with advice\n",
                                           "      - to: imaging\n        when: Unclear\n"))
    r = check_library(lib, today=TODAY)
    assert "no-exit-loop" not in {p.rule for p in r.problems}


def test_a_library_without_pathways_or_with_a_broken_library_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "library.yaml").write_text("title: Empty\n")
    r = check_library(tmp_path, today=TODAY)
    assert r.has_errors() and "holds no pathway file" in r.errors[0].message
    (tmp_path / "library.yaml").write_text("titel: Empty\n")
    (tmp_path / "a.yaml").write_text((LIB / "surgery.yaml").read_text())
    r = check_library(tmp_path, today=TODAY)
    assert {p.rule for p in r.errors if p.location.file.endswith("library.yaml")} == {"unknown-key", "missing-field"}
