"""Emoji and symbols print with a real glyph (Symbola, scripts/install-system-deps.sh), not an empty box."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fakes import fake_layout

from generator.core import pipeline
from generator.pdf import handbook

FIXTURE = Path(__file__).parents[1] / "fixtures" / "text" / "markdown-looking.yaml"

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler's pdffonts")


def test_an_emoji_in_a_fact_value_is_printed_with_the_symbol_font(tmp_path: Path) -> None:
    pathway = pipeline.check_file(FIXTURE).pathway
    assert pathway is not None and "🙂" in pathway.stages[0].facts[2].value
    svg = fake_layout(["x"], id_prefixes=["x"])[0]
    html = handbook.print_html(pathway, handbook.Diagrams(svg, False, {s.id: svg for s in pathway.stages}), built=None)
    out = tmp_path / "h.pdf"
    handbook.write_pdf(html, out)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Symbola" in fonts
