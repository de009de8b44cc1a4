"""`pathway serve DIR` with a library folder: the catalogue and every pathway, a broken file shown in the
browser, and the fix rebuilding the site (as tests/cli/test_serve.py does for one file)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from cli.test_serve import REPO, WAIT, Served, _free_port, _h1

PLAIN = REPO / "tests" / "fixtures" / "library-plain"

pytestmark = [pytest.mark.slow, pytest.mark.dot]


def test_serve_a_library_shows_a_broken_file_and_rebuilds_once_fixed(tmp_path):
    folder = tmp_path / "pathways"
    shutil.copytree(PLAIN, folder)
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1764547200",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(folder), "-a", f"127.0.0.1:{port}"],
                                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        surgery = folder / "surgery.yaml"
        s = Served(f"http://127.0.0.1:{port}/", surgery, proc, log)
        deadline = time.monotonic() + WAIT
        while True:
            assert proc.poll() is None, f"serve exited: {log.read_text()}"
            try:
                if s.get()[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"serve never answered: {log.read_text()}"
            time.sleep(0.3)
        assert _h1(s.get()[1]) == "Spinal services (test library)"
        assert _h1(s.get("triage/stages/imaging/")[1]) == "Imaging"
        good = surgery.read_text(encoding="utf-8")
        surgery.write_text(good.replace("the other pathways.", "[[triage:nope]]."), encoding="utf-8")
        text = s.wait_for("triage/stages/imaging/", lambda t: "has problems" in _h1(t), "the problems page")
        assert "surgery.yaml:13:" in text and "triage:nope" in text
        surgery.write_text(good, encoding="utf-8")
        s.wait_for("", lambda t: _h1(t) == "Spinal services (test library)", "the catalogue again")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
