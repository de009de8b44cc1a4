"""A self-contained site project for engines without the plugin (plain MkDocs, Zensical).

``site_project(pathway, pages)`` returns ``{posix path: bytes}`` for a folder
that builds on its own, with no ``INHERIT`` and no plugin:

* ``mkdocs.yml``: the pathway's title as ``site_name``, the grouped nav the
  plugin builds, the theme with the template overrides as ``custom_dir``, the
  CSS, and the Markdown extensions the pages are written for;
* ``docs/``: the pages of ``render_site`` (and ``assets/pathway.css``);
* ``overrides/``: a copy of ``generator/site/theme/`` (the escaped page
  ``<title>``, the named search dialog, the repository link that does not call
  api.github.com).

``mkdocs build`` and ``zensical build`` of that folder give the same working
site (tests/site/test_engines.py).  Pure: nothing is written here.
"""

from __future__ import annotations

import re
from importlib import resources

import yaml

from generator.core.model import Pathway

DOCS = "docs"
OVERRIDES = "overrides"
CONFIG = "mkdocs.yml"

# The Markdown extensions the generated pages are written for (attr_list for '{: .pathway-breadcrumb }',
# abbr for the glossary's '*[MBB]: ...', md_in_html for the figures, ...).  The plugin adds the missing ones
# to a user's mkdocs.yml from this same list.
MARKDOWN_EXTENSIONS: list = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "md_in_html",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.details",
]

# The project's own search separator (see mkdocs.yml): splits "(MBB)" and "pain." into words.
SEARCH_SEPARATOR = r'[\s\-‐‑–—,;:!?=\[\](){}"“”/]+|\.(?!\d)|(?<=\d)(?=[%°])|&[lg]t;'

_HEADER = """\
# Written by `pathway generate` from {source}; replaced on every run, so edit the pathway file, not this.
# Builds with plain MkDocs (`mkdocs build`) and with Zensical (`zensical build`): no plugin, no INHERIT.
"""


def html_text(text: str) -> str:
    """Pathway text made safe where Material prints ``site_name`` and nav titles as HTML.

    Material escapes these titles in some places and not in others (a plain string in mkdocs.yml
    cannot say it is escaped already, as the plugin's ``Markup`` does).  So only what could start
    markup is escaped: ``<``, ``"`` and an ``&`` that would start a character reference.  A bare
    ``&`` ("A & E") or ``>`` is left as written: valid HTML where it is printed raw, and not shown
    as "&amp;" where Material escapes it.
    """
    return _REFERENCE_START.sub("&amp;", text).replace("<", "&lt;").replace('"', "&quot;")


_REFERENCE_START = re.compile(r"&(?=[#A-Za-z0-9])")


def _safe_nav(items: list) -> list:
    out: list = []
    for item in items:
        if isinstance(item, dict):
            out.append({html_text(k): (_safe_nav(v) if isinstance(v, list) else v) for k, v in item.items()})
        else:
            out.append(item)
    return out


def _theme_files() -> dict[str, bytes]:
    """Every file of ``generator/site/theme/`` (the template overrides), by its path inside that folder."""
    out: dict[str, bytes] = {}

    def walk(node, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".html"):
                out[f"{prefix}{child.name}"] = child.read_bytes()

    walk(resources.files("generator.site").joinpath("theme"), "")
    return dict(sorted(out.items()))


def config(pathway: Pathway, nav: list, *, source: str, use_directory_urls: bool = True,
           site_url: str | None = None) -> str:
    """The ``mkdocs.yml`` of the project, as text."""
    cfg: dict = {"site_name": html_text(pathway.title)}
    if site_url:
        cfg["site_url"] = site_url
    cfg.update({
        "docs_dir": DOCS,
        # Links inside the inline SVG flowcharts are computed for this URL style.
        "use_directory_urls": use_directory_urls,
        "copyright": "This site supports and does not replace clinical judgement.",
        "theme": {
            "name": "material",
            "custom_dir": OVERRIDES,
            "language": "en",
            "font": False,  # no web fonts: pages load nothing from other hosts (README "Privacy")
            "features": ["navigation.sections", "navigation.prune", "navigation.top", "navigation.footer",
                         "search.highlight"],
            "palette": [
                {"media": "(prefers-color-scheme: light)", "scheme": "default", "primary": "indigo",
                 "accent": "indigo", "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"}},
                {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "indigo",
                 "accent": "indigo", "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"}},
            ],
        },
        "plugins": [{"search": {"separator": SEARCH_SEPARATOR}}],
        "extra_css": ["assets/pathway.css"],
        "markdown_extensions": MARKDOWN_EXTENSIONS,
        "validation": {"nav": {"omitted_files": "warn"}, "links": {"anchors": "warn"}},
        "nav": _safe_nav(nav),
    })
    body = yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True, width=1000)
    return _HEADER.format(source=source) + body


def site_project(pathway: Pathway, pages: dict[str, bytes], nav: list, *, source: str,
                 use_directory_urls: bool = True, site_url: str | None = None) -> dict[str, bytes]:
    """The whole project folder: ``mkdocs.yml``, ``docs/<pages>``, ``overrides/<templates>``."""
    files = {CONFIG: config(pathway, nav, source=source, use_directory_urls=use_directory_urls,
                            site_url=site_url).encode("utf-8")}
    files.update({f"{DOCS}/{path}": data for path, data in pages.items()})
    files.update({f"{OVERRIDES}/{path}": data for path, data in _theme_files().items()})
    return dict(sorted(files.items()))
