"""``pathway diff`` end to end: files, git revisions, exit codes, formats, SVG."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main

BASE = """\
# TEST FIXTURE - NOT CLINICAL ADVICE.
id: wound
title: Wound review (test)
version: "1.9"
status: active
start: check
history:
  - version: "1.9"
    date: 2026-01-10
    summary: Second edition
stages:
  - id: check
    title: Wound check
    kind: assessment
    facts:
      Healing threshold: "50–80 % smaller in 2 weeks"
    next:
      - to: healing
  - id: healing
    title: Healing as expected?
    kind: decision
    next:
      - to: done
        when: "Smaller by 50 % or more"
      - to: dressing
        when: "Not healing"
  - id: dressing
    title: New dressing
    kind: therapy
    next:
      - to: check
  - id: done
    title: Discharged
    kind: outcome
"""

SUBSTANTIVE = BASE.replace('"50–80 % smaller in 2 weeks"', '"60–80 % smaller in 2 weeks"')
BUMPED_HISTORY = SUBSTANTIVE.replace('version: "1.9"\nstatus', 'version: "1.10"\nstatus').replace(
    "history:\n", 'history:\n  - version: "1.10"\n    date: 2026-03-01\n    summary: Stricter healing threshold\n'
)
BUMPED_ONLY = SUBSTANTIVE.replace('version: "1.9"\nstatus', 'version: "1.10"\nstatus')
EDITORIAL = BASE.replace("title: New dressing", "title: Fresh dressing")
REFORMATTED = """\
# the same pathway, written differently
stages:
- {id: check, title: 'Wound check', kind: assessment,
   facts: {Healing threshold: 50–80 % smaller in 2 weeks}, next: [{to: healing}]}
- id: healing
  kind: decision
  title: "Healing as expected?"
  next:
  - {when: 'Smaller by 50 % or more', to: done}
  - {when: Not healing, to: dressing}
- {id: dressing, title: New dressing, kind: therapy, next: [{to: check}]}
- {id: done, title: Discharged, kind: outcome}
history: [{version: '1.9', date: 2026-01-10, summary: Second edition}]
start: check
status: active
version: '1.9'
title: "Wound review (test)"
id: wound
"""
BROKEN = BASE.replace("    kind: therapy\n", "    kind: [therapy\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["diff", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_files_are_valid_fixtures():
    from generator.core.pipeline import check_text

    for text in (BASE, SUBSTANTIVE, BUMPED_HISTORY, BUMPED_ONLY, EDITORIAL, REFORMATTED):
        assert not check_text(text, "x.yaml").has_errors()


def test_markdown_is_the_default(tmp_path, capsys):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", SUBSTANTIVE)
    rc, out, _ = run(capsys, str(old), str(new))
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == "<!-- pathway-diff -->"
    assert lines[1].startswith("**Substantive change: this changes what happens to patients.**")
    assert "~~50–80~~" in out and "**60–80**" in out
    assert "```mermaid" in out


def test_reformatted_file_is_no_clinical_change(tmp_path, capsys):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", REFORMATTED)
    rc, out, _ = run(capsys, str(old), str(new), "--exit-code")
    assert rc == 0
    assert out.splitlines()[1].startswith("**No clinical changes.**")


def test_exit_code_when_different(tmp_path, capsys):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", EDITORIAL)
    assert run(capsys, str(old), str(new))[0] == 0
    assert run(capsys, str(old), str(new), "--exit-code")[0] == 1


@pytest.mark.parametrize("text, expected, says", [
    (SUBSTANTIVE, 1, ["higher version", "history entry"]),
    (BUMPED_ONLY, 1, ["history entry"]),
    (BUMPED_HISTORY, 0, []),
    (EDITORIAL, 0, []),
    (BASE, 0, []),
], ids=["substantive-no-bump", "bump-without-history", "bump-and-history", "editorial", "same"])
def test_require_version_bump(tmp_path, capsys, text, expected, says):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", text)
    rc, _, err = run(capsys, str(old), str(new), "--require-version-bump", "--format", "json")
    assert rc == expected, err
    for words in says:
        assert words in err
    if expected == 1 and "higher version" not in says:
        assert "higher version" not in err  # says exactly what is missing


def test_json_format(tmp_path, capsys):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", BUMPED_HISTORY)
    rc, out, _ = run(capsys, str(old), str(new), "--format", "json")
    doc = json.loads(out)
    assert rc == 0
    assert doc["impact"] == "substantive" and doc["version_bumped"] is True and doc["history_added"] is True
    [fact] = [c for c in doc["changes"] if c["kind"] == "fact-changed"]
    assert (fact["old"], fact["new"]) == ("50–80 % smaller in 2 weeks", "60–80 % smaller in 2 weeks")


def test_text_format_has_no_colour_when_not_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", EDITORIAL)
    rc, out, _ = run(capsys, str(old), str(new), "--format", "text")
    assert rc == 0 and "\033[" not in out
    assert out.startswith("Editorial only")
    assert "New dressing → Fresh dressing" in out


def test_a_side_that_cannot_be_read_exits_1_with_its_problems(tmp_path, capsys):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", BROKEN)
    rc, out, err = run(capsys, str(old), str(new))
    assert rc == 1
    assert f"{new}:" in err and "Traceback" not in err
    assert "NEW" in err
    # The Markdown still tells the pull request why.
    assert out.startswith("<!-- pathway-diff -->\n**Could not compare:**")


def test_an_invalid_but_readable_side_is_still_compared(tmp_path, capsys):
    removed = BASE.replace("  - id: done\n    title: Discharged\n    kind: outcome\n", "")
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", removed)
    rc, out, err = run(capsys, str(old), str(new), "--format", "json")
    assert rc == 0
    assert "new.yaml:" in err  # the validation error is shown, with its position
    kinds = [c["kind"] for c in json.loads(out)["changes"]]
    assert "stage-removed" in kinds and "removed-stage-still-linked" in kinds


@pytest.mark.parametrize("args, message", [
    (["missing.yaml", "also-missing.yaml"], "no such file: missing.yaml"),
    (["."], "is a folder"),
])
def test_usage_errors_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    rc, _, err = run(capsys, *args)
    assert rc == 2
    assert message in err and "Traceback" not in err


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["diff", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "--require-version-bump" in out


# --------------------------------------------------------------------------
# Git revisions

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, check=True, capture_output=True,
    )


@pytest.fixture
def repo(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "pathway.yaml", BASE)
    git(tmp_path, "add", "pathway.yaml")
    git(tmp_path, "commit", "-q", "-m", "first")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@needs_git
def test_diff_against_a_git_revision(repo, capsys):
    path = write(repo, "pathway.yaml", SUBSTANTIVE)
    rc, out, _ = run(capsys, "HEAD:pathway.yaml", str(path))
    assert rc == 0
    assert out.splitlines()[1].startswith("**Substantive change")
    assert "**60–80**" in out


@needs_git
def test_a_bare_revision_means_its_pathway_yaml(repo, capsys):
    write(repo, "pathway.yaml", EDITORIAL)
    rc, out, _ = run(capsys, "main", "--format", "json")  # NEW defaults to ./pathway.yaml
    assert rc == 0
    assert json.loads(out)["impact"] == "editorial"


@needs_git
def test_a_broken_git_side_is_named_ref_colon_path(repo, capsys):
    write(repo, "pathway.yaml", BROKEN)
    git(repo, "commit", "-q", "-am", "broken")
    write(repo, "pathway.yaml", BASE)
    rc, _, err = run(capsys, "HEAD:pathway.yaml", "pathway.yaml")
    assert rc == 1
    assert "HEAD:pathway.yaml:" in err  # FILE:LINE:COL with the git name


@needs_git
@pytest.mark.parametrize("spec, message", [
    ("no-such-branch:pathway.yaml", "unknown git revision 'no-such-branch'"),
    ("HEAD:other.yaml", "'other.yaml' does not exist in HEAD"),
])
def test_git_errors_are_clear(repo, capsys, spec, message):
    rc, _, err = run(capsys, spec, "pathway.yaml")
    assert rc == 2
    assert message in err and "Traceback" not in err


@needs_git
def test_a_revision_is_never_read_as_a_git_option(repo):
    from generator.review.gitsource import GitSourceError, read_git_file

    with pytest.raises(GitSourceError, match="is not a git revision"):
        read_git_file("--output=x:pathway.yaml")
    assert read_git_file("HEAD").name == "HEAD:pathway.yaml"


def test_not_a_git_repository(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write(tmp_path, "pathway.yaml", BASE)
    rc, _, err = run(capsys, "origin/main:pathway.yaml", "pathway.yaml")
    assert rc == 2
    assert "not inside a git repository" in err


# --------------------------------------------------------------------------
# The picture


@pytest.mark.dot
def test_svg_is_written(tmp_path, capsys):
    old = write(tmp_path, "old.yaml", BASE)
    new_text = SUBSTANTIVE.replace("    title: New dressing\n", "    title: Fresh dressing\n").replace(
        "      - to: dressing\n        when: \"Not healing\"\n",
        "      - to: dressing\n        when: \"Not healing\"\n      - to: refer\n        when: \"Infected\"\n",
    ) + "  - id: refer\n    title: Refer to tissue viability\n    kind: referral\n    next:\n      - to: done\n"
    new = write(tmp_path, "new.yaml", new_text)
    svg = tmp_path / "out" / "diff.svg"
    svg.parent.mkdir()
    rc, out, err = run(capsys, str(old), str(new), "--svg", str(svg), "--format", "text")
    assert rc == 0, err
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert "diff_added" in text and "diff_changed" in text and "Key to this diagram" in text
    assert [p.name for p in svg.parent.iterdir()] == ["diff.svg"]  # no temporary file left behind


@pytest.mark.dot
def test_svg_to_an_unwritable_place_is_a_clear_error(tmp_path, capsys):
    old, new = write(tmp_path, "old.yaml", BASE), write(tmp_path, "new.yaml", EDITORIAL)
    rc, out, err = run(capsys, str(old), str(new), "--svg", str(tmp_path / "no" / "such" / "dir.svg"))
    assert rc == 1
    assert "cannot write" in err and "Traceback" not in err
    assert out.startswith("<!-- pathway-diff -->")  # the report itself still comes out
