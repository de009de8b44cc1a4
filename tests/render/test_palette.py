"""The kind colours in the site's CSS agree with generator.render.palette (the diagrams' colours)."""

from __future__ import annotations

import re
from importlib import resources

from generator.render import palette

_RULE = re.compile(r"\.pathway-kind-([a-z]+)\s*\{([^}]*)\}")


def _css_rules() -> dict[str, dict[str, str]]:
    css = resources.files("generator.site").joinpath("assets", "pathway.css").read_text(encoding="utf-8")
    rules: dict[str, dict[str, str]] = {}
    for kind, body in _RULE.findall(css):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                name, value = decl.split(":", 1)
                decls[name.strip()] = value.replace("!important", "").strip().lower()
        assert kind not in rules, f"two rules for .pathway-kind-{kind}"
        rules[kind] = decls
    return rules


def test_every_kind_has_a_badge_rule_and_no_other() -> None:
    assert list(_css_rules()) == list(palette.KIND_STYLES)


def test_badge_colours_are_the_palette_colours() -> None:
    rules = _css_rules()
    for kind, style in palette.KIND_STYLES.items():
        assert rules[kind]["background"] == style.fill, kind
        assert rules[kind]["border-color"] == style.border, kind
        # A bold diagram border is a thicker badge border, and only then.
        assert ("border-width" in rules[kind]) == (style.pen == "bold"), kind
