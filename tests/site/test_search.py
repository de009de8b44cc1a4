"""What a reader finds on the built seed site, in Material's real search and Chromium (Debian's, via Playwright).

Search ranking for what clinicians type, Previous/Next on stage pages, and the PDF button.  The site is
built with `pathway build` (so with the handbook) and served on localhost, as a reader would get it.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]
from browsers import CHROMIUM, FLAGS  # noqa: E402

pytestmark = [pytest.mark.chromium, pytest.mark.dot, pytest.mark.slow]

# query -> the stage pages one of which must come first (and nothing but stages may come before them).
TOP = {
    "MBB": ["medial-branch-block"],
    "RFA": ["radiofrequency-ablation"],
    "NSAIDs": ["medication-management"],
    "medial branch": ["medial-branch-block", "mbb-response"],
    "80–90": ["radiofrequency-ablation"],
    "80 °C": ["radiofrequency-ablation"],
    "50–80 %": ["mbb-response", "medial-branch-block"],
    "fusion risk": ["spinal-fusion"],
    "arthrodesis": ["spinal-fusion"],
}


@pytest.fixture(scope="module")
def base_url(seed_site_url):
    return seed_site_url


@pytest.fixture(scope="module")
def page(base_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page()
        pg.goto(base_url)
        yield pg
        browser.close()


def results(page, query: str) -> list[str]:
    """The result pages Material lists for ``query``, best first, as paths ('stages/x/', 'glossary/', '')."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill("")
    page.locator(".md-search-result__item").first.wait_for(state="detached", timeout=60_000)
    # Key by key: the input events are what the search worker listens to.
    box.press_sequentially(query, delay=30)
    # Wait until the list shows this query's results (the worker may still be loading the index).
    page.wait_for_function(
        """q => { const m = document.querySelector('.md-search-result__meta');
                  return document.querySelector('.md-search-result__item') && m && m.textContent.trim() !== ''
                         && document.querySelector('input.md-search__input').value === q; }""",
        arg=query, timeout=60_000)
    page.wait_for_timeout(300)  # debounced: let the last keystroke's results replace the previous ones
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > a.md-search-result__link", "els => els.map(e => e.getAttribute('href'))")
    base = page.url.split("#")[0].split("?")[0]
    return [h.split("?")[0].split("#")[0].replace(base, "") for h in hrefs]


@pytest.mark.parametrize("query", sorted(TOP))
def test_search_puts_the_right_stage_first(page, query):
    found = results(page, query)
    assert found, f"{query!r}: no results"
    wanted = {f"stages/{sid}/" for sid in TOP[query]}
    assert found[0] in wanted, f"{query!r}: {found[:5]}"


@pytest.mark.parametrize("query", ["50", "MBB", "medial branch"])
def test_editors_pages_never_show_in_search(page, query):
    # "50" found the YAML format page first; the editors' guides are kept out of the index.
    found = results(page, query)
    assert not any(f.startswith(("format/", "safety/", "contributing/")) for f in found), found


def test_an_outcome_offers_the_way_back_and_no_unrelated_next(page, base_url):
    page.goto(base_url + "stages/long-term-relief/")
    # Material's Previous/Next followed nav order: "Next: Physical therapy" from this outcome.
    footer = page.locator(".md-footer__link")
    assert all(not footer.nth(i).is_visible() for i in range(footer.count()))
    assert page.locator("h2#the-pathway-ends-here").is_visible()
    back = page.locator("h2#the-pathway-ends-here ~ ul").first
    back.get_by_role("link", name="How is the pain after RFA?").click()
    page.wait_for_url("**/stages/rfa-review/")


def test_the_pdf_button_opens_the_handbook(page, base_url):
    page.goto(base_url)
    href = page.get_by_role("link", name="Download the PDF handbook").get_attribute("href")
    with urllib.request.urlopen(urllib.parse.urljoin(base_url, href)) as resp:
        assert resp.status == 200
        assert resp.read(5) == b"%PDF-"
