"""Small programs that ``benchmarks.run`` times, each in its own subprocess.

``python -m benchmarks.steps dots FILE OUT.dot``
    Write every DOT graph the site lays out for FILE, concatenated (the input of
    the raw-``dot`` floor). Untimed preparation.

``python -m benchmarks.steps diagrams FILE CACHE_DIR``
    Load FILE, build the DOT text and lay it out with ``generator.render.layout``
    (cold when CACHE_DIR is empty). Prints JSON phase timings on stdout.

``python -m benchmarks.steps yaml FILE {safe,csafe}``
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

    result = pipeline.check_file(path)
    pathway = getattr(result, "pathway", None)
    if pathway is None and isinstance(result, tuple):
        pathway = next((x for x in result if hasattr(x, "stages")), None)
    if pathway is None:
        raise SystemExit(f"could not load {path}")
    return pathway


def _href(stage_id: str) -> str:
    return f"../{stage_id}/"


def site_dots(pathway) -> list[str]:
    """The graphs the website shows: the overview (or, for big pathways, the
    map of groups plus one diagram per group) and one neighbourhood per stage.

    Taken from the site renderer itself when it is there, so the benchmark
    lays out exactly the site's graphs; else rebuilt from ``generator.render.diagrams``.
    """
    try:
        from generator.site.pages import _Renderer

        return [d.dot for d in _Renderer(pathway, None, True).diagrams()]
    except (ImportError, AttributeError, TypeError):
        pass
    from generator.render import diagrams

    if diagrams.overview_is_too_large(pathway):
        dots = [diagrams.groups_map_dot(pathway, lambda gid: f"../groups/{gid}/")]
        dots += [diagrams.group_dot(pathway, g.id, _href) for g in pathway.groups]
    else:
        dots = [diagrams.overview_dot(pathway, _href)]
    seen: set[str] = set()
    for s in pathway.stages:
        if s.id not in seen:
            seen.add(s.id)
            dots.append(diagrams.neighbourhood_dot(pathway, s.id, _href))
    return dots


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
