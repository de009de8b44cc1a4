"""The catalogue page and the library nav as pure functions (generator.site.catalogue, generator.render.catalogue)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from pathlib import Path

from generator.core import library as lib
from generator.core.library import check_library
from generator.render.catalogue import entries
from generator.site.catalogue import catalogue_page, library_nav

FIXTURE = Path(__file__).parents[1] / "fixtures" / "library"
TODAY = _dt.date(2026, 12, 2)


def result():
    return check_library(FIXTURE, for_build=True, today=TODAY)


def test_review_states_in_words():
    rows = {e.id: e for e in entries(result().pathways, TODAY)}
    assert rows["injections"].next_review_text == "10 January 2026 (overdue)" and rows["injections"].overdue
    assert rows["triage"].next_review_text == "1 June 2027" and not rows["triage"].overdue
    assert rows["surgery"].next_review_text == "not set" and rows["surgery"].last_reviewed_text == "not set"
    soon = {e.id: e for e in entries(result().pathways, _dt.date(2027, 4, 1))}
    assert soon["triage"].next_review_text == "1 June 2027 (due soon)"


def test_the_page_escapes_every_text_and_links_summary_cross_links():
    r = result()
    hostile = dataclasses.replace(r.pathways[0], title='<img src=x onerror=alert(1)> & "q"', specialty="<b>S</b>")
    page = catalogue_page("Lib <script>", "See [[triage:imaging]] & [[nope:x]].", [hostile, *r.pathways[1:]],
                          today=TODAY, stages=r.index.stages).decode("utf-8")
    assert "<img" not in page and "<script>" not in page and "<b>S</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;" in page
    assert '<a href="triage/stages/imaging/">Imaging</a> &amp; nope:x.' in page
    assert "# Lib &lt;script\\>" in page  # escape.plain, as every page title


def test_page_links_follow_the_url_style():
    r = result()
    page = catalogue_page(r.title, None, r.pathways, today=TODAY, use_directory_urls=False, pdf=True).decode()
    assert 'href="triage/index.html"' in page and 'href="library.pdf"' in page
    assert "library.pdf" not in catalogue_page(r.title, None, r.pathways, today=TODAY).decode()


def test_an_empty_library_says_so():
    page = catalogue_page("Empty", None, [], today=TODAY).decode()
    assert "This library has no pathway yet." in page and "0 pathways" in page


def _count_links(items) -> int:
    n = 0
    for item in items:
        for v in item.values():
            n += _count_links(v) if isinstance(v, list) else 1
    return n


def test_a_200_pathway_nav_is_grouped_so_each_level_stays_small():
    base = result().pathways[0]
    many = [dataclasses.replace(base, id=f"p{i:03}", title=f"Pathway {i:03}", specialty=f"Specialty {i % 7}")
            for i in range(200)]
    nav = library_nav([(p, [{"Home": "index.md"}]) for p in many])
    assert nav[0] == {"Catalogue": "index.md"}
    groups = nav[1]["Pathways"]
    assert [next(iter(g)) for g in groups] == [f"Specialty {i}" for i in range(7)]
    assert all(len(next(iter(g.values()))) <= 40 for g in groups)
    assert _count_links(nav) == 201
    assert groups[0]["Specialty 0"][0] == {"Pathway 000": [{"Home": "p000/index.md"}]}


def test_a_small_library_lists_its_pathways_in_one_section():
    r = result()
    nav = library_nav([(p, [{"Home": "index.md"}]) for p in r.pathways], catalogue=False)
    assert nav == [{"Pathways": [{"Back pain triage": [{"Home": "triage/index.md"}]},
                                 {"Facet joint injections": [{"Home": "injections/index.md"}]},
                                 {"Spinal surgery": [{"Home": "surgery/index.md"}]}]}]


def test_the_fingerprint_without_checking_is_the_checks_own(tmp_path):
    import shutil

    assert lib.fingerprint(FIXTURE, for_build=True, today=TODAY) == result().fingerprint
    shutil.copytree(FIXTURE, tmp_path / "lib")
    (tmp_path / "lib" / "surgery.yaml").write_text("id: surgery\n", encoding="utf-8")
    assert lib.fingerprint(tmp_path / "lib", for_build=True, today=TODAY) != result().fingerprint
    assert lib.fingerprint(FIXTURE, for_build=True, today=TODAY + _dt.timedelta(days=1)) != result().fingerprint
