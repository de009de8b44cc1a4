"""Browser-test helpers for the site: a folder served on localhost, and the seed site built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from serving import serve_folder

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_site_url(tmp_path_factory) -> Iterator[str]:
    """The seed pathway built with `pathway build` (handbook included), served on localhost."""
    site = tmp_path_factory.mktemp("seed") / "site"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1795000000")
    mp.chdir(REPO)
    try:
        assert main(["build", "pathway.yaml", "-d", str(site)]) == 0
    finally:
        mp.undo()
    with serve_folder(site) as url:
        yield url
