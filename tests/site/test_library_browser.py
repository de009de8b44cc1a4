"""The library catalogue and search in Chromium (Debian's, via Playwright): the filter, with and without
JavaScript, and search results that name their pathway."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving import serve_folder
from test_library_site import mkdocs, project

pytestmark = [pytest.mark.chromium, pytest.mark.dot, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    folder = project(tmp_path_factory.mktemp("library-browser"))
    proc = mkdocs(folder, "--strict")
    assert proc.returncode == 0, proc.stderr
    with serve_folder(Path(folder) / "site") as url:
        yield url


def visible_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "#pathway-catalogue tbody tr", "rs => rs.filter(r => !r.hidden && r.offsetParent !== null)"
                                       ".map(r => r.cells[0].textContent.trim())")


def test_the_filter_narrows_the_table_and_says_how_many_are_shown(browser, base_url):
    page = browser.new_page()
    page.goto(base_url)
    status, specialty = page.get_by_label("Status"), page.get_by_label("Specialty")
    count = page.get_by_role("status")
    assert count.text_content() == "Showing 3 of 3 pathways"
    assert status.evaluate("s => [...s.options].map(o => o.textContent)") == ["All statuses", "Active", "Draft"]
    status.select_option("Active")
    assert count.text_content() == "Showing 2 of 3 pathways"
    assert visible_rows(page) == ["Back pain triage", "Facet joint injections"]
    specialty.select_option("Musculoskeletal")
    assert count.text_content() == "Showing 1 of 3 pathways"
    assert visible_rows(page) == ["Back pain triage"]
    status.select_option("")
    assert visible_rows(page) == ["Back pain triage", "Spinal surgery"]
    page.close()


def test_the_filter_is_reached_and_worked_with_the_keyboard(browser, base_url):
    page = browser.new_page()
    page.goto(base_url)
    page.get_by_role("link", name="Spinal services (test library)").first.focus()
    for _ in range(60):  # Tab through the page until the status filter has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "pathway-catalogue-status-filter":
            break
    else:
        pytest.fail("Tab never reached the status filter")
    # A focused, closed <select> changes its value with the arrow keys (and fires 'change').
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("status").text_content() == "Showing 1 of 3 pathways"
    assert visible_rows(page) == ["Spinal surgery"]
    page.close()


def test_without_javascript_the_catalogue_is_the_full_table(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url)
    assert page.locator("select").count() == 0
    # (Playwright's evaluate runs with the page's scripts off.)
    assert visible_rows(page) == ["Back pain triage", "Facet joint injections", "Spinal surgery"]
    assert page.get_by_role("status").count() == 0
    context.close()


def search(page, query: str) -> list[str]:
    """The headings of the result groups Material lists for ``query``."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially(query, delay=30)
    page.wait_for_function(
        """q => { const m = document.querySelector('.md-search-result__meta');
                  return document.querySelector('.md-search-result__item') && m && m.textContent.trim() !== ''
                         && document.querySelector('input.md-search__input').value === q; }""",
        arg=query, timeout=60_000)
    page.wait_for_timeout(300)
    return page.eval_on_selector_all(".md-search-result__item > a:first-child h1",
                                     "els => els.map(e => e.textContent.trim())")


def test_search_results_name_their_pathway(browser, base_url):
    page = browser.new_page()
    page.goto(base_url)
    assert search(page, "Imaging")[0] == "Imaging — Back pain triage"
    found = search(page, "assessment")
    assert "First assessment — Back pain triage" in found, found
    assert "Injection assessment — Facet joint injections" in found, found
    page.close()


def test_on_a_phone_every_pathway_fits_the_screen_as_labelled_lines(browser, base_url):
    # Seven columns in 390 px cut titles mid-word and pushed columns off-screen; each row is a block there.
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base_url)
    page.get_by_label("Status").select_option("Draft")  # filtering still hides rows in the block layout
    assert visible_rows(page) == ["Spinal surgery"]
    page.get_by_label("Status").select_option("")
    overflow = page.evaluate("""() => {
        const t = document.getElementById('pathway-catalogue');
        const r = t.getBoundingClientRect();
        return {right: r.right, width: document.documentElement.clientWidth, scroll: t.scrollWidth - t.clientWidth};
    }""")
    assert overflow["right"] <= overflow["width"] and overflow["scroll"] <= 0, overflow
    label = page.evaluate("""() => getComputedStyle(
        document.querySelector('#pathway-catalogue td[data-label="Next review"]'), '::before').content""")
    assert label == '"Next review: "'
    title = page.locator("#pathway-catalogue tbody th a", has_text="Facet joint injections")
    assert title.evaluate("a => a.getClientRects().length") == 1  # one line: not broken mid-word
    page.close()
