"""Hostile pathway files: clean located errors or safe output, never a traceback, a hang or a stray write.

Three layers:

* **Built sites** (``pathway build`` into tmp_path, the repository's
  mkdocs.yml and Material): a payload is put in every free-text field of a
  small valid pathway, the site is built, and every HTML page is compared
  with a build of the same pathway written in harmless words.  Nothing that
  runs code may appear: no new ``<script>`` (Material's own scripts are in
  both builds), no ``on*=`` attribute, no ``javascript:``/``data:`` URL, no
  new iframe/img/svg/... element.  The same sites are opened in Chromium with
  a ``window.__pwned`` sentinel and a dialog trap.
* **Diagrams**: labels that try to break out of DOT quoting show literally.
* **The reader**: ids and file names, YAML tags and aliases, deep nesting,
  huge files, many stages, long texts -> a located rule error, in bounded
  time and memory (checked in a subprocess with an address-space cap).

``test_the_scanner_and_the_browser_catch_unescaped_output`` shows that these
checks do fail when pathway text is deliberately left unescaped.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.render import escape
from generator.core import pipeline
from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
EPOCH = "1795000000"  # 2026-11-18, so dates in the built pages are fixed

# ---------------------------------------------------------------------------------------------
# Hostile pathways
# ---------------------------------------------------------------------------------------------

SENTINEL = "window.__pwned=1"


def hostile_doc(payload: str, *, title: str = "Hostile test", names: str = "name",
                url: str = "https://example.org/guide?q=%3Cscript%3E") -> dict:
    """A valid pathway (as a dict) with ``payload`` in every free-text field.

    ``title`` is the pathway's title, which also becomes MkDocs' ``site_name``
    (printed by the theme on every page); ``names`` goes into stage and group
    titles, which also become navigation entries and page titles.  Both are
    kept harmless unless a test is about them, so each finding has one cause.
    """
    p, n = payload, names
    # A [[link]] label cannot hold ']' '|' or a newline: the link syntax ends there.
    label = re.sub(r"[\]|\n]", "", p) or "x"
    return {
        "format": 1,
        "id": "hostile",
        "title": title,
        "version": "1.0",
        "status": "active",
        "start": "a",
        "summary": f"S {p}",
        "audience": f"A {p}",
        "governance": {
            "owner": f"O {p}",
            "authors": [f"Au {p}"],
            "approved_by": [f"Ap {p}"],
            "approved_on": "2026-01-01",
            "last_reviewed": "2026-01-01",
            "next_review": "2027-12-01",
            "contact": f"C {p}",
        },
        "history": [{"version": "1.0", "date": "2026-01-01", "summary": f"H {p}", "approved_by": [f"HA {p}"]}],
        "groups": [{"id": "g", "title": f"G {n}"}],
        "stages": [
            {
                "id": "a", "title": f"SA {n}", "kind": "decision", "group": "g", "summary": f"SS {p}",
                "body": f"Body {p}\n\n{p}\n\nSee [[b|{label}]] and [[c]].\n",
                "facts": {f"F {p}": f"FV {p}", "plain": p},
                "next": [{"to": "b", "when": f"W1 {p}"}, {"to": "c", "when": f"W2 {p}"}],
                "references": ["r"],
            },
            {"id": "b", "title": f"SB {n}", "kind": "outcome", "body": p, "alongside": ["c"]},
            {"id": "c", "title": f"SC {n}", "kind": "outcome", "summary": p},
        ],
        "references": [{"id": "r", "title": f"R {p}", "url": url}],
        "glossary": [
            {"term": f"Term {p}", "definition": f"Def {p}", "abbr": "ABB"},
            {"term": "Plain term", "definition": p, "abbr": p},
        ],
    }


def dump(doc: dict) -> str:
    """YAML text for a pathway dict (PyYAML quotes whatever needs quoting)."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)


# ---------------------------------------------------------------------------------------------
# Scanning built HTML
# ---------------------------------------------------------------------------------------------

# Elements that pathway text must never add to a page.  Counted per page and
# compared with a clean build of the same shape, so the theme's own elements
# (Material's scripts, the search form, our inline SVG) are allowed.
DANGEROUS_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "meta", "link",
    "style", "img", "svg", "math", "template", "input", "button", "textarea", "select", "video", "audio",
    "source", "portal", "noscript", "foreignobject", "animate", "set", "use", "image",
})
URL_ATTRS = frozenset({"href", "src", "xlink:href", "action", "formaction", "data", "poster", "background",
                       "srcset", "codebase", "cite", "longdesc", "ping", "manifest", "values", "from", "to", "by"})
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|livescript|data):", re.I)
# WHATWG URL parsing removes tab/LF/CR anywhere and trims C0 controls and spaces at the ends.
_REMOVED_IN_URL = re.compile(r"[\t\n\r]")
_TRIMMED = "".join(chr(i) for i in range(0x21))


@dataclass
class PageScan:
    """What one HTML page contains that could run code or load something."""

    scripts: Counter = field(default_factory=Counter)  # (src, text) of each <script>
    tags: Counter = field(default_factory=Counter)  # counts of DANGEROUS_TAGS
    handlers: list[str] = field(default_factory=list)  # every on*= attribute
    bad_urls: list[str] = field(default_factory=list)  # javascript:/data:... URLs


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self._script: tuple[str, list[str]] | None = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.scan.tags[tag] += 1
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.scan.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS or name.endswith(":href"):
                for part in value.split(",") if name == "srcset" else [value]:
                    # Entities are already decoded by the parser, as a browser does.
                    if _BAD_SCHEME.match(_REMOVED_IN_URL.sub("", part).strip(_TRIMMED)):
                        self.scan.bad_urls.append(f"<{tag} {name}={value!r}>")
        if tag in ("title", "textarea"):
            # RCDATA, as in browsers: nothing up to the closing tag is markup.
            self.set_cdata_mode(tag)
        if tag == "script":
            self._script = (dict(attrs).get("src") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            src, text = self._script
            self.scan.scripts[(src, "".join(text))] += 1
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)


def scan_html(text: str) -> PageScan:
    s = _Scanner()
    s.feed(text)
    s.close()
    return s.scan


def html_pages(site: Path) -> dict[str, str]:
    """Every built HTML page by its path relative to the site."""
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def injected(hostile: dict[str, str], clean: dict[str, str]) -> list[str]:
    """Everything in the hostile build that could run code and that the clean build does not have."""
    assert set(hostile) == set(clean), sorted(set(hostile) ^ set(clean))
    out: list[str] = []
    for page, text in hostile.items():
        h, c = scan_html(text), scan_html(clean[page])
        out += [f"{page}: new <script src={k[0]!r}> {k[1][:80]!r}" for k in h.scripts - c.scripts]
        out += [f"{page}: {n} more <{t}> than a clean build" for t, n in (h.tags - c.tags).items()]
        out += [f"{page}: event handler {x}" for x in h.handlers]
        out += [f"{page}: unsafe URL {x}" for x in h.bad_urls]
    return out


# ---------------------------------------------------------------------------------------------
# Building (cached per module: one build per pathway text)
# ---------------------------------------------------------------------------------------------


class Sites:
    """Builds hostile pathways into one temporary root, each once, and serves them over HTTP."""

    def __init__(self, root: Path):
        self.root = root
        self.built: dict[str, Path] = {}

    def build(self, name: str, doc: dict | str) -> Path:
        if name in self.built:
            return self.built[name]
        folder = self.root / name
        folder.mkdir()
        src = folder / "pathway.yaml"
        src.write_text(doc if isinstance(doc, str) else dump(doc), encoding="utf-8")
        mp = pytest.MonkeyPatch()
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        mp.setenv("NO_MKDOCS_2_WARNING", "1")
        mp.chdir(REPO)
        try:
            rc = main(["build", str(src), "-d", str(folder / "site")])
        finally:
            mp.undo()
        assert rc == 0, f"the build of {name} failed"
        self.built[name] = folder / "site"
        return folder / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Sites:
    return Sites(tmp_path_factory.mktemp("hostile-sites"))


@pytest.fixture(scope="module")
def clean_pages(sites) -> dict[str, str]:
    return html_pages(sites.build("clean", hostile_doc("harmless words")))


# Payloads for the free-text fields (summaries, bodies, facts, when, glossary, references, governance...).
# ids are the pytest ids; each value is the text put in every field.
TEXT_PAYLOADS = {
    "script": f"<script>{SENTINEL}</script>",
    "script-mixed-case": f"<ScRiPt>{SENTINEL}</sCrIpT>",
    "img-onerror": f"<img src=x onerror={SENTINEL}>",
    "img-onerror-alert": "<img src=x onerror=alert(1)>",
    # Quoted attributes: Python-Markdown passes this form through as raw HTML when nothing escapes it.
    "img-onerror-quoted": f'<img src="x" onerror="{SENTINEL}">',
    "svg-onload": f"<svg onload={SENTINEL}>",
    "a-href-javascript": f'<a href="javascript:{SENTINEL}">x</a>',
    "iframe": f"<iframe src=javascript:{SENTINEL}></iframe>",
    "div-markdown-onclick": f'<div markdown="1" onclick="{SENTINEL}">x</div>',
    "attribute-breakout": f'" onmouseover="{SENTINEL}" x="',
    "attribute-breakout-single": f"' onmouseover='{SENTINEL}' x='",
    "markdown-link-javascript": f"[x](javascript:{SENTINEL})",
    "markdown-link-javascript-case": f"[x](JaVaScRiPt:{SENTINEL})",
    "markdown-link-javascript-space": f"[x]( javascript:{SENTINEL})",
    "markdown-link-javascript-angle": f"[x](<javascript:{SENTINEL}>)",
    "markdown-link-javascript-tab": f"[x](java\tscript:{SENTINEL})",
    "markdown-link-javascript-entity": f"[x](jav&#x61;script:{SENTINEL})",
    # Fixed in generator/escape.py (the scheme check now reads the target across line breaks).
    "markdown-link-javascript-newline": f"[x](java\nscript:{SENTINEL})",
    "markdown-image-javascript": f"![x](javascript:{SENTINEL})",
    "markdown-link-data": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "markdown-reference-definition": f"[x][r1]\n\n[r1]: javascript:{SENTINEL}",
    "autolink-javascript": f"<javascript:{SENTINEL}>",
    # Issue 10: destinations the old pre-Markdown filter missed; now checked after parsing (generator/core/urls.py).
    "markdown-link-code-span-destination": f"[x](`javascript:{SENTINEL}`)",
    "reference-definition-in-blockquote": f"> [r]: javascript:{SENTINEL}\n>\n> [x][r]",
    "reference-definition-in-list": f"- [r]: javascript:{SENTINEL}\n\n[x][r]",
    "reference-definition-in-admonition": f"!!! note\n    [r]: javascript:{SENTINEL}\n\n    [x][r]",
    "image-code-span-data": "![x](`data:image/svg+xml,<svg onload=alert(1)>`)",
    "html-entities": f"&lt;script&gt;{SENTINEL}&lt;/script&gt; &#60;img src=x onerror={SENTINEL}&#62;",
    "html-comment": f"<!-- --><script>{SENTINEL}</script><!-- -->",
    "cdata": f"<![CDATA[<script>{SENTINEL}</script>]]>",
    "code-fence": f"```\n<script>{SENTINEL}</script>\n```",
    "code-span": f"`<script>{SENTINEL}</script>`",
    "admonition": f'!!! note "<script>{SENTINEL}</script>"\n    <img src=x onerror={SENTINEL}>',
    # attr_list syntax (fixed in generator/escape.py: '{' is backslash-escaped outside code).
    "attr-list": f'x\n{{: onclick="{SENTINEL}" }}',
    "attr-list-heading": f'## Heading {{: onmouseover="{SENTINEL}" }}',
    "attr-list-link": f'[a](https://example.org){{: onclick="{SENTINEL}" }}',
    "attr-list-after-code-span": f'`a`{{: onclick="{SENTINEL}" }}',
    # Regression (fixed in generator/escape.py): text escape.py took for code (an unclosed or unusual
    # fence, a code span across lines) was left unescaped, but Python-Markdown read it as live Markdown.
    "attr-list-after-fence": f'```\nx\n```{{: onclick="{SENTINEL}" }}',
    "code-span-across-blocks": f"# `x\n<script>{SENTINEL}</script>`",
    "code-span-across-list-items": f"- `a\n\n<script>{SENTINEL}</script>`",
    "fence-attributes": f'```{{ onclick="{SENTINEL}" }}\nx\n```',
    "fence-indented-with-blank-line": f' ```\nx\n\n<img src="x" onerror="{SENTINEL}">\n ```',
    "fence-closed-by-a-longer-fence": f'```\nx\n\n<img src="x" onerror="{SENTINEL}">\n````',
    "fence-with-text-after-it": f'```js <img src="x" onerror="{SENTINEL}">\nx\n```',
    # MkDocs always enables fenced_code, so a closed fence is a real code block on the site.
    "fence-with-blank-line": f'```\nx\n\n<img src="x" onerror="{SENTINEL}">\n```',
}

# Payloads for stage and group titles: these also become navigation entries and page <title>s.
# Regression (fixed in generator/plugin.py: its main.html override): Material prints nav titles and site_name
# as raw HTML, and writes <title> with '|striptags', which decodes entities, so titles could add scripts.
NAME_PAYLOADS = {
    "script": f"<script>{SENTINEL}</script>",
    "img-onerror": f"<img src=x onerror={SENTINEL}>",
    "a-href-javascript": f'<a href="javascript:{SENTINEL}">x</a>',
    "attribute-breakout": f'" onmouseover="{SENTINEL}" x="',
    "close-title": f"</title><script>{SENTINEL}</script>",
    "close-title-as-entities": f"&lt;/title&gt;&lt;script&gt;{SENTINEL}&lt;/script&gt;",
    "markdown-link-javascript": f"[x](javascript:{SENTINEL})",
}

# Payloads for the pathway's own title, which the plugin makes MkDocs' site_name.
TITLE_PAYLOADS = {
    "script": f"<script>{SENTINEL}</script>",
    "img-onerror": f"<img src=x onerror={SENTINEL}>",
    "attribute-breakout": f'" onmouseover="{SENTINEL}" x="',
    "attribute-breakout-single": f"' onmouseover='{SENTINEL}' x='",
    "close-title-as-entities": f"&lt;/title&gt;&lt;script&gt;{SENTINEL}&lt;/script&gt;",
    "markdown-link-javascript": f"[x](javascript:{SENTINEL})",
}


def _params(table: dict) -> list:
    """pytest params named by the table's keys, keeping any xfail marks."""
    return [pytest.param(*v.values, marks=v.marks, id=k) if hasattr(v, "values") else pytest.param(v, id=k)
            for k, v in table.items()]


@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("payload", _params(TEXT_PAYLOADS))
def test_payload_in_every_text_field_adds_no_code(sites, clean_pages, payload, request):
    site = sites.build("text-" + request.node.callspec.id, hostile_doc(payload))
    found = injected(html_pages(site), clean_pages)
    assert not found, "\n".join(found[:20])


@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("payload", _params(NAME_PAYLOADS))
def test_payload_in_stage_and_group_titles_adds_no_code(sites, clean_pages, payload, request):
    site = sites.build("names-" + request.node.callspec.id, hostile_doc("harmless words", names=payload))
    found = injected(html_pages(site), clean_pages)
    assert not found, "\n".join(found[:20])


@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("payload", _params(TITLE_PAYLOADS))
def test_payload_in_the_pathway_title_adds_no_code(sites, clean_pages, payload, request):
    site = sites.build("title-" + request.node.callspec.id, hostile_doc("harmless words", title=payload))
    found = injected(html_pages(site), clean_pages)
    assert not found, "\n".join(found[:20])


# ---------------------------------------------------------------------------------------------
# The same sites in Chromium: no pathway script runs, even when every handler is fired
# ---------------------------------------------------------------------------------------------

# Fires every inline handler an attacker could have planted (as a hover, focus or click would), with
# navigation blocked, then reports what a browser sees: handler attributes, javascript:/data: links
# (as the browser parsed them, e.g. with a newline removed) and the sentinel.
_PROBE = """() => {
  document.addEventListener('click', e => e.preventDefault(), true);
  document.addEventListener('submit', e => e.preventDefault(), true);
  const events = ['mouseover', 'mouseenter', 'pointerover', 'focus', 'focusin', 'click', 'error', 'load',
                  'animationstart', 'transitionend', 'toggle', 'input'];
  for (const el of document.querySelectorAll('*')) {
    for (const t of events) { try { el.dispatchEvent(new Event(t)); } catch (e) {} }
  }
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) found.push(`<${el.localName} ${a.name}="${a.value}">`);
      if (['href', 'src', 'xlink:href', 'action', 'formaction', 'data'].includes(a.name)) {
        let protocol = '';
        try { protocol = new URL(a.value, document.baseURI).protocol; } catch (e) {}
        if (['javascript:', 'data:', 'vbscript:'].includes(protocol)) found.push(`<${el.localName} ${a.name}="${a.value}">`);
      }
    }
  }
  if (window.__pwned !== undefined) found.push('window.__pwned was set');
  return found;
}"""

PAGES = ["", "stages/a/", "stages/b/", "glossary/", "references/", "history/"]


@pytest.fixture(scope="module")
def server(sites):
    handler = functools.partial(_QuietHandler, directory=str(sites.root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output readable
        pass



def browser_findings(browser, base: str, search: str | None = "body") -> list[str]:
    """Open the pages of one built site; everything that shows pathway code could run."""
    context = browser.new_context()
    found: list[str] = []
    try:
        page = context.new_page()

        def on_dialog(d) -> None:
            found.append(f"a {d.type}() dialog opened: {d.message!r}")
            d.dismiss()

        page.on("dialog", on_dialog)
        for path in PAGES:
            page.goto(f"{base}/{path}")
            page.wait_for_load_state("load")
            found += [f"{path or 'home'}: {x}" for x in page.evaluate(_PROBE)]
        if search:
            # The search results state: Material builds result items from the search index.  Every
            # hostile pathway has "Body <payload>" in stage a, and stage titles are in every result.
            page.goto(f"{base}/")
            page.locator("label.md-search__icon, .md-search__input").first.click()
            page.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                                   " return m && !/Initializing/i.test(m.textContent); }", timeout=30_000)
            # Typed key by key: Material searches on keyboard events (fill() alone starts no search).
            page.locator("input.md-search__input").press_sequentially(search, delay=20)
            page.locator(".md-search-result__item").first.wait_for(timeout=30_000)
            found += [f"search: {x}" for x in page.evaluate(_PROBE)]
    finally:
        context.close()
    return found


BROWSER_CASES = [
    pytest.param("text", TEXT_PAYLOADS[k], id=f"text-{k}") for k in (
        "script", "img-onerror-alert", "img-onerror-quoted", "svg-onload", "a-href-javascript", "markdown-link-javascript",
        "attribute-breakout", "html-entities", "code-fence", "markdown-reference-definition")
] + [
    pytest.param("text", TEXT_PAYLOADS["attr-list"], id="text-attr-list"),
    pytest.param("text", TEXT_PAYLOADS["markdown-link-javascript-newline"], id="text-markdown-link-javascript-newline"),
    pytest.param("text", TEXT_PAYLOADS["attr-list-after-fence"], id="text-attr-list-after-fence"),
    pytest.param("text", TEXT_PAYLOADS["code-span-across-blocks"], id="text-code-span-across-blocks"),
    pytest.param("text", TEXT_PAYLOADS["fence-with-blank-line"], id="text-fence-with-blank-line"),
    pytest.param("names", NAME_PAYLOADS["script"], id="names-script"),
    pytest.param("names", NAME_PAYLOADS["img-onerror"], id="names-img-onerror"),
    pytest.param("names", NAME_PAYLOADS["close-title-as-entities"], id="names-close-title-as-entities"),
    pytest.param("title", TITLE_PAYLOADS["attribute-breakout"], id="title-attribute-breakout"),
    pytest.param("title", TITLE_PAYLOADS["script"], id="title-script"),
    pytest.param("title", TITLE_PAYLOADS["attribute-breakout-single"], id="title-attribute-breakout-single"),
]


def _doc_for(where: str, payload: str) -> dict:
    if where == "names":
        return hostile_doc("harmless words", names=payload)
    if where == "title":
        return hostile_doc("harmless words", title=payload)
    return hostile_doc(payload)


@pytest.mark.chromium
@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("where,payload", BROWSER_CASES)
def test_no_pathway_script_runs_in_chromium(sites, server, browser, where, payload, request):
    name = "browser-" + request.node.callspec.id
    sites.build(name, _doc_for(where, payload))
    found = browser_findings(browser, f"{server}/{name}/site")
    assert not found, "\n".join(found[:20])


# ---------------------------------------------------------------------------------------------
# The checks above can fail: pathway text deliberately left unescaped is caught by both
# ---------------------------------------------------------------------------------------------


@pytest.mark.chromium
@pytest.mark.dot
@pytest.mark.slow
def test_the_scanner_and_the_browser_catch_unescaped_output(sites, clean_pages, server, browser, monkeypatch):
    # Make the Markdown filter a no-op, as a careless template change would, and switch the second guard
    # (link check after parsing, sanitizer) off too: test_the_sanitizer_alone_stops_unescaped_output has it on.
    from generator.core import urls
    from generator.render import sanitize

    monkeypatch.setattr(sanitize, "clean_html", lambda fragment: fragment)
    monkeypatch.setattr(urls, "link_problem", lambda dest: None)
    monkeypatch.setattr(escape, "markdown", lambda text: "" if text is None else str(text))
    monkeypatch.setattr(escape, "cell", lambda text: " ".join(("" if text is None else str(text)).split()))
    site = sites.build("unescaped", hostile_doc(f'<img src="x" onerror="{SENTINEL}"> [x](javascript:{SENTINEL})'))
    monkeypatch.undo()
    found = injected(html_pages(site), clean_pages)
    assert any("event handler <img onerror" in f for f in found), found
    assert any("unsafe URL <a href='javascript:" in f for f in found), found
    seen = browser_findings(browser, f"{server}/unescaped/site", search=None)
    assert any("window.__pwned was set" in f for f in seen), seen
    assert any('href="javascript:' in f for f in seen), seen


def test_the_scanner_reads_html_as_a_browser_does():
    """Entities are decoded, tab/newline dropped from URLs, <title> content is text, not markup."""
    s = scan_html('<a href="&#106;ava&#x09;script:x">a</a><a href="java\nscript:y">b</a><a href=" javascript:z">c</a>'
                  '<title><img src=x onerror=1></title><p data-x="javascript:no">ok</p>'
                  '<svg><a xlink:href="javascript:w"></a></svg>')
    assert len(s.bad_urls) == 4, s.bad_urls
    assert s.handlers == [] and s.tags["img"] == 0 and s.tags["svg"] == 1


# ---------------------------------------------------------------------------------------------
# Files from the repository must not leak into pages (pymdownx.snippets)
# ---------------------------------------------------------------------------------------------


@pytest.mark.dot
@pytest.mark.slow
# Regression: mkdocs.yml enabled pymdownx.snippets, which expanded '--8<-- "file"' inside fenced code of a
# body (escape.markdown leaves code alone), publishing any file under the build's working folder.
@pytest.mark.parametrize("where", ["fenced-code", "plain-text"])
def test_a_body_cannot_include_files_from_the_repository(sites, where):
    snippet = '--8<-- "mkdocs.yml"'
    body = f"```\n{snippet}\n```\n" if where == "fenced-code" else f"{snippet}\n"
    doc = hostile_doc("harmless words")
    doc["stages"][1]["body"] = body
    site = sites.build(f"snippets-{where}", doc)
    page = (site / "stages" / "b" / "index.html").read_text(encoding="utf-8")
    assert "use_directory_urls" not in page  # a line of mkdocs.yml
    assert "8&lt;--" in page or "8&lt;&#45;&#45;" in page  # the text is shown as written


# ---------------------------------------------------------------------------------------------
# Diagrams: labels that try to break out of DOT quoting or HTML-like labels show literally
# ---------------------------------------------------------------------------------------------

DOT_BREAKOUTS = [
    'He said "stop" now',
    "back\\slash \\\\ and \\",
    'quote then ]; node [label="pwned"',
    '"]; a -> b; x [label="',
    "a > b; c < d",
    "\\N \\G \\E \\T \\H \\L \\l \\r \\n",
    "<TABLE><TR><TD>cell</TD></TR></TABLE>",
    "<b>bold</b> & &amp; &lt;",
    "} subgraph x { y",
    "// not a comment /* nor this */ # nor this",
]


def _svg_texts(svg: str) -> list[str]:
    """The text of every <text> element of an SVG, entities decoded."""
    return [html.unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


def _squash(s: str) -> str:
    return "".join(s.split())


@pytest.mark.dot
def test_labels_that_try_to_break_out_of_dot_show_literally():
    from generator.site.pages import render_site

    stages = []
    for i, title in enumerate(DOT_BREAKOUTS):
        nxt = [{"to": f"s{i + 1}", "when": title}, {"to": "end", "when": "other"}] if i + 1 < len(DOT_BREAKOUTS) else [
            {"to": "end"}]
        stages.append({"id": f"s{i}", "title": title, "kind": "decision" if len(nxt) > 1 else "assessment",
                       "summary": title, "next": nxt})
    stages.append({"id": "end", "title": "End\nwith a newline", "kind": "outcome"})
    doc = {"id": "dot", "title": "DOT breakouts", "version": "1", "status": "draft", "start": "s0",
           "groups": [{"id": "g", "title": DOT_BREAKOUTS[2]}], "stages": stages}
    doc["stages"][0]["group"] = "g"
    result = pipeline.check_text(dump(doc), for_build=True)
    assert not result.has_errors(), result.problems
    files = render_site(result.pathway, today=pipeline.today())
    home = files["index.md"].decode()
    svg = re.search(r"<svg\b.*?</svg>", home, re.S).group(0)
    texts = _squash("".join(_svg_texts(svg)))
    for title in DOT_BREAKOUTS + ["End with a newline"]:
        # Long labels are wrapped, so compare without whitespace; every character must be there as written.
        assert _squash(title) in texts, title
    # One box per stage plus the start marker, the group's title (a text node, see
    # diagrams._cluster_open) and one text node per condition (diagrams._condition_edge):
    # nothing was injected as an extra node or cluster.
    conditions = sum(1 for s in stages for t in s.get("next", []) if t.get("when"))
    assert svg.count('class="node"') == len(stages) + 2 + conditions
    assert len(re.findall(r'<g id="[^"]*cond-', svg)) == conditions
    assert svg.count('class="cluster"') == 1 and len(re.findall(r'id="[^"]*grouptitle-', svg)) == 1
    # Each link is named by the stage's title as written (whitespace collapsed).
    labels = [html.unescape(x) for x in re.findall(r'aria-label="([^"]*)"', svg)]
    for title in DOT_BREAKOUTS:
        assert any(_squash(title) in _squash(lab) for lab in labels), title
    # The neighbourhood diagram of each stage uses an HTML-like label for its own box.
    for i, title in enumerate(DOT_BREAKOUTS):
        page = files[f"stages/s{i}.md"].decode()
        nsvg = re.search(r"<svg\b.*?</svg>", page, re.S).group(0)
        assert _squash(title) in _squash("".join(_svg_texts(nsvg))), title
        assert "<TABLE>" not in nsvg and "<b>bold" not in nsvg


def test_the_dot_label_check_fails_on_unquoted_text():
    """Without quoting, dot interprets the label: the same comparison as above would fail."""
    from generator.render.layout import render_svgs

    raw = '\\G <b>'
    svg = render_svgs([f'digraph g {{ a [label="{raw}"] }}'])[0]
    assert _squash(raw) not in _squash("".join(_svg_texts(svg)))


# ---------------------------------------------------------------------------------------------
# The reader: ids, tags, aliases, nesting, size -> a located rule error
# ---------------------------------------------------------------------------------------------

MINIMAL = """\
id: p
title: P
version: "1"
status: draft
start: first
stages:
  - id: {id}
    title: First
    kind: assessment
    next:
      - to: done
  - id: done
    title: Done
    kind: outcome
groups:
  - id: {gid}
    title: G
references:
  - id: {rid}
    title: R
"""

BAD_IDS = {
    "dot-dot": '".."',
    "parent-path": '"../../etc/passwd"',
    "absolute-path": '"/etc/passwd"',
    "slash": '"a/b"',
    "backslash": '"a\\\\b"',
    "drive": '"C:\\\\x"',
    "hidden": '".hidden"',
    "extension": '"index.md"',
    "percent-encoded": '"%2e%2e"',
    "cyrillic-a": "stаge",  # the 'а' is U+0430
    "fullwidth": "ｓｔａｇｅ",
    "nul-escape": '"a\\0b"',
    "nul-raw": None,  # filled below: a raw NUL byte in the file
    "space": '"a b"',
    "capital": "Stage",
    "trailing-hyphen": "stage-",
}
# Regression (fixed in generator/loader.py): Windows device names passed the id rule, so a stage 'con' made
# stages/con.md, which cannot be created or checked out on Windows.
for _name in ("con", "nul", "aux", "prn", "com1", "lpt9"):
    BAD_IDS[f"windows-{_name}"] = _name


@pytest.mark.parametrize("field", ["stage", "group", "reference"])
@pytest.mark.parametrize("bad", _params(BAD_IDS))
def test_bad_ids_are_refused_with_a_location(bad, field):
    ids = {"id": "first", "gid": "g", "rid": "r"}
    key = {"stage": "id", "group": "gid", "reference": "rid"}[field]
    text = MINIMAL.format(**{**ids, key: bad or '"placeholder"'})
    if bad is None:
        text = text.replace('"placeholder"', "a\x00b")
    line = {"stage": 7, "group": 16, "reference": 19}[field]  # where MINIMAL has that id
    result = pipeline.check_text(text, "hostile.yaml")
    errors = [p for p in result.errors if p.location.line == line]
    assert errors, result.problems
    assert errors[0].rule in ("bad-slug", "yaml-syntax")
    assert errors[0].location.file == "hostile.yaml"
    assert errors[0].location.col >= 9  # at the value (or the bad byte inside it), not the line start


# ---------------------------------------------------------------------------------------------
# YAML tags, aliases, nesting and size: located errors, bounded time and memory
# ---------------------------------------------------------------------------------------------

MEMORY_CAP = 1024 * 1024 * 1024  # 1 GiB of address space for the checker process
HANG = 120  # seconds; far beyond any real run, only there to turn a hang into a failure


def _cap_memory() -> None:  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_bounded(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m generator ARGS`` with a memory cap and a hang timeout."""
    env = {**os.environ, "NO_COLOR": "1", "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          timeout=HANG, preexec_fn=_cap_memory, cwd=cwd or REPO, env=env)


_LOCATED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): error: .* \[(?P<rule>[a-z-]+)\]$", re.M)


def located_errors(stderr_or_stdout: str) -> list[tuple[int, int, str]]:
    return [(int(m["line"]), int(m["col"]), m["rule"]) for m in _LOCATED.finditer(stderr_or_stdout)]


def assert_clean_failure(proc: subprocess.CompletedProcess, rule: str | tuple[str, ...],
                         line: int | None = None) -> None:
    """Exit 1, no traceback, and a FILE:LINE:COL error with ``rule`` (on ``line`` if given)."""
    rules = (rule,) if isinstance(rule, str) else rule
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out[-3000:]
    assert proc.returncode == 1, (proc.returncode, out[-3000:])
    found = located_errors(out)
    assert any(r in rules and (line is None or ln == line) for ln, _c, r in found), out[-3000:]


TAGS = {
    "python-object-apply": "!!python/object/apply:os.system ['touch {marker}']",
    "python-object-new": "!!python/object/new:os.system ['touch {marker}']",
    "python-name": "!!python/name:os.system",
    "verbatim-tag": "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "binary": "!!binary aGVsbG8=",
    "str": "!!str text",
    "local-tag": "!include /etc/passwd",
}


@pytest.mark.parametrize("tag", _params(TAGS))
def test_yaml_tags_are_refused_and_never_run(tag, tmp_path):
    marker = tmp_path / "PWNED"
    text = MINIMAL.format(id="first", gid="g", rid="r").replace("title: First", "title: " + tag.format(marker=marker))
    path = tmp_path / "pathway.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run_bounded("validate", str(path))
    assert_clean_failure(proc, "yaml-tag", line=8)
    assert not marker.exists()
    # The in-process reader says the same, with the column of the tag.
    (problem,) = [p for p in pipeline.check_text(text).problems if p.rule == "yaml-tag"]
    assert (problem.location.line, problem.location.col) == (8, 12)


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for i in range(levels - 1):
        name = chr(ord("b") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly_in_bounded_memory(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    proc = run_bounded("validate", str(path))
    assert_clean_failure(proc, "yaml-alias", line=1)


@pytest.mark.parametrize("shape", ["flow-lists", "flow-mappings", "block-mappings"])
def test_deep_nesting_is_a_limit_error_not_a_crash(shape, tmp_path):
    depth = 100_000 if shape != "block-mappings" else 2_000
    if shape == "flow-lists":
        text = "stages: " + "[" * depth + "]" * depth + "\n"
    elif shape == "flow-mappings":
        text = "stages: " + "{a: " * depth + "b" + "}" * depth + "\n"
    else:
        text = "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + "b\n"
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run_bounded("validate", str(path))
    # Our depth limit, or libyaml's own (reported as a located YAML error), whichever comes first.
    assert_clean_failure(proc, ("limit-exceeded", "yaml-syntax"))


def _valid_stages(n: int) -> str:
    out = ["id: big", "title: Big", 'version: "1"', "status: draft", "start: s0", "stages:"]
    for i in range(n):
        out += [f"  - id: s{i}", f"    title: Stage {i}", "    kind: assessment" if i + 1 < n else "    kind: outcome"]
        if i + 1 < n:
            out += ["    next:", f"      - to: s{i + 1}"]
    return "\n".join(out) + "\n"


def test_fifty_megabytes_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    chunk = ("# " + "x" * 1022 + "\n").encode()
    with path.open("wb") as fh:
        for _ in range(50 * 1024):
            fh.write(chunk)
    assert path.stat().st_size >= 50 * 1024 * 1024
    proc = run_bounded("validate", str(path))
    assert_clean_failure(proc, "limit-exceeded", line=1)
    # Building refuses it too, and writes nothing.
    proc = run_bounded("build", str(path), "-d", str(tmp_path / "site"))
    assert_clean_failure(proc, "limit-exceeded", line=1)
    assert not (tmp_path / "site").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.yaml"]


def test_ten_thousand_stages_are_a_limit_error(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(_valid_stages(10_000), encoding="utf-8")
    proc = run_bounded("validate", str(path))
    assert_clean_failure(proc, "limit-exceeded", line=7)  # the first item of 'stages:'


def test_a_one_megabyte_body_is_a_limit_error_at_the_body(tmp_path):
    text = _valid_stages(2).replace("    title: Stage 0\n", "    title: Stage 0\n    body: |\n" +
                                    ("      " + "word " * 19 + "\n") * 10_500)
    assert len(text) > 1_000_000
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run_bounded("validate", str(path))
    assert_clean_failure(proc, "limit-exceeded", line=9)


def test_a_flood_of_problems_is_capped(tmp_path):
    text = _valid_stages(2) + "".join(f"typo{i}: x\n" for i in range(20_000))
    path = tmp_path / "flood.yaml"
    path.write_text(text, encoding="utf-8")
    proc = run_bounded("validate", str(path))
    assert "Traceback" not in proc.stderr and proc.returncode == 1
    assert len(located_errors(proc.stdout + proc.stderr)) <= 1_001


@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "generate"])
def test_hostile_ids_never_write_outside_the_output_folder(command, tmp_path):
    """Ids that look like paths are refused before anything is written, anywhere."""
    work = tmp_path / "work"
    work.mkdir()
    text = MINIMAL.format(id='"../../../escaped"', gid='"/tmp/abs"', rid='"..\\\\..\\\\win"').replace(
        "- to: done", '- to: "../../../escaped"')
    (work / "pathway.yaml").write_text(text, encoding="utf-8")
    out = work / "out" / "deeper"
    args = [command, "pathway.yaml", "-d" if command == "build" else "-o", str(out)]
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    proc = run_bounded(*args, cwd=work)
    assert_clean_failure(proc, "bad-slug")
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_the_memory_cap_and_the_clean_failure_check_can_fail():
    """The harness is real: a process that needs 2 GiB dies under the cap, and that is not a clean failure."""
    proc = subprocess.run([sys.executable, "-c", "x = bytearray(2 * 1024**3)"], capture_output=True, text=True,
                          timeout=HANG, preexec_fn=_cap_memory)
    assert proc.returncode != 0 and "MemoryError" in proc.stderr
    with pytest.raises(AssertionError):
        assert_clean_failure(proc, "limit-exceeded")


# ---------------------------------------------------------------------------------------------
# Regressions for the fixes in generator/escape.py (fast: Python-Markdown only, no build)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    f'x\n{{: onclick="{SENTINEL}" }}',
    f'## Heading {{: onmouseover="{SENTINEL}" }}',
    f'[a](https://example.org){{: onclick="{SENTINEL}" }}',
    f'`a`{{: onclick="{SENTINEL}" }}',
    f'| a {{: onclick="{SENTINEL}" }} |',
    f"[x](java\nscript:{SENTINEL})",
    f"[x](java\n\tscript:{SENTINEL})",
    f"[x](<java\nscript:{SENTINEL}>)",
])
@pytest.mark.parametrize("filter_name", ["markdown", "cell"])
def test_escaped_author_text_renders_without_handlers_or_script_links(text, filter_name):
    import markdown as md

    from generator.render.markup import MARKDOWN_EXTENSIONS

    safe = getattr(escape, filter_name)(text)
    # MkDocs adds fenced_code and tables to every site's extensions.
    out = md.markdown(safe, extensions=[*MARKDOWN_EXTENSIONS, "fenced_code"])
    found = scan_html(out)
    assert not found.handlers and not found.bad_urls, (safe, out)
    # Braces still read as braces.
    if "{" in text:
        assert "{" in out


def test_braces_and_links_still_work_after_the_fix():
    import markdown as md

    from generator.render.markup import MARKDOWN_EXTENSIONS

    out = md.markdown(escape.markdown("Dose {2 x daily} see [guide](https://example.org/a{b}) and `{x}`"),
                      extensions=list(MARKDOWN_EXTENSIONS))
    assert "{2 x daily}" in out and 'href="https://example.org/a{b}"' in out and "<code>{x}</code>" in out


@pytest.mark.chromium
@pytest.mark.dot
@pytest.mark.slow
def test_escaped_titles_still_read_as_written(sites, server, browser):
    """Escaping titles for HTML must not show entities to readers (no '&amp;' in the tab, nav or header)."""
    title, name = "Care & <triage> \"quoted\" 'single'", "Phase & <one>"
    sites.build("display", hostile_doc("harmless words", title=title, names=name))
    page = browser.new_page()
    try:
        page.goto(f"{server}/display/site/stages/a/")
        assert page.title() == f"SA {name} - {title}"
        assert page.locator(".md-header__topic").first.inner_text().strip() == title
        nav_texts = page.locator(".md-nav__link").all_inner_texts()
        assert any(t.strip() == f"G {name}" for t in nav_texts), nav_texts
        assert any(t.strip() == f"SA {name}" for t in nav_texts), nav_texts
        assert page.locator(".md-logo").first.get_attribute("aria-label") == title
    finally:
        page.close()


@pytest.mark.dot
@pytest.mark.slow
def test_the_sanitizer_alone_stops_unescaped_output(sites, clean_pages, monkeypatch):
    """Defence in depth: with the escaping switched off, the link guard and nh3 still publish no code."""
    monkeypatch.setattr(escape, "markdown", lambda text: "" if text is None else str(text))
    monkeypatch.setattr(escape, "cell", lambda text: " ".join(("" if text is None else str(text)).split()))
    doc = hostile_doc(f'<img src="x" onerror="{SENTINEL}"> <svg onload="{SENTINEL}"></svg> '
                      f'<script>{SENTINEL}</script> [x](javascript:{SENTINEL}) '
                      f'<div class="md-sidebar" style="position:fixed">x</div>')
    site = sites.build("unescaped-sanitized", doc)
    monkeypatch.undo()
    pages = html_pages(site)
    # <svg> and <img> are allowed elements (stripped of handlers and bad addresses); what matters is that nothing runs.
    found = [f for f in injected(pages, clean_pages) if not re.search(r"more <(svg|img)> than a clean build$", f)]
    assert found == []
    articles = [text.split("<article", 1)[-1].split("</article>", 1)[0] for text in pages.values()]
    # A real tag (not escaped text) with the theme's class or a style.
    assert not any(re.search(r'<[a-z]+[^<>]*(class="[^"]*md-sidebar|style="[^"]*position)', a) for a in articles)


@pytest.mark.parametrize("url", [f"javascript:{SENTINEL}", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
                                 "vbscript:x", " javascript:x"])
def test_a_reference_url_with_a_script_scheme_is_refused_before_anything_is_built(url):
    # Once shown as text on the site; now a located error (bad-url), so the address is never silently dropped.
    result = pipeline.check_text(dump(hostile_doc("x", url=url)))
    assert [p.rule for p in result.errors] == ["bad-url"], result.problems


# ---------------------------------------------------------------------------------------------
# Decision tables and the data dictionary (raw HTML built by generator.site.pages)
# ---------------------------------------------------------------------------------------------

HOSTILE_CHOICE = f'<img src=x onerror={SENTINEL}>'


def computable_doc(label: str, choice: str) -> dict:
    """``hostile_doc`` with a data dictionary and a computable decision: ``label`` in every text field of
    the inputs, ``choice`` as a choice value the decision tests (written as a quoted value)."""
    doc = hostile_doc("harmless words")
    doc["inputs"] = [
        {"id": "kind", "label": f"K {label}", "type": "choice", "choices": [choice, "other"],
         "description": f"D {label}", "references": ["r"]},
        {"id": "level", "label": f"L {label}", "type": "number", "unit": "%", "range": [0, 100]},
    ]
    doc["stages"][0]["next"] = [
        {"to": "b", "when": f"W1 {label}", "if": f'kind == "{choice}" and level >= 50 %'},
        {"to": "c", "when": f"W2 {label}", "if": "otherwise"},
    ]
    return doc


@pytest.mark.dot
@pytest.mark.slow
@pytest.mark.chromium
def test_hostile_input_labels_and_choices_add_no_code(sites, server, browser):
    clean = sites.build("computable-clean", computable_doc("harmless words", "plain-choice"))
    hostile = sites.build("computable-hostile", computable_doc(f"<script>{SENTINEL}</script>", HOSTILE_CHOICE))
    pages = html_pages(hostile)
    found = injected(pages, html_pages(clean))
    assert not found, "\n".join(found[:20])
    # The payload shows as written, in the table and the dictionary.
    table = pages["stages/a/index.html"]
    assert 'id="decision-table-a"' in table and html.escape(HOSTILE_CHOICE, quote=False) in table
    assert html.escape(f"K <script>{SENTINEL}</script>", quote=False) in pages["data-dictionary/index.html"]
    # And in a browser nothing runs; the choice reads as written in the table's cell.
    dialogs: list[str] = []
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("stages/a/", "data-dictionary/"):
        page.goto(f"{server}/computable-hostile/site/{path}")
        assert page.evaluate("window.__pwned === undefined"), path
    page.goto(f"{server}/computable-hostile/site/stages/a/")
    assert HOSTILE_CHOICE in page.locator("#decision-table-a").inner_text()
    page.close()
    assert not dialogs


@pytest.mark.parametrize("body", [
    "[one](`javascript:alert(1)`)",
    "!!! note\n\n    [x]: javascript:alert(6)\n\n    [open][x]",
    "![i](data:image/svg+xml,<svg onload=alert(9)>)",
    "!!! note md-sidebar\n\n    Hidden by the theme.",
], ids=["code-span", "refdef-in-admonition", "data-image", "theme-class"])
def test_generate_refuses_what_only_the_plugin_would_defuse(body, tmp_path, capsys):
    """A generated project is built without the plugin's link guard and sanitizer: such a link stops it."""
    text = MINIMAL.format(id="first", gid="g", rid="r").replace(
        "    kind: assessment\n", "    kind: assessment\n    body: |\n      " + body.replace("\n", "\n      ") + "\n")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "project"
    assert main(["generate", str(tmp_path / "p.yaml"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "would be live in a site built without the pathway plugin" in err and "Nothing was written" in err
    assert not out.exists()
