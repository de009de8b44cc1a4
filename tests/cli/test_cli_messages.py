"""No input or option value gives 'internal error', and nothing the CLI prints can hold a control character."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main

VALID = Path(__file__).parents[1] / "fixtures" / "core" / "valid.yaml"
LONG = "x" * 300


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793577600")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    shutil.copy(VALID, tmp_path / "pathway.yaml")
    (tmp_path / "notes.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    monkeypatch.chdir(tmp_path)


def _clean(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err
    assert all(len(line) < 400 for line in err.splitlines())


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "-d", LONG],
        ["build", "-d", f"{LONG}/site"],
        ["generate", "-o", LONG],
        ["pdf", "-o", f"{LONG}.pdf"],
        ["schema", "-o", LONG],
        ["validate", LONG],
        ["review", LONG],
        ["diff", LONG],
        ["build", "-f", "notes.txt"],
        ["serve", "-f", "notes.txt"],
        ["build", "-f", "pathway.yaml"],  # a YAML file, but not a MkDocs config
        ["build", "-f", LONG],
        ["validate", "bad\n::error::name.yaml"],
    ],
    ids=lambda a: " ".join(x[:12] for x in a),
)
def test_odd_option_values_give_a_clear_message(argv, capsys) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert err.startswith("pathway: error: ")
    _clean(err)
    assert err.count("\n") == 1  # one line: a name with a line break cannot add lines


def test_a_too_long_name_says_so(capsys) -> None:
    assert main(["build", "-d", LONG]) == 2
    err = capsys.readouterr().err
    # -d is resolved against the current folder first, so the count is of the whole path.
    assert "too long" in err and "at most 255 characters per file or folder name" in err


def test_a_config_that_is_not_mkdocs_is_refused(capsys) -> None:
    assert main(["build", "-f", "notes.txt"]) == 2
    assert "is not a MkDocs config" in capsys.readouterr().err


def test_pdf_never_overwrites_a_file_that_is_not_a_pdf(capsys) -> None:
    before = Path("notes.txt").read_bytes()
    assert main(["pdf", "-o", "notes.txt"]) == 2
    assert "is not a PDF" in capsys.readouterr().err
    assert Path("notes.txt").read_bytes() == before


def test_a_pathway_value_cannot_forge_a_workflow_command_on_build(capsys) -> None:
    text = Path("pathway.yaml").read_text()
    text = re.sub(r"kind: \w+", lambda m: 'kind: "x\\n::add-mask::secret\\n\\e[2J"', text, count=1)
    assert "::add-mask::" in text
    Path("pathway.yaml").write_text(text)
    assert main(["build", "pathway.yaml", "-d", "out"]) == 1
    err = capsys.readouterr().err
    assert not any(line.startswith("::") for line in err.splitlines())
    assert "\x1b" not in err
    assert "::add-mask::secret" in err  # shown inside a message line, not dropped
