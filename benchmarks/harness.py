"""The timing harness: run a command in a fresh subprocess, time it, read its peak memory.

Every measurement is a fresh subprocess (wall clock, best of the repeats), and
its peak memory is that subprocess's own ``ru_maxrss`` from ``os.wait4`` (the
largest of it and the children it waited for, e.g. ``dot``).  Nothing here
raises on a failed run: a failure is a ``Sample`` with its exit code and output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PATHWAY = [PY, "-m", "generator"]
DEFAULT_SIZES = (10, 100, 300, 1000)
BUILD_RATIO_TARGET = 1.3
VALIDATE_TARGET_S = 1.0
PDF_TARGET_S = 60.0
PDF_TARGET_N = 100
WORST_TARGET_S = 1.0  # pathway validate of each worst-case shape at N = 5,000

@dataclass
class Sample:
    """One subprocess run: wall seconds, peak RSS in KB, exit code and output tails."""

    seconds: float | None
    maxrss_kb: int | None
    rc: int | None
    out: str = ""
    err: str = ""
    cpu_s: float | None = None  # user + system, of it and its waited-for children

    @property
    def ok(self) -> bool:
        return self.rc == 0


@dataclass
class Row:
    n: int
    step: str
    ours_s: float | None = None
    floor_s: float | None = None
    floor: str = "—"
    target: str = "—"
    ours_mb: float | None = None
    floor_mb: float | None = None
    ours_cpu: float | None = None
    floor_cpu: float | None = None
    notes: list[str] = field(default_factory=list)

    def set_ours(self, s: Sample) -> None:
        self.ours_s, self.ours_mb, self.ours_cpu = s.seconds, mb(s.maxrss_kb), s.cpu_s

    def set_floor(self, s: Sample) -> None:
        self.floor_s, self.floor_mb, self.floor_cpu = s.seconds, mb(s.maxrss_kb), s.cpu_s

    @property
    def ratio(self) -> float | None:
        if self.ours_s is None or not self.floor_s:
            return None
        return self.ours_s / self.floor_s

    @property
    def cpu_ratio(self) -> float | None:
        """Same ratio in CPU seconds: steadier than wall time on a busy machine."""
        if self.ours_cpu is None or not self.floor_cpu:
            return None
        return self.ours_cpu / self.floor_cpu


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: builds stay byte-stable
    env["NO_COLOR"] = "1"
    return env


def run_once(cmd: list[str], *, cwd: Path, stdin: Path | None = None, timeout: float = 1800) -> Sample:
    """Run ``cmd`` once; time it and read its own peak RSS with ``os.wait4``."""
    # Output goes to temporary files (a pipe could fill up and stall the child).
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(stdin if stdin else os.devnull, "rb") as inp:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, env=bench_env(), stdin=inp, stdout=out, stderr=err)
        except OSError as exc:
            return Sample(None, None, None, "", str(exc))
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)

        def tail(f) -> str:
            f.seek(0)
            return f.read().decode("utf-8", errors="replace")[-4000:]

        return Sample(seconds, int(usage.ru_maxrss), proc.returncode, tail(out), tail(err),
                      usage.ru_utime + usage.ru_stime)


def best_of(repeats: int, cmd: list[str], *, cwd: Path, before: Callable[[], None] | None = None,
            stdin: Path | None = None, ok_codes: tuple[int, ...] = (0,)) -> Sample:
    """Fastest of ``repeats`` runs (the least disturbed by the rest of the machine).

    ``before`` runs, untimed, ahead of each run (e.g. to empty a cache).  A run
    whose exit code is not in ``ok_codes`` is returned at once, so its error can be reported.
    """
    samples: list[Sample] = []
    for _ in range(max(1, repeats)):
        if before:
            before()
        samples.append(run_once(cmd, cwd=cwd, stdin=stdin))
        if samples[-1].rc not in ok_codes:
            return samples[-1]
    best = min(samples, key=lambda x: x.seconds or 0.0)
    best.maxrss_kb = max(x.maxrss_kb or 0 for x in samples)
    return best


def pick_best(samples: list[Sample]) -> Sample | None:
    """The first failure if any run failed, else the fastest run with the largest peak RSS seen."""
    if not samples:
        return None
    bad = [x for x in samples if not x.ok]
    if bad:
        return bad[0]
    best = min(samples, key=lambda x: x.seconds or 0.0)
    best.maxrss_kb = max(x.maxrss_kb or 0 for x in samples)
    return best


def failure(s: Sample, what: str) -> str:
    tail = (s.err.strip() or s.out.strip()).splitlines()[-1:] or [""]
    return f"{what} failed (exit {s.rc}): {tail[0][:200]}"


def mb(kb: int | None) -> float | None:
    return None if kb is None else kb / 1024


def rmtree(p: Path) -> None:
    shutil.rmtree(p, ignore_errors=True)
