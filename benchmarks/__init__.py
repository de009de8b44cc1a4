"""Benchmarks: a synthetic pathway generator and a harness that times every step against its floor."""

from __future__ import annotations
