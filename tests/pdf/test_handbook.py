"""The PDF handbook: structure checked by reading the real PDF back with pypdf.

The PDFs are built once per module through the real CLI (``pathway pdf``).
Stage pages are located through the text printed on them, and then compared
with what the contents page, the links and the outline claim.

Page text comes from poppler's ``pdftotext``: pypdf cannot decode a font that
WeasyPrint writes with an embedded encoding CMap, which it does as soon as one
character has no glyph in any installed font (the CJK text in loops.yaml on a
machine with only DejaVu).  Everything structural (links, destinations,
outline, metadata, images) is read with pypdf; so is the seed's text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.site import nav
from generator.pdf import handbook as pdf
from generator.cli import main
from generator.core.pipeline import check_file

pypdf = pytest.importorskip("pypdf")

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
LOOPS = REPO / "tests" / "fixtures" / "pathways" / "loops.yaml"
EPOCH = "1790000000"  # 2026-09-21, before the fixtures' expiry dates


def _page_texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    pages = out.decode("utf-8").split("\f")
    return [_squash(p) for p in pages[:-1]]  # pdftotext ends every page with a form feed


def _is_phase_map(overview_text: str) -> bool:
    """The overview page is the map of phases (handbook.py's title for it), not the whole flowchart."""
    return "Overview: the phases of the pathway" in _squash(overview_text)


def _squash(text: str) -> str:
    """Whitespace collapsed: titles wrap differently on the page than in the YAML."""
    return " ".join(text.split())


def _build(src: Path, out: Path, epoch: str = EPOCH) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", epoch)
        return main(["pdf", str(src), "-o", str(out)])


class Handbook:
    """A built PDF read back: page texts, named destinations, links, outline."""

    def __init__(self, path: Path, src: Path):
        self.path = path
        self.pathway = check_file(src).pathway
        self.reader = pypdf.PdfReader(str(path))
        self.texts = _page_texts(path)
        assert len(self.texts) == len(self.reader.pages)
        self.dests = {
            name: self.reader.get_destination_page_number(d) for name, d in self.reader.named_destinations.items()
        }

    def ordered_stages(self):
        return [self.pathway.stage_by_id[sid] for _, _, ids in nav.stages_by_group(self.pathway) for sid in ids]

    def stage_page(self, stage) -> int:
        """0-based page where the stage's heading is printed, found by text alone."""
        # A stage page starts (after the running header) with its kind badge,
        # then its title: that pair identifies it without trusting the anchors.
        needle = f"{stage.kind.upper()} {_squash(stage.title)}"
        hits = [i for i, t in enumerate(self.texts) if needle in t]
        assert hits, f"stage {stage.id!r}: no page shows {needle!r}"
        return hits[0]

    def link_targets(self, page_index: int) -> list[int]:
        """0-based target pages of the internal links on one page."""
        out = []
        page = self.reader.pages[page_index]
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            if dest is None and annot.get("/A", {}).get("/S") == "/GoTo":
                dest = annot["/A"]["/D"]
            if dest is None:
                continue
            if isinstance(dest, (str, bytes)) or hasattr(dest, "original_bytes"):
                out.append(self.dests[str(dest)])
            else:
                out.append(self.reader.get_page_number(dest[0].get_object()) if hasattr(dest[0], "get_object") else int(dest[0]))
        return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Handbook]:
    for tool in ("dot", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")
    d = tmp_path_factory.mktemp("pdf")
    out = {}
    for name, src in (("seed", SEED), ("loops", LOOPS)):
        target = d / f"{name}.pdf"
        assert _build(src, target) == 0
        out[name] = Handbook(target, src)
    return out


CASES = ["seed", "loops"]


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_stages_appear_in_navigation_order(built, case):
    hb = built[case]
    pages = [hb.stage_page(s) for s in hb.ordered_stages()]
    assert pages == sorted(pages)  # short stages may share a page (tests/pdf/test_pagebreaks.py)
    # The anchor the links use is on the same page as the printed heading.
    for stage, page in zip(hb.ordered_stages(), pages):
        assert hb.dests[f"stage-{stage.id}"] == page, stage.id


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_contents_page_numbers_match_the_real_pages(built, case):
    hb = built[case]
    toc = next(i for i, t in enumerate(hb.texts) if t.startswith("Contents") or " Contents " in t[:200])
    text = hb.texts[toc]
    for stage in hb.ordered_stages():
        m = re.search(re.escape(_squash(stage.title)) + r"\s*\.+\s*(\d+)", text)
        assert m, f"contents has no numbered entry for {stage.title!r}"
        assert int(m.group(1)) == hb.stage_page(stage) + 1, stage.id
    # The running footer agrees with the page count.
    n = len(hb.reader.pages)
    assert f"Page {toc + 1} of {n}" in text


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_what_next_links_point_at_the_right_pages(built, case):
    hb = built[case]
    checked = 0
    for stage in hb.ordered_stages():
        first = hb.stage_page(stage)
        # A stage may run over several pages: up to the next stage's first page.
        later = [hb.stage_page(s) for s in hb.ordered_stages() if hb.stage_page(s) > first]
        span = range(first, min(later) if later else len(hb.texts))
        targets = {p for i in span for p in hb.link_targets(i)}
        shown = " ".join(hb.texts[i] for i in span)
        for t in stage.next:
            want = hb.stage_page(hb.pathway.stage_by_id[t.to])
            assert want in targets, f"{stage.id} has no link to {t.to}"
            # The printed page reference beside the link says the same page.
            m = re.search(re.escape(_squash(hb.pathway.stage_by_id[t.to].title)) + r"\s*\(p\.\s*(\d+)\)", shown)
            assert m and int(m.group(1)) == want + 1, f"{stage.id} → {t.to}: printed page wrong"
            checked += 1
    assert checked > 0


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_contents_links_reach_every_stage(built, case):
    hb = built[case]
    toc = next(i for i, t in enumerate(hb.texts) if t.startswith("Contents") or " Contents " in t[:200])
    targets = set(hb.link_targets(toc))
    for stage in hb.ordered_stages():
        assert hb.stage_page(stage) in targets, stage.id


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_outline_has_an_entry_per_stage_on_its_page(built, case):
    hb = built[case]
    entries: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                entries.setdefault(_squash(item.title), hb.reader.get_destination_page_number(item))

    walk(hb.reader.outline)
    for stage in hb.ordered_stages():
        assert entries.get(_squash(stage.title)) == hb.stage_page(stage), stage.id
    for group in hb.pathway.groups:
        assert group.title in entries
    assert "References" in entries and "Amendment history" in entries


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_metadata(built, case):
    hb = built[case]
    meta = hb.reader.metadata
    assert meta.title == hb.pathway.title
    assert meta.author == hb.pathway.governance.owner
    assert meta.subject.startswith(_squash(hb.pathway.summary)[:40])
    assert hb.pathway.id in meta["/Keywords"]
    # The creation date is SOURCE_DATE_EPOCH, not the clock.
    assert meta["/CreationDate"].startswith("D:20260921")


@pytest.mark.dot
@pytest.mark.parametrize("case", CASES)
def test_overview_is_vector_with_selectable_labels(built, case):
    hb = built[case]
    page = hb.dests["overview"]
    text = hb.texts[page]
    if _is_phase_map(text):
        # Too small to read at one page (the 31-stage seed): the map of phases instead.
        labels = [g.title for g in hb.pathway.groups]
        text = _squash(text)
    else:
        # Short titles fit on one line of a node label, so they are extractable whole.
        labels = [s.title for s in hb.ordered_stages() if len(s.title) <= 16]
    assert labels
    for title in labels:
        assert title in text, f"overview page lacks the label {title!r}"

    def images(resources) -> int:
        n = 0
        for xobj in (resources or {}).get("/XObject", {}).values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Image":
                n += 1
            elif xobj.get("/Subtype") == "/Form":
                n += images(xobj.get("/Resources"))
        return n

    assert images(hb.reader.pages[page].get("/Resources")) == 0


@pytest.mark.dot
def test_seed_text_is_extractable_with_pypdf(built):
    hb = built["seed"]
    overview = _squash(hb.reader.pages[hb.dests["overview"]].extract_text())
    assert "Start" in overview
    # The stage labels are on the overview, or on their phase's chart when the overview is the phase map.
    chart = hb.dests["group-conservative-care"] if _is_phase_map(overview) else hb.dests["overview"]
    assert "Physical therapy" in _squash(hb.reader.pages[chart].extract_text())
    stage = hb.ordered_stages()[0]
    assert _squash(stage.title) in _squash(hb.reader.pages[hb.stage_page(stage)].extract_text())


@pytest.mark.dot
def test_title_page_document_control(built):
    hb = built["seed"]
    first = hb.texts[0]
    gov = hb.pathway.governance
    assert hb.pathway.title in first
    assert f"Version {hb.pathway.version}" in first
    assert gov.owner in first
    assert pdf.format_date(gov.next_review) in first
    assert "does not replace, clinical judgement" in first
    assert "Uncontrolled when printed" in first
    assert "Source dated 21 September 2026" in first  # SOURCE_DATE_EPOCH, labelled as the source's date


@pytest.mark.dot
def test_same_source_date_epoch_gives_identical_bytes(built, tmp_path):
    again = tmp_path / "again.pdf"
    assert _build(SEED, again) == 0
    assert again.read_bytes() == built["seed"].path.read_bytes()
    # ...and the date really comes from SOURCE_DATE_EPOCH.
    other = tmp_path / "other.pdf"
    assert _build(SEED, other, epoch="1790086400") == 0
    assert other.read_bytes() != again.read_bytes()


@pytest.mark.parametrize("fixture", ["unknown-stage.yaml", "yaml-syntax.yaml"])
def test_bad_input_reports_positions_and_writes_nothing(fixture, tmp_path, capsys):
    src = REPO / "tests" / "fixtures" / "bad" / fixture
    out = tmp_path / "out.pdf"
    assert _build(src, out) == 1
    err = capsys.readouterr().err
    assert re.search(re.escape(str(src)) + r":\d+:\d+: error:", err)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind either


def test_expired_pathway_fails_and_keeps_the_old_pdf(tmp_path, capsys):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.7 previous handbook")
    assert _build(REPO / "tests" / "fixtures" / "bad" / "expired.yaml", out) == 1
    assert "[expired]" in capsys.readouterr().err
    assert out.read_bytes() == b"%PDF-1.7 previous handbook"


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["pdf", str(tmp_path / "nope.yaml"), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_output_folder_must_exist(tmp_path, capsys):
    assert main(["pdf", str(SEED), "-o", str(tmp_path / "missing" / "x.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err


# ----------------------------------------------------------------- pure helpers


def test_fit_svg_shrinks_to_the_box_and_never_enlarges():
    big = '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="2000pt" height="500pt" viewBox="0.00 0.00 2000.00 500.00"><g/></svg>'
    out = pdf.fit_svg(big, (400, 400))
    assert out.startswith("<svg") and "DOCTYPE" not in out
    assert 'width="400.00pt"' in out and 'height="100.00pt"' in out
    small = '<svg width="100pt" height="50pt" viewBox="0 0 100 50"></svg>'
    assert 'width="100.00pt" height="50.00pt"' in pdf.fit_svg(small, (400, 400))
    assert 'width="75.00pt"' in pdf.fit_svg(small, (400, 400), max_scale=0.75)


def test_print_html_escapes_pathway_text(tmp_path):
    """Titles and bodies with markup characters print literally, never as HTML."""
    src = tmp_path / "p.yaml"
    src.write_text(
        "id: p\ntitle: 'A <b>bold</b> & \"quoted\" title'\nversion: '1'\nstatus: draft\nstart: a\n"
        "stages:\n  - id: a\n    title: 'Stage <i>x</i>'\n    kind: outcome\n"
        "    body: 'Text <script>alert(1)</script> and [[a|self]]'\n",
        encoding="utf-8",
    )
    pathway = check_file(src).pathway
    svg = '<svg width="10pt" height="10pt" viewBox="0 0 10 10"></svg>'
    html = pdf.print_html(pathway, pdf.Diagrams(svg, False, {"a": svg}), built=None)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>" not in html and "<i>x</i>" not in html
    assert '<a href="#stage-a">self</a>' in html


def test_group_map_gives_each_group_its_own_flowchart_page():
    """With the group map as overview, each group opens with its chart, linked from the contents."""
    pathway = check_file(SEED).pathway
    svg = '<svg width="10pt" height="10pt" viewBox="0 0 10 10"></svg>'
    groups = {g.id: svg.replace("<svg", f'<svg id="chart-{g.id}"') for g in pathway.groups}
    diagrams = pdf.Diagrams(svg, True, {s.id: svg for s in pathway.stages}, groups)
    html = pdf.print_html(pathway, diagrams, built=None)
    for g in pathway.groups:
        assert f'<a href="#group-{g.id}">' in html
        page = html.index(f'id="group-{g.id}"')
        first_stage = next(s for s in pathway.stages if s.group == g.id)
        assert page < html.index(f'id="stage-{first_stage.id}"')
        assert html.index(f'id="chart-{g.id}"', page) < html.index(f'id="stage-{first_stage.id}"')
    assert "phases of the pathway" in html
