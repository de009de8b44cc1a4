"""Deterministic synthetic pathways of any size, for the benchmarks.

``python -m benchmarks.synth 1000 -o pathway-1000.yaml``

The output is a valid ``pathway.yaml`` that should pass ``pathway validate``
with zero errors and zero warnings:

* stages sit in contiguous groups of 10–25;
* every non-outcome stage has a "continue" edge to the next non-outcome stage
  in file order, so every stage is reachable from ``start`` and every loop has
  a way out (the continue chain always ends at the final outcome);
* decisions have 2–3 branches, each with a distinct ``when``: continue, maybe
  an outcome placed right after the decision (its only way in), maybe a skip
  forward or a loop back a few stages (never a self-loop);
* every reference is cited, every glossary term/abbreviation is used in a body.

Everything comes from one seeded ``random.Random``; no clock, no hashing of
objects, so the same ``(n, seed)`` gives byte-identical YAML on any machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

FILLER = (
    "patient clinician review symptoms baseline observations plan consent risk benefit "
    "pain function mobility monitoring escalation documentation team ward clinic "
    "outpatient inpatient criteria response treatment dose interval follow-up "
    "assessment findings history examination imaging results discussion options "
    "preferences family carer safety netting advice written information record "
    "referral threshold guidance local protocol senior decision timely appropriate "
    "repeat measure compare trend deterioration improvement stable acute chronic "
    "severity score target goal outcome review date responsible named lead"
).split()

TOPICS = (
    "airway patency", "breathing", "circulation", "chest pain", "renal function",
    "wound healing", "blood glucose", "pain score", "mobility", "nutrition",
    "swallow", "cognition", "skin integrity", "fluid balance", "lumbar spine",
    "knee function", "shoulder movement", "anaemia", "infection markers",
    "blood pressure", "heart rhythm", "bladder function", "sleep", "mood",
    "falls risk", "medication adherence", "hearing", "vision", "frailty",
    "bone density", "thyroid function", "liver function", "oxygen requirement",
)
KIND_TITLES = {
    "assessment": ("Assess {t}", "Review {t}", "Clinical assessment of {t}"),
    "investigation": ("Imaging of {t}", "Blood tests for {t}", "Investigate {t}"),
    "decision": ("{T} acceptable?", "Is {t} improving?", "{T} within target?"),
    "procedure": ("Procedure for {t}", "Injection for {t}", "Bedside procedure: {t}"),
    "therapy": ("Physiotherapy for {t}", "Medication for {t}", "Optimise {t}"),
    "surgery": ("Surgery for {t}", "Operative repair: {t}", "Day-case surgery for {t}"),
    "referral": ("Refer about {t}", "Specialist referral: {t}", "MDT discussion of {t}"),
    "outcome": ("Discharged: {t} resolved", "Long-term follow-up of {t}", "{T} stable"),
}
WORK_KINDS = ("assessment", "investigation", "procedure", "therapy", "surgery", "referral")

# Branch conditions by the role of the branch.  Some are words YAML 1.1 would
# misread ("Yes", "No", "On", "1.10"): the writer quotes every `when`.
WHEN_CONTINUE = ("Criteria met", "Improving", "Yes", "Score below 3", "Responds to treatment", "On target")
WHEN_OUTCOME = ("Resolved", "Full recovery", "Discharged home", "No further treatment needed")
WHEN_SKIP = ("Red flags present", "Urgent", "Score 3 or more", "No", "Off target: escalate")
WHEN_LOOP = ("No change after 2 weeks", "Needs reassessment", "Symptoms recur", "Partial response (1.10)")

FACT_LABELS = (
    "Setting", "Responsible", "Time frame", "Target", "Evidence", "Frequency",
    "Duration", "Monitoring", "Contraindications", "Documentation",
)
GLOSSARY = (
    ("Blood pressure", "BP"), ("Heart rate", "HR"), ("Computed tomography", "CT"),
    ("Magnetic resonance imaging", "MRI"), ("Full blood count", "FBC"),
    ("C-reactive protein", "CRP"), ("Early warning score", "EWS"),
    ("Estimated glomerular filtration rate", "eGFR"), ("Multidisciplinary team", "MDT"),
    ("Electrocardiogram", "ECG"), ("Nil by mouth", "NBM"), ("Range of motion", "ROM"),
    ("Visual analogue scale", "VAS"), ("Venous thromboembolism", "VTE"),
    ("Low molecular weight heparin", "LMWH"), ("Glasgow coma scale", "GCS"),
    ("Body mass index", "BMI"), ("Intravenous", "IV"), ("Occupational therapy", "OT"),
    ("General practitioner", "GP"), ("Accident and emergency", "ED"),
    ("Non-steroidal anti-inflammatory drug", "NSAID"), ("Proton pump inhibitor", "PPI"),
    ("Radiofrequency ablation", "RFA"), ("Medial branch block", "MBB"),
    ("Chronic kidney disease", "CKD"), ("Urinary tract infection", "UTI"),
    ("Deep vein thrombosis", "DVT"), ("Pulmonary embolism", "PE"),
    ("Activities of daily living", "ADL"), ("Safety netting", None), ("Frailty", None),
    ("Escalation", None), ("Red flag", None),
)
ORGS = ("National guideline", "Royal college statement", "Local protocol", "Systematic review", "Consensus paper")


@dataclass
class _Stage:
    index: int
    id: str
    title: str
    kind: str
    group: str
    topic: str
    next: list[tuple[int, str | None]] = field(default_factory=list)
    alongside: list[int] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    glossary: list[int] = field(default_factory=list)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML, and never misread)."""
    return json.dumps(text, ensure_ascii=False)


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)


def _sentence(rng: random.Random, words: int) -> str:
    ws = [rng.choice(FILLER) for _ in range(words)]
    return " ".join(ws).capitalize() + "."


def _kinds(n: int, rng: random.Random) -> list[str]:
    """Stage kinds in file order: start is never an outcome, the last stage always is,
    and every other outcome directly follows a decision (which gives it its only way in)."""
    kinds: list[str | None] = [None] * n
    kinds[n - 1] = "outcome"
    for i in range(n - 1):
        if kinds[i] is not None:
            continue
        if i >= 1 and rng.random() < 0.25:
            kinds[i] = "decision"
            if i + 1 < n - 1 and rng.random() < 0.3:
                kinds[i + 1] = "outcome"
        else:
            kinds[i] = rng.choice(WORK_KINDS)
    return [k or "outcome" for k in kinds]


def _groups(n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Contiguous [start, end) chunks of 10–25 stages (a short tail joins the last chunk)."""
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < n:
        end = min(n, i + rng.randint(10, 25))
        chunks.append((i, end))
        i = end
    # A tail shorter than 10 stages joins the previous chunk (at most 34 stages).
    if len(chunks) > 1 and chunks[-1][1] - chunks[-1][0] < 10:
        (a, _), (_, e) = chunks[-2], chunks[-1]
        chunks[-2:] = [(a, e)]
    return chunks


def plan(n: int, seed: int = 0) -> dict:
    """Everything the writer needs, as plain data: a pure function of ``(n, seed)``."""
    if n < 1:
        raise ValueError("a pathway needs at least one stage")
    rng = random.Random(seed * 1_000_003 + n)
    kinds = _kinds(n, rng)
    chunks = _groups(n, rng)
    group_topics = [TOPICS[(k * 7) % len(TOPICS)] for k in range(len(chunks))]
    groups = [(f"phase-{k + 1}", f"Phase {k + 1}: {group_topics[k].capitalize()}") for k in range(len(chunks))]

    stages: list[_Stage] = []
    seen_titles: dict[str, int] = {}
    for k, (a, e) in enumerate(chunks):
        for i in range(a, e):
            topic = rng.choice(TOPICS)
            tmpl = rng.choice(KIND_TITLES[kinds[i]])
            title = tmpl.format(t=topic, T=topic.capitalize())
            # Titles are unique, so no check can complain about look-alike stages.
            seen_titles[title] = seen_titles.get(title, 0) + 1
            if seen_titles[title] > 1:
                title = f"{title} ({seen_titles[title]})"
            sid = f"{_slug(title.rstrip('?'))[:40].strip('-')}-{i + 1}"
            stages.append(_Stage(i, sid, title, kinds[i], groups[k][0], topic))

    non_outcome = [i for i in range(n) if kinds[i] != "outcome"]
    cont: dict[int, int] = {}
    for pos, i in enumerate(non_outcome):
        cont[i] = non_outcome[pos + 1] if pos + 1 < len(non_outcome) else n - 1

    for s in stages:
        i = s.index
        if s.kind == "outcome":
            continue
        if s.kind != "decision":
            s.next = [(cont[i], None)]
            continue
        targets: list[tuple[int, list[str]]] = [(cont[i], list(WHEN_CONTINUE))]
        if i + 1 < n and kinds[i + 1] == "outcome" and i + 1 != cont[i]:
            targets.append((i + 1, list(WHEN_OUTCOME)))
        if len(targets) < 2 or rng.random() < 0.5:
            back = [j for j in range(max(0, i - 4), i) if kinds[j] != "outcome"]
            fwd = [j for j in range(cont[i] + 1, min(n, i + 7)) if kinds[j] != "outcome"]
            if back and (not fwd or rng.random() < 0.4):
                targets.append((rng.choice(back), list(WHEN_LOOP)))
            elif fwd:
                targets.append((rng.choice(fwd), list(WHEN_SKIP)))
        used: set[str] = set()
        for j, pool in targets:
            when = rng.choice([w for w in pool if w not in used])
            used.add(when)
            s.next.append((j, when))

    # Alongside: a few stages run with another stage of the same group.
    for k, (a, e) in enumerate(chunks):
        for i in range(a, e):
            if kinds[i] != "outcome" and e - a > 1 and rng.random() < 0.08:
                j = rng.choice([x for x in range(a, e) if x != i])
                stages[i].alongside.append(j)

    # References: each one cited by at least one stage, spread evenly, plus extras.
    n_refs = max(2, n // 8)
    refs = []
    for r in range(n_refs):
        rid = f"ref-{r + 1:03d}"
        topic = TOPICS[r % len(TOPICS)]
        title = f"{ORGS[r % len(ORGS)]}: management of {topic} ({2015 + r % 10})"
        refs.append((rid, title, f"https://example.org/guidance/{rid}"))
        stages[(r * n) // n_refs].references.append(rid)
    for s in stages:
        if rng.random() < 0.3:
            rid = refs[rng.randrange(n_refs)][0]
            if rid not in s.references:
                s.references.append(rid)

    # Glossary: each entry used by at least one stage body.
    n_gloss = min(len(GLOSSARY), max(5, n // 10))
    for g in range(n_gloss):
        stages[(g * n) // n_gloss].glossary.append(g)
    for s in stages:
        if rng.random() < 0.5:
            g = rng.randrange(n_gloss)
            if g not in s.glossary:
                s.glossary.append(g)

    bodies = [_body(s, stages, rng) for s in stages]
    summaries = [_sentence(rng, rng.randint(8, 14)) for _ in stages]
    facts = [_facts(rng) for _ in stages]
    return {
        "n": n, "seed": seed, "groups": groups, "stages": stages, "refs": refs,
        "glossary": GLOSSARY[:n_gloss], "bodies": bodies, "summaries": summaries, "facts": facts,
    }


def _body(s: _Stage, stages: list[_Stage], rng: random.Random) -> str:
    """About 120 words of Markdown: two paragraphs, a short list, [[links]] and glossary words."""
    words = []
    for g in s.glossary:
        term, abbr = GLOSSARY[g]
        words.append(f"{term.lower()} ({abbr})" if abbr else term.lower())
    p1 = " ".join(_sentence(rng, rng.randint(8, 14)) for _ in range(4))
    if words:
        p1 += " Record the " + " and the ".join(words) + " before going on."
    items = [f"- {_sentence(rng, rng.randint(4, 8))}" for _ in range(rng.randint(2, 3))]
    links = []
    for j, _ in s.next:
        t = stages[j]
        links.append(f"[[{t.id}]]" if rng.random() < 0.7 else f"[[{t.id}|{t.topic}]]")
    for j in s.alongside:
        links.append(f"[[{stages[j].id}]]")
    p2 = _fill(" ".join(_sentence(rng, rng.randint(8, 14)) for _ in range(2)))
    if links:
        # On a line of its own: a [[link|text]] must not be split across lines.
        p2 += "\nThen see " + ", ".join(links) + "."
    paras = [_fill(p1), "\n".join(items), p2]
    return "\n\n".join(paras) + "\n"


def _fill(text: str) -> str:
    return textwrap.fill(text, 72, break_on_hyphens=False, break_long_words=False)


def _facts(rng: random.Random) -> list[tuple[str, str]]:
    labels = rng.sample(FACT_LABELS, rng.randint(2, 4))
    return [(lab, _sentence(rng, rng.randint(3, 7)).rstrip(".")) for lab in labels]


def _block(text: str, indent: int) -> str:
    """A YAML literal block scalar; empty lines stay empty (no trailing spaces)."""
    pad = " " * indent
    lines = [pad + ln if ln else "" for ln in text.rstrip("\n").split("\n")]
    return "|\n" + "\n".join(lines)


def to_yaml(p: dict) -> str:
    """Write the plan as pathway.yaml text, laid out the way a clinical team would."""
    n = p["n"]
    stages: list[_Stage] = p["stages"]
    out: list[str] = [
        f"# Synthetic benchmark pathway: {n} stages, seed {p['seed']}.",
        "# Generated by `python -m benchmarks.synth`; do not edit by hand.",
        "",
        "format: 1",
        f"id: synthetic-{n}",
        f"title: {q(f'Synthetic benchmark pathway ({n} stages)')}",
        f"version: {q('2.0.0')}",
        "status: active",
        f"start: {stages[0].id}",
        f"audience: {q('Benchmarks of the pathway publisher; not for clinical use.')}",
        "summary: " + _block(
            _fill(
                f"A generated pathway with {n} stages in {len(p['groups'])} groups, used to "
                "measure how validation, diagrams, the website and the handbook scale."
            ),
            2,
        ),
        "",
        "governance:",
        f"  owner: {q('Benchmark service (synthetic)')}",
        "  authors:",
        f"    - {q('Synthetic author')}",
        "  approved_by:",
        f"    - {q('Synthetic approver')}",
        "  approved_on: 2026-01-15",
        "  last_reviewed: 2026-01-15",
        # Far in the future, so no run of the benchmark ever sees an overdue review.
        "  next_review: 2099-01-01",
        "  expires: 2099-12-31",
        f"  contact: {q('bench@example.org')}",
        "",
        "history:  # newest first",
        f"  - version: {q('2.0.0')}",
        "    date: 2026-01-15",
        f"    summary: {q('Second edition: regenerated')}",
        "    approved_by:",
        f"      - {q('Synthetic approver')}",
        f"  - version: {q('1.0.0')}",
        "    date: 2025-01-15",
        f"    summary: {q('First edition')}",
        "",
        "groups:",
    ]
    for gid, title in p["groups"]:
        out += [f"  - id: {gid}", f"    title: {q(title)}"]
    out += ["", "stages:"]
    for s, body, summary, facts in zip(stages, p["bodies"], p["summaries"], p["facts"]):
        out += [
            "",
            f"  - id: {s.id}",
            f"    title: {q(s.title)}",
            f"    kind: {s.kind}",
            f"    group: {s.group}",
            f"    summary: {q(summary)}",
            "    body: " + _block(body, 6),
            "    facts:",
        ]
        out += [f"      {q(lab)}: {q(val)}" for lab, val in facts]
        if s.next:
            out.append("    next:")
            for j, when in s.next:
                out.append(f"      - to: {stages[j].id}")
                if when is not None:
                    out.append(f"        when: {q(when)}")
        if s.alongside:
            out.append("    alongside: [" + ", ".join(stages[j].id for j in s.alongside) + "]")
        if s.references:
            out.append("    references: [" + ", ".join(s.references) + "]")
    out += ["", "references:"]
    for rid, title, url in p["refs"]:
        out += [f"  - id: {rid}", f"    title: {q(title)}", f"    url: {q(url)}"]
    out += ["", "glossary:"]
    for term, abbr in p["glossary"]:
        out.append(f"  - term: {q(term)}")
        if abbr:
            out.append(f"    abbr: {q(abbr)}")
        out.append(f"    definition: {q(f'{term}: a term used throughout this synthetic pathway.')}")
    return "\n".join(out) + "\n"


def generate(n: int, seed: int = 0) -> str:
    """YAML text of a valid synthetic pathway with ``n`` stages."""
    return to_yaml(plan(n, seed))


# --------------------------------------------------------------------------- worst-case shapes
#
# Pathways built to be slow to check, not realistic: each stresses one check
# (reachability, loops, suggestions, …) the way a half-edited large pathway can.
# They are valid YAML and mostly valid pathways; several have warnings or
# errors on purpose.  ``worst_case(shape, n)`` gives exactly ``n`` stages.


def _wc_stage(i: int, kind: str, nxt: list[tuple[str, str | None]] = (), *, alongside: list[str] = (),
              extra: list[str] = ()) -> list[str]:
    out = [f"  - id: s{i}", f"    title: {q(f'Stage {i}')}", f"    kind: {kind}"]
    out += extra
    if nxt:
        out.append("    next:")
        for to, when in nxt:
            out.append(f"      - to: {to}")
            if when is not None:
                out.append(f"        when: {q(when)}")
    if alongside:
        out.append(f"    alongside: [{', '.join(alongside)}]")
    return out


def _wc_unreachable(n: int) -> list[list[str]]:
    """Every other stage cannot be reached; half of those lead on to the next one."""
    out = []
    for i in range(n):
        last = i >= n - 2
        if i % 2 == 0:  # the reachable spine
            out.append(_wc_stage(i, "outcome") if last else _wc_stage(i, "assessment", [(f"s{i + 2}", None)]))
        else:  # cut off: leads into the spine, and every other one also to the next cut-off stage
            nxt = [(f"s{i + 1}", "back on track")] if i + 1 < n else []
            if i % 4 == 1 and i + 2 < n:
                nxt.append((f"s{i + 2}", "not yet"))
            out.append(_wc_stage(i, "decision" if len(nxt) > 1 else "assessment", nxt) if nxt else
                       _wc_stage(i, "outcome"))
    return out


def _wc_chain(n: int) -> list[list[str]]:
    """One chain of ``n`` stages: the deepest walk from the start."""
    return [_wc_stage(i, "outcome") if i == n - 1 else _wc_stage(i, "assessment", [(f"s{i + 1}", None)])
            for i in range(n)]


def _wc_comb(n: int) -> list[list[str]]:
    """A chain of n/2 stages, and n/2 unreachable stages each leading into it."""
    half = max(1, n // 2)
    out = _wc_chain(half)
    out += [_wc_stage(i, "assessment", [(f"s{i - half}", None)]) for i in range(half, n)]
    return out


def _wc_loops(n: int) -> list[list[str]]:
    """Every stage loops back to the three before it and there is no outcome: one closed loop of all."""
    out = []
    for i in range(n):
        nxt = [(f"s{j}", f"go to {j}") for j in (i + 1, i - 1, i - 2, i - 3) if 0 <= j < n and j != i]
        if len(nxt) < 2:
            nxt = [(f"s{j}", f"go to {j}") for j in range(n) if j != i][:2]
        out.append(_wc_stage(i, "decision", nxt) if len(nxt) >= 2 else _wc_stage(i, "assessment", nxt))
    return out


def _wc_wide(n: int) -> list[list[str]]:
    """A decision with ``n - 1`` branches, each to its own outcome."""
    first = _wc_stage(0, "decision", [(f"s{i}", f"answer {i}") for i in range(1, n)])
    return [first] + [_wc_stage(i, "outcome") for i in range(1, n)]


def _wc_computable(n: int) -> list[list[str]]:
    """A computable decision with ``n - 2`` one-unit bands of one input and ``otherwise``: as many cells
    as branches, so its truth tables alone grow as N^2 unless the work limit is applied before them."""
    first = ["  - id: s0", f"    title: {q('Stage 0')}", "    kind: decision", "    next:"]
    for i in range(1, n - 1):
        first += [f"      - to: s{i}", f"        when: {q(f'band {i}')}", f"        if: x >= {i} and x < {i + 1}"]
    first += [f"      - to: s{n - 1}", f"        when: {q('any other value')}", "        if: otherwise"]
    return [first] + [_wc_stage(i, "outcome") for i in range(1, n)]


#: Top-level fields a shape needs besides its stages.
_HEAD_EXTRA = {
    "computable": ["inputs:", "  - id: x", "    label: Score", "    type: number"],
}


def _wc_alongside(n: int) -> list[list[str]]:
    """Half the stages reached only through a chain of ``alongside``, half alongside one stage."""
    out = [_wc_stage(0, "assessment", [("s1", None)]), _wc_stage(1, "outcome")]
    half = n // 2
    for i in range(2, n):
        out.append(_wc_stage(i, "therapy", alongside=[f"s{i - 1}" if i < half else "s0"]))
    return out[:n]


def _wc_flood(n: int) -> list[list[str]]:
    """Every stage has five problems: a misspelt key, kind, group, branch target and [[link]]."""
    out = []
    for i in range(n):
        target = f"s{(i + 1) % n}x"  # names no stage; close to one of thousands
        extra = ["    kindd: x", "    group: gruop-a", f"    body: {q(f'See [[s{i}-typo]] and [[s{i}]].')}"]
        out.append(_wc_stage(i, "asessment" if i else "assessment", [(target, None)], extra=extra))
    return out


SHAPES = {
    "unreachable": _wc_unreachable,
    "chain": _wc_chain,
    "comb": _wc_comb,
    "loops": _wc_loops,
    "wide": _wc_wide,
    "computable": _wc_computable,
    "alongside": _wc_alongside,
    "flood": _wc_flood,
}


def worst_case(shape: str, n: int) -> str:
    """YAML text of the worst-case pathway ``shape`` (a key of ``SHAPES``) with ``n`` stages."""
    stages = SHAPES[shape](max(2, n))
    head = ["format: 1", f"id: worst-{shape}", f"title: {q(f'Worst case: {shape}')}", 'version: "1"',
            "status: draft", "start: s0", *_HEAD_EXTRA.get(shape, []), "groups:", "  - id: group-a", "    title: A",
            "stages:"]
    return "\n".join(head + [line for st in stages for line in st]) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of stages")
    ap.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shape", choices=sorted(SHAPES), help="a worst-case shape instead of the realistic pathway")
    args = ap.parse_args(argv)
    text = worst_case(args.shape, args.n) if args.shape else generate(args.n, args.seed)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
