"""A library of pathways built as a site: ``mkdocs build --strict`` with ``library: FOLDER`` (issue #17).

The library is ``tests/fixtures/library-plain``: the three pathways of ``tests/fixtures/library``
without the links between them; one test builds the real fixture, links and all.  Dates are pinned with SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from test_engines import broken_links

REPO = Path(__file__).resolve().parents[2]
PLAIN = REPO / "tests" / "fixtures" / "library-plain"
LINKED = REPO / "tests" / "fixtures" / "library"
BIN = Path(sys.executable).parent
DEC_1_2025 = "1764547200"  # injections' review (10 January 2026) is due soon, nothing is overdue: --strict passes
DEC_2_2026 = "1796169600"  # injections' review is overdue (a warning)
IDS = ("triage", "injections", "surgery")  # in catalogue order (by title)

pytestmark = [pytest.mark.dot, pytest.mark.slow]


def project(tmp_path: Path, library: Path = PLAIN, options: str = "", index: str | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copytree(library, tmp_path / "pathways")
    (tmp_path / "docs").mkdir()
    if index is not None:
        (tmp_path / "docs" / "index.md").write_text(index, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Our services\ntheme:\n  name: material\n  features: [navigation.sections, navigation.prune]\n"
        "plugins:\n  - search\n  - pathway:\n      library: pathways\n      use_title_as_site_name: true\n"
        + "".join(f"      {line}\n" for line in options.splitlines()), encoding="utf-8")
    return tmp_path


def mkdocs(folder: Path, *args: str, epoch: str = DEC_1_2025) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": epoch,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = project(tmp_path_factory.mktemp("library"), options="pdf: true")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    return folder / "site"


def rows(page: str) -> list[list[str]]:
    body = re.search(r'<table id="pathway-catalogue".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", body.group(1))]


def test_the_catalogue_lists_every_pathway_with_its_review_state(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Spinal services (test library)" in page
    assert [r[0] for r in rows(page)] == ["Back pain triage", "Facet joint injections", "Spinal surgery"]
    by_title = {r[0]: r for r in rows(page)}
    assert by_title["Back pain triage"][1:] == ["Active", "Musculoskeletal", "Triage team (example)", "1.0.0",
                                                 "1 June 2026", "1 June 2027"]
    assert by_title["Facet joint injections"][-1] == "10 January 2026 (due soon)"
    assert by_title["Spinal surgery"][1] == "Draft" and by_title["Spinal surgery"][-2:] == ["not set", "not set"]
    assert "Review states are as of 1 December 2025" in page
    for pid in IDS:  # each title links to its pathway's home
        assert f'href="{pid}/"' in page and (site / pid / "index.html").is_file()


def test_every_link_of_the_library_site_resolves(site):
    checked, broken = broken_links(site)
    assert checked > 200
    assert broken == [], "\n".join(broken[:20])


def test_the_nav_has_the_catalogue_then_one_section_per_pathway(site):
    page = (site / "triage" / "stages" / "imaging" / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', page, re.S).group(0)
    assert nav.index("Catalogue") < nav.index("Back pain triage") < nav.index("Facet joint injections")
    # navigation.prune: the other pathways' stages are not on this page.
    assert "Injection assessment" not in nav and "First assessment" in nav


def test_each_walkthrough_loads_its_own_pathways_data(site):
    for pid in IDS:
        page = (site / pid / "what-next" / "index.html").read_text(encoding="utf-8")
        assert '<script src="../assets/walkthrough-data.js"></script>' in page, pid
        assert (site / pid / "assets" / "walkthrough-data.js").is_file()
    assert [p.relative_to(site).as_posix() for p in site.rglob("walkthrough.js")] == ["assets/walkthrough.js"]


def test_search_entries_name_their_pathway(site):
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    titles = {d["location"]: d["title"] for d in docs}
    assert titles["triage/stages/imaging/"] == "Imaging — Back pain triage"
    assert titles["injections/stages/inject/"] == "Injection — Facet joint injections"
    assert titles["triage/"] == "Back pain triage"  # the home page is the pathway's own name
    assert titles["triage/glossary/"] == "Glossary — Back pain triage"
    assert titles[""] == "Spinal services (test library)"  # the catalogue names no pathway
    pages = [d for d in docs if "#" not in d["location"] and d["location"].startswith(IDS)]
    assert pages and all(" — " in d["title"] or d["title"] in ("Back pain triage", "Facet joint injections",
                                                                 "Spinal surgery") for d in pages)


def test_each_pathway_has_its_tagged_handbook_and_the_catalogue_links_the_index(site):
    for pid in IDS:
        home = (site / pid / "index.html").read_text(encoding="utf-8")
        assert 'href="pathway.pdf"' in home, pid
        reader = pypdf.PdfReader(str(site / pid / "pathway.pdf"))
        assert "/StructTreeRoot" in reader.trailer["/Root"], pid
    assert 'href="library.pdf"' in (site / "index.html").read_text(encoding="utf-8")
    index = pypdf.PdfReader(str(site / "library.pdf"))
    root = index.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in index.pages)
    for expected in ("Spinal services (test library): library index", "Back pain triage", "2.1.0",
                     "10 January 2026 (due soon)", "triage/pathway.pdf", "Review states are as of 1 December 2025"):
        assert expected in text, expected


def test_an_overdue_review_is_said_in_words_on_the_catalogue(tmp_path):
    proc = mkdocs(project(tmp_path), epoch=DEC_2_2026)  # not --strict: the overdue review is a warning
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("review-overdue") == 1  # logged once, at its own file
    assert re.search(r"pathways/injections\.yaml:9:16: warning: the review due on 2026-01-10 is overdue", proc.stderr)
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    row = next(r for r in rows(page) if r[0] == "Facet joint injections")
    assert row[-1] == "10 January 2026 (overdue)"
    assert '<strong class="pathway-overdue">10 January 2026 (overdue)</strong>' in page
    assert "3 pathways; 1 overdue for review." in page


def test_an_unknown_cross_link_fails_the_build_with_its_location(tmp_path):
    folder = project(tmp_path)
    surgery = folder / "pathways" / "surgery.yaml"
    surgery.write_text(surgery.read_text(encoding="utf-8").replace(
        "body: Referred from the other pathways.", "body: Referred from [[triage:chose]]."), encoding="utf-8")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode != 0
    assert "nothing was built" in proc.stderr and not (folder / "site" / "index.html").exists()
    assert re.search(r"pathways/surgery\.yaml:13:\d+: error: .*triage:chose", proc.stderr), proc.stderr
    assert "choose" in proc.stderr  # did you mean


def test_pathway_file_and_library_together_are_an_error_naming_both(tmp_path):
    folder = project(tmp_path, options="pathway_file: pathways/triage.yaml")
    proc = mkdocs(folder)
    assert proc.returncode != 0
    assert "'pathway_file' and 'library'" in proc.stderr


def test_a_hand_written_home_page_needs_catalogue_false(tmp_path):
    hand = "# Our services\n\nWritten by hand.\n"
    proc = mkdocs(project(tmp_path / "a", index=hand))
    assert proc.returncode != 0 and "catalogue: false" in proc.stderr and "docs/index.md" in proc.stderr
    proc = mkdocs(project(tmp_path / "b", options="catalogue: false", index=hand))
    assert proc.returncode == 0, proc.stderr
    assert "Written by hand." in (tmp_path / "b" / "site" / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "b" / "site" / "triage" / "stages" / "imaging" / "index.html").is_file()


def test_a_library_under_a_prefix_keeps_every_link(tmp_path):
    folder = project(tmp_path, options="prefix: services", index="# Our department\n")
    text = (folder / "mkdocs.yml").read_text(encoding="utf-8")
    (folder / "mkdocs.yml").write_text(text + "nav:\n  - Home: index.md\n", encoding="utf-8")
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    site = folder / "site"
    assert (site / "services" / "index.html").is_file() and (site / "services" / "triage" / "index.html").is_file()
    assert "Our department" in (site / "index.html").read_text(encoding="utf-8")
    checked, broken = broken_links(site)
    assert broken == [], broken[:10]
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert {d["location"]: d["title"] for d in docs}["services/triage/stages/imaging/"] == "Imaging — Back pain triage"


def test_the_linked_library_builds_strict_and_every_cross_link_resolves(tmp_path):
    folder = project(tmp_path, library=LINKED)
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    site = folder / "site"
    checked, broken = broken_links(site)
    assert broken == [], broken[:10]
    choose = (site / "triage" / "stages" / "choose" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../injections/stages/assess/"' in choose


def test_an_offline_library_opens_from_disk_with_labelled_search(tmp_path, monkeypatch):
    from generator.cli import main
    from test_offline import broken_links_from_disk

    shutil.copytree(PLAIN, tmp_path / "pathways")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEC_1_2025)
    assert main(["build", "pathways", "-d", "off", "--offline", "--no-pdf", "-f", str(REPO / "mkdocs.yml")]) == 0
    site = tmp_path / "off"
    assert broken_links_from_disk(site) == []
    assert 'href="triage/index.html"' in (site / "index.html").read_text(encoding="utf-8")
    page = (site / "triage" / "what-next.html").read_text(encoding="utf-8")
    assert '<script src="assets/walkthrough-data.js"></script>' in page
    index = (site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert '"location":"triage/stages/imaging.html","title":"Imaging — Back pain triage"' in index
