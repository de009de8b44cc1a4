"""The handbook of a pathway that belongs to a library (one handbook per pathway): links and branches into
another pathway are words naming its stage and pathway, never a dead in-document link."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from generator.core.library import check_library
from generator.pdf import handbook as pdf

from libfixture import LIB, computable_copy

EPOCH = "1790000000"


@pytest.fixture(scope="module")
def lib():
    result = check_library(LIB, for_build=True, today=dt.date(2026, 12, 2))
    assert not result.has_errors(), result.problems
    return result


def handbook(p, lib) -> str:
    diagrams = pdf.layout_diagrams(p, library=lib)
    return pdf.print_html(p, diagrams, built=pdf.build_date(EPOCH), library=lib)


def _text(html: str) -> str:
    html = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.dot
@pytest.mark.parametrize("pid", ["triage", "injections", "surgery"])
def test_every_in_document_link_of_each_handbook_has_its_target(lib, pid: str) -> None:
    html = handbook(lib.by_id[pid], lib)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets and [t for t in targets if t not in ids] == []
    # The flowcharts' links too (xlink:href, inside the inline SVGs).
    for t in re.findall(r'xlink:href="([^"]*)"', html):
        assert t.startswith("#") and t[1:] in ids, t


@pytest.mark.dot
def test_the_handbook_names_stages_of_other_pathways_in_words(lib) -> None:
    text = _text(handbook(lib.by_id["injections"], lib))
    assert "Patients come from Which route? (Back pain triage)." in text
    assert "No relief, severe → continues in another pathway at Surgical consultation (Spinal surgery)" in text
    assert "From other pathways Which route? (Back pain triage) when “Facet joint pain suspected”" in text
    surgery = _text(handbook(lib.by_id["surgery"], lib))
    assert "From other pathways Review (Facet joint injections) when “No relief, severe”" in surgery
    tri = handbook(lib.by_id["triage"], lib)
    assert "the injections pathway (Facet joint injections: Injection assessment)" in _text(tri)
    # The flowchart's box for the other pathway is drawn, unlinked, and named in the figure's /Alt.
    assert 'id="ov--ext-injections_3a_assess"' in tri
    assert "continues in another pathway at Injection assessment (Facet joint injections)" in tri


@pytest.mark.dot
def test_a_decision_table_row_into_another_pathway_is_text(tmp_path: Path) -> None:
    lib = check_library(computable_copy(tmp_path), for_build=True, today=dt.date(2026, 12, 2))
    html = handbook(lib.by_id["injections"], lib)
    row = re.search(r'<tr data-branch="2" data-target="surgery:consult".*?</tr>', html, re.S).group(0)
    assert "<td>Surgical consultation (Spinal surgery)</td>" in row and "href" not in row


@pytest.mark.dot
def test_the_pdf_of_a_library_pathway_builds(lib, tmp_path: Path) -> None:
    out = tmp_path / "injections.pdf"
    pages = pdf.build_pdf(lib.by_id["injections"], out, source_date_epoch=EPOCH, cache_dir=tmp_path / "cache",
                          library=lib)
    assert pages >= 2 and out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True).stdout.decode()
    text = " ".join(text.split())
    assert "From other pathways" in text
    assert "continues in another pathway at Surgical consultation (Spinal surgery)" in text


@pytest.mark.dot
def test_without_the_library_a_branch_elsewhere_does_not_crash_the_handbook(lib) -> None:
    import dataclasses

    p = lib.by_id["injections"]
    alone = dataclasses.replace(p, glossary=(),
                                stages=tuple(dataclasses.replace(s, summary=None, body=None) for s in p.stages))
    html = pdf.print_html(alone, pdf.layout_diagrams(alone), built=None)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert [t for t in re.findall(r'href="#([^"]+)"', html) if t not in ids] == []


def test_a_worker_is_sent_only_what_its_handbook_needs(lib) -> None:
    import pickle

    links = pdf.HandbookLibrary.of(lib, "surgery")
    assert set(links.incoming) == {("surgery", "consult")}
    assert links.index == lib.index
    assert pickle.loads(pickle.dumps(links)) == links


@pytest.mark.dot
def test_the_library_handbooks_name_the_other_pathways(lib, tmp_path: Path) -> None:
    from generator.pdf import library_index

    jobs = [(lib.by_id["surgery"], str(tmp_path / "surgery.pdf")), (lib.by_id["triage"], str(tmp_path / "triage.pdf"))]
    library_index.build_handbooks(jobs, source_date_epoch=EPOCH, cache_dir=tmp_path / "cache", library=lib, workers=2)
    for _p, out in jobs:
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", out, "-"], capture_output=True, check=True).stdout.decode()
        assert "From other pathways" in " ".join(text.split()), out
