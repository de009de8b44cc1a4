"""Honest dates: the handbook's own date is the real build day ("Built …") or SOURCE_DATE_EPOCH ("Source dated …").

Never a date derived from the pathway's review, approval or history dates: the
fixture's dates all differ from any build date, so a handbook that printed one
of them as its own date would be caught.  Every page's footer is read back
from the real PDF (``pdftotext -layout``, one page at a time).
"""

from __future__ import annotations

import datetime as _dt
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.builddate import BuildDate
from generator.core.pipeline import check_file
from generator.pdf import handbook as pdf
from generator.render import presentation as pres

REPO = Path(__file__).resolve().parents[2]
DATED = REPO / "tests" / "fixtures" / "pdf" / "dated.yaml"
EPOCH = "1790000000"  # 21 September 2026
PATHWAY_DATES = ("3 March 2026", "4 April 2026", "5 May 2099", "6 June 2026")

needs_tools = pytest.mark.skipif(
    not (shutil.which("dot") and shutil.which("pdftotext") and shutil.which("pdfinfo")), reason="needs dot and poppler"
)


def _pages(path: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [
        subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-"],
                       capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]


def _first_page_in_reading_order(path: Path) -> str:
    """Page 1 without ``-layout``: a wrapped table label ("Handbook / source dated") reads as one phrase."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def _footer(page_text: str) -> str:
    lines = [ln for ln in page_text.splitlines() if ln.strip()]
    return " ".join(lines[-1].split())


def _build(out: Path, monkeypatch: pytest.MonkeyPatch, epoch: str | None) -> None:
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(["pdf", str(DATED), "-o", str(out)]) == 0


def _today_utc() -> _dt.date:
    return _dt.datetime.now(_dt.timezone.utc).date()


@needs_tools
@pytest.mark.dot
def test_without_source_date_epoch_every_page_says_built_today(tmp_path, monkeypatch):
    before = _today_utc()
    _build(tmp_path / "h.pdf", monkeypatch, None)
    after = _today_utc()
    labels = {f"Built {pres.format_date(d)}" for d in (before, after)}  # a build across midnight may say either
    pages = _pages(tmp_path / "h.pdf")
    for n, text in enumerate(pages, start=1):
        footer = _footer(text)
        assert any(label in footer for label in labels), f"page {n} footer: {footer!r}"
        assert "Source dated" not in footer
        for d in PATHWAY_DATES:
            assert d not in footer, f"page {n} footer carries the pathway date {d}"
    flat = _first_page_in_reading_order(tmp_path / "h.pdf")
    assert any(f"Handbook built {label[6:]}" in flat for label in labels)  # the document-control row
    # The pathway's own dates are still shown, under their own names.
    assert "Last reviewed 4 April 2026" in flat and "Approved on 3 March 2026" in flat
    closing = " ".join(pages[-1].split())
    assert any(f"{label} (UTC)" in closing for label in labels)


@needs_tools
@pytest.mark.dot
def test_with_source_date_epoch_every_page_says_source_dated(tmp_path, monkeypatch):
    _build(tmp_path / "h.pdf", monkeypatch, EPOCH)
    pages = _pages(tmp_path / "h.pdf")
    for n, text in enumerate(pages, start=1):
        footer = _footer(text)
        assert "Source dated 21 September 2026" in footer, f"page {n} footer: {footer!r}"
        assert "Built" not in footer
    flat = _first_page_in_reading_order(tmp_path / "h.pdf")
    assert "Handbook source dated 21 September 2026" in flat
    closing = " ".join(pages[-1].split())
    assert "Source dated 21 September 2026: the date of that source" in closing
    # Reproducible: the same source date gives the same bytes.
    _build(tmp_path / "again.pdf", monkeypatch, EPOCH)
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "h.pdf").read_bytes()


def test_build_date_is_the_clock_or_the_epoch_never_the_pathway():
    clock = _dt.datetime(2026, 12, 2, 9, 0, tzinfo=_dt.timezone.utc)
    assert pdf.build_date(None, now=clock) == BuildDate(clock, False)
    assert pdf.build_date("", now=clock) == BuildDate(clock, False)
    assert pdf.build_date("0", now=clock) == BuildDate(_dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc), True)
    with pytest.raises(pdf.PdfError, match="whole number of seconds"):
        pdf.build_date("yesterday")


def test_print_html_labels_the_date_for_what_it_is():
    pathway = check_file(DATED).pathway
    svg = '<svg width="10pt" height="10pt" viewBox="0 0 10 10"></svg>'
    diagrams = pdf.Diagrams(svg, False, {s.id: svg for s in pathway.stages})
    when = _dt.datetime(2026, 12, 2, 9, 5, 7, tzinfo=_dt.timezone.utc)
    built = pdf.print_html(pathway, diagrams, built=BuildDate(when, False))
    assert "Uncontrolled when printed · Built 2 December 2026" in built
    assert '<meta name="dcterms.created" content="2026-12-02T09:05:07Z">' in built
    assert "Source dated" not in built
    dated = pdf.print_html(pathway, diagrams, built=BuildDate(when, True))
    assert "Uncontrolled when printed · Source dated 2 December 2026" in dated
    assert "Built 2 December" not in dated
    # No date at all (a caller that passes none) prints none, rather than inventing one.
    undated = pdf.print_html(pathway, diagrams, built=None)
    assert "Built" not in undated and "Source dated" not in undated and "dcterms.created" not in undated
