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


# --- GitHub's annotation cap and the step summary -------------------------------------------


def _many(errors: int, warnings: int) -> list[Problem]:
    """A worst-case shape: far more problems of each kind than GitHub shows, interleaved."""
    out = []
    for i in range(max(errors, warnings)):
        if i < errors:
            out.append(Problem(Severity.ERROR, "unknown-stage", f"error {i}", Location("p.yaml", i + 1, 1)))
        if i < warnings:
            out.append(Problem(Severity.WARNING, "dead-end", f"warning {i}", Location("p.yaml", i + 1, 5)))
    return out


def test_github_annotations_stop_at_ten_of_each_kind_and_count_the_rest() -> None:
    problems = _many(errors=13, warnings=50)  # a 300-stage file emits 50 warnings
    lines = reporters.format_github(problems).splitlines()
    errors = [ln for ln in lines if ln.startswith("::error ")]
    warnings = [ln for ln in lines if ln.startswith("::warning ")]
    notices = [ln for ln in lines if ln.startswith("::notice ")]
    assert len(errors) == reporters.ANNOTATIONS_PER_KIND == 10 and len(warnings) == 10
    # The first of each kind, in file order, are the ones shown.
    assert errors[0].endswith("::error 0") and errors[-1].endswith("::error 9")
    assert warnings[-1].endswith("::warning 9")
    (notice,) = notices
    assert lines[-1] == notice  # the closing line
    assert "3 errors and 40 warnings more are not shown" in notice
    assert "all 63 problems" in notice and "step summary" in notice
    # Within GitHub's per-job cap too: 21 lines from this step.
    assert len(lines) == 21 <= 50


def test_github_annotations_under_the_cap_have_no_notice() -> None:
    lines = reporters.format_github(_many(errors=10, warnings=10)).splitlines()
    assert len(lines) == 20 and not any(ln.startswith("::notice") for ln in lines)
    one_more = reporters.format_github(_many(errors=11, warnings=0)).splitlines()
    assert one_more[-1].startswith("::notice ") and "1 error more" in one_more[-1]


def test_step_summary_lists_every_problem() -> None:
    problems = _many(errors=13, warnings=50)
    summary = reporters.format_github_summary(problems)
    assert summary.startswith("### pathway validate: 13 errors, 50 warnings\n")
    rows = [ln for ln in summary.splitlines() if ln.startswith("| ❌") or ln.startswith("| ⚠️")]
    assert len(rows) == 63
    assert r"p\.yaml\:50\:5" in summary and "warning 49" in summary
    assert reporters.format_github_summary([]) == "### pathway validate: no problems\n"


def test_step_summary_escapes_markdown_and_html_from_the_pathway() -> None:
    """A value quoted in a message cannot add a link, an image, HTML or a table cell to the summary."""
    hostile = Problem(Severity.ERROR, "unknown-stage",
                      "names '![x](https://evil.example/p.png) <img src=x> a|b [l](javascript:alert(1))' \x1b[31m",
                      Location("p.yaml", 1, 1))
    summary = reporters.format_github_summary([hostile])
    row = summary.splitlines()[-1]
    cells = row.strip("|").split(" | ")
    assert len(cells) == 4  # as in the header: the '|' in the value made no cell of its own
    message = cells[2]
    for ch in "![]()<>|:`*_&":
        for i, c in enumerate(message):
            if c == ch:
                assert message[i - 1] == "\\", f"unescaped {ch!r} in {message}"
    assert r"a\|b" in message
    assert "\x1b" not in summary and "https://" not in summary


def test_step_summary_stays_under_githubs_size_cap() -> None:
    problems = [Problem(Severity.WARNING, "dead-end", "x" * 900, Location("p.yaml", i, 1)) for i in range(1, 3001)]
    summary = reporters.format_github_summary(problems, budget=100_000)
    assert len(summary.encode("utf-8")) <= 100_000
    assert summary.rstrip().endswith("run 'pathway validate' to see them all.")
    shown = sum(ln.startswith("| ⚠️") for ln in summary.splitlines())
    assert f"and {3000 - shown:,} more" in summary
