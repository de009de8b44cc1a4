"""Hypothesis strategies for VALID pathways, as YAML text (and as the dict it was dumped from).

The graph is built so that every rule holds by construction:

* stage 0 is the start and is never an outcome; the last stage is an outcome;
* every stage after the first gets one edge from an earlier non-outcome stage,
  so all stages are reachable;
* every non-outcome has at least one *forward* edge (to a later stage), so
  following forward edges always ends at an outcome: loops (back edges and
  self-loops, added at random) always have an exit;
* decisions have at least two branches, each with a ``when``; outcomes have none;
* groups, ``alongside`` pairs, references (each cited at least once), glossary
  entries with abbreviations, ``[[links]]`` in bodies, and titles in several
  scripts with Markdown/HTML-significant punctuation.

Use ``pathways()`` for the text and ``pathway_docs()`` for the dict.
"""

from __future__ import annotations

import datetime as _dt
import string

import yaml
from hypothesis import strategies as st

from generator.core.model import KINDS

NON_OUTCOME = tuple(k for k in KINDS if k != "outcome")

# Letters from several scripts, digits, spaces and the punctuation that Markdown, HTML and DOT care about.
_ALPHABET = (
    string.ascii_letters + string.digits + "      "
    + "éèüñçøåßæœ"  # accented Latin
    + "αβγδλμπσω"  # Greek
    + "абвгдежзий"  # Cyrillic
    + "中文字段测试"  # CJK
    + "→—–…°±µ"  # typographic
    + "&<>\"'*_`#|!()[]{}\\:;,.?/+-=~%@$^"
)
# Windows device names are not valid ids on every platform (see tests/test_hostile.py).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}

slugs = st.from_regex(r"[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,5}){0,2}", fullmatch=True).filter(
    lambda s: s not in _RESERVED)


@st.composite
def words(draw, min_size: int = 1, max_size: int = 40) -> str:
    """One line of text with at least one visible character; no '[[' (that would start a link)."""
    text = draw(st.text(alphabet=_ALPHABET, min_size=min_size, max_size=max_size))
    text = " ".join(text.split()).replace("[[", "[ [")
    if not text.strip():
        text = draw(st.sampled_from(["Stage", "Étape", "Στάδιο", "Этап", "阶段"]))
    return text


@st.composite
def pathway_docs(draw, min_stages: int = 2, max_stages: int = 10) -> dict:
    n = draw(st.integers(min_stages, max_stages))
    ids = draw(st.lists(slugs, min_size=n, max_size=n, unique=True))
    # Kinds: the first is never an outcome, the last always is.
    kinds = [draw(st.sampled_from(NON_OUTCOME))]
    for _ in range(1, n - 1):
        kinds.append(draw(st.sampled_from(KINDS)))
    kinds.append("outcome")
    kinds = kinds[:n]

    # Edges as (from index, to index), unique per stage.
    edges: dict[int, list[int]] = {i: [] for i in range(n)}

    def add(a: int, b: int) -> None:
        if b not in edges[a]:
            edges[a].append(b)

    for i in range(1, n):  # reachability: a parent among the earlier non-outcomes
        parents = [j for j in range(i) if kinds[j] != "outcome"]
        add(draw(st.sampled_from(parents)), i)
    for i in range(n):
        if kinds[i] == "outcome":
            continue
        if not any(j > i for j in edges[i]):  # a way forward, so every loop has an exit
            add(i, draw(st.integers(i + 1, n - 1)))
        for _ in range(draw(st.integers(0, 2))):  # extra edges, back edges and self-loops included
            add(i, draw(st.integers(0, n - 1)))
        if kinds[i] == "decision":
            while len(edges[i]) < 2:
                add(i, draw(st.integers(0, n - 1)))
        draw(st.randoms()).shuffle(edges[i])  # branch order is the author's, not ours

    n_groups = draw(st.integers(0, 3))
    group_ids = draw(st.lists(slugs, min_size=n_groups, max_size=n_groups, unique=True))
    groups = [{"id": g, "title": draw(words())} for g in group_ids]
    n_refs = draw(st.integers(0, 3))
    ref_ids = draw(st.lists(slugs, min_size=n_refs, max_size=n_refs, unique=True))
    references = []
    for r in ref_ids:
        ref = {"id": r, "title": draw(words())}
        if draw(st.booleans()):
            ref["url"] = f"https://example.org/{r}?q=1&x=2"
        references.append(ref)

    stages = []
    for i, sid in enumerate(ids):
        s: dict = {"id": sid, "title": draw(words()), "kind": kinds[i]}
        if group_ids and draw(st.booleans()):
            s["group"] = draw(st.sampled_from(group_ids))
        if draw(st.booleans()):
            s["summary"] = draw(words(max_size=60))
        if draw(st.booleans()):
            links = [f"[[{ids[j]}]]" if draw(st.booleans()) else f"[[{ids[j]}|{draw(words(max_size=12)).replace(']', ')').replace('|', '/')}]]"
                     for j in draw(st.lists(st.integers(0, n - 1), max_size=3))]
            paras = [draw(words(max_size=80)) for _ in range(draw(st.integers(1, 3)))]
            s["body"] = "\n\n".join(paras + ([" and ".join(links)] if links else [])) + "\n"
        if draw(st.booleans()):
            labels = draw(st.lists(words(max_size=15), max_size=3, unique_by=lambda x: x))
            s["facts"] = {lab: draw(words(max_size=30)) for lab in labels}
        if edges[i]:
            branches = []
            for j in edges[i]:
                b = {"to": ids[j]}
                if kinds[i] == "decision" or draw(st.booleans()):
                    b["when"] = draw(words(max_size=25))
                branches.append(b)
            s["next"] = branches
        stages.append(s)

    for _ in range(draw(st.integers(0, 2))):  # alongside pairs
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if a != b:
            stages[a].setdefault("alongside", [])
            if ids[b] not in stages[a]["alongside"]:
                stages[a]["alongside"].append(ids[b])
    for r in ref_ids:  # every reference is cited at least once
        for k in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True)):
            stages[k].setdefault("references", []).append(r)

    glossary = []
    for k in range(draw(st.integers(0, 3))):
        entry = {"term": f"Term {k} {draw(words(max_size=15))}", "definition": draw(words())}
        if draw(st.booleans()):
            entry["abbr"] = draw(st.from_regex(r"[A-Z]{2,4}", fullmatch=True))
        glossary.append(entry)

    doc = {
        "format": 1,
        "id": draw(slugs),
        "title": draw(words()),
        "version": "1.0.0",
        "status": draw(st.sampled_from(["draft", "active"])),
        "start": ids[0],
        "summary": draw(words(max_size=80)),
        "governance": {"owner": draw(words(max_size=20)), "approved_on": _dt.date(2026, 1, 1).isoformat(),
                       "next_review": "2099-01-01"},
        "history": [{"version": "1.0.0", "date": "2026-01-01", "summary": draw(words())}],
        "stages": stages,
    }
    if groups:
        doc["groups"] = groups
    if references:
        doc["references"] = references
    if glossary:
        doc["glossary"] = glossary
    return doc


def to_yaml(doc: dict) -> str:
    """YAML text for a pathway dict; PyYAML quotes whatever needs quoting ('No', '1.10', ': ')."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)


def pathways(**kwargs) -> st.SearchStrategy[str]:
    """Valid pathway files as YAML text."""
    return pathway_docs(**kwargs).map(to_yaml)
