"""Lay out the plain-MkDocs "floor" project for a build benchmark.

``python -m benchmarks.floorcfg PATHWAY GENERATED_DIR FLOOR_DIR [--config mkdocs.yml]``

When ``GENERATED_DIR`` does not exist it is filled with ``render_site``'s
files, which is what ``pathway generate`` writes.

The floor is MkDocs' own unavoidable work for our site: the same pages
(``GENERATED_DIR`` is what ``pathway generate`` wrote, flowcharts already
inlined as SVG), the same hand-written pages, theme, Markdown extensions,
plugins and navigation as ``pathway build`` — but without the ``pathway``
plugin, so nothing is read, checked, laid out or rendered by our code.

Writes ``FLOOR_DIR/mkdocs.yml`` and ``FLOOR_DIR/docs/``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml


def _without_pathway_plugin(plugins: list | dict | None) -> list:
    items = plugins.items() if isinstance(plugins, dict) else [
        next(iter(p.items())) if isinstance(p, dict) else (p, None) for p in (plugins or [])
    ]
    return [name if opts is None else {name: opts} for name, opts in items if name != "pathway"]


def make(pathway_file: Path, generated: Path, floor: Path, config: Path) -> None:
    from generator.core import pipeline
    from generator.render.markup import abbreviation_block
    from generator.site.pages import site_nav

    result = pipeline.check_file(pathway_file, for_build=True)
    if result.pathway is None or result.has_errors():
        raise SystemExit(f"{pathway_file} does not check cleanly")
    pathway = result.pathway

    if not generated.exists():
        # `pathway generate` is not there (yet): write the very files it would.
        from generator.render.layout import render_svgs
        from generator.site.pages import render_site

        for rel, data in render_site(pathway, layout=render_svgs, today=pipeline.today()).items():
            (generated / rel).parent.mkdir(parents=True, exist_ok=True)
            (generated / rel).write_bytes(data)
    from mkdocs.utils.yaml import yaml_load

    with open(config, "rb") as fh:  # MkDocs' own loader: it knows !ENV (site_url)
        cfg = yaml_load(fh) or {}
    src_docs = (config.parent / cfg.get("docs_dir", "docs")).resolve()
    docs = floor / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    # Generated pages at the docs root: the plugin serves them at the same paths.
    shutil.copytree(generated, docs, ignore=shutil.ignore_patterns(".pathway-manifest.json"))
    abbreviations = abbreviation_block(pathway.glossary)
    if src_docs.is_dir():
        for f in src_docs.rglob("*"):
            rel = f.relative_to(src_docs)
            if f.is_dir() or rel.parts[0] == "_generated" or (docs / rel).exists():
                continue
            (docs / rel).parent.mkdir(parents=True, exist_ok=True)
            if f.suffix == ".md" and abbreviations:
                # The plugin appends the glossary's abbreviations to hand-written
                # pages (on_page_markdown); the floor's Markdown carries them already.
                text = f.read_text(encoding="utf-8")
                (docs / rel).write_text(f"{text}\n\n{abbreviations}\n", encoding="utf-8")
            else:
                shutil.copy2(f, docs / rel)

    cfg["docs_dir"] = "docs"
    cfg["site_name"] = pathway.title
    cfg["plugins"] = _without_pathway_plugin(cfg.get("plugins"))
    cfg["nav"] = site_nav(pathway) + list(cfg.get("nav") or [])
    cfg.pop("site_dir", None)
    (floor / "mkdocs.yml").write_text(
        "# Floor for the build benchmark: our pages and nav, no `pathway` plugin.\n"
        + yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.floorcfg", description=__doc__.split("\n")[0])
    ap.add_argument("pathway", type=Path)
    ap.add_argument("generated", type=Path)
    ap.add_argument("floor", type=Path)
    ap.add_argument("--config", type=Path, default=Path(__file__).resolve().parent.parent / "mkdocs.yml")
    args = ap.parse_args(argv)
    args.floor.mkdir(parents=True, exist_ok=True)
    make(args.pathway, args.generated, args.floor, args.config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
