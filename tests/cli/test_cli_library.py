"""`pathway validate / build` with a library folder (issue #17), run in-process through generator.cli.main."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
LIBRARY = FIXTURES / "library"
PLAIN = FIXTURES / "library-plain"
REPO = FIXTURES.parents[1]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796169600")  # 2026-12-02: injections' review is overdue
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture
def library(tmp_path) -> Path:
    shutil.copytree(LIBRARY, tmp_path / "lib")
    return tmp_path / "lib"


def break_link(folder: Path) -> None:
    """surgery.yaml links to a stage triage does not have (line 13)."""
    f = folder / "surgery.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("[[triage:choose]]", "[[triage:chose]]"), encoding="utf-8")


def test_validate_a_library_reports_every_file_at_its_own_location(library, capsys):
    break_link(library)
    assert main(["validate", str(library)]) == 1
    out = capsys.readouterr().out
    assert f"{library}/surgery.yaml:13:" in out and "triage:chose" in out and "choose" in out
    assert f"{library}/injections.yaml:9:16: warning:" in out
    assert "1 error, 1 warning" in out


def test_validate_a_clean_library_exits_0_and_verbose_counts_its_stages(capsys):
    assert main(["validate", "-v", str(LIBRARY)]) == 0  # a warning only
    assert f"{LIBRARY}: OK" not in capsys.readouterr().out  # it has a problem: no OK line
    assert main(["validate", "-v", str(LIBRARY / "surgery.yaml")]) == 0
    assert capsys.readouterr().out == f"{LIBRARY / 'surgery.yaml'}: OK (2 stages)\n"


def test_validate_one_file_of_a_library_resolves_cross_links_and_reports_only_its_own(library, capsys):
    break_link(library)
    # triage.yaml links into injections: checked alone it would fail; with its library it is fine,
    # and surgery's broken link is not triage's problem.
    assert main(["validate", str(library / "triage.yaml")]) == 0
    assert capsys.readouterr().out == ""
    assert main(["validate", str(library / "surgery.yaml")]) == 1
    out = capsys.readouterr().out
    assert "surgery.yaml:13:" in out and "injections.yaml" not in out


def test_several_files_of_one_library_are_checked_together(library, capsys):
    break_link(library)
    code = main(["validate", "--format", "json", str(library / "surgery.yaml"), str(library / "injections.yaml")])
    assert code == 1
    problems = json.loads(capsys.readouterr().out)
    assert sorted({Path(p["file"]).name for p in problems}) == ["injections.yaml", "surgery.yaml"]
    assert sorted(p["rule"] for p in problems) == ["review-overdue", "unknown-link"]


def test_github_format_annotates_library_files(library, capsys):
    break_link(library)
    assert main(["validate", "--format", "github", str(library)]) == 1
    out = capsys.readouterr().out
    assert f"::error file={library}/surgery.yaml,line=13," in out


def test_a_folder_without_library_yaml_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert "folder" in capsys.readouterr().err


@pytest.mark.dot
@pytest.mark.slow
def test_build_a_library_prints_each_problem_once_and_builds_the_catalogue(tmp_path, monkeypatch, capsys):
    shutil.copytree(PLAIN, tmp_path / "pathways")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "pathways", "-d", "out", "--no-pdf", "-f", str(REPO / "mkdocs.yml")]) == 0
    err = capsys.readouterr().err
    assert err.count("review-overdue") == 1, err  # checked by the CLI; the plugin reuses its result
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "10 January 2026 (overdue)" in page and "<title>Spinal services (test library)</title>" in page
    assert (tmp_path / "out" / "triage" / "stages" / "imaging" / "index.html").is_file()
    assert not (tmp_path / "out" / "triage" / "pathway.pdf").exists()


@pytest.mark.dot
@pytest.mark.slow
def test_build_a_broken_library_builds_nothing(tmp_path, monkeypatch, capsys):
    shutil.copytree(PLAIN, tmp_path / "pathways")
    break_link_plain = tmp_path / "pathways" / "surgery.yaml"
    break_link_plain.write_text(break_link_plain.read_text(encoding="utf-8").replace(
        "body: Referred from the other pathways.", "body: See [[nowhere:consult]]."), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "pathways", "-d", "out", "--no-pdf", "-f", str(REPO / "mkdocs.yml")]) == 1
    err = capsys.readouterr().err
    assert "pathways/surgery.yaml:13:" in err and "nothing was built" in err
    assert not (tmp_path / "out").exists()


def test_versions_is_refused_for_a_library(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(LIBRARY), "-d", "out", "--versions", "-f", str(REPO / "mkdocs.yml")]) == 2
    assert "--versions" in capsys.readouterr().err
