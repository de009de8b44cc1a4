"""``pathway diff`` over two states of a library, read from git objects of a throw-away repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.library import check_library
from generator.review import libreports
from generator.review.library import Status, diff_libraries

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

LIBRARY = """\
title: Test library
references:
  - id: shared-guide
    title: A shared guideline (example)
    url: https://example.org/guide
glossary:
  - term: Medial branch block
    abbr: MBB
    definition: A test injection of local anaesthetic.
"""

BLOCKS = """\
id: blocks
title: Medial branch blocks
version: "1.0.0"
status: active
governance:
  owner: Pain team (example)
  last_reviewed: 2026-01-01
  next_review: 2027-01-01
inputs:
  - id: relief
    label: Pain relief after the block
    type: number
    unit: "%"
    range: [0, 100]
start: block
stages:
  - id: block
    title: MBB
    kind: procedure
    references: [shared-guide]
    next:
      - to: response
  - id: response
    title: Response to the block
    kind: decision
    next:
      - to: ablation
        when: Good relief
        if: relief >= {threshold} %
      - to: conservative
        when: Poor relief
        if: relief < {threshold} %
  - id: ablation
    title: Radiofrequency ablation
    kind: outcome
  - id: conservative
    title: Conservative care
    kind: outcome
"""

SCENARIOS = """\
format: 1
pathway: blocks
scenarios:
  - id: seventy
    name: Seventy per cent relief
    inputs:
      relief: 70 %
    expect:
      reaches: ablation
"""

ADVICE = """\
id: advice
title: Advice and exercise
version: "1.0.0"
status: active
governance:
  owner: Physiotherapy (example)
  next_review: 2027-01-01
start: advise
stages:
  - id: advise
    title: Advice
    kind: therapy
    summary: {summary}
    next:
      - to: done
  - id: done
    title: Done
    kind: outcome
"""

OLDONE = """\
id: old-one
title: An old pathway
version: "1.0.0"
status: retired
governance:
  owner: Nobody (example)
start: only
stages:
  - id: only
    title: Only step
    kind: outcome
"""

NEWONE = OLDONE.replace("old-one", "new-one").replace("An old pathway", "A new pathway").replace("retired", "draft")


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def _write(folder: Path, files: dict[str, str]) -> None:
    for old in folder.glob("*.yaml"):
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


OLD_FILES = {
    "library.yaml": LIBRARY,
    "blocks.yaml": BLOCKS.format(threshold=50),
    "blocks.scenarios.yaml": SCENARIOS,
    "advice.yaml": ADVICE.format(summary="Stay active."),
    "old-one.yaml": OLDONE,
}
NEW_FILES = {
    "library.yaml": LIBRARY.replace("A test injection", "A diagnostic injection"),
    "blocks.yaml": BLOCKS.format(threshold=80),  # substantive: the patient with 70 % now goes elsewhere
    "blocks.scenarios.yaml": SCENARIOS.replace("reaches: ablation", "reaches: conservative"),
    "advice.yaml": ADVICE.format(summary="Stay active and keep moving."),  # editorial
    "new-one.yaml": NEWONE,  # added; old-one removed
}


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose first commit has the old library in pathways/, the work tree the new one (committed too)."""
    repo = tmp_path / "repo"
    folder = repo / "pathways"
    folder.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _write(folder, OLD_FILES)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "old")
    _git(repo, "tag", "v1")
    _write(folder, NEW_FILES)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "new")
    monkeypatch.chdir(repo)
    return repo


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["diff", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_each_pathway_is_listed_with_its_class(repo: Path, capsys) -> None:
    rc, out, err = _run(capsys, "v1:pathways", "pathways", "--format", "json")
    assert rc == 0 and "error" not in err, err  # both states are valid libraries
    doc = json.loads(out)
    assert doc["impact"] == "substantive"
    got = {(p["id"], p["status"], p["impact"]) for p in doc["pathways"]}
    assert got == {("blocks", "changed", "substantive"), ("advice", "changed", "editorial"),
                   ("new-one", "added", "substantive"), ("old-one", "removed", "substantive")}
    # Most important first: the substantive change with a re-routed patient leads, editorial last.
    assert [p["id"] for p in doc["pathways"]] == ["blocks", "old-one", "new-one", "advice"]
    blocks = doc["pathways"][0]
    assert blocks["rerouted"] == 1 and blocks["old_file"] == "v1:pathways/blocks.yaml"
    assert blocks["new_file"] == "pathways/blocks.yaml"
    kinds = [c["kind"] for c in blocks["diff"]["changes"]]
    assert kinds[0] == "scenario-rerouted" and "condition-changed" in kinds
    # The shared glossary entry is reported once, with the pathway that mentions it ("MBB"), not per pathway.
    assert [(s["kind"], s["used_by"]) for s in doc["shared"]] == [("glossary-redefined", ["blocks"])]
    assert not any(c["kind"].startswith("glossary") for p in doc["pathways"] if p["diff"]
                   for c in p["diff"]["changes"])
    assert doc["counts"]["added"] == 1 and doc["counts"]["removed"] == 1
    assert doc["counts"]["changed"] == 2 and doc["counts"]["rerouted"] == 1


def test_markdown_groups_pathways_most_important_first(repo: Path, capsys) -> None:
    rc, out, _ = _run(capsys, "v1", "pathways")  # a bare ref means the same folder in that revision
    assert rc == 0
    assert out.startswith("<!-- pathway-diff -->\n**Substantive change")
    assert "2 changed, 1 added, 1 removed, 1 shared entry changed; 1 patient re-routed" in out
    table = out.split("| Class | Pathway |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| 🔴") or line.startswith("| 🟡")]
    assert [r.split("`")[1] for r in rows] == ["blocks", "old-one", "new-one", "advice"]
    assert "1 patient re-routed" in rows[0] and "needs a version bump and a history entry" in rows[0]
    sections = [line for line in out.splitlines() if line.startswith("### ")]
    assert sections[0].startswith("### Shared glossary and references")
    assert [s.split("`")[1] for s in sections[1:]] == ["blocks", "old-one", "new-one", "advice"]
    blocks = out.split("### 🔴 Medial branch blocks", 1)[1].split("\n### ", 1)[0]
    assert "#### Patients this change re-routes (1)" in blocks
    assert "Seventy per cent relief" in blocks
    assert "Conservative care" in blocks
    assert "| Medial branch blocks `blocks` |" in out.split("### Shared", 1)[1]


def test_text_report(repo: Path, capsys) -> None:
    rc, out, _ = _run(capsys, "v1:pathways", "pathways", "--format", "text")
    assert rc == 0
    lines = out.splitlines()
    assert lines[0].startswith("Substantive change")
    assert lines[3].split() [:2] == ["substantive", "Medial"]
    assert "1 patient re-routed" in lines[3] and "needs a version bump and a history entry" in lines[3]
    assert any(line.strip().startswith("editorial") and "(advice)" in line for line in lines)
    assert "== Medial branch blocks (blocks): changed, substantive ==" in out
    assert "[used by: blocks]" in out


def test_version_bump_is_required_per_pathway(repo: Path, capsys) -> None:
    rc, _, err = _run(capsys, "v1:pathways", "pathways", "--require-version-bump")
    assert rc == 1
    assert "pathways/blocks.yaml: this change alters what happens to patients in Medial branch blocks" in err
    assert "advice" not in err  # an editorial change needs no bump; added and removed pathways neither
    # Bump blocks (version and history): now the check passes though advice still has its old version.
    text = (repo / "pathways" / "blocks.yaml").read_text(encoding="utf-8").replace('version: "1.0.0"',
                                                                                     'version: "1.1.0"')
    text += "history:\n  - version: \"1.1.0\"\n    date: 2026-06-01\n    summary: Threshold raised to 80 %.\n"
    (repo / "pathways" / "blocks.yaml").write_text(text, encoding="utf-8")
    rc, _, err = _run(capsys, "v1:pathways", "pathways", "--require-version-bump")
    assert rc == 0, err


def test_exit_code_and_no_change(repo: Path, capsys) -> None:
    assert _run(capsys, "v1:pathways", "HEAD:pathways", "--exit-code")[0] == 1
    rc, out, _ = _run(capsys, "HEAD", "pathways", "--exit-code")
    assert rc == 0 and "No clinical changes" in out


def test_reads_git_objects_without_touching_the_work_tree(repo: Path, capsys) -> None:
    before = _git(repo, "status", "--porcelain")
    rc, out, _ = _run(capsys, "v1:pathways", "HEAD:pathways", "--format", "json")
    assert rc == 0 and json.loads(out)["counts"]["changed"] == 2
    assert _git(repo, "status", "--porcelain") == before


def test_a_side_that_cannot_be_read_is_not_reported_as_removed(repo: Path, capsys) -> None:
    (repo / "pathways" / "advice.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    rc, out, err = _run(capsys, "v1:pathways", "pathways")
    assert rc == 1
    assert "pathways/advice.yaml:2:1: error:" in err and "cannot be read as a library" in err
    assert "**Could not compare:** pathways cannot be read as a library" in out and "removed" not in out


def test_usage_errors(repo: Path, capsys) -> None:
    (repo / "single.yaml").write_text(OLDONE, encoding="utf-8")
    rc, _, err = _run(capsys, "pathways", "single.yaml")
    assert rc == 2 and "pathways is a library (a folder with library.yaml) but single.yaml is not" in err
    (repo / "empty").mkdir()
    rc, _, err = _run(capsys, "empty", "pathways")
    assert rc == 2 and "but empty is not" in err
    rc, _, err = _run(capsys, "v1:pathways", "v1:pathways/blocks.yaml")
    assert rc == 2 and "but v1:pathways/blocks.yaml is not" in err
    rc, _, err = _run(capsys, "nosuchref:pathways", "pathways")
    assert rc == 2
    rc, _, err = _run(capsys, "v1:pathways", "pathways", "--svg", "x.svg")
    assert rc == 2 and "--svg" in err


def _big(tmp_path: Path, n: int) -> tuple:
    """Two states of a library of ``n`` pathways, every one changed substantively and in wording."""
    states = []
    for label, word in (("old", "Stay active."), ("new", "Stay active and keep moving, " * 30)):
        folder = tmp_path / label
        folder.mkdir()
        (folder / "library.yaml").write_text("title: Big library\n", encoding="utf-8")
        for i in range(n):
            text = ADVICE.format(summary=word).replace("id: advice", f"id: p{i:03}")
            text = text.replace("title: Advice and exercise", f"title: Pathway {i:03}")
            if label == "new":
                text = text.replace("kind: therapy", "kind: procedure")
            (folder / f"p{i:03}.yaml").write_text(text, encoding="utf-8")
        states.append(check_library(folder))
    return tuple(states)


def test_a_change_to_200_pathways_fits_in_one_comment(tmp_path: Path) -> None:
    old, new = _big(tmp_path, 200)
    diff = diff_libraries(old, new)
    assert len(diff.pathways) == 200 and all(p.status is Status.CHANGED for p in diff.pathways)
    md = libreports.format_markdown(diff)
    assert len(md) <= libreports.MARKDOWN_BUDGET < 65_536
    assert "more changed pathways are not shown here" in md and "`diff-report` artifact" in md
    shown = md.count("\n### ")
    assert 0 < shown < 200
    # The count is right: sections shown plus the ones counted make 200.
    left = int(md.rsplit("\n_", 1)[1].split()[0])
    assert shown + left == 200
    # Every pathway is in the machine-readable report.
    assert len(json.loads(libreports.format_json(diff))["pathways"]) == 200
