"""render_site: the pure core that turns a checked pathway into the site's files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import markdown
import pytest

from generator.site import nav
from generator.render.markup import MARKDOWN_EXTENSIONS
from generator.core.model import Transition
from generator.core.pipeline import check_file
from generator.site.pages import SiteError, render_site, site_nav

from fakes import fake_layout

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
LOOPS = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"
TODAY = dt.date(2026, 11, 24)



def load(path: Path):
    result = check_file(path, for_build=True, today=TODAY)
    assert not result.has_errors(), result.problems
    return result.pathway


@pytest.fixture(scope="module", params=[SEED, LOOPS], ids=["seed", "loops"])
def rendered(request):
    p = load(request.param)
    return p, render_site(p, layout=fake_layout, today=TODAY)


def text(files, path):
    return files[path].decode("utf-8")


def section(page: str, heading: str) -> str:
    """The Markdown under '## heading' up to the next '## '."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", page, re.S | re.M)
    return m.group(1) if m else ""


def test_one_page_per_stage_and_the_fixed_pages(rendered):
    p, files = rendered
    stage_pages = {k for k in files if k.startswith("stages/")}
    assert stage_pages == {f"stages/{s.id}.md" for s in p.stages}
    for page in ("index.md", "glossary.md", "references.md", "history.md", "assets/pathway.css"):
        assert page in files


def test_comes_from_and_what_next_match_the_graph(rendered):
    p, files = rendered
    for s in p.stages:
        page = text(files, f"stages/{s.id}.md")
        nxt = re.findall(r"\]\(([a-z0-9-]+)\.md\)", section(page, "What next"))
        assert nxt == [t.to for t in s.next]
        # An outcome lists the way back under "The pathway ends here" (with a link home after it).
        back = section(page, "The pathway ends here") if s.kind == "outcome" else section(page, "Comes from")
        came = re.findall(r"\]\(([a-z0-9-]+)\.md\)", back)
        assert came == [src.id for src, _t in p.incoming[s.id]]
        for t in s.next:
            if t.when:
                assert t.when.split()[0] in section(page, "What next")


def test_alongside_is_symmetric_on_the_pages(rendered):
    p, files = rendered
    for s in p.stages:
        along = re.findall(r"\]\(([a-z0-9-]+)\.md\)", section(text(files, f"stages/{s.id}.md"), "Alongside"))
        assert along == list(p.alongside_of[s.id])


def test_every_markdown_link_between_generated_pages_exists(rendered):
    _p, files = rendered
    for path, data in files.items():
        if not path.endswith(".md"):
            continue
        for target in re.findall(r"\]\(([^)\s#]+\.md)(?:#[^)]*)?\)", data.decode()):
            resolved = Path(path).parent.joinpath(target).as_posix()
            resolved = re.sub(r"[^/]+/\.\./", "", resolved)
            assert resolved in files, f"{path} links to missing {target}"


def test_svg_links_point_at_final_urls(rendered):
    p, files = rendered
    stage = p.stages[0]
    home = text(files, "index.md")
    assert f'href="stages/{stage.id}/"' in home
    page = text(files, f"stages/{p.stages[0].next[0].to}.md") if p.stages[0].next else ""
    if page:
        assert f'href="../{stage.id}/"' in page
    flat = render_site(p, layout=fake_layout, today=TODAY, use_directory_urls=False)
    assert f'href="stages/{stage.id}.html"' in text(flat, "index.md")


def test_pages_render_as_markdown_without_raw_pathway_html(rendered):
    p, files = rendered
    for path, data in files.items():
        if path.endswith(".md"):
            html = markdown.markdown(data.decode(), extensions=list(MARKDOWN_EXTENSIONS))
            assert "<script" not in html
            assert "{{" not in html and "{%" not in html


def test_titles_with_special_characters_are_escaped():
    p = load(LOOPS)
    files = render_site(p, layout=fake_layout, today=TODAY)
    page = text(files, "stages/focused-assessment.md")
    html = markdown.markdown(page, extensions=list(MARKDOWN_EXTENSIONS))
    h1 = re.sub(r"</?abbr[^>]*>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1))
    assert h1 == 'Focused assessment: "ECG &amp; bloods" when score &lt; 3 or &gt; 7'


def test_glossary_abbreviations_are_defined_on_every_page():
    p = load(LOOPS)
    files = render_site(p, layout=fake_layout, today=TODAY)
    abbrs = [g for g in p.glossary if g.abbr]
    assert abbrs
    for path, data in files.items():
        if path.endswith(".md") and path != "glossary.md":
            assert f"*[{abbrs[0].abbr}]: " in data.decode()


def test_home_shows_governance_and_an_overdue_review_warning():
    p = load(SEED)
    on_time = text(render_site(p, layout=fake_layout, today=TODAY), "index.md")
    assert "Review overdue" not in on_time
    assert "1 November 2027" in on_time and "Spine pain service" in on_time
    assert "pathway.pdf" not in on_time  # no handbook in this site, so no button that would 404
    assert 'href="pathway.pdf"' in text(render_site(p, layout=fake_layout, today=TODAY, pdf=True), "index.md")
    late = p.governance.next_review + dt.timedelta(days=1)
    overdue = text(render_site(p, layout=fake_layout, today=late), "index.md")
    assert '!!! warning "Review overdue"' in overdue


def test_disclaimer_on_every_page(rendered):
    _p, files = rendered
    for path, data in files.items():
        if path.endswith(".md"):
            assert "Supports, does not replace, clinical judgement." in data.decode()


def test_unknown_wikilink_fails_with_location():
    p = load(SEED)
    bad = dataclasses.replace(p.stages[0], body="See [[no-such-stage]].")
    broken = dataclasses.replace(p, stages=(bad, *p.stages[1:]))
    with pytest.raises(SiteError, match=r"pathway\.yaml:\d+:\d+: link \[\[no-such-stage\]\] names no stage"):
        render_site(broken, layout=fake_layout, today=TODAY)


def test_render_is_deterministic(rendered):
    p, files = rendered
    again = render_site(load(Path(p.source)) if Path(p.source).exists() else p, layout=fake_layout, today=TODAY)
    assert again == files
    assert list(files) == sorted(files)


def test_nav_follows_groups_and_stage_order():
    p = load(SEED)
    nav_ = site_nav(p)
    assert nav_[0] == {"Home": "index.md"}
    groups = nav_[1]["Stages"]
    assert [next(iter(g)) for g in groups] == [g.title for g in p.groups]
    flat = [next(iter(e.values())) for g in groups for e in next(iter(g.values()))]
    assert sorted(flat) == sorted(f"stages/{s.id}.md" for s in p.stages)


def test_without_groups_the_stages_section_lists_the_stages_themselves():
    p = load(SEED.parent / "tests" / "fixtures" / "pathways" / "no-groups.yaml")
    assert not p.groups
    stages = site_nav(p)[1]["Stages"]
    # Not "Stages › Stages": each entry is a stage page.
    assert [next(iter(e.values())) for e in stages] == [f"stages/{s.id}.md" for s in p.stages]


def test_big_groups_are_split_so_each_nav_section_stays_small():
    p = load(SEED)
    many = tuple(dataclasses.replace(p.stages[0], id=f"s{i}", title=f"S{i}", next=(Transition("s0"),))
                 for i in range(nav.NAV_CHUNK * 2 + 5))
    big = dataclasses.replace(p, stages=many, start="s0")
    sections = next(iter(site_nav(big)[1]["Stages"][0].values()))
    assert len(sections) == 3
    assert all(len(next(iter(s.values()))) <= nav.NAV_CHUNK for s in sections)


def test_outcome_pages_say_the_pathway_ends_and_offer_the_way_back(rendered):
    p, files = rendered
    outcomes = [s for s in p.stages if s.kind == "outcome"]
    assert outcomes
    for s in outcomes:
        page = text(files, f"stages/{s.id}.md")
        ends = section(page, "The pathway ends here")
        assert "end point of the pathway" in ends
        assert "](../index.md)" in ends  # back to the whole pathway
        assert "## What next" not in page and "## Comes from" not in page
    # A therapy that runs alongside others is not called an end point.
    if "stages/physical-therapy.md" not in files:
        return  # only the seed has one
    page = text(files, "stages/physical-therapy.md")
    assert "alongside" in section(page, "What next") and "end point" not in page


def test_no_previous_next_footer_on_stage_glossary_and_group_pages(rendered):
    # Material's Previous/Next follow nav order, not care ("Long-lasting relief" → "Physical therapy").
    _p, files = rendered
    pages = [k for k in files if k.startswith(("stages/", "groups/")) or k == "glossary.md"]
    assert len(pages) > 5
    for k in pages:
        front = re.match(r"---\n(.*?)\n---\n", text(files, k), re.S)
        assert front and "hide:\n  - footer" in front.group(1), k


def test_stages_carry_the_glossary_terms_their_titles_define_as_search_tags():
    import yaml

    from generator.site.search import stage_keywords

    p = load(SEED)
    files = render_site(p, layout=fake_layout, today=TODAY)
    meta = {s.id: yaml.safe_load(re.match(r"---\n(.*?)\n---\n", text(files, f"stages/{s.id}.md"), re.S).group(1))
            for s in p.stages}
    assert meta["radiofrequency-ablation"]["tags"] == ["Radiofrequency ablation", "RFA"]
    assert meta["medial-branch-block"]["tags"] == ["Medial branch block", "MBB"]
    assert meta["imaging-review"]["tags"] == ["Magnetic Resonance Imaging", "MRI", "Computed Tomography", "CT"]
    # Mentioning an abbreviation is not being about it: "Recovery after RFA" is not the RFA stage.
    assert "tags" not in meta["rfa-recovery"] and "tags" not in meta["rfa-review"]
    assert all(meta[s.id].get("tags", []) == stage_keywords(p, s) for s in p.stages)


def test_search_tags_survive_hostile_glossary_text():
    import yaml

    from generator.site.search import stage_keywords

    nasty = 'Bad: "term" # {x} [y] \\ <b> ---'
    doc = load(SEED)
    s = doc.stages[0]
    import dataclasses

    s2 = dataclasses.replace(s, title=f"{s.title} ({nasty})")
    g = dataclasses.replace(doc.glossary[0], abbr=nasty)
    p = dataclasses.replace(doc, stages=(s2, *doc.stages[1:]), glossary=(g, *doc.glossary[1:]))
    assert nasty in stage_keywords(p, s2)
    files = render_site(p, layout=fake_layout, today=TODAY)
    front = re.match(r"---\n(.*?)\n---\n", text(files, f"stages/{s.id}.md"), re.S).group(1)
    assert nasty in yaml.safe_load(front)["tags"]
