"""Make Graphviz SVG ready to inline in HTML (site) and print (PDF).

* The XML declaration, DOCTYPE and comments go, so the SVG can sit inside
  HTML or Markdown; blank lines go too (Python-Markdown ends a raw HTML block
  at a blank line).
* Fixed width/height give way to ``width="100%"`` with the natural size as
  ``max-width``: the diagram shrinks to the page but never blows up.  It never
  shrinks below the width at which its smallest text is still legible
  (``MIN_TEXT_PX``, ``MIN_TEXT_PX_PHONE``): those widths are given as CSS
  custom properties (``--pd-min``, ``--pd-min-phone``) which the site's
  stylesheet uses as ``min-width``; a wider diagram scrolls in its panel.
* Accessibility: the root gets a ``<title>``/``<desc>`` referenced by
  ``aria-labelledby``/``aria-describedby``.  A diagram with links is a
  ``role="group"`` (``role="img"`` would hide the links from screen readers);
  one without links is ``role="img"``.  Each link gets ``aria-label`` = its
  visible text and a ``<title>`` child = its tooltip (Chromium shows
  ``<title>``, not ``xlink:title``).  Checked in Chromium: SVG ``<a>`` with an
  ``xlink:href`` is reached with Tab and exposed as a link named by
  ``aria-label``, so no ``tabindex`` is added.
* Links keep Graphviz's ``xlink:href`` ONLY.  A plain ``href`` beside it broke
  two engines: Material's ``navigation.instant`` assigns ``a.href`` on every
  link with an ``href`` attribute ("Cannot set property href of
  #<SVGAElement> which has only a getter", the old page stays on screen), and
  Zensical rewrites raw-HTML ``href``s as Markdown links (one level too deep).
  (tests/render/test_svgpost.py, tests/site/test_engines.py)
* Graphviz's own ``<title>`` elements (node names such as ``triage->bloods``)
  are removed: they are internal ids, not words for readers.

The transformation is regex-based on Graphviz's very regular output and is
deterministic.
"""

from __future__ import annotations

import html
import math
import re

_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_TITLE = re.compile(r"<title>.*?</title>\s*", re.S)
_ROOT = re.compile(r"<svg\b([^>]*)>", re.S)
_ATTR = re.compile(r'([\w:.-]+)="([^"]*)"')
_GRAPH_ID = re.compile(r'<g id="([^"]*)" class="graph"')
_ANCHOR = re.compile(r"<a\s([^>]*)>(.*?)</a>", re.S)
_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(pt|px)?\s*$")
_FONT_SIZE = re.compile(r'<text\b[^>]*\sfont-size="([0-9.]+)"')

# The smallest rendered flowchart text, in CSS px: 12 on a desktop screen,
# 11 on a phone (the site's stylesheet switches at its phone breakpoint).
# Enforced in Chromium by tests/site/test_diagram_text_browser.py.
MIN_TEXT_PX = 12.0
MIN_TEXT_PX_PHONE = 11.0
# A printed web page (site stylesheet, @media print): the chart takes the text width of an A4 page
# (about 180 mm = 510 pt) and at most 235 mm (666 pt) of its height, a stage chart 120 mm (340 pt).
# Under MIN_PRINT_PT its smallest text cannot be read on paper: the chart carries a class and the
# stylesheet prints a note instead (the list beside it and the PDF handbook remain).
MIN_PRINT_PT = 7.0
PRINT_WIDTH_PT, PRINT_HEIGHT_PT, PRINT_STAGE_HEIGHT_PT = 510.0, 666.0, 340.0


def min_font_size(svg: str) -> float | None:
    """The smallest ``font-size`` of the SVG's text, in its own user units (Graphviz: points)."""
    sizes = [float(v) for v in _FONT_SIZE.findall(svg)]
    return min(sizes) if sizes else None


def legible_widths(svg_width: float, smallest_font: float) -> tuple[float, float]:
    """(desktop, phone) CSS widths in px below which the smallest text drops under the limits.

    Text of ``smallest_font`` user units in a drawing ``svg_width`` user units
    wide measures ``smallest_font * w / svg_width`` px when drawn ``w`` px wide.
    """
    return (MIN_TEXT_PX * svg_width / smallest_font, MIN_TEXT_PX_PHONE * svg_width / smallest_font)


def print_classes(width: float, height: float, smallest_font: float) -> list[str]:
    """``pathway-print-small`` when a printed page would draw the chart's smallest text under
    ``MIN_PRINT_PT`` as a page's chart, ``pathway-print-small-stage`` as a stage page's chart."""
    out = []
    for cls, max_height in (("pathway-print-small", PRINT_HEIGHT_PT), ("pathway-print-small-stage", PRINT_STAGE_HEIGHT_PT)):
        scale = min(PRINT_WIDTH_PT / width, max_height / height) if height > 0 else PRINT_WIDTH_PT / width
        if smallest_font * scale < MIN_PRINT_PT:
            out.append(cls)
    return out


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def finish(svg: str, *, name: str, description: str | None = None) -> str:
    """Return ``svg`` cleaned for inlining, scalable and labelled ``name`` for assistive tech."""
    svg = svg.replace("\r\n", "\n")
    svg = _PROLOG.sub("", svg)
    svg = _DOCTYPE.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = _TITLE.sub("", svg)

    root = _ROOT.search(svg)
    if root is None:
        raise ValueError("not an SVG document: no <svg> element")
    graph = _GRAPH_ID.search(svg)
    base = graph.group(1) if graph else "pathway-diagram"
    title_id, desc_id = f"{base}-title", f"{base}-desc"

    svg = _ANCHOR.sub(_label_anchor, svg)
    has_links = bool(re.search(r"<a\s[^>]*href=", svg))

    attrs = dict(_ATTR.findall(root.group(1)))
    new_attrs = {"width": "100%"}
    if "viewBox" in attrs:
        new_attrs["viewBox"] = attrs["viewBox"]
    new_attrs["role"] = "group" if has_links else "img"
    new_attrs["aria-labelledby"] = title_id
    if description:
        new_attrs["aria-describedby"] = desc_id
    classes = ["pathway-diagram"]
    style = ["height:auto"]
    natural = _LENGTH.match(attrs.get("width", ""))
    if natural:
        style.insert(0, f"max-width:{natural.group(1)}{natural.group(2) or 'px'}")
    box = [float(n) for n in attrs.get("viewBox", "").split()] if "viewBox" in attrs else []
    smallest = min_font_size(svg)
    if len(box) == 4 and box[2] > 0 and smallest:
        desktop, phone = legible_widths(box[2], smallest)
        style += [f"--pd-min:{math.ceil(desktop)}px", f"--pd-min-phone:{math.ceil(phone)}px"]
        classes += print_classes(box[2], box[3], smallest)
    new_attrs["class"] = " ".join(classes)
    new_attrs["style"] = ";".join(style)
    for ns in ("xmlns", "xmlns:xlink"):
        if ns in attrs:
            new_attrs[ns] = attrs[ns]
    head = "<svg " + " ".join(f'{k}="{_esc(html.unescape(v))}"' for k, v in new_attrs.items()) + ">"
    head += f'\n<title id="{_esc(title_id)}">{_esc(name)}</title>'
    if description:
        head += f'\n<desc id="{_esc(desc_id)}">{_esc(description)}</desc>'
    root = _ROOT.search(svg)  # positions moved after the anchor rewrite
    assert root is not None
    svg = svg[: root.start()] + head + svg[root.end() :]

    lines = [line.rstrip() for line in svg.split("\n")]
    return "\n".join(line for line in lines if line.strip()) + "\n"


def _label_anchor(m: re.Match[str]) -> str:
    """Give one Graphviz link an accessible name and a tooltip browsers show."""
    attrs_text, inner = m.group(1), m.group(2)
    attrs = dict(_ATTR.findall(attrs_text))
    tooltip = attrs.get("xlink:title")
    words = [html.unescape(t).strip() for t in _TEXT.findall(inner)]
    visible = " ".join(w for w in words if w)
    extra = ""
    if visible and "aria-label" not in attrs and ("xlink:href" in attrs or "href" in attrs):
        extra += f' aria-label="{_esc(visible)}"'
    opening = f"<a {attrs_text.strip()}{extra}>"
    if tooltip:
        # Already XML-escaped by Graphviz; valid as element content too.
        opening += f"\n<title>{tooltip}</title>"
    return f"{opening}{inner}</a>"
