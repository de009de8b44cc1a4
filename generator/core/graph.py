"""Pure graph helpers over a ``Pathway``: edges, reachability, dead ends, loops.

Stages are nodes; each ``next`` branch is a directed edge.  ``alongside`` is a
separate, symmetric relation ("runs at the same time as"): it counts for
reachability (a therapy run alongside a reachable stage is reachable) but is
not a way forward.  Edges to ids that name no stage are ignored here (the
checks report them), and so are edges into another pathway of a library
(``pathway-id:stage-id``): they leave this graph.  Used by the checks, the diff and the site.
"""

from __future__ import annotations

import collections
from typing import Iterable

from generator.core.model import Pathway, Stage, Transition


def edges(pathway: Pathway) -> list[tuple[str, str, Transition]]:
    """Every (from id, to id, transition) whose target exists, in file order."""
    known = pathway.stage_by_id
    return [(s.id, t.to, t) for s in pathway.stages for t in s.next if t.to in known]


def successors(pathway: Pathway, stage_id: str) -> tuple[str, ...]:
    """Ids the stage's branches lead to (existing stages only, no repeats, file order)."""
    stage = pathway.stage_by_id.get(stage_id)
    if stage is None:
        return ()
    known = pathway.stage_by_id
    return tuple(dict.fromkeys(t.to for t in stage.next if t.to in known))


def predecessors(pathway: Pathway, stage_id: str) -> tuple[str, ...]:
    """Ids of stages with a branch to ``stage_id`` (no repeats, file order)."""
    return tuple(dict.fromkeys(s.id for s, _ in pathway.incoming.get(stage_id, ())))


def reachable(pathway: Pathway, start: str | None = None) -> set[str]:
    """Ids reachable from ``start`` (default: the pathway's start) via next and alongside."""
    start = pathway.start if start is None else start
    if start not in pathway.stage_by_id:
        return set()
    return _visit(pathway, (start,), set())


def _visit(pathway: Pathway, roots: Iterable[str], blocked: set[str]) -> set[str]:
    """Ids reachable from ``roots`` via next and alongside without entering ``blocked``.

    Each stage is expanded at most once, so one call costs O(stages + edges) at
    most; callers that walk many roots share ``blocked`` to keep the total linear.
    """
    known = pathway.stage_by_id
    alongside = pathway.alongside_of
    seen = {r for r in roots if r in known and r not in blocked}
    todo = list(seen)
    while todo:
        current = todo.pop()
        for t in known[current].next:
            nxt = t.to
            if nxt not in seen and nxt in known and nxt not in blocked:
                seen.add(nxt)
                todo.append(nxt)
        for nxt in alongside.get(current, ()):
            if nxt not in seen and nxt in known and nxt not in blocked:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def cut_off_parts(pathway: Pathway) -> list[tuple[Stage, list[Stage]]]:
    """The unreachable part of the pathway, as (stage where a part begins, stages only reachable through it).

    Entry points (no other cut-off stage's ``next`` leads to them) come first,
    then the rest, each in file order; a stage is named once, in the first part
    that reaches it.  Linear in the size of the pathway: a cut-off stage can only
    be reached through cut-off stages, and once a stage is covered so is
    everything it reaches, so each walk stops at stages already covered.
    """
    lost = unreachable(pathway)
    if not lost:
        return []
    order = {s.id: i for i, s in enumerate(pathway.stages)}
    led_to = {t for s in lost for t in successors(pathway, s.id) if t != s.id}
    entries = [s for s in lost if s.id not in led_to] + [s for s in lost if s.id in led_to]
    lost_by_id = {s.id: s for s in lost}
    covered: set[str] = set()
    parts: list[tuple[Stage, list[Stage]]] = []
    for s in entries:
        if s.id in covered:
            continue
        part = _visit(pathway, (s.id,), covered)
        covered |= part
        part.discard(s.id)
        behind = sorted((lost_by_id[i] for i in part if i in lost_by_id), key=lambda x: order[x.id])
        parts.append((s, behind))
    return parts


def unreachable(pathway: Pathway) -> list[Stage]:
    """Stages that cannot be reached from the start, in file order (none if start is unknown)."""
    if pathway.start not in pathway.stage_by_id:
        return []
    seen = reachable(pathway)
    return [s for s in pathway.stages if s.id not in seen]


def decisions(pathway: Pathway) -> list[Stage]:
    """Stages of kind ``decision``, in file order."""
    return [s for s in pathway.stages if s.kind == "decision"]


def outcomes(pathway: Pathway) -> list[Stage]:
    """Stages of kind ``outcome``, in file order."""
    return [s for s in pathway.stages if s.kind == "outcome"]


def dead_ends(pathway: Pathway) -> list[Stage]:
    """Non-outcome stages with no ``next`` at all.

    A stage that runs alongside another (either direction) is exempt: it ends
    when the stage it accompanies moves on.
    """
    alongside = pathway.alongside_of
    return [s for s in pathway.stages if s.kind != "outcome" and not s.next and not alongside.get(s.id)]


def strongly_connected(pathway: Pathway) -> list[list[str]]:
    """Strongly connected components of the ``next`` graph (Tarjan, iterative).

    Each component lists ids in file order; components are ordered by their
    first stage in the file.
    """
    order = {s.id: i for i, s in enumerate(pathway.stages)}
    ids = list(pathway.stage_by_id)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in ids:
        if root in index:
            continue
        # Each work item: (node, iterator over its successors).
        work = [(root, iter(successors(pathway, root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors(pathway, nxt))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component, key=order.__getitem__))
    result.sort(key=lambda c: order[c[0]])
    return result


def closed_loops(pathway: Pathway) -> list[list[str]]:
    """Loops a patient could never leave: a cycle with no branch out and no outcome in it."""
    out = []
    for component in strongly_connected(pathway):
        members = set(component)
        is_cycle = len(component) > 1 or component[0] in successors(pathway, component[0])
        if not is_cycle:
            continue
        if any(pathway.stage_by_id[i].kind == "outcome" for i in component):
            continue
        if any(n not in members for i in component for n in successors(pathway, i)):
            continue
        if any(t.external for i in component for t in pathway.stage_by_id[i].next):
            continue  # a way out into another pathway of the library
        out.append(component)
    return out


def topological_hint(pathway: Pathway) -> list[str]:
    """Stage ids in breadth-first order from the start, then the rest in file order.

    A stable reading order for lists and the handbook.
    """
    seen: dict[str, None] = {}
    if pathway.start in pathway.stage_by_id:
        queue = collections.deque([pathway.start])
        seen[pathway.start] = None
        while queue:
            current = queue.popleft()
            for nxt in _chain(successors(pathway, current), pathway.alongside_of.get(current, ())):
                if nxt not in seen and nxt in pathway.stage_by_id:
                    seen[nxt] = None
                    queue.append(nxt)
    for s in pathway.stages:
        seen.setdefault(s.id, None)
    return list(seen)


def _chain(*parts: Iterable[str]) -> Iterable[str]:
    for p in parts:
        yield from p
