"""Small programs that ``benchmarks.run`` times, each in its own subprocess.

``python -m benchmarks.probes dots FILE OUT.dot``
    Write every DOT graph the site lays out for FILE, concatenated (the input of
    the raw-``dot`` floor). Untimed preparation.

``python -m benchmarks.probes diagrams FILE CACHE_DIR``
    Load FILE, build the DOT text and lay it out with ``generator.render.layout``
    (cold when CACHE_DIR is empty). Prints JSON phase timings on stdout.

``python -m benchmarks.probes yaml FILE {safe,csafe}``
    The YAML-parse floor: ``yaml.safe_load`` or ``yaml.load(Loader=CSafeLoader)``.

Each imports only what its step needs, so the subprocess's wall time and peak
memory belong to that step alone.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _load(path: str):
    """The pathway model of ``path`` through the project's own loader."""
    from generator.core import pipeline

    pathway = pipeline.check_file(path).pathway
    if pathway is None:
        raise SystemExit(f"could not load {path}")
    return pathway


class _Captured(Exception):
    """Raised by ``_capture`` to stop ``render_site`` once it has handed over its graphs."""

    def __init__(self, dots: list[str]):
        self.dots = dots


def _capture(dots, *, id_prefixes):
    raise _Captured(list(dots))


def site_dots(pathway) -> list[str]:
    """The DOT text of every graph the website lays out, taken from ``render_site`` itself.

    The site passes all its graphs to its ``layout`` in one call; catching that
    call gives exactly the site's graphs without rendering any page.
    """
    from generator.site.pages import render_site

    try:
        render_site(pathway, layout=_capture)
    except _Captured as got:
        return got.dots
    raise SystemExit("render_site drew no diagrams")


def cmd_dots(path: str, out: str) -> int:
    dots = site_dots(_load(path))
    Path(out).write_text("".join(dots), encoding="utf-8")
    print(json.dumps({"graphs": len(dots), "bytes": sum(len(d) for d in dots)}))
    return 0


def cmd_diagrams(path: str, cache_dir: str) -> int:
    t0 = time.perf_counter()
    from generator.render import layout

    pathway = _load(path)
    t1 = time.perf_counter()
    dots = site_dots(pathway)
    t2 = time.perf_counter()
    svgs = layout.render_svgs(dots, cache_dir=cache_dir)
    t3 = time.perf_counter()
    print(json.dumps({
        "graphs": len(dots),
        "svg_bytes": sum(len(s) for s in svgs),
        "import_and_load_s": round(t1 - t0, 4),
        "dot_text_s": round(t2 - t1, 4),
        "layout_s": round(t3 - t2, 4),
    }))
    return 0


def cmd_yaml(path: str, which: str) -> int:
    import yaml

    with open(path, encoding="utf-8") as f:
        if which == "csafe":
            yaml.load(f, Loader=yaml.CSafeLoader)
        else:
            yaml.safe_load(f)
    return 0


def main(argv: list[str]) -> int:
    cmds = {"dots": cmd_dots, "diagrams": cmd_diagrams, "yaml": cmd_yaml}
    if len(argv) != 3 or argv[0] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[0]](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
