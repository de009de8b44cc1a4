"""``pathway export json``: the checked model as JSON, valid against the schema derived from the model."""

from __future__ import annotations

from pathlib import Path

import dataclasses
import json

import jsonschema
import pytest

from generator.core import model as m
from generator.core import pipeline
from generator.export.fhir import dumps
from generator.export.model_json import MODEL_SCHEMA_ID, export_model, model_schema

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def _pathway(path):
    result = pipeline.check_file(str(path))
    assert result.pathway is not None and not result.has_errors()
    return result.pathway


@pytest.mark.parametrize("path", [REPO / "pathway.yaml", FIXTURES / "decisions" / "pathway.yaml"], ids=str)
def test_the_model_validates_against_its_schema(path):
    schema = model_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(dumps(export_model(_pathway(path))))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["$schema"] == MODEL_SCHEMA_ID == schema["$id"]


def test_the_schema_refuses_what_the_model_cannot_hold():
    validator = jsonschema.Draft202012Validator(model_schema())
    data = json.loads(dumps(export_model(_pathway(REPO / "pathway.yaml"))))
    data["pathway"]["stages"][0]["colour"] = "red"
    assert not validator.is_valid(data)
    del data["pathway"]["stages"][0]["colour"]
    del data["pathway"]["stages"][0]["kind"]
    assert not validator.is_valid(data)


def test_every_model_field_is_in_the_schema():
    """The schema is derived from the dataclasses: a field added to the model is described at once."""
    defs = model_schema()["$defs"]
    for cls in (m.Pathway, m.Stage, m.Transition, m.Input, m.Governance, m.Reference, m.HistoryEntry):
        fields = {f.name for f in dataclasses.fields(cls)} - {"loc", "field_locs", "source"}
        assert set(defs[cls.__name__]["properties"]) == fields, cls.__name__


def test_values_keep_their_meaning():
    p = _pathway(FIXTURES / "decisions" / "pathway.yaml")
    data = export_model(p)["pathway"]
    inputs = {i["id"]: i for i in data["inputs"]}
    assert inputs["time_since_rfa"]["range"] == [0, 5 * 365]  # durations in days
    assert inputs["mbb_relief"]["unit"] == "%"
    mbb = next(s for s in data["stages"] if s["id"] == "mbb")
    tree = mbb["next"][0]["condition"]["tree"]
    assert tree == {"node": "compare", "input": "mbb_relief", "op": ">=",
                    "value": {"text": "50 %", "number": 50, "unit": "%"}}
    assert mbb["next"][2]["condition"] == {"text": "otherwise", "tree": {"node": "otherwise"}}
    assert dumps(export_model(p)) == dumps(export_model(_pathway(FIXTURES / "decisions" / "pathway.yaml")))


def test_the_model_schema_is_published_at_its_id_by_the_deploy_workflow() -> None:
    """pathway.json names its schema by address, beside the pathway schema; deploy.yml puts it there."""
    from generator.core.schema import SCHEMA_ID

    folder, name = MODEL_SCHEMA_ID.rsplit("/", 1)
    assert folder == SCHEMA_ID.rsplit("/", 1)[0]
    deploy = (REPO / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert f"cp site/downloads/pathway-model.schema.json site/schema/{name}" in deploy
