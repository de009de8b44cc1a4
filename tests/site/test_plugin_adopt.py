"""The plugin in someone else's site: a fresh default MkDocs Material project, one and two pathways.

Each project is a default ``mkdocs.yml`` (Material, ``plugins: [search, pathway]``) with a hand-written
``docs/index.md`` that must survive, built with ``mkdocs build --strict`` as its owner would.  And the README's
"Use the plugin in your own site" section, followed as written in a new folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core.pipeline import check_file

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pathways"
BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795000000",
       "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
HAND_WRITTEN = "# Our department\n\nThis page was written by hand.\n"

pytestmark = [pytest.mark.dot, pytest.mark.slow]


def project(tmp_path: Path, plugins: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(HAND_WRITTEN, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(f"site_name: Our department\ntheme:\n  name: material\n{plugins}",
                                         encoding="utf-8")
    return tmp_path


def mkdocs(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "mkdocs"), "build", *args], cwd=folder, env=ENV, capture_output=True,
                          text=True, timeout=300)


def assert_styled_pathway(site: Path, prefix: str, pathway_file: Path) -> None:
    pathway = check_file(pathway_file).pathway
    home = site / prefix / "index.html"
    assert home.is_file()
    for s in pathway.stages:
        page = (site / prefix / "stages" / s.id / "index.html").read_text(encoding="utf-8")
        assert f'{prefix}/assets/pathway.css"' in page or 'assets/pathway.css"' in page
        assert re.search(r'<link[^>]+href="[^"]*assets/pathway\.css"', page), s.id
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "{: .pathway-breadcrumb }" not in text and "*[" not in text, page
    assert (site / prefix / "assets" / "pathway.css").is_file()
    # The flowchart links land on real pages under the prefix.
    for href in re.findall(r'xlink:href="(stages/[^"]+)"', home.read_text(encoding="utf-8")):
        assert (site / prefix / href / "index.html").is_file(), href


def assert_hand_written_page_survives(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "This page was written by hand." in index
    assert "<title>Our department</title>" in index  # the site's own name, not the pathway's


def test_one_pathway_under_a_prefix(tmp_path):
    shutil.copy(FIXTURES / "loops.yaml", tmp_path / "pathway.yaml")
    folder = project(tmp_path, "plugins:\n  - search\n  - pathway:\n      prefix: care/triage\n")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    assert_hand_written_page_survives(folder / "site")
    assert_styled_pathway(folder / "site", "care/triage", FIXTURES / "loops.yaml")


def test_two_pathways_as_two_instances(tmp_path):
    folder = project(tmp_path, "plugins:\n  - search\n"
                               "  - pathway:\n      pathway_file: a.yaml\n      prefix: a\n"
                               "  - pathway:\n      pathway_file: b.yaml\n      prefix: pathways/b\n")
    shutil.copy(FIXTURES / "loops.yaml", folder / "a.yaml")
    shutil.copy(FIXTURES / "minimal.yaml", folder / "b.yaml")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    assert "specified multiple times" not in proc.stderr
    assert_hand_written_page_survives(folder / "site")
    assert_styled_pathway(folder / "site", "a", FIXTURES / "loops.yaml")
    assert_styled_pathway(folder / "site", "pathways/b", FIXTURES / "minimal.yaml")


def test_two_pathways_without_prefixes_are_a_clear_error(tmp_path):
    folder = project(tmp_path, "plugins:\n  - pathway:\n      pathway_file: a.yaml\n      prefix: x\n"
                               "  - pathway:\n      pathway_file: b.yaml\n      prefix: x\n")
    shutil.copy(FIXTURES / "loops.yaml", folder / "a.yaml")
    shutil.copy(FIXTURES / "minimal.yaml", folder / "b.yaml")
    proc = mkdocs(folder)
    assert proc.returncode != 0 and "own 'prefix'" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_misspelt_option_is_named(tmp_path):
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "pathway.yaml")
    folder = project(tmp_path, "plugins:\n  - pathway:\n      pathway_fle: pathway.yaml\n      prefix: p\n")
    proc = mkdocs(folder)
    assert proc.returncode != 0
    assert "pathway_fle" in proc.stderr and "did you mean 'pathway_file'" in proc.stderr, proc.stderr
    assert not (folder / "site").exists()


def test_a_missing_pathway_file_is_named(tmp_path):
    folder = project(tmp_path, "plugins:\n  - pathway:\n      pathway_file: nowhere.yaml\n")
    proc = mkdocs(folder)
    assert proc.returncode != 0 and "nowhere.yaml" in proc.stderr, proc.stderr


@pytest.mark.parametrize(("theme_extra", "expected"), [
    ("  features: [navigation.instant]\n", "navigation.instant needs site_url"),
    ("  font:\n    text: Inter\n", "web fonts"),
])
def test_settings_that_cannot_work_are_warned_about(tmp_path, theme_extra, expected):
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "pathway.yaml")
    folder = project(tmp_path, theme_extra + "plugins:\n  - pathway:\n      prefix: p\n")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode != 0 and expected in proc.stderr, proc.stderr


def test_the_default_web_fonts_are_switched_off(tmp_path):
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "pathway.yaml")
    folder = project(tmp_path, "plugins:\n  - pathway:\n      prefix: p\n")
    assert mkdocs(folder, "--strict").returncode == 0
    for page in (folder / "site").rglob("*.html"):
        assert "fonts.googleapis.com" not in page.read_text(encoding="utf-8"), page


def test_enabled_false_leaves_the_site_alone(tmp_path):
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "pathway.yaml")
    folder = project(tmp_path, "plugins:\n  - pathway:\n      enabled: false\n")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    assert not (folder / "site" / "stages").exists() and (folder / "site" / "index.html").is_file()


def readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## Use the plugin in your own site")
    end = text.index("\n## ", start + 3)
    return text[start:end]


def test_the_readme_section_works_as_written(tmp_path):
    """Every command of the README's section, run in a new folder (the install line is what the venv did)."""
    section = readme_section()
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    shell = [b for lang, b in blocks if lang in ("sh", "bash", "shell")]
    assert shell, section
    script = "\n".join(line for line in shell[0].splitlines() if not line.startswith("pip install"))
    script = script.replace("path/to/pathway.yaml", str(FIXTURES / "loops.yaml"))
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = next(tmp_path.rglob("site/index.html")).parent
    assert_hand_written_page_survives(site)
    assert_styled_pathway(site, "care/back-pain", FIXTURES / "loops.yaml")
