"""Graph helpers over a Pathway."""

from __future__ import annotations

from generator.core import graph
from generator.core.model import IdRef, Pathway, Stage, Transition


def pw(*stages: Stage, start: str = "a") -> Pathway:
    return Pathway(id="p", title="P", version="1", status="draft", start=start, stages=stages)


def st(id: str, kind: str = "procedure", to: tuple[str, ...] = (), alongside: tuple[str, ...] = ()) -> Stage:
    return Stage(
        id=id, title=id, kind=kind,
        next=tuple(Transition(t) for t in to),
        alongside=tuple(IdRef(a) for a in alongside),
    )


def test_successors_ignore_unknown_targets_and_repeats() -> None:
    p = pw(st("a", to=("b", "zz", "b")), st("b", "outcome"))
    assert graph.successors(p, "a") == ("b",)
    assert graph.successors(p, "nope") == ()
    assert graph.predecessors(p, "b") == ("a",)
    assert [(f, t) for f, t, _ in graph.edges(p)] == [("a", "b"), ("a", "b")]


def test_reachable_follows_next_and_alongside_both_ways() -> None:
    p = pw(st("a", to=("b",)), st("b", "outcome", alongside=("c",)), st("c", "therapy"), st("d", "outcome"))
    assert graph.reachable(p) == {"a", "b", "c"}
    assert [s.id for s in graph.unreachable(p)] == ["d"]
    assert graph.reachable(pw(st("a"), start="missing")) == set()
    assert graph.unreachable(pw(st("a"), start="missing")) == []


def test_dead_ends_exempt_outcomes_and_alongside() -> None:
    p = pw(st("a", to=("b",), alongside=("t",)), st("b"), st("t", "therapy"), st("o", "outcome"))
    assert [s.id for s in graph.dead_ends(p)] == ["b"]


def test_strongly_connected_components_in_file_order() -> None:
    p = pw(st("a", to=("b",)), st("b", to=("c",)), st("c", to=("b", "d")), st("d", "outcome"))
    assert graph.strongly_connected(p) == [["a"], ["b", "c"], ["d"]]


def test_closed_loops() -> None:
    closed = pw(st("a", to=("b",)), st("b", to=("c",)), st("c", to=("b",)))
    assert graph.closed_loops(closed) == [["b", "c"]]
    with_exit = pw(st("a", to=("b",)), st("b", to=("a", "o")), st("o", "outcome"))
    assert graph.closed_loops(with_exit) == []
    with_outcome = pw(st("a", to=("b",)), st("b", "outcome", to=("a",)))
    assert graph.closed_loops(with_outcome) == []
    self_loop = pw(st("a", to=("a",)))
    assert graph.closed_loops(self_loop) == [["a"]]


def test_long_chain_does_not_hit_recursion_limit() -> None:
    n = 5000
    stages = [st(f"s{i}", to=(f"s{i + 1}",)) for i in range(n - 1)] + [st(f"s{n - 1}", to=("s0",))]
    p = pw(*stages, start="s0")
    (loop,) = graph.closed_loops(p)
    assert len(loop) == n


def test_decisions_outcomes_and_reading_order() -> None:
    p = pw(st("z", "outcome"), st("a", "decision", to=("m", "z")), st("m", to=("z",)), st("lost"), start="a")
    assert [s.id for s in graph.decisions(p)] == ["a"]
    assert [s.id for s in graph.outcomes(p)] == ["z"]
    assert graph.topological_hint(p) == ["a", "m", "z", "lost"]
