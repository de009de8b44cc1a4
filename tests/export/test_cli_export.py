"""``pathway export``: writes the folder, refuses bad input in plain words, never half-writes."""

from __future__ import annotations

from pathlib import Path

import hashlib
import json
import shutil

from generator.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def _digest(folder) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def test_export_fhir_writes_the_same_bytes_twice(tmp_path, monkeypatch):
    shutil.copy(REPO / "pathway.yaml", tmp_path / "pathway.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "fhir", "-o", "a", "--base", "https://fhir.example.net/p/"]) == 0
    assert main(["export", "fhir", "-o", "b", "--base", "https://fhir.example.net/p"]) == 0
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    first = _digest(tmp_path / "a")
    assert main(["export", "fhir", "-o", "a", "--base", "https://fhir.example.net/p"]) == 0  # over its own output
    assert _digest(tmp_path / "a") == first
    bundle = json.loads((tmp_path / "a" / "Bundle-facet-joint-pain.json").read_text())
    assert bundle["entry"][0]["fullUrl"] == "https://fhir.example.net/p/PlanDefinition/facet-joint-pain"


def test_export_json_writes_model_and_schema(tmp_path, monkeypatch):
    shutil.copy(REPO / "pathway.yaml", tmp_path / "pathway.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "json"]) == 0
    names = sorted(p.name for p in (tmp_path / "json").iterdir())
    assert names == [".pathway-manifest.json", "pathway-model.schema.json", "pathway.json"]


def test_bad_base_and_missing_format_are_usage_errors(tmp_path, monkeypatch, capsys):
    shutil.copy(REPO / "pathway.yaml", tmp_path / "pathway.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "fhir", "--base", "example.org"]) == 2
    assert main(["export"]) == 2
    err = capsys.readouterr().err
    assert "not a usable base URL" in err and "say what to export" in err
    assert "Traceback" not in err
    assert not (tmp_path / "fhir").exists()


def test_a_pathway_with_errors_writes_nothing(tmp_path, monkeypatch, capsys):
    (tmp_path / "pathway.yaml").write_text("id: x\ntitle: X\nversion: '1'\nstatus: draft\nstart: nowhere\nstages: []\n")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "fhir"]) == 1
    assert not (tmp_path / "fhir").exists()
    assert "nothing was built" in capsys.readouterr().err


def test_someone_elses_folder_is_refused(tmp_path, monkeypatch, capsys):
    shutil.copy(REPO / "pathway.yaml", tmp_path / "pathway.yaml")
    (tmp_path / "fhir").mkdir()
    (tmp_path / "fhir" / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "fhir"]) == 2
    assert (tmp_path / "fhir" / "notes.txt").read_text() == "mine"
    assert main(["export", "fhir", "--take-over"]) == 0
    assert (tmp_path / "fhir" / "notes.txt").read_text() == "mine"
