"""SOURCE_DATE_EPOCH: one reading for checks, site and PDF; a malformed value is a clear error everywhere."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core import pipeline
from generator.core.builddate import BuildDate, SourceDateEpochError, build_date, source_date_epoch

REPO = Path(__file__).resolve().parents[2]


def test_whole_seconds_are_read_as_utc() -> None:
    assert source_date_epoch("1767225600") == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert source_date_epoch(" 0 ") == dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def test_unset_or_empty_means_no_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch() is None
    assert source_date_epoch("  ") is None
    before = dt.datetime.now(dt.timezone.utc).date()
    today = pipeline.today()
    assert before <= today <= dt.datetime.now(dt.timezone.utc).date()  # the real day, in UTC


@pytest.mark.parametrize("value", ["yesterday", "1.5", "1e9", "99999999999999999999", "-99999999999999"])
def test_malformed_is_an_error_that_says_what_to_write(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceDateEpochError, match="whole number of seconds"):
        source_date_epoch(value)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(SourceDateEpochError):
        pipeline.today()


def test_a_huge_value_is_not_echoed_whole() -> None:
    with pytest.raises(SourceDateEpochError) as info:
        source_date_epoch("9" * 10_000)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("command", ["validate", "generate", "review", "pdf"])
def test_every_command_reports_it_as_a_usage_error(command: str, tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "yesterday", "NO_COLOR": "1"}
    args = [sys.executable, "-m", "generator", command, str(REPO / "pathway.yaml")]
    if command in ("generate", "pdf"):
        args += ["-o", str(tmp_path / "out")]
    r = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_build_date_says_whether_it_is_the_clock_or_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = dt.datetime(2026, 12, 2, 0, 30, 15, 999, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    # The clock is read in UTC (00:30 at UTC+5 is still 1 December in UTC), to the second.
    assert build_date(now=clock) == BuildDate(dt.datetime(2026, 12, 1, 19, 30, 15, tzinfo=dt.timezone.utc), False)
    assert build_date("", now=clock).from_source is False
    assert build_date("1767225600", now=clock) == BuildDate(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert build_date(now=clock).from_source is True
