"""The allow-list HTML sanitizer: the last step before any HTML built from pathway text is published.

Defence in depth: pathway text is escaped *before* Markdown (``generator.render.escape``)
and link destinations are checked *after* parsing (``generator.core.urls``);
this module then passes every rendered fragment - site page bodies (the MkDocs
plugin's ``on_page_content``), the PDF's Markdown fragments and the inline SVG
flowcharts - through ``nh3`` (the Rust ``ammonia`` sanitizer) with an allow-list:

* elements: the ones Markdown and our templates produce (``ALLOWED_TAGS``),
  plus the SVG subset Graphviz writes; ``<script>``/``<style>`` go with their content;
* attributes: per element (``ALLOWED_ATTRIBUTES``); no ``on*``, and ``style``
  only on ``<svg>`` and only ``max-width``/``height`` and the legible widths
  ``--pd-min``/``--pd-min-phone`` (the scaling svgpost sets); ``tabindex`` only
  ``0`` on a ``<div>`` (the flowchart's scroll region);
* URLs (``href``, ``src``, ``xlink:href``): ``generator.core.urls.link_problem``
  - http, https, mailto and the site's own relative links;
* classes: the project's own (``pathway-*``), the admonition/details types
  Material styles, Graphviz's ``graph``/``node``/``edge``/``cluster``, the
  headings' ``headerlink``, ``language-*`` on code and our ``md-button`` on
  links; nothing else - so a body cannot borrow theme classes such as
  ``md-sidebar`` to spoof page furniture (validate warns: ``theme-class``).
"""

from __future__ import annotations

import re

import nh3

from generator.core.urls import ADMONITION_TYPES, link_problem


_SVG_TAGS = {"svg", "g", "title", "desc", "a", "text", "tspan", "polygon", "polyline", "path",
             "ellipse", "circle", "rect", "line"}
ALLOWED_TAGS: frozenset[str] = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "caption",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
} | _SVG_TAGS)

_PAINT = {"fill", "stroke", "stroke-width", "stroke-dasharray", "fill-opacity", "stroke-opacity", "opacity",
          "transform", "class", "id"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "role", "aria-label", "aria-hidden", "aria-labelledby", "aria-describedby"},
    "a": {"href", "title", "xlink:href", "xlink:title", "target"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    # Decision tables (generator.site.pages.decision_table): the walkthrough reads a row's target stage,
    # and a phone shows each cell with its column's name (data-label).
    "td": {"colspan", "rowspan", "data-label"},
    "th": {"colspan", "rowspan", "scope", "data-label"},
    "tr": {"data-branch", "data-target"},
    "table": {"data-stage", "data-order"},
    "details": {"open"},
    "figure": {"data-search-exclude"},
    "div": {"tabindex", "data-order"},
    "svg": {"viewBox", "width", "height", "style", "focusable", "xmlns", "xmlns:xlink"} | _PAINT,
    "g": _PAINT,
    "polygon": {"points"} | _PAINT,
    "polyline": {"points"} | _PAINT,
    "path": {"d"} | _PAINT,
    "ellipse": {"cx", "cy", "rx", "ry"} | _PAINT,
    "circle": {"cx", "cy", "r"} | _PAINT,
    "rect": {"x", "y", "width", "height", "rx", "ry"} | _PAINT,
    "line": {"x1", "y1", "x2", "y2"} | _PAINT,
    "text": {"x", "y", "text-anchor", "font-family", "font-size", "font-weight", "font-style"} | _PAINT,
    "tspan": {"x", "y", "dx", "dy", "text-anchor", "font-family", "font-size", "font-weight", "font-style"} | _PAINT,
}

_URL_ATTRS = frozenset({"href", "src", "xlink:href"})
_FIXED_CLASSES = {
    "a": {"headerlink", "md-button", "md-button--primary"},
    "div": {"admonition"} | ADMONITION_TYPES,
    "p": {"admonition-title"},
    "details": ADMONITION_TYPES,
    "g": {"graph", "node", "edge", "cluster"},
}
_PROJECT_CLASS_RE = re.compile(r"pathway-[a-z0-9-]+\Z")
_LANGUAGE_CLASS_RE = re.compile(r"language-[A-Za-z0-9_+-]+\Z")


def class_allowed(tag: str, cls: str) -> bool:
    """True if the class ``cls`` may stay on a ``tag`` element."""
    if _PROJECT_CLASS_RE.match(cls) or cls in _FIXED_CLASSES.get(tag, ()):
        return True
    return tag == "code" and bool(_LANGUAGE_CLASS_RE.match(cls))


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in _URL_ATTRS:
        return None if link_problem(value) else value
    if attr == "class":
        kept = [c for c in value.split() if class_allowed(tag, c)]
        return " ".join(kept) or None
    if attr == "style" and tag != "svg":
        return None
    if attr == "tabindex" and value != "0":
        return None
    return value


def clean_html(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed (text kept, escaped)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        # ammonia checks URL schemes too; relative URLs pass to _attribute_filter's stricter rule.
        url_schemes={"http", "https", "mailto"},
        filter_style_properties={"max-width", "height", "--pd-min", "--pd-min-phone"},
        link_rel=None,
        strip_comments=True,
    )
