"""The MkDocs plugin, in-process: config -> hooks -> virtual files, errors and warnings."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator.site.plugin import PathwayPlugin

REPO = Path(__file__).resolve().parents[2]


def make_project(tmp_path: Path, pathway_text: str | None = None) -> Path:
    """A copy of the repository's mkdocs.yml with its own docs/ and pathway.yaml."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    for name in ("about.md", "format.md", "contributing.md", "safety.md", "plugin.md", "library.md", "export.md",
                 "library-review.md"):
        (tmp_path / "docs" / name).write_text(f"# {name}\n")
    if pathway_text is None:
        shutil.copy(REPO / "pathway.yaml", tmp_path / "pathway.yaml")
    else:
        (tmp_path / "pathway.yaml").write_text(pathway_text)
    return tmp_path / "mkdocs.yml"


def configured(config_file: Path):
    cfg = load_config(config_file=str(config_file), site_dir=str(config_file.parent / "site"))
    plugin = cfg.plugins["pathway"]
    assert isinstance(plugin, PathwayPlugin)
    return cfg, plugin


@pytest.mark.dot
def test_on_config_sets_title_and_nav_and_on_files_adds_pages(tmp_path):
    cfg, plugin = configured(make_project(tmp_path))
    cfg = plugin.on_config(cfg)
    assert cfg.site_name == "What next if facet joint injections don't work"
    assert cfg.nav[0] == {"Home": "index.md"}
    assert cfg.nav[-1] == {"For editors": [{"Pathway file format": "format.md"}, {"Safety and limits": "safety.md"},
                                           {"Contributing": "contributing.md"},
                                           {"The plugin in your own site": "plugin.md"},
                                           {"A library of pathways": "library.md"},
                                           {"Exporting (FHIR, JSON)": "export.md"},
                                           {"Reviewing a library's changes": "library-review.md"}]}
    # the hand-written nav is kept, after ours
    # An on-disk copy from `pathway generate` must not collide with the virtual page.
    disk = Files([File("_generated/index.md", str(tmp_path / "docs"), cfg.site_dir, True),
                  File("about.md", str(tmp_path / "docs"), cfg.site_dir, True)])
    cfg.plugins._current_plugin = "pathway"  # what MkDocs sets while running a plugin's event
    files = plugin.on_files(disk, config=cfg)
    uris = {f.src_uri for f in files}
    assert "_generated/index.md" not in uris and "about.md" in uris
    assert {"index.md", "glossary.md", "stages/medial-branch-block.md"} <= uris
    page = files.get_file_from_path("stages/medial-branch-block.md")
    assert page.generated_by and b"Medial branch block" in page.content_bytes
    # "Edit this page" on a generated page opens pathway.yaml.
    assert page.edit_uri == "../pathway.yaml"


@pytest.mark.dot
def test_hand_written_page_with_a_generated_name_is_an_error(tmp_path):
    cfg, plugin = configured(make_project(tmp_path))
    cfg = plugin.on_config(cfg)
    cfg.plugins._current_plugin = "pathway"
    with pytest.raises(PluginError, match="glossary.md is written by hand"):
        plugin.on_files(Files([File("glossary.md", str(tmp_path / "docs"), cfg.site_dir, True)]), config=cfg)


def test_errors_stop_the_build_with_file_line_col(tmp_path):
    text = (REPO / "pathway.yaml").read_text().replace("kind: decision", "kind: decsion", 1)
    cfg, plugin = configured(make_project(tmp_path, text))
    with pytest.raises(PluginError) as exc:
        plugin.on_config(cfg)
    assert "has problems; nothing was built" in str(exc.value)
    lines = [line for line in str(exc.value).splitlines() if "error:" in line]
    assert lines and all(line.startswith(str(tmp_path / "pathway.yaml") + ":") for line in lines)
    assert "decsion" in str(exc.value)


def test_missing_pathway_file_is_a_clear_error(tmp_path):
    cfg, plugin = configured(make_project(tmp_path))
    (tmp_path / "pathway.yaml").unlink()
    with pytest.raises(PluginError, match="cannot read the pathway file"):
        plugin.on_config(cfg)


def test_expired_pathway_fails(tmp_path):
    text = (REPO / "pathway.yaml").read_text().replace("expires: 2028-05-01", "expires: 2020-01-01")
    cfg, plugin = configured(make_project(tmp_path, text))
    with pytest.raises(PluginError, match="expire"):
        plugin.on_config(cfg)


@pytest.mark.dot
def test_warnings_go_to_the_mkdocs_log(tmp_path, caplog):
    # A reference no stage cites is a warning: the build goes on, but --strict fails.
    text = (REPO / "pathway.yaml").read_text().replace(
        "references:\n", "references:\n  - id: never-cited\n    title: Not cited anywhere\n", 1)
    assert "never-cited" in text
    cfg, plugin = configured(make_project(tmp_path, text))
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        plugin.on_config(cfg)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("never-cited" in w and "pathway.yaml:" in w for w in warnings), warnings


def test_on_serve_watches_the_pathway_file(tmp_path):
    watched = []

    class Server:
        def watch(self, path):
            watched.append(path)

    cfg, plugin = configured(make_project(tmp_path))
    plugin.path = str(tmp_path / "pathway.yaml")
    plugin.on_serve(Server(), config=cfg, builder=lambda: None)
    assert watched == [str(tmp_path / "pathway.yaml")]


@pytest.mark.dot
def test_a_hand_written_page_can_link_to_a_stage_page(tmp_path, monkeypatch):
    from mkdocs.commands.build import build

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config_file = make_project(tmp_path)
    (tmp_path / "docs" / "about.md").write_text(
        "# About\n\nStart with [the medial branch block](stages/medial-branch-block.md).\n")
    cfg = load_config(config_file=str(config_file), site_dir=str(tmp_path / "site"), strict=True)
    build(cfg)  # --strict: a link MkDocs cannot resolve would fail the build
    html = (tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert 'href="../stages/medial-branch-block/"' in html
    assert (tmp_path / "site" / "stages" / "medial-branch-block" / "index.html").is_file()
