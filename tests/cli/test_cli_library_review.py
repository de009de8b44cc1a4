"""``pathway review DIR`` and ``pathway test DIR`` over a library of pathways."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "library"
JUNE_2026 = "1780272000"  # 2026-06-01 00:00 UTC


@pytest.fixture()
def june(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE_2026)


def test_review_lists_the_overdue_pathway_of_the_fixture(june, capsys) -> None:
    rc = main(["review", str(FIXTURE), "--within", "90"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    assert out[0] == f"{FIXTURE}/injections.yaml: Facet joint injections: next review 2026-01-10, overdue by 142 days"
    assert out[1] == "1 of 3 pathways due or overdue for review within 90 days, as of 2026-06-01"
    assert not any("triage" in line for line in out)  # next review in 2027: not due
    assert "surgery.yaml" in out[2] and "No next review date" in out[2]


def test_review_lists_every_pathway_due_most_urgent_first(june, tmp_path: Path, capsys) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    triage = lib / "triage.yaml"
    triage.write_text(triage.read_text(encoding="utf-8").replace("next_review: 2027-06-01", "next_review: 2026-07-01"),
                      encoding="utf-8")
    rc = main(["review", str(lib), "--within", "60"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    assert out[:2] == [f"{lib}/injections.yaml: Facet joint injections: next review 2026-01-10, overdue by 142 days",
                       f"{lib}/triage.yaml: Back pain triage: next review 2026-07-01, due in 30 days"]
    assert main(["review", str(lib), "--within", "20"]) == 1  # injections is still overdue
    assert "triage" not in capsys.readouterr().out
    rc = main(["review", str(lib), "--within", "90", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1 and doc["needs_attention"] is True and doc["pathways"] == 3
    assert [(d["file"].rpartition("/")[2], d["state"]) for d in doc["due"]] == [("injections.yaml", "overdue"),
                                                                                  ("triage.yaml", "due")]
    assert doc["no_review_date"] == [f"{lib}/surgery.yaml"]
    assert doc["due"][0]["line"] == "next review 2026-01-10, overdue by 142 days"


def test_review_of_a_library_with_nothing_due_exits_0(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01: injections' review is a year away
    rc = main(["review", str(FIXTURE), "--within", "30"])
    out = capsys.readouterr().out
    assert rc == 0 and "No pathway of 3 is due for review within 30 days (as of 2025-01-01)." in out


def test_review_of_an_unreadable_library_says_why(june, tmp_path: Path, capsys) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    (lib / "triage.yaml").write_text("id: [\n", encoding="utf-8")
    rc = main(["review", str(lib)])
    err = capsys.readouterr().err
    assert rc == 1 and f"{lib}/triage.yaml:" in err and "cannot read the review dates" in err


def _scenarios(lib: Path) -> None:
    (lib / "injections.scenarios.yaml").write_text(
        "format: 1\npathway: injections\nscenarios:\n"
        "  - id: relief\n    name: Gets relief\n    choose:\n      review: relief\n    expect:\n      reaches: relief\n"
        "  - id: wrong\n    name: Expected wrongly\n    choose:\n      review: relief\n    expect:\n"
        "      reaches: inject\n",
        encoding="utf-8")
    (lib / "triage.scenarios.yaml").write_text(
        "format: 1\npathway: triage\nscenarios:\n"
        "  - id: settles\n    name: Settles\n    choose:\n      choose: done\n    expect:\n      reaches: done\n",
        encoding="utf-8")


def test_test_runs_every_pathways_scenarios(tmp_path: Path, capsys) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    _scenarios(lib)
    rc = main(["test", str(lib)])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"{lib}/injections.scenarios.yaml:15:7: error: scenario 'wrong'" in out
    assert "1 of 3 scenarios failed" in out  # triage's one ran too
    rc = main(["test", str(lib), "--format", "github"])
    assert rc == 1 and f"::error file={lib}/injections.scenarios.yaml,line=15" in capsys.readouterr().out
    (lib / "injections.scenarios.yaml").unlink()
    assert main(["test", str(lib), "-v"]) == 0
    assert "1 scenario passed" in capsys.readouterr().out


def test_test_of_a_library_without_scenarios_or_with_errors(tmp_path: Path, capsys) -> None:
    assert main(["test", str(FIXTURE)]) == 2
    assert "no pathway of the library" in capsys.readouterr().err
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    _scenarios(lib)
    (lib / "surgery.yaml").write_text((lib / "surgery.yaml").read_text(encoding="utf-8").replace(
        "kind: outcome", "kind: outcom"), encoding="utf-8")
    assert main(["test", str(lib)]) == 2
    out = capsys.readouterr().out
    assert f"{lib}/surgery.yaml:" in out and "fix the pathways before testing scenarios" in out
    assert main(["test", str(lib), "--scenarios", "x.yaml"]) == 2
