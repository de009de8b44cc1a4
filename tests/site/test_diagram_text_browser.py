"""Flowchart text measured in Chromium: at least 12 CSS px on a 1280 px desktop, 11 px on a 390 px phone.

The size of a text as drawn is its font size times the scale the SVG is drawn
at (``getScreenCTM``), so shrinking a chart to its panel shows up here.  A
chart wider than its panel must scroll instead, inside a focusable region
with a visible cue; the arrow keys scroll it.

Sites: the seed, a 300-stage synthetic pathway (map of groups, one chart per
group) and the two loop fixtures.  Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.synth import generate
from generator.cli import main
from serving import serve_folder

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
VIEWPORTS = {"desktop": ((1280, 900), 12.0), "phone": ((390, 844), 11.0)}
WIDEST_STAGE_PAGES = 12  # of a big site: the stage charts most likely to be shrunk

pytestmark = [pytest.mark.chromium, pytest.mark.dot, pytest.mark.slow]

# Every diagram text with its drawn size in CSS px, and the scroll state of each chart.
MEASURE = """() => [...document.querySelectorAll('figure.pathway-diagram')].map(fig => {
  const svg = fig.querySelector('svg');
  const region = fig.querySelector('.pathway-diagram-scroll');
  const cue = fig.querySelector('.pathway-diagram-cue');
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const m = t.getScreenCTM();
    return [parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b), t.textContent.trim()];
  });
  return {
    texts,
    scrolls: region ? region.scrollWidth > region.clientWidth + 1 : null,
    tabindex: region ? region.getAttribute('tabindex') : null,
    label: region ? region.getAttribute('aria-label') : null,
    cue: cue ? getComputedStyle(cue).display !== 'none' && cue.getBoundingClientRect().height > 0 : null,
  };
})"""


def _build(tmp: Path, pathway_file: Path, *, pdf: bool = False) -> Path:
    site = tmp / "site"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
    mp.chdir(REPO)
    try:
        assert main(["build", str(pathway_file), "-d", str(site)] + ([] if pdf else ["--no-pdf"])) == 0
    finally:
        mp.undo()
    return site


@pytest.fixture(scope="module")
def sites(seed_site_url, tmp_path_factory) -> Iterator[dict[str, tuple[str, list[str]]]]:
    """name -> (base URL, pages with flowcharts to measure)."""
    synth_dir = tmp_path_factory.mktemp("synthetic")
    synth = synth_dir / "synthetic-300.yaml"
    synth.write_text(generate(300), encoding="utf-8")
    built = {
        "synthetic-300": _build(synth_dir, synth),
        "loops": _build(tmp_path_factory.mktemp("loops"), REPO / "tests/fixtures/pathways/loops.yaml"),
        "two-stage-loops": _build(tmp_path_factory.mktemp("two"), REPO / "tests/fixtures/pathways/two-stage-loops.yaml"),
    }
    with serve_folder(built["synthetic-300"]) as synth_url, serve_folder(built["loops"]) as loops_url, \
            serve_folder(built["two-stage-loops"]) as two_url:
        yield {
            "seed": (seed_site_url, []),  # pages read from its home chart (the seed's wording may change)
            "synthetic-300": (synth_url, _pages(built["synthetic-300"], widest=WIDEST_STAGE_PAGES)),
            "loops": (loops_url, _pages(built["loops"])),
            "two-stage-loops": (two_url, _pages(built["two-stage-loops"])),
        }


def _chart_width(html: str) -> float:
    import re

    m = re.search(r'class="pathway-diagram-scroll".*?<svg[^>]*viewBox="[\d.]+ [\d.]+ ([\d.]+)', html, re.S)
    return float(m.group(1)) if m else 0.0


def _pages(site: Path, widest: int | None = None) -> list[str]:
    """The site's pages that hold a flowchart (stage pages: only the ``widest`` charts when given)."""
    pages = [p for p in site.rglob("index.html") if "pathway-diagram-scroll" in p.read_text(encoding="utf-8")]
    rel = {p: p.parent.relative_to(site).as_posix() for p in pages}
    stages = [p for p in pages if rel[p].startswith("stages/")]
    others = [p for p in pages if p not in stages]
    if widest is not None:
        stages = sorted(stages, key=lambda p: -_chart_width(p.read_text(encoding="utf-8")))[:widest]
    return sorted(("" if rel[p] == "." else rel[p] + "/") for p in others + stages)



def _seed_pages(base: str, browser) -> list[str]:
    """Home plus every page the seed home links to that holds a flowchart (stage and group pages)."""
    page = browser.new_page()
    page.goto(base)
    hrefs = page.eval_on_selector_all("figure.pathway-diagram svg a", "as => as.map(a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))")
    page.close()
    from urllib.parse import urljoin

    return [""] + sorted({urljoin(base, h)[len(base):] for h in hrefs if h and not h.startswith("#")})


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("site", ["seed", "synthetic-300", "loops", "two-stage-loops"])
def test_every_flowchart_text_is_legible(browser, sites, site: str, viewport: str) -> None:
    base, pages = sites[site]
    if site == "seed":
        pages = _seed_pages(base, browser)
    (width, height), limit = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height})
    too_small, unmarked, measured = [], [], 0
    smallest = (float("inf"), "", "")
    for path in pages:
        page.goto(base + path)
        for fig in page.evaluate(MEASURE):
            for size, text in fig["texts"]:
                measured += 1
                smallest = min(smallest, (size, text, path or "home"))
                if size < limit - 0.01:
                    too_small.append(f"{path or 'home'}: {text!r} at {size:.2f} px")
            if fig["scrolls"] and not (fig["tabindex"] == "0" and fig["label"] and fig["cue"]):
                unmarked.append(f"{path or 'home'}: scrolls without a focusable, labelled region and a visible cue")
    page.close()
    print(f"{site} at {width} px: {measured} texts on {len(pages)} pages, smallest {smallest[0]:.2f} px "
          f"({smallest[1]!r} on {smallest[2]})")
    assert measured > 0 and len(pages) >= 2, (site, pages)
    assert not too_small, f"{len(too_small)} texts under {limit} px:\n" + "\n".join(too_small[:40])
    assert not unmarked, "\n".join(unmarked)


def test_a_wide_flowchart_scrolls_with_the_arrow_keys_and_says_so(browser, sites) -> None:
    base, _pages_ = sites["seed"]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base)
    region = page.locator("figure.pathway-diagram .pathway-diagram-scroll").first
    assert region.evaluate("r => r.scrollWidth > r.clientWidth"), "the seed overview should not fit a phone"
    assert page.locator("figure.pathway-diagram .pathway-diagram-cue").first.is_visible()
    region.focus()
    before = region.evaluate("r => r.scrollLeft")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("r => r.scrollLeft") > before
    page.close()


def test_a_chart_that_fits_shows_no_scroll_cue(browser, sites) -> None:
    base, _pages_ = sites["two-stage-loops"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "stages/home/")
    region = page.locator("figure.pathway-diagram .pathway-diagram-scroll").first
    assert not region.evaluate("r => r.scrollWidth > r.clientWidth + 1")
    assert not page.locator("figure.pathway-diagram .pathway-diagram-cue").first.is_visible()
    page.close()


SHOTS = [("seed", ""), ("seed", "stages/medial-branch-block/"), ("two-stage-loops", ""),
         ("loops", ""), ("synthetic-300", "")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_flowchart_screenshots(browser, sites, viewport: str, scheme: str) -> None:
    """Saved for a person to look at: test-artifacts/diagram-<site>-<page>-<viewport>-<scheme>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    (width, height), _limit = VIEWPORTS[viewport]
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    for site, path in SHOTS:
        base, _pages_ = sites[site]
        page.goto(base + path)
        name = (path.strip("/").replace("/", "-") or "home")
        out = ARTIFACTS / f"diagram-{site}-{name}-{viewport}-{scheme}.png"
        # The whole page: an element shot of a tall chart is overprinted by the sticky header.
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 1000
    page.close()
