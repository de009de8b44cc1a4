"""Property-based tests over generated VALID pathways (``tests/strategies.py``).

For any valid pathway: the checker is silent; the site has a page per stage;
every Markdown link (``[[links]]``, transitions, breadcrumbs) and every link
inside the inline SVG flowcharts resolves to a page of the site; "Comes
from" is exactly the inverse of "What next"; rendering is deterministic.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings

from generator.site import nav
from generator.core.pipeline import check_text
from generator.site.pages import render_site
from fakes import fake_layout
from strategies import pathway_docs, pathways, to_yaml

TODAY = dt.date(2026, 11, 24)
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The end of a Markdown link's text: a ']' not escaped, i.e. after an even number of backslashes
# (a title '\\' is written '\\\\' by escape.plain), then '(target)'.
_MD_LINK = re.compile(r"(?:^|[^\\])(?:\\\\)*\]\(([^)\s]+)\)", re.M)
_SVG_HREF = re.compile(r'<a\b[^>]*?\sxlink:href="([^"]*)"')  # flowchart links carry xlink:href only



def load(text: str):
    result = check_text(text, for_build=True, today=TODAY)
    # Generated texts may start with '>', '#', '1.'...: the markdown-meaning warning is right to
    # flag them (tests/core/test_textpolicy.py); here only other problems count.
    problems = [p for p in result.problems if p.rule != "markdown-meaning"]
    assert not problems, [str(p) for p in problems]
    return result.pathway


def section(page: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", page, re.S | re.M)
    return m.group(1) if m else ""


def stage_targets(markdown: str) -> list[str]:
    """Stage ids linked from a stage page's section, in order (links are 'other-id.md')."""
    # Only sibling links: "../index.md" (an outcome's "Back to the whole pathway") is not a stage.
    return [posixpath.splitext(t)[0] for t in _MD_LINK.findall(markdown) if t.endswith(".md") and "/" not in t]


@FEW
@given(pathways())
def test_a_generated_pathway_has_no_problems(text):
    load(text)


def site_problems(p, files: dict[str, bytes]) -> list[str]:
    """Every broken invariant of a rendered site (empty when all hold)."""
    out: list[str] = []
    pages = {k for k in files if k.endswith(".md")}

    # A page per stage, and no other stage pages.
    want = {nav.stage_path(s.id) for s in p.stages}
    have = {k for k in pages if k.startswith("stages/")}
    out += [f"missing page {k}" for k in sorted(want - have)] + [f"extra page {k}" for k in sorted(have - want)]

    # Every Markdown link between pages ([[links]], transitions, breadcrumbs) resolves to a page of the set.
    for page in sorted(pages):
        for target in _MD_LINK.findall(files[page].decode()):
            if urlsplit(target).scheme:  # https://..., mailto:
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target.split("#", 1)[0]))
            if resolved not in pages:
                out.append(f"{page}: link to {target} -> {resolved} (no such page)")

    # Every link in the inline SVGs resolves, as a browser would, to the URL of a page of the set.
    by_url = {nav.page_url(src, True): src for src in pages}
    base = "http://site.invalid/"
    n_svg_links = 0
    for page in sorted(pages):
        here = urljoin(base, nav.page_url(page, True))
        svgs = "".join(re.findall(r"<svg\b.*?</svg>", files[page].decode(), re.S))
        for href in _SVG_HREF.findall(svgs):
            n_svg_links += 1
            url = urljoin(here, href)
            if not url.startswith(base) or url[len(base):] not in by_url:
                out.append(f"{page}: SVG link {href} -> {url} (no such page)")
    if n_svg_links < len(p.stages):  # every stage is a linked box, at least in the overview
        out.append(f"only {n_svg_links} SVG links for {len(p.stages)} stages")

    # "Comes from" is exactly the inverse of "What next" (as multisets of edges).
    nexts: Counter = Counter()
    froms: Counter = Counter()
    for s in p.stages:
        page = files.get(nav.stage_path(s.id), b"").decode()
        what_next = stage_targets(section(page, "What next"))
        if what_next != [t.to for t in s.next]:
            out.append(f"{s.id}: What next lists {what_next}, the file says {[t.to for t in s.next]}")
        nexts.update((s.id, t) for t in what_next)
        # An outcome lists the way back under "The pathway ends here" instead of "Comes from".
        back = section(page, "The pathway ends here" if s.kind == "outcome" else "Comes from")
        froms.update((src, s.id) for src in stage_targets(back))
    if nexts != froms:
        out.append(f"Comes from is not the inverse of What next: {sorted((nexts - froms) + (froms - nexts))}")
    return out


@pytest.mark.dot
@FEW
@given(pathways())
def test_site_invariants(text):
    p = load(text)
    files = render_site(p, today=TODAY)  # the real Graphviz layout
    assert site_problems(p, files) == []
    # Rendering again gives the same bytes.
    assert render_site(load(text), today=TODAY) == files


SEED_LIKE = """\
id: demo
title: Demo
version: "1"
status: draft
start: a
stages:
  - id: a
    title: A
    kind: decision
    body: See [[c]].
    next:
      - to: b
        when: yes
      - to: c
        when: no
  - id: b
    title: B
    kind: assessment
    next:
      - to: a
  - id: c
    title: C
    kind: outcome
"""


@pytest.mark.parametrize("damage", ["drop-comes-from", "wrong-link", "drop-page", "bad-svg-href"])
def test_the_invariants_catch_a_damaged_site(damage):
    """The checks can fail: each kind of damage to a correct site is reported."""
    p = load(SEED_LIKE)
    files = dict(render_site(p, layout=fake_layout, today=TODAY))
    assert site_problems(p, files) == []
    if damage == "drop-comes-from":
        damaged = re.sub(rb"(## (?:Comes from|The pathway ends here)\n\n(?:[^-\n][^\n]*\n+)*)- [^\n]*\n", rb"\1",
                         files["stages/c.md"], count=1)
        assert damaged != files["stages/c.md"]
        files["stages/c.md"] = damaged
    elif damage == "wrong-link":
        files["stages/a.md"] = files["stages/a.md"].replace(b"(c.md)", b"(d.md)", 1)
    elif damage == "drop-page":
        del files["stages/b.md"]
    else:
        files["index.md"] = files["index.md"].replace(b'xlink:href="stages/b/"', b'xlink:href="stages/x/"')
        files["index.md"] = files["index.md"].replace(b'href="stages/b/"', b'href="stages/x/"')
    assert site_problems(p, files) != []


@pytest.mark.dot
@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(pathways(max_stages=6))
def test_a_generated_pathway_builds_strictly_with_mkdocs(text):
    """Two full `pathway build --strict` runs: MkDocs finds no broken link or anchor either."""
    import tempfile
    from pathlib import Path

    from generator.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pathway.yaml"
        src.write_text(text, encoding="utf-8")
        mp = pytest.MonkeyPatch()
        mp.setenv("NO_MKDOCS_2_WARNING", "1")
        mp.chdir(Path(__file__).resolve().parent.parent)
        try:
            assert main(["build", str(src), "-d", str(Path(tmp) / "site"), "--strict"]) == 0
        finally:
            mp.undo()
        p = load(text)
        for s in p.stages:
            assert (Path(tmp) / "site" / "stages" / s.id / "index.html").is_file()


@FEW
@given(pathway_docs())
def test_rendering_does_not_depend_on_yaml_layout(doc):
    """The same pathway written with another YAML layout (flow style) renders the same pages."""
    import yaml

    block = render_site(load(to_yaml(doc)), layout=fake_layout, today=TODAY)
    flow = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=True, width=10_000)
    assert render_site(load(flow), layout=fake_layout, today=TODAY) == block
