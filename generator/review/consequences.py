"""Graph consequences of a change: what it does to the routes through the pathway.

Steps that can no longer be reached, new dead ends and loops, decisions that
lost a branch, and removed steps that are still linked.  These are derived
from the other changes, so they carry the sign "!" and are listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core import graph
from generator.core.model import Pathway, Transition
from generator.core.wikilinks import iter_wikilinks
from generator.review.changes import Collector, Kind
from generator.review.changes import listed as _join
from generator.review.changes import quoted as _q


def _branches(n: int) -> str:
    return f"{n} branch" if n == 1 else f"{n} branches"


def _when(t: Transition) -> str:
    return t.when if t.when else "always"


@dataclass(frozen=True)
class _GraphFacts:
    """The graph properties the diff compares, for one pathway."""

    unreachable: frozenset[str]
    dead_ends: frozenset[str]
    loops: frozenset[frozenset[str]]  # strongly connected components that contain a cycle
    closed_loops: frozenset[frozenset[str]]  # ... with no transition leaving them


def _graph_facts(p: Pathway) -> _GraphFacts:
    ids = set(p.stage_by_id)
    loops = [
        frozenset(comp)
        for comp in graph.strongly_connected(p)
        if len(comp) > 1 or comp[0] in graph.successors(p, comp[0])
    ]
    return _GraphFacts(
        unreachable=frozenset(s.id for s in graph.unreachable(p)) if p.start in ids else frozenset(),
        dead_ends=frozenset(s.id for s in graph.dead_ends(p)),
        loops=frozenset(loops),
        closed_loops=frozenset(frozenset(comp) for comp in graph.closed_loops(p)),
    )


def graph_consequences(c: Collector) -> None:
    old, new = c.old, c.new
    go, gn = _graph_facts(old), _graph_facts(new)

    # A removed stage that the new pathway still points at.
    for s in old.stages:
        if s.id in new.stage_by_id:
            continue
        linked = [src.id for src, _ in new.incoming.get(s.id, ())]
        linked += [x.id for x in new.stages if any(r.id == s.id for r in x.alongside)]
        # [[links]] in descriptions would become broken links on the website.
        linked += [x.id for x in new.stages
                   if any(link.target == s.id for text in (x.summary, x.body) for link in iter_wikilinks(text or ""))]
        if new.start == s.id:
            linked.insert(0, "start")
        if linked:
            names = _join("the start of the pathway" if x == "start" else c.step(x) for x in dict.fromkeys(linked))
            c.add(Kind.REMOVED_STAGE_STILL_LINKED, s.id,
                  f"removed step is still linked from {names}", stage=s.id)

    for sid in dict.fromkeys(s.id for s in new.stages):
        if sid in gn.unreachable and sid not in go.unreachable:
            c.add(Kind.NEWLY_UNREACHABLE, sid,
                  "can no longer be reached from the start of the pathway", stage=sid)
        if sid in gn.dead_ends and sid not in go.dead_ends:
            c.add(Kind.NEW_DEAD_END, sid,
                  "is now a dead end: no next step and not an outcome", stage=sid)

    order = {sid: i for i, sid in reversed(list(enumerate(s.id for s in new.stages)))}
    # Sets have no stable order; sort loops by their first stage in the file.
    for loop in sorted(gn.loops, key=lambda lp: min(order.get(x, 0) for x in lp)):
        if loop in go.loops and (loop in go.closed_loops) == (loop in gn.closed_loops):
            continue
        members = [s.id for s in new.stages if s.id in loop]
        names = _join(c.step(x) for x in members)
        if loop in gn.closed_loops:
            c.add(Kind.NEW_LOOP_WITHOUT_EXIT, members[0],
                  f"new loop with no way out: {names}", stage=members[0])
        elif loop not in go.loops:
            c.add(Kind.NEW_LOOP, members[0],
                  f"new loop (patients can come back round): {names}", stage=members[0])

    for s in new.stages:
        o = old.stage_by_id.get(s.id)
        if o is None or "decision" not in (o.kind, s.kind):
            continue
        lost = [t for t in o.next if (t.to, t.when) not in {(u.to, u.when) for u in s.next}]
        if len(s.next) < len(o.next) and lost:
            branches = "; ".join(f"{_q(_when(t))} → {c.title(t.to)}" for t in lost)
            c.add(Kind.DECISION_LOST_BRANCH, s.id,
                  f"decision lost a branch ({branches})", _branches(len(o.next)), _branches(len(s.next)),
                  stage=s.id)
