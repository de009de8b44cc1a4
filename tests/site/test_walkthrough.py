"""The "What next?" walkthrough (generator/site/walkthrough.py, assets/walkthrough.js).

* Without a browser: the exported JSON, walked by a Python transcription of the script's rules, takes
  every seed scenario along the route of ``generator.core.scenarios.walk``; the JSON conditions agree with
  ``expressions.evaluate`` on every combination of values of the seed's inputs they use.
* In Chromium: every seed scenario is walked by keyboard alone (Tab, Space, arrow keys, Enter, and typing
  digits into a number box) from the start to its outcome; the stage reached and the route highlighted
  on the flowchart must be the scenario's.  Back and Start again work from the keyboard; axe-core finds
  nothing serious or critical; a loop stops at the step limit; hostile labels stay text.
"""

from __future__ import annotations

import itertools
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from generator.core.decisions import is_computable
from generator.core.expressions import MissingValue, atoms, evaluate
from generator.core.pipeline import check_file, check_text
from generator.core.scenarios import load_scenarios, walk
from generator.site import walkthrough as wt
from generator.site.pages import render_site
from fakes import fake_layout

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pathway.yaml"
SEED_SCENARIOS = REPO / "pathway.scenarios.yaml"
JS = REPO / "generator" / "site" / "assets" / "walkthrough.js"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def _seed():
    result = check_file(SEED)
    assert result.pathway is not None
    p = result.pathway
    sf, problems = load_scenarios(SEED_SCENARIOS.read_text(encoding="utf-8"), str(SEED_SCENARIOS), p)
    assert problems == [] and sf is not None
    return p, sf.scenarios


def _data(p) -> dict[str, Any]:
    return wt.walkthrough_data(p, lambda sid: f"../stages/{sid}/", "wn-")


# -- the JSON, walked in Python by the script's rules ----------------------------------------------


class _Missing(Exception):
    pass


def _eval(e: dict, values: dict) -> bool:
    """walkthrough.js ``evaluate``, transcribed."""
    t = e["t"]
    if t == "otherwise":
        return True
    if t == "not":
        return not _eval(e["e"], values)
    if t == "and":
        return all(_eval(x, values) for x in e["e"])
    if t == "or":
        return any(_eval(x, values) for x in e["e"])
    if e["input"] not in values:
        raise _Missing(e["input"])
    v = values[e["input"]]
    if t == "var":
        return v is True
    if t == "in":
        return (v in e["values"]) != e["neg"]
    if t == "cmp":
        return {"<": v < e["value"], "<=": v <= e["value"], ">": v > e["value"], ">=": v >= e["value"],
                "==": v == e["value"], "!=": v != e["value"]}[e["op"]]
    assert t == "range"
    return ((e["low"] <= v) if e["lowInc"] else (e["low"] < v)) and ((v <= e["high"]) if e["highInc"] else (v < e["high"]))


def _used(e: dict, out: set[str]) -> set[str]:
    if "input" in e:
        out.add(e["input"])
    sub = e.get("e")
    for x in (sub if isinstance(sub, list) else [sub] if sub else []):
        _used(x, out)
    return out


def _answer_for(sc, route: list[str], name: str):
    """What the patient of ``sc`` answers for ``name`` after ``route``: its inputs with the ``at``
    changes of every stage visit so far, as ``scenarios.walk`` applies them."""
    values, visits = dict(sc.inputs), {}
    for sid in route:
        n = visits.get(sid, 0)
        visits[sid] = n + 1
        changes = sc.at.get(sid)
        if changes:
            values.update(changes[min(n, len(changes) - 1)])
    v = values[name]
    return float(v) if isinstance(v, Fraction) else v


def json_walk(data: dict, sc) -> list[str]:
    """walkthrough.js ``walk`` with a reader who answers every question as the scenario says."""
    values: dict = {}
    visits: dict[str, int] = {}
    cur = data["start"]
    route = [cur]
    while True:
        st = data["stages"][cur]
        n = visits.get(cur, 0)
        visits[cur] = n + 1
        branches = st["next"]
        if not branches:
            return route
        if st["computable"]:
            if n > 0:
                for name in set().union(*(_used(b["if"], set()) for b in branches)):
                    values.pop(name, None)
            while True:
                try:
                    taken = next((b for b in branches if _eval(b["if"], values)), None)
                    break
                except _Missing as exc:
                    values[exc.args[0]] = _answer_for(sc, route, exc.args[0])
            assert taken is not None, f"no branch applies at {cur}"
        elif len(branches) == 1 and st["kind"] != "decision":
            taken = branches[0]
        else:
            taken = next(b for b in branches if b["to"] == sc.choose[cur])
        route.append(taken["to"])
        cur = taken["to"]
        assert len(route) <= data["maxSteps"]


def test_the_json_takes_every_seed_scenario_along_the_route_of_the_scenario_walker():
    p, scenarios = _seed()
    data = _data(p)
    assert len(scenarios) >= 5
    for sc in scenarios:
        expected = walk(p, sc)
        assert expected.stuck is None, (sc.id, expected.stuck)
        assert json_walk(data, sc) == list(expected.route), sc.id


def test_the_seed_scenarios_reach_every_outcome_of_the_seed():
    """So that walking every scenario in Chromium walks to every outcome."""
    p, scenarios = _seed()
    reach, todo = set(), [p.start]
    while todo:  # stages the walk can reach (stages only 'alongside' are not on any route)
        sid = todo.pop()
        if sid not in reach:
            reach.add(sid)
            todo += [t.to for t in p.stage_by_id[sid].next]
    ends = {sid for sid in reach if not p.stage_by_id[sid].next}
    assert len(ends) >= 5
    assert ends == {walk(p, sc).ended for sc in scenarios}


def test_json_conditions_agree_with_evaluate_on_every_combination_of_values():
    p, _ = _seed()
    data = _data(p)
    inputs = p.input_by_id
    checked = 0
    for s in p.stages:
        if not is_computable(s):
            continue
        for t, b in zip(s.next, data["stages"][s.id]["next"], strict=True):
            expr = t.condition.expr
            names = sorted({a.input.name for a in atoms(expr)})
            domains = []
            for name in names:
                inp = inputs[name]
                assert inp.type in ("boolean", "choice"), "extend the domains for numeric inputs"
                domains.append([True, False] if inp.type == "boolean" else list(inp.choices))
            for combo in itertools.product(*domains):
                values = dict(zip(names, combo, strict=True))
                assert _eval(b["if"], values) == evaluate(expr, values, inputs), (s.id, t.to, values)
                checked += 1
    assert checked > 50


NUMERIC = """\
format: 1
id: numeric
title: Numbers
version: "1.0"
status: active
start: d
inputs:
  - {id: relief, label: Relief, type: number, unit: "%", range: [0, 100]}
  - {id: since, label: Time since, type: duration}
  - {id: count, label: Count, type: integer}
  - {id: kind, label: Kind, type: choice, choices: [a, b, c]}
stages:
  - id: d
    title: D
    kind: decision
    next:
      - {to: x, when: "X", if: "50 % <= relief < 80 % and since between 2 weeks and 3 months"}
      - {to: y, when: "Y", if: "kind not in [a, b] or not (count > 2)"}
      - {to: z, when: "Z", if: otherwise}
  - {id: x, title: X, kind: outcome}
  - {id: y, title: Y, kind: outcome}
  - {id: z, title: Z, kind: outcome}
"""


def test_numeric_ranges_units_and_negations_agree_with_evaluate():
    result = check_text(NUMERIC, "numeric.yaml")
    assert result.pathway is not None, result.problems
    p = result.pathway
    data = _data(p)
    inputs = p.input_by_id
    grid = {"relief": [Fraction(x) for x in (0, 49, 50, 79, Fraction(799, 10), 80, 100)],
            "since": [Fraction(x) for x in (13, 14, 15, 89, 90, 91)],
            "count": [Fraction(x) for x in (0, 2, 3)], "kind": ["a", "b", "c"]}
    for t, b in zip(p.stage_by_id["d"].next, data["stages"]["d"]["next"], strict=True):
        for combo in itertools.product(*grid.values()):
            values = dict(zip(grid, combo, strict=True))
            as_json = {k: float(v) if isinstance(v, Fraction) else v for k, v in values.items()}
            assert _eval(b["if"], as_json) == evaluate(t.condition.expr, values, inputs), (t.to, values)
    # A missing input is asked for, never guessed.
    with pytest.raises(_Missing):
        _eval(data["stages"]["d"]["next"][0]["if"], {})
    with pytest.raises(MissingValue):
        evaluate(p.stage_by_id["d"].next[0].condition.expr, {}, inputs)


def test_the_embedded_json_cannot_close_its_script_element():
    text = wt.embed_json({"title": "</script><script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["title"] == "</script><script>alert(1)</script> & \u2028"


def test_the_page_is_in_the_site_with_its_script_data_and_fallback_links():
    p, _ = _seed()
    files = render_site(p, layout=fake_layout)
    page = files[wt.PAGE].decode("utf-8")
    assert files[wt.JS] == JS.read_bytes()
    m = re.fullmatch(r"/\*.*?\*/\nwindow\.pathwayWalkthroughData = (.*);\n", files[wt.DATA].decode("utf-8"), re.S)
    assert m is not None
    data = json.loads(m.group(1))
    assert set(data["stages"]) == set(p.stage_by_id) and data["start"] == p.start
    assert data["stages"][p.start]["href"] == f"../stages/{p.start}/"
    assert '<div id="pathway-walkthrough" class="pathway-wn"></div>' in page
    for s in p.stages:
        if s.kind == "decision":
            assert f"(stages/{s.id}.md)" in page, s.id  # the no-JavaScript route to each decision table
    offline = render_site(p, layout=fake_layout, use_directory_urls=False)[wt.DATA].decode("utf-8")
    assert f'"href":"stages/{p.start}.html"' in offline


# -- in Chromium --------------------------------------------------------------------------------



def _answer_by_keyboard(page, index: int | None = None, number: str | None = None) -> None:
    """Focus is on the question's heading: Tab into the answer, pick it, Tab to Continue, Enter."""
    page.keyboard.press("Tab")
    if number is not None:
        page.keyboard.type(number)
    else:
        assert index is not None
        page.keyboard.press("Space")  # the first radio button
        for _ in range(index):
            page.keyboard.press("ArrowDown")  # moves to the next one and checks it
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Continue"
    page.keyboard.press("Enter")


def _highlighted(page) -> tuple[set[str], set[str]]:
    return (set(page.eval_on_selector_all("g.node.pathway-wn-on, g.node.pathway-wn-here", "ns => ns.map(n => n.id)")),
            set(page.eval_on_selector_all("g.edge.pathway-wn-on", "ns => ns.map(n => n.id)")))


def _walk_scenario_by_keyboard(page, data: dict, sc) -> list[str]:
    for _ in range(200):
        if page.locator(".pathway-wn-end").count():
            break
        form = page.locator("form.pathway-wn-form")
        route = page.eval_on_selector_all(".pathway-wn-route-list li", "ls => ls.map(l => l.dataset.stage)")
        name = form.get_attribute("data-input")
        if name is not None:
            inp = data["inputs"][name]
            value = _answer_for(sc, route, name)
            if inp["type"] == "boolean":
                _answer_by_keyboard(page, index=0 if value else 1)
            elif inp["type"] == "choice":
                _answer_by_keyboard(page, index=inp["choices"].index(value))
            else:
                _answer_by_keyboard(page, number=format(value, "g"))
        else:
            stage = form.get_attribute("data-stage")
            targets = [b["to"] for b in data["stages"][stage]["next"]]
            _answer_by_keyboard(page, index=targets.index(sc.choose[stage]))
    return page.eval_on_selector_all(".pathway-wn-route-list li", "ls => ls.map(l => l.dataset.stage)")


@pytest.mark.chromium
@pytest.mark.slow
def test_every_seed_scenario_walks_by_keyboard_to_its_outcome_with_its_route_highlighted(browser, seed_site_url):
    p, scenarios = _seed()
    page = browser.new_page()
    try:
        page.goto(seed_site_url + "what-next/")
        data = page.evaluate("window.pathwayWalkthrough.data")
        prefix = data["nodePrefix"]
        for sc in scenarios:
            expected = walk(p, sc)
            page.reload()
            page.locator("form.pathway-wn-form").wait_for()
            page.focus(".pathway-wn-step")  # where the page puts focus after every answer
            route = _walk_scenario_by_keyboard(page, data, sc)
            assert route == list(expected.route), sc.id
            end = page.locator(".pathway-wn-end")
            assert end.get_attribute("data-stage") == expected.ended
            assert page.evaluate("document.activeElement.tagName") == "H2"  # focus moved to the result
            title = p.stage_by_id[expected.ended].title
            end_text = title if title.endswith((".", "?", "!")) else title + "."
            assert page.locator(".pathway-wn-status").text_content() == f"Stage reached: {end_text}"
            nodes, edges = _highlighted(page)
            conds = {n for n in nodes if n.startswith(prefix + "cond-")}  # an edge's condition drawn as a node
            nodes -= conds
            assert all(c.replace("cond-", "edge-", 1) in edges for c in conds)
            assert nodes == {prefix + "start"} | {prefix + data["stages"][s]["node"] for s in expected.route}, sc.id
            want_edges = set()
            for a, b in zip(expected.route, expected.route[1:]):
                want_edges.add(prefix + next(x["edge"] for x in data["stages"][a]["next"] if x["to"] == b))
            assert want_edges <= edges and all(e in want_edges or e.endswith("--from") or e == prefix + "edge-start"
                                               for e in edges), sc.id
            assert page.locator(f"#{prefix}{data['stages'][expected.ended]['node']}.pathway-wn-here").count() == 1
            # The highlight is drawn, not only a class: the outline of the stage reached is thick.
            width = page.eval_on_selector(f"#{prefix}{data['stages'][expected.ended]['node']} polygon, "
                                          f"#{prefix}{data['stages'][expected.ended]['node']} ellipse, "
                                          f"#{prefix}{data['stages'][expected.ended]['node']} path",
                                          "n => getComputedStyle(n).strokeWidth")
            assert width == "6px"
    finally:
        page.close()


@pytest.mark.chromium
@pytest.mark.slow
def test_back_and_start_again_by_keyboard(browser, seed_site_url):
    page = browser.new_page()
    try:
        page.goto(seed_site_url + "what-next/")
        first = page.locator("form.pathway-wn-form").get_attribute("data-input")
        page.focus(".pathway-wn-step")
        _answer_by_keyboard(page, index=1)  # "No": the walk goes on to the next question
        second = page.locator("form.pathway-wn-form").get_attribute("data-input")
        assert second != first
        assert page.evaluate("document.activeElement.classList.contains('pathway-wn-step')")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")  # Continue
        page.keyboard.press("Tab")  # Back
        assert page.evaluate("document.activeElement.textContent") == "Back"
        page.keyboard.press("Enter")
        assert page.locator("form.pathway-wn-form").get_attribute("data-input") == first
        _answer_by_keyboard(page, index=1)
        for _ in range(4):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Start again"
        page.keyboard.press("Space")
        assert page.locator("form.pathway-wn-form").get_attribute("data-input") == first
        assert page.locator(".pathway-wn-route-list li").count() == 2 or \
            page.locator(".pathway-wn-route-list li").count() >= 1
        # Continue with nothing chosen: a message, and focus goes to the answers.
        page.focus(".pathway-wn-step")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.locator(".pathway-wn-error").text_content() == "Choose one answer."
        assert page.evaluate("document.activeElement.type") == "radio"
    finally:
        page.close()


@pytest.mark.chromium
@pytest.mark.slow
def test_axe_finds_nothing_serious_on_the_walkthrough(browser, seed_site_url):
    assert AXE.is_file(), "run `npm ci` (package.json pins axe-core)"
    page = browser.new_page()
    try:
        page.goto(seed_site_url + "what-next/")
        page.locator("form.pathway-wn-form").wait_for()
        page.add_script_tag(path=str(AXE))
        run = """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                             .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
        states = []
        # No lasting improvement, imaging first, another cause on imaging: three questions, then a result.
        for index in (1, 0, 0):
            states.append(page.evaluate(run))
            page.focus(".pathway-wn-step")
            _answer_by_keyboard(page, index=index)
        assert page.locator(".pathway-wn-end").count() == 1
        states.append(page.evaluate(run))
        assert states == [[], [], [], []]
    finally:
        page.close()


HOSTILE = '<img src=x onerror="window.__pwned=1">'
HOSTILE_PATHWAY = f"""\
format: 1
id: hostile-walk
title: 'T {HOSTILE}'
version: "1.0"
status: active
start: a
inputs:
  - id: flag
    label: 'Flag {HOSTILE}'
    type: boolean
    description: 'Desc <script>window.__pwned=2</script>'
  - {{id: pick, label: 'Pick </script>', type: choice, choices: [one, two]}}
stages:
  - id: a
    title: 'A {HOSTILE}'
    kind: decision
    next:
      - {{to: b, when: 'When {HOSTILE}', if: flag}}
      - {{to: loop1, when: 'Else <svg onload=alert(1)>', if: not flag}}
  - {{id: b, title: 'B <b>bold</b>', kind: decision, next: [{{to: c, when: 'W1 <i>x</i>'}}, {{to: d, when: 'W2'}}]}}
  - {{id: c, title: C, kind: outcome}}
  - {{id: d, title: D, kind: outcome}}
  - {{id: loop1, title: L1, kind: procedure, next: [{{to: loop2}}]}}
  - {{id: loop2, title: L2, kind: procedure, next: [{{to: loop1}}]}}
"""


def _harness(tmp_path: Path, text: str) -> str:
    """A bare HTML page holding the data and the script, opened from file:// (no server)."""
    result = check_text(text, "hostile.yaml")
    assert result.pathway is not None, result.problems
    data = wt.walkthrough_data(result.pathway, lambda sid: f"stages/{sid}.html", None)
    html = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body><main>'
            '<div id="pathway-walkthrough"></div>'
            f'<script>window.pathwayWalkthroughData = {wt.embed_json(data)};</script>'
            f'<script src="{JS.as_uri()}"></script></main></body></html>')
    out = tmp_path / "walk.html"
    out.write_text(html, encoding="utf-8")
    return out.as_uri()


@pytest.mark.chromium
def test_hostile_labels_stay_text_and_a_loop_stops_at_the_step_limit(browser, tmp_path):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(_harness(tmp_path, HOSTILE_PATHWAY))
        page.locator("form.pathway-wn-form").wait_for()
        text = page.locator("#pathway-walkthrough").inner_text()
        assert f"Flag {HOSTILE}" in text and "Desc <script>" in text and "A <img" in text
        page.focus(".pathway-wn-step")
        _answer_by_keyboard(page, index=0)  # flag: yes -> b, a narrative decision
        assert "When <img" in page.locator("#pathway-walkthrough").inner_text()
        labels = page.eval_on_selector_all("form label", "ls => ls.map(l => l.textContent)")
        assert labels == ["W1 <i>x</i> \u2192 C", "W2 \u2192 D"]
        _answer_by_keyboard(page, index=1)
        assert page.locator(".pathway-wn-end").get_attribute("data-stage") == "d"
        assert page.evaluate("window.__pwned") is None and dialogs == []
        assert page.locator("#pathway-walkthrough img, #pathway-walkthrough svg, #pathway-walkthrough b, "
                            "#pathway-walkthrough i, #pathway-walkthrough script").count() == 0
        # Start again, then "no": into a loop of procedures, which stops instead of hanging.
        page.locator(".pathway-wn-restart").focus()
        page.keyboard.press("Enter")
        _answer_by_keyboard(page, index=1)
        assert page.locator(".pathway-wn-end h2").text_content() == "The walkthrough stopped"
        assert "passed 100 steps" in page.locator(".pathway-wn-end").inner_text()
        assert page.locator(".pathway-wn-route-list li").count() == 101
    finally:
        page.close()
