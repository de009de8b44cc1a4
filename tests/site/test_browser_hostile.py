"""A site built from a hostile pathway, attacked in a real browser (Debian's Chromium via Playwright).

Every text field holds payloads that run as soon as a browser treats them as
markup - ``<img src=x onerror=…>`` and ``<svg onload=…>`` (``innerHTML`` runs
these; it never runs ``<script>``) as well as ``<script>`` - each setting
``window.__pwned`` and opening a dialog.  On every page the test traps dialogs,
hovers every titled element (Material's old tooltips copied titles into
``innerHTML``), tabs through, clicks every same-origin link, and scans the DOM
after the theme's scripts ran.  Nothing may fire, no element may carry an
``on*`` attribute or a ``javascript:``/``data:`` address, and the payloads must
be visible as text.  The built PDF's link annotations are checked with pypdf.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from generator.cli import main
from serving import serve_folder

REPO = Path(__file__).resolve().parents[2]
from browsers import CHROMIUM, FLAGS  # noqa: E402

pytestmark = [pytest.mark.chromium, pytest.mark.dot, pytest.mark.slow]

IMG = '<img src=x onerror="window.__pwned=\'img\';alert(document.domain)">'
SVG = '<svg onload="window.__pwned=\'svg\';alert(2)">'
SCRIPT = "<script>window.__pwned='script';alert(3)</script>"
ALL = f"{IMG} {SVG} {SCRIPT}"
# What a reader must see, literally, where a payload was written.
VISIBLE = ("<img src=x onerror=", "<svg onload=", "<script>")


def hostile_pathway() -> dict:
    body = (
        f"Body {ALL}\n\n"
        f'[titled link](https://example.org "{IMG}") and [one](`javascript:window.__pwned=\'code\'`)\n\n'
        "> [q]: javascript:window.__pwned='blockquote'\n>\n> [quoted ref][q]\n\n"
        "- [l]: javascript:window.__pwned='list'\n\n[listed ref][l]\n\n"
        "![pic](`data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='window.__pwned=1'/>`)\n\n"
        "!!! md-sidebar md-sidebar--primary\n    Spoofed furniture\n\n"
        "Dose and CT here.\n\n"
        f"*[Dose]: {IMG}\n"
    )
    return {
        "format": 1, "id": "hostile", "title": f"Title {IMG}", "version": "1.0", "status": "active",
        "start": "first", "summary": f"Summary {ALL}", "audience": f"Audience {ALL}",
        "governance": {"owner": f"Owner {IMG}", "authors": [f"Author {SVG}"], "approved_by": [f"Approver {SCRIPT}"],
                       "contact": "team@example.org", "next_review": "2099-01-01"},
        "history": [{"version": "1.0", "date": "2026-01-01", "summary": f"History {ALL}",
                     "approved_by": [f"Board {IMG}"]}],
        "groups": [{"id": "grp", "title": f"Group {ALL}"}],
        "references": [{"id": "ref", "title": f"Reference {ALL}", "url": "https://example.org/guide"}],
        "glossary": [{"term": f"Term {IMG}", "abbr": "CT", "definition": f"Definition {ALL}"}],
        "stages": [
            {"id": "first", "title": f"First {IMG}", "kind": "decision", "group": "grp",
             "summary": f"Stage summary {ALL}", "body": body,
             "facts": {f"Fact {SVG}": f"Value {ALL}"}, "references": ["ref"],
             "next": [{"to": "second", "when": f"When {IMG}"}, {"to": "third", "when": f"Else {SVG}"}]},
            {"id": "second", "title": f"Second {SVG}", "kind": "outcome", "group": "grp",
             "body": f"Back to [[first]] {SCRIPT}"},
            {"id": "third", "title": f"Third {SCRIPT}", "kind": "outcome"},
        ],
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    src = work / "hostile.yaml"
    src.write_text(yaml.safe_dump(hostile_pathway(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = work / "site"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
    mp.chdir(REPO)
    try:
        assert main(["build", str(src), "-d", str(out)]) == 0
        assert main(["pdf", str(src), "-o", str(work / "hostile.pdf")]) == 0
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="module")
def base_url(site):
    with serve_folder(site) as url:
        yield url


_SCAN_JS = r"""() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}="${a.value}"`);
      if (/(^|:)(href|src|action|formaction|data)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value))
        bad.push(`${el.tagName} ${a.name}="${a.value}"`);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('__pwned')) bad.push('script: ' + el.textContent);
    if (/(^|\s)md-sidebar/.test(el.getAttribute('class') || '') && el.closest('article')) bad.push('md-sidebar in article');
  }
  return bad;
}"""


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))


def test_no_payload_runs_on_any_page_and_every_payload_is_visible(site, base_url):
    from playwright.sync_api import sync_playwright

    fired: list[str] = []
    pages = _pages(site)
    assert len(pages) >= 8, pages  # home, three stages, glossary, references, history, hand-written pages
    clicked: set[str] = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("dialog", lambda d: (fired.append(f"dialog {d.message!r} on {page.url}"), d.dismiss()))
        page.set_default_timeout(3000)

        def check(where: str) -> None:
            pwned = page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")
            if pwned is not None:
                fired.append(f"window.__pwned={pwned} on {where}")
            fired.extend(f"{b} on {where}" for b in page.evaluate(_SCAN_JS))

        try:
            for rel in pages:
                url = urljoin(base_url, rel.removesuffix("index.html"))
                page.goto(url, wait_until="load")
                page.wait_for_timeout(150)  # the theme's scripts run after load
                check(url)
                for el in page.locator("[title]").all():
                    if el.is_visible():
                        el.hover(timeout=1000, force=True)
                check(url + " (after hovering every titled element)")
                for _ in range(40):
                    page.keyboard.press("Tab")
                check(url + " (after tabbing)")
                hrefs = page.eval_on_selector_all(
                    "a[*|href]",  # flowchart links carry xlink:href only
                    "els => els.map(e => typeof e.href === 'string' ? e.href : new URL(e.href.baseVal, location.href).href)",
                )
                for href in hrefs:
                    if urlsplit(href).netloc != urlsplit(base_url).netloc or href in clicked:
                        continue
                    clicked.add(href)
                    target = page.locator("a[*|href]").nth(hrefs.index(href))
                    if not target.is_visible():
                        page.goto(href, wait_until="load")  # a hidden link (closed menu): follow it directly
                    else:
                        try:
                            target.click(timeout=500)
                        except Exception:  # covered by the sticky header: activate it as a script would
                            target.evaluate("e => e.click()")
                        page.wait_for_load_state("load")
                    check(f"{href} (clicked from {url})")
                    if page.url.split("#")[0] != url:
                        page.goto(url, wait_until="load")
        finally:
            # A payload that fired explains any later failure (a dialog interrupting a navigation).
            assert not fired, "\n".join(fired[:20])
            browser.close()
    assert clicked, "no same-origin link was clicked"


def test_payloads_are_shown_literally(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(urljoin(base_url, "stages/first/"), wait_until="load")
        text = page.inner_text("article")
        for literal in VISIBLE:
            assert literal in text, literal
        assert f"First {IMG}" in page.inner_text("h1")
        # The refused links are text, with their address visible.
        assert "javascript:window.__pwned='code'" in text
        assert "javascript:window.__pwned='blockquote'" in text
        assert page.locator("article a[href^='javascript']").count() == 0
        # The spoofed admonition keeps its text but not the theme's classes.
        assert "Spoofed furniture" in text
        assert page.locator("article .md-sidebar").count() == 0
        # The abbreviation's definition is a plain title, never markup.
        assert page.locator("article abbr").first.get_attribute("title") == IMG
        page.goto(base_url, wait_until="load")
        assert f"Title {IMG}" in page.title()
        browser.close()


def test_pdf_link_annotations_hold_no_script_or_data_uri(site):
    from pypdf import PdfReader

    reader = PdfReader(site.parent / "hostile.pdf")
    uris = []
    for pg in reader.pages:
        for annot in pg.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    assert "https://example.org/guide" in uris  # the check can see URIs at all
    bad = [u for u in uris if urlsplit(u.strip()).scheme.lower() not in ("http", "https", "mailto", "")]
    assert not bad, bad
