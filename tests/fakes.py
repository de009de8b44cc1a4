"""Test doubles shared by several test modules."""

from __future__ import annotations

import re


def fake_layout(dots, *, id_prefixes):
    """A stand-in for Graphviz (fast): an empty SVG per graph that keeps each URL of the DOT text as a link."""
    out = []
    for dot in dots:
        links = "".join(f'<a xlink:href="{u}"><text>n</text></a>' for u in re.findall(r'URL="([^"]*)"', dot))
        out.append('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                   f'width="100pt" height="50pt" viewBox="0 0 100 50"><g id="graph0" class="graph">{links}</g></svg>')
    return out
