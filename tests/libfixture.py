"""The fixture library (tests/fixtures/library) with a computable decision leading into another pathway."""

from __future__ import annotations

import shutil
from pathlib import Path

LIB = Path(__file__).parent / "fixtures" / "library"

INPUTS = """inputs:
  - id: relief
    label: Pain relief after the injection
    type: number
    unit: "%"
    range: [0, 100]
"""


def computable_copy(tmp: Path) -> Path:
    """A copy of the library whose injections 'review' decides from an input: relief >= 50 % stays, else surgery."""
    out = tmp / "lib"
    shutil.copytree(LIB, out)
    inj = out / "injections.yaml"
    text = inj.read_text()
    text = text.replace("        when: Relief\n", "        when: Relief\n        if: relief >= 50 %\n")
    text = text.replace("        when: No relief, severe\n", "        when: No relief, severe\n        if: otherwise\n")
    inj.write_text(text.replace("start: assess\n", INPUTS + "start: assess\n"))
    return out
