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


# -- Background: the work goes on in other processes while this one does something else --------------


def test_background_results_come_from_other_processes_in_any_order_asked(one_thread) -> None:
    work = parallel.Background(lambda i: (i * 3, os.getpid()), 20, workers=2)
    try:
        asked = [19, 0, 7, 7, 3]
        got = [work.result(i) for i in asked]
    finally:
        work.close()
    assert [v for v, _ in got] == [i * 3 for i in asked]
    assert os.getpid() not in {pid for _, pid in got}


def test_background_error_is_raised_where_its_item_is_asked_for(one_thread) -> None:
    def fn(i: int) -> int:
        if i == 11:
            raise SiteError("cardio.yaml:9:3: could not draw the flowcharts")
        return i

    work = parallel.Background(fn, 16, workers=1)
    try:
        assert work.result(10) == 10  # the others are unaffected
        with pytest.raises(SiteError, match="cardio.yaml:9:3: could not draw the flowcharts"):
            work.result(11)
    finally:
        work.close()


def test_background_without_fork_computes_everything_at_once_and_raises_there() -> None:
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)  # as mkdocs serve's file watcher
    t.start()
    try:
        calls: list[int] = []
        work = parallel.Background(lambda i: calls.append(i) or os.getpid(), 12, workers=2)
        assert calls == list(range(12))  # before any result is asked for
        assert work.result(5) == os.getpid()

        def bad(i: int) -> int:
            raise SiteError("a.yaml:1:1: no")

        with pytest.raises(SiteError, match="a.yaml:1:1: no"):
            parallel.Background(bad, 12)
    finally:
        stop.set()
        t.join()


def test_background_close_cancels_the_work_not_started(one_thread, tmp_path) -> None:
    import time

    def fn(i: int) -> int:
        time.sleep(0.2)
        (tmp_path / f"done-{i}").write_text("")
        return i

    work = parallel.Background(fn, 40, workers=1)
    assert work.result(0) == 0
    work.close()
    done = len(list(tmp_path.glob("done-*")))
    assert 1 <= done < 40  # a failed build does not wait for charts nobody will see
