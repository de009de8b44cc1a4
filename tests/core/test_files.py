"""generator.core.files.write_tree: replace exactly what we wrote last time, never anything else."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from generator.core.files import MANIFEST, TMP_INFIX, OutputError, atomic_write, output_lock, write_tree


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


# ---------------------------------------------------------------------------------------------
# Interrupted runs (kill -9) are cleaned up by the next run; one writer at a time.
# ---------------------------------------------------------------------------------------------

KILL_AT = {
    # Where the killed run dies: while staging, between the two renames, after them (before cleaning up).
    "staging": "import generator.core.files as f\n"
               "real = f._carry\n"
               "def carry(src, dst):\n    real(src, dst); os.kill(os.getpid(), signal.SIGKILL)\n"
               "f._carry = carry\n",
    "between-renames": "import generator.core.files as f\n"
                       "real = os.replace\n"
                       "def rep(src, dst):\n    real(src, dst)\n"
                       "    if str(dst).endswith('/old'): os.kill(os.getpid(), signal.SIGKILL)\n"
                       "os.replace = rep\n",
    "after-renames": "import generator.core.files as f\n"
                     "f._discard = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n",
}


def killed_write_tree(out: Path, files: dict[str, bytes], where: str) -> None:
    """Run write_tree in a child process that SIGKILLs itself at ``where``."""
    import subprocess
    import sys

    code = "import os, signal, sys\n" + KILL_AT[where] + (
        "from generator.core.files import write_tree\n"
        f"write_tree({str(out)!r}, {files!r})\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr


@pytest.mark.parametrize("where", sorted(KILL_AT))
def test_the_next_run_cleans_up_after_a_run_killed_with_sigkill(gen, where):
    before = snapshot(gen)
    killed_write_tree(gen, {"index.md": b"v2", "stages/c.md": b"C"}, where)
    assert any(TMP_INFIX in p.name for p in gen.parent.iterdir()), "the killed run should leave its folder"
    if where == "between-renames":
        assert not gen.exists()  # the worst moment: the folder is only in the temporary one
    stale = write_tree(gen, {"index.md": b"v3"})
    assert sorted(p.name for p in gen.parent.iterdir()) == ["gen"], "leftovers of the killed run remain"
    after = snapshot(gen)
    assert after["index.md"][1] == b"v3"
    for rel in ("stages/notes.txt", "link.md", "drafts"):  # the user's files came through every case
        assert after[rel] == before[rel]
    assert "stages/c.md" not in after
    assert stale == (["stages/a.md", "stages/b.md"] if where != "after-renames"
                     else ["stages/c.md"])


def test_a_killed_atomic_write_leaves_the_old_file_and_the_next_one_cleans_up(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "out.pdf"
    target.write_bytes(b"previous")
    code = ("import os, signal\nfrom generator.core.files import atomic_write\n"
            "def half(fh):\n    fh.write(b'half a pdf'); fh.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
            f"atomic_write({str(target)!r}, half)\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == -9
    assert target.read_bytes() == b"previous"
    assert len(list(tmp_path.iterdir())) == 3  # the file, a temporary file and the lock file of the killed run
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_atomic_write_keeps_the_mode_and_follows_a_symlink_on_purpose(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    atomic_write(link, "new")
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_new_file_gets_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "schema.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "schema.json").stat().st_mode) == 0o644


def test_a_symlink_to_nothing_is_refused(tmp_path):
    (tmp_path / "site").symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="does not exist") as exc:
        write_tree(tmp_path / "site", {"index.md": b"x"})
    assert exc.value.exit_code == 2
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write(tmp_path / "site", b"x")
    assert not (tmp_path / "nowhere").exists()


def test_a_symlinked_target_folder_is_followed_and_the_link_kept(tmp_path):
    (tmp_path / "www").mkdir()
    write_tree(tmp_path / "www" / "site", {"index.md": b"v1"})
    (tmp_path / "site").symlink_to("www/site", target_is_directory=True)
    write_tree(tmp_path / "site", {"index.md": b"v2"})
    assert os.readlink(tmp_path / "site") == "www/site"
    assert (tmp_path / "www" / "site" / "index.md").read_bytes() == b"v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "www"]
    assert sorted(p.name for p in (tmp_path / "www").iterdir()) == ["site"]


def test_a_second_writer_waits_for_the_lock_and_then_writes(tmp_path):
    """The lock is held (as by another run); a second run says it waits, then completes once it is released."""
    import threading

    out = tmp_path / "gen"
    notices: list[str] = []
    done = threading.Event()
    waiting = threading.Event()

    def second() -> None:
        write_tree(out, {"index.md": b"second"}, on_wait=lambda msg: (notices.append(msg), waiting.set()))
        done.set()

    with output_lock(out.resolve()):
        worker = threading.Thread(target=second)
        worker.start()
        waiting.wait()  # it told us it waits (no sleep: the event is set by the notice)
        assert not done.is_set() and not out.exists()
    worker.join()
    assert done.is_set() and (out / "index.md").read_bytes() == b"second"
    assert "waiting for another pathway run" in notices[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]  # the lock file is removed


def test_take_over_keeps_foreign_files_and_replaces_only_names_it_writes(tmp_path):
    out = tmp_path / "public"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "CNAME").write_text("pathways.example.org\n")
    (out / "index.md").write_text("an old page")
    with pytest.raises(OutputError, match="not empty"):
        write_tree(out, {"index.md": b"ours"})
    write_tree(out, {"index.md": b"ours", "stages/a.md": b"A"}, take_over=True)
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (out / "CNAME").read_text() == "pathways.example.org\n"
    assert (out / "index.md").read_bytes() == b"ours"
    # From now on it is ours: no flag needed, and the user's files still survive.
    write_tree(out, {"index.md": b"v2"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".git/HEAD", MANIFEST, "CNAME", "index.md"]


@pytest.mark.parametrize("via_link", [False, True], ids=["fifo", "symlink-to-fifo"])
def test_atomic_write_refuses_a_pipe_or_device_instead_of_replacing_it(tmp_path, via_link):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = tmp_path / "link" if via_link else fifo
    if via_link:
        target.symlink_to(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        atomic_write(target, b"data")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"pipe", target.name})


def test_the_cli_refuses_to_write_over_a_device_and_leaves_it(tmp_path, capsys):
    from generator.cli import main

    fifo = tmp_path / "schema.json"
    os.mkfifo(fifo)
    assert main(["schema", "-o", str(fifo)]) != 0
    assert "not a regular file" in capsys.readouterr().err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
