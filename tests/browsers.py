"""Debian's Chromium for the browser tests: its path and flags (never `playwright install`)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
