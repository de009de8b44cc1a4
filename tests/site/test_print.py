"""Printing a web page (Chromium's print media, saved as PDF): document control, no navigation, no lone headings.

Each printed page is read back with pdftotext and saved as pictures (pdftoppm) in test-artifacts/.
"""

from __future__ import annotations

import datetime as _dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.core import pipeline
from generator.render.presentation import format_date

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
NOTE = "Uncontrolled when printed"
NO_JS_DATE = "Printed on: see the date on your printer's output"
# Page furniture the print stylesheet adds (@page margin boxes): not page content.
FURNITURE = re.compile(rf"^\s*({NOTE}|Page \d+ of \d+)\s*$")

pytestmark = [pytest.mark.chromium, pytest.mark.dot, pytest.mark.slow]


@pytest.fixture(scope="module")
def seed():
    result = pipeline.check_file(REPO / "pathway.yaml")
    assert result.pathway is not None
    return result.pathway



def _pages(seed) -> dict[str, str]:
    """Name -> path of the pages to print: the home page, a stage from the middle, a hand-written page."""
    stages = list(seed.stage_by_id)
    return {"home": "", "stage": f"stages/{stages[len(stages) // 2]}/", "about": "about/"}


def _print(browser, url: str, out: Path, *, javascript: bool = True, scheme: str = "light") -> list[str]:
    """Print ``url`` to ``out`` (A4) as a reader would; the text of each printed page."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript,
                              color_scheme=scheme)
    try:
        page = ctx.new_page()
        page.goto(url)
        page.emulate_media(media="print")
        page.pdf(path=str(out), format="A4", print_background=True)
    finally:
        ctx.close()
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                                                             check=True).stdout)[1])
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(out), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


def _pictures(pdf: Path, name: str) -> list[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / name)], check=True)
    shutil.copy(pdf, ARTIFACTS / f"{name}.pdf")
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


@pytest.mark.parametrize("name", ["home", "stage", "about"])
def test_a_printed_page_says_it_is_uncontrolled_with_address_version_and_print_date(browser, seed_site_url, seed,
                                                                                     tmp_path, name):
    path = _pages(seed)[name]
    pdf = tmp_path / f"{name}.pdf"
    texts = _print(browser, seed_site_url + path, pdf)
    text = "\n".join(texts)
    flat = " ".join(text.split())
    assert f"{NOTE}." in flat  # the note on the page, besides the running head
    assert all(NOTE in t for t in texts)  # on every printed page
    assert f"Page address: {seed_site_url}{path}" in flat
    assert f"Pathway version {seed.version}" in flat
    # The date the page is printed (today here), never the build date (SOURCE_DATE_EPOCH is 2026-11-18).
    assert f"Printed on {format_date(_dt.date.today())}" in flat
    # On-screen instructions, navigation and controls are not printed.
    for gone in ("Select a box", "Download the PDF handbook", "Edit this page", "Search", "Skip to content",
                 "Previous", "Next ›", "Back to top", " › "):
        assert gone not in flat, gone
    pictures = _pictures(pdf, f"print-{name}")
    assert pictures and pictures[0].stat().st_size > 10_000


def test_navigation_and_controls_are_hidden_in_print(browser, seed_site_url, seed):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(seed_site_url + _pages(seed)["stage"])
        page.emulate_media(media="print")
        shown = page.evaluate("""sels => sels.filter(s => [...document.querySelectorAll(s)].some(
            e => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0))""",
                              [".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-search", ".md-footer",
                               ".pathway-breadcrumb", "figure.pathway-diagram figcaption", ".md-top", ".md-content__button"])
        assert shown == []
        # The flowchart fits the width of the printed page (nothing cut off at the right).
        fit = page.evaluate("""() => { const a = document.querySelector('article').getBoundingClientRect();
            return [...document.querySelectorAll('figure.pathway-diagram svg')]
              .filter(s => getComputedStyle(s).display !== 'none').map(s => {
              const r = s.getBoundingClientRect(); return [r.left >= a.left - 1, r.right <= a.right + 1, r.width > 0]; }); }""")
        assert fit and all(all(f) for f in fit), fit
        page.emulate_media(media="screen")
        assert page.locator(".pathway-print-note").is_hidden()  # on screen, the note is not shown
    finally:
        ctx.close()


def test_without_javascript_the_print_date_is_not_made_up(browser, seed_site_url, seed, tmp_path):
    flat = " ".join("\n".join(_print(browser, seed_site_url, tmp_path / "nojs.pdf", javascript=False)).split())
    assert NO_JS_DATE in flat
    assert not re.search(r"Printed on \d", flat)


def test_a_dark_screen_still_prints_dark_ink_on_white(browser, seed_site_url, seed, tmp_path):
    pdf = tmp_path / "dark.pdf"
    _print(browser, seed_site_url + _pages(seed)["stage"], pdf, scheme="dark")
    first = _pictures(pdf, "print-dark-stage")[0]
    from PIL import Image

    with Image.open(first) as im:
        grey = im.convert("L")
        histogram = grey.histogram()
        light = sum(histogram[201:]) / (grey.width * grey.height)
    assert light > 0.85, f"only {light:.0%} of the page is white"


@pytest.mark.parametrize("name", ["home", "stage"])
def test_no_printed_page_ends_with_a_heading(browser, seed_site_url, seed, tmp_path, name):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(seed_site_url + _pages(seed)[name])
        page.emulate_media(media="print")
        headings = {" ".join(t.split()) for t in page.locator("article :is(h1, h2, h3, h4)").all_inner_texts()}
    finally:
        ctx.close()
    assert headings
    texts = _print(browser, seed_site_url + _pages(seed)[name], tmp_path / f"{name}.pdf")
    for number, text in enumerate(texts[:-1], start=1):
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip() and not FURNITURE.match(line)]
        assert lines and lines[-1] not in headings, f"page {number} of {name} ends with the heading {lines[-1]!r}"


EM_HEIGHT = 1.164  # DejaVu Sans, Chromium's sans-serif here: a word's box is 1.164 em tall


@pytest.mark.parametrize("path", ["", "stages/rfa-review/", "stages/medial-branch-block/"])
def test_printed_flowchart_text_is_7_pt_or_more_or_a_note_says_why(browser, seed_site_url, tmp_path, path):
    """A chart that would print under 7 pt (the seed's overview prints at about 2.5 pt) is replaced by a note."""
    pdf = tmp_path / "page.pdf"
    flat = " ".join("\n".join(_print(browser, seed_site_url + path, pdf)).split())
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    sizes = [(float(b) - float(a)) / EM_HEIGHT for a, b in
             re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">', out)]
    assert sizes and min(sizes) >= 6.9, f"smallest printed word {min(sizes):.1f} pt"
    if path == "":
        assert "This flowchart is too large to print legibly on this page" in flat
    if path == "stages/medial-branch-block/":
        assert "YOU ARE HERE" in flat  # a small neighbourhood still prints
