"""The presentation layer the site and the PDF share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.core.model import Group, IdRef, Pathway, Stage
from generator.core.pipeline import check_file
from generator.render import presentation as pres

VALID = Path(__file__).parents[1] / "fixtures" / "core" / "valid.yaml"


def test_dates_are_spelt_out_without_locale() -> None:
    assert pres.format_date(dt.date(2026, 11, 1)) == "1 November 2026"
    assert pres.format_date(dt.date(2027, 2, 28)) == "28 February 2027"
    assert pres.format_date(None) == ""


def test_labels() -> None:
    assert pres.status_label("draft") == "Draft"
    assert pres.kind_label("decision") == "Decision"
    assert pres.kind_label("mystery") == "Mystery"


def test_reading_order_puts_groups_first_and_ungrouped_last() -> None:
    p = check_file(VALID).pathway
    assert p is not None
    order = pres.stages_by_group(p)
    assert [g for g, _t, _ids in order] == ["diagnosis", "treatment", None]
    assert order[-1][1] == "Other stages"
    assert sorted(pres.reading_order(p)) == sorted(s.id for s in p.stages)


def test_cited_by_lists_each_stage_once_in_reading_order() -> None:
    stages = (
        Stage("z", "Z", "assessment", references=(IdRef("r"), IdRef("r"))),
        Stage("a", "A", "outcome", group="g", references=(IdRef("r"),)),
    )
    p = Pathway("p", "P", "1", "draft", "z", stages, groups=(Group("g", "G"),))
    assert pres.cited_by(p) == {"r": ["a", "z"]}


def _chain(n: int, groups: int) -> Pathway:
    gs = tuple(Group(f"g{i}", f"G{i}") for i in range(groups))
    stages = tuple(Stage(f"s{i}", f"S{i}", "assessment", group=f"g{i % groups}" if groups else None)
                   for i in range(n))
    return Pathway("p", "P", "1", "draft", "s0", stages, groups=gs)


def test_diagram_plan() -> None:
    # Any grouped pathway may print as a map: at 7 pt even 20 stages can be taller than a page.
    small = pres.plan_diagrams(_chain(5, 2), may_prefer_map=True)
    assert (small.overview, small.group_map, small.map_is_alternative) == (True, True, True)
    assert len(small.stages) == 5
    assert pres.plan_diagrams(_chain(5, 1), may_prefer_map=True).group_map is False  # one group: no map
    medium = pres.plan_diagrams(_chain(31, 2), may_prefer_map=True)
    assert (medium.overview, medium.group_map, medium.map_is_alternative) == (True, True, True)
    assert pres.plan_diagrams(_chain(31, 2)).group_map is False  # the site never prefers the map
    assert pres.plan_diagrams(_chain(31, 1), may_prefer_map=True).group_map is False
    large = pres.plan_diagrams(_chain(150, 3))
    assert (large.overview, large.group_map, large.groups) == (False, True, ("g0", "g1", "g2"))
