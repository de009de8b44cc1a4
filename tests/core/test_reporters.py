"""Reporters: text, GitHub annotations, JSON."""

from __future__ import annotations

import json

from generator.core import reporters
from generator.core.model import Location, Problem, Severity

P1 = Problem(Severity.ERROR, "unknown-stage", "next → 'x' names no stage", Location("pathway.yaml", 42, 7))
P2 = Problem(Severity.WARNING, "dead-end", "100% stuck,\nreally: yes", Location("dir,a:b/p.yaml", 3, 1))


def test_text_format_exact() -> None:
    assert reporters.format_text([P1]) == "pathway.yaml:42:7: error: next → 'x' names no stage [unknown-stage]\n"
    assert reporters.format_text([]) == ""


def test_text_colour_only_when_asked() -> None:
    plain = reporters.format_text([P1, P2])
    coloured = reporters.format_text([P1, P2], colour=True)
    assert "\033[" not in plain and "\033[1;31merror" in coloured and "\033[1;33mwarning" in coloured


def test_summary_line() -> None:
    assert reporters.summary_line([]) == "no problems"
    assert reporters.summary_line([P1]) == "1 error"
    assert reporters.summary_line([P1, P1, P2]) == "2 errors, 1 warning"
    assert reporters.summary_line([P2, P2]) == "2 warnings"


def test_github_annotations_escape_data_and_properties() -> None:
    out = reporters.format_github([P1, P2]).splitlines()
    assert out[0] == "::error file=pathway.yaml,line=42,col=7,title=unknown-stage::next → 'x' names no stage"
    # ',' and ':' in a property and '%' / newline in the message must not break the command
    # (a line break is shown as a visible \n, like in the text format).
    assert out[1] == "::warning file=dir%2Ca%3Ab/p.yaml,line=3,col=1,title=dead-end::100%25 stuck,\\nreally: yes"
    assert len(out) == 2


def test_json_is_a_stable_list() -> None:
    data = json.loads(reporters.format_json([P1, P2]))
    assert list(data[0]) == ["severity", "rule", "message", "file", "line", "col"]
    assert data[0] == {
        "severity": "error",
        "rule": "unknown-stage",
        "message": "next → 'x' names no stage",
        "file": "pathway.yaml",
        "line": 42,
        "col": 7,
    }
    assert data[1]["severity"] == "warning"
    assert json.loads(reporters.format_json([])) == []
    assert reporters.format_json([P1]) == reporters.format_json([P1])
