"""The JSON Schema: derived from generator.core.schema, kept current, and agreeing with an independent validator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.cli.schema import schema_text
from generator.core.schema import PATHWAY, json_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schema" / "pathway.schema.json"
VALID = REPO / "tests" / "fixtures" / "core" / "valid.yaml"
BAD = REPO / "tests" / "fixtures" / "bad"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


SHIPPED_FILE = REPO / "generator" / "core" / "pathway.schema.json"


@pytest.mark.parametrize("path", [SCHEMA_FILE, SHIPPED_FILE], ids=["repository", "package"])
def test_schema_files_are_current(path: Path) -> None:
    rel = path.relative_to(REPO)
    assert path.read_text(encoding="utf-8") == schema_text(), f"{rel} is stale: run 'pathway schema -o {rel}'"


def test_schema_is_package_data_and_found_from_the_installed_package(capsys) -> None:
    import tomllib

    from generator.cli import main
    from generator.cli.schema import shipped_schema

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "pathway.schema.json" in config["tool"]["setuptools"]["package-data"]["generator.core"]
    assert json.loads(shipped_schema().read_text(encoding="utf-8")) == json_schema()
    assert main(["schema", "--path"]) == 0
    assert Path(capsys.readouterr().out.strip()) == Path(str(shipped_schema()))


@pytest.mark.slow
def test_the_built_wheel_carries_the_schema(tmp_path: Path) -> None:
    """What pip installs from the package (not the checkout) has the schema beside generator/core/schema.py."""
    import shutil
    import zipfile

    # A copy of what the build reads, so setuptools' build/ folder is not left in the checkout.
    src = tmp_path / "src"
    shutil.copytree(REPO / "generator", src / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    out = tmp_path / "wheel"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        assert json.loads(z.read("generator/core/pathway.schema.json")) == json_schema()


def test_schema_id_is_a_stable_address_on_the_repositorys_pages_site() -> None:
    """The $id is where deploy.yml publishes the schema, under the repository named in mkdocs.yml."""
    import re

    schema_id = json_schema()["$id"]
    repo_url = re.search(r"^repo_url:\s*(\S+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)
    owner, name = repo_url.rstrip("/").split("/")[-2:]
    assert schema_id == f"https://{owner}.github.io/{name}/schema/pathway-1.schema.json", (
        "the schema's $id must follow mkdocs.yml's repo_url: change SCHEMA_ID in generator/core/schema.py"
    )
    deploy = (REPO / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert "cp schema/pathway.schema.json site/schema/pathway-1.schema.json" in deploy


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


# --- the schema's own verdicts, with the jsonschema library (what an editor would mark) -----------

from generator.core.pipeline import check_file, check_text  # noqa: E402
from generator.core.schema import SCHEMA_RULES  # noqa: E402


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it: dates stay text (YAML 1.2 has no timestamp type)."""


_EditorLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def schema_errors(text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [e.message for e in validator.iter_errors(yaml.load(text, Loader=_EditorLoader))]


GOOD = sorted([VALID, *(REPO / "tests" / "fixtures" / "pathways").glob("*.yaml"), REPO / "pathway.yaml"])


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_schema_accepts_what_the_checker_accepts(path: Path) -> None:
    assert not check_file(str(path)).errors, "fixture is meant to be valid"
    assert schema_errors(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("rule", sorted(SCHEMA_RULES))
def test_schema_rejects_each_bad_fixture_it_encodes(rule: str) -> None:
    """Every rule the schema claims to state: its bad fixture is marked by the schema too."""
    path = BAD / f"{rule}.yaml"
    assert rule in {p.rule for p in check_file(str(path)).errors}
    assert schema_errors(path.read_text(encoding="utf-8")), f"the schema lets {path.name} through"


# The flow rules, each on its smallest file (the checker's verdict first, so these test the schema).
_FLOW = """\
id: p
title: P
version: "1"
status: draft
start: a
stages:
  - id: a
    title: A
    kind: {kind}
{next}  - id: b
    title: B
    kind: outcome
"""


@pytest.mark.parametrize(
    "kind, next_, rule, message",
    [
        ("decision", "", "decision-branches", "'next' is a required property"),
        ("decision", "    next:\n      - to: b\n        when: Yes\n", "decision-branches", "is too short"),
        ("decision", "    next:\n      - to: b\n        when: x\n      - to: b\n", "missing-when", "'when' is a required property"),
        ("decision", "    next:\n      - to: b\n        when: x\n      - to: b\n        when: '  '\n", "missing-when", "does not match"),
        ("outcome", "    next:\n      - to: b\n", "outcome-has-next", "expected to be empty"),
    ],
    ids=["decision-without-next", "decision-one-branch", "branch-without-when", "blank-when", "outcome-with-next"],
)
def test_schema_flags_the_flow_rules(kind: str, next_: str, rule: str, message: str) -> None:
    text = _FLOW.format(kind=kind, next=next_)
    assert rule in {p.rule for p in check_text(text.encode(), "p.yaml").errors}
    errors = schema_errors(text)
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize(
    "kind, next_",
    [
        ("decision", "    next:\n      - to: b\n        when: No\n      - to: b\n        when: 1.5\n"),
        ("outcome", "    next: []\n"),
        ("outcome", "    next:\n"),
        ("assessment", "    next:\n      - to: b\n"),  # a 'when' is optional outside decisions
    ],
    ids=["decision-yaml-typed-whens", "outcome-empty-list", "outcome-empty-next", "assessment-without-when"],
)
def test_schema_allows_the_near_misses_the_checker_allows(kind: str, next_: str) -> None:
    text = _FLOW.format(kind=kind, next=next_)
    assert not check_text(text.encode(), "p.yaml").errors
    assert schema_errors(text) == []


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from strategies import pathway_docs, to_yaml  # noqa: E402


@settings(max_examples=40)
@given(doc=pathway_docs(), kind=st.sampled_from(["decision", "outcome", "assessment"]), which=st.integers(0, 20),
       drop_when=st.booleans())
def test_schema_never_marks_a_file_the_checker_accepts(doc: dict, kind: str, which: int, drop_when: bool) -> None:
    """Generated pathways, with one stage's kind changed and maybe a 'when' dropped: if the schema
    marks the file, the checker reports an error too (an editor never shows a false alarm)."""
    stage = doc["stages"][which % len(doc["stages"])]
    stage["kind"] = kind
    if drop_when and stage.get("next"):
        stage["next"][0].pop("when", None)
    text = to_yaml(doc)
    if schema_errors(text):
        assert check_text(text.encode(), "p.yaml").errors, text
