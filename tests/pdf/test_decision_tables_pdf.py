"""The handbook prints each computable decision's table on the decision's page, and the data dictionary."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from generator.core.pipeline import check_file
from generator.render import presentation as pres

REPO = Path(__file__).resolve().parents[2]
DECISIONS = REPO / "tests" / "fixtures" / "decisions" / "pathway.yaml"
EPOCH = "1790000000"

pytestmark = [pytest.mark.dot, pytest.mark.slow]


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def handbook(tmp_path_factory):
    for tool in ("dot", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")
    out = tmp_path_factory.mktemp("pdf") / "decisions.pdf"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["pdf", str(DECISIONS), "-o", str(out)]) == 0
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True).stdout
    pages = [_squash(p) for p in text.decode("utf-8").split("\f")[:-1]]
    p = check_file(DECISIONS).pathway
    assert p is not None
    return p, pages


def _page_of(pages: list[str], needle: str) -> int:
    hits = [i for i, t in enumerate(pages) if needle in t]
    assert hits, needle
    return hits[0]


def _table_page(p, pages: list[str], stage_id: str) -> str:
    """The text of the page that prints the decision's table: its own page, or the next when the table
    did not fit below the stage's head (the table is kept whole, print.css)."""
    stage = p.stage_by_id[stage_id]
    at = _page_of(pages, f"DECISION {_squash(stage.title)} Where this stage sits")
    here = pages[at].split(f"DECISION {_squash(stage.title)} Where this stage sits", 1)[1]
    if "Decision table" in here:
        return here
    if at + 1 < len(pages) and "Decision table" in pages[at + 1]:
        return pages[at + 1]
    raise AssertionError(f"no decision table for {stage_id} on page {at + 1} or the next")


def test_each_decision_table_is_printed_whole_after_its_decisions_head(handbook):
    p, pages = handbook
    tables = [t for t in (pres.decision_table(p, s) for s in p.stages) if t is not None]
    assert {t.stage_id for t in tables} == {"imaging", "mbb", "rfa-review"}
    for table in tables:
        # Small tables are never split: heading, every row and the note are on one page.
        page = _table_page(p, pages, table.stage_id)
        for col in table.columns:
            assert _squash(col.label) in page, (table.stage_id, col.label)
        for row in table.rows:
            for piece in (row.cells or (row.condition,)):
                # pdftotext may drop the narrow spaces of a short cell ('= 0 %' reads '=0%').
                assert piece.replace(" ", "") in page.replace(" ", ""), (table.stage_id, piece)
        assert table.order_note in page


def test_the_first_match_table_says_so_and_shows_the_whole_condition(handbook):
    p, pages = handbook
    page = _table_page(p, pages, "rfa-review")
    assert "the first row that applies is the one taken" in page
    assert "Response to RFA: too-early or Time since the RFA: < 2 weeks" in page
    assert "≥ 50 %" in _table_page(p, pages, "mbb")


def test_the_data_dictionary_lists_every_input(handbook):
    p, pages = handbook
    start = next(i for i, t in enumerate(pages) if t.startswith("Data dictionary") or " Data dictionary The inputs" in t)
    text = " ".join(pages[start:])
    assert "Data dictionary" in pages[1]  # the contents page
    for entry in pres.data_dictionary(p):
        assert _squash(entry.label) in text and entry.id in text and entry.allowed in text, entry.id
