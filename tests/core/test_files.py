"""generator.core.files.write_tree: replace exactly what we wrote last time, never anything else."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from generator.core.files import MANIFEST, OutputError, write_tree


def test_writes_files_and_a_manifest(tmp_path):
    out = tmp_path / "gen"
    write_tree(out, {"index.md": b"home", "stages/a.md": b"A"})
    assert (out / "index.md").read_bytes() == b"home"
    assert (out / "stages" / "a.md").read_bytes() == b"A"
    assert json.loads((out / MANIFEST).read_text())["files"] == ["index.md", "stages/a.md"]


def test_second_run_removes_stale_pages_and_keeps_foreign_files(tmp_path):
    out = tmp_path / "gen"
    write_tree(out, {"index.md": b"v1", "stages/a.md": b"A", "stages/b.md": b"B", "groups/g.md": b"G"})
    (out / "stages" / "notes.txt").write_text("mine")
    stale = write_tree(out, {"index.md": b"v2", "stages/a.md": b"A2"})
    assert stale == ["groups/g.md", "stages/b.md"]
    assert not (out / "stages" / "b.md").exists()
    assert not (out / "groups").exists()  # emptied folder goes too
    assert (out / "stages" / "notes.txt").read_text() == "mine"
    assert (out / "index.md").read_bytes() == b"v2"


def test_refuses_a_non_empty_folder_without_manifest(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "about.md").write_text("hand-written")
    with pytest.raises(OutputError, match="not empty and was not written by"):
        write_tree(out, {"index.md": b"x"})
    assert (out / "about.md").read_text() == "hand-written"
    assert not (out / "index.md").exists()


def test_never_overwrites_a_file_it_did_not_write(tmp_path):
    out = tmp_path / "gen"
    write_tree(out, {"index.md": b"x"})
    (out / "glossary.md").write_text("mine")
    with pytest.raises(OutputError, match="glossary.md already exists"):
        write_tree(out, {"index.md": b"y", "glossary.md": b"generated"})
    assert (out / "glossary.md").read_text() == "mine"
    assert (out / "index.md").read_bytes() == b"x"  # nothing changed


@pytest.mark.parametrize("bad", ["../escape.md", "/abs.md", MANIFEST, "a\\b.md"])
def test_refuses_paths_outside_the_folder(tmp_path, bad):
    with pytest.raises(OutputError):
        write_tree(tmp_path / "gen", {bad: b"x"})
    assert not (tmp_path / "escape.md").exists()


def test_a_corrupt_manifest_is_refused(tmp_path):
    out = tmp_path / "gen"
    out.mkdir()
    (out / MANIFEST).write_text("{not json")
    with pytest.raises(OutputError, match="not a manifest"):
        write_tree(out, {"index.md": b"x"})


def test_no_temporary_folders_are_left_behind(tmp_path):
    write_tree(tmp_path / "gen", {"index.md": b"x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]


# ---------------------------------------------------------------------------------------------
# All or nothing: the new folder is built whole next to the target and swapped in with renames.
# ---------------------------------------------------------------------------------------------


def snapshot(root):
    """Every entry under root: file bytes, symlink targets, folders; with modes."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p))
        elif p.is_file():
            out[rel] = ("file", p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        else:
            out[rel] = ("dir", stat.S_IMODE(p.stat().st_mode))
    return out


@pytest.fixture
def gen(tmp_path):
    """A folder written once, with hand-written additions: a file, a symlink, an empty folder."""
    out = tmp_path / "gen"
    write_tree(out, {"index.md": b"v1", "stages/a.md": b"A", "stages/b.md": b"B"})
    (out / "stages" / "notes.txt").write_text("mine")
    (out / "stages" / "notes.txt").chmod(0o600)
    (out / "link.md").symlink_to("stages/notes.txt")
    (out / "drafts").mkdir()
    (out / "stages").chmod(0o750)
    return out


def test_foreign_files_are_carried_over_unchanged(gen):
    notes = (gen / "stages" / "notes.txt").stat()
    write_tree(gen, {"index.md": b"v2", "stages/a.md": b"A2", "groups/g.md": b"G"})
    after = (gen / "stages" / "notes.txt").stat()
    assert (after.st_ino, after.st_mtime_ns, stat.S_IMODE(after.st_mode)) == (
        notes.st_ino, notes.st_mtime_ns, 0o600)  # the very same file (a hard link), not a copy
    assert os.readlink(gen / "link.md") == "stages/notes.txt"
    assert (gen / "drafts").is_dir()
    assert stat.S_IMODE((gen / "stages").stat().st_mode) == 0o750
    assert not (gen / "stages" / "b.md").exists()
    assert (gen / "groups" / "g.md").read_bytes() == b"G"
    assert sorted(p.name for p in gen.parent.iterdir()) == ["gen"]


def test_foreign_files_are_copied_where_a_hard_link_is_not_allowed(gen, monkeypatch):
    def no_link(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted (simulated protected_hardlinks)")

    monkeypatch.setattr(os, "link", no_link)
    before = (gen / "stages" / "notes.txt").stat()
    write_tree(gen, {"index.md": b"v2"})
    after = (gen / "stages" / "notes.txt").stat()
    assert (gen / "stages" / "notes.txt").read_text() == "mine"
    assert (after.st_mtime_ns, stat.S_IMODE(after.st_mode)) == (before.st_mtime_ns, 0o600)


def failing_rename(monkeypatch, when, times=1):
    """Make os.replace fail `times` times for the renames selected by when(src, dst)."""
    real = os.replace
    failed = []

    def flaky(src, dst):
        if when(Path(src), Path(dst)) and len(failed) < times:
            failed.append((src, dst))
            raise PermissionError(13, "Permission denied (simulated)")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    return failed


@pytest.mark.parametrize("which", ["first", "second"])
def test_a_failed_rename_leaves_the_folder_as_it_was(gen, monkeypatch, which):
    """first: target -> backup fails; second: new folder -> target fails, the backup is renamed back."""
    before = snapshot(gen)
    failed = failing_rename(monkeypatch, lambda src, dst: (src if which == "first" else dst) == gen)
    with pytest.raises(OutputError, match="Permission denied") as exc:
        write_tree(gen, {"index.md": b"v2", "stages/c.md": b"C"})
    assert exc.value.exit_code == 1
    assert len(failed) == 1
    assert snapshot(gen) == before
    assert sorted(p.name for p in gen.parent.iterdir()) == ["gen"]  # no temporary folder left


def test_if_the_rename_back_fails_too_the_previous_folder_is_kept_and_named(gen, monkeypatch):
    before = snapshot(gen)
    failing_rename(monkeypatch, lambda src, dst: dst == gen, times=2)
    with pytest.raises(OutputError, match="the previous folder is in") as exc:
        write_tree(gen, {"index.md": b"v2"})
    kept = Path(str(exc.value).rsplit(" ", 1)[1])
    assert not gen.exists() and kept.parent.parent == gen.parent
    assert snapshot(kept) == before  # nothing lost: the user can move it back


def test_a_failure_on_a_first_run_leaves_no_folder(tmp_path, monkeypatch):
    failing_rename(monkeypatch, lambda src, dst: dst == tmp_path / "gen")
    with pytest.raises(OutputError, match="Permission denied"):
        write_tree(tmp_path / "gen", {"index.md": b"x", "stages/a.md": b"A"})
    assert list(tmp_path.iterdir()) == []


def test_a_file_added_during_the_run_is_never_deleted(gen, monkeypatch):
    """A file that appears after the folder was read is not ours to delete: it stays in the backup."""
    import generator.core.files as output

    real = output._swap

    def swap_after_someone_wrote(new, out, old):
        (out / "late.txt").write_text("written while generate ran")
        return real(new, out, old)

    monkeypatch.setattr(output, "_swap", swap_after_someone_wrote)
    write_tree(gen, {"index.md": b"v2"})
    (late,) = gen.parent.glob(".gen.pathway-tmp-*/old/late.txt")
    assert late.read_text() == "written while generate ran"
    assert (gen / "index.md").read_bytes() == b"v2"


def test_refuses_a_symlinked_sub_folder_even_inside_the_folder(gen):
    (gen / "real").mkdir()
    (gen / "stages" / "a.md").rename(gen / "real" / "a.md")
    (gen / "stages" / "b.md").rename(gen / "real" / "b.md")
    (gen / "stages" / "notes.txt").rename(gen / "real" / "notes.txt")
    (gen / "stages").rmdir()
    (gen / "stages").symlink_to("real", target_is_directory=True)
    before = snapshot(gen)
    with pytest.raises(OutputError, match="symbolic link"):
        write_tree(gen, {"index.md": b"v2", "stages/a.md": b"A2"})
    assert snapshot(gen) == before


def test_refuses_a_new_page_under_a_file_it_did_not_write(gen):
    (gen / "extra").write_text("mine")
    with pytest.raises(OutputError, match="expected a folder there"):
        write_tree(gen, {"index.md": b"v2", "extra/page.md": b"x"})
    assert (gen / "extra").read_text() == "mine"
