"""``pathway diff`` says whether the FHIR export changes, and which resources, in every format."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.core import pipeline
from generator.review.compare import diff_pathways
from generator.review.exportdiff import compare_exports

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
DECISIONS = REPO / "tests" / "fixtures" / "decisions" / "pathway.yaml"


def _write(tmp_path: Path, name: str, source: Path, old: str = "", new: str = "") -> Path:
    """A copy of ``source`` (and its scenario file) in its own folder, with one text replaced."""
    text = source.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pathway.yaml").write_text(text, encoding="utf-8")
    scenarios = source.with_name(source.stem + ".scenarios.yaml")
    if scenarios.exists():
        shutil.copy(scenarios, folder / "pathway.scenarios.yaml")
    return folder / "pathway.yaml"


def _diff(capsys, a: Path, b: Path, fmt: str) -> str:
    capsys.readouterr()
    assert main(["diff", str(a), str(b), "--format", fmt, "--no-diagram"]) == 0
    return capsys.readouterr().out


def _checked(path: Path):
    result = pipeline.check_file(str(path))
    assert result.pathway is not None and not result.has_errors(), result.errors
    return result.pathway


def test_a_changed_threshold_changes_the_strategy_condition(tmp_path, capsys):
    old = _write(tmp_path, "old", DECISIONS)
    new = _write(tmp_path, "new", DECISIONS, "if: mbb_relief >= 50 %", "if: mbb_relief >= 60 %")
    ex = compare_exports(_checked(old), _checked(new))
    [change] = ex.resources
    assert (change.change, change.ref, change.elements) == ("changed", "PlanDefinition/back-pain.mbb", ("action",))

    md = _diff(capsys, old, new, "markdown")
    [line] = [ln for ln in md.splitlines() if ln.startswith("**FHIR export:**")]
    assert "1 of 14 resources differ (1 changed)" in line and "`PlanDefinition/back-pain.mbb` (action)" in line
    # Near the verdict: before the sections of changes.
    assert md.index("**FHIR export:**") < md.index("### Changes to patient care")
    doc = json.loads(_diff(capsys, old, new, "json"))
    assert doc["fhir_export"] == {"differs": True, "resources": 14, "added": [], "removed": [],
                                  "changed": [{"resourceType": "PlanDefinition", "id": "back-pain.mbb",
                                               "elements": ["action"]}]}
    text = _diff(capsys, old, new, "text")
    assert "FHIR export: 1 of 14 resources differ (1 changed)" in text
    assert "  ~ changed PlanDefinition/back-pain.mbb (action)" in text


def test_an_editorial_change_outside_the_export_leaves_it_unchanged(tmp_path, capsys):
    # The glossary is not exported (docs/export.md, "What is not exported").
    old = _write(tmp_path, "old", SEED)
    new = _write(tmp_path, "new", SEED, "The nerves that supply (innervate) the facet joints.",
                 "The small nerves that supply (innervate) the facet joints.")
    assert json.loads(_diff(capsys, old, new, "json"))["impact"] == "editorial"
    md = _diff(capsys, old, new, "markdown")
    assert "**FHIR export:** unchanged (the same 61 resources)." in md.splitlines()
    assert json.loads(_diff(capsys, old, new, "json"))["fhir_export"] == {
        "differs": False, "resources": 61, "added": [], "removed": [], "changed": []}
    assert "FHIR export: unchanged (the same 61 resources)" in _diff(capsys, old, new, "text")


def test_an_editorial_change_inside_the_export_is_reported(tmp_path):
    # A stage summary is editorial, but it is exported: the description of the stage's actions (pathway,
    # strategy, recommendation) and of its ActivityDefinition.
    from generator.export.fhir import ACTIVITY_KINDS

    p = _checked(SEED)
    stage = next(s for s in p.stages if s.kind in ACTIVITY_KINDS and s.summary)
    old = _write(tmp_path, "old", SEED)
    new = _write(tmp_path, "new", SEED, f"summary: {stage.summary.splitlines()[0]}",
                 f"summary: Reworded. {stage.summary.splitlines()[0]}")
    refs = {r.ref for r in compare_exports(_checked(old), _checked(new)).resources}
    assert refs == {f"PlanDefinition/{p.id}", f"PlanDefinition/{p.id}.{stage.id}",
                    f"PlanDefinition/{p.id}.{stage.id}.rec", f"ActivityDefinition/{p.id}.{stage.id}"}


def test_a_new_version_is_said_once(tmp_path, capsys):
    old = _write(tmp_path, "old", SEED)
    new = _write(tmp_path, "new", SEED, '\nversion: "2.0.0"', '\nversion: "2.1.0"')
    md = _diff(capsys, old, new, "markdown")
    [line] = [ln for ln in md.splitlines() if ln.startswith("**FHIR export:**")]
    assert "61 of 61 resources differ" in line and "all 61 changed in date, version" in line  # no history date for 2.1.0
    assert "`PlanDefinition/" not in line and "<details>" not in md  # only the version: no list of 61
    text = _diff(capsys, old, new, "text")
    assert "  ~ all 61 changed in date, version" in text and "changed PlanDefinition/" not in text
    diff = diff_pathways(_checked(old), _checked(new), export=True)
    assert diff.export is not None and len(diff.export.of("changed")) == 61
    assert diff_pathways(_checked(old), _checked(new)).export is None  # only when asked for


def test_stages_added_and_removed():
    p = _checked(DECISIONS)
    last = p.stages[-1]
    # The stage taken out of the model directly (the export leaves out links to missing stages).
    smaller = dataclasses.replace(p, stages=p.stages[:-1])
    ex = compare_exports(p, smaller)
    removed = {r.ref for r in ex.of("removed")}
    assert f"PlanDefinition/{p.id}.{last.id}" in removed and not ex.of("added")
    back = compare_exports(smaller, p)
    assert {r.ref for r in back.of("added")} == removed and not back.of("removed")
    assert back.total == ex.total + len(removed)


def test_a_side_with_errors_is_not_exported(tmp_path, capsys):
    old = _write(tmp_path, "old", DECISIONS)
    new = _write(tmp_path, "new", DECISIONS, "if: mbb_relief >= 50 %", "if: mbb_relef >= 50 %")
    capsys.readouterr()
    main(["diff", str(old), str(new), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["fhir_export"] == {"differs": None, "skipped": "NEW has errors"}


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_the_export_line_follows_the_rerouted_patients(tmp_path, capsys, fmt):
    old = _write(tmp_path, "old", SEED)
    new = _write(tmp_path, "new", SEED, "if: rfa_is_next_step", "if: not rfa_is_next_step")
    out = _diff(capsys, old, new, fmt)
    rerouted = "### Patients this change re-routes" if fmt == "markdown" else "Patients this change re-routes"
    export = "**FHIR export:**" if fmt == "markdown" else "FHIR export:"
    assert rerouted in out and export in out
    changes = "### Changes to patient care" if fmt == "markdown" else "\nChanges to patient care"
    assert out.index(rerouted) < out.index(export) < out.index(changes)
