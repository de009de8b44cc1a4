"""End to end: `pathway build --strict` with the repository's mkdocs.yml, then check the built site."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from generator.cli import main
from generator.core.pipeline import check_file

REPO = Path(__file__).resolve().parents[2]
PATHWAYS = {"seed": REPO / "pathway.yaml", "loops": REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"}
EPOCH = "1795000000"  # 2026-11-18: fixed, so dates and the sitemap are reproducible

pytestmark = [pytest.mark.dot, pytest.mark.slow]


def build(pathway: Path, site: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(REPO)
    assert main(["build", str(pathway), "-d", str(site), "--strict"]) == 0


@pytest.fixture(scope="module", params=sorted(PATHWAYS))
def site(request, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    out = tmp_path_factory.mktemp(request.param) / "site"
    try:
        build(PATHWAYS[request.param], out, mp)
    finally:
        mp.undo()
    return request.param, out


class Links(HTMLParser):
    """Collects href/src values and element ids of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "xlink:href") and value:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def resolve(site: Path, page: Path, href: str) -> Path | None:
    """The file a relative link from ``page`` opens, or None for external links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("#", "data:")):
        return None
    # 404.html uses site-absolute links (it can be served at any depth).
    base = site if href.startswith("/") else page.parent
    target = (base / unquote(urldefrag(href)[0]).lstrip("/")).resolve()
    if target.is_dir() or href.endswith("/"):
        target = target / "index.html"
    return target


def test_every_link_on_every_page_resolves(site):
    _name, root = site
    broken = []
    for page in root.rglob("*.html"):
        links = parse(page)
        for href in links.links:
            target = resolve(root, page, href)
            if target is None:
                continue
            if not target.exists():
                broken.append(f"{page.relative_to(root)} -> {href}")
            frag = urldefrag(href)[1]
            if frag and target.suffix == ".html" and target.exists() and frag not in parse(target).ids:
                broken.append(f"{page.relative_to(root)} -> {href} (no #{frag})")
    assert not broken, "\n".join(broken[:20])


def test_every_overview_node_links_to_its_stage_page(site):
    name, root = site
    pathway = check_file(PATHWAYS[name]).pathway
    home = (root / "index.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg[^>]*pathway-diagram.*?</svg>", home, re.S).group(0)
    hrefs = set(re.findall(r'href="([^"#]+)"', svg))
    assert hrefs == {f"stages/{s.id}/" for s in pathway.stages}
    for href in hrefs:
        assert (root / href / "index.html").exists()


def test_abbreviations_have_hover_definitions(site):
    name, root = site
    pathway = check_file(PATHWAYS[name]).pathway
    entry = next(g for g in pathway.glossary if g.abbr)
    pages = [p.read_text(encoding="utf-8") for p in root.rglob("*.html")]
    tagged = [html for html in pages if f'<abbr title="{entry.term}">{entry.abbr}</abbr>' in html]
    assert tagged
    # Every page that shows the abbreviation as a word gets the definition there.
    for html in pages:
        # (SVG text is drawn, not Markdown: its nodes carry tooltips instead.)
        body = re.sub(r"<abbr[^>]*>.*?</abbr>|<svg.*?</svg>|<code.*?</code>", "", html.split('<article', 1)[-1].split("</article>", 1)[0], flags=re.S)
        body = re.sub(r"<[^>]+>", " ", body)
        assert not re.search(rf"(?<![\w-]){re.escape(entry.abbr)}(?![\w-])", body)


def test_search_index_has_every_stage_title_and_fact(site):
    name, root = site
    pathway = check_file(PATHWAYS[name]).pathway
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(f"{d['title']} {d['text']}" for d in index["docs"])
    text = re.sub(r"<[^>]+>", "", text)
    import html as _html

    text = _html.unescape(" ".join(text.split()))
    for s in pathway.stages:
        assert " ".join(s.title.split()) in text, s.title
        for f in s.facts:
            assert " ".join(re.sub(r"\[\[|\]\]|\*\*", "", f.value).split()) in text, f.value


def test_disclaimer_and_pdf_link_are_there(site):
    _name, root = site
    home = (root / "index.html").read_text(encoding="utf-8")
    assert 'href="pathway.pdf"' in home
    # The button is no 404: `pathway build` writes the handbook into the site.
    assert (root / "pathway.pdf").read_bytes().startswith(b"%PDF-")
    for page in root.rglob("*.html"):
        assert "does not replace clinical judgement" in page.read_text(encoding="utf-8"), page


def test_building_twice_gives_identical_bytes(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    build(PATHWAYS["loops"], a, monkeypatch)
    build(PATHWAYS["loops"], b, monkeypatch)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    different = [str(f) for f in files_a if (a / f).read_bytes() != (b / f).read_bytes()]
    assert not different


def test_failed_build_keeps_the_previous_site(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    build(PATHWAYS["loops"], site, monkeypatch)
    before = (site / "index.html").read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text(PATHWAYS["loops"].read_text().replace("start: ", "start: nowhere-", 1))
    assert main(["build", str(bad), "-d", str(site)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"{re.escape(str(bad))}:\d+:\d+: error: ", err)
    assert "Traceback" not in err
    assert (site / "index.html").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path, monkeypatch, capsys):
    target = tmp_path / "mywork"
    target.mkdir()
    (target / "notes.txt").write_text("precious")
    monkeypatch.chdir(REPO)
    assert main(["build", str(PATHWAYS["loops"]), "-d", str(target)]) == 2
    assert (target / "notes.txt").read_text() == "precious"
    err = capsys.readouterr().err
    assert "not empty" in err and "--take-over" in err


def test_generate_writes_the_same_pages_the_plugin_serves(tmp_path, monkeypatch):
    from mkdocs.config import load_config

    from generator.cli._sitecommon import plugin_override

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "gen"
    assert main(["generate", str(PATHWAYS["loops"]), "-o", str(out)]) == 0
    docs = out / "docs"  # the project's pages; mkdocs.yml and overrides/ sit beside
    written = {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    plugins = plugin_override(REPO / "mkdocs.yml", str(PATHWAYS["loops"]))
    plugins["pathway"]["feedback"] = "off"  # generate has no site config, so no "Report a problem" link
    cfg = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(tmp_path / "s"), plugins=plugins)
    plugin = cfg.plugins["pathway"]
    plugin.on_config(cfg)
    # The plugin's pages carry a token where each flowchart goes, and put the SVG (sanitized, as every page
    # is) into the finished HTML; generate writes the SVG itself.
    from generator.render.sanitize import clean_html

    token = re.compile(re.escape(plugin.figure_token) + "[0-9]+")
    served = {p: token.sub(lambda m: plugin.figures[m.group(0)], d.decode()).encode() if p.endswith(".md") else d
              for p, d in plugin.pages.items()}
    svg = re.compile(r'<svg width="100%".*?</svg>', re.S)
    expected = {p: svg.sub(lambda m: clean_html(m.group(0)), d.decode()).encode() if p.endswith(".md") else d
                for p, d in written.items()}
    assert expected == served
    assert len(plugin.figures) > 5


def test_plain_mkdocs_without_the_plugin_builds_the_generated_folder(tmp_path, monkeypatch):
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    gen, site = tmp_path / "gen", tmp_path / "site"
    assert main(["generate", str(PATHWAYS["loops"]), "-o", str(gen)]) == 0
    cfg = load_config(config_file=str(gen / "mkdocs.yml"), site_dir=str(site), strict=True)
    assert "pathway" not in cfg.plugins
    mkdocs_build(cfg)
    pathway = check_file(PATHWAYS["loops"]).pathway
    for s in pathway.stages:
        assert (site / "stages" / s.id / "index.html").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="(stages/[^"]+)"', home):
        assert (site / href / "index.html").exists()


def test_built_site_folder_is_readable_by_other_users(site):
    # The build goes through a private temporary folder; the published folder
    # must still be readable by a web server running as another user.
    _, out = site
    assert out.stat().st_mode & 0o005 == 0o005


def test_diagram_labels_are_not_indexed_for_search(site):
    # The diagrams repeat what the page lists as text; indexing their labels
    # made every stage page match "you are here" and stage titles twice.
    _, root = site
    index = (root / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "YOU ARE HERE" not in index


def test_the_plugin_override_can_be_read_again_as_serve_does_on_every_rebuild(monkeypatch):
    # `mkdocs serve` loads the config again, with the same override, on every
    # change; a list of one-key dicts is emptied by the first load.
    from mkdocs.config import load_config

    from generator.cli._sitecommon import plugin_override

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    plugins = plugin_override(REPO / "mkdocs.yml", str(PATHWAYS["loops"]))
    for _ in range(2):
        cfg = load_config(config_file=str(REPO / "mkdocs.yml"), plugins=plugins)
        assert cfg.plugins["pathway"].config.pathway_file == str(PATHWAYS["loops"])


def test_pages_make_no_request_to_github_for_repository_facts(site):
    # Material's source widget fetches star/fork counts from api.github.com on
    # every page view; generator/theme/partials/source.html turns that off.
    _, root = site
    for page in root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'data-md-component="source"' not in text, page
    assert 'class="md-source"' in (root / "index.html").read_text(encoding="utf-8")  # the link itself stays


def test_no_pdf_build_has_no_handbook_and_no_button(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(REPO)
    site = tmp_path / "site"
    assert main(["build", str(PATHWAYS["loops"]), "-d", str(site), "--no-pdf"]) == 0
    assert not (site / "pathway.pdf").exists()
    assert "pathway.pdf" not in (site / "index.html").read_text(encoding="utf-8")


def test_a_pdf_that_cannot_be_built_fails_the_build_and_keeps_the_old_site(tmp_path, monkeypatch, capsys):
    from generator.pdf import handbook

    site = tmp_path / "site"
    build(PATHWAYS["loops"], site, monkeypatch)
    before = (site / "pathway.pdf").read_bytes()

    def broken(*_a, **_k):
        raise handbook.PdfError("WeasyPrint said no")

    monkeypatch.setattr(handbook, "build_pdf", broken)
    assert main(["build", str(PATHWAYS["loops"]), "-d", str(site)]) == 1
    err = capsys.readouterr().err
    assert "PDF handbook was not built: WeasyPrint said no" in err and "Traceback" not in err
    assert (site / "pathway.pdf").read_bytes() == before


def test_editors_guides_are_apart_from_the_readers_site(site):
    import json

    _name, root = site
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    places = {d["location"].split("/")[0] for d in index["docs"]}
    assert {"format", "safety", "contributing"}.isdisjoint(places)
    assert "about" in places and "stages" in places
    # Still published, but in their own nav section.
    home = (root / "index.html").read_text(encoding="utf-8")
    assert "For editors" in home and (root / "format" / "index.html").exists()


def test_no_previous_next_on_stage_pages(site):
    _name, root = site
    for page in (root / "stages").rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        m = re.search(r'<nav class="md-footer__inner[^"]*"[^>]*>', html)
        assert m is None or " hidden" in m.group(0), page
