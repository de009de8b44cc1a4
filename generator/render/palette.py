"""How each kind of stage looks in a diagram, and the legend that explains it.

Colours are light tints of the Okabe–Ito palette (safe for the common forms of
colour blindness) with a darker border of the same hue and near-black text, so
nodes read on paper, on screen and on the light diagram panel in dark mode.
Colour is never the only cue: every kind has its own shape (and outcomes a
double border), so a greyscale print still tells them apart.

Graphviz 2.43 rejects 3-digit hex colours, so every colour here is #rrggbb.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.model import KINDS

TEXT = "#1a1a1a"
EDGE = "#444444"  # arrows: dark grey on the light panel, not pure black
EDGE_LABEL = "#333333"
ALONGSIDE = "#777777"
BACKGROUND = "#ffffff"
CLUSTER_FILL = "#f6f7f9"
CLUSTER_BORDER = "#b8bec7"
HIGHLIGHT_BORDER = "#000000"
FONT = "Helvetica"  # laid out with Liberation Sans, metric-compatible with Arial/Helvetica


@dataclass(frozen=True)
class KindStyle:
    """The look of one stage kind."""

    kind: str
    label: str  # shown in the legend, e.g. "Decision"
    shape: str  # Graphviz shape name
    fill: str
    border: str
    text: str = TEXT
    pen: str = "solid"  # border: solid | bold | dashed
    rounded: bool = False
    peripheries: int = 1
    wrap: int = 22  # characters per label line; diamonds wrap narrower to stay compact

    def node_attrs(self) -> dict[str, str]:
        """Graphviz node attributes (unquoted values) for this kind."""
        style = ["filled"]
        if self.rounded:
            style.append("rounded")
        if self.pen == "dashed":
            style.append("dashed")
        attrs = {
            "shape": self.shape,
            "style": ",".join(style),
            "fillcolor": self.fill,
            "color": self.border,
            "fontcolor": self.text,
        }
        if self.peripheries != 1:
            attrs["peripheries"] = str(self.peripheries)
        if self.pen == "bold":
            # style=bold loses against the graph-wide node penwidth; be explicit.
            attrs["penwidth"] = "2"
        return attrs


# Order follows model.KINDS, which is also the legend order.
KIND_STYLES: dict[str, KindStyle] = {
    s.kind: s
    for s in (
        KindStyle("assessment", "Assessment", "box", "#dcecf8", "#0072b2"),
        KindStyle("investigation", "Investigation", "note", "#faf3c8", "#8c7b00"),
        KindStyle("decision", "Decision", "diamond", "#fbe3bd", "#b06f00", wrap=16),
        KindStyle("procedure", "Procedure", "box3d", "#e4e4e4", "#555555"),
        KindStyle("therapy", "Therapy", "box", "#cfeee3", "#00785a", rounded=True),
        KindStyle("surgery", "Surgery", "hexagon", "#f9dccb", "#b34700"),
        KindStyle("referral", "Referral", "cds", "#f3dcea", "#9e4f7e"),
        KindStyle("outcome", "Outcome", "box", "#d9f0d0", "#2f7d1f", pen="bold", rounded=True, peripheries=2),
    )
}
assert tuple(KIND_STYLES) == KINDS, "palette must cover model.KINDS in order"

# Unknown kinds (reported by the checks) still render, plainly.
FALLBACK = KindStyle("unknown", "Other", "box", "#ffffff", "#777777", pen="dashed")

START = KindStyle("start", "Start", "oval", "#1a1a1a", "#1a1a1a", text="#ffffff")


def style_for(kind: str) -> KindStyle:
    """The style for ``kind``, or a plain dashed box for an unknown kind."""
    return KIND_STYLES.get(kind, FALLBACK)


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a swatch description and what it means."""

    key: str  # a kind, or "start" / "alongside" / "loop"
    label: str
    description: str
    style: KindStyle | None = None


_KIND_DESCRIPTIONS = {
    "assessment": "History, examination or scoring",
    "investigation": "Test, imaging or other result to wait for",
    "decision": "A choice; arrows are labelled with the condition",
    "procedure": "Something done to the patient",
    "therapy": "Treatment or medication",
    "surgery": "An operation",
    "referral": "Hand-over to another team or service",
    "outcome": "End of this pathway",
}


def legend_items() -> list[LegendItem]:
    """Legend entries for the site and the PDF, in a fixed order."""
    items = [LegendItem("start", "Start", "Where the pathway begins", START)]
    items += [LegendItem(k, s.label, _KIND_DESCRIPTIONS[k], s) for k, s in KIND_STYLES.items()]
    items.append(LegendItem("alongside", "Alongside", "Dashed line without arrows: runs at the same time"))
    items.append(LegendItem("loop", "Loop", "An arrow back to an earlier stage: repeat until the condition is met"))
    return items
