"""Checking a pathway costs work linear in its size, on every worst-case shape.

Work is counted, not timed: the Python lines executed inside the generator's
own code and ``difflib`` (the suggestions) while a file is loaded, checked and
its problems finished.  ``check_unreachable`` once recomputed reachability for
every cut-off stage (N^3.5: 34 s at 1,000 stages); here doubling N may at most
~double the work.  The shapes are ``benchmarks.synth.SHAPES``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.core import checks, graph, pipeline
from generator.core.loader import load
from generator.core.model import IdRef, Pathway, Stage, Transition
from generator.core.yamlsource import parse

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(REPO))

from benchmarks import synth  # noqa: E402

COUNTED = (str(REPO / "generator"), "difflib.py")
SMALL, LARGE = 300, 600


def work(text: str) -> int:
    """Lines executed in the generator and difflib to load, check and finish ``text``."""
    root, problems = parse(text, "w.yaml")
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        name = frame.f_code.co_filename
        return local if name.startswith(COUNTED[0]) or name.endswith(COUNTED[1]) else None

    sys.settrace(calls)
    try:
        pathway, more = load(root, "w.yaml", complete=False)
        assert pathway is not None
        ctx = checks.Context(pathway, text)
        pipeline._finish(problems + more + checks.run_checks(ctx, complete=False))
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("shape", sorted(synth.SHAPES))
def test_doubling_the_stages_at_most_doubles_the_work(shape):
    small, large = work(synth.worst_case(shape, SMALL)), work(synth.worst_case(shape, LARGE))
    assert large <= 2.2 * small, f"{shape}: {small:,} lines at N={SMALL}, {large:,} at N={LARGE}"


def test_doubling_a_realistic_pathway_at_most_doubles_the_work():
    # Bodies, facts and links on every stage: locating each body's Markdown once walked the file
    # from its first line (0.2 s at 1,000 stages became 2 s).
    small, large = work(synth.generate(SMALL)), work(synth.generate(LARGE))
    assert large <= 2.2 * small, f"{small:,} lines at N={SMALL}, {large:,} at N={LARGE}"


def test_the_counter_sees_superlinear_work():
    # The measure must be able to fail: the old per-stage reachability is quadratic or worse.
    text = synth.worst_case("unreachable", 200)

    def old_check(ctx):
        p = ctx.pathway
        lost = graph.unreachable(p)
        for s in lost:
            [x.id for x in lost if x.id in graph.reachable(p, s.id)]
        return []

    real = checks.CHECKS
    try:
        checks.CHECKS = real + (("old", old_check),)
        small, large = work(text), work(synth.worst_case("unreachable", 400))
    finally:
        checks.CHECKS = real
    assert large > 3 * small


def test_each_shape_has_the_problems_it_is_built_for():
    rules = {shape: {p.rule for p in pipeline.check_text(synth.worst_case(shape, 50)).problems}
             for shape in synth.SHAPES}
    assert "unreachable" in rules["unreachable"] and "unreachable" in rules["comb"]
    assert rules["loops"] == {"no-exit-loop"}
    assert rules["chain"] == rules["wide"] == rules["alongside"] == rules["computable"] == set()
    # Past the work limit the decision is reported, not proved for minutes (1,000 bands took 37 s).
    big = {p.rule for p in pipeline.check_text(synth.worst_case("computable", 1_000)).problems}
    assert big == {"limit-exceeded"}
    assert {"unknown-key", "unknown-kind", "unknown-group", "unknown-stage", "unknown-link"} <= rules["flood"]


# -- the linear unreachable check says what the old one said -------------------------------


def _naive_parts(p: Pathway) -> list[tuple[str, list[str]]]:
    """The old algorithm, quadratic and obviously right: the reference."""
    lost = graph.unreachable(p)
    led_to = {t for s in lost for t in graph.successors(p, s.id) if t != s.id}
    order = [s for s in lost if s.id not in led_to] + [s for s in lost if s.id in led_to]
    covered: set[str] = set()
    out = []
    for s in order:
        if s.id in covered:
            continue
        behind = [x.id for x in lost if x.id in graph.reachable(p, s.id) and x.id not in covered and x.id != s.id]
        covered.update(behind, (s.id,))
        out.append((s.id, behind))
    return out


@given(st.integers(2, 14), st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13), st.booleans()), max_size=30))
def test_cut_off_parts_match_the_quadratic_reference(n, edges):
    nxt: dict[int, list[int]] = {i: [] for i in range(n)}
    along: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b, is_alongside in edges:  # b may name no stage (b >= n), as a misspelt id does
        if a < n:
            (along if is_alongside else nxt)[a].append(b)
    stages = tuple(
        Stage(id=f"s{i}", title="", kind="assessment", next=tuple(Transition(f"s{j}") for j in nxt[i]),
              alongside=tuple(IdRef(f"s{j}") for j in along[i]))
        for i in range(n)
    )
    p = Pathway(id="p", title="", version="1", status="draft", start="s0", stages=stages)
    got = [(s.id, [x.id for x in behind]) for s, behind in graph.cut_off_parts(p)]
    assert got == _naive_parts(p)


def test_many_links_in_one_text_are_each_located():
    words = [f"[[gone-{i}]]" if i % 3 == 0 else f"[[s{i % 7}]]" for i in range(300)]
    random.Random(1).shuffle(words)
    body = " ".join(words)
    text = (
        'format: 1\nid: p\ntitle: T\nversion: "1"\nstatus: draft\nstart: s0\nstages:\n'
        + "".join(f"  - id: s{i}\n    title: S\n    kind: outcome\n" for i in range(7))
        + f"  - id: s7\n    title: S\n    kind: outcome\n    body: |\n      {body}\n"
    )
    line = text.count("\n", 0, text.index(body)) + 1
    found = [(p.location.line, p.location.col) for p in pipeline.check_text(text).problems if p.rule == "unknown-link"]
    start = text.index(body) - text.rfind("\n", 0, text.index(body))
    cols, pos = [], 0
    for w in words:
        pos = body.index(w, pos)
        if w.startswith("[[gone"):
            cols.append((line, start + pos))
        pos += len(w)
    assert len(cols) == 100 and found == cols
