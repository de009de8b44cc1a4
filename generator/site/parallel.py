"""Render the pathways of a library on every core: whole pathways per worker process.

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


def _run(i: int) -> tuple[bool, Any]:
    assert _JOB is not None
    try:
        return True, _JOB(i)
    except PathwayError as exc:  # a user-facing message: sent back as text, raised again in the parent
        return False, (type(exc), str(exc))


def map_ordered(fn: Callable[[int], T], n: int, *, workers: int | None = None) -> list[T]:
    """``[fn(0), …, fn(n - 1)]`` in order, in forked worker processes when that can help.

    A ``PathwayError`` raised by ``fn`` (such as ``SiteError``) is raised again here, with its message.
    """
    count = min(n, workers or os.cpu_count() or 1)
    if count < 2 or n < MIN_ITEMS or threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(i) for i in range(n)]
    global _JOB
    _JOB = fn
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork")) as pool:
            # Small chunks keep the workers evenly busy when pathways differ in size.
            outcomes = list(pool.map(_run, range(n), chunksize=max(1, n // (count * 8))))
    finally:
        _JOB = None
    out: list[T] = []
    for ok, value in outcomes:
        if not ok:
            kind: type[PathwayError] = value[0]
            message: str = value[1]
            try:
                raise kind(message)
            except TypeError:  # an error class whose constructor wants more than a message
                raise PathwayError(message) from None
        out.append(value)
    return out
