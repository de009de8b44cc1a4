"""The pre-commit hook this repository offers, and its own pre-commit config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.cli import build_parser

REPO = Path(__file__).resolve().parent.parent


def _hooks() -> list[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def _console_scripts() -> dict[str, str]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    return dict(re.findall(r'^\s*([\w-]+)\s*=\s*"([^"]+)"', section, re.M))


def test_manifest_offers_pathway_validate() -> None:
    hooks = _hooks()
    assert isinstance(hooks, list)
    hook = next(h for h in hooks if h["id"] == "pathway-validate")
    for key in ("id", "name", "entry", "language"):
        assert hook.get(key), key
    assert hook["language"] == "python"  # pre-commit installs this repository as a package


def test_hook_entry_is_a_real_console_script_and_subcommand() -> None:
    hook = next(h for h in _hooks() if h["id"] == "pathway-validate")
    program, *argv = hook["entry"].split()
    assert program in _console_scripts(), f"{program} is not a [project.scripts] entry"
    # The sub-command exists: parsing its arguments (plus a file name) works.
    args = build_parser().parse_args([*argv, "pathway.yaml"])
    assert args.command == "validate" and callable(args.func)


def test_hook_runs_only_for_pathway_files() -> None:
    hook = next(h for h in _hooks() if h["id"] == "pathway-validate")
    files = re.compile(hook["files"])
    for name in ("pathway.yaml", "pathway.yml", "cardiology/pathway.yaml"):
        assert files.search(name), name
    for name in ("mkdocs.yml", "my-pathway.yaml", "pathway.yaml.bak", ".github/workflows/pr.yml"):
        assert not files.search(name), name
    # pre-commit passes the changed files by name (its default), so a pathway anywhere can be checked.
    assert hook.get("pass_filenames", True) is True


def test_hook_command_checks_every_file_pre_commit_passes(capsys) -> None:
    """Run the hook's entry the way pre-commit does: entry + the changed file names."""
    from generator.cli import main

    hook = next(h for h in _hooks() if h["id"] == "pathway-validate")
    _, *argv = hook["entry"].split()
    fixtures = REPO / "tests" / "fixtures"
    good, bad = fixtures / "core" / "valid.yaml", fixtures / "bad" / "unknown-kind.yaml"
    assert main([*argv, str(good), str(good)]) == 0
    assert main([*argv, str(good), str(bad)]) == 1  # the bad one last: every file counts
    out = capsys.readouterr().out
    assert f"{bad}:10:11: error:" in out


def test_repo_config_uses_the_hook_locally_and_pins_the_rest() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = next(r for r in config["repos"] if r["repo"] == "local")
    hook = next(h for h in local["hooks"] if h["id"] == "pathway-validate")
    assert hook["entry"].endswith("pathway validate")
    assert hook.get("pass_filenames", True) is True
    remote = [r for r in config["repos"] if r["repo"] not in ("local", "meta")]
    assert remote, "expected the standard hygiene hooks"
    ids = {h["id"] for r in remote for h in r["hooks"]}
    assert {"trailing-whitespace", "end-of-file-fixer", "check-yaml"} <= ids
    for r in remote:
        assert re.match(r"^v\d+\.\d+\.\d+$", str(r["rev"])) or re.match(r"^[0-9a-f]{40}$", str(r["rev"])), r


def test_pre_commit_itself_accepts_both_files() -> None:
    """When pre-commit is installed, its own validators agree (it is not a test dependency)."""
    pytest.importorskip("pre_commit")
    from pre_commit.clientlib import load_config, load_manifest

    load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    load_config(str(REPO / ".pre-commit-config.yaml"))
