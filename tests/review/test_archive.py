"""generator.review.archive: reading the tagged versions from git (no site built here)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.core import pipeline
from generator.review.archive import ArchiveError, read_releases

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pathways" / "no-groups.yaml"


def git(repo: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-05-04T10:00:00Z",
           "GIT_COMMITTER_DATE": "2026-05-04T10:00:00Z", "PATH": "/usr/bin:/bin", "HOME": str(repo)}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def commit_version(repo: Path, rel: str, version: str, tag: str | None, *, annotated: bool = False) -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace('version: "2.0.0"', f'version: "{version}"')
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", version)
    if tag:
        git(repo, "tag", *(["-a", "-m", tag] if annotated else []), tag)


def current(path: Path):
    p = pipeline.check_file(path).pathway
    assert p is not None
    return p


def test_versions_are_ordered_by_version_not_tag_name_and_read_from_a_subfolder(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    rel = "pathways/wound/pathway.yaml"
    commit_version(tmp_path, rel, "1.9", "v1.9")
    commit_version(tmp_path, rel, "1.10", "v1.10", annotated=True)
    commit_version(tmp_path, rel, "1.11", None)  # not released yet
    releases, tagged = read_releases(tmp_path / rel, current(tmp_path / rel))
    assert [r.version for r in releases.releases] == ["1.9", "1.10"]
    assert releases.current == "1.11"
    assert [t.name for t in tagged] == [f"v1.9:{rel}", f"v1.10:{rel}"]
    assert releases.releases[0].verdict == "First release."
    assert releases.releases[0].tagged_on.isoformat() == "2026-05-04"  # an annotated tag dates by its commit
    assert b'version: "1.9"' in tagged[0].data


def test_two_tags_of_one_version_are_refused(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    commit_version(tmp_path, "pathway.yaml", "1.0", "v1.0")
    git(tmp_path, "tag", "v1.0-again")
    with pytest.raises(ArchiveError, match="both hold version 1.0"):
        read_releases(tmp_path / "pathway.yaml", current(tmp_path / "pathway.yaml"))


def test_a_tag_without_the_file_is_named(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README").write_text("x")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "readme")
    git(tmp_path, "tag", "v0.0")
    commit_version(tmp_path, "pathway.yaml", "1.0", "v1.0")
    with pytest.raises(ArchiveError, match=r"tag v0\.0: .*does not exist.*--versions PATTERN"):
        read_releases(tmp_path / "pathway.yaml", current(tmp_path / "pathway.yaml"))


def test_no_matching_tag_gives_no_releases_and_outside_git_is_an_error(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    commit_version(tmp_path, "pathway.yaml", "1.0", "release-1")
    releases, tagged = read_releases(tmp_path / "pathway.yaml", current(tmp_path / "pathway.yaml"))
    assert releases.releases == () and tagged == []
    outside = tmp_path.parent / f"{tmp_path.name}-nogit"
    outside.mkdir()
    (outside / "pathway.yaml").write_bytes(FIXTURE.read_bytes())
    with pytest.raises(ArchiveError, match="not inside a git repository"):
        read_releases(outside / "pathway.yaml", current(outside / "pathway.yaml"))


def test_a_version_that_cannot_be_a_folder_name_is_refused(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    commit_version(tmp_path, "pathway.yaml", "1.0/../../x", "v1")
    with pytest.raises(ArchiveError, match="cannot be a folder name"):
        read_releases(tmp_path / "pathway.yaml", current(tmp_path / "pathway.yaml"))
