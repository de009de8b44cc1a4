"""Shared test fixtures: paths into the repository and small helpers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import os

import pytest
from hypothesis import HealthCheck, settings

# Property tests run the same examples on every run by default
# (derandomize), so CI can't fail on a new random example that no one saw
# locally.  HYPOTHESIS_PROFILE=explore searches new examples; run it when
# changing the loader, the escaping or the site.
settings.register_profile(
    "default", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def write_yaml(tmp_path):
    """Write dedented YAML text to a file in tmp_path and return its path."""

    def _write(text: str, name: str = "pathway.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return p

    return _write


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (tests/browsers.py), one per test module."""
    from playwright.sync_api import sync_playwright

    from browsers import CHROMIUM, FLAGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()
