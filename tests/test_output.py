"""generator.output.write_tree: replace exactly what we wrote last time, never anything else."""

from __future__ import annotations

import json

import pytest

from generator.output import MANIFEST, OutputError, write_tree


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
