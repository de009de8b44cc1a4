"""`pathway serve` never goes silent: a broken file shows its problems in the browser, a fixed one the real page.

The server runs in a subprocess on a free port, on a copy of a fixture; it is always killed in teardown.
Every request has a timeout: a page that hangs (as MkDocs' server does after a failed rebuild) fails the test.
"""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.core import pipeline

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "pathways" / "no-groups.yaml"
REQUEST_TIMEOUT = 15  # seconds; a page that takes longer counts as hanging
WAIT = 120  # seconds to wait for a rebuild under a busy test run before giving up

pytestmark = [pytest.mark.slow, pytest.mark.dot]


@dataclass
class Served:
    url: str
    file: Path
    proc: subprocess.Popen
    log: Path

    def get(self, path: str = "") -> tuple[int, str]:
        """Status and text of a page; raises on a timeout, so a hanging page fails the test."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=REQUEST_TIMEOUT) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def wait_for(self, path: str, ok: Callable[[str], bool], what: str) -> str:
        """Fetch ``path`` until ``ok(text)``: the rebuild after a save takes a moment."""
        deadline = time.monotonic() + WAIT
        text = ""
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve exited: {self.log.read_text()}"
            status, text = self.get(path)
            if status == 200 and ok(text):
                return text
            time.sleep(0.3)
        raise AssertionError(f"never saw {what} at /{path}; last page:\n{text[:2000]}\nlog:\n{self.log.read_text()}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def served(tmp_path) -> Iterator[Served]:
    file = tmp_path / "pathway.yaml"
    file.write_bytes(FIXTURE.read_bytes())
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(file), "-a", f"127.0.0.1:{port}"],
                                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        s = Served(f"http://127.0.0.1:{port}/", file, proc, log)
        deadline = time.monotonic() + WAIT
        while True:  # until the first build is served
            assert proc.poll() is None, f"serve exited: {log.read_text()}"
            try:
                if s.get()[0] == 200:
                    break
            except OSError:
                pass  # not listening yet
            assert time.monotonic() < deadline, f"serve never answered: {log.read_text()}"
            time.sleep(0.3)
        yield s
    finally:
        # The whole process group: serve and anything it started (dot).
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass  # already gone
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def _h1(text: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    return html.unescape(re.sub(r"<a class=\"headerlink\".*?</a>|<[^>]+>", "", m[1])).strip() if m else ""


def _problems_of(file: Path) -> list:
    result = pipeline.check_file(file, for_build=True, today=pipeline.today())
    assert result.has_errors()
    return list(result.problems)


def _shows(text: str, problems: list) -> None:
    """Each problem is on the page: its FILE:LINE:COL, its rule and its message, in plain words."""
    page = html.unescape(text)
    for p in problems:
        assert str(p.location) in page and f"[{p.rule}]" in page and p.message in page, (p, page[:3000])


def test_a_broken_file_shows_its_problems_on_every_page_and_the_fix_reloads_the_real_page(served):
    title = pipeline.check_file(FIXTURE).pathway.title
    first = next(iter(pipeline.check_file(FIXTURE).pathway.stage_by_id))
    stage_page = f"stages/{first}/"
    assert _h1(served.get()[1]) == title
    real_stage = served.get(stage_page)[1]
    assert "The pathway file has problems" not in real_stage

    good = served.file.read_text(encoding="utf-8")
    served.file.write_text(good.replace("- to: healing\n", "- to: healin\n", 1), encoding="utf-8")
    problems = _problems_of(served.file)
    assert any(p.rule == "unknown-stage" for p in problems)
    home = served.wait_for("", lambda t: _h1(t) == "The pathway file has problems", "the problems page")
    _shows(home, problems)
    # The page a reader had open shows them too (not a stale page, not a 404), and so does a hand-written page.
    for path in (stage_page, "about/"):
        status, text = served.get(path)
        assert status == 200 and _h1(text) == "The pathway file has problems", path
        _shows(text, problems)
    # The live-reload script is in the problems page, so the browser reloads by itself once fixed.
    assert "livereload(" in home

    served.file.write_text(good, encoding="utf-8")
    served.wait_for("", lambda t: _h1(t) == title, "the real home page again")
    assert _h1(served.get(stage_page)[1]) == _h1(real_stage)


def test_a_file_that_is_not_yaml_any_more_is_shown_too(served):
    """The worst case: no model at all (YAML syntax), then an empty file; the server stays up for both."""
    title = pipeline.check_file(FIXTURE).pathway.title
    served.file.write_text("stages: [\n  - id: a\n", encoding="utf-8")
    problems = _problems_of(served.file)
    _shows(served.wait_for("", lambda t: _h1(t) == "The pathway file has problems", "the problems page"), problems)
    served.file.write_text("", encoding="utf-8")
    problems = _problems_of(served.file)
    served.wait_for("", lambda t: all(f"[{p.rule}]" in t for p in problems), "the empty-file problem")
    served.file.write_bytes(FIXTURE.read_bytes())
    served.wait_for("", lambda t: _h1(t) == title, "the real home page again")


@pytest.mark.chromium
def test_the_open_browser_tab_reloads_to_the_problems_and_back(served):
    from playwright.sync_api import sync_playwright

    title = pipeline.check_file(FIXTURE).pathway.title
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.set_default_timeout(WAIT * 1000)
            page.goto(served.url)
            assert page.locator("h1").first.inner_text().strip().rstrip("¶").strip() == title
            good = served.file.read_text(encoding="utf-8")
            served.file.write_text(good.replace("- to: healing\n", "- to: healin\n", 1), encoding="utf-8")
            # No navigation by the test: live reload brings the problems into the open tab.
            page.locator("h1", has_text="The pathway file has problems").wait_for()
            assert "[unknown-stage]" in page.locator("article").inner_text()
            (REPO / "test-artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(REPO / "test-artifacts" / "serve-problems.png"))
            served.file.write_text(good, encoding="utf-8")
            page.locator("h1", has_text=title).wait_for()
        finally:
            browser.close()


@pytest.mark.parametrize("addr", ["127.0.0.1:70000", "127.0.0.1:0", "8000", "localhost:abc"])
def test_a_bad_address_is_a_usage_error_not_an_internal_one(addr, capsys):
    from generator.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["serve", "-a", addr])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "is not an address like 127.0.0.1:8000" in err and "internal error" not in err
