"""The flowcharts kept out of Markdown and search, and put into the finished HTML (plugin on_post_page).

The oracle is the site as it was built before: each SVG inline in its page's Markdown, through the same
allow-list.  The built HTML must carry exactly those SVGs, and nothing of the hand-off may show.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

from benchmarks.library import library_files
from generator.cli import main
from generator.core.pipeline import check_file
from generator.render.layout import render_svgs
from generator.render.sanitize import clean_html
from generator.site import parallel
from generator.core.library import check_library
from generator.site.pages import Downloads, FigureJob, download_files, draw_figures, render_site

REPO = Path(__file__).resolve().parents[2]
EPOCH = "1795000000"
SVG = re.compile(r'<svg width="100%".*?</svg>', re.S)
TOKEN = re.compile(r"pathway-figure-[0-9a-f]{16}-")

pytestmark = [pytest.mark.dot]


def test_apart_pages_carry_a_token_per_chart_and_the_jobs_draw_the_same_svgs(tmp_path):
    pathway = check_file(REPO / "pathway.yaml", for_build=True).pathway
    assert pathway is not None
    layout = functools.partial(render_svgs, cache_dir=tmp_path)
    inline = render_site(pathway, layout=layout)
    jobs: dict[str, FigureJob] = {}
    apart = render_site(pathway, layout=lambda *a, **k: pytest.fail("layout is not called"),
                        figures_apart=jobs, figure_token="TOKEN-")
    assert inline.keys() == apart.keys()
    drawn = draw_figures(jobs, layout)
    assert len(drawn) == len(jobs) > 10
    put_back = {path: re.sub(r"TOKEN-[0-9]+", lambda m: drawn[m.group(0)], data.decode()).encode()
                for path, data in apart.items()}
    assert put_back == inline  # the same pages, byte for byte, once each token has its SVG again
    assert not any(b"<svg width=" in data for path, data in apart.items() if path.endswith(".md"))


@pytest.mark.slow
def test_the_built_site_has_each_chart_sanitized_in_its_page_and_none_in_search(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(REPO)
    text = (REPO / "pathway.yaml").read_text(encoding="utf-8")
    # Pathway text that looks like a token stays text: the build's token is random.
    text = text.replace("summary: |\n", "summary: |\n  pathway-figure-0123456789abcdef-0\n", 1)
    source = tmp_path / "pathway.yaml"
    source.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    assert main(["build", str(source), "-d", str(site), "--no-pdf"]) == 0
    pathway = check_file(source, for_build=True).pathway
    assert pathway is not None
    inline = render_site(pathway, layout=functools.partial(render_svgs, cache_dir=tmp_path / "cache"))
    expected = sorted(clean_html(svg) for data in inline.values() for svg in SVG.findall(data.decode("utf-8")))
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    built = sorted(svg for html in pages.values() for svg in SVG.findall(html))
    assert built == expected and len(built) > 10
    decoy = "pathway-figure-0123456789abcdef-"
    assert {t for html in pages.values() for t in TOKEN.findall(html)} == {decoy}  # no token of the build left
    assert f"{decoy}0" in pages[site / "index.html"]
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<svg" not in index and set(TOKEN.findall(index)) == {decoy}


@pytest.mark.slow
def test_a_library_of_many_pathways_gets_every_chart_drawn_alongside(tmp_path, monkeypatch):
    """Nine pathways: enough for the charts to be drawn in worker processes while MkDocs works."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    lib = tmp_path / "lib"
    lib.mkdir()
    for name, text in library_files(9, 6).items():
        (lib / name).write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    monkeypatch.chdir(REPO)
    # As in `pathway build`: no other thread (an earlier test of the suite may leave one running).
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    forked = []
    start = parallel.Background.__init__

    def spy(self, *args, **kwargs):
        start(self, *args, **kwargs)
        forked.append(self._pool is not None)

    monkeypatch.setattr(parallel.Background, "__init__", spy)
    assert main(["build", str(lib), "-d", str(site), "--no-pdf", "--strict"]) == 0
    assert forked == [True]  # the charts were drawn in worker processes
    stage_pages = list(site.glob("pw-*/stages/*/index.html"))
    assert len(stage_pages) == 9 * 6
    for page in stage_pages:
        html = page.read_text(encoding="utf-8")
        assert len(SVG.findall(html)) == 1, page  # its neighbourhood chart
        assert not TOKEN.search(html)
    for k in range(1, 10):
        home = (site / f"pw-{k:03d}" / "index.html").read_text(encoding="utf-8")
        assert SVG.search(home) and 'id="ov-' in home
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not any("<svg" in d["text"] or TOKEN.search(d["text"]) for d in data["docs"])
    # The downloads were made by the workers too, and are the bytes `pathway export` writes.
    result = check_library(lib, for_build=True)
    for p in result.pathways:
        want = download_files(p, Downloads(), result)
        folder = site / p.id / "downloads"
        assert {f.name: f.read_bytes() for f in folder.iterdir()} == want
        assert len(want) == 4
