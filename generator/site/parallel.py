"""Render the pathways of a library on every core: whole pathways per worker process.

``map_ordered`` waits for all of them; ``Background`` computes them in worker processes while this
process goes on with other work (the plugin draws the flowcharts while MkDocs converts the pages).

Rendering a pathway (its pages, its flowcharts through ``dot``) is independent of the
others, so a library of 200 pathways is split over one process per CPU.  The workers are
forked, so they share the checked library without copying it; each sends back its pages
as bytes.  Where forking is not safe (a process with other threads, such as ``mkdocs
serve``'s file watcher, or a platform without fork) the pathways are rendered one after
another in this process: the same bytes, only slower.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, TypeVar

from generator.core.errors import PathwayError

T = TypeVar("T")

#: Fewer items than this are not worth starting processes for.
MIN_ITEMS = 8

_JOB: Callable | None = None  # the function the forked workers run (inherited, never pickled)
_BACKGROUND_JOB: Callable | None = None  # the same for Background's workers


def _run(i: int) -> tuple[bool, Any]:
    assert _JOB is not None
    try:
        return True, _JOB(i)
    except PathwayError as exc:  # a user-facing message: sent back as text, raised again in the parent
        return False, (type(exc), str(exc))


def _run_background(i: int) -> tuple[bool, Any]:
    assert _BACKGROUND_JOB is not None
    try:
        return True, _BACKGROUND_JOB(i)
    except PathwayError as exc:
        return False, (type(exc), str(exc))


def _can_fork() -> bool:
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _unwrap(ok: bool, value: Any) -> Any:
    if ok:
        return value
    kind: type[PathwayError] = value[0]
    message: str = value[1]
    try:
        raise kind(message)
    except TypeError:  # an error class whose constructor wants more than a message
        raise PathwayError(message) from None


class Background:
    """``fn(0)``, …, ``fn(n - 1)`` computed in forked worker processes while this process goes on.

    ``result(i)`` waits for item ``i`` (a ``PathwayError`` of ``fn`` is raised again there).  Items are
    started in order, so a caller that asks for them in order rarely waits.  Where forking is not safe,
    or ``n`` is too small to be worth it, every item is computed here at once, so errors are raised by
    the constructor: the same results, only not alongside.  ``close()`` stops what has not started.
    """

    def __init__(self, fn: Callable[[int], T], n: int, *, workers: int | None = None) -> None:
        self._results: dict[int, Any] = {}
        self._futures: list = []
        self._pool: ProcessPoolExecutor | None = None
        count = min(n, workers or max(1, (os.cpu_count() or 1) - 1))
        if n < MIN_ITEMS or not _can_fork():
            self._results = {i: fn(i) for i in range(n)}
            return
        global _BACKGROUND_JOB
        _BACKGROUND_JOB = fn
        try:
            self._pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork"))
            self._futures = [self._pool.submit(_run_background, i) for i in range(n)]  # forks the workers
        finally:
            _BACKGROUND_JOB = None

    def result(self, i: int) -> Any:
        if i not in self._results:
            self._results[i] = _unwrap(*self._futures[i].result())
        return self._results[i]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def map_ordered(fn: Callable[[int], T], n: int, *, workers: int | None = None) -> list[T]:
    """``[fn(0), …, fn(n - 1)]`` in order, in forked worker processes when that can help.

    A ``PathwayError`` raised by ``fn`` (such as ``SiteError``) is raised again here, with its message.
    """
    count = min(n, workers or os.cpu_count() or 1)
    if count < 2 or n < MIN_ITEMS or not _can_fork():
        return [fn(i) for i in range(n)]
    global _JOB
    _JOB = fn
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork")) as pool:
            # Small chunks keep the workers evenly busy when pathways differ in size.
            outcomes = list(pool.map(_run, range(n), chunksize=max(1, n // (count * 8))))
    finally:
        _JOB = None
    return [_unwrap(ok, value) for ok, value in outcomes]
