"""The built site in a real browser (Debian's Chromium via Playwright): flowchart links, search, screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = [pytest.mark.chromium, pytest.mark.dot, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(seed_site_url):
    return seed_site_url



def test_clicking_a_flowchart_node_opens_that_stage(browser, base_url):
    page = browser.new_page()
    page.goto(base_url)
    node = page.locator("figure.pathway-diagram svg a[aria-label*='Medial branch block']").first
    node.click()
    page.wait_for_url("**/stages/medial-branch-block/")
    assert page.locator("h1").inner_text().startswith("Medial branch block")
    # And on the stage page, the neighbourhood diagram links onwards too (a node's link:
    # an edge's tooltip is an <a> without one, such as the seed's "Runs alongside"; flowchart
    # links carry xlink:href only, hence the namespace wildcard).
    page.locator("figure.pathway-diagram svg a[*|href]").first.click()
    page.wait_for_load_state()
    assert "/stages/" in page.url
    page.close()


def test_search_finds_a_stage_by_a_word_from_its_body(browser, base_url):
    page = browser.new_page()
    page.goto(base_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    # Typing key by key fires the input events the search worker listens to;
    # the worker may still be loading the index under a busy test run.
    box.press_sequentially("stenosis", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=60_000)
    titles = page.locator(".md-search-result__item").all_inner_texts()
    assert any("Review of advanced imaging" in t for t in titles), titles
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(browser, base_url, scheme):
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    for name, path in (("home", ""), ("stage", "stages/injection-response/")):
        page.goto(base_url + path)
        # The palette follows the system setting until the reader toggles it.
        expected = "slate" if scheme == "dark" else "default"
        assert page.locator("body").get_attribute("data-md-color-scheme") == expected
        out = ARTIFACTS / f"{name}-{scheme}.png"
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 10_000
    ctx.close()
