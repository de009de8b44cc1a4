"""Pathway-as-code: validate a care pathway written in YAML and publish it as a site and a PDF."""

from __future__ import annotations

__version__ = "0.1.0"
