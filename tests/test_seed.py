"""The seed pathway and the fixture pathways are valid, and the seed keeps the article's facts.

If a test here fails after you edited ``pathway.yaml``, you have probably
dropped one of the source article's key numbers or terms, or broken a rule of
the format.  Put the fact back (in a stage's ``facts`` or ``body``) or fix the
rule the checker reports.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from generator.core.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "pathway.yaml"
FIXTURE_DIR = REPO / "tests" / "fixtures" / "pathways"
FIXTURES = sorted(FIXTURE_DIR.glob("*.yaml"))
TODAY = datetime.date(2026, 11, 25)

# Key numbers and terms from the source article
# (/work/shared/seeds/facet-joint-injections-what-next.txt).  Each must appear
# in at least one stage's facts, body, summary or title.  Matching ignores case.
KEY_TERMS = [
    # numbers, written exactly as the pathway shows them
    "50–80 %",
    "80–90 °C",
    "usually 30–60 minutes",
    "6–12 months",
    "up to two years",
    "a day or two",
    "up to a week or more",
    # the injection
    "local anaesthetic",
    "steroid",
    "dull ache",
    "buttocks, hips or shoulders",
    "extension or twisting",
    "misidentified",
    # re-evaluation
    "MRI",
    "CT",
    "herniated disc",
    "nerve root compression",
    "spinal stenosis",
    "medial branch nerves",
    "other spinal structures",
    # RFA
    "radiofrequency neurotomy",
    "rhizotomy",
    "outpatient",
    "fluoroscopic",
    "light sedation",
    "mild soreness",
    "repeated",
    "regenerate",
    # conservative care and medication
    "core and paraspinal",
    "posture",
    "flexibility",
    "movement patterns",
    "chiropractic",
    "massage",
    "NSAID",
    "muscle relax",
    "neuropathic",
    # surgery
    "spinal fusion",
    "arthrodesis",
    "adjacent",
    "lengthy recovery",
    "quality of life",
]

# The article's hedges, kept as it words them.  A pathway that drops one turns
# a usual case into a rule ("is the final option", "30–60 minutes", RFA as the
# only next step), which the issue behind version 2.0.0 found in version 1.0.0.
HEDGES = [
    "is considered the final option",
    "usually 30–60 minutes",
    "next procedural step is typically",
    "typically 50–80 %",
    "frequently begins",
    "a definitive diagnostic tool",
    "may take up to a week or more",
    "typically 6–12 months",
    "reserved for the most severe cases",
    "definitively the pain source",
    "severely compromised",
    "even with procedural interventions",
    "can be safely repeated",
]

# A number the article hedges must carry its hedge wherever the pathway shows
# it: (number, hedge that must come shortly before it).
HEDGED_NUMBERS = [
    ("30–60 minutes", "usually"),
    ("50–80 %", "typically"),
    ("6–12 months", "typically"),
]

# Hardened or invented claims the article does not make.
NOT_IN_ARTICLE = [
    "is the final option",
    "pain is not from the facet joints",
    "at least 50",
    "50 % or more",
]

# American spellings that should not appear in text we wrote (British clinical
# spelling is the house style).  The reference title is exempt.
AMERICAN_SPELLINGS = ["anesthetic", "anesthesia", "localized", "specialized", "visualize", "stabilize"]


def _raw_seed() -> dict:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _load_seed_model():
    """The seed as a ``Pathway`` via the project's own loader (keeps text exactly as written)."""
    try:
        from generator.core import loader
        from generator.core import yamlsource
    except ImportError:  # pragma: no cover - the loader is part of the project
        return None
    root, problems = yamlsource.parse(SEED.read_text(encoding="utf-8"), str(SEED))
    assert root is not None, problems
    pathway, problems2 = loader.load(root, str(SEED))
    assert pathway is not None, problems + problems2
    return pathway


def _stage_texts_from_model() -> list[str] | None:
    """Texts of every stage via the real loader, or None if it isn't available."""
    pathway = _load_seed_model()
    if pathway is None:
        return None
    texts = []
    for s in pathway.stages:
        texts += [s.title or "", s.summary or "", s.body or ""]
        for f in s.facts:
            texts += [f.label, f.value]
        for t in s.next:
            texts.append(t.when or "")
    return texts


def _stage_texts_from_yaml() -> list[str]:
    texts = []
    for s in _raw_seed()["stages"]:
        texts += [str(s.get(k) or "") for k in ("title", "summary", "body")]
        for label, value in (s.get("facts") or {}).items():
            texts += [str(label), str(value)]
        for t in s.get("next") or []:
            texts.append(str(t.get("when") or ""))
    return texts


def _seed_text() -> str:
    texts = _stage_texts_from_model()
    if texts is None:
        texts = _stage_texts_from_yaml()
    # Fold line breaks so a phrase wrapped across lines in a body still matches.
    return " ".join(" ".join(t.split()) for t in texts).casefold()


@pytest.mark.parametrize("term", KEY_TERMS)
def test_seed_keeps_article_fact(term):
    assert term.casefold() in _seed_text(), (
        f"pathway.yaml no longer mentions {term!r} from the source article; "
        "put it back in a stage's facts or body"
    )


@pytest.mark.parametrize("hedge", HEDGES)
def test_seed_keeps_article_hedge(hedge):
    assert hedge.casefold() in _seed_text(), (
        f"pathway.yaml no longer says {hedge!r} as the source article does; "
        "put the hedge back rather than stating the usual case as a rule"
    )


@pytest.mark.parametrize(("number", "hedge"), HEDGED_NUMBERS)
def test_seed_never_shows_a_typical_number_without_its_hedge(number, hedge):
    text = _seed_text()
    starts = [i for i in range(len(text)) if text.startswith(number.casefold(), i)]
    assert starts, f"{number!r} is missing"
    bare = [text[max(0, i - 40): i + len(number)] for i in starts if hedge not in text[max(0, i - 40): i]]
    assert not bare, f"{number!r} shown without {hedge!r} before it: {bare}"


@pytest.mark.parametrize("claim", NOT_IN_ARTICLE)
def test_seed_makes_no_claim_the_article_does_not(claim):
    assert claim.casefold() not in _seed_text(), f"pathway.yaml says {claim!r}; the source article does not"


def test_seed_uses_british_spelling():
    text = _seed_text()
    found = [w for w in AMERICAN_SPELLINGS if w in text]
    assert not found, f"use British spelling in pathway.yaml, found: {found}"


def test_seed_first_line_points_at_schema():
    first = SEED.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schema/pathway.schema.json"


def test_seed_shape():
    """Structural promises other parts of the project rely on."""
    raw = _raw_seed()
    assert raw["id"] == "facet-joint-pain"
    assert raw["version"] == "2.0.0"
    assert raw["start"] == "facet-joint-injection"
    assert raw["history"][0]["version"] == raw["version"]
    kinds = {s["kind"] for s in raw["stages"]}
    assert {"decision", "outcome", "procedure", "surgery", "therapy", "referral"} <= kinds
    by_id = {s["id"]: s for s in raw["stages"]}
    # RFA can be repeated when the pain returns: a loop back to the procedure.
    assert "radiofrequency-ablation" in [t["to"] for t in by_id["rfa-review"]["next"]]
    # Conservative care runs alongside the procedures, not only RFA.
    for sid in ("re-evaluate-diagnosis", "medial-branch-block", "radiofrequency-ablation", "surgical-assessment"):
        assert {"physical-therapy", "medication-management"} <= set(by_id[sid]["alongside"]), sid
    assert [r["title"] for r in raw["references"]] == ["What Next If Facet Joint Injections Don't Work?"]
    assert "url" not in raw["references"][0]  # we have no URL for the article; don't invent one


def test_fixtures_present():
    names = {p.name for p in FIXTURES}
    assert {"loops.yaml", "minimal.yaml", "no-groups.yaml"} <= names


@pytest.mark.parametrize("path", [SEED, *FIXTURES], ids=lambda p: p.name)
def test_pathway_is_clean(path):
    problems = check_file(path, today=TODAY).problems
    assert not problems, "\n".join(f"{p.location}: {p.severity.value}: {p.message} [{p.rule}]" for p in problems)


# -- the faults the article-only rewrite (version 2.0.0) fixed ---------------------------------


def _targets(stage_id: str) -> list[str]:
    return [t["to"] for t in {s["id"]: s for s in _raw_seed()["stages"]}[stage_id].get("next") or []]


def _reachable(start: str, without: set[str] = frozenset()) -> set[str]:
    """Stages reachable from ``start`` along ``next``, never entering ``without``."""
    by_id = {s["id"]: s for s in _raw_seed()["stages"]}
    seen, todo = set(), [start]
    while todo:
        sid = todo.pop()
        if sid in seen or sid in without:
            continue
        seen.add(sid)
        todo += [t["to"] for t in by_id[sid].get("next") or []]
    return seen


def _outcome_says_source_is_silent(stage_id: str) -> None:
    stage = {s["id"]: s for s in _raw_seed()["stages"]}[stage_id]
    assert stage["kind"] == "outcome", stage_id
    body = " ".join(stage["body"].split()).casefold()
    assert "does not" in body and "clinical judgement" in body, stage_id


def test_mbb_response_leaves_partial_relief_to_clinical_judgement():
    assert _targets("mbb-response") == ["next-procedural-step", "other-spinal-structures", "clinical-judgement-mbb"]
    _outcome_says_source_is_silent("clinical-judgement-mbb")


def test_rfa_is_the_typical_next_step_not_the_only_one():
    assert _targets("next-procedural-step") == ["radiofrequency-ablation", "clinical-judgement-next-step"]
    _outcome_says_source_is_silent("clinical-judgement-next-step")


def test_rfa_review_has_one_branch_per_response():
    # Pain that returned after relief goes only to a repeat RFA; no relief goes to
    # the surgery question; too early waits; partial relief is not covered.
    assert _targets("rfa-review") == [
        "long-term-relief", "radiofrequency-ablation", "rfa-too-early", "surgery-considered", "clinical-judgement-rfa",
    ]
    assert _targets("rfa-too-early") == ["rfa-review"]
    _outcome_says_source_is_silent("clinical-judgement-rfa")


def test_surgery_is_reached_only_through_the_articles_full_conditions_and_a_surgeon():
    assert _targets("surgery-considered") == ["surgical-assessment", "clinical-judgement-no-surgery"]
    assert _targets("surgical-assessment") == ["fusion-recommended"]
    assert _targets("fusion-recommended") == ["spinal-fusion", "fusion-not-recommended"]
    _outcome_says_source_is_silent("clinical-judgement-no-surgery")
    _outcome_says_source_is_silent("fusion-not-recommended")
    for gate in ("surgery-considered", "surgical-assessment", "fusion-recommended"):
        assert "spinal-fusion" not in _reachable("facet-joint-injection", without={gate}), gate


def test_medial_branch_block_does_not_depend_on_imaging():
    assert "medial-branch-block" in _reachable("facet-joint-injection", without={"imaging-review"})


def test_other_cause_outcome_does_not_claim_the_facet_joints_are_ruled_out():
    assert _targets("other-cause") == ["managed-elsewhere"]
    stage = {s["id"]: s for s in _raw_seed()["stages"]}["managed-elsewhere"]
    text = " ".join(f"{stage['summary']} {stage['body']}".split()).casefold()
    assert "not from the facet joints" not in text and "other spinal structures" in text
