"""The pre-commit hooks with a library in pathways/: the changed files only, the whole library when
library.yaml changes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "library"


def _offered() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def _local() -> dict[str, dict]:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {h["id"]: h for r in config["repos"] if r["repo"] == "local" for h in r["hooks"]}


def _runs_for(hook: dict, name: str) -> bool:
    """pre-commit's rule: ``files`` and ``exclude`` are searched (re.search) in the path from the top."""
    return bool(re.search(hook.get("files", ""), name)) and not (
        hook.get("exclude") and re.search(hook["exclude"], name))


@pytest.mark.parametrize("hooks", [_offered(), _local()], ids=["offered", "this-repository"])
def test_which_files_each_hook_gets(hooks: dict[str, dict]) -> None:
    files, library = hooks["pathway-validate"], hooks["pathway-validate-library"]
    for name in ("pathway.yaml", "cardiology/pathway.yml", "pathways/triage.yaml", "pathways/spine-surgery.yml"):
        assert _runs_for(files, name) and not _runs_for(library, name), name
    for name in ("pathways/library.yaml", "pathways/triage.scenarios.yaml", "pathways/old/triage.yaml",
                 "tests/fixtures/library/triage.yaml", "mkdocs.yml", ".github/workflows/pr.yml"):
        assert not _runs_for(files, name), name
    assert _runs_for(library, "pathways/library.yaml")
    assert not _runs_for(library, "tests/fixtures/library/library.yaml")
    assert files.get("pass_filenames", True) is True  # the changed files only
    assert library["pass_filenames"] is False and library["args"] == ["pathways"]
    assert library["entry"] == files["entry"] and files["entry"].endswith("pathway validate")


def _argv(hook: dict, changed: list[str]) -> list[str]:
    """What pre-commit runs: the entry (without the program), the args, then the changed files if passed."""
    _, *argv = hook["entry"].split()
    return [*argv, *hook.get("args", []), *(changed if hook.get("pass_filenames", True) else [])]


def _needs_library_validate(capsys) -> None:
    """On the clean fixture, the library and a file inside it both validate (the hooks' precondition)."""
    ok = main(["validate", str(FIXTURE)]) == 0 and main(["validate", str(FIXTURE / "triage.yaml")]) == 0
    capsys.readouterr()
    assert ok


def test_a_library_yaml_change_checks_every_pathway(tmp_path: Path, monkeypatch, capsys) -> None:
    shutil.copytree(FIXTURE, tmp_path / "pathways")
    monkeypatch.chdir(tmp_path)
    lib = Path("pathways/library.yaml")
    # Remove the shared reference that triage.yaml and surgery.yaml cite: only library.yaml is in the commit.
    text = lib.read_text(encoding="utf-8")
    lib.write_text(text.replace(text[text.index("references:"):text.index("glossary:")], ""), encoding="utf-8")
    hook = _offered()["pathway-validate-library"]
    _needs_library_validate(capsys)
    rc = main(_argv(hook, ["pathways/library.yaml"]))
    out = capsys.readouterr().out
    assert rc == 1
    assert "pathways/triage.yaml:" in out and "pathways/surgery.yaml:" in out and "[unknown-reference]" in out


def test_a_pathway_change_reports_that_file_only(tmp_path: Path, monkeypatch, capsys) -> None:
    shutil.copytree(FIXTURE, tmp_path / "pathways")
    monkeypatch.chdir(tmp_path)
    hook = _offered()["pathway-validate"]
    _needs_library_validate(capsys)
    surgery = Path("pathways/surgery.yaml")
    surgery.write_text(surgery.read_text(encoding="utf-8").replace("kind: outcome", "kind: outcom"), encoding="utf-8")
    capsys.readouterr()
    assert main(_argv(hook, ["pathways/triage.yaml"])) == 0  # surgery.yaml is broken but not in this commit
    assert main(_argv(hook, ["pathways/triage.yaml", "pathways/surgery.yaml"])) == 1
    out = capsys.readouterr().out
    assert "pathways/surgery.yaml:" in out and "pathways/triage.yaml:" not in out
