"""`pathway build --offline`: a site that works opened from disk (file://), with no server and no internet.

The static tests follow every link of every page on disk; the Chromium tests open the site from
file:// and click through the nav, a flowchart node and search, as a reader on a ward computer would.
"""

from __future__ import annotations

import html.parser
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.cli import main
from generator.core import pipeline

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"


def _build(tmp: Path, *extra: str) -> Path:
    site = tmp / "site"
    mp = pytest.MonkeyPatch()
    mp.chdir(REPO)  # the repository's mkdocs.yml, as a user's checkout has it
    try:
        assert main(["build", str(FIXTURE), "-d", str(site), "--no-pdf", *extra]) == 0
    finally:
        mp.undo()
    return site


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("offline"), "--offline")


class _Links(html.parser.HTMLParser):
    """Every href / src / xlink:href in a page (SVG links included), with the tag that carries it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "xlink:href") and value is not None:
                self.links.append((tag, name, value))


def broken_links_from_disk(site: Path) -> list[str]:
    """Links that would not open a file when the site is opened from disk: folders, missing files, the web."""
    bad: list[str] = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # a web server's "not found" page (root-absolute links on purpose); never opened from disk
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attr, link in parser.links:
            parts = urlsplit(link)
            where = f"{page.relative_to(site)}: <{tag} {attr}={link!r}>"
            if parts.scheme in ("http", "https"):
                if tag in ("script", "link", "img", "iframe"):  # a resource fetched from the internet
                    bad.append(f"{where} needs the internet")
                continue  # a link out (references, the repository) is the reader's choice
            if parts.scheme or link.startswith("//"):
                continue  # mailto:, data: (the icons), javascript:void(0) in Material
            if not parts.path:
                continue  # "#anchor" on the same page
            if parts.path.startswith("/"):
                bad.append(f"{where} is absolute: from disk it points at the root of the drive")
                continue
            target = (page.parent / unquote(posixpath.normpath(parts.path))).resolve()
            if target.is_dir():
                bad.append(f"{where} opens a folder listing, not a page")
            elif not target.is_file():
                bad.append(f"{where} names no file")
    return bad


def test_every_link_of_every_page_opens_a_file_from_disk(offline_site):
    assert broken_links_from_disk(offline_site) == []
    # The flowcharts are covered: their links are in SVG <a xlink:href> (no plain href needed).
    home = (offline_site / "index.html").read_text(encoding="utf-8")
    svg_links = re.findall(r'<a\b[^>]*xlink:href="([^"]+)"', home)
    assert svg_links and all(link.endswith(".html") for link in svg_links), svg_links


def test_the_default_build_would_fail_that_check(tmp_path):
    """The link check can fail: the published build uses folder URLs, which need a web server."""
    bad = broken_links_from_disk(_build(tmp_path))
    assert any("opens a folder listing" in b for b in bad), bad[:5]


def test_search_index_is_also_a_script_and_no_cdn_is_named(offline_site):
    js = (offline_site / "search" / "search_index.js").read_text(encoding="utf-8")
    data = (offline_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert js == f"var __index = {data}"
    assert (offline_site / "assets" / "iframe-worker.js").is_file()
    for page in offline_site.rglob("*.html"):
        if page.name == "404.html":
            continue
        text = page.read_text(encoding="utf-8")
        assert "unpkg.com" not in text and "iframe-worker.js" in text, page


# -- in Chromium, from file:// ------------------------------------------------------------------------------


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    # Nothing may come from the network: the site must work on a ward computer without internet.
    requested: list[str] = []
    ctx.route(re.compile(r"^https?://"), lambda route: (requested.append(route.request.url), route.abort()))
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ctx.close()
    assert requested == [], f"requests to the network: {requested}"
    assert errors == [], f"script errors: {errors}"


def _model():
    result = pipeline.check_file(FIXTURE)
    assert result.pathway is not None
    return result.pathway


@pytest.mark.chromium
@pytest.mark.slow
def test_nav_links_open_pages_from_disk(page, offline_site):
    """Click through the navigation from the home page until every page it offers has been opened."""
    nav = "nav.md-nav--primary a.md-nav__link[href]"
    home = (offline_site / "index.html").as_uri()
    opened = {home}
    todo = [home]
    while todo:
        here = todo.pop()
        page.goto(here)
        pairs = page.locator(nav).evaluate_all("els => els.map(e => [e.getAttribute('href'), e.href])")
        # Links to other pages (not the "#section" links of the table of contents).
        links = {attr: full.split("#")[0] for attr, full in pairs if full.startswith("file:") and not attr.startswith("#")}
        for attr, full in links.items():
            if full in opened:
                continue
            page.goto(here)
            with page.expect_navigation():
                page.locator(f'{nav}[href="{attr}"] >> visible=true').first.click()
            assert page.url == full and full.endswith(".html"), (here, attr, page.url)
            # A real page (Material's article with its title), not a folder listing.
            assert page.locator("article.md-content__inner h1").count() == 1, full
            opened.add(full)
            todo.append(full)
    stages = {(offline_site / "stages" / f"{s.id}.html").as_uri() for s in _model().stages}
    assert stages <= opened, sorted(stages - opened)
    assert (offline_site / "glossary.html").as_uri() in opened


@pytest.mark.chromium
@pytest.mark.slow
@pytest.mark.dot
def test_clicking_a_flowchart_node_from_disk_opens_its_stage(page, offline_site):
    p = _model()
    page.goto((offline_site / "index.html").as_uri())
    # The links must work through xlink:href alone (what Graphviz writes): drop every plain href first.
    links = page.locator("figure.pathway-diagram svg a").evaluate_all(
        "els => els.map(a => (a.removeAttribute('href'), a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')))")
    nodes = [i for i, link in enumerate(links) if link]
    assert len(nodes) >= len(p.stages), links  # one per stage box (edges carry no link)
    index = nodes[len(nodes) // 2]  # one from the middle of the flowchart, not the start
    node = page.locator("figure.pathway-diagram svg a").nth(index)
    target = links[index]
    assert target and target.startswith("stages/") and target.endswith(".html")
    stage = p.stage_by_id[target[len("stages/"):-len(".html")]]
    node.click()
    page.wait_for_url(f"**/stages/{stage.id}.html")
    assert page.locator("h1").first.inner_text().startswith(stage.title)
    # And onwards from the stage page's own diagram.
    page.locator("figure.pathway-diagram svg a").evaluate_all("els => els.forEach(a => a.removeAttribute('href'))")
    page.locator("figure.pathway-diagram svg a[aria-label]").first.click()
    page.wait_for_load_state()
    assert "/stages/" in page.url and page.url.endswith(".html")
    assert page.locator("article.md-content__inner h1").count() == 1


@pytest.mark.chromium
@pytest.mark.slow
def test_search_works_from_disk(page, offline_site):
    p = _model()
    stage = max(p.stages, key=lambda s: len(s.title))  # a title no other page carries whole
    word = max(re.findall(r"[A-Za-z]{5,}", stage.title), key=len)
    page.goto((offline_site / "index.html").as_uri())
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(word, delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=60_000)
    results = page.locator(".md-search-result__item a")
    hrefs = results.evaluate_all("els => els.map(e => e.href)")
    assert any(urlsplit(h).path.endswith(f"/stages/{stage.id}.html") for h in hrefs), (word, hrefs)
    # The result opens the stage page from disk.
    page.locator(f".md-search-result__item a[href*='stages/{stage.id}.html']").first.click()
    page.wait_for_url(f"**/stages/{stage.id}.html*")
    assert page.locator("h1").first.inner_text().startswith(stage.title[:20])
