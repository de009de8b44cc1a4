"""The site offers the exports: ``downloads/`` holds the bytes ``pathway export`` writes, and the home page
links them in plain words; in process (``render_site``) and end to end (``mkdocs build --strict``, under a
prefix, offline too)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from fakes import fake_layout
from generator.core import pipeline
from generator.export import fhir
from generator.export.model_json import export_json
from generator.site.pages import Downloads, SiteError, render_site

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
LOOPS = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"
TODAY = dt.date(2026, 11, 18)
BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795000000",
       "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
LINK_WORDS = ("the pathway as HL7 FHIR resources (a JSON Bundle)", "as a FHIR package", "the pathway as JSON",
              "its JSON Schema")


def _checked(path: Path):
    result = pipeline.check_file(str(path))
    assert result.pathway is not None and not result.has_errors(), result.errors
    return result.pathway


def expected_downloads(p, base: str = fhir.DEFAULT_BASE, name: str | None = None) -> dict[str, bytes]:
    """What the site must hold: the Bundle and JSON files exactly as written by `pathway export`."""
    folder = fhir.export_folder(p, base, name)
    return {f"Bundle-{p.id}.json": folder[f"Bundle-{p.id}.json"], "package.tgz": fhir.package_tarball(folder),
            **export_json(p)}


def test_render_site_adds_the_downloads_and_the_home_page_links_them():
    p = _checked(SEED)
    plain = render_site(p, layout=fake_layout, today=TODAY)
    files = render_site(p, layout=fake_layout, today=TODAY, downloads=Downloads())
    added = {k[len("downloads/"):]: v for k, v in files.items() if k.startswith("downloads/")}
    assert added == expected_downloads(p)
    assert set(files) - set(plain) == {f"downloads/{k}" for k in added}
    # Only the home page differs, by the one paragraph of links.
    assert [k for k in plain if plain[k] != files[k]] == ["index.md"]
    home = files["index.md"].decode()
    assert not any(w in plain["index.md"].decode() for w in LINK_WORDS)
    links = dict(re.findall(r"\[([^\]]+)\]\((downloads/[^)]+)\)", home))
    assert set(links) == set(LINK_WORDS)
    assert {posixpath.basename(h) for h in links.values()} == set(added)


def test_the_site_uses_the_given_base_and_package_name_and_refuses_bad_ones():
    p = _checked(LOOPS)
    files = render_site(p, layout=fake_layout, today=TODAY,
                        downloads=Downloads("https://fhir.example.net/x", "org.example.loops"))
    assert files[f"downloads/Bundle-{p.id}.json"] == expected_downloads(
        p, "https://fhir.example.net/x", "org.example.loops")[f"Bundle-{p.id}.json"]
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(files["downloads/package.tgz"]))) as tar:
        f = tar.extractfile("package/package.json")
        assert f is not None and json.loads(f.read())["name"] == "org.example.loops"
    for bad in (Downloads(fhir_base="not a url"), Downloads(package_name="Loops")):
        with pytest.raises(SiteError, match="FHIR download"):
            render_site(p, layout=fake_layout, today=TODAY, downloads=bad)


def test_with_the_pdf_the_links_sit_below_the_pdf_button():
    p = _checked(SEED)
    home = render_site(p, layout=fake_layout, today=TODAY, pdf=True, downloads=Downloads())["index.md"].decode()
    pdf_at, links_at = home.index("Download the PDF handbook"), home.index("For other systems")
    assert pdf_at < links_at < home.index("## About this pathway")
    # A blank line after the raw HTML button, or Markdown would leave the links as text inside it.
    assert "</div>\n\n" in home[pdf_at:links_at]


# -- end to end ----------------------------------------------------------------------------------


def _mkdocs_project(tmp_path: Path, plugin_options: str) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Our department\n", encoding="utf-8")
    shutil.copy(SEED, tmp_path / "seed.yaml")
    shutil.copy(LOOPS, tmp_path / "loops.yaml")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Our department\ntheme:\n  name: material\nplugins:\n  - search\n"
        f"  - pathway:\n      pathway_file: seed.yaml\n      prefix: pathways/seed\n{plugin_options}"
        "  - pathway:\n      pathway_file: loops.yaml\n      prefix: loops\n      downloads: false\n",
        encoding="utf-8")
    return tmp_path


def _home_download_links(home: Path) -> dict[str, str]:
    html = home.read_text(encoding="utf-8")
    return {words: href for href, words in re.findall(r'<a href="([^"]*downloads/[^"]+)">([^<]+)</a>', html)}


@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("offline", [False, True], ids=["served", "offline"])
def test_mkdocs_build_strict_links_resolve_to_the_exports(tmp_path, offline):
    folder = _mkdocs_project(tmp_path, "      offline: true\n" if offline else "")
    proc = subprocess.run([str(BIN / "mkdocs"), "build", "--strict"], cwd=folder, env=ENV, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    site = folder / "site"
    home = site / "pathways" / "seed" / "index.html"
    links = _home_download_links(home)
    assert set(links) == set(LINK_WORDS), links
    p = _checked(SEED)
    want = expected_downloads(p)
    for words, href in links.items():
        target = (home.parent / href).resolve()
        assert target.is_relative_to(site / "pathways" / "seed" / "downloads"), (words, href)
        data = target.read_bytes()
        assert data == want[target.name], words
        if target.suffix == ".json":
            assert json.loads(data) == json.loads(want[target.name])
    with tarfile.open(fileobj=io.BytesIO((home.parent / links["as a FHIR package"]).read_bytes())) as tar:
        f = tar.extractfile("package/package.json")
        assert f is not None and json.loads(f.read())["name"] == "pathway.facet-joint-pain"
    # The other pathway turned its downloads off: no files, no links.
    assert not (site / "loops" / "downloads").exists()
    assert _home_download_links(site / "loops" / "index.html") == {}


def test_the_downloads_are_the_bytes_pathway_export_writes(tmp_path, monkeypatch):
    from generator.cli import main

    shutil.copy(SEED, tmp_path / "pathway.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["export", "fhir"]) == 0 and main(["export", "json"]) == 0
    p = _checked(tmp_path / "pathway.yaml")
    site = render_site(p, layout=fake_layout, today=TODAY, downloads=Downloads())
    bundle = f"Bundle-{p.id}.json"
    assert site[f"downloads/{bundle}"] == (tmp_path / "fhir" / bundle).read_bytes()
    for name in ("pathway.json", "pathway-model.schema.json"):
        assert site[f"downloads/{name}"] == (tmp_path / "json" / name).read_bytes(), name
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(site["downloads/package.tgz"]))) as tar:
        packed = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    written = {f.relative_to(tmp_path / "fhir").as_posix(): f.read_bytes()
               for f in (tmp_path / "fhir" / "package").rglob("*") if f.is_file()}
    assert packed == written
