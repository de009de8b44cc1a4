"""`pathway review`: the pure review_status function and the command around it."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from generator.core.model import Governance, Pathway, Stage
from generator.core.governance import State, date_status, review_status

TODAY = dt.date(2026, 6, 1)


def make_pathway(**gov) -> Pathway:
    return Pathway(
        id="chest-pain",
        title="Chest pain",
        version="1.2.0",
        status="active",
        start="triage",
        stages=(Stage(id="triage", title="Triage", kind="assessment"),),
        governance=Governance(**gov),
    )


# --- date_status: the boundaries ------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "state"),
    [
        (-400, State.OVERDUE),
        (-1, State.OVERDUE),
        (0, State.DUE),  # due today is due, not overdue
        (1, State.DUE),
        (90, State.DUE),  # the window is inclusive
        (91, State.OK),
        (3650, State.OK),
    ],
)
def test_date_status_boundaries(offset: int, state: State) -> None:
    st = date_status(TODAY + dt.timedelta(days=offset), TODAY, 90)
    assert st.state is state
    assert st.days_left == offset


def test_date_status_missing_date() -> None:
    st = date_status(None, TODAY, 90)
    assert st.state is State.NO_DATE
    assert st.days_left is None and st.date is None


def test_zero_window_means_only_today_or_past_is_due() -> None:
    assert date_status(TODAY, TODAY, 0).state is State.DUE
    assert date_status(TODAY + dt.timedelta(days=1), TODAY, 0).state is State.OK


def test_negative_window_is_rejected() -> None:
    with pytest.raises(ValueError, match="0 days or more"):
        review_status(make_pathway(), TODAY, -1)


# --- review_status -----------------------------------------------------------------


def test_far_review_is_ok() -> None:
    st = review_status(make_pathway(next_review=dt.date(2027, 6, 1), expires=dt.date(2028, 1, 1)), TODAY, 90)
    assert st.review.state is State.OK and st.review.days_left == 365
    assert st.expires.state is State.OK
    assert st.state is State.OK
    assert not st.needs_attention


def test_review_due_soon_needs_attention() -> None:
    st = review_status(make_pathway(next_review=dt.date(2026, 7, 1)), TODAY, 90)
    assert st.review.state is State.DUE and st.review.days_left == 30
    assert st.needs_attention
    assert st.state is State.DUE
    assert "DUE SOON" in st.lines()[0] and "2026-07-01" in st.lines()[0] and "in 30 days" in st.lines()[0]


def test_overdue_review() -> None:
    st = review_status(make_pathway(next_review=dt.date(2026, 5, 31)), TODAY, 90)
    assert st.review.state is State.OVERDUE and st.review.days_left == -1
    assert st.state is State.OVERDUE
    assert st.lines()[0] == "OVERDUE: the review was due on 2026-05-31 (1 day ago)."


def test_expiry_alone_can_need_attention() -> None:
    st = review_status(make_pathway(next_review=dt.date(2027, 6, 1), expires=dt.date(2026, 5, 1)), TODAY, 90)
    assert st.review.state is State.OK
    assert st.expires.state is State.OVERDUE
    assert st.needs_attention
    assert st.state is State.OVERDUE  # the worse of the two
    assert st.lines()[1].startswith("EXPIRED: the pathway expired on 2026-05-01 (31 days ago)")


def test_missing_dates_do_not_trigger_a_reminder() -> None:
    st = review_status(make_pathway(), TODAY, 90)
    assert st.state is State.NO_DATE
    assert not st.needs_attention
    assert "governance.next_review" in st.lines()[0]


def test_window_changes_the_verdict() -> None:
    pw = make_pathway(next_review=dt.date(2026, 8, 1))  # 61 days away
    assert review_status(pw, TODAY, 90).needs_attention
    assert not review_status(pw, TODAY, 30).needs_attention


def test_to_dict_is_json_ready() -> None:
    st = review_status(
        make_pathway(next_review=dt.date(2026, 7, 1), last_reviewed=dt.date(2025, 7, 1), owner="Dr A. Lead"),
        TODAY,
        90,
    )
    d = json.loads(json.dumps(st.to_dict()))
    assert d["pathway"] == "chest-pain"
    assert d["today"] == "2026-06-01"
    assert d["state"] == "due"
    assert d["needs_attention"] is True
    assert d["review"] == {"date": "2026-07-01", "days_left": 30, "state": "due"}
    assert d["expires"] == {"date": None, "days_left": None, "state": "no-date"}
    assert d["last_reviewed"] == "2025-07-01"
    assert d["owner"] == "Dr A. Lead"
    assert len(d["messages"]) == 2


# --- the command, in-process ------------------------------------------------------------

PATHWAY_YAML = """\
format: 1
id: chest-pain
title: Chest pain
version: 1.2.0
status: active
start: triage
governance:
  owner: Dr A. Lead
  last_reviewed: 2025-07-01
  next_review: {next_review}
  expires: 2028-01-01
history:
  - version: 1.2.0
    date: 2025-07-01
    summary: First published version.
stages:
  - id: triage
    title: Triage
    kind: assessment
    summary: Assess the patient.
"""

# 2026-06-01T00:00:00Z
EPOCH_2026_06_01 = str(int(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc).timestamp()))


@pytest.fixture
def cli(monkeypatch):
    from generator.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH_2026_06_01)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return main


def test_cli_ok_exits_0(cli, write_yaml, capsys) -> None:
    f = write_yaml(PATHWAY_YAML.format(next_review="2027-06-01"))
    assert cli(["review", str(f)]) == 0
    out = capsys.readouterr().out
    assert "OK: the next review is due on 2027-06-01 (in 365 days)" in out
    assert "as of 2026-06-01" in out


def test_cli_due_exits_1(cli, write_yaml, capsys) -> None:
    f = write_yaml(PATHWAY_YAML.format(next_review="2026-07-01"))
    assert cli(["review", str(f), "--within", "90"]) == 1
    out = capsys.readouterr().out
    assert "DUE SOON" in out and "Dr A. Lead should arrange a review" in out


def test_cli_within_narrows_the_window(cli, write_yaml) -> None:
    f = write_yaml(PATHWAY_YAML.format(next_review="2026-07-01"))
    assert cli(["review", str(f), "--within", "29"]) == 0


def test_cli_json(cli, write_yaml, capsys) -> None:
    f = write_yaml(PATHWAY_YAML.format(next_review="2026-05-01"))
    assert cli(["review", str(f), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "overdue"
    assert data["needs_attention"] is True
    assert data["review"]["days_left"] == -31
    assert data["version"] == "1.2.0"


def test_cli_missing_file_is_usage_error(cli, tmp_path, capsys) -> None:
    assert cli(["review", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err
    assert "Traceback" not in err


def test_cli_negative_window_is_usage_error(cli, write_yaml, capsys) -> None:
    f = write_yaml(PATHWAY_YAML.format(next_review="2027-06-01"))
    assert cli(["review", str(f), "--within", "-5"]) == 2
    assert "--within must be 0 or more" in capsys.readouterr().err


def test_cli_unreadable_yaml_exits_1_with_a_message(cli, write_yaml, capsys) -> None:
    f = write_yaml("id: [unclosed\n")
    assert cli(["review", str(f)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(f) in err


def test_help_documents_exit_codes(capsys) -> None:
    from generator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["review", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "--within" in out and "examples:" in out
