"""Flowchart text in the built PDF handbook is at least 7 pt, measured with poppler's ``pdftotext -bbox``.

A word's box is as tall as its font's ascent plus descent: for DejaVu Sans
(the handbook's only text font, print.css) 1.164 em, so the printed size is
the box height / 1.164.  No word of the handbook may be under 7 pt; the
flowcharts' own words ("YOU ARE HERE" on every stage chart, the conditions)
must be among the words measured, so a chart drawn as an image or left out
cannot pass.  Pages go to ``test-artifacts/`` as PNG for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.synth import generate
from generator.cli import main
from generator.core.pipeline import check_file

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pathways"
ARTIFACTS = REPO / "test-artifacts"
EPOCH = "1795000000"
MIN_PT = 7.0
EM_HEIGHT = 1.164  # DejaVu Sans: ascender 1901 + descender 483 units of 2048
WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>')

pytestmark = pytest.mark.dot


def words(pdf: Path) -> list[list[tuple[float, str]]]:
    """Per page, every word with its printed size in points."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return [[((float(m.group(2)) - float(m.group(1))) / EM_HEIGHT, m.group(3)) for m in WORD.finditer(page)]
            for page in out.split("<page ")[1:]]


@pytest.fixture(scope="module")
def tools() -> None:
    for tool in ("dot", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")


def _build(name: str, tmp: Path) -> tuple[Path, Path]:
    if name == "seed":
        src = REPO / "pathway.yaml"
    elif name == "synthetic-300":
        src = tmp / "synthetic-300.yaml"
        src.write_text(generate(300), encoding="utf-8")
    else:
        src = FIXTURES / f"{name}.yaml"
    pdf = tmp / f"{name}.pdf"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["pdf", str(src), "-o", str(pdf)]) == 0
    return src, pdf


@pytest.mark.parametrize("name", ["seed", "loops", "two-stage-loops", pytest.param("synthetic-300", marks=pytest.mark.slow)])
def test_no_flowchart_text_in_the_handbook_is_under_7_pt(tools, tmp_path, name: str) -> None:
    src, pdf = _build(name, tmp_path)
    pages = words(pdf)
    measured = [(size, text, i + 1) for i, page in enumerate(pages) for size, text in page]
    small = [f"page {n}: {text!r} at {size:.2f} pt" for size, text, n in measured if size < MIN_PT - 0.05]
    # The charts' own words were measured: every stage chart says YOU ARE HERE.
    pathway = check_file(src).pathway
    assert pathway is not None
    here = [size for size, text, _n in measured if text == "HERE"]
    assert len(here) >= len(pathway.stage_by_id), "the stage charts' text is missing from the PDF"
    print(f"{name}: {len(measured)} words on {len(pages)} pages; smallest {min(measured)[0]:.2f} pt "
          f"({min(measured)[1]!r}, page {min(measured)[2]}); 'YOU ARE HERE' {min(here):.2f} pt")
    assert not small, f"{len(small)} words under {MIN_PT} pt:\n" + "\n".join(small[:40])
    if name == "seed" and shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "8", str(pdf), str(ARTIFACTS / "handbook-seed")],
                       check=True)


PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.mark.parametrize("name", ["seed", "loops"])
def test_every_word_of_the_handbook_lies_inside_its_page(tools, tmp_path, name: str) -> None:
    """No chart runs off the paper: a stage chart too wide to sit beside its lists goes across the page."""
    _src, pdf = _build(name, tmp_path)
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    outside = []
    for n, page in enumerate(PAGE.finditer(out), 1):
        width, height = float(page.group(1)), float(page.group(2))
        for m in BOX.finditer(page.group(3)):
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            if x0 < 0 or y0 < 0 or x1 > width - 5 or y1 > height:  # 5 pt: inside the paper, not at its edge
                outside.append(f"page {n}: {m.group(5)!r} at x {x0:.0f}–{x1:.0f} of {width:.0f}")
    assert not outside, "\n".join(outside[:20])


def test_the_measure_finds_small_text(tools, tmp_path) -> None:
    """The same measure on a PDF with 5 pt text reports 5 pt (so the test above can fail)."""
    from weasyprint import HTML

    pdf = tmp_path / "small.pdf"
    HTML(string='<p style="font: 5pt \'DejaVu Sans\'">tiny words</p><p style="font: 9.5pt \'DejaVu Sans\'">body</p>').write_pdf(pdf)
    sizes = {text: round(size, 1) for size, text in words(pdf)[0]}
    assert sizes == {"tiny": 5.0, "words": 5.0, "body": 9.5}
