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
    "30–60 minutes",
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
    assert raw["version"] == "1.0.0"
    assert raw["start"] == "facet-joint-injection"
    assert raw["history"][0]["version"] == raw["version"]
    kinds = {s["kind"] for s in raw["stages"]}
    assert {"decision", "outcome", "procedure", "surgery", "therapy", "referral"} <= kinds
    by_id = {s["id"]: s for s in raw["stages"]}
    # RFA can be repeated when the pain returns: a loop back to the procedure.
    assert "radiofrequency-ablation" in [t["to"] for t in by_id["rfa-review"]["next"]]
    # Conservative care runs alongside the procedures.
    assert "physical-therapy" in by_id["radiofrequency-ablation"]["alongside"]
    assert [r["title"] for r in raw["references"]] == ["What Next If Facet Joint Injections Don't Work?"]
    assert "url" not in raw["references"][0]  # we have no URL for the article; don't invent one


def test_fixtures_present():
    names = {p.name for p in FIXTURES}
    assert {"loops.yaml", "minimal.yaml", "no-groups.yaml"} <= names


@pytest.mark.parametrize("path", [SEED, *FIXTURES], ids=lambda p: p.name)
def test_pathway_is_clean(path):
    problems = check_file(path, today=TODAY).problems
    assert not problems, "\n".join(f"{p.location}: {p.severity.value}: {p.message} [{p.rule}]" for p in problems)
