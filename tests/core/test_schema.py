"""The JSON Schema: derived from generator.core.schema, kept current, and agreeing with an independent validator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from generator.cli.schema import schema_text
from generator.core.schema import PATHWAY, json_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schema" / "pathway.schema.json"
VALID = REPO / "tests" / "fixtures" / "core" / "valid.yaml"
BAD = REPO / "tests" / "fixtures" / "bad"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def test_schema_file_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "schema/pathway.schema.json is stale: run 'pathway schema -o schema/pathway.schema.json'"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_field_has_a_description() -> None:
    schema = json_schema()
    objects = [schema] + list(schema["$defs"].values())
    for obj in objects:
        assert obj["description"]
        for name, prop in obj["properties"].items():
            assert prop.get("description"), name
    assert set(schema["properties"]) == set(PATHWAY.keys)
    assert schema["required"] == list(PATHWAY.required)


def run_check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(SCHEMA_FILE), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_independent_validator_accepts_a_valid_pathway() -> None:
    proc = run_check_jsonschema(VALID)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "name, expected",
    [
        ("missing-field", "'title' is a required property"),
        ("unknown-key", "'titel' was unexpected"),
        ("unknown-kind", "'outcom' is not one of"),
        ("unknown-status", "'aktive' is not one of"),
        ("bad-slug", "does not match"),
        ("bad-format", "is not one of"),
        ("wrong-type", "is not of type 'array'"),
        ("wrong-type-top", "is not of type 'object'"),
    ],
)
def test_independent_validator_rejects_structural_errors(name: str, expected: str) -> None:
    proc = run_check_jsonschema(BAD / f"{name}.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert expected in proc.stdout, proc.stdout


def test_cli_prints_and_writes_the_same_schema(tmp_path, capsys) -> None:
    from generator.cli import main

    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == json_schema()
    out = tmp_path / "s.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed


def test_cli_schema_output_into_missing_folder_is_a_usage_error(tmp_path, capsys) -> None:
    from generator.cli import main

    assert main(["schema", "-o", str(tmp_path / "no" / "s.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
