"""Safe writes: a failed `pathway build` / `pathway generate` leaves what was there byte-for-byte.

* A pathway with an error, or a layout failure in the middle of a build,
  leaves the previous site/ and the previous generated folder unchanged, and
  no temporary folders behind.
* Hand-written files in docs/ are never touched by a build or a generate.
* An output folder holding files the tool did not write is refused, never wiped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
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
    assert (out / MANIFEST).is_file() and (out / "docs" / "index.md").is_file()  # a project: pages in docs/
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
    target = generated / "docs" / "stages" / "brand-new.md"
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
    shutil.rmtree(generated / "docs" / "stages")
    (generated / "docs" / "stages").symlink_to(outside, target_is_directory=True)
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
    assert main(["generate"]) == 0  # default output: pathway-site/, a project of its own beside docs/
    assert tree_hash(docs) == before
    assert (project / "pathway-site" / MANIFEST).is_file()
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


# ---------------------------------------------------------------------------------------------
# Round two (issue 10): only what the tool wrote is touched; paths, symlinks, locks, special files
# ---------------------------------------------------------------------------------------------


def pathway_cli(*args: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """`pathway ARGS` in a child process (for kill -9, concurrency and FIFOs)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or REPO, env=env,
                          capture_output=True, text=True, **kwargs)


def foreign_folder(target: Path) -> dict[str, str]:
    """A folder as a user might point -d at: an old index.html, notes, a CNAME and a git checkout."""
    (target / ".git" / "refs").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    (target / "index.html").write_text("<p>an old site</p>\n", encoding="utf-8")
    (target / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (target / "CNAME").write_text("pathways.example.org\n", encoding="utf-8")
    return {k: v for k, v in tree_hash(target).items() if k != "index.html"}


@pytest.mark.dot
@pytest.mark.slow
def test_build_into_a_foreign_folder_is_refused_and_take_over_keeps_every_foreign_file(tmp_path, env, capsys):
    target = tmp_path / "public"
    foreign = foreign_folder(target)
    before = tree_hash(target)
    assert main(["build", str(MINIMAL), "-d", str(target)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--take-over" in err
    assert tree_hash(target) == before
    assert main(["build", str(MINIMAL), "-d", str(target), "--take-over"]) == 0
    after = tree_hash(target)
    assert {k: after.get(k) for k in foreign} == foreign  # notes.txt, CNAME, .git/ byte for byte
    assert (target / MANIFEST).is_file() and "an old site" not in (target / "index.html").read_text()
    # The folder is the build's now: the next build needs no flag, and still keeps the user's files.
    assert main(["build", str(SEED), "-d", str(target)]) == 0
    after = tree_hash(target)
    assert {k: after.get(k) for k in foreign} == foreign
    assert "stages/first/index.html" not in after  # the previous build's pages are replaced
    assert leftovers(tmp_path) == []


@pytest.mark.dot
@pytest.mark.slow
def test_a_relative_site_dir_from_another_folder_is_built_there(tmp_path, env):
    """Was: site/ left empty and a .site-new-* folder in the checkout (MkDocs resolved it against mkdocs.yml)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env.chdir(elsewhere)
    before = sorted(p.name for p in REPO.iterdir())
    assert main(["build", str(MINIMAL), "-d", "out/site", "-f", str(REPO / "mkdocs.yml")]) == 0
    assert (elsewhere / "out" / "site" / "index.html").is_file()
    assert (elsewhere / "out" / "site" / "stages" / "first" / "index.html").is_file()
    assert sorted(p.name for p in REPO.iterdir()) == before  # nothing new in the checkout
    assert leftovers(elsewhere / "out") == []


def test_a_relative_generate_output_from_another_folder_is_written_there(tmp_path, env):
    env.chdir(tmp_path)
    before = sorted(p.name for p in REPO.iterdir())
    assert main(["generate", str(MINIMAL), "-o", "gen"]) == 0
    assert (tmp_path / "gen" / "docs" / "index.md").is_file()
    assert sorted(p.name for p in REPO.iterdir()) == before


@pytest.mark.dot
@pytest.mark.slow
def test_a_failure_of_the_final_swap_leaves_the_previous_site_in_place(built_site, env, capsys):
    """The rename of the new build onto SITE_DIR fails (injected): the previous site is put back."""
    before = tree_hash(built_site)
    real = os.replace
    failed = []

    def flaky(src, dst):
        if Path(dst) == built_site and not failed:
            failed.append(src)
            raise PermissionError(13, "Permission denied (simulated)")
        return real(src, dst)

    env.setattr(os, "replace", flaky)
    assert main(["build", str(SEED), "-d", str(built_site)]) == 1
    assert failed
    assert "cannot write" in capsys.readouterr().err
    assert tree_hash(built_site) == before
    assert leftovers(built_site.parent) == []


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_bytes(MINIMAL.read_bytes())
    new.write_text(MINIMAL.read_text(encoding="utf-8").replace("First", "First step"), encoding="utf-8")
    return old, new


@pytest.mark.parametrize("which", ["new", "old", "link-to-new"])
def test_diff_svg_onto_an_input_is_refused(tmp_path, env, capsys, which):
    old, new = _pair(tmp_path)
    (tmp_path / "link.yaml").symlink_to(new)
    target = {"new": new, "old": old, "link-to-new": tmp_path / "link.yaml"}[which]
    before = tree_hash(tmp_path)
    assert main(["diff", str(old), str(new), "--svg", str(target)]) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert tree_hash(tmp_path) == before


@pytest.mark.parametrize("command", [["generate", "-o"], ["pdf", "-o"], ["build", "-d"]])
def test_an_output_that_is_the_input_is_refused(tmp_path, env, capsys, command):
    src = tmp_path / "pathway.yaml"
    src.write_bytes(MINIMAL.read_bytes())
    before = tree_hash(tmp_path)
    assert main([command[0], str(src), command[1], str(src)]) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert tree_hash(tmp_path) == before


def test_generate_into_a_symlinked_folder_follows_it_and_keeps_the_link(tmp_path, env):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to("real", target_is_directory=True)
    assert main(["generate", str(MINIMAL), "-o", str(tmp_path / "out")]) == 0
    assert main(["generate", str(SEED), "-o", str(tmp_path / "out")]) == 0
    assert os.readlink(tmp_path / "out") == "real"
    assert (real / MANIFEST).is_file() and (real / "docs" / "stages" / "medial-branch-block.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "real"]  # no .out-old-* link left behind


def test_generate_into_a_dangling_symlink_is_refused(tmp_path, env, capsys):
    (tmp_path / "out").symlink_to(tmp_path / "gone", target_is_directory=True)
    assert main(["generate", str(MINIMAL), "-o", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "gone").exists()


@pytest.mark.dot
@pytest.mark.slow
def test_a_build_killed_with_sigkill_is_cleaned_up_by_the_next_one(built_site):
    """The child dies between its two renames (the worst moment); the next build restores and replaces."""
    before = tree_hash(built_site)
    (built_site / "CNAME").write_text("pathways.example.org\n", encoding="utf-8")
    code = ("import os, signal, sys\nreal = os.replace\n"
            "def rep(src, dst):\n    real(src, dst)\n"
            "    if str(dst).endswith('/old'): os.kill(os.getpid(), signal.SIGKILL)\n"
            "os.replace = rep\nfrom generator.cli import main\n"
            f"main(['build', {str(SEED)!r}, '-d', {str(built_site)!r}])\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    assert not built_site.exists() and leftovers(built_site.parent) != []
    result = pathway_cli("build", str(MINIMAL), "-d", str(built_site))
    assert result.returncode == 0, result.stderr
    assert tree_hash(built_site) == {**before, "CNAME": tree_hash(built_site)["CNAME"]}
    assert (built_site / "CNAME").read_text(encoding="utf-8") == "pathways.example.org\n"
    assert leftovers(built_site.parent) == []


@pytest.mark.dot
@pytest.mark.slow
def test_two_concurrent_builds_into_one_folder_run_one_after_the_other(tmp_path):
    """Both succeed, the folder holds one complete build (not a mix), nothing is left beside it."""
    site = tmp_path / "site"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "build", str(src), "-d", str(site)],
                              cwd=REPO, env=env, stderr=subprocess.PIPE, text=True) for src in (MINIMAL, SEED)]
    results = [(p.wait(), p.stderr.read()) for p in procs]
    assert [rc for rc, _ in results] == [0, 0], results
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    on_disk = sorted(k for k in tree_hash(site) if not k.endswith("/") and k != MANIFEST)
    assert on_disk == manifest["files"]  # exactly one build's files: neither lost half-way nor mixed
    assert leftovers(tmp_path) == []


def test_a_second_run_waits_for_the_first_and_says_so(tmp_path):
    """The lock is held (as by a running build); `pathway generate` waits, says why, then writes."""
    out = tmp_path / "gen"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    with output.output_lock(out):
        proc = subprocess.Popen([sys.executable, "-m", "generator", "generate", str(MINIMAL), "-o", str(out)],
                                cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
        line = proc.stderr.readline()  # blocks until the child has reached the lock
        assert "waiting for another pathway run" in line
        assert not out.exists()
    assert proc.wait() == 0, proc.stderr.read()
    assert (out / "docs" / "index.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pathway.yaml"
    os.mkfifo(path)
    return path


FIFO_COMMANDS = [
    ["validate", "{f}"], ["build", "{f}", "-d", "{d}/site"], ["pdf", "{f}", "-o", "{d}/out.pdf"],
    ["generate", "{f}", "-o", "{d}/gen"], ["diff", "{f}", str(MINIMAL)], ["diff", str(MINIMAL), "{f}"],
    ["review", "{f}"],
]


@pytest.mark.parametrize("args", FIFO_COMMANDS, ids=lambda a: "-".join(a[:2]).replace(str(MINIMAL), "file"))
def test_a_fifo_as_file_is_a_usage_error_at_once(fifo, tmp_path, args):
    """Opening a FIFO blocks until someone writes to it; the command must refuse it before opening.

    Run in a child with a generous timeout, so a regression fails the test instead of hanging the suite.
    """
    argv = [a.format(f=fifo, d=tmp_path) for a in args]
    try:
        result = pathway_cli(*argv, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pathway {' '.join(args[:1])} hung on a FIFO")
    assert result.returncode == 2, result.stderr
    assert "named pipe (FIFO)" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pathway.yaml"]


@pytest.mark.parametrize("command", ["validate", "review", "pdf"])
def test_a_device_as_file_is_a_usage_error(command, capsys, tmp_path, env):
    assert main([command, "/dev/null", *(["-o", str(tmp_path / "x.pdf")] if command == "pdf" else [])]) == 2
    assert "is a device" in capsys.readouterr().err


def test_schema_into_a_closed_pipe_exits_0_without_a_message():
    """`pathway schema | head -1`: the reader is gone; that is not an error (and not an 'internal error')."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # no reader at all: the very first write fails with EPIPE, deterministically
    try:
        result = subprocess.run([sys.executable, "-m", "generator", "schema"], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, cwd=REPO)
    finally:
        os.close(write_end)
    assert result.returncode == 0
    assert result.stderr == ""

