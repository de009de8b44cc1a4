"""Safe writes: a failed `pathway build` / `pathway generate` leaves what was there byte-for-byte.

* A pathway with an error, or a layout failure in the middle of a build,
  leaves the previous site/ and the previous generated folder unchanged, and
  no temporary folders behind.
* Hand-written files in docs/ are never touched by a build or a generate.
* An output folder holding files the tool did not write is refused, never wiped.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from generator.core import files as output
from generator.cli import main
from generator.core.files import MANIFEST

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
MINIMAL = REPO / "tests" / "fixtures" / "pathways" / "minimal.yaml"
EPOCH = "1795000000"


def tree_hash(root: Path) -> dict[str, str]:
    """sha256 of every file (and the target of every symlink) under root, by relative path."""
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel + "/"] = "dir"
    return out


def leftovers(folder: Path) -> list[str]:
    """Temporary folders the tools create next to their output (.pathway-tmp-*, .site-new-*, .site-old-*)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.chdir(REPO)
    return monkeypatch


@pytest.fixture
def broken(tmp_path) -> Path:
    """A pathway with an error (start names no stage)."""
    p = tmp_path / "broken.yaml"
    p.write_text(MINIMAL.read_text(encoding="utf-8").replace("start: first", "start: nowhere"), encoding="utf-8")
    return p


def _fail_layout(*args, **kwargs):
    from generator.render.layout import LayoutError

    raise LayoutError("simulated failure of dot in the middle of the build")


# ---------------------------------------------------------------------------------------------
# pathway build
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def built_site(tmp_path, env) -> Path:
    site = tmp_path / "out" / "site"
    assert main(["build", str(MINIMAL), "-d", str(site)]) == 0
    assert (site / "index.html").is_file()
    return site


@pytest.mark.dot
@pytest.mark.slow
def test_a_pathway_error_leaves_the_previous_site_intact(built_site, broken, capsys):
    before = tree_hash(built_site)
    assert main(["build", str(broken), "-d", str(built_site)]) == 1
    assert "nothing was built" in capsys.readouterr().err
    assert tree_hash(built_site) == before
    assert leftovers(built_site.parent) == []


@pytest.mark.dot
@pytest.mark.slow
def test_a_layout_failure_mid_build_leaves_the_previous_site_intact(built_site, env, capsys):
    before = tree_hash(built_site)
    env.setattr("generator.render.layout.render_svgs", _fail_layout)
    assert main(["build", str(SEED), "-d", str(built_site)]) == 1
    assert "simulated failure" in capsys.readouterr().err
    assert tree_hash(built_site) == before
    assert leftovers(built_site.parent) == []


@pytest.mark.dot
@pytest.mark.slow
def test_a_failure_while_mkdocs_writes_leaves_the_previous_site_intact(built_site, env, capsys):
    """MkDocs fails after it has started writing pages: the half-written build is thrown away."""
    from mkdocs.commands import build as mkbuild
    from mkdocs.exceptions import BuildError

    real = mkbuild._build_page
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise BuildError("simulated failure while writing a page")
        return real(*args, **kwargs)

    env.setattr(mkbuild, "_build_page", flaky)
    before = tree_hash(built_site)
    assert main(["build", str(SEED), "-d", str(built_site)]) == 1
    assert calls["n"] >= 3
    assert tree_hash(built_site) == before
    assert leftovers(built_site.parent) == []


@pytest.mark.dot
@pytest.mark.slow
def test_a_successful_build_replaces_the_site_and_cleans_up(built_site, env):
    before = tree_hash(built_site)
    assert main(["build", str(SEED), "-d", str(built_site)]) == 0
    after = tree_hash(built_site)
    assert after != before
    assert "stages/medial-branch-block/index.html" in after
    assert "stages/first/index.html" not in after  # the old pathway's pages are gone
    assert leftovers(built_site.parent) == []


@pytest.mark.parametrize("content", ["notes.txt", "sub/thesis.docx"])
def test_build_refuses_a_folder_that_is_not_a_site(tmp_path, env, content, capsys):
    target = tmp_path / "precious"
    (target / content).parent.mkdir(parents=True, exist_ok=True)
    (target / content).write_text("hand-written, not a site", encoding="utf-8")
    before = tree_hash(target)
    assert main(["build", str(MINIMAL), "-d", str(target)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert tree_hash(target) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("where", [".", "..", "docs/.."])
def test_build_refuses_to_replace_the_project_itself(env, where, capsys):
    # Even a project folder that happens to hold an index.html must never be swapped out.
    before = tree_hash(REPO / "docs")
    assert main(["build", str(MINIMAL), "-d", where]) == 2
    err = capsys.readouterr().err
    assert "refusing" in err or "not empty" in err
    assert tree_hash(REPO / "docs") == before


# ---------------------------------------------------------------------------------------------
# pathway generate
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def generated(tmp_path, env) -> Path:
    out = tmp_path / "gen"
    assert main(["generate", str(MINIMAL), "-o", str(out)]) == 0
    assert (out / MANIFEST).is_file() and (out / "index.md").is_file()
    return out


def test_generate_with_a_pathway_error_leaves_the_folder_intact(generated, broken):
    before = tree_hash(generated)
    assert main(["generate", str(broken), "-o", str(generated)]) == 1
    assert tree_hash(generated) == before
    assert leftovers(generated.parent) == []


def test_generate_with_a_layout_failure_leaves_the_folder_intact(generated, env, capsys):
    before = tree_hash(generated)
    env.setattr("generator.render.layout.render_svgs", _fail_layout)
    assert main(["generate", str(SEED), "-o", str(generated)]) == 1
    assert "simulated failure" in capsys.readouterr().err
    assert tree_hash(generated) == before
    assert leftovers(generated.parent) == []


def test_generate_with_a_write_failure_while_staging_leaves_the_folder_intact(generated, env):
    real = Path.write_bytes
    calls = {"n": 0}

    def flaky(self, data):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device (simulated)")
        return real(self, data)

    env.setattr(Path, "write_bytes", flaky)
    before = tree_hash(generated)
    assert main(["generate", str(SEED), "-o", str(generated)]) == 1
    assert tree_hash(generated) == before
    assert leftovers(generated.parent) == []


# Regression (fixed in generator/output.py): files were moved into place one by one with os.replace, so a
# failure part-way through the moves left a mix of old and new pages and an old manifest.  The new folder
# is now built whole and swapped in with two renames; either rename failing leaves the folder as it was.
def test_generate_with_a_failure_while_moving_into_place_leaves_the_folder_intact(generated, env):
    """Each os.replace into or out of the folder that a successful run makes, made to fail in turn."""
    real = os.replace

    def touching(folder, src, dst):
        return any(p == folder or folder in p.parents for p in (Path(src), Path(dst)))

    # How many such renames does a successful run make?  Count them on a copy.
    trial = generated.parent / "trial"
    shutil.copytree(generated, trial, symlinks=True)
    renames = []

    def counting(src, dst):
        if touching(trial, src, dst):
            renames.append(dst)
        return real(src, dst)

    env.setattr(os, "replace", counting)
    assert main(["generate", str(SEED), "-o", str(trial)]) == 0
    shutil.rmtree(trial)
    assert renames

    (generated / "notes.txt").write_text("hand-written\n", encoding="utf-8")
    before = tree_hash(generated)
    for nth in range(1, len(renames) + 1):
        seen, failed = [], []

        def flaky(src, dst):
            if touching(generated, src, dst) and not failed:  # fail once: a rename back must still work
                seen.append(dst)
                if len(seen) == nth:
                    failed.append(dst)
                    raise PermissionError(13, "Permission denied (simulated)")
            return real(src, dst)

        env.setattr(os, "replace", flaky)
        assert main(["generate", str(SEED), "-o", str(generated)]) == 1, f"rename {nth} of {len(renames)}"
        assert failed
        assert tree_hash(generated) == before, f"rename {nth} of {len(renames)}"
        assert leftovers(generated.parent) == []


def test_generate_refuses_a_folder_with_foreign_files(tmp_path, env, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.md").write_text("# My own page\n", encoding="utf-8")
    (out / "notes.txt").write_text("keep me\n", encoding="utf-8")
    before = tree_hash(out)
    assert main(["generate", str(MINIMAL), "-o", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert tree_hash(out) == before
    assert leftovers(tmp_path) == []


def test_generate_keeps_foreign_files_that_appear_later_and_refuses_to_overwrite_them(generated, env, capsys):
    (generated / "notes.txt").write_text("added by hand after a run\n", encoding="utf-8")
    assert main(["generate", str(SEED), "-o", str(generated)]) == 0
    assert (generated / "notes.txt").read_text(encoding="utf-8") == "added by hand after a run\n"
    # A hand-written file where a new page would go: refused, nothing changes.
    target = generated / "stages" / "brand-new.md"
    target.write_text("hand-written\n", encoding="utf-8")
    seed = SEED.read_text(encoding="utf-8").replace("other-cause", "brand-new")  # the id and every link to it
    src = generated.parent / "renamed.yaml"
    src.write_text(seed, encoding="utf-8")
    before = tree_hash(generated)
    assert main(["generate", str(src), "-o", str(generated)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert tree_hash(generated) == before


# Regression (fixed in generator/output.py): write_tree checked the relative path but not where it resolves.
def test_generate_does_not_follow_a_planted_symlink_out_of_the_folder(generated, tmp_path, env):
    """A symlinked sub-folder (e.g. committed in a pull request) must not make generate write elsewhere."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(generated / "stages")
    (generated / "stages").symlink_to(outside, target_is_directory=True)
    (outside / "first.md").write_text("not ours\n", encoding="utf-8")  # a stale page of the old run, by name
    rc = main(["generate", str(SEED), "-o", str(generated)])
    assert rc == 2
    assert [p.name for p in outside.iterdir()] == ["first.md"], "generate wrote or deleted through the symlink"


def test_write_tree_refuses_paths_outside_the_folder(tmp_path):
    for bad in ("../x.md", "/etc/x.md", "a/../../x.md", "a\\..\\x.md", MANIFEST):
        with pytest.raises(output.OutputError):
            output.write_tree(tmp_path / "o", {bad: b"x"})
    assert not (tmp_path / "x.md").exists()


# ---------------------------------------------------------------------------------------------
# Hand-written docs/ are never touched
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, env) -> Path:
    """A copy of the project's site sources: mkdocs.yml, docs/ and the seed pathway."""
    proj = tmp_path / "project"
    proj.mkdir()
    shutil.copy(REPO / "mkdocs.yml", proj / "mkdocs.yml")
    shutil.copy(SEED, proj / "pathway.yaml")
    shutil.copytree(REPO / "docs", proj / "docs", ignore=shutil.ignore_patterns("_generated"))
    env.chdir(proj)
    return proj


@pytest.mark.dot
@pytest.mark.slow
def test_build_and_generate_never_touch_hand_written_docs(project):
    docs = project / "docs"
    before = tree_hash(docs)
    assert main(["build", "-d", "site"]) == 0
    assert tree_hash(docs) == before  # the plugin serves pages from memory: docs/ is not written at all
    assert main(["generate"]) == 0  # default output: docs/_generated
    after = {k: v for k, v in tree_hash(docs).items() if not k.startswith("_generated")}
    assert after == before
    assert (docs / "_generated" / MANIFEST).is_file()
    # A second build with the generated folder present still leaves docs/ alone, and ignores the copies.
    snapshot = tree_hash(docs)
    assert main(["build", "-d", "site"]) == 0
    assert tree_hash(docs) == snapshot
    assert not (project / "site" / "_generated").exists()


@pytest.mark.dot
@pytest.mark.slow
def test_a_failed_build_in_a_project_leaves_docs_and_site_intact(project, env):
    assert main(["build", "-d", "site"]) == 0
    docs_before, site_before = tree_hash(project / "docs"), tree_hash(project / "site")
    env.setattr("generator.render.layout.render_svgs", _fail_layout)
    assert main(["build", "-d", "site"]) == 1
    assert tree_hash(project / "docs") == docs_before
    assert tree_hash(project / "site") == site_before
