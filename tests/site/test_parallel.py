"""Rendering on every core (generator/site/parallel.py): same results, in order, errors as messages."""

from __future__ import annotations

import os
import threading

import pytest

from generator.site import parallel
from generator.site.pages import SiteError


@pytest.fixture
def one_thread(monkeypatch):
    """As in a `pathway build`: no other thread (an earlier test of the suite may leave one running)."""
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_results_come_back_in_order_and_from_other_processes(one_thread) -> None:
    got = parallel.map_ordered(lambda i: (i * i, os.getpid()), 40, workers=2)
    assert [v for v, _ in got] == [i * i for i in range(40)]
    assert {pid for _, pid in got} != {os.getpid()}  # the work was done in worker processes


def test_a_site_error_in_a_worker_is_raised_again_with_its_message(one_thread) -> None:
    def fn(i: int) -> int:
        if i == 17:
            raise SiteError("triage.yaml:3:5: a page cannot be rendered")
        return i

    with pytest.raises(SiteError, match="triage.yaml:3:5: a page cannot be rendered"):
        parallel.map_ordered(fn, 30, workers=2)


def test_with_other_threads_running_the_work_stays_in_this_process() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)  # as mkdocs serve's file watcher: forking could copy a held lock
    t.start()
    try:
        got = parallel.map_ordered(lambda i: os.getpid(), 20, workers=2)
    finally:
        stop.set()
        t.join()
    assert set(got) == {os.getpid()}


def test_a_few_items_are_not_worth_processes() -> None:
    assert set(parallel.map_ordered(lambda i: os.getpid(), parallel.MIN_ITEMS - 1, workers=2)) == {os.getpid()}
