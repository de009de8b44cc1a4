"""The library's PDFs (generator.pdf.library_index): the index as HTML, and handbooks built in parallel."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import threading
from pathlib import Path

import pytest

from generator.core.library import check_library
from generator.pdf.library_index import build_handbooks, index_html

FIXTURE = Path(__file__).parents[1] / "fixtures" / "library"
PLAIN = Path(__file__).parents[1] / "fixtures" / "library-plain"  # no links between pathways (handbooks need librender)
TODAY = _dt.date(2026, 12, 2)


def test_the_index_lists_every_pathway_with_dates_that_say_what_they_are():
    result = check_library(FIXTURE, today=TODAY)
    html = index_html(result, today=TODAY, handbook=lambda pid: f"{pid}/pathway.pdf", site_url="https://x.test/lib")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert "<title>Spinal services (test library): library index</title>" in html
    assert '<th scope="col">Last reviewed</th><th scope="col">Next review</th>' in html
    assert '<span class="overdue">10 January 2026 (overdue)</span>' in html
    assert "https://x.test/lib/injections/pathway.pdf" in html
    assert html.index("Back pain triage") < html.index("Facet joint injections") < html.index("Spinal surgery")
    assert "Review states are as of 2 December 2026" in html


def test_the_index_escapes_pathway_text():
    result = check_library(FIXTURE, today=TODAY)
    lib = dataclasses.replace(result.library, title="<script>x</script>")
    hostile = dataclasses.replace(result, library=lib)
    html = index_html(hostile, today=TODAY, handbook=lambda pid: f"{pid}/pathway.pdf")
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.dot
@pytest.mark.slow
def test_handbooks_built_in_parallel_are_the_serial_ones_byte_for_byte(tmp_path):
    pathways = check_library(PLAIN, today=TODAY).pathways
    digests = {}
    for run, workers in (("serial", 1), ("fork", 2), ("spawn", 2)):
        jobs = [(p, str(tmp_path / run / p.id / "pathway.pdf")) for p in pathways]
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)  # a second thread alive: the pool spawns (as under `serve`)
        if run == "spawn":
            other.start()
        try:
            counts = build_handbooks(jobs, source_date_epoch="1796169600", cache_dir=tmp_path / "cache", workers=workers)
        finally:
            stop.set()
        assert len(counts) == 3 and all(n >= 1 for n in counts)
        digests[run] = [hashlib.sha256(Path(out).read_bytes()).hexdigest() for _, out in jobs]
    assert digests["serial"] == digests["fork"] == digests["spawn"]
