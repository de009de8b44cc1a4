"""render_site(pathway, library=...): the pages of a pathway that belongs to a library.

Each pathway of a library is published in its own folder ``<pathway-id>/``, so the three sites of
the fixture library (tests/fixtures/library) are combined here under their ids, and every link
between them must land on a page of the combined set.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from pathlib import Path

import pytest

from generator.core.library import check_library
from generator.site import nav
from generator.site.pages import SiteError, render_site

from fakes import fake_layout

LIB = Path(__file__).resolve().parents[1] / "fixtures" / "library"
TODAY = dt.date(2026, 12, 2)
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
SVG_LINK = re.compile(r'xlink:href="([^"]+)"')
HTML_LINK = re.compile(r'<a href="([^"]+)"')


@pytest.fixture(scope="module")
def lib():
    result = check_library(LIB, for_build=True, today=TODAY)
    assert not result.has_errors(), result.problems
    return result


def combined(lib, *, use_directory_urls: bool = True) -> dict[str, bytes]:
    """Every pathway's site under its own folder, as the library is published."""
    out: dict[str, bytes] = {}
    for p in lib.pathways:
        for path, data in render_site(p, layout=fake_layout, today=TODAY, library=lib,
                                      use_directory_urls=use_directory_urls).items():
            out[f"{p.id}/{path}"] = data
    return out


def page(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


def _local(target: str) -> bool:
    return not re.match(r"[a-z]+:", target) and not target.startswith("#")


@pytest.mark.parametrize("udu", [True, False], ids=["directory-urls", "file-urls"])
def test_every_link_of_the_combined_library_lands_on_a_page(lib, udu: bool) -> None:
    files = combined(lib, use_directory_urls=udu)
    urls = {nav.page_url(p, udu): p for p in files if p.endswith(".md")}
    crossing = 0
    for path, data in files.items():
        if not path.endswith(".md"):
            continue
        text = data.decode("utf-8")
        # Markdown links point at .md sources (MkDocs rewrites them) ...
        for target in MD_LINK.findall(text):
            target = target.split("#")[0]
            if not target or not _local(target):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            assert resolved in files, f"{path}: Markdown link {target} -> {resolved} is no page"
            crossing += resolved.split("/")[0] != path.split("/")[0]
        # ... raw HTML (flowcharts, decision tables) at final URLs, relative to the page's own URL.
        here = nav.page_url(path, udu)
        base = here if here.endswith("/") else posixpath.dirname(here) + "/"
        for target in SVG_LINK.findall(text) + HTML_LINK.findall(text):
            target = target.split("#")[0]
            if not target or not _local(target):
                continue
            resolved = posixpath.normpath(posixpath.join(base, target))
            resolved = "" if resolved == "." else resolved + ("/" if target.endswith("/") else "")
            assert resolved in urls, f"{path}: link {target} -> {resolved} is no page's URL"
            crossing += urls[resolved].split("/")[0] != path.split("/")[0]
    # Links into other pathways are there at all: text links, branches, "From other pathways", flowcharts.
    assert crossing >= 12


def test_a_branch_into_another_pathway_is_listed_with_its_condition(lib) -> None:
    files = combined(lib)
    review = page(files, "injections/stages/review.md")
    assert ("- **No relief, severe** → continues in another pathway at "
            "[Surgical consultation \\(Spinal surgery\\)](../../surgery/stages/consult.md)") in review
    home = page(files, "injections/index.md")
    assert ("if No relief, severe → continues in another pathway at "
            "[Surgical consultation \\(Spinal surgery\\)](../surgery/stages/consult.md)") in home


def test_the_stage_page_lists_where_other_pathways_lead_in(lib) -> None:
    files = combined(lib)
    consult = page(files, "surgery/stages/consult.md")
    section = consult.split("## From other pathways", 1)[1].split("\n## ", 1)[0]
    assert "- [Review \\(Facet joint injections\\)](../../injections/stages/review.md) — when No relief, severe" in section
    assert "Triage" not in section  # the consult page links to triage; triage does not lead here
    choose = page(files, "triage/stages/choose.md")
    section = choose.split("## From other pathways", 1)[1].split("\n## ", 1)[0]
    # Links in text count too, without a condition, in catalogue order (by title).
    assert section.index("Injection assessment") < section.index("Surgical consultation")
    assert "— when" not in section
    # A stage nothing leads into from elsewhere has no such section.
    assert "From other pathways" not in page(files, "surgery/stages/decide.md")


def test_links_in_text_name_the_stage_and_its_pathway_or_keep_their_own_words(lib) -> None:
    files = combined(lib)
    assert "Referred from [Review \\(Facet joint injections\\)](../../injections/stages/review.md)" in page(
        files, "surgery/stages/consult.md")
    assert "[the injections pathway](../injections/stages/assess.md)" in page(files, "triage/index.md")
    # The shared glossary names triage:imaging: a link elsewhere in the other pathways, a local one in triage.
    assert "[Imaging \\(Back pain triage\\)](../triage/stages/imaging.md)" in page(files, "surgery/glossary.md")
    assert "[Imaging](stages/imaging.md)" in page(files, "triage/glossary.md")


def test_the_flowchart_links_the_other_pathway_from_each_page(lib) -> None:
    files = combined(lib)
    for path, up in (("injections/index.md", "../"), ("injections/stages/review.md", "../../../"),
                     ("injections/what-next.md", "../../")):
        assert f'xlink:href="{up}surgery/stages/consult/"' in page(files, path), path


def test_the_walkthrough_ends_where_a_route_continues_in_another_pathway(lib) -> None:
    files = combined(lib)
    js = page(files, "injections/assets/walkthrough-data.js")
    data = json.loads(js[js.index("{"):js.rindex("}") + 1])
    end = data["stages"]["surgery:consult"]
    assert end == {"title": "Continues in Spinal surgery: Surgical consultation", "kind": "another pathway",
                   "href": "../../surgery/stages/consult/", "node": "ext-surgery_3a_consult",
                   "computable": False, "next": []}
    assert {"edge": "edge-review--surgery_3a_consult", "to": "surgery:consult", "when": "No relief, severe"} in \
        data["stages"]["review"]["next"]


def test_an_archived_copy_climbs_out_of_its_version_folder(lib, monkeypatch) -> None:
    from generator.render.releases import Release, Releases

    p = lib.by_id["injections"]
    old = Release("1.0.0", "v1.0.0", dt.date(2026, 1, 1), None, "active", (), "First release.", (),
                  frozenset(p.stage_by_id))
    rel = Releases((old,), p.version, frozenset(p.stage_by_id), archived="1.0.0")
    monkeypatch.chdir("/")  # paths above the root must not be resolved against the working directory
    files = render_site(p, layout=fake_layout, today=TODAY, library=lib, releases=rel)
    # injections/versions/1.0.0/stages/review.md -> surgery/stages/consult.md
    review = files["stages/review.md"].decode()
    assert "](../../../../surgery/stages/consult.md)" in review
    # .../versions/1.0.0/stages/review/ -> surgery/stages/consult/
    assert 'xlink:href="../../../../../surgery/stages/consult/"' in review


def test_without_the_library_a_link_into_another_pathway_is_still_an_error(lib) -> None:
    with pytest.raises(SiteError, match=r"link \[\[triage:choose\]\] names no stage"):
        render_site(lib.by_id["injections"], layout=fake_layout, today=TODAY)


def test_a_link_to_an_unknown_stage_of_the_library_is_an_error_with_a_suggestion(lib) -> None:
    import dataclasses

    p = lib.by_id["surgery"]
    bad = dataclasses.replace(p, stages=(dataclasses.replace(p.stages[0], body="See [[injections:reveiw]]."),
                                         *p.stages[1:]))
    with pytest.raises(SiteError, match=r"\[\[injections:reveiw\]\] names no stage \(did you mean 'injections:review'\?\)"):
        render_site(bad, layout=fake_layout, today=TODAY, library=lib)


def test_a_decision_table_row_links_the_other_pathway(tmp_path) -> None:
    from libfixture import computable_copy

    lib = check_library(computable_copy(tmp_path), for_build=True, today=TODAY)
    assert not lib.has_errors(), lib.problems
    review = render_site(lib.by_id["injections"], layout=fake_layout, today=TODAY, library=lib)["stages/review.md"].decode()
    row = re.search(r'<tr[^>]*data-target="surgery:consult".*?</tr>', review).group(0)
    # A link between sources (the Markdown span of the cell), which MkDocs resolves and checks.
    assert r"[Surgical consultation \(Spinal surgery\)](../../surgery/stages/consult.md)" in row
    js = render_site(lib.by_id["injections"], layout=fake_layout, today=TODAY, library=lib)["assets/walkthrough-data.js"]
    data = json.loads(js[js.index(b"{"):js.rindex(b"}") + 1])
    assert data["stages"]["review"]["computable"] is True
    assert [b["to"] for b in data["stages"]["review"]["next"]] == ["relief", "surgery:consult"]


def test_the_walkthrough_json_and_the_scenario_walker_agree_on_a_route_into_another_pathway(tmp_path) -> None:
    from generator.core.scenarios import load_scenarios, walk
    from generator.site import walkthrough as wt
    from libfixture import computable_copy
    from test_walkthrough import json_walk  # the script's rules, transcribed

    lib = check_library(computable_copy(tmp_path), for_build=True, today=TODAY)
    p = lib.by_id["injections"]
    sf, problems = load_scenarios("pathway: injections\nscenarios:\n"
                                  "  - {id: low, inputs: {relief: 10 %}, expect: {reaches: surgery:consult}}\n"
                                  "  - {id: high, inputs: {relief: 90 %}, expect: {reaches: relief}}\n", "s.yaml", p)
    assert problems == [] and sf is not None
    data = json.loads(json.dumps(wt.walkthrough_data(p, lambda t: t, "wn-", library=lib.index)))
    for sc in sf.scenarios:
        assert json_walk(data, sc) == list(walk(p, sc).route) == (
            ["assess", "inject", "review", sc.reaches]), sc.id


def test_a_branch_into_another_pathway_never_crashes_without_the_library(lib) -> None:
    """Rendered alone (as a preview might), a pathway whose branch leads elsewhere still renders: the
    flowcharts leave the branch out, as any unknown target."""
    import dataclasses

    from generator.core.scenarios import Scenario, walk
    from generator.export.fhir import export_fhir
    from generator.render import diagrams

    p = lib.by_id["injections"]
    alone = dataclasses.replace(p, glossary=(),  # the shared glossary links into triage
                                stages=tuple(dataclasses.replace(s, summary=None, body=None) for s in p.stages))
    files = render_site(alone, layout=fake_layout, today=TODAY)
    assert "stages/review.md" in files and "surgery" not in files["index.md"].decode().split("## Flowchart")[1]
    assert "ext-" not in diagrams.overview_dot(alone, str)
    export_fhir(alone)
    sc = Scenario("x", "x", {}, {}, {"review": "surgery:consult"}, "surgery:consult", None)
    assert walk(alone, sc).route[-1] == "surgery:consult"
