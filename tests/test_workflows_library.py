"""The workflows with a library (pathways/library.yaml): the PR checks' shell steps run for real in a
throw-away repository, and the reminder's and the comment's scripts against a fake GitHub API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
SCRIPT_RUNNER = REPO / "tests" / "js" / "github-script.mjs"
FIXTURE = REPO / "tests" / "fixtures" / "library"

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")


def _steps(workflow: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((WORKFLOWS / workflow).read_text(encoding="utf-8"))
    return {s.get("name", ""): s for job in data["jobs"].values() for s in job.get("steps", [])}


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _run_step(workflow: str, name: str, cwd: Path, env: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """Run a step's ``run:`` script as GitHub does (bash -e), with its outputs and log."""
    script = _steps(workflow)[name]["run"]
    out_file, summary = cwd / ".gh-output", cwd / ".gh-summary"
    out_file.write_text("", encoding="utf-8")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(summary), "NO_COLOR": "1",
             **env}, timeout=300)
    outputs = dict(line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines() if "=" in line)
    return proc.returncode, outputs, proc.stdout + proc.stderr


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A pull request's checkout: origin/main has the fixture library, the work tree changes two pathways."""
    repo = tmp_path / "checkout"
    (repo / ".venv" / "bin").mkdir(parents=True)
    tool = repo / ".venv" / "bin" / "pathway"
    tool.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m generator "$@"\n', encoding="utf-8")
    tool.chmod(0o755)
    shutil.copytree(FIXTURE, repo / "pathways")
    (repo / ".gitignore").write_text(".venv/\n.gh-*\ndiff-report/\n", encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    triage = repo / "pathways" / "triage.yaml"
    triage.write_text(triage.read_text(encoding="utf-8").replace("when: Settles with advice", "when: Settles"),
                      encoding="utf-8")
    surgery = repo / "pathways" / "surgery.yaml"
    surgery.write_text(surgery.read_text(encoding="utf-8").replace("Surgical consultation", "Surgical consult"),
                       encoding="utf-8")
    (repo / "diff-report").mkdir()
    return repo


def test_layout_step_finds_a_library_or_the_single_file(tmp_path: Path) -> None:
    single = tmp_path / "single"
    single.mkdir()
    rc, out, _ = _run_step("pr.yml", "Find the pathways", single, {})
    assert rc == 0 and out == {"target": "pathway.yaml", "library": "false"}
    (single / "pathway.scenarios.yaml").write_text("", encoding="utf-8")
    assert _run_step("pr.yml", "Find the pathways", single, {})[1]["scenarios"] == "true"
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib / "pathways")
    (lib / "pathway.scenarios.yaml").write_text("", encoding="utf-8")  # not the library's
    rc, out, _ = _run_step("pr.yml", "Find the pathways", lib, {})
    assert rc == 0 and out == {"target": "pathways", "library": "true"}
    (lib / "pathways" / "triage.scenarios.yaml").write_text("", encoding="utf-8")
    assert _run_step("pr.yml", "Find the pathways", lib, {})[1]["scenarios"] == "true"


def test_diff_step_compares_the_library_with_the_base(checkout: Path) -> None:
    env = {"BASE_REF": "main", "LIBRARY": "true"}
    rc, out, log = _run_step("pr.yml", "Compare with the base branch", checkout, env)
    assert rc == 0, log
    assert out == {"base": "present"}
    md = (checkout / "diff-report" / "diff.md").read_text(encoding="utf-8")
    assert md.startswith("<!-- pathway-diff -->\n**Substantive change")
    assert md.index("`triage`") < md.index("`surgery`")  # substantive before editorial
    doc = json.loads((checkout / "diff-report" / "diff.json").read_text(encoding="utf-8"))
    assert [(p["id"], p["impact"]) for p in doc["pathways"]] == [("triage", "substantive"), ("surgery", "editorial")]
    assert "== Back pain triage (triage): changed, substantive ==" in (
        checkout / "diff-report" / "diff.txt").read_text(encoding="utf-8")
    assert md in (checkout / ".gh-summary").read_text(encoding="utf-8")
    # The version check: triage changed what happens to patients without a bump.
    rc, _, log = _run_step("pr.yml", "Require a version bump for substantive changes", checkout, env)
    assert rc == 1
    assert "pathways/triage.yaml: this change alters what happens to patients in Back pain triage" in log
    assert "surgery.yaml" not in log.split("::error", 1)[0]  # editorial: no bump needed
    assert "::error file=pathways/library.yaml::" in log


def test_diff_step_with_a_base_that_has_no_library(checkout: Path) -> None:
    _git(checkout, "update-ref", "refs/remotes/origin/main", "HEAD")
    _git(checkout, "rm", "-q", "-r", "--cached", "pathways")
    (checkout / "pathway.yaml").write_text("x: 1\n", encoding="utf-8")
    _git(checkout, "add", "pathway.yaml")
    _git(checkout, "commit", "-q", "-m", "single")
    _git(checkout, "update-ref", "refs/remotes/origin/main", "HEAD")
    rc, out, log = _run_step("pr.yml", "Compare with the base branch", checkout, {"BASE_REF": "main",
                                                                                   "LIBRARY": "true"})
    assert rc == 0, log
    assert "base" not in out  # so the version check is skipped
    assert "**New library:**" in (checkout / "diff-report" / "diff.md").read_text(encoding="utf-8")


def test_validate_build_and_test_steps_name_the_library() -> None:
    steps = _steps("pr.yml")
    for name in ("Validate the pathways", "Run the patient scenarios", "Build the website"):
        assert steps[name]["env"]["TARGET"] == "${{ steps.layout.outputs.target }}"
        assert '"$TARGET"' in steps[name]["run"]
    assert "steps.layout.outputs.library != 'true'" in steps["Build the PDF handbook"]["if"]
    paths = yaml.safe_load((WORKFLOWS / "pr.yml").read_text(encoding="utf-8"))[True]["pull_request"]["paths"]
    assert "pathways/**" in paths


# --- the reminder and the comment, in Node against a fake GitHub API ------------------


def _script(workflow: str) -> str:
    return next(s for s in _steps(workflow).values() if s.get("uses", "").startswith("actions/github-script@"))[
        "with"]["script"]


def _run_script(workflow: str, workdir: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: run `make test`, which installs it")
    (workdir / "script.js").write_text(_script(workflow), encoding="utf-8")
    (workdir / "scenario.json").write_text(json.dumps(scenario), encoding="utf-8")
    proc = subprocess.run([node, str(SCRIPT_RUNNER), str(workdir / "script.js"), str(workdir / "scenario.json")],
                          cwd=workdir, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _review_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str, folder: Path = FIXTURE) -> None:
    """review.json as the reminder's step writes it, from the real command."""
    from generator.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "review.json"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["review", str(folder), "--within", "90", "--format", "json"])
    out.write_text(buf.getvalue(), encoding="utf-8")


def _reminder(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"context": {"repo": {"owner": "example-org", "repo": "pathways"}, "serverUrl": "https://github.com",
                        "runId": 5}, "issues": issues}


def test_reminder_opens_one_issue_listing_every_pathway_due(tmp_path: Path, monkeypatch) -> None:
    lib = tmp_path / "lib"
    shutil.copytree(FIXTURE, lib)
    triage = lib / "triage.yaml"
    triage.write_text(triage.read_text(encoding="utf-8").replace("2027-06-01", "2026-07-01"), encoding="utf-8")
    _review_json(tmp_path, monkeypatch, "1780272000", lib)  # 2026-06-01
    out = _run_script("review-reminder.yml", tmp_path, _reminder([{"number": 3, "body": "unrelated"}]))
    assert [c[0] for c in out["calls"]] == ["issues.listForRepo", "issues.create"]
    params = out["calls"][-1][1]
    assert params["title"] == 'Clinical review: 2 pathways of "Spinal services (test library)" due (1 overdue)'
    body = params["body"]
    assert body.startswith("<!-- pathway-review-reminder -->")
    first, second = (line for line in body.splitlines() if line.startswith("- [ ]"))
    assert "**Facet joint injections**" in first and "overdue by 142 days" in first and "Pain team" in first
    assert "**Back pain triage**" in second and "due in 30 days" in second
    assert "surgery" not in body  # not due (no date)
    # Idempotent: the next week refreshes the same issue.
    out = _run_script("review-reminder.yml", tmp_path, _reminder([{"number": 9, "body": body}]))
    assert [c[0] for c in out["calls"]] == ["issues.listForRepo", "issues.update"]
    assert out["calls"][-1][1]["issue_number"] == 9


def test_reminder_closes_the_library_issue_when_nothing_is_due(tmp_path: Path, monkeypatch) -> None:
    _review_json(tmp_path, monkeypatch, "1735689600")  # 2025-01-01: nothing due within 90 days
    issue = {"number": 9, "body": "<!-- pathway-review-reminder -->\nold"}
    out = _run_script("review-reminder.yml", tmp_path, _reminder([issue]))
    assert [c[0] for c in out["calls"]] == ["issues.listForRepo", "issues.createComment", "issues.update"]
    assert out["calls"][-1][1]["state"] == "closed"
    out = _run_script("review-reminder.yml", tmp_path, _reminder([]))
    assert [c[0] for c in out["calls"]] == ["issues.listForRepo"]


def test_comment_for_a_200_pathway_change_fits_on_github(tmp_path: Path) -> None:
    from generator.core.library import check_library
    from generator.review import libreports
    from generator.review.library import diff_libraries

    states = []
    for label in ("old", "new"):
        folder = tmp_path / label
        folder.mkdir()
        (folder / "library.yaml").write_text("title: Big library\n", encoding="utf-8")
        for i in range(200):
            stages = "".join(
                f"  - id: s{j}\n    title: Step {j} {'changed ' * 20 if label == 'new' else ''}\n"
                f"    kind: {'procedure' if label == 'new' and j % 2 else 'assessment'}\n"
                f"    next:\n      - to: s{j + 1}\n" for j in range(25))
            (folder / f"p{i:03}.yaml").write_text(
                f"id: p{i:03}\ntitle: Pathway {i:03}\nversion: \"1.0.0\"\nstatus: active\nstart: s0\nstages:\n"
                f"{stages}  - id: s25\n    title: End\n    kind: outcome\n", encoding="utf-8")
        states.append(check_library(folder))
    md = libreports.format_markdown(diff_libraries(*states))
    report = tmp_path / "diff-report"
    report.mkdir()
    (report / "pr-number").write_text("42\n", encoding="utf-8")
    (report / "diff.md").write_text(md, encoding="utf-8")
    head = "a" * 40
    scenario = {
        "context": {"repo": {"owner": "example-org", "repo": "pathways"},
                    "payload": {"workflow_run": {"id": 77, "head_sha": head, "conclusion": "success",
                                                 "html_url": "https://example.invalid/run/1"}}},
        "pr": {"head": {"sha": head}}, "comments": [],
        "jobs": [{"name": "Validate, build, diff and test",
                  "steps": [{"name": "Compare with the base branch", "conclusion": "success"},
                            {"name": "Require a version bump for substantive changes", "conclusion": "failure"}]}],
        "files": [{"filename": "pathways/p000.yaml"}],
    }
    out = _run_script("pr-comment.yml", tmp_path, scenario)
    body = out["calls"][-1][1]["body"]
    assert len(body) < 65_536
    assert "cut short" not in body  # the report fitted by itself: truncated with a count, not sliced
    assert "more changed pathways are not shown here" in body and "`diff-report` artifact" in body
    assert "Version check failed" in body
    assert body.count("| 🔴 substantive |") + ("more changed pathway" in body) > 1
