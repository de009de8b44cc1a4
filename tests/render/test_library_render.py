"""The shared presentation for a pathway of a library: [[pathway:stage]] links, branches into another
pathway in the flowcharts, text alternatives and decision tables (generator/render/)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.core.library import check_library
from generator.core.model import LibraryIndex, Pathway, Stage
from generator.core.model import Transition as T
from generator.render import presentation as pres
from generator.render.diagrams import group_dot, neighbourhood_dot, overview_dot
from generator.render.markup import UnknownStageLink, author_markdown

LIB = Path(__file__).resolve().parents[1] / "fixtures" / "library"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


@pytest.fixture(scope="module")
def lib():
    return check_library(LIB, for_build=True, today=dt.date(2026, 12, 2))


def href(target: str) -> str:
    return f"URL[{target}]"


def test_the_injections_flowchart_draws_the_other_pathway_as_a_dashed_linked_box(lib) -> None:
    dot = overview_dot(lib.by_id["injections"], href, library=lib.index)
    (node,) = [ln for ln in dot.splitlines() if ln.lstrip().startswith('"surgery:consult" [')]
    assert 'id="ext-surgery_3a_consult"' in node
    assert 'style="dashed,rounded"' in node
    assert r'label="Continues in:\nSpinal surgery —\nSurgical consultation"' in node
    assert 'URL="URL[surgery:consult]"' in node
    assert '"review" -> "__cond__edge-review--surgery_3a_consult"' in dot
    assert '"__cond__edge-review--surgery_3a_consult" -> "surgery:consult" [id="edge-review--surgery_3a_consult"]' in dot
    # The stage's own chart has it too; a stage of another pathway is never drawn as a stage of this one.
    nb = neighbourhood_dot(lib.by_id["injections"], "review", href, library=lib.index)
    assert 'id="ext-surgery_3a_consult"' in nb and '"review" -> "surgery:consult"' in nb
    assert "stage-surgery" not in dot + nb


def test_without_a_library_the_branch_is_left_out_as_before(lib) -> None:
    p = lib.by_id["injections"]
    assert overview_dot(p, href) == overview_dot(p, href, library=None)
    assert "surgery" not in overview_dot(p, href) + neighbourhood_dot(p, "review", href)


def test_an_empty_href_leaves_the_box_unlinked(lib) -> None:
    dot = overview_dot(lib.by_id["injections"], lambda t: "" if ":" in t else f"#{t}", library=lib.index)
    (node,) = [ln for ln in dot.splitlines() if ln.lstrip().startswith('"surgery:consult" [')]
    assert "URL=" not in node and 'target="_top"' not in node


def hostile() -> tuple[Pathway, LibraryIndex]:
    """A branch into a pathway whose titles hold everything DOT, HTML and tooltips treat specially."""
    title, stage = 'Spine "A\\B" <b>&amp;</b> {x|y}', "Consult \\n \\l ]; 'q'"
    p = Pathway(id="a", title="A", version="1", status="draft", start="s",
                stages=(Stage("s", "Start here", "decision", next=(T("b:c", "Severe \\ \"pain\""), T("end", "No"))),
                        Stage("end", "End", "outcome")),
                groups=())
    return p, LibraryIndex({"a": "A", "b": title}, {"a": {"s": "Start here", "end": "End"}, "b": {"c": stage}})


@pytest.mark.dot
def test_hostile_titles_of_the_other_pathway_survive_dot_as_written() -> None:
    from generator.render.layout import render_svgs

    p, index = hostile()
    svg = render_svgs([overview_dot(p, lambda t: f"../{t.replace(':', '/')}/?a=1&b=2", library=index)],
                      id_prefixes=["h"])[0]
    root = ET.fromstring(svg)
    (node,) = [g for g in root.iter(f"{SVG}g") if g.get("id") == "h-ext-b_3a_c"]
    text = " ".join(t.text or "" for t in node.iter(f"{SVG}text"))
    assert text.split() == ("Continues in: " + 'Spine "A\\B" <b>&amp;</b> {x|y} — ' + "Consult \\n \\l ]; 'q'").split()
    (link,) = [a for a in node.iter(f"{SVG}a")]
    assert link.get(f"{XLINK}href") == "../b/c/?a=1&b=2"
    assert link.get(f"{XLINK}title") == ('Continues in the pathway Spine "A\\B" <b>&amp;</b> {x|y}, at '
                                         "Consult \\n \\l ]; 'q'")


def test_a_group_chart_shows_the_other_pathway_too(lib) -> None:
    from generator.core.model import Group

    p = lib.by_id["injections"]
    grouped = dataclasses.replace(p, groups=(Group("g", "All"),),
                                  stages=tuple(dataclasses.replace(s, group="g") for s in p.stages))
    dot = group_dot(grouped, "g", href, library=lib.index)
    assert 'id="ext-surgery_3a_consult"' in dot and '"review" -> "surgery:consult"' in dot


def test_text_alternatives_and_lists_say_where_the_branch_continues(lib) -> None:
    p = lib.by_id["injections"]
    review = p.stage_by_id["review"]
    assert ("if No relief, severe → continues in another pathway at Surgical consultation (Spinal surgery)"
            in pres.neighbourhood_alt(p, review, lib.index))
    assert "continues in another pathway" in pres.overview_alt(p, library=lib.index)
    assert "Spinal surgery" not in pres.neighbourhood_alt(p, review)  # no library: as before
    links = pres.what_next(p, review, lib.index)
    assert [(ln.stage_id, ln.label, ln.external) for ln in links] == [
        ("relief", "Relief", None), ("surgery:consult", "Surgical consultation (Spinal surgery)", ("surgery", "consult"))]


def test_incoming_links_from_other_pathways_in_catalogue_order(lib) -> None:
    tri = lib.by_id["triage"]
    got = pres.from_other_pathways(lib, tri, tri.stage_by_id["choose"])
    assert [(ln.stage_id, ln.label, ln.when) for ln in got] == [
        ("injections:assess", "Injection assessment (Facet joint injections)", None),
        ("surgery:consult", "Surgical consultation (Spinal surgery)", None)]
    sur = lib.by_id["surgery"]
    (got_one,) = pres.from_other_pathways(lib, sur, sur.stage_by_id["consult"])
    assert got_one.when == "No relief, severe"
    assert pres.from_other_pathways(None, sur, sur.stage_by_id["consult"]) == []


def test_a_decision_table_row_into_another_pathway(tmp_path) -> None:
    from libfixture import computable_copy

    lib = check_library(computable_copy(tmp_path), for_build=True, today=dt.date(2026, 12, 2))
    assert not lib.has_errors(), lib.problems
    p = lib.by_id["injections"]
    table = pres.decision_table(p, p.stage_by_id["review"], lib.index)
    assert table is not None
    assert [(r.target_id, r.target_label, r.otherwise) for r in table.rows] == [
        ("relief", "Relief", False), ("surgery:consult", "Surgical consultation (Spinal surgery)", True)]


class TestMarkup:
    def test_default_and_own_labels(self, lib) -> None:
        tri = lib.by_id["triage"]
        assert author_markdown("See [[injections:assess]].", tri, href, library=lib.index) == \
            "See [Injection assessment \\(Facet joint injections\\)](URL[injections:assess])."
        assert author_markdown("[[ injections : assess |there]]", tri, href, library=lib.index) == \
            "[there](URL[injections:assess])"

    def test_the_pathway_itself_named_with_its_id_is_a_local_link(self, lib) -> None:
        tri = lib.by_id["triage"]
        assert author_markdown("[[triage:imaging]]", tri, href, library=lib.index) == "[Imaging](URL[imaging])"

    def test_no_href_gives_words_naming_stage_and_pathway(self, lib) -> None:
        tri = lib.by_id["triage"]
        no_link = lambda t: "" if ":" in t else f"#{t}"  # noqa: E731
        assert author_markdown("[[injections:assess]] or [[injections:assess|the injections *pathway*]]",
                               tri, no_link, library=lib.index) == \
            ("Injection assessment \\(Facet joint injections\\) or the injections \\*pathway\\* "
             "\\(Facet joint injections: Injection assessment\\)")

    def test_unknown_targets_raise_with_a_suggestion(self, lib) -> None:
        tri = lib.by_id["triage"]
        with pytest.raises(UnknownStageLink, match=r"did you mean 'injections:assess'"):
            author_markdown("[[injections:asess]]", tri, href, library=lib.index)
        with pytest.raises(UnknownStageLink, match=r"\[\[nowhere:assess\]\] names no stage"):
            author_markdown("[[nowhere:assess]]", tri, href, library=lib.index)
        with pytest.raises(UnknownStageLink):
            author_markdown("[[injections:assess]]", tri, href)  # no library: an error, as before

    def test_a_link_text_cannot_break_out_of_its_markdown(self, lib) -> None:
        import markdown

        tri = lib.by_id["triage"]
        out = author_markdown("[[injections:assess|x)(javascript:alert(1) <b>[y*]]", tri, href, library=lib.index)
        html = markdown.markdown(out)
        assert re.findall(r'href="([^"]*)"', html) == ["URL[injections:assess]"]
        assert "<b>" not in html and "javascript" not in re.findall(r'href="[^"]*"', html)[0]
